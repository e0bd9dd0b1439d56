//! Code generation: one function per generated item.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{DeriveInput, Generics, Ident, Path, Type, Visibility, parse_quote};

use crate::attrs::{ActorArgs, HandlersArgs, Mailbox};
use crate::model::{Handler, Hook, HookArg, Model};

/// A path as written in source, for doc links and `serde(crate = "..")`.
fn path_string(path: &Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}

// ===== #[derive(Actor)] =====

pub(crate) fn derive_actor(input: &DeriveInput, args: &ActorArgs) -> TokenStream {
    let krate = &args.krate;
    let ident = &input.ident;
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    let mailbox = match &args.mailbox {
        Some(Mailbox::Bounded(n)) => {
            quote!(::core::option::Option::Some(#krate::MailboxConfig::Bounded(#n)))
        }
        Some(Mailbox::Unbounded) => {
            quote!(::core::option::Option::Some(#krate::MailboxConfig::Unbounded))
        }
        None => quote!(::core::option::Option::None),
    };
    let name = match &args.name {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #[automatically_derived]
        impl #impl_g #krate::ActorConfig for #ident #ty_g #where_c {
            const MAILBOX: ::core::option::Option<#krate::MailboxConfig> = #mailbox;
            const NAME: ::core::option::Option<&'static str> = #name;
        }
    }
}

// ===== #[handlers] =====

/// Beside a `#[handlers]` error: an `Actor` impl with no messages, so uses of
/// the actor elsewhere do not add errors of their own.
pub(crate) fn fallback_actor(args: &HandlersArgs, item: &syn::ItemImpl) -> TokenStream {
    let krate = &args.krate;
    let self_ty = &item.self_ty;
    let (impl_g, _, where_c) = item.generics.split_for_impl();
    quote! {
        impl #impl_g #krate::Actor for #self_ty #where_c {
            type Msg = ::core::convert::Infallible;

            async fn handle(
                &mut self,
                msg: Self::Msg,
                _ctx: &mut #krate::Context<Self>,
            ) -> ::core::result::Result<(), #krate::BoxError> {
                match msg {}
            }
        }
    }
}

/// Names and paths shared by every generated item.
struct Ctx<'a> {
    krate: &'a Path,
    vis: Visibility,
    self_ty: &'a Type,
    generics: &'a Generics,
    msg: Ident,
    client: Ident,
    request: Ident,
    response: Ident,
    reply_to: Ident,
    actor: &'a Ident,
    /// `__Phantom` variant and arms, present when the impl has type parameters.
    phantom: Option<TokenStream>,
}

pub(crate) fn handlers(args: HandlersArgs, model: &Model) -> TokenStream {
    let actor = &model.actor;
    let type_params: Vec<&Ident> = model
        .item
        .generics
        .type_params()
        .map(|p| &p.ident)
        .collect();
    let phantom = (!type_params.is_empty()).then(|| {
        quote!(::core::marker::PhantomData<fn() -> (#(#type_params,)*)>, ::core::convert::Infallible)
    });
    let cx = Ctx {
        krate: &args.krate,
        vis: args
            .vis
            .clone()
            .or_else(|| model.first_vis.clone())
            .unwrap_or(Visibility::Inherited),
        self_ty: &model.item.self_ty,
        generics: &model.item.generics,
        msg: format_ident!("{actor}Msg"),
        client: format_ident!("{actor}Client"),
        request: format_ident!("{actor}Request"),
        response: format_ident!("{actor}Response"),
        reply_to: format_ident!("{actor}ReplyTo"),
        actor,
        phantom,
    };
    let item = &model.item;
    let asks: Vec<&Handler> = model
        .handlers
        .iter()
        .filter(|h| h.reply.is_some())
        .collect();
    let all: Vec<&Handler> = model.handlers.iter().collect();
    let pieces = [
        debug_impl(&cx, &cx.msg, &all, true),
        debug_impl(&cx, &cx.request, &all, true),
        debug_impl(&cx, &cx.response, &asks, false),
        debug_impl(&cx, &cx.reply_to, &asks, false),
        message_enum(&cx, &model.handlers),
        kind_fn(&cx, &model.handlers),
        actor_impl(&cx, model),
        client_trait(&cx, &model.handlers),
        client_impl(&cx, &model.handlers),
        remote_form(&cx, &model.handlers, args.serde),
    ];
    quote! {
        #item
        #(#pieces)*
    }
}

/// `Debug` naming the variant only, so no argument type needs `Debug`.
fn debug_impl(cx: &Ctx<'_>, ident: &Ident, handlers: &[&Handler], named: bool) -> TokenStream {
    let (impl_g, ty_g, where_c) = cx.generics.split_for_impl();
    let arms = handlers.iter().map(|h| {
        let variant = &h.variant;
        let text = format!("{ident}::{variant}(..)");
        if named {
            quote!(Self::#variant { .. } => #text,)
        } else {
            quote!(Self::#variant(..) => #text,)
        }
    });
    let phantom = match &cx.phantom {
        Some(_) => quote!(Self::__Phantom(_, never) => match *never {},),
        None => quote!(),
    };
    let body = if handlers.is_empty() && cx.phantom.is_none() {
        quote!(match *self {})
    } else {
        quote!(f.write_str(match self { #(#arms)* #phantom }))
    };
    quote! {
        #[automatically_derived]
        impl #impl_g ::core::fmt::Debug for #ident #ty_g #where_c {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #body
            }
        }
    }
}

fn phantom_variant(cx: &Ctx<'_>, serde_skip: bool) -> TokenStream {
    match &cx.phantom {
        Some(fields) if serde_skip => quote! {
            #[doc(hidden)]
            #[serde(skip)]
            __Phantom(#fields),
        },
        Some(fields) => quote! {
            #[doc(hidden)]
            __Phantom(#fields),
        },
        None => quote!(),
    }
}

fn phantom_arm(cx: &Ctx<'_>, path: &TokenStream) -> TokenStream {
    match &cx.phantom {
        Some(_) => quote!(#path::__Phantom(_, never) => match never {},),
        None => quote!(),
    }
}

fn variant_docs(handler: &Handler) -> TokenStream {
    if handler.docs.is_empty() {
        let text = format!("The message of handler `{}`.", handler.method);
        quote!(#[doc = #text])
    } else {
        let docs = &handler.docs;
        quote!(#(#docs)*)
    }
}

fn message_enum(cx: &Ctx<'_>, handlers: &[Handler]) -> TokenStream {
    let (vis, msg, krate) = (&cx.vis, &cx.msg, cx.krate);
    let (impl_g, _, where_c) = cx.generics.split_for_impl();
    let variants = handlers.iter().map(|h| {
        let docs = variant_docs(h);
        let variant = &h.variant;
        let fields = h.args.iter().map(|(name, ty)| {
            let doc = format!("Argument `{name}`.");
            quote!(#[doc = #doc] #name: #ty,)
        });
        let reply = h.reply.as_ref().map(|ty| {
            quote! {
                /// Where the answer goes.
                reply: #krate::Reply<#ty>,
            }
        });
        quote!(#docs #variant { #(#fields)* #reply },)
    });
    let doc = format!(
        "Messages of [`{}`], one per handler; generated by `#[handlers]`.",
        cx.actor
    );
    let phantom = phantom_variant(cx, false);
    quote! {
        #[doc = #doc]
        #vis enum #msg #impl_g #where_c {
            #(#variants)*
            #phantom
        }
    }
}

fn kind_fn(cx: &Ctx<'_>, handlers: &[Handler]) -> TokenStream {
    let msg = &cx.msg;
    let (impl_g, ty_g, where_c) = cx.generics.split_for_impl();
    let arms = handlers.iter().map(|h| {
        let (variant, name) = (&h.variant, h.method.to_string());
        quote!(Self::#variant { .. } => #name,)
    });
    let phantom = match &cx.phantom {
        Some(_) => quote!(Self::__Phantom(_, never) => match *never {},),
        None => quote!(),
    };
    let body = if handlers.is_empty() && cx.phantom.is_none() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#arms)* #phantom })
    };
    quote! {
        #[automatically_derived]
        impl #impl_g #msg #ty_g #where_c {
            /// The name of the handler this message is for, for logs and metrics.
            pub fn kind(&self) -> &'static str {
                #body
            }
        }
    }
}

fn actor_impl(cx: &Ctx<'_>, model: &Model) -> TokenStream {
    let (krate, self_ty, msg) = (cx.krate, cx.self_ty, &cx.msg);
    let (impl_g, ty_g, where_c) = cx.generics.split_for_impl();
    let uses_ctx = model.handlers.iter().any(Handler::uses_ctx);
    let ctx = if uses_ctx {
        format_ident!("ctx")
    } else {
        format_ident!("_ctx")
    };
    let msg_path = quote!(#msg);
    let arms = model
        .handlers
        .iter()
        .map(|h| handle_arm(h, &msg_path, &ctx));
    let phantom = phantom_arm(cx, &msg_path);
    let hooks = hook_methods(cx, model);
    quote! {
        #[automatically_derived]
        impl #impl_g #krate::Actor for #self_ty #where_c {
            type Msg = #msg #ty_g;
            const MAILBOX: ::core::option::Option<#krate::MailboxConfig> =
                <Self as #krate::ActorConfig>::MAILBOX;
            const NAME: ::core::option::Option<&'static str> =
                <Self as #krate::ActorConfig>::NAME;

            async fn handle(
                &mut self,
                msg: Self::Msg,
                #ctx: &mut #krate::Context<Self>,
            ) -> ::core::result::Result<(), #krate::BoxError> {
                match msg {
                    #(#arms)*
                    #phantom
                }
                ::core::result::Result::Ok(())
            }

            #hooks
        }
    }
}

fn handle_arm(h: &Handler, msg: &TokenStream, ctx: &Ident) -> TokenStream {
    let (variant, method) = (&h.variant, &h.method);
    let names = h.args.iter().map(|(name, _)| name);
    let call_args = h.call.iter().map(|arg| match arg {
        Some(name) => quote!(#name),
        None => quote!(#ctx),
    });
    let wait = h.is_async.then(|| quote!(.await));
    let call = quote!(Self::#method(self, #(#call_args),*) #wait);
    match &h.reply {
        Some(_) => quote!(#msg::#variant { #(#names,)* reply } => reply.send(#call),),
        None => quote!(#msg::#variant { #(#names,)* } => { #call; }),
    }
}

fn hook_methods(cx: &Ctx<'_>, model: &Model) -> TokenStream {
    let krate = cx.krate;
    let started = model.hooks.started.as_ref().map(|hook| {
        let body = hook_body(hook);
        quote! {
            async fn started(
                &mut self,
                ctx: &mut #krate::Context<Self>,
            ) -> ::core::result::Result<(), #krate::BoxError> {
                #body
            }
        }
    });
    let stopped = model.hooks.stopped.as_ref().map(|hook| {
        let body = hook_body(hook);
        quote! {
            async fn stopped(
                &mut self,
                ctx: &mut #krate::Context<Self>,
                reason: &#krate::StopReason,
            ) -> ::core::result::Result<(), #krate::BoxError> {
                #body
            }
        }
    });
    let terminated = model.hooks.on_terminated.as_ref().map(|hook| {
        let body = hook_body(hook);
        quote! {
            async fn on_terminated(
                &mut self,
                ctx: &mut #krate::Context<Self>,
                notice: #krate::Terminated,
            ) -> ::core::result::Result<(), #krate::BoxError> {
                #body
            }
        }
    });
    quote!(#started #stopped #terminated)
}

fn hook_body(hook: &Hook) -> TokenStream {
    let method = &hook.method;
    let args = hook.args.iter().map(|arg| match arg {
        HookArg::Context => quote!(ctx),
        HookArg::Reason => quote!(reason),
        HookArg::Notice => quote!(notice),
    });
    let wait = hook.is_async.then(|| quote!(.await));
    let call = quote!(Self::#method(self, #(#args),*) #wait);
    if hook.returns_value {
        quote!(#call.map_err(::core::convert::Into::into))
    } else {
        quote! {
            #call;
            ::core::result::Result::Ok(())
        }
    }
}

fn client_trait(cx: &Ctx<'_>, handlers: &[Handler]) -> TokenStream {
    let (vis, client, krate) = (&cx.vis, &cx.client, cx.krate);
    let (impl_g, _, where_c) = cx.generics.split_for_impl();
    let methods = handlers.iter().map(|h| {
        let docs = variant_docs(h);
        let signature = client_signature(cx, h);
        quote!(#docs #signature;)
    });
    let doc = format!(
        "Typed client of [`{}`]: one method per handler, for every [`Address`]({}::Address) \
         of it (a local `ActorRef`, `with_timeout(..)` for asks, and any other address). \
         A tell returns the runtime's `SendError`; an ask returns `Result<T, AskError>` where \
         `T` is the handler's own return type, so a handler returning `Result<U, E>` gives \
         `Result<Result<U, E>, AskError>`: the outer error is the runtime's, the inner the \
         handler's.",
        cx.actor,
        path_string(krate)
    );
    quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis trait #client #impl_g #where_c {
            #(#methods)*
        }
    }
}

fn client_signature(cx: &Ctx<'_>, h: &Handler) -> TokenStream {
    let (krate, msg) = (cx.krate, &cx.msg);
    let (_, ty_g, _) = cx.generics.split_for_impl();
    let method = &h.method;
    let args = h.args.iter().map(|(name, ty)| quote!(#name: #ty));
    let output = match &h.reply {
        Some(ty) => quote!(::core::result::Result<#ty, #krate::error::AskError>),
        None => quote!(::core::result::Result<(), #krate::error::SendError<#msg #ty_g>>),
    };
    quote! {
        fn #method(&self, #(#args),*)
            -> impl ::core::future::Future<Output = #output> + ::core::marker::Send
    }
}

fn client_impl(cx: &Ctx<'_>, handlers: &[Handler]) -> TokenStream {
    let (krate, client, msg, self_ty) = (cx.krate, &cx.client, &cx.msg, cx.self_ty);
    let (_, ty_g, _) = cx.generics.split_for_impl();
    let mut generics = cx.generics.clone();
    generics.params.push(parse_quote!(__A));
    generics
        .make_where_clause()
        .predicates
        .push(parse_quote!(__A: #krate::Address<#self_ty>));
    let (impl_g, _, where_c) = generics.split_for_impl();
    let methods = handlers.iter().map(|h| {
        let signature = client_signature(cx, h);
        let variant = &h.variant;
        let names: Vec<&Ident> = h.args.iter().map(|(name, _)| name).collect();
        let body = match &h.reply {
            Some(_) => quote! {
                #krate::Address::ask(
                    self,
                    move |reply| #msg::#variant { #(#names,)* reply },
                    ::core::option::Option::None,
                )
            },
            None => quote!(#krate::Address::tell(self, #msg::#variant { #(#names,)* })),
        };
        quote!(#signature { #body })
    });
    quote! {
        #[automatically_derived]
        impl #impl_g #client #ty_g for __A #where_c {
            #(#methods)*
        }
    }
}

// ===== the form that crosses a process boundary =====

fn remote_form(cx: &Ctx<'_>, handlers: &[Handler], serde: bool) -> TokenStream {
    let asks: Vec<&Handler> = handlers.iter().filter(|h| h.reply.is_some()).collect();
    [
        request_enum(cx, handlers, serde),
        response_enums(cx, &asks, serde),
        into_request_fn(cx, handlers),
        complete_fn(cx, &asks),
        dispatch_fn(cx, handlers),
    ]
    .into_iter()
    .collect()
}

fn serde_attrs(cx: &Ctx<'_>, serde: bool) -> TokenStream {
    if !serde {
        return quote!();
    }
    let krate = cx.krate;
    let path = format!("{}::__private::serde", path_string(krate));
    quote! {
        #[derive(#krate::__private::serde::Serialize, #krate::__private::serde::Deserialize)]
        #[serde(crate = #path)]
    }
}

fn request_enum(cx: &Ctx<'_>, handlers: &[Handler], serde: bool) -> TokenStream {
    let (vis, request) = (&cx.vis, &cx.request);
    let (impl_g, _, where_c) = cx.generics.split_for_impl();
    let variants = handlers.iter().map(|h| {
        let variant = &h.variant;
        let doc = format!("The arguments of handler `{}`.", h.method);
        let fields = h.args.iter().map(|(name, ty)| {
            let doc = format!("Argument `{name}`.");
            quote!(#[doc = #doc] #name: #ty,)
        });
        quote!(#[doc = #doc] #variant { #(#fields)* },)
    });
    let attrs = serde_attrs(cx, serde);
    let phantom = phantom_variant(cx, serde);
    let doc = format!(
        "The arguments of each [`{}`] without its reply handle: the form of a message \
         that can cross a process boundary (serializable with `#[handlers(serde)]`).",
        cx.msg
    );
    quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #attrs
        #vis enum #request #impl_g #where_c {
            #(#variants)*
            #phantom
        }
    }
}

fn response_enums(cx: &Ctx<'_>, asks: &[&Handler], serde: bool) -> TokenStream {
    let (vis, response, reply_to, krate) = (&cx.vis, &cx.response, &cx.reply_to, cx.krate);
    let (impl_g, _, where_c) = cx.generics.split_for_impl();
    let answers = asks.iter().map(|h| {
        let (variant, ty) = (&h.variant, h.reply.as_ref().expect("an ask"));
        let doc = format!("The answer of handler `{}`.", h.method);
        quote!(#[doc = #doc] #variant(#ty),)
    });
    let handles = asks.iter().map(|h| {
        let (variant, ty) = (&h.variant, h.reply.as_ref().expect("an ask"));
        let doc = format!("The reply handle of handler `{}`.", h.method);
        quote!(#[doc = #doc] #variant(#krate::Reply<#ty>),)
    });
    let attrs = serde_attrs(cx, serde);
    let phantom_serde = phantom_variant(cx, serde);
    let phantom = phantom_variant(cx, false);
    let response_doc = format!("The answer to each ask of [`{}`].", cx.msg);
    let reply_doc = format!("The reply handle of each ask of [`{}`].", cx.msg);
    quote! {
        #[doc = #response_doc]
        #[allow(dead_code)]
        #attrs
        #vis enum #response #impl_g #where_c {
            #(#answers)*
            #phantom_serde
        }

        #[doc = #reply_doc]
        #[allow(dead_code)]
        #vis enum #reply_to #impl_g #where_c {
            #(#handles)*
            #phantom
        }
    }
}

fn into_request_fn(cx: &Ctx<'_>, handlers: &[Handler]) -> TokenStream {
    let (msg, request, reply_to) = (&cx.msg, &cx.request, &cx.reply_to);
    let (impl_g, ty_g, where_c) = cx.generics.split_for_impl();
    let arms = handlers.iter().map(|h| {
        let variant = &h.variant;
        let names: Vec<&Ident> = h.args.iter().map(|(name, _)| name).collect();
        match &h.reply {
            Some(_) => quote! {
                Self::#variant { #(#names,)* reply } => (
                    #request::#variant { #(#names,)* },
                    ::core::option::Option::Some(#reply_to::#variant(reply)),
                ),
            },
            None => quote! {
                Self::#variant { #(#names,)* } =>
                    (#request::#variant { #(#names,)* }, ::core::option::Option::None),
            },
        }
    });
    let phantom = phantom_arm(cx, &quote!(Self));
    quote! {
        #[automatically_derived]
        #[allow(dead_code)]
        impl #impl_g #msg #ty_g #where_c {
            /// Splits the message into its arguments and, for an ask, its
            /// reply handle.
            pub fn into_request(self) -> (#request #ty_g, ::core::option::Option<#reply_to #ty_g>) {
                match self {
                    #(#arms)*
                    #phantom
                }
            }
        }
    }
}

fn complete_fn(cx: &Ctx<'_>, asks: &[&Handler]) -> TokenStream {
    let (response, reply_to) = (&cx.response, &cx.reply_to);
    let (impl_g, ty_g, where_c) = cx.generics.split_for_impl();
    let arms = asks.iter().map(|h| {
        let variant = &h.variant;
        quote! {
            (Self::#variant(reply), #response::#variant(value)) => {
                reply.send(value);
                ::core::result::Result::Ok(())
            }
        }
    });
    let phantom = cx.phantom.as_ref().map(|_| {
        quote! {
            (Self::__Phantom(_, never), _) => match never {},
            (_, #response::__Phantom(_, never)) => match never {},
        }
    });
    let mismatch = (asks.len() > 1).then(
        || quote!((reply_to, response) => ::core::result::Result::Err((reply_to, response)),),
    );
    let body = if asks.is_empty() {
        let phantom = phantom_arm(cx, &quote!(Self));
        quote!(match self { #phantom })
    } else {
        quote! {
            match (self, response) {
                #(#arms)*
                #phantom
                #mismatch
            }
        }
    };
    quote! {
        #[automatically_derived]
        #[allow(dead_code)]
        impl #impl_g #reply_to #ty_g #where_c {
            /// Answers the local ask with a response that came from elsewhere.
            ///
            /// # Errors
            ///
            /// Hands both back, untouched, when the response answers another
            /// handler.
            pub fn complete(
                self,
                response: #response #ty_g,
            ) -> ::core::result::Result<(), (Self, #response #ty_g)> {
                #body
            }
        }
    }
}

fn dispatch_fn(cx: &Ctx<'_>, handlers: &[Handler]) -> TokenStream {
    let (krate, msg, request, response, self_ty) =
        (cx.krate, &cx.msg, &cx.request, &cx.response, cx.self_ty);
    let (impl_g, ty_g, where_c) = cx.generics.split_for_impl();
    let arms = handlers.iter().map(|h| {
        let variant = &h.variant;
        let names: Vec<&Ident> = h.args.iter().map(|(name, _)| name).collect();
        match &h.reply {
            Some(_) => quote! {
                Self::#variant { #(#names,)* } => {
                    let value = #krate::Address::ask(
                        to,
                        move |reply| #msg::#variant { #(#names,)* reply },
                        ::core::option::Option::None,
                    )
                    .await?;
                    ::core::result::Result::Ok(::core::option::Option::Some(#response::#variant(value)))
                }
            },
            None => quote! {
                Self::#variant { #(#names,)* } => {
                    #krate::Address::tell(to, #msg::#variant { #(#names,)* })
                        .await
                        .map_err(|_| #krate::error::AskError::Stopped {
                            actor: #krate::Address::label(to),
                        })?;
                    ::core::result::Result::Ok(::core::option::Option::None)
                }
            },
        }
    });
    let phantom = phantom_arm(cx, &quote!(Self));
    quote! {
        #[automatically_derived]
        #[allow(dead_code)]
        impl #impl_g #request #ty_g #where_c {
            /// Delivers the request to any address of the actor and returns
            /// the answer of an ask (`None` for a tell): the receiving end of
            /// a transport.
            ///
            /// # Errors
            ///
            /// The ask's `AskError`, or `AskError::Stopped` when a tell finds
            /// the actor stopped.
            pub async fn dispatch<__A: #krate::Address<#self_ty>>(
                self,
                to: &__A,
            ) -> ::core::result::Result<
                ::core::option::Option<#response #ty_g>,
                #krate::error::AskError,
            > {
                match self {
                    #(#arms)*
                    #phantom
                }
            }
        }
    }
}
