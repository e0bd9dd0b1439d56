//! [`Pool`]: N supervised workers behind one address.
//!
//! The pool is Go's worker pool (a buffered jobs channel read by a fixed set
//! of goroutines) as actors: its workers are children of a one-for-one
//! [`Supervisor`], so a worker whose handler panics is restarted with its
//! mailbox intact (the failing job's asker gets the reason, no other job is
//! lost), and the pool's reference is an [`Address`] of the worker type, so
//! the methods `#[handlers]` generates work on it unchanged:
//! `pool.resize(..)` aside, it reads like one worker.
//!
//! Routing, by [`Routing`]:
//! - `SharedQueue` (default): a job goes to a worker with room, scanning from
//!   a rotating start; when every worker is full, the sender waits for the
//!   first to make room. With a worker mailbox of 1 this is a shared queue of
//!   one slot per worker: a job waits only behind the job its worker is on.
//! - `RoundRobin`: workers in turn.
//! - `LeastLoaded`: the worker with the fewest queued jobs.
//! - `ConsistentHash`: a key taken from the message picks the worker, so the
//!   same key always reaches the same worker, also after it restarts.
//!
//! Backpressure: tells wait for room and `try_tell`-style failures come back
//! with the job; memory is bounded by workers × worker mailbox capacity.
//!
//! ```
//! use actor_core::pattern::pool::Pool;
//! use actor_core::{handlers, Actor, ActorSystem};
//!
//! #[derive(Actor, Default)]
//! struct Doubler;
//!
//! #[handlers]
//! impl Doubler {
//!     fn double(&mut self, n: u64) -> u64 {
//!         n * 2
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::new();
//! let pool = Pool::builder(|| Doubler).workers(3).spawn(&system).await?;
//! assert_eq!(pool.double(21).await?, 42); // the generated client, on the pool
//! pool.shutdown().await; // drains every worker's queue
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::{Future, poll_fn};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::task::Poll;
use std::time::Duration;

use crate::actor::{Actor, ActorLabel, StopReason};
use crate::actor_ref::{ActorRef, await_routed};
use crate::address::Address;
use crate::error::{AskError, SendError, SpawnError, TrySendError};
use crate::mailbox::{MailboxConfig, SenderSlot};
use crate::reply::Reply;
use crate::supervision::{Backoff, ChildSpec, Restart, Supervisor};
use crate::system::ActorSystem;

/// How a [`Pool`] picks the worker for a job.
pub enum Routing<M> {
    /// The first worker with room, waiting for one when all are full.
    SharedQueue,
    /// Workers in turn.
    RoundRobin,
    /// The worker with the fewest queued jobs.
    LeastLoaded,
    /// The worker picked by the hash of this key of the message.
    ConsistentHash(Arc<dyn Fn(&M) -> u64 + Send + Sync>),
}

impl<M> Routing<M> {
    /// Routes by the hash of `key(message)`.
    pub fn consistent_hash<K: Hash>(key: impl Fn(&M) -> K + Send + Sync + 'static) -> Self {
        Routing::ConsistentHash(Arc::new(move |msg| {
            let mut hasher = DefaultHasher::new();
            key(msg).hash(&mut hasher);
            hasher.finish()
        }))
    }
}

impl<M> Clone for Routing<M> {
    fn clone(&self) -> Self {
        match self {
            Routing::SharedQueue => Routing::SharedQueue,
            Routing::RoundRobin => Routing::RoundRobin,
            Routing::LeastLoaded => Routing::LeastLoaded,
            Routing::ConsistentHash(key) => Routing::ConsistentHash(key.clone()),
        }
    }
}

impl<M> fmt::Debug for Routing<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Routing::SharedQueue => "SharedQueue",
            Routing::RoundRobin => "RoundRobin",
            Routing::LeastLoaded => "LeastLoaded",
            Routing::ConsistentHash(_) => "ConsistentHash(..)",
        })
    }
}

/// Builds a [`Pool`].
pub struct PoolBuilder<A: Actor> {
    factory: Arc<dyn Fn() -> A + Send + Sync>,
    workers: usize,
    routing: Routing<A::Msg>,
    mailbox: MailboxConfig,
    restart: Restart,
}

impl<A: Actor> PoolBuilder<A> {
    /// How many workers (at least 1; default 4).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// How jobs are routed (default [`Routing::SharedQueue`]).
    pub fn routing(mut self, routing: Routing<A::Msg>) -> Self {
        self.routing = routing;
        self
    }

    /// Each worker's mailbox (default bounded to 1 job waiting per worker).
    pub fn worker_mailbox(mut self, mailbox: MailboxConfig) -> Self {
        self.mailbox = mailbox;
        self
    }

    /// The workers' restart policy (default permanent).
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// Spawns the pool's supervisor and its workers.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the supervisor or a worker cannot be spawned.
    pub async fn spawn(self, system: &ActorSystem) -> Result<Pool<A>, SpawnError> {
        self.mailbox.validate()?;
        let supervisor = Supervisor::builder()
            .intensity(self.workers as u32 * 10, Duration::from_secs(10))
            .spawn(system)?;
        let pool = Pool {
            inner: Arc::new(PoolInner {
                supervisor,
                workers: RwLock::new(Arc::new(Vec::new())),
                routing: self.routing,
                next: AtomicUsize::new(0),
                named: AtomicUsize::new(0),
                factory: self.factory,
                mailbox: self.mailbox,
                restart: self.restart,
            }),
        };
        pool.resize(self.workers).await?;
        Ok(pool)
    }
}

impl<A: Actor> fmt::Debug for PoolBuilder<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("workers", &self.workers)
            .field("routing", &self.routing)
            .finish_non_exhaustive()
    }
}

/// N supervised workers behind one [`Address`]: see the module docs.
///
/// Cheap to clone: clones share the pool.
pub struct Pool<A: Actor> {
    inner: Arc<PoolInner<A>>,
}

/// The workers in routing order, by name; replaced whole on resize.
type Workers<A> = Arc<Vec<(String, ActorRef<A>)>>;

struct PoolInner<A: Actor> {
    supervisor: ActorRef<Supervisor>,
    workers: RwLock<Workers<A>>,
    routing: Routing<A::Msg>,
    next: AtomicUsize,
    /// Workers ever started, for unique names.
    named: AtomicUsize,
    factory: Arc<dyn Fn() -> A + Send + Sync>,
    mailbox: MailboxConfig,
    restart: Restart,
}

/// One worker as [`Pool::stats`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerStats {
    /// The worker.
    pub actor: ActorLabel,
    /// Jobs waiting in its mailbox.
    pub queued: usize,
    /// The most that ever waited.
    pub peak: usize,
    /// Jobs it has handled, failed ones included.
    pub handled: u64,
    /// Restarts in a row, as its supervisor counts them (each follows a
    /// failed job).
    pub restarts: u32,
}

impl<A: Actor> Pool<A> {
    /// A builder for a pool whose every worker (and restart) `factory` builds.
    pub fn builder(factory: impl Fn() -> A + Send + Sync + 'static) -> PoolBuilder<A> {
        PoolBuilder {
            factory: Arc::new(factory),
            workers: 4,
            routing: Routing::SharedQueue,
            mailbox: MailboxConfig::Bounded(1),
            restart: Restart::Permanent,
        }
    }

    fn snapshot(&self) -> Workers<A> {
        self.inner
            .workers
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many workers the pool has.
    pub fn size(&self) -> usize {
        self.snapshot().len()
    }

    /// Grows or shrinks the pool to `workers` (at least 1). New workers take
    /// jobs at once; removed ones stop taking jobs, drain what they hold and
    /// stop, so nothing queued is lost.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when a new worker cannot be spawned.
    pub async fn resize(&self, workers: usize) -> Result<(), SpawnError> {
        let workers = workers.max(1);
        let mut current: Vec<(String, ActorRef<A>)> = self.snapshot().to_vec();
        while current.len() < workers {
            current.push(self.start_worker().await?);
        }
        let removed = current.split_off(workers);
        self.publish(current);
        for (name, _) in removed {
            let _ = self.inner.supervisor.terminate_child(&name).await;
        }
        Ok(())
    }

    async fn start_worker(&self) -> Result<(String, ActorRef<A>), SpawnError> {
        let n = self.inner.named.fetch_add(1, Ordering::Relaxed);
        let name = format!("worker-{n}");
        let factory = self.inner.factory.clone();
        let spec = ChildSpec::new(name.clone(), move || factory())
            .restart(self.inner.restart)
            .backoff(Backoff::none())
            .mailbox(self.inner.mailbox);
        let stopped = || SpawnError::ShuttingDown;
        self.inner
            .supervisor
            .start_child(spec)
            .await
            .map_err(|_| stopped())??;
        let worker = self
            .inner
            .supervisor
            .child::<A>(&name)
            .await
            .map_err(|_| stopped())?;
        Ok((name, worker.ok_or_else(stopped)?))
    }

    fn publish(&self, workers: Vec<(String, ActorRef<A>)>) {
        *self
            .inner
            .workers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(workers);
    }

    /// Every worker's queue, jobs handled and restarts.
    ///
    /// # Errors
    ///
    /// As [`ActorRef::ask`], when the pool's supervisor has stopped.
    pub async fn stats(&self) -> Result<Vec<WorkerStats>, AskError> {
        let children = self.inner.supervisor.which_children().await?;
        let workers = self.snapshot();
        Ok(workers
            .iter()
            .map(|(name, worker)| {
                let mailbox = worker.mailbox_stats();
                let restarts = children
                    .iter()
                    .find(|c| &c.name == name)
                    .map_or(0, |c| c.attempts);
                WorkerStats {
                    actor: worker.label().clone(),
                    queued: mailbox.len,
                    peak: mailbox.peak_len,
                    handled: mailbox.handled,
                    restarts,
                }
            })
            .collect())
    }

    /// Stops taking jobs, lets every worker drain its queue, and waits until
    /// the pool has stopped.
    pub async fn shutdown(&self) -> StopReason {
        self.inner.supervisor.stop();
        self.inner.supervisor.wait_for_stop().await
    }

    /// Hands `msg` to a worker if one has room right now, by the pool's
    /// routing (the shared queue takes any worker with room).
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when the chosen worker (for the shared queue,
    /// every worker) is full; `Closed` when the pool has stopped. Both hand
    /// the job back.
    pub fn try_tell(&self, msg: A::Msg) -> Result<(), TrySendError<A::Msg>> {
        let workers = self.snapshot();
        if workers.is_empty() {
            return Err(TrySendError::Closed(msg));
        }
        if !matches!(self.inner.routing, Routing::SharedQueue) {
            let i = self.pick(&workers, &msg);
            return workers[i].1.try_tell(msg);
        }
        let start = self.inner.next.fetch_add(1, Ordering::Relaxed) % workers.len();
        let mut msg = msg;
        let mut any_open = false;
        for k in 0..workers.len() {
            let worker = &workers[(start + k) % workers.len()].1;
            match worker.try_tell(msg) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Full(job)) => {
                    any_open = true;
                    msg = job;
                }
                Err(err) => msg = err.into_inner(),
            }
        }
        Err(if any_open {
            TrySendError::Full(msg)
        } else {
            TrySendError::Closed(msg)
        })
    }

    /// The worker a message goes to, for the routings that choose up front.
    fn pick(&self, workers: &[(String, ActorRef<A>)], msg: &A::Msg) -> usize {
        let n = workers.len();
        match &self.inner.routing {
            Routing::RoundRobin | Routing::SharedQueue => {
                self.inner.next.fetch_add(1, Ordering::Relaxed) % n
            }
            Routing::LeastLoaded => (0..n)
                .min_by_key(|&i| workers[i].1.mailbox_stats().len)
                .unwrap_or(0),
            Routing::ConsistentHash(key) => (key(msg) % n as u64) as usize,
        }
    }

    /// Delivers `msg` by the pool's routing, waiting for room. A worker
    /// removed by a resize while the job was on its way refuses it; the job
    /// is then routed again among the current workers.
    async fn deliver(&self, mut msg: A::Msg) -> Result<(), SendError<A::Msg>> {
        loop {
            let workers = self.snapshot();
            if workers.is_empty() {
                return Err(SendError::Closed(msg));
            }
            let sent = if matches!(self.inner.routing, Routing::SharedQueue) {
                self.deliver_shared(&workers, msg).await
            } else {
                let i = self.pick(&workers, &msg);
                workers[i].1.tell(msg).await
            };
            match sent {
                Err(SendError::Closed(job)) if !Arc::ptr_eq(&workers, &self.snapshot()) => {
                    msg = job;
                }
                other => return other,
            }
        }
    }

    /// The shared queue: the first worker with room from a rotating start;
    /// when all are full, waits for the first to make room.
    async fn deliver_shared(
        &self,
        workers: &[(String, ActorRef<A>)],
        msg: A::Msg,
    ) -> Result<(), SendError<A::Msg>> {
        let n = workers.len();
        let start = self.inner.next.fetch_add(1, Ordering::Relaxed) % n;
        let mut msg = Some(msg);
        let mut slots: Vec<SenderSlot> = vec![None; n];
        poll_fn(|cx| {
            let mut closed = 0;
            for k in 0..n {
                let i = (start + k) % n;
                let worker = &workers[i].1;
                let Some(job) = msg.take() else {
                    return Poll::Ready(Ok(()));
                };
                match worker.cell().mailbox.try_push(job) {
                    Ok(()) => return Poll::Ready(Ok(())),
                    Err(TrySendError::Full(job)) => msg = Some(job),
                    Err(TrySendError::Closed(job) | TrySendError::ShuttingDown(job)) => {
                        closed += 1;
                        msg = Some(job);
                        continue;
                    }
                }
                // Register to be woken when this worker makes room.
                if let Poll::Ready(result) =
                    worker.cell().mailbox.poll_push(cx, &mut msg, &mut slots[i])
                {
                    return Poll::Ready(result);
                }
            }
            if closed == n {
                let job = msg.take().expect("held until delivered");
                return Poll::Ready(Err(SendError::Closed(job)));
            }
            Poll::Pending
        })
        .await
    }
}

impl<A: Actor> Address<A> for Pool<A> {
    fn label(&self) -> ActorLabel {
        self.inner.supervisor.label().clone()
    }

    fn tell(&self, msg: A::Msg) -> impl Future<Output = Result<(), SendError<A::Msg>>> + Send {
        self.deliver(msg)
    }

    async fn ask<R, F>(&self, make: F, timeout: Option<Duration>) -> Result<R, AskError>
    where
        R: Send + 'static,
        F: FnOnce(Reply<R>) -> A::Msg + Send,
    {
        {
            let workers = self.snapshot();
            let Some((_, first)) = workers.first() else {
                return Err(AskError::Stopped {
                    actor: self.label(),
                });
            };
            let timeout = timeout.unwrap_or_else(|| first.default_ask_timeout());
            let (reply, rx) = Reply::channel();
            let msg = make(reply);
            if let Routing::SharedQueue = self.inner.routing {
                // Whichever worker takes it answers through the reply; the
                // pool's supervisor names the pool in errors.
                let label = self.label();
                if self.deliver_shared(&workers, msg).await.is_err() {
                    return Err(AskError::Stopped { actor: label });
                }
                return await_routed(first.system_inner(), &label, rx, timeout).await;
            }
            let i = self.pick(&workers, &msg);
            workers[i].1.ask_prepared(msg, rx, timeout, true).await
        }
    }
}

impl<A: Actor> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Pool {
            inner: self.inner.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for Pool<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("supervisor", self.inner.supervisor.label())
            .field("workers", &self.size())
            .field("routing", &self.inner.routing)
            .finish()
    }
}
