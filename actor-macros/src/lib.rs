//! Procedural macros for `actor-core`.
//!
//! The derive and handler-impl macros are built here; until they land,
//! actors implement [`Actor`](https://docs.rs/actor-core) by hand.
