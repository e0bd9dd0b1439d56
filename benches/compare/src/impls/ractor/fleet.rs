//! The spawn workload: idle ractor actors holding a `u64`, counted in the
//! census from their `post_start` and `post_stop` hooks.

use ractor::concurrency::JoinHandle;
use ractor::{Actor, ActorProcessingErr, ActorRef};

use super::{joined, start};
use crate::contender::TokioHost;
use crate::measure::Pass;
use crate::spawn::{Census, IdleFleet, spawn_cycles};

/// The idle actor's message type: it is never sent anything.
enum Never {}

/// An idle actor whose state is one `u64`.
struct Idle {
    census: Census,
}

impl Actor for Idle {
    type Msg = Never;
    type State = u64;
    type Arguments = u64;

    async fn pre_start(&self, _: ActorRef<Never>, value: u64) -> Result<u64, ActorProcessingErr> {
        Ok(value)
    }

    async fn post_start(&self, _: ActorRef<Never>, _: &mut u64) -> Result<(), ActorProcessingErr> {
        self.census.started();
        Ok(())
    }

    async fn handle(
        &self,
        _: ActorRef<Never>,
        never: Never,
        _: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match never {}
    }

    async fn post_stop(&self, _: ActorRef<Never>, _: &mut u64) -> Result<(), ActorProcessingErr> {
        self.census.stopped();
        Ok(())
    }
}

/// Idle actors spawned and stopped by driver tasks on the contender's
/// runtime.
struct Fleet<'h> {
    host: &'h TokioHost,
    census: Census,
    actors: Vec<(ActorRef<Never>, JoinHandle<()>)>,
}

impl IdleFleet for Fleet<'_> {
    fn spawn(&mut self, n: usize) {
        let census = self.census.clone();
        let mut actors = std::mem::take(&mut self.actors);
        let want = census.started_count() + n as u64;
        self.actors = self.host.drive(async move {
            for i in 0..n {
                let idle = Idle {
                    census: census.clone(),
                };
                actors.push(start(idle, i as u64).await);
            }
            census.reached(want, 0).await;
            actors
        });
    }

    fn stop_all(&mut self) {
        let census = self.census.clone();
        let actors = std::mem::take(&mut self.actors);
        let want = census.stopped_count() + actors.len() as u64;
        self.host.drive(async move {
            let mut handles = Vec::with_capacity(actors.len());
            for (actor, handle) in actors {
                actor.stop(None);
                handles.push(handle);
            }
            joined(handles).await;
            census.reached(0, want).await;
        });
    }

    fn census(&self) -> &Census {
        &self.census
    }

    fn live_tasks(&self) -> Option<usize> {
        Some(self.host.handle().metrics().num_alive_tasks())
    }
}

/// `Spec::Spawn`, through the shared [`spawn_cycles`].
pub(super) fn run(host: &TokioHost, actors: usize) -> Pass {
    let mut fleet = Fleet {
        host,
        census: Census::new(),
        actors: Vec::new(),
    };
    spawn_cycles(&mut fleet, actors)
}
