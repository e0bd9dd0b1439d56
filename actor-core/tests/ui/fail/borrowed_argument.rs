use actor_core::{handlers, Actor};

#[derive(Actor)]
struct Greeter;

#[handlers]
impl Greeter {
    fn greet(&mut self, name: &str) -> String {
        format!("hello {name}")
    }
}

fn main() {}
