//! The fan-out and fork-join workloads as kompact components.

use std::time::Instant;

use kompact::prelude::*;

use super::micro::{Work, strong};
use super::{Finish, all_stopped};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::fork_join_work;

/// A fan-out worker's messages.
#[derive(Debug)]
enum JobMsg {
    /// Job `j`.
    Job(u64),
    /// No more jobs.
    Stop,
}

/// Turns job `j` into `2j + 1` for the collector.
#[derive(ComponentDefinition)]
struct FanWorker {
    ctx: ComponentContext<Self>,
    collector: ActorRefStrong<u64>,
    finish: Finish<Option<(u64, u64)>>,
}

impl ComponentLifecycle for FanWorker {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report(None);
        Handled::OK
    }
}

impl Actor for FanWorker {
    type Message = JobMsg;

    fn receive_local(&mut self, msg: JobMsg) -> HandlerResult {
        match msg {
            JobMsg::Job(j) => {
                self.collector.tell(2 * j + 1);
                Handled::OK
            }
            JobMsg::Stop => Handled::SHUTDOWN,
        }
    }
}

/// Adds what the workers send; shuts down at `jobs` values and reports
/// `(sum, count)`.
#[derive(ComponentDefinition)]
struct Collector {
    ctx: ComponentContext<Self>,
    jobs: u64,
    sum: u64,
    count: u64,
    finish: Finish<Option<(u64, u64)>>,
}

impl ComponentLifecycle for Collector {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report(Some((self.sum, self.count)));
        Handled::OK
    }
}

impl Actor for Collector {
    type Message = u64;

    fn receive_local(&mut self, value: u64) -> HandlerResult {
        self.sum += value;
        self.count += 1;
        if self.count == self.jobs {
            return Handled::SHUTDOWN;
        }
        Handled::OK
    }
}

/// A driver feeding workers that report to one collector. Workers stop on
/// a `Stop` sent after their last job, the collector at its `jobs`-th
/// value.
pub(super) async fn fan_out(system: KompactSystem, workers: usize, jobs: u64) -> Pass {
    let (finish, stopped) = Finish::new(workers + 1);
    let started = Instant::now();
    let collector = system.create(|| Collector {
        ctx: ComponentContext::uninitialised(),
        jobs,
        sum: 0,
        count: 0,
        finish: finish.clone(),
    });
    system.start(&collector);
    let to_collector = strong(&collector);
    let refs: Vec<_> = (0..workers)
        .map(|_| {
            let worker = system.create(|| FanWorker {
                ctx: ComponentContext::uninitialised(),
                collector: to_collector.clone(),
                finish: finish.clone(),
            });
            system.start(&worker);
            strong(&worker)
        })
        .collect();
    drop((collector, to_collector, finish));
    for (j, worker) in (0..jobs).zip(refs.iter().cycle()) {
        worker.tell(JobMsg::Job(j));
    }
    for worker in refs {
        worker.tell(JobMsg::Stop);
    }
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let (sum, count) = reports.into_iter().flatten().next().unwrap_or((0, 0));
    Pass::new(elapsed, Check::new().int("sum", sum).int("jobs", count))
}

/// Counts its messages, computing `sin(37.2)²` for each; shuts down at
/// `messages` and reports `(count, last result)`.
#[derive(ComponentDefinition)]
struct Forker {
    ctx: ComponentContext<Self>,
    messages: u64,
    count: u64,
    last: f64,
    finish: Finish<(u64, f64)>,
}

impl ComponentLifecycle for Forker {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report((self.count, self.last));
        Handled::OK
    }
}

impl Actor for Forker {
    type Message = Work;

    fn receive_local(&mut self, _msg: Work) -> HandlerResult {
        self.count += 1;
        self.last = fork_join_work();
        if self.count == self.messages {
            return Handled::SHUTDOWN;
        }
        Handled::OK
    }
}

/// Fork-join throughput: `messages` rounds of one message to each worker.
pub(super) async fn fork_join(system: KompactSystem, actors: usize, messages: u64) -> Pass {
    let (finish, stopped) = Finish::new(actors);
    let started = Instant::now();
    let refs: Vec<_> = (0..actors)
        .map(|_| {
            let worker = system.create(|| Forker {
                ctx: ComponentContext::uninitialised(),
                messages,
                count: 0,
                last: 0.0,
                finish: finish.clone(),
            });
            system.start(&worker);
            strong(&worker)
        })
        .collect();
    drop(finish);
    for _ in 0..messages {
        for worker in &refs {
            worker.tell(Work);
        }
    }
    drop(refs);
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let counts = reports.iter().map(|r| r.0);
    let check = Check::new()
        .int("min_count", counts.clone().min().unwrap_or(0))
        .int("max_count", counts.max().unwrap_or(0))
        .float("work", reports.last().map_or(0.0, |r| r.1));
    Pass::new(elapsed, check)
}
