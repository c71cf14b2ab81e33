//! "Did you mean …?" for near-miss names.

/// The candidate closest to `word`, when it is close enough to be a typo
/// (a normalised Damerau-Levenshtein similarity of at least 0.7, a single
/// edit, or one being the other with a different separator or case).
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '_', ' ', '.'], "");
    let w = norm(word);
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let score = if norm(c) == w {
            1.0
        } else if word.chars().count() >= 3 && strsim::damerau_levenshtein(word, c) <= 1 {
            // One edit away (`wbe` for `web`) is a typo whatever the length.
            0.99
        } else {
            strsim::normalized_damerau_levenshtein(word, c)
        };
        if score >= 0.7 && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// For dotted taxonomy keys: also tries the last segment alone, so that
/// `user.contact.emial` and `user.email` both find `user.contact.email`.
pub fn closest_key<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str> + Clone,
{
    if let Some(c) = closest(word, candidates.clone()) {
        return Some(c);
    }
    let last = word.rsplit('.').next().unwrap_or(word);
    let mut found: Vec<&str> = candidates
        .into_iter()
        .filter(|c| c.rsplit('.').next() == Some(last))
        .collect();
    found.sort_unstable();
    if found.len() == 1 { found.pop() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_not_strangers() {
        let ids = ["mixpanel", "segment", "sentry"];
        assert_eq!(closest("mixpnael", ids), Some("mixpanel"));
        assert_eq!(closest("Segment", ids), Some("segment"));
        assert_eq!(closest("stripe", ids), None);
        assert_eq!(
            closest_key("user.email", ["user.contact.email", "user.name"]),
            Some("user.contact.email")
        );
    }
}
