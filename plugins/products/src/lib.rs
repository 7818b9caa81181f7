//! Handler: a product search, the reference's "filtered find with meta" pattern. `GET
//! /products?q=lamp&maxPrice=50&page=2` answers `{"products": [...], "total": N, "matching": M,
//! "page": P}`: products whose name contains `q`, at most `maxPrice`, in stock, cheapest first,
//! 20 a page. The route's target tables must include `products`.

use hookline_sdk::repos::{self, Found};
use hookline_sdk::{Context, HookError, Value, json, throw};

const PAGE_SIZE: u64 = 20;

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let query = ctx.query();
    let text = |name: &str| query.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut filter = vec![json!({"stock": {"_gt": 0}})];
    if let Some(q) = text("q").filter(|q| !q.is_empty()) {
        filter.push(json!({"name": {"_contains": q}}));
    }
    if let Some(max) = text("maxPrice") {
        let Ok(max) = max.parse::<f64>() else {
            throw!(400, "maxPrice must be a number", code = "INVALID_PRICE");
        };
        filter.push(json!({"price": {"_lte": max}}));
    }
    let page = match text("page") {
        None => 1,
        Some(p) => match p.parse::<u64>() {
            Ok(p) if p >= 1 => p,
            _ => throw!(
                400,
                "page must be a whole number from 1",
                code = "INVALID_PAGE"
            ),
        },
    };
    let found: Found<Value> = repos::find(
        "products",
        &json!({
            "filter": {"_and": filter},
            "fields": ["id", "name", "price", "stock"],
            "sort": ["price", "name"],
            "limit": PAGE_SIZE,
            "page": page,
            "meta": ["totalCount", "filterCount"],
        }),
    )?;
    let meta = found.meta.unwrap_or(repos::Meta {
        total_count: None,
        filter_count: None,
    });
    Ok(json!({
        "products": found.data,
        "total": meta.total_count,
        "matching": meta.filter_count,
        "page": page,
    }))
}

hookline_sdk::export! { handler: handle }
