use actor_core::handlers;

struct Counter;

#[handlers]
impl Counter {
    fn tick(&mut self) {}
}

fn main() {}
