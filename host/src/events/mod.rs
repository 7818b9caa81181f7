//! Change events: what one node changed that every node must apply — routes and hooks,
//! plugins, permissions, guards, a user's identity. A change is applied on the node that made
//! it at once, and with Redis (`HOOKLINE_REDIS_URL`) published on `<node>:events`, where every
//! other node of the application applies it too (well within a second). Definition changes
//! are also numbered in the database ([`version`]), so a node that missed a message, or runs
//! without Redis beside others on one database, converges at its next check.

mod version;

pub use version::current as definitions_version;

use std::time::Duration;

use futures::StreamExt;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::config::Settings;

/// One change, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Change {
    /// Routes or hooks changed: rebuild the route table.
    Routes,
    /// A plugin was uploaded, activated at another version, or deleted.
    Plugin { name: String },
    /// Route permissions (or the roles they name) changed.
    Permissions,
    /// Guards changed.
    Guards,
    /// User table definitions changed (and with them, routes).
    Tables,
    /// A user's identity changed (role, flags, password, sessions): drop it from the cache.
    User { id: i64 },
    /// A login's session family was revoked (logout, refresh-token reuse).
    SessionFamily { id: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The publishing node's instance id, so a node skips its own messages.
    origin: String,
    change: Change,
    /// The definitions version this change raised (absent for identity changes).
    #[serde(default)]
    version: Option<i64>,
}

struct RedisBus {
    client: redis::Client,
    publisher: ConnectionManager,
    channel: String,
}

/// Publishes changes to the other nodes.
pub struct EventBus {
    origin: String,
    redis: Option<RedisBus>,
    /// The definitions version this node's tables reflect.
    seen: version::Seen,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("origin", &self.origin)
            .field("redis", &self.redis.as_ref().map(|r| &r.channel))
            .field("seen", &self.seen)
            .finish()
    }
}

impl EventBus {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let origin = uuid::Uuid::new_v4().to_string();
        let Some(url) = &settings.redis_url else {
            return Ok(Self {
                origin,
                redis: None,
                seen: version::Seen::default(),
            });
        };
        let client = redis::Client::open(url.as_str())
            .map_err(|e| anyhow::anyhow!("invalid setting: redis_url: {e}"))?;
        let timeout = Duration::from_millis(settings.cache_timeout_ms);
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout));
        let publisher = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| anyhow::anyhow!("connecting to Redis: {e}"))?;
        Ok(Self {
            origin,
            redis: Some(RedisBus {
                client,
                publisher,
                channel: format!("{}:events", settings.node_name),
            }),
            seen: version::Seen::default(),
        })
    }

    /// Sends an identity change to the other nodes; a failure is logged (their cached copies
    /// expire within the identity cache's TTL). Definition changes go through
    /// [`AppState::definitions_changed`].
    pub async fn broadcast(&self, change: &Change) {
        self.publish(change, None).await;
    }

    async fn publish(&self, change: &Change, version: Option<i64>) {
        let Some(bus) = &self.redis else {
            return;
        };
        let envelope = Envelope {
            origin: self.origin.clone(),
            change: change.clone(),
            version,
        };
        let Ok(message) = serde_json::to_string(&envelope) else {
            return;
        };
        let mut connection = bus.publisher.clone();
        let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(&bus.channel)
            .arg(message)
            .query_async(&mut connection)
            .await;
        if let Err(e) = sent {
            tracing::warn!(?change, error = %e, "could not publish a change to the other nodes");
        }
    }
}

impl AppState {
    /// Applies `change` to this node's in-memory tables.
    pub async fn apply(&self, change: &Change) -> anyhow::Result<()> {
        match change {
            Change::Routes => {
                let table = self
                    .load_route_table()
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                self.routes.store(std::sync::Arc::new(table));
            }
            Change::Plugin { name } => self.reload_plugin(name).await?,
            Change::Permissions => self.access.reload_permissions(&self.db).await?,
            Change::Guards => self.access.reload_guards(&self.db).await?,
            Change::Tables => {
                self.load_tables().await?;
                Box::pin(self.apply(&Change::Routes)).await?;
                Box::pin(self.apply(&Change::Permissions)).await?;
                Box::pin(self.apply(&Change::Guards)).await?;
            }
            Change::User { id } => self.identities.forget_user(*id),
            Change::SessionFamily { id } => self.identities.family_was_revoked(id),
        }
        Ok(())
    }

    /// Applies permission changes here and on the other nodes.
    pub async fn permissions_changed(&self) -> Result<(), crate::error::HttpError> {
        self.definitions_changed(&Change::Permissions).await
    }

    /// Applies guard changes here and on the other nodes.
    pub async fn guards_changed(&self) -> Result<(), crate::error::HttpError> {
        self.definitions_changed(&Change::Guards).await
    }

    /// Reloads every definition: plugins (unchanged versions kept as loaded), tables, routes,
    /// permissions and guards.
    async fn reload_definitions(&self) -> anyhow::Result<()> {
        self.load_plugins().await?;
        self.load_tables().await?;
        self.apply(&Change::Routes).await?;
        self.apply(&Change::Permissions).await?;
        self.apply(&Change::Guards).await?;
        Ok(())
    }

    /// Listens for other nodes' changes until the server stops; `None` without Redis.
    pub fn spawn_event_listener(&self) -> Option<tokio::task::JoinHandle<()>> {
        let bus = self.events.redis.as_ref()?;
        let (client, channel) = (bus.client.clone(), bus.channel.clone());
        let state = self.clone();
        Some(tokio::spawn(async move {
            let mut first = true;
            loop {
                match listen(&state, &client, &channel, first).await {
                    Ok(()) => tracing::warn!("change subscription ended; reconnecting"),
                    Err(e) => tracing::warn!(error = %e, "change subscription failed; retrying"),
                }
                first = false;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }))
    }
}

/// One subscription: subscribe, catch up (definitions changed since they were loaded; after a
/// lost subscription, identities too), then apply messages until the connection ends.
async fn listen(
    state: &AppState,
    client: &redis::Client,
    channel: &str,
    first: bool,
) -> anyhow::Result<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    if !first {
        state.identities.forget_all();
    }
    state.converge().await?;
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        let envelope: Envelope = match message
            .get_payload::<String>()
            .map_err(anyhow::Error::from)
            .and_then(|text| serde_json::from_str(&text).map_err(anyhow::Error::from))
        {
            Ok(envelope) => envelope,
            Err(e) => {
                tracing::warn!(error = %e, "ignoring a malformed change message");
                continue;
            }
        };
        if envelope.origin == state.events.origin {
            continue;
        }
        match envelope.version {
            Some(version) => state.apply_published(&envelope.change, version).await,
            None => {
                if let Err(e) = state.apply(&envelope.change).await {
                    tracing::error!(change = ?envelope.change, error = %e, "could not apply a change");
                }
            }
        }
    }
    Ok(())
}
