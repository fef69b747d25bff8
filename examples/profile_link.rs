//! A driver for profiling the link's re-encryption (docs/performance.md,
//! "Link re-encryption"): `prepare` builds a store like the bench's tenant
//! (a vault, an RSA 2048 key, a policy, a managed environment with N records
//! of 1 KiB); `link` adds the environment to the policy in process, inside
//! `measured`, so that callgrind can collect only the link.
//!
//! cargo build --release --example profile_link
//! target/release/examples/profile_link prepare /tmp/ppcmk-link 100000
//! cp -a /tmp/ppcmk-link /tmp/ppcmk-link-run   # the link changes the store
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg-link.out \
//!   --toggle-collect='profile_link::measured' target/release/examples/profile_link link /tmp/ppcmk-link-run

use serde_json::{json, Value};
use std::path::Path;

const POLICY: &str = "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/bench/providers/Microsoft.PowerPlatform/enterprisePolicies/bench-policy";

fn run(store: &ppcmk::Store, command: &str, params: Value) -> Vec<serde_json::Map<String, Value>> {
    ppcmk::invoke_json(store, &json!({"command": command, "parameters": params}), Default::default())
        .unwrap_or_else(|e| panic!("{command}: {e}"))
        .objects
        .into_maps()
}

fn prepare(dir: &Path, records: i64) {
    let _ = std::fs::remove_dir_all(dir);
    let store = ppcmk::Store::open(dir).expect("opening the store");
    let t = &store;
    run(t, "New-AzResourceGroup", json!({"Name": "bench", "Location": "centralus"}));
    let vault = run(
        t,
        "New-AzKeyVault",
        json!({"Name": "bench-kv", "ResourceGroupName": "bench", "Location": "centralus", "EnablePurgeProtection": true}),
    );
    let vault_id = vault[0]["ResourceId"].as_str().unwrap().to_string();
    run(
        t,
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}),
    );
    run(t, "Add-AzKeyVaultKey", json!({"VaultName": "bench-kv", "Name": "cmk"}));
    run(t, "Register-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}));
    let p = run(
        t,
        "New-PpCmkEnterprisePolicy",
        json!({"ResourceGroup": "bench", "Name": "bench-policy", "Location": "unitedstates", "KeyVaultId": vault_id, "KeyName": "cmk"}),
    );
    run(
        t,
        "New-AzRoleAssignment",
        json!({"ObjectId": p[0]["PrincipalId"], "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": vault_id}),
    );
    let e = run(
        t,
        "New-AdminPowerAppEnvironment",
        json!({"DisplayName": "Bench", "Location": "unitedstates", "EnvironmentSku": "Production", "ProvisionDatabase": true}),
    );
    let env = e[0]["EnvironmentName"].as_str().unwrap().to_string();
    run(t, "Enable-PpCmkManagedEnvironment", json!({"EnvironmentName": env}));
    run(t, "New-PpCmkSampleData", json!({"EnvironmentName": env, "Records": records, "RecordSize": 1024}));
    std::fs::write(dir.join("environment.txt"), &env).expect("writing environment.txt");
    println!("{env}");
}

#[inline(never)]
fn measured(store: &ppcmk::Store, env: &str, command: &str) {
    run(store, command, json!({"EnvironmentName": env, "PolicyArmId": POLICY}));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(args.get(1).map(String::as_str).unwrap_or("/tmp/ppcmk-link"));
    match args.first().map(String::as_str) {
        Some("prepare") => prepare(dir, args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100_000)),
        Some(verb @ ("link" | "unlink")) => {
            let env = std::fs::read_to_string(dir.join("environment.txt")).expect("a prepared store");
            let store = ppcmk::Store::open(dir).expect("opening the store");
            let command = if verb == "link" {
                "Add-PpCmkEnvironmentToEnterprisePolicy"
            } else {
                "Remove-PpCmkEnvironmentFromEnterprisePolicy"
            };
            let started = std::time::Instant::now();
            measured(&store, env.trim(), command);
            eprintln!("{command}: {:.2} s", started.elapsed().as_secs_f64());
        }
        _ => eprintln!("usage: profile_link prepare <dir> [records] | link <dir> | unlink <dir>"),
    }
}
