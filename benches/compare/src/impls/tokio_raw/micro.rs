//! The micro workloads by hand with tokio tasks and channels.

use std::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::check::Check;
use crate::contender::TokioHost;
use crate::measure::{Latencies, Pass};
use crate::savina::fork_join_work;
use crate::spawn::{Census, IdleFleet};

/// Awaits every task, in order; a panicked task panics the driver.
pub(super) async fn join_all<T>(tasks: Vec<JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.expect("an actor task panicked"));
    }
    out
}

enum TellMsg {
    Value(u64),
    Totals(oneshot::Sender<Check>),
}

/// The summing actor's state.
#[derive(Default)]
struct Summer {
    sum: u64,
    received: u64,
    last: Option<u64>,
    out_of_order: u64,
}

impl Summer {
    /// Handles one message; `false` once the actor should stop.
    fn handle(&mut self, msg: TellMsg) -> bool {
        match msg {
            TellMsg::Value(v) => {
                self.out_of_order += u64::from(self.last.is_some_and(|last| v < last));
                self.last = Some(v);
                self.sum += v;
                self.received += 1;
                true
            }
            TellMsg::Totals(reply) => {
                let _ = reply.send(
                    Check::new()
                        .int("sum", self.sum)
                        .int("received", self.received)
                        .int("out_of_order", self.out_of_order),
                );
                false
            }
        }
    }
}

pub(super) async fn tell(messages: u64, capacity: Option<usize>) -> Pass {
    let started = Instant::now();
    let (reply, totals) = oneshot::channel();
    let actor = match capacity {
        Some(capacity) => {
            let (tx, mut rx) = mpsc::channel(capacity);
            let actor = tokio::spawn(async move {
                let mut state = Summer::default();
                while let Some(msg) = rx.recv().await {
                    if !state.handle(msg) {
                        break;
                    }
                }
            });
            for v in 0..messages {
                let _ = tx.send(TellMsg::Value(v)).await;
            }
            let _ = tx.send(TellMsg::Totals(reply)).await;
            actor
        }
        None => {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let actor = tokio::spawn(async move {
                let mut state = Summer::default();
                while let Some(msg) = rx.recv().await {
                    if !state.handle(msg) {
                        break;
                    }
                }
            });
            for v in 0..messages {
                let _ = tx.send(TellMsg::Value(v));
            }
            let _ = tx.send(TellMsg::Totals(reply));
            actor
        }
    };
    let check = totals.await.expect("the summer answers");
    actor.await.expect("the summer stops");
    Pass::new(started.elapsed(), check)
}

pub(super) async fn ask(round_trips: u64) -> Pass {
    let started = Instant::now();
    let (tx, mut rx) = mpsc::channel::<(u64, oneshot::Sender<u64>)>(64);
    let actor = tokio::spawn(async move {
        while let Some((x, reply)) = rx.recv().await {
            let _ = reply.send(x + 1);
        }
    });
    let mut latencies = Latencies::with_capacity(round_trips as usize);
    let mut sum = 0u64;
    for x in 0..round_trips {
        let asked = Instant::now();
        let (reply, answer) = oneshot::channel();
        tx.send((x, reply)).await.expect("the actor is alive");
        sum += answer.await.expect("the actor answers");
        latencies.record(asked.elapsed());
    }
    drop(tx);
    actor.await.expect("the actor stops");
    latencies.into_pass(Pass::new(started.elapsed(), Check::new().int("sum", sum)))
}

enum Ball {
    Ball(u64),
    Stop,
}

/// One side of the rally: returns (Balls handled, the last `k` if this side
/// ended it).
async fn rally(
    bounces: u64,
    mut rx: mpsc::UnboundedReceiver<Ball>,
    peer: mpsc::UnboundedSender<Ball>,
) -> (u64, Option<u64>) {
    let mut handled = 0;
    while let Some(msg) = rx.recv().await {
        match msg {
            Ball::Ball(k) => {
                handled += 1;
                if k == bounces {
                    let _ = peer.send(Ball::Stop);
                    return (handled, Some(k));
                }
                let _ = peer.send(Ball::Ball(k + 1));
            }
            Ball::Stop => break,
        }
    }
    (handled, None)
}

pub(super) async fn ping_pong(bounces: u64) -> Pass {
    let started = Instant::now();
    let (a_tx, a_rx) = mpsc::unbounded_channel();
    let (b_tx, b_rx) = mpsc::unbounded_channel();
    let a = tokio::spawn(rally(bounces, a_rx, b_tx));
    let b = tokio::spawn(rally(bounces, b_rx, a_tx.clone()));
    let _ = a_tx.send(Ball::Ball(0));
    drop(a_tx);
    let sides = join_all(vec![a, b]).await;
    let handled: u64 = sides.iter().map(|s| s.0).sum();
    let last = sides.iter().find_map(|s| s.1).unwrap_or(u64::MAX);
    Pass::new(
        started.elapsed(),
        Check::new().int("last", last).int("handled", handled),
    )
}

enum RingMsg {
    Token(u64),
    Exit(usize),
}

/// What a ring member saw: tokens handled, whether it got `Token(0)`, and
/// whether it got the first `Exit`.
struct Member {
    tokens: u64,
    zero: bool,
    exit_first: bool,
}

async fn member(
    actors: usize,
    mut rx: mpsc::UnboundedReceiver<RingMsg>,
    next: mpsc::UnboundedSender<RingMsg>,
) -> Member {
    let mut me = Member {
        tokens: 0,
        zero: false,
        exit_first: false,
    };
    while let Some(msg) = rx.recv().await {
        match msg {
            RingMsg::Token(k) => {
                me.tokens += 1;
                if k > 0 {
                    let _ = next.send(RingMsg::Token(k - 1));
                } else {
                    me.zero = true;
                    let _ = next.send(RingMsg::Exit(actors));
                }
            }
            RingMsg::Exit(k) => {
                me.exit_first = k == actors;
                if k > 0 {
                    // The last Exit finds its member stopped: dropped.
                    let _ = next.send(RingMsg::Exit(k - 1));
                }
                break;
            }
        }
    }
    me
}

pub(super) async fn ring(actors: usize, hops: u64) -> Pass {
    let started = Instant::now();
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..actors).map(|_| mpsc::unbounded_channel()).unzip();
    let first = txs[0].clone();
    let tasks: Vec<_> = rxs
        .into_iter()
        .enumerate()
        .map(|(i, rx)| tokio::spawn(member(actors, rx, txs[(i + 1) % actors].clone())))
        .collect();
    drop(txs);
    let _ = first.send(RingMsg::Token(hops));
    drop(first);
    let members = join_all(tasks).await;
    let index = |pick: fn(&Member) -> bool| members.iter().position(pick).unwrap_or(usize::MAX);
    let check = Check::new()
        .int("tokens", members.iter().map(|m| m.tokens).sum::<u64>())
        .int("zero_at", index(|m| m.zero))
        .int("exit_from", index(|m| m.exit_first))
        .int("stopped", members.len());
    Pass::new(started.elapsed(), check)
}

/// Idle tasks, each owning a `u64` and waiting on its own bounded(64)
/// channel; dropping the senders stops them.
pub(super) struct Fleet<'h> {
    host: &'h TokioHost,
    census: Census,
    senders: Vec<mpsc::Sender<u64>>,
}

impl<'h> Fleet<'h> {
    pub(super) fn new(host: &'h TokioHost) -> Fleet<'h> {
        Fleet {
            host,
            census: Census::new(),
            senders: Vec::new(),
        }
    }
}

impl IdleFleet for Fleet<'_> {
    fn spawn(&mut self, n: usize) {
        let census = self.census.clone();
        let target = census.started_count() + n as u64;
        self.senders = self.host.drive(async move {
            let mut senders = Vec::with_capacity(n);
            for _ in 0..n {
                let (tx, mut rx) = mpsc::channel::<u64>(64);
                let census = census.clone();
                tokio::spawn(async move {
                    census.started();
                    let mut state = 0u64;
                    while let Some(v) = rx.recv().await {
                        state += v;
                    }
                    std::hint::black_box(state);
                    census.stopped();
                });
                senders.push(tx);
            }
            census.reached(target, 0).await;
            senders
        });
    }

    fn stop_all(&mut self) {
        let census = self.census.clone();
        let target = census.started_count();
        let senders = std::mem::take(&mut self.senders);
        self.host.drive(async move {
            drop(senders);
            census.reached(0, target).await;
        });
    }

    fn census(&self) -> &Census {
        &self.census
    }

    fn live_tasks(&self) -> Option<usize> {
        Some(self.host.handle().metrics().num_alive_tasks())
    }
}

pub(super) async fn fan_out(workers: usize, jobs: u64) -> Pass {
    let started = Instant::now();
    let (done, total) = oneshot::channel();
    let (collector_tx, mut collector_rx) = mpsc::unbounded_channel::<u64>();
    let collector = tokio::spawn(async move {
        let (mut sum, mut count) = (0u64, 0u64);
        while let Some(v) = collector_rx.recv().await {
            sum += v;
            count += 1;
            if count == jobs {
                break;
            }
        }
        let _ = done.send(Check::new().int("sum", sum).int("jobs", count));
    });
    let mut tasks = vec![collector];
    let mut inboxes = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
        let out = collector_tx.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(j) = rx.recv().await {
                let _ = out.send(2 * j + 1);
            }
        }));
        inboxes.push(tx);
    }
    drop(collector_tx);
    for j in 0..jobs {
        let _ = inboxes[(j % workers as u64) as usize].send(j);
    }
    drop(inboxes);
    let check = total.await.expect("the collector reports");
    join_all(tasks).await;
    Pass::new(started.elapsed(), check)
}

pub(super) async fn fork_join(actors: usize, messages: u64) -> Pass {
    let started = Instant::now();
    let mut inboxes = Vec::with_capacity(actors);
    let mut tasks = Vec::with_capacity(actors);
    for _ in 0..actors {
        let (tx, mut rx) = mpsc::unbounded_channel::<()>();
        tasks.push(tokio::spawn(async move {
            let (mut count, mut work) = (0u64, 0.0);
            while rx.recv().await.is_some() {
                count += 1;
                work = fork_join_work();
                if count == messages {
                    break;
                }
            }
            (count, work)
        }));
        inboxes.push(tx);
    }
    for _ in 0..messages {
        for inbox in &inboxes {
            let _ = inbox.send(());
        }
    }
    drop(inboxes);
    let workers = join_all(tasks).await;
    let counts = workers.iter().map(|w| w.0);
    let check = Check::new()
        .int("min_count", counts.clone().min().unwrap_or(0))
        .int("max_count", counts.max().unwrap_or(0))
        .float("work", workers.first().map_or(0.0, |w| w.1));
    Pass::new(started.elapsed(), check)
}

pub(super) async fn pool(jobs: u64) -> Pass {
    let started = Instant::now();
    let sum = benches::pool_raw(jobs).await;
    Pass::new(started.elapsed(), Check::new().int("sum", sum))
}

pub(super) async fn pipeline(items: u64) -> Pass {
    let started = Instant::now();
    let sum = benches::pipeline_raw(items).await;
    Pass::new(started.elapsed(), Check::new().int("sum", sum))
}
