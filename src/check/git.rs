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

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .args(["-c", "core.fsmonitor=false", "--no-pager"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
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
        } else {
            "name a branch, tag or commit that exists here, e.g. `--base origin/main` or `--base HEAD~1`".into()
        },
    })
}

/// A safe relative path from a git tree entry, or `None`.
fn safe_path(rel: &str) -> Option<PathBuf> {
    let mut p = PathBuf::new();
    for part in rel.split('/') {
        if part.is_empty()
            || part == "."
            || part == ".."
            || part.eq_ignore_ascii_case(".git")
            || part.contains('\\')
        {
            return None;
        }
        p.push(part);
    }
    Some(p)
}

struct Entry {
    oid: String,
    size: u64,
    path: String,
}

/// Parses `git ls-tree -r -z -l` output: regular files only.
fn parse_ls_tree(out: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    for rec in out.split(|b| *b == 0) {
        let Ok(rec) = std::str::from_utf8(rec) else {
            continue;
        };
        let Some((meta, path)) = rec.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split_whitespace();
        let (Some(mode), Some(kind), Some(oid), Some(size)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if kind != "blob" || !matches!(mode, "100644" | "100755") {
            continue;
        }
        let Ok(size) = size.parse::<u64>() else {
            continue;
        };
        entries.push(Entry {
            oid: oid.to_string(),
            size,
            path: path.to_string(),
        });
    }
    entries
}

/// Writes the files of `commit` under `dir` (as a subfolder of the
/// repository sees them) that `keep(path, contents)` wants, into a new
/// temporary folder. Files larger than `max_size` are not read.
pub fn materialise(
    dir: &Path,
    commit: &str,
    max_size: u64,
    want: &dyn Fn(&str) -> bool,
    keep: &(dyn Fn(&str, &[u8]) -> bool + Sync),
) -> Result<BaseTree, GitError> {
    let mut ls = git(dir);
    ls.args(["ls-tree", "-r", "-z", "-l", "--end-of-options", commit]);
    let listing = run(ls, "ls-tree")?;
    let all = parse_ls_tree(&listing);
    let listed = all.len();
    let entries: Vec<Entry> = all
        .into_iter()
        .filter(|e| e.size <= max_size && safe_path(&e.path).is_some() && want(&e.path))
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
        let Some(rel) = safe_path(&e.path) else {
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

/// The files under `dir` (relative to it) whose content at `commit`
/// differs from the working tree: modified, added or deleted since, as git
/// sees the tracked files. Files that are the same on both sides give the
/// same scan findings on both sides, so a base scan needs to read only
/// these, plus whatever the working tree's own scan found something in.
pub fn changed_paths(
    dir: &Path,
    commit: &str,
) -> Result<std::collections::BTreeSet<String>, GitError> {
    let mut c = git(dir);
    c.args([
        "diff",
        "--name-only",
        "-z",
        "--relative",
        "--no-renames",
        "--no-ext-diff",
        "--no-textconv",
        "--ignore-submodules",
        "--end-of-options",
        commit,
        "--",
        ".",
    ]);
    let out = run(c, "diff")?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .filter_map(|p| std::str::from_utf8(p).ok())
        .map(str::to_string)
        .collect())
}

/// The text of one file at `commit`, by a path relative to `dir`; `None`
/// when the revision has no such file.
pub fn read_file(dir: &Path, commit: &str, rel: &str) -> Result<Option<String>, GitError> {
    let mut c = git(dir);
    c.args(["cat-file", "blob", "--end-of-options"])
        .arg(format!("{commit}:./{rel}"));
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
    fn ls_tree_keeps_regular_files_only() {
        let out = b"100644 blob aaaa      12\tweb/a.ts\x00120000 blob bbbb      7\tweb/link\x00160000 commit cccc       -\tvendor/sub\x00100755 blob dddd       3\tbin/run.sh\x00";
        let e = parse_ls_tree(out);
        let paths: Vec<&str> = e.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["web/a.ts", "bin/run.sh"]);
        assert_eq!(e[0].size, 12);
    }
}
