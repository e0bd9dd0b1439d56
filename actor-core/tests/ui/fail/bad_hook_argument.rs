use actor_core::{handlers, Actor};

#[derive(Actor)]
struct Counter {
    total: u64,
}

#[handlers]
impl Counter {
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    #[stopped]
    fn closed(&mut self, total: u64) {
        let _ = total;
    }
}

fn main() {}
