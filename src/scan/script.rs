//! Script tags and inline loader snippets, in HTML and server templates
//! (erb, ejs, hbs, jinja, twig, blade, liquid), Vue/Svelte and JSX/TSX:
//! a vendor CDN domain in a `<script src>`, or the distinctive text of a
//! vendor's inline snippet (`mixpanel.init(`, `js.sentry-cdn.com/`).
//!
//! HTML comments are blanked before anything is read, so a commented-out
//! tag is not evidence.

use std::collections::BTreeSet;

use super::Finding;
use super::endpoint::Domains;
use super::lang::{FileFacts, StringLit};
use super::lines::LineIndex;
use super::prefilter::{Hit, Prefilter, Role};
use crate::model::{EvidenceKind, Scope};

/// The text with every `<!-- ... -->` replaced by spaces (newlines kept, so
/// offsets and line numbers do not move).
pub fn blank_html_comments(text: &str) -> String {
    if !text.contains("<!--") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find("-->").map(|e| e + 3).unwrap_or(after.len());
        for c in after[..end].chars() {
            if c == '\n' {
                out.push('\n');
            } else {
                // Keep byte lengths: one space per byte.
                for _ in 0..c.len_utf8() {
                    out.push(' ');
                }
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Script evidence from `<script src="...">` imports a parser extracted.
pub fn from_script_imports(facts: &FileFacts, domains: &Domains) -> Vec<Finding> {
    let mut out = Vec::new();
    for imp in &facts.imports {
        if !imp.module.contains("//") {
            continue;
        }
        for v in domains.of_url(&imp.module) {
            out.push(Finding {
                vendor: v,
                kind: EvidenceKind::Script,
                line: imp.line,
                text: (!imp.text.trim().is_empty()).then(|| imp.text.trim().to_string()),
                scope: Scope::Production,
            });
        }
    }
    out
}

/// Snippet evidence from the prefilter's hits (templates: raw text with
/// comments blanked).
pub fn snippets_from_hits(hits: &[Hit], pf: &Prefilter, lines: &LineIndex) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in hits {
        for v in pf.owners(h, Role::Snippet) {
            out.push(Finding {
                vendor: v,
                kind: EvidenceKind::Script,
                line: lines.line_of(h.start),
                text: None,
                scope: Scope::Production,
            });
        }
    }
    out
}

/// Snippet evidence inside string literals of code (a loader pasted into
/// `dangerouslySetInnerHTML` or a template string), for the snippets the
/// prefilter saw in the file.
pub fn snippets_in_strings(hits: &[Hit], pf: &Prefilter, strings: &[StringLit]) -> Vec<Finding> {
    let seen: BTreeSet<u32> = hits
        .iter()
        .filter(|h| pf.owners(h, Role::Snippet).next().is_some())
        .map(|h| h.pattern)
        .collect();
    let mut out = Vec::new();
    for id in seen {
        let p = &pf.patterns[id as usize];
        for s in strings.iter().filter(|s| s.value.contains(&p.text)) {
            // The snippet's own line inside a multi-line literal.
            let before = s.value.find(&p.text).unwrap_or(0);
            let extra = s.value[..before].matches('\n').count() as u32;
            let kind = if is_api_url(&p.text) {
                EvidenceKind::Endpoint
            } else {
                EvidenceKind::Script
            };
            for (role, v) in &p.owners {
                if *role == Role::Snippet {
                    out.push(Finding {
                        vendor: *v,
                        kind,
                        line: s.line.saturating_add(extra),
                        text: None,
                        scope: Scope::Production,
                    });
                }
            }
        }
    }
    out
}

/// A snippet that is an API's address rather than a script's: a sign-in
/// endpoint (`github.com/login/oauth/access_token`,
/// `linkedin.com/oauth/v2/accessToken`) or an `api.` host's path. Found in a
/// string of code it is an endpoint the code calls, not a script it loads.
fn is_api_url(snippet: &str) -> bool {
    let t = snippet.to_ascii_lowercase();
    let Some((host, path)) = t.split_once('/') else {
        return false;
    };
    if !host.contains('.') || t.contains(char::is_whitespace) || path.ends_with(".js") {
        return false;
    }
    host.starts_with("api.")
        || host.starts_with("api-")
        || ["oauth", "token", "authorize", "userinfo", "login/", "/api/"]
            .iter()
            .any(|w| path.contains(w) || format!("/{path}").contains(w))
}

/// Endpoint findings on a line with a `<script` tag are script evidence.
pub fn upgrade_script_tags(findings: &mut [Finding], lines: &LineIndex) {
    for f in findings.iter_mut() {
        if f.kind == EvidenceKind::Endpoint {
            let t = lines.text_of(f.line).to_ascii_lowercase();
            if t.contains("<script") {
                f.kind = EvidenceKind::Script;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_addresses_among_snippets_are_endpoints() {
        for s in [
            "github.com/login/oauth/access_token",
            "linkedin.com/oauth/v2/accessToken",
            "discord.com/api/oauth2/token",
            "nid.naver.com/oauth2.0/token",
            "api.aweber.com/1.0/accounts",
            "accounts.spotify.com/api/token",
            "api.linkedin.com/v2/userinfo",
        ] {
            assert!(is_api_url(s), "{s}");
        }
        for s in [
            "cdn.segment.com/analytics.js/v1/",
            "connect.facebook.net/en_US/fbevents.js",
            "js.sentry-cdn.com/",
            "paypal.com/sdk/js",
            "static.hotjar.com/c/hotjar-",
            "mixpanel.init(",
            "accounts.google.com/gsi/client",
        ] {
            assert!(!is_api_url(s), "{s}");
        }
    }

    #[test]
    fn comments_are_blanked_in_place() {
        let t =
            "<p>a</p>\n<!-- <script src=\"https://cdn.mxpnl.com/x.js\">\n</script> -->\n<b>é</b>";
        let b = blank_html_comments(t);
        assert_eq!(b.len(), t.len());
        assert!(!b.contains("mxpnl"));
        assert_eq!(b.lines().count(), t.lines().count());
        assert!(b.ends_with("<b>é</b>"));
    }
}
