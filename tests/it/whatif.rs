//! What-if (`--assume`, `--without`) on `blast` and `rank`, and `diff A B`,
//! through the CLI: what changed is in every format, bad assumptions exit 2
//! with every problem and a suggestion, and the output without assumptions
//! is unchanged (no `what_if` key).

use crate::common;

use common::{SEED, cli};
use serde_json::Value;

fn ok(args: &[&str]) -> String {
    let (code, out, err) = cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    assert!(err.is_empty(), "{err}");
    out
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&ok(&a)).unwrap()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| x["field"].as_str().unwrap().to_string())
        })
        .collect()
}

const KEY: &str = "dashboard -> mixpanel: api_key";

#[test]
fn assuming_the_api_key_reaches_mixpanel_exposes_credentials() {
    let r = json(&["blast", "mixpanel", "--map", SEED, "--assume", KEY]);
    let w = &r["what_if"];
    assert_eq!(
        w["assumed"]["assumptions"][0],
        format!("--assume \"{KEY}\"")
    );
    assert_eq!(w["assumed"]["flows_added"][0]["fields"][0], "api_key");
    assert_eq!(ids(&w["newly_exposed"]), ["api_key"]);
    assert_eq!(ids(&w["no_longer_exposed"]), Vec::<String>::new());
    assert_eq!(w["credentials_exposed"]["before"], false);
    assert_eq!(w["credentials_exposed"]["after"], true);
    assert_eq!(w["severity"]["before"], "high");
    assert_eq!(w["severity"]["after"], "critical");
    assert!(w["score"]["after"].as_u64() > w["score"]["before"].as_u64());
    assert_eq!(ids(&w["actions_added"]), ["rotate-credentials"]);
    assert_eq!(ids(&w["scenarios_added"]), ["account-takeover"]);
    // The report itself is computed with the assumption.
    assert_eq!(r["credentials_exposed"], true);
    let actions: Vec<&str> = r["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"rotate-credentials"));
    // The assumed hop is marked as assumed, not as declared in the file.
    let key = r["exposed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "api_key")
        .unwrap();
    assert_eq!(
        key["routes"][0]["hops"][0]["evidence"][0]["file"],
        "--assume"
    );

    let text = ok(&["blast", "mixpanel", "--map", SEED, "--assume", KEY]);
    assert!(text.contains("WHAT IF (against the map as declared)"));
    assert!(text.contains("credentials exposed: no → yes"));
    assert!(text.contains("severity high → critical"));
    assert!(text.contains("actions added: rotate-credentials"));
    let md = ok(&[
        "blast", "mixpanel", "--map", SEED, "--assume", KEY, "-f", "markdown",
    ]);
    assert!(md.contains("## What if"));
    assert!(md.contains("| credentials exposed | no | yes |"));
    assert!(md.contains("**Newly exposed:** api\\_key (critical"));
    let html = ok(&[
        "blast", "mixpanel", "--map", SEED, "--assume", KEY, "-f", "html",
    ]);
    assert!(html.contains(r#"<section id="what-if">"#));
    assert!(html.contains("<strong>Actions added:</strong> <code>rotate-credentials</code>"));
    common::tag_balance(&html).unwrap();
}

#[test]
fn without_assumptions_the_json_has_no_what_if() {
    let r = json(&["blast", "mixpanel", "--map", SEED]);
    assert!(r.get("what_if").is_none());
    let r = json(&["rank", "--map", SEED]);
    assert!(r.get("what_if").is_none());
}

/// A CDP that forwards everything it gets to two analytics tools.
const CDP: &str = "version: 1
system: shop
subjects:
  customer: { description: Shoppers, count: 40000, regions: [eu] }
fields:
  email: { category: user.contact.email, subject: customer }
  name: { category: user.name, subject: customer }
  ip: { category: user.device.ip_address, subject: customer }
components:
  web: { kind: web, holds: [email, name, ip] }
vendors:
  segment: {}
  mixpanel: {}
  amplitude: {}
  sentry: {}
flows:
  - { from: web, to: segment, fields: [email, name, ip] }
  - { from: segment, to: mixpanel, fields: all }
  - { from: segment, to: amplitude, fields: [email] }
  - { from: web, to: sentry, fields: [ip] }
";

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn removing_the_cdp_shrinks_every_vendor_downstream() {
    let d = tempfile::tempdir().unwrap();
    let map = write(&d, "blastmap.yaml", CDP);
    let r = json(&["rank", "--map", &map, "--without", "segment"]);
    let w = &r["what_if"];
    assert_eq!(ids(&w["assumed"]["vendors_removed"]), ["segment"]);
    assert_eq!(w["assumed"]["flows_removed"].as_array().unwrap().len(), 3);
    let by = |id: &str| {
        w["vendors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["vendor"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not in {w:#}"))
    };
    let mp = by("mixpanel");
    assert_eq!(mp["status"], "changed");
    assert_eq!(ids(&mp["no_longer_exposed"]), ["email", "ip", "name"]);
    assert_eq!(mp["severity"]["after"], "none");
    assert_eq!(ids(&by("amplitude")["no_longer_exposed"]), ["email"]);
    assert_eq!(by("segment")["status"], "removed");
    assert_eq!(w["unchanged"], 1, "sentry gets ip straight from web");
    // The ranking is the one with the assumption: segment is gone.
    assert!(
        !r["vendors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vendor"] == "segment")
    );
    let text = ok(&["rank", "--map", &map, "--without", "segment"]);
    assert!(text.contains("- vendor segment"));
    assert!(text.contains("- flow segment → mixpanel: all"));
    assert!(text.contains("- email, ip, name"), "{text}");
    let md = ok(&[
        "rank",
        "--map",
        &map,
        "--without",
        "segment",
        "-f",
        "markdown",
    ]);
    assert!(md.contains("## What if") && md.contains("## With the assumptions"));
    assert!(md.contains("| Mixpanel (`mixpanel`) | changed |"), "{md}");

    let r = json(&["blast", "mixpanel", "--map", &map, "--without", "segment"]);
    assert_eq!(r["exposed"].as_array().unwrap().len(), 0);
    assert_eq!(
        ids(&r["what_if"]["no_longer_exposed"]),
        ["email", "ip", "name"],
        "most sensitive first, then by category"
    );
}

#[test]
fn adding_a_catalog_vendor_starts_from_nothing() {
    let r = json(&[
        "blast",
        "posthog",
        "--map",
        SEED,
        "--assume",
        "dashboard -> posthog: email, user_id, user.device.ip_address",
    ]);
    let w = &r["what_if"];
    assert_eq!(w["vendor_in_map"], false);
    assert_eq!(ids(&w["assumed"]["vendors_added"]), ["posthog"]);
    assert_eq!(
        ids(&w["assumed"]["fields_added"]),
        ["user.device.ip_address"]
    );
    assert_eq!(w["severity"]["before"], "none");
    assert_eq!(r["vendor_name"], "PostHog");
    assert_eq!(r["exposed"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_assumptions_exit_2_with_every_problem() {
    let (code, out, err) = cli(&[
        "blast",
        "mixpanel",
        "--map",
        SEED,
        "--assume",
        "dashbord -> mixpanel: api_kye, user.contact.emial",
        "--without",
        "sentyr",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    for line in [
        "error: --without \"sentyr\": unknown vendor `sentyr`: it is not in this map\n  help: did you mean `sentry`?",
        "error: --assume \"dashbord -> mixpanel: api_kye, user.contact.emial\": unknown source `dashbord`",
        "  help: did you mean `dashboard`?",
        "unknown field `api_kye`\n  help: did you mean `api_key`?",
        "unknown field `user.contact.emial`\n  help: did you mean the category `user.contact.email`?",
        "4 problems in the assumptions; nothing was computed",
    ] {
        assert!(err.contains(line), "missing {line:?} in\n{err}");
    }
    for (bad, msg) in [
        (
            "dashboard mixpanel: email",
            "no `->` between the source and the destination",
        ),
        ("dashboard -> mixpanel", "no `:` before the fields"),
        ("dashboard -> mixpanel:", "no fields after the `:`"),
        (
            "dashboard -> mixpanel: all, email",
            "`all` cannot be mixed with field ids",
        ),
        (
            "dashboard -> dashboard: email",
            "flow from `dashboard` to itself",
        ),
    ] {
        let (code, _, err) = cli(&["rank", "--map", SEED, "--assume", bad]);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains(msg), "{bad}: {err}");
        assert!(err.contains("help: "), "{bad}: {err}");
    }
    let (code, _, err) = cli(&["blast", "sentry", "--map", SEED, "--without", "sentry"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("vendor `sentry` is removed by --without sentry"),
        "{err}"
    );
    let (code, _, err) = cli(&["blast", "nobody", "--map", SEED, "--without", "sentry"]);
    assert_eq!(code, 1, "an unknown vendor is still exit 1: {err}");
}

#[test]
fn diff_reports_vendors_flows_and_exposure() {
    let d = tempfile::tempdir().unwrap();
    let before = write(&d, "before.yaml", CDP);
    let after_text = CDP
        .replace("  sentry: {}\n", "  sentry: {}\n  intercom: {}\n")
        .replace(
            "  - { from: segment, to: amplitude, fields: [email] }\n",
            "  - { from: segment, to: amplitude, fields: [email, name] }\n  - { from: web, to: intercom, fields: [email, name] }\n",
        )
        .replace("  - { from: web, to: sentry, fields: [ip] }\n", "")
        .replace("  sentry: {}\n", "");
    let after = write(&d, "after.yaml", &after_text);
    let r = json(&["diff", &before, &after]);
    assert_eq!(r["version"], 1);
    assert_eq!(r["changed"], true);
    assert_eq!(r["vendors_added"][0]["vendor"], "intercom");
    assert_eq!(r["vendors_removed"][0]["vendor"], "sentry");
    assert_eq!(r["flows_added"][0]["from"], "web");
    assert_eq!(r["flows_added"][0]["to"], "intercom");
    assert_eq!(r["flows_removed"][0]["to"], "sentry");
    assert_eq!(r["flows_changed"][0]["to"], "amplitude");
    assert_eq!(ids(&r["flows_changed"][0]["fields_added"]), ["name"]);
    let exp = r["exposure"]["vendors"].as_array().unwrap();
    let by = |id: &str| exp.iter().find(|v| v["vendor"] == id).unwrap();
    assert_eq!(by("intercom")["status"], "added");
    assert_eq!(by("sentry")["status"], "removed");
    assert_eq!(ids(&by("amplitude")["newly_exposed"]), ["name"]);
    assert_eq!(by("amplitude")["severity"]["before"], "medium");
    assert_eq!(r["exposure"]["unchanged"], 2, "segment and mixpanel");

    let text = ok(&["diff", &before, &after]);
    assert!(text.contains("+ intercom (Intercom, support)"), "{text}");
    assert!(text.contains("~ segment → amplitude: + name"), "{text}");
    assert!(text.contains("2 vendors unchanged"));
    let md = ok(&["diff", &before, &after, "--format", "markdown"]);
    assert!(md.contains("## Blast radius by vendor"));
    assert!(md.contains("| Amplitude (`amplitude`) | changed |"), "{md}");

    let same = ok(&["diff", &before, &before]);
    assert!(same.contains("no differences"));
    let (code, _, err) = cli(&["diff", &before, "/nonexistent/blastmap.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read /nonexistent/blastmap.yaml"),
        "{err}"
    );
}

#[test]
fn diff_help_says_what_it_reads() {
    use clap::CommandFactory;
    let mut cmd = blastmap::cli::Cli::command();
    let help = cmd
        .find_subcommand_mut("diff")
        .unwrap()
        .render_long_help()
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("declaration file"), "{help}");
    assert!(help.contains("blastmap scan DIR --format json"), "{help}");
}

#[test]
fn graph_draws_the_assumed_map_and_says_so() {
    let args = |f: &str| {
        ok(&[
            "graph",
            "--map",
            SEED,
            "--without",
            "drift",
            "--assume",
            "dashboard -> amplitude: email",
            "-f",
            f,
        ])
    };
    let m = args("mermaid");
    assert!(m.starts_with("%% what-if: assumed: --without drift\n"));
    assert!(m.contains("%% what-if: + flow dashboard → amplitude: email\n"));
    assert!(m.contains("Amplitude") && !m.contains("Drift"), "{m}");
    let d = args("dot");
    assert!(d.contains("// what-if: - vendor drift\n"));
    let j: Value = serde_json::from_str(&args("json")).unwrap();
    assert_eq!(ids(&j["what_if"]["vendors_removed"]), ["drift"]);
    assert!(
        j["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == "vendor:amplitude")
    );
    let h = args("html");
    assert!(h.contains("<li>assumed: --without drift</li>"));
    common::tag_balance(&h).unwrap();
    let (code, _, err) = cli(&["graph", "--map", SEED, "--without", "drfit"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `drift`?"));
}

#[test]
fn hostile_ids_in_a_what_if_stay_inert_in_every_format() {
    use blastmap::graph::Mode;
    use blastmap::graph::whatif::{blast_what_if, rank_what_if};
    use blastmap::model::assume::Assumption;
    use blastmap::report::{self, Format};
    use common::{hostile, hostile_id};
    let map = hostile();
    let a = [
        Assumption::Without {
            vendor: hostile_id("fwd"),
        },
        Assumption::Flow {
            from: hostile_id("web"),
            to: hostile_id("vend"),
            fields: blastmap::model::FlowFields::List(vec![hostile_id("token")]),
            text: format!(
                "{} -> {}: {}",
                hostile_id("web"),
                hostile_id("vend"),
                hostile_id("token")
            ),
        },
    ];
    let b = blast_what_if(&map, &a, &hostile_id("vend"), Mode::Data).unwrap();
    let w = b.what_if.as_ref().unwrap();
    assert_eq!(w.newly_exposed.len(), 1);
    let r = rank_what_if(&map, &a, Mode::Data).unwrap();
    for f in [Format::Markdown, Format::Html, Format::Text] {
        for out in [report::blast(&b, f), report::rank(&r, f)] {
            assert!(!out.contains('\u{1b}'), "{f:?}");
            match f {
                Format::Html => {
                    assert!(!out.contains("<script>alert"), "{out}");
                    common::tag_balance(&out).unwrap();
                }
                Format::Markdown => {
                    for line in out.lines() {
                        // Input shows literally in code spans; elsewhere
                        // every `<` is escaped and no backtick is left open.
                        let bare = strip_code_spans(line).replace("\\`", "");
                        let raw_lt = bare
                            .char_indices()
                            .any(|(i, c)| c == '<' && (i == 0 || !bare[..i].ends_with('\\')));
                        assert!(!raw_lt, "raw `<` in {line}");
                        assert!(!bare.contains('`'), "open code span: {line}");
                    }
                    assert!(out.contains("## What if"));
                }
                _ => {}
            }
        }
    }
}

/// Replaces inline code spans (a run of N backticks up to the next run of
/// exactly N) with `CODE`.
fn strip_code_spans(line: &str) -> String {
    let b: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '`' && (i == 0 || b[i - 1] != '\\') {
            let n = b[i..].iter().take_while(|c| **c == '`').count();
            let mut j = i + n;
            let mut close = None;
            while j < b.len() {
                let m = b[j..].iter().take_while(|c| **c == '`').count();
                if m == n {
                    close = Some(j + m);
                    break;
                }
                j += m.max(1);
            }
            match close {
                Some(end) => {
                    out.push_str("CODE");
                    i = end;
                }
                None => {
                    out.extend(&b[i..i + n]);
                    i += n;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// `diff` takes two scans' JSON (the code at two commits): the second one's
/// code sends one more field to a vendor. A declared map against a scan is
/// refused (#14 item 11: it printed every field removed and re-added).
#[test]
fn diff_compares_two_scans_not_a_map_with_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let scan = ok(&[
        "scan",
        "examples/api-platform",
        "--map",
        SEED,
        "--format",
        "json",
    ]);
    let before = write(&dir, "before.json", &scan);
    let d = json(&["diff", &before, &before]);
    assert_eq!(d["changed"], false, "{d}");
    assert_eq!(d["exposure"]["unchanged"], 7, "{d}");
    let (code, _, err) = cli(&["diff", SEED, &before]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("diff compares like with like"), "{err}");
    let (code, _, err) = cli(&["diff", SEED, "/nonexistent.json"]);
    assert_eq!(code, 2, "{err}");
    let bad = write(&dir, "bad.json", "{\"integrations\": 5}");
    let (code, _, err) = cli(&["diff", &before, &bad]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.json:1:18: error: invalid scan output"),
        "{err}"
    );
}

/// Regression (email alone is enough for phishing): a vendor given the
/// email addresses of 1.2 million users, without names, came out with no
/// targeted-phishing scenario and no warn-phishing step. Whoever holds the
/// list can write to them as the service; a name makes it worse.
#[test]
fn email_alone_is_enough_for_phishing_and_names_raise_it() {
    let r = json(&[
        "blast",
        "posthog",
        "--map",
        SEED,
        "--assume",
        "dashboard -> posthog: email, user_id",
    ]);
    assert!(
        id_list(&r["scenarios"]).contains(&"targeted-phishing".to_string()),
        "{r}"
    );
    assert!(
        id_list(&r["actions"]).contains(&"warn-phishing".to_string()),
        "{r}"
    );
    assert_eq!(r["severity"], "medium", "{r}");
    let named = json(&[
        "blast",
        "posthog",
        "--map",
        SEED,
        "--assume",
        "dashboard -> posthog: email, display_name",
    ]);
    assert!(id_list(&named["scenarios"]).contains(&"targeted-phishing".to_string()));
    assert_eq!(named["severity"], "high", "{named}");
}

fn id_list(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}
