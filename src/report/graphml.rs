//! GraphML: fields, components and vendors as nodes; `holds`, flows and
//! access grants as edges, every attribute declared as a `<key>`.
//!
//! Edges follow the data: `holds` goes field → component, a flow goes
//! from → to, and an access grant goes from the system whose data is
//! readable to the vendor that holds the credentials. Strings are XML-escaped;
//! characters XML 1.0 cannot carry at all (most C0 controls) become U+FFFD.

use std::fmt::Write as _;

use super::export::{View, declared_fields, holdings, node_ref};

/// (id, for, attr.name, attr.type)
const KEYS: &[(&str, &str, &str, &str)] = &[
    ("kind", "node", "kind", "string"),
    ("name", "node", "name", "string"),
    ("category", "node", "category", "string"),
    ("sensitivity", "node", "sensitivity", "string"),
    ("subject", "node", "subject", "string"),
    ("exposed", "node", "exposed_fields", "int"),
    ("origin", "all", "origin", "string"),
    ("repos", "all", "repos", "string"),
    ("edge_kind", "edge", "kind", "string"),
    ("fields", "edge", "fields", "string"),
    ("declared", "edge", "declared_fields", "string"),
    ("purpose", "edge", "purpose", "string"),
    ("evidence", "edge", "evidence", "string"),
    ("implicit", "edge", "implicit", "boolean"),
];

/// Renders the GraphML document.
pub fn render(view: &View<'_, '_>) -> String {
    let map = view.graph.map;
    let mut out = String::with_capacity(256 + 200 * (map.fields.len() + map.flows.len()));
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
    for (id, target, name, ty) in KEYS {
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"{target}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    let _ = writeln!(
        out,
        "  <graph id=\"{}\" edgedefault=\"directed\">",
        escape(&map.system)
    );
    for f in map.fields.values() {
        node_open(&mut out, &node_ref("field", &f.id));
        data(&mut out, "kind", "field");
        data(&mut out, "name", &f.id);
        data(&mut out, "category", &f.category);
        data(&mut out, "sensitivity", f.sensitivity.as_str());
        if let Some(s) = &f.subject {
            data(&mut out, "subject", s);
        }
        repos(&mut out, view.node_repos("field", &f.id));
        out.push_str("    </node>\n");
    }
    for c in map.components.values() {
        node_open(&mut out, &node_ref("component", &c.id));
        data(&mut out, "kind", "component");
        data(&mut out, "name", c.name.as_deref().unwrap_or(&c.id));
        data(&mut out, "category", c.kind.as_str());
        data(&mut out, "origin", c.origin.as_str());
        repos(&mut out, view.node_repos("component", &c.id));
        out.push_str("    </node>\n");
    }
    for v in map.vendors.values() {
        node_open(&mut out, &node_ref("vendor", &v.id));
        data(&mut out, "kind", "vendor");
        data(&mut out, "name", &v.name);
        data(&mut out, "category", v.category.as_str());
        data(&mut out, "exposed", &view.exposed(&v.id).to_string());
        data(&mut out, "origin", v.origin.as_str());
        repos(&mut out, view.node_repos("vendor", &v.id));
        out.push_str("    </node>\n");
    }
    let kind_of = |id: &str| {
        if map.components.contains_key(id) {
            "component"
        } else {
            "vendor"
        }
    };
    let mut n = 0usize;
    let held = holdings(map);
    for c in map.components.values() {
        // Declared holdings, and those its flows imply (`implicit`).
        for &(f, implicit) in held.get(c.id.as_str()).into_iter().flatten() {
            edge_open(
                &mut out,
                n,
                &node_ref("field", f),
                &node_ref("component", &c.id),
            );
            data(&mut out, "edge_kind", "holds");
            if implicit {
                data(&mut out, "implicit", "true");
            }
            out.push_str("    </edge>\n");
            n += 1;
        }
    }
    for (i, flow) in map.flows.iter().enumerate() {
        edge_open(
            &mut out,
            n,
            &node_ref(kind_of(&flow.from), &flow.from),
            &node_ref(kind_of(&flow.to), &flow.to),
        );
        n += 1;
        data(&mut out, "edge_kind", "flow");
        let carried: Vec<&str> = view.carried(flow).iter().map(|f| f.id.as_str()).collect();
        data(&mut out, "fields", &carried.join(" "));
        data(&mut out, "declared", &declared_fields(flow).join(" "));
        if let Some(p) = &flow.purpose {
            data(&mut out, "purpose", p);
        }
        data(&mut out, "origin", flow.origin.as_str());
        let mut ev: Vec<String> = flow.evidence.iter().map(|e| e.location()).collect();
        ev.sort();
        ev.dedup();
        if !ev.is_empty() {
            data(&mut out, "evidence", &ev.join("; "));
        }
        repos(&mut out, view.flow_repos(i));
        out.push_str("    </edge>\n");
    }
    for v in map.vendors.values() {
        let mut access = v.access.clone();
        access.sort();
        access.dedup();
        for a in access {
            edge_open(
                &mut out,
                n,
                &node_ref(kind_of(&a), &a),
                &node_ref("vendor", &v.id),
            );
            n += 1;
            data(&mut out, "edge_kind", "access");
            out.push_str("    </edge>\n");
        }
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

fn node_open(out: &mut String, id: &str) {
    let _ = writeln!(out, "    <node id=\"{}\">", escape(id));
}

fn edge_open(out: &mut String, n: usize, source: &str, target: &str) {
    let _ = writeln!(
        out,
        "    <edge id=\"e{n}\" source=\"{}\" target=\"{}\">",
        escape(source),
        escape(target)
    );
}

fn data(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "      <data key=\"{key}\">{}</data>", escape(value));
}

fn repos(out: &mut String, repos: &[String]) {
    if !repos.is_empty() {
        data(out, "repos", &repos.join(" "));
    }
}

pub use super::escape::xml as escape;

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_carry() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{0}y\u{1b}z"), "x\u{FFFD}y\u{FFFD}z");
        assert_eq!(escape("l1\nl2"), "l1&#10;l2");
    }
}
