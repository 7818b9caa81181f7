//! The `export!` macro of `hookline-sdk`. Plugins use it through `hookline_sdk::export!`, which
//! documents it; the generated code names `::hookline_sdk`, so this crate is not used directly.

mod expand;
mod spec;

use proc_macro::TokenStream;
use syn::parse_macro_input;

/// Makes the component export the named hook functions, e.g.
/// `export! { pre_hook: before, handler: handle, post_hook: after }` (any non-empty subset).
#[proc_macro]
pub fn export(input: TokenStream) -> TokenStream {
    let spec = parse_macro_input!(input as spec::ExportSpec);
    expand::expand(&spec).into()
}
