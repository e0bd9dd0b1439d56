//! The spawn workload's child process: the harness's child mode with a
//! counting global allocator, so the spawn workload can read live heap
//! bytes exactly. The runner starts it in place of `compare` for that
//! workload only; the counting would tax every allocation of the others.

use std::alloc::System;
use std::process::ExitCode;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match argv.first().map(String::as_str) {
        Some("--child") => compare::runner::child_main(&argv[1..]),
        _ => {
            eprintln!("compare-spawn is started by `compare`; run that instead");
            ExitCode::from(2)
        }
    }
}
