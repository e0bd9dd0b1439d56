//! The policies of supervision, as plain values: restart, shutdown,
//! strategy, intensity and backoff. Pure logic, unit-tested here.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use crate::actor::StopReason;
use crate::error::ConfigError;

/// When a child is restarted after an incarnation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Restart {
    /// Always (a long-lived service).
    #[default]
    Permanent,
    /// Only after a failure (a task that may finish).
    Transient,
    /// Never (a one-off).
    Temporary,
}

impl Restart {
    /// Whether an incarnation that ended for `reason` is restarted.
    pub fn restarts_after(&self, reason: &StopReason) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => reason.is_failure() || *reason == StopReason::Killed,
            Restart::Temporary => false,
        }
    }
}

/// How a parent stops a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Ask it to stop (it drains its mailbox), wait up to the limit, then
    /// kill it.
    Graceful(Duration),
    /// Kill it at once.
    Abort,
    /// Ask it to stop and wait as long as it takes (for child supervisors).
    Wait,
}

impl Default for Shutdown {
    /// Five seconds of grace, as Erlang's default for workers.
    fn default() -> Self {
        Shutdown::Graceful(Duration::from_secs(5))
    }
}

/// Which children restart when one of them ends.
///
/// For the group strategies the others are interrupted one at a time, each
/// awaited before the next; restarts are then issued in start order. Each
/// child runs its `started` hook in its own task, so on more than one worker
/// thread those hooks may overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Only that child.
    #[default]
    OneForOne,
    /// Every child: the others are stopped in reverse start order, then all
    /// start again in order.
    OneForAll,
    /// That child and every child started after it.
    RestForOne,
}

/// At most `max_restarts` restarts within `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intensity {
    max_restarts: u32,
    period: Duration,
}

impl Intensity {
    /// At most `max_restarts` restarts within `period`.
    pub fn new(max_restarts: u32, period: Duration) -> Self {
        Intensity {
            max_restarts,
            period,
        }
    }

    /// The window restarts are counted in.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Checks that the period is not zero.
    ///
    /// # Errors
    ///
    /// [`ConfigError::ZeroTimeout`] naming `intensity period`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.period.is_zero() {
            return Err(ConfigError::ZeroTimeout {
                field: "intensity period",
            });
        }
        Ok(())
    }
}

impl Default for Intensity {
    /// Three restarts in five seconds.
    fn default() -> Self {
        Intensity::new(3, Duration::from_secs(5))
    }
}

impl fmt::Display for Intensity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} restarts in {:?}", self.max_restarts, self.period)
    }
}

/// The sliding window of recent restarts.
#[derive(Debug)]
pub(crate) struct RestartWindow {
    intensity: Intensity,
    restarts: VecDeque<Instant>,
}

impl RestartWindow {
    pub(crate) fn new(intensity: Intensity) -> Self {
        RestartWindow {
            intensity,
            restarts: VecDeque::new(),
        }
    }

    pub(crate) fn intensity(&self) -> Intensity {
        self.intensity
    }

    /// Records a restart at `now`; `false` when it exceeds the intensity.
    pub(crate) fn record(&mut self, now: Instant) -> bool {
        while let Some(&oldest) = self.restarts.front() {
            if now.duration_since(oldest) < self.intensity.period {
                break;
            }
            self.restarts.pop_front();
        }
        if self.restarts.len() >= self.intensity.max_restarts as usize {
            return false;
        }
        self.restarts.push_back(now);
        true
    }
}

/// Exponential backoff between a child's restarts: `initial`, doubled per
/// restart in a row, capped at `max`, spread by up to `jitter` either way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    jitter: f64,
}

impl Backoff {
    /// Starts at `initial`, doubles up to `max`, with ±`jitter` (0 to 1) of
    /// spread.
    pub fn new(initial: Duration, max: Duration, jitter: f64) -> Self {
        Backoff {
            initial,
            max,
            jitter,
        }
    }

    /// No delay: restart at once.
    pub fn none() -> Self {
        Backoff::new(Duration::ZERO, Duration::ZERO, 0.0)
    }

    /// Checks that `jitter` is within 0 to 1 and `initial` is not above
    /// `max`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidBackoff`] saying which.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(ConfigError::InvalidBackoff("jitter must be within 0 and 1"));
        }
        if self.initial > self.max {
            return Err(ConfigError::InvalidBackoff(
                "initial delay exceeds the maximum",
            ));
        }
        Ok(())
    }

    /// The delay before restart number `attempt` (1 for the first in a row),
    /// with `unit` a uniform draw in `[0, 1)` for the jitter.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        let base = self
            .initial
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max);
        let spread = 1.0 + self.jitter * (2.0 * unit - 1.0);
        base.mul_f64(spread.max(0.0)).min(self.max)
    }
}

impl Default for Backoff {
    /// 10 ms, doubling up to 5 s, ±10 %.
    fn default() -> Self {
        Backoff::new(Duration::from_millis(10), Duration::from_secs(5), 0.1)
    }
}

/// A seed for the jitter, from the random bits of a fresh id.
pub(crate) fn seed() -> u64 {
    crate::actor::ActorId::new().as_uuid().as_u64_pair().0 | 1
}

/// A uniform draw in `[0, 1)` (xorshift64*): jitter needs spread, not
/// cryptographic quality.
pub(crate) fn next_unit(state: &mut u64) -> f64 {
    let mut x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    let bits = x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Failure;

    #[test]
    fn restart_policies_follow_the_table() {
        let failed = StopReason::Failed(Failure::supervision("x".into()));
        for (reason, permanent, transient) in [
            (StopReason::Normal, true, false),
            (StopReason::Shutdown, true, false),
            (failed, true, true),
            (StopReason::Killed, true, true),
        ] {
            assert_eq!(Restart::Permanent.restarts_after(&reason), permanent);
            assert_eq!(Restart::Transient.restarts_after(&reason), transient);
            assert!(!Restart::Temporary.restarts_after(&reason));
        }
    }

    #[test]
    fn the_window_allows_max_restarts_per_period() {
        let start = Instant::now();
        let mut window = RestartWindow::new(Intensity::new(2, Duration::from_secs(10)));
        assert!(window.record(start));
        assert!(window.record(start + Duration::from_secs(1)));
        assert!(
            !window.record(start + Duration::from_secs(2)),
            "a third within 10 s"
        );
        // Once the first restart leaves the window, there is room again.
        assert!(window.record(start + Duration::from_secs(10)));
    }

    #[test]
    fn zero_restarts_allows_none() {
        let mut window = RestartWindow::new(Intensity::new(0, Duration::from_secs(1)));
        assert!(!window.record(Instant::now()));
    }

    #[test]
    fn backoff_doubles_to_its_cap() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 0.0);
        let delays: Vec<_> = (1..=6).map(|n| b.delay(n, 0.5).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.delay(u32::MAX, 0.5), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_within_its_spread_and_the_cap() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_millis(150), 0.5);
        let mut state = seed();
        for attempt in 1..20 {
            for _ in 0..100 {
                let unit = next_unit(&mut state);
                assert!((0.0..1.0).contains(&unit));
                let d = b.delay(attempt, unit);
                assert!(d <= Duration::from_millis(150), "{d:?} above the cap");
                assert!(d >= Duration::from_millis(50), "{d:?} below the spread");
            }
        }
    }

    #[test]
    fn invalid_backoffs_and_intensities_are_named() {
        let err = Backoff::new(Duration::ZERO, Duration::ZERO, 2.0)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("jitter"), "{err}");
        let err = Backoff::new(Duration::from_secs(2), Duration::from_secs(1), 0.0)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("initial"), "{err}");
        let err = Intensity::new(1, Duration::ZERO).validate().unwrap_err();
        assert!(err.to_string().contains("intensity period"), "{err}");
    }
}
