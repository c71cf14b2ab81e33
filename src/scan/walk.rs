//! Traversal: walkdir over the root in sorted order, `.gitignore` rules at
//! every level (plus `.git/info/exclude`) through the `ignore` crate's
//! matcher, default excludes, and symlink containment.
//!
//! Invariants:
//! - Symlinks are never followed. A link to a file or folder inside the root
//!   is not read through the link (the target is read at its own path); a
//!   link that leaves the root is listed as `symlink-outside-root`, one that
//!   points at its own ancestor (or at itself) as `symlink-loop`. The walk
//!   therefore always ends.
//! - Every file that is not read, for a reason other than an exclude rule
//!   the user can see (gitignore, the default folders), is listed in
//!   [`Walk::skipped`].
//! - Nothing is read here beyond `.gitignore` files: only metadata.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use walkdir::WalkDir;

use super::SkippedFile;

/// Folders never entered: dependencies, build output and tool state.
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "dist",
    "build",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".gradle",
    "Pods",
    "coverage",
];

/// A file to read.
#[derive(Debug, Clone)]
pub struct WalkedFile {
    /// Absolute path (under the canonical root).
    pub path: PathBuf,
    /// Relative to the root, `/` separators.
    pub rel: String,
    /// Size in bytes, from metadata.
    pub size: u64,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The canonical root.
    pub root: PathBuf,
    /// Files to read, in sorted path order.
    pub files: Vec<WalkedFile>,
    /// Files not read, with the reason.
    pub skipped: Vec<SkippedFile>,
}

/// True for bundles that are minified by name (`app.min.js`, `vendor-min.js`).
pub fn is_minified_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".min.js", "-min.js", ".min.mjs", ".min.css", ".min.map", ".js.map", ".css.map",
    ]
    .iter()
    .any(|s| lower.ends_with(s))
}

/// A file name as text. Bytes that are not UTF-8 are written `\xNN`, so
/// that a report names the file exactly (a lossy conversion would print
/// U+FFFD, and two names could read the same); `check --base` names the
/// base revision's files the same way.
pub fn name_text(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        bytes_text(name.as_bytes())
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// Bytes as text, invalid UTF-8 sequences written `\xNN`.
pub fn bytes_text(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for b in &rest[..bad] {
                    out.push_str(&format!("\\x{b:02x}"));
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// Relative path with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel.components().map(|c| name_text(c.as_os_str())).collect();
    parts.join("/")
}

fn load_ignore(dir: &Path, extra: Option<&Path>) -> Option<Gitignore> {
    let mut b = GitignoreBuilder::new(dir);
    let mut any = false;
    let gi = dir.join(".gitignore");
    if gi.is_file() {
        // A malformed line is left out by the builder; the rest still applies.
        let _ = b.add(&gi);
        any = true;
    }
    if let Some(e) = extra {
        if e.is_file() {
            let _ = b.add(e);
            any = true;
        }
    }
    if !any {
        return None;
    }
    b.build().ok()
}

/// Walks `root` (which must be a canonical directory path).
pub fn walk(root: &Path, max_file_size: u64) -> Walk {
    let mut out = Walk {
        root: root.to_path_buf(),
        ..Default::default()
    };
    // (depth of the folder holding the rules, rules), deepest last.
    let mut ignores: Vec<(usize, Gitignore)> = Vec::new();
    let mut it = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    loop {
        let entry = match it.next() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let rel = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| "?".to_string());
                if !rel.is_empty() {
                    out.skipped.push(SkippedFile {
                        path: rel,
                        reason: "unreadable".into(),
                    });
                }
                continue;
            }
        };
        let depth = entry.depth();
        while ignores.last().is_some_and(|(d, _)| *d >= depth) {
            ignores.pop();
        }
        let path = entry.path();
        let ft = entry.file_type();
        if depth == 0 {
            if let Some(gi) = load_ignore(path, Some(&path.join(".git/info/exclude"))) {
                ignores.push((0, gi));
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        let is_dir = ft.is_dir();
        if is_ignored(&ignores, path, is_dir) {
            if is_dir {
                it.skip_current_dir();
            }
            continue;
        }
        if is_dir {
            if DEFAULT_EXCLUDED_DIRS.contains(&name.as_ref()) {
                it.skip_current_dir();
                continue;
            }
            if let Some(gi) = load_ignore(path, None) {
                ignores.push((depth, gi));
            }
            continue;
        }
        let rel = relative(root, path);
        if ft.is_symlink() {
            if let Some(reason) = symlink_verdict(root, path) {
                out.skipped.push(SkippedFile {
                    path: rel,
                    reason: reason.into(),
                });
            }
            continue;
        }
        if !ft.is_file() {
            // Sockets, FIFOs, devices: opening one could block the scan.
            out.skipped.push(SkippedFile {
                path: rel,
                reason: "unreadable".into(),
            });
            continue;
        }
        if is_minified_name(&name) {
            out.skipped.push(SkippedFile {
                path: rel,
                reason: "minified".into(),
            });
            continue;
        }
        let size = match entry.metadata() {
            Ok(m) => m.len(),
            Err(_) => {
                out.skipped.push(SkippedFile {
                    path: rel,
                    reason: "unreadable".into(),
                });
                continue;
            }
        };
        if size > max_file_size {
            out.skipped.push(SkippedFile {
                path: rel,
                reason: "too-large".into(),
            });
            continue;
        }
        out.files.push(WalkedFile {
            path: path.to_path_buf(),
            rel,
            size,
        });
    }
    out
}

/// Applies a caller's overrides to a finished walk: files under an
/// `exclude` folder are dropped (with their skipped entries), and each
/// `include` path (relative, `/` separators) is read even when an exclude
/// rule, a `.gitignore` or a minified name kept it out: `check --base`
/// passes the files a change touches, so committing code under `dist/` or
/// force-adding an ignored file does not walk around the gate. An included
/// path is still refused when it is not a regular file inside the root
/// (reached through no link) or is larger than `max_file_size`.
pub fn apply_overrides(
    out: &mut Walk,
    include: &std::collections::BTreeSet<String>,
    exclude: &std::collections::BTreeSet<String>,
    max_file_size: u64,
) {
    let excluded = |rel: &str| {
        exclude
            .iter()
            .any(|d| rel == d || (rel.starts_with(d.as_str()) && rel[d.len()..].starts_with('/')))
    };
    if !exclude.is_empty() {
        out.files.retain(|f| !excluded(&f.rel));
        out.skipped.retain(|s| !excluded(&s.path));
    }
    if include.is_empty() {
        return;
    }
    let have: std::collections::HashSet<String> = out.files.iter().map(|f| f.rel.clone()).collect();
    for rel in include {
        if have.contains(rel) || excluded(rel) {
            continue;
        }
        let parts: Vec<&str> = rel.split('/').collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == "..")
        {
            continue;
        }
        let path = parts.iter().fold(out.root.clone(), |p, c| p.join(c));
        // Every component must be what it says: a link anywhere on the way
        // could lead out of the root.
        let Ok(real) = std::fs::canonicalize(&path) else {
            continue;
        };
        if real != path {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.file_type().is_file() {
            continue;
        }
        out.skipped.retain(|s| &s.path != rel);
        if meta.len() > max_file_size {
            out.skipped.push(SkippedFile {
                path: rel.clone(),
                reason: "too-large".into(),
            });
            continue;
        }
        out.files.push(WalkedFile {
            path,
            rel: rel.clone(),
            size: meta.len(),
        });
    }
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
}

fn is_ignored(ignores: &[(usize, Gitignore)], path: &Path, is_dir: bool) -> bool {
    for (_, gi) in ignores.iter().rev() {
        let m = gi.matched(path, is_dir);
        if m.is_ignore() {
            return true;
        }
        if m.is_whitelist() {
            return false;
        }
    }
    false
}

/// What to report about a symlink: `None` when its target is inside the
/// root and is read at its own path.
fn symlink_verdict(root: &Path, link: &Path) -> Option<&'static str> {
    let target = match std::fs::canonicalize(link) {
        Ok(t) => t,
        Err(e) => {
            // ELOOP: the link resolves to itself, directly or not.
            return Some(if is_loop_error(&e) {
                "symlink-loop"
            } else {
                "unreadable"
            });
        }
    };
    if !target.starts_with(root) {
        return Some("symlink-outside-root");
    }
    if target.is_dir() {
        let parent = link.parent().unwrap_or(root);
        if parent.starts_with(&target) {
            return Some("symlink-loop");
        }
    }
    None
}

fn is_loop_error(e: &std::io::Error) -> bool {
    // ELOOP is 40 on Linux, 62 on macOS and the BSDs.
    matches!(e.raw_os_error(), Some(40) | Some(62))
        || e.to_string()
            .to_ascii_lowercase()
            .contains("symbolic links")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_names() {
        assert!(is_minified_name("jquery.min.js"));
        assert!(is_minified_name("app.js.map"));
        assert!(!is_minified_name("admin.js"));
        assert!(!is_minified_name("terminal.js"));
    }
}
