//! Savina's Big: workers pinging random workers through a sink. Mailboxes
//! are actix's default; tells use `do_send`, which queues past the
//! capacity.

use std::sync::Arc;
use std::time::Instant;

use ::actix::{Actor, ActorContext, Addr, Context, Handler, Message};

use super::support::{Placement, Reporter, reports};
use crate::check::big_check;
use crate::measure::Pass;
use crate::savina::BigTally;
use crate::savina::Lcg16;

/// What one worker observed.
#[derive(Clone, Copy, Default)]
struct Tally {
    index: usize,
    counts: BigTally,
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
        self.tally.counts.received += 1;
        let from: i64 = self.tally.index as i64;
        self.peers()[ping.from].do_send(Pong { from });
    }
}

impl Handler<Pong> for BigWorker {
    type Result = ();

    fn handle(&mut self, pong: Pong, _: &mut Context<Self>) {
        debug_assert_eq!(pong.from, self.expected, "a pong from an unexpected worker");
        if pong.from >= 0 {
            self.tally.counts.pongs += 1;
        }
        if self.tally.counts.sent == self.pings {
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
        self.tally.counts.ping_sent(from, target);
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
    let mut tallies = tallies;
    tallies.sort_by_key(|t| t.index);
    let counts: Vec<BigTally> = tallies.iter().map(|t| t.counts).collect();
    Pass::new(elapsed, big_check(&counts))
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
