//! The declaration file is found inside the tree, never through a link
//! out of it. Regression: `check --scan DIR` loaded `DIR/blastmap.yaml`
//! when it was a link to a file outside DIR (`/etc/passwd`), and its error
//! messages echoed what it read.

use std::os::unix::fs::symlink;

use super::{blastmap, repo, write};

const OUTSIDE: &str = "version: 1\nsystem: outside-secret-value-7731\nfields:\n  x: { category: not.a.category.secret-7731 }\n";

#[test]
fn a_map_linked_out_of_the_scanned_tree_is_refused() {
    let r = repo();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("private.yaml");
    std::fs::write(&target, OUTSIDE).unwrap();
    symlink(&target, r.path().join("blastmap.yaml")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let scan_dir = r.path().display().to_string();
    for args in [
        vec!["check", "--scan", scan_dir.as_str()],
        vec!["check", "--scan", scan_dir.as_str(), "--format", "sarif"],
    ] {
        let out = blastmap(elsewhere.path(), &args);
        assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
        assert!(
            !out.all().contains("7731"),
            "echoed the outside file:\n{}",
            out.all()
        );
        assert!(
            out.stderr.contains("blastmap.yaml") && out.stderr.contains("outside"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_map_in_the_working_folder_linked_out_of_it_is_refused() {
    let r = repo();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("private.yaml");
    std::fs::write(&target, OUTSIDE).unwrap();
    symlink(&target, r.path().join("blastmap.yaml")).unwrap();
    for args in [
        vec!["check"],
        vec!["rank"],
        vec!["blast", "mixpanel"],
        vec!["validate"],
        vec!["graph"],
    ] {
        let out = blastmap(r.path(), &args);
        assert_eq!(out.code, 2, "{args:?}: {}\n{}", out.stdout, out.stderr);
        assert!(
            !out.all().contains("7731"),
            "{args:?} echoed the outside file:\n{}",
            out.all()
        );
        assert!(out.stderr.contains("outside"), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_map_linked_inside_the_tree_is_read() {
    let r = repo();
    write(
        r.path(),
        "config/blastmap.yaml",
        "version: 1\nsystem: inside\nsubjects:\n  user: {}\nfields:\n  email: { category: user.contact.email, subject: user }\n",
    );
    symlink("config/blastmap.yaml", r.path().join("blastmap.yaml")).unwrap();
    let out = blastmap(r.path(), &["validate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_map_the_user_names_is_read_wherever_it_is() {
    // `--map FILE` is the user's own choice, not the repository's.
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "real.yaml",
        "version: 1\nsystem: mine\nsubjects:\n  user: {}\nfields:\n  email: { category: user.contact.email, subject: user }\n",
    );
    symlink(
        outside.path().join("real.yaml"),
        outside.path().join("link.yaml"),
    )
    .unwrap();
    let r = repo();
    let link = outside.path().join("link.yaml").display().to_string();
    let out = blastmap(r.path(), &["validate", &link]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
