//! The compiled route table: every route and the hooks that run on it, built from the database
//! and swapped atomically when definitions change. A request never reads route definitions
//! from the database. Static segments beat params, params beat splats.

mod build;
mod pattern;
mod trie;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use serde_json::{Map, Value};

pub use build::{HookRow, RouteRow, build_table};
pub use pattern::{PatternError, Segment, parse_pattern};

/// A plugin attached to a route or globally, with the configuration it reads.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The hook row's id; `None` for a route's handler.
    pub hook_id: Option<i64>,
    pub plugin: Arc<str>,
    pub config: Arc<str>,
    /// The tables the hook may use through `repos`: its route's and its own.
    pub tables: Arc<[Arc<str>]>,
}

/// Hooks of one phase for one method of one route, already in execution order.
pub type HookChain = Arc<[Attachment]>;

#[derive(Debug)]
pub struct CompiledRoute {
    pub id: i64,
    pub pattern: String,
    pub methods: Vec<Method>,
    pub published: Vec<Method>,
    pub handler: Option<Attachment>,
    /// The table whose default CRUD answers when there is no handler.
    pub table: Option<Arc<str>>,
    pub timeout: Duration,
    pre_hooks: HashMap<Method, HookChain>,
    post_hooks: HashMap<Method, HookChain>,
}

impl CompiledRoute {
    pub fn is_published(&self, method: &Method) -> bool {
        self.published.contains(method)
    }

    pub fn pre_hooks(&self, method: &Method) -> HookChain {
        self.pre_hooks
            .get(method)
            .cloned()
            .unwrap_or_else(|| Arc::new([]))
    }

    pub fn post_hooks(&self, method: &Method) -> HookChain {
        self.post_hooks
            .get(method)
            .cloned()
            .unwrap_or_else(|| Arc::new([]))
    }
}

/// The result of matching a request against the table.
#[derive(Debug)]
pub enum RouteMatch {
    Found {
        route: Arc<CompiledRoute>,
        params: Map<String, Value>,
    },
    /// The path matched but the method is not served; the allowed methods.
    MethodNotAllowed(Vec<Method>),
    NotFound,
}

#[derive(Default)]
pub struct RouteTable {
    trie: trie::Trie<Arc<CompiledRoute>>,
    /// By table: the routes whose default CRUD serves `GET` on it, which is what reading the
    /// table means for an HTTP caller (see [`crate::access::permissions::CallerReach`]).
    table_readers: HashMap<Arc<str>, Vec<Arc<CompiledRoute>>>,
}

impl std::fmt::Debug for RouteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteTable").finish_non_exhaustive()
    }
}

impl RouteTable {
    /// The routes whose default CRUD lists or reads rows of `table`.
    pub fn table_readers(&self, table: &str) -> &[Arc<CompiledRoute>] {
        self.table_readers.get(table).map_or(&[], Vec::as_slice)
    }

    pub fn lookup(&self, method: &Method, path: &str) -> RouteMatch {
        let Some(found) = self.trie.find(path) else {
            return RouteMatch::NotFound;
        };
        let route = &found.leaf.value;
        if !route.methods.contains(method) {
            return RouteMatch::MethodNotAllowed(route.methods.clone());
        }
        let decode = |raw: &str| {
            percent_encoding::percent_decode_str(raw)
                .decode_utf8_lossy()
                .into_owned()
        };
        let mut params: Map<String, Value> = found
            .leaf
            .param_names
            .iter()
            .zip(&found.params)
            .map(|(name, raw)| (name.clone(), Value::String(decode(raw))))
            .collect();
        if let Some(splat) = found.splat {
            params.insert("splat".into(), Value::String(decode(&splat)));
        }
        RouteMatch::Found {
            route: route.clone(),
            params,
        }
    }
}
