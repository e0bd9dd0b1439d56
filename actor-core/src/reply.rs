//! [`Reply`], the answer handle an ask carries, and how an unanswered reply
//! learns why it went unanswered.
//!
//! A reply dropped without an answer tells its asker why: the handler
//! dropped it (`ReplyDropped`), the handler failed while holding it
//! (`HandlerFailed`, with the reason), or the actor stopped with the request
//! still queued (`Stopped`). A reply dropped inside a handler cannot know yet
//! whether the handler will fail, so its answer is deferred to the end of that
//! handler invocation, which the run loop resolves with the real outcome.

use std::fmt;

use tokio::sync::oneshot;

use crate::actor::ActorLabel;
use crate::error::AskError;
use crate::frame::{self, Scope};

/// Why a reply went unanswered.
#[derive(Debug, Clone)]
pub(crate) enum ReplyLoss {
    Dropped,
    Stopped,
    HandlerFailed(String),
}

type Outcome<R> = Result<R, ReplyLoss>;

/// The asker's end of a [`Reply`].
pub(crate) type ReplyReceiver<R> = oneshot::Receiver<Outcome<R>>;

/// What an ask's reply channel delivered, as the ask's result; errors name
/// `target`. `killed` is asked only for a reply dropped unanswered: a kill
/// drops the handler mid-flight, outside any reply scope, so that drop
/// means the actor stopped.
pub(crate) fn answer<R>(
    target: &ActorLabel,
    received: Result<Outcome<R>, oneshot::error::RecvError>,
    killed: impl Fn() -> bool,
) -> Result<R, AskError> {
    let actor = || target.clone();
    match received {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(ReplyLoss::HandlerFailed(reason))) => Err(AskError::HandlerFailed {
            actor: actor(),
            reason,
        }),
        Ok(Err(ReplyLoss::Stopped)) => Err(AskError::Stopped { actor: actor() }),
        Ok(Err(ReplyLoss::Dropped)) | Err(_) if killed() => {
            Err(AskError::Stopped { actor: actor() })
        }
        Ok(Err(ReplyLoss::Dropped)) | Err(_) => Err(AskError::ReplyDropped { actor: actor() }),
    }
}

/// The answer handle of a request/reply (`ask`): a handler answers by calling
/// [`send`](Reply::send) once.
///
/// Dropping it without an answer fails the ask with
/// [`AskError::ReplyDropped`](crate::error::AskError::ReplyDropped), or with
/// `HandlerFailed` when the handler failed, or `Stopped` when the actor
/// stopped before handling the request.
pub struct Reply<R: Send + 'static> {
    tx: Option<oneshot::Sender<Outcome<R>>>,
}

impl<R: Send + 'static> Reply<R> {
    pub(crate) fn channel() -> (Self, oneshot::Receiver<Outcome<R>>) {
        let (tx, rx) = oneshot::channel();
        (Reply { tx: Some(tx) }, rx)
    }

    /// Answers the ask.
    ///
    /// If the asker has stopped waiting (its ask timed out or was dropped),
    /// the value is dropped: see [`guarantees`](crate::guarantees).
    pub fn send(mut self, value: R) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Ok(value));
        }
    }

    /// Whether the asker has stopped waiting for the answer.
    pub fn is_closed(&self) -> bool {
        self.tx.as_ref().is_none_or(|tx| tx.is_closed())
    }
}

impl<R: Send + 'static> Drop for Reply<R> {
    fn drop(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        match frame::scope() {
            Scope::Detached => {
                let _ = tx.send(Err(ReplyLoss::Dropped));
            }
            Scope::Discarding => {
                let _ = tx.send(Err(ReplyLoss::Stopped));
            }
            Scope::Handler => frame::defer(Box::new(move |loss| {
                let _ = tx.send(Err(loss));
            })),
        }
    }
}

impl<R: Send + 'static> fmt::Debug for Reply<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("answered", &self.tx.is_none())
            .finish()
    }
}
