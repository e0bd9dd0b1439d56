//! Macro-written actors: tells, asks, async handlers, context access,
//! handler errors, hooks, generic actors, settings, and the request form.

mod support;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core::error::AskError;
use actor_core::{
    Actor, ActorSystem, BoxError, Context, MailboxConfig, StopReason, Terminated, handlers,
};
use support::within;

/// A bank account.
#[derive(Actor, Debug, Default)]
#[actor(mailbox = 8)]
pub struct Account {
    balance: u64,
    log: Arc<Mutex<Vec<String>>>,
}

/// What an account refuses.
#[derive(Debug, PartialEq, Eq)]
pub struct Insufficient {
    /// What was there.
    pub balance: u64,
}

#[handlers]
impl Account {
    /// Adds money.
    pub fn deposit(&mut self, amount: u64) {
        self.balance += amount;
    }

    /// The balance.
    pub fn balance(&mut self) -> u64 {
        self.balance
    }

    /// Takes money, or says why not: the caller sees this `Result` inside
    /// the runtime's.
    ///
    /// # Errors
    ///
    /// [`Insufficient`] when the balance is too small.
    pub async fn withdraw(&mut self, amount: u64) -> Result<u64, Insufficient> {
        tokio::task::yield_now().await;
        if amount > self.balance {
            return Err(Insufficient {
                balance: self.balance,
            });
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    /// Answers with the actor's own name, read from its context.
    pub fn whoami(&mut self, ctx: &mut Context<Self>) -> String {
        ctx.name().unwrap_or("anonymous").to_string()
    }

    /// Never answers in time.
    pub async fn stall(&mut self) -> u64 {
        std::future::pending::<()>().await;
        0
    }

    /// Fails the actor.
    ///
    /// # Panics
    ///
    /// Always: that is its purpose.
    pub fn corrupt(&mut self) {
        panic!("ledger corrupt");
    }

    // Hooks take only the arguments they need, in any order.
    #[started]
    fn opened(&mut self) {
        self.log.lock().unwrap().push("opened".into());
    }

    #[stopped]
    async fn closed(
        &mut self,
        reason: &StopReason,
        _ctx: &mut Context<Self>,
    ) -> Result<(), BoxError> {
        self.log.lock().unwrap().push(format!("closed: {reason}"));
        Ok(())
    }

    #[skip]
    fn helper() -> u64 {
        1
    }
}

#[tokio::test]
async fn tells_and_asks_read_like_method_calls() {
    let system = ActorSystem::new();
    let account = system.spawn(Account::default()).unwrap();
    account.deposit(40).await.unwrap();
    account.deposit(Account::helper() + 1).await.unwrap();
    assert_eq!(within("ask", account.balance()).await.unwrap(), 42);
}

#[tokio::test]
async fn an_async_handlers_own_error_comes_back_inside_the_runtimes_result() {
    let system = ActorSystem::new();
    let account = system.spawn(Account::default()).unwrap();
    account.deposit(10).await.unwrap();
    assert_eq!(within("ask", account.withdraw(4)).await.unwrap(), Ok(6));
    let refused = within("ask", account.withdraw(100)).await.unwrap();
    assert_eq!(refused, Err(Insufficient { balance: 6 }));
    assert!(
        account.is_alive(),
        "a handler's own error does not fail the actor"
    );
}

#[tokio::test]
async fn handlers_can_use_their_context() {
    let system = ActorSystem::new();
    let account = system.spawn_named("alice", Account::default()).unwrap();
    assert_eq!(within("ask", account.whoami()).await.unwrap(), "alice");
}

#[tokio::test(start_paused = true)]
async fn with_timeout_bounds_one_ask() {
    let system = ActorSystem::new();
    let account = system.spawn(Account::default()).unwrap();
    let err = account
        .with_timeout(Duration::from_millis(30))
        .stall()
        .await
        .unwrap_err();
    assert!(
        matches!(err, AskError::Timeout { after, .. } if after == Duration::from_millis(30)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_panicking_handler_fails_the_actor_and_hooks_run() {
    let system = ActorSystem::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let account = Account {
        balance: 0,
        log: log.clone(),
    };
    let account = system.spawn(account).unwrap();
    account.corrupt().await.unwrap();
    let reason = within("failure", account.wait_for_stop()).await;
    assert!(reason.is_failure());
    let log = log.lock().unwrap();
    assert_eq!(log[0], "opened");
    assert!(
        log[1].starts_with("closed: failed: panicked in `handle`: ledger corrupt"),
        "{log:?}"
    );
}

#[tokio::test]
async fn the_derive_sets_the_mailbox_and_messages_name_their_kind() {
    let system = ActorSystem::new();
    let account = system.spawn(Account::default()).unwrap();
    assert_eq!(account.mailbox_stats().capacity, Some(8));
    assert_eq!(<Account as Actor>::MAILBOX, Some(MailboxConfig::Bounded(8)));
    assert_eq!(AccountMsg::Deposit { amount: 1 }.kind(), "deposit");
}

// ===== generics, names, unbounded, watch hook =====

/// A typed cache.
#[derive(Actor, Debug)]
#[actor(mailbox = unbounded, name = "cache")]
pub struct Cache<K: Hash + Eq + Send + 'static, V: Clone + Send + 'static> {
    // `Debug` needs `K: Debug`, `V: Debug` only when used.
    entries: HashMap<K, V>,
    seen_stops: Vec<String>,
}

#[handlers]
impl<K: Hash + Eq + Send + 'static, V: Clone + Send + 'static> Cache<K, V> {
    /// Stores a value.
    pub fn put(&mut self, key: K, value: V) {
        self.entries.insert(key, value);
    }

    /// Reads a value.
    pub fn get(&mut self, key: K) -> Option<V> {
        self.entries.get(&key).cloned()
    }

    /// Watches another cache of the same shape.
    pub fn watch_peer(&mut self, ctx: &mut Context<Self>, peer: actor_core::ActorRef<Self>) {
        ctx.watch(&peer);
    }

    /// Stops it has been told about.
    pub fn stops(&mut self) -> Vec<String> {
        self.seen_stops.clone()
    }

    #[on_terminated]
    fn peer_stopped(&mut self, notice: Terminated) {
        self.seen_stops.push(notice.reason.to_string());
    }
}

fn cache() -> Cache<String, u32> {
    Cache {
        entries: HashMap::new(),
        seen_stops: Vec::new(),
    }
}

#[tokio::test]
async fn a_generic_actor_with_a_default_name_and_an_unbounded_mailbox() {
    let system = ActorSystem::new();
    let cache = system.spawn(cache()).unwrap();
    assert_eq!(cache.name(), Some("cache"));
    assert_eq!(cache.mailbox_stats().capacity, None);
    cache.put("a".to_string(), 1).await.unwrap();
    assert_eq!(
        within("ask", cache.get("a".to_string())).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        within("ask", cache.get("b".to_string())).await.unwrap(),
        None
    );
    let found = system.lookup::<Cache<String, u32>>("cache").unwrap();
    assert_eq!(found, cache);
}

#[tokio::test]
async fn the_terminated_hook_receives_watch_notices() {
    let system = ActorSystem::new();
    let watcher = system
        .spawn_with(cache(), actor_core::SpawnOptions::new().name("w"))
        .unwrap();
    let peer = system
        .spawn_with(cache(), actor_core::SpawnOptions::new().name("p"))
        .unwrap();
    watcher.watch_peer(peer.clone()).await.unwrap();
    within("ask", watcher.stops()).await.unwrap();
    peer.stop();
    within("stop", peer.wait_for_stop()).await;
    assert_eq!(
        within("ask", watcher.stops()).await.unwrap(),
        ["stopped normally"]
    );
}

// ===== the request form =====

#[tokio::test]
async fn a_request_dispatched_to_an_address_gives_a_typed_response() {
    let system = ActorSystem::new();
    let account = system.spawn(Account::default()).unwrap();
    let none = AccountRequest::Deposit { amount: 9 }
        .dispatch(&account)
        .await
        .unwrap();
    assert!(none.is_none(), "a tell has no answer");
    let answer = AccountRequest::Balance {}.dispatch(&account).await.unwrap();
    assert!(matches!(answer, Some(AccountResponse::Balance(9))));
}

#[tokio::test]
async fn a_message_splits_into_request_and_reply_and_completes_from_a_response() {
    let system = ActorSystem::new();
    let account = system.spawn(Account::default()).unwrap();
    // What a remote address does: split the ask, ship the request, and answer
    // the local reply with the response that comes back.
    let answer = account.ask(|reply| {
        let (request, reply_to) = AccountMsg::Balance { reply }.into_request();
        assert!(matches!(request, AccountRequest::Balance {}));
        let reply_to = reply_to.expect("an ask has a reply handle");
        let (reply_to, back) = reply_to
            .complete(AccountResponse::Withdraw(Ok(1)))
            .expect_err("a response for another handler is handed back");
        assert!(matches!(back, AccountResponse::Withdraw(Ok(1))));
        reply_to
            .complete(AccountResponse::Balance(77))
            .unwrap_or_else(|_| panic!("the matching response answers the ask"));
        // The request itself still has to go somewhere: here, a no-op tell.
        AccountMsg::Deposit { amount: 0 }
    });
    assert_eq!(within("ask", answer).await.unwrap(), 77);
}

// ===== serde =====

/// A key-value store whose messages can cross a process boundary.
#[derive(Actor, Debug, Default)]
pub struct Store {
    entries: HashMap<String, Vec<u8>>,
}

#[handlers(serde)]
impl Store {
    /// Saves bytes under a key.
    pub fn save(&mut self, key: String, bytes: Vec<u8>) {
        self.entries.insert(key, bytes);
    }

    /// Loads the bytes under a key.
    pub fn load(&mut self, key: String) -> Option<Vec<u8>> {
        self.entries.get(&key).cloned()
    }
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    let config = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(value, config).unwrap();
    bincode::serde::decode_from_slice(&bytes, config).unwrap().0
}

#[tokio::test]
async fn requests_and_responses_survive_serialization() {
    let system = ActorSystem::new();
    let store = system.spawn(Store::default()).unwrap();
    let save = round_trip(&StoreRequest::Save {
        key: "k".into(),
        bytes: vec![1, 2, 3],
    });
    assert!(save.dispatch(&store).await.unwrap().is_none());
    let load = round_trip(&StoreRequest::Load { key: "k".into() });
    let response = load.dispatch(&store).await.unwrap().expect("an answer");
    match round_trip(&response) {
        StoreResponse::Load(Some(bytes)) => assert_eq!(bytes, [1, 2, 3]),
        other => panic!("unexpected response {other:?}"),
    }
}
