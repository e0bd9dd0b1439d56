//! One workload per run, for profilers (`valgrind --tool=callgrind`, `perf`).
//!
//! `profile WORKLOAD [N] [--threads T]`, where WORKLOAD is one of
//! `tell-actor`, `tell-raw`, `tell-actor-unbounded`, `tell-raw-unbounded`,
//! `ask-actor`, `ask-nested` (the same asks made from inside a handler, so
//! each carries an edge of the wait-for graph), `ask-raw`, `spawn-actor`,
//! `spawn-raw`, and `tell-macro`, `ask-macro` (the summing actor written
//! with the macros), `pool-actor`,
//! `pool-raw` (8 workers over N jobs), `pipeline-actor`, `pipeline-raw`
//! (three stages of two workers over N items), `ring-actor`, `ring-raw` (a
//! token passed N hops round a ring of `RING_ACTORS` members, default 100:
//! Savina's ThreadRing without its exit wave; the checksum is the index of
//! the member that got the last hop, N mod `RING_ACTORS`). The runtime is
//! current-thread unless `--threads` names a worker count. Prints a checksum.

use actor_core::{Actor, ActorSystem, BoxError, Context, MailboxConfig, Reply, SpawnOptions};
use tokio::sync::{mpsc, oneshot};

struct Summer(u64);

/// The same summing actor, written with the macros.
#[derive(actor_core::Actor)]
struct MacroSummer(u64);

#[actor_core::handlers]
impl MacroSummer {
    fn add(&mut self, n: u64) {
        self.0 = self.0.wrapping_add(n);
    }

    fn get(&mut self) -> u64 {
        self.0
    }
}

enum SumMsg {
    Add(u64),
    Get(Reply<u64>),
}

impl Actor for Summer {
    type Msg = SumMsg;

    async fn handle(&mut self, msg: SumMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            SumMsg::Add(n) => self.0 = self.0.wrapping_add(n),
            SumMsg::Get(reply) => reply.send(self.0),
        }
        Ok(())
    }
}

enum RawMsg {
    Add(u64),
    Get(oneshot::Sender<u64>),
}

async fn raw_summer(mut rx: impl RawRx) -> u64 {
    let mut sum = 0u64;
    while let Some(msg) = rx.recv_msg().await {
        match msg {
            RawMsg::Add(n) => sum = sum.wrapping_add(n),
            RawMsg::Get(tx) => {
                let _ = tx.send(sum);
            }
        }
    }
    sum
}

trait RawRx: Send + 'static {
    fn recv_msg(&mut self) -> impl std::future::Future<Output = Option<RawMsg>> + Send;
}

impl RawRx for mpsc::Receiver<RawMsg> {
    async fn recv_msg(&mut self) -> Option<RawMsg> {
        self.recv().await
    }
}

impl RawRx for mpsc::UnboundedReceiver<RawMsg> {
    async fn recv_msg(&mut self) -> Option<RawMsg> {
        self.recv().await
    }
}

async fn tell_actor(n: u64, mailbox: MailboxConfig) -> u64 {
    let system = ActorSystem::new();
    let options = SpawnOptions::new().mailbox(mailbox);
    let actor = system.spawn_with(Summer(0), options).unwrap();
    for i in 0..n {
        actor.tell(SumMsg::Add(i)).await.unwrap();
    }
    actor.ask(SumMsg::Get).await.unwrap()
}

async fn tell_macro(n: u64) -> u64 {
    let system = ActorSystem::new();
    let actor = system.spawn(MacroSummer(0)).unwrap();
    for i in 0..n {
        actor.add(i).await.unwrap();
    }
    actor.get().await.unwrap()
}

async fn ask_macro(n: u64) -> u64 {
    let system = ActorSystem::new();
    let actor = system.spawn(MacroSummer(0)).unwrap();
    let mut total = 0u64;
    for i in 0..n {
        actor.add(i).await.unwrap();
        total = total.wrapping_add(actor.get().await.unwrap());
    }
    total
}

async fn tell_raw(n: u64, bounded: bool) -> u64 {
    if bounded {
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(raw_summer(rx));
        for i in 0..n {
            tx.send(RawMsg::Add(i)).await.ok().unwrap();
        }
        let (reply, answer) = oneshot::channel();
        tx.send(RawMsg::Get(reply)).await.ok().unwrap();
        answer.await.unwrap()
    } else {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(raw_summer(rx));
        for i in 0..n {
            tx.send(RawMsg::Add(i)).ok().unwrap();
        }
        let (reply, answer) = oneshot::channel();
        tx.send(RawMsg::Get(reply)).ok().unwrap();
        answer.await.unwrap()
    }
}

async fn ask_actor(n: u64) -> u64 {
    let system = ActorSystem::new();
    let actor = system.spawn(Summer(0)).unwrap();
    let mut total = 0u64;
    for i in 0..n {
        actor.tell(SumMsg::Add(i)).await.unwrap();
        total = total.wrapping_add(actor.ask(SumMsg::Get).await.unwrap());
    }
    total
}

/// Runs `ask_actor`'s loop from inside a handler.
struct Asker(actor_core::ActorRef<Summer>);

impl Actor for Asker {
    type Msg = (u64, Reply<u64>);

    async fn handle(
        &mut self,
        (n, done): Self::Msg,
        _: &mut Context<Self>,
    ) -> Result<(), BoxError> {
        let mut total = 0u64;
        for i in 0..n {
            self.0.tell(SumMsg::Add(i)).await?;
            total = total.wrapping_add(self.0.ask(SumMsg::Get).await?);
        }
        done.send(total);
        Ok(())
    }
}

async fn ask_nested(n: u64) -> u64 {
    let system = ActorSystem::new();
    let summer = system.spawn(Summer(0)).unwrap();
    let asker = system.spawn(Asker(summer)).unwrap();
    let timeout = std::time::Duration::from_secs(3600);
    asker.ask_timeout(|done| (n, done), timeout).await.unwrap()
}

/// Ring members, as many as `RING_ACTORS` says (default 100).
fn ring_actors() -> usize {
    std::env::var("RING_ACTORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

/// A ring member: passes the token on, counting down; stops at zero.
struct Hop {
    index: u64,
    next: Option<actor_core::ActorRef<Hop>>,
    done: Option<oneshot::Sender<u64>>,
}

enum HopMsg {
    Link(actor_core::ActorRef<Hop>, Option<oneshot::Sender<u64>>),
    Token(u64),
}

impl Actor for Hop {
    type Msg = HopMsg;

    async fn handle(&mut self, msg: HopMsg, _: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            HopMsg::Link(next, done) => (self.next, self.done) = (Some(next), done),
            HopMsg::Token(0) => {
                if let Some(done) = self.done.take() {
                    let _ = done.send(self.index);
                }
                // Unlink so the ring's refs drop and every member stops.
                self.next = None;
            }
            HopMsg::Token(k) => {
                if let Some(next) = &self.next {
                    next.tell(HopMsg::Token(k - 1)).await?;
                }
            }
        }
        Ok(())
    }
}

async fn ring_actor(n: u64) -> u64 {
    let system = ActorSystem::new();
    let members: Vec<_> = (0..ring_actors() as u64)
        .map(|index| {
            system
                .spawn(Hop {
                    index,
                    next: None,
                    done: None,
                })
                .unwrap()
        })
        .collect();
    let (done, finished) = oneshot::channel();
    let mut done = Some(done);
    let last = (n as usize) % members.len();
    for (i, member) in members.iter().enumerate() {
        let next = members[(i + 1) % members.len()].clone();
        let done = if i == last { done.take() } else { None };
        member.tell(HopMsg::Link(next, done)).await.unwrap();
    }
    members[0].tell(HopMsg::Token(n)).await.unwrap();
    finished.await.unwrap()
}

async fn ring_raw(n: u64) -> u64 {
    let actors = ring_actors();
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..actors)
        .map(|_| mpsc::unbounded_channel::<u64>())
        .unzip();
    let (done, finished) = oneshot::channel();
    let mut done = Some(done);
    let last = (n as usize) % actors;
    for (i, mut rx) in rxs.into_iter().enumerate() {
        let next = txs[(i + 1) % actors].clone();
        let done = if i == last { done.take() } else { None };
        tokio::spawn(async move {
            let mut done = done;
            while let Some(k) = rx.recv().await {
                if k == 0 {
                    if let Some(done) = done.take() {
                        let _ = done.send(i as u64);
                    }
                    break;
                }
                let _ = next.send(k - 1);
            }
        });
    }
    let _ = txs[0].send(n);
    drop(txs);
    finished.await.unwrap()
}

async fn ask_raw(n: u64) -> u64 {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(raw_summer(rx));
    let mut total = 0u64;
    for i in 0..n {
        tx.send(RawMsg::Add(i)).await.ok().unwrap();
        let (reply, answer) = oneshot::channel();
        tx.send(RawMsg::Get(reply)).await.ok().unwrap();
        total = total.wrapping_add(answer.await.unwrap());
    }
    total
}

async fn spawn_actor(n: u64) -> u64 {
    let system = ActorSystem::new();
    let refs: Vec<_> = (0..n).map(|i| system.spawn(Summer(i)).unwrap()).collect();
    for r in &refs {
        r.stop();
    }
    for r in &refs {
        r.wait_for_stop().await;
    }
    refs.len() as u64
}

async fn spawn_raw(n: u64) -> u64 {
    let mut senders = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (tx, rx) = mpsc::channel::<RawMsg>(64);
        senders.push(tx);
        tasks.push(tokio::spawn(raw_summer(rx)));
    }
    drop(senders);
    let mut count = 0;
    for t in tasks {
        t.await.unwrap();
        count += 1;
    }
    count
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).map(String::as_str).unwrap_or("tell-actor");
    let n: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let threads: usize = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let rt = if threads == 0 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
    .expect("runtime");
    let workload = workload.to_string();
    let start = std::time::Instant::now();
    let checksum = rt.block_on(async move {
        let task = async move {
            match workload.as_str() {
                "tell-actor" => tell_actor(n, MailboxConfig::Bounded(64)).await,
                "tell-actor-unbounded" => tell_actor(n, MailboxConfig::Unbounded).await,
                "tell-raw" => tell_raw(n, true).await,
                "tell-raw-unbounded" => tell_raw(n, false).await,
                "ask-actor" => ask_actor(n).await,
                "tell-macro" => tell_macro(n).await,
                "pool-actor" => benches::pool_actor(&ActorSystem::new(), n).await,
                "pool-raw" => benches::pool_raw(n).await,
                "pipeline-actor" => benches::pipeline_actor(&ActorSystem::new(), n).await,
                "pipeline-raw" => benches::pipeline_raw(n).await,
                "ask-macro" => ask_macro(n).await,
                "ask-nested" => ask_nested(n).await,
                "ring-actor" => ring_actor(n).await,
                "ring-raw" => ring_raw(n).await,
                "ask-raw" => ask_raw(n).await,
                "spawn-actor" => spawn_actor(n).await,
                "spawn-raw" => spawn_raw(n).await,
                other => panic!("unknown workload `{other}`"),
            }
        };
        tokio::spawn(task).await.unwrap()
    });
    eprintln!("elapsed {:?}", start.elapsed());
    println!("checksum {checksum}");
}
