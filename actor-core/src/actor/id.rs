//! (crate) How actor ids are made: 64 random bits for uniqueness across
//! processes, and a sequence for the table that holds every live actor.
//!
//! The system keeps every live actor in one hash table, keyed by id. With
//! random keys each spawn and each stop touches a random place in a table
//! that holds hundreds of thousands of entries: two cache misses apiece,
//! about a tenth of spawning and stopping an actor. A sequence keeps the
//! actors a thread spawns together next to each other in the table.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Sequence numbers a thread takes at once, so that threads spawning at the
/// same time do not contend on one counter.
const BLOCK: u64 = 1024;

/// The next block's first number.
static NEXT_BLOCK: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's next number and the end of its block.
    static SEQUENCE: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// A fresh id's 16 bytes: 8 random, then a sequence number unique in this
/// process. The caller stamps them as a version 8 (custom) UUID.
pub(super) fn fresh_bytes() -> [u8; 16] {
    let random = uuid::Uuid::new_v4().as_u64_pair().0;
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&random.to_be_bytes());
    bytes[8..].copy_from_slice(&next_sequence().to_be_bytes());
    bytes
}

fn next_sequence() -> u64 {
    let from_block = SEQUENCE.try_with(|sequence| {
        let (mut next, mut end) = sequence.get();
        if next == end {
            next = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
            end = next + BLOCK;
        }
        sequence.set((next + 1, end));
        next
    });
    // A thread being torn down has no block left: one number at a time.
    from_block.unwrap_or_else(|_| NEXT_BLOCK.fetch_add(1, Ordering::Relaxed))
}

/// The hash of an id's sequence half for the actor table, a `DashMap`:
/// its top 7 bits are hashbrown's per-slot tag, mixed from the whole
/// sequence number; the next 10 pick the dashmap shard, mixed from the
/// number's block, so that a block stays in one shard; the rest is the
/// sequence number itself, which hashbrown takes for the slot, so that
/// neighbours in the sequence are neighbours in the shard's table.
pub(crate) fn table_hash(sequence: u64) -> u64 {
    const TAG: u64 = 0x7F << 57;
    const SHARD: u64 = 0x3FF << 47;
    const MIX: u64 = 0x9E37_79B9_7F4A_7C15;
    let tag = sequence.wrapping_mul(MIX) & TAG;
    let shard = (sequence / BLOCK).wrapping_mul(MIX) & SHARD;
    tag | shard | (sequence & !(TAG | SHARD))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_made_on_one_thread_follow_each_other() {
        let first = u64::from_be_bytes(fresh_bytes()[8..].try_into().unwrap());
        let second = u64::from_be_bytes(fresh_bytes()[8..].try_into().unwrap());
        assert!(
            second == first + 1 || second % BLOCK == 0,
            "{first} then {second}"
        );
    }

    #[test]
    fn the_table_hash_keeps_neighbours_together_and_spreads_the_rest() {
        const SHARD: u64 = 0x3FF << 47;
        let (a, b) = (table_hash(2_048), table_hash(2_049));
        assert_eq!(b & 0xFFFF, (a & 0xFFFF) + 1, "neighbours in the table");
        assert_eq!(a & SHARD, b & SHARD, "one block, one shard");
        let tags: HashSet<u64> = (0..1_000).map(|n| table_hash(n) >> 57).collect();
        assert!(tags.len() > 64, "only {} distinct tags", tags.len());
        let shards: HashSet<u64> = (0..64)
            .map(|block| table_hash(block * BLOCK) & SHARD)
            .collect();
        assert!(shards.len() > 32, "only {} distinct shards", shards.len());
    }
}
