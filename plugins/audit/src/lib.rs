//! Global postHook: writes every request, successful or not, to the `audit_logs` table (the
//! reference's "postHook: Audit logging"): `{action: "GET /path", userId, statusCode, error}`.
//! Attach it with `"tables": ["audit_logs"]`; the table needs the columns `action`
//! (varchar), `userId` (bigint, nullable), `statusCode` (int) and `error` (text, nullable).
//! A failure to write is logged and does not change the response.

use hookline_sdk::{Context, HookError, Value, json, repos};

fn audit(ctx: &Context) -> Result<(), HookError> {
    let entry = json!({
        "action": format!("{} {}", ctx.method(), ctx.path()),
        "userId": ctx.user().map(|u| u.id),
        "statusCode": ctx.status(),
        "error": ctx.error().map(|e| e.message),
    });
    let written: Result<Value, HookError> = repos::create("audit_logs", &entry);
    if let Err(e) = written {
        ctx.log(&format!("audit entry not written: {}", e.message));
    }
    Ok(())
}

hookline_sdk::export! { post_hook: audit }
