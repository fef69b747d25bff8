//! Applying and removing customer-managed keys (the admin center's "Add
//! environments" / "Remove environment"), the operation history, the
//! "Environments with policies" view, and fault injection.

use super::{object, opt_time, time};
use crate::environment::{self, require_admin, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::keyvault::faults;
use crate::lifecycle::operations::{self as ops, Operation, FAULT_ENVIRONMENT_ENCRYPTION};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::store::{Db, VaultFaultRow};
use serde_json::json;

const OPERATION_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Operation",
    properties: &[
        "OperationId",
        "Name",
        "Kind",
        "EnvironmentName",
        "EnterprisePolicyId",
        "State",
        "Interrupted",
        "RecordsTotal",
        "RecordsProcessed",
        "PercentComplete",
        "Target",
        "StartTime",
        "EndTime",
        "ErrorCode",
        "ErrorMessage",
        "RequestedBy",
    ],
    table: &["Name", "Kind", "EnvironmentName", "State", "RecordsProcessed", "RecordsTotal", "StartTime"],
};

const FAULT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Fault",
    properties: &[
        "Operation",
        "VaultName",
        "AfterRecords",
        "RequestsPer10Seconds",
        "Milliseconds",
        "Percent",
        "StatusCode",
        "Until",
        "Armed",
    ],
    table: &["Operation", "VaultName", "Armed", "Until"],
};

const POLICY_ARM_ID: Param = Param::string("PolicyArmId")
    .mandatory()
    .alias(&["EnterprisePolicyArmId"])
    .help("The enterprise policy's ARM resource id.");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Add-PpCmkEnvironmentToEnterprisePolicy",
        synopsis: "Adds managed environments to an enterprise policy: they are disabled while their data is re-encrypted under the customer key.",
        side: Side::PowerPlatform,
        effect: Effect::LongRunning,
        params: &[
            Param::strings("EnvironmentName").mandatory().alias(&["EnvironmentId"]).pipeline().help("The environments' ids."),
            POLICY_ARM_ID,
            Param::switch("NoWait").help("Queue the operations (NotStarted) and return; Resume-PpCmkOperation or Invoke-PpCmkMaintenance runs them."),
        ],
        groups: &[],
        output: OPERATION_OUTPUT,
        errors: &[
            ErrorCode::Forbidden,
            ErrorCode::EnterprisePolicyAccessDenied,
            ErrorCode::NotManagedEnvironment,
            ErrorCode::UnsupportedEnvironmentType,
            ErrorCode::RegionMismatch,
            ErrorCode::KeyVaultAccessDenied,
            ErrorCode::ForbiddenByFirewall,
            ErrorCode::LimitExceeded,
            ErrorCode::Conflict,
            ErrorCode::OperationInProgress,
            ErrorCode::EnvironmentLocked,
            ErrorCode::FaultInjected,
            ErrorCode::NotFound,
        ],
        example: "Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy",
        handler: add_to_policy,
    },
    Command {
        name: "Remove-PpCmkEnvironmentFromEnterprisePolicy",
        synopsis: "Removes an environment from its enterprise policy: it is disabled while its data returns to the Microsoft-managed key.",
        side: Side::PowerPlatform,
        effect: Effect::LongRunning,
        params: &[
            Param::string("EnvironmentName").mandatory().alias(&["EnvironmentId"]).pipeline().help("The environment's id."),
            POLICY_ARM_ID,
            Param::switch("NoWait").help("Queue the operation and return."),
        ],
        groups: &[],
        output: OPERATION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::EnterprisePolicyAccessDenied, ErrorCode::NotFound, ErrorCode::EnvironmentLocked, ErrorCode::OperationInProgress, ErrorCode::InvalidOperation, ErrorCode::FaultInjected],
        example: "Remove-PpCmkEnvironmentFromEnterprisePolicy -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy",
        handler: remove_from_policy,
    },
    Command {
        name: "Switch-PpCmkEnvironmentEnterprisePolicy",
        synopsis: "Changes an environment's key: removes it from its policy, then adds it to the new one (two downtimes).",
        side: Side::PowerPlatform,
        effect: Effect::LongRunning,
        params: &[
            Param::string("EnvironmentName").mandatory().alias(&["EnvironmentId"]).pipeline().help("The environment's id."),
            Param::string("PolicyArmId").mandatory().alias(&["NewPolicyArmId"]).help("The new enterprise policy's ARM resource id."),
        ],
        groups: &[],
        output: OPERATION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::EnterprisePolicyAccessDenied, ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::InvalidOperation],
        example: "Switch-PpCmkEnvironmentEnterprisePolicy -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy-2",
        handler: switch_policy,
    },
    Command {
        name: "Get-PpCmkOperation",
        synopsis: "Shows environment operations (Update Customer Managed Key, key version rotations) with their state.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            Param::string("EnvironmentName").pipeline().help("Only this environment's operations."),
            Param::string("OperationId").help("One operation."),
        ],
        groups: &[Group::at_most_one(&["EnvironmentName", "OperationId"])],
        output: OPERATION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkOperation -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_operation,
    },
    Command {
        name: "Resume-PpCmkOperation",
        synopsis: "Resumes a queued or interrupted operation from where it stopped.",
        side: Side::PowerPlatform,
        effect: Effect::LongRunning,
        params: &[
            Param::string("OperationId").mandatory().pipeline().help("The operation."),
            Param::int("MaxRecords").range(1, 1_000_000_000).help("Re-encrypt at most this many records now and leave the operation Running, as the service does in the background (an added environment is Ready meanwhile)."),
        ],
        groups: &[],
        output: OPERATION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::OperationInProgress, ErrorCode::InvalidOperation, ErrorCode::FaultInjected, ErrorCode::InvalidArgument],
        example: "Resume-PpCmkOperation -OperationId 00000000-0000-0000-0000-000000000000",
        handler: resume_operation,
    },
    Command {
        name: "Get-PpCmkEnvironmentWithPolicy",
        synopsis: "The admin center's \"Environments with policies\": environment and encryption status of every environment with a policy.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[Param::string("PolicyArmId").help("Only this policy's environments.")],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.EnvironmentWithPolicy",
            properties: &[
                "EnvironmentName",
                "DisplayName",
                "PolicyName",
                "EnterprisePolicyId",
                "EnvironmentStatus",
                "EncryptionStatus",
                "KeyManagedBy",
                "KeyId",
                "LinkedTime",
                "PolicyHealth",
            ],
            table: &["DisplayName", "PolicyName", "EnvironmentStatus", "EncryptionStatus", "KeyManagedBy"],
        },
        errors: &[ErrorCode::Forbidden],
        example: "Get-PpCmkEnvironmentWithPolicy",
        handler: environments_with_policy,
    },
    Command {
        name: "Set-PpCmkFault",
        synopsis: "Arms (or clears) a fault to rehearse failures: EnvironmentEncryption stops the next encryption after n records; VaultThrottle, VaultLatency, VaultErrors and VaultOffline degrade a vault's data plane (ppcmk serve and the Az key and secret commands alike).",
        side: Side::Engine,
        effect: Effect::Change,
        params: &[
            Param::string("Operation").mandatory().one_of(&[FAULT_ENVIRONMENT_ENCRYPTION, faults::THROTTLE, faults::LATENCY, faults::ERRORS, faults::OFFLINE]).help("The fault point."),
            Param::string("VaultName").help("The key vault (or managed HSM) a Vault* fault degrades."),
            Param::int("AfterRecords").range(0, i64::MAX).help("EnvironmentEncryption: fail after this many records."),
            Param::int("RequestsPer10Seconds").range(1, 1_000_000).help("VaultThrottle: the vault's limit in RSA 2048-bit software key transactions per 10 seconds, instead of Key Vault's published 4,000; the other classes scale with it. Requests beyond it get 429 with Retry-After from ppcmk serve."),
            Param::int("Milliseconds").range(0, 60_000).help("VaultLatency: latency added to every data-plane request."),
            Param::int("Percent").range(0, 100).help("VaultErrors: the share of data-plane requests that fail."),
            Param::int("StatusCode").range(500, 503).default("503").help("VaultErrors: 503 (ServiceUnavailable, with Retry-After) or 500 (FaultInjected)."),
            Param::int("Seconds").range(1, 30 * 86_400).help("VaultOffline: how long the vault is unavailable, on the store's clock (Set-PpCmkClock moves past it)."),
            Param::switch("Clear").help("Disarm the fault."),
        ],
        groups: &[Group::exactly_one(&["AfterRecords", "RequestsPer10Seconds", "Milliseconds", "Percent", "Seconds", "Clear"])],
        output: FAULT_OUTPUT,
        errors: &[ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-PpCmkFault -Operation VaultOffline -VaultName contoso-cmk-kv -Seconds 120",
        handler: set_fault,
    },
    Command {
        name: "Get-PpCmkFault",
        synopsis: "Shows the faults armed with Set-PpCmkFault (an outage whose time has passed shows Armed false).",
        side: Side::Engine,
        effect: Effect::Read,
        params: &[Param::string("VaultName").help("Only this vault's faults.")],
        groups: &[],
        output: FAULT_OUTPUT,
        errors: &[],
        example: "Get-PpCmkFault -VaultName contoso-cmk-kv",
        handler: get_fault,
    },
];

pub(crate) fn operation_object(op: &Operation) -> Object {
    let percent = if op.row.total == 0 {
        if op.is_done() {
            100
        } else {
            0
        }
    } else {
        (op.row.processed * 100 / op.row.total).min(100)
    };
    object(json!({
        "OperationId": op.row.operation_id,
        "Name": op.name(),
        "Kind": op.row.kind,
        "EnvironmentName": op.row.environment_id,
        "EnterprisePolicyId": op.row.policy_resource_id,
        "State": op.row.state,
        "Interrupted": op.interrupted(),
        "RecordsTotal": op.row.total,
        "RecordsProcessed": op.row.processed,
        "PercentComplete": percent,
        "Target": op.row.target,
        "StartTime": time(op.row.start_time),
        "EndTime": opt_time(op.row.end_time),
        "ErrorCode": op.row.error_code,
        "ErrorMessage": op.row.error_message,
        "RequestedBy": op.row.requested_by,
    }))
}

fn add_to_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let ids = args.strings("EnvironmentName").unwrap_or_default();
    let policy = args.required("PolicyArmId")?.to_string();
    ctx.set_audit_target(format!("{} -> {policy}", ids.join(",")));
    let (store, now, no_wait) = (ctx.store(), ctx.now, args.switch("NoWait"));
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let done = ops::add(store, &caller, &ids, &policy, no_wait, now, &mut forward)?;
    // The command's read view predates the operations; warn from a fresh one.
    let db = store.db()?;
    for op in done.iter().filter(|o| o.row.state == "Succeeded") {
        if let Some(w) = crate::flows::mmk_warning(&db, &environment::find(&db, &op.row.environment_id)?)? {
            ctx.warn(w);
        }
    }
    Ok(done.iter().map(operation_object).collect())
}

fn remove_from_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = args.required("EnvironmentName")?.to_string();
    let policy = args.required("PolicyArmId")?.to_string();
    ctx.set_audit_target(format!("{env} -> {policy}"));
    let (store, now, no_wait) = (ctx.store(), ctx.now, args.switch("NoWait"));
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let (op, warning) = ops::remove(store, &caller, &env, &policy, no_wait, now, &mut forward)?;
    ctx.warn(warning);
    Ok(vec![operation_object(&op)])
}

fn switch_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = args.required("EnvironmentName")?.to_string();
    let policy = args.required("PolicyArmId")?.to_string();
    ctx.set_audit_target(format!("{env} -> {policy}"));
    let (store, now) = (ctx.store(), ctx.now);
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let (done, warning) = ops::switch(store, &caller, &env, &policy, now, &mut forward)?;
    ctx.warn(warning);
    Ok(done.iter().map(operation_object).collect())
}

fn get_operation(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    require_admin(ctx.caller()?, "read environment operations")?;
    let db = ctx.db();
    let rows = match args.str("OperationId") {
        Some(id) => vec![db.operation(id)?.ok_or_else(|| Error::not_found("Operation", id))?],
        None => {
            if let Some(env) = args.str("EnvironmentName") {
                environment::find(db, env).map(drop).or_else(|e| {
                    // Deleted environments keep their history.
                    if db.operations(Some(env))?.is_empty() {
                        Err(e)
                    } else {
                        Ok(())
                    }
                })?;
            }
            db.operations(args.str("EnvironmentName"))?
        }
    };
    Ok(rows.into_iter().map(|row| operation_object(&Operation { row })).collect())
}

fn resume_operation(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let id = args.required("OperationId")?.to_string();
    ctx.set_audit_target(id.clone());
    let (store, now) = (ctx.store(), ctx.now);
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let op = ops::resume(store, &caller, &id, args.int("MaxRecords"), now, &mut forward)?;
    Ok(vec![operation_object(&op)])
}

fn environments_with_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let db = ctx.db();
    let filter = match args.str("PolicyArmId") {
        Some(id) => Some(crate::policy::find(db, id)?.row.policy_id),
        None => None,
    };
    let mut out = Vec::new();
    for env in environment::list(db, &caller)? {
        let Some(policy_id) = env.row.policy_id.clone() else { continue };
        if filter.as_deref().is_some_and(|f| f != policy_id) {
            continue;
        }
        let policy = db.policy(&policy_id)?;
        out.push(with_policy_object(db, &env, policy.as_ref())?);
        if let Some(w) = crate::flows::mmk_warning(db, &env)? {
            ctx.warn(w);
        }
    }
    Ok(out)
}

fn with_policy_object(db: &Db, env: &Environment, policy: Option<&crate::store::PolicyRow>) -> Result<Object> {
    let key_id =
        db.env_key_versions(env.row.env_key)?.into_iter().find(|v| v.current_until.is_none()).map(|v| v.key_id);
    Ok(object(json!({
        "EnvironmentName": env.row.environment_id,
        "DisplayName": env.row.display_name,
        "PolicyName": policy.map(|p| p.name.clone()),
        "EnterprisePolicyId": policy.map(|p| p.resource_id.clone()),
        "EnvironmentStatus": env.row.state,
        "EncryptionStatus": crate::flows::encryption_status(db, env)?.unwrap_or(if env.row.state == environment::DISABLED { "InProgress" } else { "Pending" }),
        "KeyManagedBy": env.key_managed_by(),
        "KeyId": key_id,
        "LinkedTime": opt_time(env.row.linked_time),
        "PolicyHealth": policy.map(|p| p.health.clone()).unwrap_or_else(|| "Deleted".into()),
    })))
}

fn set_fault(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let operation = args.required("Operation")?.to_string();
    let armed = !args.switch("Clear");
    ctx.set_audit_target(operation.clone());
    if operation == FAULT_ENVIRONMENT_ENCRYPTION {
        if args.str("VaultName").is_some() {
            return Err(Error::invalid("EnvironmentEncryption takes no -VaultName."));
        }
        if armed {
            let after = args.int("AfterRecords").ok_or_else(|| {
                Error::new(ErrorCode::MissingMandatoryParameter, "EnvironmentEncryption takes -AfterRecords.")
            })?;
            ctx.db().set_fault(&operation, after, ctx.now)?;
        } else {
            ctx.db().clear_fault(&operation)?;
        }
        return Ok(vec![encryption_fault_object(args.int("AfterRecords"), armed)]);
    }
    let name = args.str("VaultName").ok_or_else(|| {
        Error::new(
            ErrorCode::MissingMandatoryParameter,
            format!("{operation} takes -VaultName (the vault it degrades)."),
        )
    })?;
    // The vault's own spelling; an unknown name is refused rather than armed for nobody.
    let db = ctx.db();
    let vault = crate::keyvault::active_vault(db, name, crate::keyvault::VaultKind::Vault)
        .or_else(|_| crate::keyvault::active_vault(db, name, crate::keyvault::VaultKind::ManagedHsm))?;
    let vault_name = vault.row.name.clone();
    ctx.set_audit_target(format!("{operation} {vault_name}"));
    if !armed {
        db.clear_vault_fault(&vault_name, &operation)?;
        return Ok(vec![fault_object(
            &VaultFaultRow { vault_name, kind: operation, amount: 0, status: None, until: None },
            false,
        )]);
    }
    let (value_param, status, until) = match operation.as_str() {
        faults::THROTTLE => ("RequestsPer10Seconds", None, None),
        faults::LATENCY => ("Milliseconds", None, None),
        faults::ERRORS => {
            let status = args.int("StatusCode").unwrap_or(503);
            if status != 500 && status != 503 {
                return Err(Error::invalid(format!("-StatusCode {status}: a VaultErrors fault answers 500 or 503.")));
            }
            ("Percent", Some(status), None)
        }
        _ => {
            let seconds = args.int("Seconds").unwrap_or(0);
            ("Seconds", None, Some(ctx.now + chrono::Duration::seconds(seconds)))
        }
    };
    let amount = args.int(value_param).ok_or_else(|| {
        Error::new(ErrorCode::MissingMandatoryParameter, format!("{operation} takes -{value_param}."))
    })?;
    let row = VaultFaultRow { vault_name, kind: operation, amount, status, until };
    db.set_vault_fault(&row, ctx.now)?;
    Ok(vec![fault_object(&row, true)])
}

fn fault_object(f: &VaultFaultRow, armed: bool) -> Object {
    let amount = |kind: &str| (f.kind == kind && armed).then_some(f.amount);
    object(json!({
        "Operation": f.kind,
        "VaultName": f.vault_name,
        "AfterRecords": null,
        "RequestsPer10Seconds": amount(faults::THROTTLE),
        "Milliseconds": amount(faults::LATENCY),
        "Percent": amount(faults::ERRORS),
        "StatusCode": f.status,
        "Until": opt_time(f.until),
        "Armed": armed,
    }))
}

fn encryption_fault_object(after: Option<i64>, armed: bool) -> Object {
    object(json!({
        "Operation": FAULT_ENVIRONMENT_ENCRYPTION,
        "VaultName": null,
        "AfterRecords": after,
        "RequestsPer10Seconds": null,
        "Milliseconds": null,
        "Percent": null,
        "StatusCode": null,
        "Until": null,
        "Armed": armed,
    }))
}

fn get_fault(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let db = ctx.db();
    let mut out = Vec::new();
    if args.str("VaultName").is_none() {
        if let Some(after) = db.fault(FAULT_ENVIRONMENT_ENCRYPTION)? {
            out.push(encryption_fault_object(Some(after), true));
        }
    }
    let rows = match args.str("VaultName") {
        Some(v) => db.vault_faults(v)?,
        None => db.all_vault_faults()?,
    };
    for f in rows {
        // An outage whose time has passed is over.
        let armed = f.until.is_none_or(|u| u > ctx.now);
        out.push(fault_object(&f, armed));
    }
    Ok(out)
}
