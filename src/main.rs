//! The `chiptrail` binary: the map app with no arguments (or `open FILE`), and the subcommands
//! over the core library (`check`, `score`, `evaluate`, `sample`, `report`).

mod cli;

/// mimalloc rather than the system allocator: scoring a million routes makes and frees many
/// small strings and vectors, which glibc's allocator served at a fifth of the run's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
