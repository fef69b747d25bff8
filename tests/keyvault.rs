//! The customer's key vault: vaults and managed HSMs, RSA keys and versions,
//! soft delete and purge protection, rotation, data-plane access (RBAC and
//! access policies), network rules, and key material sealed at rest.

use crate::support;

use ppcmk::ErrorCode;
use serde_json::{json, Value};
use support::{upn, TestStore};

const ADMIN: &str = "admin@contoso.onmicrosoft.com";
/// The Global Administrator's object id (the documentation's placeholder).
const ADMIN_OBJECT_ID: &str = "00aa00aa-bb11-cc22-dd33-44ee44ee44ee";

/// A store with resource group `rg`, and a vault `cmk-kv` (purge protection
/// on, RBAC) whose keys the Global Administrator manages as Crypto Officer.
fn with_vault() -> (TestStore, String) {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let v = t.ok(
        "New-AzKeyVault",
        json!({"Name": "cmk-kv", "ResourceGroupName": "rg", "Location": "centralus", "EnablePurgeProtection": true}),
    );
    let vault_id = v[0]["ResourceId"].as_str().unwrap().to_string();
    t.ok(
        "New-AzRoleAssignment",
        json!({"SignInName": ADMIN, "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}),
    );
    (t, vault_id)
}

fn add_key(t: &TestStore, vault: &str, name: &str) -> Value {
    t.ok("Add-AzKeyVaultKey", json!({"VaultName": vault, "Name": name, "Destination": "Software"})).remove(0)
}

fn wrap(t: &TestStore, account: Option<&str>, vault: &str, key: &str) -> Result<String, ppcmk::Error> {
    t.run_as(
        account,
        "Invoke-AzKeyVaultKeyOperation",
        json!({"VaultName": vault, "Name": key, "Operation": "Wrap", "Algorithm": "RSA-OAEP-256", "ByteArrayValue": "AAECAwQFBgcICQoLDA0ODw=="}),
    )
    .map(|o| o[0]["Result"].as_str().unwrap().to_string())
}

fn unwrap(t: &TestStore, account: Option<&str>, vault: &str, key: &str, wrapped: &str) -> Result<String, ppcmk::Error> {
    t.run_as(
        account,
        "Invoke-AzKeyVaultKeyOperation",
        json!({"VaultName": vault, "Name": key, "Operation": "Unwrap", "Algorithm": "RSA-OAEP-256", "ByteArrayValue": wrapped}),
    )
    .map(|o| o[0]["Result"].as_str().unwrap().to_string())
}

// ------------------------------------------------------------------ vaults

#[test]
fn purge_protection_is_reported_and_can_never_be_turned_off() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let out = t
        .run("New-AzKeyVault", json!({"Name": "plain-kv", "ResourceGroupName": "rg", "Location": "centralus"}))
        .unwrap();
    assert_eq!(out[0]["EnablePurgeProtection"], false);
    assert_eq!(out[0]["EnableSoftDelete"], true);
    assert_eq!(out[0]["SoftDeleteRetentionInDays"], 90);
    assert_eq!(out[0]["VaultUri"], "https://plain-kv.vault.azure.net/");
    let after = t.ok(
        "Update-AzKeyVault",
        json!({"VaultName": "plain-kv", "ResourceGroupName": "rg", "EnablePurgeProtection": true}),
    );
    assert_eq!(after[0]["EnablePurgeProtection"], true);
    let e = t.fails(
        ErrorCode::InvalidOperation,
        "Update-AzKeyVault",
        json!({"VaultName": "plain-kv", "EnablePurgeProtection": false}),
    );
    assert!(e.contains("cannot be turned off"), "{e}");
    assert_eq!(t.ok("Get-AzKeyVault", json!({"VaultName": "plain-kv"}))[0]["EnablePurgeProtection"], true);
}

#[test]
fn changing_the_permission_model_needs_the_right_to_assign_roles() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let v = t.ok("New-AzKeyVault", json!({"Name": "model-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
    let vault_id = v[0]["ResourceId"].as_str().unwrap().to_string();
    let contributor = t.user("kvcontrib");
    t.ok(
        "New-AzRoleAssignment",
        json!({"ObjectId": contributor, "RoleDefinitionName": "Key Vault Contributor", "Scope": vault_id}),
    );
    let who = upn("kvcontrib");
    // Key Vault Contributor manages the vault...
    t.ok_as(&who, "Update-AzKeyVault", json!({"VaultName": "model-kv", "EnablePurgeProtection": true}));
    t.ok_as(&who, "Update-AzKeyVault", json!({"VaultName": "model-kv", "DisableRbacAuthorization": false}));
    // ...but cannot decide who controls its keys.
    let e = t.fails_as(
        Some(&who),
        ErrorCode::Forbidden,
        "Update-AzKeyVault",
        json!({"VaultName": "model-kv", "DisableRbacAuthorization": true}),
    );
    assert!(e.contains("Microsoft.Authorization/roleAssignments/write") && e.contains("permission model"), "{e}");
    assert_eq!(t.ok("Get-AzKeyVault", json!({"VaultName": "model-kv"}))[0]["EnableRbacAuthorization"], true);
    let denied = t
        .ok("Get-PpCmkAuditLog", json!({"Principal": who}))
        .into_iter()
        .filter(|e| e["Command"] == "Update-AzKeyVault" && e["Outcome"] == "Denied")
        .count();
    assert_eq!(denied, 1);
    // User Access Administrator on the vault grants it; the Owner of the subscription has it.
    t.ok(
        "New-AzRoleAssignment",
        json!({"ObjectId": contributor, "RoleDefinitionName": "User Access Administrator", "Scope": vault_id}),
    );
    let out = t.ok_as(&who, "Update-AzKeyVault", json!({"VaultName": "model-kv", "DisableRbacAuthorization": true}));
    assert_eq!(out[0]["EnableRbacAuthorization"], false);
    let out = t.ok("Update-AzKeyVault", json!({"VaultName": "model-kv", "DisableRbacAuthorization": false}));
    assert_eq!(out[0]["EnableRbacAuthorization"], true);
}

#[test]
fn vault_names_follow_azure_rules_and_are_unique() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    for bad in ["kv", "1vault", "vault-", "va--ult", "this-name-is-far-too-long-x", "vault_name"] {
        let e = t.fails(
            ErrorCode::InvalidArgument,
            "New-AzKeyVault",
            json!({"Name": bad, "ResourceGroupName": "rg", "Location": "centralus"}),
        );
        assert!(e.contains("3-24 characters"), "{bad}: {e}");
    }
    t.ok("New-AzKeyVault", json!({"Name": "good-kv1", "ResourceGroupName": "rg", "Location": "centralus"}));
    t.fails(
        ErrorCode::AlreadyExists,
        "New-AzKeyVault",
        json!({"Name": "GOOD-KV1", "ResourceGroupName": "rg", "Location": "centralus"}),
    );
    t.fails(
        ErrorCode::NotFound,
        "New-AzKeyVault",
        json!({"Name": "other-kv", "ResourceGroupName": "missing", "Location": "centralus"}),
    );
    t.fails(
        ErrorCode::ParameterValidationFailed,
        "New-AzKeyVault",
        json!({"Name": "x-kv", "ResourceGroupName": "rg", "Location": "centralus", "SoftDeleteRetentionInDays": 6}),
    );
    t.user("nobody");
    t.fails_as(
        Some(&upn("nobody")),
        ErrorCode::Forbidden,
        "New-AzKeyVault",
        json!({"Name": "their-kv", "ResourceGroupName": "rg", "Location": "centralus"}),
    );
}

#[test]
fn a_deleted_vault_is_recoverable_reserved_and_purged_on_schedule() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    t.ok("Remove-AzKeyVault", json!({"VaultName": "cmk-kv", "Force": true}));
    t.fails(ErrorCode::NotFound, "Get-AzKeyVault", json!({"VaultName": "cmk-kv"}));
    let removed = t.ok("Get-AzKeyVault", json!({"InRemovedState": true}));
    assert_eq!(removed.len(), 1);
    assert!(removed[0]["ScheduledPurgeDate"].is_string());
    t.fails(ErrorCode::NotFound, "Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk"}));
    t.fails(
        ErrorCode::Conflict,
        "New-AzKeyVault",
        json!({"Name": "cmk-kv", "ResourceGroupName": "rg", "Location": "centralus"}),
    );
    t.fails(ErrorCode::PurgeProtected, "Remove-AzKeyVault", json!({"VaultName": "cmk-kv", "InRemovedState": true}));
    t.ok("Undo-AzKeyVaultRemoval", json!({"VaultName": "cmk-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
    assert_eq!(t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk"})).len(), 1, "keys come back");
    // Deleted again and left alone: gone after the retention period.
    t.ok("Remove-AzKeyVault", json!({"VaultName": "cmk-kv"}));
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 91}));
    assert!(t.ok("Get-AzKeyVault", json!({"InRemovedState": true})).is_empty());
    t.ok("New-AzKeyVault", json!({"Name": "cmk-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
}

#[test]
fn a_vault_without_purge_protection_can_be_purged_at_once() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    t.ok("New-AzKeyVault", json!({"Name": "tmp-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
    t.ok("Remove-AzKeyVault", json!({"VaultName": "tmp-kv"}));
    t.ok("Remove-AzKeyVault", json!({"VaultName": "tmp-kv", "InRemovedState": true}));
    assert!(t.ok("Get-AzKeyVault", json!({"InRemovedState": true})).is_empty());
}

#[test]
fn purging_a_vault_or_key_deletes_the_role_assignments_on_it() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let vault_id = |name: &str| {
        t.ok("New-AzKeyVault", json!({"Name": name, "ResourceGroupName": "rg", "Location": "centralus"}))[0]
            ["ResourceId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (kv, kv2) = (vault_id("tmp-kv"), vault_id("tmp-kv2"));
    let user = t.user("kvuser");
    let assign = |role: &str, scope: &str| {
        t.ok("New-AzRoleAssignment", json!({"ObjectId": user, "RoleDefinitionName": role, "Scope": scope}));
    };
    assign("Key Vault Crypto Officer", &kv);
    assign("Key Vault Crypto Officer", &kv2);
    let scopes = || -> Vec<String> {
        t.ok("Get-AzRoleAssignment", json!({"ObjectId": user}))
            .iter()
            .map(|a| a["Scope"].as_str().unwrap().to_string())
            .collect()
    };
    // A key purged for good takes its key-scope assignments along.
    for key in ["k", "k2"] {
        t.ok_as(&upn("kvuser"), "Add-AzKeyVaultKey", json!({"VaultName": "tmp-kv", "Name": key}));
    }
    assign("Key Vault Crypto Service Encryption User", &format!("{kv}/keys/k"));
    assign("Key Vault Crypto Service Encryption User", &format!("{kv}/keys/k2"));
    let kvuser = upn("kvuser");
    t.ok_as(&kvuser, "Remove-AzKeyVaultKey", json!({"VaultName": "tmp-kv", "Name": "k"}));
    assert_eq!(scopes().len(), 4, "a soft-deleted key keeps its assignments for recovery");
    t.ok_as(&kvuser, "Remove-AzKeyVaultKey", json!({"VaultName": "tmp-kv", "Name": "k", "InRemovedState": true}));
    assert_eq!(scopes(), vec![kv.clone(), format!("{kv}/keys/k2"), kv2.clone()]);
    // A vault purged for good: every assignment at or below it goes; a
    // vault whose name merely starts the same keeps its own.
    t.ok("Remove-AzKeyVault", json!({"VaultName": "tmp-kv"}));
    t.ok("Remove-AzKeyVault", json!({"VaultName": "tmp-kv", "InRemovedState": true}));
    assert_eq!(scopes(), vec![kv2.clone()]);
    // A new vault with the old name starts without the old grants.
    vault_id("tmp-kv");
    t.fails_as(
        Some(&upn("kvuser")),
        ErrorCode::Forbidden,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "tmp-kv", "Name": "k"}),
    );
    // The scheduled purge of a purge-protected vault does the same.
    let kept = t.ok(
        "New-AzKeyVault",
        json!({"Name": "kept-kv", "ResourceGroupName": "rg", "Location": "centralus", "EnablePurgeProtection": true, "SoftDeleteRetentionInDays": 7}),
    )[0]["ResourceId"]
        .as_str()
        .unwrap()
        .to_string();
    assign("Reader", &kept);
    t.ok("Remove-AzKeyVault", json!({"VaultName": "kept-kv"}));
    assert!(scopes().contains(&kept));
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 8}));
    assert_eq!(scopes(), vec![kv2]);
}

// -------------------------------------------------------------------- keys

#[test]
fn rsa_keys_are_created_and_unsupported_ones_refused() {
    let (t, _) = with_vault();
    let key = add_key(&t, "cmk-kv", "cmk");
    assert_eq!(key["KeyType"], "RSA");
    assert_eq!(key["KeySize"], 2048);
    let version = key["Version"].as_str().unwrap();
    assert_eq!(version.len(), 32);
    assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(key["Id"], format!("https://cmk-kv.vault.azure.net/keys/cmk/{version}"));
    assert_eq!(key["RecoveryLevel"], "Recoverable");
    assert_eq!(key["Key"]["e"], "AQAB");
    assert_eq!(key["Key"]["n"].as_str().unwrap().len(), 342, "2048-bit modulus, base64url");
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "small", "Size": 1024}),
    );
    assert!(e.contains("1024") && e.contains("2048, 3072 or 4096"), "{e}");
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "ec", "KeyType": "EC"}),
    );
    assert!(e.contains("RSA or RSA-HSM"), "{e}");
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "hsm", "KeyType": "RSA-HSM"}),
    );
    assert!(e.contains("Premium"), "{e}");
    t.fails(
        ErrorCode::ParameterValidationFailed,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "x", "KeyType": "DSA"}),
    );
    t.fails(ErrorCode::InvalidArgument, "Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "bad_name"}));
    t.fails(ErrorCode::NotFound, "Add-AzKeyVaultKey", json!({"VaultName": "nokv", "Name": "k"}));
}

#[test]
fn an_rsa_hsm_key_in_a_managed_hsm_needs_the_local_crypto_user_role() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let hsm = t.ok(
        "New-AzKeyVaultManagedHsm",
        json!({"Name": "contoso-hsm", "ResourceGroupName": "rg", "Location": "centralus", "Administrator": [ADMIN], "EnablePurgeProtection": true}),
    );
    assert_eq!(hsm[0]["HsmUri"], "https://contoso-hsm.managedhsm.azure.net/");
    crate::support::activate_hsm(&t, "contoso-hsm");
    // Owner of the subscription and HSM administrator, yet no key access without a local crypto role.
    let e = t.fails(
        ErrorCode::Forbidden,
        "Add-AzKeyVaultKey",
        json!({"HsmName": "contoso-hsm", "Name": "cmk", "KeyType": "RSA-HSM", "Size": 3072}),
    );
    assert!(e.contains("Managed HSM Crypto User"), "{e}");
    t.ok(
        "New-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto User", "SignInName": ADMIN, "Scope": "/keys"}),
    );
    let key = t
        .ok("Add-AzKeyVaultKey", json!({"HsmName": "contoso-hsm", "Name": "cmk", "KeyType": "RSA-HSM", "Size": 3072}))
        .remove(0);
    assert_eq!(key["KeyType"], "RSA-HSM");
    assert_eq!(key["KeySize"], 3072);
    assert!(key["Id"].as_str().unwrap().starts_with("https://contoso-hsm.managedhsm.azure.net/keys/cmk/"));
    let assignments = t.ok("Get-AzKeyVaultRoleAssignment", json!({"HsmName": "contoso-hsm"}));
    let scopes: Vec<(&str, &str)> =
        assignments.iter().map(|a| (a["RoleDefinitionName"].as_str().unwrap(), a["Scope"].as_str().unwrap())).collect();
    assert_eq!(scopes, vec![("Managed HSM Administrator", "/"), ("Managed HSM Crypto User", "/keys")]);
    // Only the HSM's administrators manage its local roles; Azure roles cannot be assigned there.
    t.user("other");
    t.fails_as(
        Some(&upn("other")),
        ErrorCode::Forbidden,
        "New-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto User", "SignInName": upn("other")}),
    );
    t.fails(
        ErrorCode::InvalidArgument,
        "New-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Reader", "SignInName": upn("other")}),
    );
    t.fails(ErrorCode::InvalidArgument, "New-AzKeyVaultRoleAssignment", json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto User", "SignInName": upn("other"), "Scope": "/secrets"}));
}

/// Pipes `object` into `command` as PowerShell binds ValueFromPipelineByPropertyName:
/// every pipeline parameter whose name or alias is a property of the object
/// gets its value, a null one as the empty string PowerShell makes of $null
/// for a [string] parameter (or as null, as a C caller would send it).
fn pipe(
    t: &TestStore,
    object: &Value,
    command: &str,
    extra: Value,
    null_as_empty: bool,
) -> Result<Vec<Value>, ppcmk::Error> {
    let spec = ppcmk::commands::find(command).unwrap();
    let mut params = extra;
    for p in spec.params.iter().filter(|p| p.from_pipeline) {
        let property = std::iter::once(p.name).chain(p.aliases.iter().copied()).find_map(|n| object.get(n));
        if let Some(value) = property {
            params[p.name] = if value.is_null() && null_as_empty { json!("") } else { value.clone() };
        }
    }
    t.run(command, params)
}

#[test]
fn managed_hsm_keys_carry_hsm_name_and_pipe_back() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    t.ok(
        "New-AzKeyVaultManagedHsm",
        json!({"Name": "contoso-hsm", "ResourceGroupName": "rg", "Location": "centralus", "Administrator": [ADMIN]}),
    );
    crate::support::activate_hsm(&t, "contoso-hsm");
    t.ok(
        "New-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto Officer", "SignInName": ADMIN}),
    );
    t.ok(
        "New-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto User", "SignInName": ADMIN}),
    );
    let key =
        t.ok("Add-AzKeyVaultKey", json!({"HsmName": "contoso-hsm", "Name": "cmk", "KeyType": "RSA-HSM"})).remove(0);
    assert_eq!((key["HsmName"].as_str(), key["VaultName"].as_str()), (Some("contoso-hsm"), None));
    let listed = t.ok("Get-AzKeyVaultKey", json!({"HsmName": "contoso-hsm"}));
    assert_eq!(listed[0]["HsmName"], "contoso-hsm");
    // The object pipes back into -HsmName commands.
    for null_as_empty in [true, false] {
        let got = pipe(&t, &key, "Get-AzKeyVaultKey", json!({}), null_as_empty).unwrap();
        assert_eq!((got.len(), &got[0]["Name"], &got[0]["HsmName"]), (1, &key["Name"], &key["HsmName"]));
        pipe(&t, &key, "Update-AzKeyVaultKey", json!({"Tag": {"piped": "yes"}}), null_as_empty).unwrap();
        let rotated = pipe(&t, &key, "Invoke-AzKeyVaultKeyRotation", json!({}), null_as_empty).unwrap();
        assert_eq!(rotated[0]["HsmName"], "contoso-hsm");
    }
    let policy = t.ok("Get-AzKeyVaultKeyRotationPolicy", json!({"HsmName": "contoso-hsm", "Name": "cmk"})).remove(0);
    assert_eq!((policy["HsmName"].as_str(), policy["VaultName"].as_str()), (Some("contoso-hsm"), None));
    pipe(&t, &policy, "Get-AzKeyVaultKeyRotationPolicy", json!({}), true).unwrap();
    // A vault's key keeps VaultName and pipes back the same way.
    t.ok(
        "New-AzKeyVault",
        json!({"Name": "cmk-kv", "ResourceGroupName": "rg", "Location": "centralus", "EnablePurgeProtection": true}),
    );
    t.ok("New-AzRoleAssignment", json!({"SignInName": ADMIN, "RoleDefinitionName": "Key Vault Crypto Officer"}));
    let vault_key = add_key(&t, "cmk-kv", "cmk");
    assert_eq!((vault_key["VaultName"].as_str(), vault_key["HsmName"].as_str()), (Some("cmk-kv"), None));
    let got = pipe(&t, &vault_key, "Get-AzKeyVaultKey", json!({}), true).unwrap();
    assert_eq!(got[0]["Id"], vault_key["Id"]);
    // Naming both is still a conflict.
    t.fails(
        ErrorCode::ParameterSetConflict,
        "Get-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "HsmName": "contoso-hsm", "Name": "cmk"}),
    );
}

#[test]
fn managed_hsm_local_roles_stay_out_of_azure_rbac() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let hsm = t.ok(
        "New-AzKeyVaultManagedHsm",
        json!({"Name": "contoso-hsm", "ResourceGroupName": "rg", "Location": "centralus", "Administrator": [ADMIN]}),
    )[0]["ResourceId"]
        .as_str()
        .unwrap()
        .to_string();
    let user = t.user("hsmuser");
    t.ok(
        "New-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto User", "ObjectId": user, "Scope": "/"}),
    );
    // An Azure role on the HSM resource is Azure RBAC, not a local role.
    t.ok("New-AzRoleAssignment", json!({"ObjectId": user, "RoleDefinitionName": "Reader", "Scope": hsm}));
    // Get-AzRoleAssignment shows Azure RBAC only.
    let azure: Vec<String> = t
        .ok("Get-AzRoleAssignment", json!({}))
        .iter()
        .map(|a| a["RoleDefinitionName"].as_str().unwrap().to_string())
        .collect();
    assert!(!azure.iter().any(|r| r.starts_with("Managed HSM")), "{azure:?}");
    assert!(t.ok("Get-AzRoleAssignment", json!({"RoleDefinitionName": "Managed HSM Crypto User"})).is_empty());
    let on_hsm = t.ok("Get-AzRoleAssignment", json!({"Scope": hsm}));
    assert!(on_hsm.iter().any(|a| a["RoleDefinitionName"] == "Reader"), "{on_hsm:?}");
    assert!(on_hsm.iter().all(|a| !a["RoleDefinitionName"].as_str().unwrap().starts_with("Managed HSM")), "{on_hsm:?}");
    assert_eq!(t.ok("Get-AzRoleAssignment", json!({"ObjectId": user})).len(), 1);
    // ...and Get-AzKeyVaultRoleAssignment the HSM's local roles only.
    let local: Vec<String> = t
        .ok("Get-AzKeyVaultRoleAssignment", json!({"HsmName": "contoso-hsm"}))
        .iter()
        .map(|a| a["RoleDefinitionName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(local, vec!["Managed HSM Administrator", "Managed HSM Crypto User"]);
    // Remove-AzRoleAssignment cannot remove a local assignment.
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "Remove-AzRoleAssignment",
        json!({"ObjectId": user, "RoleDefinitionName": "Managed HSM Crypto User", "Scope": hsm}),
    );
    assert!(e.contains("Remove-AzKeyVaultRoleAssignment"), "{e}");
    t.fails(
        ErrorCode::InvalidArgument,
        "Remove-AzRoleAssignment",
        json!({"ObjectId": ADMIN_OBJECT_ID, "RoleDefinitionName": "Managed HSM Administrator", "Scope": hsm}),
    );
    assert_eq!(t.ok("Get-AzKeyVaultRoleAssignment", json!({"HsmName": "contoso-hsm"})).len(), 2);
    // Each is removed by its own command.
    t.ok(
        "Remove-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto User", "ObjectId": user, "Scope": "/"}),
    );
    t.ok("Remove-AzRoleAssignment", json!({"ObjectId": user, "RoleDefinitionName": "Reader", "Scope": hsm}));
    assert!(t.ok("Get-AzRoleAssignment", json!({"ObjectId": user})).is_empty());
}

#[test]
fn rotation_adds_a_version_and_the_old_one_stays_enabled() {
    let (t, _) = with_vault();
    let first = add_key(&t, "cmk-kv", "cmk");
    let rotated = t.ok("Invoke-AzKeyVaultKeyRotation", json!({"VaultName": "cmk-kv", "Name": "cmk"})).remove(0);
    assert_ne!(rotated["Version"], first["Version"]);
    let versions = t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "IncludeVersions": true}));
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["Version"], rotated["Version"], "current first");
    assert!(versions.iter().all(|v| v["Enabled"] == true));
    let old = t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "Version": first["Version"]}));
    assert_eq!(old[0]["Enabled"], true);
    assert_ne!(old[0]["Key"]["n"], rotated["Key"]["n"], "a new key pair");
}

#[test]
fn a_rotation_policy_of_thirty_days_rotates_when_the_clock_passes_it() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    let policy = t.ok(
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "ExpiresIn": "P2Y", "KeyRotationLifetimeAction": {"Action": "Rotate", "TimeAfterCreate": "P30D"}}),
    );
    assert_eq!(policy[0]["LifetimeActions"][0]["TimeAfterCreate"], "P30D");
    assert_eq!(
        t.ok("Get-AzKeyVaultKeyRotationPolicy", json!({"VaultName": "cmk-kv", "Name": "cmk"}))[0]["ExpiresIn"],
        "P2Y"
    );
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 29}));
    assert_eq!(
        t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "IncludeVersions": true})).len(),
        1
    );
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 2}));
    let versions = t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "IncludeVersions": true}));
    assert_eq!(versions.len(), 2, "rotated on the next command after day 30");
    assert!(versions[0]["Expires"].is_string(), "ExpiresIn applies to the new version");
    assert!(versions[1]["Enabled"] == true);
    // The CLI form of the same policy, and the validation Key Vault applies.
    t.ok(
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "LifetimeActionType": "Rotate", "TimeAfterCreate": "P18M"}),
    );
    t.fails(
        ErrorCode::InvalidArgument,
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "ExpiresIn": "P20D"}),
    );
    t.fails(
        ErrorCode::InvalidArgument,
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "LifetimeActionType": "Rotate", "TimeAfterCreate": "P1D"}),
    );
    t.fails(
        ErrorCode::InvalidArgument,
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "LifetimeActionType": "Rotate", "TimeAfterCreate": "soon"}),
    );
}

#[test]
fn a_deleted_key_is_listed_protected_from_purge_recovered_and_finally_purged() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    add_key(&t, "cmk-kv", "old");
    t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "Force": true}));
    let deleted = t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "InRemovedState": true}));
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["Name"], "cmk");
    assert!(deleted[0]["ScheduledPurgeDate"].is_string() && deleted[0]["DeletedDate"].is_string());
    t.fails(ErrorCode::NotFound, "Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk"}));
    t.fails(ErrorCode::Conflict, "Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk"}));
    let e = t.fails(
        ErrorCode::PurgeProtected,
        "Remove-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "InRemovedState": true}),
    );
    assert!(e.contains("purge protection"), "{e}");
    let back = t.ok("Undo-AzKeyVaultKeyRemoval", json!({"VaultName": "cmk-kv", "Name": "cmk"}));
    assert_eq!(back[0]["Name"], "cmk");
    // Another key deleted now is gone for good once the clock passes its purge date.
    t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "old"}));
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 91}));
    assert!(t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "InRemovedState": true})).is_empty());
    t.fails(ErrorCode::NotFound, "Undo-AzKeyVaultKeyRemoval", json!({"VaultName": "cmk-kv", "Name": "old"}));
    assert_eq!(t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv"})).len(), 1, "cmk stays");
    let purges: Vec<Value> =
        t.ok("Get-PpCmkAuditLog", json!({})).into_iter().filter(|e| e["Command"] == "KeyVault/PurgeKey").collect();
    assert_eq!(purges.len(), 1, "the purge is audited");
}

#[test]
fn disabled_and_expired_versions_refuse_operations() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    t.ok("Update-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "Enable": false}));
    let e = wrap(&t, None, "cmk-kv", "cmk").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidOperation);
    assert!(e.message.contains("disabled"), "{}", e.message);
    t.ok(
        "Update-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "Enable": true, "Expires": "2030-01-01"}),
    );
    wrap(&t, None, "cmk-kv", "cmk").unwrap();
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 365 * 5}));
    let e = wrap(&t, None, "cmk-kv", "cmk").unwrap_err();
    assert!(e.message.contains("expired"), "{}", e.message);
    t.fails(
        ErrorCode::InvalidArgument,
        "Update-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "NotBefore": "2040-01-01", "Expires": "2039-01-01"}),
    );
}

fn key_op(t: &TestStore, op: &str, input: &str) -> Result<String, ppcmk::Error> {
    t.run(
        "Invoke-AzKeyVaultKeyOperation",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "Operation": op, "Algorithm": "RSA-OAEP-256", "ByteArrayValue": input}),
    )
    .map(|o| o[0]["Result"].as_str().unwrap().to_string())
}

#[test]
fn expired_and_not_yet_active_versions_still_unwrap_and_decrypt() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    let plain = "AAECAwQFBgcICQoLDA0ODw==";
    let wrapped = key_op(&t, "Wrap", plain).unwrap();
    let encrypted = key_op(&t, "Encrypt", plain).unwrap();
    // Expired: wrapKey and encrypt are refused; what the version protected
    // while it was valid can still be recovered, as in Key Vault.
    t.ok("Update-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "Expires": "2030-01-01"}));
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 365 * 10}));
    for op in ["Wrap", "Encrypt"] {
        let e = key_op(&t, op, plain).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidOperation, "{op}");
        assert!(e.message.contains("expired"), "{op}: {}", e.message);
    }
    assert_eq!(key_op(&t, "Unwrap", &wrapped).unwrap(), plain);
    assert_eq!(key_op(&t, "Decrypt", &encrypted).unwrap(), plain);
    // Not yet active: the same split.
    t.ok("Set-PpCmkClock", json!({"Reset": true}));
    t.ok(
        "Update-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "NotBefore": "2090-01-01", "Expires": "2091-01-01"}),
    );
    let e = key_op(&t, "Wrap", plain).unwrap_err();
    assert!(e.message.contains("not active"), "{}", e.message);
    assert_eq!(key_op(&t, "Unwrap", &wrapped).unwrap(), plain);
    assert_eq!(key_op(&t, "Decrypt", &encrypted).unwrap(), plain);
    // A disabled version refuses everything, and key operations still apply.
    t.ok("Update-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "Enable": false}));
    assert!(key_op(&t, "Unwrap", &wrapped).unwrap_err().message.contains("disabled"));
    t.ok("Update-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "Enable": true, "KeyOps": ["wrapKey"]}));
    assert!(key_op(&t, "Unwrap", &wrapped).unwrap_err().message.contains("not permitted"));
}

// ------------------------------------------------------------------ access

#[test]
fn reader_cannot_wrap_until_granted_the_encryption_user_role_at_key_scope() {
    let (t, vault_id) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    let reader = t.user("reader");
    t.ok("New-AzRoleAssignment", json!({"ObjectId": reader, "RoleDefinitionName": "Reader", "Scope": vault_id}));
    let e = wrap(&t, Some(&upn("reader")), "cmk-kv", "cmk").unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(
        e.message.contains("Microsoft.KeyVault/vaults/keys/wrap/action"),
        "the missing permission is named: {}",
        e.message
    );
    t.ok(
        "New-AzRoleAssignment",
        json!({"ObjectId": reader, "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": format!("{vault_id}/keys/cmk")}),
    );
    let wrapped = wrap(&t, Some(&upn("reader")), "cmk-kv", "cmk").unwrap();
    assert_eq!(unwrap(&t, Some(&upn("reader")), "cmk-kv", "cmk", &wrapped).unwrap(), "AAECAwQFBgcICQoLDA0ODw==");
    // The role covers wrap and unwrap of that key, nothing more.
    t.fails_as(
        Some(&upn("reader")),
        ErrorCode::Forbidden,
        "Remove-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "cmk"}),
    );
    add_key(&t, "cmk-kv", "other");
    assert_eq!(wrap(&t, Some(&upn("reader")), "cmk-kv", "other").unwrap_err().code, ErrorCode::Forbidden);
    // The denials were audited.
    let denied = t.ok("Get-PpCmkAuditLog", json!({"Principal": upn("reader")}));
    assert!(denied.iter().filter(|e| e["Outcome"] == "Denied").count() >= 3);
    assert!(denied.iter().any(|e| e["Command"] == "KeyVault/unwrapKey" && e["Outcome"] == "Succeeded"));
}

#[test]
fn access_policy_vaults_check_the_principal_s_key_permissions() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let v = t.ok(
        "New-AzKeyVault",
        json!({"Name": "ap-kv", "ResourceGroupName": "rg", "Location": "centralus", "EnablePurgeProtection": true, "DisableRbacAuthorization": true}),
    );
    assert_eq!(v[0]["EnableRbacAuthorization"], false);
    assert_eq!(
        v[0]["AccessPolicies"][0]["ObjectId"], "00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        "the creator gets an access policy"
    );
    add_key(&t, "ap-kv", "cmk");
    let reader = t.user("reader");
    t.ok(
        "New-AzRoleAssignment",
        json!({"ObjectId": reader, "RoleDefinitionName": "Reader", "Scope": v[0]["ResourceId"]}),
    );
    let e = wrap(&t, Some(&upn("reader")), "ap-kv", "cmk").unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.contains("keys wrapKey permission"), "{}", e.message);
    t.ok(
        "Set-AzKeyVaultAccessPolicy",
        json!({"VaultName": "ap-kv", "ObjectId": reader, "PermissionsToKeys": ["get", "wrapKey", "unwrapKey"]}),
    );
    let wrapped = wrap(&t, Some(&upn("reader")), "ap-kv", "cmk").unwrap();
    unwrap(&t, Some(&upn("reader")), "ap-kv", "cmk", &wrapped).unwrap();
    t.fails_as(
        Some(&upn("reader")),
        ErrorCode::Forbidden,
        "Remove-AzKeyVaultKey",
        json!({"VaultName": "ap-kv", "Name": "cmk"}),
    );
    t.ok("Remove-AzKeyVaultAccessPolicy", json!({"VaultName": "ap-kv", "UserPrincipalName": upn("reader")}));
    assert_eq!(wrap(&t, Some(&upn("reader")), "ap-kv", "cmk").unwrap_err().code, ErrorCode::Forbidden);
    t.fails(
        ErrorCode::ParameterValidationFailed,
        "Set-AzKeyVaultAccessPolicy",
        json!({"VaultName": "ap-kv", "ObjectId": reader, "PermissionsToKeys": ["fly"]}),
    );
    // Access policies only change who may use keys; RBAC roles do not apply to this vault.
    t.ok(
        "New-AzRoleAssignment",
        json!({"ObjectId": reader, "RoleDefinitionName": "Key Vault Crypto User", "Scope": v[0]["ResourceId"]}),
    );
    assert_eq!(wrap(&t, Some(&upn("reader")), "ap-kv", "cmk").unwrap_err().code, ErrorCode::Forbidden);
}

#[test]
fn closed_networks_need_a_private_endpoint_for_users() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    t.ok("Update-AzKeyVault", json!({"VaultName": "cmk-kv", "PublicNetworkAccess": "Disabled"}));
    assert_eq!(wrap(&t, None, "cmk-kv", "cmk").unwrap_err().code, ErrorCode::ForbiddenByFirewall);
    let private = |t: &TestStore| {
        ppcmk::invoke_json(
            &t.store,
            &json!({"command": "Get-AzKeyVaultKey", "parameters": {"VaultName": "cmk-kv", "Name": "cmk"}, "network": "private"}),
            Default::default(),
        )
    };
    assert_eq!(private(&t).unwrap_err().code, ErrorCode::ForbiddenByFirewall, "no private endpoint yet");
    t.ok("Add-PpCmkKeyVaultPrivateEndpoint", json!({"VaultName": "cmk-kv"}));
    assert_eq!(private(&t).unwrap().objects.len(), 1);
    assert_eq!(
        wrap(&t, None, "cmk-kv", "cmk").unwrap_err().code,
        ErrorCode::ForbiddenByFirewall,
        "still closed to the public"
    );
    t.ok("Update-AzKeyVault", json!({"VaultName": "cmk-kv", "PublicNetworkAccess": "Enabled"}));
    t.ok("Update-AzKeyVaultNetworkRuleSet", json!({"VaultName": "cmk-kv", "DefaultAction": "Deny", "Bypass": "None"}));
    assert_eq!(wrap(&t, None, "cmk-kv", "cmk").unwrap_err().code, ErrorCode::ForbiddenByFirewall);
    t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultNetworkRule",
        json!({"VaultName": "cmk-kv", "IpAddressRange": ["300.1.1.1"]}),
    );
    let v = t.ok(
        "Add-AzKeyVaultNetworkRule",
        json!({"VaultName": "cmk-kv", "IpAddressRange": ["203.0.113.0/24"], "PassThru": true}),
    );
    assert_eq!(v[0]["NetworkAcls"]["IpAddressRanges"], json!(["203.0.113.0/24"]));
}

// --------------------------------------------------------------- at rest

#[test]
fn imported_private_keys_never_reach_the_database_file_in_clear() {
    let (t, _) = with_vault();
    let dir = support::TempDir::new("pem");
    let pem = dir.path().join("key.pem");
    let gen = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out"])
        .arg(&pem)
        .output()
        .expect("openssl runs");
    assert!(gen.status.success());
    let pem_text = std::fs::read_to_string(&pem).unwrap();
    let imported =
        t.ok("Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "imported", "KeyFilePath": pem})).remove(0);
    assert_eq!(imported["KeySize"], 2048);
    let modulus = ppcmk::crypto::from_base64(imported["Key"]["n"].as_str().unwrap()).unwrap();
    let generated = add_key(&t, "cmk-kv", "generated");
    let generated_modulus = ppcmk::crypto::from_base64(generated["Key"]["n"].as_str().unwrap()).unwrap();

    let bytes = support::store_file_bytes(&t.home());
    let contains = |needle: &[u8]| support::contains(&bytes, needle);
    let pem_body: String = pem_text.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("\n");
    for line in pem_body.lines().take(5) {
        assert!(!contains(line.as_bytes()), "a PEM line of the private key is in the database");
    }
    assert!(!contains(&modulus[..32]), "the imported key's modulus is in the database");
    assert!(!contains(&generated_modulus[..32]), "the generated key's modulus is in the database");
    // The key works: wrap with it, unwrap it back.
    let wrapped = wrap(&t, None, "cmk-kv", "imported").unwrap();
    assert_eq!(unwrap(&t, None, "cmk-kv", "imported", &wrapped).unwrap(), "AAECAwQFBgcICQoLDA0ODw==");
}

/// The sealed key material of a key's versions, read from the database file.
fn sealed_material(t: &TestStore, vault: &str, key: &str) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(t.home().join("ppcmk.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT v.private_sealed, v.public_sealed FROM vault_key_versions v
             JOIN vault_keys k ON k.key_id = v.key_id JOIN key_vaults kv ON kv.vault_id = k.vault_id
             WHERE kv.name = ?1 AND k.name = ?2",
        )
        .unwrap();
    let rows = stmt.query_map([vault, key], |r| Ok([r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?])).unwrap();
    rows.flat_map(|r| r.unwrap()).collect()
}

/// The handle keeps a key's unsealed material for the next operation
/// (issue 16): a purge must still end every use of it at once.
#[test]
fn a_purged_key_cannot_be_used_though_this_handle_had_unsealed_it() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    t.ok("New-AzRoleAssignment", json!({"SignInName": ADMIN, "RoleDefinitionName": "Key Vault Crypto Officer"}));
    t.ok("New-AzKeyVault", json!({"Name": "purge-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
    let version = add_key(&t, "purge-kv", "gone")["Version"].as_str().unwrap().to_string();
    let wrapped = wrap(&t, None, "purge-kv", "gone").unwrap();
    assert_eq!(unwrap(&t, None, "purge-kv", "gone", &wrapped).unwrap(), "AAECAwQFBgcICQoLDA0ODw==");
    t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "purge-kv", "Name": "gone"}));
    t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "purge-kv", "Name": "gone", "InRemovedState": true}));
    for op in [("Wrap", "AAECAwQFBgcICQoLDA0ODw=="), ("Unwrap", wrapped.as_str())] {
        let e = t
            .run(
                "Invoke-AzKeyVaultKeyOperation",
                json!({"VaultName": "purge-kv", "Name": "gone", "Version": version, "Operation": op.0, "Algorithm": "RSA-OAEP-256", "ByteArrayValue": op.1}),
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound, "{}: {}", op.0, e.message);
    }
    // A new key of the same name is new material: what the purged one
    // wrapped does not unwrap with it.
    add_key(&t, "purge-kv", "gone");
    assert!(unwrap(&t, None, "purge-kv", "gone", &wrapped).is_err(), "the purged key's material served again");
}

/// Authorisation is checked on every operation, before the handle's cached
/// key material is reached: a revoked role stops the next call.
#[test]
fn revoked_access_stops_a_key_this_handle_had_unsealed_at_once() {
    let (t, vault_id) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    let user = t.user("kvcrypto");
    let who = upn("kvcrypto");
    let role = json!({"ObjectId": user, "RoleDefinitionName": "Key Vault Crypto User", "Scope": vault_id});
    t.ok("New-AzRoleAssignment", role.clone());
    let wrapped = wrap(&t, Some(&who), "cmk-kv", "cmk").unwrap();
    unwrap(&t, Some(&who), "cmk-kv", "cmk", &wrapped).unwrap();
    t.ok("Remove-AzRoleAssignment", role);
    assert_eq!(wrap(&t, Some(&who), "cmk-kv", "cmk").unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(unwrap(&t, Some(&who), "cmk-kv", "cmk", &wrapped).unwrap_err().code, ErrorCode::Forbidden);
    // Disabling the version stops the owner's own calls the same way.
    t.ok("Update-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "Enable": false}));
    assert_eq!(wrap(&t, None, "cmk-kv", "cmk").unwrap_err().code, ErrorCode::InvalidOperation);
}

/// A key use's audit entry is group-committed (no fsync of its own), but
/// committed: another handle on the same store sees it as soon as the call
/// returns, and the chain stays whole.
#[test]
fn a_key_use_is_audited_before_the_call_returns() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    let other = ppcmk::Store::open(&t.home()).unwrap();
    let uses = || {
        let request = json!({"command": "Get-PpCmkAuditLog", "parameters": {}});
        let log = ppcmk::invoke_json(&other, &request, Default::default()).unwrap().objects;
        log.iter().filter(|e| e["Command"] == "KeyVault/wrapKey" && e["Outcome"] == "Succeeded").count()
    };
    for n in 1..=3 {
        wrap(&t, None, "cmk-kv", "cmk").unwrap();
        assert_eq!(uses(), n);
    }
    let verified =
        ppcmk::invoke_json(&other, &json!({"command": "Test-PpCmkAuditLog", "parameters": {}}), Default::default());
    assert_eq!(verified.unwrap().objects.first().unwrap()["Status"], "Pass");
}

#[test]
fn purged_key_material_leaves_no_copy_in_the_wal() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    t.ok("New-AzRoleAssignment", json!({"SignInName": ADMIN, "RoleDefinitionName": "Key Vault Crypto Officer"}));
    t.ok("New-AzKeyVault", json!({"Name": "purge-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
    t.ok(
        "New-AzKeyVault",
        json!({"Name": "kept-kv", "ResourceGroupName": "rg", "Location": "centralus", "EnablePurgeProtection": true, "SoftDeleteRetentionInDays": 7}),
    );
    add_key(&t, "purge-kv", "gone");
    add_key(&t, "kept-kv", "later");
    let gone = sealed_material(&t, "purge-kv", "gone");
    let later = sealed_material(&t, "kept-kv", "later");
    assert_eq!((gone.len(), later.len()), (2, 2));
    let in_store = |blob: &[u8]| support::contains(&support::store_file_bytes(&t.home()), blob);
    assert!(gone.iter().chain(&later).all(|b| in_store(b)), "the sealed keys are in the store files");
    // Purged on request: the database pages are overwritten and the WAL is
    // checkpointed and truncated, so no copy of the sealed key is left.
    t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "purge-kv", "Name": "gone"}));
    t.ok("Remove-AzKeyVaultKey", json!({"VaultName": "purge-kv", "Name": "gone", "InRemovedState": true}));
    for blob in &gone {
        assert!(!in_store(blob), "a purged key's sealed material is still in the database or its WAL");
    }
    // Purged on its scheduled date by maintenance: the same.
    t.ok("Remove-AzKeyVault", json!({"VaultName": "kept-kv"}));
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 8}));
    assert!(t.ok("Get-AzKeyVault", json!({"InRemovedState": true})).is_empty(), "purged");
    for blob in &later {
        assert!(!in_store(blob), "a purged vault's sealed key material is still in the database or its WAL");
    }
}

#[test]
fn key_files_in_every_supported_form_import_and_bad_ones_are_refused() {
    let (t, _) = with_vault();
    let dir = support::TempDir::new("keys");
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl").args(args).current_dir(dir.path()).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    openssl(&["genrsa", "-out", "pkcs8.pem", "3072"]);
    openssl(&["rsa", "-in", "pkcs8.pem", "-traditional", "-out", "pkcs1.pem"]);
    openssl(&["pkcs8", "-topk8", "-in", "pkcs8.pem", "-passout", "pass:s3cret", "-out", "encrypted.pem"]);
    openssl(&["rsa", "-in", "pkcs8.pem", "-outform", "DER", "-out", "key.der"]);
    openssl(&["genrsa", "-out", "small.pem", "1024"]);
    let path = |f: &str| dir.path().join(f).display().to_string();
    for (name, file) in [("pkcs8", "pkcs8.pem"), ("pkcs1", "pkcs1.pem"), ("der", "key.der")] {
        let k = t.ok("Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": name, "KeyFilePath": path(file)}));
        assert_eq!(k[0]["KeySize"], 3072, "{file}");
    }
    // A JSON Web Key, as Key Vault's REST import takes it (the server's fixture).
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../crates/serve/tests/data/import-rsa2048.json")).unwrap();
    std::fs::write(dir.path().join("key.jwk"), fixture["jwk"].to_string()).unwrap();
    let k = t.ok("Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "jwk", "KeyFilePath": path("key.jwk")}));
    assert_eq!((&k[0]["KeySize"], &k[0]["Key"]["n"]), (&json!(2048), &fixture["jwk"]["n"]));
    let mut hsm = fixture["jwk"].clone();
    hsm["kty"] = json!("RSA-HSM");
    std::fs::write(dir.path().join("hsm.jwk"), hsm.to_string()).unwrap();
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "jwk-hsm", "KeyFilePath": path("hsm.jwk")}),
    );
    assert!(e.contains("Premium"), "an RSA-HSM JWK asks for an HSM key: {e}");
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "enc", "KeyFilePath": path("encrypted.pem")}),
    );
    assert!(e.contains("-KeyFilePassword"), "{e}");
    t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "enc", "KeyFilePath": path("encrypted.pem"), "KeyFilePassword": "wrong"}),
    );
    t.ok("Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "enc", "KeyFilePath": path("encrypted.pem"), "KeyFilePassword": "s3cret"}));
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "small", "KeyFilePath": path("small.pem")}),
    );
    assert!(e.contains("1024"), "{e}");
    t.fails(
        ErrorCode::FileError,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "none", "KeyFilePath": path("missing.pem")}),
    );
    t.fails(
        ErrorCode::FileError,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "dir", "KeyFilePath": path("")}),
    );
    std::fs::write(dir.path().join("cert.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        .unwrap();
    t.fails(
        ErrorCode::InvalidArgument,
        "Add-AzKeyVaultKey",
        json!({"VaultName": "cmk-kv", "Name": "cert", "KeyFilePath": path("cert.pem")}),
    );
}

#[test]
fn maintenance_reports_what_came_due() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    t.ok(
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "LifetimeActionType": "Rotate", "TimeAfterCreate": "P30D"}),
    );
    assert!(t.ok("Invoke-PpCmkMaintenance", json!({})).is_empty());
    // Advancing 95 days: the rotations due at days 30, 60 and 90 are not
    // replayed; the key rotates once, now, and its schedule restarts from there.
    let store = ppcmk::Store::open(&t.home()).unwrap();
    ppcmk::invoke_json(
        &store,
        &json!({"command": "Set-PpCmkClock", "parameters": {"AdvanceDays": 95}}),
        Default::default(),
    )
    .unwrap();
    let events = t.ok("Invoke-PpCmkMaintenance", json!({}));
    assert_eq!(events.iter().filter(|e| e["Action"] == "RotateKey").count(), 1, "{events:?}");
    let versions = || t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk", "IncludeVersions": true}));
    assert_eq!(versions().len(), 2);
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 29}));
    assert_eq!(versions().len(), 2, "30 days after the catch-up rotation, not after day 90");
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 2}));
    assert_eq!(versions().len(), 3);
}

#[test]
fn a_ten_year_clock_jump_rotates_each_key_once() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "weekly");
    add_key(&t, "cmk-kv", "other");
    for key in ["weekly", "other"] {
        t.ok(
            "Set-AzKeyVaultKeyRotationPolicy",
            json!({"VaultName": "cmk-kv", "Name": key, "LifetimeActionType": "Rotate", "TimeAfterCreate": "P7D"}),
        );
    }
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 3650}));
    let events = t.ok("Invoke-PpCmkMaintenance", json!({}));
    let rotations: Vec<&Value> = events.iter().filter(|e| e["Action"] == "RotateKey").collect();
    assert_eq!(rotations.len(), 2, "one rotation per key, not one per skipped week: {events:?}");
    for key in ["weekly", "other"] {
        let versions = t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": key, "IncludeVersions": true}));
        assert_eq!(versions.len(), 2, "{key}");
    }
    assert!(t.ok("Invoke-PpCmkMaintenance", json!({})).is_empty(), "nothing is due after the catch-up");
}

#[test]
fn rotation_policies_keep_every_trigger_inside_the_key_lifetime() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "cmk");
    let set = |expires: &str, action: Value| {
        let mut params = json!({"VaultName": "cmk-kv", "Name": "cmk", "ExpiresIn": expires});
        params["KeyRotationLifetimeAction"] = action;
        t.run("Set-AzKeyVaultKeyRotationPolicy", params)
    };
    // Valid: rotate 18 months after creation or 30 days before a 2-year expiry.
    set("P2Y", json!({"Action": "Rotate", "TimeAfterCreate": "P18M"})).unwrap();
    set("P2Y", json!({"Action": "Rotate", "TimeBeforeExpiry": "P30D"})).unwrap();
    set("P90D", json!({"Action": "Notify", "TimeBeforeExpiry": "P30D"})).unwrap();
    // A trigger at or beyond the expiry is refused, with both values named.
    for (expires, action, named) in [
        ("P30D", json!({"Action": "Rotate", "TimeBeforeExpiry": "P30D"}), "TimeBeforeExpiry 'P30D'"),
        ("P60D", json!({"Action": "Rotate", "TimeBeforeExpiry": "P3M"}), "TimeBeforeExpiry 'P3M'"),
        ("P60D", json!({"Action": "Notify", "TimeBeforeExpiry": "P1Y"}), "TimeBeforeExpiry 'P1Y'"),
        ("P1Y", json!({"Action": "Rotate", "TimeAfterCreate": "P1Y"}), "TimeAfterCreate 'P1Y'"),
        ("P90D", json!({"Action": "Rotate", "TimeAfterCreate": "P18M"}), "TimeAfterCreate 'P18M'"),
    ] {
        let e = set(expires, action).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{expires}: {e}");
        assert!(e.message.contains(named) && e.message.contains(&format!("ExpiresIn '{expires}'")), "{e}");
    }
    // The same rule for a policy file.
    let file = t.dir.path().join("policy.json");
    std::fs::write(
        &file,
        r#"{"lifetimeActions":[{"trigger":{"timeBeforeExpiry":"P45D"},"action":{"type":"Rotate"}}],"attributes":{"expiryTime":"P30D"}}"#,
    )
    .unwrap();
    t.fails(
        ErrorCode::InvalidArgument,
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"VaultName": "cmk-kv", "Name": "cmk", "PolicyPath": file}),
    );
    // The refused policies left the last valid one in place.
    let policy = t.ok("Get-AzKeyVaultKeyRotationPolicy", json!({"VaultName": "cmk-kv", "Name": "cmk"})).remove(0);
    assert_eq!(policy["ExpiresIn"], "P90D");
}

#[test]
fn a_key_that_cannot_rotate_does_not_stop_other_commands() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "broken");
    add_key(&t, "cmk-kv", "healthy");
    for key in ["broken", "healthy"] {
        t.ok(
            "Set-AzKeyVaultKeyRotationPolicy",
            json!({"VaultName": "cmk-kv", "Name": key, "LifetimeActionType": "Rotate", "TimeAfterCreate": "P30D"}),
        );
    }
    // A stored policy the engine can no longer read: rotating this key fails.
    t.sql("UPDATE vault_keys SET rotation_policy = '{not json' WHERE name = 'broken'");
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 31}));
    // Every command still runs; the healthy key rotated, the broken one was skipped.
    assert_eq!(t.ok("Get-AzContext", json!({}))[0]["Account"], ADMIN);
    let versions = |key: &str| {
        t.ok("Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": key, "IncludeVersions": true})).len()
    };
    assert_eq!((versions("healthy"), versions("broken")), (2, 1));
    let failures = || -> Vec<Value> {
        t.ok("Get-PpCmkAuditLog", json!({}))
            .into_iter()
            .filter(|e| e["Command"] == "KeyVault/RotateKeyFailed")
            .collect()
    };
    let failed = failures();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["Outcome"], "Failed");
    assert_eq!(failed[0]["ErrorCode"], "Internal");
    assert!(failed[0]["Target"].as_str().unwrap().ends_with("/keys/broken"), "{failed:?}");
    // The failure is retried a day later, not on every command.
    t.ok("Get-AzKeyVault", json!({}));
    assert_eq!(failures().len(), 1);
    t.ok("Set-PpCmkClock", json!({"AdvanceHours": 25}));
    t.ok("Get-AzKeyVault", json!({}));
    assert_eq!(failures().len(), 2);
}

#[test]
fn the_clock_commands_run_even_when_maintenance_cannot() {
    let (t, _) = with_vault();
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 10}));
    // Break the store under the health checks: the whole pass fails.
    t.sql("ALTER TABLE environments RENAME TO environments_moved");
    let e = t.run("Get-AzContext", json!({})).unwrap_err();
    assert_eq!(e.code, ErrorCode::StoreError, "{e}");
    assert_eq!(t.ok("Get-PpCmkClock", json!({}))[0]["OffsetDays"], 10);
    assert_eq!(t.ok("Set-PpCmkClock", json!({"Reset": true}))[0]["OffsetSeconds"], 0);
    assert_eq!(t.ok("Get-PpCmkClock", json!({}))[0]["OffsetSeconds"], 0);
    t.sql("ALTER TABLE environments_moved RENAME TO environments");
    assert_eq!(t.ok("Get-AzContext", json!({}))[0]["Account"], ADMIN);
}

// ------------------------------------------------------------ sign, verify

#[test]
fn sign_and_verify_a_digest_with_the_vaults_key() {
    let (t, _) = with_vault();
    add_key(&t, "cmk-kv", "signer");
    let digest = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; // SHA-256 of ""
    let op = |operation: &str, alg: &str, value: &str, signature: Option<&str>| {
        let mut p = json!({"VaultName": "cmk-kv", "Name": "signer", "Operation": operation, "Algorithm": alg, "ByteArrayValue": value});
        if let Some(s) = signature {
            p["Signature"] = json!(s);
        }
        t.run("Invoke-AzKeyVaultKeyOperation", p)
    };
    for alg in ["RS256", "PS256"] {
        let signed = op("Sign", alg, digest, None).unwrap();
        let signature = signed[0]["Result"].as_str().unwrap().to_string();
        assert_eq!(op("Verify", alg, digest, Some(&signature)).unwrap()[0]["Result"], json!(true));
        let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        assert_eq!(op("Verify", alg, other, Some(&signature)).unwrap()[0]["Result"], json!(false));
    }
    // RS signatures are deterministic, PS ones salted.
    let rs = |_: ()| op("Sign", "RS256", digest, None).unwrap()[0]["Result"].clone();
    assert_eq!(rs(()), rs(()));
    assert_eq!(
        op("Sign", "RS256", "AAEC", None).unwrap_err().code,
        ErrorCode::InvalidArgument,
        "a digest of the wrong length"
    );
    assert_eq!(op("Sign", "RSA-OAEP", digest, None).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(op("Wrap", "PS256", digest, None).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(
        op("Verify", "RS256", digest, None).unwrap_err().code,
        ErrorCode::InvalidArgument,
        "verify needs -Signature"
    );
    // A key without the sign operation refuses it.
    t.ok("Update-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "signer", "KeyOps": ["wrapKey", "unwrapKey"]}));
    assert_eq!(op("Sign", "RS256", digest, None).unwrap_err().code, ErrorCode::InvalidOperation);
}

#[test]
fn size_and_type_refusals_list_2048_3072_and_4096() {
    let (t, _) = with_vault();
    for params in [
        json!({"VaultName": "cmk-kv", "Name": "small", "Size": 1024}),
        json!({"VaultName": "cmk-kv", "Name": "ec", "KeyType": "EC"}),
    ] {
        let e = t.fails(ErrorCode::InvalidArgument, "Add-AzKeyVaultKey", params);
        // 002:222 lists three sizes; the message must not take one back.
        assert!(e.contains("2048, 3072 or 4096") && !e.contains("2048 or 3072"), "{e}");
    }
}

#[test]
fn a_managed_hsm_without_purge_protection_is_refused_with_the_creation_only_remedy() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let hsm = t.ok(
        "New-AzKeyVaultManagedHsm",
        json!({"Name": "contoso-hsm", "ResourceGroupName": "rg", "Location": "centralus", "Administrator": [ADMIN]}),
    );
    let hsm_id = hsm[0]["ResourceId"].as_str().unwrap().to_string();
    t.ok("Register-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}));
    let dir = crate::support::TempDir::new("hsm-policy");
    let template = dir.path().join("policy.json");
    std::fs::write(&template, crate::support::cmk::filled_template("hsm-policy", "unitedstates", &hsm_id, "cmk"))
        .unwrap();
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "New-AzResourceGroupDeployment",
        json!({"ResourceGroupName": "rg", "TemplateFile": template}),
    );
    // Only chosen at creation: the remedy is a new HSM, never Update-AzKeyVault (NotFound for an HSM).
    assert!(e.contains("only be chosen when it is created") && e.contains("New-AzKeyVaultManagedHsm"), "{e}");
    assert!(!e.contains("Update-AzKeyVault"), "{e}");
}

/// 002:199-202: a new managed HSM is provisioned, then activated by
/// downloading its security domain, encrypted to 3-10 RSA public keys with a
/// quorum; before that, key operations fail. The file holds the domain key
/// wrapped (RSA-OAEP-256) to each certificate: each private key opens it.
#[test]
fn a_managed_hsm_is_usable_only_once_its_security_domain_is_downloaded() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let hsm = t.ok(
        "New-AzKeyVaultManagedHsm",
        json!({"Name": "contoso-hsm", "ResourceGroupName": "rg", "Location": "centralus", "Administrator": [ADMIN], "EnablePurgeProtection": true}),
    );
    assert_eq!(hsm[0]["SecurityDomainActivationStatus"], "NotActivated");
    t.ok(
        "New-AzKeyVaultRoleAssignment",
        json!({"HsmName": "contoso-hsm", "RoleDefinitionName": "Managed HSM Crypto User", "SignInName": ADMIN, "Scope": "/keys"}),
    );
    let add = json!({"HsmName": "contoso-hsm", "Name": "cmk", "KeyType": "RSA-HSM", "Size": 2048});
    let e = t.fails(ErrorCode::InvalidOperation, "Add-AzKeyVaultKey", add.clone());
    assert!(e.contains("not activated") && e.contains("Export-AzKeyVaultSecurityDomain"), "{e}");
    let dir = crate::support::TempDir::new("sd");
    let certs = crate::support::security_domain_certificates(dir.path(), 3);
    let output = dir.path().join("sd.ps.json");
    let export = |certs: &[String], quorum: i64| {
        t.run(
            "Export-AzKeyVaultSecurityDomain",
            json!({"Name": "contoso-hsm", "Certificates": certs, "Quorum": quorum, "OutputPath": output}),
        )
    };
    // At least three certificates; a quorum between 2 and their number.
    assert_eq!(export(&certs[..2], 2).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(export(&certs, 4).unwrap_err().code, ErrorCode::InvalidArgument);
    assert!(!output.exists(), "nothing written on a refusal");
    t.fails(ErrorCode::InvalidOperation, "Add-AzKeyVaultKey", add.clone());
    let active = export(&certs, 2).unwrap();
    assert_eq!(active[0]["SecurityDomainActivationStatus"], "Active");
    assert_eq!(
        t.ok("Get-AzKeyVaultManagedHsm", json!({"Name": "contoso-hsm"}))[0]["SecurityDomainActivationStatus"],
        "Active"
    );
    let key = t.ok("Add-AzKeyVaultKey", add).remove(0);
    assert_eq!(key["KeyType"], "RSA-HSM");
    // The file: quorum 2 and one share per certificate, each opened by its private key.
    let file: Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert_eq!(file["quorum"], 2);
    let shares = file["shares"].as_array().unwrap();
    assert_eq!(shares.len(), 3);
    let mut opened = Vec::new();
    for (i, share) in shares.iter().enumerate() {
        let wrapped = dir.path().join(format!("share{i}.bin"));
        std::fs::write(&wrapped, ppcmk::crypto::from_base64(share["value"].as_str().unwrap()).unwrap()).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["pkeyutl", "-decrypt", "-inkey"])
            .arg(dir.path().join(format!("sd{}.key", i + 1)))
            .args([
                "-pkeyopt",
                "rsa_padding_mode:oaep",
                "-pkeyopt",
                "rsa_oaep_md:sha256",
                "-pkeyopt",
                "rsa_mgf1_md:sha256",
                "-in",
            ])
            .arg(&wrapped)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        opened.push(out.stdout);
    }
    assert_eq!(opened[0].len(), 32);
    assert!(opened.iter().all(|k| *k == opened[0]), "every share holds the same domain key");
    // The file is not overwritten without -Force.
    assert_eq!(export(&certs, 2).unwrap_err().code, ErrorCode::AlreadyExists);
}
