//! `blast VENDOR`: what leaks if one vendor is breached, and what to do.
//!
//! The result is a plain data report ([`BlastReport`]) that every renderer
//! reads; nothing here formats text for a terminal.

use std::collections::{BTreeMap, BTreeSet};

use fixedbitset::FixedBitSet;
use petgraph::graph::NodeIndex;
use rayon::prelude::*;
use serde::Serialize;

use super::routes::{Hop, Scratch, routes};
use super::{DataGraph, EdgeKind, Mode, NodeKind};
use crate::catalog::rules::Rules;
use crate::model::{Evidence, Sensitivity, VendorCategory};

/// The overall severity of a vendor's blast radius.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing exposed.
    None,
    /// Only device and usage metadata.
    Low,
    /// Identifying or contact data.
    Medium,
    /// Sensitive data, or an attack on many people.
    High,
    /// Credentials, money, or national identity.
    Critical,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The one mapping from a field's sensitivity to a severity, used by
/// `blast` and by `check`'s policy maxima.
impl From<Sensitivity> for Severity {
    fn from(s: Sensitivity) -> Severity {
        match s {
            Sensitivity::Low => Severity::Low,
            Sensitivity::Medium => Severity::Medium,
            Sensitivity::High => Severity::High,
            Sensitivity::Critical => Severity::Critical,
        }
    }
}

/// Points per exposed field, by sensitivity (the score's first term).
pub const FIELD_POINTS: [(Sensitivity, u64); 4] = [
    (Sensitivity::Low, 1),
    (Sensitivity::Medium, 4),
    (Sensitivity::High, 10),
    (Sensitivity::Critical, 25),
];

fn field_points(s: Sensitivity) -> u64 {
    FIELD_POINTS
        .iter()
        .find(|(x, _)| *x == s)
        .map(|(_, p)| *p)
        .unwrap_or(0)
}

/// How data crosses one hop of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HopKind {
    /// A flow carries it.
    Flow,
    /// The vendor holds credentials that read `from`.
    Access,
    /// The vendor's SDK runs inside `from` (code mode).
    Code,
}

impl HopKind {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::Flow => "flow",
            HopKind::Access => "access",
            HopKind::Code => "code",
        }
    }
}

impl std::fmt::Display for HopKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One hop of a path, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HopReport {
    /// Source node id.
    pub from: String,
    /// Target node id.
    pub to: String,
    /// `flow`, `access` (the vendor's credentials to `from`) or `code`
    /// (the vendor's SDK runs inside `from`).
    pub via: HopKind,
    /// Declared, discovered or both (flows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<&'static str>,
    /// Where the flow was seen.
    pub evidence: Vec<Evidence>,
}

/// A path from an originating component to the vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteReport {
    /// Node ids, origin first.
    pub nodes: Vec<String>,
    /// One per step.
    pub hops: Vec<HopReport>,
    /// Other paths from the same origin (not listed).
    pub more_paths: u64,
    /// True when `more_paths` is a lower bound.
    pub more_paths_is_lower_bound: bool,
}

/// A field that reaches the vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposedField {
    /// Field id.
    pub field: String,
    /// Taxonomy key.
    pub category: String,
    /// Taxonomy name.
    pub category_name: String,
    /// Plain words ("email addresses").
    pub plain: String,
    /// Effective sensitivity.
    pub sensitivity: Sensitivity,
    /// Whose data.
    pub subject: Option<String>,
    /// How many people, when known.
    pub count: Option<u64>,
    /// Node ids of the shortest path from each originating component.
    pub paths: Vec<Vec<String>>,
    /// The same paths with evidence per hop.
    pub routes: Vec<RouteReport>,
}

/// A sensitive field that does not reach the vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotExposedField {
    /// Field id.
    pub field: String,
    /// Taxonomy key.
    pub category: String,
    /// Plain words.
    pub plain: String,
    /// Effective sensitivity.
    pub sensitivity: Sensitivity,
    /// Whose data.
    pub subject: Option<String>,
}

/// A group of people affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Affected {
    /// Subject id (`unassigned` for fields without a subject).
    pub subject: String,
    /// How many people, when known.
    pub count: Option<u64>,
    /// How many people per region, when the declarations say; empty when
    /// only the total is known.
    #[serde(rename = "by_region", skip_serializing_if = "BTreeMap::is_empty")]
    pub count_by_region: BTreeMap<String, u64>,
    /// Who they are.
    pub description: Option<String>,
    /// Where they live.
    pub regions: Vec<String>,
    /// Exposed field ids of theirs.
    pub fields: Vec<String>,
}

/// What an attacker can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioReport {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The severity floor it sets.
    pub severity: Sensitivity,
    /// What it means.
    pub description: String,
    /// The exposed categories that enable it.
    pub because: Vec<String>,
}

/// One step of the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReport {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What exactly to do, from the exposure: written by
    /// `report::words` (empty in the report `DataGraph::blast` returns).
    pub text: String,
    /// Code and declaration locations it concerns (`file:line`).
    pub locations: Vec<String>,
    /// The affected people's regions that matched the rule's `regions`.
    #[serde(skip)]
    pub regions: Vec<String>,
}

/// One term of the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreTerm {
    /// What the term counts.
    pub what: String,
    /// Its points (before the reach factor).
    pub points: u64,
}

/// The whole answer to "what leaks if VENDOR is breached?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlastReport {
    /// Output contract version.
    pub version: u32,
    /// The system's name.
    pub system: String,
    /// Vendor id.
    pub vendor: String,
    /// Vendor display name.
    pub vendor_name: String,
    /// Vendor category.
    pub vendor_category: VendorCategory,
    /// Data or code.
    pub mode: Mode,
    /// Overall severity.
    pub severity: Severity,
    /// Score (see README: "How the score works").
    pub score: u64,
    /// The score's terms.
    pub score_terms: Vec<ScoreTerm>,
    /// The reach factor applied to the terms' sum.
    pub reach_factor: f64,
    /// Exposed fields, most sensitive first.
    pub exposed: Vec<ExposedField>,
    /// Fields of medium sensitivity or above that are not exposed.
    pub not_exposed: Vec<NotExposedField>,
    /// People affected, per subject.
    pub affected: Vec<Affected>,
    /// Sum of the known counts.
    pub people: Option<u64>,
    /// True when any credential category is exposed.
    pub credentials_exposed: bool,
    /// Attacks the exposure enables, most severe first.
    pub scenarios: Vec<ScenarioReport>,
    /// The response checklist.
    pub actions: Vec<ActionReport>,
    /// Statements the reader must not miss (e.g. "no rotation needed"):
    /// written by `report::words` from the rest (empty in the report
    /// `DataGraph::blast` returns).
    pub notes: Vec<String>,
    /// Known sub-processors of the vendor (catalog and declared flows).
    pub sub_processors: Vec<String>,
    /// Systems whose data the vendor can read through access grants.
    pub access: Vec<String>,
    /// What `--assume`/`--without` changed against the map as declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<super::whatif::BlastWhatIf>,
    /// Every subject's description, by id (those not affected too), for
    /// the notices' words; not part of the JSON, whose `affected` has them.
    #[serde(skip)]
    pub subject_descriptions: BTreeMap<String, String>,
    /// The ids of the map's credential fields (exposed or not), for the
    /// note that says which did not reach the vendor.
    #[serde(skip)]
    pub credentials_held: Vec<String>,
}

/// Why `blast` could not answer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BlastError {
    /// No vendor has that id.
    #[error("vendor `{vendor}` is not in this map{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownVendor {
        /// The id asked for.
        vendor: String,
        /// A near miss.
        suggestion: Option<String>,
        /// The vendors the map has.
        known: Vec<String>,
        /// How to ask about it all the same.
        outside: Box<Outside>,
    },
}

/// What the map and the catalog say about a vendor the map does not have.
#[derive(Debug, PartialEq, Eq)]
pub struct Outside {
    /// The map's vendors that the catalog says use it as a sub-processor
    /// (it is on their diagram), sorted.
    pub sub_processor_of: Vec<String>,
    /// Its name, when the catalog knows it.
    pub catalog_name: Option<String>,
    /// The map's first component, for an `--assume` example.
    pub component: Option<String>,
}

/// Per-field indexes that make [`DataGraph::summarize`] cheap: each field's
/// category and subject as small integers, and each scenario rule's groups
/// as sets of category indexes.
#[derive(Debug, Clone, Default)]
pub struct Scoring {
    n_categories: usize,
    field_category: Vec<u32>,
    field_subject: Vec<Option<u32>>,
    subject_counts: Vec<Option<u64>>,
    rule_groups: Vec<Vec<FixedBitSet>>,
    /// Per rule, the categories that escalate it (empty when none do).
    rule_escalate: Vec<FixedBitSet>,
}

impl Scoring {
    /// Builds the indexes for a map's fields (in graph order).
    pub fn new(map: &crate::model::Map, fields: &[&crate::model::Field]) -> Scoring {
        let mut cats: Vec<&str> = fields.iter().map(|f| f.category.as_str()).collect();
        cats.sort_unstable();
        cats.dedup();
        let subjects: Vec<&str> = map.subjects.keys().map(String::as_str).collect();
        let within = |group: &[String]| {
            let mut set = FixedBitSet::with_capacity(cats.len());
            for (i, c) in cats.iter().enumerate() {
                if group
                    .iter()
                    .any(|k| crate::catalog::taxonomy::Taxonomy::is_within(c, k))
                {
                    set.insert(i);
                }
            }
            set
        };
        let rules = &Rules::builtin().scenarios;
        let rule_groups = rules
            .iter()
            .map(|r| r.requires.iter().map(|g| within(g)).collect())
            .collect();
        let rule_escalate = rules
            .iter()
            .map(|r| {
                r.escalate
                    .as_ref()
                    .map(|e| within(&e.with))
                    .unwrap_or_else(|| FixedBitSet::with_capacity(cats.len()))
            })
            .collect();
        Scoring {
            n_categories: cats.len(),
            field_category: fields
                .iter()
                .map(|f| cats.binary_search(&f.category.as_str()).unwrap_or(0) as u32)
                .collect(),
            field_subject: fields
                .iter()
                .map(|f| {
                    f.subject
                        .as_deref()
                        .and_then(|s| subjects.binary_search(&s).ok())
                        .map(|i| i as u32)
                })
                .collect(),
            subject_counts: map.subjects.values().map(|s| s.count).collect(),
            rule_groups,
            rule_escalate,
        }
    }
}

/// The summary numbers of one vendor's exposure, as `rank` needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Exposed field bits.
    pub exposed: FixedBitSet,
    /// Score.
    pub score: u64,
    /// Severity.
    pub severity: Severity,
    /// Applicable scenario ids.
    pub scenarios: Vec<usize>,
    /// People (sum of known counts).
    pub people: Option<u64>,
    /// The terms.
    pub terms: Vec<ScoreTerm>,
    /// The reach factor.
    pub reach: f64,
}

impl DataGraph<'_> {
    /// The categories of a set of field bits, sorted and deduplicated.
    fn categories(&self, set: &FixedBitSet) -> Vec<&str> {
        let mut cats: Vec<&str> = set
            .ones()
            .map(|b| self.fields[b].category.as_str())
            .collect();
        cats.sort_unstable();
        cats.dedup();
        cats
    }

    /// Severity and score of an exposed set (shared by `blast` and `rank`).
    /// Runs once per vendor in `rank`, so it works on the precomputed
    /// [`Scoring`] indexes rather than on strings.
    pub fn summarize(&self, exposed: FixedBitSet) -> Summary {
        let rules = Rules::builtin();
        let sc = &self.scoring;
        let mut cats = FixedBitSet::with_capacity(sc.n_categories);
        let mut subjects = FixedBitSet::with_capacity(sc.subject_counts.len());
        let mut severity = Severity::None;
        let mut by_sens = [0u64; 4];
        for b in exposed.ones() {
            let f = self.fields[b];
            severity = severity.max(Severity::from(f.sensitivity));
            by_sens[f.sensitivity as usize] += 1;
            cats.insert(sc.field_category[b] as usize);
            if let Some(s) = sc.field_subject[b] {
                subjects.insert(s as usize);
            }
        }
        let people = if subjects.is_clear() {
            None
        } else {
            subjects
                .ones()
                .filter_map(|s| sc.subject_counts[s])
                .reduce(|a, b| a.saturating_add(b))
        };
        let mut terms = Vec::new();
        for s in Sensitivity::ALL.into_iter().rev() {
            let n = by_sens[s as usize];
            if n == 0 {
                continue;
            }
            terms.push(ScoreTerm {
                what: format!(
                    "{n} {s}-sensitivity field{} × {}",
                    if n == 1 { "" } else { "s" },
                    field_points(s)
                ),
                points: n * field_points(s),
            });
        }
        let mut scenarios = Vec::new();
        for (i, rule) in rules.scenarios.iter().enumerate() {
            let applies = sc.rule_groups[i].iter().all(|g| !g.is_disjoint(&cats));
            if applies {
                scenarios.push(i);
                terms.push(ScoreTerm {
                    what: format!("scenario {}", rule.id),
                    points: rule.weight,
                });
                let mut floor = Severity::from(rule.severity);
                if let Some(e) = &rule.escalate {
                    if !sc.rule_escalate[i].is_disjoint(&cats) {
                        floor = floor.max(Severity::from(e.severity));
                    }
                }
                let big_enough = match (rule.min_people, people) {
                    (Some(min), Some(p)) => p >= min,
                    // Unknown head counts are treated as large: the
                    // conservative answer in an incident.
                    _ => true,
                };
                if big_enough {
                    severity = severity.max(floor);
                } else {
                    severity = severity.max(Severity::Medium.min(floor));
                }
            }
        }
        let base: u64 = terms.iter().map(|t| t.points).sum();
        let reach = match people {
            Some(p) if p >= 10 => (p as f64).log10(),
            _ => 1.0,
        };
        let score = (base as f64 * reach).round() as u64;
        Summary {
            exposed,
            score,
            severity,
            scenarios,
            people,
            terms,
            reach,
        }
    }

    /// The vendor node for an id, or a helpful error.
    pub fn vendor_node(&self, vendor: &str) -> Result<NodeIndex, BlastError> {
        match self.node(vendor) {
            Some(n) if self.graph[n].kind == NodeKind::Vendor => Ok(n),
            _ => {
                let known: Vec<String> = self.map.vendors.keys().cloned().collect();
                let suggestion =
                    crate::model::suggest::closest(vendor, known.iter().map(String::as_str))
                        .map(str::to_string);
                let sub_processor_of: Vec<String> = known
                    .iter()
                    .filter(|v| {
                        crate::catalog::lookup(v)
                            .is_some_and(|c| c.sub_processors.iter().any(|s| s == vendor))
                    })
                    .cloned()
                    .collect();
                Err(BlastError::UnknownVendor {
                    vendor: vendor.to_string(),
                    suggestion,
                    known,
                    outside: Box::new(Outside {
                        sub_processor_of,
                        catalog_name: crate::catalog::lookup(vendor).map(|c| c.name.clone()),
                        component: self.map.components.keys().next().cloned(),
                    }),
                })
            }
        }
    }

    /// The full blast-radius report for one vendor.
    pub fn blast(&self, vendor: &str, mode: Mode) -> Result<BlastReport, BlastError> {
        let v = self.vendor_node(vendor)?;
        let vend = &self.map.vendors[vendor];
        let tax = &self.map.taxonomy;
        let summary = self.summarize(self.exposure(v, mode));
        let rules = Rules::builtin();

        // Each exposed field's routes are searched on their own (a
        // backward search and a bounded path count per field, most of a
        // blast's own time on a large map): on all threads, one scratch
        // each, gathered in bit order.
        let bits: Vec<usize> = summary.exposed.ones().collect();
        let n = self.graph.node_count();
        let mut exposed: Vec<ExposedField> = bits
            .par_iter()
            .map_init(
                || Scratch::new(n),
                |scratch, &b| {
                    let f = self.fields[b];
                    let rs = routes(self, v, b, mode, scratch);
                    let routes: Vec<RouteReport> = rs
                        .iter()
                        .map(|r| self.route_report(r, &f.category))
                        .collect();
                    ExposedField {
                        field: f.id.clone(),
                        category: f.category.clone(),
                        category_name: tax
                            .get(&f.category)
                            .map(|c| c.name.clone())
                            .unwrap_or_default(),
                        plain: tax.plain(&f.category).to_string(),
                        sensitivity: f.sensitivity,
                        subject: f.subject.clone(),
                        count: f
                            .subject
                            .as_ref()
                            .and_then(|s| self.map.subjects.get(s))
                            .and_then(|s| s.count),
                        paths: routes.iter().map(|r| r.nodes.clone()).collect(),
                        routes,
                    }
                },
            )
            .collect();
        exposed.sort_by(|a, b| {
            b.sensitivity
                .cmp(&a.sensitivity)
                .then_with(|| a.category.cmp(&b.category))
                .then_with(|| a.field.cmp(&b.field))
        });

        let mut not_exposed: Vec<NotExposedField> = self
            .fields
            .iter()
            .enumerate()
            .filter(|(b, f)| !summary.exposed.contains(*b) && f.sensitivity >= Sensitivity::Medium)
            .map(|(_, f)| NotExposedField {
                field: f.id.clone(),
                category: f.category.clone(),
                plain: tax.plain(&f.category).to_string(),
                sensitivity: f.sensitivity,
                subject: f.subject.clone(),
            })
            .collect();
        not_exposed.sort_by(|a, b| {
            b.sensitivity
                .cmp(&a.sensitivity)
                .then_with(|| a.category.cmp(&b.category))
                .then_with(|| a.field.cmp(&b.field))
        });

        let affected = self.affected(&exposed);

        let cats = self.categories(&summary.exposed);
        let mut scenarios: Vec<ScenarioReport> = summary
            .scenarios
            .iter()
            .map(|&i| {
                let r = &rules.scenarios[i];
                ScenarioReport {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    severity: r.floor(&cats),
                    description: r.description.clone(),
                    because: r.because(&cats).into_iter().map(str::to_string).collect(),
                }
            })
            .collect();
        // Most severe first; the rules file order breaks ties.
        scenarios.sort_by_key(|s| std::cmp::Reverse(s.severity));

        let credentials: Vec<&ExposedField> = exposed
            .iter()
            .filter(|e| is_credential(&e.category))
            .collect();
        let credentials_exposed = !credentials.is_empty();

        let mut sub_processors: BTreeSet<String> = crate::catalog::lookup(vendor)
            .map(|c| c.sub_processors.iter().cloned().collect())
            .unwrap_or_default();
        for f in &self.map.flows {
            if f.from == vendor && self.map.vendors.contains_key(&f.to) {
                sub_processors.insert(f.to.clone());
            }
        }
        let sub_processors: Vec<String> = sub_processors.into_iter().collect();
        let access: Vec<String> = self
            .access_closure(v)
            .into_iter()
            .map(|n| self.graph[n].id.clone())
            .collect();

        let mut report = BlastReport {
            version: 1,
            system: self.map.system.clone(),
            vendor: vendor.to_string(),
            vendor_name: vend.name.clone(),
            vendor_category: vend.category,
            mode,
            severity: summary.severity,
            score: summary.score,
            score_terms: summary.terms.clone(),
            reach_factor: (summary.reach * 100.0).round() / 100.0,
            exposed,
            not_exposed,
            affected,
            people: summary.people,
            credentials_exposed,
            scenarios,
            actions: Vec::new(),
            notes: Vec::new(),
            sub_processors,
            access,
            what_if: None,
            subject_descriptions: self
                .map
                .subjects
                .iter()
                .filter_map(|(id, s)| Some((id.clone(), s.description.clone()?)))
                .collect(),
            credentials_held: self.credential_ids(),
        };
        report.actions = self.actions(&report, v);
        Ok(report)
    }

    /// The ids of the map's credential fields.
    fn credential_ids(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| is_credential(&f.category))
            .map(|f| f.id.clone())
            .collect()
    }

    /// The subjects with an exposed field, each with its fields (sorted),
    /// head count and regions; fields without a subject under `unassigned`.
    fn affected(&self, exposed: &[ExposedField]) -> Vec<Affected> {
        let mut affected_map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in exposed {
            affected_map
                .entry(e.subject.clone().unwrap_or_else(|| "unassigned".into()))
                .or_default()
                .push(e.field.clone());
        }
        affected_map
            .into_iter()
            .map(|(s, mut fields)| {
                fields.sort();
                let subj = self.map.subjects.get(&s);
                Affected {
                    count: subj.and_then(|x| x.count),
                    count_by_region: subj.map(|x| x.count_by_region.clone()).unwrap_or_default(),
                    description: subj.and_then(|x| x.description.clone()),
                    regions: subj.map(|x| x.regions.clone()).unwrap_or_default(),
                    subject: s,
                    fields,
                }
            })
            .collect()
    }

    fn route_report(&self, r: &super::routes::Route, category: &str) -> RouteReport {
        let hops = r
            .hops
            .iter()
            .map(|h| {
                let e = h.edge();
                let (a, b) = self.graph.edge_endpoints(e).expect("route edges exist");
                let (via, origin, evidence) = match (h, self.graph[e]) {
                    (Hop::Flow(_), EdgeKind::Flow(i)) => {
                        let f = &self.map.flows[i];
                        (
                            HopKind::Flow,
                            Some(f.origin.as_str()),
                            self.field_evidence(f, category),
                        )
                    }
                    (Hop::Code(_), EdgeKind::Flow(i)) => {
                        (HopKind::Code, None, self.map.flows[i].evidence.clone())
                    }
                    _ => (HopKind::Access, None, Vec::new()),
                };
                HopReport {
                    from: self.graph[a].id.clone(),
                    to: self.graph[b].id.clone(),
                    via,
                    origin,
                    evidence,
                }
            })
            .collect();
        RouteReport {
            nodes: r.nodes.iter().map(|n| self.graph[*n].id.clone()).collect(),
            hops,
            more_paths: r.more,
            more_paths_is_lower_bound: r.more_is_lower_bound,
        }
    }

    /// The evidence of a flow for one field: its declaration, and the code
    /// lines where the field's category (failing that, a narrower or broader
    /// one) is sent or collected. A flow the scan saw no line of this category for
    /// (a field only declared, or reached through a field of another kind)
    /// keeps all its evidence.
    fn field_evidence(&self, f: &crate::model::Flow, category: &str) -> Vec<Evidence> {
        use crate::catalog::taxonomy::Taxonomy;
        let Some(lines) = self.map.field_evidence.get(&(f.from.clone(), f.to.clone())) else {
            return f.evidence.clone();
        };
        // The category's own lines; failing those, a narrower or broader one's.
        let mut own: Vec<&Evidence> = lines
            .iter()
            .filter(|(c, _)| c == category)
            .map(|(_, e)| e)
            .collect();
        if own.is_empty() {
            own = lines
                .iter()
                .filter(|(c, _)| {
                    Taxonomy::is_within(c, category) || Taxonomy::is_within(category, c)
                })
                .map(|(_, e)| e)
                .collect();
        }
        if own.is_empty() {
            return f.evidence.clone();
        }
        let mut out: Vec<Evidence> = f
            .evidence
            .iter()
            .filter(|e| e.kind == crate::model::EvidenceKind::Declared)
            .cloned()
            .collect();
        for e in own {
            if !out.contains(e) {
                out.push(e.clone());
            }
        }
        out
    }

    fn actions(&self, report: &BlastReport, v: NodeIndex) -> Vec<ActionReport> {
        let rules = Rules::builtin();
        let cats: Vec<&str> = report.exposed.iter().map(|e| e.category.as_str()).collect();
        let regions: BTreeSet<&str> = report
            .affected
            .iter()
            .flat_map(|a| a.regions.iter().map(String::as_str))
            .collect();
        let mut out = Vec::new();
        for rule in &rules.actions {
            let w = &rule.when;
            let exposed_ok = w.exposed.is_empty()
                || cats.iter().any(|c| {
                    w.exposed
                        .iter()
                        .any(|k| crate::catalog::taxonomy::Taxonomy::is_within(c, k))
                });
            let scenario_ok = w
                .scenario
                .as_ref()
                .is_none_or(|s| report.scenarios.iter().any(|x| &x.id == s));
            let matched_regions: Vec<&str> = regions
                .iter()
                .copied()
                .filter(|r| w.regions.iter().any(|x| x == r))
                .collect();
            let regions_ok = w.regions.is_empty() || !matched_regions.is_empty();
            if !(exposed_ok && scenario_ok && regions_ok) {
                continue;
            }
            let locations = if rule.id == "remove-integration" {
                self.integration_locations(v)
            } else {
                Vec::new()
            };
            out.push(ActionReport {
                id: rule.id.clone(),
                title: rule.title.clone(),
                text: String::new(),
                locations,
                regions: matched_regions.iter().map(|r| r.to_string()).collect(),
            });
        }
        out
    }

    /// Every location of a flow into the vendor (and of its access grants):
    /// code evidence first, then declarations.
    fn integration_locations(&self, v: NodeIndex) -> Vec<String> {
        use petgraph::Direction;
        use petgraph::visit::EdgeRef;
        let mut code = BTreeSet::new();
        let mut declared = BTreeSet::new();
        for e in self.graph.edges_directed(v, Direction::Incoming) {
            if let EdgeKind::Flow(i) = self.graph[e.id()] {
                let f = &self.map.flows[i];
                for ev in &f.evidence {
                    if ev.kind == crate::model::EvidenceKind::Declared {
                        declared.insert(format!("{} ({} → {})", ev.location(), f.from, f.to));
                    } else if ev.scope == crate::model::Scope::Production {
                        code.insert(ev.location());
                    }
                }
            }
        }
        code.into_iter().chain(declared).collect()
    }
}

/// A category within `user.authorization` or `system.authentication`.
pub fn is_credential(category: &str) -> bool {
    use crate::catalog::taxonomy::Taxonomy;
    Taxonomy::is_within(category, "user.authorization")
        || Taxonomy::is_within(category, "system.authentication")
}
