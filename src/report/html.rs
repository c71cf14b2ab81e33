//! HTML pages, through askama templates in `templates/` (`blast.html`,
//! `graph.html`, `rank.html`): each one self-contained file with inline CSS
//! and SVG that loads nothing, so it works offline, from `file://` and when
//! attached to a ticket.
//!
//! Escaping: the templates HTML-escape every interpolated value; the only
//! unescaped insertions are our own constants (CSS, script), the SVG (itself
//! rendered by an escaping template) and the radius blob, which
//! [`script_json`] makes safe inside `<script>`. Each page carries a
//! Content-Security-Policy that forbids every request and every script but
//! the graph page's own (pinned by its hash), as a second line of defence.

use askama::Template;

use super::diagram::svg::{self, DomIds, DomRadius};
use super::view::{Group, PathView, groups, paths};
use super::words::group_digits;
use crate::graph::blast::{BlastReport, HopKind};
use crate::graph::rank::RankReport;
use crate::report::diagram::{Diagram, PICKER_FIELDS, Radius};

/// The pages' stylesheet.
const CSS: &str = include_str!("../../templates/page.css");
/// The graph page's script (vendor picker, node details).
pub const GRAPH_JS: &str = include_str!("../../templates/graph.js");
/// The CSP source for [`GRAPH_JS`]: `sha256-` + base64 of its SHA-256. A
/// test recomputes it; update it whenever `templates/graph.js` changes.
pub const GRAPH_JS_HASH: &str = "sha256-iO0o+vS6/wrEmaQZ4EtBlD66r8/9DI0vL3Om+pDr1lY=";

const VERSION: &str = env!("CARGO_PKG_VERSION");

mod filters {
    /// `1200000` → `1,200,000`; `None` → `unknown`.
    pub fn people(n: &Option<u64>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(n.map(super::group_digits)
            .unwrap_or_else(|| "unknown".into()))
    }
}

pub use super::escape::HtmlText;
pub use super::escape::html as escape;

/// JSON made safe for the inside of a `<script>` element: no `<`, `>` or
/// `&` (so no `</script>` or `<!--`), and no U+2028/U+2029, all written as
/// `\u` escapes that JSON parsers read back unchanged.
pub fn script_json<T: serde::Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("\\u003c"),
            '>' => o.push_str("\\u003e"),
            '&' => o.push_str("\\u0026"),
            '\u{2028}' => o.push_str("\\u2028"),
            '\u{2029}' => o.push_str("\\u2029"),
            c => o.push(c),
        }
    }
    o
}

#[derive(Template)]
#[template(path = "blast.html")]
struct BlastPage<'a> {
    r: &'a BlastReport,
    css: &'a str,
    version: &'a str,
    groups: Vec<Group<'a>>,
    paths: Vec<PathView<'a>>,
    svg: String,
}

/// The blast report as one page; with a diagram (the system with this
/// vendor's radius highlighted) when one is given.
pub fn blast(r: &BlastReport, diagram: Option<&Diagram>) -> String {
    let r = &super::words::worded(r);
    let svg = diagram
        .map(|d| svg::render(d, &DomIds::new(d)))
        .unwrap_or_default();
    BlastPage {
        r,
        css: CSS,
        version: VERSION,
        groups: groups(r),
        paths: paths(r),
        svg,
    }
    .render()
    .unwrap_or_else(|e| error_page(&e.to_string()))
}

#[derive(Template)]
#[template(path = "rank.html")]
struct RankPage<'a> {
    r: &'a RankReport,
    css: &'a str,
    version: &'a str,
    order: &'a str,
    /// Each vendor's name links to its blast page (`rank -o DIR/`).
    links: bool,
}

/// The file name of a vendor's blast page beside the ranking
/// (`blast-stripe.html`): the id with anything but letters, digits, `-`,
/// `_` and `.` replaced, so that no id names a path outside the folder.
pub fn blast_page_name(vendor: &str) -> String {
    let safe: String = vendor
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("blast-{}.html", safe.trim_start_matches('.'))
}

/// The ranking as a page.
pub fn rank(r: &RankReport) -> String {
    rank_page(r, false)
}

/// The ranking as the index of a folder of pages: each vendor links to
/// [`blast_page_name`] beside it.
pub fn rank_linked(r: &RankReport) -> String {
    rank_page(r, true)
}

fn rank_page(r: &RankReport, links: bool) -> String {
    RankPage {
        r,
        css: CSS,
        version: VERSION,
        order: super::text::RANK_ORDER,
        links,
    }
    .render()
    .unwrap_or_else(|e| error_page(&e.to_string()))
}

#[derive(serde::Serialize)]
struct Blob<'a> {
    version: u32,
    radii: &'a [DomRadius],
}

#[derive(Template)]
#[template(path = "graph.html")]
struct GraphPage<'a> {
    d: &'a Diagram,
    css: &'a str,
    js: &'a str,
    script_hash: &'a str,
    version: &'a str,
    counts: String,
    vendors: Vec<DomRadius>,
    selected: &'a str,
    severity: &'a str,
    status: String,
    svg: String,
    blob: String,
}

/// The status line's list of a radius's fields: all of them up to
/// [`PICKER_FIELDS`], else that many and where to find the rest
/// (`templates/graph.js` writes the same words).
fn listed(fields: &[String], count: usize, vendor: &str) -> String {
    let shown = &fields[..fields.len().min(PICKER_FIELDS)];
    match count {
        0 => String::new(),
        n if n <= shown.len() => format!(" ({})", shown.join(", ")),
        n => format!(
            " ({}, and {} more: blastmap blast {vendor} lists them all)",
            shown.join(", "),
            n - shown.len()
        ),
    }
}

/// The diagram page with a vendor picker; `radii` are every vendor's
/// (from [`crate::report::diagram::radii`]), in picker order.
pub fn graph(d: &Diagram, radii: &[Radius]) -> String {
    let ids = DomIds::new(d);
    let vendors: Vec<DomRadius> = radii.iter().map(|r| ids.radius(r)).collect();
    // A group node (collapsed vendors or components) counts its members.
    let count = |k: crate::report::diagram::DiagramNodeKind| -> usize {
        d.nodes
            .iter()
            .filter(|n| n.kind == k)
            .map(|n| n.members.len().max(1))
            .sum()
    };
    use crate::report::diagram::DiagramNodeKind as K;
    let fields: usize = if d.grouped {
        d.nodes
            .iter()
            .filter(|n| n.kind == K::Category)
            .map(|n| n.members.len())
            .sum()
    } else {
        count(K::Field)
    };
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let counts = format!(
        "{}, {}, {} and {} known from the catalog.",
        plural(fields, "field"),
        plural(count(K::Component), "component"),
        plural(count(K::Vendor), "vendor"),
        plural(count(K::SubProcessor), "sub-processor"),
    );
    let (selected, severity, status) = match &d.highlight {
        Some(r) => (
            r.vendor.as_str(),
            r.severity.as_str(),
            format!(
                "{}: severity {}, {} exposed{}",
                r.name,
                r.severity.as_str(),
                plural(r.field_count, "field"),
                listed(&r.fields, r.field_count, &r.vendor)
            ),
        ),
        None => (
            "",
            "none",
            "Pick a vendor to highlight its blast radius.".to_string(),
        ),
    };
    let blob = script_json(&Blob {
        version: 1,
        radii: &vendors,
    });
    GraphPage {
        d,
        css: CSS,
        js: GRAPH_JS,
        script_hash: GRAPH_JS_HASH,
        version: VERSION,
        counts,
        selected,
        severity,
        status,
        svg: svg::render(d, &ids),
        blob,
        vendors,
    }
    .render()
    .unwrap_or_else(|e| error_page(&e.to_string()))
}

fn error_page(msg: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>blastmap: template error</title></head><body><p>template error: {}</p></body></html>\n",
        escape(msg)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let s = script_json(&vec![
            "</script><script>alert(1)</script>",
            "<!--",
            "a\u{2028}b & c",
        ]);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert!(!s.contains('\u{2028}'));
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
        assert_eq!(back[2], "a\u{2028}b & c");
    }

    #[test]
    fn escape_covers_markup_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
