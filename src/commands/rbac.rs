//! Azure RBAC commands with Az.Resources names, parameters and output.

use super::object;
use crate::arm::{self, ArmId};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::rbac::{self, AssignmentQuery, RoleAssignment, RoleDefinition, RoleKind, BUILT_IN_ROLES};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::store::PrincipalRow;
use serde_json::{json, Value};

const ASSIGNMENT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.RoleAssignment",
    properties: &[
        "RoleAssignmentId",
        "Scope",
        "DisplayName",
        "SignInName",
        "RoleDefinitionName",
        "RoleDefinitionId",
        "ObjectId",
        "ObjectType",
        "CanDelegate",
        "Description",
        "ConditionVersion",
        "Condition",
    ],
    table: &["RoleDefinitionName", "DisplayName", "SignInName", "ObjectType", "Scope"],
};

const PRINCIPAL_PARAMS: [Param; 3] = [
    Param::string("ObjectId")
        .alias(&["Id", "PrincipalId"])
        .pipeline()
        .help("The object id of the user or service principal."),
    Param::string("SignInName").alias(&["Email", "UserPrincipalName"]).help("The user principal name of the user."),
    Param::string("ApplicationId")
        .alias(&["SPN", "ServicePrincipalName"])
        .help("The application id of the service principal."),
];
const ROLE_PARAMS: [Param; 2] = [
    Param::string("RoleDefinitionName")
        .pipeline()
        .help("The role's name, e.g. Reader or 'Key Vault Crypto Service Encryption User'."),
    Param::string("RoleDefinitionId").help("The role definition's GUID."),
];
const SCOPE_PARAMS: [Param; 5] = [
    Param::string("Scope")
        .pipeline()
        .help("The ARM scope: subscription, resource group, resource or child resource id. Default: the subscription."),
    Param::string("ResourceGroupName")
        .help("A resource group, as scope (with -ResourceName/-ResourceType: a resource in it)."),
    Param::string("ResourceName").help("With -ResourceGroupName and -ResourceType: a resource as scope."),
    Param::string("ResourceType").help("With -ResourceName: the resource type, e.g. Microsoft.KeyVault/vaults."),
    Param::string("ParentResource").help("With -ResourceName: the parent resource path, e.g. vaults/contoso-kv."),
];

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Get-AzRoleDefinition",
        synopsis: "Lists the built-in role definitions with their actions and data actions.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("Name").at(0).help("Only the role with this name."),
            Param::string("Id").help("Only the role with this id."),
        ],
        groups: &[Group::at_most_one(&["Name", "Id"])],
        output: OutputSpec {
            type_name: "PpCmk.RoleDefinition",
            properties: &["Name", "Id", "IsCustom", "Description", "Actions", "NotActions", "DataActions", "NotDataActions", "AssignableScopes"],
            table: &["Name", "Id", "IsCustom"],
        },
        errors: &[],
        example: "Get-AzRoleDefinition -Name 'Key Vault Crypto Service Encryption User'",
        handler: get_role_definition,
    },
    Command {
        name: "New-AzRoleAssignment",
        synopsis: "Assigns an Azure role to a user or service principal at a scope (Owner, User Access Administrator or Global Administrator).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            PRINCIPAL_PARAMS[0],
            PRINCIPAL_PARAMS[1],
            PRINCIPAL_PARAMS[2],
            ROLE_PARAMS[0],
            ROLE_PARAMS[1],
            SCOPE_PARAMS[0],
            SCOPE_PARAMS[1],
            SCOPE_PARAMS[2],
            SCOPE_PARAMS[3],
            SCOPE_PARAMS[4],
            Param::string("Description").help("A description of the assignment."),
            Param::string("Condition").help("An ABAC condition, stored and shown (not evaluated)."),
            Param::string("ConditionVersion").help("The condition's version, e.g. 2.0."),
            Param::string("ObjectType").help("Accepted for compatibility; the type comes from the directory."),
            Param::switch("AllowDelegation").help("Accepted for compatibility; delegation is not modelled."),
            Param::string("Name")
                .alias(&["RoleAssignmentName"])
                .help("The assignment's name, a GUID (default: a new one), as ARM's PUT names it."),
        ],
        groups: &[
            Group::exactly_one(&["ObjectId", "SignInName", "ApplicationId"]),
            Group::exactly_one(&["RoleDefinitionName", "RoleDefinitionId"]),
            Group::at_most_one(&["Scope", "ResourceGroupName"]),
        ],
        output: ASSIGNMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::InvalidArgument],
        example: "New-AzRoleAssignment -ObjectId 00aa00aa-bb11-cc22-dd33-44ee44ee44ee -RoleDefinitionName Reader -Scope /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e",
        handler: new_role_assignment,
    },
    Command {
        name: "Get-AzRoleAssignment",
        synopsis: "Lists role assignments at, above and below a scope that the caller may see.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            PRINCIPAL_PARAMS[0],
            PRINCIPAL_PARAMS[1],
            PRINCIPAL_PARAMS[2],
            ROLE_PARAMS[0],
            ROLE_PARAMS[1],
            SCOPE_PARAMS[0],
            SCOPE_PARAMS[1],
            SCOPE_PARAMS[2],
            SCOPE_PARAMS[3],
            SCOPE_PARAMS[4],
        ],
        groups: &[
            Group::at_most_one(&["ObjectId", "SignInName", "ApplicationId"]),
            Group::at_most_one(&["RoleDefinitionName", "RoleDefinitionId"]),
            Group::at_most_one(&["Scope", "ResourceGroupName"]),
        ],
        output: ASSIGNMENT_OUTPUT,
        errors: &[ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Get-AzRoleAssignment -SignInName ppadmin@contoso.onmicrosoft.com",
        handler: get_role_assignment,
    },
    Command {
        name: "Remove-AzRoleAssignment",
        synopsis: "Removes a role assignment (Owner, User Access Administrator or Global Administrator).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            PRINCIPAL_PARAMS[0],
            PRINCIPAL_PARAMS[1],
            PRINCIPAL_PARAMS[2],
            ROLE_PARAMS[0],
            ROLE_PARAMS[1],
            SCOPE_PARAMS[0],
            SCOPE_PARAMS[1],
            SCOPE_PARAMS[2],
            SCOPE_PARAMS[3],
            SCOPE_PARAMS[4],
            Param::switch("PassThru").help("Output the removed assignment."),
        ],
        groups: &[
            Group::exactly_one(&["ObjectId", "SignInName", "ApplicationId"]),
            Group::exactly_one(&["RoleDefinitionName", "RoleDefinitionId"]),
            Group::at_most_one(&["Scope", "ResourceGroupName"]),
        ],
        output: ASSIGNMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Remove-AzRoleAssignment -SignInName ppadmin@contoso.onmicrosoft.com -RoleDefinitionName Reader",
        handler: remove_role_assignment,
    },
];

fn role_definition_object(r: &RoleDefinition) -> Object {
    object(json!({
        "Name": r.name,
        "Id": r.id,
        "IsCustom": false,
        "Description": r.description,
        "Actions": r.actions,
        "NotActions": r.not_actions,
        "DataActions": r.data_actions,
        "NotDataActions": r.not_data_actions,
        "AssignableScopes": [match r.kind { RoleKind::Arm => "/", RoleKind::ManagedHsmLocal => "/ (Managed HSM local)" }],
    }))
}

fn get_role_definition(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    ctx.caller()?;
    let name = args.str("Name");
    let id = args.str("Id");
    Ok(BUILT_IN_ROLES
        .iter()
        .filter(|r| name.is_none_or(|n| r.name.eq_ignore_ascii_case(n.trim())))
        .filter(|r| id.is_none_or(|i| r.id.eq_ignore_ascii_case(i.trim())))
        .map(role_definition_object)
        .collect())
}

pub(crate) fn assignment_object(a: &RoleAssignment) -> Object {
    let (display, sign_in, object_type) = match &a.principal {
        Some(p) => (Value::from(p.display_name.clone()), Value::from(p.user_principal_name.clone()), p.kind.as_str()),
        None => (Value::Null, Value::Null, "Unknown"),
    };
    object(json!({
        "RoleAssignmentId": a.assignment_id(),
        "Scope": a.row.scope,
        "DisplayName": display,
        "SignInName": sign_in,
        "RoleDefinitionName": a.role.name,
        "RoleDefinitionId": a.role.id,
        "ObjectId": a.row.principal_id,
        "ObjectType": object_type,
        "CanDelegate": false,
        "Description": a.row.description,
        "ConditionVersion": a.row.condition.as_ref().map(|_| "2.0"),
        "Condition": a.row.condition,
    }))
}

/// The principal named by -ObjectId, -SignInName or -ApplicationId.
fn principal_of(ctx: &Ctx, args: &Args) -> Result<Option<PrincipalRow>> {
    let db = ctx.db();
    if let Some(id) = args.str("ObjectId") {
        return db.principal(id)?.map(Some).ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("Principal '{id}' does not exist in the directory {}.", crate::identity::TENANT_ID),
            )
            .with_target(id)
        });
    }
    if let Some(upn) = args.str("SignInName") {
        return db.principal_by_upn(upn)?.map(Some).ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("Cannot find principal using the specified options: no user '{upn}'."),
            )
            .with_target(upn)
        });
    }
    if let Some(app) = args.str("ApplicationId") {
        return db.principal_by_app_id(app)?.map(Some).ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("Cannot find a service principal with application id '{app}'."))
                .with_target(app)
        });
    }
    Ok(None)
}

/// The scope named by -Scope, or -ResourceGroupName [-ResourceType -ResourceName [-ParentResource]].
fn scope_of(args: &Args) -> Result<Option<String>> {
    if let Some(scope) = args.str("Scope") {
        return Ok(Some(ArmId::parse(scope)?.to_string()));
    }
    let resource = (args.str("ResourceName"), args.str("ResourceType"));
    let Some(rg) = args.str("ResourceGroupName") else {
        if resource.0.is_some() || resource.1.is_some() {
            return Err(Error::invalid("-ResourceName and -ResourceType need -ResourceGroupName."));
        }
        return Ok(None);
    };
    let rg_id = arm::resource_group_id(crate::identity::SUBSCRIPTION_ID, rg);
    let id = match resource {
        (None, None) => rg_id,
        (Some(name), Some(ty)) => match args.str("ParentResource") {
            Some(parent) => {
                let (ns, types) =
                    ty.split_once('/').ok_or_else(|| Error::invalid(format!("'{ty}' is not Namespace/type.")))?;
                format!("{rg_id}/providers/{ns}/{parent}/{types}/{name}")
            }
            None => format!("{rg_id}/providers/{ty}/{name}"),
        },
        _ => return Err(Error::invalid("-ResourceName and -ResourceType go together.")),
    };
    Ok(Some(ArmId::parse(&id)?.to_string()))
}

fn role_of(args: &Args) -> Result<Option<&'static RoleDefinition>> {
    match (args.str("RoleDefinitionName"), args.str("RoleDefinitionId")) {
        (None, None) => Ok(None),
        (name, id) => rbac::resolve_role(name, id).map(Some),
    }
}

fn new_role_assignment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let scope = scope_of(args)?.unwrap_or_else(arm::default_scope);
    let role = role_of(args)?.ok_or_else(|| Error::internal("role group is required"))?;
    let principal = principal_of(ctx, args)?.ok_or_else(|| Error::internal("principal group is required"))?;
    ctx.set_audit_target(scope.clone());
    ctx.set_audit_detail(format!("{} to {} ({})", role.name, principal.display_name, principal.object_id));
    let a = rbac::create_assignment(
        ctx.db(),
        &caller,
        &principal,
        role,
        &scope,
        args.str("Description"),
        args.str("Condition"),
        args.str("Name"),
        ctx.now,
    )?;
    Ok(vec![assignment_object(&a)])
}

fn get_role_assignment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let principal = principal_of(ctx, args).or_else(|e| {
        // An unknown object id simply matches nothing, as Azure's list does.
        if e.code == ErrorCode::NotFound && args.has("ObjectId") {
            Ok(None)
        } else {
            Err(e)
        }
    })?;
    let principal_id = match (&principal, args.str("ObjectId")) {
        (Some(p), _) => Some(p.object_id.clone()),
        (None, Some(id)) => Some(id.to_string()),
        (None, None) => None,
    };
    let scope = scope_of(args)?;
    let q = AssignmentQuery { principal_id: principal_id.as_deref(), role: role_of(args)?, scope: scope.as_deref() };
    Ok(rbac::list_assignments(ctx.db(), &caller, &q)?.iter().map(assignment_object).collect())
}

fn remove_role_assignment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let scope = scope_of(args)?.unwrap_or_else(arm::default_scope);
    let role = role_of(args)?.ok_or_else(|| Error::internal("role group is required"))?;
    let principal_id = match principal_of(ctx, args) {
        Ok(Some(p)) => p.object_id,
        // Assignments of deleted principals can still be removed by object id.
        Err(e) if e.code == ErrorCode::NotFound && args.has("ObjectId") => args.required("ObjectId")?.to_string(),
        Err(e) => return Err(e),
        Ok(None) => return Err(Error::internal("principal group is required")),
    };
    ctx.set_audit_target(scope.clone());
    ctx.set_audit_detail(format!("{} from {principal_id}", role.name));
    let removed = rbac::remove_assignment(ctx.db(), &caller, &principal_id, role, &scope)?;
    Ok(if args.switch("PassThru") { vec![assignment_object(&removed)] } else { vec![] })
}
