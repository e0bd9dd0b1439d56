//! Savina's trapezoidal approximation: a master scatters intervals to
//! workers and adds their areas. Mailboxes are actix's default; tells use
//! `do_send`.

use std::time::Instant;

use ::actix::{Actor, ActorContext, Addr, AsyncContext, Context, Handler, Message};

use super::support::{Placement, Reporter, reports};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::{trapezoid_interval, trapezoid_share};

/// Reports: the master's `(area, pieces)`, `None` from the workers.
type Report = Reporter<Option<(f64, u64)>>;

/// The master: starts the workers, adds their shares.
struct Master {
    place: Placement,
    workers: usize,
    held: Vec<Addr<Worker>>,
    results: usize,
    area: f64,
    pieces: u64,
    report: Report,
}

impl Actor for Master {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(Some((self.area, self.pieces)));
    }
}

/// The whole job for the master: `[left, right]` in `pieces` pieces.
#[derive(Message)]
#[rtype(result = "()")]
struct Integrate {
    pieces: u64,
    left: f64,
    right: f64,
}

/// One worker's interval `[wl, wr)` in steps of `h`.
#[derive(Message)]
#[rtype(result = "()")]
struct Interval {
    wl: f64,
    wr: f64,
    h: f64,
}

/// A worker's share: area and pieces evaluated.
#[derive(Message)]
#[rtype(result = "()")]
struct Share(f64, u64);

impl Handler<Integrate> for Master {
    type Result = ();

    fn handle(&mut self, job: Integrate, ctx: &mut Context<Self>) {
        let group = self.workers + 1;
        for index in 0..self.workers {
            let (master, report) = (ctx.address(), self.report.clone());
            let worker = self
                .place
                .start(index + 1, group, move |_| Worker { master, report });
            let (wl, wr, h) =
                trapezoid_interval(index, self.workers, job.pieces, job.left, job.right);
            worker.do_send(Interval { wl, wr, h });
            self.held.push(worker);
        }
    }
}

impl Handler<Share> for Master {
    type Result = ();

    fn handle(&mut self, Share(area, pieces): Share, ctx: &mut Context<Self>) {
        self.area += area;
        self.pieces += pieces;
        self.results += 1;
        if self.results == self.workers {
            ctx.stop();
        }
    }
}

/// A worker: integrates its interval, answers and stops.
struct Worker {
    master: Addr<Master>,
    report: Report,
}

impl Actor for Worker {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(None);
    }
}

impl Handler<Interval> for Worker {
    type Result = ();

    fn handle(&mut self, job: Interval, ctx: &mut Context<Self>) {
        let (area, pieces) = trapezoid_share(job.wl, job.wr, job.h);
        self.master.do_send(Share(area, pieces));
        ctx.stop();
    }
}

/// Savina's trapezoid over `[left, right]` in `pieces` pieces and
/// `workers` workers.
pub(super) async fn trapezoid(
    place: Placement,
    pieces: u64,
    workers: usize,
    left: f64,
    right: f64,
) -> Pass {
    let (report, reports) = reports();
    let started = Instant::now();
    let master_place = place.clone();
    let master = place.start(0, workers + 1, move |_| Master {
        place: master_place,
        workers,
        held: Vec::with_capacity(workers),
        results: 0,
        area: 0.0,
        pieces: 0,
        report,
    });
    master.do_send(Integrate {
        pieces,
        left,
        right,
    });
    let (area, evaluated) = reports
        .all()
        .await
        .into_iter()
        .flatten()
        .next()
        .unwrap_or((f64::NAN, 0));
    drop(master);
    let check = Check::new().float("area", area).int("pieces", evaluated);
    Pass::new(started.elapsed(), check)
}
