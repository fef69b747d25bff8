//! ppcmk: a local, offline engine for the Power Platform customer-managed key
//! (CMK) life cycle, with real cryptography.
//!
//! Three parties are kept apart as in the real world: the customer's key
//! vault (`keyvault`), the directory and resource manager (`identity`, `arm`,
//! `policy`), and the Power Platform service (`environment`, `flows`). Every
//! operation is a registered command (`registry`, `commands`) run by the
//! `engine` against the SQLite `store`; the CLI, the C ABI (`ffi`) and the
//! generated PowerShell module are three surfaces over that one registry.
//!
//! ## Layers
//!
//! Each module imports only modules of lower layers; the modules of one
//! layer never import each other, so no circle can form. `tests/layers.rs`
//! reads this table and fails on any `crate::…` or `super::…` path that
//! runs the other way (or that goes through this root's re-exports).
//!
//! ```text
//! top: the surfaces
//!  17 fuzzing                    fuzz target bodies (tests and fuzz/ only)
//!  16 ffi                        the C ABI
//!  15 surface                    the JSON envelope the C ABI, fuzzing and a server share
//!  14 engine, commands           running a command; the commands and their catalogue
//!  13 registry                   the contract: commands, parameters, outputs, Ctx, binding
//!  12 twin                       a tenant snapshot: import, rollout plan, key versions in use, report
//!  11 readiness                  pre-flight and post-flight reports
//!  10 lifecycle                  key changes, health checks, maintenance, a store's tenant
//!   9 flows                      Power Automate: flows, runs, connections, desktop, DLP
//!   8 environment                environments, DEKs, sealed records, backups, BYOK
//!   7 policy                     enterprise policies and their ARM template
//!   6 keyvault                   the customer's vaults, HSMs, keys and secrets
//!   5 arm                        resource groups, providers, locations, the resource index
//!   4 identity                   the directory, sessions, Azure RBAC
//!   3 clock, audit, arm::id      the store's clock; the audit chain; ARM ids and scopes
//!   2 store, files               SQLite and the master key (all SQL); user-named files
//!   1 crypto, time               sealing, RSA, randomness; time formats
//!   0 error, progress            error codes; progress events
//! bottom: the leaves
//! ```
//!
//! ## Surfaces and what they may import
//!
//! The public API is the contract and the surfaces over it: [`registry`]
//! (commands, parameters, output shapes, binding, formatting, help, the
//! handler context), [`commands`] (the catalogue: [`commands::all`],
//! [`commands::find`]), [`engine`] ([`invoke`], [`InvokeOptions`],
//! [`Outcome`]), [`surface`] (the JSON envelope), [`ffi`] (the C ABI),
//! [`Store`] (opened, never read around the engine), [`Error`] and
//! [`ErrorCode`], [`Progress`], and [`crypto`]. The store and every area
//! module are crate-private, so a surface in another package — the CLI
//! (`crates/cli`), the generators (`crates/dev`), a REST server — can
//! only run commands through the engine; the compiler enforces that.
//! Inside the crate, the table above does. Reading the process environment
//! (`PPCMK_ACCOUNT`, `PPCMK_NETWORK`) is a surface's decision: the engine
//! reads none.

pub(crate) mod arm;
pub(crate) mod audit;
pub(crate) mod clock;
pub mod commands;
pub mod crypto;
pub mod engine;
pub(crate) mod environment;
pub mod error;
pub mod ffi;
pub(crate) mod files;
pub(crate) mod flows;
/// Fuzz target bodies shared by `fuzz/` (feature `fuzzing`) and the corpus
/// replay test (a unit test); not an API, and not in a normal build.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod identity;
pub(crate) mod keyvault;
pub(crate) mod lifecycle;
pub(crate) mod policy;
pub mod progress;
pub(crate) mod readiness;
pub mod registry;
pub(crate) mod store;
pub mod surface;
pub(crate) mod time;
pub(crate) mod twin;

pub use engine::{invoke, InvokeOptions, Outcome};
pub use error::{Error, ErrorCode, Result};
/// The tenant every store models (its id in tokens, ARM ids and challenges).
pub use identity::{SUBSCRIPTION_ID, TENANT_ID};
pub use progress::Progress;
pub use registry::Gate;
pub use store::Store;
pub use surface::{error_json, into_response_text, invoke_json, response_json, response_text};

/// The library's version (also `ppcmk_version()` over the C ABI).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
