//! Savina's concurrent dictionary (Lcg16 version), on ractor's default
//! (unbounded) mailboxes. The Master spawns the Dictionary and the workers
//! linked to itself (ractor's supervision tree) and stops once it holds the
//! dictionary's totals and every child has terminated.

use std::collections::HashMap;
use std::time::Instant;

use ractor::concurrency::JoinHandle;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};

use super::{joined, report, report_port, send_report, start};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::{DATA_LIMIT, DictionaryRequest, Lcg16, dictionary_seed};

/// The Dictionary's messages.
enum DictMsg {
    Write {
        from: ActorRef<WorkerMsg>,
        key: i64,
        value: i64,
    },
    Read {
        from: ActorRef<WorkerMsg>,
        key: i64,
    },
    End,
}

/// A worker's messages.
enum WorkerMsg {
    DoWork,
    Result(Option<i64>),
}

/// The Master's messages.
enum MasterMsg {
    End,
    Totals(Totals),
}

/// What the Dictionary counted, sent to the Master when it ends.
struct Totals {
    writes: u64,
    reads: u64,
    write_sum: i64,
    read_key_sum: i64,
    size: usize,
}

/// The dictionary actor: a map pre-filled with `k → k` in `pre_start`.
struct Dictionary {
    master: ActorRef<MasterMsg>,
}

struct DictState {
    map: HashMap<i64, i64>,
    writes: u64,
    reads: u64,
    write_sum: i64,
    read_key_sum: i64,
}

impl Actor for Dictionary {
    type Msg = DictMsg;
    type State = DictState;
    type Arguments = ();

    async fn pre_start(
        &self,
        _: ActorRef<DictMsg>,
        (): (),
    ) -> Result<DictState, ActorProcessingErr> {
        Ok(DictState {
            map: (0..DATA_LIMIT).map(|k| (k, k)).collect(),
            writes: 0,
            reads: 0,
            write_sum: 0,
            read_key_sum: 0,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<DictMsg>,
        message: DictMsg,
        state: &mut DictState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            DictMsg::Write { from, key, value } => {
                state.map.insert(key, value);
                state.writes += 1;
                state.write_sum += key + value;
                from.cast(WorkerMsg::Result(Some(value)))?;
            }
            DictMsg::Read { from, key } => {
                state.reads += 1;
                state.read_key_sum += key;
                from.cast(WorkerMsg::Result(state.map.get(&key).copied()))?;
            }
            DictMsg::End => {
                let totals = Totals {
                    writes: state.writes,
                    reads: state.reads,
                    write_sum: state.write_sum,
                    read_key_sum: state.read_key_sum,
                    size: state.map.len(),
                };
                self.master.cast(MasterMsg::Totals(totals))?;
                myself.stop(None);
            }
        }
        Ok(())
    }
}

/// A worker: one request outstanding at a time, `requests` in all.
struct Worker {
    requests: u64,
    write_percent: u32,
    dictionary: ActorRef<DictMsg>,
    master: ActorRef<MasterMsg>,
}

impl Actor for Worker {
    type Msg = WorkerMsg;
    type State = (u64, Lcg16);
    type Arguments = Lcg16;

    async fn pre_start(
        &self,
        _: ActorRef<WorkerMsg>,
        rng: Lcg16,
    ) -> Result<(u64, Lcg16), ActorProcessingErr> {
        Ok((0, rng))
    }

    async fn handle(
        &self,
        myself: ActorRef<WorkerMsg>,
        message: WorkerMsg,
        (count, rng): &mut (u64, Lcg16),
    ) -> Result<(), ActorProcessingErr> {
        if let WorkerMsg::Result(value) = message {
            // Savina's worker takes no decision on the value it read.
            std::hint::black_box(value);
        }
        *count += 1;
        if *count > self.requests {
            self.master.cast(MasterMsg::End)?;
            myself.stop(None);
            return Ok(());
        }
        let from = myself;
        let request = match DictionaryRequest::draw(rng, self.write_percent) {
            DictionaryRequest::Write { key, value } => DictMsg::Write { from, key, value },
            DictionaryRequest::Read { key } => DictMsg::Read { from, key },
        };
        self.dictionary.cast(request)?;
        Ok(())
    }
}

/// The Master's parameters.
struct Master {
    workers: usize,
    requests: u64,
    write_percent: u32,
}

struct MasterState {
    dictionary: ActorRef<DictMsg>,
    workers: Vec<ActorRef<WorkerMsg>>,
    children: Vec<JoinHandle<()>>,
    ends: usize,
    alive: usize,
    totals: Option<Totals>,
    report: Option<RpcReplyPort<Totals>>,
}

impl Master {
    /// Reports the totals and stops once every child has terminated.
    fn finish_when_done(
        &self,
        myself: &ActorRef<MasterMsg>,
        state: &mut MasterState,
    ) -> Result<(), ActorProcessingErr> {
        if state.alive == 0
            && let Some(totals) = state.totals.take()
        {
            send_report(&mut state.report, totals)?;
            myself.stop(None);
        }
        Ok(())
    }
}

impl Actor for Master {
    type Msg = MasterMsg;
    type State = MasterState;
    type Arguments = RpcReplyPort<Totals>;

    async fn pre_start(
        &self,
        myself: ActorRef<MasterMsg>,
        report: RpcReplyPort<Totals>,
    ) -> Result<MasterState, ActorProcessingErr> {
        let supervisor = myself.get_cell();
        let dictionary = Dictionary {
            master: myself.clone(),
        };
        let (dictionary, handle) =
            Actor::spawn_linked(None, dictionary, (), supervisor.clone()).await?;
        let mut children = vec![handle];
        let mut workers = Vec::with_capacity(self.workers);
        for index in 0..self.workers {
            let worker = Worker {
                requests: self.requests,
                write_percent: self.write_percent,
                dictionary: dictionary.clone(),
                master: myself.clone(),
            };
            let rng = Lcg16::new(dictionary_seed(index, self.requests, self.write_percent));
            let (worker, handle) =
                Actor::spawn_linked(None, worker, rng, supervisor.clone()).await?;
            workers.push(worker);
            children.push(handle);
        }
        Ok(MasterState {
            dictionary,
            alive: workers.len() + 1,
            workers,
            children,
            ends: 0,
            totals: None,
            report: Some(report),
        })
    }

    async fn post_start(
        &self,
        _: ActorRef<MasterMsg>,
        state: &mut MasterState,
    ) -> Result<(), ActorProcessingErr> {
        for worker in &state.workers {
            worker.cast(WorkerMsg::DoWork)?;
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<MasterMsg>,
        message: MasterMsg,
        state: &mut MasterState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            MasterMsg::End => {
                state.ends += 1;
                if state.ends == self.workers {
                    state.dictionary.cast(DictMsg::End)?;
                }
            }
            MasterMsg::Totals(totals) => state.totals = Some(totals),
        }
        self.finish_when_done(&myself, state)
    }

    /// The children reported their end through supervision; their tasks
    /// are joined here so that none outlives the Master.
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
                Err(format!("a child failed: {error}").into())
            }
            _ => Ok(()),
        }
    }
}

/// `Spec::Dictionary`: the run ends when the Master, which outlives its
/// children, has stopped.
pub(super) async fn dictionary(workers: usize, requests: u64, write_percent: u32) -> Pass {
    let started = Instant::now();
    let (port, rx) = report_port();
    let master = Master {
        workers,
        requests,
        write_percent,
    };
    let (_, handle) = start(master, port).await;
    let totals = report(rx).await;
    joined(vec![handle]).await;
    let check = Check::new()
        .int("writes", totals.writes)
        .int("reads", totals.reads)
        .int("write_sum", totals.write_sum)
        .int("read_key_sum", totals.read_key_sum)
        .int("size", totals.size);
    Pass::new(started.elapsed(), check)
}
