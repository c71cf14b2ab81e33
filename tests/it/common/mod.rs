//! Shared report fixtures and output checks for the report tests.
//!
//! Two maps feed every format: `shop`, a small system built here (a CDP
//! forwarding to analytics, a support widget with credentials to the CRM,
//! a component chain, scan evidence with file:line on some hops), and the
//! seed example `examples/api-platform/blastmap.yaml`. A third, `hostile`,
//! is built field by field so that even ids carry markup.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use blastmap::model::declaration::{load_file, load_str, locate_flows};
use blastmap::model::{
    Component, ComponentKind, Evidence, EvidenceKind, Field, Flow, FlowFields, Map, Origin, Scope,
    Sensitivity, Subject, Vendor, VendorCategory,
};

/// The seed example's path, relative to the crate root (the tests' cwd).
pub const SEED: &str = "examples/api-platform/blastmap.yaml";

/// The small shop map, as a user would write it.
pub const SHOP_YAML: &str = r#"version: 1
system: shop
subjects:
  customer: { description: Shoppers with an account, count: 48000, regions: [eu] }
  agent: { description: Support staff, count: 35 }
fields:
  email:         { category: user.contact.email, subject: customer }
  full_name:     { category: user.name, subject: customer }
  street:        { category: user.contact.address.street, subject: customer }
  ip:            { category: user.device.ip_address, subject: customer }
  password_hash: { category: user.authorization.password, subject: customer }
  order_notes:   { category: user.content.private, subject: customer }
  agent_email:   { category: user.contact.email, subject: agent }
components:
  storefront:
    kind: web
    name: Storefront
    paths: ["web/**"]
    holds: [email, full_name, ip]
  orders:
    kind: service
    name: Order service
    paths: ["services/orders/**"]
    holds: [email, full_name, street, order_notes]
  warehouse:
    kind: datastore
    name: Order warehouse
  auth:
    kind: service
    holds: [email, password_hash]
vendors:
  relay:  { name: Relay CDP, category: cdp }
  pixel:  { name: Pixel Analytics, category: analytics }
  crmly:  { name: CRMly, category: crm }
  deskly: { name: Deskly help desk, category: support, access: [crmly] }
flows:
  - from: storefront
    to: relay
    fields: [email, full_name, ip]
    purpose: event tracking
  - from: relay
    to: pixel
    fields: all
    purpose: forwarding to product analytics
  - from: orders
    to: warehouse
    fields: all
    purpose: nightly export
  - from: orders
    to: crmly
    fields: [email, full_name, street]
    purpose: customer records for sales
  - from: storefront
    to: deskly
    fields: [email, agent_email]
    purpose: help widget
"#;

/// The shop map, with scan evidence on two flows (as the scanner
/// reconciles it: origin `both`, code locations beside the declaration).
pub fn shop() -> Map {
    let mut map = load_str(SHOP_YAML, "shop/blastmap.yaml").expect("the shop fixture is valid");
    locate_flows(&mut map, SHOP_YAML);
    let ev = |kind, file: &str, line, text: &str| Evidence {
        kind,
        file: file.into(),
        line,
        text: text.into(),
        scope: Scope::Production,
    };
    for f in &mut map.flows {
        match (f.from.as_str(), f.to.as_str()) {
            ("storefront", "relay") => {
                f.origin = Origin::BOTH;
                f.evidence.push(ev(
                    EvidenceKind::Import,
                    "web/src/analytics.ts",
                    3,
                    "import { RelayClient } from '@relay/browser'",
                ));
                f.evidence.push(ev(
                    EvidenceKind::Call,
                    "web/src/analytics.ts",
                    27,
                    "relay.identify(user.id, { email: user.email, name: user.fullName })",
                ));
            }
            ("orders", "crmly") => {
                f.origin = Origin::BOTH;
                f.evidence.push(ev(
                    EvidenceKind::Call,
                    "services/orders/crm_sync.py",
                    58,
                    "crm.contacts.upsert(email=order.email, name=order.name, street=order.street)",
                ));
            }
            _ => {}
        }
    }
    map
}

/// The seed example, with its flows' line numbers (as the CLI loads it).
pub fn seed() -> Map {
    let mut map = load_file(Path::new(SEED)).expect("the seed example is valid");
    let text = std::fs::read_to_string(SEED).expect("the seed example is readable");
    locate_flows(&mut map, &text);
    map
}

/// Markup, quotes, backticks, CDATA and comment ends, Mermaid and DOT
/// metacharacters, a terminal escape, and a script that would mark the page
/// if it ever ran.
pub const EVIL: &str = "<script>alert(1)</script><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> \"q\" 'a' `b` ]]> --> [x]{y}(z)|w;#1 \"\\{}<> \\ \u{1b}[31mred";

/// Every string a user controls in a declaration, made as unpleasant as
/// YAML allows (the loader keeps ids plain; [`hostile`] has hostile ids).
pub const HOSTILE_YAML: &str = r#"
version: 1
system: "acme'); MATCH (n) DETACH DELETE n; //"
fields:
  email: { category: user.contact.email, description: "a\\b" }
components:
  web: { kind: web, name: "<script>alert(1)</script> & \"co\"", holds: [email] }
vendors:
  evil:
    name: "Evil \\' Inc.\nsecond line\u0000\u001b]0;pwn\u0007"
    category: other
flows:
  - from: web
    to: evil
    fields: [email]
    purpose: "']->(x) DETACH DELETE x //"
"#;

/// A map whose every input string is hostile, built without the loader (so
/// even ids are; the loader would reject such ids, but scan results and
/// future inputs need not go through it).
pub fn hostile() -> Map {
    let mut map = Map::new(format!("sys {EVIL}"));
    let id = |s: &str| format!("{s}{EVIL}");
    map.subjects.insert(
        id("subj"),
        Subject {
            id: id("subj"),
            description: Some(format!("people {EVIL}")),
            count: Some(1000),
            count_by_region: Default::default(),
            regions: vec!["eu".into(), format!("r{EVIL}")],
        },
    );
    let field = |fid: String, category: &str, sensitivity| Field {
        id: fid,
        category: category.into(),
        subject: Some(id("subj")),
        sensitivity,
        description: Some(EVIL.into()),
        implicit: false,
    };
    for (f, c, s) in [
        (id("email"), "user.contact.email", Sensitivity::Medium),
        (id("name"), "user.name", Sensitivity::Medium),
        (
            id("token"),
            "user.authorization.credentials",
            Sensitivity::Critical,
        ),
        (id("secret"), "user.content.private", Sensitivity::High),
    ] {
        map.fields.insert(f.clone(), field(f, c, s));
    }
    map.components.insert(
        id("web"),
        Component {
            id: id("web"),
            name: Some(format!("Web {EVIL}")),
            kind: ComponentKind::Web,
            paths: vec![format!("web/{EVIL}/**")],
            holds: vec![id("email"), id("name"), id("token")],
            origin: Origin::DECLARED,
        },
    );
    map.components.insert(
        id("db"),
        Component {
            id: id("db"),
            name: None,
            kind: ComponentKind::Datastore,
            paths: Vec::new(),
            holds: vec![id("secret")],
            origin: Origin::DECLARED,
        },
    );
    for (v, cat, access) in [
        (id("vend"), VendorCategory::Analytics, vec![]),
        (id("fwd"), VendorCategory::Other, vec![]),
        (id("chat"), VendorCategory::Support, vec![id("db")]),
    ] {
        map.vendors.insert(
            v.clone(),
            Vendor {
                id: v.clone(),
                name: format!("Vendor {EVIL}"),
                category: cat,
                access,
                in_catalog: false,
                origin: Origin::DECLARED,
            },
        );
    }
    let ev = Evidence {
        kind: EvidenceKind::Call,
        file: format!("web/{EVIL}.ts"),
        line: 7,
        text: format!("track({EVIL})"),
        scope: Scope::Production,
    };
    map.flows.push(Flow {
        from: id("web"),
        to: id("vend"),
        fields: FlowFields::List(vec![id("email"), id("name")]),
        purpose: Some(format!("purpose {EVIL}")),
        evidence: vec![ev.clone()],
        origin: Origin::BOTH,
        discovered: Vec::new(),
    });
    map.flows.push(Flow {
        from: id("vend"),
        to: id("fwd"),
        fields: FlowFields::All,
        purpose: Some(EVIL.into()),
        evidence: vec![Evidence {
            kind: EvidenceKind::Declared,
            file: format!("{EVIL}.yaml"),
            line: 3,
            text: "flows[1]".into(),
            scope: Scope::Production,
        }],
        origin: Origin::DECLARED,
        discovered: Vec::new(),
    });
    map.flows.push(Flow {
        from: id("web"),
        to: id("chat"),
        fields: FlowFields::List(vec![id("token")]),
        purpose: None,
        evidence: vec![ev],
        origin: Origin::DISCOVERED,
        discovered: Vec::new(),
    });
    map
}

/// The ids of the hostile map, for the tests to pick vendors.
pub fn hostile_id(s: &str) -> String {
    format!("{s}{EVIL}")
}

/// The fields the seed example's Mixpanel breach exposes, sorted: what
/// `blast mixpanel` on [`SEED`] answers, and every format built from it.
pub const SEED_MIXPANEL: [&str; 8] = [
    "approx_location",
    "browser",
    "display_name",
    "email",
    "org_id",
    "os",
    "referrer",
    "user_id",
];

/// Runs the built `blastmap` binary with `args`; asserts it succeeds and
/// returns its stdout.
pub fn binary(args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "blastmap {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs the CLI in process: (exit code, stdout, stderr).
pub fn cli(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    let mut argv = vec!["blastmap"];
    argv.extend_from_slice(args);
    let parsed = blastmap::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let o = blastmap::cli::run(parsed);
    (o.code, o.stdout, o.stderr)
}

/// Elements that never have a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// A small HTML well-formedness check: every non-void element is closed in
/// order, `<script>`/`<style>` bodies are skipped as raw text, attribute
/// values are quoted, and no `<` appears in text unless it starts a tag.
/// Returns the problem, or the number of elements seen.
pub fn tag_balance(html: &str) -> Result<usize, String> {
    let b = html.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    let mut count = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").ok_or("unclosed comment")?;
            i += end + 3;
            continue;
        }
        if rest.starts_with("<!") {
            let end = rest.find('>').ok_or("unclosed doctype")?;
            i += end + 1;
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let name: String = rest[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name.is_empty() {
            return Err(format!(
                "a bare `<` in text at byte {i}: {:?}",
                &rest[..rest.len().min(40)]
            ));
        }
        // Find the end of the tag, honouring quoted attribute values.
        let mut j = i + name_start + name.len();
        let mut quote: Option<u8> = None;
        loop {
            if j >= b.len() {
                return Err(format!("unterminated tag <{name}"));
            }
            match (quote, b[j]) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, b'"') | (None, b'\'') => quote = Some(b[j]),
                (None, b'<') => return Err(format!("`<` inside tag <{name}")),
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let self_closing = b[j - 1] == b'/';
        let lname = name.to_ascii_lowercase();
        count += 1;
        if closing {
            match stack.pop() {
                Some(open) if open == lname => {}
                other => return Err(format!("</{lname}> closes {other:?} at byte {i}")),
            }
            i = j + 1;
            continue;
        }
        i = j + 1;
        if self_closing || VOID.contains(&lname.as_str()) {
            continue;
        }
        if lname == "script" || lname == "style" {
            let close = format!("</{lname}>");
            let end = html[i..]
                .find(&close)
                .ok_or_else(|| format!("unclosed <{lname}>"))?;
            i += end + close.len();
            continue;
        }
        stack.push(lname);
    }
    if stack.is_empty() {
        Ok(count)
    } else {
        Err(format!("unclosed elements: {stack:?}"))
    }
}

/// Whether the tests run in CI (`CI=true`), where `.ci/run` installs every
/// tool they use.
pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// A test cannot check what it is about because `tool` is missing or
/// unusable (`why`). In CI that is a failure naming the tool: `.ci/run`
/// installs it, so its absence means the check never ran. Elsewhere the
/// test prints a notice and the caller skips the check.
#[track_caller]
pub fn tool_missing(tool: &str, why: &str) {
    if in_ci() {
        panic!("`{tool}` is missing or unusable in CI ({why}): .ci/run installs it");
    }
    eprintln!("notice: `{tool}` unavailable ({why}); this check is skipped outside CI");
}

/// Path to Graphviz's `dot`, when installed; in CI its absence fails
/// ([`tool_missing`]).
pub fn dot_binary() -> Option<&'static str> {
    let found = ["/usr/bin/dot", "/usr/local/bin/dot"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if found.is_none() {
        tool_missing("dot", "graphviz not installed; DOT output not validated");
    }
    found
}

/// Runs `dot -Tsvg` over a graph; Err with dot's complaint.
pub fn dot_accepts(dot: &str, text: &str) -> Result<String, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(dot)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    if out.status.success() && !stderr.contains("Error") && !stderr.contains("syntax error") {
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    } else {
        Err(stderr)
    }
}

/// Every `.rs` file below `dir` (relative to the package root), sorted:
/// what the structure tests (`layers`, `fn_length`) read.
pub fn rust_files_under(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new(dir), &mut out);
    out.sort();
    out
}
