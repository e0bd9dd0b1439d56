//! [`Context`]: what a running actor knows about itself and can do beyond
//! its state: stop, spawn linked children, timers, streams, watches, and a
//! cancellation token for the work it starts.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::AbortHandle;
use tokio_stream::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::actor::{Actor, ActorId, ActorLabel, StopReason};
use crate::actor_ref::{ActorRef, Tell};
use crate::cell::{ActorCell, ErasedCell, Hold};
use crate::error::{SpawnError, TrySendError};
use crate::lazy_vec::LazyVec;
use crate::strand::Strand;
use crate::supervision::Shutdown;
use crate::system::{ActorSystem, Factory, SpawnOptions};

/// The running actor's view of itself, passed to every hook and handler.
pub struct Context<A: Actor> {
    cell: Arc<ActorCell<A::Msg>>,
    children: LazyVec<Hold>,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(cell: Arc<ActorCell<A::Msg>>) -> Self {
        Context {
            cell,
            children: LazyVec::new(),
        }
    }

    pub(crate) fn cell(&self) -> &Arc<ActorCell<A::Msg>> {
        &self.cell
    }

    pub(crate) fn has_children(&self) -> bool {
        !self.children.is_empty()
    }

    /// The most recently spawned linked child still held.
    pub(crate) fn pop_child(&mut self) -> Option<Hold> {
        self.children.pop()
    }

    pub(crate) fn take_children(&mut self) -> Vec<Hold> {
        self.children.take()
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.cell.core.id()
    }

    /// The actor's registered name, if any.
    pub fn name(&self) -> Option<&str> {
        self.cell.core.label().name()
    }

    /// The actor's id and name.
    pub fn label(&self) -> &ActorLabel {
        self.cell.core.label()
    }

    /// A strong reference to this actor.
    ///
    /// An actor that keeps a strong reference to itself in its own state
    /// keeps itself running until it is stopped explicitly.
    pub fn actor_ref(&self) -> ActorRef<A> {
        ActorRef::from_cell(self.cell.clone())
    }

    /// The system this actor runs in.
    pub fn system(&self) -> ActorSystem {
        ActorSystem::from_inner(self.cell.core.system.clone())
    }

    /// The [`Strand`] this actor runs on, if it was spawned on one: spawn a
    /// child with [`SpawnOptions::strand`] on it to keep the two on one
    /// thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::prelude::*;
    /// use actor_core::{SpawnOptions, Strand};
    ///
    /// struct Parent;
    ///
    /// impl Actor for Parent {
    ///     type Msg = Reply<bool>;
    ///
    ///     async fn handle(&mut self, reply: Reply<bool>, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         let beside = SpawnOptions::new().strand(&ctx.strand().expect("on a strand"));
    ///         let child = ctx.spawn_linked_with(Parent, beside)?;
    ///         reply.send(child.is_alive());
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::new();
    /// let strand = Strand::new(&system);
    /// let parent = system.spawn_with(Parent, SpawnOptions::new().strand(&strand))?;
    /// assert!(parent.ask(|reply| reply).await?);
    /// # system.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn strand(&self) -> Option<Strand> {
        self.cell.core.strand()
    }

    /// Stops this actor gracefully once the current handler returns: no new
    /// messages are accepted, queued ones are handled, then it stops with
    /// [`StopReason::Normal`].
    pub fn stop(&self) {
        self.cell.request_stop(StopReason::Normal);
    }

    /// A token cancelled when this actor stops; a child of its parent's token
    /// (or of the system's), so stopping an ancestor cancels it too. Hand it
    /// to async work a handler starts.
    pub fn cancellation_token(&self) -> CancellationToken {
        self.cell.core.token().clone()
    }

    // ===== children =====

    /// Spawns a child linked to this actor: this actor holds it (it runs even
    /// if every other reference is dropped), and it is stopped and waited for
    /// before this actor's `stopped` hook runs.
    ///
    /// # Errors
    ///
    /// As [`ActorSystem::spawn_with`].
    pub fn spawn_linked<C: Actor>(&mut self, child: C) -> Result<ActorRef<C>, SpawnError> {
        self.spawn_linked_with(child, SpawnOptions::default())
    }

    /// Spawns a linked child with a name or mailbox of its own.
    ///
    /// # Errors
    ///
    /// As [`ActorSystem::spawn_with`].
    pub fn spawn_linked_with<C: Actor>(
        &mut self,
        child: C,
        options: SpawnOptions,
    ) -> Result<ActorRef<C>, SpawnError> {
        self.spawn_child(child, options, None, Shutdown::Wait)
    }

    /// Spawns a supervised child: `factory` builds its first actor and the
    /// actor of every restart. When an incarnation of it ends (a failure, a
    /// stop it asked for itself, an interrupt), the child keeps its mailbox
    /// and its references and waits while this actor's
    /// [`on_child_exit`](Actor::on_child_exit) decides: restart (now or after
    /// a delay) or stop. When this actor stops, the child is stopped by
    /// `shutdown`.
    ///
    /// # Errors
    ///
    /// As [`ActorSystem::spawn_with`].
    pub fn spawn_supervised<C: Actor>(
        &mut self,
        mut factory: impl FnMut() -> C + Send + 'static,
        options: SpawnOptions,
        shutdown: Shutdown,
    ) -> Result<ActorRef<C>, SpawnError> {
        let first = factory();
        self.spawn_child(first, options, Some(Box::new(Box::new(factory))), shutdown)
    }

    fn spawn_child<C: Actor>(
        &mut self,
        child: C,
        options: SpawnOptions,
        factory: Option<Box<Factory<C>>>,
        shutdown: Shutdown,
    ) -> Result<ActorRef<C>, SpawnError> {
        let parent: Arc<dyn ErasedCell> = self.cell.clone();
        let child = self
            .system()
            .spawn_inner(child, options, Some(parent), factory)?;
        self.prune_children();
        self.children.push(Hold::new(child.erased(), shutdown));
        Ok(child)
    }

    /// Ends the current incarnation of a supervised child at its next message
    /// boundary, keeping its queue; it then waits for a decision in
    /// [`on_child_exit`](Actor::on_child_exit). Does nothing to an actor that
    /// is not supervised by this one.
    pub fn interrupt_child<C: Actor>(&self, child: &ActorRef<C>) {
        let is_ours = child
            .cell()
            .core
            .parent()
            .is_some_and(|p| std::ptr::addr_eq(Arc::as_ptr(p), Arc::as_ptr(&self.cell)));
        if is_ours {
            child.cell().interrupt();
        }
    }

    /// Forgets stopped children, so a long-lived parent spawning many
    /// short-lived ones stays small.
    fn prune_children(&mut self) {
        let len = self.children.len();
        if len >= 16 && len.is_power_of_two() {
            self.children.retain(|c| c.cell().core().is_alive());
        }
    }

    // ===== timers and streams =====

    /// Delivers `msg` to this actor after `delay`, unless the actor stops
    /// first or the returned handle is cancelled.
    pub fn send_after(&self, delay: Duration, msg: A::Msg) -> TaskHandle {
        let cell = self.cell.clone();
        self.spawn_tied(async move {
            tokio::time::sleep(delay).await;
            let _ = Tell::new(&cell, msg).await;
        })
    }

    /// Delivers `make()` to this actor every `period` (the first after one
    /// period), until the actor stops or the returned handle is cancelled. A
    /// tick waits for mailbox room; missed ticks are delayed, not bunched.
    pub fn send_interval(
        &self,
        period: Duration,
        mut make: impl FnMut() -> A::Msg + Send + 'static,
    ) -> TaskHandle {
        let cell = self.cell.clone();
        self.spawn_tied(async move {
            let start = tokio::time::Instant::now() + period;
            let mut ticks = tokio::time::interval_at(start, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if Tell::new(&cell, make()).await.is_err() {
                    return;
                }
            }
        })
    }

    /// Turns every item of `stream` into a message for this actor, until the
    /// stream ends, the actor stops, or the returned handle is cancelled.
    pub fn attach_stream<S>(
        &self,
        stream: S,
        mut map: impl FnMut(S::Item) -> A::Msg + Send + 'static,
    ) -> TaskHandle
    where
        S: Stream + Send + 'static,
        S::Item: Send,
    {
        let cell = self.cell.clone();
        self.spawn_tied(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(item) = stream.next().await {
                if Tell::new(&cell, map(item)).await.is_err() {
                    return;
                }
            }
        })
    }

    /// Spawns `work` so that it ends when this actor stops.
    fn spawn_tied(&self, work: impl Future<Output = ()> + Send + 'static) -> TaskHandle {
        let token = self.cell.core.token().clone();
        let task = self.cell.core.system.runtime().spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = work => {}
            }
        });
        TaskHandle {
            abort: task.abort_handle(),
        }
    }

    /// Sends a message to this actor without waiting (for use from a handler,
    /// where waiting on one's own mailbox could never end).
    ///
    /// # Errors
    ///
    /// As [`ActorRef::try_tell`].
    pub fn try_tell_self(&self, msg: A::Msg) -> Result<(), TrySendError<A::Msg>> {
        crate::actor_ref::try_push(&self.cell, msg)
    }

    /// Sends a message to this actor; inside a handler, a full mailbox
    /// admits it beyond capacity rather than wait on itself.
    ///
    /// # Errors
    ///
    /// [`SendError`](crate::error::SendError) if this actor is stopping.
    pub fn tell_self(&self, msg: A::Msg) -> Tell<'_, A::Msg> {
        Tell::new(&self.cell, msg)
    }

    // ===== watch =====

    /// Watches `other`: when it stops, this actor's
    /// [`on_terminated`](Actor::on_terminated) runs with a
    /// [`Terminated`](crate::Terminated) notice, ahead of queued messages. Watching an actor that
    /// has already stopped notifies at once.
    pub fn watch<B: Actor>(&self, other: &ActorRef<B>) {
        let sink: Arc<dyn ErasedCell> = self.cell.clone();
        other.cell().core.watch(self.id(), sink);
    }

    /// Watches an actor known only by its cell.
    pub(crate) fn watch_cell(&self, other: &Arc<dyn ErasedCell>) {
        let sink: Arc<dyn ErasedCell> = self.cell.clone();
        other.core().watch(self.id(), sink);
    }

    /// Stops this actor with `reason` once its mailbox drains; as a
    /// supervised child, it then asks its supervisor what next.
    pub(crate) fn stop_with(&self, reason: StopReason) {
        self.cell.request_stop(reason);
    }

    /// Stops watching `other`; a notice already delivered stays delivered.
    pub fn unwatch<B: Actor>(&self, other: &ActorRef<B>) {
        other.cell().core.unwatch(self.id());
    }
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("actor", self.label())
            .field("children", &self.children.len())
            .finish()
    }
}

/// A handle to a timer or attached stream; cancel it to stop early.
///
/// Dropping the handle does not cancel: the work still ends when the actor
/// stops.
#[derive(Debug, Clone)]
pub struct TaskHandle {
    abort: AbortHandle,
}

impl TaskHandle {
    /// Cancels the timer or stream; a message not yet delivered is dropped.
    pub fn cancel(&self) {
        self.abort.abort();
    }

    /// Whether the timer or stream has ended (fired, finished or cancelled).
    pub fn is_finished(&self) -> bool {
        self.abort.is_finished()
    }
}
