use actor_core::{handlers, Actor};

#[derive(Actor)]
struct Printer;

#[handlers]
impl Printer {
    fn print<T: std::fmt::Display + Send + 'static>(&mut self, value: T) {
        println!("{value}");
    }
}

fn main() {}
