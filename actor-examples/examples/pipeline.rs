//! Runs the `pipeline` pattern demo: see `actor_examples::demos::pipeline`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    actor_examples::demos::pipeline::run(|line| println!("{line}")).await?;
    Ok(())
}
