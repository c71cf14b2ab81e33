//! A hostile tree, built at test time (nothing big is committed): a symlink
//! loop, links that leave the root, a 50 MB file, a binary, invalid UTF-8, a
//! 5 MB single-line minified bundle, 100k nested brackets in code and in
//! manifests. The scan must finish, stay inside the root, and list every skip.

use crate::scan_support;

use std::fs;
use std::path::Path;

use blastmap::scan::{ScanOptions, scan};
use scan_support::*;

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

fn reason_of<'a>(r: &'a blastmap::scan::ScanResult, path: &str) -> Option<&'a str> {
    r.skipped
        .files
        .iter()
        .find(|s| s.path == path)
        .map(|s| s.reason.as_str())
}

#[cfg(unix)]
#[test]
fn hostile_tree_finishes_and_reports_every_skip() {
    use std::os::unix::fs::symlink;

    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret/app.js",
        b"import mixpanel from 'mixpanel-browser';\n",
    );
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();

    // A real finding, so we know the scan ran.
    write(
        root,
        "web/app.js",
        b"import * as Sentry from '@sentry/browser';\n",
    );
    // Links: a loop to an ancestor, a self-loop, one leaving the root (dir
    // and file), a dangling one, and a harmless one inside the root.
    symlink(root, root.join("web/loop")).unwrap();
    symlink("self", root.join("self")).unwrap();
    symlink(outside.path().join("secret"), root.join("escape")).unwrap();
    symlink(outside.path().join("secret/app.js"), root.join("escape.js")).unwrap();
    symlink(root.join("missing"), root.join("dangling")).unwrap();
    symlink(root.join("web/app.js"), root.join("alias.js")).unwrap();

    // 50 MB: over the limit, never read.
    let big = fs::File::create(root.join("dump.sql")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    // A binary that mentions a vendor.
    let mut bin = b"\x7fELF\x00\x00\x01".to_vec();
    bin.extend_from_slice(b"api.mixpanel.com");
    write(root, "bin/tool", &bin);
    // Invalid UTF-8 (Latin-1) that mentions a vendor.
    write(root, "legacy/latin1.py", b"# caf\xe9\nimport stripe\n");
    // A 5 MB single-line minified bundle (not named .min.js).
    let mut minified = b"var a=\"https://api.mixpanel.com/track\";".to_vec();
    minified.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
    write(root, "static/bundle.js", &minified);
    // 100k nested brackets: in code that mentions a vendor (parsed), and in
    // manifests (JSON, TOML, XML).
    let deep = format!(
        "import mixpanel from 'mixpanel-browser';\nconst x = {}{};\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(root, "web/deep.js", deep.as_bytes());
    write(
        root,
        "deep/package.json",
        format!("{{\"dependencies\": {}", "[".repeat(100_000)).as_bytes(),
    );
    write(
        root,
        "deep/Cargo.toml",
        format!("[dependencies]\nsentry = {}", "[".repeat(100_000)).as_bytes(),
    );
    write(
        root,
        "deep/pom.xml",
        format!("<project>{}</project>", "<a>".repeat(100_000)).as_bytes(),
    );

    let mut opts = ScanOptions::new(root);
    opts.max_file_size = 10 * 1024 * 1024;
    let r = scan(&opts).expect("the scan finishes");

    assert_eq!(reason_of(&r, "dump.sql"), Some("too-large"));
    assert_eq!(reason_of(&r, "bin/tool"), Some("binary"));
    assert_eq!(reason_of(&r, "legacy/latin1.py"), Some("not-utf8"));
    assert_eq!(reason_of(&r, "static/bundle.js"), Some("minified"));
    assert_eq!(reason_of(&r, "web/loop"), Some("symlink-loop"));
    assert_eq!(reason_of(&r, "self"), Some("symlink-loop"));
    assert_eq!(reason_of(&r, "escape"), Some("symlink-outside-root"));
    assert_eq!(reason_of(&r, "escape.js"), Some("symlink-outside-root"));
    assert_eq!(reason_of(&r, "dangling"), Some("unreadable"));
    assert_eq!(reason_of(&r, "deep/package.json"), Some("parse-error"));
    assert_eq!(reason_of(&r, "deep/Cargo.toml"), Some("parse-error"));
    // The in-root alias is read at its real path, not skipped.
    assert_eq!(reason_of(&r, "alias.js"), None);

    // Nothing from outside the root; Sentry from inside it, once.
    assert!(
        evidence(&r, "mixpanel")
            .iter()
            .all(|e| e.contains("web/deep.js"))
    );
    assert_eq!(
        evidence(&r, "sentry"),
        [
            "collects web/app.js:1 production",
            "import web/app.js:1 production"
        ]
    );
    assert!(evidence(&r, "stripe").is_empty());

    // Counts agree with the list.
    assert_eq!(r.skipped.total, r.skipped.files.len());
    let counted: usize = r.skipped.by_reason.values().sum();
    assert_eq!(counted, r.skipped.total);

    // With the default limit (2 MiB) the 5 MB bundle is too large instead.
    let r = scan(&ScanOptions::new(root)).unwrap();
    assert_eq!(reason_of(&r, "static/bundle.js"), Some("too-large"));
}

#[test]
fn gitignore_rules_at_every_level_and_default_excludes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, ".gitignore", b"generated/\n*.local.js\n");
    write(root, ".git/info/exclude", b"scratch.js\n");
    write(root, "web/.gitignore", b"tmp/\n!keep.local.js\n");
    let import = b"import posthog from 'posthog-js';\n";
    write(root, "generated/bundle.js", import);
    write(root, "web/config.local.js", import);
    write(root, "web/keep.local.js", import);
    write(root, "web/tmp/x.js", import);
    write(root, "scratch.js", import);
    write(root, "node_modules/posthog-js/index.js", import);
    write(root, "vendor/lib.js", import);
    write(root, "dist/app.js", import);
    write(root, "build/app.js", import);
    write(root, "target/app.js", import);
    write(root, "web/src/app.js", import);
    let r = run(root);
    assert_eq!(
        evidence(&r, "posthog"),
        [
            "collects web/keep.local.js:1 production",
            "import web/keep.local.js:1 production",
            "import web/src/app.js:1 production"
        ]
    );
    // Excluded by rule, not skipped: nothing is listed.
    assert_eq!(r.skipped.total, 0);
}

#[test]
fn a_missing_root_is_an_error_that_says_what_to_do() {
    let e = scan(&ScanOptions::new("/definitely/not/here")).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("/definitely/not/here"), "{msg}");
    assert!(msg.contains("help:"), "{msg}");
}
