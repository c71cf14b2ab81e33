//! Dependency manifests: which packages a project declares, on which line,
//! and whether only for development or tests. Each reader is small and
//! line-aware, because evidence must point at the exact line of the
//! dependency; structured formats (JSON, TOML) are parsed for their meaning
//! and the line is then found in the text.
//!
//! Readers never recurse over the input (TOML and JSON parsers have their own
//! depth limits; XML and the Ruby/Groovy DSLs are read line by line with
//! explicit stacks) and never execute anything.

mod apple;
mod dotnet;
mod go;
mod jvm;
mod npm;
mod python;
mod ruby;
mod rust;

use crate::catalog::Ecosystem;
use crate::model::Scope;

/// A kind of manifest, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ManifestKind {
    /// `package.json`
    PackageJson,
    /// `composer.json`
    Composer,
    /// `requirements*.txt`, `requirements/*.txt`, `*.in` of pip-tools
    Requirements,
    /// `pyproject.toml` (PEP 621, PEP 735, Poetry)
    Pyproject,
    /// `Pipfile`
    Pipfile,
    /// `setup.cfg`
    SetupCfg,
    /// `Gemfile`
    Gemfile,
    /// `*.gemspec`
    Gemspec,
    /// `go.mod`
    GoMod,
    /// `pom.xml`
    Pom,
    /// `build.gradle`, `build.gradle.kts`
    Gradle,
    /// `gradle/libs.versions.toml`
    GradleCatalog,
    /// `Podfile`
    Podfile,
    /// `Package.swift`
    PackageSwift,
    /// `*.csproj`, `*.fsproj`, `*.vbproj`, `packages.config`
    Dotnet,
    /// `Cargo.toml`
    Cargo,
}

impl ManifestKind {
    /// The manifest kind of a path (relative, `/` separators), if any.
    pub fn of_path(rel: &str) -> Option<ManifestKind> {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let lower = name.to_ascii_lowercase();
        let parent = dir.rsplit('/').next().unwrap_or("");
        Some(match name {
            "package.json" => ManifestKind::PackageJson,
            "composer.json" => ManifestKind::Composer,
            "pyproject.toml" => ManifestKind::Pyproject,
            "Pipfile" => ManifestKind::Pipfile,
            "setup.cfg" => ManifestKind::SetupCfg,
            "Gemfile" | "gems.rb" => ManifestKind::Gemfile,
            "go.mod" => ManifestKind::GoMod,
            "pom.xml" => ManifestKind::Pom,
            "build.gradle" | "build.gradle.kts" => ManifestKind::Gradle,
            "libs.versions.toml" => ManifestKind::GradleCatalog,
            "Podfile" => ManifestKind::Podfile,
            "Package.swift" => ManifestKind::PackageSwift,
            "packages.config" => ManifestKind::Dotnet,
            "Cargo.toml" => ManifestKind::Cargo,
            _ if lower.ends_with(".gemspec") => ManifestKind::Gemspec,
            _ if lower.ends_with(".csproj")
                || lower.ends_with(".fsproj")
                || lower.ends_with(".vbproj") =>
            {
                ManifestKind::Dotnet
            }
            _ if (lower.starts_with("requirements")
                && (lower.ends_with(".txt") || lower.ends_with(".in")))
                || (parent == "requirements"
                    && (lower.ends_with(".txt") || lower.ends_with(".in"))) =>
            {
                ManifestKind::Requirements
            }
            _ => return None,
        })
    }
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// Its registry.
    pub ecosystem: Ecosystem,
    /// The name as written (`@sentry/node`, `sentry-sdk`, `io.sentry:sentry`).
    pub name: String,
    /// 1-based line of the dependency.
    pub line: u32,
    /// Production, or dev/test for dev-only declarations.
    pub scope: Scope,
}

/// What a manifest declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The package's own name, when it declares one.
    pub name: Option<String>,
    /// Declared dependencies, in file order.
    pub dependencies: Vec<Dependency>,
    /// Workspace member globs (`package.json` `workspaces`).
    pub workspaces: Vec<String>,
}

/// Why a manifest could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ManifestError(pub String);

/// Reads a manifest. `rel` is its path (some readers take scope from the
/// file name, like `requirements-dev.txt`).
pub fn parse(kind: ManifestKind, rel: &str, text: &str) -> Result<Manifest, ManifestError> {
    match kind {
        ManifestKind::PackageJson => npm::package_json(text),
        ManifestKind::Composer => npm::composer_json(text),
        ManifestKind::Requirements => Ok(python::requirements(rel, text)),
        ManifestKind::Pyproject => python::pyproject(text),
        ManifestKind::Pipfile => python::pipfile(text),
        ManifestKind::SetupCfg => Ok(python::setup_cfg(text)),
        ManifestKind::Gemfile => Ok(ruby::gemfile(text)),
        ManifestKind::Gemspec => Ok(ruby::gemspec(text)),
        ManifestKind::Podfile => Ok(ruby::podfile(text)),
        ManifestKind::GoMod => Ok(go::go_mod(text)),
        ManifestKind::Pom => Ok(jvm::pom(text)),
        ManifestKind::Gradle => Ok(jvm::gradle(text)),
        ManifestKind::GradleCatalog => Ok(jvm::gradle_catalog(text)),
        ManifestKind::PackageSwift => Ok(apple::package_swift(text)),
        ManifestKind::Dotnet => Ok(dotnet::project(rel, text)),
        ManifestKind::Cargo => rust::cargo_toml(text),
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let n = text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// Strips a `#` comment (outside quotes) from a line.
pub(crate) fn strip_hash_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return &line[..i],
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    line
}

/// TOML helpers: locating a dependency's line after the parse.
pub(crate) mod toml_lines {
    /// The index of the header line `[name]`, if any.
    pub fn header(lines: &[&str], name: &str) -> Option<usize> {
        lines.iter().position(|l| {
            let t = super::strip_hash_comment(l).trim();
            t.strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .is_some_and(|h| normalise_header(h) == name)
        })
    }

    fn normalise_header(h: &str) -> String {
        h.split('.')
            .map(|p| p.trim().trim_matches('"').trim_matches('\''))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The lines of the table that starts at `header` (exclusive), up to the next header.
    pub fn table(lines: &[&str], header: usize) -> std::ops::Range<usize> {
        let start = header + 1;
        let end = lines[start.min(lines.len())..]
            .iter()
            .position(|l| l.trim_start().starts_with('['))
            .map(|p| start + p)
            .unwrap_or(lines.len());
        start.min(lines.len())..end
    }

    /// 1-based line of `key = ...` in table `table`, or of the header
    /// `[table.key]`; else the table's header; else 0.
    pub fn key_line(lines: &[&str], table: &str, key: &str) -> u32 {
        if let Some(h) = header(lines, table) {
            for i in self::table(lines, h) {
                let t = lines[i].trim_start();
                let rest = t
                    .strip_prefix(key)
                    .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
                    .or_else(|| t.strip_prefix(&format!("'{key}'")));
                if let Some(rest) = rest {
                    let r = rest.trim_start();
                    if r.starts_with('=') || r.starts_with('.') {
                        return (i + 1) as u32;
                    }
                }
            }
        }
        if let Some(h) = header(lines, &format!("{table}.{key}")) {
            return (h + 1) as u32;
        }
        header(lines, table).map(|h| h as u32 + 1).unwrap_or(0)
    }

    /// 1-based line of a quoted string in table `table` whose leading name
    /// (compared with `same`) is `name`; else the header line; else 0.
    pub fn quoted_line(
        lines: &[&str],
        table: &str,
        name: &str,
        same: &dyn Fn(&str, &str) -> bool,
    ) -> u32 {
        let Some(h) = header(lines, table) else {
            return 0;
        };
        for i in self::table(lines, h) {
            for q in ['"', '\''] {
                for part in lines[i].split(q).skip(1).step_by(2) {
                    if same(super::python::requirement_name(part).unwrap_or(""), name) {
                        return (i + 1) as u32;
                    }
                }
            }
        }
        (h + 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        assert_eq!(
            ManifestKind::of_path("web/package.json"),
            Some(ManifestKind::PackageJson)
        );
        assert_eq!(
            ManifestKind::of_path("requirements-dev.txt"),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(
            ManifestKind::of_path("api/requirements/base.txt"),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(
            ManifestKind::of_path("app/App.Web.csproj"),
            Some(ManifestKind::Dotnet)
        );
        assert_eq!(ManifestKind::of_path("notes.txt"), None);
        assert_eq!(ManifestKind::of_path("package-lock.json"), None);
    }

    #[test]
    fn line_numbers() {
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 99), 3);
    }
}
