//! Colour for text reports on a terminal: severities, section headings,
//! finding levels and the error/help prefixes, added to the plain text the
//! other modules write (which stays the one source of every report).
//!
//! Whether to colour is the binary's decision ([`wanted`]): never when
//! `NO_COLOR` is set (<https://no-color.org>), always when `CLICOLOR_FORCE`
//! is, otherwise only on a terminal whose `TERM` is not `dumb`. The text
//! coloured here has already been cleaned of control characters, so the
//! only escape sequences in the result are the ones added here.

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED_BOLD: &str = "\x1b[1;31m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";

/// Whether to colour a stream, from the environment and whether the stream
/// is a terminal.
pub fn wanted(var: impl Fn(&str) -> Option<String>, terminal: bool) -> bool {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    if set("CLICOLOR_FORCE") && var("CLICOLOR_FORCE").as_deref() != Some("0") {
        return true;
    }
    terminal && var("TERM").as_deref() != Some("dumb")
}

/// The colour of a severity word (either case).
fn severity(word: &str) -> Option<&'static str> {
    match word {
        "critical" | "CRITICAL" => Some(RED_BOLD),
        "high" | "HIGH" => Some(RED),
        "medium" | "MEDIUM" => Some(YELLOW),
        "low" | "LOW" => Some(GREEN),
        _ => None,
    }
}

/// A report for people, coloured line by line: a heading in capitals at
/// the start of a line is bold; a severity is coloured where it is a
/// column (first on its line, or set apart by two spaces) or written in
/// capitals; `[deny]` and `[warn]` take the colour of their level, and
/// the verdict line of `check` its outcome.
pub fn report(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&report_line(line));
    }
    out
}

fn report_line(line: &str) -> String {
    if is_heading(line) {
        return format!("{BOLD}{line}{RESET}");
    }
    if let Some(rest) = line.strip_prefix("check passed") {
        return format!("{GREEN}check passed{RESET}{rest}");
    }
    if let Some(rest) = line.strip_prefix("check failed") {
        return format!("{RED_BOLD}check failed{RESET}{rest}");
    }
    let mut out = String::with_capacity(line.len() + 16);
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            let start = i;
            while i < line.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = &line[start..i];
            let before = &line[..start];
            let after = &line[i..];
            let column = before.trim_start().is_empty()
                || (before.ends_with("  ") && (after.starts_with("  ") || after.is_empty()));
            let capitals = word.len() > 2 && word.bytes().all(|c| c.is_ascii_uppercase());
            let boundary = !before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
                && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-');
            match severity(word) {
                Some(colour) if boundary && (column || capitals) => {
                    out.push_str(colour);
                    out.push_str(word);
                    out.push_str(RESET);
                }
                _ => out.push_str(word),
            }
            continue;
        }
        if line[i..].starts_with("[deny]") {
            out.push_str(&format!("{RED_BOLD}[deny]{RESET}"));
            i += "[deny]".len();
            continue;
        }
        if line[i..].starts_with("[warn]") {
            out.push_str(&format!("{YELLOW}[warn]{RESET}"));
            i += "[warn]".len();
            continue;
        }
        let ch = line[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// `EXPOSED (8 fields)`, `BLAST RADIUS: Mixpanel ...`, `WHAT IF (...)`:
/// a line that starts, at its first column, with a word of three or more
/// capitals.
fn is_heading(line: &str) -> bool {
    let first: &str = line
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    first.len() >= 3
        && first.bytes().all(|c| c.is_ascii_uppercase())
        && line.starts_with(first)
        && severity(first).is_none()
}

/// Messages on stderr: `error:` in red, `help:` in cyan.
pub fn messages(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let rest = line.trim_start();
        out.push_str(&line[..line.len() - rest.len()]);
        // `= help: ...` (a note under a loader error) keeps its `= `.
        let rest = match rest.strip_prefix("= ") {
            Some(r) => {
                out.push_str("= ");
                r
            }
            None => rest,
        };
        if let Some(r) = rest.strip_prefix("error:") {
            out.push_str(&format!("{RED_BOLD}error:{RESET}{r}"));
        } else if let Some(r) = rest.strip_prefix("help:") {
            out.push_str(&format!("{CYAN}help:{RESET}{r}"));
        } else if let Some(r) = rest.strip_prefix("warning:") {
            out.push_str(&format!("{YELLOW}warning:{RESET}{r}"));
        } else {
            out.push_str(rest);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn no_color_wins_then_force_then_the_terminal() {
        assert!(!wanted(
            env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]),
            true
        ));
        assert!(wanted(env(&[("CLICOLOR_FORCE", "1")]), false));
        assert!(!wanted(env(&[("CLICOLOR_FORCE", "0")]), false));
        assert!(wanted(env(&[("NO_COLOR", "")]), true));
        assert!(!wanted(env(&[("TERM", "dumb")]), true));
        assert!(!wanted(env(&[]), false));
    }

    #[test]
    fn severities_in_columns_and_capitals_only() {
        let rank = "    541  critical  stripe            4";
        assert!(report(rank).contains("\x1b[1;31mcritical\x1b[0m"));
        let exposed = "  medium   email            user.contact.email";
        assert!(report(exposed).starts_with("  \x1b[33mmedium\x1b[0m"));
        let prose = "NOT EXPOSED (fields of medium sensitivity or above)";
        assert_eq!(report(prose), format!("\x1b[1m{prose}\x1b[0m"));
        let inline = "System api-platform: severity HIGH, score 195";
        assert!(report(inline).contains("\x1b[31mHIGH\x1b[0m"));
        let word = "  a low-cost lowland plan, allow all";
        assert_eq!(report(word), word);
    }

    #[test]
    fn levels_verdicts_and_messages() {
        let line = "a.ts:3: undeclared-flow: x [warn]";
        assert!(report(line).ends_with("\x1b[33m[warn]\x1b[0m"));
        assert!(report("check failed: 1 denied").starts_with("\x1b[1;31mcheck failed"));
        let m = messages("error: vendor `x` is not in this map\n  help: vendors in this map: a");
        assert!(m.starts_with("\x1b[1;31merror:\x1b[0m vendor"));
        assert!(m.ends_with("  \x1b[36mhelp:\x1b[0m vendors in this map: a"));
        assert_eq!(report("plain ünïcode line"), "plain ünïcode line");
    }
}
