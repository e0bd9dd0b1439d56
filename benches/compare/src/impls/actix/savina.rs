//! Savina's PingPong, Counting and fork-join create. Mailboxes are actix's
//! default; tells use `do_send`, which queues past the capacity, so the
//! Counter's mailbox is unbounded as Counting requires.

use std::hint::black_box;
use std::time::Instant;

use ::actix::{Actor, ActorContext, Addr, AsyncContext, Context, Handler, Message};

use super::support::{Placement, Reporter, Stop, reports};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::fork_join_work;

/// What PingPong's actors count.
enum Tally {
    /// Pongs received by Ping.
    Pongs(u64),
    /// Pings received by Pong.
    Pings(u64),
}

/// Savina's Ping: sends `pings` Pings to Pong, one at a time.
struct Ping {
    pong: Addr<Pong>,
    left: u64,
    pongs: u64,
    report: Reporter<Tally>,
}

impl Actor for Ping {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(Tally::Pongs(self.pongs));
    }
}

impl Ping {
    fn send_ping(&mut self, ctx: &mut Context<Self>) {
        self.pong.do_send(PingMsg {
            reply_to: ctx.address(),
        });
        self.left -= 1;
    }
}

/// Savina's Pong: answers every Ping.
struct Pong {
    pings: u64,
    report: Reporter<Tally>,
}

impl Actor for Pong {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(Tally::Pings(self.pings));
    }
}

/// Starts the rally.
#[derive(Message)]
#[rtype(result = "()")]
struct Start;

/// A ping, with whom to answer.
#[derive(Message)]
#[rtype(result = "()")]
struct PingMsg {
    reply_to: Addr<Ping>,
}

/// Pong's answer.
#[derive(Message)]
#[rtype(result = "()")]
struct PongMsg;

/// Ping's note to itself to send the next ping.
#[derive(Message)]
#[rtype(result = "()")]
struct Continue;

impl Handler<Start> for Ping {
    type Result = ();

    fn handle(&mut self, _: Start, ctx: &mut Context<Self>) {
        self.send_ping(ctx);
    }
}

impl Handler<PongMsg> for Ping {
    type Result = ();

    fn handle(&mut self, _: PongMsg, ctx: &mut Context<Self>) {
        self.pongs += 1;
        if self.left > 0 {
            ctx.notify(Continue);
        } else {
            self.pong.do_send(Stop);
            ctx.stop();
        }
    }
}

impl Handler<Continue> for Ping {
    type Result = ();

    fn handle(&mut self, _: Continue, ctx: &mut Context<Self>) {
        self.send_ping(ctx);
    }
}

impl Handler<PingMsg> for Pong {
    type Result = ();

    fn handle(&mut self, ping: PingMsg, _: &mut Context<Self>) {
        self.pings += 1;
        ping.reply_to.do_send(PongMsg);
    }
}

impl Handler<Stop> for Pong {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// Savina's PingPong with `pings` pings (`pings` must be positive).
pub(super) async fn ping_pong(place: Placement, pings: u64) -> Pass {
    let (report, reports) = reports();
    let started = Instant::now();
    let pong = {
        let report = report.clone();
        place.start_in_chain(move |_| Pong { pings: 0, report })
    };
    let pong_held = pong.clone();
    let ping = place.start_in_chain(move |_| Ping {
        pong,
        left: pings,
        pongs: 0,
        report,
    });
    ping.do_send(Start);
    let all = reports.all().await;
    drop((ping, pong_held));
    let mut check = Check::new();
    for tally in all {
        check = match tally {
            Tally::Pongs(n) => check.int("pongs", n),
            Tally::Pings(n) => check.int("pings", n),
        };
    }
    Pass::new(started.elapsed(), check)
}

/// Savina's Counter: counts increments, answers the count and stops.
struct Counter {
    count: u64,
    report: Reporter<Option<u64>>,
}

impl Actor for Counter {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(None);
    }
}

/// One increment.
#[derive(Message)]
#[rtype(result = "()")]
struct Increment;

/// Asks the Counter to send its count to `reply_to`.
#[derive(Message)]
#[rtype(result = "()")]
struct Retrieve {
    reply_to: Addr<Producer>,
}

/// The Counter's answer.
#[derive(Message)]
#[rtype(result = "()")]
struct Count(u64);

impl Handler<Increment> for Counter {
    type Result = ();

    fn handle(&mut self, _: Increment, _: &mut Context<Self>) {
        self.count += 1;
    }
}

impl Handler<Retrieve> for Counter {
    type Result = ();

    fn handle(&mut self, retrieve: Retrieve, ctx: &mut Context<Self>) {
        retrieve.reply_to.do_send(Count(self.count));
        ctx.stop();
    }
}

/// Savina's Producer: tells `increments` increments in a tight loop, then
/// retrieves the count.
struct Producer {
    counter: Addr<Counter>,
    increments: u64,
    count: Option<u64>,
    report: Reporter<Option<u64>>,
}

impl Actor for Producer {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(self.count);
    }
}

/// Starts the producer.
#[derive(Message)]
#[rtype(result = "()")]
struct Go;

impl Handler<Go> for Producer {
    type Result = ();

    fn handle(&mut self, _: Go, ctx: &mut Context<Self>) {
        for _ in 0..self.increments {
            self.counter.do_send(Increment);
        }
        self.counter.do_send(Retrieve {
            reply_to: ctx.address(),
        });
    }
}

impl Handler<Count> for Producer {
    type Result = ();

    fn handle(&mut self, Count(n): Count, ctx: &mut Context<Self>) {
        self.count = Some(n);
        ctx.stop();
    }
}

/// Savina's Counting with `increments` increments. The run ends when both
/// actors have stopped: the Producer reports the count, the Counter only
/// its stop.
pub(super) async fn counting(place: Placement, increments: u64) -> Pass {
    let (report, reports) = reports();
    let started = Instant::now();
    let counter = {
        let report = report.clone();
        place.start(1, 2, move |_| Counter { count: 0, report })
    };
    let counter_held = counter.clone();
    let producer = place.start(0, 2, move |_| Producer {
        counter,
        increments,
        count: None,
        report,
    });
    producer.do_send(Go);
    let count = reports.all().await.into_iter().flatten().next();
    drop((producer, counter_held));
    let check = Check::new().int("count", count.unwrap_or(u64::MAX));
    Pass::new(started.elapsed(), check)
}

/// A fork-join create actor: computes once and stops.
struct Created {
    started: bool,
    handled: u64,
    report: Reporter<(bool, u64)>,
}

impl Actor for Created {
    type Context = Context<Self>;

    fn started(&mut self, _: &mut Context<Self>) {
        self.started = true;
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send((self.started, self.handled));
    }
}

/// The one message each created actor gets.
#[derive(Message)]
#[rtype(result = "()")]
struct Compute;

impl Handler<Compute> for Created {
    type Result = ();

    fn handle(&mut self, _: Compute, ctx: &mut Context<Self>) {
        black_box(fork_join_work());
        self.handled += 1;
        ctx.stop();
    }
}

/// Savina's fork-join create: `actors` actors, created one at a time, each
/// sent one message.
pub(super) async fn fj_create(place: Placement, actors: u64) -> Pass {
    let (report, reports) = reports();
    let count = actors as usize;
    let mut held = Vec::with_capacity(count);
    let started = Instant::now();
    for i in 0..count {
        let report = report.clone();
        let actor = place.start(i, count, move |_| Created {
            started: false,
            handled: 0,
            report,
        });
        actor.do_send(Compute);
        held.push(actor);
    }
    drop(report);
    let all = reports.all().await;
    drop(held);
    let elapsed = started.elapsed();
    let check = Check::new()
        .int("started", all.iter().filter(|r| r.0).count())
        .int("handled", all.iter().map(|r| r.1).sum::<u64>())
        .int("stopped", all.len());
    Pass::new(elapsed, check)
}
