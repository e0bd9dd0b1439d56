//! The fan-out and fork-join workloads. Every actor uses ractor's default
//! (unbounded) mailbox.

use std::time::Instant;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use super::{joined, report, report_port, send_report, start};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::fork_join_work;

// ---------------------------------------------------------------- fan-out

/// Adds what the workers send; reports `(sum, jobs)` at `jobs` and stops.
struct Collector {
    jobs: u64,
}

struct CollectorState {
    sum: u64,
    count: u64,
    report: Option<RpcReplyPort<(u64, u64)>>,
}

impl Actor for Collector {
    type Msg = u64;
    type State = CollectorState;
    type Arguments = RpcReplyPort<(u64, u64)>;

    async fn pre_start(
        &self,
        _: ActorRef<u64>,
        report: RpcReplyPort<(u64, u64)>,
    ) -> Result<CollectorState, ActorProcessingErr> {
        Ok(CollectorState {
            sum: 0,
            count: 0,
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<u64>,
        value: u64,
        state: &mut CollectorState,
    ) -> Result<(), ActorProcessingErr> {
        state.sum += value;
        state.count += 1;
        if state.count == self.jobs {
            send_report(&mut state.report, (state.sum, state.count))?;
            myself.stop(None);
        }
        Ok(())
    }
}

/// Turns job `j` into `2j + 1` for the collector.
struct FanWorker {
    collector: ActorRef<u64>,
}

impl Actor for FanWorker {
    type Msg = u64;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<u64>, (): ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        _: ActorRef<u64>,
        job: u64,
        (): &mut (),
    ) -> Result<(), ActorProcessingErr> {
        self.collector.cast(2 * job + 1)?;
        Ok(())
    }
}

/// `Spec::FanOut`: once the collector has reported, the driver stops the
/// (by then idle) workers.
pub(super) async fn fan_out(workers: usize, jobs: u64) -> Pass {
    let started = Instant::now();
    let (port, rx) = report_port();
    let (collector, collector_handle) = start(Collector { jobs }, port).await;
    let mut refs = Vec::with_capacity(workers);
    let mut handles = vec![collector_handle];
    for _ in 0..workers {
        let worker = FanWorker {
            collector: collector.clone(),
        };
        let (r, h) = start(worker, ()).await;
        refs.push(r);
        handles.push(h);
    }
    for j in 0..jobs {
        refs[(j % workers as u64) as usize]
            .cast(j)
            .expect("the worker is alive");
    }
    let (sum, count) = report(rx).await;
    for worker in &refs {
        worker.stop(None);
    }
    joined(handles).await;
    let check = Check::new().int("sum", sum).int("jobs", count);
    Pass::new(started.elapsed(), check)
}

// ---------------------------------------------------------------- fork-join

/// Counts its messages, computing the fork-join work for each; stops at
/// `messages` and reports `(count, last result)`.
struct ForkWorker {
    messages: u64,
}

struct ForkState {
    count: u64,
    last: f64,
    report: Option<RpcReplyPort<(u64, f64)>>,
}

impl Actor for ForkWorker {
    type Msg = ();
    type State = ForkState;
    type Arguments = RpcReplyPort<(u64, f64)>;

    async fn pre_start(
        &self,
        _: ActorRef<()>,
        report: RpcReplyPort<(u64, f64)>,
    ) -> Result<ForkState, ActorProcessingErr> {
        Ok(ForkState {
            count: 0,
            last: 0.0,
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<()>,
        (): (),
        state: &mut ForkState,
    ) -> Result<(), ActorProcessingErr> {
        state.count += 1;
        state.last = fork_join_work();
        if state.count == self.messages {
            myself.stop(None);
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<()>,
        state: &mut ForkState,
    ) -> Result<(), ActorProcessingErr> {
        send_report(&mut state.report, (state.count, state.last))
    }
}

/// `Spec::ForkJoin` (and Savina's fjthrput).
pub(super) async fn fork_join(actors: usize, messages: u64) -> Pass {
    let started = Instant::now();
    let mut refs = Vec::with_capacity(actors);
    let mut handles = Vec::with_capacity(actors);
    let mut reports = Vec::with_capacity(actors);
    for _ in 0..actors {
        let (port, rx) = report_port();
        let (r, h) = start(ForkWorker { messages }, port).await;
        refs.push(r);
        handles.push(h);
        reports.push(rx);
    }
    for _ in 0..messages {
        for worker in &refs {
            worker.cast(()).expect("the worker is alive");
        }
    }
    let (mut min, mut max, mut work) = (u64::MAX, 0, 0.0);
    for rx in reports {
        let (count, last) = report(rx).await;
        (min, max, work) = (min.min(count), max.max(count), last);
    }
    joined(handles).await;
    let check = Check::new()
        .int("min_count", min)
        .int("max_count", max)
        .float("work", work);
    Pass::new(started.elapsed(), check)
}
