//! One draft map, one validator.
//!
//! Every map format (a declaration, a Fides manifest, a merged map) is
//! first translated into a [`Draft`]: the same sections as a [`Map`], with
//! names still unchecked strings and each entry's place in its file (a
//! YAML or JSON path such as `flows[3]` or `system[2].egress[0]`). The
//! translation reports only what is wrong with the *format* (a list where a
//! mapping belongs, an unknown key, an unreadable count) into
//! [`Draft::problems`]. [`validate`] then checks every reference in one
//! place, whatever the format: unknown categories, subjects, fields, kinds
//! and vendors, dangling flow ends and `access` entries, ids used as both a
//! component and a vendor, flows to themselves, taxonomy extensions whose
//! parent is missing, the policy's targets and codes. It collects every
//! problem with a did-you-mean, places them (line and column from
//! [`Places`]) and returns a map only when there are none.
//!
//! Each check's message is written once, here (the constructors at the end
//! are also used by the loaders that are not maps, such as a scan output);
//! the translations keep only the messages about their own format.
//!
//! Positions: serde_yaml (the YAML reader) gives a position only with a
//! syntax error, never for a value of a parsed document (serde_yaml 0.9
//! exposes no spans), so a YAML file with problems is indexed once more at
//! the event level by [`super::locate`] (yaml-rust2) to place them. That
//! second pass runs only when there is a problem to place, or evidence
//! lines to find (a declared flow's, see `declaration::locate_flows`, and
//! a Fides manifest's), never just to validate; JSON inputs keep their
//! paths.

use std::collections::{BTreeSet, HashSet};

use super::declaration::{LoadError, Problem};
use super::locate::Locations;
use super::policy::{Code, DenyRule, Level, MaxSeverity, Policy, Target};
use super::suggest::{closest, closest_key};
use super::{
    Component, ComponentKind, Evidence, Field, Flow, FlowFields, Map, Origin, Sensitivity, Subject,
    Vendor, VendorCategory,
};
use crate::catalog;
use crate::catalog::taxonomy::{Category, Taxonomy};

/// A map as a format states it, before any reference is checked.
#[derive(Debug, Default)]
pub struct Draft {
    /// The system's name, when the file gives one.
    pub system: Option<String>,
    /// The file's own taxonomy keys, in any order (parents are placed first).
    pub taxonomy: Vec<DraftCategory>,
    /// Subjects (their counts and regions are read by the translation).
    pub subjects: Vec<DraftSubject>,
    /// Fields, declared or implicit.
    pub fields: Vec<DraftField>,
    /// Components.
    pub components: Vec<DraftComponent>,
    /// Vendors.
    pub vendors: Vec<DraftVendor>,
    /// Flows, in file order.
    pub flows: Vec<DraftFlow>,
    /// The `policy:` section, when there is one.
    pub policy: Option<DraftPolicy>,
    /// What the translation found wrong with the format itself.
    pub problems: Vec<Problem>,
    /// The format's rules.
    pub rules: Rules,
}

/// What differs between formats in what [`validate`] accepts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// Ids follow [`super::is_valid_id`] and added taxonomy keys are
    /// lowercase dotted keys (a declaration's do; a merged map's ids are
    /// `repo/id`, checked when it is read, and a Fides manifest's are its
    /// own keys): otherwise only an empty id or key is refused.
    pub plain_ids: bool,
    /// A taxonomy key where a field id belongs (`fields: [user.device.os]`)
    /// stands for an implicit field of that category.
    pub categories_as_fields: bool,
}

/// A taxonomy key the file adds.
#[derive(Debug, Default)]
pub struct DraftCategory {
    /// The dotted key.
    pub key: String,
    /// Where the entry is (`taxonomy.user.content.prompts`).
    pub at: String,
    /// Its parent key.
    pub parent: Option<String>,
    /// Where the parent is named (`taxonomy.x.parent`).
    pub parent_at: String,
    /// Its own sensitivity; the parent's when absent.
    pub sensitivity: Option<Sensitivity>,
    /// A display name; the key when absent.
    pub name: Option<String>,
    /// Plain words for it.
    pub plain: Option<String>,
}

/// A subject; its id is checked.
#[derive(Debug)]
pub struct DraftSubject {
    /// Where the entry is.
    pub at: String,
    /// The subject as read.
    pub subject: Subject,
}

/// A field.
#[derive(Debug, Default)]
pub struct DraftField {
    /// Its id.
    pub id: String,
    /// Where the entry is (`fields.email`).
    pub at: String,
    /// Its taxonomy key; a problem when absent.
    pub category: Option<String>,
    /// Its subject id.
    pub subject: Option<String>,
    /// Its sensitivity; the category's when absent.
    pub sensitivity: Option<Sensitivity>,
    /// Free text.
    pub description: Option<String>,
    /// Added by a reader rather than declared.
    pub implicit: bool,
}

/// A component.
#[derive(Debug)]
pub struct DraftComponent {
    /// Its id.
    pub id: String,
    /// Where the entry is.
    pub at: String,
    /// A display name.
    pub name: Option<String>,
    /// A [`ComponentKind`] name; `other` when absent.
    pub kind: Option<String>,
    /// Globs linking code to it (checked).
    pub paths: Vec<String>,
    /// Field ids (or taxonomy keys, see [`Rules`]); item `i` is at `{at}.holds[i]`.
    pub holds: Vec<String>,
    /// Declared, discovered or both.
    pub origin: Origin,
}

/// A vendor.
#[derive(Debug)]
pub struct DraftVendor {
    /// Its id.
    pub id: String,
    /// Where the entry is.
    pub at: String,
    /// A display name; the catalog's, else the id, when absent.
    pub name: Option<String>,
    /// A [`VendorCategory`] name; the catalog's when absent, and a vendor
    /// with neither is a problem.
    pub category: Option<String>,
    /// Systems it can read with its own credentials; item `i` at `{at}.access[i]`.
    pub access: Vec<String>,
    /// Declared, discovered or both.
    pub origin: Origin,
}

/// A flow.
#[derive(Debug)]
pub struct DraftFlow {
    /// Where the item is (`flows[3]`); its ends are at `{at}.from`, `{at}.to`.
    pub at: String,
    /// The sending system; a problem when absent.
    pub from: Option<String>,
    /// The receiving system; a problem when absent.
    pub to: Option<String>,
    /// What it carries; a problem when absent.
    pub fields: Option<DraftFields>,
    /// Why.
    pub purpose: Option<String>,
    /// Where it is stated.
    pub evidence: Vec<Evidence>,
    /// Declared, discovered or both.
    pub origin: Origin,
}

/// What a flow carries.
#[derive(Debug)]
pub enum DraftFields {
    /// Everything the sender has.
    All,
    /// These field ids (item `j` at `{at}.fields[j]`).
    List(Vec<String>),
}

/// The `policy:` section with its names unchecked.
#[derive(Debug, Default)]
pub struct DraftPolicy {
    /// `strict`.
    pub strict: bool,
    /// `allow_vendors` (item `i` at `policy.allow_vendors[i]`).
    pub allow_vendors: Option<Vec<String>>,
    /// `deny` rules.
    pub deny: Vec<DraftDeny>,
    /// `max_severity`: a target's name and its level, when it names one.
    pub max_severity: Vec<(String, Option<Sensitivity>)>,
    /// `levels`: a code's name and its level, when it names one.
    pub levels: Vec<(String, Option<Level>)>,
}

/// One deny rule.
#[derive(Debug, Default)]
pub struct DraftDeny {
    /// Where it is (`policy.deny[0]`).
    pub at: String,
    /// Taxonomy keys (item `j` at `{at}.categories[j]`).
    pub categories: Vec<String>,
    /// Vendors or vendor categories (item `j` at `{at}.to[j]`).
    pub to: Vec<String>,
    /// Why.
    pub reason: Option<String>,
}

/// How problems found on a file get a line and column.
pub enum Places<'t> {
    /// They keep their paths (JSON, or nothing to index).
    Paths,
    /// The YAML text, indexed only if there is a problem.
    Yaml(&'t str),
    /// An index made already.
    Index(Locations),
}

/// Checks a draft and builds its map, or lists every problem (the
/// translation's and the validator's), placed and sorted. `file` names
/// the input in messages; `system` is the name when the draft gives none.
pub fn validate(
    draft: Draft,
    file: &str,
    system: &str,
    places: Places<'_>,
) -> Result<Map, LoadError> {
    let Draft {
        system: name,
        taxonomy,
        subjects,
        fields,
        components,
        vendors,
        flows,
        policy,
        problems,
        rules,
    } = draft;
    let mut map = Map::new(name.unwrap_or_else(|| system.to_string()));
    map.source = Some(file.to_string());
    let mut v = Validator {
        map,
        problems,
        rules,
        known_fields: HashSet::new(),
        declared_fields: BTreeSet::new(),
        sole_subject: None,
    };
    v.taxonomy(taxonomy);
    v.subjects(subjects);
    v.fields(fields);
    let unknown_vendors = v.nodes(components, vendors);
    v.flows(flows, &unknown_vendors);
    if let Some(p) = policy {
        v.map.policy = v.policy(p);
    }
    if v.problems.is_empty() {
        return Ok(v.map);
    }
    let mut problems = v.problems;
    place(&mut problems, places);
    problems.sort();
    problems.dedup();
    Err(LoadError::Invalid {
        file: file.to_string(),
        problems,
    })
}

/// Gives each unplaced problem the line and column of its path (of the
/// key itself for an unknown key, whose value is not the mistake).
fn place(problems: &mut [Problem], places: Places<'_>) {
    let locations = match places {
        Places::Paths => return,
        Places::Yaml(text) => Locations::index(text).unwrap_or_default(),
        Places::Index(l) => l,
    };
    for p in problems.iter_mut().filter(|p| p.line.is_none()) {
        let pos = if p.message.starts_with("unknown key") {
            locations.find_key(&p.path)
        } else {
            locations.find(&p.path)
        };
        if let Some(pos) = pos {
            p.line = Some(pos.line);
            p.column = Some(pos.column);
        }
    }
}

struct Validator {
    map: Map,
    problems: Vec<Problem>,
    rules: Rules,
    /// Valid field ids (declared and implicit): a hash set, because every
    /// field of every flow is looked up here.
    known_fields: HashSet<String>,
    /// Every field id the draft gives, valid or not.
    declared_fields: BTreeSet<String>,
    /// A category used as a field belongs to the system's only subject.
    sole_subject: Option<String>,
}

impl Validator {
    fn problem(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.problems.push(problem(path, message, help));
    }

    fn check_id(&mut self, id: &str, path: &str, what: &str) {
        if self.rules.plain_ids && !super::is_valid_id(id) {
            self.problems.push(invalid_id(path, what, id));
        } else if id.is_empty() {
            self.problem(
                path,
                format!("empty {what} id"),
                Some(super::ID_RULE.into()),
            );
        }
    }

    /// The file's taxonomy keys, shallowest first so that a key may extend
    /// another the file adds, whatever their order.
    fn taxonomy(&mut self, mut entries: Vec<DraftCategory>) {
        let new_keys: BTreeSet<String> = entries.iter().map(|c| c.key.clone()).collect();
        entries.sort_by_key(|c| c.key.matches('.').count());
        for c in entries {
            let key = &c.key;
            let syntax_ok = !key.is_empty()
                && (!self.rules.plain_ids
                    || key.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    }));
            if !syntax_ok {
                self.problem(
                    &c.at,
                    format!("taxonomy key `{key}` is not a dotted lowercase key"),
                    Some("use lowercase letters, digits and `_`, separated by dots, e.g. `user.content.prompts`".into()),
                );
                continue;
            }
            if Taxonomy::builtin().contains(key) {
                self.problem(
                    &c.at,
                    format!("taxonomy key `{key}` is built in already"),
                    Some("remove it, or give your key another name".into()),
                );
                continue;
            }
            let tax = &self.map.taxonomy;
            match &c.parent {
                None => self.problem(
                    &c.at,
                    format!("taxonomy key `{key}` has no `parent`"),
                    Some(
                        "every added key extends a built-in one, e.g. `parent: user.content`"
                            .into(),
                    ),
                ),
                Some(p) if !tax.contains(p) && !new_keys.contains(p) => {
                    let help = closest_key(p, tax.keys()).map(|s| format!("did you mean `{s}`?"));
                    self.problem(&c.parent_at, format!("unknown parent category `{p}`"), help);
                }
                Some(p) if !Taxonomy::is_within(key, p) || key == p => {
                    let last = key.rsplit('.').next().unwrap_or(key);
                    self.problem(
                        &c.at,
                        format!("taxonomy key `{key}` must start with its parent `{p}.`"),
                        Some(format!("name it `{p}.{last}`")),
                    );
                }
                _ => {}
            }
            let inherited = c
                .parent
                .as_deref()
                .map(|p| self.map.taxonomy.sensitivity(p))
                .unwrap_or_default();
            self.map.taxonomy.insert(
                c.key.clone(),
                Category {
                    name: c.name.unwrap_or_else(|| c.key.clone()),
                    parent: c.parent,
                    sensitivity: c.sensitivity.unwrap_or(inherited),
                    plain: c.plain,
                    extension: true,
                },
            );
        }
    }

    fn subjects(&mut self, subjects: Vec<DraftSubject>) {
        for s in subjects {
            self.check_id(&s.subject.id, &s.at, "subject");
            self.map.subjects.insert(s.subject.id.clone(), s.subject);
        }
        if self.map.subjects.len() == 1 {
            self.sole_subject = self.map.subjects.keys().next().cloned();
        }
    }

    fn fields(&mut self, fields: Vec<DraftField>) {
        self.declared_fields = fields.iter().map(|f| f.id.clone()).collect();
        for f in fields {
            self.check_id(&f.id, &f.at, "field");
            let Some(category) = f.category else {
                let id = &f.id;
                self.problem(&f.at, format!("field `{id}` has no `category`"), Some("add a taxonomy key, e.g. `category: user.contact.email` (`blastmap catalog --taxonomy` lists them)".into()));
                continue;
            };
            if !self.map.taxonomy.contains(&category) {
                let p = unknown_category(
                    format!("{}.category", f.at),
                    &category,
                    &self.map.taxonomy,
                    Some("use a key of the taxonomy, or add one under `taxonomy:`"),
                );
                self.problems.push(p);
                continue;
            }
            if let Some(s) = &f.subject {
                if !self.map.subjects.contains_key(s) {
                    let help = closest(s, self.map.subjects.keys().map(String::as_str))
                        .map(|x| format!("did you mean `{x}`?"))
                        .unwrap_or_else(|| {
                            format!("declare it under `subjects:` (`{s}: {{ description: ..., count: N }}`)")
                        });
                    self.problem(
                        format!("{}.subject", f.at),
                        format!("unknown subject `{s}`"),
                        Some(help),
                    );
                }
            }
            let sensitivity = f
                .sensitivity
                .unwrap_or_else(|| self.map.taxonomy.sensitivity(&category));
            self.known_fields.insert(f.id.clone());
            self.map.fields.insert(
                f.id.clone(),
                Field {
                    id: f.id,
                    category,
                    subject: f.subject,
                    sensitivity,
                    description: f.description,
                    implicit: f.implicit,
                },
            );
        }
    }

    /// Components and vendors; returns the vendors that are neither in the
    /// catalog nor given a category, which a flow's unknown end is never
    /// told to use.
    fn nodes(
        &mut self,
        components: Vec<DraftComponent>,
        vendors: Vec<DraftVendor>,
    ) -> BTreeSet<String> {
        let component_ids: BTreeSet<&str> = components.iter().map(|c| c.id.as_str()).collect();
        for v in vendors
            .iter()
            .filter(|v| component_ids.contains(v.id.as_str()))
        {
            let id = &v.id;
            self.problem(
                &v.at,
                format!("`{id}` is both a component and a vendor"),
                Some("ids must be unique across components and vendors: rename one".into()),
            );
        }
        // A sorted set: membership is checked for every `access` entry, and
        // suggestions iterate it in a stable order.
        let nodes: BTreeSet<String> = component_ids
            .iter()
            .map(|s| s.to_string())
            .chain(vendors.iter().map(|v| v.id.clone()))
            .collect();
        for c in components {
            self.component(c);
        }
        let mut unknown = BTreeSet::new();
        for v in vendors {
            if let Some(id) = self.vendor(v, &nodes) {
                unknown.insert(id);
            }
        }
        unknown
    }

    fn component(&mut self, c: DraftComponent) {
        self.check_id(&c.id, &c.at, "component");
        let mut kind = ComponentKind::Other;
        if let Some(k) = &c.kind {
            match ComponentKind::ALL.into_iter().find(|x| x.as_str() == k) {
                Some(x) => kind = x,
                None => {
                    let names: Vec<&str> = ComponentKind::ALL.iter().map(|k| k.as_str()).collect();
                    let help = closest(k, names.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("use one of: {}", names.join(", ")));
                    self.problem(
                        format!("{}.kind", c.at),
                        format!("unknown component kind `{k}`"),
                        Some(help),
                    );
                }
            }
        }
        for (i, g) in c.paths.iter().enumerate() {
            if let Err(e) = globset::Glob::new(g) {
                self.problem(
                    format!("{}.paths[{i}]", c.at),
                    format!("invalid path glob `{g}`: {}", e.kind()),
                    Some("use globs like `web/**` or `services/api/**/*.py`".into()),
                );
            }
        }
        let mut holds = Vec::with_capacity(c.holds.len());
        for (i, f) in c.holds.into_iter().enumerate() {
            if self.resolve_field(&f, (&c.at, "holds", i)) {
                holds.push(f);
            }
        }
        self.map.components.insert(
            c.id.clone(),
            Component {
                id: c.id,
                name: c.name,
                kind,
                paths: c.paths,
                holds,
                origin: c.origin,
            },
        );
    }

    /// Returns the vendor's id when it is unknown (see [`Self::nodes`]).
    fn vendor(&mut self, v: DraftVendor, nodes: &BTreeSet<String>) -> Option<String> {
        let id = &v.id;
        let path = &v.at;
        self.check_id(id, path, "vendor");
        let known = catalog::lookup(id);
        let mut category = known.map(|k| k.category);
        if let Some(c) = &v.category {
            match VendorCategory::parse(c) {
                Some(c) => category = Some(c),
                None => {
                    let names: Vec<&str> = VendorCategory::ALL.iter().map(|c| c.as_str()).collect();
                    let help = closest(c, names.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("use one of: {}", names.join(", ")));
                    self.problem(
                        format!("{path}.category"),
                        format!("unknown vendor category `{c}`"),
                        Some(help),
                    );
                }
            }
        }
        for (i, a) in v.access.iter().enumerate() {
            if a == id {
                self.problem(
                    format!("{path}.access[{i}]"),
                    format!("vendor `{id}` lists itself under `access`"),
                    None,
                );
            } else if !nodes.contains(a) {
                let help = closest(a, nodes.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "declare it under `components:` or `vendors:`".into());
                self.problem(
                    format!("{path}.access[{i}]"),
                    format!("unknown system `{a}` in `access`"),
                    Some(help),
                );
            }
        }
        let unknown = known.is_none() && v.category.is_none();
        if unknown {
            let help = match closest(id, catalog::ids()) {
                Some(s) => format!("did you mean the catalog vendor `{s}`? Otherwise give this vendor a `category` (and a `name`)"),
                None => "it is not in the built-in catalog (`blastmap catalog` lists it): give it a `category` and a `name`".into(),
            };
            self.problem(path, format!("unknown vendor `{id}`"), Some(help));
        }
        let name = v.name.or_else(|| known.map(|k| k.name.clone()));
        self.map.vendors.insert(
            v.id.clone(),
            Vendor {
                id: v.id.clone(),
                name: name.unwrap_or_else(|| v.id.clone()),
                category: category.unwrap_or(VendorCategory::Other),
                access: v.access,
                in_catalog: known.is_some(),
                origin: v.origin,
            },
        );
        unknown.then_some(v.id)
    }

    fn flows(&mut self, flows: Vec<DraftFlow>, unknown_vendors: &BTreeSet<String>) {
        self.map.flows.reserve(flows.len());
        for f in flows {
            let from = self.end(f.from, &f.at, "from", unknown_vendors);
            let to = self.end(f.to, &f.at, "to", unknown_vendors);
            let path = &f.at;
            let fields = match f.fields {
                None => {
                    self.problem(
                        path,
                        "flow has no `fields`",
                        Some("list the field ids it carries, or write `fields: all`".into()),
                    );
                    None
                }
                Some(DraftFields::All) => Some(FlowFields::All),
                Some(DraftFields::List(list)) => {
                    let mut ok = Vec::with_capacity(list.len());
                    for (j, name) in list.into_iter().enumerate() {
                        if name == "all" {
                            self.problem(
                                format!("{path}.fields[{j}]"),
                                "`all` cannot be mixed with field ids",
                                Some("write `fields: all` on its own".into()),
                            );
                        } else if self.resolve_field(&name, (path, "fields", j)) {
                            ok.push(name);
                        }
                    }
                    Some(FlowFields::List(ok))
                }
            };
            let (Some(from), Some(to), Some(fields)) = (from, to, fields) else {
                continue;
            };
            if from == to {
                self.problem(
                    path,
                    flow_to_itself(&from),
                    Some("remove it, or point `to` at another system".into()),
                );
                continue;
            }
            self.map.flows.push(Flow {
                from,
                to,
                fields,
                purpose: f.purpose,
                evidence: f.evidence,
                origin: f.origin,
                discovered: Vec::new(),
            });
        }
    }

    /// A flow's `from` or `to`, when it names a system of the map.
    fn end(
        &mut self,
        name: Option<String>,
        path: &str,
        end: &str,
        unknown_vendors: &BTreeSet<String>,
    ) -> Option<String> {
        let Some(x) = name else {
            self.problem(
                path,
                format!("flow has no `{end}`"),
                Some(format!("add `{end}:` with a component or vendor id")),
            );
            return None;
        };
        if self.map.components.contains_key(&x) || self.map.vendors.contains_key(&x) {
            return Some(x);
        }
        let what = if end == "to" { "destination" } else { "source" };
        let usable = self
            .map
            .components
            .keys()
            .chain(self.map.vendors.keys())
            .map(String::as_str)
            .filter(|n| !unknown_vendors.contains(*n))
            .collect::<BTreeSet<_>>();
        let misspelt = closest(&x, unknown_vendors.iter().map(String::as_str));
        let help = match (catalog::lookup(&x), misspelt) {
            (Some(_), Some(s)) => format!(
                "`{x}` is a catalog vendor that `vendors:` does not declare; `vendors.{s}` looks like a misspelling of it: rename it `{x}`"
            ),
            (Some(_), None) => {
                format!("`{x}` is a catalog vendor: add `{x}: {{}}` under `vendors:`")
            }
            (None, _) => match closest(&x, usable) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "declare it under `components:` or `vendors:`".into(),
            },
        };
        self.problem(
            format!("{path}.{end}"),
            format!("unknown {what} `{x}`: no component or vendor has that id"),
            Some(help),
        );
        None
    }

    /// Checks a field reference (a field id, or a taxonomy key used directly,
    /// which becomes an implicit field). Returns false after reporting.
    /// `at` is (entry path, list key, index); the path string is only built
    /// for a problem, since this runs for every field of every flow.
    fn resolve_field(&mut self, name: &str, at: (&str, &str, usize)) -> bool {
        if self.known_fields.contains(name) {
            return true;
        }
        if self.declared_fields.contains(name) {
            return false; // declared but invalid: already reported
        }
        let taxonomy = &self.map.taxonomy;
        if self.rules.categories_as_fields && taxonomy.contains(name) {
            self.known_fields.insert(name.to_string());
            let field = Field {
                id: name.to_string(),
                category: name.to_string(),
                // System data (`system.*`) belongs to no person.
                subject: if Taxonomy::is_within(name, "system") {
                    None
                } else {
                    self.sole_subject.clone()
                },
                sensitivity: taxonomy.sensitivity(name),
                description: None,
                implicit: true,
            };
            self.map.fields.insert(name.to_string(), field);
            return true;
        }
        let help = if name.contains('.') {
            closest_key(name, taxonomy.keys()).map(|s| format!("did you mean the category `{s}`?"))
        } else {
            closest(name, self.declared_fields.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"))
        }
        .unwrap_or_else(|| {
            "declare it under `fields:`, or use a taxonomy key such as `user.contact.email`".into()
        });
        let (base, key, i) = at;
        self.problem(
            format!("{base}.{key}[{i}]"),
            format!("unknown field `{name}`"),
            Some(help),
        );
        false
    }

    /// A vendor id (declared, or from the catalog) or a vendor category.
    fn target(&mut self, name: &str, path: String) -> Option<Target> {
        if let Some(c) = VendorCategory::parse(name) {
            return Some(Target::Category(c));
        }
        if self.map.vendors.contains_key(name) || catalog::lookup(name).is_some() {
            return Some(Target::Vendor(name.to_string()));
        }
        let categories = VendorCategory::ALL.iter().map(|c| c.as_str());
        let help = closest(
            name,
            self.map.vendors.keys().map(String::as_str).chain(categories),
        )
        .or_else(|| closest(name, catalog::ids()))
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| {
            "use a vendor id (declared, or from `blastmap catalog`) or a vendor category such as `analytics`".into()
        });
        self.problem(
            path,
            format!("`{name}` is neither a vendor nor a vendor category"),
            Some(help),
        );
        None
    }

    /// The `policy:` section (see [`super::policy`]).
    fn policy(&mut self, p: DraftPolicy) -> Policy {
        let mut policy = Policy {
            strict: p.strict,
            ..Policy::default()
        };
        if let Some(ids) = p.allow_vendors {
            let mut ok = Vec::with_capacity(ids.len());
            for (i, id) in ids.into_iter().enumerate() {
                let path = format!("policy.allow_vendors[{i}]");
                match self.target(&id, path.clone()) {
                    Some(Target::Vendor(v)) => ok.push(v),
                    Some(Target::Category(_)) => self.problem(
                        path,
                        format!("`allow_vendors` lists vendors, and `{id}` is a vendor category"),
                        Some("list each allowed vendor by id".into()),
                    ),
                    None => {}
                }
            }
            ok.sort();
            ok.dedup();
            policy.allow_vendors = Some(ok);
        }
        for rule in p.deny {
            if let Some(r) = self.deny(rule) {
                policy.deny.push(r);
            }
        }
        for (name, level) in p.max_severity {
            let path = format!("policy.max_severity.{name}");
            let target = self.target(&name, path.clone());
            match (target, level) {
                (Some(target), Some(max)) => policy.max_severity.push(MaxSeverity {
                    target,
                    max,
                    path,
                    line: 0,
                }),
                (_, None) => {
                    let names: Vec<&str> = Sensitivity::ALL.iter().map(|s| s.as_str()).collect();
                    self.problem(
                        path,
                        format!(
                            "the most severe blast radius allowed must be one of: {}",
                            names.join(", ")
                        ),
                        Some(format!("write e.g. `{name}: medium`")),
                    )
                }
                (None, Some(_)) => {}
            }
        }
        for (name, level) in p.levels {
            let path = format!("policy.levels.{name}");
            let Some(code) = Code::parse(&name) else {
                let help = closest(&name, Code::ALL.iter().map(|c| c.as_str()))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                        format!("codes: {}", all.join(", "))
                    });
                self.problem(path, format!("unknown finding code `{name}`"), Some(help));
                continue;
            };
            match level {
                Some(l) => {
                    policy.levels.insert(code, l);
                }
                None => self.problem(
                    path,
                    "a level is `allow`, `warn` or `deny`".to_string(),
                    Some(format!("write e.g. `{name}: warn`")),
                ),
            }
        }
        policy
    }

    fn deny(&mut self, rule: DraftDeny) -> Option<DenyRule> {
        let path = rule.at;
        let mut categories = Vec::new();
        for (j, c) in rule.categories.into_iter().enumerate() {
            if self.map.taxonomy.contains(&c) {
                categories.push(c);
            } else {
                let p = format!("{path}.categories[{j}]");
                let p = unknown_category(p, &c, &self.map.taxonomy, None);
                self.problems.push(p);
            }
        }
        let mut to = Vec::new();
        for (j, t) in rule.to.iter().enumerate() {
            to.extend(self.target(t, format!("{path}.to[{j}]")));
        }
        (!categories.is_empty() && !to.is_empty()).then_some(DenyRule {
            categories,
            to,
            reason: rule.reason,
            path,
            line: 0,
        })
    }
}

/// A problem not yet placed.
pub(crate) fn problem(
    path: impl Into<String>,
    message: impl Into<String>,
    help: Option<String>,
) -> Problem {
    Problem {
        line: None,
        column: None,
        path: path.into(),
        message: message.into(),
        help,
    }
}

/// The words for a flow whose two ends are one system (also said of an
/// assumed flow, `model::assume`).
pub(crate) fn flow_to_itself(from: &str) -> String {
    format!("flow from `{from}` to itself")
}

/// `{what} id `x` is not a valid id`, for any loader.
pub(crate) fn invalid_id(path: impl Into<String>, what: &str, id: &str) -> Problem {
    problem(
        path,
        format!("{what} id `{id}` is not a valid id"),
        Some(super::ID_RULE.into()),
    )
}

/// `unknown category `x``, with the closest key of `taxonomy`, else
/// `otherwise` as the help, for any loader.
pub(crate) fn unknown_category(
    path: impl Into<String>,
    key: &str,
    taxonomy: &Taxonomy,
    otherwise: Option<&str>,
) -> Problem {
    let help = closest_key(key, taxonomy.keys())
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| otherwise.map(str::to_string));
    problem(path, format!("unknown category `{key}`"), help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(at: &str, from: &str, to: &str, fields: &[&str]) -> DraftFlow {
        DraftFlow {
            at: at.into(),
            from: Some(from.into()),
            to: Some(to.into()),
            fields: Some(DraftFields::List(
                fields.iter().map(|f| f.to_string()).collect(),
            )),
            purpose: None,
            evidence: Vec::new(),
            origin: Origin::DECLARED,
        }
    }

    fn web() -> DraftComponent {
        DraftComponent {
            id: "web".into(),
            at: "components.web".into(),
            name: None,
            kind: Some("web".into()),
            paths: Vec::new(),
            holds: Vec::new(),
            origin: Origin::DECLARED,
        }
    }

    fn vendor(id: &str) -> DraftVendor {
        DraftVendor {
            id: id.into(),
            at: format!("vendors.{id}"),
            name: None,
            category: None,
            access: Vec::new(),
            origin: Origin::DECLARED,
        }
    }

    fn problems(d: Draft) -> Vec<(String, String, Option<String>)> {
        match validate(d, "f", "system", Places::Paths) {
            Ok(_) => Vec::new(),
            Err(LoadError::Invalid { problems, .. }) => problems
                .into_iter()
                .map(|p| (p.path, p.message, p.help))
                .collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn every_problem_is_collected_with_its_path_and_suggestion() {
        let d = Draft {
            fields: vec![DraftField {
                id: "email".into(),
                at: "fields.email".into(),
                category: Some("user.contact.emial".into()),
                ..DraftField::default()
            }],
            components: vec![web()],
            vendors: vec![vendor("mixpanel")],
            flows: vec![
                flow("flows[0]", "web", "mixpnael", &["user.name"]),
                flow("flows[1]", "web", "web", &["user.name"]),
            ],
            rules: Rules {
                plain_ids: true,
                categories_as_fields: true,
            },
            ..Draft::default()
        };
        let got = problems(d);
        let has = |path: &str, message: &str, help: &str| {
            got.iter()
                .any(|(p, m, h)| p == path && m == message && h.as_deref() == Some(help))
        };
        assert!(
            has(
                "fields.email.category",
                "unknown category `user.contact.emial`",
                "did you mean `user.contact.email`?"
            ),
            "{got:?}"
        );
        assert!(
            has(
                "flows[0].to",
                "unknown destination `mixpnael`: no component or vendor has that id",
                "did you mean `mixpanel`?"
            ),
            "{got:?}"
        );
        assert!(
            has(
                "flows[1]",
                "flow from `web` to itself",
                "remove it, or point `to` at another system"
            ),
            "{got:?}"
        );
        assert_eq!(got.len(), 3, "{got:?}");
    }

    #[test]
    fn a_taxonomy_key_may_extend_another_whatever_their_order() {
        let key = |key: &str, parent: &str| DraftCategory {
            key: key.into(),
            at: format!("taxonomy.{key}"),
            parent: Some(parent.into()),
            parent_at: format!("taxonomy.{key}.parent"),
            sensitivity: None,
            name: None,
            plain: None,
        };
        let d = Draft {
            taxonomy: vec![
                key("user.content.prompts.system", "user.content.prompts"),
                DraftCategory {
                    sensitivity: Some(Sensitivity::Critical),
                    ..key("user.content.prompts", "user.content")
                },
            ],
            ..Draft::default()
        };
        let map = validate(d, "f", "system", Places::Paths).unwrap();
        assert_eq!(
            map.taxonomy.sensitivity("user.content.prompts.system"),
            Sensitivity::Critical,
            "inherited from the parent listed after it"
        );
    }

    #[test]
    fn the_rules_say_what_a_format_accepts() {
        let draft = |rules| Draft {
            components: vec![web()],
            vendors: vec![vendor("mixpanel")],
            flows: vec![flow("flows[0]", "web", "mixpanel", &["user.device.os"])],
            rules,
            ..Draft::default()
        };
        // A taxonomy key as a field: an implicit field in a declaration…
        let map = validate(
            draft(Rules {
                plain_ids: true,
                categories_as_fields: true,
            }),
            "f",
            "system",
            Places::Paths,
        )
        .unwrap();
        assert!(map.fields["user.device.os"].implicit);
        // … an unknown field where fields are listed (a merged map).
        let got = problems(draft(Rules::default()));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "unknown field `user.device.os`");
        // Ids: the declaration syntax, or only not empty.
        let mut d = draft(Rules::default());
        d.components[0].id = "web app".into();
        d.flows.clear();
        assert!(problems(d).is_empty());
        let mut d = draft(Rules {
            plain_ids: true,
            categories_as_fields: true,
        });
        d.components[0].id = "web app".into();
        d.flows.clear();
        let got = problems(d);
        assert_eq!(got[0].1, "component id `web app` is not a valid id");
    }
}
