//! The paths that bring one field to one vendor.
//!
//! A backward breadth-first search from the vendor over the edges that carry
//! the field gives the shortest path from every originating component (one
//! that holds or sends the field itself). Other paths are only counted, by a
//! depth-first search with a step budget, so a dense graph never makes the
//! report exponential: past the budget the count is a lower bound.
//!
//! Access grants are followed only next to the vendor: if the vendor holds
//! credentials to X, what X holds is exposed; what X can itself *read* is
//! not X's data unless X also holds a grant (hence the two search phases).

use std::collections::VecDeque;

use petgraph::Direction;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::{DataGraph, EdgeKind, Mode, NodeKind};

/// How many DFS steps one route's count may take.
const COUNT_BUDGET: u32 = 2_000;

/// One hop of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// A data flow (edge of kind [`EdgeKind::Flow`]).
    Flow(EdgeIndex),
    /// The vendor's credentials to the source system.
    Access(EdgeIndex),
    /// The vendor's SDK code runs inside the source component (code mode).
    Code(EdgeIndex),
}

impl Hop {
    /// The edge.
    pub fn edge(self) -> EdgeIndex {
        match self {
            Hop::Flow(e) | Hop::Access(e) | Hop::Code(e) => e,
        }
    }
}

/// The shortest path from one originating component, and how many others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// From the origin to the vendor.
    pub nodes: Vec<NodeIndex>,
    /// `nodes.len() - 1` hops.
    pub hops: Vec<Hop>,
    /// Other simple paths from the same origin.
    pub more: u64,
    /// True when `more` is a lower bound (the count ran out of budget).
    pub more_is_lower_bound: bool,
}

const A: usize = 0; // only access edges so far (from the vendor backwards)
const F: usize = 1; // some flow edge taken

pub fn routes(g: &DataGraph, vendor: NodeIndex, f: usize, mode: Mode) -> Vec<Route> {
    let n = g.graph.node_count();
    // parent[phase][node] = (next node toward the vendor, its phase, hop)
    let mut parent: [Vec<Option<(NodeIndex, usize, Hop)>>; 2] = [vec![None; n], vec![None; n]];
    let mut reached = [vec![false; n], vec![false; n]];
    reached[A][vendor.index()] = true;
    let mut queue = VecDeque::from([(vendor, A)]);
    while let Some((v, phase)) = queue.pop_front() {
        for e in g.graph.edges_directed(v, Direction::Incoming) {
            let next_phase = match (g.graph[e.id()], phase) {
                (EdgeKind::Access, A) => A,
                (EdgeKind::Flow(_), _) => F,
                _ => continue,
            };
            let u = e.source();
            if reached[next_phase][u.index()] || !g.carries(e.id(), f) {
                continue;
            }
            reached[next_phase][u.index()] = true;
            let hop = if next_phase == A {
                Hop::Access(e.id())
            } else {
                Hop::Flow(e.id())
            };
            parent[next_phase][u.index()] = Some((v, phase, hop));
            queue.push_back((u, next_phase));
        }
    }
    let mut out = Vec::new();
    let mut origins: Vec<NodeIndex> = g
        .graph
        .node_indices()
        .filter(|&c| g.graph[c].kind == NodeKind::Component && g.own(c).contains(f))
        .filter(|c| reached[A][c.index()] || reached[F][c.index()])
        .collect();
    origins.sort_by(|a, b| g.graph[*a].id.cmp(&g.graph[*b].id));
    for o in origins {
        let start = if reached[F][o.index()] { F } else { A };
        let mut nodes = vec![o];
        let mut hops = Vec::new();
        let (mut cur, mut phase) = (o, start);
        while let Some((next, next_phase, hop)) = parent[phase][cur.index()] {
            nodes.push(next);
            hops.push(hop);
            cur = next;
            phase = next_phase;
        }
        // A shorter access-only route may exist beside the flow route.
        if start == F && reached[A][o.index()] {
            let mut alt = vec![o];
            let mut alt_hops = Vec::new();
            let (mut c, mut p) = (o, A);
            while let Some((next, np, hop)) = parent[p][c.index()] {
                alt.push(next);
                alt_hops.push(hop);
                c = next;
                p = np;
            }
            if alt.len() < nodes.len() {
                nodes = alt;
                hops = alt_hops;
            }
        }
        let (count, capped) = count_paths(g, o, vendor, f, &reached);
        out.push(Route {
            nodes,
            hops,
            more: count.saturating_sub(1),
            more_is_lower_bound: capped,
        });
    }
    if mode == Mode::Code {
        for c in g.embedders(vendor) {
            if !g.available(c).contains(f) || out.iter().any(|r| r.nodes.first() == Some(&c)) {
                continue;
            }
            let e = g
                .graph
                .edges_connecting(c, vendor)
                .find(|e| matches!(g.graph[e.id()], EdgeKind::Flow(_)))
                .map(|e| e.id());
            if let Some(e) = e {
                out.push(Route {
                    nodes: vec![c, vendor],
                    hops: vec![Hop::Code(e)],
                    more: 0,
                    more_is_lower_bound: false,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        a.nodes.len().cmp(&b.nodes.len()).then_with(|| {
            let ids = |r: &Route| {
                r.nodes
                    .iter()
                    .map(|n| g.graph[*n].id.clone())
                    .collect::<Vec<_>>()
            };
            ids(a).cmp(&ids(b))
        })
    });
    out
}

/// Simple paths from `origin` to `vendor` carrying `f` (flows, then access
/// grants next to the vendor), up to a step budget.
fn count_paths(
    g: &DataGraph,
    origin: NodeIndex,
    vendor: NodeIndex,
    f: usize,
    reached: &[Vec<bool>; 2],
) -> (u64, bool) {
    struct Dfs<'a, 'm> {
        g: &'a DataGraph<'m>,
        vendor: NodeIndex,
        f: usize,
        reached: &'a [Vec<bool>; 2],
        on_path: Vec<bool>,
        steps: u32,
        count: u64,
        capped: bool,
    }
    impl Dfs<'_, '_> {
        fn go(&mut self, n: NodeIndex, after_access: bool) {
            if n == self.vendor {
                self.count += 1;
                return;
            }
            self.on_path[n.index()] = true;
            let edges: Vec<_> = self
                .g
                .graph
                .edges_directed(n, Direction::Outgoing)
                .map(|e| (e.id(), e.target()))
                .collect();
            for (e, m) in edges {
                if self.steps >= COUNT_BUDGET {
                    self.capped = true;
                    break;
                }
                let next_after_access = match self.g.graph[e] {
                    EdgeKind::Flow(_) if !after_access => false,
                    EdgeKind::Access => true,
                    _ => continue,
                };
                let viable = if next_after_access {
                    self.reached[A][m.index()]
                } else {
                    self.reached[A][m.index()] || self.reached[F][m.index()]
                };
                if !viable || self.on_path[m.index()] || !self.g.carries(e, self.f) {
                    continue;
                }
                self.steps += 1;
                self.go(m, next_after_access);
            }
            self.on_path[n.index()] = false;
        }
    }
    let mut d = Dfs {
        g,
        vendor,
        f,
        reached,
        on_path: vec![false; g.graph.node_count()],
        steps: 0,
        count: 0,
        capped: false,
    };
    d.go(origin, false);
    (d.count, d.capped)
}
