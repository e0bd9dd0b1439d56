//! Savina's trapezoidal approximation, on ractor's default (unbounded)
//! mailboxes. The Master spawns its workers linked to itself (ractor's
//! supervision tree), scatters the intervals, gathers the areas, and stops
//! once it has every result and every worker has terminated.

use std::time::Instant;

use ractor::concurrency::JoinHandle;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};

use super::{joined, report, report_port, send_report, start};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::{trapezoid_interval, trapezoid_share};

/// The Master's messages.
enum MasterMsg {
    /// The whole interval `[left, right]`, cut into `pieces`.
    Work { left: f64, right: f64, pieces: u64 },
    /// One worker's share and the pieces it evaluated.
    Result { area: f64, pieces: u64 },
}

/// A worker's one message: its interval and step.
struct Work {
    wl: f64,
    wr: f64,
    h: f64,
}

/// Integrates its interval, answers the Master and stops.
struct Worker {
    master: ActorRef<MasterMsg>,
}

impl Actor for Worker {
    type Msg = Work;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Work>, (): ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Work>,
        work: Work,
        (): &mut (),
    ) -> Result<(), ActorProcessingErr> {
        let (area, pieces) = trapezoid_share(work.wl, work.wr, work.h);
        self.master.cast(MasterMsg::Result { area, pieces })?;
        myself.stop(None);
        Ok(())
    }
}

/// What the Master reports: the area and the pieces evaluated.
type Outcome = (f64, u64);

/// The Master of `workers` workers.
struct Master {
    workers: usize,
}

struct MasterState {
    workers: Vec<ActorRef<Work>>,
    children: Vec<JoinHandle<()>>,
    results: usize,
    alive: usize,
    area: f64,
    pieces: u64,
    report: Option<RpcReplyPort<Outcome>>,
}

impl Master {
    /// Reports and stops once every result is in and every worker ended.
    fn finish_when_done(
        &self,
        myself: &ActorRef<MasterMsg>,
        state: &mut MasterState,
    ) -> Result<(), ActorProcessingErr> {
        if state.results == self.workers && state.alive == 0 {
            send_report(&mut state.report, (state.area, state.pieces))?;
            myself.stop(None);
        }
        Ok(())
    }

    fn scatter(
        &self,
        state: &MasterState,
        left: f64,
        right: f64,
        pieces: u64,
    ) -> Result<(), ActorProcessingErr> {
        for (index, worker) in state.workers.iter().enumerate() {
            let (wl, wr, h) = trapezoid_interval(index, self.workers, pieces, left, right);
            worker.cast(Work { wl, wr, h })?;
        }
        Ok(())
    }
}

impl Actor for Master {
    type Msg = MasterMsg;
    type State = MasterState;
    type Arguments = RpcReplyPort<Outcome>;

    async fn pre_start(
        &self,
        myself: ActorRef<MasterMsg>,
        report: RpcReplyPort<Outcome>,
    ) -> Result<MasterState, ActorProcessingErr> {
        let mut workers = Vec::with_capacity(self.workers);
        let mut children = Vec::with_capacity(self.workers);
        for _ in 0..self.workers {
            let worker = Worker {
                master: myself.clone(),
            };
            let (worker, handle) = Actor::spawn_linked(None, worker, (), myself.get_cell()).await?;
            workers.push(worker);
            children.push(handle);
        }
        Ok(MasterState {
            alive: workers.len(),
            workers,
            children,
            results: 0,
            area: 0.0,
            pieces: 0,
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<MasterMsg>,
        message: MasterMsg,
        state: &mut MasterState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            MasterMsg::Work {
                left,
                right,
                pieces,
            } => self.scatter(state, left, right, pieces)?,
            MasterMsg::Result { area, pieces } => {
                state.area += area;
                state.pieces += pieces;
                state.results += 1;
            }
        }
        self.finish_when_done(&myself, state)
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<MasterMsg>,
        event: SupervisionEvent,
        state: &mut MasterState,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorTerminated(..) => {
                state.alive -= 1;
                self.finish_when_done(&myself, state)
            }
            SupervisionEvent::ActorFailed(_, error) => {
                Err(format!("a worker failed: {error}").into())
            }
            _ => Ok(()),
        }
    }

    /// The workers reported their end through supervision; their tasks are
    /// joined here so that none outlives the Master.
    async fn post_stop(
        &self,
        _: ActorRef<MasterMsg>,
        state: &mut MasterState,
    ) -> Result<(), ActorProcessingErr> {
        for child in state.children.drain(..) {
            child.await?;
        }
        Ok(())
    }
}

/// `Spec::Trapezoid`.
pub(super) async fn trapezoid(pieces: u64, workers: usize, left: f64, right: f64) -> Pass {
    let started = Instant::now();
    let (port, rx) = report_port();
    let (master, handle) = start(Master { workers }, port).await;
    master
        .cast(MasterMsg::Work {
            left,
            right,
            pieces,
        })
        .expect("the master is alive");
    let (area, evaluated) = report(rx).await;
    joined(vec![handle]).await;
    let check = Check::new().float("area", area).int("pieces", evaluated);
    Pass::new(started.elapsed(), check)
}
