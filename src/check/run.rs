//! `blastmap check` from start to end, short of rendering: load the
//! declarations, open `--base` (before the scan, which must then read every
//! file the change touches: see [`super::base`]), scan the tree, build the
//! baseline from `--baseline FILE` or the base revision, and run
//! [`super::check`]. The command line resolves paths and renders; the
//! `--save` files go out with its other output.

use std::path::{Path, PathBuf};

use super::base::BaseRevision;
use super::{Baseline, CheckInput, CheckOptions, CheckReport};
use crate::input::{self, InputKind};
use crate::model::Map;
use crate::model::policy::{Code, Level};
use crate::scan::{ComponentPaths, ScanOptions, ScanProgress, ScanResult};

/// What one `check` run is given, paths already resolved.
pub struct RunOptions<'a> {
    /// The tree to scan (`--scan`, default `.`).
    pub dir: PathBuf,
    /// The declarations, when there are any.
    pub map_path: Option<PathBuf>,
    /// `--baseline FILE`: a saved scan to compare with.
    pub baseline: Option<PathBuf>,
    /// `--base REV`: a git revision to compare with.
    pub base: Option<String>,
    /// `--level CODE=LEVEL` overrides.
    pub levels: Vec<(Code, Level)>,
    /// `--strict`.
    pub strict: bool,
    /// The scan's per-file size limit.
    pub max_file_size: u64,
    /// Where the scan reports progress.
    pub progress: Option<&'a dyn ScanProgress>,
    /// `--observed FILE...`: recorded traffic to compare too.
    pub observed: &'a [crate::observe::ObservedReport],
}

/// A finished run: the report, and notes for the user (stderr).
pub struct Run {
    /// The findings.
    pub report: CheckReport,
    /// Notes on how the baseline was read.
    pub notes: String,
}

/// Runs `check`. The error is the message to print (exit code 2).
pub fn run(o: &RunOptions) -> Result<Run, String> {
    let map = load_declarations(o.map_path.as_deref())?;
    let empty = Map::default();
    let base = match &o.base {
        Some(rev) => Some(BaseRevision::open(&o.dir, rev).map_err(|e| format!("error: {e}\n"))?),
        None => None,
    };
    let mut opts = ScanOptions::new(&o.dir);
    opts.max_file_size = o.max_file_size;
    opts.progress = o.progress;
    opts.components = ComponentPaths::of_map(map.as_ref().unwrap_or(&empty));
    if let Some(b) = &base {
        b.shape(&mut opts);
    }
    let current = crate::scan::scan(&opts).map_err(|e| format!("error: {e}\n"))?;
    let mut notes = String::new();
    let baseline = if let Some(file) = &o.baseline {
        Some(baseline_file(file, o.map_path.as_deref(), &mut notes)?)
    } else if let Some(b) = &base {
        let bl = b
            .baseline(
                &o.dir,
                o.map_path.as_deref(),
                map.as_ref(),
                &current,
                o.max_file_size,
                &mut notes,
            )
            .map_err(|e| format!("error: {e}\n"))?;
        Some(bl)
    } else {
        None
    };
    let options = CheckOptions {
        levels: o.levels.iter().copied().collect(),
        strict: o.strict,
        root_prefix: o.dir.display().to_string(),
    };
    let report = super::check(CheckInput {
        map: map.as_ref(),
        scan: &current,
        baseline: baseline.as_ref(),
        changes: base.as_ref().map(|b| &b.changes),
        options: &options,
        observed: o.observed,
    });
    Ok(Run { report, notes })
}

/// The declarations (a `blastmap.yaml` or a Fides manifest), when given.
fn load_declarations(path: Option<&Path>) -> Result<Option<Map>, String> {
    let Some(p) = path else { return Ok(None) };
    match input::load_file(p, true) {
        Ok(l) if matches!(l.kind, InputKind::Declaration | InputKind::Fides) => Ok(Some(l.map)),
        Ok(_) => Err(format!(
            "error: {} is a scan or merged map, not declarations\n  help: pass the repository's blastmap.yaml with --map; a saved scan to compare with goes to --baseline\n",
            p.display()
        )),
        Err(e) => Err(format!("{e}\n")),
    }
}

/// `--baseline FILE`: a saved scan, with a note when it was made with other
/// declarations than this check's.
fn baseline_file(
    file: &Path,
    map_path: Option<&Path>,
    notes: &mut String,
) -> Result<Baseline, String> {
    let text = input::read_text(file).map_err(|e| format!("{e}\n"))?;
    let scan: ScanResult =
        input::parse_scan(&text, &file.display().to_string()).map_err(|e| format!("{e}\n"))?;
    if scan.declarations.is_some() && !same_file(scan.declarations.as_deref(), map_path) {
        notes.push_str(&format!(
            "note: {} was scanned with the declarations of {}, this check uses {}: components may be named differently\n",
            file.display(),
            scan.declarations.as_deref().unwrap_or("none"),
            map_path
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "none".into())
        ));
    }
    Ok(Baseline {
        name: file.display().to_string(),
        scan,
        map: None,
    })
}

/// Whether a saved scan's declaration file (as it recorded it) is the one
/// in use now, whatever folder each command ran from.
fn same_file(recorded: Option<&str>, now: Option<&Path>) -> bool {
    match (recorded, now) {
        (Some(a), Some(b)) => match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            // Recorded relative to another folder: cannot tell, so no note.
            _ => true,
        },
        (None, None) => true,
        _ => false,
    }
}
