//! No function in `src/` is longer than [`MAX_LINES`] lines, from its `fn`
//! line to its closing brace: a longer one is several steps that want
//! names. The checker matches braces over the source with strings, chars,
//! raw strings and comments skipped, which is enough for this crate's code
//! (it is tested below on the cases that would fool it).

/// The longest a function may be, in lines.
const MAX_LINES: usize = 150;

/// The text with every string, char literal and comment replaced by spaces
/// (newlines kept, so line numbers stay), leaving code and braces.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !b[..i]
                .last()
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &b[i..j.min(b.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}', '{') or a lifetime ('a).
            let close = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(k) => {
                    for _ in i..=k {
                        out.push(' ');
                    }
                    i = k + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `(name, first line, line count)` of every function with a body.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(text);
    let chars: Vec<char> = code.chars().collect();
    let mut line_of = Vec::with_capacity(chars.len());
    let mut line = 1;
    for &c in &chars {
        line_of.push(line);
        if c == '\n' {
            line += 1;
        }
    }
    let mut out = Vec::new();
    // `fn` as a word followed by a space (not `fn(` pointer types).
    let is_fn = |i: usize| {
        chars[i] == 'f'
            && chars.get(i + 1) == Some(&'n')
            && chars.get(i + 2).is_some_and(|c| c.is_whitespace())
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
    };
    for i in 0..chars.len() {
        if !is_fn(i) {
            continue;
        }
        let name: String = chars[i + 2..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .collect();
        // The body: the first `{` at bracket depth 0 before a `;`.
        let mut depth = 0i32;
        let mut open = None;
        for (j, &c) in chars.iter().enumerate().skip(i) {
            match c {
                '(' | '[' | '<' => depth += 1,
                ')' | ']' => depth -= 1,
                '>' if j > 0 && chars[j - 1] != '-' && chars[j - 1] != '=' => depth -= 1,
                ';' if depth <= 0 => break,
                '{' if depth <= 0 => {
                    open = Some(j);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        let mut depth = 0;
        for (j, &c) in chars.iter().enumerate().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push((name.clone(), line_of[i], line_of[j] - line_of[i] + 1));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn no_function_in_src_is_longer_than_the_limit() {
    let files = crate::common::rust_files_under("src");
    let mut long = Vec::new();
    let mut seen = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let file = f.to_string_lossy().replace('\\', "/");
        for (name, line, len) in functions(&text) {
            seen += 1;
            if len > MAX_LINES {
                long.push((len, format!("{file}:{line}: fn {name} is {len} lines")));
            }
        }
    }
    assert!(seen > 1000, "found only {seen} functions in src/");
    long.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let list: Vec<&str> = long.iter().map(|(_, s)| s.as_str()).collect();
    assert!(
        list.is_empty(),
        "functions longer than {MAX_LINES} lines (split them along their steps):\n{}",
        list.join("\n")
    );
}

#[test]
fn the_checker_counts_bodies_not_braces_in_text() {
    let text = r##"
fn short() -> Vec<u8> {
    let s = "}}}{";
    let c = '}';
    let r = r#"{ "a": "}" }"#;
    // }
    /* { */
    vec![]
}

trait T { fn decl(&self) -> u8; }

pub(crate) fn generic<'a, T: Fn() -> u8>(x: &'a T) -> u8 where T: Clone {
    if x() > 1 { 2 } else { 3 }
}
"##;
    let f = functions(text);
    assert_eq!(
        f,
        vec![("short".to_string(), 2, 8), ("generic".to_string(), 13, 3)],
        "{f:?}"
    );
}
