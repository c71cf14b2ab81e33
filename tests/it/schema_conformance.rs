//! The declaration file's JSON Schema (`blastmap.schema.json`) and the
//! loader give the same verdict on the same files: each case below is fed to
//! both, the loader (`declaration::load_str`) and a real JSON Schema
//! validator (the `jsonschema` crate, draft-07, formats checked), and both
//! must accept it or both must reject it.
//!
//! Some rules need more than one value at a time (a flow's `from` must name
//! a declared component or vendor, a field's category must be a key of the
//! taxonomy, which the same file may extend); JSON Schema cannot express
//! them, so editors cannot warn about them and the loader does. They are
//! listed apart (`LOADER_ONLY`), each with its reason, and checked to be
//! accepted by the schema and rejected by the loader, so that the list
//! stays true.

use serde_json::Value;

const HEAD: &str = "version: 1\n";

/// A complete valid file the cases vary.
const BASE: &str = "version: 1
system: shop
subjects:
  customer: { count: 1200, regions: [eu] }
fields:
  email: { category: user.contact.email, subject: customer }
  ip: { category: user.device.ip_address, sensitivity: low }
components:
  web: { kind: service, paths: [web/**], holds: [email, ip] }
vendors:
  mixpanel: {}
  acme: { name: Acme, category: crm }
flows:
  - { from: web, to: mixpanel, fields: [email] }
  - { from: web, to: acme, fields: all, purpose: CRM sync }
";

fn cases() -> Vec<(&'static str, String, bool)> {
    let base = |extra: &str| format!("{BASE}{extra}");
    let head = |extra: &str| format!("{HEAD}{extra}");
    vec![
        // --- accepted by both
        ("the base file", BASE.to_string(), true),
        ("version only", HEAD.to_string(), true),
        ("a system name", head("system: x\n"), true),
        (
            "a subject with a total count",
            head("subjects:\n  u: { count: 10 }\n"),
            true,
        ),
        (
            "a count per region",
            head("subjects:\n  u: { count: { eu: 10, us: 20 } }\n"),
            true,
        ),
        (
            "regions as one string",
            head("subjects:\n  u: { regions: eu }\n"),
            true,
        ),
        (
            "a field with a description",
            head("fields:\n  e: { category: user.contact.email, description: d }\n"),
            true,
        ),
        (
            "a component kind",
            head("components:\n  w: { kind: web }\n"),
            true,
        ),
        (
            "paths as one glob",
            head("components:\n  w: { paths: \"web/**\" }\n"),
            true,
        ),
        (
            "a custom vendor",
            head("vendors:\n  v: { name: V, category: analytics }\n"),
            true,
        ),
        (
            "vendor access as one id",
            base("  - { from: web, to: mixpanel, fields: [ip] }\n"),
            true,
        ),
        (
            "flow fields as taxonomy keys",
            base("  - { from: web, to: mixpanel, fields: [user.contact.email] }\n"),
            true,
        ),
        (
            "flow with a description",
            base("  - { from: web, to: acme, fields: [ip], description: why }\n"),
            true,
        ),
        (
            "a policy",
            head("policy:\n  strict: true\n  allow_vendors: [mixpanel]\n"),
            true,
        ),
        (
            "a deny rule",
            head(
                "policy:\n  deny:\n    - { categories: [user.contact], to: [analytics], reason: r }\n",
            ),
            true,
        ),
        (
            "max severity",
            head("policy:\n  max_severity: { analytics: medium }\n"),
            true,
        ),
        (
            "a level per code",
            head("policy:\n  levels: { new-vendor: deny }\n"),
            true,
        ),
        (
            "a taxonomy extension",
            head(
                "taxonomy:\n  user.content.prompts: { parent: user.content, sensitivity: high, plain: prompts }\n",
            ),
            true,
        ),
        ("an empty map of fields", head("fields: {}\n"), true),
        ("no flows", head("flows: []\n"), true),
        (
            "a YAML anchor and alias",
            head("components:\n  a: &c { kind: service }\n  b: *c\n"),
            true,
        ),
        (
            "sensitivity critical",
            head(
                "fields:\n  p: { category: user.authorization.password, sensitivity: critical }\n",
            ),
            true,
        ),
        (
            "a large count",
            head("subjects:\n  u: { count: 18000000000000000000 }\n"),
            true,
        ),
        // --- rejected by both
        ("no version", "system: x\n".to_string(), false),
        ("version 2", "version: 2\n".to_string(), false),
        ("version as a string", "version: \"1\"\n".to_string(), false),
        ("an unknown top-level key", head("vendor: {}\n"), false),
        (
            "a misspelt field key",
            head("fields:\n  e: { category: user.contact.email, sensitivty: high }\n"),
            false,
        ),
        (
            "a field without a category",
            head("fields:\n  e: { subject: s }\n"),
            false,
        ),
        (
            "a field that is a string",
            head("fields:\n  e: user.contact.email\n"),
            false,
        ),
        (
            "an unknown sensitivity",
            head("fields:\n  e: { category: user.contact.email, sensitivity: extreme }\n"),
            false,
        ),
        (
            "an unknown component kind",
            head("components:\n  w: { kind: website2 }\n"),
            false,
        ),
        (
            "a component that is a list",
            head("components:\n  w: [a]\n"),
            false,
        ),
        (
            "an unknown vendor category",
            head("vendors:\n  v: { category: analytic }\n"),
            false,
        ),
        (
            "an unknown vendor key",
            head("vendors:\n  v: { url: x }\n"),
            false,
        ),
        ("flows as a mapping", head("flows: { a: b }\n"), false),
        (
            "a flow without to",
            base("  - { from: web, fields: all }\n"),
            false,
        ),
        (
            "a flow without fields",
            base("  - { from: web, to: acme }\n"),
            false,
        ),
        (
            "flow fields as another word",
            base("  - { from: web, to: acme, fields: everything }\n"),
            false,
        ),
        (
            "an unknown flow key",
            base("  - { from: web, to: acme, fields: all, via: x }\n"),
            false,
        ),
        (
            "a negative count",
            head("subjects:\n  u: { count: -5 }\n"),
            false,
        ),
        (
            "a count with a separator",
            head("subjects:\n  u: { count: \"1,000\" }\n"),
            false,
        ),
        (
            "a count beyond 2^64",
            head("subjects:\n  u: { count: 100000000000000000000000000000000 }\n"),
            false,
        ),
        (
            "an unknown subject key",
            head("subjects:\n  u: { people: 5 }\n"),
            false,
        ),
        (
            "an unknown policy key",
            head("policy:\n  strictly: true\n"),
            false,
        ),
        (
            "strict as a string",
            head("policy:\n  strict: yes please\n"),
            false,
        ),
        (
            "an unknown policy code",
            head("policy:\n  levels: { new-vendr: deny }\n"),
            false,
        ),
        (
            "an unknown level",
            head("policy:\n  levels: { new-vendor: fatal }\n"),
            false,
        ),
        (
            "max severity unknown",
            head("policy:\n  max_severity: { analytics: huge }\n"),
            false,
        ),
        (
            "a deny rule without to",
            head("policy:\n  deny:\n    - { categories: [user.contact] }\n"),
            false,
        ),
        (
            "a taxonomy entry without parent",
            head("taxonomy:\n  user.x: { name: X }\n"),
            false,
        ),
        (
            "fields: [all]",
            base("  - { from: web, to: acme, fields: [all] }\n"),
            false,
        ),
        ("version 1.5", "version: 1.5\n".to_string(), false),
        (
            "a fractional count",
            head("subjects:\n  u: { count: 2.5 }\n"),
            false,
        ),
        (
            "a document that is a list",
            "- version: 1\n".to_string(),
            false,
        ),
        ("a name that is a list", head("system: [a, b]\n"), false),
        (
            "version 1.0 (a whole number)",
            "version: 1.0\n".to_string(),
            true,
        ),
        (
            "a count in exponent notation",
            head("subjects:\n  u: { count: 1e6 }\n"),
            true,
        ),
        (
            "a number where a name is expected",
            head("vendors:\n  v: { name: 123, category: crm }\n"),
            true,
        ),
        (
            "a number as a description",
            head("fields:\n  e: { category: user.contact.email, description: 5 }\n"),
            true,
        ),
        (
            "a YAML merge key",
            head("components:\n  a: &c { kind: service }\n  b: { <<: *c, name: B }\n"),
            false,
        ),
    ]
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("blastmap.schema.json").unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// The document as an editor's YAML language server hands it to a JSON
/// Schema validator: YAML read as data (anchors resolved), then as JSON.
fn as_json(text: &str) -> Option<Value> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    serde_json::to_value(yaml).ok()
}

#[test]
fn schema_and_loader_agree_on_every_case() {
    let v = validator();
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut disagree = Vec::new();
    for (name, text, valid) in &cases {
        let schema_ok = as_json(text).is_some_and(|doc| v.is_valid(&doc));
        let loader_ok = blastmap::model::declaration::load_str(text, "t.yaml").is_ok();
        if schema_ok != *valid || loader_ok != *valid {
            disagree.push(format!(
                "{name}: expected {}, schema {}, loader {}",
                verdict(*valid),
                verdict(schema_ok),
                verdict(loader_ok)
            ));
        }
    }
    assert!(disagree.is_empty(), "\n{}", disagree.join("\n"));
}

fn verdict(ok: bool) -> &'static str {
    if ok { "accepts" } else { "rejects" }
}

/// What only the loader can check: rules between two values of the file
/// (or between the file and the built-in taxonomy, which the file may
/// extend). JSON Schema checks each value on its own.
const LOADER_ONLY: &[(&str, &str, &str)] = &[
    (
        "a category that is not a taxonomy key",
        "fields:\n  e: { category: user.contact.emial }\n",
        "the taxonomy is the built-in one plus the file's own `taxonomy:` keys",
    ),
    (
        "a field of an undeclared subject",
        "fields:\n  e: { category: user.contact.email, subject: nobody }\n",
        "a reference to another section's ids",
    ),
    (
        "a flow from an undeclared component",
        "vendors:\n  mixpanel: {}\nflows:\n  - { from: nowhere, to: mixpanel, fields: all }\n",
        "a reference to another section's ids",
    ),
    (
        "a component holding an undeclared field",
        "components:\n  w: { holds: [ghost] }\n",
        "a reference to another section's ids",
    ),
    (
        "a deny rule naming no known category",
        "policy:\n  deny:\n    - { categories: [user.nothing], to: [analytics] }\n",
        "the taxonomy is the built-in one plus the file's own keys",
    ),
];

#[test]
fn what_only_the_loader_checks_is_listed_and_still_only_the_loaders() {
    let v = validator();
    for (name, body, why) in LOADER_ONLY {
        let text = format!("{HEAD}{body}");
        let doc = as_json(&text).expect("valid YAML");
        assert!(
            v.is_valid(&doc),
            "{name}: the schema now rejects it; move it to the cases"
        );
        assert!(
            blastmap::model::declaration::load_str(&text, "t.yaml").is_err(),
            "{name}: the loader accepts it ({why})"
        );
    }
}
