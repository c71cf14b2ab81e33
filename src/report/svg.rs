//! The diagram as inline SVG (askama template `templates/diagram.svg`, so
//! every string from the input is HTML-escaped by the template engine).
//!
//! The SVG is self-contained: its styles are inside it, it loads nothing,
//! and the highlighted blast radius is expressed as `hl` classes on node and
//! edge groups, which the graph page's script can switch.

use std::collections::{HashMap, HashSet};

use askama::Template;
use serde::Serialize;

use super::layout::{self, Geometry};
use crate::graph::diagram::{Diagram, DiagramEdgeKind, DiagramNodeKind, Radius};

/// The diagram's own styles.
const CSS: &str = include_str!("../../templates/diagram.css");

/// Element ids of the diagram's nodes and edges in the page.
#[derive(Debug, Clone, Default)]
pub struct DomIds {
    nodes: HashMap<String, String>,
    edges: HashMap<String, String>,
}

impl DomIds {
    /// Readable, unique element ids: `node-vendor-mixpanel`, `edge-e3`.
    /// Characters outside `[A-Za-z0-9_.-]` (impossible in a valid map, but
    /// ids may come from elsewhere) become `_`; clashes get a `~N` suffix.
    pub fn new(d: &Diagram) -> DomIds {
        let mut used = HashSet::new();
        let mut nodes = HashMap::new();
        for n in &d.nodes {
            let base = format!("node-{}-{}", n.kind.as_str(), sanitize(&n.key));
            let mut id = base.clone();
            let mut k = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}~{k}");
                k += 1;
            }
            nodes.insert(n.id.clone(), id);
        }
        let edges = d
            .edges
            .iter()
            .map(|e| (e.id.clone(), format!("edge-{}", sanitize(&e.id))))
            .collect();
        DomIds { nodes, edges }
    }

    /// The element id of a diagram node.
    pub fn node(&self, id: &str) -> &str {
        self.nodes.get(id).map(String::as_str).unwrap_or("")
    }

    /// The element id of a diagram edge.
    pub fn edge(&self, id: &str) -> &str {
        self.edges.get(id).map(String::as_str).unwrap_or("")
    }

    /// A radius in element ids, for the page's script.
    pub fn radius(&self, r: &Radius) -> DomRadius {
        DomRadius {
            vendor: r.vendor.clone(),
            name: r.name.clone(),
            severity: r.severity.as_str(),
            fields: r.fields.clone(),
            field_count: r.field_count,
            target: self.node(&format!("vendor:{}", r.vendor)).to_string(),
            nodes: r.nodes.iter().map(|n| self.node(n).to_string()).collect(),
            edges: r.edges.iter().map(|e| self.edge(e).to_string()).collect(),
        }
    }
}

/// A radius as the page's script reads it.
#[derive(Debug, Clone, Serialize)]
pub struct DomRadius {
    /// Vendor id.
    pub vendor: String,
    /// Display name.
    pub name: String,
    /// Severity.
    pub severity: &'static str,
    /// The exposed field ids a picker radius lists (sorted, at most
    /// [`crate::graph::diagram::PICKER_FIELDS`]): the status
    /// line names them, `blast` lists all. Every radius of a 20,000-vendor
    /// ring exposes every field, so listing them all made the page 3.5×
    /// larger than the diagram itself.
    pub fields: Vec<String>,
    /// How many fields are exposed.
    pub field_count: usize,
    /// Element id of the vendor's node.
    pub target: String,
    /// Element ids of the nodes in the radius.
    pub nodes: Vec<String>,
    /// Element ids of the edges in the radius.
    pub edges: Vec<String>,
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// An upper estimate of a character's advance, in ems, for the wide sans
/// fonts `system-ui` resolves to (DejaVu Sans is the widest common one).
fn em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | '·' => 0.34,
        'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' | '/' => 0.45,
        'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.98,
        c if c.is_ascii_uppercase() => 0.78,
        c if c.is_ascii() => 0.64,
        // CJK and other wide scripts take a full em or more.
        _ => 1.05,
    }
}

/// Shortens a label to what fits in `width` user units at `font` size,
/// with an ellipsis (the node's tooltip has the whole text).
pub fn shorten(s: &str, width: f64, font: f64) -> String {
    let clean = super::escape::one_line(s);
    let w = |t: &str| t.chars().map(em).sum::<f64>() * font;
    if w(&clean) <= width {
        return clean;
    }
    let room = width - em('…') * font;
    let mut out = String::new();
    let mut used = 0.0;
    for c in clean.chars() {
        used += em(c) * font;
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

struct Column {
    x: String,
    y: String,
    title: String,
}

struct SvgNode {
    dom_id: String,
    id: String,
    kind: &'static str,
    sens: &'static str,
    hl: bool,
    target: bool,
    x: String,
    y: String,
    w: String,
    h: String,
    label: String,
    detail: String,
    title: String,
}

struct Badge {
    x: String,
    y: String,
    w: String,
    tx: String,
    ty: String,
    text: String,
}

struct SvgEdge {
    dom_id: String,
    kind: &'static str,
    hl: bool,
    from: String,
    to: String,
    d: String,
    title: String,
    badge: Option<Badge>,
}

#[derive(Template)]
#[template(path = "diagram.svg")]
struct SvgTemplate<'a> {
    width: String,
    height: String,
    has_hl: bool,
    highlight: &'a str,
    title: String,
    css: &'a str,
    columns: Vec<Column>,
    nodes: Vec<SvgNode>,
    edges: Vec<SvgEdge>,
}

/// A badge's height (`templates/diagram.svg` draws it).
const BADGE_H: f64 = 14.0;

fn num(x: f64) -> String {
    format!("{x:.1}")
}

/// Renders the diagram with `d.highlight` (if any) marked.
pub fn render(d: &Diagram, ids: &DomIds) -> String {
    let geo = Geometry::default();
    let index: HashMap<&str, usize> = d
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let layers: Vec<u32> = d.nodes.iter().map(|n| n.layer).collect();
    let pairs: Vec<(usize, usize)> = d
        .edges
        .iter()
        .map(|e| {
            (
                index.get(e.from.as_str()).copied().unwrap_or(usize::MAX),
                index.get(e.to.as_str()).copied().unwrap_or(usize::MAX),
            )
        })
        .collect();
    let l = layout::layout(&layers, &pairs, &geo);
    let hl_nodes: HashSet<&str> = d
        .highlight
        .iter()
        .flat_map(|r| r.nodes.iter().map(String::as_str))
        .collect();
    let hl_edges: HashSet<&str> = d
        .highlight
        .iter()
        .flat_map(|r| r.edges.iter().map(String::as_str))
        .collect();
    let target = d.highlight.as_ref().map(|r| format!("vendor:{}", r.vendor));

    // What each node holds, sends, receives: for its tooltip.
    let label_of = |id: &str| {
        index
            .get(id)
            .map(|&i| d.nodes[i].label.clone())
            .unwrap_or_default()
    };
    let mut into: HashMap<&str, Vec<String>> = HashMap::new();
    let mut outof: HashMap<&str, Vec<String>> = HashMap::new();
    for e in &d.edges {
        into.entry(e.to.as_str())
            .or_default()
            .push(label_of(&e.from));
        outof
            .entry(e.from.as_str())
            .or_default()
            .push(label_of(&e.to));
    }

    // Text starts 13 units into the node; keep 7 clear at the right.
    let room = geo.node_w - 20.0;
    let nodes: Vec<SvgNode> = d
        .nodes
        .iter()
        .zip(&l.nodes)
        .map(|(n, r)| {
            let mut title = match n.kind {
                DiagramNodeKind::Field => format!("Field {} ({})", n.key, n.detail),
                DiagramNodeKind::Category => {
                    format!("{} ({}): {}", n.label, n.detail, n.members.join(", "))
                }
                DiagramNodeKind::Component => {
                    format!("Component {} ({}, {})", n.label, n.key, n.detail)
                }
                DiagramNodeKind::Vendor => format!("Vendor {} ({}, {})", n.label, n.key, n.detail),
                DiagramNodeKind::SubProcessor => format!(
                    "Sub-processor {} ({}), known from the vendor catalog",
                    n.label, n.key
                ),
            };
            if let Some(s) = n.sensitivity {
                title.push_str(&format!("\nSensitivity: {s}"));
            }
            if let Some(v) = into.get(n.id.as_str()) {
                if n.kind != DiagramNodeKind::Field && n.kind != DiagramNodeKind::Category {
                    title.push_str(&format!("\nFrom: {}", v.join(", ")));
                }
            }
            if let Some(v) = outof.get(n.id.as_str()) {
                title.push_str(&format!("\nTo: {}", v.join(", ")));
            }
            SvgNode {
                dom_id: ids.node(&n.id).to_string(),
                id: n.key.clone(),
                kind: n.kind.as_str(),
                sens: n.sensitivity.map(|s| s.as_str()).unwrap_or(""),
                hl: hl_nodes.contains(n.id.as_str()),
                target: target.as_deref() == Some(n.id.as_str()),
                x: num(r.x),
                y: num(r.y),
                w: num(r.w),
                h: num(r.h),
                label: shorten(&n.label, room, 12.5),
                detail: shorten(&n.detail, room, 10.5),
                title,
            }
        })
        .collect();
    // Badges: what a flow carries, or `access`; placed so none overlaps
    // another or a node.
    let badge_texts: Vec<Option<String>> = d
        .edges
        .iter()
        .zip(&l.edges)
        .map(|(e, route)| {
            // A flow whose fields never reach its source carries nothing:
            // no badge (its tooltip says so), not a "0".
            let text = match e.kind {
                DiagramEdgeKind::Flow if e.fields.is_empty() => None,
                DiagramEdgeKind::Flow => Some(e.fields.len().to_string()),
                DiagramEdgeKind::Access => Some("access".to_string()),
                _ => None,
            };
            text.filter(|_| !route.d.is_empty())
        })
        .collect();
    let badge_w = |t: &str| 10.0 + 6.2 * t.chars().count() as f64;
    let sizes: Vec<Option<(f64, f64)>> = badge_texts
        .iter()
        .map(|t| t.as_ref().map(|t| (badge_w(t), BADGE_H)))
        .collect();
    let spots = layout::place_labels(&l, &sizes);
    let edges: Vec<SvgEdge> = d
        .edges
        .iter()
        .zip(&l.edges)
        .zip(badge_texts.into_iter().zip(spots))
        .map(|((e, route), (badge_text, spot))| {
            let mut title = format!("{} → {}", label_of(&e.from), label_of(&e.to));
            match e.kind {
                DiagramEdgeKind::Holds => title.push_str(" (holds)"),
                DiagramEdgeKind::Sends => title.push_str(" (sends, not declared as held)"),
                DiagramEdgeKind::Access => title.push_str(
                    " (access: the target holds credentials that read the source's data)",
                ),
                DiagramEdgeKind::SubProcessor => {
                    title.push_str(" (sub-processor, from the vendor catalog)")
                }
                DiagramEdgeKind::Flow => {}
            }
            if matches!(e.kind, DiagramEdgeKind::Flow | DiagramEdgeKind::Access) {
                title.push_str(&format!(
                    "\nCarries: {}",
                    if e.fields.is_empty() && e.kind == DiagramEdgeKind::Flow {
                        "nothing: none of its fields reaches its source".to_string()
                    } else if e.fields.is_empty() {
                        "nothing known".to_string()
                    } else {
                        e.fields.join(", ")
                    }
                ));
            }
            for p in &e.purposes {
                title.push_str(&format!("\nPurpose: {p}"));
            }
            if !e.evidence.is_empty() {
                title.push_str(&format!("\nEvidence: {}", e.evidence.join(", ")));
            }
            let badge = badge_text.zip(spot).map(|(text, (cx, cy))| {
                let w = badge_w(&text);
                Badge {
                    x: num(cx - w / 2.0),
                    y: num(cy - BADGE_H / 2.0),
                    w: num(w),
                    tx: num(cx),
                    ty: num(cy + 3.5),
                    text,
                }
            });
            SvgEdge {
                dom_id: ids.edge(&e.id).to_string(),
                kind: e.kind.as_str(),
                hl: hl_edges.contains(e.id.as_str()),
                from: ids.node(&e.from).to_string(),
                to: ids.node(&e.to).to_string(),
                d: route.d.clone(),
                title,
                badge,
            }
        })
        .collect();
    let columns = d
        .layer_titles()
        .into_iter()
        .filter_map(|(layer, t)| {
            l.columns.get(layer as usize).map(|&x| Column {
                x: num(x),
                y: num(geo.margin + 12.0),
                title: t,
            })
        })
        .collect();
    let hv = d
        .highlight
        .as_ref()
        .map(|r| r.vendor.as_str())
        .unwrap_or("");
    SvgTemplate {
        width: num(l.width),
        height: num(l.height),
        has_hl: d.highlight.is_some(),
        highlight: hv,
        title: match &d.highlight {
            Some(r) => format!(
                "Data flows of {}, with the blast radius of {} highlighted",
                d.system, r.name
            ),
            None => format!("Data flows of {}", d.system),
        },
        css: CSS,
        columns,
        nodes,
        edges,
    }
    .render()
    .unwrap_or_else(|e| {
        format!(
            "<!-- template error: {} -->",
            super::html::escape(&e.to_string())
        )
    })
}
