//! The harness end to end: the parent starts a child per run, reads its
//! report, and writes the JSON lines and the table; bad input gets a clear
//! error.

use std::path::PathBuf;
use std::process::Command;

fn harness() -> Command {
    Command::new(env!("CARGO_BIN_EXE_compare"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("compare-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_quick_run_writes_one_checked_record_per_child_and_a_table() {
    let out = scratch("quick");
    let status = harness()
        .args(["--quick", "--only", "ours,ring,savina-trapezoid", "--out"])
        .arg(&out)
        .output()
        .expect("run the harness");
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(status.status.success(), "the harness failed:\n{stderr}");
    let lines = std::fs::read_to_string(out.join("results.jsonl")).expect("results.jsonl");
    // ours and its baseline tokio, on two workloads, one repeat.
    assert_eq!(lines.lines().count(), 4, "{lines}");
    for line in lines.lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(record["outcome"]["status"], "ran", "{line}");
        assert_eq!(
            record["outcome"]["mismatches"],
            serde_json::json!([]),
            "{line}"
        );
    }
    let table = std::fs::read_to_string(out.join("table.md")).expect("table.md");
    assert!(table.contains("| workload | tokio | ours |"), "{table}");
    assert!(table.contains("| savina-trapezoid |"), "{table}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn unknown_names_are_refused_with_the_names_listed() {
    let status = harness()
        .args(["--only", "ours,warp-drive"])
        .output()
        .expect("run the harness");
    assert_eq!(status.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(
        stderr.contains("unknown names [\"warp-drive\"]"),
        "{stderr}"
    );
}
