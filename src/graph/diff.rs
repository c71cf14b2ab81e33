//! `diff A B`: what changed between two maps — vendors, components, fields
//! and flows added or removed, and every vendor whose blast radius changed.
//!
//! Flows are compared per pair of ends (`from → to`): several declared flows
//! between the same two systems count as one, carrying the union of their
//! fields (or `all` when any of them carries everything), because that is
//! what the graph computes with. A pair in both maps with other fields is
//! reported as changed, with the fields added and removed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::whatif::{Change, ExposureDiff, compare_vendors};
use super::{DataGraph, Mode};
use crate::model::assume::{FieldsRef, FlowRef};
use crate::model::{FlowFields, Map, Sensitivity};

/// A vendor in one of the two maps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorRef {
    /// Id.
    pub vendor: String,
    /// Display name.
    pub name: String,
    /// Category.
    pub category: String,
}

/// A vendor in both maps whose declaration changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorChange {
    /// Id.
    pub vendor: String,
    /// Category, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Change<String>>,
    /// Systems it gained credentials to.
    pub access_added: Vec<String>,
    /// Systems it lost credentials to.
    pub access_removed: Vec<String>,
}

/// A field in one of the two maps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldRef {
    /// Id.
    pub field: String,
    /// Taxonomy key.
    pub category: String,
    /// Effective sensitivity.
    pub sensitivity: Sensitivity,
}

/// A field in both maps whose category or sensitivity changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChangeRef {
    /// Id.
    pub field: String,
    /// Taxonomy key.
    pub category: Change<String>,
    /// Effective sensitivity.
    pub sensitivity: Change<Sensitivity>,
}

/// A pair of ends in both maps that carries other fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowChange {
    /// Source id.
    pub from: String,
    /// Destination id.
    pub to: String,
    /// Fields before.
    pub before: FieldsRef,
    /// Fields after.
    pub after: FieldsRef,
    /// Field ids carried only after (empty when either side is `all`).
    pub fields_added: Vec<String>,
    /// Field ids carried only before (empty when either side is `all`).
    pub fields_removed: Vec<String>,
}

/// One side of the diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapRef {
    /// The file it was read from.
    pub file: String,
    /// The system's name.
    pub system: String,
}

/// Everything that differs between two maps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapDiff {
    /// Output contract version.
    pub version: u32,
    /// The first map.
    pub before: MapRef,
    /// The second map.
    pub after: MapRef,
    /// Mode the blast radii were computed in.
    pub mode: Mode,
    /// True when anything below is non-empty.
    pub changed: bool,
    /// Vendors only in the second map.
    pub vendors_added: Vec<VendorRef>,
    /// Vendors only in the first map.
    pub vendors_removed: Vec<VendorRef>,
    /// Vendors in both whose category or access grants changed.
    pub vendors_changed: Vec<VendorChange>,
    /// Component ids only in the second map.
    pub components_added: Vec<String>,
    /// Component ids only in the first map.
    pub components_removed: Vec<String>,
    /// Declared fields only in the second map.
    pub fields_added: Vec<FieldRef>,
    /// Declared fields only in the first map.
    pub fields_removed: Vec<FieldRef>,
    /// Fields in both with another category or sensitivity.
    pub fields_changed: Vec<FieldChangeRef>,
    /// Flows between ends that only the second map connects.
    pub flows_added: Vec<FlowRef>,
    /// Flows between ends that only the first map connects.
    pub flows_removed: Vec<FlowRef>,
    /// Flows between the same ends that carry other fields.
    pub flows_changed: Vec<FlowChange>,
    /// Vendors whose blast radius changed, largest increase first.
    pub exposure: ExposureDiff,
}

/// Flows per pair of ends, fields merged.
fn flow_pairs(map: &Map) -> BTreeMap<(&str, &str), FieldsRef> {
    let mut out: BTreeMap<(&str, &str), Option<BTreeSet<&str>>> = BTreeMap::new();
    for f in &map.flows {
        let e = out
            .entry((f.from.as_str(), f.to.as_str()))
            .or_insert_with(|| Some(BTreeSet::new()));
        match (&f.fields, e.as_mut()) {
            (FlowFields::All, _) => *e = None,
            (FlowFields::List(l), Some(set)) => set.extend(l.iter().map(String::as_str)),
            (FlowFields::List(_), None) => {}
        }
    }
    out.into_iter()
        .map(|(k, v)| {
            let f = match v {
                None => FieldsRef::All,
                Some(s) => FieldsRef::List(s.into_iter().map(str::to_string).collect()),
            };
            (k, f)
        })
        .collect()
}

fn vendor_ref(map: &Map, id: &str) -> VendorRef {
    let v = &map.vendors[id];
    VendorRef {
        vendor: id.to_string(),
        name: v.name.clone(),
        category: v.category.as_str().to_string(),
    }
}

fn field_ref(map: &Map, id: &str) -> FieldRef {
    let f = &map.fields[id];
    FieldRef {
        field: id.to_string(),
        category: f.category.clone(),
        sensitivity: f.sensitivity,
    }
}

/// Vendors in both maps whose category or access grants changed.
fn vendor_changes(before: &Map, after: &Map) -> Vec<VendorChange> {
    let mut vendors_changed = Vec::new();
    for (id, b) in &before.vendors {
        let Some(a) = after.vendors.get(id) else {
            continue;
        };
        let ba: BTreeSet<&String> = b.access.iter().collect();
        let aa: BTreeSet<&String> = a.access.iter().collect();
        let c = VendorChange {
            vendor: id.clone(),
            category: (b.category != a.category).then(|| Change {
                before: b.category.as_str().to_string(),
                after: a.category.as_str().to_string(),
            }),
            access_added: aa.difference(&ba).map(|s| s.to_string()).collect(),
            access_removed: ba.difference(&aa).map(|s| s.to_string()).collect(),
        };
        if c.category.is_some() || !c.access_added.is_empty() || !c.access_removed.is_empty() {
            vendors_changed.push(c);
        }
    }
    vendors_changed
}

/// Fields in both maps whose category or sensitivity changed.
fn field_changes(before: &Map, after: &Map) -> Vec<FieldChangeRef> {
    let mut fields_changed = Vec::new();
    for (id, b) in &before.fields {
        let Some(a) = after.fields.get(id) else {
            continue;
        };
        if b.category != a.category || b.sensitivity != a.sensitivity {
            fields_changed.push(FieldChangeRef {
                field: id.clone(),
                category: Change {
                    before: b.category.clone(),
                    after: a.category.clone(),
                },
                sensitivity: Change {
                    before: b.sensitivity,
                    after: a.sensitivity,
                },
            });
        }
    }
    fields_changed
}

/// Diffs two maps; `files` name them in the output.
pub fn diff(before: &Map, after: &Map, files: (&str, &str), mode: Mode) -> MapDiff {
    fn only_keys<T, U>(a: &BTreeMap<String, T>, b: &BTreeMap<String, U>) -> Vec<String> {
        a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
    }

    let vendors_added = only_keys(&after.vendors, &before.vendors)
        .iter()
        .map(|id| vendor_ref(after, id))
        .collect();
    let vendors_removed = only_keys(&before.vendors, &after.vendors)
        .iter()
        .map(|id| vendor_ref(before, id))
        .collect();
    let vendors_changed = vendor_changes(before, after);

    let declared = |m: &Map| -> BTreeMap<String, ()> {
        m.fields
            .values()
            .filter(|f| !f.implicit)
            .map(|f| (f.id.clone(), ()))
            .collect()
    };
    let (bf, af) = (declared(before), declared(after));
    let fields_added = only_keys(&af, &bf)
        .iter()
        .map(|id| field_ref(after, id))
        .collect();
    let fields_removed = only_keys(&bf, &af)
        .iter()
        .map(|id| field_ref(before, id))
        .collect();
    let fields_changed = field_changes(before, after);

    let (bp, ap) = (flow_pairs(before), flow_pairs(after));
    let mut flows_added = Vec::new();
    let mut flows_changed = Vec::new();
    for ((from, to), fields) in &ap {
        match bp.get(&(*from, *to)) {
            None => flows_added.push(FlowRef {
                from: from.to_string(),
                to: to.to_string(),
                fields: fields.clone(),
            }),
            Some(old) if old != fields => {
                let (added, removed) = match (old, fields) {
                    (FieldsRef::List(o), FieldsRef::List(n)) => {
                        let o: BTreeSet<&String> = o.iter().collect();
                        let n: BTreeSet<&String> = n.iter().collect();
                        (
                            n.difference(&o).map(|s| s.to_string()).collect(),
                            o.difference(&n).map(|s| s.to_string()).collect(),
                        )
                    }
                    _ => (Vec::new(), Vec::new()),
                };
                flows_changed.push(FlowChange {
                    from: from.to_string(),
                    to: to.to_string(),
                    before: old.clone(),
                    after: fields.clone(),
                    fields_added: added,
                    fields_removed: removed,
                });
            }
            Some(_) => {}
        }
    }
    let flows_removed: Vec<FlowRef> = bp
        .iter()
        .filter(|(k, _)| !ap.contains_key(*k))
        .map(|((from, to), fields)| FlowRef {
            from: from.to_string(),
            to: to.to_string(),
            fields: fields.clone(),
        })
        .collect();

    let bg = DataGraph::build(before);
    let ag = DataGraph::build(after);
    let exposure = compare_vendors(&bg, &ag, mode);

    let mut d = MapDiff {
        version: 1,
        before: MapRef {
            file: files.0.to_string(),
            system: before.system.clone(),
        },
        after: MapRef {
            file: files.1.to_string(),
            system: after.system.clone(),
        },
        mode,
        changed: false,
        vendors_added,
        vendors_removed,
        vendors_changed,
        components_added: only_keys(&after.components, &before.components),
        components_removed: only_keys(&before.components, &after.components),
        fields_added,
        fields_removed,
        fields_changed,
        flows_added,
        flows_removed,
        flows_changed,
        exposure,
    };
    d.changed = !(d.vendors_added.is_empty()
        && d.vendors_removed.is_empty()
        && d.vendors_changed.is_empty()
        && d.components_added.is_empty()
        && d.components_removed.is_empty()
        && d.fields_added.is_empty()
        && d.fields_removed.is_empty()
        && d.fields_changed.is_empty()
        && d.flows_added.is_empty()
        && d.flows_removed.is_empty()
        && d.flows_changed.is_empty()
        && d.exposure.vendors.is_empty());
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::blast::Severity;
    use crate::graph::whatif::VendorStatus;
    use crate::model::declaration::load_str;

    const BASE: &str = "version: 1
system: shop
subjects:
  u: { count: 20000 }
fields:
  email: { category: user.contact.email, subject: u }
  name: { category: user.name, subject: u }
  card: { category: user.financial.credit_card, subject: u }
components:
  web: { holds: [email, name, card] }
vendors:
  segment: {}
  mixpanel: {}
  stripe: {}
flows:
  - { from: web, to: segment, fields: [email] }
  - { from: web, to: segment, fields: [name] }
  - { from: segment, to: mixpanel, fields: all }
  - { from: web, to: stripe, fields: [card] }
";

    fn load(s: &str) -> Map {
        load_str(s, "t.yaml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_same_map_has_no_differences() {
        let d = diff(&load(BASE), &load(BASE), ("a", "b"), Mode::Data);
        assert!(!d.changed, "{d:#?}");
        assert_eq!(d.exposure.unchanged, 3);
    }

    #[test]
    fn splitting_a_flow_in_two_is_not_a_change() {
        let merged = BASE.replace(
            "  - { from: web, to: segment, fields: [email] }\n  - { from: web, to: segment, fields: [name] }\n",
            "  - { from: web, to: segment, fields: [name, email] }\n",
        );
        assert_ne!(merged, BASE);
        let d = diff(&load(BASE), &load(&merged), ("a", "b"), Mode::Data);
        assert!(!d.changed, "{d:#?}");
    }

    #[test]
    fn added_vendor_widened_flow_and_removed_forwarder() {
        let after = BASE
            .replace("  segment: {}\n", "  amplitude: {}\n")
            .replace(
                "  - { from: web, to: segment, fields: [email] }\n  - { from: web, to: segment, fields: [name] }\n  - { from: segment, to: mixpanel, fields: all }\n",
                "  - { from: web, to: mixpanel, fields: [email] }\n  - { from: web, to: amplitude, fields: [email, name, card] }\n",
            )
            .replace("  stripe: {}\n", "  stripe: {}\n  drift: { name: Drift, category: support, access: [stripe] }\n");
        let d = diff(&load(BASE), &load(&after), ("a", "b"), Mode::Data);
        assert!(d.changed);
        let ids = |v: &[VendorRef]| v.iter().map(|x| x.vendor.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.vendors_added), ["amplitude", "drift"]);
        assert_eq!(ids(&d.vendors_removed), ["segment"]);
        let pairs = |v: &[FlowRef]| {
            v.iter()
                .map(|f| format!("{}->{}: {}", f.from, f.to, f.fields.joined()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            pairs(&d.flows_added),
            ["web->amplitude: card, email, name", "web->mixpanel: email"]
        );
        assert_eq!(
            pairs(&d.flows_removed),
            ["segment->mixpanel: all", "web->segment: email, name"]
        );
        let by = |id: &str| d.exposure.vendors.iter().find(|v| v.vendor == id).unwrap();
        let amp = by("amplitude");
        assert_eq!(amp.status, VendorStatus::Added);
        assert_eq!(amp.newly_exposed, ["card", "email", "name"]);
        assert_eq!(amp.severity.after, Severity::Critical);
        let mp = by("mixpanel");
        assert_eq!(mp.status, VendorStatus::Changed);
        assert_eq!(mp.no_longer_exposed, ["name"]);
        assert!(mp.newly_exposed.is_empty());
        // drift reads stripe through its grant: it holds the card too.
        assert_eq!(by("drift").newly_exposed, ["card"]);
        assert_eq!(by("segment").status, VendorStatus::Removed);
        // Largest increase first.
        assert!(d.exposure.vendors[0].score_delta() >= d.exposure.vendors[1].score_delta());
        assert_eq!(d.exposure.unchanged, 1, "stripe");
    }

    #[test]
    fn a_flow_that_carries_other_fields_is_changed_with_both_lists() {
        let after = BASE.replace(
            "  - { from: web, to: stripe, fields: [card] }",
            "  - { from: web, to: stripe, fields: [email, name] }",
        );
        let d = diff(&load(BASE), &load(&after), ("a", "b"), Mode::Data);
        assert_eq!(d.flows_changed.len(), 1);
        let c = &d.flows_changed[0];
        assert_eq!((c.from.as_str(), c.to.as_str()), ("web", "stripe"));
        assert_eq!(c.fields_added, ["email", "name"]);
        assert_eq!(c.fields_removed, ["card"]);
        assert!(d.flows_added.is_empty() && d.flows_removed.is_empty());
        let stripe = &d
            .exposure
            .vendors
            .iter()
            .find(|v| v.vendor == "stripe")
            .unwrap();
        assert!(stripe.severity.after < stripe.severity.before);
    }
}
