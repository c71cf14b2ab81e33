//! Mermaid `flowchart LR`, for Markdown on GitHub and GitLab.
//!
//! Node ids are generated (`f_email`, `v_mixpanel`: a kind prefix, so no id
//! is a Mermaid keyword such as `end` and none starts with the `o`/`x` that
//! would turn `-->` into another arrow), and every label is quoted with the
//! characters Mermaid or the Markdown around it treat specially written as
//! Mermaid entity codes (`#quot;`, `#35;`). One statement per line.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use crate::report::diagram::{Diagram, DiagramEdgeKind, DiagramNodeKind};

pub use crate::report::escape::mermaid as label;

/// Safe, unique Mermaid ids for the diagram's nodes.
pub(crate) fn ids(d: &Diagram, sep: char) -> HashMap<String, String> {
    let mut used = HashSet::new();
    let mut out = HashMap::new();
    for n in &d.nodes {
        let prefix = match n.kind {
            DiagramNodeKind::Field => "f",
            DiagramNodeKind::Category => "g",
            DiagramNodeKind::Component => "c",
            DiagramNodeKind::Vendor => "v",
            DiagramNodeKind::SubProcessor => "s",
        };
        let body: String = n
            .key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let base = format!("{prefix}{sep}{body}");
        let mut id = base.clone();
        let mut k = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}{sep}{k}");
            k += 1;
        }
        out.insert(n.id.clone(), id);
    }
    out
}

/// A short list of field ids for an edge label: the first three and a count.
pub(crate) fn fields_label(fields: &[String]) -> String {
    match fields.len() {
        0 => String::new(),
        n if n <= 3 => fields.join(", "),
        n => format!("{} +{} more", fields[..3].join(", "), n - 3),
    }
}

/// The diagram.
pub fn render(d: &Diagram) -> String {
    let ids = ids(d, '_');
    let id = |n: &str| ids.get(n).map(String::as_str).unwrap_or("missing");
    let mut o = String::new();
    let _ = writeln!(o, "%% Data flows of {} (blastmap)", label(&d.system));
    if let Some(r) = &d.highlight {
        let _ = writeln!(
            o,
            "%% Highlighted: the blast radius of {} ({} mode)",
            label(&r.vendor),
            r.mode.as_str()
        );
    }
    o.push_str("flowchart LR\n");
    let groups = crate::report::diagram::layers(d.grouped);
    for (kinds, gid, title) in groups {
        let members: Vec<_> = d.nodes.iter().filter(|n| kinds.contains(&n.kind)).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(o, "  subgraph layer_{gid}[\"{title}\"]");
        for n in members {
            let text = match n.kind {
                DiagramNodeKind::Field => n.label.clone(),
                DiagramNodeKind::Category => format!("{} ({})", n.label, n.members.len()),
                _ => n.label.clone(),
            };
            let shape = match n.kind {
                DiagramNodeKind::Component => ("(\"", "\")"),
                DiagramNodeKind::Vendor => ("[[\"", "\"]]"),
                DiagramNodeKind::SubProcessor => ("[/\"", "\"/]"),
                _ => ("[\"", "\"]"),
            };
            let _ = writeln!(o, "    {}{}{}{}", id(&n.id), shape.0, label(&text), shape.1);
        }
        o.push_str("  end\n");
    }
    for e in &d.edges {
        let (from, to) = (id(&e.from), id(&e.to));
        let line = match e.kind {
            DiagramEdgeKind::Holds => format!("{from} --- {to}"),
            DiagramEdgeKind::Sends => format!("{from} -.- {to}"),
            DiagramEdgeKind::Flow => {
                let l = fields_label(&e.fields);
                if l.is_empty() {
                    format!("{from} --> {to}")
                } else {
                    format!("{from} -->|\"{}\"| {to}", label(&l))
                }
            }
            DiagramEdgeKind::Access => format!("{from} -.->|\"access\"| {to}"),
            DiagramEdgeKind::SubProcessor => format!("{from} -.-> {to}"),
        };
        let _ = writeln!(o, "  {line}");
    }
    o.push_str("  classDef field fill:#ffffff,stroke:#64748b,color:#0f172a\n");
    o.push_str("  classDef component fill:#eff6ff,stroke:#3b82f6,color:#0f172a\n");
    o.push_str("  classDef vendor fill:#f5f3ff,stroke:#7c3aed,color:#0f172a\n");
    o.push_str(
        "  classDef subprocessor fill:#f8fafc,stroke:#94a3b8,stroke-dasharray:4 3,color:#334155\n",
    );
    o.push_str("  classDef hl stroke:#dc2626,stroke-width:3px\n");
    o.push_str("  classDef target fill:#fee2e2,stroke:#dc2626,stroke-width:3px\n");
    for (kinds, class) in [
        (
            &[DiagramNodeKind::Field, DiagramNodeKind::Category][..],
            "field",
        ),
        (&[DiagramNodeKind::Component][..], "component"),
        (&[DiagramNodeKind::Vendor][..], "vendor"),
        (&[DiagramNodeKind::SubProcessor][..], "subprocessor"),
    ] {
        let list: Vec<&str> = d
            .nodes
            .iter()
            .filter(|n| kinds.contains(&n.kind))
            .map(|n| id(&n.id))
            .collect();
        class_lines(&mut o, &list, class);
    }
    if let Some(r) = &d.highlight {
        let target = format!("vendor:{}", r.vendor);
        let list: Vec<&str> = r
            .nodes
            .iter()
            .filter(|n| **n != target)
            .map(|n| id(n))
            .collect();
        class_lines(&mut o, &list, "hl");
        class_lines(&mut o, &[id(&target)], "target");
        let index: HashMap<&str, usize> = d
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let mut links: Vec<usize> = r
            .edges
            .iter()
            .filter_map(|e| index.get(e.as_str()).copied())
            .collect();
        links.sort_unstable();
        for chunk in links.chunks(40) {
            let list: Vec<String> = chunk.iter().map(|i| i.to_string()).collect();
            let _ = writeln!(
                o,
                "  linkStyle {} stroke:#dc2626,stroke-width:3px",
                list.join(",")
            );
        }
    }
    o
}

/// `class a,b,c name`, in lines of at most 40 ids.
fn class_lines(o: &mut String, ids: &[&str], class: &str) {
    for chunk in ids.chunks(40) {
        if !chunk.is_empty() {
            let _ = writeln!(o, "  class {} {class}", chunk.join(","));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_every_mermaid_metacharacter() {
        let l = label(r#"<script>"x"</script> [a]{b}(c)|d;e#f `g` \h"#);
        // Drop the entity codes themselves (`#35;`, `#quot;`), then look.
        let bare = regex::Regex::new("#[a-z0-9]+;")
            .unwrap()
            .replace_all(&l, "");
        for c in [
            '"', '<', '>', '[', ']', '{', '}', '(', ')', '|', ';', '`', '\\', '#',
        ] {
            assert!(!bare.contains(c), "{c} left in {l}");
        }
        assert!(l.starts_with("#lt;script#gt;#quot;x#quot;"), "{l}");
    }

    #[test]
    fn fields_label_is_short() {
        let f: Vec<String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(fields_label(&f), "a, b, c +2 more");
        assert_eq!(fields_label(&f[..2]), "a, b");
    }
}
