//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::Duration;

use actor_core::{Actor, ActorRef, BoxError, Context, Reply};
use tokio::sync::oneshot;

pub mod ring;

/// How long any single wait in a test may take before the test fails.
pub const BOUND: Duration = Duration::from_secs(10);

/// Awaits `fut`, failing the test with `what` if it takes longer than [`BOUND`].
#[track_caller]
pub fn within<F: Future>(what: &'static str, fut: F) -> impl Future<Output = F::Output> {
    let caller = std::panic::Location::caller();
    async move {
        match tokio::time::timeout(BOUND, fut).await {
            Ok(v) => v,
            Err(_) => panic!("timed out waiting for {what} (at {caller})"),
        }
    }
}

/// A counter: the workhorse actor of the tests.
#[derive(Default)]
pub struct Counter {
    pub total: u64,
}

pub enum CounterMsg {
    Add(u64),
    Get(Reply<u64>),
    Fail(String),
    Panic,
    /// Waits for the gate to open before returning: builds a backlog.
    Gate(tokio::sync::oneshot::Receiver<()>),
    /// Signals that the handler has started, then waits for the gate.
    Hold {
        started: tokio::sync::oneshot::Sender<()>,
        gate: tokio::sync::oneshot::Receiver<()>,
    },
    Ignore(Reply<u64>),
}

impl Actor for Counter {
    type Msg = CounterMsg;

    async fn handle(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            CounterMsg::Add(n) => self.total += n,
            CounterMsg::Get(reply) => reply.send(self.total),
            CounterMsg::Fail(why) => return Err(why.into()),
            CounterMsg::Panic => panic!("counter was told to panic"),
            CounterMsg::Gate(gate) => {
                let _ = gate.await;
            }
            CounterMsg::Hold { started, gate } => {
                let _ = started.send(());
                let _ = gate.await;
            }
            CounterMsg::Ignore(_reply) => {}
        }
        Ok(())
    }
}

/// Parks the counter's handler on a gate, with its mailbox empty behind it,
/// and returns the gate's key: sending on it (or dropping it) lets the
/// handler finish.
pub async fn hold(counter: &ActorRef<Counter>) -> oneshot::Sender<()> {
    let (started_tx, started) = oneshot::channel();
    let (open, gate) = oneshot::channel();
    let hold = CounterMsg::Hold {
        started: started_tx,
        gate,
    };
    counter.tell(hold).await.expect("counter is running");
    within("the handler to park", started).await.unwrap();
    open
}

/// Waits until `counter`'s queue holds at least `len` messages.
pub async fn backlog(counter: &ActorRef<Counter>, len: usize) {
    within("the backlog", async {
        while counter.mailbox_stats().len < len {
            tokio::task::yield_now().await;
        }
    })
    .await;
}

/// The next `n` lines from an event channel, in order, each wait bounded.
pub async fn next_events(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    n: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            within("an event", events.recv())
                .await
                .expect("events open"),
        );
    }
    out
}
