//! Into and out of a [`Merged`] document: from one repository's declaration
//! map or scan result, and back to a validated [`Map`] for the queries.
//!
//! A merged file is input like any other (it may have been edited or
//! produced elsewhere), so [`to_map`] checks every reference and reports all
//! problems at once, by JSON path, as the declaration loader does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{
    DEFAULT_SYSTEM, KIND, MCategory, MComponent, MEvidence, MField, MFields, MFlow, MOrigin,
    MSkipped, MSubject, MVendor, Merged, NonProduction, RepoInfo, Repos,
};
use crate::catalog;
use crate::catalog::taxonomy::{Category, Taxonomy};
use crate::model::declaration::{LoadError, Problem};
use crate::model::{
    Component, ComponentKind, Evidence, EvidenceKind, Field, Flow, FlowFields, Map, Origin, Scope,
    Subject, Vendor, VendorCategory,
};
use crate::scan::ScanResult;

/// Why an input could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The repository name is not usable.
    #[error(
        "invalid repository name `{name}` for {file}\n  help: use letters, digits, `.`, `_`, `-` and `/` (e.g. `acme/payments-api`), as `FILE=name`"
    )]
    RepoName {
        /// The file.
        file: String,
        /// The name given or derived.
        name: String,
    },
    /// The input itself has problems.
    #[error("{0}")]
    Load(#[from] LoadError),
}

/// True for a usable repository name: ASCII letters, digits, `.`, `_`, `-`
/// and `/` (for `org/repo`), not starting with `/` or `.`, no empty segment.
pub fn valid_repo_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
        && !name.starts_with(['/', '.'])
        && name
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// The repository name for a file given without `=name`: the file name
/// without `.json`/`.yaml`/`.yml` and a trailing `.scan` or `.blastmap`
/// (`payments-api.scan.json` → `payments-api`); when what is left is generic
/// (`blastmap`, `scan`, `fides`, `merged`), the parent folder's name
/// (`artifacts/payments-api/scan.json` → `payments-api`), as CI artifact
/// downloads lay them out.
pub fn repo_from_path(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let mut stem = name;
    for ext in [".json", ".yaml", ".yml"] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
            break;
        }
    }
    for suffix in [".scan", ".blastmap", ".fides"] {
        if let Some(s) = stem.strip_suffix(suffix) {
            stem = s;
            break;
        }
    }
    if matches!(stem, "" | "blastmap" | "scan" | "fides" | "merged") {
        let parent = path.parent()?.file_name()?.to_str()?;
        return Some(parent.to_string());
    }
    Some(stem.to_string())
}

fn ns(repo: &str, id: &str) -> String {
    format!("{repo}/{id}")
}

/// A merged map knows declared, discovered and both: what was observed in
/// traffic counts as found (discovered), beside what was declared.
fn origin(o: Origin) -> MOrigin {
    let declared = o.has(Origin::DECLARED);
    let found = o.has(Origin::DISCOVERED) || o.has(Origin::OBSERVED);
    match (declared, found) {
        (true, true) => MOrigin::Both,
        (true, false) => MOrigin::Declared,
        _ => MOrigin::Discovered,
    }
}

fn set<T: Ord + Clone>(items: &[T]) -> BTreeSet<T> {
    items.iter().cloned().collect()
}

/// One repository's declaration (or Fides) map as a merged document.
/// `input` names the kind (`declaration`, `fides`); `file` is the name
/// declared evidence points at (the file's name, not its local path, so that
/// outputs do not depend on where CI put the artifacts).
pub fn from_map(map: &Map, repo: &str, input: &str, file: &str) -> Merged {
    let mut doc = Merged::empty();
    let repos = BTreeSet::from([repo.to_string()]);
    doc.repos.insert(
        repo.to_string(),
        RepoInfo {
            systems: BTreeSet::from([map.system.clone()]),
            inputs: BTreeSet::from([input.to_string()]),
        },
    );
    for s in map.subjects.values() {
        doc.subjects.insert(
            s.id.clone(),
            MSubject {
                description: s.description.clone(),
                count: s.count,
                count_by_region: s.count_by_region.clone(),
                regions: set(&s.regions),
                repos: repos.clone(),
            },
        );
    }
    let builtin = Taxonomy::builtin();
    for (key, c) in map.taxonomy.iter() {
        let (false, Some(parent)) = (builtin.contains(key), &c.parent) else {
            continue;
        };
        doc.taxonomy.insert(
            key.to_string(),
            MCategory {
                name: c.name.clone(),
                parent: parent.clone(),
                sensitivity: c.sensitivity,
                plain: c.plain.clone(),
                repos: repos.clone(),
            },
        );
    }
    for f in map.fields.values() {
        doc.fields.insert(
            ns(repo, &f.id),
            MField {
                category: f.category.clone(),
                subject: f.subject.clone(),
                sensitivity: f.sensitivity,
                description: f.description.clone(),
                implicit: f.implicit,
                repos: repos.clone(),
            },
        );
    }
    let node = |id: &str| {
        if map.components.contains_key(id) {
            ns(repo, id)
        } else {
            id.to_string()
        }
    };
    for c in map.components.values() {
        doc.components.insert(
            ns(repo, &c.id),
            MComponent {
                name: c.name.clone(),
                kind: c.kind,
                paths: set(&c.paths),
                holds: c.holds.iter().map(|f| ns(repo, f)).collect(),
                origin: origin(c.origin),
                repos: repos.clone(),
            },
        );
    }
    for v in map.vendors.values() {
        doc.vendors.insert(
            v.id.clone(),
            MVendor {
                name: v.name.clone(),
                category: v.category,
                access: v.access.iter().map(|a| node(a)).collect(),
                origin: origin(v.origin),
                repos: repos.clone(),
            },
        );
    }
    for flow in &map.flows {
        let fields = match &flow.fields {
            FlowFields::All => MFields::All(super::AllTag::All),
            FlowFields::List(l) => MFields::List(l.iter().map(|f| ns(repo, f)).collect()),
        };
        let evidence = flow
            .evidence
            .iter()
            .map(|e| MEvidence {
                repo: repo.to_string(),
                kind: e.kind,
                file: if e.kind == EvidenceKind::Declared {
                    file.to_string()
                } else {
                    e.file.clone()
                },
                line: e.line,
                text: e.text.clone(),
                scope: e.scope,
            })
            .collect();
        let f = MFlow {
            from: node(&flow.from),
            to: node(&flow.to),
            fields,
            purposes: flow.purpose.iter().cloned().collect(),
            origin: origin(flow.origin),
            evidence,
            repos: repos.clone(),
        };
        let key = (f.from.clone(), f.to.clone());
        match doc.flows.get_mut(&key) {
            Some(e) => e.join(f),
            None => {
                doc.flows.insert(key, f);
            }
        }
    }
    doc
}

/// One repository's scan result as a merged document. Production
/// integrations become flows from the component (or `<repo>/code`) to the
/// vendor, carrying the categories seen at call sites; test and dev ones are
/// listed under `not_production`. `file` names the scan output in messages.
pub fn from_scan(scan: &ScanResult, repo: &str, file: &str) -> Result<Merged, LoadError> {
    let mut doc = Merged::empty();
    let repos = BTreeSet::from([repo.to_string()]);
    doc.repos.insert(
        repo.to_string(),
        RepoInfo {
            systems: BTreeSet::new(),
            inputs: BTreeSet::from(["scan".to_string()]),
        },
    );
    let mut problems = Vec::new();
    if scan.version != 1 {
        problems.push(problem(
            "version",
            format!("unsupported scan output version {}", scan.version),
            "this blastmap reads version 1 scan outputs: re-run `blastmap scan --format json` with this version",
        ));
    }
    let taxonomy = Taxonomy::builtin();
    for (i, integ) in scan.integrations.iter().enumerate() {
        let component = ns(
            repo,
            integ
                .component
                .as_deref()
                .unwrap_or(crate::graph::reconcile::UNATTRIBUTED),
        );
        if !crate::model::is_valid_id(&integ.vendor) {
            problems.push(problem(
                format!("integrations[{i}].vendor"),
                format!("vendor id `{}` is not a valid id", integ.vendor),
                crate::model::ID_RULE,
            ));
            continue;
        }
        if let Some(c) = integ
            .component
            .as_deref()
            .filter(|c| !crate::model::is_valid_id(c))
        {
            problems.push(problem(
                format!("integrations[{i}].component"),
                format!("component id `{c}` is not a valid id"),
                crate::model::ID_RULE,
            ));
            continue;
        }
        if integ.scope != Scope::Production {
            doc.not_production.insert(NonProduction {
                repo: repo.to_string(),
                vendor: integ.vendor.clone(),
                component: integ.component.as_ref().map(|_| component.clone()),
                scope: integ.scope,
            });
            continue;
        }
        let known = catalog::lookup(&integ.vendor);
        doc.vendors
            .entry(integ.vendor.clone())
            .or_insert_with(|| MVendor {
                name: known
                    .map(|k| k.name.clone())
                    .unwrap_or_else(|| integ.vendor.clone()),
                category: known.map(|k| k.category).unwrap_or(VendorCategory::Other),
                access: BTreeSet::new(),
                origin: MOrigin::Discovered,
                repos: repos.clone(),
            });
        doc.components
            .entry(component.clone())
            .or_insert_with(|| MComponent {
                name: None,
                kind: ComponentKind::Other,
                paths: BTreeSet::new(),
                holds: BTreeSet::new(),
                origin: MOrigin::Discovered,
                repos: repos.clone(),
            });
        let mut fields = BTreeSet::new();
        let mut evidence: BTreeSet<MEvidence> = integ
            .evidence
            .iter()
            .map(|e| MEvidence {
                repo: repo.to_string(),
                kind: e.kind,
                file: e.file.clone(),
                line: e.line,
                text: e.text.clone(),
                scope: e.scope,
            })
            .collect();
        for (j, u) in integ.fields.iter().enumerate() {
            if !taxonomy.contains(&u.category) {
                problems.push(problem(
                    format!("integrations[{i}].fields[{j}].category"),
                    format!("unknown category `{}`", u.category),
                    "scan outputs use the built-in taxonomy (`blastmap catalog --taxonomy`)",
                ));
                continue;
            }
            // The system's own secrets and operations data carry no user
            // data out: the same rule as `--scan` (`graph::reconcile`), so
            // a merged map and `blast --scan` give one answer.
            if crate::catalog::taxonomy::Taxonomy::is_within(&u.category, "system") {
                continue;
            }
            let id = ns(repo, &u.category);
            doc.fields.entry(id.clone()).or_insert_with(|| MField {
                category: u.category.clone(),
                subject: None,
                sensitivity: taxonomy.sensitivity(&u.category),
                description: None,
                implicit: true,
                repos: repos.clone(),
            });
            fields.insert(id);
            evidence.insert(MEvidence {
                repo: repo.to_string(),
                kind: EvidenceKind::Call,
                file: u.file.clone(),
                line: u.line,
                text: u.name.clone(),
                scope: Scope::Production,
            });
        }
        let f = MFlow {
            from: component.clone(),
            to: integ.vendor.clone(),
            fields: MFields::List(fields),
            purposes: BTreeSet::new(),
            origin: MOrigin::Discovered,
            evidence,
            repos: repos.clone(),
        };
        let key = (f.from.clone(), f.to.clone());
        match doc.flows.get_mut(&key) {
            Some(e) => e.join(f),
            None => {
                doc.flows.insert(key, f);
            }
        }
    }
    for s in &scan.skipped.files {
        doc.skipped.insert(MSkipped {
            repo: repo.to_string(),
            path: s.path.clone(),
            reason: s.reason.clone(),
        });
    }
    if problems.is_empty() {
        Ok(doc)
    } else {
        Err(LoadError::Invalid {
            file: file.to_string(),
            problems,
        })
    }
}

fn problem(path: impl Into<String>, message: impl Into<String>, help: &str) -> Problem {
    Problem {
        line: None,
        column: None,
        path: path.into(),
        message: message.into(),
        help: Some(help.to_string()),
    }
}

/// Parses a merged document (JSON), checking its kind and version.
pub fn load(text: &str, file: &str) -> Result<Merged, LoadError> {
    let mut doc: Merged = serde_json::from_str(text).map_err(|e| LoadError::Invalid {
        file: file.to_string(),
        problems: vec![Problem {
            line: Some(e.line()),
            column: Some(e.column()),
            path: String::new(),
            message: format!("invalid merged map: {e}"),
            help: Some("produce it with `blastmap merge`; see README, \"Ecosystem\"".into()),
        }],
    })?;
    let mut problems = Vec::new();
    // Ids are written into every output: the same rule as declarations',
    // per `/`-separated part for the namespaced ones (`repo/component`).
    let namespaced_ok = |id: &str| {
        id.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                && part != "."
                && part != ".."
        }) && id.len() <= 400
    };
    for id in doc.vendors.keys() {
        if !crate::model::is_valid_id(id) {
            problems.push(problem(
                "vendors",
                format!("vendor id `{id}` is not a valid id"),
                crate::model::ID_RULE,
            ));
        }
    }
    for (section, ids) in [
        ("components", doc.components.keys().collect::<Vec<_>>()),
        ("fields", doc.fields.keys().collect::<Vec<_>>()),
    ] {
        for id in ids.into_iter().filter(|id| !namespaced_ok(id)) {
            problems.push(problem(
                section,
                format!("id `{id}` is not a valid id"),
                "ids are `repo/id`, each part of letters, digits, `_`, `-` and `.`",
            ));
        }
    }
    // A merged map may come from anywhere: nothing it quotes leaves unredacted.
    let r = crate::scan::redact::builtin();
    for f in doc.flows.values_mut() {
        f.evidence = std::mem::take(&mut f.evidence)
            .into_iter()
            .map(|mut e| {
                e.text = r.redact(&e.text);
                e.file = r.redact(&e.file);
                e
            })
            .collect();
    }
    doc.skipped = std::mem::take(&mut doc.skipped)
        .into_iter()
        .map(|mut s| {
            s.path = r.redact(&s.path);
            s
        })
        .collect();
    if doc.kind != KIND {
        problems.push(problem(
            "kind",
            format!("unknown kind `{}`", doc.kind),
            "a merged map has `\"kind\": \"blastmap-merged\"`",
        ));
    }
    if doc.version != 1 {
        problems.push(problem(
            "version",
            format!("unsupported merged map version {}", doc.version),
            "this blastmap reads version 1",
        ));
    }
    if problems.is_empty() {
        Ok(doc)
    } else {
        Err(LoadError::Invalid {
            file: file.to_string(),
            problems,
        })
    }
}

/// Turns a merged document into a validated [`Map`] (evidence files become
/// `repo:path`) and the repositories of each node and flow.
pub fn to_map(doc: &Merged, file: &str) -> Result<(Map, Repos), LoadError> {
    let mut problems = Vec::new();
    let mut map = Map::new(doc.system.as_deref().unwrap_or(DEFAULT_SYSTEM));
    map.source = Some(file.to_string());
    let mut repos = Repos::default();
    let mut node_repos = |kind: &str, id: &str, r: &BTreeSet<String>| {
        repos
            .nodes
            .insert(format!("{kind}:{id}"), r.iter().cloned().collect());
    };

    let builtin = Taxonomy::builtin();
    for (key, c) in &doc.taxonomy {
        if builtin.contains(key) {
            problems.push(problem(
                format!("taxonomy.{key}"),
                format!("taxonomy key `{key}` is built in already"),
                "remove it from `taxonomy`",
            ));
            continue;
        }
        map.taxonomy.insert(
            key.clone(),
            Category {
                name: c.name.clone(),
                parent: Some(c.parent.clone()),
                sensitivity: c.sensitivity,
                plain: c.plain.clone(),
                extension: true,
            },
        );
    }
    for (key, c) in &doc.taxonomy {
        if builtin.contains(key) {
            continue;
        }
        let parent_ok = map.taxonomy.contains(&c.parent)
            && Taxonomy::is_within(key, &c.parent)
            && key != &c.parent;
        if !parent_ok {
            problems.push(problem(
                format!("taxonomy.{key}.parent"),
                format!("taxonomy key `{key}` needs an existing parent that it starts with"),
                "every added key extends a built-in one, e.g. `user.content.prompts` under `user.content`",
            ));
        }
    }

    for (id, s) in &doc.subjects {
        map.subjects.insert(
            id.clone(),
            Subject {
                id: id.clone(),
                description: s.description.clone(),
                count: s.count,
                count_by_region: s.count_by_region.clone(),
                regions: s.regions.iter().cloned().collect(),
            },
        );
    }

    // Read-time reconciliation (a pure function of the joined document, so
    // the join stays order-independent): a category a scan saw in repository
    // R stands for R's one declared field of that category when there is
    // exactly one (`payments-api/user.contact.email` → `payments-api/email`),
    // and a category with no subject belongs to R's only subject, as in the
    // declaration loader.
    let mut declared_by: BTreeMap<(&str, &str), Vec<&String>> = BTreeMap::new();
    for (id, f) in &doc.fields {
        if let (false, Some((repo, _))) = (f.implicit, id.rsplit_once('/')) {
            declared_by
                .entry((repo, f.category.as_str()))
                .or_default()
                .push(id);
        }
    }
    let mut alias: BTreeMap<&String, &String> = BTreeMap::new();
    for (id, f) in &doc.fields {
        let Some((repo, cat)) = id.rsplit_once('/') else {
            continue;
        };
        if f.implicit && cat == f.category {
            if let Some([only]) = declared_by.get(&(repo, cat)).map(Vec::as_slice) {
                alias.insert(id, only);
            }
        }
    }
    let mut subjects_of_repo: BTreeMap<&str, BTreeSet<&String>> = BTreeMap::new();
    for (id, s) in &doc.subjects {
        for r in &s.repos {
            subjects_of_repo.entry(r.as_str()).or_default().insert(id);
        }
    }
    let resolve = |id: &String| -> String { alias.get(id).copied().unwrap_or(id).clone() };

    for (id, f) in &doc.fields {
        if alias.contains_key(id) {
            continue;
        }
        if id.is_empty() {
            problems.push(problem(
                "fields",
                "empty field id",
                "give every field an id",
            ));
            continue;
        }
        if !map.taxonomy.contains(&f.category) {
            problems.push(problem(
                format!("fields.{id}.category"),
                format!("unknown category `{}`", f.category),
                "use a key of the taxonomy, or add it under `taxonomy`",
            ));
            continue;
        }
        if let Some(s) = &f.subject {
            if !map.subjects.contains_key(s) {
                problems.push(problem(
                    format!("fields.{id}.subject"),
                    format!("unknown subject `{s}`"),
                    "add it under `subjects`",
                ));
            }
        }
        let subject = f.subject.clone().or_else(|| {
            let repo = id.rsplit_once('/')?.0;
            match subjects_of_repo
                .get(repo)
                .map(|s| s.iter().collect::<Vec<_>>())
            {
                Some(v) if f.implicit && v.len() == 1 => Some((*v[0]).clone()),
                _ => None,
            }
        });
        map.fields.insert(
            id.clone(),
            Field {
                id: id.clone(),
                category: f.category.clone(),
                subject,
                sensitivity: f.sensitivity,
                description: f.description.clone(),
                implicit: f.implicit,
            },
        );
        node_repos("field", id, &f.repos);
    }

    let model_origin = |o: MOrigin| match o {
        MOrigin::Declared => Origin::DECLARED,
        MOrigin::Discovered => Origin::DISCOVERED,
        MOrigin::Both => Origin::BOTH,
    };
    for (id, c) in &doc.components {
        if id.is_empty() {
            problems.push(problem(
                "components",
                "empty component id",
                "give every component an id",
            ));
            continue;
        }
        let holds: BTreeSet<String> = c.holds.iter().map(resolve).collect();
        for h in &holds {
            if !map.fields.contains_key(h) {
                problems.push(problem(
                    format!("components.{id}.holds"),
                    format!("unknown field `{h}`"),
                    "add it under `fields`",
                ));
            }
        }
        map.components.insert(
            id.clone(),
            Component {
                id: id.clone(),
                name: c.name.clone(),
                kind: c.kind,
                paths: c.paths.iter().cloned().collect(),
                holds: holds.into_iter().collect(),
                origin: model_origin(c.origin),
            },
        );
        node_repos("component", id, &c.repos);
    }
    for (id, v) in &doc.vendors {
        if id.is_empty() {
            problems.push(problem(
                "vendors",
                "empty vendor id",
                "give every vendor an id",
            ));
            continue;
        }
        if map.components.contains_key(id) {
            problems.push(problem(
                format!("vendors.{id}"),
                format!("`{id}` is both a component and a vendor"),
                "ids must be unique across components and vendors",
            ));
        }
        map.vendors.insert(
            id.clone(),
            Vendor {
                id: id.clone(),
                name: v.name.clone(),
                category: v.category,
                access: v.access.iter().cloned().collect(),
                in_catalog: catalog::lookup(id).is_some(),
                origin: model_origin(v.origin),
            },
        );
        node_repos("vendor", id, &v.repos);
    }
    let is_node = |id: &str| map.components.contains_key(id) || map.vendors.contains_key(id);
    for (id, v) in &doc.vendors {
        for a in &v.access {
            if a == id || !is_node(a) {
                problems.push(problem(
                    format!("vendors.{id}.access"),
                    format!("unknown or invalid system `{a}` in `access`"),
                    "name another component or vendor of the map",
                ));
            }
        }
    }

    for (i, ((from, to), f)) in doc.flows.iter().enumerate() {
        let path = format!("flows[{i}]");
        let mut ok = true;
        for end in [from, to] {
            if !is_node(end) {
                problems.push(problem(
                    &path,
                    format!("unknown system `{end}`: no component or vendor has that id"),
                    "every flow end is a component or vendor of the map",
                ));
                ok = false;
            }
        }
        if from == to {
            problems.push(problem(
                &path,
                format!("flow from `{from}` to itself"),
                "remove it",
            ));
            ok = false;
        }
        let fields = match &f.fields {
            MFields::All(_) => FlowFields::All,
            MFields::List(l) => {
                let l: BTreeSet<String> = l.iter().map(resolve).collect();
                for x in &l {
                    if !map.fields.contains_key(x) {
                        problems.push(problem(
                            format!("{path}.fields"),
                            format!("unknown field `{x}`"),
                            "add it under `fields`",
                        ));
                        ok = false;
                    }
                }
                FlowFields::List(l.into_iter().collect())
            }
        };
        if !ok {
            continue;
        }
        let purpose = if f.purposes.is_empty() {
            None
        } else {
            Some(f.purposes.iter().cloned().collect::<Vec<_>>().join("; "))
        };
        map.flows.push(Flow {
            from: from.clone(),
            to: to.clone(),
            fields,
            purpose,
            evidence: f
                .evidence
                .iter()
                .map(|e| Evidence {
                    kind: e.kind,
                    file: format!("{}:{}", e.repo, e.file),
                    line: e.line,
                    text: e.text.clone(),
                    scope: e.scope,
                })
                .collect(),
            origin: model_origin(f.origin),
            discovered: Vec::new(),
        });
        repos.flows.push(f.repos.iter().cloned().collect());
    }

    if problems.is_empty() {
        Ok((map, repos))
    } else {
        problems.sort();
        problems.dedup();
        Err(LoadError::Invalid {
            file: file.to_string(),
            problems,
        })
    }
}

/// Counts for a one-line summary of a merge.
pub fn summary(doc: &Merged) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("repositories", doc.repos.len()),
        ("fields", doc.fields.len()),
        ("components", doc.components.len()),
        ("vendors", doc.vendors.len()),
        ("flows", doc.flows.len()),
        ("not_production", doc.not_production.len()),
        ("skipped", doc.skipped.len()),
    ])
}
