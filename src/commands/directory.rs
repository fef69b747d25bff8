//! Directory commands: users and service principals (Az.Resources names) and
//! the directory roles the CMK documentation relies on.

use super::{object, time};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{self, DirectoryRole};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::store::{PrincipalKind, PrincipalQuery, PrincipalRow};
use serde_json::json;

const USER_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.ADUser",
    properties: &[
        "DisplayName",
        "Id",
        "Mail",
        "UserPrincipalName",
        "MailNickname",
        "AccountEnabled",
        "UserType",
        "DirectoryRoles",
    ],
    table: &["DisplayName", "Id", "Mail", "UserPrincipalName"],
};

const SERVICE_PRINCIPAL_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.ADServicePrincipal",
    properties: &["DisplayName", "Id", "AppId", "ServicePrincipalType", "AlternativeName"],
    table: &["DisplayName", "Id", "AppId", "ServicePrincipalType"],
};

const ROLE_MEMBER_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.DirectoryRoleMember",
    properties: &["RoleName", "RoleTemplateId", "UserPrincipalName", "DisplayName", "ObjectId", "AddedTime"],
    table: &["RoleName", "UserPrincipalName", "DisplayName", "ObjectId"],
};

const LICENSE_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.License",
    properties: &["Sku", "Units", "QualifiesForCmk", "AddedTime"],
    table: &["Sku", "Units", "QualifiesForCmk"],
};

pub static COMMANDS: &[Command] = &[
    Command {
        name: "New-AzADUser",
        synopsis: "Creates a user in the tenant's directory (Global Administrator only).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("DisplayName").mandatory().help("The user's display name."),
            Param::string("UserPrincipalName").mandatory().help("alias@contoso.onmicrosoft.com: the tenant's verified domain."),
            Param::string("MailNickname").help("The mail alias. Default: the UPN's alias."),
            Param::secure("Password").help("Accepted for script compatibility and not stored: local sign-in needs no password."),
            Param::boolean("AccountEnabled").default("$true").help("Whether the account can sign in."),
        ],
        groups: &[],
        output: USER_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument],
        example: "New-AzADUser -DisplayName 'Key Vault Admin' -UserPrincipalName kvadmin@contoso.onmicrosoft.com",
        handler: new_user,
    },
    Command {
        name: "Update-AzADUser",
        synopsis: "Changes a user: enables or disables the account, or changes its display name or mail alias (Global Administrator only).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("UPNOrObjectId").alias(&["UserPrincipalName", "UPN"]).pipeline().help("The user's principal name or object id."),
            Param::string("ObjectId").alias(&["Id"]).help("The user's object id."),
            Param::boolean("AccountEnabled").help("$false disables the account: it can no longer sign in or act, even if signed in."),
            Param::string("DisplayName").help("A new display name."),
            Param::string("MailNickname").help("A new mail alias."),
            Param::switch("PassThru").help("Output the user after the change."),
        ],
        groups: &[Group::exactly_one(&["UPNOrObjectId", "ObjectId"])],
        output: USER_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::InvalidArgument],
        example: "Update-AzADUser -UPNOrObjectId kvadmin@contoso.onmicrosoft.com -AccountEnabled $false",
        handler: update_user,
    },
    Command {
        name: "Get-AzADUser",
        synopsis: "Gets users of the directory.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("UserPrincipalName").alias(&["UPN"]).pipeline().help("The user's principal name."),
            Param::string("ObjectId").alias(&["Id"]).pipeline().help("The user's object id."),
            Param::string("DisplayName").help("Users with exactly this display name."),
            Param::string("StartsWith").alias(&["SearchString"]).help("Users whose display name starts with this text."),
        ],
        groups: &[Group::at_most_one(&["UserPrincipalName", "ObjectId", "DisplayName", "StartsWith"])],
        output: USER_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-AzADUser -UserPrincipalName admin@contoso.onmicrosoft.com",
        handler: get_user,
    },
    Command {
        name: "Get-AzADServicePrincipal",
        synopsis: "Gets service principals, including the managed identities of enterprise policies.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("ObjectId").alias(&["Id"]).pipeline().help("The service principal's object id."),
            Param::string("DisplayName").help("Service principals with exactly this display name."),
            Param::string("SearchString").alias(&["StartsWith"]).help("Service principals whose display name starts with this text."),
            Param::string("ApplicationId").alias(&["AppId"]).help("The service principal's application id."),
        ],
        groups: &[Group::at_most_one(&["ObjectId", "DisplayName", "SearchString", "ApplicationId"])],
        output: SERVICE_PRINCIPAL_OUTPUT,
        errors: &[ErrorCode::NotFound],
        example: "Get-AzADServicePrincipal -SearchString contoso-cmk",
        handler: get_service_principal,
    },
    Command {
        name: "Add-PpCmkDirectoryRoleMember",
        synopsis: "Adds a user to a directory role: Global, Power Platform or Dynamics 365 Administrator (Global Administrator only).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("RoleName").mandatory().one_of(DirectoryRole::NAMES).help("The directory role."),
            Param::string("UserPrincipalName").mandatory().pipeline().help("The user to add."),
        ],
        groups: &[],
        output: ROLE_MEMBER_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict],
        example: "Add-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName ppadmin@contoso.onmicrosoft.com",
        handler: add_role_member,
    },
    Command {
        name: "Remove-PpCmkDirectoryRoleMember",
        synopsis: "Removes a user from a directory role (Global Administrator only; the last Global Administrator stays).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("RoleName").mandatory().one_of(DirectoryRole::NAMES).help("The directory role."),
            Param::string("UserPrincipalName").mandatory().pipeline().help("The user to remove."),
        ],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict],
        example: "Remove-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName ppadmin@contoso.onmicrosoft.com",
        handler: remove_role_member,
    },
    Command {
        name: "Get-PpCmkDirectoryRoleMember",
        synopsis: "Lists the members of the directory roles.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            Param::string("RoleName").one_of(DirectoryRole::NAMES).help("Only this role."),
            Param::string("UserPrincipalName").pipeline().help("Only this user's roles."),
        ],
        groups: &[],
        output: ROLE_MEMBER_OUTPUT,
        errors: &[],
        example: "Get-PpCmkDirectoryRoleMember -RoleName 'Global Administrator'",
        handler: get_role_members,
    },
    Command {
        name: "Add-PpCmkLicense",
        synopsis: "Adds seats of a subscription to the tenant (Global Administrator). Using a customer-managed key requires users to have one of the subscriptions the documentation lists (Microsoft 365 or Office 365 A5/E5/G5, or an A5/E5/F5/G5 Compliance, F5 Security & Compliance, Information Protection and Governance or Insider Risk Management one).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("Sku").mandatory().one_of(identity::licenses::SKUS).help("The subscription, as the documentation names it, e.g. 'Microsoft 365 E5'."),
            Param::int("Units").default("25").range(1, 1_000_000).help("Seats to add."),
        ],
        groups: &[],
        output: LICENSE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::InvalidArgument],
        example: "Add-PpCmkLicense -Sku 'Microsoft 365 E5' -Units 25",
        handler: add_license,
    },
    Command {
        name: "Get-PpCmkLicense",
        synopsis: "Gets the tenant's subscriptions, and whether each gives access to customer-managed keys.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[],
        groups: &[],
        output: LICENSE_OUTPUT,
        errors: &[],
        example: "Get-PpCmkLicense",
        handler: get_license,
    },
];

fn user_object(ctx: &Ctx, u: &PrincipalRow) -> Result<Object> {
    let upn = u.user_principal_name.clone().unwrap_or_default();
    Ok(object(json!({
        "DisplayName": u.display_name,
        "Id": u.object_id,
        "Mail": upn,
        "UserPrincipalName": upn,
        "MailNickname": u.mail_nickname,
        "AccountEnabled": u.account_enabled,
        "UserType": "Member",
        "DirectoryRoles": ctx.db().directory_roles_of(&u.object_id)?,
    })))
}

fn new_user(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let user = identity::create_user(
        ctx.db(),
        &caller,
        args.required("DisplayName")?,
        args.required("UserPrincipalName")?,
        args.str("MailNickname"),
        args.bool("AccountEnabled").unwrap_or(true),
        ctx.now,
    )?;
    Ok(vec![user_object(ctx, &user)?])
}

fn update_user(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let reference = match args.str("UPNOrObjectId") {
        Some(r) => r,
        None => args.required("ObjectId")?,
    };
    let change = identity::UserUpdate {
        account_enabled: args.bool("AccountEnabled"),
        display_name: args.str("DisplayName"),
        mail_nickname: args.str("MailNickname"),
    };
    let user = identity::update_user(ctx.db(), &caller, reference, &change)?;
    ctx.set_audit_target(user.user_principal_name.clone().unwrap_or_else(|| user.object_id.clone()));
    ctx.set_audit_detail(format!("account enabled: {}", user.account_enabled));
    Ok(if args.switch("PassThru") { vec![user_object(ctx, &user)?] } else { vec![] })
}

fn get_user(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    ctx.caller()?;
    let q = PrincipalQuery {
        kind: Some(PrincipalKind::User),
        object_id: args.str("ObjectId"),
        user_principal_name: args.str("UserPrincipalName"),
        display_name: args.str("DisplayName"),
        display_name_prefix: args.str("StartsWith"),
    };
    let users = ctx.db().find_principals(&q)?;
    let lookup = args.str("UserPrincipalName").or(args.str("ObjectId"));
    if let (Some(name), true) = (lookup, users.is_empty()) {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!(
                "Resource '{name}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
        .with_target(name));
    }
    users.iter().map(|u| user_object(ctx, u)).collect()
}

fn service_principal_object(sp: &PrincipalRow) -> Object {
    object(json!({
        "DisplayName": sp.display_name,
        "Id": sp.object_id,
        "AppId": sp.app_id,
        "ServicePrincipalType": sp.service_principal_type,
        "AlternativeName": sp.alternative_names,
    }))
}

fn get_service_principal(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    ctx.caller()?;
    let mut found = ctx.db().find_principals(&PrincipalQuery {
        kind: Some(PrincipalKind::ServicePrincipal),
        object_id: args.str("ObjectId"),
        user_principal_name: None,
        display_name: args.str("DisplayName"),
        display_name_prefix: args.str("SearchString"),
    })?;
    if let Some(app_id) = args.str("ApplicationId") {
        found.retain(|sp| sp.app_id.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(app_id)));
    }
    if let (Some(id), true) = (args.str("ObjectId").or(args.str("ApplicationId")), found.is_empty()) {
        return Err(
            Error::new(ErrorCode::NotFound, format!("Service principal '{id}' does not exist.")).with_target(id)
        );
    }
    Ok(found.iter().map(service_principal_object).collect())
}

fn role_of(args: &Args) -> Result<DirectoryRole> {
    let name = args.required("RoleName")?;
    DirectoryRole::parse(name).ok_or_else(|| Error::invalid(format!("'{name}' is not a directory role.")))
}

fn member_object(role: DirectoryRole, p: &PrincipalRow, added: chrono::DateTime<chrono::Utc>) -> Object {
    object(json!({
        "RoleName": role.name(),
        "RoleTemplateId": role.template_id(),
        "UserPrincipalName": p.user_principal_name,
        "DisplayName": p.display_name,
        "ObjectId": p.object_id,
        "AddedTime": time(added),
    }))
}

fn add_role_member(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let role = role_of(args)?;
    let upn = args.required("UserPrincipalName")?;
    let user = identity::add_role_member(ctx.db(), &caller, role, upn, ctx.now)?;
    ctx.set_audit_detail(format!("{upn} added to {}", role.name()));
    Ok(vec![member_object(role, &user, ctx.now)])
}

fn remove_role_member(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let role = role_of(args)?;
    let upn = args.required("UserPrincipalName")?;
    identity::remove_role_member(ctx.db(), &caller, role, upn)?;
    ctx.set_audit_detail(format!("{upn} removed from {}", role.name()));
    Ok(vec![])
}

fn get_role_members(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    ctx.caller()?;
    let role = args.str("RoleName").and_then(DirectoryRole::parse);
    let upn = args.str("UserPrincipalName");
    let members = ctx.db().directory_role_members(role.map(|r| r.name()))?;
    Ok(members
        .iter()
        .filter(|(_, p, _)| {
            upn.is_none_or(|u| p.user_principal_name.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(u)))
        })
        .filter_map(|(name, p, added)| DirectoryRole::parse(name).map(|r| member_object(r, p, *added)))
        .collect())
}

fn license_object(l: &identity::licenses::License) -> Object {
    object(json!({
        "Sku": l.sku,
        "Units": l.units,
        "QualifiesForCmk": l.qualifies_for_cmk(),
        "AddedTime": time(l.added_time),
    }))
}

fn add_license(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let sku = args.required("Sku")?.to_string();
    let license = identity::licenses::add(ctx.db(), &caller, &sku, args.int("Units").unwrap_or(25), ctx.now)?;
    ctx.set_audit_target("tenant");
    ctx.set_audit_detail(format!("{} +{}", license.sku, args.int("Units").unwrap_or(25)));
    Ok(vec![license_object(&license)])
}

fn get_license(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    ctx.caller()?;
    Ok(identity::licenses::list(ctx.db())?.iter().map(license_object).collect())
}
