//! The words every layer shares: how sensitive a kind of data is, and what
//! business a vendor is in. A leaf: it uses nothing of the crate, so the
//! catalog (which names them in its YAML) and the model (which carries
//! them in a map) both stand on it without reaching each other.
//! [`crate::model`] re-exports both types.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How much harm the exposure of one kind of data does.
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
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    /// Device and usage metadata, pseudonymous ids.
    #[default]
    Low,
    /// Directly identifies or contacts a person.
    Medium,
    /// Special-category or hard-to-change data.
    High,
    /// Lets an attacker act as the person or take their money.
    Critical,
}

impl Sensitivity {
    /// All levels, lowest first.
    pub const ALL: [Sensitivity; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    /// The lowercase name used in files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Sensitivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of business a vendor is in.
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
pub enum VendorCategory {
    /// Product analytics.
    Analytics,
    /// Customer data platform.
    Cdp,
    /// Error monitoring.
    ErrorMonitoring,
    /// Application performance monitoring.
    Apm,
    /// Session replay.
    SessionReplay,
    /// Advertising and attribution.
    Advertising,
    /// Email delivery.
    Email,
    /// SMS, push and chat messaging.
    Messaging,
    /// Customer support.
    Support,
    /// CRM.
    Crm,
    /// Payments.
    Payments,
    /// Authentication.
    Auth,
    /// AI and LLM APIs.
    Ai,
    /// Feature flags.
    FeatureFlags,
    /// Search.
    Search,
    /// Storage.
    Storage,
    /// Cloud hosting.
    Cloud,
    /// CDN.
    Cdn,
    /// Anything else.
    Other,
}

impl VendorCategory {
    /// Every category, in the order ARCHITECTURE.md lists them.
    pub const ALL: [VendorCategory; 19] = [
        Self::Analytics,
        Self::Cdp,
        Self::ErrorMonitoring,
        Self::Apm,
        Self::SessionReplay,
        Self::Advertising,
        Self::Email,
        Self::Messaging,
        Self::Support,
        Self::Crm,
        Self::Payments,
        Self::Auth,
        Self::Ai,
        Self::FeatureFlags,
        Self::Search,
        Self::Storage,
        Self::Cloud,
        Self::Cdn,
        Self::Other,
    ];

    /// The kebab-case name used in files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analytics => "analytics",
            Self::Cdp => "cdp",
            Self::ErrorMonitoring => "error-monitoring",
            Self::Apm => "apm",
            Self::SessionReplay => "session-replay",
            Self::Advertising => "advertising",
            Self::Email => "email",
            Self::Messaging => "messaging",
            Self::Support => "support",
            Self::Crm => "crm",
            Self::Payments => "payments",
            Self::Auth => "auth",
            Self::Ai => "ai",
            Self::FeatureFlags => "feature-flags",
            Self::Search => "search",
            Self::Storage => "storage",
            Self::Cloud => "cloud",
            Self::Cdn => "cdn",
            Self::Other => "other",
        }
    }

    /// Parses the kebab-case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for VendorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
