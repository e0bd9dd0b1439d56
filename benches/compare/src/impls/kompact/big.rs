//! Savina's Big as kompact components: workers pinging random peers, a
//! sink counting the finished workers. Workers and the sink hold strong
//! references to one another (kompact's recommendation for references used
//! over and over) and drop them in `on_kill`, so the group is deallocated
//! once everyone has stopped.

use std::sync::Arc;
use std::time::Instant;

use kompact::prelude::*;

use super::micro::strong;
use super::{Finish, all_stopped};
use crate::check::big_check;
use crate::measure::Pass;
use crate::savina::BigTally as Tally;
use crate::savina::Lcg16;

/// Every worker, by id.
type Peers = Arc<Vec<ActorRefStrong<BigMsg>>>;

/// A worker's messages.
#[derive(Debug)]
enum BigMsg {
    /// All workers (setup).
    Peers(Peers),
    /// A ping from worker `from`.
    Ping { from: usize },
    /// A pong from worker `from`; `None` for the driver's kick-off.
    Pong { from: Option<usize> },
    /// The run is over.
    Exit,
}

/// The sink's messages.
#[derive(Debug)]
enum SinkMsg {
    /// All workers (setup).
    Peers(Peers),
    /// One worker has sent all its pings.
    Exit,
}

/// Worker `id`.
#[derive(ComponentDefinition)]
struct BigWorker {
    ctx: ComponentContext<Self>,
    id: usize,
    pings: u64,
    rng: Lcg16,
    peers: Option<Peers>,
    sink: Option<ActorRefStrong<SinkMsg>>,
    tally: Tally,
    finish: Finish<Option<(usize, Tally)>>,
}

impl BigWorker {
    fn pong(&mut self, from: Option<usize>) -> HandlerResult {
        self.tally.pongs += u64::from(from.is_some());
        if self.tally.sent == self.pings {
            if let Some(sink) = &self.sink {
                sink.tell(SinkMsg::Exit);
            }
            return Handled::OK;
        }
        let Some(peers) = &self.peers else {
            return Handled::OK;
        };
        let target = self.rng.next_below(peers.len() as i64) as usize;
        peers[target].tell(BigMsg::Ping { from: self.id });
        self.tally.ping_sent(self.id, target);
        Handled::OK
    }

    fn ping(&mut self, from: usize) -> HandlerResult {
        self.tally.received += 1;
        if let Some(peers) = &self.peers {
            peers[from].tell(BigMsg::Pong {
                from: Some(self.id),
            });
        }
        Handled::OK
    }
}

impl ComponentLifecycle for BigWorker {
    fn on_kill(&mut self) -> HandlerResult {
        self.peers = None;
        self.sink = None;
        self.finish.report(Some((self.id, self.tally)));
        Handled::OK
    }
}

impl Actor for BigWorker {
    type Message = BigMsg;

    fn receive_local(&mut self, msg: BigMsg) -> HandlerResult {
        match msg {
            BigMsg::Peers(peers) => {
                self.peers = Some(peers);
                Handled::OK
            }
            BigMsg::Ping { from } => self.ping(from),
            BigMsg::Pong { from } => self.pong(from),
            BigMsg::Exit => Handled::SHUTDOWN,
        }
    }
}

/// Counts finished workers; at the last, tells every worker to exit and
/// shuts down.
#[derive(ComponentDefinition)]
struct Sink {
    ctx: ComponentContext<Self>,
    peers: Option<Peers>,
    exits: usize,
    finish: Finish<Option<(usize, Tally)>>,
}

impl Sink {
    fn exit(&mut self) -> HandlerResult {
        self.exits += 1;
        let Some(peers) = &self.peers else {
            return Handled::OK;
        };
        if self.exits < peers.len() {
            return Handled::OK;
        }
        for worker in peers.iter() {
            worker.tell(BigMsg::Exit);
        }
        Handled::SHUTDOWN
    }
}

impl ComponentLifecycle for Sink {
    fn on_kill(&mut self) -> HandlerResult {
        self.peers = None;
        self.finish.report(None);
        Handled::OK
    }
}

impl Actor for Sink {
    type Message = SinkMsg;

    fn receive_local(&mut self, msg: SinkMsg) -> HandlerResult {
        match msg {
            SinkMsg::Peers(peers) => {
                self.peers = Some(peers);
                Handled::OK
            }
            SinkMsg::Exit => self.exit(),
        }
    }
}

/// Savina #8, Big, each worker's Lcg16 seeded with its id.
pub(super) async fn big(system: KompactSystem, workers: usize, pings: u64) -> Pass {
    let (finish, stopped) = Finish::new(workers + 1);
    let started = Instant::now();
    let sink = system.create(|| Sink {
        ctx: ComponentContext::uninitialised(),
        peers: None,
        exits: 0,
        finish: finish.clone(),
    });
    system.start(&sink);
    let to_sink = strong(&sink);
    let peers: Peers = Arc::new(
        (0..workers)
            .map(|id| {
                let worker = system.create(|| BigWorker {
                    ctx: ComponentContext::uninitialised(),
                    id,
                    pings,
                    rng: Lcg16::new(id as u64),
                    peers: None,
                    sink: Some(to_sink.clone()),
                    tally: Tally::default(),
                    finish: finish.clone(),
                });
                system.start(&worker);
                strong(&worker)
            })
            .collect(),
    );
    drop((sink, finish));
    to_sink.tell(SinkMsg::Peers(Arc::clone(&peers)));
    for worker in peers.iter() {
        worker.tell(BigMsg::Peers(Arc::clone(&peers)));
    }
    for worker in peers.iter() {
        worker.tell(BigMsg::Pong { from: None });
    }
    drop((to_sink, peers));
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let mut tallies: Vec<_> = reports.into_iter().flatten().collect();
    tallies.sort_unstable_by_key(|(id, _)| *id);
    let tallies: Vec<Tally> = tallies.into_iter().map(|(_, t)| t).collect();
    Pass::new(elapsed, big_check(&tallies))
}
