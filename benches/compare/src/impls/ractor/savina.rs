//! Savina's PingPong, Counting and fork-join create, on ractor's default
//! (unbounded) mailboxes; Counting's Counter relies on that unbounded
//! mailbox, as Savina's protocol requires.

use std::time::Instant;

use ractor::concurrency::{MpscUnboundedSender, mpsc_unbounded};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use super::{joined, report, report_port, send_report, start};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::fork_join_work;

// ---------------------------------------------------------------- PingPong

/// The Ping actor's messages.
enum PingMsg {
    Start,
    Pong,
    Continue,
}

/// The Pong actor's messages.
enum PongMsg {
    Ping { reply_to: ActorRef<PingMsg> },
    Stop,
}

/// Sends `pings` Pings, one at a time; then stops Pong and itself.
struct Ping {
    pong: ActorRef<PongMsg>,
    pings: u64,
}

struct PingState {
    left: u64,
    pongs: u64,
    report: Option<RpcReplyPort<u64>>,
}

impl Ping {
    fn send_ping(
        &self,
        myself: ActorRef<PingMsg>,
        state: &mut PingState,
    ) -> Result<(), ActorProcessingErr> {
        self.pong.cast(PongMsg::Ping { reply_to: myself })?;
        state.left -= 1;
        Ok(())
    }
}

impl Actor for Ping {
    type Msg = PingMsg;
    type State = PingState;
    type Arguments = RpcReplyPort<u64>;

    async fn pre_start(
        &self,
        _: ActorRef<PingMsg>,
        report: RpcReplyPort<u64>,
    ) -> Result<PingState, ActorProcessingErr> {
        Ok(PingState {
            left: self.pings,
            pongs: 0,
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<PingMsg>,
        message: PingMsg,
        state: &mut PingState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            PingMsg::Start | PingMsg::Continue => self.send_ping(myself, state)?,
            PingMsg::Pong => {
                state.pongs += 1;
                if state.left > 0 {
                    myself.cast(PingMsg::Continue)?;
                } else {
                    self.pong.cast(PongMsg::Stop)?;
                    myself.stop(None);
                }
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<PingMsg>,
        state: &mut PingState,
    ) -> Result<(), ActorProcessingErr> {
        send_report(&mut state.report, state.pongs)
    }
}

/// Answers each Ping with a Pong; stops on Stop.
struct Pong;

struct PongState {
    pings: u64,
    report: Option<RpcReplyPort<u64>>,
}

impl Actor for Pong {
    type Msg = PongMsg;
    type State = PongState;
    type Arguments = RpcReplyPort<u64>;

    async fn pre_start(
        &self,
        _: ActorRef<PongMsg>,
        report: RpcReplyPort<u64>,
    ) -> Result<PongState, ActorProcessingErr> {
        Ok(PongState {
            pings: 0,
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<PongMsg>,
        message: PongMsg,
        state: &mut PongState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            PongMsg::Ping { reply_to } => {
                state.pings += 1;
                reply_to.cast(PingMsg::Pong)?;
            }
            PongMsg::Stop => myself.stop(None),
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<PongMsg>,
        state: &mut PongState,
    ) -> Result<(), ActorProcessingErr> {
        send_report(&mut state.report, state.pings)
    }
}

/// `Spec::SavinaPingPong`.
pub(super) async fn ping_pong(pings: u64) -> Pass {
    let started = Instant::now();
    let (pong_port, pong_rx) = report_port();
    let (ping_port, ping_rx) = report_port();
    let (pong, pong_handle) = start(Pong, pong_port).await;
    let (ping, ping_handle) = start(Ping { pong, pings }, ping_port).await;
    ping.cast(PingMsg::Start).expect("Ping is alive");
    let (received_pings, received_pongs) = (report(pong_rx).await, report(ping_rx).await);
    joined(vec![ping_handle, pong_handle]).await;
    let check = Check::new()
        .int("pings", received_pings)
        .int("pongs", received_pongs);
    Pass::new(started.elapsed(), check)
}

// ---------------------------------------------------------------- Counting

/// The Counter's messages.
enum CounterMsg {
    Increment,
    Retrieve(RpcReplyPort<u64>),
}

/// Counts increments; answers the count on Retrieve and stops.
struct Counter;

impl Actor for Counter {
    type Msg = CounterMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<CounterMsg>, (): ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        myself: ActorRef<CounterMsg>,
        message: CounterMsg,
        count: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            CounterMsg::Increment => *count += 1,
            CounterMsg::Retrieve(reply) => {
                reply.send(*count)?;
                myself.stop(None);
            }
        }
        Ok(())
    }
}

/// The Producer's one message: go, answering the count it retrieved.
struct Go(RpcReplyPort<u64>);

/// Tells the Counter `increments` increments in a tight loop, then asks it
/// for the count, answers it and stops.
struct Producer {
    counter: ActorRef<CounterMsg>,
    increments: u64,
}

impl Actor for Producer {
    type Msg = Go;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Go>, (): ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Go>,
        Go(reply): Go,
        (): &mut (),
    ) -> Result<(), ActorProcessingErr> {
        for _ in 0..self.increments {
            self.counter.cast(CounterMsg::Increment)?;
        }
        let count = ractor::call!(self.counter, CounterMsg::Retrieve)?;
        reply.send(count)?;
        myself.stop(None);
        Ok(())
    }
}

/// `Spec::Counting`.
pub(super) async fn counting(increments: u64) -> Pass {
    let started = Instant::now();
    let (counter, counter_handle) = start(Counter, ()).await;
    let (producer, producer_handle) = start(
        Producer {
            counter,
            increments,
        },
        (),
    )
    .await;
    let count = ractor::call!(producer, Go).expect("the producer answers");
    joined(vec![producer_handle, counter_handle]).await;
    Pass::new(started.elapsed(), Check::new().int("count", count))
}

// ---------------------------------------------------------------- fjcreate

/// What a forked actor reports when it stops: whether it started, and
/// the messages it handled.
struct ForkedReport {
    started: bool,
    handled: u64,
}

/// Computes the fork-join work on its one message and stops.
struct Forked;

struct ForkedState {
    started: bool,
    handled: u64,
    reports: MpscUnboundedSender<ForkedReport>,
}

impl Actor for Forked {
    type Msg = ();
    type State = ForkedState;
    type Arguments = MpscUnboundedSender<ForkedReport>;

    async fn pre_start(
        &self,
        _: ActorRef<()>,
        reports: MpscUnboundedSender<ForkedReport>,
    ) -> Result<ForkedState, ActorProcessingErr> {
        Ok(ForkedState {
            started: false,
            handled: 0,
            reports,
        })
    }

    async fn post_start(
        &self,
        _: ActorRef<()>,
        state: &mut ForkedState,
    ) -> Result<(), ActorProcessingErr> {
        state.started = true;
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<()>,
        (): (),
        state: &mut ForkedState,
    ) -> Result<(), ActorProcessingErr> {
        std::hint::black_box(fork_join_work());
        state.handled += 1;
        myself.stop(None);
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<()>,
        state: &mut ForkedState,
    ) -> Result<(), ActorProcessingErr> {
        let report = ForkedReport {
            started: state.started,
            handled: state.handled,
        };
        state
            .reports
            .send(report)
            .map_err(|_| "the driver is gone")?;
        Ok(())
    }
}

/// `Spec::FjCreate`: one actor at a time, each sent one message; the run
/// ends when every actor's task has finished.
pub(super) async fn fj_create(actors: u64) -> Pass {
    let (tx, mut rx) = mpsc_unbounded::<ForkedReport>();
    let mut handles = Vec::with_capacity(actors as usize);
    let started = Instant::now();
    for _ in 0..actors {
        let (actor, handle) = start(Forked, tx.clone()).await;
        actor.cast(()).expect("the actor is alive");
        handles.push(handle);
    }
    joined(handles).await;
    let elapsed = started.elapsed();
    let (mut began, mut handled, mut stopped) = (0u64, 0, 0u64);
    // Every report was sent from `post_stop`, before its join handle
    // resolved.
    while let Ok(r) = rx.try_recv() {
        began += u64::from(r.started);
        handled += r.handled;
        stopped += 1;
    }
    let check = Check::new()
        .int("started", began)
        .int("handled", handled)
        .int("stopped", stopped);
    Pass::new(elapsed, check)
}
