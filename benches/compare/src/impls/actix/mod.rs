//! actix: not written yet.

use crate::contender::{Contender, Entry};
use crate::measure::{NotApplicable, Outcome};
use crate::spec::Spec;

/// The harness entry.
pub fn entry() -> Entry {
    Entry {
        name: "actix",
        about: "actix",
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
