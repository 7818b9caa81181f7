//! Token lifetimes as the reference writes them: `15m`, `1h`, `1d`, `7d`, `30d` (and seconds).

use std::time::Duration;

/// Longest lifetime a hook may give a token.
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

const ACCEPTED: &str =
    "a positive number followed by s, m, h or d, e.g. 30s, 15m, 1h, 1d, 7d, 30d (at most 365d)";

/// Parses an expiration; the error names the accepted forms.
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = || format!("invalid expiration {text:?}: expected {ACCEPTED}");
    let text = text.trim();
    let unit = text.chars().last().ok_or_else(bad)?;
    let seconds_per = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(bad()),
    };
    let count: u64 = text[..text.len() - 1].parse().map_err(|_| bad())?;
    let lifetime = Duration::from_secs(count.checked_mul(seconds_per).ok_or_else(bad)?);
    if count == 0 || lifetime > MAX_LIFETIME {
        return Err(bad());
    }
    Ok(lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_forms_parse() {
        for (text, secs) in [
            ("30s", 30),
            ("15m", 900),
            ("1h", 3600),
            ("1d", 86_400),
            ("7d", 604_800),
            ("30d", 2_592_000),
        ] {
            assert_eq!(parse(text), Ok(Duration::from_secs(secs)), "{text}");
        }
    }

    #[test]
    fn anything_else_names_the_accepted_forms() {
        for text in [
            "",
            "15",
            "m",
            "1w",
            "-1h",
            "0d",
            "1.5h",
            "366d",
            "99999999999999999999d",
            "1 h",
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains("15m, 1h"), "{text}: {err}");
        }
    }
}
