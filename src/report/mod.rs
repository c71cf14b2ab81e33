//! Renderers: one module per output format, each reading one report type.
//!
//! Every renderer writes into a `String`; the binary decides where it goes
//! (stdout or `-o FILE`). Every string that comes from the input is escaped
//! for the format it is written into.

pub mod catalog;
pub mod check;
pub mod colour;
pub mod cyclonedx;
pub mod cypher;
pub mod diagram;
pub mod escape;
pub mod export;
pub mod format;
pub mod graphml;
pub mod html;
pub mod json;
pub mod markdown;
pub mod notice;
pub mod observe;
pub mod recording;
pub mod scan;
pub mod text;
pub mod view;
pub mod words;

use crate::graph::blast::BlastReport;
use crate::graph::rank::RankReport;
use diagram::{Diagram, Radius, dot, mermaid};
pub use format::{DiagramFormat, Format};

/// Renders a blast report.
pub fn blast(report: &BlastReport, format: Format) -> String {
    match format {
        Format::Text => text::blast(report),
        Format::Json => json::to_string(&words::worded(report)),
        Format::Markdown => markdown::blast(report),
        // Without the graph there is no diagram; the CLI passes one.
        Format::Html => html::blast(report, None),
    }
}

/// Renders the difference between two maps.
pub fn diff(d: &crate::graph::diff::MapDiff, format: format::DiffFormat) -> String {
    match format {
        format::DiffFormat::Text => text::diff(d),
        format::DiffFormat::Json => json::to_string(d),
        format::DiffFormat::Markdown => markdown::diff(d),
    }
}

/// Renders a ranking.
pub fn rank(report: &RankReport, format: Format) -> String {
    match format {
        Format::Text => text::rank(report),
        Format::Json => json::to_string(report),
        Format::Markdown => markdown::rank(report),
        Format::Html => html::rank(report),
    }
}

/// Renders the data-flow diagram; `radii` (every vendor's, for the page's
/// picker) is read by the HTML format only.
pub fn diagram(d: &Diagram, radii: &[Radius], format: DiagramFormat) -> String {
    match format {
        DiagramFormat::Mermaid => mermaid::render(d),
        DiagramFormat::Dot => dot::render(d),
        DiagramFormat::Html => html::graph(d, radii),
        DiagramFormat::Json => json::to_string(d),
    }
}

/// Renders the diagram of a map with what-if assumptions applied, saying
/// what was assumed: comment lines in Mermaid and DOT, a `what_if` key in
/// JSON, a section in HTML.
pub fn diagram_what_if(
    d: &Diagram,
    radii: &[Radius],
    format: DiagramFormat,
    effect: &crate::model::assume::AssumptionEffect,
) -> String {
    // One comment line per change; nothing in it can end the comment (line
    // breaks), close a Markdown fence around a Mermaid block (backticks) or
    // drive a terminal (control characters).
    let lines: Vec<String> = text::effect_summary(effect)
        .into_iter()
        .map(|l| escape::comment_line(&l))
        .collect();
    let body = diagram(d, radii, format);
    match format {
        DiagramFormat::Mermaid => {
            let mut o: String = lines.iter().map(|l| format!("%% what-if: {l}\n")).collect();
            o.push_str(&body);
            o
        }
        DiagramFormat::Dot => {
            let mut o: String = lines.iter().map(|l| format!("// what-if: {l}\n")).collect();
            o.push_str(&body);
            o
        }
        DiagramFormat::Json => match serde_json::to_value(d) {
            Ok(serde_json::Value::Object(mut m)) => {
                m.insert(
                    "what_if".into(),
                    serde_json::to_value(effect).unwrap_or_default(),
                );
                json::to_string(&m)
            }
            _ => body,
        },
        DiagramFormat::Html => {
            let items: String = lines
                .iter()
                .map(|l| format!("<li>{}</li>", html::escape(l)))
                .collect();
            let section = format!(
                "<section id=\"what-if\"><h2>What if</h2><p class=\"muted\">The diagram is drawn with these assumptions.</p><ul>{items}</ul></section>\n"
            );
            match body.find("<main>\n") {
                Some(i) => {
                    let at = i + "<main>\n".len();
                    format!("{}{section}{}", &body[..at], &body[at..])
                }
                None => body,
            }
        }
    }
}
