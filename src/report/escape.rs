//! Every string that comes from the input (a vendor's name, a purpose, a
//! file name from the scanned tree, a value quoted in an error) is made safe
//! for the sink it is written to, here, by one function per sink.
//!
//! What each sink must not receive:
//! - a terminal or a CI log: control characters (an escape sequence can
//!   clear the screen or retitle the window; a line feed starts a line the
//!   input wrote, such as a fake `NOTES` block), and the prefixes a CI
//!   runner executes as commands: `::` at the start of a line (GitHub
//!   Actions' workflow commands: `::add-mask::`, `::error file=…::`) and
//!   `##[` anywhere (their older form, and Azure Pipelines' logging commands);
//! - any sink a person reads: the invisible formatting characters that make
//!   text display other than it is (bidirectional overrides such as U+202E,
//!   "Trojan Source"; zero-width characters);
//! - Markdown, HTML, XML, Mermaid and DOT: their own metacharacters.
//!
//! Such characters are not dropped but shown as escapes (`\n`, `\u{202e}`),
//! so a reader sees that the input held them, and two different inputs
//! never print the same.

use std::borrow::Cow;

/// Characters that change how the text around them is displayed without
/// being visible themselves: bidirectional marks, embeddings, overrides and
/// isolates, zero-width characters and the byte-order mark.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// `\u{202e}`: how an invisible or control character is shown.
fn push_escape(o: &mut String, c: char) {
    match c {
        '\n' => o.push_str("\\n"),
        '\r' => o.push_str("\\r"),
        '\t' => o.push_str("\\t"),
        c => {
            let _ = std::fmt::Write::write_fmt(o, format_args!("\\u{{{:x}}}", c as u32));
        }
    }
}

/// The text with invisible formatting characters shown as escapes; control
/// characters are left to the sink's own rule.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_invisible_format) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_invisible_format(c) {
            push_escape(&mut o, c);
        } else {
            o.push(c);
        }
    }
    Cow::Owned(o)
}

/// One line for a terminal or a CI log: control and invisible characters
/// as escapes (so the text can never start a line of its own), and a CI
/// command prefix defused (`::` at the start becomes `\::`, `##[` becomes
/// `#\#[`).
pub fn terminal(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_invisible_format(c) {
            push_escape(&mut o, c);
        } else {
            o.push(c);
        }
    }
    defuse_ci(&o).into_owned()
}

/// Text of several lines composed by blastmap (an error message, a report)
/// for a terminal or a CI log: each line is cleaned as by [`terminal`],
/// the line breaks themselves are kept. This is the last wall for text
/// whose input parts were not escaped where they were written.
pub fn log_lines(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            o.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        o.push_str(&terminal(line));
    }
    o
}

/// Defuses CI runner commands in one line of text.
fn defuse_ci(s: &str) -> Cow<'_, str> {
    let lead = s.len() - s.trim_start().len();
    let starts = s[lead..].starts_with("::");
    if !starts && !s.contains("##[") {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 2);
    o.push_str(&s[..lead]);
    let rest = &s[lead..];
    if starts {
        o.push('\\');
    }
    o.push_str(&rest.replace("##[", "#\\#["));
    Cow::Owned(o)
}

/// Escapes a string for Markdown text and table cells: metacharacters
/// backslash-escaped, line breaks as spaces (a table cell cannot hold one),
/// control characters dropped, invisible ones shown, and a leading `::`
/// defused as in a log (a PR comment is often printed by CI as well).
pub fn markdown(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>' | '!' | '~' | '{' | '}'
            | '(' | ')' => {
                o.push('\\');
                o.push(c);
            }
            '&' => o.push_str("&amp;"),
            '\n' | '\r' => o.push(' '),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    defuse_ci(&o).into_owned()
}

/// An inline code span for any text: the fence is one backtick longer than
/// the longest run inside, padded when the text starts or ends with one;
/// line breaks become spaces (a span cannot hold them in a table).
pub fn markdown_code(s: &str) -> String {
    let clean: String = visible(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.trim().is_empty() {
        return "(empty)".into();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// Escapes text for HTML (element content and quoted attributes).
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Escapes text for XML content and attribute values (GraphML).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept as references so attribute values keep them.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            // Not allowed in XML 1.0, even as a character reference.
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a label for a quoted Mermaid string: the characters Mermaid or
/// the Markdown around it treat specially, as Mermaid entity codes.
pub fn mermaid(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '"' => o.push_str("#quot;"),
            '#' => o.push_str("#35;"),
            '&' => o.push_str("#amp;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '`' => o.push_str("#96;"),
            ';' => o.push_str("#59;"),
            '|' => o.push_str("#124;"),
            '[' => o.push_str("#91;"),
            ']' => o.push_str("#93;"),
            '{' => o.push_str("#123;"),
            '}' => o.push_str("#125;"),
            '(' => o.push_str("#40;"),
            ')' => o.push_str("#41;"),
            '\\' => o.push_str("#92;"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Escapes text for a double-quoted DOT string (ids, labels, tooltips),
/// quotes included. Inside quotes DOT's lexer knows one escape, `\"`; the
/// label functions then read `\n`, `\l`, `\N`… so a backslash from the
/// input is doubled, and a string never ends in a backslash (which would
/// escape the closing quote).
pub fn dot(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in visible(s).chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    if o.ends_with('\\') {
        o.push(' ');
    }
    o.push('"');
    // Graphviz reads character entities in any string: `#&#35;[` draws as
    // `##[` but is no CI logging command when the file is printed.
    if o.contains("##[") {
        o = o.replace("##[", "#&#35;[");
    }
    o
}

/// One line for a terminal-like sink that shows no escapes (an SVG label
/// cut to fit, a tooltip): every control character, `\n` included, becomes
/// a space.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// One line of running text (a notice's value): `\n`, `\r` and `\t` become
/// spaces, other control characters are dropped.
pub fn one_line_dropping_controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect()
}

/// A line inside a comment of a Mermaid or DOT text that may sit in a
/// Markdown fence: control characters (`\n` would end the comment) and
/// backticks (which would close the fence) become spaces.
pub fn comment_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() || c == '`' { ' ' } else { c })
        .collect()
}

/// Markdown escaping for running text (a notice): every character that can
/// open inline markup or raw HTML is backslashed. Parentheses and dots stay
/// as they are (a notice is read as text too), which is safe because values
/// never start a line in the templates and `[` is escaped.
pub fn markdown_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&'
        ) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

/// A Cypher string literal, quotes included: quotes and backslashes
/// backslashed, control characters as `\n`, `\r`, `\t` or `\uXXXX`.
pub fn cypher_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A YAML double-quoted scalar (JSON's string syntax, which YAML reads the
/// same): for the starter YAML `scan --format yaml` writes.
pub fn yaml_quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The HTML and SVG templates' escaper (`askama.toml`): askama's HTML
/// escaping, and control characters other than `\n` and `\t` (a terminal
/// escape in a vendor name) replaced by a space, so a page printed with
/// `cat` cannot drive the terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlText;

impl askama::filters::Escaper for HtmlText {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, s: &str) -> std::fmt::Result {
        for c in s.chars() {
            self.write_escaped_char(&mut dest, c)?;
        }
        Ok(())
    }

    fn write_escaped_char<W: std::fmt::Write>(&self, mut dest: W, c: char) -> std::fmt::Result {
        if c.is_control() && c != '\n' && c != '\t' {
            dest.write_char(' ')
        } else {
            askama::filters::Html.write_escaped_char(dest, c)
        }
    }
}

/// JSON text of any serialisable value, pretty-printed: serde's escaping
/// (control characters as `\n`, `\u001b`), plus invisible formatting
/// characters written as JSON escapes (`\u202e`) and `##[` as `\u0023#[`. The value read
/// back is the same; the raw text, printed in a terminal or a CI log,
/// neither reorders itself nor carries a runner command.
///
/// The text is measured first and written once into a buffer of that size
/// (and one byte more, for the newline `report::json` adds): a large
/// report (58 MB for a scan of 367k files) grown by doubling held its old
/// and new buffers at once, the peak of such a scan's memory.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut size = Counted(0);
    write_json(&mut size, value)?;
    let mut buf = Vec::with_capacity(size.0 + 1);
    write_json(&mut buf, value)?;
    // serde_json writes valid UTF-8.
    Ok(String::from_utf8(buf).unwrap_or_default())
}

/// [`json`]'s text, written to `out`.
fn write_json<W: std::io::Write, T: serde::Serialize + ?Sized>(
    out: W,
    value: &T,
) -> Result<(), serde_json::Error> {
    let mut ser = serde_json::Serializer::with_formatter(
        out,
        SafeFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut ser)
}

/// A writer that only counts the bytes written to it.
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct SafeFormatter<'a>(serde_json::ser::PrettyFormatter<'a>);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
            serde_json::ser::Formatter::$name(&mut self.0, w $(, $arg)*)
        })*
    };
}

impl serde_json::ser::Formatter for SafeFormatter<'_> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if !fragment.chars().any(is_invisible_format) && !fragment.contains("##[") {
            return w.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some(c) = rest.chars().next() {
            if is_invisible_format(c) {
                write!(w, "\\u{:04x}", c as u32)?;
            } else if rest.starts_with("##[") {
                w.write_all(b"\\u0023")?;
            } else {
                let mut b = [0u8; 4];
                w.write_all(c.encode_utf8(&mut b).as_bytes())?;
            }
            rest = &rest[c.len_utf8()..];
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_cannot_start_a_line_or_move_the_cursor() {
        assert_eq!(terminal("a\nNOTES ! none"), "a\\nNOTES ! none");
        assert_eq!(terminal("x\u{1b}[2Jy"), "x\\u{1b}[2Jy");
        assert_eq!(terminal("\u{1b}]0;title\u{7}"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(terminal("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
    }

    #[test]
    fn ci_commands_are_defused() {
        assert_eq!(terminal("::add-mask::x"), "\\::add-mask::x");
        assert_eq!(terminal("  ::error file=a::b"), "  \\::error file=a::b");
        assert_eq!(terminal("a ##[error]b"), "a #\\#[error]b");
        assert_eq!(terminal("a::b"), "a::b");
        assert_eq!(
            log_lines("error: x\n::error::forged\n  help: y"),
            "error: x\n\\::error::forged\n  help: y"
        );
    }

    #[test]
    fn markdown_escapes_and_defuses() {
        assert_eq!(markdown("a|b\nc"), "a\\|b c");
        assert_eq!(markdown("::warning::x"), "\\::warning::x");
        assert_eq!(markdown("r\u{202e}l"), "r\\\\u\\{202e\\}l");
    }

    #[test]
    fn every_sink_shows_bidi_overrides() {
        let s = "admin\u{202e}txt.exe";
        for out in [html(s), xml(s), mermaid(s), dot(s), terminal(s)] {
            assert!(!out.contains('\u{202e}'), "{out}");
            assert!(out.contains("202e"), "{out}");
        }
    }

    #[test]
    fn json_reads_back_the_same_and_carries_no_command() {
        let v = vec!["a\u{202e}b", "##[error]x", "plain \n line"];
        let text = json(&v).unwrap();
        assert!(
            !text.contains('\u{202e}') && !text.contains("##["),
            "{text}"
        );
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
