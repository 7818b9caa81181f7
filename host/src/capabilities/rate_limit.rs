//! `hookline:plugin/rate-limit`: sliding-window limits through
//! [`crate::cache::RateLimitService`], with the reference's key templates filled from what the
//! pipeline determined (matched route pattern, client IP, authenticated user).

use crate::cache::{Limit, LimitError, LimitKey, RateLimitVerdict};
use crate::runtime::HostState;
use crate::runtime::bindings::rate_limit::{self, Options, RateLimitError, RateLimitResult};

type Answer<T> = wasmtime::Result<Result<T, RateLimitError>>;

fn refused(e: &LimitError) -> RateLimitError {
    RateLimitError {
        code: e.code().to_owned(),
        message: e.to_string(),
    }
}

fn limit_of(options: Options) -> Limit {
    Limit {
        max_requests: options.max_requests,
        per_seconds: options.per_seconds,
    }
}

fn result_of(verdict: RateLimitVerdict) -> RateLimitResult {
    RateLimitResult {
        allowed: verdict.allowed,
        remaining: verdict.remaining,
        reset_at: verdict.reset_at,
        retry_after: verdict.retry_after,
        limit: verdict.limit,
        window: verdict.window,
    }
}

/// The rate-limit key templates of the reference.
enum Template {
    IpRoute,
    UserRoute,
    Route,
    Ip,
    User,
}

impl HostState {
    /// The key a template names for this request, or `NO_USER` for a user template without
    /// an authenticated user.
    fn template_key(&self, template: Template) -> Result<String, RateLimitError> {
        let request = &self.request;
        let user = || {
            request
                .user
                .as_ref()
                .map(|u| u.id)
                .ok_or_else(|| RateLimitError {
                    code: "NO_USER".into(),
                    message: "a by-user rate limit needs an authenticated user".into(),
                })
        };
        Ok(match template {
            Template::IpRoute => format!("ip:{}:{}", request.client_ip, request.route_pattern),
            Template::UserRoute => format!("user:{}:{}", user()?, request.route_pattern),
            Template::Route => format!("route:{}", request.route_pattern),
            Template::Ip => format!("ip:{}", request.client_ip),
            Template::User => format!("user:{}", user()?),
        })
    }

    async fn count(&mut self, key: &str, options: Options) -> Answer<RateLimitResult> {
        let key = match LimitKey::plugin(key) {
            Ok(key) => key,
            Err(e) => return Ok(Err(refused(&e))),
        };
        let service = self.capabilities.limits.clone();
        let verdict = service.check(&key, limit_of(options), self.deadline).await;
        Ok(verdict.map(result_of).map_err(|e| refused(&e)))
    }

    async fn count_template(
        &mut self,
        template: Template,
        options: Options,
    ) -> Answer<RateLimitResult> {
        match self.template_key(template) {
            Ok(key) => self.count(&key, options).await,
            Err(e) => Ok(Err(e)),
        }
    }
}

impl rate_limit::Host for HostState {
    async fn by_ip(&mut self, options: Options) -> Answer<RateLimitResult> {
        self.count_template(Template::IpRoute, options).await
    }

    async fn by_user(&mut self, options: Options) -> Answer<RateLimitResult> {
        self.count_template(Template::UserRoute, options).await
    }

    async fn by_route(&mut self, options: Options) -> Answer<RateLimitResult> {
        self.count_template(Template::Route, options).await
    }

    async fn by_ip_global(&mut self, options: Options) -> Answer<RateLimitResult> {
        self.count_template(Template::Ip, options).await
    }

    async fn by_user_global(&mut self, options: Options) -> Answer<RateLimitResult> {
        self.count_template(Template::User, options).await
    }

    async fn check(&mut self, key: String, options: Options) -> Answer<RateLimitResult> {
        self.count(&key, options).await
    }

    async fn reset(&mut self, key: String) -> Answer<()> {
        let key = match LimitKey::plugin(&key) {
            Ok(key) => key,
            Err(e) => return Ok(Err(refused(&e))),
        };
        let service = self.capabilities.limits.clone();
        Ok(service
            .reset(&key, self.deadline)
            .await
            .map_err(|e| refused(&e)))
    }

    async fn status(&mut self, key: String, options: Options) -> Answer<RateLimitResult> {
        let key = match LimitKey::plugin(&key) {
            Ok(key) => key,
            Err(e) => return Ok(Err(refused(&e))),
        };
        let service = self.capabilities.limits.clone();
        let verdict = service.status(&key, limit_of(options), self.deadline).await;
        Ok(verdict.map(result_of).map_err(|e| refused(&e)))
    }
}
