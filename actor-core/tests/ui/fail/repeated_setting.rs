use actor_core::{handlers, Actor};

#[derive(Actor)]
#[actor(mailbox = 8, mailbox = unbounded)]
struct Counter;

#[handlers]
impl Counter {
    fn tick(&mut self) {}
}

fn main() {}
