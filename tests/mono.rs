//! Compiles the PowerShell module's exact C# P/Invoke source
//! (powershell/PpCmk/PpCmk.Native.cs) with Mono's C# compiler, in the C# 5
//! dialect that Windows PowerShell 5.1's Add-Type accepts, and drives it
//! against the real cdylib. Needs `mono-mcs` and `mono-runtime`
//! (scripts/test-all installs them).

use crate::support;

use std::process::Command;
use support::{fresh_cdylib, repo_root, TempDir};

#[test]
fn module_pinvoke_layer_runs_under_mono() {
    let dir = TempDir::new("mono");
    let library = fresh_cdylib();
    // The same substitution PpCmk.psm1 makes before Add-Type.
    let source = std::fs::read_to_string(repo_root().join("powershell/PpCmk/PpCmk.Native.cs")).unwrap();
    assert!(source.contains("@@PPCMK_LIBRARY@@"));
    let native = dir.path().join("PpCmk.Native.cs");
    std::fs::write(&native, source.replace("@@PPCMK_LIBRARY@@", &library.display().to_string())).unwrap();
    let exe = dir.path().join("Harness.exe");
    let compile = Command::new("mcs")
        // The Host class needs System.Management.Automation, which Mono lacks: it is
        // compiled (as C# 5) by scripts/build-module and run by the Pester suite.
        .args(["-langversion:5", "-warnaserror+", "-nologo", "-define:PPCMK_NATIVE_ONLY"])
        .arg(format!("-out:{}", exe.display()))
        .arg(&native)
        .arg(repo_root().join("tests/mono/Harness.cs"))
        .output()
        .expect("mcs is installed (apt-get install -y mono-mcs mono-runtime)");
    assert!(
        compile.status.success(),
        "mcs failed:\n{}{}",
        String::from_utf8_lossy(&compile.stdout),
        String::from_utf8_lossy(&compile.stderr)
    );
    let run = Command::new("mono").arg(&exe).arg(dir.path()).env_remove("PPCMK_ACCOUNT").output().expect("mono runs");
    assert!(
        run.status.success(),
        "Mono harness failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}
