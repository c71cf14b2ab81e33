//! `blastmap merge`: many repositories' scan outputs and declaration files
//! combined into one organisation graph (a [`Merged`] document).
//!
//! The documented way to map thousands of repositories is to fan out on the
//! CI fleet (each repository scans itself) and merge centrally. For that to
//! be safe the merge is a *join*: [`Merged::join`] is commutative, associative
//! and idempotent, so the result does not depend on the order of the files,
//! on how they were batched, or on a file given twice. Every attribute is
//! combined by an operation with those properties: sets are united, counts
//! and sensitivities take the maximum, optional texts keep the smallest value
//! (a fixed, if arbitrary, choice), `all` absorbs any field list.
//!
//! Namespacing: a component or field belongs to one repository, so its id
//! becomes `<repo>/<id>` (`payments-api/web`, `payments-api/email`); two
//! repositories' `web` stay two nodes. Vendors, subjects and taxonomy keys
//! are organisation-wide and keep their ids: `mixpanel` in every repository
//! is one Mixpanel, and `api_user` is the same people wherever they appear
//! (so their count is the maximum seen, never a sum). A scan integration
//! with no component is attributed as by `--scan` (`<repo>/code`).
//!
//! Every node, flow and piece of evidence keeps the repositories it came
//! from; reports built from a merged file show evidence as `repo:file:line`.

mod convert;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{ComponentKind, Evidence, EvidenceKind, Scope, Sensitivity, VendorCategory};

pub use convert::{
    MergeError, from_map, from_scan, load, repo_from_path, summary, to_map, valid_repo_name,
};

/// The `kind` that marks a merged document.
pub const KIND: &str = crate::model::kind::MERGED_KIND;

/// The system name of a merged map when no input or `--system` names one.
pub const DEFAULT_SYSTEM: &str = "organisation";

/// An organisation graph: the output of `blastmap merge`, and an input to
/// `blast`, `rank`, `export` and `merge` itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merged {
    /// Always [`KIND`].
    pub kind: String,
    /// Format version (1).
    pub version: u32,
    /// The organisation's name (`--system`), else the smallest of the inputs' names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Each repository and what was merged from it.
    #[serde(default)]
    pub repos: BTreeMap<String, RepoInfo>,
    /// Organisation-wide subjects.
    #[serde(default)]
    pub subjects: BTreeMap<String, MSubject>,
    /// Taxonomy keys the inputs added to the built-in taxonomy.
    #[serde(default)]
    pub taxonomy: BTreeMap<String, MCategory>,
    /// Fields, by namespaced id.
    #[serde(default)]
    pub fields: BTreeMap<String, MField>,
    /// Components, by namespaced id.
    #[serde(default)]
    pub components: BTreeMap<String, MComponent>,
    /// Vendors, by id.
    #[serde(default)]
    pub vendors: BTreeMap<String, MVendor>,
    /// One flow per (from, to), sorted.
    #[serde(default, with = "flow_list")]
    pub flows: BTreeMap<(String, String), MFlow>,
    /// Scan integrations seen only in test or dev code: not flows, but listed.
    #[serde(default)]
    pub not_production: BTreeSet<NonProduction>,
    /// Files the scans skipped, per repository.
    #[serde(default)]
    pub skipped: BTreeSet<MSkipped>,
}

/// What was merged from one repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoInfo {
    /// The system names its declaration files give.
    #[serde(default)]
    pub systems: BTreeSet<String>,
    /// `declaration`, `fides`, `scan`.
    #[serde(default)]
    pub inputs: BTreeSet<String>,
}

/// A subject (organisation-wide).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MSubject {
    /// Smallest description given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Largest count given: the same people seen from several repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Largest count given per region.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub count_by_region: BTreeMap<String, u64>,
    /// Union.
    #[serde(default)]
    pub regions: BTreeSet<String>,
    /// Where it was declared.
    #[serde(default)]
    pub repos: BTreeSet<String>,
}

/// A taxonomy key added by an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MCategory {
    /// Display name.
    pub name: String,
    /// Parent key.
    pub parent: String,
    /// Highest sensitivity given.
    pub sensitivity: Sensitivity,
    /// Plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain: Option<String>,
    /// Where it was declared.
    #[serde(default)]
    pub repos: BTreeSet<String>,
}

/// A field (namespaced by repository).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MField {
    /// Taxonomy key.
    pub category: String,
    /// Subject id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Effective sensitivity (the highest given).
    pub sensitivity: Sensitivity,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A category used directly (by a flow or a scan), not declared.
    #[serde(default)]
    pub implicit: bool,
    /// Where it came from.
    #[serde(default)]
    pub repos: BTreeSet<String>,
}

/// Declared, discovered or both (the model's `Origin`, readable back).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum MOrigin {
    /// From a declaration (or Fides) file.
    #[default]
    Declared,
    /// From a scan.
    Discovered,
    /// From both.
    Both,
}

impl MOrigin {
    fn join(self, other: MOrigin) -> MOrigin {
        if self == other { self } else { MOrigin::Both }
    }
}

/// A component (namespaced by repository).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MComponent {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kind; a specific kind wins over `other`.
    pub kind: ComponentKind,
    /// Path globs (relative to its repository).
    #[serde(default)]
    pub paths: BTreeSet<String>,
    /// Field ids it holds.
    #[serde(default)]
    pub holds: BTreeSet<String>,
    /// Declared, discovered or both.
    #[serde(default)]
    pub origin: MOrigin,
    /// Where it came from.
    #[serde(default)]
    pub repos: BTreeSet<String>,
}

/// A vendor (organisation-wide).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MVendor {
    /// Display name.
    pub name: String,
    /// Category; a specific one wins over `other`.
    pub category: VendorCategory,
    /// Systems whose data it can read (namespaced component ids or vendor ids).
    #[serde(default)]
    pub access: BTreeSet<String>,
    /// Declared, discovered or both.
    #[serde(default)]
    pub origin: MOrigin,
    /// Where it is used or declared.
    #[serde(default)]
    pub repos: BTreeSet<String>,
}

/// The fields of a flow: `"all"` or a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MFields {
    /// `"all"`.
    All(AllTag),
    /// Field ids.
    List(BTreeSet<String>),
}

/// The literal string `"all"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllTag {
    /// `all`.
    All,
}

impl MFields {
    fn join(&mut self, other: MFields) {
        match (&mut *self, other) {
            (MFields::All(_), _) => {}
            (_, MFields::All(t)) => *self = MFields::All(t),
            (MFields::List(a), MFields::List(b)) => a.extend(b),
        }
    }
}

/// Where a fact was seen, in which repository: the merged file's wire form
/// of an [`Evidence`] (its fields, flat, after `repo`). It is a struct of
/// its own rather than `Evidence` flattened because serde cannot deny
/// unknown keys through a flattened field, and a merged file is strict;
/// [`MEvidence::of`] and [`MEvidence::to_evidence`] convert.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MEvidence {
    /// Repository.
    pub repo: String,
    /// How it was learnt.
    pub kind: EvidenceKind,
    /// Path inside the repository (or the declaration file's name).
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// The text found there.
    pub text: String,
    /// Production, test or dev.
    #[serde(default)]
    pub scope: Scope,
}

impl MEvidence {
    /// `e` as seen in `repo`.
    pub fn of(repo: &str, e: &Evidence) -> MEvidence {
        MEvidence {
            repo: repo.to_string(),
            kind: e.kind,
            file: e.file.clone(),
            line: e.line,
            text: e.text.clone(),
            scope: e.scope,
        }
    }

    /// Back to an [`Evidence`] whose file is `repo:file`.
    pub fn to_evidence(&self) -> Evidence {
        Evidence {
            kind: self.kind,
            file: format!("{}:{}", self.repo, self.file),
            line: self.line,
            text: self.text.clone(),
            scope: self.scope,
        }
    }
}

/// A flow between two systems (all flows of one pair, united).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MFlow {
    /// Namespaced component id or vendor id.
    pub from: String,
    /// Namespaced component id or vendor id.
    pub to: String,
    /// What it carries.
    pub fields: MFields,
    /// Every purpose given.
    #[serde(default)]
    pub purposes: BTreeSet<String>,
    /// Declared, discovered or both.
    #[serde(default)]
    pub origin: MOrigin,
    /// Where it was seen.
    #[serde(default)]
    pub evidence: BTreeSet<MEvidence>,
    /// Where it came from.
    #[serde(default)]
    pub repos: BTreeSet<String>,
}

/// A scan integration seen only in test or dev code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonProduction {
    /// Repository.
    pub repo: String,
    /// Vendor id.
    pub vendor: String,
    /// Component id (namespaced), when the scan gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// `test` or `dev`.
    pub scope: Scope,
}

/// A file a scan skipped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MSkipped {
    /// Repository.
    pub repo: String,
    /// Path inside it.
    pub path: String,
    /// Why.
    pub reason: String,
}

mod flow_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::MFlow;

    pub fn serialize<S: Serializer>(
        flows: &BTreeMap<(String, String), MFlow>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let list: Vec<&MFlow> = flows.values().collect();
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<(String, String), MFlow>, D::Error> {
        let list = Vec::<MFlow>::deserialize(d)?;
        let mut out: BTreeMap<(String, String), MFlow> = BTreeMap::new();
        for f in list {
            let key = (f.from.clone(), f.to.clone());
            match out.get_mut(&key) {
                Some(existing) => existing.join(f),
                None => {
                    out.insert(key, f);
                }
            }
        }
        Ok(out)
    }
}

/// Keeps the smallest present value (`None` is the bottom).
fn join_min<T: Ord>(a: &mut Option<T>, b: Option<T>) {
    if let Some(b) = b {
        match a {
            Some(x) if *x <= b => {}
            _ => *a = Some(b),
        }
    }
}

impl Default for Merged {
    fn default() -> Self {
        Merged::empty()
    }
}

impl Merged {
    /// The neutral element of [`Merged::join`].
    pub fn empty() -> Merged {
        Merged {
            kind: KIND.to_string(),
            version: 1,
            system: None,
            repos: BTreeMap::new(),
            subjects: BTreeMap::new(),
            taxonomy: BTreeMap::new(),
            fields: BTreeMap::new(),
            components: BTreeMap::new(),
            vendors: BTreeMap::new(),
            flows: BTreeMap::new(),
            not_production: BTreeSet::new(),
            skipped: BTreeSet::new(),
        }
    }

    /// Adds everything in `other` (commutative, associative, idempotent).
    pub fn join(&mut self, other: Merged) {
        join_min(&mut self.system, other.system);
        for (k, v) in other.repos {
            let e = self.repos.entry(k).or_default();
            e.systems.extend(v.systems);
            e.inputs.extend(v.inputs);
        }
        for (k, v) in other.subjects {
            let e = self.subjects.entry(k).or_default();
            join_min(&mut e.description, v.description);
            e.count = e.count.max(v.count);
            for (r, n) in v.count_by_region {
                let c = e.count_by_region.entry(r).or_insert(0);
                *c = (*c).max(n);
            }
            e.regions.extend(v.regions);
            e.repos.extend(v.repos);
        }
        for (k, v) in other.taxonomy {
            match self.taxonomy.get_mut(&k) {
                None => {
                    self.taxonomy.insert(k, v);
                }
                Some(e) => {
                    e.name = e.name.clone().min(v.name);
                    e.parent = e.parent.clone().min(v.parent);
                    e.sensitivity = e.sensitivity.max(v.sensitivity);
                    join_min(&mut e.plain, v.plain);
                    e.repos.extend(v.repos);
                }
            }
        }
        for (k, v) in other.fields {
            match self.fields.get_mut(&k) {
                None => {
                    self.fields.insert(k, v);
                }
                Some(e) => {
                    e.category = e.category.clone().min(v.category);
                    join_min(&mut e.subject, v.subject);
                    e.sensitivity = e.sensitivity.max(v.sensitivity);
                    join_min(&mut e.description, v.description);
                    e.implicit = e.implicit && v.implicit;
                    e.repos.extend(v.repos);
                }
            }
        }
        for (k, v) in other.components {
            match self.components.get_mut(&k) {
                None => {
                    self.components.insert(k, v);
                }
                Some(e) => {
                    join_min(&mut e.name, v.name);
                    e.kind = e.kind.min(v.kind);
                    e.paths.extend(v.paths);
                    e.holds.extend(v.holds);
                    e.origin = e.origin.join(v.origin);
                    e.repos.extend(v.repos);
                }
            }
        }
        for (k, v) in other.vendors {
            match self.vendors.get_mut(&k) {
                None => {
                    self.vendors.insert(k, v);
                }
                Some(e) => {
                    // A declared definition (a team's own name or category,
                    // overriding the catalog's) wins over a discovered one;
                    // between two of a kind the smallest, so that the join
                    // stays commutative and associative (`vendor_conflicts`
                    // warns when declarations disagree).
                    let declared = |o: MOrigin| o != MOrigin::Discovered;
                    match (declared(e.origin), declared(v.origin)) {
                        (true, false) => {}
                        (false, true) => {
                            e.name = v.name;
                            e.category = v.category;
                        }
                        _ => {
                            e.name = e.name.clone().min(v.name);
                            e.category = e.category.min(v.category);
                        }
                    }
                    e.access.extend(v.access);
                    e.origin = e.origin.join(v.origin);
                    e.repos.extend(v.repos);
                }
            }
        }
        for (k, v) in other.flows {
            match self.flows.get_mut(&k) {
                None => {
                    self.flows.insert(k, v);
                }
                Some(e) => e.join(v),
            }
        }
        self.not_production.extend(other.not_production);
        self.skipped.extend(other.skipped);
    }

    /// The vendors that two inputs declare differently (name or category):
    /// the merged map keeps one definition, and the user should know which.
    pub fn vendor_conflicts(docs: &[Merged]) -> Vec<String> {
        let mut defs: BTreeMap<&str, BTreeMap<(&str, VendorCategory), BTreeSet<&str>>> =
            BTreeMap::new();
        for d in docs {
            for (id, v) in &d.vendors {
                if v.origin == MOrigin::Discovered {
                    continue;
                }
                defs.entry(id)
                    .or_default()
                    .entry((v.name.as_str(), v.category))
                    .or_default()
                    .extend(v.repos.iter().map(String::as_str));
            }
        }
        defs.into_iter()
            .filter(|(_, ways)| ways.len() > 1)
            .filter_map(|(id, ways)| {
                // The join keeps the smallest (name, category): the first.
                let (name, cat) = *ways.keys().next()?;
                let list: Vec<String> = ways
                    .iter()
                    .map(|((name, cat), repos)| {
                        let repos: Vec<&str> = repos.iter().copied().collect();
                        format!("\"{name}\" ({}) in {}", cat.as_str(), repos.join(", "))
                    })
                    .collect();
                Some(format!(
                    "warning: vendor `{id}` is declared differently: {}; the merged map keeps \"{name}\" ({})\n  help: declare it the same way in every repository",
                    list.join("; "),
                    cat.as_str()
                ))
            })
            .collect()
    }

    /// Joins many documents.
    pub fn join_all(docs: impl IntoIterator<Item = Merged>) -> Merged {
        let mut out = Merged::empty();
        for d in docs {
            out.join(d);
        }
        out
    }
}

impl MFlow {
    fn join(&mut self, other: MFlow) {
        self.fields.join(other.fields);
        self.purposes.extend(other.purposes);
        self.origin = self.origin.join(other.origin);
        self.evidence.extend(other.evidence);
        self.repos.extend(other.repos);
    }
}

/// The repositories of each node and flow of a map built from a merged
/// document (for exports). Keys are `field:<id>`, `component:<id>`, `vendor:<id>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repos {
    nodes: BTreeMap<String, Vec<String>>,
    flows: Vec<Vec<String>>,
}

impl Repos {
    fn add_node(&mut self, kind: &str, id: &str, repos: &BTreeSet<String>) {
        self.nodes
            .insert(format!("{kind}:{id}"), repos.iter().cloned().collect());
    }

    /// Repositories of a node; `kind` is `field`, `component` or `vendor`.
    pub fn node(&self, kind: &str, id: &str) -> &[String] {
        self.nodes
            .get(&format!("{kind}:{id}"))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Repositories of `map.flows[i]`.
    pub fn flow(&self, i: usize) -> &[String] {
        self.flows.get(i).map(Vec::as_slice).unwrap_or(&[])
    }
}
