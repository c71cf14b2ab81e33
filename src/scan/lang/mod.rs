//! Language support: one `enum Lang`, one table of languages ([`LANGUAGES`]:
//! extensions, comment syntax, import positions, platform, catalog import
//! languages, lowering) used by the walker, the prefilter and the parser,
//! and per-language extraction of the facts
//! the detectors need (imports, calls with their arguments, bindings, string
//! literals), by tree-sitter. Comments are never facts: an import inside a
//! comment or a string is not an import.
//!
//! Contract with the detectors (`src/scan/`): [`extract`] is pure, never
//! panics, and returns facts with 1-based lines. No queries are used: each
//! language module walks the tree once with a cursor (never recursing, so a
//! file of 100k nested brackets is fine), and keeps one parser per language
//! per thread. Parsing has a time budget ([`Limits::parse_budget`]); every
//! stored text is capped, and a file that hits a count cap is marked
//! [`FileFacts::truncated`] rather than silently cut.
//!
//! What "dynamic" means for an import: the module is loaded at run time
//! rather than when the file is loaded: `import()`, `importlib`,
//! `__import__`, and any `require`/`import` inside a function body.
//!
//! A callee whose base is not a name (`(a || b).track()`) starts with `_`
//! (`_.track`); calls with no name at all (an IIFE) are not recorded.

use std::path::Path;
use std::time::{Duration, Instant};

mod engine;
mod go;
mod html;
mod java;
mod javascript;
mod kotlin;
mod php;
mod python;
mod ruby;
mod swift;
mod table;

use serde::Serialize;

pub use table::{ImportNames, ImportSyntax, LANGUAGES, Language, PlatformRule};

/// A language blastmap parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// `.js .mjs .cjs .jsx`
    JavaScript,
    /// `.ts .mts .cts`
    TypeScript,
    /// `.tsx`
    Tsx,
    /// `.vue` (script blocks)
    Vue,
    /// `.svelte` (script blocks)
    Svelte,
    /// `.py .pyi`
    Python,
    /// `.rb .rake`, `Gemfile` is a manifest
    Ruby,
    /// `.go`
    Go,
    /// `.java`
    Java,
    /// `.kt .kts`
    Kotlin,
    /// `.php`
    Php,
    /// `.swift`
    Swift,
    /// `.html .htm` and server templates (`.erb .ejs .hbs .jinja .j2 .twig .liquid .blade.php`)
    Html,
}

impl Lang {
    /// The language of a path, by extension (`foo.blade.php` is a template).
    pub fn from_path(path: &Path) -> Option<Lang> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".blade.php") {
            return Some(Lang::Html);
        }
        let ext = name.rsplit_once('.')?.1;
        LANGUAGES
            .iter()
            .find(|row| row.extensions.contains(&ext))
            .map(|row| row.lang)
    }
}

/// An import, require, use or include of a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Import {
    /// The module as written: `mixpanel-browser`, `@sentry/node`,
    /// `sentry_sdk`, `com.stripe.Stripe`, `github.com/stripe/stripe-go/v76`.
    pub module: String,
    /// Local names it binds (`mixpanel` in `import mixpanel from ...`,
    /// `mp` in `import mixpanel as mp`, `{ init }` members); may be empty.
    pub bindings: Vec<String>,
    /// 1-based line.
    pub line: u32,
    /// The import statement, trimmed to one line.
    pub text: String,
    /// `import()`, `require()` inside a function, `importlib.import_module`.
    pub dynamic: bool,
    /// Names imported under another name, as (exported name, local name):
    /// `import { capture as track }`, `from m import capture as track`.
    pub renamed: Vec<(String, String)>,
}

/// One argument (or one key of an object/dict/hash/map argument) of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arg {
    /// The key for object properties and keyword arguments (`email` in
    /// `{ email: user.email }` or `email=user.email`), dotted for nesting.
    pub key: Option<String>,
    /// The value's source text (`user.email`, `currentUser.name`).
    pub expr: String,
    /// 1-based line.
    pub line: u32,
    /// Which positional argument of the call it comes from (0-based);
    /// `None` for a keyword argument (Python `k=v`, PHP/Kotlin named
    /// arguments), whose parameter is the first segment of `key`. Lets a
    /// first-party wrapper's parameter be matched to its call sites.
    pub position: Option<u16>,
}

/// A call expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The callee as a dotted path (`mixpanel.people.set`,
    /// `sentry_sdk.set_user`, `client.chat.completions.create`), with
    /// `this.`/`self.` kept and whitespace removed; `new X()` gives `X`.
    pub callee: String,
    /// The arguments, flattened: object literal arguments give one [`Arg`]
    /// per key.
    pub args: Vec<Arg>,
    /// 1-based line.
    pub line: u32,
    /// 1-based line where the call's text ends (its closing parenthesis).
    pub end_line: u32,
    /// The call's first line, trimmed.
    pub text: String,
}

impl Call {
    /// True when a value at `line` is written outside the call's text
    /// (built before it, or returned by a helper defined elsewhere in the
    /// file).
    pub fn outside(&self, line: u32) -> bool {
        line < self.line || line > self.end_line
    }
}

/// `name = <expression rooted at another name>`: lets detectors follow
/// `const client = new OpenAI()` from `client.chat...` back to the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// The bound name.
    pub name: String,
    /// The root identifier of the value (`OpenAI` in `new OpenAI({...})`,
    /// `stripe` in `stripe(key)`, `Sentry` in `Sentry.init()`), or, for a
    /// template string, `${text}` for each name it interpolates (one
    /// binding each: `` prompt = `Summarise: ${text}` ``), or `args[0]`
    /// for an element destructured by its place (`[options] = args`).
    pub root: String,
    /// 1-based line.
    pub line: u32,
}

/// A string literal (for endpoint domains).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StringLit {
    /// Its value, unquoted.
    pub value: String,
    /// 1-based line.
    pub line: u32,
}

/// A function or method definition, for following first-party wrappers
/// (`function capture(event, props) { posthog.capture(event, props) }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionDef {
    /// Its name (a method's own name, without the class).
    pub name: String,
    /// The class (or Go receiver type) a method belongs to.
    pub owner: Option<String>,
    /// One entry per positional parameter, by name (`...rest`, `*args`
    /// and destructuring patterns as written).
    pub params: Vec<String>,
    /// Reachable from other files: `export`ed or listed in `module.exports`
    /// (JS/TS), public by naming (Python: no leading `_`; Go: capitalised),
    /// always for Ruby and PHP.
    pub exported: bool,
    /// 1-based line of the definition.
    pub line: u32,
    /// The calls made in its body, outside nested named functions.
    pub calls: Vec<Call>,
    /// The line of the named function it is defined in, if any (`const
    /// generate = async () => {...}` inside `createGenerateText`): its
    /// calls can read that function's parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<u32>,
}

/// Everything extracted from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileFacts {
    /// In source order.
    pub imports: Vec<Import>,
    /// TypeScript imports of types only (`import type { WebClient } from
    /// "@slack/web-api"`), in source order. They load nothing at run time,
    /// so they are no evidence of an integration; they only give a
    /// parameter declared of such a type (`client: WebClient`) its vendor.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub type_imports: Vec<Import>,
    /// In source order (a call's arguments come before calls nested in them
    /// only when they start earlier).
    pub calls: Vec<Call>,
    /// In source order.
    pub bindings: Vec<Binding>,
    /// In source order.
    pub strings: Vec<StringLit>,
    /// Named functions and methods, in source order (JS/TS, Python, Ruby,
    /// Go, PHP, Java, Kotlin; empty for the others).
    pub functions: Vec<FunctionDef>,
    /// True when a count limit ([`Limits::max_facts`]) cut some facts off.
    pub truncated: bool,
}

impl FileFacts {
    /// Every call of the file: those at its top level, then those in each
    /// named function's body.
    pub fn all_calls(&self) -> impl Iterator<Item = &Call> {
        self.calls
            .iter()
            .chain(self.functions.iter().flat_map(|f| f.calls.iter()))
    }
}

/// Bounds on the work and memory spent on one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Parsing longer than this, or walking the tree longer than this
    /// again, gives [`ExtractError::Timeout`].
    pub parse_budget: Duration,
    /// Strings (and module names) longer than this are not stored.
    pub max_string_bytes: usize,
    /// `text` and `expr` are cut to this many chars.
    pub max_text_chars: usize,
    /// At most this many imports, calls, bindings, strings, functions each.
    pub max_facts: usize,
    /// At most this many arguments per call (after flattening).
    pub max_args_per_call: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            parse_budget: Duration::from_millis(2000),
            max_string_bytes: 4096,
            max_text_chars: 200,
            max_facts: 100_000,
            max_args_per_call: 256,
        }
    }
}

/// Extracts the facts of one file in `lang`, with the default [`Limits`].
pub fn extract(lang: Lang, source: &str) -> Result<FileFacts, ExtractError> {
    extract_with_limits(lang, source, &Limits::default())
}

/// Extracts the facts of one file in `lang` within `limits`.
pub fn extract_with_limits(
    lang: Lang,
    source: &str,
    limits: &Limits,
) -> Result<FileFacts, ExtractError> {
    let deadline = Instant::now() + limits.parse_budget;
    (lang.spec().extract)(source, limits, deadline)
}

/// Why a file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The parser ran past its time budget.
    #[error("parse timeout")]
    Timeout,
    /// The parser could not be set up or gave no tree.
    #[error("parse error: {0}")]
    Parse(String),
}
