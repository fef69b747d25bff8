//! The `ppcmk` command line: `ppcmk <Command> [-Parameter value]... [-OutputFormat Table|List|Json|Csv]`.
//!
//! Exit status: 0 success, 1 the command failed (one line on stderr with the
//! error code), 2 usage error (unknown command or parameter, missing
//! mandatory parameter, value outside the allowed set).

use ppcmk::engine::{self, InvokeOptions, Progress};
use ppcmk::registry::bind::{self, CliBinding, OutputFormat};
use ppcmk::registry::{format, help};
use ppcmk::{Error, ErrorCode, Store};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

#[cfg(feature = "serve")]
#[path = "serve/enabled.rs"]
mod serve;
#[cfg(not(feature = "serve"))]
#[path = "serve/disabled.rs"]
mod serve;

fn main() -> ExitCode {
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => {
            eprintln!("ppcmk: Internal: an internal error occurred (a bug); the command was not completed.");
            ExitCode::from(1)
        }
    }
}

fn run() -> ExitCode {
    let mut tokens = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(s) => tokens.push(s),
            Err(raw) => {
                return fail(&Error::new(
                    ErrorCode::ParameterBindingFailed,
                    format!("The argument {raw:?} is not valid UTF-8."),
                ))
            }
        }
    }
    let Some(name) = tokens.first() else {
        print!("{}", help::command_list(ppcmk::commands::all()));
        return ExitCode::SUCCESS;
    };
    if matches!(name.as_str(), "-?" | "--help" | "-h" | "help") {
        print!("{}", help::command_list(ppcmk::commands::all()));
        return ExitCode::SUCCESS;
    }
    if matches!(name.as_str(), "--version" | "-Version") {
        println!("ppcmk {}", ppcmk::VERSION);
        return ExitCode::SUCCESS;
    }
    if name.eq_ignore_ascii_case("demo") || name.eq_ignore_ascii_case("Start-PpCmkDemo") {
        return demo(&tokens[1..]);
    }
    if name.eq_ignore_ascii_case("serve") || name.eq_ignore_ascii_case("Start-PpCmkServer") {
        return match serve::run(&tokens[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        };
    }
    let Some(command) = ppcmk::commands::find(name) else {
        return fail(&ppcmk::surface::command_not_found(name));
    };
    let (args, format) = match bind::bind_cli(command, &tokens[1..]) {
        Ok(CliBinding::Help) => {
            print!("{}", help::command_help(command));
            return ExitCode::SUCCESS;
        }
        Ok(CliBinding::Run { args, format }) => (args, format.unwrap_or(OutputFormat::Table)),
        Err(e) => return fail(&e),
    };
    let store = match Store::open_default() {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let mut bar = ProgressBar::new();
    let mut sink = |p: &Progress| bar.show(p);
    let options = InvokeOptions { progress: Some(&mut sink), ..options_from_env() };
    let result = engine::invoke(&store, command, &args, options);
    bar.finish();
    match result {
        Ok(outcome) => {
            for w in &outcome.warnings {
                eprintln!("WARNING: {w}");
            }
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let written = match command.yielded_property(&args) {
                // `-AsPlainText` and the like: the values alone, one per line.
                Some(property) if format == OutputFormat::Table => {
                    out.write_all(format::values(&outcome.objects, property).as_bytes())
                }
                _ => format::write(&outcome.objects, &command.output, format, &mut out),
            };
            // A closed pipe (e.g. `| head`) is not an error of the command.
            let _ = written.and_then(|_| out.flush());
            match outcome.gate {
                Some(gate) if gate.tripped() => fail(&gate.error()),
                _ => ExitCode::SUCCESS,
            }
        }
        Err(e) => fail(&e),
    }
}

/// `ppcmk demo [-Path <new folder>] [-KeepStore]`: the guided walk through
/// the documentation on a new store (a temporary folder by default).
fn demo(tokens: &[String]) -> ExitCode {
    let mut folder = None;
    let mut keep = false;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].to_ascii_lowercase().as_str() {
            "-keepstore" => keep = true,
            "-path" if i + 1 < tokens.len() => {
                folder = Some(std::path::PathBuf::from(&tokens[i + 1]));
                keep = true;
                i += 1;
            }
            "-?" => {
                println!("ppcmk demo [-Path <new folder>] [-KeepStore]\n    Walks the documented CMK life cycle on a new store (a temporary folder unless -Path).");
                return ExitCode::SUCCESS;
            }
            other => {
                return fail(&Error::new(
                    ErrorCode::ParameterNotFound,
                    format!("A parameter cannot be found that matches parameter name '{other}' (demo takes -Path and -KeepStore)."),
                ))
            }
        }
        i += 1;
    }
    let mut out = std::io::stdout().lock();
    let interactive = std::io::stderr().is_terminal();
    match ppcmk_cli::demo::run(&mut out, folder, keep, interactive) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// The account and network to act with, from `PPCMK_ACCOUNT` and
/// `PPCMK_NETWORK` (the engine reads no environment variables).
fn options_from_env<'a>() -> InvokeOptions<'a> {
    InvokeOptions {
        // Not UTF-8: kept (lossily) so that it names nobody and is refused;
        // dropping it would run the command as the signed-in account.
        account: std::env::var_os("PPCMK_ACCOUNT").map(|a| a.to_string_lossy().into_owned()).filter(|a| !a.is_empty()),
        private_network: std::env::var("PPCMK_NETWORK").is_ok_and(|n| n.eq_ignore_ascii_case("private")),
        ..InvokeOptions::default()
    }
}

/// Prints one line to stderr and returns 2 for usage errors, 1 otherwise.
fn fail(e: &Error) -> ExitCode {
    let message = e.message.replace(['\r', '\n'], " ");
    eprintln!("ppcmk: {}: {message}", e.code);
    ExitCode::from(if e.code.is_usage() { 2 } else { 1 })
}

/// A one-line progress bar on stderr when it is a terminal; otherwise a line
/// at every tenth of the work, so logs show progress without flooding.
struct ProgressBar {
    terminal: bool,
    drawn: bool,
    last_decile: Option<(String, u8)>,
}

impl ProgressBar {
    fn new() -> ProgressBar {
        ProgressBar { terminal: std::io::stderr().is_terminal(), drawn: false, last_decile: None }
    }

    fn show(&mut self, p: &Progress) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let width = 30usize;
            let filled = width * p.percent_complete as usize / 100;
            let _ = write!(
                err,
                "\r\x1b[2K[{}{}] {:3}% {}: {}",
                "#".repeat(filled),
                " ".repeat(width - filled),
                p.percent_complete,
                p.activity,
                p.status
            );
            let _ = err.flush();
            self.drawn = true;
        } else {
            let decile = p.percent_complete / 10;
            let key = (p.activity.clone(), decile);
            if self.last_decile.as_ref() != Some(&key) {
                let _ = writeln!(err, "{}: {}% {}", p.activity, p.percent_complete, p.status);
                self.last_decile = Some(key);
            }
        }
    }

    fn finish(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            self.drawn = false;
        }
    }
}
