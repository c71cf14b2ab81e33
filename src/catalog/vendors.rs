//! The vendor catalog's types: one YAML file per vendor under `vendors/`.
//! `build.rs` compiles this file too and parses every vendor file with
//! these types at build time; the binary loads the JSON it writes
//! ([`super::embedded`]).
//!
//! Invariant: ids are unique lowercase slugs equal to their file names, and
//! every taxonomy key in `calls` and `collects` exists (checked by the tests).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::vocab::VendorCategory;

/// A package ecosystem whose manifests the scanner reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Npm,
    Pypi,
    Rubygems,
    Go,
    Maven,
    Packagist,
    Cocoapods,
    Swiftpm,
    Nuget,
    Crates,
}

impl Ecosystem {
    /// The lowercase name used in files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Npm => "npm",
            Self::Pypi => "pypi",
            Self::Rubygems => "rubygems",
            Self::Go => "go",
            Self::Maven => "maven",
            Self::Packagist => "packagist",
            Self::Cocoapods => "cocoapods",
            Self::Swiftpm => "swiftpm",
            Self::Nuget => "nuget",
            Self::Crates => "crates",
        }
    }
}

/// A language whose import names may differ from package names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportLang {
    Js,
    Python,
    Ruby,
    Go,
    Java,
    Kotlin,
    Php,
    Swift,
    Csharp,
}

/// A data-sending SDK method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CallSpec {
    /// Just the method name or dotted suffix (`identify`, `people.set`).
    Method(String),
    /// A method whose argument is itself a datum of a category.
    Detailed {
        /// The method name or dotted suffix.
        method: String,
        /// The taxonomy key of the argument.
        #[serde(default)]
        implies: Option<String>,
    },
}

impl CallSpec {
    /// The method name or dotted suffix.
    pub fn method(&self) -> &str {
        match self {
            CallSpec::Method(m) => m,
            CallSpec::Detailed { method, .. } => method,
        }
    }

    /// The category its argument implies, if any.
    pub fn implies(&self) -> Option<&str> {
        match self {
            CallSpec::Method(_) => None,
            CallSpec::Detailed { implies, .. } => implies.as_deref(),
        }
    }
}

/// Where an SDK runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Browser,
    Mobile,
    Server,
}

/// Something an SDK sends by itself, by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collect {
    /// The taxonomy key.
    pub category: String,
    /// How it is collected, in words.
    #[serde(default)]
    pub how: Option<String>,
    /// Where (empty: everywhere).
    #[serde(default)]
    pub platforms: Vec<Platform>,
    /// Configuration text that turns it off.
    #[serde(default)]
    pub disabled_by: Vec<String>,
    /// Configuration text that turns it on: when present, the item is
    /// collected only if one of these is visible in the code (an opt-in
    /// such as Sentry's `send_default_pii=True`).
    #[serde(default)]
    pub enabled_by: Vec<String>,
}

/// One vendor of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogVendor {
    /// Lowercase slug.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Business category.
    pub category: VendorCategory,
    /// One line.
    #[serde(default)]
    pub description: Option<String>,
    /// Package names per ecosystem.
    #[serde(default)]
    pub packages: BTreeMap<Ecosystem, Vec<String>>,
    /// Import names that differ from package names, per language.
    #[serde(default)]
    pub imports: BTreeMap<ImportLang, Vec<String>>,
    /// API, ingestion and CDN hosts.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Env and config key names.
    #[serde(default)]
    pub config_keys: Vec<String>,
    /// Distinctive text of inline loader snippets.
    #[serde(default)]
    pub snippets: Vec<String>,
    /// Data-sending SDK methods.
    #[serde(default)]
    pub calls: Vec<CallSpec>,
    /// What the SDK sends by itself.
    #[serde(default)]
    pub collects: Vec<Collect>,
    /// Catalog ids of its hosts and sub-processors.
    #[serde(default)]
    pub sub_processors: Vec<String>,
    /// Regexes for hard-coded secrets.
    #[serde(default)]
    pub secret_patterns: Vec<String>,
    /// The packages and imports are clients of an open-source server that
    /// anyone can run (a MongoDB, Elasticsearch or Meilisearch driver): they
    /// say nothing about the vendor's hosted service. The scan reports the
    /// vendor only where production code or configuration points at it: one
    /// of its `domains` (a connection string's host counts), one of its
    /// `config_keys` (which then must name the hosted service, such as
    /// `MONGODB_ATLAS_URI`, never a generic `MONGODB_URI`) or a snippet.
    #[serde(default)]
    pub generic_client: bool,
    /// The names login libraries give this vendor as an OAuth or OIDC
    /// provider (`github` in go-pkgz/auth's `AddProvider("github", ...)`,
    /// Laravel Socialite's `Socialite::driver('github')`, OmniAuth's
    /// `provider :github`): registering it sends the person's sign-in to
    /// the vendor and brings their profile back.
    #[serde(default)]
    pub login_providers: Vec<String>,
    /// Names an application gives the folder or file of its integration
    /// with this vendor besides the vendor's id (`victorops` for Splunk
    /// On-Call, `discord` for Discord's API): a request made from
    /// `integrations/victorops/transport.py` goes to the vendor even when
    /// its URL is one a user typed in (see `scan::folders`).
    #[serde(default)]
    pub folder_names: Vec<String>,
    /// The provider keys the Nango integration platform gives this vendor
    /// (`netsuite-tba`, `xero`): an application that reaches Nango and names
    /// the key sends that vendor's data through Nango.
    #[serde(default)]
    pub nango_providers: Vec<String>,
    /// Packages (among `packages`) whose only purpose is to make this
    /// vendor a web framework's mail transport (`resend/resend-laravel`,
    /// `postmark-rails`, `symfony/postmark-mailer`): with one in production
    /// dependencies, the framework's own sends (`Mail::send`, a Rails
    /// mailer's `mail`, Django's `send_mail`) go to the vendor (see
    /// `scan::mailers`).
    #[serde(default)]
    pub mailer_packages: Vec<String>,
    /// The API receives text someone wrote though the vendor is not a
    /// messaging, email or support product: an issue tracker's issues, an
    /// incident tool's alerts, a push service's notifications. A `text`,
    /// `body`, `message` or `description` sent to it is private content, as
    /// for those categories.
    #[serde(default)]
    pub carries_messages: bool,
    /// Open-source renderers (ids of `renderers.yaml`, such as `maplibre`)
    /// that the vendor hosts tiles, styles or images for: where the
    /// repository configures this vendor and uses such a renderer, what the
    /// renderer is pointed at reaches the vendor.
    #[serde(default)]
    pub renderers: Vec<String>,
    /// Public sources of these facts.
    #[serde(default)]
    pub sources: Vec<String>,
}
