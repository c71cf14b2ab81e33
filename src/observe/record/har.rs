//! The HAR 1.2 document the recorder writes: the same shape as Chromium's
//! DevTools export (`log.version`, `creator`, `pages`, `entries[]` with
//! `request`, `response`, `timings`), so that `observe --har` reads a
//! recording exactly as it reads a browser's export.
//!
//! Two choices beyond the specification, both documented in README.md:
//! a request body that is not UTF-8 (a gzip-compressed batch) is written as
//! base64 with `postData.encoding: "base64"` (the field HAR gives response
//! content), and each entry carries Chromium's `_resourceType`.

use serde::{Deserialize, Serialize};

/// A HAR document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Har {
    /// The log, HAR's only top-level key.
    pub log: Log,
}

/// `log`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Log {
    /// Always `1.2`.
    pub version: String,
    /// The program that wrote the file.
    pub creator: Creator,
    /// The pages opened.
    #[serde(default)]
    pub pages: Vec<Page>,
    /// The requests, in the order the page made them.
    pub entries: Vec<Entry>,
    /// How the recording was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `log.creator`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Creator {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
}

/// `log.pages[]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// When the page was opened (ISO 8601).
    pub started_date_time: String,
    /// The id entries refer to.
    pub id: String,
    /// The page's URL.
    pub title: String,
    /// Not measured: `-1` each.
    pub page_timings: PageTimings,
}

/// `pages[].pageTimings`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PageTimings {
    /// Not measured.
    pub on_content_load: f64,
    /// Not measured.
    pub on_load: f64,
}

/// `log.entries[]`: one request and the answer it got.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The page that made the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pageref: Option<String>,
    /// When the request was made (ISO 8601).
    pub started_date_time: String,
    /// Total time, milliseconds (0: answered locally at once).
    pub time: f64,
    /// The request.
    pub request: Request,
    /// The response.
    pub response: Response,
    /// Always empty.
    #[serde(default)]
    pub cache: serde_json::Map<String, serde_json::Value>,
    /// Timings.
    pub timings: Timings,
    /// Chromium's resource type: `xhr`, `fetch`, `ping`, `image`, `script`...
    #[serde(
        rename = "_resourceType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_type: Option<String>,
}

/// A name and a value (headers, query parameters).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameValue {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// `entries[].request`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// `GET`, `POST`...
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The protocol as the page asked for it.
    pub http_version: String,
    /// The request's headers.
    pub headers: Vec<NameValue>,
    /// The URL's query, decoded.
    pub query_string: Vec<NameValue>,
    /// The `Cookie` header's pairs.
    pub cookies: Vec<NameValue>,
    /// Not measured: `-1`.
    pub headers_size: i64,
    /// The body's size in bytes (0 without a body).
    pub body_size: i64,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
}

/// `request.postData`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    /// The body's content type.
    pub mime_type: String,
    /// The body: as sent when it is UTF-8, else base64 (see `encoding`).
    pub text: String,
    /// `base64` when `text` is the base64 of a body that is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

/// `entries[].response`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Status text.
    pub status_text: String,
    /// Protocol.
    pub http_version: String,
    /// Headers.
    pub headers: Vec<NameValue>,
    /// Cookies set (none).
    pub cookies: Vec<NameValue>,
    /// The body.
    pub content: Content,
    /// Always empty.
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    /// Not measured: `-1`.
    pub headers_size: i64,
    /// The body's size.
    pub body_size: i64,
    /// Who answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `response.content`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// Size in bytes.
    pub size: i64,
    /// Content type.
    pub mime_type: String,
}

/// `entries[].timings`: `-1` where not applicable.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Timings {
    /// Queueing.
    pub blocked: f64,
    /// DNS.
    pub dns: f64,
    /// Connecting.
    pub connect: f64,
    /// Sending.
    pub send: f64,
    /// Waiting for the answer.
    pub wait: f64,
    /// Receiving it.
    pub receive: f64,
    /// TLS.
    pub ssl: f64,
}

impl Timings {
    /// An answer given locally, at once: no DNS, no connection.
    pub fn local() -> Timings {
        Timings {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            send: 0.0,
            wait: 0.0,
            receive: 0.0,
            ssl: -1.0,
        }
    }
}

/// A time as HAR writes it: `2026-12-06T04:35:01.123Z`.
pub fn iso8601(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil-from-days, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn times_are_iso_8601_in_utc() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        // 2024-02-29 12:34:56.789, a leap day.
        let t = UNIX_EPOCH + Duration::from_millis(1_709_210_096_789);
        assert_eq!(iso8601(t), "2024-02-29T12:34:56.789Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_796_531_701);
        assert_eq!(iso8601(t), "2026-12-06T04:35:01.000Z");
    }
}
