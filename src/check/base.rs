//! `check --base REF`: the baseline read from a git revision, and the
//! overrides both scans share so that they read the same things.
//!
//! Order matters: the change is measured first ([`BaseRevision::open`]), so
//! the working tree's scan can read every file the change touches even
//! where an exclude rule or a `.gitignore` would skip it (`dist/`,
//! `vendor/`, a force-added ignored file, `app.min.js`), and can leave out
//! submodules as the base side must. Then [`BaseRevision::baseline`] writes
//! the base's relevant files to a temporary folder and scans it with the
//! same overrides.

use std::collections::BTreeSet;
use std::path::Path;

use super::Baseline;
use super::git::{self, Changes, Entry, GitError};
use crate::model::Map;
use crate::scan::{ScanError, ScanOptions, ScanResult};

/// Why a base revision could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// git could not list or read it.
    #[error(transparent)]
    Git(#[from] GitError),
    /// Its files could not be scanned.
    #[error(transparent)]
    Scan(#[from] ScanError),
}

/// A resolved base revision and how the work tree differs from it.
#[derive(Debug)]
pub struct BaseRevision {
    /// The revision as the user named it.
    pub rev: String,
    /// The commit it resolved to.
    pub commit: String,
    tree: Vec<Entry>,
    /// What the change touches.
    pub changes: Changes,
}

impl BaseRevision {
    /// Resolves `rev` in the repository holding `dir` and compares it with
    /// the work tree.
    pub fn open(dir: &Path, rev: &str) -> Result<BaseRevision, GitError> {
        let commit = git::resolve(dir, rev)?;
        let tree = git::list_tree(dir, &commit)?;
        let changes = git::changes(dir, &tree)?;
        Ok(BaseRevision {
            rev: rev.to_string(),
            commit,
            tree,
            changes,
        })
    }

    /// Sets a scan's overrides: read every changed file, leave submodules
    /// out. Both sides get the same.
    pub fn shape(&self, opts: &mut ScanOptions<'_>) {
        opts.include = self.changes.files.clone();
        opts.exclude = self.changes.submodules.clone();
    }

    /// Scans the base revision. `current` is the work tree's scan (with
    /// [`Self::shape`]): files the same on both sides are read at the base
    /// only where that scan found something. `map_path` is the declaration
    /// file in use; the base's own version of it, when it loads, shapes the
    /// base's components (`notes` says when it does not).
    pub fn baseline(
        &self,
        dir: &Path,
        map_path: Option<&Path>,
        map: Option<&Map>,
        current: &ScanResult,
        max_file_size: u64,
        notes: &mut String,
    ) -> Result<Baseline, BaseError> {
        let changed = &self.changes.files;
        let mut found_in: BTreeSet<&str> = BTreeSet::new();
        for i in &current.integrations {
            found_in.extend(i.evidence.iter().map(|e| e.file.as_str()));
            found_in.extend(i.fields.iter().map(|f| f.file.as_str()));
        }
        let want = |rel: &str| {
            changed.contains(rel)
                || found_in.contains(rel)
                || rel.rsplit('/').next() == Some(".gitignore")
                || crate::scan::manifest::ManifestKind::of_path(rel).is_some()
        };
        let relevance = crate::scan::Relevance::new(crate::catalog::Catalog::builtin());
        let keep = |rel: &str, bytes: &[u8]| relevance.wants(rel, bytes);
        let tree = git::materialise(dir, &self.commit, &self.tree, max_file_size, &want, &keep)?;
        let base_map = match map_path {
            Some(p) => self.base_declarations(p, notes)?,
            None => None,
        };
        let empty = Map::default();
        let components_from = base_map.as_ref().or(map).unwrap_or(&empty);
        let mut opts = ScanOptions::new(tree.path());
        opts.max_file_size = max_file_size;
        opts.components = crate::scan::ComponentPaths::of_map(components_from);
        self.shape(&mut opts);
        let scan = crate::scan::scan(&opts)?;
        Ok(Baseline {
            name: self.rev.clone(),
            scan,
            map: base_map,
        })
    }

    /// The declaration file as it was at the base, when it was there and
    /// loads.
    fn base_declarations(&self, p: &Path, notes: &mut String) -> Result<Option<Map>, GitError> {
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(text) = git::read_file(parent, &self.commit, &name)? else {
            return Ok(None);
        };
        let file = format!("{}@{}", p.display(), self.rev);
        match crate::model::declaration::load_str(&text, &file) {
            Ok(m) => Ok(Some(m)),
            Err(_) => {
                notes.push_str(&format!(
                    "note: {} does not load at {}; the current declarations stand in for it\n",
                    p.display(),
                    self.rev
                ));
                Ok(None)
            }
        }
    }
}
