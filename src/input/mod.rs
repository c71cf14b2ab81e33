//! What `--map FILE` may be, told apart by content: a blastmap declaration
//! (YAML or JSON), a Fides system manifest, a `blastmap scan --format json`
//! output, or a merged organisation map (`blastmap merge`). Each becomes a
//! validated [`Map`]; merged inputs also keep the repositories of each node.
//!
//! Detection looks at the shape, never at the file name: a merged map has
//! `"kind": "blastmap-merged"`, a scan output has `integrations` and no
//! `flows`, a Fides manifest has a top-level `system:` *list* (a declaration's
//! `system` is a name). Anything else is read as a declaration, whose loader
//! explains what is wrong with it ([`crate::model::kind`]).
//!
//! A layer of its own, above model, scan and merge: the declaration and
//! Fides loaders need only the model, but a scan output and a merged map
//! become a `Map` through `merge`, which stands on the scan and the graph.

use std::path::Path;

mod merge_files;

use crate::merge::{self, Repos};
use crate::model::Map;
use crate::model::declaration::{self, LoadError, Problem};
use crate::scan::ScanResult;

pub use crate::model::kind::{InputKind, detect};
pub use merge_files::{InputSpec, merge_files, read_input};

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

pub use crate::model::declaration::read_text;

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
            map: crate::model::fides::load_str(text, file)?,
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
