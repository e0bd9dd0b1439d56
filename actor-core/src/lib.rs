//! An actor runtime on tokio.
//!
//! Actors own their state and talk only through typed mailboxes. This tour
//! defines an actor, spawns it, tells and asks it, and shuts down.
//!
//! ```
//! use actor_core::{Actor, ActorSystem, BoxError, Context, Reply};
//!
//! /// A counter: `Add` is fire-and-forget, `Get` is request/reply.
//! enum Msg {
//!     Add(u64),
//!     Get(Reply<u64>),
//! }
//!
//! struct Counter {
//!     total: u64,
//! }
//!
//! impl Actor for Counter {
//!     type Msg = Msg;
//!
//!     async fn handle(&mut self, msg: Msg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
//!         match msg {
//!             Msg::Add(n) => self.total += n,
//!             Msg::Get(reply) => reply.send(self.total),
//!         }
//!         Ok(())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::new();
//! let counter = system.spawn_named("counter", Counter { total: 0 })?;
//!
//! counter.tell(Msg::Add(40)).await?; // waits for mailbox room
//! counter.try_tell(Msg::Add(2))?; // fails fast with `Full` instead
//! assert_eq!(counter.ask(Msg::Get).await?, 42);
//!
//! // Anyone can find it by name, typed.
//! let found = system.lookup::<Counter>("counter")?;
//! assert_eq!(found.ask(Msg::Get).await?, 42);
//!
//! let report = system.shutdown().await;
//! assert_eq!(report.aborted, 0);
//! # Ok(())
//! # }
//! ```
//!
//! The same actor written with the macros: a plain struct and one impl
//! block, with a typed client generated for every [`Address`] of it.
//!
//! ```
//! use actor_core::{handlers, Actor, ActorSystem};
//!
//! #[derive(Actor, Default)]
//! struct Counter {
//!     total: u64,
//! }
//!
//! #[handlers]
//! impl Counter {
//!     fn add(&mut self, n: u64) {
//!         self.total += n;
//!     }
//!
//!     fn get(&mut self) -> u64 {
//!         self.total
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let counter = ActorSystem::new().spawn(Counter::default())?;
//! counter.add(40).await?;
//! assert_eq!(counter.get().await?, 40);
//! # Ok(())
//! # }
//! ```
//!
//! The [`guarantees`] page states the runtime contract: ordering, capacity,
//! what `stop` drains and `kill` drops, where a late reply goes.
#![doc(test(attr(deny(warnings))))]

mod actor;
mod actor_ref;
mod address;
mod ask_timer;
mod cell;
mod context;
mod deadlock;
pub mod error;
mod frame;
pub mod guarantees;
mod lazy_vec;
mod mailbox;
pub mod pattern;
mod reply;
mod strand;
pub mod supervision;
mod system;

pub use actor::{
    Actor, ActorConfig, ActorId, ActorLabel, ChildExit, Failure, Phase, StopReason, Terminated,
};
pub use actor_macros::{Actor, handlers};
pub use actor_ref::{ActorRef, Tell, WeakActorRef};
pub use address::{Address, WithTimeout};
pub use context::{Context, TaskHandle};
pub use error::BoxError;
pub use mailbox::{MailboxConfig, MailboxStats};
pub use reply::Reply;
pub use strand::{Strand, StrandTask};
pub use system::{
    ActorSystem, ActorSystemBuilder, DeadLetter, ShutdownReport, SpawnOptions, SystemConfig,
};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

#[doc(hidden)]
pub mod __private {
    //! Paths the macros' generated code relies on; not public API.
    pub use serde;
}

/// The names nearly every user needs.
pub mod prelude {
    #[doc(no_inline)]
    pub use crate::{
        Actor, ActorRef, ActorSystem, Address, BoxError, Context, MailboxConfig, Reply, StopReason,
        handlers,
    };
}
