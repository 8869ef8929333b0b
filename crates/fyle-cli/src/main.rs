//! `fyle`: the command line for the Fyle Platform API.

use std::process::ExitCode;

use clap::Parser;

mod args;
mod cmd;
mod exit;
mod output;
mod schema_table;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    output::init_tracing(cli.global.verbose, cli.global.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::LOCAL);
        }
    };
    match runtime.block_on(cmd::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = exit::code_of(&error);
            eprintln!("error: {error:#}");
            exit::hint(&error);
            ExitCode::from(code)
        }
    }
}
