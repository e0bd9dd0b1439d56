//! Quickstart: a bank of accounts as actors.
//!
//! Shows the core of the runtime in one run: spawn named actors, tell
//! (fire-and-forget with backpressure), ask (request/reply with a timeout),
//! a handler failure caught and reported to a watcher, linked children, and
//! a graceful shutdown with its report.
//!
//! Run it with `cargo run -p actor-examples --example quickstart`.

use std::time::Duration;

use actor_core::error::AskError;
use actor_core::{
    Actor, ActorRef, ActorSystem, BoxError, Context, Reply, SpawnOptions, StopReason, Terminated,
};

/// One account: its balance is its private state.
struct Account {
    owner: &'static str,
    balance: u64,
}

enum AccountMsg {
    Deposit(u64),
    Withdraw(u64, Reply<Result<u64, String>>),
    Balance(Reply<u64>),
    /// Simulates a bug: the handler panics.
    Corrupt,
}

impl Actor for Account {
    type Msg = AccountMsg;

    async fn handle(&mut self, msg: AccountMsg, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match msg {
            AccountMsg::Deposit(amount) => self.balance += amount,
            AccountMsg::Withdraw(amount, reply) => {
                let outcome = if amount <= self.balance {
                    self.balance -= amount;
                    Ok(self.balance)
                } else {
                    Err(format!("{} has only {}", self.owner, self.balance))
                };
                reply.send(outcome);
            }
            AccountMsg::Balance(reply) => reply.send(self.balance),
            AccountMsg::Corrupt => panic!("ledger of {} is corrupt", self.owner),
        }
        Ok(())
    }

    async fn stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        reason: &StopReason,
    ) -> Result<(), BoxError> {
        println!(
            "account {:<5} closed with {:>4} ({reason})",
            self.owner, self.balance
        );
        Ok(())
    }
}

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
                let account = ctx.spawn_linked_with(Account { owner, balance }, named)?;
                ctx.watch(&account);
                self.accounts.push(account.clone());
                reply.send(account);
            }
            BankMsg::Total(reply) => {
                let mut total = 0;
                for account in self.accounts.iter().filter(|a| a.is_alive()) {
                    total += account.ask(AccountMsg::Balance).await?;
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
        alice.tell(AccountMsg::Deposit(1)).await?;
    }
    println!(
        "alice after 1000 deposits: {}",
        alice.ask(AccountMsg::Balance).await?
    );

    match bob.ask(|r| AccountMsg::Withdraw(80, r)).await? {
        Ok(left) => println!("bob withdrew 80, {left} left"),
        Err(refusal) => println!("bob's withdrawal refused: {refusal}"),
    }

    carol.tell(AccountMsg::Corrupt).await?;
    let reason = carol.wait_for_stop().await;
    println!("carol's account stopped: {reason}");
    match carol.ask(AccountMsg::Balance).await {
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
