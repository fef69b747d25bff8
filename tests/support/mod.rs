//! Helpers shared by the integration tests: temporary stores, the built
//! binaries, and a short way to invoke a command.
#![allow(dead_code)]

pub mod cmk;
pub mod harness;

use ppcmk::{ErrorCode, Store};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A folder removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let random: [u8; 8] = ppcmk::crypto::random_array();
        let path = std::env::temp_dir().join(format!("ppcmk-{label}-{}", ppcmk::crypto::hex(&random)));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The folder holding the built `ppcmk` binary and `libppcmk.so`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The built cdylib, checked to be newer than every source file: `cargo test`
/// does not build it, so a stale one would test old code.
pub fn fresh_cdylib() -> PathBuf {
    let lib = target_dir().join("libppcmk.so");
    fresh(&lib, &["src"], "run `cargo build --lib` before `cargo test` (scripts/test-all does both)");
    lib
}

/// The built `ppcmk` binary, checked to be newer than every source file of
/// the library and the CLI. It belongs to another package (crates/cli), so
/// `cargo test -p ppcmk` does not build it; `cargo test` at the root does
/// (the CLI's own test needs it), and so does `cargo build`.
pub fn ppcmk_exe() -> PathBuf {
    static CHECKED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let exe = target_dir().join(format!("ppcmk{}", std::env::consts::EXE_SUFFIX));
            let hint = "run `cargo build -p ppcmk-cli` (or `cargo build`) before `cargo test` (scripts/test-all does)";
            fresh(&exe, &["src", "crates/cli/src"], hint);
            exe
        })
        .clone()
}

/// Panics with `hint` unless `built` exists and is newer than every file
/// under the repository folders `sources`.
fn fresh(built: &Path, sources: &[&str], hint: &str) {
    let built_at = std::fs::metadata(built)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: {hint}", built.display()));
    let mut stack: Vec<PathBuf> = sources.iter().map(|s| repo_root().join(s)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::metadata(&path).unwrap().modified().unwrap() > built_at {
                panic!("{} is older than {}: {hint}", built.display(), path.display());
            }
        }
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the CLI with `PPCMK_HOME=home` and no inherited account override.
pub fn cli(home: &Path, args: &[&str]) -> Output {
    cli_as(home, None, args)
}

pub fn cli_as(home: &Path, account: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(ppcmk_exe());
    cmd.args(args).env("PPCMK_HOME", home).env_remove("PPCMK_ACCOUNT");
    if let Some(a) = account {
        cmd.env("PPCMK_ACCOUNT", a);
    }
    cmd.output().unwrap()
}

/// Splits a command line as a shell would for simple cases: on spaces,
/// keeping 'single-quoted' text together (quotes removed).
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            _ => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(current);
    }
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The bytes of the store's database and WAL files, as an attacker with a
/// copy of the folder (but not the master key) would have them.
pub fn store_file_bytes(home: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(home.join("ppcmk.db")).unwrap();
    bytes.extend(std::fs::read(home.join("ppcmk.db-wal")).unwrap_or_default());
    bytes
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// A store in a fresh temporary folder.
pub struct TestStore {
    pub dir: TempDir,
    pub store: Store,
}

impl TestStore {
    pub fn new() -> TestStore {
        let dir = TempDir::new("store");
        let store = Store::open(&dir.path().join("home")).unwrap();
        TestStore { dir, store }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Invokes as the signed-in account; returns the output objects or the error.
    pub fn run(&self, command: &str, params: Value) -> Result<Vec<Value>, ppcmk::Error> {
        self.run_as(None, command, params)
    }

    pub fn run_as(&self, account: Option<&str>, command: &str, params: Value) -> Result<Vec<Value>, ppcmk::Error> {
        let mut request = json!({ "command": command, "parameters": params });
        if let Some(a) = account {
            request["account"] = json!(a);
        }
        ppcmk::invoke_json(&self.store, &request, Default::default())
            .map(|o| o.objects.into_iter().map(Value::Object).collect())
    }

    /// Invokes and expects success.
    #[track_caller]
    pub fn ok(&self, command: &str, params: Value) -> Vec<Value> {
        self.run(command, params).unwrap_or_else(|e| panic!("{command} failed: {e}"))
    }

    #[track_caller]
    pub fn ok_as(&self, account: &str, command: &str, params: Value) -> Vec<Value> {
        self.run_as(Some(account), command, params).unwrap_or_else(|e| panic!("{command} as {account} failed: {e}"))
    }

    /// Invokes and expects the error `code`; returns its message.
    #[track_caller]
    pub fn fails(&self, code: ErrorCode, command: &str, params: Value) -> String {
        self.fails_as(None, code, command, params)
    }

    #[track_caller]
    pub fn fails_as(&self, account: Option<&str>, code: ErrorCode, command: &str, params: Value) -> String {
        match self.run_as(account, command, params) {
            Ok(objects) => panic!("{command} succeeded, expected {code}: {objects:?}"),
            Err(e) => {
                assert_eq!(e.code, code, "{command}: {e}");
                e.message
            }
        }
    }

    /// Runs raw SQL on the store's database through a connection of its own,
    /// as someone tampering with (or breaking) the file would.
    pub fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.home().join("ppcmk.db")).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Creates a user (as the Global Administrator) and returns its object id.
    pub fn user(&self, alias: &str) -> String {
        let upn = format!("{alias}@contoso.onmicrosoft.com");
        let out = self.ok("New-AzADUser", json!({"DisplayName": alias, "UserPrincipalName": upn}));
        out[0]["Id"].as_str().unwrap().to_string()
    }
}

pub fn upn(alias: &str) -> String {
    format!("{alias}@contoso.onmicrosoft.com")
}

/// `n` self-signed RSA certificates (PEM) with their private keys, made by
/// openssl in `dir`: the public keys a managed HSM's security domain is
/// encrypted to. Returns the certificate paths.
pub fn security_domain_certificates(dir: &Path, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            let cert = dir.join(format!("sd{i}.cer"));
            let key = dir.join(format!("sd{i}.key"));
            let out = std::process::Command::new("openssl")
                .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj"])
                .arg(format!("/CN=security-domain-{i}"))
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .output()
                .expect("openssl runs");
            assert!(out.status.success(), "openssl req: {}", String::from_utf8_lossy(&out.stderr));
            cert.display().to_string()
        })
        .collect()
}

/// Activates a managed HSM as Az does: downloads its security domain,
/// encrypted to three new certificates, quorum 2.
pub fn activate_hsm(t: &TestStore, hsm: &str) {
    let dir = TempDir::new("security-domain");
    let certificates = security_domain_certificates(dir.path(), 3);
    let output = dir.path().join("sd.ps.json");
    t.ok(
        "Export-AzKeyVaultSecurityDomain",
        serde_json::json!({"Name": hsm, "Certificates": certificates, "Quorum": 2, "OutputPath": output}),
    );
}
