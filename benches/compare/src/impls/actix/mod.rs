//! actix 0.13 on actix-rt 2, written the way actix's documentation shows:
//! actors implement [`::actix::Actor`] with a [`::actix::Context`], messages
//! derive [`::actix::Message`], each message type has a
//! [`::actix::Handler`]; `do_send` is the tell, `send(..).await` the ask,
//! `ctx.stop()` the stop, and `ctx.notify` a message to self.
//!
//! Runtime: actix's book says an Arbiter is a single-threaded event loop and
//! that actix is used concurrently by spinning up several Arbiters, actors
//! being tied to the Arbiter they were started in. So the contender builds
//! (untimed) a [`System`] on the calling thread and two [`Arbiter`]s, each an
//! OS thread with actix-rt's current-thread tokio runtime: the two workers
//! the tokio-based entries get. Every actor is started with
//! `Actor::start_in_arbiter`, the actors of a workload split over the two
//! arbiters in contiguous blocks by creation index (see
//! `support::Placement`), except the members of a chain (ping-pong, Savina's
//! PingPong, the ring: one message in flight at a time), which all start on
//! the first arbiter, as this runtime's versions put them on one strand. The
//! driver is a task on the second arbiter and hands its pass back to the
//! calling thread, which only waits.
//!
//! Mailboxes: actix's default (capacity 16). Its capacity only holds back
//! `send`; `do_send` queues regardless, so every tell below is unbounded,
//! and asks wait on one reply at a time.

mod big;
mod dictionary;
mod fanout;
mod micro;
mod savina;
mod support;
mod trapezoid;

use std::future::Future;

use ::actix::{Arbiter, System, SystemRunner};

use crate::contender::{Contender, Entry};
use crate::measure::{NotApplicable, Outcome, Pass};
use crate::spawn::spawn_cycles;
use crate::spec::Spec;
use support::Placement;

/// The harness entry.
pub fn entry() -> Entry {
    Entry {
        name: "actix",
        about: "actix 0.13: a System plus two Arbiters (one thread and current-thread tokio \
                runtime each, as actix's docs advise for concurrency), actors split over them \
                in blocks (a chain's all on the first), the driver a task on the second",
        baseline: "tokio",
        make: || Box::new(Actix::new()),
    }
}

/// Arbiters actix runs on.
const ARBITERS: usize = 2;

/// The system, its arbiters, and where actors go.
struct Actix {
    /// Keeps the system registered on the calling thread.
    _system: SystemRunner,
    arbiters: Vec<Arbiter>,
    placement: Placement,
}

impl Actix {
    fn new() -> Actix {
        let system = System::new();
        let arbiters: Vec<Arbiter> = (0..ARBITERS).map(|_| Arbiter::new()).collect();
        let placement = Placement::new(arbiters.iter().map(Arbiter::handle).collect());
        Actix {
            _system: system,
            arbiters,
            placement,
        }
    }

    /// Runs `driver` as a task on the last arbiter and waits for its pass.
    fn drive<F, Fut>(&self, driver: F) -> Pass
    where
        F: FnOnce(Placement) -> Fut + Send + 'static,
        Fut: Future<Output = Pass> + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let placement = self.placement.clone();
        let host = self.arbiters.last().expect("at least one arbiter");
        host.spawn_fn(move || {
            ::actix::spawn(async move {
                let _ = tx.send(driver(placement).await);
            });
        });
        rx.recv().expect("the driver task panicked")
    }

    fn spawn(&self, actors: usize) -> Pass {
        let mut fleet = fanout::Fleet::new(self.placement.clone());
        spawn_cycles(&mut fleet, actors)
    }
}

impl Drop for Actix {
    fn drop(&mut self) {
        for arbiter in self.arbiters.drain(..) {
            arbiter.stop();
            let _ = arbiter.join();
        }
    }
}

impl Contender for Actix {
    fn run(&mut self, spec: &Spec) -> Outcome {
        Ok(match *spec {
            Spec::Tell {
                capacity: Some(_), ..
            } => {
                return Err(NotApplicable(
                    "actix has no tell that waits for room: do_send ignores the mailbox bound, \
                 try_send fails when full, send awaits the handler's reply",
                ));
            }
            Spec::Tell { messages, .. } => self.drive(move |p| micro::tell(p, messages)),
            Spec::Ask { round_trips } => self.drive(move |p| micro::ask(p, round_trips)),
            Spec::PingPong { bounces } => self.drive(move |p| micro::ping_pong(p, bounces)),
            Spec::Ring { actors, hops } => self.drive(move |p| micro::ring(p, actors, hops)),
            Spec::Spawn { actors } => self.spawn(actors),
            Spec::FanOut { workers, jobs } => {
                self.drive(move |p| fanout::fan_out(p, workers, jobs))
            }
            Spec::ForkJoin { actors, messages } => {
                self.drive(move |p| fanout::fork_join(p, actors, messages))
            }
            Spec::SavinaPingPong { pings } => self.drive(move |p| savina::ping_pong(p, pings)),
            Spec::Counting { increments } => self.drive(move |p| savina::counting(p, increments)),
            Spec::FjCreate { actors } => self.drive(move |p| savina::fj_create(p, actors)),
            Spec::Big { workers, pings } => self.drive(move |p| big::big(p, workers, pings)),
            Spec::Dictionary {
                workers,
                requests,
                write_percent,
            } => self.drive(move |p| dictionary::dictionary(p, workers, requests, write_percent)),
            Spec::Trapezoid {
                pieces,
                workers,
                left,
                right,
            } => self.drive(move |p| trapezoid::trapezoid(p, pieces, workers, left, right)),
            Spec::Pool { .. } | Spec::Pipeline { .. } => return Err(NotApplicable::PATTERNS_ONLY),
        })
    }
}
