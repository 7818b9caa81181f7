//! URL slugs: transliterated to ASCII (deunicode, through the `slug` crate), lower case,
//! separator runs collapsed to one `-`, trimmed, at most [`MAX_SLUG_LEN`] characters.

/// Longest slug `auto-slug` returns.
pub const MAX_SLUG_LEN: usize = 100;

pub fn auto_slug(text: &str) -> String {
    let mut slug = ::slug::slugify(text);
    if slug.len() > MAX_SLUG_LEN {
        // ASCII only after slugify, so any byte index is a char boundary.
        slug.truncate(MAX_SLUG_LEN);
        slug.truncate(slug.trim_end_matches('-').len());
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_reference() {
        for (text, slug) in [
            ("My Product Name", "my-product-name"),
            ("Crème Brûlée à la carte!", "creme-brulee-a-la-carte"),
            ("  --Hello,   World--  ", "hello-world"),
            ("Привет мир", "privet-mir"),
            ("Ελληνικά", "ellenika"),
            ("", ""),
            ("!!!", ""),
        ] {
            assert_eq!(auto_slug(text), slug, "{text}");
        }
    }

    #[test]
    fn long_slugs_are_cut_without_a_trailing_separator() {
        let text = "word ".repeat(40);
        let slug = auto_slug(&text);
        assert!(slug.len() <= MAX_SLUG_LEN, "{}", slug.len());
        assert!(!slug.ends_with('-'));
        assert!(slug.starts_with("word-word"));
    }
}
