//! `ppcmk serve` in a build without the `serve` feature.

use ppcmk::{Error, ErrorCode};

pub fn run(_tokens: &[String]) -> Result<(), Error> {
    Err(Error::new(
        ErrorCode::InvalidOperation,
        "This build of ppcmk has no REST server: build the CLI with its default features (cargo build -p ppcmk-cli) to get `ppcmk serve`.",
    ))
}
