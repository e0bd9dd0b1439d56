//! (crate) The run loop: control lane first, one handler at a time, every
//! failure caught and turned into a stop reason in one place.
//!
//! # Invariants
//!
//! 1. Signals are taken before every user message, so a watch notice waits
//!    for at most the handler that is running.
//! 2. A hook or handler future is pinned in place in the loop's own state (no
//!    box, no move) and each poll runs inside `catch_unwind` and the reply
//!    `Handler` scope, so a reply it drops, also while unwinding from a
//!    panic, learns the real outcome (`ReplyDropped` or `HandlerFailed`).
//! 3. [`Teardown`] owns everything that must be cleaned up and does it in its
//!    `Drop`, so a killed (aborted) actor is torn down exactly like one that
//!    returned: undelivered messages dropped (their asks fail with
//!    `Stopped`), children stopped, token cancelled, registry entries
//!    removed, then the stop published to waiters and watchers.
//! 4. After [`YIELD_EVERY`] messages handled back to back the loop yields, so
//!    a busy actor cannot starve others on its worker.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::actor::ChildExit;
use crate::actor::{Actor, ActorId, Failure, Phase, StopReason};
use crate::cell::ErasedCell;
use crate::cell::{ActorCell, CellCore};
use crate::context::Context;
use crate::error::BoxError;
use crate::frame::{self, Deferred, Scope};
use crate::lazy_vec::LazyVec;
use crate::mailbox::{Decision, Recv, Signal};
use crate::reply::ReplyLoss;
use crate::system::Factory;
use tokio_util::either::Either;

/// The message of the `expect`s on `Teardown::actor`, which is `None` only
/// inside `Drop`.
const PRESENT: &str = "the actor is present until teardown";

/// Messages handled back to back before the loop yields to the scheduler.
const YIELD_EVERY: u32 = 128;

/// Runs an actor from `started` to teardown.
///
/// The teardown is built before the future is first polled, so an actor
/// killed before it ever ran is torn down all the same.
pub(crate) fn run<A: Actor>(
    actor: A,
    ctx: Context<A>,
    factory: Option<Box<Factory<A>>>,
) -> impl Future<Output = ()> + Send {
    let teardown = Teardown {
        cell: ctx.cell().clone(),
        actor: Some(actor),
        ctx,
        batch: VecDeque::new(),
        factory,
        finished: None,
    };
    teardown.live()
}

/// Everything an actor owns while it runs; its `Drop` is the teardown.
struct Teardown<A: Actor> {
    cell: Arc<ActorCell<A::Msg>>,
    actor: Option<A>,
    ctx: Context<A>,
    /// Messages taken from the queue, not yet handled.
    batch: VecDeque<A::Msg>,
    /// How a supervised actor builds its next incarnation; `None` when it is
    /// not supervised.
    factory: Option<Box<Factory<A>>>,
    /// Why the actor stopped, once `live` has run to the end; `None` at
    /// drop means it was killed.
    finished: Option<StopReason>,
}

impl<A: Actor> Teardown<A> {
    /// Runs incarnations until one ends for good, leaving the final reason
    /// in `finished`, then tears down by dropping `self`. Taking `self` by
    /// value makes this the actor task's only state machine level; dropping
    /// the future early (a kill) drops `self` all the same.
    ///
    /// An `async move` block that uses the captured `self` in place, not an
    /// `async fn`: an `async fn` keeps its argument twice (as captured and
    /// as bound), which made every actor's task 128 bytes larger.
    #[allow(clippy::manual_async_fn)]
    fn live(mut self) -> impl Future<Output = ()> + Send {
        async move {
            loop {
                let reason = self.serve().await;
                self.wind_down(reason).await;
                let reason = self.finished.take().expect("set by wind_down");
                if !self.restarted(reason).await {
                    return;
                }
            }
        }
    }

    /// Stops the children, then runs `stopped`: a failure there turns a
    /// clean stop into a failure.
    async fn wind_down(&mut self, reason: StopReason) {
        if self.ctx.has_children() {
            // Boxed: only parents pay for the room stopping children takes.
            Box::pin(self.stop_children()).await;
        }
        let stopped = {
            let actor = self.actor.as_mut().expect(PRESENT);
            let fut = pin!(actor.stopped(&mut self.ctx, &reason));
            hook(Phase::Stopped, &self.cell.id, &self.cell.core, fut).await
        };
        self.finished = Some(match stopped {
            Err(failure) if !reason.is_failure() => StopReason::Failed(failure),
            _ => reason,
        });
    }

    /// For a supervised actor: reports the end of this incarnation to the
    /// supervisor and waits for its decision. Returns whether a fresh
    /// incarnation is ready; otherwise `finished` holds the final reason.
    async fn restarted(&mut self, reason: StopReason) -> bool {
        let Some(parent) = self.factory.as_ref().and(self.cell.core.parent()) else {
            self.finished = Some(reason);
            return false;
        };
        let waits = !self.cell.core.is_final_stop();
        let me: Arc<dyn ErasedCell> = self.cell.clone();
        let label = self.cell.core.label().clone();
        let exit = ChildExit::new(label, reason.clone(), waits.then_some(me));
        // If the supervisor is gone, the notice drops and decides `Stop`.
        parent.push_signal(Signal::ChildExit(Box::new(exit)));
        if !waits {
            self.finished = Some(reason);
            return false;
        }
        let decision = poll_fn(|cx| self.cell.mailbox.poll_decision(cx)).await;
        let Decision::Restart(delay) = decision else {
            self.finished = Some(reason);
            return false;
        };
        if !delay.is_zero() {
            // Boxed: a timer is large, and only restarts with a backoff pay.
            Box::pin(tokio::time::sleep(delay)).await;
        }
        let factory = self.factory.as_mut().expect("supervised");
        self.actor = Some(factory());
        self.cell.core.clear_stop_request();
        self.cell.mailbox.reopen();
        true
    }

    /// Runs `started`, then handles signals and messages until the mailbox
    /// is closed and drained or a hook fails.
    ///
    /// A message's handler future is built where it is awaited, so it is
    /// never moved; the rarer signal hooks share a second slot.
    async fn serve(&mut self) -> StopReason {
        {
            let actor = self.actor.as_mut().expect(PRESENT);
            let started = pin!(actor.started(&mut self.ctx));
            if let Err(failure) =
                hook(Phase::Started, &self.cell.id, &self.cell.core, started).await
            {
                return StopReason::Failed(failure);
            }
        }
        let mut streak = 0u32;
        // Whether the last refill left this actor drowsy (mailbox invariant 3).
        let mut drowsy = false;
        loop {
            let actor = self.actor.as_mut().expect(PRESENT);
            // Counted as it starts, so an answer never overtakes its count.
            let outcome = if let Some(signal) = self.cell.mailbox.take_signal() {
                let (phase, work) = match signal {
                    Signal::Interrupt => return StopReason::Shutdown,
                    // A decision comes only between incarnations; a late one
                    // for an earlier incarnation has nothing left to decide.
                    Signal::Decision(_) => continue,
                    Signal::Terminated(notice) => (
                        Phase::Terminated,
                        Either::Left(actor.on_terminated(&mut self.ctx, *notice)),
                    ),
                    Signal::ChildExit(exit) => (
                        Phase::ChildExit,
                        Either::Right(actor.on_child_exit(&mut self.ctx, *exit)),
                    ),
                };
                self.cell.mailbox.count_handled();
                let work = pin!(work);
                hook(phase, &self.cell.id, &self.cell.core, work).await
            } else if let Some(msg) = self.batch.pop_front() {
                self.cell.mailbox.count_handled();
                // Built where it is polled: the handler's future never moves.
                let work = pin!(actor.handle(msg, &mut self.ctx));
                hook(Phase::Handle, &self.cell.id, &self.cell.core, work).await
            } else {
                streak = 0;
                let (cell, batch) = (&self.cell, &mut self.batch);
                // Drowsy, and nothing came since the batch was taken: sleep
                // without the lock (mailbox invariant 3).
                let mut may_sleep = std::mem::take(&mut drowsy);
                let refill = poll_fn(|cx| {
                    if std::mem::take(&mut may_sleep) && cell.mailbox.fall_asleep() {
                        return Poll::Pending;
                    }
                    cell.mailbox.poll_recv(cx, batch)
                });
                match refill.await {
                    Recv::Signal => continue,
                    Recv::Batch { drowsy: is_drowsy } => {
                        drowsy = is_drowsy;
                        if cell.mailbox.is_closing() {
                            cell.core.system.count_drained(batch.len());
                        }
                        continue;
                    }
                    Recv::Closed => {
                        let requested = cell.core.requested_reason();
                        return requested.unwrap_or(StopReason::Normal);
                    }
                }
            };
            if let Err(failure) = outcome {
                return StopReason::Failed(failure);
            }
            streak += 1;
            if streak == YIELD_EVERY {
                streak = 0;
                tokio::task::yield_now().await;
            }
        }
    }

    /// Stops linked children in reverse start order, each by its shutdown
    /// policy and each before the next.
    async fn stop_children(&mut self) {
        while let Some(child) = self.ctx.pop_child() {
            child.shut_down().await;
        }
    }
}

/// Drives a pinned hook or handler future to completion (invariant 2) and
/// answers the replies it dropped with its outcome. A `poll_fn`, not an
/// `async fn`, so the loop's state holds one small closure per await.
fn hook<'a, F>(
    phase: Phase,
    id: &'a ActorId,
    core: &'a CellCore,
    mut fut: Pin<&'a mut F>,
) -> impl Future<Output = Result<(), Failure>> + 'a
where
    F: Future<Output = Result<(), BoxError>>,
{
    // Replies this invocation deferred; if the actor is killed mid-handler
    // they drop with the closure and their asks see the kill.
    let mut deferred = LazyVec::new();
    poll_fn(move |cx| {
        let outcome = match poll_caught(phase, *id, fut.as_mut(), cx, &mut deferred) {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => return Poll::Pending,
        };
        if !deferred.is_empty() {
            let loss = match &outcome {
                Ok(()) => ReplyLoss::Dropped,
                Err(failure) => ReplyLoss::HandlerFailed(failure.to_string()),
            };
            frame::resolve_deferred(&mut deferred, &loss);
        }
        if let Err(failure) = &outcome {
            tracing::error!(
                actor = %core.label(),
                actor_type = core.type_name(),
                "actor failed: {failure}"
            );
        }
        Poll::Ready(outcome)
    })
}

fn poll_caught<F>(
    phase: Phase,
    id: ActorId,
    fut: Pin<&mut F>,
    cx: &mut TaskContext<'_>,
    deferred: &mut LazyVec<Deferred>,
) -> Poll<Result<(), Failure>>
where
    F: Future<Output = Result<(), BoxError>>,
{
    let polled = frame::in_handler(id, deferred, || {
        catch_unwind(AssertUnwindSafe(|| fut.poll(cx)))
    });
    match polled {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(Ok(()))) => Poll::Ready(Ok(())),
        Ok(Poll::Ready(Err(err))) => Poll::Ready(Err(Failure::error(phase, &err))),
        Err(payload) => Poll::Ready(Err(Failure::panic(phase, &*payload))),
    }
}

impl<A: Actor> Drop for Teardown<A> {
    fn drop(&mut self) {
        let reason = self.finished.take().unwrap_or(StopReason::Killed);
        // A killed actor never reached `stop_children`.
        for child in self.ctx.take_children().into_iter().rev() {
            child.cell().stop_final(StopReason::Shutdown);
        }
        let cell = self.cell.clone();
        let (queued, signals) = cell.mailbox.finish();
        let batch = std::mem::take(&mut self.batch);
        let undelivered = queued.len() + batch.len();
        let message_type = std::any::type_name::<A::Msg>();
        let core = &cell.core;
        core.system
            .dead_letters
            .record(core.label(), message_type, undelivered, &reason);
        frame::in_scope(Scope::Discarding, || drop((batch, queued, signals)));
        drop(self.actor.take());
        cell.core.cancel_token();
        cell.core.system.deregister(&cell.core);
        tracing::debug!(actor = %cell.core.label(), %reason, "actor stopped");
        cell.core.publish_stop(reason);
    }
}
