//! (crate) The shared cell behind every reference to an actor: identity,
//! mailbox, lifecycle state and watchers.
//!
//! # Invariants
//!
//! 1. `stop_reason` is set exactly once, by the actor's teardown, after the
//!    actor has left the registry and the system's table. `finished` is set
//!    after every watcher has been sent its notice, and waiters are woken
//!    after that, so `wait_for_stop` never misses the stop and never returns
//!    before the notices are out.
//! 2. A watcher added after `stop_reason` is set is notified at once: `watch`
//!    and teardown both take the lifecycle lock, and teardown sets the reason
//!    and takes the watcher list under it.
//! 3. `refs` counts the strong [`ActorRef`](crate::ActorRef)s. When it drops
//!    to zero the mailbox closes, so an actor nobody can reach drains and
//!    stops instead of leaking. It never rises from zero (`try_add_ref`).
//! 4. `kill` sets `kill_requested` before reading the abort handle and spawn
//!    sets the handle before reading the flag (both `SeqCst`), so a kill that
//!    races with spawn is never lost.

use std::future::{Future, poll_fn};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Poll, Waker};

use parking_lot::{Mutex, MutexGuard};
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;

use crate::actor::{ActorId, ActorLabel, StopReason, Terminated};
use crate::mailbox::{Decision, Mailbox, MailboxConfig, Signal};
use crate::strand::{Slot, Strand};
use crate::supervision::Shutdown;
use crate::system::SystemInner;

/// What the runtime needs of any actor, whatever its message type.
pub(crate) trait ErasedCell: Send + Sync + 'static {
    fn core(&self) -> &CellCore;
    /// Closes the mailbox: the actor drains what is queued, then stops. A
    /// supervised actor asks its supervisor what next (see `stop_final`).
    fn request_stop(&self, reason: StopReason);
    /// Like `request_stop`, for good: a supervised actor does not wait for a
    /// restart decision.
    fn stop_final(&self, reason: StopReason) {
        self.core().final_stop.store(true, Ordering::SeqCst);
        self.request_stop(reason);
        if self.core().supervised {
            // A child waiting between incarnations has nothing to drain.
            self.push_signal(Signal::Decision(Decision::Stop));
        }
    }
    /// Ends a supervised actor's incarnation at its next message boundary.
    fn interrupt(&self) {
        self.push_signal(Signal::Interrupt);
    }
    /// Delivers a system signal ahead of user messages.
    fn push_signal(&self, signal: Signal);
    /// Refuses messages from outside the system's actors (shutdown).
    fn refuse_outside(&self);
}

/// A strong reference held by the runtime itself (a parent's hold on its
/// linked children): it keeps the actor running like an `ActorRef` does, and
/// says how the parent stops it.
pub(crate) struct Hold {
    cell: Arc<dyn ErasedCell>,
    shutdown: Shutdown,
}

impl Hold {
    pub(crate) fn new(cell: Arc<dyn ErasedCell>, shutdown: Shutdown) -> Self {
        cell.core().add_ref();
        Hold { cell, shutdown }
    }

    pub(crate) fn cell(&self) -> &Arc<dyn ErasedCell> {
        &self.cell
    }

    /// Stops the child for good by its shutdown policy and waits until it
    /// has stopped.
    pub(crate) async fn shut_down(&self) {
        let core = self.cell.core();
        match self.shutdown {
            Shutdown::Abort => core.kill(),
            Shutdown::Wait | Shutdown::Graceful(_) => self.cell.stop_final(StopReason::Shutdown),
        }
        if let Shutdown::Graceful(limit) = self.shutdown {
            // Boxed: the timer is large and this path is rare, so parents
            // that never stop children carry no room for it.
            let waited = Box::pin(tokio::time::timeout(limit, core.wait_stopped())).await;
            if waited.is_ok() {
                return;
            }
            core.kill();
        }
        core.wait_stopped().await;
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if self.cell.core().release_ref() {
            self.cell.stop_final(StopReason::Normal);
        }
    }
}

/// `repr(C)` keeps what every message touches at the front of the
/// allocation: the id (read by every handler poll; the label in `core` has
/// it too, a few cache lines further on) and the mailbox's head (see
/// `Mailbox`).
#[repr(C)]
pub(crate) struct ActorCell<M> {
    pub(crate) id: ActorId,
    pub(crate) mailbox: Mailbox<M>,
    pub(crate) core: CellCore,
}

/// How an actor's run loop is killed: its own tokio task, or its slot on a
/// strand.
pub(crate) enum Abort {
    Task(AbortHandle),
    Strand(Arc<Slot>),
}

pub(crate) struct CellCore {
    label: ActorLabel,
    type_name: fn() -> &'static str,
    pub(crate) system: Arc<SystemInner>,
    parent: Option<Arc<dyn ErasedCell>>,
    refs: AtomicUsize,
    stop_reason: OnceLock<StopReason>,
    lifecycle: Mutex<Lifecycle>,
    abort: OnceLock<Abort>,
    kill_requested: AtomicBool,
    /// Set when the actor was stopped for good (see `ErasedCell::stop_final`).
    final_stop: AtomicBool,
    /// Whether a supervisor decides what follows each incarnation.
    supervised: bool,
    token: OnceLock<CancellationToken>,
}

/// The rarely touched part of an actor's life, behind one lock.
#[derive(Default)]
struct Lifecycle {
    /// The reason given by whoever first asked the actor to stop.
    requested: Option<StopReason>,
    /// Set once every watcher has been sent its notice.
    finished: bool,
    /// Watchers and `wait_stopped` waiters, in one list to keep the cell small.
    listeners: Vec<Listener>,
}

enum Listener {
    /// An actor to send a `Terminated` notice.
    Watcher {
        id: ActorId,
        sink: Arc<dyn ErasedCell>,
    },
    /// A task waiting in `wait_stopped`.
    Waiter(Waker),
}

impl<M: Send + 'static> ActorCell<M> {
    pub(crate) fn new(
        label: ActorLabel,
        type_name: fn() -> &'static str,
        mailbox: MailboxConfig,
        system: Arc<SystemInner>,
        parent: Option<Arc<dyn ErasedCell>>,
        supervised: bool,
    ) -> Self {
        ActorCell {
            id: label.id(),
            core: CellCore {
                label,
                type_name,
                system,
                parent,
                refs: AtomicUsize::new(0),
                stop_reason: OnceLock::new(),
                lifecycle: Mutex::new(Lifecycle::default()),
                abort: OnceLock::new(),
                kill_requested: AtomicBool::new(false),
                final_stop: AtomicBool::new(false),
                supervised,
                token: OnceLock::new(),
            },
            mailbox: Mailbox::new(mailbox),
        }
    }
}

impl<M: Send + 'static> ErasedCell for ActorCell<M> {
    fn core(&self) -> &CellCore {
        &self.core
    }

    fn request_stop(&self, reason: StopReason) {
        self.core.lock().requested.get_or_insert(reason);
        self.mailbox.close();
    }

    fn push_signal(&self, signal: Signal) {
        // A signal to an actor that has finished has nobody to read it.
        let _ = self.mailbox.push_signal(signal);
    }

    fn refuse_outside(&self) {
        self.mailbox.refuse_outside();
    }
}

impl CellCore {
    pub(crate) fn id(&self) -> ActorId {
        self.label.id()
    }

    pub(crate) fn label(&self) -> &ActorLabel {
        &self.label
    }

    pub(crate) fn type_name(&self) -> &'static str {
        (self.type_name)()
    }

    pub(crate) fn parent(&self) -> Option<&Arc<dyn ErasedCell>> {
        self.parent.as_ref()
    }

    /// Counts one handled message.
    ///
    /// Only the actor's own run loop counts, so a load and a store (no
    /// locked read-modify-write) lose nothing.
    pub(crate) fn is_alive(&self) -> bool {
        self.stop_reason.get().is_none()
    }

    pub(crate) fn stop_reason(&self) -> Option<&StopReason> {
        self.stop_reason.get()
    }

    /// The reason given by whoever first asked the actor to stop.
    pub(crate) fn requested_reason(&self) -> Option<StopReason> {
        self.lock().requested.clone()
    }

    /// Whether the actor was stopped for good (no restart decision).
    pub(crate) fn is_final_stop(&self) -> bool {
        self.final_stop.load(Ordering::SeqCst)
    }

    /// Forgets a stop request, for a restarted incarnation.
    pub(crate) fn clear_stop_request(&self) {
        self.lock().requested = None;
    }

    // ===== strong references (invariant 3) =====

    pub(crate) fn add_ref(&self) {
        self.refs.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn try_add_ref(&self) -> bool {
        self.refs
            .fetch_update(Ordering::Acquire, Ordering::Relaxed, |n| {
                (n > 0).then_some(n + 1)
            })
            .is_ok()
    }

    /// Returns true when this was the last strong reference.
    pub(crate) fn release_ref(&self) -> bool {
        self.refs.fetch_sub(1, Ordering::AcqRel) == 1
    }

    // ===== kill (invariant 4) =====

    pub(crate) fn set_abort(&self, handle: Abort) {
        let _ = self.abort.set(handle);
        if self.kill_requested.load(Ordering::SeqCst) {
            self.abort_now();
        }
    }

    /// The strand the actor runs on, if it was spawned on one.
    pub(crate) fn strand(&self) -> Option<Strand> {
        match self.abort.get() {
            Some(Abort::Strand(slot)) => Some(slot.strand()),
            _ => None,
        }
    }

    pub(crate) fn kill(&self) {
        self.kill_requested.store(true, Ordering::SeqCst);
        self.abort_now();
    }

    pub(crate) fn was_killed(&self) -> bool {
        self.kill_requested.load(Ordering::SeqCst)
    }

    fn abort_now(&self) {
        match self.abort.get() {
            Some(Abort::Task(handle)) => handle.abort(),
            Some(Abort::Strand(slot)) => slot.abort(),
            None => {}
        }
    }

    // ===== cancellation =====

    /// The actor's token: a child of its parent's (or of the system's root
    /// token), created on first use so idle actors pay nothing for it.
    pub(crate) fn token(&self) -> &CancellationToken {
        self.token.get_or_init(|| match &self.parent {
            Some(parent) => parent.core().token().child_token(),
            None => self.system.root_token().child_token(),
        })
    }

    pub(crate) fn cancel_token(&self) {
        if let Some(token) = self.token.get() {
            token.cancel();
        }
    }

    // ===== stop notification (invariants 1 and 2) =====

    pub(crate) fn wait_stopped(&self) -> impl Future<Output = StopReason> + '_ {
        poll_fn(|cx| {
            let mut lifecycle = self.lock();
            if lifecycle.finished {
                let reason = self.stop_reason.get().expect("set before finished");
                return Poll::Ready(reason.clone());
            }
            let known = lifecycle.listeners.iter().any(|l| match l {
                Listener::Waiter(w) => w.will_wake(cx.waker()),
                Listener::Watcher { .. } => false,
            });
            if !known {
                lifecycle
                    .listeners
                    .push(Listener::Waiter(cx.waker().clone()));
            }
            Poll::Pending
        })
    }

    /// Publishes the final stop reason: watchers get their notices first,
    /// then waiters wake, so a returned `wait_for_stop` implies every notice
    /// has been sent.
    pub(crate) fn publish_stop(&self, reason: StopReason) {
        let listeners = {
            let mut lifecycle = self.lock();
            let _ = self.stop_reason.set(reason.clone());
            std::mem::take(&mut lifecycle.listeners)
        };
        let mut waiters = Vec::new();
        for listener in listeners {
            match listener {
                Listener::Watcher { sink, .. } => self.notify(&sink, &reason),
                Listener::Waiter(waker) => waiters.push(waker),
            }
        }
        // Waiters that came after the reason was set wait for `finished`.
        let late = {
            let mut lifecycle = self.lock();
            lifecycle.finished = true;
            std::mem::take(&mut lifecycle.listeners)
        };
        for listener in late {
            if let Listener::Waiter(waker) = listener {
                waiters.push(waker);
            }
        }
        waiters.into_iter().for_each(Waker::wake);
    }

    fn notify(&self, sink: &Arc<dyn ErasedCell>, reason: &StopReason) {
        let notice = Terminated {
            actor: self.label.clone(),
            reason: reason.clone(),
        };
        sink.push_signal(Signal::Terminated(Box::new(notice)));
    }

    pub(crate) fn watch(&self, id: ActorId, sink: Arc<dyn ErasedCell>) {
        let mut lifecycle = self.lock();
        if let Some(reason) = self.stop_reason.get() {
            drop(lifecycle);
            self.notify(&sink, reason);
            return;
        }
        lifecycle.listeners.push(Listener::Watcher { id, sink });
    }

    pub(crate) fn unwatch(&self, id: ActorId) {
        self.lock()
            .listeners
            .retain(|l| !matches!(l, Listener::Watcher { id: w, .. } if *w == id));
    }

    fn lock(&self) -> MutexGuard<'_, Lifecycle> {
        self.lifecycle.lock()
    }
}
