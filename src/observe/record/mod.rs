//! `observe URL`: records what a page sends to other hosts, without letting
//! any of it leave the machine.
//!
//! The system's Chromium runs headless under the DevTools protocol
//! (`headless_chrome`, over a local WebSocket). Every request the page makes
//! is paused (`Fetch.enable`, pattern `*`) before it is sent:
//!
//! - a request to the page's own origin (the URL given, which must be a
//!   local file or a loopback host) is let through;
//! - every other request is written down (URL, method, headers, body) and
//!   answered by the recorder itself: `204 No Content` for data (XHR,
//!   fetch, beacons), an empty script, style sheet or document, or a 1x1
//!   GIF for an image. It is never continued, so nothing reaches the network.
//!
//! A second wall stands behind the first: `--host-resolver-rules` makes
//! every host name other than the page's own fail to resolve, so a request
//! the interception would not see (a WebSocket, a service worker's fetch)
//! cannot leave either. The browser runs in a fresh temporary profile,
//! removed afterwards.
//!
//! The recording: open the page, wait for it to load, perform the scripted
//! steps ([`steps`]), stay on the page for `wait`, then leave it (as a
//! person closing the tab: SDKs flush their queues on `pagehide`) and give
//! the last beacons a moment. The result is a HAR 1.2 document ([`har`]).

pub mod har;
pub mod steps;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use headless_chrome::browser::tab::{RequestInterceptor, RequestPausedDecision};
use headless_chrome::browser::transport::{SessionId, Transport};
use headless_chrome::protocol::cdp::Fetch::events::RequestPausedEvent;
use headless_chrome::protocol::cdp::Fetch::{FulfillRequest, HeaderEntry, RequestPattern};
use headless_chrome::protocol::cdp::Network::ResourceType;
use headless_chrome::{Browser, LaunchOptions, Tab};
use url::Url;

use har::{Content, Creator, Entry, Har, Log, NameValue, Page, PageTimings, PostData, Timings};
use steps::{Step, Steps};

/// The places looked at for a browser, in order, after `BLASTMAP_CHROMIUM`.
pub const CHROMIUM_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
];

/// What to install when no browser is found.
pub const INSTALL_HELP: &str = "install Chromium (Debian/Ubuntu: `apt-get install chromium`; Fedora: `dnf install chromium`; Arch: `pacman -S chromium`; macOS: `brew install --cask chromium`), or set BLASTMAP_CHROMIUM to a Chromium or Chrome executable";

/// How a recording is made.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// The page: `file://...`, or `http(s)://` on a loopback host.
    pub url: String,
    /// The browser executable ([`find_chromium`]).
    pub chromium: PathBuf,
    /// Steps performed after the page loaded.
    pub steps: Option<Steps>,
    /// The bound on loading the page and on each step.
    pub timeout: Duration,
    /// How long to stay on the page after the load and the steps.
    pub wait: Duration,
    /// Stop recording after this many requests.
    pub max_requests: usize,
}

impl RecordOptions {
    /// Defaults: 10 s per step, 3 s on the page, 2000 requests.
    pub fn new(url: impl Into<String>, chromium: PathBuf) -> RecordOptions {
        RecordOptions {
            url: url.into(),
            chromium,
            steps: None,
            timeout: Duration::from_secs(10),
            wait: Duration::from_millis(3000),
            max_requests: 2000,
        }
    }
}

/// A finished recording.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The requests to other origins, each answered locally.
    pub har: Har,
    /// Requests to the page's own origin that were let through.
    pub own_requests: usize,
    /// Requests answered but not written down: more than `max_requests`.
    pub dropped: usize,
}

/// Why a recording could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// No browser in the usual places.
    #[error("no Chromium found (looked for {looked})\n  help: {INSTALL_HELP}")]
    NoChromium {
        /// What was tried.
        looked: String,
    },
    /// `BLASTMAP_CHROMIUM` names nothing.
    #[error("BLASTMAP_CHROMIUM is `{0}`, which does not exist\n  help: {INSTALL_HELP}")]
    ChromiumMissing(PathBuf),
    /// The URL is not one the recorder may open.
    #[error("cannot record `{url}`: {why}\n  help: {help}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong.
        why: String,
        /// What to do.
        help: String,
    },
    /// The browser did not start or the protocol failed.
    #[error("Chromium ({browser}): {message}\n  help: {help}")]
    Browser {
        /// The executable.
        browser: String,
        /// What failed.
        message: String,
        /// What to do.
        help: String,
    },
    /// A scripted step could not be performed.
    #[error("{file}:{line}: step {n} ({step}): {message}\n  help: {help}")]
    Step {
        /// The steps file.
        file: String,
        /// The step's line.
        line: usize,
        /// 1-based step number.
        n: usize,
        /// The step, described.
        step: String,
        /// What went wrong.
        message: String,
        /// What to do.
        help: String,
    },
}

/// The browser to drive: `override_path` (from `BLASTMAP_CHROMIUM`) when
/// given, else `/usr/bin/chromium`, else the first of [`CHROMIUM_NAMES`] on
/// `path` (the `PATH` variable's value).
pub fn find_chromium(
    override_path: Option<&OsStr>,
    path: Option<&OsStr>,
) -> Result<PathBuf, RecordError> {
    if let Some(p) = override_path.filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(RecordError::ChromiumMissing(p))
        };
    }
    let usual = Path::new("/usr/bin/chromium");
    if usual.is_file() {
        return Ok(usual.to_path_buf());
    }
    for dir in path.map(std::env::split_paths).into_iter().flatten() {
        for name in CHROMIUM_NAMES {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(RecordError::NoChromium {
        looked: format!(
            "BLASTMAP_CHROMIUM, /usr/bin/chromium, and {} on PATH",
            CHROMIUM_NAMES.join(", ")
        ),
    })
}

/// What the recorder lets through: the page's own origin.
#[derive(Debug, Clone)]
struct Own {
    page: Url,
}

impl Own {
    /// Checks that `url` is a page the recorder may open: a local file, or
    /// http(s) on a loopback host. Anything else would have the page itself
    /// fetched from the network.
    fn of(url: &str) -> Result<Own, RecordError> {
        let bad = |why: &str| {
            RecordError::Url {
            url: url.to_string(),
            why: why.to_string(),
            help: "serve the application on this machine (e.g. `npm run dev`, `python3 -m http.server`) and pass http://localhost:PORT/..., or pass a file:// URL".into(),
        }
        };
        let page = Url::parse(url).map_err(|e| bad(&format!("not a URL ({e})")))?;
        match page.scheme() {
            "file" => Ok(Own { page }),
            "http" | "https" => {
                let local = match page.host() {
                    Some(url::Host::Domain(d)) => {
                        let d = d.to_ascii_lowercase();
                        d == "localhost" || d.ends_with(".localhost")
                    }
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    None => false,
                };
                if local {
                    Ok(Own { page })
                } else {
                    Err(bad(
                        "only a page on this machine is recorded (localhost, 127.0.0.0/8, [::1] or a file), so that nothing but the page itself is loaded",
                    ))
                }
            }
            other => Err(bad(&format!("the `{other}` scheme is not recorded"))),
        }
    }

    /// Whether a request goes to the page's own origin (for a file page:
    /// another local file).
    fn admits(&self, url: &str) -> bool {
        let Ok(u) = Url::parse(url) else { return false };
        if self.page.scheme() == "file" {
            return u.scheme() == "file";
        }
        u.origin() == self.page.origin()
    }

    /// Host resolver rules: every name fails to resolve but the page's own.
    fn resolver_rules(&self) -> String {
        let mut rules = "MAP * ~NOTFOUND".to_string();
        // The rules apply to address literals too: the page's own host is
        // left to resolve as it is, whatever its form.
        if let Some(h) = self.page.host_str() {
            rules.push_str(&format!(", EXCLUDE {h}"));
        }
        rules
    }
}

/// What the interceptor has seen so far.
#[derive(Debug, Default)]
struct Seen {
    entries: Vec<Entry>,
    own: usize,
    dropped: usize,
    last: Option<Instant>,
}

struct Interceptor {
    own: Own,
    max: usize,
    seen: Arc<Mutex<Seen>>,
}

impl RequestInterceptor for Interceptor {
    fn intercept(
        &self,
        _transport: Arc<Transport>,
        _session: SessionId,
        event: RequestPausedEvent,
    ) -> RequestPausedDecision {
        let p = event.params;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if self.own.admits(&p.request.url) {
            seen.own += 1;
            return RequestPausedDecision::Continue(None);
        }
        seen.last = Some(Instant::now());
        let headers = headers_of(&p.request.headers);
        let preflight = p.request.method == "OPTIONS"
            && headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("access-control-request-method"));
        let answer = Answer::for_type(&p.resource_Type, preflight);
        let fulfil = answer.fulfil(p.request_id.clone(), &headers);
        // A CORS preflight carries no data: it is answered (so that the
        // request it clears is made, and recorded) but not written down.
        if !preflight {
            if seen.entries.len() < self.max {
                let entry = entry_of(&p.request, &headers, &p.resource_Type, &answer, &fulfil);
                seen.entries.push(entry);
            } else {
                seen.dropped += 1;
            }
        }
        RequestPausedDecision::Fulfill(fulfil)
    }
}

/// The local answer to a request for another origin.
struct Answer {
    status: u16,
    status_text: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

/// The smallest transparent GIF (1x1), for image requests (tracking pixels).
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

impl Answer {
    fn for_type(t: &ResourceType, preflight: bool) -> Answer {
        let ok = |mime, body| Answer {
            status: 200,
            status_text: "OK",
            mime,
            body,
        };
        if preflight {
            return Answer {
                status: 204,
                status_text: "No Content",
                mime: "text/plain",
                body: b"",
            };
        }
        match t {
            ResourceType::Image => ok("image/gif", GIF),
            ResourceType::Script => ok("application/javascript", b""),
            ResourceType::Stylesheet => ok("text/css", b""),
            ResourceType::Document => ok("text/html", b""),
            ResourceType::Font | ResourceType::Media => ok("application/octet-stream", b""),
            _ => Answer {
                status: 204,
                status_text: "No Content",
                mime: "text/plain",
                body: b"",
            },
        }
    }

    /// The protocol call; CORS headers echo the request's origin so the
    /// page's script sees a success rather than a network error.
    fn fulfil(&self, request_id: String, request: &[NameValue]) -> FulfillRequest {
        let get = |name: &str| {
            request
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value.clone())
        };
        let mut headers = vec![
            HeaderEntry {
                name: "Content-Type".into(),
                value: self.mime.into(),
            },
            HeaderEntry {
                name: "Access-Control-Allow-Origin".into(),
                value: get("origin").unwrap_or_else(|| "*".into()),
            },
            HeaderEntry {
                name: "Access-Control-Allow-Credentials".into(),
                value: "true".into(),
            },
            HeaderEntry {
                name: "Access-Control-Allow-Methods".into(),
                value: "GET, POST, PUT, PATCH, DELETE, OPTIONS".into(),
            },
            HeaderEntry {
                name: "Cache-Control".into(),
                value: "no-store".into(),
            },
        ];
        if let Some(h) = get("access-control-request-headers") {
            headers.push(HeaderEntry {
                name: "Access-Control-Allow-Headers".into(),
                value: h,
            });
        }
        FulfillRequest {
            request_id,
            response_code: u32::from(self.status),
            response_headers: Some(headers),
            binary_response_headers: None,
            body: Some(BASE64.encode(self.body)),
            response_phrase: Some(self.status_text.into()),
        }
    }
}

fn headers_of(h: &headless_chrome::protocol::cdp::Network::Headers) -> Vec<NameValue> {
    let mut out = Vec::new();
    if let Some(serde_json::Value::Object(m)) = &h.0 {
        for (k, v) in m {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push(NameValue {
                name: k.clone(),
                value,
            });
        }
    }
    out
}

fn resource_type_name(t: &ResourceType) -> String {
    // The protocol's names (`XHR`, `Fetch`, `Ping`), lower-cased as in
    // Chromium's HAR export.
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| "other".into())
}

fn entry_of(
    r: &headless_chrome::protocol::cdp::Network::Request,
    headers: &[NameValue],
    t: &ResourceType,
    answer: &Answer,
    fulfil: &FulfillRequest,
) -> Entry {
    let url = match &r.url_fragment {
        Some(f) => format!("{}{f}", r.url),
        None => r.url.clone(),
    };
    let query_string = Url::parse(&url)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| NameValue {
                    name: k.into_owned(),
                    value: v.into_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let cookies = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("cookie"))
        .flat_map(|h| h.value.split(';'))
        .filter_map(|pair| {
            let (n, v) = pair.split_once('=')?;
            Some(NameValue {
                name: n.trim().into(),
                value: v.trim().into(),
            })
        })
        .collect();
    let body = body_of(r);
    let post_data = body.as_ref().map(|b| {
        let mime_type = headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-type"))
            .map(|h| h.value.clone())
            .unwrap_or_default();
        match std::str::from_utf8(b) {
            Ok(text) => PostData {
                mime_type,
                text: text.to_string(),
                encoding: None,
            },
            Err(_) => PostData {
                mime_type,
                text: BASE64.encode(b),
                encoding: Some("base64".into()),
            },
        }
    });
    let mut response_headers: Vec<NameValue> = fulfil
        .response_headers
        .iter()
        .flatten()
        .map(|h| NameValue {
            name: h.name.clone(),
            value: h.value.clone(),
        })
        .collect();
    response_headers.sort();
    Entry {
        pageref: Some("page_1".into()),
        started_date_time: har::iso8601(SystemTime::now()),
        time: 0.0,
        request: har::Request {
            method: r.method.clone(),
            url,
            http_version: "HTTP/1.1".into(),
            headers: headers.to_vec(),
            query_string,
            cookies,
            headers_size: -1,
            body_size: body.as_ref().map_or(0, |b| b.len() as i64),
            post_data,
        },
        response: har::Response {
            status: answer.status,
            status_text: answer.status_text.into(),
            http_version: "HTTP/1.1".into(),
            headers: response_headers,
            cookies: Vec::new(),
            content: Content {
                size: answer.body.len() as i64,
                mime_type: answer.mime.into(),
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: answer.body.len() as i64,
            comment: Some("answered locally by blastmap observe; not sent".into()),
        },
        cache: serde_json::Map::new(),
        timings: Timings::local(),
        resource_type: Some(resource_type_name(t)),
    }
}

/// The request body: its entries' bytes (base64 in the protocol), else the
/// older `postData` string.
fn body_of(r: &headless_chrome::protocol::cdp::Network::Request) -> Option<Vec<u8>> {
    if let Some(entries) = &r.post_data_entries {
        let mut out = Vec::new();
        let mut any = false;
        for e in entries {
            if let Some(b) = &e.bytes {
                any = true;
                out.extend(BASE64.decode(b).unwrap_or_else(|_| b.clone().into_bytes()));
            }
        }
        if any {
            return Some(out);
        }
    }
    r.post_data.as_ref().map(|s| s.clone().into_bytes())
}

/// Records `opts.url`. Every request to another origin is answered locally
/// and written to the returned HAR.
pub fn record(opts: &RecordOptions) -> Result<Recording, RecordError> {
    let own = Own::of(&opts.url)?;
    if let Some(steps) = &opts.steps {
        check_gotos(steps, &own)?;
    }
    let browser_name = opts.chromium.display().to_string();
    let fail = |message: String, help: &str| RecordError::Browser {
        browser: browser_name.clone(),
        message,
        help: help.to_string(),
    };
    probe(&opts.chromium).map_err(|m| {
        fail(
            m,
            "set BLASTMAP_CHROMIUM to a Chromium or Chrome executable, or install Chromium (Debian/Ubuntu: `apt-get install chromium`)",
        )
    })?;
    // A port chosen here (free a moment ago) rather than the library's
    // search, which restarts the browser on each port it tries.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            fail(
                format!("no local port for the DevTools protocol: {e}"),
                "check that 127.0.0.1 is usable",
            )
        })?;
    let profile = tempfile::Builder::new()
        .prefix("blastmap-observe-")
        .tempdir()
        .map_err(|e| {
            fail(
                format!("cannot create a temporary profile: {e}"),
                "check that the temporary folder is writable (TMPDIR)",
            )
        })?;
    let rules = format!("--host-resolver-rules={}", own.resolver_rules());
    let flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-breakpad",
        "--disable-client-side-phishing-detection",
        "--disable-dev-shm-usage",
        "--metrics-recording-only",
        "--password-store=basic",
        "--use-mock-keychain",
        // Cross-site frames stay in the page's process, where the
        // interception sees their requests.
        "--disable-site-isolation-trials",
        "--disable-features=IsolateOrigins,site-per-process,Translate,OptimizationHints,MediaRouter,DnsOverHttps",
        // WebRTC would gather addresses with STUN over UDP.
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        rules.as_str(),
    ];
    let args: Vec<&OsStr> = flags.iter().map(OsStr::new).collect();
    let launch = LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(opts.chromium.clone()),
        user_data_dir: Some(profile.path().to_path_buf()),
        args,
        disable_default_args: true,
        // The connection's watchdog: no event from the browser for this
        // long ends it. Longer than any step could be quiet.
        idle_browser_timeout: opts.timeout.max(Duration::from_secs(30))
            + opts.wait
            + Duration::from_millis(steps::MAX_SLEEP_MS),
        window_size: Some((1280, 800)),
        port: Some(port),
        ..LaunchOptions::default()
    };
    let browser = Browser::new(launch).map_err(|e| {
        fail(
            format!("did not start: {e:#}"),
            "check that the executable is a Chromium or Chrome browser (`chromium --version`)",
        )
    })?;
    let result = record_in(&browser, &own, opts);
    drop(browser);
    // The profile folder is removed here, after the browser exited.
    drop(profile);
    result
}

/// Checks that a URL is one the recorder opens (a local file or a loopback
/// host), before anything else is done.
pub fn check_url(url: &str) -> Result<(), RecordError> {
    Own::of(url).map(|_| ())
}

/// Checks, within 10 seconds, that the executable answers `--version` as
/// Chromium and Chrome do, before it is started as a browser: something
/// else would only fail after the protocol's own long wait.
fn probe(exe: &Path) -> Result<(), String> {
    use std::process::{Command, Stdio};
    let mut child = Command::new(exe)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("`--version` did not answer within 10 s".into());
            }
        }
    }
    let mut out = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut o, &mut out);
    }
    if out.contains("Chrom") {
        Ok(())
    } else {
        let said = out.trim().chars().take(80).collect::<String>();
        Err(format!(
            "it does not answer `--version` as Chromium or Chrome does (it printed {said:?})"
        ))
    }
}

fn check_gotos(steps: &Steps, own: &Own) -> Result<(), RecordError> {
    for (i, p) in steps.steps.iter().enumerate() {
        if let Step::Goto(target) = &p.step {
            let ok = own
                .page
                .join(target)
                .map(|u| own.admits(u.as_str()))
                .unwrap_or(false);
            if !ok {
                return Err(RecordError::Step {
                    file: steps.file.clone(),
                    line: p.line,
                    n: i + 1,
                    step: p.step.to_string(),
                    message: format!("`{target}` is not on the page's own origin ({})", origin_name(own)),
                    help: "`goto` opens pages of the recorded site only: use a path such as `/account`".into(),
                });
            }
        }
    }
    Ok(())
}

fn origin_name(own: &Own) -> String {
    if own.page.scheme() == "file" {
        "local files".into()
    } else {
        own.page.origin().ascii_serialization()
    }
}

fn record_in(browser: &Browser, own: &Own, opts: &RecordOptions) -> Result<Recording, RecordError> {
    let name = opts.chromium.display().to_string();
    let fail = |what: &str, e: anyhow::Error| {
        RecordError::Browser {
        browser: name.clone(),
        message: format!("{what}: {e:#}"),
        help: "run again; if it persists, check that this Chromium runs headless (`chromium --headless --dump-dom about:blank`)".into(),
    }
    };
    let started = SystemTime::now();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let tab = browser
        .new_tab()
        .map_err(|e| fail("cannot open a tab", e))?;
    tab.set_default_timeout(opts.timeout);
    // SDKs drop what a bot sends (PostHog filters "HeadlessChrome"): the
    // page sees the browser's own user agent without "Headless", as a
    // person's Chromium of the same version would send it.
    if let Ok(v) = browser.get_version() {
        let ua = v.user_agent.replace("HeadlessChrome", "Chrome");
        tab.set_user_agent(&ua, None, None)
            .map_err(|e| fail("cannot set the user agent", e))?;
    }
    // The interceptor is in place before interception starts, and both
    // before the page is opened: no request precedes them.
    tab.enable_request_interception(Arc::new(Interceptor {
        own: own.clone(),
        max: opts.max_requests,
        seen: Arc::clone(&seen),
    }))
    .map_err(|e| fail("cannot intercept requests", e))?;
    let all = [RequestPattern {
        url_pattern: Some("*".into()),
        resource_Type: None,
        request_stage: None,
    }];
    tab.enable_fetch(Some(&all), None)
        .map_err(|e| fail("cannot intercept requests", e))?;
    tab.navigate_to(&opts.url)
        .and_then(|t| t.wait_until_navigated())
        .map_err(|e| RecordError::Url {
            url: opts.url.clone(),
            why: format!(
                "the page did not load within {} s: {e:#}",
                opts.timeout.as_secs()
            ),
            help: "check that the page is served at this address, or raise --timeout".into(),
        })?;
    if let Some(steps) = &opts.steps {
        for (i, p) in steps.steps.iter().enumerate() {
            perform(&tab, own, &p.step, opts.timeout).map_err(|(message, help)| {
                RecordError::Step {
                    file: steps.file.clone(),
                    line: p.line,
                    n: i + 1,
                    step: p.step.to_string(),
                    message,
                    help,
                }
            })?;
        }
    }
    std::thread::sleep(opts.wait);
    // Leaving the page fires `pagehide` and `visibilitychange`, on which
    // SDKs send what they still hold (by beacon). Their requests are paused
    // and answered like the others.
    let _ = tab.navigate_to("about:blank");
    settle(&seen, Duration::from_millis(500), Duration::from_secs(3));
    let _ = tab.disable_fetch();
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    let entries = std::mem::take(&mut seen.entries);
    let har = Har {
        log: Log {
            version: "1.2".into(),
            creator: Creator {
                name: "blastmap observe".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            pages: vec![Page {
                started_date_time: har::iso8601(started),
                id: "page_1".into(),
                title: opts.url.clone(),
                page_timings: PageTimings {
                    on_content_load: -1.0,
                    on_load: -1.0,
                },
            }],
            entries,
            comment: Some(format!(
                "Recorded by blastmap observe in headless Chromium: each request to another origin was answered locally and none was sent. {} request(s) to the page's own origin were let through and are not listed.",
                seen.own
            )),
        },
    };
    Ok(Recording {
        har,
        own_requests: seen.own,
        dropped: seen.dropped,
    })
}

/// Waits until no request was paused for `quiet`, at most `max`.
fn settle(seen: &Mutex<Seen>, quiet: Duration, max: Duration) {
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let last = seen.lock().map(|s| s.last).unwrap_or(None);
        let calm = last.is_none_or(|t| t.elapsed() >= quiet);
        if (calm && start.elapsed() >= quiet) || start.elapsed() >= max {
            return;
        }
    }
}

/// A step's failure: what went wrong, what to do.
type StepFailure = (String, String);

fn perform(tab: &Tab, own: &Own, step: &Step, timeout: Duration) -> Result<(), StepFailure> {
    match step {
        Step::Sleep(ms) => {
            std::thread::sleep(Duration::from_millis(*ms));
            Ok(())
        }
        Step::WaitFor(sel) => wait_for(tab, sel, timeout),
        Step::Click(sel) => {
            wait_for(tab, sel, timeout)?;
            run_js(
                tab,
                &format!(
                    "(() => {{ const el = document.querySelector({s}); if (!el) return 'gone'; el.click(); return 'ok'; }})()",
                    s = js_string(sel)
                ),
            )
        }
        Step::Fill { selector, value } => {
            wait_for(tab, selector, timeout)?;
            // The native value setter, then the events a person's typing
            // fires: frameworks that track the value (React) see the change.
            run_js(
                tab,
                &format!(
                    "(() => {{ const el = document.querySelector({s}); if (!el) return 'gone'; el.focus(); \
                 const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value'); \
                 if (d && d.set) d.set.call(el, {v}); else el.value = {v}; \
                 el.dispatchEvent(new Event('input', {{bubbles: true}})); \
                 el.dispatchEvent(new Event('change', {{bubbles: true}})); return 'ok'; }})()",
                    s = js_string(selector),
                    v = js_string(value)
                ),
            )
        }
        Step::Goto(target) => {
            let current = tab.get_url();
            let base = Url::parse(&current).unwrap_or_else(|_| own.page.clone());
            let to = base.join(target).map_err(|e| {
                (
                    format!("not a URL: {e}"),
                    "use a path such as `/account`".into(),
                )
            })?;
            tab.navigate_to(to.as_str())
                .and_then(|t| t.wait_until_navigated())
                .map(|_| ())
                .map_err(|e| {
                    (
                        format!("`{to}` did not load within {} s: {e:#}", timeout.as_secs()),
                        "check the path, or raise --timeout".into(),
                    )
                })
        }
    }
}

/// A string as a JavaScript literal (JSON is a subset of JavaScript's
/// string syntax), so a selector or value is never read as code.
fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn run_js(tab: &Tab, expr: &str) -> Result<(), StepFailure> {
    match tab.evaluate(expr, false) {
        Ok(r) if r.value == Some(serde_json::Value::from("ok")) => Ok(()),
        Ok(_) => Err((
            "the element went away before the step ran".into(),
            "add a `wait:` step for the state the page should be in first".into(),
        )),
        Err(e) => Err((
            format!("the browser refused the step: {e:#}"),
            "check that the selector is valid CSS".into(),
        )),
    }
}

/// Polls until an element matches `sel`, up to `timeout`. A selector that
/// is not valid CSS fails at once.
fn wait_for(tab: &Tab, sel: &str, timeout: Duration) -> Result<(), StepFailure> {
    let probe = format!(
        "(() => {{ try {{ return document.querySelector({}) ? 'ok' : 'no'; }} catch (e) {{ return 'bad'; }} }})()",
        js_string(sel)
    );
    let start = Instant::now();
    loop {
        // While the page navigates (a submitted form) there is no context
        // to evaluate in: that is a "not yet", not a failure.
        let state = tab
            .evaluate(&probe, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().map(str::to_string));
        match state.as_deref() {
            Some("ok") => return Ok(()),
            Some("bad") => {
                return Err((
                    format!("`{sel}` is not a valid CSS selector"),
                    "write a CSS selector such as `#email`, `.signup button` or `input[name=email]`".into(),
                ));
            }
            _ => {}
        }
        if start.elapsed() >= timeout {
            return Err((
                format!(
                    "no element matches `{sel}` after {} s",
                    timeout.as_secs_f64()
                ),
                "check the selector against the page (its id or name), or raise --timeout".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The hosts a recording sent to, with how many requests each: for a
/// summary that shows no payload.
pub fn hosts(har: &Har) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in &har.log.entries {
        let host = Url::parse(&e.request.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "(no host)".into());
        *out.entry(host).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_pages_are_recorded() {
        for ok in [
            "http://localhost:8080/",
            "http://127.0.0.1:3000/a",
            "https://app.localhost/",
            "http://[::1]:9000/",
            "file:///tmp/page.html",
        ] {
            assert!(Own::of(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://example.com/",
            "http://10.0.0.1/",
            "ftp://localhost/",
            "not a url",
        ] {
            let e = Own::of(bad).unwrap_err().to_string();
            assert!(e.contains("cannot record"), "{bad}: {e}");
            assert!(e.contains("help:"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_own_origin_is_scheme_host_and_port() {
        let own = Own::of("http://127.0.0.1:3000/index.html").unwrap();
        assert!(own.admits("http://127.0.0.1:3000/app.js"));
        assert!(!own.admits("http://127.0.0.1:3001/collect"), "another port");
        assert!(!own.admits("https://127.0.0.1:3000/"), "another scheme");
        assert!(!own.admits("http://localhost:3000/"), "another host");
        assert!(!own.admits("https://api-js.mixpanel.com/track"));
        let file = Own::of("file:///tmp/x/index.html").unwrap();
        assert!(file.admits("file:///tmp/x/app.js"));
        assert!(!file.admits("https://www.google-analytics.com/g/collect"));
    }

    #[test]
    fn every_host_but_the_page_s_fails_to_resolve() {
        assert_eq!(
            Own::of("http://localhost:1/").unwrap().resolver_rules(),
            "MAP * ~NOTFOUND, EXCLUDE localhost"
        );
        assert_eq!(
            Own::of("http://127.0.0.1:1/").unwrap().resolver_rules(),
            "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
        );
    }

    #[test]
    fn a_missing_browser_names_the_package() {
        let e = find_chromium(Some(OsStr::new("/nonexistent/chromium")), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/chromium"), "{e}");
        assert!(e.contains("apt-get install chromium"), "{e}");
    }

    #[test]
    fn js_strings_cannot_break_out() {
        assert_eq!(js_string("a\"); alert(1); (\""), r#""a\"); alert(1); (\"""#);
    }
}
