//! Generating a plugin's component exports from an [`ExportSpec`].
//!
//! The output runs `wit_bindgen::generate!` in the plugin crate over an inline world that
//! includes the Hookline `host` world and exports only the named interfaces, so the component's
//! exports say exactly which hook kinds it implements. The imports are mapped with `with` onto
//! the bindings `hookline-sdk` generated once, so the request-context type is shared, not
//! regenerated per plugin.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::spec::{ExportSpec, HookKind};

/// The Hookline WIT package, read at the plugin's compile time. It lives beside the SDK in the
/// repository, and the absolute path is fixed when this crate is compiled because a plugin's
/// own manifest directory says nothing about where the SDK is.
const WIT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../wit");

/// The WIT package and version the SDK implements; `generate!` rejects a mismatch with the WIT
/// files as an unused `with` mapping, so a version bump cannot go unnoticed.
const WIT_PACKAGE: &str = "hookline:plugin";
const WIT_VERSION: &str = "0.1.0";

/// The interfaces of the `host` world, mapped onto the SDK's bindings (same module names).
const HOST_INTERFACES: [&str; 7] = [
    "types",
    "context",
    "log",
    "helpers",
    "cache",
    "rate-limit",
    "repos",
];

/// Expands `export!`.
pub(crate) fn expand(spec: &ExportSpec) -> TokenStream {
    let inline = inline_world(spec);
    let with = HOST_INTERFACES.iter().map(|name| {
        let key = interface_id(name);
        let module = format_ident!("{}", name.replace('-', "_"));
        quote! { #key: ::hookline_sdk::__private::#module }
    });
    let impls = spec
        .hooks
        .iter()
        .map(|(kind, function)| guest_impl(*kind, function));

    let allow_glue = quote! {
        #[allow(
            unsafe_code,
            reason = "wit-bindgen's ABI glue; plugins may deny unsafe code of their own"
        )]
    };

    quote! {
        #[doc(hidden)]
        #allow_glue
        mod __hookline_component {
            ::hookline_sdk::__private::wit_bindgen::generate!({
                inline: #inline,
                path: #WIT_DIR,
                world: "plugin",
                with: { #(#with,)* },
                runtime_path: "::hookline_sdk::__private::wit_bindgen::rt",
            });
        }

        #allow_glue
        const _: () = {
            struct HooklinePlugin;
            #(#impls)*
            __hookline_component::export!(HooklinePlugin with_types_in __hookline_component);
        };
    }
}

/// `package:name/interface@version`, the WIT id of a Hookline interface.
fn interface_id(interface: &str) -> String {
    format!("{WIT_PACKAGE}/{interface}@{WIT_VERSION}")
}

/// The plugin's world: everything the host offers, and only the named exports.
fn inline_world(spec: &ExportSpec) -> String {
    let exports: String = spec
        .hooks
        .iter()
        .map(|(kind, _)| format!("    export {};\n", interface_id(kind.interface())))
        .collect();
    format!(
        "package hookline:guest;\n\nworld plugin {{\n    include {};\n{exports}}}\n",
        interface_id("host")
    )
}

/// The implementation of one export's generated `Guest` trait, delegating to the SDK's glue.
fn guest_impl(kind: HookKind, function: &syn::Path) -> TokenStream {
    let private = quote!(::hookline_sdk::__private);
    let (module, method, glue, output) = match kind {
        HookKind::PreHook => (
            quote!(pre_hook),
            quote!(run),
            quote!(run_pre_hook),
            quote!(::core::option::Option<#private::types::Json>),
        ),
        HookKind::Handler => (
            quote!(handler),
            quote!(handle),
            quote!(run_handler),
            quote!(#private::types::Json),
        ),
        HookKind::PostHook => (
            quote!(post_hook),
            quote!(run),
            quote!(run_post_hook),
            quote!(()),
        ),
    };
    // Spanned at the plugin's function so a wrong signature is reported there.
    let call = quote_spanned! {function.span()=> #private::#glue(ctx, #function) };
    quote! {
        impl __hookline_component::exports::hookline::plugin::#module::Guest for HooklinePlugin {
            fn #method(
                ctx: &#private::context::RequestContext,
            ) -> ::core::result::Result<#output, #private::types::HookError> {
                #call
            }
        }
    }
}
