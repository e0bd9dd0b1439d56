//! The micro workloads tell, ask and ping-pong. Every actor uses ractor's
//! default (unbounded) mailbox.

use std::time::Instant;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use super::{joined, report, report_port, send_report, start};
use crate::check::Check;
use crate::measure::{Latencies, Pass};

// ---------------------------------------------------------------- tell

/// The summing actor's messages.
enum SumMsg {
    Value(u64),
    Totals(RpcReplyPort<Totals>),
}

/// What the summing actor answers at the end.
struct Totals {
    sum: u64,
    received: u64,
    out_of_order: u64,
}

/// Sums the values told to it; answers the totals and stops.
struct Summer;

#[derive(Default)]
struct SumState {
    sum: u64,
    received: u64,
    last: u64,
    out_of_order: u64,
}

impl Actor for Summer {
    type Msg = SumMsg;
    type State = SumState;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<SumMsg>, (): ()) -> Result<SumState, ActorProcessingErr> {
        Ok(SumState::default())
    }

    async fn handle(
        &self,
        myself: ActorRef<SumMsg>,
        message: SumMsg,
        state: &mut SumState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            SumMsg::Value(v) => {
                state.sum += v;
                state.received += 1;
                state.out_of_order += u64::from(v < state.last);
                state.last = v;
            }
            SumMsg::Totals(reply) => {
                reply.send(Totals {
                    sum: state.sum,
                    received: state.received,
                    out_of_order: state.out_of_order,
                })?;
                myself.stop(None);
            }
        }
        Ok(())
    }
}

/// `Spec::Tell` with an unbounded mailbox (the bounded one is n/a).
pub(super) async fn tell(messages: u64) -> Pass {
    let started = Instant::now();
    let (summer, handle) = start(Summer, ()).await;
    for v in 0..messages {
        summer.cast(SumMsg::Value(v)).expect("the summer is alive");
    }
    let totals = ractor::call!(summer, SumMsg::Totals).expect("the summer answers");
    joined(vec![handle]).await;
    let check = Check::new()
        .int("sum", totals.sum)
        .int("received", totals.received)
        .int("out_of_order", totals.out_of_order);
    Pass::new(started.elapsed(), check)
}

// ---------------------------------------------------------------- ask

/// A request for `x + 1`.
struct Next(u64, RpcReplyPort<u64>);

/// Answers `x + 1`.
struct Successor;

impl Actor for Successor {
    type Msg = Next;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Next>, (): ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        _: ActorRef<Next>,
        Next(x, reply): Next,
        (): &mut (),
    ) -> Result<(), ActorProcessingErr> {
        reply.send(x + 1)?;
        Ok(())
    }
}

/// `Spec::Ask`: sequential `call!`s, each one timed.
pub(super) async fn ask(round_trips: u64) -> Pass {
    let mut latencies = Latencies::with_capacity(round_trips as usize);
    let mut sum = 0;
    let started = Instant::now();
    let (actor, handle) = start(Successor, ()).await;
    for x in 0..round_trips {
        let sent = Instant::now();
        let answer = ractor::call!(actor, Next, x).expect("the actor answers");
        latencies.record(sent.elapsed());
        sum += answer;
    }
    actor.stop(None);
    joined(vec![handle]).await;
    latencies.into_pass(Pass::new(started.elapsed(), Check::new().int("sum", sum)))
}

// ---------------------------------------------------------------- ping-pong

/// A rally player's messages.
enum Rally {
    Peer(ActorRef<Rally>),
    Ball(u64),
}

/// What a player reports when it stops.
struct PlayerReport {
    handled: u64,
    last: Option<u64>,
}

/// Returns the ball until `bounces`, then stops itself and its peer.
struct Player {
    bounces: u64,
}

struct PlayerState {
    peer: Option<ActorRef<Rally>>,
    handled: u64,
    last: Option<u64>,
    report: Option<RpcReplyPort<PlayerReport>>,
}

impl Actor for Player {
    type Msg = Rally;
    type State = PlayerState;
    type Arguments = RpcReplyPort<PlayerReport>;

    async fn pre_start(
        &self,
        _: ActorRef<Rally>,
        report: RpcReplyPort<PlayerReport>,
    ) -> Result<PlayerState, ActorProcessingErr> {
        Ok(PlayerState {
            peer: None,
            handled: 0,
            last: None,
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Rally>,
        message: Rally,
        state: &mut PlayerState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            Rally::Peer(peer) => state.peer = Some(peer),
            Rally::Ball(k) => {
                state.handled += 1;
                let peer = state.peer.as_ref().ok_or("a ball before the peer")?;
                if k == self.bounces {
                    state.last = Some(k);
                    peer.stop(None);
                    myself.stop(None);
                } else {
                    peer.cast(Rally::Ball(k + 1))?;
                }
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<Rally>,
        state: &mut PlayerState,
    ) -> Result<(), ActorProcessingErr> {
        let report = PlayerReport {
            handled: state.handled,
            last: state.last,
        };
        send_report(&mut state.report, report)
    }
}

/// `Spec::PingPong`.
pub(super) async fn ping_pong(bounces: u64) -> Pass {
    let started = Instant::now();
    let (port_a, rx_a) = report_port();
    let (port_b, rx_b) = report_port();
    let (a, handle_a) = start(Player { bounces }, port_a).await;
    let (b, handle_b) = start(Player { bounces }, port_b).await;
    a.cast(Rally::Peer(b.clone())).expect("A is alive");
    b.cast(Rally::Peer(a.clone())).expect("B is alive");
    a.cast(Rally::Ball(0)).expect("A is alive");
    let (ra, rb) = (report(rx_a).await, report(rx_b).await);
    joined(vec![handle_a, handle_b]).await;
    let elapsed = started.elapsed();
    let last = ra.last.or(rb.last).expect("one player saw the last ball");
    let check = Check::new()
        .int("last", last)
        .int("handled", ra.handled + rb.handled);
    Pass::new(elapsed, check)
}
