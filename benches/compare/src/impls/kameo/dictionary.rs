//! Savina's concurrent dictionary (Lcg16 version) as kameo actors, on
//! unbounded mailboxes, as the workloads specify. The master creates the dictionary
//! and the workers in its start hook; the dictionary copies its initial map
//! in its own start hook, as Savina does in the actor's constructor.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use kameo::actor::{Actor, ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};
use kameo::mailbox;
use kameo::message::{Context, Message};
use tokio::sync::mpsc;

use super::{all_stopped, gather};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::{DATA_LIMIT, DictionaryRequest, Lcg16, dictionary_seed};

/// Stop reports: the dictionary's totals, `None` from the other actors.
type Report = mpsc::UnboundedSender<Option<Check>>;

/// The master's arguments.
struct Plan {
    workers: usize,
    requests: u64,
    write_percent: u32,
    report: Report,
}

/// The master: creates everyone, counts `End`s, then ends the dictionary.
struct Master {
    workers: usize,
    ends: usize,
    dictionary: ActorRef<Dictionary>,
    report: Report,
}

/// The dictionary and what it has served.
struct Dictionary {
    map: HashMap<i64, i64>,
    writes: u64,
    reads: u64,
    write_sum: i64,
    read_key_sum: i64,
    report: Report,
}

/// A closed-loop worker.
struct Worker {
    master: ActorRef<Master>,
    dictionary: ActorRef<Dictionary>,
    rng: Lcg16,
    requests: u64,
    write_percent: u32,
    count: u64,
    report: Report,
}

impl Actor for Master {
    type Args = Plan;
    type Error = Infallible;

    async fn on_start(plan: Plan, me: ActorRef<Self>) -> Result<Self, Infallible> {
        let dictionary = Dictionary::spawn_with_mailbox(plan.report.clone(), mailbox::unbounded());
        for index in 0..plan.workers {
            let seed = dictionary_seed(index, plan.requests, plan.write_percent);
            let worker = Worker::spawn_with_mailbox(
                Worker {
                    master: me.clone(),
                    dictionary: dictionary.clone(),
                    rng: Lcg16::new(seed),
                    requests: plan.requests,
                    write_percent: plan.write_percent,
                    count: 0,
                    report: plan.report.clone(),
                },
                mailbox::unbounded(),
            );
            let _ = worker.tell(DoWork).send().await;
        }
        Ok(Master {
            workers: plan.workers,
            ends: 0,
            dictionary,
            report: plan.report,
        })
    }

    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        let _ = self.report.send(None);
        Ok(())
    }
}

impl Actor for Dictionary {
    type Args = Report;
    type Error = Infallible;

    async fn on_start(report: Report, _: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(Dictionary {
            map: (0..DATA_LIMIT).map(|k| (k, k)).collect(),
            writes: 0,
            reads: 0,
            write_sum: 0,
            read_key_sum: 0,
            report,
        })
    }

    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        let totals = Check::new()
            .int("writes", self.writes)
            .int("reads", self.reads)
            .int("write_sum", self.write_sum)
            .int("read_key_sum", self.read_key_sum)
            .int("size", self.map.len());
        let _ = self.report.send(Some(totals));
        Ok(())
    }
}

impl Actor for Worker {
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
        let _ = self.report.send(None);
        Ok(())
    }
}

struct DoWork;

/// The dictionary's answer.
struct Answer(Option<i64>);

/// A worker's request, with whom to answer.
struct Request {
    from: ActorRef<Worker>,
    request: DictionaryRequest,
}

/// A worker is done (to the master), or the run is (to the dictionary).
struct End;

impl Worker {
    /// Savina's worker step, on `DoWork` or on any answer.
    async fn step(&mut self, ctx: &mut Context<Self, ()>) {
        self.count += 1;
        if self.count > self.requests {
            let _ = self.master.tell(End).send().await;
            ctx.stop();
            return;
        }
        let request = Request {
            from: ctx.actor_ref().clone(),
            request: DictionaryRequest::draw(&mut self.rng, self.write_percent),
        };
        let _ = self.dictionary.tell(request).send().await;
    }
}

impl Message<DoWork> for Worker {
    type Reply = ();

    async fn handle(&mut self, _: DoWork, ctx: &mut Context<Self, Self::Reply>) {
        self.step(ctx).await;
    }
}

impl Message<Answer> for Worker {
    type Reply = ();

    async fn handle(&mut self, Answer(value): Answer, ctx: &mut Context<Self, Self::Reply>) {
        black_box(value);
        self.step(ctx).await;
    }
}

impl Message<Request> for Dictionary {
    type Reply = ();

    async fn handle(&mut self, msg: Request, _ctx: &mut Context<Self, Self::Reply>) {
        let answer = match msg.request {
            DictionaryRequest::Write { key, value } => {
                self.writes += 1;
                self.write_sum += key + value;
                self.map.insert(key, value);
                Some(value)
            }
            DictionaryRequest::Read { key } => {
                self.reads += 1;
                self.read_key_sum += key;
                self.map.get(&key).copied()
            }
        };
        let _ = msg.from.tell(Answer(answer)).send().await;
    }
}

impl Message<End> for Dictionary {
    type Reply = ();

    async fn handle(&mut self, _: End, ctx: &mut Context<Self, Self::Reply>) {
        ctx.stop();
    }
}

impl Message<End> for Master {
    type Reply = ();

    async fn handle(&mut self, _: End, ctx: &mut Context<Self, Self::Reply>) {
        self.ends += 1;
        if self.ends == self.workers {
            let _ = self.dictionary.tell(End).send().await;
            ctx.stop();
        }
    }
}

/// Savina's concurrent dictionary: the driver spawns the master and waits
/// for every actor's stop report (master, dictionary, workers).
pub(super) async fn dictionary(workers: usize, requests: u64, write_percent: u32) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let master = Master::spawn_with_mailbox(
        Plan {
            workers,
            requests,
            write_percent,
            report,
        },
        mailbox::unbounded(),
    );
    let stopped = gather(&mut reports, workers + 2).await;
    all_stopped(&[master]).await;
    let totals = stopped.into_iter().flatten().next();
    Pass::new(started.elapsed(), totals.unwrap_or_default())
}
