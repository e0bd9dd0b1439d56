//! The Savina programs with this runtime's macros.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use actor_core::{Actor, ActorRef, ActorSystem, Context, handlers};
use tokio::sync::{mpsc, oneshot};

use super::micro::{Chain, stopped_all};
use crate::check::{Check, big_check};
use crate::measure::Pass;
use crate::savina::{
    BigTally, DATA_LIMIT, DictionaryRequest as Request, Lcg16, dictionary_seed, fork_join_work,
    trapezoid_interval, trapezoid_share,
};

/// Savina's Ping: sends `pings` pings, one at a time.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Pinger {
    pong: ActorRef<Ponger>,
    left: u64,
    pongs: u64,
    done: Option<oneshot::Sender<u64>>,
}

#[handlers(vis = pub(super))]
impl Pinger {
    /// Sends the first ping.
    async fn start(&mut self, ctx: &mut Context<Self>) {
        self.send_ping(ctx).await;
    }

    /// Sends the next ping.
    async fn resume(&mut self, ctx: &mut Context<Self>) {
        self.send_ping(ctx).await;
    }

    /// Pong's answer: continue, or stop both.
    async fn pong(&mut self, ctx: &mut Context<Self>) {
        self.pongs += 1;
        if self.left > 0 {
            let _ = ctx.tell_self(PingerMsg::Resume {}).await;
        } else {
            let _ = self.pong.halt().await;
            if let Some(done) = self.done.take() {
                let _ = done.send(self.pongs);
            }
            ctx.stop();
        }
    }

    #[skip]
    async fn send_ping(&mut self, ctx: &mut Context<Self>) {
        let _ = self.pong.ping(ctx.actor_ref()).await;
        self.left -= 1;
    }
}

/// Savina's Pong: answers every ping.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Ponger {
    pings: u64,
    done: Option<oneshot::Sender<u64>>,
}

#[handlers(vis = pub(super))]
impl Ponger {
    /// One ping: answer it.
    async fn ping(&mut self, reply_to: ActorRef<Pinger>) {
        self.pings += 1;
        let _ = reply_to.pong().await;
    }

    /// The end of the game.
    fn halt(&mut self, ctx: &mut Context<Self>) {
        if let Some(done) = self.done.take() {
            let _ = done.send(self.pings);
        }
        ctx.stop();
    }
}

pub(super) async fn ping_pong(system: ActorSystem, pings: u64) -> Pass {
    let started = Instant::now();
    let (pong_done, pong_count) = oneshot::channel();
    let (ping_done, ping_count) = oneshot::channel();
    let ponger = Ponger {
        pings: 0,
        done: Some(pong_done),
    };
    let chain = Chain::new(&system);
    let pong = system
        .spawn_with(ponger, chain.place())
        .expect("spawn pong");
    let pinger = Pinger {
        pong: pong.clone(),
        left: pings,
        pongs: 0,
        done: Some(ping_done),
    };
    let ping = system
        .spawn_with(pinger, chain.place())
        .expect("spawn ping");
    let _ = ping.start().await;
    let pongs = ping_count.await.expect("ping reports");
    let received = pong_count.await.expect("pong reports");
    ping.wait_for_stop().await;
    pong.wait_for_stop().await;
    Pass::new(
        started.elapsed(),
        Check::new().int("pings", received).int("pongs", pongs),
    )
}

/// Savina's Counter, with an unbounded mailbox as Counting requires.
#[derive(Actor, Debug, Default)]
#[actor(mailbox = unbounded)]
pub(super) struct Counter {
    count: u64,
}

#[handlers(vis = pub(super))]
impl Counter {
    /// One increment.
    fn increment(&mut self) {
        self.count += 1;
    }

    /// Replies with the count to the producer, then stops.
    async fn retrieve(&mut self, reply_to: ActorRef<Producer>, ctx: &mut Context<Self>) {
        ctx.stop();
        let _ = reply_to.result(self.count).await;
    }
}

/// Savina's Producer: floods the counter, then asks for the count.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Producer {
    counter: ActorRef<Counter>,
    increments: u64,
    done: Option<oneshot::Sender<u64>>,
}

#[handlers(vis = pub(super))]
impl Producer {
    /// Starts the flood.
    async fn go(&mut self, ctx: &mut Context<Self>) {
        for _ in 0..self.increments {
            let _ = self.counter.increment().await;
        }
        let _ = self.counter.retrieve(ctx.actor_ref()).await;
    }

    /// The counter's answer.
    fn result(&mut self, count: u64, ctx: &mut Context<Self>) {
        if let Some(done) = self.done.take() {
            let _ = done.send(count);
        }
        ctx.stop();
    }
}

pub(super) async fn counting(system: ActorSystem, increments: u64) -> Pass {
    let started = Instant::now();
    let counter = system.spawn(Counter::default()).expect("spawn the counter");
    let (done, count) = oneshot::channel();
    let producer = Producer {
        counter: counter.clone(),
        increments,
        done: Some(done),
    };
    let producer = system.spawn(producer).expect("spawn the producer");
    let _ = producer.go().await;
    let count = count.await.expect("the producer reports");
    producer.wait_for_stop().await;
    counter.wait_for_stop().await;
    Pass::new(started.elapsed(), Check::new().int("count", count))
}

/// The fork-join create workload's counters, shared by its actors.
#[derive(Debug, Default)]
pub(super) struct Tally {
    started: AtomicU64,
    handled: AtomicU64,
}

/// Savina's fork-join create actor: one message, then stop.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct OneShot {
    tally: Arc<Tally>,
}

#[handlers(vis = pub(super))]
impl OneShot {
    /// Its only message.
    fn work(&mut self, ctx: &mut Context<Self>) {
        std::hint::black_box(fork_join_work());
        self.tally.handled.fetch_add(1, Relaxed);
        ctx.stop();
    }

    #[started]
    fn begin(&mut self) {
        self.tally.started.fetch_add(1, Relaxed);
    }
}

pub(super) async fn fj_create(system: ActorSystem, actors: u64) -> Pass {
    let started = Instant::now();
    let tally = Arc::new(Tally::default());
    let mut all = Vec::with_capacity(actors as usize);
    for _ in 0..actors {
        let one = OneShot {
            tally: tally.clone(),
        };
        let actor = system.spawn(one).expect("spawn an actor");
        let _ = actor.work().await;
        all.push(actor);
    }
    stopped_all(&all).await;
    let stopped = all.iter().filter(|a| !a.is_alive()).count();
    let check = Check::new()
        .int("started", tally.started.load(Relaxed))
        .int("handled", tally.handled.load(Relaxed))
        .int("stopped", stopped);
    Pass::new(started.elapsed(), check)
}

/// A Big worker.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct BigWorker {
    id: usize,
    pings: u64,
    rng: Lcg16,
    peers: Arc<Vec<ActorRef<BigWorker>>>,
    sink: ActorRef<Sink>,
    tally: BigTally,
    report: mpsc::UnboundedSender<(usize, BigTally)>,
}

#[handlers(vis = pub(super))]
impl BigWorker {
    /// The setup message: every worker.
    fn meet(&mut self, peers: Arc<Vec<ActorRef<BigWorker>>>) {
        self.peers = peers;
    }

    /// A ping from `from`: answer it.
    async fn ping(&mut self, from: usize) {
        self.tally.received += 1;
        let _ = self.peers[from].pong(Some(self.id)).await;
    }

    /// An answer (or the kick-off): ping a random worker, or tell the sink.
    async fn pong(&mut self, from: Option<usize>) {
        self.tally.pongs += u64::from(from.is_some());
        if self.tally.sent == self.pings {
            let _ = self.sink.exit().await;
            return;
        }
        let target = self.rng.next_below(self.peers.len() as i64) as usize;
        self.tally.ping_sent(self.id, target);
        let _ = self.peers[target].ping(self.id).await;
    }

    /// The end.
    fn exit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    #[stopped]
    fn report(&mut self) {
        // Dropping the peers breaks the cycle of refs among the workers.
        self.peers = Arc::new(Vec::new());
        let _ = self.report.send((self.id, self.tally));
    }
}

/// Big's sink: when every worker is done, ends them all.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Sink {
    exits: usize,
    workers: Vec<ActorRef<BigWorker>>,
}

#[handlers(vis = pub(super))]
impl Sink {
    /// The setup message: every worker.
    fn meet(&mut self, workers: Vec<ActorRef<BigWorker>>) {
        self.workers = workers;
    }

    /// One worker is done.
    async fn exit(&mut self, ctx: &mut Context<Self>) {
        self.exits += 1;
        if self.exits == self.workers.len() {
            for worker in self.workers.drain(..) {
                let _ = worker.exit().await;
            }
            ctx.stop();
        }
    }
}

pub(super) async fn big(system: ActorSystem, workers: usize, pings: u64) -> Pass {
    let started = Instant::now();
    let sink = Sink {
        exits: 0,
        workers: Vec::new(),
    };
    let sink = system.spawn(sink).expect("spawn the sink");
    let (report, mut reports) = mpsc::unbounded_channel();
    let all: Vec<_> = (0..workers)
        .map(|id| {
            let worker = BigWorker {
                id,
                pings,
                rng: Lcg16::new(id as u64),
                peers: Arc::new(Vec::new()),
                sink: sink.clone(),
                tally: BigTally::default(),
                report: report.clone(),
            };
            system.spawn(worker).expect("spawn a worker")
        })
        .collect();
    drop(report);
    let peers = Arc::new(all.clone());
    let _ = sink.meet(all.clone()).await;
    for worker in &all {
        let _ = worker.meet(peers.clone()).await;
    }
    drop(peers);
    for worker in &all {
        let _ = worker.pong(None).await;
    }
    let mut tallies = vec![BigTally::default(); workers];
    while let Some((id, tally)) = reports.recv().await {
        tallies[id] = tally;
    }
    stopped_all(&all).await;
    sink.wait_for_stop().await;
    Pass::new(started.elapsed(), big_check(&tallies))
}

/// Savina's dictionary server.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Dictionary {
    map: HashMap<i64, i64>,
    writes: i64,
    reads: i64,
    write_sum: i64,
    read_key_sum: i64,
}

#[handlers(vis = pub(super))]
impl Dictionary {
    /// A worker's request; the answer goes back to it.
    async fn request(&mut self, from: ActorRef<DictWorker>, request: Request) {
        let answer = match request {
            Request::Write { key, value } => {
                self.writes += 1;
                self.write_sum += key + value;
                self.map.insert(key, value);
                Some(value)
            }
            Request::Read { key } => {
                self.reads += 1;
                self.read_key_sum += key;
                self.map.get(&key).copied()
            }
        };
        let _ = from.result(answer).await;
    }

    /// The end: the totals, then stop.
    fn end(&mut self, ctx: &mut Context<Self>) -> Check {
        ctx.stop();
        Check::new()
            .int("writes", self.writes)
            .int("reads", self.reads)
            .int("write_sum", self.write_sum)
            .int("read_key_sum", self.read_key_sum)
            .int("size", self.map.len())
    }
}

/// A dictionary client: one request outstanding at a time.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct DictWorker {
    rng: Lcg16,
    requests: u64,
    write_percent: u32,
    count: u64,
    dictionary: ActorRef<Dictionary>,
    master: mpsc::UnboundedSender<()>,
}

#[handlers(vis = pub(super))]
impl DictWorker {
    /// The kick-off.
    async fn do_work(&mut self, ctx: &mut Context<Self>) {
        self.next(ctx).await;
    }

    /// The dictionary's answer.
    async fn result(&mut self, _value: Option<i64>, ctx: &mut Context<Self>) {
        self.next(ctx).await;
    }

    #[skip]
    async fn next(&mut self, ctx: &mut Context<Self>) {
        self.count += 1;
        if self.count > self.requests {
            let _ = self.master.send(());
            ctx.stop();
            return;
        }
        let request = Request::draw(&mut self.rng, self.write_percent);
        let _ = self.dictionary.request(ctx.actor_ref(), request).await;
    }
}

pub(super) async fn dictionary(
    system: ActorSystem,
    workers: usize,
    requests: u64,
    write_percent: u32,
) -> Pass {
    let started = Instant::now();
    let dictionary = Dictionary {
        map: (0..DATA_LIMIT).map(|k| (k, k)).collect(),
        writes: 0,
        reads: 0,
        write_sum: 0,
        read_key_sum: 0,
    };
    let dictionary = system.spawn(dictionary).expect("spawn the dictionary");
    let (master, mut ends) = mpsc::unbounded_channel();
    let clients: Vec<_> = (0..workers)
        .map(|index| {
            let worker = DictWorker {
                rng: Lcg16::new(dictionary_seed(index, requests, write_percent)),
                requests,
                write_percent,
                count: 0,
                dictionary: dictionary.clone(),
                master: master.clone(),
            };
            system.spawn(worker).expect("spawn a worker")
        })
        .collect();
    drop(master);
    for client in &clients {
        let _ = client.do_work().await;
    }
    let mut ended = 0;
    while ended < workers && ends.recv().await.is_some() {
        ended += 1;
    }
    let check = dictionary.end().await.expect("the dictionary answers");
    stopped_all(&clients).await;
    dictionary.wait_for_stop().await;
    Pass::new(started.elapsed(), check)
}

/// Savina's trapezoid master: adds the workers' shares.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct TrapezoidMaster {
    remaining: usize,
    area: f64,
    pieces: u64,
    done: Option<oneshot::Sender<Check>>,
}

#[handlers(vis = pub(super))]
impl TrapezoidMaster {
    /// One worker's share: (area, pieces evaluated).
    fn result(&mut self, area: f64, pieces: u64, ctx: &mut Context<Self>) {
        self.area += area;
        self.pieces += pieces;
        self.remaining -= 1;
        if self.remaining == 0
            && let Some(done) = self.done.take()
        {
            let check = Check::new()
                .float("area", self.area)
                .int("pieces", self.pieces);
            let _ = done.send(check);
            ctx.stop();
        }
    }
}

/// A trapezoid worker: one share, then stop.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct TrapezoidWorker {
    master: ActorRef<TrapezoidMaster>,
}

#[handlers(vis = pub(super))]
impl TrapezoidWorker {
    /// Its share over `[wl, wr)` in steps of `h`, told to the master.
    async fn work(&mut self, wl: f64, wr: f64, h: f64, ctx: &mut Context<Self>) {
        ctx.stop();
        let (area, pieces) = trapezoid_share(wl, wr, h);
        let _ = self.master.result(area, pieces).await;
    }
}

pub(super) async fn trapezoid(
    system: ActorSystem,
    pieces: u64,
    workers: usize,
    left: f64,
    right: f64,
) -> Pass {
    let started = Instant::now();
    let (done, total) = oneshot::channel();
    let master = TrapezoidMaster {
        remaining: workers,
        area: 0.0,
        pieces: 0,
        done: Some(done),
    };
    let master = system.spawn(master).expect("spawn the master");
    let all: Vec<_> = (0..workers)
        .map(|_| {
            let worker = TrapezoidWorker {
                master: master.clone(),
            };
            system.spawn(worker).expect("spawn a worker")
        })
        .collect();
    for (index, worker) in all.iter().enumerate() {
        let (wl, wr, h) = trapezoid_interval(index, workers, pieces, left, right);
        let _ = worker.work(wl, wr, h).await;
    }
    let check = total.await.expect("the master reports");
    stopped_all(&all).await;
    master.wait_for_stop().await;
    Pass::new(started.elapsed(), check)
}
