//! Running the plan: one child process per (implementation, workload,
//! repeat), repeats interleaved across implementations, each child's
//! disturbance from other processes measured and a disturbed child re-run.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::contender::{Entry, entries};
use crate::measure::{
    Pass, TICKS_PER_SECOND, context_switches, cpu_count, machine_busy_ticks, own_cpu_ticks,
};
use crate::spec::{Size, Workload};

/// What one child process reports on its standard output, as one JSON line.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChildReport {
    /// The implementation's name.
    pub implementation: String,
    /// The workload's name.
    pub workload: String,
    /// How the measured pass went.
    pub outcome: ChildOutcome,
    /// CPU the child used in all (warm-up included), in clock ticks.
    pub cpu_ticks: u64,
}

/// How a child's measured pass went.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChildOutcome {
    /// The pass ran; `mismatches` lists check values that were wrong (empty
    /// when the run is correct).
    Ran {
        /// The measured pass.
        pass: Pass,
        /// Check values that differ from the expected ones.
        mismatches: Vec<String>,
    },
    /// The implementation cannot express the workload.
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// The pass panicked, the child died, or it ran out of time.
    Failed {
        /// What happened.
        error: String,
    },
}

/// Runs `workload` on `entry` in this process: build, one warm-up pass, one
/// measured pass, check. This is the child's whole job.
pub fn run_child(entry: &Entry, workload: Workload, size: Size) -> ChildReport {
    let spec = workload.spec(size);
    let expected = spec.expected();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut contender = (entry.make)();
        let warm = contender.run(&spec.warm_up());
        if let Ok(pass) = &warm {
            let wrong = spec.warm_up().expected().mismatches(&pass.check);
            if !wrong.is_empty() {
                return ChildOutcome::Ran {
                    pass: pass.clone(),
                    mismatches: wrong.into_iter().map(|w| format!("warm-up: {w}")).collect(),
                };
            }
        }
        let switches = context_switches();
        match warm.and_then(|_| contender.run(&spec)) {
            Ok(pass) => {
                let switched = context_switches().saturating_sub(switches);
                ChildOutcome::Ran {
                    mismatches: expected.mismatches(&pass.check),
                    pass: pass.metric("context_switches", switched as f64),
                }
            }
            Err(na) => ChildOutcome::NotApplicable {
                reason: na.0.to_owned(),
            },
        }
    }));
    let outcome = outcome.unwrap_or_else(|panic| ChildOutcome::Failed {
        error: panic_message(panic.as_ref()),
    });
    ChildReport {
        implementation: entry.name.to_owned(),
        workload: workload.name().to_owned(),
        outcome,
        cpu_ticks: own_cpu_ticks(),
    }
}

/// The child's command line: `IMPLEMENTATION WORKLOAD [--size quick|full]`.
/// Prints the [`ChildReport`] as one JSON line.
///
/// # Panics
///
/// If the report cannot be serialised (it always can: plain data).
pub fn child_main(argv: &[String]) -> ExitCode {
    let [imp, work, rest @ ..] = argv else {
        eprintln!("compare --child IMPLEMENTATION WORKLOAD [--size quick|full]");
        return ExitCode::from(2);
    };
    let size = match rest {
        [flag, s] if flag == "--size" && s == "quick" => Size::Quick,
        [flag, s] if flag == "--size" && s == "full" => Size::Full,
        [] => Size::Full,
        _ => {
            eprintln!("compare --child: bad size arguments {rest:?}");
            return ExitCode::from(2);
        }
    };
    let (Some(entry), Some(workload)) = (
        entries().into_iter().find(|e| e.name == imp),
        Workload::from_name(work),
    ) else {
        eprintln!("compare --child: unknown implementation {imp} or workload {work}");
        return ExitCode::from(2);
    };
    let report = run_child(&entry, workload, size);
    println!(
        "{}",
        serde_json::to_string(&report).expect("reports serialise")
    );
    ExitCode::SUCCESS
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    format!("panicked: {text}")
}

/// What to run and how.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The harness binary, re-run as each child.
    pub exe: PathBuf,
    /// Implementations, in table order.
    pub entries: Vec<Entry>,
    /// Workloads, in table order.
    pub workloads: Vec<Workload>,
    /// Sizes.
    pub size: Size,
    /// Measured children per (implementation, workload).
    pub repeats: usize,
    /// Share of the machine's CPU other processes may use during a child
    /// before it is re-run.
    pub max_disturbance: f64,
    /// Re-runs allowed for a disturbed child.
    pub retries: usize,
    /// A child running longer than this is killed and reported failed.
    pub child_timeout: Duration,
}

/// One child's result as the parent saw it: one JSON line of the output.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    /// What the child reported.
    #[serde(flatten)]
    pub child: ChildReport,
    /// Which repeat (0-based).
    pub repeat: usize,
    /// Runs it took (1 when the first was undisturbed).
    pub attempts: usize,
    /// The child's wall-clock time, process start to exit.
    pub wall_secs: f64,
    /// Share of the machine's CPU other processes used while it ran.
    pub others_share: f64,
    /// Still disturbed beyond the threshold after every re-run.
    pub disturbed: bool,
}

impl Plan {
    /// Runs every child, calling `seen` with each record as it lands.
    /// Repeats are the outer loop, and the order of implementations rotates
    /// from one repeat to the next, so drift hits all alike.
    pub fn run(&self, mut seen: impl FnMut(&Record)) -> Vec<Record> {
        let mut records = Vec::new();
        for repeat in 0..self.repeats {
            for &workload in &self.workloads {
                let n = self.entries.len();
                for k in 0..n {
                    let entry = &self.entries[(k + repeat) % n];
                    let record = self.run_settled(entry, workload, repeat);
                    seen(&record);
                    records.push(record);
                }
            }
        }
        records
    }

    /// Runs one child, re-running it while others disturbed it; keeps the
    /// least disturbed run.
    fn run_settled(&self, entry: &Entry, workload: Workload, repeat: usize) -> Record {
        let mut best: Option<Record> = None;
        for attempt in 1..=self.retries + 1 {
            let mut record = self.run_once(entry, workload, repeat);
            record.attempts = attempt;
            record.disturbed = record.others_share > self.max_disturbance;
            let calm = !record.disturbed;
            if best
                .as_ref()
                .is_none_or(|b| record.others_share < b.others_share)
            {
                best = Some(record);
            }
            if calm {
                break;
            }
        }
        let mut best = best.expect("at least one attempt");
        best.attempts = best.attempts.max(1);
        best
    }

    fn run_once(&self, entry: &Entry, workload: Workload, repeat: usize) -> Record {
        let busy_before = machine_busy_ticks();
        let own_before = own_cpu_ticks();
        let started = Instant::now();
        let child = self.spawn_child(entry, workload);
        let wall = started.elapsed();
        let busy = machine_busy_ticks().saturating_sub(busy_before);
        let own = own_cpu_ticks().saturating_sub(own_before);
        let others = busy
            .saturating_sub(child.cpu_ticks + own)
            // /proc counts whole ticks: allow two of rounding either side.
            .saturating_sub(2);
        let capacity = wall.as_secs_f64() * TICKS_PER_SECOND * cpu_count() as f64;
        Record {
            child,
            repeat,
            attempts: 1,
            wall_secs: wall.as_secs_f64(),
            others_share: if capacity > 0.0 {
                others as f64 / capacity
            } else {
                0.0
            },
            disturbed: false,
        }
    }

    fn spawn_child(&self, entry: &Entry, workload: Workload) -> ChildReport {
        let failed = |error: String| ChildReport {
            implementation: entry.name.to_owned(),
            workload: workload.name().to_owned(),
            outcome: ChildOutcome::Failed { error },
            cpu_ticks: 0,
        };
        let size = match self.size {
            Size::Full => "full",
            Size::Quick => "quick",
        };
        // The spawn workload runs in the twin binary that counts allocations.
        let exe = match workload {
            Workload::Spawn => {
                let twin = self.exe.with_file_name("compare-spawn");
                if !twin.exists() {
                    return failed(format!(
                        "{} is missing: the spawn workload runs in it; build both binaries \
                         with `cargo build --release -p compare`",
                        twin.display()
                    ));
                }
                twin
            }
            _ => self.exe.clone(),
        };
        let spawned = Command::new(&exe)
            .args(["--child", entry.name, workload.name(), "--size", size])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => return failed(format!("could not start the child: {e}")),
        };
        // Read on the side, so a chatty child cannot fill the pipe and stall.
        let reader = child.stdout.take().map(|mut stdout| {
            std::thread::spawn(move || {
                let mut out = String::new();
                let _ = stdout.read_to_string(&mut out);
                out
            })
        });
        let deadline = Instant::now() + self.child_timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return failed(format!(
                        "ran past the {:?} limit and was killed",
                        self.child_timeout
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return failed(format!("could not wait for the child: {e}")),
            }
        };
        let out = reader.and_then(|r| r.join().ok()).unwrap_or_default();
        let last = out.lines().rev().find(|l| l.starts_with('{'));
        match last.map(serde_json::from_str::<ChildReport>) {
            Some(Ok(report)) => report,
            Some(Err(e)) => failed(format!("unreadable report ({e}); exit {status}")),
            None => failed(format!("no report; exit {status}")),
        }
    }
}
