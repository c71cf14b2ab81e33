//! The domain types (fields, subjects, components, vendors, flows, evidence)
//! and the loader that turns a `blastmap.yaml` into a validated [`Map`].
//!
//! Invariant: a [`Map`] that leaves [`declaration::load`] is consistent:
//! every id a flow, `holds` or `access` names exists, every category is a key
//! of the taxonomy, and ids are unique per section. Nothing here knows about
//! scanning; the scanner produces the same types with evidence attached.

pub mod assume;
pub mod declaration;
pub mod draft;
pub mod fides;
pub mod kind;
pub(crate) mod locate;
pub mod policy;
pub mod schema;
pub mod suggest;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::taxonomy::Taxonomy;
pub use crate::vocab::{Sensitivity, VendorCategory};

/// What a first-party component is.
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
pub enum ComponentKind {
    /// A web front end.
    Web,
    /// A mobile app.
    Mobile,
    /// A back-end service.
    Service,
    /// A scheduled or batch job.
    Job,
    /// A database or store.
    Datastore,
    /// Anything else.
    Other,
}

impl ComponentKind {
    /// Every kind.
    pub const ALL: [ComponentKind; 6] = [
        Self::Web,
        Self::Mobile,
        Self::Service,
        Self::Job,
        Self::Datastore,
        Self::Other,
    ];

    /// The lowercase name used in files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Mobile => "mobile",
            Self::Service => "service",
            Self::Job => "job",
            Self::Datastore => "datastore",
            Self::Other => "other",
        }
    }
}

/// Where in a codebase a piece of evidence was found.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Shipped code: counts as a real integration.
    #[default]
    Production,
    /// Tests, mocks, fixtures.
    Test,
    /// Dev-only dependencies, docs, examples, tooling, scripts.
    Dev,
    /// Continuous-integration workflows (`.github/workflows/`,
    /// `.gitlab-ci.yml`, ...): they run on the CI provider, not in the
    /// application.
    Ci,
    /// Deployment descriptions (Helm charts, Terraform, Kubernetes
    /// manifests, Compose files): they say where the application runs and
    /// which settings it gets, reported apart from its runtime flows.
    Deploy,
    /// Only mentioned: a link a person clicks, a share link, a CSP or
    /// allow-list entry, a locale string, a `$schema` URL, a key listed in a
    /// build tool's environment pass-through. Never an integration alone.
    Mention,
}

impl Scope {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Test => "test",
            Self::Dev => "dev",
            Self::Ci => "ci",
            Self::Deploy => "deploy",
            Self::Mention => "mention",
        }
    }
}

/// How a fact was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// A dependency manifest names the vendor's package.
    Manifest,
    /// Source code imports the vendor's SDK.
    Import,
    /// A call site sends data through the SDK.
    Call,
    /// A script tag or inline loader snippet.
    Script,
    /// A plain HTTP request to a vendor's API (a call whose URL argument
    /// resolves to a catalog domain).
    Http,
    /// A vendor API domain in a string literal.
    Endpoint,
    /// A vendor config or environment key.
    Config,
    /// The SDK collects this by itself (catalog knowledge).
    Collects,
    /// Written in the declaration file.
    Declared,
    /// A mention that is not an integration: a link, a share link, a CSP or
    /// allow-list entry, a locale string, a `$schema` URL, an environment
    /// key a build tool passes through. Its scope is always `mention`.
    Mention,
    /// Seen in recorded traffic (`blastmap observe`): a request to the
    /// vendor, named by its recording and entry (`session.har#entries[3]`),
    /// with its method and URL (values hidden) as the text.
    Observed,
}

impl EvidenceKind {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manifest => "manifest",
            Self::Import => "import",
            Self::Call => "call",
            Self::Script => "script",
            Self::Http => "http",
            Self::Endpoint => "endpoint",
            Self::Config => "config",
            Self::Collects => "collects",
            Self::Declared => "declared",
            Self::Mention => "mention",
            Self::Observed => "observed",
        }
    }
}

/// What [`is_valid_id`] accepts, in words, for error messages.
pub const ID_RULE: &str =
    "ids use letters, digits, `_`, `-` and `.`, and start with a letter or digit";

/// The one rule for ids (fields, components, vendors, subjects), wherever
/// they come from: a declaration, a scan's JSON or a merged map. Ids are
/// written into every output format and used as file and node names, so
/// nothing else is allowed in them.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Where a fact was seen: a file and line, with the text found there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// How the fact was learnt.
    pub kind: EvidenceKind,
    /// Path relative to the scanned root (or the declaration file), `/` separators.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// The text found there (secrets redacted), trimmed to one line.
    pub text: String,
    /// Production, test or dev.
    #[serde(default)]
    pub scope: Scope,
}

impl Evidence {
    /// `file:line`; `file (flows[3])` for a declaration whose line is not
    /// known; just `file` otherwise.
    pub fn location(&self) -> String {
        if self.line == 0 && self.kind == EvidenceKind::Declared && !self.text.is_empty() {
            // A declaration too large to locate line by line keeps its YAML path.
            format!("{} ({})", self.file, self.text)
        } else if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}", self.file, self.line)
        }
    }
}

/// A group of people whose data it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// Unique id (`api_user`).
    pub id: String,
    /// Who they are, in words.
    pub description: Option<String>,
    /// How many people, when known (with per-region counts, their sum).
    pub count: Option<u64>,
    /// How many people per region, when the declaration says
    /// (`count: {eu: 400000, us: 800000}`); empty when only a total is known.
    pub count_by_region: std::collections::BTreeMap<String, u64>,
    /// Where they live (`eu`, `us`, ISO country codes), for regulatory clocks.
    pub regions: Vec<String>,
}

/// One kind of user data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Unique id (`email`), or a taxonomy key for a category used directly.
    pub id: String,
    /// The taxonomy key.
    pub category: String,
    /// Whose data it is.
    pub subject: Option<String>,
    /// The effective sensitivity (the field's override or the category's default).
    pub sensitivity: Sensitivity,
    /// Free text.
    pub description: Option<String>,
    /// True when the field was not declared but a category was named directly.
    pub implicit: bool,
}

/// A first-party part of the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// What it is.
    pub kind: ComponentKind,
    /// Globs linking code to it.
    pub paths: Vec<String>,
    /// Field ids its code can read.
    pub holds: Vec<String>,
    /// Where it came from.
    pub origin: Origin,
}

/// A third party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vendor {
    /// Unique id; a catalog slug for known vendors.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What business it is in.
    pub category: VendorCategory,
    /// Systems whose data it can read with credentials it holds.
    pub access: Vec<String>,
    /// True when the id is a catalog vendor.
    pub in_catalog: bool,
    /// Where it came from.
    pub origin: Origin,
}

/// The fields a flow carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FlowFields {
    /// Everything the source holds or receives.
    All,
    /// These field ids.
    List(Vec<String>),
}

/// Where a fact comes from: declared, discovered in the code, observed in
/// recorded traffic, or any combination. A small set: [`Origin::merge`]
/// unites two.
///
/// Written as one word in every output: `declared`, `discovered`, `both`
/// (declared and discovered, as before observed traffic existed),
/// `observed`, and the other combinations joined with `+` in the fixed
/// order declared, discovered, observed (`declared+observed`,
/// `discovered+observed`, `declared+discovered+observed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin(u8);

impl Default for Origin {
    fn default() -> Self {
        Origin::DECLARED
    }
}

impl Origin {
    /// In the declaration file.
    pub const DECLARED: Origin = Origin(1);
    /// Found in the code.
    pub const DISCOVERED: Origin = Origin(2);
    /// Seen in recorded traffic (`--observed`).
    pub const OBSERVED: Origin = Origin(4);
    /// Declared and discovered.
    pub const BOTH: Origin = Origin(3);

    /// The lowercase name used in outputs (see the type's docs).
    pub fn as_str(self) -> &'static str {
        match self.0 {
            2 => "discovered",
            3 => "both",
            4 => "observed",
            5 => "declared+observed",
            6 => "discovered+observed",
            7 => "declared+discovered+observed",
            _ => "declared",
        }
    }

    /// The origin of a fact seen by both: the union of the two sets.
    pub fn merge(self, other: Origin) -> Origin {
        Origin(self.0 | other.0)
    }

    /// Whether every source of `part` is among this one's.
    pub fn has(self, part: Origin) -> bool {
        self.0 & part.0 == part.0
    }
}

#[cfg(test)]
mod origin_tests {
    use super::Origin;

    #[test]
    fn origins_unite_and_keep_their_old_names() {
        assert_eq!(Origin::DECLARED.merge(Origin::DISCOVERED), Origin::BOTH);
        assert_eq!(Origin::BOTH.as_str(), "both");
        let all = Origin::BOTH.merge(Origin::OBSERVED);
        assert_eq!(all.as_str(), "declared+discovered+observed");
        assert_eq!(
            Origin::OBSERVED.merge(Origin::DECLARED).as_str(),
            "declared+observed"
        );
        assert!(all.has(Origin::DECLARED) && !Origin::OBSERVED.has(Origin::DECLARED));
        assert_eq!(Origin::default(), Origin::DECLARED);
        assert_eq!(
            serde_json::to_string(&Origin::DISCOVERED.merge(Origin::OBSERVED)).unwrap(),
            "\"discovered+observed\""
        );
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An edge `from → to` carrying fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// Component or vendor id.
    pub from: String,
    /// Component or vendor id.
    pub to: String,
    /// What it carries.
    pub fields: FlowFields,
    /// Why.
    pub purpose: Option<String>,
    /// Where it was seen.
    pub evidence: Vec<Evidence>,
    /// Declared, discovered, observed, or a combination.
    pub origin: Origin,
    /// The fields a scan added to a declared flow (`--map` with `--scan`):
    /// what was declared is `fields` without them. Empty otherwise.
    #[serde(skip)]
    pub discovered: Vec<String>,
}

/// A validated model of one system: the input to the graph.
#[derive(Debug, Clone, Default)]
pub struct Map {
    /// The system's name.
    pub system: String,
    /// The data-category taxonomy (built-in plus the file's own keys).
    pub taxonomy: Taxonomy,
    /// By id.
    pub subjects: BTreeMap<String, Subject>,
    /// By id.
    pub fields: BTreeMap<String, Field>,
    /// By id.
    pub components: BTreeMap<String, Component>,
    /// By id.
    pub vendors: BTreeMap<String, Vendor>,
    /// In file order.
    pub flows: Vec<Flow>,
    /// The file it was loaded from, for evidence of declared facts.
    pub source: Option<String>,
    /// What `blastmap check` allows, warns about and denies.
    pub policy: policy::Policy,
    /// Code evidence per category, for the flows a scan found (keyed by
    /// the flow's `(from, to)`): where each category is sent or collected,
    /// so that a report lists each field's own lines rather than every
    /// line of the connection.
    pub field_evidence: BTreeMap<(String, String), Vec<(String, Evidence)>>,
}

impl Map {
    /// An empty map over the built-in taxonomy.
    pub fn new(system: impl Into<String>) -> Self {
        Map {
            system: system.into(),
            taxonomy: Taxonomy::builtin().clone(),
            ..Default::default()
        }
    }
}
