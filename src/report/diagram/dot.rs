//! Graphviz DOT, written by hand over the diagram (as cargo-deny does) so
//! it can have one cluster per layer and the highlight styling.
//!
//! Every id and string is double-quoted. Inside quotes DOT's lexer knows one
//! escape, `\"`; the label functions then read `\n`, `\l`, `\N`… so a
//! backslash from the input is doubled, and a string never ends in a
//! backslash (which would escape the closing quote).

use std::fmt::Write;

use super::mermaid;
use crate::report::diagram::{Diagram, DiagramEdgeKind, DiagramNodeKind};

pub use crate::report::escape::dot as quote;

/// A label of two lines: the name and a detail line.
fn two_lines(a: &str, b: &str) -> String {
    let q = quote(a);
    let r = quote(b);
    // Join inside the quotes with DOT's own line break.
    format!("{}\\n{}", &q[..q.len() - 1], &r[1..])
}

/// Graphviz rejects a quoted string longer than 16,384 bytes ("longer than
/// 16384?"): a tooltip listing a large group's members or a flow's fields
/// is cut well below that, saying how many items it left out.
const MAX_TOOLTIP: usize = 4000;

/// `items` joined by `sep`, at most [`MAX_TOOLTIP`] bytes.
fn capped(items: &[String], sep: &str) -> String {
    let mut out = String::new();
    for (i, it) in items.iter().enumerate() {
        if out.len() + sep.len() + it.len() > MAX_TOOLTIP {
            out.push_str(&format!("{sep}… and {} more", items.len() - i));
            break;
        }
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(it);
    }
    out
}

/// The diagram.
pub fn render(d: &Diagram) -> String {
    let ids = mermaid::ids(d, '_');
    let id = |n: &str| quote(ids.get(n).map(String::as_str).unwrap_or("missing"));
    let hl_nodes: std::collections::HashSet<&str> = d
        .highlight
        .iter()
        .flat_map(|r| r.nodes.iter().map(String::as_str))
        .collect();
    let hl_edges: std::collections::HashSet<&str> = d
        .highlight
        .iter()
        .flat_map(|r| r.edges.iter().map(String::as_str))
        .collect();
    let target = d.highlight.as_ref().map(|r| format!("vendor:{}", r.vendor));

    let mut o = String::new();
    let title = match &d.highlight {
        Some(r) => format!(
            "Data flows of {} (blast radius of {} in red)",
            d.system, r.name
        ),
        None => format!("Data flows of {}", d.system),
    };
    o.push_str("digraph \"blastmap\" {\n");
    let _ = writeln!(
        o,
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.25, ranksep=1.0, labelloc=t, label={}];",
        quote(&title)
    );
    o.push_str("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, fillcolor=\"#ffffff\", color=\"#64748b\"];\n");
    o.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#94a3b8\", arrowsize=0.7];\n");
    let clusters = crate::report::diagram::layers(d.grouped);
    for (kinds, cid, ctitle) in clusters {
        let members: Vec<_> = d.nodes.iter().filter(|n| kinds.contains(&n.kind)).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(o, "  subgraph \"cluster_{cid}\" {{");
        let _ = writeln!(
            o,
            "    label={}; style=\"rounded\"; color=\"#cbd5e1\"; fontcolor=\"#475569\";",
            quote(ctitle)
        );
        for n in members {
            let (fill, stroke, extra) = match n.kind {
                DiagramNodeKind::Component => ("#eff6ff", "#3b82f6", ""),
                DiagramNodeKind::Vendor => ("#f5f3ff", "#7c3aed", ""),
                DiagramNodeKind::SubProcessor => {
                    ("#f8fafc", "#94a3b8", ", style=\"rounded,filled,dashed\"")
                }
                _ => ("#ffffff", "#64748b", ""),
            };
            let is_target = target.as_deref() == Some(n.id.as_str());
            let (fill, stroke, pen) = if is_target {
                ("#fee2e2", "#dc2626", 2.5)
            } else if hl_nodes.contains(n.id.as_str()) {
                (fill, "#dc2626", 2.5)
            } else {
                (fill, stroke, 1.0)
            };
            let tooltip = if n.members.is_empty() && n.detail == n.key {
                n.key.clone()
            } else if n.members.is_empty() {
                format!("{} ({})", n.key, n.detail)
            } else {
                format!("{}: {}", n.key, capped(&n.members, ", "))
            };
            let _ = writeln!(
                o,
                "    {} [label={}, tooltip={}, fillcolor=\"{fill}\", color=\"{stroke}\", penwidth={pen}{extra}];",
                id(&n.id),
                // A field known only by its category is named once.
                if n.label == n.detail {
                    quote(&n.label)
                } else {
                    two_lines(&n.label, &n.detail)
                },
                quote(&tooltip)
            );
        }
        o.push_str("  }\n");
    }
    for e in &d.edges {
        let mut attrs: Vec<String> = Vec::new();
        match e.kind {
            DiagramEdgeKind::Holds => attrs.push("arrowhead=none".into()),
            DiagramEdgeKind::Sends => attrs.push("arrowhead=none, style=dotted".into()),
            DiagramEdgeKind::Flow => {
                let l = mermaid::fields_label(&e.fields);
                if !l.is_empty() {
                    attrs.push(format!("label={}", quote(&l)));
                }
            }
            DiagramEdgeKind::Access => {
                attrs.push("label=\"access\", style=dashed, color=\"#7c3aed\"".into())
            }
            DiagramEdgeKind::SubProcessor => attrs.push("style=dashed".into()),
        }
        if !e.fields.is_empty() && e.kind != DiagramEdgeKind::Holds {
            let mut t = capped(&e.fields, ", ");
            for p in &e.purposes {
                t.push_str("; purpose: ");
                t.push_str(p);
            }
            attrs.push(format!("tooltip={}", quote(&t)));
        }
        if hl_edges.contains(e.id.as_str()) {
            attrs.push("color=\"#dc2626\", penwidth=2.5".into());
        }
        let _ = writeln!(
            o,
            "  {} -> {} [{}];",
            id(&e.from),
            id(&e.to),
            attrs.join(", ")
        );
    }
    o.push_str("}\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tooltips_stay_under_graphvizs_limit() {
        let many: Vec<String> = (0..5000).map(|i| format!("field_{i}")).collect();
        let t = capped(&many, ", ");
        assert!(t.len() < 16_384 - 100, "{}", t.len());
        assert!(t.ends_with("more"), "says what it left out");
        assert_eq!(capped(&many[..3], ", "), "field_0, field_1, field_2");
    }

    #[test]
    fn quotes_are_escaped_and_a_trailing_backslash_cannot_open_the_string() {
        assert_eq!(quote(r#"a"b"#), r#""a\"b""#);
        assert_eq!(quote("a\\"), "\"a\\\\ \"");
        assert_eq!(quote("x\ny"), "\"x y\"");
    }

    #[test]
    fn two_lines_joins_inside_one_string() {
        assert_eq!(two_lines("a\\", "b"), "\"a\\\\ \\nb\"");
    }
}
