//! Scope by path: evidence in tests, mocks and fixtures is `test`; in docs,
//! examples, stories and benchmarks it is `dev`; everything else is
//! `production`. A manifest's dev-only dependency is `dev` (decided by the
//! manifest readers); the path rule wins when it is stricter.

use crate::model::Scope;

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__test__",
    "spec",
    "specs",
    "__mocks__",
    "mocks",
    "mock",
    "__fixtures__",
    "fixtures",
    "fixture",
    "testdata",
    "test-data",
    "test_data",
    "e2e",
    "cypress",
    "playwright",
    "testing",
];

const DEV_DIRS: &[&str] = &[
    "docs",
    "doc",
    "documentation",
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    ".storybook",
    "stories",
    "storybook",
    "benchmarks",
    "benchmark",
    "bench",
    "benches",
];

const DOC_EXTENSIONS: &[&str] = &["md", "mdx", "markdown", "rst", "adoc", "txt"];

/// The scope of a file by its path (relative, `/` separators).
pub fn of_path(rel: &str) -> Scope {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let file = parts.pop().unwrap_or("");
    let mut scope = Scope::Production;
    for dir in parts {
        let d = dir.to_ascii_lowercase();
        if TEST_DIRS.contains(&d.as_str()) {
            return Scope::Test;
        }
        if DEV_DIRS.contains(&d.as_str()) {
            scope = Scope::Dev;
        }
    }
    if is_test_file(file) {
        return Scope::Test;
    }
    if scope == Scope::Dev || is_dev_file(file) {
        return Scope::Dev;
    }
    Scope::Production
}

fn is_test_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('.').collect();
    // app.test.ts, app.spec.js, api.test.tsx; `.env.test`, `docker-compose.test.yml`.
    if segments.len() >= 2
        && segments[..segments.len() - 1]
            .iter()
            .skip(if lower.starts_with('.') { 0 } else { 1 })
            .any(|s| matches!(*s, "test" | "spec" | "tests" | "e2e" | "cy"))
    {
        return true;
    }
    if lower.starts_with(".env.test") {
        return true;
    }
    let stem = segments.first().copied().unwrap_or("");
    stem.ends_with("_spec")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || (stem.starts_with("test_") && lower.ends_with(".py"))
        || lower == "conftest.py"
        || name.ends_with("Test.java")
        || name.ends_with("Tests.java")
        || name.ends_with("IT.java")
        || name.ends_with("Test.kt")
        || name.ends_with("Tests.kt")
        || name.ends_with("Tests.swift")
        || name.ends_with("Test.swift")
        || name.ends_with("Test.php")
        || name.ends_with("Tests.cs")
        || name.ends_with("Test.cs")
}

fn is_dev_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if DOC_EXTENSIONS.contains(&ext) && !lower.starts_with("requirements") {
        return true;
    }
    let segments: Vec<&str> = lower.split('.').collect();
    segments.len() >= 2
        && segments[..segments.len() - 1]
            .iter()
            .any(|s| matches!(*s, "stories" | "story" | "bench" | "dev" | "development"))
        || lower.starts_with(".env.dev")
        || lower.starts_with(".env.local")
        || is_env_template(&lower)
}

/// `.env.example`, `.env.sample`, `example.env`, `.env.dist` and the like:
/// files that document which keys exist, with placeholder values. They are
/// not configuration any running system reads.
fn is_env_template(lower: &str) -> bool {
    const MARKS: &[&str] = &["example", "sample", "template", "dist", "tpl"];
    let segments: Vec<&str> = lower.split('.').filter(|s| !s.is_empty()).collect();
    segments.contains(&"env") && segments.iter().any(|s| MARKS.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `.env.example` made a production integration (and a
    /// pseudo-component `**` in the starter) out of documented key names.
    #[test]
    fn env_templates_are_dev() {
        for p in [
            ".env.example",
            "api/.env.sample",
            ".env.template",
            "example.env",
            ".env.dist",
            "config/.env.production.example",
        ] {
            assert_eq!(of_path(p), Scope::Dev, "{p}");
        }
        for p in [".env", ".env.production", "api/.env"] {
            assert_eq!(of_path(p), Scope::Production, "{p}");
        }
    }

    #[test]
    fn test_paths() {
        for p in [
            "web/src/__tests__/analytics.tsx",
            "web/src/analytics.test.ts",
            "web/src/analytics.spec.js",
            "app/models/user_spec.rb",
            "spec/models/user.rb",
            "svc/handler_test.go",
            "api/test_billing.py",
            "api/tests/conftest.py",
            "web/__mocks__/mixpanel-browser.js",
            "api/fixtures/events.json",
            "src/test/java/com/acme/BillingTest.java",
            "ios/AppTests/AnalyticsTests.swift",
            ".env.test",
            "docker-compose.test.yml",
        ] {
            assert_eq!(of_path(p), Scope::Test, "{p}");
        }
    }

    #[test]
    fn dev_paths() {
        for p in [
            "docs/setup.md",
            "README.md",
            "examples/quickstart/index.js",
            "web/src/Button.stories.tsx",
            ".env.development",
        ] {
            assert_eq!(of_path(p), Scope::Dev, "{p}");
        }
    }

    #[test]
    fn production_paths() {
        for p in [
            "web/src/analytics.ts",
            "api/billing/stripe_client.py",
            "contest/entry.py",
            "src/testimonials/Carousel.tsx",
            "latest.js",
            "requirements.txt",
            "app/services/attestation.rb",
        ] {
            assert_eq!(of_path(p), Scope::Production, "{p}");
        }
    }
}
