//! (crate) The dead-letter sink: messages still queued when an actor is
//! killed or fails are counted, logged at debug level, and announced to
//! subscribers, so nothing disappears without a trace.
//!
//! The message itself is dropped where the actor stopped, in the runtime's
//! discarding scope, so an ask among them still fails with `Stopped`; a
//! subscriber receives a [`DeadLetter`] notice describing it.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::broadcast;

use crate::actor::{ActorLabel, StopReason};

/// How many notices a slow subscriber may fall behind before it misses some
/// (it learns how many from `RecvError::Lagged`).
const CAPACITY: usize = 1024;

/// A message that was never handled: its actor was killed or failed with it
/// still queued.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeadLetter {
    /// The actor the message was for.
    pub actor: ActorLabel,
    /// The message's type.
    pub message_type: &'static str,
    /// Why the actor stopped.
    pub reason: StopReason,
}

pub(crate) struct DeadLetters {
    count: AtomicU64,
    sink: broadcast::Sender<DeadLetter>,
}

impl DeadLetters {
    pub(crate) fn new() -> Self {
        DeadLetters {
            count: AtomicU64::new(0),
            sink: broadcast::channel(CAPACITY).0,
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<DeadLetter> {
        self.sink.subscribe()
    }

    /// Records `n` undelivered messages of type `message_type`.
    pub(crate) fn record(
        &self,
        actor: &ActorLabel,
        message_type: &'static str,
        n: usize,
        reason: &StopReason,
    ) {
        if n == 0 {
            return;
        }
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        tracing::debug!(%actor, message_type, count = n, %reason, "dead letters");
        if self.sink.receiver_count() == 0 {
            return;
        }
        for _ in 0..n {
            let _ = self.sink.send(DeadLetter {
                actor: actor.clone(),
                message_type,
                reason: reason.clone(),
            });
        }
    }
}
