//! Observed evidence: what a running application actually sent to each
//! vendor, read from recorded traffic (HTTP Archive files). [`record`]
//! makes such a recording (`observe URL`): a headless browser whose every
//! request to another origin is answered locally, never sent.
//!
//! A layer beside `scan`: it uses the catalog's hosts, split by path as the
//! scan splits them ([`crate::scan::endpoint::Domains::of_request`]), and
//! the scan's field classifier ([`crate::scan::classify`]). Every request
//! to a catalog vendor's host is decoded ([`decode`]), its keys classified
//! into taxonomy categories, and searched for the test account's canary
//! values ([`canary`]). Requests to other hosts are counted, not read.
//!
//! Privacy of the observer itself: a recording holds personal data. The
//! report carries key paths, categories and the canary's *name* for a value
//! (`canary: email`), never other raw values, unless `show_values` is set;
//! URLs are shown with their query values replaced by `…` and canary forms
//! by `[canary:NAME]`; secrets are redacted as in the scan in every case.
//!
//! Invariants: the result is sorted (vendors by id, requests by file and
//! entry, fields by part and path), so the same recordings give the same
//! report; every size is bounded (see [`decode`] and [`MAX_ENTRIES`]);
//! nothing here prints or reaches the network.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::model::{Evidence, EvidenceKind, Scope};
use crate::scan::index::Index;
use crate::scan::{FieldUse, Integration, ScanResult};

pub mod canary;
pub mod decode;
pub mod har;
pub mod record;

pub use canary::{Canary, Encoding};
pub use decode::Part;

/// The most entries read from one HAR file.
pub const MAX_ENTRIES: usize = 200_000;
/// The largest HAR file read (bytes).
pub const MAX_HAR_BYTES: u64 = 512 * 1024 * 1024;
/// The longest URL or value shown.
const MAX_SHOWN: usize = 300;
/// The `kind` of the JSON output, which `--observed` checks.
pub const KIND: &str = "blastmap-observed";

/// What `blastmap observe` reports (its JSON output is the serde form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedReport {
    /// Output contract version.
    pub version: u32,
    /// Always `blastmap-observed`.
    pub kind: String,
    /// Whether raw values are shown (`--show-values`).
    pub show_values: bool,
    /// The canary names searched for (never their values).
    pub canaries: Vec<String>,
    /// Per recording read.
    pub files: Vec<FileSummary>,
    /// Per vendor that received a request, by id.
    pub vendors: Vec<ObservedVendor>,
}

/// One recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    /// The file as given.
    pub file: String,
    /// Entries in it.
    pub entries: usize,
    /// Requests to a catalog vendor.
    pub vendor_requests: usize,
    /// Requests to other hosts (first party, unknown third parties, `data:`
    /// URLs): counted, not read.
    pub other_requests: usize,
    /// Entries past [`MAX_ENTRIES`], not read.
    pub not_read: usize,
}

/// What one vendor received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedVendor {
    /// Catalog id.
    pub vendor: String,
    /// Display name.
    pub name: String,
    /// Every category seen in its requests, sorted.
    pub categories: Vec<String>,
    /// The canary names it received, sorted.
    pub canaries: Vec<String>,
    /// Its requests, by file and entry.
    pub requests: Vec<ObservedRequest>,
}

/// One request to a vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedRequest {
    /// The recording.
    pub file: String,
    /// The entry's index in `log.entries` (0-based).
    pub entry: usize,
    /// When it started, as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URL, values hidden unless `show_values` (see the module docs).
    pub url: String,
    /// The script that sent it (Chromium's `_initiator`), shown as the URL
    /// is, when the recording says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator: Option<String>,
    /// The catalog vendor whose host served that script (a tag manager, a
    /// widget), when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator_vendor: Option<String>,
    /// The payload formats decoded (`query`, `json`, `base64`, `gzip`, ...).
    pub formats: Vec<String>,
    /// The classified keys, by part and path.
    pub fields: Vec<ObservedField>,
    /// Keys read that no category fits (their paths are not listed).
    pub unclassified: usize,
    /// Canary values found, with their form and where.
    pub canaries: Vec<CanaryHit>,
    /// What could not be decoded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl ObservedRequest {
    /// Where it is: `session.har#entries[3]`.
    pub fn location(&self) -> String {
        format!("{}#entries[{}]", self.file, self.entry)
    }
}

/// One classified key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObservedField {
    /// Query, body, cookie or header.
    pub part: Part,
    /// The key path (`data.properties.$email`, `batch[].traits.email`).
    pub path: String,
    /// The taxonomy category.
    pub category: String,
    /// The canary whose value it holds, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<String>,
    /// The value, only with `show_values` (secrets redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A canary value found in a request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CanaryHit {
    /// The canary's name (`email`).
    pub canary: String,
    /// The form it was in.
    pub encoding: Encoding,
    /// Where: `url`, `header Referer`, `cookie _ga`, `body`,
    /// `body (gzip)`, `query data (base64)`.
    pub found_in: String,
}

/// A recording that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}\n  help: {help}")]
pub struct ObserveError {
    /// The file.
    pub file: String,
    /// What is wrong (with line and column where the parser gives them).
    pub message: String,
    /// What to do.
    pub help: String,
}

/// How to observe.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Show raw values (`--show-values`).
    pub show_values: bool,
}

/// Protocol keys the SDKs send by themselves whose names the classifier,
/// made for code, does not read: GA4 and Universal Analytics parameters,
/// Mixpanel's and PostHog's `$` properties, Segment's context. The project
/// keys a browser SDK sends with every event (`token`, `api_key`) are the
/// system's own, not a person's credentials.
const PROTOCOL_KEYS: &[(&str, &str)] = &[
    ("api_key", "system.authentication"),
    ("apiKey", "system.authentication"),
    ("token", "system.authentication"),
    ("writeKey", "system.authentication"),
    // Meta Pixel's advanced matching (`ud[em]`, hashed or not): a hashed
    // email is still the email.
    ("ud[ct]", "user.contact.address.city"),
    ("ud[country]", "user.contact.address.country"),
    ("ud[db]", "user.demographic.date_of_birth"),
    ("ud[em]", "user.contact.email"),
    ("ud[external_id]", "user.unique_id"),
    ("ud[fn]", "user.name.first"),
    ("ud[ge]", "user.demographic.gender"),
    ("ud[ln]", "user.name.last"),
    ("ud[ph]", "user.contact.phone_number"),
    ("ud[st]", "user.contact.address.state"),
    ("ud[zp]", "user.contact.address.postal_code"),
    ("$browser", "user.device.browser"),
    ("$current_url", "user.behavior.browsing_history"),
    ("$device_id", "user.device.device_id"),
    ("$initial_referrer", "user.behavior.referrer"),
    ("$os", "user.device.os"),
    ("$pathname", "user.behavior.browsing_history"),
    ("$referrer", "user.behavior.referrer"),
    ("$user_id", "user.unique_id"),
    ("_uip", "user.device.ip_address"),
    ("anonymousId", "user.unique_id.pseudonymous"),
    ("cid", "user.device.cookie_id"),
    ("device_id", "user.device.device_id"),
    ("distinct_id", "user.unique_id"),
    ("dl", "user.behavior.browsing_history"),
    ("dr", "user.behavior.referrer"),
    ("dt", "user.behavior.browsing_history"),
    ("ip", "user.device.ip_address"),
    ("os_name", "user.device.os"),
    ("page.url", "user.behavior.browsing_history"),
    ("page.referrer", "user.behavior.referrer"),
    ("referrer", "user.behavior.referrer"),
    ("uid", "user.unique_id"),
    ("uip", "user.device.ip_address"),
    ("ul", "user.demographic.language"),
    ("url", "user.behavior.browsing_history"),
    ("userAgent", "user.device.user_agent"),
    ("userId", "user.unique_id"),
    ("user_agent", "user.device.user_agent"),
    ("user_id", "user.unique_id"),
];

/// Headers every request has, which say nothing about the person.
const PLAIN_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "dnt",
    "host",
    "origin",
    "pragma",
    "priority",
    "te",
    "upgrade-insecure-requests",
    "x-requested-with",
];

/// The category of a key, read as the SDKs write them.
fn classify_key(part: Part, path: &str) -> Option<String> {
    let bare = path.replace("[]", "");
    match part {
        Part::Header => {
            let n = path.to_ascii_lowercase();
            return match n.as_str() {
                "referer" => Some("user.behavior.referrer".into()),
                "user-agent" => Some("user.device.user_agent".into()),
                _ if PLAIN_HEADERS.contains(&n.as_str()) || n.starts_with("sec-") => None,
                _ => crate::scan::classify::classify(&n.replace('-', "_"))
                    .map(|c| c.category)
                    .filter(|c| c.starts_with("user.")),
            };
        }
        Part::Cookie => {
            return Some(
                crate::scan::classify::classify(&bare)
                    .map(|c| c.category)
                    .filter(|c| c.starts_with("user."))
                    // A cookie sent to a vendor's host identifies the browser.
                    .unwrap_or_else(|| "user.device.cookie_id".into()),
            );
        }
        Part::Query | Part::Body => {}
    }
    // GA4 event and user parameters: `ep.user_email`, `up.plan`.
    for prefix in ["ep.", "epn.", "up.", "upn."] {
        if let Some(rest) = bare.strip_prefix(prefix) {
            return crate::scan::classify::classify(rest).map(|c| c.category);
        }
    }
    let last = bare.rsplit('.').next().unwrap_or(&bare);
    let last_two = {
        let mut it = bare.rsplit('.');
        match (it.next(), it.next()) {
            (Some(a), Some(b)) => format!("{b}.{a}"),
            _ => bare.clone(),
        }
    };
    for k in [last_two.as_str(), last] {
        if let Some((_, c)) = PROTOCOL_KEYS.iter().find(|(p, _)| *p == k) {
            return Some(c.to_string());
        }
    }
    // The classifier reads a member chain; the last few segments are enough.
    let segs: Vec<&str> = bare.split('.').filter(|s| !s.is_empty()).collect();
    let tail = segs[segs.len().saturating_sub(4)..].join(".");
    crate::scan::classify::classify(&tail).map(|c| c.category)
}

/// A value that is an email address by its shape.
fn is_email(v: &str) -> bool {
    let v = v.trim();
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    v.len() < 255
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@.+-_%".contains(c))
}

/// `s` with every email address in it shown as `[…]`: a key path or a URL
/// path can hold one (an object keyed by address, `/users/{email}`).
fn hide_emails(s: &str) -> String {
    static EMAIL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = EMAIL.get_or_init(|| {
        regex::Regex::new(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
            .expect("a constant, valid regex")
    });
    if !s.contains('@') && !s.contains("%40") {
        return s.to_string();
    }
    re.replace_all(s, "[…]").into_owned()
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut o: String = s.chars().take(max).collect();
        o.push('…');
        o
    }
}

/// The URL as shown: with `show_values`, whole (secrets redacted); else
/// the query's values replaced by `…`, canary forms masked, and path
/// segments that hold an email address hidden.
fn shown_url(url: &str, finder: Option<&canary::Finder>, show_values: bool) -> String {
    let redactor = crate::scan::redact::builtin();
    if show_values {
        return cut(&redactor.redact(url), MAX_SHOWN * 4);
    }
    let Some((host, path, query)) = decode::split_url(url) else {
        // `data:` and the like never reach here (not a vendor host), but a
        // URL is never shown raw.
        return "[not an http URL]".into();
    };
    let scheme = url
        .split("://")
        .next()
        .unwrap_or("https")
        .to_ascii_lowercase();
    let path = match finder {
        Some(f) => f.mask(&path),
        None => path,
    };
    let path = hide_emails(&path);
    let mut out = format!("{scheme}://{host}{path}");
    if !query.is_empty() {
        let keys: Vec<String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let k = p.split('=').next().unwrap_or("");
                let k = match finder {
                    Some(f) => f.mask(k),
                    None => k.to_string(),
                };
                if p.contains('=') {
                    format!("{k}=…")
                } else {
                    k
                }
            })
            .collect();
        out.push('?');
        out.push_str(&keys.join("&"));
    }
    cut(&redactor.redact(&out), MAX_SHOWN)
}

/// Reads recordings: `(name, text)` per HAR file, in the order given.
pub fn observe(
    hars: &[(String, String)],
    canary: Option<&Canary>,
    options: &Options,
) -> Result<ObservedReport, ObserveError> {
    observe_with_catalog(hars, canary, options, Catalog::builtin())
}

/// [`observe`] with a given catalog.
pub fn observe_with_catalog(
    hars: &[(String, String)],
    canary: Option<&Canary>,
    options: &Options,
    catalog: &Catalog,
) -> Result<ObservedReport, ObserveError> {
    let index = Index::new(catalog);
    let domains = crate::scan::endpoint::Domains::new(&index);
    let finder = canary.map(canary::Finder::new);
    let mut files = Vec::new();
    let mut by_vendor: BTreeMap<String, Vec<ObservedRequest>> = BTreeMap::new();
    for (name, text) in hars {
        let har: har::Har = serde_json::from_str(text).map_err(|e| ObserveError {
            file: name.clone(),
            message: format!(
                "line {}, column {}: not an HTTP Archive: {e}",
                e.line(),
                e.column()
            ),
            help: "export the HAR from the browser's network panel (\"Save all as HAR\"), Playwright's `recordHar`, or a proxy; the file is JSON with `log.entries`".into(),
        })?;
        let total = har.log.entries.len();
        let mut summary = FileSummary {
            file: name.clone(),
            entries: total,
            vendor_requests: 0,
            other_requests: 0,
            not_read: total.saturating_sub(MAX_ENTRIES),
        };
        for (i, entry) in har.log.entries.iter().enumerate().take(MAX_ENTRIES) {
            let req = &entry.request;
            let vendors = match decode::split_url(&req.url) {
                Some((host, path, _)) => domains.of_request(&host, &path),
                None => Vec::new(),
            };
            if vendors.is_empty() {
                summary.other_requests += 1;
                continue;
            }
            summary.vendor_requests += 1;
            let path = decode::split_url(&req.url)
                .map(|(_, p, _)| p)
                .unwrap_or_default();
            let ga4 = path.ends_with("/g/collect") || path.ends_with("/collect");
            let mut observed = read_request(name, i, entry, ga4, finder.as_ref(), options);
            if let Some(u) = entry.initiator_url() {
                observed.initiator_vendor = decode::split_url(&u)
                    .map(|(host, path, _)| domains.of_request(&host, &path))
                    .and_then(|v| v.first().map(|x| index.id(*x).to_string()));
                observed.initiator = Some(shown_url(&u, finder.as_ref(), options.show_values));
            }
            for v in vendors {
                by_vendor
                    .entry(index.id(v).to_string())
                    .or_default()
                    .push(observed.clone());
            }
        }
        files.push(summary);
    }
    let vendors = by_vendor
        .into_iter()
        .map(|(id, mut requests)| {
            requests.sort_by(|a, b| (&a.file, a.entry).cmp(&(&b.file, b.entry)));
            let categories: BTreeSet<String> = requests
                .iter()
                .flat_map(|r| r.fields.iter().map(|f| f.category.clone()))
                .collect();
            let canaries: BTreeSet<String> = requests
                .iter()
                .flat_map(|r| r.canaries.iter().map(|c| c.canary.clone()))
                .collect();
            ObservedVendor {
                name: catalog
                    .get(&id)
                    .map(|v| v.name.clone())
                    .unwrap_or_else(|| id.clone()),
                vendor: id,
                categories: categories.into_iter().collect(),
                canaries: canaries.into_iter().collect(),
                requests,
            }
        })
        .collect();
    Ok(ObservedReport {
        version: 1,
        kind: KIND.into(),
        show_values: options.show_values,
        canaries: canary
            .map(|c| c.values.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default(),
        files,
        vendors,
    })
}

/// Decodes, classifies and searches one request.
fn read_request(
    file: &str,
    i: usize,
    entry: &har::Entry,
    ga4: bool,
    finder: Option<&canary::Finder>,
    options: &Options,
) -> ObservedRequest {
    let req = &entry.request;
    let d = decode::request(req, ga4);
    let redactor = crate::scan::redact::builtin();

    // Canaries: in the request as sent, then in what only decoding shows.
    let mut hits: BTreeSet<CanaryHit> = BTreeSet::new();
    if let Some(f) = finder {
        let bounded = |s: &str| -> String {
            let mut end = s.len().min(decode::MAX_BODY);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s[..end].to_string()
        };
        let mut hay: Vec<(String, String)> = vec![("url".into(), bounded(&req.url))];
        for h in &req.headers {
            hay.push((format!("header {}", h.name), bounded(&h.value)));
        }
        for c in &req.cookies {
            hay.push((format!("cookie {}", c.name), bounded(&c.value)));
        }
        if !d.raw_body.is_empty() {
            hay.push(("body".into(), d.raw_body.clone()));
        }
        hay.extend(d.layers.iter().cloned());
        for (at, text) in &hay {
            for h in f.find(text) {
                hits.insert(CanaryHit {
                    canary: h.name,
                    encoding: h.encoding,
                    found_in: cut(&hide_emails(&f.mask(at)), 120),
                });
            }
        }
    }

    // Fields.
    let mut fields: BTreeMap<(Part, String, String), ObservedField> = BTreeMap::new();
    let mut unclassified = 0;
    for p in &d.pairs {
        let in_value = finder.map(|f| f.find(&p.value)).unwrap_or_default();
        // A value the texts above did not show it in (a writer's parsed
        // `params` with no body text): the key path is where it was.
        for h in &in_value {
            if !hits.iter().any(|x| x.canary == h.name) {
                let at = format!("{} {}", p.part.as_str(), p.path);
                let at = finder.map(|f| f.mask(&at)).unwrap_or(at);
                hits.insert(CanaryHit {
                    canary: h.name.clone(),
                    encoding: h.encoding,
                    found_in: cut(&hide_emails(&at), 120),
                });
            }
        }
        let canary_name = in_value.into_iter().next().map(|h| h.name);
        let by_canary = canary_name.as_deref().and_then(Canary::category);
        let category = by_canary
            .or_else(|| classify_key(p.part, &p.path))
            .or_else(|| is_email(&p.value).then(|| "user.contact.email".to_string()));
        let Some(category) = category else {
            unclassified += 1;
            continue;
        };
        let path = match finder {
            Some(f) => f.mask(&p.path),
            None => p.path.clone(),
        };
        let path = cut(&hide_emails(&path), MAX_SHOWN);
        fields
            .entry((p.part, path.clone(), category.clone()))
            .or_insert_with(|| ObservedField {
                part: p.part,
                path,
                category,
                canary: canary_name,
                value: options
                    .show_values
                    .then(|| cut(&redactor.redact(&p.value), MAX_SHOWN)),
            });
    }
    let mut problems = d.problems.clone();
    if d.truncated {
        problems.push(format!(
            "more than {} keys: the rest were not read",
            decode::MAX_PAIRS
        ));
    }
    ObservedRequest {
        file: file.to_string(),
        entry: i,
        started: entry.started.as_deref().map(|s| cut(s, 64)),
        method: cut(&req.method, 16),
        url: shown_url(&req.url, finder, options.show_values),
        initiator: None,
        initiator_vendor: None,
        formats: d.formats.iter().map(|s| s.to_string()).collect(),
        fields: fields.into_values().collect(),
        unclassified,
        canaries: hits.into_iter().collect(),
        problems,
    }
}

/// A report read back from `observe --format json` (`--observed FILE`).
pub fn parse_report(text: &str, file: &str) -> Result<ObservedReport, ObserveError> {
    let err = |message: String| ObserveError {
        file: file.to_string(),
        message,
        help: "pass the JSON that `blastmap observe --har FILE --format json` writes".into(),
    };
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        err(format!(
            "line {}, column {}: not JSON: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if v.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
        return Err(err(format!(
            "not an observer's report (expected `\"kind\": \"{KIND}\"`)"
        )));
    }
    if v.get("version").and_then(|k| k.as_u64()) != Some(1) {
        return Err(err("unsupported version (expected 1)".into()));
    }
    serde_json::from_value(v).map_err(|e| err(format!("not an observer's report: {e}")))
}

impl ObservedReport {
    /// The observations as production integrations, one per vendor, for
    /// the graph and the gate; `component` names the component each
    /// vendor's flow starts from. Evidence is one `observed` item per
    /// request that first carried a category under a key path
    /// (`session.har#entries[3]`, `POST https://...`; repeats of the same
    /// request add nothing), and each
    /// field's name is the request and the key path
    /// (`POST https://api.segment.io/v1/batch: body batch[].traits.email`).
    pub fn to_scan(&self, component: &dyn Fn(&str) -> String) -> ScanResult {
        let integrations = self
            .vendors
            .iter()
            .map(|v| {
                let mut evidence = Vec::new();
                let mut fields = Vec::new();
                // A recording repeats the same request many times: each
                // (category, key path) is kept at the first request that
                // carried it, and a request is evidence when it carried
                // something first (or is the vendor's first request).
                let mut seen: BTreeSet<(&str, Part, &str)> = BTreeSet::new();
                for r in &v.requests {
                    let at = r.location();
                    let mut first = evidence.is_empty();
                    for f in &r.fields {
                        if !seen.insert((f.category.as_str(), f.part, f.path.as_str())) {
                            continue;
                        }
                        first = true;
                        fields.push(FieldUse {
                            category: f.category.clone(),
                            name: format!("{} {}: {} {}", r.method, r.url, f.part.as_str(), f.path),
                            file: at.clone(),
                            line: 0,
                        });
                    }
                    if first {
                        evidence.push(Evidence {
                            kind: EvidenceKind::Observed,
                            file: at,
                            line: 0,
                            text: format!("{} {}", r.method, r.url),
                            scope: Scope::Production,
                        });
                    }
                }
                evidence.sort();
                evidence.dedup();
                fields.sort_by(|a, b| {
                    (&a.file, a.line, &a.category, &a.name).cmp(&(
                        &b.file,
                        b.line,
                        &b.category,
                        &b.name,
                    ))
                });
                fields.dedup();
                Integration {
                    vendor: v.vendor.clone(),
                    component: Some(component(&v.vendor)),
                    scope: Scope::Production,
                    evidence,
                    fields,
                }
            })
            .collect();
        ScanResult {
            version: 1,
            integrations,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_the_sdks_send_are_classified() {
        let c = |part, p: &str| classify_key(part, p);
        assert_eq!(
            c(Part::Query, "dr").as_deref(),
            Some("user.behavior.referrer")
        );
        assert_eq!(
            c(Part::Body, "ep.user_email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            c(Part::Body, "batch[].traits.email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            c(Part::Body, "data.properties.$current_url").as_deref(),
            Some("user.behavior.browsing_history")
        );
        assert_eq!(c(Part::Header, "Accept"), None);
        assert_eq!(
            c(Part::Header, "Referer").as_deref(),
            Some("user.behavior.referrer")
        );
        assert_eq!(
            c(Part::Cookie, "_ga").as_deref(),
            Some("user.device.cookie_id")
        );
    }

    /// Regression (blast took 23 s in a debug build on a 26,000-request
    /// report, every repeat of a request kept as evidence): a repeated
    /// request adds no evidence and no field.
    #[test]
    fn repeated_requests_are_evidence_once() {
        let req = |entry: usize, path: &str| {
            serde_json::json!({"file": "s.har", "entry": entry, "method": "POST", "url": "https://x/",
                "formats": [], "unclassified": 0, "canaries": [],
                "fields": [{"part": "body", "path": path, "category": "user.contact.email"}]})
        };
        let r: ObservedReport = serde_json::from_value(serde_json::json!({
            "version": 1, "kind": KIND, "show_values": false, "canaries": [], "files": [],
            "vendors": [{"vendor": "segment", "name": "Segment", "categories": [], "canaries": [],
                "requests": [req(1, "traits.email"), req(2, "traits.email"), req(3, "context.email")]}]
        }))
        .unwrap();
        let scan = r.to_scan(&|_| "web".to_string());
        let i = &scan.integrations[0];
        let files: Vec<&str> = i.evidence.iter().map(|e| e.file.as_str()).collect();
        assert_eq!(files, ["s.har#entries[1]", "s.har#entries[3]"]);
        assert_eq!(i.fields.len(), 2);
    }

    #[test]
    fn entries_past_the_bound_are_counted_not_read() {
        let entry = r#"{"request": {"url": "https://x.test/"}}"#;
        let mut har = String::from(r#"{"log": {"entries": ["#);
        for i in 0..MAX_ENTRIES + 2 {
            if i > 0 {
                har.push(',');
            }
            har.push_str(entry);
        }
        har.push_str("]}}");
        let r = observe(&[("big.har".into(), har)], None, &Options::default()).unwrap();
        assert_eq!(r.files[0].not_read, 2);
        assert_eq!(r.files[0].other_requests, MAX_ENTRIES);
    }

    #[test]
    fn email_addresses_in_paths_are_hidden() {
        // Key paths use dots too: the whole dotted run is hidden.
        assert_eq!(hide_emails("users.ada@x.io.plan"), "[…]");
        assert_eq!(hide_emails("/u/a.b%40x.co/t"), "/u/[…]/t");
        assert_eq!(hide_emails("batch[].traits.email"), "batch[].traits.email");
    }

    #[test]
    fn urls_are_shown_without_values() {
        assert_eq!(
            shown_url(
                "https://api.x.com/u/a%40b.io/t?data=eyJ&ip=1#f",
                None,
                false
            ),
            "https://api.x.com/u/[…]/t?data=…&ip=…"
        );
    }
}
