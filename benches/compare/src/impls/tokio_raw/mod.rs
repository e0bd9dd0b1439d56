//! Raw tokio, the floor: each actor is a task looping over its own
//! receiver of a concrete message enum; replies travel on oneshot channels.
//! Channels are unbounded between actors (Savina's mailboxes), bounded to
//! 64 where the workload says so (the bounded tell) and for the ask
//! workload's requests.

mod micro;
mod savina;

use crate::contender::{Contender, Threads, TokioHost};
use crate::measure::Outcome;
use crate::spawn::spawn_cycles;
use crate::spec::Spec;

/// Raw tokio on its runtime.
#[derive(Debug)]
pub struct Raw {
    host: TokioHost,
}

impl Raw {
    /// Builds the runtime: `threads` workers.
    pub fn new(threads: Threads) -> Raw {
        Raw {
            host: TokioHost::new(threads),
        }
    }
}

impl Contender for Raw {
    fn run(&mut self, spec: &Spec) -> Outcome {
        let host = &self.host;
        Ok(match *spec {
            Spec::Tell { messages, capacity } => host.drive(micro::tell(messages, capacity)),
            Spec::Ask { round_trips } => host.drive(micro::ask(round_trips)),
            Spec::PingPong { bounces } => host.drive(micro::ping_pong(bounces)),
            Spec::Ring { actors, hops } => host.drive(micro::ring(actors, hops)),
            Spec::Spawn { actors } => spawn_cycles(&mut micro::Fleet::new(host), actors),
            Spec::FanOut { workers, jobs } => host.drive(micro::fan_out(workers, jobs)),
            Spec::ForkJoin { actors, messages } => host.drive(micro::fork_join(actors, messages)),
            Spec::SavinaPingPong { pings } => host.drive(savina::ping_pong(pings)),
            Spec::Counting { increments } => host.drive(savina::counting(increments)),
            Spec::FjCreate { actors } => host.drive(savina::fj_create(actors)),
            Spec::Big { workers, pings } => host.drive(savina::big(workers, pings)),
            Spec::Dictionary {
                workers,
                requests,
                write_percent,
            } => host.drive(savina::dictionary(workers, requests, write_percent)),
            Spec::Trapezoid {
                pieces,
                workers,
                left,
                right,
            } => host.drive(savina::trapezoid(pieces, workers, left, right)),
            Spec::Pool { jobs } => host.drive(micro::pool(jobs)),
            Spec::Pipeline { items } => host.drive(micro::pipeline(items)),
        })
    }
}
