//! Savina's trapezoidal approximation as kameo actors, on unbounded
//! mailboxes. The master creates its
//! workers in its start hook, as Savina does in its constructor.

use std::time::Instant;

use kameo::actor::{Actor, ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};
use kameo::mailbox;
use kameo::message::{Context, Message};
use tokio::sync::mpsc;

use super::{all_stopped, gather};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::trapezoid_share;

/// Stop reports: the master's `(area, pieces)`, `None` from the workers.
type Report = mpsc::UnboundedSender<Option<(f64, u64)>>;

/// The master: scatters the interval, gathers the areas.
struct Master {
    workers: Vec<ActorRef<Worker>>,
    results: usize,
    area: f64,
    pieces: u64,
    report: Report,
}

/// A worker: integrates its share, answers, stops.
struct Worker {
    master: ActorRef<Master>,
    report: Report,
}

impl Actor for Master {
    type Args = (usize, Report);
    type Error = Infallible;

    async fn on_start(
        (workers, report): Self::Args,
        me: ActorRef<Self>,
    ) -> Result<Self, Infallible> {
        let workers = (0..workers)
            .map(|_| {
                Worker::spawn_with_mailbox(
                    Worker {
                        master: me.clone(),
                        report: report.clone(),
                    },
                    mailbox::unbounded(),
                )
            })
            .collect();
        Ok(Master {
            workers,
            results: 0,
            area: 0.0,
            pieces: 0,
            report,
        })
    }

    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        let _ = self.report.send(Some((self.area, self.pieces)));
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

/// `[left, right)` in steps of `h`.
struct Work {
    left: f64,
    right: f64,
    h: f64,
}

/// A worker's area and the pieces it evaluated.
struct Area {
    area: f64,
    pieces: u64,
}

impl Message<Work> for Master {
    type Reply = ();

    async fn handle(&mut self, work: Work, _ctx: &mut Context<Self, Self::Reply>) {
        let range = (work.right - work.left) / self.workers.len() as f64;
        for (i, worker) in self.workers.iter().enumerate() {
            let left = range * i as f64 + work.left;
            let share = Work {
                left,
                right: left + range,
                h: work.h,
            };
            let _ = worker.tell(share).send().await;
        }
    }
}

impl Message<Area> for Master {
    type Reply = ();

    async fn handle(&mut self, result: Area, ctx: &mut Context<Self, Self::Reply>) {
        self.area += result.area;
        self.pieces += result.pieces;
        self.results += 1;
        if self.results == self.workers.len() {
            ctx.stop();
        }
    }
}

impl Message<Work> for Worker {
    type Reply = ();

    async fn handle(&mut self, work: Work, ctx: &mut Context<Self, Self::Reply>) {
        let (area, pieces) = trapezoid_share(work.left, work.right, work.h);
        let _ = self.master.tell(Area { area, pieces }).send().await;
        ctx.stop();
    }
}

/// Savina's trapezoid: the driver tells the master `Work(L, R, h)` and
/// waits for every actor's stop report.
pub(super) async fn trapezoid(pieces: u64, workers: usize, left: f64, right: f64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let master = Master::spawn_with_mailbox((workers, report), mailbox::unbounded());
    let h = (right - left) / pieces as f64;
    let work = Work { left, right, h };
    master
        .tell(work)
        .send()
        .await
        .expect("the master is running");
    let stopped = gather(&mut reports, workers + 1).await;
    all_stopped(&[master]).await;
    let (area, evaluated) = stopped.into_iter().flatten().next().unwrap_or((0.0, 0));
    let check = Check::new().float("area", area).int("pieces", evaluated);
    Pass::new(started.elapsed(), check)
}
