//! Savina's ThreadRing (both the `ring` workload and `savina-threadring`),
//! on ractor's default (unbounded) mailboxes.

use std::time::Instant;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use super::{joined, report, report_port, send_report, start};
use crate::check::Check;
use crate::measure::Pass;

/// A ring member's messages.
enum RingMsg {
    /// The successor, told once before the token starts.
    Next(ActorRef<RingMsg>),
    Token(u64),
    Exit(usize),
}

/// What a member reports when it stops.
struct MemberReport {
    index: usize,
    tokens: u64,
    got_zero: bool,
    started_exit: bool,
}

/// Member `index` of a ring of `size`.
struct Member {
    index: usize,
    size: usize,
}

struct MemberState {
    next: Option<ActorRef<RingMsg>>,
    tokens: u64,
    got_zero: bool,
    started_exit: bool,
    report: Option<RpcReplyPort<MemberReport>>,
}

impl Actor for Member {
    type Msg = RingMsg;
    type State = MemberState;
    type Arguments = RpcReplyPort<MemberReport>;

    async fn pre_start(
        &self,
        _: ActorRef<RingMsg>,
        report: RpcReplyPort<MemberReport>,
    ) -> Result<MemberState, ActorProcessingErr> {
        Ok(MemberState {
            next: None,
            tokens: 0,
            got_zero: false,
            started_exit: false,
            report: Some(report),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<RingMsg>,
        message: RingMsg,
        state: &mut MemberState,
    ) -> Result<(), ActorProcessingErr> {
        if let RingMsg::Next(next) = message {
            state.next = Some(next);
            return Ok(());
        }
        let next = state
            .next
            .as_ref()
            .ok_or("a message before the successor")?;
        match message {
            RingMsg::Token(k) => {
                state.tokens += 1;
                if k > 0 {
                    next.cast(RingMsg::Token(k - 1))?;
                } else {
                    state.got_zero = true;
                    next.cast(RingMsg::Exit(self.size))?;
                }
            }
            RingMsg::Exit(k) => {
                state.started_exit |= k == self.size;
                if k > 0 {
                    // The last Exit(0) goes to the member that started the
                    // wave, stopped by then: ractor refuses it with an error,
                    // and the message is dropped.
                    let _ = next.cast(RingMsg::Exit(k - 1));
                }
                myself.stop(None);
            }
            RingMsg::Next(_) => {}
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<RingMsg>,
        state: &mut MemberState,
    ) -> Result<(), ActorProcessingErr> {
        let report = MemberReport {
            index: self.index,
            tokens: state.tokens,
            got_zero: state.got_zero,
            started_exit: state.started_exit,
        };
        send_report(&mut state.report, report)
    }
}

/// `Spec::Ring`: the run ends when every member has stopped.
pub(super) async fn ring(actors: usize, hops: u64) -> Pass {
    let started = Instant::now();
    let mut refs = Vec::with_capacity(actors);
    let mut handles = Vec::with_capacity(actors);
    let mut reports = Vec::with_capacity(actors);
    for index in 0..actors {
        let (port, rx) = report_port();
        let (r, h) = start(
            Member {
                index,
                size: actors,
            },
            port,
        )
        .await;
        refs.push(r);
        handles.push(h);
        reports.push(rx);
    }
    for (i, member) in refs.iter().enumerate() {
        let next = refs[(i + 1) % actors].clone();
        member
            .cast(RingMsg::Next(next))
            .expect("the member is alive");
    }
    refs[0]
        .cast(RingMsg::Token(hops))
        .expect("member 0 is alive");
    drop(refs);
    let (mut tokens, mut zero_at, mut exit_from, mut stopped) = (0, None, None, 0u64);
    for rx in reports {
        let r = report(rx).await;
        tokens += r.tokens;
        stopped += 1;
        zero_at = zero_at.or(r.got_zero.then_some(r.index));
        exit_from = exit_from.or(r.started_exit.then_some(r.index));
    }
    joined(handles).await;
    let elapsed = started.elapsed();
    let check = Check::new()
        .int("tokens", tokens)
        .int("zero_at", zero_at.expect("a member got Token(0)"))
        .int(
            "exit_from",
            exit_from.expect("a member started the exit wave"),
        )
        .int("stopped", stopped);
    Pass::new(elapsed, check)
}
