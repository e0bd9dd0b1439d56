//! The spawn workload's protocol, shared by every implementation: each
//! supplies a fleet of idle actors; this module times the cycles and reads
//! memory and leftovers the same way for all.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use crate::check::Check;
use crate::measure::{Pass, rss_bytes};

/// Counts idle actors started and stopped; idle actors count themselves in
/// their start and stop hooks, and a fleet waits on it.
#[derive(Clone, Debug, Default)]
pub struct Census {
    inner: Arc<CensusInner>,
}

#[derive(Debug, Default)]
struct CensusInner {
    started: AtomicU64,
    stopped: AtomicU64,
    changed: Mutex<()>,
    wake: Condvar,
    notify: tokio::sync::Notify,
}

impl Census {
    /// A census at zero.
    pub fn new() -> Census {
        Census::default()
    }

    /// Counts one actor started.
    pub fn started(&self) {
        self.bump(&self.inner.started);
    }

    /// Counts one actor stopped.
    pub fn stopped(&self) {
        self.bump(&self.inner.stopped);
    }

    fn bump(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::AcqRel);
        // Taking the lock orders this bump against a waiter's check.
        drop(self.inner.changed.lock());
        self.inner.wake.notify_all();
        self.inner.notify.notify_waiters();
    }

    /// Actors started so far.
    pub fn started_count(&self) -> u64 {
        self.inner.started.load(Ordering::Acquire)
    }

    /// Actors stopped so far.
    pub fn stopped_count(&self) -> u64 {
        self.inner.stopped.load(Ordering::Acquire)
    }

    /// Waits, asynchronously, until `started` and `stopped` reach at least
    /// the given counts.
    pub async fn reached(&self, started: u64, stopped: u64) {
        loop {
            let notified = self.inner.notify.notified();
            if self.started_count() >= started && self.stopped_count() >= stopped {
                return;
            }
            notified.await;
        }
    }

    /// Blocks the calling thread until `started` and `stopped` reach at
    /// least the given counts (for runtimes that are not tokio).
    pub fn wait_until(&self, started: u64, stopped: u64) {
        let mut guard = self.inner.changed.lock().unwrap_or_else(|e| e.into_inner());
        while self.started_count() < started || self.stopped_count() < stopped {
            guard = self
                .inner
                .wake
                .wait(guard)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// An implementation's idle actors for the spawn workload.
pub trait IdleFleet {
    /// Spawns `n` idle actors, each holding a `u64`, keeping their handles;
    /// returns once all have started (counted in [`IdleFleet::census`]).
    fn spawn(&mut self, n: usize);
    /// Stops every held actor; returns once all have stopped.
    fn stop_all(&mut self);
    /// The census the idle actors count themselves in.
    fn census(&self) -> &Census;
    /// Tasks the runtime counts alive, where it can tell.
    fn live_tasks(&self) -> Option<usize>;
}

/// Runs two spawn/stop cycles of `actors` idle actors on `fleet`.
///
/// The pass's time is the first cycle's spawn plus stop. Figures:
/// `spawn_per_sec`, `bytes_per_actor` (resident growth over the baseline
/// read before the first cycle, divided by `actors`), `stop_ms`. Checks:
/// `started` and `stopped` over both cycles; `tasks_left` after the second
/// cycle (the census's difference where the runtime cannot count tasks);
/// `second_cycle_grew`, 1 when the second cycle's resident peak exceeds the
/// first's by more than a quarter of the first cycle's growth.
pub fn spawn_cycles(fleet: &mut dyn IdleFleet, actors: usize) -> Pass {
    let tasks_before = fleet.live_tasks();
    let baseline = rss_bytes();
    let started = Instant::now();
    fleet.spawn(actors);
    let spawned = started.elapsed();
    let first_peak = rss_bytes();
    let stopping = Instant::now();
    fleet.stop_all();
    let stopped = stopping.elapsed();

    fleet.spawn(actors);
    let second_peak = rss_bytes();
    fleet.stop_all();
    let census = fleet.census();
    let tasks_left = match (tasks_before, fleet.live_tasks()) {
        (Some(before), Some(after)) => after.saturating_sub(before) as u64,
        _ => census.started_count() - census.stopped_count(),
    };
    let growth = first_peak.saturating_sub(baseline);
    let grew = second_peak > first_peak + growth / 4;
    let check = Check::new()
        .int("started", census.started_count())
        .int("stopped", census.stopped_count())
        .int("tasks_left", tasks_left)
        .int("second_cycle_grew", u64::from(grew));
    Pass::new(spawned + stopped, check)
        .metric("spawn_per_sec", actors as f64 / spawned.as_secs_f64())
        .metric("bytes_per_actor", growth as f64 / actors as f64)
        .metric("stop_ms", stopped.as_secs_f64() * 1e3)
        .metric(
            "second_cycle_extra_bytes",
            second_peak as f64 - first_peak as f64,
        )
}
