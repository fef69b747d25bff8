//! Resource manager commands: resource groups and resource providers
//! (Az.Resources names and output).

use super::object;
use crate::arm::{self, ProviderSpec};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::rbac;
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Object, OutputSpec, Param, Side};
use crate::store::ArmResourceRow;
use crate::{keyvault, policy};
use serde_json::json;

const RESOURCE_GROUP_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.ResourceGroup",
    properties: &["ResourceGroupName", "Location", "ProvisioningState", "ResourceId"],
    table: &["ResourceGroupName", "Location", "ProvisioningState", "ResourceId"],
};

const PROVIDER_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.ResourceProvider",
    properties: &["ProviderNamespace", "RegistrationState", "ResourceTypes", "Locations", "ApiVersions"],
    table: &["ProviderNamespace", "RegistrationState", "ResourceTypes", "Locations"],
};

pub static COMMANDS: &[Command] = &[
    Command {
        name: "New-AzResourceGroup",
        synopsis: "Creates a resource group in the subscription.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("Name").mandatory().alias(&["ResourceGroupName"]).at(0).help("The resource group's name."),
            Param::string("Location").mandatory().at(1).help("An Azure region, e.g. centralus or 'Central US'."),
        ],
        groups: &[],
        output: RESOURCE_GROUP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument],
        example: "New-AzResourceGroup -Name contoso-cmk -Location centralus",
        handler: new_resource_group,
    },
    Command {
        name: "Get-AzResourceGroup",
        synopsis: "Gets the resource groups the caller can read.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[Param::string("Name")
            .alias(&["ResourceGroupName"])
            .at(0)
            .pipeline()
            .help("Only this resource group.")],
        groups: &[],
        output: RESOURCE_GROUP_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-AzResourceGroup -Name contoso-cmk",
        handler: get_resource_group,
    },
    Command {
        name: "Remove-AzResourceGroup",
        synopsis: "Deletes a resource group with what it holds: key vaults are soft-deleted, enterprise policies deleted (linked environments lose their key), role assignments within it removed.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("Name").mandatory().alias(&["ResourceGroupName"]).at(0).pipeline().help("The resource group's name."),
            Param::switch("Force").help("Accepted for compatibility (no prompt is shown)."),
        ],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidOperation],
        example: "Remove-AzResourceGroup -Name contoso-cmk -Force",
        handler: remove_resource_group,
    },
    Command {
        name: "Register-AzResourceProvider",
        synopsis:
            "Registers a resource provider for the subscription (once per subscription, e.g. Microsoft.PowerPlatform).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[Param::string("ProviderNamespace")
            .mandatory()
            .at(0)
            .pipeline()
            .help("The provider, e.g. Microsoft.PowerPlatform.")],
        groups: &[],
        output: PROVIDER_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Register-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform",
        handler: register_provider,
    },
    Command {
        name: "Get-AzResourceProvider",
        synopsis: "Gets resource providers with their registration state, resource types and locations.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("ProviderNamespace").at(0).pipeline().help("Only this provider."),
            Param::switch("ListAvailable").help("Include providers that are not registered."),
        ],
        groups: &[],
        output: PROVIDER_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform",
        handler: get_provider,
    },
];

fn resource_group_object(rg: &ArmResourceRow) -> Object {
    object(json!({
        "ResourceGroupName": rg.name,
        "Location": rg.location,
        "ProvisioningState": "Succeeded",
        "ResourceId": rg.id,
    }))
}

fn new_resource_group(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let rg =
        arm::create_resource_group(ctx.db(), &caller, args.required("Name")?, args.required("Location")?, ctx.now)?;
    ctx.set_audit_target(rg.id.clone());
    Ok(vec![resource_group_object(&rg)])
}

fn get_resource_group(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    Ok(arm::resource_groups(ctx.db(), &caller, args.str("Name"))?.iter().map(resource_group_object).collect())
}

/// Deletes the group's resources through the areas that own them (all
/// checked first, so a group holding a resource ppcmk cannot delete with it
/// is refused whole), then the role assignments within it, then the group.
fn remove_resource_group(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let rg = arm::resource_groups(ctx.db(), &caller, Some(args.required("Name")?))?.remove(0);
    ctx.set_audit_target(rg.id.clone());
    rbac::authorize(ctx.db(), &caller, &rg.id, "Microsoft.Resources/subscriptions/resourceGroups/delete")?;
    let held: Vec<ArmResourceRow> = ctx
        .db()
        .arm_resources_under(&rg.id)?
        .into_iter()
        .filter(|r| arm::ArmId::parse(&r.id).is_ok_and(|id| id.segments.len() == 1))
        .collect();
    let deletable =
        |t: &str| t.eq_ignore_ascii_case(policy::RESOURCE_TYPE) || t.eq_ignore_ascii_case("Microsoft.KeyVault/vaults");
    if let Some(other) = held.iter().find(|r| !deletable(&r.resource_type)) {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!(
                "Resource group '{}' holds {} '{}', which ppcmk does not delete with the group: remove it first.",
                rg.name, other.resource_type, other.name
            ),
        )
        .with_target(other.id.clone()));
    }
    for r in &held {
        if r.resource_type.eq_ignore_ascii_case(policy::RESOURCE_TYPE) {
            policy::remove(ctx.db(), &caller, &r.id, false)?;
        } else {
            keyvault::remove_vault(ctx.db(), &caller, &r.name, Some(&rg.name), ctx.now)?;
        }
    }
    ctx.db().delete_role_assignments_within(&rg.id)?;
    arm::unregister_resource(ctx.db(), &rg.id)?;
    let names: Vec<&str> = held.iter().map(|r| r.name.as_str()).collect();
    ctx.set_audit_detail(if names.is_empty() {
        "deleted (empty)".to_string()
    } else {
        format!("deleted with {}", names.join(", "))
    });
    Ok(vec![])
}

/// One object per resource type, as Az prints providers.
fn provider_objects(spec: &ProviderSpec, state: &str) -> Vec<Object> {
    spec.resource_types
        .iter()
        .map(|t| {
            object(json!({
                "ProviderNamespace": spec.namespace,
                "RegistrationState": state,
                "ResourceTypes": [t.name],
                "Locations": t.locations,
                "ApiVersions": t.api_versions,
            }))
        })
        .collect()
}

fn register_provider(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let spec = arm::register_provider(ctx.db(), &caller, args.required("ProviderNamespace")?)?;
    ctx.set_audit_target(spec.namespace);
    Ok(provider_objects(spec, arm::REGISTERED))
}

fn get_provider(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    ctx.caller()?;
    let specs: Vec<&ProviderSpec> = match args.str("ProviderNamespace") {
        Some(ns) => vec![arm::provider_spec(ns)?],
        None => arm::PROVIDERS.iter().collect(),
    };
    let mut out = Vec::new();
    for spec in specs {
        let state = arm::provider_state(ctx.db(), spec.namespace)?;
        if args.has("ProviderNamespace") || args.switch("ListAvailable") || state == arm::REGISTERED {
            out.extend(provider_objects(spec, &state));
        }
    }
    Ok(out)
}
