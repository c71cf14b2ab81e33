//! Every string from the input is escaped for the format it lands in: a map
//! whose ids, names, purposes, paths and evidence carry `<script>`, event
//! handlers, quotes, backticks, `]]>`, `-->`, Mermaid and DOT
//! metacharacters and a terminal escape must give outputs that stay
//! well-formed and inert, in every format.

use crate::common;

use blastmap::graph::{DataGraph, Mode};
use blastmap::report::{self, DiagramFormat, Format};
use common::{EVIL, hostile, hostile_id, tag_balance};
use regex::Regex;

struct Outputs {
    blast: Vec<(String, Format, String)>,
    rank: Vec<(Format, String)>,
    graph: Vec<(Option<String>, DiagramFormat, String)>,
}

fn outputs() -> Outputs {
    let map = hostile();
    let g = DataGraph::build(&map);
    let mut blast = Vec::new();
    for v in map.vendors.keys() {
        for mode in [Mode::Data, Mode::Code] {
            let r = g.blast(v, mode).expect("the vendor exists");
            for f in [Format::Text, Format::Json, Format::Markdown] {
                blast.push((v.clone(), f, report::blast(&r, f)));
            }
            let d = g.diagram(Some(v), mode).unwrap();
            blast.push((v.clone(), Format::Html, report::html::blast(&r, Some(&d))));
        }
    }
    let rank = [Format::Text, Format::Json, Format::Markdown, Format::Html]
        .into_iter()
        .map(|f| (f, report::rank(&g.rank(Mode::Data), f)))
        .collect();
    let mut graph = Vec::new();
    let radii = g.radii(Mode::Data, None);
    for v in std::iter::once(None).chain(map.vendors.keys().map(Some)) {
        let d = g.diagram(v.map(String::as_str), Mode::Data).unwrap();
        for f in [
            DiagramFormat::Mermaid,
            DiagramFormat::Dot,
            DiagramFormat::Json,
            DiagramFormat::Html,
        ] {
            graph.push((v.cloned(), f, report::diagram(&d, &radii, f)));
        }
    }
    Outputs { blast, rank, graph }
}

/// Attribute names of every tag (outside quoted values).
fn attribute_names(html: &str) -> Vec<String> {
    let tag = Regex::new(r#"<[a-zA-Z][a-zA-Z0-9-]*((?:[^>"']|"[^"]*"|'[^']*')*)>"#).unwrap();
    let attr = Regex::new(r#"([^\s=/"']+)\s*(?:=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?"#).unwrap();
    let mut out = Vec::new();
    for c in tag.captures_iter(html) {
        for a in attr.captures_iter(&c[1]) {
            out.push(a[1].to_ascii_lowercase());
        }
    }
    out
}

fn check_html(what: &str, html: &str, scripts: usize) {
    tag_balance(html).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        html.matches("<script").count(),
        scripts,
        "{what}: only our own scripts"
    );
    assert!(!html.contains("<img"), "{what}: an <img> from the input");
    for a in attribute_names(html) {
        assert!(!a.starts_with("on"), "{what}: event handler attribute {a}");
    }
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{what}: the input is shown, escaped"
    );
    assert!(!html.contains('\u{1b}'), "{what}: terminal escape");
    assert!(
        html.contains("Content-Security-Policy"),
        "{what}: the page forbids what escaping might miss"
    );
}

#[test]
fn html_is_well_formed_and_inert() {
    let o = outputs();
    let ids = Regex::new(r#" id="([^"]*)""#).unwrap();
    let mut n = 0;
    for (v, f, out) in &o.blast {
        if *f == Format::Html {
            check_html(&format!("blast {v:?}"), out, 0);
            // The diagram is there, with every node.
            assert!(out.contains("<svg"), "blast {v:?}: diagram");
            n += 1;
        }
    }
    for (f, out) in &o.rank {
        if *f == Format::Html {
            check_html("rank", out, 0);
            n += 1;
        }
    }
    for (v, f, out) in &o.graph {
        if *f != DiagramFormat::Html {
            continue;
        }
        let what = format!("graph {v:?}");
        check_html(&what, out, 2);
        // The radius blob reads back, with the ids exactly as given.
        let start = out
            .find(r#"<script type="application/json" id="bm-radius">"#)
            .expect("blob");
        let body = &out[start..];
        let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
        let blob: serde_json::Value = serde_json::from_str(body).unwrap();
        let vendors: Vec<&str> = blob["radii"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["vendor"].as_str().unwrap())
            .collect();
        assert!(
            vendors.contains(&hostile_id("vend").as_str()),
            "{vendors:?}"
        );
        // Element ids are plain.
        for c in ids.captures_iter(out) {
            assert!(
                c[1].chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_-.~".contains(ch)),
                "{what}: element id {}",
                &c[1]
            );
        }
        n += 1;
    }
    assert_eq!(n, 6 + 1 + 4);
}

#[test]
fn mermaid_has_one_statement_per_line_and_quoted_labels() {
    let id = r"[A-Za-z][A-Za-z0-9_]*";
    let q = r#""[^"]*""#;
    let statements = [
        r"flowchart LR".to_string(),
        r"%% .*".to_string(),
        format!(r"  subgraph {id}\[{q}\]"),
        r"  end".to_string(),
        format!(r#"    {id}(\[{q}\]|\({q}\)|\[\[{q}\]\]|\[/{q}/\])"#),
        format!(r"  {id} (---|-\.-|-->|-\.->)( ?\|{q}\|)? {id}"),
        r"  classDef [a-z]+ [a-z0-9:#,. -]+".to_string(),
        format!(r"  class {id}(,{id})* [a-z]+"),
        r"  linkStyle [0-9]+(,[0-9]+)* [a-z0-9:#,. -]+".to_string(),
    ];
    let re: Vec<Regex> = statements
        .iter()
        .map(|s| Regex::new(&format!("^{s}$")).unwrap())
        .collect();
    let o = outputs();
    let quoted = Regex::new(q).unwrap();
    let syntax = Regex::new(r#"^[A-Za-z0-9_ .,:#|/()\[\]">-]*$"#).unwrap();
    let mut seen = 0;
    for (v, f, out) in &o.graph {
        if *f != DiagramFormat::Mermaid {
            continue;
        }
        seen += 1;
        for line in out.lines() {
            assert!(
                re.iter().any(|r| r.is_match(line)),
                "graph {v:?}: not a Mermaid statement: {line}"
            );
            assert!(!line.contains('<') && !line.contains('\u{1b}'), "{line}");
            if !line.starts_with("%%") {
                // Outside the quoted labels: Mermaid syntax and generated ids.
                let bare = quoted.replace_all(line, "\"\"");
                assert!(syntax.is_match(&bare), "input outside quotes: {line}");
            }
        }
        assert!(
            out.contains("#lt;script#gt;alert#40;1#41;"),
            "labels kept, encoded"
        );
    }
    assert_eq!(seen, 4);
}

/// DOT's lexer, for what matters here: strings end where we think, braces
/// balance outside them, and nothing outside them is input.
fn dot_structure(dot: &str) -> Result<(), String> {
    let mut depth = 0i32;
    let mut chars = dot.chars().peekable();
    let mut outside = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => loop {
                match chars.next() {
                    None => return Err("unterminated string".into()),
                    Some('\\') => {
                        // `\"` is the only escape the lexer knows.
                        if chars.peek() == Some(&'"') {
                            chars.next();
                        }
                    }
                    Some('"') => break,
                    Some(_) => {}
                }
            },
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth < 0 {
                    return Err("unbalanced }".into());
                }
            }
            '<' => return Err("an HTML-like label".into()),
            c => outside.push(c),
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced braces: {depth}"));
    }
    if outside.contains("script") || outside.contains('\u{1b}') {
        return Err("input outside strings".into());
    }
    Ok(())
}

#[test]
fn dot_stays_valid_graphviz() {
    let o = outputs();
    // Without graphviz (outside CI) only the structure is checked.
    let dot = common::dot_binary();
    let mut seen = 0;
    for (v, f, out) in &o.graph {
        if *f != DiagramFormat::Dot {
            continue;
        }
        seen += 1;
        dot_structure(out).unwrap_or_else(|e| panic!("graph {v:?}: {e}\n{out}"));
        if let Some(dot) = dot {
            let svg = common::dot_accepts(dot, out).unwrap_or_else(|e| panic!("{e}\n{out}"));
            // Graphviz escapes the label text in its own SVG.
            assert!(!svg.contains("<script>alert"), "dot's SVG is inert");
            assert!(svg.contains("&lt;script&gt;alert(1)"), "label kept");
        }
    }
    assert_eq!(seen, 4);
}

/// Removes inline code spans (a run of N backticks up to the next run of
/// exactly N), whose content Markdown shows literally.
fn strip_code_spans(line: &str) -> String {
    let b: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '`' && (i == 0 || b[i - 1] != '\\') {
            let n = b[i..].iter().take_while(|c| **c == '`').count();
            let mut j = i + n;
            let mut close = None;
            while j < b.len() {
                if b[j] == '`' {
                    let m = b[j..].iter().take_while(|c| **c == '`').count();
                    if m == n {
                        close = Some(j + m);
                        break;
                    }
                    j += m;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(end) => {
                    out.push_str("CODE");
                    i = end;
                }
                None => {
                    out.extend(&b[i..i + n]);
                    i += n;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Unescaped pipes: table cell separators.
fn cells(line: &str) -> usize {
    let b: Vec<char> = line.chars().collect();
    (0..b.len())
        .filter(|&i| b[i] == '|' && (i == 0 || b[i - 1] != '\\'))
        .count()
}

#[test]
fn markdown_keeps_input_in_text_and_code_spans() {
    let o = outputs();
    let mut docs: Vec<(String, &String)> = Vec::new();
    for (v, f, out) in &o.blast {
        if *f == Format::Markdown {
            docs.push((format!("blast {v:?}"), out));
        }
    }
    for (f, out) in &o.rank {
        if *f == Format::Markdown {
            docs.push(("rank".into(), out));
        }
    }
    assert_eq!(docs.len(), 7);
    for (what, md) in docs {
        assert!(!md.contains('\u{1b}'), "{what}: terminal escape");
        let mut header_cells = None;
        for line in md.lines() {
            let bare = strip_code_spans(line)
                .replace("<br>", "")
                .replace("\\`", "");
            // Every `<` outside code is escaped, so no tag reaches the page.
            let raw_lt = bare
                .char_indices()
                .any(|(i, c)| c == '<' && (i == 0 || !bare[..i].ends_with('\\')));
            assert!(!raw_lt, "{what}: raw `<` in {line}");
            assert!(
                !bare.contains('`'),
                "{what}: an unbalanced backtick opens a code span: {line}"
            );
            if line.starts_with('|') {
                let n = cells(&strip_code_spans(line));
                match header_cells {
                    None => header_cells = Some(n),
                    Some(h) => assert_eq!(n, h, "{what}: a cell split by input: {line}"),
                }
            } else {
                header_cells = None;
            }
        }
        assert!(
            md.contains("\\<script\\>alert\\(1\\)"),
            "{what}: shown, escaped"
        );
    }
}

#[test]
fn json_round_trips_the_input_exactly() {
    let o = outputs();
    for (v, f, out) in &o.blast {
        if *f == Format::Json {
            let j: serde_json::Value = serde_json::from_str(out).unwrap();
            assert_eq!(j["vendor"].as_str(), Some(v.as_str()));
            assert!(j["system"].as_str().unwrap().ends_with(EVIL));
        }
    }
    for (v, f, out) in &o.graph {
        if *f == DiagramFormat::Json {
            let j: serde_json::Value = serde_json::from_str(out).unwrap();
            let h = j["highlight"]["vendor"].as_str().map(str::to_string);
            assert_eq!(h, v.clone());
        }
    }
    for (f, out) in &o.rank {
        if *f == Format::Json {
            let j: serde_json::Value = serde_json::from_str(out).unwrap();
            assert_eq!(j["vendors"].as_array().unwrap().len(), 3);
        }
    }
}

#[test]
fn text_carries_no_terminal_escapes() {
    let o = outputs();
    for (v, f, out) in &o.blast {
        if *f == Format::Text {
            assert!(
                !out.chars().any(|c| c.is_control() && c != '\n'),
                "blast {v:?}"
            );
            assert!(
                out.contains("<script>alert(1)"),
                "plain text shows it as is"
            );
        }
    }
}
