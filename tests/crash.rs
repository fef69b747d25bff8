//! A process killed (SIGKILL) in the middle of adding an environment to a
//! policy: the operation is visible as interrupted, resumes from where it
//! stopped, and every record reads back identical.

use crate::support;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use support::cmk::{Cmk, PP};

#[test]
fn kill_9_during_add_then_resume_keeps_every_record() {
    let c = Cmk::new();
    let env = c.environment("Crash", 20_000);
    let before = c.all_records(&env);
    let mut child = Command::new(crate::support::ppcmk_exe())
        .args(["Add-PpCmkEnvironmentToEnterprisePolicy", "-EnvironmentName", &env, "-PolicyArmId", &c.policy_id])
        .env("PPCMK_HOME", c.t.home())
        .env("PPCMK_ACCOUNT", PP)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut progress = BufReader::new(child.stderr.take().unwrap()).lines();
    // Kill once a third of the records are re-encrypted.
    while let Some(Ok(line)) = progress.next() {
        if let Some(done) =
            line.split(": ").nth(2).and_then(|s| s.split(' ').next()).and_then(|n| n.parse::<u64>().ok())
        {
            if done >= 7000 {
                break;
            }
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the process was killed");

    let op = c.pp("Get-PpCmkOperation", json!({"EnvironmentName": env})).remove(0);
    assert_eq!(op["State"], "Running");
    assert_eq!(op["Interrupted"], true);
    let processed = op["RecordsProcessed"].as_i64().unwrap();
    assert!((7000..20_001).contains(&processed), "{op}");
    // The add is phased (002:412): past its short disable, the environment is
    // usable while the operation waits, every record readable mid-way.
    assert_eq!(c.env(&env)["State"], "Ready");
    assert_eq!(c.env(&env)["KeyManagedBy"], "Microsoft");
    assert_eq!(c.all_records(&env), before, "records not yet re-encrypted read through their old key");

    let resumed = c.pp("Resume-PpCmkOperation", json!({"OperationId": op["OperationId"]})).remove(0);
    assert_eq!(resumed["State"], "Succeeded");
    assert_eq!(resumed["RecordsProcessed"], 20_001);
    assert_eq!(c.env(&env)["KeyManagedBy"], "Customer");
    assert_eq!(c.all_records(&env), before, "every record reads back identical");
}
