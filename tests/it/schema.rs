//! The committed JSON Schema for `blastmap.yaml` (`blastmap.schema.json` at
//! the repository root) is what the types generate, and it accepts the real
//! example files and rejects what the loader rejects.
//!
//! After changing the types in src/model/schema.rs, regenerate it with
//! `BLASTMAP_UPDATE_SCHEMA=1 cargo test --test it schema::`.

use serde_json::Value;

const COMMITTED: &str = "blastmap.schema.json";

#[test]
fn committed_schema_is_up_to_date() {
    let fresh = blastmap::model::schema::json_schema();
    if std::env::var_os("BLASTMAP_UPDATE_SCHEMA").is_some() {
        std::fs::write(COMMITTED, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == fresh,
        "{COMMITTED} is stale: run `BLASTMAP_UPDATE_SCHEMA=1 cargo test --test it schema::` and commit it"
    );
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(COMMITTED).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

#[test]
fn schema_accepts_the_example_declaration() {
    let v = validator();
    for path in [
        "examples/api-platform/blastmap.yaml",
        "tests/fixtures/merge/payments-api/blastmap.yaml",
    ] {
        let doc = yaml(&std::fs::read_to_string(path).unwrap());
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:?}");
    }
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    let v = validator();
    for (bad, why) in [
        ("version: 1\nvendor: {}\n", "unknown top-level key"),
        ("version: 2\n", "version other than 1"),
        ("system: x\n", "missing version"),
        (
            "version: 1\nfields:\n  email: { category: user.contact.email, sensitivty: high }\n",
            "typo in a field key",
        ),
        (
            "version: 1\nfields:\n  email: { subject: x }\n",
            "field without category",
        ),
        (
            "version: 1\ncomponents:\n  web: { kind: website }\n",
            "unknown component kind",
        ),
        (
            "version: 1\nvendors:\n  x: { category: analytic }\n",
            "unknown vendor category",
        ),
        (
            "version: 1\nflows:\n  - { from: a, to: b, fields: everything }\n",
            "fields neither all nor a list",
        ),
        (
            "version: 1\nflows:\n  - { from: a, fields: all }\n",
            "flow without to",
        ),
    ] {
        assert!(!v.is_valid(&yaml(bad)), "schema accepted: {why}");
        assert!(
            blastmap::model::declaration::load_str(bad, "t.yaml").is_err(),
            "loader accepted: {why}"
        );
    }
}
