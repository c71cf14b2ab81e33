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
    insta::assert_snapshot!("help_check", help(&["check"]));
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
    // `check --level` completes CODE=LEVEL pairs, not file names (#14
    // item 10).
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        for word in [
            "stale-declaration=deny",
            "new-vendor=warn",
            "unread-change=allow",
        ] {
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

/// `man --dir DIR` writes a page per subcommand, so every `blastmap-X(1)`
/// the top page names exists; pages are ASCII roff (groff without `-K`
/// warned about the arrows of the command descriptions). (#14 item 6)
#[test]
fn man_dir_writes_every_page_the_top_page_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("blastmap")
        .unwrap()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let top = std::fs::read_to_string(dir.path().join("blastmap.1")).unwrap();
    let named: Vec<String> = top
        .split("blastmap\\-")
        .skip(1)
        .filter_map(|rest| rest.split("(1)").next())
        .filter(|n| n.chars().all(|c| c.is_ascii_lowercase()))
        .map(|n| format!("blastmap-{n}.1"))
        .collect();
    assert!(named.len() >= 12, "{named:?}");
    for page in &named {
        let text = std::fs::read_to_string(dir.path().join(page))
            .unwrap_or_else(|_| panic!("{page} is named but not written"));
        assert!(text.contains(".TH blastmap-"), "{page}");
        assert!(text.is_ascii(), "{page} is not ASCII");
    }
    let check = std::fs::read_to_string(dir.path().join("blastmap-check.1")).unwrap();
    assert!(
        check.contains("baseline"),
        "the check page lists its options"
    );
    if let Ok(groff) = which("groff") {
        let out = std::process::Command::new(groff)
            .args(["-man", "-Tutf8", "-ww"])
            .arg(dir.path().join("blastmap.1"))
            .output()
            .unwrap();
        assert!(
            out.stderr.is_empty(),
            "groff warnings: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
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

/// The `blastmap ...` commands written in a file: one per line (joining
/// `\` continuations), up to a `;`, `|`, `&&` or `#`, with shell variables
/// and quotes reduced to plain words.
fn commands_in(text: &str) -> Vec<Vec<String>> {
    let joined = text.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let Some(at) = line.find("blastmap ") else {
            continue;
        };
        let before = &line[..at];
        // Only commands: at the start of a line, after `run:`/`entry:`/`- `.
        let lead = before.trim();
        if !(lead.is_empty() || lead.ends_with(':') || lead == "-" || lead.ends_with("$")) {
            continue;
        }
        let cmd: String = line[at..]
            .split([';', '|', '#'])
            .next()
            .unwrap_or("")
            .split("&&")
            .next()
            .unwrap_or("")
            .to_string();
        let words: Vec<String> = cmd
            .split_whitespace()
            .map(|w| {
                let w = w.trim_matches(['"', '\'']);
                if w.contains('$') {
                    "origin/main".to_string()
                } else {
                    w.to_string()
                }
            })
            .collect();
        if words.len() > 1 && !words[1].starts_with('<') {
            out.push(words);
        }
    }
    out
}

#[test]
fn commands_in_the_ci_examples_and_hooks_parse() {
    use clap::Parser;
    let mut seen = 0;
    for file in [
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
        ".pre-commit-hooks.yaml",
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        serde_yaml::from_str::<serde_yaml::Value>(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for words in commands_in(&text) {
            seen += 1;
            if let Err(e) = blastmap::cli::Cli::try_parse_from(&words) {
                panic!("{file}: `{}` does not parse:\n{e}", words.join(" "));
            }
        }
    }
    assert!(seen >= 4, "found only {seen} commands");
}

/// Every finding code has its README section. (The README's `check`
/// commands are run, not only parsed, by `readme_recipes`.)
#[test]
fn the_readme_documents_every_check_code() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for d in blastmap::check::codes::DOCS {
        let head = format!("#### `{}`", d.code.as_str());
        let at = readme
            .find(&head)
            .unwrap_or_else(|| panic!("README lacks `{head}`"));
        let section = &readme[at..];
        let section = &section[..section[head.len()..]
            .find("#### ")
            .map_or(section.len(), |i| i + head.len())];
        for part in [d.meaning, d.example, d.fix] {
            assert!(section.contains(part), "README's {head} lacks: {part}");
        }
    }
}

/// Regression (docs that point nowhere): the README's command table left
/// out `export`, `merge`, `completions` and `man`; every subcommand has a row.
#[test]
fn the_readme_command_table_lists_every_subcommand() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let table = &readme[readme.find("## Commands").unwrap()..];
    let table = &table[..table[3..].find("\n## ").map_or(table.len(), |i| i + 3)];
    for sub in blastmap::cli::Cli::command().get_subcommands() {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        assert!(
            table.contains(&format!("| `blastmap {name}")),
            "README's command table lacks `blastmap {name}`"
        );
    }
    // No path in a README command names a file that is not there.
    for words in commands_in(&readme) {
        for w in &words {
            let local = w.starts_with("examples/") || w.starts_with("tests/");
            if local && (w.ends_with(".yml") || w.ends_with(".yaml")) {
                assert!(
                    std::path::Path::new(w).exists(),
                    "README names {w}, which does not exist"
                );
            }
        }
    }
}

/// Regression: `--base origin/main` that the clone lacks suggested
/// `--base origin/main`.
#[test]
fn a_missing_remote_branch_is_told_to_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args([
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "x"]);
    let out = assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--base", "origin/main"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("git fetch origin main"), "{err}");
    assert!(!err.contains("e.g. `--base origin/main`"), "{err}");
}
