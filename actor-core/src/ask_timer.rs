//! (crate) Ask deadlines on reused, lazily re-armed timers.
//!
//! Every ask has a deadline, and almost every ask is answered long before
//! it. Registering a fresh tokio timer per ask and removing it on the answer
//! costs a locked insert and a locked removal in the timer wheel, about a
//! quarter of a whole request/reply round trip; even re-arming a reused
//! timer per ask costs a third of what the rest of the ask does. So each
//! thread keeps a few `Sleep`s per system and leaves them armed: an ask
//! whose deadline is no earlier than its timer's takes the timer as it is.
//! When the timer fires before the ask's own deadline, the ask re-arms it
//! then, so with a steady stream of asks a timer is re-armed about once per
//! timeout period rather than once per ask.
//!
//! Reading the clock for an ask's start costs a tenth of an ask between two
//! actors on one strand, so most asks do not read it either. A timer armed
//! for at most [`PROBE`] after a clock reading taken before the ask began
//! fires at most `PROBE` after the ask began. An ask that takes such a timer
//! reads no clock; if it is still waiting when the timer fires, it reads the
//! clock when it next runs and counts its timeout from that reading. So
//! with a steady stream of asks on a thread the clock is read about once
//! per `PROBE`. Such a timeout is never early; it is late by at most
//! `PROBE`, a timer tick, and however long the asking task waited to run
//! after that first firing. An ask slower than `PROBE` pays one wake-up, a
//! clock read and a re-arm more than it would with its deadline read at
//! once, and an idle thread's timer fires once, `PROBE` after its last ask.
//!
//! Under tokio's paused clock (test-util) every ask reads the clock, so that
//! `tokio::time::advance` times an ask out exactly when it fires a `sleep`
//! begun with it: a paused clock reads the same twice in a row, which
//! [`read_clock`] notes.
//!
//! # Invariants
//!
//! 1. A pooled `Sleep` was created on its system's runtime and is only ever
//!    re-armed for that system (matched by pointer), so it always belongs to
//!    the right time driver and clock.
//! 2. An ask whose start it read from the clock (`deadline` is known) uses a
//!    timer armed no later than that deadline, or fired. An ask that did not
//!    read it uses a timer armed no later than `PROBE` (or its timeout, if
//!    shorter) after it began, because the timer's `read_before` was read
//!    before the ask began, on a clock that moves: [`AskTimer::start`]
//!    reads the clock and re-arms any other timer. When its timer fires, an
//!    ask of either kind compares with its deadline (taking a reading made
//!    after the firing as its start if it had none) and re-arms for it if it
//!    is not yet due. So a timeout is never reported early.
//! 3. `registered_for` is the waker the armed timer will wake, or `None` when
//!    that is not known (after a re-arm, which the timer's firing or a fresh
//!    deadline may leave without a waker). A poll by the same task skips the
//!    timer; any other poll registers with it. A poll that the task's
//!    cooperative budget refused registered nothing, so it records nothing.
//! 4. A pooled `Sleep` that fires while idle wakes the last task that polled
//!    it: a spurious wake-up, which futures tolerate by contract. An armed
//!    probe makes that one wake-up `PROBE` after a thread's last ask.
//! 5. A timer of a dropped system is not given back, and the pool prunes
//!    such timers when it fills, so a thread keeps at most one timer of a
//!    dead runtime (in `LAST`, until its next ask).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use crate::actor::ActorLabel;
use crate::error::AskError;
use crate::reply::{ReplyReceiver, answer};
use crate::system::SystemInner;

/// Timers kept per thread; more concurrent asks allocate and drop extras.
const POOL_CAP: usize = 16;

/// How soon after a clock reading a timer must fire for an ask to use it
/// without reading the clock (invariant 2): tokio's timer resolution, so an
/// ask's timeout is late by about one more tick.
const PROBE: Duration = Duration::from_millis(1);

/// A timer kept for reuse, with the system it belongs to.
struct Pooled {
    system: Weak<SystemInner>,
    sleep: Pin<Box<Sleep>>,
    /// Invariant 3.
    registered_for: Option<Waker>,
    /// A clock reading taken before any ask now taking this timer began
    /// (invariant 2).
    read_before: Instant,
    /// Whether the clock moved between the two reads of that reading: not
    /// under tokio's paused clock.
    clock_moves: bool,
}

impl Pooled {
    /// Re-arms for `deadline`; the waker to wake is unknown until the next
    /// poll.
    fn arm(&mut self, deadline: Instant) {
        self.sleep.as_mut().reset(deadline);
        self.registered_for = None;
    }

    /// Whether it fires within `probe` of a reading taken before an ask now
    /// beginning, so that the ask need not read the clock (invariant 2).
    fn probes_within(&self, probe: Duration) -> bool {
        self.clock_moves
            && !self.sleep.is_elapsed()
            && self
                .read_before
                .checked_add(probe)
                .is_some_and(|bound| self.sleep.deadline() <= bound)
    }

    /// Reads the clock, noting the reading for later asks.
    fn read_clock(&mut self) -> Instant {
        (self.read_before, self.clock_moves) = read_clock();
        self.read_before
    }
}

/// A clock reading, and whether the clock moves on its own: two reads in a
/// row differ by the tens of nanoseconds a read takes, except on tokio's
/// paused clock (or a clock too coarse to tell, which only costs asks their
/// saved read).
fn read_clock() -> (Instant, bool) {
    let first = Instant::now();
    let second = Instant::now();
    #[cfg(test)]
    let first = tests::pretend_the_clock_moves(first);
    (second, second != first)
}

thread_local! {
    /// The timer given back last: the next ask on this thread almost always
    /// takes it, with no search and no borrow flag.
    static LAST: Cell<Option<Box<Pooled>>> = const { Cell::new(None) };
    /// The others, for threads with several asks in flight or systems.
    /// Boxed, so that a timer moves between here, `LAST` and an ask as one
    /// word, and an ask's future stays small.
    #[allow(clippy::vec_box)]
    static POOL: RefCell<Vec<Box<Pooled>>> = const { RefCell::new(Vec::new()) };
}

/// The error of an ask to `target` that got no answer within `timeout`.
pub(crate) fn timed_out(target: &ActorLabel, timeout: Duration) -> AskError {
    AskError::Timeout {
        actor: target.clone(),
        after: timeout,
    }
}

/// The instant `timeout` after `start`, capped far in the future (as tokio
/// caps its own timeouts) so that a huge timeout cannot overflow.
fn deadline_after(start: Instant, timeout: Duration) -> Instant {
    start
        .checked_add(timeout)
        .unwrap_or_else(|| start + Duration::from_secs(86_400 * 365 * 30))
}

/// When a timer taken by an ask that read the clock at `now` should first
/// fire: `probe` after it, so that later asks can take the timer without
/// reading the clock, unless the clock is paused, where no ask takes a
/// probe and the ask's own deadline spares its task a wake-up.
fn first_firing(now: Instant, probe: Duration, deadline: Instant, clock_moves: bool) -> Instant {
    if clock_moves { now + probe } else { deadline }
}

/// An ask's deadline on a pooled timer; returns the timer on drop.
pub(crate) struct AskTimer {
    timeout: Duration,
    /// `None` until the ask reads the clock (invariant 2).
    deadline: Option<Instant>,
    timer: Option<Box<Pooled>>,
}

impl AskTimer {
    /// Takes a timer of `system` for an ask beginning now that may wait
    /// `timeout` (invariant 2).
    pub(crate) fn start(system: &Arc<SystemInner>, timeout: Duration) -> Self {
        let probe = timeout.min(PROBE);
        let (timer, deadline) = match take_pooled(system) {
            Some(timer) if timer.probes_within(probe) => (timer, None),
            Some(mut timer) => {
                let now = timer.read_clock();
                let deadline = deadline_after(now, timeout);
                let arm_at = first_firing(now, probe, deadline, timer.clock_moves);
                if timer.sleep.is_elapsed() || timer.sleep.deadline() > arm_at {
                    timer.arm(arm_at);
                }
                (timer, Some(deadline))
            }
            None => {
                // Read on the asker's clock, as every later reading is.
                let (now, clock_moves) = read_clock();
                let deadline = deadline_after(now, timeout);
                let arm_at = first_firing(now, probe, deadline, clock_moves);
                let _runtime = system.runtime().enter();
                let timer = Box::new(Pooled {
                    system: Arc::downgrade(system),
                    sleep: Box::pin(tokio::time::sleep_until(arm_at)),
                    registered_for: None,
                    read_before: now,
                    clock_moves,
                });
                (timer, Some(deadline))
            }
        };
        AskTimer {
            timeout,
            deadline,
            timer: Some(timer),
        }
    }

    /// Ready once the deadline has passed.
    pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(timer) = self.timer.as_mut() else {
            return Poll::Ready(());
        };
        loop {
            if timer.sleep.is_elapsed() {
                let now = timer.read_clock();
                let deadline = *self
                    .deadline
                    .get_or_insert_with(|| deadline_after(now, self.timeout));
                if now >= deadline {
                    return Poll::Ready(());
                }
                // It fired early: a probe, or an earlier ask's deadline
                // (invariant 2).
                timer.arm(deadline);
            }
            if let Some(waker) = &timer.registered_for
                && waker.will_wake(cx.waker())
            {
                return Poll::Pending;
            }
            let budgeted = tokio::task::coop::has_budget_remaining();
            match timer.sleep.as_mut().poll(cx) {
                // Fired meanwhile: the loop compares with this deadline.
                Poll::Ready(()) => {}
                Poll::Pending => {
                    if budgeted {
                        timer.registered_for = Some(cx.waker().clone());
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// Polls an ask's reply channel for the answer, or fails the ask with
    /// `Timeout` once the deadline has passed. `killed` says whether the
    /// target was killed, which turns a dropped reply into `Stopped`.
    pub(crate) fn poll_reply<R>(
        &mut self,
        rx: &mut ReplyReceiver<R>,
        cx: &mut Context<'_>,
        target: &ActorLabel,
        killed: impl Fn() -> bool,
    ) -> Poll<Result<R, AskError>> {
        // Taken outside tokio's cooperative budget, as messages are (the
        // mailbox spends none): an asker spending one unit per answer would
        // end its strand's turn every 128 answers, and each end costs the
        // worker a search for work and a wake-up of a parked one.
        let reply = pin!(tokio::task::coop::unconstrained(&mut *rx)).poll(cx);
        if let Poll::Ready(received) = reply {
            return Poll::Ready(answer(target, received, killed));
        }
        self.poll_expired(cx)
            .map(|()| Err(timed_out(target, self.timeout)))
    }
}

impl Drop for AskTimer {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            // A thread being torn down has no pool left; the timer just drops.
            give_back(timer);
        }
    }
}

fn take_pooled(system: &Arc<SystemInner>) -> Option<Box<Pooled>> {
    let belongs = |timer: &Pooled| std::ptr::eq(timer.system.as_ptr(), Arc::as_ptr(system));
    if let Some(last) = LAST.take() {
        if belongs(&last) {
            return Some(last);
        }
        LAST.set(Some(last));
    }
    POOL.with_borrow_mut(|pool| {
        let at = pool.iter().position(|timer| belongs(timer))?;
        Some(pool.swap_remove(at))
    })
}

/// Keeps `timer` for the next ask on this thread, unless its system is gone.
fn give_back(timer: Box<Pooled>) {
    if timer.system.strong_count() == 0 {
        return;
    }
    // A thread being torn down has no pool left; the timer just drops.
    let Ok(Some(previous)) = LAST.try_with(|last| last.replace(Some(timer))) else {
        return;
    };
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() >= POOL_CAP {
            pool.retain(|timer| timer.system.strong_count() > 0);
        }
        if pool.len() < POOL_CAP {
            pool.push(previous);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use super::*;
    use crate::ActorSystem;

    thread_local! {
        static PRETEND: Cell<bool> = const { Cell::new(false) };
    }

    /// Under `pretend`, a paused clock's two equal reads count as a moving
    /// clock's, so that the probe can be tested on paused time.
    pub(super) fn pretend_the_clock_moves(first: Instant) -> Instant {
        if PRETEND.get() {
            first - Duration::from_nanos(1)
        } else {
            first
        }
    }

    fn pretend() {
        PRETEND.set(true);
    }

    /// One poll of the timer, as the ask's task would make it.
    async fn poll_once(timer: &mut AskTimer) -> Poll<()> {
        poll_fn(|cx| Poll::Ready(timer.poll_expired(cx))).await
    }

    /// Lets the runtime turn its timer driver, without letting time pass.
    async fn settle() {
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
    }

    const TIMEOUT: Duration = Duration::from_millis(250);

    /// An ask 0.9 ms after another on the same thread: its timer is the
    /// first's probe, not yet fired.
    async fn probed_ask(system: &ActorSystem) -> AskTimer {
        drop(AskTimer::start(&system.inner, TIMEOUT));
        tokio::time::advance(Duration::from_micros(900)).await;
        let timer = AskTimer::start(&system.inner, TIMEOUT);
        assert!(timer.deadline.is_none(), "it read the clock");
        timer
    }

    #[tokio::test(start_paused = true)]
    async fn a_probed_ask_counts_its_timeout_from_after_the_probe() {
        pretend();
        let system = ActorSystem::new();
        let mut timer = probed_ask(&system).await;
        assert!(poll_once(&mut timer).await.is_pending());
        // To 0.1 ms short of the timeout after the ask began.
        tokio::time::advance(TIMEOUT - Duration::from_micros(100)).await;
        settle().await;
        assert!(
            poll_once(&mut timer).await.is_pending(),
            "timed out before its timeout"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_probed_ask_times_out_within_two_ticks_of_its_timeout() {
        pretend();
        let system = ActorSystem::new();
        let mut timer = probed_ask(&system).await;
        let began = Instant::now();
        poll_fn(|cx| timer.poll_expired(cx)).await;
        let late = (began.elapsed()).checked_sub(TIMEOUT);
        assert!(
            late.is_some_and(|late| late <= 2 * PROBE),
            "timed out after {:?}",
            began.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn on_a_paused_clock_every_ask_reads_it() {
        let system = ActorSystem::new();
        drop(AskTimer::start(&system.inner, TIMEOUT));
        let timer = AskTimer::start(&system.inner, TIMEOUT);
        assert!(timer.deadline.is_some());
    }
}
