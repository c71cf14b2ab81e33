//! `blastmap observe --har`, through the binary, on real recordings in
//! tests/fixtures/observe/: `playwright.har` recorded by Playwright in
//! headless Chromium from the fixture page (`page.js`, `record.mjs`),
//! `chromium.har`, `firefox.har` and `proxy.har` written in the formats
//! DevTools, Firefox and a proxy export, and `hostile.har`
//! (`write-hars.mjs`). Then the observations joined
//! with a map by `blast --observed` and compared by `check --observed`.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const DIR: &str = "tests/fixtures/observe";

fn bin() -> Command {
    Command::cargo_bin("blastmap").unwrap()
}

/// `observe` on `files` with the canary, as JSON.
fn observe(files: &[&str], extra: &[&str]) -> Value {
    let mut c = bin();
    c.arg("observe");
    for f in files {
        c.args(["--har", &format!("{DIR}/{f}")]);
    }
    c.args(["--canary", &format!("{DIR}/canary.yaml"), "-f", "json"]);
    c.args(extra);
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn vendor<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor"] == id)
        .unwrap_or_else(|| panic!("no {id} in {r:#}"))
}

/// (part path, category) of a vendor's fields, and its formats.
fn fields_of(r: &Value, id: &str) -> (Vec<(String, String)>, Vec<String>) {
    let v = vendor(r, id);
    let mut f = Vec::new();
    let mut formats = Vec::new();
    for q in v["requests"].as_array().unwrap() {
        for x in q["fields"].as_array().unwrap() {
            f.push((
                format!(
                    "{} {}",
                    x["part"].as_str().unwrap(),
                    x["path"].as_str().unwrap()
                ),
                x["category"].as_str().unwrap().to_string(),
            ));
        }
        for x in q["formats"].as_array().unwrap() {
            formats.push(x.as_str().unwrap().to_string());
        }
    }
    (f, formats)
}

fn has(fields: &[(String, String)], path: &str, category: &str) -> bool {
    fields.iter().any(|(p, c)| p == path && c == category)
}

#[test]
fn each_payload_format_is_decoded_and_classified() {
    let r = observe(
        &["playwright.har", "chromium.har", "proxy.har", "firefox.har"],
        &[],
    );
    let cases: &[(&str, &str, &str, &str)] = &[
        // vendor, format, key path, category
        (
            "mixpanel",
            "base64",
            "query data.properties.$email",
            "user.contact.email",
        ),
        (
            "mixpanel",
            "query",
            "query data.properties.$current_url",
            "user.behavior.browsing_history",
        ),
        (
            "segment",
            "batch",
            "body batch[].traits.email",
            "user.contact.email",
        ),
        ("segment", "gzip", "cookie ajs_user_id", "user.unique_id"),
        (
            "segment",
            "json",
            "body batch[].context.page.referrer",
            "user.behavior.referrer",
        ),
        (
            "google-analytics",
            "ga4",
            "query dl",
            "user.behavior.browsing_history",
        ),
        (
            "google-analytics",
            "ga4",
            "query ep.customer_email",
            "user.contact.email",
        ),
        (
            "google-analytics",
            "ga4",
            "query up.phone_number",
            "user.contact.phone_number",
        ),
        (
            "amplitude",
            "beacon",
            "body events[].user_id",
            "user.unique_id",
        ),
        (
            "posthog",
            "batch",
            "body [].properties.$current_url",
            "user.behavior.browsing_history",
        ),
        (
            "posthog",
            "deflate",
            "body batch[].properties.$set.email",
            "user.contact.email",
        ),
        ("hubspot", "form", "body email", "user.contact.email"),
        ("meta-pixel", "query", "query ud[em]", "user.contact.email"),
        ("criteo", "query", "query p0", "user.contact.email"),
        // Firefox: a form kept only as its parsed params.
        (
            "intercom",
            "form",
            "body user_data.email",
            "user.contact.email",
        ),
        (
            "tiktok-pixel",
            "json",
            "body context.user.email",
            "user.contact.email",
        ),
    ];
    for (v, format, path, cat) in cases {
        let (fields, formats) = fields_of(&r, v);
        assert!(
            formats.iter().any(|f| f == format),
            "{v}: no {format} in {formats:?}"
        );
        assert!(
            has(&fields, path, cat),
            "{v}: no {path} as {cat} in {fields:?}"
        );
    }
    // The headers that say who and where, from every writer.
    let (seg, _) = fields_of(&r, "segment");
    assert!(seg.iter().any(|(p, c)| p.eq_ignore_ascii_case("header referer")
        && c == "user.behavior.referrer"));
    // The project key an SDK sends is the system's, not a person's.
    let (mp, _) = fields_of(&r, "mixpanel");
    assert!(has(
        &mp,
        "query data.properties.token",
        "system.authentication"
    ));
    // Non-vendor hosts are counted, not read: the page, its script, its
    // own API and an unknown CDN.
    let pw = &r["files"][0];
    assert_eq!(pw["entries"], 13);
    assert_eq!(pw["other_requests"], 4);
    assert_eq!(pw["vendor_requests"], 9);
    // Playwright stores a binary body as UTF-8 text, which loses its bytes:
    // PostHog's gzip-js batch is said to be undecodable, not read as empty.
    let lost = vendor(&r, "posthog")["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["url"].as_str().unwrap().contains("compression="))
        .expect("the gzip-js request");
    assert!(
        lost["problems"][0]
            .as_str()
            .unwrap()
            .contains("bytes are lost"),
        "{lost}"
    );
}

#[test]
fn the_canary_is_found_in_every_form_with_its_encoding() {
    let r = observe(&["playwright.har", "chromium.har", "firefox.har"], &[]);
    let hits = |v: &str| -> Vec<(String, String, String)> {
        vendor(&r, v)["requests"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|q| q["canaries"].as_array().unwrap().clone())
            .map(|h| {
                (
                    h["canary"].as_str().unwrap().to_string(),
                    h["encoding"].as_str().unwrap().to_string(),
                    h["found_in"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let expect: &[(&str, &str, &str, &str)] = &[
        ("mixpanel", "email", "plain", "query data (base64)"),
        ("segment", "email", "lowercase", "body"),
        ("segment", "email", "base64", "body"),
        ("segment", "email", "plain", "body (gzip)"),
        ("hubspot", "email", "url-encoded", "body"),
        ("google-analytics", "email", "url-encoded", "url"),
        ("meta-pixel", "email", "sha256", "url"),
        ("meta-pixel", "phone", "sha256", "url"),
        ("criteo", "email", "md5", "url"),
        ("segment", "user_id", "plain", "cookie ajs_user_id"),
        ("tiktok-pixel", "phone", "sha256", "body"),
        ("intercom", "email", "plain", "body user_data.email"),
    ];
    for (v, canary, encoding, at) in expect {
        let h = hits(v);
        assert!(
            h.iter()
                .any(|(c, e, f)| c == canary && e == encoding && f == at),
            "{v}: no {canary} ({encoding}) in {at}: {h:?}"
        );
    }
    // A hashed email is still the email: the field is classified by it.
    let (fb, _) = fields_of(&r, "meta-pixel");
    assert!(has(&fb, "query ud[ph]", "user.contact.phone_number"));
    assert_eq!(
        vendor(&r, "meta-pixel")["canaries"],
        serde_json::json!(["email", "phone"])
    );
    // The text report names the form too.
    let out = bin()
        .args(["observe", "--har", &format!("{DIR}/playwright.har")])
        .args(["--canary", &format!("{DIR}/canary.yaml")])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("canary email (md5) in url"), "{text}");
    assert!(text.contains("canary email (sha256) in url"), "{text}");
}

/// Raw values that are not the canary's: ids, tokens, the page's query.
const RAW: &[&str] = &[
    "anon-5f2c",
    "dev-9a1",
    "mp-project-token",
    "amp-key",
    "1234.5678",
    "utm_source=news",
    "news.example",
    "Ada.Canary@Example.com",
    "ada.canary%40example.com",
    "u-7c1d0e42",
];

#[test]
fn values_are_shown_only_with_show_values() {
    for format in ["text", "json"] {
        let out = bin()
            .args(["observe", "--har", &format!("{DIR}/playwright.har")])
            .args(["--har", &format!("{DIR}/chromium.har")])
            .args(["--canary", &format!("{DIR}/canary.yaml"), "-f", format])
            .output()
            .unwrap();
        let s = String::from_utf8(out.stdout).unwrap();
        for raw in RAW {
            assert!(!s.contains(raw), "{format} shows `{raw}`");
        }
        assert!(s.contains("user.contact.email"));
    }
    let shown = observe(&["playwright.har"], &["--show-values"]);
    let text = shown.to_string();
    assert!(text.contains("anon-5f2c") && text.contains("news.example"));
    assert_eq!(shown["show_values"], true);
}

#[test]
fn hostile_recordings_neither_crash_nor_reach_the_terminal_raw() {
    let out = bin()
        .args(["observe", "--har", &format!("{DIR}/hostile.har")])
        .args(["--canary", &format!("{DIR}/canary.yaml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains(['\u{1b}', '\u{7}']),
        "a raw control character reached the terminal"
    );
    assert!(text.contains("\\u{1b}[31m"), "{text}");
    assert!(text.contains("compression bomb"), "{text}");
    assert!(text.contains("not valid JSON"), "{text}");
    // The canary is still found in a body that does not parse.
    assert!(text.contains("canary user_id (plain) in body"), "{text}");

    let r = observe(&["hostile.har"], &["--show-values"]);
    // data: URL, a look-alike host, a vendor host in a path: not vendors.
    assert_eq!(r["files"][0]["other_requests"], 3);
    assert!(
        r["vendors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["vendor"] != "mixpanel")
    );
    // Secrets are redacted even with --show-values.
    let s = r.to_string();
    assert!(!s.contains("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), "{s}");
    assert!(s.contains("REDACTED"));
}

#[test]
fn a_body_past_the_bound_is_not_decoded_but_said() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(5 * 1024 * 1024);
    let har = serde_json::json!({"log": {"entries": [{"request": {
        "method": "POST", "url": "https://api.mixpanel.com/track",
        "postData": {"mimeType": "application/json", "text": format!("{{\"pad\": \"{big}\"}}")}}}]}});
    let p = dir.path().join("big.har");
    std::fs::write(&p, har.to_string()).unwrap();
    let out = bin()
        .args(["observe", "--har"])
        .arg(&p)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let q = &r["vendors"][0]["requests"][0];
    assert!(
        q["problems"][0]
            .as_str()
            .unwrap()
            .contains("larger than 4 MiB"),
        "{q}"
    );
}

#[test]
fn bad_inputs_say_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.har");
    std::fs::write(&bad, "{\"log\": {\"entries\": [\n  {\"request\": }]}}").unwrap();
    let out = bin().args(["observe", "--har"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.har") && err.contains("line 2"), "{err}");
    assert!(err.contains("help:"), "{err}");

    let out = bin().args(["observe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("--har FILE")
    );

    // --observed takes only the observer's JSON.
    let out = bin()
        .args(["blast", "segment", "--no-map", "--observed"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let scan_json = dir.path().join("scan.json");
    std::fs::write(&scan_json, "{\"version\": 1, \"integrations\": []}").unwrap();
    let out = bin()
        .args(["rank", "--no-map", "--observed"])
        .arg(&scan_json)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("blastmap-observed")
    );

    let canary = dir.path().join("c.yaml");
    std::fs::write(&canary, "email: a@b\n").unwrap();
    let out = bin()
        .args(["observe", "--har", &format!("{DIR}/proxy.har"), "--canary"])
        .arg(&canary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("shorter than 4")
    );
}

/// Writes the observer's JSON for `har` into `dir`.
fn observed_json(dir: &Path, har: &str) -> std::path::PathBuf {
    let p = dir.join(format!("{har}.json"));
    let out = bin()
        .args(["observe", "--har", &format!("{DIR}/{har}")])
        .args([
            "--canary",
            &format!("{DIR}/canary.yaml"),
            "-f",
            "json",
            "-o",
        ])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    p
}

#[test]
fn blast_shows_the_observed_fields_with_the_request_as_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let obs = observed_json(dir.path(), "playwright.har");
    let out = bin()
        .args(["blast", "segment", "--no-map", "--observed"])
        .arg(&obs)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let email = r["exposed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["category"] == "user.contact.email")
        .expect("the observed email is exposed");
    let hop = &email["routes"][0]["hops"][0];
    assert_eq!(hop["from"], "observed");
    assert_eq!(hop["origin"], "observed");
    let ev = &hop["evidence"][0];
    assert_eq!(ev["kind"], "observed");
    assert!(
        ev["file"]
            .as_str()
            .unwrap()
            .ends_with("playwright.har#entries[3]"),
        "{ev}"
    );
    assert!(
        ev["text"]
            .as_str()
            .unwrap()
            .contains("POST https://api.segment.io/v1/batch"),
        "{ev}"
    );
    // Not in the declared-only example: nothing observed went to Stripe.
    let out = bin()
        .args(["blast", "segment", "--no-map", "--observed"])
        .arg(&obs)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("playwright.har#entries[3]"), "{text}");
}

#[test]
fn check_reports_undeclared_observed_flows_and_hidden_vendors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "blastmap.yaml",
        "version: 1\nsystem: shop\nsubjects:\n  customer: {}\nfields:\n  user_id: { category: user.unique_id, subject: customer }\ncomponents:\n  web: { kind: web, paths: [\"web/**\"], holds: [user_id] }\nvendors:\n  segment: {}\nflows:\n  - { from: web, to: segment, fields: [user_id] }\n",
    );
    write(
        "web/package.json",
        "{\"name\": \"web\", \"dependencies\": {\"@segment/analytics-next\": \"1.70.0\"}}\n",
    );
    write(
        "web/src/analytics.js",
        "import { AnalyticsBrowser } from '@segment/analytics-next';\nexport const analytics = AnalyticsBrowser.load({ writeKey: 'k' });\nexport function who(user) { analytics.identify(user.id); }\n",
    );
    // Regression: the report, kept in the checked tree, was scanned as code
    // and its quoted URLs made every observed vendor "found in the code".
    let obs = observed_json(root, "playwright.har");
    let out = bin()
        .current_dir(root)
        .args(["check", "--observed"])
        .arg(&obs)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = r["findings"].as_array().unwrap();
    let find = |code: &str, vendor: &str| {
        findings
            .iter()
            .filter(|f| f["code"] == code && f["vendor"] == vendor)
            .collect::<Vec<_>>()
    };
    // Segment is in the code: no hidden-vendor; its observed email is not
    // declared, with the request as the location; its user id is.
    assert!(find("hidden-vendor", "segment").is_empty(), "{findings:#?}");
    let flows = find("undeclared-flow", "segment");
    let email = flows
        .iter()
        .find(|f| f["category"] == "user.contact.email")
        .expect("undeclared observed email");
    assert_eq!(email["component"], "web");
    assert!(
        email["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("playwright.har#entries[3]")
    );
    assert!(email["message"].as_str().unwrap().contains("observed"));
    assert!(!flows.iter().any(|f| f["category"] == "user.unique_id"));
    // The pixel and the rest were never in the code: hidden, denied.
    let pixel = find("hidden-vendor", "meta-pixel");
    assert_eq!(pixel.len(), 1);
    assert_eq!(pixel[0]["level"], "deny");
    assert!(
        pixel[0]["message"]
            .as_str()
            .unwrap()
            .contains("tag manager")
    );

    // Declared, a hidden vendor is a warning.
    let yaml = std::fs::read_to_string(root.join("blastmap.yaml"))
        .unwrap()
        .replace("  segment: {}\n", "  segment: {}\n  meta-pixel: {}\n");
    write("blastmap.yaml", &yaml);
    let out = bin()
        .current_dir(root)
        .args(["check", "--observed"])
        .arg(&obs)
        .args(["-f", "sarif"])
        .output()
        .unwrap();
    let sarif = String::from_utf8(out.stdout).unwrap();
    assert!(sarif.contains("\"hidden-vendor\""));
    let out = bin()
        .current_dir(root)
        .args(["check", "--observed"])
        .arg(&obs)
        .args(["-f", "json"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pixel = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "hidden-vendor" && f["vendor"] == "meta-pixel")
        .cloned()
        .unwrap();
    assert_eq!(pixel["level"], "warn");

    let out = bin()
        .args(["check", "--explain", "hidden-vendor"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("tag manager")
    );
}

/// The text and JSON reports over one shared pair of recordings, as
/// snapshots: a change of wording or of the JSON's shape shows in review.
#[test]
fn without_declarations_the_note_says_the_traffic_was_checked() {
    let dir = tempfile::tempdir().unwrap();
    let obs = observed_json(dir.path(), "playwright.har");
    let out = bin()
        .current_dir(dir.path())
        .args(["check", "--observed"])
        .arg(&obs)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("hidden-vendor"), "{stdout}");
    assert!(
        stdout.contains(
            "so only hard-coded secrets and vendors seen only in the recorded traffic were checked"
        ),
        "{stdout}"
    );
}

#[test]
fn reports_in_every_format() {
    for (format, name) in [("text", "observe_text"), ("json", "observe_json")] {
        let out = bin()
            .args(["observe", "--har", &format!("{DIR}/chromium.har")])
            .args(["--har", &format!("{DIR}/firefox.har")])
            .args(["--canary", &format!("{DIR}/canary.yaml"), "-f", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(name, String::from_utf8(out.stdout).unwrap());
    }
}

/// The policy applies to what was observed, and the finding points at the
/// request as the recording was named, not under the scanned folder.
#[test]
fn the_policy_denies_observed_flows_at_the_request() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("blastmap.yaml"),
        "version: 1\nsystem: shop\nvendors:\n  meta-pixel: {}\npolicy:\n  deny:\n    - { categories: [user.contact], to: [advertising] }\n",
    )
    .unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let obs = out_dir.path().join("o.json");
    let out = bin()
        .args([
            "observe",
            "--har",
            &format!("{DIR}/playwright.har"),
            "-f",
            "json",
            "-o",
        ])
        .arg(&obs)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = bin()
        .args(["check", "--scan"])
        .arg(root.path())
        .arg("--observed")
        .arg(&obs)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let denied: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "policy-denied" && f["vendor"] == "meta-pixel")
        .collect();
    // Without a canary, Meta's `ud[em]` key says it is the email.
    assert!(
        denied
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("email addresses"))
    );
    assert_eq!(
        denied[0]["location"]["file"],
        format!("{DIR}/playwright.har#entries[6]")
    );
}
