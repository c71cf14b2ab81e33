//! Renderers: one module per output format, each reading one report type.
//!
//! Every renderer writes into a `String`; the binary decides where it goes
//! (stdout or `-o FILE`). Every string that comes from the input is escaped
//! for the format it is written into.

pub mod dot;
pub mod html;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod mermaid;
pub mod notice;
pub mod svg;
pub mod text;
pub mod view;

use crate::graph::blast::BlastReport;
use crate::graph::diagram::{Diagram, Radius};
use crate::graph::rank::RankReport;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A short brief for a terminal or a ticket.
    Text,
    /// The JSON contract (DESIGN.md).
    Json,
    /// Markdown for tickets and pull requests.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// An output format for the data-flow diagram (`graph`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagramFormat {
    /// A Mermaid flowchart (renders in Markdown on GitHub and GitLab).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// One HTML page: the SVG diagram with a vendor picker.
    Html,
    /// Nodes and edges (and the highlighted radius) as JSON.
    Json,
}

/// Renders a blast report.
pub fn blast(report: &BlastReport, format: Format) -> String {
    match format {
        Format::Text => text::blast(report),
        Format::Json => json::to_string(report),
        Format::Markdown => markdown::blast(report),
        // Without the graph there is no diagram; the CLI passes one.
        Format::Html => html::blast(report, None),
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
