//! Handler: answers a fresh SSH key pair, `{"publicKey": "ssh-rsa ...", "privateKey": "-----BEGIN
//! RSA PRIVATE KEY-----..."}`. The comment is config `comment` (default `hookline`).

use hookline_sdk::helpers::crypto;
use hookline_sdk::{Context, HookError, Value, json};

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let config = ctx.config_json();
    let comment = config
        .get("comment")
        .and_then(Value::as_str)
        .unwrap_or("hookline");
    let pair = crypto::generate_ssh_key_pair(comment)?;
    Ok(json!({ "publicKey": pair.public_key, "privateKey": pair.private_key }))
}

hookline_sdk::export! { handler: handle }
