//! Renderers for a scan: a text summary, and a starter `blastmap.yaml`
//! whose comments point at the evidence. (JSON is the serde form of
//! [`ScanResult`], via [`super::json`].)
//!
//! Every string from the scanned tree is cleaned of control characters; in
//! YAML it only appears in comments (one line each) or as JSON-quoted
//! strings, so the starter file always parses.

use super::escape::terminal;
use super::escape::yaml_quoted as quote;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::catalog::Catalog;
use crate::model::Scope;
use crate::scan::{Integration, ScanResult};

/// Evidence lines shown per integration in text.
const TEXT_EVIDENCE: usize = 8;
/// Skipped files listed in text.
const TEXT_SKIPPED: usize = 20;

fn vendor_label(catalog: &Catalog, id: &str) -> String {
    match catalog.get(id) {
        Some(v) => format!("{} ({})", v.name, v.category.as_str()),
        None => id.to_string(),
    }
}

fn integration_text(o: &mut String, i: &Integration, catalog: &Catalog) {
    let _ = writeln!(
        o,
        "  {:<22} {:<40} component {}",
        i.vendor,
        vendor_label(catalog, &i.vendor),
        i.component
            .as_deref()
            .map(terminal)
            .unwrap_or_else(|| "-".into())
    );
    for e in i.evidence.iter().take(TEXT_EVIDENCE) {
        let scope = if e.scope == Scope::Production {
            String::new()
        } else {
            format!(" [{}]", e.scope.as_str())
        };
        let _ = writeln!(
            o,
            "    {:<9} {}{}  {}",
            e.kind.as_str(),
            terminal(&e.location()),
            scope,
            terminal(&e.text)
        );
    }
    if i.evidence.len() > TEXT_EVIDENCE {
        let _ = writeln!(
            o,
            "    … and {} more (see --format json)",
            i.evidence.len() - TEXT_EVIDENCE
        );
    }
    for f in &i.fields {
        let _ = writeln!(
            o,
            "    field     {}:{}  {} ({})",
            terminal(&f.file),
            f.line,
            terminal(&f.name),
            f.category
        );
    }
}

/// The text summary.
pub fn text(r: &ScanResult, root: &str, catalog: &Catalog) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Scanned {}: {} files read, {} analysed, {} manifests, {} skipped",
        terminal(root),
        r.stats.files_read,
        r.stats.files_analysed,
        r.stats.manifests,
        r.skipped.total
    );
    let (prod, other): (Vec<&Integration>, Vec<&Integration>) = r
        .integrations
        .iter()
        .partition(|i| i.scope == Scope::Production);
    let vendors: BTreeSet<&str> = prod.iter().map(|i| i.vendor.as_str()).collect();
    let _ = writeln!(
        o,
        "\nProduction integrations: {} ({} vendors)",
        prod.len(),
        vendors.len()
    );
    if prod.is_empty() {
        let _ = writeln!(o, "  none found");
    }
    for i in &prod {
        integration_text(&mut o, i, catalog);
    }
    if !other.is_empty() {
        let _ = writeln!(o, "\nTest and dev only (not data flows): {}", other.len());
        for i in &other {
            let _ = writeln!(
                o,
                "  {:<22} {:<40} component {} [{}]",
                i.vendor,
                vendor_label(catalog, &i.vendor),
                i.component
                    .as_deref()
                    .map(terminal)
                    .unwrap_or_else(|| "-".into()),
                i.scope.as_str()
            );
            if let Some(e) = i.evidence.first() {
                let _ = writeln!(
                    o,
                    "    {:<9} {}  {}",
                    e.kind.as_str(),
                    terminal(&e.location()),
                    terminal(&e.text)
                );
            }
        }
    }
    if !r.secrets.is_empty() {
        let _ = writeln!(
            o,
            "\nHard-coded vendor secrets: {} (values redacted; `blastmap check` fails on them)",
            r.secrets.len()
        );
        for s in &r.secrets {
            let _ = writeln!(
                o,
                "  {:<22} {}:{}  {}",
                s.vendor,
                terminal(&s.file),
                s.line,
                terminal(&s.text)
            );
        }
    }
    if r.skipped.total > 0 {
        let reasons: Vec<String> = r
            .skipped
            .by_reason
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(
            o,
            "\nSkipped files: {} ({})",
            r.skipped.total,
            reasons.join(", ")
        );
        for s in r.skipped.files.iter().take(TEXT_SKIPPED) {
            let _ = writeln!(o, "  {:<14} {}", s.reason, terminal(&s.path));
        }
        if r.skipped.files.len() > TEXT_SKIPPED {
            let _ = writeln!(
                o,
                "  … and {} more (see --format json)",
                r.skipped.files.len() - TEXT_SKIPPED
            );
        }
    }
    o
}

/// An id as a YAML scalar: plain when that reads back as the same string,
/// JSON-quoted otherwise (`"true"`, `"1.5"`).
fn scalar(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain { s.to_string() } else { quote(s) }
}

/// The fields of a flow in comments: per category, where it was first seen
/// (a call site's key or expression, or what the SDK collects by itself) and
/// at how many more places.
fn field_comments(o: &mut String, i: &Integration) {
    if i.fields.is_empty() {
        return;
    }
    let mut by_cat: BTreeMap<&str, Vec<&crate::scan::FieldUse>> = BTreeMap::new();
    for f in &i.fields {
        by_cat.entry(f.category.as_str()).or_default().push(f);
    }
    let _ = writeln!(o, "  # fields:");
    for (cat, uses) in by_cat {
        let Some(first) = uses.first() else {
            continue;
        };
        let name: String = first.name.chars().take(80).collect();
        let more = if uses.len() > 1 {
            format!(" (+{} more)", uses.len() - 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  #   {cat}  {}:{}  {}{more}",
            terminal(&first.file),
            first.line,
            terminal(&name)
        );
    }
}

/// The comment that opens a starter `blastmap.yaml`.
const STARTER_HEADER: &str = "\
# A starter blastmap.yaml, written by `blastmap scan` from the code.
# The scan found which vendors each component talks to, with the evidence
# in the comments, and lists the fields seen at call sites or collected by the
# SDK as taxonomy keys. It does not know every field a flow carries: declare your
# fields under `fields:` and list them in each flow (or use taxonomy keys such
# as user.contact.email directly), then run `blastmap validate`.
";

/// The scan in `format`: JSON, the text summary (`root` as the user wrote
/// it), or a starter declaration file named after `system()`. The catalog
/// is asked for only by the formats that name vendors from it, so a JSON
/// scan of an empty folder never loads it.
pub fn render<'c>(
    r: &ScanResult,
    format: super::format::ScanFormat,
    root: &str,
    system: impl FnOnce() -> String,
    catalog: impl FnOnce() -> &'c Catalog,
    declared: &crate::model::Map,
) -> String {
    use super::format::ScanFormat;
    match format {
        ScanFormat::Json => super::json::to_string(r),
        ScanFormat::Text => text(r, root, catalog()),
        ScanFormat::Yaml => starter_yaml(r, &system(), catalog(), declared),
    }
}

/// A starter declaration file: the components and vendors found, one flow
/// per production integration with its evidence in comments, and an empty
/// field list for the architect to fill in. `blastmap validate` accepts it.
/// A component declared in `declared` keeps its own globs and kind.
pub fn starter_yaml(
    r: &ScanResult,
    system: &str,
    catalog: &Catalog,
    declared: &crate::model::Map,
) -> String {
    let mut o = String::new();
    let system = crate::scan::component::slug(system).unwrap_or_else(|| "system".into());
    o.push_str(STARTER_HEADER);
    let _ = writeln!(o, "version: 1");
    let _ = writeln!(o, "system: {system}");

    let prod: Vec<&Integration> = r
        .integrations
        .iter()
        .filter(|i| i.scope == Scope::Production)
        .collect();
    let mut comps: BTreeMap<String, String> = BTreeMap::new();
    for i in &prod {
        let id = i
            .component
            .clone()
            .unwrap_or_else(|| crate::graph::reconcile::UNATTRIBUTED.to_string());
        let path = r
            .components
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.path.clone())
            .unwrap_or_default();
        comps.entry(id).or_insert(path);
    }
    let vendors: BTreeSet<&str> = prod.iter().map(|i| i.vendor.as_str()).collect();
    // A component named like a vendor would collide in the graph.
    let cid = |id: &str| -> String {
        if vendors.contains(id) {
            format!("{id}-app")
        } else {
            id.to_string()
        }
    };

    if comps.is_empty() {
        let _ = writeln!(o, "\n# No production integration was found.");
        let _ = writeln!(o, "components: {{}}\nvendors: {{}}\nflows: []");
        return o;
    }
    let _ = writeln!(o, "\ncomponents:");
    for (id, path) in &comps {
        let globs: Vec<String> = match declared.components.get(id.as_str()) {
            Some(c) if !c.paths.is_empty() => c.paths.iter().map(|g| quote(g)).collect(),
            _ if path.is_empty() => vec![quote("**")],
            _ => vec![quote(&format!("{path}/**"))],
        };
        let kind = declared
            .components
            .get(id.as_str())
            .map_or("other", |c| c.kind.as_str());
        let _ = writeln!(o, "  {}:", scalar(&cid(id)));
        let _ = writeln!(
            o,
            "    kind: {kind:<18}# web | mobile | service | job | datastore | other"
        );
        let _ = writeln!(o, "    paths: [{}]", globs.join(", "));
        let _ = writeln!(
            o,
            "    holds: []               # the fields its code can read"
        );
    }
    let _ = writeln!(o, "\nvendors:");
    for v in &vendors {
        let _ = writeln!(
            o,
            "  {}: {{}}    # {}",
            scalar(v),
            terminal(&vendor_label(catalog, v))
        );
    }
    let _ = writeln!(o, "\nflows:");
    for i in &prod {
        let from = cid(i
            .component
            .as_deref()
            .unwrap_or(crate::graph::reconcile::UNATTRIBUTED));
        let _ = writeln!(o, "  # evidence:");
        for e in i.evidence.iter().take(TEXT_EVIDENCE) {
            let _ = writeln!(
                o,
                "  #   {} {}  {}",
                e.kind.as_str(),
                terminal(&e.location()),
                terminal(&e.text)
            );
        }
        if i.evidence.len() > TEXT_EVIDENCE {
            let _ = writeln!(
                o,
                "  #   … and {} more (blastmap scan --format json)",
                i.evidence.len() - TEXT_EVIDENCE
            );
        }
        let cats: BTreeSet<&str> = i.fields.iter().map(|f| f.category.as_str()).collect();
        let list: Vec<String> = cats.iter().map(|c| c.to_string()).collect();
        field_comments(&mut o, i);
        let _ = writeln!(o, "  - from: {}", scalar(&from));
        let _ = writeln!(o, "    to: {}", scalar(&i.vendor));
        let _ = writeln!(
            o,
            "    fields: [{}]{}",
            list.join(", "),
            if list.is_empty() {
                "    # which fields does it send? (field ids or taxonomy keys)"
            } else {
                "    # seen in the code (see above); add what else it sends"
            }
        );
    }
    let other: Vec<&Integration> = r
        .integrations
        .iter()
        .filter(|i| i.scope != Scope::Production)
        .collect();
    if !other.is_empty() {
        let _ = writeln!(o, "\n# Found only in tests or dev tooling (not flows):");
        for i in other {
            let first = i
                .evidence
                .first()
                .map(|e| terminal(&e.location()))
                .unwrap_or_default();
            let _ = writeln!(o, "#   {} ({}): {}", i.vendor, i.scope.as_str(), first);
        }
    }
    let listed: Vec<String> = vendors.iter().map(|v| scalar(v)).collect();
    let _ = writeln!(
        o,
        "\n# What `blastmap check` lets through before merge (README: \"The policy\");\n# uncomment and adjust:\n# policy:\n#   allow_vendors: [{}]\n#   deny:\n#     - categories: [user.authorization, user.content.private, user.financial]\n#       to: [analytics, session-replay, advertising]\n#       reason: No credentials, private content or payment data to analytics",
        listed.join(", ")
    );
    o
}
