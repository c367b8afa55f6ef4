//! The `chiptrail` binary: subcommands over the core library. With no arguments it prints help
//! (the map app will open there once the GUI lands).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
