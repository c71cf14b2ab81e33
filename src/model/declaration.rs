//! Loading a declaration file (`blastmap.yaml`, version 1).
//!
//! The file is parsed once by serde_yaml into a value, then walked by hand so
//! that *every* problem is collected in one run (a derived `Deserialize`
//! stops at the first). The walk (`Reader`) only translates: it reports
//! what is wrong with the file's shape (types, unknown keys, counts) and
//! fills a [`Draft`]; [`draft::validate`], shared with the other map
//! formats, checks every name and reference. Problems carry the YAML path
//! (`flows[3].to`); when there are any, a second event-level pass
//! ([`super::locate`]) adds the line and column (serde_yaml exposes no
//! positions for values: see [`super::draft`]). A file with problems yields
//! no map at all: nothing is guessed.

use std::fmt;
use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::draft::{
    self, Draft, DraftCategory, DraftComponent, DraftDeny, DraftField, DraftFields, DraftFlow,
    DraftPolicy, DraftSubject, DraftVendor, Places, Rules,
};
use super::locate::Locations;
use super::policy::Level;
use super::suggest::closest;
use super::{Evidence, EvidenceKind, Map, Origin, Scope, Sensitivity, Subject};

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
    let mut reader = Reader {
        draft: Draft {
            rules: Rules {
                plain_ids: true,
                categories_as_fields: true,
            },
            ..Draft::default()
        },
        file,
    };
    reader.translate(&value);
    // Freeing a large parsed document takes as long as a quarter of the
    // parse; let another core do it while the caller builds the graph.
    rayon::spawn(move || drop(value));
    draft::validate(reader.draft, file, "system", Places::Yaml(text))
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

/// Translates a parsed declaration into a [`Draft`], reporting what is
/// wrong with its shape (types, unknown keys); [`draft::validate`] checks
/// the rest.
struct Reader<'a> {
    draft: Draft,
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

impl Reader<'_> {
    fn problem(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.draft
            .problems
            .push(draft::problem(path, message, help));
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
                let help = misplaced_help(v, path, what, allowed);
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

    /// The whole file.
    fn translate(&mut self, root: &Value) {
        let Some(root) = self.entry(root, "", "the declaration file", TOP_KEYS) else {
            self.problem(
                "",
                "the declaration file is empty or not a mapping",
                Some("start with `version: 1`; see examples/api-platform/blastmap.yaml".into()),
            );
            return;
        };
        self.version(root);
        self.draft.system = self.string(root, "system", "");
        self.taxonomy(root);
        self.subjects(root);
        self.fields(root);
        self.components(root);
        self.vendors(root);
        self.flows(root);
        if let Some(v) = root.get("policy") {
            self.draft.policy = self.policy(v);
        }
    }

    fn version(&mut self, root: &Mapping) {
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
    }

    fn taxonomy(&mut self, root: &Mapping) {
        for (key, v) in self.section(root, "taxonomy") {
            let path = join("taxonomy", &key);
            let Some(m) = self.entry(v, &path, "a taxonomy key", TAXONOMY_KEYS) else {
                self.problem(
                    &path,
                    format!("taxonomy key `{key}` needs at least a `parent`"),
                    None,
                );
                continue;
            };
            let category = DraftCategory {
                parent: self.string(m, "parent", &path),
                parent_at: join(&path, "parent"),
                sensitivity: self.sensitivity(m, &path),
                name: self.string(m, "name", &path),
                plain: self.string(m, "plain", &path),
                key,
                at: path,
            };
            self.draft.taxonomy.push(category);
        }
    }

    fn subjects(&mut self, root: &Mapping) {
        for (id, v) in self.section(root, "subjects") {
            let path = join("subjects", &id);
            let mut subject = Subject {
                id,
                description: None,
                count: None,
                count_by_region: std::collections::BTreeMap::new(),
                regions: Vec::new(),
            };
            if let Some(m) = self.entry(v, &path, "a subject", SUBJECT_KEYS) {
                subject.description = self.string(m, "description", &path);
                self.count(m, &path, &mut subject);
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
            self.draft.subjects.push(DraftSubject { at: path, subject });
        }
    }

    /// A subject's `count`: a whole number, or a number per region.
    fn count(&mut self, m: &Mapping, path: &str, subject: &mut Subject) {
        let count_path = join(path, "count");
        match m.get("count") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if whole(n).is_some() => subject.count = whole(n),
            Some(Value::Mapping(per)) => {
                let mut total: u64 = 0;
                for (k, v) in per {
                    let n = match v {
                        Value::Number(n) => whole(n),
                        _ => None,
                    };
                    let (Some(region), Some(n)) = (k.as_str(), n) else {
                        self.problem(
                            &count_path,
                            "a count per region maps a region to a whole number of people",
                            Some("write e.g. `count: { eu: 400000, us: 800000 }`".into()),
                        );
                        continue;
                    };
                    let region = region.to_ascii_lowercase();
                    if region.is_empty()
                        || !region
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-')
                    {
                        self.problem(
                            join(&count_path, &region),
                            format!("`{region}` is not a region"),
                            Some(
                                "use `eu`, `eea`, `us` or an ISO country code such as `de`".into(),
                            ),
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
    }

    fn fields(&mut self, root: &Mapping) {
        for (id, v) in self.section(root, "fields") {
            let at = join("fields", &id);
            let mut f = DraftField::default();
            if let Some(m) = self.entry(v, &at, "a field", FIELD_KEYS) {
                f.category = self.string(m, "category", &at);
                f.subject = self.string(m, "subject", &at);
                f.sensitivity = self.sensitivity(m, &at);
                f.description = self.string(m, "description", &at);
            }
            self.draft.fields.push(DraftField { id, at, ..f });
        }
    }

    fn components(&mut self, root: &Mapping) {
        for (id, v) in self.section(root, "components") {
            let at = join("components", &id);
            let mut c = DraftComponent {
                id,
                at,
                name: None,
                kind: None,
                paths: Vec::new(),
                holds: Vec::new(),
                origin: Origin::DECLARED,
            };
            if let Some(m) = self.entry(v, &c.at, "a component", COMPONENT_KEYS) {
                c.name = self.string(m, "name", &c.at);
                c.kind = self.string(m, "kind", &c.at);
                c.paths = self.strings(m, "paths", &c.at);
                c.holds = self.strings(m, "holds", &c.at);
            }
            self.draft.components.push(c);
        }
    }

    fn vendors(&mut self, root: &Mapping) {
        for (id, v) in self.section(root, "vendors") {
            let at = join("vendors", &id);
            let mut vendor = DraftVendor {
                id,
                at,
                name: None,
                category: None,
                access: Vec::new(),
                origin: Origin::DECLARED,
            };
            if let Some(m) = self.entry(v, &vendor.at, "a vendor", VENDOR_KEYS) {
                vendor.name = self.string(m, "name", &vendor.at);
                vendor.category = self.string(m, "category", &vendor.at);
                vendor.access = self.strings(m, "access", &vendor.at);
            }
            self.draft.vendors.push(vendor);
        }
    }

    fn flows(&mut self, root: &Mapping) {
        match root.get("flows") {
            None | Some(Value::Null) => {}
            Some(Value::Sequence(items)) => {
                self.draft.flows.reserve(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.flow(i, item);
                }
            }
            Some(other) => self.problem(
                "flows",
                format!("`flows` must be a list, found {}", type_name(other)),
                Some("write each flow as `- from: ...` under `flows:`".into()),
            ),
        }
    }

    fn flow(&mut self, i: usize, item: &Value) {
        let path = format!("flows[{i}]");
        let Some(m) = self.entry(item, &path, "a flow", FLOW_KEYS) else {
            self.problem(
                &path,
                "a flow must be a mapping with `from`, `to` and `fields`",
                None,
            );
            return;
        };
        let fields = match m.get("fields") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s == "all" => Some(DraftFields::All),
            Some(Value::String(s)) => {
                self.problem(
                    join(&path, "fields"),
                    format!("`fields` must be a list or `all`, found the string `{s}`"),
                    Some(format!("write `fields: [{s}]`")),
                );
                Some(DraftFields::List(Vec::new()))
            }
            Some(_) => Some(DraftFields::List(self.strings(m, "fields", &path))),
        };
        let flow = DraftFlow {
            from: self.string(m, "from", &path),
            to: self.string(m, "to", &path),
            fields,
            purpose: self
                .string(m, "purpose", &path)
                .or_else(|| self.string(m, "description", &path)),
            evidence: vec![Evidence {
                kind: EvidenceKind::Declared,
                file: self.file.to_string(),
                line: 0,
                text: path.clone(),
                scope: Scope::Production,
            }],
            origin: Origin::DECLARED,
            at: path,
        };
        self.draft.flows.push(flow);
    }

    /// The `policy:` section (see [`super::policy`]); its names are
    /// checked by [`draft::validate`].
    fn policy(&mut self, v: &Value) -> Option<DraftPolicy> {
        let m = self.entry(v, "policy", "the policy", POLICY_KEYS)?;
        let mut policy = DraftPolicy::default();
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
            policy.allow_vendors = Some(self.strings(m, "allow_vendors", "policy"));
        }
        match m.get("deny") {
            None | Some(Value::Null) => {}
            Some(Value::Sequence(rules)) => {
                for (i, rule) in rules.iter().enumerate() {
                    policy.deny.extend(self.deny(i, rule));
                }
            }
            Some(other) => self.problem(
                "policy.deny",
                format!("`deny` must be a list of rules, found {}", type_name(other)),
                Some("write each rule as `- { categories: [...], to: [...] }`".into()),
            ),
        }
        for (name, sev) in self.section_at(m, "max_severity", "policy.max_severity") {
            let level = match sev {
                Value::String(s) => Sensitivity::ALL.into_iter().find(|x| x.as_str() == s),
                _ => None,
            };
            policy.max_severity.push((name, level));
        }
        for (name, level) in self.section_at(m, "levels", "policy.levels") {
            let level = level.as_str().and_then(Level::parse);
            policy.levels.push((name, level));
        }
        Some(policy)
    }

    fn deny(&mut self, i: usize, rule: &Value) -> Option<DraftDeny> {
        let path = format!("policy.deny[{i}]");
        let Some(r) = self.entry(rule, &path, "a deny rule", DENY_KEYS) else {
            self.problem(
                &path,
                "a deny rule needs `categories` and `to`",
                Some("write `- { categories: [user.authorization], to: [analytics] }`".into()),
            );
            return None;
        };
        for key in ["categories", "to"] {
            if !r.contains_key(key) {
                self.problem(
                    &path,
                    format!("deny rule has no `{key}`"),
                    Some(
                        "a rule names the data (`categories`) and where it must not go (`to`)"
                            .into(),
                    ),
                );
            }
        }
        Some(DraftDeny {
            categories: self.strings(r, "categories", &path),
            to: self.strings(r, "to", &path),
            reason: self.string(r, "reason", &path),
            at: path,
        })
    }
}

/// Why a value that should be a mapping is not: `holds:` one level too far
/// left is read as a component called `holds`; `- kind: web` writes keys as
/// list items.
fn misplaced_help(v: &Value, path: &str, what: &str, allowed: &[&str]) -> Option<String> {
    let id = path.rsplit('.').next().unwrap_or(path);
    if allowed.contains(&id) {
        return Some(format!(
            "`{id}` is a key of {what}, not an id: it looks indented one level too little; indent it under the entry above it"
        ));
    }
    let Value::Sequence(items) = v else {
        return None;
    };
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
