//! Handler: signup written entirely as a plugin. `POST {"email", "password"}` stores a user in
//! Hookline's own `users` table with a bcrypt hash made by `helpers.bcrypt-hash`, and answers
//! 201 `{"id", "email"}`. The route must name `users` among its tables. Passwords are 8 to 72
//! bytes (bcrypt reads no more); an email already taken is 409 `EMAIL_TAKEN`. The new user has
//! no role: what they may call is granted with route permissions.

use hookline_sdk::serde::Deserialize;
use hookline_sdk::{Context, HookError, Value, helpers, json, repos, throw};

/// Shortest password accepted, in characters.
const MIN_PASSWORD_CHARS: usize = 8;
/// bcrypt reads at most 72 bytes; longer would be silently truncated.
const MAX_PASSWORD_BYTES: usize = 72;

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
}

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let Ok(input) = ctx.body::<Credentials>() else {
        throw!(
            400,
            "send {\"email\": ..., \"password\": ...} as strings",
            code = "INVALID_CREDENTIALS_BODY"
        );
    };
    if input.password.chars().count() < MIN_PASSWORD_CHARS
        || input.password.len() > MAX_PASSWORD_BYTES
    {
        throw!(
            400,
            "a password is 8 to 72 bytes long",
            code = "INVALID_PASSWORD"
        );
    }
    let hash = helpers::bcrypt_hash(&input.password)?;
    // The host lower-cases and checks the email (400 VALIDATION_ERROR when it is not one).
    let created: Result<User, HookError> =
        repos::create("users", &json!({ "email": input.email, "password": hash }));
    let user = match created {
        Ok(user) => user,
        Err(e) if e.code.as_deref() == Some("UNIQUE_VIOLATION") => {
            throw!(409, "this email is taken", code = "EMAIL_TAKEN")
        }
        Err(e) => return Err(e),
    };
    ctx.set_status(201)?;
    Ok(json!({ "id": user.id, "email": user.email }))
}

hookline_sdk::export! { handler: handle }
