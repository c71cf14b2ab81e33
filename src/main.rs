//! The `blastmap` binary: parse arguments, run, write, exit. All the work is
//! in the library (`blastmap::cli::run_with`); the only things decided here
//! are the scan progress bar, on stderr, when it is a terminal and the scan
//! is long, and whether to colour the output (a terminal, no `NO_COLOR`).

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar that stays hidden until the scan has run for a second.
struct Bar {
    bar: ProgressBar,
    started: OnceLock<Instant>,
    shown: OnceLock<()>,
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("scanning {bar:30} {pos}/{len} files ({elapsed})")
        {
            bar.set_style(style);
        }
        Bar {
            bar,
            started: OnceLock::new(),
            shown: OnceLock::new(),
        }
    }
}

impl blastmap::scan::ScanProgress for Bar {
    fn start(&self, total: u64) {
        let _ = self.started.set(Instant::now());
        self.bar.set_length(total);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
        let long = self
            .started
            .get()
            .is_some_and(|t| t.elapsed() > Duration::from_secs(1));
        if long && self.shown.set(()).is_ok() {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

// Loading a large map is allocation-bound (a parsed document, then the
// model); mimalloc cuts that time by a third against glibc's allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process, unless
/// `MIMALLOC_ALLOW_THP` says otherwise: mimalloc asks for them over its
/// arenas (`madvise(MADV_HUGEPAGE)`), so every touched 2 MiB region is
/// resident whole. Measured on the SDK tree of `benches/README.md` (issue
/// #18, session 15): peak RSS 310 -> 254 MB with the same time. This is
/// what `MIMALLOC_ALLOW_THP=0` does at mimalloc's start; the process has
/// allocated little before `main`.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        unsafe extern "C" {
            fn prctl(option: i32, ...) -> i32;
        }
        const PR_SET_THP_DISABLE: i32 = 41;
        // SAFETY: PR_SET_THP_DISABLE takes one integer argument (the
        // rest zero) and touches no memory of ours; on failure (an old
        // kernel) nothing changes.
        let _ = unsafe { prctl(PR_SET_THP_DISABLE, 1u64, 0u64, 0u64, 0u64) };
    }
}

fn main() {
    no_huge_pages();
    let cli = match blastmap::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with code 0; usage errors exit 2.
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let bar = std::io::stderr().is_terminal().then(Bar::new);
    let progress = bar.as_ref().map(|b| b as &dyn blastmap::scan::ScanProgress);
    let outcome = blastmap::cli::run_with(cli, progress);
    // Colour for people on a terminal (off with NO_COLOR, when piped, or
    // with TERM=dumb; CLICOLOR_FORCE turns it on).
    let var = |k: &str| std::env::var(k).ok();
    let paint = blastmap::cli::Paint {
        stdout: blastmap::report::colour::wanted(var, std::io::stdout().is_terminal()),
        stderr: blastmap::report::colour::wanted(var, std::io::stderr().is_terminal()),
    };
    let code = blastmap::cli::emit(
        &outcome,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        paint,
    );
    std::process::exit(code);
}
