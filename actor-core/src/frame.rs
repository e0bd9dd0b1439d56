//! (crate) The handler frame: what the runtime knows about the code running
//! on this thread, set around every poll of a hook or handler.
//!
//! Two things need it: a [`Reply`](crate::Reply) dropped unanswered must know
//! whether the handler holding it may still fail (then its answer waits for
//! the outcome), and a tell or ask must know which actor, if any, is waiting
//! (for the wait-for graph). Both live in one `Copy` thread-local, so a
//! handler poll costs two thread-local writes.
//!
//! # Invariants
//!
//! 1. The frame is set only for the duration of one synchronous poll, so it
//!    never leaks to another task running later on the same thread.
//! 2. Replies deferred during a poll are moved out of the thread-local into
//!    the actor's own list before the poll returns, since the next poll of the
//!    same handler may run on another thread.

use std::cell::{Cell, RefCell};

use crate::actor::ActorId;
use crate::lazy_vec::LazyVec;
use crate::reply::ReplyLoss;

/// How a reply dropped unanswered on this thread is treated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Scope {
    /// Outside any actor's handler: a drop means the holder dropped it.
    Detached,
    /// Inside a handler poll: the outcome is known only when it finishes.
    Handler,
    /// The runtime is discarding undelivered messages of a stopped actor.
    Discarding,
}

#[derive(Clone, Copy)]
struct Frame {
    scope: Scope,
    actor: Option<ActorId>,
    deferred_any: bool,
}

const DETACHED: Frame = Frame {
    scope: Scope::Detached,
    actor: None,
    deferred_any: false,
};

/// The answer a deferred reply sends once its handler's outcome is known.
pub(crate) type Deferred = Box<dyn FnOnce(ReplyLoss) + Send>;

thread_local! {
    static FRAME: Cell<Frame> = const { Cell::new(DETACHED) };
    static DEFERRED: RefCell<Vec<Deferred>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn scope() -> Scope {
    FRAME.get().scope
}

/// The actor whose hook or handler is being polled on this thread, if any.
pub(crate) fn current_actor() -> Option<ActorId> {
    FRAME.get().actor
}

/// Defers a reply's answer to the end of the handler invocation.
pub(crate) fn defer(answer: Deferred) {
    DEFERRED.with_borrow_mut(|deferred| deferred.push(answer));
    let mut frame = FRAME.get();
    frame.deferred_any = true;
    FRAME.set(frame);
}

/// Runs `f` with replies dropped on this thread treated as `scope`.
pub(crate) fn in_scope<T>(scope: Scope, f: impl FnOnce() -> T) -> T {
    let outer = FRAME.replace(Frame {
        scope,
        actor: None,
        deferred_any: false,
    });
    let _restore = Restore(outer);
    f()
}

struct Restore(Frame);

impl Drop for Restore {
    fn drop(&mut self) {
        FRAME.set(self.0);
    }
}

/// Runs one poll `f` of `actor`'s hook or handler, then moves the replies it
/// deferred into `into` (invariant 2). `f` must not unwind: the run loop
/// wraps the poll in `catch_unwind`.
pub(crate) fn in_handler<T>(
    actor: ActorId,
    into: &mut LazyVec<Deferred>,
    f: impl FnOnce() -> T,
) -> T {
    let outer = FRAME.replace(Frame {
        scope: Scope::Handler,
        actor: Some(actor),
        deferred_any: false,
    });
    let value = f();
    if FRAME.replace(outer).deferred_any {
        DEFERRED.with_borrow_mut(|deferred| into.append(deferred));
    }
    value
}

/// Answers every reply deferred during a handler invocation, now that its
/// outcome is known.
pub(crate) fn resolve_deferred(deferred: &mut LazyVec<Deferred>, loss: &ReplyLoss) {
    for answer in deferred.take() {
        answer(loss.clone());
    }
}
