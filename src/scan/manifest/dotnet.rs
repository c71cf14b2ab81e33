//! .NET: `PackageReference` items in `*.csproj`/`*.fsproj`/`*.vbproj`, and
//! the older `packages.config`.

use std::sync::OnceLock;

use regex::Regex;

use super::{Dependency, Manifest};
use crate::catalog::Ecosystem;
use crate::model::Scope;

/// Reads a project file or `packages.config`. A test project (named
/// `*.Tests.csproj`, `*.UnitTests.csproj`, ...) gives test scope.
pub fn project(rel: &str, text: &str) -> Manifest {
    static REF: OnceLock<Regex> = OnceLock::new();
    let reference = REF.get_or_init(|| {
        Regex::new(r#"<(?:PackageReference|package)\s[^>]*?(?:Include|id)\s*=\s*"([^"]+)""#)
            .expect("constant regex")
    });
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(file);
    let scope = if stem.ends_with("Tests") || stem.ends_with("Test") || stem.ends_with(".Specs") {
        Scope::Test
    } else {
        Scope::Production
    };
    let mut m = Manifest {
        name: (file != "packages.config").then(|| stem.to_string()),
        ..Default::default()
    };
    let mut in_comment = false;
    for (i, line) in text.lines().enumerate() {
        let mut l = line.to_string();
        if in_comment {
            match l.find("-->") {
                Some(p) => {
                    in_comment = false;
                    l = l[p + 3..].to_string();
                }
                None => continue,
            }
        }
        while let Some(p) = l.find("<!--") {
            match l[p..].find("-->") {
                Some(e) => l.replace_range(p..p + e + 3, ""),
                None => {
                    in_comment = true;
                    l.truncate(p);
                }
            }
        }
        for c in reference.captures_iter(&l) {
            m.dependencies.push(Dependency {
                ecosystem: Ecosystem::Nuget,
                name: c[1].to_string(),
                line: (i + 1) as u32,
                scope,
            });
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_references() {
        let text = "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <ItemGroup>\n    <PackageReference Include=\"Sentry.AspNetCore\" Version=\"4.0.0\" />\n    <!-- <PackageReference Include=\"Stripe.net\" Version=\"43\" /> -->\n    <PackageReference Include=\"Twilio\" Version=\"7.0.0\" />\n  </ItemGroup>\n</Project>\n";
        let m = project("src/Acme.Api/Acme.Api.csproj", text);
        assert_eq!(m.name.as_deref(), Some("Acme.Api"));
        let got: Vec<(&str, u32, Scope)> = m
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Sentry.AspNetCore", 3, Scope::Production),
                ("Twilio", 5, Scope::Production)
            ]
        );
        let t = project("tests/Acme.Api.Tests.csproj", text);
        assert_eq!(t.dependencies[0].scope, Scope::Test);
    }
}
