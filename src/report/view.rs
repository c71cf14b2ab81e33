//! Views derived from a report that several renderers share: exposed
//! fields grouped by category, and distinct paths with the fields they
//! carry. Pure regrouping: nothing is added or dropped.

use crate::catalog::taxonomy::group_key;
use crate::graph::blast::{BlastReport, ExposedField, HopReport};
use crate::model::Sensitivity;

/// Exposed fields under one taxonomy category group.
pub struct Group<'a> {
    /// The first two segments of the category key (`user.contact`).
    pub key: String,
    /// The taxonomy's name for it.
    pub name: String,
    /// The highest sensitivity in the group.
    pub sensitivity: Sensitivity,
    /// In the report's order.
    pub fields: Vec<&'a ExposedField>,
}

/// One distinct path, with every field that travels it.
pub struct PathView<'a> {
    /// Node ids, origin first.
    pub nodes: &'a [String],
    /// Per hop, with evidence.
    pub hops: &'a [HopReport],
    /// The fields that take it.
    pub fields: Vec<&'a str>,
    /// Most other paths any of them has from the same origin.
    pub more_paths: u64,
    /// True when that count is a lower bound.
    pub lower_bound: bool,
}

/// Exposed fields by category group, most sensitive group first.
pub fn groups(r: &BlastReport) -> Vec<Group<'_>> {
    let tax = crate::catalog::taxonomy::Taxonomy::builtin();
    let mut out: Vec<Group> = Vec::new();
    for e in &r.exposed {
        let key = group_key(&e.category);
        match out.iter_mut().find(|g| g.key == key) {
            Some(g) => {
                g.sensitivity = g.sensitivity.max(e.sensitivity);
                g.fields.push(e);
            }
            None => out.push(Group {
                key: key.to_string(),
                name: tax
                    .get(key)
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| key.to_string()),
                sensitivity: e.sensitivity,
                fields: vec![e],
            }),
        }
    }
    // Stable: the report's (sensitivity, category, field) order is kept
    // among equals.
    out.sort_by_key(|g| std::cmp::Reverse(g.sensitivity));
    out
}

/// Distinct paths (same nodes and hops), in the order first met.
pub fn paths(r: &BlastReport) -> Vec<PathView<'_>> {
    let mut out: Vec<PathView> = Vec::new();
    for e in &r.exposed {
        for route in &e.routes {
            match out
                .iter_mut()
                .find(|p| p.nodes == route.nodes.as_slice() && p.hops == route.hops.as_slice())
            {
                Some(p) => {
                    p.fields.push(&e.field);
                    p.more_paths = p.more_paths.max(route.more_paths);
                    p.lower_bound |= route.more_paths_is_lower_bound;
                }
                None => out.push(PathView {
                    nodes: &route.nodes,
                    hops: &route.hops,
                    fields: vec![&e.field],
                    more_paths: route.more_paths,
                    lower_bound: route.more_paths_is_lower_bound,
                }),
            }
        }
    }
    out
}
