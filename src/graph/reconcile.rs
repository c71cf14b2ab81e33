//! Reconciling a scan with the declarations: discovered integrations join
//! the declared graph, each fact marked `declared`, `discovered` or `both`.
//!
//! Rules:
//! - Only production integrations become flows; test and dev findings are
//!   reported by the scan but carry no user data out of the system, and a
//!   flow's evidence is its production evidence only (a test that mocks the
//!   SDK is not where data leaves).
//! - A declared flow `component → vendor` that the code confirms becomes
//!   `both` and gains the code evidence (and any field categories the code
//!   shows, so that merging never shrinks a blast radius).
//! - Otherwise a new flow is added, `discovered`, carrying the categories
//!   seen at call sites as implicit fields (taxonomy keys used directly, as
//!   the loader does for `fields: [user.contact.email]`); with no field seen
//!   yet, the flow still exists, with an empty field list and its evidence.
//! - A category seen in the code stands for the map's one declared field of
//!   that category, when there is exactly one (`user.device.ip_address` →
//!   `ip_address`), as `blastmap merge` does: otherwise a report would list
//!   the same data twice, once as exposed and once as not exposed.
//! - `system.*` categories (the system's own secrets and operations data,
//!   such as the client secret a payment SDK hands back to its own vendor)
//!   are not a person's data: the scan reports them, but they do not become
//!   fields of a flow.
//! - Merging the same scan twice changes nothing the second time.
//!
//! Observed traffic (`--observed FILE`, [`merge_observed`]) joins the same
//! way, after the scan, with origin `observed` and `observed` evidence (the
//! request). A recording says which vendor received what, not which of the
//! system's components sent it: when exactly one component already sends
//! to that vendor (declared, or found in the code), the observation is
//! that flow's and joins it; otherwise the flow starts at a component named
//! [`OBSERVED`], so that no component is credited by guess.

use crate::catalog::Catalog;
use crate::model::{
    Component, ComponentKind, Evidence, EvidenceKind, Field, Flow, FlowFields, Map, Origin, Scope,
    Vendor,
};
use crate::observe::ObservedReport;
use crate::scan::{Integration, ScanResult};

/// The id used for findings no component could be attributed to.
pub const UNATTRIBUTED: &str = "code";

/// The component observed flows start from when the recording cannot say
/// which component sent them (see the module docs).
pub const OBSERVED: &str = "observed";

/// The component an observed flow to `vendor` starts from: the one
/// component that already sends to it, else [`OBSERVED`].
pub fn observed_component(map: &Map, vendor: &str) -> String {
    let from: std::collections::BTreeSet<&str> = map
        .flows
        .iter()
        .filter(|f| f.to == vendor && map.components.contains_key(&f.from))
        .map(|f| f.from.as_str())
        .collect();
    match from.len() {
        1 => from.into_iter().next().unwrap_or(OBSERVED).to_string(),
        _ => OBSERVED.to_string(),
    }
}

/// Adds what a recording observed to `map` (see the module docs); merge
/// the scan first, so that its components can take the observations.
pub fn merge_observed(map: &mut Map, observed: &ObservedReport) {
    let scan = observed.to_scan(&|v| observed_component(map, v));
    merge(map, &scan, Catalog::builtin(), Origin::OBSERVED);
}

/// Adds a scan's production integrations to `map` (see the module docs).
pub fn merge_scan(map: &mut Map, scan: &ScanResult) {
    merge_scan_with_catalog(map, scan, Catalog::builtin());
}

/// [`merge_scan`] with a given catalog (tests use small ones).
pub fn merge_scan_with_catalog(map: &mut Map, scan: &ScanResult, catalog: &Catalog) {
    merge(map, scan, catalog, Origin::DISCOVERED);
}

/// Adds `scan`'s production integrations as facts of `origin`.
fn merge(map: &mut Map, scan: &ScanResult, catalog: &Catalog, origin: Origin) {
    let sole_subject = if map.subjects.len() == 1 {
        map.subjects.keys().next().cloned()
    } else {
        None
    };
    for integ in scan
        .integrations
        .iter()
        .filter(|i| i.scope == Scope::Production)
    {
        if !join_vendor(map, catalog, &integ.vendor, origin) {
            continue;
        }
        let cid = join_component(map, scan, integ, origin);

        // Where each category is sent (or collected), for the report.
        // Keyed by the flow's own ends: the component as named above
        // (unattributed, or suffixed when it collides with a vendor).
        let at = map
            .field_evidence
            .entry((cid.clone(), integ.vendor.clone()))
            .or_default();
        for f in &integ.fields {
            let kind = if origin == Origin::OBSERVED {
                EvidenceKind::Observed
            } else if crate::scan::collects::is_collected(&f.name) {
                EvidenceKind::Collects
            } else {
                EvidenceKind::Call
            };
            let e = Evidence {
                kind,
                file: f.file.clone(),
                line: f.line,
                text: f.name.clone(),
                scope: Scope::Production,
            };
            if !at.iter().any(|(cat, x)| cat == &f.category && x == &e) {
                at.push((f.category.clone(), e));
            }
        }

        // The categories seen at call sites (or collected by the SDK), each
        // as the declared field that stands for it, or as itself.
        let mut cats: Vec<String> = integ
            .fields
            .iter()
            .filter(|f| map.taxonomy.contains(&f.category))
            .filter(|f| !crate::catalog::taxonomy::Taxonomy::is_within(&f.category, "system"))
            .map(|f| declared_field_for(map, &f.category).unwrap_or_else(|| f.category.clone()))
            .collect();
        cats.sort();
        cats.dedup();

        // The flow. A category a declared field of the flow already stands
        // for is not added again as an implicit field.
        let existing = map
            .flows
            .iter()
            .position(|fl| fl.from == cid && fl.to == integ.vendor);
        let added: Vec<String> = match existing.map(|i| &map.flows[i].fields) {
            Some(FlowFields::All) => Vec::new(),
            Some(FlowFields::List(list)) => cats
                .into_iter()
                .filter(|c| {
                    !list
                        .iter()
                        .any(|id| id == c || map.fields.get(id).is_some_and(|f| &f.category == c))
                })
                .collect(),
            None => cats,
        };
        for c in &added {
            if !map.fields.contains_key(c) {
                map.fields.insert(
                    c.clone(),
                    Field {
                        id: c.clone(),
                        category: c.clone(),
                        subject: sole_subject.clone(),
                        sensitivity: map.taxonomy.sensitivity(c),
                        description: None,
                        implicit: true,
                    },
                );
            }
        }
        match existing {
            Some(i) => {
                let flow = &mut map.flows[i];
                flow.origin = flow.origin.merge(origin);
                for e in integ
                    .evidence
                    .iter()
                    .filter(|e| e.scope == Scope::Production)
                {
                    if !flow.evidence.contains(e) {
                        flow.evidence.push(e.clone());
                    }
                }
                if let FlowFields::List(list) = &mut flow.fields {
                    for c in &added {
                        if !flow.discovered.contains(c) {
                            flow.discovered.push(c.clone());
                        }
                    }
                    list.extend(added);
                }
            }
            None => map.flows.push(Flow {
                from: cid,
                to: integ.vendor.clone(),
                fields: FlowFields::List(added.clone()),
                purpose: None,
                evidence: integ
                    .evidence
                    .iter()
                    .filter(|e| e.scope == Scope::Production)
                    .cloned()
                    .collect(),
                origin,
                discovered: added,
            }),
        }
    }
}

/// Marks the integration's vendor with `origin`, adding it from the
/// catalog when the map lacks it; false when the catalog does not know it.
fn join_vendor(map: &mut Map, catalog: &Catalog, id: &str, origin: Origin) -> bool {
    match map.vendors.get_mut(id) {
        Some(v) => v.origin = v.origin.merge(origin),
        None => {
            let Some(cv) = catalog.get(id) else {
                return false;
            };
            map.vendors.insert(
                cv.id.clone(),
                Vendor {
                    id: cv.id.clone(),
                    name: cv.name.clone(),
                    category: cv.category,
                    access: Vec::new(),
                    in_catalog: true,
                    origin,
                },
            );
        }
    }
    true
}

/// The component an integration starts from, marked with `origin` and
/// added when the map lacks it: a discovered id that collides with a
/// vendor or a field gets a suffix rather than merging two different
/// things.
fn join_component(map: &mut Map, scan: &ScanResult, integ: &Integration, origin: Origin) -> String {
    let mut cid = integ
        .component
        .clone()
        .unwrap_or_else(|| UNATTRIBUTED.to_string());
    if map.vendors.contains_key(&cid) && !map.components.contains_key(&cid) {
        cid = format!("{cid}-app");
    }
    match map.components.get_mut(&cid) {
        Some(c) => c.origin = c.origin.merge(origin),
        None => {
            let path = scan
                .components
                .iter()
                .find(|c| c.id == cid)
                .map(|c| c.path.clone())
                .unwrap_or_default();
            let observed = origin == Origin::OBSERVED;
            map.components.insert(
                cid.clone(),
                Component {
                    id: cid.clone(),
                    name: None,
                    // What a recording saw was sent by a page.
                    kind: if observed {
                        ComponentKind::Web
                    } else {
                        ComponentKind::Other
                    },
                    // An observed component has no code of its own.
                    paths: if observed {
                        Vec::new()
                    } else if path.is_empty() {
                        vec!["**".to_string()]
                    } else {
                        vec![format!("{path}/**")]
                    },
                    holds: Vec::new(),
                    origin,
                },
            );
        }
    }
    cid
}

/// The one declared (not implicit) field of exactly this category, if the
/// map has exactly one.
fn declared_field_for(map: &Map, category: &str) -> Option<String> {
    let mut found = map
        .fields
        .values()
        .filter(|f| !f.implicit && f.category == category);
    let first = found.next()?;
    found.next().is_none().then(|| first.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogVendor;
    use crate::model::declaration::load_str;
    use crate::model::{Evidence, EvidenceKind};
    use crate::scan::{FieldUse, Integration, ScanComponent};

    fn catalog() -> Catalog {
        let v = |y: &str| serde_yaml::from_str::<CatalogVendor>(y).unwrap();
        Catalog::from_vendors(vec![
            v("{id: mixpanel, name: Mixpanel, category: analytics}"),
            v("{id: sentry, name: Sentry, category: error-monitoring}"),
            v("{id: stripe, name: Stripe, category: payments}"),
        ])
    }

    fn ev(file: &str, line: u32, scope: Scope) -> Evidence {
        Evidence {
            kind: EvidenceKind::Import,
            file: file.into(),
            line,
            text: "import x".into(),
            scope,
        }
    }

    fn integ(vendor: &str, component: &str, scope: Scope, fields: &[&str]) -> Integration {
        Integration {
            vendor: vendor.into(),
            component: Some(component.into()),
            scope,
            evidence: vec![ev("web/src/a.ts", 3, scope)],
            fields: fields
                .iter()
                .map(|c| FieldUse {
                    category: c.to_string(),
                    name: "user.x".into(),
                    file: "web/src/a.ts".into(),
                    line: 4,
                })
                .collect(),
        }
    }

    const DECLARED: &str = "version: 1\nsystem: s\nsubjects:\n  user: {}\nfields:\n  email: { category: user.contact.email, subject: user }\ncomponents:\n  web: { kind: web, paths: [\"web/**\"], holds: [email] }\nvendors:\n  mixpanel: {}\nflows:\n  - { from: web, to: mixpanel, fields: [email] }\n";

    fn scan() -> ScanResult {
        ScanResult {
            version: 1,
            integrations: vec![
                integ("mixpanel", "web", Scope::Production, &["user.name"]),
                integ("sentry", "web", Scope::Production, &[]),
                integ("stripe", "web", Scope::Test, &[]),
                integ("stripe", "billing", Scope::Production, &["user.financial"]),
            ],
            components: vec![ScanComponent {
                id: "billing".into(),
                path: "services/billing".into(),
                source: "manifest".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn declared_flows_become_both_and_new_ones_are_discovered() {
        let mut map = load_str(DECLARED, "blastmap.yaml").unwrap();
        merge_scan_with_catalog(&mut map, &scan(), &catalog());
        let mp = map.flows.iter().find(|f| f.to == "mixpanel").unwrap();
        assert_eq!(mp.origin, Origin::BOTH);
        assert_eq!(mp.evidence.len(), 2);
        assert_eq!(
            mp.fields,
            FlowFields::List(vec!["email".into(), "user.name".into()])
        );
        assert_eq!(map.vendors["mixpanel"].origin, Origin::BOTH);
        assert_eq!(map.components["web"].origin, Origin::BOTH);

        let se = map.flows.iter().find(|f| f.to == "sentry").unwrap();
        assert_eq!(se.origin, Origin::DISCOVERED);
        assert_eq!(se.fields, FlowFields::List(vec![]));
        assert_eq!(map.vendors["sentry"].origin, Origin::DISCOVERED);

        // Test-only Stripe in web is not a flow; production Stripe in billing is.
        let st: Vec<&Flow> = map.flows.iter().filter(|f| f.to == "stripe").collect();
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].from, "billing");
        assert_eq!(map.components["billing"].paths, vec!["services/billing/**"]);
        let f = &map.fields["user.financial"];
        assert!(f.implicit);
        assert_eq!(f.subject.as_deref(), Some("user"));
    }

    #[test]
    fn a_category_a_declared_field_covers_is_not_added_twice() {
        let mut map = load_str(DECLARED, "blastmap.yaml").unwrap();
        let mut s = scan();
        s.integrations[0] = integ(
            "mixpanel",
            "web",
            Scope::Production,
            &["user.contact.email", "user.name"],
        );
        merge_scan_with_catalog(&mut map, &s, &catalog());
        let mp = map.flows.iter().find(|f| f.to == "mixpanel").unwrap();
        assert_eq!(
            mp.fields,
            FlowFields::List(vec!["email".into(), "user.name".into()])
        );
        assert!(!map.fields.contains_key("user.contact.email"));
    }

    #[test]
    fn a_category_stands_for_the_one_declared_field_and_system_data_is_no_field() {
        let mut map = load_str(DECLARED, "blastmap.yaml").unwrap();
        let mut s = scan();
        s.integrations[1] = integ(
            "sentry",
            "web",
            Scope::Production,
            &["user.contact.email", "system.authentication"],
        );
        merge_scan_with_catalog(&mut map, &s, &catalog());
        let sentry = map.flows.iter().find(|f| f.to == "sentry").unwrap();
        // The declared `email`, not a second field of the same category.
        assert_eq!(sentry.fields, FlowFields::List(vec!["email".into()]));
        assert!(!map.fields.contains_key("system.authentication"));
    }

    /// Each category's lines are kept under the flow's own ends: a
    /// component named like a vendor (`stripe`, which becomes `stripe-app`)
    /// keys its lines as `stripe-app`, not as the vendor `stripe`.
    #[test]
    fn field_lines_are_kept_under_the_flows_own_ends() {
        let mut map = load_str(DECLARED, "blastmap.yaml").unwrap();
        let mut s = scan();
        s.integrations.push(integ(
            "sentry",
            "stripe",
            Scope::Production,
            &["user.contact.email"],
        ));
        merge_scan_with_catalog(&mut map, &s, &catalog());
        let flow = map
            .flows
            .iter()
            .find(|f| f.to == "sentry" && f.from == "stripe-app")
            .expect("the colliding component is renamed");
        let lines = &map.field_evidence[&(flow.from.clone(), flow.to.clone())];
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0, "user.contact.email");
        assert!(
            !map.field_evidence
                .contains_key(&("stripe".to_string(), "sentry".to_string()))
        );
        let mixpanel = &map.field_evidence[&("web".to_string(), "mixpanel".to_string())];
        assert_eq!(mixpanel[0].0, "user.name");
        assert_eq!(mixpanel[0].1.kind, EvidenceKind::Call);
    }

    fn observed(vendor: &str, category: &str) -> ObservedReport {
        serde_json::from_value(serde_json::json!({
            "version": 1, "kind": "blastmap-observed", "show_values": false, "canaries": [],
            "files": [],
            "vendors": [{"vendor": vendor, "name": vendor, "categories": [category], "canaries": [],
                "requests": [{"file": "s.har", "entry": 4, "method": "POST", "url": "https://x/",
                    "formats": [], "unclassified": 0, "canaries": [],
                    "fields": [{"part": "body", "path": "traits.x", "category": category}]}]}]
        }))
        .unwrap()
    }

    /// The one component that sends to a vendor takes what was observed
    /// going there (its flow becomes declared+observed); a vendor no
    /// component sends to gets a flow from `observed`.
    #[test]
    fn observations_join_the_one_sender_or_start_at_observed() {
        let mut map = load_str(DECLARED, "blastmap.yaml").unwrap();
        merge_observed(&mut map, &observed("mixpanel", "user.contact.phone_number"));
        let mp = map.flows.iter().find(|f| f.to == "mixpanel").unwrap();
        assert_eq!(mp.from, "web");
        assert_eq!(mp.origin.as_str(), "declared+observed");
        assert!(
            mp.evidence
                .iter()
                .any(|e| e.kind == EvidenceKind::Observed && e.file == "s.har#entries[4]")
        );
        assert_eq!(mp.discovered, vec!["user.contact.phone_number".to_string()]);

        merge_observed(&mut map, &observed("segment", "user.contact.email"));
        let seg = map.flows.iter().find(|f| f.to == "segment").unwrap();
        assert_eq!(seg.from, OBSERVED);
        assert_eq!(seg.origin, Origin::OBSERVED);
        // The declared email stands for the category, as for a scan.
        assert_eq!(seg.fields, FlowFields::List(vec!["email".into()]));
        assert!(map.components[OBSERVED].paths.is_empty());
    }

    #[test]
    fn merging_twice_changes_nothing() {
        let mut once = load_str(DECLARED, "blastmap.yaml").unwrap();
        merge_scan_with_catalog(&mut once, &scan(), &catalog());
        let mut twice = once.clone();
        merge_scan_with_catalog(&mut twice, &scan(), &catalog());
        assert_eq!(once.flows, twice.flows);
        assert_eq!(once.fields, twice.fields);
    }

    #[test]
    fn blast_sees_discovered_fields() {
        let mut map = load_str(DECLARED, "blastmap.yaml").unwrap();
        merge_scan_with_catalog(&mut map, &scan(), &catalog());
        let g = crate::graph::DataGraph::build(&map);
        let n = g.node("mixpanel").unwrap();
        let got = g.available(n);
        let email = g.field_bit("email").unwrap() as usize;
        let name = g.field_bit("user.name").unwrap() as usize;
        assert!(got.contains(email) && got.contains(name));
    }
}
