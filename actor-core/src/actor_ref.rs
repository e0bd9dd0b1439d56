//! [`ActorRef`], [`WeakActorRef`]: typed addresses of an actor, and the ways
//! to send it messages (`tell`, `try_tell`, `ask`).

use std::fmt;
use std::future::{Future, poll_fn};
use std::hash::{Hash, Hasher};
use std::pin::{Pin, pin};
use std::sync::{Arc, Weak};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use crate::actor::{Actor, ActorId, ActorLabel, StopReason};
use crate::address::WithTimeout;
use crate::ask_timer::{AskTimer, timed_out};
use crate::cell::{ActorCell, ErasedCell};
use crate::deadlock::WaitEdge;
use crate::error::{AskError, SendError, TrySendError};
use crate::frame::current_actor;
use crate::mailbox::{MailboxStats, SenderSlot};
use crate::reply::{Reply, ReplyReceiver};

/// A typed, cheaply cloned address of a live actor.
///
/// Strong refs keep their actor running: when the last one (outside the
/// actor itself) is dropped, the actor drains its mailbox and stops with
/// [`StopReason::Normal`]. A [`WeakActorRef`] does not keep it running.
pub struct ActorRef<A: Actor> {
    cell: Arc<ActorCell<A::Msg>>,
}

impl<A: Actor> ActorRef<A> {
    /// Wraps the cell as a new strong reference.
    pub(crate) fn from_cell(cell: Arc<ActorCell<A::Msg>>) -> Self {
        cell.core.add_ref();
        ActorRef { cell }
    }

    pub(crate) fn cell(&self) -> &Arc<ActorCell<A::Msg>> {
        &self.cell
    }

    pub(crate) fn system_inner(&self) -> &Arc<crate::system::SystemInner> {
        &self.cell.core.system
    }

    pub(crate) fn erased(&self) -> Arc<dyn ErasedCell> {
        self.cell.clone()
    }

    /// The actor's unique id.
    pub fn id(&self) -> ActorId {
        self.cell.core.id()
    }

    /// The actor's registered name, if it was spawned with one.
    pub fn name(&self) -> Option<&str> {
        self.cell.core.label().name()
    }

    /// The actor's id and name, as errors report it.
    pub fn label(&self) -> &ActorLabel {
        self.cell.core.label()
    }

    /// Whether the actor is still running (it may be draining after `stop`).
    pub fn is_alive(&self) -> bool {
        self.cell.core.is_alive()
    }

    /// A snapshot of the mailbox's counters.
    pub fn mailbox_stats(&self) -> MailboxStats {
        self.cell.mailbox.stats()
    }

    // ===== tell =====

    /// Sends a message, waiting for mailbox room.
    ///
    /// Inside a handler, a wait that would close a cycle of waits (this actor
    /// waits for room at B while B waits, directly or through others, on this
    /// actor) does not wait: the message is admitted beyond capacity, counted
    /// in [`MailboxStats::overflowed`] and traced. Everyone else waits.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message handed back if the actor has stopped
    /// or is stopping.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped while waiting for room, the message is
    /// dropped undelivered; once it returns `Ok` the message is queued.
    pub fn tell(&self, msg: A::Msg) -> Tell<'_, A::Msg> {
        Tell::new(&self.cell, msg)
    }

    /// Sends a message if there is room right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when the mailbox is at capacity,
    /// [`TrySendError::Closed`] when the actor has stopped; both hand the
    /// message back.
    pub fn try_tell(&self, msg: A::Msg) -> Result<(), TrySendError<A::Msg>> {
        try_push(&self.cell, msg)
    }

    // ===== ask =====

    /// Sends a request built around a [`Reply`] and waits for the answer,
    /// for at most the system's default ask timeout (never less, and how
    /// much more: see [`guarantees`](crate::guarantees#asks)).
    ///
    /// # Errors
    ///
    /// [`AskError::Timeout`], [`AskError::Stopped`],
    /// [`AskError::HandlerFailed`], [`AskError::ReplyDropped`], and
    /// [`AskError::Cycle`] at once (without sending) when the target is,
    /// directly or through others, waiting on the calling actor.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future abandons the ask; a reply sent later is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use actor_core::{Actor, ActorSystem, BoxError, Context, Reply};
    /// struct Echo;
    /// impl Actor for Echo {
    ///     type Msg = (String, Reply<String>);
    ///     async fn handle(&mut self, (s, reply): Self::Msg, _: &mut Context<Self>) -> Result<(), BoxError> {
    ///         reply.send(s);
    ///         Ok(())
    ///     }
    /// }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let echo = ActorSystem::new().spawn(Echo).unwrap();
    /// let answer = echo.ask(|reply| ("hi".to_string(), reply)).await.unwrap();
    /// assert_eq!(answer, "hi");
    /// # }
    /// ```
    pub async fn ask<R: Send + 'static>(
        &self,
        make: impl FnOnce(Reply<R>) -> A::Msg,
    ) -> Result<R, AskError> {
        let (reply, rx) = Reply::channel();
        let timeout = self.default_ask_timeout();
        self.ask_prepared(make(reply), rx, timeout, true).await
    }

    /// The system's default ask timeout.
    pub(crate) fn default_ask_timeout(&self) -> Duration {
        self.cell.core.system.config().ask_timeout
    }

    /// This address with a timeout of its own for asks, for the client
    /// methods generated by [`handlers`](crate::handlers):
    /// `counter.with_timeout(Duration::from_millis(50)).get().await`.
    pub fn with_timeout(&self, timeout: Duration) -> WithTimeout<'_, Self> {
        WithTimeout::new(self, timeout)
    }

    /// Like [`ask`](Self::ask), with this call's own timeout.
    ///
    /// # Errors
    ///
    /// As [`ask`](Self::ask).
    ///
    /// # Cancel safety
    ///
    /// As [`ask`](Self::ask).
    pub async fn ask_timeout<R: Send + 'static>(
        &self,
        make: impl FnOnce(Reply<R>) -> A::Msg,
        timeout: Duration,
    ) -> Result<R, AskError> {
        let (reply, rx) = Reply::channel();
        self.ask_prepared(make(reply), rx, timeout, true).await
    }

    /// Like [`ask`](Self::ask), but fails with [`AskError::Full`] instead of
    /// waiting when the mailbox is full.
    ///
    /// # Errors
    ///
    /// As [`ask`](Self::ask), plus [`AskError::Full`].
    ///
    /// # Cancel safety
    ///
    /// As [`ask`](Self::ask).
    pub async fn try_ask<R: Send + 'static>(
        &self,
        make: impl FnOnce(Reply<R>) -> A::Msg,
    ) -> Result<R, AskError> {
        let (reply, rx) = Reply::channel();
        let timeout = self.default_ask_timeout();
        self.ask_prepared(make(reply), rx, timeout, false).await
    }

    /// Sends a request already built around its reply handle and waits for
    /// the answer: the ask path for routers, which must see the message to
    /// pick its actor.
    pub(crate) async fn ask_prepared<R: Send + 'static>(
        &self,
        msg: A::Msg,
        rx: ReplyReceiver<R>,
        timeout: Duration,
        wait_for_room: bool,
    ) -> Result<R, AskError> {
        let target = self.cell.core.label();
        let _edge = match current_actor() {
            Some(me) if me == target.id() => return Err(self.cycle(&[me])),
            Some(me) => match WaitEdge::register(me, target.id()) {
                (_, Some(cycle)) => return Err(self.cycle(&cycle)),
                (edge, None) => Some(edge),
            },
            None => None,
        };
        let mut timer = AskTimer::start(&self.cell.core.system, timeout);
        if wait_for_room {
            // Sends at once when there is room; otherwise waits, also
            // under the deadline.
            let mut tell = pin!(self.tell(msg));
            poll_fn(|cx| match tell.as_mut().poll(cx) {
                Poll::Ready(sent) => Poll::Ready(sent.map_err(|_| self.stopped())),
                Poll::Pending => timer
                    .poll_expired(cx)
                    .map(|()| Err(timed_out(target, timeout))),
            })
            .await?;
        } else {
            self.try_tell(msg).map_err(|e| match e {
                TrySendError::Full(_) => AskError::Full {
                    actor: target.clone(),
                },
                TrySendError::Closed(_) | TrySendError::ShuttingDown(_) => self.stopped(),
            })?;
        }
        let mut rx = rx;
        let killed = || self.cell.core.was_killed();
        poll_fn(|cx| timer.poll_reply(&mut rx, cx, target, killed)).await
    }

    fn cycle(&self, ids: &[ActorId]) -> AskError {
        AskError::Cycle {
            cycle: self.cell.core.system.labels(ids),
        }
    }

    fn stopped(&self) -> AskError {
        AskError::Stopped {
            actor: self.label().clone(),
        }
    }

    // ===== lifecycle =====

    /// Asks the actor to stop gracefully: it accepts no new messages, handles
    /// those already queued, stops its children, runs `stopped` and stops
    /// with [`StopReason::Normal`].
    pub fn stop(&self) {
        self.cell.stop_final(StopReason::Normal);
    }

    /// Stops the actor at once: queued messages are dropped (their asks fail
    /// with `Stopped`), `stopped` does not run, and it stops with
    /// [`StopReason::Killed`].
    pub fn kill(&self) {
        self.cell.core.kill();
    }

    /// Waits until the actor has stopped and returns why.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only observes.
    pub async fn wait_for_stop(&self) -> StopReason {
        self.cell.core.wait_stopped().await
    }

    /// A reference that does not keep the actor running.
    pub fn downgrade(&self) -> WeakActorRef<A> {
        WeakActorRef {
            id: self.id(),
            cell: Arc::downgrade(&self.cell),
        }
    }
}

/// Waits for the answer to a request a router has already delivered, for at
/// most `timeout`; errors name `target`.
pub(crate) async fn await_routed<R: Send + 'static>(
    system: &Arc<crate::system::SystemInner>,
    target: &ActorLabel,
    rx: ReplyReceiver<R>,
    timeout: Duration,
) -> Result<R, AskError> {
    let mut timer = AskTimer::start(system, timeout);
    let mut rx = rx;
    poll_fn(|cx| timer.poll_reply(&mut rx, cx, target, || false)).await
}

/// Pushes if there is room (the mailbox refuses outside senders once the
/// system is shutting down).
pub(crate) fn try_push<M: Send + 'static>(
    cell: &ActorCell<M>,
    msg: M,
) -> Result<(), TrySendError<M>> {
    cell.mailbox.try_push(msg)
}

// ===== Tell =====

/// The future returned by [`ActorRef::tell`]: it sends at once when the
/// mailbox has room, and otherwise waits for room (or, inside a wait cycle,
/// admits the message beyond capacity).
///
/// It holds no boxed state: a tell that finds room completes on its first
/// poll without allocating.
#[must_use = "a tell does nothing unless awaited"]
pub struct Tell<'a, M: Send + 'static> {
    cell: &'a ActorCell<M>,
    msg: Option<M>,
    wait: Option<Wait>,
}

/// The state of a tell that is waiting for room; small, since every `Tell`
/// carries room for it.
struct Wait {
    registered: SenderSlot,
    /// This actor's wait on the target, in the wait-for graph. Boxed: only
    /// a handler that waits for room has one, and that wait already
    /// allocates its edge in the graph.
    _edge: Option<Box<WaitEdge>>,
}

// The message is never pinned: `Tell` only moves it in and out of its slot.
impl<M: Send + 'static> Unpin for Tell<'_, M> {}

impl<'a, M: Send + 'static> Tell<'a, M> {
    pub(crate) fn new(cell: &'a ActorCell<M>, msg: M) -> Self {
        Tell {
            cell,
            msg: Some(msg),
            wait: None,
        }
    }

    /// Starts waiting, unless the wait would close a cycle of waits.
    fn start_waiting(&mut self, msg: M) -> Option<Result<(), SendError<M>>> {
        let target = self.cell.core.id();
        let edge = match current_actor() {
            None => None,
            Some(me) if me == target => {
                return Some(admit_beyond_capacity(self.cell, msg, &[me]));
            }
            Some(me) => match WaitEdge::register(me, target) {
                (_, Some(cycle)) => return Some(admit_beyond_capacity(self.cell, msg, &cycle)),
                (edge, None) => Some(Box::new(edge)),
            },
        };
        self.msg = Some(msg);
        self.wait = Some(Wait {
            registered: None,
            _edge: edge,
        });
        None
    }
}

impl<M: Send + 'static> Tell<'_, M> {
    /// The rare outcomes of the first push: closed, shutting down, or full
    /// (then wait, unless the wait would close a cycle). Out of line, so
    /// the push that finds room inlines into the handler that tells.
    #[cold]
    #[inline(never)]
    fn refused(
        &mut self,
        refused: TrySendError<M>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Result<(), SendError<M>>> {
        match refused {
            TrySendError::Closed(msg) => Poll::Ready(Err(SendError::Closed(msg))),
            TrySendError::ShuttingDown(msg) => Poll::Ready(Err(SendError::ShuttingDown(msg))),
            TrySendError::Full(msg) => match self.start_waiting(msg) {
                Some(done) => Poll::Ready(done),
                None => self.poll_room(cx),
            },
        }
    }

    /// Pushes once there is room, registered to be woken until then.
    #[inline(never)]
    fn poll_room(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), SendError<M>>> {
        let wait = self.wait.as_mut().expect("waiting");
        let polled = self
            .cell
            .mailbox
            .poll_push(cx, &mut self.msg, &mut wait.registered);
        if polled.is_ready() {
            self.wait = None;
        }
        polled
    }
}

impl<M: Send + 'static> Future for Tell<'_, M> {
    type Output = Result<(), SendError<M>>;

    // Always: a handler's state machine is large enough that the inliner
    // declines on its own, and the call's prologue and epilogue cost more
    // than the push that finds room.
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.wait.is_some() {
            return this.poll_room(cx);
        }
        let msg = this.msg.take().expect("`Tell` polled after completion");
        match try_push(this.cell, msg) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(refused) => this.refused(refused, cx),
        }
    }
}

impl<M: Send + 'static> fmt::Debug for Tell<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tell")
            .field("actor", self.cell.core.label())
            .field("waiting", &self.wait.is_some())
            .finish()
    }
}

fn admit_beyond_capacity<M: Send + 'static>(
    cell: &ActorCell<M>,
    msg: M,
    cycle: &[ActorId],
) -> Result<(), SendError<M>> {
    tracing::debug!(
        target_actor = %cell.core.label(),
        cycle = ?cell.core.system.labels(cycle),
        "mailbox full inside a wait cycle; admitting the message beyond capacity"
    );
    cell.mailbox.push_overflow(msg)
}

impl<A: Actor> Clone for ActorRef<A> {
    fn clone(&self) -> Self {
        ActorRef::from_cell(self.cell.clone())
    }
}

impl<A: Actor> Drop for ActorRef<A> {
    fn drop(&mut self) {
        if self.cell.core.release_ref() {
            self.cell.stop_final(StopReason::Normal);
        }
    }
}

impl<A: Actor> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorRef({})", self.label())
    }
}

impl<A: Actor> PartialEq for ActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<A: Actor> Eq for ActorRef<A> {}

impl<A: Actor> Hash for ActorRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

// ===== WeakActorRef =====

/// A reference that does not keep its actor running; upgrade it to send.
pub struct WeakActorRef<A: Actor> {
    id: ActorId,
    cell: Weak<ActorCell<A::Msg>>,
}

impl<A: Actor> WeakActorRef<A> {
    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.id
    }

    /// A strong reference, or `None` once no strong reference remains (the
    /// actor is then stopping or stopped).
    pub fn upgrade(&self) -> Option<ActorRef<A>> {
        let cell = self.cell.upgrade()?;
        cell.core.try_add_ref().then_some(ActorRef { cell })
    }
}

impl<A: Actor> Clone for WeakActorRef<A> {
    fn clone(&self) -> Self {
        WeakActorRef {
            id: self.id,
            cell: self.cell.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for WeakActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeakActorRef({})", self.id)
    }
}
