//! Canary identity: the test account's own values (email, name, phone,
//! user id, address), found anywhere in outgoing traffic.
//!
//! Each value is searched in the forms it travels in: as written
//! (`plain`), lower-cased, URL-encoded, base64, and as the SHA-256 and MD5
//! hex digests of its normalised form, which is what advertising pixels'
//! "advanced matching" sends (an email trimmed and lower-cased; a phone
//! number as digits only, with and without a leading `+`; anything else
//! trimmed and lower-cased). A hashed email is still the email.
//!
//! The file is a small YAML map of names to values:
//!
//! ```yaml
//! email: ada.canary@example.com
//! name: Ada Canary
//! phone: "+44 20 7946 0000"
//! user_id: u-7c1d0e
//! address: 12 Canary Wharf, London
//! plan_code: ZX-CANARY-42     # any extra key is allowed
//! ```

use std::path::Path;

use aho_corasick::AhoCorasick;
use base64::Engine;
use md5::Digest;

/// Values shorter than this would match by chance everywhere.
pub const MIN_LEN: usize = 4;

/// The test account's values, by name, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Canary {
    /// (name, value), sorted by name.
    pub values: Vec<(String, String)>,
}

/// How a canary value appeared.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// As written.
    Plain,
    /// Lower-cased.
    Lowercase,
    /// Percent-encoded.
    UrlEncoded,
    /// Base64 (standard or URL-safe).
    Base64,
    /// SHA-256 hex of the normalised value.
    Sha256,
    /// MD5 hex of the normalised value.
    Md5,
}

impl Encoding {
    /// The name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Plain => "plain",
            Encoding::Lowercase => "lowercase",
            Encoding::UrlEncoded => "url-encoded",
            Encoding::Base64 => "base64",
            Encoding::Sha256 => "sha256",
            Encoding::Md5 => "md5",
        }
    }
}

/// A canary file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}\n  help: {help}")]
pub struct CanaryError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

const HELP: &str = "write one `name: value` per line, e.g. `email: ada.canary@example.com` (see README, \"Observed traffic\")";

impl Canary {
    /// Parses a canary file's text.
    pub fn load_str(text: &str, file: &Path) -> Result<Canary, CanaryError> {
        let err = |message: String| CanaryError {
            file: file.display().to_string(),
            message,
            help: HELP.into(),
        };
        let v: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("line {}, column {}: ", l.line(), l.column()))
                .unwrap_or_default();
            err(format!("{at}not valid YAML: {e}"))
        })?;
        let serde_yaml::Value::Mapping(m) = v else {
            return Err(err("expected a map of names to values".into()));
        };
        let mut values = Vec::new();
        let mut problems = Vec::new();
        for (k, v) in m {
            let Some(key) = scalar(&k) else {
                problems.push("a key is not a plain name".to_string());
                continue;
            };
            let Some(value) = scalar(&v) else {
                problems.push(format!("`{key}`: expected a single value (text or number)"));
                continue;
            };
            let value = value.trim().to_string();
            if value.chars().count() < MIN_LEN {
                problems.push(format!(
                    "`{key}`: the value is shorter than {MIN_LEN} characters and would match by chance"
                ));
                continue;
            }
            values.push((key, value));
        }
        if !problems.is_empty() {
            return Err(err(problems.join("; ")));
        }
        if values.is_empty() {
            return Err(err("no values".into()));
        }
        values.sort();
        Ok(Canary { values })
    }

    /// The taxonomy category a canary name stands for (`email` →
    /// `user.contact.email`), when the name says it.
    pub fn category(name: &str) -> Option<String> {
        let n = name.to_ascii_lowercase();
        let known = [
            ("email", "user.contact.email"),
            ("phone", "user.contact.phone_number"),
            ("address", "user.contact.address"),
            ("user_id", "user.unique_id"),
            ("userid", "user.unique_id"),
            ("name", "user.name"),
        ];
        known
            .iter()
            .find(|(k, _)| n == *k || n.ends_with(&format!("_{k}")) || n.contains(k))
            .map(|(_, c)| c.to_string())
            .or_else(|| {
                crate::scan::classify::classify(name)
                    .map(|c| c.category)
                    .filter(|c| c.starts_with("user."))
            })
    }
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The normalised forms a value is hashed in.
fn normalised(name: &str, value: &str) -> Vec<String> {
    let n = name.to_ascii_lowercase();
    if n.contains("phone") {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        vec![digits.clone(), format!("+{digits}")]
    } else {
        vec![value.trim().to_lowercase()]
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encoding of everything but unreserved characters.
fn url_encode(s: &str, plus: bool) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                o.push(b as char)
            }
            b' ' if plus => o.push('+'),
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

/// One canary hit: which value, in which form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// The canary's name (`email`).
    pub name: String,
    /// The form found.
    pub encoding: Encoding,
}

/// Every form of every canary value, compiled for searching.
#[derive(Debug)]
pub struct Finder {
    exact: Option<AhoCorasick>,
    exact_ids: Vec<(usize, Encoding)>,
    folded: Option<AhoCorasick>,
    folded_ids: Vec<(usize, Encoding)>,
    names: Vec<String>,
    /// Each needle's text with its canary index, for masking values in
    /// outputs.
    needles: Vec<(String, usize)>,
}

impl Finder {
    /// Builds the search for `canary`.
    pub fn new(canary: &Canary) -> Finder {
        let mut exact: Vec<(String, usize, Encoding)> = Vec::new();
        let mut folded: Vec<(String, usize, Encoding)> = Vec::new();
        let b64 = |s: &str| {
            use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
            [
                STANDARD_NO_PAD.encode(s.as_bytes()),
                URL_SAFE_NO_PAD.encode(s.as_bytes()),
            ]
        };
        for (i, (name, value)) in canary.values.iter().enumerate() {
            let lower = value.to_lowercase();
            exact.push((value.clone(), i, Encoding::Plain));
            if lower != *value {
                exact.push((lower.clone(), i, Encoding::Lowercase));
            }
            for v in [value.as_str(), lower.as_str()] {
                for plus in [true, false] {
                    let e = url_encode(v, plus);
                    if e != v {
                        // `%40` and `%2f` are written in either case.
                        folded.push((e, i, Encoding::UrlEncoded));
                    }
                }
                for e in b64(v) {
                    exact.push((e, i, Encoding::Base64));
                }
            }
            for n in normalised(name, value) {
                folded.push((
                    hex(&sha2::Sha256::digest(n.as_bytes())),
                    i,
                    Encoding::Sha256,
                ));
                folded.push((hex(&md5::Md5::digest(n.as_bytes())), i, Encoding::Md5));
            }
        }
        let build = |list: &mut Vec<(String, usize, Encoding)>, fold: bool| {
            list.sort();
            list.dedup_by(|a, b| a.0 == b.0);
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(fold)
                .build(list.iter().map(|(t, _, _)| t.as_bytes()))
                .ok();
            let ids = list.iter().map(|(_, i, e)| (*i, *e)).collect();
            (ac, ids)
        };
        let (exact_ac, exact_ids) = build(&mut exact, false);
        let (folded_ac, folded_ids) = build(&mut folded, true);
        let mut needles: Vec<(String, usize)> = exact
            .iter()
            .chain(folded.iter())
            .map(|(t, i, _)| (t.clone(), *i))
            .collect();
        // Longest first, so a mask covers the whole form.
        needles.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        Finder {
            exact: exact_ac,
            exact_ids,
            folded: folded_ac,
            folded_ids,
            names: canary.values.iter().map(|(n, _)| n.clone()).collect(),
            needles,
        }
    }

    /// The canary forms in `text`, sorted, each once.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let mut out = Vec::new();
        for (ac, ids) in [
            (&self.exact, &self.exact_ids),
            (&self.folded, &self.folded_ids),
        ] {
            let Some(ac) = ac else { continue };
            for m in ac.find_overlapping_iter(text) {
                if let Some((i, e)) = ids.get(m.pattern().as_usize()) {
                    out.push(Hit {
                        name: self.names[*i].clone(),
                        encoding: *e,
                    });
                }
            }
        }
        out.sort();
        out.dedup();
        // A lower-cased value that is also the plain one's lower-cased
        // match is reported once, as found.
        out
    }

    /// `text` with every canary form replaced by `[canary:NAME]`.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (needle, i) in &self.needles {
            if needle.is_empty() {
                continue;
            }
            let lower_hay = out.to_ascii_lowercase();
            let lower_needle = needle.to_ascii_lowercase();
            if !lower_hay.contains(&lower_needle) {
                continue;
            }
            // Case-insensitive replace, on ASCII-folded positions.
            let mut res = String::with_capacity(out.len());
            let mut last = 0;
            for (pos, _) in lower_hay.match_indices(&lower_needle) {
                if pos < last || !out.is_char_boundary(pos) {
                    continue;
                }
                res.push_str(&out[last..pos]);
                res.push_str(&format!("[canary:{}]", self.names[*i]));
                last = pos + lower_needle.len();
            }
            res.push_str(&out[last..]);
            out = res;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canary() -> Canary {
        Canary::load_str(
            "email: Ada.Canary@Example.com\nphone: '+44 20 7946 0000'\nuser_id: u-7c1d0e\n",
            Path::new("canary.yaml"),
        )
        .unwrap()
    }

    fn found(text: &str) -> Vec<(String, &'static str)> {
        Finder::new(&canary())
            .find(text)
            .into_iter()
            .map(|h| (h.name, h.encoding.as_str()))
            .collect()
    }

    #[test]
    fn every_form_is_found() {
        assert_eq!(
            found("e=Ada.Canary@Example.com"),
            [("email".into(), "plain")]
        );
        assert_eq!(
            found("e=ada.canary@example.com"),
            [("email".into(), "lowercase")]
        );
        assert!(found("e=Ada.Canary%40Example.com").contains(&("email".into(), "url-encoded")));
        let b = base64::engine::general_purpose::STANDARD.encode("Ada.Canary@Example.com");
        assert!(found(&b).contains(&("email".into(), "base64")));
        let sha = hex(&sha2::Sha256::digest(b"ada.canary@example.com"));
        assert_eq!(found(&sha.to_uppercase()), [("email".into(), "sha256")]);
        let md5 = hex(&md5::Md5::digest(b"ada.canary@example.com"));
        assert_eq!(found(&md5), [("email".into(), "md5")]);
        let phone = hex(&sha2::Sha256::digest(b"442079460000"));
        assert_eq!(found(&phone), [("phone".into(), "sha256")]);
        assert!(found("nothing here").is_empty());
    }

    #[test]
    fn masks_every_form() {
        let f = Finder::new(&canary());
        assert_eq!(
            f.mask("/u/ada.canary%40example.com/x?id=u-7c1d0e"),
            "/u/[canary:email]/x?id=[canary:user_id]"
        );
    }

    #[test]
    fn bad_files_say_why() {
        let e = Canary::load_str("email: ab\n", Path::new("c.yaml")).unwrap_err();
        assert!(e.to_string().contains("shorter than 4"), "{e}");
        let e = Canary::load_str("- a\n", Path::new("c.yaml")).unwrap_err();
        assert!(e.to_string().contains("map of names"), "{e}");
        assert_eq!(
            Canary::category("email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(Canary::category("full_name").as_deref(), Some("user.name"));
    }
}
