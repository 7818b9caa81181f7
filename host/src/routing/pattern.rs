//! Route path patterns: `/products/:id`, `/files/*`, validated and split into segments. The
//! splat's value (the rest of the path) is the `splat` param, so `splat` is no param name.

/// Why a path pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the path must start with '/'")]
    NoLeadingSlash,
    #[error("the path has an empty segment")]
    EmptySegment,
    #[error(
        "'{0}' is not a valid parameter name (letters, digits and '_', not starting with a digit)"
    )]
    BadParamName(String),
    #[error("the parameter ':{0}' appears twice")]
    DuplicateParam(String),
    #[error("'*' is only allowed as the whole last segment")]
    MisplacedSplat,
    #[error("the segment '{0}' has characters a path cannot hold")]
    BadSegment(String),
}

fn valid_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_static(segment: &str) -> bool {
    segment
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()+,;=@%".contains(c))
}

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Static(String),
    Param(String),
    /// The trailing `*`: one or more remaining segments, exposed as the `splat` param.
    Splat,
}

/// Validates `pattern` and splits it into segments (`/` is no segment at all).
pub fn parse_pattern(pattern: &str) -> Result<Vec<Segment>, PatternError> {
    let Some(rest) = pattern.strip_prefix('/') else {
        return Err(PatternError::NoLeadingSlash);
    };
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let raw: Vec<&str> = rest.split('/').collect();
    let mut segments = Vec::with_capacity(raw.len());
    for (i, segment) in raw.iter().enumerate() {
        if segment.is_empty() {
            return Err(PatternError::EmptySegment);
        }
        if *segment == "*" {
            if i + 1 != raw.len() {
                return Err(PatternError::MisplacedSplat);
            }
            segments.push(Segment::Splat);
        } else if let Some(name) = segment.strip_prefix(':') {
            if !valid_param_name(name) || name == "splat" {
                return Err(PatternError::BadParamName(name.to_owned()));
            }
            if segments.contains(&Segment::Param(name.to_owned())) {
                return Err(PatternError::DuplicateParam(name.to_owned()));
            }
            segments.push(Segment::Param(name.to_owned()));
        } else if segment.contains('*') {
            return Err(PatternError::MisplacedSplat);
        } else if !valid_static(segment) {
            return Err(PatternError::BadSegment((*segment).to_owned()));
        } else {
            segments.push(Segment::Static((*segment).to_owned()));
        }
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_split_into_static_param_and_splat_segments() {
        assert_eq!(
            parse_pattern("/files/:id/*").unwrap(),
            vec![
                Segment::Static("files".into()),
                Segment::Param("id".into()),
                Segment::Splat
            ]
        );
        assert_eq!(parse_pattern("/").unwrap(), vec![]);
    }

    #[test]
    fn malformed_patterns_are_refused() {
        assert_eq!(parse_pattern("hello"), Err(PatternError::NoLeadingSlash));
        assert_eq!(parse_pattern("/a//b"), Err(PatternError::EmptySegment));
        assert_eq!(parse_pattern("/a/"), Err(PatternError::EmptySegment));
        assert_eq!(parse_pattern("/a/*/b"), Err(PatternError::MisplacedSplat));
        assert_eq!(parse_pattern("/a/x*"), Err(PatternError::MisplacedSplat));
        assert!(matches!(
            parse_pattern("/a/:1x"),
            Err(PatternError::BadParamName(_))
        ));
        assert!(matches!(
            parse_pattern("/a/:splat"),
            Err(PatternError::BadParamName(_))
        ));
        assert!(matches!(
            parse_pattern("/a/:x/:x"),
            Err(PatternError::DuplicateParam(_))
        ));
        assert!(matches!(
            parse_pattern("/a/{x}"),
            Err(PatternError::BadSegment(_))
        ));
    }
}
