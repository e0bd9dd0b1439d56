//! [`Strand`]: actors that share one tokio task, so that a message from one
//! of them to another never wakes a second thread.
//!
//! Every actor is normally a tokio task of its own, and the multi-thread
//! scheduler is free to run it on any worker. That spreads parallel work over
//! every core, but a *chain* of actors (a token passed round a ring, a
//! request handed down a line of stages) pays for it: tokio runs a task woken
//! from another task's poll next on the same worker only a few times in a
//! row, then queues it where the parked worker is woken to steal it, and the
//! chain hops threads every few messages. Actors spawned on one strand are
//! polled by one task, one at a time, in the order they were woken: a message
//! between two of them is a push onto the strand's ready list, and the chain
//! stays on whichever worker runs the strand. The strand yields to tokio
//! once it has run for [`Strand::TURN`], or sooner when tokio's cooperative
//! budget runs out, so it cannot starve the other tasks of its worker.
//!
//! Which to pick: a strand for actors that mostly talk to each other one at a
//! time; plain spawns for actors whose work should run in parallel. A handler
//! that blocks its thread stalls every actor of its strand.
//!
//! # Invariants
//!
//! 1. An actor's future is owned by the strand's task (its table) and is
//!    polled and dropped only there, or by the spawner when the strand has
//!    already ended, as tokio does with a spawn on a runtime that is gone.
//! 2. [`State`] is behind one lock, taken to spawn, to wake a slot, to drop a
//!    handle and once per round of the task. No user code runs and no other
//!    lock is taken under it; the task's waker is woken under it by
//!    reference, which runs tokio's code only. Mailboxes wake slots under
//!    their own lock, so the order is mailbox, then strand.
//! 3. A slot is on the ready list at most once between two of its polls:
//!    `queued` is set by the wake that queues it and cleared just before it
//!    is polled, so a wake during the poll queues it again. A finished
//!    slot's flag stays set, so its late wakes never queue an index that a
//!    newer actor may hold.
//! 4. `running` is true from the task's taking a round of ready slots until
//!    it finds the list empty, under the lock, and sleeps, or yields; a wake
//!    meanwhile only queues, and the task sees it before it sleeps.
//! 5. Once `closed` (the task ended or was dropped) wakes do nothing and
//!    spawns drop their future at once, so no slot waits on a list nobody
//!    reads. The ready list holds indices, not slots, so no cycle keeps a
//!    strand's state alive.
//! 6. A slot woken on the thread that is polling its strand's task, from
//!    inside that poll, goes on a thread-local list instead of the locked
//!    ready list: the task takes the list into its batch after every actor
//!    poll, before anything else can run on the thread. The marker is the
//!    address of the strand's shared state, which the polling task keeps
//!    alive, so no other strand can match it meanwhile. When the task
//!    yields it takes the locked list too, so that slots woken from outside
//!    are not starved by a chain woken from inside.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::error::StrandTaskError;
use crate::system::{ActorSystem, SystemInner};

/// Actor polls between two looks at the clock: a look costs about as much
/// as a fifth of a poll, and a heavy handler overruns the turn by at most
/// twice this many polls.
const CLOCK_EVERY: u32 = 16;

/// An actor's run loop, boxed so that actors of every type share a table.
type ActorFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A group of actors run by one tokio task, one at a time.
///
/// Spawn an actor on it with [`SpawnOptions::strand`]. The strand's task
/// lives while a handle to it or an actor on it does. Cheap to clone: clones
/// name the same strand.
///
/// [`SpawnOptions::strand`]: crate::SpawnOptions::strand
///
/// # Examples
///
/// A token passed round a ring of three actors on one strand:
///
/// ```
/// use actor_core::prelude::*;
/// use actor_core::{SpawnOptions, Strand};
///
/// struct Member {
///     next: Option<ActorRef<Member>>,
///     done: Option<tokio::sync::oneshot::Sender<()>>,
/// }
///
/// impl Actor for Member {
///     type Msg = u32;
///
///     async fn handle(&mut self, hops: u32, _: &mut Context<Self>) -> Result<(), BoxError> {
///         match (&self.next, hops) {
///             (Some(next), 1..) => next.tell(hops - 1).await?,
///             _ => {
///                 if let Some(done) = self.done.take() {
///                     let _ = done.send(());
///                 }
///             }
///         }
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new();
/// let strand = Strand::new(&system);
/// let (done, finished) = tokio::sync::oneshot::channel();
/// let on_strand = || SpawnOptions::new().strand(&strand);
/// let last = system.spawn_with(Member { next: None, done: Some(done) }, on_strand())?;
/// let middle = system.spawn_with(Member { next: Some(last), done: None }, on_strand())?;
/// let first = system.spawn_with(Member { next: Some(middle), done: None }, on_strand())?;
/// first.tell(2).await?;
/// finished.await?;
/// # system.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct Strand {
    shared: Arc<Shared>,
}

impl Strand {
    /// How long a strand's task runs actors before it yields to tokio: half
    /// a millisecond, the task quota of Seastar's reactor. Each yield costs
    /// the strand's worker a wake-up of a parked one (tokio's search for
    /// work), and a task woken from the strand waits in the worker's
    /// next-task slot, which no other worker steals, until the turn ends.
    pub const TURN: Duration = Duration::from_micros(500);

    /// Starts a strand's task on `system`'s runtime.
    pub fn new(system: &ActorSystem) -> Strand {
        let shared = Arc::new(Shared {
            system: Arc::downgrade(&system.inner),
            state: Mutex::new(State {
                handles: 1,
                ..State::default()
            }),
        });
        system.inner.runtime().spawn(Round {
            shared: shared.clone(),
            table: Vec::new(),
            live: 0,
            batch: VecDeque::new(),
            freed: Vec::new(),
        });
        Strand { shared }
    }

    /// Whether this strand's task runs on the system behind `system`.
    pub(crate) fn belongs_to(&self, system: &Arc<SystemInner>) -> bool {
        std::ptr::eq(self.shared.system.as_ptr(), Arc::as_ptr(system))
    }

    /// Runs `future` on the strand, beside its actors, as tokio's `spawn`
    /// runs one on the runtime: a task that mostly talks to the strand's
    /// actors (a driver asking one of them again and again) then keeps the
    /// conversation on one thread. The task starts at once and runs to its
    /// end whether or not the returned handle is kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::{ActorSystem, Strand};
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::new();
    /// let strand = Strand::new(&system);
    /// let answer = strand.spawn(async { 6 * 7 }).await?;
    /// assert_eq!(answer, 42);
    /// # Ok(())
    /// # }
    /// ```
    pub fn spawn<F>(&self, future: F) -> StrandTask<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let task = async move {
            let mut future = pin!(future);
            let caught =
                poll_fn(
                    |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                        Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
                        Ok(Poll::Pending) => Poll::Pending,
                        Err(payload) => Poll::Ready(Err(payload)),
                    },
                )
                .await;
            let _ = done.send(caught.map_err(|payload| {
                tracing::error!("a task panicked on its strand");
                drop_caught(payload);
            }));
        };
        let slot = self.spawn_actor(Box::pin(task));
        StrandTask { result, slot }
    }

    /// A new handle to the strand behind `shared`, counted as one.
    fn handle_to(shared: &Arc<Shared>) -> Strand {
        shared.state.lock().handles += 1;
        Strand {
            shared: shared.clone(),
        }
    }

    /// Hands an actor's run loop to the strand's task; the returned slot
    /// aborts it.
    pub(crate) fn spawn_actor(&self, future: ActorFuture) -> Arc<Slot> {
        let mut state = self.shared.state.lock();
        let index = state.free.pop().unwrap_or_else(|| {
            state.next_index += 1;
            state.next_index - 1
        });
        let slot = Arc::new(Slot {
            shared: self.shared.clone(),
            index,
            queued: AtomicBool::new(true),
            aborted: AtomicBool::new(false),
        });
        if state.closed {
            state.free.push(index);
            drop(state);
            drop(future);
            return slot;
        }
        state.incoming.push((slot.clone(), future));
        state.ready.push_back(index);
        state.wake_task();
        slot
    }
}

impl Clone for Strand {
    fn clone(&self) -> Self {
        Strand::handle_to(&self.shared)
    }
}

impl Drop for Strand {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.handles -= 1;
        if state.handles == 0 {
            // The task may be asleep with no actors left: let it end.
            state.wake_task();
        }
    }
}

impl fmt::Debug for Strand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.lock();
        f.debug_struct("Strand")
            .field("ready", &state.ready.len())
            .field("closed", &state.closed)
            .finish_non_exhaustive()
    }
}

/// A plain task running on a strand: awaiting it gives its output.
///
/// Dropping the handle detaches the task, which runs on.
pub struct StrandTask<T> {
    result: oneshot::Receiver<Result<T, ()>>,
    slot: Arc<Slot>,
}

impl<T> StrandTask<T> {
    /// Stops the task at its next await point; awaiting the handle then
    /// gives [`StrandTaskError::Cancelled`].
    pub fn abort(&self) {
        self.slot.abort();
    }
}

impl<T> Future for StrandTask<T> {
    type Output = Result<T, StrandTaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.result).poll(cx).map(|sent| match sent {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(())) => Err(StrandTaskError::Panicked),
            Err(_) => Err(StrandTaskError::Cancelled),
        })
    }
}

impl<T> fmt::Debug for StrandTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrandTask").finish_non_exhaustive()
    }
}

/// What a strand's handles, slots and task share.
struct Shared {
    /// The system the task runs on, to refuse foreign spawns. Weak, yet it
    /// keeps the address from being reused by another system.
    system: Weak<SystemInner>,
    state: Mutex<State>,
}

/// Everything behind the strand's lock (invariant 2).
#[derive(Default)]
struct State {
    /// Indices of slots to poll, each at most once (invariant 3).
    ready: VecDeque<u32>,
    /// Actors spawned since the task last took a round.
    incoming: Vec<(Arc<Slot>, ActorFuture)>,
    /// Table indices given back by finished actors.
    free: Vec<u32>,
    next_index: u32,
    handles: usize,
    /// The task is taking a round and will look again before it sleeps.
    running: bool,
    closed: bool,
    waker: Option<Waker>,
}

impl State {
    /// Keeps `waker` to wake the task with.
    fn register(&mut self, waker: &Waker) {
        if !self.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            self.waker = Some(waker.clone());
        }
    }

    /// Marks the strand ended, letting go of what only a live task needs.
    fn close(&mut self) {
        self.closed = true;
        self.running = false;
        self.waker = None;
        self.ready = VecDeque::new();
        self.free = Vec::new();
    }

    /// Wakes the task unless it will look at the ready list anyway.
    fn wake_task(&mut self) {
        if !self.running
            && let Some(waker) = &self.waker
        {
            waker.wake_by_ref();
        }
    }
}

/// One actor's place on a strand: its waker and its abort switch.
pub(crate) struct Slot {
    shared: Arc<Shared>,
    index: u32,
    queued: AtomicBool,
    aborted: AtomicBool,
}

impl Slot {
    /// A new handle to the slot's strand.
    pub(crate) fn strand(&self) -> Strand {
        Strand::handle_to(&self.shared)
    }

    /// Drops the actor's future at the task's next round, which tears the
    /// actor down as a kill does.
    pub(crate) fn abort(self: &Arc<Self>) {
        // Release: the task's Acquire load of the flag, after it takes the
        // slot from the ready list, sees it.
        self.aborted.store(true, Ordering::Release);
        self.wake_by_ref();
    }
}

impl Wake for Slot {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // AcqRel: pairs with the task's clearing swap (invariant 3), so a
        // wake that finds the slot queued is seen by the poll that follows.
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        if POLLING.get() == Arc::as_ptr(&self.shared) {
            // Woken from its own strand's task: no lock needed (invariant 6).
            WOKEN.with_borrow_mut(|woken| woken.push(self.index));
            return;
        }
        let mut state = self.shared.state.lock();
        if state.closed {
            return;
        }
        state.ready.push_back(self.index);
        state.wake_task();
    }
}

/// One actor in the task's table.
struct Entry {
    slot: Arc<Slot>,
    waker: Waker,
    future: ActorFuture,
}

/// The strand's task: takes rounds of ready slots and polls each.
struct Round {
    shared: Arc<Shared>,
    table: Vec<Option<Entry>>,
    live: usize,
    /// Ready slots taken from the list, not yet polled.
    batch: VecDeque<u32>,
    /// Indices freed during this round, given back with the next lock.
    freed: Vec<u32>,
}

impl Future for Round {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let this = &mut *self;
        let _polling = Polling::enter(&this.shared);
        // Read at the first look, not here: most rounds end sooner, and a
        // turn then runs at most `CLOCK_EVERY` polls past `TURN`.
        let mut started = None;
        let mut polls = 0_u32;
        loop {
            if this.batch.is_empty() {
                match this.take_round(cx) {
                    Took::Some => {}
                    Took::None => return Poll::Pending,
                    Took::End => return Poll::Ready(()),
                }
            }
            while let Some(index) = this.batch.pop_front() {
                this.poll_slot(index);
                WOKEN.with_borrow_mut(|woken| this.batch.extend(woken.drain(..)));
                polls = polls.wrapping_add(1);
                let turn_over = polls.is_multiple_of(CLOCK_EVERY)
                    && started.get_or_insert_with(Instant::now).elapsed() >= Strand::TURN;
                if turn_over || !tokio::task::coop::has_budget_remaining() {
                    this.yield_turn(cx);
                    return Poll::Pending;
                }
            }
        }
    }
}

thread_local! {
    /// The strand whose task this thread is polling, if any (invariant 6).
    static POLLING: Cell<*const Shared> = const { Cell::new(std::ptr::null()) };
    /// Slots of the `POLLING` strand woken on this thread, not yet taken
    /// into its batch.
    static WOKEN: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Marks this thread as polling a strand's task until dropped.
struct Polling(*const Shared);

impl Polling {
    fn enter(shared: &Arc<Shared>) -> Polling {
        Polling(POLLING.replace(Arc::as_ptr(shared)))
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        POLLING.set(self.0);
    }
}

/// What the task found on the ready list.
enum Took {
    /// A round of slots, now in `batch`.
    Some,
    /// Nothing: the task sleeps until a wake.
    None,
    /// Nothing, and nothing can come: no actor and no handle is left.
    End,
}

impl Round {
    /// Takes the ready list into `batch`, or registers to be woken.
    fn take_round(&mut self, cx: &mut TaskContext<'_>) -> Took {
        let mut state = self.shared.state.lock();
        state.free.append(&mut self.freed);
        for (slot, future) in mem::take(&mut state.incoming) {
            admit(&mut self.table, slot, future);
            self.live += 1;
        }
        if !state.ready.is_empty() {
            state.running = true;
            mem::swap(&mut state.ready, &mut self.batch);
            return Took::Some;
        }
        state.running = false;
        if self.live == 0 && state.handles == 0 {
            state.close();
            return Took::End;
        }
        if self.live == 0 {
            // Empty: give back the room of the largest population. Indices
            // still in wakers' hands belong to finished slots, whose wakes
            // do nothing (`poll_slot`).
            self.table = Vec::new();
            state.free = Vec::new();
            state.next_index = 0;
        }
        state.register(cx.waker());
        Took::None
    }

    /// Ends a turn with slots still ready. The wake-up is deferred, not
    /// made: tokio polls the strand again before its worker parks, without
    /// waking another worker. Wakes meanwhile reach tokio again (`running`
    /// is cleared), so a worker held up by a long task of its own cannot
    /// hold the strand up too.
    fn yield_turn(&mut self, cx: &mut TaskContext<'_>) {
        let mut state = self.shared.state.lock();
        // Slots woken from elsewhere join this round's rest, so that slots
        // woken from here, which never leave the batch, cannot starve them.
        self.batch.append(&mut state.ready);
        state.running = false;
        state.register(cx.waker());
        drop(state);
        let _ = pin!(tokio::task::yield_now()).poll(cx);
    }

    fn poll_slot(&mut self, index: u32) {
        let Some(Some(entry)) = self.table.get_mut(index as usize) else {
            return;
        };
        // AcqRel: pairs with the wakers' swap (invariant 3).
        entry.slot.queued.swap(false, Ordering::AcqRel);
        // Acquire: pairs with `Slot::abort`.
        let finished = entry.slot.aborted.load(Ordering::Acquire) || {
            let mut cx = TaskContext::from_waker(&entry.waker);
            match catch_unwind(AssertUnwindSafe(|| entry.future.as_mut().poll(&mut cx))) {
                Ok(poll) => poll.is_ready(),
                Err(payload) => {
                    // It escaped the run loop's own catching: the actor's
                    // future is spent, as tokio treats a task that panicked.
                    tracing::error!("an actor's task panicked on its strand");
                    drop_caught(payload);
                    true
                }
            }
        };
        if finished {
            // Queued for good: a late wake of this slot (a kill after the
            // stop, a waker left in another actor's list) must not queue
            // the index, which another actor may get.
            entry.slot.queued.store(true, Ordering::Relaxed);
            let entry = self.table[index as usize].take();
            self.live -= 1;
            self.freed.push(index);
            drop_caught(entry);
        }
    }
}

impl Drop for Round {
    fn drop(&mut self) {
        let incoming = {
            let mut state = self.shared.state.lock();
            state.close();
            mem::take(&mut state.incoming)
        };
        // Outside the lock: teardowns wake other slots, which take it.
        for (_, future) in incoming {
            drop_caught(future);
        }
        for entry in self.table.drain(..) {
            drop_caught(entry);
        }
    }
}

/// Puts a newly spawned actor in the task's table.
fn admit(table: &mut Vec<Option<Entry>>, slot: Arc<Slot>, future: ActorFuture) {
    let index = slot.index as usize;
    if table.len() <= index {
        table.resize_with(index + 1, || None);
    }
    let waker = Waker::from(slot.clone());
    table[index] = Some(Entry {
        slot,
        waker,
        future,
    });
}

/// Drops an actor's future, catching a panic of its teardown so that the
/// strand's other actors are still run and torn down.
fn drop_caught<T>(value: T) {
    if catch_unwind(AssertUnwindSafe(|| drop(value))).is_err() {
        tracing::error!("dropping an actor's task panicked on its strand");
    }
}
