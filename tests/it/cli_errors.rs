//! Exit codes and messages for every kind of bad declaration, and for bad
//! usage: exit 2, every problem listed with file:line:column, a suggestion
//! where one exists, and never a panic.

use assert_cmd::Command;
use std::path::PathBuf;

fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

/// Runs `blastmap validate FILE`; returns (code, stderr).
fn validate(text: &str) -> (i32, String) {
    let (_d, p) = write("blastmap.yaml", text);
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .arg("validate")
        .arg(&p)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr)
        .unwrap()
        .replace(&p.display().to_string(), "FILE");
    (out.status.code().unwrap(), err)
}

const GOOD: &str = "version: 1
system: shop
subjects:
  customer: { count: 10 }
fields:
  email: { category: user.contact.email, subject: customer }
components:
  web: { kind: web, paths: ['web/**'], holds: [email] }
vendors:
  mixpanel: {}
flows:
  - { from: web, to: mixpanel, fields: [email] }
";

#[test]
fn a_good_file_validates() {
    let (_d, p) = write("blastmap.yaml", GOOD);
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .arg("validate")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("ok: system shop, 1 subjects, 1 fields, 1 components, 1 vendors, 1 flows")
    );
}

#[test]
fn every_problem_is_reported_at_once_with_positions() {
    let text = "version: 1
subjects:
  customer: { count: 10 }
fields:
  email: { category: user.contact.emial, subject: customer }
  name: { category: user.name, subject: custmer, sensitivty: high }
components:
  web: { kind: website, holds: [email, nmae] }
vendors:
  mixpnael: {}
flows:
  - { from: web, to: mixpanel, fields: [email] }
  - { from: wbe, to: mixpnael, fields: all }
";
    let (code, err) = validate(text);
    assert_eq!(code, 2, "{err}");
    let expect = [
        "FILE:5:22: error: unknown category `user.contact.emial` (at `fields.email.category`)",
        "help: did you mean `user.contact.email`?",
        "FILE:6:50: error: unknown key `sensitivty` in a field (at `fields.name.sensitivty`)",
        "help: did you mean `sensitivity`?",
        "FILE:6:41: error: unknown subject `custmer` (at `fields.name.subject`)",
        "help: did you mean `customer`?",
        "FILE:8:16: error: unknown component kind `website` (at `components.web.kind`)",
        "FILE:8:40: error: unknown field `nmae` (at `components.web.holds[1]`)",
        "help: did you mean `name`?",
        "FILE:10:3: error: unknown vendor `mixpnael` (at `vendors.mixpnael`)",
        "help: did you mean the catalog vendor `mixpanel`?",
        "FILE:12:22: error: unknown destination `mixpanel`: no component or vendor has that id (at `flows[0].to`)",
        "FILE:13:13: error: unknown source `wbe`",
        "help: did you mean `web`?",
        "FILE: 8 problems found; nothing was loaded",
    ];
    for e in expect {
        assert!(err.contains(e), "missing `{e}` in:\n{err}");
    }
}

#[test]
fn syntax_errors_have_a_position() {
    let (code, err) = validate("version: 1\nfields:\n  email: { category: user.contact.email\n");
    assert_eq!(code, 2);
    assert!(err.contains("FILE:"), "{err}");
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn duplicate_ids_are_all_listed() {
    let text = "version: 1\nfields:\n  email: { category: user.contact.email }\n  email: { category: user.name }\nvendors:\n  stripe: {}\n  stripe: {}\n";
    let (code, err) = validate(text);
    assert_eq!(code, 2);
    assert!(
        err.contains("FILE:4:3: error: duplicate key `email` in `fields`"),
        "{err}"
    );
    assert!(
        err.contains("FILE:7:3: error: duplicate key `stripe` in `vendors`"),
        "{err}"
    );
}

#[test]
fn unsupported_and_missing_versions() {
    let (code, err) = validate("version: 2\n");
    assert_eq!(code, 2);
    assert!(err.contains("unsupported version 2"), "{err}");
    assert!(err.contains("write `version: 1`"), "{err}");
    let (code, err) = validate("system: x\n");
    assert_eq!(code, 2);
    assert!(err.contains("missing `version`"), "{err}");
}

#[test]
fn wrong_types_and_shapes() {
    let text = "version: 1
subjects:
  u: { count: lots }
fields: [email]
flows:
  - { from: a }
  - just a string
";
    let (code, err) = validate(text);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "`count` must be a whole number of people, or a number per region, found a string"
        ),
        "{err}"
    );
    assert!(
        err.contains("`fields` must be a mapping of id to entry, found a list"),
        "{err}"
    );
    assert!(err.contains("flow has no `to`"), "{err}");
    assert!(err.contains("flow has no `fields`"), "{err}");
    assert!(err.contains("a flow must be a mapping"), "{err}");
}

#[test]
fn hostile_or_empty_inputs_never_panic() {
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"~".to_vec(),
        b"- - - -".to_vec(),
        b"version: 1\nflows: {a: b}\n".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        b"a: &x [*x, *x]\n".to_vec(),
        "version: 1\nfields:\n".repeat(3).into_bytes(),
        format!("version: 1\nsystem: {}\n", "[".repeat(10_000)).into_bytes(),
        b"version: 1\ntaxonomy:\n  'user.x': { parent: user.nothing }\n  '<script>': { parent: user }\n".to_vec(),
        b"version: 1\nvendors:\n  x: { access: [x] }\n".to_vec(),
    ];
    for bytes in cases {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.yaml");
        std::fs::write(&p, &bytes).unwrap();
        let out = Command::cargo_bin("blastmap")
            .unwrap()
            .arg("validate")
            .arg(&p)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0) | Some(2)),
            "{bytes:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{bytes:?}: {err}");
    }
}

#[test]
fn missing_inputs_and_unknown_vendors() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .current_dir(dir.path())
        .args(["blast", "mixpanel"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass `--map FILE`"));

    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args([
            "blast",
            "mixpnael",
            "--map",
            "examples/api-platform/blastmap.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `mixpanel`?"), "{err}");

    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["blast", "mixpanel", "--map", "/nonexistent/blastmap.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/blastmap.yaml")
    );

    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["blast"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// A vendor the map does not declare: a sub-processor on the diagram
/// points to the vendors whose blast radius covers it; a catalog vendor
/// that receives nothing gets the what-if flow that asks about it, and that
/// flow, run as written, answers; an unknown name gets neither.
#[test]
fn a_vendor_outside_the_map_says_how_to_ask_about_it() {
    let blast = |args: &[&str]| {
        let out = Command::cargo_bin("blastmap")
            .unwrap()
            .args(["blast"])
            .args(args)
            .args(["--map", "examples/api-platform/blastmap.yaml"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, err, _) = blast(&["aws"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("Amazon Web Services is a sub-processor of salesforce, stripe")
            && err.contains("`blastmap blast salesforce`, `blastmap blast stripe`"),
        "{err}"
    );
    let (code, err, _) = blast(&["hubspot"]);
    assert_eq!(code, Some(1));
    let hint = "--assume \"accounts -> hubspot: all\"";
    assert!(
        err.contains("HubSpot is in the catalog but receives nothing") && err.contains(hint),
        "{err}"
    );
    let (code, _, out) = blast(&["hubspot", "--assume", "accounts -> hubspot: all"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("BLAST RADIUS: HubSpot"), "{out}");
    let (_, err, _) = blast(&["nothere"]);
    assert!(
        !err.contains("--assume") && !err.contains("sub-processor"),
        "{err}"
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::{Command as Std, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("blastmap");
    let mut child = Std::new(bin)
        .args(["catalog"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Regression: a valid file starting with a UTF-8 byte-order mark was
/// rejected as "more than one document".
#[test]
fn a_byte_order_mark_is_not_a_second_document() {
    let (code, err) = validate(&format!("\u{feff}{GOOD}"));
    assert_eq!(code, 0, "{err}");
}

/// Regression: a count of 10^32 was reported as "invalid type: integer …
/// as u128".
#[test]
fn a_number_too_large_says_so() {
    let (code, err) =
        validate(&GOOD.replace("count: 10", "count: 100000000000000000000000000000000"));
    assert_eq!(code, 2);
    assert!(err.contains("FILE:4:"), "{err}");
    assert!(
        err.contains("is too large (at most 18446744073709551615)"),
        "{err}"
    );
    assert!(err.contains("subjects.customer.count"), "{err}");
    assert!(!err.contains("u128"), "{err}");
}

/// Regression: a scan's JSON cut off in the middle was reported as invalid
/// YAML.
#[test]
fn a_truncated_scan_is_called_truncated() {
    let full = r#"{"version": 1, "integrations": [{"vendor": "stripe", "component": "web", "scope": "production", "evidence": [], "fields": []}], "skipped": {"total": 0, "by_reason": {}, "files": []}}"#;
    let (_d, p) = write("scan.json", &full[..full.len() / 2]);
    let named = format!("{}=web", p.display());
    for args in [
        vec!["rank", "--map", p.to_str().unwrap()],
        vec!["merge", named.as_str()],
    ] {
        let out = Command::cargo_bin("blastmap")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("invalid scan output"), "{err}");
        assert!(err.contains("cut off"), "{err}");
        assert!(!err.contains("YAML"), "{err}");
    }
}

/// Regression: a vendor declared differently in two merged inputs was
/// mixed field by field with no warning, and a declared override of a
/// catalog vendor lost against the scan's catalog definition.
#[test]
fn merge_says_which_definition_of_a_vendor_it_kept() {
    let a = "version: 1\nsystem: a\nvendors:\n  mixpanel: { name: Our Mixpanel proxy, category: cdp }\n";
    let b =
        "version: 1\nsystem: b\nvendors:\n  mixpanel: { name: Mixpanel EU, category: analytics }\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), a).unwrap();
    std::fs::write(dir.path().join("b.yaml"), b).unwrap();
    let scan = r#"{"version": 1, "integrations": [{"vendor": "mixpanel", "component": "web", "scope": "production", "evidence": [{"kind": "import", "file": "web/a.js", "line": 1, "text": "import mixpanel from 'mixpanel-browser'"}], "fields": []}], "skipped": {"total": 0, "by_reason": {}, "files": []}}"#;
    std::fs::write(dir.path().join("a.scan.json"), scan).unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("blastmap")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (_, err) = run(&["merge", "a.yaml=a", "b.yaml=b"]);
    assert!(
        err.contains("warning: vendor `mixpanel` is declared differently")
            && err.contains("\"Our Mixpanel proxy\" (cdp) in a")
            && err.contains("\"Mixpanel EU\" (analytics) in b"),
        "{err}"
    );
    // The declaration's override beats the catalog's definition from a scan.
    let (out, err) = run(&["merge", "a.scan.json=a", "a.yaml=a"]);
    assert!(!err.contains("warning"), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["vendors"]["mixpanel"]["name"], "Our Mixpanel proxy");
    assert_eq!(doc["vendors"]["mixpanel"]["category"], "cdp");
}

/// Regressions (error messages that mislead), each with the message a
/// person needs.
#[test]
fn a_misspelt_vendor_is_not_proposed_back() {
    let text = GOOD.replace("  mixpanel: {}", "  mixpnael: {}");
    let text = format!("{text}  - {{ from: web, to: mixpanel, fields: [email] }}\n");
    let (code, err) = validate(&text);
    assert_eq!(code, 2);
    assert!(!err.contains("did you mean `mixpnael`"), "{err}");
    assert!(
        err.contains("`mixpanel` is a catalog vendor that `vendors:` does not declare; `vendors.mixpnael` looks like a misspelling of it"),
        "{err}"
    );
}

#[test]
fn a_tab_is_named() {
    let (code, err) =
        validate("version: 1\nsystem: x\nfields:\n\temail: { category: user.contact.email }\n");
    assert_eq!(code, 2);
    assert!(err.contains("FILE:4:"), "{err}");
    assert!(
        err.contains("indented with a tab: YAML indents with spaces only"),
        "{err}"
    );
    assert!(!err.contains("cannot start any token"), "{err}");
}

#[test]
fn a_misindented_key_is_named_with_its_sibling() {
    let (code, err) = validate(
        "version: 1\nsystem: x\nsubjects:\n  u: {}\nfields:\n  email: { category: user.contact.email, subject: u }\n   name: { category: user.name }\n",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("FILE:7:")
            && err.contains(
                "`name:` on line 7 is indented 3 spaces, unlike `email:` above it (2 spaces)"
            ),
        "{err}"
    );
    assert!(!err.contains("did not find expected key"), "{err}");
}

#[test]
fn a_bad_category_on_a_custom_vendor_is_the_only_complaint() {
    let (code, err) =
        validate("version: 1\nsystem: x\nvendors:\n  acme: { name: Acme, category: analytic }\n");
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown vendor category `analytic`")
            && err.contains("did you mean `analytics`?"),
        "{err}"
    );
    assert!(!err.contains("give it a `category`"), "{err}");
}

#[test]
fn a_key_indented_too_little_is_called_so() {
    let (code, err) = validate(
        "version: 1\nsystem: x\nsubjects:\n  u: {}\nfields:\n  email: { category: user.contact.email, subject: u }\ncomponents:\n  web:\n    kind: web\n  holds: [email]\n",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("`holds` is a key of a component, not an id"),
        "{err}"
    );
}

/// Regression (unbounded reads): `--map /dev/zero` read until the kernel
/// killed the process at 24 GB. Every input goes through one reader that
/// refuses what is not a regular file and what is over the size limit,
/// before reading it.
#[test]
fn inputs_that_are_not_files_or_too_large_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // Sparse: as large as the limit says, without writing it.
    let huge = dir.path().join("huge.yaml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(blastmap::model::declaration::MAX_FILE_BYTES + 1)
        .unwrap();
    let huge_json = dir.path().join("huge.scan.json");
    std::fs::File::create(&huge_json)
        .unwrap()
        .set_len(blastmap::model::declaration::MAX_FILE_BYTES + 1)
        .unwrap();
    let d = dir.path().display().to_string();
    let (f, h, hj) = (
        fifo.display().to_string(),
        huge.display().to_string(),
        huge_json.display().to_string(),
    );
    let named = format!("{hj}=web");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["rank", "--map", "/dev/zero"], "not a regular file"),
        (vec!["validate", "/dev/zero"], "not a regular file"),
        (vec!["blast", "x", "--map", &f], "not a regular file"),
        (vec!["validate", &d], "is a folder"),
        (vec!["rank", "--map", &h], "more than the"),
        (vec!["merge", &named], "more than the"),
        (
            vec!["check", "--baseline", "/dev/zero", "--scan", &d],
            "not a regular file",
        ),
        (vec!["diff", &h, &h], "more than the"),
    ];
    for (args, want) in cases {
        let start = std::time::Instant::now();
        let out = Command::cargo_bin("blastmap")
            .unwrap()
            .args(&args)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            start.elapsed().as_secs() < 30,
            "{args:?} took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn keys_written_as_list_items_are_called_so() {
    let (code, err) = validate(
        "version: 1\nsystem: x\nsubjects:\n  u: {}\nfields:\n  email: { category: user.contact.email, subject: u }\ncomponents:\n  web:\n  - kind: web\n  - holds: [email]\n",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("a component must be a mapping, found a list")
            && err.contains("its keys (`kind`, `holds`) are written as list items: drop the `- `"),
        "{err}"
    );
}

#[test]
fn one_space_is_one_space() {
    let (code, err) = validate(
        "version: 1\nsystem: x\nsubjects:\n  u: {}\nfields:\n  email: { category: user.contact.email, subject: u }\n components:\n  web: { kind: web }\n",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "`components:` on line 7 is indented 1 space, unlike `email:` above it (2 spaces)"
        ),
        "{err}"
    );
}

/// `diff` compares like with like (#14 item 11): a declaration file against
/// a scan output is refused with what to run instead; two scans compare.
#[test]
fn diff_refuses_declarations_against_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("scan.json");
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args([
            "scan",
            "examples/api-platform",
            "--format",
            "json",
            "--no-map",
        ])
        .output()
        .unwrap();
    std::fs::write(&scan, &out.stdout).unwrap();
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["diff", "examples/api-platform/blastmap.yaml"])
        .arg(&scan)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("diff compares like with like")
            && err.contains("is a declaration file")
            && err.contains("is a scan output")
            && err.contains("blastmap check --scan DIR"),
        "{err}"
    );
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .arg("diff")
        .args([&scan, &scan])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no differences"));
}

/// Colour: only for text reports and messages, only when asked for
/// (`CLICOLOR_FORCE`, which a terminal stands in for here) and never
/// with `NO_COLOR`; piped output, JSON and files written with `-o` stay
/// plain text.
#[test]
fn colour_only_for_people_on_a_terminal() {
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::cargo_bin("blastmap").unwrap();
        c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.args(args).output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let map = "examples/api-platform/blastmap.yaml";
    let blast = ["blast", "stripe", "--map", map];
    let (out, _) = run(&[], &blast);
    assert!(!out.contains('\x1b'), "piped output is plain");
    let (out, _) = run(&[("CLICOLOR_FORCE", "1")], &blast);
    assert!(
        out.contains("severity \x1b[1;31mCRITICAL\x1b[0m") && out.contains("\x1b[1mEXPOSED"),
        "{out}"
    );
    let (out, _) = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &blast);
    assert!(!out.contains('\x1b'));
    let (out, _) = run(
        &[("CLICOLOR_FORCE", "1")],
        &["rank", "--map", map, "--format", "json"],
    );
    assert!(!out.contains('\x1b') && out.trim_start().starts_with('{'));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rank.txt");
    run(
        &[("CLICOLOR_FORCE", "1")],
        &["rank", "--map", map, "-o", file.to_str().unwrap()],
    );
    assert!(!std::fs::read_to_string(&file).unwrap().contains('\x1b'));
    let (_, err) = run(&[("CLICOLOR_FORCE", "1")], &["blast", "nope", "--map", map]);
    assert!(
        err.starts_with("\x1b[1;31merror:\x1b[0m vendor `nope`"),
        "{err}"
    );
}
