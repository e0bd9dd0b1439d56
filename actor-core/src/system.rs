//! [`ActorSystem`]: spawns actors, holds the registry and configuration, and
//! runs graceful shutdown.

use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use dashmap::DashMap;
use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::actor::{Actor, ActorId, ActorLabel, run::run};
use crate::actor_ref::ActorRef;
use crate::cell::{Abort, ActorCell, CellCore, ErasedCell};
use crate::context::Context;
use crate::error::{ConfigError, LookupError, SpawnError};
use crate::mailbox::MailboxConfig;
use crate::strand::Strand;

mod dead_letters;
mod registry;
mod shutdown;

pub use dead_letters::DeadLetter;
pub use shutdown::ShutdownReport;

use dead_letters::DeadLetters;

use registry::Registry;

/// Builds a supervised actor's next incarnation.
pub(crate) type Factory<A> = Box<dyn FnMut() -> A + Send>;

/// System-wide defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SystemConfig {
    /// The mailbox of actors that name none (default: bounded to 64).
    pub default_mailbox: MailboxConfig,
    /// How long an `ask` waits by default (default: 5 s).
    pub ask_timeout: Duration,
    /// How long `shutdown` lets actors drain before killing them (default: 10 s).
    pub shutdown_timeout: Duration,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            default_mailbox: MailboxConfig::DEFAULT,
            ask_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

impl SystemConfig {
    /// Checks every field, naming the first invalid one.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.default_mailbox.validate()?;
        if self.ask_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout {
                field: "ask_timeout",
            });
        }
        if self.shutdown_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout {
                field: "shutdown_timeout",
            });
        }
        Ok(())
    }
}

/// Builds an [`ActorSystem`] with non-default configuration.
#[derive(Debug, Default)]
pub struct ActorSystemBuilder {
    config: SystemConfig,
    runtime: Option<Handle>,
}

impl ActorSystemBuilder {
    /// The mailbox of actors that name none.
    pub fn default_mailbox(mut self, mailbox: MailboxConfig) -> Self {
        self.config.default_mailbox = mailbox;
        self
    }

    /// The default `ask` timeout.
    pub fn ask_timeout(mut self, timeout: Duration) -> Self {
        self.config.ask_timeout = timeout;
        self
    }

    /// How long `shutdown` lets actors drain before killing them.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.config.shutdown_timeout = timeout;
        self
    }

    /// The runtime actors are spawned on (default: the current one).
    pub fn runtime(mut self, handle: Handle) -> Self {
        self.runtime = Some(handle);
        self
    }

    /// Builds the system.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an invalid value, or [`ConfigError::NoRuntime`]
    /// when called outside a tokio runtime without [`runtime`](Self::runtime).
    pub fn build(self) -> Result<ActorSystem, ConfigError> {
        self.config.validate()?;
        let runtime = match self.runtime {
            Some(handle) => handle,
            None => Handle::try_current().map_err(|_| ConfigError::NoRuntime)?,
        };
        Ok(ActorSystem {
            inner: Arc::new(SystemInner {
                config: self.config,
                runtime,
                actors: DashMap::default(),
                registry: Registry::default(),
                live: AtomicUsize::new(0),
                table_sized_for: AtomicUsize::new(0),
                idle: Notify::new(),
                root_token: CancellationToken::new(),
                shutting_down: AtomicBool::new(false),
                dead_letters: DeadLetters::new(),
                drained: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }
}

/// Options for one spawn: a registered name and a mailbox of its own.
#[derive(Debug, Clone, Default)]
pub struct SpawnOptions {
    name: Option<String>,
    mailbox: Option<MailboxConfig>,
    strand: Option<Strand>,
}

impl SpawnOptions {
    /// No name; the actor type's mailbox, or the system default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the actor under `name` (unique among live actors).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// This actor's mailbox, overriding its type's and the system default.
    pub fn mailbox(mut self, mailbox: MailboxConfig) -> Self {
        self.mailbox = Some(mailbox);
        self
    }

    /// Runs the actor on `strand`, in the strand's task with its other
    /// actors, instead of in a tokio task of its own.
    pub fn strand(mut self, strand: &Strand) -> Self {
        self.strand = Some(strand.clone());
        self
    }
}

/// Spawns actors, finds them by name, and shuts them all down.
///
/// Cheap to clone: clones share one system.
#[derive(Clone)]
pub struct ActorSystem {
    pub(crate) inner: Arc<SystemInner>,
}

pub(crate) struct SystemInner {
    config: SystemConfig,
    runtime: Handle,
    pub(crate) actors: DashMap<ActorId, Arc<dyn ErasedCell>, BuildHasherDefault<IdHasher>>,
    registry: Registry,
    live: AtomicUsize,
    /// The live count the actor table's capacity was last sized for: it
    /// rises with the live count and is cut when the table is shrunk.
    table_sized_for: AtomicUsize,
    idle: Notify,
    root_token: CancellationToken,
    shutting_down: AtomicBool,
    pub(crate) dead_letters: DeadLetters,
    /// Messages actors took from their mailboxes after intake closed.
    drained: std::sync::atomic::AtomicU64,
}

impl ActorSystem {
    /// A system with default configuration on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime; use [`ActorSystem::builder`] with
    /// [`runtime`](ActorSystemBuilder::runtime) there.
    #[track_caller]
    pub fn new() -> Self {
        match Self::builder().build() {
            Ok(system) => system,
            Err(err) => panic!("{err}"),
        }
    }

    /// A builder for a system with non-default configuration.
    pub fn builder() -> ActorSystemBuilder {
        ActorSystemBuilder::default()
    }

    /// The system's configuration.
    pub fn config(&self) -> &SystemConfig {
        &self.inner.config
    }

    pub(crate) fn from_inner(inner: Arc<SystemInner>) -> Self {
        ActorSystem { inner }
    }

    /// Spawns a top-level actor.
    ///
    /// # Errors
    ///
    /// As [`spawn_with`](Self::spawn_with).
    pub fn spawn<A: Actor>(&self, actor: A) -> Result<ActorRef<A>, SpawnError> {
        self.spawn_inner(actor, SpawnOptions::default(), None, None)
    }

    /// Spawns a top-level actor registered under `name`.
    ///
    /// # Errors
    ///
    /// As [`spawn_with`](Self::spawn_with).
    pub fn spawn_named<A: Actor>(
        &self,
        name: impl Into<String>,
        actor: A,
    ) -> Result<ActorRef<A>, SpawnError> {
        self.spawn_inner(actor, SpawnOptions::new().name(name), None, None)
    }

    /// Spawns a top-level actor with the given options.
    ///
    /// # Errors
    ///
    /// [`SpawnError::NameTaken`] when a live actor has the name,
    /// [`SpawnError::ShuttingDown`] during shutdown, and
    /// [`SpawnError::Config`] for an invalid mailbox.
    pub fn spawn_with<A: Actor>(
        &self,
        actor: A,
        options: SpawnOptions,
    ) -> Result<ActorRef<A>, SpawnError> {
        self.spawn_inner(actor, options, None, None)
    }

    pub(crate) fn spawn_inner<A: Actor>(
        &self,
        actor: A,
        options: SpawnOptions,
        parent: Option<Arc<dyn ErasedCell>>,
        factory: Option<Box<Factory<A>>>,
    ) -> Result<ActorRef<A>, SpawnError> {
        let inner = &self.inner;
        if inner.shutting_down.load(Ordering::Acquire) {
            return Err(SpawnError::ShuttingDown);
        }
        let mailbox = options
            .mailbox
            .or(A::MAILBOX)
            .unwrap_or(inner.config.default_mailbox);
        mailbox.validate()?;
        if let Some(strand) = &options.strand
            && !strand.belongs_to(inner)
        {
            return Err(SpawnError::ForeignStrand);
        }
        let name: Option<Arc<str>> = match options.name {
            Some(name) => Some(name.into()),
            None => A::NAME.map(Into::into),
        };
        let label = ActorLabel::new(ActorId::new(), name.clone());
        let type_name = std::any::type_name::<A>();
        let cell = Arc::new(ActorCell::new(
            label.clone(),
            std::any::type_name::<A>,
            mailbox,
            inner.clone(),
            parent,
            factory.is_some(),
        ));
        let actor_ref = ActorRef::<A>::from_cell(cell.clone());
        if let Some(name) = name {
            inner.registry.register(name, actor_ref.clone())?;
        }
        inner.actors.insert(label.id(), cell.clone());
        let live = inner.live.fetch_add(1, Ordering::Relaxed) + 1;
        if live > inner.table_sized_for.load(Ordering::Relaxed) {
            inner.table_sized_for.fetch_max(live, Ordering::Relaxed);
        }
        let span = tracing::info_span!(
            "actor",
            id = %label.id(),
            name = label.name().unwrap_or(""),
            actor_type = type_name,
        );
        let ctx = Context::new(cell.clone());
        let running = run(actor, ctx, factory);
        // A span nobody records costs a check per poll and 40 bytes per actor.
        let abort = match (options.strand, span.is_disabled()) {
            (None, true) => Abort::Task(inner.runtime.spawn(running).abort_handle()),
            (None, false) => {
                Abort::Task(inner.runtime.spawn(running.instrument(span)).abort_handle())
            }
            (Some(strand), true) => Abort::Strand(strand.spawn_actor(Box::pin(running))),
            (Some(strand), false) => {
                Abort::Strand(strand.spawn_actor(Box::pin(running.instrument(span))))
            }
        };
        cell.core.set_abort(abort);
        Ok(actor_ref)
    }

    /// The live actor registered under `name`, if it is an `A`.
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] or [`LookupError::WrongType`].
    pub fn lookup<A: Actor>(&self, name: &str) -> Result<ActorRef<A>, LookupError> {
        self.inner.registry.lookup(name)
    }

    /// How many actors are running (including those draining after `stop`).
    pub fn live_actors(&self) -> usize {
        self.inner.live()
    }

    /// How many live actors are registered by name.
    pub fn registered_actors(&self) -> usize {
        self.inner.registry.len()
    }

    /// Messages that were never handled because their actor was killed or
    /// failed with them queued, since the system started.
    pub fn dead_letter_count(&self) -> u64 {
        self.inner.dead_letters.count()
    }

    /// A notice for every dead letter from now on. A subscriber that falls
    /// more than 1,024 notices behind misses some and is told how many.
    pub fn dead_letters(&self) -> tokio::sync::broadcast::Receiver<DeadLetter> {
        self.inner.dead_letters.subscribe()
    }

    /// Whether `shutdown` has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.inner.shutting_down.load(Ordering::Acquire)
    }

    /// Stops every actor, children before parents, waiting up to the
    /// configured `shutdown_timeout` before killing the rest.
    ///
    /// Top-level actors are asked to stop; each drains its mailbox, stops its
    /// linked children (in reverse start order), runs `stopped`, and stops.
    /// New spawns fail with [`SpawnError::ShuttingDown`].
    ///
    /// # Cancel safety
    ///
    /// Dropping the future leaves the shutdown half done: actors already
    /// asked to stop still stop, but nothing is killed at the deadline.
    pub async fn shutdown(&self) -> ShutdownReport {
        shutdown::shutdown(self, self.inner.config.shutdown_timeout).await
    }

    /// Runs until SIGINT (Ctrl-C) or, on Unix, SIGTERM arrives, then shuts
    /// down as [`shutdown`](Self::shutdown) does and returns its report.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe until a signal arrives; then as `shutdown`.
    pub async fn run_until_signal(&self) -> ShutdownReport {
        wait_for_signal().await;
        tracing::info!("shutdown signal received; draining");
        self.shutdown().await
    }

    /// Like [`shutdown`](Self::shutdown), with this call's own deadline.
    ///
    /// # Cancel safety
    ///
    /// As [`shutdown`](Self::shutdown).
    pub async fn shutdown_timeout(&self, deadline: Duration) -> ShutdownReport {
        shutdown::shutdown(self, deadline).await
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(err) => {
            tracing::warn!("cannot listen for SIGTERM ({err}); waiting for Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

impl Default for ActorSystem {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ActorSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorSystem")
            .field("live_actors", &self.live_actors())
            .field("config", &self.inner.config)
            .finish()
    }
}

impl SystemInner {
    pub(crate) fn config(&self) -> &SystemConfig {
        &self.config
    }

    pub(crate) fn runtime(&self) -> &Handle {
        &self.runtime
    }

    pub(crate) fn root_token(&self) -> &CancellationToken {
        &self.root_token
    }

    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    pub(crate) fn count_drained(&self, n: usize) {
        if n > 0 {
            self.drained.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    pub(crate) fn drained(&self) -> u64 {
        self.drained.load(Ordering::Relaxed)
    }

    pub(crate) fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
    }

    /// Labels for actor ids, for errors; an actor not (or no longer) in this
    /// system is labelled by its id alone.
    pub(crate) fn labels(&self, ids: &[ActorId]) -> Vec<ActorLabel> {
        ids.iter()
            .map(|id| match self.actors.get(id) {
                Some(cell) => cell.core().label().clone(),
                None => ActorLabel::new(*id, None),
            })
            .collect()
    }

    /// Forgets a stopped actor: its name, its table entry, its live count.
    pub(crate) fn deregister(&self, core: &CellCore) {
        if let Some(name) = core.label().name_arc() {
            self.registry.remove(name, core.id());
        }
        let removed = self.actors.remove(&core.id());
        drop(removed);
        let live = self.live.fetch_sub(1, Ordering::AcqRel) - 1;
        if live == 0 {
            self.idle.notify_waiters();
        }
        self.maybe_shrink_table(live);
    }

    /// Gives memory back after a burst: once the live count falls to a
    /// quarter of what the actor table was sized for, the table is shrunk
    /// to fit. Each shrink costs a pass over the table, paid for by the
    /// three quarters of its entries removed since the last one, so it is
    /// O(1) per stop amortised; small tables are left alone.
    fn maybe_shrink_table(&self, live: usize) {
        const SMALL: usize = 4096;
        let sized_for = self.table_sized_for.load(Ordering::Relaxed);
        if sized_for < SMALL || live * 4 > sized_for {
            return;
        }
        // One stopping actor wins the shrink; the others go on.
        let won = self.table_sized_for.compare_exchange(
            sized_for,
            live,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        if won.is_ok() {
            self.actors.shrink_to_fit();
        }
    }

    pub(crate) async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.live() == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// Hashes an [`ActorId`] by its sequence half, kept in order in the low
/// bits (`actor::table_hash`).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        crate::actor::table_hash(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
