//! A tell of a message that owns no heap data allocates nothing once the
//! actor runs. Its own test binary, because it swaps in a counting global
//! allocator that sees every thread.

use std::alloc::System;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actor_core::{Actor, ActorRef, ActorSystem, BoxError, Context, MailboxConfig, SpawnOptions};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const TELLS: u64 = 100_000;

struct Summer {
    sum: u64,
    handled: Arc<AtomicU64>,
}

impl Actor for Summer {
    type Msg = u64;

    async fn handle(&mut self, n: u64, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.sum = self.sum.wrapping_add(n);
        self.handled.fetch_add(1, Ordering::Release);
        Ok(())
    }
}

/// Tells `TELLS` messages and waits (without allocating) until all are handled.
async fn round(actor: &ActorRef<Summer>, handled: &AtomicU64) {
    let target = handled.load(Ordering::Acquire) + TELLS;
    for i in 0..TELLS {
        actor.tell(i).await.expect("actor is running");
    }
    while handled.load(Ordering::Acquire) < target {
        tokio::task::yield_now().await;
    }
}

/// Allocations made by one measured round, after `warmups` unmeasured ones.
async fn allocations_per_round(mailbox: MailboxConfig, warmups: usize) -> usize {
    let system = ActorSystem::new();
    let handled = Arc::new(AtomicU64::new(0));
    let summer = Summer {
        sum: 0,
        handled: handled.clone(),
    };
    let actor = system
        .spawn_with(summer, SpawnOptions::new().mailbox(mailbox))
        .unwrap();
    for _ in 0..warmups {
        round(&actor, &handled).await;
    }
    let region = Region::new(GLOBAL);
    round(&actor, &handled).await;
    let stats = region.change();
    stats.allocations + stats.reallocations
}

fn runtime(threads: usize) -> tokio::runtime::Runtime {
    if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .unwrap()
    }
}

/// Measures one configuration three times and returns every count. The
/// allocator's counters are global, so anything else allocating at the same
/// moment (the test harness reporting another test) shows up too; a real
/// allocation per tell would show in every attempt, so the least is kept.
fn measure(label: &str, threads: usize, mailbox: MailboxConfig) -> usize {
    let counts: Vec<usize> = (0..3)
        .map(|_| {
            let rt = runtime(threads);
            // Two warm-up rounds: the queue and the actor's batch buffer trade
            // places at every refill, so both must reach their working size.
            rt.block_on(async {
                tokio::spawn(allocations_per_round(mailbox, 2))
                    .await
                    .unwrap()
            })
        })
        .collect();
    println!("{label}: {counts:?} allocations in {TELLS} tells after warm-up (3 attempts)");
    counts.into_iter().min().unwrap_or(usize::MAX)
}

/// One test, so that no other test of this binary runs while it measures.
#[test]
fn tells_of_plain_values_allocate_nothing_after_warm_up() {
    let cases = [
        ("bounded(64), current-thread", 1, MailboxConfig::Bounded(64)),
        ("unbounded, current-thread", 1, MailboxConfig::Unbounded),
        ("bounded(64), 2 workers", 2, MailboxConfig::Bounded(64)),
    ];
    for (label, threads, mailbox) in cases {
        assert_eq!(measure(label, threads, mailbox), 0, "{label}");
    }
}
