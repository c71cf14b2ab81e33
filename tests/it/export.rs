//! `blastmap export`: CycloneDX 1.6 validated against the published schema
//! (vendored under tests/schemas/, resolved offline), GraphML parsed back by
//! an XML parser, Cypher lexed back; hostile strings in every format.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::HOSTILE_YAML;

use blastmap::graph::DataGraph;
use blastmap::model::declaration;
use blastmap::report::export::{ExportFormat, render};
use serde_json::Value;

const MAP: &str = "examples/api-platform/blastmap.yaml";

fn export_file(path: &str, format: ExportFormat) -> String {
    let loaded = blastmap::input::load_file(std::path::Path::new(path), true).unwrap();
    let g = DataGraph::build(&loaded.map);
    render(&g, loaded.repos.as_ref(), format)
}

fn export_text(yaml: &str, format: ExportFormat) -> String {
    let map = declaration::load_str(yaml, "test.yaml").unwrap();
    let g = DataGraph::build(&map);
    render(&g, None, format)
}

/// Serves the two schemas bom-1.6 references from tests/schemas/.
struct Local;

impl jsonschema::Retrieve for Local {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let name = name.split('#').next().unwrap_or_default();
        let text = std::fs::read_to_string(format!("tests/schemas/{name}"))
            .map_err(|e| format!("{uri}: {e}"))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn assert_valid_cyclonedx(text: &str) -> Value {
    let bom: Value = serde_json::from_str(text).expect("the export is JSON");
    let errors = cyclonedx_errors(&bom);
    assert!(
        errors.is_empty(),
        "not valid CycloneDX 1.6:\n{}",
        errors.join("\n")
    );
    bom
}

fn cyclonedx_errors(bom: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/schemas/bom-1.6.schema.json").unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_retriever(Local)
        .build(&schema)
        .expect("the vendored CycloneDX 1.6 schema compiles");
    validator
        .iter_errors(bom)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_schema_check_rejects_what_cyclonedx_does_not_allow() {
    let mut bom = assert_valid_cyclonedx(&export_file(MAP, ExportFormat::Cyclonedx));
    bom["services"][0]["data"][0]["flow"] = "sideways".into();
    assert!(!cyclonedx_errors(&bom).is_empty());
    let mut bom = assert_valid_cyclonedx(&export_file(MAP, ExportFormat::Cyclonedx));
    bom["services"][0]["data"][0]
        .as_object_mut()
        .unwrap()
        .remove("classification");
    assert!(
        !cyclonedx_errors(&bom).is_empty(),
        "classification is required"
    );
}

/// bom-ref → the element, and every BOM-Link resolved against them.
fn refs(bom: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.insert(
        bom["metadata"]["component"]["bom-ref"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    for list in ["components", "services"] {
        for e in bom[list].as_array().unwrap() {
            assert!(
                out.insert(e["bom-ref"].as_str().unwrap().to_string()),
                "duplicate bom-ref {}",
                e["bom-ref"]
            );
        }
    }
    out
}

fn service<'a>(bom: &'a Value, id: &str) -> &'a Value {
    bom["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["bom-ref"] == format!("vendor:{id}"))
        .unwrap_or_else(|| panic!("no service for {id}"))
}

fn decode_link(serial: &str, link: &str) -> String {
    let prefix = format!("urn:cdx:{}/1#", serial.trim_start_matches("urn:uuid:"));
    let frag = link
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{link} is not a BOM-Link into this BOM ({prefix})"));
    let bytes = frag.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&frag[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn cyclonedx_export_is_valid_cyclonedx_1_6() {
    let bom = assert_valid_cyclonedx(&export_file(MAP, ExportFormat::Cyclonedx));
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    let all = refs(&bom);
    let serial = bom["serialNumber"].as_str().unwrap();
    for s in bom["services"].as_array().unwrap() {
        for d in s["data"].as_array().into_iter().flatten() {
            for end in ["source", "destination"] {
                for link in d[end].as_array().unwrap() {
                    let r = decode_link(serial, link.as_str().unwrap());
                    assert!(all.contains(&r), "{link} points at no element");
                }
            }
        }
    }
    for d in bom["dependencies"].as_array().unwrap() {
        assert!(all.contains(d["ref"].as_str().unwrap()));
        for x in d["dependsOn"].as_array().unwrap() {
            assert!(all.contains(x.as_str().unwrap()), "dangling dependsOn {x}");
        }
    }
}

#[test]
fn cyclonedx_mixpanel_receives_the_seed_set_and_nothing_else() {
    let bom = assert_valid_cyclonedx(&export_file(MAP, ExportFormat::Cyclonedx));
    let serial = bom["serialNumber"].as_str().unwrap().to_string();
    let mix = service(&bom, "mixpanel");
    assert_eq!(mix["provider"]["name"], "Mixpanel");
    let data = mix["data"].as_array().unwrap();
    let mut got: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for d in data {
        got.insert(
            d["name"].as_str().unwrap().to_string(),
            (
                d["flow"].as_str().unwrap().to_string(),
                d["classification"].as_str().unwrap().to_string(),
                decode_link(&serial, d["source"][0].as_str().unwrap()),
            ),
        );
    }
    assert_eq!(
        got.keys().map(String::as_str).collect::<Vec<_>>(),
        crate::common::SEED_MIXPANEL
    );
    assert_eq!(
        got["email"],
        (
            "inbound".to_string(),
            "user.contact.email".to_string(),
            "component:dashboard".to_string()
        )
    );
    for absent in ["api_key", "password", "chat_history", "card"] {
        assert!(!got.contains_key(absent), "{absent} never reached Mixpanel");
    }
    // The chat widget holds the CRM's OAuth token: a dependency on it.
    let drift = bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == "vendor:drift")
        .unwrap();
    assert_eq!(drift["dependsOn"], serde_json::json!(["vendor:salesforce"]));
}

const FORWARDING: &str = r#"
version: 1
system: shop
subjects: { customer: { count: 10 } }
fields:
  email: { category: user.contact.email, subject: customer }
  card:  { category: user.financial.credit_card, subject: customer }
components:
  web: { kind: web, holds: [email, card] }
vendors:
  segment: {}
  mixpanel: {}
flows:
  - { from: web, to: segment, fields: [email] }
  - { from: segment, to: mixpanel, fields: all }
"#;

#[test]
fn cyclonedx_forwarding_is_outbound_on_the_sender_and_all_is_what_was_received() {
    let bom = assert_valid_cyclonedx(&export_text(FORWARDING, ExportFormat::Cyclonedx));
    let serial = bom["serialNumber"].as_str().unwrap().to_string();
    let seg = service(&bom, "segment");
    let flows: Vec<(String, String, String)> = seg["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["flow"].as_str().unwrap().to_string(),
                decode_link(&serial, d["destination"][0].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        flows,
        [
            ("email".into(), "inbound".into(), "vendor:segment".into()),
            ("email".into(), "outbound".into(), "vendor:mixpanel".into()),
        ]
    );
    // `fields: all` from Segment carries what Segment received: not the card.
    let mix = service(&bom, "mixpanel");
    let names: Vec<&str> = mix["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["email"]);
}

/// Node id → its data by key.
type Nodes = BTreeMap<String, BTreeMap<String, String>>;
/// (source, target, edge kind).
type Edges = Vec<(String, String, String)>;

fn parse_graphml(text: &str) -> (Nodes, Edges) {
    let doc = roxmltree::Document::parse(text).expect("GraphML is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "graphml");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://graphml.graphdrawing.org/xmlns")
    );
    let keys: BTreeMap<String, String> = root
        .children()
        .filter(|n| n.has_tag_name("key"))
        .map(|k| {
            (
                k.attribute("id").unwrap().to_string(),
                k.attribute("for").unwrap().to_string(),
            )
        })
        .collect();
    let graph = root.children().find(|n| n.has_tag_name("graph")).unwrap();
    assert_eq!(graph.attribute("edgedefault"), Some("directed"));
    let mut nodes = BTreeMap::new();
    let mut edges = Vec::new();
    for n in graph.children().filter(|n| n.is_element()) {
        let mut data = BTreeMap::new();
        for d in n.children().filter(|d| d.has_tag_name("data")) {
            let key = d.attribute("key").unwrap();
            let scope = keys
                .get(key)
                .unwrap_or_else(|| panic!("undeclared key {key}"));
            assert!(
                scope == "all" || scope == n.tag_name().name(),
                "key {key} used on a {}",
                n.tag_name().name()
            );
            data.insert(key.to_string(), d.text().unwrap_or("").to_string());
        }
        match n.tag_name().name() {
            "node" => {
                assert!(
                    nodes
                        .insert(n.attribute("id").unwrap().to_string(), data)
                        .is_none()
                );
            }
            "edge" => edges.push((
                n.attribute("source").unwrap().to_string(),
                n.attribute("target").unwrap().to_string(),
                data.get("edge_kind").cloned().unwrap_or_default(),
            )),
            other => panic!("unexpected element {other}"),
        }
    }
    for (s, t, _) in &edges {
        assert!(
            nodes.contains_key(s) && nodes.contains_key(t),
            "edge {s} → {t} to a missing node"
        );
    }
    (nodes, edges)
}

#[test]
fn graphml_is_well_formed_declares_every_key_and_holds_the_whole_graph() {
    let (nodes, edges) = parse_graphml(&export_file(MAP, ExportFormat::Graphml));
    // 15 fields, 5 components, 7 vendors.
    assert_eq!(nodes.len(), 27);
    assert_eq!(nodes["vendor:mixpanel"]["exposed"], "8");
    assert_eq!(nodes["field:api_key"]["sensitivity"], "critical");
    let flows = edges.iter().filter(|e| e.2 == "flow").count();
    assert_eq!(flows, 9);
    assert!(edges.contains(&(
        "vendor:salesforce".into(),
        "vendor:drift".into(),
        "access".into()
    )));
    assert!(edges.contains(&(
        "field:password".into(),
        "component:accounts".into(),
        "holds".into()
    )));
}

/// Splits a Cypher script into statements, decoding the string literals;
/// returns (skeleton with literals replaced by `?`, decoded literals).
fn lex_cypher(script: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut skeleton = String::new();
    let mut lits = Vec::new();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let mut lit = String::new();
                loop {
                    match chars.next().expect("unterminated literal") {
                        '\'' => break,
                        '\\' => match chars.next().unwrap() {
                            '\\' => lit.push('\\'),
                            '\'' => lit.push('\''),
                            'n' => lit.push('\n'),
                            'r' => lit.push('\r'),
                            't' => lit.push('\t'),
                            'u' => {
                                let hex: String = (0..4).map(|_| chars.next().unwrap()).collect();
                                lit.push(
                                    char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap(),
                                );
                            }
                            other => panic!("unknown escape \\{other}"),
                        },
                        '\n' => panic!("raw newline inside a literal"),
                        ch => lit.push(ch),
                    }
                }
                skeleton.push('?');
                lits.push(lit);
            }
            ';' => {
                assert_eq!(chars.next(), Some('\n'), "one statement per line");
                out.push((
                    std::mem::take(&mut skeleton).trim().to_string(),
                    std::mem::take(&mut lits),
                ));
            }
            '\n' => {
                let line = std::mem::take(&mut skeleton);
                assert!(line.trim().starts_with("//"), "stray line: {line}");
            }
            c => skeleton.push(c),
        }
    }
    out
}

#[test]
fn hostile_strings_stay_data_in_every_format() {
    let vendor_name = "Evil \\' Inc.\nsecond line\u{0}\u{1b}]0;pwn\u{7}";
    let system = "acme'); MATCH (n) DETACH DELETE n; //";

    let statements = lex_cypher(&export_text(HOSTILE_YAML, ExportFormat::Cypher));
    for (skeleton, _) in &statements {
        assert!(
            !skeleton.contains("DETACH"),
            "input escaped a literal: {skeleton}"
        );
        assert!(
            skeleton.starts_with("CREATE CONSTRAINT")
                || skeleton.starts_with("MERGE (n:")
                || skeleton.starts_with("MATCH (a:"),
            "{skeleton}"
        );
    }
    let literals: Vec<&String> = statements.iter().flat_map(|(_, l)| l).collect();
    assert!(literals.iter().any(|l| l.as_str() == vendor_name));
    assert!(literals.iter().any(|l| l.as_str() == system));

    let (nodes, edges) = parse_graphml(&export_text(HOSTILE_YAML, ExportFormat::Graphml));
    assert_eq!(
        nodes["vendor:evil"]["name"],
        "Evil \\' Inc.\nsecond line\u{FFFD}\u{FFFD}]0;pwn\u{FFFD}"
    );
    assert_eq!(
        nodes["component:web"]["name"],
        "<script>alert(1)</script> & \"co\""
    );
    assert_eq!(edges.iter().filter(|e| e.2 == "flow").count(), 1);

    let bom = assert_valid_cyclonedx(&export_text(HOSTILE_YAML, ExportFormat::Cyclonedx));
    assert_eq!(service(&bom, "evil")["name"], vendor_name);
    assert_eq!(bom["metadata"]["component"]["name"], system);
}

#[test]
fn export_command_writes_to_a_file_and_needs_a_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bom.json");
    let st = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .args(["export", "--format", "cyclonedx", "--map", MAP, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(st.stdout.is_empty());
    assert_valid_cyclonedx(&std::fs::read_to_string(&out).unwrap());

    let st = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .args(["export", "--map", MAP])
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(2),
        "a missing --format is a usage error"
    );
}

/// `blastmap export --format FORMAT --map MAP --scan examples/api-platform`.
fn export_with_scan(format: &str) -> String {
    crate::common::binary(&[
        "export",
        "--format",
        format,
        "--map",
        MAP,
        "--scan",
        "examples/api-platform",
    ])
}

/// Declared stays declared (#14 item 3): with `--scan`, GraphML and Cypher
/// wrote `declared_fields` equal to `fields`, so categories only the scan
/// found looked declared. A declared flow keeps its declared ids apart; a
/// flow only the scan found declares nothing.
#[test]
fn exports_keep_declared_and_discovered_apart() {
    let g = export_with_scan("graphml");
    let edge = g
        .split("<edge ")
        .find(|e| e.contains("source=\"component:dashboard\" target=\"vendor:mixpanel\""))
        .expect("the dashboard's flow to Mixpanel");
    let value = |key: &str| -> String {
        let open = format!("<data key=\"{key}\">");
        let start = edge.find(&open).map(|i| i + open.len()).unwrap();
        edge[start..].split("</data>").next().unwrap().to_string()
    };
    let fields = value("fields");
    let declared = value("declared");
    assert!(
        fields.contains("user.behavior.browsing_history"),
        "{fields}"
    );
    assert!(
        !declared.contains("user.behavior.browsing_history"),
        "{declared}"
    );
    assert!(declared.split(' ').any(|f| f == "email"), "{declared}");
    // One base for the evidence of one list: the declarations' file, inside
    // the scanned tree, is named from its root like the code's files.
    let evidence = value("evidence");
    assert!(evidence.starts_with("blastmap.yaml:"), "{evidence}");
    assert!(!evidence.contains("examples/api-platform/"), "{evidence}");

    let c = export_with_scan("cypher");
    let line = c
        .lines()
        .find(|l| {
            l.contains("FLOWS_TO")
                && l.contains("'component:dashboard'")
                && l.contains("'vendor:mixpanel'")
        })
        .or_else(|| {
            c.lines().find(|l| {
                l.contains("FLOWS_TO") && l.contains("dashboard") && l.contains("mixpanel")
            })
        })
        .expect("the Cypher flow");
    let declared = line.split("r.declared_fields = ").nth(1).unwrap();
    let declared = declared.split(']').next().unwrap();
    assert!(!declared.contains("browsing_history"), "{line}");
    assert!(declared.contains("'email'"), "{line}");
}

/// A component holds what its flows send (#14 item 3): `web` declares it
/// holds `email` only, yet sends `user_id` to Mixpanel. GraphML and Cypher
/// give it a holds edge for `user_id` too, marked implicit, so a consumer
/// that walks field → component → vendor finds the path.
#[test]
fn holds_edges_include_what_flows_imply() {
    let yaml = "version: 1\nsystem: s\nsubjects:\n  u: { count: 10 }\nfields:\n  email: { category: user.contact.email, subject: u }\n  user_id: { category: user.unique_id, subject: u }\n  notes: { category: user.content.private, subject: u }\ncomponents:\n  web: { kind: web, holds: [email] }\n  db: { kind: datastore, holds: [notes] }\nvendors:\n  mixpanel: {}\nflows:\n  - { from: web, to: mixpanel, fields: [email, user_id] }\n";
    let g = export_text(yaml, ExportFormat::Graphml);
    let holds: Vec<&str> = g
        .split("<edge ")
        .filter(|e| e.contains("<data key=\"edge_kind\">holds</data>"))
        .collect();
    assert_eq!(holds.len(), 3, "{g}");
    let user_id = holds
        .iter()
        .find(|e| e.contains("source=\"field:user_id\" target=\"component:web\""))
        .expect("web holds user_id, which it sends");
    assert!(
        user_id.contains("<data key=\"implicit\">true</data>"),
        "{user_id}"
    );
    let email = holds
        .iter()
        .find(|e| e.contains("source=\"field:email\""))
        .unwrap();
    assert!(!email.contains("implicit"), "{email}");

    let c = export_text(yaml, ExportFormat::Cypher);
    assert!(
        c.contains("(a:Component {id: 'web'}), (b:Field {id: 'user_id'}) MERGE (a)-[r:HOLDS]->(b) SET r.implicit = true;"),
        "{c}"
    );
    assert!(
        c.contains("(a:Component {id: 'web'}), (b:Field {id: 'email'}) MERGE (a)-[r:HOLDS]->(b) SET r.implicit = false;"),
        "{c}"
    );
}

/// Cypher that runs where the README says (#14 item 7): Neo4j 5's
/// constraint syntax by default, Memgraph's with `cypher-memgraph`; the
/// statements after the constraints are the same.
#[test]
fn cypher_has_a_memgraph_dialect() {
    let neo = export_file(MAP, ExportFormat::Cypher);
    let mem = export_file(MAP, ExportFormat::CypherMemgraph);
    assert!(neo.contains(
        "CREATE CONSTRAINT blastmap_field IF NOT EXISTS FOR (n:Field) REQUIRE n.id IS UNIQUE;"
    ));
    assert!(mem.contains("CREATE CONSTRAINT ON (n:Field) ASSERT n.id IS UNIQUE;"));
    assert!(!mem.contains("REQUIRE"), "{mem}");
    let body = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with("CREATE CONSTRAINT") && !l.starts_with("//"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(body(&neo), body(&mem));
}
