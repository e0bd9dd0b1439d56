use actor_core::{handlers, Actor};

#[derive(Actor)]
struct Counter;

#[handlers]
impl Counter {
    fn finish(self) {}
}

fn main() {}
