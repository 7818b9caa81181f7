//! Handler: reserves one unit of a product's stock, `POST {"product": "p1"}` on e.g.
//! `/reserve`. Stock lives in the cache (`stock:<product>`, set with `{"product", "stock"}` on
//! `PUT`); the read-check-decrement is a critical section under `acquire`/`release`, so
//! concurrent reservations never sell more than there is. Answers `{"reserved": true,
//! "left": N}`, 409 `SOLD_OUT`, or 503 `BUSY` when the lock stays taken.

use hookline_sdk::serde::Deserialize;
use hookline_sdk::{Context, HookError, Value, cache, helpers, json, throw};

const LOCK_TTL_MS: u64 = 2_000;
const ATTEMPTS: u32 = 400;

#[derive(Deserialize)]
#[serde(crate = "hookline_sdk::serde")]
struct Request {
    product: String,
    stock: Option<u64>,
}

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let request: Request = ctx.body()?;
    let key = format!("stock:{}", request.product);
    if ctx.method() == "PUT" {
        let Some(stock) = request.stock else {
            throw!(400, "stock is required", code = "STOCK_REQUIRED");
        };
        cache::set_no_expire(&key, &stock)?;
        return Ok(json!({ "product": request.product, "stock": stock }));
    }
    let lock = format!("lock:{key}");
    let owner = helpers::crypto::random_uuid();
    let mut attempts = 0;
    while !cache::acquire(&lock, &owner, LOCK_TTL_MS)? {
        attempts += 1;
        if attempts == ATTEMPTS {
            throw!(503, "the stock is busy, try again", code = "BUSY");
        }
        helpers::sleep(5);
    }
    let outcome = reserve(&key);
    cache::release(&lock, &owner)?;
    match outcome? {
        Some(left) => Ok(json!({ "reserved": true, "left": left })),
        None => throw!(
            409,
            format!("{} is sold out", request.product),
            code = "SOLD_OUT"
        ),
    }
}

/// The critical section: the stock left after taking one unit, or `None` when there is none.
fn reserve(key: &str) -> Result<Option<u64>, HookError> {
    let stock = cache::get::<u64>(key)?.unwrap_or(0);
    if stock == 0 {
        return Ok(None);
    }
    cache::set_no_expire(key, &(stock - 1))?;
    Ok(Some(stock - 1))
}

hookline_sdk::export! { handler: handle }
