//! Runnable examples for actor-core.
