//! Renderers with no server of their own, and the hosted vendor the
//! repository configures for them.
//!
//! MapLibre (Android `org.maplibre.android`, iOS `MapLibre`, JS
//! `maplibre-gl` and its React bindings) draws maps from tiles, styles and
//! images it fetches from whatever host the application gives it. Pointing
//! its camera at a place makes it fetch the tiles around that place, so the
//! host learns the area being looked at. The rule:
//!
//! - a vendor *hosts for* a renderer when its catalog file lists it under
//!   `renderers:` (MapTiler, Stadia Maps, Mapbox for MapLibre);
//! - the repository *configures* such a vendor when production code or
//!   configuration names one of its hosts or keys (endpoint, config, HTTP
//!   or script evidence; a host in a comment, a link, a test or a docs file
//!   is not configuration). With none configured (self-hosted tiles,
//!   OpenStreetMap's own tile server) the renderer sends nothing to any
//!   vendor, and nothing is reported;
//! - in a production file that imports the renderer, a location value
//!   passed to one of its camera methods (`easeCamera`, `setCenter`,
//!   `flyTo`, ...), assigned to a camera property (`centerCoordinate =`),
//!   or put into the geometry such a call takes (`LatLng(lat, lng)`,
//!   `CameraPosition.Builder().target(...)`) in the function that moves the
//!   camera, is sent to the configured vendor as `user.location.imprecise`
//!   (what the tiles reveal is an area at the view's zoom, not the point);
//!   turning on device-location tracking (`userTrackingMode = .follow`)
//!   sends the device's area the same way. A value is a location by its
//!   name ([`super::classify`], or a name of the map's centre such as
//!   `newCenter`); a constant (`DEFAULT_CENTER`,
//!   `LatLng(48.85, 2.35)`) is not a person's;
//! - a function of such a file that passes one of its parameters to the
//!   camera is a wrapper ([`super::wrappers`]): its call sites send that
//!   argument to the vendor.
//!
//! With two hosted vendors configured, a file that names one of their hosts
//! itself (its style URL) sends to that one; any other file to all of them,
//! since which one serves a given view is configuration the scan cannot
//! see, and a breach of either would expose the views it served.
//!
//! Limits, on purpose: camera methods are matched by name in a file that
//! imports the renderer, whatever their receiver; markers (`setLngLat`,
//! annotations) are not flows, since placing one fetches nothing; static
//! map images built from a URL are plain HTTP, left to [`super::http`].

use std::collections::{BTreeMap, BTreeSet};

use super::Finding;
use super::calls::{self, CallField};
use super::classify::classify_arg;
use super::index::VendorIx;
use super::lang::{Call, FileFacts, FunctionDef, Lang};
use super::wrappers::{Family, Forward, Wrapper};
use crate::catalog::ImportLang;
use crate::catalog::renderers::Renderer;
use crate::model::{EvidenceKind, Scope};

/// At most this many geometries of one function are reported at each of
/// its camera calls (a generated function of thousands of `LatLng`s stays
/// linear).
const MAX_BUILT: usize = 8;

/// What the tiles of a view reveal: the area around its centre.
pub const VIEWPORT: &str = "user.location.imprecise";

/// One renderer and the hosted vendors the repository configures for it.
#[derive(Debug, Clone)]
pub struct Hosted {
    /// The renderer's facts.
    pub renderer: &'static Renderer,
    /// The configured vendors, with their hosts (for a file that names one).
    pub vendors: BTreeMap<VendorIx, Vec<String>>,
}

/// The import language of a parsed language, for the renderer's
/// `imports`: the first of its row's.
fn import_lang(lang: Lang) -> Option<ImportLang> {
    lang.spec().import_langs.first().copied()
}

/// The renderer's module names in `lang`.
pub fn modules(renderer: &Renderer, lang: Lang) -> &[String] {
    import_lang(lang)
        .and_then(|l| renderer.imports.get(&l))
        .map_or(&[], Vec::as_slice)
}

/// True when the module `m` is one of `names` or inside one
/// (`org.maplibre.android.maps.MapLibreMap`, `maplibre-gl/dist/x`).
fn is_module(m: &str, names: &[String]) -> bool {
    names.iter().any(|n| {
        m == n
            || m.strip_prefix(n.as_str())
                .is_some_and(|rest| rest.starts_with(['.', '/']))
    })
}

/// True when the file imports the renderer.
pub fn imports_renderer(lang: Lang, facts: &FileFacts, renderer: &Renderer) -> bool {
    let names = modules(renderer, lang);
    // A type import counts: `map: Map` from `maplibre-gl` is the renderer.
    !names.is_empty()
        && facts
            .imports
            .iter()
            .chain(&facts.type_imports)
            .any(|i| is_module(&i.module, names))
}

/// The last segment of a dotted callee.
fn method(callee: &str) -> &str {
    callee.rsplit('.').next().unwrap_or(callee)
}

/// A constant of the code: a literal, or a name written in capitals
/// (`DEFAULT_LAT`, `Config.DEFAULT_CENTER`).
pub(crate) fn constant(expr: &str) -> bool {
    let e = expr.trim();
    if calls::is_literal(e) {
        return true;
    }
    let last = e.rsplit('.').next().unwrap_or(e);
    last.chars().any(|c| c.is_ascii_uppercase())
        && last
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The location an expression holds, by its own name or the names of its
/// parts (`[pos.coords.longitude, pos.coords.latitude]`), constants aside:
/// the expression to report it by.
fn location(key: Option<&str>, expr: &str) -> Option<String> {
    let is_loc = |k: Option<&str>, e: &str| {
        !constant(e)
            && !super::http::is_config_value(e)
            && (classify_arg(k, e).is_some_and(|c| c.category.starts_with("user.location"))
                || names_centre(e))
    };
    let e = expr.trim();
    // A call's result (`newLatLng(LatLng(a, b))`) is read through the
    // call itself, which the facts list on its own.
    if e.len() > 200 || e.ends_with(')') {
        return None;
    }
    if is_loc(key, e) {
        return Some(e.to_string());
    }
    let inner = e
        .trim_start_matches(['[', '(', '{'])
        .trim_end_matches([']', ')', '}']);
    if inner.contains(',') {
        return inner
            .split(',')
            .map(|p| p.split(':').next_back().unwrap_or(p).trim())
            .find(|p| is_loc(None, p))
            .map(str::to_string);
    }
    None
}

/// True when a value given to a camera is named as the map's centre
/// (`newCenter`, `options.mapCenter`): where a camera is pointed, its
/// centre is a place, whatever else the word means elsewhere.
fn names_centre(expr: &str) -> bool {
    let last = expr.trim().rsplit('.').next().unwrap_or(expr);
    last.chars().all(|c| c.is_alphanumeric() || c == '_')
        && calls::identifier_words(last)
            .iter()
            .any(|w| w == "center" || w == "centre")
}

/// True when a value turns a tracking mode off (`.none`, `CameraMode.NONE`).
fn turns_off(expr: &str) -> bool {
    let last = expr.trim().rsplit('.').next().unwrap_or("");
    matches!(
        last.to_ascii_lowercase().as_str(),
        "none" | "false" | "nil" | "null" | "0"
    )
}

/// The right-hand side of `name = value` on a line of the source.
fn assigned<'t>(line: &'t str, name: &str) -> Option<&'t str> {
    let at = line.find(name)? + name.len();
    let rest = line[at..].trim_start();
    let rest = rest.strip_prefix('=').filter(|r| !r.starts_with('='))?;
    Some(rest.trim().trim_end_matches(';').trim())
}

/// The mode of a line that is exactly `receiver.prop = .mode` (the
/// receiver a dotted name, the mode an enum case written `.case`).
fn mode_assignment<'t>(line: &'t str, prop: &str) -> Option<&'t str> {
    let (lhs, value) = line.split_once('=')?;
    let (receiver, p) = lhs.trim_end().rsplit_once('.')?;
    let name = |s: &str, extra: &[char]| {
        s.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || extra.contains(&c))
    };
    let value = value.trim();
    let case = value.strip_prefix('.')?;
    (p == prop && name(receiver, &['.', '?', '!']) && name(case, &[])).then_some(value)
}

/// The calls of one scope (a function's body, or the file's top level).
struct Body<'f> {
    calls: Vec<&'f Call>,
    def: Option<&'f FunctionDef>,
}

/// The file's scopes: each function, then the calls outside them.
fn scopes(facts: &FileFacts) -> Vec<Body<'_>> {
    let mut inside: BTreeSet<(u32, &str)> = BTreeSet::new();
    let mut out = Vec::new();
    for f in &facts.functions {
        inside.extend(f.calls.iter().map(|c| (c.line, c.callee.as_str())));
        out.push(Body {
            calls: f.calls.iter().collect(),
            def: Some(f),
        });
    }
    out.push(Body {
        calls: facts
            .calls
            .iter()
            .filter(|c| !inside.contains(&(c.line, c.callee.as_str())))
            .collect(),
        def: None,
    });
    out
}

/// What one file sends through the renderer: call evidence, fields, and
/// the functions that forward a parameter to its camera.
#[derive(Debug, Default)]
pub struct Detected {
    /// Call evidence, one per camera call that sends a location, per vendor.
    pub findings: Vec<Finding>,
    /// The locations sent.
    pub fields: Vec<CallField>,
    /// Wrappers of the camera (`file` left empty).
    pub wrappers: Vec<Wrapper>,
}

/// The vendors a file sends to: those of `hosted` whose host the file
/// names itself, else all of them.
fn vendors_for(hosted: &Hosted, text: &str) -> Vec<VendorIx> {
    let named: Vec<VendorIx> = hosted
        .vendors
        .iter()
        .filter(|(_, hosts)| hosts.iter().any(|h| text.contains(h.as_str())))
        .map(|(v, _)| *v)
        .collect();
    if named.is_empty() {
        hosted.vendors.keys().copied().collect()
    } else {
        named
    }
}

/// What a file sends through the renderer so far: the calls and
/// assignments that send (line, text), and the locations sent (line,
/// category, name).
#[derive(Default)]
struct Sent {
    calls_at: BTreeSet<(u32, String)>,
    values: BTreeSet<(u32, String, String)>,
}

impl Sent {
    fn value(&mut self, line: u32, name: String) {
        self.values.insert((line, VIEWPORT.to_string(), name));
    }
}

/// A call to one of the renderer's camera methods.
fn is_camera(r: &Renderer, c: &Call) -> bool {
    r.camera.iter().any(|m| m == method(&c.callee))
}

/// A call that builds the geometry a camera takes (`LatLng(...)`).
fn is_value(r: &Renderer, c: &Call) -> bool {
    let d = calls::dotted(&c.callee);
    r.values.iter().any(|v| v == method(&d) || d == *v)
}

/// The renderer flows of one file (already known to import the renderer):
/// per scope its tracking and camera calls, and its functions that forward
/// a parameter to the camera; then camera properties and tracking modes set
/// by assignment; all sent to each vendor the file sends to.
pub fn detect(lang: Lang, facts: &FileFacts, text: &str, hosted: &Hosted) -> Detected {
    let r = hosted.renderer;
    if hosted.vendors.is_empty() || !imports_renderer(lang, facts, r) {
        return Detected::default();
    }
    let vendors = vendors_for(hosted, text);
    let family = Family::of(lang);
    let mut sent = Sent::default();
    let mut wrappers: BTreeMap<(String, u32), Vec<Forward>> = BTreeMap::new();
    for scope in scopes(facts) {
        let cameras = scope_flows(r, &scope, &mut sent);
        if cameras.is_empty() {
            continue;
        }
        // A function that passes a parameter to the camera, as it is or
        // through the geometry it builds, is a wrapper of the camera.
        if let (Some(def), Some(_)) = (scope.def, family) {
            let forwards = forwarded_params(r, def, &cameras, &scope);
            if !forwards.is_empty() {
                wrappers
                    .entry((def.name.clone(), def.line))
                    .or_default()
                    .extend(forwards);
            }
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    assigned_flows(r, facts, &lines, &mut sent);
    mode_flows(r, &lines, &mut sent);
    per_vendor(r, facts, family, &vendors, &sent, &wrappers)
}

/// One scope's tracking calls (`follow…(true)`) and camera calls that take
/// a location, directly or through a geometry built in the scope, into
/// `sent`. Returns the scope's camera calls.
fn scope_flows<'f>(r: &Renderer, scope: &Body<'f>, sent: &mut Sent) -> Vec<&'f Call> {
    let cameras: Vec<&Call> = scope
        .calls
        .iter()
        .copied()
        .filter(|c| is_camera(r, c))
        .collect();
    let follows: Vec<&Call> = scope
        .calls
        .iter()
        .copied()
        .filter(|c| {
            r.follows.iter().any(|m| m == method(&c.callee))
                && c.args.first().is_some_and(|a| !turns_off(&a.expr))
        })
        .collect();
    for c in &follows {
        sent.calls_at.insert((c.line, c.text.clone()));
        sent.value(c.line, format!("device location ({})", method(&c.callee)));
    }
    if cameras.is_empty() {
        return cameras;
    }
    let built = built_locations(r, scope);
    for cam in &cameras {
        let direct: Vec<(u32, String)> = cam
            .args
            .iter()
            .filter_map(|a| location(a.key.as_deref(), &a.expr).map(|e| (a.line, e)))
            .collect();
        let found: Vec<(u32, String)> = if direct.is_empty() {
            built
                .iter()
                .map(|(line, e)| {
                    if cam.outside(*line) {
                        (cam.line, format!("{e} (built at line {line})"))
                    } else {
                        (*line, e.clone())
                    }
                })
                .collect()
        } else {
            direct
        };
        if !found.is_empty() {
            sent.calls_at.insert((cam.line, cam.text.clone()));
        }
        for (line, name) in found {
            sent.value(line, name);
        }
    }
    cameras
}

/// Locations put into the geometry the camera takes, in one scope. One per
/// geometry (`LatLng(lat, lng)` gives `lat`); an argument that is itself
/// such a geometry is counted as its own call.
fn built_locations(r: &Renderer, scope: &Body<'_>) -> Vec<(u32, String)> {
    let nested = |e: &str| {
        r.values.iter().any(|v| {
            e.trim()
                .strip_prefix(v.as_str())
                .is_some_and(|rest| rest.starts_with('('))
        })
    };
    scope
        .calls
        .iter()
        .filter(|c| is_value(r, c))
        .filter_map(|c| {
            c.args
                .iter()
                .filter(|a| !nested(&a.expr))
                .find_map(|a| location(a.key.as_deref(), &a.expr).map(|e| (a.line, e)))
        })
        .take(MAX_BUILT)
        .collect()
}

/// The parameters of `def` that reach its camera calls, as they are or
/// through a geometry built in its body.
fn forwarded_params(
    r: &Renderer,
    def: &FunctionDef,
    cameras: &[&Call],
    scope: &Body<'_>,
) -> Vec<Forward> {
    let reaches: Vec<&str> = cameras
        .iter()
        .copied()
        .chain(scope.calls.iter().copied().filter(|c| is_value(r, c)))
        .flat_map(|c| c.args.iter())
        .map(|a| a.expr.trim())
        .collect();
    let mut out = Vec::new();
    for (i, p) in def.params.iter().enumerate() {
        let name = p.split([':', '=']).next().unwrap_or(p).trim();
        let Ok(index) = u16::try_from(i) else { break };
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let used = reaches.iter().any(|e| {
            *e == name
                || e.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with(['.', '?', '[']))
        });
        if used {
            out.push(Forward {
                index,
                name: name.to_string(),
                event_name: false,
                implies: Some(VIEWPORT.to_string()),
                key: None,
                member: None,
                read: None,
                unless: None,
            });
        }
    }
    out
}

/// Camera properties and tracking modes set by assignment, as the binding
/// facts show them (`map.center = userLocation`).
fn assigned_flows(r: &Renderer, facts: &FileFacts, lines: &[&str], sent: &mut Sent) {
    for b in &facts.bindings {
        let Some((_, prop)) = b.name.rsplit_once('.') else {
            continue;
        };
        let camera = r.camera_properties.iter().any(|p| p == prop);
        let follow = r.follows.iter().any(|p| p == prop);
        if !(camera || follow) {
            continue;
        }
        let Some(value) = usize::try_from(b.line)
            .ok()
            .and_then(|n| lines.get(n.saturating_sub(1)))
            .and_then(|l| assigned(l, &b.name))
        else {
            continue;
        };
        let name = if follow && !turns_off(value) {
            Some(format!("device location ({prop})"))
        } else if camera {
            location(None, value)
        } else {
            None
        };
        if let Some(name) = name {
            let text = lines
                .get(usize::try_from(b.line).unwrap_or(1).saturating_sub(1))
                .map_or(String::new(), |l| l.trim().to_string());
            sent.calls_at.insert((b.line, text));
            sent.value(b.line, name);
        }
    }
}

/// `mapView.userTrackingMode = .follow` has no name as its value: the
/// binding facts miss it; read such assignments from the line, when the
/// whole line is one (`receiver.prop = .mode`, nothing else: not a
/// comment, not text in a string).
fn mode_flows(r: &Renderer, lines: &[&str], sent: &mut Sent) {
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        for prop in &r.follows {
            let Some(value) = mode_assignment(t, prop) else {
                continue;
            };
            if !turns_off(value) {
                let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                sent.calls_at.insert((n, t.trim().to_string()));
                sent.value(n, format!("device location ({prop})"));
            }
        }
    }
}

/// What was sent, as call evidence, fields and camera wrappers for each of
/// `vendors`.
fn per_vendor(
    r: &Renderer,
    facts: &FileFacts,
    family: Option<Family>,
    vendors: &[VendorIx],
    sent: &Sent,
    wrappers: &BTreeMap<(String, u32), Vec<Forward>>,
) -> Detected {
    let mut out = Detected::default();
    for v in vendors {
        for (line, text) in &sent.calls_at {
            out.findings.push(Finding {
                vendor: *v,
                kind: EvidenceKind::Call,
                line: *line,
                text: Some(format!("{} camera: {}", r.name, text.trim())),
                scope: Scope::Production,
            });
        }
        for (line, category, name) in &sent.values {
            out.fields.push(CallField {
                vendor: *v,
                category: category.clone(),
                name: name.clone(),
                line: *line,
            });
        }
        if let Some(family) = family {
            for ((name, line), forwards) in wrappers {
                let def = facts
                    .functions
                    .iter()
                    .find(|f| &f.name == name && f.line == *line);
                let Some(def) = def else { continue };
                out.wrappers
                    .push(camera_wrapper(def, family, *v, &r.name, forwards));
            }
        }
    }
    out.findings.sort_by_key(|f| (f.vendor, f.line));
    out.fields.sort();
    out.fields.dedup();
    out
}

/// A first-party function that moves a renderer's camera to what its
/// parameters give.
fn camera_wrapper(
    def: &FunctionDef,
    family: Family,
    vendor: VendorIx,
    renderer: &str,
    forwards: &[Forward],
) -> Wrapper {
    let mut forwards = forwards.to_vec();
    forwards.sort();
    forwards.dedup();
    let owner = def.owner.clone().filter(|_| family.typed());
    Wrapper {
        forwards,
        ..Wrapper::of(def, family, vendor, format!("{renderer} camera"), owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_and_locations() {
        assert!(constant("DEFAULT_LAT"));
        assert!(constant("Config.DEFAULT_CENTER"));
        assert!(constant("48.85"));
        assert!(!constant("userLocation"));
        assert_eq!(
            location(None, "[pos.coords.longitude, pos.coords.latitude]").as_deref(),
            Some("pos.coords.longitude")
        );
        assert_eq!(location(None, "DEFAULT_LAT"), None);
        assert_eq!(location(None, "zoomLevel"), None);
        assert_eq!(
            location(None, "event.userLocation").as_deref(),
            Some("event.userLocation")
        );
    }

    #[test]
    fn assignments_and_modes() {
        assert_eq!(
            assigned(
                "mapView.userTrackingMode = .follow",
                "mapView.userTrackingMode"
            ),
            Some(".follow")
        );
        assert_eq!(assigned("a.center == b", "a.center"), None);
        assert_eq!(
            mode_assignment("mapView.userTrackingMode = .follow", "userTrackingMode"),
            Some(".follow")
        );
        assert_eq!(
            mode_assignment(
                "self.mapView?.userTrackingMode = .followWithHeading",
                "userTrackingMode"
            ),
            Some(".followWithHeading")
        );
        for not_code in [
            "// mapView.userTrackingMode = .follow",
            "let doc = \"mapView.userTrackingMode = .follow\"",
            "mapView.userTrackingMode == .follow",
            "mapView.userTrackingMode = mode",
        ] {
            assert_eq!(
                mode_assignment(not_code, "userTrackingMode"),
                None,
                "{not_code}"
            );
        }
        assert!(turns_off(".none"));
        assert!(turns_off("CameraMode.NONE"));
        assert!(!turns_off(".followWithHeading"));
    }

    #[test]
    fn modules_match_at_a_boundary() {
        let names = vec![
            "org.maplibre.android".to_string(),
            "maplibre-gl".to_string(),
        ];
        assert!(is_module("org.maplibre.android.maps.MapLibreMap", &names));
        assert!(is_module("maplibre-gl", &names));
        assert!(!is_module("maplibre-gl-draw", &names));
        assert!(!is_module("org.maplibre.androidx", &names));
    }
}
