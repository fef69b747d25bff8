//! ppcmk: a local, offline engine for the Power Platform customer-managed key
//! (CMK) life cycle, with real cryptography.
//!
//! Three parties are kept apart as in the real world: the customer's key
//! vault (`keyvault`), the directory and resource manager (`identity`, `arm`,
//! `policy`), and the Power Platform service (`environment`, `flows`). Every
//! operation is a registered command (`registry`, `commands`) run by the
//! `engine` against the SQLite `store`; the CLI, the C ABI (`ffi`) and the
//! generated PowerShell module are three surfaces over that one registry.

pub mod arm;
pub mod audit;
pub mod clock;
pub mod codegen;
mod commands;
pub mod crypto;
pub mod demo;
pub mod engine;
pub mod environment;
pub mod error;
pub mod ffi;
pub mod files;
pub mod flows;
/// Fuzz target bodies shared by `fuzz/` and the corpus replay test; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod identity;
pub mod keyvault;
pub mod maintenance;
pub mod policy;
pub mod readiness;
pub mod registry;
pub mod store;

pub use engine::{invoke, invoke_json, Gate, InvokeOptions, Outcome, Progress};
pub use error::{Error, ErrorCode, Result};
pub use store::Store;

/// The library's version (also `ppcmk_version()` over the C ABI).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The JSON response the C ABI returns for an invocation's result:
/// `{"ok":true,"objects":[...],"warnings":[...]}` (plus `"gate":{"failOn","rows"}`
/// when the command ran with `-FailOn`) or
/// `{"ok":false,"error":{"code","category","message","target"}}`.
pub fn response_json(result: &Result<Outcome>) -> serde_json::Value {
    match result {
        Ok(outcome) => {
            let mut response = serde_json::json!({
                "ok": true,
                "objects": outcome.objects,
                "warnings": outcome.warnings,
            });
            if let Some(gate) = &outcome.gate {
                response["gate"] = serde_json::json!({"failOn": gate.fail_on, "rows": gate.rows});
            }
            response
        }
        Err(e) => error_json(e),
    }
}

pub fn error_json(e: &Error) -> serde_json::Value {
    serde_json::json!({
        "ok": false,
        "error": {
            "code": e.code.as_str(),
            "category": e.code.category(),
            "message": e.message,
            "target": e.target,
        }
    })
}
