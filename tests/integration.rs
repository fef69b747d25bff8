//! The library's integration tests, one binary (ripgrep's layout: the root
//! package sets `autotests = false` and this file `mod`s the others), so the
//! suite links once rather than once per file. Each module is one area or
//! one surface; `support` holds what they share.
//!
//! Some tests run the `ppcmk` binary (package `ppcmk-cli`) and load
//! `libppcmk.so`: `support::ppcmk_exe` and `support::fresh_cdylib` find them
//! in the target folder and refuse stale ones. `scripts/test-all` builds both
//! first.

mod support;

mod at_rest;
mod busy;
mod c_abi;
mod cli;
mod concurrency;
// Not `core`: that name is the core library's.
#[path = "core.rs"]
mod core_engine;
mod crash;
mod desktop;
mod encryption;
mod flows;
mod keyvault;
mod keyvault_cli;
mod layers;
mod mono;
mod powershell_syntax;
mod readiness;
mod robustness;
mod twin;
mod walkthrough_script;
