//! `rank`: every vendor ordered by blast radius (data mode).

use serde::Serialize;

use super::blast::Severity;
use super::{DataGraph, Mode, NodeKind};

/// One vendor's line in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedVendor {
    /// Vendor id.
    pub vendor: String,
    /// Display name.
    pub name: String,
    /// Vendor category.
    pub category: String,
    /// Blast-radius score.
    pub score: u64,
    /// Severity.
    pub severity: Severity,
    /// Number of exposed fields.
    pub exposed: usize,
    /// People affected (sum of known counts).
    pub people: Option<u64>,
    /// Scenario ids that apply.
    pub scenarios: Vec<String>,
}

/// All vendors, highest score first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankReport {
    /// Output contract version.
    pub version: u32,
    /// The system's name.
    pub system: String,
    /// Mode used.
    pub mode: Mode,
    /// Highest score first; ties by id.
    pub vendors: Vec<RankedVendor>,
    /// What `--assume`/`--without` changed against the map as declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<super::whatif::RankWhatIf>,
}

impl DataGraph<'_> {
    /// Ranks every vendor of the map.
    pub fn rank(&self, mode: Mode) -> RankReport {
        use rayon::prelude::*;
        let rules = crate::catalog::rules::Rules::builtin();
        let nodes: Vec<_> = self
            .graph
            .node_indices()
            .filter(|n| self.graph[*n].kind == NodeKind::Vendor)
            .collect();
        // Vendors that share one exposure (a ring of access grants) are
        // summarised once: summarising costs as much as the exposure is
        // large, and a ring exposes everything it holds to each member.
        let shared: Vec<Option<u32>> = nodes
            .iter()
            .map(|&n| self.shared_exposure(n, mode))
            .collect();
        let mut once: std::collections::BTreeMap<u32, petgraph::graph::NodeIndex> =
            Default::default();
        for (i, c) in shared.iter().enumerate() {
            if let Some(c) = c {
                once.entry(*c).or_insert(nodes[i]);
            }
        }
        let cached: std::collections::HashMap<u32, super::blast::Summary> = once
            .into_par_iter()
            .map(|(c, n)| (c, self.summarize(self.exposure(n, mode))))
            .collect();
        let mut vendors: Vec<RankedVendor> = nodes
            .par_iter()
            .zip(shared.par_iter())
            .map(|(&n, c)| {
                let id = &self.graph[n].id;
                let v = &self.map.vendors[id];
                let owned;
                let s = match c.and_then(|c| cached.get(&c)) {
                    Some(s) => s,
                    None => {
                        owned = self.summarize(self.exposure(n, mode));
                        &owned
                    }
                };
                RankedVendor {
                    vendor: id.clone(),
                    name: v.name.clone(),
                    category: v.category.as_str().to_string(),
                    score: s.score,
                    severity: s.severity,
                    exposed: s.exposed.count_ones(..),
                    people: s.people,
                    scenarios: s
                        .scenarios
                        .iter()
                        .map(|&i| rules.scenarios[i].id.clone())
                        .collect(),
                }
            })
            .collect();
        // Severity first (a critical vendor, which holds card numbers or
        // credentials, comes before any high one whatever the number of
        // people), then the score within a severity, then the id.
        vendors.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| b.score.cmp(&a.score))
                .then_with(|| a.vendor.cmp(&b.vendor))
        });
        RankReport {
            version: 1,
            system: self.map.system.clone(),
            mode,
            vendors,
            what_if: None,
        }
    }
}
