//! Savina's Big as kameo actors, on unbounded mailboxes as the workloads
//! specify (kameo's default, bounded to 64, could deadlock here: a worker
//! answering its own ping while 64 others ping it would wait on its own
//! full mailbox forever).

use std::sync::Arc;
use std::time::Instant;

use kameo::actor::{Actor, ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};
use kameo::mailbox;
use kameo::message::{Context, Message};
use tokio::sync::mpsc;

use super::{all_stopped, gather};
use crate::check::big_check;
use crate::measure::Pass;
use crate::savina::BigTally as Counts;
use crate::savina::Lcg16;

/// Stop reports: one per worker (by id), one from the sink.
enum Report {
    Worker(usize, Counts),
    Sink,
}

type Peers = Arc<[ActorRef<Worker>]>;

/// A Big worker.
struct Worker {
    id: usize,
    pings: u64,
    rng: Lcg16,
    expected: i64,
    peers: Option<Peers>,
    sink: ActorRef<Sink>,
    counts: Counts,
    report: mpsc::UnboundedSender<Report>,
}

/// The sink: counts `Exit`s and stops everyone at `workers`.
struct Sink {
    workers: usize,
    exits: usize,
    peers: Option<Peers>,
    report: mpsc::UnboundedSender<Report>,
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
        self.peers = None;
        let counts = std::mem::take(&mut self.counts);
        let _ = self.report.send(Report::Worker(self.id, counts));
        Ok(())
    }
}

impl Actor for Sink {
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
        self.peers = None;
        let _ = self.report.send(Report::Sink);
        Ok(())
    }
}

/// Setup: every worker.
struct Setup(Peers);

struct BigPing {
    from: usize,
}

struct BigPong {
    from: i64,
}

struct Exit;

impl Worker {
    fn peer(&self, id: usize) -> &ActorRef<Worker> {
        &self.peers.as_ref().expect("the workers were set up")[id]
    }
}

impl Message<Setup> for Worker {
    type Reply = ();

    async fn handle(&mut self, Setup(peers): Setup, _ctx: &mut Context<Self, Self::Reply>) {
        self.peers = Some(peers);
    }
}

impl Message<BigPong> for Worker {
    type Reply = ();

    async fn handle(&mut self, pong: BigPong, _ctx: &mut Context<Self, Self::Reply>) {
        debug_assert_eq!(pong.from, self.expected, "a pong from the pinged worker");
        self.counts.pongs += u64::from(pong.from >= 0);
        if self.counts.sent == self.pings {
            let _ = self.sink.tell(Exit).send().await;
            return;
        }
        let workers = self.peers.as_ref().map_or(0, |p| p.len());
        let target = self.rng.next_below(workers as i64) as usize;
        self.expected = target as i64;
        self.counts.ping_sent(self.id, target);
        let ping = BigPing { from: self.id };
        let _ = self.peer(target).tell(ping).send().await;
    }
}

impl Message<BigPing> for Worker {
    type Reply = ();

    async fn handle(&mut self, ping: BigPing, _ctx: &mut Context<Self, Self::Reply>) {
        self.counts.received += 1;
        let pong = BigPong {
            from: self.id as i64,
        };
        let _ = self.peer(ping.from).tell(pong).send().await;
    }
}

impl Message<Exit> for Worker {
    type Reply = ();

    async fn handle(&mut self, _: Exit, ctx: &mut Context<Self, Self::Reply>) {
        ctx.stop();
    }
}

impl Message<Setup> for Sink {
    type Reply = ();

    async fn handle(&mut self, Setup(peers): Setup, _ctx: &mut Context<Self, Self::Reply>) {
        self.peers = Some(peers);
    }
}

impl Message<Exit> for Sink {
    type Reply = ();

    async fn handle(&mut self, _: Exit, ctx: &mut Context<Self, Self::Reply>) {
        self.exits += 1;
        if self.exits < self.workers {
            return;
        }
        for worker in self.peers.iter().flat_map(|p| p.iter()) {
            let _ = worker.tell(Exit).send().await;
        }
        ctx.stop();
    }
}

/// Spawns the sink and the workers on unbounded mailboxes.
fn spawn_all(
    workers: usize,
    pings: u64,
    report: &mpsc::UnboundedSender<Report>,
) -> (ActorRef<Sink>, Peers) {
    let sink = Sink {
        workers,
        exits: 0,
        peers: None,
        report: report.clone(),
    };
    let sink = Sink::spawn_with_mailbox(sink, mailbox::unbounded());
    let peers: Peers = (0..workers)
        .map(|id| {
            let worker = Worker {
                id,
                pings,
                rng: Lcg16::new(id as u64),
                expected: -1,
                peers: None,
                sink: sink.clone(),
                counts: Counts::default(),
                report: report.clone(),
            };
            Worker::spawn_with_mailbox(worker, mailbox::unbounded())
        })
        .collect();
    (sink, peers)
}

/// Savina's Big: setup, the kick-off `Pong(-1)` to every worker, and the
/// run ends when the sink and every worker have stopped.
pub(super) async fn big(workers: usize, pings: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let (sink, peers) = spawn_all(workers, pings, &report);
    sink.tell(Setup(peers.clone()))
        .send()
        .await
        .expect("the sink is running");
    for worker in peers.iter() {
        let setup = Setup(peers.clone());
        worker
            .tell(setup)
            .send()
            .await
            .expect("the worker is running");
    }
    for worker in peers.iter() {
        let kick_off = BigPong { from: -1 };
        worker
            .tell(kick_off)
            .send()
            .await
            .expect("the worker is running");
    }
    let stopped = gather(&mut reports, workers + 1).await;
    all_stopped(&peers).await;
    all_stopped(&[sink]).await;
    Pass::new(started.elapsed(), big_check(&tallies(workers, stopped)))
}

/// The workers' counts in id order (the sink's report carries none).
fn tallies(workers: usize, stopped: Vec<Report>) -> Vec<Counts> {
    let mut tallies = vec![Counts::default(); workers];
    for report in stopped {
        if let Report::Worker(id, counts) = report {
            tallies[id] = counts;
        }
    }
    tallies
}
