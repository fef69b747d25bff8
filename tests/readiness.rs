//! Pre-flight (`Test-PpCmkReadiness`) and post-flight
//! (`Get-PpCmkEncryptionReport`) through the CLI, as a pipeline runs them:
//! rows with a Status, and `-FailOn` deciding the exit code.

use crate::support;

use serde_json::{json, Value};
use support::cmk::{Cmk, PP};
use support::{cli_as, stderr, stdout};

/// Runs a command through the CLI as `account` with JSON output; returns
/// (exit code, rows).
fn run_json(c: &Cmk, account: &str, args: &[&str]) -> (i32, Vec<Value>) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-OutputFormat", "Json"]);
    let out = cli_as(&c.t.home(), Some(account), &all);
    let code = out.status.code().unwrap();
    let text = stdout(&out);
    let rows: Vec<Value> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}\n{}", stderr(&out)))
    };
    (code, rows)
}

fn row<'a>(rows: &'a [Value], check: &str) -> &'a Value {
    rows.iter().find(|r| r["Check"] == check).unwrap_or_else(|| panic!("no {check} row in {rows:#?}"))
}

#[test]
fn a_broken_set_up_fails_each_rule_with_its_remedy() {
    let c = Cmk::with_retention(7);
    // The vault loses its protections the only way Azure allows: deleted,
    // purged when its retention ends, and created again under the same name
    // without purge protection (and without the identity's access).
    c.t.ok("Remove-AzKeyVault", json!({"VaultName": "contoso-cmk-kv", "Force": true}));
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 8}));
    c.t.ok(
        "New-AzKeyVault",
        json!({"Name": "contoso-cmk-kv", "ResourceGroupName": "contoso-cmk", "Location": "centralus"}),
    );
    c.t.ok("New-AzRoleAssignment", json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": c.vault_id}));
    c.t.ok("Add-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Size": 2048}));
    // An unmanaged environment in another region, with an HTTP-trigger flow.
    let env = c.environment_of("Europe sales", "Production", "europe", false, 200);
    c.pp(
        "New-PpCmkFlow",
        json!({"EnvironmentName": env, "DisplayName": "Order webhook", "Trigger": "Http", "InSolution": true}),
    );
    // A Power Platform administrator without Reader on the policy runs it.
    c.t.user("ppadmin2");
    c.t.ok(
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Power Platform Administrator", "UserPrincipalName": "ppadmin2@contoso.onmicrosoft.com"}),
    );

    let (code, rows) = run_json(
        &c,
        "ppadmin2@contoso.onmicrosoft.com",
        &["Test-PpCmkReadiness", "-EnvironmentName", &env, "-PolicyArmId", &c.policy_id, "-FailOn", "Fail"],
    );
    assert_eq!(code, 1, "-FailOn Fail exits 1: {rows:#?}");
    for check in [
        "PurgeProtection",
        "IdentityGet",
        "IdentityWrapKey",
        "IdentityUnwrapKey",
        "CallerPolicyReader",
        "EnvironmentManaged",
        "EnvironmentRegion",
    ] {
        let r = row(&rows, check);
        assert_eq!(r["Status"], "Fail", "{check}: {r}");
        assert!(r["Remedy"].as_str().is_some_and(|s| !s.is_empty()), "{check} has a remedy: {r}");
    }
    assert!(row(&rows, "PurgeProtection")["Remedy"].as_str().unwrap().contains("-EnablePurgeProtection"));
    assert!(row(&rows, "IdentityWrapKey")["Remedy"]
        .as_str()
        .unwrap()
        .contains("Key Vault Crypto Service Encryption User"));
    assert!(row(&rows, "CallerPolicyReader")["Remedy"].as_str().unwrap().contains("-RoleDefinitionName Reader"));
    let flows = row(&rows, "FlowsStayOnMicrosoftKey");
    assert_eq!(flows["Status"], "Warn");
    assert!(flows["Detail"].as_str().unwrap().contains("'Order webhook' (HttpTrigger)"), "{flows}");
    // What is right is reported as such.
    for check in ["ProviderRegistered", "SoftDelete", "KeyType", "KeyEnabled", "CallerAdminRole", "EnvironmentType"] {
        assert_eq!(row(&rows, check)["Status"], "Pass", "{check}");
    }
    // Without -FailOn the same rows, exit 0.
    let (code, again) = run_json(
        &c,
        "ppadmin2@contoso.onmicrosoft.com",
        &["Test-PpCmkReadiness", "-EnvironmentName", &env, "-PolicyArmId", &c.policy_id],
    );
    assert_eq!((code, again.len()), (0, rows.len()));
}

#[test]
fn a_correct_set_up_passes_with_only_the_expected_warnings() {
    let c = Cmk::new();
    let env = c.environment("Sales", 500);
    let (code, rows) = run_json(
        &c,
        PP,
        &["Test-PpCmkReadiness", "-EnvironmentName", &env, "-PolicyArmId", &c.policy_id, "-FailOn", "Fail"],
    );
    assert_eq!(code, 0, "{rows:#?}");
    let warned: Vec<&str> =
        rows.iter().filter(|r| r["Status"] != "Pass").map(|r| r["Check"].as_str().unwrap()).collect();
    // The Global Administrator both owns the subscription (so administers the
    // vault) and administers Power Platform: the docs' separation-of-duties warning.
    assert_eq!(warned, ["SeparationOfDuties"], "{rows:#?}");
    assert!(row(&rows, "ExpectedDowntime")["Detail"].as_str().unwrap().contains("measured now"));
    // The same set-up gated on warnings fails.
    let out = cli_as(
        &c.t.home(),
        Some(PP),
        &["Test-PpCmkReadiness", "-EnvironmentName", &env, "-PolicyArmId", &c.policy_id, "-FailOn", "Warn"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ppcmk: ChecksFailed: 1 row(s) reached Warn or worse"), "{}", stderr(&out));
    // And the pre-flight changed nothing.
    assert_eq!(c.env(&env)["KeyManagedBy"], "Microsoft");
}

#[test]
fn the_encryption_report_matches_the_store_after_a_rollout() {
    let c = Cmk::new();
    let env = c.environment("Sales", 1200);
    c.pp("Backup-PowerAppEnvironment", json!({"EnvironmentName": env, "Label": "before CMK"}));
    c.add(&env);
    c.pp("Backup-PowerAppEnvironment", json!({"EnvironmentName": env, "Label": "after CMK"}));
    c.t.ok("Invoke-AzKeyVaultKeyRotation", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}));
    let (code, report) = run_json(&c, PP, &["Get-PpCmkEncryptionReport", "-EnvironmentName", &env, "-FailOn", "Warn"]);
    assert_eq!(code, 0, "{report:#?}");
    let r = &report[0];
    assert_eq!(r["Status"], "Pass");
    assert_eq!(r["KeyManagedBy"], "Customer");
    // Key version counts add up to the records in the environment.
    let records = c.all_records(&env).len() as i64;
    assert_eq!(r["Records"], records);
    let by_version: i64 = r["RecordsByKeyVersion"].as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum();
    assert_eq!(by_version, records);
    // Every record is under the rotated (current) version, which is the key in use.
    let current =
        c.t.ok("Get-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}))[0]["Id"].clone();
    assert_eq!(r["KeyId"], current);
    assert_eq!(r["RecordsByKeyVersion"][current.as_str().unwrap()], records);
    // Backups: one under the Microsoft key, one under the customer key.
    assert_eq!(r["Backups"], 2);
    let backup_keys: Vec<&String> = r["BackupRecordsByKeyVersion"].as_object().unwrap().keys().collect();
    assert!(backup_keys.iter().any(|k| k.as_str() == "Microsoft-managed key"), "{backup_keys:?}");
    // The previous version must stay enabled 28 days after the rotation.
    let until = r["PreviousKeyVersionNeededUntil"].as_str().expect("a previous version");
    let now = c.t.ok("Get-PpCmkClock", json!({}))[0]["Now"].as_str().unwrap().to_string();
    let days = (chrono::DateTime::parse_from_rfc3339(until).unwrap()
        - chrono::DateTime::parse_from_rfc3339(&now).unwrap())
    .num_hours();
    assert!((27 * 24..=28 * 24).contains(&days), "{until} vs {now}");

    // Flows left on the Microsoft key make it a warning; a lock makes it a failure.
    c.pp("Copy-PpCmkFlow", json!({"EnvironmentName": env, "FlowName": c.pp("New-PpCmkFlow", json!({"EnvironmentName": env, "DisplayName": "x", "Trigger": "Manual"}))[0]["FlowName"]}));
    c.revoke();
    let (code, report) = run_json(&c, PP, &["Get-PpCmkEncryptionReport", "-FailOn", "Fail"]);
    assert_eq!(code, 1);
    assert_eq!(report[0]["Status"], "Fail");
    assert!(report[0]["Findings"][0].as_str().unwrap().starts_with("Locked"), "{}", report[0]);
    c.restore_access();

    // After removing the policy: the 30 days the old key must be kept.
    c.pp("Remove-PpCmkEnvironmentFromEnterprisePolicy", json!({"EnvironmentName": env, "PolicyArmId": c.policy_id}));
    let (_, report) = run_json(&c, PP, &["Get-PpCmkEncryptionReport", "-EnvironmentName", &env]);
    assert_eq!(report[0]["KeyManagedBy"], "Microsoft");
    assert!(report[0]["RemovedPolicyKeyNeededUntil"].is_string(), "{}", report[0]);
    assert_eq!(report[0]["RecordsByKeyVersion"]["Microsoft-managed key"], records);
}

/// Someone with Reader on the policy but no admin role gets rows, not a
/// refusal: the caller's missing role is a Fail and the flows a Warn.
#[test]
fn a_reader_without_an_admin_role_gets_rows_not_a_refusal() {
    let c = Cmk::new();
    let env = c.environment("Readers", 10);
    let id = c.t.user("auditor");
    c.t.ok("New-AzRoleAssignment", json!({"ObjectId": id, "RoleDefinitionName": "Reader", "Scope": c.policy_id}));
    let (code, rows) = run_json(
        &c,
        "auditor@contoso.onmicrosoft.com",
        &["Test-PpCmkReadiness", "-EnvironmentName", &env, "-PolicyArmId", &c.policy_id],
    );
    assert_eq!(code, 0, "{rows:#?}");
    assert_eq!(row(&rows, "FlowsStayOnMicrosoftKey")["Status"], "Warn", "{rows:#?}");
    assert!(rows.iter().any(|r| r["Status"] == "Fail"), "the missing admin role fails: {rows:#?}");
}

/// 002:412: the row separates the short disable from the background
/// encryption and quotes the documented bound beside the local estimate.
#[test]
fn expected_downtime_separates_the_short_disable_from_the_background_encryption() {
    let c = Cmk::new();
    let env = c.environment("Sales", 500);
    let rows = c.pp("Test-PpCmkReadiness", json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id}));
    let detail = row(&rows, "ExpectedDowntime")["Detail"].as_str().unwrap().to_string();
    assert!(detail.contains("disabled only briefly"), "{detail}");
    assert!(detail.contains("Background encryption") && detail.contains("measured now"), "{detail}");
    assert!(detail.contains("up to four days"), "{detail}");
}

/// 002:78-84: without a subscription the documentation lists, the
/// pre-flight fails with the remedy; the wrong one does not count.
#[test]
fn the_licensing_row_fails_until_the_tenant_holds_a_listed_subscription() {
    let c = Cmk::without_license();
    let env = c.environment("Sales", 10);
    let args = ["Test-PpCmkReadiness", "-EnvironmentName", &env, "-PolicyArmId", &c.policy_id, "-FailOn", "Fail"];
    let (code, rows) = run_json(&c, PP, &args);
    assert_eq!(code, 1, "{rows:#?}");
    let licensing = row(&rows, "Licensing");
    assert_eq!(licensing["Status"], "Fail");
    assert!(licensing["Remedy"].as_str().unwrap().contains("Add-PpCmkLicense"), "{licensing}");
    let e3 = c.t.ok("Add-PpCmkLicense", json!({"Sku": "Microsoft 365 E3", "Units": 10})).remove(0);
    assert_eq!(e3["QualifiesForCmk"], false);
    let (_, rows) = run_json(&c, PP, &args);
    assert_eq!(row(&rows, "Licensing")["Status"], "Fail");
    assert!(row(&rows, "Licensing")["Detail"].as_str().unwrap().contains("Microsoft 365 E3"));
    c.t.fails(ppcmk::ErrorCode::ParameterValidationFailed, "Add-PpCmkLicense", json!({"Sku": "Microsoft 365 E7"}));
    c.t.fails_as(Some(PP), ppcmk::ErrorCode::Forbidden, "Add-PpCmkLicense", json!({"Sku": "Microsoft 365 E5"}));
    let e5 = c.t.ok("Add-PpCmkLicense", json!({"Sku": "microsoft 365 e5", "Units": 5})).remove(0);
    assert_eq!((e5["Sku"].as_str(), e5["QualifiesForCmk"].as_bool()), (Some("Microsoft 365 E5"), Some(true)));
    let (code, rows) = run_json(&c, PP, &args);
    assert_eq!((code, row(&rows, "Licensing")["Status"].as_str()), (0, Some("Pass")), "{rows:#?}");
    assert_eq!(c.t.ok("Get-PpCmkLicense", json!({})).len(), 2);
}

/// 002:153: a policy for Europe whose key vault sits in a Central US
/// resource group gets a warning naming both; the walkthrough's does not.
#[test]
fn a_resource_group_outside_the_policy_region_is_a_warning() {
    let c = Cmk::new();
    let env = c.environment("Sales", 10);
    let rows = c.pp("Test-PpCmkReadiness", json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id}));
    assert_eq!(row(&rows, "ResourceGroupRegion")["Status"], "Pass");
    let template = c.dir.path().join("eu-policy.json");
    std::fs::write(
        &template,
        support::cmk::filled_template("contoso-eu-policy", "europe", &c.vault_id, "contoso-cmk-key"),
    )
    .unwrap();
    let d =
        c.t.ok("New-AzResourceGroupDeployment", json!({"ResourceGroupName": "contoso-cmk", "TemplateFile": template}));
    let eu = d[0]["OutputResources"][0].as_str().unwrap().to_string();
    let rows = c.t.ok("Test-PpCmkReadiness", json!({"EnvironmentName": [env], "PolicyArmId": eu}));
    let r = row(&rows, "ResourceGroupRegion");
    assert_eq!(r["Status"], "Warn", "{r}");
    let detail = r["Detail"].as_str().unwrap();
    assert!(detail.contains("centralus") && detail.contains("unitedstates") && detail.contains("europe"), "{detail}");
}

/// 002:21-52: the post-flight lists every data store with the key that
/// protects it: the listed services follow the customer key; Nuance
/// Conversational IVR, Maker Welcome Content and Power Apps data outside
/// Dataverse do not; finance and operations only with Power Platform integration.
#[test]
fn the_encryption_report_lists_what_the_customer_key_does_and_does_not_cover() {
    let c = Cmk::new();
    let env = c.environment("Finance", 10);
    c.pp(
        "Set-PpCmkEnvironmentService",
        json!({"EnvironmentName": env, "Service": ["Dynamics 365 Sales", "Dynamics 365 Finance", "Nuance Conversational IVR", "Maker Welcome Content", "Power Apps"]}),
    );
    c.add(&env);
    let report = c.pp("Get-PpCmkEncryptionReport", json!({"EnvironmentName": [env]})).remove(0);
    let with = |report: &Value, name: &str| -> String {
        report["DataStores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["Name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {report}"))["EncryptedWith"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (name, key) in [
        ("Dataverse", "Customer-managed key"),
        ("Dynamics 365 Sales", "Customer-managed key"),
        ("Dynamics 365 Finance", "Microsoft-managed key"),
        ("Nuance Conversational IVR", "Microsoft-managed key"),
        ("Maker Welcome Content", "Microsoft-managed key"),
        ("Power Apps data in Dataverse", "Customer-managed key"),
        ("Power Apps data outside Dataverse (app source code, canvas app icons)", "Microsoft-managed key"),
        ("Connection settings of non-OAuth connections", "Microsoft-managed key"),
    ] {
        assert_eq!(with(&report, name), key, "{name}");
    }
    // Finance and operations follow the key only with Power Platform integration (002:52).
    let stores = c.pp(
        "Set-PpCmkEnvironmentService",
        json!({"EnvironmentName": env, "Service": ["Dynamics 365 Finance"], "PowerPlatformIntegration": true}),
    );
    let finance = stores.iter().find(|d| d["Name"] == "Dynamics 365 Finance").unwrap();
    assert_eq!(finance["EncryptedWith"], "Customer-managed key");
    c.pp_fails(
        ppcmk::ErrorCode::InvalidArgument,
        "Set-PpCmkEnvironmentService",
        json!({"EnvironmentName": env, "Service": ["Dynamics 365 Marketing"]}),
    );
}
