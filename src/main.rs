//! The `blastmap` binary: parse arguments, run, write, exit. All the work is
//! in the library (`blastmap::cli::run`).

use clap::Parser;

// Loading a large map is allocation-bound (a parsed document, then the
// model); mimalloc cuts that time by a third against glibc's allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = match blastmap::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with code 0; usage errors exit 2.
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let outcome = blastmap::cli::run(cli);
    let code = blastmap::cli::emit(
        &outcome,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
