//! Hard-coded vendor secrets (a live payment key, a cloud access key) found
//! in the source, for `blastmap check`'s `secret-in-source`.
//!
//! The patterns are the catalog's `secret_patterns`, each owned by a vendor.
//! Every read file is searched, not only those that name a vendor: a key is
//! often pasted into a config module that never says whose it is. To keep
//! that cheap, each pattern's required prefixes (`sk_live_`, `AKIA`) are
//! pulled out of the regex and searched with one Aho-Corasick automaton;
//! only a file that contains one runs the regexes. Patterns without a usable
//! prefix (`[0-9a-f]{32}-us12`) run only on files the scan already analyses.
//!
//! A finding never holds the secret: its text is the line with the value
//! replaced by `[REDACTED]`.

use aho_corasick::AhoCorasick;
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::{Deserialize, Serialize};

use super::redact::{REDACTED, Redactor};
use crate::catalog::Catalog;

/// Prefixes shorter than this match too much text to be worth a prefilter.
const MIN_PREFIX: usize = 3;
/// Lines longer than this are cut around the secret in the quoted text.
const MAX_TEXT: usize = 200;

/// One secret found in one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SecretFinding {
    /// The vendor whose secret it is (catalog id).
    pub vendor: String,
    /// Path relative to the scanned root, `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The line, with the secret replaced by `[REDACTED]`.
    pub text: String,
}

/// A secret before it gets its file name: (vendor id, line, redacted text).
pub(crate) type Hit = (String, u32, String);

struct Pattern {
    vendor: String,
    regex: Regex,
}

/// A pattern with a required prefix: searched only where the prefix is,
/// anchored there (the whole text stays the haystack, so `\b` still sees
/// the character before).
struct Anchored {
    vendor: String,
    regex: regex_automata::meta::Regex,
}

/// The compiled patterns of a catalog.
pub struct Secrets {
    /// Patterns with a required prefix.
    strong: Vec<Anchored>,
    /// One automaton over every strong pattern's prefixes.
    prefixes: Option<AhoCorasick>,
    /// Per prefix (automaton pattern id): the strong patterns it starts.
    owners: Vec<Vec<usize>>,
    /// The prefixes and their patterns, for the scan's prefilter.
    literals: Vec<(Vec<u8>, Vec<u16>)>,
    /// Patterns without one, searched in analysed files only.
    weak: Vec<Pattern>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("strong", &self.strong.len())
            .field("weak", &self.weak.len())
            .finish()
    }
}

/// The literal prefixes every match of `pattern` starts with, when they are
/// finite and long enough to search for.
fn prefixes(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix);
    let seq = ex.extract(&hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < MIN_PREFIX) {
        return None;
    }
    let mut out: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_vec()).collect();
    // `cloudinary://[0-9]{12,16}` expands to a hundred literals; their common
    // prefix finds the same places with one.
    if out.len() > 4 {
        let first = out[0].clone();
        let common = out.iter().fold(first.len(), |n, l| {
            n.min(first.iter().zip(l).take_while(|(a, b)| a == b).count())
        });
        if common >= MIN_PREFIX {
            out = vec![first[..common].to_vec()];
        }
    }
    Some(out)
}

impl Secrets {
    /// Compiles the catalog's patterns; invalid ones are left out (the
    /// catalog test rejects them before a release).
    pub fn new(catalog: &Catalog) -> Secrets {
        let mut strong = Vec::new();
        let mut weak = Vec::new();
        let mut by_lit: std::collections::BTreeMap<Vec<u8>, Vec<usize>> = Default::default();
        for v in catalog.iter() {
            for p in &v.secret_patterns {
                match prefixes(p) {
                    Some(lits) => {
                        let Ok(regex) = regex_automata::meta::Regex::new(p) else {
                            continue;
                        };
                        for l in lits {
                            by_lit.entry(l).or_default().push(strong.len());
                        }
                        strong.push(Anchored {
                            vendor: v.id.clone(),
                            regex,
                        });
                    }
                    None => {
                        let Ok(regex) = Regex::new(p) else { continue };
                        weak.push(Pattern {
                            vendor: v.id.clone(),
                            regex,
                        });
                    }
                }
            }
        }
        let literals: Vec<(Vec<u8>, Vec<u16>)> = by_lit
            .iter()
            .map(|(l, o)| (l.clone(), o.iter().map(|&i| i as u16).collect()))
            .collect();
        let (lits, owners): (Vec<Vec<u8>>, Vec<Vec<usize>>) = by_lit.into_iter().unzip();
        let prefixes = if lits.is_empty() {
            None
        } else {
            AhoCorasick::new(&lits).ok()
        };
        Secrets {
            strong,
            prefixes,
            owners,
            literals,
            weak,
        }
    }

    /// Every required prefix with the strong patterns it starts, for a
    /// prefilter that searches them in the same pass as the catalog's names.
    pub(crate) fn literals(&self) -> Vec<(Vec<u8>, Vec<u16>)> {
        self.literals.clone()
    }

    /// The secrets in `text`; `analysed` says whether the scan parses this
    /// file anyway (then the patterns without a prefix run too).
    pub(crate) fn find(&self, text: &str, analysed: bool, redactor: &Redactor) -> Vec<Hit> {
        let mut starts = Vec::new();
        if let Some(ac) = &self.prefixes {
            for m in ac.find_overlapping_iter(text.as_bytes()) {
                if let Some(owners) = self.owners.get(m.pattern().as_usize()) {
                    starts.extend(owners.iter().map(|&i| (m.start(), i as u16)));
                }
            }
        }
        self.find_from(text, &starts, analysed, redactor)
    }

    /// The secrets in `text`, given where prefixes were found (byte offset,
    /// strong pattern) by a prefilter.
    pub(crate) fn find_from(
        &self,
        text: &str,
        starts: &[(usize, u16)],
        analysed: bool,
        redactor: &Redactor,
    ) -> Vec<Hit> {
        use regex_automata::{Anchored as Anchor, Input};
        let mut out = Vec::new();
        for &(at, i) in starts {
            let Some(p) = self.strong.get(usize::from(i)) else {
                continue;
            };
            if at > text.len() {
                continue;
            }
            let input = Input::new(text).range(at..).anchored(Anchor::Yes);
            if let Some(found) = p.regex.search(&input) {
                let (a, b) = (found.start(), found.end());
                if bounded(text, a, b) {
                    out.push((
                        p.vendor.clone(),
                        line_of(text, a),
                        redacted_line(text, a, b, redactor),
                    ));
                }
            }
        }
        if analysed {
            for p in &self.weak {
                for m in p.regex.find_iter(text) {
                    if !bounded(text, m.start(), m.end()) {
                        continue;
                    }
                    out.push((
                        p.vendor.clone(),
                        line_of(text, m.start()),
                        redacted_line(text, m.start(), m.end(), redactor),
                    ));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A key is a token of its own: a match inside an identifier
/// (`parser.parseValueLiteral…` for Flagsmith's `ser.…`) or a longer run of
/// hex is not one.
fn bounded(text: &str, a: usize, b: usize) -> bool {
    let bytes = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    text.is_char_boundary(a)
        && text.is_char_boundary(b)
        && (a == 0 || !word(bytes[a - 1]))
        && bytes.get(b).is_none_or(|c| !c.is_ascii_alphanumeric())
}

fn line_of(text: &str, at: usize) -> u32 {
    let n = text.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// The line around `start..end` with that span replaced, every other
/// secret on the line redacted too, trimmed, and cut to a readable length
/// around the first redaction. Everything is redacted before the line is
/// cut, so that no cut leaves a piece of a secret the rules would no
/// longer recognise.
fn redacted_line(text: &str, start: usize, end: usize, redactor: &Redactor) -> String {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    // The whole line first (some rules need their context: an AWS secret
    // is known by the access key id beside it), then this match wherever
    // it appears again (the same key may stand twice on a line).
    let line = redactor.redact(line).replace(&text[start..end], REDACTED);
    let at = line.find(REDACTED).unwrap_or(0);
    let (head, tail) = line.split_at(at);
    let head = tail_chars(head, MAX_TEXT / 2);
    let tail: String = tail.chars().take(MAX_TEXT / 2 + REDACTED.len()).collect();
    format!("{head}{tail}").trim().to_string()
}

fn tail_chars(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    if count <= n {
        return s;
    }
    let skip = s.char_indices().nth(count - n).map_or(0, |(i, _)| i);
    &s[skip..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogVendor;

    fn catalog() -> Catalog {
        let v = |y: &str| serde_yaml::from_str::<CatalogVendor>(y).unwrap();
        Catalog::from_vendors(vec![
            v(
                "{id: stripe, name: Stripe, category: payments, secret_patterns: ['sk_live_[0-9a-zA-Z]{24,}', 'rk_live_[0-9a-zA-Z]{24,}']}",
            ),
            v(
                "{id: mailchimp, name: Mailchimp, category: email, secret_patterns: ['[0-9a-f]{32}-us[0-9]{1,2}']}",
            ),
        ])
    }

    const KEY: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

    #[test]
    fn a_live_key_is_found_and_never_kept() {
        let s = Secrets::new(&catalog());
        let text =
            format!("import Stripe from 'stripe';\n\nconst stripe = new Stripe(\"{KEY}\");\n");
        let hits = s.find(&text, false, &Redactor::new(&[]));
        assert_eq!(hits.len(), 1);
        let (vendor, line, quoted) = &hits[0];
        assert_eq!((vendor.as_str(), *line), ("stripe", 3));
        assert_eq!(quoted, "const stripe = new Stripe(\"[REDACTED]\");");
        assert!(!quoted.contains("4eC39HqLyjWDarjtT1zdp7dc"));
    }

    #[test]
    fn test_keys_and_placeholders_are_not_secrets() {
        let s = Secrets::new(&catalog());
        let text =
            "STRIPE_KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'\nkey = 'sk_live_...'\n# sk_live_xxx\n";
        assert!(s.find(text, true, &Redactor::new(&[])).is_empty());
    }

    #[test]
    fn patterns_without_a_prefix_run_only_on_analysed_files() {
        let s = Secrets::new(&catalog());
        let text = "MAILCHIMP = '0123456789abcdef0123456789abcdef-us12'\n";
        assert!(s.find(text, false, &Redactor::new(&[])).is_empty());
        let hits = s.find(text, true, &Redactor::new(&[]));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].2, "MAILCHIMP = '[REDACTED]'");
    }

    #[test]
    fn the_same_key_twice_on_a_line_is_redacted_twice() {
        let s = Secrets::new(&catalog());
        let text = format!("a = '{KEY}'; b = '{KEY}'\n");
        for (_, _, quoted) in s.find(&text, false, &Redactor::new(&[])) {
            assert!(!quoted.contains("4eC39"), "{quoted}");
        }
    }

    #[test]
    fn a_prefix_inside_an_identifier_is_not_a_key() {
        let cat = {
            let v = |y: &str| serde_yaml::from_str::<CatalogVendor>(y).unwrap();
            Catalog::from_vendors(vec![v(
                "{id: flagsmith, name: Flagsmith, category: feature-flags, secret_patterns: ['ser\\.[A-Za-z0-9]{22}']}",
            )])
        };
        let s = Secrets::new(&cat);
        let code = "const value = parser.parseValueLiteralAbcdefgh();\n";
        assert!(s.find(code, true, &Redactor::new(&[])).is_empty());
        let key = "FLAGSMITH_KEY = \"ser.Ab3dEf6hIj9kLm2nOp5qRs\"\n";
        assert_eq!(s.find(key, true, &Redactor::new(&[])).len(), 1);
        let longer = "x = 'ser.Ab3dEf6hIj9kLm2nOp5qRsTUVWXYZ'\n";
        assert!(s.find(longer, true, &Redactor::new(&[])).is_empty());
    }

    #[test]
    fn prefixes_come_from_the_regex() {
        assert_eq!(
            prefixes("sk_live_[0-9a-zA-Z]{24,}"),
            Some(vec![b"sk_live_".to_vec()])
        );
        assert_eq!(prefixes("[0-9a-f]{32}-us[0-9]{1,2}"), None);
        assert_eq!(prefixes("SK[0-9a-fA-F]{32}"), None);
    }
}
