//! Benchmark support for actor-core.
