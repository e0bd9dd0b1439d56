//! Deadlock safety: tell cycles through full bounded mailboxes complete
//! without loss or reordering; ask cycles fail at once naming the cycle.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actor_core::error::AskError;
use actor_core::{
    Actor, ActorRef, ActorSystem, BoxError, Context, MailboxConfig, Reply, SpawnOptions,
};
use support::within;
use tokio::sync::oneshot;

const MESSAGES: u64 = 100_000;

/// Tells `count` numbered messages to its peer when started by `Go`, and
/// checks that what it receives arrives complete and in order.
struct Flooder {
    peer: Option<ActorRef<Flooder>>,
    expected_next: u64,
    done: Option<oneshot::Sender<u64>>,
}

enum FloodMsg {
    Peer(ActorRef<Flooder>),
    Go(u64),
    Seq(u64),
}

impl Actor for Flooder {
    type Msg = FloodMsg;

    async fn handle(&mut self, msg: FloodMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            FloodMsg::Peer(peer) => self.peer = Some(peer),
            FloodMsg::Go(count) => {
                let peer = self.peer.as_ref().ok_or("no peer")?;
                for seq in 0..count {
                    peer.tell(FloodMsg::Seq(seq))
                        .await
                        .map_err(|_| "peer stopped")?;
                }
            }
            FloodMsg::Seq(seq) => {
                if seq != self.expected_next {
                    return Err(format!("expected {} got {seq}", self.expected_next).into());
                }
                self.expected_next += 1;
                if self.expected_next == MESSAGES
                    && let Some(done) = self.done.take()
                {
                    let _ = done.send(seq);
                }
            }
        }
        Ok(())
    }
}

fn flooder(system: &ActorSystem) -> (ActorRef<Flooder>, oneshot::Receiver<u64>) {
    let (done, rx) = oneshot::channel();
    let actor = Flooder {
        peer: None,
        expected_next: 0,
        done: Some(done),
    };
    let options = SpawnOptions::new().mailbox(MailboxConfig::Bounded(4));
    (system.spawn_with(actor, options).unwrap(), rx)
}

async fn flood_ring(size: usize) {
    let system = ActorSystem::new();
    let (refs, dones): (Vec<_>, Vec<_>) = (0..size).map(|_| flooder(&system)).unzip();
    for (i, r) in refs.iter().enumerate() {
        let next = refs[(i + 1) % size].clone();
        r.tell(FloodMsg::Peer(next)).await.unwrap();
    }
    for r in &refs {
        r.tell(FloodMsg::Go(MESSAGES)).await.unwrap();
    }
    for done in dones {
        let last = within("every message to arrive", done).await.unwrap();
        assert_eq!(last, MESSAGES - 1);
    }
    let overflowed: u64 = refs.iter().map(|r| r.mailbox_stats().overflowed).sum();
    assert!(
        overflowed > 0,
        "the cycle must have been broken by admission"
    );
    for r in &refs {
        assert!(r.is_alive(), "no flooder may fail");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_actors_flooding_each_other_through_capacity_4_complete() {
    flood_ring(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ring_of_three_flooding_through_capacity_4_completes() {
    flood_ring(3).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_ring_completes_on_a_single_thread_too() {
    flood_ring(2).await;
}

// ===== fan-in stays bounded =====

struct Slow {
    handled: Arc<AtomicU64>,
}

impl Actor for Slow {
    type Msg = u64;

    async fn handle(&mut self, _msg: u64, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        tokio::task::yield_now().await;
        self.handled.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

struct Producer {
    sink: ActorRef<Slow>,
}

impl Actor for Producer {
    type Msg = (u64, Reply<()>);

    async fn handle(
        &mut self,
        (count, done): Self::Msg,
        _: &mut Context<Self>,
    ) -> Result<(), BoxError> {
        for i in 0..count {
            self.sink.tell(i).await.map_err(|_| "sink stopped")?;
        }
        done.send(());
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_in_to_a_slow_consumer_stays_within_capacity() {
    const PRODUCERS: u64 = 8;
    const EACH: u64 = 10_000;
    let system = ActorSystem::new();
    let handled = Arc::new(AtomicU64::new(0));
    let options = SpawnOptions::new().mailbox(MailboxConfig::Bounded(4));
    let sink = system
        .spawn_with(
            Slow {
                handled: handled.clone(),
            },
            options,
        )
        .unwrap();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|_| system.spawn(Producer { sink: sink.clone() }).unwrap())
        .collect();
    let runs: Vec<_> = producers
        .iter()
        .map(|p| {
            let p = p.clone();
            tokio::spawn(async move { p.ask_timeout(|done| (EACH, done), support::BOUND).await })
        })
        .collect();
    for run in runs {
        within("producer", run).await.unwrap().unwrap();
    }
    sink.stop();
    within("sink drained", sink.wait_for_stop()).await;
    assert_eq!(handled.load(Ordering::Relaxed), PRODUCERS * EACH);
    let stats = sink.mailbox_stats();
    assert_eq!(
        stats.overflowed, 0,
        "no cycle, so nothing may pass capacity"
    );
    assert!(
        stats.peak_len <= 4,
        "peak {} exceeds capacity",
        stats.peak_len
    );
}

// ===== ask cycles =====

/// Forwards an ask to the next actor in a chain; the last asks the first.
struct Asker {
    next: Option<ActorRef<Asker>>,
}

enum AskMsg {
    Next(ActorRef<Asker>),
    /// Ask the next one (or oneself when alone) and report what happened.
    Relay(Reply<Result<String, AskError>>),
}

impl Actor for Asker {
    type Msg = AskMsg;

    async fn handle(&mut self, msg: AskMsg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            AskMsg::Next(next) => self.next = Some(next),
            AskMsg::Relay(reply) => {
                let next = self.next.clone().unwrap_or_else(|| ctx.actor_ref());
                let answer = match next.ask(AskMsg::Relay).await {
                    Ok(inner) => inner,
                    Err(err) => Err(err),
                };
                reply.send(answer);
            }
        }
        Ok(())
    }
}

fn cycle_names(err: &AskError) -> Vec<String> {
    match err {
        AskError::Cycle { cycle } => cycle
            .iter()
            .map(|l| l.name().unwrap_or("?").to_string())
            .collect(),
        other => panic!("expected a cycle error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_ask_to_oneself_fails_at_once_naming_the_actor() {
    let system = ActorSystem::new();
    let a = system.spawn_named("a", Asker { next: None }).unwrap();
    let err = within("ask", a.ask(AskMsg::Relay))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(cycle_names(&err), ["a"]);
    assert!(err.to_string().contains("`a`"), "{err}");
}

async fn chain(names: &[&str]) -> AskError {
    let system = ActorSystem::new();
    let refs: Vec<_> = names
        .iter()
        .map(|n| system.spawn_named(*n, Asker { next: None }).unwrap())
        .collect();
    for (i, r) in refs.iter().enumerate() {
        r.tell(AskMsg::Next(refs[(i + 1) % refs.len()].clone()))
            .await
            .unwrap();
    }
    within("ask", refs[0].ask(AskMsg::Relay))
        .await
        .unwrap()
        .unwrap_err()
}

#[tokio::test]
async fn a_two_actor_ask_cycle_fails_at_once_naming_both() {
    let err = chain(&["a", "b"]).await;
    assert_eq!(cycle_names(&err), ["b", "a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_actor_ask_cycle_fails_at_once_naming_all() {
    let err = chain(&["a", "b", "c"]).await;
    assert_eq!(cycle_names(&err), ["c", "a", "b"]);
    let text = err.to_string();
    assert!(
        text.contains("`c`") && text.contains("`a`") && text.contains("`b`"),
        "{text}"
    );
}

#[tokio::test]
async fn asks_without_a_cycle_are_not_flagged() {
    let system = ActorSystem::new();
    let last = system
        .spawn_named("last", support::Counter::default())
        .unwrap();
    struct Middle(ActorRef<support::Counter>);
    impl Actor for Middle {
        type Msg = Reply<u64>;
        async fn handle(
            &mut self,
            reply: Reply<u64>,
            _: &mut Context<Self>,
        ) -> Result<(), BoxError> {
            reply.send(self.0.ask(support::CounterMsg::Get).await?);
            Ok(())
        }
    }
    let middle = system.spawn(Middle(last)).unwrap();
    assert_eq!(within("ask", middle.ask(|r| r)).await.unwrap(), 0);
}
