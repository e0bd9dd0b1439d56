//! Supervision: restarts by policy and strategy, intensity, backoff, nesting,
//! dynamic children. Modelled on what Erlang's supervisor guarantees.

mod support;

use std::time::Duration;

use actor_core::error::AskError;
use actor_core::supervision::{Backoff, ChildSpec, Restart, Strategy, Supervisor};
use actor_core::{Actor, ActorRef, ActorSystem, Context, StopReason, handlers};
use support::within;
use tokio::sync::mpsc;

/// A child that reports its life to the test and fails on request.
#[derive(Actor, Debug)]
#[actor(mailbox = 16)]
struct Probe {
    name: &'static str,
    events: mpsc::UnboundedSender<String>,
    handled: u32,
}

#[handlers]
impl Probe {
    /// Panics: fails this incarnation.
    fn fail(&mut self) {
        panic!("{} told to fail", self.name);
    }

    /// Stops itself: a normal exit.
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    /// Counts the messages this incarnation handled.
    fn count(&mut self) -> u32 {
        self.handled += 1;
        self.handled
    }

    /// Panics while holding an ask.
    fn fail_ask(&mut self) -> u32 {
        panic!("{} failed an ask", self.name);
    }

    #[started]
    fn up(&mut self, _ctx: &mut Context<Self>) {
        let _ = self.events.send(format!("start {}", self.name));
    }

    #[stopped]
    fn down(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        let kind = match reason {
            StopReason::Failed(_) => "failed",
            StopReason::Normal => "normal",
            StopReason::Shutdown => "shutdown",
            _ => "other",
        };
        let _ = self.events.send(format!("stop {} {kind}", self.name));
    }
}

fn probe(name: &'static str, events: &mpsc::UnboundedSender<String>) -> ChildSpec {
    let events = events.clone();
    ChildSpec::new(name, move || Probe {
        name,
        events: events.clone(),
        handled: 0,
    })
    .backoff(Backoff::none())
}

use support::next_events as next;

async fn child(sup: &ActorRef<Supervisor>, name: &str) -> ActorRef<Probe> {
    within("child", sup.child::<Probe>(name))
        .await
        .unwrap()
        .expect("running")
}

#[tokio::test]
async fn a_restart_keeps_the_reference_and_the_queued_messages() {
    let system = ActorSystem::new();
    let (tx, mut events) = mpsc::unbounded_channel();
    let sup = Supervisor::builder()
        .child(probe("a", &tx))
        .spawn(&system)
        .unwrap();
    assert_eq!(next(&mut events, 1).await, ["start a"]);
    let a = child(&sup, "a").await;
    assert_eq!(within("count", a.count()).await.unwrap(), 1);
    // A failing ask, then asks queued behind it, sent before it is handled.
    let (failing, first, second) = tokio::join!(a.fail_ask(), a.count(), a.count());
    match failing.unwrap_err() {
        AskError::HandlerFailed { reason, .. } => assert!(reason.contains("failed an ask")),
        other => panic!("expected HandlerFailed, got {other:?}"),
    }
    // The new incarnation handled the queued messages: its count restarted.
    assert_eq!((first.unwrap(), second.unwrap()), (1, 2));
    assert_eq!(next(&mut events, 2).await, ["stop a failed", "start a"]);
    assert_eq!(child(&sup, "a").await, a, "the same reference");
    assert!(a.is_alive());
}

#[derive(Clone, Copy)]
enum Exit {
    /// The child stops itself.
    Normal,
    /// Stopped from outside: final for every policy.
    Shutdown,
    /// A handler panics.
    Failure,
}

async fn exits_then_restarts(restart: Restart, exit: Exit) -> bool {
    let system = ActorSystem::new();
    let (tx, mut events) = mpsc::unbounded_channel();
    let spec = probe("a", &tx).restart(restart);
    let sup = Supervisor::builder().child(spec).spawn(&system).unwrap();
    assert_eq!(next(&mut events, 1).await, ["start a"]);
    let a = child(&sup, "a").await;
    match exit {
        Exit::Failure => {
            a.fail().await.unwrap();
            assert_eq!(next(&mut events, 1).await, ["stop a failed"]);
        }
        Exit::Normal => {
            a.quit().await.unwrap();
            assert_eq!(next(&mut events, 1).await, ["stop a normal"]);
        }
        Exit::Shutdown => {
            a.stop();
            assert_eq!(next(&mut events, 1).await, ["stop a normal"]);
        }
    }
    // Exactly one of the two follows: a fresh incarnation starts, or the
    // child stops for good.
    let restarted = within("restart or stop", async {
        tokio::select! {
            event = events.recv() => {
                assert_eq!(event.as_deref(), Some("start a"));
                true
            }
            _ = a.wait_for_stop() => false,
        }
    })
    .await;
    if restarted {
        assert_eq!(within("count", a.count()).await.unwrap(), 1);
    }
    let children = within("children", sup.which_children()).await.unwrap();
    assert_eq!(children[0].actor.is_some(), restarted);
    restarted
}

#[tokio::test]
async fn restart_policies_after_normal_exit_shutdown_and_failure() {
    use Exit::{Failure, Normal, Shutdown};
    let matrix = [
        (
            Restart::Permanent,
            [(Normal, true), (Shutdown, false), (Failure, true)],
        ),
        (
            Restart::Transient,
            [(Normal, false), (Shutdown, false), (Failure, true)],
        ),
        (
            Restart::Temporary,
            [(Normal, false), (Shutdown, false), (Failure, false)],
        ),
    ];
    for (restart, cases) in matrix {
        for (exit, expected) in cases {
            assert_eq!(exits_then_restarts(restart, exit).await, expected);
        }
    }
}

/// A child whose hooks panic: in `started`, or in `stopped` after a
/// failure. Either way the incarnation fails and the child restarts.
#[derive(Actor)]
struct Brittle {
    events: mpsc::UnboundedSender<String>,
    starts: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

#[handlers]
impl Brittle {
    fn fail(&mut self) {
        panic!("handler fails");
    }

    fn ok(&mut self) -> bool {
        true
    }

    #[started]
    fn up(&mut self, _ctx: &mut Context<Self>) {
        let n = self
            .starts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _ = self.events.send(format!("start {n}"));
        assert!(n != 0, "the first start panics");
    }

    #[stopped]
    fn down(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        let _ = self.events.send(format!("stop {}", reason.is_failure()));
        panic!("stopped panics too");
    }
}

#[tokio::test]
async fn panics_in_started_and_stopped_fail_the_incarnation_and_it_restarts() {
    let system = ActorSystem::new();
    let (tx, mut events) = mpsc::unbounded_channel();
    let starts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let spec = ChildSpec::new("brittle", move || Brittle {
        events: tx.clone(),
        starts: starts.clone(),
    })
    .backoff(Backoff::none());
    let sup = Supervisor::builder().child(spec).spawn(&system).unwrap();
    // The first `started` panics; `stopped` runs (and panics); a restart.
    assert_eq!(
        next(&mut events, 3).await,
        ["start 0", "stop true", "start 1"]
    );
    let brittle = within("child", sup.child::<Brittle>("brittle"))
        .await
        .unwrap()
        .unwrap();
    assert!(within("ok", brittle.ok()).await.unwrap());
    brittle.fail().await.unwrap();
    assert_eq!(next(&mut events, 2).await, ["stop true", "start 2"]);
    assert!(within("ok", brittle.ok()).await.unwrap());
}

async fn strategy_events(strategy: Strategy) -> Vec<String> {
    let system = ActorSystem::new();
    let (tx, mut events) = mpsc::unbounded_channel();
    let sup = Supervisor::builder()
        .strategy(strategy)
        .child(probe("a", &tx))
        .child(probe("b", &tx))
        .child(probe("c", &tx))
        .spawn(&system)
        .unwrap();
    assert_eq!(
        next(&mut events, 3).await,
        ["start a", "start b", "start c"]
    );
    child(&sup, "b").await.fail().await.unwrap();
    let n = match strategy {
        Strategy::OneForOne => 2,
        Strategy::OneForAll => 6,
        Strategy::RestForOne => 4,
    };
    let seen = next(&mut events, n).await;
    // Nothing else happened: the next event is the marker.
    child(&sup, "a").await.quit().await.unwrap();
    assert_eq!(next(&mut events, 1).await, ["stop a normal"]);
    seen
}

#[tokio::test]
async fn one_for_one_restarts_only_the_failed_child() {
    assert_eq!(
        strategy_events(Strategy::OneForOne).await,
        ["stop b failed", "start b"]
    );
}

#[tokio::test]
async fn one_for_all_stops_the_others_in_reverse_then_starts_all_in_order() {
    assert_eq!(
        strategy_events(Strategy::OneForAll).await,
        [
            "stop b failed",
            "stop c shutdown",
            "stop a shutdown",
            "start a",
            "start b",
            "start c"
        ]
    );
}

#[tokio::test]
async fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    assert_eq!(
        strategy_events(Strategy::RestForOne).await,
        ["stop b failed", "stop c shutdown", "start b", "start c"]
    );
}

#[tokio::test]
async fn past_the_intensity_the_supervisor_stops_its_children_and_fails() {
    let system = ActorSystem::new();
    let (tx, mut events) = mpsc::unbounded_channel();
    let sup = Supervisor::builder()
        .intensity(2, Duration::from_secs(60))
        .child(probe("a", &tx))
        .child(probe("b", &tx))
        .spawn(&system)
        .unwrap();
    assert_eq!(next(&mut events, 2).await, ["start a", "start b"]);
    let b = child(&sup, "b").await;
    for _ in 0..2 {
        b.fail().await.unwrap();
        assert_eq!(next(&mut events, 2).await, ["stop b failed", "start b"]);
    }
    b.fail().await.unwrap();
    // The third failure is past the intensity: `b` stays down, and the
    // supervisor stops its remaining child as it fails.
    assert_eq!(
        next(&mut events, 2).await,
        ["stop b failed", "stop a shutdown"]
    );
    match within("supervisor", sup.wait_for_stop()).await {
        StopReason::RestartLimit(failure) => {
            assert!(failure.message().contains("restart intensity"), "{failure}");
        }
        other => panic!("expected RestartLimit, got {other:?}"),
    }
    assert_eq!(system.live_actors(), 0);
}
