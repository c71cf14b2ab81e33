//! Every report format, snapshot-tested over the shared fixtures (the shop
//! map built in `common` and the seed example), and the JSON outputs parsed
//! back. Review changes with `cargo insta review`.

use crate::common;

use blastmap::graph::diagram::{DiagramNodeKind, GROUP_FIELDS_OVER};
use blastmap::graph::{DataGraph, Mode};
use blastmap::model::declaration::load_str;
use blastmap::report::{self, DiagramFormat, Format};
use common::{SEED, cli, shop};
use serde_json::Value;

fn shop_blast(vendor: &str, format: Format) -> String {
    let map = shop();
    let g = DataGraph::build(&map);
    let r = g.blast(vendor, Mode::Data).unwrap();
    match format {
        Format::Html => {
            let d = g.diagram(Some(vendor), Mode::Data).unwrap();
            report::html::blast(&r, Some(&d))
        }
        f => report::blast(&r, f),
    }
}

fn shop_graph(vendor: Option<&str>, format: DiagramFormat) -> String {
    let map = shop();
    let g = DataGraph::build(&map);
    let d = g.diagram(vendor, Mode::Data).unwrap();
    report::diagram(&d, &g.radii(Mode::Data, None), format)
}

fn seed_cli(args: &[&str]) -> String {
    let mut a = args.to_vec();
    a.extend_from_slice(&["--map", SEED]);
    let (code, out, err) = cli(&a);
    assert_eq!(code, 0, "{args:?}: {err}");
    assert!(err.is_empty(), "{err}");
    out
}

// ---- blast -----------------------------------------------------------------

#[test]
fn blast_text() {
    insta::assert_snapshot!("shop_blast_pixel_text", shop_blast("pixel", Format::Text));
    insta::assert_snapshot!("seed_blast_mixpanel_text", seed_cli(&["blast", "mixpanel"]));
}

#[test]
fn blast_markdown() {
    insta::assert_snapshot!(
        "shop_blast_pixel_markdown",
        shop_blast("pixel", Format::Markdown)
    );
    insta::assert_snapshot!(
        "shop_blast_deskly_markdown",
        shop_blast("deskly", Format::Markdown)
    );
    insta::assert_snapshot!(
        "seed_blast_mixpanel_markdown",
        seed_cli(&["blast", "mixpanel", "-f", "markdown"])
    );
}

#[test]
fn blast_html() {
    insta::assert_snapshot!("shop_blast_pixel_html", shop_blast("pixel", Format::Html));
    insta::assert_snapshot!(
        "seed_blast_mixpanel_html",
        seed_cli(&["blast", "mixpanel", "-f", "html"])
    );
}

#[test]
fn blast_json() {
    let shop_json = shop_blast("pixel", Format::Json);
    insta::assert_snapshot!("shop_blast_pixel_json", shop_json);
    let seed_json = seed_cli(&["blast", "mixpanel", "-f", "json"]);
    insta::assert_snapshot!("seed_blast_mixpanel_json", seed_json);

    // Parsed back: the ARCHITECTURE.md contract.
    let v: Value = serde_json::from_str(&shop_json).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["vendor"], "pixel");
    assert_eq!(v["mode"], "data");
    let exposed: Vec<&str> = v["exposed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    // Pixel gets everything Relay received, and nothing from orders or auth.
    assert_eq!(exposed.len(), 3, "{exposed:?}");
    for f in ["email", "full_name", "ip"] {
        assert!(exposed.contains(&f), "{f} in {exposed:?}");
    }
    let path = &v["exposed"][0]["paths"][0];
    assert_eq!(path, &serde_json::json!(["storefront", "relay", "pixel"]));
    let not: Vec<&str> = v["not_exposed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(not.contains(&"password_hash") && not.contains(&"street"));
    assert_eq!(v["affected"][0]["subject"], "customer");
    assert_eq!(v["affected"][0]["count"], 48000);

    let v: Value = serde_json::from_str(&seed_json).unwrap();
    assert_eq!(v["severity"], "high");
    assert_eq!(v["exposed"].as_array().unwrap().len(), 8);
    let actions: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"remove-integration"));
    assert!(!actions.contains(&"rotate-credentials"), "{actions:?}");
}

// ---- rank ------------------------------------------------------------------

fn shop_rank(format: Format) -> String {
    let map = shop();
    let g = DataGraph::build(&map);
    report::rank(&g.rank(Mode::Data), format)
}

#[test]
fn rank_text_markdown_json() {
    insta::assert_snapshot!("shop_rank_text", shop_rank(Format::Text));
    insta::assert_snapshot!("shop_rank_markdown", shop_rank(Format::Markdown));
    let shop_json = shop_rank(Format::Json);
    insta::assert_snapshot!("shop_rank_json", shop_json);
    insta::assert_snapshot!("seed_rank_text", seed_cli(&["rank"]));
    insta::assert_snapshot!("seed_rank_markdown", seed_cli(&["rank", "-f", "markdown"]));
    let seed_json = seed_cli(&["rank", "-f", "json"]);
    insta::assert_snapshot!("seed_rank_json", seed_json);

    for text in [&shop_json, &seed_json] {
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["version"], 1);
        let scores: Vec<u64> = v["vendors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["score"].as_u64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }
    let v: Value = serde_json::from_str(&seed_json).unwrap();
    assert_eq!(v["vendors"][0]["vendor"], "stripe");
}

// ---- graph -----------------------------------------------------------------

#[test]
fn graph_mermaid() {
    insta::assert_snapshot!(
        "shop_graph_pixel_mermaid",
        shop_graph(Some("pixel"), DiagramFormat::Mermaid)
    );
    insta::assert_snapshot!(
        "seed_graph_mermaid",
        seed_cli(&["graph", "-f", "mermaid", "--vendor", "mixpanel"])
    );
}

#[test]
fn graph_dot() {
    let shop_dot = shop_graph(Some("pixel"), DiagramFormat::Dot);
    insta::assert_snapshot!("shop_graph_pixel_dot", shop_dot);
    let seed_dot = seed_cli(&["graph", "-f", "dot", "--vendor", "mixpanel"]);
    insta::assert_snapshot!("seed_graph_dot", seed_dot);
    if let Some(dot) = common::dot_binary() {
        for text in [&shop_dot, &seed_dot] {
            let svg = common::dot_accepts(dot, text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert!(svg.contains("<svg"), "dot produced {svg}");
        }
    }
}

#[test]
fn graph_html() {
    insta::assert_snapshot!(
        "shop_graph_pixel_html",
        shop_graph(Some("pixel"), DiagramFormat::Html)
    );
    insta::assert_snapshot!(
        "seed_graph_html",
        seed_cli(&["graph", "-f", "html", "--vendor", "mixpanel"])
    );
}

#[test]
fn graph_json() {
    let shop_json = shop_graph(Some("deskly"), DiagramFormat::Json);
    insta::assert_snapshot!("shop_graph_deskly_json", shop_json);
    let seed_json = seed_cli(&["graph", "-f", "json"]);
    insta::assert_snapshot!("seed_graph_json", seed_json);

    let v: Value = serde_json::from_str(&shop_json).unwrap();
    assert_eq!(v["version"], 1);
    let h = &v["highlight"];
    assert_eq!(h["vendor"], "deskly");
    let nodes: Vec<&str> = h["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    // Deskly reads the CRM with its token: the CRM and what fed it are in
    // its radius; the CDP and the analytics vendor are not.
    for n in [
        "vendor:deskly",
        "vendor:crmly",
        "component:orders",
        "component:storefront",
        "field:street",
    ] {
        assert!(nodes.contains(&n), "{n} not in {nodes:?}");
    }
    for n in [
        "vendor:relay",
        "vendor:pixel",
        "field:ip",
        "field:password_hash",
    ] {
        assert!(!nodes.contains(&n), "{n} in {nodes:?}");
    }
    let edges = v["edges"].as_array().unwrap();
    let access = edges
        .iter()
        .find(|e| e["kind"] == "access")
        .expect("the grant is an edge");
    assert_eq!(access["from"], "vendor:crmly");
    assert_eq!(access["to"], "vendor:deskly");
    assert!(
        h["edges"]
            .as_array()
            .unwrap()
            .contains(&access["id"].clone())
    );
    // Every edge names existing nodes.
    let ids: Vec<&str> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for e in edges {
        assert!(ids.contains(&e["from"].as_str().unwrap()));
        assert!(ids.contains(&e["to"].as_str().unwrap()));
    }

    let v: Value = serde_json::from_str(&seed_json).unwrap();
    assert!(v["highlight"].is_null());
    assert_eq!(v["grouped"], false);
}

// ---- the diagram's model ---------------------------------------------------

/// The highlighted fields are exactly the blast report's exposed fields,
/// for every vendor, in both modes (the two are computed differently).
#[test]
fn every_radius_matches_its_blast_report() {
    for map in [shop(), common::seed()] {
        let g = DataGraph::build(&map);
        for mode in [Mode::Data, Mode::Code] {
            for v in map.vendors.keys() {
                let r = g.blast(v, mode).unwrap();
                let mut exposed: Vec<String> = r.exposed.iter().map(|e| e.field.clone()).collect();
                exposed.sort();
                let d = g.diagram(Some(v), mode).unwrap();
                let h = d.highlight.unwrap();
                assert_eq!(h.fields, exposed, "{v} {mode:?}");
                // Every component on a listed path is highlighted.
                for e in &r.exposed {
                    for route in &e.routes {
                        for n in &route.nodes {
                            let in_nodes = h.nodes.iter().any(|x| x.ends_with(&format!(":{n}")));
                            assert!(in_nodes, "{v} {mode:?}: {n} of {route:?}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn code_mode_widens_the_highlight_to_what_the_embedding_component_holds() {
    let map = shop();
    let g = DataGraph::build(&map);
    let data = g
        .diagram(Some("deskly"), Mode::Data)
        .unwrap()
        .highlight
        .unwrap();
    let code = g
        .diagram(Some("deskly"), Mode::Code)
        .unwrap()
        .highlight
        .unwrap();
    // The widget's script runs in the storefront, which holds the IP address.
    assert!(!data.fields.contains(&"ip".to_string()));
    assert!(code.fields.contains(&"ip".to_string()));
}

#[test]
fn an_unknown_vendor_is_an_error_with_a_suggestion() {
    let (code, out, err) = cli(&["graph", "--map", SEED, "--vendor", "mixpnael"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("did you mean `mixpanel`"), "{err}");
}

#[test]
fn sub_processors_from_the_catalog_form_the_last_column() {
    let map = common::seed();
    let g = DataGraph::build(&map);
    let d = g.diagram(None, Mode::Data).unwrap();
    let vendor_layer = d
        .nodes
        .iter()
        .filter(|n| n.kind == DiagramNodeKind::Vendor)
        .map(|n| n.layer)
        .max()
        .unwrap();
    let sps: Vec<_> = d
        .nodes
        .iter()
        .filter(|n| n.kind == DiagramNodeKind::SubProcessor)
        .collect();
    assert!(
        sps.iter().any(|n| n.key == "google-cloud"),
        "Mixpanel's host is shown"
    );
    assert!(sps.iter().all(|n| n.layer == vendor_layer + 1));
}

/// Past the threshold, fields collapse into one node per category, with
/// the members listed on the node and the highlight following them.
#[test]
fn a_large_system_groups_fields_by_category() {
    let mut yaml =
        String::from("version: 1\nsystem: big\nsubjects:\n  u: { count: 5000 }\nfields:\n");
    let cats = [
        "user.contact.email",
        "user.contact.phone_number",
        "user.device.ip_address",
        "user.device.os",
        "user.name",
        "user.unique_id",
    ];
    let n = GROUP_FIELDS_OVER + 8;
    for i in 0..n {
        yaml.push_str(&format!(
            "  f{i}: {{ category: {}, subject: u }}\n",
            cats[i % cats.len()]
        ));
    }
    let all: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
    yaml.push_str(&format!(
        "components:\n  app: {{ kind: service, holds: [{}] }}\n",
        all.join(", ")
    ));
    yaml.push_str("vendors:\n  tracker: { name: Tracker, category: analytics }\n");
    yaml.push_str("flows:\n  - { from: app, to: tracker, fields: [f0, f2] }\n");
    let map = load_str(&yaml, "big.yaml").unwrap();
    let g = DataGraph::build(&map);
    let d = g.diagram(Some("tracker"), Mode::Data).unwrap();
    assert!(d.grouped);
    let groups: Vec<_> = d
        .nodes
        .iter()
        .filter(|x| x.kind == DiagramNodeKind::Category)
        .collect();
    assert!(d.nodes.iter().all(|x| x.kind != DiagramNodeKind::Field));
    // user.contact, user.device, user.name, user.unique_id
    assert_eq!(groups.len(), 4, "{groups:?}");
    let members: usize = groups.iter().map(|x| x.members.len()).sum();
    assert_eq!(members, n);
    let h = d.highlight.as_ref().unwrap();
    // f0 (email) and f2 (ip): the contact and device groups light up.
    assert!(h.nodes.contains(&"category:user.contact".to_string()));
    assert!(h.nodes.contains(&"category:user.device".to_string()));
    assert!(!h.nodes.contains(&"category:user.name".to_string()));
    let html = report::diagram(&d, &g.radii(Mode::Data, None), DiagramFormat::Html);
    assert!(
        html.contains("f0, f1, f12, f13, f18"),
        "members in the node's tooltip"
    );
    let mermaid = report::diagram(&d, &[], DiagramFormat::Mermaid);
    assert!(
        mermaid.contains("g_user_contact[\"Contact Data #40;16#41;\"]"),
        "{mermaid}"
    );
}

#[test]
fn outputs_are_deterministic() {
    for f in [
        DiagramFormat::Mermaid,
        DiagramFormat::Dot,
        DiagramFormat::Html,
        DiagramFormat::Json,
    ] {
        assert_eq!(shop_graph(Some("pixel"), f), shop_graph(Some("pixel"), f));
    }
    assert_eq!(
        shop_blast("pixel", Format::Html),
        shop_blast("pixel", Format::Html)
    );
}

/// A generated map of `n` vendors, 10 flows each, `ring` adding a ring of
/// access grants (vendor i can read vendor i+1).
fn big_map(n: usize, ring: bool) -> blastmap::model::Map {
    let mut y = String::from(
        "version: 1\nsystem: big\nsubjects:\n  u: { count: 5000 }\nfields:\n  email: { category: user.contact.email, subject: u }\n  name: { category: user.name, subject: u }\n  ip: { category: user.device.ip_address, subject: u }\ncomponents:\n",
    );
    for c in 0..n / 5 {
        y.push_str(&format!(
            "  c{c}: {{ kind: service, holds: [email, name, ip] }}\n"
        ));
    }
    y.push_str("vendors:\n");
    let cats = ["analytics", "crm", "email", "payments", "support"];
    for v in 0..n {
        let access = if ring {
            format!(", access: [v{}]", (v + 1) % n)
        } else {
            String::new()
        };
        y.push_str(&format!(
            "  v{v}: {{ name: V{v}, category: {}{access} }}\n",
            cats[v % 5]
        ));
    }
    y.push_str("flows:\n");
    for i in 0..n * 10 {
        let f = ["email", "name", "ip"][i % 3];
        y.push_str(&format!(
            "  - {{ from: c{}, to: v{}, fields: [{f}] }}\n",
            i % (n / 5),
            (i * 7) % n
        ));
    }
    load_str(&y, "big.yaml").unwrap()
}

/// Regression (#13: the graph page grew with the square of the map: 250
/// vendors 5.5 MB, 500 vendors 18.7 MB, 5,000 vendors 16.8 GB of memory).
/// Past the threshold vendors are drawn by category and components by
/// kind, the highlighted vendor stays expanded, the page says what was
/// collapsed, and its size grows at most linearly.
#[test]
fn the_graph_page_collapses_and_stays_linear_at_scale() {
    use blastmap::graph::diagram::{
        COARSE_RADII_OVER_VENDORS, COLLAPSE_VENDORS_OVER, PICKER_RADII,
    };
    let page = |n: usize, ring: bool, vendor: Option<&str>| {
        let m = big_map(n, ring);
        let g = DataGraph::build(&m);
        let d = g.page_diagram(vendor, Mode::Data).unwrap();
        let radii = g.radii(Mode::Data, vendor);
        (
            d.clone(),
            radii.len(),
            report::diagram(&d, &radii, DiagramFormat::Html),
        )
    };
    let n = COARSE_RADII_OVER_VENDORS * 2;
    let (d, picker, html) = page(n, false, Some("v3"));
    assert!(d.collapsed.is_some());
    assert!(
        html.contains("vendors are drawn grouped by category"),
        "page says so"
    );
    assert_eq!(picker, PICKER_RADII);
    let vendors: Vec<&str> = d
        .nodes
        .iter()
        .filter(|x| x.kind == DiagramNodeKind::Vendor)
        .map(|x| x.id.as_str())
        .collect();
    assert!(
        vendors.contains(&"vendor:v3"),
        "the highlighted vendor is expanded: {vendors:?}"
    );
    assert!(vendors.contains(&"vendors:crm"), "{vendors:?}");
    assert!(vendors.len() < 60, "{} vendor nodes", vendors.len());
    // Every vendor is still counted, through its group's members.
    let members: usize = d
        .nodes
        .iter()
        .filter(|x| x.kind == DiagramNodeKind::Vendor)
        .map(|x| x.members.len().max(1))
        .sum();
    assert_eq!(members, n);
    // Four times the map: at most about four times the page, ring or not.
    for ring in [false, true] {
        let small = page(n, ring, None).2.len();
        let large = page(n * 4, ring, None).2.len();
        assert!(
            (large as f64) < 6.0 * small as f64,
            "ring {ring}: {small} bytes → {large} bytes"
        );
    }
    // Below the threshold nothing changes.
    let (d, _, _) = page(COLLAPSE_VENDORS_OVER / 2, false, None);
    assert!(d.collapsed.is_none());
}

/// Regression (#13: every picker radius of a 20,000-vendor ring listed every
/// field, 35 MB of a 57 MB page). The page names the first
/// `PICKER_FIELDS` fields of a radius, says how many there are and where to
/// see the rest; the JSON diagram's highlighted radius still lists them all.
#[test]
fn the_graph_page_names_a_radius_fields_up_to_a_limit() {
    use blastmap::graph::diagram::PICKER_FIELDS;
    let n = PICKER_FIELDS + 20;
    let mut y = String::from("version: 1\nsystem: wide\nsubjects:\n  u: { count: 10 }\nfields:\n");
    for f in 0..n {
        y.push_str(&format!(
            "  f{f:03}: {{ category: user.contact.email, subject: u }}\n"
        ));
    }
    let all: Vec<String> = (0..n).map(|f| format!("f{f:03}")).collect();
    y.push_str(&format!(
        "components:\n  app: {{ kind: service, holds: [{}] }}\nvendors:\n  v0: {{ name: Wide, category: crm }}\nflows:\n  - {{ from: app, to: v0, fields: [{}] }}\n",
        all.join(", "),
        all.join(", ")
    ));
    let m = load_str(&y, "wide.yaml").unwrap();
    let g = DataGraph::build(&m);
    let d = g.diagram(Some("v0"), Mode::Data).unwrap();
    assert_eq!(
        d.highlight.as_ref().unwrap().fields.len(),
        n,
        "JSON lists all"
    );
    let radii = g.radii(Mode::Data, Some("v0"));
    assert_eq!(radii[0].fields.len(), PICKER_FIELDS);
    assert_eq!(radii[0].field_count, n);
    let html = report::diagram(&d, &radii, DiagramFormat::Html);
    assert!(
        html.contains(&format!("Wide (medium, {n} fields)")),
        "picker counts all"
    );
    assert!(
        html.contains(&format!(
            "{n} fields exposed (f000, f001, f002, f003, f004, f005, f006, f007, f008, f009, f010"
        )),
        "status names the first fields"
    );
    assert!(
        html.contains("f039, and 20 more: blastmap blast v0 lists them all)"),
        "and says how many more and where they are"
    );
    let blob = html
        .split("id=\"bm-radius\">")
        .nth(1)
        .and_then(|x| x.split("</script>").next())
        .unwrap();
    assert!(blob.contains("\"field_count\":60"), "{blob}");
    assert!(
        !blob.contains("f040"),
        "the picker's data stops at the limit"
    );
}

/// Diagrams stay readable (#14 item 9): a field known only by its category
/// is named once in DOT (it printed `user.behavior\nuser.behavior`), and the
/// check's Mermaid diagram names at most three categories per edge, the
/// rest counted (the report's table lists them all).
#[test]
fn diagrams_name_categories_once_and_briefly() {
    let dot = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .args([
            "graph",
            "--map",
            "examples/api-platform/blastmap.yaml",
            "--scan",
            "examples/api-platform",
            "--format",
            "dot",
        ])
        .output()
        .unwrap();
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert!(
        dot.contains("[label=\"user.behavior\", tooltip=\"user.behavior\""),
        "{dot}"
    );
    assert!(!dot.contains("user.behavior\\nuser.behavior\""), "{dot}");

    let md = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .current_dir("examples/api-platform")
        .args([
            "check",
            "--scan",
            ".",
            "--format",
            "markdown",
            "--exit-zero",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    let mermaid = md
        .split("```mermaid")
        .nth(1)
        .and_then(|m| m.split("```").next())
        .expect("a Mermaid diagram");
    for edge in mermaid.lines().filter(|l| l.contains("-->|")) {
        let label = edge.split('|').nth(1).unwrap();
        let named = label
            .trim_matches('"')
            .split(", ")
            .filter(|c| !c.starts_with('+'))
            .count();
        assert!(named <= 3, "{edge}");
    }
    assert!(mermaid.contains("+6 more"), "{mermaid}");
    assert!(
        md.contains("user.contact.address.postal\\_code"),
        "the table keeps them all"
    );
}

/// A vendor that holds twenty merchants' bank accounts is critical (fraud)
/// with a small score; one that holds five million customers' contact
/// details is high with a large one. `rank` puts the critical one first,
/// and says how it orders.
#[test]
fn rank_puts_severity_before_score_and_says_so() {
    let yaml = r#"version: 1
system: market
subjects:
  customer: { count: 5000000 }
  merchant: { count: 20 }
fields:
  email: { category: user.contact.email, subject: customer }
  name: { category: user.name, subject: customer }
  phone: { category: user.contact.phone_number, subject: customer }
  iban: { category: user.financial.bank_account, subject: merchant }
components:
  shop: { kind: web }
vendors:
  hubspot: {}
  wise: { name: Wise, category: payments }
flows:
  - { from: shop, to: hubspot, fields: [email, name, phone] }
  - { from: shop, to: wise, fields: [iban] }
"#;
    let map = load_str(yaml, "market.yaml").unwrap();
    let r = DataGraph::build(&map).rank(Mode::Data);
    let order: Vec<(&str, &str, u64)> = r
        .vendors
        .iter()
        .map(|v| (v.vendor.as_str(), v.severity.as_str(), v.score))
        .collect();
    assert_eq!(order[0].0, "wise", "{order:?}");
    assert_eq!(order[0].1, "critical");
    assert_eq!(order[1].0, "hubspot");
    assert!(
        order[1].2 > order[0].2,
        "the high vendor has the larger score: {order:?}"
    );
    let text = report::rank(&r, Format::Text);
    assert!(text.contains("Ordered by severity"), "{text}");
    let md = report::rank(&r, Format::Markdown);
    assert!(md.contains("Ordered by severity"));
    let html = report::rank(&r, Format::Html);
    assert!(html.contains("Ordered by severity"));
}

/// `rank --format html -o DIR/` writes the ranking as `DIR/index.html`,
/// each vendor linked to its blast page beside it; a vendor id never names
/// a path outside the folder.
#[test]
fn rank_as_a_folder_links_every_vendor_to_its_blast_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = format!("{}/", dir.path().join("pages").display());
    // The library hands the files to the binary, which writes them (`emit`).
    let parsed = {
        use clap::Parser;
        blastmap::cli::Cli::try_parse_from([
            "blastmap", "rank", "--map", SEED, "--format", "html", "-o", &out,
        ])
        .unwrap()
    };
    let o = blastmap::cli::run(parsed);
    let mut sink = Vec::new();
    let mut errs = Vec::new();
    let code = blastmap::cli::emit(&o, &mut sink, &mut errs, blastmap::cli::Paint::default());
    let errs = String::from_utf8_lossy(&errs);
    assert_eq!(code, 0, "{errs}");
    assert!(sink.is_empty() && errs.contains("7 vendor pages"), "{errs}");
    let index = std::fs::read_to_string(dir.path().join("pages/index.html")).unwrap();
    for v in [
        "stripe",
        "openai",
        "mixpanel",
        "drift",
        "salesforce",
        "sendgrid",
        "sentry",
    ] {
        let page = format!("blast-{v}.html");
        assert!(index.contains(&format!("href=\"{page}\"")), "{v} is linked");
        let blast = std::fs::read_to_string(dir.path().join("pages").join(&page)).unwrap();
        assert!(blast.contains("<!DOCTYPE html>") || blast.contains("<!doctype html>"));
    }
    // A folder with another format, or with what-if assumptions, is a
    // clear refusal (exit 2), not a failed write.
    let (code, _, err) = cli(&["rank", "--map", SEED, "-o", &out]);
    assert_eq!(code, 2);
    assert!(
        err.contains("is a folder") && err.contains("--format html"),
        "{err}"
    );
    let (code, _, err) = cli(&[
        "rank",
        "--map",
        SEED,
        "--format",
        "html",
        "--assume",
        "api -> hubspot: all",
        "-o",
        &out,
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        report::html::blast_page_name("../../etc/x"),
        "blast-_.._etc_x.html"
    );
    assert_eq!(
        report::html::blast_page_name(".hidden"),
        "blast-hidden.html"
    );
}
