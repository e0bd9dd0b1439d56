//! Savina's concurrent dictionary (Lcg16 version). Mailboxes are actix's
//! default; tells use `do_send`, which queues past the capacity. Requests
//! carry the worker's address and the Dictionary answers with a message, as
//! in Savina (one request outstanding per worker).

use std::collections::HashMap;
use std::time::Instant;

use ::actix::{Actor, ActorContext, Addr, AsyncContext, Context, Handler, Message};

use super::support::{Placement, Reporter, reports};
use crate::check::Check;
use crate::measure::Pass;
use crate::savina::{DATA_LIMIT, DictionaryRequest, Lcg16, dictionary_seed};

/// What the Dictionary observed.
#[derive(Clone, Copy, Default)]
struct Tally {
    writes: u64,
    reads: u64,
    write_sum: i64,
    read_key_sum: i64,
    size: usize,
}

/// Reports: the Dictionary's tally, `None` from the others.
type Report = Reporter<Option<Tally>>;

/// The workload's parameters.
#[derive(Clone, Copy)]
struct Params {
    workers: usize,
    requests: u64,
    write_percent: u32,
}

/// The master: creates the dictionary and the workers, waits for their
/// `End`s.
struct Master {
    place: Placement,
    params: Params,
    ends: usize,
    dictionary: Option<Addr<Dictionary>>,
    workers: Vec<Addr<Worker>>,
    report: Report,
}

impl Actor for Master {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let group = self.params.workers + 2;
        let report = self.report.clone();
        let dictionary = self.place.start(1, group, move |_| Dictionary::new(report));
        for index in 0..self.params.workers {
            let worker = self.start_worker(index, group, ctx.address(), &dictionary);
            worker.do_send(DoWork);
            self.workers.push(worker);
        }
        self.dictionary = Some(dictionary);
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(None);
    }
}

impl Master {
    fn start_worker(
        &self,
        index: usize,
        group: usize,
        master: Addr<Master>,
        dictionary: &Addr<Dictionary>,
    ) -> Addr<Worker> {
        let Params {
            requests,
            write_percent,
            ..
        } = self.params;
        let (dictionary, report) = (dictionary.clone(), self.report.clone());
        self.place.start(index + 2, group, move |_| Worker {
            rng: Lcg16::new(dictionary_seed(index, requests, write_percent)),
            requests,
            write_percent,
            count: 0,
            master,
            dictionary,
            report,
        })
    }
}

/// The dictionary actor: a map pre-filled with `k → k`.
struct Dictionary {
    map: HashMap<i64, i64>,
    tally: Tally,
    report: Report,
}

impl Dictionary {
    /// Builds the initial map, as Savina's constructor does (timed).
    fn new(report: Report) -> Dictionary {
        Dictionary {
            map: (0..DATA_LIMIT).map(|k| (k, k)).collect(),
            tally: Tally::default(),
            report,
        }
    }
}

impl Actor for Dictionary {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.tally.size = self.map.len();
        self.report.send(Some(self.tally));
    }
}

/// A worker: one request at a time, `requests` in all.
struct Worker {
    rng: Lcg16,
    requests: u64,
    write_percent: u32,
    count: u64,
    master: Addr<Master>,
    dictionary: Addr<Dictionary>,
    report: Report,
}

impl Actor for Worker {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.report.send(None);
    }
}

impl Worker {
    /// Sends the next request, or ends.
    fn next(&mut self, ctx: &mut Context<Self>) {
        self.count += 1;
        if self.count > self.requests {
            self.master.do_send(End);
            ctx.stop();
            return;
        }
        let from = ctx.address();
        match DictionaryRequest::draw(&mut self.rng, self.write_percent) {
            DictionaryRequest::Write { key, value } => {
                self.dictionary.do_send(Write { from, key, value });
            }
            DictionaryRequest::Read { key } => self.dictionary.do_send(Read { from, key }),
        }
    }
}

/// Starts a worker.
#[derive(Message)]
#[rtype(result = "()")]
struct DoWork;

/// The dictionary's answer.
#[derive(Message)]
#[rtype(result = "()")]
struct Answer(#[allow(dead_code)] Option<i64>);

/// Insert `value` under `key`.
#[derive(Message)]
#[rtype(result = "()")]
struct Write {
    from: Addr<Worker>,
    key: i64,
    value: i64,
}

/// Look `key` up.
#[derive(Message)]
#[rtype(result = "()")]
struct Read {
    from: Addr<Worker>,
    key: i64,
}

/// A worker is done (to the master); stop (to the dictionary).
#[derive(Message)]
#[rtype(result = "()")]
struct End;

impl Handler<DoWork> for Worker {
    type Result = ();

    fn handle(&mut self, _: DoWork, ctx: &mut Context<Self>) {
        self.next(ctx);
    }
}

impl Handler<Answer> for Worker {
    type Result = ();

    fn handle(&mut self, _: Answer, ctx: &mut Context<Self>) {
        self.next(ctx);
    }
}

impl Handler<Write> for Dictionary {
    type Result = ();

    fn handle(&mut self, write: Write, _: &mut Context<Self>) {
        self.map.insert(write.key, write.value);
        self.tally.writes += 1;
        self.tally.write_sum += write.key + write.value;
        write.from.do_send(Answer(Some(write.value)));
    }
}

impl Handler<Read> for Dictionary {
    type Result = ();

    fn handle(&mut self, read: Read, _: &mut Context<Self>) {
        self.tally.reads += 1;
        self.tally.read_key_sum += read.key;
        read.from.do_send(Answer(self.map.get(&read.key).copied()));
    }
}

impl Handler<End> for Dictionary {
    type Result = ();

    fn handle(&mut self, _: End, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

impl Handler<End> for Master {
    type Result = ();

    fn handle(&mut self, _: End, ctx: &mut Context<Self>) {
        self.ends += 1;
        if self.ends == self.params.workers {
            if let Some(dictionary) = &self.dictionary {
                dictionary.do_send(End);
            }
            ctx.stop();
        }
    }
}

/// Savina's concurrent dictionary with `workers` workers of `requests`
/// requests each.
pub(super) async fn dictionary(
    place: Placement,
    workers: usize,
    requests: u64,
    write_percent: u32,
) -> Pass {
    let (report, reports) = reports();
    let params = Params {
        workers,
        requests,
        write_percent,
    };
    let started = Instant::now();
    let master_place = place.clone();
    let master = place.start(0, workers + 2, move |_| Master {
        place: master_place,
        params,
        ends: 0,
        dictionary: None,
        workers: Vec::with_capacity(workers),
        report,
    });
    let tally = reports.all().await.into_iter().flatten().next();
    drop(master);
    let elapsed = started.elapsed();
    let t = tally.unwrap_or_default();
    let check = Check::new()
        .int("writes", t.writes)
        .int("reads", t.reads)
        .int("write_sum", t.write_sum)
        .int("read_key_sum", t.read_key_sum)
        .int("size", t.size);
    Pass::new(elapsed, check)
}
