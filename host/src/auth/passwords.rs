//! bcrypt hashing and verification, on the blocking pool: one hash costs ~72 ms at cost 10.

use crate::error::HttpError;

pub async fn hash_password(password: String, cost: u32) -> Result<String, HttpError> {
    tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
        .await
        .map_err(HttpError::internal)?
        .map_err(HttpError::internal)
}

/// True when `password` matches `hash`; a malformed hash never matches.
pub async fn verify_password(password: String, hash: String) -> Result<bool, HttpError> {
    tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
        .await
        .map_err(HttpError::internal)
}
