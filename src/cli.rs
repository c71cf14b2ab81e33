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
        } => {
            let map = match load_map(&inputs, true) {
                Ok(m) => m,
                Err(o) => return o,
            };
            let g = DataGraph::build(&map);
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
        } => {
            let map = match load_map(&inputs, false) {
                Ok(m) => m,
                Err(o) => return o,
            };
            let g = DataGraph::build(&map);
            Outcome::ok(report::rank(&g.rank(mode.into()), format), &output)
        }
        Command::Graph {
            vendor,
            mode,
            format,
            inputs,
            output,
        } => {
            let map = match load_map(&inputs, true) {
                Ok(m) => m,
                Err(o) => return o,
            };
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
