//! kameo: every actor implements kameo's `Actor` trait (derived where the
//! default lifecycle suffices, by hand where a start or stop hook does work)
//! and one `Message<T>` impl per message type; the drivers use
//! `tell(..).send()`, `ask(..).send()`, `stop_gracefully` and
//! `wait_for_shutdown_result`. kameo spawns each actor as a tokio task on the
//! ambient runtime: here the harness's two-worker multi-thread runtime, the
//! driver a task on it.
//!
//! Mailboxes are unbounded (`mailbox::unbounded()`), as the workloads
//! specify, except the bounded tell (`mailbox::bounded(64)`, a `tell`
//! waiting for room), the ask workload's actor and the idle actors of the
//! spawn workload, which keep kameo's default (bounded to 64).

mod big;
mod dictionary;
mod fleet;
mod micro;
mod ring;
mod savina;
mod trapezoid;

use kameo::actor::{Actor, ActorRef};
use kameo::error::Infallible;
use tokio::sync::mpsc;

use crate::contender::{Contender, Entry, Threads, TokioHost};
use crate::measure::{NotApplicable, Outcome};
use crate::spawn::spawn_cycles;
use crate::spec::Spec;

/// The harness entry.
pub fn entry() -> Entry {
    Entry {
        name: "kameo",
        about: "kameo 0.22: an Actor + Message<T> impl per actor, tokio task per actor, unbounded mailboxes (default bounded(64) for ask and spawn); tokio multi-thread runtime, 2 workers",
        baseline: "tokio",
        make: || Box::new(Kameo::new()),
    }
}

/// kameo on its tokio host, built once (untimed) and reused for the
/// warm-up and measured passes.
#[derive(Debug)]
struct Kameo {
    host: TokioHost,
}

impl Kameo {
    fn new() -> Kameo {
        Kameo {
            host: TokioHost::new(Threads::Two),
        }
    }
}

impl Contender for Kameo {
    fn run(&mut self, spec: &Spec) -> Outcome {
        let host = &self.host;
        Ok(match *spec {
            Spec::Tell { messages, capacity } => host.drive(micro::tell(messages, capacity)),
            Spec::Ask { round_trips } => host.drive(micro::ask(round_trips)),
            Spec::PingPong { bounces } => host.drive(micro::ping_pong(bounces)),
            Spec::Ring { actors, hops } => host.drive(ring::ring(actors, hops)),
            Spec::Spawn { actors } => spawn_cycles(&mut fleet::Fleet::new(host), actors),
            Spec::FanOut { workers, jobs } => host.drive(micro::fan_out(workers, jobs)),
            Spec::ForkJoin { actors, messages } => host.drive(micro::fork_join(actors, messages)),
            Spec::SavinaPingPong { pings } => host.drive(savina::ping_pong(pings)),
            Spec::Counting { increments } => host.drive(savina::counting(increments)),
            Spec::FjCreate { actors } => host.drive(savina::fj_create(actors)),
            Spec::Big { workers, pings } => host.drive(big::big(workers, pings)),
            Spec::Dictionary {
                workers,
                requests,
                write_percent,
            } => host.drive(dictionary::dictionary(workers, requests, write_percent)),
            Spec::Trapezoid {
                pieces,
                workers,
                left,
                right,
            } => host.drive(trapezoid::trapezoid(pieces, workers, left, right)),
            Spec::Pool { .. } | Spec::Pipeline { .. } => return Err(NotApplicable::PATTERNS_ONLY),
        })
    }
}

/// Receives `n` reports, one per actor that sends one from its stop hook.
///
/// # Panics
///
/// If every sender is gone before `n` reports arrived.
async fn gather<R>(reports: &mut mpsc::UnboundedReceiver<R>, n: usize) -> Vec<R> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        out.push(
            reports
                .recv()
                .await
                .expect("an actor stopped without reporting"),
        );
    }
    out
}

/// Waits until every actor in `actors` has run its stop hook and shut down.
///
/// # Panics
///
/// If an actor's start or stop hook failed.
async fn all_stopped<A: Actor<Error = Infallible>>(actors: &[ActorRef<A>]) {
    for actor in actors {
        actor
            .wait_for_shutdown_result()
            .await
            .expect("the actor shut down cleanly");
    }
}
