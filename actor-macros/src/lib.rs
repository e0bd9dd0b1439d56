//! Procedural macros for `actor-core`: an actor is a plain struct and one
//! impl block. Use them through `actor_core` (`actor_core::Actor`,
//! `actor_core::handlers`), which re-exports them.
//!
//! ```
//! use actor_core::{handlers, Actor, ActorSystem};
//!
//! /// Counts what it is told.
//! #[derive(Actor, Default)]
//! #[actor(mailbox = 16)]
//! pub struct Counter {
//!     total: u64,
//! }
//!
//! #[handlers]
//! impl Counter {
//!     /// Adds `n` to the total (a tell: no return value).
//!     pub fn add(&mut self, n: u64) {
//!         self.total += n;
//!     }
//!
//!     /// The total so far (an ask: it returns a value).
//!     pub fn get(&mut self) -> u64 {
//!         self.total
//!     }
//!
//!     /// Handlers may be `async` and may fail; the caller sees the handler's
//!     /// own `Result` inside the runtime's.
//!     pub async fn take(&mut self, n: u64) -> Result<u64, String> {
//!         if n > self.total {
//!             return Err(format!("only {} left", self.total));
//!         }
//!         self.total -= n;
//!         Ok(self.total)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::new();
//! let counter = system.spawn(Counter::default())?;
//! counter.add(5).await?;
//! assert_eq!(counter.get().await?, 5);
//! assert_eq!(counter.take(2).await?, Ok(3));
//! assert!(counter.take(9).await?.is_err());
//! # Ok(())
//! # }
//! ```
//!
//! See [`handlers`] for what is generated and [`Actor`](macro@Actor) for the
//! struct settings.

mod attrs;
mod expand;
mod model;

use proc_macro::TokenStream;
use syn::{DeriveInput, ItemImpl, parse_macro_input};

use attrs::{ActorArgs, HandlersArgs};
use model::Model;

/// Marks a struct as an actor and sets its mailbox and default name.
///
/// Settings, all optional, in `#[actor(...)]`:
/// - `mailbox = 64`: a bounded mailbox of that capacity (at least 1);
/// - `mailbox = unbounded`: no limit;
/// - `name = "counter"`: register under this name when a spawn names none;
/// - `crate = path`: where `actor_core` is, for crates that re-export it.
///
/// The struct's handlers come from [`handlers`] on one impl block. Generic
/// structs work; their bounds carry over to everything generated.
///
/// <details><summary>Expansion</summary>
///
/// ```text
/// impl actor_core::ActorConfig for Counter {
///     const MAILBOX: Option<MailboxConfig> = Some(MailboxConfig::Bounded(16));
///     const NAME: Option<&'static str> = None;
/// }
/// ```
/// </details>
#[proc_macro_derive(Actor, attributes(actor))]
pub fn derive_actor(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match ActorArgs::from_attrs(&input.attrs) {
        Ok(args) => expand::derive_actor(&input, &args).into(),
        // One mistake, one error: default settings keep `#[handlers]` from
        // reporting the struct as not derived.
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(expand::derive_actor(
                &input,
                &ActorArgs::fallback(&input.attrs),
            ));
            out.into()
        }
    }
}

/// Turns the methods of one impl block into the actor's messages.
///
/// Each method taking `&mut self` (or `&self`) becomes a message:
/// - with no return value, a **tell**: its client method returns
///   `Result<(), SendError<Msg>>` once the message is queued;
/// - with a return value `T`, an **ask**: its client method returns
///   `Result<T, AskError>`. A handler returning `Result<U, E>` therefore
///   gives `Result<Result<U, E>, AskError>`: the outer error is the
///   runtime's (timeout, stopped, handler panicked), the inner is the
///   handler's own, and it does not fail the actor.
///
/// Methods may be `async`, and may take `ctx: &mut Context<Self>` anywhere
/// among their arguments. Arguments must own their data. Mark a method
/// `#[started]`, `#[stopped]` or `#[on_terminated]` to make it that
/// lifecycle hook, returning `()` or `Result<(), E>`; a hook takes any of the
/// [`Actor`](https://docs.rs/actor-core) trait method's arguments it needs, in
/// any order (`ctx: &mut Context<Self>`, and `reason: &StopReason` for
/// `#[stopped]` or `notice: Terminated` for `#[on_terminated]`), or none.
/// Mark a method `#[skip]` to leave a helper alone.
///
/// Generated, for `impl Counter`:
/// - `CounterMsg`: one variant per handler, named after it in `UpperCamelCase`
///   and documented with its docs; asks carry `reply: Reply<T>`; `kind()`
///   names the handler;
/// - `impl Actor for Counter`, dispatching each variant to its method;
/// - `CounterClient`: one method per handler, implemented for every
///   `Address<Counter>` (so `counter.add(5).await?` on an `ActorRef`, and
///   `counter.with_timeout(d).get().await?` for an ask with its own timeout);
/// - `CounterRequest` (the arguments without reply handles), `CounterResponse`
///   (each ask's answer) and `CounterReplyTo` (each ask's reply handle), with
///   `CounterMsg::into_request`, `CounterReplyTo::complete` and
///   `CounterRequest::dispatch`: the form of a message that crosses a process
///   boundary. `#[handlers(serde)]` derives `Serialize` and `Deserialize` for
///   the request and response.
///
/// Settings: `vis = pub(crate)` (the generated items' visibility; by default
/// the first handler's), `serde`, `crate = path`.
///
/// Mistakes are compile errors at the offending tokens: a method without
/// receiver, `self` by value, a borrowed argument, a generic method, two
/// handlers with the same message name, a name that `ActorRef` already uses.
///
/// <details><summary>Expansion (abridged)</summary>
///
/// ```text
/// pub enum CounterMsg { Add { n: u64 }, Get { reply: Reply<u64> } }
/// impl Actor for Counter {
///     type Msg = CounterMsg;
///     async fn handle(&mut self, msg: CounterMsg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         match msg {
///             CounterMsg::Add { n } => { Self::add(self, n); }
///             CounterMsg::Get { reply } => reply.send(Self::get(self)),
///         }
///         Ok(())
///     }
/// }
/// pub trait CounterClient {
///     fn add(&self, n: u64) -> impl Future<Output = Result<(), SendError<CounterMsg>>> + Send;
///     fn get(&self) -> impl Future<Output = Result<u64, AskError>> + Send;
/// }
/// impl<A: Address<Counter>> CounterClient for A { /* tell / ask through A */ }
/// ```
/// </details>
#[proc_macro_attribute]
pub fn handlers(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = parse_macro_input!(args as HandlersArgs);
    let item = parse_macro_input!(input as ItemImpl);
    let mut fallback = item.clone();
    for impl_item in &mut fallback.items {
        if let syn::ImplItem::Fn(method) = impl_item {
            method.attrs.retain(|a| attrs::marker(a).is_none());
        }
    }
    match Model::parse(item) {
        Ok(model) => expand::handlers(args, &model).into(),
        // One mistake, one error: keep the impl so the rest of the crate
        // (and IDEs) still see the methods.
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(quote::quote!(#fallback));
            out.extend(expand::fallback_actor(&args, &fallback));
            out.into()
        }
    }
}
