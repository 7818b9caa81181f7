//! Guards: IP rules and rate limits checked before authentication (`pre_auth`) or after it
//! (`post_auth`), globally or on one route, for all methods or some, in `priority` order (then
//! id). Definitions are validated when written and compiled into a [`GuardTable`] that is
//! swapped in whole; a request never reads guards from the database.

use std::net::IpAddr;
use std::time::Instant;

use axum::http::{HeaderName, HeaderValue, Method};
use ipnet::IpNet;
use serde::Deserialize;
use serde_json::Value;

use super::client_ip::{ClientIpResolver, contains, parse_net};
use crate::cache::{Limit, LimitError, LimitKey, RateLimitService};
use crate::context::AuthUser;
use crate::error::HttpError;
use crate::store::entities::guard;
use crate::store::parse_json_text;

/// Where a guard runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Before the context is set up and the token read: the client IP and the route only.
    PreAuth,
    /// After authorization: the user is known.
    PostAuth,
}

impl Position {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "pre_auth" => Ok(Position::PreAuth),
            "post_auth" => Ok(Position::PostAuth),
            other => Err(format!(
                "position must be \"pre_auth\" or \"post_auth\", got {other:?}"
            )),
        }
    }
}

/// What a rate-limit guard counts by; the key templates of the reference, prefixed with the
/// guard's id so that every guard has windows of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Ip,
    Route,
    IpGlobal,
    User,
    UserGlobal,
    IpUser,
}

impl Scope {
    /// Scopes that need the user, hence only after authentication.
    fn needs_user(self) -> bool {
        matches!(self, Scope::User | Scope::UserGlobal | Scope::IpUser)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Only these networks pass.
    IpAllow(Vec<IpNet>),
    /// These networks are refused.
    IpDeny(Vec<IpNet>),
    RateLimit(Scope, Limit),
}

/// The JSON form of a rule, as the admin API takes it.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum RuleInput {
    IpAllow { ips: Vec<String> },
    IpDeny { ips: Vec<String> },
    RateLimitByIp(LimitInput),
    RateLimitByRoute(LimitInput),
    RateLimitByIpGlobal(LimitInput),
    RateLimitByUser(LimitInput),
    RateLimitByUserGlobal(LimitInput),
    RateLimitByIpUser(LimitInput),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitInput {
    max_requests: u32,
    per_seconds: u32,
}

const RULE_TYPES: &str = "ip_allow, ip_deny, rate_limit_by_ip, rate_limit_by_route, \
    rate_limit_by_ip_global, rate_limit_by_user, rate_limit_by_user_global, rate_limit_by_ip_user";

impl Rule {
    /// Parses and checks a rule for `position`; the message names what is wrong.
    pub fn parse(value: &Value, position: Position) -> Result<Rule, String> {
        let input: RuleInput = serde_json::from_value(value.clone())
            .map_err(|e| format!("invalid rule ({e}); types: {RULE_TYPES}"))?;
        let nets = |ips: Vec<String>| -> Result<Vec<IpNet>, String> {
            if ips.is_empty() {
                return Err("ips must list at least one address or CIDR".into());
            }
            ips.iter().map(|ip| parse_net(ip)).collect()
        };
        let rule = match input {
            RuleInput::IpAllow { ips } => Rule::IpAllow(nets(ips)?),
            RuleInput::IpDeny { ips } => Rule::IpDeny(nets(ips)?),
            RuleInput::RateLimitByIp(l) => Rule::RateLimit(Scope::Ip, l.limit()?),
            RuleInput::RateLimitByRoute(l) => Rule::RateLimit(Scope::Route, l.limit()?),
            RuleInput::RateLimitByIpGlobal(l) => Rule::RateLimit(Scope::IpGlobal, l.limit()?),
            RuleInput::RateLimitByUser(l) => Rule::RateLimit(Scope::User, l.limit()?),
            RuleInput::RateLimitByUserGlobal(l) => Rule::RateLimit(Scope::UserGlobal, l.limit()?),
            RuleInput::RateLimitByIpUser(l) => Rule::RateLimit(Scope::IpUser, l.limit()?),
        };
        if let Rule::RateLimit(scope, _) = rule
            && scope.needs_user()
            && position == Position::PreAuth
        {
            return Err(format!(
                "{} needs the user and can only run post_auth",
                value["type"].as_str().unwrap_or("this rule")
            ));
        }
        Ok(rule)
    }
}

impl LimitInput {
    fn limit(&self) -> Result<Limit, String> {
        let limit = Limit {
            max_requests: self.max_requests,
            per_seconds: self.per_seconds,
        };
        limit.validate().map_err(|e| e.to_string())?;
        Ok(limit)
    }
}

/// One guard, ready to check.
#[derive(Debug, Clone)]
pub struct CompiledGuard {
    pub id: i64,
    route_id: Option<i64>,
    methods: Vec<Method>,
    rule: Rule,
}

impl CompiledGuard {
    fn applies(&self, route_id: i64, method: &Method) -> bool {
        self.route_id.is_none_or(|id| id == route_id)
            && (self.methods.is_empty() || self.methods.contains(method))
    }
}

/// The enabled guards of each position, in the order they run.
#[derive(Debug, Default)]
pub struct GuardTable {
    pre_auth: Vec<CompiledGuard>,
    post_auth: Vec<CompiledGuard>,
    /// Says who a per-IP limit counts a client as (an IPv6 client by its network).
    clients: ClientIpResolver,
}

impl GuardTable {
    /// Compiles stored guards; a row that no longer parses is skipped with an error log (rows
    /// are validated when written, so only a hand-edited database has one).
    pub fn build(rows: &[guard::Model], clients: ClientIpResolver) -> Self {
        let mut rows: Vec<&guard::Model> = rows.iter().filter(|g| g.enabled).collect();
        rows.sort_by_key(|g| (g.priority, g.id));
        let mut table = GuardTable {
            clients,
            ..GuardTable::default()
        };
        for row in rows {
            let compiled = Position::parse(&row.position).and_then(|position| {
                let rule = Rule::parse(&parse_json_text(&row.rule), position)?;
                let methods = row.methods.0.clone();
                Ok((
                    position,
                    CompiledGuard {
                        id: row.id,
                        route_id: row.route_id,
                        methods,
                        rule,
                    },
                ))
            });
            match compiled {
                Ok((Position::PreAuth, guard)) => table.pre_auth.push(guard),
                Ok((Position::PostAuth, guard)) => table.post_auth.push(guard),
                Err(e) => tracing::error!(guard = row.id, error = %e, "skipping an invalid guard"),
            }
        }
        table
    }

    fn at(&self, position: Position) -> &[CompiledGuard] {
        match position {
            Position::PreAuth => &self.pre_auth,
            Position::PostAuth => &self.post_auth,
        }
    }
}

/// The request as the guards see it.
#[derive(Debug)]
pub struct Admission<'a> {
    pub route_id: i64,
    pub route_pattern: &'a str,
    pub method: &'a Method,
    pub client_ip: IpAddr,
    pub user: Option<&'a AuthUser>,
    pub deadline: Instant,
}

fn ip_blocked(ip: IpAddr) -> HttpError {
    HttpError::forbidden(format!("requests from {ip} are not allowed here")).with_code("IP_BLOCKED")
}

/// The rate-limit key of `scope` for this request, or `None` when it needs a user and there is
/// none (an anonymous request on a published method is not counted by a user rule).
fn key_of(
    guard: i64,
    scope: Scope,
    request: &Admission<'_>,
    clients: &ClientIpResolver,
) -> Option<LimitKey> {
    let (ip, route) = (
        clients.limit_subject(request.client_ip),
        request.route_pattern,
    );
    let user = request.user.map(|u| u.id);
    let key = match scope {
        Scope::Ip => format!("ip:{ip}:{route}"),
        Scope::Route => format!("route:{route}"),
        Scope::IpGlobal => format!("ip:{ip}"),
        Scope::User => format!("user:{}:{route}", user?),
        Scope::UserGlobal => format!("user:{}", user?),
        Scope::IpUser => format!("ip:{ip}:user:{}:{route}", user?),
    };
    Some(LimitKey::system(format_args!("guard:{guard}:{key}")))
}

/// Runs the guards of `position` that apply to this request, in order; the first refusal is
/// the answer.
pub async fn check(
    table: &GuardTable,
    position: Position,
    request: &Admission<'_>,
    limits: &RateLimitService,
) -> Result<(), HttpError> {
    for guard in table.at(position) {
        if !guard.applies(request.route_id, request.method) {
            continue;
        }
        match &guard.rule {
            Rule::IpAllow(nets) if !contains(nets, request.client_ip) => {
                return Err(ip_blocked(request.client_ip));
            }
            Rule::IpDeny(nets) if contains(nets, request.client_ip) => {
                return Err(ip_blocked(request.client_ip));
            }
            Rule::IpAllow(_) | Rule::IpDeny(_) => {}
            Rule::RateLimit(scope, limit) => {
                let Some(key) = key_of(guard.id, *scope, request, &table.clients) else {
                    continue;
                };
                let verdict = limits
                    .check(&key, *limit, request.deadline)
                    .await
                    .map_err(|e| match e {
                        LimitError::Unavailable(_) => {
                            HttpError::new(503, "RATE_LIMIT_UNAVAILABLE", e.to_string())
                        }
                        other => HttpError::internal(other),
                    })?;
                if !verdict.allowed {
                    return Err(rate_limited(&verdict));
                }
            }
        }
    }
    Ok(())
}

/// 429 `RATE_LIMITED` with `Retry-After` and the `X-RateLimit-*` headers.
pub fn rate_limited(verdict: &crate::cache::RateLimitVerdict) -> HttpError {
    let header =
        |name: &'static str, value: u64| (HeaderName::from_static(name), HeaderValue::from(value));
    let mut error = HttpError::new(
        429,
        "RATE_LIMITED",
        format!("too many requests; try again in {}s", verdict.retry_after),
    );
    error.headers.extend([
        header("retry-after", verdict.retry_after.into()),
        header("x-ratelimit-limit", verdict.limit.into()),
        header("x-ratelimit-remaining", verdict.remaining.into()),
        header("x-ratelimit-reset", verdict.reset_at),
    ]);
    error
}
