//! Go's worker pool: 3 workers, 5 jobs, each result doubled.

use std::time::Duration;

use actor_core::pattern::pool::Pool;
use actor_core::{ActorSystem, Context, handlers};

/// A worker that doubles numbers, reporting as it starts and finishes.
#[derive(actor_core::Actor, Debug)]
pub struct Worker {
    log: tokio::sync::mpsc::UnboundedSender<String>,
}

#[handlers]
impl Worker {
    /// Doubles `job` after a short pause, like a real job would take.
    pub async fn process(&mut self, ctx: &mut Context<Self>, job: u64) -> u64 {
        let me = ctx.id().as_uuid().simple().to_string()[..6].to_string();
        let _ = self.log.send(format!("worker {me} started  job {job}"));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let _ = self.log.send(format!("worker {me} finished job {job}"));
        job * 2
    }
}

/// Runs the demo, handing every line it prints to `out`.
///
/// # Errors
///
/// When the pool cannot be spawned or a job fails.
pub async fn run(mut out: impl FnMut(String)) -> Result<Vec<u64>, Box<dyn std::error::Error>> {
    let system = ActorSystem::new();
    let (log, mut lines) = tokio::sync::mpsc::unbounded_channel();
    let pool = Pool::builder(move || Worker { log: log.clone() })
        .workers(3)
        .spawn(&system)
        .await?;
    let mut jobs = tokio::task::JoinSet::new();
    for job in 1..=5 {
        let pool = pool.clone();
        jobs.spawn(async move { pool.process(job).await });
    }
    // Print as workers report, until every job is done.
    let mut results = Vec::new();
    loop {
        tokio::select! {
            Some(line) = lines.recv() => out(line),
            done = jobs.join_next() => match done {
                Some(result) => results.push(result??),
                None => break,
            },
        }
    }
    results.sort_unstable();
    pool.shutdown().await;
    while let Ok(line) = lines.try_recv() {
        out(line);
    }
    out(format!("results: {results:?}"));
    Ok(results)
}
