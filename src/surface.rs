//! The JSON envelope every JSON surface shares: a request
//! `{"command","parameters","account","network"}` in, a response
//! `{"ok":true,"objects","warnings"[,"gate"]}` or
//! `{"ok":false,"error":{"code","category","message","target"}}` out. The C
//! ABI, the fuzz targets and the REST server speak it; the CLI speaks
//! PowerShell syntax and prints tables, but names an unknown command the same way.
//!
//! A surface decides where the account comes from (the C ABI and the CLI read
//! `PPCMK_ACCOUNT`; a server never does) and passes it in [`InvokeOptions`].

use crate::commands;
use crate::engine::{invoke, InvokeOptions, Outcome};
use crate::error::{Error, ErrorCode, Result};
use crate::registry::bind::bind_json;
use crate::registry::{Gate, Objects};
use crate::store::Store;

/// Looks up and binds a JSON request, then invokes it: the path of the C ABI.
pub fn invoke_json(store: &Store, request: &serde_json::Value, options: InvokeOptions) -> Result<Outcome> {
    let request = request
        .as_object()
        .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "The request must be a JSON object."))?;
    let name = request.get("command").and_then(|c| c.as_str()).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidRequest,
            "The request needs a \"command\" string, e.g. {\"command\":\"Get-AzContext\"}.",
        )
    })?;
    let command = commands::find(name).ok_or_else(|| command_not_found(name))?;
    let empty = serde_json::Map::new();
    let params = match request.get("parameters") {
        None | Some(serde_json::Value::Null) => &empty,
        Some(serde_json::Value::Object(m)) => m,
        Some(_) => return Err(Error::new(ErrorCode::InvalidRequest, "\"parameters\" must be a JSON object.")),
    };
    for key in request.keys() {
        if !matches!(key.as_str(), "command" | "parameters" | "account" | "network") {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                format!("Unknown request field \"{key}\"; the fields are command, parameters, account and network."),
            ));
        }
    }
    let private_network = match request.get("network") {
        None | Some(serde_json::Value::Null) => options.private_network,
        Some(serde_json::Value::String(n)) if n.eq_ignore_ascii_case("private") => true,
        Some(serde_json::Value::String(n)) if n.eq_ignore_ascii_case("public") || n.is_empty() => false,
        Some(_) => return Err(Error::new(ErrorCode::InvalidRequest, "\"network\" must be \"private\" or \"public\".")),
    };
    let account = match request.get("account") {
        None | Some(serde_json::Value::Null) => options.account,
        Some(serde_json::Value::String(a)) => Some(a.clone()),
        Some(_) => return Err(Error::new(ErrorCode::InvalidRequest, "\"account\" must be a string.")),
    };
    let args = bind_json(command, params)?;
    invoke(store, command, &args, InvokeOptions { account, private_network, ..options })
}

pub fn command_not_found(name: &str) -> Error {
    let shown: String = name.chars().take(100).collect();
    Error::new(
        ErrorCode::CommandNotFound,
        format!("The term '{shown}' is not recognized as a ppcmk command. Run `ppcmk` to list the commands."),
    )
    .with_target(shown)
}

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

/// How a successful response's text starts, before its objects.
const RESPONSE_START: &str = r#"{"ok":true,"objects":"#;
// A listing's JSON rows keep exactly this much room in front for it.
const _: () = assert!(RESPONSE_START.len() == crate::registry::objects::HEADROOM);

/// [`response_json`] as text, written straight from the outcome's objects
/// (no intermediate `Value` tree): what the C ABI returns on every call, so
/// its cost is the ABI's overhead. [`into_response_text`] does the same
/// without copying a listing's rows.
pub fn response_text(result: &Result<Outcome>) -> String {
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => return error_json(e).to_string(),
    };
    let mut text = Vec::with_capacity(outcome.objects.json_len_hint() + 64);
    text.extend_from_slice(RESPONSE_START.as_bytes());
    outcome.objects.write_json(&mut text);
    let mut text = String::from_utf8(text).expect("serde_json writes UTF-8");
    text.push_str(&response_end(&outcome.warnings, outcome.gate.as_ref()));
    text
}

/// [`response_text`], consuming the result: a listing's JSON rows become the
/// response in their own buffer, the envelope written around them.
pub fn into_response_text(result: Result<Outcome>) -> String {
    match result {
        Ok(Outcome { objects: Objects::Rows(rows), warnings, gate }) => {
            let mut text = rows.into_text_after(RESPONSE_START);
            text.push_str(&response_end(&warnings, gate.as_ref()));
            text
        }
        other => response_text(&other),
    }
}

/// What follows a successful response's objects: `,"warnings":[...]`, the
/// gate when there is one, and the closing brace.
fn response_end(warnings: &[String], gate: Option<&Gate>) -> String {
    #[derive(serde::Serialize)]
    struct GateJson<'a> {
        #[serde(rename = "failOn")]
        fail_on: &'a str,
        rows: usize,
    }
    // Strings, and a struct of a string and a number, always serialise.
    let mut end = String::from(r#","warnings":"#);
    end.push_str(&serde_json::to_string(warnings).expect("strings serialise"));
    if let Some(g) = gate {
        end.push_str(r#","gate":"#);
        end.push_str(
            &serde_json::to_string(&GateJson { fail_on: &g.fail_on, rows: g.rows }).expect("a gate serialises"),
        );
    }
    end.push('}');
    end
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
    use crate::registry::{Cell, Gate, JsonRowsWriter, Object, Objects};

    /// Key uses on one handle: the unsealed material is kept (and dropped by
    /// a purge), and their group-committed audit entries leave the store's
    /// data version alone, so the due-maintenance check stays skipped; a
    /// state change still moves it.
    #[test]
    fn key_uses_keep_material_and_the_data_version_until_a_change() {
        let dir = std::env::temp_dir().join(format!("ppcmk-keyuse-{}", crate::crypto::new_guid()));
        let store = Store::open(&dir).unwrap();
        let run = |command: &str, parameters: serde_json::Value| {
            let request = serde_json::json!({"command": command, "parameters": parameters});
            invoke_json(&store, &request, Default::default()).unwrap().objects.into_maps()
        };
        run("New-AzResourceGroup", serde_json::json!({"Name": "rg", "Location": "centralus"}));
        run(
            "New-AzKeyVault",
            serde_json::json!({"Name": "use-kv", "ResourceGroupName": "rg", "Location": "centralus"}),
        );
        let scope = serde_json::json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer"});
        run("New-AzRoleAssignment", scope);
        run("Add-AzKeyVaultKey", serde_json::json!({"VaultName": "use-kv", "Name": "k"}));
        let op = |operation: &str, value: &str| {
            let p = serde_json::json!({"VaultName": "use-kv", "Name": "k", "Operation": operation, "Algorithm": "RSA-OAEP-256", "ByteArrayValue": value});
            run("Invoke-AzKeyVaultKeyOperation", p)[0]["Result"].as_str().unwrap().to_string()
        };
        let wrapped = op("Wrap", "AAECAw==");
        assert_eq!(store.key_material.len(), 1, "the public key");
        op("Unwrap", &wrapped);
        assert_eq!(store.key_material.len(), 2, "and the private key");
        let version = store.data_version().unwrap();
        for _ in 0..3 {
            op("Unwrap", &wrapped);
            op("Wrap", "AAECAw==");
        }
        assert_eq!(store.data_version().unwrap(), version, "key uses left the data version alone");
        run("Remove-AzKeyVaultKey", serde_json::json!({"VaultName": "use-kv", "Name": "k"}));
        assert_ne!(store.data_version().unwrap(), version, "a change moves it");
        run("Remove-AzKeyVaultKey", serde_json::json!({"VaultName": "use-kv", "Name": "k", "InRemovedState": true}));
        assert_eq!(store.key_material.len(), 0, "a purge drops the unsealed keys");
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A read command on a quiet handle confirms the data version inside its
    /// own transaction: when another handle (another process) committed in
    /// between, what has come due still happens before the command reads.
    #[test]
    fn a_quiet_handle_still_sees_what_another_handle_made_due() {
        let dir = std::env::temp_dir().join(format!("ppcmk-quiet-{}", crate::crypto::new_guid()));
        let store = Store::open(&dir).unwrap();
        let other = Store::open(&dir).unwrap();
        let run = |store: &Store, command: &str, parameters: serde_json::Value| {
            let request = serde_json::json!({"command": command, "parameters": parameters});
            invoke_json(store, &request, Default::default()).unwrap().objects.into_maps()
        };
        run(&store, "New-AzResourceGroup", serde_json::json!({"Name": "rg", "Location": "centralus"}));
        run(
            &store,
            "New-AzKeyVault",
            serde_json::json!({"Name": "gone-kv", "ResourceGroupName": "rg", "Location": "centralus", "SoftDeleteRetentionInDays": 7}),
        );
        run(&store, "Remove-AzKeyVault", serde_json::json!({"VaultName": "gone-kv"}));
        for _ in 0..2 {
            assert_eq!(run(&store, "Get-AzKeyVault", serde_json::json!({"InRemovedState": true})).len(), 1);
        }
        assert!(
            crate::lifecycle::maintenance::quiet_version(&store).is_some(),
            "the handle is quiet: the next read takes the short way"
        );
        run(&other, "Set-PpCmkClock", serde_json::json!({"AdvanceDays": 8}));
        assert!(
            run(&store, "Get-AzKeyVault", serde_json::json!({"InRemovedState": true})).is_empty(),
            "the purge that came due ran before the read"
        );
        drop((store, other));
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The C ABI's text and the documented `Value` shape are the same JSON.
    #[test]
    fn response_text_is_response_json() {
        let object: Object =
            serde_json::from_value(serde_json::json!({"Name": "a\u{0}b", "N": 1, "L": [true, null]})).unwrap();
        let outcomes = [
            Ok(Outcome { objects: vec![object.clone()].into(), warnings: vec!["w".into()], gate: None }),
            Ok(Outcome {
                objects: Objects::Rows({
                    let mut rows = JsonRowsWriter::new(&["Name", "Kind"]);
                    rows.push(&[Cell::Text("a\u{0}b\"]"), Cell::Null]);
                    rows.push(&[Cell::Text("c"), Cell::Escaped(&JsonRowsWriter::escaped("d\\"))]);
                    rows.finish()
                }),
                warnings: vec!["w\"".into()],
                gate: Some(Gate { fail_on: "Warn".into(), rows: 1 }),
            }),
            Ok(Outcome {
                objects: vec![object].into(),
                warnings: vec![],
                gate: Some(Gate { fail_on: "Warn".into(), rows: 2 }),
            }),
            Ok(Outcome::default()),
            Err(Error::new(ErrorCode::NotFound, "gone").with_target("x")),
        ];
        for result in &outcomes {
            let text = response_text(result);
            assert_eq!(into_response_text(result.clone()), text, "the owned form writes the same text");
            assert!(!text.contains('\0'), "no interior NUL for the CString");
            assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), response_json(result), "{text}");
        }
    }
}
