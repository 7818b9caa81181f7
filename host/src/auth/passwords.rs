//! Credentials: bcrypt hashing and verification on the blocking pool (one hash costs ~72 ms at
//! cost 10), the shape of a stored hash, and the shape of an email address.

use crate::error::HttpError;

pub async fn hash_password(password: String, cost: u32) -> Result<String, HttpError> {
    tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
        .await
        .map_err(HttpError::internal)?
        .map_err(HttpError::internal)
}

/// True when `password` matches `hash`; a malformed hash, or one of a cost above `max_cost`
/// (which would pin a blocking thread for minutes or days), never matches.
pub async fn verify_password(
    password: String,
    hash: String,
    max_cost: u32,
) -> Result<bool, HttpError> {
    if !is_bcrypt_hash(&hash, max_cost) {
        if bcrypt_cost(&hash).is_some() {
            tracing::warn!(
                max_cost,
                "a stored bcrypt hash costs more than max_bcrypt_cost; refused"
            );
        }
        return Ok(false);
    }
    tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
        .await
        .map_err(HttpError::internal)
}

/// Lower-cased, trimmed, and shaped like an address (`local@domain`, no spaces).
pub fn checked_email(raw: &str) -> Result<String, HttpError> {
    let email = raw.trim().to_lowercase();
    let shaped = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !shaped {
        return Err(HttpError::bad_request(
            "INVALID_EMAIL",
            format!("{raw:?} is not an email address"),
        ));
    }
    Ok(email)
}

/// True when `hash` looks like a bcrypt hash of a cost from 4 to `max_cost`.
pub fn is_bcrypt_hash(hash: &str, max_cost: u32) -> bool {
    bcrypt_cost(hash).is_some_and(|cost| cost <= max_cost)
}

/// The cost of `hash` when it looks like a bcrypt hash: `$2a$`, `$2b$` or `$2y$`, a two-digit
/// cost from 4 to 31, and 53 characters of bcrypt's base64 (salt and digest).
pub fn bcrypt_cost(hash: &str) -> Option<u32> {
    let rest = ["$2a$", "$2b$", "$2y$"]
        .iter()
        .find_map(|prefix| hash.strip_prefix(prefix))?;
    let (cost, body) = rest.split_once('$')?;
    let shaped = cost.len() == 2
        && body.len() == 53
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
    cost.parse::<u32>()
        .ok()
        .filter(|c| shaped && (4..=31).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_hash_shapes() {
        let good = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        assert!(is_bcrypt_hash(good, 31));
        assert!(is_bcrypt_hash(&good.replace("$2b$", "$2y$"), 31));
        assert!(!is_bcrypt_hash("plain password", 31));
        assert!(!is_bcrypt_hash(&good.replace("$2b$", "$2x$"), 31));
        assert!(!is_bcrypt_hash(&good.replace("$10$", "$03$"), 31));
        assert!(!is_bcrypt_hash(&good[..59], 31));
        assert!(!is_bcrypt_hash(&good.replace('N', "!"), 31));
    }

    #[test]
    fn a_hash_costlier_than_the_cap_is_refused_without_hashing() {
        let costly = "$2b$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        assert_eq!(bcrypt_cost(costly), Some(31));
        assert!(!is_bcrypt_hash(costly, 14));
        assert!(is_bcrypt_hash(&costly.replace("$31$", "$14$"), 14));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let matches = runtime
            .block_on(verify_password("x".into(), costly.into(), 14))
            .unwrap();
        assert!(!matches);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn emails_are_trimmed_lowered_and_shaped() {
        assert_eq!(
            checked_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
        ] {
            assert!(checked_email(bad).is_err(), "{bad}");
        }
    }
}
