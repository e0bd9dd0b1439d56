//! Resident memory per idle actor, beside per idle raw tokio task.
//!
//! Usage: `cargo run --release -p benches --bin idle_memory [COUNT] [--raw-first]`
//! (COUNT defaults to 100,000).
//!
//! On a multi-thread tokio runtime with 2 workers, two phases run in one
//! process, each with its own baseline read from `/proc/self/statm`
//! (resident pages × 4096):
//!
//! - actor: spawn COUNT idle actors with a `u64` of state and the default
//!   mailbox (bounded 64), keeping their refs in a `Vec`;
//! - raw: spawn COUNT tasks, each awaiting `recv` on its own bounded
//!   `mpsc::channel(64)` receiver, keeping the senders in a `Vec`.
//!
//! A phase is settled when every actor (task) has counted itself started on
//! a static counter, one ask (oneshot round trip) to the last one has been
//! answered, and the runtime has idled briefly. The growth over the baseline
//! divided by COUNT is the cost per idle actor (task), handle in the `Vec`
//! included. The first phase's actors (tasks) stay alive through the second
//! so the second cannot reuse freed memory and look cheaper than it is;
//! `--raw-first` swaps the order to check that the numbers do not depend on
//! it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actor_core::{Actor, ActorRef, ActorSystem, BoxError, Context, Reply};
use tokio::sync::{mpsc, oneshot};

/// The page size assumed when converting `statm` pages to bytes.
const PAGE_SIZE: u64 = 4096;
/// The default number of actors (tasks) per phase.
const DEFAULT_COUNT: usize = 100_000;
/// Capacity of each raw task's channel (the actors' default mailbox is 64 too).
const RAW_CAPACITY: usize = 64;

/// Idle actors that have run their `started` hook.
static ACTORS_STARTED: AtomicUsize = AtomicUsize::new(0);
/// Raw tasks that have begun awaiting their receiver.
static TASKS_STARTED: AtomicUsize = AtomicUsize::new(0);

/// The process's resident set size in bytes.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let resident: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm has a resident page count");
    resident * PAGE_SIZE
}

/// Messages of an idle actor.
enum IdleMsg {
    Add(u64),
    Get(Reply<u64>),
}

/// An idle actor with a `u64` of state.
struct Idle {
    hits: u64,
}

impl Actor for Idle {
    type Msg = IdleMsg;

    async fn started(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ACTORS_STARTED.fetch_add(1, Ordering::Release);
        Ok(())
    }

    async fn handle(&mut self, msg: IdleMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            IdleMsg::Add(n) => self.hits += n,
            IdleMsg::Get(reply) => reply.send(self.hits),
        }
        Ok(())
    }
}

/// Messages of an idle raw task: the same shape as [`IdleMsg`].
enum RawMsg {
    Add(u64),
    Get(oneshot::Sender<u64>),
}

/// The body of an idle raw task.
async fn raw_task(hits: u64, mut rx: mpsc::Receiver<RawMsg>) {
    TASKS_STARTED.fetch_add(1, Ordering::Release);
    let mut hits = hits;
    while let Some(msg) = rx.recv().await {
        match msg {
            RawMsg::Add(n) => hits += n,
            RawMsg::Get(reply) => {
                let _ = reply.send(hits);
            }
        }
    }
}

/// Waits until `started` reaches `count`, then lets the runtime idle.
async fn settle(started: &AtomicUsize, count: usize) {
    while started.load(Ordering::Acquire) < count {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// What one phase measured.
struct Phase {
    name: &'static str,
    baseline: u64,
    settled: u64,
    count: usize,
}

impl Phase {
    fn bytes_per_item(&self) -> f64 {
        self.settled.saturating_sub(self.baseline) as f64 / self.count as f64
    }

    fn print(&self) {
        println!(
            "{:<6} baseline {:>8.1} MiB, settled {:>8.1} MiB, growth {:>8.1} MiB => {:>7.0} bytes per idle {}",
            self.name,
            mib(self.baseline),
            mib(self.settled),
            mib(self.settled.saturating_sub(self.baseline)),
            self.bytes_per_item(),
            if self.name == "actor" {
                "actor"
            } else {
                "task"
            },
        );
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Spawns `count` idle actors and measures them; returns what must stay alive.
async fn actor_phase(system: &ActorSystem, count: usize) -> (Phase, Vec<ActorRef<Idle>>) {
    let mut refs = Vec::with_capacity(count);
    let baseline = rss_bytes();
    for hits in 0..count as u64 {
        refs.push(system.spawn(Idle { hits }).expect("spawn an idle actor"));
    }
    settle(&ACTORS_STARTED, count).await;
    let last = refs.last().expect("at least one actor");
    let hits = last.ask(IdleMsg::Get).await.expect("ask the last actor");
    assert_eq!(hits, count as u64 - 1, "the last actor's state");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let settled = rss_bytes();
    assert_eq!(system.live_actors(), count, "every actor is alive");
    let phase = Phase {
        name: "actor",
        baseline,
        settled,
        count,
    };
    (phase, refs)
}

/// Spawns `count` idle raw tasks and measures them; returns their senders.
async fn raw_phase(count: usize) -> (Phase, Vec<mpsc::Sender<RawMsg>>) {
    let mut senders = Vec::with_capacity(count);
    let baseline = rss_bytes();
    for hits in 0..count as u64 {
        let (tx, rx) = mpsc::channel(RAW_CAPACITY);
        // Detached: the task ends when its sender is dropped.
        drop(tokio::spawn(raw_task(hits, rx)));
        senders.push(tx);
    }
    settle(&TASKS_STARTED, count).await;
    let last = senders.last().expect("at least one task");
    let (reply, answer) = oneshot::channel();
    if last.send(RawMsg::Get(reply)).await.is_err() {
        panic!("the last task stopped");
    }
    let hits = answer.await.expect("the last task's answer");
    assert_eq!(hits, count as u64 - 1, "the last task's state");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let settled = rss_bytes();
    let phase = Phase {
        name: "raw",
        baseline,
        settled,
        count,
    };
    (phase, senders)
}

/// Pays one-time costs (thread stacks, lazy statics, the timer) before any
/// baseline is taken.
async fn warm_up(system: &ActorSystem) {
    let actor = system
        .spawn(Idle { hits: 3 })
        .expect("spawn a warm-up actor");
    if actor.tell(IdleMsg::Add(4)).await.is_err() {
        panic!("the warm-up actor stopped");
    }
    assert_eq!(actor.ask(IdleMsg::Get).await.expect("warm-up ask"), 7);
    actor.stop();
    actor.wait_for_stop().await;
    let (tx, rx) = mpsc::channel(RAW_CAPACITY);
    let task = tokio::spawn(raw_task(3, rx));
    if tx.send(RawMsg::Add(4)).await.is_err() {
        panic!("the warm-up task stopped");
    }
    let (reply, answer) = oneshot::channel();
    if tx.send(RawMsg::Get(reply)).await.is_err() {
        panic!("the warm-up task stopped");
    }
    assert_eq!(answer.await.expect("warm-up answer"), 7);
    drop(tx);
    task.await.expect("the warm-up task panicked");
    ACTORS_STARTED.store(0, Ordering::Release);
    TASKS_STARTED.store(0, Ordering::Release);
    tokio::time::sleep(Duration::from_millis(50)).await;
}

async fn run(count: usize, raw_first: bool) {
    let system = ActorSystem::new();
    warm_up(&system).await;

    let (actor, raw, refs, senders) = if raw_first {
        let (raw, senders) = raw_phase(count).await;
        let (actor, refs) = actor_phase(&system, count).await;
        (actor, raw, refs, senders)
    } else {
        let (actor, refs) = actor_phase(&system, count).await;
        let (raw, senders) = raw_phase(count).await;
        (actor, raw, refs, senders)
    };

    println!(
        "idle_memory: {count} per phase, {} phase first, 2 workers, page size {PAGE_SIZE}",
        if raw_first { "raw" } else { "actor" },
    );
    println!(
        "message size: actor {} B, raw {} B",
        size_of::<IdleMsg>(),
        size_of::<RawMsg>()
    );
    actor.print();
    raw.print();
    println!(
        "ratio actor/raw: {:.2}x",
        actor.bytes_per_item() / raw.bytes_per_item()
    );

    drop(refs);
    drop(senders);
    let report = system.shutdown().await;
    assert_eq!(report.aborted, 0, "actors had to be killed at shutdown");
}

fn main() {
    let mut count = DEFAULT_COUNT;
    let mut raw_first = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--raw-first" => raw_first = true,
            other => {
                count = other
                    .replace('_', "")
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| {
                        eprintln!("usage: idle_memory [COUNT] [--raw-first]");
                        std::process::exit(2);
                    });
            }
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("build the tokio runtime");
    rt.block_on(rt.spawn(run(count, raw_first)))
        .expect("the measuring task panicked");
}
