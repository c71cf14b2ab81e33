//! Plain HTTP requests to a vendor's API (#11 item 2): many integrations use
//! no SDK, only `requests.post("https://api.pagerduty.com/...", json=...)`,
//! `fetch`, `axios`, Faraday, Guzzle, Go's `http.NewRequest`, or a
//! first-party `self.post(url, data=...)` around any of them.
//!
//! A call is a request to a vendor when one of its arguments is a URL whose
//! host is a catalog domain: a literal, a template or a format string
//! (`f"https://api.telegram.org/bot{token}/sendMessage"`), or a name that
//! resolves, within the file, to one (`URL = "https://…"` then
//! `self.post(self.URL % sid, …)`, or `url = …` a few assignments away).
//! The client does not matter: whatever sends a vendor URL sends to the
//! vendor. A client made for one vendor's API (`api = axios.create({
//! baseURL })`, `@client ||= Faraday.new(url: URL)`) sends its requests
//! there though they name only a path ([`base_url_clients`]). The URL
//! itself carries data: a value after a query key (`?email=${e}`) and the
//! query parameters set on a URL object ([`url_data`]). Its other
//! arguments (JSON bodies, form data, query parameters, headers) are
//! classified like an SDK call's, except values taken from the
//! application's own configuration (`settings.X`, `process.env.X`,
//! `ENV["X"]`) and credentials (`Access-Token`, `token`): an API key or an
//! integration's token authenticates the request, it is not a person's data
//! that the vendor receives. For a vendor whose API delivers messages
//! (chat, SMS, email, support) or reads them (an AI model's `inputs`,
//! `content`), the message's text (`text`, `body`, `content`, `input`, ...)
//! is private content even where its name says nothing more.
//!
//! Resolution is lexical and file-local: assignments are found by their
//! shape on a line (`NAME = …`, `const NAME = …`, `NAME := …`, `private
//! $name = …`, `URL: str = …`), followed at most [`MAX_HOPS`] deep. A field
//! whose value was built before the call (`data = {...}` then
//! `self.post(url, data=data)`) is reported at the call's line, where the
//! data leaves; the value's own line is kept in its name.

use std::collections::{BTreeMap, BTreeSet};

use super::Finding;
use super::calls::{self, CallField, MESSAGE, classify, dotted, is_literal};
use super::classify::{classify_arg, interpolations};
use super::endpoint::Domains;
use super::index::{Index, VendorIx};
use super::lang::{Arg, Call, FileFacts};
use super::lines::LineIndex;
use super::mention;
use super::remote::{self, Remote, UrlDef};
use crate::model::{EvidenceKind, Scope};

/// How many assignments a URL name is followed through.
const MAX_HOPS: usize = 3;

/// Keys that name a request's URL where it is passed by name.
const URL_KEYS: &[&str] = &[
    "url", "uri", "endpoint", "baseurl", "base_url", "baseuri", "host",
];

/// Where the application's configuration is read: `settings.X`,
/// `process.env.X`, `ENV["X"]`, `config("x")`, ...
const MARKS: &[&str] = &[
    "settings.",
    "process.env",
    "os.environ",
    "os.getenv",
    "ENV[",
    "ENV.fetch",
    "getenv(",
    "env(",
    "config(",
    "Config.",
    "config.",
    "Rails.application.credentials",
    "import.meta.env",
    "System.getenv",
];

/// Values from the application's configuration, not from a person, for a
/// request's arguments: the configuration read anywhere in the expression
/// (`f"{settings.SITE_ROOT}/x"`).
pub(crate) fn is_app_config(expr: &str) -> bool {
    is_config_value(expr) || MARKS.iter().any(|m| expr.contains(m))
}

/// A value that is the application's configuration as a whole: an
/// expression that starts by reading it (`process.env.ADMIN_EMAIL`,
/// `settings.DEFAULT_FROM_EMAIL`, or `env.NEXT_PUBLIC_BASE_URL`, the
/// validated environment object of t3-env and its kin). Stricter than
/// [`is_app_config`], for SDK calls' arguments, where `user.settings.theme`
/// is a person's data.
pub(crate) fn is_config_value(expr: &str) -> bool {
    let e = expr.trim_start();
    e.starts_with("env.") || MARKS.iter().any(|m| e.starts_with(m))
}

/// Argument keys that carry the application's own transport settings.
pub(crate) fn is_transport_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    matches!(
        last.as_str(),
        "auth" | "authorization" | "timeout" | "method" | "verify" | "headers" | "allow_redirects"
    ) || URL_KEYS.contains(&last.as_str())
}

/// The keyword an HTTP client takes a request's body or query under
/// (`fetch(url, { body })`, `requests.post(url, json=...)`, axios's
/// `data`). Its name says nothing of what is in it, unlike a message's
/// `body` given to a messenger's SDK: what it holds is read instead.
pub(crate) fn is_body_key(key: &str) -> bool {
    matches!(
        key.rsplit('.')
            .next()
            .unwrap_or(key)
            .to_ascii_lowercase()
            .as_str(),
        "json" | "data" | "body" | "params" | "form" | "form_params" | "query" | "payload"
    )
}

/// [`assignments_at`]'s values without their lines.
fn without_lines<'a>(
    at: &BTreeMap<&'a str, Vec<(&'a str, u32)>>,
) -> BTreeMap<&'a str, Vec<&'a str>> {
    at.iter()
        .map(|(k, v)| (*k, v.iter().map(|(value, _)| *value).collect()))
        .collect()
}

/// The file's assignments, by the last segment of the assigned name
/// (`self.URL = "…"`, `URL = "…"` and `const URL = "…"` all give `URL`),
/// with each value's 1-based line.
fn assignments_at(text: &str) -> BTreeMap<&str, Vec<(&str, u32)>> {
    let mut out: BTreeMap<&str, Vec<(&str, u32)>> = BTreeMap::new();
    let mut offset = 0;
    // Bytes the multi-line values may read in all: a file of unclosed
    // `x = {` lines would otherwise read MAX_VALUE bytes per line.
    let mut budget = MAX_SCANNED;
    // A Ruby method with no parameters (`def endpoint_url`) whose body
    // starts with a value, not a statement: that value is what the name
    // stands for (`"#{BASE_URL}#{action_path}"`).
    let mut method: Option<&str> = None;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(name) = method.take()
            && let Some(value) = method_value(line)
        {
            let at = start + (value.as_ptr() as usize - line.as_ptr() as usize);
            let value = multi_line_value(text, at, value, &mut budget);
            out.entry(name).or_default().push((value, (i + 1) as u32));
            continue;
        }
        method = reader_def(line);
        if let Some((lhs, rhs)) = split_assignment(line.trim_start()) {
            // A literal opened at the end of the line (`const data = {`)
            // runs to its closing bracket: the whole object is the value.
            let at = start + (rhs.as_ptr() as usize - line.as_ptr() as usize);
            let rhs = multi_line_value(text, at, rhs, &mut budget);
            let name = lhs
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or(lhs)
                .trim_start_matches(['$', '@']);
            let name = name.rsplit(['.', ':']).next().unwrap_or(name);
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.entry(name).or_default().push((rhs, (i + 1) as u32));
            }
        }
    }
    out
}

/// The name a Ruby `def` line defines when it takes no parameters and has
/// its body on the lines below (`def endpoint_url`, `def self.api_url`).
fn reader_def(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("def ")?;
    let rest = rest.strip_prefix("self.").unwrap_or(rest).trim_end();
    let plain = !rest.is_empty()
        && rest.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    plain.then_some(rest)
}

/// The value the first line of a reader's body gives: the line itself
/// (`return` dropped), unless it is a statement (an assignment, a keyword
/// such as `if` or `raise`, a comment) or empty.
fn method_value(line: &str) -> Option<&str> {
    let t = line.trim();
    let t = t.strip_prefix("return ").unwrap_or(t);
    const STATEMENTS: &[&str] = &[
        "if ", "unless ", "case ", "while ", "until ", "raise", "end", "begin", "#", "yield",
    ];
    if t.is_empty() || STATEMENTS.iter().any(|k| t.starts_with(k)) || split_assignment(t).is_some()
    {
        return None;
    }
    Some(t)
}

/// A function written as an argument (`function () {...}`, `(r) => ...`,
/// `lambda r: ...`, `do |r| ... end`): code run later, not data sent.
fn is_callback(expr: &str) -> bool {
    let e = expr.trim_start();
    e.starts_with("function")
        || e.starts_with("async ")
        || e.starts_with("lambda")
        || e.starts_with("do ")
        || e.starts_with("do|")
        || e.split_once("=>").is_some_and(|(head, _)| {
            let h = head.trim();
            h.ends_with(')') && h.starts_with('(')
                || h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// True when the extractor already flattened the literal `arg` names into
/// the call's other arguments (`params` gives `params.name`, ...).
fn flattened(call: &Call, arg: &Arg) -> bool {
    let name = arg.key.as_deref().unwrap_or(arg.expr.trim());
    let prefix = format!("{name}.");
    call.args.iter().any(|a| {
        a.key.as_deref().is_some_and(|k| k.starts_with(&prefix))
            // A positional variable's entries follow it at its position.
            || (arg.key.is_none()
                && arg.position.is_some()
                && a.position == arg.position
                && a.key.is_some())
    })
}

/// How much of the text a multi-line value may span.
const MAX_VALUE: usize = 8 * 1024;

/// How much text one file's multi-line values may read in all.
const MAX_SCANNED: usize = 1024 * 1024;

/// `rhs` (at byte `at` of `text`), extended to the bracket that closes the
/// one it ends with, when it ends with an opening bracket; else `rhs`.
/// Reads at most [`MAX_VALUE`] bytes, taken from `budget`.
fn multi_line_value<'t>(text: &'t str, at: usize, rhs: &'t str, budget: &mut usize) -> &'t str {
    if *budget == 0 {
        return rhs;
    }
    if let Some(v) = triple_quoted(text, at, rhs, budget) {
        return v;
    }
    if !rhs.trim_end().ends_with(['{', '[', '(']) {
        return rhs;
    }
    let b = text.as_bytes();
    let end = (at + MAX_VALUE.min(*budget)).min(b.len());
    *budget = budget.saturating_sub(end - at);
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut i = at;
    while i < end {
        let c = b[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return text.get(at..=i).unwrap_or(rhs);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    rhs
}

/// A Python string opened with three quotes at the end of `rhs` (at byte
/// `at` of `text`), read to its close and the end of that line (where a
/// `% (...)` format follows); at most [`MAX_VALUE`] bytes, from `budget`.
fn triple_quoted<'t>(
    text: &'t str,
    at: usize,
    rhs: &'t str,
    budget: &mut usize,
) -> Option<&'t str> {
    let t = rhs.trim_end();
    let quote = ["\"\"\"", "'''"]
        .into_iter()
        .find(|q| t.ends_with(q) && t.matches(q).count() == 1)?;
    let open = at + t.len();
    let end = (open + MAX_VALUE.min(*budget)).min(text.len());
    let window = text.get(open..end)?;
    *budget = budget.saturating_sub(end - open);
    let close = window.find(quote)? + quote.len();
    let line_end = window[close..]
        .find('\n')
        .map_or(window.len(), |n| close + n);
    text.get(at..open + line_end)
}

/// `key: value` and `key => value` pairs written inside an expression, and
/// inside the values of the names it uses (one hop, the nearest assignment
/// before the call, a literal opened at a line's end read to its close): a
/// lexical reading of a payload that the extractor does not flatten.
pub(crate) fn payload_pairs<'a>(
    expr: &'a str,
    line: u32,
    assigned: &BTreeMap<&'a str, Vec<(&'a str, u32)>>,
) -> Vec<(&'a str, &'a str, u32)> {
    let mut out = pairs_in(expr)
        .into_iter()
        .map(|(k, v)| (k, v, line))
        .collect::<Vec<_>>();
    for name in names_in(expr) {
        let last = name.rsplit('.').next().unwrap_or(name);
        let nearest = nearest_before(assigned, last, line, u32::MAX);
        if let Some((value, at)) = nearest {
            out.extend(pairs_in(value).into_iter().map(|(k, v)| (k, v, *at)));
        }
    }
    out
}

/// The nearest assignment of `name` above line `line` (at most `reach`
/// lines above it), with its line: an earlier one of the same name is most
/// often another function's variable.
fn nearest_before<'a, 'm>(
    assigned: &'m BTreeMap<&'a str, Vec<(&'a str, u32)>>,
    name: &str,
    line: u32,
    reach: u32,
) -> Option<&'m (&'a str, u32)> {
    assigned
        .get(name)
        .into_iter()
        .flatten()
        .filter(|(_, at)| *at < line && line - *at <= reach)
        .max_by_key(|(_, at)| *at)
}

/// `key: value` / `"key": value` / `'key' => value` pairs of a text.
pub(crate) fn pairs_in(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A key: an identifier, possibly quoted, after `{`, `,`, `(` or `[`.
        let boundary = i == 0 || matches!(b[i - 1], b'{' | b',' | b'(' | b'[' | b' ' | b'\n');
        if !boundary || !(b[i].is_ascii_alphabetic() || matches!(b[i], b'"' | b'\'' | b'_' | b'$'))
        {
            i += 1;
            continue;
        }
        let quoted = matches!(b[i], b'"' | b'\'');
        let start = if quoted { i + 1 } else { i };
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'$' | b'-')) {
            j += 1;
        }
        let key = &text[start..j];
        if quoted && j < b.len() && b[j] == b[i] {
            j += 1;
        }
        let rest = text[j..].trim_start();
        let sep = if rest.starts_with("=>") {
            2
        } else if rest.starts_with(':') && !rest.starts_with("::") {
            1
        } else {
            i = j.max(i + 1);
            continue;
        };
        let vstart = text.len() - rest.len() + sep;
        let vtext = &text[vstart..];
        let vtext_trim = vtext.trim_start();
        let vbegin = text.len() - vtext_trim.len();
        let mut depth = 0i32;
        let mut k = vbegin;
        while k < b.len() {
            match b[k] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => break,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            k += 1;
        }
        let value = text[vbegin..k].trim();
        // An empty list is a value (it holds nothing); other lists and
        // objects are read from inside.
        if !key.is_empty() && !value.is_empty() && (!value.starts_with(['{', '[']) || value == "[]")
        {
            out.push((key, value));
        }
        // Nested objects are read by going on from inside the value.
        i = if value.starts_with(['{', '[']) {
            vbegin + 1
        } else {
            k.max(i + 1)
        };
    }
    out
}

/// `lhs = rhs` (also `:=`, `||=`, and a type annotation on the left); not
/// `==`, `<=`, `>=`, `!=`, `=>`.
fn split_assignment(t: &str) -> Option<(&str, &str)> {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            let prev = if i > 0 { b[i - 1] } else { b' ' };
            let next = b.get(i + 1).copied().unwrap_or(b' ');
            if next == b'=' || next == b'>' || matches!(prev, b'=' | b'!' | b'<' | b'>') {
                i += 2;
                continue;
            }
            let mut lhs = t[..i].trim_end_matches([':', '|', '&', '?']).trim_end();
            // `URL: str`, `val url: String`: drop the annotation.
            if let Some((name, _ty)) = lhs.split_once(':') {
                if !name.contains('(') {
                    lhs = name.trim_end();
                }
            }
            // `body, err := …`: the first name is the value's.
            let lhs = lhs.split(',').next().unwrap_or(lhs).trim_end();
            if lhs.is_empty() || lhs.contains(['(', '"', '\'', '`', '{', '[']) {
                return None;
            }
            return Some((lhs, t[i + 1..].trim()));
        }
        if matches!(b[i], b'"' | b'\'' | b'`' | b'(' | b'{') {
            return None;
        }
        i += 1;
    }
    None
}

/// Identifiers in an expression (dotted paths, `$` and `@` stripped).
fn names_in(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_str: Option<char> = None;
    let mut start: Option<usize> = None;
    for (i, c) in expr.char_indices() {
        if let Some(q) = in_str {
            if c == q {
                in_str = None;
            }
            continue;
        }
        let ident = c.is_ascii_alphanumeric() || c == '_' || c == '.';
        match (ident, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&expr[s..i]);
                start = None;
            }
            _ => {}
        }
        if matches!(c, '"' | '\'') {
            in_str = Some(c);
        }
    }
    if let Some(s) = start {
        out.push(&expr[s..]);
    }
    out.into_iter()
        .map(|n| n.trim_matches('.'))
        .filter(|n| n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .collect()
}

/// The person's data a request's URL carries, as (category, name, line):
/// values interpolated into it, named by their query key where there is one
/// (`?email=${user.email}`, `/users/#{user_id}`), and the query parameters
/// set on a URL object before the request (`u.searchParams.set("email",
/// email)`, JS). The application's configuration is not the person's.
fn url_data(
    expr: &str,
    line: u32,
    facts: &FileFacts,
    before: u32,
    assigned_at: &BTreeMap<&str, Vec<(&str, u32)>>,
) -> Vec<(String, String, u32)> {
    let mut out = Vec::new();
    // The URL as written, or, for a URL built into a local a few lines up
    // (`url = "https://x.io/v1/%s" % number`, then `get(url)`), the value
    // of its nearest assignment before the request.
    let mut built: Vec<(Option<&str>, &str, u32)> = interpolations(expr)
        .into_iter()
        .chain(percent_formatted(expr).into_iter().map(|n| (None, n)))
        .map(|(k, n)| (k, n, line))
        .collect();
    if built.is_empty() && is_plain_local(expr) {
        let nearest = nearest_before(assigned_at, expr.trim(), before + 1, URL_REACH + 1);
        if let Some((value, at)) = nearest {
            built.extend(interpolations(value).into_iter().map(|(k, n)| (k, n, *at)));
            built.extend(percent_formatted(value).into_iter().map(|n| (None, n, *at)));
        }
    }
    for (key, name, at) in built {
        if is_app_config(name) {
            continue;
        }
        // The value's own name first (`?distinct_id=${user.email}` sends
        // an email), then the key's. An id in the path with no key
        // (`/customers/${id}`) is most often the vendor's own object id,
        // which tells the vendor nothing new: only other data counts there,
        // such as a number the person gave (`/enheter/${organization_number}`).
        let Some(c) =
            classify_arg(None, name).or_else(|| key.and_then(|k| classify_arg(Some(k), name)))
        else {
            continue;
        };
        if key.is_none() && c.category.starts_with("user.unique_id") && names_an_id(name) {
            continue;
        }
        out.push((c.category, key.unwrap_or(name).to_string(), at));
    }
    let Some(root) = names_in(expr).into_iter().next().map(strip_to_string) else {
        return out;
    };
    if root.is_empty() || root.contains('(') {
        return out;
    }
    // Only what was set on this URL object: after its last assignment
    // before the request.
    let last = root.rsplit('.').next().unwrap_or(root);
    let since = assigned_at
        .get(last)
        .into_iter()
        .flatten()
        .map(|(_, at)| *at)
        .filter(|at| *at <= before)
        .max()
        .unwrap_or(0);
    for c in facts.all_calls() {
        if c.line > before || c.line < since {
            continue;
        }
        let Some((key, v)) = query_set(c, root) else {
            continue;
        };
        if is_literal(&v.expr) || is_app_config(&v.expr) {
            continue;
        }
        if let Some(cl) = classify_arg(None, &v.expr).or_else(|| classify_arg(Some(key), &v.expr)) {
            out.push((cl.category, key.to_string(), c.line));
        }
    }
    out
}

/// How many lines above a request [`url_data`] looks for the assignment of
/// the local that holds its URL.
const URL_REACH: u32 = 15;

/// True when `expr` is one local's name (`url`, `validation_url`).
fn is_plain_local(expr: &str) -> bool {
    let e = expr.trim();
    e.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The names a Python `%` format fills into a string written before it:
/// `"…/%s" % number` → `number`, `"%s-%s".strip() % (vat_id[:2], number)` →
/// `vat_id`, `number`. Not `a % b` without a string (a remainder).
fn percent_formatted(expr: &str) -> Vec<&str> {
    let Some(close) = expr.rfind(['"', '\'']) else {
        return Vec::new();
    };
    // Past string methods called on it first (`"…".strip() % x`).
    let mut rest = expr[close + 1..].trim_start();
    while let Some(r) = rest.strip_prefix('.') {
        let name_end = r
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(r.len());
        let Some(after) = r[name_end..].strip_prefix("()") else {
            return Vec::new();
        };
        rest = after.trim_start();
    }
    let Some(rest) = rest.strip_prefix('%') else {
        return Vec::new();
    };
    if rest.starts_with('=') {
        return Vec::new();
    }
    names_in(rest)
        .into_iter()
        .filter(|n| !is_app_config(n))
        .collect()
}

/// The names a `%` format fills into a request's body, written in the
/// argument or in the nearest assignment before it of a local the argument
/// names, with the line each is written at.
fn formatted_body<'a>(
    expr: &'a str,
    line: u32,
    assigned: &BTreeMap<&'a str, Vec<(&'a str, u32)>>,
) -> Vec<(&'a str, u32)> {
    let mut out: Vec<(&str, u32)> = percent_formatted(expr)
        .into_iter()
        .map(|n| (n, line))
        .collect();
    if is_plain_local(expr) {
        let nearest = nearest_before(assigned, expr.trim(), line, u32::MAX);
        if let Some((value, at)) = nearest {
            out.extend(percent_formatted(value).into_iter().map(|n| (n, *at)));
        }
    }
    out
}

/// True when the last word of `name` says an identifier (`id`, `uuid`,
/// `guid`, `key`, `pk`, `customerId`): most often an object's id in the
/// service it is sent to.
fn names_an_id(name: &str) -> bool {
    let last = name.rsplit(['.', '_', '-']).next().unwrap_or(name);
    let at = last
        .char_indices()
        .rev()
        .find(|(i, c)| *i > 0 && c.is_ascii_uppercase())
        .map_or(0, |(i, _)| i);
    matches!(
        last[at..].to_ascii_lowercase().as_str(),
        "id" | "ids" | "uuid" | "guid" | "key" | "pk" | "sid" | "uid"
    )
}

/// A query parameter set on the URL object `root` (`u.searchParams.set(
/// "email", email)`, JS): its key and value.
pub(crate) fn query_set<'c>(c: &'c Call, root: &str) -> Option<(&'c str, &'c Arg)> {
    let d = dotted(&c.callee);
    let rest = d.strip_prefix(root)?;
    if !matches!(rest, ".searchParams.set" | ".searchParams.append") {
        return None;
    }
    let (k, v) = (c.args.first()?, c.args.get(1)?);
    Some((k.expr.trim().trim_matches(['"', '\'', '`']), v))
}

/// `u.toString`, `u.href` → `u`: the URL object a request's URL is read
/// from.
fn strip_to_string(name: &str) -> &str {
    name.strip_suffix(".toString")
        .or_else(|| name.strip_suffix(".href"))
        .unwrap_or(name)
}

/// True when a value is what a call returns rather than a URL built from
/// pieces: `$ip = Process::run('curl -4s https://ifconfig.io')->output()`
/// holds the response, not the URL (a later `filter_var($ip, ...)` sends
/// nothing). Calls that build a string (`sprintf`, `format`, `urljoin`,
/// `String.format`, `fmt.Sprintf`, `new URL`, `str.replace`) still give
/// a URL, and so does a request built to be sent later
/// (`http.NewRequest(...)`, then `client.Do(req)`).
fn is_call_result(value: &str) -> bool {
    const BUILDERS: &[&str] = &[
        "format",
        "sprintf",
        "join",
        "urljoin",
        "url",
        "uri",
        "str",
        "string",
        "concat",
        "replace",
        "trim",
        "strip",
        "rstrip",
        "lstrip",
        "tostring",
        "to_s",
        "encode",
        "build_url",
        "urlunparse",
        "urlunsplit",
        "f",
        "template",
        "interpolate",
        "resolve",
        // A request built to be sent later carries its URL: Go's
        // `req, _ := http.NewRequest("POST", url, body)` then
        // `client.Do(req)`, `new Request(url)`, a builder's `.build()`.
        "newrequest",
        "newrequestwithcontext",
        "request",
        "build",
    ];
    let v = value.trim();
    let mut in_str: Option<char> = None;
    for (i, c) in v.char_indices() {
        if let Some(q) = in_str {
            if c == q {
                in_str = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => in_str = Some(c),
            '(' => {
                let callee = v[..i].trim().trim_start_matches("new ").trim();
                let chain = !callee.is_empty()
                    && callee.chars().all(|c| {
                        c.is_ascii_alphanumeric()
                            || matches!(c, '_' | '.' | ':' | '$' | '\\' | '>' | '-')
                    });
                if !chain {
                    return false;
                }
                let method = callee
                    .rsplit(['.', ':', '>', '\\'])
                    .next()
                    .unwrap_or(callee)
                    .to_ascii_lowercase();
                return !BUILDERS.contains(&method.as_str());
            }
            _ => {}
        }
    }
    false
}

/// The vendors a URL expression resolves to.
fn resolve(
    expr: &str,
    assigned: &BTreeMap<&str, Vec<&str>>,
    domains: &Domains,
    remote: &Remote,
    hops: usize,
    seen: &mut BTreeSet<String>,
) -> Vec<VendorIx> {
    let direct = domains.in_value(expr);
    if !direct.is_empty() || hops == 0 {
        return direct;
    }
    // A URL another file defines, named with its class
    // (`CashfreeProvider::BASE_URL`).
    let mut out = remote.in_expr(expr);
    let mut names = names_in(expr);
    names.extend(interpolations(expr).into_iter().map(|(_, name)| name));
    for name in names {
        let name = strip_to_string(name);
        let last = name.rsplit('.').next().unwrap_or(name);
        if !seen.insert(last.to_string()) {
            continue;
        }
        for value in assigned.get(last).into_iter().flatten() {
            if is_call_result(value) {
                continue;
            }
            out.extend(resolve(value, assigned, domains, remote, hops - 1, seen));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A file's lexical assignments ([`assignments_at`]), read once for
/// everything that resolves names in it: its requests ([`detect`], also run
/// twice by the pipeline's pass over other files' URLs) and the URLs it
/// defines ([`url_defs`]).
pub struct Assignments<'t> {
    pub(crate) at: BTreeMap<&'t str, Vec<(&'t str, u32)>>,
    plain: BTreeMap<&'t str, Vec<&'t str>>,
}

impl<'t> Assignments<'t> {
    /// The assignments of `text`, in one pass over its lines.
    pub fn of(text: &'t str) -> Assignments<'t> {
        let at = assignments_at(text);
        let plain = without_lines(&at);
        Assignments { at, plain }
    }
}

/// A request to a vendor's API that [`detect`] found: the call (by its
/// line and callee), which argument is its URL (`usize::MAX` for a request
/// through a base-URL client) and where it goes. A first-party function
/// that passes its parameters into one is a wrapper (see
/// [`super::wrappers::of_requests`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// 1-based line of the call.
    pub line: u32,
    /// The call's callee, as the extractor wrote it.
    pub callee: String,
    /// The index of the URL among the call's arguments.
    pub url_at: usize,
    /// The vendors it goes to.
    pub vendors: Vec<VendorIx>,
}

/// The vendors a file's folder or name says its requests go to (see
/// `scan::folders`), and the file's name without its extension.
#[derive(Debug, Default, Clone, Copy)]
pub struct Folder<'a> {
    /// The vendors.
    pub vendors: &'a [VendorIx],
    /// The file's name without its extension (`SendMessageToSlackJob`).
    pub stem: &'a str,
    /// The catalog, to name the vendor of a webhook URL read from
    /// configuration by its key ([`config_webhook`]); none in the passes
    /// over other files' URLs.
    pub index: Option<&'a Index>,
}

impl Folder<'_> {
    /// True when the file's name says where it sends (`SendMessageToSlackJob`)
    /// and the function `call` is made in names another place
    /// (`sendToMattermost`): that request is not the vendor's.
    fn elsewhere(&self, facts: &FileFacts, call: &Call) -> bool {
        let file = calls::identifier_words(self.stem);
        if !file.iter().any(|w| w == "to") {
            return false;
        }
        let Some(f) = facts.functions.iter().find(|f| f.calls.contains(call)) else {
            return false;
        };
        let words = calls::identifier_words(&f.name);
        let Some(to) = words.iter().position(|w| w == "to") else {
            return false;
        };
        words[to + 1..]
            .first()
            .is_some_and(|dest| !file.contains(dest))
    }
}

/// HTTP request evidence, the fields each request sends, and the requests.
pub fn detect(
    facts: &FileFacts,
    names: &Assignments<'_>,
    lines: &LineIndex<'_>,
    domains: &Domains,
    messengers: &BTreeSet<VendorIx>,
    folder: &Folder<'_>,
    remote: &Remote,
) -> (Vec<Finding>, Vec<CallField>, Vec<Request>) {
    let mut findings = Vec::new();
    let mut fields = BTreeSet::new();
    let mut requests = Vec::new();
    let assigned_at = &names.at;
    let assigned = &names.plain;
    let clients = base_url_clients(facts, assigned_at, assigned, domains, remote);
    let mut done: BTreeSet<(u32, &str)> = BTreeSet::new();
    for call in facts.all_calls() {
        if !done.insert((call.line, call.callee.as_str())) || !could_send(call) {
            continue;
        }
        let Some((url_at, vendors)) = url_argument(call, assigned, domains, remote)
            .or_else(|| client_request(call, &clients).map(|v| (usize::MAX, v)))
            .or_else(|| {
                folder_request(call, folder.vendors).filter(|_| !folder.elsewhere(facts, call))
            })
            .or_else(|| {
                folder
                    .index
                    .and_then(|ix| config_webhook(call, assigned, ix))
            })
        else {
            continue;
        };
        if mention::line_is_mention(lines, call.line) {
            continue;
        }
        requests.push(Request {
            line: call.line,
            callee: call.callee.clone(),
            url_at,
            vendors: vendors.clone(),
        });
        for &v in &vendors {
            findings.push(Finding {
                vendor: v,
                kind: EvidenceKind::Http,
                line: call.line,
                text: (!call.text.trim().is_empty()).then(|| call.text.trim().to_string()),
                scope: Scope::Production,
            });
        }
        if let Some(url) = call.args.get(url_at) {
            // What the URL itself carries: `?email=${user.email}`,
            // `/customers/#{customer_id}`, `url.searchParams.set("email", e)`.
            let found = url_data(&url.expr, url.line, facts, call.line, assigned_at);
            record(call, &vendors, found, &mut fields);
        }
        let to_messenger = vendors.iter().any(|v| messengers.contains(v));
        for (i, arg) in call.args.iter().enumerate() {
            if i == url_at
                || arg.key.as_deref().is_some_and(is_transport_key)
                || is_app_config(&arg.expr)
            {
                continue;
            }
            let mut found: Vec<(String, String, u32)> = Vec::new();
            // The request's own `body` names no message when what it holds
            // can be read whole (`new URLSearchParams({ code, client_id
            // })`): its keys say what is sent. A body read only in part
            // (`JSON.stringify(payload(body))`, `{ to, ...notification }`)
            // posted to a messenger is a message. A body with nothing to
            // read in it (`json=payload` where `payload =
            // self.payload(flip)`) posted to a messenger is a message too,
            // under any of the client's names for it. The body is named
            // (`json=`, `body:`) or, in a `post`, `put` or `patch`, the
            // argument after the URL (`Http::post($url, $payload)`,
            // `axios.post(url, data)`).
            let body = to_messenger
                && (arg
                    .key
                    .as_deref()
                    .is_some_and(|k| !k.contains('.') && is_body_key(k))
                    || positional_body(call, url_at, i));
            let pairs = body && !payload_pairs(&arg.expr, arg.line, assigned_at).is_empty();
            let read_whole = pairs && !arg.expr.contains("...");
            // A body written out for a messenger is read by its keys, not
            // by the name of its variable (`json=card`, a chat card).
            let by_name = if read_whole { None } else { classify(arg) };
            if let Some(category) = by_name.or_else(|| {
                (to_messenger
                    && !read_whole
                    && (calls::is_message_text(arg.key.as_deref(), &arg.expr)
                        || (body && !pairs && !is_literal(&arg.expr))))
                .then(|| MESSAGE.to_string())
            }) {
                let name = arg.key.clone().unwrap_or_else(|| arg.expr.clone());
                found.push((category, name, arg.line));
            } else if !is_callback(&arg.expr) && !flattened(call, arg) {
                // A body serialised in place (`JSON.stringify({ email })`,
                // `json.dumps({...})`, `[{ to: [{ email: to }] }]`) or built
                // into a variable a few lines up (`body, _ :=
                // json.Marshal(map[string]string{...})`). Not a callback's
                // body (`success: function () {...}`), and not a variable
                // whose literal the extractor already gave as arguments.
                for (key, value, line) in payload_pairs(&arg.expr, arg.line, assigned_at) {
                    if is_app_config(value) || is_literal(value) {
                        continue;
                    }
                    if let Some(c) = classify_arg(Some(key), value) {
                        found.push((c.category, key.to_string(), line));
                    } else if to_messenger && calls::is_message_text(Some(key), value) {
                        found.push((MESSAGE.to_string(), key.to_string(), line));
                    }
                }
                // A body formatted from a template (`data=payload` where
                // `payload = """<vatNumber>%s</vatNumber>""" % number`).
                for (name, line) in formatted_body(&arg.expr, arg.line, assigned_at) {
                    if let Some(c) = classify_arg(None, name) {
                        found.push((c.category, name.to_string(), line));
                    }
                }
            }
            record(call, &vendors, found, &mut fields);
        }
    }
    (findings, fields.into_iter().collect(), requests)
}

/// Adds what a request sends, as (category, name, line), to `fields` for
/// each of its vendors; a value built outside the call's text is reported
/// at the call, with its own line in its name. The token or key a request
/// carries authenticates the application (or the integration a person set
/// up) to the vendor: it is how the request is sent, not data about the
/// person that the vendor receives, and is left out.
fn record(
    call: &Call,
    vendors: &[VendorIx],
    found: Vec<(String, String, u32)>,
    fields: &mut BTreeSet<CallField>,
) {
    for (category, name, at) in found {
        if category.starts_with("user.authorization")
            || category.starts_with("system.authentication")
        {
            continue;
        }
        let (line, name) = if call.outside(at) {
            (call.line, format!("{name} (built at line {at})"))
        } else {
            (at, name)
        };
        for &v in vendors {
            fields.insert(CallField {
                vendor: v,
                category: category.clone(),
                name: name.clone(),
                line,
            });
        }
    }
}

/// True when the `i`-th argument of `call`, a `post`, `put` or `patch`
/// whose URL is its `url_at`-th, is the positional argument right after
/// the URL: the body those clients send (Laravel's `Http::post($url,
/// $data)`, axios, `requests.post(url, data)`, Faraday).
fn positional_body(call: &Call, url_at: usize, i: usize) -> bool {
    let callee = dotted(&call.callee).to_ascii_lowercase();
    let method = callee.rsplit(['.', ':', '>']).next().unwrap_or(&callee);
    if !matches!(method, "post" | "put" | "patch") {
        return false;
    }
    let (Some(url), Some(arg)) = (call.args.get(url_at), call.args.get(i)) else {
        return false;
    };
    url.key.is_none()
        && arg.key.is_none()
        && url
            .position
            .zip(arg.position)
            .is_some_and(|(u, a)| a == u + 1)
}

/// Clients made for one vendor's API, by the name they are kept under:
/// `api = axios.create({ baseURL: "https://api.x.com" })`, `@client ||=
/// Faraday.new(url: URL)`, `http = httpx.Client(base_url=BASE)`,
/// `client := resty.New().SetBaseURL(u)`. The call that makes one names the
/// vendor's URL and its value is assigned on the call's first line; the
/// client's later requests (`api.post("/links", body)`) go to that vendor
/// though they name only a path.
fn base_url_clients(
    facts: &FileFacts,
    assigned_at: &BTreeMap<&str, Vec<(&str, u32)>>,
    assigned: &BTreeMap<&str, Vec<&str>>,
    domains: &Domains,
    remote: &Remote,
) -> BTreeMap<String, Vec<VendorIx>> {
    let mut out: BTreeMap<String, Vec<VendorIx>> = BTreeMap::new();
    // The assignments by line, so that only calls on such a line are
    // resolved a second time.
    let mut by_line: BTreeMap<u32, Vec<(&str, &str)>> = BTreeMap::new();
    for (name, values) in assigned_at {
        for (value, line) in values {
            by_line.entry(*line).or_default().push((name, value));
        }
    }
    for (f, vendors) in method_clients(facts, assigned, domains, remote) {
        let e = out.entry(f.name.clone()).or_default();
        e.extend(vendors);
        e.sort_unstable();
        e.dedup();
    }
    // A client a base class makes, seen by its subclasses' methods
    // (`http_client` of `Integrations::Aggregator::BaseService`).
    for (name, vendors) in &remote.clients {
        if !facts.functions.iter().any(|f| &f.name == name) {
            out.entry(name.clone()).or_default().extend(vendors);
        }
    }
    for call in facts.all_calls() {
        let Some(here) = by_line.get(&call.line) else {
            continue;
        };
        let head = call.callee.split(['.', ':', '(']).next().unwrap_or("");
        // The value starts with this call (`X.new(`, `new X(`, `await
        // X.create(`).
        let names: Vec<&str> = here
            .iter()
            .filter(|(_, value)| {
                let v = value
                    .trim_start_matches("await ")
                    .trim_start_matches("new ")
                    .trim_start_matches("::")
                    .trim_start_matches('&');
                !head.is_empty() && v.starts_with(head) && v.contains('(')
            })
            .map(|(name, _)| *name)
            .collect();
        if names.is_empty() || !could_send(call) {
            continue;
        }
        let Some((_, vendors)) = url_argument(call, assigned, domains, remote) else {
            continue;
        };
        for name in names {
            let e = out.entry(name.to_string()).or_default();
            e.extend(vendors.iter().copied());
            e.sort_unstable();
            e.dedup();
        }
    }
    out
}

/// The methods with no parameters that make a vendor's client: each is
/// the client (`def customers_client; @customers_client ||
/// Client.new(URL); end`, `def http_client; Client.new(endpoint_url);
/// end`), with the vendors its URL names.
fn method_clients<'f>(
    facts: &'f FileFacts,
    assigned: &BTreeMap<&str, Vec<&str>>,
    domains: &Domains,
    remote: &Remote,
) -> Vec<(&'f super::lang::FunctionDef, Vec<VendorIx>)> {
    let mut out = Vec::new();
    for f in facts.functions.iter().filter(|f| f.params.is_empty()) {
        for call in &f.calls {
            if !makes_client(&call.callee) {
                continue;
            }
            if let Some((_, vendors)) = url_argument(call, assigned, domains, remote) {
                out.push((f, vendors));
            }
        }
    }
    out
}

/// The clients this file's Ruby classes make in a method with no
/// parameters, which their subclasses call by the method's name:
/// (the class's path, the method, the vendors).
pub fn class_clients(
    facts: &FileFacts,
    names: &Assignments<'_>,
    domains: &Domains,
) -> Vec<(String, String, Vec<VendorIx>)> {
    method_clients(facts, &names.plain, domains, &Remote::default())
        .into_iter()
        .filter_map(|(f, vendors)| Some((f.owner.clone()?, f.name.clone(), vendors)))
        .collect()
}

/// A call that makes an object: `X.new(`, `new X(`, `X.create(`,
/// `X::Client.new(`, `axios.create(`.
fn makes_client(callee: &str) -> bool {
    let c = callee.trim();
    c.starts_with("new ")
        || c.ends_with(".new")
        || c.ends_with("::new")
        || c.ends_with(".create")
        || c.rsplit(['.', ':']).next().is_some_and(|last| {
            last.starts_with(|ch: char| ch.is_ascii_uppercase()) && c.contains('.')
        })
}

/// The vendors a request through a [`base_url_clients`] client goes to:
/// `api.post(...)`, `this.http.put(...)`, `@client.post_with_response(...)`,
/// `client.post_with_response(...)` (Ruby's memoising `def client`), where
/// the method is a request (`get`, `post`, `send`, `request`, ...).
fn client_request(call: &Call, clients: &BTreeMap<String, Vec<VendorIx>>) -> Option<Vec<VendorIx>> {
    if clients.is_empty() {
        return None;
    }
    let callee = dotted(&call.callee);
    let (receiver, method) = callee.rsplit_once('.')?;
    let name = receiver
        .rsplit(['.', ':', '>'])
        .next()
        .unwrap_or(receiver)
        .trim_start_matches(['@', '$'])
        .trim_end_matches(['?', '!']);
    // A SOAP client's operations (zeep's and suds' `client.service.
    // ValidateUID(...)`) are each a request, whatever their names.
    if name == "service" {
        let client = receiver.strip_suffix(".service")?;
        let client = client.rsplit(['.', ':', '>']).next().unwrap_or(client);
        return clients.get(client.trim_start_matches(['@', '$'])).cloned();
    }
    let vendors = clients.get(name)?;
    const VERBS: &[&str] = &[
        "get", "post", "put", "patch", "delete", "request", "send", "fetch", "execute", "perform",
        "query", "mutate",
    ];
    let m = method.to_ascii_lowercase();
    VERBS
        .iter()
        .any(|v| m.starts_with(v))
        .then(|| vendors.clone())
}

/// A request made from an integration's folder (`folders`): a call whose
/// method is `post`, `put`, `patch` or `request` (on any receiver:
/// `self.post(url, json=payload)`, `Http::post(...)`), or a bare
/// `fetch(url, ...)`,
/// with a first positional argument, the URL. `get` and `send` are left
/// out: too many calls that send nothing are so named (`dict.get`,
/// `socket.send`).
fn folder_request(call: &Call, folder_vendors: &[VendorIx]) -> Option<(usize, Vec<VendorIx>)> {
    if folder_vendors.is_empty() {
        return None;
    }
    let callee = dotted(&call.callee).to_ascii_lowercase();
    let method = callee.rsplit(['.', ':', '>']).next().unwrap_or(&callee);
    const VERBS: &[&str] = &["post", "put", "patch", "request", "fetch", "urlopen"];
    if !VERBS.contains(&method) {
        return None;
    }
    // `fetch(url)` is a request; `map.fetch(key)` (Ruby's and others'
    // dictionaries) reads a value.
    if method == "fetch" && callee != "fetch" {
        return None;
    }
    let url_at = call
        .args
        .iter()
        .position(|a| a.key.is_none() && a.position == Some(0))?;
    Some((url_at, folder_vendors.to_vec()))
}

/// A request (as [`folder_request`] reads one) to a webhook URL read from
/// the application's configuration under a key that says whose webhook it
/// is: `Http::post(config('constants.webhooks.feedback_discord_webhook'),
/// ...)`, `$url = env("SLACK_WEBHOOK_URL")` a few lines up,
/// `process.env.DISCORD_WEBHOOK`. The key must hold the word `webhook` and
/// a vendor's folder name (see `scan::folders`), four letters at least.
fn config_webhook(
    call: &Call,
    assigned: &BTreeMap<&str, Vec<&str>>,
    index: &Index,
) -> Option<(usize, Vec<VendorIx>)> {
    let url = call
        .args
        .iter()
        .find(|a| a.key.is_none() && a.position == Some(0))?;
    let expr = url.expr.trim();
    let mut values = vec![expr];
    let local = expr.trim_start_matches(['$', '@']);
    if is_plain_local(local) {
        values.extend(assigned.get(local).into_iter().flatten().copied());
    }
    for v in values.into_iter().filter(|v| reads_config(v)) {
        let words = calls::identifier_words(v);
        if !words.iter().any(|w| w == "webhook" || w == "webhooks") {
            continue;
        }
        let vendors: BTreeSet<VendorIx> = words
            .iter()
            .filter(|w| w.len() >= 4)
            .filter_map(|w| index.folder(w))
            .flatten()
            .copied()
            .collect();
        if !vendors.is_empty() {
            let vendors: Vec<VendorIx> = vendors.into_iter().collect();
            return folder_request(call, &vendors);
        }
    }
    None
}

/// True when `expr` reads the application's configuration: `config(...)`,
/// `env(...)`, `getenv(...)`, `os.environ`, `process.env`, `ENV[...]`,
/// `settings.X`, `Config::get(...)`.
fn reads_config(expr: &str) -> bool {
    let e = expr.trim_start();
    ["config(", "env(", "getenv(", "Config::get("]
        .iter()
        .any(|m| e.starts_with(m) || e.contains(&format!(" {m}")))
        || ["environ", "process.env", "ENV[", "ENV.fetch"]
            .iter()
            .any(|m| e.contains(m))
        || e.starts_with("settings.")
        || is_config_value(e)
}

/// Calls that cannot send a request: constructors of error messages,
/// logging and string helpers that merely carry a URL.
fn could_send(call: &Call) -> bool {
    let callee = dotted(&call.callee).to_ascii_lowercase();
    let method = callee.rsplit('.').next().unwrap_or(&callee);
    const NOT: &[&str] = &[
        "log",
        "debug",
        "info",
        "warn",
        "warning",
        "error",
        "exception",
        "print",
        "println",
        "printf",
        "format",
        "sprintf",
        "join",
        "replace",
        "startswith",
        "endswith",
        "includes",
        "contains",
        "match",
        "test",
        "append",
        "push",
        "open_new_tab",
        "redirect",
        // A server's answer to its own client, or a response being parsed
        // (`NextResponse.json(res)`, `JsonResponse(...)`, `await r.json()`),
        // carries a vendor's URL back to the browser, not to the vendor.
        "json",
        "jsonresponse",
        "render",
        "link_to",
        "url_for",
        "gettext",
        "_",
        "t",
        "translate",
        "assert",
        "assertequal",
        "expect",
        "raise",
        "setattribute",
        "urlparse",
        "urljoin",
        "quote",
        "encodeuricomponent",
        // Building or parsing a URL sends nothing (`new URL(...)`,
        // `URI.parse(...)`, `url.Parse(...)`).
        "url",
        "uri",
        "parse",
        "urlsearchparams",
        "httpurl",
        "tohttpurlornull",
        // Test doubles name a URL to intercept requests, not to send one.
        "stub_request",
        "stub",
        "mock",
        "nock",
        "intercept",
        "route",
        "respx",
    ];
    !NOT.contains(&method)
}

/// The vendor URLs this file defines for other files to use by their
/// class's name ([`remote`]): its constants resolved with the same
/// lexical assignments as its requests.
pub fn url_defs(
    rel: &str,
    facts: &FileFacts,
    names: &Assignments<'_>,
    domains: &Domains,
) -> Vec<UrlDef> {
    let assigned = &names.plain;
    let none = Remote::default();
    let names: Vec<&str> = assigned.keys().copied().collect();
    let vendors_of = |name: &str| {
        let mut v = resolve(
            name,
            assigned,
            domains,
            &none,
            MAX_HOPS,
            &mut BTreeSet::new(),
        );
        v.sort_unstable();
        v.dedup();
        v
    };
    remote::defs(rel, facts, domains, &vendors_of, &names)
}

/// The argument that is a vendor URL (its position among the call's
/// arguments) and the vendors it names.
fn url_argument(
    call: &Call,
    assigned: &BTreeMap<&str, Vec<&str>>,
    domains: &Domains,
    remote: &Remote,
) -> Option<(usize, Vec<VendorIx>)> {
    for (i, arg) in call.args.iter().enumerate() {
        let by_name = arg.key.as_deref().is_some_and(|k| {
            let last = k.rsplit('.').next().unwrap_or(k).to_ascii_lowercase();
            URL_KEYS.contains(&last.as_str())
        });
        // A positional argument, or one passed by a URL-like name.
        if arg.key.is_some() && !by_name {
            continue;
        }
        let vendors = if is_literal(&arg.expr) && !arg.expr.trim().starts_with(['"', '\'', '`']) {
            Vec::new()
        } else {
            resolve(
                &arg.expr,
                assigned,
                domains,
                remote,
                MAX_HOPS,
                &mut BTreeSet::new(),
            )
        };
        if !vendors.is_empty() {
            return Some((i, vendors));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_of_every_shape() {
        let text = "URL = \"https://api.twilio.com/x\"\n    url = self.URL % sid\nconst API = `https://api.pagerduty.com`;\napiURL := \"https://api.telegram.org\"\nprivate $endpoint = 'https://api.pushover.net';\nif a == b:\nval base: String = \"https://x\"\n";
        let a = without_lines(&assignments_at(text));
        assert_eq!(a["URL"], ["\"https://api.twilio.com/x\""]);
        assert_eq!(a["url"], ["self.URL % sid"]);
        assert_eq!(a["API"], ["`https://api.pagerduty.com`;"]);
        assert_eq!(a["apiURL"], ["\"https://api.telegram.org\""]);
        assert_eq!(a["endpoint"], ["'https://api.pushover.net';"]);
        assert_eq!(a["base"], ["\"https://x\""]);
        assert!(!a.contains_key("a"));
    }

    #[test]
    fn a_ruby_reader_method_stands_for_its_value() {
        let text = "def endpoint_url\n  \"#{BASE_URL}#{action_path}\"\nend\n\ndef call\n  total = 1\nend\n\ndef self.api_url\n  return URL\nend\n\ndef send(x)\n  x\nend\n";
        let a = without_lines(&assignments_at(text));
        assert_eq!(a["endpoint_url"], ["\"#{BASE_URL}#{action_path}\""]);
        assert_eq!(a["api_url"], ["URL"]);
        // A statement is no value; a method with parameters is no reader.
        assert!(!a.contains_key("call"));
        assert!(!a.contains_key("send"));
        assert_eq!(a["total"], ["1"]);
    }

    fn interpolated_names(expr: &str) -> Vec<&str> {
        interpolations(expr).into_iter().map(|(_, n)| n).collect()
    }

    #[test]
    fn interpolated_names_are_read_in_every_syntax() {
        assert_eq!(
            interpolated_names("\"#{MISTRAL_URL}/#{conversation_id}\""),
            ["MISTRAL_URL", "conversation_id"]
        );
        assert_eq!(interpolated_names("`${API_BASE}/v1`"), ["API_BASE"]);
        assert_eq!(
            interpolated_names("f\"{settings.SLACK_URL}/x\""),
            ["settings.SLACK_URL"]
        );
        assert_eq!(interpolated_names("\"$base/x\""), ["base"]);
        assert_eq!(
            interpolated_names("\"#{::Providers::Cashfree::BASE_URL}\""),
            ["BASE_URL"]
        );
        // Braces in a plain string are not interpolation.
        assert!(interpolated_names("\"{not}\"").is_empty());
    }

    #[test]
    fn multi_line_values_read_to_their_close_within_a_budget() {
        let text = "data = {\n  email: user.email,\n}\nsend(data)\n";
        let a = without_lines(&assignments_at(text));
        assert_eq!(a["data"], ["{\n  email: user.email,\n}"]);
        // Unclosed literals on every line: once the file's budget is read,
        // values stay on their line, so the work is bounded by the budget.
        let hostile = "x = {\n".repeat(200_000);
        let a = assignments_at(&hostile);
        assert_eq!(a["x"].len(), 200_000);
        assert_eq!(a["x"].last(), Some(&("{", 200_000)));
    }

    #[test]
    fn percent_formats_fill_the_names_after_the_string() {
        assert_eq!(
            percent_formatted("\"https://x.no/enheter/%s\" % organization_number"),
            ["organization_number"]
        );
        assert_eq!(
            percent_formatted("\"%s-%s\".strip() % (vat_id[:2], number)"),
            ["vat_id", "number"]
        );
        assert!(percent_formatted("total % batch_size").is_empty());
        assert!(percent_formatted("\"https://x.no/%s\" % settings.REGION").is_empty());
    }

    #[test]
    fn a_three_quoted_template_is_read_to_its_format() {
        let text = "p = \"\"\"\n<n>%s</n>\n\"\"\".strip() % (vat_id,)\nq = 1\n";
        let a = assignments_at(text);
        assert_eq!(a["p"][0].0, "\"\"\"\n<n>%s</n>\n\"\"\".strip() % (vat_id,)");
        assert_eq!(formatted_body("p", 4, &a), [("vat_id", 1)]);
        // A one-line string is its own value.
        let a = assignments_at("d = \"\"\"doc\"\"\"\n");
        assert_eq!(a["d"][0].0, "\"\"\"doc\"\"\"");
    }

    #[test]
    fn an_id_is_named_by_its_last_word() {
        assert!(names_an_id("customer_id"));
        assert!(names_an_id("user.customerId"));
        assert!(names_an_id("uuid"));
        assert!(!names_an_id("organization_number"));
        assert!(!names_an_id("paid"));
    }

    #[test]
    fn interpolations_name_their_query_key() {
        assert_eq!(
            interpolations("`https://x.io/s?q=1&email=${user.email}`"),
            [(Some("email"), "user.email")]
        );
        assert_eq!(
            interpolations("\"/customers/#{customer.id}/x\""),
            [(None, "customer.id")]
        );
        assert_eq!(
            interpolations("f\"https://x.io/u?name={name}\""),
            [(Some("name"), "name")]
        );
    }

    #[test]
    fn a_url_built_on_an_interpolated_constant_resolves() {
        let text = "URL = \"https://api.mistral.ai/v1/conversations\"\nurl = \"#{URL}/#{id}\"\n";
        let assigned = without_lines(&assignments_at(text));
        let cat = crate::catalog::Catalog::builtin();
        let domains = Domains::new(&crate::scan::index::Index::new(cat));
        let got = resolve(
            "url",
            &assigned,
            &domains,
            &Remote::default(),
            MAX_HOPS,
            &mut BTreeSet::new(),
        );
        assert!(!got.is_empty(), "{got:?}");
    }

    #[test]
    fn payload_pairs_read_serialised_bodies() {
        let got = pairs_in(
            "JSON.stringify({ properties: { email: user.email, firstname: user.firstName } })",
        );
        assert_eq!(
            got,
            [("email", "user.email"), ("firstname", "user.firstName")]
        );
        let got =
            pairs_in("json.Marshal(map[string]string{\"text\": comment, \"username\": userName})");
        assert_eq!(got, [("text", "comment"), ("username", "userName")]);
        let got = pairs_in("['To' => $user->email, 'Subject' => 'Welcome']");
        assert_eq!(got, [("To", "$user->email"), ("Subject", "'Welcome'")]);
        assert!(pairs_in("Foo::bar(x)").is_empty());
    }

    #[test]
    fn building_a_url_or_a_test_double_sends_nothing() {
        let call = |callee: &str| Call {
            callee: callee.to_string(),
            args: Vec::new(),
            line: 1,
            end_line: 1,
            text: String::new(),
        };
        for c in [
            "URL",
            "URI.parse",
            "url.Parse",
            "stub_request",
            "nock",
            "logger.info",
        ] {
            assert!(!could_send(&call(c)), "{c}");
        }
        for c in [
            "requests.post",
            "fetch",
            "axios.post",
            "self.post",
            "Http.post",
            "http.NewRequest",
        ] {
            assert!(could_send(&call(c)), "{c}");
        }
    }

    #[test]
    fn a_call_result_is_not_a_url() {
        assert!(is_call_result(
            "Process::run('curl -4s https://ifconfig.io')->output()"
        ));
        assert!(is_call_result("requests.get(\"https://api.x.com\").json()"));
        assert!(!is_call_result("sprintf('https://api.x.com/%s', $id)"));
        assert!(!is_call_result("\"https://api.x.com/{}\".format(sid)"));
        assert!(!is_call_result("f\"https://api.x.com/{sid}\""));
        assert!(!is_call_result("`https://${region}.x.com/${path(a)}`"));
        assert!(!is_call_result("new URL(\"/v1\", base)"));
        assert!(!is_call_result("BASE + \"/v1/messages\""));
        assert!(!is_call_result(
            "http.NewRequest(http.MethodPost, url, bytes.NewReader(body))"
        ));
    }

    #[test]
    fn names_skip_strings() {
        assert_eq!(
            names_in("self.URL % settings.SID"),
            ["self.URL", "settings.SID"]
        );
        assert_eq!(names_in("f\"{base}/x\" + path"), ["f", "path"]);
    }

    #[test]
    fn transport_keys_and_config_values_are_not_user_data() {
        assert!(is_transport_key("auth"));
        assert!(is_transport_key("headers"));
        assert!(!is_transport_key("data.To"));
        assert!(is_app_config("settings.TWILIO_AUTH"));
        assert!(is_app_config("process.env.KEY"));
        assert!(is_app_config("env.NEXT_PUBLIC_BASE_URL"));
        assert!(!is_app_config("environment.user_email"));
        assert!(is_config_value("process.env.ADMIN_EMAIL"));
        assert!(is_config_value("env.NEXT_PUBLIC_BASE_URL"));
        assert!(!is_config_value("user.settings.theme"));
        assert!(!is_app_config("user.email"));
    }
}
