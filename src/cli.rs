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
use crate::model::input::{self, Loaded};
use crate::report::export::ExportFormat;
use crate::report::{self, Format};

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
    /// The man page (roff), e.g. `blastmap man > blastmap.1`
    Man {
        #[command(flatten)]
        output: Output,
    },
}

/// `merge --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MergeFormat {
    /// The merged map (`"kind": "blastmap-merged"`), readable by `--map`.
    Json,
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
    load_input(inputs, with_lines).map(|l| l.map)
}

/// Resolves `--map` into a model and, for merged maps, the repositories of
/// each node. The file may be a declaration, a Fides manifest, a scan output
/// or a merged map (told apart by content: [`input::detect`]).
fn load_input(inputs: &Inputs, with_lines: bool) -> Result<Loaded, Outcome> {
    let path = match &inputs.map {
        Some(p) => p.clone(),
        None if Path::new("blastmap.yaml").is_file() => PathBuf::from("blastmap.yaml"),
        None => return Err(Outcome::fail(2, NO_INPUT.to_string())),
    };
    input::load_file(&path, with_lines).map_err(load_error)
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
                Ok(r) => Outcome::ok(report::blast(&r, format), &output),
                Err(e) => {
                    let crate::graph::blast::BlastError::UnknownVendor { known, .. } = &e;
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
        Command::Export {
            format,
            inputs,
            output,
        } => {
            let loaded = match load_input(&inputs, true) {
                Ok(l) => l,
                Err(o) => return o,
            };
            let g = DataGraph::build(&loaded.map);
            Outcome::ok(
                report::export::render(&g, loaded.repos.as_ref(), format),
                &output,
            )
        }
        Command::Merge {
            files,
            format: MergeFormat::Json,
            system,
            output,
        } => merge(&files, system, &output),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "blastmap", &mut buf);
            Outcome {
                stdout: String::from_utf8_lossy(&buf).into_owned(),
                ..Default::default()
            }
        }
        Command::Man { output } => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => Outcome::ok(String::from_utf8_lossy(&buf).into_owned(), &output),
                Err(e) => Outcome::fail(2, format!("error: cannot render the man page: {e}\n")),
            }
        }
    }
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

/// `blastmap merge`: every input is read (in parallel) and all problems are
/// reported together; nothing is written unless every input loads.
fn merge(files: &[String], system: Option<String>, output: &Output) -> Outcome {
    let specs: Vec<crate::merge::InputSpec> = files
        .iter()
        .map(|f| crate::merge::InputSpec::parse(f))
        .collect();
    match crate::merge::merge_files(&specs) {
        Ok(mut doc) => {
            if let Some(s) = system {
                doc.system = Some(s);
            }
            let counts = crate::merge::summary(&doc);
            let mut o = Outcome::ok(doc.to_json(), output);
            o.stderr = format!(
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
