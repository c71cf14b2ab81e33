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

use super::{SkipReason, SkippedFile};

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
#[derive(Debug, Clone, Default)]
pub struct WalkedFile {
    /// Relative to the root, `/` separators.
    pub rel: String,
    /// The path under the canonical root, only when `rel` does not give
    /// it back (a name that is not UTF-8, written with `\xNN` escapes in
    /// `rel`): a scan holds up to a few thousand files at once, and the
    /// later passes every file of a parsed language, so no second path is
    /// kept per file.
    pub path: Option<PathBuf>,
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

/// Past this many pattern lines, a folder's rules are matched line by line
/// behind a literal prefilter (see [`Rules`]); below it, by one `Gitignore`.
const INDEX_RULES_OVER: usize = 256;

/// The ignore rules of one folder, with the `ignore` crate's semantics: the
/// last pattern line that matches a path decides (ignore or whitelist), and
/// a directory-only line does not apply to files.
///
/// One `Gitignore` over a large file is slow per path: its glob set becomes
/// one regex set too large for a lazy DFA, and every path then pays for
/// every pattern (a `.gitignore` of 20,000 `dir123/*.txt` lines took a scan
/// of 15,000 files from 0.2 s to over two minutes). Large files are therefore
/// compiled in chunks of [`CHUNK_LINES`] consecutive lines, one `Gitignore`
/// each, and every line is keyed by a literal fragment that every path it
/// matches must contain (the rarest of its fragments): one Aho-Corasick pass
/// over a path names the few chunks worth testing, and they are tested last
/// chunk first. Since a chunk's own verdict is its last matching line's, the
/// first chunk with a verdict gives the whole file's, exactly as one matcher
/// would. Lines with no safe fragment (`*`, classes, escapes) make their
/// chunk always tested.
enum Rules {
    One(Gitignore),
    Indexed(Box<Indexed>),
}

/// Lines per chunk of a large ignore file: small enough for each chunk's
/// regex set to stay fast, large enough that the chunks cost little memory.
const CHUNK_LINES: usize = 64;

/// Pattern lines with the file each came from, and their matcher once built.
type Chunk = (
    Vec<(PathBuf, String)>,
    std::cell::OnceCell<Option<Gitignore>>,
);

struct Indexed {
    dir: PathBuf,
    /// Each chunk's lines, compiled when a path first needs them: building
    /// a regex set costs far more than matching, and most chunks are never
    /// needed (their fragments appear in no path).
    chunks: Vec<Chunk>,
    always: Vec<u32>,
    fragments: aho_corasick::AhoCorasick,
    by_fragment: Vec<Vec<u32>>,
}

impl Rules {
    fn matched(&self, path: &Path, is_dir: bool) -> ignore::Match<()> {
        let gi = match self {
            Rules::One(gi) => gi,
            Rules::Indexed(ix) => return ix.matched(path, is_dir),
        };
        verdict(gi, path, is_dir)
    }
}

fn verdict(gi: &Gitignore, path: &Path, is_dir: bool) -> ignore::Match<()> {
    let m = gi.matched(path, is_dir);
    if m.is_ignore() {
        ignore::Match::Ignore(())
    } else if m.is_whitelist() {
        ignore::Match::Whitelist(())
    } else {
        ignore::Match::None
    }
}

impl Indexed {
    fn matched(&self, path: &Path, is_dir: bool) -> ignore::Match<()> {
        let mut candidates: Vec<u32> = self.always.clone();
        let hay = path.as_os_str().as_encoded_bytes();
        for m in self.fragments.find_overlapping_iter(hay) {
            candidates.extend_from_slice(&self.by_fragment[m.pattern().as_usize()]);
        }
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        candidates.dedup();
        for i in candidates {
            let (lines, compiled) = &self.chunks[i as usize];
            let Some(gi) = compiled.get_or_init(|| {
                let mut b = GitignoreBuilder::new(&self.dir);
                for (from, l) in lines {
                    // A malformed line is left out; the rest still applies.
                    let _ = b.add_line(Some(from.clone()), l);
                }
                b.build().ok()
            }) else {
                continue;
            };
            let m = verdict(gi, path, is_dir);
            if !m.is_none() {
                return m;
            }
        }
        ignore::Match::None
    }
}

/// The pattern lines of an ignore file, read as the `ignore` crate reads
/// them (a leading BOM dropped, reading stops at a line that is not UTF-8).
fn ignore_lines(path: &Path) -> Vec<String> {
    use std::io::BufRead;
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let Ok(line) = line else { break };
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}').to_string()
        } else {
            line
        };
        out.push(line);
    }
    out
}

/// Literal pieces every path matched by a gitignore line must contain, or
/// none when the line has syntax whose literal text is not plain (classes,
/// alternatives, escapes).
fn line_fragments(line: &str) -> Vec<&str> {
    let body = line.trim_end();
    let body = body.strip_prefix('!').unwrap_or(body);
    if body.is_empty() || body.starts_with('#') || body.contains(['\\', '[', ']', '{', '}']) {
        return Vec::new();
    }
    body.split(['*', '?', '/'])
        .filter(|f| !f.is_empty() && *f == f.trim())
        .collect()
}

fn build_rules(dir: &Path, files: &[std::path::PathBuf], index_over: usize) -> Option<Rules> {
    let mut lines: Vec<(std::path::PathBuf, String)> = Vec::new();
    for f in files {
        for l in ignore_lines(f) {
            lines.push((f.clone(), l));
        }
    }
    if lines.len() <= index_over {
        let mut b = GitignoreBuilder::new(dir);
        for (from, l) in &lines {
            // A malformed line is left out; the rest still applies.
            let _ = b.add_line(Some(from.clone()), l);
        }
        return b.build().ok().map(Rules::One);
    }
    let mut uses: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let fragments: Vec<Vec<&str>> = lines.iter().map(|(_, l)| line_fragments(l)).collect();
    for frags in &fragments {
        for f in frags {
            *uses.entry(f).or_default() += 1;
        }
    }
    let mut ids: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut patterns: Vec<&str> = Vec::new();
    let mut by_fragment: Vec<Vec<u32>> = Vec::new();
    let mut always = Vec::new();
    let mut chunks = Vec::new();
    for (c, chunk) in lines.chunks(CHUNK_LINES).enumerate() {
        let id = chunks.len() as u32;
        chunks.push((chunk.to_vec(), std::cell::OnceCell::new()));
        let mut keys: Vec<usize> = Vec::new();
        let mut any_always = false;
        for (j, (_, l)) in chunk.iter().enumerate() {
            let frags = &fragments[c * CHUNK_LINES + j];
            let key = frags
                .iter()
                .min_by_key(|f| (uses[*f], std::cmp::Reverse(f.len())))
                .copied();
            match key {
                Some(k) => keys.push(*ids.entry(k).or_insert_with(|| {
                    patterns.push(k);
                    by_fragment.push(Vec::new());
                    patterns.len() - 1
                })),
                // A comment or blank line matches nothing; any other line
                // without a fragment may match anything.
                None if !is_blank_or_comment(l) => any_always = true,
                None => {}
            }
        }
        if any_always {
            always.push(id);
        } else {
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                by_fragment[k].push(id);
            }
        }
    }
    let fragments = aho_corasick::AhoCorasick::new(&patterns).ok()?;
    Some(Rules::Indexed(Box::new(Indexed {
        dir: dir.to_path_buf(),
        chunks,
        always,
        fragments,
        by_fragment,
    })))
}

/// A line the `ignore` crate skips: empty (trailing whitespace aside) or
/// a comment.
fn is_blank_or_comment(line: &str) -> bool {
    line.trim_end().is_empty() || line.starts_with('#')
}

fn load_ignore(dir: &Path, extra: Option<&Path>) -> Option<Rules> {
    let mut files = Vec::new();
    let gi = dir.join(".gitignore");
    if gi.is_file() {
        files.push(gi);
    }
    if let Some(e) = extra {
        if e.is_file() {
            files.push(e.to_path_buf());
        }
    }
    if files.is_empty() {
        return None;
    }
    build_rules(dir, &files, INDEX_RULES_OVER)
}

/// Walks `root` (which must be a canonical directory path).
pub fn walk(root: &Path, max_file_size: u64) -> Walk {
    let mut files = Vec::new();
    let mut out = walk_each(root, max_file_size, &mut |f| files.push(f));
    out.files = files;
    out
}

/// [`walk`], handing each file to `sink` as soon as it is found, in the
/// same order, instead of keeping it in [`Walk::files`] (left empty): the
/// scan reads the first files while the rest of the tree is walked.
pub fn walk_each(root: &Path, max_file_size: u64, sink: &mut dyn FnMut(WalkedFile)) -> Walk {
    let mut out = Walk {
        root: root.to_path_buf(),
        ..Default::default()
    };
    // (depth of the folder holding the rules, rules), deepest last.
    let mut ignores: Vec<(usize, Rules)> = Vec::new();
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
                        reason: SkipReason::Unreadable,
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
                out.skipped.push(SkippedFile { path: rel, reason });
            }
            continue;
        }
        if !ft.is_file() {
            // Sockets, FIFOs, devices: opening one could block the scan.
            out.skipped.push(SkippedFile {
                path: rel,
                reason: SkipReason::Unreadable,
            });
            continue;
        }
        if is_minified_name(&name) {
            out.skipped.push(SkippedFile {
                path: rel,
                reason: SkipReason::Minified,
            });
            continue;
        }
        let size = match entry.metadata() {
            Ok(m) => m.len(),
            Err(_) => {
                out.skipped.push(SkippedFile {
                    path: rel,
                    reason: SkipReason::Unreadable,
                });
                continue;
            }
        };
        if size > max_file_size {
            out.skipped.push(SkippedFile {
                path: rel,
                reason: SkipReason::TooLarge,
            });
            continue;
        }
        sink(WalkedFile {
            path: exact_path(root, path, &rel),
            rel,
            size,
        });
    }
    out
}

/// `path` when `root` joined with `rel` (its text relative to `root`) would
/// not give it back; `None` when it would.
fn exact_path(root: &Path, path: &Path, rel: &str) -> Option<PathBuf> {
    let same = path
        .strip_prefix(root)
        .ok()
        .and_then(|p| p.to_str())
        .is_some_and(|p| p == rel);
    (!same).then(|| path.to_path_buf())
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
    if !exclude.is_empty() {
        out.files.retain(|f| !is_excluded(exclude, &f.rel));
        out.skipped.retain(|s| !is_excluded(exclude, &s.path));
    }
    add_includes(out, include, exclude, max_file_size);
    if !include.is_empty() {
        out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    }
}

/// True when `rel` is an `exclude` folder or under one.
pub fn is_excluded(exclude: &std::collections::BTreeSet<String>, rel: &str) -> bool {
    exclude
        .iter()
        .any(|d| rel == d || (rel.starts_with(d.as_str()) && rel[d.len()..].starts_with('/')))
}

/// The `include` half of [`apply_overrides`], on a walk whose excluded
/// files are already gone: the included files are added at the end of
/// [`Walk::files`] (which [`apply_overrides`] then sorts by path).
pub fn add_includes(
    out: &mut Walk,
    include: &std::collections::BTreeSet<String>,
    exclude: &std::collections::BTreeSet<String>,
    max_file_size: u64,
) {
    if include.is_empty() {
        return;
    }
    let have: std::collections::BTreeSet<String> = out
        .files
        .iter()
        .filter(|f| include.contains(&f.rel))
        .map(|f| f.rel.clone())
        .collect();
    add_includes_beside(out, include, exclude, max_file_size, &have);
}

/// [`add_includes`] for a walk whose files were handed out as it went
/// ([`walk_each`]): `have` holds the included paths the walk already gave.
pub fn add_includes_beside(
    out: &mut Walk,
    include: &std::collections::BTreeSet<String>,
    exclude: &std::collections::BTreeSet<String>,
    max_file_size: u64,
    have: &std::collections::BTreeSet<String>,
) {
    let excluded = |rel: &str| is_excluded(exclude, rel);
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
                reason: SkipReason::TooLarge,
            });
            continue;
        }
        out.files.push(WalkedFile {
            path: exact_path(&out.root, &path, rel),
            rel: rel.clone(),
            size: meta.len(),
        });
    }
}

fn is_ignored(ignores: &[(usize, Rules)], path: &Path, is_dir: bool) -> bool {
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
fn symlink_verdict(root: &Path, link: &Path) -> Option<SkipReason> {
    let target = match std::fs::canonicalize(link) {
        Ok(t) => t,
        Err(e) => {
            // ELOOP: the link resolves to itself, directly or not.
            return Some(if is_loop_error(&e) {
                SkipReason::SymlinkLoop
            } else {
                SkipReason::Unreadable
            });
        }
    };
    if !target.starts_with(root) {
        return Some(SkipReason::SymlinkOutsideRoot);
    }
    if target.is_dir() {
        let parent = link.parent().unwrap_or(root);
        if parent.starts_with(&target) {
            return Some(SkipReason::SymlinkLoop);
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

    /// Regression (scale issue, part 5): large ignore files are matched
    /// line by line behind a prefilter; the verdicts must be the single
    /// matcher's, for every kind of line.
    #[test]
    fn indexed_rules_give_the_single_matchers_verdicts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut lines = vec![
            "# a comment".to_string(),
            String::new(),
            "*.log".into(),
            "!keep.log".into(),
            "build/".into(),
            "/only-root.txt".into(),
            "docs/**/draft-*.md".into(),
            "**/cache".into(),
            "a?c.txt".into(),
            "[Tt]emp*".into(),
            "\\#hash".into(),
            "space\\ ".into(),
            "gen-{x,y}.js".into(),
            "*".into(),
            "!src/".into(),
            "!src/**".into(),
            "src/out*/".into(),
            "!src/out2/".into(),
            "deep/x/y/z.txt   ".into(),
        ];
        for i in 0..300 {
            lines.push(format!("logs{i}/*.txt"));
            lines.push(format!("*cache{i}*.o"));
        }
        lines.push("!logs7/keep.txt".into());
        std::fs::write(root.join(".gitignore"), lines.join("\n")).unwrap();
        let files = vec![root.join(".gitignore")];
        let one = build_rules(root, &files, usize::MAX).unwrap();
        let indexed = build_rules(root, &files, 0).unwrap();
        assert!(matches!(indexed, Rules::Indexed(_)));
        let paths = [
            "x.log",
            "keep.log",
            "sub/keep.log",
            "build",
            "sub/build",
            "only-root.txt",
            "sub/only-root.txt",
            "docs/a/b/draft-1.md",
            "docs/draft-2.md",
            "cache",
            "a/b/cache",
            "abc.txt",
            "ac.txt",
            "Temp1",
            "temp",
            "#hash",
            "space ",
            "gen-x.js",
            "gen-z.js",
            "src",
            "src/main.rs",
            "src/out1",
            "src/out2",
            "deep/x/y/z.txt",
            "logs7/a.txt",
            "logs7/keep.txt",
            "logs299/b/c.txt",
            "logs300/a.txt",
            "x/cache12y.o",
            "cache12.o",
            "plain.rs",
            "a b/c",
        ];
        for p in paths {
            for is_dir in [false, true] {
                let full = root.join(p);
                let a = one.matched(&full, is_dir);
                let b = indexed.matched(&full, is_dir);
                assert_eq!(
                    (a.is_ignore(), a.is_whitelist()),
                    (b.is_ignore(), b.is_whitelist()),
                    "{p} (dir: {is_dir})"
                );
            }
        }
    }

    #[test]
    fn fragments_are_literal_text_only() {
        assert_eq!(line_fragments("logs12/*.txt"), ["logs12", ".txt"]);
        assert_eq!(line_fragments("!**/cache"), ["cache"]);
        assert!(line_fragments("[Tt]emp").is_empty());
        assert!(line_fragments("a\\*b").is_empty());
        assert!(line_fragments("# comment").is_empty());
        assert!(line_fragments("*").is_empty());
    }

    #[test]
    fn minified_names() {
        assert!(is_minified_name("jquery.min.js"));
        assert!(is_minified_name("app.js.map"));
        assert!(!is_minified_name("admin.js"));
        assert!(!is_minified_name("terminal.js"));
    }
}
