//! A three-stage pipeline: parse lines, skip the malformed ones, square the
//! numbers on two workers, and format them, in input order.

use actor_core::ActorSystem;
use actor_core::pattern::pipeline::{ErrorPolicy, Pipeline};

/// Runs the demo, handing every line it prints to `out`.
///
/// # Errors
///
/// When the pipeline fails.
pub async fn run(mut out: impl FnMut(String)) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let system = ActorSystem::new();
    let input = ["1", "2", "oops", "4", "5", "", "7"].map(String::from);
    let (lines, summary) = Pipeline::from_items(input)
        .stage("parse", 1, ErrorPolicy::Skip, |line: String| async move {
            line.trim()
                .parse::<u64>()
                .map_err(|e| format!("{line:?}: {e}"))
        })
        .stage("square", 2, ErrorPolicy::Fail, |n| async move {
            Ok::<_, String>(n * n)
        })
        .stage("format", 1, ErrorPolicy::Fail, |n| async move {
            Ok::<_, String>(format!("= {n}"))
        })
        .ordered(true)
        .collect(&system)
        .await?;
    for line in &lines {
        out(line.clone());
    }
    out(format!(
        "{} in, {} out in {:?}",
        summary.items_in, summary.items_out, summary.elapsed
    ));
    for stage in &summary.stages {
        out(format!(
            "stage {:<6} in {} out {} skipped {} retried {} failed {}",
            stage.name, stage.items_in, stage.out, stage.skipped, stage.retried, stage.failed
        ));
    }
    Ok(lines)
}
