//! Every output format of every command, in one place and by one rule:
//! an enum per command that has a `--format`, deriving `clap::ValueEnum`
//! (its variants are the flag's values, kebab-case), named `<What>Format`;
//! `NoticeFormat` is the one derived from another (`blast --notice`).
//! The renderers match on them; the command line only parses them. A new
//! format is a variant here and an arm in its renderer (ARCHITECTURE.md,
//! "How to add …").

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A short brief for a terminal or a ticket.
    Text,
    /// The JSON contract (ARCHITECTURE.md, "Outputs").
    Json,
    /// Markdown for tickets and pull requests.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    /// The file name extension of an output in this format (`rank.md`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Text => "txt",
        }
    }
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

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// `file:line: code: message [level]`, one finding per line.
    Text,
    /// A pull-request comment.
    Markdown,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// The report as JSON.
    Json,
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CycloneDX 1.6 JSON: vendors as services with data flows.
    Cyclonedx,
    /// GraphML (XML) of fields, components, vendors and their edges.
    Graphml,
    /// Cypher statements (MERGE) for Neo4j 5.
    Cypher,
    /// The same statements for Memgraph, whose uniqueness constraints are
    /// written `CREATE CONSTRAINT ON (n:L) ASSERT n.id IS UNIQUE`.
    CypherMemgraph,
}

/// The output format of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeFormat {
    /// Plain text for an email body.
    Text,
    /// Markdown.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

impl NoticeFormat {
    /// The notice format for a report format; JSON has none.
    pub fn of(f: Format) -> Option<NoticeFormat> {
        match f {
            Format::Text => Some(NoticeFormat::Text),
            Format::Markdown => Some(NoticeFormat::Markdown),
            Format::Html => Some(NoticeFormat::Html),
            Format::Json => None,
        }
    }
}

/// `scan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// A summary for people.
    Text,
    /// The JSON contract (ARCHITECTURE.md, "Outputs").
    Json,
    /// A starter blastmap.yaml.
    Yaml,
}

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A brief for a terminal.
    Text,
    /// The diff as JSON.
    Json,
    /// Markdown for a pull request.
    Markdown,
}

/// `catalog --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogFormat {
    /// A table.
    Text,
    /// The whole catalog as JSON.
    Json,
}

/// `merge --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MergeFormat {
    /// The merged map (`"kind": "blastmap-merged"`), readable by `--map`.
    Json,
}

/// `observe --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObserveFormat {
    /// A summary per vendor and request.
    Text,
    /// The serde form of the report (readable by `--observed`).
    Json,
}
