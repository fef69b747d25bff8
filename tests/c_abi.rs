//! Builds tests/c/abi_test.c with gcc against include/ppcmk.h and the cdylib,
//! and runs it.

use crate::support;

use std::process::Command;
use support::{fresh_cdylib, repo_root, TempDir};

#[test]
fn c_program_drives_the_abi() {
    let dir = TempDir::new("c-abi");
    let exe = dir.path().join("abi_test");
    let lib_dir = fresh_cdylib().parent().unwrap().to_path_buf();
    let build = Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pthread", "-D_POSIX_C_SOURCE=200809L"])
        .arg("-I")
        .arg(repo_root().join("include"))
        .arg(repo_root().join("tests/c/abi_test.c"))
        .arg("-L")
        .arg(&lib_dir)
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .args(["-lppcmk", "-o"])
        .arg(&exe)
        .output()
        .expect("gcc runs");
    assert!(build.status.success(), "gcc failed:\n{}", String::from_utf8_lossy(&build.stderr));
    let run = Command::new(&exe).arg(dir.path()).env_remove("PPCMK_ACCOUNT").output().unwrap();
    assert!(
        run.status.success(),
        "C harness failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}
