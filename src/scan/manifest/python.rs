//! Python: `requirements*.txt`, `pyproject.toml` (PEP 621, PEP 735 groups,
//! Poetry), `Pipfile`, `setup.cfg`.

use super::{Dependency, Manifest, ManifestError, strip_hash_comment, toml_lines};
use crate::catalog::Ecosystem;
use crate::model::Scope;
use crate::scan::index::normalise;

/// The distribution name at the start of a PEP 508 requirement
/// (`sentry-sdk[flask]>=2.0; python_version>"3.8"` → `sentry-sdk`).
pub fn requirement_name(req: &str) -> Option<&str> {
    let t = req.trim_start();
    let end = t
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let name = t[..end].trim_end_matches('.');
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphanumeric())).then_some(name)
}

fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && normalise(Ecosystem::Pypi, a) == normalise(Ecosystem::Pypi, b)
}

/// The scope a group name suggests (`dev`, `test`, `lint`, `docs`, ...).
fn group_scope(group: &str, default: Scope) -> Scope {
    let g = group.to_ascii_lowercase();
    if g.contains("test") {
        Scope::Test
    } else if [
        "dev", "lint", "doc", "typing", "type", "format", "style", "build", "release",
    ]
    .iter()
    .any(|k| g.contains(k))
    {
        Scope::Dev
    } else {
        default
    }
}

/// Reads a requirements file; its name gives the scope (`requirements-dev.txt`).
pub fn requirements(rel: &str, text: &str) -> Manifest {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = stem
        .strip_prefix("requirements")
        .unwrap_or(stem)
        .trim_start_matches(['-', '_']);
    let scope = if stem.is_empty() {
        Scope::Production
    } else {
        group_scope(stem, Scope::Production)
    };
    let mut deps = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_hash_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let name = if line.starts_with('-') {
            // `-e git+https://...#egg=name`; other options (`-r`, `--hash`) name no package.
            line.split("#egg=")
                .nth(1)
                .or_else(|| raw.split("#egg=").nth(1))
                .and_then(requirement_name)
        } else if let Some((n, _)) = line.split_once(" @ ") {
            requirement_name(n)
        } else if line.contains("://") {
            None
        } else {
            requirement_name(line)
        };
        if let Some(n) = name {
            deps.push(Dependency {
                ecosystem: Ecosystem::Pypi,
                name: n.to_string(),
                line: (i + 1) as u32,
                scope,
            });
        }
    }
    Manifest {
        name: None,
        dependencies: deps,
        workspaces: Vec::new(),
    }
}

fn parse_toml(text: &str) -> Result<toml::Table, ManifestError> {
    text.parse::<toml::Table>()
        .map_err(|e| ManifestError(format!("invalid TOML: {}", e.message())))
}

fn strings(v: Option<&toml::Value>) -> Vec<&str> {
    v.and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default()
}

fn table<'a>(root: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Table> {
    let mut t = root;
    for p in path {
        t = t.get(*p)?.as_table()?;
    }
    Some(t)
}

/// Reads a `pyproject.toml`.
pub fn pyproject(text: &str) -> Result<Manifest, ManifestError> {
    let root = parse_toml(text)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut deps = Vec::new();
    let push_reqs = |reqs: Vec<&str>, header: &str, scope: Scope, deps: &mut Vec<Dependency>| {
        for r in reqs {
            if let Some(n) = requirement_name(r) {
                deps.push(Dependency {
                    ecosystem: Ecosystem::Pypi,
                    name: n.to_string(),
                    line: toml_lines::quoted_line(&lines, header, n, &same),
                    scope,
                });
            }
        }
    };
    let project = table(&root, &["project"]);
    if let Some(p) = project {
        push_reqs(
            strings(p.get("dependencies")),
            "project",
            Scope::Production,
            &mut deps,
        );
    }
    if let Some(opt) = table(&root, &["project", "optional-dependencies"]) {
        for (group, v) in opt {
            push_reqs(
                strings(Some(v)),
                "project.optional-dependencies",
                group_scope(group, Scope::Production),
                &mut deps,
            );
        }
    }
    if let Some(groups) = table(&root, &["dependency-groups"]) {
        for (group, v) in groups {
            push_reqs(
                strings(Some(v)),
                "dependency-groups",
                group_scope(group, Scope::Dev),
                &mut deps,
            );
        }
    }
    let poetry = table(&root, &["tool", "poetry"]);
    let mut poetry_table = |t: Option<&toml::Table>, header: &str, scope: Scope| {
        let Some(t) = t else {
            return;
        };
        for name in t.keys() {
            if name == "python" {
                continue;
            }
            deps.push(Dependency {
                ecosystem: Ecosystem::Pypi,
                name: name.clone(),
                line: toml_lines::key_line(&lines, header, name),
                scope,
            });
        }
    };
    poetry_table(
        table(&root, &["tool", "poetry", "dependencies"]),
        "tool.poetry.dependencies",
        Scope::Production,
    );
    poetry_table(
        table(&root, &["tool", "poetry", "dev-dependencies"]),
        "tool.poetry.dev-dependencies",
        Scope::Dev,
    );
    if let Some(groups) = table(&root, &["tool", "poetry", "group"]) {
        for (group, g) in groups {
            let scope = if group == "main" {
                Scope::Production
            } else {
                group_scope(group, Scope::Dev)
            };
            poetry_table(
                g.as_table()
                    .and_then(|t| t.get("dependencies"))
                    .and_then(toml::Value::as_table),
                &format!("tool.poetry.group.{group}.dependencies"),
                scope,
            );
        }
    }
    deps.sort_by_key(|d| d.line);
    let name = project
        .and_then(|p| p.get("name"))
        .or_else(|| poetry.and_then(|p| p.get("name")))
        .and_then(toml::Value::as_str)
        .map(String::from);
    Ok(Manifest {
        name,
        dependencies: deps,
        workspaces: Vec::new(),
    })
}

/// Reads a `Pipfile`.
pub fn pipfile(text: &str) -> Result<Manifest, ManifestError> {
    let root = parse_toml(text)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut deps = Vec::new();
    for (section, scope) in [
        ("packages", Scope::Production),
        ("dev-packages", Scope::Dev),
    ] {
        if let Some(t) = table(&root, &[section]) {
            for name in t.keys() {
                deps.push(Dependency {
                    ecosystem: Ecosystem::Pypi,
                    name: name.clone(),
                    line: toml_lines::key_line(&lines, section, name),
                    scope,
                });
            }
        }
    }
    deps.sort_by_key(|d| d.line);
    Ok(Manifest {
        name: None,
        dependencies: deps,
        workspaces: Vec::new(),
    })
}

/// Reads a `setup.cfg` (INI): `install_requires`, `extras_require`,
/// `tests_require`, and the `[metadata]` name.
pub fn setup_cfg(text: &str) -> Manifest {
    let mut m = Manifest::default();
    let mut section = String::new();
    // The key whose indented continuation lines are requirements, with its scope.
    let mut current: Option<Scope> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split([';', '#']).next().unwrap_or("");
        if line.trim().is_empty() {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        let t = line.trim();
        if !indented && t.starts_with('[') && t.ends_with(']') {
            section = t[1..t.len() - 1].trim().to_string();
            current = None;
            continue;
        }
        let mut value = None;
        if !indented {
            current = None;
            if let Some((k, v)) = t.split_once('=').or_else(|| t.split_once(':')) {
                let k = k.trim();
                match (section.as_str(), k) {
                    ("metadata", "name") => m.name = Some(v.trim().to_string()),
                    ("options", "install_requires") => current = Some(Scope::Production),
                    ("options", "tests_require") => current = Some(Scope::Test),
                    ("options", "setup_requires") => current = Some(Scope::Dev),
                    ("options.extras_require", group) => {
                        current = Some(group_scope(group, Scope::Production))
                    }
                    _ => {}
                }
                value = Some(v);
            }
        } else {
            value = Some(t);
        }
        if let (Some(scope), Some(v)) = (current, value) {
            if let Some(n) = requirement_name(v) {
                m.dependencies.push(Dependency {
                    ecosystem: Ecosystem::Pypi,
                    name: n.to_string(),
                    line: (i + 1) as u32,
                    scope,
                });
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(m: &Manifest) -> Vec<(&str, u32, Scope)> {
        m.dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.scope))
            .collect()
    }

    #[test]
    fn requirements_lines_and_scope() {
        let text = "# mixpanel is commented out\n# mixpanel==4.10\nsentry-sdk[flask]>=2.0 ; python_version >= \"3.8\"\n-r base.txt\nStripe==9.1.0  # payments\n-e git+https://github.com/acme/x.git#egg=openai\n";
        let m = requirements("requirements.txt", text);
        assert_eq!(
            got(&m),
            vec![
                ("sentry-sdk", 3, Scope::Production),
                ("Stripe", 5, Scope::Production),
                ("openai", 6, Scope::Production)
            ]
        );
        let m = requirements("requirements-dev.txt", "pytest\n");
        assert_eq!(m.dependencies[0].scope, Scope::Dev);
        let m = requirements("requirements/test.txt", "pytest\n");
        assert_eq!(m.dependencies[0].scope, Scope::Test);
    }

    #[test]
    fn pyproject_pep621_and_groups() {
        let text = r#"[project]
name = "acme-api"
dependencies = [
  "fastapi>=0.110",
  "sentry-sdk[fastapi]>=2",
]

[project.optional-dependencies]
tracing = ["opentelemetry-sdk"]
test = ["pytest", "stripe-mock"]

[dependency-groups]
dev = ["Mixpanel==4.10"]
"#;
        let m = pyproject(text).unwrap();
        assert_eq!(m.name.as_deref(), Some("acme-api"));
        assert_eq!(
            got(&m),
            vec![
                ("fastapi", 4, Scope::Production),
                ("sentry-sdk", 5, Scope::Production),
                ("opentelemetry-sdk", 9, Scope::Production),
                ("pytest", 10, Scope::Test),
                ("stripe-mock", 10, Scope::Test),
                ("Mixpanel", 13, Scope::Dev),
            ]
        );
    }

    #[test]
    fn pyproject_poetry() {
        let text = r#"[tool.poetry]
name = "billing"

[tool.poetry.dependencies]
python = "^3.11"
stripe = "^9.0"

[tool.poetry.group.dev.dependencies]
sentry-sdk = "^2"

[tool.poetry.dev-dependencies]
"mixpanel" = "*"
"#;
        let m = pyproject(text).unwrap();
        assert_eq!(m.name.as_deref(), Some("billing"));
        assert_eq!(
            got(&m),
            vec![
                ("stripe", 6, Scope::Production),
                ("sentry-sdk", 9, Scope::Dev),
                ("mixpanel", 12, Scope::Dev),
            ]
        );
    }

    #[test]
    fn pipfile_sections() {
        let text = "[packages]\nstripe = \"*\"\n\n[dev-packages]\nsentry-sdk = {version = \"*\"}\n";
        let m = pipfile(text).unwrap();
        assert_eq!(
            got(&m),
            vec![
                ("stripe", 2, Scope::Production),
                ("sentry-sdk", 5, Scope::Dev)
            ]
        );
    }

    #[test]
    fn setup_cfg_requires() {
        let text = "[metadata]\nname = acme-worker\n\n[options]\ninstall_requires =\n    stripe>=5\n    # sentry-sdk\n    twilio\n\n[options.extras_require]\ntest =\n    sentry-sdk\n";
        let m = setup_cfg(text);
        assert_eq!(m.name.as_deref(), Some("acme-worker"));
        assert_eq!(
            got(&m),
            vec![
                ("stripe", 6, Scope::Production),
                ("twilio", 8, Scope::Production),
                ("sentry-sdk", 12, Scope::Test)
            ]
        );
    }

    #[test]
    fn deep_toml_is_an_error_not_a_crash() {
        let text = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(pyproject(&text).is_err());
    }
}
