//! Scope by path: evidence in tests, mocks and fixtures is `test`; in docs,
//! examples, stories, benchmarks, scripts (Rake tasks among them) and seed
//! data it is `dev`; in CI workflows it is `ci`; in deployment descriptions
//! (Helm charts, Terraform, Kubernetes manifests, Compose files) it is
//! `deploy`; everything else is `production`. A manifest's dev-only dependency is `dev` (decided by the
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
    "scripts",
    "script",
    // Seed data for a development database (Rails' `db/seeds/`, Laravel's
    // `database/seeders/`): run by a developer or an operator once, not by
    // the application.
    "seeds",
    "seeders",
];

/// Folders whose files describe a deployment, not code that runs.
const DEPLOY_DIRS: &[&str] = &[
    "charts",
    "chart",
    "helm",
    "k8s",
    "kubernetes",
    "kustomize",
    "terraform",
    "ansible",
    "deploy",
    "deployment",
    "deployments",
    // One-click service templates (`templates/compose/*.yaml`).
    "compose",
];

/// Extensions of deployment descriptions wherever they are.
const DEPLOY_EXTENSIONS: &[&str] = &["tf", "tfvars", "hcl"];

/// A path (lowercase) that is a CI workflow or pipeline definition.
fn is_ci(lower: &str, file: &str) -> bool {
    lower.starts_with(".github/workflows/")
        || lower.starts_with(".github/actions/")
        || lower.starts_with(".circleci/")
        || lower.starts_with(".buildkite/")
        || lower.starts_with(".woodpecker/")
        || lower.starts_with(".gitlab/ci/")
        || lower.contains("/.github/workflows/")
        || matches!(
            file,
            ".gitlab-ci.yml"
                | ".travis.yml"
                | "azure-pipelines.yml"
                | "bitbucket-pipelines.yml"
                | ".drone.yml"
                | ".woodpecker.yml"
                | "appveyor.yml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
                | "jenkinsfile"
                | "codemagic.yaml"
                | "bitrise.yml"
        )
}

/// A file (lowercase name) that describes a deployment by its name.
fn is_deploy_file(file: &str) -> bool {
    let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    DEPLOY_EXTENSIONS.contains(&ext)
        || file == "chart.yaml"
        || file == "helmfile.yaml"
        || file == "kustomization.yaml"
        || ((file.contains("docker-compose") || file.starts_with("compose"))
            && (file.ends_with(".yml") || file.ends_with(".yaml")))
}

const DOC_EXTENSIONS: &[&str] = &["md", "mdx", "markdown", "rst", "adoc", "txt"];

/// The scope of a file by its path (relative, `/` separators).
pub fn of_path(rel: &str) -> Scope {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let file = parts.pop().unwrap_or("");
    let lower = rel.to_ascii_lowercase();
    let lower_file = file.to_ascii_lowercase();
    let mut scope = Scope::Production;
    let mut deploy = false;
    // A repository's own tooling at its root (`tools/release/…`, Swift
    // packages' `Tools/`, Kubernetes-style `hack/`); a `tools` folder deeper
    // down (an AI agent's `src/tools/`) is application code.
    if !parts.is_empty()
        && matches!(
            parts[0].to_ascii_lowercase().as_str(),
            "tools" | "tooling" | "hack" | "devtools"
        )
    {
        scope = Scope::Dev;
    }
    for dir in parts {
        let d = dir.to_ascii_lowercase();
        if TEST_DIRS.contains(&d.as_str()) {
            return Scope::Test;
        }
        if DEV_DIRS.contains(&d.as_str()) {
            scope = Scope::Dev;
        }
        deploy |= DEPLOY_DIRS.contains(&d.as_str());
    }
    if is_test_file(file) {
        return Scope::Test;
    }
    if scope == Scope::Dev || is_dev_file(file) {
        return Scope::Dev;
    }
    if is_ci(&lower, &lower_file) {
        return Scope::Ci;
    }
    // Code inside a deploy folder (a Terraform provider plugin, a Helm
    // hook script in Python) still runs somewhere, but not as the
    // application: only descriptions and their config count as deploy.
    if is_deploy_file(&lower_file) || (deploy && is_description(&lower_file)) {
        return Scope::Deploy;
    }
    Scope::Production
}

/// YAML, JSON, TOML, templates and env files: what a deploy folder holds
/// when it describes a deployment.
fn is_description(file: &str) -> bool {
    let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "yaml" | "yml" | "json" | "toml" | "tpl" | "env" | "conf" | "ini"
    ) || file.starts_with(".env")
        || file == "dockerfile"
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
    // Scripts by their language's convention: Rake tasks (`lib/tasks/*.rake`,
    // run by hand or by an operator, like `scripts/`) and seed files
    // (`db/seeds.rb`, Prisma's `prisma/seed.ts`).
    if ext == "rake"
        || lower == "rakefile"
        || matches!(
            lower.as_str(),
            "seeds.rb" | "seed.rb" | "seed.ts" | "seed.js" | "seed.py" | "seeds.py"
        )
    {
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
        || is_site_generator_config(&lower)
}

/// The config of a static-site generator: Hugo's `hugo.toml`, MkDocs'
/// `mkdocs.yml`, Docusaurus', VitePress' and Jekyll's. It builds the
/// project's documentation or marketing site, not the application; the
/// hosts it names (a GitHub API URL for a star count, an analytics id) are
/// the site's, and the site's own code is found under its folder.
fn is_site_generator_config(lower: &str) -> bool {
    matches!(
        lower,
        "hugo.toml"
            | "hugo.yaml"
            | "hugo.yml"
            | "hugo.json"
            | "mkdocs.yml"
            | "mkdocs.yaml"
            | "docusaurus.config.js"
            | "docusaurus.config.ts"
            | "docusaurus.config.mjs"
            | "_config.yml"
            | "book.toml"
            | "antora.yml"
    )
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
            // A static-site generator's config builds the docs site.
            "site/hugo.toml",
            "mkdocs.yml",
            "website/docusaurus.config.ts",
        ] {
            assert_eq!(of_path(p), Scope::Dev, "{p}");
        }
        // The site's layout or the app's own config stays production.
        for p in [
            "config/app.toml",
            "web/next.config.ts",
            "site/layouts/index.html",
        ] {
            assert_eq!(of_path(p), Scope::Production, "{p}");
        }
    }

    #[test]
    fn ci_and_deploy_paths() {
        for p in [
            ".github/workflows/deploy.yml",
            ".gitlab-ci.yml",
            ".circleci/config.yml",
            "Jenkinsfile",
            "apps/web/.github/workflows/ci.yml",
        ] {
            assert_eq!(of_path(p), Scope::Ci, "{p}");
        }
        for p in [
            "charts/app/values.yaml",
            "charts/app/templates/deployment.yaml",
            "deploy/k8s/secrets.yaml",
            "infra/main.tf",
            "docker-compose.yml",
            "docker-compose.prod.yaml",
            "helm/values.production.yaml",
            "templates/compose/librechat.yaml",
            "compose-dev-backend.yml",
        ] {
            assert_eq!(of_path(p), Scope::Deploy, "{p}");
        }
        for p in [
            "scripts/backfill.py",
            "bin/../scripts/seed.ts",
            "tools/release/download_artifacts.py",
            "Tools/Sources/Commands/Release.swift",
            // Rake tasks and seed data are run by hand, not by the app.
            "lib/tasks/subscriptions.rake",
            "Rakefile",
            "db/seeds.rb",
            "db/seeds/02_invoices.rb",
            "database/seeders/UserSeeder.php",
            "prisma/seed.ts",
        ] {
            assert_eq!(of_path(p), Scope::Dev, "{p}");
        }
        // Code in a folder named like a deployment is still code.
        for p in [
            "app/services/deploy/notifier.rb",
            "src/deployment/client.ts",
            "src/tools/search.ts",
        ] {
            assert_eq!(of_path(p), Scope::Production, "{p}");
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
            "app/services/seed_service.rb",
            "lib/tasks_helper.rb",
        ] {
            assert_eq!(of_path(p), Scope::Production, "{p}");
        }
    }
}
