//! `JsonBody<T>`: axum's JSON extractor with our error shape (400 `INVALID_JSON` for syntax,
//! 400 `INVALID_BODY` for a body of the wrong shape, 415, 413).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::HttpError;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonSyntaxError(e) => {
                    HttpError::bad_request("INVALID_JSON", e.body_text())
                }
                JsonRejection::JsonDataError(e) => {
                    HttpError::bad_request("INVALID_BODY", e.body_text())
                }
                JsonRejection::MissingJsonContentType(_) => HttpError::new(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "expected Content-Type: application/json",
                ),
                other if other.status().as_u16() == 413 => {
                    HttpError::new(413, "PAYLOAD_TOO_LARGE", other.body_text())
                }
                other => HttpError::bad_request("INVALID_BODY", other.body_text()),
            }),
        }
    }
}
