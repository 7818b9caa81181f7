//! Test handler exposing every repository function: the JSON body names an operation, a table
//! and its arguments, e.g. `{"op": "count", "table": "books", "filter": {...}}`, and the answer
//! is `{"result": ...}`. A refusal passes through as the error it is.

use hookline_sdk::{Context, HookError, Value, json, repos, throw};

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let body = ctx.body_json();
    let table = body
        .get("table")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let id = body.get("id").and_then(Value::as_i64).unwrap_or(0);
    let result: Value = match body.get("op").and_then(Value::as_str).unwrap_or_default() {
        "find" => serde_json_value(repos::find::<Value, _>(table, &body["query"])?),
        "findOne" => json!(repos::find_one::<Value, _>(table, &body["query"])?),
        "create" => repos::create(table, &body["data"])?,
        "update" => repos::update(table, id, &body["data"])?,
        "delete" => repos::delete(table, id)?,
        "count" => json!(repos::count(table, &body["filter"])?),
        // The same call without a repository: the baseline of the repos benchmark.
        "nothing" => Value::Null,
        other => throw!(400, format!("unknown op {other:?}")),
    };
    Ok(json!({ "result": result }))
}

fn serde_json_value(found: repos::Found<Value>) -> Value {
    json!({
        "data": found.data,
        "meta": found.meta.map(|m| json!({"totalCount": m.total_count, "filterCount": m.filter_count})),
    })
}

hookline_sdk::export! { handler: handle }
