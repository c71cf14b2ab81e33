//! Sign-in providers registered with a login library.
//!
//! Applications rarely call an OAuth provider's SDK: they register it by name
//! with a generic login library, which then sends the person to the provider
//! and reads their profile back. The names come from the catalog's
//! `login_providers` (`github`, `google`, `azure`), matched when a string
//! (or Ruby symbol) is the first argument of a registration call:
//! go-pkgz/auth's `AddProvider("github", id, secret)`, Laravel Socialite's
//! `Socialite::driver('google')`, OmniAuth's `provider :github, ...`,
//! Passport's `passport.authenticate("google")`, Ueberauth's and others'
//! `provider("github")`; and methods named after their provider
//! (go-pkgz/auth's `AddAppleProvider(...)`, `AddMicrosoftProvider(...)`).
//!
//! Limits, on purpose: a provider chosen at run time
//! (`Socialite::driver($name)`) or listed in a data structure
//! (`['github' => GithubProvider::class]`) is not seen here; its SDK or
//! provider class, when the catalog knows it, is.

use super::Finding;
use super::calls::dotted;
use super::index::Index;
use super::lang::FileFacts;
use crate::model::{EvidenceKind, Scope};

/// True when the text before a quoted name (or a Ruby symbol) on its line
/// opens a registration call: `AddProvider(`, `Socialite::driver(`,
/// `provider ` (OmniAuth), `passport.authenticate(`. Lets the prefilter
/// keep a file for this reason alone.
pub fn opens_registration(before: &str) -> bool {
    let t = before.trim_end();
    let t = t.strip_suffix(['"', '\'', ':']).unwrap_or(t).trim_end();
    let t = t.strip_suffix('(').unwrap_or(t).trim_end();
    let ident: String = t
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    registers(&ident)
}

/// Method names that register or pick a login provider by name.
fn registers(method: &str) -> bool {
    let m = method.to_ascii_lowercase();
    let m = m.replace('_', "");
    matches!(
        m.as_str(),
        "addprovider" | "provider" | "driver" | "buildprovider" | "authenticate" | "oauthprovider"
    )
}

/// A literal's text: `"github"`, `'github'`, `:github` (Ruby).
fn literal_name(expr: &str) -> Option<&str> {
    let e = expr.trim();
    if let Some(sym) = e.strip_prefix(':') {
        return sym
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            .then_some(sym);
    }
    for q in ['"', '\''] {
        if let Some(inner) = e.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Some(inner);
        }
    }
    None
}

/// The provider a method registers by its own name: go-pkgz/auth's
/// `AddAppleProvider(...)`, `AddMicrosoftProvider(...)` give `apple`,
/// `microsoft` (checked against the catalog by the caller).
fn named_registration(method: &str) -> Option<String> {
    let m = method.to_ascii_lowercase().replace('_', "");
    let name = m.strip_prefix("add")?.strip_suffix("provider")?;
    (!name.is_empty()).then(|| name.to_string())
}

/// `Add{Name}Provider` for a provider name (`apple` → `AddAppleProvider`):
/// what the prefilter looks for beside the quoted names.
pub fn registration_method(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let first = chars.next()?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(format!(
        "Add{}{}Provider",
        first.to_ascii_uppercase(),
        chars.as_str()
    ))
}

/// The login providers a file registers, as call evidence of their vendors.
pub fn detect(facts: &FileFacts, index: &Index) -> Vec<Finding> {
    let mut out = Vec::new();
    let calls = facts.all_calls();
    let mut seen = std::collections::BTreeSet::new();
    for call in calls {
        if !seen.insert((call.line, call.callee.as_str())) {
            continue;
        }
        let callee = dotted(&call.callee);
        let method = callee.rsplit('.').next().unwrap_or(&callee);
        // `AddAppleProvider(...)`, or `AddProvider("github", ...)`.
        let name = named_registration(method).or_else(|| {
            let first = call
                .args
                .iter()
                .find(|a| a.position == Some(0) && a.key.is_none())?;
            registers(method)
                .then(|| literal_name(&first.expr).map(str::to_string))
                .flatten()
        });
        let Some(name) = name else {
            continue;
        };
        for v in index.login_provider(&name) {
            out.push(Finding {
                vendor: v,
                kind: EvidenceKind::Call,
                line: call.line,
                text: Some(format!("login provider `{name}`: {}", call.text.trim())),
                scope: Scope::Production,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_are_literals_or_symbols() {
        assert_eq!(literal_name("\"github\""), Some("github"));
        assert_eq!(literal_name("'google'"), Some("google"));
        assert_eq!(literal_name(":google_oauth2"), Some("google_oauth2"));
        assert_eq!(literal_name("$provider"), None);
        assert_eq!(literal_name("name"), None);
        assert!(registers("AddProvider"));
        assert!(registers("driver"));
        assert!(registers("add_provider"));
        assert!(!registers("addProviders"));
        assert!(!registers("send"));
        assert!(opens_registration("\tauthenticator.AddProvider(\""));
        assert!(opens_registration("return Socialite::driver('"));
        assert!(opens_registration("  provider :"));
        assert!(!opens_registration("const url = \""));
        assert_eq!(
            named_registration("AddAppleProvider").as_deref(),
            Some("apple")
        );
        assert_eq!(
            named_registration("add_microsoft_provider").as_deref(),
            Some("microsoft")
        );
        assert_eq!(named_registration("AddProvider"), None);
        assert_eq!(named_registration("addProviders"), None);
        assert_eq!(
            registration_method("apple").as_deref(),
            Some("AddAppleProvider")
        );
        assert_eq!(registration_method("google-oauth2"), None);
    }
}
