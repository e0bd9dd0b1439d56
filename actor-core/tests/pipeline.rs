//! Pipelines: order under random delays, error policies, cancellation with
//! nothing left running, and backpressure from a slow sink.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use actor_core::ActorSystem;
use actor_core::pattern::pipeline::{ErrorPolicy, Pipeline, PipelineError};
use actor_core::supervision::Backoff;
use support::within;
use tokio_util::sync::CancellationToken;

/// Holds an item back by a number of scheduler turns that varies per item,
/// deterministically, so workers finish out of input order without waiting
/// on the clock.
async fn jitter(n: u64) {
    for _ in 0..n.wrapping_mul(2_654_435_761) % 7 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordered_output_keeps_input_order_across_parallel_workers() {
    let system = ActorSystem::new();
    let (out, summary) = within(
        "pipeline",
        Pipeline::from_items(0..300u64)
            .stage("slow", 4, ErrorPolicy::Fail, |n| async move {
                jitter(n).await;
                Ok::<_, String>(n + 1)
            })
            .stage("square", 3, ErrorPolicy::Fail, |n| async move {
                jitter(n * 3).await;
                Ok::<_, String>(n * n)
            })
            .collect(&system),
    )
    .await
    .unwrap();
    let expected: Vec<u64> = (0..300u64).map(|n| (n + 1) * (n + 1)).collect();
    assert_eq!(out, expected);
    assert_eq!((summary.items_in, summary.items_out), (300, 300));
    assert_eq!(summary.stages[1].name, "square");
    assert_eq!(summary.stages[1].out, 300);
    assert_eq!(system.live_actors(), 0, "no actor outlives the pipeline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unordered_output_has_every_item() {
    let system = ActorSystem::new();
    let (mut out, _) = Pipeline::from_items(0..200u64)
        .stage("slow", 4, ErrorPolicy::Fail, |n| async move {
            jitter(n).await;
            Ok::<_, String>(n)
        })
        .ordered(false)
        .collect(&system)
        .await
        .unwrap();
    out.sort_unstable();
    assert_eq!(out, (0..200).collect::<Vec<_>>());
}

#[tokio::test]
async fn skip_drops_and_counts_failing_items() {
    let system = ActorSystem::new();
    let (out, summary) = Pipeline::from_items(0..10u64)
        .stage("odd only", 2, ErrorPolicy::Skip, |n| async move {
            if n % 2 == 0 {
                Err(format!("{n} is even"))
            } else {
                Ok(n)
            }
        })
        .stage("tag", 1, ErrorPolicy::Fail, |n| async move {
            Ok::<_, String>(n * 10)
        })
        .collect(&system)
        .await
        .unwrap();
    assert_eq!(out, [10, 30, 50, 70, 90]);
    assert_eq!(summary.stages[0].skipped, 5);
    assert_eq!(
        summary.stages[1].items_in, 5,
        "skipped items never reach later stages"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_tries_again_with_backoff_then_succeeds() {
    let system = ActorSystem::new();
    let attempts = Arc::new(AtomicU32::new(0));
    let seen = attempts.clone();
    let policy = ErrorPolicy::Retry {
        times: 3,
        backoff: Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 0.0),
    };
    let start = tokio::time::Instant::now();
    let (out, summary) = Pipeline::from_items([7u64])
        .stage("flaky", 1, policy, move |n| {
            let attempt = seen.fetch_add(1, Ordering::SeqCst);
            async move { if attempt < 2 { Err("not yet") } else { Ok(n) } }
        })
        .collect(&system)
        .await
        .unwrap();
    assert_eq!(out, [7]);
    assert_eq!(summary.stages[0].retried, 2);
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "100 ms, then 200 ms"
    );
}

#[tokio::test]
async fn fail_stops_the_pipeline_with_the_error() {
    let system = ActorSystem::new();
    let err = Pipeline::from_items(0..1_000u64)
        .stage("strict", 2, ErrorPolicy::Fail, |n| async move {
            if n == 42 { Err("bad item") } else { Ok(n) }
        })
        .collect(&system)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        PipelineError::Stage {
            stage: "strict".into(),
            item: 42,
            error: "bad item".into()
        }
    );
    assert_eq!(system.live_actors(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_stops_everything_midway() {
    let system = ActorSystem::new();
    let token = CancellationToken::new();
    let done = Arc::new(AtomicU64::new(0));
    let (seen, cancel) = (done.clone(), token.clone());
    let result = within(
        "pipeline",
        Pipeline::from_stream(tokio_stream::iter(0..u64::MAX))
            .stage("count", 2, ErrorPolicy::Fail, move |n| {
                let count = seen.fetch_add(1, Ordering::SeqCst);
                if count == 500 {
                    cancel.cancel();
                }
                async move { Ok::<_, String>(n) }
            })
            .cancel_with(token)
            .collect(&system),
    )
    .await;
    assert_eq!(result.unwrap_err(), PipelineError::Cancelled);
    assert!(done.load(Ordering::SeqCst) < 10_000, "stopped promptly");
    assert_eq!(system.live_actors(), 0, "no actor outlives the pipeline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_sink_slows_the_source_with_bounded_memory() {
    let system = ActorSystem::new();
    let fed = Arc::new(AtomicU64::new(0));
    let counter = fed.clone();
    let source = tokio_stream::iter(0..2_000u64).map(move |n| {
        counter.fetch_add(1, Ordering::SeqCst);
        n
    });
    let mut max_ahead = 0;
    let mut taken = 0u64;
    let summary = Pipeline::from_stream(source)
        .capacity(4)
        .window(16)
        .stage("pass", 2, ErrorPolicy::Fail, |n| async move {
            Ok::<_, String>(n)
        })
        .for_each(&system, |_| {
            taken += 1;
            let ahead = fed.load(Ordering::SeqCst) - taken;
            max_ahead = max_ahead.max(ahead);
            std::thread::yield_now();
        })
        .await
        .unwrap();
    assert_eq!(summary.items_out, 2_000);
    // At most the window is in flight, whatever the input size.
    assert!(max_ahead <= 16, "the source ran {max_ahead} items ahead");
}

use tokio_stream::StreamExt as _;

/// Squares numbers, as a pipeline stage done by an actor.
#[derive(actor_core::Actor)]
struct Squarer;

#[actor_core::handlers]
impl Squarer {
    fn square(&mut self, n: u64) -> u64 {
        n * n
    }
}

#[tokio::test]
async fn a_stage_can_be_an_actor_and_output_a_stream() {
    let system = ActorSystem::new();
    let squarer = system.spawn(Squarer).unwrap();
    let (stream, summary) = Pipeline::from_items(1..=5u64)
        .stage_actor("square", 2, ErrorPolicy::Fail, squarer, |n, reply| {
            SquarerMsg::Square { n, reply }
        })
        .stage("label", 1, ErrorPolicy::Fail, |n| async move {
            Ok::<_, String>(format!("{n}"))
        })
        .into_stream(&system);
    let out: Vec<String> = within("stream", stream.collect()).await;
    assert_eq!(out, ["1", "4", "9", "16", "25"]);
    let summary = within("summary", summary).await.unwrap().unwrap();
    assert_eq!(summary.items_out, 5);
}

#[tokio::test]
async fn dropping_the_output_stream_cancels_the_run() {
    let system = ActorSystem::new();
    let (mut stream, run) = Pipeline::from_stream(tokio_stream::iter(0..u64::MAX))
        .stage("pass", 2, ErrorPolicy::Fail, |n| async move {
            Ok::<_, String>(n)
        })
        .into_stream(&system);
    let first = within("first item", stream.next()).await;
    assert_eq!(first, Some(0));
    drop(stream);
    let result = within("run", run).await.unwrap();
    assert_eq!(result.unwrap_err(), PipelineError::Cancelled);
    within("no actor left", async {
        while system.live_actors() > 0 {
            tokio::task::yield_now().await;
        }
    })
    .await;
}
