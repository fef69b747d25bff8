//! `ppcmk serve [-Address 127.0.0.1] [-Port 8443] [-TokenPort 8444] [-Identity <upn|id>] [-Throttle On|Off]`.

use ppcmk::{Error, ErrorCode, Store};
use ppcmk_serve::Config;
use std::net::IpAddr;

const USAGE: &str =
    "ppcmk serve [-Address 127.0.0.1] [-Port 8443] [-TokenPort 8444] [-Identity <UPN, object id or application id>] [-Throttle On|Off]
    Serves Key Vault (https://<vault>.vault.localhost:<Port>), the Entra token endpoints
    (https://localhost:<Port>/<tenant>/...) and the managed-identity endpoint
    (http://<Address>:<TokenPort>) over the store in PPCMK_HOME, until Ctrl+C.
    -Throttle Off turns off Key Vault's per-vault throttle (4,000 RSA 2048-bit software key
    transactions per 10 s, or Set-PpCmkFault -Operation VaultThrottle's limit), for benchmarks.";

pub fn run(tokens: &[String]) -> Result<(), Error> {
    let mut config = Config::new(ppcmk_home()?);
    let mut i = 0;
    while i < tokens.len() {
        let name = tokens[i].to_ascii_lowercase();
        if matches!(name.as_str(), "-?" | "-help" | "--help") {
            println!("{USAGE}");
            return Ok(());
        }
        let value = tokens.get(i + 1).ok_or_else(|| {
            Error::new(
                ErrorCode::MissingMandatoryParameter,
                format!("Missing an argument for parameter '{}'.", tokens[i]),
            )
        })?;
        let port = |v: &str| {
            v.parse::<u16>().map_err(|_| {
                Error::new(
                    ErrorCode::ParameterBindingFailed,
                    format!("Cannot bind parameter '{}': '{v}' is not a port (0-65535).", tokens[i]),
                )
            })
        };
        match name.as_str() {
            "-address" => {
                config.address = value.parse::<IpAddr>().map_err(|_| {
                    Error::new(ErrorCode::ParameterBindingFailed, format!("Cannot bind parameter '-Address': '{value}' is not an IP address."))
                })?
            }
            "-port" => config.port = port(value)?,
            "-tokenport" => config.token_port = port(value)?,
            "-identity" => config.identity = Some(value.clone()),
            "-throttle" => {
                config.throttle = match value.to_ascii_lowercase().as_str() {
                    "on" => true,
                    "off" => false,
                    _ => {
                        return Err(Error::new(
                            ErrorCode::ParameterValidationFailed,
                            format!("Cannot validate argument on parameter '-Throttle': '{value}' is not On or Off."),
                        ))
                    }
                }
            }
            _ => {
                return Err(Error::new(
                    ErrorCode::ParameterNotFound,
                    format!("A parameter cannot be found that matches parameter name '{}' (serve takes -Address, -Port, -TokenPort, -Identity and -Throttle).", tokens[i]),
                ))
            }
        }
        i += 2;
    }
    if !config.address.is_loopback() {
        eprintln!(
            "WARNING: serving on {}, which is not a loopback address: anyone who can reach it can ask for tokens and use the store's keys. Use -Address 127.0.0.1 unless you mean it.",
            config.address
        );
    }
    let running = ppcmk_serve::start(config)?;
    print!("{}", ppcmk_serve::banner(&running));
    running.wait_for_signal();
    eprintln!("ppcmk serve: stopped.");
    Ok(())
}

fn ppcmk_home() -> Result<std::path::PathBuf, Error> {
    // The same folder every other command uses (PPCMK_HOME, else ~/.ppcmk).
    let store = Store::open_default()?;
    Ok(store.home().to_path_buf())
}
