//! Key vault: RSA key generation, and RSA-OAEP-256 wrap/unwrap of a 32-byte
//! DEK through the vault's command beside the same operation on the raw key.

use crate::report::{thousands, Report, Row, Section, Target};
use crate::{ms, time_it, time_paired};
use ppcmk::crypto::rsa::{OaepAlgorithm, PrivateKey};
use serde_json::json;
use std::time::Duration;

const SIZES: [usize; 3] = [2048, 3072, 4096];

pub fn run(report: &mut Report) {
    crate::step("keyvault");
    let mut section = Section::new(
        "Key vault",
        "Key vault: RSA keys and DEK wrapping",
        "RSA key generation, and RSA-OAEP-256 wrap/unwrap of a 32-byte DEK. Through the vault means the \
         `Invoke-AzKeyVaultKeyOperation` command in process: authorisation on every call, the key version's \
         material (unsealed once per handle, then cached), an audit entry and one transaction per call, \
         the entry group-committed (fsynced within 50 ms, docs/performance.md); its reference is the same \
         operation on a raw key of the same size, the two timed in alternation (one call each, in turn; \
         medians). Targets (issue 16) for RSA 2048: wrap ≥ 50 % and unwrap ≥ 85 % of the raw \
         operation.",
    );
    let mut raw_keys = Vec::new();
    for (bits, runs) in [(2048, 9), (3072, 5), (4096, 3)] {
        let mut last = None;
        let d = time_it(runs, Duration::from_millis(1), || last = Some(PrivateKey::generate(bits).unwrap()));
        section.row(Row::new(
            format!("RSA {bits} key generation (median of {runs})"),
            format!("{} ms", thousands(ms(d).round() as u64)),
        ));
        raw_keys.push(last.unwrap());
    }

    let dir = std::env::temp_dir().join(format!("ppcmk-bench-keyvault-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = ppcmk::Store::open(&dir).unwrap();
    let run = |command: &str, params: serde_json::Value| {
        ppcmk::invoke_json(&store, &json!({"command": command, "parameters": params}), Default::default()).unwrap()
    };
    run("New-AzResourceGroup", json!({"Name": "bench", "Location": "centralus"}));
    let vault = run(
        "New-AzKeyVault",
        json!({"Name": "bench-kv", "ResourceGroupName": "bench", "Location": "centralus", "EnablePurgeProtection": true}),
    );
    let vault_id = vault.objects.first().unwrap()["ResourceId"].as_str().unwrap().to_string();
    run(
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}),
    );
    let rate = |d: Duration| 1.0 / d.as_secs_f64();
    let dek = [7u8; 32];
    for (bits, key) in SIZES.into_iter().zip(raw_keys) {
        let name = format!("k{bits}");
        run("Add-AzKeyVaultKey", json!({"VaultName": "bench-kv", "Name": name, "Size": bits}));
        // Requests built once, as the listing's are: what is timed is the engine's work.
        let request = |operation: &str, value: &str| {
            json!({"command": "Invoke-AzKeyVaultKeyOperation", "parameters": {"VaultName": "bench-kv", "Name": name,
                   "Operation": operation, "Algorithm": "RSA-OAEP-256", "ByteArrayValue": value}})
        };
        let op = |request: &serde_json::Value| ppcmk::invoke_json(&store, request, Default::default()).unwrap();
        let wrap_request = request("Wrap", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");
        let wrapped = op(&wrap_request).objects.first().unwrap()["Result"].as_str().unwrap().to_string();
        let unwrap_request = request("Unwrap", &wrapped);
        // Each beside the same operation on a raw key of the same size, in alternation.
        let public = key.public_key();
        let raw_wrapped = public.wrap_key(OaepAlgorithm::RsaOaep256, &dek).unwrap();
        let (wrap, raw_wrap) = time_paired(
            20,
            Duration::from_millis(1000),
            || drop(op(&wrap_request)),
            || drop(public.wrap_key(OaepAlgorithm::RsaOaep256, &dek).unwrap()),
        );
        let (unwrap, raw_unwrap) = time_paired(
            10,
            Duration::from_millis(1000),
            || drop(op(&unwrap_request)),
            || drop(key.unwrap_key(OaepAlgorithm::RsaOaep256, &raw_wrapped).unwrap()),
        );
        for (what, vault, raw, target) in
            [("wrap", wrap, raw_wrap, 0.50), ("unwrap (blinded)", unwrap, raw_unwrap, 0.85)]
        {
            let share = rate(vault) / rate(raw);
            let row = Row::new(
                format!("RSA {bits} {what} through the vault"),
                format!("{}/s", thousands(rate(vault).round() as u64)),
            )
            .reference(format!("raw RSA: {}/s", thousands(rate(raw).round() as u64)))
            .ratio(format!("{:.0} %", 100.0 * share));
            section.row(match bits {
                2048 => row.target(Target::at_least(share, target, format!("≥ {:.0} % of raw", 100.0 * target))),
                _ => row,
            });
        }
    }
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
    report.add(section);
}
