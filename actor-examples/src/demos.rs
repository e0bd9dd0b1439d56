//! The pattern demos behind the runnable examples, written against a line
//! sink so that tests can check what they print.

pub mod fan_out_fan_in;
pub mod pipeline;
pub mod scatter_gather;
pub mod worker_pool;
