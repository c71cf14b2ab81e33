//! What `--map FILE` may be, told apart by content: a blastmap declaration
//! (YAML or JSON), a Fides system manifest, a `blastmap scan --format json`
//! output, or a merged organisation map (`blastmap merge`). Each becomes a
//! validated [`Map`]; merged inputs also keep the repositories of each node.
//!
//! Detection looks at the shape, never at the file name: a merged map has
//! `"kind": "blastmap-merged"`, a scan output has `integrations` and no
//! `flows`, a Fides manifest has a top-level `system:` *list* (a declaration's
//! `system` is a name). Anything else is read as a declaration, whose loader
//! explains what is wrong with it.

use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::Map;
use super::declaration::{self, LoadError, Problem};
use crate::merge::{self, Repos};
use crate::scan::ScanResult;

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
}

/// A loaded input.
#[derive(Debug)]
pub struct Loaded {
    /// The validated model.
    pub map: Map,
    /// Repositories per node and flow, for merged (and scan) inputs.
    pub repos: Option<Repos>,
    /// What the file was.
    pub kind: InputKind,
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
            if p.kind.as_deref() == Some(merge::KIND) {
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

pub use super::declaration::read_text;

/// Loads `--map FILE`, whatever kind it is. `with_lines` resolves the line
/// numbers of declared flows (reports want them; `rank` does not).
pub fn load_file(path: &Path, with_lines: bool) -> Result<Loaded, LoadError> {
    let text = read_text(path)?;
    load_str(&text, &path.display().to_string(), path, with_lines)
}

/// Loads text already read; `file` names it in messages and `path` gives
/// the repository name of a scan output.
pub fn load_str(
    text: &str,
    file: &str,
    path: &Path,
    with_lines: bool,
) -> Result<Loaded, LoadError> {
    let kind = detect(text);
    match kind {
        InputKind::Declaration => {
            let mut map = declaration::load_str(text, file)?;
            if with_lines {
                declaration::locate_flows(&mut map, text);
            }
            Ok(Loaded {
                map,
                repos: None,
                kind,
            })
        }
        InputKind::Fides => Ok(Loaded {
            map: super::fides::load_str(text, file)?,
            repos: None,
            kind,
        }),
        InputKind::Merged => {
            let doc = merge::load(text, file)?;
            let (map, repos) = merge::to_map(&doc, file)?;
            Ok(Loaded {
                map,
                repos: Some(repos),
                kind,
            })
        }
        InputKind::Scan => {
            let scan = parse_scan(text, file)?;
            let repo = merge::repo_from_path(path)
                .filter(|r| merge::valid_repo_name(r))
                .unwrap_or_else(|| "repo".to_string());
            let doc = merge::from_scan(&scan, &repo, file)?;
            let (map, repos) = merge::to_map(&doc, file)?;
            Ok(Loaded {
                map,
                repos: Some(repos),
                kind,
            })
        }
    }
}

/// Parses a scan output (the JSON contract of ARCHITECTURE.md, "Outputs").
pub fn parse_scan(text: &str, file: &str) -> Result<ScanResult, LoadError> {
    let mut scan: ScanResult = serde_json::from_str(text).map_err(|e| LoadError::Invalid {
        file: file.to_string(),
        problems: vec![Problem {
            line: Some(e.line()),
            column: Some(e.column()),
            path: String::new(),
            message: format!("invalid scan output: {e}"),
            help: Some(if e.is_eof() {
                "the file ends before its JSON does: it was cut off (a full disk, an interrupted copy); produce it again with `blastmap scan DIR --format json`".into()
            } else {
                "produce it with `blastmap scan DIR --format json`".into()
            }),
        }],
    })?;
    // A saved scan may come from anywhere: nothing it quotes leaves unredacted.
    scan.redact(crate::scan::redact::builtin());
    Ok(scan)
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
