//! Reading the request body (after admission): within the byte cap, and, when it is JSON,
//! parsed within a cap on its values. The pipeline reads it only once authentication,
//! authorization and the post-auth guards have passed, so an anonymous caller of a
//! non-published route cannot make the server buffer or parse anything; the hooks still see
//! the body from their first phase on, as the lifecycle says.

use std::cell::Cell;

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::context::RequestContext;
use crate::error::HttpError;

/// Reads `body` into `ctx` (raw bytes, and the parsed value when the content type is JSON).
pub async fn read(
    ctx: &mut RequestContext,
    body: Body,
    max_bytes: usize,
    max_values: usize,
) -> Result<(), HttpError> {
    let raw = axum::body::to_bytes(body, max_bytes)
        .await
        .map_err(|_| HttpError::payload_too_large(max_bytes))?;
    let is_json = ctx
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let ct = ct.to_ascii_lowercase();
            ct.starts_with("application/json") || ct.contains("+json")
        });
    if is_json && !raw.is_empty() {
        ctx.body = parse_bounded(&raw, max_values)?;
    }
    ctx.raw_body = raw;
    Ok(())
}

/// Parses JSON text into a value of at most `max_values` values (every object, array, string,
/// number, boolean and null counts one): 413 `PAYLOAD_TOO_LARGE` past it, before the rest is
/// built, and 400 `INVALID_JSON` for text that is not JSON.
pub fn parse_bounded(text: &[u8], max_values: usize) -> Result<Value, HttpError> {
    let counted = Cell::new(0);
    let seed = Counted {
        counted: &counted,
        max: max_values,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let parsed = seed
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|e| {
        if counted.get() > max_values {
            HttpError::new(
                413,
                "PAYLOAD_TOO_LARGE",
                format!(
                    "the JSON body holds more than {max_values} values (HOOKLINE_MAX_JSON_VALUES)"
                ),
            )
        } else {
            HttpError::bad_request(
                "INVALID_JSON",
                format!("the request body is not valid JSON: {e}"),
            )
        }
    })
}

/// Builds a `serde_json::Value` like its own `Deserialize` does, counting every value.
#[derive(Clone, Copy)]
struct Counted<'c> {
    counted: &'c Cell<usize>,
    max: usize,
}

impl Counted<'_> {
    fn count<E: serde::de::Error>(self) -> Result<(), E> {
        let n = self.counted.get() + 1;
        self.counted.set(n);
        if n > self.max {
            return Err(E::custom("too many values"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Counted<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.count()?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.count()?;
        Ok(Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.count()?;
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.count()?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.count()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.count::<A::Error>()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.count::<A::Error>()?;
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_bounded;
    use serde_json::json;

    #[test]
    fn parses_like_serde_json_within_the_cap() {
        let text = br#"{"a": [1, -2, 3.5, "x", null, true], "b": {"c": {}}}"#;
        let expected: serde_json::Value = serde_json::from_slice(text).unwrap();
        assert_eq!(parse_bounded(text, 100).unwrap(), expected);
        // 1 object + array + 6 items + object + object = 10 values.
        assert_eq!(parse_bounded(text, 11).unwrap(), expected);
    }

    #[test]
    fn refuses_past_the_cap_as_too_large() {
        let text = serde_json::to_vec(&vec![0; 1000]).unwrap();
        let e = parse_bounded(&text, 1000).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (413, "PAYLOAD_TOO_LARGE"));
        assert!(parse_bounded(&text, 1001).is_ok());
    }

    #[test]
    fn refuses_text_that_is_not_json_as_invalid() {
        for text in [&b"{"[..], b"[1,]", b"{} {}", b"nul"] {
            let e = parse_bounded(text, 100).unwrap_err();
            assert_eq!(
                (e.status, e.code.as_ref()),
                (400, "INVALID_JSON"),
                "{text:?}"
            );
        }
        assert_eq!(parse_bounded(b" [1] ", 10).unwrap(), json!([1]));
    }
}
