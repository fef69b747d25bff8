//! `examples/cmk-walkthrough.sh`, the documentation's walkthrough as an
//! administrator's shell script, runs green against the built CLI.

use std::process::Command;

#[test]
fn the_walkthrough_script_runs_as_documented() {
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cmk-walkthrough.sh"))
        .arg(crate::support::ppcmk_exe())
        .env_remove("PPCMK_HOME")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the script failed:\n{stdout}\n{stderr}");
    for step in [
        "ok: KeyManagedBy = Customer",
        "ok: State = Locked",
        "ok: error = EnvironmentLocked",
        "ok: KeyManagedBy = Microsoft",
    ] {
        assert!(stdout.contains(step), "missing '{step}' in:\n{stdout}");
    }
    assert!(stdout.trim_end().ends_with("The walkthrough ran as documented."), "{stdout}");
}
