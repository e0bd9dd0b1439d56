//! Go's concurrency patterns as compositions of actors, with backpressure,
//! deadlines and cancellation built in.
//!
//! - [`fan`]: scatter-gather with a deadline and an optional quorum, an
//!   error group (Go's `errgroup`) with a concurrency limit, broadcast, and
//!   merging many producers into one consumer.
//! - [`topic`]: a typed publish/subscribe topic whose stopped subscribers
//!   leave by themselves.

pub mod fan;
pub mod topic;
