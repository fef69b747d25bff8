//! The core engine through the command registry: sign-in, directory, roles,
//! Azure RBAC, resource groups and providers, the clock and the audit log,
//! with a negative test for each refusal.

use crate::support;

use ppcmk::ErrorCode;
use serde_json::json;
use support::{upn, TestStore};

const ADMIN: &str = "admin@contoso.onmicrosoft.com";
const SUB: &str = "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e";

// ------------------------------------------------------------------ sign-in

#[test]
fn a_new_store_has_the_global_administrator_signed_in() {
    let t = TestStore::new();
    let ctx = t.ok("Get-AzContext", json!({}));
    assert_eq!(ctx.len(), 1);
    assert_eq!(ctx[0]["Account"], ADMIN);
    assert_eq!(ctx[0]["DirectoryRoles"], json!(["Global Administrator"]));
    assert_eq!(ctx[0]["TenantId"], "aaaabbbb-0000-cccc-1111-dddd2222eeee");
    assert_eq!(ctx[0]["PowerPlatformAccount"], ADMIN);
}

#[test]
fn sign_out_and_in_again() {
    let t = TestStore::new();
    t.user("kv");
    t.ok("Disconnect-AzAccount", json!({}));
    assert!(t.ok("Get-AzContext", json!({})).is_empty(), "nobody signed in");
    t.fails(ErrorCode::NotSignedIn, "New-AzADUser", json!({"DisplayName": "x", "UserPrincipalName": upn("x")}));
    let ctx = t.ok("Connect-AzAccount", json!({"AccountId": upn("kv")}));
    assert_eq!(ctx[0]["Account"], upn("kv"));
    assert!(ctx[0]["DirectoryRoles"].as_array().unwrap().is_empty());
    // The Power Platform side keeps its own session.
    assert_eq!(ctx[0]["PowerPlatformAccount"], ADMIN);
    t.ok("Add-PowerAppsAccount", json!({"Username": upn("kv")}));
    assert_eq!(t.ok("Get-AzContext", json!({}))[0]["PowerPlatformAccount"], upn("kv"));
    t.ok("Remove-PowerAppsAccount", json!({}));
    assert!(t.ok("Get-AzContext", json!({}))[0]["PowerPlatformAccount"].is_null());
}

#[test]
fn sign_in_refusals() {
    let t = TestStore::new();
    t.fails(ErrorCode::NotFound, "Connect-AzAccount", json!({"AccountId": upn("ghost")}));
    t.fails(ErrorCode::NotFound, "Connect-AzAccount", json!({"Tenant": "fabrikam.onmicrosoft.com"}));
    t.fails(ErrorCode::NotFound, "Connect-AzAccount", json!({"Subscription": "Other"}));
    t.ok("Connect-AzAccount", json!({"Tenant": "contoso.onmicrosoft.com", "Subscription": "Contoso Subscription"}));
    t.fails(ErrorCode::ParameterValidationFailed, "Add-PowerAppsAccount", json!({"Endpoint": "mars"}));
    // An account override that names nobody is refused, not ignored.
    let e = t.fails_as(Some("ghost@contoso.onmicrosoft.com"), ErrorCode::NotSignedIn, "Get-AzContext", json!({}));
    assert!(e.contains("ghost@contoso.onmicrosoft.com"), "{e}");
}

#[test]
fn a_disabled_account_is_refused_signed_in_or_named() {
    let t = TestStore::new();
    let bob = t.user("bob");
    t.ok("Connect-AzAccount", json!({"AccountId": upn("bob")}));
    // Bob is signed in and gets disabled (by the administrator, named explicitly).
    t.ok_as(ADMIN, "Update-AzADUser", json!({"UPNOrObjectId": upn("bob"), "AccountEnabled": false}));
    let e = t.fails(ErrorCode::Forbidden, "Get-AzResourceGroup", json!({}));
    assert!(e.contains("disabled") && e.contains(&upn("bob")), "{e}");
    t.fails(ErrorCode::Forbidden, "Get-AzContext", json!({}));
    // What needs no caller still runs, so another account can sign in.
    t.ok("Get-PpCmkClock", json!({}));
    t.ok("Connect-AzAccount", json!({"AccountId": ADMIN}));
    assert_eq!(t.ok("Get-AzContext", json!({}))[0]["Account"], ADMIN);
    // Named by PPCMK_ACCOUNT (or a request's account), by UPN or object id: refused outright.
    for named in [upn("bob"), bob.clone()] {
        let e = t.fails_as(Some(&named), ErrorCode::Forbidden, "Get-PpCmkClock", json!({}));
        assert!(e.contains("disabled"), "{e}");
    }
    t.fails(ErrorCode::Forbidden, "Connect-AzAccount", json!({"AccountId": upn("bob")}));
    let out = support::cli_as(&t.home(), Some(&upn("bob")), &["Get-AzResourceGroup"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(support::stderr(&out).contains("Forbidden"), "{}", support::stderr(&out));
    // Every refusal is audited under Bob's name.
    let denied: Vec<_> = t
        .ok("Get-PpCmkAuditLog", json!({"Principal": upn("bob")}))
        .into_iter()
        .filter(|e| e["Outcome"] == "Denied" && e["ErrorCode"] == "Forbidden")
        .map(|e| e["Command"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        denied,
        ["Get-AzResourceGroup", "Get-AzContext", "Get-PpCmkClock", "Get-PpCmkClock", "Get-AzResourceGroup"]
    );
    // Enabled again, Bob acts again.
    let back = t.ok("Update-AzADUser", json!({"ObjectId": bob, "AccountEnabled": true, "PassThru": true}));
    assert_eq!(back[0]["AccountEnabled"], true);
    assert_eq!(t.ok_as(&upn("bob"), "Get-AzContext", json!({}))[0]["Account"], upn("bob"));
}

#[test]
fn users_are_updated_by_the_global_administrator_and_the_last_one_stays_enabled() {
    let t = TestStore::new();
    t.user("carol");
    t.fails_as(
        Some(&upn("carol")),
        ErrorCode::Forbidden,
        "Update-AzADUser",
        json!({"UPNOrObjectId": upn("carol"), "DisplayName": "Carol C"}),
    );
    let u = t.ok("Update-AzADUser", json!({"UPNOrObjectId": upn("carol"), "DisplayName": "Carol C", "PassThru": true}));
    assert_eq!(u[0]["DisplayName"], "Carol C");
    t.fails(ErrorCode::NotFound, "Update-AzADUser", json!({"UPNOrObjectId": upn("nobody"), "AccountEnabled": false}));
    let e = t.fails(ErrorCode::Conflict, "Update-AzADUser", json!({"UPNOrObjectId": ADMIN, "AccountEnabled": false}));
    assert!(e.contains("last enabled Global Administrator"), "{e}");
    t.ok(
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Global Administrator", "UserPrincipalName": upn("carol")}),
    );
    t.ok("Update-AzADUser", json!({"UPNOrObjectId": ADMIN, "AccountEnabled": false}));
    t.fails(ErrorCode::Forbidden, "Get-AzResourceGroup", json!({}));
    t.ok_as(&upn("carol"), "Update-AzADUser", json!({"UPNOrObjectId": ADMIN, "AccountEnabled": true}));
    t.ok("Get-AzResourceGroup", json!({}));
}

#[test]
fn an_account_override_must_name_a_user() {
    let c = support::cmk::Cmk::new();
    let t = &c.t;
    let sp = t.ok("Get-AzADServicePrincipal", json!({"ObjectId": c.identity})).remove(0);
    let app_id = sp["AppId"].as_str().unwrap().to_string();
    // The enterprise policy's identity may unwrap with the customer key; no
    // shell user may act as it, by object id or application id.
    for named in [c.identity.clone(), app_id.clone()] {
        let e = t.fails_as(
            Some(&named),
            ErrorCode::Forbidden,
            "Invoke-AzKeyVaultKeyOperation",
            json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Operation": "Wrap", "Algorithm": "RSA-OAEP-256", "ByteArrayValue": "AAECAwQFBgcICQoLDA0ODw=="}),
        );
        assert!(e.contains("service principal") && e.contains("user"), "{e}");
        t.fails_as(Some(&named), ErrorCode::Forbidden, "Get-AzContext", json!({}));
    }
    let out = support::cli_as(&t.home(), Some(&c.identity), &["Get-AzContext"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(support::stderr(&out).contains("Forbidden"), "{}", support::stderr(&out));
    // Nor sign in as it.
    t.fails(ErrorCode::Forbidden, "Connect-AzAccount", json!({"AccountId": c.identity}));
    t.fails(ErrorCode::Forbidden, "Add-PowerAppsAccount", json!({"Username": app_id}));
    // Users are named by UPN or object id.
    let id = t.user("dave");
    assert_eq!(t.ok_as(&id, "Get-AzContext", json!({}))[0]["Account"], upn("dave"));
}

// ---------------------------------------------------------------- directory

#[test]
fn users_are_created_by_the_global_administrator_only() {
    let t = TestStore::new();
    let id = t.user("alice");
    let found = t.ok("Get-AzADUser", json!({"UserPrincipalName": upn("alice")}));
    assert_eq!(found[0]["Id"], id.as_str());
    assert_eq!(found[0]["MailNickname"], "alice");
    assert_eq!(t.ok("Get-AzADUser", json!({"ObjectId": id}))[0]["DisplayName"], "alice");
    assert_eq!(t.ok("Get-AzADUser", json!({"StartsWith": "ali"})).len(), 1);
    assert_eq!(t.ok("Get-AzADUser", json!({})).len(), 2, "alice and the administrator");
    t.fails_as(
        Some(&upn("alice")),
        ErrorCode::Forbidden,
        "New-AzADUser",
        json!({"DisplayName": "Bob", "UserPrincipalName": upn("bob")}),
    );
    t.fails(ErrorCode::AlreadyExists, "New-AzADUser", json!({"DisplayName": "A2", "UserPrincipalName": upn("ALICE")}));
    let e = t.fails(
        ErrorCode::InvalidArgument,
        "New-AzADUser",
        json!({"DisplayName": "E", "UserPrincipalName": "e@fabrikam.com"}),
    );
    assert!(e.contains("verified domain"), "{e}");
    t.fails(ErrorCode::InvalidArgument, "New-AzADUser", json!({"DisplayName": "E", "UserPrincipalName": "no-at-sign"}));
    t.fails(
        ErrorCode::InvalidArgument,
        "New-AzADUser",
        json!({"DisplayName": "E", "UserPrincipalName": "a b@contoso.onmicrosoft.com"}),
    );
    t.fails(ErrorCode::NotFound, "Get-AzADUser", json!({"UserPrincipalName": upn("nobody")}));
    t.fails(
        ErrorCode::ParameterSetConflict,
        "Get-AzADUser",
        json!({"UserPrincipalName": upn("alice"), "ObjectId": id}),
    );
}

#[test]
fn service_principals_start_empty_and_unknown_ids_are_not_found() {
    let t = TestStore::new();
    assert!(t.ok("Get-AzADServicePrincipal", json!({})).is_empty());
    t.fails(
        ErrorCode::NotFound,
        "Get-AzADServicePrincipal",
        json!({"ObjectId": "11111111-1111-1111-1111-111111111111"}),
    );
}

#[test]
fn directory_roles_are_managed_by_the_global_administrator() {
    let t = TestStore::new();
    t.user("pp");
    t.user("kv");
    let added = t.ok(
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "power platform administrator", "UserPrincipalName": upn("pp")}),
    );
    assert_eq!(added[0]["RoleName"], "Power Platform Administrator");
    assert_eq!(added[0]["RoleTemplateId"], "11648597-926c-4cf3-9c36-bcebb0ba8dcc");
    t.fails(
        ErrorCode::Conflict,
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Power Platform Administrator", "UserPrincipalName": upn("pp")}),
    );
    // A Power Platform administrator is not a Global Administrator.
    t.fails_as(
        Some(&upn("pp")),
        ErrorCode::Forbidden,
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Dynamics 365 Administrator", "UserPrincipalName": upn("kv")}),
    );
    t.fails(
        ErrorCode::NotFound,
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Dynamics 365 Administrator", "UserPrincipalName": upn("ghost")}),
    );
    t.fails(
        ErrorCode::ParameterValidationFailed,
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Janitor", "UserPrincipalName": upn("kv")}),
    );
    let ctx = t.ok_as(&upn("pp"), "Get-AzContext", json!({}));
    assert_eq!(ctx[0]["DirectoryRoles"], json!(["Power Platform Administrator"]));
    assert_eq!(t.ok("Get-PpCmkDirectoryRoleMember", json!({})).len(), 2);
    assert_eq!(t.ok("Get-PpCmkDirectoryRoleMember", json!({"RoleName": "Global Administrator"})).len(), 1);
    t.fails(
        ErrorCode::NotFound,
        "Remove-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Dynamics 365 Administrator", "UserPrincipalName": upn("pp")}),
    );
    let e = t.fails(
        ErrorCode::Conflict,
        "Remove-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Global Administrator", "UserPrincipalName": ADMIN}),
    );
    assert!(e.contains("last Global Administrator"), "{e}");
    t.ok(
        "Remove-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Power Platform Administrator", "UserPrincipalName": upn("pp")}),
    );
    assert!(t.ok_as(&upn("pp"), "Get-AzContext", json!({}))[0]["DirectoryRoles"].as_array().unwrap().is_empty());
}

// --------------------------------------------------------------------- RBAC

#[test]
fn role_definitions_carry_azure_ids_and_data_actions() {
    let t = TestStore::new();
    let all = t.ok("Get-AzRoleDefinition", json!({}));
    for name in [
        "Owner",
        "Contributor",
        "Reader",
        "User Access Administrator",
        "Key Vault Administrator",
        "Key Vault Crypto Officer",
        "Key Vault Crypto User",
        "Key Vault Crypto Service Encryption User",
        "Key Vault Reader",
        "Managed HSM Crypto User",
    ] {
        assert!(all.iter().any(|r| r["Name"] == name), "{name} missing");
    }
    let r = t.ok("Get-AzRoleDefinition", json!({"Name": "Key Vault Crypto Service Encryption User"}));
    assert_eq!(r[0]["Id"], "e147488a-f6f5-4113-8e2d-b22465e65bf6");
    assert_eq!(
        r[0]["DataActions"],
        json!([
            "Microsoft.KeyVault/vaults/keys/read",
            "Microsoft.KeyVault/vaults/keys/wrap/action",
            "Microsoft.KeyVault/vaults/keys/unwrap/action"
        ])
    );
    assert!(t.ok("Get-AzRoleDefinition", json!({"Name": "No Such Role"})).is_empty());
}

#[test]
fn a_user_without_roles_cannot_assign_and_a_duplicate_is_a_conflict() {
    let t = TestStore::new();
    let nobody = t.user("nobody");
    let e = t.fails_as(
        Some(&upn("nobody")),
        ErrorCode::Forbidden,
        "New-AzRoleAssignment",
        json!({"ObjectId": nobody, "RoleDefinitionName": "Reader", "Scope": SUB}),
    );
    assert!(e.contains("Microsoft.Authorization/roleAssignments/write"), "{e}");
    let a = t.ok("New-AzRoleAssignment", json!({"ObjectId": nobody, "RoleDefinitionName": "Reader", "Scope": SUB}));
    assert_eq!(a[0]["RoleDefinitionId"], "acdd72a7-3385-48ef-bd42-f606fba81ae7");
    assert_eq!(a[0]["ObjectType"], "User");
    assert_eq!(a[0]["SignInName"], upn("nobody"));
    assert_eq!(a[0]["CanDelegate"], false);
    assert!(a[0]["RoleAssignmentId"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/")));
    t.fails(
        ErrorCode::Conflict,
        "New-AzRoleAssignment",
        json!({"ObjectId": nobody, "RoleDefinitionName": "reader", "Scope": SUB}),
    );
}

#[test]
fn role_assignment_refusals_have_their_own_codes() {
    let t = TestStore::new();
    let id = t.user("u");
    let e =
        t.fails(ErrorCode::NotFound, "New-AzRoleAssignment", json!({"ObjectId": id, "RoleDefinitionName": "Wizard"}));
    assert!(e.contains("Wizard"), "{e}");
    t.fails(
        ErrorCode::NotFound,
        "New-AzRoleAssignment",
        json!({"ObjectId": "11111111-1111-1111-1111-111111111111", "RoleDefinitionName": "Reader"}),
    );
    t.fails(
        ErrorCode::NotFound,
        "New-AzRoleAssignment",
        json!({"SignInName": upn("ghost"), "RoleDefinitionName": "Reader"}),
    );
    t.fails(
        ErrorCode::NotFound,
        "New-AzRoleAssignment",
        json!({"ObjectId": id, "RoleDefinitionName": "Reader", "Scope": format!("{SUB}/resourceGroups/missing")}),
    );
    t.fails(
        ErrorCode::NotFound,
        "New-AzRoleAssignment",
        json!({"ObjectId": id, "RoleDefinitionName": "Reader", "Scope": "/subscriptions/11111111-1111-1111-1111-111111111111"}),
    );
    for bad in
        ["/subscriptions", "subscriptions/x", &format!("{SUB}/"), &format!("{SUB}/resourceGroups/rg/providers/X")]
    {
        t.fails(
            ErrorCode::InvalidArgument,
            "New-AzRoleAssignment",
            json!({"ObjectId": id, "RoleDefinitionName": "Reader", "Scope": bad}),
        );
    }
    t.fails(
        ErrorCode::InvalidArgument,
        "New-AzRoleAssignment",
        json!({"ObjectId": id, "RoleDefinitionName": "Managed HSM Crypto User"}),
    );
    t.fails(ErrorCode::MissingMandatoryParameter, "New-AzRoleAssignment", json!({"ObjectId": id}));
    t.fails(
        ErrorCode::ParameterSetConflict,
        "New-AzRoleAssignment",
        json!({"ObjectId": id, "SignInName": upn("u"), "RoleDefinitionName": "Reader"}),
    );
}

#[test]
fn owner_and_user_access_administrator_assign_within_their_scope() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg1", "Location": "centralus"}));
    t.ok("New-AzResourceGroup", json!({"Name": "rg2", "Location": "westeurope"}));
    let owner = t.user("owner");
    let uaa = t.user("uaa");
    let contributor = t.user("contrib");
    let target = t.user("target");
    let rg1 = format!("{SUB}/resourceGroups/rg1");
    t.ok("New-AzRoleAssignment", json!({"ObjectId": owner, "RoleDefinitionName": "Owner", "ResourceGroupName": "rg1"}));
    t.ok(
        "New-AzRoleAssignment",
        json!({"ObjectId": uaa, "RoleDefinitionName": "User Access Administrator", "Scope": SUB}),
    );
    t.ok("New-AzRoleAssignment", json!({"ObjectId": contributor, "RoleDefinitionName": "Contributor", "Scope": SUB}));

    // Owner of rg1: at rg1 yes, at the subscription or rg2 no.
    t.ok_as(
        &upn("owner"),
        "New-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Reader", "Scope": rg1}),
    );
    t.fails_as(
        Some(&upn("owner")),
        ErrorCode::Forbidden,
        "New-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Reader", "Scope": SUB}),
    );
    t.fails_as(
        Some(&upn("owner")),
        ErrorCode::Forbidden,
        "New-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Reader", "ResourceGroupName": "rg2"}),
    );
    // User Access Administrator at the subscription: anywhere below.
    t.ok_as(
        &upn("uaa"),
        "New-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Reader", "ResourceGroupName": "rg2"}),
    );
    // Contributor manages resources but not access.
    t.fails_as(
        Some(&upn("contrib")),
        ErrorCode::Forbidden,
        "New-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Owner", "Scope": rg1}),
    );
    t.ok_as(&upn("contrib"), "New-AzResourceGroup", json!({"Name": "rg3", "Location": "uksouth"}));
    // Removal follows the same rule.
    t.fails_as(
        Some(&upn("contrib")),
        ErrorCode::Forbidden,
        "Remove-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Reader", "Scope": rg1}),
    );
    let removed = t.ok_as(
        &upn("owner"),
        "Remove-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Reader", "Scope": rg1, "PassThru": true}),
    );
    assert_eq!(removed[0]["Scope"], rg1.as_str());
    t.fails(
        ErrorCode::NotFound,
        "Remove-AzRoleAssignment",
        json!({"ObjectId": target, "RoleDefinitionName": "Reader", "Scope": rg1}),
    );
}

#[test]
fn assignments_inherit_down_the_scope_tree() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg1", "Location": "centralus"}));
    t.user("reader");
    assert!(t.ok_as(&upn("reader"), "Get-AzResourceGroup", json!({})).is_empty(), "no role, nothing visible");
    t.fails_as(Some(&upn("reader")), ErrorCode::NotFound, "Get-AzResourceGroup", json!({"Name": "rg1"}));
    t.ok("New-AzRoleAssignment", json!({"SignInName": upn("reader"), "RoleDefinitionName": "Reader"}));
    assert_eq!(
        t.ok_as(&upn("reader"), "Get-AzResourceGroup", json!({})).len(),
        1,
        "Reader at the subscription reads rg1"
    );
    t.fails_as(
        Some(&upn("reader")),
        ErrorCode::Forbidden,
        "New-AzResourceGroup",
        json!({"Name": "rg9", "Location": "centralus"}),
    );
}

#[test]
fn role_assignments_are_listed_by_principal_role_and_scope_as_visible() {
    let t = TestStore::new();
    t.ok("New-AzResourceGroup", json!({"Name": "rg1", "Location": "centralus"}));
    let a = t.user("a");
    let b = t.user("b");
    t.ok("New-AzRoleAssignment", json!({"ObjectId": a, "RoleDefinitionName": "Reader", "ResourceGroupName": "rg1"}));
    t.ok("New-AzRoleAssignment", json!({"ObjectId": b, "RoleDefinitionName": "Contributor"}));
    assert_eq!(t.ok("Get-AzRoleAssignment", json!({})).len(), 3, "admin's Owner, a's Reader, b's Contributor");
    assert_eq!(t.ok("Get-AzRoleAssignment", json!({"SignInName": upn("a")})).len(), 1);
    assert_eq!(t.ok("Get-AzRoleAssignment", json!({"RoleDefinitionName": "Contributor"}))[0]["ObjectId"], b.as_str());
    // At, above and below a scope.
    assert_eq!(t.ok("Get-AzRoleAssignment", json!({"ResourceGroupName": "rg1"})).len(), 3);
    assert!(t.ok("Get-AzRoleAssignment", json!({"ObjectId": "11111111-1111-1111-1111-111111111111"})).is_empty());
    // A user without access to role assignments sees only its own.
    let seen = t.ok_as(&upn("a"), "Get-AzRoleAssignment", json!({}));
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["ObjectId"], a.as_str());
}

// ------------------------------------------------------- resource manager

#[test]
fn resource_groups_validate_names_and_regions() {
    let t = TestStore::new();
    let rg = t.ok("New-AzResourceGroup", json!({"Name": "contoso-cmk", "Location": "Central US"}));
    assert_eq!(rg[0]["Location"], "centralus");
    assert_eq!(rg[0]["ResourceId"], format!("{SUB}/resourceGroups/contoso-cmk"));
    t.fails(ErrorCode::AlreadyExists, "New-AzResourceGroup", json!({"Name": "CONTOSO-CMK", "Location": "centralus"}));
    t.fails(ErrorCode::InvalidArgument, "New-AzResourceGroup", json!({"Name": "bad name!", "Location": "centralus"}));
    t.fails(ErrorCode::InvalidArgument, "New-AzResourceGroup", json!({"Name": "ends.", "Location": "centralus"}));
    t.fails(ErrorCode::InvalidArgument, "New-AzResourceGroup", json!({"Name": "ok", "Location": "atlantis"}));
    t.fails(ErrorCode::NotFound, "Get-AzResourceGroup", json!({"Name": "missing"}));
}

#[test]
fn the_power_platform_provider_is_registered_once_per_subscription() {
    let t = TestStore::new();
    let before = t.ok("Get-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}));
    assert_eq!(before[0]["RegistrationState"], "NotRegistered");
    assert_eq!(before[0]["ResourceTypes"], json!(["enterprisePolicies"]));
    let locations = before[0]["Locations"].as_array().unwrap();
    assert_eq!(locations.len(), 18);
    for l in ["unitedstates", "europe", "sweden", "singapore"] {
        assert!(locations.contains(&json!(l)), "{l}");
    }
    assert!(!t
        .ok("Get-AzResourceProvider", json!({}))
        .iter()
        .any(|p| p["ProviderNamespace"] == "Microsoft.PowerPlatform"));
    t.user("u");
    t.fails_as(
        Some(&upn("u")),
        ErrorCode::Forbidden,
        "Register-AzResourceProvider",
        json!({"ProviderNamespace": "Microsoft.PowerPlatform"}),
    );
    t.fails(ErrorCode::NotFound, "Register-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.Nope"}));
    let after = t.ok("Register-AzResourceProvider", json!({"ProviderNamespace": "microsoft.powerplatform"}));
    assert_eq!(after[0]["RegistrationState"], "Registered");
    assert_eq!(
        t.ok("Get-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}))[0]["RegistrationState"],
        "Registered"
    );
}

// -------------------------------------------------------------------- clock

#[test]
fn the_clock_moves_forward_persists_and_resets() {
    let t = TestStore::new();
    let c = t.ok("Set-PpCmkClock", json!({"AdvanceDays": 30}));
    assert_eq!(c[0]["OffsetSeconds"], 30 * 86_400);
    t.ok("Set-PpCmkClock", json!({"AdvanceHours": 12}));
    // A second handle on the same folder (another process) sees the same clock.
    let other = ppcmk::Store::open(&t.home()).unwrap();
    let seen = ppcmk::invoke_json(&other, &json!({"command": "Get-PpCmkClock"}), Default::default()).unwrap();
    assert_eq!(seen.objects.first().unwrap()["OffsetSeconds"], 30 * 86_400 + 12 * 3_600);
    assert_eq!(seen.objects.first().unwrap()["OffsetDays"], 30.5);
    t.fails(ErrorCode::ParameterValidationFailed, "Set-PpCmkClock", json!({"AdvanceDays": -1}));
    t.fails(ErrorCode::MissingMandatoryParameter, "Set-PpCmkClock", json!({}));
    t.fails(ErrorCode::ParameterSetConflict, "Set-PpCmkClock", json!({"AdvanceDays": 1, "Reset": true}));
    assert_eq!(t.ok("Set-PpCmkClock", json!({"Reset": true}))[0]["OffsetSeconds"], 0);
}

#[test]
fn only_a_global_administrator_moves_the_clock() {
    let t = TestStore::new();
    t.user("clockwatcher");
    t.ok(
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Power Platform Administrator", "UserPrincipalName": upn("clockwatcher")}),
    );
    let who = upn("clockwatcher");
    for params in [json!({"AdvanceDays": 30}), json!({"AdvanceHours": 1}), json!({"Reset": true})] {
        let e = t.fails_as(Some(&who), ErrorCode::Forbidden, "Set-PpCmkClock", params);
        assert!(e.contains("Global Administrator"), "{e}");
    }
    // Anyone may read it; it did not move.
    assert_eq!(t.ok_as(&who, "Get-PpCmkClock", json!({}))[0]["OffsetSeconds"], 0);
    // Each refusal is audited under the caller's name.
    let denied: Vec<_> = t
        .ok("Get-PpCmkAuditLog", json!({"Principal": who}))
        .into_iter()
        .filter(|e| e["Command"] == "Set-PpCmkClock")
        .collect();
    assert_eq!(denied.len(), 3, "{denied:?}");
    assert!(denied.iter().all(|e| e["Outcome"] == "Denied" && e["ErrorCode"] == "Forbidden"), "{denied:?}");
    assert_eq!(t.ok("Set-PpCmkClock", json!({"AdvanceDays": 1}))[0]["OffsetDays"], 1);
}

// ---------------------------------------------------------------- audit log

#[test]
fn every_change_and_every_denial_is_audited() {
    let t = TestStore::new();
    let id = t.user("auditee");
    t.ok("New-AzRoleAssignment", json!({"ObjectId": id, "RoleDefinitionName": "Reader"}));
    t.fails_as(
        Some(&upn("auditee")),
        ErrorCode::Forbidden,
        "New-AzResourceGroup",
        json!({"Name": "x", "Location": "centralus"}),
    );
    // Reading is not a change, and is not audited; a refused read is.
    t.ok("Get-AzRoleAssignment", json!({}));
    t.fails_as(Some(&upn("auditee")), ErrorCode::Forbidden, "Get-PpCmkAuditLog", json!({}));
    let log = t.ok("Get-PpCmkAuditLog", json!({}));
    let summary: Vec<(String, String, String)> = log
        .iter()
        .map(|e| {
            (
                e["Command"].as_str().unwrap().into(),
                e["Outcome"].as_str().unwrap().into(),
                e["Principal"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("New-AzADUser".into(), "Succeeded".into(), ADMIN.into()),
            ("New-AzRoleAssignment".into(), "Succeeded".into(), ADMIN.into()),
            ("New-AzResourceGroup".into(), "Denied".into(), upn("auditee")),
            ("Get-PpCmkAuditLog".into(), "Denied".into(), upn("auditee")),
        ]
    );
    assert_eq!(log[1]["Target"], SUB);
    assert_eq!(log[2]["ErrorCode"], "Forbidden");
    assert_eq!(t.ok("Get-PpCmkAuditLog", json!({"Last": 1}))[0]["Command"], "Get-PpCmkAuditLog");
    assert_eq!(t.ok("Get-PpCmkAuditLog", json!({"Principal": upn("auditee")})).len(), 2);
    assert!(t.ok("Get-PpCmkAuditLog", json!({"Since": "2999-01-01"})).is_empty());
}
