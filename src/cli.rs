//! The command line: clap arguments, and [`run`], which resolves them into
//! inputs, calls the library and renders the result. `main.rs` only parses
//! and exits; tests drive [`run`] in process.
//!
//! Exit codes (DESIGN.md): 0 clean, 1 findings the policy denies or a vendor
//! not found, 2 usage, input or I/O errors. A closed stdout (a broken pipe,
//! as in `blastmap rank | head -1`) is not an error.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::catalog::Catalog;
use crate::graph::{DataGraph, Mode};
use crate::model::Map;
use crate::model::declaration::{self, LoadError};
use crate::report::{self, DiagramFormat, Format};

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
    /// Declaration file [default: ./blastmap.yaml when present]
    #[arg(long, value_name = "FILE", global = true)]
    pub map: Option<PathBuf>,
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

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A brief for a terminal.
    Text,
    /// The diff as JSON.
    Json,
    /// Markdown for a pull request.
    Markdown,
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
        after_help = "Both inputs are declaration files (blastmap.yaml); comparing with the output of a scan is not supported yet."
    )]
    Diff {
        /// The first (older) declaration file
        before: PathBuf,
        /// The second (newer) declaration file
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
    /// Load and check a declaration file only
    Validate {
        /// The file [default: ./blastmap.yaml]
        file: Option<PathBuf>,
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

/// `catalog --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogFormat {
    /// A table.
    Text,
    /// The whole catalog as JSON.
    Json,
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

const NO_INPUT: &str = "error: no input: this command needs a declaration file\n  help: pass `--map FILE`, or run it in a folder that has a `blastmap.yaml`\n        (try: blastmap blast mixpanel --map examples/api-platform/blastmap.yaml)\n";

const NOTICE_JSON: &str = "error: a notice is drafted as text, markdown or html, not json\n  help: use `--format markdown` (or drop --notice for the JSON report)\n";

/// Resolves `--map` (or `./blastmap.yaml`) into a validated model.
fn load_map(inputs: &Inputs, with_lines: bool) -> Result<Map, Outcome> {
    let path = match &inputs.map {
        Some(p) => p.clone(),
        None if Path::new("blastmap.yaml").is_file() => PathBuf::from("blastmap.yaml"),
        None => return Err(Outcome::fail(2, NO_INPUT.to_string())),
    };
    let mut map = declaration::load_file(&path).map_err(load_error)?;
    if with_lines {
        if let Ok(text) = std::fs::read_to_string(&path) {
            declaration::locate_flows(&mut map, &text);
        }
    }
    Ok(map)
}

fn load_error(e: LoadError) -> Outcome {
    Outcome::fail(2, format!("{e}\n"))
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> Outcome {
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
        } => {
            if notice.is_some() && format == Format::Json {
                return Outcome::fail(2, NOTICE_JSON.into());
            }
            let map = match load_map(&inputs, true) {
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
                    let d = g.diagram(Some(&vendor), mode.into()).ok();
                    Outcome::ok(report::html::blast(&r, d.as_ref()), &output)
                }
                Ok(r) => Outcome::ok(report::blast(&r, format), &output),
                Err(e) => unknown_vendor(&e),
            }
        }
        Command::Rank {
            mode,
            format,
            inputs,
            output,
            what_if,
        } => {
            let map = match load_map(&inputs, false) {
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
            Outcome::ok(report::rank(&g.rank(mode.into()), format), &output)
        }
        Command::Graph {
            vendor,
            mode,
            format,
            inputs,
            output,
            what_if,
        } => {
            let mut map = match load_map(&inputs, true) {
                Ok(m) => m,
                Err(o) => return o,
            };
            if !what_if.is_empty() {
                let effect = match parse_assumptions(&what_if).and_then(|a| {
                    crate::model::assume::apply_assumptions(&mut map, &a)
                        .map_err(|e| Outcome::fail(2, format!("{e}\n")))
                }) {
                    Ok(e) => e,
                    Err(o) => return o,
                };
                let g = DataGraph::build(&map);
                return match g.diagram(vendor.as_deref(), mode.into()) {
                    Ok(d) => {
                        let radii = if format == DiagramFormat::Html {
                            g.radii(mode.into())
                        } else {
                            Vec::new()
                        };
                        Outcome::ok(
                            report::diagram_what_if(&d, &radii, format, &effect),
                            &output,
                        )
                    }
                    Err(e) => unknown_vendor(&e),
                };
            }
            let g = DataGraph::build(&map);
            match g.diagram(vendor.as_deref(), mode.into()) {
                Ok(d) => {
                    let radii = if format == DiagramFormat::Html {
                        g.radii(mode.into())
                    } else {
                        Vec::new()
                    };
                    Outcome::ok(report::diagram(&d, &radii, format), &output)
                }
                Err(e) => unknown_vendor(&e),
            }
        }
        Command::Diff {
            before,
            after,
            mode,
            format,
            output,
        } => {
            let a = match declaration::load_file(&before) {
                Ok(m) => m,
                Err(e) => return load_error(e),
            };
            let b = match declaration::load_file(&after) {
                Ok(m) => m,
                Err(e) => return load_error(e),
            };
            let names = (before.display().to_string(), after.display().to_string());
            let d = crate::graph::diff::diff(&a, &b, (&names.0, &names.1), mode.into());
            let out = match format {
                DiffFormat::Text => report::text::diff(&d),
                DiffFormat::Json => report::json::to_string(&d),
                DiffFormat::Markdown => report::markdown::diff(&d),
            };
            Outcome::ok(out, &output)
        }
        Command::Validate { file } => {
            let path = file.unwrap_or_else(|| PathBuf::from("blastmap.yaml"));
            if !path.exists() {
                return Outcome::fail(
                    2,
                    format!(
                        "error: {} does not exist\n  help: pass the declaration file to check, e.g. `blastmap validate examples/api-platform/blastmap.yaml`\n",
                        path.display()
                    ),
                );
            }
            match declaration::load_file(&path) {
                Ok(m) => Outcome {
                    stdout: format!(
                        "{}: ok: system {}, {} subjects, {} fields, {} components, {} vendors, {} flows\n",
                        path.display(),
                        m.system,
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
        Command::Catalog {
            vendor,
            format,
            taxonomy,
            output,
        } => catalog(vendor, format, taxonomy, &output),
    }
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
                .and_then(|_| DataGraph::build(&assumed).diagram(Some(vendor), mode).ok());
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

/// Exit 1 with the vendors the map does have.
fn unknown_vendor(e: &crate::graph::blast::BlastError) -> Outcome {
    let crate::graph::blast::BlastError::UnknownVendor { known, .. } = e;
    let mut msg = format!("error: {e}\n");
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
        return match format {
            CatalogFormat::Json => {
                let v: Vec<serde_json::Value> = tax.iter().map(|(k, c)| serde_json::json!({"key": k, "name": c.name, "parent": c.parent, "sensitivity": c.sensitivity, "extension": c.extension})).collect();
                Outcome::ok(report::json::to_string(&v), output)
            }
            CatalogFormat::Text => {
                let mut s = String::new();
                for (k, c) in tax.iter() {
                    s.push_str(&format!(
                        "{:<52} {:<8} {}{}\n",
                        k,
                        c.sensitivity.as_str(),
                        c.name,
                        if c.extension { " (blastmap)" } else { "" }
                    ));
                }
                Outcome::ok(s, output)
            }
        };
    }
    match vendor {
        Some(id) => match cat.get(&id) {
            None => {
                let help = crate::model::suggest::closest(&id, cat.ids())
                    .map(|s| format!("\n  help: did you mean `{s}`?"))
                    .unwrap_or_else(|| "\n  help: `blastmap catalog` lists every vendor".into());
                Outcome::fail(1, format!("error: `{id}` is not in the catalog{help}\n"))
            }
            Some(v) => match format {
                CatalogFormat::Json => Outcome::ok(report::json::to_string(v), output),
                CatalogFormat::Text => {
                    Outcome::ok(serde_yaml::to_string(v).unwrap_or_default(), output)
                }
            },
        },
        None => match format {
            CatalogFormat::Json => {
                let all: Vec<_> = cat.iter().collect();
                Outcome::ok(
                    report::json::to_string(&serde_json::json!({"version": 1, "vendors": all})),
                    output,
                )
            }
            CatalogFormat::Text => {
                let mut s = format!("{} vendors\n", cat.len());
                for v in cat.iter() {
                    s.push_str(&format!(
                        "{:<28} {:<17} {}\n",
                        v.id,
                        v.category.as_str(),
                        v.name
                    ));
                }
                Outcome::ok(s, output)
            }
        },
    }
}

/// Writes an outcome: the report to stdout or its file, messages to stderr.
/// Returns the exit code; a broken pipe on stdout counts as success.
pub fn emit(o: &Outcome, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if !o.stderr.is_empty() {
        let _ = stderr.write_all(o.stderr.as_bytes());
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
    match stdout
        .write_all(o.stdout.as_bytes())
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
