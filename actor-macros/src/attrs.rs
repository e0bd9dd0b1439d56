//! Parsing of the macros' own arguments: `#[actor(...)]` on the struct and
//! `#[handlers(...)]` on the impl block.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitInt, LitStr, Path, Token, Visibility};

mod kw {
    syn::custom_keyword!(mailbox);
    syn::custom_keyword!(name);
    syn::custom_keyword!(unbounded);
    syn::custom_keyword!(vis);
    syn::custom_keyword!(serde);
}

/// The runtime crate's path in generated code: `::actor_core` unless a
/// `crate = path` argument names a re-export.
pub(crate) fn default_crate() -> Path {
    syn::parse_quote!(::actor_core)
}

/// A mailbox setting from `#[actor(mailbox = ...)]`.
pub(crate) enum Mailbox {
    Bounded(LitInt),
    Unbounded,
}

/// Arguments of `#[actor(...)]` on a `#[derive(Actor)]` struct.
pub(crate) struct ActorArgs {
    pub(crate) mailbox: Option<Mailbox>,
    pub(crate) name: Option<LitStr>,
    pub(crate) krate: Path,
}

impl ActorArgs {
    /// Default settings, for the impl emitted beside an error.
    pub(crate) fn fallback(attrs: &[Attribute]) -> Self {
        let _ = attrs;
        ActorArgs {
            mailbox: None,
            name: None,
            krate: default_crate(),
        }
    }

    /// Reads every `#[actor(...)]` attribute; a key given twice fails at its
    /// second use.
    pub(crate) fn from_attrs(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut args = ActorArgs {
            mailbox: None,
            name: None,
            krate: default_crate(),
        };
        let mut krate_set = false;
        for attr in attrs.iter().filter(|a| a.path().is_ident("actor")) {
            attr.parse_args_with(|input: ParseStream<'_>| {
                loop {
                    if input.is_empty() {
                        break;
                    }
                    let lookahead = input.lookahead1();
                    if lookahead.peek(kw::mailbox) {
                        let key = input.parse::<kw::mailbox>()?;
                        input.parse::<Token![=]>()?;
                        let value = parse_mailbox(input)?;
                        set_once(&mut args.mailbox, value, key.span, "mailbox")?;
                    } else if lookahead.peek(kw::name) {
                        let key = input.parse::<kw::name>()?;
                        input.parse::<Token![=]>()?;
                        set_once(&mut args.name, input.parse()?, key.span, "name")?;
                    } else if lookahead.peek(Token![crate]) {
                        let key = input.parse::<Token![crate]>()?;
                        input.parse::<Token![=]>()?;
                        if krate_set {
                            return Err(repeated(key.span, "crate"));
                        }
                        args.krate = input.parse()?;
                        krate_set = true;
                    } else {
                        return Err(syn::Error::new(
                            input.span(),
                            "unknown `actor` setting; accepted: `mailbox = N`, \
                             `mailbox = unbounded`, `name = \"...\"`, `crate = path`",
                        ));
                    }
                    if input.is_empty() {
                        break;
                    }
                    input.parse::<Token![,]>()?;
                }
                Ok(())
            })?;
        }
        Ok(args)
    }
}

fn parse_mailbox(input: ParseStream<'_>) -> syn::Result<Mailbox> {
    if input.peek(kw::unbounded) {
        input.parse::<kw::unbounded>()?;
        return Ok(Mailbox::Unbounded);
    }
    let capacity: LitInt = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "`mailbox` takes a capacity (`mailbox = 64`) or `unbounded`",
        )
    })?;
    if capacity.base10_parse::<usize>()? == 0 {
        return Err(syn::Error::new(
            capacity.span(),
            "mailbox capacity must be at least 1; use `mailbox = unbounded` for no limit",
        ));
    }
    Ok(Mailbox::Bounded(capacity))
}

/// Arguments of `#[handlers(...)]`.
pub(crate) struct HandlersArgs {
    pub(crate) vis: Option<Visibility>,
    pub(crate) serde: bool,
    pub(crate) krate: Path,
}

impl Parse for HandlersArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut vis = None;
        let mut serde = None;
        let mut krate = None;
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::vis) {
                let key = input.parse::<kw::vis>()?;
                input.parse::<Token![=]>()?;
                set_once(&mut vis, input.parse()?, key.span, "vis")?;
            } else if lookahead.peek(kw::serde) {
                let key = input.parse::<kw::serde>()?;
                set_once(&mut serde, (), key.span, "serde")?;
            } else if lookahead.peek(Token![crate]) {
                let key = input.parse::<Token![crate]>()?;
                input.parse::<Token![=]>()?;
                set_once(&mut krate, input.parse()?, key.span, "crate")?;
            } else {
                return Err(syn::Error::new(
                    input.span(),
                    "unknown `handlers` setting; accepted: `vis = pub(crate)`, `serde`, \
                     `crate = path`",
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(HandlersArgs {
            vis,
            serde: serde.is_some(),
            krate: krate.unwrap_or_else(default_crate),
        })
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, span: Span, key: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(repeated(span, key));
    }
    *slot = Some(value);
    Ok(())
}

fn repeated(span: Span, key: &str) -> syn::Error {
    syn::Error::new(span, format!("`{key}` is given twice; keep one"))
}

/// Whether `attr` is one of the marker attributes `#[handlers]` reads on
/// methods, and which.
pub(crate) fn marker(attr: &Attribute) -> Option<Ident> {
    let path = attr.path();
    ["started", "stopped", "on_terminated", "skip"]
        .into_iter()
        .find(|m| path.is_ident(m))
        .map(|m| Ident::new(m, Span::call_site()))
}
