//! The data-flow graph (petgraph) built from a validated [`Map`], the
//! received-set fixed point (ARCHITECTURE.md, "Blast-radius semantics"), and the queries over it.
//!
//! Nodes are fields, components and vendors; edges are `holds` (field →
//! component), flows, and access grants (drawn from the system whose data is
//! readable to the vendor that holds the credentials). Field sets are
//! bitsets indexed by field number, so the fixed point costs one pass over
//! the flows per change, and adding a flow can only grow a set (monotone).

pub mod blast;
pub mod diff;
mod radius;
pub mod rank;
pub mod reconcile;
mod routes;
pub mod whatif;

use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{Field, FlowFields, Map};

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A field (index into [`DataGraph::fields`]).
    Field(u32),
    /// A first-party component.
    Component,
    /// A third party.
    Vendor,
}

/// A node: its kind and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// The field, component or vendor id.
    pub id: String,
}

/// What an edge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A component holds the field.
    Holds,
    /// `map.flows[i]`.
    Flow(usize),
    /// The target vendor holds credentials to the source system.
    Access,
}

/// The graph plus the fixed point computed over it.
pub struct DataGraph<'m> {
    /// The model it was built from.
    pub map: &'m Map,
    /// Nodes and edges.
    pub graph: DiGraph<Node, EdgeKind>,
    /// The fields, in a fixed order; bit `i` of a set means `fields[i]`.
    pub fields: Vec<&'m Field>,
    index: HashMap<&'m str, NodeIndex>,
    field_bits: HashMap<&'m str, u32>,
    /// Per flow: the field bits it lists (sorted), or `None` for `all`.
    flow_bits: Vec<Option<Vec<u32>>>,
    /// Per node: what a component holds or sends by itself (its own data).
    own: Vec<FixedBitSet>,
    /// Per node: the fixed point: own data plus everything received.
    available: Vec<FixedBitSet>,
    /// Indexes for scoring.
    scoring: blast::Scoring,
    /// What access grants open, per vendor, computed once on first use.
    access: std::sync::OnceLock<AccessSets>,
    /// Per node: whether it has any data after the fixed point (asking a
    /// set as wide as the map costs that width each time).
    has_data: std::sync::OnceLock<Vec<bool>>,
}

/// What every node can read through access grants, shared by strongly
/// connected component: in a ring of grants every member reads the same
/// union, so it is built once, not once per member (which made `rank`
/// quadratic in the ring's length).
#[derive(Debug, Default)]
struct AccessSets {
    /// Per node: its component of the access graph, or `None` when no
    /// grant leads to it.
    scc_of: Vec<Option<u32>>,
    /// Per component: the union of `available` over every node with an
    /// access path to it (its own members included).
    sets: Vec<FixedBitSet>,
}

impl<'m> DataGraph<'m> {
    /// Builds the graph and runs the fixed point.
    pub fn build(map: &'m Map) -> DataGraph<'m> {
        let fields: Vec<&Field> = map.fields.values().collect();
        let field_bits: HashMap<&str, u32> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.as_str(), i as u32))
            .collect();
        let n_fields = fields.len();
        let mut graph = DiGraph::with_capacity(
            fields.len() + map.components.len() + map.vendors.len(),
            map.flows.len() + map.components.len(),
        );
        let mut index = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            let n = graph.add_node(Node {
                kind: NodeKind::Field(i as u32),
                id: f.id.clone(),
            });
            index.insert(f.id.as_str(), n);
        }
        // Field ids and component/vendor ids may collide (a field `stripe`);
        // node lookup by id is for components and vendors, so they win.
        let mut systems = HashMap::new();
        for c in map.components.values() {
            let n = graph.add_node(Node {
                kind: NodeKind::Component,
                id: c.id.clone(),
            });
            systems.insert(c.id.as_str(), n);
        }
        for v in map.vendors.values() {
            let n = graph.add_node(Node {
                kind: NodeKind::Vendor,
                id: v.id.clone(),
            });
            systems.insert(v.id.as_str(), n);
        }
        // Field nodes carry no set (they are the bits); only systems do.
        let mut own: Vec<FixedBitSet> = graph
            .node_indices()
            .map(|n| match graph[n].kind {
                NodeKind::Field(_) => FixedBitSet::new(),
                _ => FixedBitSet::with_capacity(n_fields),
            })
            .collect();
        for c in map.components.values() {
            let cn = systems[c.id.as_str()];
            for f in &c.holds {
                if let Some(&b) = field_bits.get(f.as_str()) {
                    own[cn.index()].insert(b as usize);
                    graph.add_edge(index[f.as_str()], cn, EdgeKind::Holds);
                }
            }
        }
        let mut flow_bits = Vec::with_capacity(map.flows.len());
        for (i, flow) in map.flows.iter().enumerate() {
            let (Some(&from), Some(&to)) = (
                systems.get(flow.from.as_str()),
                systems.get(flow.to.as_str()),
            ) else {
                flow_bits.push(None);
                continue;
            };
            graph.add_edge(from, to, EdgeKind::Flow(i));
            match &flow.fields {
                FlowFields::All => flow_bits.push(None),
                FlowFields::List(list) => {
                    let mut bits: Vec<u32> = list
                        .iter()
                        .filter_map(|f| field_bits.get(f.as_str()).copied())
                        .collect();
                    bits.sort_unstable();
                    bits.dedup();
                    // A component sends what it lists: that is its own data.
                    if graph[from].kind == NodeKind::Component {
                        for &b in &bits {
                            own[from.index()].insert(b as usize);
                        }
                    }
                    flow_bits.push(Some(bits));
                }
            }
        }
        for v in map.vendors.values() {
            for a in &v.access {
                if let (Some(&src), Some(&dst)) =
                    (systems.get(a.as_str()), systems.get(v.id.as_str()))
                {
                    graph.add_edge(src, dst, EdgeKind::Access);
                }
            }
        }
        index.extend(systems);
        let available = own.clone();
        let scoring = blast::Scoring::new(map, &fields);
        let mut g = DataGraph {
            scoring,
            map,
            graph,
            fields,
            index,
            field_bits,
            flow_bits,
            own,
            available,
            access: std::sync::OnceLock::new(),
            has_data: std::sync::OnceLock::new(),
        };
        g.fixed_point();
        g
    }

    /// Whether node `n` has any data after the fixed point.
    pub(crate) fn has_data(&self, n: NodeIndex) -> bool {
        self.has_data
            .get_or_init(|| self.available.iter().map(|s| !s.is_clear()).collect())[n.index()]
    }

    fn access_sets(&self) -> &AccessSets {
        self.access.get_or_init(|| {
            // The access graph alone, on the nodes that have grants.
            let mut sub: DiGraph<NodeIndex, ()> = DiGraph::new();
            let mut local: HashMap<NodeIndex, NodeIndex> = HashMap::new();
            let mut at = |sub: &mut DiGraph<NodeIndex, ()>, n: NodeIndex| {
                *local.entry(n).or_insert_with(|| sub.add_node(n))
            };
            for e in self.graph.edge_references() {
                if *e.weight() == EdgeKind::Access {
                    let (a, b) = (at(&mut sub, e.source()), at(&mut sub, e.target()));
                    sub.add_edge(a, b, ());
                }
            }
            let mut out = AccessSets {
                scc_of: vec![None; self.graph.node_count()],
                sets: Vec::new(),
            };
            if sub.node_count() == 0 {
                return out;
            }
            // Sources first: every input of a component is final when it
            // is visited.
            let mut sccs = petgraph::algo::tarjan_scc(&sub);
            sccs.reverse();
            let mut scc_local = vec![0u32; sub.node_count()];
            for (i, scc) in sccs.iter().enumerate() {
                for &v in scc {
                    scc_local[v.index()] = i as u32;
                    out.scc_of[sub[v].index()] = Some(i as u32);
                }
            }
            let width = self.fields.len();
            for (i, scc) in sccs.iter().enumerate() {
                let mut set = FixedBitSet::with_capacity(width);
                for &v in scc {
                    set.union_with(&self.available[sub[v].index()]);
                    for p in sub.neighbors_directed(v, Direction::Incoming) {
                        let c = scc_local[p.index()] as usize;
                        if c != i {
                            set.union_with(&out.sets[c]);
                        }
                    }
                }
                out.sets.push(set);
            }
            out
        })
    }

    /// received(v) = ∪ over flows u → v of (S ∩ available(u)), to a fixed point.
    fn fixed_point(&mut self) {
        // Strongly connected components in topological order: every input
        // of a component is final before it is visited, so only cycles are
        // iterated, and each flow outside a cycle is applied once.
        let mut sccs = petgraph::algo::tarjan_scc(&self.graph);
        sccs.reverse();
        let n = self.graph.node_count();
        let mut scc_of = vec![0usize; n];
        for (i, scc) in sccs.iter().enumerate() {
            for v in scc {
                scc_of[v.index()] = i;
            }
        }
        let mut queued = vec![false; n];
        for (current, scc) in sccs.iter().enumerate() {
            let mut work: Vec<NodeIndex> = scc.clone();
            for v in &work {
                queued[v.index()] = true;
            }
            while let Some(u) = work.pop() {
                queued[u.index()] = false;
                let src = std::mem::take(&mut self.available[u.index()]);
                if !src.is_clear() {
                    let mut edges = self
                        .graph
                        .neighbors_directed(u, Direction::Outgoing)
                        .detach();
                    while let Some((e, v)) = edges.next(&self.graph) {
                        let EdgeKind::Flow(i) = self.graph[e] else {
                            continue;
                        };
                        let dst = &mut self.available[v.index()];
                        let changed = match &self.flow_bits[i] {
                            None => {
                                if src.is_subset(dst) {
                                    false
                                } else {
                                    dst.union_with(&src);
                                    true
                                }
                            }
                            Some(bits) => {
                                let mut changed = false;
                                for &b in bits {
                                    let b = b as usize;
                                    if src.contains(b) && !dst.contains(b) {
                                        dst.insert(b);
                                        changed = true;
                                    }
                                }
                                changed
                            }
                        };
                        if changed && scc_of[v.index()] == current && !queued[v.index()] {
                            queued[v.index()] = true;
                            work.push(v);
                        }
                    }
                }
                self.available[u.index()] = src;
            }
        }
    }

    /// The node of a component or vendor id.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.index
            .get(id)
            .copied()
            .filter(|n| !matches!(self.graph[*n].kind, NodeKind::Field(_)))
    }

    /// The bit of a field id.
    pub fn field_bit(&self, id: &str) -> Option<u32> {
        self.field_bits.get(id).copied()
    }

    /// What a node holds, sends or received (the fixed point).
    pub fn available(&self, n: NodeIndex) -> &FixedBitSet {
        &self.available[n.index()]
    }

    /// What a component holds or sends by itself.
    pub fn own(&self, n: NodeIndex) -> &FixedBitSet {
        &self.own[n.index()]
    }

    /// True when edge `e` carries field bit `f` (flows: listed and available
    /// at the source; access: available at the source).
    pub fn carries(&self, e: EdgeIndex, f: usize) -> bool {
        let Some((src, _)) = self.graph.edge_endpoints(e) else {
            return false;
        };
        match self.graph[e] {
            EdgeKind::Holds => false,
            EdgeKind::Access => self.available[src.index()].contains(f),
            EdgeKind::Flow(i) => {
                self.available[src.index()].contains(f)
                    && match &self.flow_bits[i] {
                        None => true,
                        Some(bits) => bits.binary_search(&(f as u32)).is_ok(),
                    }
            }
        }
    }

    /// Systems whose data `vendor` can read through access grants, followed
    /// transitively (credentials reached through one grant may open the
    /// next), in breadth-first order.
    pub fn access_closure(&self, vendor: NodeIndex) -> Vec<NodeIndex> {
        let has_grants = self
            .graph
            .edges_directed(vendor, Direction::Incoming)
            .any(|e| *e.weight() == EdgeKind::Access);
        if !has_grants {
            return Vec::new();
        }
        let mut seen = vec![false; self.graph.node_count()];
        seen[vendor.index()] = true;
        let mut order = Vec::new();
        let mut queue = std::collections::VecDeque::from([vendor]);
        while let Some(n) = queue.pop_front() {
            for e in self.graph.edges_directed(n, Direction::Incoming) {
                if self.graph[e.id()] == EdgeKind::Access && !seen[e.source().index()] {
                    seen[e.source().index()] = true;
                    order.push(e.source());
                    queue.push_back(e.source());
                }
            }
        }
        order
    }

    /// Components that embed the vendor's SDK: those with a direct flow to it.
    pub fn embedders(&self, vendor: NodeIndex) -> Vec<NodeIndex> {
        let mut out: Vec<NodeIndex> = self
            .graph
            .edges_directed(vendor, Direction::Incoming)
            .filter(|e| matches!(self.graph[e.id()], EdgeKind::Flow(_)))
            .map(|e| e.source())
            .filter(|n| self.graph[*n].kind == NodeKind::Component)
            .collect();
        out.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        out.dedup();
        out
    }

    /// When `vendor`'s exposure in `mode` is its access component's shared
    /// set (data mode, and a grant leads to it), that component: every
    /// member has the same exposure, so `rank` summarises it once.
    pub(crate) fn shared_exposure(&self, vendor: NodeIndex, mode: Mode) -> Option<u32> {
        if mode != Mode::Data {
            return None;
        }
        self.access_sets().scc_of[vendor.index()]
    }

    /// Everything exposed when `vendor` is breached in `mode`.
    pub fn exposure(&self, vendor: NodeIndex, mode: Mode) -> FixedBitSet {
        let mut set = self.available[vendor.index()].clone();
        let access = self.access_sets();
        if let Some(c) = access.scc_of[vendor.index()] {
            set.union_with(&access.sets[c as usize]);
        }
        if mode == Mode::Code {
            for c in self.embedders(vendor) {
                set.union_with(&self.available[c.index()]);
            }
        }
        set
    }
}

/// What is compromised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The vendor's stored data (the Mixpanel case).
    #[default]
    Data,
    /// The vendor's SDK code, running inside every component that embeds it.
    Code,
}

impl Mode {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Data => "data",
            Mode::Code => "code",
        }
    }
}

#[cfg(test)]
mod tests;
