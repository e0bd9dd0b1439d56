//! The micro workloads as kameo actors: tell, ask, ping-pong, fan-out and
//! fork-join (the ring is in its own module).
//!
//! Mailboxes: unbounded (`mailbox::unbounded()`) as the workloads specify,
//! except the bounded tell's summer and the ask workload's adder, which
//! keep kameo's default (bounded to 64).

use std::time::Instant;

use kameo::Actor;
use kameo::actor::{ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};
use kameo::mailbox;
use kameo::message::{Context, Message};
use tokio::sync::{mpsc, oneshot};

use super::{all_stopped, gather};
use crate::check::Check;
use crate::measure::{Latencies, Pass};
use crate::savina::fork_join_work;

// ---------------------------------------------------------------- tell

/// The summing actor of the tell workload.
#[derive(Actor, Default)]
struct Summer {
    sum: u64,
    received: u64,
    last: Option<u64>,
    out_of_order: u64,
}

impl Message<u64> for Summer {
    type Reply = ();

    async fn handle(&mut self, v: u64, _ctx: &mut Context<Self, Self::Reply>) {
        self.out_of_order += u64::from(self.last.is_some_and(|last| v < last));
        self.last = Some(v);
        self.sum += v;
        self.received += 1;
    }
}

/// Asks the summer for `(sum, received, out_of_order)`; it answers and stops.
#[derive(Debug)]
struct Totals;

impl Message<Totals> for Summer {
    type Reply = (u64, u64, u64);

    async fn handle(&mut self, _: Totals, ctx: &mut Context<Self, Self::Reply>) -> Self::Reply {
        ctx.stop();
        (self.sum, self.received, self.out_of_order)
    }
}

/// The tell workload: `mailbox::bounded(capacity)` when bounded, where
/// `tell(..).send()` waits for room, else `mailbox::unbounded()`.
pub(super) async fn tell(messages: u64, capacity: Option<usize>) -> Pass {
    let started = Instant::now();
    let mailbox = match capacity {
        Some(capacity) => mailbox::bounded(capacity),
        None => mailbox::unbounded(),
    };
    let summer = Summer::spawn_with_mailbox(Summer::default(), mailbox);
    for v in 0..messages {
        summer.tell(v).send().await.expect("the summer is running");
    }
    let (sum, received, out_of_order) =
        summer.ask(Totals).send().await.expect("the summer answers");
    all_stopped(&[summer]).await;
    let check = Check::new()
        .int("sum", sum)
        .int("received", received)
        .int("out_of_order", out_of_order);
    Pass::new(started.elapsed(), check)
}

// ---------------------------------------------------------------- ask

/// Answers `x` with `x + 1`.
#[derive(Actor)]
struct Adder;

impl Message<u64> for Adder {
    type Reply = u64;

    async fn handle(&mut self, x: u64, _ctx: &mut Context<Self, Self::Reply>) -> u64 {
        x + 1
    }
}

/// The ask workload: sequential `ask(x).send()` round trips, each timed.
pub(super) async fn ask(round_trips: u64) -> Pass {
    let started = Instant::now();
    let adder = Adder::spawn(Adder);
    let mut latencies = Latencies::with_capacity(round_trips as usize);
    let mut sum = 0u64;
    for x in 0..round_trips {
        let asked = Instant::now();
        sum += adder.ask(x).send().await.expect("the adder answers");
        latencies.record(asked.elapsed());
    }
    adder.stop_gracefully().await.expect("the adder is running");
    all_stopped(&[adder]).await;
    latencies.into_pass(Pass::new(started.elapsed(), Check::new().int("sum", sum)))
}

// ---------------------------------------------------------------- ping-pong

/// One side of the rally; reports `(Balls handled, last k if it ended the
/// rally)` from its stop hook.
struct Rally {
    peer: ActorRef<Rally>,
    bounces: u64,
    handled: u64,
    last: Option<u64>,
    report: mpsc::UnboundedSender<(u64, Option<u64>)>,
}

impl Actor for Rally {
    type Args = Self;
    type Error = Infallible;

    async fn on_start(args: Self, _: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(args)
    }

    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        let _ = self.report.send((self.handled, self.last));
        Ok(())
    }
}

struct Ball(u64);

/// Tells the other side the rally is over.
struct Halt;

impl Message<Ball> for Rally {
    type Reply = ();

    async fn handle(&mut self, Ball(k): Ball, ctx: &mut Context<Self, Self::Reply>) {
        self.handled += 1;
        if k == self.bounces {
            self.last = Some(k);
            let _ = self.peer.tell(Halt).send().await;
            ctx.stop();
        } else {
            let _ = self.peer.tell(Ball(k + 1)).send().await;
        }
    }
}

impl Message<Halt> for Rally {
    type Reply = ();

    async fn handle(&mut self, _: Halt, ctx: &mut Context<Self, Self::Reply>) {
        ctx.stop();
    }
}

/// The ping-pong workload: A is prepared first so that B can be spawned
/// knowing it, then A is spawned knowing B.
pub(super) async fn ping_pong(bounces: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let rally = |peer| Rally {
        peer,
        bounces,
        handled: 0,
        last: None,
        report: report.clone(),
    };
    let a = Rally::prepare_with_mailbox(mailbox::unbounded());
    let a_ref = a.actor_ref().clone();
    let b_ref = Rally::spawn_with_mailbox(rally(a_ref.clone()), mailbox::unbounded());
    drop(a.spawn(rally(b_ref.clone())));
    a_ref.tell(Ball(0)).send().await.expect("A is running");
    let sides = gather(&mut reports, 2).await;
    all_stopped(&[a_ref, b_ref]).await;
    let handled: u64 = sides.iter().map(|(h, _)| h).sum();
    let last = sides.iter().find_map(|(_, last)| *last).unwrap_or(u64::MAX);
    let check = Check::new().int("last", last).int("handled", handled);
    Pass::new(started.elapsed(), check)
}

// ---------------------------------------------------------------- fan-out

/// Adds and counts; at `jobs` it reports `(sum, count)` and stops.
#[derive(Actor)]
struct Collector {
    jobs: u64,
    sum: u64,
    count: u64,
    done: Option<oneshot::Sender<(u64, u64)>>,
}

impl Message<u64> for Collector {
    type Reply = ();

    async fn handle(&mut self, v: u64, ctx: &mut Context<Self, Self::Reply>) {
        self.sum += v;
        self.count += 1;
        if self.count == self.jobs {
            if let Some(done) = self.done.take() {
                let _ = done.send((self.sum, self.count));
            }
            ctx.stop();
        }
    }
}

/// Turns job `j` into `2j + 1` for the collector.
#[derive(Actor)]
struct FanWorker {
    collector: ActorRef<Collector>,
}

impl Message<u64> for FanWorker {
    type Reply = ();

    async fn handle(&mut self, j: u64, _ctx: &mut Context<Self, Self::Reply>) {
        let _ = self.collector.tell(2 * j + 1).send().await;
    }
}

/// The fan-out workload; the driver stops the workers once the collector
/// has reported.
pub(super) async fn fan_out(workers: usize, jobs: u64) -> Pass {
    let started = Instant::now();
    let (done, total) = oneshot::channel();
    let collector = Collector::spawn_with_mailbox(
        Collector {
            jobs,
            sum: 0,
            count: 0,
            done: Some(done),
        },
        mailbox::unbounded(),
    );
    let pool: Vec<ActorRef<FanWorker>> = (0..workers)
        .map(|_| {
            FanWorker::spawn_with_mailbox(
                FanWorker {
                    collector: collector.clone(),
                },
                mailbox::unbounded(),
            )
        })
        .collect();
    for j in 0..jobs {
        let worker = &pool[(j % workers as u64) as usize];
        worker.tell(j).send().await.expect("the worker is running");
    }
    let (sum, count) = total.await.expect("the collector reports");
    for worker in &pool {
        worker
            .stop_gracefully()
            .await
            .expect("the worker is running");
    }
    all_stopped(&pool).await;
    all_stopped(&[collector]).await;
    let check = Check::new().int("sum", sum).int("jobs", count);
    Pass::new(started.elapsed(), check)
}

// ---------------------------------------------------------------- fork-join

/// A fork-join worker: counts, computes `sin(37.2)²` per message, and stops
/// at `messages`, reporting `(count, last result)`.
#[derive(Actor)]
struct ForkWorker {
    messages: u64,
    count: u64,
    report: mpsc::UnboundedSender<(u64, f64)>,
}

/// One fork-join message.
struct Fork;

impl Message<Fork> for ForkWorker {
    type Reply = ();

    async fn handle(&mut self, _: Fork, ctx: &mut Context<Self, Self::Reply>) {
        self.count += 1;
        let work = fork_join_work();
        if self.count == self.messages {
            let _ = self.report.send((self.count, work));
            ctx.stop();
        }
    }
}

/// The fork-join throughput workload (also Savina's fjthrput).
pub(super) async fn fork_join(actors: usize, messages: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let workers: Vec<ActorRef<ForkWorker>> = (0..actors)
        .map(|_| {
            ForkWorker::spawn_with_mailbox(
                ForkWorker {
                    messages,
                    count: 0,
                    report: report.clone(),
                },
                mailbox::unbounded(),
            )
        })
        .collect();
    for _ in 0..messages {
        for worker in &workers {
            worker
                .tell(Fork)
                .send()
                .await
                .expect("the worker is running");
        }
    }
    let counts = gather(&mut reports, actors).await;
    all_stopped(&workers).await;
    let min = counts.iter().map(|(c, _)| *c).min().unwrap_or(0);
    let max = counts.iter().map(|(c, _)| *c).max().unwrap_or(0);
    let work = counts.last().map_or(0.0, |(_, w)| *w);
    let check = Check::new()
        .int("min_count", min)
        .int("max_count", max)
        .float("work", work);
    Pass::new(started.elapsed(), check)
}
