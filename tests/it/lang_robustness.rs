//! Hostile input for every language: deep nesting, garbage, truncated
//! files, and the parse time budget. None of it may panic or overflow.

use std::time::{Duration, Instant};

use blastmap::scan::lang::{ExtractError, Lang, Limits, extract, extract_with_limits};

const ALL: &[Lang] = &[
    Lang::JavaScript,
    Lang::TypeScript,
    Lang::Tsx,
    Lang::Vue,
    Lang::Svelte,
    Lang::Python,
    Lang::Ruby,
    Lang::Go,
    Lang::Java,
    Lang::Kotlin,
    Lang::Php,
    Lang::Swift,
    Lang::Html,
];

/// Each language's fixtures (relative to tests/fixtures/lang).
fn fixtures(lang: Lang) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang");
    let mut out = Vec::new();
    for entry in walk(&dir) {
        if Lang::from_path(&entry) == Some(lang) {
            out.push(std::fs::read_to_string(&entry).unwrap());
        }
    }
    out
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The facts may be anything, but the call must return (Ok or an error).
fn survives(lang: Lang, src: &str) {
    let _ = extract(lang, src);
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let n = 100_000;
    let shapes: Vec<String> = vec![
        "(".repeat(n) + &")".repeat(n),
        "[".repeat(n) + &"]".repeat(n),
        "{".repeat(n) + &"}".repeat(n),
        "f(".repeat(n) + &")".repeat(n),
        "a = {x: ".repeat(n / 4) + &"}".repeat(n / 4),
        // Long chains: capped loops keep each link's work bounded.
        format!("x{}", ".y".repeat(n)),
        format!("x{}", ".y()".repeat(n / 5)),
        "<div>".repeat(n / 4),
        "[".repeat(n),
    ];
    for &lang in ALL {
        for shape in &shapes {
            // Run on a thread with a small stack: recursion would show.
            let src = shape.clone();
            let handle = std::thread::Builder::new()
                .stack_size(512 * 1024)
                .spawn(move || {
                    let start = Instant::now();
                    let r = extract(lang, &src);
                    (
                        r.is_ok() || r == Err(ExtractError::Timeout),
                        start.elapsed(),
                    )
                })
                .unwrap();
            let (ok, took) = handle.join().expect("no panic, no stack overflow");
            assert!(ok, "{lang:?} gave a parse error on deep nesting");
            assert!(took < Duration::from_secs(20), "{lang:?} took {took:?}");
        }
    }
}

#[test]
fn random_bytes_and_token_soup_never_panic() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const TOKENS: &[&str] = &[
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "<",
        ">",
        "'",
        "\"",
        "`",
        "\n",
        " ",
        "import",
        "require",
        "from",
        "use",
        "def",
        "fn",
        "func",
        "class",
        "new",
        "=",
        "=>",
        "->",
        "::",
        ".",
        ",",
        ";",
        ":",
        "$x",
        "@a",
        "#",
        "//",
        "/*",
        "*/",
        "<script>",
        "</script>",
        "<?php",
        "?>",
        "<%=",
        "%>",
        "{{",
        "}}",
        "\\",
        "é",
        "𝕏",
        "\0",
        "do",
        "end",
        "package",
        "?",
        "!",
        "...",
        "**",
    ];
    for &lang in ALL {
        for round in 0..60 {
            let len = (next() % 400) as usize;
            let src: String = if round % 2 == 0 {
                let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                (0..len)
                    .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
                    .collect()
            };
            survives(lang, &src);
        }
    }
}

#[test]
fn truncated_fixtures_never_panic() {
    for &lang in ALL {
        for src in fixtures(lang) {
            let mut cut = 0;
            while cut < src.len() {
                if src.is_char_boundary(cut) {
                    survives(lang, &src[..cut]);
                }
                cut += 37;
            }
        }
    }
}

#[test]
fn every_language_has_a_fixture() {
    for &lang in ALL {
        assert!(!fixtures(lang).is_empty(), "no fixture for {lang:?}");
    }
}

#[test]
fn the_parse_budget_gives_a_timeout_and_the_parser_recovers() {
    let limits = Limits {
        parse_budget: Duration::from_millis(0),
        ..Limits::default()
    };
    let big = "analytics.track('x', { email: user.email });\n".repeat(50_000);
    assert_eq!(
        extract_with_limits(Lang::JavaScript, &big, &limits),
        Err(ExtractError::Timeout)
    );
    // The same thread's parser is usable for the next file.
    let f = extract(Lang::JavaScript, "mixpanel.track('x');").unwrap();
    assert_eq!(f.calls.len(), 1);
}

#[test]
fn long_strings_are_not_stored_and_counts_are_capped() {
    let src = format!("const a = '{}';\nconst b = 'short';\n", "x".repeat(5000));
    let f = extract(Lang::JavaScript, &src).unwrap();
    let values: Vec<&str> = f.strings.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(values, ["short"]);

    let limits = Limits {
        max_facts: 10,
        ..Limits::default()
    };
    let many = "t();\n".repeat(50);
    let f = extract_with_limits(Lang::JavaScript, &many, &limits).unwrap();
    assert_eq!(f.calls.len(), 10);
    assert!(f.truncated);
}

#[test]
fn extraction_runs_in_parallel_threads() {
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let src =
                    format!("import m{i} from 'mod{i}';\nm{i}.track({{ email: u.email }});\n");
                extract(Lang::JavaScript, &src).unwrap()
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let f = h.join().unwrap();
        assert_eq!(f.imports[0].module, format!("mod{i}"));
        assert_eq!(f.calls[0].args[0].key.as_deref(), Some("email"));
    }
}
