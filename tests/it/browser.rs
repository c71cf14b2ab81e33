//! The HTML pages in a real browser: Debian's chromium, headless, from
//! `file://` with networking features off. It takes screenshots, and reads
//! the DOM after the page's script ran (`--dump-dom`) to check that the
//! diagram has the expected nodes and that choosing a vendor (through
//! `#vendor=ID`, the same code path as the picker) changes what is
//! highlighted.
//!
//! Without /usr/bin/chromium the tests print a notice and pass, except when
//! `CI=true`: `.ci/run` installs it there, so its absence is a failure.
//! `BLASTMAP_SCREENSHOTS=1` also copies the screenshots to
//! `examples/api-platform/` (the ones the README shows).

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{SEED, cli};

const CHROMIUM: &str = "/usr/bin/chromium";

pub(crate) fn chromium() -> Option<&'static str> {
    if Path::new(CHROMIUM).exists() {
        return Some(CHROMIUM);
    }
    common::tool_missing(
        CHROMIUM,
        "Debian's chromium not installed; browser test skipped",
    );
    None
}

/// Runs chromium headless with everything that could reach the network off;
/// returns stdout. Killed after a minute.
pub(crate) fn run_chromium(bin: &str, profile: &Path, extra: &[String], url: &str) -> String {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("chromium starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within a minute: {url}");
            }
        }
    }
    reader.join().unwrap_or_default()
}

pub(crate) fn url(path: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", path.display())
}

/// The page's DOM after its script ran.
pub(crate) fn dump_dom(bin: &str, profile: &Path, page: &Path, fragment: &str) -> String {
    let dom = run_chromium(
        bin,
        profile,
        &["--virtual-time-budget=3000".into(), "--dump-dom".into()],
        &url(page, fragment),
    );
    assert!(
        dom.contains("</html>"),
        "no DOM dumped for {page:?}{fragment}"
    );
    dom
}

/// Screenshot; checks it is a PNG of the window's size and not blank.
pub(crate) fn screenshot(bin: &str, profile: &Path, page: &Path, png: &Path, w: u32, h: u32) {
    let _ = std::fs::remove_file(png);
    run_chromium(
        bin,
        profile,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={w},{h}"),
        ],
        &url(page, ""),
    );
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("no screenshot {png:?}: {e}"));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let dim = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    assert_eq!((dim(16), dim(20)), (w, h), "the window's size");
    // A blank page of this size compresses to a few kilobytes.
    assert!(
        bytes.len() > 40_000,
        "{png:?} looks blank: {} bytes",
        bytes.len()
    );
}

/// Element ids whose class list has `class`.
fn ids_with_class(dom: &str, class: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(r#"<[a-z]+ class="([^"]*)" id="([^"]*)""#).unwrap();
    re.captures_iter(dom)
        .filter(|c| c[1].split_whitespace().any(|x| x == class))
        .map(|c| c[2].to_string())
        .collect()
}

fn write_page(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let mut a = args.to_vec();
    a.extend_from_slice(&["--map", SEED]);
    let (code, out, err) = cli(&a);
    assert_eq!(code, 0, "{err}");
    let p = dir.join(name);
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn pages_render_and_the_vendor_picker_switches_the_highlight() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let blast = write_page(
        dir.path(),
        "blast-mixpanel.html",
        &["blast", "mixpanel", "-f", "html"],
    );
    let graph = write_page(
        dir.path(),
        "graph.html",
        &["graph", "-f", "html", "--vendor", "mixpanel"],
    );

    let blast_png = dir.path().join("blast-mixpanel.png");
    let graph_png = dir.path().join("graph.png");
    screenshot(bin, &profile, &blast, &blast_png, 1400, 1800);
    screenshot(bin, &profile, &graph, &graph_png, 1600, 1120);
    if std::env::var("BLASTMAP_SCREENSHOTS").as_deref() == Ok("1") {
        let out = Path::new("examples/api-platform");
        std::fs::copy(&blast_png, out.join("blast-mixpanel.png")).unwrap();
        std::fs::copy(&graph_png, out.join("graph.png")).unwrap();
    }

    // The blast page: its diagram, with Mixpanel's paths highlighted.
    let dom = dump_dom(bin, &profile, &blast, "");
    for id in [
        "node-field-email",
        "node-component-dashboard",
        "node-vendor-mixpanel",
        "node-vendor-stripe",
        "node-sub-processor-google-cloud",
    ] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "blast page: {id}");
    }
    let hl = ids_with_class(&dom, "hl");
    assert!(hl.contains("node-vendor-mixpanel") && hl.contains("node-field-email"));
    assert!(
        !hl.contains("node-field-api_key"),
        "API keys never reached Mixpanel"
    );

    // The graph page as served: Mixpanel, from --vendor.
    let as_served = dump_dom(bin, &profile, &graph, "");
    let mixpanel = ids_with_class(&as_served, "hl");
    assert!(mixpanel.contains("node-vendor-mixpanel"), "{mixpanel:?}");
    assert!(!mixpanel.contains("node-vendor-stripe"));
    assert!(as_served.contains("data-highlight=\"mixpanel\""));

    // Picking Stripe (the page reads #vendor= on load, as the picker
    // writes it): the script moves the highlight.
    let picked = dump_dom(bin, &profile, &graph, "#vendor=stripe");
    let stripe = ids_with_class(&picked, "hl");
    assert!(
        picked.contains("data-highlight=\"stripe\""),
        "the script ran"
    );
    for id in [
        "node-vendor-stripe",
        "node-field-card",
        "node-component-billing",
        "node-component-dashboard",
    ] {
        assert!(stripe.contains(id), "{id} not in {stripe:?}");
    }
    assert!(!stripe.contains("node-vendor-mixpanel"));
    assert!(!stripe.contains("node-field-os"), "Stripe never got the OS");
    assert_ne!(stripe, mixpanel);
    assert_eq!(
        ids_with_class(&picked, "target"),
        BTreeSet::from(["node-vendor-stripe".to_string()])
    );
    assert!(picked.contains("Stripe: severity critical"), "status line");

    // A query parameter works too, and no vendor clears the highlight.
    let by_query = dump_dom(bin, &profile, &graph, "?vendor=drift");
    assert!(ids_with_class(&by_query, "hl").contains("node-vendor-salesforce"));
    let none = dump_dom(bin, &profile, &graph, "#vendor=");
    assert!(ids_with_class(&none, "hl").is_empty());
    assert!(!none.contains("bm-diagram has-hl"));
    // An unknown id (or one that names an Object property) highlights nothing.
    let odd = dump_dom(bin, &profile, &graph, "#vendor=__proto__");
    assert!(ids_with_class(&odd, "hl").is_empty());
}

#[test]
fn hostile_input_stays_inert_in_the_browser() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let map = common::hostile();
    let g = blastmap::graph::DataGraph::build(&map);
    let mode = blastmap::graph::Mode::Data;
    let vendor = common::hostile_id("vend");
    let r = g.blast(&vendor, mode).unwrap();
    let d = g.diagram(Some(&vendor), mode).unwrap();
    let blast = dir.path().join("blast.html");
    std::fs::write(&blast, blastmap::report::html::blast(&r, Some(&d))).unwrap();
    let graph = dir.path().join("graph.html");
    std::fs::write(
        &graph,
        blastmap::report::diagram(
            &d,
            &g.radii(mode, Some(&vendor)),
            blastmap::report::DiagramFormat::Html,
        ),
    )
    .unwrap();
    for (page, fragment) in [(&blast, ""), (&graph, ""), (&graph, "#vendor=x")] {
        let dom = dump_dom(bin, &profile, page, fragment);
        // The handler would set this attribute; its text is on the page.
        assert!(
            !dom.contains("data-pwned=\"1\""),
            "{page:?}: an injected handler ran"
        );
        assert!(dom.contains("'data-pwned'"), "{page:?}: the text is there");
        assert!(!dom.contains("<img"), "{page:?}: an injected element");
        assert!(
            dom.contains("&lt;script&gt;alert(1)"),
            "{page:?}: shown as text"
        );
    }
    // The graph page's own script did run (so the check above means
    // something): it moved the highlight away from the served vendor.
    let dom = dump_dom(bin, &profile, &graph, "#vendor=nobody");
    assert!(dom.contains("data-highlight=\"\""));
}

/// The graph page's CSP pins its script by hash; if the script changes and
/// the hash does not, browsers block it. Recomputed with coreutils.
#[test]
fn the_csp_hash_matches_the_script() {
    use std::io::Write;
    let Ok(mut child) = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        common::tool_missing("sha256sum", "coreutils not found; CSP hash not checked");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(blastmap::report::html::GRAPH_JS.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    let hex = hex.split_whitespace().next().unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let want = format!("sha256-{}", base64(&bytes));
    assert_eq!(
        blastmap::report::html::GRAPH_JS_HASH,
        want,
        "templates/graph.js changed: set GRAPH_JS_HASH to {want}"
    );
}

pub(crate) fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                o.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                o.push('=');
            }
        }
    }
    o
}
