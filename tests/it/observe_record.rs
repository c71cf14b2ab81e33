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

fn recorded(chromium: &str, args: &[&str], har: &Path) -> (String, Value) {
    let mut all = args.to_vec();
    let har_arg = har.to_str().unwrap();
    all.extend_from_slice(&["--save-har", har_arg]);
    let out = observe(chromium, &all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "observe {args:?} failed: {stderr}");
    let har: Value = serde_json::from_slice(&std::fs::read(har).unwrap()).unwrap();
    (String::from_utf8(out.stdout).unwrap(), har)
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
    let (stdout, har) = recorded(
        bin,
        &[&url, "--script", steps.to_str().unwrap(), "--wait", "500"],
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
    // The summary names hosts and counts, never a payload value.
    assert!(stdout.contains("api-js.mixpanel.com"), "{stdout}");
    assert!(!stdout.contains(CANARY_EMAIL), "{stdout}");
}
