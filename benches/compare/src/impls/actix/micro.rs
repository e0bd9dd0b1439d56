//! The micro workloads with one or a few actors: tell, ask, ping-pong and
//! the ring (ThreadRing). Mailboxes are actix's default; tells use
//! `do_send`, which queues past the default capacity.

use std::time::Instant;

use ::actix::{Actor, ActorContext, Addr, Context, Handler, Message, MessageResult};

use super::support::{Placement, Reporter, Stop, reports};
use crate::check::Check;
use crate::measure::{Latencies, Pass};

/// The tell workload's summing actor.
struct Summer {
    sum: u64,
    received: u64,
    last: Option<u64>,
    out_of_order: u64,
    done: Reporter<()>,
}

impl Actor for Summer {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.done.send(());
    }
}

/// One told value.
#[derive(Message)]
#[rtype(result = "()")]
struct Value(u64);

impl Handler<Value> for Summer {
    type Result = ();

    fn handle(&mut self, Value(v): Value, _: &mut Context<Self>) {
        if self.last.is_some_and(|last| v < last) {
            self.out_of_order += 1;
        }
        self.last = Some(v);
        self.sum += v;
        self.received += 1;
    }
}

/// Asks for `(sum, received, out_of_order)`; the actor answers and stops.
#[derive(Message)]
#[rtype(result = "(u64, u64, u64)")]
struct Totals;

impl Handler<Totals> for Summer {
    type Result = MessageResult<Totals>;

    fn handle(&mut self, _: Totals, ctx: &mut Context<Self>) -> Self::Result {
        ctx.stop();
        MessageResult((self.sum, self.received, self.out_of_order))
    }
}

/// Tells `0..messages` to one actor with `do_send`, then asks for the
/// totals.
pub(super) async fn tell(place: Placement, messages: u64) -> Pass {
    let (done, stopped) = reports();
    let started = Instant::now();
    let summer = place.start(0, 1, move |_| Summer {
        sum: 0,
        received: 0,
        last: None,
        out_of_order: 0,
        done,
    });
    for v in 0..messages {
        summer.do_send(Value(v));
    }
    let (sum, received, out_of_order) = summer.send(Totals).await.expect("the totals");
    drop(summer);
    stopped.all().await;
    let check = Check::new()
        .int("sum", sum)
        .int("received", received)
        .int("out_of_order", out_of_order);
    Pass::new(started.elapsed(), check)
}

/// The ask workload's actor: answers `x + 1`.
struct Incrementer {
    done: Reporter<()>,
}

impl Actor for Incrementer {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.done.send(());
    }
}

/// Asks for `x + 1`.
#[derive(Message)]
#[rtype(result = "u64")]
struct Ask(u64);

impl Handler<Ask> for Incrementer {
    type Result = u64;

    fn handle(&mut self, Ask(x): Ask, _: &mut Context<Self>) -> u64 {
        x + 1
    }
}

impl Handler<Stop> for Incrementer {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// Sequential `send(..).await` round trips, each one timed.
pub(super) async fn ask(_: Placement, round_trips: u64) -> Pass {
    let (done, stopped) = reports();
    let mut latencies = Latencies::with_capacity(round_trips as usize);
    let started = Instant::now();
    // Started on the driver's own arbiter (actix's plain `start`): the
    // driver and the actor are one chain, one message in flight.
    let actor = Incrementer { done }.start();
    let mut sum = 0;
    for x in 0..round_trips {
        let asked = Instant::now();
        sum += actor.send(Ask(x)).await.expect("the answer");
        latencies.record(asked.elapsed());
    }
    actor.do_send(Stop);
    drop(actor);
    stopped.all().await;
    latencies.into_pass(Pass::new(started.elapsed(), Check::new().int("sum", sum)))
}

/// One of the two ping-pong players.
struct Player {
    bounces: u64,
    peer: Option<Addr<Player>>,
    handled: u64,
    last: Option<u64>,
    report: Reporter<(u64, Option<u64>)>,
}

impl Actor for Player {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send((self.handled, self.last));
    }
}

/// Tells a player who the other one is.
#[derive(Message)]
#[rtype(result = "()")]
struct Peer(Addr<Player>);

impl Handler<Peer> for Player {
    type Result = ();

    fn handle(&mut self, Peer(peer): Peer, _: &mut Context<Self>) {
        self.peer = Some(peer);
    }
}

/// The counter bounced between the players.
#[derive(Message)]
#[rtype(result = "()")]
struct Ball(u64);

impl Handler<Ball> for Player {
    type Result = ();

    fn handle(&mut self, Ball(k): Ball, ctx: &mut Context<Self>) {
        self.handled += 1;
        let peer = self.peer.as_ref().expect("told its peer first");
        if k == self.bounces {
            self.last = Some(k);
            peer.do_send(Stop);
            ctx.stop();
        } else {
            peer.do_send(Ball(k + 1));
        }
    }
}

impl Handler<Stop> for Player {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// Two players bounce a counter until `bounces`.
pub(super) async fn ping_pong(place: Placement, bounces: u64) -> Pass {
    let (report, reports) = reports();
    let started = Instant::now();
    let players: Vec<Addr<Player>> = (0..2)
        .map(|_| {
            let report = report.clone();
            place.start_in_chain(move |_| Player {
                bounces,
                peer: None,
                handled: 0,
                last: None,
                report,
            })
        })
        .collect();
    drop(report);
    players[0].do_send(Peer(players[1].clone()));
    players[1].do_send(Peer(players[0].clone()));
    players[0].do_send(Ball(0));
    let all = reports.all().await;
    drop(players);
    let handled: u64 = all.iter().map(|r| r.0).sum();
    let last = all.iter().find_map(|r| r.1).unwrap_or(u64::MAX);
    let check = Check::new().int("last", last).int("handled", handled);
    Pass::new(started.elapsed(), check)
}

/// What a ring member saw: tokens handled, whether it got `Token(0)`,
/// whether it handled `Exit(actors)`.
type RingReport = (u64, bool, bool);

/// One ring member.
struct Member {
    actors: usize,
    next: Option<Addr<Member>>,
    tokens: u64,
    zero: bool,
    exit_from: bool,
    report: Reporter<(usize, RingReport)>,
    index: usize,
}

impl Actor for Member {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        let seen = (self.tokens, self.zero, self.exit_from);
        self.report.send((self.index, seen));
    }
}

/// Tells a member its successor.
#[derive(Message)]
#[rtype(result = "()")]
struct Next(Addr<Member>);

impl Handler<Next> for Member {
    type Result = ();

    fn handle(&mut self, Next(next): Next, _: &mut Context<Self>) {
        self.next = Some(next);
    }
}

/// The token, with the hops left.
#[derive(Message)]
#[rtype(result = "()")]
struct Token(u64);

impl Handler<Token> for Member {
    type Result = ();

    fn handle(&mut self, Token(k): Token, _: &mut Context<Self>) {
        self.tokens += 1;
        let next = self.next.as_ref().expect("told its successor first");
        if k > 0 {
            next.do_send(Token(k - 1));
        } else {
            self.zero = true;
            next.do_send(Exit(self.actors));
        }
    }
}

/// The exit wave; the last one reaches a stopped member and is dropped
/// (`do_send` to a closed mailbox drops the message).
#[derive(Message)]
#[rtype(result = "()")]
struct Exit(usize);

impl Handler<Exit> for Member {
    type Result = ();

    fn handle(&mut self, Exit(k): Exit, ctx: &mut Context<Self>) {
        self.exit_from |= k == self.actors;
        if k > 0 {
            let next = self.next.as_ref().expect("told its successor first");
            next.do_send(Exit(k - 1));
        }
        ctx.stop();
    }
}

/// Savina's ThreadRing over `actors` members and `hops` token hops.
pub(super) async fn ring(place: Placement, actors: usize, hops: u64) -> Pass {
    let (report, reports) = reports();
    let started = Instant::now();
    let members: Vec<Addr<Member>> = (0..actors)
        .map(|index| {
            let report = report.clone();
            place.start_in_chain(move |_| Member {
                actors,
                next: None,
                tokens: 0,
                zero: false,
                exit_from: false,
                report,
                index,
            })
        })
        .collect();
    drop(report);
    for (i, member) in members.iter().enumerate() {
        member.do_send(Next(members[(i + 1) % actors].clone()));
    }
    members[0].do_send(Token(hops));
    let all = reports.all().await;
    drop(members);
    let elapsed = started.elapsed();
    let find = |pick: fn(&RingReport) -> bool| {
        all.iter()
            .find(|(_, seen)| pick(seen))
            .map_or(u64::MAX, |(index, _)| *index as u64)
    };
    let check = Check::new()
        .int("tokens", all.iter().map(|(_, seen)| seen.0).sum::<u64>())
        .int("zero_at", find(|seen| seen.1))
        .int("exit_from", find(|seen| seen.2))
        .int("stopped", all.len());
    Pass::new(elapsed, check)
}
