//! `/admin/plugins`: upload (a new immutable version, active at once), list, show, settings
//! (instance reuse), activate (roll forward or back) and delete (refused while a route or hook
//! uses the plugin).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::RootAdmin;
use crate::app::{AppState, reuse_of};
use crate::error::HttpError;
use crate::events::Change;
use crate::json::JsonBody;
use crate::runtime::{LoadedPlugin, MAX_INSTANCE_REUSE, PluginKind};
use crate::store::entities::{hook, plugin, plugin_version, route};
use crate::store::parse_json_text;

/// Longest plugin name.
const MAX_NAME_LEN: usize = 64;

fn validate_name(name: &str) -> Result<(), HttpError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(HttpError::bad_request(
            "INVALID_NAME",
            format!(
                "plugin names are 1-{MAX_NAME_LEN} characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
            ),
        ))
    }
}

fn name_from_query(query: Option<&str>) -> Result<String, HttpError> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            HttpError::bad_request("NAME_REQUIRED", "the query parameter `name` is required")
        })
}

fn kinds_json(kinds: &[PluginKind]) -> String {
    serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into())
}

fn version_json(v: &plugin_version::Model, active: i32) -> Value {
    json!({
        "id": v.id,
        "version": v.version,
        "sha256": v.sha256,
        "size": v.size,
        "kinds": parse_json_text(&v.kinds),
        "active": v.version == active,
        "createdAt": v.created_at,
    })
}

async fn find_plugin(state: &AppState, name: &str) -> Result<plugin::Model, HttpError> {
    plugin::Entity::find()
        .filter(plugin::Column::Name.eq(name))
        .one(&state.db)
        .await?
        .ok_or_else(|| HttpError::not_found(format!("no plugin named {name}")))
}

/// A unique violation means another upload of the same name won a race: 409, retryable.
/// Anything else is a server fault.
fn concurrent_upload(e: sea_orm::DbErr, message: String) -> HttpError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            HttpError::conflict("CONCURRENT_UPLOAD", message)
        }
        _ => e.into(),
    }
}

/// The kinds routes and hooks currently use this plugin as.
async fn kinds_in_use(state: &AppState, name: &str) -> Result<Vec<PluginKind>, HttpError> {
    let mut kinds = Vec::new();
    let as_handler = route::Entity::find()
        .filter(route::Column::HandlerPlugin.eq(name))
        .count(&state.db)
        .await?;
    if as_handler > 0 {
        kinds.push(PluginKind::Handler);
    }
    for h in hook::Entity::find()
        .filter(hook::Column::Plugin.eq(name))
        .all(&state.db)
        .await?
    {
        let kind = super::hook_kind(h.phase);
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// Refuses a version that would break the routes and hooks using the plugin.
async fn check_kinds_in_use(state: &AppState, loaded: &LoadedPlugin) -> Result<(), HttpError> {
    let missing: Vec<PluginKind> = kinds_in_use(state, &loaded.name)
        .await?
        .into_iter()
        .filter(|k| !loaded.has_kind(*k))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(HttpError::unprocessable(
        "KINDS_IN_USE",
        format!(
            "version {} of {} lacks exports that routes or hooks use",
            loaded.version, loaded.name
        ),
    )
    .with_details(json!({"missing": missing})))
}

/// Compiles on the blocking pool: Cranelift takes tens of milliseconds to seconds.
async fn prepare(
    state: &AppState,
    name: String,
    version: i32,
    sha256: String,
    binary: Vec<u8>,
) -> Result<LoadedPlugin, HttpError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || st.runtime.prepare(&name, version, &sha256, &binary))
        .await
        .map_err(HttpError::internal)?
        .map_err(HttpError::from)
}

/// One more than the highest version of `plugin_id`.
async fn next_version(state: &AppState, plugin_id: i64) -> Result<i32, HttpError> {
    let highest = plugin_version::Entity::find()
        .filter(plugin_version::Column::PluginId.eq(plugin_id))
        .select_only()
        .column_as(plugin_version::Column::Version.max(), "max")
        .into_tuple::<Option<i32>>()
        .one(&state.db)
        .await?
        .flatten()
        .unwrap_or(0);
    Ok(highest + 1)
}

/// A committed version becomes the active one here, and then on the other nodes.
async fn activated(state: &AppState, name: &str, loaded: LoadedPlugin) -> Result<(), HttpError> {
    let change = Change::Plugin {
        name: name.to_owned(),
    };
    state
        .definitions_changed_with(&change, async {
            state.plugins.activate(loaded);
            Ok(())
        })
        .await
}

pub async fn upload(
    State(state): State<AppState>,
    _: RootAdmin,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let name = name_from_query(query.as_deref())?;
    validate_name(&name)?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/wasm") {
        return Err(HttpError::new(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "upload the component with Content-Type: application/wasm",
        ));
    }
    let limit = state.settings.max_plugin_bytes;
    let binary = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| HttpError::payload_too_large(limit))?
        .to_vec();
    let sha256 = hex::encode(Sha256::digest(&binary));
    let size = binary.len() as i64;
    // Compiled outside the lock (seconds for a large guest), numbered inside it: two uploads
    // on this node get consecutive versions. From the kind check to the activation the upload
    // is serialised with route and hook changes, so a hook cannot be attached to a kind this
    // version is about to remove.
    let mut loaded = prepare(&state, name.clone(), 0, sha256.clone(), binary.clone()).await?;
    let _guard = state.definitions.lock().await;
    let existing = plugin::Entity::find()
        .filter(plugin::Column::Name.eq(&name))
        .one(&state.db)
        .await?;
    let version = match &existing {
        Some(p) => next_version(&state, p.id).await?,
        None => 1,
    };
    loaded.version = version;
    loaded.reuse = existing.as_ref().map_or(0, reuse_of);
    check_kinds_in_use(&state, &loaded).await?;
    let kinds = loaded.kinds.clone();

    let now = Utc::now();
    let txn = state.db.begin().await?;
    let plugin_id = match existing {
        Some(p) => {
            let id = p.id;
            let mut active = p.into_active_model();
            active.active_version = Set(version);
            active.updated_at = Set(now);
            active.update(&txn).await?;
            id
        }
        None => {
            plugin::ActiveModel {
                name: Set(name.clone()),
                active_version: Set(version),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| {
                concurrent_upload(e, format!("plugin {name} was created concurrently; retry"))
            })?
            .id
        }
    };
    let row = plugin_version::ActiveModel {
        plugin_id: Set(plugin_id),
        version: Set(version),
        sha256: Set(sha256.clone()),
        size: Set(size),
        kinds: Set(kinds_json(&kinds)),
        binary: Set(binary),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        concurrent_upload(
            e,
            format!("another upload of {name} took version {version}; retry"),
        )
    })?;
    txn.commit().await?;
    activated(&state, &name, loaded).await?;
    tracing::info!(%name, version, %sha256, "plugin uploaded and activated");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": row.id,
            "pluginId": plugin_id,
            "name": name,
            "version": version,
            "sha256": sha256,
            "size": size,
            "kinds": kinds,
        })),
    ))
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let plugins = plugin::Entity::find()
        .order_by_asc(plugin::Column::Name)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(plugins.len());
    for p in plugins {
        let versions = plugin_version::Entity::find()
            .filter(plugin_version::Column::PluginId.eq(p.id))
            .count(&state.db)
            .await?;
        let loaded = state.plugins.get(&p.name);
        out.push(json!({
            "id": p.id,
            "name": p.name,
            "activeVersion": p.active_version,
            "instanceReuse": p.instance_reuse,
            "versions": versions,
            "kinds": loaded.as_ref().map(|l| l.kinds.clone()),
            "sha256": loaded.as_ref().map(|l| l.sha256.clone()),
            "guestClass": loaded.as_ref().map(|l| l.class),
            "createdAt": p.created_at,
            "updatedAt": p.updated_at,
        }));
    }
    Ok(Json(Value::Array(out)))
}

async fn describe(state: &AppState, p: &plugin::Model) -> Result<Value, HttpError> {
    let versions = plugin_version::Entity::find()
        .filter(plugin_version::Column::PluginId.eq(p.id))
        .order_by_asc(plugin_version::Column::Version)
        .all(&state.db)
        .await?;
    Ok(json!({
        "id": p.id,
        "name": p.name,
        "activeVersion": p.active_version,
        "instanceReuse": p.instance_reuse,
        "versions": versions.iter().map(|v| version_json(v, p.active_version)).collect::<Vec<_>>(),
        "createdAt": p.created_at,
        "updatedAt": p.updated_at,
    }))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(name): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let p = find_plugin(&state, &name).await?;
    Ok(Json(describe(&state, &p).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activate {
    version: i32,
}

pub async fn activate(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<Activate>,
) -> Result<Json<Value>, HttpError> {
    let p = find_plugin(&state, &name).await?;
    let version = plugin_version::Entity::find()
        .filter(plugin_version::Column::PluginId.eq(p.id))
        .filter(plugin_version::Column::Version.eq(body.version))
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            HttpError::new(
                404,
                "VERSION_NOT_FOUND",
                format!("plugin {name} has no version {}", body.version),
            )
        })?;
    let mut loaded = prepare(
        &state,
        name.clone(),
        version.version,
        version.sha256.clone(),
        version.binary.clone(),
    )
    .await?;
    let _guard = state.definitions.lock().await;
    loaded.reuse = reuse_of(&p);
    check_kinds_in_use(&state, &loaded).await?;
    let mut active = p.into_active_model();
    active.active_version = Set(version.version);
    active.updated_at = Set(Utc::now());
    let p = active.update(&state.db).await?;
    activated(&state, &name, loaded).await?;
    tracing::info!(%name, version = version.version, "plugin version activated");
    Ok(Json(describe(&state, &p).await?))
}

/// What `PATCH /admin/plugins/{name}` may change.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PluginSettings {
    /// Requests one instance may serve, 0 to `MAX_INSTANCE_REUSE`; 0 (and 1): a fresh
    /// instance per call.
    instance_reuse: i64,
}

/// Changes a plugin's settings; they apply to every version, from the next request on.
pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<PluginSettings>,
) -> Result<Json<Value>, HttpError> {
    let reuse = i32::try_from(body.instance_reuse)
        .ok()
        .filter(|n| (0..=MAX_INSTANCE_REUSE as i32).contains(n))
        .ok_or_else(|| {
            HttpError::bad_request(
                "INVALID_INSTANCE_REUSE",
                format!(
                    "instanceReuse is the number of requests one instance may serve, 0 to \
                     {MAX_INSTANCE_REUSE} (0: a fresh instance per request)"
                ),
            )
        })?;
    let p = find_plugin(&state, &name).await?;
    let version = plugin_version::Entity::find()
        .filter(plugin_version::Column::PluginId.eq(p.id))
        .filter(plugin_version::Column::Version.eq(p.active_version))
        .one(&state.db)
        .await?
        .ok_or_else(|| HttpError::internal(format!("plugin {name}: active version missing")))?;
    // The active version again (from the artifact cache) with the new setting; the old
    // loaded version's kept instances go with it.
    let mut loaded = prepare(
        &state,
        name.clone(),
        version.version,
        version.sha256.clone(),
        version.binary.clone(),
    )
    .await?;
    let _guard = state.definitions.lock().await;
    let p = find_plugin(&state, &name).await?;
    if p.active_version != loaded.version {
        return Err(HttpError::conflict(
            "CONCURRENT_CHANGE",
            format!("plugin {name} changed version meanwhile; retry"),
        ));
    }
    loaded.reuse = reuse as u32;
    let mut active = p.into_active_model();
    active.instance_reuse = Set(reuse);
    active.updated_at = Set(Utc::now());
    let p = active.update(&state.db).await?;
    activated(&state, &name, loaded).await?;
    tracing::info!(%name, instance_reuse = reuse, "plugin settings changed");
    Ok(Json(describe(&state, &p).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(name): Path<String>,
) -> Result<StatusCode, HttpError> {
    let _guard = state.definitions.lock().await;
    let p = find_plugin(&state, &name).await?;
    let routes: Vec<i64> = route::Entity::find()
        .filter(route::Column::HandlerPlugin.eq(&name))
        .all(&state.db)
        .await?
        .iter()
        .map(|r| r.id)
        .collect();
    let hooks: Vec<i64> = hook::Entity::find()
        .filter(hook::Column::Plugin.eq(&name))
        .all(&state.db)
        .await?
        .iter()
        .map(|h| h.id)
        .collect();
    if !routes.is_empty() || !hooks.is_empty() {
        return Err(HttpError::conflict(
            "PLUGIN_IN_USE",
            format!("plugin {name} is used by routes or hooks"),
        )
        .with_details(json!({"routes": routes, "hooks": hooks})));
    }
    let txn = state.db.begin().await?;
    plugin_version::Entity::delete_many()
        .filter(plugin_version::Column::PluginId.eq(p.id))
        .exec(&txn)
        .await?;
    plugin::Entity::delete_by_id(p.id).exec(&txn).await?;
    txn.commit().await?;
    let change = Change::Plugin { name: name.clone() };
    state
        .definitions_changed_with(&change, async {
            state.plugins.remove(&name);
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
