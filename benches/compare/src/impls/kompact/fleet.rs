//! The spawn workload's idle components. Each holds a `u64` and counts
//! itself in the census from `on_start` and `on_kill`. The fleet starts
//! them with `start_notify` and kills them with `kill_notify`, kompact's
//! documented way to learn that a component has started or is gone: those
//! futures complete once kompact's supervisor has taken the component in or
//! released it, so no supervisor backlog is in flight when memory is read,
//! and a killed component's memory is freed before the next cycle.

use std::sync::Arc;

use kompact::prelude::*;

use crate::spawn::{Census, IdleFleet};

/// An idle component.
#[derive(ComponentDefinition)]
struct Idle {
    ctx: ComponentContext<Self>,
    state: u64,
    census: Census,
}

impl ComponentLifecycle for Idle {
    fn on_start(&mut self) -> HandlerResult {
        self.census.started();
        Handled::OK
    }

    fn on_kill(&mut self) -> HandlerResult {
        std::hint::black_box(self.state);
        self.census.stopped();
        Handled::OK
    }
}

impl Actor for Idle {
    type Message = u64;

    fn receive_local(&mut self, value: u64) -> HandlerResult {
        self.state += value;
        Handled::OK
    }
}

/// Idle components on a kompact system; the creating and killing run as
/// futures on the system's pool.
pub(super) struct Fleet {
    system: KompactSystem,
    census: Census,
    held: Vec<Arc<Component<Idle>>>,
}

impl Fleet {
    pub(super) fn new(system: KompactSystem) -> Fleet {
        Fleet {
            system,
            census: Census::new(),
            held: Vec::new(),
        }
    }
}

impl IdleFleet for Fleet {
    fn spawn(&mut self, n: usize) {
        let (system, census) = (self.system.clone(), self.census.clone());
        let target = census.started_count() + n as u64;
        let spawning = async move {
            let mut held = Vec::with_capacity(n);
            let mut starting = Vec::with_capacity(n);
            for _ in 0..n {
                let idle = system.create(|| Idle {
                    ctx: ComponentContext::uninitialised(),
                    state: 0,
                    census: census.clone(),
                });
                starting.push(system.start_notify(&idle));
                held.push(idle);
            }
            for started in starting {
                started.await.expect("started");
            }
            census.reached(target, 0).await;
            held
        };
        self.held = self.system.spawn(spawning).wait().expect("spawned");
    }

    fn stop_all(&mut self) {
        let (system, census) = (self.system.clone(), self.census.clone());
        let held = std::mem::take(&mut self.held);
        let target = census.stopped_count() + held.len() as u64;
        let stopping = async move {
            let killed: Vec<_> = held.into_iter().map(|c| system.kill_notify(c)).collect();
            for gone in killed {
                gone.await.expect("killed");
            }
            census.reached(0, target).await;
        };
        self.system.spawn(stopping).wait().expect("stopped");
    }

    fn census(&self) -> &Census {
        &self.census
    }

    fn live_tasks(&self) -> Option<usize> {
        None
    }
}
