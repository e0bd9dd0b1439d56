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

/// Spawn/stop cycles run: the first is timed; the later ones show whether
/// memory keeps growing.
pub const CYCLES: usize = 4;

/// Memory around one spawn/stop cycle.
#[derive(Clone, Copy, Debug)]
struct Cycle {
    peak: Memory,
    after: Memory,
}

/// Runs [`CYCLES`] spawn/stop cycles of `actors` idle actors on `fleet`.
///
/// The pass's time is the first cycle's spawn plus stop. Figures:
/// `spawn_per_sec`, `bytes_per_actor` (resident growth over the baseline
/// read before the first cycle, divided by `actors`), `heap_per_actor`
/// (live heap growth, where counted), `stop_ms`, and the live heap left
/// after the first and the last cycle (`heap_left_first_bytes`,
/// `heap_left_bytes`, and per cycle), and, where allocations are counted,
/// `leak_bytes_per_actor`: the smaller of the last two cycles' growth of
/// the heap left after the stop, per actor. A leak grows the heap with
/// every cycle; capacity a runtime keeps (a table sized by the burst, which
/// may double once more as it fills with tombstones) levels off, so it
/// shows in the heap left but not in the leak. Checks: `started` and
/// `stopped` over all cycles, and `tasks_left` after the last (the census's
/// difference where the runtime cannot count tasks).
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
    let mut cycles = vec![Cycle {
        peak: first_peak,
        after: Memory::now(),
    }];
    for _ in 1..CYCLES {
        fleet.spawn(actors);
        let peak = Memory::now();
        fleet.stop_all();
        cycles.push(Cycle {
            peak,
            after: Memory::now(),
        });
    }
    let census = fleet.census();
    let tasks_left = match (tasks_before, settled_tasks(fleet, tasks_before)) {
        (Some(before), Some(after)) => after.saturating_sub(before) as u64,
        _ => census.started_count() - census.stopped_count(),
    };
    let growth = first_peak.resident.saturating_sub(baseline.resident);
    // A leak grows the heap left after every cycle, while capacity a table
    // keeps levels off: the smaller of the last two cycles' growths counts.
    let leak_per_actor = baseline.heap.map(|_| {
        let grew =
            |pair: &[Cycle]| pair[1].after.heap.unwrap_or(0) - pair[0].after.heap.unwrap_or(0);
        let least = cycles.windows(2).rev().take(2).map(grew).min().unwrap_or(0);
        least.max(0) as f64 / actors as f64
    });
    let check = Check::new()
        .int("started", census.started_count())
        .int("stopped", census.stopped_count())
        .int("tasks_left", tasks_left);
    let mut pass = Pass::new(spawned + stopped, check)
        .metric("spawn_per_sec", actors as f64 / spawned.as_secs_f64())
        .metric("bytes_per_actor", growth as f64 / actors as f64)
        .metric("stop_ms", stopped.as_secs_f64() * 1e3);
    if let Some(leak) = leak_per_actor {
        pass = pass.metric("leak_bytes_per_actor", leak);
    }
    let (first, last) = (cycles[0], cycles[CYCLES - 1]);
    if let (Some(base), Some(peak), Some(after1), Some(after)) = (
        baseline.heap,
        first.peak.heap,
        first.after.heap,
        last.after.heap,
    ) {
        pass = pass
            .metric("heap_per_actor", (peak - base) as f64 / actors as f64)
            .metric("heap_left_first_bytes", (after1 - base) as f64)
            .metric("heap_left_bytes", (after - base) as f64);
        for (i, cycle) in cycles.iter().enumerate() {
            let left = cycle.after.heap.unwrap_or(base) - base;
            pass = pass.metric(&format!("heap_left_cycle{}_bytes", i + 1), left as f64);
        }
    }
    pass
}
