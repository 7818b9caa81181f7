//! Route permissions: grants of methods on a route to a role or to one user, compiled into a
//! [`PermissionTable`] that authorization reads; rebuilt whenever a grant, a role or a route
//! changes, never read from the database per request.

use std::collections::HashMap;

use axum::http::Method;

use crate::context::AuthUser;
use crate::error::HttpError;
use crate::routing::{CompiledRoute, RouteTable};
use crate::schema::reach::TableReach;
use crate::store::entities::route_permission;

#[derive(Debug, Clone)]
enum Grantee {
    Role(String),
    User(i64),
}

#[derive(Debug, Clone)]
struct Grant {
    grantee: Grantee,
    methods: Vec<Method>,
}

/// Grants by route id.
#[derive(Debug, Default)]
pub struct PermissionTable {
    by_route: HashMap<i64, Vec<Grant>>,
}

impl PermissionTable {
    /// Compiles grants; `role_names` maps role ids to names (a grant to an unknown role is
    /// skipped: the role was deleted and its grants go with it).
    pub fn build(rows: &[route_permission::Model], role_names: &HashMap<i64, String>) -> Self {
        let mut by_route: HashMap<i64, Vec<Grant>> = HashMap::new();
        for row in rows {
            let grantee = match (row.role_id, row.user_id) {
                (Some(role), None) => match role_names.get(&role) {
                    Some(name) => Grantee::Role(name.clone()),
                    None => continue,
                },
                (None, Some(user)) => Grantee::User(user),
                _ => continue,
            };
            let methods = row.methods.0.clone();
            by_route
                .entry(row.route_id)
                .or_default()
                .push(Grant { grantee, methods });
        }
        Self { by_route }
    }

    /// Whether a grant on `route_id` gives `method` to `user` or to the user's role.
    pub fn allows(&self, route_id: i64, method: &Method, user: &AuthUser) -> bool {
        self.by_route.get(&route_id).is_some_and(|grants| {
            grants.iter().any(|grant| {
                let matches = match &grant.grantee {
                    Grantee::Role(role) => user.role.as_deref() == Some(role.as_str()),
                    Grantee::User(id) => *id == user.id,
                };
                matches && grant.methods.contains(method)
            })
        })
    }
}

/// The authorization rule (lifecycle stage 5): a published method passes without a user; no
/// user is 401 `UNAUTHORIZED`; a root admin passes; anyone else needs a grant of the method on
/// the route to their role or to them (403 `FORBIDDEN`).
pub fn authorize(
    permissions: &PermissionTable,
    route: &CompiledRoute,
    method: &Method,
    user: Option<&AuthUser>,
) -> Result<(), HttpError> {
    if route.is_published(method) {
        return Ok(());
    }
    let Some(user) = user else {
        return Err(HttpError::unauthorized(
            "UNAUTHORIZED",
            "authentication is required for this route",
        ));
    };
    if user.is_root_admin || permissions.allows(route.id, method, user) {
        return Ok(());
    }
    Err(HttpError::forbidden(format!(
        "no permission for {method} {}",
        route.pattern
    )))
}

/// The tables an HTTP caller may follow relations into: reading a table over HTTP means a
/// `GET` of one of its default CRUD routes (`/<table>`, `/<table>/:id`, or any route naming
/// it as its table without a handler plugin), so a caller may read a table when the rule above
/// lets them `GET` at least one of those routes — a published `GET`, a grant of `GET` to their
/// role or to them, or being a root admin. A table served only through plugin handlers is
/// readable by nobody through relations but root admins: a plugin decides what it shows.
#[derive(Debug)]
pub struct CallerReach<'a> {
    pub routes: &'a RouteTable,
    pub permissions: &'a PermissionTable,
    pub user: Option<&'a AuthUser>,
}

impl TableReach for CallerReach<'_> {
    fn may_read(&self, table: &str) -> Result<(), HttpError> {
        if self.user.is_some_and(|u| u.is_root_admin)
            || self
                .routes
                .table_readers(table)
                .iter()
                .any(|route| authorize(self.permissions, route, &Method::GET, self.user).is_ok())
        {
            return Ok(());
        }
        Err(HttpError::forbidden(format!(
            "following a relation into {table} needs read access to {table} (a GET of one of its routes)"
        )))
    }
}
