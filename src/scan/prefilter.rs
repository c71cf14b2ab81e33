//! The prefilter: one Aho-Corasick automaton over every name in the catalog
//! (package and import names, domains, config keys, snippets), built once per
//! scan and run once over each file before any parsing.
//!
//! A match only counts at identifier boundaries: `Sentry` inside
//! `hasEntryInput` or `rollbar` inside `Scrollbars` is not a mention. Files
//! with no mention are never parsed. The hits are kept: the config, endpoint
//! and snippet detectors work from them instead of searching again.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::index::{Index, VendorIx};

/// What a catalog name is, for one vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A package or import name.
    Name,
    /// An API or CDN host.
    Domain,
    /// An env or config key.
    ConfigKey,
    /// Inline loader snippet text.
    Snippet,
    /// A login provider's name (`github`), which counts only as the first
    /// argument of a registration call (see `scan::logins`).
    Login,
}

/// One pattern of the automaton.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The text searched for.
    pub text: String,
    /// Who owns it, and as what.
    pub owners: Vec<(Role, VendorIx)>,
    check_left: bool,
    check_right: bool,
    /// For a secret's required prefix: the secret patterns it starts (then
    /// the pattern names no vendor and is not a mention).
    secret: Vec<u16>,
}

/// A boundary-checked match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`Prefilter::patterns`].
    pub pattern: u32,
    /// Byte offset of the match.
    pub start: usize,
    /// Byte offset just past the match.
    pub end: usize,
}

/// The automaton and its patterns.
#[derive(Debug)]
pub struct Prefilter {
    ac: Option<AhoCorasick>,
    /// The DFA, once [`Prefilter::build_dfa`] ran (`None` inside when it
    /// could not be built): searches use it from then on.
    dfa: std::sync::OnceLock<Option<AhoCorasick>>,
    /// Patterns by id.
    pub patterns: Vec<Pattern>,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

impl Prefilter {
    /// Builds the automaton over an index's names.
    pub fn new(index: &Index) -> Prefilter {
        Prefilter::build(Prefilter::names(index))
    }

    fn names(index: &Index) -> Vec<Pattern> {
        let mut by_text: std::collections::BTreeMap<String, Vec<(Role, VendorIx)>> =
            Default::default();
        for (n, v) in index.prefilter_names() {
            by_text.entry(n).or_default().push((Role::Name, v));
        }
        for (d, v) in &index.domains {
            by_text
                .entry(super::index::host_of(d).to_string())
                .or_default()
                .push((Role::Domain, *v));
        }
        for (k, v) in &index.config_keys {
            by_text
                .entry(k.clone())
                .or_default()
                .push((Role::ConfigKey, *v));
        }
        for (s, v) in &index.snippets {
            by_text
                .entry(s.clone())
                .or_default()
                .push((Role::Snippet, *v));
        }
        for (name, v) in index.login_provider_names() {
            if let Some(m) = super::logins::registration_method(&name) {
                by_text.entry(m).or_default().push((Role::Login, v));
            }
            by_text.entry(name).or_default().push((Role::Login, v));
        }
        let patterns: Vec<Pattern> = by_text
            .into_iter()
            .filter(|(t, _)| !t.is_empty())
            .map(|(text, mut owners)| {
                owners.sort_by_key(|(r, v)| (*r as u8, *v));
                owners.dedup();
                let b = text.as_bytes();
                Pattern {
                    check_left: b.first().is_some_and(|c| is_word(*c)),
                    check_right: b.last().is_some_and(|c| is_word(*c)),
                    text,
                    owners,
                    secret: Vec::new(),
                }
            })
            .collect();
        patterns
    }

    /// [`Prefilter::new`] that also finds secrets' required prefixes in the
    /// same pass ([`Prefilter::scan_with_secrets`]); they are not mentions.
    pub fn with_secrets(index: &Index, secrets: &[(Vec<u8>, Vec<u16>)]) -> Prefilter {
        let mut patterns = Prefilter::names(index);
        for (lit, owners) in secrets {
            if let Ok(text) = String::from_utf8(lit.clone()) {
                patterns.push(Pattern {
                    text,
                    owners: Vec::new(),
                    check_left: false,
                    check_right: false,
                    secret: owners.clone(),
                });
            }
        }
        Prefilter::build(patterns)
    }

    fn build(patterns: Vec<Pattern>) -> Prefilter {
        // A contiguous NFA builds in a few milliseconds; the DFA that
        // searches faster takes about 150 ms and 60 MB to build for the
        // whole catalog, more than scanning a whole application repository
        // costs (see `build_dfa`).
        let ac = Prefilter::automaton(&patterns, Some(AhoCorasickKind::ContiguousNFA))
            .or_else(|| Prefilter::automaton(&patterns, None));
        Prefilter {
            ac,
            dfa: std::sync::OnceLock::new(),
            patterns,
        }
    }

    fn automaton(patterns: &[Pattern], kind: Option<AhoCorasickKind>) -> Option<AhoCorasick> {
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(patterns.iter().map(|p| p.text.as_bytes()))
            .ok()
    }

    /// Builds a DFA and switches to it, for a tree large enough to repay
    /// building it (tens of thousands of files: vendored SDKs, a monorepo).
    /// Other threads keep searching with the NFA while it is built, then
    /// use it. Same matches; keeps the NFA if the DFA cannot be built.
    pub fn build_dfa(&self) {
        self.dfa
            .get_or_init(|| Prefilter::automaton(&self.patterns, Some(AhoCorasickKind::DFA)));
    }

    /// Drops the DFA (tens of MB for the whole catalog) once the files
    /// that repay it were searched: searches go back to the NFA, with the
    /// same matches.
    pub fn drop_dfa(&mut self) {
        self.dfa.take();
    }

    /// Every boundary-checked mention in `text`, in order of position.
    pub fn scan(&self, text: &[u8]) -> Vec<Hit> {
        self.scan_with_secrets(text).0
    }

    /// [`Prefilter::scan`], and where secrets' prefixes start: (byte offset,
    /// secret pattern).
    pub fn scan_with_secrets(&self, text: &[u8]) -> (Vec<Hit>, Vec<(usize, u16)>) {
        let Some(ac) = self.dfa.get().and_then(Option::as_ref).or(self.ac.as_ref()) else {
            return (Vec::new(), Vec::new());
        };
        let mut hits = Vec::new();
        let mut secrets = Vec::new();
        for m in ac.find_overlapping_iter(text) {
            let id = m.pattern().as_usize();
            let Some(p) = self.patterns.get(id) else {
                continue;
            };
            if !p.secret.is_empty() {
                secrets.extend(p.secret.iter().map(|s| (m.start(), *s)));
                continue;
            }
            if p.check_left && m.start() > 0 && is_word(text[m.start() - 1]) {
                continue;
            }
            if p.check_right && m.end() < text.len() && is_word(text[m.end()]) {
                continue;
            }
            hits.push(Hit {
                pattern: id as u32,
                start: m.start(),
                end: m.end(),
            });
        }
        hits.sort_by_key(|h| (h.start, h.end, h.pattern));
        (hits, secrets)
    }

    /// The pattern of a hit.
    pub fn pattern(&self, hit: &Hit) -> &Pattern {
        &self.patterns[hit.pattern as usize]
    }

    /// The vendors a hit names in `role`.
    pub fn owners<'a>(&'a self, hit: &Hit, role: Role) -> impl Iterator<Item = VendorIx> + 'a {
        self.pattern(hit)
            .owners
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, CatalogVendor};

    fn vendor(yaml: &str) -> CatalogVendor {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn pf() -> Prefilter {
        let cat = Catalog::from_vendors(vec![
            vendor(
                "{id: sentry, name: Sentry, category: error-monitoring, packages: {npm: ['@sentry/node']}, imports: {php: [Sentry]}, domains: [sentry.io]}",
            ),
            vendor(
                "{id: rollbar, name: Rollbar, category: error-monitoring, packages: {npm: [rollbar]}}",
            ),
        ]);
        Prefilter::new(&Index::new(&cat))
    }

    #[test]
    fn the_dfa_finds_what_the_nfa_finds() {
        let text = b"import * as Sentry from '@sentry/node'; // https://o1.ingest.sentry.io\nconst r = require('rollbar'); hasEntryInput(); rollbar_x";
        let mut p = pf();
        let nfa = p.scan(text);
        p.build_dfa();
        let dfa = p.scan(text);
        assert_eq!(nfa, dfa);
        p.drop_dfa();
        assert_eq!(nfa, p.scan(text));
        assert!(nfa.len() >= 3, "{nfa:?}");
    }

    #[test]
    fn substrings_of_identifiers_are_not_mentions() {
        let p = pf();
        assert!(
            p.scan(b"const hasEntryInput = 1; class Scrollbars {}")
                .is_empty()
        );
        assert!(p.scan(b"import Rollbarish from 'x'").is_empty());
        assert_eq!(p.scan(b"use Sentry\\State;").len(), 1);
        assert_eq!(p.scan(b"require('rollbar')").len(), 1);
    }

    #[test]
    fn domains_match_inside_urls() {
        let p = pf();
        let hits = p.scan(b"fetch('https://o1.ingest.sentry.io/api/1')");
        assert_eq!(hits.len(), 1);
        assert_eq!(p.owners(&hits[0], Role::Domain).count(), 1);
    }
}
