//! `package.json` (npm, yarn, pnpm) and `composer.json` (Packagist).

use serde_json::Value;

use super::{Dependency, Manifest, ManifestError, line_at};
use crate::catalog::Ecosystem;
use crate::model::Scope;

/// Byte offset of `"key"` followed by `:`, searching from `from`.
fn key_offset(text: &str, from: usize, key: &str) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut at = from;
    while let Some(p) = text.get(at..).and_then(|t| t.find(&needle)) {
        let start = at + p;
        let after = start + needle.len();
        if text[after..].trim_start().starts_with(':') {
            return Some(start);
        }
        at = after;
    }
    None
}

/// 1-based line of `"key":` inside the object `"section": {...}`.
fn dep_line(text: &str, section: &str, key: &str) -> u32 {
    let from = key_offset(text, 0, section).unwrap_or(0);
    key_offset(text, from, key)
        .or_else(|| key_offset(text, 0, key))
        .map(|o| line_at(text, o))
        .unwrap_or(0)
}

fn parse_object(text: &str) -> Result<serde_json::Map<String, Value>, ManifestError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ManifestError("the manifest is not a JSON object".into())),
        Err(e) => Err(ManifestError(format!("invalid JSON: {e}"))),
    }
}

fn sections(
    text: &str,
    root: &serde_json::Map<String, Value>,
    eco: Ecosystem,
    list: &[(&str, Scope)],
    skip: &dyn Fn(&str) -> bool,
) -> Vec<Dependency> {
    let mut out = Vec::new();
    for (section, scope) in list {
        let Some(Value::Object(deps)) = root.get(*section) else {
            continue;
        };
        for name in deps.keys() {
            if skip(name) {
                continue;
            }
            out.push(Dependency {
                ecosystem: eco,
                name: name.clone(),
                line: dep_line(text, section, name),
                scope: *scope,
            });
        }
    }
    out.sort_by_key(|d| d.line);
    out
}

/// Reads a `package.json`.
pub fn package_json(text: &str) -> Result<Manifest, ManifestError> {
    let root = parse_object(text)?;
    let name = root.get("name").and_then(Value::as_str).map(str::to_string);
    let workspaces = match root.get("workspaces") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Some(Value::Object(o)) => match o.get("packages") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let dependencies = sections(
        text,
        &root,
        Ecosystem::Npm,
        &[
            ("dependencies", Scope::Production),
            ("peerDependencies", Scope::Production),
            ("optionalDependencies", Scope::Production),
            ("devDependencies", Scope::Dev),
        ],
        &|_| false,
    );
    Ok(Manifest {
        name,
        dependencies,
        workspaces,
    })
}

/// Reads a `composer.json`.
pub fn composer_json(text: &str) -> Result<Manifest, ManifestError> {
    let root = parse_object(text)?;
    let name = root.get("name").and_then(Value::as_str).map(str::to_string);
    // Platform requirements (`php`, `ext-curl`) are not packages.
    let dependencies = sections(
        text,
        &root,
        Ecosystem::Packagist,
        &[("require", Scope::Production), ("require-dev", Scope::Dev)],
        &|n| !n.contains('/'),
    );
    Ok(Manifest {
        name,
        dependencies,
        workspaces: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PKG: &str = r#"{
  "name": "@acme/web",
  "private": true,
  "workspaces": ["packages/*"],
  "scripts": { "mixpanel-browser": "echo not a dependency" },
  "dependencies": {
    "mixpanel-browser": "^2.55.0",
    "@sentry/nextjs": "^8.0.0"
  },
  "devDependencies": {
    "@sentry/cli": "^2.0.0",
    "mixpanel-browser": "^2.55.0"
  }
}"#;

    #[test]
    fn package_json_sections_and_lines() {
        let m = package_json(PKG).unwrap();
        assert_eq!(m.name.as_deref(), Some("@acme/web"));
        assert_eq!(m.workspaces, vec!["packages/*"]);
        let got: Vec<(&str, u32, Scope)> = m
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                ("mixpanel-browser", 7, Scope::Production),
                ("@sentry/nextjs", 8, Scope::Production),
                ("@sentry/cli", 11, Scope::Dev),
                ("mixpanel-browser", 12, Scope::Dev),
            ]
        );
    }

    #[test]
    fn composer_require_dev_is_dev() {
        let m = composer_json(
            "{\n \"name\": \"acme/shop\",\n \"require\": {\n  \"php\": \">=8.1\",\n  \"stripe/stripe-php\": \"^13\"\n },\n \"require-dev\": {\n  \"sentry/sentry\": \"^4\"\n }\n}",
        )
        .unwrap();
        let got: Vec<(&str, u32, Scope)> = m
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                ("stripe/stripe-php", 5, Scope::Production),
                ("sentry/sentry", 8, Scope::Dev)
            ]
        );
    }

    #[test]
    fn broken_json_is_an_error_not_a_panic() {
        assert!(package_json("{\"dependencies\": {").is_err());
        assert!(package_json(&"[".repeat(100_000)).is_err());
    }
}
