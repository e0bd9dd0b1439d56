//! The mailbox: one queue engine behind the bounded and unbounded faces, plus
//! a control lane for system signals.
//!
//! # Invariants
//!
//! 1. All mailbox state lives behind one mutex; no user code (message drops,
//!    senders' wakers) runs while it is held, so it cannot nest with any
//!    other lock of ours. It is a `parking_lot` mutex: no poison bookkeeping
//!    on the per-message path, which nothing here needs since no user code
//!    runs under it. The one waker woken under it is the receiver's, by
//!    reference: that saves the clone and the drop of a reference, two
//!    locked instructions per wake-up. It is safe because the receiver is
//!    always the actor's own tokio task or its slot on a strand (actors are
//!    spawned only on their system's runtime or a strand of it, and only
//!    the run loop parks here): neither wake runs user code or calls back
//!    into a mailbox (a slot's takes only the strand's lock, after this
//!    one), and a wake by reference cannot drop the last reference (the
//!    stored waker is one), so no teardown, which takes this lock, can run
//!    inside it.
//! 2. The actor takes the whole queue in one swap (its *batch*), so it locks
//!    once per batch, not once per message. Capacity bounds the queue that
//!    senders fill; at most `2 × capacity` messages exist at once (a full
//!    queue plus the batch being handled), overflow admissions aside.
//! 3. `receiver_state` is the actor's parking state, with its waker stored
//!    whenever it is not `AWAKE`. `ASLEEP`: the actor waits; the next
//!    message, signal or close moves it to `AWAKE` and wakes it. `DROWSY`:
//!    the actor took a batch of an open mailbox and is handling it; the next
//!    message, signal or close moves it to `AWAKE` *without* a wake-up (the
//!    actor looks again before it sleeps), so a busy actor costs senders no
//!    wake-up. When its batch runs out, the actor moves `DROWSY` to `ASLEEP`
//!    by compare-and-swap and waits without taking the lock; if that fails,
//!    something came since the batch was taken, and it takes the lock. Every
//!    move to `AWAKE` and every move to `ASLEEP` or `DROWSY` from the lock
//!    holder happens under the lock; the actor's own `DROWSY` to `ASLEEP`
//!    does not, which the compare-and-swap against senders' swaps makes
//!    safe. So `DROWSY` is the only state that can change under a lock
//!    holder's feet: a holder that finds `ASLEEP` moves it with a plain
//!    store, and only `DROWSY` needs the swap.
//! 4. Waiting senders register their waker once per *epoch*; each time room
//!    is made (a batch is taken) or the mailbox closes, every registered
//!    sender is woken (outside the lock) and the epoch advances, so no
//!    wake-up is lost to a sender that gave up waiting. The emptied list is
//!    given back so that its capacity is reused.
//! 5. `signal_pending` mirrors `!signals.is_empty()`; it is written under the
//!    lock and read without it as a cheap hint before each message.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};

use crate::actor::{ChildExit, Terminated};
use crate::error::{ConfigError, SendError, TrySendError};
use crate::frame::current_actor;
use crate::lazy_vec::LazyVec;

/// The receiver is running, or has been woken (invariant 3).
const AWAKE: u8 = 0;
/// The receiver is handling a batch and looks again before it sleeps.
const DROWSY: u8 = 1;
/// The receiver waits for a wake-up.
const ASLEEP: u8 = 2;

/// How much a mailbox may hold.
///
/// Bounded mailboxes give backpressure: `tell` waits for room and `try_tell`
/// fails with `Full`. A tell cycle through full bounded mailboxes never hangs:
/// see [`guarantees`](crate::guarantees).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxConfig {
    /// At most this many messages wait in the queue.
    Bounded(usize),
    /// No limit: senders never wait.
    Unbounded,
}

impl MailboxConfig {
    /// The system default: bounded to 64 messages.
    pub const DEFAULT: MailboxConfig = MailboxConfig::Bounded(64);

    /// Checks that a bounded capacity is at least 1.
    ///
    /// # Errors
    ///
    /// [`ConfigError::ZeroCapacity`] for `Bounded(0)`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            MailboxConfig::Bounded(0) => Err(ConfigError::ZeroCapacity),
            _ => Ok(()),
        }
    }

    /// The capacity, or `None` when unbounded.
    pub fn capacity(&self) -> Option<usize> {
        match self {
            MailboxConfig::Bounded(n) => Some(*n),
            MailboxConfig::Unbounded => None,
        }
    }
}

impl Default for MailboxConfig {
    fn default() -> Self {
        MailboxConfig::DEFAULT
    }
}

/// A snapshot of a mailbox's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxStats {
    /// Messages waiting in the queue, not yet taken by the actor.
    pub len: usize,
    /// The capacity, or `None` when unbounded.
    pub capacity: Option<usize>,
    /// The largest queue length seen.
    pub peak_len: usize,
    /// Messages admitted beyond capacity to break a wait cycle.
    pub overflowed: u64,
    /// Messages (and control signals) the actor has taken to handle, over
    /// every incarnation, including those whose handler failed.
    pub handled: u64,
}

/// A system signal, delivered ahead of user messages.
#[derive(Debug)]
pub(crate) enum Signal {
    /// A watched actor stopped. Boxed: notices are rare, and the lane's
    /// slots stay small.
    Terminated(Box<Terminated>),
    /// To a supervisor: a supervised child ended an incarnation.
    ChildExit(Box<ChildExit>),
    /// To a supervised child waiting between incarnations: what comes next.
    Decision(Decision),
    /// To a supervised child: end this incarnation at the next message
    /// boundary, keeping the queue for the next one.
    Interrupt,
}

/// A supervisor's answer to a child that ended an incarnation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Build a fresh actor after this delay and go on with the same mailbox.
    Restart(Duration),
    /// Stop for good.
    Stop,
}

/// What the actor's receive produced.
pub(crate) enum Recv {
    /// A signal is pending.
    Signal,
    /// The batch was refilled from the queue.
    Batch {
        /// Whether the actor is drowsy (invariant 3): not when closing.
        drowsy: bool,
    },
    /// Closed and fully drained: the actor should stop.
    Closed,
}

/// `repr(C)`, here and in `State`: what every message touches (the flags,
/// the handled count, the lock, the queue, the receiver's waker, the lengths
/// of the wait lists) comes first and shares as few cache lines as it can;
/// with hundreds of actors in turn, each line an actor's turn touches is a
/// likely cache miss.
#[repr(C)]
pub(crate) struct Mailbox<M> {
    /// Invariant 3: `AWAKE`, `DROWSY` or `ASLEEP`.
    receiver_state: AtomicU8,
    signal_pending: AtomicBool,
    /// Mirrors `closed`, read without the lock to count drained messages.
    closing: AtomicBool,
    /// Messages and signals taken to handle, over every incarnation; written
    /// only by the actor's task.
    handled: AtomicU64,
    capacity: usize,
    state: Mutex<State<M>>,
}

#[repr(C)]
struct State<M> {
    queue: VecDeque<M>,
    receiver: Option<Waker>,
    /// The largest queue length at a batch take; see `State::peak_len`.
    peak_len: usize,
    closed: bool,
    dead: bool,
    /// Set at system shutdown: senders outside any actor are refused.
    refuse_outside: bool,
    sender_epoch: u32,
    senders: Vec<Waker>,
    /// Rare, so one word until the first signal (taken from the front).
    signals: LazyVec<Signal>,
    overflowed: u32,
    /// An emptied wait list kept for reuse: the two lists trade places, so
    /// waiting allocates nothing once both have grown to their working size.
    idle_senders: Vec<Waker>,
}

/// A waiting sender's place in the wait list: its epoch and index.
/// Two `u32`s keep it small: it lives in every `Tell` future, which lives
/// in every handler future that tells.
pub(crate) type SenderSlot = Option<(u32, u32)>;

impl<M> Mailbox<M> {
    pub(crate) fn new(config: MailboxConfig) -> Self {
        Mailbox {
            capacity: config.capacity().unwrap_or(usize::MAX),
            signal_pending: AtomicBool::new(false),
            receiver_state: AtomicU8::new(AWAKE),
            handled: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            state: Mutex::new(State {
                queue: VecDeque::new(),
                signals: LazyVec::new(),
                receiver: None,
                senders: Vec::new(),
                idle_senders: Vec::new(),
                sender_epoch: 0,
                closed: false,
                dead: false,
                refuse_outside: false,
                peak_len: 0,
                overflowed: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<M>> {
        self.state.lock()
    }

    // ===== sender side =====

    pub(crate) fn try_push(&self, msg: M) -> Result<(), TrySendError<M>> {
        let mut st = self.lock();
        if st.refuse_outside && current_actor().is_none() {
            return Err(TrySendError::ShuttingDown(msg));
        }
        if st.closed {
            return Err(TrySendError::Closed(msg));
        }
        if st.queue.len() >= self.capacity {
            return Err(TrySendError::Full(msg));
        }
        self.enqueue(&mut st, msg);
        Ok(())
    }

    /// Pushes ignoring capacity: breaks a wait cycle (counted as overflow
    /// when it goes past capacity).
    pub(crate) fn push_overflow(&self, msg: M) -> Result<(), SendError<M>> {
        let mut st = self.lock();
        if st.closed {
            return Err(SendError::Closed(msg));
        }
        if st.queue.len() >= self.capacity {
            st.overflowed = st.overflowed.saturating_add(1);
        }
        self.enqueue(&mut st, msg);
        Ok(())
    }

    /// Pushes if there is room, otherwise registers to be woken when there is.
    pub(crate) fn poll_push(
        &self,
        cx: &mut TaskContext<'_>,
        slot: &mut Option<M>,
        registered: &mut SenderSlot,
    ) -> Poll<Result<(), SendError<M>>> {
        let mut st = self.lock();
        let Some(msg) = slot.take() else {
            return Poll::Ready(Ok(()));
        };
        if st.refuse_outside && current_actor().is_none() {
            return Poll::Ready(Err(SendError::ShuttingDown(msg)));
        }
        if st.closed {
            return Poll::Ready(Err(SendError::Closed(msg)));
        }
        if st.queue.len() < self.capacity {
            self.enqueue(&mut st, msg);
            return Poll::Ready(Ok(()));
        }
        *slot = Some(msg);
        st.register_sender(cx.waker(), registered);
        Poll::Pending
    }

    /// Appends a message, waking the receiver if it sleeps.
    fn enqueue(&self, st: &mut State<M>, msg: M) {
        st.queue.push_back(msg);
        self.unpark_receiver(st)
    }

    pub(crate) fn push_signal(&self, signal: Signal) -> Result<(), Signal> {
        let mut st = self.lock();
        if st.dead {
            return Err(signal);
        }
        st.signals.push(signal);
        self.signal_pending.store(true, Ordering::Relaxed);
        self.unpark_receiver(&st);
        Ok(())
    }

    /// Stops intake; queued messages stay for the actor to drain.
    /// Returns whether this call closed it.
    pub(crate) fn close(&self) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        st.closed = true;
        self.closing.store(true, Ordering::Relaxed);
        let senders = st.take_senders();
        self.unpark_receiver(&st);
        drop(st);
        senders.into_iter().for_each(Waker::wake);
        true
    }

    pub(crate) fn stats(&self) -> MailboxStats {
        let st = self.lock();
        MailboxStats {
            len: st.queue.len(),
            capacity: (self.capacity != usize::MAX).then_some(self.capacity),
            peak_len: st.peak_len(),
            overflowed: u64::from(st.overflowed),
            handled: self.handled.load(Ordering::Relaxed),
        }
    }

    // ===== receiver side =====

    /// Counts a message or signal taken to handle. Only the actor's task
    /// writes the count, so a load and a store do without a locked add.
    #[inline]
    pub(crate) fn count_handled(&self) {
        let handled = self.handled.load(Ordering::Relaxed);
        self.handled.store(handled + 1, Ordering::Relaxed);
    }

    /// Takes one pending signal, if the hint says there may be one.
    #[inline]
    pub(crate) fn take_signal(&self) -> Option<Signal> {
        if !self.signal_pending.load(Ordering::Relaxed) {
            return None;
        }
        self.take_pending_signal()
    }

    #[cold]
    fn take_pending_signal(&self) -> Option<Signal> {
        let mut st = self.lock();
        let signal = st.signals.remove_first(|_| true);
        if st.signals.is_empty() {
            self.signal_pending.store(false, Ordering::Relaxed);
        }
        signal
    }

    /// Refills the empty `batch` from the queue, or reports a pending signal
    /// (for `take_signal`), or reports closed-and-drained, or parks.
    pub(crate) fn poll_recv(
        &self,
        cx: &mut TaskContext<'_>,
        batch: &mut VecDeque<M>,
    ) -> Poll<Recv> {
        debug_assert!(batch.is_empty(), "batch must be drained before a refill");
        let mut st = self.lock();
        // Exact under the lock (invariant 5), and it spares the list's line.
        if self.signal_pending.load(Ordering::Relaxed) {
            // `take_signal` picks it up.
            self.set_receiver(AWAKE);
            return Poll::Ready(Recv::Signal);
        }
        if !st.queue.is_empty() {
            st.peak_len = st.peak_len();
            std::mem::swap(&mut st.queue, batch);
            // Drowsy (invariant 3); a closing mailbox wakes no one later.
            let closed = st.closed;
            if closed {
                self.set_receiver(AWAKE);
            } else {
                st.store_receiver(cx.waker());
                self.set_receiver(DROWSY);
            }
            if !st.senders.is_empty() {
                let mut senders = st.take_senders();
                drop(st);
                senders.drain(..).for_each(Waker::wake);
                self.lock().recycle_senders(senders);
            }
            return Poll::Ready(Recv::Batch { drowsy: !closed });
        }
        if st.closed {
            self.set_receiver(AWAKE);
            return Poll::Ready(Recv::Closed);
        }
        st.store_receiver(cx.waker());
        self.set_receiver(ASLEEP);
        Poll::Pending
    }

    /// After a drowsy batch ran out: falls asleep without the lock if
    /// nothing came since the batch was taken (invariant 3). The caller then
    /// returns `Pending`; otherwise it must refill through `poll_recv`.
    pub(crate) fn fall_asleep(&self) -> bool {
        self.receiver_state
            .compare_exchange(DROWSY, ASLEEP, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// Sets the receiver's state; only under the lock (invariant 3).
    fn set_receiver(&self, state: u8) {
        self.receiver_state.store(state, Ordering::Release);
    }

    /// Marks the receiver awake, waking it (in place, invariant 1) if it
    /// was asleep. Only under the lock.
    ///
    /// Only `DROWSY` can change under the lock (the actor's own move to
    /// `ASLEEP`), so only it needs a swap; an `ASLEEP` receiver stays asleep
    /// until a lock holder moves it, and a plain store wakes it for one
    /// locked instruction fewer per message to an idle actor.
    fn unpark_receiver(&self, st: &State<M>) {
        let was_asleep = match self.receiver_state.load(Ordering::Acquire) {
            AWAKE => false,
            ASLEEP => {
                self.set_receiver(AWAKE);
                true
            }
            _ => self.receiver_state.swap(AWAKE, Ordering::AcqRel) == ASLEEP,
        };
        if was_asleep && let Some(receiver) = &st.receiver {
            receiver.wake_by_ref();
        }
    }

    /// Takes the first decision from the control lane, or parks until one
    /// comes; other signals stay queued for the next incarnation.
    pub(crate) fn poll_decision(&self, cx: &mut TaskContext<'_>) -> Poll<Decision> {
        let mut st = self.lock();
        let taken = st
            .signals
            .remove_first(|s| matches!(s, Signal::Decision(_)));
        if let Some(Signal::Decision(decision)) = taken {
            if st.signals.is_empty() {
                self.signal_pending.store(false, Ordering::Relaxed);
            }
            self.set_receiver(AWAKE);
            return Poll::Ready(decision);
        }
        st.store_receiver(cx.waker());
        self.set_receiver(ASLEEP);
        Poll::Pending
    }

    /// Accepts messages again: a restarted actor that had stopped itself.
    pub(crate) fn reopen(&self) {
        let mut st = self.lock();
        if !st.dead {
            st.closed = false;
            self.closing.store(false, Ordering::Relaxed);
        }
    }

    /// Refuses senders outside any actor from now on (system shutdown).
    pub(crate) fn refuse_outside(&self) {
        let mut st = self.lock();
        st.refuse_outside = true;
        // Outside senders waiting for room must learn it now.
        let senders = st.take_senders();
        drop(st);
        senders.into_iter().for_each(Waker::wake);
    }

    /// Whether the mailbox is closed to new messages (the actor is draining).
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Relaxed)
    }

    /// Closes for good: no more messages or signals. Returns what was still
    /// queued, for the caller to drop outside the lock.
    pub(crate) fn finish(&self) -> (VecDeque<M>, Vec<Signal>) {
        let mut st = self.lock();
        st.closed = true;
        st.dead = true;
        st.receiver = None;
        self.set_receiver(AWAKE);
        let senders = st.take_senders();
        self.signal_pending.store(false, Ordering::Relaxed);
        st.peak_len = st.peak_len();
        let queued = std::mem::take(&mut st.queue);
        let signals = st.signals.take();
        drop(st);
        senders.into_iter().for_each(Waker::wake);
        (queued, signals)
    }
}

impl<M> State<M> {
    /// The largest queue length seen. The queue only grows between batch
    /// takes, so its length just before each take (and now) is all that
    /// must be compared: senders pay nothing for the statistic.
    fn peak_len(&self) -> usize {
        self.peak_len.max(self.queue.len())
    }

    /// Keeps the receiver's waker, cloning only when it changed.
    fn store_receiver(&mut self, waker: &Waker) {
        match &self.receiver {
            Some(w) if w.will_wake(waker) => {}
            _ => self.receiver = Some(waker.clone()),
        }
    }

    fn register_sender(&mut self, waker: &Waker, registered: &mut SenderSlot) {
        match *registered {
            Some((epoch, index)) if epoch == self.sender_epoch => {
                let slot = &mut self.senders[index as usize];
                if !slot.will_wake(waker) {
                    *slot = waker.clone();
                }
            }
            _ => {
                // More than `u32::MAX` senders waiting at once on one
                // mailbox would exhaust memory long before this saturates.
                let index = u32::try_from(self.senders.len()).unwrap_or(u32::MAX);
                *registered = Some((self.sender_epoch, index));
                self.senders.push(waker.clone());
            }
        }
    }

    /// Takes every waiting sender's waker, to wake outside the lock
    /// (invariant 4).
    fn take_senders(&mut self) -> Vec<Waker> {
        if self.senders.is_empty() {
            return Vec::new();
        }
        self.sender_epoch = self.sender_epoch.wrapping_add(1);
        let idle = std::mem::take(&mut self.idle_senders);
        std::mem::replace(&mut self.senders, idle)
    }

    /// Gives back a wait list emptied by `take_senders`.
    fn recycle_senders(&mut self, emptied: Vec<Waker>) {
        debug_assert!(emptied.is_empty());
        if self.idle_senders.capacity() < emptied.capacity() {
            self.idle_senders = emptied;
        }
    }
}
