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
pub mod commands;
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
mod lifecycle;
pub mod policy;
pub mod progress;
pub mod readiness;
pub mod registry;
pub mod store;
pub mod time;

pub use engine::{invoke, invoke_json, Gate, InvokeOptions, Outcome};
pub use error::{Error, ErrorCode, Result};
pub use progress::Progress;
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

/// [`response_json`] as text, serialised straight from the outcome's objects
/// (no intermediate `Value` tree, no copy of the objects): what the C ABI
/// returns on every call, so its cost is the ABI's overhead.
pub fn response_text(result: &Result<Outcome>) -> String {
    #[derive(serde::Serialize)]
    struct GateJson<'a> {
        #[serde(rename = "failOn")]
        fail_on: &'a str,
        rows: usize,
    }
    #[derive(serde::Serialize)]
    struct Success<'a> {
        ok: bool,
        objects: &'a [registry::Object],
        warnings: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        gate: Option<GateJson<'a>>,
    }
    match result {
        Ok(outcome) => serde_json::to_string(&Success {
            ok: true,
            objects: &outcome.objects,
            warnings: &outcome.warnings,
            gate: outcome.gate.as_ref().map(|g| GateJson { fail_on: &g.fail_on, rows: g.rows }),
        })
        // Serialising maps of JSON values with string keys cannot fail.
        .unwrap_or_else(|e| error_json(&Error::internal(format!("serialising the response: {e}"))).to_string()),
        Err(e) => error_json(e).to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The C ABI's text and the documented `Value` shape are the same JSON.
    #[test]
    fn response_text_is_response_json() {
        let object: registry::Object =
            serde_json::from_value(serde_json::json!({"Name": "a\u{0}b", "N": 1, "L": [true, null]})).unwrap();
        let outcomes = [
            Ok(Outcome { objects: vec![object.clone()], warnings: vec!["w".into()], gate: None }),
            Ok(Outcome {
                objects: vec![object],
                warnings: vec![],
                gate: Some(Gate { fail_on: "Warn".into(), rows: 2 }),
            }),
            Ok(Outcome::default()),
            Err(Error::new(ErrorCode::NotFound, "gone").with_target("x")),
        ];
        for result in &outcomes {
            let text = response_text(result);
            assert!(!text.contains('\0'), "no interior NUL for the CString");
            assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), response_json(result), "{text}");
        }
    }
}
