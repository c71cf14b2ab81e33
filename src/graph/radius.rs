//! A vendor's blast radius as sets over the graph: per node, the fields of
//! the radius it carries, and the flow and access edges that carried
//! exposed data (exact, [`DataGraph::radius_sets`]), or, for a map too
//! large for that, the systems and edges that can bring anything to the
//! vendor ([`DataGraph::reach_sets`]). Sets, not a drawing: the diagram
//! that shows them is [`crate::report::diagram`]'s.

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::{DataGraph, EdgeKind, Mode};

impl DataGraph<'_> {
    /// What a flow or access edge carries, after the fixed point.
    pub fn carried(&self, e: EdgeIndex) -> FixedBitSet {
        let mut s = FixedBitSet::with_capacity(self.fields.len());
        self.add_carried(e, &mut s);
        s
    }

    /// Adds what edge `e` carries to `into`, touching only the listed
    /// fields of a flow that lists them (not a set as wide as the map: the
    /// diagram does this once per flow).
    pub fn add_carried(&self, e: EdgeIndex, into: &mut FixedBitSet) {
        let Some((src, _)) = self.graph.edge_endpoints(e) else {
            return;
        };
        let avail = &self.available[src.index()];
        match self.graph[e] {
            EdgeKind::Holds => {}
            EdgeKind::Access => into.union_with(avail),
            EdgeKind::Flow(i) => match &self.flow_bits[i] {
                None => into.union_with(avail),
                Some(bits) => {
                    for &b in bits {
                        if avail.contains(b as usize) {
                            into.insert(b as usize);
                        }
                    }
                }
            },
        }
    }

    /// The blast radius of `vendor` on the graph: per node, the fields
    /// whose presence there ends up exposed at the vendor, and the flow and
    /// access edges that carried exposed data. A backward fixed point over
    /// field bitsets (no path enumeration), so it stays linear-ish in the
    /// graph's size for every vendor.
    /// Per node, the fields of the radius it carries (`None` for a node
    /// the radius does not touch: sets are made only where needed, so a
    /// radius costs what it touches, not nodes × fields); per edge, whether
    /// it is in the radius.
    pub fn radius_sets(
        &self,
        vendor: NodeIndex,
        mode: Mode,
    ) -> (Vec<Option<FixedBitSet>>, Vec<bool>) {
        let n = self.graph.node_count();
        let nf = self.fields.len();
        let mut need: Vec<Option<FixedBitSet>> = vec![None; n];
        let mut edge_in = vec![false; self.graph.edge_count()];
        let mut queued = vec![false; n];
        let mut work = Vec::new();
        need[vendor.index()] = Some(self.available[vendor.index()].clone());
        queued[vendor.index()] = true;
        work.push(vendor);
        // Access grants: next to the vendor only, transitively (as
        // `access_closure`): the grant's source is read in full.
        let closure = self.access_closure(vendor);
        let mut reached = vec![false; n];
        reached[vendor.index()] = true;
        for &x in &closure {
            reached[x.index()] = true;
        }
        for &x in std::iter::once(&vendor).chain(closure.iter()) {
            for e in self.graph.edges_directed(x, Direction::Incoming) {
                if self.graph[e.id()] == EdgeKind::Access && reached[e.source().index()] {
                    edge_in[e.id().index()] = true;
                }
            }
        }
        for &x in &closure {
            need[x.index()] = Some(self.available[x.index()].clone());
            if !queued[x.index()] {
                queued[x.index()] = true;
                work.push(x);
            }
        }
        if mode == Mode::Code {
            for c in self.embedders(vendor) {
                need[c.index()]
                    .get_or_insert_with(|| FixedBitSet::with_capacity(nf))
                    .union_with(&self.available[c.index()]);
                for e in self.graph.edges_connecting(c, vendor) {
                    if matches!(self.graph[e.id()], EdgeKind::Flow(_)) {
                        edge_in[e.id().index()] = true;
                    }
                }
                if !queued[c.index()] {
                    queued[c.index()] = true;
                    work.push(c);
                }
            }
        }
        while let Some(w) = work.pop() {
            queued[w.index()] = false;
            let Some(want) = need[w.index()].clone() else {
                continue;
            };
            let incoming: Vec<(EdgeIndex, NodeIndex)> = self
                .graph
                .edges_directed(w, Direction::Incoming)
                .filter(|e| matches!(self.graph[e.id()], EdgeKind::Flow(_)))
                .map(|e| (e.id(), e.source()))
                .collect();
            for (e, u) in incoming {
                let mut s = self.carried(e);
                s.intersect_with(&want);
                if s.is_clear() {
                    continue;
                }
                edge_in[e.index()] = true;
                let grew = match &mut need[u.index()] {
                    Some(x) if s.is_subset(x) => false,
                    Some(x) => {
                        x.union_with(&s);
                        true
                    }
                    slot => {
                        *slot = Some(s);
                        true
                    }
                };
                if grew && !queued[u.index()] {
                    queued[u.index()] = true;
                    work.push(u);
                }
            }
        }
        (need, edge_in)
    }

    /// The systems and edges that can bring anything to `vendor`, without
    /// tracing which fields each hop carries: one backward walk, linear in
    /// the graph. A large map's diagram uses it for its radii (the
    /// exact walk keeps a field set per node, which in a ring of access
    /// grants is the whole map for every vendor); its exposed fields are
    /// still exact. Returns (node reached, edge in the radius).
    pub fn reach_sets(&self, vendor: NodeIndex, mode: Mode) -> (Vec<bool>, Vec<bool>) {
        let mut reached = vec![false; self.graph.node_count()];
        let mut edge_in = vec![false; self.graph.edge_count()];
        let mut work = vec![vendor];
        reached[vendor.index()] = true;
        for x in self.access_closure(vendor) {
            if !reached[x.index()] {
                reached[x.index()] = true;
                work.push(x);
            }
        }
        for &x in &work.clone() {
            for e in self.graph.edges_directed(x, Direction::Incoming) {
                if self.graph[e.id()] == EdgeKind::Access && reached[e.source().index()] {
                    edge_in[e.id().index()] = true;
                }
            }
        }
        if mode == Mode::Code {
            for c in self.embedders(vendor) {
                for e in self.graph.edges_connecting(c, vendor) {
                    edge_in[e.id().index()] = true;
                }
                if !reached[c.index()] {
                    reached[c.index()] = true;
                    work.push(c);
                }
            }
        }
        while let Some(w) = work.pop() {
            for e in self.graph.edges_directed(w, Direction::Incoming) {
                if !matches!(self.graph[e.id()], EdgeKind::Flow(_)) || !self.has_data(e.source()) {
                    continue;
                }
                edge_in[e.id().index()] = true;
                if !reached[e.source().index()] {
                    reached[e.source().index()] = true;
                    work.push(e.source());
                }
            }
        }
        (reached, edge_in)
    }
}
