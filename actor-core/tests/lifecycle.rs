//! Lifecycle: stop drains, kill drops, failures are caught, references.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actor_core::{
    Actor, ActorRef, ActorSystem, BoxError, Context, Phase, StopReason, WeakActorRef,
};
use support::{Counter, CounterMsg, within};
use tokio::sync::oneshot;

/// Counts drops, to prove each message was handled or dropped exactly once.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Records handled values and lifecycle events into a shared log.
struct Logger {
    log: Arc<Mutex<Vec<String>>>,
    fail_stopped: bool,
    panic_started: bool,
}

enum LogMsg {
    Value(u32, DropCount),
    Hold(oneshot::Sender<()>, oneshot::Receiver<()>),
}

impl Logger {
    fn new(log: &Arc<Mutex<Vec<String>>>) -> Self {
        Logger {
            log: log.clone(),
            fail_stopped: false,
            panic_started: false,
        }
    }
}

impl Actor for Logger {
    type Msg = LogMsg;

    async fn started(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if self.panic_started {
            panic!("cannot start");
        }
        self.log.lock().unwrap().push("started".into());
        Ok(())
    }

    async fn handle(&mut self, msg: LogMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            LogMsg::Value(n, _guard) => self.log.lock().unwrap().push(format!("value {n}")),
            LogMsg::Hold(started, gate) => {
                let _ = started.send(());
                let _ = gate.await;
            }
        }
        Ok(())
    }

    async fn stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        reason: &StopReason,
    ) -> Result<(), BoxError> {
        self.log.lock().unwrap().push(format!("stopped: {reason}"));
        if self.fail_stopped {
            return Err("cleanup failed".into());
        }
        Ok(())
    }
}

async fn hold(actor: &ActorRef<Logger>) -> oneshot::Sender<()> {
    let (started_tx, started) = oneshot::channel();
    let (open, gate) = oneshot::channel();
    actor.tell(LogMsg::Hold(started_tx, gate)).await.unwrap();
    within("hold", started).await.unwrap();
    open
}

#[tokio::test]
async fn stop_handles_queued_messages_first() {
    let system = ActorSystem::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let drops = Arc::new(AtomicUsize::new(0));
    let actor = system.spawn(Logger::new(&log)).unwrap();
    let open = hold(&actor).await;
    for i in 0..3 {
        actor
            .tell(LogMsg::Value(i, DropCount(drops.clone())))
            .await
            .unwrap();
    }
    actor.stop();
    assert!(
        actor
            .tell(LogMsg::Value(9, DropCount(drops.clone())))
            .await
            .is_err()
    );
    open.send(()).unwrap();
    assert_eq!(
        within("stop", actor.wait_for_stop()).await,
        StopReason::Normal
    );
    let log = log.lock().unwrap();
    let expected = [
        "started",
        "value 0",
        "value 1",
        "value 2",
        "stopped: stopped normally",
    ];
    assert_eq!(*log, expected);
    assert_eq!(drops.load(Ordering::SeqCst), 4, "3 handled + 1 handed back");
}

#[tokio::test]
async fn kill_drops_queued_messages_and_skips_stopped() {
    let system = ActorSystem::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let drops = Arc::new(AtomicUsize::new(0));
    let actor = system.spawn(Logger::new(&log)).unwrap();
    let _open = hold(&actor).await;
    for i in 0..3 {
        actor
            .tell(LogMsg::Value(i, DropCount(drops.clone())))
            .await
            .unwrap();
    }
    actor.kill();
    assert_eq!(
        within("kill", actor.wait_for_stop()).await,
        StopReason::Killed
    );
    assert_eq!(*log.lock().unwrap(), ["started"]);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        3,
        "every queued message dropped once"
    );
    assert!(!actor.is_alive());
    assert_eq!(system.live_actors(), 0);
}

#[tokio::test]
async fn a_panicking_handler_fails_the_actor_not_the_runtime() {
    let system = ActorSystem::new();
    let victim = system.spawn(Counter::default()).unwrap();
    let bystander = system.spawn(Counter::default()).unwrap();
    victim.tell(CounterMsg::Panic).await.unwrap();
    match within("failure", victim.wait_for_stop()).await {
        StopReason::Failed(failure) => {
            assert!(failure.panicked());
            assert_eq!(failure.phase(), Phase::Handle);
            assert_eq!(failure.message(), "counter was told to panic");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    bystander.tell(CounterMsg::Add(3)).await.unwrap();
    assert_eq!(
        within("ask", bystander.ask(CounterMsg::Get)).await.unwrap(),
        3
    );
}

#[tokio::test]
async fn an_err_from_a_handler_fails_the_actor_with_its_message() {
    let system = ActorSystem::new();
    let victim = system.spawn(Counter::default()).unwrap();
    victim
        .tell(CounterMsg::Fail("bad input".into()))
        .await
        .unwrap();
    match within("failure", victim.wait_for_stop()).await {
        StopReason::Failed(failure) => {
            assert!(!failure.panicked());
            assert_eq!(failure.message(), "bad input");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panic_in_started_fails_the_actor_and_stopped_still_runs() {
    let system = ActorSystem::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut logger = Logger::new(&log);
    logger.panic_started = true;
    let actor = system.spawn(logger).unwrap();
    match within("failure", actor.wait_for_stop()).await {
        StopReason::Failed(failure) => assert_eq!(failure.phase(), Phase::Started),
        other => panic!("expected a failure, got {other:?}"),
    }
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    assert!(
        log[0].starts_with("stopped: failed: panicked in `started`"),
        "{log:?}"
    );
}

#[tokio::test]
async fn an_err_in_stopped_turns_a_normal_stop_into_a_failure() {
    let system = ActorSystem::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut logger = Logger::new(&log);
    logger.fail_stopped = true;
    let actor = system.spawn(logger).unwrap();
    actor.stop();
    match within("stop", actor.wait_for_stop()).await {
        StopReason::Failed(failure) => assert_eq!(failure.phase(), Phase::Stopped),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn dropping_the_last_strong_ref_stops_the_actor_after_draining() {
    let system = ActorSystem::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let drops = Arc::new(AtomicUsize::new(0));
    let actor = system.spawn(Logger::new(&log)).unwrap();
    let weak: WeakActorRef<Logger> = actor.downgrade();
    let open = hold(&actor).await;
    actor
        .tell(LogMsg::Value(1, DropCount(drops.clone())))
        .await
        .unwrap();
    let id = actor.id();
    drop(actor);
    assert!(weak.upgrade().is_none(), "no strong ref remains");
    assert_eq!(weak.id(), id);
    open.send(()).unwrap();
    within("stop", async {
        while system.live_actors() > 0 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let log = log.lock().unwrap();
    assert_eq!(*log, ["started", "value 1", "stopped: stopped normally"]);
}

#[tokio::test]
async fn a_weak_ref_upgrades_while_a_strong_one_lives() {
    let system = ActorSystem::new();
    let actor = system.spawn(Counter::default()).unwrap();
    let weak = actor.downgrade();
    let again = weak.upgrade().expect("still referenced");
    again.tell(CounterMsg::Add(2)).await.unwrap();
    drop(again);
    assert!(actor.is_alive());
    assert_eq!(within("ask", actor.ask(CounterMsg::Get)).await.unwrap(), 2);
}

#[tokio::test]
async fn refs_compare_and_print_by_identity() {
    let system = ActorSystem::new();
    let a = system.spawn_named("alpha", Counter::default()).unwrap();
    let b = system.spawn(Counter::default()).unwrap();
    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    assert_eq!(a.name(), Some("alpha"));
    assert!(format!("{a:?}").contains("alpha"));
    assert_eq!(a.label().id(), a.id());
}

#[test]
fn public_types_are_send_sync_and_unpin() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<ActorRef<Counter>>();
    check::<WeakActorRef<Counter>>();
    check::<ActorSystem>();
    check::<actor_core::Reply<u64>>();
    check::<actor_core::error::AskError>();
    check::<StopReason>();
    check::<actor_core::TaskHandle>();
}
