//! Builds a [`RouteTable`] from route and hook definitions, ordering each route's hooks by
//! tier (global all-methods, global this-method, route all-methods, route this-method), then
//! priority ascending, then id (spec §1.7).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;

use super::{Attachment, CompiledRoute, HookChain, RouteTable, parse_pattern};

/// A route definition as the table needs it.
#[derive(Debug, Clone)]
pub struct RouteRow {
    pub id: i64,
    pub path: String,
    pub methods: Vec<Method>,
    pub published: Vec<Method>,
    pub handler_plugin: Option<String>,
    /// The table whose default CRUD the route serves when it has no handler plugin.
    pub table: Option<String>,
    /// The tables the route's hooks may use through `repos` (its `table` is one implicitly).
    pub target_tables: Vec<String>,
    pub handler_config: serde_json::Value,
    pub timeout: Duration,
}

/// A hook definition as the table needs it.
#[derive(Debug, Clone)]
pub struct HookRow {
    pub id: i64,
    pub pre: bool,
    pub route_id: Option<i64>,
    /// Empty: all methods.
    pub methods: Vec<Method>,
    pub plugin: String,
    pub priority: i32,
    pub enabled: bool,
    pub config: serde_json::Value,
    /// Tables this attachment may use beyond its route's.
    pub tables: Vec<String>,
}

/// The tables of `route` and `more`, without repeats.
fn tables_of(route: &RouteRow, more: &[String]) -> Arc<[Arc<str>]> {
    let mut names: Vec<&str> = route
        .table
        .iter()
        .chain(&route.target_tables)
        .chain(more)
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(Arc::from).collect()
}

fn attachment(hook: &HookRow, route: &RouteRow) -> Attachment {
    Attachment {
        hook_id: Some(hook.id),
        plugin: hook.plugin.as_str().into(),
        config: hook.config.to_string().into(),
        tables: tables_of(route, &hook.tables),
    }
}

fn tier(hook: &HookRow) -> u8 {
    match (hook.route_id.is_some(), hook.methods.is_empty()) {
        (false, true) => 0,
        (false, false) => 1,
        (true, true) => 2,
        (true, false) => 3,
    }
}

fn chain(hooks: &[&HookRow], route: &RouteRow, method: &Method) -> HookChain {
    let mut matching: Vec<&HookRow> = hooks
        .iter()
        .copied()
        .filter(|h| h.route_id.is_none_or(|id| id == route.id))
        .filter(|h| h.methods.is_empty() || h.methods.contains(method))
        .collect();
    matching.sort_by_key(|h| (tier(h), h.priority, h.id));
    matching
        .into_iter()
        .map(|hook| attachment(hook, route))
        .collect()
}

/// Builds the table; a path that does not parse or conflicts with another is an error naming it.
pub fn build_table(routes: &[RouteRow], hooks: &[HookRow]) -> Result<RouteTable, String> {
    let (pre, post): (Vec<&HookRow>, Vec<&HookRow>) =
        hooks.iter().filter(|h| h.enabled).partition(|h| h.pre);
    let mut table = RouteTable::default();
    for row in routes {
        let per_method = |hooks: &[&HookRow]| -> HashMap<Method, HookChain> {
            row.methods
                .iter()
                .map(|m| (m.clone(), chain(hooks, row, m)))
                .collect()
        };
        let route = CompiledRoute {
            id: row.id,
            pattern: row.path.clone(),
            methods: row.methods.clone(),
            published: row.published.clone(),
            handler: row.handler_plugin.as_ref().map(|plugin| Attachment {
                hook_id: None,
                plugin: plugin.as_str().into(),
                config: row.handler_config.to_string().into(),
                tables: tables_of(row, &[]),
            }),
            table: row.table.as_deref().map(Arc::from),
            timeout: row.timeout,
            pre_hooks: per_method(&pre),
            post_hooks: per_method(&post),
        };
        let segments = parse_pattern(&row.path).map_err(|e| format!("route {}: {e}", row.path))?;
        let route = Arc::new(route);
        if let (None, Some(name)) = (&route.handler, &route.table)
            && route.methods.contains(&Method::GET)
        {
            table
                .table_readers
                .entry(name.clone())
                .or_default()
                .push(route.clone());
        }
        table.trie.insert(&row.path, &segments, route)?;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::RouteMatch;

    fn route(id: i64, path: &str) -> RouteRow {
        RouteRow {
            id,
            path: path.into(),
            methods: vec![Method::GET, Method::POST],
            published: vec![],
            handler_plugin: Some("h".into()),
            handler_config: serde_json::json!({}),
            table: None,
            target_tables: Vec::new(),
            timeout: Duration::from_secs(1),
        }
    }

    fn hook(id: i64, route_id: Option<i64>, methods: Vec<Method>, priority: i32) -> HookRow {
        HookRow {
            id,
            pre: true,
            route_id,
            methods,
            plugin: format!("p{id}"),
            priority,
            enabled: true,
            config: serde_json::json!({}),
            tables: Vec::new(),
        }
    }

    fn names(chain: &HookChain) -> Vec<String> {
        chain.iter().map(|a| a.plugin.to_string()).collect()
    }

    #[test]
    fn hooks_run_by_tier_then_priority_then_id() {
        let hooks = vec![
            hook(1, Some(7), vec![Method::POST], 0),
            hook(2, Some(7), vec![], 5),
            hook(3, None, vec![Method::POST], 0),
            hook(4, None, vec![], 9),
            hook(5, Some(7), vec![], 1),
            hook(6, None, vec![], 9),
            hook(7, Some(8), vec![], 0),
            hook(8, None, vec![Method::GET], 0),
        ];
        let table = build_table(&[route(7, "/users")], &hooks).unwrap();
        let RouteMatch::Found { route, .. } = table.lookup(&Method::POST, "/users") else {
            panic!("route not found");
        };
        assert_eq!(
            names(&route.pre_hooks(&Method::POST)),
            ["p4", "p6", "p3", "p5", "p2", "p1"]
        );
    }

    #[test]
    fn static_segments_beat_params_and_splats() {
        let table = build_table(
            &[
                route(1, "/a/:id"),
                route(2, "/a/me"),
                route(3, "/a/*"),
                route(4, "/a/:id/edit"),
                route(5, "/a/me/*"),
                route(6, "/b/me/x"),
                route(7, "/b/:id/y"),
            ],
            &[],
        )
        .unwrap();
        let found = |path: &str| match table.lookup(&Method::GET, path) {
            RouteMatch::Found { route, params } => (route.id, serde_json::Value::Object(params)),
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(found("/a/me"), (2, serde_json::json!({})));
        assert_eq!(found("/a/42"), (1, serde_json::json!({"id": "42"})));
        assert_eq!(found("/a/x/y"), (3, serde_json::json!({"splat": "x/y"})));
        assert_eq!(
            found("/a/me/edit"),
            (5, serde_json::json!({"splat": "edit"}))
        );
        // Backtracking: the static `me` branch has no `y`, so the param branch answers.
        assert_eq!(found("/b/me/y"), (7, serde_json::json!({"id": "me"})));
        assert_eq!(found("/a/7/edit"), (4, serde_json::json!({"id": "7"})));
        assert_eq!(
            found("/a/J%C3%BCrgen"),
            (1, serde_json::json!({"id": "Jürgen"}))
        );
        assert!(matches!(
            table.lookup(&Method::DELETE, "/a/me"),
            RouteMatch::MethodNotAllowed(_)
        ));
        assert!(matches!(
            table.lookup(&Method::GET, "/b"),
            RouteMatch::NotFound
        ));
    }

    #[test]
    fn conflicting_patterns_are_refused() {
        let err = build_table(&[route(1, "/a/:id"), route(2, "/a/:name")], &[]).unwrap_err();
        assert!(err.contains("/a/:name") && err.contains("/a/:id"), "{err}");
        assert!(build_table(&[route(1, "/a/*"), route(2, "/a/*")], &[]).is_err());
    }
}
