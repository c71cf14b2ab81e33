//! Discovering vendor integrations in a source tree.
//!
//! The scan walks the tree (walkdir, `.gitignore` rules, default excludes,
//! never leaving the root), reads each file once, runs one multi-pattern
//! prefilter over the catalog's names, and parses only files that mention a
//! vendor. Each detector turns what it finds into [`Evidence`]; the result is
//! plain data ([`ScanResult`]), never printed here.

use std::collections::BTreeMap;
use std::path::PathBuf;

pub mod calls;
pub mod classify;
pub mod collects;
pub mod component;
pub mod config;
pub mod endpoint;
pub mod folders;
pub mod http;
pub mod imports;
pub mod index;
pub mod lang;
pub mod lines;
pub mod logins;
pub mod mailers;
pub mod manifest;
pub mod mention;
pub mod models;
mod pipeline;
pub mod prefilter;
pub mod redact;
pub mod remote;
pub mod renderers;
pub mod ruby_tree;
pub mod scope;
pub mod script;
pub mod secrets;
mod texts;
pub mod walk;
pub mod wrappers;

use serde::{Deserialize, Serialize};

use crate::model::{Evidence, Scope};

/// A field seen at a call site that sends data to a vendor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FieldUse {
    /// Taxonomy key.
    pub category: String,
    /// The source expression or key (`user.email`, `$email`).
    pub name: String,
    /// Path relative to the root, `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

/// One vendor used by one component, with all the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// Catalog id.
    pub vendor: String,
    /// Component id (declared, or derived from the nearest manifest).
    pub component: Option<String>,
    /// Production when any evidence is production, else test or dev.
    pub scope: Scope,
    /// Sorted by file, line, kind.
    pub evidence: Vec<Evidence>,
    /// Sorted by file, line, category.
    pub fields: Vec<FieldUse>,
}

/// One detector's finding in one file, before it becomes [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The vendor (position in the scan's catalog index).
    pub vendor: index::VendorIx,
    /// How it was seen.
    pub kind: crate::model::EvidenceKind,
    /// 1-based line.
    pub line: u32,
    /// The text to quote, when it is not simply the source line.
    pub text: Option<String>,
    /// The detector's own scope (a dev-only dependency), before the path rule.
    pub scope: Scope,
}

/// Why a file was not scanned. Variants are in the order of their names,
/// so `by_reason` lists them alphabetically, as it did when they were
/// strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Not text.
    Binary,
    /// A saved scan or merged map (such as a baseline).
    BlastmapOutput,
    /// Minified code (long lines).
    Minified,
    /// Text that is not UTF-8.
    NotUtf8,
    /// The parser gave no tree.
    ParseError,
    /// The parser ran out of its time budget.
    ParseTimeout,
    /// Recorded traffic (a `.har` file): `observe` reads it, not the scan.
    RecordedTraffic,
    /// A symlink that points at its own ancestor or at itself.
    SymlinkLoop,
    /// A symlink that leaves the root.
    SymlinkOutsideRoot,
    /// Larger than the size limit.
    TooLarge,
    /// Could not be read.
    Unreadable,
}

impl SkipReason {
    /// Every reason, in order.
    pub const ALL: [SkipReason; 11] = [
        SkipReason::Binary,
        SkipReason::BlastmapOutput,
        SkipReason::Minified,
        SkipReason::NotUtf8,
        SkipReason::ParseError,
        SkipReason::ParseTimeout,
        SkipReason::RecordedTraffic,
        SkipReason::SymlinkLoop,
        SkipReason::SymlinkOutsideRoot,
        SkipReason::TooLarge,
        SkipReason::Unreadable,
    ];

    /// The kebab-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::BlastmapOutput => "blastmap-output",
            SkipReason::Minified => "minified",
            SkipReason::NotUtf8 => "not-utf8",
            SkipReason::ParseError => "parse-error",
            SkipReason::ParseTimeout => "parse-timeout",
            SkipReason::RecordedTraffic => "recorded-traffic",
            SkipReason::SymlinkLoop => "symlink-loop",
            SkipReason::SymlinkOutsideRoot => "symlink-outside-root",
            SkipReason::TooLarge => "too-large",
            SkipReason::Unreadable => "unreadable",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that a width (`{:<14}`) applies.
        f.pad(self.as_str())
    }
}

/// A file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkippedFile {
    /// Path relative to the root.
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

/// Every skipped file, with counts per reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Number of skipped files.
    pub total: usize,
    /// Counts per reason.
    pub by_reason: BTreeMap<SkipReason, usize>,
    /// Every skipped file, sorted by path.
    pub files: Vec<SkippedFile>,
}

/// The result of `blastmap scan`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanResult {
    /// Output contract version.
    pub version: u32,
    /// Sorted by vendor, component, scope.
    pub integrations: Vec<Integration>,
    /// What was not scanned.
    pub skipped: Skipped,
    /// How much was read and parsed.
    #[serde(default)]
    pub stats: ScanStats,
    /// The components findings were attributed to, sorted by id.
    #[serde(default)]
    pub components: Vec<ScanComponent>,
    /// Hard-coded vendor secrets (redacted), sorted by file and line;
    /// omitted when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<secrets::SecretFinding>,
    /// The declaration file whose components named the findings (as the
    /// command was given it, or found it); omitted when none did. A saved
    /// scan compared with a later one should have been shaped by the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declarations: Option<String>,
}

/// A component the scan attributed findings to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanComponent {
    /// The id (declared, or derived from a package name).
    pub id: String,
    /// Its folder relative to the root (`""` for the root); for a declared
    /// component, its globs are in the declaration instead.
    pub path: String,
    /// `declared`, `manifest` (the nearest manifest's package) or `root`.
    pub source: String,
}

/// Counts for the summary line of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanStats {
    /// Files read (not excluded, not skipped before reading).
    pub files_read: usize,
    /// Files that mention a catalog name (or are manifests) and were analysed.
    pub files_analysed: usize,
    /// Dependency manifests read.
    pub manifests: usize,
}

impl ScanResult {
    /// Replaces every secret in every text the result carries (evidence
    /// text, field names, file names, skipped paths) with `[REDACTED]`: for
    /// a scan read back from a file, which may come from anywhere.
    pub fn redact(&mut self, r: &redact::Redactor) {
        for i in &mut self.integrations {
            for e in &mut i.evidence {
                e.text = r.redact(&e.text);
            }
            for f in &mut i.fields {
                f.name = r.redact(&f.name);
            }
        }
        for s in &mut self.secrets {
            s.text = r.redact(&s.text);
        }
        self.redact_paths(r);
    }

    /// Replaces secrets in file names (`config/sk_live_….json`): a scan's
    /// texts are redacted where they are quoted, its paths here.
    pub fn redact_paths(&mut self, r: &redact::Redactor) {
        for i in &mut self.integrations {
            for e in &mut i.evidence {
                e.file = r.redact(&e.file);
            }
            for f in &mut i.fields {
                f.file = r.redact(&f.file);
            }
        }
        for s in &mut self.secrets {
            s.file = r.redact(&s.file);
        }
        for s in &mut self.skipped.files {
            s.path = r.redact(&s.path);
        }
    }
}

/// A declared component's path globs, for attributing findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentPaths {
    /// The component id.
    pub id: String,
    /// Globs relative to the scanned root (`web/**`).
    pub paths: Vec<String>,
}

impl ComponentPaths {
    /// The declared components of a map that have `paths`.
    pub fn of_map(map: &crate::model::Map) -> Vec<ComponentPaths> {
        map.components
            .values()
            .filter(|c| !c.paths.is_empty())
            .map(|c| ComponentPaths {
                id: c.id.clone(),
                paths: c.paths.clone(),
            })
            .collect()
    }
}

/// Receives progress from a scan. The library never draws anything: the
/// binary passes an implementation that draws a bar on a terminal.
pub trait ScanProgress: Sync {
    /// The number of files that will be read, as far as the walk knows:
    /// called again with a larger number as the walk goes on (the files
    /// are read while the tree is walked), and last with the total.
    fn start(&self, total: u64);
    /// `n` more files are done.
    fn advance(&self, n: u64);
    /// The scan is over.
    fn finish(&self);
}

/// What to scan and how.
#[derive(Clone)]
pub struct ScanOptions<'a> {
    /// The root of the source tree.
    pub root: PathBuf,
    /// Files larger than this many bytes are skipped as `too-large`.
    pub max_file_size: u64,
    /// Declared components; findings under their globs are attributed to them.
    pub components: Vec<ComponentPaths>,
    /// Progress sink (the binary's bar), if any.
    pub progress: Option<&'a dyn ScanProgress>,
    /// Files (relative, `/` separators) read even when an exclude rule or a
    /// `.gitignore` would skip them: what a change touches, for `check`.
    pub include: std::collections::BTreeSet<String>,
    /// Folders (relative) left out entirely: submodules, for `check`.
    pub exclude: std::collections::BTreeSet<String>,
}

/// The default for [`ScanOptions::max_file_size`]: 2 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

impl<'a> ScanOptions<'a> {
    /// Options for scanning `root` with the defaults.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ScanOptions {
            root: root.into(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            components: Vec::new(),
            progress: None,
            include: Default::default(),
            exclude: Default::default(),
        }
    }
}

impl std::fmt::Debug for ScanOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanOptions")
            .field("root", &self.root)
            .field("max_file_size", &self.max_file_size)
            .field("components", &self.components)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Why a scan could not run at all (problems with single files are not
/// errors: they are listed in [`Skipped`]).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The root does not exist or cannot be opened.
    #[error(
        "cannot scan {path}: {source}\n  help: pass an existing directory, e.g. `blastmap scan .`"
    )]
    Root {
        /// The root as given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The root is a file, not a directory.
    #[error(
        "cannot scan {path}: it is not a directory\n  help: pass the folder that holds the source code"
    )]
    NotADirectory {
        /// The root as given.
        path: PathBuf,
    },
    /// A declared component glob does not compile.
    #[error(
        "component `{component}`: invalid path glob `{glob}`: {message}\n  help: fix `paths` in the declaration file"
    )]
    Glob {
        /// The component id.
        component: String,
        /// The glob.
        glob: String,
        /// What is wrong.
        message: String,
    },
}

/// Scans a source tree with the built-in catalog.
pub fn scan(opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    pipeline::run(opts, crate::catalog::Catalog::builtin)
}

/// Scans a source tree with the given catalog (tests use small ones).
pub fn scan_with_catalog(
    opts: &ScanOptions,
    catalog: &crate::catalog::Catalog,
) -> Result<ScanResult, ScanError> {
    pipeline::run(opts, || catalog)
}

/// Tells whether a file could yield anything to a scan, for trees that are
/// not on disk yet (a git revision read by `check --base`): dependency
/// manifests, `.gitignore` files, and text that mentions a catalog name
/// (the same prefilter a scan runs, so nothing a scan would find is left
/// out).
pub struct Relevance {
    prefilter: prefilter::Prefilter,
}

impl std::fmt::Debug for Relevance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Relevance")
    }
}

impl Relevance {
    /// Builds the prefilter of a catalog.
    pub fn new(catalog: &crate::catalog::Catalog) -> Relevance {
        Relevance {
            prefilter: prefilter::Prefilter::new(&index::Index::new(catalog)),
        }
    }

    /// Whether the file at `rel` (relative, `/` separators) with these
    /// contents is worth writing out for a scan.
    pub fn wants(&self, rel: &str, contents: &[u8]) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        name == ".gitignore"
            || manifest::ManifestKind::of_path(rel).is_some()
            || !self.prefilter.scan(contents).is_empty()
    }
}

#[cfg(test)]
mod skip_reason_tests {
    use super::SkipReason;

    #[test]
    fn names_are_the_serde_form_and_sort_like_the_enum() {
        let names: Vec<&str> = SkipReason::ALL.iter().map(|r| r.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "by_reason must stay in alphabetical order");
        for r in SkipReason::ALL {
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
            assert_eq!(format!("{r:<16}|"), format!("{:<16}|", r.as_str()));
        }
    }
}
