//! (crate) Ask deadlines on reused timers.
//!
//! Every ask has a deadline, and almost every ask is answered long before
//! it. Registering a fresh tokio timer per ask and removing it on the answer
//! costs a locked insert and a locked removal in the timer wheel, about a
//! quarter of a whole request/reply round trip. Instead each thread keeps a
//! few `Sleep`s per system and re-arms one per ask: moving a registered
//! timer's deadline later is a single compare-and-swap in tokio (the wheel
//! re-files the entry lazily when the old deadline comes up).
//!
//! # Invariants
//!
//! 1. A pooled `Sleep` was created on its system's runtime and is only ever
//!    re-armed for that system (matched by pointer), so it always belongs to
//!    the right time driver and clock.
//! 2. A pooled `Sleep` that fires while idle wakes the last task that polled
//!    it: a spurious wake-up, which futures tolerate by contract.
//! 3. Entries of a dropped system are pruned when a timer is returned, so a
//!    thread does not keep timers of dead runtimes.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use crate::actor::ActorLabel;
use crate::error::AskError;
use crate::system::SystemInner;

/// Timers kept per thread; more concurrent asks allocate and drop extras.
const POOL_CAP: usize = 16;

type Pooled = (Weak<SystemInner>, Pin<Box<Sleep>>);

thread_local! {
    static POOL: RefCell<Vec<Pooled>> = const { RefCell::new(Vec::new()) };
}

/// The instant `timeout` from now, capped far in the future (as tokio caps
/// its own timeouts) so that a huge timeout cannot overflow.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30))
}

/// An armed deadline; returns its timer to the pool on drop.
pub(crate) struct AskTimer {
    system: Weak<SystemInner>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl AskTimer {
    /// Arms a timer of `system` for `deadline`.
    pub(crate) fn start(system: &Arc<SystemInner>, deadline: Instant) -> Self {
        let (system, sleep) = match take_pooled(system) {
            Some((owner, mut sleep)) => {
                sleep.as_mut().reset(deadline);
                (owner, sleep)
            }
            None => {
                let _runtime = system.runtime().enter();
                let sleep = Box::pin(tokio::time::sleep_until(deadline));
                (Arc::downgrade(system), sleep)
            }
        };
        AskTimer {
            system,
            sleep: Some(sleep),
        }
    }

    /// Ready once the deadline has passed.
    pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match self.sleep.as_mut() {
            Some(sleep) => sleep.as_mut().poll(cx),
            None => Poll::Ready(()),
        }
    }

    /// Polls an ask's exchange, or fails it with `Timeout` once the deadline
    /// has passed.
    pub(crate) fn poll_answer<R>(
        &mut self,
        exchange: Pin<&mut impl Future<Output = Result<R, AskError>>>,
        cx: &mut Context<'_>,
        target: &ActorLabel,
        timeout: Duration,
    ) -> Poll<Result<R, AskError>> {
        if let Poll::Ready(answer) = exchange.poll(cx) {
            return Poll::Ready(answer);
        }
        self.poll_expired(cx).map(|()| {
            Err(AskError::Timeout {
                actor: target.clone(),
                after: timeout,
            })
        })
    }
}

impl Drop for AskTimer {
    fn drop(&mut self) {
        if let Some(sleep) = self.sleep.take() {
            let system = std::mem::take(&mut self.system);
            // A thread being torn down has no pool left; the timer just drops.
            let _ = POOL.try_with(|pool| give_back(&mut pool.borrow_mut(), system, sleep));
        }
    }
}

fn take_pooled(system: &Arc<SystemInner>) -> Option<Pooled> {
    POOL.with_borrow_mut(|pool| {
        let at = pool
            .iter()
            .position(|(owner, _)| std::ptr::eq(owner.as_ptr(), Arc::as_ptr(system)))?;
        Some(pool.swap_remove(at))
    })
}

fn give_back(pool: &mut Vec<Pooled>, system: Weak<SystemInner>, sleep: Pin<Box<Sleep>>) {
    if pool.len() >= POOL_CAP {
        pool.retain(|(owner, _)| owner.strong_count() > 0);
    }
    if pool.len() < POOL_CAP && system.strong_count() > 0 {
        pool.push((system, sleep));
    }
}
