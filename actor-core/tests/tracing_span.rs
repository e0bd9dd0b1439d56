//! Every actor runs in a `tracing` span carrying its id, name and type, and
//! a failure is logged with the actor's name and id.
//!
//! A small recording subscriber stands in for a real one, installed as the
//! thread's default around a current-thread runtime so actors see it.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actor_core::ActorSystem;
use support::{Counter, CounterMsg, within};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Recorded fields: name and value, in order.
type FieldList = Vec<(String, String)>;

#[derive(Default)]
struct Log {
    /// Fields of each span, by span id.
    spans: HashMap<u64, FieldList>,
    /// Spans entered on this (single) thread, innermost last.
    stack: Vec<u64>,
    /// Each event's fields, with the fields of the span it happened in.
    events: Vec<(FieldList, FieldList)>,
}

#[derive(Clone, Default)]
struct Recorder {
    log: Arc<Mutex<Log>>,
    next: Arc<AtomicU64>,
}

struct Fields(FieldList);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields(vec![("span".into(), attrs.metadata().name().into())]);
        attrs.record(&mut fields);
        self.log.lock().unwrap().spans.insert(id, fields.0);
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        let mut log = self.log.lock().unwrap();
        let span = log
            .stack
            .last()
            .and_then(|id| log.spans.get(id).cloned())
            .unwrap_or_default();
        log.events.push((fields.0, span));
    }

    fn enter(&self, span: &Id) {
        self.log.lock().unwrap().stack.push(span.into_u64());
    }

    fn exit(&self, _: &Id) {
        self.log.lock().unwrap().stack.pop();
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_failure_is_logged_inside_the_actor_span_with_its_name_and_id() {
    let recorder = Recorder::default();
    let log = recorder.log.clone();
    let id = tracing::subscriber::with_default(recorder, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let system = ActorSystem::new();
            let counter = system.spawn_named("ledger", Counter::default()).unwrap();
            counter
                .tell(CounterMsg::Fail("bad entry".into()))
                .await
                .unwrap();
            within("failure", counter.wait_for_stop()).await;
            counter.id()
        })
    });
    let log = log.lock().unwrap();
    let (event, span) = log
        .events
        .iter()
        .find(|(event, _)| field(event, "message").is_some_and(|m| m.contains("bad entry")))
        .expect("the failure was logged");
    assert_eq!(field(span, "span"), Some("actor"));
    assert_eq!(field(span, "id"), Some(id.to_string().as_str()));
    assert_eq!(field(span, "name"), Some("ledger"));
    assert!(field(span, "actor_type").is_some_and(|t| t.ends_with("Counter")));
    let label = field(event, "actor").expect("the event names the actor");
    assert!(
        label.contains("ledger") && label.contains(&id.to_string()),
        "{label}"
    );
}
