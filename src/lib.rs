//! ppcmk: a local, offline engine for the Power Platform customer-managed key
//! (CMK) life cycle, with real cryptography.
//!
//! Three parties are kept apart as in the real world: the customer's key
//! vault (`keyvault`), the directory and resource manager (`identity`, `arm`,
//! `policy`), and the Power Platform service (`environment`, `flows`). Every
//! operation is a registered command (`registry`, `commands`) run by the
//! `engine` against the SQLite `store`; the CLI, the C ABI (`ffi`) and the
//! generated PowerShell module are three surfaces over that one registry.

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

pub use engine::{invoke, InvokeOptions, Outcome};
pub use error::{Error, ErrorCode, Result};
pub use progress::Progress;
pub use registry::Gate;
pub use store::Store;
pub use surface::{error_json, invoke_json, response_json, response_text};

/// The library's version (also `ppcmk_version()` over the C ABI).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
