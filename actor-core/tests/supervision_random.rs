//! A randomized test: a two-level supervision tree under random failures
//! keeps its invariants. Every failure restarts exactly the children its
//! strategy names, the restart counts match a model of the tree, every
//! child keeps answering through the same reference, and nothing outlives
//! the shutdown.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use actor_core::supervision::{Backoff, ChildSpec, Strategy, Supervisor};
use actor_core::{Actor, ActorRef, ActorSystem, Context, handlers};
use support::within;
use tokio::sync::mpsc;

#[derive(Actor)]
struct Leaf {
    name: &'static str,
    events: mpsc::UnboundedSender<String>,
}

#[handlers]
impl Leaf {
    fn fail(&mut self) {
        panic!("{} fails", self.name);
    }

    fn whoami(&mut self) -> String {
        self.name.to_string()
    }

    #[started]
    fn up(&mut self, _ctx: &mut Context<Self>) {
        let _ = self.events.send(self.name.to_string());
    }
}

fn leaf(name: &'static str, events: &mpsc::UnboundedSender<String>) -> ChildSpec {
    let events = events.clone();
    ChildSpec::new(name, move || Leaf {
        name,
        events: events.clone(),
    })
    .backoff(Backoff::none())
}

/// xorshift64: reproducible from the seed printed on failure.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

const ROOT_LEAVES: [&str; 2] = ["l0", "l1"];
const SUB_LEAVES: [&str; 3] = ["m0", "m1", "m2"];

async fn run_seed(seed: u64, steps: usize) {
    let system = ActorSystem::new();
    let (tx, mut events) = mpsc::unbounded_channel();
    let many = |b: actor_core::supervision::SupervisorBuilder| {
        b.intensity(10_000, Duration::from_secs(3600))
    };
    let mut sub = many(Supervisor::builder().strategy(Strategy::RestForOne));
    for name in SUB_LEAVES {
        sub = sub.child(leaf(name, &tx));
    }
    let root = many(Supervisor::builder())
        .child(leaf("l0", &tx))
        .child(leaf("l1", &tx))
        .child(ChildSpec::supervisor("sub", sub))
        .spawn(&system)
        .unwrap();
    let mut starts: HashMap<String, u32> = HashMap::new();
    let mut expected: HashMap<&str, u32> = HashMap::new();
    for name in ROOT_LEAVES.iter().chain(&SUB_LEAVES) {
        expected.insert(name, 1);
    }
    let mut record = async |n: usize, starts: &mut HashMap<String, u32>| {
        for _ in 0..n {
            let name = within("a start", events.recv()).await.expect("events open");
            *starts.entry(name).or_default() += 1;
        }
    };
    record(5, &mut starts).await;
    let sub_ref: ActorRef<Supervisor> = within("sub", root.child("sub")).await.unwrap().unwrap();
    let mut refs: HashMap<&str, ActorRef<Leaf>> = HashMap::new();
    for name in ROOT_LEAVES {
        refs.insert(
            name,
            within("leaf", root.child(name)).await.unwrap().unwrap(),
        );
    }
    for name in SUB_LEAVES {
        refs.insert(
            name,
            within("leaf", sub_ref.child(name)).await.unwrap().unwrap(),
        );
    }
    let mut state = seed;
    for _ in 0..steps {
        let all: Vec<&str> = ROOT_LEAVES.iter().chain(&SUB_LEAVES).copied().collect();
        let victim = all[(next(&mut state) % all.len() as u64) as usize];
        refs[victim].fail().await.unwrap();
        // The model: rest-for-one in `sub` restarts the victim and the leaves
        // after it; one-for-one at the root restarts the victim alone.
        let restarted: Vec<&str> = match SUB_LEAVES.iter().position(|n| *n == victim) {
            Some(i) => SUB_LEAVES[i..].to_vec(),
            None => vec![victim],
        };
        for name in &restarted {
            *expected.get_mut(name).unwrap() += 1;
        }
        record(restarted.len(), &mut starts).await;
    }
    for (name, count) in &expected {
        assert_eq!(
            starts.get(*name),
            Some(count),
            "seed {seed}: starts of {name}"
        );
        let answer = within("answer", refs[name].whoami()).await.unwrap();
        assert_eq!(
            answer, *name,
            "seed {seed}: the same reference still answers"
        );
    }
    let report = within("shutdown", system.shutdown()).await;
    assert_eq!(report.aborted, 0, "seed {seed}");
    assert_eq!(
        system.live_actors(),
        0,
        "seed {seed}: nothing outlives the shutdown"
    );
    assert!(
        events.try_recv().is_err(),
        "seed {seed}: no restart the model did not expect"
    );
}

#[tokio::test]
async fn random_failures_keep_the_tree_invariants() {
    for seed in [0x9e37_79b9_7f4a_7c15, 0xdead_beef_cafe_f00d, 42] {
        run_seed(seed, 60).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_failures_keep_the_tree_invariants_on_two_workers() {
    run_seed(7, 60).await;
}
