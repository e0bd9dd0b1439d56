//! Fan-out / fan-in: four producers stream numbers into one summing actor
//! (merge), which then tells its result to three listeners (broadcast).

use actor_core::pattern::fan::{broadcast, merge};
use actor_core::{ActorRef, ActorSystem, handlers};

/// Sums what it is fed.
#[derive(actor_core::Actor, Debug, Default)]
pub struct Summer {
    total: u64,
    items: u64,
}

#[handlers]
impl Summer {
    /// Adds one item.
    pub fn add(&mut self, n: u64) {
        self.total += n;
        self.items += 1;
    }

    /// The total and the number of items.
    pub fn total(&mut self) -> (u64, u64) {
        (self.total, self.items)
    }
}

/// Remembers the last total it heard.
#[derive(actor_core::Actor, Debug, Default)]
pub struct Listener {
    heard: Option<u64>,
}

#[handlers]
impl Listener {
    /// Hears a total.
    pub fn hear(&mut self, total: u64) {
        self.heard = Some(total);
    }

    /// What it heard.
    pub fn heard(&mut self) -> Option<u64> {
        self.heard
    }
}

/// Runs the demo, handing every line it prints to `out`.
///
/// # Errors
///
/// When an actor cannot be spawned or stops early.
pub async fn run(mut out: impl FnMut(String)) -> Result<u64, Box<dyn std::error::Error>> {
    let system = ActorSystem::new();
    let summer = system.spawn(Summer::default())?;
    let producers = (0..4u64)
        .map(|p| tokio_stream::iter((1..=250u64).map(move |i| p * 1_000 + i)))
        .collect();
    let delivered = merge(&summer, producers, |n| SummerMsg::Add { n }).await;
    let (total, items) = summer.total().await?;
    out(format!(
        "merged {delivered} items from 4 producers: total {total} over {items} items"
    ));
    let listeners: Vec<ActorRef<Listener>> = (0..3)
        .map(|_| system.spawn(Listener::default()))
        .collect::<Result<_, _>>()?;
    let refused = broadcast(&listeners, || ListenerMsg::Hear { total }).await;
    out(format!(
        "broadcast to {} listeners, {} refused",
        listeners.len(),
        refused.len()
    ));
    for (i, listener) in listeners.iter().enumerate() {
        out(format!("listener {i} heard {:?}", listener.heard().await?));
    }
    system.shutdown().await;
    Ok(total)
}
