//! ppcmk's benchmarks: `cargo bench --bench ppcmk [-- <section>...]`.
//! Sections: keyvault. Each prints a table of medians; figures come from
//! this run on this machine, never from a constant.

use ppcmk::crypto::rsa::{OaepAlgorithm, PrivateKey};
use serde_json::json;
use std::time::{Duration, Instant};

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    println!(
        "ppcmk benchmarks ({} build, {} cores)",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        cores()
    );
    if wanted("keyvault") {
        keyvault();
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `f` until `budget` is spent (at least `min` times); returns the median time per call.
fn time_it(min: usize, budget: Duration, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < min || started.elapsed() < budget {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
        if samples.len() >= 100_000 {
            break;
        }
    }
    median(samples)
}

fn per_second(d: Duration) -> f64 {
    1.0 / d.as_secs_f64()
}

fn keyvault() {
    println!("\n## Key vault: RSA key generation and RSA-OAEP-256 wrap/unwrap of a 32-byte DEK\n");
    println!("| operation | 2048 | 3072 | 4096 |");
    println!("|---|---:|---:|---:|");
    let sizes = [2048usize, 3072, 4096];
    let mut keys = Vec::new();
    let mut row = Vec::new();
    for (bits, runs) in [(2048, 9), (3072, 5), (4096, 3)] {
        let mut last = None;
        let d = time_it(runs, Duration::from_millis(1), || last = Some(PrivateKey::generate(bits).unwrap()));
        keys.push(last.unwrap());
        row.push(format!("{:.0} ms", d.as_secs_f64() * 1000.0));
    }
    println!("| key generation (median) | {} |", row.join(" | "));
    let dek = [7u8; 32];
    let mut wraps = Vec::new();
    let mut unwraps = Vec::new();
    for key in &keys {
        let public = key.public_key();
        let wrapped = public.wrap_key(OaepAlgorithm::RsaOaep256, &dek).unwrap();
        wraps.push(time_it(50, Duration::from_millis(500), || {
            public.wrap_key(OaepAlgorithm::RsaOaep256, &dek).unwrap();
        }));
        unwraps.push(time_it(20, Duration::from_millis(500), || {
            key.unwrap_key(OaepAlgorithm::RsaOaep256, &wrapped).unwrap();
        }));
    }
    let fmt = |v: &[Duration]| v.iter().map(|d| format!("{:.0}/s", per_second(*d))).collect::<Vec<_>>().join(" | ");
    println!("| wrap, raw RSA | {} |", fmt(&wraps));
    println!("| unwrap (blinded), raw RSA | {} |", fmt(&unwraps));

    // The same through the vault: authorisation, unsealing, audit, one transaction per call.
    let dir = std::env::temp_dir().join(format!("ppcmk-bench-{}", std::process::id()));
    let store = ppcmk::Store::open(&dir).unwrap();
    let run = |command: &str, params: serde_json::Value| {
        ppcmk::invoke_json(&store, &json!({"command": command, "parameters": params}), Default::default()).unwrap()
    };
    run("New-AzResourceGroup", json!({"Name": "bench", "Location": "centralus"}));
    let vault = run(
        "New-AzKeyVault",
        json!({"Name": "bench-kv", "ResourceGroupName": "bench", "Location": "centralus", "EnablePurgeProtection": true}),
    );
    let vault_id = vault.objects[0]["ResourceId"].as_str().unwrap().to_string();
    run(
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}),
    );
    let mut vault_wraps = Vec::new();
    let mut vault_unwraps = Vec::new();
    for bits in sizes {
        let name = format!("k{bits}");
        run("Add-AzKeyVaultKey", json!({"VaultName": "bench-kv", "Name": name, "Size": bits}));
        let op = |operation: &str, value: &str| {
            run(
                "Invoke-AzKeyVaultKeyOperation",
                json!({"VaultName": "bench-kv", "Name": name, "Operation": operation, "Algorithm": "RSA-OAEP-256", "ByteArrayValue": value}),
            )
        };
        let wrapped = op("Wrap", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=").objects[0]["Result"]
            .as_str()
            .unwrap()
            .to_string();
        vault_wraps.push(time_it(20, Duration::from_millis(500), || {
            op("Wrap", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");
        }));
        vault_unwraps.push(time_it(10, Duration::from_millis(500), || {
            op("Unwrap", &wrapped);
        }));
    }
    println!("| wrap through the vault (command) | {} |", fmt(&vault_wraps));
    println!("| unwrap through the vault (command) | {} |", fmt(&vault_unwraps));
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
}
