//! Unit tests of the fixed point, routes, access grants and code mode, over
//! small maps written as YAML (the same loader users go through).

use super::*;
use crate::graph::blast::HopKind;
use crate::model::declaration::load_str;

fn map(yaml: &str) -> Map {
    let head = "version: 1\nsubjects:\n  u: { count: 100 }\n";
    load_str(&format!("{head}{yaml}"), "test.yaml").unwrap_or_else(|e| panic!("{e}"))
}

fn exposed(g: &DataGraph, vendor: &str, mode: Mode) -> Vec<String> {
    let v = g.node(vendor).unwrap();
    let mut out: Vec<String> = g
        .exposure(v, mode)
        .ones()
        .map(|b| g.fields[b].id.clone())
        .collect();
    out.sort();
    out
}

const FIELDS: &str = "fields:
  email: { category: user.contact.email, subject: u }
  name: { category: user.name, subject: u }
  key: { category: user.authorization.credentials, subject: u }
  chat: { category: user.content.private, subject: u }
";

#[test]
fn a_chain_forwards_only_what_each_hop_received() {
    let m = map(&format!(
        "{FIELDS}components:
  web: {{ holds: [email, name, key] }}
vendors:
  segment: {{}}
  mixpanel: {{}}
  amplitude: {{}}
flows:
  - {{ from: web, to: segment, fields: [email, name] }}
  - {{ from: segment, to: mixpanel, fields: all }}
  - {{ from: segment, to: amplitude, fields: [email, key] }}
"
    ));
    let g = DataGraph::build(&m);
    assert_eq!(exposed(&g, "segment", Mode::Data), ["email", "name"]);
    assert_eq!(exposed(&g, "mixpanel", Mode::Data), ["email", "name"]);
    // segment never received the key, so it cannot forward it.
    assert_eq!(exposed(&g, "amplitude", Mode::Data), ["email"]);
}

#[test]
fn cycles_terminate_and_share_everything_on_the_cycle() {
    let m = map(&format!(
        "{FIELDS}components:
  a: {{ holds: [email] }}
  b: {{ holds: [name] }}
vendors:
  segment: {{}}
  mixpanel: {{}}
flows:
  - {{ from: a, to: segment, fields: all }}
  - {{ from: b, to: mixpanel, fields: all }}
  - {{ from: segment, to: mixpanel, fields: all }}
  - {{ from: mixpanel, to: segment, fields: all }}
"
    ));
    let g = DataGraph::build(&m);
    assert_eq!(exposed(&g, "segment", Mode::Data), ["email", "name"]);
    assert_eq!(exposed(&g, "mixpanel", Mode::Data), ["email", "name"]);
}

#[test]
fn a_component_sends_what_it_lists_even_if_holds_is_silent() {
    let m = map(&format!(
        "{FIELDS}components:
  web: {{}}
vendors:
  mixpanel: {{}}
flows:
  - {{ from: web, to: mixpanel, fields: [email, user.device.os] }}
"
    ));
    let g = DataGraph::build(&m);
    assert_eq!(
        exposed(&g, "mixpanel", Mode::Data),
        ["email", "user.device.os"]
    );
}

#[test]
fn access_grants_expose_what_the_other_system_holds_or_received() {
    let m = map(&format!(
        "{FIELDS}components:
  billing: {{ holds: [email, name, key] }}
vendors:
  salesforce: {{}}
  drift: {{ name: Drift, category: support, access: [salesforce] }}
  widget: {{ name: Widget, category: support, access: [drift] }}
flows:
  - {{ from: billing, to: salesforce, fields: [email, name] }}
"
    ));
    let g = DataGraph::build(&m);
    assert_eq!(exposed(&g, "drift", Mode::Data), ["email", "name"]);
    // Followed transitively: widget holds a grant to drift, which holds one to salesforce.
    assert_eq!(exposed(&g, "widget", Mode::Data), ["email", "name"]);
    let r = g.blast("drift", Mode::Data).unwrap();
    let email = r.exposed.iter().find(|e| e.field == "email").unwrap();
    assert_eq!(email.paths, vec![vec!["billing", "salesforce", "drift"]]);
    assert_eq!(email.routes[0].hops[1].via, HopKind::Access);
    // Access does not flow onwards: salesforce itself gained nothing.
    assert_eq!(exposed(&g, "salesforce", Mode::Data), ["email", "name"]);
}

/// Regression: a ring of access grants (each vendor can read the next)
/// made `rank` quadratic; every member of the ring reads everything the
/// ring holds, computed once.
#[test]
fn a_ring_of_access_grants_exposes_the_whole_ring_to_each() {
    let m = map(&format!(
        "{FIELDS}components:
  a: {{ holds: [email] }}
  b: {{ holds: [name] }}
  c: {{ holds: [chat] }}
vendors:
  v0: {{ name: V0, category: other, access: [v1] }}
  v1: {{ name: V1, category: other, access: [v2] }}
  v2: {{ name: V2, category: other, access: [v0] }}
  outside: {{ name: Outside, category: other, access: [v0] }}
flows:
  - {{ from: a, to: v0, fields: [email] }}
  - {{ from: b, to: v1, fields: [name] }}
  - {{ from: c, to: v2, fields: [chat] }}
"
    ));
    let g = DataGraph::build(&m);
    for v in ["v0", "v1", "v2", "outside"] {
        assert_eq!(exposed(&g, v, Mode::Data), ["chat", "email", "name"], "{v}");
    }
}

#[test]
fn code_mode_exposes_everything_the_embedding_component_holds() {
    let m = map(&format!(
        "{FIELDS}components:
  web: {{ holds: [email, name, key, chat] }}
  api: {{ holds: [chat] }}
vendors:
  mixpanel: {{}}
flows:
  - {{ from: web, to: mixpanel, fields: [email] }}
"
    ));
    let g = DataGraph::build(&m);
    assert_eq!(exposed(&g, "mixpanel", Mode::Data), ["email"]);
    assert_eq!(
        exposed(&g, "mixpanel", Mode::Code),
        ["chat", "email", "key", "name"]
    );
    let r = g.blast("mixpanel", Mode::Code).unwrap();
    let key = r.exposed.iter().find(|e| e.field == "key").unwrap();
    assert_eq!(key.routes[0].hops[0].via, HopKind::Code);
    assert!(r.credentials_exposed);
    assert!(r.actions.iter().any(|a| a.id == "rotate-credentials"));
}

#[test]
fn paths_keep_the_shortest_per_origin_and_count_the_rest() {
    let m = map(&format!(
        "{FIELDS}components:
  web: {{ holds: [email] }}
vendors:
  segment: {{}}
  rudderstack: {{}}
  mixpanel: {{}}
flows:
  - {{ from: web, to: mixpanel, fields: [email] }}
  - {{ from: web, to: segment, fields: [email] }}
  - {{ from: web, to: rudderstack, fields: [email] }}
  - {{ from: segment, to: mixpanel, fields: all }}
  - {{ from: rudderstack, to: segment, fields: all }}
"
    ));
    let g = DataGraph::build(&m);
    let r = g.blast("mixpanel", Mode::Data).unwrap();
    let e = &r.exposed[0];
    assert_eq!(e.paths, vec![vec!["web", "mixpanel"]]);
    // web→segment→mixpanel and web→rudderstack→segment→mixpanel.
    assert_eq!(e.routes[0].more_paths, 2);
    assert!(!e.routes[0].more_paths_is_lower_bound);
}

#[test]
fn path_counting_stays_bounded_on_dense_graphs() {
    // A complete graph of 12 vendors has billions of simple paths.
    let mut yaml = format!("{FIELDS}components:\n  web: {{ holds: [email] }}\nvendors:\n");
    let ids: Vec<String> = (0..12).map(|i| format!("v{i}")).collect();
    for id in &ids {
        yaml.push_str(&format!("  {id}: {{ name: {id}, category: other }}\n"));
    }
    yaml.push_str("flows:\n  - { from: web, to: v0, fields: [email] }\n");
    for a in &ids {
        for b in &ids {
            if a != b {
                yaml.push_str(&format!("  - {{ from: {a}, to: {b}, fields: all }}\n"));
            }
        }
    }
    let m = map(&yaml);
    let g = DataGraph::build(&m);
    let r = g.blast("v11", Mode::Data).unwrap();
    let route = &r.exposed[0].routes[0];
    assert_eq!(route.nodes, ["web", "v0", "v11"]);
    assert!(route.more_paths_is_lower_bound);
    assert!(route.more_paths > 100);
}

#[test]
fn no_credentials_means_no_rotation_and_a_note_saying_so() {
    let m = map(&format!(
        "{FIELDS}components:
  web: {{ holds: [email, name, key] }}
vendors:
  mixpanel: {{}}
flows:
  - {{ from: web, to: mixpanel, fields: [email, name] }}
"
    ));
    let g = DataGraph::build(&m);
    let r = g.blast("mixpanel", Mode::Data).unwrap();
    assert!(!r.credentials_exposed);
    assert!(!r.actions.iter().any(|a| a.id == "rotate-credentials"));
    // The note (`report::words`) names the credentials that stayed home.
    assert_eq!(r.credentials_held, ["key"]);
    let not: Vec<&str> = r.not_exposed.iter().map(|n| n.field.as_str()).collect();
    assert_eq!(not, ["key", "chat"]);
}

#[test]
fn unknown_vendor_suggests_a_near_miss() {
    let m = map(&format!("{FIELDS}vendors:\n  mixpanel: {{}}\n"));
    let g = DataGraph::build(&m);
    let e = g.blast("mixpnael", Mode::Data).unwrap_err();
    assert_eq!(
        e.to_string(),
        "vendor `mixpnael` is not in this map; did you mean `mixpanel`?"
    );
}

#[test]
fn equal_exposure_gives_equal_scores() {
    let m = map(&format!(
        "{FIELDS}components:
  web: {{ holds: [email, name] }}
vendors:
  mixpanel: {{}}
  amplitude: {{}}
flows:
  - {{ from: web, to: mixpanel, fields: [email, name] }}
  - {{ from: web, to: amplitude, fields: all }}
"
    ));
    let g = DataGraph::build(&m);
    let r = g.rank(Mode::Data);
    assert_eq!(r.vendors[0].score, r.vendors[1].score);
    assert_eq!(r.vendors[0].vendor, "amplitude", "ties are broken by id");
}

mod property {
    use super::*;
    use proptest::prelude::*;

    type RandomFlow = (usize, usize, Option<Vec<usize>>);

    /// A random map: a few components and vendors, random holds and flows.
    fn arb_map() -> impl Strategy<Value = (String, Vec<RandomFlow>, RandomFlow)> {
        let flow = (
            0usize..8,
            0usize..8,
            prop::option::of(prop::collection::vec(0usize..4, 0..4)),
        );
        let holds = prop::collection::vec(prop::collection::vec(0usize..4, 0..4), 3);
        (holds, prop::collection::vec(flow.clone(), 0..20), flow).prop_map(
            |(holds, flows, extra)| {
                let mut y = String::from(FIELDS);
                y.push_str("components:\n");
                for (i, h) in holds.iter().enumerate() {
                    let names: Vec<&str> = h
                        .iter()
                        .map(|f| ["email", "name", "key", "chat"][*f])
                        .collect();
                    y.push_str(&format!("  c{i}: {{ holds: [{}] }}\n", names.join(", ")));
                }
                y.push_str("vendors:\n");
                for i in 0..5 {
                    y.push_str(&format!("  v{i}: {{ name: V{i}, category: other }}\n"));
                }
                (y, flows, extra)
            },
        )
    }

    fn node(i: usize) -> String {
        if i < 3 {
            format!("c{i}")
        } else {
            format!("v{}", i - 3)
        }
    }

    fn flows_yaml(flows: &[RandomFlow]) -> String {
        let mut y = String::from("flows:\n");
        for (a, b, f) in flows {
            if a == b {
                continue;
            }
            let fields = match f {
                None => "all".to_string(),
                Some(list) => format!(
                    "[{}]",
                    list.iter()
                        .map(|f| ["email", "name", "key", "chat"][*f])
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            y.push_str(&format!(
                "  - {{ from: {}, to: {}, fields: {fields} }}\n",
                node(*a),
                node(*b)
            ));
        }
        y
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Access grants are shared by strongly connected component (so a
        /// ring of grants is not quadratic); the exposure must equal the
        /// plain breadth-first closure over grants, for any grants, rings
        /// included.
        #[test]
        fn shared_access_sets_equal_the_plain_closure(
            (base, flows, _) in arb_map(),
            grants in prop::collection::vec((0usize..5, 0usize..8), 0..12),
        ) {
            let mut targets: Vec<Vec<String>> = vec![Vec::new(); 5];
            for (v, to) in &grants {
                let target = node(*to);
                if target != format!("v{v}") && !targets[*v].contains(&target) {
                    targets[*v].push(target);
                }
            }
            let mut with = base.clone();
            for (v, t) in targets.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
                with = with.replace(
                    &format!("  v{v}: {{ name: V{v}, category: other"),
                    &format!("  v{v}: {{ name: V{v}, category: other, access: [{}]", t.join(", ")),
                );
            }
            let m = map(&format!("{with}{}", flows_yaml(&flows)));
            let g = DataGraph::build(&m);
            for i in 0..5 {
                let v = g.node(&format!("v{i}")).unwrap();
                let mut plain = g.available(v).clone();
                for n in g.access_closure(v) {
                    plain.union_with(g.available(n));
                }
                prop_assert_eq!(g.exposure(v, Mode::Data), plain);
            }
        }

        /// Adding a flow can never shrink any vendor's blast radius.
        #[test]
        fn adding_a_flow_never_shrinks_exposure((base, flows, extra) in arb_map()) {
            let before = map(&format!("{base}{}", flows_yaml(&flows)));
            let mut more = flows.clone();
            more.push(extra);
            let after = map(&format!("{base}{}", flows_yaml(&more)));
            let (g1, g2) = (DataGraph::build(&before), DataGraph::build(&after));
            for i in 0..5 {
                let id = format!("v{i}");
                for mode in [Mode::Data, Mode::Code] {
                    let a = exposed(&g1, &id, mode);
                    let b = exposed(&g2, &id, mode);
                    for f in &a {
                        prop_assert!(b.contains(f), "{id} lost {f} in {mode:?}");
                    }
                    let s1 = g1.summarize(g1.exposure(g1.node(&id).unwrap(), mode)).score;
                    let s2 = g2.summarize(g2.exposure(g2.node(&id).unwrap(), mode)).score;
                    prop_assert!(s2 >= s1, "{id} score fell {s1} -> {s2}");
                }
            }
        }
    }
}
