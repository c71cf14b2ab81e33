//! Config keys: vendor env and config key names (`SENTRY_DSN`,
//! `STRIPE_SECRET_KEY`) in `.env.example`, YAML/JSON/TOML/INI config,
//! docker-compose files, Kubernetes manifests and framework config, and in
//! code where the environment is read (`process.env.SENTRY_DSN`,
//! `os.environ["SENTRY_DSN"]`).
//!
//! Keys match as whole words: `SENTRY_DSN` is not in `MY_SENTRY_DSN_BACKUP`,
//! except behind a framework's public prefix (`VITE_MIXPANEL_TOKEN`,
//! `NEXT_PUBLIC_…`), which is how front-end builds expose the same key.
//! Commented-out lines are not configuration.

use super::Finding;
use super::lang::StringLit;
use super::lines::LineIndex;
use super::prefilter::{Hit, Prefilter, Role};
use crate::model::{EvidenceKind, Scope};

/// Prefixes front-end frameworks put before env keys they expose.
const FRAMEWORK_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "NUXT_",
    "VITE_",
    "REACT_APP_",
    "VUE_APP_",
    "EXPO_PUBLIC_",
    "GATSBY_",
    "PUBLIC_",
    "STORYBOOK_",
    "NX_",
];

/// Lock files: generated, they name every package and configure nothing.
pub const LOCK_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "poetry.lock",
    "Pipfile.lock",
    "pdm.lock",
    "uv.lock",
    "Gemfile.lock",
    "composer.lock",
    "Cargo.lock",
    "go.sum",
    "Podfile.lock",
    "Package.resolved",
    "packages.lock.json",
    "gradle.lockfile",
];

/// True for files read as configuration (by name).
pub fn is_config_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    if LOCK_FILES.contains(&name) {
        return false;
    }
    if lower == ".env"
        || lower.starts_with(".env.")
        || lower.ends_with(".env")
        || lower.starts_with("env.")
        || lower.starts_with("dockerfile")
        || lower.ends_with(".dockerfile")
        || lower == "procfile"
        || lower.starts_with("docker-compose")
        || lower.starts_with("compose.")
    {
        return true;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "yaml"
            | "yml"
            | "json"
            | "jsonc"
            | "json5"
            | "toml"
            | "ini"
            | "cfg"
            | "conf"
            | "config"
            | "properties"
            | "xml"
            | "plist"
            | "tf"
            | "tfvars"
            | "hcl"
            | "sh"
            | "bash"
            | "zsh"
            | "envrc"
            | "example"
            | "sample"
            | "template"
            | "dist"
    )
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when the key at `start..end` of `text` stands as a whole word, or
/// behind a framework prefix.
pub fn whole_key(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    if end < b.len() && is_key_byte(b[end]) {
        return false;
    }
    if start == 0 || !is_key_byte(b[start - 1]) {
        return true;
    }
    let mut s = start;
    while s > 0 && is_key_byte(b[s - 1]) {
        s -= 1;
    }
    let prefix = &text[s..start];
    FRAMEWORK_PREFIXES.contains(&prefix)
}

/// True when a (trimmed) line is a comment in the common config and script syntaxes.
pub fn is_comment_line(trimmed: &str) -> bool {
    trimmed.starts_with('#')
        || trimmed.starts_with("//")
        || trimmed.starts_with("/*")
        || trimmed.starts_with('*')
        || trimmed.starts_with(';')
        || trimmed.starts_with("<!--")
        || trimmed.starts_with("--")
}

/// Config-key evidence in a config file, from the prefilter's hits.
pub fn in_config_file(
    rel: &str,
    text: &str,
    hits: &[Hit],
    pf: &Prefilter,
    lines: &LineIndex,
) -> Vec<Finding> {
    // Templates (`.env.example`) keep their empty keys: they document what
    // exists, as dev evidence; only a file a deployment reads is held to
    // configuring something.
    let dotenv = is_dotenv(rel) && super::scope::of_path(rel) == Scope::Production;
    let mut out = Vec::new();
    for h in hits {
        let owners: Vec<_> = pf.owners(h, Role::ConfigKey).collect();
        if owners.is_empty() || !whole_key(text, h.start, h.end) {
            continue;
        }
        let line = lines.line_of(h.start);
        if is_comment_line(lines.text_of(line).trim_start()) {
            continue;
        }
        if dotenv && empty_assignment(&text[h.end..]) {
            continue;
        }
        for v in owners {
            out.push(Finding {
                vendor: v,
                kind: EvidenceKind::Config,
                line,
                text: None,
                scope: Scope::Production,
            });
        }
    }
    out
}

/// A dotenv file by its name: `.env`, `.env.production`, `prod.env`.
fn is_dotenv(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// After a key in a dotenv file: `=` and nothing (`PUSHER_APP_KEY=`,
/// `KEY=""`, `KEY= # set me`). A committed key with no value is a slot for
/// whoever deploys (a framework's skeleton lists every driver it supports
/// that way); it configures nothing. `KEY=value`, `KEY=${OTHER}` count.
fn empty_assignment(after_key: &str) -> bool {
    let line = after_key.split('\n').next().unwrap_or("");
    let Some(value) = line.trim_start().strip_prefix('=') else {
        return false;
    };
    let value = value.trim();
    let value = value.split(" #").next().unwrap_or(value).trim();
    matches!(value, "" | "\"\"" | "''") || value.starts_with('#')
}

/// Config-key evidence in code no parser reads (C#, Rust, Dart, shell…):
/// the key as a whole quoted string (`GetEnvironmentVariable("SENTRY_DSN")`)
/// on a line that is not a comment.
pub fn quoted_in_text(text: &str, hits: &[Hit], pf: &Prefilter, lines: &LineIndex) -> Vec<Finding> {
    let b = text.as_bytes();
    let quote = |i: usize| b.get(i).is_some_and(|c| matches!(c, b'"' | b'\'' | b'`'));
    let mut out = Vec::new();
    for h in hits {
        if h.start == 0 || !quote(h.start - 1) || !quote(h.end) || b[h.start - 1] != b[h.end] {
            continue;
        }
        let line = lines.line_of(h.start);
        if is_comment_line(lines.text_of(line).trim_start()) {
            continue;
        }
        for v in pf.owners(h, Role::ConfigKey) {
            out.push(Finding {
                vendor: v,
                kind: EvidenceKind::Config,
                line,
                text: None,
                scope: Scope::Production,
            });
        }
    }
    out
}

/// How code reads the environment right before a key: `process.env.`,
/// `import.meta.env.`, `ENV.`, `env?.`.
fn env_access_before(before: &str) -> bool {
    let t = before.trim_end();
    t.ends_with("env.") || t.ends_with("env?.") || t.ends_with("ENV.") || t.ends_with("Env.")
}

/// Config-key evidence in parsed code: a string literal that is the key
/// (`os.environ["SENTRY_DSN"]`, `ENV.fetch("STRIPE_SECRET_KEY")`,
/// `System.getenv("…")`), or the key after an env accessor on a line that is
/// not a comment. An error message that mentions the key is not evidence.
pub fn in_code(
    text: &str,
    hits: &[Hit],
    pf: &Prefilter,
    strings: &[StringLit],
    lines: &LineIndex,
) -> Vec<Finding> {
    let sorted = strings.windows(2).all(|w| w[0].line <= w[1].line);
    let mut out = Vec::new();
    for h in hits {
        let owners: Vec<_> = pf.owners(h, Role::ConfigKey).collect();
        if owners.is_empty() || !whole_key(text, h.start, h.end) {
            continue;
        }
        let key = &text[h.start..h.end];
        let line = lines.line_of(h.start);
        // The literal names the key (`"SENTRY_DSN"`, `"${SENTRY_DSN}"`,
        // `"%(SENTRY_DSN)s"`); a sentence that mentions it is prose.
        let has_key = |s: &StringLit| {
            s.value
                .trim()
                .trim_start_matches(['$', '%', '{', '('])
                .trim_end_matches(['}', ')', 's'])
                == key
                || s.value.trim().trim_end_matches(['}', ')']) == key
        };
        // Literals come in source order: look only at those on this line.
        let in_string = if sorted {
            let first = strings.partition_point(|s| s.line < line);
            strings[first..]
                .iter()
                .take_while(|s| s.line == line)
                .any(has_key)
        } else {
            strings.iter().filter(|s| s.line == line).any(has_key)
        };
        let line_start = lines.start_of(line);
        let via_env = !is_comment_line(lines.text_of(line).trim_start())
            && env_access_before(&text[line_start.min(h.start)..h.start]);
        if in_string || via_env {
            for v in owners {
                out.push(Finding {
                    vendor: v,
                    kind: EvidenceKind::Config,
                    line,
                    text: None,
                    scope: Scope::Production,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dotenv_key_without_a_value_configures_nothing() {
        for after in [
            "=",
            "=\n",
            "= \"\"",
            "=''",
            "= # set in production",
            "=\nNEXT=1",
        ] {
            assert!(empty_assignment(after), "{after:?}");
        }
        for after in [
            "=key_123",
            "=${PUSHER_KEY}",
            "= \"abc\" # c",
            "_SUFFIX=",
            ": x",
        ] {
            assert!(!empty_assignment(after), "{after:?}");
        }
        assert!(
            is_dotenv(".env.production") && is_dotenv("deploy/prod.env") && !is_dotenv("env.ts")
        );
    }

    #[test]
    fn whole_words_and_framework_prefixes() {
        let t = "SENTRY_DSN MY_SENTRY_DSN SENTRY_DSN_OLD VITE_SENTRY_DSN NEXT_PUBLIC_SENTRY_DSN";
        let found: Vec<usize> = t
            .match_indices("SENTRY_DSN")
            .filter(|(p, m)| whole_key(t, *p, p + m.len()))
            .map(|(p, _)| p)
            .collect();
        assert_eq!(found, vec![0, 45, 68]);
    }

    #[test]
    fn config_file_names() {
        for f in [
            ".env.example",
            ".env.sample",
            "deploy/k8s/api.yaml",
            "docker-compose.yml",
            "config/settings.toml",
            "Dockerfile",
            "appsettings.json",
        ] {
            assert!(is_config_file(f), "{f}");
        }
        for f in ["package-lock.json", "yarn.lock", "src/app.ts", "README.md"] {
            assert!(!is_config_file(f), "{f}");
        }
    }
}
