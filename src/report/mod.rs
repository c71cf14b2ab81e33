//! Renderers: one module per output format, each reading one report type.
//!
//! Every renderer writes into a `String`; the binary decides where it goes
//! (stdout or `-o FILE`). Every string that comes from the input is escaped
//! for the format it is written into.

pub mod cyclonedx;
pub mod cypher;
pub mod export;
pub mod graphml;
pub mod json;
pub mod markdown;
pub mod text;

use crate::graph::blast::BlastReport;
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
}

/// Renders a blast report.
pub fn blast(report: &BlastReport, format: Format) -> String {
    match format {
        Format::Text => text::blast(report),
        Format::Json => json::to_string(report),
        Format::Markdown => markdown::blast(report),
    }
}

/// Renders a ranking.
pub fn rank(report: &RankReport, format: Format) -> String {
    match format {
        Format::Text => text::rank(report),
        Format::Json => json::to_string(report),
        Format::Markdown => markdown::rank(report),
    }
}
