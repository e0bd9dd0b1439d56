//! Runs the `fan_out_fan_in` pattern demo: see `actor_examples::demos::fan_out_fan_in`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    actor_examples::demos::fan_out_fan_in::run(|line| println!("{line}")).await?;
    Ok(())
}
