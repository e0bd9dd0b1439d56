//! Savina's ThreadRing as kameo actors (the `ring` and `savina-threadring`
//! workloads), on unbounded mailboxes. The last `Exit(0)` is told to a member that has
//! already stopped: kameo refuses it (`SendError::ActorNotRunning`) or drops
//! it as undelivered, and the sender ignores that.

use std::time::Instant;

use kameo::actor::{Actor, ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};
use kameo::mailbox;
use kameo::message::{Context, Message};
use tokio::sync::mpsc;

use super::{all_stopped, gather};
use crate::check::Check;
use crate::measure::Pass;

/// What a member reports from its stop hook.
struct MemberReport {
    index: usize,
    tokens: u64,
    got_zero: bool,
    started_exit: bool,
}

/// A ring member.
struct Member {
    index: usize,
    actors: usize,
    next: Option<ActorRef<Member>>,
    tokens: u64,
    got_zero: bool,
    started_exit: bool,
    report: mpsc::UnboundedSender<MemberReport>,
}

impl Actor for Member {
    type Args = Self;
    type Error = Infallible;

    async fn on_start(args: Self, _: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(args)
    }

    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        let _ = self.report.send(MemberReport {
            index: self.index,
            tokens: self.tokens,
            got_zero: self.got_zero,
            started_exit: self.started_exit,
        });
        // Breaks the cycle of references around the ring.
        self.next = None;
        Ok(())
    }
}

/// Setup: the member's successor.
struct Successor(ActorRef<Member>);

struct Token(u64);

struct Exit(usize);

impl Member {
    fn successor(&self) -> &ActorRef<Member> {
        self.next.as_ref().expect("the successor was set up")
    }
}

impl Message<Successor> for Member {
    type Reply = ();

    async fn handle(&mut self, Successor(next): Successor, _ctx: &mut Context<Self, Self::Reply>) {
        self.next = Some(next);
    }
}

impl Message<Token> for Member {
    type Reply = ();

    async fn handle(&mut self, Token(k): Token, _ctx: &mut Context<Self, Self::Reply>) {
        self.tokens += 1;
        if k > 0 {
            let _ = self.successor().tell(Token(k - 1)).send().await;
        } else {
            self.got_zero = true;
            let _ = self.successor().tell(Exit(self.actors)).send().await;
        }
    }
}

impl Message<Exit> for Member {
    type Reply = ();

    async fn handle(&mut self, Exit(k): Exit, ctx: &mut Context<Self, Self::Reply>) {
        self.started_exit |= k == self.actors;
        if k > 0 {
            // The last Exit(0) finds its member stopped: dropped, not an error.
            let _ = self.successor().tell(Exit(k - 1)).send().await;
        }
        ctx.stop();
    }
}

/// The ring: members spawned and told their successors (timed), then
/// `Token(hops)` to member 0; done when every member has stopped.
pub(super) async fn ring(actors: usize, hops: u64) -> Pass {
    let started = Instant::now();
    let (report, mut reports) = mpsc::unbounded_channel();
    let members: Vec<ActorRef<Member>> = (0..actors)
        .map(|index| {
            Member::spawn_with_mailbox(
                Member {
                    index,
                    actors,
                    next: None,
                    tokens: 0,
                    got_zero: false,
                    started_exit: false,
                    report: report.clone(),
                },
                mailbox::unbounded(),
            )
        })
        .collect();
    for (i, member) in members.iter().enumerate() {
        let next = members[(i + 1) % actors].clone();
        member
            .tell(Successor(next))
            .send()
            .await
            .expect("the member is running");
    }
    members[0]
        .tell(Token(hops))
        .send()
        .await
        .expect("member 0 is running");
    let stopped = gather(&mut reports, actors).await;
    all_stopped(&members).await;
    let find = |pick: fn(&MemberReport) -> bool| {
        stopped
            .iter()
            .find(|r| pick(r))
            .map_or(u64::MAX, |r| r.index as u64)
    };
    let check = Check::new()
        .int("tokens", stopped.iter().map(|r| r.tokens).sum::<u64>())
        .int("zero_at", find(|r| r.got_zero))
        .int("exit_from", find(|r| r.started_exit))
        .int("stopped", stopped.len());
    Pass::new(started.elapsed(), check)
}
