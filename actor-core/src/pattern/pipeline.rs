//! [`Pipeline`]: stages of worker pools connected by bounded mailboxes.
//!
//! Go's pipeline (goroutine stages joined by channels) as actors: each stage
//! is a [`Pool`] of workers running an async function, with its own
//! parallelism and mailbox capacity; a slow stage or a slow consumer slows
//! the source (backpressure), and memory stays bounded by the capacities.
//! Ordered mode keeps input order across parallel workers; unordered mode
//! emits as soon as an item is done. Each stage has an error policy (skip,
//! retry with backoff, or fail the pipeline); a [`CancellationToken`] stops
//! everything promptly; the [`Summary`] counts what each stage did.
//!
//! ```
//! use actor_core::pattern::pipeline::{ErrorPolicy, Pipeline};
//! use actor_core::ActorSystem;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::new();
//! let (out, summary) = Pipeline::from_items(1..=5u64)
//!     .stage("double", 2, ErrorPolicy::Fail, |n| async move { Ok::<_, String>(n * 2) })
//!     .stage("describe", 2, ErrorPolicy::Fail, |n| async move { Ok::<_, String>(format!("#{n}")) })
//!     .ordered(true)
//!     .collect(&system)
//!     .await?;
//! assert_eq!(out, ["#2", "#4", "#6", "#8", "#10"]);
//! assert_eq!(summary.stages[0].out, 5);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_stream::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::actor::Actor;
use crate::address::Address;
use crate::context::Context;
use crate::error::{BoxError, SpawnError};
use crate::mailbox::MailboxConfig;
use crate::pattern::pool::{Pool, Routing};
use crate::supervision::Backoff;
use crate::system::ActorSystem;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Hands item `seq` (or, for `None`, the news that it was skipped upstream)
/// to the next stage; resolves to `false` once the pipeline is closing.
type Next<T> = Arc<dyn Fn(u64, Option<T>) -> BoxFuture<bool> + Send + Sync>;

/// Builds the stages, given where the last one sends its items: returns
/// where the first one takes them, and the stages' pools to stop at the end.
type Build<I, O> =
    Box<dyn FnOnce(Env, Next<O>) -> BoxFuture<Result<(Next<I>, Vec<Stopper>), SpawnError>> + Send>;

/// A stage's pool, type-erased for the final shutdown.
type Stopper = Box<dyn FnOnce() -> BoxFuture<()> + Send>;

/// What every stage needs from the run.
#[derive(Clone)]
struct Env {
    system: ActorSystem,
    token: CancellationToken,
    failure: Arc<parking_lot::Mutex<Option<PipelineError>>>,
}

/// What a stage does when its function returns `Err` for an item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ErrorPolicy {
    /// Drop the item, count it as skipped, go on.
    Skip,
    /// Try again up to `times` more, spaced by the backoff; then skip it.
    Retry {
        /// Further attempts after the first.
        times: u32,
        /// The delay before each further attempt.
        backoff: Backoff,
    },
    /// Stop the whole pipeline with this error.
    Fail,
}

/// Why a pipeline run failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// A stage with [`ErrorPolicy::Fail`] failed on an item.
    #[error("stage `{stage}` failed on item {item}: {error}")]
    Stage {
        /// The stage.
        stage: String,
        /// The item's position in the input.
        item: u64,
        /// The stage function's error.
        error: String,
    },
    /// The pipeline's token was cancelled.
    #[error("the pipeline was cancelled")]
    Cancelled,
    /// A stage's pool could not be spawned.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
}

/// What one stage did in a run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StageSummary {
    /// The stage's name.
    pub name: String,
    /// Items that reached it (skipped ones upstream excluded).
    pub items_in: u64,
    /// Items it passed on.
    pub out: u64,
    /// Items it dropped by its skip (or exhausted retry) policy.
    pub skipped: u64,
    /// Further attempts it made.
    pub retried: u64,
    /// Items it failed on under the fail policy.
    pub failed: u64,
    /// Time its function ran, summed over its workers.
    pub busy: Duration,
}

/// What a pipeline run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Summary {
    /// Items taken from the input.
    pub items_in: u64,
    /// Items that came out at the end.
    pub items_out: u64,
    /// Each stage, in order.
    pub stages: Vec<StageSummary>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

#[derive(Default)]
struct Counters {
    items_in: AtomicU64,
    out: AtomicU64,
    skipped: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    busy_nanos: AtomicU64,
}

impl Counters {
    fn summary(&self, name: &str) -> StageSummary {
        StageSummary {
            name: name.to_string(),
            items_in: self.items_in.load(Ordering::Relaxed),
            out: self.out.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            busy: Duration::from_nanos(self.busy_nanos.load(Ordering::Relaxed)),
        }
    }
}

// ===== the stage worker =====

/// One worker of a stage: runs the stage function on an item and hands the
/// result to the next stage.
struct StageWorker<I, O, F> {
    name: Arc<str>,
    /// The stage function, unboxed: its future lives in the handler's state.
    run: Arc<F>,
    _item: std::marker::PhantomData<fn(I)>,
    next: Next<O>,
    policy: ErrorPolicy,
    counters: Arc<Counters>,
    env: Env,
    rng: u64,
}

/// An item on its way through a stage.
struct Item<I>(u64, Option<I>);

impl<I, O, E, F, Fut> Actor for StageWorker<I, O, F>
where
    I: Clone + Send + 'static,
    O: Send + 'static,
    E: fmt::Display,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
{
    type Msg = Item<I>;

    async fn handle(
        &mut self,
        Item(seq, value): Item<I>,
        _ctx: &mut Context<Self>,
    ) -> Result<(), BoxError> {
        let out = match value {
            None => None,
            Some(value) => self.process(seq, value).await,
        };
        // A closing pipeline refuses items; the run reports why.
        let _ = (self.next)(seq, out).await;
        Ok(())
    }
}

impl<I, O, E, F, Fut> StageWorker<I, O, F>
where
    I: Clone + Send + 'static,
    O: Send + 'static,
    E: fmt::Display,
    F: Fn(I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
{
    /// Runs the function by the error policy; `None` when the item is dropped.
    async fn process(&mut self, seq: u64, value: I) -> Option<O> {
        self.counters.items_in.fetch_add(1, Ordering::Relaxed);
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let result = (self.run)(value.clone()).await.map_err(|e| e.to_string());
            let busy = started.elapsed().as_nanos() as u64;
            self.counters.busy_nanos.fetch_add(busy, Ordering::Relaxed);
            let error = match result {
                Ok(out) => {
                    self.counters.out.fetch_add(1, Ordering::Relaxed);
                    return Some(out);
                }
                Err(error) => error,
            };
            match self.policy {
                ErrorPolicy::Retry { times, backoff } if attempt < times => {
                    attempt += 1;
                    self.counters.retried.fetch_add(1, Ordering::Relaxed);
                    let unit = crate::supervision::next_unit(&mut self.rng);
                    tokio::time::sleep(backoff.delay(attempt, unit)).await;
                }
                ErrorPolicy::Skip | ErrorPolicy::Retry { .. } => {
                    self.counters.skipped.fetch_add(1, Ordering::Relaxed);
                    return None;
                }
                ErrorPolicy::Fail => {
                    self.counters.failed.fetch_add(1, Ordering::Relaxed);
                    self.fail(seq, error);
                    return None;
                }
            }
        }
    }

    fn fail(&self, item: u64, error: String) {
        let mut failure = self.env.failure.lock();
        failure.get_or_insert(PipelineError::Stage {
            stage: self.name.to_string(),
            item,
            error,
        });
        self.env.token.cancel();
    }
}

// ===== the builder =====

/// A pipeline from items of type `I` to items of type `O`; see the module
/// docs.
pub struct Pipeline<I, O> {
    source: Box<dyn FnOnce() -> Pin<Box<dyn Stream<Item = I> + Send>> + Send>,
    build: Build<I, O>,
    names: Vec<String>,
    counters: Vec<Arc<Counters>>,
    ordered: bool,
    capacity: usize,
    window: usize,
    token: CancellationToken,
}

impl<I: Send + 'static> Pipeline<I, I> {
    /// A pipeline fed by an iterator.
    pub fn from_items(items: impl IntoIterator<Item = I, IntoIter: Send + 'static>) -> Self {
        let items = items.into_iter();
        Self::from_stream(tokio_stream::iter(items))
    }

    /// A pipeline fed by a stream.
    pub fn from_stream(stream: impl Stream<Item = I> + Send + 'static) -> Self {
        let identity: Build<I, I> =
            Box::new(|_env, next| Box::pin(async move { Ok((next, Vec::new())) }));
        Pipeline {
            source: Box::new(move || Box::pin(stream)),
            build: identity,
            names: Vec::new(),
            counters: Vec::new(),
            ordered: true,
            capacity: 16,
            window: 256,
            token: CancellationToken::new(),
        }
    }
}

impl<I: Send + 'static, O: Clone + Send + 'static> Pipeline<I, O> {
    /// Adds a stage named `name` running `f` on `workers` workers (at least
    /// 1), each with a mailbox of the pipeline's capacity.
    pub fn stage<P, E, F, Fut>(
        mut self,
        name: impl Into<String>,
        workers: usize,
        policy: ErrorPolicy,
        f: F,
    ) -> Pipeline<I, P>
    where
        P: Clone + Send + 'static,
        E: fmt::Display,
        F: Fn(O) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<P, E>> + Send + 'static,
    {
        let name: Arc<str> = name.into().into();
        let counters = Arc::new(Counters::default());
        self.names.push(name.to_string());
        self.counters.push(counters.clone());
        let run = Arc::new(f);
        let capacity = self.capacity;
        let earlier = self.build;
        let build: Build<I, P> = Box::new(move |env: Env, next: Next<P>| {
            Box::pin(async move {
                let worker_env = env.clone();
                let pool = Pool::builder(move || StageWorker {
                    name: name.clone(),
                    run: run.clone(),
                    _item: std::marker::PhantomData,
                    next: next.clone(),
                    policy,
                    counters: counters.clone(),
                    env: worker_env.clone(),
                    rng: crate::supervision::seed(),
                })
                .workers(workers)
                .routing(Routing::SharedQueue)
                .worker_mailbox(MailboxConfig::Bounded(capacity))
                .spawn(&env.system)
                .await?;
                let into: Next<O> = {
                    let pool = pool.clone();
                    Arc::new(move |seq, value| {
                        let pool = pool.clone();
                        Box::pin(async move { pool.tell(Item(seq, value)).await.is_ok() })
                    })
                };
                let stop: Stopper = Box::new(move || {
                    Box::pin(async move {
                        pool.shutdown().await;
                    })
                });
                let (first, mut stoppers) = earlier(env, into).await?;
                stoppers.push(stop);
                Ok((first, stoppers))
            })
        });
        Pipeline {
            source: self.source,
            build,
            names: self.names,
            counters: self.counters,
            ordered: self.ordered,
            capacity: self.capacity,
            window: self.window,
            token: self.token,
        }
    }
}

impl<I: Send + 'static, O: Clone + Send + 'static> Pipeline<I, O> {
    /// Adds a stage whose work is done by an actor: each item becomes a
    /// request built by `make` and asked of `actor` (a single actor, a
    /// [`Pool`], any [`Address`]), with `workers` requests in flight at once.
    /// An ask error counts as the stage's error, handled by `policy`.
    pub fn stage_actor<A, R, P, F>(
        self,
        name: impl Into<String>,
        workers: usize,
        policy: ErrorPolicy,
        actor: R,
        make: F,
    ) -> Pipeline<I, P>
    where
        A: Actor,
        R: Address<A> + Clone + 'static,
        P: Clone + Send + 'static,
        F: Fn(O, crate::reply::Reply<P>) -> A::Msg + Send + Sync + 'static,
    {
        let make = Arc::new(make);
        self.stage(name, workers, policy, move |item: O| {
            let (actor, make) = (actor.clone(), make.clone());
            async move { actor.ask(move |reply| make(item, reply), None).await }
        })
    }
}

impl<I: Send + 'static, O: Send + 'static> Pipeline<I, O> {
    /// Runs the pipeline in the background and returns its output as a
    /// stream (a slow reader slows the pipeline), and a handle that resolves
    /// to the summary once the stream has ended. Dropping the stream cancels
    /// the run, which then ends with [`PipelineError::Cancelled`].
    pub fn into_stream(
        self,
        system: &ActorSystem,
    ) -> (
        tokio_stream::wrappers::ReceiverStream<O>,
        tokio::task::JoinHandle<Result<Summary, PipelineError>>,
    ) {
        let (tx, rx) = mpsc::channel(self.capacity);
        let system = system.clone();
        let run = tokio::spawn(async move {
            let sink = move |item| {
                let tx = tx.clone();
                async move { tx.send(item).await.is_ok() }
            };
            self.run_with(&system, sink).await
        });
        (tokio_stream::wrappers::ReceiverStream::new(rx), run)
    }

    /// Whether output keeps input order (default `true`).
    pub fn ordered(mut self, ordered: bool) -> Self {
        self.ordered = ordered;
        self
    }

    /// Each stage worker's mailbox capacity, for stages added after this
    /// call (default 16).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// At most this many items in flight (taken from the source and not yet
    /// out at the end; default 256). This bounds memory whatever the order
    /// in which workers finish, since ordered output waits for stragglers.
    pub fn window(mut self, window: usize) -> Self {
        self.window = window.max(1);
        self
    }

    /// Stops the pipeline when `token` is cancelled.
    pub fn cancel_with(mut self, token: CancellationToken) -> Self {
        self.token = token;
        self
    }

    /// Runs the pipeline and collects its output.
    ///
    /// # Errors
    ///
    /// [`PipelineError`]: a stage failed under the fail policy, the token
    /// was cancelled, or a stage could not be spawned.
    pub async fn collect(self, system: &ActorSystem) -> Result<(Vec<O>, Summary), PipelineError> {
        let mut out = Vec::new();
        let summary = self.for_each(system, |item| out.push(item)).await?;
        Ok((out, summary))
    }

    /// Runs the pipeline, handing each output item to `sink` as it comes (a
    /// slow sink slows the whole pipeline), and returns the summary.
    ///
    /// # Errors
    ///
    /// As [`collect`](Self::collect).
    pub async fn for_each(
        self,
        system: &ActorSystem,
        mut sink: impl FnMut(O),
    ) -> Result<Summary, PipelineError> {
        self.run_with(system, |item| {
            sink(item);
            std::future::ready(true)
        })
        .await
    }

    /// Runs the pipeline, awaiting `sink` for each output item; a sink that
    /// returns `false` cancels the run.
    async fn run_with<Fut: Future<Output = bool>>(
        self,
        system: &ActorSystem,
        mut sink: impl FnMut(O) -> Fut,
    ) -> Result<Summary, PipelineError> {
        let started = Instant::now();
        let env = Env {
            system: system.clone(),
            token: self.token.child_token(),
            failure: Arc::new(parking_lot::Mutex::new(None)),
        };
        let (out_tx, mut out_rx) = mpsc::channel::<(u64, Option<O>)>(self.capacity);
        let last: Next<O> = Arc::new(move |seq, value| {
            let out_tx = out_tx.clone();
            Box::pin(async move { out_tx.send((seq, value)).await.is_ok() })
        });
        let (first, stoppers) = (self.build)(env.clone(), last).await?;
        let mut stream = (self.source)();
        let token = env.token.clone();
        let window = Arc::new(tokio::sync::Semaphore::new(self.window));
        let room = window.clone();
        let feeder = tokio::spawn(async move {
            let mut seq = 0u64;
            loop {
                let item = tokio::select! {
                    _ = token.cancelled() => break,
                    permit = room.acquire() => match permit {
                        // Given back by the collector when the item is out.
                        Ok(permit) => { permit.forget(); stream.next().await }
                        Err(_) => break,
                    },
                };
                let Some(item) = item else { break };
                if !first(seq, Some(item)).await {
                    break;
                }
                seq += 1;
            }
            seq
        });
        let mut pending: BTreeMap<u64, Option<O>> = BTreeMap::new();
        let (mut next_seq, mut items_out, mut received) = (0u64, 0u64, 0u64);
        let mut feeder = feeder;
        // The feeder reports how many items went in; every one of them comes
        // out at the end, as a value or as a skip marker.
        let mut total: Option<u64> = None;
        while total.is_none_or(|t| received < t) {
            tokio::select! {
                _ = env.token.cancelled() => break,
                fed = &mut feeder, if total.is_none() => total = Some(fed.unwrap_or(0)),
                got = out_rx.recv() => {
                    let Some((seq, value)) = got else { break };
                    received += 1;
                    if !self.ordered {
                        window.add_permits(1);
                        if let Some(value) = value {
                            items_out += 1;
                            if !sink(value).await {
                                env.token.cancel();
                            }
                        }
                        continue;
                    }
                    pending.insert(seq, value);
                    while let Some(value) = pending.remove(&next_seq) {
                        next_seq += 1;
                        window.add_permits(1);
                        if let Some(value) = value {
                            items_out += 1;
                            if !sink(value).await {
                                env.token.cancel();
                            }
                        }
                    }
                }
            }
        }
        let items_in = match total {
            Some(total) => total,
            None => {
                feeder.abort();
                feeder.await.unwrap_or(0)
            }
        };
        // Nobody reads the output any more: workers holding an item for it
        // must not wait for room.
        drop(out_rx);
        for stop in stoppers.into_iter().rev() {
            stop().await;
        }
        if let Some(error) = env.failure.lock().take() {
            return Err(error);
        }
        if env.token.is_cancelled() {
            return Err(PipelineError::Cancelled);
        }
        Ok(Summary {
            items_in,
            items_out,
            stages: self
                .names
                .iter()
                .zip(&self.counters)
                .map(|(name, counters)| counters.summary(name))
                .collect(),
            elapsed: started.elapsed(),
        })
    }
}

impl<I, O> fmt::Debug for Pipeline<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("stages", &self.names)
            .field("ordered", &self.ordered)
            .field("capacity", &self.capacity)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}
