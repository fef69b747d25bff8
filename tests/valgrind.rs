//! Memory safety across the C ABI: builds tests/c/abi_stress.c with gcc
//! against include/ppcmk.h and the cdylib, runs it natively, then under
//! valgrind's memcheck, and fails on any invalid access, use of uninitialised
//! memory, or definitely, indirectly or possibly lost block.
//!
//! valgrind must be installed (scripts/test-all installs it): a missing
//! valgrind fails the test rather than skipping the proof.

use crate::support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;
use support::{fresh_cdylib, repo_root, TempDir};

/// Builds the harness with debug information, so valgrind's stacks name lines.
fn build_harness(dir: &Path) -> std::path::PathBuf {
    let exe = dir.join("abi_stress");
    let lib_dir = fresh_cdylib().parent().unwrap().to_path_buf();
    let build = Command::new("gcc")
        .args(["-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread", "-D_POSIX_C_SOURCE=200809L"])
        .arg("-I")
        .arg(repo_root().join("include"))
        .arg(repo_root().join("tests/c/abi_stress.c"))
        .arg("-L")
        .arg(&lib_dir)
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .args(["-lppcmk", "-o"])
        .arg(&exe)
        .output()
        .expect("gcc runs");
    assert!(build.status.success(), "gcc failed:\n{}", String::from_utf8_lossy(&build.stderr));
    exe
}

/// Runs the harness (optionally under a wrapper) in a fresh folder.
fn run(exe: &Path, wrapper: &[&str], label: &str) -> std::process::Output {
    let dir = TempDir::new(label);
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.arg(dir.path())
        .env("PPCMK_HOME", dir.path().join("env-home"))
        .env_remove("PPCMK_ACCOUNT")
        .env_remove("PPCMK_NETWORK")
        .output()
        .expect("the harness runs")
}

#[test]
fn c_abi_is_memory_safe_under_valgrind() {
    let _serial = crate::one_at_a_time();
    let version = Command::new("valgrind").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "valgrind is missing: install it (apt-get install valgrind; scripts/test-all does) — this test proves \
         the C ABI's memory safety and does not skip"
    );
    let build_dir = TempDir::new("valgrind-build");
    let exe = build_harness(build_dir.path());

    // Natively first: the checks themselves, at full speed and full contention.
    let native = run(&exe, &[], "stress-native");
    assert!(
        native.status.success(),
        "the stress harness failed natively:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&native.stdout),
        String::from_utf8_lossy(&native.stderr)
    );

    let log = build_dir.path().join("memcheck.log");
    let log_arg = format!("--log-file={}", log.display());
    let started = Instant::now();
    let checked = run(
        &exe,
        &[
            "valgrind",
            "--tool=memcheck",
            // 99 tells valgrind's findings apart from the harness's own exit 1.
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect,possible",
            "--errors-for-leak-kinds=definite,indirect,possible",
            "--num-callers=40",
            &log_arg,
        ],
        "stress-valgrind",
    );
    let elapsed = started.elapsed();
    let report = std::fs::read_to_string(&log).unwrap_or_default();
    let context = format!(
        "exit {:?} after {elapsed:.1?}\nstdout: {}\nstderr: {}\nvalgrind log:\n{report}",
        checked.status.code(),
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr),
    );
    assert!(checked.status.success(), "the stress harness failed under valgrind: {context}");
    assert!(String::from_utf8_lossy(&checked.stdout).contains("all C ABI stress checks passed"), "{context}");
    // The summary lines themselves, so a changed exit-code convention cannot hide errors.
    assert!(report.contains("ERROR SUMMARY: 0 errors from 0 contexts"), "{context}");
    for kind in ["definitely lost", "indirectly lost", "possibly lost"] {
        let line = report.lines().find(|l| l.contains(kind));
        // No line at all means "All heap blocks were freed".
        if let Some(line) = line {
            assert!(line.contains(&format!("{kind}: 0 bytes in 0 blocks")), "{line}\n{context}");
        }
    }
    // What is still reachable at exit is process-wide statics (today two
    // blocks: the panic hook and the command registry); a count that grows
    // means something is being kept per call or per handle.
    let reachable_blocks = report
        .lines()
        .find(|l| l.contains("still reachable:"))
        .and_then(|l| l.split(" in ").nth(1))
        .and_then(|b| b.split_whitespace().next())
        .map(|n| n.replace(',', "").parse::<u64>().unwrap());
    assert!(reachable_blocks.unwrap_or(0) <= 8, "still reachable: {reachable_blocks:?} blocks\n{context}");
    for line in
        report.lines().filter(|l| l.contains("ERROR SUMMARY") || l.contains(" lost:") || l.contains("reachable:"))
    {
        eprintln!("{line}");
    }
    eprintln!("valgrind run: {elapsed:.1?}");
}
