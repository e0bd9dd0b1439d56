//! [`Topic`]: publish a message to every subscriber.
//!
//! Subscribers are actor addresses, each with a conversion from the topic's
//! message to its own. Publishing waits for room in each subscriber's
//! mailbox (backpressure); a subscriber that has stopped is removed at the
//! next publish, so a topic never accumulates dead subscribers.
//!
//! ```
//! use actor_core::pattern::topic::Topic;
//! use actor_core::{handlers, Actor, ActorSystem};
//!
//! #[derive(Actor, Default)]
//! struct Log(Vec<String>);
//!
//! #[handlers]
//! impl Log {
//!     fn record(&mut self, line: String) {
//!         self.0.push(line);
//!     }
//!     fn lines(&mut self) -> Vec<String> {
//!         self.0.clone()
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::new();
//! let log = system.spawn(Log::default())?;
//! let topic: Topic<String> = Topic::new();
//! topic.subscribe(&log, |line| LogMsg::Record { line });
//! let report = topic.publish("deployed".to_string()).await;
//! assert_eq!(report.delivered, 1);
//! assert_eq!(log.lines().await?, ["deployed"]);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use crate::actor::{Actor, ActorId};
use crate::actor_ref::ActorRef;

type Delivery = Pin<Box<dyn Future<Output = bool> + Send>>;

/// One subscriber: its id and how to hand it a message (resolving to
/// `false` once it has stopped).
struct Subscriber<M> {
    id: ActorId,
    deliver: Box<dyn Fn(M) -> Delivery + Send + Sync>,
}

/// A typed topic: every published message goes to every live subscriber.
///
/// Cheap to clone: clones share the subscriber list.
pub struct Topic<M> {
    subscribers: Arc<Mutex<Vec<Arc<Subscriber<M>>>>>,
}

/// What one [`Topic::publish`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PublishReport {
    /// Subscribers that received the message.
    pub delivered: usize,
    /// Subscribers found stopped and removed.
    pub removed: usize,
}

impl<M: Clone + Send + 'static> Topic<M> {
    /// A topic with no subscribers.
    pub fn new() -> Self {
        Topic {
            subscribers: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Subscribes `actor`, converting each message with `convert`. A second
    /// subscription of the same actor replaces the first.
    pub fn subscribe<A: Actor>(
        &self,
        actor: &ActorRef<A>,
        convert: impl Fn(M) -> A::Msg + Send + Sync + 'static,
    ) {
        let target = actor.downgrade();
        let deliver = move |msg: M| -> Delivery {
            let target = target.upgrade();
            let msg = target.as_ref().map(|_| convert(msg));
            Box::pin(async move {
                match (target, msg) {
                    (Some(target), Some(msg)) => target.tell(msg).await.is_ok(),
                    _ => false,
                }
            })
        };
        let subscriber = Arc::new(Subscriber {
            id: actor.id(),
            deliver: Box::new(deliver),
        });
        let mut subscribers = self.lock();
        subscribers.retain(|s| s.id != actor.id());
        subscribers.push(subscriber);
    }

    /// Removes `actor`; returns whether it was subscribed.
    pub fn unsubscribe<A: Actor>(&self, actor: &ActorRef<A>) -> bool {
        let mut subscribers = self.lock();
        let before = subscribers.len();
        subscribers.retain(|s| s.id != actor.id());
        subscribers.len() != before
    }

    /// How many subscribers the topic holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the topic has no subscribers.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends `msg` to every subscriber, waiting for room in each mailbox in
    /// turn, and removes those that have stopped.
    ///
    /// # Cancel safety
    ///
    /// If dropped midway, some subscribers have the message and the rest do
    /// not.
    pub async fn publish(&self, msg: M) -> PublishReport {
        let subscribers: Vec<Arc<Subscriber<M>>> = self.lock().clone();
        let mut report = PublishReport::default();
        let mut gone = Vec::new();
        for subscriber in subscribers {
            if (subscriber.deliver)(msg.clone()).await {
                report.delivered += 1;
            } else {
                gone.push(subscriber.id);
            }
        }
        if !gone.is_empty() {
            let mut subscribers = self.lock();
            let before = subscribers.len();
            subscribers.retain(|s| !gone.contains(&s.id));
            report.removed = before - subscribers.len();
        }
        report
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Subscriber<M>>>> {
        self.subscribers.lock()
    }
}

impl<M: Clone + Send + 'static> Default for Topic<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> Clone for Topic<M> {
    fn clone(&self) -> Self {
        Topic {
            subscribers: self.subscribers.clone(),
        }
    }
}

impl<M> fmt::Debug for Topic<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.subscribers.lock().len();
        f.debug_struct("Topic")
            .field("subscribers", &count)
            .finish()
    }
}
