//! Supervision: restart and stop actors by policy.
//!
//! A [`Supervisor`] is an actor that owns an ordered list of [`ChildSpec`]s.
//! It starts them in order, restarts them by their [`Restart`] policy and its
//! [`Strategy`], spaces restarts by each child's [`Backoff`], gives up past
//! its restart [`Intensity`] (stopping its children in reverse order and
//! failing with [`StopReason::RestartLimit`], which escalates to its own
//! supervisor), and stops its children in reverse start order, each by its
//! [`Shutdown`] policy, when it stops.
//!
//! A restart keeps the child's mailbox and references: it builds a fresh
//! actor from the child's factory, and messages queued behind the one whose
//! handling failed are handled by the new instance. The failed message is not
//! retried; if it was an ask, the asker gets the failure.
//!
//! | restart policy | normal exit | shutdown | failure | killed |
//! | --- | --- | --- | --- | --- |
//! | [`Restart::Permanent`] | restarted | stays down | restarted | respawned (new references) |
//! | [`Restart::Transient`] | stays down | stays down | restarted | respawned (new references) |
//! | [`Restart::Temporary`] | stays down | stays down | stays down | stays down |
//!
//! A normal exit is one the child asked for ([`Context::stop`]); a stop from
//! outside ([`ActorRef::stop`](crate::ActorRef::stop), the supervisor's own
//! shutdown) is final for every policy. A kill aborts the child's task, so
//! its mailbox is gone: a permanent or transient child is spawned afresh.
//!
//! ```
//! use std::time::Duration;
//! use actor_core::supervision::{ChildSpec, Restart, Strategy, Supervisor};
//! use actor_core::{handlers, Actor, ActorSystem};
//!
//! #[derive(Actor, Default)]
//! struct Worker {
//!     done: u64,
//! }
//!
//! #[handlers]
//! impl Worker {
//!     fn work(&mut self, fail: bool) -> u64 {
//!         assert!(!fail, "bad job");
//!         self.done += 1;
//!         self.done
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::new();
//! let supervisor = Supervisor::builder()
//!     .strategy(Strategy::OneForOne)
//!     .intensity(3, Duration::from_secs(5))
//!     .child(ChildSpec::new("worker", Worker::default).restart(Restart::Permanent))
//!     .spawn(&system)?;
//! let worker = supervisor.child::<Worker>("worker").await?.expect("started");
//! assert_eq!(worker.work(false).await?, 1);
//! assert!(worker.work(true).await.is_err()); // the handler panics: the worker restarts
//! assert_eq!(worker.work(false).await?, 1); // a fresh worker, the same reference
//! # Ok(())
//! # }
//! ```
//!
//! [`Context::stop`]: crate::Context::stop

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::actor::{Actor, ActorLabel, ChildExit, Failure, StopReason, Terminated};
use crate::actor_ref::ActorRef;
use crate::cell::ErasedCell;
use crate::context::Context;
use crate::error::{AskError, BoxError, ConfigError, SpawnError};
use crate::mailbox::MailboxConfig;
use crate::reply::Reply;
use crate::system::{ActorSystem, SpawnOptions};

mod policy;

pub use policy::{Backoff, Intensity, Restart, Shutdown, Strategy};

use policy::RestartWindow;
pub(crate) use policy::{next_unit, seed};

// ===== ChildSpec =====

type Start = dyn Fn(&mut Context<Supervisor>, Shutdown, Option<MailboxConfig>) -> Result<Started, SpawnError>
    + Send
    + Sync;

/// A child that has been spawned: its cell and its typed reference.
struct Started {
    cell: Arc<dyn ErasedCell>,
    handle: Box<dyn CloneRef>,
}

/// How a supervisor starts, restarts and stops one child.
#[derive(Clone)]
pub struct ChildSpec {
    name: String,
    restart: Restart,
    shutdown: Shutdown,
    backoff: Backoff,
    mailbox: Option<MailboxConfig>,
    start: Arc<Start>,
}

impl ChildSpec {
    /// A child named `name` (unique within its supervisor) whose every
    /// incarnation `factory` builds. Permanent, with the default shutdown
    /// (5 s of grace) and backoff.
    pub fn new<A, F>(name: impl Into<String>, factory: F) -> Self
    where
        A: Actor,
        F: Fn() -> A + Send + Sync + 'static,
    {
        let factory = Arc::new(factory);
        let start = move |ctx: &mut Context<Supervisor>,
                          shutdown: Shutdown,
                          mailbox: Option<MailboxConfig>| {
            let factory = factory.clone();
            let mut options = SpawnOptions::new();
            if let Some(mailbox) = mailbox {
                options = options.mailbox(mailbox);
            }
            let child = ctx.spawn_supervised(move || factory(), options, shutdown)?;
            Ok(Started {
                cell: child.erased(),
                handle: Box::new(child),
            })
        };
        ChildSpec {
            name: name.into(),
            restart: Restart::Permanent,
            shutdown: Shutdown::default(),
            backoff: Backoff::default(),
            mailbox: None,
            start: Arc::new(start),
        }
    }

    /// A child supervisor: waits without limit for it to stop its own tree.
    pub fn supervisor(name: impl Into<String>, builder: SupervisorBuilder) -> Self {
        ChildSpec::new(name, move || builder.clone().build()).shutdown(Shutdown::Wait)
    }

    /// The restart policy.
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// The shutdown policy.
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The child's mailbox, overriding its type's and the system default.
    pub fn mailbox(mut self, mailbox: MailboxConfig) -> Self {
        self.mailbox = Some(mailbox);
        self
    }

    /// The delay between restarts.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The child's name within its supervisor.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// This spec under another name: a template for dynamic children (see
    /// [`ActorRef::start_child`]), like Erlang's `simple_one_for_one`.
    pub fn named(&self, name: impl Into<String>) -> Self {
        ChildSpec {
            name: name.into(),
            ..self.clone()
        }
    }

    /// Checks the policies, naming the first invalid field.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for a zero shutdown grace or an invalid backoff.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if matches!(self.shutdown, Shutdown::Graceful(d) if d.is_zero()) {
            return Err(ConfigError::ZeroTimeout {
                field: "shutdown grace",
            });
        }
        if let Some(mailbox) = &self.mailbox {
            mailbox.validate()?;
        }
        self.backoff.validate()
    }
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("name", &self.name)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

// ===== builder =====

/// Builds a [`Supervisor`].
#[derive(Clone, Debug, Default)]
pub struct SupervisorBuilder {
    strategy: Strategy,
    intensity: Intensity,
    children: Vec<ChildSpec>,
}

impl SupervisorBuilder {
    /// Which children restart when one fails (default: one for one).
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// At most `max_restarts` restarts within `period`; one more and the
    /// supervisor gives up (default: 3 in 5 s).
    pub fn intensity(mut self, max_restarts: u32, period: Duration) -> Self {
        self.intensity = Intensity::new(max_restarts, period);
        self
    }

    /// Adds a child, started after those added before it.
    pub fn child(mut self, spec: ChildSpec) -> Self {
        self.children.push(spec);
        self
    }

    /// Checks every policy and that child names are unique.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an invalid policy; a duplicate name is reported as
    /// [`SpawnError::NameTaken`] by [`spawn`](Self::spawn).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.intensity.validate()?;
        self.children.iter().try_for_each(ChildSpec::validate)
    }

    /// The supervisor actor, to spawn or to nest.
    pub fn build(self) -> Supervisor {
        let slots = self.children.iter().map(|_| Slot::default()).collect();
        Supervisor {
            strategy: self.strategy,
            window: RestartWindow::new(self.intensity),
            specs: self.children,
            slots,
            group: None,
            rng: policy::seed(),
        }
    }

    /// Spawns the supervisor as a top-level actor; it starts its children.
    ///
    /// # Errors
    ///
    /// [`SpawnError::Config`] for an invalid policy, [`SpawnError::NameTaken`]
    /// for two children with one name, or as [`ActorSystem::spawn`].
    pub fn spawn(self, system: &ActorSystem) -> Result<ActorRef<Supervisor>, SpawnError> {
        self.spawn_with(system, SpawnOptions::new())
    }

    /// Spawns the supervisor registered under `name`.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn).
    pub fn spawn_named(
        self,
        system: &ActorSystem,
        name: impl Into<String>,
    ) -> Result<ActorRef<Supervisor>, SpawnError> {
        self.spawn_with(system, SpawnOptions::new().name(name))
    }

    fn spawn_with(
        self,
        system: &ActorSystem,
        options: SpawnOptions,
    ) -> Result<ActorRef<Supervisor>, SpawnError> {
        self.validate()?;
        check_unique_names(&self.children)?;
        system.spawn_with(self.build(), options)
    }
}

fn check_unique_names(specs: &[ChildSpec]) -> Result<(), SpawnError> {
    for (i, spec) in specs.iter().enumerate() {
        if specs[..i].iter().any(|s| s.name == spec.name) {
            return Err(SpawnError::NameTaken(spec.name.clone()));
        }
    }
    Ok(())
}

// ===== the supervisor actor =====

/// An actor that starts, restarts and stops its children by policy.
///
/// Spawn one with [`Supervisor::builder`]; nest one with
/// [`ChildSpec::supervisor`]. See the [module docs](self).
pub struct Supervisor {
    strategy: Strategy,
    window: RestartWindow,
    specs: Vec<ChildSpec>,
    slots: Vec<Slot>,
    /// A one-for-all or rest-for-one restart in progress.
    group: Option<GroupRestart>,
    rng: u64,
}

/// What the supervisor knows of one child.
#[derive(Default)]
struct Slot {
    /// The running incarnation's cell and typed reference; `None` when down.
    running: Option<Started>,
    /// An exit waiting for the group restart to reach it.
    parked: Option<ChildExit>,
    /// Restarts in a row, for the backoff.
    attempts: u32,
    last_restart: Option<Instant>,
}

/// The children being cycled by a one-for-all or rest-for-one restart.
struct GroupRestart {
    /// Children still to interrupt, in the order to interrupt them.
    to_stop: Vec<usize>,
    /// The child being interrupted, whose exit is awaited.
    stopping: Option<usize>,
    /// Every child of the group, in start order.
    members: Vec<usize>,
    delay: Duration,
}

/// Requests a [`Supervisor`] answers.
#[non_exhaustive]
pub enum SupervisorMsg {
    /// The children, in start order.
    WhichChildren(Reply<Vec<ChildInfo>>),
    /// A child's typed reference, boxed: see [`ActorRef::child`].
    Child(String, Reply<Option<Box<dyn Any + Send>>>),
    /// Adds and starts a child at run time.
    StartChild(ChildSpec, Reply<Result<(), SpawnError>>),
    /// Stops a child for good and forgets its spec; `false` if unknown.
    TerminateChild(String, Reply<bool>),
}

impl fmt::Debug for SupervisorMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SupervisorMsg::WhichChildren(_) => "WhichChildren(..)",
            SupervisorMsg::Child(..) => "Child(..)",
            SupervisorMsg::StartChild(..) => "StartChild(..)",
            SupervisorMsg::TerminateChild(..) => "TerminateChild(..)",
        })
    }
}

/// One child as [`SupervisorMsg::WhichChildren`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChildInfo {
    /// The name in its spec.
    pub name: String,
    /// The running actor, if it is up.
    pub actor: Option<ActorLabel>,
    /// Restarts in a row.
    pub attempts: u32,
}

impl Supervisor {
    /// A builder.
    pub fn builder() -> SupervisorBuilder {
        SupervisorBuilder::default()
    }

    fn slot_of(&self, cell: &ActorLabel) -> Option<usize> {
        self.slots.iter().position(|slot| {
            slot.running
                .as_ref()
                .is_some_and(|s| s.cell.core().id() == cell.id())
        })
    }

    fn start(&mut self, ctx: &mut Context<Self>, index: usize) -> Result<(), SpawnError> {
        let spec = &self.specs[index];
        let started = (spec.start)(ctx, spec.shutdown, spec.mailbox)?;
        ctx.watch_cell(&started.cell);
        self.slots[index].running = Some(started);
        Ok(())
    }

    /// Counts one restart; past the intensity, stops the supervisor.
    fn allow_restart(
        &mut self,
        ctx: &mut Context<Self>,
        exit: &ActorLabel,
        reason: &StopReason,
    ) -> bool {
        if self.window.record(Instant::now()) {
            return true;
        }
        let message = format!(
            "child {exit} ended ({reason}) past the restart intensity of {}",
            self.window.intensity()
        );
        tracing::error!(supervisor = %ctx.label(), "{message}; giving up");
        ctx.stop_with(StopReason::RestartLimit(Failure::supervision(message)));
        false
    }

    fn backoff_delay(&mut self, index: usize) -> Duration {
        let now = Instant::now();
        let period = self.window.intensity().period();
        let slot = &mut self.slots[index];
        if slot
            .last_restart
            .is_some_and(|at| now.duration_since(at) > period)
        {
            slot.attempts = 0;
        }
        slot.attempts += 1;
        slot.last_restart = Some(now);
        let jitter = policy::next_unit(&mut self.rng);
        self.specs[index].backoff.delay(slot.attempts, jitter)
    }

    /// A child's incarnation ended and it waits for a decision.
    fn on_waiting_exit(&mut self, ctx: &mut Context<Self>, index: usize, exit: ChildExit) {
        if let Some(group) = &mut self.group
            && (group.stopping == Some(index) || group.members.contains(&index))
        {
            self.slots[index].parked = Some(exit);
            if group.stopping == Some(index) {
                group.stopping = None;
            }
            self.advance_group();
            return;
        }
        let spec = &self.specs[index];
        if !spec.restart.restarts_after(exit.reason()) {
            self.slots[index].running = None;
            exit.stop();
            return;
        }
        if !self.allow_restart(ctx, exit.child(), exit.reason()) {
            return;
        }
        let delay = self.backoff_delay(index);
        match self.strategy {
            Strategy::OneForOne => exit.restart_after(delay),
            Strategy::OneForAll => self.begin_group(index, exit, 0, delay),
            Strategy::RestForOne => self.begin_group(index, exit, index, delay),
        }
    }

    fn begin_group(&mut self, failed: usize, exit: ChildExit, from: usize, delay: Duration) {
        self.slots[failed].parked = Some(exit);
        let members: Vec<usize> = (from..self.slots.len())
            .filter(|&i| i == failed || self.slots[i].running.is_some())
            .collect();
        let to_stop = members
            .iter()
            .rev()
            .copied()
            .filter(|&i| i != failed)
            .collect();
        self.group = Some(GroupRestart {
            to_stop,
            stopping: None,
            members,
            delay,
        });
        self.advance_group();
    }

    /// Interrupts the next child of the group in reverse start order, or,
    /// once all have exited, restarts them all in start order.
    fn advance_group(&mut self) {
        let Some(group) = &mut self.group else { return };
        if group.stopping.is_some() {
            return;
        }
        while let Some(next) = group.to_stop.first().copied() {
            group.to_stop.remove(0);
            if self.slots[next].parked.is_some() {
                continue;
            }
            if let Some(running) = &self.slots[next].running {
                running.cell.interrupt();
                group.stopping = Some(next);
                return;
            }
        }
        let group = self.group.take().expect("checked above");
        for index in group.members {
            if let Some(exit) = self.slots[index].parked.take() {
                exit.restart_after(group.delay);
            }
        }
    }

    /// A child stopped for good (stopped from outside, or killed).
    fn on_final_exit(&mut self, ctx: &mut Context<Self>, index: usize, reason: &StopReason) {
        let Some(running) = self.slots[index].running.take() else {
            return;
        };
        let label = running.cell.core().label().clone();
        drop(running);
        let respawn = match reason {
            StopReason::Killed => self.specs[index].restart != Restart::Temporary,
            _ => false,
        };
        if respawn
            && self.allow_restart(ctx, &label, reason)
            && let Err(err) = self.start(ctx, index)
        {
            tracing::error!(supervisor = %ctx.label(), "respawning {label} failed: {err}");
        }
    }

    fn which_children(&self) -> Vec<ChildInfo> {
        self.specs
            .iter()
            .zip(&self.slots)
            .map(|(spec, slot)| ChildInfo {
                name: spec.name.clone(),
                actor: slot.running.as_ref().map(|r| r.cell.core().label().clone()),
                attempts: slot.attempts,
            })
            .collect()
    }

    fn child_handle(&self, name: &str) -> Option<Box<dyn Any + Send>> {
        let index = self.specs.iter().position(|s| s.name == name)?;
        let running = self.slots[index].running.as_ref()?;
        Some(running.handle.clone_ref())
    }

    fn start_child(&mut self, ctx: &mut Context<Self>, spec: ChildSpec) -> Result<(), SpawnError> {
        spec.validate()?;
        if self.specs.iter().any(|s| s.name == spec.name) {
            return Err(SpawnError::NameTaken(spec.name));
        }
        self.specs.push(spec);
        self.slots.push(Slot::default());
        let index = self.specs.len() - 1;
        self.start(ctx, index).inspect_err(|_| {
            self.specs.pop();
            self.slots.pop();
        })
    }

    async fn terminate_child(&mut self, name: &str) -> bool {
        let Some(index) = self.specs.iter().position(|s| s.name == name) else {
            return false;
        };
        let spec = self.specs.remove(index);
        let slot = self.slots.remove(index);
        if let Some(running) = slot.running {
            let hold = crate::cell::Hold::new(running.cell.clone(), spec.shutdown);
            hold.shut_down().await;
        }
        true
    }
}

/// A typed reference kept without its type, cloned into an `Any` for
/// [`ActorRef::child`] to downcast.
trait CloneRef: Send + Sync {
    fn clone_ref(&self) -> Box<dyn Any + Send>;
}

impl<A: Actor> CloneRef for ActorRef<A> {
    fn clone_ref(&self) -> Box<dyn Any + Send> {
        Box::new(self.clone())
    }
}

impl Actor for Supervisor {
    type Msg = SupervisorMsg;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        for index in 0..self.specs.len() {
            // A failed start fails the supervisor; the children already
            // started are stopped in reverse order as it winds down.
            self.start(ctx, index)?;
        }
        Ok(())
    }

    async fn handle(
        &mut self,
        msg: SupervisorMsg,
        ctx: &mut Context<Self>,
    ) -> Result<(), BoxError> {
        match msg {
            SupervisorMsg::WhichChildren(reply) => reply.send(self.which_children()),
            SupervisorMsg::Child(name, reply) => reply.send(self.child_handle(&name)),
            SupervisorMsg::StartChild(spec, reply) => reply.send(self.start_child(ctx, spec)),
            SupervisorMsg::TerminateChild(name, reply) => {
                let known = self.terminate_child(&name).await;
                reply.send(known);
            }
        }
        Ok(())
    }

    async fn on_child_exit(
        &mut self,
        ctx: &mut Context<Self>,
        exit: ChildExit,
    ) -> Result<(), BoxError> {
        let Some(index) = self.slot_of(exit.child()) else {
            return Ok(());
        };
        if exit.awaits_decision() {
            self.on_waiting_exit(ctx, index, exit);
        } else {
            let reason = exit.reason().clone();
            self.on_final_exit(ctx, index, &reason);
        }
        Ok(())
    }

    async fn on_terminated(
        &mut self,
        ctx: &mut Context<Self>,
        notice: Terminated,
    ) -> Result<(), BoxError> {
        // Only a kill reaches here for a child still marked running: every
        // other exit of a supervised child is reported as a `ChildExit`.
        if let Some(index) = self.slot_of(&notice.actor) {
            self.on_final_exit(ctx, index, &notice.reason);
        }
        Ok(())
    }
}

impl fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervisor")
            .field("strategy", &self.strategy)
            .field("children", &self.specs.len())
            .finish_non_exhaustive()
    }
}

// ===== the supervisor's reference =====

impl ActorRef<Supervisor> {
    /// The running child named `name`, typed; `None` if it is down or not an
    /// `A`.
    ///
    /// # Errors
    ///
    /// As [`ActorRef::ask`].
    pub async fn child<A: Actor>(&self, name: &str) -> Result<Option<ActorRef<A>>, AskError> {
        let name = name.to_string();
        let handle = self.ask(|reply| SupervisorMsg::Child(name, reply)).await?;
        Ok(handle
            .and_then(|h| h.downcast::<ActorRef<A>>().ok())
            .map(|r| *r))
    }

    /// The children in start order.
    ///
    /// # Errors
    ///
    /// As [`ActorRef::ask`].
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, AskError> {
        self.ask(SupervisorMsg::WhichChildren).await
    }

    /// Adds and starts a child at run time (dynamic supervision): clone a
    /// template spec with a fresh name for each.
    ///
    /// # Errors
    ///
    /// The outer error as [`ActorRef::ask`]; the inner one when the spec is
    /// invalid, its name is taken, or its start fails.
    pub async fn start_child(&self, spec: ChildSpec) -> Result<Result<(), SpawnError>, AskError> {
        self.ask(|reply| SupervisorMsg::StartChild(spec, reply))
            .await
    }

    /// Stops a child for good by its shutdown policy and forgets it.
    /// Returns whether the name was known.
    ///
    /// # Errors
    ///
    /// As [`ActorRef::ask`].
    pub async fn terminate_child(&self, name: &str) -> Result<bool, AskError> {
        let name = name.to_string();
        self.ask(|reply| SupervisorMsg::TerminateChild(name, reply))
            .await
    }
}
