use actor_core::{handlers, Actor};

#[derive(Actor)]
struct Store;

#[handlers]
impl Store {
    fn fetch_all(&mut self) {}

    #[allow(non_snake_case)]
    fn fetchAll(&mut self) {}
}

fn main() {}
