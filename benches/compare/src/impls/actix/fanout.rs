//! The workloads over many actors: fan-out, fork-join throughput (also
//! Savina's fjthrput) and the spawn workload's idle fleet. Mailboxes are
//! actix's default; tells use `do_send`, which queues past the capacity.

use std::hint::black_box;
use std::time::Instant;

use ::actix::{Actor, ActorContext, Addr, Context, Handler, Message};

use super::support::{Placement, Reporter, Stop, reports};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::fork_join_work;
use crate::spawn::{Census, IdleFleet};

/// The fan-out collector: adds and counts, stops at `jobs`.
struct Collector {
    jobs: u64,
    sum: u64,
    count: u64,
    report: Reporter<Option<(u64, u64)>>,
}

impl Actor for Collector {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(Some((self.sum, self.count)));
    }
}

/// A worker's result for the collector.
#[derive(Message)]
#[rtype(result = "()")]
struct Item(u64);

impl Handler<Item> for Collector {
    type Result = ();

    fn handle(&mut self, Item(v): Item, ctx: &mut Context<Self>) {
        self.sum += v;
        self.count += 1;
        if self.count == self.jobs {
            ctx.stop();
        }
    }
}

/// A fan-out worker: sends `2j + 1` on to the collector.
struct Worker {
    collector: Addr<Collector>,
    report: Reporter<Option<(u64, u64)>>,
}

impl Actor for Worker {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(None);
    }
}

/// Job `j`.
#[derive(Message)]
#[rtype(result = "()")]
struct Job(u64);

impl Handler<Job> for Worker {
    type Result = ();

    fn handle(&mut self, Job(j): Job, _: &mut Context<Self>) {
        self.collector.do_send(Item(2 * j + 1));
    }
}

impl Handler<Stop> for Worker {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// The driver feeds `jobs` jobs round-robin to `workers` workers, then
/// stops them; the collector stops itself at the last job.
pub(super) async fn fan_out(place: Placement, workers: usize, jobs: u64) -> Pass {
    let (report, reports) = reports();
    let group = workers + 1;
    let started = Instant::now();
    let collector = {
        let report = report.clone();
        place.start(0, group, move |_| Collector {
            jobs,
            sum: 0,
            count: 0,
            report,
        })
    };
    let pool: Vec<Addr<Worker>> = (0..workers)
        .map(|i| {
            let (collector, report) = (collector.clone(), report.clone());
            place.start(i + 1, group, move |_| Worker { collector, report })
        })
        .collect();
    drop(report);
    for j in 0..jobs {
        pool[(j % workers as u64) as usize].do_send(Job(j));
    }
    for worker in &pool {
        worker.do_send(Stop);
    }
    let all = reports.all().await;
    drop((collector, pool));
    let elapsed = started.elapsed();
    let (sum, count) = all.into_iter().flatten().next().unwrap_or_default();
    Pass::new(elapsed, Check::new().int("sum", sum).int("jobs", count))
}

/// A fork-join worker: counts and computes per message, stops at
/// `messages`.
struct Forked {
    messages: u64,
    count: u64,
    work: f64,
    report: Reporter<(u64, f64)>,
}

impl Actor for Forked {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send((self.count, self.work));
    }
}

/// One fork-join message.
#[derive(Message)]
#[rtype(result = "()")]
struct Work;

impl Handler<Work> for Forked {
    type Result = ();

    fn handle(&mut self, _: Work, ctx: &mut Context<Self>) {
        self.count += 1;
        self.work = black_box(fork_join_work());
        if self.count == self.messages {
            ctx.stop();
        }
    }
}

/// `messages` rounds of one message to each of `actors` workers.
pub(super) async fn fork_join(place: Placement, actors: usize, messages: u64) -> Pass {
    let (report, reports) = reports();
    let started = Instant::now();
    let workers: Vec<Addr<Forked>> = (0..actors)
        .map(|i| {
            let report = report.clone();
            place.start(i, actors, move |_| Forked {
                messages,
                count: 0,
                work: 0.0,
                report,
            })
        })
        .collect();
    drop(report);
    for _ in 0..messages {
        for worker in &workers {
            worker.do_send(Work);
        }
    }
    let all = reports.all().await;
    drop(workers);
    let elapsed = started.elapsed();
    let counts = all.iter().map(|r| r.0);
    let check = Check::new()
        .int("min_count", counts.clone().min().unwrap_or(0))
        .int("max_count", counts.max().unwrap_or(0))
        .float("work", all.last().map_or(0.0, |r| r.1));
    Pass::new(elapsed, check)
}

/// An idle actor holding a `u64`, counting itself in the census.
struct Idle {
    value: u64,
    census: Census,
}

impl Actor for Idle {
    type Context = Context<Self>;

    fn started(&mut self, _: &mut Context<Self>) {
        self.census.started();
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        black_box(self.value);
        self.census.stopped();
    }
}

impl Handler<Stop> for Idle {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// The spawn workload's fleet: idle actors split over the arbiters, started
/// with `start_in_arbiter` and stopped with a [`Stop`] message each.
pub(super) struct Fleet {
    place: Placement,
    census: Census,
    held: Vec<Addr<Idle>>,
}

impl Fleet {
    /// An empty fleet on `place`.
    pub(super) fn new(place: Placement) -> Fleet {
        Fleet {
            place,
            census: Census::new(),
            held: Vec::new(),
        }
    }
}

impl IdleFleet for Fleet {
    fn spawn(&mut self, n: usize) {
        let want = self.census.started_count() + n as u64;
        for i in 0..n {
            let census = self.census.clone();
            let value = i as u64;
            self.held
                .push(self.place.start(i, n, move |_| Idle { value, census }));
        }
        self.census.wait_until(want, self.census.stopped_count());
    }

    fn stop_all(&mut self) {
        let want = self.census.stopped_count() + self.held.len() as u64;
        for idle in std::mem::take(&mut self.held) {
            idle.do_send(Stop);
        }
        self.census.wait_until(self.census.started_count(), want);
        self.place.barrier();
    }

    fn census(&self) -> &Census {
        &self.census
    }

    fn live_tasks(&self) -> Option<usize> {
        None
    }
}
