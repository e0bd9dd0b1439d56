//! Savina's PingPong, Counting and fork-join create as kameo actors.
//!
//! Mailboxes: unbounded (`mailbox::unbounded()`), as Savina specifies.

use std::hint::black_box;
use std::time::Instant;

use kameo::Actor;
use kameo::actor::{ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};
use kameo::mailbox;
use kameo::message::{Context, Message};
use tokio::sync::{mpsc, oneshot};

use super::{all_stopped, gather};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::fork_join_work;

// ---------------------------------------------------------------- PingPong

/// What each side counted, sent from its stop hook.
enum Tally {
    /// Pongs received by Ping.
    Pongs(u64),
    /// Pings received by Pong.
    Pings(u64),
}

/// Savina's Ping: sends `left` pings, one at a time.
struct Pinger {
    pong: ActorRef<Ponger>,
    left: u64,
    pongs: u64,
    report: mpsc::UnboundedSender<Tally>,
}

/// Savina's Pong: answers each ping.
struct Ponger {
    pings: u64,
    report: mpsc::UnboundedSender<Tally>,
}

impl Actor for Pinger {
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
        let _ = self.report.send(Tally::Pongs(self.pongs));
        Ok(())
    }
}

impl Actor for Ponger {
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
        let _ = self.report.send(Tally::Pings(self.pings));
        Ok(())
    }
}

struct Start;

#[derive(Debug)]
struct Continue;

struct Ping {
    reply_to: ActorRef<Pinger>,
}

struct Pong;

struct Stop;

impl Pinger {
    async fn send_ping(&mut self, me: &ActorRef<Pinger>) {
        let ping = Ping {
            reply_to: me.clone(),
        };
        let _ = self.pong.tell(ping).send().await;
        self.left -= 1;
    }
}

impl Message<Start> for Pinger {
    type Reply = ();

    async fn handle(&mut self, _: Start, ctx: &mut Context<Self, Self::Reply>) {
        self.send_ping(ctx.actor_ref()).await;
    }
}

impl Message<Continue> for Pinger {
    type Reply = ();

    async fn handle(&mut self, _: Continue, ctx: &mut Context<Self, Self::Reply>) {
        self.send_ping(ctx.actor_ref()).await;
    }
}

impl Message<Pong> for Pinger {
    type Reply = ();

    async fn handle(&mut self, _: Pong, ctx: &mut Context<Self, Self::Reply>) {
        self.pongs += 1;
        if self.left > 0 {
            // kameo's advice for telling oneself: `try_send`, which cannot
            // wait on its own mailbox (unbounded here in any case).
            ctx.actor_ref()
                .tell(Continue)
                .try_send()
                .expect("room for Continue");
        } else {
            let _ = self.pong.tell(Stop).send().await;
            ctx.stop();
        }
    }
}

impl Message<Ping> for Ponger {
    type Reply = ();

    async fn handle(&mut self, ping: Ping, _ctx: &mut Context<Self, Self::Reply>) {
        self.pings += 1;
        let _ = ping.reply_to.tell(Pong).send().await;
    }
}

impl Message<Stop> for Ponger {
    type Reply = ();

    async fn handle(&mut self, _: Stop, ctx: &mut Context<Self, Self::Reply>) {
        ctx.stop();
    }
}

/// Savina's PingPong: the driver tells Ping `Start` and waits for both
/// sides' stop reports.
pub(super) async fn ping_pong(pings: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let pong = Ponger::spawn_with_mailbox(
        Ponger {
            pings: 0,
            report: report.clone(),
        },
        mailbox::unbounded(),
    );
    let ping = Pinger::spawn_with_mailbox(
        Pinger {
            pong: pong.clone(),
            left: pings,
            pongs: 0,
            report,
        },
        mailbox::unbounded(),
    );
    ping.tell(Start).send().await.expect("Ping is running");
    let tallies = gather(&mut reports, 2).await;
    all_stopped(&[ping]).await;
    all_stopped(&[pong]).await;
    let mut check = Check::new();
    for tally in tallies {
        check = match tally {
            Tally::Pongs(n) => check.int("pongs", n),
            Tally::Pings(n) => check.int("pings", n),
        };
    }
    Pass::new(started.elapsed(), check)
}

// ---------------------------------------------------------------- Counting

/// Savina's Counter.
#[derive(Actor, Default)]
struct Counter {
    count: u64,
}

struct Increment;

#[derive(Debug)]
struct Retrieve;

impl Message<Increment> for Counter {
    type Reply = ();

    async fn handle(&mut self, _: Increment, _ctx: &mut Context<Self, Self::Reply>) {
        self.count += 1;
    }
}

impl Message<Retrieve> for Counter {
    type Reply = u64;

    async fn handle(&mut self, _: Retrieve, ctx: &mut Context<Self, Self::Reply>) -> u64 {
        ctx.stop();
        self.count
    }
}

/// Savina's Producer: on `Go`, tells `increments` increments, asks for the
/// count, reports it and stops.
#[derive(Actor)]
struct Producer {
    counter: ActorRef<Counter>,
    increments: u64,
    report: Option<oneshot::Sender<u64>>,
}

struct Go;

impl Message<Go> for Producer {
    type Reply = ();

    async fn handle(&mut self, _: Go, ctx: &mut Context<Self, Self::Reply>) {
        for _ in 0..self.increments {
            let _ = self.counter.tell(Increment).send().await;
        }
        let count = self.counter.ask(Retrieve).send().await.unwrap_or(0);
        if let Some(report) = self.report.take() {
            let _ = report.send(count);
        }
        ctx.stop();
    }
}

/// Savina's Counting, the counter on `mailbox::unbounded()`.
pub(super) async fn counting(increments: u64) -> Pass {
    let started = Instant::now();
    let (report, result) = oneshot::channel();
    let counter = Counter::spawn_with_mailbox(Counter::default(), mailbox::unbounded());
    let producer = Producer::spawn_with_mailbox(
        Producer {
            counter: counter.clone(),
            increments,
            report: Some(report),
        },
        mailbox::unbounded(),
    );
    producer
        .tell(Go)
        .send()
        .await
        .expect("the producer is running");
    let count = result.await.expect("the producer reports");
    all_stopped(&[producer]).await;
    all_stopped(&[counter]).await;
    Pass::new(started.elapsed(), Check::new().int("count", count))
}

// ---------------------------------------------------------------- fjcreate

/// A fork-join-create actor; reports `(started, handled)` from its stop
/// hook (`started` is set by its start hook).
struct Forked {
    started: bool,
    handled: u64,
    report: mpsc::UnboundedSender<(bool, u64)>,
}

impl Actor for Forked {
    type Args = mpsc::UnboundedSender<(bool, u64)>;
    type Error = Infallible;

    async fn on_start(report: Self::Args, _: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(Forked {
            started: true,
            handled: 0,
            report,
        })
    }

    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        let _ = self.report.send((self.started, self.handled));
        Ok(())
    }
}

struct Compute;

impl Message<Compute> for Forked {
    type Reply = ();

    async fn handle(&mut self, _: Compute, ctx: &mut Context<Self, Self::Reply>) {
        black_box(fork_join_work());
        self.handled += 1;
        ctx.stop();
    }
}

/// Savina's fork-join create: one actor at a time, one message each; the
/// driver keeps no handle (each actor stops itself) and the run ends when
/// every actor's stop hook has reported.
pub(super) async fn fj_create(actors: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    for _ in 0..actors {
        let actor = Forked::spawn_with_mailbox(report.clone(), mailbox::unbounded());
        actor
            .tell(Compute)
            .send()
            .await
            .expect("the actor is running");
    }
    let stopped = gather(&mut reports, actors as usize).await;
    let check = Check::new()
        .int("started", stopped.iter().filter(|(s, _)| *s).count())
        .int("handled", stopped.iter().map(|(_, h)| h).sum::<u64>())
        .int("stopped", stopped.len());
    Pass::new(started.elapsed(), check)
}
