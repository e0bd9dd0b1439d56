//! The comparison harness: this runtime beside raw tokio and the Rust actor
//! runtimes actix, ractor, kameo and kompact, on the same workloads, in the
//! same run.
//!
//! - [`spec`]: the workloads, their sizes and protocols.
//! - [`check`]: the values each run must compute, computed sequentially.
//! - [`contender`]: the trait every implementation fills in, and the list of
//!   them ([`contender::entries`]).
//! - [`runner`]: one child process per (implementation, workload, repeat),
//!   interleaved, with disturbance detection and re-runs.
//! - [`report`]: JSON lines and the markdown table.
//!
//! Run it with `cargo run --release -p compare -- --help`.

pub mod check;
pub mod contender;
pub mod impls;
pub mod measure;
pub mod report;
pub mod runner;
pub mod savina;
pub mod spawn;
pub mod spec;

pub use check::Check;
pub use contender::{Contender, Entry, Threads};
pub use measure::{NotApplicable, Outcome, Pass};
pub use spec::{Size, Spec, Workload};
