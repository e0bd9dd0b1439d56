use actor_core::{handlers, Actor};

#[derive(Actor)]
#[actor(mailbox = 0)]
struct Counter;

#[handlers]
impl Counter {
    fn tick(&mut self) {}
}

fn main() {}
