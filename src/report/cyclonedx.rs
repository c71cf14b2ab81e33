//! CycloneDX 1.6 JSON: each vendor a `service` whose `data` lists every field
//! it receives (`inbound`) or forwards (`outbound`), classified by taxonomy
//! key, with BOM-Links to the source and destination; first-party components
//! as `components`; flows and access grants as `dependencies`.
//!
//! The serial number is derived from the content (a hash of the document
//! rendered without it), so the same map gives the same BOM byte for byte.
//! BOM-Links (`urn:cdx:<serial>/1#<bom-ref>`) need that serial, which is why
//! the document is rendered twice.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::export::{View, node_ref};
use crate::catalog;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    spec_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    services: Vec<Service>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata {
    tools: Tools,
    component: Component,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Tool>,
}

#[derive(Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Provider {
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    provider: Provider,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    endpoints: Vec<String>,
    #[serde(rename = "x-trust-boundary")]
    trust_boundary: bool,
    trust_zone: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<Data>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Data {
    flow: &'static str,
    classification: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    source: Vec<String>,
    destination: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

/// The bom-ref of the system itself (the BOM's subject).
const SYSTEM_REF: &str = "system";

/// Renders the CycloneDX document.
pub fn render(view: &View<'_, '_>) -> String {
    let mut bom = build(view);
    let unsigned = serde_json::to_string(&bom).unwrap_or_default();
    let serial = serial_for(&unsigned);
    link_data(&mut bom, &serial);
    bom.serial_number = Some(serial);
    super::json::to_string(&bom)
}

/// Every component and vendor appears in the dependency graph, with an
/// empty list when it depends on nothing (CycloneDX: "must be declared as
/// empty elements").
fn dependencies(
    components: &[Component],
    services: &[Service],
    depends: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Dependency> {
    let mut dependencies = vec![Dependency {
        reference: SYSTEM_REF.to_string(),
        depends_on: components.iter().map(|c| c.bom_ref.clone()).collect(),
    }];
    for r in components
        .iter()
        .map(|c| &c.bom_ref)
        .chain(services.iter().map(|s| &s.bom_ref))
    {
        dependencies.push(Dependency {
            reference: r.clone(),
            depends_on: depends
                .get(r)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        });
    }
    dependencies
}

/// Per vendor: (field id, counterpart ref).
type Key<'a> = (&'a str, &'a str);
/// (inbound, outbound, purposes) of a [`Key`].
type Seen<'a> = (bool, bool, BTreeSet<&'a str>);

/// The system's components, with their kind, origin, fields, paths and
/// repositories as properties.
fn components(view: &View<'_, '_>) -> Vec<Component> {
    let map = view.graph.map;
    let mut components = Vec::with_capacity(map.components.len());
    for c in map.components.values() {
        let mut properties = vec![
            prop("blastmap:kind", c.kind.as_str()),
            prop("blastmap:origin", c.origin.as_str()),
        ];
        let mut holds = c.holds.clone();
        holds.sort();
        holds.dedup();
        properties.extend(holds.into_iter().map(|f| prop("blastmap:holds", f)));
        let mut paths = c.paths.clone();
        paths.sort();
        properties.extend(paths.into_iter().map(|p| prop("blastmap:path", p)));
        properties.extend(
            view.node_repos("component", &c.id)
                .iter()
                .map(|r| prop("blastmap:repo", r)),
        );
        components.push(Component {
            kind: "application",
            bom_ref: node_ref("component", &c.id),
            name: c.id.clone(),
            description: c.name.clone(),
            properties,
        });
    }
    components
}

/// A vendor's data entries: one per field and counterpart, inbound,
/// outbound or both, with the flows' purposes.
fn vendor_data(map: &crate::model::Map, per: &BTreeMap<Key<'_>, Seen<'_>>, me: &str) -> Vec<Data> {
    let mut data = Vec::new();
    for ((field, counterpart), (inbound, outbound, purposes)) in per {
        let category = map
            .fields
            .get(*field)
            .map(|f| f.category.clone())
            .unwrap_or_else(|| field.to_string());
        let (flow, source, destination) = match (inbound, outbound) {
            (true, true) => {
                let both = sorted([counterpart.to_string(), me.to_string()]);
                ("bi-directional", both.clone(), both)
            }
            (true, false) => (
                "inbound",
                vec![counterpart.to_string()],
                vec![me.to_string()],
            ),
            _ => (
                "outbound",
                vec![me.to_string()],
                vec![counterpart.to_string()],
            ),
        };
        let description = if purposes.is_empty() {
            None
        } else {
            Some(purposes.iter().copied().collect::<Vec<_>>().join("; "))
        };
        data.push(Data {
            flow,
            classification: category,
            name: field.to_string(),
            description,
            source,
            destination,
        });
    }
    data
}

fn build(view: &View<'_, '_>) -> Bom {
    let map = view.graph.map;
    let kind_of = |id: &str| {
        if map.components.contains_key(id) {
            "component"
        } else {
            "vendor"
        }
    };

    let components = components(view);

    // Per vendor: (field id, counterpart ref) → (inbound, outbound, purposes),
    // borrowed from the map and from each flow's two refs, made once here:
    // copying them for every carried field was most of the allocations.
    let refs: Vec<(String, String)> = map
        .flows
        .iter()
        .map(|flow| {
            (
                node_ref(kind_of(&flow.from), &flow.from),
                node_ref(kind_of(&flow.to), &flow.to),
            )
        })
        .collect();
    let mut entries: BTreeMap<&str, BTreeMap<Key<'_>, Seen<'_>>> = BTreeMap::new();
    let mut depends: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (flow, (from, to)) in map.flows.iter().zip(&refs) {
        depends.entry(from.clone()).or_default().insert(to.clone());
        let carried = view.carried(flow);
        for (vendor, counterpart, inbound) in [(&flow.to, from, true), (&flow.from, to, false)] {
            if !map.vendors.contains_key(vendor.as_str()) {
                continue;
            }
            let per = entries.entry(vendor.as_str()).or_default();
            for f in &carried {
                let e = per
                    .entry((f.id.as_str(), counterpart.as_str()))
                    .or_insert_with(|| (false, false, BTreeSet::new()));
                if inbound {
                    e.0 = true;
                } else {
                    e.1 = true;
                }
                if let Some(p) = &flow.purpose {
                    e.2.insert(p.as_str());
                }
            }
        }
    }

    let mut services = Vec::with_capacity(map.vendors.len());
    for v in map.vendors.values() {
        let me = node_ref("vendor", &v.id);
        let known = if v.in_catalog {
            catalog::lookup(&v.id)
        } else {
            None
        };
        let data = entries
            .get(v.id.as_str())
            .map(|per| vendor_data(map, per, &me))
            .unwrap_or_default();
        let mut properties = vec![
            prop("blastmap:id", &v.id),
            prop("blastmap:category", v.category.as_str()),
            prop("blastmap:exposed-fields", view.exposed(&v.id).to_string()),
        ];
        let mut access = v.access.clone();
        access.sort();
        for a in &access {
            properties.push(prop("blastmap:access", a));
            depends
                .entry(me.clone())
                .or_default()
                .insert(node_ref(kind_of(a), a));
        }
        if let Some(k) = known {
            let mut subs = k.sub_processors.clone();
            subs.sort();
            properties.extend(subs.into_iter().map(|s| prop("blastmap:sub-processor", s)));
        }
        properties.extend(
            view.node_repos("vendor", &v.id)
                .iter()
                .map(|r| prop("blastmap:repo", r)),
        );
        let mut endpoints: Vec<String> = known
            .map(|k| {
                k.domains
                    .iter()
                    .filter(|d| is_host(d))
                    .map(|d| format!("https://{d}"))
                    .collect()
            })
            .unwrap_or_default();
        endpoints.sort();
        endpoints.dedup();
        services.push(Service {
            bom_ref: me,
            provider: Provider {
                name: v.name.clone(),
            },
            name: v.name.clone(),
            description: known.and_then(|k| k.description.clone()),
            endpoints,
            trust_boundary: true,
            trust_zone: "third-party",
            data,
            properties,
        });
    }

    let dependencies = dependencies(&components, &services, &depends);

    Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: None,
        version: 1,
        metadata: Metadata {
            tools: Tools {
                components: vec![Tool {
                    kind: "application",
                    name: "blastmap",
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
            component: Component {
                kind: "application",
                bom_ref: SYSTEM_REF.to_string(),
                name: map.system.clone(),
                description: None,
                properties: Vec::new(),
            },
        },
        components,
        services,
        dependencies,
    }
}

/// Turns the bom-refs in `source`/`destination` into BOM-Links, which is
/// what CycloneDX 1.6 accepts there for elements of a BOM.
fn link_data(bom: &mut Bom, serial: &str) {
    for s in &mut bom.services {
        for d in &mut s.data {
            for r in d.source.iter_mut().chain(d.destination.iter_mut()) {
                *r = bom_link(serial, r);
            }
        }
    }
}

/// `urn:cdx:<uuid>/1#<bom-ref>`, with the bom-ref percent-encoded where it
/// holds characters an IRI fragment cannot.
pub fn bom_link(serial: &str, bom_ref: &str) -> String {
    let uuid = serial.strip_prefix("urn:uuid:").unwrap_or(serial);
    let mut out = format!("urn:cdx:{uuid}/1#");
    for b in bom_ref.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~:@/!$&'()*+,;=".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A UUID (version 8: custom, RFC 9562) from two FNV-1a hashes of the text.
fn serial_for(text: &str) -> String {
    let h = |seed: u64| {
        let mut x = seed;
        for b in text.bytes() {
            x ^= u64::from(b);
            x = x.wrapping_mul(0x0000_0100_0000_01b3);
        }
        x
    };
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&h(0xcbf2_9ce4_8422_2325).to_be_bytes());
    bytes[8..].copy_from_slice(&h(0x6c62_272e_07bb_0142).to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Catalog domains are plain host names; anything else (a wildcard, a
/// path) is left out of `endpoints` rather than written as a bad URL.
fn is_host(d: &str) -> bool {
    !d.is_empty()
        && d.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn prop(name: &'static str, value: impl Into<String>) -> Property {
    Property {
        name,
        value: value.into(),
    }
}

fn sorted<const N: usize>(items: [String; N]) -> Vec<String> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_is_a_uuid_and_depends_on_content() {
        let a = serial_for("a");
        assert_eq!(a, serial_for("a"));
        assert_ne!(a, serial_for("b"));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a["urn:uuid:".len() + 14..][..1], "8", "version nibble");
    }

    #[test]
    fn bom_links_escape_what_a_fragment_cannot_hold() {
        let l = bom_link(
            "urn:uuid:00000000-0000-8000-8000-000000000000",
            "component:a b#c",
        );
        assert_eq!(
            l,
            "urn:cdx:00000000-0000-8000-8000-000000000000/1#component:a%20b%23c"
        );
    }
}
