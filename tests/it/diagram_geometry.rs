//! The graph page's diagram measured in a real browser at 25 vendors (the
//! fintech example), 100 and 1,000 (maps generated here, at test time), in
//! a 1,400×900 window: bounding boxes, not pixels. A test-only script,
//! added to a copy of the page with its hash added to that copy's CSP (the
//! shipped page is unchanged), writes every node's, label's and badge's box
//! into the DOM, read back with `--dump-dom`. It asserts: no two nodes
//! overlap; no badge overlaps another badge or a node; every label lies
//! inside its node, and a shortened one (`…`) has its full text in the
//! node's `<title>`; column headings are unique; at the first view every
//! node's name is at least 9 px tall and its detail line 8 px, the hint
//! under the zoom bar shows exactly when a vendor or sub-processor is out
//! of view, and the diagram's box is inside the window; after **Fit**
//! every vendor and sub-processor (or its group) lies inside the diagram's
//! box; a highlighted radius is in view. Also: the page prints landscape,
//! over more pages for a taller diagram, and the DOT export's clusters do
//! not overlap once Graphviz lays them out.
//!
//! Without chromium (or `dot`) the tests print a notice and pass, except
//! under `CI=true`. `BLASTMAP_SCREENSHOTS=1` writes the fintech example's
//! screenshot (`examples/fintech/graph.png`) that the README shows.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::browser::{base64, chromium, run_chromium, screenshot, url};
use crate::common::cli;

const FINTECH: &str = "examples/fintech/blastmap.yaml";
const WINDOW: (u32, u32) = (1400, 900);
/// The window of the README's screenshot of the fintech example.
const README_WINDOW: (u32, u32) = (1400, 2000);
/// The least height, in CSS pixels, of a node's name (its text box) at the
/// first view: a 12.5-unit name drawn smaller than this is a grey line,
/// not a word.
const MIN_NAME_PX: f64 = 9.0;
/// The least height of a node's detail line (10.5 units) at the first view.
const MIN_DETAIL_PX: f64 = 8.0;

/// Writes every box the assertions need into `<pre id="bm-measure">`, in
/// diagram units (node, label, badge) and in window pixels (what is seen).
const MEASURE_JS: &str = r#"window.addEventListener("load", function () { setTimeout(function () {
  var svg = document.getElementById("bm-diagram");
  var wrap = document.querySelector(".diagram-wrap");
  function px(r) { return [r.left, r.top, r.right, r.bottom]; }
  var out = { wrap: px(wrap.getBoundingClientRect()), win: [innerWidth, innerHeight], nodes: [], badges: [], cols: [] };
  var nodes = svg.querySelectorAll(".node");
  var seen = [];
  var texts = [];
  for (var q = 0; q < nodes.length; q++) {
    seen.push(px(nodes[q].querySelector(".box").getBoundingClientRect()));
    var tq = nodes[q].querySelectorAll("text");
    var hs = [];
    for (var p = 0; p < tq.length; p++) { hs.push(tq[p].getBoundingClientRect().height); }
    texts.push(hs);
  }
  var more = document.getElementById("bm-more");
  out.hint = !!(more && !more.hidden && more.getClientRects().length &&
    getComputedStyle(more).visibility !== "hidden");
  // The wheel moves the diagram (it used to zoom): 300 px down.
  var top0 = nodes[0].getBoundingClientRect().top;
  wrap.dispatchEvent(new WheelEvent("wheel", { deltaY: 300, bubbles: true, cancelable: true }));
  out.wheel = top0 - nodes[0].getBoundingClientRect().top;
  // Fit (the button): the whole diagram, at any scale.
  var fitButton = document.querySelector('#bm-zoom button[data-zoom="fit"]');
  if (fitButton) { fitButton.click(); }
  var fitted = [];
  for (var f = 0; f < nodes.length; f++) {
    fitted.push(px(nodes[f].querySelector(".box").getBoundingClientRect()));
  }
  // Text is measured at the diagram's own size: far zoomed out, a text's
  // box comes from a font of a pixel or two and is not to scale.
  wrap.classList.remove("zoomable");
  var view = document.getElementById("bm-view");
  if (view) { view.setAttribute("transform", ""); }
  for (var i = 0; i < nodes.length; i++) {
    var n = nodes[i];
    var m = n.transform.baseVal.consolidate().matrix;
    var b = n.querySelector(".box");
    var x = m.e, y = m.f, w = b.width.baseVal.value, h = b.height.baseVal.value;
    var labels = [];
    var ts = n.querySelectorAll("text");
    for (var k = 0; k < ts.length; k++) {
      var bb = ts[k].getBBox();
      labels.push({ text: ts[k].textContent, box: [x + bb.x, y + bb.y, x + bb.x + bb.width, y + bb.y + bb.height] });
    }
    out.nodes.push({ id: n.id, cls: n.getAttribute("class"), box: [x, y, x + w, y + h],
      seen: seen[i], fitted: fitted[i], seen_text: texts[i], labels: labels, title: n.querySelector("title").textContent });
  }
  var badges = svg.querySelectorAll(".badge");
  for (var j = 0; j < badges.length; j++) {
    var r = badges[j].querySelector("rect").getBBox();
    var t = badges[j].querySelector("text").getBBox();
    out.badges.push({ edge: badges[j].parentNode.id, label: badges[j].querySelector("text").textContent, box: [r.x, r.y, r.x + r.width, r.y + r.height],
      text: [t.x, t.y, t.x + t.width, t.y + t.height] });
  }
  var cols = svg.querySelectorAll(".bm-col");
  for (var c = 0; c < cols.length; c++) { out.cols.push(cols[c].textContent); }
  var pre = document.createElement("pre");
  pre.id = "bm-measure";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 0); });"#;

fn csp_source(script: &str) -> String {
    use sha2::Digest;
    format!(
        "'sha256-{}'",
        base64(sha2::Sha256::digest(script.as_bytes()).as_slice())
    )
}

/// A copy of `page` that also runs [`MEASURE_JS`] (allowed by its hash in
/// the copy's CSP only).
fn instrumented(page: &Path) -> PathBuf {
    let html = std::fs::read_to_string(page).unwrap();
    let shipped = format!("'{}'", blastmap::report::html::GRAPH_JS_HASH);
    assert!(html.contains(&shipped), "the page pins its script by hash");
    let html = html
        .replacen(
            &shipped,
            &format!("{shipped} {}", csp_source(MEASURE_JS)),
            1,
        )
        .replacen(
            "</body>",
            &format!("<script>{MEASURE_JS}</script>\n</body>"),
            1,
        );
    let out = page.with_extension("measure.html");
    std::fs::write(&out, html).unwrap();
    out
}

fn measure(bin: &str, profile: &Path, page: &Path, fragment: &str) -> Value {
    measure_in(bin, profile, page, fragment, WINDOW)
}

fn measure_in(bin: &str, profile: &Path, page: &Path, fragment: &str, window: (u32, u32)) -> Value {
    let copy = instrumented(page);
    let dom = run_chromium(
        bin,
        profile,
        &[
            format!("--window-size={},{}", window.0, window.1),
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
        ],
        &url(&copy, fragment),
    );
    let start = dom.find("<pre id=\"bm-measure\">").unwrap_or_else(|| {
        panic!("no measurements from {page:?}{fragment}: the script did not run")
    });
    let rest = &dom[start + "<pre id=\"bm-measure\">".len()..];
    let json = &rest[..rest.find("</pre>").unwrap()];
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap()
}

type Box4 = [f64; 4];

fn bx(v: &Value) -> Box4 {
    let a = v.as_array().expect("a box");
    [0, 1, 2, 3].map(|i| a[i].as_f64().unwrap())
}

/// Strict overlap (touching is not overlapping).
fn overlap(a: &Box4, b: &Box4) -> bool {
    a[0] < b[2] - 0.01 && b[0] < a[2] - 0.01 && a[1] < b[3] - 0.01 && b[1] < a[3] - 0.01
}

fn inside(inner: &Box4, outer: &Box4, tol: f64) -> bool {
    inner[0] >= outer[0] - tol
        && inner[1] >= outer[1] - tol
        && inner[2] <= outer[2] + tol
        && inner[3] <= outer[3] + tol
}

/// Every assertion of the module on one measured page; `what` names it.
/// `readable`: the first view's text must be at least [`MIN_NAME_PX`] (a
/// name) or [`MIN_DETAIL_PX`] (a detail line) tall.
fn check(m: &Value, what: &str, highlighted: bool, readable: bool) {
    let nodes = m["nodes"].as_array().unwrap();
    let badges = m["badges"].as_array().unwrap();
    assert!(!nodes.is_empty(), "{what}: no nodes");
    let has = |n: &Value, c: &str| n["cls"].as_str().unwrap().split(' ').any(|x| x == c);

    // One heading per column.
    let cols: Vec<&str> = m["cols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut unique = cols.clone();
    unique.sort_unstable();
    unique.dedup();
    let mut problems = String::new();
    if unique.len() != cols.len() {
        let _ = writeln!(problems, "two columns have one heading: {cols:?}");
    }

    // Nodes never overlap.
    let boxes: Vec<Box4> = nodes.iter().map(|n| bx(&n["box"])).collect();
    for (i, a) in boxes.iter().enumerate() {
        for (j, b) in boxes.iter().enumerate().skip(i + 1) {
            if overlap(a, b) {
                let _ = writeln!(
                    problems,
                    "node {} overlaps {}",
                    nodes[i]["id"], nodes[j]["id"]
                );
            }
        }
    }
    // Labels inside their node; a shortened one is whole in the tooltip.
    for (n, b) in nodes.iter().zip(&boxes) {
        let title = n["title"].as_str().unwrap();
        for l in n["labels"].as_array().unwrap() {
            let text = l["text"].as_str().unwrap();
            if !inside(&bx(&l["box"]), b, 0.5) {
                let _ = writeln!(
                    problems,
                    "label {text:?} {:?} leaves node {} {b:?}",
                    bx(&l["box"]),
                    n["id"]
                );
            }
            if let Some(cut) = text.strip_suffix('…') {
                // The tooltip has the text as cut, continued (not cut).
                let whole = title.match_indices(cut).any(|(i, _)| {
                    title[i + cut.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c != '…')
                });
                if !whole {
                    let _ = writeln!(
                        problems,
                        "label {text:?} is cut and its tooltip lacks the whole: {title:?}"
                    );
                }
            }
        }
    }
    // Badges overlap neither each other nor a node (nor its labels).
    let bboxes: Vec<Box4> = badges.iter().map(|b| bx(&b["box"])).collect();
    for (i, a) in bboxes.iter().enumerate() {
        for b in bboxes.iter().skip(i + 1) {
            if overlap(a, b) {
                let _ = writeln!(
                    problems,
                    "badge of {} overlaps another at {b:?}",
                    badges[i]["edge"]
                );
            }
        }
        for (n, b) in nodes.iter().zip(&boxes) {
            if overlap(a, b) {
                let _ = writeln!(
                    problems,
                    "badge of {} overlaps node {}",
                    badges[i]["edge"], n["id"]
                );
            }
        }
        // A flow that carries nothing has no badge, not a "0".
        if badges[i]["label"].as_str().unwrap().trim() == "0" {
            let _ = writeln!(problems, "badge of {} reads 0", badges[i]["edge"]);
        }
        // (A text's box is its line box, a little taller than its glyphs.)
        if !inside(&bx(&badges[i]["text"]), a, 1.0) {
            let _ = writeln!(
                problems,
                "badge text of {} leaves its badge: {} not in {a:?}",
                badges[i]["edge"], badges[i]["text"]
            );
        }
    }
    // The first view is readable: every node's name is at least
    // MIN_NAME_PX tall on screen, its detail line MIN_DETAIL_PX.
    let mut small: Vec<(f64, &str)> = Vec::new();
    let (mut least_name, mut least_detail) = (f64::INFINITY, f64::INFINITY);
    for n in nodes {
        for (k, h) in n["seen_text"].as_array().unwrap().iter().enumerate() {
            let h = h.as_f64().unwrap();
            let (least, min) = if k == 0 {
                (&mut least_name, MIN_NAME_PX)
            } else {
                (&mut least_detail, MIN_DETAIL_PX)
            };
            *least = least.min(h);
            if h < min - 0.05 {
                small.push((h, n["id"].as_str().unwrap()));
            }
        }
    }
    eprintln!(
        "{what}: first view: smallest name {least_name:.1} px, smallest detail line {least_detail:.1} px, hint {}",
        m["hint"]
    );
    if readable && !small.is_empty() {
        let _ = writeln!(
            problems,
            "{} node texts are under {MIN_NAME_PX} px (a name) or {MIN_DETAIL_PX} px (a detail line) at the first view, the smallest name {least_name:.1} px, detail {least_detail:.1} px (first: {:?})",
            small.len(),
            small[0]
        );
    }
    // The first view: the diagram's box is in the window. With a vendor
    // picked, its radius is in the diagram's box; without, the hint shows
    // exactly when a vendor or sub-processor (or group) is out of it, and
    // after Fit every one is in it.
    let wrap = bx(&m["wrap"]);
    let win = m["win"].as_array().unwrap();
    let window = [0.0, 0.0, win[0].as_f64().unwrap(), win[1].as_f64().unwrap()];
    if !inside(&wrap, &window, 1.0) {
        let _ = writeln!(
            problems,
            "the diagram {wrap:?} leaves the window {window:?}"
        );
    }
    let hint = m["hint"].as_bool().unwrap();
    let mut out_of_view = Vec::new();
    for n in nodes {
        let seen = bx(&n["seen"]);
        if highlighted {
            if has(n, "hl") && !inside(&seen, &wrap, 1.0) {
                let _ = writeln!(problems, "{} is out of view at {seen:?}", n["id"]);
            }
            continue;
        }
        if !(has(n, "vendor") || has(n, "sub-processor")) {
            continue;
        }
        if !inside(&seen, &wrap, 1.0) {
            out_of_view.push(n["id"].as_str().unwrap());
        }
        let fitted = bx(&n["fitted"]);
        if !inside(&fitted, &wrap, 1.0) {
            let _ = writeln!(
                problems,
                "{} is out of view after Fit, at {fitted:?}",
                n["id"]
            );
        }
    }
    if !highlighted && hint == out_of_view.is_empty() {
        let _ = writeln!(
            problems,
            "the hint is {} but {} vendors or sub-processors are out of the first view ({:?})",
            if hint { "shown" } else { "not shown" },
            out_of_view.len(),
            out_of_view.iter().take(3).collect::<Vec<_>>()
        );
    }
    assert!(problems.is_empty(), "{what}:\n{problems}");
}

/// A map of `n` vendors as `benches/scale.py` makes them (4 fields and 10
/// flows per vendor, n/5 components, some vendor-to-vendor forwarding),
/// from a fixed seed.
fn generated_map(n: usize) -> String {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ n as u64;
    let mut rnd = move |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    const LEAVES: [&str; 10] = [
        "user.contact.email",
        "user.name",
        "user.contact.phone_number",
        "user.unique_id",
        "user.location.imprecise",
        "user.device.os",
        "user.device.ip_address",
        "user.authorization.credentials",
        "user.financial.credit_card",
        "user.content.private",
    ];
    const CATS: [&str; 8] = [
        "analytics",
        "crm",
        "email",
        "payments",
        "support",
        "ai",
        "error-monitoring",
        "other",
    ];
    let (nf, nc) = (n * 4, (n / 5).max(5));
    let mut o = String::from(
        "version: 1\nsystem: generated\nsubjects:\n  s0: { count: 1000, regions: [eu] }\nfields:\n",
    );
    for f in 0..nf {
        let _ = writeln!(
            o,
            "  f{f}: {{ category: {}, subject: s0 }}",
            LEAVES[rnd(10)]
        );
    }
    o.push_str("components:\n");
    for c in 0..nc {
        let holds: Vec<String> = (0..5 + rnd(26)).map(|_| format!("f{}", rnd(nf))).collect();
        let _ = writeln!(
            o,
            "  c{c}: {{ kind: service, holds: [{}] }}",
            holds.join(", ")
        );
    }
    o.push_str("vendors:\n");
    for v in 0..n {
        let _ = writeln!(
            o,
            "  v{v}: {{ name: Vendor {v}, category: {} }}",
            CATS[rnd(8)]
        );
    }
    o.push_str("flows:\n");
    for _ in 0..n * 10 {
        let (src, dst) = if rnd(100) < 85 {
            (format!("c{}", rnd(nc)), format!("v{}", rnd(n)))
        } else {
            let (a, b) = (rnd(n), rnd(n));
            if a == b {
                continue;
            }
            (format!("v{a}"), format!("v{b}"))
        };
        let fields: Vec<String> = (0..1 + rnd(6)).map(|_| format!("f{}", rnd(nf))).collect();
        let _ = writeln!(
            o,
            "  - {{ from: {src}, to: {dst}, fields: [{}] }}",
            fields.join(", ")
        );
    }
    o
}

fn graph_page(dir: &Path, name: &str, map: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let map = map.to_str().unwrap();
    let mut args = vec!["graph", "--map", map, "-f", "html"];
    args.extend_from_slice(extra);
    let (code, html, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&out, html).unwrap();
    out
}

#[test]
fn the_diagram_reads_at_25_100_and_1000_vendors() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let fintech = graph_page(dir.path(), "fintech.html", Path::new(FINTECH), &[]);
    // The fintech map draws its 40 fields in one column, about 2,130 units
    // tall: in a 1,400×900 window the first view shows its top half at a
    // readable size, with the hint, and Fit shows all of it; in the README's
    // window (its screenshot's) it is whole at first.
    let m = measure(bin, &profile, &fintech, "");
    check(&m, "25 vendors", false, true);
    assert_eq!(m["hint"], true, "25 vendors: no hint at the first view");
    let wheel = m["wheel"].as_f64().unwrap();
    assert!(
        (wheel - 300.0).abs() < 1.0,
        "the wheel moved the diagram {wheel} px up, not 300"
    );
    let m = measure_in(bin, &profile, &fintech, "", README_WINDOW);
    check(&m, "25 vendors, 1400x2000", false, true);
    assert_eq!(
        m["hint"], false,
        "25 vendors, 1400x2000: not whole at first"
    );
    check(
        &measure(bin, &profile, &fintech, "#vendor=segment"),
        "25 vendors, Segment picked",
        true,
        false,
    );
    for n in [100, 1000] {
        let map = dir.path().join(format!("map{n}.yaml"));
        std::fs::write(&map, generated_map(n)).unwrap();
        let page = graph_page(dir.path(), &format!("g{n}.html"), &map, &[]);
        let m = measure(bin, &profile, &page, "");
        check(&m, &format!("{n} vendors"), false, true);
        if n == 1000 {
            assert_eq!(m["hint"], false, "1000 vendors (collapsed): a hint");
            // The note on what was collapsed is plain text, not Markdown.
            let html = std::fs::read_to_string(&page).unwrap();
            assert!(html.contains("--vendor V draws"), "the page says how");
            assert!(!html.contains('`'), "a backtick in the page's text");
            // Collapsed: a group per vendor category, and with a vendor
            // highlighted its radius stays expanded and is brought into view.
            let groups = m["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| {
                    x["id"]
                        .as_str()
                        .unwrap()
                        .starts_with("node-vendor-vendors_")
                })
                .count();
            assert!((1..=8).contains(&groups), "{groups} vendor groups");
            let hl = graph_page(dir.path(), "g1000-v5.html", &map, &["--vendor", "v5"]);
            let m = measure(bin, &profile, &hl, "");
            assert!(
                m["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["id"] == "node-vendor-v5"),
                "the highlighted vendor is drawn on its own"
            );
            check(&m, "1000 vendors, v5 highlighted", true, false);
        }
    }
    if std::env::var("BLASTMAP_SCREENSHOTS").as_deref() == Ok("1") {
        // Tall enough that the whole diagram is legible at the first view.
        let png = dir.path().join("fintech.png");
        screenshot(
            bin,
            &profile,
            &fintech,
            &png,
            README_WINDOW.0,
            README_WINDOW.1,
        );
        std::fs::copy(&png, "examples/fintech/graph.png").unwrap();
    }
}

/// Pages of a PDF (`/Type /Page` objects) and whether the first is landscape.
fn pdf_pages(pdf: &[u8]) -> (usize, bool) {
    let text = String::from_utf8_lossy(pdf);
    let pages = regex::Regex::new(r"/Type\s*/Page\b[^s]")
        .unwrap()
        .find_iter(&text)
        .count();
    let media = regex::Regex::new(r"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)")
        .unwrap()
        .captures(&text)
        .map(|c| c[1].parse::<f64>().unwrap() > c[2].parse::<f64>().unwrap())
        .unwrap_or(false);
    (pages, media)
}

#[test]
fn the_graph_page_prints_the_diagram_across_pages() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let print = |page: &Path| {
        let pdf = page.with_extension("pdf");
        run_chromium(
            bin,
            &profile,
            &[
                "--no-pdf-header-footer".into(),
                "--virtual-time-budget=3000".into(),
                format!("--print-to-pdf={}", pdf.display()),
            ],
            &url(page, ""),
        );
        pdf_pages(&std::fs::read(&pdf).unwrap())
    };
    // The fintech diagram (a column of 40 fields) is twice as tall as that
    // of a generated map of 5 vendors (20 fields).
    let tall = graph_page(dir.path(), "fintech.html", Path::new(FINTECH), &[]);
    let map = dir.path().join("map5.yaml");
    std::fs::write(&map, generated_map(5)).unwrap();
    let short = graph_page(dir.path(), "g5.html", &map, &[]);
    let (short_pages, landscape) = print(&short);
    let (tall_pages, _) = print(&tall);
    assert!(landscape, "the graph page prints landscape");
    // The header, then the diagram at the page's width over as many pages
    // as it needs (not the zoomed window, not one clipped page).
    assert!(tall_pages >= 2, "{tall_pages} pages");
    assert!(
        tall_pages > short_pages,
        "a diagram twice as tall prints on more pages: {tall_pages} against {short_pages}"
    );
}

fn dot_bin() -> Option<&'static str> {
    let ok = Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some("dot");
    }
    crate::common::tool_missing("dot", "graphviz not installed; DOT layout not checked");
    None
}

/// Graphviz's layout of a DOT text: the clusters' bounding boxes.
fn dot_clusters(bin: &str, dot: &str) -> Vec<(String, Box4)> {
    use std::io::Write;
    let mut child = Command::new(bin)
        .arg("-Tjson")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let text = dot.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["name"].as_str().is_some_and(|n| n.starts_with("cluster")))
        .map(|o| {
            let b: Vec<f64> = o["bb"]
                .as_str()
                .unwrap()
                .split(',')
                .map(|x| x.parse().unwrap())
                .collect();
            (
                o["name"].as_str().unwrap().to_string(),
                [b[0], b[1], b[2], b[3]],
            )
        })
        .collect()
}

#[test]
fn graphviz_lays_out_the_dot_clusters_without_overlap() {
    let Some(bin) = dot_bin() else { return };
    for extra in [&[][..], &["--vendor", "segment"][..]] {
        let mut args = vec!["graph", "--map", FINTECH, "-f", "dot"];
        args.extend_from_slice(extra);
        let (code, dot, err) = cli(&args);
        assert_eq!(code, 0, "{err}");
        let clusters = dot_clusters(bin, &dot);
        assert_eq!(clusters.len(), 4, "{clusters:?}");
        for (i, (a, ab)) in clusters.iter().enumerate() {
            for (b, bb) in &clusters[i + 1..] {
                assert!(!overlap(ab, bb), "{a} {ab:?} overlaps {b} {bb:?}");
            }
        }
    }
}
