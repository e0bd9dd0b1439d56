//! The workloads: what each one does, at which size, and what it must
//! compute. Every implementation follows these semantics exactly; the
//! expected check values come from [`Spec::expected`], computed here
//! sequentially without any actor.

use std::fmt;

/// Which size to run a workload at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// The published sizes (Savina's defaults for the Savina programs).
    Full,
    /// Small sizes for the `--quick` smoke run and for tests.
    Quick,
}

/// A named workload, as picked on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// `tell` of `u64`s to one summing actor, unbounded mailbox.
    TellUnbounded,
    /// `tell` of `u64`s to one summing actor, mailbox bounded to 64, the
    /// sender waiting for room.
    TellBounded,
    /// Sequential request/reply round trips.
    Ask,
    /// Two actors bouncing a counter.
    PingPong,
    /// 503 actors passing a token (the ThreadRing protocol).
    Ring,
    /// Spawning and stopping idle actors; memory per idle actor.
    Spawn,
    /// A driver feeding workers that report to one collector.
    FanOut,
    /// Fork-join throughput at 60 × 20,000.
    ForkJoin,
    /// Savina #1, PingPong.
    SavinaPingPong,
    /// Savina #3, Counting.
    SavinaCounting,
    /// Savina #2, ThreadRing.
    SavinaThreadRing,
    /// Savina #4, fork-join throughput.
    SavinaFjThroughput,
    /// Savina #5, fork-join create.
    SavinaFjCreate,
    /// Savina #8, Big.
    SavinaBig,
    /// Savina #9, concurrent dictionary.
    SavinaDictionary,
    /// Savina #28, trapezoidal approximation.
    SavinaTrapezoid,
    /// A worker pool of 8 over a stream of jobs.
    Pool,
    /// A three-stage pipeline.
    Pipeline,
}

impl Workload {
    /// Every workload, in table order.
    pub const ALL: [Workload; 18] = [
        Workload::TellUnbounded,
        Workload::TellBounded,
        Workload::Ask,
        Workload::PingPong,
        Workload::Ring,
        Workload::Spawn,
        Workload::FanOut,
        Workload::ForkJoin,
        Workload::SavinaPingPong,
        Workload::SavinaCounting,
        Workload::SavinaThreadRing,
        Workload::SavinaFjThroughput,
        Workload::SavinaFjCreate,
        Workload::SavinaBig,
        Workload::SavinaDictionary,
        Workload::SavinaTrapezoid,
        Workload::Pool,
        Workload::Pipeline,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Workload::TellUnbounded => "tell-unbounded",
            Workload::TellBounded => "tell-bounded",
            Workload::Ask => "ask",
            Workload::PingPong => "ping-pong",
            Workload::Ring => "ring",
            Workload::Spawn => "spawn",
            Workload::FanOut => "fan-out",
            Workload::ForkJoin => "fork-join",
            Workload::SavinaPingPong => "savina-pingpong",
            Workload::SavinaCounting => "savina-counting",
            Workload::SavinaThreadRing => "savina-threadring",
            Workload::SavinaFjThroughput => "savina-fjthrput",
            Workload::SavinaFjCreate => "savina-fjcreate",
            Workload::SavinaBig => "savina-big",
            Workload::SavinaDictionary => "savina-dictionary",
            Workload::SavinaTrapezoid => "savina-trapezoid",
            Workload::Pool => "pool",
            Workload::Pipeline => "pipeline",
        }
    }

    /// The workload with command-line name `name`.
    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// The parameters of this workload at `size`.
    pub fn spec(self, size: Size) -> Spec {
        let quick = size == Size::Quick;
        let pick = |full: u64, small: u64| if quick { small } else { full };
        match self {
            Workload::TellUnbounded => Spec::Tell {
                messages: pick(1_000_000, 20_000),
                capacity: None,
            },
            Workload::TellBounded => Spec::Tell {
                messages: pick(1_000_000, 20_000),
                capacity: Some(64),
            },
            Workload::Ask => Spec::Ask {
                round_trips: pick(100_000, 2_000),
            },
            Workload::PingPong => Spec::PingPong {
                bounces: pick(1_000_000, 10_000),
            },
            Workload::Ring => Spec::Ring {
                actors: 503,
                hops: pick(1_000_000, 10_000),
            },
            Workload::Spawn => Spec::Spawn {
                actors: pick(100_000, 2_000) as usize,
            },
            Workload::FanOut => Spec::FanOut {
                workers: 8,
                jobs: pick(1_000_000, 20_000),
            },
            Workload::ForkJoin => Spec::ForkJoin {
                actors: 60,
                messages: pick(20_000, 200),
            },
            Workload::SavinaPingPong => Spec::SavinaPingPong {
                pings: pick(40_000, 1_000),
            },
            Workload::SavinaCounting => Spec::Counting {
                increments: pick(1_000_000, 20_000),
            },
            Workload::SavinaThreadRing if quick => Spec::Ring {
                actors: 10,
                hops: 1_000,
            },
            Workload::SavinaThreadRing => Spec::Ring {
                actors: 100,
                hops: 100_000,
            },
            Workload::SavinaFjThroughput => Spec::ForkJoin {
                actors: 60,
                messages: pick(10_000, 100),
            },
            Workload::SavinaFjCreate => Spec::FjCreate {
                actors: pick(40_000, 1_000),
            },
            Workload::SavinaBig if quick => Spec::Big {
                workers: 10,
                pings: 100,
            },
            Workload::SavinaBig => Spec::Big {
                workers: 120,
                pings: 20_000,
            },
            Workload::SavinaDictionary => Spec::Dictionary {
                workers: 20,
                requests: pick(10_000, 500),
                write_percent: 10,
            },
            Workload::SavinaTrapezoid if quick => Spec::Trapezoid {
                pieces: 1_000,
                workers: 10,
                left: 1.0,
                right: 5.0,
            },
            Workload::SavinaTrapezoid => Spec::Trapezoid {
                pieces: 10_000_000,
                workers: 100,
                left: 1.0,
                right: 5.0,
            },
            Workload::Pool => Spec::Pool {
                jobs: pick(1_000_000, 20_000),
            },
            Workload::Pipeline => Spec::Pipeline {
                items: pick(1_000_000, 20_000),
            },
        }
    }
}

impl Spec {
    /// The spec of the warm-up pass run before the measured one in the same
    /// process. The same as `self`, except for the spawn workload, which
    /// warms up at a hundredth of its size: a full warm-up would leave freed
    /// memory behind for the measured cycle to reuse, hiding its cost.
    pub fn warm_up(&self) -> Spec {
        match *self {
            Spec::Spawn { actors } => Spec::Spawn {
                actors: (actors / 100).max(10),
            },
            other => other,
        }
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One workload's parameters and protocol.
///
/// Mailboxes are unbounded in every workload (Savina's semantics) except
/// the bounded tell, which measures waiting for room; the ask workload's
/// actor and the spawn workload's idle actors keep each implementation's
/// default mailbox. Every implementation times the
/// region from the creation of the workload's first actor to the moment the
/// driver learns the run is complete with every actor stopped (Savina's
/// protocol), and reports the observed check values ([`crate::Check`]) under
/// the names listed on each variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Spec {
    /// The driver creates one actor holding `sum`, `received`, `last` and
    /// `out_of_order` (incremented when a value arrives below the previous
    /// one), and tells it the values `0..messages` in order, one message per
    /// value, waiting for room when the mailbox is bounded to `capacity`
    /// (`None`: unbounded). It then asks for the totals; the actor answers
    /// and stops. Checks: `sum`, `received`, `out_of_order`.
    Tell {
        /// Values told.
        messages: u64,
        /// Mailbox capacity; `None` for unbounded.
        capacity: Option<usize>,
    },
    /// The driver asks one actor `x` for `x = 0..round_trips`, one at a
    /// time; the actor answers `x + 1`. Each round trip is timed for the
    /// latency percentiles. Checks: `sum` of the answers.
    Ask {
        /// Sequential round trips.
        round_trips: u64,
    },
    /// Actors A and B each know the other. The driver sends `Ball(0)` to A.
    /// On `Ball(k)`: when `k == bounces`, the actor reports `k` to the
    /// driver and both stop; otherwise it sends `Ball(k + 1)` to the other.
    /// Checks: `last` (the reported `k`), `handled` (Balls handled by both,
    /// `bounces + 1`).
    PingPong {
        /// Bounces before the rally ends.
        bounces: u64,
    },
    /// Savina's ThreadRing: `actors` members, member `i` told its successor
    /// `(i + 1) % actors` before the run (timed). The driver sends
    /// `Token(hops)` to member 0. On `Token(k)`: `k > 0` sends `Token(k - 1)`
    /// to the successor, else sends `Exit(actors)` to it. On `Exit(k)`:
    /// `k > 0` sends `Exit(k - 1)` on; then the member stops. The last
    /// `Exit(0)` reaches a stopped member and is dropped, not a panic. The
    /// run ends when every member has stopped. Checks: `tokens` (Token
    /// messages handled, `hops + 1`), `zero_at` (the member that got
    /// `Token(0)`), `exit_from` (the member that handled `Exit(actors)`),
    /// `stopped`.
    Ring {
        /// Ring members.
        actors: usize,
        /// Token hops before the exit wave.
        hops: u64,
    },
    /// Spawn `actors` idle actors holding a `u64` and stop them all,
    /// [`crate::spawn::CYCLES`] times; see [`crate::spawn::spawn_cycles`].
    /// Checks: `started`, `stopped`, `tasks_left`.
    Spawn {
        /// Idle actors per cycle.
        actors: usize,
    },
    /// One collector and `workers` workers that know it. The driver sends job
    /// `j` for `j = 0..jobs` to worker `j % workers`; the worker sends
    /// `2 * j + 1` to the collector, which adds and counts and, at `jobs`,
    /// reports the sum to the driver; then all stop. Checks: `sum`, `jobs`.
    FanOut {
        /// Worker actors.
        workers: usize,
        /// Jobs in all.
        jobs: u64,
    },
    /// Savina's fork-join throughput: `actors` workers; the driver sends
    /// `messages` rounds, each one message to every worker in order. A worker
    /// counts and computes `sin(37.2)²` (kept from the optimiser) per message
    /// and stops at `messages`, reporting its count and last result. Checks:
    /// `min_count`, `max_count`, `work` (the last `sin(37.2)²`).
    ForkJoin {
        /// Worker actors.
        actors: usize,
        /// Messages per worker.
        messages: u64,
    },
    /// Savina's PingPong with its `Start`/`Ping`/`Pong`/`Continue`/`Stop`
    /// protocol. Checks: `pings` (received by Pong), `pongs` (received by
    /// Ping).
    SavinaPingPong {
        /// Pings sent.
        pings: u64,
    },
    /// Savina's Counting: a Producer actor tells a Counter actor (unbounded
    /// mailbox) `increments` increments in a tight loop, then asks for the
    /// count. Checks: `count`.
    Counting {
        /// Increments sent.
        increments: u64,
    },
    /// Savina's fork-join create: the driver creates `actors` actors, one at
    /// a time, and sends each one message; each computes `sin(37.2)²` and
    /// stops. The run ends when every actor has stopped. Checks: `started`,
    /// `handled`, `stopped`.
    FjCreate {
        /// Actors created.
        actors: u64,
    },
    /// Savina's Big with each worker's Lcg16 seeded with its id. Checks:
    /// `pings`, `pongs` (without the kick-off ones), `target_sum`,
    /// `self_pings`, `min_received`, `max_received`, `first_received`,
    /// `last_received` (pings received by worker 0 and the last worker).
    Big {
        /// Workers.
        workers: usize,
        /// Pings each worker sends.
        pings: u64,
    },
    /// Savina's concurrent dictionary, Lcg16 version. Checks: `writes`,
    /// `reads`, `write_sum` (Σ key + value over writes), `read_key_sum`,
    /// `size` (the dictionary's final size).
    Dictionary {
        /// Worker actors.
        workers: usize,
        /// Requests per worker.
        requests: u64,
        /// Percentage of writes.
        write_percent: u32,
    },
    /// Savina's trapezoidal approximation. Checks: `area` (relative
    /// tolerance 1e-9), `pieces` (pieces evaluated, Σ over workers of
    /// `trunc((wr − wl) / h)`).
    Trapezoid {
        /// Pieces the interval is cut into.
        pieces: u64,
        /// Worker actors.
        workers: usize,
        /// Left end of the interval.
        left: f64,
        /// Right end of the interval.
        right: f64,
    },
    /// Eight pool workers sum the jobs `0..jobs` (this runtime's `Pool`
    /// beside hand-written tokio). Checks: `sum`.
    Pool {
        /// Jobs submitted.
        jobs: u64,
    },
    /// Three stages (`+1`, `×2`, `−2`) over `0..items` (this runtime's
    /// `Pipeline` beside hand-written tokio). Checks: `sum` of the output.
    Pipeline {
        /// Items through the stages.
        items: u64,
    },
}
