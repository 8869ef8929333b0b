//! One module per command; [`run`] dispatches.

use clap::CommandFactory;

use crate::args::{Cli, Command};
use crate::output::Notes;

mod api;
mod connect;
mod export;
mod login;
mod ops;
mod sandbox;
mod whoami;

/// Runs the parsed command line.
pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    let notes = Notes {
        quiet: cli.global.quiet,
    };
    match cli.command {
        Command::Login(args) => login::run(&cli.global, args, notes).await,
        Command::Whoami(args) => whoami::run(&cli.global, &args, notes).await,
        Command::Api(args) => api::run(&cli.global, args, notes).await,
        Command::Ops(args) => ops::list(&args),
        Command::Schema(args) => ops::schema(&args.name),
        Command::Export(args) => export::run(&cli.global, args, notes).await,
        Command::Sandbox(args) => sandbox::run(&args).await,
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "fyle", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(())
        }
    }
}
