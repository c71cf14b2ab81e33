//! `blastmap check`, end to end through the binary, on a repository built
//! by the test with git: a commit adds PostHog to a React app's code with
//! `identify(user.id, { email: user.email })`; the check against the
//! previous commit must name the new vendor and the new flow at their lines,
//! in every format, and pass once the flow is declared and allowed.

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use blastmap::report::check::SarifLog;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Std::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn blastmap(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The first line of `out` that has every one of `parts`; the test fails,
/// showing `out`, when there is none.
fn line_with<'a>(out: &'a str, parts: &[&str]) -> &'a str {
    out.lines()
        .find(|l| parts.iter().all(|p| l.contains(p)))
        .unwrap_or_else(|| panic!("no line with {parts:?} in:\n{out}"))
}

const MAP: &str = r#"version: 1
system: shop
subjects:
  customer: { description: People who buy from the shop, count: 52000, regions: [eu] }
fields:
  email:   { category: user.contact.email, subject: customer }
  user_id: { category: user.unique_id, subject: customer }
  name:    { category: user.name, subject: customer }
components:
  web:
    kind: web
    paths: ["web/**"]
    holds: [email, user_id, name]
vendors:
  sentry: {}
flows:
  - from: web
    to: sentry
    fields: [user_id, user.device.ip_address, user.device.user_agent, user.device.browser, user.device.os, user.behavior, user.behavior.referrer, user.behavior.browsing_history]
"#;

const PACKAGE: &str = r#"{
  "name": "shop-web",
  "private": true,
  "dependencies": {
    "@sentry/react": "^8.40.0",
    "react": "^18.3.1"
  },
  "devDependencies": {
    "vitest": "^2.1.0"
  }
}
"#;

const ERRORS_TS: &str = r#"import * as Sentry from "@sentry/react";

Sentry.init({ dsn: import.meta.env.VITE_SENTRY_DSN, tracesSampleRate: 0.1 });

export function rememberUser(user: { id: string }) {
  Sentry.setUser({ id: user.id });
}
"#;

const PACKAGE_WITH_POSTHOG: &str = r#"{
  "name": "shop-web",
  "private": true,
  "dependencies": {
    "@sentry/react": "^8.40.0",
    "posthog-js": "^1.180.0",
    "react": "^18.3.1"
  },
  "devDependencies": {
    "vitest": "^2.1.0"
  }
}
"#;

// Line 1: the import; line 9: the email sent with identify.
const ANALYTICS_TS: &str = r#"import posthog from "posthog-js";

// posthog.capture("not a call: this is a comment");
posthog.init(import.meta.env.VITE_POSTHOG_KEY, { api_host: "https://eu.i.posthog.com" });

export function identify(user: { id: string; email: string; plan: string }) {
  posthog.identify(
    user.id,
    { email: user.email, plan: user.plan },
  );
}
"#;

/// A repository whose second commit adds PostHog; returns its folder.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    write(&dir, "blastmap.yaml", MAP);
    write(&dir, "web/package.json", PACKAGE);
    write(&dir, "web/src/errors.ts", ERRORS_TS);
    // At the root: findings here belong to the root's component, named
    // after the repository's folder.
    write(&dir, ".env.example", "# Copy to .env\nVITE_SENTRY_DSN=\n");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "shop with Sentry"]);
    write(&dir, "web/package.json", PACKAGE_WITH_POSTHOG);
    write(&dir, "web/src/analytics.ts", ANALYTICS_TS);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "add PostHog"]);
    (tmp, dir)
}

/// The categories PostHog's browser SDK collects by itself (the catalog's
/// `collects`, from PostHog's docs), which a team adding it must declare.
const POSTHOG_DEFAULTS: &str = "user.device.ip_address, user.location.imprecise, user.device.os, user.device.browser, user.behavior.referrer, user.behavior.browsing_history, user.device.device_id, user.content.private";

fn declare_posthog(dir: &Path, extra_policy: &str) {
    let map = MAP.replace("  sentry: {}\n", "  sentry: {}\n  posthog: {}\n")
        + &format!(
            "  - from: web\n    to: posthog\n    fields: [user_id, email, {POSTHOG_DEFAULTS}]\npolicy:\n  allow_vendors: [sentry, posthog]\n{extra_policy}"
        );
    write(dir, "blastmap.yaml", &map);
}

#[test]
fn a_new_sdk_with_identify_email_fails_the_check_at_the_right_lines() {
    let (_tmp, dir) = repo();
    let r = blastmap(&dir, &["check", "--base", "HEAD~1"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("web/src/analytics.ts:1: new-vendor: PostHog (`posthog`) is a new vendor"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("not declared in"), "{}", r.stdout);
    let flow = line_with(&r.stdout, &[": new-flow:", "`user.contact.email`"]);
    assert!(
        flow.starts_with("web/src/analytics.ts:9: new-flow:"),
        "{flow}"
    );
    assert!(
        flow.contains("from `email`") && flow.ends_with("[deny]"),
        "{flow}"
    );
    // The comment's capture is not a call; Sentry was there before.
    assert!(!r.stdout.contains("analytics.ts:3:"), "{}", r.stdout);
    assert!(!r.stdout.contains("new-vendor: Sentry"), "{}", r.stdout);
    // The base is scanned under the same folder name: the root's component
    // (`shop`, from .env.example) is the same on both sides.
    assert!(
        !r.stdout.contains("the flow shop → sentry is new"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("check failed:"), "{}", r.stdout);
}

#[test]
fn every_format_names_the_same_findings_and_locations() {
    let (_tmp, dir) = repo();

    let json = blastmap(&dir, &["check", "--base", "HEAD~1", "--format", "json"]);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["baseline"], "HEAD~1");
    let findings = v["findings"].as_array().unwrap();
    let find = |code: &str, cat: Option<&str>| {
        findings
            .iter()
            .find(|f| {
                f["code"] == code
                    && f["vendor"] == "posthog"
                    && cat.is_none_or(|c| f["category"] == c)
            })
            .unwrap_or_else(|| panic!("no {code} in {}", json.stdout))
            .clone()
    };
    let nv = find("new-vendor", None);
    assert_eq!(nv["location"]["file"], "web/src/analytics.ts");
    assert_eq!(nv["location"]["line"], 1);
    assert_eq!(nv["level"], "deny");
    let nf = find("new-flow", Some("user.contact.email"));
    assert_eq!(nf["location"]["line"], 9);
    assert_eq!(nf["component"], "web");

    // SARIF, parsed back through serde-sarif's model (generated from the
    // official 2.1.0 schema), the one the writer is built on.
    let sarif = blastmap(&dir, &["check", "--base", "HEAD~1", "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    let log: SarifLog = serde_json::from_str(&sarif.stdout).expect("valid SARIF per the model");
    assert_eq!(log.version, "2.1.0");
    let run = &log.runs[0];
    let rules = run.tool.driver.rules.as_deref().unwrap_or_default();
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "undeclared-vendor",
            "undeclared-flow",
            "stale-declaration",
            "new-vendor",
            "new-flow",
            "blast-radius-grew",
            "policy-denied",
            "secret-in-source",
            "unread-change",
            "hidden-vendor"
        ]
    );
    let at = |rule: &str, line: i64| {
        run.results.as_deref().unwrap_or_default().iter().any(|r| {
            r.rule_id.as_deref() == Some(rule)
                && r.rule_index
                    .and_then(|i| usize::try_from(i).ok())
                    .is_some_and(|i| rules[i].id == rule)
                && matches!(r.level, Some(serde_sarif::sarif::ResultLevel::Error))
                && r.locations.as_deref().unwrap_or_default().iter().any(|l| {
                    l.physical_location.as_ref().is_some_and(|p| {
                        p.artifact_location.as_ref().and_then(|a| a.uri.as_deref())
                            == Some("web/src/analytics.ts")
                            && p.region.as_ref().and_then(|g| g.start_line) == Some(line)
                    })
                })
        })
    };
    assert!(at("new-vendor", 1), "{}", sarif.stdout);
    assert!(at("new-flow", 9), "{}", sarif.stdout);
    assert!(
        sarif.stderr.contains("blastmap check failed"),
        "{}",
        sarif.stderr
    );
    // And through serde-sarif, the model generated from the official 2.1.0
    // schema: every key written survives the round trip, so each is a SARIF
    // property of the right type.
    let official: serde_sarif::sarif::Sarif =
        serde_json::from_str(&sarif.stdout).expect("SARIF 2.1.0 per the official model");
    let written: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(serde_json::to_value(&official).unwrap(), written);
    // Each rule's help: text with the fix and the example apart, Markdown,
    // and a helpUri to the README's section for the code (#14 item 8).
    let readme = std::fs::read_to_string("README.md").unwrap();
    for rule in written["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let id = rule["id"].as_str().unwrap();
        let text = rule["help"]["text"].as_str().unwrap();
        assert!(
            text.starts_with("Fix: ") && text.contains(".\n\nExample: "),
            "{text}"
        );
        let md = rule["help"]["markdown"].as_str().unwrap();
        assert!(md.contains("**Fix:**") && md.contains("```text\n"), "{md}");
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/blastmap/blastmap#{id}"),
            "{rule}"
        );
        assert!(
            readme.contains(&format!("#### `{id}`")),
            "README has no section for {id}"
        );
    }

    // Markdown: a PR comment with the table, the rows and a diagram.
    let md = blastmap(&dir, &["check", "--base", "HEAD~1", "--format", "markdown"]);
    assert_eq!(md.code, 1);
    assert!(
        md.stdout
            .starts_with("## blastmap check failed against `HEAD~1`"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("| `new-vendor` | deny | 1 |"),
        "{}",
        md.stdout
    );
    let row = line_with(&md.stdout, &["`new-flow`", "user.contact.email"]);
    assert!(row.contains("`web/src/analytics.ts:9`"), "{row}");
    assert!(
        md.stdout.contains("```mermaid\nflowchart LR\n"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("-->|\""), "{}", md.stdout);
    assert!(
        md.stdout.contains("class v"),
        "the new vendor is marked: {}",
        md.stdout
    );
}

#[test]
fn the_base_is_read_without_touching_the_working_tree() {
    let (_tmp, dir) = repo();
    // An uncommitted edit must survive the check untouched.
    write(
        &dir,
        "web/src/errors.ts",
        &format!("{ERRORS_TS}// work in progress\n"),
    );
    let head = git(&dir, &["rev-parse", "HEAD"]);
    let status = git(&dir, &["status", "--porcelain"]);
    let r = blastmap(&dir, &["check", "--base", "HEAD~1", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(git(&dir, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(&dir, &["status", "--porcelain"]), status);
    assert!(
        std::fs::read_to_string(dir.join("web/src/errors.ts"))
            .unwrap()
            .ends_with("// work in progress\n")
    );
}

#[test]
fn the_same_change_declared_and_allowed_passes() {
    let (_tmp, dir) = repo();
    declare_posthog(&dir, "");
    let r = blastmap(&dir, &["check", "--base", "HEAD~1"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Still visible to reviewers, as warnings.
    assert!(
        r.stdout.contains("web/src/analytics.ts:1: new-vendor:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("declared in blastmap.yaml [warn]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("check passed: 0 denied"), "{}", r.stdout);
    // And in the PR comment, PostHog's radius appears in the table.
    let md = blastmap(&dir, &["check", "--base", "HEAD~1", "--format", "markdown"]);
    assert_eq!(md.code, 0);
    assert!(
        md.stdout.contains("| PostHog (`posthog`) | not used |"),
        "{}",
        md.stdout
    );
}

#[test]
fn a_policy_denied_flow_fails_even_when_declared() {
    let (_tmp, dir) = repo();
    declare_posthog(
        &dir,
        "  deny:\n    - categories: [user.contact]\n      to: [analytics]\n      reason: contact data stays out of analytics\n",
    );
    let r = blastmap(&dir, &["check", "--base", "HEAD~1"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let line = line_with(&r.stdout, &[": policy-denied:"]);
    assert!(
        line.starts_with("web/src/analytics.ts:9: policy-denied: email addresses"),
        "{line}"
    );
    assert!(
        line.contains("policy.deny[0]") && line.contains("contact data stays out of analytics"),
        "{line}"
    );
    assert!(
        r.stdout.contains("= declared: blastmap.yaml:"),
        "{}",
        r.stdout
    );
    // Without a baseline too: the policy is about the code as it is.
    let r = blastmap(&dir, &["check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    // A command-line level overrides the policy's.
    let r = blastmap(&dir, &["check", "--level", "policy-denied=warn"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("[warn]"));
    // --exit-zero reports and exits 0.
    let r = blastmap(&dir, &["check", "--exit-zero"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("check failed"));
}

#[test]
fn a_vendor_outside_the_allowlist_is_denied() {
    let (_tmp, dir) = repo();
    let map = format!("{MAP}policy:\n  allow_vendors: [sentry]\n");
    write(&dir, "blastmap.yaml", &map);
    let r = blastmap(&dir, &["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("web/src/analytics.ts:1: policy-denied: PostHog (`posthog`) is not in the policy's allowed vendors"),
        "{}",
        r.stdout
    );
}

const LIVE_KEY: &str = "sk_live_51HxQ2fLkT9mRbZ3pW7yVn4cA8eJ0dGh6";

#[test]
fn a_planted_secret_is_reported_and_never_printed_in_full() {
    let (_tmp, dir) = repo();
    write(
        &dir,
        "web/src/billing.ts",
        &format!("// Billing helpers.\nexport const stripeKey = \"{LIVE_KEY}\";\n"),
    );
    for format in ["text", "json", "markdown", "sarif"] {
        let r = blastmap(&dir, &["check", "--format", format]);
        assert_eq!(r.code, 1, "{format}");
        assert!(
            r.stdout.contains("secret-in-source"),
            "{format}: {}",
            r.stdout
        );
        assert!(r.stdout.contains("web/src/billing.ts"), "{format}");
        assert!(r.stdout.contains("REDACTED"), "{format}");
        for out in [&r.stdout, &r.stderr] {
            assert!(
                !out.contains(&LIVE_KEY[8..]),
                "{format} printed the key: {out}"
            );
        }
    }
    let r = blastmap(&dir, &["check"]);
    assert!(
        r.stdout.contains("web/src/billing.ts:2: secret-in-source: a hard-coded Stripe secret: `export const stripeKey = \"[REDACTED]\";` [deny]"),
        "{}",
        r.stdout
    );
    // The scan's own JSON carries it redacted too.
    let scan = blastmap(&dir, &["scan", ".", "--format", "json"]);
    assert!(scan.stdout.contains("\"secrets\""), "{}", scan.stdout);
    assert!(!scan.stdout.contains(&LIVE_KEY[8..]));
}

#[test]
fn a_saved_scan_is_a_baseline_too() {
    let (_tmp, dir) = repo();
    git(&dir, &["checkout", "-q", "HEAD~1"]);
    let saved = blastmap(&dir, &["scan", ".", "--format", "json"]);
    assert_eq!(saved.code, 0);
    let file = dir.parent().unwrap().join("scan-main.json");
    std::fs::write(&file, &saved.stdout).unwrap();
    git(&dir, &["checkout", "-q", "main"]);
    let r = blastmap(&dir, &["check", "--baseline", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("web/src/analytics.ts:1: new-vendor: PostHog"),
        "{}",
        r.stdout
    );
}

#[test]
fn without_a_baseline_undeclared_vendors_and_flows_are_named() {
    let (_tmp, dir) = repo();
    let r = blastmap(&dir, &["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("web/src/analytics.ts:1: undeclared-vendor: the code sends data to PostHog (`posthog`), which blastmap.yaml does not declare [deny]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("web/src/analytics.ts:9: undeclared-flow: web sends email addresses"),
        "{}",
        r.stdout
    );
    // Strict mode denies undeclared flows to declared vendors too.
    declare_posthog(&dir, "");
    write(
        &dir,
        "web/src/errors.ts",
        &ERRORS_TS
            .replace(
                "Sentry.setUser({ id: user.id });",
                "Sentry.setUser({ id: user.id, username: user.name });",
            )
            .replace("user: { id: string }", "user: { id: string; name: string }"),
    );
    let lax = blastmap(&dir, &["check"]);
    assert_eq!(lax.code, 0, "{}", lax.stdout);
    assert!(
        lax.stdout.contains("undeclared-flow: web sends"),
        "{}",
        lax.stdout
    );
    let strict = blastmap(&dir, &["check", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    assert!(strict.stdout.contains(", strict"), "{}", strict.stdout);
}

#[test]
fn a_grown_blast_radius_is_reported_against_the_base() {
    let (_tmp, dir) = repo();
    declare_posthog(&dir, "");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "declare PostHog"]);
    // Now Sentry gets the customer's email as well, declared in the same change.
    write(
        &dir,
        "web/src/errors.ts",
        &ERRORS_TS
            .replace("{ id: user.id }", "{ id: user.id, email: user.email }")
            .replace(
                "user: { id: string }",
                "user: { id: string; email: string }",
            ),
    );
    let map = std::fs::read_to_string(dir.join("blastmap.yaml")).unwrap();
    write(
        &dir,
        "blastmap.yaml",
        &map.replacen(
            "fields: [user_id, user.device.ip_address",
            "fields: [user_id, email, user.device.ip_address",
            1,
        ),
    );
    let r = blastmap(&dir, &["check", "--base", "HEAD"]);
    assert_eq!(r.code, 0, "declared, so not denied: {}", r.stdout);
    let grew = line_with(&r.stdout, &[": blast-radius-grew:"]);
    assert!(
        grew.starts_with("web/src/errors.ts:6: blast-radius-grew: Sentry's blast radius grew"),
        "{grew}"
    );
    assert!(
        grew.contains("email addresses (`user.contact.email`)"),
        "{grew}"
    );
    assert!(
        r.stdout.contains("  sentry: "),
        "the change table: {}",
        r.stdout
    );
}

#[test]
fn bad_input_exits_2_with_help() {
    let (_tmp, dir) = repo();
    let r = blastmap(&dir, &["check", "--base", "no-such-branch"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`no-such-branch` is not a commit"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("help:"), "{}", r.stderr);
    let r = blastmap(&dir, &["check", "--base", "--upload-pack=touch /tmp/x"]);
    assert_ne!(r.code, 0);
    let r = blastmap(&dir, &["check", "--level", "new-vendr=deny"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `new-vendor`?"),
        "{}",
        r.stderr
    );
    write(
        &dir,
        "blastmap.yaml",
        &format!(
            "{MAP}policy:\n  deny:\n    - categories: [user.contact]\n      to: [analitics]\n  levels:\n    stale-declarations: deny\n"
        ),
    );
    let r = blastmap(&dir, &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("policy.deny[0].to[0]") && r.stderr.contains("did you mean `analytics`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `stale-declaration`?"),
        "{}",
        r.stderr
    );
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "app/main.py", "import sentry_sdk\n");
    let r = blastmap(outside.path(), &["check", "--base", "HEAD~1"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not inside a git repository"),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_prints_the_documentation_of_a_code() {
    let tmp = tempfile::tempdir().unwrap();
    let r = blastmap(tmp.path(), &["check", "--explain", "secret-in-source"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("secret-in-source: Hard-coded vendor secret"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Fix: revoke the key"), "{}", r.stdout);
}

#[test]
fn a_vendor_the_change_removes_goes_stale_then_leaves_the_radius_table() {
    let (_tmp, dir) = repo();
    // Uncommitted: Sentry goes away, file, dependency and env key.
    std::fs::remove_file(dir.join("web/src/errors.ts")).unwrap();
    write(&dir, ".env.example", "# Copy to .env\n");
    write(
        &dir,
        "web/package.json",
        &PACKAGE_WITH_POSTHOG.replace("    \"@sentry/react\": \"^8.40.0\",\n", ""),
    );
    declare_posthog(&dir, "");
    let json = |r: &Run| -> serde_json::Value { serde_json::from_str(&r.stdout).unwrap() };
    // Still declared: the declarations keep its radius, and the check says
    // the declaration is stale.
    let r = blastmap(&dir, &["check", "--base", "HEAD", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v = json(&r);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "stale-declaration" && f["vendor"] == "sentry"),
        "{}",
        r.stdout
    );
    // Declaration removed too: the radius table shows Sentry going away.
    let map = std::fs::read_to_string(dir.join("blastmap.yaml")).unwrap();
    let map = map.replace("  sentry: {}\n", "").replace(
        "  - from: web\n    to: sentry\n    fields: [user_id, user.device.ip_address, user.device.user_agent, user.device.browser, user.device.os, user.behavior, user.behavior.referrer, user.behavior.browsing_history]\n",
        "",
    );
    write(
        &dir,
        "blastmap.yaml",
        &map.replace(
            "allow_vendors: [sentry, posthog]",
            "allow_vendors: [posthog]",
        ),
    );
    let r = blastmap(&dir, &["check", "--base", "HEAD", "--format", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = json(&r);
    let sentry = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["vendor"] == "sentry")
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        sentry["before"].is_object() && sentry["after"].is_null(),
        "{sentry}"
    );
    assert!(!r.stdout.contains("stale-declaration"), "{}", r.stdout);
}

#[test]
fn without_declarations_the_check_says_what_it_could_not_check() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "requirements.txt", "posthog==3.7.0\n");
    write(
        tmp.path(),
        "app/events.py",
        "import posthog\n\n\ndef signed_up(user):\n    posthog.capture(user.id, \"signed up\", properties={\"email\": user.email})\n",
    );
    let r = blastmap(tmp.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("note: no declarations (blastmap.yaml) were found, so only hard-coded secrets were checked; the code sends data to 1 vendor (posthog)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_blast_radius_above_the_policys_maximum_is_denied() {
    let (_tmp, dir) = repo();
    declare_posthog(
        &dir,
        "  max_severity:\n    analytics: low\n    sentry: critical\n",
    );
    let r = blastmap(&dir, &["check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let line = line_with(&r.stdout, &[": policy-denied:"]);
    // PostHog receives emails and private content: above `low`.
    assert!(
        line.starts_with("web/src/analytics.ts:1: policy-denied: PostHog's blast radius is "),
        "{line}"
    );
    assert!(
        line.contains("above the low that policy.max_severity.analytics allows"),
        "{line}"
    );
    assert!(
        !r.stdout.contains("Sentry's blast radius is"),
        "{}",
        r.stdout
    );
    let decl = r
        .stdout
        .lines()
        .skip_while(|l| !l.contains(": policy-denied:"))
        .nth(1)
        .unwrap();
    assert!(
        decl.starts_with("  = declared: blastmap.yaml:")
            && decl.ends_with("policy.max_severity.analytics"),
        "{decl}"
    );
}

#[test]
fn hostile_names_and_links_in_the_base_revision_are_handled() {
    let (_tmp, dir) = repo();
    // A base commit with odd names and links that point out of the tree.
    write(
        &dir,
        "web/src/we ird\tnäme.ts",
        "import OpenAI from \"openai\";\n\nconst client = new OpenAI();\nexport const ask = (q: string) => client.responses.create({ model: \"gpt-4.1\", input: q });\n",
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", dir.join("web/src/leak.ts")).unwrap();
        std::os::unix::fs::symlink("../../..", dir.join("web/up")).unwrap();
    }
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "odd names"]);
    write(
        &dir,
        "web/src/more.ts",
        "import * as Sentry from \"@sentry/react\";\nSentry.setUser({ email: user.email });\n",
    );
    for format in ["text", "json", "markdown", "sarif"] {
        let r = blastmap(&dir, &["check", "--base", "HEAD", "--format", format]);
        assert!(r.code == 0 || r.code == 1, "{format}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let r = blastmap(&dir, &["check", "--base", "HEAD", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // OpenAI was already there at the base, through the odd file name only,
    // so only Sentry's new email is new.
    let now = blastmap(&dir, &["scan", ".", "--format", "json"]);
    assert!(
        now.stdout.contains("\"vendor\": \"openai\""),
        "{}",
        now.stdout
    );
    let codes: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "new-vendor" || f["code"] == "new-flow")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["vendor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(codes.iter().all(|(_, v)| v == "sentry"), "{codes:?}");
    assert!(codes.iter().any(|(c, _)| c == "new-flow"), "{codes:?}");
}
