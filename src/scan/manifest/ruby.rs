//! Ruby DSLs: `Gemfile` (groups), `*.gemspec`, and CocoaPods' `Podfile`
//! (test targets). Read line by line with an explicit block stack; nothing
//! is evaluated.

use std::sync::OnceLock;

use regex::Regex;

use super::{Dependency, Manifest, strip_hash_comment};
use crate::catalog::Ecosystem;
use crate::model::Scope;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("constant regex"))
}

/// A `do ... end` or `if ... end` block, with the scope it gives its lines.
type Block = Option<Scope>;

/// The scope of a list of group symbols: `:test` → test; `:development` → dev.
fn groups_scope(groups: &str) -> Option<Scope> {
    let g = groups.to_ascii_lowercase();
    let dev = g.contains("development") || g.contains(":dev") || g.contains("\"dev");
    let test = g.contains("test");
    if dev {
        Some(Scope::Dev)
    } else if test {
        Some(Scope::Test)
    } else {
        None
    }
}

fn opens_block(t: &str) -> bool {
    static OPEN: OnceLock<Regex> = OnceLock::new();
    re(
        &OPEN,
        r"(^(if|unless|case|begin|while|until|def|class|module)\b)|(\bdo\s*(\|[^|]*\|)?\s*$)",
    )
    .is_match(t)
}

fn current(stack: &[Block]) -> Scope {
    stack
        .iter()
        .rev()
        .find_map(|b| *b)
        .unwrap_or(Scope::Production)
}

/// Reads a `Gemfile`.
pub fn gemfile(text: &str) -> Manifest {
    static GEM: OnceLock<Regex> = OnceLock::new();
    static GROUP: OnceLock<Regex> = OnceLock::new();
    static INLINE: OnceLock<Regex> = OnceLock::new();
    let gem = re(&GEM, r#"^gem\s*\(?\s*["']([^"']+)["']"#);
    let group = re(&GROUP, r"^group\s*\(?\s*(.*?)\)?\s+do\b");
    let inline = re(
        &INLINE,
        r"(?:group|groups)\s*:\s*(\[[^\]]*\]|:\w+)|:groups?\s*=>\s*(\[[^\]]*\]|:\w+)",
    );
    let mut stack: Vec<Block> = Vec::new();
    let mut m = Manifest::default();
    for (i, raw) in text.lines().enumerate() {
        let t = strip_hash_comment(raw).trim();
        if t.is_empty() {
            continue;
        }
        if t == "end" || t.starts_with("end ") || t.starts_with("end;") {
            stack.pop();
            continue;
        }
        if let Some(c) = group.captures(t) {
            stack.push(Some(groups_scope(&c[1]).unwrap_or(Scope::Production)));
            continue;
        }
        if let Some(c) = gem.captures(t) {
            let own = inline
                .captures(t)
                .and_then(|g| g.get(1).or_else(|| g.get(2)))
                .and_then(|g| groups_scope(g.as_str()));
            m.dependencies.push(Dependency {
                ecosystem: Ecosystem::Rubygems,
                name: c[1].to_string(),
                line: (i + 1) as u32,
                scope: own.unwrap_or_else(|| current(&stack)),
            });
            continue;
        }
        if opens_block(t) {
            stack.push(None);
        }
    }
    m
}

/// Reads a `*.gemspec`.
pub fn gemspec(text: &str) -> Manifest {
    static DEP: OnceLock<Regex> = OnceLock::new();
    static NAME: OnceLock<Regex> = OnceLock::new();
    let dep = re(
        &DEP,
        r#"\.add_(runtime_|development_)?dependency\s*\(?\s*["']([^"']+)["']"#,
    );
    let name = re(&NAME, r#"^\s*\w+\.name\s*=\s*["']([^"']+)["']"#);
    let mut m = Manifest::default();
    for (i, raw) in text.lines().enumerate() {
        let t = strip_hash_comment(raw);
        if m.name.is_none() {
            if let Some(c) = name.captures(t) {
                m.name = Some(c[1].to_string());
            }
        }
        if let Some(c) = dep.captures(t) {
            let scope = if c.get(1).is_some_and(|k| k.as_str() == "development_") {
                Scope::Dev
            } else {
                Scope::Production
            };
            m.dependencies.push(Dependency {
                ecosystem: Ecosystem::Rubygems,
                name: c[2].to_string(),
                line: (i + 1) as u32,
                scope,
            });
        }
    }
    m
}

/// Reads a CocoaPods `Podfile`: pods inside a test target are test scope.
pub fn podfile(text: &str) -> Manifest {
    static POD: OnceLock<Regex> = OnceLock::new();
    static TARGET: OnceLock<Regex> = OnceLock::new();
    let pod = re(&POD, r#"^pod\s*\(?\s*["']([^"']+)["']"#);
    let target = re(
        &TARGET,
        r#"^(?:abstract_)?target\s*\(?\s*[:"']?([\w .-]+)["']?.*\bdo\b"#,
    );
    let mut stack: Vec<Block> = Vec::new();
    let mut m = Manifest::default();
    for (i, raw) in text.lines().enumerate() {
        let t = strip_hash_comment(raw).trim();
        if t.is_empty() {
            continue;
        }
        if t == "end" || t.starts_with("end ") {
            stack.pop();
            continue;
        }
        if let Some(c) = target.captures(t) {
            let name = c[1].trim();
            stack.push(
                (name.ends_with("Tests") || name.ends_with("Test") || name.ends_with("Specs"))
                    .then_some(Scope::Test),
            );
            continue;
        }
        if let Some(c) = pod.captures(t) {
            m.dependencies.push(Dependency {
                ecosystem: Ecosystem::Cocoapods,
                name: c[1].to_string(),
                line: (i + 1) as u32,
                scope: current(&stack),
            });
            continue;
        }
        if opens_block(t) {
            stack.push(None);
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
    fn gemfile_groups() {
        let text = r#"source "https://rubygems.org"
# gem "mixpanel-ruby"
gem "rails", "~> 7.1"
gem 'stripe'
platforms :jruby do
  gem "jdbc-postgres"
end
group :development, :test do
  gem "sentry-ruby"
end
group :test do
  gem "webmock"
end
gem "rollbar", group: :test
gem "twilio-ruby"
"#;
        let m = gemfile(text);
        assert_eq!(
            got(&m),
            vec![
                ("rails", 3, Scope::Production),
                ("stripe", 4, Scope::Production),
                ("jdbc-postgres", 6, Scope::Production),
                ("sentry-ruby", 9, Scope::Dev),
                ("webmock", 12, Scope::Test),
                ("rollbar", 14, Scope::Test),
                ("twilio-ruby", 15, Scope::Production),
            ]
        );
    }

    #[test]
    fn gemspec_runtime_and_development() {
        let text = "Gem::Specification.new do |spec|\n  spec.name = \"acme-client\"\n  spec.add_dependency \"stripe\", \">= 5\"\n  spec.add_development_dependency 'sentry-ruby'\nend\n";
        let m = gemspec(text);
        assert_eq!(m.name.as_deref(), Some("acme-client"));
        assert_eq!(
            got(&m),
            vec![
                ("stripe", 3, Scope::Production),
                ("sentry-ruby", 4, Scope::Dev)
            ]
        );
    }

    #[test]
    fn podfile_test_targets() {
        let text = "platform :ios, '15.0'\ntarget 'Acme' do\n  use_frameworks!\n  pod 'Mixpanel-swift'\n  target 'AcmeTests' do\n    inherit! :search_paths\n    pod 'OHHTTPStubs'\n  end\nend\n";
        let m = podfile(text);
        assert_eq!(
            got(&m),
            vec![
                ("Mixpanel-swift", 4, Scope::Production),
                ("OHHTTPStubs", 7, Scope::Test)
            ]
        );
    }
}
