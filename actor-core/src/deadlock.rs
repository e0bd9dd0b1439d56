//! (crate) The wait-for graph: one graph for both ways a handler can wait on
//! another actor, awaiting an ask's answer and awaiting room in a full
//! mailbox.
//!
//! Nodes are actor ids; callers turn a cycle into labels for errors.
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
//!
//! Waits inside handlers are common (an actor asking another), so the common
//! case stays cheap: an actor's targets sit inline (no allocation for up to
//! two), ids hash by their own random bits, a search from an actor that waits
//! on nobody allocates nothing, and removing an edge takes its shard lock
//! once.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

use dashmap::DashMap;
use smallvec::SmallVec;

use crate::actor::ActorId;
use crate::system::IdHasher;

/// The actors one actor waits on: usually one, several when a handler
/// awaits more than one ask at once.
type Targets = SmallVec<[ActorId; 2]>;

/// Each waiting actor and the actors it waits on, hashed by the ids' own
/// random bits (a keyed hash costs more than the rest of an edge).
static GRAPH: LazyLock<DashMap<ActorId, Targets, BuildHasherDefault<IdHasher>>> =
    LazyLock::new(DashMap::default);

/// A registered wait of one actor on another; removed on drop.
#[derive(Debug)]
pub(crate) struct WaitEdge {
    from: ActorId,
    to: ActorId,
}

impl WaitEdge {
    /// Records that `from` waits on `to`. Returns the edge and, when `to`
    /// already waits on `from` directly or through others, the cycle
    /// (starting with `from`, then `to`).
    pub(crate) fn register(from: ActorId, to: ActorId) -> (Self, Option<Vec<ActorId>>) {
        GRAPH.entry(from).or_default().push(to);
        let edge = WaitEdge { from, to };
        let cycle = find_path(to, from).map(|rest| {
            let mut cycle = vec![from, to];
            cycle.extend(rest);
            cycle
        });
        (edge, cycle)
    }
}

impl Drop for WaitEdge {
    fn drop(&mut self) {
        GRAPH.remove_if_mut(&self.from, |_, targets| {
            if let Some(i) = targets.iter().position(|t| *t == self.to) {
                targets.swap_remove(i);
            }
            targets.is_empty()
        });
    }
}

/// A path of waits from `start` to `goal`, as the nodes after `start` up to
/// the one that waits on `goal`; `None` if there is none.
fn find_path(start: ActorId, goal: ActorId) -> Option<Vec<ActorId>> {
    if !GRAPH.contains_key(&start) {
        return None;
    }
    let mut parent: HashMap<ActorId, ActorId> = HashMap::new();
    let mut seen: HashSet<ActorId> = HashSet::from([start]);
    let mut stack = vec![start];
    while let Some(node) = stack.pop() {
        let targets = match GRAPH.get(&node) {
            Some(targets) => targets.clone(),
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
    // `path` runs from `start` to `last`; the caller prepends `start`.
    path.remove(0);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_party_cycle_is_found_by_the_second_waiter() {
        let (a, b) = (ActorId::new(), ActorId::new());
        let (_ab, first) = WaitEdge::register(a, b);
        assert!(first.is_none());
        let (_ba, second) = WaitEdge::register(b, a);
        assert_eq!(second.unwrap(), vec![b, a]);
    }

    #[test]
    fn three_party_cycle_names_every_member_in_order() {
        let (a, b, c) = (ActorId::new(), ActorId::new(), ActorId::new());
        let (_ab, _) = WaitEdge::register(a, b);
        let (_bc, _) = WaitEdge::register(b, c);
        let (_ca, cycle) = WaitEdge::register(c, a);
        assert_eq!(cycle.unwrap(), vec![c, a, b]);
    }

    #[test]
    fn dropped_edge_breaks_the_cycle() {
        let (a, b) = (ActorId::new(), ActorId::new());
        let (ab, _) = WaitEdge::register(a, b);
        drop(ab);
        let (_ba, cycle) = WaitEdge::register(b, a);
        assert!(cycle.is_none());
        assert!(!GRAPH.contains_key(&a));
    }

    #[test]
    fn a_chain_without_a_way_back_is_not_a_cycle() {
        let (a, b, c) = (ActorId::new(), ActorId::new(), ActorId::new());
        let (_ab, _) = WaitEdge::register(a, b);
        let (_bc, cycle) = WaitEdge::register(b, c);
        assert!(cycle.is_none());
    }
}
