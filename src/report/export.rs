//! `blastmap export`: the whole graph in formats other tools read —
//! CycloneDX 1.6 (SBOM tooling), GraphML (graph editors, NetworkX, Gephi) and
//! Cypher (Neo4j, Memgraph) for organisations whose graph outgrows a report.
//!
//! All three read the same view: the map, the fixed point of the graph (so a
//! flow that lists `all` is exported with the fields it really carries), and,
//! for a merged organisation graph, the repositories of each node and flow.
//! Every renderer sorts what it writes, so the same input gives
//! byte-identical output.

use std::collections::BTreeMap;

use crate::graph::{DataGraph, Mode};
use crate::merge::Repos;
use crate::model::{Field, Flow, FlowFields};

use super::{cyclonedx, cypher, graphml};

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CycloneDX 1.6 JSON: vendors as services with data flows.
    Cyclonedx,
    /// GraphML (XML) of fields, components, vendors and their edges.
    Graphml,
    /// Cypher statements (MERGE) for Neo4j 5.
    Cypher,
    /// The same statements for Memgraph, whose uniqueness constraints are
    /// written `CREATE CONSTRAINT ON (n:L) ASSERT n.id IS UNIQUE`.
    CypherMemgraph,
}

/// What the exporters read.
pub struct View<'g, 'm> {
    /// The graph with its fixed point.
    pub graph: &'g DataGraph<'m>,
    /// Repositories per node and flow (merged maps only).
    pub repos: Option<&'g Repos>,
}

impl<'m> View<'_, 'm> {
    /// The fields flow `i` really carries: listed (or `all`) and available at
    /// its source, in field-id order.
    pub fn carried(&self, flow: &Flow) -> Vec<&'m Field> {
        let g = self.graph;
        let Some(src) = g.node(&flow.from) else {
            return Vec::new();
        };
        let avail = g.available(src);
        match &flow.fields {
            FlowFields::All => avail.ones().map(|b| g.fields[b]).collect(),
            FlowFields::List(list) => {
                let mut bits: Vec<usize> = list
                    .iter()
                    .filter_map(|f| g.field_bit(f))
                    .map(|b| b as usize)
                    .filter(|b| avail.contains(*b))
                    .collect();
                bits.sort_unstable();
                bits.dedup();
                bits.into_iter().map(|b| g.fields[b]).collect()
            }
        }
    }

    /// Number of fields exposed when the vendor is breached (data mode).
    pub fn exposed(&self, vendor: &str) -> usize {
        self.graph
            .node(vendor)
            .map(|n| self.graph.exposure(n, Mode::Data).count_ones(..))
            .unwrap_or(0)
    }

    /// Repositories of a node (`kind` is `field`, `component` or `vendor`).
    pub fn node_repos(&self, kind: &str, id: &str) -> &[String] {
        self.repos.map(|r| r.node(kind, id)).unwrap_or(&[])
    }

    /// Repositories of flow `i`.
    pub fn flow_repos(&self, i: usize) -> &[String] {
        self.repos.map(|r| r.flow(i)).unwrap_or(&[])
    }
}

/// A node's reference in every export: `field:email`, `component:web`,
/// `vendor:mixpanel`. Field ids may equal component or vendor ids, hence
/// the prefix.
pub fn node_ref(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

/// What each component holds, as (field id, implicit): its declared `holds`,
/// and every field a flow from it carries by id (it cannot send what it
/// does not hold), marked implicit. Sorted by field id. One pass over the
/// flows for all components: asking per component would read every flow
/// once per component, quadratic in the map.
pub fn holdings(map: &crate::model::Map) -> BTreeMap<&str, Vec<(&str, bool)>> {
    // One hash probe per listed field rather than a walk down the field
    // tree: at 80,000 fields the tree's string comparisons missed the cache
    // on every level.
    let known: std::collections::HashSet<&str> = map.fields.keys().map(String::as_str).collect();
    let mut held: BTreeMap<&str, BTreeMap<&str, bool>> = map
        .components
        .iter()
        .map(|(id, c)| {
            let own = c.holds.iter().map(|f| (f.as_str(), false)).collect();
            (id.as_str(), own)
        })
        .collect();
    for flow in &map.flows {
        let (Some(out), FlowFields::List(l)) = (held.get_mut(flow.from.as_str()), &flow.fields)
        else {
            continue;
        };
        for f in l.iter().filter(|f| known.contains(f.as_str())) {
            out.entry(f.as_str()).or_insert(true);
        }
    }
    held.into_iter()
        .map(|(c, fields)| (c, fields.into_iter().collect()))
        .collect()
}

/// The declared field list of a flow: `all`, or the ids; none for a flow
/// only the scan found, and without what the scan added to a declared one.
pub fn declared_fields(flow: &Flow) -> Vec<&str> {
    if !flow.origin.has(crate::model::Origin::DECLARED) {
        return Vec::new();
    }
    match &flow.fields {
        FlowFields::All => vec!["all"],
        FlowFields::List(l) => {
            let mut v: Vec<&str> = l
                .iter()
                .filter(|f| !flow.discovered.contains(f))
                .map(String::as_str)
                .collect();
            v.sort();
            v.dedup();
            v
        }
    }
}

/// Renders the graph in one export format.
pub fn render(graph: &DataGraph<'_>, repos: Option<&Repos>, format: ExportFormat) -> String {
    let view = View { graph, repos };
    match format {
        ExportFormat::Cyclonedx => cyclonedx::render(&view),
        ExportFormat::Graphml => graphml::render(&view),
        ExportFormat::Cypher => cypher::render(&view, cypher::Dialect::Neo4j),
        ExportFormat::CypherMemgraph => cypher::render(&view, cypher::Dialect::Memgraph),
    }
}
