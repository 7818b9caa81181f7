//! Test handler exposing every host helper: the JSON body names an operation and its
//! arguments, e.g. `{"op": "sha256", "data": "abc", "encoding": "hex"}`, and the answer is
//! `{"result": ...}`. A helper's refusal passes through as the 400 error it is.

use hookline_sdk::helpers::{self, Encoding, crypto};
use hookline_sdk::{Context, HookError, Value, json, throw};

fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn encoding(body: &Value) -> Result<Encoding, HookError> {
    Ok(match text(body, "encoding") {
        "hex" => Encoding::Hex,
        "base64" => Encoding::Base64,
        "base64url" => Encoding::Base64url,
        other => throw!(400, format!("unknown encoding {other:?}")),
    })
}

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let body = ctx.body_json();
    let result = match text(&body, "op") {
        "jwt" => json!(helpers::jwt(&body["payload"], text(&body, "expiration"))?),
        "bcryptHash" => json!(helpers::bcrypt_hash(text(&body, "plain"))?),
        "bcryptCompare" => json!(helpers::bcrypt_compare(
            text(&body, "plain"),
            text(&body, "hash")
        )),
        "autoSlug" => json!(helpers::auto_slug(text(&body, "text"))),
        "randomUuid" => json!(crypto::random_uuid()),
        "randomBytes" => {
            let size = body.get("size").and_then(Value::as_u64).unwrap_or(0) as u32;
            json!(crypto::random_bytes(size, encoding(&body)?)?)
        }
        "sha256" => json!(crypto::sha256(text(&body, "data"), encoding(&body)?)),
        "hmacSha256" => json!(crypto::hmac_sha256(
            text(&body, "data"),
            text(&body, "secret"),
            encoding(&body)?
        )),
        "sshKeyPair" => {
            let pair = crypto::generate_ssh_key_pair(text(&body, "comment"))?;
            json!({ "publicKey": pair.public_key, "privateKey": pair.private_key })
        }
        "sleep" => {
            let started = std::time::Instant::now();
            helpers::sleep(body.get("ms").and_then(Value::as_u64).unwrap_or(0));
            json!(started.elapsed().as_millis() as u64)
        }
        other => throw!(400, format!("unknown op {other:?}")),
    };
    Ok(json!({ "result": result }))
}

hookline_sdk::export! { handler: handle }
