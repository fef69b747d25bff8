//! Processes sharing one store: writers wait and retry instead of failing with
//! "database is locked", nothing is lost, and a new store created by two
//! processes at once gets one master key and one tenant.

use crate::support;

use std::sync::{Arc, Barrier};
use support::{cli, stderr, stdout, upn, TempDir};

#[test]
fn two_processes_write_to_one_store_at_the_same_time() {
    for round in 0..3 {
        let home = TempDir::new("concurrent");
        let path = home.path().to_path_buf();
        let start = Arc::new(Barrier::new(2));
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                let path = path.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    let mut failures = Vec::new();
                    for i in 0..25 {
                        let alias = format!("w{worker}u{i}");
                        let out =
                            cli(&path, &["New-AzADUser", "-DisplayName", &alias, "-UserPrincipalName", &upn(&alias)]);
                        if !out.status.success() {
                            failures.push(stderr(&out));
                        }
                    }
                    failures
                })
            })
            .collect();
        for w in workers {
            let failures = w.join().unwrap();
            assert!(failures.is_empty(), "round {round}: {failures:?}");
        }
        let users = stdout(&cli(&path, &["Get-AzADUser", "-OutputFormat", "Json"]));
        let users: Vec<serde_json::Value> = serde_json::from_str(&users).unwrap();
        assert_eq!(users.len(), 51, "round {round}: 50 new users and the administrator");
        let admins = stdout(&cli(&path, &["Get-PpCmkDirectoryRoleMember", "-OutputFormat", "Json"]));
        let admins: Vec<serde_json::Value> = serde_json::from_str(&admins).unwrap();
        assert_eq!(admins.len(), 1, "round {round}: the tenant was seeded once");
        let audit = stdout(&cli(&path, &["Get-PpCmkAuditLog", "-OutputFormat", "Json"]));
        let audit: Vec<serde_json::Value> = serde_json::from_str(&audit).unwrap();
        assert_eq!(audit.len(), 50, "round {round}: one audit entry per change");
    }
}
