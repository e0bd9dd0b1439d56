//! (crate) The registry of actors by name.
//!
//! # Invariants
//!
//! 1. An entry holds a strong [`ActorRef`], so a registered actor runs until
//!    it is stopped; its teardown removes the entry (only if the id matches,
//!    so a newer actor that took the name is untouched).

use std::any::Any;
use std::sync::Arc;

use dashmap::DashMap;
use dashmap::mapref::entry::Entry as MapEntry;

use crate::actor::{Actor, ActorId};
use crate::actor_ref::ActorRef;
use crate::error::{LookupError, SpawnError};

#[derive(Default)]
pub(crate) struct Registry {
    names: DashMap<Arc<str>, Entry>,
}

struct Entry {
    id: ActorId,
    type_name: &'static str,
    actor_ref: Box<dyn Any + Send + Sync>,
}

impl Registry {
    pub(crate) fn register<A: Actor>(
        &self,
        name: Arc<str>,
        actor_ref: ActorRef<A>,
    ) -> Result<(), SpawnError> {
        match self.names.entry(name) {
            MapEntry::Occupied(taken) => Err(SpawnError::NameTaken(taken.key().to_string())),
            MapEntry::Vacant(slot) => {
                slot.insert(Entry {
                    id: actor_ref.id(),
                    type_name: std::any::type_name::<A>(),
                    actor_ref: Box::new(actor_ref),
                });
                Ok(())
            }
        }
    }

    pub(crate) fn lookup<A: Actor>(&self, name: &str) -> Result<ActorRef<A>, LookupError> {
        let entry = self
            .names
            .get(name)
            .ok_or_else(|| LookupError::NotFound(name.to_string()))?;
        match entry.actor_ref.downcast_ref::<ActorRef<A>>() {
            Some(actor_ref) => Ok(actor_ref.clone()),
            None => Err(LookupError::WrongType {
                name: name.to_string(),
                expected: std::any::type_name::<A>(),
                actual: entry.type_name,
            }),
        }
    }

    pub(crate) fn remove(&self, name: &str, id: ActorId) {
        // The removed entry (and its strong ref) drops after the shard lock
        // is released.
        let removed = self.names.remove_if(name, |_, entry| entry.id == id);
        drop(removed);
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}
