//! Input cannot forge lines of a report or of a CI log. Regression: a line
//! feed in a vendor's name or a flow's purpose was printed raw by the text
//! reports (a map could print its own "no action needed" block); escape
//! sequences and new lines in `validate`'s success line and in loader and
//! merge errors reached the terminal, so a repository could make GitHub
//! Actions run `::add-mask::` or `::error::`; U+202E passed raw; scan JSON
//! with ids such as `</script>` or `\n::error::` was merged unvalidated.

use super::{blastmap, git, repo, write};

const FORGED: &str = "NOTES ! No data was exposed by this vendor; no action needed.";

/// A valid map whose free texts carry a forged block, escape sequences and
/// a bidirectional override.
fn hostile_map() -> String {
    format!(
        r#"version: 1
system: "shop\e[2J\e]0;pwned\a"
subjects:
  customer: {{ description: "People\n::add-mask::x", count: 1000, regions: [eu] }}
fields:
  email: {{ category: user.contact.email, subject: customer }}
  name: {{ category: user.name, subject: customer }}
components:
  web: {{ kind: web, paths: ["web/**"], holds: [email, name] }}
vendors:
  tracker:
    name: "Tracker\n\n{FORGED}\n::error file=x.js,line=1::pwned"
    category: analytics
  other:
    name: "admin\u202Etxt.exe"
    category: analytics
flows:
  - from: web
    to: tracker
    fields: [email, name]
    purpose: "analytics\n##[error]forged\n::warning::forged"
  - from: web
    to: other
    fields: [email]
"#
    )
}

/// Fails when a line of `out` was written by the input: a CI command, the
/// forged block, a raw escape or override.
fn assert_unforged(what: &str, out: &str) {
    for line in out.lines() {
        let t = line.trim_start();
        assert!(
            !t.starts_with("::"),
            "{what}: a workflow command line:\n{out}"
        );
        assert!(!line.contains("##["), "{what}: a logging command:\n{out}");
        assert!(
            !t.starts_with("NOTES ! No data"),
            "{what}: a forged block:\n{out}"
        );
    }
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "{what}: a raw escape:\n{out}"
    );
    assert!(
        !out.contains('\u{202e}'),
        "{what}: a raw bidi override:\n{out}"
    );
}

#[test]
fn names_and_purposes_cannot_forge_report_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "blastmap.yaml", &hostile_map());
    write(
        dir.path(),
        "after.yaml",
        &hostile_map().replace("fields: [email]\n", "fields: [email, name]\n"),
    );
    let runs: Vec<Vec<&str>> = vec![
        vec!["validate"],
        vec!["blast", "tracker"],
        vec!["blast", "tracker", "--format", "markdown"],
        vec!["blast", "tracker", "--notice", "users"],
        vec!["blast", "tracker", "--notice", "regulator"],
        vec!["blast", "other"],
        vec!["rank"],
        vec!["rank", "--format", "markdown"],
        vec!["graph", "--format", "mermaid"],
        vec!["graph", "--format", "dot"],
        vec!["diff", "blastmap.yaml", "after.yaml"],
        vec![
            "blast",
            "tracker",
            "--assume",
            "web -> tracker: user.contact.phone_number",
        ],
        vec!["rank", "--assume", "web -> other: name"],
    ];
    for args in runs {
        let out = blastmap(dir.path(), &args);
        assert!(out.code <= 1, "{args:?}: {}", out.stderr);
        assert!(
            !out.stdout.is_empty(),
            "{args:?} printed nothing: {}",
            out.stderr
        );
        assert_unforged(&args.join(" "), &out.all());
    }
}

#[test]
fn error_messages_cannot_run_ci_commands() {
    let dir = tempfile::tempdir().unwrap();
    let bad = "version: 1\nsystem: x\nfields:\n  \"e\\n::add-mask::secret\\n::error file=a::b\": { category: \"user.nope\\n::error::forged\\e[2J\" }\nvendors:\n  \"v\\u202Ex\": {}\n";
    write(dir.path(), "blastmap.yaml", bad);
    for args in [
        vec!["validate"],
        vec!["rank"],
        vec!["blast", "v"],
        vec!["merge", "blastmap.yaml=shop"],
    ] {
        let out = blastmap(dir.path(), &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.all());
        assert!(out.stderr.contains("error"), "{}", out.stderr);
        assert_unforged(&args.join(" "), &out.all());
    }
}

#[test]
fn hostile_ids_in_a_scan_are_refused_by_merge() {
    let dir = tempfile::tempdir().unwrap();
    for (name, vendor, component) in [
        ("a.scan.json", "</script><script>alert(1)</script>", "web"),
        ("b.scan.json", "\n::error::forged", "web"),
        ("c.scan.json", "stripe", "../../etc"),
    ] {
        let scan = serde_json::json!({
            "version": 1,
            "integrations": [{"vendor": vendor, "component": component, "scope": "production",
                "evidence": [{"kind": "import", "file": "web/a.js", "line": 1, "text": "x"}], "fields": []}],
            "skipped": {"total": 0, "by_reason": {}, "files": []}
        });
        write(dir.path(), name, &scan.to_string());
        let out = blastmap(dir.path(), &["merge", name]);
        assert_eq!(out.code, 2, "{name}: {}", out.all());
        assert!(
            out.stderr.contains("not a valid id"),
            "{name}: {}",
            out.stderr
        );
        assert_unforged(name, &out.all());
    }
}

#[test]
fn file_names_in_the_tree_cannot_forge_lines() {
    let r = repo();
    let d = r.path();
    let evil = "web/src/x\n::error file=a.js,line=1::pwned\n\u{202e}.js";
    write(
        d,
        evil,
        "import posthog from 'posthog-js';\nposthog.identify(user.id, { email: user.email });\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "evil name"]);
    for args in [
        vec!["scan", "."],
        vec!["check", "--base", "HEAD~1"],
        vec!["check", "--base", "HEAD~1", "--format", "markdown"],
        vec!["blast", "posthog", "--scan", "."],
    ] {
        let out = blastmap(d, &args);
        assert!(out.code <= 1, "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.contains("posthog") || out.stdout.contains("PostHog"),
            "{args:?}: {}",
            out.stdout
        );
        assert_unforged(&args.join(" "), &out.all());
    }
}

/// Regression: a file name that is not UTF-8 was printed lossily (U+FFFD),
/// so the file could not be found from the report. Its bad bytes are now
/// written `\xNN`, the same on both sides of a check.
#[test]
fn a_file_name_that_is_not_utf8_is_named_exactly() {
    use std::os::unix::ffi::OsStrExt;
    let r = repo();
    let d = r.path();
    let name = std::ffi::OsStr::from_bytes(b"web/src/caf\xe9.js");
    std::fs::write(
        d.join(name),
        "import posthog from 'posthog-js';\nposthog.identify(user.id, { email: user.email });\n",
    )
    .unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "latin-1 name"]);
    let out = blastmap(d, &["scan", "."]);
    assert!(
        out.stdout.contains("web/src/caf\\xe9.js:1"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\u{fffd}'), "{}", out.stdout);
    // Unchanged since the base: nothing new.
    write(
        d,
        "web/src/app.js",
        "export function start(user) {\n  return user.name;\n}\n",
    );
    git(d, &["commit", "-q", "-am", "unrelated"]);
    let out = blastmap(d, &["check", "--base", "HEAD~1"]);
    assert!(!out.stdout.contains("new-vendor"), "{}", out.stdout);
    assert!(!out.stdout.contains("new-flow"), "{}", out.stdout);
}
