//! SwiftPM `Package.swift`: `.package(url: ...)` and `.package(id: ...)`.

use std::sync::OnceLock;

use regex::Regex;

use super::{Dependency, Manifest, line_at};
use crate::catalog::Ecosystem;
use crate::model::Scope;

/// Reads a `Package.swift` without evaluating it.
pub fn package_swift(text: &str) -> Manifest {
    static PKG: OnceLock<Regex> = OnceLock::new();
    static NAME: OnceLock<Regex> = OnceLock::new();
    let pkg = PKG.get_or_init(|| {
        Regex::new(r#"\.package\s*\(\s*(?:name\s*:\s*"[^"]*"\s*,\s*)?(?:url|id)\s*:\s*"([^"]+)""#)
            .expect("constant regex")
    });
    let name = NAME.get_or_init(|| {
        Regex::new(r#"Package\s*\(\s*name\s*:\s*"([^"]+)""#).expect("constant regex")
    });
    // Line comments would otherwise hide nothing: blank them, keeping offsets.
    let clean: String = text
        .lines()
        .map(|l| match l.find("//") {
            Some(p) if !l[..p].contains("://") && !l[..p].ends_with(':') => {
                format!("{}{}", &l[..p], " ".repeat(l.len() - p))
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut m = Manifest {
        name: name.captures(&clean).map(|c| c[1].to_string()),
        ..Default::default()
    };
    for c in pkg.captures_iter(&clean) {
        let Some(g) = c.get(1) else { continue };
        m.dependencies.push(Dependency {
            ecosystem: Ecosystem::Swiftpm,
            name: g.as_str().to_string(),
            line: line_at(&clean, g.start()),
            scope: Scope::Production,
        });
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_lines() {
        let text = "// swift-tools-version:5.9\nimport PackageDescription\n\nlet package = Package(\n    name: \"AcmeKit\",\n    dependencies: [\n        .package(url: \"https://github.com/getsentry/sentry-cocoa.git\", from: \"8.0.0\"),\n        // .package(url: \"https://github.com/mixpanel/mixpanel-swift\", from: \"4.0.0\"),\n    ]\n)\n";
        let m = package_swift(text);
        assert_eq!(m.name.as_deref(), Some("AcmeKit"));
        assert_eq!(m.dependencies.len(), 1);
        assert_eq!(m.dependencies[0].line, 7);
        assert_eq!(
            m.dependencies[0].name,
            "https://github.com/getsentry/sentry-cocoa.git"
        );
    }
}
