//! Check values: what a run computed, what it should have computed, and
//! the comparison between them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::savina::{
    BigTally, DATA_LIMIT, DictionaryRequest, Lcg16, dictionary_seed, fork_join_work,
    trapezoid_interval, trapezoid_share,
};
use crate::spec::Spec;

/// Relative tolerance for floating-point checks whose addition order may
/// depend on message arrival.
pub const FLOAT_TOLERANCE: f64 = 1e-9;

/// One check value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// Compared exactly.
    Int(i64),
    /// Compared with [`FLOAT_TOLERANCE`].
    Float(f64),
}

/// Named check values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Check(pub BTreeMap<String, Value>);

impl Check {
    /// No values yet.
    pub fn new() -> Check {
        Check::default()
    }

    /// Adds an integer value.
    #[must_use]
    pub fn int(mut self, name: &str, value: impl TryInto<i64>) -> Check {
        let value = value.try_into().unwrap_or(i64::MAX);
        self.0.insert(name.to_owned(), Value::Int(value));
        self
    }

    /// Adds a floating-point value.
    #[must_use]
    pub fn float(mut self, name: &str, value: f64) -> Check {
        self.0.insert(name.to_owned(), Value::Float(value));
        self
    }

    /// What differs between this (expected) check and `observed`: one line
    /// per missing, extra or unequal value. Empty when they agree.
    pub fn mismatches(&self, observed: &Check) -> Vec<String> {
        let mut out = Vec::new();
        for (name, want) in &self.0 {
            match observed.0.get(name) {
                None => out.push(format!("{name}: missing, expected {want:?}")),
                Some(got) if !agrees(*want, *got) => {
                    out.push(format!("{name}: got {got:?}, expected {want:?}"));
                }
                Some(_) => {}
            }
        }
        for name in observed.0.keys().filter(|n| !self.0.contains_key(*n)) {
            out.push(format!("{name}: reported but not part of the check"));
        }
        out
    }
}

fn agrees(want: Value, got: Value) -> bool {
    match (want, got) {
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Float(a), Value::Float(b)) => {
            (a - b).abs() <= FLOAT_TOLERANCE * a.abs().max(b.abs()) || a == b
        }
        _ => false,
    }
}

impl Spec {
    /// The values a correct run reports, computed sequentially.
    pub fn expected(&self) -> Check {
        let c = Check::new();
        match *self {
            Spec::Tell { messages: n, .. } => c
                .int("sum", n * n.saturating_sub(1) / 2)
                .int("received", n)
                .int("out_of_order", 0),
            Spec::Ask { round_trips: n } => c.int("sum", n * (n + 1) / 2),
            Spec::PingPong { bounces } => c.int("last", bounces).int("handled", bounces + 1),
            Spec::Ring { actors, hops } => c
                .int("tokens", hops + 1)
                .int("zero_at", hops % actors as u64)
                .int("exit_from", (hops + 1) % actors as u64)
                .int("stopped", actors),
            Spec::Spawn { actors } => c
                .int("started", crate::spawn::CYCLES * actors)
                .int("stopped", crate::spawn::CYCLES * actors)
                .int("tasks_left", 0),
            Spec::FanOut { jobs, .. } => c.int("sum", jobs * jobs).int("jobs", jobs),
            Spec::ForkJoin { messages, .. } => c
                .int("min_count", messages)
                .int("max_count", messages)
                .float("work", fork_join_work()),
            Spec::SavinaPingPong { pings } => c.int("pings", pings).int("pongs", pings),
            Spec::Counting { increments } => c.int("count", increments),
            Spec::FjCreate { actors } => c
                .int("started", actors)
                .int("handled", actors)
                .int("stopped", actors),
            Spec::Big { workers, pings } => big_expected(workers, pings),
            Spec::Dictionary {
                workers,
                requests,
                write_percent,
            } => dictionary_expected(workers, requests, write_percent),
            Spec::Trapezoid {
                pieces,
                workers,
                left,
                right,
            } => trapezoid_expected(pieces, workers, left, right),
            Spec::Pool { jobs } => c.int("sum", jobs * jobs.saturating_sub(1) / 2),
            Spec::Pipeline { items } => c.int("sum", items * items.saturating_sub(1)),
        }
    }
}

/// Pings received per worker in Big: each worker's targets depend only on
/// its own generator.
pub fn big_received(workers: usize, pings: u64) -> Vec<u64> {
    let mut received = vec![0u64; workers];
    for id in 0..workers {
        let mut rng = Lcg16::new(id as u64);
        for _ in 0..pings {
            received[rng.next_below(workers as i64) as usize] += 1;
        }
    }
    received
}

fn big_expected(workers: usize, pings: u64) -> Check {
    let received = big_received(workers, pings);
    let mut target_sum = 0u64;
    let mut self_pings = 0u64;
    for id in 0..workers {
        let mut rng = Lcg16::new(id as u64);
        for _ in 0..pings {
            let target = rng.next_below(workers as i64) as usize;
            target_sum += target as u64;
            self_pings += u64::from(target == id);
        }
    }
    let total = workers as u64 * pings;
    Check::new()
        .int("pings", total)
        .int("pongs", total)
        .int("target_sum", target_sum)
        .int("self_pings", self_pings)
        .int("min_received", received.iter().copied().min().unwrap_or(0))
        .int("max_received", received.iter().copied().max().unwrap_or(0))
        .int("first_received", received.first().copied().unwrap_or(0))
        .int("last_received", received.last().copied().unwrap_or(0))
}

/// Big's check values from every worker's tally, in worker-id order: what
/// each implementation reports.
pub fn big_check(tallies: &[BigTally]) -> Check {
    let sum = |f: fn(&BigTally) -> u64| tallies.iter().map(f).sum::<u64>();
    let received = || tallies.iter().map(|t| t.received);
    Check::new()
        .int("pings", sum(|t| t.sent))
        .int("pongs", sum(|t| t.pongs))
        .int("target_sum", sum(|t| t.target_sum))
        .int("self_pings", sum(|t| t.self_pings))
        .int("min_received", received().min().unwrap_or(0))
        .int("max_received", received().max().unwrap_or(0))
        .int("first_received", tallies.first().map_or(0, |t| t.received))
        .int("last_received", tallies.last().map_or(0, |t| t.received))
}

fn dictionary_expected(workers: usize, requests: u64, write_percent: u32) -> Check {
    let (mut writes, mut reads, mut write_sum, mut read_key_sum) = (0i64, 0i64, 0i64, 0i64);
    for index in 0..workers {
        let mut rng = Lcg16::new(dictionary_seed(index, requests, write_percent));
        for _ in 0..requests {
            match DictionaryRequest::draw(&mut rng, write_percent) {
                DictionaryRequest::Write { key, value } => {
                    writes += 1;
                    write_sum += key + value;
                }
                DictionaryRequest::Read { key } => {
                    reads += 1;
                    read_key_sum += key;
                }
            }
        }
    }
    Check::new()
        .int("writes", writes)
        .int("reads", reads)
        .int("write_sum", write_sum)
        .int("read_key_sum", read_key_sum)
        .int("size", DATA_LIMIT)
}

fn trapezoid_expected(pieces: u64, workers: usize, left: f64, right: f64) -> Check {
    let (mut area, mut evaluated) = (0.0, 0u64);
    for index in 0..workers {
        let (wl, wr, h) = trapezoid_interval(index, workers, pieces, left, right);
        let (share, n) = trapezoid_share(wl, wr, h);
        area += share;
        evaluated += n;
    }
    Check::new().float("area", area).int("pieces", evaluated)
}

#[cfg(test)]
mod tests {
    //! The sequential reference against the values published in SAVINA.md.

    use super::*;

    fn int(check: &Check, name: &str) -> i64 {
        match check.0[name] {
            Value::Int(v) => v,
            Value::Float(_) => panic!("{name} is not an integer"),
        }
    }

    #[test]
    fn big_matches_the_published_checks() {
        let check = Spec::Big {
            workers: 120,
            pings: 20_000,
        }
        .expected();
        assert_eq!(int(&check, "pings"), 2_400_000);
        assert_eq!(int(&check, "target_sum"), 142_817_704);
        assert_eq!(int(&check, "min_received"), 19_752);
        assert_eq!(int(&check, "max_received"), 20_248);
        assert_eq!(int(&check, "first_received"), 19_916);
        assert_eq!(int(&check, "last_received"), 20_039);
        assert_eq!(int(&check, "self_pings"), 19_978);
        assert_eq!(
            big_received(10, 100),
            [114, 95, 87, 95, 93, 109, 98, 110, 108, 91]
        );
    }

    #[test]
    fn dictionary_matches_the_published_checks() {
        let check = Spec::Dictionary {
            workers: 20,
            requests: 10_000,
            write_percent: 10,
        }
        .expected();
        assert_eq!(int(&check, "writes"), 19_981);
        assert_eq!(int(&check, "reads"), 180_019);
        assert_eq!(int(&check, "write_sum"), 1_318_636_177);
        assert_eq!(int(&check, "read_key_sum"), 5_890_218_243);
        assert_eq!(int(&check, "size"), 524_287);
    }

    #[test]
    fn trapezoid_matches_the_published_small_checks() {
        let small = trapezoid_expected(1_000, 10, 1.0, 5.0);
        assert_eq!(int(&small, "pieces"), 993);
        let want = Check::new()
            .float("area", 0.27268509869056673)
            .int("pieces", 993);
        assert!(want.mismatches(&small).is_empty(), "{small:?}");
        let medium = trapezoid_expected(100_000, 100, 1.0, 5.0);
        assert_eq!(
            medium.mismatches(&medium.clone().float("area", 0.27108075073516635)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn fork_join_work_is_the_published_value() {
        assert!((fork_join_work() - 0.22910191538134758).abs() < 1e-15);
    }

    #[test]
    fn mismatches_name_missing_wrong_and_extra_values() {
        let want = Check::new().int("a", 1).float("b", 1.0);
        let got = Check::new().int("a", 2).int("c", 3);
        let lines = want.mismatches(&got);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("a: got"));
        assert!(lines[1].starts_with("b: missing"));
        assert!(lines[2].starts_with("c: reported"));
        let close = Check::new().float("b", 1.0 + 1e-12);
        assert!(Check::new().float("b", 1.0).mismatches(&close).is_empty());
    }
}
