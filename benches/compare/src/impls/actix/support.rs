//! What every actix workload shares: where actors are started, the stop
//! message, and the channel actors report on from their `stopped` hook.
//!
//! Every actor stops explicitly (`ctx.stop()` in a handler), and whoever
//! creates actors keeps their addresses until the run ends: actix also
//! stops an actor once no address to it is left, and that check can run
//! between a last sender's push and the actor's next look at its mailbox,
//! stopping it with a message unhandled.

use ::actix::{Actor, Addr, ArbiterHandle, Context, Message};
use tokio::sync::mpsc;

/// The arbiters a workload's actors are started on.
///
/// Actor `index` of a group of `count` goes to arbiter
/// `index * arbiters / count`: contiguous blocks, so neighbours (ring
/// successors, a master and its first workers) mostly share a thread, and
/// a group of one or two still uses both threads.
#[derive(Clone)]
pub(super) struct Placement {
    arbiters: Vec<ArbiterHandle>,
}

impl Placement {
    /// Places actors on `arbiters`.
    pub(super) fn new(arbiters: Vec<ArbiterHandle>) -> Placement {
        Placement { arbiters }
    }

    /// Blocks the calling thread until every arbiter has run everything
    /// queued on it before this call, so actors that ran their `stopped`
    /// hook have also been dropped (for the spawn workload, which waits
    /// from outside the arbiters).
    pub(super) fn barrier(&self) {
        for arbiter in &self.arbiters {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            arbiter.spawn_fn(move || {
                let _ = tx.send(());
            });
            let _ = rx.recv();
        }
    }

    /// Starts a member of a chain (a workload with one message in flight:
    /// ping-pong, the ring) on the first arbiter, where every member of the
    /// chain goes: it runs fastest on one thread, and this runtime's version
    /// puts its members on one strand alike.
    pub(super) fn start_in_chain<A, F>(&self, make: F) -> Addr<A>
    where
        A: Actor<Context = Context<A>>,
        F: FnOnce(&mut Context<A>) -> A + Send + 'static,
    {
        self.start(0, 1, make)
    }

    /// Starts actor `index` of a group of `count` on its arbiter, building
    /// it there with `make`.
    pub(super) fn start<A, F>(&self, index: usize, count: usize, make: F) -> Addr<A>
    where
        A: Actor<Context = Context<A>>,
        F: FnOnce(&mut Context<A>) -> A + Send + 'static,
    {
        let arbiter = &self.arbiters[index * self.arbiters.len() / count.max(1)];
        A::start_in_arbiter(arbiter, make)
    }
}

/// Asks an actor to stop (its handler calls `ctx.stop()`).
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct Stop;

/// Where actors send what they observed, from their `stopped` hook.
pub(super) struct Reporter<T> {
    tx: mpsc::UnboundedSender<T>,
}

impl<T> Clone for Reporter<T> {
    fn clone(&self) -> Reporter<T> {
        Reporter {
            tx: self.tx.clone(),
        }
    }
}

impl<T> Reporter<T> {
    /// Sends one actor's report.
    pub(super) fn send(&self, report: T) {
        let _ = self.tx.send(report);
    }
}

/// The driver's end of the reports.
pub(super) struct Reports<T> {
    rx: mpsc::UnboundedReceiver<T>,
}

/// A reporter for the actors and the driver's end. The driver drops its
/// reporter once every actor holds a clone; [`Reports::all`] then ends when
/// every actor has stopped and been dropped.
pub(super) fn reports<T>() -> (Reporter<T>, Reports<T>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Reporter { tx }, Reports { rx })
}

impl<T> Reports<T> {
    /// Every report, once all reporters are gone (every actor stopped).
    pub(super) async fn all(mut self) -> Vec<T> {
        let mut all = Vec::new();
        while let Some(report) = self.rx.recv().await {
            all.push(report);
        }
        all
    }
}
