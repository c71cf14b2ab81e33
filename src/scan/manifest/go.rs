//! `go.mod`: the module path and its `require` lines. A requirement marked
//! `// indirect` is a dependency of a dependency that the module's own code
//! does not import: it gets `dev` scope (it is not, by itself, evidence of
//! an integration; an import in the code still is). `tool` directives are
//! build tools, not requirements, and are not read.

use super::{Dependency, Manifest};
use crate::catalog::Ecosystem;
use crate::model::Scope;

/// Reads a `go.mod`.
pub fn go_mod(text: &str) -> Manifest {
    let mut m = Manifest::default();
    let mut in_require = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("module ") {
            m.name = Some(rest.trim().trim_matches('"').to_string());
            continue;
        }
        let spec = if in_require {
            if line == ")" {
                in_require = false;
                continue;
            }
            Some(line)
        } else if let Some(rest) = line.strip_prefix("require") {
            let rest = rest.trim();
            if rest == "(" {
                in_require = true;
                None
            } else {
                Some(rest)
            }
        } else {
            None
        };
        if let Some(path) = spec.and_then(|s| s.split_whitespace().next()) {
            let path = path.trim_matches('"');
            if !path.is_empty() {
                m.dependencies.push(Dependency {
                    ecosystem: Ecosystem::Go,
                    name: path.to_string(),
                    line: (i + 1) as u32,
                    scope: if is_indirect(raw) {
                        Scope::Dev
                    } else {
                        Scope::Production
                    },
                });
            }
        }
    }
    m
}

/// True when the line's comment marks the requirement `indirect`.
fn is_indirect(raw: &str) -> bool {
    raw.split_once("//")
        .is_some_and(|(_, c)| c.split([';', ' ', '\t']).any(|w| w == "indirect"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_single_and_block() {
        let text = "module github.com/acme/payments\n\ngo 1.22\n\nrequire github.com/stripe/stripe-go/v76 v76.25.0\n\nrequire (\n\t// github.com/getsentry/sentry-go v0.27.0\n\tgithub.com/getsentry/sentry-go v0.27.0\n\tgolang.org/x/net v0.20.0 // indirect\n)\n";
        let m = go_mod(text);
        assert_eq!(m.name.as_deref(), Some("github.com/acme/payments"));
        let got: Vec<(&str, u32)> = m
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("github.com/stripe/stripe-go/v76", 5),
                ("github.com/getsentry/sentry-go", 9),
                ("golang.org/x/net", 10)
            ]
        );
    }

    /// An `// indirect` requirement is not the module's own integration.
    #[test]
    fn indirect_requirements_are_dev() {
        let text = "module x\n\nrequire (\n\tgithub.com/getsentry/sentry-go v0.27.0 // indirect\n\tgithub.com/stripe/stripe-go/v76 v76.25.0\n)\n\ntool golang.org/x/tools/cmd/stringer\n";
        let m = go_mod(text);
        let got: Vec<(&str, Scope)> = m
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                ("github.com/getsentry/sentry-go", Scope::Dev),
                ("github.com/stripe/stripe-go/v76", Scope::Production)
            ]
        );
    }
}
