//! What one recorded request carries, as key paths and values.
//!
//! Decoded here: the URL's query string; bodies that are JSON (also sent as
//! `text/plain` by `navigator.sendBeacon`), form-encoded, or one query
//! string per line (GA4's batched `/g/collect` hits); gzip and deflate
//! bodies (from `Content-Encoding` or the magic bytes); base64 values that
//! hold JSON (Mixpanel's `data=`); JSON inside a string value; batched
//! event arrays (Segment's `batch`, PostHog's arrays, Amplitude's
//! `events`), whose members read as one path (`batch[].traits.email`);
//! cookies; and the headers that say who or where the person is.
//!
//! Bounds (the HAR is untrusted): a body is read up to [`MAX_BODY`] bytes
//! after decompression (a gzip bomb stops there and is reported), JSON to
//! [`MAX_DEPTH`] levels, [`MAX_PAIRS`] leaves per request, values decoded
//! inside values at most [`MAX_LAYERS`] deep.

use std::collections::BTreeSet;
use std::io::Read;

use base64::Engine;

use super::har::{NameValue, Request};

/// The most bytes a body is read to, after decompression.
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// The deepest JSON nesting followed.
pub const MAX_DEPTH: usize = 32;
/// The most key/value leaves kept per request.
pub const MAX_PAIRS: usize = 5_000;
/// How many encodings deep a value is opened (base64 in a form value in a
/// query string...).
pub const MAX_LAYERS: usize = 3;

/// Where in the request a value was.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The URL's query string.
    Query,
    /// The body.
    Body,
    /// A cookie.
    Cookie,
    /// A header.
    Header,
}

impl Part {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Query => "query",
            Part::Body => "body",
            Part::Cookie => "cookie",
            Part::Header => "header",
        }
    }
}

/// One leaf: a key path and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// Where it was.
    pub part: Part,
    /// The key path: `data.properties.$email`, `batch[].traits.email`,
    /// `ep.user_email`, a cookie's or header's name.
    pub path: String,
    /// The decoded value.
    pub value: String,
}

/// Everything decoded from one request.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The leaves, in request order.
    pub pairs: Vec<Pair>,
    /// The formats met (`query`, `json`, `beacon`, `form`, `base64`,
    /// `gzip`, `deflate`, `batch`, `ga4`, `cookie`, `header`).
    pub formats: BTreeSet<&'static str>,
    /// Texts that exist only after decoding (a decompressed body, a
    /// base64 value's content), named by where they were, for the canary
    /// search: the raw URL, headers, cookies and body are searched as well.
    pub layers: Vec<(String, String)>,
    /// What could not be decoded, in words.
    pub problems: Vec<String>,
    /// True when [`MAX_PAIRS`] was reached.
    pub truncated: bool,
    /// The raw body as text (lossy), for the canary search.
    pub raw_body: String,
}

impl Decoded {
    fn push(&mut self, part: Part, path: String, value: String) {
        if self.pairs.len() >= MAX_PAIRS {
            self.truncated = true;
            return;
        }
        self.pairs.push(Pair { part, path, value });
    }
}

/// The header value of `name` (case-insensitive), the first one.
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Percent-decoding as forms do (`+` is a space); invalid escapes stay.
pub fn percent_decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' if plus => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a=1&b=2` as decoded pairs (a key with no `=` has an empty value).
pub fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// The URL's scheme-less parts: host (no port, no credentials), path, and
/// query (without `?`; empty when none). `None` when it is not an absolute
/// http(s) or ws(s) URL.
pub fn split_url(url: &str) -> Option<(String, String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ws" | "wss"
    ) {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or("");
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let after = &rest[end..];
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("").to_string()
    } else {
        host_port.split(':').next().unwrap_or("").to_string()
    };
    let (path, query) = match after.split_once('?') {
        Some((p, q)) => (p, q),
        None => (after, ""),
    };
    Some((
        host.to_ascii_lowercase(),
        path.to_string(),
        query.to_string(),
    ))
}

/// The body's bytes: base64 when the writer says so; one byte per
/// character when the text holds only characters below 256 and starts as
/// a compressed stream does (Chromium writes binary bodies that way);
/// else the text's UTF-8.
fn body_bytes(text: &str, encoding: Option<&str>) -> Vec<u8> {
    if encoding.is_some_and(|e| e.eq_ignore_ascii_case("base64")) {
        if let Some(b) = base64_bytes(text) {
            return b;
        }
    }
    let mut chars = text.chars();
    let first = chars.next().map(|c| c as u32);
    let second = chars.next().map(|c| c as u32);
    let compressed = matches!((first, second), (Some(0x1f), Some(0x8b)))
        || matches!(
            (first, second),
            (Some(0x78), Some(0x01 | 0x5e | 0x9c | 0xda))
        );
    if compressed && text.chars().all(|c| (c as u32) < 256) {
        return text.chars().map(|c| c as u8).collect();
    }
    text.as_bytes().to_vec()
}

/// Base64 (standard or URL-safe, padded or not) to bytes.
fn base64_bytes(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let t: String = s.trim().trim_end_matches('=').to_string();
    if t.contains(['-', '_']) {
        URL_SAFE_NO_PAD.decode(t.as_bytes()).ok()
    } else {
        STANDARD_NO_PAD.decode(t.as_bytes()).ok()
    }
}

/// Inflates `bytes` (gzip or zlib/deflate) up to [`MAX_BODY`] bytes.
/// `Err` names what went wrong; a stream that inflates past the bound is
/// an error (a bomb), not a truncated body.
fn inflate(bytes: &[u8], gzip: bool) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let limit = MAX_BODY as u64 + 1;
    let r = if gzip {
        flate2::read::MultiGzDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out)
    } else {
        // `deflate` is zlib-wrapped in practice; raw deflate as a fallback.
        let z = flate2::read::ZlibDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out);
        if z.is_err() {
            out.clear();
            flate2::read::DeflateDecoder::new(bytes)
                .take(limit)
                .read_to_end(&mut out)
        } else {
            z
        }
    };
    match r {
        Ok(_) if out.len() > MAX_BODY => Err(format!(
            "the body inflates past {} MiB: not read (a compression bomb?)",
            MAX_BODY / (1024 * 1024)
        )),
        Ok(_) => Ok(out),
        Err(e) => Err(format!("the compressed body does not inflate: {e}")),
    }
}

/// Decodes a request. `ga4` says the request is a GA4 hit (`/g/collect`),
/// whose body holds one query string per line.
pub fn request(req: &Request, ga4: bool) -> Decoded {
    let mut d = Decoded::default();
    if ga4 {
        d.formats.insert("ga4");
    }
    // The query string, from the URL itself (writers' `queryString` lists
    // disagree on decoding).
    if let Some((_, _, query)) = split_url(&req.url)
        && !query.is_empty()
    {
        d.formats.insert("query");
        for (k, v) in form_pairs(&query) {
            value(&mut d, Part::Query, k, &v, 0);
        }
    }

    // The body.
    if let Some(post) = &req.post_data {
        let text = post.text.as_deref().unwrap_or("");
        if text.starts_with('\u{1f}') && text.contains('\u{fffd}') {
            // Playwright writes a binary body as UTF-8 text: every byte
            // that is not UTF-8 became U+FFFD, and the stream is lost.
            d.problems.push(
                "the recording stored this binary (compressed) body as text with replacement characters: its bytes are lost; record with a tool that keeps binary bodies (base64)".into(),
            );
            d.raw_body = text.to_string();
            return finish(req, d);
        }
        let mut bytes = body_bytes(text, post.encoding.as_deref());
        if bytes.len() > MAX_BODY {
            d.problems.push(format!(
                "the body is larger than {} MiB: not decoded",
                MAX_BODY / (1024 * 1024)
            ));
            bytes.clear();
        }
        let declared = header(req, "content-encoding")
            .unwrap_or("")
            .to_ascii_lowercase();
        let gzip = bytes.starts_with(&[0x1f, 0x8b]) || declared.contains("gzip");
        let zlib = !gzip
            && (declared.contains("deflate")
                || (bytes.len() > 2
                    && bytes[0] == 0x78
                    && matches!(bytes[1], 0x01 | 0x5e | 0x9c | 0xda)));
        if gzip || zlib {
            match inflate(&bytes, gzip) {
                Ok(b) => {
                    d.formats.insert(if gzip { "gzip" } else { "deflate" });
                    let t = String::from_utf8_lossy(&b).into_owned();
                    d.layers.push((
                        format!("body ({})", if gzip { "gzip" } else { "deflate" }),
                        t,
                    ));
                    bytes = b;
                }
                Err(e) => {
                    d.problems.push(e);
                    bytes.clear();
                }
            }
        } else {
            d.raw_body = String::from_utf8_lossy(&bytes).into_owned();
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let mime = post.mime_type.to_ascii_lowercase();
        let trimmed = body.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(v) => {
                    d.formats.insert("json");
                    if mime.starts_with("text/plain") {
                        // What navigator.sendBeacon sends for a string.
                        d.formats.insert("beacon");
                    }
                    note_batch(&mut d, &v);
                    json(&mut d, Part::Body, String::new(), &v, 0, 0);
                }
                Err(e) => d.problems.push(format!(
                    "the body is not valid JSON (line {}, column {}): read as text",
                    e.line(),
                    e.column()
                )),
            }
        } else if trimmed.is_empty() && !post.params.is_empty() {
            // A writer that parsed the form and kept only its parameters.
            d.formats.insert("form");
            for NameValue { name, value: v } in &post.params {
                value(&mut d, Part::Body, name.clone(), v, 0);
            }
        } else if ga4 || mime.contains("x-www-form-urlencoded") || looks_like_form(trimmed) {
            // GA4 batches hits, one query string per line.
            d.formats.insert("form");
            for line in body.lines().filter(|l| !l.trim().is_empty()) {
                for (k, v) in form_pairs(line.trim()) {
                    value(&mut d, Part::Body, k, &v, 0);
                }
            }
        } else if !trimmed.is_empty() {
            // An opaque body (a single base64 blob, say).
            if let Some(inner) = base64_json(trimmed) {
                d.formats.insert("base64");
                d.layers.push(("body (base64)".into(), inner.0));
                note_batch(&mut d, &inner.1);
                json(&mut d, Part::Body, String::new(), &inner.1, 0, 1);
            }
        }
    }

    finish(req, d)
}

/// Adds the cookies and headers to what the query and body gave.
fn finish(req: &Request, mut d: Decoded) -> Decoded {
    // Cookies: the writer's list, else the header.
    let mut cookies: Vec<(String, String)> = req
        .cookies
        .iter()
        .map(|c| (c.name.clone(), c.value.clone()))
        .collect();
    if cookies.is_empty()
        && let Some(h) = header(req, "cookie")
    {
        cookies = h
            .split(';')
            .filter_map(|c| {
                let (k, v) = c.trim().split_once('=')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect();
    }
    if !cookies.is_empty() {
        d.formats.insert("cookie");
    }
    for (k, v) in cookies {
        d.push(Part::Cookie, k, percent_decode(&v, false));
    }
    for h in &req.headers {
        let name = h.name.to_ascii_lowercase();
        if name == "cookie" || name.starts_with(':') {
            continue;
        }
        d.push(Part::Header, h.name.clone(), h.value.clone());
    }
    d
}

/// `a=b&c=d` with no spaces: a form body sent without its media type.
fn looks_like_form(s: &str) -> bool {
    !s.is_empty()
        && s.contains('=')
        && !s.contains(char::is_whitespace)
        && s.split('&').all(|p| {
            p.split('=')
                .next()
                .is_some_and(|k| !k.is_empty() && k.len() < 200)
        })
}

/// Notes a batched event array: a top-level array, `batch` (Segment,
/// PostHog) or `events` (Amplitude).
fn note_batch(d: &mut Decoded, v: &serde_json::Value) {
    let is_batch = match v {
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => ["batch", "events"]
            .iter()
            .any(|k| o.get(*k).is_some_and(|x| x.is_array())),
        _ => false,
    };
    if is_batch {
        d.formats.insert("batch");
    }
}

/// A base64 text whose content is JSON: the text and the value.
fn base64_json(s: &str) -> Option<(String, serde_json::Value)> {
    let s = s.trim();
    if s.len() < 8
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
    {
        return None;
    }
    let bytes = base64_bytes(s)?;
    let text = String::from_utf8(bytes).ok()?;
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let v = serde_json::from_str(&text).ok()?;
    Some((text, v))
}

/// One value at `path`: opened when it is JSON or base64 JSON, else a leaf.
fn value(d: &mut Decoded, part: Part, path: String, v: &str, layer: usize) {
    if layer < MAX_LAYERS {
        let t = v.trim_start();
        if (t.starts_with('{') || t.starts_with('['))
            && let Ok(j) = serde_json::from_str::<serde_json::Value>(v)
        {
            d.formats.insert("json");
            note_batch(d, &j);
            json(d, part, path, &j, 0, layer + 1);
            return;
        }
        if let Some((text, j)) = base64_json(v) {
            d.formats.insert("base64");
            d.layers
                .push((format!("{} {path} (base64)", part.as_str()), text));
            note_batch(d, &j);
            json(d, part, path, &j, 0, layer + 1);
            return;
        }
    }
    d.push(part, path, v.to_string());
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Flattens JSON into leaves; array members share one path (`[]`).
fn json(
    d: &mut Decoded,
    part: Part,
    path: String,
    v: &serde_json::Value,
    depth: usize,
    layer: usize,
) {
    if depth > MAX_DEPTH {
        d.problems.push(format!(
            "JSON nested deeper than {MAX_DEPTH} levels at `{path}`: not read further"
        ));
        return;
    }
    if d.truncated {
        return;
    }
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                json(d, part, join(&path, k), x, depth + 1, layer);
            }
        }
        serde_json::Value::Array(a) => {
            let p = format!("{path}[]");
            for x in a {
                json(d, part, p.clone(), x, depth + 1, layer);
            }
        }
        serde_json::Value::String(s) => value(d, part, path, s, layer),
        serde_json::Value::Number(n) => d.push(part, path, n.to_string()),
        serde_json::Value::Bool(b) => d.push(part, path, b.to_string()),
        serde_json::Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::har::PostData;
    use std::io::Write;

    fn req(url: &str, mime: &str, body: Option<&str>) -> Request {
        Request {
            method: "POST".into(),
            url: url.into(),
            headers: Vec::new(),
            cookies: Vec::new(),
            post_data: body.map(|b| PostData {
                mime_type: mime.into(),
                text: Some(b.into()),
                ..Default::default()
            }),
        }
    }

    fn paths(d: &Decoded) -> Vec<String> {
        d.pairs
            .iter()
            .map(|p| format!("{} {}={}", p.part.as_str(), p.path, p.value))
            .collect()
    }

    #[test]
    fn mixpanel_base64_data_in_the_query() {
        let data = base64::engine::general_purpose::STANDARD
            .encode(r#"{"event":"x","properties":{"$email":"a@b.io"}}"#);
        let d = request(
            &req(
                &format!("https://api-js.mixpanel.com/track/?data={data}&ip=1"),
                "",
                None,
            ),
            false,
        );
        assert!(paths(&d).contains(&"query data.properties.$email=a@b.io".to_string()));
        assert!(d.formats.contains("base64"));
        assert_eq!(d.layers.len(), 1);
    }

    #[test]
    fn segment_batch_and_gzip() {
        let body = r#"{"batch":[{"traits":{"email":"a@b.io"}},{"traits":{"email":"c@d.io"}}]}"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(body.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let latin1: String = bytes.iter().map(|b| *b as char).collect();
        let d = request(
            &req(
                "https://api.segment.io/v1/batch",
                "application/json",
                Some(&latin1),
            ),
            false,
        );
        assert!(d.formats.contains("gzip") && d.formats.contains("batch"));
        let p = paths(&d);
        assert!(
            p.contains(&"body batch[].traits.email=c@d.io".to_string()),
            "{p:?}"
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_bound() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'a'; MAX_BODY + 10]).unwrap();
        let bytes = gz.finish().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let mut r = req(
            "https://api.segment.io/v1/batch",
            "application/json",
            Some(&b64),
        );
        r.post_data.as_mut().unwrap().encoding = Some("base64".into());
        let d = request(&r, false);
        assert!(d.pairs.is_empty());
        assert!(
            d.problems[0].contains("compression bomb"),
            "{:?}",
            d.problems
        );
    }

    #[test]
    fn ga4_lines_and_broken_json() {
        let d = request(
            &req(
                "https://region1.google-analytics.com/g/collect?v=2&cid=1.2",
                "text/plain",
                Some("en=page_view&ep.user_email=x\nen=login"),
            ),
            true,
        );
        let p = paths(&d);
        assert!(
            p.contains(&"body ep.user_email=x".to_string())
                && p.contains(&"query cid=1.2".to_string()),
            "{p:?}"
        );
        let d = request(
            &req("https://x.test/", "application/json", Some("{\"a\": ")),
            false,
        );
        assert!(d.problems[0].contains("not valid JSON"));
    }

    #[test]
    fn deep_json_is_bounded() {
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let d = request(
            &req("https://x.test/", "application/json", Some(&deep)),
            false,
        );
        assert!(d.pairs.is_empty());
        assert!(!d.problems.is_empty());
    }

    proptest::proptest! {
        /// Any URL, media type and body decode without a panic, within the
        /// bounds.
        #[test]
        fn anything_decodes_without_panic(
            url in "(https?://)?[ -~\\u{80}-\\u{10ffff}]{0,80}",
            mime in "[a-z/+;=-]{0,30}",
            body in proptest::prelude::any::<String>(),
            prefix in proptest::prop_oneof!["", "\\{", "\\[", "\\u{1f}\\u{8b}", "a=b&"],
        ) {
            let d = request(&req(&url, &mime, Some(&format!("{prefix}{body}"))), url.contains("collect"));
            proptest::prop_assert!(d.pairs.len() <= MAX_PAIRS);
            let _ = split_url(&url);
            let _ = percent_decode(&body, true);
        }
    }

    #[test]
    fn urls_split() {
        assert_eq!(
            split_url("https://u:p@API.Mixpanel.com:443/track?x=1#f"),
            Some(("api.mixpanel.com".into(), "/track".into(), "x=1".into()))
        );
        assert_eq!(split_url("data:text/plain,hi"), None);
        assert_eq!(percent_decode("a%40b+c%zz%4", true), "a@b c%zz%4");
    }
}
