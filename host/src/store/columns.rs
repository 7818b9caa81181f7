//! Typed values of the system tables' columns: each is parsed from and written to its column
//! in one place, so the rest of the server never compares or parses the stored text.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

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

impl HookPhase {
    /// The spelling in the database and the admin API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pre => "pre",
            Self::Post => "post",
        }
    }
}

impl std::fmt::Display for HookPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for HookPhase {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "pre" => Ok(Self::Pre),
            "post" => Ok(Self::Post),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_reads_and_writes_its_one_spelling() {
        for phase in [HookPhase::Pre, HookPhase::Post] {
            assert_eq!(phase.as_str().parse(), Ok(phase));
            assert_eq!(phase.to_value(), phase.as_str().to_owned());
            assert_eq!(
                HookPhase::try_from_value(&phase.as_str().to_owned()),
                Ok(phase)
            );
            assert_eq!(
                serde_json::to_value(phase).unwrap(),
                serde_json::json!(phase.as_str())
            );
        }
        assert_eq!("PRE".parse::<HookPhase>(), Err(()));
        assert!(HookPhase::try_from_value(&"during".to_owned()).is_err());
    }
}
