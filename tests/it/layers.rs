//! The layer order of ARCHITECTURE.md ("Layers"), enforced: every
//! `crate::` path in `src/` names a module at or to the left of the module
//! it is written in, so the crate could be split into crates along the
//! order. Comments are not code and are not read (a doc link may point
//! anywhere); `#[cfg(test)]` code is, and obeys the same order.

use std::path::Path;

/// The order, leftmost first. A module may use itself and those before it.
/// `lib.rs` only declares modules and is not a layer.
const ORDER: &[&str] = &[
    "vocab", "catalog", "model", "scan", "observe", "graph", "merge", "input", "check", "report",
    "cli", "main",
];

/// The top-level module a file of `src/` belongs to.
fn layer_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a line without its `//` comment (a `//` inside a string,
/// such as a URL, is kept).
fn code_of(line: &str) -> &str {
    let mut in_str = false;
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

/// Every `(line, module)` a text reaches through `crate::module` or a
/// `crate::{module, module::x}` group (which may span lines).
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let code: Vec<&str> = text.lines().map(code_of).collect();
    let joined = code.join("\n");
    let line_at = |offset: usize| joined[..offset].matches('\n').count() + 1;
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in joined.match_indices("crate::") {
        // `blastmap_crate::x` or `other_crate::` are not paths of this crate.
        if joined[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &joined[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: after `{` or a `,` at depth 0.
            let mut depth = 0usize;
            let mut expect = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => expect = true,
                    c if expect && (c.is_ascii_alphabetic() || c == '_') => {
                        let name = ident(&group[i..]);
                        let off = at + "crate::{".len() + i;
                        out.push((line_at(off), name));
                        expect = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push((line_at(at), ident(rest)));
        }
    }
    out
}

/// `file:line: ...` for every path that runs against the order.
fn violations(rel: &Path, text: &str) -> Vec<String> {
    let me = layer_of(rel);
    let rank = |m: &str| ORDER.iter().position(|o| *o == m);
    let Some(mine) = rank(&me) else {
        return vec![format!(
            "src/{}: module `{me}` is in no layer: add it to ORDER here and to ARCHITECTURE.md's order",
            rel.display()
        )];
    };
    let mut out = Vec::new();
    for (line, used) in crate_paths(text) {
        if let Some(theirs) = rank(&used)
            && theirs > mine
        {
            out.push(format!(
                "src/{}:{line}: `{me}` uses `crate::{used}`, a layer to its right ({})",
                rel.display(),
                ORDER.join(" → ")
            ));
        }
    }
    out
}

#[test]
fn no_module_uses_one_to_its_right() {
    let files = crate::common::rust_files_under("src");
    let mut bad = Vec::new();
    for f in &files {
        let rel = f.strip_prefix("src").unwrap();
        if rel == Path::new("lib.rs") {
            continue;
        }
        bad.extend(violations(rel, &std::fs::read_to_string(f).unwrap()));
    }
    assert!(files.len() > 50, "read src/: {} files", files.len());
    assert!(
        bad.is_empty(),
        "imports against the layer order:\n{}",
        bad.join("\n")
    );
}

#[test]
fn architecture_md_states_the_same_order() {
    let doc = std::fs::read_to_string("ARCHITECTURE.md").unwrap();
    let written = ORDER.join(" → ");
    assert!(
        doc.contains(&format!("`{written}`")),
        "ARCHITECTURE.md should state the layer order as `{written}`"
    );
}

#[test]
fn the_checker_names_file_and_line_of_an_upward_use() {
    let text = "//! docs may name crate::report\n\
                use crate::model::Map;\n\
                use crate::{\n    catalog,\n    graph::DataGraph,\n};\n\
                fn f() { let _ = \"https://x\"; crate::check::run(); }\n";
    let v = violations(Path::new("scan/x.rs"), text);
    assert_eq!(v.len(), 2, "{v:#?}");
    assert!(
        v[0].starts_with("src/scan/x.rs:5: `scan` uses `crate::graph`"),
        "{v:#?}"
    );
    assert!(
        v[1].starts_with("src/scan/x.rs:7: `scan` uses `crate::check`"),
        "{v:#?}"
    );
    // The same uses are fine from the top.
    assert!(violations(Path::new("cli.rs"), text).is_empty());
    // A module outside the order is reported, so a new one gets a place.
    assert!(violations(Path::new("newthing/mod.rs"), "")[0].contains("in no layer"));
}

/// Every link of the architecture document and the README is a file of the
/// repository (no `DESIGN.md` that is not there, no path outside it), and
/// every `src/…` path ARCHITECTURE.md writes in code names one (paths with
/// a placeholder, `<lang>`, aside).
#[test]
fn the_docs_point_only_to_files_in_the_repository() {
    let mut bad = Vec::new();
    for doc in ["ARCHITECTURE.md", "README.md"] {
        let text = std::fs::read_to_string(doc).unwrap();
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with('#')
            {
                continue;
            }
            let path = target.split('#').next().unwrap_or(target);
            if path.starts_with('/') || path.split('/').any(|p| p == "..") {
                bad.push(format!("{doc}: ({target}) points outside the repository"));
            } else if !Path::new(path).exists() {
                bad.push(format!("{doc}: ({target}) is not in the repository"));
            }
        }
    }
    let arch = std::fs::read_to_string("ARCHITECTURE.md").unwrap();
    for span in arch.split('`').skip(1).step_by(2) {
        let path = span.trim_end_matches(['.', ',']);
        if path.starts_with("src/")
            && !path.contains(['<', '{', ' ', '*'])
            && !Path::new(path).exists()
        {
            bad.push(format!(
                "ARCHITECTURE.md: `{path}` is not in the repository"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
