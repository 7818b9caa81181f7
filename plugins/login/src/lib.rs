//! Handler: login written entirely as a plugin. `POST {"email", "password"}` looks the user up
//! in Hookline's `users` table, compares with `helpers.bcrypt-compare` and answers
//! `{"accessToken", "expiresIn"}` from `helpers.jwt` with the user's `id`: Hookline's bearer
//! authentication accepts that token like one from `/auth/login`. Config `expiration` (default
//! `1h`) takes the `jwt` forms. Unknown email and wrong password are the same 401
//! `INVALID_CREDENTIALS`, and cost the same bcrypt comparison. The route must name `users`
//! among its tables.

use hookline_sdk::serde::Deserialize;
use hookline_sdk::{Context, HookError, Value, helpers, json, repos, throw};

/// Compared against when the email is unknown, so that both failures take as long.
const DUMMY_HASH: &str = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

#[derive(Deserialize)]
#[serde(crate = "hookline_sdk::serde")]
struct Credentials {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(crate = "hookline_sdk::serde")]
struct User {
    id: i64,
    email: String,
    password: String,
}

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let Ok(input) = ctx.body::<Credentials>() else {
        throw!(
            400,
            "send {\"email\": ..., \"password\": ...} as strings",
            code = "INVALID_CREDENTIALS_BODY"
        );
    };
    let config = ctx.config_json();
    let expiration = config
        .get("expiration")
        .and_then(Value::as_str)
        .unwrap_or("1h");
    let email = input.email.trim().to_lowercase();
    let user: Option<User> = repos::find_one(
        "users",
        &json!({
            "filter": {"email": {"_eq": email}},
            "fields": ["id", "email", "password"],
        }),
    )?;
    let hash = user.as_ref().map_or(DUMMY_HASH, |u| u.password.as_str());
    let matches = helpers::bcrypt_compare(&input.password, hash);
    let Some(user) = user.filter(|_| matches) else {
        throw!(401, "wrong email or password", code = "INVALID_CREDENTIALS");
    };
    let token = helpers::jwt(&json!({ "id": user.id, "email": user.email }), expiration)?;
    Ok(json!({ "accessToken": token, "expiresIn": expiration }))
}

hookline_sdk::export! { handler: handle }
