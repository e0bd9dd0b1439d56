//! (crate) Coordinated shutdown: stop the roots (each stops its children
//! first), wait with a deadline, then kill what is left.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::actor::StopReason;
use crate::cell::ErasedCell;
use crate::system::ActorSystem;

/// What [`ActorSystem::shutdown`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Actors that stopped on their own within the deadline.
    pub stopped: usize,
    /// Actors killed at the deadline.
    pub aborted: usize,
    /// Messages the actors took from their mailboxes after intake closed:
    /// the backlog drained (a message already in an actor's hands when
    /// intake closed is handled too, but not counted here).
    pub drained: u64,
    /// Messages never handled, because their actor was killed or failed
    /// with them queued (see [`ActorSystem::dead_letters`]).
    pub dead_lettered: u64,
    /// How long the shutdown took.
    pub elapsed: Duration,
}

/// How long to wait for killed actors to finish their teardown, which runs no
/// user hooks and so takes no longer than dropping their state.
const KILL_GRACE: Duration = Duration::from_secs(5);

pub(crate) async fn shutdown(system: &ActorSystem, deadline: Duration) -> ShutdownReport {
    let started = Instant::now();
    let inner = &system.inner;
    inner.begin_shutdown();
    let (drained_before, dead_before) = (inner.drained(), inner.dead_letters.count());
    let initial = inner.live();
    let everyone = snapshot(system);
    // From here on only actors reach actors: outside senders are refused.
    for cell in &everyone {
        cell.refuse_outside();
    }
    for root in everyone.iter().filter(|c| c.core().parent().is_none()) {
        root.stop_final(StopReason::Shutdown);
    }
    let mut aborted = 0;
    if tokio::time::timeout(deadline, inner.wait_idle())
        .await
        .is_err()
    {
        let remaining = snapshot(system);
        for cell in &remaining {
            cell.core().kill();
        }
        let _ = tokio::time::timeout(KILL_GRACE, inner.wait_idle()).await;
        aborted = remaining
            .iter()
            .filter(|c| c.core().stop_reason() == Some(&StopReason::Killed))
            .count();
    }
    inner.root_token().cancel();
    ShutdownReport {
        stopped: initial.saturating_sub(aborted),
        aborted,
        drained: inner.drained() - drained_before,
        dead_lettered: inner.dead_letters.count() - dead_before,
        elapsed: started.elapsed(),
    }
}

fn snapshot(system: &ActorSystem) -> Vec<Arc<dyn ErasedCell>> {
    system
        .inner
        .actors
        .iter()
        .map(|entry| entry.value().clone())
        .collect()
}
