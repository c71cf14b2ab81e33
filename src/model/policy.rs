//! The `policy:` section of a declaration file: what `blastmap check` lets
//! through, warns about, or denies.
//!
//! ```yaml
//! policy:
//!   strict: true                       # every flow the code shows must be declared
//!   allow_vendors: [mixpanel, stripe]  # any other vendor is denied
//!   deny:
//!     - categories: [user.authorization, user.content.private]
//!       to: [analytics, session-replay] # vendor categories or vendor ids
//!       reason: No credentials or private content to analytics
//!   max_severity:
//!     mixpanel: medium                 # a vendor id or a vendor category
//!   levels:
//!     stale-declaration: deny          # allow | warn | deny, per finding code
//! ```
//!
//! The finding codes live here, beside the levels that refer to them, so
//! that the loader can check `levels:` keys; `crate::check` documents and
//! raises them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Sensitivity, VendorCategory};

/// What `check` does with findings of a code.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported; the check still passes.
    Warn,
    /// Reported; the check fails (exit 1).
    Deny,
}

impl Level {
    /// Every level, mildest first.
    pub const ALL: [Level; 3] = [Level::Allow, Level::Warn, Level::Deny];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// Parses a lowercase name.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// The stable codes of `check` findings.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The code sends data to a vendor the declarations do not list.
    UndeclaredVendor,
    /// The code sends a field to a vendor that no declared flow carries.
    UndeclaredFlow,
    /// A declared integration that the code no longer shows.
    StaleDeclaration,
    /// A vendor the baseline did not use.
    NewVendor,
    /// A field sent to a vendor that the baseline did not send.
    NewFlow,
    /// A vendor's exposure or severity rose against the baseline.
    BlastRadiusGrew,
    /// A flow or vendor the policy forbids.
    PolicyDenied,
    /// A hard-coded vendor secret in the source.
    SecretInSource,
    /// A file or submodule the change touches that the gate could not read.
    UnreadChange,
    /// A vendor seen in recorded traffic that the code scan does not show.
    HiddenVendor,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 10] = [
        Code::UndeclaredVendor,
        Code::UndeclaredFlow,
        Code::StaleDeclaration,
        Code::NewVendor,
        Code::NewFlow,
        Code::BlastRadiusGrew,
        Code::PolicyDenied,
        Code::SecretInSource,
        Code::UnreadChange,
        Code::HiddenVendor,
    ];

    /// The kebab-case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::UndeclaredVendor => "undeclared-vendor",
            Code::UndeclaredFlow => "undeclared-flow",
            Code::StaleDeclaration => "stale-declaration",
            Code::NewVendor => "new-vendor",
            Code::NewFlow => "new-flow",
            Code::BlastRadiusGrew => "blast-radius-grew",
            Code::PolicyDenied => "policy-denied",
            Code::SecretInSource => "secret-in-source",
            Code::UnreadChange => "unread-change",
            Code::HiddenVendor => "hidden-vendor",
        }
    }

    /// Parses a kebab-case code.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The level a code has unless the policy or the command line says
    /// otherwise. Strict mode raises `undeclared-flow` to `deny`.
    pub fn default_level(self) -> Level {
        match self {
            Code::UndeclaredVendor
            | Code::NewVendor
            | Code::NewFlow
            | Code::PolicyDenied
            | Code::SecretInSource
            | Code::HiddenVendor => Level::Deny,
            Code::UndeclaredFlow
            | Code::StaleDeclaration
            | Code::BlastRadiusGrew
            | Code::UnreadChange => Level::Warn,
        }
    }
}

/// Where a rule points: a vendor category (`analytics`) or one vendor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Every vendor of this category.
    Category(VendorCategory),
    /// One vendor id.
    Vendor(String),
}

impl Target {
    /// Whether the target names this vendor.
    pub fn matches(&self, vendor: &str, category: VendorCategory) -> bool {
        match self {
            Target::Category(c) => *c == category,
            Target::Vendor(v) => v == vendor,
        }
    }

    /// The name as written.
    pub fn name(&self) -> &str {
        match self {
            Target::Category(c) => c.as_str(),
            Target::Vendor(v) => v,
        }
    }
}

/// "No data of these categories may reach these vendors."
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DenyRule {
    /// Taxonomy keys; a field within one of them (its category equals the
    /// key or starts with `key.`) is covered.
    pub categories: Vec<String>,
    /// Vendor categories or vendor ids.
    pub to: Vec<Target>,
    /// Why, in the team's words (shown in findings).
    pub reason: Option<String>,
    /// Where the rule is written (`policy.deny[0]`), for messages.
    pub path: String,
    /// Its line in the declaration file, when known (0 otherwise).
    pub line: u32,
}

/// The most severe blast radius a vendor may have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaxSeverity {
    /// A vendor category or a vendor id.
    pub target: Target,
    /// The highest severity allowed.
    pub max: Sensitivity,
    /// Where it is written (`policy.max_severity.mixpanel`).
    pub path: String,
    /// Its line in the declaration file, when known (0 otherwise).
    pub line: u32,
}

/// The `policy:` section, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Every flow the code shows must be declared (`undeclared-flow` is
    /// denied).
    pub strict: bool,
    /// When present, the only vendors allowed; any other is denied.
    pub allow_vendors: Option<Vec<String>>,
    /// Categories that must not reach some vendors.
    pub deny: Vec<DenyRule>,
    /// The most severe blast radius per vendor or vendor category.
    pub max_severity: Vec<MaxSeverity>,
    /// A level per code, over the defaults.
    pub levels: BTreeMap<Code, Level>,
    /// Where `allow_vendors` is written, for messages (0 when unknown).
    pub allow_line: u32,
}

impl Policy {
    /// Whether a policy says anything at all.
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_levels_round_trip_through_their_names() {
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        assert_eq!(Code::parse("new_vendor"), None);
    }

    #[test]
    fn targets_match_by_category_or_id() {
        let t = Target::Category(VendorCategory::Analytics);
        assert!(t.matches("mixpanel", VendorCategory::Analytics));
        assert!(!t.matches("stripe", VendorCategory::Payments));
        let v = Target::Vendor("stripe".into());
        assert!(v.matches("stripe", VendorCategory::Payments));
        assert!(!v.matches("mixpanel", VendorCategory::Analytics));
    }
}
