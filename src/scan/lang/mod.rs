//! Language support: one `enum Lang`, one table of file extensions used by
//! both the walker and the parser, and per-language extraction of the facts
//! the detectors need (imports, calls with their arguments, bindings, string
//! literals), by tree-sitter. Comments are never facts: an import inside a
//! comment or a string is not an import.
//!
//! Contract with the detectors (`src/scan/`): [`extract`] is pure, never
//! panics, and returns facts with 1-based lines. Queries are compiled once
//! per language and cached.

use std::path::Path;

use serde::Serialize;

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

/// File extensions (without the dot, lowercase) and their language.
pub const EXTENSIONS: &[(&str, Lang)] = &[
    ("js", Lang::JavaScript),
    ("mjs", Lang::JavaScript),
    ("cjs", Lang::JavaScript),
    ("jsx", Lang::JavaScript),
    ("ts", Lang::TypeScript),
    ("mts", Lang::TypeScript),
    ("cts", Lang::TypeScript),
    ("tsx", Lang::Tsx),
    ("vue", Lang::Vue),
    ("svelte", Lang::Svelte),
    ("py", Lang::Python),
    ("pyi", Lang::Python),
    ("rb", Lang::Ruby),
    ("rake", Lang::Ruby),
    ("go", Lang::Go),
    ("java", Lang::Java),
    ("kt", Lang::Kotlin),
    ("kts", Lang::Kotlin),
    ("php", Lang::Php),
    ("swift", Lang::Swift),
    ("html", Lang::Html),
    ("htm", Lang::Html),
    ("erb", Lang::Html),
    ("ejs", Lang::Html),
    ("hbs", Lang::Html),
    ("handlebars", Lang::Html),
    ("jinja", Lang::Html),
    ("jinja2", Lang::Html),
    ("j2", Lang::Html),
    ("twig", Lang::Html),
    ("liquid", Lang::Html),
];

impl Lang {
    /// The language of a path, by extension (`foo.blade.php` is a template).
    pub fn from_path(path: &Path) -> Option<Lang> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".blade.php") {
            return Some(Lang::Html);
        }
        let ext = name.rsplit_once('.')?.1;
        EXTENSIONS.iter().find(|(e, _)| *e == ext).map(|(_, l)| *l)
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
    /// The call's first line, trimmed.
    pub text: String,
}

/// `name = <expression rooted at another name>`: lets detectors follow
/// `const client = new OpenAI()` from `client.chat...` back to the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// The bound name.
    pub name: String,
    /// The root identifier of the value (`OpenAI` in `new OpenAI({...})`,
    /// `stripe` in `stripe(key)`, `Sentry` in `Sentry.init()`).
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

/// Everything extracted from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileFacts {
    /// In source order.
    pub imports: Vec<Import>,
    /// In source order.
    pub calls: Vec<Call>,
    /// In source order.
    pub bindings: Vec<Binding>,
    /// In source order.
    pub strings: Vec<StringLit>,
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
