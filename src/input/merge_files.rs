//! Reading the files given to `blastmap merge`: each one a scan output, a
//! declaration or Fides file (one repository each), or a merged map.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::input::{self, InputKind};
use crate::merge::{
    MergeError, Merged, from_map, from_scan, load, repo_from_path, valid_repo_name,
};
use crate::model::declaration::{self, LoadError, Problem};

/// One `FILE[=REPO]` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// The file.
    pub path: PathBuf,
    /// The repository name given after `=`.
    pub repo: Option<String>,
}

impl InputSpec {
    /// Splits `FILE=REPO` at the last `=`, unless the whole argument is an
    /// existing file (a path may contain `=`).
    pub fn parse(arg: &str) -> InputSpec {
        if !Path::new(arg).exists() {
            if let Some((p, r)) = arg.rsplit_once('=') {
                if !p.is_empty() {
                    return InputSpec {
                        path: PathBuf::from(p),
                        repo: Some(r.to_string()),
                    };
                }
            }
        }
        InputSpec {
            path: PathBuf::from(arg),
            repo: None,
        }
    }
}

/// Reads one input as a merged document.
pub fn read_input(spec: &InputSpec) -> Result<Merged, MergeError> {
    let file = spec.path.display().to_string();
    let text = input::read_text(&spec.path)?;
    let kind = input::detect(&text);
    if kind == InputKind::Merged {
        if spec.repo.is_some() {
            return Err(MergeError::Load(LoadError::Invalid {
                file,
                problems: vec![Problem {
                    line: None,
                    column: None,
                    path: String::new(),
                    message: "a merged map keeps the repositories it was merged from".into(),
                    help: Some("drop `=REPO` after this file".into()),
                }],
            }));
        }
        return Ok(load(&text, &file)?);
    }
    let repo = match &spec.repo {
        Some(r) => r.clone(),
        None => repo_from_path(&spec.path).unwrap_or_default(),
    };
    if !valid_repo_name(&repo) {
        return Err(MergeError::RepoName { file, name: repo });
    }
    // Declared evidence names the file, not where CI happened to put it.
    let name = spec
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    match kind {
        InputKind::Scan => Ok(from_scan(&input::parse_scan(&text, &file)?, &repo, &file)?),
        InputKind::Fides => {
            let map = crate::model::fides::load_str(&text, &file)?;
            Ok(from_map(&map, &repo, kind.as_str(), &name))
        }
        // A merged map was joined as it is, above.
        InputKind::Declaration | InputKind::Merged => {
            let mut map = declaration::load_str(&text, &file)?;
            declaration::locate_flows(&mut map, &text);
            Ok(from_map(&map, &repo, kind.as_str(), &name))
        }
    }
}

/// Reads every input (in parallel) and joins them. Either all load, or
/// every failure is returned.
pub fn merge_files(specs: &[InputSpec]) -> Result<(Merged, Vec<String>), Vec<MergeError>> {
    let results: Vec<Result<Merged, MergeError>> = specs.par_iter().map(read_input).collect();
    let mut errors = Vec::new();
    let mut docs = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(d) => docs.push(d),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let warnings = Merged::vendor_conflicts(&docs);
    // The join is associative and commutative: reduce in parallel.
    let doc = docs.into_par_iter().reduce(Merged::empty, |mut a, b| {
        a.join(b);
        a
    });
    Ok((doc, warnings))
}
