//! The README's recipes, run as written, in a clean folder: every command
//! line of README.md's code blocks that invokes `blastmap` must do what the
//! README says it does.
//!
//! **Which lines.** Code blocks fenced as `sh`, `bash`, `shell`, `console`,
//! `yaml` (a CI workflow's `run:` lines) or bare; never `text` (outputs).
//! After joining `\` continuations, a line is a recipe when its first word
//! is `blastmap` (after a `$ ` prompt in `console` blocks, or `run:` in
//! `yaml` blocks), or when it is `cargo run [FLAGS] -- ARGS` (the Quick
//! start), which runs as `blastmap ARGS` on the debug binary this test was
//! built with. That is the whole rule: a comment or a YAML key that names
//! blastmap does not start with the word, and there is no list of lines.
//! At least [`MIN_RECIPES`] recipes must run, [`MIN_CHECK_RECIPES`] of them
//! `check`, so a README change cannot silently empty the test.
//!
//! **The folder.** A temporary folder holds what a reader has after
//! cloning (`examples/`, and every `tests/...` file a recipe names), and,
//! at its root, the reader's own project: here the bundled example's code
//! and `blastmap.yaml` (`examples/api-platform`), for the `check` recipes
//! that run in `.`. `bin/blastmap` links to the binary under test and is
//! first on `PATH`; `HOME` is `home/`, `GITHUB_STEP_SUMMARY` is
//! `home/github-step-summary.md`, `NO_COLOR=1`. State a recipe assumes is
//! built just before the first recipe that needs it (in README order, so
//! earlier recipes see the folder without it), by [`Need`]:
//!
//! - `origin/main` or `scan-main.json`: the folder is a git repository
//!   whose `origin/main` (a local ref, no network) is the project without
//!   `accounts/src/mail.js`, `scan-main.json` is `blastmap scan --format
//!   json` of that base, and `HEAD` adds the file back: the branch adds a
//!   declared SendGrid flow.
//! - `artifacts/`: what the README's GitHub Actions matrix downloads, one
//!   folder per example (`artifacts/api-platform/`, `artifacts/fintech/`),
//!   each with `scan.json` from `blastmap scan examples/X --format json`
//!   and the example's `blastmap.yaml`.
//! - `next-week/`: `next-week/api-platform.scan.json`, a later scan.
//! - `src` / `out/`: the workflow's checkout (`examples/api-platform`
//!   copied to `src/`) and the `mkdir out` of its `run:` block.
//! - A file a recipe reads with `--map` that no recipe has written yet
//!   (`org.json`, read by `export` before the README's `merge` makes it):
//!   the first later recipe that writes it runs first, with its own needs.
//!
//! **Adaptations**, printed in the test's output: a redirection to a file
//! under `/etc/` or `/usr/` writes under `sysroot/` in the folder instead
//! (its folder is created, as on a real system); zsh's `${fpath[1]}` is
//! given to bash as `fpath=([1]=sysroot/usr/local/share/zsh/site-functions)`;
//! a pipe into a tool that is not installed (`cypher-shell`, `mgconsole`,
//! or `dot` outside CI) has that stage replaced by `cat > /dev/null`. A
//! tool that `.ci/run` installs ([`CI_TOOLS`]) must be there when
//! `CI=true`. Every recipe runs with `bash -o pipefail -c`, so a failing
//! `blastmap` before a pipe is seen.
//!
//! **Assertions**, per recipe: exit status 0, or 1 for a `check` whose
//! README comment says it fails; no `panicked` on stderr; every `-o FILE`,
//! `--save FORMAT=FILE`, `--dir DIR` and `> FILE` output exists and is not
//! empty afterwards (`>> FILE` has grown; `-o DIR/` holds files). A
//! `check` comment's promise ("passes, with 5 warnings") is matched against
//! the summary line, and [`CLAIMS`] checks what the README says about other
//! recipes' output.

#![cfg(unix)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Fewer recipes than this means the collector or the README broke.
const MIN_RECIPES: usize = 35;
/// The README's `check` recipes (the gate's own examples).
const MIN_CHECK_RECIPES: usize = 6;
/// Tools that `.ci/run` installs: their absence under `CI=true` fails.
const CI_TOOLS: &[&str] = &["dot"];
/// Fences whose lines may be shell commands.
const SHELL_FENCES: &[&str] = &["", "sh", "bash", "shell", "console", "yaml", "yml"];

/// One command line of the README.
#[derive(Debug, Clone)]
struct Recipe {
    /// README.md's line number of its first line.
    line: usize,
    /// The command as the README writes it (continuations joined).
    written: String,
    /// The command as run: `written`, or its `cargo run` rewritten.
    command: String,
    adapted: Vec<String>,
}

/// Every recipe of `readme`, in order (the rule is in the module doc).
fn recipes(readme: &str) -> Vec<Recipe> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    let lines: Vec<&str> = readme.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let start = i;
        i += 1;
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(info.split_whitespace().next().unwrap_or("").to_lowercase()),
            };
            continue;
        }
        let Some(info) = fence.as_deref() else {
            continue;
        };
        if !SHELL_FENCES.contains(&info) {
            continue;
        }
        // Bash drops a backslash-newline, so the joined line is what runs.
        let mut logical = line.to_string();
        while logical.ends_with('\\') && i < lines.len() {
            logical.pop();
            logical.push_str(lines[i]);
            i += 1;
        }
        let mut text = logical.trim();
        if info == "console" {
            let Some(rest) = text.strip_prefix("$ ") else {
                continue;
            };
            text = rest.trim_start();
        }
        if info == "yaml" || info == "yml" {
            text = text.strip_prefix("- ").unwrap_or(text);
            text = text.strip_prefix("run:").unwrap_or(text).trim_start();
        }
        let first = text.split_whitespace().next().unwrap_or("");
        if first == "blastmap" {
            out.push(Recipe {
                line: start + 1,
                written: text.to_string(),
                command: text.to_string(),
                adapted: Vec::new(),
            });
        } else if text.starts_with("cargo run ") {
            if let Some((_, args)) = text.split_once(" -- ") {
                out.push(Recipe {
                    line: start + 1,
                    written: text.to_string(),
                    command: format!("blastmap {args}"),
                    adapted: vec![format!(
                        "`{}` ran as `blastmap`",
                        &text[..text.len() - args.len() - 1].trim_end()
                    )],
                });
            }
        }
    }
    out
}

/// A shell token: a word (as written, and with its quotes removed) or an
/// operator.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word { raw: String, value: String },
    Op(String),
}

impl Tok {
    fn word(s: &str) -> Tok {
        Tok::Word {
            raw: s.into(),
            value: s.into(),
        }
    }
    fn value(&self) -> Option<&str> {
        match self {
            Tok::Word { value, .. } => Some(value),
            Tok::Op(_) => None,
        }
    }
    fn raw(&self) -> &str {
        match self {
            Tok::Word { raw, .. } => raw,
            Tok::Op(op) => op,
        }
    }
}

/// Splits a command into tokens and its trailing `# comment`; enough of
/// the shell's grammar for the README (quotes, `|`, `||`, `&&`, `;`, `>`,
/// `>>`, `<`); expansions are left to bash.
fn lex(cmd: &str) -> (Vec<Tok>, String) {
    let mut toks = Vec::new();
    let (mut raw, mut value) = (String::new(), String::new());
    let mut in_word = false;
    let mut chars = cmd.char_indices().peekable();
    let flush = |toks: &mut Vec<Tok>, raw: &mut String, value: &mut String, in_word: &mut bool| {
        if *in_word {
            toks.push(Tok::Word {
                raw: std::mem::take(raw),
                value: std::mem::take(value),
            });
            *in_word = false;
        }
    };
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => flush(&mut toks, &mut raw, &mut value, &mut in_word),
            '#' if !in_word => return (toks, cmd[at + 1..].trim().to_string()),
            '|' | '&' | ';' | '>' | '<' => {
                flush(&mut toks, &mut raw, &mut value, &mut in_word);
                let mut op = c.to_string();
                if matches!(c, '|' | '&' | '>') && chars.peek().map(|p| p.1) == Some(c) {
                    chars.next();
                    op.push(c);
                }
                toks.push(Tok::Op(op));
            }
            '\'' | '"' => {
                in_word = true;
                raw.push(c);
                while let Some((_, q)) = chars.next() {
                    raw.push(q);
                    if q == c {
                        break;
                    }
                    if q == '\\' && c == '"' {
                        if let Some((_, e)) = chars.next() {
                            raw.push(e);
                            value.push(e);
                        }
                        continue;
                    }
                    value.push(q);
                }
            }
            '\\' => {
                in_word = true;
                raw.push(c);
                if let Some((_, e)) = chars.next() {
                    raw.push(e);
                    value.push(e);
                }
            }
            _ => {
                in_word = true;
                raw.push(c);
                value.push(c);
            }
        }
    }
    flush(&mut toks, &mut raw, &mut value, &mut in_word);
    (toks, String::new())
}

fn join(toks: &[Tok]) -> String {
    toks.iter().map(Tok::raw).collect::<Vec<_>>().join(" ")
}

fn single_quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// A file a recipe writes.
#[derive(Debug)]
struct Output {
    /// A shell word naming it (bash expands it to a path).
    word: String,
    append: bool,
}

/// A recipe made ready to run in `dir`: adaptations applied, outputs and
/// the comment found.
struct Plan {
    /// Shell assignments the command needs first (zsh's `fpath`).
    prelude: String,
    body: String,
    outputs: Vec<Output>,
    comment: String,
    /// Words of the command (unquoted), for needs and claims.
    words: Vec<String>,
    adapted: Vec<String>,
}

impl Plan {
    fn script(&self) -> String {
        format!("{}{}", self.prelude, self.body)
    }
}

fn installed(tool: &str) -> bool {
    Command::new("bash")
        .args(["-c", "command -v \"$1\" > /dev/null", "-", tool])
        .status()
        .is_ok_and(|s| s.success())
}

fn plan(recipe: &Recipe, dir: &Path) -> Plan {
    let (toks, comment) = lex(&recipe.command);
    let mut adapted = recipe.adapted.clone();
    let mut changed = false;
    let mut stages: Vec<Vec<Tok>> = vec![Vec::new()];
    for t in toks {
        if t == Tok::Op("|".into()) {
            stages.push(Vec::new());
        } else {
            stages.last_mut().unwrap().push(t);
        }
    }
    // A pipe into a tool that is not installed: `cat > /dev/null` instead.
    for stage in stages.iter_mut().skip(1) {
        let Some(tool) = stage.first().and_then(Tok::value).map(str::to_string) else {
            continue;
        };
        if installed(&tool) {
            continue;
        }
        if CI_TOOLS.contains(&tool.as_str()) && crate::common::in_ci() {
            panic!("`{tool}` is missing in CI: .ci/run installs it");
        }
        // The rest of the line after this stage (`&& ...`, `; ...`) stays.
        let end = stage
            .iter()
            .position(|t| matches!(t, Tok::Op(op) if op == "&&" || op == "||" || op == ";"))
            .unwrap_or(stage.len());
        let replaced = join(&stage[..end]);
        stage.splice(
            ..end,
            [
                Tok::word("cat"),
                Tok::Op(">".into()),
                Tok::word("/dev/null"),
            ],
        );
        adapted.push(format!(
            "`{tool}` is not installed: `| {replaced}` ran as `| cat > /dev/null`"
        ));
        changed = true;
    }
    let mut toks: Vec<Tok> = Vec::new();
    for (n, stage) in stages.into_iter().enumerate() {
        if n > 0 {
            toks.push(Tok::Op("|".into()));
        }
        toks.extend(stage);
    }
    // Redirections to system folders write under sysroot/ instead.
    let sysroot = dir.join("sysroot");
    for n in 1..toks.len() {
        let is_redirect = matches!(&toks[n - 1], Tok::Op(op) if op == ">" || op == ">>");
        let Some(value) = toks[n].value().map(str::to_string) else {
            continue;
        };
        if is_redirect && (value.starts_with("/etc/") || value.starts_with("/usr/")) {
            let target = sysroot.join(&value[1..]);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            adapted.push(format!("`> {value}` wrote `sysroot{value}`"));
            toks[n] = Tok::Word {
                raw: single_quoted(&target),
                value: target.display().to_string(),
            };
            changed = true;
        }
    }
    let body = if changed {
        join(&toks)
    } else {
        recipe.command.clone()
    };
    let mut prelude = String::new();
    if recipe.command.contains("${fpath") {
        let functions = sysroot.join("usr/local/share/zsh/site-functions");
        std::fs::create_dir_all(&functions).unwrap();
        prelude = format!("fpath=([1]={}); ", single_quoted(&functions));
        adapted.push(
            "zsh's `${fpath[1]}` is `sysroot/usr/local/share/zsh/site-functions` \
             (a bash array with index 1)"
                .into(),
        );
    }
    let mut outputs = Vec::new();
    for n in 1..toks.len() {
        let (prev, t) = (&toks[n - 1], &toks[n]);
        let Some(value) = t.value() else { continue };
        let out = match prev {
            Tok::Op(op) if op == ">" || op == ">>" => Some((t.raw().to_string(), op == ">>")),
            Tok::Word { value: flag, .. }
                if ["-o", "--output", "--dir"].contains(&flag.as_str()) =>
            {
                Some((t.raw().to_string(), false))
            }
            Tok::Word { value: flag, .. } if flag == "--save" => value
                .split_once('=')
                .map(|(_, file)| (single_quoted(Path::new(file)), false)),
            _ => None,
        };
        if let Some((word, append)) = out
            && word != "/dev/null"
        {
            outputs.push(Output { word, append });
        }
    }
    let words = toks
        .iter()
        .filter_map(Tok::value)
        .map(str::to_string)
        .collect();
    Plan {
        prelude,
        body,
        outputs,
        comment,
        words,
        adapted,
    }
}

/// The clean folder and how to run things in it.
struct Folder {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    bin: PathBuf,
    home: PathBuf,
    summary: PathBuf,
    done: BTreeSet<Need>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    Git,
    Artifacts,
    NextWeek,
    Checkout,
}

impl Need {
    /// Which state the words of a command assume.
    fn of(words: &[String]) -> Vec<Need> {
        let mut needs = Vec::new();
        let any = |f: &dyn Fn(&str) -> bool| words.iter().any(|w| f(w));
        if any(&|w| w == "origin/main" || w == "scan-main.json") {
            needs.push(Need::Git);
        }
        if any(&|w| w.starts_with("artifacts/")) {
            needs.push(Need::Artifacts);
        }
        if any(&|w| w.starts_with("next-week/")) {
            needs.push(Need::NextWeek);
        }
        if any(&|w| w == "src" || w.starts_with("src/") || w.starts_with("out/")) {
            needs.push(Need::Checkout);
        }
        needs
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The part of the project that `origin/main` lacks.
const ADDED_ON_BRANCH: &str = "accounts/src/mail.js";

impl Folder {
    fn new(recipes: &[Recipe]) -> Folder {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        copy_tree(Path::new("examples"), &dir.join("examples"));
        // Every `tests/...` file a recipe names (a Fides fixture).
        for r in recipes {
            for w in lex(&r.command).0.iter().filter_map(Tok::value) {
                if w.starts_with("tests/") && Path::new(w).is_file() {
                    let target = dir.join(w);
                    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                    std::fs::copy(w, target).unwrap();
                }
            }
        }
        // The reader's own project, at the root.
        copy_tree(Path::new("examples/api-platform"), &dir);
        let bin = dir.join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_blastmap"), bin.join("blastmap")).unwrap();
        let home = dir.join("home");
        std::fs::create_dir(&home).unwrap();
        let summary = home.join("github-step-summary.md");
        Folder {
            _tmp: tmp,
            dir,
            bin,
            home,
            summary,
            done: BTreeSet::new(),
        }
    }

    fn command(&self, program: &str) -> Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.bin.clone()];
        paths.extend(std::env::split_paths(&path));
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.dir)
            .env("PATH", std::env::join_paths(paths).unwrap())
            .env("HOME", &self.home)
            .env("GITHUB_STEP_SUMMARY", &self.summary)
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
        cmd
    }

    /// Starts a setup command.
    fn spawn(&self, program: &str, args: &[&str]) -> (String, std::process::Child) {
        let child = self
            .command(program)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        (format!("{program} {}", args.join(" ")), child)
    }

    /// Waits for setup commands; each must succeed.
    fn finish(runs: Vec<(String, std::process::Child)>) {
        for (what, child) in runs {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "setup `{what}` failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// Runs a setup command; it must succeed.
    fn setup(&self, program: &str, args: &[&str]) {
        Folder::finish(vec![self.spawn(program, args)]);
    }

    fn git(&self, args: &[&str]) {
        let mut all = vec![
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ];
        all.extend_from_slice(args);
        self.setup("git", &all);
    }

    fn provide(&mut self, need: Need) {
        if !self.done.insert(need) {
            return;
        }
        let d = self.dir.clone();
        match need {
            Need::Git => {
                let added = d.join(ADDED_ON_BRANCH);
                let kept = self.home.join("added-on-branch");
                std::fs::rename(&added, &kept).unwrap();
                self.git(&["init", "-q"]);
                std::fs::write(d.join(".git/info/exclude"), "/bin/\n/home/\n/sysroot/\n").unwrap();
                self.git(&["add", "-A"]);
                self.git(&["commit", "-q", "-m", "base"]);
                self.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
                self.setup(
                    "blastmap",
                    &["scan", "--format", "json", "-o", "scan-main.json"],
                );
                std::fs::rename(&kept, &added).unwrap();
                self.git(&["add", ADDED_ON_BRANCH]);
                self.git(&["commit", "-q", "-m", "add the sign-in mail"]);
            }
            Need::Artifacts => {
                // The two scans run at once: each is mostly the catalog's
                // matcher being built.
                let mut scans = Vec::new();
                for name in ["api-platform", "fintech"] {
                    let a = format!("artifacts/{name}");
                    std::fs::create_dir_all(d.join(&a)).unwrap();
                    let example = format!("examples/{name}");
                    std::fs::copy(
                        d.join(&example).join("blastmap.yaml"),
                        d.join(&a).join("blastmap.yaml"),
                    )
                    .unwrap();
                    let scan = format!("{a}/scan.json");
                    scans.push(self.spawn(
                        "blastmap",
                        &["scan", &example, "--format", "json", "-o", &scan],
                    ));
                }
                Folder::finish(scans);
            }
            Need::NextWeek => {
                std::fs::create_dir_all(d.join("next-week")).unwrap();
                self.setup(
                    "blastmap",
                    &[
                        "scan",
                        "examples/api-platform",
                        "--format",
                        "json",
                        "-o",
                        "next-week/api-platform.scan.json",
                    ],
                );
            }
            Need::Checkout => {
                copy_tree(&d.join("examples/api-platform"), &d.join("src"));
                std::fs::create_dir_all(d.join("out")).unwrap();
            }
        }
    }

    /// The words bash makes of `word` (quotes removed, variables expanded).
    fn expand(&self, prelude: &str, word: &str) -> PathBuf {
        let out = self
            .command("bash")
            .arg("-c")
            .arg(format!("{prelude}printf '%s' {word}"))
            .output()
            .unwrap();
        assert!(out.status.success(), "cannot expand {word}");
        self.dir.join(String::from_utf8(out.stdout).unwrap())
    }
}

/// What a recipe did.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    dir: PathBuf,
}

impl Ran {
    fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

type Claim = fn(&Ran, &str) -> Result<(), String>;

fn expect(ok: bool, what: &str) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.to_string()) }
}

/// The fenced block of `readme` that follows `heading`'s first `fence`.
fn block_after<'a>(readme: &'a str, heading: &str, fence: &str) -> &'a str {
    let section = &readme[readme.find(heading).expect(heading)..];
    let open = format!("```{fence}\n");
    let start = section.find(&open).expect(&open) + open.len();
    let body = &section[start..];
    &body[..body.find("\n```").unwrap()]
}

/// What the README says about a recipe's result, keyed by the command as
/// the README writes it (without its comment, spaces collapsed). Each key
/// must name a recipe, so a claim cannot outlive its command.
const CLAIMS: &[(&str, &str, Claim)] = &[
    (
        "cargo run --release -- blast mixpanel --map examples/api-platform/blastmap.yaml",
        "the Quick start's output sample (every line without `...`)",
        |ran, readme| {
            let sample = block_after(readme, "## Quick start", "text");
            let out = ran.text();
            for line in sample.lines().filter(|l| !l.contains("...")) {
                expect(
                    out.contains(line.trim()),
                    &format!("the output lacks `{}`", line.trim()),
                )?;
            }
            Ok(())
        },
    ),
    (
        "cargo run --release -- rank --map examples/fintech/blastmap.yaml",
        "Okta (350 staff, account takeover) above Zendesk (2.4 million people, rated high)",
        |ran, _| {
            let lines: Vec<&str> = ran.stdout.lines().collect();
            let row = |v: &str| {
                lines
                    .iter()
                    .position(|l| l.split_whitespace().nth(2) == Some(v))
            };
            let (okta, zendesk) = (
                row("okta").ok_or("no okta row")?,
                row("zendesk").ok_or("no zendesk row")?,
            );
            expect(okta < zendesk, "okta is not above zendesk")?;
            expect(
                lines[okta].contains(" 350 ") && lines[okta].contains("account-takeover"),
                lines[okta],
            )?;
            expect(
                lines[zendesk].starts_with("  high") && lines[zendesk].contains("2,4"),
                lines[zendesk],
            )
        },
    ),
    (
        "cargo run --release -- blast zendesk --map examples/fintech/blastmap.yaml --notice users",
        "the notice tells the customers and the merchants each what was and was not involved",
        |ran, _| {
            let out = &ran.stdout;
            let not = out
                .find("was not involved")
                .ok_or("no `not involved` section")?;
            let (was, was_not) = out.split_at(not);
            for part in [was, was_not] {
                expect(
                    part.contains("customers") && part.contains("Merchants"),
                    part,
                )?;
            }
            Ok(())
        },
    ),
    (
        "cargo run --release -- rank --map examples/fintech/blastmap.yaml --format html -o fintech-pages/",
        "`DIR/index.html` with every vendor (the example has 25) linked to its blast page beside it",
        |ran, _| {
            let index = ran.file("fintech-pages/index.html");
            let pages: Vec<String> = std::fs::read_dir(ran.dir.join("fintech-pages"))
                .map_err(|e| e.to_string())?
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name != "index.html")
                .collect();
            expect(pages.len() == 25, &format!("{} vendor pages", pages.len()))?;
            for page in &pages {
                expect(
                    index.contains(&format!("href=\"{page}\"")),
                    &format!("index.html does not link {page}"),
                )?;
            }
            Ok(())
        },
    ),
    (
        "cargo run --release -- scan examples/api-platform --format yaml > starter.yaml",
        "a starter `blastmap.yaml` (it validates)",
        |ran, _| {
            let out = Command::new(env!("CARGO_BIN_EXE_blastmap"))
                .current_dir(&ran.dir)
                .args(["validate", "starter.yaml"])
                .output()
                .unwrap();
            expect(out.status.success(), &String::from_utf8_lossy(&out.stderr))
        },
    ),
    (
        "blastmap blast mixpanel --map examples/api-platform/blastmap.yaml --format html -o blast-mixpanel.html",
        "the incident page: people affected, what was exposed and what was not, attacks, \
         the response checklist, evidence per hop (file:line) and the data-flow diagram",
        |ran, _| {
            let page = ran.file("blast-mixpanel.html");
            for part in [
                "<h2>People affected",
                "<h2>Exposed: 8 fields",
                "<h2>Not exposed",
                "<h2>What an attacker can do",
                "<h2>Response checklist",
                "<h2>How the data got there",
                "examples/api-platform/blastmap.yaml:72",
                "<h2>Data-flow diagram",
                "<svg",
            ] {
                expect(page.contains(part), part)?;
            }
            Ok(())
        },
    ),
    (
        "blastmap graph --map examples/api-platform/blastmap.yaml --format html -o graph.html",
        "fields → components → vendors → sub-processors (Amazon Web Services under Stripe)",
        |ran, _| {
            let page = ran.file("graph.html");
            let columns: Vec<usize> = [">Fields<", ">Components<", ">Vendors<", ">Sub-processors<"]
                .iter()
                .filter_map(|c| page.find(c))
                .collect();
            expect(
                columns.len() == 4 && columns.is_sorted(),
                "the four columns, in order",
            )?;
            expect(
                page.contains("Sub-processor Amazon Web Services"),
                "Amazon Web Services",
            )
        },
    ),
    (
        "blastmap graph --map examples/api-platform/blastmap.yaml --format mermaid --vendor mixpanel",
        "`flowchart LR`, the radius in red with `--vendor`",
        |ran, _| {
            expect(ran.stdout.contains("flowchart LR"), "flowchart LR")?;
            expect(ran.stdout.contains("stroke:#dc2626"), "red edges")
        },
    ),
    (
        "blastmap graph --map examples/api-platform/blastmap.yaml --format json",
        "the diagram's nodes and edges",
        |ran, _| {
            let v: serde_json::Value =
                serde_json::from_str(&ran.stdout).map_err(|e| e.to_string())?;
            expect(
                v["nodes"].is_array() && v["edges"].is_array(),
                "nodes and edges",
            )
        },
    ),
    (
        "blastmap blast mixpanel --map examples/api-platform/blastmap.yaml --assume \"dashboard -> mixpanel: api_key\"",
        "yes: credentials exposed, severity high → critical, rotate-credentials joins the checklist",
        |ran, _| {
            for part in [
                "credentials exposed: no → yes",
                "severity high → critical",
                "actions added: rotate-credentials",
            ] {
                expect(ran.stdout.contains(part), part)?;
            }
            Ok(())
        },
    ),
    (
        "blastmap rank --map examples/api-platform/blastmap.yaml --without drift --assume \"dashboard -> posthog: email, user_id\"",
        "every vendor's change if we dropped the chat widget and added PostHog",
        |ran, _| {
            for part in [
                "- vendor drift",
                "+ vendor posthog",
                "posthog  added",
                "drift    removed",
            ] {
                expect(ran.stdout.contains(part), part)?;
            }
            Ok(())
        },
    ),
    (
        "blastmap blast mixpanel --map examples/api-platform/blastmap.yaml --notice users --format markdown",
        "a draft that starts by asking to be checked; no credentials exposed: no password change needed",
        |ran, _| {
            let first = ran.stdout.lines().next().unwrap_or("");
            expect(first.contains("delete this line"), first)?;
            expect(
                ran.stdout
                    .contains("You do not need to change your password"),
                "no password change",
            )
        },
    ),
    (
        "blastmap blast mixpanel --map examples/api-platform/blastmap.yaml --notice users --lang ar --format html -o notice.ar.html",
        "Arabic HTML is right to left",
        |ran, _| {
            expect(
                ran.file("notice.ar.html")
                    .contains("<html lang=\"ar\" dir=\"rtl\">"),
                "<html lang=\"ar\" dir=\"rtl\">",
            )
        },
    ),
    (
        "blastmap blast mixpanel --map examples/api-platform/blastmap.yaml --notice regulator",
        "GDPR Art. 33(3) (a) to (d), and the 72-hour timing of Art. 33(1)",
        |ran, _| {
            for part in [
                "Art. 33(3)(a)",
                "Art. 33(3)(b)",
                "Art. 33(3)(c)",
                "Art. 33(3)(d)",
                "Art. 33(1)",
                "72 hours",
            ] {
                expect(ran.stdout.contains(part), part)?;
            }
            Ok(())
        },
    ),
    (
        "blastmap export --format cyclonedx --map blastmap.yaml -o bom.json",
        "CycloneDX 1.6",
        |ran, _| {
            expect(
                ran.file("bom.json").contains("\"specVersion\": \"1.6\""),
                "specVersion 1.6",
            )
        },
    ),
    (
        "blastmap merge artifacts/*/scan.json artifacts/*/blastmap.yaml --system acme -o org.json",
        "one organisation map of every repository",
        |ran, _| {
            expect(ran.text().contains("2 repositories"), &ran.text())?;
            expect(
                ran.file("org.json")
                    .contains("\"kind\": \"blastmap-merged\""),
                "kind",
            )
        },
    ),
    (
        "blastmap check --base origin/main",
        "what this branch adds, read through git",
        |ran, _| {
            let out = ran.text();
            expect(
                out.contains(&format!("{ADDED_ON_BRANCH}:8: new-flow")),
                "the branch's new flow",
            )?;
            expect(out.contains("(against origin/main)"), "against origin/main")
        },
    ),
    (
        "blastmap man > /usr/local/share/man/man1/blastmap.1",
        "the man page",
        |ran, _| {
            expect(
                ran.file("sysroot/usr/local/share/man/man1/blastmap.1")
                    .contains(".TH blastmap 1"),
                ".TH",
            )
        },
    ),
];

fn key(command: &str) -> String {
    let (toks, _) = lex(command);
    join(&toks)
}

/// A `check` comment's promise: "passes" or "fails", and "N warnings".
fn check_promise(comment: &str) -> (Option<i32>, Option<usize>) {
    let words: Vec<&str> = comment
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let code = if words.contains(&"passes") {
        Some(0)
    } else if words.contains(&"fails") {
        Some(1)
    } else {
        None
    };
    let warnings = words
        .windows(2)
        .find(|w| w[1].starts_with("warning"))
        .and_then(|w| w[0].parse().ok());
    (code, warnings)
}

#[test]
fn every_readme_recipe_runs_as_written() {
    let started = Instant::now();
    let readme = std::fs::read_to_string("README.md").unwrap();
    let recipes = recipes(&readme);
    let checks = recipes
        .iter()
        .filter(|r| r.command.starts_with("blastmap check"))
        .count();
    assert!(
        recipes.len() >= MIN_RECIPES && checks >= MIN_CHECK_RECIPES,
        "found {} recipes ({checks} `check`) in README.md: {recipes:#?}",
        recipes.len()
    );
    let keys: Vec<String> = recipes.iter().map(|r| key(&r.written)).collect();
    for (k, what, _) in CLAIMS {
        assert!(
            keys.contains(&key(k)),
            "README.md has no recipe `{k}` (claim: {what}); update CLAIMS"
        );
    }

    let mut folder = Folder::new(&recipes);
    let mut failures = Vec::new();
    let mut adapted = Vec::new();
    // README order, except that the first later recipe that writes a file
    // an earlier one reads with `--map` also runs before it.
    let words_of = |r: &Recipe| -> Vec<String> {
        lex(&r.command)
            .0
            .iter()
            .filter_map(|t| t.value().map(String::from))
            .collect()
    };
    let writes =
        |r: &Recipe, file: &str| words_of(r).windows(2).any(|p| p[0] == "-o" && p[1] == file);
    let mut order: Vec<usize> = Vec::new();
    for (n, r) in recipes.iter().enumerate() {
        for w in words_of(r).windows(2).filter(|w| w[0] == "--map") {
            let file = w[1].as_str();
            if folder.dir.join(file).exists() || order.iter().any(|&m| writes(&recipes[m], file)) {
                continue;
            }
            if let Some(m) = (n + 1..recipes.len()).find(|&m| writes(&recipes[m], file)) {
                order.push(m);
            }
        }
        order.push(n);
    }

    for (step, &n) in order.iter().enumerate() {
        let r = &recipes[n];
        let early = order[step + 1..].contains(&n);
        let plan = plan(r, &folder.dir);
        for need in Need::of(&plan.words) {
            folder.provide(need);
        }
        let before: Vec<(PathBuf, u64)> = plan
            .outputs
            .iter()
            .map(|o| {
                let p = folder.expand(&plan.prelude, &o.word);
                let len = std::fs::metadata(&p).map_or(0, |m| m.len());
                (p, len)
            })
            .collect();
        let out = folder
            .command("bash")
            .args(["-o", "pipefail", "-c", &plan.script()])
            .output()
            .unwrap();
        let ran = Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: folder.dir.clone(),
        };
        let place = format!("README.md:{}: `{}`", r.line, r.written);
        let mut problems = Vec::new();
        let is_check = r.command.starts_with("blastmap check");
        let (promised_code, promised_warnings) = if is_check {
            check_promise(&plan.comment)
        } else {
            (None, None)
        };
        let expected = promised_code.unwrap_or(0);
        if ran.code != Some(expected) {
            problems.push(format!("exit status {:?}, expected {expected}", ran.code));
        }
        if ran.stderr.contains("panicked") {
            problems.push("panicked".into());
        }
        for (o, (path, len)) in plan.outputs.iter().zip(&before) {
            let now = if path.is_dir() {
                std::fs::read_dir(path).map_or(0, |d| d.count() as u64)
            } else {
                std::fs::metadata(path).map_or(0, |m| m.len())
            };
            if now == 0 || (o.append && now <= *len) {
                problems.push(format!("{} was not written", o.word));
            }
        }
        if let Some(w) = promised_warnings {
            let summary = if expected == 0 {
                "check passed"
            } else {
                "check failed"
            };
            let want = format!(" {w} warnings");
            let line = ran
                .text()
                .lines()
                .find(|l| l.starts_with(summary))
                .map(String::from);
            if !line.as_deref().is_some_and(|l| l.contains(&want)) {
                problems.push(format!(
                    "the README promises `{}`; the summary is {line:?}",
                    plan.comment
                ));
            }
        }
        for (k, what, claim) in CLAIMS {
            if key(k) == key(&r.written)
                && let Err(e) = claim(&ran, &readme)
            {
                problems.push(format!("the README says: {what}; but: {e}"));
            }
        }
        let mut notes = plan.adapted.clone();
        if early {
            notes.push("ran early: a recipe before it reads what it writes".into());
        }
        if !notes.is_empty() {
            adapted.push(format!("{place}\n    {}", notes.join("\n    ")));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{place} (ran `{}`):\n    {}\n  stdout: {}\n  stderr: {}",
                plan.script(),
                problems.join("\n    "),
                ran.stdout
                    .lines()
                    .take(20)
                    .collect::<Vec<_>>()
                    .join("\n          "),
                ran.stderr
                    .lines()
                    .take(20)
                    .collect::<Vec<_>>()
                    .join("\n          ")
            ));
        }
    }
    println!(
        "ran {} README recipes ({} runs) in {:.1?}; adapted:\n  {}",
        recipes.len(),
        order.len(),
        started.elapsed(),
        adapted.join("\n  ")
    );
    assert!(
        failures.is_empty(),
        "{} of {} README recipes did not do what the README says:\n\n{}",
        failures.len(),
        recipes.len(),
        failures.join("\n\n")
    );
}

/// The collector's rule and the adaptations, on a made-up README.
#[test]
fn the_collector_and_the_adaptations_follow_the_rules() {
    let readme = "Prose: blastmap check is not a command.\n\
        ```sh\n# blastmap rank, a comment\nblastmap rank --map a.yaml \\\n  --without drift\n```\n\
        ```console\n$ blastmap scan . | head -3\nblastmap output line\n```\n\
        ```yaml\npolicy:   # what `blastmap check` allows\n- run: blastmap check\n  run: |\n    blastmap merge a.json -o org.json\n```\n\
        ```text\nblastmap blast x\n```\n\
        ```\ncargo run --release -- blast x --map a.yaml\ncargo test\n```\n";
    let found: Vec<(usize, String)> = recipes(readme)
        .into_iter()
        .map(|r| (r.line, r.command))
        .collect();
    assert_eq!(
        found,
        [
            (
                4,
                "blastmap rank --map a.yaml   --without drift".to_string()
            ),
            (8, "blastmap scan . | head -3".into()),
            (13, "blastmap check".into()),
            (15, "blastmap merge a.json -o org.json".into()),
            (21, "blastmap blast x --map a.yaml".into()),
        ]
    );

    let dir = tempfile::tempdir().unwrap();
    let recipe = |command: &str| Recipe {
        line: 1,
        written: command.into(),
        command: command.into(),
        adapted: Vec::new(),
    };
    let p = plan(
        &recipe("blastmap graph --format dot | no-such-tool-here -Tsvg > g.svg && echo done # x"),
        dir.path(),
    );
    assert_eq!(
        p.body,
        "blastmap graph --format dot | cat > /dev/null && echo done"
    );
    assert!(p.outputs.is_empty(), "{:?}", p.outputs);
    assert_eq!(p.comment, "x");
    let p = plan(
        &recipe("blastmap man > /usr/share/man/man1/blastmap.1"),
        dir.path(),
    );
    let target = dir.path().join("sysroot/usr/share/man/man1/blastmap.1");
    assert_eq!(p.body, format!("blastmap man > {}", single_quoted(&target)));
    assert!(target.parent().unwrap().is_dir());
    let p = plan(
        &recipe("blastmap check --save sarif=a.sarif -o \"b c.md\" >> \"$X\""),
        dir.path(),
    );
    let outputs: Vec<(&str, bool)> = p
        .outputs
        .iter()
        .map(|o| (o.word.as_str(), o.append))
        .collect();
    assert_eq!(
        outputs,
        [
            ("'a.sarif'", false),
            ("\"b c.md\"", false),
            ("\"$X\"", true)
        ]
    );
    assert_eq!(
        check_promise("the bundled example: passes, with 5 warnings"),
        (Some(0), Some(5))
    );
    assert_eq!(check_promise("fails: 2 denied"), (Some(1), None));
}
