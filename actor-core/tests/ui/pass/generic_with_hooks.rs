#![deny(warnings)]
use actor_core::{handlers, Actor, BoxError, Context, StopReason};

/// A generic actor with hooks and a context-using async handler.
#[derive(Actor)]
#[actor(mailbox = 4, name = "echo")]
pub struct Echo<T: Clone + Send + 'static> {
    last: Option<T>,
}

#[handlers(vis = pub)]
impl<T: Clone + Send + 'static> Echo<T> {
    /// Remembers and returns the value.
    pub async fn echo(&mut self, ctx: &mut Context<Self>, value: T) -> T {
        let _ = ctx.id();
        self.last = Some(value.clone());
        value
    }

    /// Forgets.
    pub fn clear(&mut self) {
        self.last = None;
    }

    #[started]
    async fn begin(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        Ok(())
    }

    #[stopped]
    fn end(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {}
}

fn main() {
    let _ = EchoMsg::<u8>::Clear {}.kind();
}

/// An actor with tells only and no generics: every generated item must
/// compile without warnings too.
#[derive(Actor)]
pub struct Ticker;

#[handlers]
impl Ticker {
    /// Ticks.
    pub fn tick(&mut self) {}
}
