//! preHook: only a row's owner (or a root admin, or the `admin` role) may act on it — the
//! reference's "Permission Checking in preHook" (pattern 6). On a route like `/notes/:id`
//! whose target tables include the table named in the configuration (`{"table": "notes",
//! "ownerField": "ownerId"}`, the defaults), it answers 401 without a user, 404 when the row does
//! not exist and 403 when it belongs to someone else.

use hookline_sdk::serde::Deserialize;
use hookline_sdk::{Context, HookError, Value, json, repos, throw};

#[derive(Deserialize)]
#[serde(crate = "hookline_sdk::serde", rename_all = "camelCase", default)]
struct Config {
    table: String,
    owner_field: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            table: "notes".into(),
            owner_field: "ownerId".into(),
        }
    }
}

fn check(ctx: &Context) -> Result<Option<Value>, HookError> {
    let config: Config = ctx.config()?;
    let Some(user) = ctx.user() else {
        throw!(401, "Authentication required", code = "UNAUTHORIZED");
    };
    if user.is_root_admin || user.role.as_deref() == Some("admin") {
        return Ok(None);
    }
    let Some(id) = ctx.param("id").and_then(|id| id.parse::<i64>().ok()) else {
        throw!(400, "the route needs a numeric :id", code = "INVALID_ID");
    };
    let row: Option<Value> = repos::find_one(
        &config.table,
        &json!({"filter": {"id": {"_eq": id}}, "fields": ["id", config.owner_field]}),
    )?;
    let Some(row) = row else {
        throw!(404, "Resource not found", code = "NOT_FOUND");
    };
    if row[&config.owner_field].as_i64() != Some(user.id) {
        throw!(403, "Access denied", code = "NOT_OWNER");
    }
    Ok(None)
}

hookline_sdk::export! { pre_hook: check }
