//! One module per implementation. Each writes every workload the way its
//! own documentation recommends; a workload it cannot express returns
//! [`crate::NotApplicable`] with the reason.

pub mod ours;
pub mod tokio_raw;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "kameo")]
pub mod kameo;
#[cfg(feature = "kompact")]
pub mod kompact;
#[cfg(feature = "ractor")]
pub mod ractor;

use crate::contender::Entry;

/// The peer runtimes compiled in (each behind the cargo feature of its
/// name, all on by default).
#[allow(unused_mut, clippy::vec_init_then_push)]
pub fn peers() -> Vec<Entry> {
    let mut peers = Vec::new();
    #[cfg(feature = "actix")]
    peers.push(actix::entry());
    #[cfg(feature = "ractor")]
    peers.push(ractor::entry());
    #[cfg(feature = "kameo")]
    peers.push(kameo::entry());
    #[cfg(feature = "kompact")]
    peers.push(kompact::entry());
    peers
}
