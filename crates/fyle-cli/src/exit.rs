//! The exit codes a script can rely on, and which error maps to which.

use fyle::ErrorKind;

/// Fyle answered an error (validation, not found, forbidden, rate limited, server error).
pub(crate) const API: u8 = 1;
/// The command line was wrong: an unknown option, path, column or a bad filter.
pub(crate) const USAGE: u8 = 2;
/// Not logged in, or the credentials were refused.
pub(crate) const AUTH: u8 = 3;
/// No answer: connection, TLS, timeout, cluster discovery.
pub(crate) const NETWORK: u8 = 4;
/// A local file (output, checkpoint, profile) could not be read or written.
pub(crate) const LOCAL: u8 = 5;

/// The text `fyle --help` ends with.
pub(crate) const EXIT_CODES_HELP: &str = "Exit codes: 0 ok, 1 Fyle answered an error, 2 usage \
(bad option, path, column or filter), 3 not logged in or credentials refused, 4 network, \
5 local file. Errors go to stderr as `error: ...` with Fyle's error kind and message; stdout \
carries only data.";

/// A mistake on the command line, found after parsing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Usage(pub(crate) String);

/// No usable credentials.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct NotLoggedIn(pub(crate) String);

/// The exit code for an error: the first cause in its chain that says.
pub(crate) fn code_of(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<Usage>()
            || cause.is::<fyle_cli::columns::UnknownColumn>()
            || cause.is::<fyle::query::ParseError>()
        {
            return USAGE;
        }
        if cause.is::<NotLoggedIn>() || cause.is::<fyle_cli::secrets::SecretsError>() {
            return AUTH;
        }
        if let Some(fyle_error) = cause.downcast_ref::<fyle::Error>() {
            return fyle_code(fyle_error);
        }
        if let Some(failure) = cause.downcast_ref::<fyle_cli::export::ExportFailure>() {
            match failure {
                fyle_cli::export::ExportFailure::Usage(_)
                | fyle_cli::export::ExportFailure::Columns(_) => return USAGE,
                fyle_cli::export::ExportFailure::Fyle(e) => return fyle_code(e),
                fyle_cli::export::ExportFailure::Mark(fyle_cli::mark::MarkError::Fyle(e)) => {
                    return fyle_code(e);
                }
                _ => {}
            }
        }
        if cause.is::<fyle_cli::sink::SinkError>()
            || cause.is::<fyle_cli::checkpoint::CheckpointError>()
            || cause.is::<fyle_cli::profile::ProfileError>()
            || cause.is::<std::io::Error>()
        {
            return LOCAL;
        }
    }
    API
}

fn fyle_code(error: &fyle::Error) -> u8 {
    match error.kind() {
        // The token request itself got no answer: a network failure, not bad credentials.
        ErrorKind::Auth(fyle::auth::AuthError::Transport(_))
        | ErrorKind::Transport(_)
        | ErrorKind::Cluster(_) => NETWORK,
        ErrorKind::Unauthorized(_) | ErrorKind::Auth(_) => AUTH,
        ErrorKind::InvalidRequest(_) | ErrorKind::Config(_) => USAGE,
        _ => API,
    }
}

/// A next step for errors that have an obvious one.
pub(crate) fn hint(error: &anyhow::Error) {
    if code_of(error) == AUTH {
        eprintln!(
            "hint: run `fyle login`, pass --profile NAME, or try it on the sandbox with --sandbox"
        );
    }
}
