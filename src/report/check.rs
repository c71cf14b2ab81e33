//! `blastmap check` reports: text (compiler-style lines), Markdown (a
//! pull-request comment, through `templates/check.md`), SARIF 2.1.0 (for
//! code scanning) and JSON (the report as data).

use super::escape::terminal;
use std::collections::BTreeMap;
use std::fmt::Write;

use askama::Template;

use crate::check::codes::DOCS;
use crate::check::{CheckReport, Finding, Location};
use crate::model::policy::{Code, Level};
use serde_sarif::sarif;

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

/// Renders a check report.
pub fn render(r: &CheckReport, format: CheckFormat) -> String {
    match format {
        CheckFormat::Text => text(r),
        CheckFormat::Markdown => markdown(r),
        CheckFormat::Sarif => sarif(r),
        CheckFormat::Json => super::json::to_string(r),
    }
}

fn where_of(f: &Finding) -> String {
    f.location
        .as_ref()
        .or(f.declaration.as_ref().map(|d| &d.location))
        .map(Location::to_string)
        .unwrap_or_else(|| "(no location)".into())
}

fn summary_line(r: &CheckReport) -> String {
    let verdict = if r.passed { "passed" } else { "failed" };
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut s = format!(
        "check {verdict}: {} denied, {}",
        r.counts.deny,
        plural(r.counts.warn, "warning")
    );
    match &r.baseline {
        Some(b) => {
            let _ = write!(s, " (against {})", terminal(b));
        }
        None => s.push_str(" (no baseline)"),
    }
    if r.strict {
        s.push_str(", strict");
    }
    s
}

/// Compiler-style lines: `file:line: code: message [level]`, with the
/// declaration each one breaks and the fix below it.
pub fn text(r: &CheckReport) -> String {
    let mut o = String::new();
    for f in &r.findings {
        let _ = writeln!(
            o,
            "{}: {}: {} [{}]",
            terminal(&where_of(f)),
            f.code.as_str(),
            terminal(&f.message),
            f.level.as_str()
        );
        if let Some(d) = &f.declaration {
            let _ = writeln!(
                o,
                "  = declared: {}: {}",
                terminal(&d.location.to_string()),
                terminal(&d.text)
            );
        }
        let _ = writeln!(o, "  = help: {}", terminal(&f.help));
    }
    if !r.changes.is_empty() {
        o.push_str("\nblast radius changes:\n");
        for c in &r.changes {
            let side = |x: &Option<crate::check::Radius>| {
                x.as_ref()
                    .map(|r| {
                        format!(
                            "{} ({}, {} categories)",
                            r.severity.as_str(),
                            r.score,
                            r.categories.len()
                        )
                    })
                    .unwrap_or_else(|| "not used".into())
            };
            let _ = writeln!(
                o,
                "  {}: {} → {}",
                terminal(&c.vendor),
                side(&c.before),
                side(&c.after)
            );
        }
    }
    if !r.findings.is_empty() || !r.changes.is_empty() {
        o.push('\n');
    }
    for n in &r.notes {
        let _ = writeln!(o, "note: {}", terminal(n));
    }
    o.push_str(&summary_line(r));
    o.push('\n');
    o
}

/// The Markdown template filters (`md`, `tcode`) are the Markdown report's.
use super::markdown::filters;

struct CodeRow {
    code: &'static str,
    level: &'static str,
    count: usize,
}

#[derive(Template)]
#[template(path = "check.md", escape = "none")]
struct CheckMd<'a> {
    r: &'a CheckReport,
    /// The findings shown (a comment has a size limit: GitHub's is 65,536
    /// characters).
    shown: &'a [Finding],
    /// How many more there are.
    hidden: usize,
    verdict: &'static str,
    rows: Vec<CodeRow>,
    mermaid: String,
}

/// Findings listed in a Markdown comment; the rest are counted, and the
/// table per code still counts them all.
pub const MD_FINDINGS: usize = 100;

/// A pull-request comment: verdict, a table per code, the findings, a
/// Mermaid diagram of what the change adds, and the blast radius change
/// per vendor.
pub fn markdown(r: &CheckReport) -> String {
    let mut by: BTreeMap<(Code, Level), usize> = BTreeMap::new();
    for f in &r.findings {
        *by.entry((f.code, f.level)).or_insert(0) += 1;
    }
    let mut rows: Vec<CodeRow> = by
        .into_iter()
        .map(|((c, l), n)| CodeRow {
            code: c.as_str(),
            level: l.as_str(),
            count: n,
        })
        .collect();
    rows.sort_by(|a, b| b.level.cmp(a.level).then(a.code.cmp(b.code)));
    let shown = &r.findings[..r.findings.len().min(MD_FINDINGS)];
    let t = CheckMd {
        r,
        shown,
        hidden: r.findings.len() - shown.len(),
        verdict: if r.passed { "passed" } else { "failed" },
        rows,
        mermaid: new_flows_mermaid(r),
    };
    t.render()
        .unwrap_or_else(|e| format!("blastmap could not render the Markdown report: {e}\n"))
}

/// How many categories an edge of the check's Mermaid diagram names.
const EDGE_CATEGORIES: usize = 3;

/// A Mermaid flowchart of the new or undeclared flows: components on the
/// left, vendors on the right (new vendors marked), categories on the edges.
fn new_flows_mermaid(r: &CheckReport) -> String {
    use crate::report::mermaid::label;
    if r.new_flows.is_empty() {
        return String::new();
    }
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut id_of = |prefix: &str, name: &str| -> String {
        let key = format!("{prefix}:{name}");
        let n = ids.len();
        ids.entry(key)
            .or_insert_with(|| format!("{prefix}{n}"))
            .clone()
    };
    let mut o = String::from("flowchart LR\n");
    let mut nodes = String::new();
    let mut edges = String::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut new_vendors = Vec::new();
    for f in &r.new_flows {
        let c = id_of("c_", &f.from);
        let v = id_of("v_", &f.to);
        if seen.insert(c.clone()) {
            let _ = writeln!(nodes, "  {c}[\"{}\"]", label(&f.from));
        }
        if seen.insert(v.clone()) {
            let _ = writeln!(nodes, "  {v}([\"{}\"])", label(&f.to));
            if f.new_vendor {
                new_vendors.push(v.clone());
            }
        }
        // At most three categories on an edge, without the `user.` every
        // one of them starts with; the table above lists them all.
        let cats = if f.categories.is_empty() {
            String::new()
        } else {
            let mut shown: Vec<&str> = f
                .categories
                .iter()
                .take(EDGE_CATEGORIES)
                .map(|c| c.strip_prefix("user.").unwrap_or(c))
                .collect();
            let more = f.categories.len().saturating_sub(EDGE_CATEGORIES);
            let more_text = format!("+{more} more");
            if more > 0 {
                shown.push(&more_text);
            }
            format!("|\"{}\"|", label(&shown.join(", ")))
        };
        let _ = writeln!(edges, "  {c} -->{cats} {v}");
    }
    o.push_str(&nodes);
    o.push_str(&edges);
    if !new_vendors.is_empty() {
        o.push_str("  classDef new stroke:#d73a49,stroke-width:3px\n");
        let _ = writeln!(o, "  class {} new", new_vendors.join(","));
    }
    o
}

// ---- SARIF 2.1.0 -------------------------------------------------------

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema URI written in `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log: serde-sarif's model, generated from the official SARIF
/// 2.1.0 JSON Schema, so that what blastmap writes can only be SARIF.
pub type SarifLog = serde_sarif::sarif::Sarif;

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

fn result_level(l: Level) -> sarif::ResultLevel {
    match l {
        Level::Deny => sarif::ResultLevel::Error,
        Level::Warn => sarif::ResultLevel::Warning,
        Level::Allow => sarif::ResultLevel::None,
    }
}

/// A stable 64-bit FNV-1a hash, in hex (fingerprints must not change
/// between runs or Rust versions, so `DefaultHasher` will not do).
fn fnv_hex(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Percent-encodes what a relative URI cannot hold as is.
fn uri(path: &str) -> String {
    let mut o = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

fn sarif_location(l: &Location, id: Option<usize>, message: Option<String>) -> sarif::Location {
    let artifact = sarif::ArtifactLocation::builder()
        .uri(uri(l.file.trim_start_matches("./")))
        .uri_base_id("%SRCROOT%")
        .build();
    let physical = match (l.line > 0).then(|| {
        sarif::Region::builder()
            .start_line(i64::from(l.line))
            .build()
    }) {
        Some(region) => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build(),
        None => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    let mut location = sarif::Location::builder()
        .physical_location(physical)
        .build();
    location.id = id.and_then(|i| i64::try_from(i).ok());
    location.message = message.map(|text| sarif::Message::builder().text(text).build());
    location
}

fn plain(t: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(t).build()
}

/// The rules, one per code, in [`Code::ALL`] order.
pub fn sarif_rules() -> Vec<sarif::ReportingDescriptor> {
    DOCS.iter()
        .map(|d| {
            let name: String = d
                .code
                .as_str()
                .split('-')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            let fix = d.fix.trim_end_matches('.');
            let help = sarif::MultiformatMessageString::builder()
                .text(format!("Fix: {fix}.\n\nExample: {}", d.example))
                .markdown(format!(
                    "**Fix:** {fix}.\n\n**Example:**\n\n```text\n{}\n```\n\n`blastmap check --explain {}` says more.",
                    d.example,
                    d.code.as_str()
                ))
                .build();
            let level = sarif::ReportingConfiguration::builder()
                .level(serde_json::Value::from(sarif_level(d.code.default_level())))
                .build();
            sarif::ReportingDescriptor::builder()
                .id(d.code.as_str())
                .name(name)
                .short_description(plain(d.title))
                .full_description(plain(d.meaning))
                .help(help)
                .help_uri(format!("{INFORMATION_URI}#{}", d.code.as_str()))
                .default_configuration(level)
                .build()
        })
        .collect()
}

/// Where blastmap is described; each rule's `helpUri` is its README
/// section (`#new-vendor`).
const INFORMATION_URI: &str = "https://github.com/blastmap/blastmap";

/// The report as a SARIF 2.1.0 log.
pub fn sarif_log(r: &CheckReport) -> SarifLog {
    let results: Vec<sarif::Result> = r
        .findings
        .iter()
        .map(|f| {
            let primary: Vec<sarif::Location> = f
                .location
                .as_ref()
                .or(f.declaration.as_ref().map(|d| &d.location))
                .map(|l| sarif_location(l, None, None))
                .into_iter()
                .collect();
            let related: Vec<sarif::Location> = f
                .declaration
                .iter()
                .map(|d| sarif_location(&d.location, Some(0), Some(d.text.clone())))
                .collect();
            let identity = format!(
                "{}|{}|{}|{}|{}|{}",
                f.code.as_str(),
                f.vendor.as_deref().unwrap_or(""),
                f.component.as_deref().unwrap_or(""),
                f.category.as_deref().unwrap_or(""),
                f.categories.join(","),
                f.location.as_ref().map(|l| l.file.as_str()).unwrap_or("")
            );
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert("blastmap/v1".to_string(), fnv_hex(&identity));
            let index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
            let mut result = sarif::Result::builder()
                .rule_id(f.code.as_str())
                .rule_index(i64::try_from(index).unwrap_or(0))
                .level(result_level(f.level))
                .message(
                    sarif::Message::builder()
                        .text(format!("{} Fix: {}", f.message, f.help))
                        .build(),
                )
                .locations(primary)
                .partial_fingerprints(fingerprints)
                .build();
            if !related.is_empty() {
                result.related_locations = Some(related);
            }
            result
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("blastmap")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(sarif_rules())
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .build();
    sarif::Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(serde_json::Value::from(SARIF_VERSION))
        .runs(vec![run])
        .build()
}

/// SARIF 2.1.0 text.
pub fn sarif(r: &CheckReport) -> String {
    super::json::to_string(&sarif_log(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckReport, Counts, NewFlow};

    fn finding(i: usize, message: &str) -> Finding {
        Finding {
            code: Code::UndeclaredFlow,
            level: Level::Warn,
            message: message.to_string(),
            vendor: Some("mixpanel".into()),
            component: Some("web".into()),
            category: Some("user.contact.email".into()),
            categories: Vec::new(),
            location: Some(Location {
                file: format!("web/src/f{i:03}.ts"),
                line: 3,
            }),
            declaration: None,
            help: "declare it".into(),
        }
    }

    fn report(findings: Vec<Finding>, new_flows: Vec<NewFlow>) -> CheckReport {
        CheckReport {
            version: 1,
            system: "s".into(),
            baseline: Some("origin/main".into()),
            declarations: Some("blastmap.yaml".into()),
            strict: false,
            passed: true,
            counts: Counts {
                deny: 0,
                warn: findings.len(),
            },
            findings,
            changes: Vec::new(),
            new_flows,
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_long_comment_lists_the_first_findings_and_counts_the_rest() {
        let r = report((0..150).map(|i| finding(i, "x")).collect(), Vec::new());
        let md = markdown(&r);
        assert_eq!(
            md.lines().filter(|l| l.starts_with("| warn |")).count(),
            MD_FINDINGS
        );
        assert!(md.contains("… and 50 more findings"), "{md}");
        assert!(md.contains("| `undeclared-flow` | warn | 150 |"), "{md}");
    }

    #[test]
    fn input_text_stays_inert_in_every_format() {
        let evil = "<script>alert(1)</script> | `x` \u{1b}[31m ]] --> \" end";
        let flows = vec![NewFlow {
            from: "web\"]; click x".into(),
            to: "mix<panel>".into(),
            categories: vec!["user.contact.email".into()],
            new_vendor: true,
        }];
        let r = report(vec![finding(1, evil)], flows);
        let md = markdown(&r);
        assert!(!md.contains("<script>"), "{md}");
        assert!(
            md.lines()
                .filter(|l| l.starts_with("| warn |"))
                .all(|l| !l.contains(" | `x` "))
        );
        let mermaid: &str = md
            .split("```mermaid")
            .nth(1)
            .unwrap()
            .split("```")
            .next()
            .unwrap();
        assert!(!mermaid.contains("\"]; click"), "{mermaid}");
        assert!(!mermaid.contains("<panel>"), "{mermaid}");
        let text = text(&r);
        assert!(!text.contains('\u{1b}'), "{text}");
        let sarif: serde_json::Value = serde_json::from_str(&sarif(&r)).unwrap();
        assert!(
            sarif["runs"][0]["results"][0]["message"]["text"]
                .as_str()
                .unwrap()
                .contains("<script>")
        );
    }
}
