//! Fan-out / fan-in: scatter-gather with deadline and quorum, error groups,
//! broadcast, merge, and topics.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actor_core::pattern::fan::{ErrGroup, Outcome, broadcast, merge, scatter_gather};
use actor_core::pattern::topic::Topic;
use actor_core::{Actor, ActorSystem, handlers};
use support::within;

/// Answers after a delay, or fails, or never answers, as configured.
#[derive(Actor, Clone)]
struct Oracle {
    answer: u32,
    delay: Duration,
    fail: bool,
    seen: Vec<u32>,
}

#[handlers]
impl Oracle {
    async fn query(&mut self) -> u32 {
        tokio::time::sleep(self.delay).await;
        assert!(!self.fail, "oracle {} fails", self.answer);
        self.answer
    }

    fn note(&mut self, n: u32) {
        self.seen.push(n);
    }

    fn seen(&mut self) -> Vec<u32> {
        self.seen.clone()
    }
}

fn oracle(answer: u32, delay_ms: u64, fail: bool) -> Oracle {
    Oracle {
        answer,
        delay: Duration::from_millis(delay_ms),
        fail,
        seen: Vec::new(),
    }
}

#[tokio::test(start_paused = true)]
async fn scatter_gather_reports_every_target_by_the_deadline() {
    let system = ActorSystem::new();
    let targets: Vec<_> = [
        oracle(1, 10, false),
        oracle(2, 500, false),
        oracle(3, 10, true),
    ]
    .into_iter()
    .map(|o| system.spawn(o).unwrap())
    .collect();
    let gathered = scatter_gather(
        &targets,
        |reply| OracleMsg::Query { reply },
        Duration::from_millis(100),
        None,
    )
    .await;
    assert!(!gathered.complete);
    assert_eq!(gathered.outcomes[0].1, Outcome::Answered(1));
    assert_eq!(
        gathered.outcomes[1].1,
        Outcome::Late,
        "too slow for the deadline"
    );
    assert!(
        matches!(gathered.outcomes[2].1, Outcome::Failed(_)),
        "{:?}",
        gathered.outcomes[2]
    );
    assert_eq!(
        gathered.outcomes[1].0.id(),
        targets[1].id(),
        "outcomes follow target order"
    );
}

#[tokio::test(start_paused = true)]
async fn a_quorum_returns_as_soon_as_enough_answers_succeed() {
    let system = ActorSystem::new();
    let targets: Vec<_> = [
        oracle(1, 10, false),
        oracle(2, 20, false),
        oracle(3, 10_000, false),
    ]
    .into_iter()
    .map(|o| system.spawn(o).unwrap())
    .collect();
    let start = tokio::time::Instant::now();
    let gathered = scatter_gather(
        &targets,
        |reply| OracleMsg::Query { reply },
        Duration::from_secs(60),
        Some(2),
    )
    .await;
    assert!(gathered.complete);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "did not wait for the slow one"
    );
    let mut answers: Vec<u32> = gathered.answers().copied().collect();
    answers.sort_unstable();
    assert_eq!(answers, [1, 2]);
    assert_eq!(gathered.outcomes[2].1, Outcome::Late);
}

#[tokio::test]
async fn an_error_group_returns_the_first_failure_and_cancels_the_rest() {
    let mut group: ErrGroup<String> = ErrGroup::new();
    let cancelled = Arc::new(AtomicUsize::new(0));
    for n in 0..4 {
        let cancelled = cancelled.clone();
        group
            .spawn(move |token| async move {
                if n == 2 {
                    return Err("job 2 failed".to_string());
                }
                token.cancelled().await;
                cancelled.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .await;
    }
    let token = group.token();
    assert_eq!(
        within("group", group.wait()).await,
        Err("job 2 failed".to_string())
    );
    assert!(token.is_cancelled());
    assert_eq!(
        cancelled.load(Ordering::SeqCst),
        3,
        "every other job saw the cancel"
    );
}

#[tokio::test]
async fn an_error_group_limit_bounds_how_many_run_at_once() {
    let mut group: ErrGroup<String> = ErrGroup::with_limit(2);
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    for _ in 0..20 {
        let (running, peak) = (running.clone(), peak.clone());
        group
            .spawn(move |_| async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
            .await;
    }
    assert_eq!(within("group", group.wait()).await, Ok(()));
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn broadcast_reaches_every_target_and_hands_back_refusals() {
    let system = ActorSystem::new();
    let live = system.spawn(oracle(1, 0, false)).unwrap();
    let gone = system.spawn(oracle(2, 0, false)).unwrap();
    gone.stop();
    within("stop", gone.wait_for_stop()).await;
    let refused = broadcast(&[live.clone(), gone.clone()], || OracleMsg::Note { n: 7 }).await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0.id(), gone.id());
    assert_eq!(within("seen", live.seen()).await.unwrap(), [7]);
}

#[tokio::test]
async fn merge_feeds_many_producers_into_one_consumer() {
    let system = ActorSystem::new();
    let consumer = system.spawn(oracle(0, 0, false)).unwrap();
    let streams = (0..4)
        .map(|p| tokio_stream::iter((0..25).map(move |i| p * 100 + i)))
        .collect();
    let delivered = within(
        "merge",
        merge(&consumer, streams, |n| OracleMsg::Note { n }),
    )
    .await;
    assert_eq!(delivered, 100);
    let seen = within("seen", consumer.seen()).await.unwrap();
    assert_eq!(seen.len(), 100);
    for p in 0..4 {
        // Each producer's items arrive in its own order.
        let mine: Vec<u32> = seen.iter().copied().filter(|n| n / 100 == p).collect();
        assert_eq!(mine, (0..25).map(|i| p * 100 + i).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn a_topic_publishes_to_all_and_drops_stopped_subscribers() {
    let system = ActorSystem::new();
    let a = system.spawn(oracle(1, 0, false)).unwrap();
    let b = system.spawn(oracle(2, 0, false)).unwrap();
    let topic: Topic<u32> = Topic::new();
    topic.subscribe(&a, |n| OracleMsg::Note { n });
    topic.subscribe(&b, |n| OracleMsg::Note { n: n * 10 });
    topic.subscribe(&b, |n| OracleMsg::Note { n: n * 100 });
    assert_eq!(topic.len(), 2, "a second subscription replaces the first");
    let report = topic.publish(3).await;
    assert_eq!((report.delivered, report.removed), (2, 0));
    assert_eq!(within("seen", a.seen()).await.unwrap(), [3]);
    assert_eq!(within("seen", b.seen()).await.unwrap(), [300]);
    b.stop();
    within("stop", b.wait_for_stop()).await;
    let report = topic.publish(4).await;
    assert_eq!((report.delivered, report.removed), (1, 1));
    assert_eq!(topic.len(), 1);
    assert!(topic.unsubscribe(&a));
    assert!(topic.is_empty());
}
