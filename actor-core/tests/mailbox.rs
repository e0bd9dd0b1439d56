//! Mailboxes: capacity, backpressure, closed sends, ordering, control lane.

mod support;

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use actor_core::error::{ConfigError, SpawnError, TrySendError};
use actor_core::{Actor, ActorSystem, BoxError, Context, MailboxConfig, SpawnOptions, Terminated};
use support::{Counter, CounterMsg, within};
use tokio::sync::oneshot;

fn bounded(n: usize) -> SpawnOptions {
    SpawnOptions::new().mailbox(MailboxConfig::Bounded(n))
}

/// Spawns a counter of capacity `n` whose handler is parked on a gate, with
/// the mailbox empty behind it. Returns the ref and the gate's key.
async fn parked_counter(
    system: &ActorSystem,
    n: usize,
) -> (actor_core::ActorRef<Counter>, oneshot::Sender<()>) {
    let counter = system.spawn_with(Counter::default(), bounded(n)).unwrap();
    let open = support::hold(&counter).await;
    (counter, open)
}

/// Polls `fut` once and reports whether it is still pending.
async fn is_pending<F: Future>(fut: std::pin::Pin<&mut F>) -> bool {
    let mut fut = fut;
    std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_pending())).await
}

#[tokio::test]
async fn try_tell_on_a_full_mailbox_hands_the_message_back() {
    let system = ActorSystem::new();
    let (counter, _open) = parked_counter(&system, 2).await;
    counter.try_tell(CounterMsg::Add(1)).unwrap();
    counter.try_tell(CounterMsg::Add(2)).unwrap();
    match counter.try_tell(CounterMsg::Add(3)) {
        Err(TrySendError::Full(CounterMsg::Add(3))) => {}
        other => panic!("expected Full(Add(3)), got {:?}", other.map(|_| ())),
    }
    assert_eq!(counter.mailbox_stats().len, 2);
    assert_eq!(counter.mailbox_stats().capacity, Some(2));
}

#[tokio::test]
async fn tell_waits_for_room_then_delivers() {
    let system = ActorSystem::new();
    let (counter, open) = parked_counter(&system, 1).await;
    counter.try_tell(CounterMsg::Add(1)).unwrap();
    let mut waiting = pin!(counter.tell(CounterMsg::Add(10)));
    assert!(
        is_pending(waiting.as_mut()).await,
        "tell must wait while full"
    );
    open.send(()).unwrap();
    within("room", waiting).await.unwrap();
    assert_eq!(
        within("ask", counter.ask(CounterMsg::Get)).await.unwrap(),
        11
    );
}

#[tokio::test]
async fn tell_to_a_stopped_actor_hands_the_message_back() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    counter.stop();
    within("stop", counter.wait_for_stop()).await;
    let err = counter.tell(CounterMsg::Add(5)).await.unwrap_err();
    assert!(matches!(err.into_inner(), CounterMsg::Add(5)));
    match counter.try_tell(CounterMsg::Add(6)) {
        Err(TrySendError::Closed(CounterMsg::Add(6))) => {}
        other => panic!("expected Closed(Add(6)), got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn a_waiting_tell_gets_its_message_back_when_the_actor_stops() {
    let system = ActorSystem::new();
    let (counter, _open) = parked_counter(&system, 1).await;
    counter.try_tell(CounterMsg::Add(1)).unwrap();
    let mut waiting = pin!(counter.tell(CounterMsg::Add(2)));
    assert!(is_pending(waiting.as_mut()).await);
    counter.stop();
    let err = within("closed", waiting).await.unwrap_err();
    assert!(matches!(err.into_inner(), CounterMsg::Add(2)));
}

#[derive(Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
}

enum RecMsg {
    Item(u32),
    Gate(oneshot::Receiver<()>, oneshot::Sender<()>),
    Done(actor_core::Reply<()>),
}

impl Recorder {
    async fn record(&mut self, msg: RecMsg) {
        match msg {
            RecMsg::Item(n) => self.seen.lock().unwrap().push(format!("item {n}")),
            RecMsg::Gate(gate, started) => {
                let _ = started.send(());
                let _ = gate.await;
            }
            RecMsg::Done(reply) => reply.send(()),
        }
    }
}

impl Actor for Recorder {
    type Msg = RecMsg;

    async fn handle(&mut self, msg: RecMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.record(msg).await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_from_one_sender_are_handled_in_send_order() {
    let system = ActorSystem::new();
    let recorder = Recorder::default();
    let seen = recorder.seen.clone();
    let r = system.spawn_with(recorder, bounded(8)).unwrap();
    for i in 0..10_000 {
        r.tell(RecMsg::Item(i)).await.unwrap();
    }
    within("done", r.ask(RecMsg::Done)).await.unwrap();
    let seen = seen.lock().unwrap();
    let expected: Vec<String> = (0..10_000).map(|i| format!("item {i}")).collect();
    assert_eq!(*seen, expected);
}

/// A recorder that watches `target` from its `started` hook.
struct WatchingRecorder {
    inner: Recorder,
    target: actor_core::ActorRef<Counter>,
}

impl Actor for WatchingRecorder {
    type Msg = RecMsg;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.watch(&self.target);
        Ok(())
    }

    async fn handle(&mut self, msg: RecMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.inner.record(msg).await;
        Ok(())
    }

    async fn on_terminated(
        &mut self,
        _ctx: &mut Context<Self>,
        notice: Terminated,
    ) -> Result<(), BoxError> {
        let line = format!("terminated: {}", notice.reason);
        self.inner.seen.lock().unwrap().push(line);
        Ok(())
    }
}

#[tokio::test]
async fn watch_notices_overtake_queued_messages() {
    let system = ActorSystem::new();
    let watched = system.spawn(Counter::default()).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let watching = WatchingRecorder {
        inner: Recorder { seen: seen.clone() },
        target: watched.clone(),
    };
    let w = system.spawn_with(watching, bounded(16)).unwrap();
    let (open, gate) = oneshot::channel();
    let (started_tx, started) = oneshot::channel();
    w.tell(RecMsg::Gate(gate, started_tx)).await.unwrap();
    within("gate", started).await.unwrap();
    for i in 0..3 {
        w.tell(RecMsg::Item(i)).await.unwrap();
    }
    watched.stop();
    within("watched stop", watched.wait_for_stop()).await;
    open.send(()).unwrap();
    within("done", w.ask(RecMsg::Done)).await.unwrap();
    let seen = seen.lock().unwrap();
    let expected = ["terminated: stopped normally", "item 0", "item 1", "item 2"];
    assert_eq!(*seen, expected);
}

#[tokio::test]
async fn unbounded_mailbox_never_reports_full() {
    let system = ActorSystem::new();
    let options = SpawnOptions::new().mailbox(MailboxConfig::Unbounded);
    let counter = system.spawn_with(Counter::default(), options).unwrap();
    let (_open, gate) = oneshot::channel();
    counter.try_tell(CounterMsg::Gate(gate)).unwrap();
    for _ in 0..100_000 {
        counter.try_tell(CounterMsg::Add(1)).unwrap();
    }
    assert_eq!(counter.mailbox_stats().capacity, None);
}

#[tokio::test]
async fn the_peak_queue_length_outlives_the_batch_that_drained_it() {
    let system = ActorSystem::new();
    let (counter, open) = parked_counter(&system, 8).await;
    for n in 0..5 {
        counter.try_tell(CounterMsg::Add(n)).unwrap();
    }
    assert_eq!(counter.mailbox_stats().peak_len, 5, "counted while queued");
    open.send(()).unwrap();
    // The ask queues behind the five before the actor takes them.
    let total = within("the total", counter.ask(CounterMsg::Get)).await;
    assert_eq!(total.unwrap(), 10);
    let stats = counter.mailbox_stats();
    assert_eq!((stats.len, stats.peak_len), (0, 6), "kept once drained");
}

#[tokio::test]
async fn zero_capacity_is_rejected_at_spawn() {
    let system = ActorSystem::new();
    let err = system
        .spawn_with(Counter::default(), bounded(0))
        .unwrap_err();
    assert_eq!(err, SpawnError::Config(ConfigError::ZeroCapacity));
    assert_eq!(system.live_actors(), 0);
}

#[tokio::test]
async fn an_actor_types_mailbox_applies_unless_overridden() {
    struct Tiny;
    impl Actor for Tiny {
        type Msg = ();
        const MAILBOX: Option<MailboxConfig> = Some(MailboxConfig::Bounded(3));
        async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), BoxError> {
            Ok(())
        }
    }
    let system = ActorSystem::new();
    let tiny = system.spawn(Tiny).unwrap();
    assert_eq!(tiny.mailbox_stats().capacity, Some(3));
    let other = system.spawn_with(Tiny, bounded(9)).unwrap();
    assert_eq!(other.mailbox_stats().capacity, Some(9));
    let plain = system.spawn(Counter::default()).unwrap();
    assert_eq!(plain.mailbox_stats().capacity, Some(64));
}

/// Watches an actor, and holds a handler open on a gate until told.
struct GatedWatcher {
    entered: Option<oneshot::Sender<()>>,
    noticed: Option<oneshot::Sender<()>>,
}

enum GatedWatcherMsg {
    Watch(actor_core::ActorRef<Counter>),
    Gate(oneshot::Receiver<()>),
}

impl Actor for GatedWatcher {
    type Msg = GatedWatcherMsg;

    async fn handle(&mut self, msg: Self::Msg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            GatedWatcherMsg::Watch(other) => ctx.watch(&other),
            GatedWatcherMsg::Gate(gate) => {
                if let Some(entered) = self.entered.take() {
                    let _ = entered.send(());
                }
                let _ = gate.await;
            }
        }
        Ok(())
    }

    async fn on_terminated(
        &mut self,
        _: &mut Context<Self>,
        _: Terminated,
    ) -> Result<(), BoxError> {
        if let Some(noticed) = self.noticed.take() {
            let _ = noticed.send(());
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_wake_up_spent_while_a_handler_waits_still_lets_the_actor_stop() {
    // The notice wakes the actor while its handler waits on the gate, so
    // that wake-up is spent on polling the handler. When the handler and
    // the notice are done, the actor must still be woken by a later stop.
    let system = ActorSystem::new();
    let (entered, has_entered) = oneshot::channel();
    let (noticed, has_noticed) = oneshot::channel();
    let watcher = system
        .spawn(GatedWatcher {
            entered: Some(entered),
            noticed: Some(noticed),
        })
        .unwrap();
    let watched = system.spawn(Counter::default()).unwrap();
    watcher
        .tell(GatedWatcherMsg::Watch(watched.clone()))
        .await
        .unwrap();
    let (open, gate) = oneshot::channel();
    watcher.tell(GatedWatcherMsg::Gate(gate)).await.unwrap();
    within("the gate handler", has_entered).await.unwrap();
    watched.stop();
    within("the watched actor", watched.wait_for_stop()).await;
    open.send(()).unwrap();
    within("the notice", has_noticed).await.unwrap();
    watcher.stop();
    within("the watcher to stop", watcher.wait_for_stop()).await;
}

#[test]
fn a_runtime_dropped_while_actors_wake_each_other_shuts_down() {
    // Senders wake a sleeping receiver under its mailbox lock; a runtime
    // torn down mid-flight must still finish, not deadlock on that lock.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        support::ring::drop_a_runtime_with_a_busy_ring(|_| bounded(4));
        let _ = done.send(());
    });
    finished
        .recv_timeout(support::BOUND * 3)
        .expect("the runtime's shutdown finished");
}
