//! The README's main job: `ppcmk demo` walks the documentation on a new store.

use std::path::{Path, PathBuf};

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        let random: [u8; 8] = ppcmk::crypto::random_array();
        let path = std::env::temp_dir().join(format!("ppcmk-{label}-{}", ppcmk::crypto::hex(&random)));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_demo_runs_every_step_on_a_new_store() {
    let dir = TempDir::new("demo");
    let folder = dir.path().join("demo-store");
    let mut out = Vec::new();
    let report = ppcmk_cli::demo::run(&mut out, Some(folder.clone()), true, false).expect("the demo runs");
    let text = String::from_utf8(out).unwrap();
    assert!(report.steps.len() >= 6, "{:?}", report.steps);
    assert!(text.contains("Summary ("), "{text}");
    assert!(text.contains("ppcmk: Forbidden:"), "the demo shows a refusal");
    // The walk covers the whole documentation, with its tables.
    for shown in [
        "Test-PpCmkReadiness",
        "ppcmk: ChecksFailed: 1 row(s) reached Fail",
        "Update Customer Managed Key",
        "DisplayName          FlowName",
        "PowerAppsV1TriggerNotInSolution",
        "ParentOfUnmigratableFlow",
        "\"RunId\",\"FlowName\"",
        "Get-PpCmkEncryptionReport",
        "RewrapEnvironmentKeys",
        "EnvironmentLocked",
        // The phased add: Ready while the operation is still Running.
        "Resume-PpCmkOperation -OperationId",
        "The operation is still Running",
    ] {
        assert!(text.contains(shown), "the demo output lacks {shown:?}");
    }
    // The sensitive IBAN typed on the demo's command line was masked before storage.
    assert!(!std::fs::read_to_string(folder.join("run-history.csv")).unwrap().contains("DE8937040044"));
    assert!(folder.join("ppcmk.db").exists(), "kept with -Path");
    // A second run refuses to reuse the folder rather than mixing stores.
    let err = ppcmk_cli::demo::run(&mut Vec::new(), Some(folder), true, false).unwrap_err();
    assert_eq!(err.code, ppcmk::ErrorCode::InvalidArgument);
}

#[test]
fn the_cli_demo_cleans_up_its_temporary_store() {
    let tmp = TempDir::new("demo-tmp");
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_ppcmk")).arg("demo").env("TMPDIR", tmp.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Summary ("));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "the temporary store was removed");
}
