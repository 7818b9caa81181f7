//! Server settings: defaults, an optional TOML file, `HOOKLINE_*` environment variables and
//! command-line flags, merged in that order (later wins). Owns validation of every limit; it
//! never reads secrets from anywhere but these sources.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Default request body cap: large enough for JSON APIs, small enough to bound memory per request.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Default plugin upload cap: a JavaScript component is about 10 MB, a Python one 20-40 MB.
pub const DEFAULT_MAX_PLUGIN_BYTES: usize = 64 * 1024 * 1024;
/// Default linear-memory cap of one hook instance. Rust hooks need a few MiB; interpreted
/// guests (Python) need far more, so the default leaves room for them.
pub const DEFAULT_HOOK_MEMORY_BYTES: usize = 128 * 1024 * 1024;
/// Default wall-clock budget of one hook call; the request deadline can only shorten it.
pub const DEFAULT_HOOK_TIMEOUT_MS: u64 = 10_000;
/// Default request deadline when a route sets none (spec §1).
pub const DEFAULT_ROUTE_TIMEOUT_MS: u64 = 30_000;
/// Default number of hook instances alive at once (pool slots); more calls queue.
pub const DEFAULT_MAX_INSTANCES: u32 = 256;
/// Default number of unused large-guest slots (JavaScript, Python) preferred for the next
/// instance over slots never used.
pub const DEFAULT_LARGE_WARM_SLOTS: u32 = 2;
/// Default number of log lines one request may collect; later lines are dropped.
pub const DEFAULT_MAX_LOG_ENTRIES: usize = 100;
/// Default bytes of guest stdout/stderr kept per hook call; the rest is dropped.
pub const DEFAULT_MAX_GUEST_OUTPUT_BYTES: usize = 16 * 1024;
/// Default bcrypt cost: 10 is ~72 ms per hash on this machine kind (runtime-notes.md).
pub const DEFAULT_BCRYPT_COST: u32 = 10;
/// Default lifetime of an access token issued by `/auth/login`.
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 3600;
/// Default lifetime of a refresh token: a month of not signing in before the password is
/// needed again. Each refresh issues a new one with a fresh lifetime.
pub const DEFAULT_REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;
/// Default `iss` of the tokens this server signs and accepts: the product's name.
pub const DEFAULT_JWT_ISSUER: &str = "hookline";
/// Default `aud` of the tokens this server signs and accepts: the API this server serves.
pub const DEFAULT_JWT_AUDIENCE: &str = "hookline";
/// Default login attempts one client IP may make per window: enough for a household or an
/// office behind one address, far too few to guess passwords.
pub const DEFAULT_LOGIN_LIMIT_PER_IP: u32 = 10;
/// Default login attempts per account (email) per window, from any IP: slows a distributed
/// guess of one account's password to a crawl.
pub const DEFAULT_LOGIN_LIMIT_PER_ACCOUNT: u32 = 5;
/// Default window of both login limits, seconds.
pub const DEFAULT_LOGIN_LIMIT_WINDOW_SECS: u32 = 60;
/// Default time a node trusts its in-process copy of a user (role, disabled flag, token
/// cut-off) and of a session family's state; also the longest another node may act on a
/// stale copy after a change it was not told about.
pub const DEFAULT_IDENTITY_CACHE_TTL_SECS: u64 = 10;
pub const DEFAULT_DEFINITIONS_CHECK_SECS: u64 = 5;
/// Default cap on the rows one list returns.
pub const DEFAULT_MAX_QUERY_LIMIT: u64 = 1000;
/// Default cap on the rows one query materialises, its own and the related rows attached to
/// them (copies included): ten full pages, a few MB of JSON at most.
pub const DEFAULT_MAX_QUERY_ROWS: u64 = 10_000;
/// Default cap on the values (objects, arrays, strings, numbers, ...) of one parsed JSON
/// request body: a parsed value takes 32 to 100 bytes beside its text, so a 10 MiB body of
/// tiny values would otherwise become a few hundred MB in memory.
pub const DEFAULT_MAX_JSON_VALUES: usize = 250_000;
/// Default highest bcrypt cost a hash may carry to be compared or stored: each step doubles
/// the work (cost 14 is ~1.2 s on this machine kind); a hash of cost 31 would pin a thread
/// for days.
pub const DEFAULT_MAX_BCRYPT_COST: u32 = 14;
/// Default time in-flight requests get to finish after SIGTERM or SIGINT.
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;
/// Default absolute lifetime of a login's refresh tokens, from the login: rotation keeps a
/// session alive at most this long, then the password is needed again.
pub const DEFAULT_SESSION_MAX_LIFETIME_SECS: u64 = 90 * 24 * 3600;
/// Default prefix length IPv6 clients are keyed by in per-IP limits: one subscriber usually
/// holds a whole /64, so keying on the full address would let them rotate past a limit.
pub const DEFAULT_IPV6_LIMIT_PREFIX: u8 = 64;
/// Default namespace of this application's keys in the cache backend.
pub const DEFAULT_NODE_NAME: &str = "hookline";
/// Default soft quota of the user cache, MiB (the reference's `REDIS_USER_CACHE_LIMIT_MB`).
pub const DEFAULT_USER_CACHE_LIMIT_MB: u64 = 30;
/// Default time one cache or rate-limit operation may take before it counts as failed.
pub const DEFAULT_CACHE_TIMEOUT_MS: u64 = 1_000;

/// What a rate-limit check answers when its backend cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RateLimitFailurePolicy {
    /// Allow the request (logged and counted): an outage of the limiter is not an outage of
    /// the service.
    #[default]
    FailOpen,
    /// Refuse the request: guards answer 503, a plugin's check gets `RATE_LIMIT_UNAVAILABLE`.
    FailClosed,
}

/// Every setting of the server. Each field is `HOOKLINE_<FIELD>` in the environment and
/// `<field>` in the TOML file. Its `Debug` form leaves the secrets out.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on (`HOOKLINE_HOST`, default 127.0.0.1).
    pub host: IpAddr,
    /// Port to listen on (`HOOKLINE_PORT`, default 8080; 0 picks a free port).
    pub port: u16,
    /// Directory for the SQLite database, the dev secret and compiled artifacts (`./data`).
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default: `hookline.db` in the data directory.
    pub database_url: Option<String>,
    /// Where compiled components are cached; default: `artifacts` in the data directory.
    /// Several servers on one machine may share it: entries are keyed by binary digest and
    /// engine fingerprint and written atomically.
    pub artifact_dir: Option<PathBuf>,
    /// Secret for signing JWTs. Without it a development secret is generated once and stored
    /// in the data directory with mode 0600.
    pub secret_key: Option<String>,
    /// Root admin created on first start when no root admin exists.
    pub admin_email: Option<String>,
    /// Password of that root admin.
    pub admin_password: Option<String>,
    /// bcrypt cost for stored passwords (4..=31).
    pub bcrypt_cost: u32,
    /// Lifetime of access tokens, seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of refresh tokens, seconds (default 30 days).
    pub refresh_token_ttl_secs: u64,
    /// `iss` of the tokens this server signs, and the only one it accepts (`hookline`).
    pub jwt_issuer: String,
    /// `aud` of the tokens this server signs, and the only one it accepts (`hookline`).
    pub jwt_audience: String,
    /// Comma-separated former signing secrets: tokens signed with them are still accepted
    /// (until they expire), nothing new is signed with them. Empty by default.
    pub previous_secret_keys: String,
    /// Login attempts per client IP per window (default 10).
    pub login_limit_per_ip: u32,
    /// Login attempts per account per window, from any IP (default 5).
    pub login_limit_per_account: u32,
    /// Window of the login limits, seconds (default 60).
    pub login_limit_window_secs: u32,
    /// How long a node trusts its cached copy of a user and of a session's state, seconds
    /// (default 10); changes made on this node take effect at once.
    pub identity_cache_ttl_secs: u64,
    /// How often a node compares its definitions (routes, hooks, plugins, permissions, guards,
    /// tables) with the database's version and reloads them when they differ, seconds
    /// (default 5): the bound on staleness when a change broadcast is missed.
    pub definitions_check_secs: u64,
    /// Largest request body the pipeline accepts (413 above it).
    pub max_body_bytes: usize,
    /// Largest plugin binary `POST /admin/plugins` accepts (413 above it).
    pub max_plugin_bytes: usize,
    /// Linear-memory cap of one hook instance.
    pub hook_memory_bytes: usize,
    /// Wall-clock budget of one hook call, milliseconds.
    pub hook_timeout_ms: u64,
    /// Request deadline for routes that set none, milliseconds.
    pub route_timeout_ms: u64,
    /// Hook instances alive at once (pooling allocator slots).
    pub max_instances: u32,
    /// Unused slots of the large-guest engine (JavaScript, Python) that a new instance takes
    /// before a slot never used, at most `max_instances`. Every slot used once keeps its memory
    /// resident (up to 32 MiB), so the slots resident are the peak of large instances at
    /// once plus this.
    pub large_warm_slots: u32,
    /// Fresh JavaScript/Python (large-guest) instances alive at once; more wait for one to
    /// finish, within the hook's time budget. Every pool slot such an instance used keeps its
    /// interpreter's touched pages resident, so this bounds that memory. Default: the number
    /// of cores, at least 2 (the interpreters compute; a hook waiting on the database holds
    /// its permit, so raise it for hooks that mostly wait).
    pub max_large_instances: Option<u32>,
    /// Log lines one request may collect.
    pub max_log_entries: usize,
    /// Bytes of guest stdout/stderr kept per hook call.
    pub max_guest_output_bytes: usize,
    /// Namespace of this application's keys in the cache backend (`<node_name>:user_cache:*`);
    /// nodes of one application share it. Letters, digits, `-`, `_` and `.`.
    pub node_name: String,
    /// `redis://[:password@]host:port[/db]` (standalone Redis): cache, locks and rate limits on Redis, shared by every node.
    /// Unset: in-process (one node).
    pub redis_url: Option<String>,
    /// Soft quota of the user cache, MiB; least-recently-used user keys are evicted above it.
    pub user_cache_limit_mb: u64,
    /// Longest one cache or rate-limit operation may take, milliseconds; then it has failed.
    pub cache_timeout_ms: u64,
    /// `fail-open` (default) or `fail-closed`: what rate limits do while the backend is down.
    pub rate_limit_failure_policy: RateLimitFailurePolicy,
    /// Most rows one list (default CRUD, `repos.find`) returns; `limit=0` means this many.
    pub max_query_limit: u64,
    /// Most rows one query materialises, counting the related rows its relation paths attach
    /// (default 10000); past it the query is refused (400 `QUERY_TOO_LARGE`).
    pub max_query_rows: u64,
    /// Most values one JSON request body may hold once parsed (default 250000); past it 413.
    pub max_json_values: usize,
    /// Highest bcrypt cost a hash may carry to be compared (`bcrypt-compare`) or stored as a
    /// password (default 14, at least `bcrypt_cost`).
    pub max_bcrypt_cost: u32,
    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT (default 30).
    pub shutdown_timeout_secs: u64,
    /// Absolute lifetime of a login's refresh tokens from the login, seconds (default 90
    /// days): refreshing never extends a session past it.
    pub session_max_lifetime_secs: u64,
    /// The forwarding header trusted proxies write and the server reads: `x-forwarded-for`
    /// (default) or `forwarded`; the other is ignored.
    pub forwarded_header: crate::access::client_ip::ForwardedHeader,
    /// Prefix length that IPv6 clients are keyed by in per-IP login limits and guards
    /// (default 64; 128 keys the full address).
    pub ipv6_limit_prefix: u8,
    /// Comma-separated addresses and CIDRs of reverse proxies whose `X-Forwarded-For` /
    /// `Forwarded` headers are believed; empty (default): the socket peer is the client.
    pub trusted_proxies: String,
    /// The server's own binary, which compiles uploaded components in a child process so
    /// that the compiler's memory goes back to the system when it exits. Set by the
    /// `hookline` binary to itself; not a setting of the file or the environment. `None`
    /// (a server embedded in another program, such as the tests) compiles in process.
    #[serde(skip)]
    pub compiler_exe: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            artifact_dir: None,
            secret_key: None,
            admin_email: None,
            admin_password: None,
            bcrypt_cost: DEFAULT_BCRYPT_COST,
            access_token_ttl_secs: DEFAULT_ACCESS_TOKEN_TTL_SECS,
            refresh_token_ttl_secs: DEFAULT_REFRESH_TOKEN_TTL_SECS,
            jwt_issuer: DEFAULT_JWT_ISSUER.to_owned(),
            jwt_audience: DEFAULT_JWT_AUDIENCE.to_owned(),
            previous_secret_keys: String::new(),
            login_limit_per_ip: DEFAULT_LOGIN_LIMIT_PER_IP,
            login_limit_per_account: DEFAULT_LOGIN_LIMIT_PER_ACCOUNT,
            login_limit_window_secs: DEFAULT_LOGIN_LIMIT_WINDOW_SECS,
            identity_cache_ttl_secs: DEFAULT_IDENTITY_CACHE_TTL_SECS,
            definitions_check_secs: DEFAULT_DEFINITIONS_CHECK_SECS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_plugin_bytes: DEFAULT_MAX_PLUGIN_BYTES,
            hook_memory_bytes: DEFAULT_HOOK_MEMORY_BYTES,
            hook_timeout_ms: DEFAULT_HOOK_TIMEOUT_MS,
            route_timeout_ms: DEFAULT_ROUTE_TIMEOUT_MS,
            max_instances: DEFAULT_MAX_INSTANCES,
            large_warm_slots: DEFAULT_LARGE_WARM_SLOTS,
            max_large_instances: None,
            max_log_entries: DEFAULT_MAX_LOG_ENTRIES,
            max_guest_output_bytes: DEFAULT_MAX_GUEST_OUTPUT_BYTES,
            node_name: DEFAULT_NODE_NAME.to_owned(),
            redis_url: None,
            user_cache_limit_mb: DEFAULT_USER_CACHE_LIMIT_MB,
            cache_timeout_ms: DEFAULT_CACHE_TIMEOUT_MS,
            rate_limit_failure_policy: RateLimitFailurePolicy::FailOpen,
            trusted_proxies: String::new(),
            compiler_exe: None,
            max_query_limit: DEFAULT_MAX_QUERY_LIMIT,
            max_query_rows: DEFAULT_MAX_QUERY_ROWS,
            max_json_values: DEFAULT_MAX_JSON_VALUES,
            max_bcrypt_cost: DEFAULT_MAX_BCRYPT_COST,
            shutdown_timeout_secs: DEFAULT_SHUTDOWN_TIMEOUT_SECS,
            session_max_lifetime_secs: DEFAULT_SESSION_MAX_LIFETIME_SECS,
            ipv6_limit_prefix: DEFAULT_IPV6_LIMIT_PREFIX,
            forwarded_header: Default::default(),
        }
    }
}

impl std::fmt::Debug for Settings {
    /// Every setting but the secrets: the signing keys, the admin password and the Redis and
    /// database URLs (which may carry passwords) show only whether they are set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = serde_json::to_value(self).unwrap_or_default();
        if let Some(fields) = shown.as_object_mut() {
            for secret in [
                "secret_key",
                "previous_secret_keys",
                "admin_password",
                "redis_url",
                "database_url",
            ] {
                if let Some(value) = fields.get_mut(secret) {
                    let set = !(value.is_null() || value.as_str() == Some(""));
                    *value = if set {
                        "<redacted>".into()
                    } else {
                        "<unset>".into()
                    };
                }
            }
        }
        write!(f, "Settings {shown}")
    }
}

/// A setting that cannot be used; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Merges defaults, the TOML file (if given), the environment and `overrides`.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(SettingsError(format!(
                    "config file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment
            .merge(Env::prefixed("HOOKLINE_").ignore(&["CONFIG", "REQUIRE_BACKENDS", "TEST_DB"]))
            .merge(Serialized::defaults(overrides));
        let settings: Settings = figment
            .extract()
            .map_err(|e| SettingsError(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the ranges that serde's types cannot express.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let fail = |msg: &str| Err(SettingsError(msg.to_owned()));
        if !(4..=31).contains(&self.bcrypt_cost) {
            return fail("bcrypt_cost must be between 4 and 31");
        }
        if self.hook_memory_bytes < 1024 * 1024 {
            return fail("hook_memory_bytes must be at least 1 MiB");
        }
        if self.hook_timeout_ms == 0 || self.route_timeout_ms == 0 {
            return fail("hook_timeout_ms and route_timeout_ms must be positive");
        }
        if self.max_instances == 0 {
            return fail("max_instances must be positive");
        }
        if self.large_warm_slots > self.max_instances {
            return fail("large_warm_slots must be at most max_instances");
        }
        if let Some(n) = self.max_large_instances
            && (n == 0 || n > self.max_instances)
        {
            return fail("max_large_instances must be between 1 and max_instances");
        }
        if self.max_body_bytes == 0 || self.max_plugin_bytes == 0 {
            return fail("max_body_bytes and max_plugin_bytes must be positive");
        }
        if self.access_token_ttl_secs == 0 {
            return fail("access_token_ttl_secs must be positive");
        }
        if let Some(key) = &self.secret_key
            && key.len() < 32
        {
            return fail("secret_key must be at least 32 characters");
        }
        if self.previous_secrets().any(|key| key.len() < 32) {
            return fail("each of previous_secret_keys must be at least 32 characters");
        }
        if self.refresh_token_ttl_secs == 0 {
            return fail("refresh_token_ttl_secs must be positive");
        }
        if self.jwt_issuer.is_empty() || self.jwt_audience.is_empty() {
            return fail("jwt_issuer and jwt_audience must not be empty");
        }
        for max_requests in [self.login_limit_per_ip, self.login_limit_per_account] {
            let limit = crate::cache::Limit {
                max_requests,
                per_seconds: self.login_limit_window_secs,
            };
            if let Err(e) = limit.validate() {
                return Err(SettingsError(format!("login limits: {e}")));
            }
        }
        if !(1..=3600).contains(&self.identity_cache_ttl_secs) {
            return fail("identity_cache_ttl_secs must be between 1 and 3600");
        }
        if !(1..=3600).contains(&self.definitions_check_secs) {
            return fail("definitions_check_secs must be between 1 and 3600");
        }
        if self.admin_email.is_some() != self.admin_password.is_some() {
            return fail("admin_email and admin_password must be set together");
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:") || url.starts_with("postgres"))
        {
            return fail("database_url must start with sqlite: or postgres://");
        }
        let node_name_ok = !self.node_name.is_empty()
            && self.node_name.len() <= 64
            && self
                .node_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !node_name_ok {
            return fail("node_name must be 1 to 64 letters, digits, '-', '_' or '.'");
        }
        if let Some(url) = &self.redis_url
            && !url.starts_with("redis://")
        {
            // TLS (`rediss://`) is not built in: say so at startup rather than on a request.
            return fail("redis_url must start with redis:// (TLS is not supported)");
        }
        if self.user_cache_limit_mb == 0 || self.user_cache_limit_mb > 1024 * 1024 {
            return fail("user_cache_limit_mb must be between 1 and 1048576");
        }
        if self.max_query_limit == 0 {
            return fail("max_query_limit must be positive");
        }
        if self.max_query_rows < self.max_query_limit {
            return fail("max_query_rows must be at least max_query_limit");
        }
        if self.max_json_values == 0 {
            return fail("max_json_values must be positive");
        }
        if !(self.bcrypt_cost..=31).contains(&self.max_bcrypt_cost) {
            return fail("max_bcrypt_cost must be between bcrypt_cost and 31");
        }
        if self.session_max_lifetime_secs == 0 {
            return fail("session_max_lifetime_secs must be positive");
        }
        if !(1..=128).contains(&self.ipv6_limit_prefix) {
            return fail("ipv6_limit_prefix must be between 1 and 128");
        }
        if self.cache_timeout_ms == 0 {
            return fail("cache_timeout_ms must be positive");
        }
        if let Err(e) = crate::access::client_ip::parse_list(&self.trusted_proxies) {
            return Err(SettingsError(format!("trusted_proxies: {e}")));
        }
        Ok(())
    }

    /// The former signing secrets, verification only.
    pub fn previous_secrets(&self) -> impl Iterator<Item = &str> {
        self.previous_secret_keys
            .split(',')
            .map(str::trim)
            .filter(|key| !key.is_empty())
    }

    /// The cap on fresh large-guest instances in force: the configured one, or the number of
    /// cores (at least 2), within `max_instances`.
    pub fn effective_max_large_instances(&self) -> u32 {
        self.max_large_instances.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            u32::try_from(cores)
                .unwrap_or(u32::MAX)
                .max(2)
                .min(self.max_instances)
        })
    }

    /// The artifact cache directory in force.
    pub fn effective_artifact_dir(&self) -> PathBuf {
        self.artifact_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("artifacts"))
    }

    /// The database URL in force: the configured one or the SQLite file in the data directory.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("hookline.db").display()
            ),
        }
    }
}

/// Command-line flags that override the file and the environment; unset flags change nothing.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::Settings;

    #[test]
    fn debug_output_shows_settings_but_never_secrets() {
        let settings = Settings {
            secret_key: Some("a-signing-secret-that-must-not-leak-0123".into()),
            previous_secret_keys: "an-old-secret-that-must-not-leak-either-4567".into(),
            admin_password: Some("hunter2-admin-password".into()),
            redis_url: Some("redis://:redis-password@127.0.0.1:6379".into()),
            database_url: Some("postgres://app:db-password@127.0.0.1/app".into()),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        for secret in ["must-not-leak", "hunter2", "redis-password", "db-password"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("<redacted>") && shown.contains("max_query_limit"));
        assert!(format!("{:?}", Settings::default()).contains(r#""secret_key":"<unset>""#));
    }

    #[test]
    fn the_definitions_check_interval_is_refused_outside_one_second_to_an_hour() {
        for secs in [0, 3601] {
            let settings = Settings {
                definitions_check_secs: secs,
                ..Settings::default()
            };
            let refused = settings.validate().expect_err("out of range");
            assert!(
                refused.to_string().contains("definitions_check_secs"),
                "{secs}: {refused}"
            );
        }
        for secs in [1, 3600] {
            let settings = Settings {
                definitions_check_secs: secs,
                ..Settings::default()
            };
            settings.validate().expect("in range");
        }
    }

    #[test]
    fn the_large_instance_cap_is_refused_outside_one_to_max_instances() {
        for bad in [0, 5] {
            let settings = Settings {
                max_instances: 4,
                max_large_instances: Some(bad),
                ..Settings::default()
            };
            let refused = settings.validate().expect_err("out of range");
            assert!(
                refused.to_string().contains("max_large_instances"),
                "{refused}"
            );
        }
        let settings = Settings {
            max_instances: 4,
            max_large_instances: Some(4),
            ..Settings::default()
        };
        settings.validate().expect("within max_instances");
        assert_eq!(settings.effective_max_large_instances(), 4);
        let default = Settings {
            max_instances: 1,
            ..Settings::default()
        };
        assert_eq!(
            default.effective_max_large_instances(),
            1,
            "within max_instances"
        );
        assert!(Settings::default().effective_max_large_instances() >= 2);
    }

    #[test]
    fn more_warm_large_guest_slots_than_slots_are_refused() {
        let settings = Settings {
            max_instances: 4,
            large_warm_slots: 5,
            ..Settings::default()
        };
        let refused = settings.validate().expect_err("more warm slots than slots");
        assert!(
            refused.to_string().contains("large_warm_slots"),
            "{refused}"
        );
        for warm in [0, 4] {
            let settings = Settings {
                max_instances: 4,
                large_warm_slots: warm,
                ..Settings::default()
            };
            settings.validate().expect("within max_instances");
        }
    }
}
