//! A ring of watching relays, for tests that tear a runtime down mid-flight.

use actor_core::{Actor, ActorSystem, BoxError, Context, SpawnOptions};
use tokio::sync::oneshot;

use super::within;

/// A ring member that passes every token on and watches the next member,
/// so that stops anywhere in the ring send wake-ups to busy actors.
pub struct Relay {
    next: Option<actor_core::ActorRef<Relay>>,
    /// The first member counts tokens down and says when the ring is busy.
    busy_after: Option<(u64, oneshot::Sender<()>)>,
}

pub enum RelayMsg {
    Link(actor_core::ActorRef<Relay>),
    Token,
}

impl Actor for Relay {
    type Msg = RelayMsg;

    async fn handle(&mut self, msg: RelayMsg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            RelayMsg::Link(next) => {
                ctx.watch(&next);
                self.next = Some(next);
            }
            RelayMsg::Token => {
                if let Some((left, _)) = &mut self.busy_after {
                    *left -= 1;
                    if *left == 0
                        && let Some((_, busy)) = self.busy_after.take()
                    {
                        let _ = busy.send(());
                    }
                }
                if let Some(next) = &self.next {
                    let _ = next.tell(RelayMsg::Token).await;
                }
            }
        }
        Ok(())
    }
}

/// Builds a two-worker runtime, sets 64 tokens running round a ring of 32
/// watching actors, each spawned with `place`, waits until 10,000 tokens have
/// passed the first, and drops the runtime with the ring still running: its
/// tasks are torn down while they wake each other.
pub fn drop_a_runtime_with_a_busy_ring(place: impl Fn(&ActorSystem) -> SpawnOptions) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = ActorSystem::new();
        let (busy, is_busy) = oneshot::channel();
        let mut busy_after = Some((10_000, busy));
        let ring: Vec<_> = (0..32)
            .map(|_| {
                let relay = Relay {
                    next: None,
                    busy_after: busy_after.take(),
                };
                system.spawn_with(relay, place(&system)).unwrap()
            })
            .collect();
        for (i, member) in ring.iter().enumerate() {
            let next = ring[(i + 1) % ring.len()].clone();
            member.tell(RelayMsg::Link(next)).await.unwrap();
        }
        for _ in 0..64 {
            ring[0].tell(RelayMsg::Token).await.unwrap();
        }
        within("10,000 tokens round the ring", is_busy)
            .await
            .unwrap();
    });
    drop(runtime);
}
