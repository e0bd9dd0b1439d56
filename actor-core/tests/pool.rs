//! Worker pools: the seed's pool, routing, backpressure, failures, resize,
//! statistics, and a draining shutdown.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actor_core::error::AskError;
use actor_core::pattern::pool::{Pool, Routing};
use actor_core::{Actor, ActorId, ActorSystem, Context, StopReason, handlers};
use support::within;
use tokio::sync::Semaphore;

/// Doubles numbers; can be held on a gate, and can fail.
#[derive(Actor)]
struct Doubler {
    handled: Arc<AtomicU64>,
    gate: Arc<Semaphore>,
}

#[handlers]
impl Doubler {
    async fn double(&mut self, n: u64) -> u64 {
        let _pass = self.gate.acquire().await.expect("gate open");
        self.handled.fetch_add(1, Ordering::SeqCst);
        n * 2
    }

    async fn record(&mut self, _n: u64) {
        let _pass = self.gate.acquire().await.expect("gate open");
        self.handled.fetch_add(1, Ordering::SeqCst);
    }

    /// The worker's id; `key` only steers consistent-hash routing.
    fn who(&mut self, ctx: &mut Context<Self>, key: u64) -> ActorId {
        let _ = key;
        ctx.id()
    }

    fn boom(&mut self) -> u64 {
        panic!("worker failed");
    }
}

struct Fixture {
    handled: Arc<AtomicU64>,
    gate: Arc<Semaphore>,
}

impl Fixture {
    fn open() -> Self {
        Fixture {
            handled: Arc::new(AtomicU64::new(0)),
            gate: Arc::new(Semaphore::new(Semaphore::MAX_PERMITS)),
        }
    }

    fn closed() -> Self {
        Fixture {
            handled: Arc::new(AtomicU64::new(0)),
            gate: Arc::new(Semaphore::new(0)),
        }
    }

    fn factory(&self) -> impl Fn() -> Doubler + Send + Sync + 'static {
        let (handled, gate) = (self.handled.clone(), self.gate.clone());
        move || Doubler {
            handled: handled.clone(),
            gate: gate.clone(),
        }
    }
}

#[tokio::test]
async fn the_seed_three_workers_five_jobs_results_doubled() {
    let system = ActorSystem::new();
    let fixture = Fixture::open();
    let pool = Pool::builder(fixture.factory())
        .workers(3)
        .spawn(&system)
        .await
        .unwrap();
    assert_eq!(pool.size(), 3);
    let mut results = Vec::new();
    for job in 1..=5 {
        results.push(within("job", pool.double(job)).await.unwrap());
    }
    assert_eq!(results, [2, 4, 6, 8, 10]);
    assert_eq!(
        within("shutdown", pool.shutdown()).await,
        StopReason::Normal
    );
}

async fn spread(
    routing: Routing<DoublerMsg>,
    keys: impl Iterator<Item = u64>,
) -> Vec<(u64, ActorId)> {
    let system = ActorSystem::new();
    let fixture = Fixture::open();
    let pool = Pool::builder(fixture.factory())
        .workers(3)
        .routing(routing)
        .spawn(&system)
        .await
        .unwrap();
    let mut seen = Vec::new();
    for key in keys {
        seen.push((key, within("who", pool.who(key)).await.unwrap()));
    }
    seen
}

#[tokio::test]
async fn round_robin_takes_workers_in_turn() {
    let seen = spread(Routing::RoundRobin, 0..9).await;
    let ids: Vec<ActorId> = seen.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids[0..3], ids[3..6]);
    assert_eq!(ids[0..3], ids[6..9]);
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 3);
}

#[tokio::test]
async fn consistent_hash_sends_a_key_to_one_worker_also_after_a_restart() {
    let system = ActorSystem::new();
    let fixture = Fixture::open();
    let routing = Routing::consistent_hash(|msg: &DoublerMsg| match msg {
        DoublerMsg::Who { key, .. } => *key,
        _ => 0,
    });
    let pool = Pool::builder(fixture.factory())
        .workers(4)
        .routing(routing)
        .spawn(&system)
        .await
        .unwrap();
    let mut owner: HashMap<u64, ActorId> = HashMap::new();
    for round in 0..3 {
        for key in 0..20 {
            let id = within("who", pool.who(key)).await.unwrap();
            assert_eq!(
                *owner.entry(key).or_insert(id),
                id,
                "key {key} moved in round {round}"
            );
        }
        // Fail a worker: it restarts with the same identity and keeps its keys.
        assert!(within("boom", pool.boom()).await.is_err());
    }
}

#[tokio::test]
async fn a_failing_job_fails_its_ask_and_loses_no_other_job() {
    let system = ActorSystem::new();
    let fixture = Fixture::open();
    let pool = Pool::builder(fixture.factory())
        .workers(2)
        .spawn(&system)
        .await
        .unwrap();
    let mut jobs = tokio::task::JoinSet::new();
    for n in 0..50u64 {
        let pool = pool.clone();
        jobs.spawn(async move {
            if n == 25 {
                pool.boom().await
            } else {
                pool.double(n).await
            }
        });
    }
    let (mut ok, mut failed) = (0, 0);
    while let Some(done) = within("jobs", jobs.join_next()).await {
        match done.unwrap() {
            Ok(_) => ok += 1,
            Err(AskError::HandlerFailed { reason, .. }) => {
                assert!(reason.contains("worker failed"));
                failed += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, failed), (49, 1));
    assert_eq!(fixture.handled.load(Ordering::SeqCst), 49);
    let stats = within("stats", pool.stats()).await.unwrap();
    assert_eq!(stats.iter().map(|s| s.restarts).sum::<u32>(), 1);
    assert_eq!(
        stats.iter().map(|s| s.handled).sum::<u64>(),
        50,
        "49 done and 1 failed"
    );
}

#[tokio::test]
async fn a_full_pool_applies_backpressure_with_bounded_memory() {
    let system = ActorSystem::new();
    let fixture = Fixture::closed();
    let pool = Pool::builder(fixture.factory())
        .workers(2)
        .spawn(&system)
        .await
        .unwrap();
    let producer = {
        let pool = pool.clone();
        tokio::spawn(async move {
            for n in 0..100 {
                pool.record(n).await.unwrap();
            }
        })
    };
    // Two workers each hold one job in hand and one queued; the rest wait.
    within("the pool to fill", async {
        loop {
            let stats = pool.stats().await.unwrap();
            if stats.iter().all(|s| s.queued == 1) {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(!producer.is_finished(), "the producer waits for room");
    match pool.try_tell(DoublerMsg::Record { _n: 0 }) {
        Err(actor_core::error::TrySendError::Full(DoublerMsg::Record { .. })) => {}
        other => panic!(
            "expected Full with the job back, got {:?}",
            other.map(|_| ())
        ),
    }
    fixture.gate.add_permits(Semaphore::MAX_PERMITS >> 4);
    within("producer", producer).await.unwrap();
    let stats = within("stats", pool.stats()).await.unwrap();
    assert!(stats.iter().all(|s| s.peak <= 1), "{stats:?}");
    pool.shutdown().await;
    assert_eq!(fixture.handled.load(Ordering::SeqCst), 100, "all drained");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resizing_under_load_loses_no_job() {
    let system = ActorSystem::new();
    let fixture = Fixture::open();
    let pool = Pool::builder(fixture.factory())
        .workers(2)
        .spawn(&system)
        .await
        .unwrap();
    let producer = {
        let pool = pool.clone();
        tokio::spawn(async move {
            for n in 0..2_000 {
                pool.record(n).await.unwrap();
            }
        })
    };
    for size in [6, 1, 4, 2] {
        within("resize", pool.resize(size)).await.unwrap();
        assert_eq!(pool.size(), size);
    }
    within("producer", producer).await.unwrap();
    within("shutdown", pool.shutdown()).await;
    assert_eq!(fixture.handled.load(Ordering::SeqCst), 2_000);
}
