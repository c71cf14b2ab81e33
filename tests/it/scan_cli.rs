//! The scan through the command line: the JSON contract of ARCHITECTURE.md, "Outputs", the
//! starter YAML that `validate` accepts, determinism, and `--scan` joining
//! `--map` in `blast` and `rank`.

use crate::scan_support;

use assert_cmd::Command;
use scan_support::*;

fn blastmap() -> Command {
    Command::cargo_bin("blastmap").unwrap()
}

#[test]
fn json_follows_the_contract() {
    let out = blastmap()
        .args(["scan", "--format", "json"])
        .arg(fixture("python-service"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert!(v["skipped"].is_object());
    let ints = v["integrations"].as_array().unwrap();
    assert!(!ints.is_empty());
    for i in ints {
        assert!(i["vendor"].is_string());
        assert!(i["component"].is_string() || i["component"].is_null());
        let scope = i["scope"].as_str().unwrap();
        assert!(["production", "test", "dev"].contains(&scope));
        assert!(i["fields"].is_array());
        for e in i["evidence"].as_array().unwrap() {
            assert!(e["kind"].is_string() && e["text"].is_string());
            assert!(e["line"].as_u64().unwrap() >= 1);
            let file = e["file"].as_str().unwrap();
            assert!(!file.starts_with('/') && !file.contains('\\'), "{file}");
        }
    }
}

#[test]
fn same_tree_twice_gives_identical_json() {
    let run = || {
        blastmap()
            .args(["scan", "-f", "json"])
            .arg(fixture("js-monorepo"))
            .output()
            .unwrap()
            .stdout
    };
    let a = run();
    assert!(!a.is_empty());
    assert_eq!(a, run());
}

#[test]
fn starter_yaml_validates_and_lists_production_flows_only() {
    let out = blastmap()
        .args(["scan", "-f", "yaml"])
        .arg(fixture("js-monorepo"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let yaml = String::from_utf8(out.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blastmap.yaml");
    std::fs::write(&file, &yaml).unwrap();
    let v = blastmap().arg("validate").arg(&file).output().unwrap();
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&v.stderr),
        yaml
    );
    let map = blastmap::model::declaration::load_file(&file).unwrap();
    let mut flows: Vec<String> = map
        .flows
        .iter()
        .map(|f| format!("{} -> {}", f.from, f.to))
        .collect();
    flows.sort();
    assert_eq!(
        flows,
        [
            "acme-tax -> taxjar",
            "acme-web -> firebase",
            "acme-web -> mixpanel",
            "acme-web -> sentry",
            "acme-web -> stripe",
        ]
    );
    assert_eq!(map.components["acme-web"].paths, ["apps/web/**"]);
    // The evidence is in the comments; test/dev vendors are named, not flows.
    assert!(
        yaml.contains("#   import apps/web/src/lib/analytics.ts:3"),
        "{yaml}"
    );
    assert!(yaml.contains("#   segment (test)"), "{yaml}");
    // The fields seen at the call sites are listed, with where they were seen.
    let mp = map.flows.iter().find(|f| f.to == "mixpanel").unwrap();
    let blastmap::model::FlowFields::List(fields) = &mp.fields else {
        panic!("a list of fields");
    };
    for c in ["user.contact.email", "user.name", "user.unique_id"] {
        assert!(fields.iter().any(|f| f == c), "{c} in {fields:?}");
    }
    assert!(
        yaml.contains("#   user.contact.email  apps/web/src/lib/analytics.ts:15  $email"),
        "{yaml}"
    );
    // The commented policy, uncommented, is a valid policy for the vendors found.
    let policy_at = yaml.find("# policy:\n").expect("a policy skeleton");
    let uncommented: String = yaml[policy_at..]
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let with_policy = format!("{}{uncommented}\n", &yaml[..policy_at]);
    let map = blastmap::model::declaration::load_str(&with_policy, "blastmap.yaml")
        .unwrap_or_else(|e| panic!("{e}\n{with_policy}"));
    let allowed = map.policy.allow_vendors.expect("an allowlist");
    assert!(allowed.iter().any(|v| v == "mixpanel"), "{allowed:?}");
    assert_eq!(map.policy.deny.len(), 1);
}

#[test]
fn text_summary_names_vendors_and_skips() {
    let out = blastmap()
        .arg("scan")
        .arg(fixture("js-monorepo"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Production integrations: 5 (5 vendors)"),
        "{text}"
    );
    assert!(
        text.contains("Test and dev only (not data flows): 2"),
        "{text}"
    );
    assert!(text.contains("minified"), "{text}");
    assert!(text.contains("apps/web/public/js/hotjar.min.js"), "{text}");
}

#[test]
fn scan_joins_the_declared_map_in_blast_and_rank() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("blastmap.yaml");
    std::fs::write(
        &map,
        "version: 1\nsystem: billing\nsubjects:\n  customer: { count: 5000 }\nfields:\n  email: { category: user.contact.email, subject: customer }\n  card: { category: user.financial.credit_card, subject: customer }\ncomponents:\n  api: { kind: service, paths: [\"app/**\"], holds: [email, card] }\nvendors:\n  stripe: {}\nflows:\n  - { from: api, to: stripe, fields: [email, card] }\n",
    )
    .unwrap();
    // The declared `api` component owns app/**, so code evidence joins its flow.
    let out = blastmap()
        .args(["blast", "stripe", "-f", "json", "--map"])
        .arg(&map)
        .arg("--scan")
        .arg(fixture("python-service"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let exposed: Vec<&str> = v["exposed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        exposed.contains(&"email") && exposed.contains(&"card"),
        "{v}"
    );
    let removal = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "remove-integration")
        .map(|a| a.to_string())
        .unwrap_or_default();
    assert!(removal.contains("app/billing.py"), "{removal}");

    // Discovered vendors join the ranking.
    let out = blastmap()
        .args(["rank", "-f", "json", "--map"])
        .arg(&map)
        .arg("--scan")
        .arg(fixture("python-service"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vendors: Vec<&str> = v["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["vendor"].as_str().unwrap())
        .collect();
    for id in ["stripe", "sentry", "openai", "twilio", "taxjar"] {
        assert!(vendors.contains(&id), "{id} missing from {vendors:?}");
    }
    assert!(!vendors.contains(&"posthog"), "test-only vendor ranked");
}

#[test]
fn scan_alone_is_enough_input_for_rank() {
    let out = blastmap()
        .args(["rank", "--scan"])
        .arg(fixture("go-service"))
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("stripe") && text.contains("sentry"), "{text}");
}

#[test]
fn bad_sizes_and_missing_dirs_exit_2() {
    let out = blastmap()
        .args(["scan", "--max-file-size", "lots", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = blastmap()
        .args(["scan", "/definitely/not/here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("help:"));
}

#[test]
fn sizes_read_like_people_write_them() {
    use blastmap::cli::parse_size;
    assert_eq!(parse_size("2M"), Ok(2 * 1024 * 1024));
    assert_eq!(parse_size("512k"), Ok(512 * 1024));
    assert_eq!(parse_size("1GiB"), Ok(1 << 30));
    assert_eq!(parse_size("1048576"), Ok(1 << 20));
    assert!(parse_size("0").is_err());
    assert!(parse_size("99999999999999999999G").is_err());
    assert!(parse_size("two megs").is_err());
}

/// Regression (an example env file is not a production integration): the
/// example's `.env.example` made a production Mixpanel integration of a
/// pseudo-component `api-platform` (`paths: ["**"]`) with an empty flow in
/// the starter. Such files document keys: `config` evidence in scope `dev`.
#[test]
fn an_env_example_is_dev_config_and_makes_no_component() {
    let out = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .args(["scan", "examples/api-platform", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let env: Vec<&serde_json::Value> = v["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["file"] == ".env.example")
        })
        .collect();
    assert!(!env.is_empty());
    for i in env {
        assert_eq!(i["scope"], "dev", "{i}");
    }
    let yaml = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .args(["scan", "examples/api-platform", "--format", "yaml"])
        .output()
        .unwrap();
    let yaml = String::from_utf8(yaml.stdout).unwrap();
    assert!(!yaml.contains("paths: [\"**\"]"), "{yaml}");
    assert!(!yaml.contains("api-platform:\n"), "{yaml}");
}

/// `validate` takes `--map FILE` like every other command.
#[test]
fn validate_takes_map_like_every_command() {
    let out = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .args(["validate", "--map", "examples/api-platform/blastmap.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok: system api-platform"));
}

/// Regression (one rule for which declarations a command reads): `scan DIR`
/// read `./blastmap.yaml` while `check --scan DIR` read `DIR/blastmap.yaml`,
/// so a baseline saved from the parent folder named the web app by its
/// package and failed `check --baseline` on the unchanged tree. Every
/// command now reads `DIR/blastmap.yaml` first; the saved scan records it;
/// the check passes from any working folder.
#[test]
fn a_baseline_saved_from_any_folder_passes_on_the_unchanged_tree() {
    let example = std::fs::canonicalize("examples/api-platform").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let parent = example.parent().unwrap();
    for (cwd, dir) in [
        (parent.to_path_buf(), "api-platform".to_string()),
        (tmp.path().to_path_buf(), example.display().to_string()),
        (example.clone(), ".".to_string()),
    ] {
        let saved = tmp.path().join("baseline.json");
        let out = blastmap()
            .current_dir(&cwd)
            .args(["scan", &dir, "--format", "json", "-o"])
            .arg(&saved)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let scan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
        assert!(
            scan["declarations"]
                .as_str()
                .unwrap()
                .ends_with("blastmap.yaml"),
            "{}",
            scan["declarations"]
        );
        let ids: Vec<&str> = scan["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&"dashboard") && !ids.contains(&"platform-dashboard"),
            "{ids:?}"
        );
        for check_cwd in [parent.to_path_buf(), tmp.path().to_path_buf()] {
            let out = blastmap()
                .current_dir(&check_cwd)
                .args(["check", "--scan"])
                .arg(&example)
                .arg("--baseline")
                .arg(&saved)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "scan from {cwd:?}, check from {check_cwd:?}:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // --no-map: the code alone, as before.
    let out = blastmap()
        .args([
            "scan",
            "examples/api-platform",
            "--format",
            "json",
            "--no-map",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("declarations").is_none());
    assert!(v["components"].to_string().contains("platform-dashboard"));
}

/// A scan saved inside the tree it describes (a `check --baseline` file, a
/// merged map) quotes the code: reading it again reported Stripe a second
/// time at lines of the JSON. blastmap's own outputs are skipped, and said
/// so; other JSON files are still read.
#[test]
fn saved_outputs_in_the_tree_are_not_read_again() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(
        root.join("package.json"),
        r#"{"name":"shop","dependencies":{"stripe":"^14"}}"#,
    )
    .unwrap();
    std::fs::write(
        root.join("app/pay.js"),
        "import Stripe from \"stripe\";\nconst stripe = new Stripe(process.env.STRIPE_SECRET_KEY);\n",
    )
    .unwrap();
    std::fs::write(
        root.join("app/settings.json"),
        r#"{"integrations": {"billing": "https://api.stripe.com/v1"}}"#,
    )
    .unwrap();
    let scan = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["scan", "--format", "json", "--no-map"])
        .arg(root)
        .output()
        .unwrap();
    assert!(scan.status.success());
    std::fs::create_dir_all(root.join(".blastmap")).unwrap();
    std::fs::write(root.join(".blastmap/baseline.json"), &scan.stdout).unwrap();
    let again = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["scan", "--format", "json", "--no-map"])
        .arg(root)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let files: Vec<&str> = v["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["evidence"].as_array().unwrap().iter())
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert!(!files.contains(&".blastmap/baseline.json"), "{files:?}");
    assert!(files.contains(&"app/settings.json"), "{files:?}");
    assert_eq!(
        v["skipped"]["by_reason"]["blastmap-output"], 1,
        "{}",
        v["skipped"]
    );
}

/// Regression: following a name only to values that build a URL dropped the
/// example's `http.DefaultClient.Do(req)`, whose `req` is a request built by
/// `http.NewRequest(..., url, ...)`. A request built to be sent carries its
/// URL; a call's result that is a response does not.
#[test]
fn a_request_built_then_sent_is_the_vendors() {
    let r = run(std::path::Path::new("examples/api-platform"));
    let ev = evidence(&r, "salesforce");
    assert!(
        ev.contains(&"http billing/customers.go:47 production".to_string())
            && ev.contains(&"http billing/customers.go:53 production".to_string()),
        "{ev:?}"
    );
}
