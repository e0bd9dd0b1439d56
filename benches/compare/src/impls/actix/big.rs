//! Savina's Big: workers pinging random workers through a sink. Mailboxes
//! are actix's default; tells use `do_send`, which queues past the
//! capacity.

use std::sync::Arc;
use std::time::Instant;

use ::actix::{Actor, ActorContext, Addr, Context, Handler, Message};

use super::support::{Placement, Reporter, reports};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::Lcg16;

/// What one worker observed.
#[derive(Clone, Copy, Default)]
struct Tally {
    index: usize,
    pings: u64,
    pongs: u64,
    target_sum: u64,
    self_pings: u64,
    received: u64,
}

/// Every worker's address.
type Workers = Arc<Vec<Addr<BigWorker>>>;

/// A Big worker.
struct BigWorker {
    pings: u64,
    rng: Lcg16,
    expected: i64,
    peers: Option<Workers>,
    sink: Addr<Sink>,
    tally: Tally,
    report: Reporter<Option<Tally>>,
}

impl Actor for BigWorker {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(Some(self.tally));
    }
}

/// The sink: counts finished workers, then stops them all.
struct Sink {
    workers: Option<Workers>,
    exits: usize,
    report: Reporter<Option<Tally>>,
}

impl Actor for Sink {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(None);
    }
}

/// Hands the list of all workers to a worker or the sink.
#[derive(Message)]
#[rtype(result = "()")]
struct Neighbours(Workers);

/// A ping from worker `from`.
#[derive(Message)]
#[rtype(result = "()")]
struct Ping {
    from: usize,
}

/// A pong from worker `from` (−1 for the kick-off).
#[derive(Message)]
#[rtype(result = "()")]
struct Pong {
    from: i64,
}

/// A worker is done (to the sink); stop (to a worker).
#[derive(Message)]
#[rtype(result = "()")]
struct Exit;

impl Handler<Neighbours> for BigWorker {
    type Result = ();

    fn handle(&mut self, Neighbours(all): Neighbours, _: &mut Context<Self>) {
        self.peers = Some(all);
    }
}

impl Handler<Ping> for BigWorker {
    type Result = ();

    fn handle(&mut self, ping: Ping, _: &mut Context<Self>) {
        self.tally.received += 1;
        let from: i64 = self.tally.index as i64;
        self.peers()[ping.from].do_send(Pong { from });
    }
}

impl Handler<Pong> for BigWorker {
    type Result = ();

    fn handle(&mut self, pong: Pong, _: &mut Context<Self>) {
        debug_assert_eq!(pong.from, self.expected, "a pong from an unexpected worker");
        if pong.from >= 0 {
            self.tally.pongs += 1;
        }
        if self.tally.pings == self.pings {
            self.sink.do_send(Exit);
        } else {
            self.ping_next();
        }
    }
}

impl Handler<Exit> for BigWorker {
    type Result = ();

    fn handle(&mut self, _: Exit, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

impl BigWorker {
    fn peers(&self) -> &Workers {
        self.peers.as_ref().expect("told the workers first")
    }

    /// Draws a target, pings it and counts the ping.
    fn ping_next(&mut self) {
        let count = self.peers().len();
        let target = self.rng.next_below(count as i64) as usize;
        self.expected = target as i64;
        let from = self.tally.index;
        self.peers()[target].do_send(Ping { from });
        self.tally.pings += 1;
        self.tally.target_sum += target as u64;
        self.tally.self_pings += u64::from(target == from);
    }
}

impl Handler<Neighbours> for Sink {
    type Result = ();

    fn handle(&mut self, Neighbours(all): Neighbours, _: &mut Context<Self>) {
        self.workers = Some(all);
    }
}

impl Handler<Exit> for Sink {
    type Result = ();

    fn handle(&mut self, _: Exit, ctx: &mut Context<Self>) {
        self.exits += 1;
        let workers = self.workers.as_ref().expect("told the workers first");
        if self.exits == workers.len() {
            for worker in workers.iter() {
                worker.do_send(Exit);
            }
            ctx.stop();
        }
    }
}

/// Savina's Big with `workers` workers sending `pings` pings each.
pub(super) async fn big(place: Placement, workers: usize, pings: u64) -> Pass {
    let (report, reports) = reports();
    let group = workers + 1;
    let started = Instant::now();
    let sink = {
        let report = report.clone();
        place.start(0, group, move |_| Sink {
            workers: None,
            exits: 0,
            report,
        })
    };
    let all: Workers = Arc::new(
        (0..workers)
            .map(|index| start_worker(&place, group, index, pings, &sink, &report))
            .collect(),
    );
    drop(report);
    sink.do_send(Neighbours(all.clone()));
    for worker in all.iter() {
        worker.do_send(Neighbours(all.clone()));
    }
    for worker in all.iter() {
        worker.do_send(Pong { from: -1 });
    }
    let tallies: Vec<Tally> = reports.all().await.into_iter().flatten().collect();
    drop((sink, all));
    let elapsed = started.elapsed();
    Pass::new(elapsed, big_check(tallies))
}

fn start_worker(
    place: &Placement,
    group: usize,
    index: usize,
    pings: u64,
    sink: &Addr<Sink>,
    report: &Reporter<Option<Tally>>,
) -> Addr<BigWorker> {
    let (sink, report) = (sink.clone(), report.clone());
    place.start(index + 1, group, move |_| BigWorker {
        pings,
        rng: Lcg16::new(index as u64),
        expected: -1,
        peers: None,
        sink,
        tally: Tally {
            index,
            ..Tally::default()
        },
        report,
    })
}

fn big_check(mut tallies: Vec<Tally>) -> Check {
    tallies.sort_by_key(|t| t.index);
    let sum = |f: fn(&Tally) -> u64| tallies.iter().map(f).sum::<u64>();
    let received = tallies.iter().map(|t| t.received);
    Check::new()
        .int("pings", sum(|t| t.pings))
        .int("pongs", sum(|t| t.pongs))
        .int("target_sum", sum(|t| t.target_sum))
        .int("self_pings", sum(|t| t.self_pings))
        .int("min_received", received.clone().min().unwrap_or(0))
        .int("max_received", received.max().unwrap_or(0))
        .int("first_received", tallies.first().map_or(0, |t| t.received))
        .int("last_received", tallies.last().map_or(0, |t| t.received))
}
