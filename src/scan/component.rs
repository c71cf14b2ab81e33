//! Attributing findings to components: the declared component whose `paths`
//! globs match the file (the most specific glob wins), else the package of
//! the nearest manifest above the file (a monorepo gets one component per
//! package without any YAML), else the root folder.
//!
//! Ids are made valid for a declaration file: `@acme/web` → `acme-web`,
//! `github.com/acme/payments/v2` → `payments`.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};

use super::{ComponentPaths, ScanComponent, ScanError};

/// The attribution rules for one scan.
#[derive(Debug, Default)]
pub struct Components {
    declared: Vec<(String, String, GlobMatcher)>,
    /// Manifest folders (relative, "" for the root) and their component ids.
    packages: BTreeMap<String, String>,
    root_name: Option<String>,
}

/// A component id from a package name: letters, digits, `_`, `-`, `.`,
/// starting with a letter or digit.
pub fn slug(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let s = out
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .trim_end_matches(['-', '.'])
        .to_string();
    (!s.is_empty()).then_some(s)
}

/// The component id for a manifest's package name.
pub fn package_id(name: &str, is_go_module: bool) -> Option<String> {
    if is_go_module {
        let last = name
            .split('/')
            .rev()
            .find(|s| {
                !(s.len() >= 2 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit()))
            })
            .unwrap_or(name);
        return slug(last);
    }
    slug(name)
}

impl Components {
    /// Compiles the declared globs.
    pub fn new(declared: &[ComponentPaths], root_name: Option<String>) -> Result<Self, ScanError> {
        let mut d = Vec::new();
        for c in declared {
            for g in &c.paths {
                let glob = Glob::new(g).map_err(|e| ScanError::Glob {
                    component: c.id.clone(),
                    glob: g.clone(),
                    message: e.kind().to_string(),
                })?;
                d.push((c.id.clone(), g.clone(), glob.compile_matcher()));
            }
        }
        Ok(Components {
            declared: d,
            packages: BTreeMap::new(),
            root_name: root_name.and_then(|n| slug(&n)),
        })
    }

    /// Registers a manifest folder and its component id.
    pub fn add_package(&mut self, dir: &str, id: String) {
        // The first manifest read in a folder wins (the walk is sorted), so
        // `package.json` and `pyproject.toml` side by side give one id.
        self.packages.entry(dir.to_string()).or_insert(id);
    }

    /// The component id of a file (relative path).
    pub fn of(&self, rel: &str) -> Option<String> {
        self.attribute(rel).map(|c| c.id)
    }

    /// The component of a file (relative path), with where it came from.
    pub fn attribute(&self, rel: &str) -> Option<ScanComponent> {
        let best = self
            .declared
            .iter()
            .filter(|(_, _, m)| m.is_match(rel))
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(&a.0)));
        if let Some((id, _, _)) = best {
            return Some(ScanComponent {
                id: id.clone(),
                path: String::new(),
                source: "declared".into(),
            });
        }
        let mut dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        loop {
            if let Some(id) = self.packages.get(dir) {
                return Some(ScanComponent {
                    id: id.clone(),
                    path: dir.to_string(),
                    source: "manifest".into(),
                });
            }
            if dir.is_empty() {
                break;
            }
            dir = dir.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        }
        self.root_name.clone().map(|id| ScanComponent {
            id,
            path: String::new(),
            source: "root".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_package_names() {
        assert_eq!(slug("@acme/web").as_deref(), Some("acme-web"));
        assert_eq!(slug("acme/shop").as_deref(), Some("acme-shop"));
        assert_eq!(slug("Acme.Api").as_deref(), Some("Acme.Api"));
        assert_eq!(slug("@@@"), None);
        assert_eq!(
            package_id("github.com/acme/payments/v2", true).as_deref(),
            Some("payments")
        );
    }

    #[test]
    fn declared_globs_win_then_nearest_manifest() {
        let mut c = Components::new(
            &[
                ComponentPaths {
                    id: "dashboard".into(),
                    paths: vec!["web/**".into()],
                },
                ComponentPaths {
                    id: "checkout".into(),
                    paths: vec!["web/checkout/**".into()],
                },
            ],
            Some("repo".into()),
        )
        .unwrap();
        c.add_package("services/api", "api".into());
        c.add_package("", "monorepo".into());
        assert_eq!(c.of("web/src/a.ts").as_deref(), Some("dashboard"));
        assert_eq!(c.of("web/checkout/pay.ts").as_deref(), Some("checkout"));
        assert_eq!(c.of("services/api/src/x.py").as_deref(), Some("api"));
        assert_eq!(c.of("services/other/x.py").as_deref(), Some("monorepo"));
        assert_eq!(c.of("README.md").as_deref(), Some("monorepo"));
        let bare = Components::new(&[], Some("my repo".into())).unwrap();
        assert_eq!(bare.of("x.py").as_deref(), Some("my-repo"));
    }
}
