//! Built-in knowledge compiled into the binary: the vendor catalog, the
//! data-category taxonomy, and the scenario and action rules of a blast radius.
//!
//! Everything here is data (YAML files beside this module); the code only
//! loads and indexes it. A test loads all of it and checks its consistency.

pub mod rules;
pub mod taxonomy;
pub mod vendors;

use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use vendors::{CallSpec, CatalogVendor, Collect, Ecosystem, ImportLang, Platform};

/// The vendor catalog, indexed by id.
#[derive(Debug, Default)]
pub struct Catalog {
    vendors: BTreeMap<String, CatalogVendor>,
}

static BUILTIN: OnceLock<Catalog> = OnceLock::new();

/// One lazily parsed entry per embedded file, in file-name order.
static ENTRIES: OnceLock<Vec<OnceLock<Option<CatalogVendor>>>> = OnceLock::new();

/// One built-in vendor by id, parsing only its own file. Loading a
/// declaration needs a handful of vendors, not all three hundred: this keeps
/// `blast` and `rank` from paying for the whole catalog.
pub fn lookup(id: &str) -> Option<&'static CatalogVendor> {
    let files = vendors::VENDOR_FILES;
    let i = files
        .binary_search_by(|(name, _)| name.strip_suffix(".yaml").unwrap_or(name).cmp(id))
        .ok()?;
    let entries = ENTRIES.get_or_init(|| files.iter().map(|_| OnceLock::new()).collect());
    entries[i]
        .get_or_init(|| serde_yaml::from_str::<CatalogVendor>(files[i].1).ok())
        .as_ref()
}

/// The ids of every built-in vendor (from the file names), sorted.
pub fn ids() -> impl Iterator<Item = &'static str> + Clone {
    vendors::VENDOR_FILES
        .iter()
        .map(|(name, _)| name.strip_suffix(".yaml").unwrap_or(name))
}

impl Catalog {
    /// The built-in catalog. Files that fail to parse are left out here and
    /// reported by `cargo test` (a broken file never reaches a release).
    pub fn builtin() -> &'static Catalog {
        BUILTIN.get_or_init(|| {
            let (list, _errors) = vendors::parse_all();
            Catalog::from_vendors(list)
        })
    }

    /// A catalog from a list (tests use small ones).
    pub fn from_vendors(list: Vec<CatalogVendor>) -> Catalog {
        Catalog {
            vendors: list.into_iter().map(|v| (v.id.clone(), v)).collect(),
        }
    }

    /// One vendor by id.
    pub fn get(&self, id: &str) -> Option<&CatalogVendor> {
        self.vendors.get(id)
    }

    /// All vendors, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = &CatalogVendor> {
        self.vendors.values()
    }

    /// All ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.vendors.keys().map(String::as_str)
    }

    /// Number of vendors.
    pub fn len(&self) -> usize {
        self.vendors.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.vendors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::taxonomy::Taxonomy;
    use std::collections::BTreeSet;

    #[test]
    fn lazy_lookup_agrees_with_the_full_catalog() {
        let full = Catalog::builtin();
        assert_eq!(ids().count(), full.len());
        for id in ids() {
            assert_eq!(lookup(id), full.get(id), "{id}");
        }
        assert!(lookup("no-such-vendor").is_none());
    }

    #[test]
    fn every_vendor_file_loads_and_is_consistent() {
        let (list, errors) = vendors::parse_all();
        let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(msgs.is_empty(), "{}", msgs.join("\n"));
        let tax = Taxonomy::builtin();
        let ids: BTreeSet<&str> = list.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids.len(), list.len(), "duplicate ids");
        let slug = regex::Regex::new("^[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
        let mut problems = Vec::new();
        for v in &list {
            if !slug.is_match(&v.id) {
                problems.push(format!("{}: id is not a lowercase slug", v.id));
            }
            if v.sources.is_empty() {
                problems.push(format!("{}: no sources", v.id));
            }
            for c in &v.collects {
                if !tax.contains(&c.category) {
                    problems.push(format!(
                        "{}: collects unknown category {}",
                        v.id, c.category
                    ));
                }
            }
            for c in &v.calls {
                if let Some(k) = c.implies() {
                    if !tax.contains(k) {
                        problems.push(format!("{}: call implies unknown category {k}", v.id));
                    }
                }
            }
            for s in &v.sub_processors {
                if !ids.contains(s.as_str()) {
                    problems.push(format!("{}: unknown sub-processor {s}", v.id));
                }
            }
            for p in &v.secret_patterns {
                if regex::Regex::new(p).is_err() {
                    problems.push(format!("{}: bad secret pattern {p}", v.id));
                }
            }
            for d in &v.domains {
                let (host, path) = d.split_once('/').unwrap_or((d, ""));
                let path_ok = path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '*' | '.' | '-' | '_'))
                    && !path.starts_with('/')
                    && !path.ends_with('/');
                if host.contains(':')
                    || *d != d.to_lowercase() && host != host.to_lowercase()
                    || !host.contains('.')
                    || !path_ok
                {
                    problems.push(format!(
                        "{}: domain `{d}` must be a lowercase host, optionally with a path (`host/a/*/b`)",
                        v.id
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
