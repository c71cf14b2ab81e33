//! The seed incident, pinned: `blast mixpanel` on the bundled example names
//! exactly what the 2025 analytics-vendor export held, says what it did not
//! hold, leads with targeted phishing, and does not tell anyone to rotate keys.

use assert_cmd::Command;
use serde_json::Value;

const MAP: &str = "examples/api-platform/blastmap.yaml";

fn blast_json(vendor: &str, extra: &[&str]) -> Value {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["blast", vendor, "--map", MAP, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &Value, list: &str, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn mixpanel_exposes_exactly_the_seed_set() {
    let r = blast_json("mixpanel", &[]);
    assert_eq!(r["version"], 1);
    assert_eq!(r["vendor"], "mixpanel");
    assert_eq!(r["mode"], "data");
    assert_eq!(
        strings(&r, "exposed", "category"),
        [
            "user.behavior.referrer",
            "user.contact.email",
            "user.device.browser",
            "user.device.os",
            "user.location.imprecise",
            "user.name",
            "user.unique_id",
            "user.unique_id.organization",
        ]
    );
    let not = strings(&r, "not_exposed", "field");
    for f in [
        "api_key",
        "password",
        "chat_history",
        "api_request_content",
        "card",
    ] {
        assert!(
            not.contains(&f.to_string()),
            "{f} must be listed as not exposed: {not:?}"
        );
    }
    assert_eq!(
        r["scenarios"][0]["id"], "targeted-phishing",
        "targeted phishing leads"
    );
    let actions = strings(&r, "actions", "id");
    assert!(
        !actions.contains(&"rotate-credentials".to_string()),
        "{actions:?}"
    );
    for a in [
        "remove-integration",
        "notify-subjects",
        "warn-phishing",
        "notify-regulator",
    ] {
        assert!(
            actions.contains(&a.to_string()),
            "{a} missing from {actions:?}"
        );
    }
    assert_eq!(r["credentials_exposed"], false);
    assert_eq!(r["affected"][0]["subject"], "api_user");
    assert_eq!(r["affected"][0]["count"], 1_200_000);
    // Every exposed field has a path from the dashboard, with its evidence line.
    for e in r["exposed"].as_array().unwrap() {
        assert_eq!(e["paths"][0], serde_json::json!(["dashboard", "mixpanel"]));
        let ev = &e["routes"][0]["hops"][0]["evidence"][0];
        assert_eq!(ev["kind"], "declared");
        assert!(ev["line"].as_u64().unwrap() > 0);
    }
}

#[test]
fn the_text_brief_says_no_rotation_is_needed() {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["blast", "mixpanel", "--map", MAP])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("No credentials were exposed"), "{text}");
    assert!(
        text.contains("rotating passwords or API keys is not needed"),
        "{text}"
    );
    assert!(!text.contains("Rotate the exposed credentials"), "{text}");
    assert!(text.contains("1,200,000"), "{text}");
}

#[test]
fn the_chat_widget_reaches_the_crm_through_its_token() {
    let r = blast_json("drift", &[]);
    let exposed = strings(&r, "exposed", "field");
    // Salesforce holds the phone number; Drift's OAuth token reads it.
    assert!(exposed.contains(&"phone".to_string()), "{exposed:?}");
    let phone = r["exposed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "phone")
        .unwrap();
    assert_eq!(
        phone["paths"][0],
        serde_json::json!(["billing", "salesforce", "drift"])
    );
    assert_eq!(phone["routes"][0]["hops"][1]["via"], "access");
}

#[test]
fn code_mode_adds_what_the_dashboard_holds() {
    let r = blast_json("mixpanel", &["--mode", "code"]);
    let exposed = strings(&r, "exposed", "field");
    assert!(
        exposed.contains(&"api_key".to_string()),
        "the dashboard shows API keys: {exposed:?}"
    );
    assert_eq!(r["severity"], "critical");
    assert!(strings(&r, "actions", "id").contains(&"rotate-credentials".to_string()));
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["text", "json", "markdown"] {
        let run = || {
            Command::cargo_bin("blastmap")
                .unwrap()
                .args(["blast", "mixpanel", "--map", MAP, "--format", format])
                .output()
                .unwrap()
                .stdout
        };
        let first = run();
        for _ in 0..3 {
            assert_eq!(run(), first, "{format} output changed between runs");
        }
    }
    let rank = || {
        Command::cargo_bin("blastmap")
            .unwrap()
            .args(["rank", "--map", MAP, "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(rank(), rank());
}

#[test]
fn rank_orders_vendors_by_severity_then_score() {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["rank", "--map", MAP, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = r["vendors"].as_array().unwrap();
    assert_eq!(v.len(), 7);
    let rank = |x: &Value| match x["severity"].as_str().unwrap() {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    };
    let keys: Vec<(u64, u64)> = v
        .iter()
        .map(|x| (rank(x), x["score"].as_u64().unwrap()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted);
    // Stripe holds card numbers: it outranks the analytics vendor.
    let pos = |id: &str| v.iter().position(|x| x["vendor"] == id).unwrap();
    assert!(pos("stripe") < pos("mixpanel"));
    for x in v {
        assert!(x["exposed"].as_u64().is_some() && x["severity"].is_string());
    }
}

/// With `--scan`, each exposed field cites its own lines: the email the
/// line that sends `$email`, the name the line that sends `$name`, the user
/// id the identify call, each also the call that hands them the user, what the
/// SDK collects by itself the line that loads it, and each its declaration;
/// not every line of the connection (`trackEvent("search", { length })`
/// sends no email).
#[test]
fn each_field_cites_its_own_evidence() {
    let r = blast_json("mixpanel", &["--scan", "examples/api-platform"]);
    let cited = |field: &str| -> Vec<String> {
        let e = r["exposed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("{field} is exposed"));
        e["routes"][0]["hops"][0]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| format!("{}:{}", x["file"].as_str().unwrap(), x["line"]))
            .collect()
    };
    // `identifyUser(u)` hands the user to a function that sends
    // `user.email` and `user.displayName`: the call site sends them too.
    assert_eq!(
        cited("email"),
        [
            "blastmap.yaml:72",
            "web/src/App.tsx:19",
            "web/src/analytics.ts:19"
        ]
    );
    assert_eq!(
        cited("display_name"),
        [
            "blastmap.yaml:72",
            "web/src/App.tsx:19",
            "web/src/analytics.ts:20"
        ]
    );
    // `identifyUser(u)` hands the user to `mixpanel.identify(user.id)`:
    // the call site sends the id too.
    assert_eq!(
        cited("user_id"),
        [
            "blastmap.yaml:72",
            "web/src/App.tsx:19",
            "web/src/analytics.ts:17"
        ]
    );
    assert_eq!(cited("os"), ["blastmap.yaml:72", "web/src/analytics.ts:3"]);
}
