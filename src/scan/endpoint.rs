//! Endpoints: vendor API domains inside string literals (raw HTTP
//! integrations with no SDK, e.g. a tax API called with `requests`).
//!
//! A domain counts only as a whole host name or a subdomain of it, and only
//! where a string is a URL or a bare host:
//! - `https://api.mixpanel.com/track`, `//cdn.mxpnl.com/x.js`,
//!   `https://key@o1.ingest.sentry.io/2`, `"api.mixpanel.com"` count;
//! - `https://xapi.mixpanel.com.evil/`, `support@sentry.io` and prose such as
//!   `"Powered by sentry.io"` do not.

use aho_corasick::{AhoCorasick, MatchKind};

use super::Finding;
use super::index::{Index, VendorIx};
use super::lang::StringLit;
use crate::model::{EvidenceKind, Scope};

/// Case-insensitive matcher over the catalog's domains.
#[derive(Debug)]
pub struct Domains {
    ac: Option<AhoCorasick>,
    /// Per pattern (a host): its owners.
    owners: Vec<(String, Owners)>,
}

/// Who a host belongs to: vendors that claim the whole host, and vendors
/// that claim only paths under it (`www.facebook.com/tr` is the Meta Pixel,
/// `www.facebook.com/*/dialog/oauth` is Facebook Login).
#[derive(Debug, Default)]
struct Owners {
    host: Vec<VendorIx>,
    paths: Vec<(Vec<String>, VendorIx)>,
}

impl Owners {
    /// The owners of a request with these path segments: the longest
    /// matching path claim decides (`/rest/conversionEvents` over
    /// `/rest`), else the owners of the whole host.
    fn of_path(&self, path: &[&str]) -> Vec<VendorIx> {
        let matching: Vec<&(Vec<String>, VendorIx)> = self
            .paths
            .iter()
            .filter(|(p, _)| path_matches(p, path))
            .collect();
        let longest = matching.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
        let by_path: Vec<VendorIx> = matching
            .iter()
            .filter(|(p, _)| p.len() == longest)
            .map(|(_, v)| *v)
            .collect();
        if by_path.is_empty() {
            self.host.clone()
        } else {
            by_path
        }
    }
}

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

impl Domains {
    /// Builds the matcher from an index.
    pub fn new(index: &Index) -> Domains {
        let mut by: std::collections::BTreeMap<String, Owners> = Default::default();
        for (d, v) in &index.domains {
            let (host, path) = match d.split_once('/') {
                Some((h, p)) => (h, Some(p)),
                None => (d.as_str(), None),
            };
            let o = by.entry(host.to_ascii_lowercase()).or_default();
            match path {
                Some(p) => o.paths.push((
                    p.split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    *v,
                )),
                None => o.host.push(*v),
            }
        }
        let owners: Vec<(String, Owners)> = by.into_iter().collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(owners.iter().map(|(d, _)| d.as_bytes()))
            .ok();
        Domains { ac, owners }
    }

    /// Vendors whose domain appears in `value` as a URL host or bare host.
    /// Where several catalog hosts match one host in the value
    /// (`cloudfront.net` and `d2wy8f7a9ursnm.cloudfront.net`), the most
    /// specific one decides; where its owners claim paths, the longest path
    /// that matches decides over shorter ones and the owners of the whole
    /// host.
    pub fn in_value(&self, value: &str) -> Vec<VendorIx> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        // Per host token (keyed by its end): the longest accepted match.
        let mut best: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
        for m in ac.find_overlapping_iter(value) {
            if accepts(value, m.start(), m.end()) {
                let e = best
                    .entry(m.end())
                    .or_insert((m.start(), m.pattern().as_usize()));
                if m.start() < e.0 {
                    *e = (m.start(), m.pattern().as_usize());
                }
            }
        }
        let mut out = Vec::new();
        for (end, (_, pattern)) in best {
            let Some((_, owners)) = self.owners.get(pattern) else {
                continue;
            };
            out.extend(owners.of_path(&path_after(&value[end..])));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Vendors of a request already split into its host and path (a
    /// recorded request, `observe --har`): the most specific catalog host
    /// that is `host` or a domain above it decides (`eu.i.posthog.com`,
    /// else `i.posthog.com`, ...), then its path claims as in
    /// [`Domains::in_value`]. Nothing in the path or the query can name a
    /// vendor here, unlike a host found in free text.
    pub fn of_request(&self, host: &str, path: &str) -> Vec<VendorIx> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut h = host.as_str();
        loop {
            if let Ok(i) = self.owners.binary_search_by(|(d, _)| d.as_str().cmp(h)) {
                let mut out = self.owners[i].1.of_path(&path_after(path));
                out.sort_unstable();
                out.dedup();
                return out;
            }
            match h.split_once('.') {
                Some((_, rest)) if rest.contains('.') => h = rest,
                _ => return Vec::new(),
            }
        }
    }

    /// Vendors of a URL's host (`<script src>`).
    pub fn of_url(&self, url: &str) -> Vec<VendorIx> {
        self.in_value(url.trim())
    }
}

/// The path segments of a URL after its host: `:443/v18.0/dialog/oauth?x`
/// → `["v18.0", "dialog", "oauth"]`. Stops at a query, a fragment, a quote
/// or white space.
fn path_after(rest: &str) -> Vec<&str> {
    let rest = rest
        .strip_prefix(':')
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
        .unwrap_or(rest);
    let Some(rest) = rest.strip_prefix('/') else {
        return Vec::new();
    };
    let end = rest
        .find(|c: char| {
            c.is_whitespace() || matches!(c, '?' | '#' | '"' | '\'' | '`' | ')' | '<' | '>')
        })
        .unwrap_or(rest.len());
    rest[..end].split('/').filter(|s| !s.is_empty()).collect()
}

/// True when `path` starts with the segments of `pattern`; `*` stands for
/// any one segment (a version such as `v18.0`, a locale such as `en_US`, a
/// template placeholder).
fn path_matches(pattern: &[String], path: &[&str]) -> bool {
    pattern.len() <= path.len()
        && pattern
            .iter()
            .zip(path)
            .all(|(p, s)| p == "*" || p.eq_ignore_ascii_case(s))
}

/// True when `value[start..end]` is a whole host name (or the end of one, as
/// a subdomain) in a URL or bare-host position.
pub fn accepts(value: &str, start: usize, end: usize) -> bool {
    let b = value.as_bytes();
    if end > b.len() || start >= end {
        return false;
    }
    // The host token around the match.
    let mut tok_start = start;
    while tok_start > 0 && is_host_byte(b[tok_start - 1]) {
        tok_start -= 1;
    }
    let mut tok_end = end;
    while tok_end < b.len() && is_host_byte(b[tok_end]) {
        tok_end += 1;
    }
    // A sentence-ending dot is not part of the host.
    while tok_end > end && b[tok_end - 1] == b'.' {
        tok_end -= 1;
    }
    if tok_end != end {
        return false; // `api.mixpanel.com.evil`, `api.mixpanel.company`
    }
    if tok_start != start && b[start - 1] != b'.' {
        return false; // `xapi.mixpanel.com`, `evil-api.mixpanel.com`
    }
    let before = &value[..tok_start];
    if before.ends_with("//") || without_placeholder(before).ends_with("//") {
        return true;
    }
    if before.ends_with('@') {
        // `https://key@o1.ingest.sentry.io/2`, not `support@sentry.io`.
        let word_start = before
            .rfind(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .map(|p| p + 1)
            .unwrap_or(0);
        return before[word_start..].contains("//");
    }
    // A bare host (optionally with a port or path) that is the whole value.
    if before.trim().is_empty() && !value.trim().contains(char::is_whitespace) {
        return true;
    }
    // Or the value of a key on its own line of an embedded configuration
    // (`    Host   api.axiom.co` in a fluent-bit config a PHP string holds,
    // `host = "api.x.com"`): one key word, then blanks, `=` or `:`.
    let line = &before[before.rfind('\n').map_or(0, |p| p + 1)..];
    key_then_value(line)
}

/// True when `line` (the text before a host on its line) is one key word
/// followed by separators: `  Host   `, `host = "`, `endpoint: '`.
fn key_then_value(line: &str) -> bool {
    let t = line.trim_start();
    let key_len = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .unwrap_or(t.len());
    if key_len == 0 || !t.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return false;
    }
    // A key that names an address, so that prose ("Visit api.x.com") is not
    // taken for configuration.
    let key = t[..key_len].to_ascii_lowercase();
    const ADDRESS: &[&str] = &[
        "host", "server", "endpoint", "url", "uri", "addr", "domain", "remote", "upstream",
        "target", "api",
    ];
    if !ADDRESS.iter().any(|w| key.contains(w)) {
        return false;
    }
    let rest = &t[key_len..];
    !rest.is_empty()
        && rest
            .chars()
            .all(|c| c == ' ' || c == '\t' || matches!(c, '=' | ':' | '"' | '\''))
        && rest.chars().filter(|c| matches!(c, '=' | ':')).count() <= 1
}

/// `before` without a trailing template placeholder that stands for the
/// first labels of a host: `https://%` (printf's `%s`, whose letter the host
/// token took), `https://${tenant}`, `https://{instance}`, `https://#{org}`,
/// `https://{{ host }}`. Otherwise `before` itself.
fn without_placeholder(before: &str) -> &str {
    if let Some(b) = before.strip_suffix('%') {
        return b;
    }
    if before.ends_with('}') {
        if let Some(open) = before.rfind('{') {
            let mut b = &before[..open];
            b = b.strip_suffix('{').unwrap_or(b);
            b = b
                .strip_suffix('$')
                .or_else(|| b.strip_suffix('#'))
                .unwrap_or(b);
            return b;
        }
    }
    before
}

/// Endpoint evidence from a parsed file's string literals.
pub fn from_strings(strings: &[StringLit], domains: &Domains) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in strings {
        // A bare registrable domain (`"ghost.io"`, `"github.com"`) is how
        // lists of senders, allow-lists and email domains are written; an
        // API is reached at a URL or a host of its own (`api.x.com`).
        let kind = if is_bare_domain(&s.value) {
            EvidenceKind::Mention
        } else {
            EvidenceKind::Endpoint
        };
        for v in domains.in_value(&s.value) {
            out.push(Finding {
                vendor: v,
                kind,
                line: s.line,
                text: None,
                scope: Scope::Production,
            });
        }
    }
    out
}

/// A string that is only a two-label domain: `ghost.io`, `@github.com`.
fn is_bare_domain(value: &str) -> bool {
    let v = value.trim().trim_start_matches('@');
    let labels: Vec<&str> = v.split('.').collect();
    labels.len() == 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// The quoted strings of a line, and for config files the value after the
/// first `=` or `:`; each with its byte offset in the line.
pub fn line_values(line: &str, config: bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let q = b[i];
        if matches!(q, b'"' | b'\'' | b'`') {
            if let Some(len) = line[i + 1..].find(q as char) {
                out.push((i + 1, &line[i + 1..i + 1 + len]));
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
    if config {
        if let Some(p) = line.find(['=', ':']) {
            // `dsn: https://...`: the separator is the first one on the line.
            let rest = &line[p + 1..];
            let trimmed = rest.trim_start();
            let off = p + 1 + (rest.len() - trimmed.len());
            let value = trimmed
                .split(" #")
                .next()
                .unwrap_or(trimmed)
                .trim_end()
                .trim_matches(['"', '\'', ',']);
            if !value.is_empty() {
                let lead = trimmed.len() - trimmed.trim_start_matches(['"', '\'']).len();
                out.push((off + lead, value));
            }
        }
    }
    out
}

/// Endpoint evidence from raw lines (config files, languages without a
/// parser): only quoted strings and config values are read.
pub fn from_lines<'a>(
    lines: impl Iterator<Item = (u32, &'a str)>,
    domains: &Domains,
    config: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (n, line) in lines {
        for (_, value) in line_values(line, config) {
            for v in domains.in_value(value) {
                out.push(Finding {
                    vendor: v,
                    kind: EvidenceKind::Endpoint,
                    line: n,
                    text: None,
                    scope: Scope::Production,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(value: &str, domain: &str) -> bool {
        value
            .match_indices(domain)
            .any(|(s, m)| accepts(value, s, s + m.len()))
    }

    #[test]
    fn urls_and_bare_hosts() {
        assert!(ok("https://api.mixpanel.com/track", "api.mixpanel.com"));
        assert!(ok("https://api.mixpanel.com", "api.mixpanel.com"));
        assert!(ok(
            "//cdn.mxpnl.com/libs/mixpanel-2-latest.min.js",
            "cdn.mxpnl.com"
        ));
        assert!(ok("wss://api.mixpanel.com:443/x", "api.mixpanel.com"));
        assert!(ok("api.mixpanel.com", "api.mixpanel.com"));
        assert!(ok(
            "https://abc123@o45.ingest.sentry.io/67",
            "ingest.sentry.io"
        ));
        assert!(ok("https://eu.api.mixpanel.com/track", "api.mixpanel.com"));
        assert!(ok(
            "POST https://api.mixpanel.com/track failed",
            "api.mixpanel.com"
        ));
    }

    #[test]
    fn a_templated_first_label_is_still_the_vendors_host() {
        let sf = "my.salesforce.com";
        assert!(ok("https://%s.my.salesforce.com/services/data", sf));
        assert!(ok("https://${instance}.my.salesforce.com/x", sf));
        assert!(ok("https://{instance}.my.salesforce.com/x", sf));
        assert!(ok("https://#{org}.my.salesforce.com/x", sf));
        assert!(ok("https://{{ org }}.my.salesforce.com", sf));
        // A placeholder does not make prose or another host a URL.
        assert!(!ok("see %s.my.salesforce.com", sf));
        assert!(!ok("https://%s.my.salesforce.com.evil/x", sf));
        // `{x}eu.my.salesforce.com` is still a host under the vendor's domain.
        assert!(ok("https://{x}eu.my.salesforce.com/x", sf));
    }

    #[test]
    fn look_alikes_and_prose_do_not_count() {
        assert!(!ok(
            "https://xapi.mixpanel.com.evil/track",
            "api.mixpanel.com"
        ));
        assert!(!ok("https://xapi.mixpanel.com/track", "api.mixpanel.com"));
        assert!(!ok(
            "https://api.mixpanel.com.evil/track",
            "api.mixpanel.com"
        ));
        assert!(!ok("https://evil-api.mixpanel.com/", "api.mixpanel.com"));
        assert!(!ok("https://api.mixpanel.company/", "api.mixpanel.com"));
        assert!(!ok("support@sentry.io", "sentry.io"));
        assert!(!ok("Powered by sentry.io", "sentry.io"));
        assert!(!ok("Visit api.mixpanel.com", "api.mixpanel.com"));
        assert!(!ok("[OUTPUT]\n    Name  http api.axiom.co", "api.axiom.co"));
    }

    /// A host as a key's value on its own line of an embedded configuration
    /// (a fluent-bit config in a PHP string, `host = "..."`).
    #[test]
    fn hosts_as_configuration_values() {
        let conf =
            "[OUTPUT]\n    Name            http\n    Host            api.axiom.co\n    Port 443";
        assert!(ok(conf, "api.axiom.co"));
        assert!(ok("host = \"api.mixpanel.com\"", "api.mixpanel.com"));
        assert!(ok("  api_host: 'api.mixpanel.com'", "api.mixpanel.com"));
        assert!(!ok("host = = api.mixpanel.com", "api.mixpanel.com"));
    }

    fn catalog(yaml: &[&str]) -> Domains {
        let vendors: Vec<crate::catalog::CatalogVendor> = yaml
            .iter()
            .map(|y| serde_yaml::from_str(y).expect("vendor yaml"))
            .collect();
        let cat = crate::catalog::Catalog::from_vendors(vendors);
        Domains::new(&Index::new(&cat))
    }

    fn ids(d: &Domains, value: &str) -> Vec<usize> {
        d.in_value(value).into_iter().map(|v| v as usize).collect()
    }

    /// A shared host goes to the product its path belongs to; the most
    /// specific host wins over a parent domain.
    #[test]
    fn shared_hosts_by_path_and_most_specific_host() {
        let d = catalog(&[
            "{id: a-login, name: L, category: auth, domains: [graph.facebook.com, 'www.facebook.com/*/dialog/oauth', 'www.facebook.com/dialog/oauth']}",
            "{id: b-pixel, name: P, category: advertising, domains: [connect.facebook.net, 'www.facebook.com/tr', 'graph.facebook.com/*/*/events']}",
            "{id: c-cdn, name: C, category: cdn, domains: [cloudfront.net]}",
            "{id: d-bugs, name: B, category: error-monitoring, domains: [d2wy8f7a9ursnm.cloudfront.net]}",
        ]);
        assert_eq!(
            ids(
                &d,
                "https://www.facebook.com/v18.0/dialog/oauth?client_id=1"
            ),
            [0]
        );
        assert_eq!(
            ids(&d, "https://www.facebook.com/tr?id=123&ev=PageView"),
            [1]
        );
        assert_eq!(ids(&d, "https://graph.facebook.com/me?fields=email"), [0]);
        assert_eq!(
            ids(&d, "https://graph.facebook.com/v18.0/${pixelId}/events"),
            [1]
        );
        // A profile link on www.facebook.com belongs to no product.
        assert!(ids(&d, "https://www.facebook.com/acme").is_empty());
        assert_eq!(
            ids(
                &d,
                "https://d2wy8f7a9ursnm.cloudfront.net/v7/bugsnag.min.js"
            ),
            [3]
        );
        assert_eq!(ids(&d, "https://abc.cloudfront.net/x.js"), [2]);
    }

    #[test]
    fn line_values_reads_quotes_and_config_values() {
        let v: Vec<&str> = line_values(r#"x = fetch("https://a.b/c", 'd')"#, false)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(v, ["https://a.b/c", "d"]);
        let v: Vec<&str> = line_values("  dsn: https://k@o1.ingest.sentry.io/2 # prod", true)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(v, ["https://k@o1.ingest.sentry.io/2"]);
    }
}
