//! Secret redaction for evidence text. Every line a scan quotes passes
//! through [`Redactor::redact`] before it reaches any output, so a live key
//! found in source is never copied into a report, a CI log or a ticket.
//!
//! Two rules: the catalog's vendor-specific secret patterns (`sk_live_…`),
//! and a generic one for `KEY = value` where the key names a secret (token,
//! secret, password, api key, DSN…) and the value looks random (long enough,
//! high entropy, not a placeholder or a reference like `${VAR}`).

use regex::Regex;

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Compiled redaction rules.
#[derive(Debug)]
pub struct Redactor {
    vendor: Vec<Regex>,
    generic: Regex,
}

impl Redactor {
    /// Compiles the catalog's patterns (invalid ones are left out: the
    /// catalog test rejects them before a release) and the generic rule.
    pub fn new(patterns: &[String]) -> Redactor {
        let mut vendor: Vec<Regex> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for p in patterns {
            if seen.insert(p.clone()) {
                if let Ok(r) = Regex::new(p) {
                    vendor.push(r);
                }
            }
        }
        // key, separator, optional quote, value.
        let generic = Regex::new(
            r#"(?i)([a-z0-9_.-]*(?:secret|token|passw(?:or)?d|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth|credential|dsn|signing[_-]?key|client[_-]?key)[a-z0-9_.-]*["']?\s*(?::=|=>|=|:)\s*["']?)([^\s"'`,;)}\]]{8,})"#,
        )
        .expect("the generic secret rule is a constant, valid regex");
        Redactor { vendor, generic }
    }

    /// The text with every secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for r in &self.vendor {
            if r.is_match(&out) {
                out = r.replace_all(&out, REDACTED).into_owned();
            }
        }
        if self.generic.is_match(&out) {
            out = self
                .generic
                .replace_all(&out, |c: &regex::Captures| {
                    let value = &c[2];
                    if looks_secret(value) {
                        format!("{}{REDACTED}", &c[1])
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
        }
        out
    }
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
