//! The micro workloads as kompact components: tell, ask and ping-pong.
//! Each driver is a future on the system's pool.

use std::time::Instant;

use kompact::prelude::*;

use super::{Finish, all_stopped};
use crate::check::Check;
use crate::measure::{Latencies, Pass};

/// The summing component's messages.
#[derive(Debug)]
enum SumMsg {
    /// One value to add.
    Value(u64),
    /// The totals, answered just before the component stops.
    Totals(Ask<(), SumTotals>),
}

/// What the summing component counted.
#[derive(Clone, Copy, Debug, Default)]
struct SumTotals {
    sum: u64,
    received: u64,
    out_of_order: u64,
}

/// Adds the values it is told; answers the totals and shuts down.
#[derive(ComponentDefinition)]
struct Summer {
    ctx: ComponentContext<Self>,
    totals: SumTotals,
    last: Option<u64>,
    finish: Finish<()>,
}

impl Summer {
    fn new(finish: Finish<()>) -> Summer {
        Summer {
            ctx: ComponentContext::uninitialised(),
            totals: SumTotals::default(),
            last: None,
            finish,
        }
    }
}

impl ComponentLifecycle for Summer {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report(());
        Handled::OK
    }
}

impl Actor for Summer {
    type Message = SumMsg;

    fn receive_local(&mut self, msg: SumMsg) -> HandlerResult {
        match msg {
            SumMsg::Value(v) => {
                let t = &mut self.totals;
                t.out_of_order += u64::from(self.last.is_some_and(|last| v < last));
                self.last = Some(v);
                t.sum += v;
                t.received += 1;
                Handled::OK
            }
            SumMsg::Totals(ask) => {
                let _ = ask.reply(self.totals);
                Handled::SHUTDOWN
            }
        }
    }
}

/// The tell workload on kompact's (only, unbounded) mailbox.
pub(super) async fn tell(system: KompactSystem, messages: u64) -> Pass {
    let (finish, stopped) = Finish::new(1);
    let started = Instant::now();
    let summer = system.create(|| Summer::new(finish));
    system.start(&summer);
    let target = summer.actor_ref().hold().expect("the summer is alive");
    drop(summer);
    for v in 0..messages {
        target.tell(SumMsg::Value(v));
    }
    let totals = target
        .ask_with(|promise| SumMsg::Totals(Ask::new(promise, ())))
        .await
        .expect("the summer answers");
    drop(target);
    all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let check = Check::new()
        .int("sum", totals.sum)
        .int("received", totals.received)
        .int("out_of_order", totals.out_of_order);
    Pass::new(elapsed, check)
}

/// Answers `x + 1` to every ask of `x`.
#[derive(ComponentDefinition)]
struct Incrementer {
    ctx: ComponentContext<Self>,
}

ignore_lifecycle!(Incrementer);

impl Actor for Incrementer {
    type Message = Ask<u64, u64>;

    fn receive_local(&mut self, ask: Ask<u64, u64>) -> HandlerResult {
        let _ = ask.complete(|x| x + 1);
        Handled::OK
    }
}

/// Sequential asks; the driver kills the component at the end with
/// `kill_notify` and waits for it to be gone.
pub(super) async fn ask(system: KompactSystem, round_trips: u64) -> Pass {
    let mut latencies = Latencies::with_capacity(round_trips as usize);
    let started = Instant::now();
    let incrementer = system.create(|| Incrementer {
        ctx: ComponentContext::uninitialised(),
    });
    system.start(&incrementer);
    let target = incrementer.actor_ref().hold().expect("alive");
    let mut sum = 0u64;
    for x in 0..round_trips {
        let asked = Instant::now();
        sum += target.ask(x).await.expect("the incrementer answers");
        latencies.record(asked.elapsed());
    }
    drop(target);
    system
        .kill_notify(incrementer)
        .await
        .expect("the incrementer stopped");
    latencies.into_pass(Pass::new(started.elapsed(), Check::new().int("sum", sum)))
}

/// A ping-pong player's messages.
#[derive(Debug)]
enum RallyMsg {
    /// The other player (setup).
    Meet(ActorRefStrong<RallyMsg>),
    /// The ball, with its bounce count.
    Ball(u64),
    /// The rally is over.
    Stop,
}

/// What a player reports when it stops.
struct PlayerReport {
    handled: u64,
    last: Option<u64>,
}

/// One of the two players.
#[derive(ComponentDefinition)]
struct Player {
    ctx: ComponentContext<Self>,
    other: Option<ActorRefStrong<RallyMsg>>,
    bounces: u64,
    handled: u64,
    last: Option<u64>,
    finish: Finish<PlayerReport>,
}

impl Player {
    fn new(bounces: u64, finish: Finish<PlayerReport>) -> Player {
        Player {
            ctx: ComponentContext::uninitialised(),
            other: None,
            bounces,
            handled: 0,
            last: None,
            finish,
        }
    }

    fn to_other(&self, msg: RallyMsg) {
        if let Some(other) = &self.other {
            other.tell(msg);
        }
    }

    fn ball(&mut self, k: u64) -> HandlerResult {
        self.handled += 1;
        if k == self.bounces {
            self.last = Some(k);
            self.to_other(RallyMsg::Stop);
            return Handled::SHUTDOWN;
        }
        self.to_other(RallyMsg::Ball(k + 1));
        Handled::OK
    }
}

impl ComponentLifecycle for Player {
    fn on_kill(&mut self) -> HandlerResult {
        // Drop the strong reference, so the pair can be deallocated.
        self.other = None;
        self.finish.report(PlayerReport {
            handled: self.handled,
            last: self.last,
        });
        Handled::OK
    }
}

impl Actor for Player {
    type Message = RallyMsg;

    fn receive_local(&mut self, msg: RallyMsg) -> HandlerResult {
        match msg {
            RallyMsg::Meet(other) => {
                self.other = Some(other);
                Handled::OK
            }
            RallyMsg::Ball(k) => self.ball(k),
            RallyMsg::Stop => Handled::SHUTDOWN,
        }
    }
}

/// Two players bouncing a counter.
pub(super) async fn ping_pong(system: KompactSystem, bounces: u64) -> Pass {
    let (finish, stopped) = Finish::new(2);
    let started = Instant::now();
    let a = system.create(|| Player::new(bounces, finish.clone()));
    let b = system.create(|| Player::new(bounces, finish));
    system.start(&a);
    system.start(&b);
    let (a_ref, b_ref) = (strong(&a), strong(&b));
    a_ref.tell(RallyMsg::Meet(b_ref.clone()));
    b_ref.tell(RallyMsg::Meet(a_ref.clone()));
    a_ref.tell(RallyMsg::Ball(0));
    drop((a, b, a_ref, b_ref));
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let check = Check::new()
        .int("last", reports.iter().find_map(|r| r.last).unwrap_or(0))
        .int("handled", reports.iter().map(|r| r.handled).sum::<u64>());
    Pass::new(elapsed, check)
}

/// A strong reference to a live component.
///
/// # Panics
///
/// If the component is already deallocated.
pub(super) fn strong<F: ActorRefFactory>(component: &F) -> ActorRefStrong<F::Message> {
    component
        .actor_ref()
        .hold()
        .expect("the component is alive")
}

/// One fork-join work message.
#[derive(Clone, Copy, Debug)]
pub(super) struct Work;
