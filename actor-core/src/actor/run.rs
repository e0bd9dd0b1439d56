//! (crate) The run loop: control lane first, one handler at a time, every
//! failure caught and turned into a stop reason in one place.
//!
//! # Invariants
//!
//! 1. Signals are taken before every user message, so a watch notice waits
//!    for at most the handler that is running.
//! 2. A hook or handler future is polled inside `catch_unwind` and inside the
//!    reply `Handler` scope; its state is dropped inside that scope too, so a
//!    reply it held learns the real outcome (`ReplyDropped` or
//!    `HandlerFailed`).
//! 3. [`Teardown`] owns everything that must be cleaned up and does it in its
//!    `Drop`, so a killed (aborted) actor is torn down exactly like one that
//!    returned: undelivered messages dropped (their asks fail with
//!    `Stopped`), children stopped, token cancelled, registry entries
//!    removed, then the stop published to waiters and watchers.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::task::{Poll, Waker};

use crate::actor::{Actor, Failure, Phase, StopReason};
use crate::cell::CellCore;
use crate::context::Context;
use crate::error::BoxError;
use crate::mailbox::{Recv, Signal};
use crate::reply::{self, Deferred, ReplyLoss, Scope};

/// Runs an actor from `started` to teardown.
///
/// The teardown is built before the future is first polled, so an actor
/// killed before it ever ran is torn down all the same.
pub(crate) fn run<A: Actor>(actor: A, ctx: Context<A>) -> impl Future<Output = ()> + Send {
    let mut t = Teardown {
        actor: Some(actor),
        ctx,
        batch: VecDeque::new(),
        spare: Vec::new(),
        deferred: Vec::new(),
        reason: None,
    };
    async move {
        let reason = live(&mut t).await;
        t.finished(reason);
    }
}

/// Everything an actor owns while it runs; its `Drop` is the teardown.
struct Teardown<A: Actor> {
    actor: Option<A>,
    ctx: Context<A>,
    /// Messages taken from the queue, not yet handled.
    batch: VecDeque<A::Msg>,
    /// Reused buffer for waking senders when room is made.
    spare: Vec<Waker>,
    /// Replies dropped during the current handler invocation.
    deferred: Vec<Deferred>,
    /// `None` until the actor finishes on its own; `None` at drop means killed.
    reason: Option<StopReason>,
}

async fn live<A: Actor>(t: &mut Teardown<A>) -> StopReason {
    let (actor, ctx, deferred) = t.parts();
    let cell = ctx.cell().clone();
    let started = actor.started(ctx);
    let mut reason = match guarded(Phase::Started, &cell.core, deferred, started).await {
        Ok(()) => serve(t).await,
        Err(failure) => StopReason::Failed(failure),
    };
    stop_children(&mut t.ctx).await;
    let (actor, ctx, deferred) = t.parts();
    let stopped = actor.stopped(ctx, &reason);
    if let Err(failure) = guarded(Phase::Stopped, &cell.core, deferred, stopped).await {
        if !reason.is_failure() {
            reason = StopReason::Failed(failure);
        }
    }
    reason
}

/// Handles signals and messages until the mailbox is closed and drained or a
/// handler fails.
async fn serve<A: Actor>(t: &mut Teardown<A>) -> StopReason {
    let Teardown {
        actor,
        ctx,
        batch,
        spare,
        deferred,
        ..
    } = t;
    let actor = actor.as_mut().expect("the actor is present until teardown");
    let cell = ctx.cell().clone();
    loop {
        while let Some(signal) = cell.mailbox.take_signal() {
            if let Err(failure) = on_signal(actor, ctx, deferred, signal).await {
                return StopReason::Failed(failure);
            }
        }
        if let Some(msg) = batch.pop_front() {
            let handling = actor.handle(msg, ctx);
            if let Err(failure) = guarded(Phase::Handle, &cell.core, deferred, handling).await {
                return StopReason::Failed(failure);
            }
            // Share the worker fairly: yields once tokio's budget is spent.
            tokio::task::coop::consume_budget().await;
            continue;
        }
        match poll_fn(|cx| cell.mailbox.poll_recv(cx, batch, spare)).await {
            Recv::Batch => {}
            Recv::Signal(signal) => {
                if let Err(failure) = on_signal(actor, ctx, deferred, signal).await {
                    return StopReason::Failed(failure);
                }
            }
            Recv::Closed => {
                let requested = cell.core.requested_reason().cloned();
                return requested.unwrap_or(StopReason::Normal);
            }
        }
    }
}

async fn on_signal<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    deferred: &mut Vec<Deferred>,
    signal: Signal,
) -> Result<(), Failure> {
    match signal {
        Signal::Terminated(notice) => {
            let cell = ctx.cell().clone();
            let hook = actor.on_terminated(ctx, notice);
            guarded(Phase::Terminated, &cell.core, deferred, hook).await
        }
    }
}

/// Polls a hook or handler future with panics caught (invariant 2), and
/// answers the replies it dropped with its outcome.
async fn guarded<F>(
    phase: Phase,
    core: &CellCore,
    deferred: &mut Vec<Deferred>,
    fut: F,
) -> Result<(), Failure>
where
    F: Future<Output = Result<(), BoxError>>,
{
    // Held in an `Option` so its state can be dropped inside the reply scope.
    let mut slot = pin!(Some(fut));
    let outcome = poll_fn(|cx| {
        let Some(fut) = slot.as_mut().as_pin_mut() else {
            return Poll::Ready(Ok(()));
        };
        let polled = reply::in_scope(Scope::Handler, || {
            catch_unwind(AssertUnwindSafe(|| fut.poll(cx)))
        });
        reply::take_deferred(deferred);
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(Ok(()))) => Poll::Ready(Ok(())),
            Ok(Poll::Ready(Err(err))) => Poll::Ready(Err(Failure::error(phase, &err))),
            Err(payload) => Poll::Ready(Err(Failure::panic(phase, &*payload))),
        }
    })
    .await;
    reply::in_scope(Scope::Handler, || slot.set(None));
    reply::take_deferred(deferred);
    if !deferred.is_empty() {
        let loss = match &outcome {
            Ok(()) => ReplyLoss::Dropped,
            Err(failure) => ReplyLoss::HandlerFailed(failure.to_string()),
        };
        reply::resolve_deferred(deferred, &loss);
    }
    if let Err(failure) = &outcome {
        tracing::error!(
            actor = %core.label(),
            actor_type = core.type_name(),
            "actor failed: {failure}"
        );
    }
    outcome
}

/// Stops linked children in reverse start order, each before the next.
async fn stop_children<A: Actor>(ctx: &mut Context<A>) {
    for child in ctx.take_children().into_iter().rev() {
        child.cell().request_stop(StopReason::Shutdown);
        child.cell().core().wait_stopped().await;
    }
}

impl<A: Actor> Teardown<A> {
    fn parts(&mut self) -> (&mut A, &mut Context<A>, &mut Vec<Deferred>) {
        let actor = self
            .actor
            .as_mut()
            .expect("the actor is present until teardown");
        (actor, &mut self.ctx, &mut self.deferred)
    }

    /// Records that the actor finished on its own, for the teardown to report.
    fn finished(&mut self, reason: StopReason) {
        self.reason = Some(reason);
    }
}

impl<A: Actor> Drop for Teardown<A> {
    fn drop(&mut self) {
        let reason = self.reason.take().unwrap_or(StopReason::Killed);
        // A killed actor never reached `stop_children`.
        for child in self.ctx.take_children().into_iter().rev() {
            child.cell().request_stop(StopReason::Shutdown);
        }
        let cell = self.ctx.cell().clone();
        let (queued, signals) = cell.mailbox.finish();
        let batch = std::mem::take(&mut self.batch);
        reply::in_scope(Scope::Discarding, || drop((batch, queued, signals)));
        reply::resolve_deferred(&mut self.deferred, &ReplyLoss::Stopped);
        drop(self.actor.take());
        cell.core.cancel_token();
        cell.core.system.deregister(&cell.core);
        tracing::debug!(actor = %cell.core.label(), %reason, "actor stopped");
        cell.core.publish_stop(reason);
    }
}
