//! kompact: every workload written against kompact's own API — a struct
//! deriving `ComponentDefinition` with a `ComponentContext`, implementing
//! [`Actor`] (`receive_local` for its message enum) and
//! [`ComponentLifecycle`] (`on_start` / `on_kill` hooks), created with
//! `create`, started with `start`, messages sent with `ActorRef::tell` (or
//! an [`ActorRefStrong`] from `hold()`, which kompact's documentation
//! recommends for a reference used over and over), requests with `ask` /
//! `ask_with` and a [`KPromise`]. A component stops itself by returning
//! `Handled::SHUTDOWN` from its handler (kompact's orderly self-shutdown,
//! which runs `on_kill`); the driver stops a component with `kill_notify`
//! where the protocol has nobody else stop it.
//!
//! Mailboxes: kompact gives each component one unbounded lock-free message
//! queue and nothing else; `tell` never waits. A message told to a
//! component that has shut down is dropped without a panic: it is never
//! handled (a destroyed component is not scheduled again) and is freed with
//! the component, or is discarded at once when the component is already
//! deallocated (actor references are weak).
//!
//! kompact runs on its own thread pool, not tokio: the contender builds one
//! system with two pool threads (untimed), reused for the warm-up and the
//! measured pass, and each pass's driver is a future spawned on that pool
//! with `KompactSystem::spawn`; the calling thread blocks on its result.
//! Components hand their final state to the driver from `on_kill` through
//! a `Finish`, so the driver's clock stops once every component of the
//! run has reported from its shutdown hook. kompact's default logger is
//! kept: in release builds it prints nothing below INFO, and none of these
//! runs logs at INFO or above.

mod big;
mod dictionary;
mod fleet;
mod fork;
mod micro;
mod ring;
mod savina;
mod trapezoid;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kompact::prelude::*;

use crate::contender::{Contender, Entry};
use crate::measure::{NotApplicable, Outcome, Pass};
use crate::spawn::spawn_cycles;
use crate::spec::Spec;

/// The harness entry.
pub fn entry() -> Entry {
    Entry {
        name: "kompact",
        about: "kompact 0.12 (ComponentDefinition + Actor::receive_local, tell/ask, Handled::SHUTDOWN / kill_notify; unbounded mailboxes) on its own 2-thread work-stealing pool, driver a future spawned on that pool",
        baseline: "tokio",
        make: || Box::new(Kompact::new()),
    }
}

/// Pool threads of the system.
const THREADS: usize = 2;

/// kompact with its system, built once for the warm-up and the measured
/// pass.
struct Kompact {
    system: Option<KompactSystem>,
}

impl Kompact {
    /// Builds the system: two pool threads, everything else default.
    fn new() -> Kompact {
        let mut config = KompactConfig::default();
        config.set_config_value(&kompact::config_keys::system::THREADS, THREADS);
        let system = config.build().wait().expect("build the kompact system");
        Kompact {
            system: Some(system),
        }
    }

    fn system(&self) -> &KompactSystem {
        self.system.as_ref().expect("the system lives until drop")
    }

    /// Runs `driver` on the system's pool and blocks until it is done.
    fn drive<F>(&self, driver: impl FnOnce(KompactSystem) -> F) -> Pass
    where
        F: Future<Output = Pass> + Send + 'static,
    {
        let system = self.system();
        system
            .spawn(driver(system.clone()))
            .wait()
            .expect("the driver future completed")
    }
}

impl Drop for Kompact {
    fn drop(&mut self) {
        if let Some(system) = self.system.take() {
            // Every component of a run has stopped already; a shutdown that
            // hangs must not keep the child from reporting.
            let _ = system.shutdown().wait_timeout(Duration::from_secs(5));
        }
    }
}

impl Contender for Kompact {
    fn run(&mut self, spec: &Spec) -> Outcome {
        let pass = match *spec {
            Spec::Tell {
                capacity: Some(_), ..
            } => {
                return Err(NotApplicable(
                    "kompact mailboxes are unbounded lock-free queues only; tell never waits for room",
                ));
            }
            Spec::Tell { messages, .. } => self.drive(|s| micro::tell(s, messages)),
            Spec::Ask { round_trips } => self.drive(|s| micro::ask(s, round_trips)),
            Spec::PingPong { bounces } => self.drive(|s| micro::ping_pong(s, bounces)),
            Spec::Ring { actors, hops } => self.drive(|s| ring::ring(s, actors, hops)),
            Spec::Spawn { actors } => {
                spawn_cycles(&mut fleet::Fleet::new(self.system().clone()), actors)
            }
            Spec::FanOut { workers, jobs } => self.drive(|s| fork::fan_out(s, workers, jobs)),
            Spec::ForkJoin { actors, messages } => {
                self.drive(|s| fork::fork_join(s, actors, messages))
            }
            Spec::SavinaPingPong { pings } => self.drive(|s| savina::ping_pong(s, pings)),
            Spec::Counting { increments } => self.drive(|s| savina::counting(s, increments)),
            Spec::FjCreate { actors } => self.drive(|s| savina::fj_create(s, actors)),
            Spec::Big { workers, pings } => self.drive(|s| big::big(s, workers, pings)),
            Spec::Dictionary {
                workers,
                requests,
                write_percent,
            } => self.drive(|s| dictionary::dictionary(s, workers, requests, write_percent)),
            Spec::Trapezoid {
                pieces,
                workers,
                left,
                right,
            } => self.drive(|s| trapezoid::trapezoid(s, pieces, workers, left, right)),
            Spec::Pool { .. } | Spec::Pipeline { .. } => return Err(NotApplicable::PATTERNS_ONLY),
        };
        Ok(pass)
    }
}

/// Gathers the final reports of the `n` components of a run, each sent once
/// from the component's `on_kill` hook, and completes the paired future
/// with all of them once the last has stopped.
struct Finish<T: Send + 'static> {
    inner: Arc<Mutex<Gather<T>>>,
}

struct Gather<T: Send + 'static> {
    left: usize,
    reports: Vec<T>,
    done: Option<KPromise<Vec<T>>>,
}

impl<T: Send + 'static> Clone for Finish<T> {
    fn clone(&self) -> Self {
        Finish {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: Send + 'static> Finish<T> {
    /// A gathering of `n` reports, and the future of all of them.
    fn new(n: usize) -> (Finish<T>, KFuture<Vec<T>>) {
        let (promise, future) = promise();
        let gather = Gather {
            left: n,
            reports: Vec::with_capacity(n),
            done: Some(promise),
        };
        let finish = Finish {
            inner: Arc::new(Mutex::new(gather)),
        };
        (finish, future)
    }

    /// Hands in one component's final report.
    fn report(&self, report: T) {
        let mut gather = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        gather.reports.push(report);
        gather.left = gather.left.saturating_sub(1);
        if gather.left > 0 {
            return;
        }
        if let Some(done) = gather.done.take() {
            let reports = std::mem::take(&mut gather.reports);
            // The driver may have given up waiting; nothing to do then.
            let _ = done.fulfil(reports);
        }
    }
}

/// Waits for every report of a run.
///
/// # Panics
///
/// If a component was dropped without reporting.
async fn all_stopped<T: Send + 'static>(reports: KFuture<Vec<T>>) -> Vec<T> {
    reports
        .await
        .expect("every component reported from on_kill")
}
