//! Parsing the `export!` input: which hook kinds a plugin implements, and with which functions.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Path, Token};

/// A kind of hook a plugin can export; each is one WIT interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HookKind {
    PreHook,
    Handler,
    PostHook,
}

impl HookKind {
    /// Every kind, in lifecycle order.
    const ALL: [Self; 3] = [Self::PreHook, Self::Handler, Self::PostHook];

    /// The key a plugin writes in `export!`.
    fn key(self) -> &'static str {
        match self {
            Self::PreHook => "pre_hook",
            Self::Handler => "handler",
            Self::PostHook => "post_hook",
        }
    }

    /// The name of the WIT interface the kind's component exports.
    pub(crate) fn interface(self) -> &'static str {
        match self {
            Self::PreHook => "pre-hook",
            Self::Handler => "handler",
            Self::PostHook => "post-hook",
        }
    }
}

/// The parsed input: each exported kind with the path of the function implementing it, in
/// lifecycle order whatever order the plugin wrote them in.
pub(crate) struct ExportSpec {
    pub(crate) hooks: Vec<(HookKind, Path)>,
}

/// One `key: path` entry.
struct Entry {
    key: Ident,
    function: Path,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = input.parse()?;
        input.parse::<Token![:]>()?;
        let function = input.parse()?;
        Ok(Self { key, function })
    }
}

impl Parse for ExportSpec {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let entries = Punctuated::<Entry, Token![,]>::parse_terminated(input)?;
        let mut hooks: Vec<(HookKind, Path)> = Vec::new();
        for entry in entries {
            let Some(kind) = HookKind::ALL
                .into_iter()
                .find(|kind| entry.key == kind.key())
            else {
                return Err(syn::Error::new(
                    entry.key.span(),
                    "expected `pre_hook`, `handler` or `post_hook`",
                ));
            };
            if hooks.iter().any(|(seen, _)| *seen == kind) {
                return Err(syn::Error::new(
                    entry.key.span(),
                    format!("`{}` is given twice", kind.key()),
                ));
            }
            hooks.push((kind, entry.function));
        }
        if hooks.is_empty() {
            return Err(input.error(
                "name at least one hook, e.g. `export! { handler: handle }` \
                 (keys: `pre_hook`, `handler`, `post_hook`)",
            ));
        }
        hooks.sort_by_key(|(kind, _)| HookKind::ALL.iter().position(|k| k == kind));
        Ok(Self { hooks })
    }
}

#[cfg(test)]
mod tests;
