//! Shared helpers for the scan tests: run a scan and summarise it in a form
//! that is easy to compare exactly.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use blastmap::scan::{ScanOptions, ScanResult, scan};

/// The fixture folder of a scenario.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scan")
        .join(name)
}

/// Scans a folder with the defaults.
pub fn run(dir: &Path) -> ScanResult {
    scan(&ScanOptions::new(dir)).expect("the scan runs")
}

/// `vendor component scope` for every integration.
pub fn integrations(r: &ScanResult) -> Vec<String> {
    r.integrations
        .iter()
        .map(|i| {
            format!(
                "{} {} {}",
                i.vendor,
                i.component.as_deref().unwrap_or("-"),
                i.scope.as_str()
            )
        })
        .collect()
}

/// Vendors with at least one production integration.
pub fn production_vendors(r: &ScanResult) -> BTreeSet<String> {
    r.integrations
        .iter()
        .filter(|i| i.scope.as_str() == "production")
        .map(|i| i.vendor.clone())
        .collect()
}

/// Vendors whose integrations are all test or dev.
pub fn non_production_vendors(r: &ScanResult) -> BTreeSet<String> {
    let prod = production_vendors(r);
    r.integrations
        .iter()
        .map(|i| i.vendor.clone())
        .filter(|v| !prod.contains(v))
        .collect()
}

/// `kind file:line scope` for every piece of evidence of a vendor.
pub fn evidence(r: &ScanResult, vendor: &str) -> Vec<String> {
    let mut out: Vec<String> = r
        .integrations
        .iter()
        .filter(|i| i.vendor == vendor)
        .flat_map(|i| i.evidence.iter())
        .map(|e| {
            format!(
                "{} {}:{} {}",
                e.kind.as_str(),
                e.file,
                e.line,
                e.scope.as_str()
            )
        })
        .collect();
    out.sort();
    out
}

/// Every evidence text of the scan, for redaction checks.
pub fn all_text(r: &ScanResult) -> String {
    r.integrations
        .iter()
        .flat_map(|i| i.evidence.iter())
        .map(|e| e.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sorted set from string literals.
pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Writes a file under `root`, creating its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The call-site fields (not the collected ones) of a vendor, as
/// `category file:line`, sorted, each once.
pub fn call_fields(r: &ScanResult, vendor: &str) -> Vec<String> {
    fields_of(r, vendor, false)
}

/// What the vendor's SDK collects by itself, as `category file:line`.
pub fn collected(r: &ScanResult, vendor: &str) -> Vec<String> {
    fields_of(r, vendor, true)
}

fn fields_of(r: &ScanResult, vendor: &str, by_sdk: bool) -> Vec<String> {
    let mut out: Vec<String> = r
        .integrations
        .iter()
        .filter(|i| i.vendor == vendor)
        .flat_map(|i| i.fields.iter())
        .filter(|f| f.name.starts_with("collected by the SDK") == by_sdk)
        .map(|f| format!("{} {}:{}", f.category, f.file, f.line))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Call evidence of a vendor as `file:line scope`.
pub fn calls(r: &ScanResult, vendor: &str) -> Vec<String> {
    let mut out: Vec<String> = r
        .integrations
        .iter()
        .filter(|i| i.vendor == vendor)
        .flat_map(|i| i.evidence.iter())
        .filter(|e| e.kind == blastmap::model::EvidenceKind::Call)
        .map(|e| format!("{}:{} {}", e.file, e.line, e.scope.as_str()))
        .collect();
    out.sort();
    out
}

/// Every field seen at a call site (not what an SDK collects by itself) as
/// `vendor category file:line`, sorted.
pub fn field_lines(r: &ScanResult) -> Vec<String> {
    let mut got: Vec<String> = r
        .integrations
        .iter()
        .flat_map(|i| {
            i.fields
                .iter()
                .filter(|f| !f.name.starts_with("collected by the SDK"))
                .map(move |f| format!("{} {} {}:{}", i.vendor, f.category, f.file, f.line))
        })
        .collect();
    got.sort();
    got
}

/// The text of a vendor's call evidence at `file:line` (panics if none).
pub fn call_text(r: &ScanResult, vendor: &str, file: &str, line: u32) -> String {
    r.integrations
        .iter()
        .filter(|i| i.vendor == vendor)
        .flat_map(|i| i.evidence.iter())
        .find(|e| e.kind == blastmap::model::EvidenceKind::Call && e.file == file && e.line == line)
        .map(|e| e.text.clone())
        .unwrap_or_else(|| panic!("no call evidence at {file}:{line}"))
}
