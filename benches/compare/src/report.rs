//! Summaries of the records: medians, ratios to raw tokio, and the
//! markdown table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::contender::Entry;
use crate::runner::{ChildOutcome, Record};
use crate::spec::Workload;

/// One (implementation, workload) cell over all its repeats.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    /// Measured times of correct runs, in seconds, sorted.
    pub secs: Vec<f64>,
    /// Each figure's values over the correct runs.
    pub metrics: BTreeMap<String, Vec<f64>>,
    /// Why the implementation cannot run it, if so.
    pub not_applicable: Option<String>,
    /// Failures and wrong checks, one line each.
    pub failures: Vec<String>,
    /// Runs still disturbed after their re-runs.
    pub disturbed: usize,
}

impl Cell {
    /// The median time in seconds, if any run was correct.
    pub fn median(&self) -> Option<f64> {
        median(&self.secs)
    }

    /// The median of figure `name`.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.get(name).and_then(|v| {
            let mut v = v.clone();
            v.sort_by(f64::total_cmp);
            median(&v)
        })
    }
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Every cell of a run, keyed by (implementation, workload) names.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The cells.
    pub cells: BTreeMap<(String, String), Cell>,
}

impl Summary {
    /// Folds the records into cells.
    pub fn new(records: &[Record]) -> Summary {
        let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
        for record in records {
            let key = (
                record.child.implementation.clone(),
                record.child.workload.clone(),
            );
            let cell = cells.entry(key).or_default();
            cell.disturbed += usize::from(record.disturbed);
            match &record.child.outcome {
                ChildOutcome::Ran { pass, mismatches } if mismatches.is_empty() => {
                    cell.secs.push(pass.elapsed.as_secs_f64());
                    for (name, value) in &pass.metrics {
                        cell.metrics.entry(name.clone()).or_default().push(*value);
                    }
                }
                ChildOutcome::Ran { mismatches, .. } => {
                    cell.failures
                        .push(format!("wrong result: {}", mismatches.join("; ")));
                }
                ChildOutcome::NotApplicable { reason } => {
                    cell.not_applicable = Some(reason.clone());
                }
                ChildOutcome::Failed { error } => cell.failures.push(error.clone()),
            }
        }
        for cell in cells.values_mut() {
            cell.secs.sort_by(f64::total_cmp);
        }
        Summary { cells }
    }

    /// The cell of `implementation` on `workload`.
    pub fn cell(&self, implementation: &str, workload: Workload) -> Option<&Cell> {
        self.cells
            .get(&(implementation.to_owned(), workload.name().to_owned()))
    }

    /// Failures and wrong results, one line each, over all cells.
    pub fn failures(&self) -> Vec<String> {
        self.cells
            .iter()
            .flat_map(|((imp, work), cell)| {
                cell.failures
                    .iter()
                    .map(move |f| format!("{imp} / {work}: {f}"))
            })
            .collect()
    }

    /// `implementation`'s median time over its baseline's on `workload`.
    pub fn ratio(&self, entry: &Entry, workload: Workload) -> Option<f64> {
        let mine = self.cell(entry.name, workload)?.median()?;
        let base = self.cell(entry.baseline, workload)?.median()?;
        Some(mine / base)
    }

    /// The markdown tables: time ratios to raw tokio, absolute medians with
    /// their spread, the latency and spawn figures, and the n/a reasons.
    pub fn markdown(&self, entries: &[Entry], workloads: &[Workload]) -> String {
        let mut out = String::new();
        let mut notes: Vec<String> = Vec::new();
        out.push_str(&header("workload", entries));
        for &w in workloads {
            let mut row = format!("| {w} |");
            for e in entries {
                let text = match (self.cell(e.name, w), self.ratio(e, w)) {
                    (Some(c), _) if !c.failures.is_empty() => "**FAILED**".to_owned(),
                    (Some(c), _) if c.not_applicable.is_some() => {
                        let reason = c.not_applicable.clone().unwrap_or_default();
                        note(&mut notes, format!("{} on {w}: {reason}", e.name))
                    }
                    (Some(c), Some(r)) => format!("{} ({})", millis(c.median()), times(r)),
                    (Some(c), None) => millis(c.median()),
                    (None, _) => "–".to_owned(),
                };
                let _ = write!(row, " {text} |");
            }
            out.push_str(&row);
            out.push('\n');
        }
        out.push_str(&self.details(entries, workloads));
        if !notes.is_empty() {
            out.push('\n');
            for (i, n) in notes.iter().enumerate() {
                let _ = writeln!(out, "{}. n/a: {n}", i + 1);
            }
        }
        out
    }

    fn details(&self, entries: &[Entry], workloads: &[Workload]) -> String {
        let mut out = String::new();
        let figures: [(Workload, &str, &str, f64); 9] = [
            (Workload::Ask, "mean_ns", "ask mean (µs)", 1e-3),
            (Workload::Ask, "p50_ns", "ask p50 (µs)", 1e-3),
            (Workload::Ask, "p99_ns", "ask p99 (µs)", 1e-3),
            (Workload::Ask, "p999_ns", "ask p99.9 (µs)", 1e-3),
            (
                Workload::Spawn,
                "spawn_per_sec",
                "spawns per second (k)",
                1e-3,
            ),
            (
                Workload::Spawn,
                "bytes_per_actor",
                "resident bytes per idle actor",
                1.0,
            ),
            (
                Workload::Spawn,
                "heap_per_actor",
                "live heap bytes per idle actor",
                1.0,
            ),
            (
                Workload::Spawn,
                "leak_bytes_per_actor",
                "heap leaked per actor per spawn/stop cycle (B)",
                1.0,
            ),
            (Workload::Spawn, "stop_ms", "stop all (ms)", 1.0),
        ];
        let shown: Vec<_> = figures
            .iter()
            .filter(|f| workloads.contains(&f.0))
            .collect();
        if shown.is_empty() {
            return out;
        }
        out.push('\n');
        out.push_str(&header("figure", entries));
        for (w, key, label, scale) in shown {
            let mut row = format!("| {label} |");
            for e in entries {
                let v = self.cell(e.name, *w).and_then(|c| c.metric(key));
                let text = v.map_or("–".to_owned(), |v| format!("{:.1}", v * scale));
                let _ = write!(row, " {text} |");
            }
            out.push_str(&row);
            out.push('\n');
        }
        out
    }

    /// One line per cell with median, min, max and the number of runs.
    pub fn spread(&self, entries: &[Entry], workloads: &[Workload]) -> String {
        let mut out = String::from(
            "| workload | implementation | median | min | max | runs |\n|---|---|---|---|---|---|\n",
        );
        for &w in workloads {
            for e in entries {
                let Some(c) = self.cell(e.name, w) else {
                    continue;
                };
                if c.secs.is_empty() {
                    continue;
                }
                let switches = c
                    .metric("context_switches")
                    .map_or("–".to_owned(), |n| format!("{n:.0}"));
                let _ = writeln!(
                    out,
                    "| {w} | {} | {} | {} | {} | {} | {switches} |",
                    e.name,
                    millis(c.median()),
                    millis(c.secs.first().copied()),
                    millis(c.secs.last().copied()),
                    c.secs.len()
                );
            }
        }
        out
    }
}

fn header(first: &str, entries: &[Entry]) -> String {
    let names: Vec<&str> = entries.iter().map(|e| e.name).collect();
    format!(
        "| {first} | {} |\n|---|{}\n",
        names.join(" | "),
        "---|".repeat(entries.len())
    )
}

fn note(notes: &mut Vec<String>, text: String) -> String {
    notes.push(text);
    format!("n/a ({})", notes.len())
}

fn millis(secs: Option<f64>) -> String {
    match secs {
        Some(s) if s < 0.01 => format!("{:.2} ms", s * 1e3),
        Some(s) => format!("{:.1} ms", s * 1e3),
        None => "–".to_owned(),
    }
}

fn times(ratio: f64) -> String {
    format!("×{ratio:.2}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::check::Check;
    use crate::contender::entries;
    use crate::measure::Pass;
    use crate::runner::ChildReport;

    fn record(implementation: &str, workload: Workload, outcome: ChildOutcome) -> Record {
        Record {
            child: ChildReport {
                implementation: implementation.to_owned(),
                workload: workload.name().to_owned(),
                outcome,
                cpu_ticks: 0,
            },
            repeat: 0,
            attempts: 1,
            wall_secs: 0.0,
            others_share: 0.0,
            disturbed: false,
        }
    }

    fn ran(millis: u64, mismatches: Vec<String>) -> ChildOutcome {
        ChildOutcome::Ran {
            pass: Pass::new(Duration::from_millis(millis), Check::new()),
            mismatches,
        }
    }

    #[test]
    fn medians_and_ratios_come_from_correct_runs_only() {
        let w = Workload::Ring;
        let records = vec![
            record("tokio", w, ran(10, vec![])),
            record("tokio", w, ran(30, vec![])),
            record("tokio", w, ran(20, vec![])),
            record("ours", w, ran(15, vec![])),
            record("ours", w, ran(1, vec!["sum: got 1, expected 2".to_owned()])),
        ];
        let summary = Summary::new(&records);
        assert_eq!(summary.cell("tokio", w).and_then(Cell::median), Some(0.02));
        let ours = entries()
            .into_iter()
            .find(|e| e.name == "ours")
            .expect("ours");
        let ratio = summary.ratio(&ours, w).expect("both have a median");
        assert!((ratio - 0.75).abs() < 1e-9, "{ratio}");
        let failures = summary.failures();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("ours / ring: wrong result: sum"));
    }

    #[test]
    fn the_table_marks_failures_and_explains_what_cannot_run() {
        let w = Workload::TellBounded;
        let records = vec![
            record("tokio", w, ran(10, vec![])),
            record(
                "ours",
                w,
                ChildOutcome::Failed {
                    error: "panicked: boom".to_owned(),
                },
            ),
            record(
                "ractor",
                w,
                ChildOutcome::NotApplicable {
                    reason: "no bounded mailbox".to_owned(),
                },
            ),
        ];
        let all = entries();
        let shown: Vec<Entry> = all
            .into_iter()
            .filter(|e| ["tokio", "ours", "ractor"].contains(&e.name))
            .collect();
        let table = Summary::new(&records).markdown(&shown, &[w]);
        assert!(table.contains("**FAILED**"), "{table}");
        assert!(table.contains("n/a (1)"), "{table}");
        assert!(
            table.contains("1. n/a: ractor on tell-bounded: no bounded mailbox"),
            "{table}"
        );
        assert!(table.contains("10.0 ms (×1.00)"), "{table}");
    }
}
