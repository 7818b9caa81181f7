//! Access tokens: HS256 JWTs signed with the server secret. Verification pins the algorithm,
//! requires `exp`, `iat`, `iss` and `aud`, and picks the key by the header's `kid`: the current
//! secret signs and verifies, previous secrets (`HOOKLINE_PREVIOUS_SECRET_KEYS`) only verify.
//! This module says what a token claims; whether its user and session still stand is decided
//! by the caller.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::Settings;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, seconds: enough for nodes kept in step by
/// NTP, small because access tokens live an hour.
pub const TOKEN_LEEWAY_SECS: u64 = 5;
/// Hex digits of the secret's SHA-256 that name it in the `kid` header: enough to tell a
/// handful of keys apart, too few to say anything about the secret.
pub const KID_HEX_LEN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is invalid")]
    Invalid,
}

/// What a valid token claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub user_id: i64,
    /// `iat`, Unix seconds.
    pub issued_at: i64,
    /// `sid`: the session of a token issued at login or refresh; tokens minted by hooks have
    /// none.
    pub session_id: Option<String>,
    /// `hook`: the plugin that minted the token with `helpers.jwt`, if one did.
    pub minted_by: Option<String>,
}

/// The claims of a token this server issues at login and refresh.
#[derive(Serialize)]
struct IssuedClaims<'a> {
    /// The user id as a string (JWT convention).
    sub: String,
    /// The user id as a number, as hook-minted tokens carry it.
    id: i64,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
    iss: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

/// The claims read back; `exp`, `iss` and `aud` are checked by the validation.
#[derive(Deserialize)]
struct PresentedClaims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    id: Option<Value>,
    iat: u64,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    hook: Option<String>,
}

impl PresentedClaims {
    fn user_id(&self) -> Option<i64> {
        match &self.id {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => self.sub.as_deref().and_then(|s| s.parse().ok()),
        }
    }
}

/// A secret that verifies tokens, named by its `kid`.
struct VerificationKey {
    kid: String,
    key: DecodingKey,
}

/// The `kid` of `secret`: the first [`KID_HEX_LEN`] hex digits of its SHA-256.
pub fn key_id(secret: &[u8]) -> String {
    let mut kid = hex::encode(Sha256::digest(secret));
    kid.truncate(KID_HEX_LEN);
    kid
}

/// What the tokens say besides their keys.
#[derive(Debug, Clone)]
pub struct TokenPolicy {
    pub issuer: String,
    pub audience: String,
    /// Lifetime of an access token.
    pub ttl: Duration,
}

/// Signs and verifies access tokens; keys are prepared once.
pub struct TokenService {
    kid: String,
    encoding: EncodingKey,
    /// The current key first, then the previous ones.
    keys: Vec<VerificationKey>,
    validation: Validation,
    policy: TokenPolicy,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("kid", &self.kid)
            .field(
                "verification_kids",
                &self.keys.iter().map(|k| &k.kid).collect::<Vec<_>>(),
            )
            .field("policy", &self.policy)
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
    /// A service that signs with `secret` and also accepts tokens signed with `previous`.
    pub fn new(secret: &[u8], previous: &[&[u8]], policy: TokenPolicy) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = TOKEN_LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&[&policy.issuer]);
        validation.set_audience(&[&policy.audience]);
        let mut keys: Vec<VerificationKey> = Vec::new();
        for secret in std::iter::once(secret).chain(previous.iter().copied()) {
            let kid = key_id(secret);
            if keys.iter().all(|k| k.kid != kid) {
                keys.push(VerificationKey {
                    kid,
                    key: DecodingKey::from_secret(secret),
                });
            }
        }
        Self {
            kid: key_id(secret),
            encoding: EncodingKey::from_secret(secret),
            keys,
            validation,
            policy,
        }
    }

    /// The service the settings describe, signing with `secret`.
    pub fn from_settings(secret: &str, settings: &Settings) -> Self {
        let previous: Vec<&[u8]> = settings.previous_secrets().map(str::as_bytes).collect();
        Self::new(
            secret.as_bytes(),
            &previous,
            TokenPolicy {
                issuer: settings.jwt_issuer.clone(),
                audience: settings.jwt_audience.clone(),
                ttl: Duration::from_secs(settings.access_token_ttl_secs),
            },
        )
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        header
    }

    /// Issues a token for `user_id` without a session (tools and demos); returns it and its
    /// expiry in milliseconds since the epoch.
    pub fn issue(
        &self,
        user_id: i64,
        email: &str,
    ) -> Result<(String, u64), jsonwebtoken::errors::Error> {
        self.issue_for_session(user_id, email, None)
    }

    /// Issues a token for `user_id` naming `session_id` in `sid`; returns it and its expiry
    /// in milliseconds since the epoch.
    pub fn issue_for_session(
        &self,
        user_id: i64,
        email: &str,
        session_id: Option<&str>,
    ) -> Result<(String, u64), jsonwebtoken::errors::Error> {
        let iat = now_secs();
        let exp = iat + self.policy.ttl.as_secs();
        let claims = IssuedClaims {
            sub: user_id.to_string(),
            id: user_id,
            email,
            sid: session_id,
            iss: &self.policy.issuer,
            aud: &self.policy.audience,
            iat,
            exp,
        };
        let token = jsonwebtoken::encode(&self.header(), &claims, &self.encoding)?;
        Ok((token, exp * 1000))
    }

    /// What a valid token claims. The header must say HS256; its `kid` picks the key, and a
    /// token without one is tried against every key.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Invalid);
        }
        let candidates = self
            .keys
            .iter()
            .filter(|k| header.kid.as_ref().is_none_or(|kid| *kid == k.kid));
        for candidate in candidates {
            match jsonwebtoken::decode::<PresentedClaims>(token, &candidate.key, &self.validation) {
                Ok(data) => return accept(data.claims),
                Err(e) if *e.kind() == ErrorKind::InvalidSignature => continue,
                Err(e) if *e.kind() == ErrorKind::ExpiredSignature => {
                    return Err(TokenError::Expired);
                }
                Err(_) => return Err(TokenError::Invalid),
            }
        }
        Err(TokenError::Invalid)
    }

    /// Signs `claims` with the current key (the `jwt` helper, tests). `iss`, `aud` and `iat`
    /// are filled in when absent, so that the token is one this server accepts.
    pub fn sign_claims(&self, claims: &Value) -> Result<String, jsonwebtoken::errors::Error> {
        let mut claims = claims.clone();
        if let Value::Object(map) = &mut claims {
            map.entry("iss")
                .or_insert_with(|| self.policy.issuer.clone().into());
            map.entry("aud")
                .or_insert_with(|| self.policy.audience.clone().into());
            map.entry("iat").or_insert_with(|| now_secs().into());
        }
        jsonwebtoken::encode(&self.header(), &claims, &self.encoding)
    }
}

/// The verified claims, refusing a token issued in the future: its `iat` would outlive every
/// cut-off (`tokens_valid_after`).
fn accept(claims: PresentedClaims) -> Result<VerifiedToken, TokenError> {
    if claims.iat > now_secs() + TOKEN_LEEWAY_SECS {
        return Err(TokenError::Invalid);
    }
    let user_id = claims.user_id().ok_or(TokenError::Invalid)?;
    let issued_at = i64::try_from(claims.iat).map_err(|_| TokenError::Invalid)?;
    Ok(VerifiedToken {
        user_id,
        issued_at,
        session_id: claims.sid,
        minted_by: claims.hook,
    })
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const OLD_SECRET: &[u8] = b"an-older-secret-an-older-secret!";

    fn policy() -> TokenPolicy {
        TokenPolicy {
            issuer: "hookline".into(),
            audience: "hookline".into(),
            ttl: Duration::from_secs(60),
        }
    }

    fn service() -> TokenService {
        TokenService::new(SECRET, &[], policy())
    }

    /// Encodes `header` and `claims` and signs them with HMAC-SHA256 under `key`, whatever
    /// the header says.
    fn hand_made(header: Value, claims: Value, key: &[u8]) -> String {
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let message = format!("{}.{}", encode(&header), encode(&claims));
        let tag = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
            message.as_bytes(),
        );
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    fn valid_claims() -> Value {
        json!({"id": 1, "iss": "hookline", "aud": "hookline", "iat": now_secs(), "exp": now_secs() + 60})
    }

    #[test]
    fn an_issued_token_names_its_user_and_session() {
        let s = service();
        let (token, exp_ms) = s.issue_for_session(42, "a@b.c", Some("s-1")).unwrap();
        let verified = s.verify(&token).unwrap();
        assert_eq!(verified.user_id, 42);
        assert_eq!(verified.session_id.as_deref(), Some("s-1"));
        assert!(verified.issued_at.abs_diff(now_secs() as i64) <= 1);
        assert_eq!(exp_ms, (verified.issued_at as u64 + 60) * 1000);
        let (no_session, _) = s.issue(42, "a@b.c").unwrap();
        assert_eq!(s.verify(&no_session).unwrap().session_id, None);
    }

    #[test]
    fn the_header_names_the_signing_key() {
        let (token, _) = service().issue(1, "a@b.c").unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.kid.as_deref(), Some(key_id(SECRET).as_str()));
        assert_eq!(key_id(SECRET).len(), KID_HEX_LEN);
    }

    #[test]
    fn previous_keys_verify_but_do_not_sign() {
        let old = TokenService::new(OLD_SECRET, &[], policy());
        let (old_token, _) = old.issue(7, "a@b.c").unwrap();
        let rotated = TokenService::new(SECRET, &[OLD_SECRET], policy());
        assert_eq!(rotated.verify(&old_token).unwrap().user_id, 7);
        let (new_token, _) = rotated.issue(7, "a@b.c").unwrap();
        let kid = jsonwebtoken::decode_header(&new_token).unwrap().kid;
        assert_eq!(kid.as_deref(), Some(key_id(SECRET).as_str()));
        assert_eq!(service().verify(&old_token), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_without_kid_is_tried_against_every_key() {
        let rotated = TokenService::new(SECRET, &[OLD_SECRET], policy());
        let token = hand_made(json!({"alg": "HS256"}), valid_claims(), OLD_SECRET);
        assert_eq!(rotated.verify(&token).unwrap().user_id, 1);
        let unknown_kid = hand_made(
            json!({"alg": "HS256", "kid": "ffffffff"}),
            valid_claims(),
            SECRET,
        );
        assert_eq!(rotated.verify(&unknown_kid), Err(TokenError::Invalid));
    }

    #[test]
    fn expiry_is_checked_with_the_documented_leeway() {
        let s = service();
        let just_expired = s
            .sign_claims(&json!({"id": 1, "exp": now_secs() - 2}))
            .unwrap();
        assert!(
            s.verify(&just_expired).is_ok(),
            "within {TOKEN_LEEWAY_SECS} s"
        );
        let expired = s
            .sign_claims(&json!({"id": 1, "exp": now_secs() - 3600}))
            .unwrap();
        assert_eq!(s.verify(&expired), Err(TokenError::Expired));
    }

    #[test]
    fn required_claims_must_be_present() {
        let s = service();
        for missing in ["exp", "iat", "iss", "aud"] {
            let mut claims = valid_claims();
            claims.as_object_mut().unwrap().remove(missing);
            let token = hand_made(json!({"alg": "HS256"}), claims, SECRET);
            assert_eq!(
                s.verify(&token),
                Err(TokenError::Invalid),
                "without {missing}"
            );
        }
        let no_user = hand_made(
            json!({"alg": "HS256"}),
            json!({"iss": "hookline", "aud": "hookline", "iat": now_secs(), "exp": now_secs() + 60}),
            SECRET,
        );
        assert_eq!(s.verify(&no_user), Err(TokenError::Invalid));
    }

    #[test]
    fn another_issuer_or_audience_is_refused() {
        let s = service();
        for (claim, value) in [
            ("iss", json!("someone-else")),
            ("aud", json!("another-api")),
            ("aud", json!(["another-api"])),
        ] {
            let mut claims = valid_claims();
            claims[claim] = value.clone();
            let token = hand_made(json!({"alg": "HS256"}), claims, SECRET);
            assert_eq!(
                s.verify(&token),
                Err(TokenError::Invalid),
                "{claim}: {value}"
            );
        }
    }

    #[test]
    fn foreign_unsigned_and_confused_tokens_are_refused() {
        let s = service();
        let other = TokenService::new(b"another-secret-another-secret-xx", &[], policy());
        let (foreign, _) = other.issue(1, "x@y.z").unwrap();
        assert_eq!(s.verify(&foreign), Err(TokenError::Invalid));
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(valid_claims().to_string())
        );
        assert_eq!(s.verify(&unsigned), Err(TokenError::Invalid));
        for alg in ["RS256", "HS384", "HS512", "ES256"] {
            let confused = hand_made(json!({"alg": alg}), valid_claims(), SECRET);
            assert_eq!(s.verify(&confused), Err(TokenError::Invalid), "{alg}");
        }
        assert_eq!(s.verify("not.a.token"), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_issued_in_the_future_or_not_yet_valid_is_refused() {
        let s = service();
        let mut future = valid_claims();
        future["iat"] = json!(now_secs() + 3600);
        let token = hand_made(json!({"alg": "HS256"}), future, SECRET);
        assert_eq!(s.verify(&token), Err(TokenError::Invalid));
        let mut early = valid_claims();
        early["nbf"] = json!(now_secs() + 3600);
        let token = hand_made(json!({"alg": "HS256"}), early, SECRET);
        assert_eq!(s.verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn signed_claims_get_issuer_audience_and_issue_time_unless_given() {
        let s = service();
        let token = s
            .sign_claims(&json!({"id": 3, "exp": now_secs() + 60}))
            .unwrap();
        assert_eq!(s.verify(&token).unwrap().user_id, 3);
        let elsewhere = s
            .sign_claims(&json!({"id": 3, "aud": "mobile", "exp": now_secs() + 60}))
            .unwrap();
        assert_eq!(s.verify(&elsewhere), Err(TokenError::Invalid));
    }
}
