//! Enterprise policies and environment encryption: the documented CMK life
//! cycle end to end, each refusal with its own code, failures that return
//! the environment to its previous key, lock and unlock, the 28-day rule,
//! BYOK migration, backups and database operations.

use crate::support;

use ppcmk::ErrorCode;
use serde_json::json;
use support::cmk::{filled_template, Cmk, PP};
use support::{upn, TempDir, TestStore};

// -------------------------------------------------------------- walkthrough

#[test]
fn the_documentation_walkthrough_keeps_every_record_readable() {
    let c = Cmk::new();
    // The policy is an ARM resource with a managed identity.
    let resources = c.t.ok("Get-AzResource", json!({"ResourceType": "Microsoft.PowerPlatform/enterprisePolicies"}));
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0]["Kind"], "Encryption");
    assert_eq!(resources[0]["Identity"]["PrincipalId"], c.identity.as_str());
    assert!(resources[0]["Properties"]["systemId"]
        .as_str()
        .unwrap()
        .starts_with("/regions/unitedstates/providers/Microsoft.PowerPlatform/enterprisePolicies/"));
    assert_eq!(
        c.t.ok("Get-AzADServicePrincipal", json!({"ObjectId": c.identity}))[0]["DisplayName"],
        "contoso-cmk-policy"
    );
    let checks = c.t.ok(
        "Test-PpCmkKeyVaultForCmk",
        json!({"KeyVaultName": "contoso-cmk-kv", "EnterprisePolicyArmId": c.policy_id}),
    );
    assert!(checks.iter().all(|r| r["Status"] == "Pass"), "{checks:?}");

    let env = c.environment("Sales", 2500);
    let before = c.all_records(&env);
    assert_eq!(before.len(), 2501);
    assert_eq!(c.env(&env)["KeyManagedBy"], "Microsoft");

    let ops = c.add(&env);
    assert_eq!(ops[0]["Name"], "Update Customer Managed Key");
    assert_eq!(ops[0]["State"], "Succeeded");
    assert_eq!(ops[0]["RecordsProcessed"], 2501);
    let e = c.env(&env);
    assert_eq!(
        (e["KeyManagedBy"].as_str(), e["State"].as_str(), e["EncryptionStatus"].as_str()),
        (Some("Customer"), Some("Ready"), Some("Encrypted"))
    );
    assert_eq!(e["EnterprisePolicyId"], c.policy_id.as_str());
    assert_eq!(c.all_records(&env), before);
    let generation = c.generations(&env);
    assert_eq!(generation.len(), 1, "all records under one new generation");

    // A new key version: DEKs re-wrapped, nothing re-encrypted, no downtime.
    c.t.ok("Invoke-AzKeyVaultKeyRotation", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}));
    assert_eq!(c.env(&env)["State"], "Ready");
    assert_eq!(c.generations(&env), generation, "no record was re-encrypted");
    let ops = c.pp("Get-PpCmkOperation", json!({"EnvironmentName": env}));
    assert_eq!(ops.last().unwrap()["Kind"], "KeyRotation");
    assert_eq!(ops.last().unwrap()["RecordsTotal"], 1, "one DEK generation re-wrapped");
    let with_policy = c.pp("Get-PpCmkEnvironmentWithPolicy", json!({}));
    let key_id = with_policy[0]["KeyId"].as_str().unwrap();
    let current =
        c.t.ok("Get-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}))[0]["Id"].clone();
    assert_eq!(key_id, current.as_str().unwrap(), "the environment uses the new version");
    assert_eq!(c.all_records(&env), before);

    // Access revoked: locked for everyone, the Global Administrator included.
    c.revoke();
    let e =
        c.t.fails(ErrorCode::EnvironmentLocked, "Get-PpCmkRecord", json!({"EnvironmentName": env, "Table": "account"}));
    assert!(e.contains("unwrap"), "{e}");
    assert_eq!(c.env(&env)["State"], "Locked");
    assert_eq!(c.t.ok("Get-PpCmkEnterprisePolicy", json!({}))[0]["Health"], "Unhealthy");
    c.pp_fails(
        ErrorCode::EnvironmentLocked,
        "Backup-PowerAppEnvironment",
        json!({"EnvironmentName": env, "Label": "b"}),
    );
    // Restored: re-enabled with all data intact.
    c.restore_access();
    assert_eq!(c.env(&env)["State"], "Ready");
    assert_eq!(c.t.ok("Get-PpCmkEnterprisePolicy", json!({}))[0]["Health"], "Healthy");
    assert_eq!(c.all_records(&env), before);

    // Removed: back on the Microsoft-managed key, with the 30-day warning.
    let out = ppcmk::invoke_json(
        &c.t.store,
        &json!({"command": "Remove-PpCmkEnvironmentFromEnterprisePolicy", "account": PP, "parameters": {"EnvironmentName": env, "PolicyArmId": c.policy_id}}),
        Default::default(),
    )
    .unwrap();
    assert!(out.warnings[0].contains("30 days"), "{:?}", out.warnings);
    let e = c.env(&env);
    assert_eq!((e["KeyManagedBy"].as_str(), e["State"].as_str()), (Some("Microsoft"), Some("Ready")));
    assert!(e["EnterprisePolicyId"].is_null());
    assert_eq!(c.all_records(&env), before);
    // The policy is free again: it can change, and go.
    c.t.ok("Set-PpCmkEnterprisePolicy", json!({"ResourceId": c.policy_id, "KeyVersion": ""}));
    c.t.ok("Remove-PpCmkEnterprisePolicy", json!({"ResourceId": c.policy_id}));
    assert!(c.t.ok("Get-AzADServicePrincipal", json!({})).is_empty(), "the managed identity went with the policy");
}

// ---------------------------------------------------------------- refusals

#[test]
fn each_refusal_of_adding_has_its_own_code() {
    let c = Cmk::new();
    let env = c.environment("Ops", 10);
    let add = |account: &str, env: &str| {
        c.t.run_as(
            Some(account),
            "Add-PpCmkEnvironmentToEnterprisePolicy",
            json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id}),
        )
    };
    // Not an administrator of Power Platform.
    c.t.user("maker");
    assert_eq!(add(&upn("maker"), &env).unwrap_err().code, ErrorCode::Forbidden);
    // An administrator without Reader on the policy.
    c.t.user("other");
    c.t.ok(
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Dynamics 365 Administrator", "UserPrincipalName": upn("other")}),
    );
    let e = add(&upn("other"), &env).unwrap_err();
    assert_eq!(e.code, ErrorCode::EnterprisePolicyAccessDenied);
    assert!(e.message.contains("Reader"), "{}", e.message);
    // Not managed; Trial; Teams; another region.
    let unmanaged = c.environment_of("Unmanaged", "Production", "unitedstates", false, 0);
    assert_eq!(add(PP, &unmanaged).unwrap_err().code, ErrorCode::NotManagedEnvironment);
    let trial = c.environment_of("Trial", "Trial", "unitedstates", true, 0);
    assert_eq!(add(PP, &trial).unwrap_err().code, ErrorCode::UnsupportedEnvironmentType);
    let teams = c.environment_of("Teams", "Teams", "unitedstates", true, 0);
    assert_eq!(add(PP, &teams).unwrap_err().code, ErrorCode::UnsupportedEnvironmentType);
    let europe = c.environment_of("Europe", "Sandbox", "europe", true, 0);
    assert_eq!(add(PP, &europe).unwrap_err().code, ErrorCode::RegionMismatch);
    // The policy's identity cannot reach the key.
    c.revoke();
    let e = add(PP, &env).unwrap_err();
    assert_eq!(e.code, ErrorCode::KeyVaultAccessDenied);
    c.restore_access();
    // Closed firewall without the trusted-services bypass.
    c.t.ok(
        "Update-AzKeyVaultNetworkRuleSet",
        json!({"VaultName": "contoso-cmk-kv", "DefaultAction": "Deny", "Bypass": "None"}),
    );
    assert_eq!(add(PP, &env).unwrap_err().code, ErrorCode::ForbiddenByFirewall);
    c.t.ok("Update-AzKeyVaultNetworkRuleSet", json!({"VaultName": "contoso-cmk-kv", "Bypass": "AzureServices"}));
    // None of the refusals changed anything; now it works, and twice is a conflict.
    assert_eq!(c.env(&env)["KeyManagedBy"], "Microsoft");
    add(PP, &env).unwrap();
    assert_eq!(add(PP, &env).unwrap_err().code, ErrorCode::Conflict);
    // While linked, the policy cannot change or go, and managed cannot be turned off.
    c.t.fails(ErrorCode::Conflict, "Set-PpCmkEnterprisePolicy", json!({"ResourceId": c.policy_id, "KeyName": "other"}));
    c.t.fails(ErrorCode::Conflict, "Remove-PpCmkEnterprisePolicy", json!({"ResourceId": c.policy_id}));
    c.pp_fails(ErrorCode::Conflict, "Disable-PpCmkManagedEnvironment", json!({"EnvironmentName": env}));
}

#[test]
fn templates_report_placeholders_paths_and_missing_prerequisites() {
    let t = TestStore::new();
    let dir = TempDir::new("tpl");
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let v = t.ok("New-AzKeyVault", json!({"Name": "plain-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
    let vault_id = v[0]["ResourceId"].as_str().unwrap().to_string();
    t.ok("New-AzRoleAssignment", json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}));
    t.ok("Add-AzKeyVaultKey", json!({"VaultName": "plain-kv", "Name": "k"}));
    let deploy = |text: &str| {
        let path = dir.path().join("t.json");
        std::fs::write(&path, text).unwrap();
        t.run("New-AzResourceGroupDeployment", json!({"ResourceGroupName": "rg", "TemplateFile": path}))
    };
    // The docs' template as published, with its placeholders.
    let raw = filled_template("{EnterprisePolicyName}", "x", "y", "z")
        .replace("\"{EnterprisePolicyName}\"", "{EnterprisePolicyName}");
    let e = deploy(&raw).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidTemplate);
    assert!(e.message.contains("line 9") && e.message.contains("{EnterprisePolicyName}"), "{}", e.message);
    // The provider must be registered first.
    let good = filled_template("p1", "unitedstates", &vault_id, "k");
    assert_eq!(deploy(&good).unwrap_err().code, ErrorCode::ProviderNotRegistered);
    t.ok("Register-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}));
    // No purge protection: the documentation's sentence, at the key vault id's path.
    let e = deploy(&good).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.starts_with("resources[0].properties.encryption.keyVault.id:"), "{}", e.message);
    assert!(e
        .message
        .contains("You won't be able to encrypt your environment with your own key without enabling these settings"));
    t.ok("Update-AzKeyVault", json!({"VaultName": "plain-kv", "EnablePurgeProtection": true}));
    // A location that is not one of the 18; a key that does not exist; a vault that does not resolve.
    let e = deploy(&filled_template("p1", "mars", &vault_id, "k")).unwrap_err();
    assert!(e.message.starts_with("resources[0].location:"), "{}", e.message);
    let e = deploy(&filled_template("p1", "unitedstates", &vault_id, "nokey")).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(e.message.starts_with("resources[0].properties.encryption.keyVault.key.name:"), "{}", e.message);
    let e = deploy(&filled_template("p1", "unitedstates", &vault_id.replace("plain-kv", "nokv"), "k")).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    // Now it deploys; deploying again updates in place.
    deploy(&good).unwrap();
    deploy(&good).unwrap();
    assert_eq!(t.ok("Get-PpCmkEnterprisePolicy", json!({})).len(), 1);
    t.fails(
        ErrorCode::FileError,
        "New-AzResourceGroupDeployment",
        json!({"ResourceGroupName": "rg", "TemplateFile": dir.path().join("missing.json")}),
    );
}

// --------------------------------------------------------------- failures

#[test]
fn a_failed_add_returns_to_the_microsoft_key_with_every_record_and_can_rerun() {
    let c = Cmk::new();
    let env = c.environment("Finance", 3000);
    let before = c.all_records(&env);
    c.t.ok("Set-PpCmkFault", json!({"Operation": "EnvironmentEncryption", "AfterRecords": 1500}));
    let e = c.pp_fails(
        ErrorCode::FaultInjected,
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id}),
    );
    assert!(e.contains("1500"), "{e}");
    let state = c.env(&env);
    assert_eq!(
        (state["State"].as_str(), state["KeyManagedBy"].as_str(), state["EncryptionStatus"].as_str()),
        (Some("Ready"), Some("Microsoft"), Some("Failed"))
    );
    let ops = c.pp("Get-PpCmkOperation", json!({"EnvironmentName": env}));
    assert_eq!(ops[0]["State"], "Failed");
    assert_eq!(ops[0]["ErrorCode"], "FaultInjected");
    assert_eq!(ops[0]["RecordsProcessed"], 1500);
    assert_eq!(c.pp("Get-PpCmkEnvironmentWithPolicy", json!({}))[0]["EncryptionStatus"], "Failed");
    assert_eq!(c.all_records(&env), before, "every record intact and readable on the Microsoft-managed key");
    assert_eq!(c.generations(&env).len(), 2, "records of both generations, all readable");
    c.add(&env);
    assert_eq!(c.env(&env)["KeyManagedBy"], "Customer");
    assert_eq!(c.all_records(&env), before);
}

#[test]
fn losing_key_access_mid_way_ends_the_operation_on_the_previous_key() {
    let c = Cmk::new();
    let env = c.environment("Support", 1200);
    let before = c.all_records(&env);
    let queued = c.pp(
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id, "NoWait": true}),
    );
    assert_eq!(queued[0]["State"], "NotStarted");
    assert_eq!(c.env(&env)["State"], "Disabled");
    c.pp_fails(ErrorCode::EnvironmentDisabled, "Get-PpCmkRecord", json!({"EnvironmentName": env, "Table": "account"}));
    c.pp_fails(ErrorCode::OperationInProgress, "Remove-AdminPowerAppEnvironment", json!({"EnvironmentName": env}));
    c.revoke();
    let id = queued[0]["OperationId"].as_str().unwrap();
    c.pp_fails(ErrorCode::KeyVaultAccessDenied, "Resume-PpCmkOperation", json!({"OperationId": id}));
    assert_eq!(c.env(&env)["KeyManagedBy"], "Microsoft");
    assert_eq!(c.env(&env)["State"], "Ready");
    assert_eq!(c.all_records(&env), before);
    c.pp_fails(ErrorCode::InvalidOperation, "Resume-PpCmkOperation", json!({"OperationId": id}));
}

/// The re-encryption reads batches ahead on a thread: an operation that
/// ends at its first batch (here: the key's access lost) must end at once,
/// not wait for a reader blocked on the batches it had read ahead.
#[test]
fn losing_key_access_at_the_first_of_many_batches_ends_at_once() {
    let c = Cmk::new();
    // Four batches of at most 4,096 records: one taken, one queued, one blocked.
    let env = c.environment("Many", 13_000);
    let queued = c.pp(
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id, "NoWait": true}),
    );
    c.revoke();
    let id = queued[0]["OperationId"].as_str().unwrap();
    c.pp_fails(ErrorCode::KeyVaultAccessDenied, "Resume-PpCmkOperation", json!({"OperationId": id}));
    let ops = c.pp("Get-PpCmkOperation", json!({"EnvironmentName": env}));
    assert_eq!((ops[0]["State"].as_str(), ops[0]["RecordsProcessed"].as_i64()), (Some("Failed"), Some(0)));
    assert_eq!(c.env(&env)["KeyManagedBy"], "Microsoft");
}

/// 002:412, 001:337: disabled briefly, then enabled again while the
/// encryption continues in the background; the operation stays Running
/// until every record is under the new key.
#[test]
fn the_add_is_phased_ready_while_the_operation_still_runs() {
    let c = Cmk::new();
    let env = c.environment("Phased", 3000);
    let before = c.all_records(&env);
    let queued = c.pp(
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id, "NoWait": true}),
    );
    assert_eq!((queued[0]["State"].as_str(), c.env(&env)["State"].as_str()), (Some("NotStarted"), Some("Disabled")));
    let id = queued[0]["OperationId"].as_str().unwrap().to_string();
    let op = c.pp("Resume-PpCmkOperation", json!({"OperationId": id, "MaxRecords": 1000})).remove(0);
    assert_eq!((op["State"].as_str(), op["RecordsProcessed"].as_i64()), (Some("Running"), Some(1000)));
    let e = c.env(&env);
    assert_eq!(e["State"], "Ready", "usable while the encryption continues: {e}");
    assert_eq!(e["KeyManagedBy"], "Microsoft", "not under the customer key until every record is");
    // Records not yet re-encrypted are read through their old DEK.
    assert_eq!(c.all_records(&env), before);
    let generations = c.generations(&env);
    assert_eq!(generations.len(), 2, "both generations in use mid-way: {generations:?}");
    // New writes go under the new generation.
    let written = c.pp(
        "New-PpCmkRecord",
        json!({"EnvironmentName": env, "Table": "account", "Id": "during", "Data": {"name": "Contoso"}}),
    );
    assert_eq!(written[0]["Generation"].as_i64(), generations.last().copied());
    // Creation and updates of flows stay blocked during migration (000:12).
    c.pp_fails(
        ErrorCode::OperationInProgress,
        "New-PpCmkFlow",
        json!({"EnvironmentName": env, "DisplayName": "x", "Trigger": "Manual"}),
    );
    let listed = c.pp("Get-PpCmkOperation", json!({"EnvironmentName": env}));
    assert!(listed.iter().any(|o| o["OperationId"] == id.as_str() && o["State"] == "Running"), "{listed:?}");
    let done = c.pp("Resume-PpCmkOperation", json!({"OperationId": id})).remove(0);
    assert_eq!((done["State"].as_str(), done["RecordsProcessed"].as_i64()), (Some("Succeeded"), Some(3001)));
    let e = c.env(&env);
    assert_eq!(
        (e["KeyManagedBy"].as_str(), e["State"].as_str(), e["EncryptionStatus"].as_str()),
        (Some("Customer"), Some("Ready"), Some("Encrypted"))
    );
    assert_eq!(c.generations(&env).len(), 1);
    let mut expected = before;
    expected.insert(("account".into(), "during".into()), json!({"name": "Contoso"}));
    assert_eq!(c.all_records(&env), expected);
}

/// 004:146, 440: a BYOK environment is disabled during the migration; the
/// downtime is short (nothing is re-encrypted).
#[test]
fn byok_migration_disables_the_environment_briefly() {
    let c = Cmk::new();
    let pem = c.dir.path().join("tenant.pem");
    let gen = std::process::Command::new("openssl").args(["genrsa", "-out"]).arg(&pem).arg("2048").output().unwrap();
    assert!(gen.status.success());
    c.pp("Set-PpCmkTenantByokKey", json!({"KeyFilePath": pem}));
    let env = c.environment("Byok", 100);
    c.pp("Set-PowerAppProtectionStatus", json!({"EnvironmentName": env, "ProtectionKeyManagedBy": "Customer"}));
    let before = c.all_records(&env);
    let generations = c.generations(&env);
    let queued = c.pp(
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id, "NoWait": true}),
    );
    assert_eq!(queued[0]["State"], "NotStarted");
    let e = c.env(&env);
    assert_eq!(e["State"], "Disabled", "disabled during the migration: {e}");
    assert!(e["StateReason"].as_str().unwrap().contains("BYOK"), "{e}");
    c.pp_fails(ErrorCode::EnvironmentDisabled, "Get-PpCmkRecord", json!({"EnvironmentName": env, "Table": "account"}));
    let id = queued[0]["OperationId"].as_str().unwrap();
    let done = c.pp("Resume-PpCmkOperation", json!({"OperationId": id})).remove(0);
    assert_eq!(done["State"], "Succeeded");
    let e = c.env(&env);
    assert_eq!((e["KeyManagedBy"].as_str(), e["State"].as_str()), (Some("CustomerViaMicrosoft"), Some("Ready")));
    assert_eq!(c.generations(&env), generations, "nothing re-encrypted");
    assert_eq!(c.all_records(&env), before);
}

// ----------------------------------------------------------- lock and time

#[test]
fn a_previous_key_version_is_needed_for_28_days() {
    let c = Cmk::new();
    let env = c.environment("Hr", 50);
    let first = c.t.ok("Get-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}))[0]
        ["Version"]
        .clone();
    c.add(&env);
    c.t.ok("Invoke-AzKeyVaultKeyRotation", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}));
    assert_eq!(c.env(&env)["State"], "Ready");
    // Disabling the previous version within 28 days takes the environment offline.
    c.t.ok(
        "Update-AzKeyVaultKey",
        json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Version": first, "Enable": false}),
    );
    let e = c.env(&env);
    assert_eq!(e["State"], "Locked");
    assert!(e["StateReason"].as_str().unwrap().contains("28 days"), "{e}");
    c.t.ok(
        "Update-AzKeyVaultKey",
        json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Version": first, "Enable": true}),
    );
    assert_eq!(c.env(&env)["State"], "Ready");
    // After 28 days it may go.
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 29}));
    c.t.ok(
        "Update-AzKeyVaultKey",
        json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Version": first, "Enable": false}),
    );
    assert_eq!(c.env(&env)["State"], "Ready");
    assert_eq!(c.all_records(&env).len(), 51);
}

#[test]
fn an_expired_key_takes_its_environments_offline_until_extended() {
    let c = Cmk::new();
    let env = c.environment("Finance", 20);
    c.add(&env);
    let before = c.all_records(&env);
    let key = json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"});
    let now = c.t.ok("Get-PpCmkClock", json!({}))[0]["Now"].as_str().unwrap().to_string();
    let now = chrono::DateTime::parse_from_rfc3339(&now).unwrap();
    let in_days = |days: i64| (now + chrono::Duration::days(days)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut expires = key.clone();
    expires["Expires"] = json!(in_days(10));
    c.t.ok("Update-AzKeyVaultKey", expires);
    assert_eq!(c.env(&env)["State"], "Ready");
    // Key Vault would still unwrap with the expired version, but the service
    // treats an expired key as lost: its environments go offline.
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 11}));
    let e = c.env(&env);
    assert_eq!(e["State"], "Locked");
    assert!(e["StateReason"].as_str().unwrap().contains("expired"), "{e}");
    c.pp_fails(ErrorCode::EnvironmentLocked, "Get-PpCmkRecord", json!({"EnvironmentName": env, "Table": "account"}));
    let policy = c.t.ok("Get-PpCmkEnterprisePolicy", json!({"ResourceId": c.policy_id})).remove(0);
    assert_eq!(policy["Health"], "Unhealthy", "{policy}");
    // Extending the expiry brings them back with their data.
    let mut extended = key.clone();
    extended["Expires"] = json!(in_days(400));
    c.t.ok("Update-AzKeyVaultKey", extended);
    assert_eq!(c.env(&env)["State"], "Ready");
    assert_eq!(c.all_records(&env), before);
}

/// The engine skips its due-maintenance check while nothing was committed and
/// nothing can have come due (docs/performance.md): an expiry reached by real
/// time alone, with no write in between, must still lock on the next command.
#[test]
fn a_key_that_expires_with_time_alone_locks_on_the_next_command() {
    let c = Cmk::new();
    let env = c.environment("Finance", 5);
    c.add(&env);
    let now = c.t.ok("Get-PpCmkClock", json!({}))[0]["Now"].as_str().unwrap().to_string();
    let expires = chrono::DateTime::parse_from_rfc3339(&now).unwrap() + chrono::Duration::seconds(3);
    c.t.ok(
        "Update-AzKeyVaultKey",
        json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Expires": expires.format("%Y-%m-%dT%H:%M:%SZ").to_string()}),
    );
    // Reads only from here on: the first checks and finds nothing due; the
    // next ones may skip the check.
    for _ in 0..3 {
        assert_eq!(c.env(&env)["State"], "Ready");
    }
    std::thread::sleep(std::time::Duration::from_millis(4200));
    let e = c.env(&env);
    assert_eq!(e["State"], "Locked", "{e}");
    assert!(e["StateReason"].as_str().unwrap().contains("expired"), "{e}");
}

#[test]
fn locked_sandboxes_go_after_7_days_and_production_after_28() {
    let c = Cmk::new();
    let settings = c.t.ok("Get-PpCmkTenantSetting", json!({})).remove(0);
    assert_eq!(
        (settings["LockedProductionDeletionDays"].as_i64(), settings["LockedNonProductionDeletionDays"].as_i64()),
        (Some(28), Some(7))
    );
    let sandbox = c.environment_of("Sandbox", "Sandbox", "unitedstates", true, 0);
    let production = c.environment("Prod", 0);
    c.add(&sandbox);
    c.add(&production);
    c.t.ok("Update-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Enable": false}));
    assert_eq!(c.env(&sandbox)["State"], "Locked");
    assert_eq!(c.env(&production)["State"], "Locked");
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 8}));
    c.pp_fails(ErrorCode::NotFound, "Get-AdminPowerAppEnvironment", json!({"EnvironmentName": sandbox}));
    assert_eq!(c.env(&production)["State"], "Locked");
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 19}));
    assert_eq!(c.env(&production)["State"], "Locked", "day 27: still kept");
    // 004:416: deleted if not unlocked after 28 days (not 30).
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 1}));
    c.pp_fails(ErrorCode::NotFound, "Get-AdminPowerAppEnvironment", json!({"EnvironmentName": production}));
    let deletions =
        c.t.ok("Get-PpCmkAuditLog", json!({}))
            .into_iter()
            .filter(|e| e["Command"] == "PowerPlatform/DeleteLockedEnvironment")
            .count();
    assert_eq!(deletions, 2);
}

#[test]
fn the_lock_deletion_window_is_a_visible_tenant_setting() {
    let c = Cmk::new();
    // Rehearsing against today's service (cmk-lock-unlock: 30 days) is one setting away.
    let s = c.t.ok("Set-PpCmkTenantSetting", json!({"LockedProductionDeletionDays": 30})).remove(0);
    assert_eq!((s["LockedProductionDeletionDays"].as_i64(), s["CmkEnvironmentLimit"].as_i64()), (Some(30), Some(25)));
    c.t.fails(ErrorCode::InvalidArgument, "Set-PpCmkTenantSetting", json!({}));
    c.pp_fails(ErrorCode::Forbidden, "Set-PpCmkTenantSetting", json!({"LockedProductionDeletionDays": 1}));
    let production = c.environment("Prod", 0);
    c.add(&production);
    c.t.ok("Update-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Enable": false}));
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 29}));
    assert_eq!(c.env(&production)["State"], "Locked");
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 1}));
    c.pp_fails(ErrorCode::NotFound, "Get-AdminPowerAppEnvironment", json!({"EnvironmentName": production}));
}

#[test]
fn deleting_the_policy_with_arm_locks_its_environments() {
    let c = Cmk::new();
    let env = c.environment("Legal", 10);
    c.add(&env);
    c.t.ok("Remove-AzResource", json!({"ResourceId": c.policy_id, "Force": true}));
    let e = c.env(&env);
    assert_eq!(e["State"], "Locked");
    assert!(e["StateReason"].as_str().unwrap().contains("policy was deleted"), "{e}");
}

#[test]
fn a_purged_key_takes_the_data_with_it_for_good() {
    let c = Cmk::with_retention(7);
    let env = c.environment("Gone", 100);
    c.add(&env);
    c.t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Force": true}));
    assert_eq!(c.env(&env)["State"], "Locked");
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 8}));
    c.t.fails(
        ErrorCode::NotFound,
        "Undo-AzKeyVaultKeyRemoval",
        json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}),
    );
    c.t.fails(ErrorCode::EnvironmentLocked, "Get-PpCmkRecord", json!({"EnvironmentName": env, "Table": "account"}));
    // The database file and the master key hold no way to open the records any more:
    // every DEK wrap of the environment is a customer-key wrap, and that key's
    // versions (sealed private keys) are gone from the file.
    let conn = rusqlite::Connection::open(c.t.home().join("ppcmk.db")).unwrap();
    let env_key: i64 =
        conn.query_row("SELECT env_key FROM environments WHERE environment_id = ?1", [&env], |r| r.get(0)).unwrap();
    let records: i64 =
        conn.query_row("SELECT COUNT(*) FROM records WHERE env_key = ?1", [env_key], |r| r.get(0)).unwrap();
    assert_eq!(records, 101, "the sealed records are still in the file");
    let mut stmt = conn.prepare("SELECT protector, key_id FROM dek_wraps WHERE env_key = ?1").unwrap();
    let wraps: Vec<(String, String)> =
        stmt.query_map([env_key], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
    assert!(!wraps.is_empty() && wraps.iter().all(|(p, _)| p == "CMK"), "{wraps:?}");
    let versions: i64 = conn.query_row("SELECT COUNT(*) FROM vault_key_versions", [], |r| r.get(0)).unwrap();
    assert_eq!(versions, 0, "no sealed private key of the purged key remains");
}

// -------------------------------------------------------------------- BYOK

#[test]
fn byok_environments_migrate_without_re_encryption() {
    let c = Cmk::new();
    let pem = c.dir.path().join("tenant.pem");
    let gen = std::process::Command::new("openssl").args(["genrsa", "-out"]).arg(&pem).arg("2048").output().unwrap();
    assert!(gen.status.success());
    c.pp("Set-PpCmkTenantByokKey", json!({"KeyFilePath": pem}));
    let env = c.environment("Byok", 200);
    let before = c.all_records(&env);
    let e = c.pp("Set-PowerAppProtectionStatus", json!({"EnvironmentName": env, "ProtectionKeyManagedBy": "Customer"}));
    assert_eq!(e[0]["KeyManagedBy"], "Customer");
    // BYOK covered Dataverse only: flows stay on the Microsoft key until the move to CMK.
    let flow = |name: &str, trigger: &str| {
        c.pp(
            "New-PpCmkFlow",
            json!({"EnvironmentName": env, "DisplayName": name, "Trigger": trigger, "InSolution": true}),
        )[0]["FlowName"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (daily, webhook) = (flow("Daily", "Recurrence"), flow("Webhook", "Http"));
    let flows =
        |id: &str| c.pp("Get-AdminFlow", json!({"EnvironmentName": env, "FlowName": id}))[0]["KeyManagedBy"].clone();
    assert_eq!(flows(&daily), "Microsoft");
    let generations = c.generations(&env);
    let op = c.add(&env);
    assert_eq!(op[0]["State"], "Succeeded");
    assert!(op[0]["Target"].as_str().unwrap().contains("no re-encryption"), "{op:?}");
    assert_eq!(c.generations(&env), generations, "nothing re-encrypted");
    let e = c.env(&env);
    assert_eq!((e["KeyManagedBy"].as_str(), e["State"].as_str()), (Some("CustomerViaMicrosoft"), Some("Ready")));
    assert_eq!(c.pp("Get-PpCmkEnvironmentWithPolicy", json!({}))[0]["KeyManagedBy"], "CustomerViaMicrosoft");
    assert_eq!(c.all_records(&env), before);
    assert_eq!((flows(&daily), flows(&webhook)), (json!("Customer"), json!("Microsoft")));
    let left = c.pp(
        "Get-AdminFlowEncryptedByMicrosoftKey",
        json!({"EnvironmentName": env, "ListCannotMigrateToCustomerManagedKey": true}),
    );
    assert_eq!((left.len(), left[0]["Reason"].as_str()), (1, Some("HttpTrigger")), "{left:?}");
    // No revert for 7 days; the BYOK key stays 28 days.
    let msg = c.pp_fails(
        ErrorCode::InvalidOperation,
        "Remove-PpCmkEnvironmentFromEnterprisePolicy",
        json!({"EnvironmentName": env, "PolicyArmId": c.policy_id}),
    );
    assert!(msg.contains("7 days"), "{msg}");
    c.pp_fails(ErrorCode::Conflict, "Remove-PpCmkTenantByokKey", json!({}));
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 8}));
    c.pp("Remove-PpCmkEnvironmentFromEnterprisePolicy", json!({"EnvironmentName": env, "PolicyArmId": c.policy_id}));
    c.pp_fails(ErrorCode::Conflict, "Remove-PpCmkTenantByokKey", json!({}));
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 21}));
    c.pp("Remove-PpCmkTenantByokKey", json!({}));
    assert_eq!(c.all_records(&env), before);
}

// -------------------------------------------------------- database operations

#[test]
fn backups_restore_and_copy_only_within_the_same_customer_key() {
    let c = Cmk::new();
    let a = c.environment("A", 100);
    let b = c.environment("B", 0);
    let plain = c.environment("Plain", 0);
    c.add(&a);
    c.add(&b);
    let before = c.all_records(&a);
    let backup = c.pp("Backup-PowerAppEnvironment", json!({"EnvironmentName": a, "Label": "before cleanup"})).remove(0);
    assert_eq!(backup["Records"], 101);
    assert_eq!(backup["KeyManagedBy"], "Customer");
    c.pp("Remove-PpCmkRecord", json!({"EnvironmentName": a, "Table": "account", "Id": "acct-1"}));
    let id = backup["BackupId"].as_str().unwrap();
    c.pp(
        "Restore-PowerAppEnvironment",
        json!({"SourceEnvironmentName": a, "TargetEnvironmentName": a, "BackupId": id}),
    );
    assert_eq!(c.all_records(&a), before, "restored in place");
    c.pp(
        "Restore-PowerAppEnvironment",
        json!({"SourceEnvironmentName": a, "TargetEnvironmentName": b, "BackupId": id}),
    );
    assert_eq!(c.all_records(&b), before, "restored to an environment with the same customer key");
    let e = c.pp_fails(
        ErrorCode::InvalidOperation,
        "Restore-PowerAppEnvironment",
        json!({"SourceEnvironmentName": a, "TargetEnvironmentName": plain, "BackupId": id}),
    );
    assert!(e.contains("same customer-managed key"), "{e}");
    c.pp_fails(
        ErrorCode::InvalidOperation,
        "Copy-PowerAppEnvironment",
        json!({"SourceEnvironmentName": a, "TargetEnvironmentName": plain}),
    );
    let copied = c.pp("Copy-PowerAppEnvironment", json!({"SourceEnvironmentName": a, "TargetEnvironmentName": b}));
    assert_eq!(copied[0]["Records"], 101);
    // Reset: data and backups deleted, back to the Microsoft-managed key.
    let reset = c.pp("Reset-PowerAppEnvironment", json!({"EnvironmentName": a}));
    assert_eq!(reset[0]["KeyManagedBy"], "Microsoft");
    assert!(c.pp("Get-PowerAppEnvironmentBackups", json!({"EnvironmentName": a})).is_empty());
    assert!(c.pp("Get-PpCmkRecord", json!({"EnvironmentName": a, "Table": "account"})).is_empty());
}

#[test]
fn a_backup_needs_its_key_after_the_environment_left_the_policy() {
    let c = Cmk::with_retention(7);
    let env = c.environment("Archive", 20);
    c.add(&env);
    let backup = c.pp("Backup-PowerAppEnvironment", json!({"EnvironmentName": env, "Label": "under CMK"})).remove(0);
    c.pp("Remove-PpCmkEnvironmentFromEnterprisePolicy", json!({"EnvironmentName": env, "PolicyArmId": c.policy_id}));
    let id = backup["BackupId"].as_str().unwrap();
    // While the key is kept, the backup restores.
    c.pp(
        "Restore-PowerAppEnvironment",
        json!({"SourceEnvironmentName": env, "TargetEnvironmentName": env, "BackupId": id}),
    );
    // Key deleted (and purged after its retention): restore fails with a clear error.
    c.t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Force": true}));
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 8}));
    let e =
        c.t.run_as(
            Some(PP),
            "Restore-PowerAppEnvironment",
            json!({"SourceEnvironmentName": env, "TargetEnvironmentName": env, "BackupId": id}),
        )
        .unwrap_err();
    assert!(e.message.contains("no longer available") && e.message.contains("30 days"), "{}: {}", e.code, e.message);
    assert_eq!(c.env(&env)["State"], "Ready", "the environment itself is on the Microsoft-managed key");
}

#[test]
fn switching_policies_removes_then_adds_with_two_operations() {
    let c = Cmk::new();
    c.t.ok("Add-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "second-key"}));
    let second = c.t.ok(
        "New-PpCmkEnterprisePolicy",
        json!({"ResourceGroup": "contoso-cmk", "Name": "second-policy", "Location": "unitedstates", "KeyVaultId": c.vault_id, "KeyName": "second-key"}),
    );
    let second_id = second[0]["ResourceId"].as_str().unwrap().to_string();
    let pp = c.t.ok("Get-AzADUser", json!({"UserPrincipalName": PP}))[0]["Id"].clone();
    c.t.ok("New-AzRoleAssignment", json!({"ObjectId": pp, "RoleDefinitionName": "Reader", "Scope": second_id}));
    c.t.ok("New-AzRoleAssignment", json!({"ObjectId": second[0]["PrincipalId"], "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": c.vault_id}));
    let env = c.environment("Switch", 100);
    let before = c.all_records(&env);
    let http = |name: &str| {
        c.pp(
            "New-PpCmkFlow",
            json!({"EnvironmentName": env, "DisplayName": name, "Trigger": "Http", "InSolution": true}),
        )[0]["FlowName"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let old_webhook = http("Old webhook");
    c.add(&env);
    let new_webhook = http("New webhook");
    let copy = c.pp("Copy-PpCmkFlow", json!({"EnvironmentName": env, "FlowName": old_webhook}))[0]["FlowName"]
        .as_str()
        .unwrap()
        .to_string();
    let key_of =
        |id: &str| c.pp("Get-AdminFlow", json!({"EnvironmentName": env, "FlowName": id}))[0]["KeyManagedBy"].clone();
    let ops =
        c.pp("Switch-PpCmkEnvironmentEnterprisePolicy", json!({"EnvironmentName": env, "PolicyArmId": second_id}));
    // Flows born under the customer key (and Save As copies) stay protected
    // across the switch; the webhook that never could migrate stays behind.
    assert_eq!(
        (key_of(&old_webhook), key_of(&new_webhook), key_of(&copy)),
        (json!("Microsoft"), json!("Customer"), json!("Customer"))
    );
    let kinds: Vec<&str> = ops.iter().map(|o| o["Kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Unlink", "Link"], "two downtimes");
    assert_eq!(c.env(&env)["EnterprisePolicyId"], second_id.as_str());
    assert_eq!(c.all_records(&env), before);
    assert_eq!(c.pp("Get-PpCmkOperation", json!({"EnvironmentName": env})).len(), 3);
}

/// 002:507: a Support Investigation environment starts on the Microsoft key
/// and must be changed to the customer key before a Copy onto it.
#[test]
fn a_support_investigation_environment_must_move_to_the_customer_key_before_a_copy() {
    let c = Cmk::new();
    let prod = c.environment("Prod", 50);
    c.add(&prod);
    let si = c.environment_of("Support case 123", "SupportInvestigation", "unitedstates", true, 0);
    let e = c.env(&si);
    assert_eq!(
        (e["EnvironmentType"].as_str(), e["KeyManagedBy"].as_str()),
        (Some("SupportInvestigation"), Some("Microsoft"))
    );
    let msg = c.pp_fails(
        ErrorCode::InvalidOperation,
        "Copy-PowerAppEnvironment",
        json!({"SourceEnvironmentName": prod, "TargetEnvironmentName": si}),
    );
    assert!(
        msg.contains("Support Investigation") && msg.contains("must be changed to the customer-managed key"),
        "{msg}"
    );
    c.add(&si);
    c.pp("Copy-PowerAppEnvironment", json!({"SourceEnvironmentName": prod, "TargetEnvironmentName": si}));
    assert_eq!(c.all_records(&si), c.all_records(&prod));
}

// ------------------------------------------------------------ vault faults

/// A vault that is offline (Set-PpCmkFault -Operation VaultOffline) fails
/// every data-plane request with ServiceUnavailable and a Retry-After, but
/// it is not a revocation: the environment its key protects stays Ready and
/// readable, and locks only on a documented trigger (the identity's role removed).
#[test]
fn a_vault_outage_is_not_a_revocation() {
    let c = Cmk::new();
    let env = c.environment("Sales", 20);
    c.add(&env);
    let before = c.all_records(&env);
    let kv = "contoso-cmk-kv";
    let armed = c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultOffline", "VaultName": kv, "Seconds": 600}));
    assert_eq!((armed[0]["Armed"].as_bool(), armed[0]["VaultName"].as_str()), (Some(true), Some(kv)));
    // In process, the key commands see the outage the REST routes see.
    let e = c.t.run("Invoke-AzKeyVaultKeyOperation", json!({"VaultName": kv, "Name": "contoso-cmk-key", "Operation": "Wrap", "Algorithm": "RSA-OAEP-256", "ByteArrayValue": "AAECAw=="})).unwrap_err();
    assert_eq!(e.code, ErrorCode::ServiceUnavailable, "{e}");
    assert_eq!(e.retry_after, Some(60), "Retry-After: the time left, capped at a minute");
    c.t.fails(ErrorCode::ServiceUnavailable, "Get-AzKeyVaultKey", json!({"VaultName": kv, "Name": "contoso-cmk-key"}));
    c.t.fails(ErrorCode::ServiceUnavailable, "Get-AzKeyVaultSecret", json!({"VaultName": kv}));
    // The service's health checks do not see an outage as lost access.
    c.t.ok("Invoke-PpCmkMaintenance", json!({}));
    assert_eq!(c.env(&env)["State"], "Ready");
    let shown = c.pp("Get-AdminPowerAppEnvironment", json!({"EnvironmentName": env})).remove(0);
    assert_eq!((shown["State"].as_str(), shown["KeyManagedBy"].as_str()), (Some("Ready"), Some("Customer")));
    assert_eq!(c.all_records(&env), before);
    // The outage ends on the store's clock.
    c.t.ok("Set-PpCmkClock", json!({"AdvanceHours": 1}));
    c.t.ok("Get-AzKeyVaultKey", json!({"VaultName": kv, "Name": "contoso-cmk-key"}));
    assert_eq!(c.t.ok("Get-PpCmkFault", json!({"VaultName": kv}))[0]["Armed"], false);
    // Only a documented trigger locks it: the identity's role assignment removed.
    c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultOffline", "VaultName": kv, "Seconds": 600}));
    c.revoke();
    assert_eq!(c.env(&env)["State"], "Locked");
    let shown = c.pp("Get-AdminPowerAppEnvironment", json!({"EnvironmentName": env})).remove(0);
    assert_eq!(shown["State"], "Locked");
    c.restore_access();
    assert_eq!(c.env(&env)["State"], "Ready");
    c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultOffline", "VaultName": kv, "Clear": true}));
    c.t.ok("Get-AzKeyVaultKey", json!({"VaultName": kv, "Name": "contoso-cmk-key"}));
}

#[test]
fn vault_error_and_latency_faults_come_from_the_store() {
    let c = Cmk::new();
    let kv = "contoso-cmk-kv";
    let get = json!({"VaultName": kv, "Name": "contoso-cmk-key"});
    c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultErrors", "VaultName": kv, "Percent": 100}));
    let e = c.t.run("Get-AzKeyVaultKey", get.clone()).unwrap_err();
    assert_eq!((e.code, e.retry_after), (ErrorCode::ServiceUnavailable, Some(1)), "{e}");
    c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultErrors", "VaultName": kv, "Percent": 100, "StatusCode": 500}));
    c.t.fails(ErrorCode::FaultInjected, "Get-AzKeyVaultKey", get.clone());
    c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultErrors", "VaultName": kv, "Percent": 0}));
    c.t.ok("Get-AzKeyVaultKey", get.clone());
    c.t.fails(
        ErrorCode::InvalidArgument,
        "Set-PpCmkFault",
        json!({"Operation": "VaultErrors", "VaultName": kv, "Percent": 5, "StatusCode": 502}),
    );
    c.t.fails(
        ErrorCode::NotFound,
        "Set-PpCmkFault",
        json!({"Operation": "VaultLatency", "VaultName": "nope-kv", "Milliseconds": 5}),
    );
    c.t.fails(
        ErrorCode::MissingMandatoryParameter,
        "Set-PpCmkFault",
        json!({"Operation": "VaultLatency", "Milliseconds": 5}),
    );
    c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultLatency", "VaultName": kv, "Milliseconds": 300}));
    let started = std::time::Instant::now();
    c.t.ok("Get-AzKeyVaultKey", get.clone());
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "{:?}", started.elapsed());
    c.t.ok("Set-PpCmkFault", json!({"Operation": "VaultThrottle", "VaultName": kv, "RequestsPer10Seconds": 20}));
    let listed = c.t.ok("Get-PpCmkFault", json!({}));
    let throttle = listed.iter().find(|f| f["Operation"] == "VaultThrottle").unwrap();
    assert_eq!((throttle["RequestsPer10Seconds"].as_i64(), throttle["Armed"].as_bool()), (Some(20), Some(true)));
    assert_eq!(c.t.store.vault_throttle_limit(kv).unwrap(), Some(20));
    assert_eq!(c.t.store.vault_throttle_limit("other-kv").unwrap(), None);
}
