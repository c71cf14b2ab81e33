//! `blastmap check`: the pre-merge gate.
//!
//! A check compares what the code does (a scan) with what the team declared
//! (`blastmap.yaml`), with its policy, and with a baseline (the scan of the
//! base revision, or a saved scan). Each difference is a [`Finding`] with a
//! stable code ([`Code`]) and a level (allow, warn, deny); the check fails
//! when any finding is denied. Findings are data: renderers in
//! `crate::report::check` turn a [`CheckReport`] into text, Markdown, SARIF
//! or JSON.
//!
//! Decisions the contract leaves open, written down here and in the README:
//! - Only production integrations count: test and dev code carries no user
//!   data out. Secrets count wherever they are (a live key in a test file is
//!   still a live key).
//! - With a baseline, a vendor or flow that is both new and undeclared is
//!   reported once, as `new-vendor` / `new-flow`; `undeclared-*` is left for
//!   what the baseline already had. A new vendor or flow that the
//!   declarations already list is reported at most as a warning: the
//!   declaration, reviewed in the same change, is the approval.
//! - A field the code sends is covered by a declared flow from the same
//!   component to the same vendor carrying a field of the same category, a
//!   broader one (`user.contact` covers `user.contact.email`), or a narrower
//!   one (the classifier's `user.contact` is covered by a declared email),
//!   or by `fields: all`. Code that no declared component's `paths` claim is
//!   compared with the vendor's declared flows from any component.
//! - Policy rules apply to the blast radius (data mode) of the declared map
//!   joined with the scan, so data that reaches a vendor by forwarding or
//!   through an access grant is covered as well as direct flows.
//! - Recorded traffic (`--observed`) adds two findings: a category a vendor
//!   was seen receiving that no declared flow carries is `undeclared-flow`,
//!   with the request as its location (`session.har#entries[3]`); a vendor
//!   seen in traffic that the scan does not show (production code) is
//!   `hidden-vendor`, denied unless declared. Observed flows join the map
//!   the policy is applied to, as the scan's do.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::taxonomy::Taxonomy;
use crate::graph::blast::{BlastReport, Severity};
use crate::graph::{DataGraph, Mode};
use crate::model::policy::{Code, Level, Policy, Target};
use crate::model::{Evidence, EvidenceKind, FlowFields, Map, Origin, Scope};
use crate::observe::ObservedReport;
use crate::scan::{Integration, ScanResult, SkipReason};

pub mod base;
pub mod codes;
pub mod git;
pub mod run;

/// Where a finding points: a file the user can open and a 1-based line
/// (0 when only the file is known).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Path as the user can open it from where `check` ran.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}", self.file, self.line)
        } else {
            f.write_str(&self.file)
        }
    }
}

/// The declaration (or policy rule) a finding breaks or refers to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DeclarationRef {
    /// Where it is written.
    pub location: Location,
    /// What it says (`flows[0]: dashboard → mixpanel`, `policy.deny[0]`).
    pub text: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// What the policy makes of it.
    pub level: Level,
    /// One sentence, with the facts.
    pub message: String,
    /// The vendor concerned (catalog or declared id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The component concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The data category concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The categories concerned, when one finding stands for several (what
    /// an SDK collects by itself).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Where in the code (or the declaration file, for a stale declaration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The declaration or policy rule it breaks or refers to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declaration: Option<DeclarationRef>,
    /// What to do about it.
    pub help: String,
}

impl Finding {
    /// A finding about a vendor used by a component, at a place, with the
    /// code's documented fix; its level is set when it is pushed.
    fn about_vendor(
        code: Code,
        message: String,
        vendor: &str,
        component: &str,
        location: &Option<Location>,
    ) -> Finding {
        Finding {
            code,
            level: code.default_level(),
            message,
            vendor: Some(vendor.to_string()),
            component: Some(component.to_string()),
            category: None,
            categories: Vec::new(),
            location: location.clone(),
            declaration: None,
            help: codes::doc(code).fix.to_string(),
        }
    }
}

/// A vendor's blast radius at one side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Radius {
    /// Overall severity.
    pub severity: Severity,
    /// The score (see the README).
    pub score: u64,
    /// The exposed data categories, sorted.
    pub categories: Vec<String>,
}

/// How one vendor's blast radius changed against the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorChange {
    /// Vendor id.
    pub vendor: String,
    /// Display name.
    pub name: String,
    /// Before (absent: the baseline did not use the vendor).
    pub before: Option<Radius>,
    /// After (absent: the change removes the vendor).
    pub after: Option<Radius>,
    /// Categories exposed now and not before.
    pub added: Vec<String>,
    /// Categories exposed before and not now.
    pub removed: Vec<String>,
}

/// A flow that is new (against the baseline) or undeclared, for the
/// diagram of what a change adds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NewFlow {
    /// Component id.
    pub from: String,
    /// Vendor id.
    pub to: String,
    /// The categories it carries (sorted; empty when none was seen).
    pub categories: Vec<String>,
    /// Whether the vendor itself is new.
    pub new_vendor: bool,
}

/// Counts per level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Denied findings (the check fails when there is one).
    pub deny: usize,
    /// Warnings.
    pub warn: usize,
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Output contract version.
    pub version: u32,
    /// The system's name.
    pub system: String,
    /// What the check compared with (`HEAD~1`, a file), if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The declaration file, if one was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declarations: Option<String>,
    /// Whether strict mode was on.
    pub strict: bool,
    /// True when no finding is denied.
    pub passed: bool,
    /// Counts per level.
    pub counts: Counts,
    /// Sorted by file, line, code.
    pub findings: Vec<Finding>,
    /// Vendors whose blast radius changed against the baseline, by vendor.
    pub changes: Vec<VendorChange>,
    /// New or undeclared flows, for the diagram.
    pub new_flows: Vec<NewFlow>,
    /// What the reader must know about the check itself (what it could not
    /// compare).
    pub notes: Vec<String>,
}

/// The baseline to compare with.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// How to name it in reports (`HEAD~1`, `scan-main.json`).
    pub name: String,
    /// Its scan.
    pub scan: ScanResult,
    /// Its declarations, when known (the base revision's `blastmap.yaml`);
    /// otherwise the current ones stand for them.
    pub map: Option<Map>,
}

/// How findings are levelled.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `--level CODE=LEVEL`, over the policy's levels.
    pub levels: BTreeMap<Code, Level>,
    /// `--strict`, over the policy's `strict`.
    pub strict: bool,
    /// Prefix for code paths so that they open from where the check ran
    /// (the scanned folder as given, `""` for the current folder).
    pub root_prefix: String,
}

/// Everything a check reads.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    /// The declarations (`None` when the repository has none yet).
    pub map: Option<&'a Map>,
    /// The scan of the tree being checked.
    pub scan: &'a ScanResult,
    /// What to compare with.
    pub baseline: Option<&'a Baseline>,
    /// With `--base`: what the change touches (for `unread-change`).
    pub changes: Option<&'a git::Changes>,
    /// Levels and paths.
    pub options: &'a CheckOptions,
    /// Recorded traffic (`--observed`): what the application was seen
    /// sending, compared with the declarations and with the scan.
    pub observed: &'a [ObservedReport],
}

/// The level of each code for this run.
#[derive(Debug, Clone)]
pub struct Levels {
    levels: BTreeMap<Code, Level>,
    /// Whether strict mode is on.
    pub strict: bool,
}

impl Levels {
    /// Defaults, then the policy, then strict mode, then the command line.
    pub fn new(policy: &Policy, options: &CheckOptions) -> Levels {
        let strict = options.strict || policy.strict;
        let mut levels: BTreeMap<Code, Level> =
            Code::ALL.iter().map(|c| (*c, c.default_level())).collect();
        if strict {
            levels.insert(Code::UndeclaredFlow, Level::Deny);
            levels.insert(Code::UndeclaredVendor, Level::Deny);
            levels.insert(Code::UnreadChange, Level::Deny);
        }
        levels.extend(policy.levels.iter().map(|(c, l)| (*c, *l)));
        levels.extend(options.levels.iter().map(|(c, l)| (*c, *l)));
        Levels { levels, strict }
    }

    /// The level of a code.
    pub fn of(&self, code: Code) -> Level {
        self.levels
            .get(&code)
            .copied()
            .unwrap_or(code.default_level())
    }
}

/// Evidence kinds in the order a reviewer wants to be pointed at: the
/// import a change adds before the manifest line that allows it.
fn kind_rank(k: EvidenceKind) -> u8 {
    match k {
        EvidenceKind::Import => 0,
        EvidenceKind::Script => 1,
        EvidenceKind::Call | EvidenceKind::Http => 2,
        EvidenceKind::Endpoint => 3,
        EvidenceKind::Config => 4,
        EvidenceKind::Manifest => 5,
        EvidenceKind::Collects | EvidenceKind::Observed => 6,
        EvidenceKind::Declared => 7,
        EvidenceKind::Mention => 8,
    }
}

/// The evidence to point at for an integration as a whole.
fn best_evidence(ev: &[Evidence]) -> Option<&Evidence> {
    ev.iter()
        .filter(|e| e.kind != EvidenceKind::Declared && e.scope == Scope::Production)
        .min_by(|a, b| {
            (kind_rank(a.kind), &a.file, a.line).cmp(&(kind_rank(b.kind), &b.file, b.line))
        })
        .or_else(|| ev.iter().find(|e| e.kind != EvidenceKind::Declared))
}

/// Whether a declared category covers a category the code shows (see the
/// module docs).
fn covers(declared: &str, seen: &str) -> bool {
    Taxonomy::is_within(seen, declared) || Taxonomy::is_within(declared, seen)
}

/// Plain words for a category, from the taxonomy.
fn plain(map: &Map, category: &str) -> String {
    map.taxonomy.plain(category).to_string()
}

struct Ctx<'a> {
    map: &'a Map,
    /// Where the scan saw each (vendor, category) sent: the first call site.
    sent: BTreeMap<(String, String), (String, u32)>,
    declared: bool,
    levels: Levels,
    prefix: &'a str,
    findings: Vec<Finding>,
    new_flows: BTreeMap<(String, String), (BTreeSet<String>, bool)>,
}

impl Ctx<'_> {
    fn code_location(&self, file: &str, line: u32) -> Location {
        Location {
            file: join_prefix(self.prefix, file),
            line,
        }
    }

    fn evidence_location(&self, e: &Evidence) -> Location {
        // A declaration's path and a recording's (`--observed`) are as the
        // user gave them, not relative to the scanned tree.
        if matches!(e.kind, EvidenceKind::Declared | EvidenceKind::Observed) {
            Location {
                file: e.file.clone(),
                line: e.line,
            }
        } else {
            self.code_location(&e.file, e.line)
        }
    }

    fn push(&mut self, mut f: Finding, level: Level) {
        if level == Level::Allow {
            return;
        }
        f.level = level;
        self.findings.push(f);
    }

    fn vendor_name(&self, id: &str) -> String {
        self.map
            .vendors
            .get(id)
            .map(|v| v.name.clone())
            .or_else(|| crate::catalog::lookup(id).map(|v| v.name.clone()))
            .unwrap_or_else(|| id.to_string())
    }

    /// The declared flows a (component, vendor) pair is compared with.
    fn declared_flows(&self, component: &str, vendor: &str) -> Vec<usize> {
        let known = self.map.components.contains_key(component);
        self.map
            .flows
            .iter()
            .enumerate()
            .filter(|(_, f)| f.origin.has(Origin::DECLARED) && f.to == vendor)
            .filter(|(_, f)| !known || f.from == component)
            .map(|(i, _)| i)
            .collect()
    }

    fn flow_declaration(&self, i: usize) -> Option<DeclarationRef> {
        let f = self.map.flows.get(i)?;
        let e = f
            .evidence
            .iter()
            .find(|e| e.kind == EvidenceKind::Declared)?;
        Some(DeclarationRef {
            location: Location {
                file: e.file.clone(),
                line: e.line,
            },
            text: format!("{}: {} → {}", e.text, f.from, f.to),
        })
    }

    fn covered(&self, flows: &[usize], category: &str) -> bool {
        flows.iter().any(|i| match &self.map.flows[*i].fields {
            FlowFields::All => true,
            FlowFields::List(list) => list.iter().any(|id| {
                let c = self
                    .map
                    .fields
                    .get(id)
                    .map(|f| f.category.as_str())
                    .unwrap_or(id.as_str());
                covers(c, category)
            }),
        })
    }
}

fn join_prefix(prefix: &str, file: &str) -> String {
    if prefix.is_empty() || prefix == "." {
        file.to_string()
    } else {
        format!("{}/{}", prefix.trim_end_matches('/'), file)
    }
}

/// Production integrations per (vendor, component).
fn production(scan: &ScanResult) -> Vec<&Integration> {
    scan.integrations
        .iter()
        .filter(|i| i.scope == Scope::Production)
        .collect()
}

fn component_of(i: &Integration) -> String {
    i.component
        .clone()
        .unwrap_or_else(|| crate::graph::reconcile::UNATTRIBUTED.to_string())
}

/// The categories an integration sends (person data only), each with the
/// first place it is seen and the name there.
fn sent_categories(i: &Integration, map: &Map) -> BTreeMap<String, (String, u32, String)> {
    let mut out: BTreeMap<String, (String, u32, String)> = BTreeMap::new();
    for f in &i.fields {
        if !map.taxonomy.contains(&f.category) || Taxonomy::is_within(&f.category, "system") {
            continue;
        }
        let e = out
            .entry(f.category.clone())
            .or_insert_with(|| (f.file.clone(), f.line, f.name.clone()));
        if (&f.file, f.line) < (&e.0, e.1) {
            *e = (f.file.clone(), f.line, f.name.clone());
        }
    }
    out
}

/// Runs a check.
pub fn check(input: CheckInput<'_>) -> CheckReport {
    let empty = Map::new("system");
    let map = input.map.unwrap_or(&empty);
    let levels = Levels::new(&map.policy, input.options);
    let mut sent: BTreeMap<(String, String), (String, u32)> = BTreeMap::new();
    for i in production(input.scan) {
        for (cat, (file, line, _)) in sent_categories(i, map) {
            let e = sent
                .entry((i.vendor.clone(), cat))
                .or_insert((file.clone(), line));
            if (&file, line) < (&e.0, e.1) {
                *e = (file, line);
            }
        }
    }
    let mut cx = Ctx {
        map,
        sent,
        declared: input.map.is_some(),
        levels,
        prefix: &input.options.root_prefix,
        findings: Vec::new(),
        new_flows: BTreeMap::new(),
    };

    // The baseline's vendors and (component, vendor, category) triples.
    let base_vendors: Option<BTreeSet<&str>> = input.baseline.map(|b| {
        production(&b.scan)
            .into_iter()
            .map(|i| i.vendor.as_str())
            .collect()
    });
    let base_flows: BTreeSet<(String, String, String)> = input
        .baseline
        .map(|b| {
            production(&b.scan)
                .into_iter()
                .flat_map(|i| {
                    let c = component_of(i);
                    let base_map = b.map.as_ref().unwrap_or(map);
                    sent_categories(i, base_map)
                        .into_keys()
                        .map(move |cat| (c.clone(), i.vendor.clone(), cat))
                })
                .collect()
        })
        .unwrap_or_default();
    let base_pairs: BTreeSet<(String, String)> = input
        .baseline
        .map(|b| {
            production(&b.scan)
                .into_iter()
                .map(|i| (component_of(i), i.vendor.clone()))
                .collect()
        })
        .unwrap_or_default();

    code_findings(
        &mut cx,
        input.scan,
        base_vendors.as_ref(),
        &base_flows,
        &base_pairs,
    );
    if cx.declared {
        stale_findings(&mut cx, input.scan);
    }
    secret_findings(&mut cx, input.scan);
    if let Some(changes) = input.changes {
        unread_findings(&mut cx, input.scan, changes);
    }

    let current = current_map(&mut cx, &input);
    // Every vendor's blast radius, only when the policy or a baseline needs
    // it: it is the costliest part of a check on a large map.
    let radii = if map.policy.is_empty() && input.baseline.is_none() {
        BTreeMap::new()
    } else {
        radius_reports(&DataGraph::build(&current), &current)
    };
    policy_findings(&mut cx, &current, &radii);

    let mut changes = Vec::new();
    if let Some(b) = input.baseline {
        let mut before = b.map.clone().unwrap_or_else(|| map.clone());
        crate::graph::reconcile::merge_scan(&mut before, &b.scan);
        let gb = DataGraph::build(&before);
        let base_radii = radii_summary(&radius_reports(&gb, &before));
        changes = compare(&cx, &current, &radii, &base_radii);
        grew_findings(&mut cx, &changes, &radii);
    }

    let Ctx {
        mut findings,
        new_flows,
        levels,
        ..
    } = cx;
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.location
                    .clone()
                    .or_else(|| f.declaration.as_ref().map(|d| d.location.clone())),
                f.code,
                f.vendor.clone(),
                f.component.clone(),
                f.category.clone(),
                f.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    findings.dedup();
    let mut notes = Vec::new();
    if input.map.is_none() {
        notes.push(no_declarations_note(
            input.scan,
            input.baseline.is_some(),
            !input.observed.is_empty(),
        ));
    }
    let counts = Counts {
        deny: findings.iter().filter(|f| f.level == Level::Deny).count(),
        warn: findings.iter().filter(|f| f.level == Level::Warn).count(),
    };
    CheckReport {
        version: 1,
        system: map.system.clone(),
        baseline: input.baseline.map(|b| b.name.clone()),
        declarations: input.map.and_then(|m| m.source.clone()),
        strict: levels.strict,
        passed: counts.deny == 0,
        counts,
        findings,
        changes,
        new_flows: new_flows
            .into_iter()
            .map(|((from, to), (cats, new_vendor))| NewFlow {
                from,
                to,
                categories: cats.into_iter().collect(),
                new_vendor,
            })
            .collect(),
        notes,
    }
}

/// The note of a check without declarations: what it could still check,
/// and which vendors the code shows.
fn no_declarations_note(scan: &ScanResult, with_baseline: bool, with_observed: bool) -> String {
    let vendors: BTreeSet<&str> = production(scan)
        .into_iter()
        .map(|i| i.vendor.as_str())
        .collect();
    let seen = if vendors.is_empty() {
        "the code shows no vendor".to_string()
    } else {
        format!(
            "the code sends data to {} vendor{} ({})",
            vendors.len(),
            if vendors.len() == 1 { "" } else { "s" },
            vendors.into_iter().collect::<Vec<_>>().join(", ")
        )
    };
    let compared = match (with_baseline, with_observed) {
        (true, false) => {
            "only what is new against the baseline and hard-coded secrets were checked"
        }
        (false, false) => "only hard-coded secrets were checked",
        (true, true) => {
            "only what is new against the baseline, hard-coded secrets and vendors seen only in the recorded traffic were checked"
        }
        (false, true) => {
            "only hard-coded secrets and vendors seen only in the recorded traffic were checked"
        }
    };
    format!(
        "no declarations (blastmap.yaml) were found, so {compared}; {seen}. Draft the declarations with `blastmap scan --format yaml > blastmap.yaml`"
    )
}

/// The current map: the declarations joined with the scan, then with what
/// was observed, whose findings are raised on the way (against the scan's
/// components).
fn current_map(cx: &mut Ctx<'_>, input: &CheckInput<'_>) -> Map {
    let mut current = cx.map.clone();
    crate::graph::reconcile::merge_scan(&mut current, input.scan);
    for r in input.observed {
        observed_findings(cx, input.scan, &current, r);
    }
    for r in input.observed {
        crate::graph::reconcile::merge_observed(&mut current, r);
    }
    current
}

/// hidden-vendor, and undeclared-flow for what a recording shows;
/// `scanned` is the declarations joined with the scan, whose components
/// take the observations (see `graph::reconcile`).
fn observed_findings(cx: &mut Ctx<'_>, scan: &ScanResult, scanned: &Map, r: &ObservedReport) {
    let in_code: BTreeSet<&str> = production(scan)
        .into_iter()
        .map(|i| i.vendor.as_str())
        .collect();
    let decl_file = cx
        .map
        .source
        .clone()
        .unwrap_or_else(|| "blastmap.yaml".into());
    for v in &r.vendors {
        let Some(first) = v.requests.first() else {
            continue;
        };
        let component = crate::graph::reconcile::observed_component(scanned, &v.vendor);
        let name = cx.vendor_name(&v.vendor);
        let at = |q: &crate::observe::ObservedRequest| Location {
            file: q.location(),
            line: 0,
        };
        if !in_code.contains(v.vendor.as_str()) {
            let declared = cx.map.vendors.contains_key(&v.vendor);
            let (level, tail) = if declared {
                (
                    cx.levels.of(Code::HiddenVendor).min(Level::Warn),
                    format!("Declared in {decl_file}"),
                )
            } else if cx.declared {
                (
                    cx.levels.of(Code::HiddenVendor),
                    format!("Not declared in {decl_file}"),
                )
            } else {
                (cx.levels.of(Code::HiddenVendor), "Not declared".into())
            };
            let person: Vec<&str> = v
                .categories
                .iter()
                .map(String::as_str)
                .filter(|c| !Taxonomy::is_within(c, "system"))
                .collect();
            let cats = if person.is_empty() {
                String::new()
            } else {
                format!(" ({})", person.join(", "))
            };
            // Who loaded it, when the recording names the sending script's
            // vendor (a tag manager): the first request that says.
            let why = v
                .requests
                .iter()
                .find_map(|q| Some((q.initiator_vendor.as_deref()?, q.initiator.as_deref()?)))
                .map(|(iv, script)| {
                    format!(
                        "sent by a script of {} (`{iv}`, {script}).",
                        cx.vendor_name(iv)
                    )
                })
                .unwrap_or_else(|| "loaded by a tag manager or a third party's script?".into());
            let message = format!(
                "{name} (`{}`) received {} request{}{cats} that the code scan does not explain: {why} {tail}",
                v.vendor,
                v.requests.len(),
                if v.requests.len() == 1 { "" } else { "s" },
            );
            let f = Finding::about_vendor(
                Code::HiddenVendor,
                message,
                &v.vendor,
                &component,
                &Some(at(first)),
            );
            cx.push(f, level);
        }
        if !cx.declared {
            continue;
        }
        let flows = cx.declared_flows(&component, &v.vendor);
        let flow_decl = flows.first().and_then(|i| cx.flow_declaration(*i));
        // Each category once, at the first request that carried it.
        let mut seen: BTreeMap<&str, (&crate::observe::ObservedRequest, &str)> = BTreeMap::new();
        for q in &v.requests {
            for f in &q.fields {
                seen.entry(f.category.as_str())
                    .or_insert((q, f.path.as_str()));
            }
        }
        for (cat, (q, path)) in seen {
            if !cx.map.taxonomy.contains(cat)
                || Taxonomy::is_within(cat, "system")
                || cx.covered(&flows, cat)
            {
                continue;
            }
            let level = cx.levels.of(Code::UndeclaredFlow);
            if level == Level::Allow {
                continue;
            }
            cx.new_flows
                .entry((component.clone(), v.vendor.clone()))
                .or_insert_with(|| (BTreeSet::new(), false))
                .0
                .insert(cat.to_string());
            let words = plain(cx.map, cat);
            let f = Finding {
                code: Code::UndeclaredFlow,
                level,
                message: format!(
                    "{component} sent {words} (`{cat}`, as `{path}`) to {name} in {} {}: observed, and no declared flow carries it",
                    q.method, q.url
                ),
                vendor: Some(v.vendor.clone()),
                component: Some(component.clone()),
                category: Some(cat.to_string()),
                categories: Vec::new(),
                location: Some(at(q)),
                declaration: flow_decl.clone(),
                help: codes::doc(Code::UndeclaredFlow).fix.to_string(),
            };
            cx.push(f, level);
        }
    }
}

/// undeclared-vendor, undeclared-flow, new-vendor, new-flow.
fn code_findings(
    cx: &mut Ctx<'_>,
    scan: &ScanResult,
    base_vendors: Option<&BTreeSet<&str>>,
    base_flows: &BTreeSet<(String, String, String)>,
    base_pairs: &BTreeSet<(String, String)>,
) {
    let with_baseline = base_vendors.is_some();
    let mut vendor_reported: BTreeSet<String> = BTreeSet::new();
    for integ in production(scan) {
        let vendor = integ.vendor.as_str();
        let component = component_of(integ);
        let name = cx.vendor_name(vendor);
        let vendor_declared = cx.map.vendors.contains_key(vendor);
        let vendor_new = base_vendors.is_some_and(|b| !b.contains(vendor));
        let where_ = best_evidence(&integ.evidence).map(|e| cx.evidence_location(e));

        if vendor_new || (cx.declared && !vendor_declared) {
            let first = vendor_reported.insert(vendor.to_string());
            if first {
                push_vendor_finding(cx, integ, (&component, &name), vendor_new, &where_);
            }
        }

        let flows = cx.declared_flows(&component, vendor);
        let flow_decl = flows.first().and_then(|i| cx.flow_declaration(*i));
        let cats = sent_categories(integ, cx.map);
        let pair_new =
            with_baseline && !base_pairs.contains(&(component.clone(), vendor.to_string()));
        if cats.is_empty() && (pair_new || (cx.declared && flows.is_empty())) && !vendor_new {
            // A pair with no field seen: the flow itself is what is new or
            // undeclared.
            let (code, what) = if pair_new {
                (Code::NewFlow, "is new: the baseline has no such flow")
            } else {
                (Code::UndeclaredFlow, "is not declared")
            };
            let level = if flows.is_empty() {
                cx.levels.of(code)
            } else {
                cx.levels.of(code).min(Level::Warn)
            };
            let f = Finding {
                code,
                level,
                message: format!("the flow {component} → {vendor} {what}"),
                vendor: Some(vendor.to_string()),
                component: Some(component.clone()),
                category: None,
                categories: Vec::new(),
                location: where_.clone(),
                declaration: flow_decl.clone(),
                help: codes::doc(code).fix.to_string(),
            };
            cx.push(f, level);
            if level != Level::Allow {
                cx.new_flows
                    .entry((component.clone(), vendor.to_string()))
                    .or_insert_with(|| (BTreeSet::new(), vendor_new));
            }
        }
        // What the SDK collects by itself is grouped into one finding per
        // state (one line in a review, not one per category); what call
        // sites send stays one finding per category, at its own line.
        let mut grouped: BTreeMap<(Code, Level, bool), Collected> = BTreeMap::new();
        for (cat, (file, line, shown)) in cats {
            let covered = cx.covered(&flows, &cat);
            let is_new = with_baseline
                && !base_flows.contains(&(component.clone(), vendor.to_string(), cat.clone()));
            let (code, level, state) = if is_new {
                let level = if covered {
                    cx.levels.of(Code::NewFlow).min(Level::Warn)
                } else {
                    cx.levels.of(Code::NewFlow)
                };
                let state = if covered {
                    "new against the baseline; declared"
                } else if cx.declared {
                    "new against the baseline; not declared"
                } else {
                    "new against the baseline"
                };
                (Code::NewFlow, level, state)
            } else if cx.declared && !covered {
                (
                    Code::UndeclaredFlow,
                    cx.levels.of(Code::UndeclaredFlow),
                    "no declared flow carries it",
                )
            } else {
                continue;
            };
            if level == Level::Allow {
                continue;
            }
            cx.new_flows
                .entry((component.clone(), vendor.to_string()))
                .or_insert_with(|| (BTreeSet::new(), vendor_new))
                .0
                .insert(cat.clone());
            if crate::scan::collects::is_collected(&shown) {
                let g = grouped
                    .entry((code, level, covered))
                    .or_insert_with(|| (file.clone(), line, Vec::new()));
                if (&file, line) < (&g.0, g.1) {
                    (g.0, g.1) = (file.clone(), line);
                }
                g.2.push(cat);
                continue;
            }
            let words = plain(cx.map, &cat);
            let f = Finding {
                code,
                level,
                message: format!(
                    "{component} sends {words} (`{cat}`, from `{shown}`) to {name}: {state}"
                ),
                vendor: Some(vendor.to_string()),
                component: Some(component.clone()),
                category: Some(cat.clone()),
                categories: Vec::new(),
                location: Some(cx.code_location(&file, line)),
                declaration: if covered { None } else { flow_decl.clone() },
                help: codes::doc(code).fix.to_string(),
            };
            cx.push(f, level);
        }
        push_collected(cx, grouped, (&component, vendor, &name), flow_decl.as_ref());
    }
}

/// new-vendor (the baseline does not use it) or undeclared-vendor (the
/// declarations do not name it), once per vendor.
fn push_vendor_finding(
    cx: &mut Ctx<'_>,
    integ: &Integration,
    (component, name): (&str, &str),
    vendor_new: bool,
    where_: &Option<Location>,
) {
    let vendor = integ.vendor.as_str();
    let vendor_declared = cx.map.vendors.contains_key(vendor);
    let decl_file = cx
        .map
        .source
        .clone()
        .unwrap_or_else(|| "blastmap.yaml".into());
    if vendor_new {
        let (level, tail) = if vendor_declared {
            (
                cx.levels.of(Code::NewVendor).min(Level::Warn),
                format!("declared in {decl_file}"),
            )
        } else if cx.declared {
            (
                cx.levels.of(Code::NewVendor),
                format!("not declared in {decl_file}"),
            )
        } else {
            (
                cx.levels.of(Code::NewVendor),
                "no declarations to approve it".into(),
            )
        };
        let message =
            format!("{name} (`{vendor}`) is a new vendor: the baseline does not use it; {tail}");
        let f = Finding::about_vendor(Code::NewVendor, message, vendor, component, where_);
        cx.push(f, level);
    } else {
        let level = cx.levels.of(Code::UndeclaredVendor);
        let message = format!(
            "the code sends data to {name} (`{vendor}`), which {decl_file} does not declare"
        );
        let f = Finding::about_vendor(Code::UndeclaredVendor, message, vendor, component, where_);
        cx.push(f, level);
    }
}

/// One finding per state for what an SDK collects by itself (grouped by
/// [`code_findings`]), at the first place it was seen.
fn push_collected(
    cx: &mut Ctx<'_>,
    grouped: BTreeMap<(Code, Level, bool), Collected>,
    (component, vendor, name): (&str, &str, &str),
    flow_decl: Option<&DeclarationRef>,
) {
    for ((code, level, covered), (file, line, cats)) in grouped {
        let words: Vec<String> = cats
            .iter()
            .map(|c| format!("{} (`{c}`)", plain(cx.map, c)))
            .collect();
        let state = match (code, covered) {
            (Code::NewFlow, true) => "new against the baseline; declared",
            (Code::NewFlow, false) if cx.declared => {
                "new against the baseline; no declared flow carries them"
            }
            (Code::NewFlow, false) => "new against the baseline",
            _ => "no declared flow carries them",
        };
        let f = Finding {
            code,
            level,
            message: format!(
                "{name}'s SDK collects by default, from {component}: {} ({state})",
                words.join(", ")
            ),
            vendor: Some(vendor.to_string()),
            component: Some(component.to_string()),
            category: None,
            categories: cats,
            location: Some(cx.code_location(&file, line)),
            declaration: if covered { None } else { flow_decl.cloned() },
            help: format!(
                "add these categories to the declared flow {component} → {vendor} (the blast radius then counts them), or turn the collection off in the SDK's configuration (`blastmap catalog {vendor}` lists what it collects and the settings that stop it)"
            ),
        };
        cx.push(f, level);
    }
}

/// What an SDK collects in one state: the first place, and the categories.
type Collected = (String, u32, Vec<String>);

/// stale-declaration: a declared integration the code no longer shows.
/// Only flows the scan could see are judged: from a component with `paths`
/// to a catalog vendor.
fn stale_findings(cx: &mut Ctx<'_>, scan: &ScanResult) {
    let seen: BTreeSet<(String, &str)> = production(scan)
        .into_iter()
        .map(|i| (component_of(i), i.vendor.as_str()))
        .collect();
    let level = cx.levels.of(Code::StaleDeclaration);
    for i in 0..cx.map.flows.len() {
        let f = &cx.map.flows[i];
        let Some(c) = cx.map.components.get(&f.from) else {
            continue;
        };
        let Some(v) = cx.map.vendors.get(&f.to) else {
            continue;
        };
        if c.paths.is_empty() || !v.in_catalog || seen.contains(&(f.from.clone(), f.to.as_str())) {
            continue;
        }
        let decl = cx.flow_declaration(i);
        let message = format!(
            "{} → {} is declared, but the code under {} shows no integration with {}",
            f.from,
            f.to,
            c.paths.join(", "),
            v.name
        );
        let finding = Finding {
            code: Code::StaleDeclaration,
            level,
            message,
            vendor: Some(f.to.clone()),
            component: Some(f.from.clone()),
            category: None,
            categories: Vec::new(),
            location: decl.as_ref().map(|d| d.location.clone()),
            declaration: decl,
            help: codes::doc(Code::StaleDeclaration).fix.to_string(),
        };
        cx.push(finding, level);
    }
}

/// secret-in-source: every hard-coded vendor secret, redacted.
fn secret_findings(cx: &mut Ctx<'_>, scan: &ScanResult) {
    let level = cx.levels.of(Code::SecretInSource);
    for s in &scan.secrets {
        let name = cx.vendor_name(&s.vendor);
        let f = Finding {
            code: Code::SecretInSource,
            level,
            message: format!("a hard-coded {name} secret: `{}`", s.text),
            vendor: Some(s.vendor.clone()),
            component: None,
            category: None,
            categories: Vec::new(),
            location: Some(cx.code_location(&s.file, s.line)),
            declaration: None,
            help: codes::doc(Code::SecretInSource).fix.to_string(),
        };
        cx.push(f, level);
    }
}

/// unread-change: what the change touches that the work tree's scan did
/// not read. Binary files (images, fonts, archives) hold no integration a
/// scan could read and are left out; everything else skipped is listed.
fn unread_findings(cx: &mut Ctx<'_>, scan: &ScanResult, changes: &git::Changes) {
    let level = cx.levels.of(Code::UnreadChange);
    let mut unread: Vec<(String, String)> = scan
        .skipped
        .files
        .iter()
        .filter(|s| changes.files.contains(&s.path) && s.reason != SkipReason::Binary)
        .map(|s| (s.path.clone(), s.reason.to_string()))
        .collect();
    unread.extend(
        changes
            .moved_submodules
            .iter()
            .map(|p| (p.clone(), "a submodule whose commit changed".to_string())),
    );
    for (file, reason) in unread {
        let f = Finding {
            code: Code::UnreadChange,
            level,
            message: format!(
                "the change touches {file}, which was not read ({reason}): an integration there would not be seen"
            ),
            vendor: None,
            component: None,
            category: None,
            categories: Vec::new(),
            location: Some(cx.code_location(&file, 0)),
            declaration: None,
            help: codes::doc(Code::UnreadChange).fix.to_string(),
        };
        cx.push(f, level);
    }
}

/// Every vendor's blast radius (data mode) in a map.
fn radius_reports(g: &DataGraph<'_>, map: &Map) -> BTreeMap<String, BlastReport> {
    map.vendors
        .keys()
        .filter_map(|v| g.blast(v, Mode::Data).ok().map(|r| (v.clone(), r)))
        .collect()
}

fn radii_summary(r: &BTreeMap<String, BlastReport>) -> BTreeMap<String, Radius> {
    r.iter().map(|(k, v)| (k.clone(), summary(v))).collect()
}

fn summary(r: &BlastReport) -> Radius {
    let mut categories: Vec<String> = r.exposed.iter().map(|e| e.category.clone()).collect();
    categories.sort();
    categories.dedup();
    Radius {
        severity: r.severity,
        score: r.score,
        categories,
    }
}

/// The code location a field's first route into the vendor was seen at,
/// else its declaration.
fn route_location(
    cx: &Ctx<'_>,
    r: &BlastReport,
    category: &str,
) -> (Option<Location>, Option<DeclarationRef>) {
    // The call site that sends it to this vendor, when the code shows one.
    let exact = cx.sent.get(&(r.vendor.clone(), category.to_string()));
    let near = || {
        cx.sent
            .iter()
            .find(|((v, c), _)| *v == r.vendor && covers(category, c))
            .map(|(_, at)| at)
    };
    if let Some((file, line)) = exact.or_else(near) {
        return (Some(cx.code_location(file, *line)), None);
    }
    let Some(e) = r.exposed.iter().find(|e| e.category == category) else {
        return (None, None);
    };
    let mut decl = None;
    for route in &e.routes {
        for hop in route.hops.iter().rev() {
            if let Some(ev) = best_evidence(&hop.evidence) {
                if ev.kind != EvidenceKind::Declared {
                    return (Some(cx.evidence_location(ev)), decl);
                }
            }
            if decl.is_none() {
                decl = hop
                    .evidence
                    .iter()
                    .find(|ev| ev.kind == EvidenceKind::Declared)
                    .map(|ev| DeclarationRef {
                        location: cx.evidence_location(ev),
                        text: format!("{}: {} → {}", ev.text, hop.from, hop.to),
                    });
            }
        }
    }
    (None, decl)
}

/// policy-denied: the allowlist, the deny rules and the maximum severities.
fn policy_findings(cx: &mut Ctx<'_>, current: &Map, radii: &BTreeMap<String, BlastReport>) {
    let policy = cx.map.policy.clone();
    if policy.is_empty() {
        return;
    }
    let level = cx.levels.of(Code::PolicyDenied);
    let decl_file = cx
        .map
        .source
        .clone()
        .unwrap_or_else(|| "blastmap.yaml".into());
    let rule_ref = |path: &str, line: u32| DeclarationRef {
        location: Location {
            file: decl_file.clone(),
            line,
        },
        text: path.to_string(),
    };
    // Where a vendor is used: its first code evidence, else a declaration.
    let vendor_location = |cx: &Ctx<'_>, vendor: &str| -> Option<Location> {
        let ev: Vec<Evidence> = current
            .flows
            .iter()
            .filter(|f| f.to == vendor)
            .flat_map(|f| f.evidence.iter().cloned())
            .collect();
        best_evidence(&ev)
            .or_else(|| ev.first())
            .map(|e| cx.evidence_location(e))
    };
    for (id, v) in &current.vendors {
        let used = current.flows.iter().any(|f| &f.to == id);
        if !used {
            continue;
        }
        if let Some(allowed) = &policy.allow_vendors {
            if !allowed.iter().any(|a| a == id) {
                let f = Finding {
                    code: Code::PolicyDenied,
                    level,
                    message: format!("{} (`{id}`) is not in the policy's allowed vendors", v.name),
                    vendor: Some(id.clone()),
                    component: None,
                    category: None,
                    categories: Vec::new(),
                    location: vendor_location(cx, id),
                    declaration: Some(rule_ref("policy.allow_vendors", policy.allow_line)),
                    help: format!(
                        "remove the integration, or add `{id}` to `policy.allow_vendors` once it is approved"
                    ),
                };
                cx.push(f, level);
            }
        }
        let Some(r) = radii.get(id) else { continue };
        for rule in &policy.deny {
            if !rule.to.iter().any(|t| t.matches(id, v.category)) {
                continue;
            }
            let mut cats: Vec<&str> = r
                .exposed
                .iter()
                .filter(|e| {
                    rule.categories
                        .iter()
                        .any(|c| Taxonomy::is_within(&e.category, c))
                })
                .map(|e| e.category.as_str())
                .collect();
            cats.sort();
            cats.dedup();
            for cat in cats {
                let fields: Vec<&str> = r
                    .exposed
                    .iter()
                    .filter(|e| e.category == cat)
                    .map(|e| e.field.as_str())
                    .collect();
                let (location, _) = route_location(cx, r, cat);
                let reason = rule
                    .reason
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                let to: Vec<&str> = rule.to.iter().map(Target::name).collect();
                let f = Finding {
                    code: Code::PolicyDenied,
                    level,
                    message: format!(
                        "{} (`{cat}`: {}) reach {} (`{id}`), and {} denies {} to {}{reason}",
                        plain(current, cat),
                        fields.join(", "),
                        v.name,
                        rule.path,
                        rule.categories.join(", "),
                        to.join(", ")
                    ),
                    vendor: Some(id.clone()),
                    component: None,
                    category: Some(cat.to_string()),
                    categories: Vec::new(),
                    location: location.or_else(|| vendor_location(cx, id)),
                    declaration: Some(rule_ref(&rule.path, rule.line)),
                    help: "stop sending this data to the vendor (remove it at the call site, or the flow), or change the policy with the approval it needs".into(),
                };
                cx.push(f, level);
            }
        }
        for m in &policy.max_severity {
            if !m.target.matches(id, v.category) {
                continue;
            }
            if r.severity > Severity::from(m.max) {
                let f = Finding {
                    code: Code::PolicyDenied,
                    level,
                    message: format!(
                        "{}'s blast radius is {} (score {}), above the {} that {} allows",
                        v.name,
                        r.severity.as_str(),
                        r.score,
                        m.max.as_str(),
                        m.path
                    ),
                    vendor: Some(id.clone()),
                    component: None,
                    category: None,
                    categories: Vec::new(),
                    location: vendor_location(cx, id),
                    declaration: Some(rule_ref(&m.path, m.line)),
                    help: format!(
                        "send less to {} (see `blastmap blast {id}`), or raise the limit with the approval it needs",
                        v.name
                    ),
                };
                cx.push(f, level);
            }
        }
    }
}

/// Per vendor, before and after, for every vendor whose radius changed.
fn compare(
    cx: &Ctx<'_>,
    current: &Map,
    after: &BTreeMap<String, BlastReport>,
    before: &BTreeMap<String, Radius>,
) -> Vec<VendorChange> {
    let ids: BTreeSet<&String> = after.keys().chain(before.keys()).collect();
    let mut out = Vec::new();
    for id in ids {
        let a = after
            .get(id)
            .map(summary)
            .filter(|r| !r.categories.is_empty());
        let b = before.get(id).cloned().filter(|r| !r.categories.is_empty());
        // A score that moves with the people count alone is no change.
        if a.as_ref().map(|r| (&r.categories, r.severity))
            == b.as_ref().map(|r| (&r.categories, r.severity))
        {
            continue;
        }
        let set = |r: &Option<Radius>| -> BTreeSet<String> {
            r.as_ref()
                .map(|r| r.categories.iter().cloned().collect())
                .unwrap_or_default()
        };
        let (sa, sb) = (set(&a), set(&b));
        out.push(VendorChange {
            vendor: id.clone(),
            name: current
                .vendors
                .get(id)
                .map(|v| v.name.clone())
                .unwrap_or_else(|| cx.vendor_name(id)),
            added: sa.difference(&sb).cloned().collect(),
            removed: sb.difference(&sa).cloned().collect(),
            before: b,
            after: a,
        });
    }
    out
}

/// blast-radius-grew: a vendor the baseline already used now exposes more
/// categories, or a higher severity.
fn grew_findings(
    cx: &mut Ctx<'_>,
    changes: &[VendorChange],
    radii: &BTreeMap<String, BlastReport>,
) {
    let level = cx.levels.of(Code::BlastRadiusGrew);
    for ch in changes {
        let (Some(b), Some(a)) = (&ch.before, &ch.after) else {
            continue;
        };
        if ch.added.is_empty() && a.severity <= b.severity {
            continue;
        }
        let mut parts = Vec::new();
        if a.severity != b.severity {
            parts.push(format!(
                "severity {} → {}",
                b.severity.as_str(),
                a.severity.as_str()
            ));
        }
        if !ch.added.is_empty() {
            let words: Vec<String> = ch
                .added
                .iter()
                .map(|c| format!("{} (`{c}`)", plain(cx.map, c)))
                .collect();
            parts.push(format!("newly exposed: {}", words.join(", ")));
        }
        let (location, declaration) = match (ch.added.first(), radii.get(&ch.vendor)) {
            (Some(c), Some(r)) => route_location(cx, r, c),
            _ => (None, None),
        };
        let f = Finding {
            code: Code::BlastRadiusGrew,
            level,
            message: format!(
                "{}'s blast radius grew (score {} → {}): {}",
                ch.name,
                b.score,
                a.score,
                parts.join("; ")
            ),
            vendor: Some(ch.vendor.clone()),
            component: None,
            category: ch.added.first().cloned(),
            categories: Vec::new(),
            location,
            declaration,
            help: codes::doc(Code::BlastRadiusGrew).fix.to_string(),
        };
        cx.push(f, level);
    }
}
