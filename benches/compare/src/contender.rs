//! The implementations measured, behind one trait, and the tokio host the
//! tokio-based ones share.

use std::future::Future;

use crate::measure::Outcome;
use crate::spec::Spec;

/// One implementation of the workloads, holding its runtime. Built
/// untimed; [`Contender::run`] is called once to warm up and once for the
/// measured pass, in the same child process.
pub trait Contender {
    /// Runs one pass of `spec`, timing it as [`Spec`] describes and
    /// reporting the check values it names.
    ///
    /// # Errors
    ///
    /// [`crate::NotApplicable`] with the reason when this implementation
    /// cannot express the workload.
    fn run(&mut self, spec: &Spec) -> Outcome;
}

/// Worker threads of a runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// A multi-thread runtime with two workers.
    Two,
    /// A current-thread runtime.
    Current,
}

/// An implementation the harness can run.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// The command-line and table name.
    pub name: &'static str,
    /// One line for the table's legend.
    pub about: &'static str,
    /// The raw tokio entry its ratio is taken against.
    pub baseline: &'static str,
    /// Builds the implementation and its runtime (untimed).
    pub make: fn() -> Box<dyn Contender>,
}

/// Every implementation compiled in, in table order.
pub fn entries() -> Vec<Entry> {
    let mut all = vec![
        Entry {
            name: "tokio",
            about: "raw tokio: a task per actor looping over its own mpsc receiver, oneshot for replies; 2 workers",
            baseline: "tokio",
            make: || Box::new(crate::impls::tokio_raw::Raw::new(Threads::Two)),
        },
        Entry {
            name: "ours",
            about: "this runtime (actor-core) through its public API and macros, chains on a strand; 2 workers",
            baseline: "tokio",
            make: || Box::new(crate::impls::ours::Ours::new(Threads::Two)),
        },
        Entry {
            name: "tokio-ct",
            about: "raw tokio on a current-thread runtime",
            baseline: "tokio-ct",
            make: || Box::new(crate::impls::tokio_raw::Raw::new(Threads::Current)),
        },
        Entry {
            name: "ours-ct",
            about: "this runtime on a current-thread runtime",
            baseline: "tokio-ct",
            make: || Box::new(crate::impls::ours::Ours::new(Threads::Current)),
        },
    ];
    all.extend(crate::impls::peers());
    all
}

/// A tokio runtime that runs each pass's driver as a spawned task, as every
/// tokio-based entry does.
#[derive(Debug)]
pub struct TokioHost {
    runtime: tokio::runtime::Runtime,
}

impl TokioHost {
    /// A runtime with `threads` workers, timers enabled.
    ///
    /// # Panics
    ///
    /// If the runtime cannot be built.
    pub fn new(threads: Threads) -> TokioHost {
        let mut builder = match threads {
            Threads::Two => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                b.worker_threads(2);
                b
            }
            Threads::Current => tokio::runtime::Builder::new_current_thread(),
        };
        let runtime = builder
            .enable_all()
            .build()
            .expect("build the tokio runtime");
        TokioHost { runtime }
    }

    /// Runs `driver` as a spawned task and waits for its result.
    ///
    /// # Panics
    ///
    /// If the driver panics.
    pub fn drive<F>(&self, driver: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime
            .block_on(self.runtime.spawn(driver))
            .expect("the driver task panicked")
    }

    /// The runtime's handle.
    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }
}
