//! Markdown, through askama templates in `templates/`.

use askama::Template;

use crate::graph::blast::{BlastReport, group_digits};
use crate::graph::rank::RankReport;

/// Template filters.
mod filters {
    use std::fmt::Display;

    /// Escapes Markdown and HTML metacharacters in input strings, and keeps
    /// them on one line (a newline would break a table row).
    pub fn md<T: Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::escape(&s.to_string()))
    }

    /// `1200000` → `1,200,000`; `None` → `unknown`.
    pub fn people(n: &Option<u64>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(n.map(super::group_digits)
            .unwrap_or_else(|| "unknown".into()))
    }
}

/// Escapes a string for Markdown text and table cells.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>' | '!' | '~' | '{' | '}'
            | '(' | ')' => {
                o.push('\\');
                o.push(c);
            }
            '&' => o.push_str("&amp;"),
            '\n' | '\r' => o.push(' '),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

#[derive(Template)]
#[template(path = "blast.md", escape = "none")]
struct BlastMd<'a> {
    r: &'a BlastReport,
}

#[derive(Template)]
#[template(path = "rank.md", escape = "none")]
struct RankMd<'a> {
    r: &'a RankReport,
}

/// The blast report for a ticket.
pub fn blast(r: &BlastReport) -> String {
    BlastMd { r }
        .render()
        .unwrap_or_else(|e| format!("template error: {e}\n"))
}

/// The ranking as a table.
pub fn rank(r: &RankReport) -> String {
    RankMd { r }
        .render()
        .unwrap_or_else(|e| format!("template error: {e}\n"))
}
