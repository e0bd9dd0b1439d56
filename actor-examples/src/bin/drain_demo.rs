//! Graceful shutdown under load: a producer keeps a slow worker's bounded
//! mailbox full until SIGINT or SIGTERM; the system then stops intake,
//! drains what was accepted, and reports. Every accepted job is either
//! handled or reported as dead-lettered.
//!
//! Prints `ready` once the worker is busy, and a final summary line:
//! `accepted A handled H dead-lettered D aborted X`. Exits 1 if the books do
//! not balance.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actor_core::{Actor, ActorSystem, handlers};

/// A worker that takes a little time over each job.
#[derive(Actor)]
#[actor(mailbox = 100)]
struct Worker {
    handled: Arc<AtomicU64>,
}

#[handlers]
impl Worker {
    async fn job(&mut self, _id: u64) {
        tokio::time::sleep(Duration::from_micros(200)).await;
        self.handled.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::main]
async fn main() {
    let system = ActorSystem::builder()
        .shutdown_timeout(Duration::from_secs(10))
        .build()
        .expect("valid configuration");
    let handled = Arc::new(AtomicU64::new(0));
    let worker = system
        .spawn(Worker {
            handled: handled.clone(),
        })
        .expect("spawn the worker");
    let producer = tokio::spawn(async move {
        let mut accepted = 0u64;
        while worker.job(accepted).await.is_ok() {
            accepted += 1;
            if accepted == 200 {
                println!("ready");
                let _ = std::io::stdout().flush();
            }
        }
        accepted
    });
    let report = system.run_until_signal().await;
    let accepted = producer.await.expect("the producer ends once intake stops");
    let handled = handled.load(Ordering::SeqCst);
    println!(
        "accepted {accepted} handled {handled} dead-lettered {} aborted {} drained {} in {:?}",
        report.dead_lettered, report.aborted, report.drained, report.elapsed
    );
    if accepted != handled + report.dead_lettered {
        eprintln!("books do not balance: {accepted} accepted, {handled} handled");
        std::process::exit(1);
    }
}
