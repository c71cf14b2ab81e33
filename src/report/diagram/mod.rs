//! Everything about drawing the system: the diagram model and its plan
//! ([`plan`]: node ids namespaced by kind, one edge per (from, to, kind),
//! grouping and collapsing past fixed sizes, columns), its layout
//! ([`layout`]) and the formats that draw it ([`svg`], [`mermaid`],
//! [`dot`]). The graph layer only gives the radius sets
//! (`DataGraph::radius_sets`, `reach_sets`) the plan maps onto nodes and
//! edges.

pub mod dot;
pub mod layout;
pub mod mermaid;
mod plan;
pub mod svg;

pub use plan::*;
