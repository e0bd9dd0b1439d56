//! The pieces of Savina's programs every implementation shares: the Lcg16
//! generator, the fork-join work, the trapezoid integrand, and the
//! dictionary's key space.

use std::hint::black_box;

/// Savina's 16-bit linear congruential generator, so that every
/// implementation draws the same sequence.
#[derive(Clone, Copy, Debug)]
pub struct Lcg16 {
    state: u64,
}

impl Lcg16 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Lcg16 {
        Lcg16 { state: seed }
    }

    /// The next draw, in `0..65536`.
    pub fn next_int(&mut self) -> i64 {
        self.state = (self.state.wrapping_mul(1309).wrapping_add(13849)) & 0xFFFF;
        self.state as i64
    }

    /// The next draw modulo `bound` (which must be positive).
    pub fn next_below(&mut self, bound: i64) -> i64 {
        self.next_int() % bound
    }
}

/// The per-message work of the fork-join programs: `sin(37.2)²`, hidden
/// from the optimiser. Savina throws when it is not positive.
///
/// # Panics
///
/// If the result is not positive, as Savina does.
pub fn fork_join_work() -> f64 {
    let s = black_box(37.2f64).sin();
    let r = s * s;
    assert!(r > 0.0, "sin(37.2)² must be positive");
    r
}

/// The dictionary's initial size and key space: `(2³¹ − 1) / 4096`.
pub const DATA_LIMIT: i64 = (i32::MAX as i64) / 4096;

/// A dictionary key from a raw draw: `|key| mod DATA_LIMIT`.
pub fn dictionary_key(raw: i64) -> i64 {
    raw.abs() % DATA_LIMIT
}

/// One dictionary worker's request `count` (1-based), drawn from its
/// generator: a write of `(key, value)` or a read of `key`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictionaryRequest {
    /// Insert `value` under `key`.
    Write {
        /// The key.
        key: i64,
        /// The value.
        value: i64,
    },
    /// Look `key` up.
    Read {
        /// The key.
        key: i64,
    },
}

impl DictionaryRequest {
    /// Draws the next request from `rng` with `write_percent` % writes.
    pub fn draw(rng: &mut Lcg16, write_percent: u32) -> DictionaryRequest {
        if rng.next_below(100) < i64::from(write_percent) {
            let key = dictionary_key(rng.next_int());
            DictionaryRequest::Write {
                key,
                value: rng.next_int(),
            }
        } else {
            DictionaryRequest::Read {
                key: dictionary_key(rng.next_int()),
            }
        }
    }
}

/// Dictionary worker `index`'s generator seed: `index + requests + write%`.
pub fn dictionary_seed(index: usize, requests: u64, write_percent: u32) -> u64 {
    index as u64 + requests + u64::from(write_percent)
}

/// The trapezoid integrand `sin(x³ − 1) / (x + 1) · √(1 + e^{√(2x)})`.
pub fn trapezoid_f(x: f64) -> f64 {
    let a = (x.powi(3) - 1.0).sin();
    let b = x + 1.0;
    let c = (1.0 + (2.0 * x).sqrt().exp()).sqrt();
    a / b * c
}

/// One trapezoid worker's share over `[left, right)` in steps of `h`:
/// `(area, pieces evaluated)`, with Savina's `n = trunc((wr − wl) / h)`.
pub fn trapezoid_share(left: f64, right: f64, h: f64) -> (f64, u64) {
    let n = ((right - left) / h) as u64;
    let mut acc = 0.0;
    for i in 0..n {
        let lx = i as f64 * h + left;
        let rx = lx + h;
        acc += 0.5 * (trapezoid_f(lx) + trapezoid_f(rx)) * h;
    }
    (acc, n)
}

/// Worker `index`'s interval `(wl, wr, h)` of `workers` over
/// `[left, right]` cut into `pieces`.
pub fn trapezoid_interval(
    index: usize,
    workers: usize,
    pieces: u64,
    left: f64,
    right: f64,
) -> (f64, f64, f64) {
    let h = (right - left) / pieces as f64;
    let range = (right - left) / workers as f64;
    let wl = range * index as f64 + left;
    (wl, wl + range, h)
}

/// What one Big worker counted, reported when it stops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BigTally {
    /// Pings sent.
    pub sent: u64,
    /// Pongs received, the kick-off not counted.
    pub pongs: u64,
    /// Pings received.
    pub received: u64,
    /// The sum of the ids pinged.
    pub target_sum: u64,
    /// Pings sent to itself.
    pub self_pings: u64,
}

impl BigTally {
    /// Counts one ping that worker `me` sends to worker `target`.
    pub fn ping_sent(&mut self, me: usize, target: usize) {
        self.sent += 1;
        self.target_sum += target as u64;
        self.self_pings += u64::from(target == me);
    }
}
