//! Savina's trapezoidal approximation as kompact components. The master
//! is told the interval and the number of pieces (from which Savina's `h`
//! follows) and hands worker `i` its interval `(wl, wr, h)`.

use std::time::Instant;

use kompact::prelude::*;

use super::micro::strong;
use super::{Finish, all_stopped};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::{trapezoid_interval, trapezoid_share};

/// The trapezoid master's messages.
#[derive(Debug)]
enum TrapMsg {
    /// The whole interval, cut into `pieces`.
    Work { left: f64, right: f64, pieces: u64 },
    /// One worker's share: `(area, pieces evaluated)`.
    Result(f64, u64),
}

/// An area and the pieces evaluated for it.
type Share = (f64, u64);

/// One worker's interval `(wl, wr, h)`.
#[derive(Debug)]
struct Interval(f64, f64, f64);

/// Integrates its interval, answers the master and shuts down.
#[derive(ComponentDefinition)]
struct TrapWorker {
    ctx: ComponentContext<Self>,
    master: ActorRef<TrapMsg>,
    finish: Finish<Option<Share>>,
}

impl ComponentLifecycle for TrapWorker {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report(None);
        Handled::OK
    }
}

impl Actor for TrapWorker {
    type Message = Interval;

    fn receive_local(&mut self, Interval(wl, wr, h): Interval) -> HandlerResult {
        let (area, pieces) = trapezoid_share(wl, wr, h);
        self.master.tell(TrapMsg::Result(area, pieces));
        Handled::SHUTDOWN
    }
}

/// Creates its workers when started (Savina does so in the master's
/// constructor), hands out the intervals, adds the results.
#[derive(ComponentDefinition)]
struct TrapMaster {
    ctx: ComponentContext<Self>,
    workers: Vec<ActorRefStrong<Interval>>,
    size: usize,
    received: usize,
    total: Share,
    finish: Finish<Option<Share>>,
}

impl TrapMaster {
    fn hand_out(&mut self, left: f64, right: f64, pieces: u64) -> HandlerResult {
        let n = self.workers.len();
        for (i, worker) in self.workers.iter().enumerate() {
            let (wl, wr, h) = trapezoid_interval(i, n, pieces, left, right);
            worker.tell(Interval(wl, wr, h));
        }
        Handled::OK
    }

    fn add(&mut self, area: f64, pieces: u64) -> HandlerResult {
        self.total.0 += area;
        self.total.1 += pieces;
        self.received += 1;
        if self.received == self.size {
            return Handled::SHUTDOWN;
        }
        Handled::OK
    }
}

impl ComponentLifecycle for TrapMaster {
    fn on_start(&mut self) -> HandlerResult {
        let system = self.ctx.system();
        for _ in 0..self.size {
            let worker = system.create(|| TrapWorker {
                ctx: ComponentContext::uninitialised(),
                master: self.actor_ref(),
                finish: self.finish.clone(),
            });
            system.start(&worker);
            self.workers.push(strong(&worker));
        }
        Handled::OK
    }

    fn on_kill(&mut self) -> HandlerResult {
        self.workers.clear();
        self.finish.report(Some(self.total));
        Handled::OK
    }
}

impl Actor for TrapMaster {
    type Message = TrapMsg;

    fn receive_local(&mut self, msg: TrapMsg) -> HandlerResult {
        match msg {
            TrapMsg::Work {
                left,
                right,
                pieces,
            } => self.hand_out(left, right, pieces),
            TrapMsg::Result(area, pieces) => self.add(area, pieces),
        }
    }
}

/// Savina #28, trapezoidal approximation.
pub(super) async fn trapezoid(
    system: KompactSystem,
    pieces: u64,
    workers: usize,
    left: f64,
    right: f64,
) -> Pass {
    let (finish, stopped) = Finish::new(workers + 1);
    let started = Instant::now();
    let master = system.create(|| TrapMaster {
        ctx: ComponentContext::uninitialised(),
        workers: Vec::with_capacity(workers),
        size: workers,
        received: 0,
        total: (0.0, 0),
        finish,
    });
    system.start(&master);
    master.actor_ref().tell(TrapMsg::Work {
        left,
        right,
        pieces,
    });
    drop(master);
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let (area, evaluated) = reports.into_iter().flatten().next().unwrap_or((0.0, 0));
    let check = Check::new().float("area", area).int("pieces", evaluated);
    Pass::new(elapsed, check)
}
