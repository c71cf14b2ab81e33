//! `blastmap observe URL`: the recorder in the system's headless Chromium.
//! Pages are served by a tiny HTTP server in the test, on 127.0.0.1. The
//! recordings are read back from the HAR the command saves.
//!
//! Without Chromium the tests print a notice and pass, except when
//! `CI=true`: `.ci/run` installs it there, so its absence is a failure
//! (see `browser.rs`). The SDK test also needs npm and the npm registry.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::Value;

use crate::browser::chromium;

/// A request a test server received: method and path.
type Log = Arc<Mutex<Vec<String>>>;

/// Serves the files under `root` on 127.0.0.1 (an ephemeral port) until the
/// test ends; every request line received is logged.
fn serve(root: PathBuf) -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || answer(stream, &root, &seen));
        }
    });
    (port, log)
}

fn answer(mut stream: TcpStream, root: &Path, log: &Log) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    log.lock().unwrap().push(line.trim().to_string());
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let file = root.join(if path.is_empty() { "index.html" } else { path });
    let (status, bytes) = match std::fs::read(&file) {
        Ok(b) if !path.contains("..") => ("200 OK", b),
        _ => ("404 Not Found", b"not found".to_vec()),
    };
    let mime = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "application/javascript",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&bytes);
}

/// Runs the built binary with `BLASTMAP_CHROMIUM` set to `chromium`.
fn observe(chromium: &str, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("blastmap")
        .unwrap()
        .env("BLASTMAP_CHROMIUM", chromium)
        .arg("observe")
        .args(args)
        .output()
        .unwrap()
}

/// Records with `--save-har`: (the report on stdout, stderr, the HAR).
fn recorded(chromium: &str, args: &[&str], har: &Path) -> (String, String, Value) {
    let mut all = args.to_vec();
    let har_arg = har.to_str().unwrap();
    all.extend_from_slice(&["--save-har", har_arg]);
    let out = observe(chromium, &all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "observe {args:?} failed: {stderr}");
    let har: Value = serde_json::from_slice(&std::fs::read(har).unwrap()).unwrap();
    (String::from_utf8(out.stdout).unwrap(), stderr, har)
}

fn entries(har: &Value) -> &Vec<Value> {
    har["log"]["entries"].as_array().expect("log.entries")
}

fn to_host<'a>(har: &'a Value, host: &str) -> Vec<&'a Value> {
    entries(har)
        .iter()
        .filter(|e| {
            url::Url::parse(e["request"]["url"].as_str().unwrap())
                .unwrap()
                .host_str()
                == Some(host)
        })
        .collect()
}

fn query<'a>(e: &'a Value, name: &str) -> Option<&'a str> {
    e["request"]["queryString"]
        .as_array()?
        .iter()
        .find(|q| q["name"] == name)?["value"]
        .as_str()
}

fn body(e: &Value) -> String {
    let pd = &e["request"]["postData"];
    let text = pd["text"].as_str().unwrap_or_default();
    if pd["encoding"] == "base64" {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        text.to_string()
    }
}

/// Mixpanel's `data=` form body: base64 of a JSON array of events.
fn mixpanel_events(e: &Value) -> Vec<Value> {
    let form = body(e);
    let data = url::form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == "data")
        .map(|(_, v)| v.into_owned())
        .expect("a data= field");
    let json = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    serde_json::from_slice(&json).unwrap()
}

const EXAMPLE: &str = "examples/observe";
const CANARY_EMAIL: &str = "casey.canary@example.com";

#[test]
fn the_example_is_recorded_with_its_scripted_sign_up() {
    let Some(bin) = chromium() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE);
    let (port, log) = serve(root.clone());
    let dir = tempfile::tempdir().unwrap();
    let har_path = dir.path().join("acme.har");
    let url = format!("http://127.0.0.1:{port}/index.html");
    let steps = root.join("steps.yaml");
    let canary = root.join("canary.yaml");
    let (report, stderr, har) = recorded(
        bin,
        &[
            &url,
            "--script",
            steps.to_str().unwrap(),
            "--canary",
            canary.to_str().unwrap(),
            "--wait",
            "500",
        ],
        &har_path,
    );
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["pages"][0]["title"], url.as_str());

    // Mixpanel: the page view on load and the sign-up with the canary email.
    let mp = to_host(&har, "api-js.mixpanel.com");
    let events: Vec<Value> = mp.iter().flat_map(|e| mixpanel_events(e)).collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"$mp_web_page_view"), "{names:?}");
    let signup = events
        .iter()
        .find(|e| e["event"] == "Sign Up")
        .expect("Sign Up");
    assert_eq!(signup["properties"]["$email"], CANARY_EMAIL);
    assert_eq!(signup["properties"]["$current_url"], url.as_str());
    assert!(mp.iter().all(|e| e["request"]["method"] == "POST"));

    // Segment: the identify call carries the traits.
    let seg = to_host(&har, "api.segment.io");
    let identify = seg
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(&body(e)).ok())
        .flat_map(|b| b["batch"].as_array().cloned().unwrap_or_default())
        .find(|m| m["type"] == "identify")
        .expect("an identify message");
    assert_eq!(identify["traits"]["email"], CANARY_EMAIL);
    assert_eq!(identify["traits"]["name"], "Casey Canary");

    // GA4, by sendBeacon: recorded as a ping, with the page URL.
    let ga = to_host(&har, "www.google-analytics.com");
    let sign_up = ga
        .iter()
        .find(|e| query(e, "en") == Some("sign_up"))
        .expect("a sign_up hit");
    assert_eq!(sign_up["_resourceType"], "ping");
    assert_eq!(query(sign_up, "dl"), Some(url.as_str()));
    assert!(ga.iter().any(|e| query(e, "en") == Some("page_view")));

    // The Meta Pixel: an image request whose ud[em] is the SHA-256 of the
    // normalised email.
    use sha2::Digest;
    let hashed: String = sha2::Sha256::digest(CANARY_EMAIL.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let fb = to_host(&har, "www.facebook.com");
    let lead = fb
        .iter()
        .find(|e| query(e, "ev") == Some("Lead"))
        .expect("a Lead event");
    assert_eq!(query(lead, "ud[em]"), Some(hashed.as_str()));
    assert_eq!(lead["_resourceType"], "image");
    assert_eq!(lead["response"]["content"]["mimeType"], "image/gif");

    // Nothing else was contacted, and the page's own files were served.
    let hosts: std::collections::BTreeSet<String> = entries(&har)
        .iter()
        .map(|e| {
            url::Url::parse(e["request"]["url"].as_str().unwrap())
                .unwrap()
                .host_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        hosts.into_iter().collect::<Vec<_>>(),
        [
            "api-js.mixpanel.com",
            "api.segment.io",
            "www.facebook.com",
            "www.google-analytics.com"
        ]
    );
    let served = log.lock().unwrap().clone();
    assert!(
        served.iter().any(|l| l.starts_with("GET /analytics.js")),
        "{served:?}"
    );
    // The summary on stderr names hosts and counts, never a payload value.
    assert!(
        stderr.contains(
            "Recorded 8 request(s) to 4 other host(s); each was answered locally, none was sent."
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(CANARY_EMAIL), "{stderr}");
    // The report is the observer's, over the saved recording: the canary
    // found, hashed for the Pixel, with no raw value shown.
    let har_name = har_path.display().to_string();
    assert!(
        report.contains("Canaries searched: email, name, phone"),
        "{report}"
    );
    assert!(report.contains("canary email (sha256) in url"), "{report}");
    assert!(report.contains(&format!("{har_name}#entries[")), "{report}");
    assert!(
        report.contains("body data[].properties.$email: user.contact.email (canary: email)"),
        "{report}"
    );
    assert!(!report.contains(CANARY_EMAIL), "{report}");
    assert!(!report.contains(&hashed), "{report}");
}

#[test]
fn a_recording_joins_blast_with_its_requests_as_evidence() {
    // Record, then blast: the README's workflow. The example declares no
    // phone number to Mixpanel; the recording shows one, at its request.
    let Some(bin) = chromium() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE);
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("acme.har");
    let observed = dir.path().join("observed.json");
    let page = format!("file://{}", root.join("index.html").display());
    let out = observe(
        bin,
        &[
            &page,
            "--script",
            root.join("steps.yaml").to_str().unwrap(),
            "--canary",
            root.join("canary.yaml").to_str().unwrap(),
            "--wait",
            "500",
            "--save-har",
            har.to_str().unwrap(),
            "--format",
            "json",
            "-o",
            observed.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, blast, err) = crate::common::cli(&[
        "blast",
        "mixpanel",
        "--map",
        root.join("blastmap.yaml").to_str().unwrap(),
        "--observed",
        observed.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let phone = blast
        .lines()
        .skip_while(|l| !l.contains("phone") || !l.contains("user.contact.phone_number"))
        .nth(1)
        .unwrap_or_else(|| panic!("no phone line in {blast}"));
    assert!(
        phone.contains(&format!("{}#entries[", har.display())),
        "the phone's evidence is the request: {phone}"
    );
}

/// A page on 127.0.0.1 that sends, in every way a page can, to a "vendor"
/// that really listens: a server on 127.0.0.2 (another origin, another
/// address) and a host name that would resolve to it.
fn leaky_page(sink: u16) -> String {
    format!(
        r#"<!doctype html><html><head><title>leaky</title></head><body><p id="status">working</p>
<script>
const sink = 'http://127.0.0.2:{sink}';
async function go() {{
  // JSON with a custom header: a CORS preflight first.
  const status = await fetch(sink + '/json', {{method: 'POST', headers: {{'Content-Type': 'application/json', 'X-Tracker': '1'}},
      body: JSON.stringify({{email: 'leak@example.com'}})}}).then(r => r.status, e => 'failed');
  navigator.sendBeacon(sink + '/beacon', 'beacon-body');
  const img = new Image(1, 1); img.src = sink + '/pixel.gif?e=leak';
  const s = document.createElement('script'); s.src = sink + '/sdk.js'; document.head.appendChild(s);
  const x = new XMLHttpRequest(); x.open('POST', sink + '/xhr'); x.send('xhr-body');
  const f = document.createElement('iframe'); f.src = sink + '/frame.html'; document.body.appendChild(f);
  fetch('http://sink.example:{sink}/named', {{method: 'POST', body: 'named-body'}}).catch(() => {{}});
  try {{ new WebSocket('ws://127.0.0.2:{sink}/socket'); }} catch (e) {{}}
  // Not UTF-8: the start of a gzip stream.
  fetch(sink + '/binary', {{method: 'POST', body: new Blob([new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe])])}}).catch(() => {{}});
  navigator.sendBeacon(sink + '/status?fetch=' + status);
  document.getElementById('status').className = 'done';
}}
go();
</script></body></html>"#
    )
}

fn strace() -> Option<&'static str> {
    if Path::new("/usr/bin/strace").exists() {
        return Some("/usr/bin/strace");
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("/usr/bin/strace is missing in CI: .ci/run installs it");
    }
    eprintln!("notice: strace not found; recording without the system-call check");
    None
}

/// The remote addresses of every TCP connection made and every datagram
/// sent in an `strace -f -yy` log. A UDP `connect` alone sends nothing
/// (Chromium connects one to probe whether IPv6 routes), so UDP counts only
/// when data is written to it.
fn remote_addresses(log: &str) -> std::collections::BTreeSet<String> {
    let connect = regex::Regex::new(
        r#"connect\(\d+<TCP(?:v6)?:[^>]*>, \{sa_family=AF_INET6?, sin6?_port=htons\(\d+\), (?:sin6_flowinfo=htonl\(\d+\), )?(?:sin_addr=inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")"#,
    )
    .unwrap();
    let sent = regex::Regex::new(
        r"(?:send|write)\w*\(\d+<(?:TCP|UDP)(?:v6)?:\[[^\]]*->\[?([0-9a-fA-F.:]+?)\]?:\d+\]>",
    )
    .unwrap();
    let mut out = std::collections::BTreeSet::new();
    for line in log.lines() {
        if let Some(c) = connect.captures(line) {
            out.insert(c.get(1).or(c.get(2)).unwrap().as_str().to_string());
        }
        if let Some(c) = sent.captures(line) {
            out.insert(c[1].to_string());
        }
    }
    out
}

#[test]
fn nothing_the_page_sends_leaves_the_machine() {
    let Some(bin) = chromium() else { return };
    let site = tempfile::tempdir().unwrap();
    let (sink_port, sink_log) = {
        let listener = TcpListener::bind("127.0.0.2:0").expect("127.0.0.2 is a loopback address");
        let port = listener.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let seen = Arc::clone(&log);
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                seen.lock().unwrap().push(format!("{:?}", s.peer_addr()));
            }
        });
        (port, log)
    };
    std::fs::write(site.path().join("index.html"), leaky_page(sink_port)).unwrap();
    std::fs::write(site.path().join("steps.yaml"), "- wait: \"#status.done\"\n").unwrap();
    let (port, _) = serve(site.path().to_path_buf());
    let url = format!("http://127.0.0.1:{port}/index.html");
    let har_path = site.path().join("leaky.har");
    let steps = site.path().join("steps.yaml");
    let args = [
        "observe",
        &url,
        "--script",
        steps.to_str().unwrap(),
        "--wait",
        "1000",
        "--save-har",
        har_path.to_str().unwrap(),
    ];
    let trace = site.path().join("strace.log");
    let out = match strace() {
        Some(strace) => std::process::Command::new(strace)
            .args(["-f", "-qq", "-yy", "-e"])
            .arg("trace=connect,sendto,sendmsg,sendmmsg,write,writev")
            .arg("-o")
            .arg(&trace)
            .arg(assert_cmd::cargo::cargo_bin("blastmap"))
            .args(args)
            .env("BLASTMAP_CHROMIUM", bin)
            .output()
            .unwrap(),
        None => assert_cmd::Command::cargo_bin("blastmap")
            .unwrap()
            .args(args)
            .env("BLASTMAP_CHROMIUM", bin)
            .output()
            .unwrap(),
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The sink never heard from the browser...
    assert_eq!(*sink_log.lock().unwrap(), Vec::<String>::new());
    // ...while every request is in the recording, with its body.
    let har: Value = serde_json::from_slice(&std::fs::read(&har_path).unwrap()).unwrap();
    let find = |path: &str| {
        entries(&har)
            .iter()
            .find(|e| {
                let u = url::Url::parse(e["request"]["url"].as_str().unwrap()).unwrap();
                u.path() == path
            })
            .unwrap_or_else(|| panic!("no request for {path} in {har:#}"))
    };
    let json = find("/json");
    assert_eq!(json["request"]["method"], "POST");
    assert_eq!(body(json), r#"{"email":"leak@example.com"}"#);
    assert_eq!(json["request"]["postData"]["mimeType"], "application/json");
    assert_eq!(body(find("/beacon")), "beacon-body");
    assert_eq!(find("/beacon")["_resourceType"], "ping");
    assert_eq!(query(find("/pixel.gif"), "e"), Some("leak"));
    assert_eq!(find("/sdk.js")["_resourceType"], "script");
    assert_eq!(body(find("/xhr")), "xhr-body");
    assert_eq!(find("/frame.html")["_resourceType"], "document");
    assert_eq!(body(find("/named")), "named-body");
    let binary = find("/binary");
    assert_eq!(binary["request"]["postData"]["encoding"], "base64");
    assert_eq!(binary["request"]["postData"]["text"], "H4sIAP/+");
    // The page saw its JSON call succeed (the preflight was answered too),
    // and the preflight itself is not a recorded request.
    assert_eq!(query(find("/status"), "fetch"), Some("204"));
    assert!(
        entries(&har)
            .iter()
            .all(|e| e["request"]["method"] != "OPTIONS")
    );
    // The WebSocket is not interceptable; the resolver wall refused it.
    assert!(
        entries(&har)
            .iter()
            .all(|e| !e["request"]["url"].as_str().unwrap().contains("/socket"))
    );

    // At the system-call level, the only peer of the recorder and of every
    // browser process is 127.0.0.1: the page's server and the DevTools port.
    if trace.exists() {
        let log = std::fs::read_to_string(&trace).unwrap();
        let peers = remote_addresses(&log);
        assert_eq!(
            peers.into_iter().collect::<Vec<_>>(),
            ["127.0.0.1"],
            "connections to other addresses (strace log: {})",
            trace.display()
        );
    }
}

#[test]
fn without_a_browser_the_error_names_the_package_to_install() {
    let out = observe("/nonexistent/chromium", &["http://127.0.0.1:9/"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("BLASTMAP_CHROMIUM is `/nonexistent/chromium`, which does not exist"),
        "{err}"
    );
    assert!(err.contains("apt-get install chromium"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_page_off_the_machine_is_refused_before_any_browser_starts() {
    let out = observe("/nonexistent/chromium", &["https://example.com/"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    // The URL is checked first: the missing browser is not the complaint.
    assert!(
        err.contains("cannot record `https://example.com/`"),
        "{err}"
    );
    assert!(err.contains("localhost"), "{err}");
}

#[test]
fn a_step_whose_selector_never_appears_fails_with_its_line() {
    let Some(bin) = chromium() else { return };
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("index.html"),
        "<!doctype html><p id=a>hi</p>",
    )
    .unwrap();
    std::fs::write(
        site.path().join("steps.yaml"),
        "- wait: \"#a\"\n- click: \"#never\"\n",
    )
    .unwrap();
    let (port, _) = serve(site.path().to_path_buf());
    let steps = site.path().join("steps.yaml");
    let started = std::time::Instant::now();
    let out = observe(
        bin,
        &[
            &format!("http://127.0.0.1:{port}/"),
            "--script",
            steps.to_str().unwrap(),
            "--timeout",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:2: step 2 (click `#never`): no element matches `#never` after 2 s",
            steps.display()
        )),
        "{err}"
    );
    assert!(err.contains("help: check the selector"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "no hang"
    );
}

#[test]
fn the_system_call_check_sees_connections_and_datagrams() {
    let log = r#"1 connect(3<TCP:[1]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.216.34")}, 16) = 0
2 connect(21<UDPv6:[2]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0
3 connect(9<TCPv6:[3]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2606:4700::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
4 sendto(26<UDP:[10.0.0.2:5353->8.8.4.4:53]>, "x", 1, 0, NULL, 0) = 1
5 write(3<TCP:[127.0.0.1:46494->127.0.0.1:8940]>, "GET", 3) = 3
"#;
    assert_eq!(
        remote_addresses(log).into_iter().collect::<Vec<_>>(),
        ["127.0.0.1", "2606:4700::1", "8.8.4.4", "93.184.216.34"]
    );
}

#[test]
fn the_committed_recording_is_the_example_s_har() {
    // examples/observe/acme.har, which the README points to: recorded by
    // `observe` from the example, read here as any HAR reader would.
    let har: Value =
        serde_json::from_slice(&std::fs::read(Path::new(EXAMPLE).join("acme.har")).unwrap())
            .unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "blastmap observe");
    let hosts: std::collections::BTreeMap<&str, usize> =
        entries(&har).iter().fold(Default::default(), |mut m, e| {
            let u = e["request"]["url"].as_str().unwrap();
            let host = u.split('/').nth(2).unwrap();
            *m.entry(host).or_default() += 1;
            m
        });
    assert_eq!(
        hosts.into_iter().collect::<Vec<_>>(),
        [
            ("api-js.mixpanel.com", 2),
            ("api.segment.io", 2),
            ("www.facebook.com", 2),
            ("www.google-analytics.com", 2)
        ]
    );
    let signup = to_host(&har, "api-js.mixpanel.com")
        .into_iter()
        .flat_map(mixpanel_events)
        .find(|e| e["event"] == "Sign Up")
        .expect("the sign-up");
    assert_eq!(signup["properties"]["$email"], CANARY_EMAIL);
    assert!(
        entries(&har)
            .iter()
            .all(|e| e["response"]["comment"] == "answered locally by blastmap observe; not sent")
    );
}

#[test]
fn a_recording_kept_in_the_tree_is_not_scanned_as_code() {
    // The example keeps acme.har beside its code: the scan finds the
    // vendors in analytics.js and skips the recording, whose URLs would
    // otherwise count as integrations at lines of the HAR.
    let out = crate::common::binary(&["scan", EXAMPLE, "--format", "json", "--no-map"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let files: std::collections::BTreeSet<&str> = v["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["evidence"].as_array().unwrap().iter())
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert!(files.contains("analytics.js"), "{files:?}");
    assert!(!files.contains("acme.har"), "{files:?}");
    assert_eq!(
        v["skipped"]["by_reason"]["recorded-traffic"], 1,
        "{}",
        v["skipped"]
    );
}

/// npm, for the SDK test: missing is a failure in CI (`.ci/run` installs it).
fn npm() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(p) = std::env::split_paths(&path)
        .map(|d| d.join("npm"))
        .find(|p| p.is_file())
    {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("npm is missing in CI: .ci/run installs it");
    }
    eprintln!("notice: npm not found; skipping the SDK test");
    None
}

/// The SDKs the test installs, pinned so that a new release cannot change
/// what is asserted without a change here.
const SDKS: [&str; 2] = ["mixpanel-browser@2.83.0", "posthog-js@1.449.2"];

/// The catalog vendor whose domains hold a URL's host.
fn vendor_of(url: &str) -> Option<&'static str> {
    let host = url::Url::parse(url).ok()?.host_str()?.to_string();
    blastmap::catalog::Catalog::builtin()
        .iter()
        .find(|v| v.domains.contains(&host))
        .map(|v| v.id.as_str())
}

/// The events in a recorded SDK request: Mixpanel's `data=` form field
/// (JSON, or base64 of it), PostHog's gzip-compressed `batch`.
fn sdk_events(e: &Value) -> Vec<Value> {
    let pd = &e["request"]["postData"];
    let text = pd["text"].as_str().unwrap_or_default();
    let json: Value = if pd["encoding"] == "base64" {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .expect("a gzip body");
        serde_json::from_str(&s).unwrap()
    } else {
        let data = url::form_urlencoded::parse(text.as_bytes())
            .find(|(k, _)| k == "data")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        serde_json::from_str(&data)
            .or_else(|_| {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(&data)
                    .unwrap_or_default();
                serde_json::from_slice(&raw)
            })
            .unwrap_or(Value::Null)
    };
    match json {
        Value::Array(a) => a,
        Value::Object(ref o) if o.contains_key("batch") => {
            o["batch"].as_array().cloned().unwrap_or_default()
        }
        Value::Object(_) => vec![json],
        _ => vec![],
    }
}

/// Two real browser SDKs, installed from the npm registry (this test needs
/// it: about 30 packages, a few seconds), served from the page's own origin
/// and initialised with fake keys. What they send by themselves, with no
/// call from the page, is recorded and attributed by the catalog's hosts.
#[test]
fn real_sdks_from_npm_are_observed_with_their_automatic_data() {
    let Some(bin) = chromium() else { return };
    let Some(npm) = npm() else { return };
    let site = tempfile::tempdir().unwrap();
    let install = std::process::Command::new(&npm)
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefix",
        ])
        .arg(site.path())
        .args(SDKS)
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "npm install {SDKS:?} failed (the test needs the npm registry): {}",
        String::from_utf8_lossy(&install.stderr)
    );
    std::fs::write(
        site.path().join("start.html"),
        r#"<!doctype html><html><body><a id="go" href="/app.html">Open the app</a></body></html>"#,
    )
    .unwrap();
    std::fs::write(
        site.path().join("app.html"),
        r#"<!doctype html><html><head><title>SDKs</title>
<script>
// Marks the page once each vendor's first batch of events has left it, so
// that the steps wait for the SDKs themselves (they batch and flush on
// timers) and not for a fixed time that a loaded machine may overrun. Only
// the event endpoints count: each SDK first asks for its feature flags
// (`/flags/`), and a mark on that request let the recording end, on a
// loaded CI machine, before the page view was sent.
(function () {
  const mark = (url) => {
    const s = String(url);
    const el = document.getElementById('status');
    if (!el) return;
    if (s.includes('mixpanel') && s.includes('/track')) el.classList.add('mixpanel');
    if (s.includes('posthog') && s.includes('/e/')) el.classList.add('posthog');
  };
  const beacon = navigator.sendBeacon && navigator.sendBeacon.bind(navigator);
  if (beacon) navigator.sendBeacon = (u, d) => { mark(u); return beacon(u, d); };
  const fetch0 = window.fetch.bind(window);
  window.fetch = (u, o) => { mark(u && u.url ? u.url : u); return fetch0(u, o); };
  const open0 = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (m, u) { mark(u); return open0.apply(this, arguments); };
})();
</script>
<script src="/node_modules/mixpanel-browser/dist/mixpanel.umd.js"></script>
</head><body><p id="status">loading</p>
<script type="module">
import posthog from '/node_modules/posthog-js/dist/module.js';
posthog.init('phc_faketoken000000000000000000000000000000', {api_host: 'https://us.i.posthog.com', disable_session_recording: true});
mixpanel.init('0123456789abcdef0123456789abcdef', {track_pageview: true});
document.getElementById('status').classList.add('ready');
</script></body></html>"#,
    )
    .unwrap();
    // Arriving by a link gives the app page a referrer. The last step waits
    // until both SDKs have sent (the page marks it), up to --timeout.
    std::fs::write(
        site.path().join("steps.yaml"),
        "- click: \"#go\"\n- wait: \"#status.ready\"\n- wait: \"#status.mixpanel.posthog\"\n",
    )
    .unwrap();
    let (port, _) = serve(site.path().to_path_buf());
    let start = format!("http://127.0.0.1:{port}/start.html");
    let app = format!("http://127.0.0.1:{port}/app.html");
    let steps = site.path().join("steps.yaml");
    let (_, _, har) = recorded(
        bin,
        &[
            &start,
            "--script",
            steps.to_str().unwrap(),
            "--timeout",
            "60",
            "--wait",
            "1000",
        ],
        &site.path().join("sdk.har"),
    );

    let page_views = |vendor: &str, event: &str| -> Vec<Value> {
        entries(&har)
            .iter()
            .filter(|e| vendor_of(e["request"]["url"].as_str().unwrap()) == Some(vendor))
            .flat_map(sdk_events)
            .filter(|ev| ev["event"] == event)
            .collect()
    };
    for (vendor, event) in [("mixpanel", "$mp_web_page_view"), ("posthog", "$pageview")] {
        let views = page_views(vendor, event);
        let p = &views
            .first()
            .unwrap_or_else(|| panic!("no {event} attributed to {vendor} in {har:#}"))["properties"];
        assert_eq!(p["$current_url"], app.as_str(), "{vendor}: the page URL");
        assert_eq!(p["$referrer"], start.as_str(), "{vendor}: the referrer");
        assert_eq!(p["$browser"], "Chrome", "{vendor}: the browser");
        assert_eq!(p["$os"], "Linux", "{vendor}: the device's system");
        assert!(
            p["$screen_width"].as_u64().is_some(),
            "{vendor}: the screen"
        );
    }
}

#[test]
fn a_program_that_is_not_a_browser_is_refused_at_once() {
    // Started as a browser, it would fail only after the protocol's wait
    // for a DevTools port (minutes, with the library's retries).
    let started = std::time::Instant::now();
    let out = observe("/bin/true", &["file:///nonexistent/index.html"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "Chromium (/bin/true): it does not answer `--version` as Chromium or Chrome does"
        ),
        "{err}"
    );
    assert!(err.contains("BLASTMAP_CHROMIUM"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}
