//! Login attempt limits, counted before the password is checked: per client IP
//! (`login_limit_per_ip`) and per account from any IP (`login_limit_per_account`), in the same
//! sliding window (`login_limit_window_secs`). Every attempt counts, right or wrong, so the
//! count cannot be raced past the limit by concurrent guesses. Keys are system keys of the
//! rate limiter: `auth:login:ip:<ip>` and `auth:login:account:<sha256 of the email>`, so no
//! email address is written to the cache backend.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::access::guards::rate_limited;
use crate::app::AppState;
use crate::cache::{Limit, LimitError, LimitKey};
use crate::error::HttpError;

/// The client IP a login is counted under: the socket peer, or the address a trusted proxy
/// forwarded (`HOOKLINE_TRUSTED_PROXIES`), as for every other request.
pub fn login_client_ip(state: &AppState, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
    let peer = peer
        .map(|addr| addr.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    state.access.client_ips.resolve(peer, headers)
}

/// `subject`: the client IP as per-IP limits count it (an IPv6 client by its network).
fn ip_key(subject: &str) -> LimitKey {
    LimitKey::system(format_args!("auth:login:ip:{subject}"))
}

fn account_key(email: &str) -> LimitKey {
    LimitKey::system(format_args!(
        "auth:login:account:{}",
        hex::encode(Sha256::digest(email.as_bytes()))
    ))
}

impl AppState {
    /// Counts a login attempt from `ip` for `email` (normalised); 429 `RATE_LIMITED` with the
    /// `Retry-After` and `X-RateLimit-*` headers once either limit is reached.
    pub(super) async fn count_login_attempt(
        &self,
        ip: IpAddr,
        email: &str,
    ) -> Result<(), HttpError> {
        let settings = &self.settings;
        let deadline = Instant::now() + Duration::from_millis(settings.cache_timeout_ms);
        for (key, max_requests) in [
            (
                ip_key(&self.access.client_ips.limit_subject(ip)),
                settings.login_limit_per_ip,
            ),
            (account_key(email), settings.login_limit_per_account),
        ] {
            let limit = Limit {
                max_requests,
                per_seconds: settings.login_limit_window_secs,
            };
            let verdict = self
                .backends
                .limits
                .check(&key, limit, deadline)
                .await
                .map_err(|e| match e {
                    LimitError::Unavailable(_) => HttpError::new(503, e.code(), e.to_string()),
                    LimitError::InvalidOptions(_) | LimitError::InvalidKey(_) => {
                        HttpError::internal(e)
                    }
                })?;
            if !verdict.allowed {
                return Err(rate_limited(&verdict));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_ip_and_hide_the_email() {
        assert_eq!(
            ip_key("2001:db8::/64").as_str(),
            "system:auth:login:ip:2001:db8::/64"
        );
        let key = account_key("someone@example.test");
        let key = key.as_str();
        assert!(key.starts_with("system:auth:login:account:"));
        assert!(!key.contains("someone"));
        assert_eq!(key.len(), "system:auth:login:account:".len() + 64);
    }
}
