//! The PowerShell module in real pwsh: a cold `Import-Module`, the fixed cost
//! of a cheap command, and a large listing turned into objects — each beside
//! a reference measured in the same run. Needs `pwsh` (PowerShell 7) on PATH
//! or in `~/.dotnet/tools`, and makes the module ready with
//! `scripts/build-module` (release library, prebuilt C# layer). Without pwsh
//! the rows say "not measured".

use crate::report::{thousands, Report, Row, Section, Target};
use crate::{n, size_from_env, step, Tenant};
use ppcmk::ffi::{ppcmk_close, ppcmk_invoke, ppcmk_open, ppcmk_status, ppcmk_store, ppcmk_string_free};
use serde_json::{json, Value};
use std::ffi::{c_char, CString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CALLS: usize = 1_000;

pub fn run(report: &mut Report) {
    step("powershell");
    let mut section = Section::new(
        "PowerShell",
        "PowerShell module (pwsh 7)",
        "The module as `scripts/build-module` leaves it (release library, prebuilt C# layer), in PowerShell \
         7. *Import-Module cold*: a new `pwsh -NoProfile` process times `Import-Module` of the module inside \
         itself, median of 5 processes; its reference is the same process's start-up to its first command \
         (`pwsh -NoProfile -Command exit`, median of 5). *Per call*: `Get-AzContext` called 1,000 times in a \
         loop in one pwsh session, the median of the per-call times, beside the same command through the C \
         ABI (`ppcmk_invoke` + `ppcmk_string_free`) in this process on the same store. *Listing*: \
         `Get-AdminFlowEncryptedByMicrosoftKey` returning every flow of the bench tenant as PowerShell \
         objects, beside `ConvertFrom-Json` of the same objects' JSON text (written by the CLI) in the same \
         pwsh session, each the median of 3.",
    );
    let Some(pwsh) = find_pwsh() else {
        for measure in ["Import-Module cold", "per-call cost of Get-AzContext", "listing as objects"] {
            section.row(Row::new(measure, "not measured").target(Target::not_measured("pwsh is not installed")));
        }
        section.note("`pwsh` was not found (`dotnet tool install --global PowerShell --version 7.6.9`).");
        report.add(section);
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    step("powershell: scripts/build-module");
    let built = Command::new(root.join("scripts/build-module")).current_dir(&root).status();
    assert!(built.is_ok_and(|s| s.success()), "scripts/build-module failed");
    let module = root.join("powershell/PpCmk");
    let prebuilt = module.join("bin/PpCmk.Native.dll").exists();

    // Import-Module cold, beside the process's own start-up.
    step("powershell: Import-Module cold");
    let empty = std::env::temp_dir().join(format!("ppcmk-bench-pwsh-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let import_ms = median_f64(
        (0..5)
            .map(|_| {
                let script = format!(
                    "$s = [Diagnostics.Stopwatch]::StartNew(); Import-Module '{}'; $s.Elapsed.TotalMilliseconds",
                    module.display()
                );
                pwsh_number(&pwsh, &script, &empty)
            })
            .collect(),
    );
    let startup_ms = median_f64(
        (0..5)
            .map(|_| {
                let started = Instant::now();
                let status = Command::new(&pwsh).args(["-NoProfile", "-NonInteractive", "-Command", "exit"]).status();
                assert!(status.is_ok_and(|s| s.success()));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );
    section.row(
        Row::new("`Import-Module` cold, in a new pwsh process", format!("{import_ms:.0} ms"))
            .reference(format!("{startup_ms:.0} ms (pwsh start-up)"))
            .ratio(format!("{:.2}×", import_ms / startup_ms))
            .target(Target::at_most(import_ms, 1000.0, "≤ 1 s")),
    );
    if !prebuilt {
        section.note("No .NET SDK: the module compiled its C# layer at import (no prebuilt assembly).");
    }

    // Per-call cost: pwsh loop against the C ABI on the same store.
    step("powershell: per-call cost");
    let call_us = median_f64(
        (0..3)
            .map(|_| {
                let script = format!(
                    "Import-Module '{}'; $null = Get-AzContext; $t = [double[]]::new({CALLS}); \
                     for ($i = 0; $i -lt {CALLS}; $i++) {{ $s = [Diagnostics.Stopwatch]::StartNew(); $null = Get-AzContext; $t[$i] = $s.Elapsed.TotalMilliseconds * 1000 }}; \
                     [Array]::Sort($t); $t[{}]",
                    module.display(),
                    CALLS / 2
                );
                pwsh_number(&pwsh, &script, &empty)
            })
            .collect(),
    );
    let abi_us = abi_call_us(&empty);
    section.row(
        Row::new("per-call cost of `Get-AzContext` (median of 1,000 calls)", format!("{call_us:.0} µs"))
            .reference(format!("{abi_us:.0} µs (C ABI)"))
            .ratio(format!("{:.1}×", call_us / abi_us))
            .target(Target::at_most(call_us, 1000.0, "≤ 1 ms")),
    );

    // The listing as objects, beside ConvertFrom-Json of the same JSON.
    let flows = size_from_env("PPCMK_BENCH_FLOWS", 100_000);
    step(&format!("powershell: loading {} flows", n(flows)));
    let t = Tenant::new("pwsh-flows", 0);
    t.run("New-PpCmkSampleData", json!({"EnvironmentName": t.env, "Flows": flows}));
    let json_file = t.dir.join("flows.json");
    let cli = Command::new(crate::ppcmk_exe())
        .args(["Get-AdminFlowEncryptedByMicrosoftKey", "-EnvironmentName", &t.env, "-OutputFormat", "Json"])
        .env("PPCMK_HOME", &t.dir)
        .output()
        .unwrap();
    assert!(cli.status.success(), "the CLI listing failed");
    std::fs::write(&json_file, &cli.stdout).unwrap();
    step("powershell: listing as objects");
    let script = format!(
        "$env:PPCMK_HOME = '{home}'; Import-Module '{module}'; $null = Get-AzContext; \
         $mine = foreach ($i in 1..3) {{ $s = [Diagnostics.Stopwatch]::StartNew(); $o = @(Get-AdminFlowEncryptedByMicrosoftKey -EnvironmentName '{env}'); $s.Elapsed.TotalMilliseconds; $count = $o.Count; $o = $null; [GC]::Collect() }}; \
         $text = [IO.File]::ReadAllText('{json}'); \
         $ref = foreach ($i in 1..3) {{ $s = [Diagnostics.Stopwatch]::StartNew(); $o = @($text | ConvertFrom-Json); $s.Elapsed.TotalMilliseconds; $refCount = $o.Count; $o = $null; [GC]::Collect() }}; \
         @{{ mine = ($mine | Sort-Object)[1]; ref = ($ref | Sort-Object)[1]; count = $count; refCount = $refCount }} | ConvertTo-Json -Compress",
        home = t.dir.display(),
        module = module.display(),
        env = t.env,
        json = json_file.display(),
    );
    let listing: Value = serde_json::from_str(pwsh_output(&pwsh, &script, &empty).trim()).unwrap();
    let (mine, reference) = (listing["mine"].as_f64().unwrap(), listing["ref"].as_f64().unwrap());
    let count = listing["count"].as_u64().unwrap();
    assert_eq!(count, listing["refCount"].as_u64().unwrap(), "both sides see the same objects");
    section.row(
        Row::new(
            format!("`Get-AdminFlowEncryptedByMicrosoftKey`, {} flows as objects", thousands(count)),
            format!("{:.2} s", mine / 1000.0),
        )
        .reference(format!("{:.2} s (`ConvertFrom-Json`)", reference / 1000.0))
        .ratio(format!("{:.2}×", mine / reference))
        .target(Target::at_most(mine / reference, 2.0, "≤ 2× ConvertFrom-Json")),
    );
    let _ = std::fs::remove_dir_all(&empty);
    report.add(section);
}

/// pwsh on PATH, or where `dotnet tool install --global` puts it.
fn find_pwsh() -> Option<PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("pwsh")).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".dotnet/tools/pwsh")));
    candidates.into_iter().find(|p| p.is_file())
}

fn pwsh_output(pwsh: &Path, script: &str, home: &Path) -> String {
    let out = Command::new(pwsh)
        .args(["-NoProfile", "-NonInteractive", "-Command", script])
        .env("PPCMK_HOME", home)
        .env_remove("PPCMK_ACCOUNT")
        .output()
        .unwrap();
    assert!(out.status.success(), "pwsh failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pwsh_number(pwsh: &Path, script: &str, home: &Path) -> f64 {
    let text = pwsh_output(pwsh, script, home);
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    last.trim().parse().unwrap_or_else(|_| panic!("pwsh printed no number: {text}"))
}

fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// The median per-call time in µs of `Get-AzContext` through `ppcmk_invoke` on `home`.
fn abi_call_us(home: &Path) -> f64 {
    let home = CString::new(home.to_str().unwrap()).unwrap();
    let request = CString::new(r#"{"command":"Get-AzContext","parameters":{}}"#).unwrap();
    let mut handle: *mut ppcmk_store = std::ptr::null_mut();
    let mut error: *mut c_char = std::ptr::null_mut();
    // SAFETY: `home` is NUL-terminated; both out-pointers point to writable pointers.
    let status = unsafe { ppcmk_open(home.as_ptr(), &mut handle, &mut error) };
    assert_eq!(status, ppcmk_status::PPCMK_OK, "ppcmk_open failed");
    let mut samples: Vec<Duration> = Vec::with_capacity(CALLS);
    for i in 0..CALLS + 10 {
        let started = Instant::now();
        // SAFETY: `handle` is open and `request` NUL-terminated; the response is freed once.
        unsafe { ppcmk_string_free(ppcmk_invoke(handle, request.as_ptr())) };
        if i >= 10 {
            samples.push(started.elapsed());
        }
    }
    // SAFETY: the handle is open and not used after this.
    unsafe { ppcmk_close(handle) };
    crate::median(samples).as_secs_f64() * 1e6
}
