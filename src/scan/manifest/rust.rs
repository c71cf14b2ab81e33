//! `Cargo.toml`: `[dependencies]`, `[dev-dependencies]` and
//! `[build-dependencies]`, also per target; renamed packages by `package =`.

use super::{Dependency, Manifest, ManifestError, toml_lines};
use crate::catalog::Ecosystem;
use crate::model::Scope;

/// Reads a `Cargo.toml`.
pub fn cargo_toml(text: &str) -> Result<Manifest, ManifestError> {
    let root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ManifestError(format!("invalid TOML: {}", e.message())))?;
    let lines: Vec<&str> = text.lines().collect();
    let mut m = Manifest {
        name: root
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str)
            .map(String::from),
        ..Default::default()
    };
    let kinds = [
        ("dependencies", Scope::Production),
        ("dev-dependencies", Scope::Dev),
        ("build-dependencies", Scope::Dev),
    ];
    let mut tables: Vec<(String, &toml::Table, Scope)> = Vec::new();
    for (k, scope) in kinds {
        if let Some(t) = root.get(k).and_then(toml::Value::as_table) {
            tables.push((k.to_string(), t, scope));
        }
    }
    if let Some(targets) = root.get("target").and_then(toml::Value::as_table) {
        for (cfg, t) in targets {
            for (k, scope) in kinds {
                if let Some(t) = t.get(k).and_then(toml::Value::as_table) {
                    tables.push((format!("target.{cfg}.{k}"), t, scope));
                }
            }
        }
    }
    for (header, t, scope) in tables {
        for (key, v) in t {
            let name = v
                .get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(key)
                .to_string();
            m.dependencies.push(Dependency {
                ecosystem: Ecosystem::Crates,
                name,
                line: toml_lines::key_line(&lines, &header, key),
                scope,
            });
        }
    }
    m.dependencies.sort_by_key(|d| d.line);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_and_dev_dependencies() {
        let text = "[package]\nname = \"acme-edge\"\n\n[dependencies]\nserde = \"1\"\nsentry = { version = \"0.34\", default-features = false }\n\n[dev-dependencies]\nstripe = { package = \"async-stripe\", version = \"0.37\" }\n\n[dependencies.openai]\nversion = \"1\"\n";
        let m = cargo_toml(text).unwrap();
        assert_eq!(m.name.as_deref(), Some("acme-edge"));
        let got: Vec<(&str, u32, Scope)> = m
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                ("serde", 5, Scope::Production),
                ("sentry", 6, Scope::Production),
                ("async-stripe", 9, Scope::Dev),
                ("openai", 11, Scope::Production),
            ]
        );
    }
}
