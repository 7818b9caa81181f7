//! Application state and startup: settings → database → secret and root admin → runtime →
//! plugins → routes. Bad configuration fails here, never on a request.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::Mutex;

use crate::auth::{TokenService, ensure_root_admin, hash_password, load_or_create_secret};
use crate::cache::Backends;
use crate::capabilities::{Capabilities, HelpersCtx};
use crate::config::Settings;
use crate::error::HttpError;
use crate::routing::{HookRow, RouteRow, RouteTable, build_table};
use crate::runtime::{HookRuntime, PluginRegistry, RuntimeLimits};
use crate::store::entities::{hook, plugin, plugin_version, route};
use crate::store::{self, parse_json_text};

/// Shared state of every handler; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppInner>);

impl Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

#[derive(Debug)]
pub struct AppInner {
    pub settings: Settings,
    pub db: DatabaseConnection,
    pub runtime: HookRuntime,
    pub plugins: PluginRegistry,
    pub routes: ArcSwap<RouteTable>,
    pub tokens: Arc<TokenService>,
    /// The cache and rate limiter (in process or on Redis).
    pub backends: Backends,
    /// Compared against when a login names an unknown email, to keep timing uniform.
    pub dummy_hash: String,
    /// Serialises changes to route and hook definitions so that a conflict check and the
    /// write it guards cannot interleave with another change.
    pub definitions: Mutex<()>,
}

impl AppState {
    pub async fn start(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)?;
        let db = store::connect(&settings.effective_database_url()).await?;
        let secret = load_or_create_secret(&settings)?;
        ensure_root_admin(&db, &settings).await?;
        let tokens = Arc::new(TokenService::new(
            secret.as_bytes(),
            Duration::from_secs(settings.access_token_ttl_secs),
        ));
        let backends = Backends::from_settings(&settings)?;
        let capabilities = Capabilities {
            helpers: Arc::new(HelpersCtx::new(tokens.clone(), settings.bcrypt_cost)),
            cache: backends.cache.clone(),
            limits: backends.limits.clone(),
        };
        let runtime = HookRuntime::new(
            RuntimeLimits {
                memory_bytes: settings.hook_memory_bytes,
                max_instances: settings.max_instances,
                hook_timeout: Duration::from_millis(settings.hook_timeout_ms),
                max_guest_output_bytes: settings.max_guest_output_bytes,
                artifact_dir: settings.effective_artifact_dir(),
            },
            capabilities,
        )?;
        let dummy_hash = hash_password("not a password".into(), settings.bcrypt_cost)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let state = AppState(Arc::new(AppInner {
            tokens,
            backends,
            settings,
            db,
            runtime,
            plugins: PluginRegistry::default(),
            routes: ArcSwap::from_pointee(RouteTable::default()),
            dummy_hash,
            definitions: Mutex::new(()),
        }));
        state.load_plugins().await?;
        let table = state
            .load_route_table()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        state.routes.store(Arc::new(table));
        Ok(state)
    }

    /// Loads every plugin's active version (from the artifact cache when possible).
    async fn load_plugins(&self) -> anyhow::Result<()> {
        let plugins = plugin::Entity::find().all(&self.db).await?;
        for p in plugins {
            let version = plugin_version::Entity::find()
                .filter_by_plugin_version(p.id, p.active_version)
                .one(&self.db)
                .await?;
            let Some(version) = version else {
                tracing::error!(plugin = %p.name, version = p.active_version, "active version missing");
                continue;
            };
            let runtime_ref = &self.runtime;
            let loaded = tokio::task::block_in_place(|| {
                runtime_ref.prepare(&p.name, version.version, &version.sha256, &version.binary)
            });
            match loaded {
                Ok(loaded) => self.plugins.activate(loaded),
                Err(e) => tracing::error!(plugin = %p.name, error = %e, "could not load plugin"),
            }
        }
        Ok(())
    }

    /// Reads route and hook definitions and builds a route table from them.
    pub async fn load_route_table(&self) -> Result<RouteTable, HttpError> {
        let (routes, hooks) = self.definition_rows().await?;
        build_table(&routes, &hooks).map_err(|e| HttpError::conflict("ROUTE_CONFLICT", e))
    }

    pub async fn definition_rows(&self) -> Result<(Vec<RouteRow>, Vec<HookRow>), HttpError> {
        let routes = route::Entity::find().all(&self.db).await?;
        let hooks = hook::Entity::find().all(&self.db).await?;
        let default_timeout = self.settings.route_timeout_ms;
        Ok((
            routes
                .iter()
                .map(|r| route_row(r, default_timeout))
                .collect(),
            hooks.iter().map(hook_row).collect(),
        ))
    }

    /// Rebuilds the route table from the database and swaps it in for the next request.
    pub async fn reload_routes(&self) -> Result<(), HttpError> {
        let table = self.load_route_table().await?;
        self.routes.store(Arc::new(table));
        Ok(())
    }
}

fn methods_of(text: &str) -> Vec<axum::http::Method> {
    parse_json_text(text)
        .as_array()
        .map(|a| a.iter().filter_map(|m| m.as_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

pub fn route_row(r: &route::Model, default_timeout_ms: u64) -> RouteRow {
    RouteRow {
        id: r.id,
        path: r.path.clone(),
        methods: methods_of(&r.methods),
        published: methods_of(&r.published_methods),
        handler_plugin: r.handler_plugin.clone(),
        handler_config: parse_json_text(&r.handler_config),
        timeout: Duration::from_millis(
            r.timeout_ms.map(|t| t as u64).unwrap_or(default_timeout_ms),
        ),
    }
}

pub fn hook_row(h: &hook::Model) -> HookRow {
    HookRow {
        id: h.id,
        pre: h.phase == "pre",
        route_id: h.route_id,
        methods: methods_of(&h.methods),
        plugin: h.plugin.clone(),
        priority: h.priority,
        enabled: h.enabled,
        config: parse_json_text(&h.config),
    }
}

trait VersionQuery {
    fn filter_by_plugin_version(self, plugin_id: i64, version: i32) -> Self;
}

impl VersionQuery for sea_orm::Select<plugin_version::Entity> {
    fn filter_by_plugin_version(self, plugin_id: i64, version: i32) -> Self {
        use sea_orm::{ColumnTrait, QueryFilter};
        self.filter(plugin_version::Column::PluginId.eq(plugin_id))
            .filter(plugin_version::Column::Version.eq(version))
    }
}
