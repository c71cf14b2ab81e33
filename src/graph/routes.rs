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

/// How many DFS steps the path counts of one field may take, shared by its
/// origins; past it, counts are lower bounds.
const COUNT_BUDGET: u32 = 5_000;

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

type Parent = Option<(NodeIndex, usize, Hop)>;

/// Buffers sized to the graph, reused across the fields of one report so
/// that a vendor with a thousand exposed fields does not allocate (and
/// zero) a thousand graph-sized arrays. Every search resets what it touched.
pub struct Scratch {
    parent: [Vec<Parent>; 2],
    reached: [Vec<bool>; 2],
    touched: Vec<NodeIndex>,
    on_path: Vec<bool>,
}

impl Scratch {
    /// Buffers for a graph of `n` nodes.
    pub fn new(n: usize) -> Scratch {
        Scratch {
            parent: [vec![None; n], vec![None; n]],
            reached: [vec![false; n], vec![false; n]],
            touched: Vec::new(),
            on_path: vec![false; n],
        }
    }

    fn reset(&mut self) {
        for v in self.touched.drain(..) {
            for p in [A, F] {
                self.parent[p][v.index()] = None;
                self.reached[p][v.index()] = false;
            }
        }
    }
}

/// The routes of field bit `f` into `vendor`.
pub fn routes(
    g: &DataGraph,
    vendor: NodeIndex,
    f: usize,
    mode: Mode,
    scratch: &mut Scratch,
) -> Vec<Route> {
    scratch.reset();
    let Scratch {
        parent,
        reached,
        touched,
        on_path,
    } = scratch;
    reached[A][vendor.index()] = true;
    touched.push(vendor);
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
            touched.push(u);
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
    // Origins hold or send the field themselves, and were reached.
    let mut origins: Vec<NodeIndex> = touched
        .iter()
        .copied()
        .filter(|&c| g.graph[c].kind == NodeKind::Component && g.own(c).contains(f))
        .collect();
    origins.dedup();
    origins.sort_by(|a, b| g.graph[*a].id.cmp(&g.graph[*b].id));
    origins.dedup();
    let mut budget = COUNT_BUDGET;
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
        let (count, capped) = count_paths(g, o, vendor, f, reached, on_path, &mut budget);
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
/// grants next to the vendor), within the remaining step budget.
fn count_paths(
    g: &DataGraph,
    origin: NodeIndex,
    vendor: NodeIndex,
    f: usize,
    reached: &[Vec<bool>; 2],
    on_path: &mut [bool],
    budget: &mut u32,
) -> (u64, bool) {
    struct Dfs<'a, 'm> {
        g: &'a DataGraph<'m>,
        vendor: NodeIndex,
        f: usize,
        reached: &'a [Vec<bool>; 2],
        on_path: &'a mut [bool],
        budget: &'a mut u32,
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
            let g = self.g;
            for e in g.graph.edges_directed(n, Direction::Outgoing) {
                if *self.budget == 0 {
                    self.capped = true;
                    break;
                }
                let m = e.target();
                let next_after_access = match g.graph[e.id()] {
                    EdgeKind::Flow(_) if !after_access => false,
                    EdgeKind::Access => true,
                    _ => continue,
                };
                let viable = if next_after_access {
                    self.reached[A][m.index()]
                } else {
                    self.reached[A][m.index()] || self.reached[F][m.index()]
                };
                if !viable || self.on_path[m.index()] || !g.carries(e.id(), self.f) {
                    continue;
                }
                *self.budget -= 1;
                self.go(m, next_after_access);
            }
            // Unwinding clears the marks, so the buffer is clean for reuse.
            self.on_path[n.index()] = false;
        }
    }
    let mut d = Dfs {
        g,
        vendor,
        f,
        reached,
        on_path,
        budget,
        count: 0,
        capped: false,
    };
    d.go(origin, false);
    (d.count, d.capped)
}
