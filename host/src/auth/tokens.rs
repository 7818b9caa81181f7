//! Access tokens: HS256 with the server secret, the algorithm pinned, `exp` required.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Clock skew tolerated on `exp`, seconds: small, because tokens are short-lived.
pub const TOKEN_LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is invalid")]
    Invalid,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The user id as a string (JWT convention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    /// The user id as a number; tokens minted by hooks carry this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    exp: u64,
    #[serde(default)]
    iat: u64,
}

impl Claims {
    fn user_id(&self) -> Option<i64> {
        match &self.id {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => self.sub.as_deref().and_then(|s| s.parse().ok()),
        }
    }
}

/// Signs and verifies access tokens; keys are prepared once.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl TokenService {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = TOKEN_LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// Issues a token for `user_id`; returns it and its expiry in milliseconds since the epoch.
    pub fn issue(
        &self,
        user_id: i64,
        email: &str,
    ) -> Result<(String, u64), jsonwebtoken::errors::Error> {
        let iat = now_secs();
        let exp = iat + self.ttl.as_secs();
        let claims = Claims {
            sub: Some(user_id.to_string()),
            id: Some(Value::from(user_id)),
            email: Some(email.to_owned()),
            exp,
            iat,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, exp * 1000))
    }

    /// The user id a valid token names.
    pub fn verify(&self, token: &str) -> Result<i64, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        data.claims.user_id().ok_or(TokenError::Invalid)
    }

    /// Signs arbitrary claims with this service's key (tests and hook-minted tokens).
    pub fn sign_claims(&self, claims: &Value) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service() -> TokenService {
        TokenService::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60))
    }

    #[test]
    fn an_issued_token_names_its_user() {
        let s = service();
        let (token, _) = s.issue(42, "a@b.c").unwrap();
        assert_eq!(s.verify(&token), Ok(42));
    }

    #[test]
    fn expired_missing_exp_and_foreign_tokens_are_refused() {
        let s = service();
        let expired = s
            .sign_claims(&json!({"id": 1, "exp": now_secs() - 3600}))
            .unwrap();
        assert_eq!(s.verify(&expired), Err(TokenError::Expired));
        let no_exp = s.sign_claims(&json!({"id": 1})).unwrap();
        assert_eq!(s.verify(&no_exp), Err(TokenError::Invalid));
        let other = TokenService::new(b"another-secret-another-secret-xx", Duration::from_secs(60));
        let (foreign, _) = other.issue(1, "x@y.z").unwrap();
        assert_eq!(s.verify(&foreign), Err(TokenError::Invalid));
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        // {"alg":"none"} header with a valid-looking payload and no signature.
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        let payload = "eyJpZCI6MSwiZXhwIjo0MTAyNDQ0ODAwfQ";
        assert_eq!(
            service().verify(&format!("{header}.{payload}.")),
            Err(TokenError::Invalid)
        );
    }
}
