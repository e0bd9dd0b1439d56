//! Runs the `scatter_gather` pattern demo: see `actor_examples::demos::scatter_gather`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    actor_examples::demos::scatter_gather::run(|line| println!("{line}")).await?;
    Ok(())
}
