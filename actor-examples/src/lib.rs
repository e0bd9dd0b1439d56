//! Actors shared by the runnable examples.
//!
//! [`Account`] is written with the macros: a plain struct and one impl block.
//! Its generated message enum ([`AccountMsg`]) and client trait
//! ([`AccountClient`]) are documented here like hand-written code.

use actor_core::{Actor, BoxError, Context, StopReason, handlers};

pub mod demos;

/// A bank account: its balance is its private state.
#[derive(Actor, Debug)]
#[actor(mailbox = 32)]
pub struct Account {
    owner: String,
    balance: u64,
}

impl Account {
    /// An account for `owner` holding `balance`.
    pub fn new(owner: impl Into<String>, balance: u64) -> Self {
        Account {
            owner: owner.into(),
            balance,
        }
    }
}

/// Why a withdrawal was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The balance at the time.
    pub balance: u64,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: only {} in the account", self.balance)
    }
}

#[handlers]
impl Account {
    /// Adds `amount` to the balance.
    pub fn deposit(&mut self, amount: u64) {
        self.balance += amount;
    }

    /// Takes `amount` out, returning what is left.
    ///
    /// # Errors
    ///
    /// [`Refused`] when the balance is smaller than `amount`.
    pub fn withdraw(&mut self, amount: u64) -> Result<u64, Refused> {
        if amount > self.balance {
            return Err(Refused {
                balance: self.balance,
            });
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    /// The current balance.
    pub fn balance(&mut self) -> u64 {
        self.balance
    }

    /// Simulates a bug: the handler panics, and the runtime catches it.
    ///
    /// # Panics
    ///
    /// Always.
    pub fn corrupt(&mut self) {
        panic!("ledger of {} is corrupt", self.owner);
    }

    #[stopped]
    fn closed(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) -> Result<(), BoxError> {
        println!(
            "account {:<5} closed with {:>4} ({reason})",
            self.owner, self.balance
        );
        Ok(())
    }
}
