//! ppcmk's benchmark suite: `cargo bench --bench ppcmk [-- <section>...]`.
//!
//! One run measures every performance figure, each beside a reference measured
//! in the same run (raw RSA, raw AES-GCM, raw disk writes, SQLCipher's
//! `PRAGMA rekey`, a Python `cryptography` envelope script, the Rust entry
//! point), judges each target from the numbers and, when every section ran,
//! writes BENCHMARKS.md at the repository root with the machine's description.
//!
//! Sections: keyvault, encryption, abi, flows, powershell, serve. Environment variables:
//! - `PPCMK_BENCH_RECORDS`: records of 1 KiB in the link benchmark (default 1,000,000);
//! - `PPCMK_BENCH_FLOWS`: flows in the flows benchmark (default 100,000);
//! - `PPCMK_BENCH_SERVE_SECONDS`: seconds of each measure of the serve section (default 5);
//! - `PPCMK_BENCH_OUTPUT`: where to write the report instead (also for a partial run);
//! - `PPCMK_BENCH_SQLCIPHER`, `PPCMK_BENCH_PYTHON`: the reference programs (default `sqlcipher`, `python3`).

mod abi;
mod encryption;
mod flows;
mod keyvault;
mod machine;
mod powershell;
mod report;
mod serve;

use report::{thousands, Report};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A section's name (what `-- <filter>` matches) and the function that measures it.
type Section = (&'static str, fn(&mut Report));

fn main() {
    if std::env::args().nth(1).as_deref() == Some(PEAK_RSS_LAUNCHER) {
        launch_and_report_peak_rss(std::env::args().skip(2).collect());
    }
    let started = *RUN_STARTED;
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    let sections: [Section; 6] = [
        ("keyvault", keyvault::run),
        ("encryption", encryption::run),
        ("abi", abi::run),
        ("flows", flows::run),
        ("powershell", powershell::run),
        ("serve", serve::run),
    ];
    // Described before the run, so the load average is the one the run started with.
    let machine = machine::describe();
    println!("# ppcmk benchmarks\n\n{machine}");
    let mut report = Report::new();
    report.caveats.extend(machine::busy());
    for (var, default) in [("PPCMK_BENCH_RECORDS", 1_000_000), ("PPCMK_BENCH_FLOWS", 100_000)] {
        let size = size_from_env(var, default);
        if size < default {
            report.caveats.push(format!(
                "`{var}={size}` is below the default {}: a reduced run, useful to check the suite, not the \
                 reference figures (small volumes fit the page cache and fixed costs weigh more).",
                thousands(default as u64)
            ));
        }
    }
    let mut all = true;
    for (name, run) in sections {
        if wanted(name) {
            run(&mut report);
        } else {
            all = false;
        }
    }
    println!("\n{}", report.summary());

    // A partial run would replace the full report with a fragment: it writes only where asked.
    let output = match std::env::var_os("PPCMK_BENCH_OUTPUT") {
        Some(path) => Some(PathBuf::from(path)),
        None if all => Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md")),
        None => None,
    };
    let Some(output) = output else {
        println!("(a partial run: BENCHMARKS.md left as it is; set PPCMK_BENCH_OUTPUT to write this report)");
        return;
    };
    let command = command_line(&filters);
    let text = report.markdown(&machine, &command, started.elapsed().as_secs_f64());
    std::fs::write(&output, text).unwrap_or_else(|e| panic!("writing {}: {e}", output.display()));
    println!("Wrote {} ({:.0} s in all).", output.display(), started.elapsed().as_secs_f64());
}

/// The command that reproduces this run, with the sizes that differ from the defaults.
fn command_line(filters: &[String]) -> String {
    let mut env = String::new();
    for var in ["PPCMK_BENCH_RECORDS", "PPCMK_BENCH_FLOWS"] {
        if let Ok(v) = std::env::var(var) {
            env.push_str(&format!("{var}={v} "));
        }
    }
    let mut command = format!("{env}cargo bench --bench ppcmk");
    if !filters.is_empty() {
        command.push_str(&format!(" -- {}", filters.join(" ")));
    }
    command
}

// ------------------------------------------------------------------ shared helpers

static RUN_STARTED: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);

/// The `ppcmk` binary of the same profile (package `ppcmk-cli`, so a bench
/// of the library does not build it): the CLI rows and the child-process
/// link run it. Refused when missing or older than the sources it is built from.
fn ppcmk_exe() -> PathBuf {
    static EXE: std::sync::LazyLock<PathBuf> = std::sync::LazyLock::new(|| {
        let exe = std::env::current_exe().expect("the bench's own path");
        let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<bench>");
        let ppcmk = profile_dir.join(format!("ppcmk{}", std::env::consts::EXE_SUFFIX));
        let hint = "build it first: `cargo build --release` (the benchmarks run the release ppcmk)";
        let built = std::fs::metadata(&ppcmk)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| panic!("{} is missing: {hint}", ppcmk.display()));
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("src"), root.join("crates/cli/src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("a source folder") {
                let path = entry.expect("a source file").path();
                if path.is_dir() {
                    stack.push(path);
                } else if std::fs::metadata(&path).and_then(|m| m.modified()).is_ok_and(|t| t > built) {
                    panic!("{} is older than {}: {hint}", ppcmk.display(), path.display());
                }
            }
        }
        ppcmk
    });
    EXE.clone()
}

/// A progress line on stderr with the time since the run started, so a long run shows where it is.
fn step(what: &str) {
    eprintln!("[{:6.1} s] {what}", RUN_STARTED.elapsed().as_secs_f64());
}

fn size_from_env(var: &str, default: i64) -> i64 {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
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

/// Runs `a` and `b` in alternation until `budget` is spent (at least `min`
/// times each); returns the median time per call of each. A figure and its
/// reference timed this way see the same machine: on a shared VM whose speed
/// drifts by tens of percent within seconds, timing one after the other
/// moved their ratio by more than the targets' margins.
fn time_paired(min: usize, budget: Duration, mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    let started = Instant::now();
    let (mut samples_a, mut samples_b) = (Vec::new(), Vec::new());
    while samples_a.len() < min || started.elapsed() < budget {
        let t = Instant::now();
        a();
        samples_a.push(t.elapsed());
        let t = Instant::now();
        b();
        samples_b.push(t.elapsed());
        if samples_a.len() >= 100_000 {
            break;
        }
    }
    (median(samples_a), median(samples_b))
}

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn n(count: i64) -> String {
    thousands(count as u64)
}

const POLICY: &str =
    "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/bench/providers/Microsoft.PowerPlatform/enterprisePolicies/bench-policy";

/// A store in the temporary folder with a vault, an RSA 2048 key, a policy
/// whose identity can use it, and a managed environment holding `records`
/// records of about 1 KiB.
struct Tenant {
    dir: PathBuf,
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
            .into_maps()
    }

    /// Adds the environment to the policy in a child `ppcmk` process:
    /// (wall time, peak resident memory in bytes).
    #[allow(clippy::zombie_processes)] // reaped by wait4, which also reports its peak memory
    fn link_in_child(&self) -> (Duration, u64) {
        let started = Instant::now();
        let mut link = std::process::Command::new(ppcmk_exe());
        link.args(["Add-PpCmkEnvironmentToEnterprisePolicy", "-EnvironmentName", &self.env, "-PolicyArmId", POLICY])
            .env("PPCMK_HOME", &self.dir);
        let (status, peak) = run_with_peak_rss(&link, std::process::Stdio::null());
        assert_eq!(status, 0, "the link failed");
        (started.elapsed(), peak)
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The first argument that makes this binary the launcher of
/// [`run_with_peak_rss`] instead of the bench.
const PEAK_RSS_LAUNCHER: &str = "--launch-and-report-peak-rss";

/// Runs `cmd` (program, arguments, environment) to its end with `stdout`
/// (stderr discarded) and returns (exit status, peak resident memory in
/// bytes). The child is started by a launcher, this binary run afresh: a
/// process started straight from the bench would report the bench's own peak
/// instead of its own whenever that is higher, because Linux carries the
/// peak of the address space a process leaves at `exec` into its `ru_maxrss`
/// (Rust spawns with vfork, which shares the bench's address space until then).
fn run_with_peak_rss(cmd: &std::process::Command, stdout: std::process::Stdio) -> (i32, u64) {
    let report = tempfile_path("peak-rss");
    let mut launcher = std::process::Command::new(std::env::current_exe().expect("the bench's own path"));
    launcher.arg(PEAK_RSS_LAUNCHER).arg(&report).arg(cmd.get_program()).args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => launcher.env(k, v),
            None => launcher.env_remove(k),
        };
    }
    let status = launcher.stdout(stdout).stderr(std::process::Stdio::null()).status().expect("the launcher runs");
    assert!(status.success(), "the launcher failed");
    let text = std::fs::read_to_string(&report).expect("the launcher's report");
    let _ = std::fs::remove_file(&report);
    let (code, kib) = text.trim().split_once(' ').expect("`status kib`");
    (code.parse().unwrap(), kib.parse::<u64>().unwrap() * 1024)
}

/// The launcher: `<report file> <program> <args...>`. Runs the program with
/// this process's stdio, writes `<exit status> <peak RSS in KiB>` to the
/// report file and exits.
fn launch_and_report_peak_rss(args: Vec<String>) -> ! {
    let (report, program) = (&args[0], &args[1]);
    let child = std::process::Command::new(program).args(&args[2..]).spawn().expect("the measured program starts");
    let (status, max_rss_kib) = wait_with_rusage(child.id() as i32);
    std::fs::write(report, format!("{status} {max_rss_kib}")).expect("writing the launcher's report");
    std::process::exit(0)
}

/// A path for a file of this run in the temporary folder.
fn tempfile_path(what: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("ppcmk-bench-{what}-{}-{n}", std::process::id()))
}

/// Waits for a child and returns (exit status, peak RSS in KiB) from wait4.
#[allow(clippy::zombie_processes)] // reaped here by wait4
fn wait_with_rusage(pid: i32) -> (i32, u64) {
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `status` and `usage` are writable storage of the types wait4 fills.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    (libc::WEXITSTATUS(status), usage.ru_maxrss as u64)
}
