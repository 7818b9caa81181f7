//! Application state and startup: settings → database → secret and root admin → runtime →
//! plugins → routes. Bad configuration fails here, never on a request.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::Mutex;

use crate::access::{Access, ClientIpResolver};
use crate::auth::{
    IdentityCache, TokenService, ensure_root_admin, hash_password, load_or_create_secret,
    private_data_dir, private_database_files,
};
use crate::cache::Backends;
use crate::capabilities::{Capabilities, HelpersCtx, ReposCtx};
use crate::config::Settings;
use crate::error::HttpError;
use crate::events::{Change, EventBus};
use crate::routing::{HookRow, RouteRow, RouteTable, build_table};
use crate::runtime::{HookRuntime, PluginRegistry, RuntimeLimits};
use crate::schema::TableRegistry;
use crate::schema::crypto::ColumnCrypto;
use crate::store::columns::HookPhase;
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
    /// Users and session families as authentication needs them, cached on this node.
    pub identities: Arc<IdentityCache>,
    /// The cache and rate limiter (in process or on Redis).
    pub backends: Backends,
    /// Guards, route permissions and client-IP resolution.
    pub access: Access,
    /// Publishes this node's changes to the other nodes (with Redis).
    pub events: Arc<EventBus>,
    /// User table definitions by name, for default CRUD and `repos`.
    pub tables: Arc<TableRegistry>,
    /// The keys of encrypted columns, derived from the secret (and the previous ones).
    pub crypto: Arc<ColumnCrypto>,
    /// Compared against when a login names an unknown email, to keep timing uniform.
    pub dummy_hash: String,
    /// Serialises changes to route and hook definitions so that a conflict check and the
    /// write it guards cannot interleave with another change.
    pub definitions: Mutex<()>,
}

impl AppState {
    pub async fn start(settings: Settings) -> anyhow::Result<Self> {
        private_data_dir(&settings.data_dir)?;
        let db = store::connect(&settings.effective_database_url()).await?;
        private_database_files(&settings.data_dir)?;
        let secret = load_or_create_secret(&settings)?;
        ensure_root_admin(&db, &settings).await?;
        let tokens = Arc::new(TokenService::from_settings(&secret, &settings));
        let backends = Backends::from_settings(&settings)?;
        let tables: Arc<TableRegistry> = Arc::new(ArcSwap::from_pointee(HashMap::new()));
        let crypto = Arc::new(ColumnCrypto::new(&secret, settings.previous_secrets()));
        let identities = Arc::new(IdentityCache::new(Duration::from_secs(
            settings.identity_cache_ttl_secs,
        )));
        let events = Arc::new(EventBus::from_settings(&settings)?);
        let capabilities = Capabilities {
            helpers: Arc::new(HelpersCtx::new(
                tokens.clone(),
                settings.bcrypt_cost,
                settings.max_bcrypt_cost,
            )),
            cache: backends.cache.clone(),
            limits: backends.limits.clone(),
            repos: Arc::new(ReposCtx {
                db: db.clone(),
                tables: tables.clone(),
                limits: crate::schema::reach::QueryLimits::from_settings(&settings),
                max_bcrypt_cost: settings.max_bcrypt_cost,
                crypto: crypto.clone(),
                identities: identities.clone(),
                events: events.clone(),
            }),
        };
        let runtime = HookRuntime::new(
            RuntimeLimits {
                memory_bytes: settings.hook_memory_bytes,
                max_instances: settings.max_instances,
                large_warm_slots: settings.large_warm_slots,
                max_large_instances: settings.effective_max_large_instances(),
                hook_timeout: Duration::from_millis(settings.hook_timeout_ms),
                max_guest_output_bytes: settings.max_guest_output_bytes,
                artifact_dir: settings.effective_artifact_dir(),
                compiler: settings.compiler_exe.clone(),
            },
            capabilities,
        )?;
        let dummy_hash = hash_password("not a password".into(), settings.bcrypt_cost)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let state = AppState(Arc::new(AppInner {
            tokens,
            identities,
            backends,
            events,
            tables,
            crypto,
            access: Access::new(
                ClientIpResolver::new(
                    crate::access::client_ip::parse_list(&settings.trusted_proxies)
                        .map_err(|e| anyhow::anyhow!("invalid setting: trusted_proxies: {e}"))?,
                )
                .reading(settings.forwarded_header)
                .keying_ipv6_by(settings.ipv6_limit_prefix),
            ),
            settings,
            db,
            runtime,
            plugins: PluginRegistry::default(),
            routes: ArcSwap::from_pointee(RouteTable::default()),
            dummy_hash,
            definitions: Mutex::new(()),
        }));
        state.loaded_at(crate::events::definitions_version(&state.db).await?);
        state.load_plugins().await?;
        state.load_tables().await?;
        state.access.reload_guards(&state.db).await?;
        state.access.reload_permissions(&state.db).await?;
        let table = state
            .load_route_table()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        state.routes.store(Arc::new(table));
        Ok(state)
    }

    /// Makes the registry match the database: every plugin's active version loaded (from the
    /// artifact cache when possible; one loaded already is kept), deleted plugins gone.
    pub(crate) async fn load_plugins(&self) -> anyhow::Result<()> {
        let plugins = plugin::Entity::find().all(&self.db).await?;
        for name in self.plugins.names() {
            if !plugins.iter().any(|p| *p.name == *name) {
                self.plugins.remove(&name);
            }
        }
        for p in plugins {
            if let Err(e) = self.load_active_version(&p).await {
                tracing::error!(plugin = %p.name, error = %e, "could not load plugin");
            }
        }
        Ok(())
    }

    /// Loads plugin `p`'s active version unless the registry has it already: the same version
    /// of the same binary with the same reuse setting (a plugin deleted and uploaded again
    /// restarts at version 1, so the number alone is not enough). The binary is read from the
    /// database only when it must be loaded.
    async fn load_active_version(&self, p: &plugin::Model) -> anyhow::Result<()> {
        let digest: Option<(i32, String)> = plugin_version::Entity::find()
            .filter_by_plugin_version(p.id, p.active_version)
            .select_only()
            .column(plugin_version::Column::Version)
            .column(plugin_version::Column::Sha256)
            .into_tuple()
            .one(&self.db)
            .await?;
        let Some((version, sha256)) = digest else {
            anyhow::bail!(
                "plugin {}: active version {} missing",
                p.name,
                p.active_version
            );
        };
        if self.plugins.get(&p.name).is_some_and(|loaded| {
            loaded.version == version && loaded.sha256 == sha256 && loaded.reuse == reuse_of(p)
        }) {
            return Ok(());
        }
        let binary: Vec<u8> = plugin_version::Entity::find()
            .filter_by_plugin_version(p.id, p.active_version)
            .select_only()
            .column(plugin_version::Column::Binary)
            .into_tuple()
            .one(&self.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("plugin {}: active version missing", p.name))?;
        let runtime = &self.runtime;
        let mut loaded =
            tokio::task::block_in_place(|| runtime.prepare(&p.name, version, &sha256, &binary))?;
        loaded.reuse = reuse_of(p);
        self.plugins.activate(loaded);
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

    /// Rebuilds the route table from the database, swaps it in for the next request and has
    /// the other nodes do the same.
    pub async fn reload_routes(&self) -> Result<(), HttpError> {
        self.definitions_changed_with(&Change::Routes, async {
            let table = self.load_route_table().await?;
            self.routes.store(Arc::new(table));
            Ok(())
        })
        .await
    }

    /// Reads every user table definition into memory.
    pub async fn load_tables(&self) -> Result<(), sea_orm::DbErr> {
        let tables = crate::schema::all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.name.clone(), Arc::new(t)))
            .collect();
        self.tables.store(Arc::new(tables));
        Ok(())
    }

    /// Makes this node's registry match the database for plugin `name`: its active version
    /// loaded (from the artifact cache when possible), or gone when the plugin was deleted.
    pub async fn reload_plugin(&self, name: &str) -> anyhow::Result<()> {
        let Some(p) = plugin::Entity::find()
            .filter(plugin::Column::Name.eq(name))
            .one(&self.db)
            .await?
        else {
            self.plugins.remove(name);
            return Ok(());
        };
        self.load_active_version(&p).await
    }
}

/// A plugin row's reuse setting as the runtime takes it (the column is checked on write).
pub(crate) fn reuse_of(p: &plugin::Model) -> u32 {
    u32::try_from(p.instance_reuse).unwrap_or(0)
}

pub fn route_row(r: &route::Model, default_timeout_ms: u64) -> RouteRow {
    RouteRow {
        id: r.id,
        path: r.path.clone(),
        methods: r.methods.0.clone(),
        published: r.published_methods.0.clone(),
        handler_plugin: r.handler_plugin.clone(),
        table: r.table_name.clone(),
        target_tables: names_of(r.target_tables.as_deref()),
        handler_config: parse_json_text(&r.handler_config),
        timeout: Duration::from_millis(
            r.timeout_ms.map(|t| t as u64).unwrap_or(default_timeout_ms),
        ),
    }
}

pub fn hook_row(h: &hook::Model) -> HookRow {
    HookRow {
        id: h.id,
        pre: h.phase == HookPhase::Pre,
        route_id: h.route_id,
        methods: h.methods.0.clone(),
        plugin: h.plugin.clone(),
        priority: h.priority,
        enabled: h.enabled,
        config: parse_json_text(&h.config),
        tables: names_of(h.tables.as_deref()),
    }
}

/// A JSON array of names from a nullable text column.
fn names_of(text: Option<&str>) -> Vec<String> {
    text.map(parse_json_text)
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
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
