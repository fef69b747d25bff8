//! A driver for profiling a command under callgrind (docs/performance.md):
//! opens a store, warms it up, then runs the command N times through the
//! engine's Rust entry, and with `--text` also serialises the response as
//! the C ABI does.
//!
//! cargo build --release --example profile_invoke
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!   --toggle-collect='profile_invoke::measured' target/release/examples/profile_invoke Get-AzContext 200
//!
//! Arguments: `<command> [calls] [parameters as JSON] [--text]`. With
//! `PPCMK_HOME` set, the command runs on that existing store (kept);
//! otherwise on a fresh store in the temporary folder (removed).
//!
//! `Wrap` or `Unwrap` instead of a command name runs `Invoke-AzKeyVaultKeyOperation`
//! with RSA-OAEP-256 on a 32-byte value, against an RSA 2048 key (or the size
//! given as the third argument) in a vault set up first, as the bench does.

use serde_json::{json, Value};
use std::hint::black_box;

/// What callgrind collects (`--toggle-collect`): the warm-up runs outside it.
#[inline(never)]
fn measured(store: &ppcmk::Store, request: &Value, calls: usize, text: bool) {
    repeat(store, request, calls, text)
}

#[inline(never)]
fn repeat(store: &ppcmk::Store, request: &Value, calls: usize, text: bool) {
    for _ in 0..calls {
        let outcome = ppcmk::invoke_json(store, request, ppcmk::InvokeOptions::default());
        if let Err(e) = &outcome {
            panic!("the command failed: {e:?}");
        }
        if text {
            // As the C ABI does.
            black_box(ppcmk::into_response_text(outcome));
        } else {
            drop(black_box(outcome));
        }
    }
}

fn run(store: &ppcmk::Store, command: &str, parameters: Value) -> ppcmk::Outcome {
    ppcmk::invoke_json(store, &json!({"command": command, "parameters": parameters}), Default::default())
        .unwrap_or_else(|e| panic!("{command}: {e:?}"))
}

/// The request of a key operation on a fresh RSA key of `bits`.
fn key_operation(store: &ppcmk::Store, operation: &str, bits: u64) -> Value {
    run(store, "New-AzResourceGroup", json!({"Name": "profile", "Location": "centralus"}));
    let vault = run(
        store,
        "New-AzKeyVault",
        json!({"Name": "profile-kv", "ResourceGroupName": "profile", "Location": "centralus"}),
    );
    let scope = vault.objects.get(0, "ResourceId").and_then(Value::as_str).expect("a vault id").to_string();
    run(
        store,
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": scope}),
    );
    run(store, "Add-AzKeyVaultKey", json!({"VaultName": "profile-kv", "Name": "k", "Size": bits}));
    let request = |operation: &str, value: &str| {
        json!({"command": "Invoke-AzKeyVaultKeyOperation", "parameters": {
            "VaultName": "profile-kv", "Name": "k", "Operation": operation,
            "Algorithm": "RSA-OAEP-256", "ByteArrayValue": value}})
    };
    let dek = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    if operation == "Wrap" {
        return request("Wrap", dek);
    }
    let wrapped = ppcmk::invoke_json(store, &request("Wrap", dek), Default::default()).expect("wrapping");
    request("Unwrap", wrapped.objects.get(0, "Result").and_then(Value::as_str).expect("a result"))
}

fn main() {
    let text = std::env::args().any(|a| a == "--text");
    let mut args = std::env::args().skip(1).filter(|a| a != "--text");
    let command = args.next().unwrap_or_else(|| "Get-AzContext".into());
    let calls: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let third = args.next();
    let (dir, keep) = match std::env::var_os("PPCMK_HOME") {
        Some(home) => (std::path::PathBuf::from(home), true),
        None => (std::env::temp_dir().join(format!("ppcmk-profile-{}", std::process::id())), false),
    };
    let store = ppcmk::Store::open(&dir).expect("opening the store");
    let request = match command.as_str() {
        "Wrap" | "Unwrap" => {
            let bits = third.and_then(|n| n.parse().ok()).unwrap_or(2048);
            key_operation(&store, &command, bits)
        }
        _ => {
            let parameters: Value = third
                .map(|p| serde_json::from_str(&p).expect("parameters must be a JSON object"))
                .unwrap_or_else(|| json!({}));
            json!({"command": command, "parameters": parameters})
        }
    };
    repeat(&store, &request, 5.min(calls), text); // warm-up: bootstrap, caches
    let started = std::time::Instant::now();
    measured(&store, &request, calls, text);
    eprintln!("{command}: {:.1} µs per call", started.elapsed().as_secs_f64() * 1e6 / calls as f64);
    drop(store);
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
