//! The system: registry, live count, configuration, shutdown.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core::error::{ConfigError, LookupError, SpawnError};
use actor_core::{Actor, ActorSystem, BoxError, Context, MailboxConfig, StopReason};
use support::{Counter, CounterMsg, within};

#[tokio::test]
async fn a_duplicate_name_is_refused_until_the_holder_stops() {
    let system = ActorSystem::new();
    let first = system.spawn_named("svc", Counter::default()).unwrap();
    let err = system.spawn_named("svc", Counter::default()).unwrap_err();
    assert_eq!(err, SpawnError::NameTaken("svc".into()));
    assert!(err.to_string().contains("`svc`"), "{err}");
    assert_eq!(system.live_actors(), 1, "the refused actor never ran");
    first.stop();
    within("stop", first.wait_for_stop()).await;
    assert_eq!(system.registered_actors(), 0);
    let second = system.spawn_named("svc", Counter::default()).unwrap();
    assert_ne!(second.id(), first.id());
}

#[tokio::test]
async fn lookup_is_typed_and_says_what_went_wrong() {
    struct Other;
    impl Actor for Other {
        type Msg = ();
        async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), BoxError> {
            Ok(())
        }
    }
    let system = ActorSystem::new();
    let counter = system.spawn_named("counter", Counter::default()).unwrap();
    let found = system.lookup::<Counter>("counter").unwrap();
    assert_eq!(found, counter);
    match system.lookup::<Other>("counter") {
        Err(LookupError::WrongType {
            expected, actual, ..
        }) => {
            assert!(expected.ends_with("Other"), "{expected}");
            assert!(actual.ends_with("Counter"), "{actual}");
        }
        other => panic!("expected WrongType, got {other:?}"),
    }
    assert_eq!(
        system.lookup::<Counter>("nobody").unwrap_err(),
        LookupError::NotFound("nobody".into())
    );
}

#[tokio::test]
async fn a_registered_actor_outlives_its_spawner_s_ref() {
    let system = ActorSystem::new();
    drop(system.spawn_named("kept", Counter::default()).unwrap());
    let kept = system.lookup::<Counter>("kept").unwrap();
    kept.tell(CounterMsg::Add(1)).await.unwrap();
    assert_eq!(within("ask", kept.ask(CounterMsg::Get)).await.unwrap(), 1);
}

#[tokio::test]
async fn a_stopped_actor_leaves_the_registry() {
    let system = ActorSystem::new();
    let a = system.spawn_named("gone", Counter::default()).unwrap();
    a.tell(CounterMsg::Panic).await.unwrap();
    within("stop", a.wait_for_stop()).await;
    assert!(matches!(
        system.lookup::<Counter>("gone"),
        Err(LookupError::NotFound(_))
    ));
}

#[tokio::test]
async fn live_actors_counts_up_and_down() {
    let system = ActorSystem::new();
    let refs: Vec<_> = (0..10)
        .map(|_| system.spawn(Counter::default()).unwrap())
        .collect();
    assert_eq!(system.live_actors(), 10);
    for r in &refs[..4] {
        r.stop();
        within("stop", r.wait_for_stop()).await;
    }
    assert_eq!(system.live_actors(), 6);
}

struct Recorded {
    name: &'static str,
    order: Arc<Mutex<Vec<&'static str>>>,
    children: Vec<&'static str>,
}

impl Actor for Recorded {
    type Msg = ();

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        for name in std::mem::take(&mut self.children) {
            let child = Recorded {
                name,
                order: self.order.clone(),
                children: Vec::new(),
            };
            // The parent's context keeps the child linked; the ref may go.
            let _ = ctx.spawn_linked(child)?;
        }
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), BoxError> {
        Ok(())
    }

    async fn stopped(
        &mut self,
        _: &mut Context<Self>,
        reason: &StopReason,
    ) -> Result<(), BoxError> {
        assert_eq!(*reason, StopReason::Shutdown);
        self.order.lock().unwrap().push(self.name);
        Ok(())
    }
}

#[tokio::test]
async fn shutdown_stops_children_before_parents_and_reports() {
    let system = ActorSystem::new();
    let order = Arc::new(Mutex::new(Vec::new()));
    let root = Recorded {
        name: "root",
        order: order.clone(),
        children: vec!["c1", "c2"],
    };
    let root = system.spawn(root).unwrap();
    let _counter = system.spawn(Counter::default()).unwrap();
    within("children", async {
        while system.live_actors() < 4 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let report = within("shutdown", system.shutdown()).await;
    assert_eq!(report.stopped, 4);
    assert_eq!(report.aborted, 0);
    assert_eq!(system.live_actors(), 0);
    assert_eq!(*order.lock().unwrap(), ["c2", "c1", "root"]);
    assert_eq!(root.wait_for_stop().await, StopReason::Shutdown);
    assert!(system.is_shutting_down());
    let late = system.spawn(Counter::default()).unwrap_err();
    assert_eq!(late, SpawnError::ShuttingDown);
}

#[tokio::test(start_paused = true)]
async fn shutdown_kills_what_does_not_stop_by_the_deadline() {
    let system = ActorSystem::new();
    let stuck = system.spawn(Counter::default()).unwrap();
    let _never = support::hold(&stuck).await;
    let _idle = system.spawn(Counter::default()).unwrap();
    let report = system.shutdown_timeout(Duration::from_secs(2)).await;
    assert_eq!(report.aborted, 1);
    assert_eq!(report.stopped, 1);
    assert!(report.elapsed >= Duration::from_secs(2));
    assert_eq!(stuck.wait_for_stop().await, StopReason::Killed);
    assert_eq!(system.live_actors(), 0);
}

#[test]
fn building_outside_a_runtime_is_an_error_not_a_panic() {
    let err = ActorSystem::builder().build().unwrap_err();
    assert_eq!(err, ConfigError::NoRuntime);
    assert!(err.to_string().contains("runtime"), "{err}");
}

#[test]
fn building_with_a_runtime_handle_works_outside_it() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let system = ActorSystem::builder()
        .runtime(rt.handle().clone())
        .build()
        .unwrap();
    let counter = system.spawn(Counter::default()).unwrap();
    let total = rt.block_on(async {
        counter.tell(CounterMsg::Add(5)).await.unwrap();
        counter.ask(CounterMsg::Get).await
    });
    assert_eq!(total.unwrap(), 5);
}

#[tokio::test]
async fn invalid_configuration_names_the_field() {
    let zero = ActorSystem::builder()
        .default_mailbox(MailboxConfig::Bounded(0))
        .build()
        .unwrap_err();
    assert_eq!(zero, ConfigError::ZeroCapacity);
    let err = ActorSystem::builder()
        .ask_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::ZeroTimeout {
            field: "ask_timeout"
        }
    );
    assert!(err.to_string().contains("ask_timeout"));
    let system = ActorSystem::builder()
        .default_mailbox(MailboxConfig::Bounded(8))
        .build()
        .unwrap();
    let counter = system.spawn(Counter::default()).unwrap();
    assert_eq!(counter.mailbox_stats().capacity, Some(8));
}

#[tokio::test]
async fn messages_queued_at_a_kill_are_dead_lettered_and_announced() {
    let system = ActorSystem::new();
    let mut notices = system.dead_letters();
    let counter = system.spawn(Counter::default()).unwrap();
    let _gate = support::hold(&counter).await;
    for n in 0..3 {
        counter.tell(CounterMsg::Add(n)).await.unwrap();
    }
    counter.kill();
    within("kill", counter.wait_for_stop()).await;
    assert_eq!(system.dead_letter_count(), 3);
    for _ in 0..3 {
        let notice = within("notice", notices.recv()).await.unwrap();
        assert_eq!(notice.actor.id(), counter.id());
        assert_eq!(notice.reason, StopReason::Killed);
        assert!(
            notice.message_type.ends_with("CounterMsg"),
            "{}",
            notice.message_type
        );
    }
}

#[tokio::test]
async fn a_graceful_stop_dead_letters_nothing() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let gate = support::hold(&counter).await;
    for n in 0..3 {
        counter.tell(CounterMsg::Add(n)).await.unwrap();
    }
    counter.stop();
    gate.send(()).unwrap();
    within("stop", counter.wait_for_stop()).await;
    assert_eq!(system.dead_letter_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_shutdown_report_counts_the_drained_and_the_dead_lettered() {
    let system = ActorSystem::new();
    let draining = system.spawn(Counter::default()).unwrap();
    let gate = support::hold(&draining).await;
    for n in 0..5 {
        draining.tell(CounterMsg::Add(n)).await.unwrap();
    }
    let stuck = system.spawn(Counter::default()).unwrap();
    let _never = support::hold(&stuck).await;
    for n in 0..2 {
        stuck.tell(CounterMsg::Add(n)).await.unwrap();
    }
    // Opening the gate lets the draining actor's backlog through once
    // shutdown has closed its mailbox; the stuck one is killed at 1 s.
    let shutdown = system.shutdown_timeout(Duration::from_secs(1));
    let report = within("shutdown", async {
        let (report, ()) = tokio::join!(shutdown, async {
            tokio::task::yield_now().await;
            gate.send(()).unwrap();
        });
        report
    })
    .await;
    assert_eq!(report.drained, 5, "the backlog behind the held message");
    assert_eq!(report.dead_lettered, 2);
    assert_eq!((report.stopped, report.aborted), (1, 1));
}

#[tokio::test]
async fn once_shutdown_begins_outside_sends_are_refused_with_the_message() {
    let system = ActorSystem::new();
    let held = system.spawn(Counter::default()).unwrap();
    let gate = support::hold(&held).await;
    let shutting = system.clone();
    let shutdown = tokio::spawn(async move { shutting.shutdown().await });
    within("shutdown to begin", async {
        while !system.is_shutting_down() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let err = held.tell(CounterMsg::Add(1)).await.unwrap_err();
    assert!(
        matches!(err, actor_core::error::SendError::ShuttingDown(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("shutting down"), "{err}");
    assert!(matches!(err.into_inner(), CounterMsg::Add(1)));
    gate.send(()).unwrap();
    let report = within("shutdown", shutdown).await.unwrap();
    assert_eq!(report.aborted, 0);
}
