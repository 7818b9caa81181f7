//! First-start duties: the signing secret and the root admin.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::hash_password;
use crate::config::Settings;
use crate::store::entities::user;

const SECRET_FILE: &str = "secret.key";

/// The configured secret, or the development secret stored in the data directory (created
/// once, mode 0600, with a warning).
pub fn load_or_create_secret(settings: &Settings) -> anyhow::Result<String> {
    if let Some(secret) = &settings.secret_key {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join(SECRET_FILE);
    if path.exists() {
        let secret = std::fs::read_to_string(&path)?.trim().to_owned();
        anyhow::ensure!(secret.len() >= 32, "{} is too short", path.display());
        tracing::warn!(path = %path.display(), "HOOKLINE_SECRET_KEY is not set; using the development secret");
        return Ok(secret);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret)?;
    tracing::warn!(path = %path.display(), "HOOKLINE_SECRET_KEY is not set; generated a development secret");
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

/// Creates the root admin from the settings when the email is not registered yet.
pub async fn ensure_root_admin(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    let (Some(email), Some(password)) = (&settings.admin_email, &settings.admin_password) else {
        return Ok(());
    };
    let email = email.trim().to_lowercase();
    let exists = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let hash = hash_password(password.clone(), settings.bcrypt_cost)
        .await
        .map_err(|e| anyhow::anyhow!("hashing the admin password: {e}"))?;
    let now = Utc::now();
    user::ActiveModel {
        email: Set(email.clone()),
        password_hash: Set(hash),
        is_root_admin: Set(true),
        verified: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(%email, "created the root admin");
    Ok(())
}
