//! A layered left-to-right layout for the data-flow diagram, computed here
//! so the SVG needs no layout engine and no script.
//!
//! Columns are the nodes' layers. An edge that spans several columns gets a
//! placeholder slot in each column it crosses (as in Sugiyama layouts), so it
//! runs through a reserved gap instead of over a node; an edge within one
//! column loops out into the gap on its right; an edge that points left is
//! laid out as if it pointed right and drawn reversed. The order within a
//! column comes from barycenter sweeps that keep the order with the fewest
//! crossings seen. Edges are cubic curves whose control points sit between
//! two columns, so a curve never leaves the gap between them: nodes are
//! never covered by edges or by the labels placed at curve midpoints.
//!
//! Everything is deterministic: stable sorts with explicit tie-breaks.

use std::fmt::Write;

/// Sizes, in SVG user units.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    /// Node width.
    pub node_w: f64,
    /// Node height.
    pub node_h: f64,
    /// Horizontal gap between columns (where edges run).
    pub col_gap: f64,
    /// Vertical gap between nodes.
    pub row_gap: f64,
    /// Height of a slot reserved for an edge crossing a column.
    pub slot_h: f64,
    /// Space around everything.
    pub margin: f64,
    /// Space above the columns for their titles.
    pub header: f64,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry {
            node_w: 190.0,
            node_h: 40.0,
            col_gap: 150.0,
            row_gap: 12.0,
            slot_h: 6.0,
            margin: 16.0,
            header: 28.0,
        }
    }
}

/// A placed node: its top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// A routed edge: an SVG path and where its label goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The `d` attribute, from the source to the target.
    pub d: String,
    /// A point on the curve inside a gap between columns.
    pub label: (f64, f64),
    /// The curves a label may sit on (each inside a gap between columns,
    /// the preferred first): [`place_labels`] slides a label along them.
    pub curves: Vec<Cubic>,
}

/// A cubic Bézier curve: start, two control points, end.
pub type Cubic = [(f64, f64); 4];

fn point_on(c: &Cubic, t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let (a, b, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t);
    let e = t * t * t;
    (
        a * c[0].0 + b * c[1].0 + d * c[2].0 + e * c[3].0,
        a * c[0].1 + b * c[1].1 + d * c[2].1 + e * c[3].1,
    )
}

/// Where on its curve each edge label (of size `sizes[i]`, `None` for no
/// label) goes so that no two labels overlap and no label covers a node:
/// in edge order, each label takes the first free spot among points along
/// its curves, the middle first. A label with no free spot is left out
/// (`None`; the edge's tooltip still says what it carries). A grid of
/// buckets keeps it linear in the number of labels.
pub fn place_labels(l: &Layout, sizes: &[Option<(f64, f64)>]) -> Vec<Option<(f64, f64)>> {
    const CELL: f64 = 64.0;
    const GAP: f64 = 1.5;
    const TS: [f64; 15] = [
        0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.46, 0.54, 0.38, 0.62, 0.3, 0.7, 0.2, 0.8,
    ];
    let mut grid: std::collections::HashMap<(i64, i64), Vec<Rect>> =
        std::collections::HashMap::new();
    let cells = |r: &Rect| {
        let (x0, y0) = ((r.x / CELL).floor() as i64, (r.y / CELL).floor() as i64);
        let (x1, y1) = (
            ((r.x + r.w) / CELL).floor() as i64,
            ((r.y + r.h) / CELL).floor() as i64,
        );
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    };
    let add = |grid: &mut std::collections::HashMap<(i64, i64), Vec<Rect>>, r: Rect| {
        for k in cells(&r) {
            grid.entry(k).or_default().push(r);
        }
    };
    for r in &l.nodes {
        add(&mut grid, *r);
    }
    let free = |grid: &std::collections::HashMap<(i64, i64), Vec<Rect>>, r: &Rect| {
        cells(r).all(|k| {
            grid.get(&k).is_none_or(|v| {
                v.iter().all(|o| {
                    r.x + r.w + GAP <= o.x
                        || o.x + o.w + GAP <= r.x
                        || r.y + r.h + GAP <= o.y
                        || o.y + o.h + GAP <= r.y
                })
            })
        })
    };
    let mut out = Vec::with_capacity(sizes.len());
    for (i, size) in sizes.iter().enumerate() {
        let (Some(&(w, h)), Some(route)) = (size.as_ref(), l.edges.get(i)) else {
            out.push(None);
            continue;
        };
        let mut spot = None;
        'search: for c in &route.curves {
            for t in TS {
                let (x, y) = point_on(c, t);
                let r = Rect {
                    x: x - w / 2.0,
                    y: y - h / 2.0,
                    w,
                    h,
                };
                if r.x.is_finite() && r.y.is_finite() && free(&grid, &r) {
                    spot = Some((x, y));
                    add(&mut grid, r);
                    break 'search;
                }
            }
        }
        out.push(spot);
    }
    out
}

/// The result.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Per input node.
    pub nodes: Vec<Rect>,
    /// Per input edge.
    pub edges: Vec<Route>,
    /// Left x of each column.
    pub columns: Vec<f64>,
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
}

/// Where an edge attaches to a side of an item: towards a neighbour in the
/// next column (shared by a bundle), or one end of a loop within a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Port {
    To(usize),
    Loop(usize, usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Seg {
    Line((f64, f64), (f64, f64)),
    Curve((f64, f64), (f64, f64), (f64, f64), (f64, f64)),
}

impl Seg {
    fn reversed(self) -> Seg {
        match self {
            Seg::Line(a, b) => Seg::Line(b, a),
            Seg::Curve(a, c1, c2, b) => Seg::Curve(b, c2, c1, a),
        }
    }
}

/// Items: the real nodes, then one slot per column an edge crosses; per
/// edge its chain of items from its left end to its right one, and whether
/// it runs right to left. Returns (column of each item, chains, reversed).
fn chains(layers: &[u32], edges: &[(usize, usize)]) -> (Vec<usize>, Vec<Vec<usize>>, Vec<bool>) {
    let n = layers.len();
    let mut item_col: Vec<usize> = layers.iter().map(|&l| l as usize).collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    let mut reversed = vec![false; edges.len()];
    let mut slots: std::collections::HashMap<(usize, usize), usize> =
        std::collections::HashMap::new();
    for (i, &(a, b)) in edges.iter().enumerate() {
        if a >= n || b >= n {
            chains.push(Vec::new());
            continue;
        }
        let (la, lb) = (item_col[a], item_col[b]);
        if la == lb {
            chains.push(vec![a, b]);
            continue;
        }
        let (s, t) = if la < lb { (a, b) } else { (b, a) };
        reversed[i] = la > lb;
        let mut chain = vec![s];
        for col in item_col[s] + 1..item_col[t] {
            // Edges from one source share its slot in each column they
            // cross (a bundle), so a dense system does not fill a column
            // with one slot per edge.
            let slot = *slots.entry((s, col)).or_insert_with(|| {
                item_col.push(col);
                item_col.len() - 1
            });
            chain.push(slot);
        }
        chain.push(t);
        chains.push(chain);
    }
    (item_col, chains, reversed)
}

/// The distinct segments between adjacent columns (left item first), and
/// per item the items left and right of it.
#[allow(clippy::type_complexity)]
fn segments(
    chains: &[Vec<usize>],
    item_col: &[usize],
) -> (Vec<(usize, usize)>, Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let items = item_col.len();
    let mut seg_set: std::collections::BTreeSet<(usize, usize)> = std::collections::BTreeSet::new();
    for c in chains {
        if c.len() >= 2 && item_col[c[0]] != item_col[c[c.len() - 1]] {
            for w in c.windows(2) {
                seg_set.insert((w[0], w[1]));
            }
        }
    }
    let segs: Vec<(usize, usize)> = seg_set.into_iter().collect();
    let mut left_of: Vec<Vec<usize>> = vec![Vec::new(); items];
    let mut right_of: Vec<Vec<usize>> = vec![Vec::new(); items];
    for &(u, w) in &segs {
        right_of[u].push(w);
        left_of[w].push(u);
    }

    (segs, left_of, right_of)
}

/// The items of each column in the order with the fewest crossings found
/// by barycenter sweeps.
fn order(
    item_col: &[usize],
    n_cols: usize,
    segs: &[(usize, usize)],
    (left_of, right_of): (&[Vec<usize>], &[Vec<usize>]),
) -> Vec<Vec<usize>> {
    let items = item_col.len();
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); n_cols];
    for (it, &c) in item_col.iter().enumerate() {
        cols[c].push(it);
    }
    let mut pos = vec![0usize; items];
    let set_pos = |cols: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for col in cols {
            for (i, &it) in col.iter().enumerate() {
                pos[it] = i;
            }
        }
    };
    set_pos(&cols, &mut pos);
    // Slots start next to their neighbours rather than at the bottom.
    for c in 1..n_cols {
        reorder(&mut cols[c], left_of, &pos);
        set_pos(&cols, &mut pos);
    }
    let mut best = cols.clone();
    let mut best_x = crossings(&cols, segs, item_col, &pos);
    for _ in 0..SWEEPS {
        if best_x == 0 {
            break;
        }
        for c in 1..n_cols {
            reorder(&mut cols[c], left_of, &pos);
            set_pos(&cols, &mut pos);
        }
        for c in (0..n_cols.saturating_sub(1)).rev() {
            reorder(&mut cols[c], right_of, &pos);
            set_pos(&cols, &mut pos);
        }
        let x = crossings(&cols, segs, item_col, &pos);
        if x < best_x {
            best_x = x;
            best = cols.clone();
        }
    }
    best
}

/// Ports: edges leave a node's right side and enter its left side, spread
/// over its height in the order of the other end, so they do not cross
/// at the node; edges to the same neighbour (a bundle) share a port. A
/// loop within a column uses right-side ports at both ends.
/// Returns each port's y, keyed by (item, side: 0 left 1 right, port).
fn port_ys(
    rects: &[Rect],
    segs: &[(usize, usize)],
    chains: &[Vec<usize>],
    item_col: &[usize],
    n: usize,
) -> std::collections::HashMap<(usize, usize, Port), f64> {
    let items = item_col.len();
    let is_slot = |it: usize| it >= n;
    let centre = |it: usize| rects[it].y + rects[it].h / 2.0;
    let mut ports: Vec<[Vec<(f64, Port)>; 2]> = vec![[Vec::new(), Vec::new()]; items];
    for &(u, w) in segs {
        ports[u][1].push((centre(w), Port::To(w)));
        ports[w][0].push((centre(u), Port::To(u)));
    }
    for (ei, c) in chains.iter().enumerate() {
        if c.len() == 2 && item_col[c[0]] == item_col[c[1]] {
            let (a, b) = (c[0], c[1]);
            ports[a][1].push((centre(b), Port::Loop(ei, 0)));
            ports[b][1].push((centre(a), Port::Loop(ei, 1)));
        }
    }
    let mut port_y: std::collections::HashMap<(usize, usize, Port), f64> =
        std::collections::HashMap::new();
    for (it, sides) in ports.iter_mut().enumerate() {
        for (side_no, side) in sides.iter_mut().enumerate() {
            side.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let m = side.len();
            let r = rects[it];
            for (k, &(_, key)) in side.iter().enumerate() {
                let y = if is_slot(it) || m == 1 {
                    r.y + r.h / 2.0
                } else {
                    // Keep ports off the rounded corners.
                    let top = r.y + r.h * 0.2;
                    top + (r.h * 0.6) * (k as f64 + 0.5) / m as f64
                };
                port_y.insert((it, side_no, key), y);
            }
        }
    }
    port_y
}

/// How many barycenter sweeps (each down then up) to try.
const SWEEPS: usize = 12;

/// Lays out `layers.len()` nodes (node `i` in column `layers[i]`, listed in
/// their preferred order) and `edges` between them.
pub fn layout(layers: &[u32], edges: &[(usize, usize)], geo: &Geometry) -> Layout {
    let n = layers.len();
    let n_cols = layers.iter().copied().max().map_or(0, |m| m as usize + 1);
    let (item_col, chains, reversed) = chains(layers, edges);
    let items = item_col.len();
    let (segs, left_of, right_of) = segments(&chains, &item_col);
    let cols = order(&item_col, n_cols, &segs, (&left_of, &right_of));

    // Coordinates: columns centred vertically on the tallest one.
    let is_slot = |it: usize| it >= n;
    let col_h = |col: &Vec<usize>| -> f64 {
        let mut h = 0.0;
        for (i, &it) in col.iter().enumerate() {
            if i > 0 {
                h += if is_slot(it) && is_slot(col[i - 1]) {
                    2.0
                } else {
                    geo.row_gap
                };
            }
            h += if is_slot(it) { geo.slot_h } else { geo.node_h };
        }
        h
    };
    let tallest = cols.iter().map(col_h).fold(0.0, f64::max);
    let columns: Vec<f64> = (0..n_cols)
        .map(|c| geo.margin + c as f64 * (geo.node_w + geo.col_gap))
        .collect();
    let mut rects = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: geo.node_w,
            h: geo.node_h
        };
        items
    ];
    for (c, col) in cols.iter().enumerate() {
        let mut y = geo.margin + geo.header + (tallest - col_h(col)) / 2.0;
        for (i, &it) in col.iter().enumerate() {
            if i > 0 {
                y += if is_slot(it) && is_slot(col[i - 1]) {
                    2.0
                } else {
                    geo.row_gap
                };
            }
            let h = if is_slot(it) { geo.slot_h } else { geo.node_h };
            rects[it] = Rect {
                x: columns[c],
                y,
                w: geo.node_w,
                h,
            };
            y += h;
        }
    }

    let port_y = port_ys(&rects, &segs, &chains, &item_col, n);
    let centre = |it: usize| rects[it].y + rects[it].h / 2.0;

    let mut routes = Vec::with_capacity(edges.len());
    for (ei, c) in chains.iter().enumerate() {
        if c.len() < 2 {
            routes.push(Route {
                d: String::new(),
                label: (0.0, 0.0),
                curves: Vec::new(),
            });
            continue;
        }
        let py = |it: usize, side: usize, key: Port| {
            port_y.get(&(it, side, key)).copied().unwrap_or(centre(it))
        };
        let mut out: Vec<Seg> = Vec::new();
        let mut curves: Vec<Cubic> = Vec::new();
        let label = if item_col[c[0]] == item_col[c[c.len() - 1]] {
            let (a, b) = (c[0], c[1]);
            let p = (rects[a].x + rects[a].w, py(a, 1, Port::Loop(ei, 0)));
            let q = (rects[b].x + rects[b].w, py(b, 1, Port::Loop(ei, 1)));
            let dy = (q.1 - p.1).abs();
            let dx = (18.0 + dy * 0.15).min(geo.col_gap * 0.4);
            out.push(Seg::Curve(p, (p.0 + dx, p.1), (q.0 + dx, q.1), q));
            curves.push([p, (p.0 + dx, p.1), (q.0 + dx, q.1), q]);
            (p.0 + dx * 0.75, (p.1 + q.1) / 2.0)
        } else {
            let mut mids = Vec::new();
            for w in c.windows(2) {
                let (u, v) = (w[0], w[1]);
                let p = (rects[u].x + rects[u].w, py(u, 1, Port::To(v)));
                let q = (rects[v].x, py(v, 0, Port::To(u)));
                let mx = (p.0 + q.0) / 2.0;
                out.push(Seg::Curve(p, (mx, p.1), (mx, q.1), q));
                curves.push([p, (mx, p.1), (mx, q.1), q]);
                mids.push((mx, (p.1 + q.1) / 2.0));
                if is_slot(v) {
                    let y = q.1;
                    out.push(Seg::Line(q, (rects[v].x + rects[v].w, y)));
                }
            }
            // The middle gap of a long edge is the least crowded.
            let m = mids.len() / 2;
            curves.swap(0, m);
            mids[m]
        };
        if reversed[ei] {
            out = out.into_iter().rev().map(Seg::reversed).collect();
        }
        routes.push(Route {
            d: path_d(&out),
            label,
            curves,
        });
    }

    let width = if n_cols == 0 {
        2.0 * geo.margin
    } else {
        columns[n_cols - 1] + geo.node_w + geo.col_gap * 0.45 + geo.margin
    };
    let height = tallest + 2.0 * geo.margin + geo.header;
    rects.truncate(n);
    Layout {
        nodes: rects,
        edges: routes,
        columns,
        width,
        height,
    }
}

/// Sorts a column by the mean position of each item's neighbours in the
/// adjacent column; items without neighbours keep their place.
fn reorder(col: &mut [usize], nbrs: &[Vec<usize>], pos: &[usize]) {
    let mut keyed: Vec<(f64, usize, usize)> = col
        .iter()
        .map(|&it| {
            let ns = &nbrs[it];
            let bary = if ns.is_empty() {
                pos[it] as f64
            } else {
                ns.iter().map(|&x| pos[x] as f64).sum::<f64>() / ns.len() as f64
            };
            (bary, pos[it], it)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (slot, (_, _, it)) in col.iter_mut().zip(keyed) {
        *slot = it;
    }
}

/// Edge crossings between adjacent columns (inversions, counted with a
/// Fenwick tree: O(E log V)).
fn crossings(
    cols: &[Vec<usize>],
    segs: &[(usize, usize)],
    item_col: &[usize],
    pos: &[usize],
) -> u64 {
    let mut per_col: Vec<Vec<(usize, usize)>> = vec![Vec::new(); cols.len()];
    for &(u, w) in segs {
        per_col[item_col[u]].push((pos[u], pos[w]));
    }
    let mut total = 0u64;
    for (c, list) in per_col.iter_mut().enumerate() {
        if list.len() < 2 || c + 1 >= cols.len() {
            continue;
        }
        list.sort_unstable();
        let size = cols[c + 1].len() + 1;
        let mut tree = vec![0u64; size + 1];
        for (seen, &(_, w)) in list.iter().enumerate() {
            // Count earlier segments ending strictly below w.
            let mut i = w + 1;
            let mut le = 0u64;
            while i > 0 {
                le += tree[i];
                i -= i & i.wrapping_neg();
            }
            total += seen as u64 - le;
            let mut i = w + 1;
            while i <= size {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}

fn path_d(segs: &[Seg]) -> String {
    let mut d = String::new();
    let mut at: Option<(f64, f64)> = None;
    for s in segs {
        let start = match s {
            Seg::Line(a, _) | Seg::Curve(a, _, _, _) => *a,
        };
        if at != Some(start) {
            let _ = write!(d, "M{:.1},{:.1}", start.0, start.1);
        }
        match s {
            Seg::Line(_, b) => {
                let _ = write!(d, " L{:.1},{:.1}", b.0, b.1);
                at = Some(*b);
            }
            Seg::Curve(_, c1, c2, b) => {
                let _ = write!(
                    d,
                    " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                    c1.0, c1.1, c2.0, c2.1, b.0, b.1
                );
                at = Some(*b);
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(r: &Rect, x: f64, y: f64) -> bool {
        x > r.x + 0.5 && x < r.x + r.w - 0.5 && y > r.y + 0.5 && y < r.y + r.h - 0.5
    }

    /// Samples every curve and line of a path.
    fn samples(d: &str) -> Vec<(f64, f64)> {
        let nums: Vec<f64> = d
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        let cmds: Vec<char> = d.chars().filter(|c| c.is_ascii_alphabetic()).collect();
        let mut out = Vec::new();
        let mut i = 0;
        let mut cur = (0.0, 0.0);
        for c in cmds {
            match c {
                'M' => {
                    cur = (nums[i], nums[i + 1]);
                    i += 2;
                }
                'L' => {
                    let b = (nums[i], nums[i + 1]);
                    for k in 0..=20 {
                        let t = k as f64 / 20.0;
                        out.push((cur.0 + (b.0 - cur.0) * t, cur.1 + (b.1 - cur.1) * t));
                    }
                    cur = b;
                    i += 2;
                }
                'C' => {
                    let (c1, c2, b) = (
                        (nums[i], nums[i + 1]),
                        (nums[i + 2], nums[i + 3]),
                        (nums[i + 4], nums[i + 5]),
                    );
                    for k in 0..=40 {
                        let t = k as f64 / 40.0;
                        let u = 1.0 - t;
                        let x = u * u * u * cur.0
                            + 3.0 * u * u * t * c1.0
                            + 3.0 * u * t * t * c2.0
                            + t * t * t * b.0;
                        let y = u * u * u * cur.1
                            + 3.0 * u * u * t * c1.1
                            + 3.0 * u * t * t * c2.1
                            + t * t * t * b.1;
                        out.push((x, y));
                    }
                    cur = b;
                    i += 6;
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn edges_never_pass_through_nodes_even_when_they_skip_columns_or_point_back() {
        // 0,1,2 fields; 3,4 components (4 one column further); 5,6,7 vendors.
        let layers = [0, 0, 0, 1, 2, 3, 3, 3];
        let edges = [
            (0, 3),
            (1, 4), // skips column 1
            (2, 3),
            (3, 4),
            (3, 5), // skips column 2
            (4, 6),
            (7, 3), // points back over a column
            (5, 6), // within a column
            (0, 4),
        ];
        let l = layout(&layers, &edges, &Geometry::default());
        for (ei, r) in l.edges.iter().enumerate() {
            assert!(!r.d.is_empty(), "edge {ei} has a path");
            let (a, b) = edges[ei];
            for (x, y) in samples(&r.d) {
                for (ni, n) in l.nodes.iter().enumerate() {
                    if ni == a || ni == b {
                        continue;
                    }
                    assert!(!inside(n, x, y), "edge {ei} crosses node {ni} at {x},{y}");
                }
            }
            for (ni, n) in l.nodes.iter().enumerate() {
                assert!(
                    !inside(n, r.label.0, r.label.1),
                    "label of edge {ei} sits on node {ni}"
                );
            }
        }
        // Nodes do not overlap each other.
        for (i, a) in l.nodes.iter().enumerate() {
            for b in &l.nodes[i + 1..] {
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn a_reversed_edge_is_drawn_from_its_source() {
        let l = layout(&[0, 1], &[(1, 0)], &Geometry::default());
        let d = &l.edges[0].d;
        let first = samples(d)[0];
        // Starts at the left side of node 1 (the source), not at node 0.
        assert!((first.0 - l.nodes[1].x).abs() < 0.2, "{d}");
    }

    #[test]
    fn barycenter_ordering_untangles_a_crossed_pair() {
        // a→y, b→x with x listed before y: one crossing unless reordered.
        let l = layout(&[0, 0, 1, 1], &[(0, 3), (1, 2)], &Geometry::default());
        let (a, b, x, y) = (l.nodes[0], l.nodes[1], l.nodes[2], l.nodes[3]);
        assert_eq!(a.y < b.y, y.y < x.y, "edges cross: {:?}", l.nodes);
    }

    #[test]
    fn edges_from_one_source_share_one_slot_per_column_they_cross() {
        // Column 1 is the tallest: twelve nodes. Node 0 sends to three
        // nodes in column 2, crossing column 1.
        let mut layers = vec![0];
        layers.extend([1; 12]);
        layers.extend([2; 3]);
        let one = layout(&layers, &[(0, 13)], &Geometry::default());
        let three = layout(&layers, &[(0, 13), (0, 14), (0, 15)], &Geometry::default());
        assert_eq!(one.height, three.height, "one slot, not three");
        // Two sources: two slots.
        let mut layers2 = layers.clone();
        layers2.push(0);
        let two = layout(&layers2, &[(0, 13), (16, 14)], &Geometry::default());
        assert!(two.height > one.height);
    }

    #[test]
    fn labels_never_overlap_each_other_or_a_node() {
        // Thirty sources fan into one target, and loops within a column:
        // every label at its curve's middle would pile up at the target.
        let mut layers = vec![0; 30];
        layers.extend([1, 1, 1]);
        let mut edges: Vec<(usize, usize)> = (0..30).map(|i| (i, 30)).collect();
        edges.extend([(31, 32), (32, 31), (31, 30), (0, 1), (1, 2)]);
        let l = layout(&layers, &edges, &Geometry::default());
        let sizes: Vec<Option<(f64, f64)>> = edges
            .iter()
            .enumerate()
            .map(|(i, _)| Some((16.0 + (i % 3) as f64 * 6.0, 14.0)))
            .collect();
        let spots = place_labels(&l, &sizes);
        let mut placed: Vec<Rect> = Vec::new();
        for (i, s) in spots.iter().enumerate() {
            let Some((x, y)) = *s else { continue };
            let (w, h) = sizes[i].unwrap();
            let r = Rect {
                x: x - w / 2.0,
                y: y - h / 2.0,
                w,
                h,
            };
            for o in placed.iter().chain(&l.nodes) {
                let apart =
                    r.x + r.w <= o.x || o.x + o.w <= r.x || r.y + r.h <= o.y || o.y + o.h <= r.y;
                assert!(apart, "label {i} {r:?} overlaps {o:?}");
            }
            placed.push(r);
        }
        // Most labels find a place; the middle spot would have fitted one.
        assert!(
            placed.len() >= 25,
            "{} of {} placed",
            placed.len(),
            edges.len()
        );
    }

    #[test]
    fn empty_and_out_of_range_input_do_not_panic() {
        let l = layout(&[], &[], &Geometry::default());
        assert!(l.nodes.is_empty());
        let l = layout(&[0], &[(0, 5), (0, 0)], &Geometry::default());
        assert_eq!(l.edges.len(), 2);
        assert!(l.edges[0].d.is_empty());
    }
}
