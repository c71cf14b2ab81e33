//! Helpers shared by the `lang_*` tests: load a fixture, pick facts out.
#![allow(dead_code)]

use std::path::Path;

use blastmap::scan::lang::{Call, FileFacts, Lang, extract};

/// Extracts the facts of `tests/fixtures/lang/<rel>`, by its extension.
pub fn fixture(rel: &str) -> FileFacts {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lang")
        .join(rel);
    let src = std::fs::read_to_string(&path).expect("fixture exists");
    let lang = Lang::from_path(&path).expect("fixture has a known extension");
    extract(lang, &src).expect("fixture parses")
}

/// The fixture's source.
pub fn source(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lang")
        .join(rel);
    std::fs::read_to_string(path).expect("fixture exists")
}

/// Imports as (module, line, bindings, dynamic).
pub fn imports(f: &FileFacts) -> Vec<(String, u32, Vec<String>, bool)> {
    f.imports
        .iter()
        .map(|i| (i.module.clone(), i.line, i.bindings.clone(), i.dynamic))
        .collect()
}

/// Shorthand for an expected import.
pub fn imp(
    module: &str,
    line: u32,
    bindings: &[&str],
    dynamic: bool,
) -> (String, u32, Vec<String>, bool) {
    (
        module.to_string(),
        line,
        bindings.iter().map(|s| s.to_string()).collect(),
        dynamic,
    )
}

/// The one call to `callee` on `line`; fails listing what there is.
pub fn call<'a>(f: &'a FileFacts, callee: &str, line: u32) -> &'a Call {
    let found: Vec<&Call> = f
        .calls
        .iter()
        .filter(|c| c.callee == callee && c.line == line)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one call {callee} at line {line}; calls: {:#?}",
        f.calls
            .iter()
            .map(|c| format!("{}:{}", c.line, c.callee))
            .collect::<Vec<_>>()
    );
    found[0]
}

/// A call's arguments as (key, expr, line).
pub fn args(c: &Call) -> Vec<(Option<String>, String, u32)> {
    c.args
        .iter()
        .map(|a| (a.key.clone(), a.expr.clone(), a.line))
        .collect()
}

/// Shorthand for an expected keyed argument.
pub fn kv(key: &str, expr: &str, line: u32) -> (Option<String>, String, u32) {
    (Some(key.to_string()), expr.to_string(), line)
}

/// Shorthand for an expected positional argument.
pub fn pos(expr: &str, line: u32) -> (Option<String>, String, u32) {
    (None, expr.to_string(), line)
}

/// Bindings as (name, root, line).
pub fn bindings(f: &FileFacts) -> Vec<(String, String, u32)> {
    f.bindings
        .iter()
        .map(|b| (b.name.clone(), b.root.clone(), b.line))
        .collect()
}

/// True if `needle` appears in any import, callee, binding or argument.
pub fn mentions(f: &FileFacts, needle: &str) -> bool {
    f.imports
        .iter()
        .any(|i| i.module.contains(needle) || i.bindings.iter().any(|b| b.contains(needle)))
        || f.calls.iter().any(|c| {
            c.callee.contains(needle)
                || c.args.iter().any(|a| {
                    a.expr.contains(needle) || a.key.as_deref().is_some_and(|k| k.contains(needle))
                })
        })
        || f.bindings
            .iter()
            .any(|b| b.name.contains(needle) || b.root.contains(needle))
}
