//! The ring (Savina's ThreadRing) as kompact components. A member that has
//! handled its `Exit` shuts down with `Handled::SHUTDOWN`; the last
//! `Exit(0)` then reaches a destroyed member and is dropped: kompact never
//! schedules a destroyed component again, so the message is never handled.

use std::time::Instant;

use kompact::prelude::*;

use super::micro::strong;
use super::{Finish, all_stopped};
use crate::check::Check;
use crate::measure::Pass;

/// A ring member's messages.
#[derive(Debug)]
enum RingMsg {
    /// The successor (setup, before the token).
    Next(ActorRefStrong<RingMsg>),
    /// The token with the hops left.
    Token(u64),
    /// The exit wave with the members left to tell.
    Exit(u64),
}

/// What a member reports when it stops.
#[derive(Clone, Copy)]
struct MemberReport {
    tokens: u64,
    zero_at: Option<u64>,
    exit_from: Option<u64>,
}

/// Ring member `index` of `actors`.
#[derive(ComponentDefinition)]
struct Member {
    ctx: ComponentContext<Self>,
    index: u64,
    actors: u64,
    next: Option<ActorRefStrong<RingMsg>>,
    report: MemberReport,
    finish: Finish<MemberReport>,
}

impl Member {
    fn new(index: u64, actors: u64, finish: Finish<MemberReport>) -> Member {
        Member {
            ctx: ComponentContext::uninitialised(),
            index,
            actors,
            next: None,
            report: MemberReport {
                tokens: 0,
                zero_at: None,
                exit_from: None,
            },
            finish,
        }
    }

    fn to_next(&self, msg: RingMsg) {
        if let Some(next) = &self.next {
            next.tell(msg);
        }
    }

    fn token(&mut self, k: u64) -> HandlerResult {
        self.report.tokens += 1;
        if k > 0 {
            self.to_next(RingMsg::Token(k - 1));
        } else {
            self.report.zero_at = Some(self.index);
            self.to_next(RingMsg::Exit(self.actors));
        }
        Handled::OK
    }

    fn exit(&mut self, k: u64) -> HandlerResult {
        if k == self.actors {
            self.report.exit_from = Some(self.index);
        }
        if k > 0 {
            self.to_next(RingMsg::Exit(k - 1));
        }
        Handled::SHUTDOWN
    }
}

impl ComponentLifecycle for Member {
    fn on_kill(&mut self) -> HandlerResult {
        // Drop the strong reference, so the ring can be deallocated.
        self.next = None;
        self.finish.report(self.report);
        Handled::OK
    }
}

impl Actor for Member {
    type Message = RingMsg;

    fn receive_local(&mut self, msg: RingMsg) -> HandlerResult {
        match msg {
            RingMsg::Next(next) => {
                self.next = Some(next);
                Handled::OK
            }
            RingMsg::Token(k) => self.token(k),
            RingMsg::Exit(k) => self.exit(k),
        }
    }
}

/// The ring: create and link the members (timed), send the token to
/// member 0, wait for every member to stop.
pub(super) async fn ring(system: KompactSystem, actors: usize, hops: u64) -> Pass {
    let (finish, stopped) = Finish::new(actors);
    let started = Instant::now();
    let refs: Vec<_> = (0..actors as u64)
        .map(|index| {
            let member = system.create(|| Member::new(index, actors as u64, finish.clone()));
            system.start(&member);
            strong(&member)
        })
        .collect();
    drop(finish);
    for (i, member) in refs.iter().enumerate() {
        member.tell(RingMsg::Next(refs[(i + 1) % actors].clone()));
    }
    refs[0].tell(RingMsg::Token(hops));
    drop(refs);
    let reports = all_stopped(stopped).await;
    let elapsed = started.elapsed();
    let check = Check::new()
        .int("tokens", reports.iter().map(|r| r.tokens).sum::<u64>())
        .int(
            "zero_at",
            reports.iter().find_map(|r| r.zero_at).unwrap_or(0),
        )
        .int(
            "exit_from",
            reports.iter().find_map(|r| r.exit_from).unwrap_or(0),
        )
        .int("stopped", reports.len());
    Pass::new(elapsed, check)
}
