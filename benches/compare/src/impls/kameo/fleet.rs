//! The spawn workload's idle actors: `Actor` impls whose start and stop
//! hooks count themselves in the census, spawned with kameo's default
//! mailbox (bounded to 64) and stopped with `stop_gracefully`.

use std::hint::black_box;

use kameo::actor::{Actor, ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};

use super::all_stopped;
use crate::contender::TokioHost;
use crate::spawn::{Census, IdleFleet};

/// An idle actor holding a `u64`.
struct Idle {
    value: u64,
    census: Census,
}

impl Actor for Idle {
    type Args = (u64, Census);
    type Error = Infallible;

    async fn on_start(
        (value, census): (u64, Census),
        _: ActorRef<Self>,
    ) -> Result<Self, Infallible> {
        census.started();
        Ok(Idle { value, census })
    }

    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        black_box(self.value);
        self.census.stopped();
        Ok(())
    }
}

/// The fleet: idle actors spawned and stopped by a driver task on the host.
pub(super) struct Fleet<'h> {
    host: &'h TokioHost,
    census: Census,
    actors: Vec<ActorRef<Idle>>,
}

impl<'h> Fleet<'h> {
    pub(super) fn new(host: &'h TokioHost) -> Fleet<'h> {
        Fleet {
            host,
            census: Census::new(),
            actors: Vec::new(),
        }
    }
}

impl IdleFleet for Fleet<'_> {
    fn spawn(&mut self, n: usize) {
        let census = self.census.clone();
        let target = census.started_count() + n as u64;
        self.actors = self.host.drive(async move {
            let actors: Vec<ActorRef<Idle>> = (0..n)
                .map(|i| Idle::spawn((i as u64, census.clone())))
                .collect();
            census.reached(target, 0).await;
            actors
        });
    }

    fn stop_all(&mut self) {
        let census = self.census.clone();
        let target = census.started_count();
        let actors = std::mem::take(&mut self.actors);
        self.host.drive(async move {
            for actor in &actors {
                actor.stop_gracefully().await.expect("the actor is running");
            }
            all_stopped(&actors).await;
            census.reached(0, target).await;
        });
    }

    fn census(&self) -> &Census {
        &self.census
    }

    fn live_tasks(&self) -> Option<usize> {
        Some(self.host.handle().metrics().num_alive_tasks())
    }
}
