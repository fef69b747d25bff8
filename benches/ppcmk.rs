//! ppcmk's benchmarks: `cargo bench --bench ppcmk [-- <section>...]`.
//! Sections: keyvault, encryption (PPCMK_BENCH_RECORDS sets its size, default 1,000,000), flows
//! (PPCMK_BENCH_FLOWS, default 100,000). Each prints a table of medians; figures come from
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
    if wanted("encryption") {
        encryption();
    }
    if wanted("flows") {
        flows();
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

// ------------------------------------------------------------------ encryption

/// Records for the link benchmark (`PPCMK_BENCH_RECORDS`, default 1,000,000).
fn bench_records() -> i64 {
    std::env::var("PPCMK_BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

const POLICY: &str =
    "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/bench/providers/Microsoft.PowerPlatform/enterprisePolicies/bench-policy";

/// A store with a vault, a key, a policy whose identity can use it, and a
/// managed environment holding `records` records of about 1 KiB.
struct Tenant {
    dir: std::path::PathBuf,
    store: ppcmk::Store,
    env: String,
}

impl Tenant {
    fn new(label: &str, records: i64) -> Tenant {
        let dir = std::env::temp_dir().join(format!("ppcmk-bench-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = ppcmk::Store::open(&dir).unwrap();
        let mut t = Tenant { dir, store, env: String::new() };
        t.run("New-AzResourceGroup", json!({"Name": "bench", "Location": "centralus"}));
        let vault = t.run("New-AzKeyVault", json!({"Name": "bench-kv", "ResourceGroupName": "bench", "Location": "centralus", "EnablePurgeProtection": true}));
        let vault_id = vault[0]["ResourceId"].as_str().unwrap().to_string();
        t.run("New-AzRoleAssignment", json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}));
        t.run("Add-AzKeyVaultKey", json!({"VaultName": "bench-kv", "Name": "cmk"}));
        t.run("Register-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}));
        let p = t.run("New-PpCmkEnterprisePolicy", json!({"ResourceGroup": "bench", "Name": "bench-policy", "Location": "unitedstates", "KeyVaultId": vault_id, "KeyName": "cmk"}));
        t.run("New-AzRoleAssignment", json!({"ObjectId": p[0]["PrincipalId"], "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": vault_id}));
        let e = t.run("New-AdminPowerAppEnvironment", json!({"DisplayName": "Bench", "Location": "unitedstates", "EnvironmentSku": "Production", "ProvisionDatabase": true}));
        let env = e[0]["EnvironmentName"].as_str().unwrap().to_string();
        t.run("Enable-PpCmkManagedEnvironment", json!({"EnvironmentName": env}));
        if records > 0 {
            t.run("New-PpCmkSampleData", json!({"EnvironmentName": env, "Records": records, "RecordSize": 1024}));
        }
        t.env = env;
        t
    }

    fn run(&self, command: &str, params: serde_json::Value) -> Vec<serde_json::Map<String, serde_json::Value>> {
        ppcmk::invoke_json(&self.store, &json!({"command": command, "parameters": params}), Default::default())
            .unwrap_or_else(|e| panic!("{command}: {e}"))
            .objects
    }

    /// Adds the environment to the policy in a child `ppcmk` process:
    /// (wall time, peak resident memory in bytes).
    #[allow(clippy::zombie_processes)] // reaped by wait4, which also reports its peak memory
    fn link_in_child(&self) -> (Duration, u64) {
        let started = Instant::now();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_ppcmk"))
            .args(["Add-PpCmkEnvironmentToEnterprisePolicy", "-EnvironmentName", &self.env, "-PolicyArmId", POLICY])
            .env("PPCMK_HOME", &self.dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (status, max_rss_kib) = wait_with_rusage(child.id() as i32);
        assert_eq!(status, 0, "the link failed");
        (started.elapsed(), max_rss_kib * 1024)
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits for a child and returns (exit status, peak RSS in KiB) from wait4.
fn wait_with_rusage(pid: i32) -> (i32, u64) {
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    (libc::WEXITSTATUS(status), usage.ru_maxrss as u64)
}

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn encryption() {
    let n = bench_records();
    println!("\n## Environment encryption: adding an environment of {n} x 1 KiB records to a policy\n");
    let load = Instant::now();
    let big = Tenant::new("big", n);
    let load_time = load.elapsed();
    let bytes = n as u64 * 1024;

    // Reference 1: raw AES-256-GCM sealing of the same number of 1 KiB records.
    let key = ppcmk::crypto::SymmetricKey::generate();
    let record = vec![0x5au8; 1024];
    let aes = Instant::now();
    for i in 0..n {
        std::hint::black_box(key.seal(&record, format!("aad-{i}").as_bytes()));
    }
    let aes_time = aes.elapsed();

    // Reference 2: sequential writes of the same bytes to the same disk, 1 MiB at a
    // time with fdatasync after each (the link commits about 1 MiB per batch).
    let disk = Instant::now();
    {
        use std::io::Write;
        let path = big.dir.join("raw-write.bin");
        let mut f = std::fs::File::create(&path).unwrap();
        let chunk = vec![0xa5u8; 1 << 20];
        let mut written = 0u64;
        while written < bytes {
            f.write_all(&chunk).unwrap();
            f.sync_data().unwrap();
            written += chunk.len() as u64;
        }
        drop(f);
        let _ = std::fs::remove_file(path);
    }
    let disk_time = disk.elapsed();

    let (link_time, link_rss) = big.link_in_child();
    let link = mb_per_s(bytes, link_time);
    let limit = mb_per_s(bytes, aes_time).min(mb_per_s(bytes, disk_time));
    println!("| measure | value |");
    println!("|---|---:|");
    println!("| loading the records (New-PpCmkSampleData) | {:.1} s |", load_time.as_secs_f64());
    println!("| raw AES-256-GCM, same bytes | {:.0} MB/s |", mb_per_s(bytes, aes_time));
    println!("| raw sequential write + fdatasync per MiB, same bytes | {:.0} MB/s |", mb_per_s(bytes, disk_time));
    println!(
        "| link re-encryption (whole operation, child process) | {:.0} MB/s ({:.1} s) |",
        link,
        link_time.as_secs_f64()
    );
    println!(
        "| link vs the smaller limit (target >= 50 %) | {:.0} % — {} |",
        100.0 * link / limit,
        if link >= 0.5 * limit { "met" } else { "not met" }
    );

    // Key-version rotation: re-wrap cost against data size.
    let small = Tenant::new("small", 1000);
    small.link_in_child();
    let rewrap = |t: &Tenant| {
        t.run("Invoke-AzKeyVaultKeyRotation", json!({"VaultName": "bench-kv", "Name": "cmk"}));
        let started = Instant::now();
        let events = t.run("Invoke-PpCmkMaintenance", json!({}));
        let d = started.elapsed();
        assert!(events.iter().any(|e| e["Action"] == "RewrapEnvironmentKeys"), "{events:?}");
        d
    };
    let (r_small, r_big) = (rewrap(&small), rewrap(&big));
    let ratio = r_big.as_secs_f64() / r_small.as_secs_f64();
    println!("| re-wrap after a key rotation, 1,000 records | {:.1} ms |", r_small.as_secs_f64() * 1000.0);
    println!("| re-wrap after a key rotation, {n} records | {:.1} ms |", r_big.as_secs_f64() * 1000.0);
    println!("| re-wrap ratio (target <= 1.5x) | {ratio:.2}x — {} |", if ratio <= 1.5 { "met" } else { "not met" });

    // Peak memory of the link, flat in data size.
    let medium = Tenant::new("medium", n / 10);
    let (_, medium_rss) = medium.link_in_child();
    let mem_ratio = link_rss as f64 / medium_rss as f64;
    println!("| peak memory of the link, {} records | {:.1} MiB |", n / 10, medium_rss as f64 / 1048576.0);
    println!("| peak memory of the link, {n} records | {:.1} MiB |", link_rss as f64 / 1048576.0);
    println!(
        "| peak memory ratio (target <= 1.2x) | {mem_ratio:.2}x — {} |",
        if mem_ratio <= 1.2 { "met" } else { "not met" }
    );
}

fn bench_flows() -> i64 {
    std::env::var("PPCMK_BENCH_FLOWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

fn flows() {
    let n = bench_flows();
    println!("\n## Power Automate: Get-AdminFlowEncryptedByMicrosoftKey over an environment of {n} flows\n");
    println!(
        "(sample mix: one flow in a thousand each with an HTTP, a Teams and a non-solution Power Apps v1 trigger)\n"
    );
    let t = Tenant::new("flows", 0);
    let load = Instant::now();
    t.run("New-PpCmkSampleData", json!({"EnvironmentName": t.env, "Flows": n}));
    let load_time = load.elapsed();
    let in_process = |switch: bool| -> (Duration, usize) {
        let params = json!({"EnvironmentName": t.env, "ListCannotMigrateToCustomerManagedKey": switch});
        let rows = t.run("Get-AdminFlowEncryptedByMicrosoftKey", params.clone()).len();
        (
            time_it(5, Duration::from_secs(3), || drop(t.run("Get-AdminFlowEncryptedByMicrosoftKey", params.clone()))),
            rows,
        )
    };
    let cli = |switch: bool| -> Duration {
        let mut samples = Vec::new();
        for _ in 0..7 {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ppcmk"));
            cmd.args(["Get-AdminFlowEncryptedByMicrosoftKey", "-EnvironmentName", &t.env]).env("PPCMK_HOME", &t.dir);
            if switch {
                cmd.arg("-ListCannotMigrateToCustomerManagedKey");
            }
            let started = Instant::now();
            let out = cmd.stdout(std::process::Stdio::null()).status().unwrap();
            samples.push(started.elapsed());
            assert!(out.success());
        }
        median(samples)
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let verdict = |d: Duration, target_ms: f64| if ms(d) <= target_ms { "met" } else { "not met" };
    println!("| measure | rows | value | target |");
    println!("|---|---:|---:|---|");
    println!("| loading the flows (New-PpCmkSampleData -Flows) | {n} | {:.1} s | |", load_time.as_secs_f64());
    let (d, rows) = in_process(false);
    println!("| before CMK, all flows, in process | {rows} | {:.1} ms | |", ms(d));
    let (d, rows) = in_process(true);
    println!("| before CMK, -ListCannotMigrateToCustomerManagedKey, in process | {rows} | {:.1} ms | |", ms(d));
    let d = cli(true);
    println!("| before CMK, -ListCannotMigrateToCustomerManagedKey, whole CLI process | {rows} | {:.1} ms | |", ms(d));
    t.link_in_child();
    for switch in [false, true] {
        let (d, rows) = in_process(switch);
        let label = if switch { "-ListCannotMigrateToCustomerManagedKey" } else { "all flows on the MMK" };
        println!("| after CMK, {label}, in process | {rows} | {:.1} ms | <= 50 ms — {} |", ms(d), verdict(d, 50.0));
        let d = cli(switch);
        println!(
            "| after CMK, {label}, whole CLI process | {rows} | {:.1} ms | <= 100 ms — {} |",
            ms(d),
            verdict(d, 100.0)
        );
    }
}
