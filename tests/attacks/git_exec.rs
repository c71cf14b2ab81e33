//! The repository's git configuration cannot make `check --base` run a
//! program. Each test configures one mechanism git offers for running a
//! command (in `.git/config`, `.git/info/attributes` or `.gitattributes`,
//! as a repository handed over with its `.git` folder can), points it at a
//! script that creates a marker file, runs the check, and asserts the
//! marker was not created. Regression: a `filter.<driver>.clean` named by
//! `.gitattributes` ran through `git diff` on a fresh clone.

use std::path::{Path, PathBuf};

use super::{blastmap, git, repo, write};

/// A repository whose config sets `settings` (key, value) with `{evil}`
/// replaced by a script that creates the marker; `files` are written into
/// the work tree (and committed when `commit` is true). Returns the repo,
/// the folder holding the marker, and the marker's path.
fn armed(
    settings: &[(&str, &str)],
    files: &[(&str, &str)],
) -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
    let r = repo();
    let dir = r.path();
    let outside = tempfile::tempdir().unwrap();
    let marker = outside.path().join("marker");
    let script = outside.path().join("evil.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ntouch '{}'\ncat\n", marker.display()),
    )
    .unwrap();
    make_executable(&script);
    for (rel, text) in files {
        write(
            dir,
            rel,
            &text.replace("{evil}", &script.display().to_string()),
        );
    }
    // A second commit, so there is a change for the check to look at.
    write(
        dir,
        "web/src/analytics.js",
        "import posthog from 'posthog-js';\nexport function who(user) {\n  posthog.identify(user.id, { email: user.email });\n}\n",
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "add analytics"]);
    for (k, v) in settings {
        git(
            dir,
            &[
                "config",
                k,
                &v.replace("{evil}", &script.display().to_string()),
            ],
        );
    }
    // Leave the work tree dirty, so git would have to look at the files.
    write(
        dir,
        "web/src/app.js",
        "export function start(user) {\n  return user.email;\n}\n",
    );
    (r, outside, marker)
}

fn make_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs the check the way CI does and asserts nothing ran.
fn assert_nothing_runs(settings: &[(&str, &str)], files: &[(&str, &str)]) {
    let (r, _outside, marker) = armed(settings, files);
    for args in [
        &["check", "--base", "HEAD~1"][..],
        &["check", "--base", "HEAD~1", "--format", "sarif"][..],
        &[
            "check", "--scan", ".", "--base", "HEAD~1", "--format", "markdown",
        ][..],
    ] {
        let out = blastmap(r.path(), args);
        assert!(
            !marker.exists(),
            "`blastmap {}` ran the repository's program\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            out.stdout,
            out.stderr
        );
        // The check still did its job.
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        assert!(
            out.stdout.contains("posthog") || out.stdout.contains("PostHog"),
            "{}",
            out.stdout
        );
    }
}

#[test]
fn a_clean_filter_named_by_gitattributes_does_not_run() {
    assert_nothing_runs(
        &[
            ("filter.evil.clean", "{evil}"),
            ("filter.evil.smudge", "{evil}"),
        ],
        &[(".gitattributes", "* filter=evil\n")],
    );
}

#[test]
fn a_long_running_filter_process_does_not_run() {
    assert_nothing_runs(
        &[
            ("filter.evil.process", "{evil}"),
            ("filter.evil.required", "true"),
        ],
        &[(".gitattributes", "*.js filter=evil\n")],
    );
}

#[test]
fn a_filter_named_in_info_attributes_does_not_run() {
    assert_nothing_runs(
        &[("filter.evil.clean", "{evil}")],
        &[(".git/info/attributes", "* filter=evil\n")],
    );
}

#[test]
fn a_filter_named_by_core_attributes_file_does_not_run() {
    assert_nothing_runs(
        &[
            ("filter.evil.clean", "{evil}"),
            ("core.attributesFile", ".git/evil-attributes"),
        ],
        &[(".git/evil-attributes", "* filter=evil\n")],
    );
}

#[test]
fn an_fsmonitor_hook_does_not_run() {
    assert_nothing_runs(&[("core.fsmonitor", "{evil}")], &[]);
}

#[test]
fn an_external_diff_does_not_run() {
    assert_nothing_runs(&[("diff.external", "{evil}")], &[]);
}

#[test]
fn a_textconv_driver_does_not_run() {
    assert_nothing_runs(
        &[("diff.evil.textconv", "{evil}")],
        &[(".gitattributes", "* diff=evil\n")],
    );
}

#[test]
fn a_pager_does_not_run() {
    assert_nothing_runs(
        &[
            ("core.pager", "{evil}"),
            ("pager.diff", "{evil}"),
            ("pager.ls-tree", "{evil}"),
        ],
        &[],
    );
}

#[test]
fn an_askpass_or_credential_helper_does_not_run() {
    assert_nothing_runs(
        &[("core.askPass", "{evil}"), ("credential.helper", "!{evil}")],
        &[],
    );
}

#[test]
fn hooks_do_not_run() {
    let hooks = [
        "post-index-change",
        "reference-transaction",
        "post-checkout",
        "pre-auto-gc",
        "post-rewrite",
    ];
    let files: Vec<(String, String)> = hooks
        .iter()
        .map(|h| {
            (
                format!(".git/evil-hooks/{h}"),
                "#!/bin/sh\n{evil}\n".to_string(),
            )
        })
        .collect();
    let (r, _outside, marker) = armed(
        &[("core.hooksPath", ".git/evil-hooks")],
        &files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect::<Vec<_>>(),
    );
    for (rel, _) in &files {
        make_executable(&r.path().join(rel));
    }
    let out = blastmap(r.path(), &["check", "--base", "HEAD~1"]);
    assert!(!marker.exists(), "a hook ran: {}", out.stderr);
}

#[test]
fn a_config_include_cannot_bring_a_filter_back() {
    assert_nothing_runs(
        &[("include.path", "evil.config")],
        &[
            (
                ".git/evil.config",
                "[filter \"evil\"]\n\tclean = {evil}\n\tprocess = {evil}\n",
            ),
            (".gitattributes", "* filter=evil\n"),
        ],
    );
}
