//! Markdown, through askama templates in `templates/`.

use askama::Template;

use super::view::PathView;
use super::words::group_digits;
use crate::graph::blast::{BlastReport, HopKind};
use crate::graph::diff::MapDiff;
use crate::graph::rank::RankReport;

/// Template filters, shared by every Markdown template (`check` too).
pub(super) mod filters {
    use std::fmt::Display;

    /// Escapes Markdown and HTML metacharacters in input strings, and keeps
    /// them on one line (a newline would break a table row).
    pub fn md<T: Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::escape(&s.to_string()))
    }

    /// An inline code span that no input can break out of.
    pub fn code<T: Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::code_span(&s.to_string()))
    }

    /// An inline code span for a table cell (pipes escaped as GFM asks).
    pub fn tcode<T: Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::code_span(&s.to_string()).replace('|', "\\|"))
    }

    /// `1200000` → `1,200,000`; `None` → `unknown`.
    pub fn people(n: &Option<u64>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(n.map(super::group_digits)
            .unwrap_or_else(|| "unknown".into()))
    }
}

pub use super::escape::markdown as escape;

pub use super::escape::markdown_code as code_span;

#[derive(Template)]
#[template(path = "blast.md", escape = "none")]
struct BlastMd<'a> {
    r: &'a BlastReport,
    paths: Vec<PathView<'a>>,
}

#[derive(Template)]
#[template(path = "rank.md", escape = "none")]
struct RankMd<'a> {
    r: &'a RankReport,
    order: &'a str,
}

/// The blast report for a ticket.
pub fn blast(r: &BlastReport) -> String {
    let r = &super::words::worded(r);
    BlastMd {
        r,
        paths: super::view::paths(r),
    }
    .render()
    .unwrap_or_else(|e| format!("template error: {e}\n"))
}

/// The ranking as a table.
pub fn rank(r: &RankReport) -> String {
    RankMd {
        r,
        order: super::text::RANK_ORDER,
    }
    .render()
    .unwrap_or_else(|e| format!("template error: {e}\n"))
}

#[derive(Template)]
#[template(path = "diff.md", escape = "none")]
struct DiffMd<'a> {
    d: &'a MapDiff,
}

/// `diff A B` for a pull request or a ticket.
pub fn diff(d: &MapDiff) -> String {
    DiffMd { d }
        .render()
        .unwrap_or_else(|e| format!("template error: {e}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_and_markup() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_span("<script>"), "`<script>`");
        assert_eq!(code_span("a\nb"), "`a b`");
        assert_eq!(code_span(""), "(empty)");
    }
}
