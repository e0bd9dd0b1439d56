//! ractor: every workload written against ractor's own API — a struct
//! implementing [`ractor::Actor`] (with `pre_start` building the state,
//! `handle` processing one message, `post_start`/`post_stop` as lifecycle
//! hooks), messages as enums, `cast` for tells, `call!` with an
//! [`RpcReplyPort`] for requests, and `stop` for a graceful stop. Masters
//! that create their own workers (dictionary, trapezoid) spawn them linked
//! and learn of their end through ractor's supervision events.
//!
//! ractor runs on tokio: the contender builds a two-worker multi-thread
//! runtime once (untimed) and runs each pass's driver as a spawned task on
//! it. Every mailbox is ractor's default, which is the only one it has: an
//! unbounded tokio channel per actor. A tell to a stopped actor returns an
//! error, never panics; the workloads that expect that (the ring's last
//! `Exit`) ignore it.
//!
//! Actors hand their results to the driver at the end of the run through a
//! reply port given to them at spawn (usually from `post_stop`), and the
//! driver stops its clock once it has every result and every actor's join
//! handle has resolved, which ractor resolves only after `post_stop` and
//! the actor's cleanup.

mod big;
mod dictionary;
mod fan;
mod fleet;
mod micro;
mod ring;
mod savina;
mod trapezoid;

use ractor::concurrency::{JoinHandle, OneshotReceiver};
use ractor::{Actor, ActorRef, RpcReplyPort};

use crate::contender::{Contender, Entry, Threads, TokioHost};
use crate::measure::{NotApplicable, Outcome};
use crate::spec::Spec;

/// The harness entry.
pub fn entry() -> Entry {
    Entry {
        name: "ractor",
        about: "ractor 0.16 (Actor trait, cast / call! with RpcReplyPort, stop; default unbounded mailboxes) on a 2-worker multi-thread tokio runtime, driver a spawned task",
        baseline: "tokio",
        make: || Box::new(Ractor::new()),
    }
}

/// ractor on its tokio runtime, built once for the warm-up and the measured
/// pass.
struct Ractor {
    host: TokioHost,
}

impl Ractor {
    fn new() -> Ractor {
        Ractor {
            host: TokioHost::new(Threads::Two),
        }
    }
}

impl Contender for Ractor {
    fn run(&mut self, spec: &Spec) -> Outcome {
        let host = &self.host;
        let pass = match *spec {
            Spec::Tell {
                capacity: Some(_), ..
            } => {
                return Err(NotApplicable(
                    "ractor's mailboxes are always unbounded: it has no bounded mailbox nor a tell that waits for room",
                ));
            }
            Spec::Tell { messages, .. } => host.drive(micro::tell(messages)),
            Spec::Ask { round_trips } => host.drive(micro::ask(round_trips)),
            Spec::PingPong { bounces } => host.drive(micro::ping_pong(bounces)),
            Spec::Ring { actors, hops } => host.drive(ring::ring(actors, hops)),
            Spec::Spawn { actors } => fleet::run(host, actors),
            Spec::FanOut { workers, jobs } => host.drive(fan::fan_out(workers, jobs)),
            Spec::ForkJoin { actors, messages } => host.drive(fan::fork_join(actors, messages)),
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
        };
        Ok(pass)
    }
}

/// Spawns an unsupervised actor and waits for its `pre_start`, as
/// `Actor::spawn` does.
async fn start<A: Actor>(actor: A, args: A::Arguments) -> (ActorRef<A::Msg>, JoinHandle<()>) {
    A::spawn(None, actor, args)
        .await
        .expect("the actor failed to start")
}

/// A reply port to hand an actor for its final report, and the receiving
/// end the driver awaits.
fn report_port<T: Send + 'static>() -> (RpcReplyPort<T>, OneshotReceiver<T>) {
    let (tx, rx) = ractor::concurrency::oneshot();
    (RpcReplyPort::from(tx), rx)
}

/// The report an actor sent through its port.
async fn report<T>(rx: OneshotReceiver<T>) -> T {
    rx.await
        .expect("an actor ended without reporting (it failed)")
}

/// Waits until every actor behind `handles` has stopped.
async fn joined(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        handle.await.expect("an actor's task was lost");
    }
}

/// Sends a final report through `port`, if it is still held.
fn send_report<T: Send + 'static>(
    port: &mut Option<RpcReplyPort<T>>,
    value: T,
) -> Result<(), ractor::ActorProcessingErr> {
    if let Some(port) = port.take() {
        port.send(value)?;
    }
    Ok(())
}
