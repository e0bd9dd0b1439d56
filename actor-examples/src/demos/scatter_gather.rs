//! Scatter-gather: ask five replicas for a price, take the first three
//! answers (a quorum) within a deadline, and report every replica.

use std::time::Duration;

use actor_core::pattern::fan::{Outcome, scatter_gather};
use actor_core::{ActorSystem, handlers};

/// A replica that quotes a price after its own delay, or fails.
#[derive(actor_core::Actor, Debug)]
pub struct Replica {
    price: u64,
    delay: Duration,
    broken: bool,
}

#[handlers]
impl Replica {
    /// The replica's quote.
    ///
    /// # Panics
    ///
    /// When the replica is broken: the runtime catches it and the asker
    /// sees the failure.
    pub async fn quote(&mut self) -> u64 {
        tokio::time::sleep(self.delay).await;
        assert!(!self.broken, "replica is broken");
        self.price
    }
}

/// Runs the demo, handing every line it prints to `out`.
///
/// # Errors
///
/// When a replica cannot be spawned.
pub async fn run(mut out: impl FnMut(String)) -> Result<Vec<u64>, Box<dyn std::error::Error>> {
    let system = ActorSystem::new();
    let setups = [
        (101, 5, false),
        (99, 10, false),
        (120, 15, true),
        (100, 20, false),
        (98, 5_000, false),
    ];
    let mut replicas = Vec::new();
    for (price, delay, broken) in setups {
        let delay = Duration::from_millis(delay);
        replicas.push(system.spawn(Replica {
            price,
            delay,
            broken,
        })?);
    }
    let gathered = scatter_gather(
        &replicas,
        |reply| ReplicaMsg::Quote { reply },
        Duration::from_secs(1),
        Some(3),
    )
    .await;
    for (i, (_, outcome)) in gathered.outcomes.iter().enumerate() {
        let line = match outcome {
            Outcome::Answered(price) => format!("replica {i}: quoted {price}"),
            Outcome::Failed(err) => format!("replica {i}: failed ({err})"),
            Outcome::Late => format!("replica {i}: no answer in time"),
        };
        out(line);
    }
    let mut prices: Vec<u64> = gathered.answers().copied().collect();
    prices.sort_unstable();
    out(format!(
        "quorum reached: {}; best price {:?}",
        gathered.complete,
        prices.first()
    ));
    system.shutdown().await;
    Ok(prices)
}
