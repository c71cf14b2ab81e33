//! `blastmap merge` end to end: two repositories (one with a declaration and
//! a scan output, one with only a scan output) merged into one organisation
//! map, then queried with `blast`, `rank` and `export`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const DECL: &str = "tests/fixtures/merge/payments-api/blastmap.yaml";
const SCAN: &str = "tests/fixtures/merge/payments-api/scan.json";
const WEB: &str = "tests/fixtures/merge/web-app.scan.json";

fn blastmap(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn merge(files: &[&str]) -> String {
    let mut args = vec!["merge"];
    args.extend_from_slice(files);
    let (code, out, err) = blastmap(&args);
    assert_eq!(code, 0, "{err}");
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn each_node_keeps_its_repository_and_evidence_its_location() {
    let doc: Value = serde_json::from_str(&merge(&[DECL, SCAN, WEB])).unwrap();
    assert_eq!(doc["kind"], "blastmap-merged");
    assert_eq!(
        doc["repos"]["payments-api"]["inputs"],
        serde_json::json!(["declaration", "scan"])
    );
    // Two repositories' components stay apart; a scan with no component
    // belongs to the whole repository.
    let components: Vec<&str> = doc["components"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        components,
        ["payments-api/checkout", "web-app/code", "web-app/web"]
    );
    // Declared and discovered: one flow, origin both, evidence from both.
    let flow = doc["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["from"] == "payments-api/checkout" && f["to"] == "stripe")
        .unwrap();
    assert_eq!(flow["origin"], "both");
    let evidence: Vec<String> = flow["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}:{}:{}", e["repo"], e["kind"], e["file"], e["line"]))
        .collect();
    assert!(
        evidence.contains(&"\"payments-api\":\"declared\":\"blastmap.yaml\":20".to_string()),
        "{evidence:?}"
    );
    assert!(evidence.contains(&"\"payments-api\":\"import\":\"src/pay.ts\":1".to_string()));
    // Test-only code is not a flow, but it is not dropped either.
    assert!(
        !doc["flows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["to"] == "mixpanel" && f["from"] == "payments-api/checkout")
    );
    assert_eq!(
        doc["not_production"],
        serde_json::json!([{"repo": "payments-api", "vendor": "mixpanel", "component": "payments-api/checkout", "scope": "test"}])
    );
    assert_eq!(doc["skipped"][0]["path"], "fixtures/dump.sql");
    assert_eq!(
        doc["vendors"]["sentry"]["repos"],
        serde_json::json!(["payments-api", "web-app"])
    );
}

#[test]
fn order_of_files_does_not_matter_and_repeats_change_nothing() {
    let a = merge(&[DECL, SCAN, WEB]);
    for order in [[WEB, SCAN, DECL], [SCAN, WEB, DECL], [DECL, WEB, SCAN]] {
        assert_eq!(merge(&order), a);
    }
    assert_eq!(merge(&[DECL, SCAN, WEB, WEB, DECL]), a);
}

#[test]
fn merging_merges_gives_the_same_as_merging_all() {
    let dir = tempfile::tempdir().unwrap();
    let all = merge(&[DECL, SCAN, WEB]);
    let first = write(dir.path(), "first.json", &merge(&[DECL, WEB]));
    let second = write(dir.path(), "second.json", &merge(&[SCAN]));
    assert_eq!(
        merge(&[first.to_str().unwrap(), second.to_str().unwrap()]),
        all
    );
    assert_eq!(merge(&[second.to_str().unwrap(), DECL, WEB]), all);
    // A merged map given twice, or with one of its own inputs, is unchanged.
    let whole = write(dir.path(), "whole.json", &all);
    assert_eq!(
        merge(&[whole.to_str().unwrap(), SCAN, whole.to_str().unwrap()]),
        all
    );
}

#[test]
fn blast_rank_and_export_read_a_merged_map() {
    let dir = tempfile::tempdir().unwrap();
    let org = write(
        dir.path(),
        "org.json",
        &merge(&[DECL, SCAN, WEB, "--system", "acme"]),
    );
    let org = org.to_str().unwrap();

    let (code, out, err) = blastmap(&["blast", "sentry", "--map", org, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let exposed: Vec<&str> = r["exposed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    // The scan saw `user.email` sent to Sentry: that is the declared `email`.
    assert_eq!(
        exposed,
        ["payments-api/email", "payments-api/user.unique_id"]
    );
    assert_eq!(r["affected"][0]["subject"], "customer");
    let remove = r["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "remove-integration")
        .unwrap();
    let locations: Vec<String> = remove["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l.as_str()
                .map(String::from)
                .unwrap_or_else(|| l.to_string())
        })
        .collect();
    let joined = locations.join(" ");
    assert!(joined.contains("payments-api:src/errors.ts:22"), "{joined}");
    assert!(joined.contains("web-app:public/index.html:12"), "{joined}");

    let (code, out, _) = blastmap(&["rank", "--map", org, "--format", "json"]);
    assert_eq!(code, 0);
    let rank: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rank["system"], "acme");
    assert_eq!(rank["vendors"][0]["vendor"], "stripe");

    let (code, out, _) = blastmap(&["export", "--format", "graphml", "--map", org]);
    assert_eq!(code, 0);
    assert!(out.contains("<data key=\"repos\">payments-api web-app</data>"));
    let (code, out, _) = blastmap(&["export", "--format", "cypher", "--map", org]);
    assert_eq!(code, 0);
    assert!(out.contains("MERGE (n:Vendor {id: 'sentry'})"));
    assert!(out.contains("n.repos = ['payments-api', 'web-app']"));
}

#[test]
fn repository_names_come_from_the_argument_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("{WEB}=acme/storefront");
    let doc: Value = serde_json::from_str(&merge(&[&spec])).unwrap();
    assert!(doc["components"].get("acme/storefront/web").is_some());

    let (code, _, err) = blastmap(&["merge", &format!("{WEB}=bad name")]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid repository name `bad name`"), "{err}");

    // CI artifact layout: artifacts/<repo>/scan.json.
    let sub = dir.path().join("billing");
    std::fs::create_dir(&sub).unwrap();
    let scan = sub.join("scan.json");
    std::fs::copy(WEB, &scan).unwrap();
    let doc: Value = serde_json::from_str(&merge(&[scan.to_str().unwrap()])).unwrap();
    assert!(doc["repos"].get("billing").is_some());
}

#[test]
fn every_broken_input_is_reported_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad_yaml = write(
        dir.path(),
        "shop.yaml",
        "version: 1\nsystem: shop\nvendors:\n  mixpnael: {}\n",
    );
    let bad_scan = write(
        dir.path(),
        "web.scan.json",
        r#"{"version": 1, "integrations": [{"vendor": "sentry", "component": null, "scope": "production", "evidence": [], "fields": [{"category": "user.emial", "name": "e", "file": "a.js", "line": 1}]}], "skipped": {"total": 0, "by_reason": {}, "files": []}}"#,
    );
    let out = dir.path().join("org.json");
    let (code, stdout, err) = blastmap(&[
        "merge",
        DECL,
        bad_yaml.to_str().unwrap(),
        bad_scan.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(!out.exists(), "nothing is written when an input is broken");
    assert!(
        err.contains("did you mean the catalog vendor `mixpanel`?"),
        "{err}"
    );
    assert!(err.contains("unknown category `user.emial`"), "{err}");
    assert!(err.contains("integrations[0].fields[0].category"), "{err}");
    assert!(err.contains("2 of 3 inputs could not be merged"), "{err}");
}

#[test]
fn a_hand_edited_merged_map_is_checked_like_a_declaration() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(&merge(&[DECL])).unwrap();
    doc["flows"][0]["to"] = "strpe".into();
    doc["fields"]["payments-api/card"]["category"] = "user.financial.card".into();
    let p = write(dir.path(), "org.json", &doc.to_string());
    let (code, _, err) = blastmap(&["rank", "--map", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown destination `strpe`: no component or vendor has that id"),
        "{err}"
    );
    assert!(err.contains("did you mean `stripe`?"), "{err}");
    assert!(
        err.contains("unknown category `user.financial.card`"),
        "{err}"
    );
}

/// #14 item 12: a Stripe `clientSecret` the scan classifies as the system's
/// own secret (`system.authentication`) made a field of the merged map,
/// adding account takeover to Stripe's blast radius, while `blast --scan`
/// on the same code drops it. Both now leave system data out.
#[test]
fn merge_keeps_system_data_out_like_blast_scan() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("shop");
    std::fs::create_dir_all(&app).unwrap();
    write(
        &app,
        "package.json",
        r#"{"name":"shop","dependencies":{"stripe":"^14.0.0"}}"#,
    );
    write(
        &app,
        "pay.js",
        "const Stripe = require('stripe');\nconst stripe = new Stripe(process.env.STRIPE_KEY);\nexports.pay = (user, secret) => stripe.customers.create({ email: user.email, clientSecret: secret });\n",
    );
    let (code, scan, err) = blastmap(&[
        "scan",
        app.to_str().unwrap(),
        "--no-map",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        scan.contains("system.authentication"),
        "the scan itself classifies it: {scan}"
    );
    let scan_file = write(dir.path(), "shop.scan.json", &scan);
    let doc: Value = serde_json::from_str(&merge(&[scan_file.to_str().unwrap()])).unwrap();
    let categories: Vec<&str> = doc["fields"]
        .as_object()
        .unwrap()
        .values()
        .map(|f| f["category"].as_str().unwrap())
        .collect();
    assert!(categories.contains(&"user.contact.email"), "{categories:?}");
    assert!(
        categories.iter().all(|c| !c.starts_with("system")),
        "{categories:?}"
    );
}
