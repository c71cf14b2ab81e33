//! Hostile input: the declaration loader (and the other `--map` readers)
//! fed random and mutated text never panics and answers in bounded time;
//! pathological YAML (alias bombs, deep nesting, huge lines) is refused or
//! read quickly. And determinism: the same input rendered 20 times, in every
//! format, is byte-identical.
//!
//! Scanning hostile trees (symlinks out of the root, binary and huge files,
//! no network, nothing executed) is tested with the scanner, not here.

use std::path::Path;
use std::time::{Duration, Instant};

use blastmap::input;
use blastmap::model::declaration;
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../../examples/api-platform/blastmap.yaml");
const FIDES: &str = include_str!("../fixtures/fides/shop.fides.yml");

/// Generous for a debug build on a shared 2-core machine; a hang or an
/// exponential blow-up takes far longer.
const BUDGET: Duration = Duration::from_secs(5);

fn load_all_ways(text: &str) {
    let t = Instant::now();
    let _ = declaration::load_str(text, "fuzz.yaml");
    let _ = input::load_str(text, "fuzz.yaml", Path::new("fuzz.yaml"), true);
    let d = t.elapsed();
    assert!(d < BUDGET, "took {d:?} on {} bytes", text.len());
}

/// Characters that matter to YAML, JSON and the loader's own checks.
const ALPHABET: &[char] = &[
    '{', '}', '[', ']', ':', ',', '-', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ',
    '\n', '\t', '\r', '.', '?', '\\', '\0', 'é', '\u{feff}', '\u{2028}', 'a', '1',
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
    Replace(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = proptest::collection::vec(proptest::sample::select(ALPHABET), 1..8)
        .prop_map(|v| v.into_iter().collect::<String>());
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), text).prop_map(|(a, s)| Edit::Insert(a, s)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), 0usize..6).prop_map(|(a, n)| Edit::Indent(a, n)),
        (any::<usize>(), proptest::sample::select(ALPHABET)).prop_map(|(a, c)| Edit::Replace(a, c)),
    ]
}

fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(base: &str, edits: &[Edit]) -> String {
    let mut s = base.to_string();
    for e in edits {
        match e {
            Edit::Delete(a, n) => {
                let a = boundary(&s, *a);
                let b = boundary(&s, a + n);
                if b > a {
                    s.replace_range(a..b, "");
                }
            }
            Edit::Insert(a, t) => {
                let a = boundary(&s, *a);
                s.insert_str(a, t);
            }
            Edit::Replace(a, c) => {
                let a = boundary(&s, *a);
                if let Some(old) = s[a..].chars().next() {
                    s.replace_range(a..a + old.len_utf8(), &c.to_string());
                }
            }
            Edit::DuplicateLine(a) | Edit::SwapLines(a, _) | Edit::Indent(a, _) => {
                let mut lines: Vec<String> = s.lines().map(String::from).collect();
                if lines.is_empty() {
                    continue;
                }
                let i = a % lines.len();
                match e {
                    Edit::DuplicateLine(_) => {
                        let l = lines[i].clone();
                        lines.insert(i, l);
                    }
                    Edit::SwapLines(_, b) => {
                        let j = b % lines.len();
                        lines.swap(i, j);
                    }
                    Edit::Indent(_, n) => {
                        lines[i] = format!("{}{}", " ".repeat(*n), lines[i].trim_start())
                    }
                    _ => {}
                }
                s = lines.join("\n");
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        load_all_ways(&s);
    }

    #[test]
    fn random_yamlish_text_never_panics(
        chars in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..300)
    ) {
        let s: String = chars.into_iter().collect();
        load_all_ways(&s);
        load_all_ways(&format!("version: 1\n{s}"));
        load_all_ways(&format!("system:\n  - {s}"));
        load_all_ways(&format!("{{\"kind\": \"blastmap-merged\", {s}"));
    }

    #[test]
    fn mutated_declarations_never_panic(edits in proptest::collection::vec(edit(), 1..6)) {
        load_all_ways(&apply(EXAMPLE, &edits));
    }

    #[test]
    fn mutated_fides_manifests_never_panic(edits in proptest::collection::vec(edit(), 1..6)) {
        load_all_ways(&apply(FIDES, &edits));
    }

    #[test]
    fn mutated_merged_maps_never_panic(edits in proptest::collection::vec(edit(), 1..4)) {
        load_all_ways(&apply(merged_fixture(), &edits));
    }
}

fn merged_fixture() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let specs: Vec<_> = [
            "tests/fixtures/merge/payments-api/blastmap.yaml",
            "tests/fixtures/merge/payments-api/scan.json",
            "tests/fixtures/merge/web-app.scan.json",
        ]
        .iter()
        .map(|f| blastmap::input::InputSpec::parse(f))
        .collect();
        blastmap::report::json::to_string(&blastmap::input::merge_files(&specs).unwrap().0)
    })
}

#[test]
fn a_valid_declaration_survives_the_mutation_harness_unmutated() {
    // The harness itself is sound: no edit, no problem.
    assert!(declaration::load_str(&apply(EXAMPLE, &[]), "x.yaml").is_ok());
}

#[test]
fn alias_bomb_is_refused_quickly() {
    let mut s = String::from("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        s.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            std::iter::repeat_n(prev.as_str(), 10)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let t = Instant::now();
    assert!(declaration::load_str(&s, "bomb.yaml").is_err());
    assert!(t.elapsed() < BUDGET, "{:?}", t.elapsed());
    load_all_ways(&s);
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    // Regression: 40,000 nested `- ` overflowed the stack (yaml-rust2
    // recurses per level) and 50,000 `[` took 25 s (libyaml's scanner).
    for (open, close) in [("[", "]"), ("{a: ", "}"), ("- ", "")] {
        let depth = 50_000;
        let s = if close.is_empty() {
            format!("version: 1\nsystem:\n{}x\n", open.repeat(depth))
        } else {
            format!(
                "version: 1\nsystem: {}1{}\n",
                open.repeat(depth),
                close.repeat(depth)
            )
        };
        load_all_ways(&s);
    }
    // At the limit, still loaded (to an error about content, not depth) quickly.
    let ok = format!("version: 1\nsystem:\n{}x\n", "- ".repeat(200));
    let err = declaration::load_str(&ok, "ok.yaml")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("levels deep"), "{err}");
    let deep = format!("version: 1\nsystem:\n{}x\n", "- ".repeat(40_000));
    let err = declaration::load_str(&deep, "deep.yaml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("deep.yaml:3:1: error: the document nests more than 256 levels deep"),
        "{err}"
    );
    let json = format!(
        "{{\"kind\": \"blastmap-merged\", \"x\": {}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    load_all_ways(&json);
}

#[test]
fn huge_lines_and_many_keys_load_in_bounded_time() {
    let long = format!("version: 1\nsystem: \"{}\"\n", "x".repeat(5_000_000));
    load_all_ways(&long);
    let mut many = String::from("version: 1\nsubjects:\n  s: {}\nfields:\n");
    for i in 0..50_000 {
        many.push_str(&format!(
            "  f{i}: {{ category: user.contact.email, subject: s, bogus{i}: 1 }}\n"
        ));
    }
    let t = Instant::now();
    let err = declaration::load_str(&many, "many.yaml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("50000 problems found"),
        "{}",
        &err[err.len().saturating_sub(200)..]
    );
    assert!(t.elapsed() < BUDGET * 4, "{:?}", t.elapsed());
}

#[test]
fn invalid_utf8_and_nul_bytes_are_problems_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.yaml");
    std::fs::write(&p, b"version: 1\nsystem: \xff\xfe\n").unwrap();
    let err = input::load_file(&p, true).unwrap_err().to_string();
    assert!(err.contains("not valid UTF-8"), "{err}");
    load_all_ways("version: 1\nsystem: \"a\0b\"\n");
    load_all_ways("\u{feff}version: 1\n");
}

/// Runs the CLI in process and returns its stdout.
fn run(args: &[&str]) -> String {
    use clap::Parser;
    let mut argv = vec!["blastmap"];
    argv.extend_from_slice(args);
    let o = blastmap::cli::run(blastmap::cli::Cli::try_parse_from(argv).unwrap());
    assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    o.stdout
}

#[test]
fn every_format_is_byte_identical_over_20_renderings() {
    let dir = tempfile::tempdir().unwrap();
    let merged = dir.path().join("org.json");
    std::fs::write(&merged, merged_fixture()).unwrap();
    let merged = merged.to_str().unwrap().to_string();
    let maps = [
        "examples/api-platform/blastmap.yaml".to_string(),
        "tests/fixtures/fides/shop.fides.yml".to_string(),
        merged,
    ];
    for map in &maps {
        let mut commands: Vec<Vec<String>> = Vec::new();
        for f in ["text", "json", "markdown"] {
            commands.push(vec!["rank".into(), "-f".into(), f.into()]);
            commands.push(vec![
                "rank".into(),
                "--mode".into(),
                "code".into(),
                "-f".into(),
                f.into(),
            ]);
        }
        for f in ["cyclonedx", "graphml", "cypher"] {
            commands.push(vec!["export".into(), "-f".into(), f.into()]);
        }
        let rank: serde_json::Value =
            serde_json::from_str(&run(&["rank", "-f", "json", "--map", map])).unwrap();
        for v in rank["vendors"].as_array().unwrap() {
            for f in ["text", "json", "markdown"] {
                commands.push(vec![
                    "blast".into(),
                    v["vendor"].as_str().unwrap().into(),
                    "-f".into(),
                    f.into(),
                ]);
            }
        }
        for c in &commands {
            let mut args: Vec<&str> = c.iter().map(String::as_str).collect();
            args.extend(["--map", map.as_str()]);
            let first = run(&args);
            assert!(!first.is_empty());
            for _ in 1..20 {
                assert!(run(&args) == first, "{args:?} differs between runs");
            }
        }
    }
}

#[test]
fn merge_output_is_byte_identical_over_20_processes() {
    let files = [
        "tests/fixtures/merge/web-app.scan.json",
        "tests/fixtures/merge/payments-api/scan.json",
        "tests/fixtures/merge/payments-api/blastmap.yaml",
        "tests/fixtures/fides/shop.fides.yml=shop",
    ];
    let once = || {
        let out = assert_cmd::Command::cargo_bin("blastmap")
            .unwrap()
            .arg("merge")
            .args(files)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let first = once();
    for _ in 1..20 {
        assert!(once() == first, "merge output differs between processes");
    }
}
