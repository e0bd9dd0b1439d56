//! The [`Actor`] trait, actor identity and stop reasons.

use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use crate::cell::ErasedCell;
use crate::mailbox::{Decision, Signal};

use crate::context::Context;
use crate::error::BoxError;
use crate::mailbox::MailboxConfig;

mod id;
pub(crate) mod run;

pub(crate) use id::table_hash;

/// A struct that owns its state and handles messages one at a time.
///
/// Only [`handle`](Actor::handle) is required. Hooks return
/// `impl Future + Send`, so implementors write `async fn` and no future is
/// boxed per message. A hook or handler that returns `Err` or panics fails the
/// actor: the panic is caught, logged with the actor's name and id, and never
/// reaches the worker thread or other actors.
///
/// # Examples
///
/// ```
/// use actor_core::{Actor, ActorSystem, BoxError, Context, Reply};
///
/// enum CounterMsg {
///     Add(u64),
///     Get(Reply<u64>),
/// }
///
/// struct Counter(u64);
///
/// impl Actor for Counter {
///     type Msg = CounterMsg;
///
///     async fn handle(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         match msg {
///             CounterMsg::Add(n) => self.0 += n,
///             CounterMsg::Get(reply) => reply.send(self.0),
///         }
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let system = ActorSystem::new();
/// let counter = system.spawn(Counter(0)).unwrap();
/// counter.tell(CounterMsg::Add(2)).await.unwrap();
/// assert_eq!(counter.ask(CounterMsg::Get).await.unwrap(), 2);
/// # }
/// ```
pub trait Actor: Sized + Send + 'static {
    /// The type of the messages in this actor's mailbox.
    type Msg: Send + 'static;

    /// This actor type's mailbox, when it should differ from the system default.
    const MAILBOX: Option<MailboxConfig> = None;

    /// The name an actor of this type is registered under when its spawn
    /// names none.
    const NAME: Option<&'static str> = None;

    /// Runs once before the first message is handled.
    ///
    /// Returning `Err` or panicking fails the actor before it handles anything.
    fn started(
        &mut self,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Handles one message. Handlers of one actor never run concurrently.
    fn handle(
        &mut self,
        msg: Self::Msg,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), BoxError>> + Send;

    /// Runs once when the actor stops, after its linked children have stopped.
    ///
    /// It runs for every exit but [`kill`](crate::ActorRef::kill). A failure
    /// here turns a normal stop into [`StopReason::Failed`].
    fn stopped(
        &mut self,
        ctx: &mut Context<Self>,
        reason: &StopReason,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = (ctx, reason);
        async { Ok(()) }
    }

    /// Runs when a supervised child (see [`Context::spawn_supervised`]) has
    /// ended an incarnation: it failed, stopped itself, or was interrupted.
    ///
    /// The [`ChildExit`] is also the decision: call
    /// [`restart`](ChildExit::restart), [`restart_after`](ChildExit::restart_after)
    /// or [`stop`](ChildExit::stop) on it, now or later. Dropping it stops the
    /// child for good, which is what the default does;
    /// [`Supervisor`](crate::supervision::Supervisor) decides by policy.
    fn on_child_exit(
        &mut self,
        ctx: &mut Context<Self>,
        exit: ChildExit,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = (ctx, exit);
        async { Ok(()) }
    }

    /// Runs when an actor this one [watches](Context::watch) has stopped.
    ///
    /// Notices travel on the control lane, ahead of queued user messages.
    fn on_terminated(
        &mut self,
        ctx: &mut Context<Self>,
        notice: Terminated,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = (ctx, notice);
        async { Ok(()) }
    }
}

/// Settings `#[derive(Actor)]` attaches to a struct, read by the `Actor`
/// impl that [`handlers`](crate::handlers) generates.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has handlers but no actor settings",
    label = "add `#[derive(Actor)]` to the struct",
    note = "`#[handlers]` reads the mailbox and name that `#[derive(Actor)]` provides"
)]
pub trait ActorConfig {
    /// The mailbox, when it should differ from the system default.
    const MAILBOX: Option<MailboxConfig> = None;
    /// The default registered name.
    const NAME: Option<&'static str> = None;
}

// ===== identity =====

/// A unique actor id: a version 8 (custom) UUID whose first half is random
/// and whose second half is a sequence number unique in the process.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ActorId(uuid::Uuid);

impl ActorId {
    pub(crate) fn new() -> Self {
        ActorId(uuid::Builder::from_custom_bytes(id::fresh_bytes()).into_uuid())
    }

    /// The id as a UUID.
    pub fn as_uuid(&self) -> uuid::Uuid {
        self.0
    }
}

impl Hash for ActorId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The sequence half: unique in the process (see `IdHasher`).
        state.write_u64(self.0.as_u64_pair().1);
    }
}

impl fmt::Debug for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorId({})", self.0)
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// An actor's id and optional name, as errors and notices report it.
#[derive(Clone, PartialEq, Eq)]
pub struct ActorLabel {
    id: ActorId,
    name: Option<Arc<str>>,
}

impl ActorLabel {
    pub(crate) fn new(id: ActorId, name: Option<Arc<str>>) -> Self {
        ActorLabel { id, name }
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.id
    }

    /// The actor's registered name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub(crate) fn name_arc(&self) -> Option<&Arc<str>> {
        self.name.as_ref()
    }
}

impl fmt::Debug for ActorLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for ActorLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "`{name}` ({})", self.id),
            None => write!(f, "`{}`", self.id),
        }
    }
}

// ===== stop reasons =====

/// Why an actor stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// Stopped on request ([`ActorRef::stop`](crate::ActorRef::stop),
    /// [`Context::stop`]) or because no strong reference to it remained.
    Normal,
    /// Stopped because its parent or the system shut down.
    Shutdown,
    /// Killed: stopped at once, without draining or running `stopped`.
    Killed,
    /// A hook or handler returned `Err` or panicked.
    Failed(Failure),
    /// A supervisor gave up: its children failed more often than its restart
    /// intensity allows. The failure names the last child exit.
    RestartLimit(Failure),
}

impl StopReason {
    /// Whether the actor failed, as opposed to being asked to stop.
    pub fn is_failure(&self) -> bool {
        matches!(self, StopReason::Failed(_) | StopReason::RestartLimit(_))
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Normal => f.write_str("stopped normally"),
            StopReason::Shutdown => f.write_str("shut down"),
            StopReason::Killed => f.write_str("killed"),
            StopReason::Failed(failure) => write!(f, "failed: {failure}"),
            StopReason::RestartLimit(failure) => write!(f, "restart limit reached: {failure}"),
        }
    }
}

/// Where in an actor's life a failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// In [`Actor::started`].
    Started,
    /// In [`Actor::handle`].
    Handle,
    /// In [`Actor::on_terminated`].
    Terminated,
    /// In [`Actor::on_child_exit`].
    ChildExit,
    /// In supervision: a supervisor escalating its children's failures.
    Supervision,
    /// In [`Actor::stopped`].
    Stopped,
}

/// A hook or handler failure: an `Err` it returned or a panic it raised.
///
/// Cheap to clone (one shared allocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(Arc<FailureInner>);

#[derive(Debug, PartialEq, Eq)]
struct FailureInner {
    phase: Phase,
    panicked: bool,
    message: String,
}

impl Failure {
    pub(crate) fn error(phase: Phase, err: &BoxError) -> Self {
        Failure(Arc::new(FailureInner {
            phase,
            panicked: false,
            message: err.to_string(),
        }))
    }

    pub(crate) fn panic(phase: Phase, payload: &(dyn std::any::Any + Send)) -> Self {
        let message = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "panic with a non-string payload".to_string()
        };
        Failure(Arc::new(FailureInner {
            phase,
            panicked: true,
            message,
        }))
    }

    /// A supervisor's failure, described by `message`.
    pub(crate) fn supervision(message: String) -> Self {
        Failure(Arc::new(FailureInner {
            phase: Phase::Supervision,
            panicked: false,
            message,
        }))
    }

    /// Where the failure happened.
    pub fn phase(&self) -> Phase {
        self.0.phase
    }

    /// Whether it was a panic (as opposed to a returned `Err`).
    pub fn panicked(&self) -> bool {
        self.0.panicked
    }

    /// The error or panic message.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.0.panicked { "panicked" } else { "error" };
        let phase = match self.0.phase {
            Phase::Started => "started",
            Phase::Handle => "handle",
            Phase::Terminated => "on_terminated",
            Phase::ChildExit => "on_child_exit",
            Phase::Supervision => "supervision",
            Phase::Stopped => "stopped",
        };
        write!(f, "{what} in `{phase}`: {}", self.0.message)
    }
}

/// A supervised child ended an incarnation: the notice its supervisor gets,
/// and the handle with which the supervisor decides what comes next.
///
/// The child waits, its mailbox kept, until the decision. Dropping the
/// handle without deciding stops the child for good.
pub struct ChildExit {
    child: ActorLabel,
    reason: StopReason,
    /// The child waiting for the decision; `None` once decided, or when the
    /// child was stopped for good and waits for nothing.
    waiting: Option<Arc<dyn ErasedCell>>,
}

impl ChildExit {
    pub(crate) fn new(
        child: ActorLabel,
        reason: StopReason,
        waiting: Option<Arc<dyn ErasedCell>>,
    ) -> Self {
        ChildExit {
            child,
            reason,
            waiting,
        }
    }

    /// The child.
    pub fn child(&self) -> &ActorLabel {
        &self.child
    }

    /// Why its incarnation ended.
    pub fn reason(&self) -> &StopReason {
        &self.reason
    }

    /// Whether the child waits for a decision; `false` when it was stopped
    /// for good (by its own `ActorRef::stop`, a parent, or shutdown).
    pub fn awaits_decision(&self) -> bool {
        self.waiting.is_some()
    }

    /// Restarts the child now: a fresh actor from its factory, the same
    /// mailbox and the same references.
    pub fn restart(self) {
        self.restart_after(Duration::ZERO);
    }

    /// Restarts the child after `delay` (a backoff).
    pub fn restart_after(mut self, delay: Duration) {
        self.decide(Decision::Restart(delay));
    }

    /// Stops the child for good.
    pub fn stop(mut self) {
        self.decide(Decision::Stop);
    }

    fn decide(&mut self, decision: Decision) {
        if let Some(child) = self.waiting.take() {
            child.push_signal(Signal::Decision(decision));
        }
    }
}

impl Drop for ChildExit {
    fn drop(&mut self) {
        self.decide(Decision::Stop);
    }
}

impl fmt::Debug for ChildExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildExit")
            .field("child", &self.child)
            .field("reason", &self.reason)
            .field("awaits_decision", &self.awaits_decision())
            .finish()
    }
}

/// The notice a watcher receives when a watched actor stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminated {
    /// The actor that stopped.
    pub actor: ActorLabel,
    /// Why it stopped.
    pub reason: StopReason,
}
