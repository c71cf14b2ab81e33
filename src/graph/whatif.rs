//! What changes between two versions of a map: the what-if section of a
//! blast or rank report (the map with assumptions against the map as
//! declared), and the per-vendor exposure deltas that `diff` shares.
//!
//! Both sides are computed by the same queries over two graphs; nothing
//! here estimates. Fields are matched by id across the two maps, vendors by
//! id, and every list is sorted so the output is deterministic.

use std::collections::BTreeSet;

use serde::Serialize;

use super::blast::{BlastError, BlastReport, Severity};
use super::rank::RankReport;
use super::{DataGraph, Mode, NodeKind};
use crate::model::assume::{AssumeError, Assumption, AssumptionEffect, apply_assumptions};
use crate::model::{Map, Sensitivity};

/// A value before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    /// On the map as declared (or the first map of a diff).
    pub before: T,
    /// With the assumptions (or on the second map).
    pub after: T,
}

impl<T: PartialEq> Change<T> {
    /// True when before and after differ.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// A field that started or stopped reaching the vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
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

/// The `what_if` section of a blast report: what the assumptions did to
/// this vendor's blast radius.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlastWhatIf {
    /// The assumptions and what they changed in the map.
    pub assumed: AssumptionEffect,
    /// False when the vendor is in the map only because an assumed flow
    /// names it (its "before" is then nothing).
    pub vendor_in_map: bool,
    /// True when anything below differs.
    pub changed: bool,
    /// Fields exposed only with the assumptions, most sensitive first.
    pub newly_exposed: Vec<FieldChange>,
    /// Fields exposed only without them.
    pub no_longer_exposed: Vec<FieldChange>,
    /// Severity.
    pub severity: Change<Severity>,
    /// Score.
    pub score: Change<u64>,
    /// People affected.
    pub people: Change<Option<u64>>,
    /// Whether credentials are exposed.
    pub credentials_exposed: Change<bool>,
    /// Scenario ids that apply only with the assumptions.
    pub scenarios_added: Vec<String>,
    /// Scenario ids that apply only without them.
    pub scenarios_removed: Vec<String>,
    /// Response actions needed only with the assumptions.
    pub actions_added: Vec<String>,
    /// Response actions needed only without them.
    pub actions_removed: Vec<String>,
}

/// How a vendor differs between two maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VendorStatus {
    /// Only in the second map.
    Added,
    /// Only in the first map.
    Removed,
    /// In both, with a different blast radius.
    Changed,
}

impl VendorStatus {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            VendorStatus::Added => "added",
            VendorStatus::Removed => "removed",
            VendorStatus::Changed => "changed",
        }
    }
}

/// One vendor's blast radius, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorDelta {
    /// Vendor id.
    pub vendor: String,
    /// Display name (from the second map when it has the vendor).
    pub name: String,
    /// Added, removed or changed.
    pub status: VendorStatus,
    /// Severity (`none` on the side that lacks the vendor).
    pub severity: Change<Severity>,
    /// Score (0 on the side that lacks the vendor).
    pub score: Change<u64>,
    /// Number of exposed fields.
    pub exposed: Change<usize>,
    /// Field ids exposed only after.
    pub newly_exposed: Vec<String>,
    /// Field ids exposed only before.
    pub no_longer_exposed: Vec<String>,
}

impl VendorDelta {
    /// `after - before` of the score.
    pub fn score_delta(&self) -> i128 {
        i128::from(self.score.after) - i128::from(self.score.before)
    }
}

/// Every vendor whose blast radius differs, largest increase first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ExposureDiff {
    /// The vendors that differ.
    pub vendors: Vec<VendorDelta>,
    /// How many vendors are in both maps with the same blast radius.
    pub unchanged: usize,
}

/// The `what_if` section of a rank report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankWhatIf {
    /// The assumptions and what they changed in the map.
    pub assumed: AssumptionEffect,
    /// Vendors whose blast radius changed, largest increase first.
    pub vendors: Vec<VendorDelta>,
    /// Vendors whose blast radius did not change.
    pub unchanged: usize,
}

/// Why a what-if question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WhatIfError {
    /// The assumptions do not fit the map.
    #[error("{0}")]
    Assume(#[from] AssumeError),
    /// The vendor is in neither map.
    #[error("{0}")]
    Blast(#[from] BlastError),
    /// The vendor asked about is the one taken away.
    #[error(
        "vendor `{0}` is removed by --without {0}: with the assumptions it has no blast radius"
    )]
    VendorRemoved(String),
}

/// Compares every vendor of two graphs (data or code mode).
pub fn compare_vendors(before: &DataGraph, after: &DataGraph, mode: Mode) -> ExposureDiff {
    use rayon::prelude::*;
    let ids: Vec<&str> = before
        .map
        .vendors
        .keys()
        .chain(after.map.vendors.keys())
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let side = |g: &DataGraph, id: &str| -> Option<(Vec<String>, u64, Severity)> {
        let n = g
            .node(id)
            .filter(|n| g.graph[*n].kind == NodeKind::Vendor)?;
        let s = g.summarize(g.exposure(n, mode));
        let mut fields: Vec<String> = s.exposed.ones().map(|b| g.fields[b].id.clone()).collect();
        fields.sort_unstable();
        Some((fields, s.score, s.severity))
    };
    let results: Vec<Option<VendorDelta>> = ids
        .par_iter()
        .map(|&id| {
            let b = side(before, id);
            let a = side(after, id);
            let status = match (&b, &a) {
                (None, None) => return None,
                (None, Some(_)) => VendorStatus::Added,
                (Some(_), None) => VendorStatus::Removed,
                (Some(b), Some(a)) if b == a => return None,
                _ => VendorStatus::Changed,
            };
            let empty = (Vec::new(), 0, Severity::None);
            let (bf, bs, bsev) = b.unwrap_or_else(|| empty.clone());
            let (af, as_, asev) = a.unwrap_or(empty);
            let bset: BTreeSet<&String> = bf.iter().collect();
            let aset: BTreeSet<&String> = af.iter().collect();
            let name = after
                .map
                .vendors
                .get(id)
                .or_else(|| before.map.vendors.get(id))
                .map(|v| v.name.clone())
                .unwrap_or_else(|| id.to_string());
            Some(VendorDelta {
                vendor: id.to_string(),
                name,
                status,
                severity: Change {
                    before: bsev,
                    after: asev,
                },
                score: Change {
                    before: bs,
                    after: as_,
                },
                exposed: Change {
                    before: bf.len(),
                    after: af.len(),
                },
                newly_exposed: aset.difference(&bset).map(|s| s.to_string()).collect(),
                no_longer_exposed: bset.difference(&aset).map(|s| s.to_string()).collect(),
            })
        })
        .collect();
    let in_both = ids
        .iter()
        .filter(|id| before.map.vendors.contains_key(**id) && after.map.vendors.contains_key(**id))
        .count();
    let mut vendors: Vec<VendorDelta> = results.into_iter().flatten().collect();
    let changed_in_both = vendors
        .iter()
        .filter(|v| v.status == VendorStatus::Changed)
        .count();
    vendors.sort_by(|a, b| {
        b.score_delta()
            .cmp(&a.score_delta())
            .then_with(|| a.status.cmp(&b.status))
            .then_with(|| a.vendor.cmp(&b.vendor))
    });
    ExposureDiff {
        vendors,
        unchanged: in_both - changed_in_both,
    }
}

fn field_changes<'a>(
    from: &'a BlastReport,
    minus: Option<&BlastReport>,
) -> impl Iterator<Item = FieldChange> + 'a {
    let skip: BTreeSet<String> = minus
        .map(|m| m.exposed.iter().map(|e| e.field.clone()).collect())
        .unwrap_or_default();
    from.exposed
        .iter()
        .filter(move |e| !skip.contains(&e.field))
        .map(|e| FieldChange {
            field: e.field.clone(),
            category: e.category.clone(),
            plain: e.plain.clone(),
            sensitivity: e.sensitivity,
            subject: e.subject.clone(),
        })
}

fn minus(a: &[String], b: &[String]) -> Vec<String> {
    let b: BTreeSet<&String> = b.iter().collect();
    let mut out: Vec<String> = a.iter().filter(|x| !b.contains(x)).cloned().collect();
    out.sort();
    out.dedup();
    out
}

/// The what-if section from the report on the map as declared (`None` when
/// the vendor is not in it) and the report with the assumptions.
pub fn blast_delta(
    before: Option<&BlastReport>,
    after: &BlastReport,
    assumed: AssumptionEffect,
) -> BlastWhatIf {
    let ids = |r: Option<&BlastReport>, f: fn(&BlastReport) -> Vec<String>| -> Vec<String> {
        r.map(f).unwrap_or_default()
    };
    let scen = |r: &BlastReport| r.scenarios.iter().map(|s| s.id.clone()).collect();
    let acts = |r: &BlastReport| r.actions.iter().map(|s| s.id.clone()).collect();
    let (b_scen, b_acts) = (ids(before, scen), ids(before, acts));
    let (a_scen, a_acts) = (scen(after), acts(after));
    let mut w = BlastWhatIf {
        assumed,
        vendor_in_map: before.is_some(),
        changed: false,
        newly_exposed: field_changes(after, before).collect(),
        no_longer_exposed: before
            .map(|b| field_changes(b, Some(after)).collect())
            .unwrap_or_default(),
        severity: Change {
            before: before.map(|b| b.severity).unwrap_or(Severity::None),
            after: after.severity,
        },
        score: Change {
            before: before.map(|b| b.score).unwrap_or(0),
            after: after.score,
        },
        people: Change {
            before: before.and_then(|b| b.people),
            after: after.people,
        },
        credentials_exposed: Change {
            before: before.is_some_and(|b| b.credentials_exposed),
            after: after.credentials_exposed,
        },
        scenarios_added: minus(&a_scen, &b_scen),
        scenarios_removed: minus(&b_scen, &a_scen),
        actions_added: minus(&a_acts, &b_acts),
        actions_removed: minus(&b_acts, &a_acts),
    };
    w.changed = !w.vendor_in_map
        || !w.newly_exposed.is_empty()
        || !w.no_longer_exposed.is_empty()
        || w.severity.changed()
        || w.score.changed()
        || w.people.changed()
        || !w.scenarios_added.is_empty()
        || !w.scenarios_removed.is_empty()
        || !w.actions_added.is_empty()
        || !w.actions_removed.is_empty();
    w
}

/// `blast VENDOR` on `map` with `assumptions` applied, carrying the what-if
/// section that compares it with the map as declared.
pub fn blast_what_if(
    map: &Map,
    assumptions: &[Assumption],
    vendor: &str,
    mode: Mode,
) -> Result<BlastReport, WhatIfError> {
    let mut assumed_map = map.clone();
    let effect = apply_assumptions(&mut assumed_map, assumptions)?;
    if effect.vendors_removed.iter().any(|v| v == vendor) {
        return Err(WhatIfError::VendorRemoved(vendor.to_string()));
    }
    let after_g = DataGraph::build(&assumed_map);
    let mut after = after_g.blast(vendor, mode)?;
    let before_g = DataGraph::build(map);
    let before = before_g.blast(vendor, mode).ok();
    after.what_if = Some(blast_delta(before.as_ref(), &after, effect));
    Ok(after)
}

/// `rank` on `map` with `assumptions` applied, carrying the what-if section.
pub fn rank_what_if(
    map: &Map,
    assumptions: &[Assumption],
    mode: Mode,
) -> Result<RankReport, AssumeError> {
    let mut assumed_map = map.clone();
    let effect = apply_assumptions(&mut assumed_map, assumptions)?;
    let after_g = DataGraph::build(&assumed_map);
    let before_g = DataGraph::build(map);
    let mut report = after_g.rank(mode);
    let diff = compare_vendors(&before_g, &after_g, mode);
    report.what_if = Some(RankWhatIf {
        assumed: effect,
        vendors: diff.vendors,
        unchanged: diff.unchanged,
    });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::assume::parse_all;
    use crate::model::declaration::load_str;

    const MAP: &str = "version: 1
subjects:
  u: { count: 50000, regions: [eu] }
fields:
  email: { category: user.contact.email, subject: u }
  name: { category: user.name, subject: u }
  key: { category: user.authorization.credentials, subject: u }
components:
  web: { holds: [email, name, key] }
vendors:
  segment: {}
  mixpanel: {}
  sentry: {}
flows:
  - { from: web, to: segment, fields: [email, name] }
  - { from: segment, to: mixpanel, fields: all }
  - { from: web, to: sentry, fields: [name] }
";

    fn map() -> Map {
        load_str(MAP, "t.yaml").unwrap()
    }

    fn assume(a: &[&str], w: &[&str]) -> Vec<Assumption> {
        let s = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        parse_all(&s(a), &s(w)).unwrap()
    }

    #[test]
    fn an_assumed_key_flow_makes_credentials_exposed() {
        let r = blast_what_if(
            &map(),
            &assume(&["web -> mixpanel: key"], &[]),
            "mixpanel",
            Mode::Data,
        )
        .unwrap();
        let w = r.what_if.as_ref().unwrap();
        assert!(w.changed && w.vendor_in_map);
        assert_eq!(w.newly_exposed.len(), 1);
        assert_eq!(w.newly_exposed[0].field, "key");
        assert!(w.no_longer_exposed.is_empty());
        assert_eq!(
            w.credentials_exposed,
            Change {
                before: false,
                after: true
            }
        );
        assert_eq!(w.severity.after, Severity::Critical);
        assert!(w.severity.before < Severity::Critical);
        assert!(w.score.after > w.score.before);
        assert_eq!(w.actions_added, ["rotate-credentials"]);
        assert_eq!(w.scenarios_added, ["account-takeover"]);
        assert!(r.actions.iter().any(|a| a.id == "rotate-credentials"));
    }

    #[test]
    fn without_the_forwarder_the_downstream_vendor_shrinks() {
        let r = rank_what_if(&map(), &assume(&[], &["segment"]), Mode::Data).unwrap();
        let w = r.what_if.as_ref().unwrap();
        let by = |id: &str| w.vendors.iter().find(|v| v.vendor == id).unwrap();
        let mp = by("mixpanel");
        assert_eq!(mp.status, VendorStatus::Changed);
        assert_eq!(mp.no_longer_exposed, ["email", "name"]);
        assert_eq!(
            mp.exposed,
            Change {
                before: 2,
                after: 0
            }
        );
        assert_eq!(mp.severity.after, Severity::None);
        let sg = by("segment");
        assert_eq!(sg.status, VendorStatus::Removed);
        assert_eq!(w.unchanged, 1, "sentry is untouched");
        assert!(!r.vendors.iter().any(|v| v.vendor == "segment"));
    }

    #[test]
    fn asking_about_a_removed_vendor_is_an_error_and_a_new_one_starts_from_nothing() {
        let e = blast_what_if(&map(), &assume(&[], &["segment"]), "segment", Mode::Data);
        assert!(matches!(e, Err(WhatIfError::VendorRemoved(v)) if v == "segment"));
        let r = blast_what_if(
            &map(),
            &assume(&["web -> amplitude: email"], &[]),
            "amplitude",
            Mode::Data,
        )
        .unwrap();
        let w = r.what_if.unwrap();
        assert!(!w.vendor_in_map && w.changed);
        assert_eq!(w.severity.before, Severity::None);
        assert_eq!(w.assumed.vendors_added, ["amplitude"]);
    }

    #[test]
    fn an_assumption_that_changes_nothing_says_so() {
        let r = blast_what_if(
            &map(),
            &assume(&["web -> sentry: name"], &[]),
            "sentry",
            Mode::Data,
        )
        .unwrap();
        let w = r.what_if.unwrap();
        assert!(!w.changed, "{w:#?}");
        let r = rank_what_if(&map(), &assume(&["web -> sentry: name"], &[]), Mode::Data).unwrap();
        let w = r.what_if.unwrap();
        assert!(w.vendors.is_empty());
        assert_eq!(w.unchanged, 3);
    }
}
