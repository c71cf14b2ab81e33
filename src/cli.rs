//! The command line: clap arguments, and [`run`], which resolves them into
//! inputs, calls the library and renders the result. `main.rs` only parses
//! and exits; tests drive [`run`] in process.
//!
//! Exit codes (ARCHITECTURE.md, "Outputs"): 0 clean, 1 findings the policy denies or a vendor
//! not found, 2 usage, input or I/O errors. A closed stdout (a broken pipe,
//! as in `blastmap rank | head -1`) is not an error.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::catalog::Catalog;
use crate::graph::{DataGraph, Mode};
use crate::input::{self, InputKind, Loaded};
use crate::model::Map;
use crate::model::declaration::{self, LoadError};
use crate::model::policy::{Code, Level};
use crate::report::format::{
    CatalogFormat, CheckFormat, DiffFormat, ExportFormat, MergeFormat, ObserveFormat, ScanFormat,
};
use crate::report::{self, DiagramFormat, Format};
use crate::scan::{ComponentPaths, ScanOptions, ScanProgress, ScanResult};

/// blastmap: what leaks if this vendor is breached?
#[derive(Debug, Parser)]
#[command(name = "blastmap", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the model comes from.
#[derive(Debug, Clone, Args, Default)]
pub struct Inputs {
    /// Declaration file, Fides manifest, scan output or merged map [default: ./blastmap.yaml when
    /// present]
    #[arg(long, value_name = "FILE", global = true)]
    pub map: Option<PathBuf>,
    /// Source tree to scan; discovered integrations join the declared graph
    #[arg(long, value_name = "DIR", global = true)]
    pub scan: Option<PathBuf>,
    /// Read no declaration file that --map does not name: the code alone
    #[arg(long, global = true, conflicts_with = "map")]
    pub no_map: bool,
    /// What `blastmap observe --format json` recorded: observed flows join the
    /// graph, each request as evidence (repeatable)
    #[arg(long, value_name = "FILE", global = true)]
    pub observed: Vec<PathBuf>,
}

/// Where the report goes.
#[derive(Debug, Clone, Args, Default)]
pub struct Output {
    /// Write the report to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What-if assumptions, shared by `blast`, `rank` and `graph`.
#[derive(Debug, Clone, Args, Default)]
pub struct WhatIfArgs {
    /// Assume a flow that is not in the map: "FROM -> TO: field, field" (or `: all`);
    /// fields are field ids or taxonomy keys; TO may be any catalog vendor (repeatable)
    #[arg(long, value_name = "FLOW")]
    pub assume: Vec<String>,
    /// Take a vendor away, with every flow into or out of it and every access grant
    /// to or from it (repeatable)
    #[arg(long, value_name = "VENDOR")]
    pub without: Vec<String>,
}

impl WhatIfArgs {
    fn is_empty(&self) -> bool {
        self.assume.is_empty() && self.without.is_empty()
    }
}

/// `blast --notice`: who the draft is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NoticeArg {
    /// The affected people.
    Users,
    /// The company's own staff.
    Internal,
    /// The supervisory authority (GDPR Art. 33(3)).
    Regulator,
}

/// `blast --lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Arabic (right-to-left in HTML).
    Ar,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One vendor's blast radius: what is exposed, for whom, what is not, what to do
    Blast {
        /// Vendor id (catalog slug or declared id), e.g. `mixpanel`
        vendor: String,
        /// `data`: the vendor's stored data is breached; `code`: its SDK code is compromised
        #[arg(long, value_enum, default_value_t = ModeArg::Data)]
        mode: ModeArg,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        inputs: Inputs,
        #[command(flatten)]
        output: Output,
        #[command(flatten)]
        what_if: WhatIfArgs,
        /// Draft an incident notice from the computed exposure instead of the report
        /// (`--format` text, markdown or html); facts the map cannot know are left as
        /// [PLACEHOLDERS]
        #[arg(long, value_enum, value_name = "FOR", conflicts_with_all = ["assume", "without"])]
        notice: Option<NoticeArg>,
        /// The notice's language
        #[arg(long, value_enum, default_value_t = LangArg::En, requires = "notice")]
        lang: LangArg,
    },
    /// Every vendor ordered by blast radius
    Rank {
        /// `data` or `code`, as for `blast`
        #[arg(long, value_enum, default_value_t = ModeArg::Data)]
        mode: ModeArg,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        inputs: Inputs,
        #[command(flatten)]
        output: Output,
        #[command(flatten)]
        what_if: WhatIfArgs,
    },
    /// Compare two maps: vendors, components, fields and flows added or removed, and
    /// every vendor whose blast radius changed (informational: exits 0)
    #[command(
        after_help = "Both inputs are declaration files (blastmap.yaml), or both are the JSON output of `blastmap scan DIR --format json` (say, of two commits). A declaration file and a scan output are not compared: `blastmap check --scan DIR` compares declarations with the code."
    )]
    Diff {
        /// The first (older) map: a declaration file, or a scan's JSON
        before: PathBuf,
        /// The second (newer) map, of the same kind as the first
        after: PathBuf,
        /// `data` or `code`, as for `blast`
        #[arg(long, value_enum, default_value_t = ModeArg::Data)]
        mode: ModeArg,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        #[command(flatten)]
        output: Output,
    },
    /// The data-flow diagram: fields → components → vendors → sub-processors
    Graph {
        /// Highlight this vendor's blast radius (in html, the picker starts on it)
        #[arg(long, value_name = "VENDOR")]
        vendor: Option<String>,
        /// `data` or `code`, as for `blast` (for the highlighted radius)
        #[arg(long, value_enum, default_value_t = ModeArg::Data)]
        mode: ModeArg,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = DiagramFormat::Mermaid)]
        format: DiagramFormat,
        #[command(flatten)]
        inputs: Inputs,
        #[command(flatten)]
        output: Output,
        #[command(flatten)]
        what_if: WhatIfArgs,
    },
    /// What the running application sends to each vendor, from recorded traffic (HTTP
    /// Archive files, or a local page recorded in headless Chromium with nothing sent):
    /// fields, categories and the test account's canary values
    #[command(
        after_help = "A HAR comes from the browser's network panel (\"Save all as HAR\"), Playwright's recordHar, a proxy, or `blastmap observe URL --save-har FILE`.\n\nWith URL, the page is recorded first. It must be on this machine: http://localhost:PORT/..., a 127.0.0.0/8 or [::1] address, or file://. Requests to its own origin are let through; every other request is recorded and answered locally (204 for data, an empty script, style sheet or document, a 1x1 GIF for an image), never sent. The browser: BLASTMAP_CHROMIUM, else /usr/bin/chromium, else chromium, chromium-browser, google-chrome on PATH. Steps (--script), a YAML list:\n  - fill: { selector: \"#email\", value: \"canary@example.com\" }\n  - click: \"#signup\"\n  - wait: 500          # milliseconds\n  - wait: \"#thanks\"    # until an element matches\n  - goto: /account     # same origin only\n\n Requests are attributed to catalog vendors by host (and path, as the scan does); other hosts are counted, not read.\n\nThe canary file is YAML, one `name: value` per line (email, name, phone, user_id, address, or any other name): each value is found plain, lower-cased, URL-encoded, base64, and as the SHA-256 and MD5 of its normalised form.\n\nOutputs show key paths, categories and canary names, never other raw values, unless --show-values; secrets are always redacted. `--format json` is what blast, rank, graph and check read with --observed FILE."
    )]
    Observe {
        /// Record this page instead of reading a HAR: http://localhost:PORT/... or
        /// file://..., opened in headless Chromium; every request to another origin
        /// is answered locally, so nothing leaves the machine
        #[arg(value_name = "URL", conflicts_with = "har")]
        url: Option<String>,
        /// A recorded HTTP Archive (HAR 1.2) to read (repeatable)
        #[arg(long, value_name = "FILE")]
        har: Vec<PathBuf>,
        /// The test account's values to find in the traffic (YAML: `email: ...`)
        #[arg(long, value_name = "FILE")]
        canary: Option<PathBuf>,
        /// Show raw values in the report (they may be personal data)
        #[arg(long)]
        show_values: bool,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = ObserveFormat::Text)]
        format: ObserveFormat,
        /// With URL: steps to perform once the page has loaded (a YAML list: fill,
        /// click, wait, goto)
        #[arg(long, value_name = "STEPS", requires = "url")]
        script: Option<PathBuf>,
        /// With URL: keep the recording as a HAR 1.2 file
        #[arg(long, value_name = "FILE", requires = "url")]
        save_har: Option<PathBuf>,
        /// With URL: seconds allowed for the page to load and for each step
        #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: u64,
        /// With URL: milliseconds to stay on the page after the load and the steps,
        /// before leaving it
        #[arg(long, value_name = "MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(0..=600_000))]
        wait: u64,
        /// With URL: write down at most this many requests (later ones are still
        /// answered locally)
        #[arg(long, value_name = "N", default_value_t = 2000)]
        max_requests: usize,
        #[command(flatten)]
        output: Output,
    },
    /// Discover vendor integrations in a source tree
    Scan {
        /// The source tree [default: .]
        dir: Option<PathBuf>,
        /// Output format; `yaml` writes a starter blastmap.yaml
        #[arg(long, short = 'f', value_enum, default_value_t = ScanFormat::Text)]
        format: ScanFormat,
        /// Skip files larger than this (bytes, or with K/M/G suffix)
        #[arg(long, value_name = "SIZE", default_value = "2M", value_parser = parse_size)]
        max_file_size: u64,
        /// Declaration file whose component `paths` attribute findings [default: DIR/blastmap.yaml,
        /// else ./blastmap.yaml, when present]
        #[arg(long, value_name = "FILE")]
        map: Option<PathBuf>,
        /// Read no declaration file that --map does not name
        #[arg(long, conflicts_with = "map")]
        no_map: bool,
        #[command(flatten)]
        output: Output,
    },
    /// The pre-merge gate: vendors and flows the code adds or does not declare, the
    /// policy, hard-coded secrets; exits 1 when a finding is denied
    #[command(
        after_help = "The tree is --scan DIR (default: the current folder); the declarations are --map FILE, else DIR/blastmap.yaml, else ./blastmap.yaml.\n\nCodes: undeclared-vendor, undeclared-flow, stale-declaration, new-vendor, new-flow, blast-radius-grew, policy-denied, secret-in-source, unread-change, hidden-vendor (`--explain CODE` explains one). With --observed FILE (the JSON of `blastmap observe`), recorded traffic is compared too.\n\nExit codes: 0 passed, 1 a finding is denied, 2 usage, input or git errors."
    )]
    Check {
        /// Compare with a saved scan (`blastmap scan DIR --format json`)
        #[arg(long, value_name = "FILE", conflicts_with = "base")]
        baseline: Option<PathBuf>,
        /// Compare with a git revision (e.g. `origin/main`, `HEAD~1`), read through git
        /// without touching the working tree
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Set a code's level, over the policy: CODE=allow|warn|deny (repeatable)
        #[arg(long = "level", value_name = "CODE=LEVEL", value_parser = LevelParser, hide_possible_values = true)]
        levels: Vec<(Code, Level)>,
        /// Strict mode: every vendor and flow the code shows must be declared
        #[arg(long)]
        strict: bool,
        /// Exit 0 even when findings are denied (input errors still exit 2)
        #[arg(long)]
        exit_zero: bool,
        /// Also write the report in another format to a file, from the same run:
        /// FORMAT=FILE, e.g. `--save sarif=blastmap.sarif --save markdown=comment.md`
        /// (repeatable)
        #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_save)]
        save: Vec<(CheckFormat, PathBuf)>,
        /// Explain a finding code (with an example and the fix) and exit
        #[arg(long, value_name = "CODE", value_parser = parse_code)]
        explain: Option<Code>,
        /// Skip files larger than this (bytes, or with K/M/G suffix)
        #[arg(long, value_name = "SIZE", default_value = "2M", value_parser = parse_size)]
        max_file_size: u64,
        #[command(flatten)]
        inputs: Inputs,
        #[command(flatten)]
        output: Output,
    },
    /// Load and check a map only: a declaration file, or a Fides manifest, scan
    /// output or merged map, read as `--map` reads it
    Validate {
        /// The file [default: ./blastmap.yaml]
        file: Option<PathBuf>,
        /// The file, as every other command takes it
        #[arg(long = "map", value_name = "FILE", conflicts_with = "file")]
        map: Option<PathBuf>,
    },
    /// The built-in vendor catalog
    Catalog {
        /// Show one vendor
        vendor: Option<String>,
        /// Output format (text or json)
        #[arg(long, short = 'f', value_enum, default_value_t = CatalogFormat::Text)]
        format: CatalogFormat,
        /// List the data-category taxonomy instead
        #[arg(long)]
        taxonomy: bool,
        #[command(flatten)]
        output: Output,
    },
    /// The whole graph for other tools: CycloneDX 1.6, GraphML or Cypher
    Export {
        /// Output format
        #[arg(long, short = 'f', value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        inputs: Inputs,
        #[command(flatten)]
        output: Output,
    },
    /// Combine many repositories' scans and declarations into one organisation map
    Merge {
        /// Scan outputs (JSON), declaration or Fides files, or merged maps; `FILE=REPO` names
        /// the repository (default: from the file name, or its folder for `scan.json`)
        #[arg(required = true, value_name = "FILE[=REPO]")]
        files: Vec<String>,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = MergeFormat::Json)]
        format: MergeFormat,
        /// The organisation's name in reports
        #[arg(long, value_name = "NAME")]
        system: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// Shell completion script, for bash, zsh, fish, elvish or powershell
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The man page (roff), e.g. `blastmap man > blastmap.1`; `--dir DIR`
    /// writes one page per subcommand too
    Man {
        /// Write blastmap.1 and a page per subcommand (blastmap-check.1, ...)
        /// into DIR
        #[arg(long, value_name = "DIR", conflicts_with = "output")]
        dir: Option<PathBuf>,
        #[command(flatten)]
        output: Output,
    },
}

/// `--mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// The vendor's stored data is breached.
    Data,
    /// The vendor's SDK code is compromised.
    Code,
}

impl From<NoticeArg> for report::notice::NoticeKind {
    fn from(n: NoticeArg) -> Self {
        match n {
            NoticeArg::Users => Self::Users,
            NoticeArg::Internal => Self::Internal,
            NoticeArg::Regulator => Self::Regulator,
        }
    }
}

impl From<LangArg> for report::notice::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => Self::En,
            LangArg::Ar => Self::Ar,
        }
    }
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Data => Mode::Data,
            ModeArg::Code => Mode::Code,
        }
    }
}

/// Parses `2M`, `512K`, `1G`, `1048576` (binary units).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let lower = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower)
        .to_string();
    let (num, mult) = match lower.chars().last() {
        Some('k') => (&lower[..lower.len() - 1], 1u64 << 10),
        Some('m') => (&lower[..lower.len() - 1], 1 << 20),
        Some('g') => (&lower[..lower.len() - 1], 1 << 30),
        _ => (lower.as_str(), 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            format!("`{t}` is not a size: write bytes or a number with K, M or G (e.g. 2M)")
        })
}

/// `check --level`'s parser: [`parse_level`], and every `CODE=LEVEL` as a
/// possible value, so shell completions offer them (`--help` does not list
/// them: `check --explain` does).
#[derive(Debug, Clone, Copy)]
pub struct LevelParser;

impl clap::builder::TypedValueParser for LevelParser {
    type Value = (Code, Level);

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let text = value
            .to_str()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        parse_level(text).map_err(|m| {
            let name = arg
                .map(|a| a.to_string())
                .unwrap_or_else(|| "--level".into());
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value '{text}' for '{name}': {m}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        static VALUES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let values = VALUES.get_or_init(|| {
            Code::ALL
                .iter()
                .flat_map(|c| ["allow", "warn", "deny"].map(|l| format!("{}={l}", c.as_str())))
                .collect()
        });
        Some(Box::new(
            values
                .iter()
                .map(|v| clap::builder::PossibleValue::new(v.as_str())),
        ))
    }
}

/// Parses `CODE=LEVEL` for `check --level`.
pub fn parse_level(s: &str) -> Result<(Code, Level), String> {
    let (c, l) = s.split_once('=').ok_or_else(|| {
        format!("`{s}` is not CODE=LEVEL (e.g. `--level stale-declaration=deny`)")
    })?;
    let code = parse_code(c.trim())?;
    let level = Level::parse(l.trim())
        .ok_or_else(|| format!("`{}` is not a level: use allow, warn or deny", l.trim()))?;
    Ok((code, level))
}

/// Parses `FORMAT=FILE` for `check --save`.
pub fn parse_save(s: &str) -> Result<(CheckFormat, PathBuf), String> {
    use clap::ValueEnum;
    let (f, file) = s
        .split_once('=')
        .filter(|(_, file)| !file.is_empty())
        .ok_or_else(|| format!("`{s}` is not FORMAT=FILE (e.g. `--save sarif=blastmap.sarif`)"))?;
    let format = CheckFormat::from_str(f.trim(), true)
        .map_err(|_| format!("`{f}` is not a format: use text, markdown, sarif or json"))?;
    Ok((format, PathBuf::from(file)))
}

/// Parses a finding code, suggesting the closest one.
pub fn parse_code(s: &str) -> Result<Code, String> {
    Code::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        match crate::model::suggest::closest(s, all.iter().copied()) {
            Some(x) => format!("unknown finding code `{s}`: did you mean `{x}`?"),
            None => format!("unknown finding code `{s}`: codes are {}", all.join(", ")),
        }
    })
}

/// Which streams [`emit`] colours (see [`crate::report::colour::wanted`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Paint {
    /// A text report for people on stdout.
    pub stdout: bool,
    /// `error:` and `help:` on stderr.
    pub stderr: bool,
}

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The report.
    pub stdout: String,
    /// Messages for the user.
    pub stderr: String,
    /// The exit code.
    pub code: i32,
    /// Write the report here instead of stdout.
    pub output: Option<PathBuf>,
    /// Files to write besides the report (`man --dir`, `check --save`):
    /// (path, text), written by [`emit`] before the report.
    pub files: Vec<(PathBuf, String)>,
    /// `stdout` is a text report for people (`blast`, `rank`, `diff`,
    /// `scan` and `check` in their text format), which the binary may
    /// colour on a terminal (see [`crate::report::colour`]).
    pub for_people: bool,
}

impl Outcome {
    fn ok(stdout: String, output: &Output) -> Outcome {
        Outcome {
            stdout,
            output: output.output.clone(),
            ..Default::default()
        }
    }

    fn fail(code: i32, stderr: String) -> Outcome {
        Outcome {
            stderr,
            code,
            ..Default::default()
        }
    }
}

const NO_INPUT: &str = "error: no input: this command needs a declaration file or a source tree\n  help: pass `--map FILE` and/or `--scan DIR`, or run it in a folder that has a `blastmap.yaml`\n        (try: blastmap blast mixpanel --map examples/api-platform/blastmap.yaml)\n";

const NOTICE_JSON: &str = "error: a notice is drafted as text, markdown or html, not json\n  help: use `--format markdown` (or drop --notice for the JSON report)\n";

/// A declaration file, or a scan's JSON output (recognised by its
/// `integrations` key) turned into a map of discovered flows.
fn load_map_or_scan(path: &Path) -> Result<(Map, bool), Outcome> {
    let text = input::read_text(path).map_err(load_error)?;
    let looks_like_scan = text.trim_start().starts_with('{') && text.contains("\"integrations\"");
    if looks_like_scan {
        return match input::parse_scan(&text, &path.display().to_string()) {
            Ok(scan) => {
                let mut map = Map::new("scan");
                crate::graph::reconcile::merge_scan(&mut map, &scan);
                Ok((map, true))
            }
            Err(e) => Err(load_error(e)),
        };
    }
    declaration::load_str(&text, &path.display().to_string())
        .map(|m| (m, false))
        .map_err(load_error)
}

/// The declaration file a command reads when `--map` is not given: the
/// first `blastmap.yaml` in `dirs`. One found this way comes with the tree,
/// not from the user, so it must be inside its folder: a link that leads out
/// of it (to `/etc/passwd`, or a file of another project) is refused before
/// anything is read, as the scan refuses such links.
fn implicit_map(dirs: &[&Path]) -> Result<Option<PathBuf>, Outcome> {
    for dir in dirs {
        let p = if *dir == Path::new(".") {
            PathBuf::from("blastmap.yaml")
        } else {
            dir.join("blastmap.yaml")
        };
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            let inside = match (std::fs::canonicalize(dir), std::fs::canonicalize(&p)) {
                (Ok(d), Ok(t)) => t.starts_with(&d),
                // A dangling link or a loop: nothing to read.
                _ => continue,
            };
            if !inside {
                return Err(Outcome::fail(
                    2,
                    format!(
                        "error: {} is a link to a file outside {}; a declaration file that comes with the tree is read only from inside it\n  help: if you trust that file, name it yourself with `--map FILE`\n",
                        crate::report::escape::terminal(&p.display().to_string()),
                        crate::report::escape::terminal(&dir.display().to_string()),
                    ),
                ));
            }
        }
        if p.is_file() {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The one rule every command follows for its declarations: `--map FILE`;
/// else none with `--no-map`; else `DIR/blastmap.yaml` for the scanned
/// folder; else `./blastmap.yaml`; else none.
fn declarations_for(
    map: Option<&Path>,
    no_map: bool,
    scan_dir: Option<&Path>,
) -> Result<Option<PathBuf>, Outcome> {
    if let Some(p) = map {
        return Ok(Some(p.to_path_buf()));
    }
    if no_map {
        return Ok(None);
    }
    match scan_dir {
        Some(d) => implicit_map(&[d, Path::new(".")]),
        None => implicit_map(&[Path::new(".")]),
    }
}

/// Resolves `--map` (or `./blastmap.yaml`) and `--scan` into one validated model.
fn load_map(
    inputs: &Inputs,
    with_lines: bool,
    progress: Option<&dyn ScanProgress>,
) -> Result<Map, Outcome> {
    load_input(inputs, with_lines, progress).map(|l| l.map)
}

/// Resolves `--map` and `--scan` into a model and, for merged maps, the
/// repositories of each node. The `--map` file may be a declaration, a Fides
/// manifest, a scan output or a merged map (told apart by content:
/// [`input::detect`]).
fn load_input(
    inputs: &Inputs,
    with_lines: bool,
    progress: Option<&dyn ScanProgress>,
) -> Result<Loaded, Outcome> {
    let path = match declarations_for(inputs.map.as_deref(), inputs.no_map, inputs.scan.as_deref())?
    {
        Some(p) => Some(p),
        None if inputs.scan.is_some() || !inputs.observed.is_empty() => None,
        None => return Err(Outcome::fail(2, NO_INPUT.to_string())),
    };
    let mut loaded = match &path {
        Some(path) => input::load_file(path, with_lines).map_err(load_error)?,
        None => {
            let dir = inputs.scan.as_deref().unwrap_or(Path::new("."));
            let name = std::fs::canonicalize(dir)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "system".into());
            Loaded {
                map: Map::new(name),
                repos: None,
                kind: InputKind::Declaration,
            }
        }
    };
    if let Some(dir) = &inputs.scan {
        let result = run_scan(
            dir,
            crate::scan::DEFAULT_MAX_FILE_SIZE,
            &loaded.map,
            progress,
        )?;
        // One base for every evidence path: the declarations' own file,
        // when it lies in the scanned tree, is named from the tree's root
        // as the scan's files are (`blastmap.yaml:72`, not
        // `examples/api-platform/blastmap.yaml:72` beside `web/package.json:14`).
        if let Some(p) = &path {
            rebase_declared(&mut loaded.map, p, dir);
        }
        crate::graph::reconcile::merge_scan(&mut loaded.map, &result);
    }
    for r in load_observed(&inputs.observed)? {
        crate::graph::reconcile::merge_observed(&mut loaded.map, &r);
    }
    Ok(loaded)
}

/// Reads a file the user named, refusing one larger than `max` bytes.
fn read_bounded(path: &Path, max: u64, what: &str) -> Result<String, Outcome> {
    let shown = crate::report::escape::terminal(&path.display().to_string());
    let fail = |m: String| Outcome::fail(2, m);
    let meta =
        std::fs::metadata(path).map_err(|e| fail(format!("error: cannot read {shown}: {e}\n")))?;
    if !meta.is_file() {
        return Err(fail(format!(
            "error: {shown} is not a file\n  help: pass {what}\n"
        )));
    }
    if meta.len() > max {
        return Err(fail(format!(
            "error: {shown} is larger than {} MiB: not read\n  help: record less (one flow per file) and pass several files\n",
            max / (1024 * 1024)
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| fail(format!("error: cannot read {shown}: {e}\n")))?;
    String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "error: {shown} is not UTF-8 text (byte {}): not read\n  help: pass {what}\n",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// `--observed FILE...`: the observer's JSON reports.
fn load_observed(files: &[PathBuf]) -> Result<Vec<crate::observe::ObservedReport>, Outcome> {
    files
        .iter()
        .map(|f| {
            let what = "the JSON that `blastmap observe --har FILE --format json` writes";
            let text = read_bounded(f, crate::observe::MAX_HAR_BYTES, what)?;
            crate::observe::parse_report(&text, &f.display().to_string()).map_err(|e| {
                Outcome::fail(
                    2,
                    format!(
                        "error: {}\n",
                        crate::report::escape::log_lines(&e.to_string())
                    ),
                )
            })
        })
        .collect()
}

/// `blastmap observe --har FILE...`.
fn cmd_observe(
    hars: &[PathBuf],
    canary: Option<&Path>,
    show_values: bool,
    format: ObserveFormat,
    output: &Output,
) -> Outcome {
    if hars.is_empty() {
        return Outcome::fail(
            2,
            "error: nothing to observe\n  help: record a page with `blastmap observe URL`, or pass a recording with `--har FILE` (exported from the browser's network panel, Playwright's recordHar or a proxy)\n".into(),
        );
    }
    let what = "an HTTP Archive (.har) file";
    let mut texts = Vec::new();
    for h in hars {
        match read_bounded(h, crate::observe::MAX_HAR_BYTES, what) {
            Ok(t) => texts.push((h.display().to_string(), t)),
            Err(o) => return o,
        }
    }
    let canary = match load_canary(canary) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let options = crate::observe::Options { show_values };
    observe_report(&texts, canary.as_ref(), &options, format, output)
}

/// `--canary FILE`: the test account's values.
fn load_canary(canary: Option<&Path>) -> Result<Option<crate::observe::Canary>, Outcome> {
    let Some(p) = canary else { return Ok(None) };
    let text = read_bounded(p, 1024 * 1024, "a YAML file of `name: value` lines")?;
    crate::observe::Canary::load_str(&text, p)
        .map(Some)
        .map_err(|e| {
            Outcome::fail(
                2,
                format!(
                    "error: {}\n",
                    crate::report::escape::log_lines(&e.to_string())
                ),
            )
        })
}

/// The observer's report over recordings: (name, HAR text) pairs.
fn observe_report(
    texts: &[(String, String)],
    canary: Option<&crate::observe::Canary>,
    options: &crate::observe::Options,
    format: ObserveFormat,
    output: &Output,
) -> Outcome {
    match crate::observe::observe(texts, canary, options) {
        Ok(r) => Outcome::ok(report::observe::render(&r, format), output),
        Err(e) => Outcome::fail(
            2,
            format!(
                "error: {}\n",
                crate::report::escape::log_lines(&e.to_string())
            ),
        ),
    }
}

/// Renames the declared evidence of `map` (read from `file`) relative to
/// `root` when the file is inside it.
fn rebase_declared(map: &mut Map, file: &Path, root: &Path) {
    let (Ok(f), Ok(r)) = (std::fs::canonicalize(file), std::fs::canonicalize(root)) else {
        return;
    };
    let Ok(rel) = f.strip_prefix(&r) else {
        return;
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    let old = file.display().to_string();
    for flow in &mut map.flows {
        for e in &mut flow.evidence {
            if e.kind == crate::model::EvidenceKind::Declared && e.file == old {
                e.file = rel.clone();
            }
        }
    }
    if map.source.as_deref() == Some(old.as_str()) {
        map.source = Some(rel);
    }
}

/// Scans `dir`, attributing findings to the map's declared components.
fn run_scan(
    dir: &Path,
    max_file_size: u64,
    map: &Map,
    progress: Option<&dyn ScanProgress>,
) -> Result<ScanResult, Outcome> {
    let mut opts = ScanOptions::new(dir);
    opts.max_file_size = max_file_size;
    opts.progress = progress;
    opts.components = ComponentPaths::of_map(map);
    crate::scan::scan(&opts).map_err(|e| Outcome::fail(2, format!("error: {e}\n")))
}

/// `observe URL`'s recording options.
struct Recorder {
    script: Option<PathBuf>,
    save_har: Option<PathBuf>,
    timeout: std::time::Duration,
    wait: std::time::Duration,
    max_requests: usize,
}

/// `observe URL`: records the page, keeps the HAR when asked, and reports
/// the recording as `observe --har` does. Which hosts were sent to (hosts
/// and counts, no payload) is said on stderr.
fn cmd_observe_url(
    url: &str,
    rec: &Recorder,
    canary: Option<&Path>,
    options: crate::observe::Options,
    format: ObserveFormat,
    output: &Output,
) -> Outcome {
    use crate::observe::record;
    let fail = |e: &dyn std::fmt::Display| Outcome::fail(2, format!("error: {e}\n"));
    // Every input is checked before the browser starts.
    if let Err(e) = record::check_url(url) {
        return fail(&e);
    }
    let steps = match &rec.script {
        None => None,
        Some(p) => {
            let text = match read_bounded(p, 1024 * 1024, "a YAML list of steps") {
                Ok(t) => t,
                Err(o) => return o,
            };
            match record::steps::parse(&p.display().to_string(), &text) {
                Ok(s) => Some(s),
                Err(e) => return fail(&e),
            }
        }
    };
    let canary = match load_canary(canary) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let chromium = match record::find_chromium(
        std::env::var_os("BLASTMAP_CHROMIUM").as_deref(),
        std::env::var_os("PATH").as_deref(),
    ) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let mut opts = record::RecordOptions::new(url, chromium);
    opts.steps = steps;
    opts.timeout = rec.timeout;
    opts.wait = rec.wait;
    opts.max_requests = rec.max_requests;
    let recording = match record::record(&opts) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let har = match crate::report::escape::json(&recording.har) {
        Ok(t) => t + "\n",
        Err(e) => return fail(&format!("cannot write the HAR: {e}")),
    };
    // The report names the saved file, whose entries its evidence points
    // to; an unsaved recording is named after the page.
    let name = match &rec.save_har {
        Some(p) => p.display().to_string(),
        None => format!("recording of {url}"),
    };
    let mut out = observe_report(
        &[(name, har.clone())],
        canary.as_ref(),
        &options,
        format,
        output,
    );
    let mut notes = report::recording::text(&recording);
    if recording.dropped > 0 {
        notes.push_str(&format!(
            "warning: {} request(s) past --max-requests {} were answered but not recorded\n",
            recording.dropped, rec.max_requests
        ));
    }
    out.stderr = notes + &out.stderr;
    if let Some(path) = &rec.save_har {
        out.files.push((path.clone(), har));
    }
    out
}

fn load_error(e: LoadError) -> Outcome {
    Outcome::fail(2, format!("{e}\n"))
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> Outcome {
    run_with(cli, None)
}

/// Runs a parsed command, reporting scan progress to `progress` (the
/// binary's bar; the library itself never draws).
pub fn run_with(cli: Cli, progress: Option<&dyn ScanProgress>) -> Outcome {
    let for_people = match &cli.command {
        Command::Blast { format, notice, .. } => *format == Format::Text && notice.is_none(),
        Command::Rank { format, .. } => *format == Format::Text,
        Command::Diff { format, .. } => *format == DiffFormat::Text,
        Command::Scan { format, .. } => *format == ScanFormat::Text,
        Command::Check { format, .. } => *format == CheckFormat::Text,
        Command::Observe { format, .. } => *format == ObserveFormat::Text,
        _ => false,
    };
    let mut outcome = dispatch(cli, progress);
    outcome.for_people = for_people && outcome.output.is_none();
    outcome
}

fn dispatch(cli: Cli, progress: Option<&dyn ScanProgress>) -> Outcome {
    match cli.command {
        Command::Blast {
            vendor,
            mode,
            format,
            inputs,
            output,
            what_if,
            notice,
            lang,
        } => cmd_blast(
            vendor, mode, format, inputs, output, what_if, notice, lang, progress,
        ),
        Command::Rank {
            mode,
            format,
            inputs,
            output,
            what_if,
        } => cmd_rank(mode, format, inputs, output, what_if, progress),
        Command::Graph {
            vendor,
            mode,
            format,
            inputs,
            output,
            what_if,
        } => cmd_graph(vendor, mode, format, inputs, output, what_if, progress),
        Command::Diff {
            before,
            after,
            mode,
            format,
            output,
        } => cmd_diff(before, after, mode, format, output),
        Command::Scan {
            dir,
            format,
            max_file_size,
            map,
            no_map,
            output,
        } => cmd_scan(dir, format, max_file_size, map, no_map, output, progress),
        Command::Observe {
            url: Some(url),
            canary,
            show_values,
            format,
            script,
            save_har,
            timeout,
            wait,
            max_requests,
            output,
            ..
        } => cmd_observe_url(
            &url,
            &Recorder {
                script,
                save_har,
                timeout: std::time::Duration::from_secs(timeout),
                wait: std::time::Duration::from_millis(wait),
                max_requests,
            },
            canary.as_deref(),
            crate::observe::Options { show_values },
            format,
            &output,
        ),
        Command::Observe {
            url: None,
            har,
            canary,
            show_values,
            format,
            output,
            ..
        } => cmd_observe(&har, canary.as_deref(), show_values, format, &output),
        Command::Check {
            baseline,
            base,
            format,
            levels,
            strict,
            exit_zero,
            save,
            explain,
            max_file_size,
            inputs,
            output,
        } => {
            if let Some(code) = explain {
                return Outcome::ok(crate::check::codes::explain(code), &output);
            }
            let args = CheckArgs {
                baseline,
                base,
                levels,
                strict,
                max_file_size,
                save,
            };
            check(&args, &inputs, format, exit_zero, &output, progress)
        }
        Command::Validate { file, map } => cmd_validate(file, map),
        Command::Catalog {
            vendor,
            format,
            taxonomy,
            output,
        } => catalog(vendor, format, taxonomy, &output),
        Command::Export {
            format,
            inputs,
            output,
        } => cmd_export(format, inputs, output, progress),
        Command::Merge {
            files,
            format: MergeFormat::Json,
            system,
            output,
        } => merge(&files, system, &output),
        Command::Completions { shell } => cmd_completions(shell),
        Command::Man { dir, output } => cmd_man(dir, output),
    }
}

/// `blastmap blast`.
#[allow(clippy::too_many_arguments)]
fn cmd_blast(
    vendor: String,
    mode: ModeArg,
    format: Format,
    inputs: Inputs,
    output: Output,
    what_if: WhatIfArgs,
    notice: Option<NoticeArg>,
    lang: LangArg,
    progress: Option<&dyn ScanProgress>,
) -> Outcome {
    if notice.is_some() && format == Format::Json {
        return Outcome::fail(2, NOTICE_JSON.into());
    }
    let map = match load_map(&inputs, true, progress) {
        Ok(m) => m,
        Err(o) => return o,
    };
    if !what_if.is_empty() {
        return blast_what_if(&map, &what_if, &vendor, mode.into(), format, &output);
    }
    let g = DataGraph::build(&map);
    if let Some(kind) = notice {
        let Some(nf) = report::notice::NoticeFormat::of(format) else {
            return Outcome::fail(2, NOTICE_JSON.into());
        };
        return match g.blast(&vendor, mode.into()) {
            Ok(r) => Outcome::ok(
                report::notice::draft(&r, kind.into(), lang.into(), nf),
                &output,
            ),
            Err(e) => unknown_vendor(&e),
        };
    }
    match g.blast(&vendor, mode.into()) {
        Ok(r) if format == Format::Html => {
            let d = report::diagram::build_page(&g, Some(&vendor), mode.into()).ok();
            Outcome::ok(report::html::blast(&r, d.as_ref()), &output)
        }
        Ok(r) => Outcome::ok(report::blast(&r, format), &output),
        Err(e) => unknown_vendor(&e),
    }
}

/// `blastmap rank`.
fn cmd_rank(
    mode: ModeArg,
    format: Format,
    inputs: Inputs,
    output: Output,
    what_if: WhatIfArgs,
    progress: Option<&dyn ScanProgress>,
) -> Outcome {
    // A folder (`-o DIR/`) is a set of linked pages: the HTML ranking
    // of the map as declared, each vendor with its blast page.
    let folder = output.output.as_deref().filter(|p| is_folder(p));
    if let Some(dir) = folder
        && (format != Format::Html || !what_if.is_empty())
    {
        return Outcome::fail(
            2,
            format!(
                "error: -o {} is a folder: rank writes a folder of pages only as HTML and for the map as declared\n  help: add `--format html` (without --assume/--without), or name a file: -o rank.{}\n",
                crate::report::escape::terminal(&dir.display().to_string()),
                format.extension()
            ),
        );
    }
    let map = match load_map(&inputs, false, progress) {
        Ok(m) => m,
        Err(o) => return o,
    };
    if !what_if.is_empty() {
        let assumptions = match parse_assumptions(&what_if) {
            Ok(a) => a,
            Err(o) => return o,
        };
        return match crate::graph::whatif::rank_what_if(&map, &assumptions, mode.into()) {
            Ok(r) => Outcome::ok(report::rank(&r, format), &output),
            Err(e) => Outcome::fail(2, format!("{e}\n")),
        };
    }
    let g = DataGraph::build(&map);
    let ranked = g.rank(mode.into());
    match folder {
        Some(dir) => rank_pages(&g, &ranked, mode.into(), dir),
        None => Outcome::ok(report::rank(&ranked, format), &output),
    }
}

/// `blastmap graph`.
fn cmd_graph(
    vendor: Option<String>,
    mode: ModeArg,
    format: DiagramFormat,
    inputs: Inputs,
    output: Output,
    what_if: WhatIfArgs,
    progress: Option<&dyn ScanProgress>,
) -> Outcome {
    let mut map = match load_map(&inputs, true, progress) {
        Ok(m) => m,
        Err(o) => return o,
    };
    // With --assume/--without, the diagram of the map as assumed, headed
    // by what the assumptions changed.
    let effect = if what_if.is_empty() {
        None
    } else {
        match parse_assumptions(&what_if).and_then(|a| {
            crate::model::assume::apply_assumptions(&mut map, &a)
                .map_err(|e| Outcome::fail(2, format!("{e}\n")))
        }) {
            Ok(e) => Some(e),
            Err(o) => return o,
        }
    };
    let g = DataGraph::build(&map);
    let html = format == DiagramFormat::Html;
    let built = if html {
        report::diagram::build_page(&g, vendor.as_deref(), mode.into())
    } else {
        report::diagram::build(&g, vendor.as_deref(), mode.into())
    };
    match built {
        Ok(d) => {
            let radii = if html {
                report::diagram::radii(&g, mode.into(), vendor.as_deref())
            } else {
                Vec::new()
            };
            let text = match &effect {
                Some(effect) => report::diagram_what_if(&d, &radii, format, effect),
                None => report::diagram(&d, &radii, format),
            };
            Outcome::ok(text, &output)
        }
        Err(e) => unknown_vendor(&e),
    }
}

/// `blastmap diff`.
fn cmd_diff(
    before: PathBuf,
    after: PathBuf,
    mode: ModeArg,
    format: DiffFormat,
    output: Output,
) -> Outcome {
    let (a, a_scan) = match load_map_or_scan(&before) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let (b, b_scan) = match load_map_or_scan(&after) {
        Ok(m) => m,
        Err(o) => return o,
    };
    // Declarations against a scan compare what a team wrote with
    // what the code does, in different words (field ids against
    // categories): every field would show as removed and re-added.
    // That comparison is `check`'s job.
    if a_scan != b_scan {
        let what = |scan: bool| {
            if scan {
                "a scan output"
            } else {
                "a declaration file"
            }
        };
        return Outcome::fail(
            2,
            format!(
                "error: diff compares like with like: {} is {}, {} is {}\n  help: to compare the declarations with what the code does, run `blastmap check --scan DIR` (or `blastmap blast VENDOR --map FILE --scan DIR`); to compare two versions, pass two declaration files or two scan outputs\n",
                crate::report::escape::terminal(&before.display().to_string()),
                what(a_scan),
                crate::report::escape::terminal(&after.display().to_string()),
                what(b_scan)
            ),
        );
    }
    let names = (before.display().to_string(), after.display().to_string());
    let d = crate::graph::diff::diff(&a, &b, (&names.0, &names.1), mode.into());
    Outcome::ok(report::diff(&d, format), &output)
}

/// `blastmap scan`.
fn cmd_scan(
    dir: Option<PathBuf>,
    format: ScanFormat,
    max_file_size: u64,
    map: Option<PathBuf>,
    no_map: bool,
    output: Output,
    progress: Option<&dyn ScanProgress>,
) -> Outcome {
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    let map = match declarations_for(map.as_deref(), no_map, Some(&dir)) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let declared = match &map {
        Some(p) => match declaration::load_file(p) {
            Ok(m) => m,
            Err(e) => return load_error(e),
        },
        None => Map::default(),
    };
    let mut result = match run_scan(&dir, max_file_size, &declared, progress) {
        Ok(r) => r,
        Err(o) => return o,
    };
    result.declarations = map.map(|p| p.display().to_string());
    let shown = dir.display().to_string();
    // The starter file's system name: the scanned folder's.
    let system = || {
        std::fs::canonicalize(&dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "system".into())
    };
    let text = report::scan::render(&result, format, &shown, system, Catalog::builtin, &declared);
    Outcome::ok(text, &output)
}

/// `blastmap validate`.
fn cmd_validate(file: Option<PathBuf>, map: Option<PathBuf>) -> Outcome {
    let path = match file.or(map) {
        Some(f) => f,
        None => match implicit_map(&[Path::new(".")]) {
            Ok(p) => p.unwrap_or_else(|| PathBuf::from("blastmap.yaml")),
            Err(o) => return o,
        },
    };
    if !path.exists() {
        return Outcome::fail(
            2,
            format!(
                "error: {} does not exist\n  help: pass the declaration file to check, e.g. `blastmap validate examples/api-platform/blastmap.yaml`\n",
                path.display()
            ),
        );
    }
    // The same reader as every `--map`: a Fides manifest, a scan
    // output or a merged map validates as it loads there.
    match input::load_file(&path, false) {
        Ok(Loaded { map: m, kind, .. }) => Outcome {
            stdout: format!(
                "{}: ok{}: system {}, {} subjects, {} fields, {} components, {} vendors, {} flows\n",
                crate::report::escape::terminal(&path.display().to_string()),
                kind.read_as(),
                crate::report::escape::terminal(&m.system),
                m.subjects.len(),
                m.fields.values().filter(|f| !f.implicit).count(),
                m.components.len(),
                m.vendors.len(),
                m.flows.len()
            ),
            ..Default::default()
        },
        Err(e) => load_error(e),
    }
}

/// `blastmap export`.
fn cmd_export(
    format: ExportFormat,
    inputs: Inputs,
    output: Output,
    progress: Option<&dyn ScanProgress>,
) -> Outcome {
    let loaded = match load_input(&inputs, true, progress) {
        Ok(l) => l,
        Err(o) => return o,
    };
    let g = DataGraph::build(&loaded.map);
    Outcome::ok(
        report::export::render(&g, loaded.repos.as_ref(), format),
        &output,
    )
}

/// `blastmap completions`.
fn cmd_completions(shell: clap_complete::Shell) -> Outcome {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "blastmap", &mut buf);
    Outcome {
        stdout: String::from_utf8_lossy(&buf).into_owned(),
        ..Default::default()
    }
}

/// `blastmap man`.
fn cmd_man(dir: Option<PathBuf>, output: Output) -> Outcome {
    match (man_pages(), dir) {
        (Err(e), _) => Outcome::fail(2, format!("error: cannot render the man page: {e}\n")),
        (Ok(pages), None) => {
            // The top page alone: its SUBCOMMANDS name pages that only
            // `--dir` writes, so say where they are.
            let top = pages.into_iter().next().map(|(_, t)| t).unwrap_or_default();
            Outcome::ok(top, &output)
        }
        (Ok(pages), Some(dir)) => Outcome {
            stderr: format!(
                "wrote {} man pages to {}\n",
                pages.len(),
                crate::report::escape::terminal(&dir.display().to_string())
            ),
            files: pages
                .into_iter()
                .map(|(name, text)| (dir.join(name), text))
                .collect(),
            ..Default::default()
        },
    }
}

/// `-o DIR/` (a trailing `/`, or a folder that exists): a set of pages
/// rather than one file.
fn is_folder(path: &Path) -> bool {
    path.as_os_str().to_string_lossy().ends_with('/') || path.is_dir()
}

/// `rank --format html -o DIR/`: `DIR/index.html`, the ranking with each
/// vendor linked to `DIR/blast-VENDOR.html`, its blast page.
fn rank_pages(
    g: &DataGraph<'_>,
    ranked: &crate::graph::rank::RankReport,
    mode: Mode,
    dir: &Path,
) -> Outcome {
    let mut files = vec![(dir.join("index.html"), report::html::rank_linked(ranked))];
    for v in &ranked.vendors {
        if let Ok(r) = g.blast(&v.vendor, mode) {
            let d = report::diagram::build_page(g, Some(&v.vendor), mode).ok();
            files.push((
                dir.join(report::html::blast_page_name(&v.vendor)),
                report::html::blast(&r, d.as_ref()),
            ));
        }
    }
    Outcome {
        stderr: format!(
            "wrote {} and {} vendor pages\n",
            crate::report::escape::terminal(&dir.join("index.html").display().to_string()),
            files.len() - 1
        ),
        files,
        ..Default::default()
    }
}

/// The man pages: `blastmap.1` first, then `blastmap-SUB.1` for every
/// subcommand, in roff that groff reads without warnings (characters
/// outside ASCII become groff's named-code-point escapes: the arrow of the
/// command descriptions is written `\[u2192]`).
fn man_pages() -> io::Result<Vec<(String, String)>> {
    use clap::CommandFactory;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let render = |c: clap::Command| -> io::Result<String> {
        let mut buf = Vec::new();
        clap_mangen::Man::new(c).render(&mut buf)?;
        let mut page = String::with_capacity(buf.len());
        for ch in String::from_utf8_lossy(&buf).chars() {
            if ch.is_ascii() {
                page.push(ch);
            } else {
                let _ =
                    std::fmt::Write::write_fmt(&mut page, format_args!("\\[u{:04X}]", ch as u32));
            }
        }
        Ok(page)
    };
    let mut pages = vec![("blastmap.1".to_string(), render(cmd.clone())?)];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub
            .get_display_name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("blastmap-{}", sub.get_name()));
        pages.push((format!("{name}.1"), render(sub.clone())?));
    }
    Ok(pages)
}

/// Parses `--assume`/`--without`; syntax problems exit 2.
fn parse_assumptions(w: &WhatIfArgs) -> Result<Vec<crate::model::assume::Assumption>, Outcome> {
    crate::model::assume::parse_all(&w.assume, &w.without)
        .map_err(|e| Outcome::fail(2, format!("{e}\n")))
}

/// `blast` with assumptions: the report on the changed map, with its
/// what-if section.
fn blast_what_if(
    map: &Map,
    w: &WhatIfArgs,
    vendor: &str,
    mode: Mode,
    format: Format,
    output: &Output,
) -> Outcome {
    use crate::graph::whatif::{WhatIfError, blast_what_if};
    let assumptions = match parse_assumptions(w) {
        Ok(a) => a,
        Err(o) => return o,
    };
    match blast_what_if(map, &assumptions, vendor, mode) {
        Ok(r) if format == Format::Html => {
            // The diagram shows the map with the assumptions, as the report does.
            let mut assumed = map.clone();
            let d = crate::model::assume::apply_assumptions(&mut assumed, &assumptions)
                .ok()
                .and_then(|_| {
                    report::diagram::build_page(&DataGraph::build(&assumed), Some(vendor), mode)
                        .ok()
                });
            Outcome::ok(report::html::blast(&r, d.as_ref()), output)
        }
        Ok(r) => Outcome::ok(report::blast(&r, format), output),
        Err(WhatIfError::Blast(e)) => unknown_vendor(&e),
        Err(WhatIfError::VendorRemoved(v)) => Outcome::fail(
            2,
            format!(
                "error: {}\n  help: ask about another vendor, or drop `--without {v}`\n",
                WhatIfError::VendorRemoved(v.clone())
            ),
        ),
        Err(e) => Outcome::fail(2, format!("{e}\n")),
    }
}

/// Exit 1 with the vendors the map does have, and how to ask about a
/// vendor it does not: through the vendors it is a sub-processor of, or
/// with a what-if flow to a catalog vendor.
fn unknown_vendor(e: &crate::graph::blast::BlastError) -> Outcome {
    let crate::graph::blast::BlastError::UnknownVendor {
        vendor,
        known,
        outside,
        ..
    } = e;
    let crate::graph::blast::Outside {
        sub_processor_of,
        catalog_name,
        component,
    } = &**outside;
    let mut msg = format!("error: {e}\n");
    let name = catalog_name.as_deref().unwrap_or(vendor);
    if !sub_processor_of.is_empty() {
        msg.push_str(&format!(
            "  help: {name} is a sub-processor of {} (the diagram shows it under each): \
             a breach of it can expose what they hold, so ask {}; \
             to ask about `{vendor}` itself, declare it under `vendors:` with the flows it receives\n",
            sub_processor_of.join(", "),
            sub_processor_of
                .iter()
                .take(3)
                .map(|v| format!("`blastmap blast {v}`"))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    } else if catalog_name.is_some() {
        let from = component.as_deref().unwrap_or("COMPONENT");
        msg.push_str(&format!(
            "  help: {name} is in the catalog but receives nothing in this map; \
             to ask what would leak if it did, assume a flow: \
             --assume \"{from} -> {vendor}: all\" (or list the fields)\n"
        ));
    }
    if known.is_empty() {
        msg.push_str("  help: the map declares no vendors\n");
    } else {
        msg.push_str(&format!(
            "  help: vendors in this map: {}\n",
            known.join(", ")
        ));
    }
    Outcome::fail(1, msg)
}

fn catalog(
    vendor: Option<String>,
    format: CatalogFormat,
    taxonomy: bool,
    output: &Output,
) -> Outcome {
    let cat = Catalog::builtin();
    if taxonomy {
        let tax = crate::catalog::taxonomy::Taxonomy::builtin();
        return Outcome::ok(report::catalog::taxonomy(tax, format), output);
    }
    match vendor {
        Some(id) => match cat.get(&id) {
            None => {
                let help = crate::model::suggest::closest(&id, cat.ids())
                    .map(|s| format!("\n  help: did you mean `{s}`?"))
                    .unwrap_or_else(|| "\n  help: `blastmap catalog` lists every vendor".into());
                Outcome::fail(1, format!("error: `{id}` is not in the catalog{help}\n"))
            }
            Some(v) => Outcome::ok(report::catalog::vendor(v, format), output),
        },
        None => Outcome::ok(report::catalog::vendors(cat, format), output),
    }
}

/// `blastmap merge`: every input is read (in parallel) and all problems are
/// reported together; nothing is written unless every input loads.
fn merge(files: &[String], system: Option<String>, output: &Output) -> Outcome {
    let specs: Vec<crate::input::InputSpec> = files
        .iter()
        .map(|f| crate::input::InputSpec::parse(f))
        .collect();
    match crate::input::merge_files(&specs) {
        Ok((mut doc, warnings)) => {
            if let Some(s) = system {
                doc.system = Some(s);
            }
            let counts = crate::merge::summary(&doc);
            let mut o = Outcome::ok(crate::report::json::to_string(&doc), output);
            for w in warnings {
                o.stderr.push_str(&w);
                o.stderr.push('\n');
            }
            o.stderr += &format!(
                "merged {} files: {} repositories, {} components, {} vendors, {} flows\n",
                specs.len(),
                counts["repositories"],
                counts["components"],
                counts["vendors"],
                counts["flows"]
            );
            o
        }
        Err(errors) => {
            let mut msg = String::new();
            for e in &errors {
                msg.push_str(&format!("{e}\n"));
            }
            msg.push_str(&format!(
                "{} of {} inputs could not be merged; nothing was written\n",
                errors.len(),
                specs.len()
            ));
            Outcome::fail(2, msg)
        }
    }
}

/// Writes an outcome: the report to stdout or its file, messages to stderr.
/// Returns the exit code; a broken pipe on stdout counts as success.
pub fn emit(o: &Outcome, stdout: &mut dyn Write, stderr: &mut dyn Write, paint: Paint) -> i32 {
    if !o.stderr.is_empty() {
        // Messages quote the input (a value in an error, a file name): the
        // last wall against a line that a CI runner would execute. Colour
        // comes after it, so the only escapes are the ones added here.
        let clean = crate::report::escape::log_lines(&o.stderr);
        let text = if paint.stderr {
            crate::report::colour::messages(&clean)
        } else {
            clean
        };
        let _ = stderr.write_all(text.as_bytes());
    }
    for (path, text) in &o.files {
        let made = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
            _ => Ok(()),
        };
        if let Err(e) = made.and_then(|_| std::fs::write(path, text)) {
            let _ = writeln!(stderr, "error: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    if o.stdout.is_empty() {
        return o.code;
    }
    if let Some(path) = &o.output {
        if let Err(e) = std::fs::write(path, &o.stdout) {
            let _ = writeln!(stderr, "error: cannot write {}: {e}", path.display());
            return 2;
        }
        return o.code;
    }
    let painted;
    let text = if paint.stdout && o.for_people {
        painted = crate::report::colour::report(&o.stdout);
        &painted
    } else {
        &o.stdout
    };
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => o.code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => o.code,
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot write the report: {e}");
            2
        }
    }
}

/// `check`'s own arguments.
struct CheckArgs {
    baseline: Option<PathBuf>,
    base: Option<String>,
    levels: Vec<(Code, Level)>,
    strict: bool,
    max_file_size: u64,
    save: Vec<(CheckFormat, PathBuf)>,
}

/// The declarations `check` reads: `--map`, else `DIR/blastmap.yaml`, else
/// `./blastmap.yaml`; none is fine (then only baseline, secret and policy-free
/// findings are possible).
fn check_map_path(inputs: &Inputs, dir: &Path) -> Result<Option<PathBuf>, Outcome> {
    declarations_for(inputs.map.as_deref(), inputs.no_map, Some(dir))
}

/// `blastmap check`: resolves the paths, runs [`crate::check::run`], and
/// renders the report and the `--save` files (written by [`emit`]).
fn check(
    args: &CheckArgs,
    inputs: &Inputs,
    format: CheckFormat,
    exit_zero: bool,
    output: &Output,
    progress: Option<&dyn ScanProgress>,
) -> Outcome {
    let dir = inputs.scan.clone().unwrap_or_else(|| PathBuf::from("."));
    let map_path = match check_map_path(inputs, &dir) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let observed = match load_observed(&inputs.observed) {
        Ok(o) => o,
        Err(o) => return o,
    };
    let run = crate::check::run::run(&crate::check::run::RunOptions {
        dir,
        map_path,
        baseline: args.baseline.clone(),
        base: args.base.clone(),
        levels: args.levels.clone(),
        strict: args.strict,
        max_file_size: args.max_file_size,
        progress,
        observed: &observed,
    });
    let (report, notes) = match run {
        Ok(r) => (r.report, r.notes),
        Err(message) => return Outcome::fail(2, message),
    };
    let mut o = Outcome::ok(report::check::render(&report, format), output);
    o.files = args
        .save
        .iter()
        .map(|(f, path)| (path.clone(), report::check::render(&report, *f)))
        .collect();
    o.code = if report.passed || exit_zero { 0 } else { 1 };
    o.stderr = notes;
    if format != CheckFormat::Text || output.output.is_some() {
        o.stderr.push_str(&format!(
            "blastmap check {}: {} denied, {} warnings\n",
            if report.passed { "passed" } else { "failed" },
            report.counts.deny,
            report.counts.warn
        ));
    }
    o
}
