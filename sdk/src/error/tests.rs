use serde_json::json;

use super::*;

#[test]
fn a_new_error_has_no_code_and_no_details() {
    let error = HookError::new(418, "teapot");

    assert_eq!(error.status, 418);
    assert_eq!(error.message, "teapot");
    assert_eq!(error.code, None);
    assert_eq!(error.details, None);
}

#[test]
fn the_helpers_pick_their_status() {
    assert_eq!(HookError::bad_request("x").status, 400);
    assert_eq!(HookError::unauthorized("x").status, 401);
    assert_eq!(HookError::forbidden("x").status, 403);
    assert_eq!(HookError::not_found("x").status, 404);
}

#[test]
fn throw_returns_the_error_with_code_and_details() {
    fn hook() -> Result<(), HookError> {
        throw!(
            422,
            "bad age",
            code = "AGE_INVALID",
            details = json!({ "age": -1 })
        );
    }

    let error = hook().unwrap_err();

    assert_eq!(error.status, 422);
    assert_eq!(error.message, "bad age");
    assert_eq!(error.code.as_deref(), Some("AGE_INVALID"));
    assert_eq!(error.details, Some(json!({ "age": -1 })));
}

#[test]
fn invalid_json_becomes_a_400_with_its_code() {
    let parse = || -> Result<Value, HookError> { Ok(serde_json::from_str("{oops")?) };

    let error = parse().unwrap_err();

    assert_eq!(error.status, 400);
    assert_eq!(error.code.as_deref(), Some(codes::INVALID_JSON));
}

#[test]
fn details_cross_the_boundary_as_json_text_and_back() {
    let error = HookError::new(409, "taken").with_details(json!({ "field": "email" }));

    let wit = error.clone().into_wit();

    assert_eq!(wit.details.as_deref(), Some(r#"{"field":"email"}"#));
    assert_eq!(HookError::from_wit(wit), error);
}
