//! End to end: a real process under load gets SIGTERM, drains, reports, and
//! exits 0 within its deadline, with every accepted job accounted for.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Bound on every wait: a hang fails the test instead of CI.
const BOUND: Duration = Duration::from_secs(60);

#[test]
fn sigterm_drains_every_accepted_job_and_exits_zero() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_drain_demo"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the demo");
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines_tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines_tx.send(line.expect("utf-8 output")).is_err() {
                return;
            }
        }
    });
    let ready = lines.recv_timeout(BOUND).expect("the demo reports ready");
    assert_eq!(ready, "ready");

    // The shell's builtin `kill`: present wherever `sh` is.
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .expect("run sh");
    assert!(status.success());

    let summary = lines
        .recv_timeout(BOUND)
        .expect("the demo prints its summary");
    let (exit_tx, exit) = mpsc::channel();
    thread::spawn(move || {
        let _ = exit_tx.send(child.wait());
    });
    let status = exit
        .recv_timeout(BOUND)
        .expect("the demo exits within the bound")
        .expect("wait for the demo");
    assert!(status.success(), "exit status {status}; summary: {summary}");

    let numbers: Vec<u64> = summary
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    let [accepted, handled, dead_lettered, aborted, drained, ..] = numbers[..] else {
        panic!("unexpected summary: {summary}");
    };
    assert!(accepted >= 200, "{summary}");
    assert_eq!(accepted, handled + dead_lettered, "{summary}");
    assert_eq!(
        (dead_lettered, aborted),
        (0, 0),
        "drained in time: {summary}"
    );
    assert!(drained > 0, "a backlog was drained: {summary}");
}
