//! Enterprise policy commands: the ARM deployment of the documentation's
//! template (`New-AzResourceGroupDeployment`), commands in the spirit of
//! Microsoft's enterprise-policy scripts, and the generic ARM resource
//! commands (`Get-AzResource`, `Remove-AzResource`).

use super::{object, time};
use crate::arm::{self, ArmId};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::SUBSCRIPTION_ID;
use crate::keyvault;
use crate::policy::{self, template, FieldNames, Policy, PolicyQuery, PolicySpec};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::store::{ArmQuery, Db};
use serde_json::{json, Map, Value};

const POLICY_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.EnterprisePolicy",
    properties: &[
        "Name",
        "ResourceId",
        "ResourceGroupName",
        "Location",
        "Kind",
        "SystemId",
        "PrincipalId",
        "EncryptionState",
        "KeyVaultId",
        "KeyName",
        "KeyVersion",
        "Health",
        "HealthDetail",
        "LinkedEnvironments",
        "CreatedTime",
        "Origin",
    ],
    table: &["Name", "ResourceGroupName", "Location", "KeyName", "Health", "LinkedEnvironments"],
};

const RESOURCE_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Resource",
    properties: &[
        "Name",
        "ResourceGroupName",
        "ResourceType",
        "Location",
        "ResourceId",
        "Kind",
        "Identity",
        "Properties",
    ],
    table: &["Name", "ResourceGroupName", "ResourceType", "Location"],
};

const RESOURCE_ID: Param = Param::string("ResourceId")
    .mandatory()
    .alias(&["PolicyArmId", "EnterprisePolicyArmId"])
    .pipeline()
    .help("The policy's ARM resource id.");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "New-AzResourceGroupDeployment",
        synopsis: "Deploys an ARM template of enterprise policies (the documentation's template, filled in) to a resource group.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("ResourceGroupName").mandatory().help("The resource group to deploy to."),
            Param::string("TemplateFile").mandatory().path().help("Path of the template JSON file."),
            Param::string("TemplateParameterFile").path().help("Path of a deployment parameter file."),
            Param::hashtable("TemplateParameterObject").help("Parameter values, e.g. @{policyName='contoso-cmk-policy'}."),
            Param::string("Name").alias(&["DeploymentName"]).help("The deployment's name. Default: the template file's name."),
            Param::string("Mode").one_of(&["Incremental"]).default("Incremental").help("Deployment mode (Incremental)."),
        ],
        groups: &[Group::at_most_one(&["TemplateParameterFile", "TemplateParameterObject"])],
        output: OutputSpec {
            type_name: "PpCmk.ResourceGroupDeployment",
            properties: &["DeploymentName", "ResourceGroupName", "ProvisioningState", "Timestamp", "Mode", "Parameters", "Outputs", "OutputResources"],
            table: &["DeploymentName", "ResourceGroupName", "ProvisioningState", "Timestamp"],
        },
        errors: &[ErrorCode::InvalidTemplate, ErrorCode::ProviderNotRegistered, ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::Conflict, ErrorCode::FileError],
        example: "New-AzResourceGroupDeployment -ResourceGroupName contoso-cmk -TemplateFile ./enterprise-policy.json",
        handler: deploy,
    },
    Command {
        name: "New-PpCmkEnterprisePolicy",
        synopsis: "Creates an Encryption enterprise policy for a key vault key, with its system-assigned managed identity.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("SubscriptionId").default("the store's subscription").help("The subscription."),
            Param::string("ResourceGroup").mandatory().alias(&["ResourceGroupName"]).help("The resource group."),
            Param::string("Name").mandatory().alias(&["EnterprisePolicyName"]).help("The policy's name, shown in the Power Platform admin center."),
            Param::string("Location").mandatory().alias(&["EnterprisePolicyLocation"]).help("One of the 18 Power Platform locations; the environments' region."),
            Param::string("KeyVaultId").mandatory().help("The key vault's (or managed HSM's) ARM resource id."),
            Param::string("KeyName").mandatory().help("The key's name."),
            Param::string("KeyVersion").help("Pin a key version; without it the policy follows rotations."),
        ],
        groups: &[],
        output: POLICY_OUTPUT,
        errors: &[ErrorCode::ProviderNotRegistered, ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::AlreadyExists],
        example: "New-PpCmkEnterprisePolicy -ResourceGroup contoso-cmk -Name contoso-cmk-policy -Location unitedstates -KeyVaultId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.KeyVault/vaults/contoso-cmk-kv -KeyName contoso-cmk-key",
        handler: new_policy,
    },
    Command {
        name: "Get-PpCmkEnterprisePolicy",
        synopsis: "Gets enterprise policies the caller can read: one by resource id, or those of a resource group or the subscription.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("ResourceId").alias(&["PolicyArmId", "EnterprisePolicyArmId"]).pipeline().help("One policy."),
            Param::string("ResourceGroup").alias(&["ResourceGroupName"]).help("The policies of a resource group."),
            Param::string("SubscriptionId").help("The policies of the subscription."),
        ],
        groups: &[Group::at_most_one(&["ResourceId", "ResourceGroup", "SubscriptionId"])],
        output: POLICY_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-PpCmkEnterprisePolicy -ResourceGroup contoso-cmk",
        handler: get_policy,
    },
    Command {
        name: "Set-PpCmkEnterprisePolicy",
        synopsis: "Changes a policy's key vault, key or key version; refused while environments are linked.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            RESOURCE_ID,
            Param::string("KeyVaultId").help("A new key vault resource id."),
            Param::string("KeyName").help("A new key name."),
            Param::string("KeyVersion").help("Pin this key version; an empty string unpins it."),
        ],
        groups: &[],
        output: POLICY_OUTPUT,
        errors: &[ErrorCode::Conflict, ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-PpCmkEnterprisePolicy -ResourceId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -KeyName contoso-cmk-key2",
        handler: set_policy,
    },
    Command {
        name: "Remove-PpCmkEnterprisePolicy",
        synopsis: "Deletes a policy and its managed identity; refused while environments are linked.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[RESOURCE_ID],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Conflict, ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-PpCmkEnterprisePolicy -ResourceId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy",
        handler: remove_policy,
    },
    Command {
        name: "Test-PpCmkKeyVaultForCmk",
        synopsis: "Checks a key vault for a policy: soft delete, purge protection, the identity's get/wrapKey/unwrapKey, the key's state.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("KeyVaultName").mandatory().help("The key vault (or managed HSM)."),
            Param::string("EnterprisePolicyArmId").mandatory().alias(&["PolicyArmId"]).help("The policy's ARM resource id."),
            Param::string("SubscriptionId").help("Accepted for compatibility with ValidateKeyVaultForCMK.ps1."),
        ],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.KeyVaultCheck",
            properties: &["Check", "Status", "Message"],
            table: &["Check", "Status", "Message"],
        },
        errors: &[],
        example: "Test-PpCmkKeyVaultForCmk -KeyVaultName contoso-cmk-kv -EnterprisePolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy",
        handler: test_key_vault,
    },
    Command {
        name: "Get-AzResource",
        synopsis: "Gets ARM resources the caller can read (key vaults, keys, managed HSMs, enterprise policies), with properties.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("ResourceType").help("e.g. Microsoft.PowerPlatform/enterprisePolicies."),
            Param::string("ResourceGroupName").help("Only this resource group."),
            Param::string("Name").alias(&["ResourceName"]).help("Only resources of this name."),
            Param::string("ResourceId").alias(&["Id"]).pipeline().help("One resource."),
            Param::switch("ExpandProperties").help("Accepted for compatibility; properties are always included."),
        ],
        groups: &[Group::at_most_one(&["ResourceId", "ResourceType"])],
        output: RESOURCE_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-AzResource -ResourceType Microsoft.PowerPlatform/enterprisePolicies",
        handler: get_resource,
    },
    Command {
        name: "Remove-AzResource",
        synopsis: "Deletes an ARM resource by id: an enterprise policy (even with linked environments, which then lock) or a key vault (soft delete).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("ResourceId").mandatory().alias(&["Id"]).pipeline().help("The resource's id."),
            Param::switch("Force").help("Accepted for compatibility (no prompt is shown)."),
        ],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Remove-AzResource -ResourceId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -Force",
        handler: remove_resource,
    },
];

pub(crate) fn policy_object(db: &Db, p: &Policy) -> Result<Object> {
    let linked = policy::bound_environments(db, &p.row.policy_id)?.len();
    Ok(object(json!({
        "Name": p.row.name,
        "ResourceId": p.row.resource_id,
        "ResourceGroupName": p.row.resource_group,
        "Location": p.row.location,
        "Kind": p.row.kind,
        "SystemId": p.system_id(),
        "PrincipalId": p.row.principal_id,
        "EncryptionState": p.row.encryption_state,
        "KeyVaultId": p.row.key_vault_id,
        "KeyName": p.row.key_name,
        "KeyVersion": p.row.key_version,
        "Health": p.row.health,
        "HealthDetail": p.row.health_detail,
        "LinkedEnvironments": linked,
        "CreatedTime": time(p.row.created_time),
        "Origin": crate::twin::origin(db, "EnterprisePolicy", &p.row.resource_id)?,
    })))
}

/// Reads a file the user named (at most 4 MiB of UTF-8 text).
fn read_text_file(path: &str, what: &str) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::new(ErrorCode::FileError, format!("Cannot read the {what} '{path}': {e}.")).with_target(path)
    })?;
    if !meta.is_file() || meta.len() > 4 << 20 {
        return Err(Error::new(ErrorCode::FileError, format!("The {what} '{path}' is not a file of at most 4 MiB."))
            .with_target(path));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::new(ErrorCode::FileError, format!("Cannot read the {what} '{path}': {e}.")))?;
    String::from_utf8(bytes).map_err(|_| {
        Error::new(ErrorCode::InvalidTemplate, format!("The {what} '{path}' is not UTF-8 text.")).with_target(path)
    })
}

fn deploy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let rg_name = args.required("ResourceGroupName")?;
    let rg = arm::resource_group(ctx.db(), rg_name)?;
    let path = args.required("TemplateFile")?;
    let text = read_text_file(path, "template file")?;
    let template_json = template::parse_json(&text, "template file")?;
    let values = match (args.str("TemplateParameterFile"), args.object("TemplateParameterObject")) {
        (Some(p), _) => template::parameter_file_values(&template::parse_json(
            &read_text_file(p, "parameter file")?,
            "parameter file",
        )?)?,
        (None, Some(obj)) => obj.clone(),
        (None, None) => Map::new(),
    };
    let scope = template::Scope {
        subscription_id: SUBSCRIPTION_ID,
        resource_group: &rg.name,
        resource_group_location: rg.location.as_deref().unwrap_or_default(),
    };
    let resources = template::read_policies(&template_json, &values, &scope)?;
    let specs: Vec<(PolicySpec, FieldNames)> = resources
        .iter()
        .map(|r| {
            (
                PolicySpec {
                    name: r.name.clone(),
                    location: r.location.clone(),
                    encryption_state: r.encryption_state.clone(),
                    key_vault_id: r.key_vault_id.clone(),
                    key_name: r.key_name.clone(),
                    key_version: r.key_version.clone(),
                },
                FieldNames::template(&r.path),
            )
        })
        .collect();
    let deployed = policy::deploy(ctx.db(), &caller, &rg.name, &specs, ctx.now)?;
    let name = args.str("Name").map(str::to_string).unwrap_or_else(|| {
        std::path::Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "deployment".into())
    });
    let ids: Vec<String> = deployed.iter().map(|(p, _)| p.row.resource_id.clone()).collect();
    ctx.set_audit_target(rg.id.clone());
    ctx.set_audit_detail(format!("deployment '{name}': {}", ids.join(", ")));
    Ok(vec![object(json!({
        "DeploymentName": name,
        "ResourceGroupName": rg.name,
        "ProvisioningState": "Succeeded",
        "Timestamp": time(ctx.now),
        "Mode": "Incremental",
        "Parameters": values,
        "Outputs": {},
        "OutputResources": ids,
    }))])
}

fn new_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    if let Some(sub) = args.str("SubscriptionId") {
        if !sub.eq_ignore_ascii_case(SUBSCRIPTION_ID) {
            return Err(Error::not_found("Subscription", sub));
        }
    }
    let spec = PolicySpec {
        name: args.required("Name")?.to_string(),
        location: args.required("Location")?.to_string(),
        encryption_state: "Enabled".into(),
        key_vault_id: args.required("KeyVaultId")?.to_string(),
        key_name: args.required("KeyName")?.to_string(),
        key_version: args
            .str("KeyVersion")
            .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("N/A"))
            .map(str::to_string),
    };
    let p = policy::create(ctx.db(), &caller, args.required("ResourceGroup")?, spec, ctx.now)?;
    ctx.set_audit_target(p.row.resource_id.clone());
    ctx.set_audit_detail(format!("identity {}", p.row.principal_id));
    Ok(vec![policy_object(ctx.db(), &p)?])
}

fn get_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let q = PolicyQuery {
        resource_id: args.str("ResourceId"),
        resource_group: args.str("ResourceGroup"),
        subscription_id: args.str("SubscriptionId"),
    };
    policy::list(ctx.db(), &caller, &q)?.iter().map(|p| policy_object(ctx.db(), p)).collect()
}

fn set_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let version = args.str("KeyVersion").map(|v| {
        if v.is_empty() || v.eq_ignore_ascii_case("N/A") {
            None
        } else {
            Some(v.to_string())
        }
    });
    let p = policy::update(
        ctx.db(),
        &caller,
        args.required("ResourceId")?,
        args.str("KeyVaultId"),
        args.str("KeyName"),
        version,
        ctx.now,
    )?;
    ctx.set_audit_target(p.row.resource_id.clone());
    Ok(vec![policy_object(ctx.db(), &p)?])
}

fn remove_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let p = policy::remove(ctx.db(), &caller, args.required("ResourceId")?, true)?;
    ctx.set_audit_target(p.row.resource_id.clone());
    Ok(vec![])
}

fn test_key_vault(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let checks = policy::validate_key_vault_for_cmk(
        ctx.db(),
        &caller,
        args.required("KeyVaultName")?,
        args.required("EnterprisePolicyArmId")?,
        ctx.now,
    )?;
    Ok(checks
        .iter()
        .map(|c| {
            object(json!({"Check": c.check, "Status": if c.passed { "Pass" } else { "Fail" }, "Message": c.message}))
        })
        .collect())
}

/// Properties and identity of a resource, from the area that owns it.
fn resource_details(db: &Db, id: &str, resource_type: &str) -> Result<(Value, Value)> {
    if resource_type.eq_ignore_ascii_case(policy::RESOURCE_TYPE) {
        if let Some(row) = db.policy_by_resource_id(id)? {
            let p = Policy { row };
            return Ok((policy::arm_identity(&p), policy::arm_properties(&p)));
        }
    }
    if let Some(v) = keyvault::vault_by_resource_id(db, id).ok().flatten() {
        let props = json!({
            "vaultUri": v.uri(),
            "sku": {"name": v.row.sku},
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": v.row.soft_delete_retention_days,
            "enablePurgeProtection": v.row.purge_protection,
            "enableRbacAuthorization": v.row.rbac_authorization,
            "publicNetworkAccess": v.row.public_network_access,
        });
        return Ok((Value::Null, props));
    }
    Ok((Value::Null, json!({})))
}

fn get_resource(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let db = ctx.db();
    let rows = match args.str("ResourceId") {
        Some(id) => {
            ArmId::parse(id)?;
            vec![db.arm_resource(id)?.ok_or_else(|| Error::not_found("Resource", id))?]
        }
        None => db.arm_resources(&ArmQuery {
            resource_type: args.str("ResourceType"),
            resource_group: args.str("ResourceGroupName"),
            name: args.str("Name"),
        })?,
    };
    let mut out = Vec::new();
    for r in rows.into_iter().filter(|r| r.resource_type != "Microsoft.Resources/resourceGroups") {
        let read = format!("{}/read", r.resource_type);
        if !crate::identity::rbac::has_permission(db, caller.object_id(), &r.id, &read)? {
            continue;
        }
        let (identity, properties) = resource_details(db, &r.id, &r.resource_type)?;
        out.push(object(json!({
            "Name": r.name,
            "ResourceGroupName": r.resource_group,
            "ResourceType": r.resource_type,
            "Location": r.location,
            "ResourceId": r.id,
            "Kind": r.kind,
            "Identity": identity,
            "Properties": properties,
        })));
    }
    if let (Some(id), true) = (args.str("ResourceId"), out.is_empty()) {
        return Err(Error::not_found("Resource", id));
    }
    Ok(out)
}

fn remove_resource(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let id = args.required("ResourceId")?;
    let parsed = ArmId::parse(id)?;
    ctx.set_audit_target(id.to_string());
    let resource_type = parsed.resource_type().unwrap_or_default();
    if resource_type.eq_ignore_ascii_case(policy::RESOURCE_TYPE) {
        policy::remove(ctx.db(), &caller, id, false)?;
        ctx.set_audit_detail("enterprise policy deleted (linked environments lose their key)");
        return Ok(vec![]);
    }
    if resource_type.eq_ignore_ascii_case("Microsoft.KeyVault/vaults") {
        keyvault::remove_vault(
            ctx.db(),
            &caller,
            parsed.name().unwrap_or_default(),
            parsed.resource_group.as_deref(),
            ctx.now,
        )?;
        ctx.set_audit_detail("key vault soft-deleted");
        return Ok(vec![]);
    }
    Err(Error::invalid(format!(
        "Remove-AzResource handles enterprise policies and key vaults here, not '{resource_type}'."
    )))
}
