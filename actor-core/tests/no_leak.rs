//! Spawning and stopping actors gives its memory back: after a burst of
//! idle actors stops, live heap returns to where it was, and further
//! spawn/stop cycles grow nothing. Its own test binary, because it swaps in
//! a counting global allocator.

use std::alloc::System;
use std::time::Duration;

use actor_core::{Actor, ActorRef, ActorSystem, BoxError, Context};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Enough actors that a few bytes kept per actor would show.
const ACTORS: usize = 20_000;
/// Heap the system may keep after a burst, whatever its size: its actor
/// table shrinks back to a small one (a table sized for the burst would
/// hold about 50 bytes per actor, a megabyte here).
const KEPT: i64 = 128 * 1024;
/// What a further cycle may add: under one byte per actor, so a leak of a
/// single small allocation per actor fails.
const GROWTH: i64 = 16 * 1024;

/// Live heap bytes right now.
fn live_heap() -> i64 {
    let stats = GLOBAL.stats();
    let allocated = stats.bytes_allocated as i64 + stats.bytes_reallocated.max(0) as i64;
    let freed = stats.bytes_deallocated as i64 + (-stats.bytes_reallocated).max(0) as i64;
    allocated - freed
}

struct Idle(u64);

impl Actor for Idle {
    type Msg = u64;

    async fn handle(&mut self, n: u64, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.0 += n;
        Ok(())
    }
}

/// Spawns `n` idle actors, stops them all and waits until every one has
/// stopped; returns the live heap at the peak.
async fn cycle(system: &ActorSystem, n: usize) -> i64 {
    let actors: Vec<ActorRef<Idle>> = (0..n)
        .map(|_| system.spawn(Idle(0)).expect("spawn"))
        .collect();
    let peak = live_heap();
    for actor in &actors {
        actor.stop();
    }
    for actor in &actors {
        actor.wait_for_stop().await;
    }
    drop(actors);
    // Let the runtime release the finished tasks.
    let limit = tokio::time::Instant::now() + Duration::from_secs(5);
    while system.live_actors() > 0 && tokio::time::Instant::now() < limit {
        tokio::task::yield_now().await;
    }
    for _ in 0..16 {
        tokio::task::yield_now().await;
    }
    peak
}

#[test]
fn spawn_stop_cycles_give_their_memory_back() {
    // Multi-thread: its run queues are fixed rings and a linked list, where
    // a current-thread runtime's queue keeps the capacity of its longest
    // backlog, which would hide what the actors themselves leave.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let driver = runtime.spawn(async {
        let system = ActorSystem::new();
        // A first small cycle warms the runtime's own structures; the
        // baseline is taken before any burst.
        cycle(&system, 100).await;
        let baseline = live_heap();
        let mut left = Vec::new();
        for _ in 0..3 {
            let peak = cycle(&system, ACTORS).await;
            assert!(
                peak - baseline > ACTORS as i64 * 100,
                "the actors were live at the peak"
            );
            left.push(live_heap() - baseline);
        }
        assert_eq!(system.live_actors(), 0);
        for (i, bytes) in left.iter().enumerate() {
            assert!(
                *bytes < KEPT,
                "cycle {}: {bytes} bytes of heap left after every actor stopped ({left:?})",
                i + 1
            );
        }
        for pair in left.windows(2) {
            assert!(
                pair[1] - pair[0] < GROWTH,
                "a spawn/stop cycle grew the heap by {} bytes ({left:?})",
                pair[1] - pair[0]
            );
        }
    });
    runtime
        .block_on(driver)
        .expect("the driver runs to the end");
}
