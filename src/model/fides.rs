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
//!
//! The manifest is read by a derived `Deserialize`, translated into a
//! [`Draft`] (the decisions above, and the category keys resolved against
//! the taxonomy so far) and checked by [`draft::validate`] like a
//! declaration.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::declaration::{LoadError, Problem};
use super::draft::{
    self, Draft, DraftCategory, DraftComponent, DraftField, DraftFields, DraftFlow, DraftSubject,
    DraftVendor, Places,
};
use super::locate::Locations;
use super::suggest::closest;
use super::{ComponentKind, Evidence, EvidenceKind, Map, Origin, Scope, Subject, VendorCategory};
use crate::catalog;
use crate::catalog::taxonomy::{Category, Taxonomy};

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

/// Reads a Fides manifest into a validated map: a translation into a
/// [`Draft`], checked by [`draft::validate`] like any other map.
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
    // Declared evidence points at lines, so the manifest is indexed whether
    // or not it has problems (see `draft`'s module doc); past the size at
    // which declarations keep paths, it keeps paths too.
    let indexed = text.len() <= super::declaration::LOCATE_MAX_BYTES;
    let mut r = Reader {
        taxonomy: Taxonomy::builtin().clone(),
        draft: Draft::default(),
        locations: if indexed {
            Locations::index(text).unwrap_or_default()
        } else {
            Locations::default()
        },
        file,
        nodes: BTreeMap::new(),
        components: BTreeMap::new(),
        vendors: BTreeMap::new(),
        subjects: BTreeMap::new(),
        subjects_of: BTreeMap::new(),
    };
    r.define(manifest.data_category.as_deref().unwrap_or_default());
    r.read(&systems);
    let places = if indexed {
        Places::Index(std::mem::take(&mut r.locations))
    } else {
        Places::Yaml(text)
    };
    draft::validate(r.draft, file, "fides", places)
}

/// Translates a manifest into a [`Draft`]: which systems are components
/// and which vendors, and what each flow carries.
struct Reader<'a> {
    /// The built-in taxonomy with the manifest's categories, to resolve
    /// the keys systems use.
    taxonomy: Taxonomy,
    draft: Draft,
    locations: Locations,
    file: &'a str,
    /// What each Fides key stands for.
    nodes: BTreeMap<String, Node>,
    components: BTreeMap<String, DraftComponent>,
    vendors: BTreeMap<String, DraftVendor>,
    subjects: BTreeMap<String, DraftSubject>,
    /// Which subjects each category is declared for.
    subjects_of: BTreeMap<String, BTreeSet<String>>,
}

/// The categories of each system's privacy declarations, by system and
/// declaration index.
type Decls = Vec<Vec<BTreeSet<String>>>;

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

/// A vendor the manifest names: the catalog's category when it is there.
fn vendor(id: String, at: String, name: Option<String>) -> DraftVendor {
    let known = catalog::lookup(&id).is_some();
    DraftVendor {
        id,
        at,
        name,
        category: (!known).then(|| VendorCategory::Other.as_str().to_string()),
        access: Vec::new(),
        origin: Origin::DECLARED,
    }
}

fn component(id: String, at: String, name: Option<String>, kind: ComponentKind) -> DraftComponent {
    DraftComponent {
        id,
        at,
        name,
        kind: Some(kind.as_str().to_string()),
        paths: Vec::new(),
        holds: Vec::new(),
        origin: Origin::DECLARED,
    }
}

impl Reader<'_> {
    fn problem(&mut self, path: String, message: String, help: Option<String>) {
        self.draft
            .problems
            .push(draft::problem(path, message, help));
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

    /// Adds a taxonomy key the manifest defines or implies.
    fn extend(&mut self, key: &str, at: String, parent: &str, name: Option<String>) {
        self.taxonomy.insert(
            key.to_string(),
            Category {
                name: name.clone().unwrap_or_else(|| key.to_string()),
                parent: Some(parent.to_string()),
                sensitivity: self.taxonomy.sensitivity(parent),
                plain: None,
                extension: true,
            },
        );
        self.draft.taxonomy.push(DraftCategory {
            key: key.to_string(),
            parent_at: format!("{at}.parent_key"),
            at,
            parent: Some(parent.to_string()),
            sensitivity: None,
            name,
            plain: None,
        });
    }

    /// The taxonomy key for a Fides category, adding an extension when the
    /// key is unknown but lies below a known one. `None` after reporting.
    fn category(&mut self, key: &str, path: &str) -> Option<String> {
        if self.taxonomy.contains(key) {
            return Some(key.to_string());
        }
        if let Some(rest) = key.strip_prefix("user.") {
            for infix in V1_INFIXES {
                if let Some(tail) = rest.strip_prefix(infix) {
                    let v2 = format!("user.{tail}");
                    if self.taxonomy.contains(&v2) {
                        return Some(v2);
                    }
                }
            }
        }
        // A near miss of a known key is a typo, not a new category.
        let typo = closest(key, self.taxonomy.keys()).is_some();
        let mut parent = key;
        while let (false, Some(i)) = (typo, parent.rfind('.')) {
            parent = &parent[..i];
            if self.taxonomy.contains(parent) {
                let parent = parent.to_string();
                self.extend(key, path.to_string(), &parent, None);
                return Some(key.to_string());
            }
        }
        let p = draft::unknown_category(
            path,
            key,
            &self.taxonomy,
            Some("use a fideslang data category (`blastmap catalog --taxonomy` lists them)"),
        );
        self.draft.problems.push(p);
        None
    }

    /// Custom categories the manifest defines (`data_category:` entries
    /// with a `parent_key`), parents first. Those that cannot be placed go
    /// to the draft as they are, for the validator to say why.
    fn define(&mut self, defs: &[CategoryDef]) {
        let mut pending: Vec<(usize, &CategoryDef)> = defs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.parent_key.is_some() && !self.taxonomy.contains(&d.fides_key))
            .collect();
        loop {
            let before = pending.len();
            let mut placed = Vec::new();
            pending.retain(|(i, d)| {
                let parent = d.parent_key.as_deref().unwrap_or_default();
                let ok = self.taxonomy.contains(parent)
                    && Taxonomy::is_within(&d.fides_key, parent)
                    && d.fides_key != parent;
                if ok {
                    placed.push((*i, *d));
                }
                !ok
            });
            for (i, d) in placed {
                let parent = d.parent_key.clone().unwrap_or_default();
                self.extend(
                    &d.fides_key,
                    format!("data_category[{i}]"),
                    &parent,
                    d.name.clone(),
                );
            }
            if pending.len() == before {
                break;
            }
        }
        for (i, d) in pending {
            self.draft.taxonomy.push(DraftCategory {
                key: d.fides_key.clone(),
                at: format!("data_category[{i}]"),
                parent: d.parent_key.clone(),
                parent_at: format!("data_category[{i}].parent_key"),
                sensitivity: None,
                name: d.name.clone(),
                plain: None,
            });
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
        self.nodes(systems);
        let decls = self.declarations(systems);
        self.systems(systems, &decls);
        let brought = self.flows(systems, &decls);
        self.declared_processing(systems, &decls, &brought);
        self.fields();
        self.draft.subjects = std::mem::take(&mut self.subjects).into_values().collect();
        self.draft.components = std::mem::take(&mut self.components).into_values().collect();
        self.draft.vendors = std::mem::take(&mut self.vendors).into_values().collect();
    }

    /// Every system's node, and the organisation as the system's name.
    fn nodes(&mut self, systems: &[System]) {
        for (i, s) in systems.iter().enumerate() {
            let path = format!("system[{i}]");
            if s.fides_key.trim().is_empty() {
                self.problem(path, "empty `fides_key`".into(), None);
                continue;
            }
            if self.nodes.contains_key(&s.fides_key) {
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
            self.nodes.insert(s.fides_key.clone(), Node { id, vendor });
        }
        let orgs: BTreeSet<&str> = systems
            .iter()
            .filter_map(|s| s.organization_fides_key.as_deref())
            .collect();
        if let (1, Some(o)) = (orgs.len(), orgs.first()) {
            self.draft.system = Some(o.to_string());
        }
    }

    /// Subjects, and the categories of each privacy declaration.
    fn declarations(&mut self, systems: &[System]) -> Decls {
        let mut decls = Vec::with_capacity(systems.len());
        for (i, s) in systems.iter().enumerate() {
            let mut per = Vec::new();
            for (j, d) in s.privacy_declarations.iter().flatten().enumerate() {
                let path = format!("system[{i}].privacy_declarations[{j}]");
                let cats = self.categories(&d.data_categories, &format!("{path}.data_categories"));
                for subj in d.data_subjects.iter().flatten() {
                    self.subjects
                        .entry(subj.clone())
                        .or_insert_with(|| DraftSubject {
                            at: format!("{path}.data_subjects"),
                            subject: Subject {
                                id: subj.clone(),
                                description: None,
                                count: None,
                                count_by_region: Default::default(),
                                regions: Vec::new(),
                            },
                        });
                    for c in &cats {
                        self.subjects_of
                            .entry(c.clone())
                            .or_default()
                            .insert(subj.clone());
                    }
                }
                per.push(cats);
            }
            decls.push(per);
        }
        decls
    }

    /// Each system of the file as a component or a vendor.
    fn systems(&mut self, systems: &[System], decls: &Decls) {
        for (i, s) in systems.iter().enumerate() {
            let Some(node) = self.nodes.get(&s.fides_key).cloned() else {
                continue;
            };
            let at = format!("system[{i}]");
            if node.vendor {
                let v = vendor(node.id.clone(), at, s.name.clone());
                self.vendors.insert(node.id, v);
            } else {
                let holds: BTreeSet<String> = decls[i].iter().flatten().cloned().collect();
                let name = s.name.clone().or_else(|| s.description.clone());
                let mut c = component(
                    node.id.clone(),
                    at,
                    name,
                    component_kind(s.system_type.as_deref()),
                );
                c.holds = holds.into_iter().collect();
                self.components.insert(node.id, c);
            }
        }
    }

    /// A flow end that is not a system of the file: a datastore for a
    /// `dataset`, else a vendor.
    fn external(&mut self, key: &str, kind: &str, at: &str) -> Node {
        if let Some(n) = self.nodes.get(key) {
            return n.clone();
        }
        let n = if kind == "dataset" {
            self.components.entry(key.to_string()).or_insert_with(|| {
                component(
                    key.to_string(),
                    at.to_string(),
                    None,
                    ComponentKind::Datastore,
                )
            });
            Node {
                id: key.to_string(),
                vendor: false,
            }
        } else {
            let id = catalog_id(key, None)
                .map(str::to_string)
                .unwrap_or_else(|| key.to_string());
            self.vendors
                .entry(id.clone())
                .or_insert_with(|| vendor(id.clone(), at.to_string(), None));
            Node { id, vendor: true }
        };
        self.nodes.insert(key.to_string(), n.clone());
        n
    }

    /// `egress` and `ingress` as flows; returns the categories explicit
    /// flows bring each vendor.
    fn flows(&mut self, systems: &[System], decls: &Decls) -> BTreeMap<String, BTreeSet<String>> {
        let index: BTreeMap<&str, usize> = systems
            .iter()
            .enumerate()
            .filter(|(_, s)| self.nodes.contains_key(&s.fides_key))
            .map(|(i, s)| (s.fides_key.as_str(), i))
            .collect();
        let mut brought: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (i, s) in systems.iter().enumerate() {
            let Some(me) = self.nodes.get(&s.fides_key).cloned() else {
                continue;
            };
            for (k, dep) in s.system_dependencies.iter().flatten().enumerate() {
                self.external(
                    dep,
                    "system",
                    &format!("system[{i}].system_dependencies[{k}]"),
                );
            }
            for (dir, list) in [("egress", &s.egress), ("ingress", &s.ingress)] {
                for (j, e) in list.iter().flatten().enumerate() {
                    let path = format!("system[{i}].{dir}[{j}]");
                    let kind = e.kind.as_deref().unwrap_or("system");
                    if kind == "user" {
                        continue;
                    }
                    let other = self.external(&e.fides_key, kind, &path);
                    let (from, to) = if dir == "egress" {
                        (me.id.clone(), other.id.clone())
                    } else {
                        (other.id.clone(), me.id.clone())
                    };
                    let mut cats =
                        self.categories(&e.data_categories, &format!("{path}.data_categories"));
                    if cats.is_empty() {
                        let at = Entry { i, dir, e };
                        cats = self.inferred(systems, decls, &index, at);
                    }
                    let fields = if cats.is_empty() {
                        DraftFields::All
                    } else {
                        brought
                            .entry(to.clone())
                            .or_default()
                            .extend(cats.iter().cloned());
                        DraftFields::List(cats.into_iter().collect())
                    };
                    let evidence = vec![self.evidence(&path)];
                    self.draft.flows.push(DraftFlow {
                        at: path,
                        from: Some(from),
                        to: Some(to),
                        fields: Some(fields),
                        purpose: None,
                        evidence,
                        origin: Origin::DECLARED,
                    });
                }
            }
        }
        brought
    }

    /// What an `egress`/`ingress` entry without categories carries: the
    /// declarations that name the other end (this system's, in the same
    /// direction, or the other system's, in the opposite one), else what
    /// the receiving vendor declares it processes; empty for `all`.
    fn inferred(
        &self,
        systems: &[System],
        decls: &Decls,
        index: &BTreeMap<&str, usize>,
        at: Entry<'_>,
    ) -> BTreeSet<String> {
        let Entry { i, dir, e } = at;
        let mut cats = BTreeSet::new();
        let other_idx = index.get(e.fides_key.as_str()).copied();
        let opposite = if dir == "egress" { "ingress" } else { "egress" };
        for (idx, direction, name) in [
            (Some(i), dir, e.fides_key.as_str()),
            (other_idx, opposite, systems[i].fides_key.as_str()),
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
                    cats.extend(decls[idx][k].iter().cloned());
                }
            }
        }
        let receiver_idx = if dir == "egress" { other_idx } else { Some(i) };
        if let (true, Some(r)) = (cats.is_empty(), receiver_idx) {
            let receiver_is_vendor = self
                .nodes
                .get(&systems[r].fides_key)
                .is_some_and(|n| n.vendor);
            if receiver_is_vendor {
                cats.extend(decls[r].iter().flatten().cloned());
            }
        }
        cats
    }

    /// What vendors declare they process but no explicit flow brings: a
    /// flow from the organisation, with the declarations as evidence.
    fn declared_processing(
        &mut self,
        systems: &[System],
        decls: &Decls,
        brought: &BTreeMap<String, BTreeSet<String>>,
    ) {
        let org_key = systems
            .iter()
            .find_map(|s| s.organization_fides_key.clone())
            .unwrap_or_else(|| "organization".to_string());
        let org_id = if self.nodes.values().any(|n| n.id == org_key) {
            format!("{org_key}-declarations")
        } else {
            org_key
        };
        let mut org_holds = BTreeSet::new();
        for (i, s) in systems.iter().enumerate() {
            let Some(me) = self.nodes.get(&s.fides_key).filter(|n| n.vendor).cloned() else {
                continue;
            };
            let have = brought.get(&me.id).cloned().unwrap_or_default();
            let mut rest = BTreeSet::new();
            let mut evidence = Vec::new();
            let mut purposes = BTreeSet::new();
            for (k, d) in s.privacy_declarations.iter().flatten().enumerate() {
                let new: Vec<&String> = decls[i][k].difference(&have).collect();
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
            self.draft.flows.push(DraftFlow {
                at: format!("system[{i}].privacy_declarations"),
                from: Some(org_id.clone()),
                to: Some(me.id.clone()),
                fields: Some(DraftFields::List(rest.into_iter().collect())),
                purpose: (!purposes.is_empty())
                    .then(|| purposes.into_iter().collect::<Vec<_>>().join("; ")),
                evidence,
                origin: Origin::DECLARED,
            });
        }
        if !org_holds.is_empty() {
            let name = Some("The organisation (from Fides privacy declarations)".to_string());
            let mut c = component(org_id.clone(), "system".into(), name, ComponentKind::Other);
            c.holds = org_holds.into_iter().collect();
            self.components.insert(org_id, c);
        }
    }

    /// Fields: every category used, with its subject when there is one.
    fn fields(&mut self) {
        let sole = if self.subjects.len() == 1 {
            self.subjects.keys().next().cloned()
        } else {
            None
        };
        let mut used: BTreeSet<String> = BTreeSet::new();
        for c in self.components.values() {
            used.extend(c.holds.iter().cloned());
        }
        for f in &self.draft.flows {
            if let Some(DraftFields::List(l)) = &f.fields {
                used.extend(l.iter().cloned());
            }
        }
        for c in used {
            let subject = sole.clone().or_else(|| {
                self.subjects_of
                    .get(&c)
                    .filter(|s| s.len() == 1)
                    .and_then(|s| s.first().cloned())
            });
            self.draft.fields.push(DraftField {
                id: c.clone(),
                at: "system".into(),
                category: Some(c),
                subject,
                sensitivity: None,
                description: None,
                implicit: true,
            });
        }
    }
}

/// An `egress` or `ingress` entry: system `i`'s, in direction `dir`.
#[derive(Clone, Copy)]
struct Entry<'s> {
    i: usize,
    dir: &'s str,
    e: &'s DataFlow,
}
