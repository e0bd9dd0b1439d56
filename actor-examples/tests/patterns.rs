//! The pattern demos print what they did; these tests check it.

use actor_examples::demos::{fan_out_fan_in, scatter_gather, worker_pool};

#[tokio::test]
async fn the_worker_pool_doubles_five_jobs_on_three_workers() {
    let mut lines = Vec::new();
    let results = worker_pool::run(|line| lines.push(line)).await.unwrap();
    assert_eq!(results, [2, 4, 6, 8, 10]);
    for job in 1..=5 {
        let started = lines
            .iter()
            .filter(|l| l.ends_with(&format!("started  job {job}")))
            .count();
        let finished = lines
            .iter()
            .filter(|l| l.ends_with(&format!("finished job {job}")))
            .count();
        assert_eq!((started, finished), (1, 1), "job {job}: {lines:?}");
    }
    let workers: std::collections::HashSet<&str> = lines
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert!(workers.len() <= 3 + 1, "at most three workers: {lines:?}");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("results: [2, 4, 6, 8, 10]")
    );
}

#[tokio::test(start_paused = true)]
async fn scatter_gather_takes_a_quorum_and_reports_every_replica() {
    let mut lines = Vec::new();
    let prices = scatter_gather::run(|line| lines.push(line)).await.unwrap();
    assert_eq!(prices, [99, 100, 101]);
    assert_eq!(lines[0], "replica 0: quoted 101");
    assert_eq!(lines[1], "replica 1: quoted 99");
    assert!(
        lines[2].starts_with("replica 2: failed") && lines[2].contains("broken"),
        "{lines:?}"
    );
    assert_eq!(lines[3], "replica 3: quoted 100");
    assert_eq!(lines[4], "replica 4: no answer in time");
    assert_eq!(lines[5], "quorum reached: true; best price Some(99)");
}

#[tokio::test]
async fn fan_out_fan_in_merges_then_broadcasts() {
    let mut lines = Vec::new();
    let total = fan_out_fan_in::run(|line| lines.push(line)).await.unwrap();
    let expected: u64 = (0..4u64)
        .map(|p| (1..=250u64).map(|i| p * 1_000 + i).sum::<u64>())
        .sum();
    assert_eq!(total, expected);
    assert_eq!(
        lines[0],
        format!("merged 1000 items from 4 producers: total {expected} over 1000 items")
    );
    assert_eq!(lines[1], "broadcast to 3 listeners, 0 refused");
    for i in 0..3 {
        assert_eq!(lines[2 + i], format!("listener {i} heard Some({expected})"));
    }
}

#[tokio::test]
async fn the_pipeline_skips_malformed_lines_and_keeps_order() {
    let mut lines = Vec::new();
    let out = actor_examples::demos::pipeline::run(|line| lines.push(line))
        .await
        .unwrap();
    assert_eq!(out, ["= 1", "= 4", "= 16", "= 25", "= 49"]);
    assert!(lines[5].starts_with("7 in, 5 out"), "{lines:?}");
    assert_eq!(
        lines[6],
        "stage parse  in 7 out 5 skipped 2 retried 0 failed 0"
    );
    assert_eq!(
        lines[7],
        "stage square in 5 out 5 skipped 0 retried 0 failed 0"
    );
}
