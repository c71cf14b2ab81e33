//! Scenario and action rules (data in `rules.yaml`): which attacks an exposed
//! set of categories enables, and which response actions it calls for.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::catalog::taxonomy::Taxonomy;
use crate::vocab::Sensitivity;

/// What an attacker can do with some exposed categories.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRule {
    /// Stable kebab-case id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The floor it sets on the vendor's severity.
    pub severity: Sensitivity,
    /// The severity floor applies only past this many affected people.
    #[serde(default)]
    pub min_people: Option<u64>,
    /// Added to the score.
    pub weight: u64,
    /// AND of ORs of taxonomy keys.
    pub requires: Vec<Vec<String>>,
    /// Categories that make the scenario worse when they are exposed too,
    /// and the severity floor they raise it to.
    #[serde(default)]
    pub escalate: Option<Escalation>,
    /// What it means, in words.
    pub description: String,
}

/// A scenario made worse by more data: a phishing mail that names its
/// reader is more convincing than one that does not.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Any of these taxonomy keys exposed raises the floor.
    pub with: Vec<String>,
    /// The raised floor.
    pub severity: Sensitivity,
}

impl ScenarioRule {
    /// True when every group has an exposed category within one of its keys.
    pub fn applies(&self, exposed: &[&str]) -> bool {
        self.requires.iter().all(|group| {
            group
                .iter()
                .any(|k| exposed.iter().any(|c| Taxonomy::is_within(c, k)))
        })
    }

    /// The severity floor the rule sets given what is exposed.
    pub fn floor(&self, exposed: &[&str]) -> Sensitivity {
        match &self.escalate {
            Some(e)
                if e.with
                    .iter()
                    .any(|k| exposed.iter().any(|c| Taxonomy::is_within(c, k))) =>
            {
                self.severity.max(e.severity)
            }
            _ => self.severity,
        }
    }

    /// The exposed categories that satisfy or escalate the rule, sorted and
    /// deduplicated.
    pub fn because<'a>(&self, exposed: &[&'a str]) -> Vec<&'a str> {
        let escalating = self.escalate.iter().flat_map(|e| e.with.iter());
        let keys: Vec<&String> = self.requires.iter().flatten().chain(escalating).collect();
        let mut out: Vec<&str> = exposed
            .iter()
            .copied()
            .filter(|c| keys.iter().any(|k| Taxonomy::is_within(c, k)))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Conditions for an action; all that are given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionWhen {
    /// Some exposed category lies within one of these keys.
    #[serde(default)]
    pub exposed: Vec<String>,
    /// This scenario applies.
    #[serde(default)]
    pub scenario: Option<String>,
    /// An affected subject lives in one of these regions.
    #[serde(default)]
    pub regions: Vec<String>,
}

/// One response action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRule {
    /// Stable kebab-case id.
    pub id: String,
    /// Title.
    pub title: String,
    /// When it applies (always, when absent).
    #[serde(default)]
    pub when: ActionWhen,
}

/// All rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Most severe first.
    pub scenarios: Vec<ScenarioRule>,
    /// In checklist order.
    pub actions: Vec<ActionRule>,
}

impl Rules {
    /// The regions whose people a supervisory authority must hear about
    /// (the `regions` of the `notify-regulator` action: the EU, the EEA and
    /// the UK, by name and by country code).
    pub fn regulator_regions(&self) -> &[String] {
        self.actions
            .iter()
            .find(|a| a.id == "notify-regulator")
            .map(|a| a.when.regions.as_slice())
            .unwrap_or(&[])
    }
}

static RULES: OnceLock<Rules> = OnceLock::new();

impl Rules {
    /// The built-in rules, parsed once.
    pub fn builtin() -> &'static Rules {
        RULES.get_or_init(|| {
            serde_yaml::from_str(include_str!("rules.yaml"))
                .expect("the built-in rules are valid (checked by a test)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_load_and_name_real_categories() {
        let r = Rules::builtin();
        let t = Taxonomy::builtin();
        let ids: Vec<&str> = r.scenarios.iter().map(|s| s.id.as_str()).collect();
        for want in [
            "targeted-phishing",
            "account-takeover",
            "financial-fraud",
            "identity-theft",
            "physical-safety",
            "private-content-disclosure",
            "tracking",
        ] {
            assert!(ids.contains(&want), "{want}");
        }
        let actions: Vec<&str> = r.actions.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            actions,
            [
                "remove-integration",
                "notify-subjects",
                "warn-phishing",
                "rotate-credentials",
                "review-sub-processors",
                "notify-regulator"
            ]
        );
        for s in &r.scenarios {
            for k in s.requires.iter().flatten() {
                assert!(t.contains(k), "{}: {k}", s.id);
            }
        }
        for a in &r.actions {
            for k in &a.when.exposed {
                assert!(t.contains(k), "{}: {k}", a.id);
            }
            if let Some(s) = &a.when.scenario {
                assert!(ids.contains(&s.as_str()), "{}: {s}", a.id);
            }
        }
    }

    /// Regression: a list of a service's users' email addresses was no
    /// phishing risk unless names came with it; whoever holds it can write
    /// to them as the service. Names and organisations make it worse.
    #[test]
    fn phishing_needs_contact_and_names_make_it_worse() {
        let r = Rules::builtin();
        let p = r
            .scenarios
            .iter()
            .find(|s| s.id == "targeted-phishing")
            .unwrap();
        assert!(p.applies(&["user.contact.email"]));
        assert!(p.applies(&["user.contact.phone_number", "user.unique_id"]));
        assert!(p.applies(&["user.contact.email", "user.name"]));
        assert!(!p.applies(&["user.name", "user.device.os"]));
        assert_eq!(p.floor(&["user.contact.email"]), Sensitivity::Medium);
        assert_eq!(
            p.floor(&["user.contact.email", "user.name"]),
            Sensitivity::High
        );
        assert_eq!(
            p.floor(&["user.contact.email", "user.unique_id.organization"]),
            Sensitivity::High
        );
    }
}
