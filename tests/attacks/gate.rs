//! The gate cannot be walked around. A new integration committed where a
//! scan does not look by default (build output folders, vendored code, an
//! ignored file added with `git add -f`, a minified bundle) is still read
//! by `check --base`, because the change touches it; a submodule that did
//! not change is no finding, one that moved is reported as not read.

use super::{blastmap, git, repo, write};

const POSTHOG: &str = "import posthog from 'posthog-js';\nexport function who(user) {\n  posthog.identify(user.id, { email: user.email });\n}\n";

/// Commits `rel` with a PostHog integration on top of the base repository
/// (`force` adds it past `.gitignore`) and checks against the base.
fn added_at(rel: &str, gitignore: Option<&str>, force: bool) -> super::Run {
    let r = repo();
    let dir = r.path();
    if let Some(gi) = gitignore {
        write(dir, ".gitignore", gi);
        git(dir, &["add", ".gitignore"]);
        git(dir, &["commit", "-q", "-m", "ignore"]);
    }
    write(dir, rel, POSTHOG);
    if force {
        git(dir, &["add", "-f", rel]);
    } else {
        git(dir, &["add", "-A"]);
    }
    git(dir, &["commit", "-q", "-m", "add analytics"]);
    blastmap(dir, &["check", "--base", "HEAD~1"])
}

fn assert_denied_new_vendor(out: &super::Run, rel: &str) {
    assert_eq!(
        out.code, 1,
        "{rel}: the gate passed\n{}\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with(&format!("{rel}:1: new-vendor:"))
                && l.contains("posthog")
                && l.ends_with("[deny]")),
        "{rel}:\n{}",
        out.stdout
    );
}

#[test]
fn code_committed_in_excluded_folders_is_read() {
    for rel in [
        "web/build/analytics.js",
        "web/dist/analytics.js",
        "web/vendor/analytics.js",
        "web/node_modules/our-analytics/index.js",
        "web/public/app.min.js",
    ] {
        let out = added_at(rel, None, false);
        assert_denied_new_vendor(&out, rel);
    }
}

#[test]
fn an_ignored_file_added_with_force_is_read() {
    let out = added_at(
        "web/src/generated/track.js",
        Some("generated/\n*.js.tmp\n"),
        true,
    );
    assert_denied_new_vendor(&out, "web/src/generated/track.js");
}

#[test]
fn a_plain_scan_still_skips_excluded_folders() {
    // The overrides are the gate's: `scan` keeps its default excludes.
    let r = repo();
    write(r.path(), "web/dist/analytics.js", POSTHOG);
    let out = blastmap(r.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("posthog"), "{}", out.stdout);
}

#[test]
fn a_changed_file_too_large_to_read_is_reported() {
    let r = repo();
    let dir = r.path();
    let big = format!("{POSTHOG}{}", "// padding\n".repeat(300_000));
    write(dir, "web/src/bundle.js", &big);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "bundle"]);
    let out = blastmap(dir, &["check", "--base", "HEAD~1"]);
    assert!(
        out.stdout.contains("web/src/bundle.js: unread-change:")
            && out.stdout.contains("too-large"),
        "{}",
        out.stdout
    );
    // Warned by default, denied in strict mode.
    assert_eq!(out.code, 0, "{}", out.stdout);
    let strict = blastmap(dir, &["check", "--base", "HEAD~1", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    let denied = blastmap(
        dir,
        &["check", "--base", "HEAD~1", "--level", "unread-change=deny"],
    );
    assert_eq!(denied.code, 1, "{}", denied.stdout);
}

/// A repository that holds `sdk` (a repository of its own that uses
/// PostHog) as a submodule at `libs/sdk`.
fn with_submodule() -> (tempfile::TempDir, tempfile::TempDir) {
    let sdk = tempfile::tempdir().unwrap();
    git(sdk.path(), &["init", "-q"]);
    write(sdk.path(), "index.js", POSTHOG);
    git(sdk.path(), &["add", "-A"]);
    git(sdk.path(), &["commit", "-q", "-m", "sdk"]);
    let r = repo();
    let url = sdk.path().display().to_string();
    git(r.path(), &["submodule", "add", "-q", &url, "libs/sdk"]);
    git(r.path(), &["commit", "-q", "-m", "add submodule"]);
    (r, sdk)
}

#[test]
fn an_unchanged_submodule_is_no_finding() {
    let (r, _sdk) = with_submodule();
    let dir = r.path();
    write(
        dir,
        "web/src/app.js",
        "export function start(user) {\n  return user.name;\n}\n",
    );
    git(dir, &["commit", "-q", "-am", "unrelated"]);
    let out = blastmap(dir, &["check", "--base", "HEAD~1"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("new-vendor"), "{}", out.stdout);
    assert!(!out.stdout.contains("unread-change"), "{}", out.stdout);
}

#[test]
fn a_moved_submodule_is_reported_as_not_read() {
    let (r, sdk) = with_submodule();
    write(sdk.path(), "more.js", POSTHOG);
    git(sdk.path(), &["add", "-A"]);
    git(sdk.path(), &["commit", "-q", "-m", "more"]);
    let sub = r.path().join("libs/sdk");
    git(&sub, &["pull", "-q", "origin", "main"]);
    git(r.path(), &["commit", "-q", "-am", "bump sdk"]);
    let out = blastmap(r.path(), &["check", "--base", "HEAD~1"]);
    assert!(
        out.stdout.contains("libs/sdk: unread-change:") && out.stdout.contains("submodule"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("new-vendor"), "{}", out.stdout);
}
