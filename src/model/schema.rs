//! The declaration file's format (version 1) as types, from which the JSON
//! Schema for editors (`blastmap.schema.json`) is generated with schemars.
//!
//! The loader ([`super::declaration`]) does not use these types: it walks the
//! YAML by hand so that it can report every problem at once. Tests keep the
//! two from drifting: the schema's property names must equal the loader's key
//! lists, its enums the model's names, and the committed schema file must
//! equal what [`json_schema`] generates.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A blastmap declaration file (`blastmap.yaml`), version 1: the fields of
/// user data a system holds, its components, its vendors, and the flows
/// between them.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "blastmap declaration file (version 1)")]
pub struct DeclarationFile {
    /// The format version: `1`.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// A name for the whole system, used in reports.
    pub system: Option<String>,
    /// Whose data it is: groups of people, by id (`api_user`, `customer`).
    pub subjects: Option<BTreeMap<String, SubjectEntry>>,
    /// Data categories this file adds to the built-in taxonomy, by dotted key.
    pub taxonomy: Option<BTreeMap<String, TaxonomyEntry>>,
    /// The kinds of user data, by id (`email`).
    pub fields: Option<BTreeMap<String, FieldEntry>>,
    /// First-party parts of the system, by id.
    pub components: Option<BTreeMap<String, ComponentEntry>>,
    /// Third parties, by id (a catalog slug such as `mixpanel`, or your own id).
    pub vendors: Option<BTreeMap<String, VendorEntry>>,
    /// Edges `from → to` carrying fields.
    pub flows: Option<Vec<FlowEntry>>,
    /// What `blastmap check` allows, warns about and denies.
    pub policy: Option<PolicyEntry>,
}

/// One string, or a list of them.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

/// A group of people whose data it is.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectEntry {
    /// Who they are, in words.
    pub description: Option<String>,
    /// How many people: a whole number (no separators), or a number per
    /// region (`{eu: 400000, us: 800000}`; the total is their sum, and the
    /// regions are added to `regions`).
    pub count: Option<Count>,
    /// Where they live (`eu`, `us`, ISO country codes), for regulatory clocks.
    pub regions: Option<OneOrMany>,
}

/// A number of people, in total or per region.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Count {
    /// In total.
    Total(u64),
    /// Per region (`eu`, `us`, ISO country codes).
    PerRegion(std::collections::BTreeMap<String, u64>),
}

/// A taxonomy key added by this file.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyEntry {
    /// The built-in (or added) key it extends; the new key starts with it.
    #[schemars(regex(pattern = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"))]
    pub parent: String,
    /// Default sensitivity (inherited from the parent when omitted).
    pub sensitivity: Option<SensitivityName>,
    /// Display name.
    pub name: Option<String>,
    /// Plain words for reports and notices ("chat prompts").
    pub plain: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

/// One kind of user data.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldEntry {
    /// Its data category: a taxonomy key such as `user.contact.email`
    /// (`blastmap catalog --taxonomy` lists them).
    #[schemars(regex(pattern = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"))]
    pub category: String,
    /// Whose data it is: a subject id.
    pub subject: Option<String>,
    /// Overrides the category's sensitivity.
    pub sensitivity: Option<SensitivityName>,
    /// Free text.
    pub description: Option<String>,
}

/// A first-party part of the system.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentEntry {
    /// What it is.
    pub kind: Option<ComponentKindName>,
    /// Display name.
    pub name: Option<String>,
    /// Path globs linking code to it (`web/**`).
    pub paths: Option<OneOrMany>,
    /// Field ids (or taxonomy keys) its code can read.
    pub holds: Option<OneOrMany>,
    /// Free text.
    pub description: Option<String>,
}

/// A third party.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorEntry {
    /// Display name (catalog vendors have one).
    pub name: Option<String>,
    /// What business it is in (catalog vendors have one).
    pub category: Option<VendorCategoryName>,
    /// Components or vendors whose data it can read with credentials it holds.
    pub access: Option<OneOrMany>,
    /// Free text.
    pub description: Option<String>,
}

/// What a flow carries: `all` (everything its source holds or receives) or
/// a list of field ids and taxonomy keys.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FlowFieldsEntry {
    /// `all`.
    All(AllKeyword),
    /// Field ids, or taxonomy keys used directly.
    List(Vec<String>),
}

/// The keyword `all`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AllKeyword {
    /// Everything the source holds or receives.
    All,
}

/// An edge `from → to` carrying fields.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowEntry {
    /// A component or vendor id.
    pub from: String,
    /// A component or vendor id.
    pub to: String,
    /// What it carries.
    pub fields: FlowFieldsEntry,
    /// Why.
    pub purpose: Option<String>,
    /// Free text (read as the purpose when `purpose` is absent).
    pub description: Option<String>,
}

/// What `blastmap check` allows, warns about and denies.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    /// Every flow the code shows must be declared (`undeclared-flow` is denied).
    pub strict: Option<bool>,
    /// The only vendors allowed (ids); any other vendor is denied.
    pub allow_vendors: Option<OneOrMany>,
    /// Data categories that must not reach some vendors.
    pub deny: Option<Vec<DenyEntry>>,
    /// The most severe blast radius allowed, per vendor id or vendor category.
    pub max_severity: Option<BTreeMap<String, SensitivityName>>,
    /// A level per finding code, over the defaults.
    pub levels: Option<BTreeMap<CodeName, LevelName>>,
}

/// "No data of these categories may reach these vendors."
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DenyEntry {
    /// Taxonomy keys; fields within them are covered (`user.authorization`).
    pub categories: OneOrMany,
    /// Vendor categories (`analytics`) or vendor ids (`mixpanel`).
    pub to: OneOrMany,
    /// Why, in the team's words (shown in findings).
    pub reason: Option<String>,
}

// The enums are the model's own (they derive `JsonSchema`), so the schema
// cannot list a sensitivity, kind or category the loader does not accept.
use crate::model::policy::{Code as CodeName, Level as LevelName};
use crate::model::{
    ComponentKind as ComponentKindName, Sensitivity as SensitivityName,
    VendorCategory as VendorCategoryName,
};

/// The JSON Schema of the declaration file (draft-07, which every editor's
/// YAML language server reads), pretty-printed with a final newline.
///
/// What schemars derives is then brought in line with the loader, so that
/// both give one verdict on a file (the conformance test feeds them the same
/// cases): codes in `policy.levels` are the finding codes; `all` stands
/// alone, never inside a list of fields; free text may be written as a
/// number (`name: 2024`), as the loader reads it; and whole-number bounds
/// are `minimum`/`maximum`, not the `uint32`/`uint64` formats that strict
/// validators (ajv) refuse to compile.
pub fn json_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<DeclarationFile>();
    let mut v = serde_json::to_value(&schema).unwrap_or_default();
    align_with_loader(&mut v);
    let codes: Vec<serde_json::Value> = CodeName::ALL
        .iter()
        .filter_map(|c| serde_json::to_value(c).ok())
        .collect();
    if let Some(levels) = v.pointer_mut("/definitions/PolicyEntry/properties/levels")
        && let Some(o) = levels.as_object_mut()
    {
        o.insert("propertyNames".into(), serde_json::json!({ "enum": codes }));
    }
    if let Some(alts) = v
        .pointer_mut("/definitions/FlowFieldsEntry/anyOf")
        .and_then(|a| a.as_array_mut())
    {
        for alt in alts {
            if alt["type"] == "array" {
                alt["items"] = serde_json::json!({ "type": "string", "not": { "const": "all" } });
            }
        }
    }
    // Plain serde_json: the schema is the crate's own text, with nothing
    // from an input to escape.
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}

/// Applies, everywhere in the schema, the two rules of [`json_schema`] that
/// are not about one place: numbers for free text, bounds for formats.
fn align_with_loader(v: &mut serde_json::Value) {
    let mut stack = vec![v];
    while let Some(node) = stack.pop() {
        match node {
            serde_json::Value::Object(o) => {
                match o.get("format").and_then(|f| f.as_str()) {
                    Some("uint32") => {
                        o.remove("format");
                        o.entry("maximum").or_insert(u32::MAX.into());
                    }
                    Some("uint64") => {
                        o.remove("format");
                        o.entry("maximum").or_insert(u64::MAX.into());
                    }
                    _ => {}
                }
                let free_text = !o.contains_key("pattern") && !o.contains_key("enum");
                if free_text && let Some(t) = o.get_mut("type") {
                    match t {
                        serde_json::Value::String(s) if s == "string" => {
                            *t = serde_json::json!(["string", "number"]);
                        }
                        serde_json::Value::Array(types)
                            if types.iter().any(|x| x == "string")
                                && !types.iter().any(|x| x == "number") =>
                        {
                            types.push("number".into());
                        }
                        _ => {}
                    }
                }
                stack.extend(o.values_mut());
            }
            serde_json::Value::Array(a) => stack.extend(a.iter_mut()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::model::declaration::keys;
    use crate::model::{ComponentKind, Sensitivity, VendorCategory};

    fn schema() -> Value {
        serde_json::from_str(&json_schema()).unwrap()
    }

    fn props(v: &Value) -> BTreeSet<String> {
        v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|s| s.to_string()).collect()
    }

    fn enum_names(s: &Value, def: &str) -> BTreeSet<String> {
        let d = &s["definitions"][def];
        let from_one_of = d["oneOf"].as_array().map(|alts| {
            alts.iter()
                .flat_map(|a| {
                    a["enum"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .chain(a.get("const").cloned())
                })
                .map(|x| x.as_str().unwrap().to_string())
                .collect::<BTreeSet<_>>()
        });
        from_one_of.unwrap_or_else(|| {
            d["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        })
    }

    #[test]
    fn schema_properties_are_exactly_the_loader_keys() {
        let s = schema();
        assert_eq!(props(&s), set(keys::TOP));
        let defs = &s["definitions"];
        assert_eq!(props(&defs["SubjectEntry"]), set(keys::SUBJECT));
        assert_eq!(props(&defs["TaxonomyEntry"]), set(keys::TAXONOMY));
        assert_eq!(props(&defs["FieldEntry"]), set(keys::FIELD));
        assert_eq!(props(&defs["ComponentEntry"]), set(keys::COMPONENT));
        assert_eq!(props(&defs["VendorEntry"]), set(keys::VENDOR));
        assert_eq!(props(&defs["FlowEntry"]), set(keys::FLOW));
        assert_eq!(props(&defs["PolicyEntry"]), set(keys::POLICY));
        assert_eq!(props(&defs["DenyEntry"]), set(keys::DENY));
        // Unknown keys are errors in the loader, so they are in the schema.
        for def in [
            "SubjectEntry",
            "TaxonomyEntry",
            "FieldEntry",
            "ComponentEntry",
            "VendorEntry",
            "FlowEntry",
        ] {
            assert_eq!(defs[def]["additionalProperties"], false, "{def}");
        }
        assert_eq!(s["additionalProperties"], false);
    }

    #[test]
    fn schema_enums_are_exactly_the_model_names() {
        let s = schema();
        let names = |v: Vec<&str>| v.into_iter().map(String::from).collect::<BTreeSet<_>>();
        assert_eq!(
            enum_names(&s, "Sensitivity"),
            names(Sensitivity::ALL.iter().map(|x| x.as_str()).collect())
        );
        assert_eq!(
            enum_names(&s, "ComponentKind"),
            names(ComponentKind::ALL.iter().map(|x| x.as_str()).collect())
        );
        assert_eq!(
            enum_names(&s, "VendorCategory"),
            names(VendorCategory::ALL.iter().map(|x| x.as_str()).collect())
        );
    }
}
