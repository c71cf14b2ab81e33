//! Fides system manifests as declarations, so that teams that already keep a
//! Fides data map get blast radius from it (`--map fides.yml`, detected by
//! content: a top-level `system:` list).
//!
//! How the manifest maps onto the model:
//! - A system is a **vendor** when its `fides_key` or name is a catalog
//!   vendor (`google_analytics` → `google-analytics`), when its
//!   `system_type` says third party or vendor, or when it has a `vendor_id`;
//!   otherwise a **component** (kind from `system_type`: service, database,
//!   web, mobile, job, else other).
//! - Each data category used anywhere becomes a field whose id is the
//!   category. fideslang 1 keys like `user.provided.identifiable.contact.email`
//!   are read as their fideslang 2 key when one exists; custom categories the
//!   file defines (`data_category:` entries with a `parent_key`) extend the
//!   taxonomy; an unknown key that is a near miss of a known one is an error
//!   (a typo), and any other unknown key below a known one extends the
//!   taxonomy under its nearest known ancestor (Fides servers hold custom
//!   categories the file may not repeat). A component holds the categories
//!   of its privacy declarations.
//! - `egress` of S to T is a flow S → T, `ingress` of S from T a flow T → S,
//!   carrying the entry's `data_categories`, else those of the declarations
//!   that name T in their own `egress`/`ingress`, else `all`. Entries of type
//!   `user` (data going back to the person) are not flows. A target that is
//!   not a system of the file is a vendor (type `system`) or a datastore
//!   (type `dataset`).
//! - A vendor's own privacy declarations say what it processes: categories no
//!   explicit flow brings it arrive through a flow from the organisation (a
//!   component named after `organization_fides_key`), with the declaration
//!   as evidence.
//! - `system_dependencies` name systems that exist but say nothing about
//!   data, so they add the node and no flow: blastmap does not guess.
//!
//! Only `system` and `data_category` are read; other resources in the file
//! (`dataset`, `policy`, `organization`, `data_use`) are outside the model.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::declaration::{LoadError, Problem};
use super::locate::Locations;
use super::suggest::{closest, closest_key};
use super::{
    Component, ComponentKind, Evidence, EvidenceKind, Field, Flow, FlowFields, Map, Origin, Scope,
    Subject, Vendor, VendorCategory,
};
use crate::catalog;
use crate::catalog::taxonomy::Category;

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    system: Option<Vec<System>>,
    #[serde(default)]
    data_category: Option<Vec<CategoryDef>>,
}

/// A custom data category defined in the manifest.
#[derive(Deserialize)]
struct CategoryDef {
    fides_key: String,
    #[serde(default)]
    parent_key: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct System {
    fides_key: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    system_type: Option<String>,
    #[serde(default)]
    organization_fides_key: Option<String>,
    #[serde(default)]
    vendor_id: Option<serde_yaml::Value>,
    #[serde(default)]
    egress: Option<Vec<DataFlow>>,
    #[serde(default)]
    ingress: Option<Vec<DataFlow>>,
    #[serde(default)]
    privacy_declarations: Option<Vec<Declaration>>,
    #[serde(default)]
    system_dependencies: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct DataFlow {
    fides_key: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    data_categories: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Declaration {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    data_categories: Option<Vec<String>>,
    #[serde(default)]
    data_use: Option<String>,
    #[serde(default)]
    data_subjects: Option<Vec<String>>,
    #[serde(default)]
    egress: Option<Vec<String>>,
    #[serde(default)]
    ingress: Option<Vec<String>>,
}

/// fideslang 1 nested its user categories under these; fideslang 2 dropped them.
const V1_INFIXES: &[&str] = &[
    "provided.identifiable.",
    "derived.identifiable.",
    "provided.nonidentifiable.",
    "derived.nonidentifiable.",
];

/// Reads a Fides manifest into a validated map.
pub fn load_str(text: &str, file: &str) -> Result<Map, LoadError> {
    if let Some(pos) = super::locate::too_deep(text) {
        return Err(super::declaration::too_deep(file, pos));
    }
    let manifest: Manifest = serde_yaml::from_str(text).map_err(|e| {
        let loc = e.location();
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        LoadError::Invalid {
            file: file.to_string(),
            problems: vec![Problem {
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
                path: String::new(),
                message: format!("invalid Fides manifest: {message}"),
                help: Some(
                    "each `system` entry needs a `fides_key`; lists are YAML sequences".into(),
                ),
            }],
        }
    })?;
    let systems = manifest.system.unwrap_or_default();
    let mut r = Reader {
        map: Map::new("fides"),
        problems: Vec::new(),
        locations: Locations::index(text).unwrap_or_default(),
        file,
    };
    r.map.source = Some(file.to_string());
    r.define(manifest.data_category.as_deref().unwrap_or_default());
    r.read(&systems);
    if r.problems.is_empty() {
        Ok(r.map)
    } else {
        let mut problems = r.problems;
        for p in &mut problems {
            if let Some(pos) = r.locations.find(&p.path) {
                p.line = Some(pos.line);
                p.column = Some(pos.column);
            }
        }
        problems.sort();
        problems.dedup();
        Err(LoadError::Invalid {
            file: file.to_string(),
            problems,
        })
    }
}

struct Reader<'a> {
    map: Map,
    problems: Vec<Problem>,
    locations: Locations,
    file: &'a str,
}

/// What a Fides key stands for in the map.
#[derive(Clone)]
struct Node {
    id: String,
    vendor: bool,
}

fn catalog_id(key: &str, name: Option<&str>) -> Option<&'static str> {
    let slug = |s: &str| s.trim().to_ascii_lowercase().replace(['_', ' ', '.'], "-");
    let mut candidates = vec![key.to_string(), slug(key)];
    if let Some(n) = name {
        candidates.push(slug(n));
    }
    candidates
        .iter()
        .find_map(|c| catalog::lookup(c).map(|v| v.id.as_str()))
}

fn component_kind(system_type: Option<&str>) -> ComponentKind {
    let t = system_type.unwrap_or("").to_ascii_lowercase();
    if t.contains("database") || t.contains("datastore") || t.contains("storage") {
        ComponentKind::Datastore
    } else if t.contains("mobile") {
        ComponentKind::Mobile
    } else if t.contains("web") {
        ComponentKind::Web
    } else if t.contains("job") || t.contains("batch") || t.contains("cron") {
        ComponentKind::Job
    } else if t.contains("service") || t.contains("api") {
        ComponentKind::Service
    } else {
        ComponentKind::Other
    }
}

fn is_third_party(s: &System) -> bool {
    let t = s.system_type.as_deref().unwrap_or("").to_ascii_lowercase();
    t.contains("third") || t.contains("vendor") || s.vendor_id.is_some()
}

impl Reader<'_> {
    fn problem(&mut self, path: String, message: String, help: Option<String>) {
        self.problems.push(Problem {
            line: None,
            column: None,
            path,
            message,
            help,
        });
    }

    fn evidence(&self, path: &str) -> Evidence {
        Evidence {
            kind: EvidenceKind::Declared,
            file: self.file.to_string(),
            line: self
                .locations
                .find(path)
                .map(|p| p.line as u32)
                .unwrap_or(0),
            text: path.to_string(),
            scope: Scope::Production,
        }
    }

    /// The taxonomy key for a Fides category, adding an extension when the
    /// key is unknown but lies below a known one. `None` after reporting.
    fn category(&mut self, key: &str, path: &str) -> Option<String> {
        if self.map.taxonomy.contains(key) {
            return Some(key.to_string());
        }
        if let Some(rest) = key.strip_prefix("user.") {
            for infix in V1_INFIXES {
                if let Some(tail) = rest.strip_prefix(infix) {
                    let v2 = format!("user.{tail}");
                    if self.map.taxonomy.contains(&v2) {
                        return Some(v2);
                    }
                }
            }
        }
        // A near miss of a known key is a typo, not a new category.
        if let Some(s) = closest(key, self.map.taxonomy.keys()) {
            self.problem(
                path.to_string(),
                format!("unknown data category `{key}`"),
                Some(format!("did you mean `{s}`?")),
            );
            return None;
        }
        let mut parent = key;
        while let Some(i) = parent.rfind('.') {
            parent = &parent[..i];
            if self.map.taxonomy.contains(parent) {
                let sensitivity = self.map.taxonomy.sensitivity(parent);
                let parent = parent.to_string();
                self.map.taxonomy.insert(
                    key.to_string(),
                    Category {
                        name: key.to_string(),
                        parent: Some(parent),
                        sensitivity,
                        plain: None,
                        extension: true,
                    },
                );
                return Some(key.to_string());
            }
        }
        let help = closest_key(key, self.map.taxonomy.keys())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| {
                "use a fideslang data category (`blastmap catalog --taxonomy` lists them)".into()
            });
        self.problem(
            path.to_string(),
            format!("unknown data category `{key}`"),
            Some(help),
        );
        None
    }

    /// Custom categories the manifest defines (`data_category:` entries
    /// with a `parent_key`), parents first.
    fn define(&mut self, defs: &[CategoryDef]) {
        let mut pending: Vec<(usize, &CategoryDef)> = defs.iter().enumerate().collect();
        loop {
            let before = pending.len();
            pending.retain(|(_, d)| {
                let Some(parent) = &d.parent_key else {
                    return false;
                };
                if self.map.taxonomy.contains(&d.fides_key) {
                    return false;
                }
                if !self.map.taxonomy.contains(parent) {
                    return true;
                }
                if !crate::catalog::taxonomy::Taxonomy::is_within(&d.fides_key, parent)
                    || &d.fides_key == parent
                {
                    return true;
                }
                let sensitivity = self.map.taxonomy.sensitivity(parent);
                self.map.taxonomy.insert(
                    d.fides_key.clone(),
                    Category {
                        name: d.name.clone().unwrap_or_else(|| d.fides_key.clone()),
                        parent: Some(parent.clone()),
                        sensitivity,
                        plain: None,
                        extension: true,
                    },
                );
                false
            });
            if pending.len() == before {
                break;
            }
        }
        for (i, d) in pending {
            self.problem(
                format!("data_category[{i}].parent_key"),
                format!(
                    "data category `{}` needs a known parent that it starts with",
                    d.fides_key
                ),
                Some("e.g. `fides_key: user.custom.tier` with `parent_key: user.custom`".into()),
            );
        }
    }

    fn categories(&mut self, keys: &Option<Vec<String>>, path: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (i, k) in keys.iter().flatten().enumerate() {
            if let Some(c) = self.category(k, &format!("{path}[{i}]")) {
                out.insert(c);
            }
        }
        out
    }

    fn read(&mut self, systems: &[System]) {
        // Pass 1: every system's node.
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for (i, s) in systems.iter().enumerate() {
            let path = format!("system[{i}]");
            if s.fides_key.trim().is_empty() {
                self.problem(path, "empty `fides_key`".into(), None);
                continue;
            }
            if !seen.insert(s.fides_key.clone()) {
                self.problem(
                    format!("{path}.fides_key"),
                    format!("duplicate system `{}`", s.fides_key),
                    Some("fides keys must be unique: rename or merge the two entries".into()),
                );
                continue;
            }
            let known = catalog_id(&s.fides_key, s.name.as_deref());
            let vendor = known.is_some() || is_third_party(s);
            let id = known
                .map(str::to_string)
                .unwrap_or_else(|| s.fides_key.clone());
            nodes.insert(s.fides_key.clone(), Node { id, vendor });
        }
        let orgs: BTreeSet<&str> = systems
            .iter()
            .filter_map(|s| s.organization_fides_key.as_deref())
            .collect();
        if orgs.len() == 1 {
            if let Some(o) = orgs.first() {
                self.map.system = o.to_string();
            }
        }

        // Subjects, and which subjects each category is declared for.
        let mut subjects_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut decl_categories: Vec<Vec<BTreeSet<String>>> = Vec::with_capacity(systems.len());
        for (i, s) in systems.iter().enumerate() {
            let mut per = Vec::new();
            for (j, d) in s.privacy_declarations.iter().flatten().enumerate() {
                let path = format!("system[{i}].privacy_declarations[{j}].data_categories");
                let cats = self.categories(&d.data_categories, &path);
                for subj in d.data_subjects.iter().flatten() {
                    self.map
                        .subjects
                        .entry(subj.clone())
                        .or_insert_with(|| Subject {
                            id: subj.clone(),
                            description: None,
                            count: None,
                            count_by_region: Default::default(),
                            regions: Vec::new(),
                        });
                    for c in &cats {
                        subjects_of
                            .entry(c.clone())
                            .or_default()
                            .insert(subj.clone());
                    }
                }
                per.push(cats);
            }
            decl_categories.push(per);
        }

        // Components and vendors.
        let mut components = BTreeMap::new();
        let mut vendors = BTreeMap::new();
        for (i, s) in systems.iter().enumerate() {
            let Some(node) = nodes.get(&s.fides_key).cloned() else {
                continue;
            };
            let holds: BTreeSet<String> = decl_categories[i].iter().flatten().cloned().collect();
            if node.vendor {
                let known = catalog::lookup(&node.id);
                vendors.insert(
                    node.id.clone(),
                    Vendor {
                        id: node.id.clone(),
                        name: s
                            .name
                            .clone()
                            .or_else(|| known.map(|k| k.name.clone()))
                            .unwrap_or_else(|| node.id.clone()),
                        category: known.map(|k| k.category).unwrap_or(VendorCategory::Other),
                        access: Vec::new(),
                        in_catalog: known.is_some(),
                        origin: Origin::DECLARED,
                    },
                );
            } else {
                components.insert(
                    node.id.clone(),
                    Component {
                        id: node.id.clone(),
                        name: s.name.clone().or_else(|| s.description.clone()),
                        kind: component_kind(s.system_type.as_deref()),
                        paths: Vec::new(),
                        holds: holds.into_iter().collect(),
                        origin: Origin::DECLARED,
                    },
                );
            }
        }

        // A flow end that is not a system of the file.
        let mut external = |key: &str, kind: &str, nodes: &mut BTreeMap<String, Node>| -> Node {
            if let Some(n) = nodes.get(key) {
                return n.clone();
            }
            let n = if kind == "dataset" {
                components
                    .entry(key.to_string())
                    .or_insert_with(|| Component {
                        id: key.to_string(),
                        name: None,
                        kind: ComponentKind::Datastore,
                        paths: Vec::new(),
                        holds: Vec::new(),
                        origin: Origin::DECLARED,
                    });
                Node {
                    id: key.to_string(),
                    vendor: false,
                }
            } else {
                let id = catalog_id(key, None)
                    .map(str::to_string)
                    .unwrap_or_else(|| key.to_string());
                let known = catalog::lookup(&id);
                vendors.entry(id.clone()).or_insert_with(|| Vendor {
                    id: id.clone(),
                    name: known
                        .map(|k| k.name.clone())
                        .unwrap_or_else(|| key.to_string()),
                    category: known.map(|k| k.category).unwrap_or(VendorCategory::Other),
                    access: Vec::new(),
                    in_catalog: known.is_some(),
                    origin: Origin::DECLARED,
                });
                Node { id, vendor: true }
            };
            nodes.insert(key.to_string(), n.clone());
            n
        };

        let index: BTreeMap<&str, usize> = systems
            .iter()
            .enumerate()
            .filter(|(_, s)| nodes.contains_key(&s.fides_key))
            .map(|(i, s)| (s.fides_key.as_str(), i))
            .collect();
        let mut flows = Vec::new();
        // (vendor id) → categories brought by explicit flow lists.
        let mut brought: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (i, s) in systems.iter().enumerate() {
            let Some(me) = nodes.get(&s.fides_key).cloned() else {
                continue;
            };
            for dep in s.system_dependencies.iter().flatten() {
                external(dep, "system", &mut nodes);
            }
            for (dir, list) in [("egress", &s.egress), ("ingress", &s.ingress)] {
                for (j, e) in list.iter().flatten().enumerate() {
                    let path = format!("system[{i}].{dir}[{j}]");
                    let kind = e.kind.as_deref().unwrap_or("system");
                    if kind == "user" {
                        continue;
                    }
                    let other = external(&e.fides_key, kind, &mut nodes);
                    let (from, to) = if dir == "egress" {
                        (me.id.clone(), other.id.clone())
                    } else {
                        (other.id.clone(), me.id.clone())
                    };
                    if from == to {
                        self.problem(
                            path,
                            format!("`{}` sends data to itself", s.fides_key),
                            Some("remove the entry".into()),
                        );
                        continue;
                    }
                    let mut cats =
                        self.categories(&e.data_categories, &format!("{path}.data_categories"));
                    // No categories on the entry: the declarations that name
                    // the other end (this system's, in the same direction, or
                    // the other system's, in the opposite one), else what the
                    // receiving vendor declares it processes, else `all`.
                    let other_idx = index.get(e.fides_key.as_str()).copied();
                    let opposite = if dir == "egress" { "ingress" } else { "egress" };
                    for (idx, direction, name) in [
                        (Some(i), dir, e.fides_key.as_str()),
                        (other_idx, opposite, s.fides_key.as_str()),
                    ] {
                        let Some(idx) = idx.filter(|_| cats.is_empty()) else {
                            continue;
                        };
                        for (k, d) in systems[idx]
                            .privacy_declarations
                            .iter()
                            .flatten()
                            .enumerate()
                        {
                            let names = if direction == "egress" {
                                &d.egress
                            } else {
                                &d.ingress
                            };
                            if names.iter().flatten().any(|n| n == name) {
                                cats.extend(decl_categories[idx][k].iter().cloned());
                            }
                        }
                    }
                    let receiver_idx = if dir == "egress" { other_idx } else { Some(i) };
                    if let (true, Some(r)) = (cats.is_empty(), receiver_idx) {
                        let receiver_is_vendor =
                            nodes.get(&systems[r].fides_key).is_some_and(|n| n.vendor);
                        if receiver_is_vendor {
                            cats.extend(decl_categories[r].iter().flatten().cloned());
                        }
                    }
                    let fields = if cats.is_empty() {
                        FlowFields::All
                    } else {
                        brought
                            .entry(to.clone())
                            .or_default()
                            .extend(cats.iter().cloned());
                        FlowFields::List(cats.into_iter().collect())
                    };
                    flows.push(Flow {
                        from,
                        to,
                        fields,
                        purpose: None,
                        evidence: vec![self.evidence(&path)],
                        origin: Origin::DECLARED,
                        discovered: Vec::new(),
                    });
                }
            }
        }

        // What vendors declare they process but no explicit flow brings.
        let org_key = systems
            .iter()
            .find_map(|s| s.organization_fides_key.clone())
            .unwrap_or_else(|| "organization".to_string());
        let org_id = if nodes.values().any(|n| n.id == org_key) {
            format!("{org_key}-declarations")
        } else {
            org_key
        };
        let mut org_holds = BTreeSet::new();
        for (i, s) in systems.iter().enumerate() {
            let Some(me) = nodes.get(&s.fides_key).cloned() else {
                continue;
            };
            if !me.vendor {
                continue;
            }
            let have = brought.get(&me.id).cloned().unwrap_or_default();
            let mut rest = BTreeSet::new();
            let mut evidence = Vec::new();
            let mut purposes = BTreeSet::new();
            for (k, d) in s.privacy_declarations.iter().flatten().enumerate() {
                let new: Vec<&String> = decl_categories[i][k].difference(&have).collect();
                if new.is_empty() {
                    continue;
                }
                rest.extend(new.into_iter().cloned());
                evidence.push(self.evidence(&format!("system[{i}].privacy_declarations[{k}]")));
                if let Some(p) = d.data_use.as_ref().or(d.name.as_ref()) {
                    purposes.insert(p.clone());
                }
            }
            if rest.is_empty() {
                continue;
            }
            org_holds.extend(rest.iter().cloned());
            flows.push(Flow {
                from: org_id.clone(),
                to: me.id.clone(),
                fields: FlowFields::List(rest.into_iter().collect()),
                purpose: if purposes.is_empty() {
                    None
                } else {
                    Some(purposes.into_iter().collect::<Vec<_>>().join("; "))
                },
                evidence,
                origin: Origin::DECLARED,
                discovered: Vec::new(),
            });
        }
        if !org_holds.is_empty() {
            components.insert(
                org_id.clone(),
                Component {
                    id: org_id.clone(),
                    name: Some("The organisation (from Fides privacy declarations)".into()),
                    kind: ComponentKind::Other,
                    paths: Vec::new(),
                    holds: org_holds.into_iter().collect(),
                    origin: Origin::DECLARED,
                },
            );
        }

        // Fields: every category used, with its subject when there is one.
        let sole = if self.map.subjects.len() == 1 {
            self.map.subjects.keys().next().cloned()
        } else {
            None
        };
        let mut used: BTreeSet<String> = BTreeSet::new();
        for c in components.values() {
            used.extend(c.holds.iter().cloned());
        }
        for f in &flows {
            if let FlowFields::List(l) = &f.fields {
                used.extend(l.iter().cloned());
            }
        }
        for c in used {
            let subject = sole.clone().or_else(|| {
                subjects_of
                    .get(&c)
                    .filter(|s| s.len() == 1)
                    .and_then(|s| s.first().cloned())
            });
            self.map.fields.insert(
                c.clone(),
                Field {
                    id: c.clone(),
                    sensitivity: self.map.taxonomy.sensitivity(&c),
                    category: c,
                    subject,
                    description: None,
                    implicit: true,
                },
            );
        }
        for id in components.keys() {
            if vendors.contains_key(id) {
                self.problem(
                    "system".into(),
                    format!("`{id}` is both a first-party system and a vendor"),
                    Some("rename one of the systems".into()),
                );
            }
        }
        self.map.components = components;
        self.map.vendors = vendors;
        self.map.flows = flows;
    }
}
