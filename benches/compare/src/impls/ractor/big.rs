//! Savina's Big, on ractor's default (unbounded) mailboxes.

use std::sync::Arc;
use std::time::Instant;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use super::{joined, report, report_port, send_report, start};
use crate::check::big_check;
use crate::measure::Pass;
use crate::savina::BigTally as WorkerReport;
use crate::savina::Lcg16;

/// Every worker, as the sink and the workers are told at setup.
type Workers = Arc<[ActorRef<BigMsg>]>;

/// A worker's messages.
enum BigMsg {
    Setup(Workers),
    Ping(usize),
    /// From a worker id, or −1 for the driver's kick-off.
    Pong(i64),
    Exit,
}

/// The sink's messages.
enum SinkMsg {
    Setup(Workers),
    Exit,
}

/// Worker `id`: sends `pings` pings to workers drawn from its Lcg16, one
/// at a time, and answers every ping it gets.
struct Worker {
    id: usize,
    pings: u64,
    sink: ActorRef<SinkMsg>,
}

struct WorkerState {
    workers: Option<Workers>,
    rng: Lcg16,
    expected: i64,
    tally: WorkerReport,
    report: Option<RpcReplyPort<WorkerReport>>,
}

impl Worker {
    fn on_pong(&self, from: i64, state: &mut WorkerState) -> Result<(), ActorProcessingErr> {
        if from != state.expected {
            return Err(format!(
                "worker {} got a pong from {from}, expected {}",
                self.id, state.expected
            )
            .into());
        }
        if from >= 0 {
            state.tally.pongs += 1;
        }
        if state.tally.sent == self.pings {
            self.sink.cast(SinkMsg::Exit)?;
            return Ok(());
        }
        let workers = state.workers.as_ref().ok_or("a pong before setup")?;
        let target = state.rng.next_below(workers.len() as i64) as usize;
        state.expected = target as i64;
        workers[target].cast(BigMsg::Ping(self.id))?;
        state.tally.ping_sent(self.id, target);
        Ok(())
    }
}

impl Actor for Worker {
    type Msg = BigMsg;
    type State = WorkerState;
    type Arguments = RpcReplyPort<WorkerReport>;

    async fn pre_start(
        &self,
        _: ActorRef<BigMsg>,
        report: RpcReplyPort<WorkerReport>,
    ) -> Result<WorkerState, ActorProcessingErr> {
        Ok(WorkerState {
            workers: None,
            rng: Lcg16::new(self.id as u64),
            expected: -1,
            tally: WorkerReport::default(),
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<BigMsg>,
        message: BigMsg,
        state: &mut WorkerState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            BigMsg::Setup(workers) => state.workers = Some(workers),
            BigMsg::Pong(from) => self.on_pong(from, state)?,
            BigMsg::Ping(from) => {
                state.tally.received += 1;
                let workers = state.workers.as_ref().ok_or("a ping before setup")?;
                workers[from].cast(BigMsg::Pong(self.id as i64))?;
            }
            BigMsg::Exit => myself.stop(None),
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<BigMsg>,
        state: &mut WorkerState,
    ) -> Result<(), ActorProcessingErr> {
        let tally = std::mem::take(&mut state.tally);
        send_report(&mut state.report, tally)
    }
}

/// Counts the workers' Exits; at the last one tells every worker to exit
/// and stops.
struct Sink;

struct SinkState {
    workers: Option<Workers>,
    exits: usize,
}

impl Actor for Sink {
    type Msg = SinkMsg;
    type State = SinkState;
    type Arguments = ();

    async fn pre_start(
        &self,
        _: ActorRef<SinkMsg>,
        (): (),
    ) -> Result<SinkState, ActorProcessingErr> {
        Ok(SinkState {
            workers: None,
            exits: 0,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<SinkMsg>,
        message: SinkMsg,
        state: &mut SinkState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            SinkMsg::Setup(workers) => state.workers = Some(workers),
            SinkMsg::Exit => {
                state.exits += 1;
                let workers = state.workers.as_ref().ok_or("an exit before setup")?;
                if state.exits == workers.len() {
                    for worker in workers.iter() {
                        worker.cast(BigMsg::Exit)?;
                    }
                    myself.stop(None);
                }
            }
        }
        Ok(())
    }
}

/// `Spec::Big`.
pub(super) async fn big(workers: usize, pings: u64) -> Pass {
    let started = Instant::now();
    let (sink, sink_handle) = start(Sink, ()).await;
    let mut refs = Vec::with_capacity(workers);
    let mut handles = vec![sink_handle];
    let mut reports = Vec::with_capacity(workers);
    for id in 0..workers {
        let (port, rx) = report_port();
        let worker = Worker {
            id,
            pings,
            sink: sink.clone(),
        };
        let (r, h) = start(worker, port).await;
        refs.push(r);
        handles.push(h);
        reports.push(rx);
    }
    let all: Workers = refs.into();
    sink.cast(SinkMsg::Setup(all.clone()))
        .expect("the sink is alive");
    for worker in all.iter() {
        worker
            .cast(BigMsg::Setup(all.clone()))
            .expect("the worker is alive");
    }
    for worker in all.iter() {
        worker.cast(BigMsg::Pong(-1)).expect("the worker is alive");
    }
    drop(all);
    let mut tallies = Vec::with_capacity(workers);
    for rx in reports {
        tallies.push(report(rx).await);
    }
    joined(handles).await;
    Pass::new(started.elapsed(), big_check(&tallies))
}
