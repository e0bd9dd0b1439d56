//! Criterion benchmarks of actor-core beside the same workload on raw tokio.
//!
//! Every group runs on a multi-thread tokio runtime with 2 worker threads.
//! The driver is itself a spawned task (`rt.spawn`), and time is measured
//! inside it with `iter_custom`, so runtime entry and exit are not timed.
//!
//! - `tell`: one actor sums 1,000,000 `u64` messages, then an `ask` fetches
//!   the sum, which is checked. Beside it, a raw task loops on `recv` and a
//!   `oneshot` fetches the sum. Variants: bounded (64) and unbounded.
//! - `ask`: 10,000 sequential request/reply round trips, beside raw
//!   `mpsc::channel(64)` + `oneshot`.
//! - `spawn`: spawn 10,000 idle actors with a `u64` of state, stop them all
//!   and wait until every one has stopped, beside 10,000 raw tasks each
//!   owning an `mpsc::channel(64)` receiver whose senders are then dropped
//!   and whose tasks are joined.
//!
//! - `pool`: 8 workers over 1,000,000 tiny jobs through `pattern::pool::Pool`
//!   (shared-queue routing), beside 8 raw tasks sharing one bounded
//!   `mpsc` receiver behind a mutex (Go's buffered jobs channel idiom).
//! - `pipeline`: 1,000,000 items through three stages of two workers
//!   (`pattern::pipeline::Pipeline`, ordered), beside the same stages as raw
//!   tasks sharing bounded receivers (unordered).
//! - `macros`: the `tell` workload with the summing actor written with
//!   `#[derive(Actor)]` and `#[handlers]`, beside the same actor hand-written
//!   on an enum.
//!
//! Run: `cargo bench -p benches --bench core -- --warm-up-time 1 --measurement-time 5`

use std::future::Future;
use std::time::{Duration, Instant};

use actor_core::{
    Actor, ActorSystem, BoxError, Context, MailboxConfig, Reply, SpawnOptions, StopReason,
};
use criterion::{Criterion, SamplingMode, Throughput};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};

/// Messages told per `tell` iteration.
const TELL_MSGS: u64 = 1_000_000;
/// Sequential round trips per `ask` iteration.
const ASK_ROUNDS: u64 = 10_000;
/// Actors (or tasks) spawned per `spawn` iteration.
const SPAWN_COUNT: u64 = 10_000;
/// Capacity of the bounded mailbox and of the raw bounded channel.
const CAPACITY: usize = 64;

/// The sum of `0..n`.
const fn sum_below(n: u64) -> u64 {
    n * (n - 1) / 2
}

/// A multi-thread runtime with 2 workers; time is enabled for ask timeouts.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("build the tokio runtime")
}

/// Runs `driver` as a task on `rt` and returns the time it reports.
fn drive<F>(rt: &Runtime, driver: F) -> Duration
where
    F: Future<Output = Duration> + Send + 'static,
{
    rt.block_on(rt.spawn(driver))
        .expect("the benchmark driver task panicked")
}

/// Runs `iters` iterations of an actor workload inside a task on `rt`, with
/// one fresh system per batch (created and shut down outside the timing).
fn drive_actor<F, Fut>(rt: &Runtime, iters: u64, workload: F) -> Duration
where
    F: Fn(ActorSystem) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    drive(rt, async move {
        let system = ActorSystem::new();
        let start = Instant::now();
        for _ in 0..iters {
            workload(system.clone()).await;
        }
        let elapsed = start.elapsed();
        let report = system.shutdown().await;
        assert_eq!(report.aborted, 0, "actors had to be killed at shutdown");
        elapsed
    })
}

/// Runs `iters` iterations of a raw tokio workload inside a task on `rt`.
fn drive_raw<F, Fut>(rt: &Runtime, iters: u64, workload: F) -> Duration
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    drive(rt, async move {
        let start = Instant::now();
        for _ in 0..iters {
            workload().await;
        }
        start.elapsed()
    })
}

// ===== tell =====

/// Messages of the summing actor.
enum SumMsg {
    Add(u64),
    Get(Reply<u64>),
}

/// Sums what it is told.
struct Summer {
    total: u64,
}

impl Actor for Summer {
    type Msg = SumMsg;

    async fn handle(&mut self, msg: SumMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            SumMsg::Add(n) => self.total += n,
            SumMsg::Get(reply) => reply.send(self.total),
        }
        Ok(())
    }
}

/// Messages of the raw summing task: the same shape as [`SumMsg`].
enum RawSumMsg {
    Add(u64),
    Get(oneshot::Sender<u64>),
}

/// Applies one message to a raw task's running total.
fn raw_sum(total: &mut u64, msg: RawSumMsg) {
    match msg {
        RawSumMsg::Add(n) => *total += n,
        RawSumMsg::Get(reply) => {
            let _ = reply.send(*total);
        }
    }
}

async fn tell_actor(system: ActorSystem, mailbox: MailboxConfig) {
    let summer = system
        .spawn_with(Summer { total: 0 }, SpawnOptions::new().mailbox(mailbox))
        .expect("spawn the summer");
    for n in 0..TELL_MSGS {
        if summer.tell(SumMsg::Add(n)).await.is_err() {
            panic!("the summer stopped early");
        }
    }
    let total = summer.ask(SumMsg::Get).await.expect("ask the sum");
    assert_eq!(total, sum_below(TELL_MSGS), "checksum");
}

async fn tell_raw_bounded() {
    let (tx, mut rx) = mpsc::channel(CAPACITY);
    tokio::spawn(async move {
        let mut total = 0;
        while let Some(msg) = rx.recv().await {
            raw_sum(&mut total, msg);
        }
    });
    for n in 0..TELL_MSGS {
        if tx.send(RawSumMsg::Add(n)).await.is_err() {
            panic!("the summing task stopped early");
        }
    }
    let (reply, answer) = oneshot::channel();
    if tx.send(RawSumMsg::Get(reply)).await.is_err() {
        panic!("the summing task stopped early");
    }
    let total = answer.await.expect("the sum");
    assert_eq!(total, sum_below(TELL_MSGS), "checksum");
}

async fn tell_raw_unbounded() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut total = 0;
        while let Some(msg) = rx.recv().await {
            raw_sum(&mut total, msg);
        }
    });
    for n in 0..TELL_MSGS {
        if tx.send(RawSumMsg::Add(n)).is_err() {
            panic!("the summing task stopped early");
        }
    }
    let (reply, answer) = oneshot::channel();
    if tx.send(RawSumMsg::Get(reply)).is_err() {
        panic!("the summing task stopped early");
    }
    let total = answer.await.expect("the sum");
    assert_eq!(total, sum_below(TELL_MSGS), "checksum");
}

fn bench_tell(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("tell");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(TELL_MSGS));
    let bounded = MailboxConfig::Bounded(CAPACITY);
    group.bench_function("actor/bounded64", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, move |s| tell_actor(s, bounded)));
    });
    group.bench_function("raw/bounded64", |b| {
        b.iter_custom(|iters| drive_raw(&rt, iters, tell_raw_bounded));
    });
    group.bench_function("actor/unbounded", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, |s| tell_actor(s, MailboxConfig::Unbounded)));
    });
    group.bench_function("raw/unbounded", |b| {
        b.iter_custom(|iters| drive_raw(&rt, iters, tell_raw_unbounded));
    });
    group.finish();
}

// ===== ask =====

/// Answers `n` with `n + 1`.
struct Incr;

impl Actor for Incr {
    type Msg = (u64, Reply<u64>);

    async fn handle(
        &mut self,
        (n, reply): Self::Msg,
        _ctx: &mut Context<Self>,
    ) -> Result<(), BoxError> {
        reply.send(n + 1);
        Ok(())
    }
}

async fn ask_actor(system: ActorSystem) {
    let incr = system.spawn(Incr).expect("spawn the incrementer");
    let mut sum = 0;
    for n in 0..ASK_ROUNDS {
        sum += incr.ask(|reply| (n, reply)).await.expect("ask");
    }
    assert_eq!(sum, sum_below(ASK_ROUNDS) + ASK_ROUNDS, "checksum");
}

async fn ask_raw() {
    let (tx, mut rx) = mpsc::channel::<(u64, oneshot::Sender<u64>)>(CAPACITY);
    tokio::spawn(async move {
        while let Some((n, reply)) = rx.recv().await {
            let _ = reply.send(n + 1);
        }
    });
    let mut sum = 0;
    for n in 0..ASK_ROUNDS {
        let (reply, answer) = oneshot::channel();
        if tx.send((n, reply)).await.is_err() {
            panic!("the incrementing task stopped early");
        }
        sum += answer.await.expect("the answer");
    }
    assert_eq!(sum, sum_below(ASK_ROUNDS) + ASK_ROUNDS, "checksum");
}

fn bench_ask(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("ask");
    group
        .sample_size(20)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(ASK_ROUNDS));
    group.bench_function("actor", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, ask_actor));
    });
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| drive_raw(&rt, iters, ask_raw));
    });
    group.finish();
}

// ===== spawn =====

/// An idle actor with a `u64` of state.
struct Idle {
    hits: u64,
}

impl Actor for Idle {
    type Msg = u64;

    async fn handle(&mut self, n: u64, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.hits += n;
        Ok(())
    }
}

async fn spawn_actor(system: ActorSystem) {
    let refs = (0..SPAWN_COUNT)
        .map(|hits| system.spawn(Idle { hits }))
        .collect::<Result<Vec<_>, _>>()
        .expect("spawn the idle actors");
    for actor in &refs {
        actor.stop();
    }
    for actor in &refs {
        let reason = actor.wait_for_stop().await;
        assert!(
            matches!(reason, StopReason::Normal),
            "stopped with {reason}"
        );
    }
    assert_eq!(system.live_actors(), 0, "every actor has stopped");
}

async fn spawn_raw() {
    let mut senders = Vec::with_capacity(SPAWN_COUNT as usize);
    let mut tasks = Vec::with_capacity(SPAWN_COUNT as usize);
    for hits in 0..SPAWN_COUNT {
        let (tx, mut rx) = mpsc::channel::<u64>(CAPACITY);
        tasks.push(tokio::spawn(async move {
            let mut hits = hits;
            while let Some(n) = rx.recv().await {
                hits += n;
            }
            hits
        }));
        senders.push(tx);
    }
    drop(senders);
    let mut sum = 0;
    for task in tasks {
        sum += task.await.expect("the idle task panicked");
    }
    assert_eq!(sum, sum_below(SPAWN_COUNT), "checksum");
}

fn bench_spawn(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("spawn");
    group
        .sample_size(20)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(SPAWN_COUNT));
    group.bench_function("actor", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, spawn_actor));
    });
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| drive_raw(&rt, iters, spawn_raw));
    });
    group.finish();
}

// What `criterion_group!` + `criterion_main!` expand to, written out so the
// group function needs no doc-lint exception.
// ===== macros: the same actor generated and hand-written =====

/// The summing actor of [`Summer`], written with the macros.
#[derive(actor_core::Actor)]
#[actor(mailbox = 64)]
struct MacroSummer {
    total: u64,
}

#[actor_core::handlers]
impl MacroSummer {
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    fn get(&mut self) -> u64 {
        self.total
    }
}

async fn tell_macro(system: ActorSystem) {
    let summer = system.spawn(MacroSummer { total: 0 }).expect("spawn");
    for n in 0..TELL_MSGS {
        if summer.add(n).await.is_err() {
            panic!("the summer stopped early");
        }
    }
    let total = summer.get().await.expect("ask the sum");
    assert_eq!(total, sum_below(TELL_MSGS), "checksum");
}

fn bench_macros(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("macros");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(TELL_MSGS));
    let bounded = MailboxConfig::Bounded(CAPACITY);
    group.bench_function("tell/hand-written", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, move |s| tell_actor(s, bounded)));
    });
    group.bench_function("tell/generated", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, tell_macro));
    });
    group.finish();
}

// ===== pool: 8 workers over many tiny jobs =====

/// Jobs per `pool` iteration.
const POOL_JOBS: u64 = 1_000_000;

async fn pool_actor(system: ActorSystem) {
    let total = benches::pool_actor(&system, POOL_JOBS).await;
    assert_eq!(total, sum_below(POOL_JOBS), "checksum");
}

async fn pool_raw() {
    assert_eq!(
        benches::pool_raw(POOL_JOBS).await,
        sum_below(POOL_JOBS),
        "checksum"
    );
}

fn bench_pool(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("pool");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(POOL_JOBS));
    group.bench_function("actor/8-workers", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, pool_actor));
    });
    group.bench_function("raw/8-workers", |b| {
        b.iter_custom(|iters| drive_raw(&rt, iters, pool_raw));
    });
    group.finish();
}

// ===== pipeline: three stages of two workers =====

async fn pipeline_actor(system: ActorSystem) {
    let sum = benches::pipeline_actor(&system, POOL_JOBS).await;
    assert_eq!(sum, 2 * sum_below(POOL_JOBS), "checksum");
}

async fn pipeline_raw() {
    let sum = benches::pipeline_raw(POOL_JOBS).await;
    assert_eq!(sum, 2 * sum_below(POOL_JOBS), "checksum");
}

fn bench_pipeline(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("pipeline");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(POOL_JOBS));
    group.bench_function("actor/3-stages", |b| {
        b.iter_custom(|iters| drive_actor(&rt, iters, pipeline_actor));
    });
    group.bench_function("raw/3-stages", |b| {
        b.iter_custom(|iters| drive_raw(&rt, iters, pipeline_raw));
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_pipeline(&mut c);
    bench_pool(&mut c);
    bench_macros(&mut c);
    bench_tell(&mut c);
    bench_ask(&mut c);
    bench_spawn(&mut c);
    c.final_summary();
}
