//! The language table: one row per language blastmap parses, naming
//! everything the scan needs to know about it: extensions, comments, the
//! catalog index family and import languages, how import names find
//! vendors (`imports::vendors_of`), where its SDKs run, its tree-sitter
//! grammar, how its wrappers are followed across files
//! (`wrappers::Family::of`), and its lowering (the row's `extract`, in the
//! language's own module). Adding a language is its module
//! (`src/scan/lang/<lang>.rs`), its grammar crate, and one row here (with
//! its `grammar` function; ARCHITECTURE.md, "How to add …").

use std::time::Instant;

use super::{ExtractError, FileFacts, Lang, Limits, html, javascript};
use super::{go, java, kotlin, php, python, ruby, swift};
use crate::catalog::ImportLang;
use crate::scan::index::family;
use crate::scan::wrappers::Family;

/// Where a language writes the module name of an import, for the
/// prefilter's check that a package name sits in an import position
/// (`pipeline::import_position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSyntax {
    /// `from "x"`, `require("x")`, `import("x")`, `npm:x`.
    Js,
    /// `import x`, `from x import y`, `import_module("x")`.
    Python,
    /// `require "x"`, `autoload`.
    Ruby,
    /// `import "x"` and the lines of an import block.
    Go,
    /// `import x` at the start of a line (Java, Kotlin, Swift).
    ImportLine,
    /// `use X` or a `\`-qualified name.
    Php,
    /// No imports (HTML and templates: their scripts are found otherwise).
    None,
}

/// How an import's module name is matched to catalog vendors
/// (`imports::vendors_of`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportNames {
    /// An npm package name, with its subpath and version stripped.
    Npm,
    /// A dotted module under a catalog import name, or a PyPI package.
    Python,
    /// A `require` path under a catalog name, or a gem.
    Ruby,
    /// A Go module path, or a path under a catalog import name.
    Go,
    /// The longest Java or Kotlin package prefix.
    Jvm,
    /// A `\`-qualified namespace under a catalog name.
    Php,
    /// A Swift module name, or a CocoaPod.
    Swift,
    /// No imports.
    None,
}

/// Where an SDK imported in a file of the language runs, for the fields it
/// collects by itself (`collects::platform_of`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformRule {
    /// In a browser.
    Browser,
    /// Told by the package: React Native is mobile, a browser package or a
    /// `.jsx` file the browser, anything else a server.
    ByPackage,
    /// On a phone.
    Mobile,
    /// On a server, unless the import names Android.
    ServerUnlessAndroid,
    /// On a server.
    Server,
}

/// Lowers a source text into facts (the language module's entry point).
pub type Extract = fn(&str, &Limits, Instant) -> Result<FileFacts, ExtractError>;

/// One language.
#[derive(Debug)]
pub struct Language {
    /// The language.
    pub lang: Lang,
    /// File extensions, lowercase, without the dot.
    pub extensions: &'static [&'static str],
    /// `#` starts a comment line (besides `//`, `/*` and `*`).
    pub hash_comments: bool,
    /// The catalog index's family bits ([`family`]) its imports are looked
    /// up in.
    pub family: u8,
    /// The catalog's import languages (`imports:` keys of a vendor file,
    /// of a renderer) its import names are read from, its own first;
    /// JavaScript's imports are package names.
    pub import_langs: &'static [ImportLang],
    /// Where it writes module names.
    pub import_syntax: ImportSyntax,
    /// How its import names find vendors.
    pub import_names: ImportNames,
    /// Where its SDKs run.
    pub platform: PlatformRule,
    /// The tree-sitter grammar its files are parsed with (Vue and Svelte
    /// files are HTML whose scripts are parsed as JavaScript); the engine
    /// keeps one parser per language and thread.
    pub grammar: fn() -> tree_sitter::Language,
    /// How its wrappers are followed across files (`wrappers::Family`);
    /// `None` when it has no functions of its own.
    pub wrappers: Option<Family>,
    /// Its lowering.
    pub extract: Extract,
}

fn js(s: &str, l: &Limits, d: Instant) -> Result<FileFacts, ExtractError> {
    javascript::extract(javascript::Dialect::JavaScript, s, 0, l, d)
}
fn ts(s: &str, l: &Limits, d: Instant) -> Result<FileFacts, ExtractError> {
    javascript::extract(javascript::Dialect::TypeScript, s, 0, l, d)
}
fn tsx(s: &str, l: &Limits, d: Instant) -> Result<FileFacts, ExtractError> {
    javascript::extract(javascript::Dialect::Tsx, s, 0, l, d)
}
fn vue(s: &str, l: &Limits, d: Instant) -> Result<FileFacts, ExtractError> {
    html::extract(Lang::Vue, s, l, d)
}
fn svelte(s: &str, l: &Limits, d: Instant) -> Result<FileFacts, ExtractError> {
    html::extract(Lang::Svelte, s, l, d)
}
fn html_page(s: &str, l: &Limits, d: Instant) -> Result<FileFacts, ExtractError> {
    html::extract(Lang::Html, s, l, d)
}

/// The tree-sitter grammars, each crate's constant as a `Language`.
mod grammar {
    use tree_sitter::Language;

    pub fn javascript() -> Language {
        tree_sitter_javascript::LANGUAGE.into()
    }
    pub fn typescript() -> Language {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    }
    pub fn tsx() -> Language {
        tree_sitter_typescript::LANGUAGE_TSX.into()
    }
    pub fn python() -> Language {
        tree_sitter_python::LANGUAGE.into()
    }
    pub fn ruby() -> Language {
        tree_sitter_ruby::LANGUAGE.into()
    }
    pub fn go() -> Language {
        tree_sitter_go::LANGUAGE.into()
    }
    pub fn java() -> Language {
        tree_sitter_java::LANGUAGE.into()
    }
    pub fn kotlin() -> Language {
        tree_sitter_kotlin_ng::LANGUAGE.into()
    }
    pub fn php() -> Language {
        tree_sitter_php::LANGUAGE_PHP.into()
    }
    pub fn swift() -> Language {
        tree_sitter_swift::LANGUAGE.into()
    }
    pub fn html() -> Language {
        tree_sitter_html::LANGUAGE.into()
    }
}

/// Every language, in [`Lang`]'s order (a test checks it).
pub static LANGUAGES: &[Language] = &[
    Language {
        lang: Lang::JavaScript,
        extensions: &["js", "mjs", "cjs", "jsx"],
        hash_comments: false,
        family: family::JS,
        import_langs: &[ImportLang::Js],
        import_syntax: ImportSyntax::Js,
        import_names: ImportNames::Npm,
        platform: PlatformRule::ByPackage,
        grammar: grammar::javascript,
        wrappers: Some(Family::Js),
        extract: js,
    },
    Language {
        lang: Lang::TypeScript,
        extensions: &["ts", "mts", "cts"],
        hash_comments: false,
        family: family::JS,
        import_langs: &[ImportLang::Js],
        import_syntax: ImportSyntax::Js,
        import_names: ImportNames::Npm,
        platform: PlatformRule::ByPackage,
        grammar: grammar::typescript,
        wrappers: Some(Family::Js),
        extract: ts,
    },
    Language {
        lang: Lang::Tsx,
        extensions: &["tsx"],
        hash_comments: false,
        family: family::JS,
        import_langs: &[ImportLang::Js],
        import_syntax: ImportSyntax::Js,
        import_names: ImportNames::Npm,
        platform: PlatformRule::Browser,
        grammar: grammar::tsx,
        wrappers: Some(Family::Js),
        extract: tsx,
    },
    Language {
        lang: Lang::Vue,
        extensions: &["vue"],
        hash_comments: false,
        family: family::JS,
        import_langs: &[ImportLang::Js],
        import_syntax: ImportSyntax::Js,
        import_names: ImportNames::Npm,
        platform: PlatformRule::Browser,
        grammar: grammar::html,
        wrappers: Some(Family::Js),
        extract: vue,
    },
    Language {
        lang: Lang::Svelte,
        extensions: &["svelte"],
        hash_comments: false,
        family: family::JS,
        import_langs: &[ImportLang::Js],
        import_syntax: ImportSyntax::Js,
        import_names: ImportNames::Npm,
        platform: PlatformRule::Browser,
        grammar: grammar::html,
        wrappers: Some(Family::Js),
        extract: svelte,
    },
    Language {
        lang: Lang::Python,
        extensions: &["py", "pyi"],
        hash_comments: true,
        family: family::PYTHON,
        import_langs: &[ImportLang::Python],
        import_syntax: ImportSyntax::Python,
        import_names: ImportNames::Python,
        platform: PlatformRule::Server,
        grammar: grammar::python,
        wrappers: Some(Family::Python),
        extract: python::extract,
    },
    Language {
        lang: Lang::Ruby,
        extensions: &["rb", "rake"],
        hash_comments: true,
        family: family::RUBY,
        import_langs: &[ImportLang::Ruby],
        import_syntax: ImportSyntax::Ruby,
        import_names: ImportNames::Ruby,
        platform: PlatformRule::Server,
        grammar: grammar::ruby,
        wrappers: Some(Family::Other(Lang::Ruby)),
        extract: ruby::extract,
    },
    Language {
        lang: Lang::Go,
        extensions: &["go"],
        hash_comments: false,
        family: family::GO,
        import_langs: &[ImportLang::Go],
        import_syntax: ImportSyntax::Go,
        import_names: ImportNames::Go,
        platform: PlatformRule::Server,
        grammar: grammar::go,
        wrappers: Some(Family::Go),
        extract: go::extract,
    },
    Language {
        lang: Lang::Java,
        extensions: &["java"],
        hash_comments: false,
        family: family::JVM,
        import_langs: &[ImportLang::Java, ImportLang::Kotlin],
        import_syntax: ImportSyntax::ImportLine,
        import_names: ImportNames::Jvm,
        platform: PlatformRule::ServerUnlessAndroid,
        grammar: grammar::java,
        wrappers: Some(Family::Jvm),
        extract: java::extract,
    },
    Language {
        lang: Lang::Kotlin,
        extensions: &["kt", "kts"],
        hash_comments: false,
        family: family::JVM,
        import_langs: &[ImportLang::Kotlin, ImportLang::Java],
        import_syntax: ImportSyntax::ImportLine,
        import_names: ImportNames::Jvm,
        platform: PlatformRule::ServerUnlessAndroid,
        grammar: grammar::kotlin,
        wrappers: Some(Family::Jvm),
        extract: kotlin::extract,
    },
    Language {
        lang: Lang::Php,
        extensions: &["php"],
        hash_comments: true,
        family: family::PHP,
        import_langs: &[ImportLang::Php],
        import_syntax: ImportSyntax::Php,
        import_names: ImportNames::Php,
        platform: PlatformRule::Server,
        grammar: grammar::php,
        wrappers: Some(Family::Other(Lang::Php)),
        extract: php::extract,
    },
    Language {
        lang: Lang::Swift,
        extensions: &["swift"],
        hash_comments: false,
        family: family::SWIFT,
        import_langs: &[ImportLang::Swift],
        import_syntax: ImportSyntax::ImportLine,
        import_names: ImportNames::Swift,
        platform: PlatformRule::Mobile,
        grammar: grammar::swift,
        wrappers: Some(Family::Other(Lang::Swift)),
        extract: swift::extract,
    },
    Language {
        lang: Lang::Html,
        extensions: &[
            "html",
            "htm",
            "erb",
            "ejs",
            "hbs",
            "handlebars",
            "jinja",
            "jinja2",
            "j2",
            "twig",
            "liquid",
        ],
        hash_comments: false,
        family: family::JS,
        import_langs: &[],
        import_syntax: ImportSyntax::None,
        import_names: ImportNames::None,
        platform: PlatformRule::Browser,
        grammar: grammar::html,
        wrappers: None,
        extract: html_page,
    },
];

impl Lang {
    /// The language's row.
    pub fn spec(self) -> &'static Language {
        &LANGUAGES[self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_the_enum_and_extensions_are_unique() {
        for (i, row) in LANGUAGES.iter().enumerate() {
            assert_eq!(row.lang as usize, i, "{:?} is not at its index", row.lang);
        }
        assert_eq!(
            LANGUAGES.len(),
            Lang::Html as usize + 1,
            "engine::LANGS sizes the parser slots by `Html`, the last variant: add languages before it"
        );
        let mut seen = std::collections::BTreeSet::new();
        for row in LANGUAGES {
            for e in row.extensions {
                assert!(seen.insert(*e), "extension {e} in two rows");
                assert_eq!(*e, e.to_ascii_lowercase());
            }
        }
    }
}
