//! Into and out of a [`Merged`] document: from one repository's declaration
//! map or scan result, and back to a validated [`Map`] for the queries.
//!
//! A merged file is input like any other (it may have been edited or
//! produced elsewhere), so [`to_map`] translates it into a
//! [`Draft`](crate::model::draft::Draft) that the declarations' validator
//! checks: every reference, every problem at once, by JSON path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{
    DEFAULT_SYSTEM, KIND, MCategory, MComponent, MEvidence, MField, MFields, MFlow, MOrigin,
    MSkipped, MSubject, MVendor, Merged, NonProduction, RepoInfo, Repos,
};
use crate::catalog;
use crate::catalog::taxonomy::Taxonomy;
use crate::model::declaration::{LoadError, Problem};
use crate::model::draft::{
    self, Draft, DraftCategory, DraftComponent, DraftField, DraftFields, DraftFlow, DraftSubject,
    DraftVendor, Places, Rules,
};
use crate::model::{
    ComponentKind, EvidenceKind, FlowFields, Map, Origin, Scope, Subject, VendorCategory,
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
            .map(|e| {
                let mut m = MEvidence::of(repo, e);
                if e.kind == EvidenceKind::Declared {
                    m.file = file.to_string();
                }
                m
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
        if let Some(p) = invalid_id(i, integ) {
            problems.push(p);
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
            .map(|e| MEvidence::of(repo, e))
            .collect();
        for (j, u) in integ.fields.iter().enumerate() {
            if !taxonomy.contains(&u.category) {
                problems.push(draft::unknown_category(
                    format!("integrations[{i}].fields[{j}].category"),
                    &u.category,
                    taxonomy,
                    Some("scan outputs use the built-in taxonomy (`blastmap catalog --taxonomy`)"),
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
            reason: s.reason.to_string(),
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

/// The problem with integration `i`'s vendor or component id, if either
/// is not a valid id.
fn invalid_id(i: usize, integ: &crate::scan::Integration) -> Option<Problem> {
    if !crate::model::is_valid_id(&integ.vendor) {
        let path = format!("integrations[{i}].vendor");
        return Some(draft::invalid_id(path, "vendor", &integ.vendor));
    }
    let c = integ
        .component
        .as_deref()
        .filter(|c| !crate::model::is_valid_id(c))?;
    let path = format!("integrations[{i}].component");
    Some(draft::invalid_id(path, "component", c))
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
            problems.push(draft::invalid_id("vendors", "vendor", id));
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
/// `repo:path`) and the repositories of each node and flow: a translation
/// into a [`Draft`], checked by [`draft::validate`] like any other map.
pub fn to_map(doc: &Merged, file: &str) -> Result<(Map, Repos), LoadError> {
    let mut repos = Repos::default();
    let mut d = Draft {
        system: doc.system.clone(),
        taxonomy: taxonomy(doc),
        subjects: subjects(doc),
        rules: Rules {
            plain_ids: false,
            categories_as_fields: false,
        },
        ..Draft::default()
    };
    let alias = aliases(doc);
    let resolve = |id: &String| -> String { alias.get(id).copied().unwrap_or(id).clone() };
    d.fields = fields(doc, &alias, &mut repos);
    for (id, c) in &doc.components {
        let holds: BTreeSet<String> = c.holds.iter().map(resolve).collect();
        d.components.push(DraftComponent {
            id: id.clone(),
            at: format!("components.{id}"),
            name: c.name.clone(),
            kind: Some(c.kind.as_str().to_string()),
            paths: c.paths.iter().cloned().collect(),
            holds: holds.into_iter().collect(),
            origin: model_origin(c.origin),
        });
        repos.add_node("component", id, &c.repos);
    }
    for (id, v) in &doc.vendors {
        d.vendors.push(DraftVendor {
            id: id.clone(),
            at: format!("vendors.{id}"),
            name: Some(v.name.clone()),
            category: Some(v.category.as_str().to_string()),
            access: v.access.iter().cloned().collect(),
            origin: model_origin(v.origin),
        });
        repos.add_node("vendor", id, &v.repos);
    }
    for (i, ((from, to), f)) in doc.flows.iter().enumerate() {
        let fields = match &f.fields {
            MFields::All(_) => DraftFields::All,
            MFields::List(l) => {
                let l: BTreeSet<String> = l.iter().map(resolve).collect();
                DraftFields::List(l.into_iter().collect())
            }
        };
        d.flows.push(DraftFlow {
            at: format!("flows[{i}]"),
            from: Some(from.clone()),
            to: Some(to.clone()),
            fields: Some(fields),
            purpose: (!f.purposes.is_empty())
                .then(|| f.purposes.iter().cloned().collect::<Vec<_>>().join("; ")),
            evidence: f.evidence.iter().map(MEvidence::to_evidence).collect(),
            origin: model_origin(f.origin),
        });
        repos.flows.push(f.repos.iter().cloned().collect());
    }
    let map = draft::validate(d, file, DEFAULT_SYSTEM, Places::Paths)?;
    Ok((map, repos))
}

fn model_origin(o: MOrigin) -> Origin {
    match o {
        MOrigin::Declared => Origin::DECLARED,
        MOrigin::Discovered => Origin::DISCOVERED,
        MOrigin::Both => Origin::BOTH,
    }
}

fn taxonomy(doc: &Merged) -> Vec<DraftCategory> {
    doc.taxonomy
        .iter()
        .map(|(key, c)| DraftCategory {
            key: key.clone(),
            at: format!("taxonomy.{key}"),
            parent: Some(c.parent.clone()),
            parent_at: format!("taxonomy.{key}.parent"),
            sensitivity: Some(c.sensitivity),
            name: Some(c.name.clone()),
            plain: c.plain.clone(),
        })
        .collect()
}

fn subjects(doc: &Merged) -> Vec<DraftSubject> {
    doc.subjects
        .iter()
        .map(|(id, s)| DraftSubject {
            at: format!("subjects.{id}"),
            subject: Subject {
                id: id.clone(),
                description: s.description.clone(),
                count: s.count,
                count_by_region: s.count_by_region.clone(),
                regions: s.regions.iter().cloned().collect(),
            },
        })
        .collect()
}

/// Read-time reconciliation (a pure function of the joined document, so
/// the join stays order-independent): a category a scan saw in repository
/// R stands for R's one declared field of that category when there is
/// exactly one (`payments-api/user.contact.email` → `payments-api/email`).
fn aliases(doc: &Merged) -> BTreeMap<&String, &String> {
    let mut declared_by: BTreeMap<(&str, &str), Vec<&String>> = BTreeMap::new();
    for (id, f) in &doc.fields {
        if let (false, Some((repo, _))) = (f.implicit, id.rsplit_once('/')) {
            declared_by
                .entry((repo, f.category.as_str()))
                .or_default()
                .push(id);
        }
    }
    let mut alias = BTreeMap::new();
    for (id, f) in &doc.fields {
        let Some((repo, cat)) = id.rsplit_once('/') else {
            continue;
        };
        if f.implicit && cat == f.category {
            if let Some([only]) = declared_by.get(&(repo, cat)).map(Vec::as_slice) {
                alias.insert(id, *only);
            }
        }
    }
    alias
}

/// The fields that are not aliases; a category with no subject belongs to
/// its repository's only subject, as in the declaration loader.
fn fields(doc: &Merged, alias: &BTreeMap<&String, &String>, repos: &mut Repos) -> Vec<DraftField> {
    let mut subjects_of_repo: BTreeMap<&str, BTreeSet<&String>> = BTreeMap::new();
    for (id, s) in &doc.subjects {
        for r in &s.repos {
            subjects_of_repo.entry(r.as_str()).or_default().insert(id);
        }
    }
    let mut out = Vec::with_capacity(doc.fields.len());
    for (id, f) in doc.fields.iter().filter(|(id, _)| !alias.contains_key(id)) {
        let subject = f.subject.clone().or_else(|| {
            let repo = id.rsplit_once('/')?.0;
            match subjects_of_repo.get(repo) {
                Some(v) if f.implicit && v.len() == 1 => v.first().map(|s| (*s).clone()),
                _ => None,
            }
        });
        out.push(DraftField {
            id: id.clone(),
            at: format!("fields.{id}"),
            category: Some(f.category.clone()),
            subject,
            sensitivity: Some(f.sensitivity),
            description: f.description.clone(),
            implicit: f.implicit,
        });
        repos.add_node("field", id, &f.repos);
    }
    out
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
