//! Savina's concurrent dictionary (Lcg16 version) as kompact components:
//! the master creates the dictionary and the workers when it starts; each
//! worker keeps one request outstanding; the dictionary counts what it
//! receives.

use std::collections::HashMap;
use std::time::Instant;

use kompact::prelude::*;

use super::micro::strong;
use super::{Finish, all_stopped};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::{DATA_LIMIT, DictionaryRequest, Lcg16, dictionary_seed};

/// The dictionary's messages.
#[derive(Debug)]
enum DictMsg {
    /// A worker's request, answered to `from`.
    Request {
        from: ActorRef<WorkerMsg>,
        request: DictionaryRequest,
    },
    /// The run is over.
    End,
}

/// A worker's messages.
#[derive(Debug)]
enum WorkerMsg {
    /// The kick-off.
    DoWork,
    /// The answer to its last request.
    Result(Option<i64>),
}

/// A worker's end, told to the master.
#[derive(Clone, Copy, Debug)]
struct End;

/// What the dictionary counted.
#[derive(Clone, Copy, Default)]
struct Counted {
    writes: u64,
    reads: u64,
    write_sum: i64,
    read_key_sum: i64,
    size: usize,
}

/// The dictionary: its map is filled with `k → k` in its constructor, as
/// Savina does (timed).
#[derive(ComponentDefinition)]
struct Dictionary {
    ctx: ComponentContext<Self>,
    map: HashMap<i64, i64>,
    counted: Counted,
    finish: Finish<Option<Counted>>,
}

impl Dictionary {
    fn new(finish: Finish<Option<Counted>>) -> Dictionary {
        Dictionary {
            ctx: ComponentContext::uninitialised(),
            map: (0..DATA_LIMIT).map(|k| (k, k)).collect(),
            counted: Counted::default(),
            finish,
        }
    }

    fn answer(&mut self, request: DictionaryRequest) -> Option<i64> {
        let c = &mut self.counted;
        match request {
            DictionaryRequest::Write { key, value } => {
                c.writes += 1;
                c.write_sum += key + value;
                self.map.insert(key, value);
                Some(value)
            }
            DictionaryRequest::Read { key } => {
                c.reads += 1;
                c.read_key_sum += key;
                self.map.get(&key).copied()
            }
        }
    }
}

impl ComponentLifecycle for Dictionary {
    fn on_kill(&mut self) -> HandlerResult {
        self.counted.size = self.map.len();
        self.finish.report(Some(self.counted));
        Handled::OK
    }
}

impl Actor for Dictionary {
    type Message = DictMsg;

    fn receive_local(&mut self, msg: DictMsg) -> HandlerResult {
        match msg {
            DictMsg::Request { from, request } => {
                let answer = self.answer(request);
                from.tell(WorkerMsg::Result(answer));
                Handled::OK
            }
            DictMsg::End => Handled::SHUTDOWN,
        }
    }
}

/// A worker: `requests` requests, one at a time, then `End` to the master.
#[derive(ComponentDefinition)]
struct DictWorker {
    ctx: ComponentContext<Self>,
    rng: Lcg16,
    requests: u64,
    write_percent: u32,
    count: u64,
    dictionary: ActorRefStrong<DictMsg>,
    master: ActorRef<End>,
    finish: Finish<Option<Counted>>,
}

impl DictWorker {
    fn next(&mut self) -> HandlerResult {
        self.count += 1;
        if self.count > self.requests {
            self.master.tell(End);
            return Handled::SHUTDOWN;
        }
        let request = DictionaryRequest::draw(&mut self.rng, self.write_percent);
        self.dictionary.tell(DictMsg::Request {
            from: self.actor_ref(),
            request,
        });
        Handled::OK
    }
}

impl ComponentLifecycle for DictWorker {
    fn on_kill(&mut self) -> HandlerResult {
        self.finish.report(None);
        Handled::OK
    }
}

impl Actor for DictWorker {
    type Message = WorkerMsg;

    fn receive_local(&mut self, msg: WorkerMsg) -> HandlerResult {
        if let WorkerMsg::Result(answer) = msg {
            std::hint::black_box(answer);
        }
        self.next()
    }
}

/// The master's parameters.
#[derive(Clone, Copy)]
struct Plan {
    workers: usize,
    requests: u64,
    write_percent: u32,
}

/// Creates the dictionary and the workers when started, kicks the workers
/// off, ends the dictionary after the last worker's `End`.
#[derive(ComponentDefinition)]
struct Master {
    ctx: ComponentContext<Self>,
    plan: Plan,
    ended: usize,
    dictionary: Option<ActorRefStrong<DictMsg>>,
    finish: Finish<Option<Counted>>,
}

impl Master {
    fn spawn_worker(&self, index: usize, dictionary: &ActorRefStrong<DictMsg>) {
        let Plan {
            requests,
            write_percent,
            ..
        } = self.plan;
        let system = self.ctx.system();
        let worker = system.create(|| DictWorker {
            ctx: ComponentContext::uninitialised(),
            rng: Lcg16::new(dictionary_seed(index, requests, write_percent)),
            requests,
            write_percent,
            count: 0,
            dictionary: dictionary.clone(),
            master: self.actor_ref(),
            finish: self.finish.clone(),
        });
        system.start(&worker);
        worker.actor_ref().tell(WorkerMsg::DoWork);
    }
}

impl ComponentLifecycle for Master {
    fn on_start(&mut self) -> HandlerResult {
        let system = self.ctx.system();
        let finish = self.finish.clone();
        let dictionary = system.create(|| Dictionary::new(finish));
        system.start(&dictionary);
        let to_dictionary = strong(&dictionary);
        for index in 0..self.plan.workers {
            self.spawn_worker(index, &to_dictionary);
        }
        self.dictionary = Some(to_dictionary);
        Handled::OK
    }

    fn on_kill(&mut self) -> HandlerResult {
        self.dictionary = None;
        self.finish.report(None);
        Handled::OK
    }
}

impl Actor for Master {
    type Message = End;

    fn receive_local(&mut self, _msg: End) -> HandlerResult {
        self.ended += 1;
        if self.ended < self.plan.workers {
            return Handled::OK;
        }
        if let Some(dictionary) = &self.dictionary {
            dictionary.tell(DictMsg::End);
        }
        Handled::SHUTDOWN
    }
}

/// Savina #9, concurrent dictionary.
pub(super) async fn dictionary(
    system: KompactSystem,
    workers: usize,
    requests: u64,
    write_percent: u32,
) -> Pass {
    let (finish, stopped) = Finish::new(workers + 2);
    let plan = Plan {
        workers,
        requests,
        write_percent,
    };
    let started = Instant::now();
    let master = system.create(|| Master {
        ctx: ComponentContext::uninitialised(),
        plan,
        ended: 0,
        dictionary: None,
        finish,
    });
    system.start(&master);
    drop(master);
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let c = reports.into_iter().flatten().next().unwrap_or_default();
    let check = Check::new()
        .int("writes", c.writes)
        .int("reads", c.reads)
        .int("write_sum", c.write_sum)
        .int("read_key_sum", c.read_key_sum)
        .int("size", c.size);
    Pass::new(elapsed, check)
}
