//! Every public error type of the runtime.
//!
//! One enum per failure family; a caller matches only the variants its call
//! can produce. Errors that carry an undelivered message hand it back with
//! `into_inner()`, so nothing is lost silently.

use std::fmt;
use std::time::Duration;

use crate::actor::ActorLabel;

/// A boxed error, the failure type of actor hooks and handlers.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

// ===== SendError =====

/// A waiting send (`tell`) failed; the message is handed back, nothing is
/// dropped silently.
#[derive(PartialEq, Eq, Clone)]
pub enum SendError<M> {
    /// The actor has stopped or is stopping and accepts no more messages.
    Closed(M),
    /// The system is shutting down and refuses messages from outside its
    /// actors (actors still reach each other while they drain).
    ShuttingDown(M),
}

impl<M> SendError<M> {
    /// Returns the message that could not be delivered.
    pub fn into_inner(self) -> M {
        match self {
            SendError::Closed(m) | SendError::ShuttingDown(m) => m,
        }
    }
}

impl<M> fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Closed(_) => f.write_str("Closed(..)"),
            SendError::ShuttingDown(_) => f.write_str("ShuttingDown(..)"),
        }
    }
}

impl<M> fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Closed(_) => {
                f.write_str("actor has stopped; the message was handed back unsent")
            }
            SendError::ShuttingDown(_) => f.write_str(
                "the actor system is shutting down and accepts no new messages from outside; \
                 the message was handed back unsent",
            ),
        }
    }
}

impl<M> std::error::Error for SendError<M> {}

// ===== TrySendError =====

/// A non-waiting send (`try_tell`) failed; the message is handed back.
#[derive(PartialEq, Eq, Clone)]
pub enum TrySendError<M> {
    /// The mailbox is at capacity; `tell` would wait for room.
    Full(M),
    /// The actor has stopped and accepts no more messages.
    Closed(M),
    /// The system is shutting down and refuses messages from outside.
    ShuttingDown(M),
}

impl<M> TrySendError<M> {
    /// Returns the message that could not be delivered.
    pub fn into_inner(self) -> M {
        match self {
            TrySendError::Full(m) | TrySendError::Closed(m) | TrySendError::ShuttingDown(m) => m,
        }
    }

    /// Whether the send failed because the mailbox was full.
    pub fn is_full(&self) -> bool {
        matches!(self, TrySendError::Full(_))
    }

    /// Whether the send failed because the actor has stopped.
    pub fn is_closed(&self) -> bool {
        matches!(self, TrySendError::Closed(_))
    }
}

impl<M> fmt::Debug for TrySendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
            TrySendError::ShuttingDown(_) => f.write_str("ShuttingDown(..)"),
        }
    }
}

impl<M> fmt::Display for TrySendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => {
                f.write_str("mailbox is full; use `tell` to wait for room, or retry later")
            }
            TrySendError::Closed(m) => fmt::Display::fmt(&SendError::Closed(m), f),
            TrySendError::ShuttingDown(m) => fmt::Display::fmt(&SendError::ShuttingDown(m), f),
        }
    }
}

impl<M> std::error::Error for TrySendError<M> {}

impl<M> From<SendError<M>> for TrySendError<M> {
    fn from(err: SendError<M>) -> Self {
        match err {
            SendError::Closed(m) => TrySendError::Closed(m),
            SendError::ShuttingDown(m) => TrySendError::ShuttingDown(m),
        }
    }
}

// ===== AskError =====

/// A request/reply (`ask`) did not produce an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AskError {
    /// No answer arrived within the timeout.
    #[error(
        "ask to actor {actor} timed out after {after:?}; raise the timeout with `ask_timeout` or check that the handler replies"
    )]
    Timeout {
        /// The actor that was asked.
        actor: ActorLabel,
        /// How long the caller waited.
        after: Duration,
    },
    /// The actor stopped before it answered (or had stopped before the ask).
    #[error("actor {actor} stopped before answering")]
    Stopped {
        /// The actor that was asked.
        actor: ActorLabel,
    },
    /// The handler failed (returned `Err` or panicked) while handling the request.
    #[error("actor {actor} failed while handling the request: {reason}")]
    HandlerFailed {
        /// The actor that was asked.
        actor: ActorLabel,
        /// The failure, as the handler reported it.
        reason: String,
    },
    /// The handler finished without answering and dropped the reply handle.
    #[error(
        "actor {actor} dropped the reply handle without answering; the handler must call `Reply::send`"
    )]
    ReplyDropped {
        /// The actor that was asked.
        actor: ActorLabel,
    },
    /// The mailbox was full (only from `try_ask`, which does not wait for room).
    #[error("mailbox of actor {actor} is full; use `ask` to wait for room")]
    Full {
        /// The actor that was asked.
        actor: ActorLabel,
    },
    /// The ask would wait on itself: the target is, directly or through
    /// others, waiting on the asker. It fails at once instead of hanging.
    #[error("ask would deadlock: wait cycle {}", CyclePath(.cycle))]
    Cycle {
        /// The actors in the cycle, starting with the asker.
        cycle: Vec<ActorLabel>,
    },
}

struct CyclePath<'a>(&'a [ActorLabel]);

impl fmt::Display for CyclePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for label in self.0 {
            write!(f, "{label} -> ")?;
        }
        match self.0.first() {
            Some(first) => write!(f, "{first}"),
            None => Ok(()),
        }
    }
}

// ===== StrandTaskError =====

/// A task spawned on a [`Strand`](crate::Strand) gave no output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StrandTaskError {
    /// The task panicked; the panic was logged and went no further.
    #[error("the task on the strand panicked; see the log for its message")]
    Panicked,
    /// The task was aborted, or its strand's runtime shut down before it
    /// finished.
    #[error("the task on the strand was aborted or its runtime shut down before it finished")]
    Cancelled,
}

// ===== SpawnError, LookupError, ConfigError =====

/// An actor could not be spawned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpawnError {
    /// Another live actor is registered under this name.
    #[error(
        "an actor named `{0}` is already registered; pick another name or stop that actor first"
    )]
    NameTaken(String),
    /// The system is shutting down and accepts no new actors.
    #[error("the actor system is shutting down; no new actors are accepted")]
    ShuttingDown,
    /// The spawn options were invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The strand in the spawn options runs on another actor system.
    #[error(
        "the strand belongs to another actor system; create one on this system with `Strand::new`"
    )]
    ForeignStrand,
}

/// A registry lookup by name failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No live actor is registered under this name.
    #[error("no actor is registered under the name `{0}`")]
    NotFound(String),
    /// An actor is registered under this name, but of another type.
    #[error("actor `{name}` is a `{actual}`, not a `{expected}`")]
    WrongType {
        /// The name looked up.
        name: String,
        /// The type the caller asked for.
        expected: &'static str,
        /// The type of the registered actor.
        actual: &'static str,
    },
}

/// A configuration value was invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A bounded mailbox needs room for at least one message.
    #[error(
        "mailbox capacity must be at least 1 (got 0); use `MailboxConfig::Unbounded` for no limit"
    )]
    ZeroCapacity,
    /// A timeout of zero would fail every call.
    #[error("`{field}` must be greater than zero")]
    ZeroTimeout {
        /// The configuration field.
        field: &'static str,
    },
    /// A restart backoff is inconsistent.
    #[error("invalid restart backoff: {0}")]
    InvalidBackoff(&'static str),
    /// The system was built outside a tokio runtime and was given none.
    #[error(
        "no tokio runtime: build the actor system inside a runtime or pass one with `ActorSystemBuilder::runtime`"
    )]
    NoRuntime,
}
