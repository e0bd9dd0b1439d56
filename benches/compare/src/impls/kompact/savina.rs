//! Savina's PingPong, Counting and fork-join create programs as kompact
//! components.

use std::time::Instant;

use kompact::prelude::*;

use super::micro::{Work, strong};
use super::{Finish, all_stopped};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::fork_join_work;

/// What a PingPong actor counted: `(pings, pongs)` received.
type Rally = (u64, u64);

/// Ping's messages.
#[derive(Debug)]
enum PingMsg {
    Start,
    Pong,
    Continue,
}

/// Pong's messages.
#[derive(Debug)]
enum PongMsg {
    Ping { reply_to: ActorRef<PingMsg> },
    Stop,
}

/// Ping: sends the pings, one in flight at a time.
#[derive(ComponentDefinition)]
struct Pinger {
    ctx: ComponentContext<Self>,
    pong: ActorRefStrong<PongMsg>,
    left: u64,
    pongs: u64,
    finish: Finish<Rally>,
}

impl Pinger {
    fn send_ping(&mut self) -> HandlerResult {
        self.pong.tell(PongMsg::Ping {
            reply_to: self.actor_ref(),
        });
        self.left -= 1;
        Handled::OK
    }

    fn pong(&mut self) -> HandlerResult {
        self.pongs += 1;
        if self.left > 0 {
            self.actor_ref().tell(PingMsg::Continue);
            return Handled::OK;
        }
        self.pong.tell(PongMsg::Stop);
        Handled::SHUTDOWN
    }
}

impl ComponentLifecycle for Pinger {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report((0, self.pongs));
        Handled::OK
    }
}

impl Actor for Pinger {
    type Message = PingMsg;

    fn receive_local(&mut self, msg: PingMsg) -> HandlerResult {
        match msg {
            PingMsg::Start | PingMsg::Continue => self.send_ping(),
            PingMsg::Pong => self.pong(),
        }
    }
}

/// Pong: answers every ping.
#[derive(ComponentDefinition)]
struct Ponger {
    ctx: ComponentContext<Self>,
    pings: u64,
    finish: Finish<Rally>,
}

impl ComponentLifecycle for Ponger {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report((self.pings, 0));
        Handled::OK
    }
}

impl Actor for Ponger {
    type Message = PongMsg;

    fn receive_local(&mut self, msg: PongMsg) -> HandlerResult {
        match msg {
            PongMsg::Ping { reply_to } => {
                self.pings += 1;
                reply_to.tell(PingMsg::Pong);
                Handled::OK
            }
            PongMsg::Stop => Handled::SHUTDOWN,
        }
    }
}

/// Savina #1, PingPong.
pub(super) async fn ping_pong(system: KompactSystem, pings: u64) -> Pass {
    let (finish, stopped) = Finish::new(2);
    let started = Instant::now();
    let ponger = system.create(|| Ponger {
        ctx: ComponentContext::uninitialised(),
        pings: 0,
        finish: finish.clone(),
    });
    let pong = strong(&ponger);
    let pinger = system.create(|| Pinger {
        ctx: ComponentContext::uninitialised(),
        pong,
        left: pings,
        pongs: 0,
        finish,
    });
    system.start(&ponger);
    system.start(&pinger);
    pinger.actor_ref().tell(PingMsg::Start);
    drop((pinger, ponger));
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let check = Check::new()
        .int("pings", reports.iter().map(|r| r.0).sum::<u64>())
        .int("pongs", reports.iter().map(|r| r.1).sum::<u64>());
    Pass::new(elapsed, check)
}

/// The producer's messages.
#[derive(Debug)]
enum ProducerMsg {
    Go,
    Result(u64),
}

/// The counter's messages.
#[derive(Debug)]
enum CounterMsg {
    Increment,
    Retrieve { reply_to: ActorRef<ProducerMsg> },
}

/// Sends the increments in one tight loop, then asks for the count.
#[derive(ComponentDefinition)]
struct Producer {
    ctx: ComponentContext<Self>,
    counter: ActorRefStrong<CounterMsg>,
    increments: u64,
    count: Option<u64>,
    finish: Finish<Option<u64>>,
}

impl ComponentLifecycle for Producer {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report(self.count);
        Handled::OK
    }
}

impl Actor for Producer {
    type Message = ProducerMsg;

    fn receive_local(&mut self, msg: ProducerMsg) -> HandlerResult {
        match msg {
            ProducerMsg::Go => {
                for _ in 0..self.increments {
                    self.counter.tell(CounterMsg::Increment);
                }
                self.counter.tell(CounterMsg::Retrieve {
                    reply_to: self.actor_ref(),
                });
                Handled::OK
            }
            ProducerMsg::Result(count) => {
                self.count = Some(count);
                Handled::SHUTDOWN
            }
        }
    }
}

/// Counts increments; answers the count and shuts down.
#[derive(ComponentDefinition)]
struct Counter {
    ctx: ComponentContext<Self>,
    count: u64,
    finish: Finish<Option<u64>>,
}

impl ComponentLifecycle for Counter {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report(None);
        Handled::OK
    }
}

impl Actor for Counter {
    type Message = CounterMsg;

    fn receive_local(&mut self, msg: CounterMsg) -> HandlerResult {
        match msg {
            CounterMsg::Increment => {
                self.count += 1;
                Handled::OK
            }
            CounterMsg::Retrieve { reply_to } => {
                reply_to.tell(ProducerMsg::Result(self.count));
                Handled::SHUTDOWN
            }
        }
    }
}

/// Savina #3, Counting, on kompact's (unbounded) mailbox.
pub(super) async fn counting(system: KompactSystem, increments: u64) -> Pass {
    let (finish, stopped) = Finish::new(2);
    let started = Instant::now();
    let counter = system.create(|| Counter {
        ctx: ComponentContext::uninitialised(),
        count: 0,
        finish: finish.clone(),
    });
    let to_counter = strong(&counter);
    let producer = system.create(|| Producer {
        ctx: ComponentContext::uninitialised(),
        counter: to_counter,
        increments,
        count: None,
        finish,
    });
    system.start(&counter);
    system.start(&producer);
    producer.actor_ref().tell(ProducerMsg::Go);
    drop((producer, counter));
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let count = reports.into_iter().flatten().next().unwrap_or(0);
    Pass::new(elapsed, Check::new().int("count", count))
}

/// Fork-join create: handles its one message and shuts down; reports
/// `(started, handled)`.
#[derive(ComponentDefinition)]
struct OneShot {
    ctx: ComponentContext<Self>,
    started: bool,
    handled: u64,
    finish: Finish<(bool, u64)>,
}

impl ComponentLifecycle for OneShot {
    fn on_start(&mut self) -> HandlerResult {
        self.started = true;
        Handled::OK
    }

    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report((self.started, self.handled));
        Handled::OK
    }
}

impl Actor for OneShot {
    type Message = Work;

    fn receive_local(&mut self, _msg: Work) -> HandlerResult {
        std::hint::black_box(fork_join_work());
        self.handled += 1;
        Handled::SHUTDOWN
    }
}

/// Savina #5, fork-join create.
pub(super) async fn fj_create(system: KompactSystem, actors: u64) -> Pass {
    let (finish, stopped) = Finish::new(actors as usize);
    let started = Instant::now();
    for _ in 0..actors {
        let one = system.create(|| OneShot {
            ctx: ComponentContext::uninitialised(),
            started: false,
            handled: 0,
            finish: finish.clone(),
        });
        system.start(&one);
        one.actor_ref().tell(Work);
    }
    drop(finish);
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let check = Check::new()
        .int("started", reports.iter().filter(|r| r.0).count())
        .int("handled", reports.iter().map(|r| r.1).sum::<u64>())
        .int("stopped", reports.len());
    Pass::new(elapsed, check)
}
