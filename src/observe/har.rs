//! HTTP Archive (HAR 1.2) request entries, as Chromium's DevTools,
//! Firefox, Playwright (`recordHar`) and mitmproxy write them.
//!
//! Only what the observer reads is typed: each entry's start time and
//! request (method, URL, headers, cookies, query string, body). The writers
//! differ, so every field but `url` is optional, a `null` or a number where
//! a string is expected reads as text, and extension fields (`_initiator`,
//! `_resourceType`, `_securityDetails`, ...) are ignored. Responses are not
//! read: the question is what left the browser.

use serde::{Deserialize, Deserializer};

/// The whole file.
#[derive(Debug, Deserialize)]
pub struct Har {
    /// The one `log` object.
    pub log: Log,
}

/// `log`.
#[derive(Debug, Deserialize)]
pub struct Log {
    /// The recorded exchanges, in the file's order.
    #[serde(default)]
    pub entries: Vec<Entry>,
}

/// One exchange.
#[derive(Debug, Deserialize)]
pub struct Entry {
    /// When the request started (ISO 8601), as the writer gives it.
    #[serde(default, rename = "startedDateTime", deserialize_with = "text_opt")]
    pub started: Option<String>,
    /// The request.
    pub request: Request,
    /// What started the request (Chromium's `_initiator`: the script and
    /// its call stack, or the parser and the document).
    #[serde(default, rename = "_initiator")]
    pub initiator: Option<serde_json::Value>,
}

impl Entry {
    /// The URL of the script (or document) that started the request, from
    /// Chromium's `_initiator`: its own `url`, else the first frame of its
    /// call stack that names one (async parents followed, a few levels).
    pub fn initiator_url(&self) -> Option<String> {
        let i = self.initiator.as_ref()?;
        if let Some(u) = i
            .get("url")
            .and_then(|u| u.as_str())
            .filter(|u| !u.is_empty())
        {
            return Some(u.to_string());
        }
        let mut stack = i.get("stack");
        for _ in 0..8 {
            let s = stack?;
            let frames = s.get("callFrames").and_then(|f| f.as_array());
            if let Some(u) = frames
                .into_iter()
                .flatten()
                .filter_map(|f| f.get("url").and_then(|u| u.as_str()))
                .find(|u| !u.is_empty())
            {
                return Some(u.to_string());
            }
            stack = s.get("parent");
        }
        None
    }
}

/// A request.
#[derive(Debug, Deserialize)]
pub struct Request {
    /// `GET`, `POST`, ...
    #[serde(default, deserialize_with = "text")]
    pub method: String,
    /// The absolute URL.
    #[serde(deserialize_with = "text")]
    pub url: String,
    /// Request headers (HTTP/2 pseudo-headers such as `:authority` included
    /// by some writers).
    #[serde(default, deserialize_with = "pairs")]
    pub headers: Vec<NameValue>,
    /// Cookies sent.
    #[serde(default, deserialize_with = "pairs")]
    pub cookies: Vec<NameValue>,
    /// The body, if any.
    #[serde(default, rename = "postData")]
    pub post_data: Option<PostData>,
}

/// A name and a value (header, cookie, form parameter).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NameValue {
    /// The name.
    #[serde(default, deserialize_with = "text")]
    pub name: String,
    /// The value.
    #[serde(default, deserialize_with = "text")]
    pub value: String,
}

/// `postData`.
#[derive(Debug, Default, Deserialize)]
pub struct PostData {
    /// The body's media type.
    #[serde(default, rename = "mimeType", deserialize_with = "text")]
    pub mime_type: String,
    /// The body as text (for binary bodies: base64 when `encoding` says so,
    /// else each byte as one character, as Chromium writes them).
    #[serde(default, deserialize_with = "text_opt")]
    pub text: Option<String>,
    /// Form parameters, when the writer parsed the body.
    #[serde(default, deserialize_with = "pairs")]
    pub params: Vec<NameValue>,
    /// `base64` when `text` is base64 (mitmproxy and some proxies); HAR
    /// 1.2 defines it for responses only, so `_encoding` is read as well.
    #[serde(default, alias = "_encoding", deserialize_with = "text_opt")]
    pub encoding: Option<String>,
}

/// A scalar as text: a string as is, a number or a boolean written out,
/// `null` as empty.
fn scalar(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(scalar(serde_json::Value::deserialize(d)?).unwrap_or_default())
}

fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(scalar(serde_json::Value::deserialize(d)?))
}

/// A list of name/value objects; anything else (a `null`, an object)
/// reads as empty, and members that are not objects are left out.
fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NameValue>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    let serde_json::Value::Array(items) = v else {
        return Ok(Vec::new());
    };
    Ok(items
        .into_iter()
        .filter(|i| i.is_object())
        .filter_map(|i| serde_json::from_value(i).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sending_script_is_read_from_the_initiator() {
        let entry = |init: &str| -> Entry {
            serde_json::from_str(&format!(
                r#"{{"request": {{"url": "https://x.test/"}}, "_initiator": {init}}}"#
            ))
            .unwrap()
        };
        let parser = entry(r#"{"type": "parser", "url": "https://shop.test/"}"#);
        assert_eq!(
            parser.initiator_url().as_deref(),
            Some("https://shop.test/")
        );
        let nested = entry(
            r#"{"type": "script", "stack": {"callFrames": [{"url": ""}],
                "parent": {"callFrames": [{"url": "https://www.googletagmanager.com/gtm.js"}]}}}"#,
        );
        assert_eq!(
            nested.initiator_url().as_deref(),
            Some("https://www.googletagmanager.com/gtm.js")
        );
        assert_eq!(entry(r#""other""#).initiator_url(), None);
    }

    #[test]
    fn odd_writers_read() {
        let text = r#"{"log": {"version": "1.2", "creator": {"name": "x"}, "entries": [
            {"startedDateTime": null, "_initiator": {"type": "script"},
             "request": {"method": "POST", "url": "https://api.segment.io/v1/batch",
                "headers": [{"name": "Content-Type", "value": "application/json"}, 7],
                "cookies": null, "queryString": [],
                "postData": {"mimeType": "application/json", "text": "{}", "_encoding": "base64"}}},
            {"request": {"url": "https://x.test/", "headers": [{"name": "n", "value": 12}]}}
        ]}}"#;
        let har: Har = serde_json::from_str(text).unwrap();
        assert_eq!(har.log.entries.len(), 2);
        let r = &har.log.entries[0].request;
        assert_eq!(r.headers.len(), 1);
        assert!(r.cookies.is_empty());
        assert_eq!(
            r.post_data.as_ref().unwrap().encoding.as_deref(),
            Some("base64")
        );
        assert_eq!(har.log.entries[1].request.headers[0].value, "12");
        assert_eq!(har.log.entries[1].request.method, "");
    }
}
