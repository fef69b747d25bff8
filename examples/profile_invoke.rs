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
//! with RSA-OAEP-256 on a 32-byte value, against a key of a vault set up
//! first as the bench does (parameters `{"Size": 3072}` for another size).

use std::hint::black_box;

/// What callgrind collects (`--toggle-collect`): the warm-up runs outside it.
#[inline(never)]
fn measured(store: &ppcmk::Store, request: &serde_json::Value, calls: usize, text: bool) {
    run(store, request, calls, text)
}

#[inline(never)]
fn run(store: &ppcmk::Store, request: &serde_json::Value, calls: usize, text: bool) {
    for _ in 0..calls {
        let outcome = ppcmk::invoke_json(store, request, ppcmk::InvokeOptions::default());
        if text {
            black_box(ppcmk::surface::response_text(&outcome));
        }
        black_box(outcome.expect("the command failed"));
    }
}

fn setup(store: &ppcmk::Store, command: &str, parameters: serde_json::Value) -> ppcmk::Outcome {
    let setup = serde_json::json!({"command": command, "parameters": parameters});
    ppcmk::invoke_json(store, &setup, Default::default()).unwrap_or_else(|e| panic!("{command}: {e:?}"))
}

/// The request of a key operation on a fresh RSA key of `size` bits.
fn key_operation(store: &ppcmk::Store, operation: &str, size: u64) -> serde_json::Value {
    use serde_json::json;
    setup(store, "New-AzResourceGroup", json!({"Name": "profile", "Location": "centralus"}));
    let vault = setup(
        store,
        "New-AzKeyVault",
        json!({"Name": "profile-kv", "ResourceGroupName": "profile", "Location": "centralus"}),
    );
    let scope = vault.objects[0]["ResourceId"].as_str().expect("a vault id").to_string();
    setup(
        store,
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": scope}),
    );
    setup(store, "Add-AzKeyVaultKey", json!({"VaultName": "profile-kv", "Name": "k", "Size": size}));
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
    request("Unwrap", wrapped.objects[0]["Result"].as_str().expect("a result"))
}

fn main() {
    let text = std::env::args().any(|a| a == "--text");
    let mut args = std::env::args().skip(1).filter(|a| a != "--text");
    let command = args.next().unwrap_or_else(|| "Get-AzContext".into());
    let calls: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let parameters: serde_json::Value =
        args.next().map(|p| serde_json::from_str(&p).expect("parameters must be a JSON object")).unwrap_or_default();
    let (dir, keep) = match std::env::var_os("PPCMK_HOME") {
        Some(home) => (std::path::PathBuf::from(home), true),
        None => (std::env::temp_dir().join(format!("ppcmk-profile-{}", std::process::id())), false),
    };
    let store = ppcmk::Store::open(&dir).expect("opening the store");
    let request = match command.as_str() {
        "Wrap" | "Unwrap" => {
            key_operation(&store, &command, parameters.get("Size").and_then(|s| s.as_u64()).unwrap_or(2048))
        }
        _ => serde_json::json!({"command": command, "parameters": parameters}),
    };
    run(&store, &request, 5.min(calls), text); // warm-up: bootstrap, caches
    let started = std::time::Instant::now();
    measured(&store, &request, calls, text);
    eprintln!("{command}: {:.1} µs per call", started.elapsed().as_secs_f64() * 1e6 / calls as f64);
    drop(store);
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
