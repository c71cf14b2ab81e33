//! Open-source renderers with no server of their own (MapLibre): the
//! hosted vendor the application configures for them receives what they
//! are pointed at. The facts are data in `renderers.yaml`; each hosted
//! vendor names the renderers it serves in its own file (`renderers:`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::ImportLang;

/// One renderer of `renderers.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renderer {
    /// Lowercase slug, named by vendors' `renderers`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Module names (or dotted prefixes) per language.
    #[serde(default)]
    pub imports: BTreeMap<ImportLang, Vec<String>>,
    /// Methods that move the view to their argument.
    #[serde(default)]
    pub camera: Vec<String>,
    /// Properties whose assignment moves the view.
    #[serde(default)]
    pub camera_properties: Vec<String>,
    /// Geometry constructors and builder steps a camera method takes.
    #[serde(default)]
    pub values: Vec<String>,
    /// Methods and properties that make the view follow the device.
    #[serde(default)]
    pub follows: Vec<String>,
    /// Public sources of these facts.
    #[serde(default)]
    pub sources: Vec<String>,
}

const RENDERERS_YAML: &str = include_str!("renderers.yaml");

static RENDERERS: OnceLock<Vec<Renderer>> = OnceLock::new();

/// The built-in renderers, sorted by id (an unparsable file gives none;
/// the tests parse it strictly).
pub fn builtin() -> &'static [Renderer] {
    RENDERERS.get_or_init(|| {
        let mut list = parse().unwrap_or_default();
        list.sort_by(|a, b| a.id.cmp(&b.id));
        list
    })
}

/// Parses `renderers.yaml`.
pub fn parse() -> Result<Vec<Renderer>, serde_yaml::Error> {
    serde_yaml::from_str(RENDERERS_YAML)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderers_parse_and_vendors_name_known_ones() {
        let list = parse().expect("renderers.yaml parses");
        assert!(!list.is_empty());
        for r in &list {
            assert!(!r.camera.is_empty() && !r.sources.is_empty(), "{}", r.id);
        }
        let (vendors, errors) = super::super::embedded::parse_all();
        assert!(errors.is_empty());
        let mut hosts = 0;
        for v in &vendors {
            for r in &v.renderers {
                assert!(list.iter().any(|x| &x.id == r), "{}: {r}", v.id);
                hosts += 1;
            }
        }
        assert!(hosts > 0);
    }
}
