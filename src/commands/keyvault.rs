//! Key vault and managed HSM commands (Az.KeyVault names, parameters and
//! output): vaults, soft delete and recovery, access policies, network
//! rules, managed HSMs and their local role assignments.

use super::{object, opt_time};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{self, rbac, TENANT_ID};
use crate::keyvault::access::{ALL_KEY_PERMISSIONS, ALL_SECRET_PERMISSIONS};
use crate::keyvault::{self, NetworkChange, NewVault, Vault, VaultKind, VaultUpdate};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::store::{Db, PrincipalRow};
use serde_json::{json, Value};

const VAULT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.KeyVault",
    properties: &[
        "VaultName",
        "ResourceGroupName",
        "Location",
        "ResourceId",
        "VaultUri",
        "TenantId",
        "Sku",
        "EnableSoftDelete",
        "SoftDeleteRetentionInDays",
        "EnablePurgeProtection",
        "EnableRbacAuthorization",
        "PublicNetworkAccess",
        "AccessPolicies",
        "NetworkAcls",
        "DeletionDate",
        "ScheduledPurgeDate",
        "Origin",
    ],
    table: &[
        "VaultName",
        "ResourceGroupName",
        "Location",
        "Sku",
        "EnablePurgeProtection",
        "EnableRbacAuthorization",
        "PublicNetworkAccess",
    ],
};

const HSM_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.ManagedHsm",
    properties: &[
        "Name",
        "ResourceGroupName",
        "Location",
        "ResourceId",
        "HsmUri",
        "TenantId",
        "Sku",
        "InitialAdminObjectIds",
        "EnableSoftDelete",
        "SoftDeleteRetentionInDays",
        "EnablePurgeProtection",
        "PublicNetworkAccess",
        "ProvisioningState",
        "SecurityDomainActivationStatus",
    ],
    table: &[
        "Name",
        "ResourceGroupName",
        "Location",
        "Sku",
        "EnablePurgeProtection",
        "ProvisioningState",
        "SecurityDomainActivationStatus",
    ],
};

const HSM_ROLE_ASSIGNMENT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.KeyVaultRoleAssignment",
    properties: &[
        "RoleDefinitionName",
        "DisplayName",
        "ObjectType",
        "Scope",
        "ObjectId",
        "RoleDefinitionId",
        "RoleAssignmentId",
    ],
    table: &["RoleDefinitionName", "DisplayName", "ObjectType", "Scope"],
};

const VAULT_NAME: Param =
    Param::string("VaultName").mandatory().alias(&["Name"]).at(0).pipeline().help("The key vault's name.");
const RESOURCE_GROUP: Param = Param::string("ResourceGroupName").pipeline().help("The vault's resource group.");
const PASS_THRU: Param = Param::switch("PassThru").help("Output the vault after the change.");
const PRINCIPAL_OBJECT_ID: Param =
    Param::string("ObjectId").pipeline().help("The object id of the user or service principal.");
const PRINCIPAL_UPN: Param =
    Param::string("UserPrincipalName").alias(&["UPN", "Email"]).help("The user's principal name.");
const PRINCIPAL_SPN: Param = Param::string("ServicePrincipalName")
    .alias(&["SPN"])
    .help("The service principal's application id or display name.");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "New-AzKeyVault",
        synopsis: "Creates a key vault (soft delete always on; purge protection, RBAC or access policies, network access as chosen).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("Name").mandatory().alias(&["VaultName"]).at(0).help("The vault's name: 3-24 letters, digits and single dashes, starting with a letter; unique."),
            Param::string("ResourceGroupName").mandatory().at(1).help("An existing resource group."),
            Param::string("Location").mandatory().at(2).help("An Azure region, e.g. centralus."),
            Param::string("Sku").one_of(&["Standard", "Premium"]).default("Standard").help("Premium allows RSA-HSM keys."),
            Param::switch("EnablePurgeProtection").help("Enforce the retention period for deleted vaults and keys; cannot be turned off."),
            Param::int("SoftDeleteRetentionInDays").range(7, 90).default("90").help("Days a deleted vault or key stays recoverable."),
            Param::switch("DisableRbacAuthorization").help("Use vault access policies instead of Azure RBAC for the data plane."),
            Param::string("PublicNetworkAccess").one_of(&["Enabled", "Disabled"]).default("Enabled").help("Whether the vault accepts traffic from public networks."),
        ],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::AlreadyExists, ErrorCode::Conflict, ErrorCode::InvalidArgument, ErrorCode::NotFound],
        example: "New-AzKeyVault -Name contoso-cmk-kv -ResourceGroupName contoso-cmk -Location centralus -EnablePurgeProtection",
        handler: new_vault,
    },
    Command {
        name: "Get-AzKeyVault",
        synopsis: "Gets key vaults the caller can read, or soft-deleted ones with -InRemovedState.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("VaultName").alias(&["Name"]).at(0).pipeline().help("Only this vault."),
            RESOURCE_GROUP,
            Param::switch("InRemovedState").help("List soft-deleted vaults, with their deletion and scheduled purge dates."),
            Param::string("Location").help("Accepted for compatibility with -InRemovedState."),
        ],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-AzKeyVault -VaultName contoso-cmk-kv",
        handler: get_vault,
    },
    Command {
        name: "Update-AzKeyVault",
        synopsis: "Changes a key vault: enable purge protection (permanently), the permission model, public network access.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT_NAME,
            RESOURCE_GROUP,
            Param::switch("EnablePurgeProtection").help("Turn purge protection on. It can never be turned off."),
            Param::boolean("DisableRbacAuthorization").help("$true: vault access policies; $false: Azure RBAC. Changing it also needs Owner or User Access Administrator on the vault."),
            Param::string("PublicNetworkAccess").one_of(&["Enabled", "Disabled"]).help("Whether the vault accepts traffic from public networks."),
        ],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidOperation],
        example: "Update-AzKeyVault -VaultName contoso-cmk-kv -ResourceGroupName contoso-cmk -EnablePurgeProtection",
        handler: update_vault,
    },
    Command {
        name: "Remove-AzKeyVault",
        synopsis: "Soft-deletes a key vault, or purges a deleted one with -InRemovedState (refused under purge protection).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT_NAME,
            RESOURCE_GROUP,
            Param::string("Location").help("Accepted for compatibility with -InRemovedState."),
            Param::switch("InRemovedState").help("Purge a soft-deleted vault for good."),
            Param::switch("Force").help("Accepted for compatibility (no prompt is shown)."),
        ],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::PurgeProtected],
        example: "Remove-AzKeyVault -VaultName contoso-cmk-kv -ResourceGroupName contoso-cmk -Force",
        handler: remove_vault,
    },
    Command {
        name: "Undo-AzKeyVaultRemoval",
        synopsis: "Recovers a soft-deleted key vault with its keys.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT_NAME, RESOURCE_GROUP, Param::string("Location").help("Accepted for compatibility.")],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Undo-AzKeyVaultRemoval -VaultName contoso-cmk-kv -ResourceGroupName contoso-cmk -Location centralus",
        handler: undo_vault_removal,
    },
    Command {
        name: "Set-AzKeyVaultAccessPolicy",
        synopsis: "Grants a principal key (and secret) permissions on a vault that uses access policies.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT_NAME,
            RESOURCE_GROUP,
            PRINCIPAL_OBJECT_ID,
            PRINCIPAL_UPN,
            PRINCIPAL_SPN,
            Param::strings("PermissionsToKeys").one_of(ALL_KEY_PERMISSIONS).help("Key permissions, e.g. get,wrapKey,unwrapKey for an enterprise policy."),
            Param::strings("PermissionsToSecrets").one_of(ALL_SECRET_PERMISSIONS).help("Secret permissions."),
            PASS_THRU,
        ],
        groups: &[Group::exactly_one(&["ObjectId", "UserPrincipalName", "ServicePrincipalName"])],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Set-AzKeyVaultAccessPolicy -VaultName contoso-cmk-kv -ObjectId 00aa00aa-bb11-cc22-dd33-44ee44ee44ee -PermissionsToKeys get,wrapKey,unwrapKey",
        handler: set_access_policy,
    },
    Command {
        name: "Remove-AzKeyVaultAccessPolicy",
        synopsis: "Removes a principal's access policy from a vault.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT_NAME, RESOURCE_GROUP, PRINCIPAL_OBJECT_ID, PRINCIPAL_UPN, PRINCIPAL_SPN, PASS_THRU],
        groups: &[Group::exactly_one(&["ObjectId", "UserPrincipalName", "ServicePrincipalName"])],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-AzKeyVaultAccessPolicy -VaultName contoso-cmk-kv -ObjectId 00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        handler: remove_access_policy,
    },
    Command {
        name: "Update-AzKeyVaultNetworkRuleSet",
        synopsis: "Sets a vault's firewall: default action, trusted-services bypass, allowed IP ranges.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT_NAME,
            RESOURCE_GROUP,
            Param::string("DefaultAction").one_of(&["Allow", "Deny"]).help("What happens to traffic no rule allows."),
            Param::string("Bypass").one_of(&["AzureServices", "None"]).help("AzureServices lets trusted Microsoft services (Power Platform) through."),
            Param::strings("IpAddressRange").help("Allowed IPv4 addresses or CIDR ranges (replaces the list)."),
            PASS_THRU,
        ],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Update-AzKeyVaultNetworkRuleSet -VaultName contoso-cmk-kv -DefaultAction Deny -Bypass AzureServices",
        handler: update_network_rule_set,
    },
    Command {
        name: "Add-AzKeyVaultNetworkRule",
        synopsis: "Adds allowed IP ranges to a vault's firewall.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT_NAME,
            RESOURCE_GROUP,
            Param::strings("IpAddressRange").mandatory().help("IPv4 addresses or CIDR ranges to allow."),
            PASS_THRU,
        ],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Add-AzKeyVaultNetworkRule -VaultName contoso-cmk-kv -IpAddressRange 203.0.113.0/24",
        handler: add_network_rule,
    },
    Command {
        name: "Add-PpCmkKeyVaultPrivateEndpoint",
        synopsis: "Marks a private endpoint connection on a vault: users reach it from the private network (PPCMK_NETWORK=private).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT_NAME, RESOURCE_GROUP, Param::string("EndpointName").help("The endpoint's name. Default: {vault}-pe.")],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict],
        example: "Add-PpCmkKeyVaultPrivateEndpoint -VaultName contoso-cmk-kv",
        handler: add_private_endpoint,
    },
    Command {
        name: "Remove-PpCmkKeyVaultPrivateEndpoint",
        synopsis: "Removes a private endpoint connection from a vault.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT_NAME, RESOURCE_GROUP, Param::string("EndpointName").mandatory().help("The endpoint's name.")],
        groups: &[],
        output: VAULT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-PpCmkKeyVaultPrivateEndpoint -VaultName contoso-cmk-kv -EndpointName contoso-cmk-kv-pe",
        handler: remove_private_endpoint,
    },
    Command {
        name: "New-AzKeyVaultManagedHsm",
        synopsis: "Creates a managed HSM (FIPS 140-2 Level 3); its administrators get the local role Managed HSM Administrator.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("Name").mandatory().at(0).help("The HSM's name: 3-23 letters, digits and single dashes, starting with a letter; unique."),
            Param::string("ResourceGroupName").mandatory().at(1).help("An existing resource group."),
            Param::string("Location").mandatory().at(2).help("An Azure region."),
            Param::strings("Administrator").mandatory().help("Object ids (or UPNs) of the initial administrators."),
            Param::string("Sku").one_of(&["StandardB1", "CustomB32"]).default("StandardB1").help("The HSM pool SKU."),
            Param::switch("EnablePurgeProtection").help("Enforce the retention period for deleted keys; cannot be turned off."),
            Param::int("SoftDeleteRetentionInDays").range(7, 90).default("90").help("Days a deleted key stays recoverable."),
        ],
        groups: &[],
        output: HSM_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument, ErrorCode::NotFound],
        example: "New-AzKeyVaultManagedHsm -Name contoso-hsm -ResourceGroupName contoso-cmk -Location centralus -Administrator 00aa00aa-bb11-cc22-dd33-44ee44ee44ee -EnablePurgeProtection",
        handler: new_managed_hsm,
    },
    Command {
        name: "Export-AzKeyVaultSecurityDomain",
        synopsis: "Downloads a managed HSM's security domain, which activates it: until then the HSM is not usable. The domain is encrypted to 3-10 RSA public keys (certificates); -Quorum of their private keys are needed to decrypt it.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("Name").mandatory().help("The managed HSM."),
            Param::strings("Certificates").mandatory().path().help("Paths to 3 to 10 X.509 certificates (PEM or DER) whose RSA public keys encrypt the security domain."),
            Param::int("Quorum").mandatory().range(2, 10).help("How many of the private keys are needed to decrypt the security domain."),
            Param::string("OutputPath").mandatory().path().help("Where to write the security domain (JSON)."),
            Param::switch("Force").help("Overwrite the output file if it exists."),
        ],
        groups: &[],
        output: HSM_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::FileError, ErrorCode::AlreadyExists],
        example: "Export-AzKeyVaultSecurityDomain -Name contoso-hsm -Certificates sd1.cer,sd2.cer,sd3.cer -Quorum 2 -OutputPath sd.ps.json",
        handler: export_security_domain,
    },
    Command {
        name: "Get-AzKeyVaultManagedHsm",
        synopsis: "Gets managed HSMs the caller can read.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[Param::string("Name").alias(&["HsmName"]).at(0).help("Only this HSM."), RESOURCE_GROUP],
        groups: &[],
        output: HSM_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-AzKeyVaultManagedHsm -Name contoso-hsm",
        handler: get_managed_hsm,
    },
    Command {
        name: "New-AzKeyVaultRoleAssignment",
        synopsis: "Assigns a managed HSM local role (e.g. Managed HSM Crypto User) at '/', '/keys' or '/keys/{name}'.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("HsmName").mandatory().help("The managed HSM."),
            Param::string("RoleDefinitionName").help("The local role's name."),
            Param::string("RoleDefinitionId").help("The local role's id."),
            Param::string("ObjectId").help("The principal's object id."),
            Param::string("SignInName").alias(&["UserPrincipalName"]).help("The user's principal name."),
            Param::string("ApplicationId").help("The service principal's application id."),
            Param::string("Scope").default("/").help("'/', '/keys' or '/keys/{key name}'."),
        ],
        groups: &[
            Group::exactly_one(&["RoleDefinitionName", "RoleDefinitionId"]),
            Group::exactly_one(&["ObjectId", "SignInName", "ApplicationId"]),
        ],
        output: HSM_ROLE_ASSIGNMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::InvalidArgument],
        example: "New-AzKeyVaultRoleAssignment -HsmName contoso-hsm -RoleDefinitionName 'Managed HSM Crypto User' -SignInName kvadmin@contoso.onmicrosoft.com -Scope /keys",
        handler: new_hsm_role_assignment,
    },
    Command {
        name: "Get-AzKeyVaultRoleAssignment",
        synopsis: "Lists a managed HSM's local role assignments.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("HsmName").mandatory().help("The managed HSM."),
            Param::string("RoleDefinitionName").help("Only this role."),
            Param::string("ObjectId").help("Only this principal."),
        ],
        groups: &[],
        output: HSM_ROLE_ASSIGNMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-AzKeyVaultRoleAssignment -HsmName contoso-hsm",
        handler: get_hsm_role_assignments,
    },
    Command {
        name: "Remove-AzKeyVaultRoleAssignment",
        synopsis: "Removes a managed HSM local role assignment.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("HsmName").mandatory().help("The managed HSM."),
            Param::string("RoleDefinitionName").help("The local role's name."),
            Param::string("RoleDefinitionId").help("The local role's id."),
            Param::string("ObjectId").help("The principal's object id."),
            Param::string("SignInName").alias(&["UserPrincipalName"]).help("The user's principal name."),
            Param::string("Scope").default("/").help("'/', '/keys' or '/keys/{key name}'."),
            Param::switch("PassThru").help("Output the removed assignment."),
        ],
        groups: &[
            Group::exactly_one(&["RoleDefinitionName", "RoleDefinitionId"]),
            Group::exactly_one(&["ObjectId", "SignInName"]),
        ],
        output: HSM_ROLE_ASSIGNMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-AzKeyVaultRoleAssignment -HsmName contoso-hsm -RoleDefinitionName 'Managed HSM Crypto User' -SignInName kvadmin@contoso.onmicrosoft.com -Scope /keys",
        handler: remove_hsm_role_assignment,
    },
];

// ------------------------------------------------------------------ outputs

pub(crate) fn vault_object(db: &Db, v: &Vault) -> Result<Object> {
    let mut policies = Vec::new();
    for p in db.access_policies(&v.row.vault_id)? {
        policies.push(json!({
            "ObjectId": p.object_id,
            "DisplayName": keyvault::principal_display_name(db, &p.object_id)?,
            "PermissionsToKeys": p.permissions_to_keys,
            "PermissionsToSecrets": p.permissions_to_secrets,
        }));
    }
    Ok(object(json!({
        "VaultName": v.row.name,
        "ResourceGroupName": v.row.resource_group,
        "Location": v.row.location,
        "ResourceId": v.row.resource_id,
        "VaultUri": v.uri(),
        "TenantId": TENANT_ID,
        "Sku": v.row.sku,
        "EnableSoftDelete": v.soft_delete_enabled(),
        "SoftDeleteRetentionInDays": v.row.soft_delete_retention_days,
        "EnablePurgeProtection": v.row.purge_protection,
        "EnableRbacAuthorization": v.row.rbac_authorization,
        "PublicNetworkAccess": v.row.public_network_access,
        "AccessPolicies": policies,
        "NetworkAcls": {
            "DefaultAction": v.row.network_default_action,
            "Bypass": v.row.network_bypass,
            "IpAddressRanges": v.row.ip_rules,
            "PrivateEndpoints": v.row.private_endpoints,
        },
        "DeletionDate": opt_time(v.row.deleted_time),
        "ScheduledPurgeDate": opt_time(v.row.scheduled_purge_time),
        "Origin": crate::twin::origin(db, "KeyVault", &v.row.name)?,
    })))
}

fn hsm_object(v: &Vault) -> Object {
    object(json!({
        "Name": v.row.name,
        "ResourceGroupName": v.row.resource_group,
        "Location": v.row.location,
        "ResourceId": v.row.resource_id,
        "HsmUri": v.uri(),
        "TenantId": TENANT_ID,
        "Sku": v.row.sku,
        "InitialAdminObjectIds": v.row.administrators,
        "EnableSoftDelete": v.soft_delete_enabled(),
        "SoftDeleteRetentionInDays": v.row.soft_delete_retention_days,
        "EnablePurgeProtection": v.row.purge_protection,
        "PublicNetworkAccess": v.row.public_network_access,
        "ProvisioningState": "Succeeded",
        // ARM's properties.securityDomainProperties.activationStatus.
        "SecurityDomainActivationStatus": v.row.activation_status,
    }))
}

fn hsm_assignment_object(hsm: &Vault, a: &rbac::RoleAssignment) -> Object {
    let (display, object_type) = match &a.principal {
        Some(p) => (Value::from(p.display_name.clone()), p.kind.as_str()),
        None => (Value::Null, "Unknown"),
    };
    object(json!({
        "RoleDefinitionName": a.role.name,
        "DisplayName": display,
        "ObjectType": object_type,
        "Scope": keyvault::hsm_local_scope(hsm, &a.row.scope),
        "ObjectId": a.row.principal_id,
        "RoleDefinitionId": a.role.id,
        "RoleAssignmentId": a.row.assignment_id,
    }))
}

// ----------------------------------------------------------------- handlers

fn new_vault(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let spec = NewVault {
        name: args.required("Name")?,
        resource_group: args.required("ResourceGroupName")?,
        location: args.required("Location")?,
        sku: args.str("Sku").unwrap_or("Standard"),
        purge_protection: args.switch("EnablePurgeProtection"),
        retention_days: args.int("SoftDeleteRetentionInDays").unwrap_or(90),
        rbac_authorization: !args.switch("DisableRbacAuthorization"),
        public_network_access: args.str("PublicNetworkAccess").unwrap_or("Enabled"),
    };
    let v = keyvault::create_vault(ctx.db(), &caller, &spec, ctx.now)?;
    ctx.set_audit_target(v.row.resource_id.clone());
    if !v.row.purge_protection {
        ctx.warn(format!(
            "Key vault '{}' has no purge protection: Power Platform cannot use its keys for a customer-managed key until it is enabled (Update-AzKeyVault -EnablePurgeProtection).",
            v.row.name
        ));
    }
    Ok(vec![vault_object(ctx.db(), &v)?])
}

fn get_vault(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let vaults = keyvault::list_vaults(
        ctx.db(),
        &caller,
        VaultKind::Vault,
        args.str("VaultName"),
        args.str("ResourceGroupName"),
        args.switch("InRemovedState"),
    )?;
    vaults.iter().map(|v| vault_object(ctx.db(), v)).collect()
}

fn update_vault(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let name = args.required("VaultName")?;
    if args.has("EnablePurgeProtection") && !args.switch("EnablePurgeProtection") {
        let v = keyvault::active_vault(ctx.db(), name, VaultKind::Vault)?;
        if v.row.purge_protection {
            return Err(Error::new(
                ErrorCode::InvalidOperation,
                format!("Purge protection of key vault '{name}' cannot be turned off once it is enabled."),
            ));
        }
    }
    let change = VaultUpdate {
        enable_purge_protection: args.switch("EnablePurgeProtection"),
        rbac_authorization: args.bool("DisableRbacAuthorization").map(|d| !d),
        public_network_access: args.str("PublicNetworkAccess"),
        retention_days: None,
    };
    let v = keyvault::update_vault(ctx.db(), &caller, name, args.str("ResourceGroupName"), &change)?;
    ctx.set_audit_target(v.row.resource_id.clone());
    Ok(vec![vault_object(ctx.db(), &v)?])
}

fn remove_vault(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let name = args.required("VaultName")?;
    if args.switch("InRemovedState") {
        keyvault::purge_vault(ctx.db(), &caller, name)?;
        ctx.set_audit_detail("purged");
        ctx.checkpoint_after_commit();
    } else {
        let v = keyvault::remove_vault(ctx.db(), &caller, name, args.str("ResourceGroupName"), ctx.now)?;
        ctx.set_audit_target(v.row.resource_id.clone());
        ctx.set_audit_detail(format!(
            "soft-deleted; scheduled purge {}",
            v.row.scheduled_purge_time.map(crate::time::to_display).unwrap_or_default()
        ));
    }
    Ok(vec![])
}

fn undo_vault_removal(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let v = keyvault::recover_vault(ctx.db(), &caller, args.required("VaultName")?, ctx.now)?;
    ctx.set_audit_target(v.row.resource_id.clone());
    Ok(vec![vault_object(ctx.db(), &v)?])
}

/// The principal named by -ObjectId, -UserPrincipalName or -ServicePrincipalName.
fn policy_principal(db: &Db, args: &Args) -> Result<PrincipalRow> {
    if let Some(id) = args.str("ObjectId") {
        return db.principal(id)?.ok_or_else(|| Error::not_found("Principal", id));
    }
    if let Some(upn) = args.str("UserPrincipalName") {
        return identity::user_by_upn(db, upn);
    }
    let spn = args.required("ServicePrincipalName")?;
    if let Some(p) = db.principal_by_app_id(spn)? {
        return Ok(p);
    }
    let q = crate::store::PrincipalQuery {
        kind: Some(crate::store::PrincipalKind::ServicePrincipal),
        display_name: Some(spn),
        ..Default::default()
    };
    db.find_principals(&q)?.into_iter().next().ok_or_else(|| Error::not_found("Service principal", spn))
}

fn pass_through(ctx: &Ctx, args: &Args, v: &Vault) -> Result<Vec<Object>> {
    if args.switch("PassThru") {
        Ok(vec![vault_object(ctx.db(), v)?])
    } else {
        Ok(vec![])
    }
}

fn set_access_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let principal = policy_principal(ctx.db(), args)?;
    let (v, warning) = keyvault::set_access_policy(
        ctx.db(),
        &caller,
        args.required("VaultName")?,
        args.str("ResourceGroupName"),
        &principal.object_id,
        args.strings("PermissionsToKeys"),
        args.strings("PermissionsToSecrets"),
    )?;
    if let Some(w) = warning {
        ctx.warn(w);
    }
    ctx.set_audit_target(v.row.resource_id.clone());
    ctx.set_audit_detail(format!(
        "access policy for {} ({}): keys {}",
        principal.display_name,
        principal.object_id,
        args.strings("PermissionsToKeys").unwrap_or_default().join(",")
    ));
    pass_through(ctx, args, &v)
}

fn remove_access_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let principal = policy_principal(ctx.db(), args)?;
    let v = keyvault::remove_access_policy(
        ctx.db(),
        &caller,
        args.required("VaultName")?,
        args.str("ResourceGroupName"),
        &principal.object_id,
    )?;
    ctx.set_audit_target(v.row.resource_id.clone());
    ctx.set_audit_detail(format!("access policy of {} removed", principal.object_id));
    pass_through(ctx, args, &v)
}

fn network_change(ctx: &mut Ctx, args: &Args, change: NetworkChange) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let v = keyvault::change_network(
        ctx.db(),
        &caller,
        args.required("VaultName")?,
        args.str("ResourceGroupName"),
        change,
    )?;
    ctx.set_audit_target(v.row.resource_id.clone());
    ctx.set_audit_detail(format!(
        "network: public {}, default {}, bypass {}, {} IP range(s), {} private endpoint(s)",
        v.row.public_network_access,
        v.row.network_default_action,
        v.row.network_bypass,
        v.row.ip_rules.len(),
        v.row.private_endpoints.len()
    ));
    Ok(vec![vault_object(ctx.db(), &v)?])
}

fn update_network_rule_set(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let change = NetworkChange {
        default_action: args.str("DefaultAction"),
        bypass: args.str("Bypass"),
        replace_ip_ranges: args.strings("IpAddressRange"),
        ..Default::default()
    };
    let out = network_change(ctx, args, change)?;
    Ok(if args.switch("PassThru") { out } else { vec![] })
}

fn add_network_rule(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let change =
        NetworkChange { add_ip_ranges: args.strings("IpAddressRange").unwrap_or_default(), ..Default::default() };
    let out = network_change(ctx, args, change)?;
    Ok(if args.switch("PassThru") { out } else { vec![] })
}

fn add_private_endpoint(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let name = args
        .str("EndpointName")
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}-pe", args.str("VaultName").unwrap_or("vault")));
    network_change(ctx, args, NetworkChange { add_private_endpoint: Some(name), ..Default::default() })
}

fn remove_private_endpoint(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let name = args.required("EndpointName")?.to_string();
    network_change(ctx, args, NetworkChange { remove_private_endpoint: Some(name), ..Default::default() })
}

fn new_managed_hsm(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let hsm = keyvault::create_managed_hsm(
        ctx.db(),
        &caller,
        args.required("Name")?,
        args.required("ResourceGroupName")?,
        args.required("Location")?,
        &args.strings("Administrator").unwrap_or_default(),
        args.switch("EnablePurgeProtection"),
        args.int("SoftDeleteRetentionInDays").unwrap_or(90),
        ctx.now,
    )?;
    ctx.set_audit_target(hsm.row.resource_id.clone());
    Ok(vec![hsm_object(&hsm)])
}

fn export_security_domain(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let output = args.required("OutputPath")?.to_string();
    if std::path::Path::new(&output).exists() && !args.switch("Force") {
        return Err(Error::new(
            ErrorCode::AlreadyExists,
            format!("'{output}' already exists; use -Force to overwrite it."),
        )
        .with_target(output));
    }
    let mut certificates = Vec::new();
    for path in args.strings("Certificates").unwrap_or_default() {
        certificates.push(crate::files::read_input(&path, "certificate", 64 << 10)?);
    }
    let quorum = args.int("Quorum").ok_or_else(|| Error::internal("quorum not bound"))?;
    let (hsm, file) =
        keyvault::download_security_domain(ctx.db(), &caller, args.required("Name")?, &certificates, quorum, ctx.now)?;
    crate::files::write_atomically(std::path::Path::new(&output), &file)?;
    ctx.set_audit_target(hsm.row.resource_id.clone());
    Ok(vec![hsm_object(&hsm)])
}

fn get_managed_hsm(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let list = keyvault::list_vaults(
        ctx.db(),
        &caller,
        VaultKind::ManagedHsm,
        args.str("Name"),
        args.str("ResourceGroupName"),
        false,
    )?;
    Ok(list.iter().map(hsm_object).collect())
}

/// The principal named by -ObjectId, -SignInName or -ApplicationId.
fn assignment_principal(db: &Db, args: &Args) -> Result<PrincipalRow> {
    if let Some(id) = args.str("ObjectId") {
        return db.principal(id)?.ok_or_else(|| Error::not_found("Principal", id));
    }
    if let Some(upn) = args.str("SignInName") {
        return identity::user_by_upn(db, upn);
    }
    let app = args.required("ApplicationId")?;
    db.principal_by_app_id(app)?.ok_or_else(|| Error::not_found("Service principal", app))
}

fn local_role(args: &Args) -> Result<&'static rbac::RoleDefinition> {
    let role = rbac::resolve_role(args.str("RoleDefinitionName"), args.str("RoleDefinitionId"))?;
    if role.kind != rbac::RoleKind::ManagedHsmLocal {
        return Err(Error::invalid(format!(
            "'{}' is not a managed HSM local role; use Managed HSM Administrator, Crypto Officer, Crypto User or Crypto Service Encryption User.",
            role.name
        )));
    }
    Ok(role)
}

fn new_hsm_role_assignment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let principal = assignment_principal(ctx.db(), args)?;
    let role = local_role(args)?;
    let (hsm, a) = keyvault::create_hsm_role_assignment(
        ctx.db(),
        &caller,
        args.required("HsmName")?,
        &principal,
        role,
        args.str("Scope").unwrap_or("/"),
        ctx.now,
    )?;
    ctx.set_audit_target(a.row.scope.clone());
    ctx.set_audit_detail(format!("{} to {} ({})", role.name, principal.display_name, principal.object_id));
    Ok(vec![hsm_assignment_object(&hsm, &a)])
}

fn get_hsm_role_assignments(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (hsm, list) = keyvault::list_hsm_role_assignments(ctx.db(), &caller, args.required("HsmName")?)?;
    Ok(list
        .iter()
        .filter(|a| args.str("RoleDefinitionName").is_none_or(|r| a.role.name.eq_ignore_ascii_case(r)))
        .filter(|a| args.str("ObjectId").is_none_or(|o| a.row.principal_id.eq_ignore_ascii_case(o)))
        .map(|a| hsm_assignment_object(&hsm, a))
        .collect())
}

fn remove_hsm_role_assignment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let principal_id = match args.str("ObjectId") {
        Some(id) => id.to_string(),
        None => identity::user_by_upn(ctx.db(), args.required("SignInName")?)?.object_id,
    };
    let role = local_role(args)?;
    let (hsm, a) = keyvault::remove_hsm_role_assignment(
        ctx.db(),
        &caller,
        args.required("HsmName")?,
        &principal_id,
        role,
        args.str("Scope").unwrap_or("/"),
    )?;
    ctx.set_audit_target(a.row.scope.clone());
    Ok(if args.switch("PassThru") { vec![hsm_assignment_object(&hsm, &a)] } else { vec![] })
}
