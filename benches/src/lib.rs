//! Benchmark support for actor-core: workloads shared by the criterion
//! benches (`benches/core.rs`) and the profiler driver (`src/bin/profile.rs`),
//! each beside the same work written with raw tokio tasks and channels.
//!
//! Every workload returns a checksum for the caller to check.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actor_core::pattern::pipeline::{ErrorPolicy, Pipeline};
use actor_core::pattern::pool::Pool;
use actor_core::{ActorSystem, MailboxConfig, handlers};
use tokio::sync::{Mutex, mpsc};

/// Worker count of the pool workloads.
pub const POOL_WORKERS: usize = 8;

/// Capacity of each worker mailbox and each raw channel.
pub const CAPACITY: usize = 64;

/// A pool worker: adds each job into a shared total.
#[derive(actor_core::Actor, Debug)]
pub struct PoolWorker(Arc<AtomicU64>);

#[handlers]
impl PoolWorker {
    /// Adds `n` to the total.
    pub fn job(&mut self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

/// `jobs` jobs through [`POOL_WORKERS`] pool workers; returns their sum.
///
/// # Panics
///
/// If the pool cannot be spawned or stops early.
pub async fn pool_actor(system: &ActorSystem, jobs: u64) -> u64 {
    let total = Arc::new(AtomicU64::new(0));
    let shared = total.clone();
    let pool = Pool::builder(move || PoolWorker(shared.clone()))
        .workers(POOL_WORKERS)
        .worker_mailbox(MailboxConfig::Bounded(CAPACITY))
        .spawn(system)
        .await
        .expect("spawn the pool");
    for n in 0..jobs {
        pool.job(n).await.expect("the pool takes jobs");
    }
    pool.shutdown().await;
    total.load(Ordering::Relaxed)
}

/// The same pool by hand, Go's idiom: [`POOL_WORKERS`] tasks sharing one
/// bounded receiver behind a mutex; returns the sum.
///
/// # Panics
///
/// If a worker task panics.
pub async fn pool_raw(jobs: u64) -> u64 {
    let total = Arc::new(AtomicU64::new(0));
    let (tx, rx) = mpsc::channel::<u64>(POOL_WORKERS * CAPACITY);
    let rx = Arc::new(Mutex::new(rx));
    let workers: Vec<_> = (0..POOL_WORKERS)
        .map(|_| {
            let (rx, total) = (rx.clone(), total.clone());
            tokio::spawn(async move {
                while let Some(n) = rx.lock().await.recv().await {
                    total.fetch_add(n, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for n in 0..jobs {
        if tx.send(n).await.is_err() {
            break;
        }
    }
    drop(tx);
    for worker in workers {
        worker.await.expect("worker");
    }
    total.load(Ordering::Relaxed)
}

/// `items` through three stages of two workers (`+1`, `×2`, `-2`), in
/// order; returns the sum of the output.
///
/// # Panics
///
/// If the pipeline fails.
pub async fn pipeline_actor(system: &ActorSystem, items: u64) -> u64 {
    let mut sum = 0u64;
    Pipeline::from_items(0..items)
        .capacity(CAPACITY)
        .window(1024)
        .stage("a", 2, ErrorPolicy::Fail, |x: u64| async move {
            Ok::<_, String>(x + 1)
        })
        .stage("b", 2, ErrorPolicy::Fail, |x: u64| async move {
            Ok::<_, String>(x * 2)
        })
        .stage("c", 2, ErrorPolicy::Fail, |x: u64| async move {
            Ok::<_, String>(x - 2)
        })
        .for_each(system, |x| sum = sum.wrapping_add(x))
        .await
        .expect("the pipeline runs");
    sum
}

/// One raw stage: two tasks sharing a bounded receiver.
fn raw_stage(rx: mpsc::Receiver<u64>, f: fn(u64) -> u64) -> mpsc::Receiver<u64> {
    let (tx, out) = mpsc::channel(CAPACITY);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..2 {
        let (rx, tx) = (rx.clone(), tx.clone());
        tokio::spawn(async move {
            loop {
                let item = rx.lock().await.recv().await;
                let Some(x) = item else { return };
                if tx.send(f(x)).await.is_err() {
                    return;
                }
            }
        });
    }
    out
}

/// The same three stages with raw tasks and channels (unordered); returns
/// the sum of the output.
pub async fn pipeline_raw(items: u64) -> u64 {
    let (tx, rx) = mpsc::channel(CAPACITY);
    let mut rx = raw_stage(raw_stage(raw_stage(rx, |x| x + 1), |x| x * 2), |x| x - 2);
    tokio::spawn(async move {
        for n in 0..items {
            if tx.send(n).await.is_err() {
                return;
            }
        }
    });
    let mut sum = 0u64;
    while let Some(x) = rx.recv().await {
        sum = sum.wrapping_add(x);
    }
    sum
}
