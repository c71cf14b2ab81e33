//! Fides system manifests as `--map` input: systems become components and
//! vendors, privacy declarations become fields, egress and ingress become
//! flows; what Fides does not say is not guessed.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use blastmap::graph::{DataGraph, Mode};
use blastmap::input::{InputKind, load_file, load_str};
use blastmap::model::{ComponentKind, FlowFields};
use serde_json::Value;

const SHOP: &str = "tests/fixtures/fides/shop.fides.yml";

fn exposed(map: &blastmap::model::Map, vendor: &str) -> BTreeSet<String> {
    let g = DataGraph::build(map);
    g.blast(vendor, Mode::Data)
        .unwrap()
        .exposed
        .iter()
        .map(|e| e.category.clone())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn systems_become_components_and_catalog_vendors() {
    let loaded = load_file(Path::new(SHOP), true).unwrap();
    assert_eq!(loaded.kind, InputKind::Fides);
    let map = loaded.map;
    assert_eq!(map.system, "default_organization");
    // `google_analytics` and the system named "Zendesk" are catalog vendors.
    let vendors: Vec<&str> = map.vendors.keys().map(String::as_str).collect();
    assert_eq!(
        vendors,
        [
            "datadog",
            "google-analytics",
            "snowflake",
            "stripe",
            "zendesk"
        ]
    );
    assert!(map.vendors["zendesk"].in_catalog);
    assert_eq!(map.vendors["stripe"].name, "Stripe");
    let components: Vec<&str> = map.components.keys().map(String::as_str).collect();
    assert_eq!(
        components,
        [
            "default_organization",
            "nightly_export",
            "orders_db",
            "storefront"
        ]
    );
    assert_eq!(map.components["orders_db"].kind, ComponentKind::Datastore);
    assert_eq!(
        map.components["nightly_export"].kind,
        ComponentKind::Service
    );
    // Data sent back to the person (`type: user`) is not a vendor.
    assert!(!map.vendors.contains_key("customer"));
    assert_eq!(map.subjects.keys().collect::<Vec<_>>(), ["customer"]);
}

#[test]
fn blast_radius_follows_egress_ingress_and_declarations() {
    let map = load_file(Path::new(SHOP), true).unwrap().map;
    assert_eq!(
        exposed(&map, "google-analytics"),
        set(&[
            "user.behavior.browsing_history",
            "user.device.cookie_id",
            "user.device.ip_address"
        ])
    );
    // Stripe's ingress entry names no categories: the storefront declaration
    // that sends to Stripe says which. The address Stripe declares it
    // processes arrives from the organisation, with the declaration as evidence.
    assert_eq!(
        exposed(&map, "stripe"),
        set(&[
            "user.contact.address",
            "user.contact.email",
            "user.financial.credit_card",
            "user.name"
        ])
    );
    let to_stripe: Vec<_> = map.flows.iter().filter(|f| f.to == "stripe").collect();
    assert_eq!(to_stripe.len(), 2);
    let org = to_stripe
        .iter()
        .find(|f| f.from == "default_organization")
        .unwrap();
    assert_eq!(
        org.fields,
        FlowFields::List(vec!["user.contact.address".into()])
    );
    assert_eq!(org.evidence[0].text, "system[1].privacy_declarations[0]");
    assert!(org.evidence[0].line > 0);
    // A fideslang 1 key is read as its fideslang 2 key.
    assert!(exposed(&map, "zendesk").contains("user.contact.phone_number"));
    // A dependency says nothing about data: the vendor is there, with nothing.
    assert!(exposed(&map, "datadog").is_empty());
    assert_eq!(
        exposed(&map, "snowflake"),
        set(&["user.behavior.purchase_history", "user.contact.email"])
    );
    // No category reaches the analytics vendor that the manifest does not send there.
    assert!(!exposed(&map, "google-analytics").contains("user.contact.email"));
}

#[test]
fn the_cli_reads_a_fides_manifest_as_a_map() {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["blast", "stripe", "--map", SHOP, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["vendor"], "stripe");
    assert!(
        r["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "financial-fraud")
    );

    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["merge", &format!("{SHOP}=shop")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["repos"]["shop"]["inputs"], serde_json::json!(["fides"]));
    assert!(doc["components"].get("shop/storefront").is_some());

    // `validate` reads what `--map` reads (#14 item 5).
    for args in [vec!["validate", SHOP], vec!["validate", "--map", SHOP]] {
        let out = Command::cargo_bin("blastmap")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("ok (a Fides manifest)"), "{stdout}");
        assert!(stdout.contains("5 vendors, 6 flows"), "{stdout}");
    }
}

#[test]
fn problems_are_all_reported_with_their_place() {
    let text = "\
system:
  - fides_key: app
    egress:
      - fides_key: mixpanel
        type: system
        data_categories: [user.contact.emial, account.contact.email]
  - fides_key: app
";
    let err = load_str(text, "f.yml", Path::new("f.yml"), false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown category `user.contact.emial`"),
        "{err}"
    );
    assert!(err.contains("did you mean `user.contact.email`?"), "{err}");
    assert!(
        err.contains("unknown category `account.contact.email`"),
        "{err}"
    );
    assert!(err.contains("duplicate system `app`"), "{err}");
    assert!(err.contains("f.yml:6:"), "line of the categories: {err}");

    let err = load_str(
        "system:\n  - name: no key\n",
        "g.yml",
        Path::new("g.yml"),
        false,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("fides_key"), "{err}");
    assert!(err.contains("g.yml:2:"), "{err}");
}

#[test]
fn an_unknown_key_below_a_known_one_extends_the_taxonomy() {
    let text = "\
system:
  - fides_key: loyalty
    system_type: Service
    egress:
      - fides_key: braze
        type: system
        data_categories: [user.custom.loyalty_tier, user.contact.email, user.content.prompts.draft]
data_category:
  - fides_key: user.content.prompts.draft
    parent_key: user.content.prompts
  - fides_key: user.content.prompts
    parent_key: user.content
";
    let map = load_str(text, "f.yml", Path::new("f.yml"), false)
        .unwrap()
        .map;
    let cat = map.taxonomy.get("user.custom.loyalty_tier").unwrap();
    assert_eq!(cat.parent.as_deref(), Some("user"));
    assert!(cat.extension);
    assert!(exposed(&map, "braze").contains("user.custom.loyalty_tier"));
    // Defined in the file (parents in any order): under its own parent.
    let draft = map.taxonomy.get("user.content.prompts.draft").unwrap();
    assert_eq!(draft.parent.as_deref(), Some("user.content.prompts"));
    assert_eq!(
        map.taxonomy
            .get("user.content.prompts")
            .unwrap()
            .parent
            .as_deref(),
        Some("user.content")
    );
    assert_eq!(draft.sensitivity, map.taxonomy.sensitivity("user.content"));
    // With no declarations, the fields have no subject: nothing is invented.
    assert_eq!(map.fields["user.contact.email"].subject, None);
}
