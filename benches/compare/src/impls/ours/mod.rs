//! stub

use crate::contender::{Contender, Threads, TokioHost};
use crate::measure::{NotApplicable, Outcome};
use crate::spec::Spec;

/// The implementation on its tokio host.
#[derive(Debug)]
pub struct Ours {
    host: TokioHost,
}

impl Ours {
    /// Builds the runtime.
    pub fn new(threads: Threads) -> Ours {
        Ours {
            host: TokioHost::new(threads),
        }
    }
}

impl Contender for Ours {
    fn run(&mut self, _spec: &Spec) -> Outcome {
        let _ = &self.host;
        Err(NotApplicable("not written yet"))
    }
}
