//! What SDKs send by themselves: the catalog's `collects` for a vendor,
//! turned into fields of an integration when the code shows the SDK running
//! on a platform the catalog names.
//!
//! The platform comes from the integration's production import and script
//! evidence (manifests alone say nothing about where the SDK runs):
//! - `browser`: a script tag or loader snippet; an import in a `.tsx`,
//!   `.jsx`, `.vue`, `.svelte` or HTML file; a JS/TS import of a browser
//!   package (its name says `browser`, `-js`, or a front-end framework);
//! - `mobile`: Swift, React Native, Android (`android` in a Java/Kotlin import);
//! - `server`: Python, Ruby, Go, PHP, other Java/Kotlin, and any other JS/TS
//!   import (Node).
//!
//! A `disabled_by` text turns a collected category off when it appears in a
//! file holding evidence of that integration; an `enabled_by` text is an
//! opt-in: an item that lists some is collected only when one of them
//! appears so (Sentry's `send_default_pii=True` / `sendDefaultPii: true`).
//! Texts are compared after lowercasing, dropping whitespace and making
//! double quotes single (so `persistence: "localStorage"` matches
//! `persistence: 'localStorage'`). It is a plain substring search: a
//! commented-out setting counts too, either way.

use std::collections::{BTreeMap, BTreeSet};

use super::FieldUse;
use super::lang::{Lang, PlatformRule};
use crate::catalog::{CatalogVendor, Platform};
use crate::model::{Evidence, EvidenceKind, Scope};

/// The `how` of a collected field is cut to this many characters in its name.
const MAX_HOW: usize = 120;

/// Lowercase, no whitespace, double quotes made single.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c == '"' {
                '\''
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// A vendor's configuration texts (`disabled_by` and `enabled_by`),
/// normalised, each once.
pub fn switches(v: &CatalogVendor) -> Vec<String> {
    let set: BTreeSet<String> = v
        .collects
        .iter()
        .flat_map(|c| c.disabled_by.iter().chain(c.enabled_by.iter()))
        .map(|d| normalise(d))
        .filter(|d| !d.is_empty())
        .collect();
    set.into_iter().collect()
}

/// The (normalised) configuration texts of `vendors` found in `text`.
pub fn switches_in(
    text: &str,
    vendors: &BTreeSet<u16>,
    switches: &[Vec<String>],
) -> Vec<(u16, String)> {
    let wanted: Vec<(u16, &String)> = vendors
        .iter()
        .flat_map(|&v| {
            switches
                .get(usize::from(v))
                .into_iter()
                .flatten()
                .map(move |d| (v, d))
        })
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    // A setting in a commented-out line is not in force.
    let live: String = text
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with('#')
                || t.starts_with("//")
                || t.starts_with("/*")
                || t.starts_with('*')
                || t.starts_with("<!--"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let norm = normalise(&live);
    wanted
        .into_iter()
        .filter(|(_, d)| norm.contains(d.as_str()))
        .map(|(v, d)| (v, d.clone()))
        .collect()
}

/// Where a piece of evidence shows the SDK running, if it does.
fn platform_of(e: &Evidence) -> Option<Platform> {
    if e.scope != Scope::Production {
        return None;
    }
    let name = e.file.rsplit('/').next().unwrap_or(&e.file);
    let lang = Lang::from_path(std::path::Path::new(name));
    let text = e.text.to_ascii_lowercase();
    match e.kind {
        EvidenceKind::Script => Some(Platform::Browser),
        EvidenceKind::Import => match lang?.spec().platform {
            PlatformRule::Browser => Some(Platform::Browser),
            PlatformRule::ByPackage => {
                if text.contains("react-native") {
                    Some(Platform::Mobile)
                } else if name.ends_with(".jsx")
                    || [
                        "browser", "-js", "/react", "/vue", "/angular", "/svelte", "/nextjs",
                        "/remix", "/gatsby", "/nuxt", "/astro",
                    ]
                    .iter()
                    .any(|h| text.contains(h))
                {
                    Some(Platform::Browser)
                } else {
                    Some(Platform::Server)
                }
            }
            PlatformRule::Mobile => Some(Platform::Mobile),
            PlatformRule::ServerUnlessAndroid if text.contains("android") => Some(Platform::Mobile),
            PlatformRule::ServerUnlessAndroid | PlatformRule::Server => Some(Platform::Server),
        },
        _ => None,
    }
}

/// How a field the SDK sends by itself is named: this, then `: ` and how.
/// Readers tell such a field from one seen at a call by it
/// ([`is_collected`]).
pub const COLLECTED: &str = "collected by the SDK";

/// True for the name of a field the SDK sends by itself.
pub fn is_collected(name: &str) -> bool {
    name.starts_with(COLLECTED)
}

fn how_name(how: Option<&str>) -> String {
    match how.map(str::trim).filter(|h| !h.is_empty()) {
        None => COLLECTED.to_string(),
        Some(h) => {
            let mut cut: String = h.chars().take(MAX_HOW).collect();
            if h.chars().count() > MAX_HOW {
                cut.push('…');
            }
            format!("{COLLECTED}: {cut}")
        }
    }
}

/// The fields `v`'s SDK collects by itself on the platforms `evidence`
/// shows, given the configuration texts (normalised) `seen` in its files:
/// less those a `disabled_by` text turns off, and of the opt-in ones only
/// those an `enabled_by` text turns on; each at the first evidence of its
/// platform, with one `collects` evidence there.
pub fn collected(
    v: &CatalogVendor,
    evidence: &[Evidence],
    seen: &BTreeSet<String>,
) -> (Vec<FieldUse>, Vec<Evidence>) {
    // The first evidence (they are sorted) per platform.
    let mut at: BTreeMap<Platform, &Evidence> = BTreeMap::new();
    for e in evidence {
        if let Some(p) = platform_of(e) {
            at.entry(p).or_insert(e);
        }
    }
    let mut fields = Vec::new();
    let mut per_place: BTreeMap<(&str, u32), BTreeSet<&str>> = BTreeMap::new();
    for c in &v.collects {
        let present = |texts: &[String]| texts.iter().any(|d| seen.contains(&normalise(d)));
        if present(&c.disabled_by) || (!c.enabled_by.is_empty() && !present(&c.enabled_by)) {
            continue;
        }
        let place = if c.platforms.is_empty() {
            at.values().next().copied()
        } else {
            c.platforms.iter().find_map(|p| at.get(p).copied())
        };
        let Some(e) = place else {
            continue;
        };
        fields.push(FieldUse {
            category: c.category.clone(),
            name: how_name(c.how.as_deref()),
            file: e.file.clone(),
            line: e.line,
        });
        per_place
            .entry((e.file.as_str(), e.line))
            .or_default()
            .insert(c.category.as_str());
    }
    let ev = per_place
        .into_iter()
        .map(|((file, line), cats)| Evidence {
            kind: EvidenceKind::Collects,
            file: file.to_string(),
            line,
            text: format!(
                "the SDK collects by itself: {}",
                cats.into_iter().collect::<Vec<_>>().join(", ")
            ),
            scope: Scope::Production,
        })
        .collect();
    (fields, ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commented_out_setting_is_not_in_force() {
        let v = vendor();
        let sw = vec![switches(&v)];
        let vendors: BTreeSet<u16> = [0].into_iter().collect();
        let live = "mixpanel.init(TOKEN, {\n  ip: false,\n});\n";
        assert_eq!(
            switches_in(live, &vendors, &sw),
            [(0, "ip:false".to_string())]
        );
        for commented in [
            "mixpanel.init(TOKEN, {\n  // ip: false,\n});\n",
            "# ip: false\n",
            "/* ip: false */\n",
            "<!-- ip: false -->\n",
        ] {
            assert!(
                switches_in(commented, &vendors, &sw).is_empty(),
                "{commented}"
            );
        }
    }

    fn vendor() -> CatalogVendor {
        serde_yaml::from_str(
            "{id: mp, name: MP, category: analytics, collects: [\
             {category: user.location.imprecise, how: from the IP, platforms: [browser, mobile], disabled_by: ['ip: false']},\
             {category: user.device.cookie_id, platforms: [browser], disabled_by: [\"persistence: 'localStorage'\"]},\
             {category: user.content, platforms: [server]}]}",
        )
        .unwrap()
    }

    fn ev(kind: EvidenceKind, file: &str, line: u32, text: &str) -> Evidence {
        Evidence {
            kind,
            file: file.into(),
            line,
            text: text.into(),
            scope: Scope::Production,
        }
    }

    #[test]
    fn browser_import_collects_browser_fields_at_the_import() {
        let evidence = [
            ev(
                EvidenceKind::Manifest,
                "web/package.json",
                5,
                "\"mixpanel-browser\"",
            ),
            ev(
                EvidenceKind::Import,
                "web/src/a.ts",
                3,
                "import mixpanel from \"mixpanel-browser\";",
            ),
        ];
        let (fields, evs) = collected(&vendor(), &evidence, &BTreeSet::new());
        let got: Vec<(&str, &str, u32)> = fields
            .iter()
            .map(|f| (f.category.as_str(), f.file.as_str(), f.line))
            .collect();
        assert_eq!(
            got,
            [
                ("user.location.imprecise", "web/src/a.ts", 3),
                ("user.device.cookie_id", "web/src/a.ts", 3)
            ]
        );
        assert_eq!(fields[0].name, "collected by the SDK: from the IP");
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].kind, EvidenceKind::Collects);
    }

    #[test]
    fn config_text_turns_collection_off_whatever_the_quotes() {
        let code = "mixpanel.init(T, {\n  persistence: \"localStorage\",\n  ip:false })";
        let v = vendor();
        let found = switches_in(code, &BTreeSet::from([0]), &[switches(&v)]);
        let disabled: BTreeSet<String> = found.into_iter().map(|(_, d)| d).collect();
        let evidence = [ev(
            EvidenceKind::Script,
            "index.html",
            9,
            "<script src=...>",
        )];
        let (fields, _) = collected(&v, &evidence, &disabled);
        assert!(fields.is_empty(), "{fields:?}");
    }

    #[test]
    fn manifest_or_test_evidence_alone_collects_nothing() {
        let mut test_import = ev(
            EvidenceKind::Import,
            "web/src/a.test.ts",
            1,
            "import mixpanel from \"mixpanel-browser\"",
        );
        test_import.scope = Scope::Test;
        let evidence = [
            ev(
                EvidenceKind::Manifest,
                "package.json",
                5,
                "mixpanel-browser",
            ),
            test_import,
        ];
        assert!(
            collected(&vendor(), &evidence, &BTreeSet::new())
                .0
                .is_empty()
        );
    }

    #[test]
    fn python_import_is_server() {
        let evidence = [ev(EvidenceKind::Import, "api/main.py", 4, "import mp")];
        let (fields, _) = collected(&vendor(), &evidence, &BTreeSet::new());
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].category, "user.content");
    }
}
