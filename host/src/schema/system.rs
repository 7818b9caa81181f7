//! System tables hooks may use through `repos` like user tables, when a route or attachment
//! names them. One so far: `users`, so that signup and login can be written as plugins whose
//! tokens Hookline's own bearer authentication accepts.
//!
//! The view of `users` a hook gets: `id`, `email`, `password` (the bcrypt hash; a hook writes
//! one made by `helpers.bcrypt-hash`, never a plain password), `verified`, `createdAt`,
//! `updatedAt`. Root admins are not in it: a hook can neither read nor change them. Roles,
//! organizations and the disabled flag stay with the admin API, and so does deleting a user.
//! A change of password through the view cuts off the user's earlier tokens, as the admin API
//! does.

use std::sync::{Arc, LazyLock};

use serde_json::{Map, Value};

use super::model::{Column, ColumnType, SystemView, TableDef};
use crate::auth::{checked_email, is_bcrypt_hash};
use crate::error::HttpError;

/// The system users table as hooks see it.
pub const USERS: &str = "users";

/// System tables a route or attachment may name among its tables.
pub const EXPOSED: [&str; 1] = [USERS];

fn column(name: &str, column_type: ColumnType, unique: bool, default: Option<Value>) -> Column {
    Column {
        name: name.to_owned(),
        column_type,
        nullable: false,
        unique,
        default,
        encrypted: false,
    }
}

static USERS_VIEW: LazyLock<Arc<TableDef>> = LazyLock::new(|| {
    Arc::new(TableDef {
        name: USERS.to_owned(),
        columns: vec![
            column("email", ColumnType::Varchar { length: 254 }, true, None),
            column("password", ColumnType::Text, false, None),
            column("verified", ColumnType::Boolean, false, Some(false.into())),
        ],
        relations: Vec::new(),
        system: SystemView {
            renames: &[
                ("password", "password_hash"),
                ("createdAt", "created_at"),
                ("updatedAt", "updated_at"),
            ],
            scope: &[("is_root_admin", false)],
            insert_defaults: &[("verified", false)],
        },
    })
});

/// The definition of system table `name` when hooks may use it.
pub fn exposed(name: &str) -> Option<Arc<TableDef>> {
    (name == USERS).then(|| USERS_VIEW.clone())
}

/// What a write to `users` becomes: the email trimmed, lower-cased and checked, the password
/// checked to be a bcrypt hash. Returns the body to write and whether it sets a password.
pub fn users_write(body: &Value, max_bcrypt_cost: u32) -> Result<(Value, bool), HttpError> {
    let Value::Object(fields) = body else {
        return Err(HttpError::bad_request(
            "VALIDATION_ERROR",
            "the body must be a JSON object",
        ));
    };
    let mut out = fields.clone();
    let mut errors = Map::new();
    if let Some(Value::String(email)) = fields.get("email") {
        match checked_email(email) {
            Ok(email) => {
                out.insert("email".into(), email.into());
            }
            Err(e) => {
                errors.insert("email".into(), e.message.into());
            }
        }
    }
    let sets_password = match fields.get("password") {
        Some(Value::String(hash)) if !is_bcrypt_hash(hash, max_bcrypt_cost) => {
            errors.insert(
                "password".into(),
                format!(
                    "must be a bcrypt hash of cost at most {max_bcrypt_cost} (from \
                     helpers.bcrypt-hash), never a plain password"
                )
                .into(),
            );
            false
        }
        Some(_) => true,
        None => false,
    };
    if !errors.is_empty() {
        return Err(HttpError::bad_request(
            "VALIDATION_ERROR",
            format!("{} field(s) are invalid", errors.len()),
        )
        .with_details(Value::Object(errors)));
    }
    Ok((Value::Object(out), sets_password))
}

/// Refusal of an operation hooks may not do on a system table.
pub fn not_allowed(table: &str, what: &str, instead: &str) -> HttpError {
    HttpError::forbidden(format!(
        "hooks may not {what} rows of the system table {table}; {instead}"
    ))
    .with_code("SYSTEM_TABLE_READ_ONLY")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const HASH: &str = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

    #[test]
    fn a_write_is_normalised_and_checked() {
        let (body, sets) =
            users_write(&json!({"email": " Ada@X.Org ", "password": HASH}), 14).unwrap();
        assert!(sets);
        assert_eq!(body["email"], "ada@x.org");
        let (_, sets) = users_write(&json!({"verified": true}), 14).unwrap();
        assert!(!sets);
        let e = users_write(&json!({"email": "nope", "password": "hunter22"}), 14).unwrap_err();
        assert_eq!(e.code, "VALIDATION_ERROR");
        let details = e.details.unwrap();
        assert!(details["email"].is_string());
        assert!(details["password"].as_str().unwrap().contains("bcrypt"));
    }

    #[test]
    fn the_view_maps_fields_onto_columns() {
        let users = exposed(USERS).unwrap();
        assert_eq!(users.sql_name("password"), "password_hash");
        assert_eq!(users.sql_name("createdAt"), "created_at");
        assert_eq!(users.sql_name("email"), "email");
        assert!(exposed("roles").is_none());
    }
}
