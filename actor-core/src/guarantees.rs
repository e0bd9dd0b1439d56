//! The runtime contract: what every actor can rely on.
//!
//! This page changes in the same commit as the behaviour it describes.
//!
//! # Ordering
//!
//! - **FIFO per sender.** Messages one sender tells one actor are handled in
//!   the order they were sent. Messages from different senders interleave in
//!   no promised order.
//! - **One handler at a time.** An actor's hooks and handlers never run
//!   concurrently with each other, so its state needs no lock.
//! - **Control lane first.** System signals (today: [`Terminated`] watch
//!   notices) are handled before any queued user message; a signal waits at
//!   most for the handler that is running.
//!
//! # Capacity and backpressure
//!
//! - A bounded mailbox of capacity `n` lets at most `n` messages wait in its
//!   queue. The actor takes queued messages in batches, so at most `2n`
//!   messages are held at once (a full queue and the batch being handled).
//! - `tell` waits for room; `try_tell` fails with `Full(msg)` at once.
//! - **No deadlock by default.** A `tell` made inside a handler that would
//!   wait for room at an actor that is, directly or through others, waiting on
//!   the sender (for room in its mailbox or for an ask's answer) does not
//!   wait: the message is admitted beyond capacity, counted in
//!   [`MailboxStats::overflowed`](crate::MailboxStats::overflowed) and traced
//!   at debug level. Nothing is lost or reordered. Senders outside the cycle,
//!   and plain tasks, still wait.
//! - **No ask cycle hangs.** An ask to oneself, or to an actor that is
//!   directly or through others waiting on the asker, fails at once with
//!   [`AskError::Cycle`](crate::error::AskError::Cycle), naming the actors.
//!
//! # Stopping
//!
//! - **`stop` drains.** [`ActorRef::stop`](crate::ActorRef::stop),
//!   [`Context::stop`](crate::Context::stop), dropping the last strong
//!   [`ActorRef`](crate::ActorRef), and system shutdown close the mailbox:
//!   new sends fail with `Closed(msg)` (the message handed back), and every
//!   message already queued is handled. Then linked children stop (reverse
//!   start order, each awaited), then `stopped` runs.
//! - **`kill` drops.** [`ActorRef::kill`](crate::ActorRef::kill) stops the
//!   actor at its next await point: queued messages are dropped, and asks
//!   among them (and the one being handled) fail with `Stopped`. `stopped`
//!   does not run; linked children are asked to stop. A kill ends a
//!   supervised actor too: its mailbox is gone, so a supervisor that restarts
//!   it spawns a fresh one with new references.
//! - **Dead letters.** Messages still queued when an actor is killed or fails
//!   (unsupervised) are counted in
//!   [`ActorSystem::dead_letter_count`](crate::ActorSystem::dead_letter_count),
//!   logged at debug level and announced to
//!   [`ActorSystem::dead_letters`](crate::ActorSystem::dead_letters)
//!   subscribers. Nothing disappears without a trace.
//! - **Failure.** A hook or handler that returns `Err` or panics stops the
//!   actor with [`StopReason::Failed`]; the panic never reaches the worker
//!   thread or other actors. The ask being handled fails with
//!   `HandlerFailed`. Messages still queued are dead-lettered and their asks
//!   fail with `Stopped`.
//! - **What a restart keeps.** A supervised actor's failure (or its own
//!   `Context::stop`) ends one incarnation: its mailbox, its references and
//!   its queued messages stay, and the next incarnation, built by its
//!   factory, handles them. The failed message is not retried. A stop from
//!   outside is final. See [`supervision`](crate::supervision).
//! - **A message to a stopped actor** is handed back to the sender:
//!   `SendError::Closed(msg)` from `tell`, `TrySendError::Closed(msg)` from
//!   `try_tell`, [`AskError::Stopped`](crate::error::AskError::Stopped) from
//!   `ask`. Never a panic, never a silent drop.
//! - **Shutdown refuses outsiders.** Once
//!   [`ActorSystem::shutdown`](crate::ActorSystem::shutdown) begins, sends
//!   from outside the system's actors (plain tasks, timers, streams) fail
//!   with `ShuttingDown(msg)`; actors still reach each other while they
//!   drain.
//! - After [`ActorRef::wait_for_stop`](crate::ActorRef::wait_for_stop)
//!   returns, the actor's state has been dropped, its name is free in the
//!   registry, it no longer counts in `live_actors`, and every watcher has
//!   been sent its notice.
//!
//! # Placement
//!
//! - An actor spawned without a strand is a tokio task of its own, run on
//!   any worker. Actors spawned on one [`Strand`](crate::Strand) are polled
//!   by one tokio task: no two of them run at the same time, a message
//!   between two of them wakes no other thread, and the strand yields to
//!   tokio after [`Strand::TURN`](crate::Strand::TURN) of running. Every
//!   other guarantee on this page holds on a strand as off it (a kill, a
//!   panic and a failure end only the actor concerned).
//!
//! # Asks
//!
//! - An ask is answered at most once. A reply dropped unanswered fails the
//!   ask with `ReplyDropped`, or `HandlerFailed` when the handler failed.
//! - **A timeout is never early.** An ask fails with `Timeout` no sooner
//!   than its timeout after it began. It may fail later than a `sleep` of
//!   the same length begun with it: by about a millisecond, plus, for an ask
//!   begun right after another on its thread, however long its task waited
//!   to run when its timer first fired. Such an ask reads no clock for its
//!   start; it counts its timeout from a reading made after a one-millisecond
//!   probe timer fired. On tokio's paused clock every ask reads it, so
//!   `tokio::time::advance` times asks out as it fires sleeps.
//! - **After an ask times out**, the request may still be handled; the reply
//!   it sends is dropped (the asker is gone), and
//!   [`Reply::is_closed`](crate::Reply::is_closed) tells a handler so.
//!
//! [`Terminated`]: crate::Terminated
//! [`StopReason::Failed`]: crate::StopReason::Failed
