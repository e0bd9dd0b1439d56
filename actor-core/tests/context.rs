//! Context: timers, streams, watches, cancellation, linked children.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core::{
    Actor, ActorRef, ActorSystem, BoxError, Context, Reply, StopReason, TaskHandle, Terminated,
};
use support::{Counter, CounterMsg, within};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// An actor that exposes what tests need of its context through messages.
struct Probe {
    events: mpsc::UnboundedSender<String>,
    handles: Vec<TaskHandle>,
    name: &'static str,
    order: Option<Arc<Mutex<Vec<&'static str>>>>,
}

enum ProbeMsg {
    Tick(u32),
    After(Duration, u32),
    Every(Duration),
    Cancel,
    Stream(Vec<u32>),
    Watch(ActorRef<Counter>),
    Unwatch(ActorRef<Counter>),
    Token(Reply<CancellationToken>),
    Child(&'static str, Reply<ActorRef<Probe>>),
    StopSelf,
}

fn probe(name: &'static str) -> (Probe, mpsc::UnboundedReceiver<String>) {
    let (events, rx) = mpsc::unbounded_channel();
    let probe = Probe {
        events,
        handles: Vec::new(),
        name,
        order: None,
    };
    (probe, rx)
}

impl Actor for Probe {
    type Msg = ProbeMsg;

    async fn handle(&mut self, msg: ProbeMsg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            ProbeMsg::Tick(n) => {
                let _ = self.events.send(format!("tick {n}"));
            }
            ProbeMsg::After(delay, n) => {
                self.handles.push(ctx.send_after(delay, ProbeMsg::Tick(n)))
            }
            ProbeMsg::Every(period) => {
                let mut n = 0;
                let handle = ctx.send_interval(period, move || {
                    n += 1;
                    ProbeMsg::Tick(n)
                });
                self.handles.push(handle);
            }
            ProbeMsg::Cancel => self.handles.drain(..).for_each(|h| h.cancel()),
            ProbeMsg::Stream(items) => {
                let stream = tokio_stream::iter(items);
                self.handles.push(ctx.attach_stream(stream, ProbeMsg::Tick));
            }
            ProbeMsg::Watch(target) => ctx.watch(&target),
            ProbeMsg::Unwatch(target) => ctx.unwatch(&target),
            ProbeMsg::Token(reply) => reply.send(ctx.cancellation_token()),
            ProbeMsg::Child(name, reply) => {
                let (mut child, _rx) = probe(name);
                child.order = self.order.clone();
                child.events = self.events.clone();
                reply.send(ctx.spawn_linked(child)?);
            }
            ProbeMsg::StopSelf => ctx.stop(),
        }
        Ok(())
    }

    async fn on_terminated(
        &mut self,
        _: &mut Context<Self>,
        notice: Terminated,
    ) -> Result<(), BoxError> {
        let _ = self.events.send(format!("terminated: {}", notice.reason));
        Ok(())
    }

    async fn stopped(&mut self, _: &mut Context<Self>, _: &StopReason) -> Result<(), BoxError> {
        if let Some(order) = &self.order {
            order.lock().unwrap().push(self.name);
        }
        Ok(())
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    within("an event", rx.recv())
        .await
        .expect("events channel open")
}

#[tokio::test(start_paused = true)]
async fn send_after_delivers_after_the_delay() {
    let system = ActorSystem::new();
    let (p, mut rx) = probe("p");
    let p = system.spawn(p).unwrap();
    let start = tokio::time::Instant::now();
    p.tell(ProbeMsg::After(Duration::from_secs(3), 7))
        .await
        .unwrap();
    assert_eq!(next(&mut rx).await, "tick 7");
    assert!(start.elapsed() >= Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn send_interval_ticks_until_cancelled() {
    let system = ActorSystem::new();
    let (p, mut rx) = probe("p");
    let p = system.spawn(p).unwrap();
    let start = tokio::time::Instant::now();
    p.tell(ProbeMsg::Every(Duration::from_secs(1)))
        .await
        .unwrap();
    for n in 1..=3 {
        assert_eq!(next(&mut rx).await, format!("tick {n}"));
    }
    assert!(start.elapsed() >= Duration::from_secs(3));
    p.tell(ProbeMsg::Cancel).await.unwrap();
    // A marker sent after the cancel, then a long quiet period: no tick follows.
    p.tell(ProbeMsg::Tick(100)).await.unwrap();
    assert_eq!(next(&mut rx).await, "tick 100");
    tokio::time::advance(Duration::from_secs(60)).await;
    p.tell(ProbeMsg::Tick(101)).await.unwrap();
    assert_eq!(next(&mut rx).await, "tick 101");
}

#[tokio::test(start_paused = true)]
async fn timers_end_when_the_actor_stops() {
    let system = ActorSystem::new();
    let (p, mut rx) = probe("p");
    let p = system.spawn(p).unwrap();
    p.tell(ProbeMsg::Every(Duration::from_secs(1)))
        .await
        .unwrap();
    p.tell(ProbeMsg::After(Duration::from_secs(3600), 9))
        .await
        .unwrap();
    assert_eq!(next(&mut rx).await, "tick 1");
    let token = within("token", p.ask(ProbeMsg::Token)).await.unwrap();
    p.stop();
    within("stop", p.wait_for_stop()).await;
    assert!(token.is_cancelled());
    tokio::time::advance(Duration::from_secs(7200)).await;
    // The probe's sender is gone once its state dropped; no tick arrived after stop.
    while let Ok(event) = rx.try_recv() {
        assert_ne!(event, "tick 9", "the one-shot timer fired after stop");
    }
}

#[tokio::test]
async fn an_attached_stream_becomes_messages_in_order() {
    let system = ActorSystem::new();
    let (p, mut rx) = probe("p");
    let p = system.spawn(p).unwrap();
    p.tell(ProbeMsg::Stream(vec![1, 2, 3])).await.unwrap();
    for n in 1..=3 {
        assert_eq!(next(&mut rx).await, format!("tick {n}"));
    }
}

#[tokio::test]
async fn a_watcher_is_told_why_the_watched_actor_stopped() {
    let system = ActorSystem::new();
    let (p, mut rx) = probe("p");
    let p = system.spawn(p).unwrap();
    let target = system.spawn(Counter::default()).unwrap();
    p.tell(ProbeMsg::Watch(target.clone())).await.unwrap();
    // Make sure the watch is registered before the target fails.
    p.tell(ProbeMsg::Tick(0)).await.unwrap();
    assert_eq!(next(&mut rx).await, "tick 0");
    target
        .tell(CounterMsg::Fail("broken".into()))
        .await
        .unwrap();
    let event = next(&mut rx).await;
    assert!(
        event.starts_with("terminated: failed: error in `handle`: broken"),
        "{event}"
    );
}

#[tokio::test]
async fn watching_a_stopped_actor_notifies_at_once() {
    let system = ActorSystem::new();
    let (p, mut rx) = probe("p");
    let p = system.spawn(p).unwrap();
    let target = system.spawn(Counter::default()).unwrap();
    target.kill();
    within("kill", target.wait_for_stop()).await;
    p.tell(ProbeMsg::Watch(target)).await.unwrap();
    assert_eq!(next(&mut rx).await, "terminated: killed");
}

#[tokio::test]
async fn an_unwatched_actor_sends_no_notice() {
    let system = ActorSystem::new();
    let (p, mut rx) = probe("p");
    let p = system.spawn(p).unwrap();
    let target = system.spawn(Counter::default()).unwrap();
    p.tell(ProbeMsg::Watch(target.clone())).await.unwrap();
    p.tell(ProbeMsg::Unwatch(target.clone())).await.unwrap();
    p.tell(ProbeMsg::Tick(0)).await.unwrap();
    assert_eq!(next(&mut rx).await, "tick 0");
    target.stop();
    within("stop", target.wait_for_stop()).await;
    // Notices overtake user messages, so one would arrive before this marker.
    p.tell(ProbeMsg::Tick(1)).await.unwrap();
    assert_eq!(next(&mut rx).await, "tick 1");
}

#[tokio::test]
async fn linked_children_stop_before_their_parent() {
    let system = ActorSystem::new();
    let order = Arc::new(Mutex::new(Vec::new()));
    let (mut parent, _rx) = probe("parent");
    parent.order = Some(order.clone());
    let parent = system.spawn(parent).unwrap();
    let first = within("child", parent.ask(|r| ProbeMsg::Child("first", r)))
        .await
        .unwrap();
    let second = within("child", parent.ask(|r| ProbeMsg::Child("second", r)))
        .await
        .unwrap();
    let grandchild = within("child", first.ask(|r| ProbeMsg::Child("grandchild", r)))
        .await
        .unwrap();
    let child_token = within("token", second.ask(ProbeMsg::Token)).await.unwrap();
    assert_eq!(system.live_actors(), 4);
    parent.tell(ProbeMsg::StopSelf).await.unwrap();
    assert_eq!(
        within("parent", parent.wait_for_stop()).await,
        StopReason::Normal
    );
    assert_eq!(first.wait_for_stop().await, StopReason::Shutdown);
    assert_eq!(grandchild.wait_for_stop().await, StopReason::Shutdown);
    assert!(child_token.is_cancelled());
    let order = order.lock().unwrap();
    assert_eq!(*order, ["second", "grandchild", "first", "parent"]);
    assert_eq!(system.live_actors(), 0);
}

#[tokio::test]
async fn a_childs_token_is_cancelled_with_its_parents() {
    let system = ActorSystem::new();
    let (parent, _rx) = probe("parent");
    let parent = system.spawn(parent).unwrap();
    let child = within("child", parent.ask(|r| ProbeMsg::Child("child", r)))
        .await
        .unwrap();
    let token = within("token", child.ask(ProbeMsg::Token)).await.unwrap();
    let parent_token = within("token", parent.ask(ProbeMsg::Token)).await.unwrap();
    assert!(!token.is_cancelled());
    parent_token.cancel();
    assert!(token.is_cancelled(), "a child token follows its parent's");
}

#[tokio::test]
async fn context_reports_identity() {
    struct Me(Option<oneshot::Sender<(String, bool)>>);
    impl Actor for Me {
        type Msg = ();
        async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
            let same = ctx.actor_ref().id() == ctx.id();
            let name = ctx.name().unwrap_or_default().to_string();
            let _ = self.0.take().unwrap().send((name, same));
            Ok(())
        }
        async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), BoxError> {
            Ok(())
        }
    }
    let system = ActorSystem::new();
    let (tx, rx) = oneshot::channel();
    let _me = system.spawn_named("me", Me(Some(tx))).unwrap();
    assert_eq!(
        within("started", rx).await.unwrap(),
        ("me".to_string(), true)
    );
}
