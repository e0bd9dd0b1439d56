//! Request/reply: answers, and each distinct way an ask can fail.

mod support;

use std::time::Duration;

use tokio::time::Instant;

use actor_core::error::AskError;
use actor_core::{ActorRef, ActorSystem, MailboxConfig, SpawnOptions};
use support::{Counter, CounterMsg, backlog, hold, within};
use tokio::sync::oneshot;

#[tokio::test]
async fn ask_returns_the_handlers_answer() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    counter.tell(CounterMsg::Add(7)).await.unwrap();
    let total = within("ask", counter.ask(CounterMsg::Get)).await.unwrap();
    assert_eq!(total, 7);
}

#[tokio::test(start_paused = true)]
async fn ask_times_out_and_says_after_how_long() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let (_open, gate) = oneshot::channel();
    counter.tell(CounterMsg::Gate(gate)).await.unwrap();
    let err = counter
        .ask_timeout(CounterMsg::Get, Duration::from_millis(250))
        .await
        .unwrap_err();
    match &err {
        AskError::Timeout { after, .. } => assert_eq!(*after, Duration::from_millis(250)),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.to_string().contains("250ms"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn ask_uses_the_system_default_timeout() {
    let system = ActorSystem::builder()
        .ask_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let counter = system.spawn(Counter::default()).unwrap();
    let (_open, gate) = oneshot::channel();
    counter.tell(CounterMsg::Gate(gate)).await.unwrap();
    let err = counter.ask(CounterMsg::Get).await.unwrap_err();
    assert!(
        matches!(err, AskError::Timeout { after, .. } if after == Duration::from_secs(3)),
        "{err:?}"
    );
}

/// Asks on a gated counter for `timeout`; returns how long until it failed
/// with a timeout.
async fn time_until_timeout(counter: &ActorRef<Counter>, timeout: Duration) -> Duration {
    let asked = Instant::now();
    let err = within("the timeout", counter.ask_timeout(CounterMsg::Get, timeout))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AskError::Timeout { after, .. } if after == timeout),
        "{err:?}"
    );
    asked.elapsed()
}

/// Within the timer driver's millisecond resolution.
fn assert_about(elapsed: Duration, expected: Duration) {
    let late = elapsed.checked_sub(expected);
    assert!(
        late.is_some_and(|late| late <= Duration::from_millis(2)),
        "timed out after {elapsed:?}, expected {expected:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_shorter_timeout_after_a_longer_one_fires_at_its_own_deadline() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let long = Duration::from_secs(10);
    within("ask", counter.ask_timeout(CounterMsg::Get, long))
        .await
        .unwrap();
    let (_open, gate) = oneshot::channel();
    counter.tell(CounterMsg::Gate(gate)).await.unwrap();
    let short = Duration::from_millis(250);
    assert_about(time_until_timeout(&counter, short).await, short);
}

#[tokio::test(start_paused = true)]
async fn a_timeout_is_measured_from_its_own_ask_not_an_earlier_one() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let timeout = Duration::from_secs(1);
    // The answered ask leaves its thread's timer armed for t = 1 s.
    within("ask", counter.ask_timeout(CounterMsg::Get, timeout))
        .await
        .unwrap();
    tokio::time::advance(Duration::from_millis(600)).await;
    let (_open, gate) = oneshot::channel();
    counter.tell(CounterMsg::Gate(gate)).await.unwrap();
    assert_about(time_until_timeout(&counter, timeout).await, timeout);
}

/// Lets the runtime's other tasks run, without letting time pass.
async fn settle() {
    for _ in 0..8 {
        tokio::task::yield_now().await;
    }
}

/// An ask right after another on one thread may skip reading the clock for
/// its start, but not on a paused clock: there advancing time by an ask's
/// timeout times it out, as it would fire a `sleep` of that length.
#[tokio::test(start_paused = true)]
async fn advancing_paused_time_by_the_timeout_times_an_ask_out() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    within("ask", counter.ask(CounterMsg::Get)).await.unwrap();
    let _open = hold(&counter).await;
    let timeout = Duration::from_millis(250);
    let asker = counter.clone();
    let ask = tokio::spawn(async move { asker.ask_timeout(CounterMsg::Get, timeout).await });
    backlog(&counter, 1).await;
    tokio::time::advance(timeout).await;
    settle().await;
    assert!(ask.is_finished(), "not timed out after its timeout");
    let err = ask.await.unwrap().unwrap_err();
    assert!(matches!(err, AskError::Timeout { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn a_timer_reused_by_another_task_wakes_that_task() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let timeout = Duration::from_millis(250);
    // This task's answered asks leave the thread's timer registered to wake it.
    for _ in 0..3 {
        within("ask", counter.ask_timeout(CounterMsg::Get, timeout))
            .await
            .unwrap();
    }
    let (_open, gate) = oneshot::channel();
    counter.tell(CounterMsg::Gate(gate)).await.unwrap();
    let other = counter.clone();
    let waited = tokio::spawn(async move { time_until_timeout(&other, timeout).await });
    assert_about(within("the other task", waited).await.unwrap(), timeout);
}

#[tokio::test(start_paused = true)]
async fn concurrent_asks_each_time_out_at_their_own_deadline() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let (_open, gate) = oneshot::channel();
    counter.tell(CounterMsg::Gate(gate)).await.unwrap();
    let timeouts = [300, 100, 200].map(Duration::from_millis);
    let asks = timeouts.map(|timeout| {
        let counter = counter.clone();
        tokio::spawn(async move { time_until_timeout(&counter, timeout).await })
    });
    for (ask, timeout) in asks.into_iter().zip(timeouts) {
        assert_about(within("ask", ask).await.unwrap(), timeout);
    }
}

#[tokio::test]
async fn ask_to_a_stopped_actor_fails_with_stopped() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    counter.stop();
    within("stop", counter.wait_for_stop()).await;
    let err = counter.ask(CounterMsg::Get).await.unwrap_err();
    assert!(matches!(err, AskError::Stopped { .. }), "{err:?}");
}

#[tokio::test]
async fn ask_queued_behind_a_failure_fails_with_stopped() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let open = support::hold(&counter).await;
    counter.tell(CounterMsg::Fail("boom".into())).await.unwrap();
    let c = counter.clone();
    let asked = tokio::spawn(async move { c.ask(CounterMsg::Get).await });
    // The ask is queued behind the failing message once the mailbox holds two.
    support::backlog(&counter, 2).await;
    open.send(()).unwrap();
    let err = within("ask", asked).await.unwrap().unwrap_err();
    assert!(matches!(err, AskError::Stopped { .. }), "{err:?}");
}

#[tokio::test]
async fn ask_whose_handler_errs_reports_the_reason() {
    struct Failing;
    impl actor_core::Actor for Failing {
        type Msg = actor_core::Reply<u64>;
        async fn handle(
            &mut self,
            _reply: Self::Msg,
            _ctx: &mut actor_core::Context<Self>,
        ) -> Result<(), actor_core::BoxError> {
            Err("disk on fire".into())
        }
    }
    let system = ActorSystem::new();
    let failing = system.spawn(Failing).unwrap();
    let err = within("ask", failing.ask(|r| r)).await.unwrap_err();
    match &err {
        AskError::HandlerFailed { reason, .. } => {
            assert!(reason.contains("disk on fire"), "{reason}")
        }
        other => panic!("expected HandlerFailed, got {other:?}"),
    }
    assert!(within("stop", failing.wait_for_stop()).await.is_failure());
}

#[tokio::test]
async fn ask_whose_handler_panics_reports_the_panic() {
    struct Panicking;
    impl actor_core::Actor for Panicking {
        type Msg = actor_core::Reply<u64>;
        async fn handle(
            &mut self,
            _reply: Self::Msg,
            _ctx: &mut actor_core::Context<Self>,
        ) -> Result<(), actor_core::BoxError> {
            panic!("index out of bounds")
        }
    }
    let system = ActorSystem::new();
    let panicking = system.spawn(Panicking).unwrap();
    let err = within("ask", panicking.ask(|r| r)).await.unwrap_err();
    match &err {
        AskError::HandlerFailed { reason, .. } => {
            assert!(reason.contains("index out of bounds"), "{reason}");
            assert!(reason.contains("panicked"), "{reason}");
        }
        other => panic!("expected HandlerFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn reply_dropped_without_answer_is_reported() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let err = within("ask", counter.ask(CounterMsg::Ignore))
        .await
        .unwrap_err();
    assert!(matches!(err, AskError::ReplyDropped { .. }), "{err:?}");
    // The actor did not fail: it still answers.
    assert_eq!(
        within("ask", counter.ask(CounterMsg::Get)).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn try_ask_on_a_full_mailbox_fails_with_full() {
    let system = ActorSystem::new();
    let options = SpawnOptions::new().mailbox(MailboxConfig::Bounded(1));
    let counter = system.spawn_with(Counter::default(), options).unwrap();
    let _open = support::hold(&counter).await;
    counter.try_tell(CounterMsg::Add(1)).unwrap();
    let err = within("try_ask", counter.try_ask(CounterMsg::Get))
        .await
        .unwrap_err();
    assert!(matches!(err, AskError::Full { .. }), "{err:?}");
}

#[tokio::test]
async fn kill_fails_the_ask_being_handled_and_those_queued_with_stopped() {
    let system = ActorSystem::new();
    let counter = system.spawn(Counter::default()).unwrap();
    let _open = support::hold(&counter).await;
    let c = counter.clone();
    let queued = tokio::spawn(async move { c.ask(CounterMsg::Get).await });
    support::backlog(&counter, 1).await;
    counter.kill();
    let err = within("ask", queued).await.unwrap().unwrap_err();
    assert!(matches!(err, AskError::Stopped { .. }), "{err:?}");
}

#[tokio::test]
async fn a_reply_held_across_an_await_learns_of_a_later_panic() {
    struct Late;
    impl actor_core::Actor for Late {
        type Msg = actor_core::Reply<u64>;
        async fn handle(
            &mut self,
            reply: Self::Msg,
            _ctx: &mut actor_core::Context<Self>,
        ) -> Result<(), actor_core::BoxError> {
            tokio::task::yield_now().await;
            if !reply.is_closed() {
                panic!("failed after an await");
            }
            reply.send(1);
            Ok(())
        }
    }
    let system = ActorSystem::new();
    let late = system.spawn(Late).unwrap();
    let err = within("ask", late.ask(|r| r)).await.unwrap_err();
    match &err {
        AskError::HandlerFailed { reason, .. } => {
            assert!(reason.contains("failed after an await"), "{reason}")
        }
        other => panic!("expected HandlerFailed, got {other:?}"),
    }
}
