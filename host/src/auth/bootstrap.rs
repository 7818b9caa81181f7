//! First-start duties: a private data directory, the signing secret and the root admin.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::hash_password;
use crate::config::Settings;
use crate::store::entities::user;

const SECRET_FILE: &str = "secret.key";

/// The SQLite files the server keeps in the data directory (the database and its WAL files).
const DATABASE_FILES: [&str; 3] = ["hookline.db", "hookline.db-wal", "hookline.db-shm"];

/// Creates the data directory, or takes an existing one, as the server's alone (mode 0700):
/// it holds the database, the development secret and compiled plugins.
pub fn private_data_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Makes the SQLite files in the data directory readable by the server's user only (mode
/// 0600); SQLite creates them with the process's umask.
pub fn private_database_files(dir: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    for name in DATABASE_FILES {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// The configured secret, or the development secret stored in the data directory (created
/// once, mode 0600, with a warning). An existing secret file that others may read is refused:
/// whoever read it can sign tokens as any user.
pub fn load_or_create_secret(settings: &Settings) -> anyhow::Result<String> {
    if let Some(secret) = &settings.secret_key {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join(SECRET_FILE);
    if path.exists() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
            anyhow::ensure!(
                mode & 0o077 == 0,
                "{} may be read by other users (mode {mode:o}): run `chmod 600 {}`, and \
                 consider its secret leaked (set a new one)",
                path.display(),
                path.display()
            );
        }
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
