//! kompact: not written yet.

use crate::contender::{Contender, Entry};
use crate::measure::{NotApplicable, Outcome};
use crate::spec::Spec;

/// The harness entry.
pub fn entry() -> Entry {
    Entry {
        name: "kompact",
        about: "kompact",
        baseline: "tokio",
        make: || Box::new(Pending),
    }
}

struct Pending;

impl Contender for Pending {
    fn run(&mut self, _spec: &Spec) -> Outcome {
        Err(NotApplicable("not written yet"))
    }
}
