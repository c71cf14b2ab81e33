//! What a text is, told by its shape, never by a file name: a merged map
//! has `"kind": "blastmap-merged"`, a scan output has `integrations` and no
//! `flows`, a Fides manifest has a top-level `system:` *list* (a
//! declaration's `system` is a name). Anything else is a declaration.
//!
//! It lives in the model so that the scan (which skips blastmap's own JSON
//! outputs kept in a tree) and [`crate::input`] (which loads each kind) both
//! stand on it.

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The `kind` of a merged organisation map (`blastmap merge`).
pub const MERGED_KIND: &str = "blastmap-merged";

/// The kinds of input `--map` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A `blastmap.yaml` (or its JSON form).
    Declaration,
    /// A Fides system manifest.
    Fides,
    /// `blastmap scan --format json` output.
    Scan,
    /// `blastmap merge` output.
    Merged,
}

impl InputKind {
    /// The lowercase name used in merged documents.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Declaration => "declaration",
            InputKind::Fides => "fides",
            InputKind::Scan => "scan",
            InputKind::Merged => "merged",
        }
    }

    /// What `validate` adds after "ok" to say what the file was read as
    /// (nothing for a declaration).
    pub fn read_as(self) -> &'static str {
        match self {
            InputKind::Declaration => "",
            InputKind::Fides => " (a Fides manifest)",
            InputKind::Scan => " (a scan output)",
            InputKind::Merged => " (a merged map)",
        }
    }
}

#[derive(Deserialize)]
struct Probe {
    kind: Option<String>,
    integrations: Option<IgnoredAny>,
    flows: Option<IgnoredAny>,
    system: Option<serde_json::Value>,
}

/// Tells what a file is from its text.
pub fn detect(text: &str) -> InputKind {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if let Some(body) = trimmed.strip_prefix('{') {
        // `blastmap merge` writes `kind` first: a large merged map is told
        // apart without a pass over the whole document.
        if let Some(rest) = body.trim_start().strip_prefix("\"kind\"") {
            if let Some(value) = rest.trim_start().strip_prefix(':') {
                if value.trim_start().starts_with("\"blastmap-merged\"") {
                    return InputKind::Merged;
                }
            }
        }
        if let Ok(p) = serde_json::from_str::<Probe>(trimmed) {
            if p.kind.as_deref() == Some(MERGED_KIND) {
                return InputKind::Merged;
            }
            if p.integrations.is_some() && p.flows.is_none() {
                return InputKind::Scan;
            }
            if matches!(p.system, Some(serde_json::Value::Array(_))) {
                return InputKind::Fides;
            }
        } else if trimmed
            .get(..4096)
            .unwrap_or(trimmed)
            .contains("\"integrations\"")
        {
            // Not JSON (cut off, or edited by hand) but shaped like a scan:
            // its JSON error says more than the YAML reader's would.
            return InputKind::Scan;
        }
        return InputKind::Declaration;
    }
    if yaml_system_is_a_list(text) {
        InputKind::Fides
    } else {
        InputKind::Declaration
    }
}

/// True when the top-level `system:` key holds a sequence: `system: [` on
/// its line, or nothing after the colon and `- ` on the next meaningful line.
/// A line scan, so that telling kinds apart costs no second YAML parse.
fn yaml_system_is_a_list(text: &str) -> bool {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("system:") else {
            continue;
        };
        let rest = rest.split(" #").next().unwrap_or("").trim();
        if rest.starts_with('[') {
            return true;
        }
        if !rest.is_empty() {
            return false;
        }
        for next in lines.by_ref() {
            let t = next.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            return t == "-" || t.starts_with("- ");
        }
        return false;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_kinds_apart_by_shape() {
        assert_eq!(detect("version: 1\nsystem: shop\n"), InputKind::Declaration);
        assert_eq!(
            detect("system:\n  # the web app\n  - fides_key: web\n"),
            InputKind::Fides
        );
        assert_eq!(detect("system: [ {fides_key: a} ]\n"), InputKind::Fides);
        assert_eq!(
            detect("{\"version\": 1, \"integrations\": [], \"skipped\": {}}"),
            InputKind::Scan
        );
        assert_eq!(
            detect("{\"version\": 1, \"kind\": \"blastmap-merged\"}"),
            InputKind::Merged
        );
        assert_eq!(
            detect("{\"version\": 1, \"system\": \"x\", \"flows\": []}"),
            InputKind::Declaration
        );
        // `system:` with its name on the next line is still a declaration.
        assert_eq!(
            detect("version: 1\nsystem:\n  shop\n"),
            InputKind::Declaration
        );
        // A nested `system:` key is not the top-level one.
        assert_eq!(
            detect("version: 1\nvendors:\n  x:\n    system:\n      - a\n"),
            InputKind::Declaration
        );
    }
}
