//! `blastmap catalog`: the built-in vendors and the taxonomy, listed as
//! text or JSON, and one vendor's entry (its YAML, or JSON).

use super::format::CatalogFormat;
use crate::catalog::taxonomy::Taxonomy;
use crate::catalog::{Catalog, CatalogVendor};

/// Every taxonomy key: key, sensitivity, name (`(blastmap)` for the keys
/// blastmap adds to fideslang's).
pub fn taxonomy(tax: &Taxonomy, format: CatalogFormat) -> String {
    match format {
        CatalogFormat::Json => {
            let v: Vec<serde_json::Value> = tax.iter().map(|(k, c)| serde_json::json!({"key": k, "name": c.name, "parent": c.parent, "sensitivity": c.sensitivity, "extension": c.extension})).collect();
            super::json::to_string(&v)
        }
        CatalogFormat::Text => {
            let mut s = String::new();
            for (k, c) in tax.iter() {
                s.push_str(&format!(
                    "{:<52} {:<8} {}{}\n",
                    k,
                    c.sensitivity.as_str(),
                    c.name,
                    if c.extension { " (blastmap)" } else { "" }
                ));
            }
            s
        }
    }
}

/// Every vendor: id, category, name (text), or the whole catalog (JSON).
pub fn vendors(cat: &Catalog, format: CatalogFormat) -> String {
    match format {
        CatalogFormat::Json => {
            let all: Vec<_> = cat.iter().collect();
            super::json::to_string(&serde_json::json!({"version": 1, "vendors": all}))
        }
        CatalogFormat::Text => {
            let mut s = format!("{} vendors\n", cat.len());
            for v in cat.iter() {
                s.push_str(&format!(
                    "{:<28} {:<17} {}\n",
                    v.id,
                    v.category.as_str(),
                    v.name
                ));
            }
            s
        }
    }
}

/// One vendor's entry: its catalog YAML (text) or JSON.
pub fn vendor(v: &CatalogVendor, format: CatalogFormat) -> String {
    match format {
        CatalogFormat::Json => super::json::to_string(v),
        CatalogFormat::Text => serde_yaml::to_string(v).unwrap_or_default(),
    }
}
