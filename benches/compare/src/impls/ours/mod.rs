//! This runtime, written as a user would: plain structs with
//! `#[derive(Actor)]` and `#[handlers]`, called through their generated
//! clients. Mailboxes are unbounded, as the workloads specify, except for
//! the bounded tell; the idle actors of the spawn workload and the ask
//! workload's echo keep the runtime's default (bounded to 64). The members
//! of a chain (ask, ping-pong, Savina's PingPong, the ring) share a strand
//! (`micro::Chain`).

mod micro;
mod savina;

use actor_core::ActorSystem;

use crate::contender::{Contender, Threads, TokioHost};
use crate::measure::Outcome;
use crate::spawn::spawn_cycles;
use crate::spec::Spec;

/// This runtime on its tokio host.
#[derive(Debug)]
pub struct Ours {
    host: TokioHost,
    system: ActorSystem,
}

impl Ours {
    /// Builds the runtime (`threads` workers) and an actor system on it.
    ///
    /// # Panics
    ///
    /// If the system cannot be built.
    pub fn new(threads: Threads) -> Ours {
        let host = TokioHost::new(threads);
        let system = ActorSystem::builder()
            .runtime(host.handle().clone())
            .build()
            .expect("build the actor system");
        Ours { host, system }
    }
}

impl Contender for Ours {
    fn run(&mut self, spec: &Spec) -> Outcome {
        let (host, sys) = (&self.host, self.system.clone());
        Ok(match *spec {
            Spec::Tell { messages, capacity } => host.drive(micro::tell(sys, messages, capacity)),
            Spec::Ask { round_trips } => host.drive(micro::ask(sys, round_trips)),
            Spec::PingPong { bounces } => host.drive(micro::ping_pong(sys, bounces)),
            Spec::Ring { actors, hops } => host.drive(micro::ring(sys, actors, hops)),
            Spec::Spawn { actors } => spawn_cycles(&mut micro::Fleet::new(host, sys), actors),
            Spec::FanOut { workers, jobs } => host.drive(micro::fan_out(sys, workers, jobs)),
            Spec::ForkJoin { actors, messages } => {
                host.drive(micro::fork_join(sys, actors, messages))
            }
            Spec::SavinaPingPong { pings } => host.drive(savina::ping_pong(sys, pings)),
            Spec::Counting { increments } => host.drive(savina::counting(sys, increments)),
            Spec::FjCreate { actors } => host.drive(savina::fj_create(sys, actors)),
            Spec::Big { workers, pings } => host.drive(savina::big(sys, workers, pings)),
            Spec::Dictionary {
                workers,
                requests,
                write_percent,
            } => host.drive(savina::dictionary(sys, workers, requests, write_percent)),
            Spec::Trapezoid {
                pieces,
                workers,
                left,
                right,
            } => host.drive(savina::trapezoid(sys, pieces, workers, left, right)),
            Spec::Pool { jobs } => host.drive(micro::pool(sys, jobs)),
            Spec::Pipeline { items } => host.drive(micro::pipeline(sys, items)),
        })
    }
}
