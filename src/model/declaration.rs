//! Loading and validating a declaration file (`blastmap.yaml`, version 1).
//!
//! The file is parsed once by serde_yaml into a value, then walked by hand so
//! that *every* problem is collected in one run (a derived `Deserialize`
//! stops at the first). Problems carry the YAML path (`flows[3].to`); when
//! there are any, a second event-level pass ([`super::locate`]) adds the line
//! and column. A file with problems yields no map at all: nothing is guessed.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::locate::Locations;
use super::policy::{Code, DenyRule, Level, MaxSeverity, Policy, Target};
use super::suggest::{closest, closest_key};
use super::{
    Component, ComponentKind, Evidence, EvidenceKind, Field, Flow, FlowFields, Map, Origin, Scope,
    Sensitivity, Subject, Vendor, VendorCategory,
};
use crate::catalog;
use crate::catalog::taxonomy::{Category, Taxonomy};

/// The largest input file read. A generated map of this size (30,000
/// vendors, 300,000 flows, 120,000 fields) takes 1.1 GB to validate and
/// 1.4 GB to rank (`benches/scale.py`'s generator, release build); twice
/// the size took 5 GB to rank, since the fixed point keeps a field set per
/// node. Larger inputs are refused rather than exhausting the machine; a
/// map of 100,000 flows is about 10 MiB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// One problem in a declaration file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The YAML path (`flows[3].to`); empty for the whole document.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "{l}:{c}: ")?;
        }
        f.write_str(&self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at `{}`)", self.path)?;
        }
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Why a declaration file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The path given.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file has problems, all listed.
    #[error("{}", render_problems(file, problems))]
    Invalid {
        /// The path given.
        file: String,
        /// Every problem, in file order.
        problems: Vec<Problem>,
    },
}

fn render_problems(file: &str, problems: &[Problem]) -> String {
    let mut out = String::new();
    for p in problems {
        match (p.line, p.column) {
            (Some(l), Some(c)) => {
                out.push_str(&format!("{file}:{l}:{c}: error: {}", p.message));
            }
            _ => out.push_str(&format!("{file}: error: {}", p.message)),
        }
        if !p.path.is_empty() {
            out.push_str(&format!(" (at `{}`)", p.path));
        }
        out.push('\n');
        if let Some(h) = &p.help {
            out.push_str(&format!("  help: {h}\n"));
        }
    }
    let n = problems.len();
    out.push_str(&format!(
        "{file}: {n} problem{} found; nothing was loaded",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// Reads an input file (a declaration, a scan, a merged map, a Fides
/// manifest, a baseline) as UTF-8 text: the one reader every input goes
/// through. The file must be a regular file (a device such as `/dev/zero`
/// or a pipe never ends) of at most [`MAX_FILE_BYTES`], and reading stops
/// past that many bytes even if the file grows while it is read.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let file = path.display().to_string();
    let io = |source| LoadError::Io {
        file: file.clone(),
        source,
    };
    let invalid = |message: String, help: &str| LoadError::Invalid {
        file: file.clone(),
        problems: vec![Problem {
            line: None,
            column: None,
            path: String::new(),
            message,
            help: Some(help.to_string()),
        }],
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, a pipe or a socket)"
        };
        return Err(invalid(
            format!("the input is {what}"),
            "pass a file: a blastmap.yaml, a scan's JSON, a merged map or a Fides manifest",
        ));
    }
    let too_large = |n: u64| {
        invalid(
            format!(
                "the file is {n} bytes, more than the {MAX_FILE_BYTES}-byte limit for an input"
            ),
            "split the map into several files and combine them with `blastmap merge`",
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        invalid(
            format!(
                "the file is not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        )
    })
}

/// Reads and validates a declaration file.
pub fn load_file(path: &Path) -> Result<Map, LoadError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    load_str(&text, &file)
}

/// A whole number of at most `u64::MAX`, however YAML wrote it: `1000000`,
/// `1e6` or `1.0` (YAML reads the last two as floats; JSON Schema, which
/// editors check the file with, counts them as integers, and so does the
/// loader).
fn whole(n: &serde_yaml::Number) -> Option<u64> {
    if let Some(u) = n.as_u64() {
        return Some(u);
    }
    let f = n.as_f64()?;
    // `u64::MAX as f64` rounds up to 2^64, which is out of range.
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64).then_some(f as u64)
}

/// Validates a declaration given as text; `file` names it in messages.
pub fn load_str(text: &str, file: &str) -> Result<Map, LoadError> {
    // A byte-order mark is an encoding mark, not content (editors on
    // Windows write one); libyaml would take it for a second document.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(pos) = super::locate::too_deep(text) {
        return Err(too_deep(file, pos));
    }
    // JSON is YAML too, and machine-written maps (merge outputs, org-scale
    // exports) are often JSON: a JSON parser reads those ten times faster
    // than libyaml. Anything that is not valid JSON goes to the YAML parser,
    // so the result is the same either way.
    let json = text.trim_start().starts_with('{');
    let parsed = if json {
        serde_json::from_str::<Value>(text).ok()
    } else {
        None
    };
    let value: Value = match parsed {
        Some(v) => v,
        None => match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => return Err(syntax_error(text, file, e)),
        },
    };
    let mut v = Validator {
        known_fields: Default::default(),
        problems: Vec::new(),
        file,
    };
    let map = v.validate(&value);
    // Freeing a large parsed document takes as long as a quarter of the
    // parse; let another core do it while the caller builds the graph.
    rayon::spawn(move || drop(value));
    if v.problems.is_empty() {
        return Ok(map);
    }
    let locations = Locations::index(text).unwrap_or_default();
    let mut problems = v.problems;
    for p in &mut problems {
        if p.line.is_none() {
            let pos = if p.message.starts_with("unknown key") {
                locations.find_key(&p.path)
            } else {
                locations.find(&p.path)
            };
            if let Some(pos) = pos {
                p.line = Some(pos.line);
                p.column = Some(pos.column);
            }
        }
    }
    problems.sort();
    problems.dedup();
    Err(LoadError::Invalid {
        file: file.to_string(),
        problems,
    })
}

/// The document nests deeper than any declaration does (see
/// [`super::locate::MAX_NESTING`]).
pub(crate) fn too_deep(file: &str, pos: super::locate::Pos) -> LoadError {
    LoadError::Invalid {
        file: file.to_string(),
        problems: vec![Problem {
            line: Some(pos.line),
            column: Some(pos.column),
            path: String::new(),
            message: format!(
                "the document nests more than {} levels deep",
                super::locate::MAX_NESTING
            ),
            help: Some(
                "declarations nest a few levels; check for runaway brackets or indentation".into(),
            ),
        }],
    }
}

fn syntax_error(text: &str, file: &str, e: serde_yaml::Error) -> LoadError {
    // serde_yaml stops at the first duplicate key; list them all.
    if let Some(loc) = Locations::index(text) {
        if !loc.duplicates.is_empty() {
            let problems = loc
                .duplicates
                .iter()
                .map(|(path, pos)| {
                    let (section, id) = path.rsplit_once('.').unwrap_or(("the document", path));
                    Problem {
                        line: Some(pos.line),
                        column: Some(pos.column),
                        path: path.clone(),
                        message: format!("duplicate key `{id}` in `{section}`"),
                        help: Some(
                            "ids must be unique per section: rename or merge the two entries"
                                .into(),
                        ),
                    }
                })
                .collect();
            return LoadError::Invalid {
                file: file.to_string(),
                problems,
            };
        }
    }
    let loc = e.location();
    let mut message = e.to_string();
    // serde_yaml appends " at line L column C"; the prefix already says it.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    // An integer past 128 bits fails in the YAML reader itself, with the
    // reader's words ("invalid type: integer … as u128"): say it plainly.
    if let Some((path, number)) = huge_integer(&message) {
        return LoadError::Invalid {
            file: file.to_string(),
            problems: vec![Problem {
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
                path: path.to_string(),
                message: format!(
                    "the number {} is too large (at most {})",
                    shorten_number(number),
                    u64::MAX
                ),
                help: Some("give a whole number that fits in 64 bits".into()),
            }],
        };
    }
    let line = loc.as_ref().map(|l| l.line());
    let column = loc.as_ref().map(|l| l.column());
    let (message, help) = explain_syntax(text, &message, line);
    LoadError::Invalid {
        file: file.to_string(),
        problems: vec![Problem {
            line,
            column,
            path: String::new(),
            message,
            help: Some(help),
        }],
    }
}

/// libyaml's words for the mistakes people make most, in plain words with
/// the fix: a tab in the indentation, a key indented unlike its siblings.
fn explain_syntax(text: &str, message: &str, line: Option<usize>) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let at = |n: usize| lines.get(n.wrapping_sub(1)).copied().unwrap_or("");
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    // A tab anywhere in the leading white space of the line, or of the one
    // before (libyaml sometimes reports the next token).
    if let Some(n) = line {
        for k in [n, n.saturating_sub(1)] {
            let l = at(k);
            let lead: &str = &l[..l.len() - l.trim_start().len()];
            if k > 0 && lead.contains('\t') {
                return (
                    format!("line {k} is indented with a tab: YAML indents with spaces only"),
                    "replace the tab with spaces (two per level, as in the lines around it)".into(),
                );
            }
        }
    }
    if message.contains("did not find expected key")
        || message.contains("mapping values are not allowed")
        || message.contains("did not find expected '-' indicator")
    {
        if let Some(n) = line {
            // The key whose indentation is off: the reported line, or the
            // one before it when libyaml reports the next token.
            for k in [n, n.saturating_sub(1)] {
                let l = at(k);
                let Some((key, _)) = l.trim_start().split_once(':') else {
                    continue;
                };
                let before = (1..k)
                    .rev()
                    .map(at)
                    .find(|p| !p.trim().is_empty() && !p.trim_start().starts_with('#'));
                if let Some(p) = before {
                    if indent(p) != indent(l) && !p.trim_end().ends_with(':') {
                        let sib = p.trim_start().split(':').next().unwrap_or("");
                        return (
                            format!(
                                "`{key}:` on line {k} is indented {}, unlike `{sib}:` above it ({})",
                                spaces(indent(l)),
                                spaces(indent(p))
                            ),
                            format!("indent `{key}:` by {}, like `{sib}:`", spaces(indent(p))),
                        );
                    }
                }
            }
        }
    }
    (
        format!("invalid YAML: {message}"),
        "check the indentation and quoting near this position".into(),
    )
}

/// `subjects.u.count: invalid type: integer `1000…` as u128, …` → the
/// YAML path and the digits.
fn huge_integer(message: &str) -> Option<(&str, &str)> {
    let (path, rest) = message
        .split_once(": invalid type: integer `")
        .or_else(|| {
            message
                .strip_prefix("invalid type: integer `")
                .map(|r| ("", r))
        })?;
    let (number, tail) = rest.split_once('`')?;
    (tail.starts_with(" as u128") || tail.starts_with(" as i128")).then_some((path, number))
}

/// A long number as its first and last digits and its length.
fn shorten_number(n: &str) -> String {
    if n.len() <= 24 {
        return n.to_string();
    }
    format!("{}…{} ({} digits)", &n[..6], &n[n.len() - 4..], n.len())
}

const TOP_KEYS: &[&str] = &[
    "version",
    "system",
    "subjects",
    "taxonomy",
    "fields",
    "components",
    "vendors",
    "flows",
    "policy",
];
const TAXONOMY_KEYS: &[&str] = &["parent", "sensitivity", "name", "plain", "description"];
const SUBJECT_KEYS: &[&str] = &["description", "count", "regions"];
const FIELD_KEYS: &[&str] = &["category", "subject", "sensitivity", "description"];
const COMPONENT_KEYS: &[&str] = &["kind", "name", "paths", "holds", "description"];
const VENDOR_KEYS: &[&str] = &["name", "category", "access", "description"];
const FLOW_KEYS: &[&str] = &["from", "to", "fields", "purpose", "description"];
const POLICY_KEYS: &[&str] = &["strict", "allow_vendors", "deny", "max_severity", "levels"];
const DENY_KEYS: &[&str] = &["categories", "to", "reason"];

/// The keys each part of a declaration file may have: the loader's own
/// lists, public so that the JSON Schema (`model::schema`) is tested
/// against them.
pub mod keys {
    /// Top level.
    pub const TOP: &[&str] = super::TOP_KEYS;
    /// A `taxonomy` entry.
    pub const TAXONOMY: &[&str] = super::TAXONOMY_KEYS;
    /// A `subjects` entry.
    pub const SUBJECT: &[&str] = super::SUBJECT_KEYS;
    /// A `fields` entry.
    pub const FIELD: &[&str] = super::FIELD_KEYS;
    /// A `components` entry.
    pub const COMPONENT: &[&str] = super::COMPONENT_KEYS;
    /// A `vendors` entry.
    pub const VENDOR: &[&str] = super::VENDOR_KEYS;
    /// A `flows` item.
    pub const FLOW: &[&str] = super::FLOW_KEYS;
    /// The `policy` section.
    pub const POLICY: &[&str] = super::POLICY_KEYS;
    /// A `policy.deny` rule.
    pub const DENY: &[&str] = super::DENY_KEYS;
}

struct Validator<'a> {
    /// Valid field ids (declared and implicit): a hash set, because every
    /// field of every flow is looked up here.
    known_fields: std::collections::HashSet<String>,
    problems: Vec<Problem>,
    file: &'a str,
}

fn key_str(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        _ => "?".into(),
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// `1 space`, `3 spaces`.
fn spaces(n: usize) -> String {
    format!("{n} space{}", if n == 1 { "" } else { "s" })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

impl Validator<'_> {
    fn problem(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.problems.push(Problem {
            line: None,
            column: None,
            path: path.into(),
            message: message.into(),
            help,
        });
    }

    /// A mapping whose keys must come from `allowed`; reports the others.
    fn entry<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
        what: &str,
        allowed: &[&str],
    ) -> Option<&'v Mapping> {
        let Value::Mapping(m) = v else {
            if !v.is_null() {
                // `holds:` one level too far left is read as a component
                // called `holds`: say so.
                let id = path.rsplit('.').next().unwrap_or(path);
                let help = if allowed.contains(&id) {
                    Some(format!(
                        "`{id}` is a key of {what}, not an id: it looks indented one level too little; indent it under the entry above it"
                    ))
                } else if let Value::Sequence(items) = v {
                    // `- kind: web` / `- holds: [...]`: keys written as list items.
                    let keys: Vec<String> = items
                        .iter()
                        .filter_map(|i| match i {
                            Value::Mapping(m) => m.keys().next().map(key_str),
                            _ => None,
                        })
                        .filter(|k| allowed.contains(&k.as_str()))
                        .collect();
                    (!keys.is_empty()).then(|| {
                        format!(
                            "its keys ({}) are written as list items: drop the `- ` before each, so that they are `key: value` lines of one mapping",
                            keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        )
                    })
                } else {
                    None
                };
                self.problem(
                    path,
                    format!("{what} must be a mapping, found {}", type_name(v)),
                    help,
                );
            }
            return None;
        };
        for k in m.keys() {
            if matches!(k, Value::String(s) if allowed.contains(&s.as_str())) {
                continue;
            }
            let name = key_str(k);
            {
                let help = match closest(&name, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("allowed keys: {}", allowed.join(", ")),
                };
                self.problem(
                    join(path, &name),
                    format!("unknown key `{name}` in {what}"),
                    Some(help),
                );
            }
        }
        Some(m)
    }

    fn string(&mut self, m: &Mapping, key: &str, path: &str) -> Option<String> {
        match m.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            other => {
                self.problem(
                    join(path, key),
                    format!("`{key}` must be a string, found {}", type_name(other)),
                    None,
                );
                None
            }
        }
    }

    fn strings(&mut self, m: &Mapping, key: &str, path: &str) -> Vec<String> {
        let p = join(path, key);
        match m.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Sequence(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        Value::Number(n) => out.push(n.to_string()),
                        other => self.problem(
                            format!("{p}[{i}]"),
                            format!(
                                "items of `{key}` must be strings, found {}",
                                type_name(other)
                            ),
                            None,
                        ),
                    }
                }
                out
            }
            Some(other) => {
                self.problem(
                    p,
                    format!(
                        "`{key}` must be a list of strings, found {}",
                        type_name(other)
                    ),
                    None,
                );
                Vec::new()
            }
        }
    }

    fn sensitivity(&mut self, m: &Mapping, path: &str) -> Option<Sensitivity> {
        let s = self.string(m, "sensitivity", path)?;
        let names: Vec<&str> = Sensitivity::ALL.iter().map(|s| s.as_str()).collect();
        match Sensitivity::ALL.into_iter().find(|x| x.as_str() == s) {
            Some(x) => Some(x),
            None => {
                self.problem(
                    join(path, "sensitivity"),
                    format!("unknown sensitivity `{s}`"),
                    Some(format!("use one of: {}", names.join(", "))),
                );
                None
            }
        }
    }

    fn section<'v>(&mut self, root: &'v Mapping, key: &str) -> Vec<(String, &'v Value)> {
        match root.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Mapping(m)) => m.iter().map(|(k, v)| (key_str(k), v)).collect(),
            Some(other) => {
                self.problem(
                    key,
                    format!(
                        "`{key}` must be a mapping of id to entry, found {}",
                        type_name(other)
                    ),
                    Some(format!(
                        "write `{key}:` followed by indented `id: {{...}}` entries"
                    )),
                );
                Vec::new()
            }
        }
    }

    fn check_id(&mut self, id: &str, path: &str, what: &str) {
        if !super::is_valid_id(id) {
            self.problem(
                path,
                format!("{what} id `{id}` is not a valid id"),
                Some(super::ID_RULE.into()),
            );
        }
    }

    fn validate(&mut self, root: &Value) -> Map {
        let mut map = Map::new("system");
        map.source = Some(self.file.to_string());
        let Some(root) = self.entry(root, "", "the declaration file", TOP_KEYS) else {
            self.problem(
                "",
                "the declaration file is empty or not a mapping",
                Some("start with `version: 1`; see examples/api-platform/blastmap.yaml".into()),
            );
            return map;
        };
        match root.get("version") {
            None => self.problem(
                "",
                "missing `version`",
                Some("add `version: 1` at the top of the file".into()),
            ),
            Some(Value::Number(n)) if whole(n) == Some(1) => {}
            Some(other) => {
                let shown = match other {
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => format!("\"{s}\""),
                    v => type_name(v).to_string(),
                };
                self.problem(
                    "version",
                    format!("unsupported version {shown}"),
                    Some("this blastmap reads version 1: write `version: 1`".into()),
                );
            }
        }
        if let Some(s) = self.string(root, "system", "") {
            map.system = s;
        }

        // taxonomy extensions first: fields may use them.
        let tax_entries = self.section(root, "taxonomy");
        let new_keys: BTreeSet<String> = tax_entries.iter().map(|(k, _)| k.clone()).collect();
        for (key, v) in &tax_entries {
            let path = join("taxonomy", key);
            let Some(m) = self.entry(v, &path, "a taxonomy key", TAXONOMY_KEYS) else {
                self.problem(
                    &path,
                    format!("taxonomy key `{key}` needs at least a `parent`"),
                    None,
                );
                continue;
            };
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            {
                self.problem(&path, format!("taxonomy key `{key}` is not a dotted lowercase key"), Some("use lowercase letters, digits and `_`, separated by dots, e.g. `user.content.prompts`".into()));
                continue;
            }
            if map.taxonomy.contains(key) {
                self.problem(
                    &path,
                    format!("taxonomy key `{key}` is built in already"),
                    Some("remove it, or give your key another name".into()),
                );
                continue;
            }
            let parent = self.string(m, "parent", &path);
            match &parent {
                None => self.problem(
                    &path,
                    format!("taxonomy key `{key}` has no `parent`"),
                    Some(
                        "every added key extends a built-in one, e.g. `parent: user.content`"
                            .into(),
                    ),
                ),
                Some(p) if !map.taxonomy.contains(p) && !new_keys.contains(p) => {
                    let help =
                        closest_key(p, map.taxonomy.keys()).map(|s| format!("did you mean `{s}`?"));
                    self.problem(
                        join(&path, "parent"),
                        format!("unknown parent category `{p}`"),
                        help,
                    );
                }
                Some(p) if !Taxonomy::is_within(key, p) || key == p => {
                    self.problem(
                        &path,
                        format!("taxonomy key `{key}` must start with its parent `{p}.`"),
                        Some(format!(
                            "name it `{p}.{}`",
                            key.rsplit('.').next().unwrap_or(key)
                        )),
                    );
                }
                _ => {}
            }
            let sensitivity = self.sensitivity(m, &path);
            let inherited = parent
                .as_deref()
                .map(|p| map.taxonomy.sensitivity(p))
                .unwrap_or_default();
            let name = self.string(m, "name", &path).unwrap_or_else(|| key.clone());
            let plain = self.string(m, "plain", &path);
            map.taxonomy.insert(
                key.clone(),
                Category {
                    name,
                    parent,
                    sensitivity: sensitivity.unwrap_or(inherited),
                    plain,
                    extension: true,
                },
            );
        }

        for (id, v) in self.section(root, "subjects") {
            let path = join("subjects", &id);
            self.check_id(&id, &path, "subject");
            let m = self.entry(v, &path, "a subject", SUBJECT_KEYS);
            let mut subject = Subject {
                id: id.clone(),
                description: None,
                count: None,
                count_by_region: std::collections::BTreeMap::new(),
                regions: Vec::new(),
            };
            if let Some(m) = m {
                subject.description = self.string(m, "description", &path);
                let count_path = join(&path, "count");
                match m.get("count") {
                    None | Some(Value::Null) => {}
                    Some(Value::Number(n)) if whole(n).is_some() => subject.count = whole(n),
                    Some(Value::Mapping(per)) => {
                        let mut total: u64 = 0;
                        for (k, v) in per {
                            let (Some(region), Some(n)) =
                                (k.as_str(), match v {
                                    Value::Number(n) => whole(n),
                                    _ => None,
                                })
                            else {
                                self.problem(
                                    &count_path,
                                    "a count per region maps a region to a whole number of people",
                                    Some("write e.g. `count: { eu: 400000, us: 800000 }`".into()),
                                );
                                continue;
                            };
                            let region = region.to_ascii_lowercase();
                            if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                                self.problem(
                                    join(&count_path, &region),
                                    format!("`{region}` is not a region"),
                                    Some("use `eu`, `eea`, `us` or an ISO country code such as `de`".into()),
                                );
                                continue;
                            }
                            total = total.saturating_add(n);
                            subject.count_by_region.insert(region, n);
                        }
                        subject.count = Some(total);
                    }
                    Some(other) => self.problem(
                        count_path,
                        format!(
                            "`count` must be a whole number of people, or a number per region, found {}",
                            type_name(other)
                        ),
                        Some("write e.g. `count: 1200000` (no separators) or `count: { eu: 400000, us: 800000 }`".into()),
                    ),
                }
                subject.regions = self
                    .strings(m, "regions", &path)
                    .into_iter()
                    .map(|r| r.to_ascii_lowercase())
                    .collect();
                // A region with a count is a region the people live in.
                for r in subject.count_by_region.keys() {
                    if !subject.regions.contains(r) {
                        subject.regions.push(r.clone());
                    }
                }
            }
            map.subjects.insert(id, subject);
        }

        let field_entries = self.section(root, "fields");
        for (id, v) in &field_entries {
            let path = join("fields", id);
            self.check_id(id, &path, "field");
            let Some(m) = self.entry(v, &path, "a field", FIELD_KEYS) else {
                self.problem(&path, format!("field `{id}` needs a `category`"), Some(format!("write `{id}: {{ category: user.contact.email }}` with the right taxonomy key")));
                continue;
            };
            let category = self.string(m, "category", &path);
            let category = match category {
                None => {
                    self.problem(&path, format!("field `{id}` has no `category`"), Some("add a taxonomy key, e.g. `category: user.contact.email` (`blastmap catalog --taxonomy` lists them)".into()));
                    continue;
                }
                Some(c) if !map.taxonomy.contains(&c) => {
                    let help = closest_key(&c, map.taxonomy.keys())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| {
                            "use a key of the taxonomy, or add one under `taxonomy:`".into()
                        });
                    self.problem(
                        join(&path, "category"),
                        format!("unknown category `{c}`"),
                        Some(help),
                    );
                    continue;
                }
                Some(c) => c,
            };
            let subject = self.string(m, "subject", &path);
            if let Some(s) = &subject {
                if !map.subjects.contains_key(s) {
                    let help = closest(s, map.subjects.keys().map(String::as_str)).map(|x| format!("did you mean `{x}`?")).unwrap_or_else(|| format!("declare it under `subjects:` (`{s}: {{ description: ..., count: N }}`)"));
                    self.problem(
                        join(&path, "subject"),
                        format!("unknown subject `{s}`"),
                        Some(help),
                    );
                }
            }
            let sensitivity = self
                .sensitivity(m, &path)
                .unwrap_or_else(|| map.taxonomy.sensitivity(&category));
            let description = self.string(m, "description", &path);
            self.known_fields.insert(id.clone());
            map.fields.insert(
                id.clone(),
                Field {
                    id: id.clone(),
                    category,
                    subject,
                    sensitivity,
                    description,
                    implicit: false,
                },
            );
        }
        let declared_field_ids: BTreeSet<String> =
            field_entries.iter().map(|(k, _)| k.clone()).collect();
        // A category used directly stands for a field of that category whose
        // subject is the system's only subject (none when there are several).
        let sole_subject = if map.subjects.len() == 1 {
            map.subjects.keys().next().cloned()
        } else {
            None
        };

        let component_entries = self.section(root, "components");
        let vendor_entries = self.section(root, "vendors");
        let component_ids: BTreeSet<String> =
            component_entries.iter().map(|(k, _)| k.clone()).collect();
        let vendor_ids: BTreeSet<String> = vendor_entries.iter().map(|(k, _)| k.clone()).collect();
        for id in component_ids.intersection(&vendor_ids) {
            self.problem(
                join("vendors", id),
                format!("`{id}` is both a component and a vendor"),
                Some("ids must be unique across components and vendors: rename one".into()),
            );
        }
        // A sorted set: membership is checked for every flow end, and
        // suggestions iterate it in a stable order.
        let node_ids: BTreeSet<&str> = component_ids
            .iter()
            .chain(vendor_ids.iter())
            .map(String::as_str)
            .collect();

        for (id, v) in &component_entries {
            let path = join("components", id);
            self.check_id(id, &path, "component");
            let m = self.entry(v, &path, "a component", COMPONENT_KEYS);
            let mut c = Component {
                id: id.clone(),
                name: None,
                kind: ComponentKind::Other,
                paths: Vec::new(),
                holds: Vec::new(),
                origin: Origin::DECLARED,
            };
            if let Some(m) = m {
                c.name = self.string(m, "name", &path);
                if let Some(kind) = self.string(m, "kind", &path) {
                    match ComponentKind::ALL.into_iter().find(|k| k.as_str() == kind) {
                        Some(k) => c.kind = k,
                        None => {
                            let names: Vec<&str> =
                                ComponentKind::ALL.iter().map(|k| k.as_str()).collect();
                            let help = closest(&kind, names.iter().copied())
                                .map(|s| format!("did you mean `{s}`?"))
                                .unwrap_or_else(|| format!("use one of: {}", names.join(", ")));
                            self.problem(
                                join(&path, "kind"),
                                format!("unknown component kind `{kind}`"),
                                Some(help),
                            );
                        }
                    }
                }
                c.paths = self.strings(m, "paths", &path);
                for (i, g) in c.paths.iter().enumerate() {
                    if let Err(e) = globset::Glob::new(g) {
                        self.problems.push(Problem {
                            line: None,
                            column: None,
                            path: format!("{path}.paths[{i}]"),
                            message: format!("invalid path glob `{g}`: {}", e.kind()),
                            help: Some("use globs like `web/**` or `services/api/**/*.py`".into()),
                        });
                    }
                }
                let holds = self.strings(m, "holds", &path);
                for (i, f) in holds.iter().enumerate() {
                    let p = (path.as_str(), "holds", i);
                    if self.resolve_field(&mut map, &declared_field_ids, &sole_subject, f, p) {
                        c.holds.push(f.clone());
                    }
                }
            }
            map.components.insert(id.clone(), c);
        }

        // Declared vendors that are neither in the catalog nor given a
        // category: a flow's unknown end is never told to use one of them.
        let mut unknown_vendors: BTreeSet<&str> = BTreeSet::new();
        for (id, v) in &vendor_entries {
            let path = join("vendors", id);
            self.check_id(id, &path, "vendor");
            let m = self.entry(v, &path, "a vendor", VENDOR_KEYS);
            let known = catalog::lookup(id);
            let category_given = m.is_some_and(|m| m.contains_key("category"));
            let mut name = known.map(|k| k.name.clone());
            let mut category = known.map(|k| k.category);
            let mut access = Vec::new();
            if let Some(m) = m {
                if let Some(n) = self.string(m, "name", &path) {
                    name = Some(n);
                }
                if let Some(c) = self.string(m, "category", &path) {
                    match VendorCategory::parse(&c) {
                        Some(c) => category = Some(c),
                        None => {
                            let names: Vec<&str> =
                                VendorCategory::ALL.iter().map(|c| c.as_str()).collect();
                            let help = closest(&c, names.iter().copied())
                                .map(|s| format!("did you mean `{s}`?"))
                                .unwrap_or_else(|| format!("use one of: {}", names.join(", ")));
                            self.problem(
                                join(&path, "category"),
                                format!("unknown vendor category `{c}`"),
                                Some(help),
                            );
                        }
                    }
                }
                access = self.strings(m, "access", &path);
                for (i, a) in access.iter().enumerate() {
                    if a == id {
                        self.problem(
                            format!("{path}.access[{i}]"),
                            format!("vendor `{id}` lists itself under `access`"),
                            None,
                        );
                    } else if !node_ids.contains(a.as_str()) {
                        let help = closest(a, node_ids.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| {
                                "declare it under `components:` or `vendors:`".into()
                            });
                        self.problem(
                            format!("{path}.access[{i}]"),
                            format!("unknown system `{a}` in `access`"),
                            Some(help),
                        );
                    }
                }
            }
            if known.is_none() && !category_given {
                unknown_vendors.insert(id.as_str());
                let help = match closest(id, catalog::ids()) {
                    Some(s) => format!("did you mean the catalog vendor `{s}`? Otherwise give this vendor a `category` (and a `name`)"),
                    None => "it is not in the built-in catalog (`blastmap catalog` lists it): give it a `category` and a `name`".into(),
                };
                self.problem(&path, format!("unknown vendor `{id}`"), Some(help));
            }
            map.vendors.insert(
                id.clone(),
                Vendor {
                    id: id.clone(),
                    name: name.unwrap_or_else(|| id.clone()),
                    category: category.unwrap_or(VendorCategory::Other),
                    access,
                    in_catalog: known.is_some(),
                    origin: Origin::DECLARED,
                },
            );
        }

        match root.get("flows") {
            None | Some(Value::Null) => {}
            Some(Value::Sequence(items)) => {
                map.flows.reserve(items.len());
                for (i, item) in items.iter().enumerate() {
                    let path = format!("flows[{i}]");
                    let Some(m) = self.entry(item, &path, "a flow", FLOW_KEYS) else {
                        self.problem(
                            &path,
                            "a flow must be a mapping with `from`, `to` and `fields`",
                            None,
                        );
                        continue;
                    };
                    let mut ends = Vec::new();
                    for end in ["from", "to"] {
                        match self.string(m, end, &path) {
                            None => self.problem(
                                &path,
                                format!("flow has no `{end}`"),
                                Some(format!("add `{end}:` with a component or vendor id")),
                            ),
                            Some(x) if !node_ids.contains(x.as_str()) => {
                                let what = if end == "to" { "destination" } else { "source" };
                                let usable = node_ids
                                    .iter()
                                    .copied()
                                    .filter(|n| !unknown_vendors.contains(n));
                                let misspelt = closest(&x, unknown_vendors.iter().copied());
                                let help = match (catalog::lookup(&x), misspelt) {
                                    (Some(_), Some(s)) => format!(
                                        "`{x}` is a catalog vendor that `vendors:` does not declare; `vendors.{s}` looks like a misspelling of it: rename it `{x}`"
                                    ),
                                    (Some(_), None) => format!(
                                        "`{x}` is a catalog vendor: add `{x}: {{}}` under `vendors:`"
                                    ),
                                    (None, _) => match closest(&x, usable) {
                                        Some(s) => format!("did you mean `{s}`?"),
                                        None => {
                                            "declare it under `components:` or `vendors:`".into()
                                        }
                                    },
                                };
                                self.problem(
                                    join(&path, end),
                                    format!(
                                        "unknown {what} `{x}`: no component or vendor has that id"
                                    ),
                                    Some(help),
                                );
                            }
                            Some(x) => ends.push(x),
                        }
                    }
                    let fields = match m.get("fields") {
                        None | Some(Value::Null) => {
                            self.problem(
                                &path,
                                "flow has no `fields`",
                                Some(
                                    "list the field ids it carries, or write `fields: all`".into(),
                                ),
                            );
                            None
                        }
                        Some(Value::String(s)) if s == "all" => Some(FlowFields::All),
                        Some(Value::String(s)) => {
                            self.problem(
                                join(&path, "fields"),
                                format!("`fields` must be a list or `all`, found the string `{s}`"),
                                Some(format!("write `fields: [{s}]`")),
                            );
                            None
                        }
                        Some(_) => {
                            let list = self.strings(m, "fields", &path);
                            let mut ok = Vec::with_capacity(list.len());
                            for (j, f) in list.into_iter().enumerate() {
                                let p = (path.as_str(), "fields", j);
                                if f == "all" {
                                    self.problem(
                                        format!("{path}.fields[{j}]"),
                                        "`all` cannot be mixed with field ids",
                                        Some("write `fields: all` on its own".into()),
                                    );
                                } else if self.resolve_field(
                                    &mut map,
                                    &declared_field_ids,
                                    &sole_subject,
                                    &f,
                                    p,
                                ) {
                                    ok.push(f);
                                }
                            }
                            Some(FlowFields::List(ok))
                        }
                    };
                    let purpose = self
                        .string(m, "purpose", &path)
                        .or_else(|| self.string(m, "description", &path));
                    if let ([from, to], Some(fields)) = (ends.as_slice(), fields) {
                        if from == to {
                            self.problem(
                                &path,
                                format!("flow from `{from}` to itself"),
                                Some("remove it, or point `to` at another system".into()),
                            );
                            continue;
                        }
                        map.flows.push(Flow {
                            from: from.clone(),
                            to: to.clone(),
                            fields,
                            purpose,
                            evidence: vec![Evidence {
                                kind: EvidenceKind::Declared,
                                file: self.file.to_string(),
                                line: 0,
                                text: path.clone(),
                                scope: Scope::Production,
                            }],
                            origin: Origin::DECLARED,
                            discovered: Vec::new(),
                        });
                    }
                }
            }
            Some(other) => self.problem(
                "flows",
                format!("`flows` must be a list, found {}", type_name(other)),
                Some("write each flow as `- from: ...` under `flows:`".into()),
            ),
        }
        if let Some(v) = root.get("policy") {
            map.policy = self.policy(v, &map);
        }
        map
    }

    /// A vendor id (declared, or from the catalog) or a vendor category.
    fn target(&mut self, map: &Map, name: &str, path: String) -> Option<Target> {
        if let Some(c) = VendorCategory::parse(name) {
            return Some(Target::Category(c));
        }
        if map.vendors.contains_key(name) || catalog::lookup(name).is_some() {
            return Some(Target::Vendor(name.to_string()));
        }
        let categories = VendorCategory::ALL.iter().map(|c| c.as_str());
        let help = closest(
            name,
            map.vendors.keys().map(String::as_str).chain(categories),
        )
        .or_else(|| closest(name, catalog::ids()))
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| {
            "use a vendor id (declared, or from `blastmap catalog`) or a vendor category such as `analytics`".into()
        });
        self.problem(
            path,
            format!("`{name}` is neither a vendor nor a vendor category"),
            Some(help),
        );
        None
    }

    /// The `policy:` section (see [`super::policy`]).
    fn policy(&mut self, v: &Value, map: &Map) -> Policy {
        let mut policy = Policy::default();
        let Some(m) = self.entry(v, "policy", "the policy", POLICY_KEYS) else {
            return policy;
        };
        match m.get("strict") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => policy.strict = *b,
            Some(other) => self.problem(
                "policy.strict",
                format!("`strict` must be true or false, found {}", type_name(other)),
                None,
            ),
        }
        if m.contains_key("allow_vendors") {
            let ids = self.strings(m, "allow_vendors", "policy");
            let mut ok = Vec::with_capacity(ids.len());
            for (i, id) in ids.into_iter().enumerate() {
                let path = format!("policy.allow_vendors[{i}]");
                match self.target(map, &id, path.clone()) {
                    Some(Target::Vendor(v)) => ok.push(v),
                    Some(Target::Category(_)) => self.problem(
                        path,
                        format!("`allow_vendors` lists vendors, and `{id}` is a vendor category"),
                        Some("list each allowed vendor by id".into()),
                    ),
                    None => {}
                }
            }
            ok.sort();
            ok.dedup();
            policy.allow_vendors = Some(ok);
        }
        match m.get("deny") {
            None | Some(Value::Null) => {}
            Some(Value::Sequence(rules)) => {
                for (i, rule) in rules.iter().enumerate() {
                    let path = format!("policy.deny[{i}]");
                    let Some(r) = self.entry(rule, &path, "a deny rule", DENY_KEYS) else {
                        self.problem(
                            &path,
                            "a deny rule needs `categories` and `to`",
                            Some(
                                "write `- { categories: [user.authorization], to: [analytics] }`"
                                    .into(),
                            ),
                        );
                        continue;
                    };
                    let mut categories = Vec::new();
                    for (j, c) in self.strings(r, "categories", &path).into_iter().enumerate() {
                        if map.taxonomy.contains(&c) {
                            categories.push(c);
                        } else {
                            let help = closest_key(&c, map.taxonomy.keys())
                                .map(|s| format!("did you mean `{s}`?"));
                            self.problem(
                                format!("{path}.categories[{j}]"),
                                format!("unknown category `{c}`"),
                                help,
                            );
                        }
                    }
                    let mut to = Vec::new();
                    for (j, t) in self.strings(r, "to", &path).into_iter().enumerate() {
                        to.extend(self.target(map, &t, format!("{path}.to[{j}]")));
                    }
                    for key in ["categories", "to"] {
                        if !r.contains_key(key) {
                            self.problem(
                                &path,
                                format!("deny rule has no `{key}`"),
                                Some("a rule names the data (`categories`) and where it must not go (`to`)".into()),
                            );
                        }
                    }
                    let reason = self.string(r, "reason", &path);
                    if !categories.is_empty() && !to.is_empty() {
                        policy.deny.push(DenyRule {
                            categories,
                            to,
                            reason,
                            path,
                            line: 0,
                        });
                    }
                }
            }
            Some(other) => self.problem(
                "policy.deny",
                format!("`deny` must be a list of rules, found {}", type_name(other)),
                Some("write each rule as `- { categories: [...], to: [...] }`".into()),
            ),
        }
        for (name, sev) in self.section_at(m, "max_severity", "policy.max_severity") {
            let path = format!("policy.max_severity.{name}");
            let names: Vec<&str> = Sensitivity::ALL.iter().map(|s| s.as_str()).collect();
            let level = match sev {
                Value::String(s) => Sensitivity::ALL.into_iter().find(|x| x.as_str() == s),
                _ => None,
            };
            let target = self.target(map, &name, path.clone());
            match (target, level) {
                (Some(target), Some(max)) => policy.max_severity.push(MaxSeverity {
                    target,
                    max,
                    path,
                    line: 0,
                }),
                (_, None) => self.problem(
                    path,
                    format!(
                        "the most severe blast radius allowed must be one of: {}",
                        names.join(", ")
                    ),
                    Some(format!("write e.g. `{name}: medium`")),
                ),
                (None, Some(_)) => {}
            }
        }
        for (name, level) in self.section_at(m, "levels", "policy.levels") {
            let path = format!("policy.levels.{name}");
            let Some(code) = Code::parse(&name) else {
                let help = closest(&name, Code::ALL.iter().map(|c| c.as_str()))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                        format!("codes: {}", all.join(", "))
                    });
                self.problem(path, format!("unknown finding code `{name}`"), Some(help));
                continue;
            };
            match level.as_str().and_then(Level::parse) {
                Some(l) => {
                    policy.levels.insert(code, l);
                }
                None => self.problem(
                    path,
                    "a level is `allow`, `warn` or `deny`".to_string(),
                    Some(format!("write e.g. `{name}: warn`")),
                ),
            }
        }
        policy
    }

    /// A mapping nested in `m` under `key`, as (key, value) pairs.
    fn section_at<'v>(
        &mut self,
        m: &'v Mapping,
        key: &str,
        path: &str,
    ) -> Vec<(String, &'v Value)> {
        match m.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Mapping(inner)) => inner.iter().map(|(k, v)| (key_str(k), v)).collect(),
            Some(other) => {
                self.problem(
                    path,
                    format!("`{key}` must be a mapping, found {}", type_name(other)),
                    None,
                );
                Vec::new()
            }
        }
    }

    /// Checks a field reference (a field id, or a taxonomy key used directly,
    /// which becomes an implicit field). Returns false after reporting.
    /// `at` is (entry path, list key, index); the path string is only built
    /// for a problem, since this runs for every field of every flow.
    fn resolve_field(
        &mut self,
        map: &mut Map,
        declared: &BTreeSet<String>,
        sole_subject: &Option<String>,
        name: &str,
        at: (&str, &str, usize),
    ) -> bool {
        if self.known_fields.contains(name) {
            return true;
        }
        if declared.contains(name) {
            return false; // declared but invalid: already reported
        }
        if map.taxonomy.contains(name) {
            self.known_fields.insert(name.to_string());
            map.fields.insert(
                name.to_string(),
                Field {
                    id: name.to_string(),
                    category: name.to_string(),
                    // System data (`system.*`) belongs to no person.
                    subject: if Taxonomy::is_within(name, "system") {
                        None
                    } else {
                        sole_subject.clone()
                    },
                    sensitivity: map.taxonomy.sensitivity(name),
                    description: None,
                    implicit: true,
                },
            );
            return true;
        }
        let help = if name.contains('.') {
            closest_key(name, map.taxonomy.keys())
                .map(|s| format!("did you mean the category `{s}`?"))
        } else {
            closest(name, declared.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"))
        }
        .unwrap_or_else(|| {
            "declare it under `fields:`, or use a taxonomy key such as `user.contact.email`".into()
        });
        let (base, key, i) = at;
        self.problem(
            format!("{base}.{key}[{i}]"),
            format!("unknown field `{name}`"),
            Some(help),
        );
        false
    }
}

/// Declarations larger than this keep YAML paths (`flows[12345]`) in their
/// evidence instead of line numbers: indexing every node of a 10 MB map
/// costs seconds, and a path is as precise.
pub const LOCATE_MAX_BYTES: usize = 4 * 1024 * 1024;

/// The evidence lines of declared flows point at `flows[i]`; this resolves
/// them to real line numbers (used by reports). Maps larger than
/// [`LOCATE_MAX_BYTES`] keep the paths.
pub fn locate_flows(map: &mut Map, text: &str) {
    if text.len() > LOCATE_MAX_BYTES {
        return;
    }
    let Some(loc) = Locations::index(text) else {
        return;
    };
    for flow in &mut map.flows {
        for ev in &mut flow.evidence {
            if ev.kind == EvidenceKind::Declared && ev.line == 0 {
                if let Some(p) = loc.find(&ev.text) {
                    ev.line = p.line as u32;
                }
            }
        }
    }
    let line = |path: &str| loc.find_key(path).map(|p| p.line as u32).unwrap_or(0);
    for r in &mut map.policy.deny {
        r.line = line(&r.path);
    }
    for m in &mut map.policy.max_severity {
        m.line = line(&m.path);
    }
    if map.policy.allow_vendors.is_some() {
        map.policy.allow_line = line("policy.allow_vendors");
    }
}
