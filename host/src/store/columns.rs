//! Typed values of the system tables' columns: each is parsed from and written to its column
//! in one place, so the rest of the server never compares or parses the stored text.

use axum::http::Method;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable};
use serde::{Deserialize, Serialize, Serializer};

/// When a hook runs: before the handler or after it. Stored as `"pre"` / `"post"`, and
/// spelled so in the admin API.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum HookPhase {
    #[sea_orm(string_value = "pre")]
    Pre,
    #[sea_orm(string_value = "post")]
    Post,
}

/// The spelling is the `string_value` above, for the database and, through these, the
/// admin API's error messages and input.
impl std::fmt::Display for HookPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_value())
    }
}

impl std::str::FromStr for HookPhase {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::try_from_value(&s.to_owned()).map_err(|_| ())
    }
}

/// HTTP methods, stored as a JSON array of upper-case names (`["GET","POST"]`) and shown so in
/// the admin API. What a column holds was checked when it was written
/// (`admin::methods::parse_methods`); a name that no longer parses is left out, and text that
/// is not an array reads as no methods: for a route or a grant that means nothing allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MethodList(pub Vec<Method>);

impl MethodList {
    fn from_text(text: &str) -> Self {
        let names: Vec<String> = serde_json::from_str(text).unwrap_or_default();
        Self(names.iter().filter_map(|n| n.parse().ok()).collect())
    }

    fn to_text(&self) -> String {
        serde_json::to_string(&self.names()).expect("a list of strings serialises")
    }

    fn names(&self) -> Vec<&str> {
        self.0.iter().map(Method::as_str).collect()
    }
}

impl From<Vec<Method>> for MethodList {
    fn from(methods: Vec<Method>) -> Self {
        Self(methods)
    }
}

impl Serialize for MethodList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(serializer)
    }
}

impl From<MethodList> for Value {
    fn from(methods: MethodList) -> Self {
        methods.to_text().into()
    }
}

impl TryGetable for MethodList {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        String::try_get_by(res, idx).map(|text| Self::from_text(&text))
    }
}

impl ValueType for MethodList {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        <String as ValueType>::try_from(v).map(|text| Self::from_text(&text))
    }

    fn type_name() -> String {
        "MethodList".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::Text
    }
}

impl Nullable for MethodList {
    fn null() -> Value {
        Value::String(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_reads_and_writes_its_one_spelling() {
        for (phase, spelling) in [(HookPhase::Pre, "pre"), (HookPhase::Post, "post")] {
            assert_eq!(spelling.parse(), Ok(phase));
            assert_eq!(phase.to_string(), spelling);
            assert_eq!(phase.to_value(), spelling.to_owned());
            assert_eq!(HookPhase::try_from_value(&spelling.to_owned()), Ok(phase));
            assert_eq!(
                serde_json::to_value(phase).unwrap(),
                serde_json::json!(spelling)
            );
        }
        assert_eq!("PRE".parse::<HookPhase>(), Err(()));
        assert!(HookPhase::try_from_value(&"during".to_owned()).is_err());
    }

    #[test]
    fn a_method_list_is_stored_as_a_json_array_of_names() {
        let methods = MethodList(vec![Method::GET, Method::POST]);
        assert_eq!(
            Value::from(methods.clone()),
            Value::from(r#"["GET","POST"]"#)
        );
        assert_eq!(
            <MethodList as ValueType>::try_from(Value::from(r#"["GET","POST"]"#)).ok(),
            Some(methods.clone())
        );
        assert_eq!(
            serde_json::to_value(&methods).unwrap(),
            serde_json::json!(["GET", "POST"])
        );
        assert_eq!(MethodList::from_text("[]"), MethodList::default());
    }

    #[test]
    fn unreadable_method_text_reads_as_no_methods() {
        for text in ["", "not json", r#"{"GET":true}"#, r#"[1,2]"#] {
            assert_eq!(MethodList::from_text(text), MethodList::default(), "{text}");
        }
        assert_eq!(
            MethodList::from_text(r#"["GET","NOT A METHOD"]"#),
            MethodList(vec![Method::GET]),
            "a name that does not parse is left out"
        );
    }
}
