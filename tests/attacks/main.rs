//! Attacks from a hostile repository, end to end through the binary.
//!
//! `blastmap check` runs in CI on pull requests, so on code written by
//! whoever opened them; `scan` runs on repositories nobody has read. Each
//! module here plays one attack and asserts what must not happen: a program
//! of the repository's run (a marker file appears), a secret printed, a
//! line forged in a report or a CI log, a file outside the tree read, or
//! an integration walked past the gate.

mod forgery;
mod gate;
mod git_exec;
mod map_link;
mod secrets;

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

/// Runs git in `dir` as a test's setup step (the tests' own git, with an
/// identity and no signing), and fails the test when git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Std::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(["-c", "protocol.file.allow=always"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes a file, creating its folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// What a run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Both streams, for "never printed" assertions.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs blastmap in `dir`.
pub fn blastmap(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A repository with one commit: a small web app that uses no vendor yet.
pub fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    write(
        dir,
        "web/package.json",
        r#"{ "name": "web", "dependencies": { "react": "18.2.0" } }"#,
    );
    write(
        dir,
        "web/src/app.js",
        "export function start(user) {\n  return user.id;\n}\n",
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    tmp
}
