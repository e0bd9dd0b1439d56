//! Runs the `worker_pool` pattern demo: see `actor_examples::demos::worker_pool`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    actor_examples::demos::worker_pool::run(|line| println!("{line}")).await?;
    Ok(())
}
