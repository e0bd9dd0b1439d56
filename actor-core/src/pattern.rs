//! Go's concurrency patterns as compositions of actors, with backpressure,
//! deadlines and cancellation built in.
//!
//! - [`fan`]: scatter-gather with a deadline and an optional quorum, an
//!   error group (Go's `errgroup`) with a concurrency limit, broadcast, and
//!   merging many producers into one consumer.
//! - [`pool`]: N supervised workers behind one address, with shared-queue,
//!   round-robin, least-loaded or consistent-hash routing, resizable at run
//!   time.
//! - [`pipeline`]: stages of worker pools joined by bounded mailboxes,
//!   ordered or not, with per-stage error policies, cancellation and a run
//!   summary.
//! - [`topic`]: a typed publish/subscribe topic whose stopped subscribers
//!   leave by themselves.

pub mod fan;
pub mod pipeline;
pub mod pool;
pub mod topic;
