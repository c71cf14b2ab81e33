//! HTML, server templates (erb, ejs, hbs, jinja, twig, liquid, blade), Vue
//! and Svelte single-file components, by tree-sitter-html.
//!
//! `<script src="URL">` is an [`super::Import`] of the URL as written;
//! inline script bodies (and Vue/Svelte `<script>`/`<script setup>`
//! blocks, `lang="ts"` included) are parsed as JavaScript/TypeScript and
//! their facts merged with the lines of the original file. Attribute values
//! are strings (for endpoint domains), except `class`, `id`, `style` and
//! event handlers, which name nothing outside the page.
//!
//! Template tags are plain text to the HTML grammar. Inside a script body
//! of a server template they would break the JavaScript, so they are
//! blanked to spaces first (lengths and lines kept): output tags keep their
//! expression (`{{ user.email }}` → `   user.email   `), comments and
//! control tags (`{% if %}`, `<% end %>`, `{{#each}}`) disappear.

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, children, unquote};
use super::javascript::{self, Dialect};
use super::{ExtractError, FileFacts, Lang, Limits};

/// Extracts the facts of an HTML page, a template or a Vue/Svelte component.
pub(crate) fn extract(
    lang: Lang,
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    // A template comment can hold a whole `<script>` tag: it goes first.
    let uncommented = if lang == Lang::Html {
        blank(src, COMMENTS)
    } else {
        src.to_string()
    };
    let tree = engine::parse(Lang::Html, &uncommented, deadline)?;
    let mut ctx = Ctx::new(&uncommented, 0, limits, deadline);
    ctx.set_display(src);
    let mut scripts: Vec<(Dialect, usize, usize, u32)> = Vec::new();
    engine::walk(&tree, &mut ctx, |ctx, node, _anc| match node.kind() {
        "start_tag" | "self_closing_tag" => attributes(ctx, node),
        "script_element" => {
            if let Some(script) = script(ctx, node) {
                scripts.push(script);
            }
        }
        _ => {}
    })?;
    drop(tree);
    // Script facts are merged at the end and then put back in line order.
    for (dialect, start, end, line_offset) in scripts {
        let written = src.get(start..end).unwrap_or("");
        let body = if lang == Lang::Html {
            blank_template_tags(ctx.slice(start, end))
        } else {
            written.to_string()
        };
        let parsed = javascript::extract_quoting(
            dialect,
            &body,
            written,
            line_offset,
            ctx.limits(),
            ctx.deadline(),
        );
        match parsed {
            Ok(facts) => ctx.merge(facts),
            Err(ExtractError::Timeout) => return Err(ExtractError::Timeout),
            // One broken inline script does not hide the rest of the page.
            Err(ExtractError::Parse(_)) => {}
        }
    }
    let mut facts = ctx.finish();
    facts.imports.sort_by_key(|i| i.line);
    facts.calls.sort_by_key(|c| c.line);
    facts.bindings.sort_by_key(|b| b.line);
    facts.strings.sort_by_key(|s| s.line);
    facts.functions.sort_by_key(|f| f.line);
    Ok(facts)
}

/// Attribute (name, value node) pairs of a start tag.
fn attribute_pairs<'t>(ctx: &Ctx<'_>, tag: Node<'t>) -> Vec<(String, Option<Node<'t>>)> {
    children(tag)
        .into_iter()
        .filter(|c| c.kind() == "attribute")
        .filter_map(|a| {
            let parts = children(a);
            let name = parts.iter().find(|p| p.kind() == "attribute_name")?;
            let value = parts
                .iter()
                .find(|p| matches!(p.kind(), "attribute_value" | "quoted_attribute_value"))
                .copied();
            Some((ctx.text(*name).to_ascii_lowercase(), value))
        })
        .collect()
}

fn value_text<'s>(ctx: &Ctx<'s>, value: Node<'_>) -> &'s str {
    unquote(ctx.text(value)).trim()
}

/// Attributes whose values name nothing outside the page.
const NOT_STRINGS: &[&str] = &["class", "id", "style", "rel", "type", "lang", "charset"];

/// Event handlers and framework bindings hold code, not strings.
fn is_code_attribute(name: &str) -> bool {
    name.starts_with("on")
        || name.starts_with('@')
        || name.starts_with(':')
        || name.starts_with("v-")
        || name.starts_with("bind:")
}

fn attributes(ctx: &mut Ctx<'_>, tag: Node<'_>) {
    let is_script = children(tag)
        .into_iter()
        .find(|c| c.kind() == "tag_name")
        .is_some_and(|n| ctx.text(n).eq_ignore_ascii_case("script"));
    for (name, value) in attribute_pairs(ctx, tag) {
        let Some(value) = value else {
            continue;
        };
        let text = value_text(ctx, value);
        if is_script && name == "src" {
            ctx.import(text, Vec::new(), tag, false);
        } else if !NOT_STRINGS.contains(&name.as_str()) && !is_code_attribute(&name) {
            ctx.push_string(text, value);
        }
    }
}

/// The dialect and byte range of an inline script body worth parsing.
fn script(ctx: &Ctx<'_>, node: Node<'_>) -> Option<(Dialect, usize, usize, u32)> {
    let parts = children(node);
    let start_tag = parts.iter().find(|c| c.kind() == "start_tag")?;
    let body = parts.iter().find(|c| c.kind() == "raw_text")?;
    let attrs = attribute_pairs(ctx, *start_tag);
    let get = |key: &str| {
        attrs
            .iter()
            .find(|(n, _)| n == key)
            .and_then(|(_, v)| v.map(|v| value_text(ctx, v).to_ascii_lowercase()))
    };
    if !is_javascript(get("type").as_deref()) {
        return None;
    }
    let dialect = match get("lang").as_deref() {
        Some("ts" | "typescript") => Dialect::TypeScript,
        Some("tsx") => Dialect::Tsx,
        _ => Dialect::JavaScript,
    };
    let row = u32::try_from(body.start_position().row).unwrap_or(u32::MAX);
    Some((
        dialect,
        body.start_byte(),
        body.end_byte(),
        row.saturating_add(ctx.line_offset()),
    ))
}

/// Script types that hold JavaScript. `text/plain` is how consent managers
/// hold back tracking scripts until the visitor agrees: still JavaScript.
fn is_javascript(ty: Option<&str>) -> bool {
    match ty {
        None | Some("") => true,
        Some(t) => [
            "javascript",
            "ecmascript",
            "module",
            "babel",
            "jsx",
            "typescript",
            "text/plain",
        ]
        .iter()
        .any(|k| t.contains(k)),
    }
}

/// Template comments: (opener, closer, keep nothing).
const COMMENTS: &[(&str, &str, bool)] = &[
    ("<%#", "%>", false),
    ("{{!--", "--}}", false),
    ("{{--", "--}}", false),
    ("{{!", "}}", false),
    ("{#", "#}", false),
];

/// (opener, closer, keep the expression inside).
const TAGS: &[(&str, &str, bool)] = &[
    ("<%#", "%>", false),
    ("{{--", "--}}", false),
    ("<%=", "%>", true),
    ("<%-", "%>", true),
    ("<%", "%>", false),
    ("{{!--", "--}}", false),
    ("{{!", "}}", false),
    ("{{{", "}}}", true),
    ("{{#", "}}", false),
    ("{{/", "}}", false),
    ("{{^", "}}", false),
    ("{{else", "}}", false),
    ("{{", "}}", true),
    ("{#", "#}", false),
    ("{%", "%}", false),
    ("{!!", "!!}", true),
];

/// Replaces template tags with spaces (newlines kept), keeping the
/// expression of output tags. Byte offsets, and so lines, do not move.
/// Inside a JavaScript string (`'<%= ENV['KEY'] %>'`) the kept expression
/// loses its quotes and backslashes, so that the string still ends where
/// it did.
pub(crate) fn blank_template_tags(src: &str) -> String {
    blank(src, TAGS)
}

/// Blanks the tags of `rules` in `src` (see [`blank_template_tags`]).
fn blank(src: &str, rules: &[(&str, &str, bool)]) -> String {
    let bytes = src.as_bytes();
    let mut out = bytes.to_vec();
    let clear = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in out.iter_mut().take(to).skip(from) {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    // Closers known to be absent from some offset on: no quadratic rescans.
    let mut missing: Vec<&str> = Vec::new();
    let mut lexer = Lexer::default();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let Some(&(open, close, keep)) = rules
            .iter()
            .find(|(o, _, _)| rest.starts_with(o.as_bytes()))
        else {
            lexer.feed(bytes, i);
            i += 1;
            continue;
        };
        let body = i + open.len();
        let end = if missing.contains(&close) {
            None
        } else {
            find(bytes, body, close.as_bytes())
        };
        let Some(end) = end else {
            missing.push(close);
            clear(&mut out, i, body);
            i = body;
            continue;
        };
        if keep {
            // Whitespace-control markers (`{{-`, `-%>`, `~}}`) go too.
            let mut body_start = body;
            if matches!(bytes.get(body), Some(b'-' | b'~' | b'=')) {
                body_start += 1;
            }
            let mut body_end = end;
            if body_end > body_start && matches!(bytes.get(body_end - 1), Some(b'-' | b'~')) {
                body_end -= 1;
            }
            clear(&mut out, i, body_start);
            clear(&mut out, body_end, end + close.len());
            if lexer.in_string() {
                for b in out.iter_mut().take(body_end).skip(body_start) {
                    if matches!(*b, b'\'' | b'"' | b'`' | b'\\') {
                        *b = b' ';
                    }
                }
            }
        } else {
            clear(&mut out, i, end + close.len());
        }
        i = end + close.len();
    }
    // Only ASCII bytes were replaced, and only whole tags: still UTF-8. The
    // lossy fallback is for safety, never expected.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Just enough of a JavaScript lexer to know whether a byte is inside a
/// string (or a comment, where a quote means nothing).
#[derive(Default)]
struct Lexer {
    quote: Option<u8>,
    line_comment: bool,
    block_comment: bool,
    escaped: bool,
}

impl Lexer {
    fn in_string(&self) -> bool {
        self.quote.is_some()
    }

    fn feed(&mut self, bytes: &[u8], i: usize) {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        let prev = if i > 0 {
            bytes.get(i - 1).copied()
        } else {
            None
        };
        if self.line_comment {
            self.line_comment = b != b'\n';
        } else if self.block_comment {
            self.block_comment = !(b == b'/' && prev == Some(b'*'));
        } else if let Some(q) = self.quote {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == q || (b == b'\n' && q != b'`') {
                self.quote = None;
            }
        } else if b == b'/' && next == Some(b'/') {
            self.line_comment = true;
        } else if b == b'/' && next == Some(b'*') {
            self.block_comment = true;
        } else if matches!(b, b'\'' | b'"' | b'`') {
            self.quote = Some(b);
        }
    }
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || from >= haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::blank_template_tags;

    #[test]
    fn template_tags_are_blanked_in_place() {
        let src = "analytics.identify({{ user.id }}, { email: <%= current_user.email %> });\n{% if x %}track();{% endif %}";
        let out = blank_template_tags(src);
        assert_eq!(out.len(), src.len());
        assert_eq!(
            out,
            "analytics.identify(   user.id   , { email:     current_user.email    });\n          track();           "
        );
        assert_eq!(blank_template_tags("a {{- x -}} b"), "a     x     b");
        assert_eq!(blank_template_tags("{# note\n #}ok"), "       \n   ok");
        assert_eq!(blank_template_tags("{{ never closed"), "   never closed");
        assert_eq!(blank_template_tags("é{{ é }}"), "é   é   ");
        // Inside a JS string the expression keeps its place but not its quotes.
        assert_eq!(
            blank_template_tags("gtag('config', '<%= ENV['GA_ID'] %>');"),
            "gtag('config', '    ENV[ GA_ID ]   ');"
        );
        assert_eq!(
            blank_template_tags("// it's {{ x }}\nf({{ y }})"),
            "// it's    x   \nf(   y   )"
        );
    }
}
