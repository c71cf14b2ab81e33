//! JVM: Maven `pom.xml` (scope `test`), Gradle `build.gradle(.kts)`
//! (`testImplementation` and friends) and Gradle version catalogs.

use std::sync::OnceLock;

use regex::Regex;

use super::{Dependency, Manifest, line_at};
use crate::catalog::Ecosystem;
use crate::model::Scope;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("constant regex"))
}

/// Replaces XML comments with spaces, keeping newlines (and so line numbers).
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find("-->").map(|e| e + 3).unwrap_or(after.len());
        for c in after[..end].chars() {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[derive(Default)]
struct PomDep {
    group: Option<String>,
    artifact: Option<String>,
    artifact_at: usize,
    scope: Option<String>,
}

/// Reads a `pom.xml`. Dependencies under `dependencyManagement` only pin
/// versions and are not dependencies; plugin dependencies are build tooling.
pub fn pom(text: &str) -> Manifest {
    static TAG: OnceLock<Regex> = OnceLock::new();
    let tag = re(&TAG, r"<(/?)([A-Za-z_][\w.:-]*)[^<>]*?(/?)>");
    let clean = blank_comments(text);
    let mut m = Manifest::default();
    let mut stack: Vec<String> = Vec::new();
    let mut dep: Option<PomDep> = None;
    let mut text_start = 0usize;
    for c in tag.captures_iter(&clean) {
        let Some(whole) = c.get(0) else { continue };
        let closing = &c[1] == "/";
        let self_closing = &c[3] == "/";
        let name = c[2].to_string();
        if closing {
            let inner = clean[text_start..whole.start()].trim();
            let parent_is_dep = stack.len() >= 2 && stack[stack.len() - 2] == "dependency";
            if let (Some(d), true) = (dep.as_mut(), parent_is_dep) {
                match name.as_str() {
                    "groupId" => d.group = Some(inner.to_string()),
                    "artifactId" => {
                        d.artifact = Some(inner.to_string());
                        d.artifact_at = text_start;
                    }
                    "scope" => d.scope = Some(inner.to_string()),
                    _ => {}
                }
            }
            if name == "artifactId" && stack.len() == 2 && stack[0] == "project" {
                m.name.get_or_insert_with(|| inner.to_string());
            }
            if name == "dependency" {
                if let Some(d) = dep.take() {
                    let managed = stack.iter().any(|s| s == "dependencyManagement");
                    let plugin = stack.iter().any(|s| s == "plugin");
                    if let (Some(g), Some(a), false) = (d.group, d.artifact, managed) {
                        let scope = match d.scope.as_deref() {
                            Some("test") => Scope::Test,
                            _ if plugin => Scope::Dev,
                            _ => Scope::Production,
                        };
                        m.dependencies.push(Dependency {
                            ecosystem: Ecosystem::Maven,
                            name: format!("{g}:{a}"),
                            line: line_at(text, d.artifact_at),
                            scope,
                        });
                    }
                }
            }
            // Pop to the matching open tag (tolerates unbalanced input).
            if let Some(p) = stack.iter().rposition(|s| *s == name) {
                stack.truncate(p);
            }
        } else if !self_closing && !name.starts_with('?') {
            if name == "dependency" {
                dep = Some(PomDep::default());
            }
            stack.push(name);
        }
        text_start = whole.end();
    }
    m
}

/// The scope a Gradle configuration name gives.
fn configuration_scope(conf: &str) -> Option<Scope> {
    let c = conf.trim();
    let known = [
        "implementation",
        "api",
        "compile",
        "compileOnly",
        "runtimeOnly",
        "runtime",
        "kapt",
        "ksp",
        "annotationProcessor",
        "classpath",
        "provided",
    ];
    let lower = c.to_ascii_lowercase();
    if lower.starts_with("test")
        || lower.starts_with("androidtest")
        || lower.contains("testimplementation")
    {
        return Some(Scope::Test);
    }
    if lower.starts_with("debug") || c == "classpath" || lower.starts_with("lint") {
        return Some(Scope::Dev);
    }
    if known
        .iter()
        .any(|k| lower == k.to_ascii_lowercase() || lower.ends_with(&k.to_ascii_lowercase()))
    {
        return Some(Scope::Production);
    }
    None
}

/// Reads a `build.gradle` or `build.gradle.kts`.
pub fn gradle(text: &str) -> Manifest {
    static COORD: OnceLock<Regex> = OnceLock::new();
    static MAP: OnceLock<Regex> = OnceLock::new();
    let coord = re(
        &COORD,
        r#"^\s*([A-Za-z]+)\s*\(?\s*(?:platform\s*\(\s*)?["']([^"':\s]+):([^"':\s]+)(?::[^"']*)?["']"#,
    );
    let map = re(
        &MAP,
        r#"^\s*([A-Za-z]+)\s*\(?\s*group\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)["']"#,
    );
    let mut m = Manifest::default();
    let mut in_block_comment = false;
    for (i, raw) in text.lines().enumerate() {
        let mut line = raw;
        if in_block_comment {
            match line.find("*/") {
                Some(p) => {
                    in_block_comment = false;
                    line = &line[p + 2..];
                }
                None => continue,
            }
        }
        if let Some(p) = line.find("/*") {
            if !line[p..].contains("*/") {
                in_block_comment = true;
            }
            line = &line[..p];
        }
        let line = line.split("//").next().unwrap_or("");
        let caps = coord.captures(line).or_else(|| map.captures(line));
        let Some(c) = caps else { continue };
        let Some(scope) = configuration_scope(&c[1]) else {
            continue;
        };
        m.dependencies.push(Dependency {
            ecosystem: Ecosystem::Maven,
            name: format!("{}:{}", &c[2], &c[3]),
            line: (i + 1) as u32,
            scope,
        });
    }
    m
}

/// Reads `gradle/libs.versions.toml` (`module = "g:a"` or `group`/`name`).
pub fn gradle_catalog(text: &str) -> Manifest {
    static MODULE: OnceLock<Regex> = OnceLock::new();
    static GN: OnceLock<Regex> = OnceLock::new();
    let module = re(&MODULE, r#"module\s*=\s*["']([^"':]+):([^"':]+)["']"#);
    let gn = re(
        &GN,
        r#"group\s*=\s*["']([^"']+)["']\s*,\s*name\s*=\s*["']([^"']+)["']"#,
    );
    let mut m = Manifest::default();
    let mut in_libraries = false;
    for (i, raw) in text.lines().enumerate() {
        let line = super::strip_hash_comment(raw).trim();
        if line.starts_with('[') {
            in_libraries = line == "[libraries]";
            continue;
        }
        if !in_libraries {
            continue;
        }
        if let Some(c) = module.captures(line).or_else(|| gn.captures(line)) {
            m.dependencies.push(Dependency {
                ecosystem: Ecosystem::Maven,
                name: format!("{}:{}", &c[1], &c[2]),
                line: (i + 1) as u32,
                scope: Scope::Production,
            });
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(m: &Manifest) -> Vec<(&str, u32, Scope)> {
        m.dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.scope))
            .collect()
    }

    #[test]
    fn pom_scopes_and_management() {
        let text = r#"<?xml version="1.0"?>
<project>
  <groupId>com.acme</groupId>
  <artifactId>billing</artifactId>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>io.sentry</groupId><artifactId>sentry-bom</artifactId></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <!-- <dependency><groupId>com.mixpanel</groupId><artifactId>mixpanel-java</artifactId></dependency> -->
    <dependency>
      <groupId>com.stripe</groupId>
      <artifactId>stripe-java</artifactId>
      <version>24.0.0</version>
    </dependency>
    <dependency>
      <groupId>io.sentry</groupId>
      <artifactId>sentry</artifactId>
      <scope>test</scope>
    </dependency>
  </dependencies>
</project>
"#;
        let m = pom(text);
        assert_eq!(m.name.as_deref(), Some("billing"));
        assert_eq!(
            got(&m),
            vec![
                ("com.stripe:stripe-java", 14, Scope::Production),
                ("io.sentry:sentry", 19, Scope::Test)
            ]
        );
    }

    #[test]
    fn gradle_configurations() {
        let text = r#"plugins { id("com.android.application") }
dependencies {
    implementation("com.mixpanel.android:mixpanel-android:7.+")
    // implementation("io.sentry:sentry-android:7.0.0")
    testImplementation 'com.stripe:stripe-java:24.0.0'
    androidTestImplementation group: 'io.sentry', name: 'sentry', version: '7.0'
    debugImplementation "com.squareup.leakcanary:leakcanary-android:2.12"
}
"#;
        let m = gradle(text);
        assert_eq!(
            got(&m),
            vec![
                (
                    "com.mixpanel.android:mixpanel-android",
                    3,
                    Scope::Production
                ),
                ("com.stripe:stripe-java", 5, Scope::Test),
                ("io.sentry:sentry", 6, Scope::Test),
                ("com.squareup.leakcanary:leakcanary-android", 7, Scope::Dev),
            ]
        );
    }

    #[test]
    fn version_catalog() {
        let text = "[versions]\nsentry = \"7.0\"\n\n[libraries]\nsentry-android = { module = \"io.sentry:sentry-android\", version.ref = \"sentry\" }\nstripe = { group = \"com.stripe\", name = \"stripe-android\", version = \"20\" }\n";
        let m = gradle_catalog(text);
        assert_eq!(
            got(&m),
            vec![
                ("io.sentry:sentry-android", 5, Scope::Production),
                ("com.stripe:stripe-android", 6, Scope::Production)
            ]
        );
    }

    #[test]
    fn unbalanced_xml_does_not_panic() {
        let text = format!("{}<dependency><artifactId>x", "<a>".repeat(100_000));
        let _ = pom(&text);
        let _ = pom("</dependency></project><dependency>");
    }
}
