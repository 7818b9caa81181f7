//! Authentication: HS256 access tokens (algorithm pinned; `exp`, `iat`, `iss` and `aud`
//! required; key rotation by `kid`), refresh-token sessions with rotation and reuse detection,
//! revocation, the in-process identity cache, rate-limited login, bcrypt password hashes and
//! the first-start root admin. HTTP: `POST /auth/login`, `/auth/refresh`, `/auth/logout` and
//! `GET /me`. Secrets, password hashes and refresh-token digests never leave this module in a
//! response.

mod bearer;
mod bootstrap;
mod identity;
mod login_limits;
mod passwords;
pub mod revocation;
mod routes;
mod sessions;
mod tokens;

pub use bearer::BearerError;
pub use bootstrap::{
    ensure_root_admin, load_or_create_secret, private_data_dir, private_database_files,
};
pub use identity::{IdentityCache, role_name, user_view};
pub use passwords::{bcrypt_cost, checked_email, hash_password, is_bcrypt_hash, verify_password};
pub use routes::router;
pub use tokens::{TOKEN_LEEWAY_SECS, TokenError, TokenPolicy, TokenService, VerifiedToken, key_id};
