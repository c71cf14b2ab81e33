//! Cypher statements (Neo4j 5, or Memgraph with [`Dialect::Memgraph`]) that
//! load the graph idempotently:
//! uniqueness constraints, then `MERGE` for every node and relationship, so
//! running the script twice gives the same database.
//!
//! Labels: `Field`, `Component`, `Vendor`. Relationships:
//! `(Component)-[:HOLDS]->(Field)`, `(from)-[:FLOWS_TO]->(to)` (one per pair
//! of systems, carrying the union of their flows' fields), and
//! `(Vendor)-[:HAS_ACCESS_TO]->(system)`. Every string from the input is a
//! single-quoted literal with `\`, `'` and control characters escaped; no
//! input is ever written outside a literal.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::export::{View, declared_fields, holdings};

/// The flows between one pair of systems, merged; borrowed from the map
/// (copying every field id of every flow was most of the allocations).
#[derive(Default)]
struct Pair<'m> {
    fields: BTreeSet<&'m str>,
    declared: BTreeSet<&'m str>,
    purposes: BTreeSet<&'m str>,
    origins: BTreeSet<&'static str>,
    evidence: BTreeSet<String>,
    repos: BTreeSet<&'m str>,
}

/// Renders the Cypher script.
/// Where the statements run: the two differ only in how a uniqueness
/// constraint is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `CREATE CONSTRAINT name IF NOT EXISTS FOR (n:L) REQUIRE n.id IS UNIQUE`.
    Neo4j,
    /// `CREATE CONSTRAINT ON (n:L) ASSERT n.id IS UNIQUE` (idempotent there).
    Memgraph,
}

/// The script for `dialect`.
pub fn render(view: &View<'_, '_>, dialect: Dialect) -> String {
    let map = view.graph.map;
    // Room for the whole script up front: growing a string of hundreds of
    // megabytes by doubling copies it and touches fresh pages each time
    // (a quarter of the time at 20,000 vendors). Reserving more than is
    // written costs address space only: untouched pages are never mapped.
    let items = map.fields.len()
        + map.components.len()
        + map.vendors.len()
        + map
            .components
            .values()
            .map(|c| c.holds.len())
            .sum::<usize>()
        + map
            .flows
            .iter()
            .map(|f| match &f.fields {
                crate::model::FlowFields::List(l) => 1 + l.len(),
                crate::model::FlowFields::All => 16,
            })
            .sum::<usize>();
    let mut out = String::with_capacity(4096 + 256 * items);
    out.push_str(match dialect {
        Dialect::Neo4j => "// blastmap export --format cypher\n",
        Dialect::Memgraph => "// blastmap export --format cypher-memgraph\n",
    });
    for label in ["Field", "Component", "Vendor"] {
        let _ = match dialect {
            Dialect::Neo4j => writeln!(
                out,
                "CREATE CONSTRAINT blastmap_{} IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE;",
                label.to_ascii_lowercase()
            ),
            Dialect::Memgraph => writeln!(
                out,
                "CREATE CONSTRAINT ON (n:{label}) ASSERT n.id IS UNIQUE;"
            ),
        };
    }
    let system = lit(&map.system);
    for f in map.fields.values() {
        let _ = write!(
            out,
            "MERGE (n:Field {{id: {}}}) SET n.system = {system}, n.category = {}, n.sensitivity = {}",
            lit(&f.id),
            lit(&f.category),
            lit(f.sensitivity.as_str())
        );
        if let Some(s) = &f.subject {
            let _ = write!(out, ", n.subject = {}", lit(s));
        }
        set_repos(&mut out, view.node_repos("field", &f.id));
        out.push_str(";\n");
    }
    for c in map.components.values() {
        let _ = write!(
            out,
            "MERGE (n:Component {{id: {}}}) SET n.system = {system}, n.name = {}, n.kind = {}, n.origin = {}",
            lit(&c.id),
            lit(c.name.as_deref().unwrap_or(&c.id)),
            lit(c.kind.as_str()),
            lit(c.origin.as_str())
        );
        set_repos(&mut out, view.node_repos("component", &c.id));
        out.push_str(";\n");
    }
    for v in map.vendors.values() {
        let _ = write!(
            out,
            "MERGE (n:Vendor {{id: {}}}) SET n.name = {}, n.category = {}, n.exposed_fields = {}, n.origin = {}",
            lit(&v.id),
            lit(&v.name),
            lit(v.category.as_str()),
            view.exposed(&v.id),
            lit(v.origin.as_str())
        );
        set_repos(&mut out, view.node_repos("vendor", &v.id));
        out.push_str(";\n");
    }
    let label_of = |id: &str| {
        if map.components.contains_key(id) {
            "Component"
        } else {
            "Vendor"
        }
    };
    let held = holdings(map);
    for c in map.components.values() {
        // Declared holdings, and those its flows imply (`implicit: true`).
        for &(f, implicit) in held.get(c.id.as_str()).into_iter().flatten() {
            let _ = writeln!(
                out,
                "MATCH (a:Component {{id: {}}}), (b:Field {{id: {}}}) MERGE (a)-[r:HOLDS]->(b) SET r.implicit = {implicit};",
                lit(&c.id),
                lit(f)
            );
        }
    }
    let mut pairs: BTreeMap<(&str, &str), Pair> = BTreeMap::new();
    for (i, flow) in map.flows.iter().enumerate() {
        let p = pairs.entry((&flow.from, &flow.to)).or_default();
        p.fields
            .extend(view.carried(flow).iter().map(|f| f.id.as_str()));
        p.declared.extend(declared_fields(flow));
        p.purposes.extend(flow.purpose.as_deref());
        p.origins.insert(flow.origin.as_str());
        p.evidence
            .extend(flow.evidence.iter().map(|e| e.location()));
        p.repos
            .extend(view.flow_repos(i).iter().map(String::as_str));
    }
    for ((from, to), p) in &pairs {
        let _ = write!(
            out,
            "MATCH (a:{} {{id: {}}}), (b:{} {{id: {}}}) MERGE (a)-[r:FLOWS_TO]->(b) SET r.fields = {}, r.declared_fields = {}, r.purposes = {}, r.origin = {}, r.evidence = {}",
            label_of(from),
            lit(from),
            label_of(to),
            lit(to),
            list(&p.fields),
            list(&p.declared),
            list(&p.purposes),
            lit(&origin(&p.origins)),
            list(&p.evidence),
        );
        if !p.repos.is_empty() {
            let _ = write!(out, ", r.repos = {}", list(&p.repos));
        }
        out.push_str(";\n");
    }
    for v in map.vendors.values() {
        let access: BTreeSet<&String> = v.access.iter().collect();
        for a in access {
            let _ = writeln!(
                out,
                "MATCH (a:Vendor {{id: {}}}), (b:{} {{id: {}}}) MERGE (a)-[:HAS_ACCESS_TO]->(b);",
                lit(&v.id),
                label_of(a),
                lit(a)
            );
        }
    }
    out
}

/// Several flows between one pair: `both` when their origins differ.
fn origin(origins: &BTreeSet<&'static str>) -> String {
    match origins.len() {
        1 => origins
            .iter()
            .next()
            .copied()
            .unwrap_or("declared")
            .to_string(),
        _ => "both".to_string(),
    }
}

fn set_repos(out: &mut String, repos: &[String]) {
    if !repos.is_empty() {
        let _ = write!(out, ", n.repos = {}", list(repos));
    }
}

fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let parts: Vec<String> = items.into_iter().map(|s| lit(s.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

pub use super::escape::cypher_string as lit;

#[cfg(test)]
mod tests {
    use super::lit;

    #[test]
    fn literals_escape_quotes_backslashes_and_controls() {
        assert_eq!(lit("a'b"), "'a\\'b'");
        assert_eq!(lit("a\\'); DROP"), "'a\\\\\\'); DROP'");
        assert_eq!(lit("l1\nl2\u{7}"), "'l1\\nl2\\u0007'");
    }
}
