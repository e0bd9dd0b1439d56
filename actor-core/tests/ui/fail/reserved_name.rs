use actor_core::{handlers, Actor};

#[derive(Actor)]
struct Machine;

#[handlers]
impl Machine {
    fn stop(&mut self) {}
}

fn main() {}
