//! JSON: the serde form of the report, pretty-printed, with a final newline.

use serde::Serialize;

/// Serialises any report.
pub fn to_string<T: Serialize>(report: &T) -> String {
    let mut s = super::escape::json(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
