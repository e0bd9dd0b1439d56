//! Strands: actors sharing one tokio task.

mod support;

use std::sync::{Arc, Mutex};

use actor_core::error::SpawnError;
use actor_core::{
    Actor, ActorRef, ActorSystem, BoxError, Context, MailboxConfig, SpawnOptions, StopReason,
    Strand,
};
use support::{Counter, CounterMsg, within};
use tokio::sync::oneshot;

fn on(strand: &Strand) -> SpawnOptions {
    SpawnOptions::new().strand(strand)
}

/// A ring member: passes the token on, notes the tokio task it ran in, and
/// reports when the token reaches zero.
struct Member {
    next: Option<ActorRef<Member>>,
    tasks: Arc<Mutex<Vec<tokio::task::Id>>>,
    done: Option<oneshot::Sender<u64>>,
    seen: u64,
}

impl Actor for Member {
    type Msg = u64;

    async fn handle(&mut self, hops: u64, _: &mut Context<Self>) -> Result<(), BoxError> {
        self.seen += 1;
        {
            let task = tokio::task::id();
            let mut tasks = self.tasks.lock().unwrap();
            if !tasks.contains(&task) {
                tasks.push(task);
            }
        }
        match (&self.next, hops) {
            (Some(next), 1..) => next.tell(hops - 1).await?,
            _ => {
                if let Some(done) = self.done.take() {
                    let _ = done.send(self.seen);
                }
            }
        }
        Ok(())
    }
}

/// Spawns a ring of `n` members with `place`, returning its first member;
/// the last member reports on `done`.
fn ring(
    system: &ActorSystem,
    n: usize,
    place: impl Fn() -> SpawnOptions,
    tasks: &Arc<Mutex<Vec<tokio::task::Id>>>,
    done: oneshot::Sender<u64>,
) -> ActorRef<Member> {
    let member = |next, done| Member {
        next,
        tasks: tasks.clone(),
        done,
        seen: 0,
    };
    let mut next = system
        .spawn_with(member(None, Some(done)), place())
        .unwrap();
    for _ in 1..n {
        next = system
            .spawn_with(member(Some(next), None), place())
            .unwrap();
    }
    next
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strand_runs_its_actors_in_one_task_and_loses_no_hop() {
    let system = ActorSystem::new();
    let strand = Strand::new(&system);
    let tasks = Arc::new(Mutex::new(Vec::new()));
    let (done, last) = oneshot::channel();
    let first = ring(&system, 50, || on(&strand), &tasks, done);
    // 49 hops reach the last member; it sees the token once.
    first.tell(49).await.unwrap();
    assert_eq!(within("the token to go round", last).await.unwrap(), 1);
    assert_eq!(tasks.lock().unwrap().len(), 1, "one task ran every member");

    let plain_tasks = Arc::new(Mutex::new(Vec::new()));
    let (done, last) = oneshot::channel();
    let first = ring(&system, 50, SpawnOptions::new, &plain_tasks, done);
    first.tell(49).await.unwrap();
    within("the token to go round", last).await.unwrap();
    assert_eq!(
        plain_tasks.lock().unwrap().len(),
        50,
        "a task per plain actor"
    );
    within("shutdown", system.shutdown()).await;
}

/// Tells `count` numbers to `to`, in order, waiting for room.
struct Producer {
    to: ActorRef<Collector>,
}

impl Actor for Producer {
    type Msg = u64;

    async fn handle(&mut self, count: u64, _: &mut Context<Self>) -> Result<(), BoxError> {
        for n in 0..count {
            self.to.tell(n).await?;
        }
        Ok(())
    }
}

/// Counts numbers that arrive in order and reports after `expect` of them.
struct Collector {
    next: u64,
    expect: u64,
    done: Option<oneshot::Sender<u64>>,
}

impl Actor for Collector {
    type Msg = u64;

    async fn handle(&mut self, n: u64, _: &mut Context<Self>) -> Result<(), BoxError> {
        if n == self.next {
            self.next += 1;
        }
        if n + 1 == self.expect
            && let Some(done) = self.done.take()
        {
            let _ = done.send(self.next);
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_waiting_for_room_on_its_own_strand_delivers_everything_in_order() {
    // The producer fills the collector's four places and waits; the
    // collector, on the same task, makes room and wakes it: many turns.
    let system = ActorSystem::new();
    let strand = Strand::new(&system);
    let count = 10_000;
    let (done, in_order) = oneshot::channel();
    let collector = Collector {
        next: 0,
        expect: count,
        done: Some(done),
    };
    let small = on(&strand).mailbox(MailboxConfig::Bounded(4));
    let to = system.spawn_with(collector, small).unwrap();
    let producer = system.spawn_with(Producer { to }, on(&strand)).unwrap();
    producer.tell(count).await.unwrap();
    let in_order = within("every number", in_order).await.unwrap();
    assert_eq!(in_order, count, "every number arrived, in order");
    within("shutdown", system.shutdown()).await;
}

#[tokio::test]
async fn a_killed_actor_on_a_strand_leaves_the_others_running() {
    let (_system, held, other) = two_counters_on_a_strand();
    let _open = support::hold(&held).await;
    held.kill();
    assert_eq!(
        within("the kill", held.wait_for_stop()).await,
        StopReason::Killed
    );
    still_counts(&other, 5).await;
}

#[tokio::test]
async fn a_panicking_handler_fails_only_its_actor() {
    let (_system, panicky, other) = two_counters_on_a_strand();
    panicky.tell(CounterMsg::Panic).await.unwrap();
    let reason = within("the failure", panicky.wait_for_stop()).await;
    assert!(matches!(reason, StopReason::Failed(_)), "{reason:?}");
    still_counts(&other, 2).await;
}

/// A system with two counters on one strand (which their actors keep).
fn two_counters_on_a_strand() -> (ActorSystem, ActorRef<Counter>, ActorRef<Counter>) {
    let system = ActorSystem::new();
    let strand = Strand::new(&system);
    let a = system.spawn_with(Counter::default(), on(&strand)).unwrap();
    let b = system.spawn_with(Counter::default(), on(&strand)).unwrap();
    (system, a, b)
}

/// Checks that `counter` still adds and answers.
async fn still_counts(counter: &ActorRef<Counter>, n: u64) {
    counter.tell(CounterMsg::Add(n)).await.unwrap();
    let total = within("an answer", counter.ask(CounterMsg::Get)).await;
    assert_eq!(total.unwrap(), n);
}

#[tokio::test]
async fn a_strand_ends_when_its_handles_and_actors_are_gone() {
    let system = ActorSystem::new();
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();
    let strand = Strand::new(&system);
    let counter = system.spawn_with(Counter::default(), on(&strand)).unwrap();
    assert_eq!(metrics.num_alive_tasks(), baseline + 1, "one task in all");
    drop(strand);
    // The actor keeps the strand's task alive after its last handle.
    still_counts(&counter, 1).await;
    assert_eq!(metrics.num_alive_tasks(), baseline + 1);
    counter.stop();
    within("the stop", counter.wait_for_stop()).await;
    within("the strand's task to end", async {
        while metrics.num_alive_tasks() > baseline {
            tokio::task::yield_now().await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emptied_strand_takes_new_actors() {
    // A strand that runs empty gives its table back and starts its indices
    // again; the killed actors' late wake-ups must not reach the new ones.
    let system = ActorSystem::new();
    let strand = Strand::new(&system);
    for round in 1..=3 {
        let counters: Vec<_> = (0..8)
            .map(|_| system.spawn_with(Counter::default(), on(&strand)).unwrap())
            .collect();
        for counter in &counters {
            still_counts(counter, round).await;
            counter.kill();
            counter.kill();
        }
        for counter in &counters {
            within("the kill", counter.wait_for_stop()).await;
        }
    }
    assert_eq!(system.live_actors(), 0);
}

#[tokio::test]
async fn a_spawn_on_another_systems_strand_is_refused() {
    let strand = Strand::new(&ActorSystem::new());
    let system = ActorSystem::new();
    let refused = system.spawn_with(Counter::default(), on(&strand));
    assert!(matches!(refused, Err(SpawnError::ForeignStrand)));
    assert_eq!(system.live_actors(), 0);
}

/// Two actors that bounce a ball for ever.
struct Bouncer {
    peer: Option<ActorRef<Bouncer>>,
}

impl Actor for Bouncer {
    type Msg = Option<ActorRef<Bouncer>>;

    async fn handle(&mut self, peer: Self::Msg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if peer.is_some() {
            self.peer = peer;
        }
        if let Some(peer) = &self.peer {
            let _ = peer.tell(None).await;
        } else {
            // The first ball arrives before the peer is known: hand it back
            // to ourselves until it is.
            ctx.tell_self(None).await?;
        }
        Ok(())
    }
}

#[test]
fn a_strand_that_never_runs_dry_lets_other_tasks_run() {
    // On one thread, a strand that kept polling its busy pair would starve
    // every other task; it yields once it has run for `Strand::TURN` instead.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let system = ActorSystem::new();
            let strand = Strand::new(&system);
            let unbounded = || on(&strand).mailbox(MailboxConfig::Unbounded);
            let a = system
                .spawn_with(Bouncer { peer: None }, unbounded())
                .unwrap();
            let b = system
                .spawn_with(Bouncer { peer: None }, unbounded())
                .unwrap();
            b.tell(Some(a.clone())).await.unwrap();
            a.tell(Some(b)).await.unwrap();
            tokio::spawn(async {}).await.unwrap();
        });
        let _ = done.send(());
    });
    finished
        .recv_timeout(support::BOUND)
        .expect("a plain task ran beside the busy strand");
}

#[test]
fn a_runtime_dropped_while_a_strand_is_busy_shuts_down() {
    // Half the ring on a strand, half plain: wake-ups cross between them
    // while the runtime tears both down.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let strand = Mutex::new(None::<Strand>);
        let count = std::sync::atomic::AtomicUsize::new(0);
        support::ring::drop_a_runtime_with_a_busy_ring(|system| {
            let strand = strand
                .lock()
                .unwrap()
                .get_or_insert_with(|| Strand::new(system))
                .clone();
            match count.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 {
                0 => on(&strand).mailbox(MailboxConfig::Bounded(4)),
                _ => SpawnOptions::new().mailbox(MailboxConfig::Bounded(4)),
            }
        });
        let _ = done.send(());
    });
    finished
        .recv_timeout(support::BOUND * 3)
        .expect("the runtime's shutdown finished");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_on_a_strand_shares_its_actors_task_and_gives_its_output() {
    let system = ActorSystem::new();
    let strand = Strand::new(&system);
    let counter = system.spawn_with(Counter::default(), on(&strand)).unwrap();
    let actor_tasks = Arc::new(Mutex::new(Vec::new()));
    let probe = Member {
        next: None,
        tasks: actor_tasks.clone(),
        done: None,
        seen: 0,
    };
    let probe = system.spawn_with(probe, on(&strand)).unwrap();
    let answer = strand
        .spawn(async move {
            for n in 1..=100 {
                counter.tell(CounterMsg::Add(n)).await.unwrap();
            }
            probe.tell(0).await.unwrap();
            let total = counter.ask(CounterMsg::Get).await.unwrap();
            (total, tokio::task::id())
        })
        .await;
    let (total, task) = answer.unwrap();
    assert_eq!(total, 5050);
    assert_eq!(*actor_tasks.lock().unwrap(), vec![task], "one task for all");
    within("shutdown", system.shutdown()).await;
}

#[tokio::test]
async fn a_panicking_or_aborted_task_on_a_strand_says_so() {
    let system = ActorSystem::new();
    let strand = Strand::new(&system);
    let panicked = strand.spawn(async { panic!("the task was told to panic") });
    assert_eq!(
        within("the panic", panicked).await,
        Err::<(), _>(actor_core::error::StrandTaskError::Panicked)
    );
    let (_never, wait) = oneshot::channel::<()>();
    let waiting = strand.spawn(wait);
    waiting.abort();
    assert!(matches!(
        within("the abort", waiting).await,
        Err(actor_core::error::StrandTaskError::Cancelled)
    ));
    // The strand still runs tasks after both.
    assert_eq!(within("a task", strand.spawn(async { 7 })).await, Ok(7));
}

/// Spawns a child beside itself (on its own strand, if any) and answers
/// whether it has a strand and the tasks the two of them ran in.
struct Parent;

impl Actor for Parent {
    type Msg = actor_core::Reply<(bool, tokio::task::Id, tokio::task::Id)>;

    async fn handle(&mut self, reply: Self::Msg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let strand = ctx.strand();
        let beside = match &strand {
            Some(strand) => on(strand),
            None => SpawnOptions::new(),
        };
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let child = Member {
            next: None,
            tasks: tasks.clone(),
            done: None,
            seen: 0,
        };
        let child = ctx.spawn_linked_with(child, beside)?;
        child.tell(0).await?;
        // The child's poll comes before this handler's next one on a
        // strand; elsewhere wait for it.
        while tasks.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        let child_task = tasks.lock().unwrap()[0];
        reply.send((strand.is_some(), tokio::task::id(), child_task));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_spawned_beside_its_parent_shares_its_strand() {
    let system = ActorSystem::new();
    let strand = Strand::new(&system);
    let parent = system.spawn_with(Parent, on(&strand)).unwrap();
    let (on_strand, own, child) = within("the answer", parent.ask(|r| r)).await.unwrap();
    assert!(on_strand);
    assert_eq!(own, child, "one task for parent and child");

    let plain = system.spawn(Parent).unwrap();
    let (on_strand, own, child) = within("the answer", plain.ask(|r| r)).await.unwrap();
    assert!(!on_strand);
    assert_ne!(own, child, "a plain child is a task of its own");
    within("shutdown", system.shutdown()).await;
}
