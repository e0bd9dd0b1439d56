//! (crate) The wait-for graph: one graph for both ways a handler can wait on
//! another actor, awaiting an ask's answer and awaiting room in a full
//! mailbox.
//!
//! Only waits made inside a handler are recorded (plain tasks cannot be
//! waited on, so they cannot close a cycle), and only on the slow path: a tell
//! that finds room never touches the graph.
//!
//! # Invariants
//!
//! 1. An edge `a -> b` exists exactly while a handler of `a` waits on `b`;
//!    [`WaitEdge`] removes it on drop, also when the waiting future is
//!    cancelled.
//! 2. Each waiter inserts its edge *before* searching for a path back to
//!    itself. Inserts and reads go through the map's shard locks, so of two
//!    actors closing a cycle concurrently, at least the later one sees the
//!    other's edge: every cycle is found by some member.
//! 3. Reads clone what they need and release the shard guard before the next
//!    lookup, so the search never holds two guards at once.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use dashmap::DashMap;

use crate::actor::{ActorId, ActorLabel};

tokio::task_local! {
    /// The actor whose task is running, set for the life of its run loop.
    pub(crate) static CURRENT: ActorLabel;
}

/// The actor whose handler is running on this task, if any.
pub(crate) fn current_actor() -> Option<ActorLabel> {
    CURRENT.try_with(ActorLabel::clone).ok()
}

struct Node {
    label: ActorLabel,
    targets: Vec<ActorId>,
}

static GRAPH: LazyLock<DashMap<ActorId, Node>> = LazyLock::new(DashMap::new);

/// A registered wait of one actor on another; removed on drop.
#[derive(Debug)]
pub(crate) struct WaitEdge {
    from: ActorId,
    to: ActorId,
}

impl WaitEdge {
    /// Records that `from` waits on `to`. Returns the edge and, when `to`
    /// already waits on `from` directly or through others, the cycle
    /// (starting with `from`).
    pub(crate) fn register(from: &ActorLabel, to: &ActorLabel) -> (Self, Option<Vec<ActorLabel>>) {
        GRAPH
            .entry(from.id())
            .or_insert_with(|| Node {
                label: from.clone(),
                targets: Vec::new(),
            })
            .targets
            .push(to.id());
        let edge = WaitEdge {
            from: from.id(),
            to: to.id(),
        };
        let cycle = find_path(to.id(), from.id()).map(|path| labels(from, to, &path));
        (edge, cycle)
    }
}

impl Drop for WaitEdge {
    fn drop(&mut self) {
        let empty = match GRAPH.get_mut(&self.from) {
            Some(mut node) => {
                if let Some(i) = node.targets.iter().position(|t| *t == self.to) {
                    node.targets.swap_remove(i);
                }
                node.targets.is_empty()
            }
            None => false,
        };
        if empty {
            GRAPH.remove_if(&self.from, |_, node| node.targets.is_empty());
        }
    }
}

/// A path of waits from `start` to `goal`, as the nodes after `start` up to
/// the one that waits on `goal`; `None` if there is none.
fn find_path(start: ActorId, goal: ActorId) -> Option<Vec<ActorId>> {
    let mut parent: HashMap<ActorId, ActorId> = HashMap::new();
    let mut seen: HashSet<ActorId> = HashSet::from([start]);
    let mut stack = vec![start];
    while let Some(node) = stack.pop() {
        let targets = match GRAPH.get(&node) {
            Some(n) => n.targets.clone(),
            None => continue,
        };
        for target in targets {
            if target == goal {
                return Some(unwind(&parent, start, node));
            }
            if seen.insert(target) {
                parent.insert(target, node);
                stack.push(target);
            }
        }
    }
    None
}

fn unwind(parent: &HashMap<ActorId, ActorId>, start: ActorId, last: ActorId) -> Vec<ActorId> {
    let mut path = vec![last];
    let mut node = last;
    while node != start {
        node = parent[&node];
        path.push(node);
    }
    path.reverse();
    // `path` runs from `start` to `last`; the caller labels `start` itself.
    path.remove(0);
    path
}

fn labels(from: &ActorLabel, to: &ActorLabel, rest: &[ActorId]) -> Vec<ActorLabel> {
    let mut cycle = vec![from.clone(), to.clone()];
    for id in rest {
        let label = GRAPH
            .get(id)
            .map(|node| node.label.clone())
            .unwrap_or_else(|| ActorLabel::new(*id, None));
        cycle.push(label);
    }
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str) -> ActorLabel {
        ActorLabel::new(ActorId::new(), Some(name.into()))
    }

    #[test]
    fn two_party_cycle_is_found_by_the_second_waiter() {
        let (a, b) = (label("a"), label("b"));
        let (_ab, first) = WaitEdge::register(&a, &b);
        assert!(first.is_none());
        let (_ba, second) = WaitEdge::register(&b, &a);
        assert_eq!(second.unwrap(), vec![b.clone(), a.clone()]);
    }

    #[test]
    fn three_party_cycle_names_every_member_in_order() {
        let (a, b, c) = (label("a"), label("b"), label("c"));
        let (_ab, _) = WaitEdge::register(&a, &b);
        let (_bc, _) = WaitEdge::register(&b, &c);
        let (_ca, cycle) = WaitEdge::register(&c, &a);
        assert_eq!(cycle.unwrap(), vec![c, a, b]);
    }

    #[test]
    fn dropped_edge_breaks_the_cycle() {
        let (a, b) = (label("a"), label("b"));
        let (ab, _) = WaitEdge::register(&a, &b);
        drop(ab);
        let (_ba, cycle) = WaitEdge::register(&b, &a);
        assert!(cycle.is_none());
        assert!(!GRAPH.contains_key(&a.id()));
    }

    #[test]
    fn a_chain_without_a_way_back_is_not_a_cycle() {
        let (a, b, c) = (label("a"), label("b"), label("c"));
        let (_ab, _) = WaitEdge::register(&a, &b);
        let (_bc, cycle) = WaitEdge::register(&b, &c);
        assert!(cycle.is_none());
    }
}
