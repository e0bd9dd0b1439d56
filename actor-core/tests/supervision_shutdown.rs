//! Supervision: backoff, nesting and escalation, shutdown policies, dynamic
//! children, kills, and starts that keep failing.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actor_core::supervision::{Backoff, ChildSpec, Restart, Shutdown, Supervisor};
use actor_core::{Actor, ActorRef, ActorSystem, BoxError, Context, StopReason, handlers};
use support::within;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A child that reports its life, and can be made slow to stop or to start.
#[derive(Actor)]
struct Worker {
    name: &'static str,
    events: mpsc::UnboundedSender<String>,
    /// `stopped` never returns: only a kill ends it.
    stuck_on_stop: bool,
    /// `started` fails.
    fail_start: Arc<AtomicBool>,
}

#[handlers]
impl Worker {
    fn fail(&mut self) {
        panic!("{} told to fail", self.name);
    }

    fn echo(&mut self, n: u32) -> u32 {
        n
    }

    #[started]
    fn up(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let _ = self.events.send(format!("start {}", self.name));
        if self.fail_start.load(Ordering::SeqCst) {
            return Err(format!("{} cannot start", self.name).into());
        }
        Ok(())
    }

    #[stopped]
    async fn down(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        let _ = self
            .events
            .send(format!("stop {} {}", self.name, short(reason)));
        if self.stuck_on_stop {
            std::future::pending::<()>().await;
        }
    }
}

fn short(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::Normal => "normal",
        StopReason::Shutdown => "shutdown",
        StopReason::Killed => "killed",
        StopReason::Failed(_) => "failed",
        StopReason::RestartLimit(_) => "limit",
        _ => "other",
    }
}

struct Setup {
    events: mpsc::UnboundedSender<String>,
    fail_start: Arc<AtomicBool>,
}

impl Setup {
    fn new() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (events, rx) = mpsc::unbounded_channel();
        let setup = Setup {
            events,
            fail_start: Arc::new(AtomicBool::new(false)),
        };
        (setup, rx)
    }

    fn spec(&self, name: &'static str, stuck_on_stop: bool) -> ChildSpec {
        let (events, fail_start) = (self.events.clone(), self.fail_start.clone());
        ChildSpec::new(name, move || Worker {
            name,
            events: events.clone(),
            stuck_on_stop,
            fail_start: fail_start.clone(),
        })
        .backoff(Backoff::none())
    }
}

use support::next_events as next;

async fn worker(sup: &ActorRef<Supervisor>, name: &str) -> ActorRef<Worker> {
    within("child", sup.child::<Worker>(name))
        .await
        .unwrap()
        .expect("running")
}

#[tokio::test(start_paused = true)]
async fn restarts_back_off_exponentially() {
    let system = ActorSystem::new();
    let (setup, mut events) = Setup::new();
    let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 0.0);
    let sup = Supervisor::builder()
        .intensity(10, Duration::from_secs(60))
        .child(setup.spec("a", false).backoff(backoff))
        .spawn(&system)
        .unwrap();
    assert_eq!(next(&mut events, 1).await, ["start a"]);
    let a = worker(&sup, "a").await;
    let mut delays = Vec::new();
    for _ in 0..4 {
        a.fail().await.unwrap();
        assert_eq!(next(&mut events, 1).await, ["stop a failed"]);
        let failed_at = Instant::now();
        assert_eq!(next(&mut events, 1).await, ["start a"]);
        delays.push(failed_at.elapsed().as_millis());
    }
    assert_eq!(delays, [100, 200, 400, 800]);
}

#[tokio::test]
async fn a_child_supervisor_past_its_intensity_is_restarted_by_its_parent() {
    let system = ActorSystem::new();
    let (setup, mut events) = Setup::new();
    let inner = Supervisor::builder()
        .intensity(1, Duration::from_secs(60))
        .child(setup.spec("leaf", false));
    let outer = Supervisor::builder()
        .intensity(5, Duration::from_secs(60))
        .child(setup.spec("first", false))
        .child(ChildSpec::supervisor("inner", inner))
        .spawn(&system)
        .unwrap();
    assert_eq!(next(&mut events, 2).await, ["start first", "start leaf"]);
    let inner_ref = within("inner", outer.child::<Supervisor>("inner"))
        .await
        .unwrap();
    let inner_ref = inner_ref.expect("running");
    let leaf = worker(&inner_ref, "leaf").await;
    leaf.fail().await.unwrap();
    assert_eq!(
        next(&mut events, 2).await,
        ["stop leaf failed", "start leaf"]
    );
    leaf.fail().await.unwrap();
    // Past its intensity, the inner supervisor gives up (its leaf stays down);
    // the outer one restarts it, and it starts a fresh leaf.
    assert_eq!(
        next(&mut events, 2).await,
        ["stop leaf failed", "start leaf"]
    );
    let again = within("inner", outer.child::<Supervisor>("inner"))
        .await
        .unwrap();
    assert_eq!(again.as_ref(), Some(&inner_ref), "the same inner reference");
    let fresh_leaf = worker(&inner_ref, "leaf").await;
    assert_ne!(
        fresh_leaf.id(),
        leaf.id(),
        "the leaf was spawned afresh by the new inner"
    );
    assert_eq!(within("echo", fresh_leaf.echo(7)).await.unwrap(), 7);
    let first = worker(&outer, "first").await;
    assert!(first.is_alive(), "one-for-one: the sibling was left alone");
}

#[tokio::test]
async fn a_start_that_keeps_failing_stops_the_started_children_in_reverse() {
    let system = ActorSystem::new();
    let (setup, mut events) = Setup::new();
    let flaky = {
        let events = setup.events.clone();
        ChildSpec::new("b", move || Worker {
            name: "b",
            events: events.clone(),
            stuck_on_stop: false,
            fail_start: Arc::new(AtomicBool::new(true)),
        })
        .backoff(Backoff::none())
    };
    let sup = Supervisor::builder()
        .intensity(2, Duration::from_secs(60))
        .child(setup.spec("a", false))
        .child(flaky)
        .child(setup.spec("c", false))
        .spawn(&system)
        .unwrap();
    let reason = within("supervisor", sup.wait_for_stop()).await;
    assert!(matches!(reason, StopReason::RestartLimit(_)), "{reason:?}");
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    // `b` failed in `started` three times (its `stopped` runs each time);
    // then the supervisor stopped `c` and `a`, in reverse start order.
    let stops: Vec<&String> = seen.iter().filter(|e| e.ends_with("shutdown")).collect();
    assert_eq!(stops, ["stop c shutdown", "stop a shutdown"]);
    assert_eq!(seen.iter().filter(|e| *e == "start b").count(), 3);
    assert_eq!(system.live_actors(), 0);
}

async fn stop_with(shutdown: Shutdown, stuck: bool) -> (StopReason, Vec<String>) {
    let system = ActorSystem::new();
    let (setup, mut events) = Setup::new();
    let sup = Supervisor::builder()
        .child(setup.spec("a", stuck).shutdown(shutdown))
        .spawn(&system)
        .unwrap();
    assert_eq!(next(&mut events, 1).await, ["start a"]);
    let a = worker(&sup, "a").await;
    sup.stop();
    within("supervisor", sup.wait_for_stop()).await;
    let reason = a.wait_for_stop().await;
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    (reason, seen)
}

#[tokio::test(start_paused = true)]
async fn shutdown_policies_stop_children_gracefully_or_by_force() {
    let (reason, seen) = stop_with(Shutdown::Graceful(Duration::from_secs(1)), false).await;
    assert_eq!(
        (reason, seen),
        (StopReason::Shutdown, vec!["stop a shutdown".into()])
    );

    let (reason, seen) = stop_with(Shutdown::Graceful(Duration::from_secs(1)), true).await;
    assert_eq!(reason, StopReason::Killed, "stuck past the grace: killed");
    assert_eq!(seen, ["stop a shutdown"]);

    let (reason, seen) = stop_with(Shutdown::Abort, false).await;
    assert_eq!(reason, StopReason::Killed);
    assert!(seen.is_empty(), "an aborted child runs no hook: {seen:?}");

    let (reason, _) = stop_with(Shutdown::Wait, false).await;
    assert_eq!(reason, StopReason::Shutdown);
}

#[tokio::test]
async fn children_can_be_added_and_removed_at_run_time() {
    let system = ActorSystem::new();
    let (setup, mut events) = Setup::new();
    let sup = Supervisor::builder().spawn_named(&system, "pool").unwrap();
    assert_eq!(system.lookup::<Supervisor>("pool").unwrap(), sup);
    for name in ["w1", "w2"] {
        within("start", sup.start_child(setup.spec(name, false)))
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(next(&mut events, 2).await, ["start w1", "start w2"]);
    let taken = within("start", sup.start_child(setup.spec("w1", false)))
        .await
        .unwrap();
    assert!(taken.is_err(), "a duplicate name is refused");
    let names: Vec<String> = within("which", sup.which_children())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["w1", "w2"]);
    let w1 = worker(&sup, "w1").await;
    assert!(
        within("terminate", sup.terminate_child("w1"))
            .await
            .unwrap()
    );
    assert_eq!(next(&mut events, 1).await, ["stop w1 shutdown"]);
    assert!(!w1.is_alive());
    assert!(
        !within("terminate", sup.terminate_child("w1"))
            .await
            .unwrap()
    );
    // The remaining child is still supervised: it restarts after a failure.
    let w2 = worker(&sup, "w2").await;
    w2.fail().await.unwrap();
    assert_eq!(next(&mut events, 2).await, ["stop w2 failed", "start w2"]);
}

#[tokio::test]
async fn a_killed_permanent_child_is_spawned_afresh_and_a_temporary_one_is_not() {
    let system = ActorSystem::new();
    let (setup, mut events) = Setup::new();
    let sup = Supervisor::builder()
        .child(setup.spec("p", false))
        .child(setup.spec("t", false).restart(Restart::Temporary))
        .spawn(&system)
        .unwrap();
    assert_eq!(next(&mut events, 2).await, ["start p", "start t"]);
    let p = worker(&sup, "p").await;
    p.kill();
    within("kill", p.wait_for_stop()).await;
    assert_eq!(next(&mut events, 1).await, ["start p"]);
    let fresh = worker(&sup, "p").await;
    assert_ne!(
        fresh.id(),
        p.id(),
        "a kill takes the mailbox: new references"
    );
    let t = worker(&sup, "t").await;
    t.kill();
    within("kill", t.wait_for_stop()).await;
    let children = within("which", sup.which_children()).await.unwrap();
    assert!(
        children[1].actor.is_none(),
        "a killed temporary child stays down"
    );
}
