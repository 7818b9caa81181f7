use serde_json::json;

use super::*;

#[test]
fn a_user_serialises_with_the_api_camel_case_names() {
    let user = User::from(types::User {
        id: 7,
        email: "ada@example.com".to_owned(),
        role: Some("admin".to_owned()),
        is_root_admin: false,
        verified: true,
        organization: None,
    });

    assert_eq!(
        serde_json::to_value(user).unwrap(),
        json!({
            "id": 7,
            "email": "ada@example.com",
            "role": "admin",
            "isRootAdmin": false,
            "verified": true,
            "organization": null,
        })
    );
}

#[test]
fn error_info_details_are_parsed_from_json_text() {
    let info = ErrorInfo::from(types::ErrorInfo {
        message: "Email is required".to_owned(),
        name: "HookError".to_owned(),
        status_code: 400,
        details: Some(r#"{"field":"email"}"#.to_owned()),
        timestamp: "2025-01-01T00:00:00Z".to_owned(),
    });

    assert_eq!(info.details, Some(json!({ "field": "email" })));
    assert_eq!(info.status_code, 400);
}
