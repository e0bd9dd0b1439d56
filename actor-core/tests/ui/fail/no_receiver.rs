use actor_core::{handlers, Actor};

#[derive(Actor)]
struct Counter;

#[handlers]
impl Counter {
    fn reset(total: u64) {
        let _ = total;
    }
}

fn main() {}
