//! Imports → vendors. Takes the [`Import`] facts a parser extracted (never
//! raw text, so imports in comments and strings do not count) and maps each
//! module to catalog vendors by the rules of its language:
//!
//! - JS/TS/Vue/Svelte: the npm package of the specifier (`@sentry/nextjs/client`
//!   → `@sentry/nextjs`, `firebase/analytics` → `firebase`);
//! - Python: the dotted module or any parent of it against the catalog's
//!   import names, and the top-level module against PyPI names (`sentry_sdk`
//!   is `sentry-sdk`);
//! - Ruby: the required path and its first segment against require names and gems;
//! - Go: the import path against module paths, by path prefix;
//! - Java/Kotlin: package prefixes (`com.stripe.model.Customer` → `com.stripe`);
//! - PHP: namespace prefixes, case-insensitively (`\Stripe\StripeClient`);
//! - Swift: module names.
//!
//! Script `src` URLs from HTML are the script detector's, not imports. The
//! catalog's JS "imports" are global objects (`analytics`, `ga`), not module
//! names: matching them to modules would take the unrelated npm package
//! `analytics` for Segment.

use std::collections::BTreeSet;

use super::Finding;
use super::index::{Index, VendorIx, is_path_prefix};
use super::lang::{FileFacts, ImportNames, Lang};
use crate::catalog::Ecosystem;
use crate::model::{EvidenceKind, Scope};

/// The npm package of an import specifier, if it names one.
pub fn npm_package(spec: &str) -> Option<&str> {
    let spec = spec.strip_prefix("npm:").unwrap_or(spec);
    if spec.is_empty()
        || spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('#')
        || spec.starts_with('~')
        || spec.contains("://")
        || spec.starts_with("node:")
    {
        return None;
    }
    let mut parts = spec.splitn(3, '/');
    let first = parts.next()?;
    if first.starts_with('@') {
        let second = parts.next()?;
        if second.is_empty() || first.len() < 2 {
            return None;
        }
        Some(&spec[..first.len() + 1 + second.len()])
    } else {
        Some(first)
    }
}

/// The vendors a module of `lang` belongs to, by its row's `import_names`.
pub fn vendors_of(lang: Lang, module: &str, index: &Index) -> BTreeSet<VendorIx> {
    let module = module.trim();
    let mut out = BTreeSet::new();
    // The catalog's import names in the row's import languages.
    let names = || {
        lang.spec()
            .import_langs
            .iter()
            .flat_map(|l| index.import_names(*l))
    };
    match lang.spec().import_names {
        ImportNames::Npm => {
            if let Some(pkg) = npm_package(module) {
                out.extend(index.package(Ecosystem::Npm, pkg));
                // A version suffix in a Deno/esm specifier: `npm:stripe@14`.
                if let Some((name, _)) = pkg.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
                    out.extend(index.package(Ecosystem::Npm, name));
                }
            }
        }
        ImportNames::Python => {
            if module.starts_with('.') || module.is_empty() {
                return out;
            }
            for (name, v) in names() {
                if is_path_prefix(module, name, '.') {
                    out.insert(*v);
                }
            }
            let top = module.split('.').next().unwrap_or(module);
            out.extend(index.package(Ecosystem::Pypi, top));
        }
        ImportNames::Ruby => {
            if module.starts_with('.') || module.is_empty() {
                return out;
            }
            let first = module.split('/').next().unwrap_or(module);
            for (name, v) in names() {
                if is_path_prefix(module, name, '/') {
                    out.insert(*v);
                }
            }
            out.extend(index.package(Ecosystem::Rubygems, module));
            out.extend(index.package(Ecosystem::Rubygems, first));
        }
        ImportNames::Go => {
            out.extend(index.package(Ecosystem::Go, module));
            for (name, v) in names() {
                if is_path_prefix(module, name, '/') {
                    out.insert(*v);
                }
            }
        }
        ImportNames::Jvm => {
            // The most specific package wins: `com.google.firebase.messaging`
            // is Cloud Messaging's, not the whole of Firebase's.
            let m = module.trim_start_matches("static ").trim_end_matches(".*");
            let mut best = 0;
            for (name, v) in names() {
                if is_path_prefix(m, name, '.') {
                    if name.len() > best {
                        best = name.len();
                        out.clear();
                    }
                    if name.len() == best {
                        out.insert(*v);
                    }
                }
            }
        }
        ImportNames::Php => {
            let m = module.trim_start_matches('\\').to_ascii_lowercase();
            if m.contains('/') || m.ends_with(".php") {
                return out;
            }
            for (name, v) in names() {
                let n = name.trim_start_matches('\\').to_ascii_lowercase();
                if is_path_prefix(&m, &n, '\\') {
                    out.insert(*v);
                }
            }
        }
        ImportNames::Swift => {
            let m = module.trim_start_matches("@testable ");
            let m = m.split('.').next().unwrap_or(m);
            for (name, v) in names() {
                if name == m {
                    out.insert(*v);
                }
            }
            out.extend(index.package(Ecosystem::Cocoapods, m));
        }
        ImportNames::None => {}
    }
    out
}

/// The members of a Go package that hold several vendors' clients, each
/// with its vendor: the catalog writes them `module#Member`
/// (`github.com/go-pkgz/notify#Telegram`). Such a package is no vendor
/// by itself; its type `Telegram` and its constructor `NewTelegram` are.
pub fn members_of<'i>(lang: Lang, module: &str, index: &'i Index) -> Vec<(&'i str, VendorIx)> {
    if lang.spec().import_names != ImportNames::Go {
        return Vec::new();
    }
    let module = module.trim();
    lang.spec()
        .import_langs
        .iter()
        .flat_map(|l| index.import_names(*l))
        .filter_map(|(name, v)| {
            let (m, member) = name.split_once('#')?;
            (m == module && !member.is_empty()).then_some((member, *v))
        })
        .collect()
}

/// Where a file first uses a vendor's member of a package it imports as
/// `alias` ([`members_of`]): a call of its constructor or of the type
/// (`ntf.NewTelegram(...)`), with its text; or line 0 where only a name
/// is declared of its type.
fn member_use<'f>(facts: &'f FileFacts, alias: &str, member: &str) -> Option<(u32, &'f str)> {
    let typed = format!("{alias}.{member}");
    let made = format!("{alias}.New{member}");
    let names = |c: &str| {
        [&typed, &made].iter().any(|p| {
            c == p.as_str()
                || c.strip_prefix(p.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    };
    let call = facts
        .all_calls()
        .find(|c| names(&c.callee))
        .map(|c| (c.line, c.text.as_str()));
    // A name declared of the type (a struct's field): the import itself
    // is the evidence, the type being used.
    call.or_else(|| {
        facts
            .bindings
            .iter()
            .any(|b| b.root == typed)
            .then_some((0, ""))
    })
}

/// Import evidence from a parsed file.
pub fn detect(lang: Lang, facts: &FileFacts, index: &Index) -> Vec<Finding> {
    let mut out = Vec::new();
    for imp in &facts.imports {
        for (member, v) in members_of(lang, &imp.module, index) {
            let used = imp
                .bindings
                .iter()
                .find_map(|b| member_use(facts, b, member));
            if let Some((line, text)) = used {
                let (line, text) = if line == 0 {
                    (imp.line, imp.text.trim())
                } else {
                    (line, text.trim())
                };
                out.push(Finding {
                    vendor: v,
                    kind: EvidenceKind::Import,
                    line,
                    text: (!text.is_empty()).then(|| text.to_string()),
                    scope: Scope::Production,
                });
            }
        }
        for v in vendors_of(lang, &imp.module, index) {
            out.push(Finding {
                vendor: v,
                kind: EvidenceKind::Import,
                line: imp.line,
                text: (!imp.text.trim().is_empty()).then(|| imp.text.trim().to_string()),
                scope: Scope::Production,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, CatalogVendor};

    fn index() -> (Index, Catalog) {
        let v = |y: &str| serde_yaml::from_str::<CatalogVendor>(y).unwrap();
        let cat = Catalog::from_vendors(vec![
            v(
                "{id: sentry, name: Sentry, category: error-monitoring, packages: {npm: ['@sentry/nextjs', '@sentry/node'], pypi: [sentry-sdk], rubygems: [sentry-ruby], go: [github.com/getsentry/sentry-go]}, imports: {python: [sentry_sdk], php: [Sentry], java: [io.sentry], swift: [Sentry]}}",
            ),
            v("{id: firebase, name: Firebase, category: cloud, packages: {npm: [firebase]}}"),
            v(
                "{id: stripe, name: Stripe, category: payments, packages: {npm: [stripe], pypi: [stripe], go: [github.com/stripe/stripe-go]}, imports: {php: [Stripe], java: [com.stripe]}}",
            ),
        ]);
        (Index::new(&cat), cat)
    }

    fn ids(ix: &Index, lang: Lang, m: &str) -> Vec<String> {
        vendors_of(lang, m, ix)
            .into_iter()
            .map(|v| ix.id(v).to_string())
            .collect()
    }

    #[test]
    fn js_subpaths_map_by_package() {
        let (ix, _c) = index();
        assert_eq!(ids(&ix, Lang::Tsx, "@sentry/nextjs/client"), ["sentry"]);
        assert_eq!(
            ids(&ix, Lang::JavaScript, "firebase/analytics"),
            ["firebase"]
        );
        assert_eq!(ids(&ix, Lang::TypeScript, "npm:stripe@14"), ["stripe"]);
        assert!(ids(&ix, Lang::JavaScript, "./stripe").is_empty());
        assert!(ids(&ix, Lang::JavaScript, "@sentry/nextjs-like").is_empty());
        assert!(ids(&ix, Lang::JavaScript, "stripe-mock").is_empty());
    }

    #[test]
    fn other_languages() {
        let (ix, _c) = index();
        assert_eq!(
            ids(&ix, Lang::Python, "sentry_sdk.integrations.flask"),
            ["sentry"]
        );
        assert_eq!(ids(&ix, Lang::Python, "stripe"), ["stripe"]);
        assert!(ids(&ix, Lang::Python, "stripey").is_empty());
        assert!(ids(&ix, Lang::Python, ".stripe").is_empty());
        assert_eq!(ids(&ix, Lang::Ruby, "sentry-ruby"), ["sentry"]);
        assert_eq!(
            ids(&ix, Lang::Go, "github.com/stripe/stripe-go/v76/customer"),
            ["stripe"]
        );
        assert_eq!(
            ids(&ix, Lang::Java, "com.stripe.model.Customer"),
            ["stripe"]
        );
        assert!(ids(&ix, Lang::Java, "com.striped.Thing").is_empty());
        assert_eq!(ids(&ix, Lang::Kotlin, "io.sentry.Sentry"), ["sentry"]);
        assert_eq!(ids(&ix, Lang::Php, "\\Stripe\\StripeClient"), ["stripe"]);
        assert!(ids(&ix, Lang::Php, "StripeHelper\\Client").is_empty());
        assert_eq!(ids(&ix, Lang::Swift, "Sentry"), ["sentry"]);
    }
}
