//! The spawn workload's protocol, shared by every implementation: each
//! supplies a fleet of idle actors; this module times the cycles and reads
//! memory and leftovers the same way for all.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

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

/// Live heap bytes, when the process counts its allocations (the
/// `compare-spawn` binary); `None` otherwise.
pub fn heap_live_bytes() -> Option<i64> {
    let stats = stats_alloc::INSTRUMENTED_SYSTEM.stats();
    (stats.allocations > 0).then(|| {
        let allocated = stats.bytes_allocated + stats.bytes_reallocated.max(0) as usize;
        let freed = stats.bytes_deallocated + (-stats.bytes_reallocated).max(0) as usize;
        allocated as i64 - freed as i64
    })
}

/// One reading of memory: resident bytes and, where counted, live heap.
#[derive(Clone, Copy, Debug)]
struct Memory {
    resident: u64,
    heap: Option<i64>,
}

impl Memory {
    fn now() -> Memory {
        Memory {
            resident: rss_bytes(),
            heap: heap_live_bytes(),
        }
    }
}

/// The runtime's live task count once it has settled: tasks that counted
/// themselves stopped may take a moment to be released, so this waits, up
/// to a second, for the count to come back to `before`.
fn settled_tasks(fleet: &dyn IdleFleet, before: Option<usize>) -> Option<usize> {
    let limit = Instant::now() + Duration::from_secs(1);
    loop {
        let now = fleet.live_tasks()?;
        if before.is_some_and(|b| now <= b) || Instant::now() >= limit {
            return Some(now);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs two spawn/stop cycles of `actors` idle actors on `fleet`.
///
/// The pass's time is the first cycle's spawn plus stop. Figures:
/// `spawn_per_sec`, `bytes_per_actor` (resident growth over the baseline
/// read before the first cycle, divided by `actors`), `heap_per_actor`
/// (live heap growth, where counted), `stop_ms`. Checks: `started` and
/// `stopped` over both cycles; `tasks_left` after the second cycle (the
/// census's difference where the runtime cannot count tasks); `leaked`, 1
/// when the second cycle grew memory: with counted allocations, its live
/// heap after the stop above the first cycle's, or its peak above the
/// first's, by more than the slack ([`leak_slack`]); without, its resident
/// peak above the first's by more than a quarter of the first cycle's
/// growth. Heap a runtime keeps after the first cycle (a table's capacity,
/// say) is reported as `heap_left_first_bytes`, not counted as a leak:
/// a leak grows with every cycle.
pub fn spawn_cycles(fleet: &mut dyn IdleFleet, actors: usize) -> Pass {
    let tasks_before = settled_tasks(fleet, None);
    let baseline = Memory::now();
    let started = Instant::now();
    fleet.spawn(actors);
    let spawned = started.elapsed();
    let first_peak = Memory::now();
    let stopping = Instant::now();
    fleet.stop_all();
    let stopped = stopping.elapsed();
    let first_after = Memory::now();

    fleet.spawn(actors);
    let second_peak = Memory::now();
    fleet.stop_all();
    let second_after = Memory::now();
    let census = fleet.census();
    let tasks_left = match (tasks_before, settled_tasks(fleet, tasks_before)) {
        (Some(before), Some(after)) => after.saturating_sub(before) as u64,
        _ => census.started_count() - census.stopped_count(),
    };
    let growth = first_peak.resident.saturating_sub(baseline.resident);
    let leaked = match (
        first_peak.heap,
        first_after.heap,
        second_peak.heap,
        second_after.heap,
    ) {
        (Some(peak1), Some(after1), Some(peak2), Some(after2)) => {
            let slack = leak_slack(peak1 - baseline.heap.unwrap_or(0));
            after2 - after1 > slack || peak2 - peak1 > slack
        }
        _ => second_peak.resident > first_peak.resident + growth / 4,
    };
    let check = Check::new()
        .int("started", census.started_count())
        .int("stopped", census.stopped_count())
        .int("tasks_left", tasks_left)
        .int("leaked", u64::from(leaked));
    let mut pass = Pass::new(spawned + stopped, check)
        .metric("spawn_per_sec", actors as f64 / spawned.as_secs_f64())
        .metric("bytes_per_actor", growth as f64 / actors as f64)
        .metric("stop_ms", stopped.as_secs_f64() * 1e3);
    if let (Some(base), Some(peak), Some(after)) =
        (baseline.heap, first_peak.heap, second_after.heap)
    {
        pass = pass
            .metric("heap_per_actor", (peak - base) as f64 / actors as f64)
            .metric("heap_left_bytes", (after - base) as f64);
        if let Some(after1) = first_after.heap {
            pass = pass.metric("heap_left_first_bytes", (after1 - base) as f64);
        }
    }
    pass
}

/// Heap a spawn/stop cycle may leave behind without counting as a leak:
/// 64 KiB (runtime bookkeeping that grows once, such as a registry's table)
/// or 1% of the cycle's own growth, whichever is larger. A leak of even one
/// small allocation per actor exceeds it at 100,000 actors.
pub fn leak_slack(cycle_growth: i64) -> i64 {
    (cycle_growth / 100).max(64 * 1024)
}
