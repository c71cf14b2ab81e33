//! The CLI's own documentation: `--help` (snapshot-tested, so a change to
//! the interface shows up in review), shell completions and the man page,
//! all generated from the one clap definition.

use assert_cmd::Command;
use clap::CommandFactory;

fn help(path: &[&str]) -> String {
    let mut cmd = blastmap::cli::Cli::command().term_width(100);
    cmd.build();
    let mut c = &mut cmd;
    for p in path {
        c = c.find_subcommand_mut(p).expect("subcommand exists");
    }
    c.render_long_help().to_string()
}

#[test]
fn help_snapshots() {
    insta::assert_snapshot!("help", help(&[]));
    insta::assert_snapshot!("help_export", help(&["export"]));
    insta::assert_snapshot!("help_merge", help(&["merge"]));
}

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_know_every_subcommand_and_format() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = run(&["completions", shell]);
        for word in ["blast", "rank", "export", "merge", "completions"] {
            assert!(script.contains(word), "{shell} completion lacks `{word}`");
        }
    }
    // The shells that complete values know the export formats.
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        for word in ["cyclonedx", "graphml", "cypher"] {
            assert!(script.contains(word), "{shell} completion lacks `{word}`");
        }
    }
    let bash = run(&["completions", "bash"]);
    assert!(bash.contains("complete -F _blastmap"));
    let fish = run(&["completions", "fish"]);
    assert!(fish.contains("complete -c blastmap"));
}

#[test]
fn bash_completion_is_valid_bash() {
    let Ok(bash) = which("bash") else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blastmap.bash");
    std::fs::write(&file, run(&["completions", "bash"])).unwrap();
    let st = std::process::Command::new(bash)
        .arg("-n")
        .arg(&file)
        .status()
        .unwrap();
    assert!(st.success(), "bash -n rejected the completion script");
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|f| f.is_file())
        })
        .ok_or(())
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let page = run(&["man"]);
    assert!(page.contains(".TH blastmap 1"));
    for sub in [
        "blastmap\\-blast",
        "blastmap\\-export",
        "blastmap\\-merge",
        "blastmap\\-completions",
    ] {
        assert!(page.contains(sub), "man page lacks {sub}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blastmap.1");
    if let Ok(groff) = which("groff") {
        std::fs::write(&file, &page).unwrap();
        let out = std::process::Command::new(groff)
            .args(["-man", "-Kutf8", "-Tutf8", "-ww"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("what leaks if this vendor is breached?"),
            "{text}"
        );
        assert!(
            out.stderr.is_empty(),
            "groff warnings: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::remove_file(&file).unwrap();
    }
    run(&["man", "-o", file.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), page);
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
