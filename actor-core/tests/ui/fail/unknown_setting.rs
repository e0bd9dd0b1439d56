use actor_core::{handlers, Actor};

#[derive(Actor)]
#[actor(capacity = 8)]
struct Counter;

#[handlers]
impl Counter {
    fn tick(&mut self) {}
}

fn main() {}
