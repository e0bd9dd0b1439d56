//! The `#[handlers]` impl block, read into a typed model and checked.
//!
//! Every mistake becomes a spanned error pointing at the offending tokens,
//! with a message saying what is allowed; errors are combined so one
//! compile shows them all.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, FnArg, GenericArgument, Ident, ImplItem, ImplItemFn, ItemImpl, Pat, PathArguments,
    ReturnType, Type,
};

use crate::attrs::marker;

/// Method names of `ActorRef` (and of `Address`) that a client method would
/// be shadowed by.
const RESERVED: &[&str] = &[
    "tell",
    "try_tell",
    "ask",
    "ask_timeout",
    "try_ask",
    "stop",
    "kill",
    "wait_for_stop",
    "downgrade",
    "id",
    "name",
    "label",
    "is_alive",
    "mailbox_stats",
    "with_timeout",
    "clone",
];

/// A handler method: one message variant and one client method.
pub(crate) struct Handler {
    pub(crate) method: Ident,
    pub(crate) variant: Ident,
    pub(crate) docs: Vec<Attribute>,
    /// The message's own arguments (the context excluded), in order.
    pub(crate) args: Vec<(Ident, Type)>,
    /// The call's arguments in declaration order: `None` marks the context.
    pub(crate) call: Vec<Option<Ident>>,
    pub(crate) is_async: bool,
    /// The answer type of an ask; `None` for a tell.
    pub(crate) reply: Option<Type>,
}

impl Handler {
    pub(crate) fn uses_ctx(&self) -> bool {
        self.call.iter().any(Option::is_none)
    }
}

/// A lifecycle hook method, marked `#[started]`, `#[stopped]` or
/// `#[on_terminated]`.
pub(crate) struct Hook {
    pub(crate) method: Ident,
    pub(crate) is_async: bool,
    pub(crate) returns_value: bool,
    /// The hook's arguments after `self`, in the order written.
    pub(crate) args: Vec<HookArg>,
}

/// An argument a lifecycle hook may take, recognised by its type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HookArg {
    /// `&mut Context<Self>`, any hook.
    Context,
    /// `&StopReason`, `#[stopped]` only.
    Reason,
    /// `Terminated`, `#[on_terminated]` only.
    Notice,
}

#[derive(Default)]
pub(crate) struct Hooks {
    pub(crate) started: Option<Hook>,
    pub(crate) stopped: Option<Hook>,
    pub(crate) on_terminated: Option<Hook>,
}

pub(crate) struct Model {
    /// The impl block as written, marker attributes removed.
    pub(crate) item: ItemImpl,
    /// The actor type's name, for naming generated items.
    pub(crate) actor: Ident,
    /// The visibility of the first handler, for the generated items.
    pub(crate) first_vis: Option<syn::Visibility>,
    pub(crate) handlers: Vec<Handler>,
    pub(crate) hooks: Hooks,
}

/// Collects errors so that every mistake is reported in one compile.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let error = syn::Error::new(span, message);
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Replaces `Self` in argument and answer types with the actor type:
/// generated items (the message enum, the client) have another `Self`.
struct ReplaceSelf<'a>(&'a Type);

impl VisitMut for ReplaceSelf<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(path) = ty
            && path.qself.is_none()
            && path.path.is_ident("Self")
        {
            *ty = self.0.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        // `Self::Assoc` paths keep their meaning only through the full type.
        if path.segments.first().is_some_and(|s| s.ident == "Self") && path.segments.len() > 1 {
            let rest: Vec<_> = path.segments.iter().skip(1).cloned().collect();
            let actor = &self.0;
            *path = syn::parse_quote!(<#actor>::#(#rest)::*);
            return;
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

impl Model {
    pub(crate) fn parse(mut item: ItemImpl) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let actor = check_impl(&item, &mut errors);
        let mut handlers: Vec<Handler> = Vec::new();
        let mut hooks = Hooks::default();
        let mut first_vis = None;
        for impl_item in &mut item.items {
            let ImplItem::Fn(method) = impl_item else {
                continue;
            };
            let markers: Vec<Ident> = method.attrs.iter().filter_map(marker).collect();
            method.attrs.retain(|a| marker(a).is_none());
            match markers.first().map(|m| m.to_string()).as_deref() {
                Some("skip") => {}
                Some(kind) => add_hook(&mut hooks, kind, method, &mut errors),
                None => {
                    if let Some(handler) = read_handler(method, &mut errors) {
                        check_duplicate(&handlers, &handler, &mut errors);
                        first_vis.get_or_insert_with(|| method.vis.clone());
                        handlers.push(handler);
                    }
                }
            }
        }
        errors.finish()?;
        let mut replace = ReplaceSelf(&item.self_ty);
        for handler in &mut handlers {
            for (_, ty) in &mut handler.args {
                replace.visit_type_mut(ty);
            }
            if let Some(ty) = &mut handler.reply {
                replace.visit_type_mut(ty);
            }
        }
        Ok(Model {
            item,
            actor: actor.expect("checked above"),
            first_vis,
            handlers,
            hooks,
        })
    }
}

fn check_impl(item: &ItemImpl, errors: &mut Errors) -> Option<Ident> {
    if let Some((_, path, _)) = &item.trait_ {
        errors.push(
            path.span(),
            "`#[handlers]` goes on an inherent impl block (`impl MyActor { ... }`), not a trait impl",
        );
    }
    if let Some(lifetime) = item.generics.lifetimes().next() {
        errors.push(
            lifetime.span(),
            "an actor owns its state: `#[handlers]` does not accept lifetime parameters",
        );
    }
    match &*item.self_ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().map(|s| s.ident.clone())
        }
        other => {
            errors.push(other.span(), "`#[handlers]` needs a named struct type");
            None
        }
    }
}

fn add_hook(hooks: &mut Hooks, kind: &str, method: &ImplItemFn, errors: &mut Errors) {
    let slot = match kind {
        "started" => &mut hooks.started,
        "stopped" => &mut hooks.stopped,
        _ => &mut hooks.on_terminated,
    };
    if slot.is_some() {
        errors.push(
            method.sig.ident.span(),
            format!("a second `#[{kind}]` hook; an actor has at most one"),
        );
        return;
    }
    check_receiver(&method.sig, errors);
    let args = method
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(arg) => Some(arg),
            FnArg::Receiver(_) => None,
        })
        .filter_map(|arg| {
            let found = hook_arg(&arg.ty, kind);
            if found.is_none() {
                errors.push(arg.ty.span(), hook_arg_help(kind));
            }
            found
        })
        .collect();
    *slot = Some(Hook {
        method: method.sig.ident.clone(),
        is_async: method.sig.asyncness.is_some(),
        returns_value: !matches!(method.sig.output, ReturnType::Default),
        args,
    });
}

/// What the argument of type `ty` is to a `#[kind]` hook, if it is one the
/// hook is given.
fn hook_arg(ty: &Type, kind: &str) -> Option<HookArg> {
    if is_context(ty) {
        return Some(HookArg::Context);
    }
    let (named, want) = match (kind, ty) {
        ("stopped", Type::Reference(r)) if r.mutability.is_none() => (&*r.elem, "StopReason"),
        ("on_terminated", ty) => (ty, "Terminated"),
        _ => return None,
    };
    let Type::Path(path) = named else {
        return None;
    };
    let last = path.path.segments.last()?;
    (last.ident == want).then_some(if want == "StopReason" {
        HookArg::Reason
    } else {
        HookArg::Notice
    })
}

fn hook_arg_help(kind: &str) -> String {
    let extra = match kind {
        "stopped" => " and `reason: &StopReason`",
        "on_terminated" => " and `notice: Terminated`",
        _ => "",
    };
    format!(
        "a `#[{kind}]` hook takes, besides `&mut self`, any of `ctx: &mut Context<Self>`{extra}, in any order"
    )
}

fn read_handler(method: &ImplItemFn, errors: &mut Errors) -> Option<Handler> {
    let sig = &method.sig;
    let name = &sig.ident;
    let before = errors.0.is_some();
    check_receiver(sig, errors);
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(
            sig.generics.span(),
            format!(
                "handler `{name}` is generic; a message needs concrete types: \
                 move the type parameter to the impl block"
            ),
        );
    }
    if RESERVED.contains(&name.to_string().as_str()) {
        errors.push(
            name.span(),
            format!(
                "handler `{name}` would be hidden by `ActorRef::{name}` on the client; \
                 rename the handler"
            ),
        );
    }
    let (args, call) = read_args(sig, errors);
    if errors.0.is_some() && !before {
        return None;
    }
    Some(Handler {
        method: name.clone(),
        variant: camel_case(name),
        docs: method
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect(),
        args,
        call,
        is_async: sig.asyncness.is_some(),
        reply: match &sig.output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) if is_unit(ty) => None,
            ReturnType::Type(_, ty) => Some((**ty).clone()),
        },
    })
}

fn check_receiver(sig: &syn::Signature, errors: &mut Errors) {
    let name = &sig.ident;
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) if receiver.reference.is_some() => {}
        Some(FnArg::Receiver(receiver)) => errors.push(
            receiver.span(),
            format!(
                "handler `{name}` takes `self` by value, which would consume the actor; \
                 take `&mut self`"
            ),
        ),
        _ => errors.push(
            sig.span(),
            format!(
                "handler `{name}` has no receiver; handlers take `&mut self` \
                 (mark helper functions `#[skip]`)"
            ),
        ),
    }
}

type Args = (Vec<(Ident, Type)>, Vec<Option<Ident>>);

fn read_args(sig: &syn::Signature, errors: &mut Errors) -> Args {
    let name = &sig.ident;
    let mut args = Vec::new();
    let mut call = Vec::new();
    for input in sig.inputs.iter().skip(1) {
        let FnArg::Typed(typed) = input else { continue };
        if is_context(&typed.ty) {
            call.push(None);
            continue;
        }
        let ident = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            other => {
                errors.push(
                    other.span(),
                    format!("handler `{name}`: give this argument a plain name"),
                );
                continue;
            }
        };
        if ident == "reply" {
            errors.push(
                ident.span(),
                format!("handler `{name}`: the name `reply` is kept for the reply handle; rename the argument"),
            );
        }
        if let Some(span) = borrowed(&typed.ty) {
            errors.push(
                span,
                format!(
                    "argument `{ident}` of handler `{name}` borrows; a message must own its data \
                     (use `String` for `&str`, `Vec<T>` for `&[T]`, or an `Arc`)"
                ),
            );
        }
        call.push(Some(ident.clone()));
        args.push((ident, (*typed.ty).clone()));
    }
    (args, call)
}

fn check_duplicate(handlers: &[Handler], handler: &Handler, errors: &mut Errors) {
    if let Some(first) = handlers.iter().find(|h| h.variant == handler.variant) {
        errors.push(
            handler.method.span(),
            format!(
                "handler `{}` has the same message name `{}` as handler `{}`; rename one",
                handler.method, handler.variant, first.method
            ),
        );
    }
}

/// `&mut Context<..>`, however the path to `Context` is written.
fn is_context(ty: &Type) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    let Type::Path(path) = &*reference.elem else {
        return false;
    };
    reference.mutability.is_some()
        && path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Context")
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(tuple) if tuple.elems.is_empty())
}

/// The span of a borrow (a reference, a lifetime, `impl Trait`) in `ty`.
fn borrowed(ty: &Type) -> Option<Span> {
    match ty {
        Type::Reference(r) => Some(r.span()),
        Type::ImplTrait(t) => Some(t.span()),
        Type::Paren(p) => borrowed(&p.elem),
        Type::Group(g) => borrowed(&g.elem),
        Type::Array(a) => borrowed(&a.elem),
        Type::Slice(s) => Some(s.span()),
        Type::Tuple(t) => t.elems.iter().find_map(borrowed),
        Type::Path(p) => p.path.segments.iter().find_map(|seg| match &seg.arguments {
            PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
                GenericArgument::Lifetime(l) if l.ident != "static" => Some(l.span()),
                GenericArgument::Type(t) => borrowed(t),
                _ => None,
            }),
            _ => None,
        }),
        _ => None,
    }
}

/// `get_total` becomes `GetTotal`.
fn camel_case(ident: &Ident) -> Ident {
    let name = ident.to_string();
    let camel: String = name
        .trim_start_matches("r#")
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect();
    Ident::new(&camel, ident.span())
}
