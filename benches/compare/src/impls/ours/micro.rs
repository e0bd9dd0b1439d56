//! The micro workloads with this runtime's macros.

use std::future::Future;
use std::time::Instant;

use actor_core::{
    Actor, ActorRef, ActorSystem, Context, MailboxConfig, SpawnOptions, Strand, handlers,
};
use tokio::sync::{mpsc, oneshot};

use crate::check::Check;
use crate::contender::TokioHost;
use crate::measure::{Latencies, Pass};
use crate::savina::fork_join_work;
use crate::spawn::{Census, IdleFleet};

/// Waits until every actor in `actors` has stopped.
pub(super) async fn stopped_all<A: Actor>(actors: &[ActorRef<A>]) {
    for actor in actors {
        actor.wait_for_stop().await;
    }
}

/// Sums the values told to it.
#[derive(Actor, Debug, Default)]
pub(super) struct Summer {
    sum: u64,
    received: u64,
    last: Option<u64>,
    out_of_order: u64,
}

#[handlers(vis = pub(super))]
impl Summer {
    /// Adds one value.
    fn value(&mut self, v: u64) {
        self.out_of_order += u64::from(self.last.is_some_and(|last| v < last));
        self.last = Some(v);
        self.sum += v;
        self.received += 1;
    }

    /// The totals; the summer stops after answering.
    fn totals(&mut self, ctx: &mut Context<Self>) -> Check {
        ctx.stop();
        Check::new()
            .int("sum", self.sum)
            .int("received", self.received)
            .int("out_of_order", self.out_of_order)
    }
}

pub(super) async fn tell(system: ActorSystem, messages: u64, capacity: Option<usize>) -> Pass {
    let started = Instant::now();
    let mailbox = capacity.map_or(MailboxConfig::Unbounded, MailboxConfig::Bounded);
    let summer = system
        .spawn_with(Summer::default(), SpawnOptions::new().mailbox(mailbox))
        .expect("spawn the summer");
    for v in 0..messages {
        let _ = summer.value(v).await;
    }
    let check = summer.totals().await.expect("the summer answers");
    summer.wait_for_stop().await;
    Pass::new(started.elapsed(), check)
}

/// Answers `x + 1`.
#[derive(Actor, Debug)]
pub(super) struct Echo;

#[handlers(vis = pub(super))]
impl Echo {
    /// The successor of `x`.
    fn next(&mut self, x: u64) -> u64 {
        x + 1
    }
}

/// The driver and the echo are one chain, one message in flight: both go
/// in one [`Chain`] (the actix version starts the echo on its driver's
/// arbiter alike).
pub(super) async fn ask(system: ActorSystem, round_trips: u64) -> Pass {
    let chain = Chain::new(&system);
    let started = Instant::now();
    let echo = system
        .spawn_with(Echo, chain.place())
        .expect("spawn the echo");
    let (sum, latencies) = chain
        .run(async move {
            let mut latencies = Latencies::with_capacity(round_trips as usize);
            let mut sum = 0u64;
            for x in 0..round_trips {
                let asked = Instant::now();
                sum += echo.next(x).await.expect("the echo answers");
                latencies.record(asked.elapsed());
            }
            echo.stop();
            echo.wait_for_stop().await;
            (sum, latencies)
        })
        .await;
    latencies.into_pass(Pass::new(started.elapsed(), Check::new().int("sum", sum)))
}

/// One side of the rally.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Player {
    bounces: u64,
    peer: Option<ActorRef<Player>>,
    handled: u64,
    last: Option<u64>,
    report: mpsc::UnboundedSender<(u64, Option<u64>)>,
}

#[handlers(vis = pub(super))]
impl Player {
    /// Introduces the other side.
    fn meet(&mut self, peer: ActorRef<Player>) {
        self.peer = Some(peer);
    }

    /// Returns the ball, or ends the rally at `bounces`.
    async fn ball(&mut self, k: u64, ctx: &mut Context<Self>) {
        self.handled += 1;
        let Some(peer) = &self.peer else { return };
        if k == self.bounces {
            self.last = Some(k);
            peer.stop();
            ctx.stop();
        } else {
            let _ = peer.ball(k + 1).await;
        }
    }

    #[stopped]
    fn report(&mut self) {
        // Dropping the peer breaks the pair's cycle of refs.
        self.peer = None;
        let _ = self.report.send((self.handled, self.last));
    }
}

pub(super) async fn ping_pong(system: ActorSystem, bounces: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let player = || Player {
        bounces,
        peer: None,
        handled: 0,
        last: None,
        report: report.clone(),
    };
    let chain = Chain::new(&system);
    let a = system
        .spawn_with(player(), chain.place())
        .expect("spawn a player");
    let b = system
        .spawn_with(player(), chain.place())
        .expect("spawn a player");
    let _ = a.meet(b.clone()).await;
    let _ = b.meet(a.clone()).await;
    let _ = a.ball(0).await;
    drop(report);
    let (mut handled, mut last) = (0, None);
    while let Some((h, l)) = reports.recv().await {
        handled += h;
        last = last.or(l);
    }
    a.wait_for_stop().await;
    b.wait_for_stop().await;
    let check = Check::new()
        .int("last", last.unwrap_or(u64::MAX))
        .int("handled", handled);
    Pass::new(started.elapsed(), check)
}

/// What a ring member saw, reported when it stops.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct MemberTally {
    tokens: u64,
    zero: bool,
    exit_first: bool,
}

/// One member of the ring.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Member {
    index: usize,
    actors: usize,
    next: Option<ActorRef<Member>>,
    tally: MemberTally,
    report: mpsc::UnboundedSender<(usize, MemberTally)>,
}

#[handlers(vis = pub(super))]
impl Member {
    /// The setup message: who comes next.
    fn link(&mut self, next: ActorRef<Member>) {
        self.next = Some(next);
    }

    /// Passes the token on, or starts the exit wave at zero.
    async fn token(&mut self, k: u64) {
        self.tally.tokens += 1;
        let Some(next) = &self.next else { return };
        if k > 0 {
            let _ = next.token(k - 1).await;
        } else {
            self.tally.zero = true;
            let _ = next.exit(self.actors).await;
        }
    }

    /// Passes the exit wave on and stops; the last one finds its member
    /// stopped and is dropped.
    async fn exit(&mut self, k: usize, ctx: &mut Context<Self>) {
        ctx.stop();
        self.tally.exit_first |= k == self.actors;
        if k > 0
            && let Some(next) = self.next.take()
        {
            let _ = next.exit(k - 1).await;
        }
    }

    #[stopped]
    fn report(&mut self) {
        self.next = None;
        let _ = self.report.send((self.index, self.tally));
    }
}

/// Where the members of a chain go (a workload with one message in
/// flight: ask, ping-pong, the ring): one strand for all, so no hand-off
/// wakes another thread or goes through tokio's scheduler. The actix
/// versions start them on one arbiter alike.
pub(super) struct Chain(Strand);

impl Chain {
    pub(super) fn new(system: &ActorSystem) -> Chain {
        Chain(Strand::new(system))
    }

    /// Spawn options that put an actor in the chain.
    pub(super) fn place(&self) -> SpawnOptions {
        SpawnOptions::new().strand(&self.0)
    }

    /// Runs a driver in the chain, on its strand.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        driver: impl Future<Output = T> + Send + 'static,
    ) -> T {
        self.0.spawn(driver).await.expect("the driver finishes")
    }
}

/// The ring is one chain of hand-offs, one member runnable at a time: its
/// members go in one [`Chain`].
pub(super) async fn ring(system: ActorSystem, actors: usize, hops: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let chain = Chain::new(&system);
    let members: Vec<_> = (0..actors)
        .map(|index| {
            let member = Member {
                index,
                actors,
                next: None,
                tally: MemberTally::default(),
                report: report.clone(),
            };
            system
                .spawn_with(member, chain.place())
                .expect("spawn a ring member")
        })
        .collect();
    drop(report);
    for (i, member) in members.iter().enumerate() {
        let _ = member.link(members[(i + 1) % actors].clone()).await;
    }
    let _ = members[0].token(hops).await;
    let mut tallies = vec![None; actors];
    while let Some((index, tally)) = reports.recv().await {
        tallies[index] = Some(tally);
    }
    stopped_all(&members).await;
    let seen: Vec<MemberTally> = tallies.iter().flatten().copied().collect();
    let index = |pick: fn(&MemberTally) -> bool| {
        tallies
            .iter()
            .position(|t| t.as_ref().is_some_and(pick))
            .unwrap_or(usize::MAX)
    };
    let check = Check::new()
        .int("tokens", seen.iter().map(|t| t.tokens).sum::<u64>())
        .int("zero_at", index(|t| t.zero))
        .int("exit_from", index(|t| t.exit_first))
        .int("stopped", seen.len());
    Pass::new(started.elapsed(), check)
}

/// An idle actor holding a `u64`.
#[derive(Actor, Debug)]
pub(super) struct Idle {
    state: u64,
    census: Census,
}

#[handlers(vis = pub(super))]
impl Idle {
    /// Adds to the state (never sent: the actor stays idle).
    fn add(&mut self, n: u64) {
        self.state += n;
    }

    #[started]
    fn counted_in(&mut self) {
        self.census.started();
    }

    #[stopped]
    fn counted_out(&mut self) {
        self.census.stopped();
    }
}

/// Idle actors for the spawn workload.
pub(super) struct Fleet<'h> {
    host: &'h TokioHost,
    system: ActorSystem,
    census: Census,
    actors: Vec<ActorRef<Idle>>,
}

impl<'h> Fleet<'h> {
    pub(super) fn new(host: &'h TokioHost, system: ActorSystem) -> Fleet<'h> {
        Fleet {
            host,
            system,
            census: Census::new(),
            actors: Vec::new(),
        }
    }
}

impl IdleFleet for Fleet<'_> {
    fn spawn(&mut self, n: usize) {
        let (system, census) = (self.system.clone(), self.census.clone());
        let target = census.started_count() + n as u64;
        self.actors = self.host.drive(async move {
            let actors: Vec<_> = (0..n)
                .map(|_| {
                    let idle = Idle {
                        state: 0,
                        census: census.clone(),
                    };
                    system.spawn(idle).expect("spawn an idle actor")
                })
                .collect();
            census.reached(target, 0).await;
            actors
        });
    }

    fn stop_all(&mut self) {
        let census = self.census.clone();
        let target = census.started_count();
        let actors = std::mem::take(&mut self.actors);
        self.host.drive(async move {
            for actor in &actors {
                actor.stop();
            }
            drop(actors);
            census.reached(0, target).await;
        });
    }

    fn census(&self) -> &Census {
        &self.census
    }

    fn live_tasks(&self) -> Option<usize> {
        Some(self.host.handle().metrics().num_alive_tasks())
    }
}

/// Adds up the workers' results and reports at `jobs`.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct Collector {
    jobs: u64,
    sum: u64,
    count: u64,
    done: Option<oneshot::Sender<Check>>,
}

#[handlers(vis = pub(super))]
impl Collector {
    /// One worker's result.
    fn result(&mut self, v: u64, ctx: &mut Context<Self>) {
        self.sum += v;
        self.count += 1;
        if self.count == self.jobs
            && let Some(done) = self.done.take()
        {
            let _ = done.send(Check::new().int("sum", self.sum).int("jobs", self.count));
            ctx.stop();
        }
    }
}

/// Turns job `j` into `2j + 1` for the collector.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct FanWorker {
    collector: ActorRef<Collector>,
}

#[handlers(vis = pub(super))]
impl FanWorker {
    /// One job.
    async fn job(&mut self, j: u64) {
        let _ = self.collector.result(2 * j + 1).await;
    }
}

pub(super) async fn fan_out(system: ActorSystem, workers: usize, jobs: u64) -> Pass {
    let started = Instant::now();
    let (done, total) = oneshot::channel();
    let collector = Collector {
        jobs,
        sum: 0,
        count: 0,
        done: Some(done),
    };
    let collector = system.spawn(collector).expect("spawn the collector");
    let pool: Vec<_> = (0..workers)
        .map(|_| {
            let worker = FanWorker {
                collector: collector.clone(),
            };
            system.spawn(worker).expect("spawn a worker")
        })
        .collect();
    for j in 0..jobs {
        let _ = pool[(j % workers as u64) as usize].job(j).await;
    }
    pool.iter().for_each(ActorRef::stop);
    let check = total.await.expect("the collector reports");
    stopped_all(&pool).await;
    collector.wait_for_stop().await;
    Pass::new(started.elapsed(), check)
}

/// Counts its messages and does the fork-join work for each.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded)]
pub(super) struct FjWorker {
    messages: u64,
    count: u64,
    work: f64,
    report: mpsc::UnboundedSender<(u64, f64)>,
}

#[handlers(vis = pub(super))]
impl FjWorker {
    /// One message of the round.
    fn tick(&mut self, ctx: &mut Context<Self>) {
        self.count += 1;
        self.work = fork_join_work();
        if self.count == self.messages {
            let _ = self.report.send((self.count, self.work));
            ctx.stop();
        }
    }
}

pub(super) async fn fork_join(system: ActorSystem, actors: usize, messages: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let workers: Vec<_> = (0..actors)
        .map(|_| {
            let worker = FjWorker {
                messages,
                count: 0,
                work: 0.0,
                report: report.clone(),
            };
            system.spawn(worker).expect("spawn a worker")
        })
        .collect();
    drop(report);
    for _ in 0..messages {
        for worker in &workers {
            let _ = worker.tick().await;
        }
    }
    stopped_all(&workers).await;
    drop(workers);
    let (mut min, mut max, mut work) = (u64::MAX, 0, 0.0);
    while let Some((count, w)) = reports.recv().await {
        (min, max, work) = (min.min(count), max.max(count), w);
    }
    let check = Check::new()
        .int("min_count", min)
        .int("max_count", max)
        .float("work", work);
    Pass::new(started.elapsed(), check)
}

pub(super) async fn pool(system: ActorSystem, jobs: u64) -> Pass {
    let started = Instant::now();
    let sum = benches::pool_actor(&system, jobs).await;
    Pass::new(started.elapsed(), Check::new().int("sum", sum))
}

pub(super) async fn pipeline(system: ActorSystem, items: u64) -> Pass {
    let started = Instant::now();
    let sum = benches::pipeline_actor(&system, items).await;
    Pass::new(started.elapsed(), Check::new().int("sum", sum))
}
