//! Discovering vendor integrations in a source tree.
//!
//! The scan walks the tree (walkdir, `.gitignore` rules, default excludes,
//! never leaving the root), reads each file once, runs one multi-pattern
//! prefilter over the catalog's names, and parses only files that mention a
//! vendor. Each detector turns what it finds into [`Evidence`]; the result is
//! plain data ([`ScanResult`]), never printed here.

use std::collections::BTreeMap;

pub mod classify;
pub mod lang;

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

/// A file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkippedFile {
    /// Path relative to the root.
    pub path: String,
    /// `binary`, `too-large`, `unreadable`, `not-utf8`, `parse-timeout`,
    /// `parse-error`, `symlink-outside-root`, `symlink-loop`, `minified`.
    pub reason: String,
}

/// Every skipped file, with counts per reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Number of skipped files.
    pub total: usize,
    /// Counts per reason.
    pub by_reason: BTreeMap<String, usize>,
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
}
