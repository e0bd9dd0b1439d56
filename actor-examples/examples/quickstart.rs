//! Quickstart: a bank of accounts as actors.
//!
//! Shows the core of the runtime in one run: spawn named actors, tell
//! (fire-and-forget with backpressure), ask (request/reply with a timeout),
//! a handler failure caught and reported to a watcher, linked children, and
//! a graceful shutdown with its report.
//!
//! The accounts ([`actor_examples::Account`]) are written with the macros and
//! called through their generated client (`alice.deposit(1)`); the bank is
//! written against the `Actor` trait by hand, with its own message enum.
//!
//! Run it with `cargo run -p actor-examples --example quickstart`.

use std::time::Duration;

use actor_core::error::AskError;
use actor_core::{
    Actor, ActorRef, ActorSystem, BoxError, Context, Reply, SpawnOptions, Terminated,
};
use actor_examples::{Account, AccountClient};

/// The bank opens accounts as linked children and watches them.
struct Bank {
    accounts: Vec<ActorRef<Account>>,
}

enum BankMsg {
    Open(&'static str, u64, Reply<ActorRef<Account>>),
    Total(Reply<u64>),
}

impl Actor for Bank {
    type Msg = BankMsg;

    async fn handle(&mut self, msg: BankMsg, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            BankMsg::Open(owner, balance, reply) => {
                let named = SpawnOptions::new().name(owner);
                let account = ctx.spawn_linked_with(Account::new(owner, balance), named)?;
                ctx.watch(&account);
                self.accounts.push(account.clone());
                reply.send(account);
            }
            BankMsg::Total(reply) => {
                let mut total = 0;
                for account in self.accounts.iter().filter(|a| a.is_alive()) {
                    total += account.balance().await?;
                }
                reply.send(total);
            }
        }
        Ok(())
    }

    async fn on_terminated(
        &mut self,
        _ctx: &mut Context<Self>,
        notice: Terminated,
    ) -> Result<(), BoxError> {
        println!("bank saw an account stop: {}", notice.reason);
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The runtime catches handler panics; print them on one line.
    std::panic::set_hook(Box::new(|info| eprintln!("(caught) {info}")));
    let system = ActorSystem::builder()
        .ask_timeout(Duration::from_secs(2))
        .build()?;
    let bank = system.spawn_named(
        "bank",
        Bank {
            accounts: Vec::new(),
        },
    )?;

    let alice = bank.ask(|r| BankMsg::Open("alice", 100, r)).await?;
    let bob = bank.ask(|r| BankMsg::Open("bob", 50, r)).await?;
    let carol = bank.ask(|r| BankMsg::Open("carol", 10, r)).await?;

    for _ in 0..1_000 {
        alice.deposit(1).await?;
    }
    println!("alice after 1000 deposits: {}", alice.balance().await?);

    match bob.withdraw(80).await? {
        Ok(left) => println!("bob withdrew 80, {left} left"),
        Err(refusal) => println!("bob's withdrawal {refusal}"),
    }

    carol.corrupt().await?;
    let reason = carol.wait_for_stop().await;
    println!("carol's account stopped: {reason}");
    match carol.balance().await {
        Err(err @ AskError::Stopped { .. }) => println!("asking carol now: {err}"),
        other => println!("unexpected answer from carol: {other:?}"),
    }

    println!("bank total: {}", bank.ask(BankMsg::Total).await?);
    println!("live actors before shutdown: {}", system.live_actors());

    let report = system.shutdown().await;
    println!(
        "shutdown: {} stopped gracefully, {} aborted, in {:?}",
        report.stopped, report.aborted, report.elapsed
    );
    Ok(())
}
