//! What a pass measures, and the readings taken from `/proc`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::check::Check;

/// One timed pass of a workload.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pass {
    /// The timed region: first actor created to the driver learning that
    /// the run is complete with every actor stopped.
    pub elapsed: Duration,
    /// The values the run computed, compared with [`crate::Spec::expected`].
    pub check: Check,
    /// Further figures, by name (latency percentiles, memory per actor...).
    pub metrics: BTreeMap<String, f64>,
}

impl Pass {
    /// A pass that took `elapsed` and computed `check`.
    pub fn new(elapsed: Duration, check: Check) -> Pass {
        Pass {
            elapsed,
            check,
            metrics: BTreeMap::new(),
        }
    }

    /// Adds a named figure.
    #[must_use]
    pub fn metric(mut self, name: &str, value: f64) -> Pass {
        self.metrics.insert(name.to_owned(), value);
        self
    }
}

/// Why an implementation cannot run a workload; shown as "n/a" with this
/// reason in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotApplicable(pub &'static str);

impl NotApplicable {
    /// The pool and pipeline workloads measure this runtime's pattern API
    /// against the same composition hand-written with tokio; the peers have
    /// no such API, so every peer reports this.
    pub const PATTERNS_ONLY: NotApplicable = NotApplicable(
        "compares only this runtime's pattern API (Pool, Pipeline) with hand-written tokio",
    );
}

/// What running one workload gives: a pass, or the reason there is none.
pub type Outcome = Result<Pass, NotApplicable>;

/// Round-trip latencies, summarised as mean and percentiles.
#[derive(Debug, Default)]
pub struct Latencies {
    nanos: Vec<u64>,
}

impl Latencies {
    /// Room for `n` samples, so recording does not allocate.
    pub fn with_capacity(n: usize) -> Latencies {
        Latencies {
            nanos: Vec::with_capacity(n),
        }
    }

    /// Records one round trip.
    pub fn record(&mut self, took: Duration) {
        self.nanos
            .push(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Adds `mean_ns`, `p50_ns`, `p99_ns` and `p999_ns` to `pass`.
    pub fn into_pass(mut self, pass: Pass) -> Pass {
        if self.nanos.is_empty() {
            return pass;
        }
        self.nanos.sort_unstable();
        let mean = self.nanos.iter().sum::<u64>() as f64 / self.nanos.len() as f64;
        let at = |q: f64| self.nanos[((self.nanos.len() - 1) as f64 * q).round() as usize] as f64;
        pass.metric("mean_ns", mean)
            .metric("p50_ns", at(0.50))
            .metric("p99_ns", at(0.99))
            .metric("p999_ns", at(0.999))
    }
}

/// The page size assumed when converting `statm` pages to bytes.
const PAGE_SIZE: u64 = 4096;

/// This process's resident set size in bytes, from `/proc/self/statm`.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * PAGE_SIZE)
}

/// CPU time this process has used (user + system), in clock ticks, from
/// `/proc/self/stat`.
pub fn own_cpu_ticks() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // The command name may hold spaces; fields count from after its ')'.
    let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after ')'.
    field(11) + field(12)
}

/// CPU time the whole machine has spent busy (everything but idle and
/// iowait), in clock ticks summed over all CPUs, from `/proc/stat`.
pub fn machine_busy_ticks() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0;
    };
    let Some(line) = stat.lines().next() else {
        return 0;
    };
    line.split_whitespace()
        .skip(1)
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .filter_map(|(_, v)| v.parse::<u64>().ok())
        .sum()
}

/// Context switches of this process's live threads so far (voluntary and
/// not), summed over `/proc/self/task/*/status`. A thread that has exited
/// no longer counts, so read it around work done by long-lived threads.
pub fn context_switches() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

/// Clock ticks per second of the `/proc` figures (`USER_HZ`, 100 on Linux).
pub const TICKS_PER_SECOND: f64 = 100.0;

/// Online CPUs.
pub fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
