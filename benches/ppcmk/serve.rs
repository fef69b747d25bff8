//! `ppcmk serve` against Microsoft's JavaScript SDK: RSA-OAEP-256 unwraps
//! through `@azure/keyvault-keys`' CryptographyClient with 1 and 8
//! concurrent clients beside the same unwrap in process, and
//! `GET /keys/{name}` with 8 concurrent clients beside a trivial route of the
//! same server (its floor), with the throttle off. The client is
//! `benches/ppcmk/serve.mjs`, run by Node from `target/sdk-node`, where
//! `scripts/test-sdk` installs the SDKs; without them the rows say so.

use crate::report::{thousands, Report, Row, Section, Target};
use serde_json::{json, Value};
use std::io::BufRead;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Seconds each measure runs (`PPCMK_BENCH_SERVE_SECONDS`, default 5).
fn seconds() -> u64 {
    crate::size_from_env("PPCMK_BENCH_SERVE_SECONDS", 5).max(1) as u64
}

pub fn run(report: &mut Report) {
    crate::step("serve");
    let mut section = Section::new(
        "Serve",
        "REST: ppcmk serve under Microsoft's JavaScript SDK",
        "RSA 2048 RSA-OAEP-256 unwraps of a 32-byte key through `@azure/keyvault-keys`' `CryptographyClient` \
         against `ppcmk serve -Throttle Off` (HTTPS, a token check, the `Invoke-AzKeyVaultKeyOperation` \
         command, an audit entry), beside the same command in process; and `GET /keys/{name}` with 8 \
         concurrent keep-alive clients beside `GET /ppcmk/health` of the same server, the floor of its \
         HTTPS and dispatch. Latencies are per request, seen by the client; the client (Node) shares the \
         machine's cores with the server.",
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sdk = root.join("target/sdk-node");
    let node = which("node");
    if node.is_none() || !sdk.join("node_modules/@azure/keyvault-keys").is_dir() {
        section.note(
            "Not measured: Node or the Azure SDKs are missing (run `scripts/test-sdk` once to install them into target/sdk-node).",
        );
        section.row(
            Row::new("Unwrap through the JS SDK against serve", "—")
                .target(Target::not_measured("Node and @azure/keyvault-keys (scripts/test-sdk)")),
        );
        report.add(section);
        return;
    }

    let dir = std::env::temp_dir().join(format!("ppcmk-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = ppcmk::Store::open(&dir).unwrap();
    let run = |command: &str, params: Value| {
        ppcmk::invoke_json(&store, &json!({"command": command, "parameters": params}), Default::default())
            .unwrap_or_else(|e| panic!("{command}: {e}"))
            .objects
            .into_maps()
    };
    run("New-AzResourceGroup", json!({"Name": "bench", "Location": "centralus"}));
    let vault =
        run("New-AzKeyVault", json!({"Name": "bench-kv", "ResourceGroupName": "bench", "Location": "centralus"}));
    let vault_id = vault[0]["ResourceId"].as_str().unwrap().to_string();
    run(
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}),
    );
    run("Add-AzKeyVaultKey", json!({"VaultName": "bench-kv", "Name": "k2048", "Size": 2048}));
    let dek = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    let op = |operation: &str, value: &str| {
        run(
            "Invoke-AzKeyVaultKeyOperation",
            json!({"VaultName": "bench-kv", "Name": "k2048", "Operation": operation, "Algorithm": "RSA-OAEP-256", "ByteArrayValue": value}),
        )
    };
    let wrapped = op("Wrap", dek)[0]["Result"].as_str().unwrap().to_string();

    // The in-process reference: the same command, one caller, for the same time.
    let mut latencies = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(seconds()) {
        let t = Instant::now();
        drop(op("Unwrap", &wrapped));
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let in_process = Stats::of(latencies, started.elapsed().as_secs_f64());
    drop(store);

    let (port, token_port) = (free_port(), free_port());
    let mut server = std::process::Command::new(crate::ppcmk_exe())
        .args(["serve", "-Port", &port.to_string(), "-TokenPort", &token_port.to_string(), "-Throttle", "Off"])
        .env("PPCMK_HOME", &dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starting ppcmk serve");
    let mut lines = std::io::BufReader::new(server.stdout.take().unwrap()).lines();
    assert!(lines.any(|l| l.is_ok_and(|l| l.contains("Press Ctrl+C"))), "ppcmk serve did not start");
    std::thread::spawn(move || lines.for_each(drop));

    std::fs::copy(root.join("benches/ppcmk/serve.mjs"), sdk.join("bench-serve.mjs")).unwrap();
    let key_id = format!("https://bench-kv.vault.localhost:{port}/keys/k2048");
    let out = std::process::Command::new(node.unwrap())
        .arg("bench-serve.mjs")
        .current_dir(&sdk)
        .env("NODE_EXTRA_CA_CERTS", dir.join("serve/ca.pem"))
        .env("AZURE_POD_IDENTITY_AUTHORITY_HOST", format!("http://127.0.0.1:{token_port}"))
        .env("PPCMK_SERVE_PORT", port.to_string())
        .env("PPCMK_BENCH_SECONDS", seconds().to_string())
        .env("PPCMK_BENCH_KEY_ID", &key_id)
        .env("PPCMK_BENCH_WRAPPED", &wrapped)
        .output()
        .expect("running node");
    // SAFETY: a signal to the child this function started and still owns.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "benches/ppcmk/serve.mjs failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let result: Value = serde_json::from_slice(out.stdout.trim_ascii()).expect("the client's JSON");
    let stat = |k: &str| Stats::from_json(&result[k]);

    for clients in [1, 8] {
        let sdk = stat(&format!("unwrap{clients}"));
        section.row(
            Row::new(format!("RSA 2048 unwrap through the JS SDK, {clients} client(s)"), sdk.text())
                .reference(format!("in process: {}", in_process.text()))
                .ratio(format!("{:.0} %", 100.0 * sdk.ops / in_process.ops)),
        );
    }
    let (get, floor) = (stat("getKey8"), stat("health8"));
    section.row(
        Row::new("`GET /keys/{name}`, 8 clients, throttle off", get.text())
            .reference(format!("`GET /ppcmk/health`: {}", floor.text()))
            .ratio(format!("{:.0} %", 100.0 * get.ops / floor.ops)),
    );
    report.add(section);
}

struct Stats {
    ops: f64,
    p50: f64,
    p99: f64,
}

impl Stats {
    fn of(mut ms: Vec<f64>, secs: f64) -> Stats {
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((q * ms.len() as f64) as usize).min(ms.len() - 1)];
        Stats { ops: ms.len() as f64 / secs, p50: at(0.5), p99: at(0.99) }
    }

    fn from_json(v: &Value) -> Stats {
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        Stats { ops: f("ops"), p50: f("p50"), p99: f("p99") }
    }

    fn text(&self) -> String {
        format!("{}/s (p50 {:.2} ms, p99 {:.2} ms)", thousands(self.ops.round() as u64), self.p50, self.p99)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join(program)).find(|p| p.is_file())
}
