//! The data-category taxonomy: fideslang's 85 keys plus blastmap's
//! extensions, each with a parent chain and a default sensitivity.
//!
//! Invariant: every key's parent is itself a key, and every key starts with
//! its parent's key followed by a dot, so ancestry is a prefix test.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::vocab::Sensitivity;

/// The first two segments of a category key (`user.contact.email` →
/// `user.contact`): the group a field falls in on a diagram and in a
/// report's grouped list.
pub fn group_key(category: &str) -> &str {
    match category.match_indices('.').nth(1) {
        Some((i, _)) => &category[..i],
        None => category,
    }
}

/// One category of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Display name.
    pub name: String,
    /// Parent key; `None` for `user` and `system`.
    #[serde(default)]
    pub parent: Option<String>,
    /// Default sensitivity.
    pub sensitivity: Sensitivity,
    /// Plain words for reports and notices ("email addresses").
    #[serde(default)]
    pub plain: Option<String>,
    /// True for keys blastmap or the declaration file adds to fideslang's.
    #[serde(default)]
    pub extension: bool,
}

/// The whole taxonomy, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taxonomy {
    keys: BTreeMap<String, Category>,
}

static BUILTIN: OnceLock<Taxonomy> = OnceLock::new();
const BUILTIN_YAML: &str = include_str!("taxonomy.yaml");

impl Taxonomy {
    /// The built-in taxonomy, parsed once.
    pub fn builtin() -> &'static Taxonomy {
        BUILTIN.get_or_init(|| {
            let keys: BTreeMap<String, Category> = serde_yaml::from_str(BUILTIN_YAML)
                .expect("the built-in taxonomy is valid (checked by a test)");
            Taxonomy { keys }
        })
    }

    /// Looks up a key.
    pub fn get(&self, key: &str) -> Option<&Category> {
        self.keys.get(key)
    }

    /// True when the key exists.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    /// All keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> + Clone {
        self.keys.keys().map(String::as_str)
    }

    /// All entries, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Category)> {
        self.keys.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Adds a key (the declaration file's `taxonomy:` section). The caller
    /// checks that the parent exists.
    pub fn insert(&mut self, key: String, category: Category) {
        self.keys.insert(key, category);
    }

    /// The default sensitivity of a key (low for unknown keys).
    pub fn sensitivity(&self, key: &str) -> Sensitivity {
        self.get(key).map(|c| c.sensitivity).unwrap_or_default()
    }

    /// Plain words for a key, falling back to its name, then the key.
    pub fn plain<'a>(&'a self, key: &'a str) -> &'a str {
        match self.get(key) {
            Some(c) => c.plain.as_deref().unwrap_or(&c.name),
            None => key,
        }
    }

    /// True when `key` is `ancestor` or lies below it.
    pub fn is_within(key: &str, ancestor: &str) -> bool {
        key == ancestor
            || (key.len() > ancestor.len()
                && key.starts_with(ancestor)
                && key.as_bytes()[ancestor.len()] == b'.')
    }

    /// The key followed by its ancestors, nearest first.
    pub fn chain<'a>(&'a self, key: &'a str) -> Vec<&'a str> {
        let mut out = vec![key];
        let mut cur = key;
        while let Some(p) = self.get(cur).and_then(|c| c.parent.as_deref()) {
            out.push(p);
            cur = p;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are what reports print beside a key: an API key must never be
    /// called a password (the name came from an upstream table that had
    /// it so), and a name and its plain words name the same thing.
    #[test]
    fn credentials_are_not_called_passwords() {
        let t = Taxonomy::builtin();
        let c = t.get("user.authorization.credentials").unwrap();
        assert_eq!(c.name, "Credentials (API keys and tokens)");
        for key in ["user.authorization.credentials", "system.authentication"] {
            let c = t.get(key).unwrap();
            let words = format!("{} {}", c.name, c.plain.as_deref().unwrap_or(""));
            assert!(!words.to_lowercase().contains("password"), "{key}: {words}");
        }
        let p = t.get("user.authorization.password").unwrap();
        assert!(p.name.contains("Password") && p.plain.as_deref() == Some("passwords"));
    }

    #[test]
    fn builtin_tree_is_consistent() {
        let t = Taxonomy::builtin();
        let fideslang = t.iter().filter(|(_, c)| !c.extension).count();
        assert_eq!(fideslang, 85, "fideslang 3.0 has 85 data categories");
        for (key, cat) in t.iter() {
            match &cat.parent {
                Some(p) => {
                    assert!(t.contains(p), "{key}: parent {p} missing");
                    assert!(Taxonomy::is_within(key, p), "{key} is not below {p}");
                }
                None => assert!(key == "user" || key == "system", "{key} has no parent"),
            }
            assert!(cat.plain.is_some(), "{key} has no plain wording");
        }
        for ext in [
            "user.device.os",
            "user.device.browser",
            "user.device.user_agent",
            "user.behavior.referrer",
            "user.unique_id.organization",
        ] {
            assert!(t.get(ext).is_some_and(|c| c.extension), "{ext}");
        }
    }

    #[test]
    fn sensitive_families_are_high_or_critical() {
        let t = Taxonomy::builtin();
        for (key, cat) in t.iter() {
            let sensitive = [
                "user.authorization.",
                "user.financial.",
                "user.government_id.",
                "user.health_and_medical",
                "user.content.private",
                "user.biometric",
            ]
            .iter()
            .any(|p| key.starts_with(p));
            if sensitive {
                assert!(
                    cat.sensitivity >= Sensitivity::High,
                    "{key} is {}",
                    cat.sensitivity
                );
            }
        }
        assert_eq!(
            t.sensitivity("user.authorization.credentials"),
            Sensitivity::Critical
        );
        assert_eq!(t.sensitivity("user.location.imprecise"), Sensitivity::Low);
    }

    #[test]
    fn ancestry_is_dot_aware() {
        assert!(Taxonomy::is_within("user.contact.email", "user.contact"));
        assert!(Taxonomy::is_within("user.contact", "user.contact"));
        assert!(!Taxonomy::is_within("user.contactx", "user.contact"));
        let t = Taxonomy::builtin();
        assert_eq!(
            t.chain("user.contact.address.city"),
            vec![
                "user.contact.address.city",
                "user.contact.address",
                "user.contact",
                "user"
            ]
        );
    }
}
