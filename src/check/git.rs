//! `check --base REF`: the files of a git revision, read through git itself
//! (`git ls-tree` and `git cat-file --batch`), never by checking anything
//! out: the working tree, the index and HEAD are left as they are.
//!
//! Only the files a scan could learn something from are written, into a
//! temporary folder that is scanned like any tree. Which files: a file whose
//! content is the same at the base and in the working tree yields the same
//! findings on both sides, so of those only the ones the working tree's
//! scan found something in are read, with every dependency manifest and
//! `.gitignore` (they shape components and the walk); every file that
//! differs ([`changed_paths`]) is read. Of the files read, those whose text
//! fails the caller's test (the scan's prefilter) are dropped. A check with
//! `--base` thus costs one scan plus the files a change touches.
//!
//! One consequence, accepted: a first-party wrapper deleted by the change
//! is not followed into unchanged files at the base (their call sites
//! name no vendor and had no finding in the working tree), so the base may
//! show fewer flows through it; that can only make the change look smaller.
//!
//! Safety: only regular files are written (no symlinks, no submodules);
//! paths with `..`, `.git` or empty components are refused; git is run with
//! the revision after `--end-of-options`, so a revision cannot be taken for
//! an option, and with no pager, no prompt and no optional locks.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why a revision could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// git is not installed.
    #[error(
        "cannot run git: {0}\n  help: `--base` reads the base revision through git; install git, or compare with a saved scan: `--baseline scan.json`"
    )]
    NoGit(std::io::Error),
    /// The folder is not in a git work tree.
    #[error(
        "{dir} is not inside a git repository: {stderr}\n  help: run the check in a clone, or compare with a saved scan: `--baseline scan.json`"
    )]
    NotARepo {
        /// The folder.
        dir: String,
        /// What git said.
        stderr: String,
    },
    /// The revision does not name a commit.
    #[error("`{rev}` is not a commit in this repository{shallow}\n  help: {help}")]
    UnknownRevision {
        /// The revision as given.
        rev: String,
        /// A note on shallow clones.
        shallow: String,
        /// What to do.
        help: String,
    },
    /// git failed while listing or reading.
    #[error("git {what} failed: {stderr}")]
    Failed {
        /// The command.
        what: String,
        /// What git said.
        stderr: String,
    },
    /// Writing the temporary copy failed.
    #[error("cannot write the base revision's files to {dir}: {source}")]
    Write {
        /// The temporary folder.
        dir: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A base revision's relevant files, in a temporary folder removed on drop.
#[derive(Debug)]
pub struct BaseTree {
    dir: tempfile::TempDir,
    name: String,
    /// The commit the revision resolved to.
    pub commit: String,
    /// Regular files under the folder at that commit.
    pub listed: usize,
    /// Files written (those a scan can learn from).
    pub written: usize,
}

impl BaseTree {
    /// The folder to scan: named like the checked folder, since a scan
    /// names the root's component after its folder.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join(&self.name)
    }
}

/// Configuration that would let the repository start a program, switched
/// off on every call. The repository's own `.git/config` is as untrusted as
/// its files (a clone made by a CI system is not, but a tree handed over as
/// an archive with its `.git` folder is), so whatever it sets for these keys
/// is overridden here. The calls below never touch the work tree (changed
/// files are found by hashing, in [`changes`]), so filters, fsmonitor and
/// the index refresh are out of their way already; this is the second wall.
const HARDENING: &[&str] = &[
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.attributesFile=/dev/null",
    "core.pager=cat",
    "core.askPass=",
    "core.sshCommand=false",
    "core.editor=false",
    "core.alternateRefsCommand=",
    "core.untrackedCache=false",
    "diff.external=",
    "credential.helper=",
    "protocol.allow=never",
    "uploadpack.packObjectsHook=",
    "gpg.program=false",
    "sequence.editor=false",
];

/// The empty tree: attributes are read from it instead of the work tree
/// (`GIT_ATTR_SOURCE`, git 2.40 and later; older versions ignore it), so a
/// `.gitattributes` of the repository names no filter or textconv driver.
const EMPTY_TREE_SHA1: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// A git command for `dir` that the repository cannot make run a program.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir).arg("--no-pager");
    for kv in HARDENING {
        c.args(["-c", kv]);
    }
    // Variables that name programs are cleared, not trusted from whoever
    // started blastmap either: none of these calls needs one.
    for var in [
        "GIT_ASKPASS",
        "SSH_ASKPASS",
        "GIT_EXTERNAL_DIFF",
        "GIT_PAGER",
        "PAGER",
        "GIT_EDITOR",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_PROXY_COMMAND",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
    ] {
        c.env_remove(var);
    }
    c.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_ATTR_NOSYSTEM", "1")
        .env("GIT_ATTR_SOURCE", EMPTY_TREE_SHA1)
        // A partial clone would fetch a missing blob from its remote: no
        // network, ever.
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_PROTOCOL_FROM_USER", "0")
        .stdin(Stdio::null());
    c
}

fn run(mut c: Command, what: &str) -> Result<Vec<u8>, GitError> {
    let out = c.output().map_err(GitError::NoGit)?;
    if !out.status.success() {
        return Err(GitError::Failed {
            what: what.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// Resolves `rev` to a commit id in the repository that holds `dir`.
pub fn resolve(dir: &Path, rev: &str) -> Result<String, GitError> {
    let mut top = git(dir);
    top.args(["rev-parse", "--show-toplevel"]);
    let out = top.output().map_err(GitError::NoGit)?;
    if !out.status.success() {
        return Err(GitError::NotARepo {
            dir: dir.display().to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let mut c = git(dir);
    c.args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"));
    let out = c.output().map_err(GitError::NoGit)?;
    if out.status.success() && !rev.starts_with('-') {
        return Ok(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    let mut sh = git(dir);
    sh.args(["rev-parse", "--is-shallow-repository"]);
    let shallow = run(sh, "rev-parse")
        .map(|o| String::from_utf8_lossy(&o).trim() == "true")
        .unwrap_or(false);
    Err(GitError::UnknownRevision {
        rev: rev.to_string(),
        shallow: if shallow {
            " (this clone is shallow: older commits are not here)".into()
        } else {
            String::new()
        },
        help: if shallow {
            "fetch the history first (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)".into()
        } else if let Some((remote, branch)) = rev
            .split_once('/')
            .filter(|(r, b)| !r.is_empty() && !b.is_empty())
        {
            // A remote branch this clone has not fetched (CI often checks
            // out the pull request's head alone).
            format!(
                "this clone has no `{rev}`: fetch it first (`git fetch {remote} {branch}`), or name a branch, tag or commit that exists here, e.g. `--base HEAD~1`"
            )
        } else {
            let examples: Vec<&str> = ["origin/main", "HEAD~1"]
                .into_iter()
                .filter(|e| *e != rev)
                .collect();
            format!(
                "name a branch, tag or commit that exists here, e.g. {}",
                examples
                    .iter()
                    .map(|e| format!("`--base {e}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        },
    })
}

/// A safe relative path from a git tree entry, or `None`.
fn safe_path(rel: &str) -> Option<PathBuf> {
    safe_raw(rel.as_bytes())
}

/// A safe relative path from a git tree entry's bytes (which need not be
/// UTF-8), or `None`: no empty, `.`, `..` or `.git` part, no backslash.
fn safe_raw(rel: &[u8]) -> Option<PathBuf> {
    let mut p = PathBuf::new();
    for part in rel.split(|b| *b == b'/') {
        if part.is_empty()
            || part == b"."
            || part == b".."
            || part.eq_ignore_ascii_case(b".git")
            || part.contains(&b'\\')
        {
            return None;
        }
        p.push(os_str(part));
    }
    Some(p)
}

#[cfg(unix)]
fn os_str(b: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b)
}

#[cfg(not(unix))]
fn os_str(b: &[u8]) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(std::str::from_utf8(b).unwrap_or("?"))
}

/// What a tracked path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular (or executable) file.
    File,
    /// A symbolic link: never read, on either side.
    Symlink,
    /// A submodule (a gitlink to a commit of another repository).
    Submodule,
}

/// One tracked path, at a revision or in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What it is.
    pub kind: EntryKind,
    /// The object id (a blob, or the submodule's commit).
    pub oid: String,
    /// The blob's size (`ls-tree -l`); `None` from the index or for a submodule.
    pub size: Option<u64>,
    /// Relative to the folder git ran in, `/` separators, as the scan
    /// names it (bytes that are not UTF-8 written `\xNN`).
    pub path: String,
    /// The path's bytes as git stores them, for the file system.
    pub raw: Vec<u8>,
}

fn kind_of(mode: &str) -> Option<EntryKind> {
    match mode {
        "100644" | "100755" => Some(EntryKind::File),
        "120000" => Some(EntryKind::Symlink),
        "160000" => Some(EntryKind::Submodule),
        _ => None,
    }
}

/// Parses `git ls-tree -r -z -l` output (`mode type oid size\tpath`).
/// A path that is not UTF-8 is written as the scan names it (`\xNN` for
/// each bad byte), so both sides of a check name a file the same way.
fn parse_ls_tree(out: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    for rec in out.split(|b| *b == 0) {
        let Some(tab) = rec.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let (meta, raw) = (String::from_utf8_lossy(&rec[..tab]), &rec[tab + 1..]);
        let path = crate::scan::walk::bytes_text(raw);
        let mut parts = meta.split_whitespace();
        let (Some(mode), Some(_), Some(oid), Some(size)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Some(kind) = kind_of(mode) else {
            continue;
        };
        entries.push(Entry {
            kind,
            oid: oid.to_string(),
            size: size.parse::<u64>().ok(),
            path,
            raw: raw.to_vec(),
        });
    }
    entries
}

/// Parses `git ls-files -s -z` output (`mode oid stage\tpath`); a path in
/// conflict appears once per stage, the first one is kept.
fn parse_ls_files(out: &[u8]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for rec in out.split(|b| *b == 0) {
        let Some(tab) = rec.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let (meta, raw) = (String::from_utf8_lossy(&rec[..tab]), &rec[tab + 1..]);
        let path = crate::scan::walk::bytes_text(raw);
        let mut parts = meta.split_whitespace();
        let (Some(mode), Some(oid)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(kind) = kind_of(mode) else {
            continue;
        };
        if entries.last().is_some_and(|e| e.path == path) {
            continue;
        }
        entries.push(Entry {
            kind,
            oid: oid.to_string(),
            size: None,
            path,
            raw: raw.to_vec(),
        });
    }
    entries
}

/// Every tracked path under `dir` at `commit` (relative to `dir`).
pub fn list_tree(dir: &Path, commit: &str) -> Result<Vec<Entry>, GitError> {
    let mut ls = git(dir);
    ls.args(["ls-tree", "-r", "-z", "-l", "--end-of-options", commit]);
    Ok(parse_ls_tree(&run(ls, "ls-tree")?))
}

/// Every path under `dir` in the index (relative to `dir`). Reads the
/// index file only: no stat of the work tree, no refresh, no filter.
pub fn list_index(dir: &Path) -> Result<Vec<Entry>, GitError> {
    let mut ls = git(dir);
    ls.args(["ls-files", "-s", "-z"]);
    Ok(parse_ls_files(&run(ls, "ls-files")?))
}

/// The repository's object hash, for hashing work-tree files as git would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ObjectFormat {
    Sha1,
    Sha256,
}

fn object_format(dir: &Path) -> Result<ObjectFormat, GitError> {
    let mut c = git(dir);
    c.args(["rev-parse", "--show-object-format"]);
    let out = run(c, "rev-parse")?;
    Ok(match String::from_utf8_lossy(&out).trim() {
        "sha256" => ObjectFormat::Sha256,
        _ => ObjectFormat::Sha1,
    })
}

/// The blob id git gives `path`'s raw bytes (no filter, no line-ending
/// conversion), streamed; `None` when it cannot be read.
fn blob_id(path: &Path, format: ObjectFormat) -> Option<String> {
    use sha1::Digest;
    fn hash<D: sha1::Digest>(mut d: D, path: &Path) -> Option<String> {
        let mut f = std::fs::File::open(path).ok()?;
        let len = f.metadata().ok()?.len();
        d.update(format!("blob {len}\0").as_bytes());
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = f.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            total += n as u64;
            d.update(&buf[..n]);
        }
        if total != len {
            // Changed while read: not the same bytes as any blob.
            return None;
        }
        Some(
            d.finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        )
    }
    match format {
        ObjectFormat::Sha1 => hash(sha1::Sha1::new(), path),
        ObjectFormat::Sha256 => hash(sha2::Sha256::new(), path),
    }
}

/// How the work tree under a folder differs from a base revision.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// Regular files modified, added (tracked in the index) or deleted
    /// since the base, relative to the folder.
    pub files: std::collections::BTreeSet<String>,
    /// Submodule folders on either side. Neither side reads into them (the
    /// base cannot: the submodule's objects are another repository's), so
    /// both scans leave them out and an unchanged submodule is no finding.
    pub submodules: std::collections::BTreeSet<String>,
    /// Submodules whose commit the change moves, adds or removes: code the
    /// gate did not read.
    pub moved_submodules: std::collections::BTreeSet<String>,
}

/// What differs between `commit` and the work tree under `dir`, found
/// without letting git look at the work tree: the base's blobs (ls-tree)
/// and the index's entries are compared with the work tree's bytes, hashed
/// here. A file git would call unchanged only through a clean filter or a
/// line-ending rule counts as changed: it is read on both sides, which
/// costs time, never a finding.
pub fn changes(dir: &Path, base: &[Entry]) -> Result<Changes, GitError> {
    use rayon::prelude::*;
    let format = object_format(dir)?;
    let index = list_index(dir)?;
    let mut out = Changes::default();
    let base_by_path: std::collections::HashMap<&str, &Entry> =
        base.iter().map(|e| (e.path.as_str(), e)).collect();
    let index_by_path: std::collections::HashMap<&str, &Entry> =
        index.iter().map(|e| (e.path.as_str(), e)).collect();
    for e in base.iter().chain(index.iter()) {
        if e.kind == EntryKind::Submodule {
            out.submodules.insert(e.path.clone());
        }
    }
    for sub in &out.submodules {
        let at = |m: &std::collections::HashMap<&str, &Entry>| {
            m.get(sub.as_str())
                .filter(|e| e.kind == EntryKind::Submodule)
                .map(|e| e.oid.clone())
        };
        if at(&base_by_path) != at(&index_by_path) {
            out.moved_submodules.insert(sub.clone());
        }
    }
    // Tracked regular files at the base, and in the index only (added).
    let mut candidates: Vec<(&Entry, Option<&Entry>)> = base
        .iter()
        .filter(|e| e.kind != EntryKind::Submodule)
        .map(|e| (e, Some(e)))
        .collect();
    candidates.extend(
        index
            .iter()
            .filter(|e| e.kind == EntryKind::File && !base_by_path.contains_key(e.path.as_str()))
            .map(|e| (e, None)),
    );
    let changed: Vec<String> = candidates
        .par_iter()
        .filter(|(entry, at_base)| {
            let Some(rel) = safe_raw(&entry.raw) else {
                return false;
            };
            let here = dir.join(rel);
            let meta = std::fs::symlink_metadata(&here).ok();
            let is_file = meta.as_ref().is_some_and(|m| m.file_type().is_file());
            match at_base {
                // Added: only a file the scan can read is a change to read.
                None => is_file,
                Some(b) if b.kind != EntryKind::File => is_file,
                Some(b) => {
                    let Some(m) = meta.filter(|_| is_file) else {
                        return true; // deleted, or replaced by a link
                    };
                    if b.size.is_some_and(|s| s != m.len()) {
                        return true;
                    }
                    blob_id(&here, format).as_deref() != Some(b.oid.as_str())
                }
            }
        })
        .map(|(e, _)| e.path.clone())
        .collect();
    out.files.extend(changed);
    Ok(out)
}

/// Writes the files of `commit` under `dir` (as a subfolder of the
/// repository sees them) that `keep(path, contents)` wants, into a new
/// temporary folder. Files larger than `max_size` are not read.
pub fn materialise(
    dir: &Path,
    commit: &str,
    all: &[Entry],
    max_size: u64,
    want: &dyn Fn(&str) -> bool,
    keep: &(dyn Fn(&str, &[u8]) -> bool + Sync),
) -> Result<BaseTree, GitError> {
    let listed = all.iter().filter(|e| e.kind == EntryKind::File).count();
    let entries: Vec<&Entry> = all
        .iter()
        .filter(|e| {
            e.kind == EntryKind::File
                && e.size.is_some_and(|s| s <= max_size)
                && safe_raw(&e.raw).is_some()
                && want(&e.path)
        })
        .collect();
    let tmp = tempfile::Builder::new()
        .prefix("blastmap-base-")
        .tempdir()
        .map_err(|e| GitError::Write {
            dir: std::env::temp_dir().display().to_string(),
            source: e,
        })?;
    let name = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| safe_path(n).is_some())
        .unwrap_or_else(|| "repository".into());
    let mut tree = BaseTree {
        name,
        commit: commit.to_string(),
        listed,
        written: 0,
        dir: tmp,
    };
    std::fs::create_dir_all(tree.path()).map_err(|e| GitError::Write {
        dir: tree.path().display().to_string(),
        source: e,
    })?;
    if entries.is_empty() {
        return Ok(tree);
    }

    let mut cat = git(dir);
    cat.args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cat.spawn().map_err(GitError::NoGit)?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        return Err(GitError::Failed {
            what: "cat-file".into(),
            stderr: "no pipes".into(),
        });
    };
    let oids: Vec<String> = entries.iter().map(|e| e.oid.clone()).collect();
    // Writing and reading at once: git's output would fill the pipe and
    // stall it while this side was still writing.
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(&mut stdin);
        for oid in oids {
            w.write_all(oid.as_bytes())?;
            w.write_all(b"\n")?;
        }
        w.flush()
    });
    let root = tree.path();
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut header = String::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut result: Result<(), GitError> = Ok(());
    for e in &entries {
        header.clear();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            result = Err(GitError::Failed {
                what: "cat-file".into(),
                stderr: format!("output ended before {}", e.path),
            });
            break;
        }
        let mut parts = header.split_whitespace();
        let (_, kind, size) = (parts.next(), parts.next(), parts.next());
        let Some(size) = size
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|_| kind == Some("blob"))
        else {
            // `<oid> missing`: nothing follows the header.
            continue;
        };
        buf.clear();
        buf.resize(size + 1, 0);
        if let Err(err) = reader.read_exact(&mut buf) {
            result = Err(GitError::Failed {
                what: "cat-file".into(),
                stderr: err.to_string(),
            });
            break;
        }
        buf.truncate(size);
        if !keep(&e.path, &buf) {
            continue;
        }
        let Some(rel) = safe_raw(&e.raw) else {
            continue;
        };
        let target = root.join(rel);
        let write = || -> std::io::Result<()> {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, &buf)
        };
        if let Err(source) = write() {
            result = Err(GitError::Write {
                dir: root.display().to_string(),
                source,
            });
            break;
        }
        tree.written += 1;
    }
    drop(reader);
    let _ = writer.join();
    let out = child.wait_with_output().map_err(GitError::NoGit)?;
    result?;
    if !out.status.success() {
        return Err(GitError::Failed {
            what: "cat-file".into(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(tree)
}

/// The text of one file at `commit`, by a path relative to `dir`; `None`
/// when the revision has no such file.
pub fn read_file(dir: &Path, commit: &str, rel: &str) -> Result<Option<String>, GitError> {
    let object = format!("{commit}:./{rel}");
    // The size first: the base revision is the repository's, and a map as
    // large as the disk must not be read into memory.
    let mut size = git(dir);
    size.args(["cat-file", "-s", "--end-of-options", &object]);
    let out = size.output().map_err(GitError::NoGit)?;
    if !out.status.success() {
        return Ok(None);
    }
    let bytes: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(u64::MAX);
    if bytes > crate::model::declaration::MAX_FILE_BYTES {
        return Err(GitError::Failed {
            what: "cat-file".into(),
            stderr: format!(
                "{rel} is {bytes} bytes at the base revision, more than the {}-byte limit for a declaration file",
                crate::model::declaration::MAX_FILE_BYTES
            ),
        });
    }
    let mut c = git(dir);
    c.args(["cat-file", "blob", "--end-of-options"])
        .arg(&object);
    let out = c.output().map_err(GitError::NoGit)?;
    if !out.status.success() {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        assert!(safe_path("web/src/a.ts").is_some());
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            ".git/config",
            "a/.GIT/hooks/x",
            "a//b",
            "a\\..\\b",
        ] {
            assert!(safe_path(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ls_tree_tells_files_links_and_submodules_apart() {
        let out = b"100644 blob aaaa      12\tweb/a.ts\x00120000 blob bbbb      7\tweb/link\x00160000 commit cccc       -\tvendor/sub\x00100755 blob dddd       3\tbin/run.sh\x00040000 tree eeee -\tx\x00";
        let e = parse_ls_tree(out);
        let got: Vec<(&str, EntryKind, Option<u64>)> = e
            .iter()
            .map(|e| (e.path.as_str(), e.kind, e.size))
            .collect();
        assert_eq!(
            got,
            [
                ("web/a.ts", EntryKind::File, Some(12)),
                ("web/link", EntryKind::Symlink, Some(7)),
                ("vendor/sub", EntryKind::Submodule, None),
                ("bin/run.sh", EntryKind::File, Some(3)),
            ]
        );
    }

    #[test]
    fn ls_files_keeps_one_entry_per_path() {
        let out =
            b"100644 aaaa 1\tweb/a.ts\x00100644 bbbb 2\tweb/a.ts\x00160000 cccc 0\tlib/sub\x00";
        let e = parse_ls_files(out);
        let got: Vec<(&str, &str, EntryKind)> = e
            .iter()
            .map(|e| (e.path.as_str(), e.oid.as_str(), e.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("web/a.ts", "aaaa", EntryKind::File),
                ("lib/sub", "cccc", EntryKind::Submodule)
            ]
        );
    }

    #[test]
    fn blob_ids_match_git() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, b"hello\n").unwrap();
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_id(&f, ObjectFormat::Sha1).as_deref(),
            Some("ce013625030ba8dba906f756967f9e9ca394464a")
        );
        std::fs::write(&f, b"").unwrap();
        assert_eq!(
            blob_id(&f, ObjectFormat::Sha1).as_deref(),
            Some("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        );
    }
}
