//! The comparison harness's command line. See `--help`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use compare::contender::entries;
use compare::report::Summary;
use compare::runner::{Plan, Record};
use compare::{Entry, Size, Workload};

const HELP: &str = "\
compare: this runtime beside raw tokio, actix, ractor, kameo and kompact.
Build with `cargo build --release -p compare`, which also makes
compare-spawn, the child binary of the spawn workload.

Usage: compare [--quick] [--only NAMES] [--repeats K] [--out DIR]
               [--readme FILE] [--max-disturbance SHARE] [--list]

  --quick              small sizes, one repeat: a smoke run with every check on
  --only NAMES         comma-separated implementation and workload names;
                       each given kind is narrowed to the names given
                       (repeatable; see --list)
  --repeats K          measured children per cell (default 5; --quick: 1)
  --out DIR            where results.jsonl and table.md go (default target/compare)
  --readme FILE        also write the table between the markers
                       <!-- compare:start --> and <!-- compare:end --> in FILE
  --max-disturbance S  re-run a child when other processes used more than
                       this share of the machine's CPU while it ran (default 0.1)
  --list               print implementation and workload names and exit

Each (implementation, workload, repeat) runs in a fresh child process: build
the runtime, one warm-up pass, one measured pass, its check compared with
values computed sequentially. A wrong check or a failed child fails the run
(exit status 1). Times are medians; ratios are to raw tokio in the same run
(to tokio-ct for the current-thread entries); lower is faster.
";

struct Args {
    size: Size,
    only: Vec<String>,
    repeats: Option<usize>,
    out: PathBuf,
    readme: Option<PathBuf>,
    max_disturbance: f64,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("--child") {
        return compare::runner::child_main(&argv[1..]);
    }
    match parse(&argv) {
        Ok(Some(args)) => parent(&args),
        Ok(None) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("compare: {message}\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

fn parse(argv: &[String]) -> Result<Option<Args>, String> {
    let mut args = Args {
        size: Size::Full,
        only: Vec::new(),
        repeats: None,
        out: PathBuf::from("target/compare"),
        readme: None,
        max_disturbance: 0.1,
    };
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--quick" => args.size = Size::Quick,
            "--only" => args
                .only
                .extend(value()?.split(',').map(|s| s.trim().to_owned())),
            "--repeats" => {
                let k = value()?;
                args.repeats = Some(
                    k.parse()
                        .map_err(|_| format!("--repeats {k}: not a count"))?,
                );
            }
            "--out" => args.out = PathBuf::from(value()?),
            "--readme" => args.readme = Some(PathBuf::from(value()?)),
            "--max-disturbance" => {
                let s = value()?;
                args.max_disturbance = s
                    .parse()
                    .map_err(|_| format!("--max-disturbance {s}: not a number"))?;
            }
            "--list" => {
                list();
                return Ok(None);
            }
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Some(args))
}

fn list() {
    println!("implementations:");
    for e in entries() {
        println!("  {:<10} {}", e.name, e.about);
    }
    println!("workloads:");
    for w in Workload::ALL {
        println!("  {w}");
    }
}

/// The implementations and workloads `--only` leaves, or an error naming
/// what it did not recognise.
fn select(only: &[String]) -> Result<(Vec<Entry>, Vec<Workload>), String> {
    let all = entries();
    let unknown: Vec<&String> = only
        .iter()
        .filter(|n| Workload::from_name(n).is_none() && !all.iter().any(|e| &e.name == n))
        .collect();
    if !unknown.is_empty() {
        return Err(format!("--only: unknown names {unknown:?}; see --list"));
    }
    let picked_entries: Vec<Entry> = all
        .iter()
        .filter(|e| only.iter().any(|n| n == e.name))
        .copied()
        .collect();
    let picked_workloads: Vec<Workload> = Workload::ALL
        .into_iter()
        .filter(|w| only.iter().any(|n| n == w.name()))
        .collect();
    let mut chosen = if picked_entries.is_empty() {
        all.clone()
    } else {
        picked_entries
    };
    // A ratio needs its baseline in the same run.
    for base in chosen.clone().iter().map(|e| e.baseline) {
        if !chosen.iter().any(|e| e.name == base)
            && let Some(b) = all.iter().find(|e| e.name == base)
        {
            chosen.insert(0, *b);
        }
    }
    let workloads = if picked_workloads.is_empty() {
        Workload::ALL.to_vec()
    } else {
        picked_workloads
    };
    Ok((chosen, workloads))
}

fn parent(args: &Args) -> ExitCode {
    let (entries, workloads) = match select(&args.only) {
        Ok(picked) => picked,
        Err(message) => {
            eprintln!("compare: {message}");
            return ExitCode::from(2);
        }
    };
    let quick = args.size == Size::Quick;
    let plan = Plan {
        exe: std::env::current_exe().expect("the harness knows its own path"),
        entries: entries.clone(),
        workloads: workloads.clone(),
        size: args.size,
        repeats: args.repeats.unwrap_or(if quick { 1 } else { 5 }),
        max_disturbance: args.max_disturbance,
        retries: if quick { 0 } else { 2 },
        child_timeout: Duration::from_secs(if quick { 60 } else { 600 }),
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("compare: cannot create {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    let jsonl_path = args.out.join("results.jsonl");
    let mut jsonl = match std::fs::File::create(&jsonl_path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("compare: cannot write {}: {e}", jsonl_path.display());
            return ExitCode::from(2);
        }
    };
    let records = plan.run(|record: &Record| {
        let line = serde_json::to_string(record).expect("records serialise");
        let _ = writeln!(jsonl, "{line}");
        eprintln!("{}", progress(record));
    });
    let summary = Summary::new(&records);
    let table = summary.markdown(&entries, &workloads);
    let spread = summary.spread(&entries, &workloads);
    let doc = format!("{}\n\n{table}\n{spread}", provenance(&plan));
    let table_path = args.out.join("table.md");
    if let Err(e) = std::fs::write(&table_path, &doc) {
        eprintln!("compare: cannot write {}: {e}", table_path.display());
    }
    println!("{doc}");
    if let Some(readme) = &args.readme
        && let Err(e) = splice_readme(readme, &format!("{}\n\n{table}", provenance(&plan)))
    {
        eprintln!("compare: {e}");
        return ExitCode::from(2);
    }
    let failures = summary.failures();
    for f in &failures {
        eprintln!("FAILED {f}");
    }
    eprintln!(
        "results: {} and {}",
        jsonl_path.display(),
        table_path.display()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn progress(record: &Record) -> String {
    use compare::runner::ChildOutcome;
    let what = match &record.child.outcome {
        ChildOutcome::Ran { pass, mismatches } if mismatches.is_empty() => {
            format!("{:.2} ms", pass.elapsed.as_secs_f64() * 1e3)
        }
        ChildOutcome::Ran { mismatches, .. } => format!("WRONG: {}", mismatches.join("; ")),
        ChildOutcome::NotApplicable { reason } => format!("n/a: {reason}"),
        ChildOutcome::Failed { error } => format!("FAILED: {error}"),
    };
    format!(
        "[{}] {:<18} {:<9} {what}  (others {:.0}%{})",
        record.repeat,
        record.child.workload,
        record.child.implementation,
        record.others_share * 100.0,
        if record.attempts > 1 {
            format!(", {} runs", record.attempts)
        } else {
            String::new()
        }
    )
}

fn provenance(plan: &Plan) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    // The command as a user would type it, without output paths.
    let mut args: Vec<String> = Vec::new();
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        if arg == "--out" || arg == "--readme" {
            argv.next();
        } else {
            args.push(arg);
        }
    }
    let command = if args.is_empty() {
        "cargo run --release -p compare".to_owned()
    } else {
        format!("cargo run --release -p compare -- {}", args.join(" "))
    };
    format!(
        "Machine: {} × {cpu}, {} (UTC), `{command}`. Sizes: {}; {} measured child process(es) per cell, \
         each after one warm-up pass; times are medians of the timed region; ratios (×) are to raw tokio \
         in the same run, lower is faster.",
        compare::measure::cpu_count(),
        today(),
        if plan.size == Size::Quick {
            "quick (smoke)"
        } else {
            "full"
        },
        plan.repeats,
    )
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (the
/// well-known era-based conversion).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn splice_readme(path: &PathBuf, table: &str) -> Result<(), String> {
    const START: &str = "<!-- compare:start -->";
    const END: &str = "<!-- compare:end -->";
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        return Err(format!(
            "{} lacks the markers {START} and {END}",
            path.display()
        ));
    };
    let spliced = format!("{}{START}\n{table}\n{}", &text[..a], &text[b..]);
    std::fs::write(path, spliced).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn day_counts_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_782), (2026, 11, 25));
    }
}
