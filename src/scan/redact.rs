//! Secret redaction for every text that leaves the process. Every line a
//! scan quotes, every file name it reports, and every evidence text read
//! back from a scan or a map file passes through [`Redactor::redact`], so a
//! live key found in source is never copied into a report, a CI log or a
//! ticket, however many share a line.
//!
//! Three rules, all applied to the whole text:
//! - the catalog's vendor-specific secret patterns (`sk_live_…`), run as
//!   one [`RegexSet`] so that only the patterns present are replaced;
//! - well-known token shapes that belong to no catalog vendor (GitHub and
//!   GitLab tokens, Slack tokens, private key blocks, JWTs, credentials in a
//!   URL's user part);
//! - a generic one for `KEY = value` where the key names a secret (token,
//!   secret, password, api key, DSN…) and the value looks random (long
//!   enough, high entropy, not a placeholder or a reference like `${VAR}`).
//!   A quoted value runs to its closing quote, commas and all.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Token shapes that are secrets whoever issued them, beside the catalog's.
const WELL_KNOWN: &[&str] = &[
    // GitHub: personal, OAuth, user-to-server, server-to-server, refresh, fine-grained.
    r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
    // GitLab personal, pipeline and deploy tokens.
    r"\bgl(?:pat|ptt|dt|rt)-[A-Za-z0-9_-]{20,}\b",
    // Slack bot, user, app and config tokens; incoming webhooks.
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b",
    r"https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}",
    // npm and PyPI upload tokens.
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\bpypi-[A-Za-z0-9_-]{50,}\b",
    // Google API keys.
    r"\bAIza[0-9A-Za-z_-]{35}\b",
    // JSON Web Tokens (header and payload are base64url JSON objects).
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    // PEM private keys (the header line is enough to hide the body's start).
    r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[A-Za-z0-9+/=\s\\n]*(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----)?",
];

/// Credentials in a URL's user part: `scheme://user:password@host`; the
/// password goes, the rest stays readable.
const URL_CREDENTIALS: &str = r"([a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@'`]{1,64}:)([^\s@/'`]{3,128})(@)";

/// An AWS secret access key has no prefix of its own: 40 base64
/// characters. It is redacted wherever it stands on a line that holds an
/// access key id (`AKIA…`, `ASIA…`), however it is written there.
const AWS_ID: &str = r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b";
const AWS_SECRET: &str = r"(^|[^A-Za-z0-9/+=])([A-Za-z0-9/+=]{40})([^A-Za-z0-9/+=]|$)";

/// Compiled redaction rules.
#[derive(Debug)]
pub struct Redactor {
    set: RegexSet,
    each: Vec<Regex>,
    url: Regex,
    generic: Regex,
    aws_id: Regex,
    aws_secret: Regex,
}

/// The redactor of the built-in catalog, compiled once: for texts read
/// from files (a saved scan, a map) that must not carry a secret out.
pub fn builtin() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        let mut patterns: Vec<String> = crate::catalog::Catalog::builtin()
            .iter()
            .flat_map(|v| v.secret_patterns.iter().cloned())
            .collect();
        patterns.sort();
        patterns.dedup();
        Redactor::new(&patterns)
    })
}

impl Redactor {
    /// Compiles the catalog's patterns (invalid ones are left out: the
    /// catalog test rejects them before a release), the well-known token
    /// shapes and the generic rule.
    pub fn new(patterns: &[String]) -> Redactor {
        let mut each: Vec<Regex> = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let all = patterns
            .iter()
            .map(String::as_str)
            .chain(WELL_KNOWN.iter().copied());
        for p in all {
            if seen.insert(p.to_string()) {
                // Secrets are ASCII: an ASCII word boundary keeps the set on
                // the lazy DFA, which gives up on a Unicode `\b` at the first
                // non-ASCII character (an evidence chain's `→`) and leaves
                // the search to the far slower PikeVM.
                let p = p.replace(r"\b", r"(?-u:\b)");
                if let Ok(r) = Regex::new(&p) {
                    sources.push(p);
                    each.push(r);
                }
            }
        }
        let set = RegexSet::new(&sources).unwrap_or_else(|_| RegexSet::empty());
        let url = Regex::new(URL_CREDENTIALS)
            .expect("the URL credentials rule is a constant, valid regex");
        // key, separator, then a quoted value (to its closing quote) or a bare one.
        let generic = Regex::new(
            r#"(?i)([a-z0-9_.-]*(?:secret|token|passw(?:or)?d|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth|credential|dsn|signing[_-]?key|client[_-]?key)[a-z0-9_.-]*["']?\s*(?::=|=>|=|:|,)\s*)(?:"([^"\r\n]{8,})"|'([^'\r\n]{8,})'|`([^`\r\n]{8,})`|([^\s"'`,;)}\]]{8,}))"#,
        )
        .expect("the generic secret rule is a constant, valid regex");
        Redactor {
            set,
            each,
            url,
            generic,
            aws_id: Regex::new(AWS_ID).expect("a constant, valid regex"),
            aws_secret: Regex::new(AWS_SECRET).expect("a constant, valid regex"),
        }
    }

    /// The text with every secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        if self.aws_id.is_match(text) {
            out = self
                .aws_secret
                .replace_all(&out, |c: &regex::Captures| {
                    let v = &c[2];
                    let mixed = v.bytes().any(|b| b.is_ascii_digit())
                        && v.bytes().any(|b| b.is_ascii_lowercase())
                        && v.bytes().any(|b| b.is_ascii_uppercase());
                    if mixed && entropy(v) >= 3.5 {
                        format!("{}{REDACTED}{}", &c[1], &c[3])
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
        }
        // Most texts hold no secret: `is_match` answers on the lazy DFA,
        // where `matches` (which patterns) runs the slower PikeVM.
        if self.set.is_match(text) {
            for i in self.set.matches(text).iter() {
                if let Some(r) = self.each.get(i) {
                    out = r.replace_all(&out, REDACTED).into_owned();
                }
            }
        }
        if out.contains("://") {
            out = self
                .url
                .replace_all(&out, |c: &regex::Captures| {
                    if looks_secret_password(&c[2]) {
                        format!("{}{REDACTED}{}", &c[1], &c[3])
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
        }
        if self.generic.is_match(&out) {
            out = self
                .generic
                .replace_all(&out, |c: &regex::Captures| {
                    let (value, quote) = if let Some(v) = c.get(2) {
                        (v.as_str(), "\"")
                    } else if let Some(v) = c.get(3) {
                        (v.as_str(), "'")
                    } else if let Some(v) = c.get(4) {
                        (v.as_str(), "`")
                    } else {
                        (c.get(5).map_or("", |m| m.as_str()), "")
                    };
                    if looks_secret(value) {
                        format!("{}{quote}{REDACTED}{quote}", &c[1])
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
        }
        out
    }
}

/// A URL's password part that is a value, not a placeholder or a reference.
fn looks_secret_password(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    !(v.starts_with('$')
        || v.starts_with('{')
        || v.starts_with('<')
        || v.starts_with('%')
        || v.contains(REDACTED)
        || [
            "password", "passwd", "pass", "secret", "xxx", "***", "changeme",
        ]
        .iter()
        .any(|p| lower == *p || lower.starts_with("your")))
}

/// A value that is probably a real secret: not a reference, not a
/// placeholder, long and random enough.
fn looks_secret(v: &str) -> bool {
    if v.len() < 8 || v.contains(REDACTED) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    // References and code, not values.
    if v.starts_with('$')
        || v.starts_with('%')
        || v.starts_with('<')
        || v.starts_with('{')
        || lower.starts_with("process.env")
        || lower.starts_with("os.environ")
        || lower.starts_with("os.getenv")
        || lower.starts_with("env")
        || lower.starts_with("config")
        || lower.starts_with("settings")
        || lower.starts_with("self.")
        || lower.starts_with("this.")
        || v.contains('(')
    {
        return false;
    }
    // Placeholders.
    for p in [
        "your",
        "xxxx",
        "changeme",
        "example",
        "placeholder",
        "replace",
        "dummy",
    ] {
        if lower.contains(p) {
            return false;
        }
    }
    // Identifiers such as `settings.SENTRY_DSN` or `user.auth_token`.
    if v.chars()
        .all(|c| c.is_ascii_alphabetic() || c == '.' || c == '_')
    {
        return false;
    }
    entropy(v) >= 3.0
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Redactor {
        Redactor::new(&["sk_live_[0-9a-zA-Z]{24,}".to_string()])
    }

    #[test]
    fn vendor_patterns_are_redacted_anywhere() {
        // Built at run time so that secret scanners do not flag this file.
        let key = format!("sk_{}_{}", "live", "4eC39HqLyjWDarjtT1zdp7dc9X");
        let t = r().redact(&format!(r#"const stripe = new Stripe("{key}");"#));
        assert_eq!(t, r#"const stripe = new Stripe("[REDACTED]");"#);
    }

    #[test]
    fn generic_key_values_are_redacted_when_random() {
        let red = r();
        assert_eq!(
            red.redact("MIXPANEL_API_SECRET=9f3a7c1e5b2d4f60a8e7"),
            "MIXPANEL_API_SECRET=[REDACTED]"
        );
        assert_eq!(
            red.redact(r#"  sentry_dsn: "https://3f9a1b2c4d5e@o12.ingest.sentry.io/45""#),
            r#"  sentry_dsn: "[REDACTED]""#
        );
    }

    #[test]
    fn references_and_placeholders_stay() {
        let red = r();
        for s in [
            "SENTRY_DSN=${SENTRY_DSN}",
            "token: process.env.MIXPANEL_TOKEN",
            "STRIPE_SECRET_KEY=sk_test_your_key_here",
            "MIXPANEL_TOKEN=",
            "api_key = settings.OPENAI_API_KEY",
            "const token = getToken(user)",
        ] {
            assert_eq!(red.redact(s), s);
        }
    }
}
