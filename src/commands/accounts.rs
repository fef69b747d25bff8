//! Sign-in commands: Az's Connect-AzAccount family and the PowerApps
//! module's Add-PowerAppsAccount. No passwords: a local rehearsal signs in by
//! name, and `PPCMK_ACCOUNT` overrides the account for one process.

use super::object;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{self, Caller, ADMIN_UPN, SUBSCRIPTION_ID, SUBSCRIPTION_NAME, TENANT_DOMAIN, TENANT_ID};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Object, OutputSpec, Param, Side};
use serde_json::json;

const CONTEXT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.AzureContext",
    properties: &[
        "Name",
        "Account",
        "AccountDisplayName",
        "AccountObjectId",
        "AccountType",
        "DirectoryRoles",
        "SubscriptionId",
        "SubscriptionName",
        "TenantId",
        "TenantDomain",
        "Environment",
        "PowerPlatformAccount",
    ],
    table: &["Account", "SubscriptionName", "TenantId", "Environment"],
};

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Connect-AzAccount",
        synopsis: "Signs in to Azure as a directory account (no password in a local rehearsal).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            Param::string("AccountId").help(
                "The account's user principal name or object id. Default: the tenant's first Global Administrator.",
            ),
            Param::string("Tenant")
                .alias(&["TenantId", "Domain"])
                .help("The tenant id or domain; must be the store's tenant."),
            Param::string("Subscription")
                .alias(&["SubscriptionId", "SubscriptionName"])
                .help("The subscription id or name; must be the store's subscription."),
        ],
        groups: &[],
        output: CONTEXT_OUTPUT,
        errors: &[ErrorCode::NotFound, ErrorCode::Forbidden],
        example: "Connect-AzAccount -AccountId kvadmin@contoso.onmicrosoft.com",
        handler: connect_az_account,
    },
    Command {
        name: "Disconnect-AzAccount",
        synopsis: "Signs the Azure account out; Azure commands then need Connect-AzAccount or PPCMK_ACCOUNT.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[],
        example: "Disconnect-AzAccount",
        handler: disconnect_az_account,
    },
    Command {
        name: "Get-AzContext",
        synopsis: "Shows the signed-in Azure account, its directory roles, tenant and subscription.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[],
        groups: &[],
        output: CONTEXT_OUTPUT,
        errors: &[],
        example: "Get-AzContext -OutputFormat Json",
        handler: get_az_context,
    },
    Command {
        name: "Add-PowerAppsAccount",
        synopsis: "Signs in to Power Platform (the PowerApps administration module's session).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            Param::string("Username")
                .help("The account's user principal name. Default: the tenant's first Global Administrator."),
            Param::secure("Password")
                .help("Accepted for script compatibility and ignored: local sign-in needs no password."),
            Param::string("TenantID").help("The tenant id or domain; must be the store's tenant."),
            Param::string("Endpoint")
                .one_of(&["prod", "preview", "tip1", "tip2", "usgov", "usgovhigh", "dod", "china"])
                .default("prod")
                .help("The Power Platform cloud; accepted for compatibility."),
        ],
        groups: &[],
        output: CONTEXT_OUTPUT,
        errors: &[ErrorCode::NotFound, ErrorCode::Forbidden],
        example: "Add-PowerAppsAccount -Username ppadmin@contoso.onmicrosoft.com",
        handler: add_power_apps_account,
    },
    Command {
        name: "Remove-PowerAppsAccount",
        synopsis: "Signs the Power Platform account out.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[],
        example: "Remove-PowerAppsAccount",
        handler: remove_power_apps_account,
    },
];

fn context_object(ctx: &Ctx, caller: &Caller) -> Result<Object> {
    let p = &caller.principal;
    let account = caller.audit_name().to_string();
    let power_platform = identity::signed_in(ctx.db(), Side::PowerPlatform)?.map(|c| c.audit_name().to_string());
    Ok(object(json!({
        "Name": format!("{SUBSCRIPTION_NAME} ({SUBSCRIPTION_ID}) - {TENANT_ID} - {account}"),
        "Account": account,
        "AccountDisplayName": p.display_name,
        "AccountObjectId": p.object_id,
        "AccountType": p.kind.as_str(),
        "DirectoryRoles": caller.directory_roles.iter().map(|r| r.name()).collect::<Vec<_>>(),
        "SubscriptionId": SUBSCRIPTION_ID,
        "SubscriptionName": SUBSCRIPTION_NAME,
        "TenantId": TENANT_ID,
        "TenantDomain": TENANT_DOMAIN,
        "Environment": "AzureCloud",
        "PowerPlatformAccount": power_platform,
    })))
}

fn check_tenant(tenant: Option<&str>) -> Result<()> {
    match tenant {
        Some(t) if !t.eq_ignore_ascii_case(TENANT_ID) && !t.eq_ignore_ascii_case(TENANT_DOMAIN) => Err(Error::new(
            ErrorCode::NotFound,
            format!("Tenant '{t}' not found. This store's tenant is {TENANT_ID} ({TENANT_DOMAIN})."),
        )
        .with_target(t)),
        _ => Ok(()),
    }
}

fn check_subscription(subscription: Option<&str>) -> Result<()> {
    match subscription {
        Some(s) if !s.eq_ignore_ascii_case(SUBSCRIPTION_ID) && !s.eq_ignore_ascii_case(SUBSCRIPTION_NAME) => Err(Error::new(
            ErrorCode::NotFound,
            format!("Subscription '{s}' not found. This store's subscription is {SUBSCRIPTION_ID} ({SUBSCRIPTION_NAME})."),
        )
        .with_target(s)),
        _ => Ok(()),
    }
}

fn connect_az_account(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    check_tenant(args.str("Tenant"))?;
    check_subscription(args.str("Subscription"))?;
    let account = args.str("AccountId").unwrap_or(ADMIN_UPN);
    let caller = identity::sign_in(ctx.db(), Side::Azure, account, ctx.now)?;
    ctx.set_audit_target(caller.audit_name().to_string());
    Ok(vec![context_object(ctx, &caller)?])
}

fn disconnect_az_account(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    identity::sign_out(ctx.db(), Side::Azure)?;
    Ok(vec![])
}

fn get_az_context(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    match ctx.caller_if_signed_in()?.cloned() {
        Some(caller) => Ok(vec![context_object(ctx, &caller)?]),
        None => Ok(vec![]),
    }
}

fn add_power_apps_account(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    check_tenant(args.str("TenantID"))?;
    let account = args.str("Username").unwrap_or(ADMIN_UPN);
    let caller = identity::sign_in(ctx.db(), Side::PowerPlatform, account, ctx.now)?;
    ctx.set_audit_target(caller.audit_name().to_string());
    Ok(vec![context_object(ctx, &caller)?])
}

fn remove_power_apps_account(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    identity::sign_out(ctx.db(), Side::PowerPlatform)?;
    Ok(vec![])
}
