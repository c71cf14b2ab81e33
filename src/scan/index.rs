//! The catalog, indexed for the detectors: package names per ecosystem
//! (normalised the way each registry compares names), import names per
//! language, API domains, config keys and snippets, each pointing back to the
//! vendors that own it. Built once per scan.
//!
//! Invariant: every lookup is exact or prefix-at-a-separator, never a bare
//! substring: `@sentry/nextjs/client` maps to `@sentry/nextjs`, but
//! `github.com/stripe/stripe-gopher` does not map to `github.com/stripe/stripe-go`.

use std::collections::{BTreeSet, HashMap};

use crate::catalog::{Catalog, Ecosystem, ImportLang};

/// A vendor's position in [`Index::vendors`].
pub type VendorIx = u16;

/// The catalog, indexed.
#[derive(Debug)]
pub struct Index {
    /// Vendor ids, sorted (position = [`VendorIx`]).
    pub vendors: Vec<String>,
    packages: HashMap<(Ecosystem, String), Vec<VendorIx>>,
    /// Module paths (Go) and repository paths (SwiftPM), for prefix matching.
    prefixed: Vec<(Ecosystem, String, VendorIx)>,
    /// Import names per language.
    imports: HashMap<ImportLang, Vec<(String, VendorIx)>>,
    /// (domain, vendor), lowercase. A domain may carry a path
    /// (`www.facebook.com/tr`): it then claims only URLs under that path
    /// (see [`super::endpoint`]); [`host_of`] is its host.
    pub domains: Vec<(String, VendorIx)>,
    /// (key, vendor).
    pub config_keys: Vec<(String, VendorIx)>,
    /// (snippet text, vendor).
    pub snippets: Vec<(String, VendorIx)>,
    /// Secret regexes from the catalog.
    pub secret_patterns: Vec<String>,
    /// Names as written in the catalog, for the prefilter.
    raw_names: Vec<(String, VendorIx)>,
    /// Ruby top-level constants a vendor's gems define by convention
    /// (`stripe` → `Stripe`), lowercased, for code that uses a gem Bundler
    /// loaded.
    ruby_constants: HashMap<String, BTreeSet<VendorIx>>,
    /// Login-provider names (lowercase) → vendors (`github` → GitHub OAuth).
    login_providers: HashMap<String, BTreeSet<VendorIx>>,
    /// Integration folder names (lowercase) → vendors: each vendor's id, the
    /// id without its hyphens or with underscores, and its `folder_names`.
    folders: HashMap<String, BTreeSet<VendorIx>>,
    /// Nango provider keys (lowercase) → vendors.
    nango_providers: HashMap<String, BTreeSet<VendorIx>>,
    /// Package and import names → the language families they are names in
    /// ([`family_of_ecosystem`] bits): `avatax` is an npm and a RubyGems
    /// package, so in a Python file it names nothing.
    name_families: HashMap<String, u8>,
}

/// Language families, as bits: the languages a package or import name can
/// appear in.
pub mod family {
    /// JavaScript and TypeScript (and Vue, Svelte, HTML).
    pub const JS: u8 = 1;
    /// Python.
    pub const PYTHON: u8 = 2;
    /// Ruby.
    pub const RUBY: u8 = 4;
    /// Go.
    pub const GO: u8 = 8;
    /// Java and Kotlin.
    pub const JVM: u8 = 16;
    /// PHP.
    pub const PHP: u8 = 32;
    /// Swift.
    pub const SWIFT: u8 = 64;
}

/// The family whose code names an ecosystem's packages (none for
/// ecosystems whose languages the scanner does not parse).
pub fn family_of_ecosystem(eco: Ecosystem) -> u8 {
    match eco {
        Ecosystem::Npm => family::JS,
        Ecosystem::Pypi => family::PYTHON,
        Ecosystem::Rubygems => family::RUBY,
        Ecosystem::Go => family::GO,
        Ecosystem::Maven => family::JVM,
        Ecosystem::Packagist => family::PHP,
        Ecosystem::Cocoapods | Ecosystem::Swiftpm => family::SWIFT,
        Ecosystem::Nuget | Ecosystem::Crates => 0,
    }
}

fn family_of_import(lang: ImportLang) -> u8 {
    match lang {
        ImportLang::Js => family::JS,
        ImportLang::Python => family::PYTHON,
        ImportLang::Ruby => family::RUBY,
        ImportLang::Go => family::GO,
        ImportLang::Java | ImportLang::Kotlin => family::JVM,
        ImportLang::Php => family::PHP,
        ImportLang::Swift => family::SWIFT,
        ImportLang::Csharp => 0,
    }
}

/// The host of a catalog domain entry: `www.facebook.com/tr` →
/// `www.facebook.com`.
pub fn host_of(domain: &str) -> &str {
    domain.split('/').next().unwrap_or(domain)
}

/// Normalises a package name for comparison within its ecosystem.
pub fn normalise(eco: Ecosystem, name: &str) -> String {
    let name = name.trim();
    match eco {
        // PEP 503: case-insensitive, runs of `-_.` are equal.
        Ecosystem::Pypi => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        // Case-insensitive registries.
        Ecosystem::Nuget
        | Ecosystem::Packagist
        | Ecosystem::Rubygems
        | Ecosystem::Maven
        | Ecosystem::Crates => name.to_ascii_lowercase().replace('_', "-"),
        // A pod's subspec (`Sentry/HybridSDK`) belongs to the pod.
        Ecosystem::Cocoapods => name.split('/').next().unwrap_or(name).to_ascii_lowercase(),
        Ecosystem::Swiftpm => swift_repo(name),
        Ecosystem::Npm | Ecosystem::Go => name.to_string(),
    }
}

/// `https://github.com/getsentry/sentry-cocoa.git` → `github.com/getsentry/sentry-cocoa`.
pub fn swift_repo(url: &str) -> String {
    let mut s = url.trim().to_ascii_lowercase();
    for scheme in ["https://", "http://", "ssh://", "git://"] {
        if let Some(rest) = s.strip_prefix(scheme) {
            s = rest.to_string();
        }
    }
    if let Some(rest) = s.strip_prefix("git@") {
        s = rest.replacen(':', "/", 1);
    }
    let s = s.trim_end_matches('/');
    s.strip_suffix(".git").unwrap_or(s).to_string()
}

impl Index {
    /// Indexes a catalog.
    pub fn new(catalog: &Catalog) -> Index {
        let mut ix = Index {
            vendors: Vec::with_capacity(catalog.len()),
            packages: HashMap::new(),
            prefixed: Vec::new(),
            imports: HashMap::new(),
            domains: Vec::new(),
            config_keys: Vec::new(),
            snippets: Vec::new(),
            secret_patterns: Vec::new(),
            raw_names: Vec::new(),
            ruby_constants: HashMap::new(),
            login_providers: HashMap::new(),
            folders: HashMap::new(),
            nango_providers: HashMap::new(),
            name_families: HashMap::new(),
        };
        for (i, v) in catalog.iter().enumerate() {
            let Ok(vi) = VendorIx::try_from(i) else {
                break;
            };
            ix.vendors.push(v.id.clone());
            for (eco, names) in &v.packages {
                for n in names {
                    if n.trim().is_empty() {
                        continue;
                    }
                    ix.raw_names.push((n.trim().to_string(), vi));
                    *ix.name_families.entry(n.trim().to_string()).or_default() |=
                        family_of_ecosystem(*eco);
                    ix.packages
                        .entry((*eco, normalise(*eco, n)))
                        .or_default()
                        .push(vi);
                    if matches!(eco, Ecosystem::Go | Ecosystem::Swiftpm) {
                        ix.prefixed.push((*eco, normalise(*eco, n), vi));
                    }
                }
            }
            for (lang, names) in &v.imports {
                for n in names {
                    if !n.trim().is_empty() {
                        // A package's member (`module#Member`, see
                        // `imports::members_of`) is found by its module.
                        let raw = n.trim().split('#').next().unwrap_or_default();
                        if *lang != ImportLang::Js {
                            ix.raw_names.push((raw.to_string(), vi));
                            *ix.name_families.entry(raw.to_string()).or_default() |=
                                family_of_import(*lang);
                        }
                        ix.imports
                            .entry(*lang)
                            .or_default()
                            .push((n.trim().to_string(), vi));
                    }
                }
            }
            for d in &v.domains {
                let d = d.trim().trim_matches('.').to_ascii_lowercase();
                if d.contains('.') {
                    ix.domains.push((d, vi));
                }
            }
            for k in &v.config_keys {
                if !k.trim().is_empty() {
                    ix.config_keys.push((k.trim().to_string(), vi));
                }
            }
            for s in &v.snippets {
                if s.trim().len() >= 3 {
                    ix.snippets.push((s.trim().to_string(), vi));
                }
            }
            ix.secret_patterns.extend(v.secret_patterns.iter().cloned());
            for p in &v.login_providers {
                if !p.trim().is_empty() {
                    ix.login_providers
                        .entry(p.trim().to_ascii_lowercase())
                        .or_default()
                        .insert(vi);
                }
            }
            let id = v.id.to_ascii_lowercase();
            let derived = [id.clone(), id.replace('-', ""), id.replace('-', "_")];
            for f in derived.iter().chain(&v.folder_names) {
                let f = f.trim().to_ascii_lowercase();
                // Two or three letters (`po`, `pd`) name nothing reliably.
                if f.len() >= 4 {
                    ix.folders.entry(f).or_default().insert(vi);
                }
            }
            for k in &v.nango_providers {
                if !k.trim().is_empty() {
                    ix.nango_providers
                        .entry(k.trim().to_ascii_lowercase())
                        .or_default()
                        .insert(vi);
                }
            }
            let gems = v.packages.get(&Ecosystem::Rubygems).into_iter().flatten();
            let ruby = v.imports.get(&ImportLang::Ruby).into_iter().flatten();
            for g in gems.chain(ruby) {
                if let Some(c) = super::calls::ruby_constant(g) {
                    ix.ruby_constants
                        .entry(c.to_ascii_lowercase())
                        .or_default()
                        .insert(vi);
                    // As code writes it (`Valvat.new(number)`), for the
                    // prefilter, which matches case and all: a file that
                    // only uses the constant is parsed too.
                    *ix.name_families.entry(c.clone()).or_default() |= family::RUBY;
                    ix.raw_names.push((c, vi));
                }
            }
        }
        // A text that is also a host, a key or a snippet matters in any file.
        let other_roles: Vec<String> = ix
            .domains
            .iter()
            .map(|(d, _)| host_of(d).to_string())
            .chain(ix.config_keys.iter().map(|(k, _)| k.clone()))
            .chain(ix.snippets.iter().map(|(t, _)| t.clone()))
            .collect();
        for t in other_roles {
            ix.name_families.remove(&t);
        }
        ix
    }

    /// The id of a vendor.
    pub fn id(&self, v: VendorIx) -> &str {
        self.vendors
            .get(usize::from(v))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Vendors whose package in `eco` is `name` (exact, after normalising;
    /// Go modules and SwiftPM repositories also by path prefix, so that
    /// `github.com/stripe/stripe-go/v76` is Stripe).
    /// Every login-provider name with its vendor, for the prefilter.
    pub fn login_provider_names(&self) -> Vec<(String, VendorIx)> {
        let mut out: Vec<(String, VendorIx)> = self
            .login_providers
            .iter()
            .flat_map(|(n, vs)| vs.iter().map(move |v| (n.clone(), *v)))
            .collect();
        out.sort();
        out
    }

    /// The vendors a login library's provider name stands for.
    pub fn login_provider(&self, name: &str) -> BTreeSet<VendorIx> {
        self.login_providers
            .get(&name.trim().to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    /// The vendors an integration folder or file named `name` stands for
    /// (compared without case).
    pub fn folder(&self, name: &str) -> Option<&BTreeSet<VendorIx>> {
        self.folders.get(&name.to_ascii_lowercase())
    }

    /// The vendors a Nango provider key stands for (compared without case).
    pub fn nango_provider(&self, key: &str) -> Option<&BTreeSet<VendorIx>> {
        self.nango_providers.get(&key.to_ascii_lowercase())
    }

    /// The index of a vendor id, if the catalog has it.
    pub fn ix_of(&self, id: &str) -> Option<VendorIx> {
        self.vendors
            .binary_search_by(|v| v.as_str().cmp(id))
            .ok()
            .and_then(|i| VendorIx::try_from(i).ok())
    }

    /// The vendors whose gems define the top-level Ruby constant `name`.
    /// Compared without case: the constant is guessed from the gem's name
    /// (`sendgrid-ruby` → `Sendgrid`), and gems capitalise inside words
    /// (`SendGrid`, `GoCardlessPro`).
    pub fn ruby_constant(&self, name: &str) -> BTreeSet<VendorIx> {
        self.ruby_constants
            .get(&name.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    pub fn package(&self, eco: Ecosystem, name: &str) -> BTreeSet<VendorIx> {
        let norm = normalise(eco, name);
        let mut out: BTreeSet<VendorIx> = self
            .packages
            .get(&(eco, norm.clone()))
            .into_iter()
            .flatten()
            .copied()
            .collect();
        if matches!(eco, Ecosystem::Go | Ecosystem::Swiftpm) {
            for (e, p, v) in &self.prefixed {
                if *e == eco && is_path_prefix(&norm, p, '/') {
                    out.insert(*v);
                }
            }
        }
        if eco == Ecosystem::Maven && out.is_empty() {
            // `group:artifact:version` or a bare `group:artifact`.
            let mut parts = norm.split(':');
            if let (Some(g), Some(a)) = (parts.next(), parts.next()) {
                let ga = format!("{g}:{a}");
                if ga != norm {
                    out.extend(self.package(eco, &ga));
                }
            }
        }
        out
    }

    /// True when `name` is only a package or import name of other
    /// languages than `family` (a [`family`] bit): in that file it can name
    /// no vendor, so it is no reason to parse it. Names the catalog also
    /// uses as hosts, keys or snippets are not package names only.
    pub fn names_nothing_in(&self, name: &str, family: u8) -> bool {
        if family == family::RUBY && self.ruby_constants.contains_key(&name.to_ascii_lowercase()) {
            // `Adyen::Client`: a gem's constant, whatever case the catalog
            // name that matched it has.
            return false;
        }
        self.name_families
            .get(name)
            .is_some_and(|f| f & family == 0)
    }

    /// Import names of a language, as (name, vendor).
    pub fn import_names(&self, lang: ImportLang) -> &[(String, VendorIx)] {
        self.imports.get(&lang).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every name the prefilter should look for, with its vendor. JS
    /// "imports" in the catalog are global objects (`ga`, `fbq`): as bare
    /// identifiers they are too short and common to gate parsing, and an
    /// integration through them also shows a package, script or snippet.
    pub fn prefilter_names(&self) -> Vec<(String, VendorIx)> {
        let mut out = self.raw_names.clone();
        out.extend(
            self.domains
                .iter()
                .map(|(d, v)| (host_of(d).to_string(), *v)),
        );
        out.extend(self.config_keys.iter().cloned());
        out.extend(
            self.ruby_constants
                .iter()
                .flat_map(|(c, vs)| vs.iter().map(move |v| (c.clone(), *v))),
        );
        out.extend(self.snippets.iter().cloned());
        out
    }
}

/// True when `s` is `prefix` or starts with `prefix` followed by `sep`.
pub fn is_path_prefix(s: &str, prefix: &str, sep: char) -> bool {
    s == prefix
        || (s.len() > prefix.len() && s.starts_with(prefix) && s[prefix.len()..].starts_with(sep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_compare_like_pip() {
        assert_eq!(normalise(Ecosystem::Pypi, "Sentry_SDK"), "sentry-sdk");
        assert_eq!(
            normalise(Ecosystem::Pypi, "zope.interface"),
            "zope-interface"
        );
        assert_eq!(normalise(Ecosystem::Pypi, "a--b__c"), "a-b-c");
    }

    #[test]
    fn swift_urls_become_repository_paths() {
        assert_eq!(
            swift_repo("https://github.com/getsentry/sentry-cocoa.git"),
            "github.com/getsentry/sentry-cocoa"
        );
        assert_eq!(
            swift_repo("git@github.com:mixpanel/mixpanel-swift.git"),
            "github.com/mixpanel/mixpanel-swift"
        );
    }

    #[test]
    fn path_prefixes_stop_at_separators() {
        assert!(is_path_prefix(
            "github.com/stripe/stripe-go/v76",
            "github.com/stripe/stripe-go",
            '/'
        ));
        assert!(!is_path_prefix(
            "github.com/stripe/stripe-gopher",
            "github.com/stripe/stripe-go",
            '/'
        ));
    }
}
