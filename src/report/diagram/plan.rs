//! The whole system as a diagram model (nodes in layers, merged
//! edges) plus each vendor's blast radius as sets of diagram nodes and edges.
//!
//! This is data, not drawing: the renderers in `report` turn it into
//! Mermaid, DOT, JSON or SVG. Invariants:
//! - node ids are unique and namespaced by kind (`field:email`,
//!   `vendor:mixpanel`), because a field and a vendor may share an id;
//! - there is at most one edge per (from, to, kind): several declared flows
//!   between the same two systems are merged, their fields united;
//! - a vendor's radius names exactly the fields [`DataGraph::exposure`]
//!   exposes, and the flows and grants that carried some of them there;
//! - past [`GROUP_FIELDS_OVER`] fields, fields are grouped into one node per
//!   taxonomy category (its first two segments), members listed on the node;
//! - chains of component-to-component (vendor-to-vendor) flows open new
//!   columns, up to [`MAX_COMPONENT_COLUMNS`] ([`MAX_VENDOR_COLUMNS`]): past
//!   that, a densely linked system would become too wide to read, so the
//!   rest of a chain stays in the last column;
//! - past [`COLLAPSE_VENDORS_OVER`] vendors or [`COLLAPSE_COMPONENTS_OVER`]
//!   components, vendors are drawn as one node per vendor category and
//!   components as one per kind (members listed on the node), except the
//!   highlighted vendor's radius, which stays expanded: a taller column
//!   does not fit a window at a size that can be read;
//! - past [`COARSE_RADII_OVER_VENDORS`] vendors or
//!   [`COARSE_RADII_OVER_COMPONENTS`] components, radii are coarse (every
//!   system that can bring data) and the page offers the [`PICKER_RADII`]
//!   largest. Every part of a diagram and of its radii is then bounded by
//!   the map's size, not its square.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use fixedbitset::FixedBitSet;
use petgraph::graph::{EdgeIndex, NodeIndex};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::catalog::taxonomy::group_key;
use crate::graph::blast::{BlastError, Severity};
use crate::graph::{DataGraph, EdgeKind, Mode, NodeKind};
use crate::model::{FlowFields, Sensitivity};

/// Past this many fields, the diagram shows one node per category instead.
pub const GROUP_FIELDS_OVER: usize = 40;

/// Past this many vendors, vendors are drawn grouped by vendor category.
/// A column of 40 nodes is about 2,100 units tall: in a 1,400×2,000 window
/// it fits at 0.8 of its size (names 11 px tall); a column of 100 fitted a
/// 1,400×900 window at a fifth (names 1 to 3 px tall, a grey strip). 40 is
/// also [`GROUP_FIELDS_OVER`], so no column of a diagram is taller.
pub const COLLAPSE_VENDORS_OVER: usize = 40;

/// Past this many components, components are drawn grouped by kind (the
/// same column height as [`COLLAPSE_VENDORS_OVER`]).
pub const COLLAPSE_COMPONENTS_OVER: usize = 40;

/// Past this many vendors, radii are coarse (`DataGraph::reach_sets`) and
/// the page's picker offers [`PICKER_RADII`]: an exact radius keeps a field
/// set per node it touches, so all of them cost vendors × map.
pub const COARSE_RADII_OVER_VENDORS: usize = 150;

/// Past this many components, radii are coarse (see
/// [`COARSE_RADII_OVER_VENDORS`]).
pub const COARSE_RADII_OVER_COMPONENTS: usize = 100;

/// When radii are coarse, the page's vendor picker offers this many radii
/// (the largest); any other vendor is one `--vendor V` away.
pub const PICKER_RADII: usize = 50;
/// How many field ids a picker radius ([`radii`]) lists; its
/// `field_count` says how many are exposed. Every radius of a 20,000-vendor
/// ring of grants exposes every field: listing them all took 35 MB of the
/// page and a string per field per radius.
pub const PICKER_FIELDS: usize = 40;

/// At most this many columns of components.
pub const MAX_COMPONENT_COLUMNS: u32 = 3;

/// At most this many columns of vendors (vendors, then what they forward to).
pub const MAX_VENDOR_COLUMNS: u32 = 2;

/// What a diagram node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagramNodeKind {
    /// One field.
    Field,
    /// A group of fields under one taxonomy category (large systems).
    Category,
    /// A first-party component.
    Component,
    /// A vendor of the map.
    Vendor,
    /// A vendor's sub-processor known to the catalog but not in the map.
    SubProcessor,
}

/// The diagram's layers, left to right: the kinds each holds, an id, and a
/// title. One table for every renderer that draws layers as groups.
pub fn layers(grouped: bool) -> [(&'static [DiagramNodeKind], &'static str, &'static str); 4] {
    [
        (
            &[DiagramNodeKind::Field, DiagramNodeKind::Category],
            "fields",
            if grouped {
                "Field categories"
            } else {
                "Fields"
            },
        ),
        (&[DiagramNodeKind::Component], "components", "Components"),
        (&[DiagramNodeKind::Vendor], "vendors", "Vendors"),
        (
            &[DiagramNodeKind::SubProcessor],
            "subprocessors",
            "Sub-processors",
        ),
    ]
}

impl DiagramNodeKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Category => "category",
            Self::Component => "component",
            Self::Vendor => "vendor",
            Self::SubProcessor => "sub-processor",
        }
    }
}

/// What a diagram edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagramEdgeKind {
    /// A component holds the field (its code can read it).
    Holds,
    /// A component sends the field without declaring that it holds it.
    Sends,
    /// One or more data flows.
    Flow,
    /// The target vendor holds credentials to the source system.
    Access,
    /// The catalog says the source vendor uses the target as a sub-processor.
    SubProcessor,
}

impl DiagramEdgeKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holds => "holds",
            Self::Sends => "sends",
            Self::Flow => "flow",
            Self::Access => "access",
            Self::SubProcessor => "sub-processor",
        }
    }
}

/// A node of the diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagramNode {
    /// Unique id, `kind:key`.
    pub id: String,
    /// What it is.
    pub kind: DiagramNodeKind,
    /// The field, component or vendor id, or the category key of a group.
    pub key: String,
    /// Display name.
    pub label: String,
    /// A second line: a field's category, a component's kind, a vendor's
    /// category, a group's field count.
    pub detail: String,
    /// Column, left to right: fields 0, components next, vendors, then
    /// sub-processors.
    pub layer: u32,
    /// Fields and groups: the (highest) sensitivity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sensitivity>,
    /// Groups: the field ids in it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// An edge of the diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagramEdge {
    /// Unique id (`e0`, `e1`, … in output order).
    pub id: String,
    /// Source node id.
    pub from: String,
    /// Target node id.
    pub to: String,
    /// What it is.
    pub kind: DiagramEdgeKind,
    /// Field ids it carries (flows: what really arrives at the source,
    /// after the fixed point; access: everything the source has).
    pub fields: Vec<String>,
    /// Flows declared with `fields: all`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// The flows' purposes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<String>,
    /// Where the flows were seen (`file:line`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Declared, discovered or both (flows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<&'static str>,
}

/// One vendor's blast radius on the diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Radius {
    /// Vendor id.
    pub vendor: String,
    /// Display name.
    pub name: String,
    /// Data or code.
    pub mode: Mode,
    /// Severity of the exposure.
    pub severity: Severity,
    /// Exposed field ids, sorted: all of them, except in a picker radius
    /// (the first [`PICKER_FIELDS`]).
    pub fields: Vec<String>,
    /// How many fields are exposed (`fields` may list fewer).
    #[serde(skip)]
    pub field_count: usize,
    /// Diagram node ids in the radius, in diagram order.
    pub nodes: Vec<String>,
    /// Diagram edge ids in the radius, in diagram order.
    pub edges: Vec<String>,
}

/// The system as a diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagram {
    /// Output contract version.
    pub version: u32,
    /// The system's name.
    pub system: String,
    /// True when fields are grouped by category.
    pub grouped: bool,
    /// Nodes by layer, then in a stable order within it.
    pub nodes: Vec<DiagramNode>,
    /// Edges: holds, then flows in file order, then access, then sub-processors.
    pub edges: Vec<DiagramEdge>,
    /// The highlighted vendor's radius, when one was asked for.
    pub highlight: Option<Radius>,
    /// When vendors or components are drawn as groups, what was grouped and
    /// how to see the rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collapsed: Option<String>,
}

impl Diagram {
    /// The names of the layers (columns), left to right, each different:
    /// a kind drawn over several columns (chains of component or vendor
    /// flows) names its first column plainly and the next ones by hop
    /// (`Vendors, 2nd hop`: vendors that get all their data from vendors).
    pub fn layer_titles(&self) -> Vec<(u32, String)> {
        let mut out: BTreeMap<u32, &'static str> = BTreeMap::new();
        for n in &self.nodes {
            let t = match n.kind {
                DiagramNodeKind::Field => "Fields",
                DiagramNodeKind::Category => "Field categories",
                DiagramNodeKind::Component => "Components",
                DiagramNodeKind::Vendor => "Vendors",
                DiagramNodeKind::SubProcessor => "Sub-processors",
            };
            let slot = out.entry(n.layer).or_insert(t);
            // Vendors pushed right by vendor-to-vendor flows are forwarding
            // targets; a column that mixes them with sub-processors says so.
            if *slot != t {
                *slot = match (*slot, t) {
                    ("Vendors", "Sub-processors") | ("Sub-processors", "Vendors") => {
                        "Vendors and sub-processors"
                    }
                    (s, _) => s,
                };
            }
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        out.into_iter()
            .map(|(layer, t)| {
                let k = seen.entry(t).or_insert(0);
                *k += 1;
                let title = match *k {
                    1 => t.to_string(),
                    2 => format!("{t}, 2nd hop"),
                    3 => format!("{t}, 3rd hop"),
                    k => format!("{t}, {k}th hop"),
                };
                (layer, title)
            })
            .collect()
    }
}

/// Layers by longest path over a directed graph of `n` nodes, back edges of
/// cycles ignored. Iterative (no recursion on input-shaped data).
fn longest_path_layers(n: usize, edges: &[(usize, usize)]) -> Vec<u32> {
    let mut out_adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b {
            out_adj[a].push(b);
        }
    }
    for l in &mut out_adj {
        l.sort_unstable();
        l.dedup();
    }
    // DFS colouring to drop back edges: 0 new, 1 on stack, 2 done.
    let mut colour = vec![0u8; n];
    let mut kept: Vec<Vec<usize>> = vec![Vec::new(); n];
    for root in 0..n {
        if colour[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        colour[root] = 1;
        while let Some(&mut (u, ref mut i)) = stack.last_mut() {
            if *i < out_adj[u].len() {
                let v = out_adj[u][*i];
                *i += 1;
                match colour[v] {
                    0 => {
                        kept[u].push(v);
                        colour[v] = 1;
                        stack.push((v, 0));
                    }
                    2 => kept[u].push(v),
                    _ => {} // back edge: part of a cycle
                }
            } else {
                colour[u] = 2;
                stack.pop();
            }
        }
    }
    let mut indeg = vec![0usize; n];
    for l in &kept {
        for &v in l {
            indeg[v] += 1;
        }
    }
    let mut layer = vec![0u32; n];
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&u| indeg[u] == 0).collect();
    while let Some(u) = queue.pop_front() {
        for &v in &kept[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    layer
}

/// True when the map is too large to draw every vendor and component
/// on a page ([`COLLAPSE_VENDORS_OVER`]), or, for an export (`page`
/// false: JSON, DOT, Mermaid), to list them
/// ([`COARSE_RADII_OVER_VENDORS`]).
pub fn collapses(g: &DataGraph, page: bool) -> bool {
    if page {
        g.map.vendors.len() > COLLAPSE_VENDORS_OVER
            || g.map.components.len() > COLLAPSE_COMPONENTS_OVER
    } else {
        coarse(g)
    }
}

/// True when the map is too large to trace every vendor's radius field
/// by field: radii are then coarse and the picker offers the largest.
fn coarse(g: &DataGraph) -> bool {
    g.map.vendors.len() > COARSE_RADII_OVER_VENDORS
        || g.map.components.len() > COARSE_RADII_OVER_COMPONENTS
}

/// The graph nodes a collapsed diagram keeps expanded: the systems that
/// can bring data to the highlighted vendor, unless they are too many to
/// draw.
fn keep(g: &DataGraph, highlight: Option<NodeIndex>, mode: Mode, page: bool) -> Option<Vec<bool>> {
    let v = highlight.filter(|_| collapses(g, page))?;
    let (mut keep, edge_in) = g.reach_sets(v, mode);
    keep[v.index()] = true;
    for (e, inside) in edge_in.iter().enumerate() {
        if *inside {
            if let Some((a, b)) = g.graph.edge_endpoints(EdgeIndex::new(e)) {
                keep[a.index()] = true;
                keep[b.index()] = true;
            }
        }
    }
    // A radius as large as the map (a ring of access grants) cannot be
    // drawn expanded either: then only the vendor itself is.
    let systems = g
        .graph
        .node_indices()
        .filter(|n| keep[n.index()] && !matches!(g.graph[*n].kind, NodeKind::Field(_)))
        .count();
    let cap = if page {
        COLLAPSE_VENDORS_OVER
    } else {
        COARSE_RADII_OVER_VENDORS
    };
    if systems > cap {
        keep = vec![false; keep.len()];
        keep[v.index()] = true;
    }
    Some(keep)
}

/// The system as a diagram for an export (JSON, DOT, Mermaid): past
/// [`COARSE_RADII_OVER_VENDORS`] vendors or
/// [`COARSE_RADII_OVER_COMPONENTS`] components, collapsed. `highlight`
/// names a vendor whose radius is attached (an unknown vendor is an
/// error, as for `blast`).
pub fn build(g: &DataGraph, highlight: Option<&str>, mode: Mode) -> Result<Diagram, BlastError> {
    diagram_for(g, highlight, mode, false)
}

/// The system as a diagram for a page (the graph page, a blast page):
/// past [`COLLAPSE_VENDORS_OVER`] vendors or
/// [`COLLAPSE_COMPONENTS_OVER`] components, collapsed, so that it can be
/// read when it fits the window. [`radii`] match it.
pub fn build_page(
    g: &DataGraph,
    highlight: Option<&str>,
    mode: Mode,
) -> Result<Diagram, BlastError> {
    diagram_for(g, highlight, mode, true)
}

fn diagram_for(
    g: &DataGraph,
    highlight: Option<&str>,
    mode: Mode,
    page: bool,
) -> Result<Diagram, BlastError> {
    let hv = highlight.map(|v| g.vendor_node(v)).transpose()?;
    let plan = Plan::new(g, keep(g, hv, mode, page).as_deref(), page);
    // A large map's radius is the coarse one (see `reach_sets`).
    let exact = !coarse(g);
    let highlight = hv.map(|v| plan.radius(g, v, mode, exact, usize::MAX));
    // Plain text: the page and the JSON show it as it is.
    let collapsed = collapses(g, page).then(|| {
        format!(
            "This map has {} vendors and {} components: vendors are drawn grouped by category and components by kind{}, so that the diagram can be read. {}blastmap graph --vendor V draws any vendor's radius expanded, and --format json or --format dot {}.",
            g.map.vendors.len(),
            g.map.components.len(),
            if hv.is_some() {
                ", except the highlighted vendor's radius"
            } else {
                ""
            },
            if coarse(g) {
                format!("The vendor picker offers the {PICKER_RADII} largest blast radii; ")
            } else {
                String::new()
            },
            if coarse(g) {
                "list every group's members"
            } else {
                "list every node"
            }
        )
    });
    Ok(Diagram {
        version: 1,
        system: g.map.system.clone(),
        grouped: plan.grouped,
        nodes: plan.nodes,
        edges: plan.edges,
        highlight,
        collapsed,
    })
}

/// Vendors' radii on the page diagram ([`build_page`])
/// drawn for `highlight`, highest score
/// first (the order of `rank`), for a page that switches between them:
/// every vendor's, or the [`PICKER_RADII`] largest when radii are
/// coarse (each radius costs what it touches, so all of them would cost
/// vendors × map).
pub fn radii(g: &DataGraph, mode: Mode, highlight: Option<&str>) -> Vec<Radius> {
    let hv = highlight.and_then(|v| g.vendor_node(v).ok());
    let plan = Plan::new(g, keep(g, hv, mode, true).as_deref(), true);
    let rank = g.rank(mode);
    let limit = if coarse(g) { PICKER_RADII } else { usize::MAX };
    let exact = !coarse(g);
    rank.vendors
        .iter()
        .take(limit)
        .filter_map(|rv| g.node(&rv.vendor))
        .map(|v| plan.radius(g, v, mode, exact, PICKER_FIELDS))
        .collect()
}

/// A node standing for every component of one kind, or every vendor of
/// one category, in a collapsed diagram; its members are added after.
fn group_node(kind: DiagramNodeKind, what: &str, key: &str, layer: u32) -> DiagramNode {
    DiagramNode {
        id: format!("{what}:{key}"),
        kind,
        key: format!("{what}:{key}"),
        label: format!("{key} {what}"),
        detail: format!("a group of {what}"),
        layer,
        sensitivity: None,
        members: Vec::new(),
    }
}

/// The diagram's nodes and edges plus the mapping from graph to diagram.
struct Plan {
    grouped: bool,
    nodes: Vec<DiagramNode>,
    edges: Vec<DiagramEdge>,
    /// Graph node → diagram node (fields map to their group when grouped).
    node_of: Vec<Option<usize>>,
    /// Diagram edge → (from, to) diagram node indices.
    edge_ends: Vec<(usize, usize)>,
    /// Graph edge → diagram edge.
    edge_of: Vec<Option<usize>>,
    /// Per graph node: the field bits a component owns, each with the
    /// diagram edge (holds or sends) that draws it. A radius visits them per
    /// component, in order: a set as wide as the map would cost components ×
    /// fields per radius, and a hash map keyed by (bit, component) costs a
    /// cache miss per pair (most of a 20,000-vendor ring page's time).
    own: Vec<Vec<(u32, u32)>>,
}

impl Plan {
    /// `keep`: graph nodes drawn on their own even when the diagram
    /// collapses (the highlighted radius). The steps: fields (or their
    /// groups), components, vendors, the edges a component's own data
    /// draws, flows and access grants, the catalog's sub-processors, then
    /// columns and the final order.
    fn new(g: &DataGraph, keep: Option<&[bool]>, page: bool) -> Plan {
        let collapse = collapses(g, page);
        let grouped = g.fields.len() > GROUP_FIELDS_OVER;
        let mut nodes: Vec<DiagramNode> = Vec::new();
        let mut node_of: Vec<Option<usize>> = vec![None; g.graph.node_count()];
        let field_node = field_nodes(g, grouped, &mut nodes, &mut node_of);
        // Components, then vendors, by id (the map's BTreeMaps are sorted).
        let collapsed = |gi: NodeIndex| collapse && !keep.is_some_and(|k| k[gi.index()]);
        let comp_nodes = component_nodes(g, &collapsed, &mut nodes, &mut node_of);
        let vendor_nodes = vendor_nodes(g, &collapsed, &mut nodes, &mut node_of);

        // Edges, keyed by (from, to, kind) so parallel flows merge into one.
        let mut acc = EdgeAcc::default();
        let own = own_edges(g, &node_of, &field_node, &mut acc);
        let edge_of = flow_edges(g, &node_of, &mut acc);
        let sp_nodes = sub_processors(g, &node_of, &mut nodes, &mut acc);
        assign_layers(&mut nodes, &comp_nodes, &vendor_nodes, &sp_nodes, &acc);

        // Order nodes by layer (stable: keeps the order within a layer), and
        // renumber everything that points at them.
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.sort_by_key(|&i| nodes[i].layer);
        let mut renum = vec![0usize; nodes.len()];
        for (new, &old) in order.iter().enumerate() {
            renum[old] = new;
        }
        let mut sorted_nodes: Vec<Option<DiagramNode>> = nodes.into_iter().map(Some).collect();
        let nodes: Vec<DiagramNode> = order
            .iter()
            .filter_map(|&i| sorted_nodes[i].take())
            .collect();
        for n in node_of.iter_mut().flatten() {
            *n = renum[*n];
        }
        let (edges, edge_ends) = diagram_edges(g, &acc, &nodes, &renum);
        Plan {
            grouped,
            nodes,
            edges,
            edge_ends,
            node_of,
            edge_of,
            own,
        }
    }

    /// One vendor's radius in diagram terms.
    /// The radius on this diagram: `exact` traces the fields of every hop,
    /// otherwise every system that can bring data to the vendor is in it
    /// (`DataGraph::reach_sets`).
    /// `listed`: how many field ids the radius lists.
    fn radius(
        &self,
        g: &DataGraph,
        v: NodeIndex,
        mode: Mode,
        exact: bool,
        listed: usize,
    ) -> Radius {
        let exposed = g.exposure(v, mode);
        let summary = g.summarize(exposed.clone());
        // Per node, the fields of the radius it carries: traced, or (coarse)
        // everything exposed for every node that can bring data.
        let (traced, reached, edge_in) = if exact {
            let (need, edge_in) = g.radius_sets(v, mode);
            (need, Vec::new(), edge_in)
        } else {
            let (reached, edge_in) = g.reach_sets(v, mode);
            (Vec::new(), reached, edge_in)
        };
        // The coarse radius gives every reached node the same set: test it
        // for emptiness once, not once per node (a ring of 20,000 vendors
        // reaches every node, and the set has a bit per field).
        let exposed_empty = exposed.is_clear();
        let need_of = |gi: NodeIndex| -> Option<&FixedBitSet> {
            if exact {
                traced[gi.index()].as_ref().filter(|x| !x.is_clear())
            } else {
                (reached[gi.index()] && !exposed_empty).then_some(&exposed)
            }
        };
        let mut node_in = vec![false; self.nodes.len()];
        let mut dedge_in = vec![false; self.edges.len()];
        if let Some(n) = self.node_of[v.index()] {
            node_in[n] = true;
        }
        for gi in g.graph.node_indices() {
            match g.graph[gi].kind {
                NodeKind::Field(b) => {
                    if exposed.contains(b as usize) {
                        if let Some(n) = self.node_of[gi.index()] {
                            node_in[n] = true;
                        }
                    }
                }
                _ => {
                    let Some(needed) = need_of(gi) else {
                        continue;
                    };
                    if let Some(n) = self.node_of[gi.index()] {
                        node_in[n] = true;
                    }
                    if g.graph[gi].kind == NodeKind::Component {
                        // The component is an origin of the exposed data it owns.
                        for &(b, i) in &self.own[gi.index()] {
                            if needed.contains(b as usize) {
                                dedge_in[i as usize] = true;
                            }
                        }
                    }
                }
            }
        }
        for (e, inside) in edge_in.iter().enumerate() {
            if !inside {
                continue;
            }
            if let Some(i) = self.edge_of[e] {
                dedge_in[i] = true;
                // Grant sources are in the radius even when they hold nothing.
                let (a, b) = self.edge_ends[i];
                node_in[a] = true;
                node_in[b] = true;
            }
        }
        let field_count = exposed.count_ones(..);
        let mut fields: Vec<&str> = exposed.ones().map(|b| g.fields[b].id.as_str()).collect();
        fields.sort_unstable();
        let fields: Vec<String> = fields.into_iter().take(listed).map(String::from).collect();
        let vid = &g.graph[v].id;
        Radius {
            vendor: vid.clone(),
            name: g
                .map
                .vendors
                .get(vid)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| vid.clone()),
            mode,
            severity: summary.severity,
            fields,
            field_count,
            nodes: self
                .nodes
                .iter()
                .zip(&node_in)
                .filter(|(_, i)| **i)
                .map(|(n, _)| n.id.clone())
                .collect(),
            edges: self
                .edges
                .iter()
                .zip(&dedge_in)
                .filter(|(_, i)| **i)
                .map(|(e, _)| e.id.clone())
                .collect(),
        }
    }
}

type EdgeKey = (usize, usize, DiagramEdgeKind);

/// The field nodes (or, when `grouped`, one node per category group),
/// ordered by category so related data sits together; each graph field
/// node mapped in `node_of`. Returns the diagram node of each field bit.
fn field_nodes(
    g: &DataGraph,
    grouped: bool,
    nodes: &mut Vec<DiagramNode>,
    node_of: &mut [Option<usize>],
) -> Vec<usize> {
    let mut field_order: Vec<usize> = (0..g.fields.len()).collect();
    field_order.sort_by(|&a, &b| {
        let (fa, fb) = (g.fields[a], g.fields[b]);
        fa.category
            .cmp(&fb.category)
            .then_with(|| fa.id.cmp(&fb.id))
    });
    let mut field_node = vec![0usize; g.fields.len()];
    if grouped {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &b in &field_order {
            groups
                .entry(group_key(&g.fields[b].category))
                .or_default()
                .push(b);
        }
        for (key, members) in groups {
            let name = g
                .map
                .taxonomy
                .get(key)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| key.to_string());
            let sens = members.iter().map(|&b| g.fields[b].sensitivity).max();
            let mut ids: Vec<String> = members.iter().map(|&b| g.fields[b].id.clone()).collect();
            ids.sort();
            for &b in &members {
                field_node[b] = nodes.len();
            }
            nodes.push(DiagramNode {
                id: format!("category:{key}"),
                kind: DiagramNodeKind::Category,
                key: key.to_string(),
                label: name,
                detail: format!(
                    "{key} · {} field{}",
                    members.len(),
                    if members.len() == 1 { "" } else { "s" }
                ),
                layer: 0,
                sensitivity: sens,
                members: ids,
            });
        }
    } else {
        for &b in &field_order {
            let f = g.fields[b];
            field_node[b] = nodes.len();
            nodes.push(DiagramNode {
                id: format!("field:{}", f.id),
                kind: DiagramNodeKind::Field,
                key: f.id.clone(),
                label: f.id.clone(),
                detail: f.category.clone(),
                layer: 0,
                sensitivity: Some(f.sensitivity),
                members: Vec::new(),
            });
        }
    }
    for gi in g.graph.node_indices() {
        if let NodeKind::Field(b) = g.graph[gi].kind {
            node_of[gi.index()] = Some(field_node[b as usize]);
        }
    }
    field_node
}

/// Sets a group node's detail to its count of members (`3 vendors`).
fn count_members(nodes: &mut [DiagramNode], groups: &BTreeMap<&str, usize>, what: &str) {
    for &at in groups.values() {
        let n = nodes[at].members.len();
        nodes[at].detail = format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    }
}

/// A node per component, by id, or, for one `collapsed` says, its kind's
/// group. Returns the component nodes (groups included) in order.
fn component_nodes(
    g: &DataGraph,
    collapsed: &dyn Fn(NodeIndex) -> bool,
    nodes: &mut Vec<DiagramNode>,
    node_of: &mut [Option<usize>],
) -> Vec<usize> {
    let mut comp_nodes = Vec::new();
    let mut comp_groups: BTreeMap<&str, usize> = BTreeMap::new();
    for c in g.map.components.values() {
        let Some(gi) = g.node(&c.id) else { continue };
        if collapsed(gi) {
            let kind = c.kind.as_str();
            let at = *comp_groups.entry(kind).or_insert_with(|| {
                comp_nodes.push(nodes.len());
                nodes.push(group_node(
                    DiagramNodeKind::Component,
                    "components",
                    kind,
                    1,
                ));
                nodes.len() - 1
            });
            nodes[at].members.push(c.id.clone());
            node_of[gi.index()] = Some(at);
            continue;
        }
        node_of[gi.index()] = Some(nodes.len());
        comp_nodes.push(nodes.len());
        nodes.push(DiagramNode {
            id: format!("component:{}", c.id),
            kind: DiagramNodeKind::Component,
            key: c.id.clone(),
            label: c.name.clone().unwrap_or_else(|| c.id.clone()),
            detail: c.kind.as_str().to_string(),
            layer: 1,
            sensitivity: None,
            members: Vec::new(),
        });
    }
    count_members(nodes, &comp_groups, "component");
    comp_nodes
}

/// A node per vendor, by id, or, for one `collapsed` says, its category's
/// group. Returns the vendor nodes (groups included) in order.
fn vendor_nodes(
    g: &DataGraph,
    collapsed: &dyn Fn(NodeIndex) -> bool,
    nodes: &mut Vec<DiagramNode>,
    node_of: &mut [Option<usize>],
) -> Vec<usize> {
    let mut vendor_nodes = Vec::new();
    let mut vendor_groups: BTreeMap<&str, usize> = BTreeMap::new();
    for v in g.map.vendors.values() {
        let Some(gi) = g.node(&v.id) else { continue };
        if collapsed(gi) {
            let cat = v.category.as_str();
            let at = *vendor_groups.entry(cat).or_insert_with(|| {
                vendor_nodes.push(nodes.len());
                nodes.push(group_node(DiagramNodeKind::Vendor, "vendors", cat, 2));
                nodes.len() - 1
            });
            nodes[at].members.push(v.id.clone());
            node_of[gi.index()] = Some(at);
            continue;
        }
        node_of[gi.index()] = Some(nodes.len());
        vendor_nodes.push(nodes.len());
        nodes.push(DiagramNode {
            id: format!("vendor:{}", v.id),
            kind: DiagramNodeKind::Vendor,
            key: v.id.clone(),
            label: v.name.clone(),
            detail: v.category.as_str().to_string(),
            layer: 2,
            sensitivity: None,
            members: Vec::new(),
        });
    }
    count_members(nodes, &vendor_groups, "vendor");
    vendor_nodes
}

/// Holds and sends: a component's own data, by component then field. A
/// group edge is `holds` when any of its members is held. Returns, per
/// graph node, the field bits a component owns with the edge that draws
/// each ([`Plan::own`]).
fn own_edges(
    g: &DataGraph,
    node_of: &[Option<usize>],
    field_node: &[usize],
    acc: &mut EdgeAcc,
) -> Vec<Vec<(u32, u32)>> {
    let nf = g.fields.len();
    let mut comps: Vec<NodeIndex> = g
        .graph
        .node_indices()
        .filter(|&n| g.graph[n].kind == NodeKind::Component)
        .collect();
    comps.sort_by(|a, b| g.graph[*a].id.cmp(&g.graph[*b].id));
    let mut own: Vec<Vec<(u32, u32)>> = vec![Vec::new(); g.graph.node_count()];
    for c in comps {
        let Some(cn) = node_of[c.index()] else {
            continue;
        };
        let holds: BTreeSet<&str> = g
            .map
            .components
            .get(&g.graph[c].id)
            .map(|x| x.holds.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut per_node: BTreeMap<usize, (bool, Vec<usize>)> = BTreeMap::new();
        for b in g.own(c).ones() {
            let e = per_node.entry(field_node[b]).or_default();
            e.0 |= holds.contains(g.fields[b].id.as_str());
            e.1.push(b);
        }
        for (fnode, (held, bits)) in per_node {
            let kind = if held {
                DiagramEdgeKind::Holds
            } else {
                DiagramEdgeKind::Sends
            };
            let i = acc.slot((fnode, cn, kind), nf);
            for b in bits {
                acc.list[i].1.fields.insert(b);
                own[c.index()].push((b as u32, i as u32));
            }
        }
    }
    own
}

/// Flows in file order, then access grants, each merged into the edge of
/// its ends' diagram nodes with what it carries and says. Returns the
/// diagram edge of each graph edge.
fn flow_edges(g: &DataGraph, node_of: &[Option<usize>], acc: &mut EdgeAcc) -> Vec<Option<usize>> {
    let nf = g.fields.len();
    let mut flow_edges: Vec<EdgeIndex> = g
        .graph
        .edge_indices()
        .filter(|&e| matches!(g.graph[e], EdgeKind::Flow(_)))
        .collect();
    flow_edges.sort_by_key(|&e| match g.graph[e] {
        EdgeKind::Flow(i) => i,
        _ => usize::MAX,
    });
    let mut access_edges: Vec<EdgeIndex> = g
        .graph
        .edge_indices()
        .filter(|&e| g.graph[e] == EdgeKind::Access)
        .collect();
    access_edges.sort_by(|&a, &b| {
        let ids = |e: EdgeIndex| {
            g.graph
                .edge_endpoints(e)
                .map(|(x, y)| (g.graph[y].id.clone(), g.graph[x].id.clone()))
        };
        ids(a).cmp(&ids(b))
    });
    let mut edge_of: Vec<Option<usize>> = vec![None; g.graph.edge_count()];
    for e in flow_edges.into_iter().chain(access_edges) {
        let Some((a, b)) = g.graph.edge_endpoints(e) else {
            continue;
        };
        let (Some(na), Some(nb)) = (node_of[a.index()], node_of[b.index()]) else {
            continue;
        };
        let kind = if g.graph[e] == EdgeKind::Access {
            DiagramEdgeKind::Access
        } else {
            DiagramEdgeKind::Flow
        };
        let i = acc.slot((na, nb, kind), nf);
        edge_of[e.index()] = Some(i);
        let x = &mut acc.list[i].1;
        g.add_carried(e, &mut x.fields);
        if let EdgeKind::Flow(fi) = g.graph[e] {
            let flow = &g.map.flows[fi];
            x.all |= matches!(flow.fields, FlowFields::All);
            if let Some(p) = &flow.purpose {
                x.purposes.insert(p.clone());
            }
            for ev in &flow.evidence {
                x.evidence.insert(ev.location());
            }
            x.origin = Some(match x.origin {
                None => flow.origin,
                Some(o) => o.merge(flow.origin),
            });
        }
    }
    edge_of
}

/// Sub-processors from the catalog, unless a declared flow already says
/// so: a node for each one not in the map, and an edge from each vendor.
/// Returns the new nodes.
fn sub_processors(
    g: &DataGraph,
    node_of: &[Option<usize>],
    nodes: &mut Vec<DiagramNode>,
    acc: &mut EdgeAcc,
) -> Vec<usize> {
    let nf = g.fields.len();
    let catalog = Catalog::builtin();
    let mut sp_nodes: BTreeMap<String, usize> = BTreeMap::new();
    let mut sp_edges: Vec<(usize, String)> = Vec::new();
    for v in g.map.vendors.values() {
        let Some(vn) = g.node(&v.id).and_then(|n| node_of[n.index()]) else {
            continue;
        };
        let Some(cv) = catalog.get(&v.id) else {
            continue;
        };
        let mut sps: Vec<&String> = cv.sub_processors.iter().collect();
        sps.sort();
        sps.dedup();
        for sp in sps {
            if sp == &v.id {
                continue;
            }
            sp_edges.push((vn, sp.clone()));
        }
    }
    let mut sp_list: BTreeSet<&str> = BTreeSet::new();
    for (_, sp) in &sp_edges {
        if g.node(sp).is_none() {
            sp_list.insert(sp.as_str());
        }
    }
    for sp in sp_list {
        let (name, detail) = catalog
            .get(sp)
            .map(|c| (c.name.clone(), c.category.as_str().to_string()))
            .unwrap_or_else(|| (sp.to_string(), "sub-processor".to_string()));
        sp_nodes.insert(sp.to_string(), nodes.len());
        nodes.push(DiagramNode {
            id: format!("sub-processor:{sp}"),
            kind: DiagramNodeKind::SubProcessor,
            key: sp.to_string(),
            label: name,
            detail,
            layer: 3,
            sensitivity: None,
            members: Vec::new(),
        });
    }
    for (vn, sp) in &sp_edges {
        let target = match g.node(sp) {
            Some(n) => node_of[n.index()],
            None => sp_nodes.get(sp).copied(),
        };
        let Some(t) = target else { continue };
        if acc.index.contains_key(&(*vn, t, DiagramEdgeKind::Flow)) {
            continue;
        }
        acc.slot((*vn, t, DiagramEdgeKind::SubProcessor), nf);
    }
    sp_nodes.into_values().collect()
}

/// Layers: components by chains of component flows, vendors after the
/// last component column by chains of vendor flows, sub-processors last.
fn assign_layers(
    nodes: &mut [DiagramNode],
    comp_nodes: &[usize],
    vendor_nodes: &[usize],
    sp_nodes: &[usize],
    acc: &EdgeAcc,
) {
    let pos_in = |list: &[usize]| -> HashMap<usize, usize> {
        list.iter().enumerate().map(|(i, &n)| (n, i)).collect()
    };
    let cpos = pos_in(comp_nodes);
    let vpos = pos_in(vendor_nodes);
    let mut c_edges = Vec::new();
    let mut v_edges = Vec::new();
    for ((a, b, k), _) in &acc.list {
        if *k != DiagramEdgeKind::Flow {
            continue;
        }
        if let (Some(&x), Some(&y)) = (cpos.get(a), cpos.get(b)) {
            c_edges.push((x, y));
        }
        if let (Some(&x), Some(&y)) = (vpos.get(a), vpos.get(b)) {
            v_edges.push((x, y));
        }
    }
    let cl = longest_path_layers(comp_nodes.len(), &c_edges);
    for (i, &n) in comp_nodes.iter().enumerate() {
        nodes[n].layer = 1 + cl[i].min(MAX_COMPONENT_COLUMNS - 1);
    }
    let vbase = comp_nodes
        .iter()
        .map(|&n| nodes[n].layer)
        .max()
        .unwrap_or(0)
        + 1;
    // A vendor moves right only when all its data comes from other
    // vendors (a forwarding target): then no component's edge has to
    // cross a column of vendors to reach it.
    let comp_set: std::collections::HashSet<usize> = comp_nodes.iter().copied().collect();
    let fed_by_component: std::collections::HashSet<usize> = acc
        .list
        .iter()
        .filter(|((a, _, k), _)| *k == DiagramEdgeKind::Flow && comp_set.contains(a))
        .map(|((_, b, _), _)| *b)
        .collect();
    let vl = longest_path_layers(vendor_nodes.len(), &v_edges);
    for (i, &n) in vendor_nodes.iter().enumerate() {
        let depth = if fed_by_component.contains(&n) {
            0
        } else {
            vl[i]
        };
        nodes[n].layer = vbase + depth.min(MAX_VENDOR_COLUMNS - 1);
    }
    let splayer = vendor_nodes
        .iter()
        .map(|&n| nodes[n].layer)
        .max()
        .unwrap_or(vbase - 1)
        + 1;
    for &n in sp_nodes {
        nodes[n].layer = splayer;
    }
}

/// The merged edges as diagram edges over the renumbered `nodes`, and
/// each one's (from, to) node indices.
fn diagram_edges(
    g: &DataGraph,
    acc: &EdgeAcc,
    nodes: &[DiagramNode],
    renum: &[usize],
) -> (Vec<DiagramEdge>, Vec<(usize, usize)>) {
    let field_ids = |set: &FixedBitSet| -> Vec<String> {
        let mut v: Vec<String> = set.ones().map(|b| g.fields[b].id.clone()).collect();
        v.sort();
        v
    };
    let edge_ends: Vec<(usize, usize)> = acc
        .list
        .iter()
        .map(|((a, b, _), _)| (renum[*a], renum[*b]))
        .collect();
    let edges: Vec<DiagramEdge> = acc
        .list
        .iter()
        .enumerate()
        .map(|(i, ((a, b, k), x))| DiagramEdge {
            id: format!("e{i}"),
            from: nodes[renum[*a]].id.clone(),
            to: nodes[renum[*b]].id.clone(),
            kind: *k,
            fields: field_ids(&x.fields),
            all: x.all,
            purposes: x.purposes.iter().cloned().collect(),
            evidence: x.evidence.iter().cloned().collect(),
            origin: x.origin.map(|o| o.as_str()),
        })
        .collect();
    (edges, edge_ends)
}

/// Merged edges under construction, in first-seen order.
#[derive(Default)]
struct EdgeAcc {
    list: Vec<(EdgeKey, Merged)>,
    index: HashMap<EdgeKey, usize>,
}

/// What the graph edges merged into one diagram edge carry and say.
struct Merged {
    fields: FixedBitSet,
    all: bool,
    purposes: BTreeSet<String>,
    evidence: BTreeSet<String>,
    origin: Option<crate::model::Origin>,
}

impl EdgeAcc {
    /// The slot of an edge, created empty on first use.
    fn slot(&mut self, key: EdgeKey, n_fields: usize) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.list.push((
            key,
            Merged {
                fields: FixedBitSet::with_capacity(n_fields),
                all: false,
                purposes: BTreeSet::new(),
                evidence: BTreeSet::new(),
                origin: None,
            },
        ));
        self.index.insert(key, self.list.len() - 1);
        self.list.len() - 1
    }
}
