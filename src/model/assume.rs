//! What-if assumptions over a [`Map`]: a hypothetical flow
//! (`--assume "FROM -> TO: field, field"`) or a vendor taken away
//! (`--without VENDOR`).
//!
//! [`apply_assumptions`] checks every assumption against the map first and
//! reports *all* problems at once, with the same did-you-mean help as the
//! declaration loader; only when there are none does it change the map. The
//! changed map keeps the loader's invariant (every id a flow or an access
//! grant names exists, every category is a taxonomy key), so the graph and
//! every query run on it unchanged. Assumed flows carry evidence pointing at
//! `--assume`, never at the declaration file: a guess stays marked as one.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Serialize, Serializer};

use super::suggest::{closest, closest_key};
use super::{Evidence, EvidenceKind, Field, Flow, FlowFields, Map, Origin, Scope, Vendor};
use crate::catalog;

/// The `file` of the evidence of an assumed flow.
pub const ASSUMED_FILE: &str = "--assume";

/// One what-if assumption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assumption {
    /// A hypothetical flow `from → to` carrying `fields`.
    Flow {
        /// Component or vendor id (a catalog vendor not in the map is added).
        from: String,
        /// Component or vendor id (a catalog vendor not in the map is added).
        to: String,
        /// Field ids or taxonomy keys, or `all`.
        fields: FlowFields,
        /// The text as given, for messages and evidence.
        text: String,
    },
    /// The vendor, every flow into or out of it, and every access grant to
    /// or from it, removed.
    Without {
        /// Vendor id.
        vendor: String,
    },
}

impl Assumption {
    /// Parses `FROM -> TO: field, field` (also `→`; `all` for every field).
    pub fn parse_flow(text: &str) -> Result<Assumption, Problem> {
        let syntax = |message: String| {
            Problem {
            option: "--assume",
            given: text.to_string(),
            message,
            help: Some(
                "write it as \"FROM -> TO: field, field\", e.g. --assume \"dashboard -> mixpanel: email, display_name\" (or `: all`)"
                    .into(),
            ),
        }
        };
        let Some((ends, fields)) = text.split_once(':') else {
            return Err(syntax("no `:` before the fields".into()));
        };
        let parts: Vec<&str> = ends
            .split("->")
            .flat_map(|p| p.split('→'))
            .map(str::trim)
            .collect();
        let (from, to) = match parts.as_slice() {
            [from, to] if !from.is_empty() && !to.is_empty() => (*from, *to),
            [_] => {
                return Err(syntax(
                    "no `->` between the source and the destination".into(),
                ));
            }
            [_, _] => return Err(syntax("the source or the destination is missing".into())),
            _ => {
                return Err(syntax(
                    "more than one `->`: one assumption is one flow".into(),
                ));
            }
        };
        for (what, id) in [("source", from), ("destination", to)] {
            if id.chars().any(char::is_whitespace) {
                return Err(syntax(format!("the {what} `{id}` contains a space")));
            }
        }
        let fields = fields.trim();
        let fields = fields
            .strip_prefix('[')
            .and_then(|f| f.strip_suffix(']'))
            .unwrap_or(fields);
        let list: Vec<String> = fields
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        let fields = match list.as_slice() {
            [] => return Err(syntax("no fields after the `:`".into())),
            [one] if one == "all" => FlowFields::All,
            _ if list.iter().any(|f| f == "all") => {
                return Err(Problem {
                    option: "--assume",
                    given: text.to_string(),
                    message: "`all` cannot be mixed with field ids".into(),
                    help: Some("write `: all` on its own, or list the fields".into()),
                });
            }
            _ => FlowFields::List(list),
        };
        Ok(Assumption::Flow {
            from: from.to_string(),
            to: to.to_string(),
            fields,
            text: text.to_string(),
        })
    }

    /// How the user wrote it: `--assume "…"` or `--without VENDOR`.
    pub fn as_given(&self) -> String {
        match self {
            Assumption::Flow { text, .. } => format!("--assume \"{text}\""),
            Assumption::Without { vendor } => format!("--without {vendor}"),
        }
    }
}

/// Parses every `--assume` text and `--without` id; reports every syntax
/// problem at once.
pub fn parse_all(assume: &[String], without: &[String]) -> Result<Vec<Assumption>, AssumeError> {
    let mut out = Vec::with_capacity(assume.len() + without.len());
    let mut problems = Vec::new();
    for v in without {
        let v = v.trim();
        if v.is_empty() {
            problems.push(Problem {
                option: "--without",
                given: v.to_string(),
                message: "no vendor id".into(),
                help: Some("write e.g. `--without segment`".into()),
            });
        } else {
            out.push(Assumption::Without {
                vendor: v.to_string(),
            });
        }
    }
    for a in assume {
        match Assumption::parse_flow(a) {
            Ok(x) => out.push(x),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AssumeError { problems })
    }
}

/// One problem with one assumption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `--assume` or `--without`.
    pub option: &'static str,
    /// The value as given.
    pub given: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error: {} \"{}\": {}",
            self.option, self.given, self.message
        )?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Assumptions that cannot be applied; every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(problems))]
pub struct AssumeError {
    /// Every problem, in the order the assumptions were given.
    pub problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    let mut out = String::new();
    for p in problems {
        out.push_str(&p.to_string());
        out.push('\n');
    }
    let n = problems.len();
    out.push_str(&format!(
        "{n} problem{} in the assumptions; nothing was computed",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// The fields of a flow in an [`AssumptionEffect`] or a diff: a list of
/// ids, or the string `"all"` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldsRef {
    /// Everything the source holds or receives.
    All,
    /// These field ids, sorted.
    List(Vec<String>),
}

impl FieldsRef {
    /// From a flow's fields (sorted, deduplicated).
    pub fn of(f: &FlowFields) -> FieldsRef {
        match f {
            FlowFields::All => FieldsRef::All,
            FlowFields::List(l) => {
                let mut l = l.clone();
                l.sort();
                l.dedup();
                FieldsRef::List(l)
            }
        }
    }

    /// `all`, or the ids joined with `, `.
    pub fn joined(&self) -> String {
        match self {
            FieldsRef::All => "all".into(),
            FieldsRef::List(l) => l.join(", "),
        }
    }
}

impl Serialize for FieldsRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldsRef::All => s.serialize_str("all"),
            FieldsRef::List(l) => l.serialize(s),
        }
    }
}

/// A flow named by its ends and fields.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FlowRef {
    /// Source id.
    pub from: String,
    /// Destination id.
    pub to: String,
    /// What it carries.
    pub fields: FieldsRef,
}

/// An access grant: `vendor` holds credentials to `system`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GrantRef {
    /// The vendor holding the credentials.
    pub vendor: String,
    /// The system they open.
    pub system: String,
}

/// What the assumptions changed in the map itself (the exposure deltas are
/// computed from it by [`crate::graph::whatif`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AssumptionEffect {
    /// Each assumption as given (`--assume "…"`, `--without …`).
    pub assumptions: Vec<String>,
    /// Vendors taken away by `--without`.
    pub vendors_removed: Vec<String>,
    /// Flows that went with them.
    pub flows_removed: Vec<FlowRef>,
    /// Access grants that went with them.
    pub access_removed: Vec<GrantRef>,
    /// Catalog vendors that were not in the map and that an assumed flow names.
    pub vendors_added: Vec<String>,
    /// The assumed flows.
    pub flows_added: Vec<FlowRef>,
    /// Taxonomy keys used directly as fields that the map did not use yet.
    pub fields_added: Vec<String>,
}

/// Every problem with the assumptions, against the map as declared: an
/// unknown or non-vendor `--without`, an `--assume` flow whose ends are
/// unknown or removed, or whose fields are unknown.
fn check_assumptions(
    map: &Map,
    assumptions: &[Assumption],
    removed: &BTreeSet<&str>,
    problems: &mut Vec<Problem>,
) {
    let nodes: BTreeSet<&str> = map
        .components
        .keys()
        .chain(map.vendors.keys())
        .map(String::as_str)
        .collect();
    let declared_fields: BTreeSet<&str> = map
        .fields
        .values()
        .filter(|f| !f.implicit)
        .map(|f| f.id.as_str())
        .collect();

    for a in assumptions {
        match a {
            Assumption::Without { vendor } => {
                if map.vendors.contains_key(vendor) {
                    continue;
                }
                let (message, help) = if map.components.contains_key(vendor) {
                    (
                        format!("`{vendor}` is a component, not a vendor"),
                        format!(
                            "--without takes a vendor id; vendors in this map: {}",
                            map.vendors.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    )
                } else {
                    let help = match closest(vendor, map.vendors.keys().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if map.vendors.is_empty() => "the map declares no vendors".into(),
                        None => format!(
                            "vendors in this map: {}",
                            map.vendors.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    (
                        format!("unknown vendor `{vendor}`: it is not in this map"),
                        help,
                    )
                };
                problems.push(Problem {
                    option: "--without",
                    given: vendor.clone(),
                    message,
                    help: Some(help),
                });
            }
            Assumption::Flow {
                from,
                to,
                fields,
                text,
            } => {
                let mut push = |message: String, help: Option<String>| {
                    problems.push(Problem {
                        option: "--assume",
                        given: text.clone(),
                        message,
                        help,
                    })
                };
                for (what, id) in [("source", from), ("destination", to)] {
                    if removed.contains(id.as_str()) {
                        push(
                            format!("the {what} `{id}` is removed by --without {id}"),
                            Some(format!(
                                "drop one of the two: a flow through `{id}` cannot be assumed while `{id}` is taken away"
                            )),
                        );
                    } else if !nodes.contains(id.as_str()) && catalog::lookup(id).is_none() {
                        let help = match closest(id, nodes.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => match closest(id, catalog::ids()) {
                                Some(s) => format!("did you mean the catalog vendor `{s}`?"),
                                None => "use a component or vendor of the map, or a catalog vendor id (`blastmap catalog` lists them)".into(),
                            },
                        };
                        push(
                            format!(
                                "unknown {what} `{id}`: no component or vendor has that id, and it is not in the catalog"
                            ),
                            Some(help),
                        );
                    }
                }
                if from == to {
                    push(
                        super::draft::flow_to_itself(from),
                        Some("point the destination at another system".into()),
                    );
                }
                if let FlowFields::List(list) = fields {
                    for f in list {
                        if map.fields.contains_key(f) || map.taxonomy.contains(f) {
                            continue;
                        }
                        let help = if f.contains('.') {
                            closest_key(f, map.taxonomy.keys())
                                .map(|s| format!("did you mean the category `{s}`?"))
                        } else {
                            closest(f, declared_fields.iter().copied())
                                .map(|s| format!("did you mean `{s}`?"))
                        }
                        .unwrap_or_else(|| {
                            "use a field id of the map or a taxonomy key such as `user.contact.email` (`blastmap catalog --taxonomy` lists them)".into()
                        });
                        push(format!("unknown field `{f}`"), Some(help));
                    }
                }
            }
        }
    }
}

/// Removes the `--without` vendors, their flows and the grants to them.
fn remove_vendors(map: &mut Map, removed: &BTreeSet<&str>, effect: &mut AssumptionEffect) {
    for v in removed {
        map.vendors.remove(*v);
        effect.vendors_removed.push(v.to_string());
    }
    if !removed.is_empty() {
        map.flows.retain(|f| {
            let gone = removed.contains(f.from.as_str()) || removed.contains(f.to.as_str());
            if gone {
                effect.flows_removed.push(FlowRef {
                    from: f.from.clone(),
                    to: f.to.clone(),
                    fields: FieldsRef::of(&f.fields),
                });
            }
            !gone
        });
        for vendor in map.vendors.values_mut() {
            vendor.access.retain(|s| {
                let gone = removed.contains(s.as_str());
                if gone {
                    effect.access_removed.push(GrantRef {
                        vendor: vendor.id.clone(),
                        system: s.clone(),
                    });
                }
                !gone
            });
        }
        effect.flows_removed.sort();
        effect.flows_removed.dedup();
        effect.access_removed.sort();
    }
}

/// Adds the `--assume` flows, with the catalog vendors and taxonomy keys
/// they name that the map lacks.
fn add_flows(map: &mut Map, assumptions: &[Assumption], effect: &mut AssumptionEffect) {
    let sole_subject = if map.subjects.len() == 1 {
        map.subjects.keys().next().cloned()
    } else {
        None
    };
    for a in assumptions {
        let Assumption::Flow {
            from,
            to,
            fields,
            text,
        } = a
        else {
            continue;
        };
        for id in [from, to] {
            if map.components.contains_key(id) || map.vendors.contains_key(id) {
                continue;
            }
            if let Some(c) = catalog::lookup(id) {
                map.vendors.insert(
                    id.clone(),
                    Vendor {
                        id: id.clone(),
                        name: c.name.clone(),
                        category: c.category,
                        access: Vec::new(),
                        in_catalog: true,
                        origin: Origin::DECLARED,
                    },
                );
                effect.vendors_added.push(id.clone());
            }
        }
        if let FlowFields::List(list) = fields {
            for f in list {
                if !map.fields.contains_key(f) {
                    // A taxonomy key used directly, as the loader does it.
                    map.fields.insert(
                        f.clone(),
                        Field {
                            id: f.clone(),
                            category: f.clone(),
                            subject: sole_subject.clone(),
                            sensitivity: map.taxonomy.sensitivity(f),
                            description: None,
                            implicit: true,
                        },
                    );
                    effect.fields_added.push(f.clone());
                }
            }
        }
        map.flows.push(Flow {
            from: from.clone(),
            to: to.clone(),
            fields: fields.clone(),
            purpose: Some("assumed (what-if)".into()),
            evidence: vec![Evidence {
                kind: EvidenceKind::Declared,
                file: ASSUMED_FILE.into(),
                line: 0,
                text: text.clone(),
                scope: Scope::Production,
            }],
            origin: Origin::DECLARED,
            discovered: Vec::new(),
        });
        effect.flows_added.push(FlowRef {
            from: from.clone(),
            to: to.clone(),
            fields: FieldsRef::of(fields),
        });
    }
}

/// Checks every assumption against `map`, then applies them: `--without`
/// first, then the assumed flows in order. On any problem the map is left
/// untouched and every problem is returned.
pub fn apply_assumptions(
    map: &mut Map,
    assumptions: &[Assumption],
) -> Result<AssumptionEffect, AssumeError> {
    let mut problems = Vec::new();
    let removed: BTreeSet<&str> = assumptions
        .iter()
        .filter_map(|a| match a {
            // Only real vendors: a bad id is reported below, once.
            Assumption::Without { vendor } if map.vendors.contains_key(vendor) => {
                Some(vendor.as_str())
            }
            _ => None,
        })
        .collect();
    check_assumptions(map, assumptions, &removed, &mut problems);
    if !problems.is_empty() {
        return Err(AssumeError { problems });
    }

    let mut effect = AssumptionEffect {
        assumptions: assumptions.iter().map(Assumption::as_given).collect(),
        ..Default::default()
    };
    remove_vendors(map, &removed, &mut effect);
    add_flows(map, assumptions, &mut effect);
    effect.vendors_added.sort();
    effect.vendors_added.dedup();
    effect.fields_added.sort();
    effect.fields_added.dedup();
    Ok(effect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::declaration::load_str;

    const MAP: &str = "version: 1
subjects:
  u: { count: 100 }
fields:
  email: { category: user.contact.email, subject: u }
  name: { category: user.name, subject: u }
  key: { category: user.authorization.credentials, subject: u }
components:
  web: { holds: [email, name, key] }
vendors:
  segment: {}
  mixpanel: {}
  drift: { name: Drift, category: support, access: [segment] }
flows:
  - { from: web, to: segment, fields: [email, name] }
  - { from: segment, to: mixpanel, fields: all }
";

    fn map() -> Map {
        load_str(MAP, "t.yaml").unwrap()
    }

    fn flow(s: &str) -> Assumption {
        Assumption::parse_flow(s).unwrap_or_else(|p| panic!("{p}"))
    }

    #[test]
    fn parses_the_documented_syntax_and_its_variants() {
        assert_eq!(
            flow("web -> mixpanel: email, name"),
            Assumption::Flow {
                from: "web".into(),
                to: "mixpanel".into(),
                fields: FlowFields::List(vec!["email".into(), "name".into()]),
                text: "web -> mixpanel: email, name".into(),
            }
        );
        let Assumption::Flow { fields, .. } = flow("web→mixpanel:[email,name,]") else {
            panic!()
        };
        assert_eq!(
            fields,
            FlowFields::List(vec!["email".into(), "name".into()])
        );
        let Assumption::Flow { fields, .. } = flow(" segment -> mixpanel : all ") else {
            panic!()
        };
        assert_eq!(fields, FlowFields::All);
    }

    #[test]
    fn syntax_errors_say_what_is_missing() {
        let msg = |s: &str| Assumption::parse_flow(s).unwrap_err().message;
        assert_eq!(msg("web -> mixpanel"), "no `:` before the fields");
        assert_eq!(
            msg("web mixpanel: email"),
            "no `->` between the source and the destination"
        );
        assert_eq!(
            msg("web -> : email"),
            "the source or the destination is missing"
        );
        assert_eq!(msg("web -> mixpanel:  , "), "no fields after the `:`");
        assert_eq!(
            msg("a -> b -> c: email"),
            "more than one `->`: one assumption is one flow"
        );
        assert_eq!(
            msg("web -> mixpanel: all, email"),
            "`all` cannot be mixed with field ids"
        );
        assert_eq!(
            msg("my web -> mixpanel: email"),
            "the source `my web` contains a space"
        );
    }

    #[test]
    fn every_unknown_id_is_reported_with_a_suggestion() {
        let mut m = map();
        let before = m.flows.len();
        let a = parse_all(
            &[
                "wbe -> mixpnael: emial, user.contact.emial".into(),
                "web -> segment: user.email".into(),
            ],
            &["segmnet".into(), "web".into()],
        )
        .unwrap();
        let e = apply_assumptions(&mut m, &a).unwrap_err();
        let got: Vec<(String, Option<String>)> = e
            .problems
            .iter()
            .map(|p| (p.message.clone(), p.help.clone()))
            .collect();
        let has = |msg: &str, help: &str| {
            assert!(
                got.iter()
                    .any(|(m, h)| m.starts_with(msg)
                        && h.as_deref().is_some_and(|h| h.contains(help))),
                "{msg} / {help} not in {got:#?}"
            )
        };
        has("unknown vendor `segmnet`", "did you mean `segment`?");
        has(
            "`web` is a component, not a vendor",
            "--without takes a vendor id",
        );
        has("unknown source `wbe`", "did you mean `web`?");
        has("unknown destination `mixpnael`", "did you mean `mixpanel`?");
        has("unknown field `emial`", "did you mean `email`?");
        has(
            "unknown field `user.contact.emial`",
            "did you mean the category `user.contact.email`?",
        );
        has(
            "unknown field `user.email`",
            "did you mean the category `user.contact.email`?",
        );
        assert_eq!(e.problems.len(), 7, "{e}");
        assert!(
            e.to_string()
                .ends_with("7 problems in the assumptions; nothing was computed")
        );
        assert_eq!(m.flows.len(), before, "a failed apply leaves the map alone");
    }

    #[test]
    fn without_removes_the_vendor_its_flows_and_grants() {
        let mut m = map();
        let a = parse_all(&[], &["segment".into()]).unwrap();
        let e = apply_assumptions(&mut m, &a).unwrap();
        assert!(!m.vendors.contains_key("segment"));
        assert!(m.flows.is_empty());
        assert!(m.vendors["drift"].access.is_empty());
        assert_eq!(e.vendors_removed, ["segment"]);
        assert_eq!(e.flows_removed.len(), 2);
        assert_eq!(
            e.access_removed,
            [GrantRef {
                vendor: "drift".into(),
                system: "segment".into()
            }]
        );
        assert_eq!(e.assumptions, ["--without segment"]);
    }

    #[test]
    fn an_assumed_flow_may_add_a_catalog_vendor_and_a_category() {
        let mut m = map();
        let a = parse_all(
            &["web -> amplitude: email, user.device.ip_address".into()],
            &[],
        )
        .unwrap();
        let e = apply_assumptions(&mut m, &a).unwrap();
        assert_eq!(e.vendors_added, ["amplitude"]);
        assert_eq!(e.fields_added, ["user.device.ip_address"]);
        assert_eq!(m.vendors["amplitude"].name, "Amplitude");
        let f = m.flows.last().unwrap();
        assert_eq!(f.evidence[0].file, ASSUMED_FILE);
        assert_eq!(
            m.fields["user.device.ip_address"].subject.as_deref(),
            Some("u")
        );
    }

    #[test]
    fn a_flow_through_a_removed_vendor_is_a_contradiction() {
        let mut m = map();
        let a = parse_all(&["web -> segment: email".into()], &["segment".into()]).unwrap();
        let e = apply_assumptions(&mut m, &a).unwrap_err();
        assert_eq!(
            e.problems[0].message,
            "the destination `segment` is removed by --without segment"
        );
    }
}
