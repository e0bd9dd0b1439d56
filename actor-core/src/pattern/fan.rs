//! Fan-out and fan-in: scatter-gather, error groups, broadcast, merge.
//!
//! Which one to pick:
//! - ask many actors the same question and use the answers:
//!   [`scatter_gather`], with one deadline and an optional quorum; every
//!   target's outcome is reported, late and failed ones included;
//! - run many asks or tasks that must all succeed, stopping at the first
//!   failure: [`ErrGroup`] (Go's `errgroup`, with `SetLimit`);
//! - tell many actors the same thing: [`broadcast`];
//! - feed many producers into one consumer: [`merge`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_stream::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::actor::{Actor, ActorLabel};
use crate::address::Address;
use crate::error::{AskError, SendError};
use crate::reply::Reply;

// ===== scatter-gather =====

/// What one target of a [`scatter_gather`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    /// It answered in time.
    Answered(T),
    /// Its ask failed (stopped, handler failed, its own timeout...).
    Failed(AskError),
    /// No answer before the deadline, or the quorum was reached first.
    Late,
}

/// The result of a [`scatter_gather`]: one outcome per target, in the
/// order the targets were given.
#[derive(Debug, Clone)]
pub struct Gathered<T> {
    /// Each target and what it produced.
    pub outcomes: Vec<(ActorLabel, Outcome<T>)>,
    /// Whether the quorum (or, without one, every target) answered.
    pub complete: bool,
}

impl<T> Gathered<T> {
    /// The answers, in target order.
    pub fn answers(&self) -> impl Iterator<Item = &T> {
        self.outcomes.iter().filter_map(|(_, o)| match o {
            Outcome::Answered(value) => Some(value),
            _ => None,
        })
    }
}

/// Asks every target the same question at once and gathers the answers until
/// `deadline` passes, or until `quorum` answers have arrived when one is
/// given. Asks still in flight at that point are reported as
/// [`Outcome::Late`] (their replies are dropped when they come).
///
/// # Cancel safety
///
/// Dropping the future abandons every ask still in flight.
pub async fn scatter_gather<A, R, T, F>(
    targets: &[R],
    make: F,
    deadline: Duration,
    quorum: Option<usize>,
) -> Gathered<T>
where
    A: Actor,
    R: Address<A> + Clone + 'static,
    T: Send + 'static,
    F: Fn(Reply<T>) -> A::Msg + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let mut asks = JoinSet::new();
    for (index, target) in targets.iter().enumerate() {
        let (target, make) = (target.clone(), make.clone());
        asks.spawn(async move {
            let answer = target.ask(move |reply| make(reply), Some(deadline)).await;
            (index, answer)
        });
    }
    let mut outcomes: Vec<(ActorLabel, Outcome<T>)> =
        targets.iter().map(|t| (t.label(), Outcome::Late)).collect();
    let needed = quorum.unwrap_or(targets.len()).min(targets.len());
    let mut answered = 0;
    let until = tokio::time::Instant::now() + deadline;
    while answered < needed {
        let next = tokio::time::timeout_at(until, asks.join_next()).await;
        let Ok(Some(Ok((index, answer)))) = next else {
            break;
        };
        outcomes[index].1 = match answer {
            Ok(value) => {
                answered += 1;
                Outcome::Answered(value)
            }
            Err(AskError::Timeout { .. }) => Outcome::Late,
            Err(err) => Outcome::Failed(err),
        };
    }
    asks.abort_all();
    Gathered {
        outcomes,
        complete: answered >= needed,
    }
}

// ===== error group =====

/// Runs asks or tasks under one cancellation token: the first failure
/// cancels the token (tell the work to stop) and is what
/// [`wait`](Self::wait) returns. An optional limit bounds how many run at
/// once, like Go's `errgroup.SetLimit`.
///
/// ```
/// use actor_core::pattern::fan::ErrGroup;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut group = ErrGroup::with_limit(2);
/// for n in 0..5u32 {
///     // With two running, the third waits for a slot; once job 1 fails, the
///     // rest are not started at all.
///     group
///         .spawn(move |cancelled| async move {
///             if n == 1 { return Err(format!("job {n} failed")); }
///             cancelled.cancelled().await; // a long job, stopped by the failure
///             Ok(())
///         })
///         .await;
/// }
/// assert_eq!(group.wait().await, Err("job 1 failed".to_string()));
/// # }
/// ```
pub struct ErrGroup<E> {
    token: CancellationToken,
    tasks: JoinSet<Result<(), E>>,
    limit: Option<Arc<Semaphore>>,
    first_error: Option<E>,
}

impl<E: Send + 'static> ErrGroup<E> {
    /// A group with no limit.
    pub fn new() -> Self {
        ErrGroup {
            token: CancellationToken::new(),
            tasks: JoinSet::new(),
            limit: None,
            first_error: None,
        }
    }

    /// A group running at most `limit` (at least 1) jobs at once.
    pub fn with_limit(limit: usize) -> Self {
        ErrGroup {
            limit: Some(Arc::new(Semaphore::new(limit.max(1)))),
            ..ErrGroup::new()
        }
    }

    /// The group's token: cancelled at the first failure.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// Starts a job, given the group's token; with a limit, waits for a
    /// free slot first. Does nothing once the group has failed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped call starts nothing.
    pub async fn spawn<F, Fut>(&mut self, job: F)
    where
        F: FnOnce(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let permit = match &self.limit {
            Some(limit) => {
                tokio::select! {
                    permit = limit.clone().acquire_owned() => permit.ok(),
                    _ = self.token.cancelled() => return,
                }
            }
            None => None,
        };
        if self.token.is_cancelled() {
            return;
        }
        let token = self.token.clone();
        self.tasks.spawn(async move {
            let outcome = job(token.clone()).await;
            if outcome.is_err() {
                token.cancel();
            }
            drop(permit);
            outcome
        });
        self.reap();
    }

    /// Collects finished jobs without waiting, keeping the first error.
    fn reap(&mut self) {
        while let Some(done) = self.tasks.try_join_next() {
            self.keep(done);
        }
    }

    fn keep(&mut self, done: Result<Result<(), E>, tokio::task::JoinError>) {
        match done {
            Ok(Err(err)) if self.first_error.is_none() => self.first_error = Some(err),
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            _ => {}
        }
    }

    /// Waits for every job and returns the first failure, if any.
    ///
    /// # Errors
    ///
    /// The first job error.
    ///
    /// # Panics
    ///
    /// Re-raises a job's panic.
    pub async fn wait(mut self) -> Result<(), E> {
        while let Some(done) = self.tasks.join_next().await {
            self.keep(done);
        }
        match self.first_error.take() {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}

impl<E: Send + 'static> Default for ErrGroup<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> fmt::Debug for ErrGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrGroup")
            .field("running", &self.tasks.len())
            .field("failed", &self.token.is_cancelled())
            .finish()
    }
}

// ===== broadcast and merge =====

/// Tells every target a message built by `make`, each waiting for mailbox
/// room. Returns the targets that refused it, with their message handed back.
///
/// # Cancel safety
///
/// If dropped midway, some targets have the message and the rest do not.
pub async fn broadcast<A, R>(
    targets: &[R],
    make: impl Fn() -> A::Msg,
) -> Vec<(ActorLabel, SendError<A::Msg>)>
where
    A: Actor,
    R: Address<A>,
{
    let mut refused = Vec::new();
    for target in targets {
        if let Err(err) = target.tell(make()).await {
            refused.push((target.label(), err));
        }
    }
    refused
}

/// Feeds every stream into one consumer, each item converted by `map`,
/// waiting for room in the consumer's mailbox (a slow consumer slows every
/// producer). Resolves with the number of items delivered once every stream
/// has ended, or as soon as the consumer stops.
///
/// # Cancel safety
///
/// Dropping the future stops every producer; items already delivered stay
/// delivered.
pub async fn merge<A, R, S>(
    consumer: &R,
    streams: Vec<S>,
    map: impl Fn(S::Item) -> A::Msg + Send + Sync + 'static,
) -> usize
where
    A: Actor,
    R: Address<A> + Clone + 'static,
    S: Stream + Send + Unpin + 'static,
    S::Item: Send,
{
    let map = Arc::new(map);
    let mut producers = JoinSet::new();
    for mut stream in streams {
        let (consumer, map) = (consumer.clone(), map.clone());
        producers.spawn(async move {
            let mut delivered = 0;
            while let Some(item) = stream.next().await {
                if consumer.tell(map(item)).await.is_err() {
                    break;
                }
                delivered += 1;
            }
            delivered
        });
    }
    let mut total = 0;
    while let Some(done) = producers.join_next().await {
        total += done.unwrap_or(0);
    }
    total
}
