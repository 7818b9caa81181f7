//! Credentials: bcrypt hashing and verification on the blocking pool (one hash costs ~72 ms at
//! cost 10), the shape of a stored hash, and the shape of an email address.

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

/// True when `hash` looks like a bcrypt hash: `$2a$`, `$2b$` or `$2y$`, a two-digit cost from
/// 4 to 31, and 53 characters of bcrypt's base64 (salt and digest).
pub fn is_bcrypt_hash(hash: &str) -> bool {
    let Some(rest) = ["$2a$", "$2b$", "$2y$"]
        .iter()
        .find_map(|prefix| hash.strip_prefix(prefix))
    else {
        return false;
    };
    let Some((cost, body)) = rest.split_once('$') else {
        return false;
    };
    cost.len() == 2
        && cost.parse::<u32>().is_ok_and(|c| (4..=31).contains(&c))
        && body.len() == 53
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_hash_shapes() {
        let good = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        assert!(is_bcrypt_hash(good));
        assert!(is_bcrypt_hash(&good.replace("$2b$", "$2y$")));
        assert!(!is_bcrypt_hash("plain password"));
        assert!(!is_bcrypt_hash(&good.replace("$2b$", "$2x$")));
        assert!(!is_bcrypt_hash(&good.replace("$10$", "$03$")));
        assert!(!is_bcrypt_hash(&good[..59]));
        assert!(!is_bcrypt_hash(&good.replace('N', "!")));
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
