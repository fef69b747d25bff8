//! Backups and database operations (the PowerApps administration module's
//! names), and the legacy BYOK tenant key.

use super::environments::{environment_object, ENVIRONMENT_OUTPUT};
use super::{object, time};
use crate::environment::{backups, byok};
use crate::error::{ErrorCode, Result};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Object, OutputSpec, Param, Side};
use crate::store::BackupRow;
use serde_json::json;

const BACKUP_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.EnvironmentBackup",
    properties: &["BackupId", "EnvironmentName", "Label", "CreatedTime", "Records", "KeyManagedBy", "KeyId"],
    table: &["Label", "BackupId", "CreatedTime", "Records", "KeyManagedBy"],
};

const DATABASE_OPERATION_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.DatabaseOperation",
    properties: &["Operation", "SourceEnvironmentName", "TargetEnvironmentName", "BackupId", "Records", "State"],
    table: &["Operation", "SourceEnvironmentName", "TargetEnvironmentName", "Records", "State"],
};

const TENANT_KEY_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.TenantProtectionKey",
    properties: &["Thumbprint", "KeySize", "ProtectedEnvironments"],
    table: &["Thumbprint", "KeySize", "ProtectedEnvironments"],
};

const ENVIRONMENT_NAME: Param = Param::string("EnvironmentName").mandatory().pipeline().help("The environment's id.");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Backup-PowerAppEnvironment",
        synopsis: "Takes a backup: the environment's records, sealed as they are under its current keys.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("Label").mandatory().help("The backup's label.")],
        groups: &[],
        output: BACKUP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked, ErrorCode::EnvironmentDisabled, ErrorCode::OperationInProgress],
        example: "Backup-PowerAppEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000 -Label 'before CMK'",
        handler: backup,
    },
    Command {
        name: "Get-PowerAppEnvironmentBackups",
        synopsis: "Lists an environment's backups with the key that protects each.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: BACKUP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PowerAppEnvironmentBackups -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: list_backups,
    },
    Command {
        name: "Restore-PowerAppEnvironment",
        synopsis: "Restores a backup over an environment: the same one, or one encrypted with the same customer-managed key.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            Param::string("SourceEnvironmentName").mandatory().help("The environment the backup belongs to."),
            Param::string("TargetEnvironmentName").mandatory().help("The environment to overwrite."),
            Param::string("BackupId").mandatory().help("The backup."),
        ],
        groups: &[],
        output: DATABASE_OPERATION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidOperation, ErrorCode::EnvironmentLocked, ErrorCode::KeyVaultAccessDenied],
        example: "Restore-PowerAppEnvironment -SourceEnvironmentName 00000000-0000-0000-0000-000000000000 -TargetEnvironmentName 00000000-0000-0000-0000-000000000000 -BackupId 00000000-0000-0000-0000-000000000000",
        handler: restore,
    },
    Command {
        name: "Copy-PowerAppEnvironment",
        synopsis: "Copies an environment's data over another one; with a customer-managed key, only to one encrypted with the same key.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            Param::string("SourceEnvironmentName").mandatory().help("The environment to copy."),
            Param::string("TargetEnvironmentName").mandatory().help("The environment to overwrite."),
        ],
        groups: &[],
        output: DATABASE_OPERATION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidOperation, ErrorCode::EnvironmentLocked],
        example: "Copy-PowerAppEnvironment -SourceEnvironmentName 00000000-0000-0000-0000-000000000000 -TargetEnvironmentName 11111111-1111-1111-1111-111111111111",
        handler: copy,
    },
    Command {
        name: "Reset-PowerAppEnvironment",
        synopsis: "Deletes an environment's data and backups; its encryption reverts to the Microsoft-managed key.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: ENVIRONMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked, ErrorCode::OperationInProgress],
        example: "Reset-PowerAppEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: reset,
    },
    Command {
        name: "Set-PpCmkTenantByokKey",
        synopsis: "Imports the tenant's legacy BYOK protection key from an RSA private key file.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            Param::string("KeyFilePath").mandatory().path().help("An RSA private key: PEM (PKCS#1, PKCS#8, encrypted PKCS#8) or DER."),
            Param::secure("KeyFilePassword").help("The password of an encrypted key file."),
        ],
        groups: &[],
        output: TENANT_KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::InvalidArgument, ErrorCode::Conflict, ErrorCode::FileError],
        example: "Set-PpCmkTenantByokKey -KeyFilePath ./tenant-key.pem",
        handler: set_tenant_key,
    },
    Command {
        name: "Get-PpCmkTenantByokKey",
        synopsis: "Shows the tenant's BYOK protection key (thumbprint and size, never the key) and the environments it protects.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[],
        groups: &[],
        output: TENANT_KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden],
        example: "Get-PpCmkTenantByokKey",
        handler: get_tenant_key,
    },
    Command {
        name: "Remove-PpCmkTenantByokKey",
        synopsis: "Deletes the tenant's BYOK key; refused while it protects environments or within 28 days of a migration.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::Conflict, ErrorCode::NotFound],
        example: "Remove-PpCmkTenantByokKey",
        handler: remove_tenant_key,
    },
    Command {
        name: "Set-PowerAppProtectionStatus",
        synopsis: "Legacy BYOK: puts an environment under the tenant key (Customer) or back on the Microsoft-managed key (Microsoft).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("ProtectionKeyManagedBy").mandatory().one_of(&["Customer", "Microsoft"]).help("Customer: the tenant BYOK key; Microsoft: the Microsoft-managed key."),
        ],
        groups: &[],
        output: ENVIRONMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidOperation],
        example: "Set-PowerAppProtectionStatus -EnvironmentName 00000000-0000-0000-0000-000000000000 -ProtectionKeyManagedBy Customer",
        handler: set_protection_status,
    },
];

fn backup_object(environment_id: &str, b: &BackupRow) -> Object {
    let managed_by = match b.protector.as_str() {
        "CMK" | "BYOK" => "Customer",
        _ => "Microsoft",
    };
    object(json!({
        "BackupId": b.backup_id,
        "EnvironmentName": environment_id,
        "Label": b.label,
        "CreatedTime": time(b.created_time),
        "Records": b.record_count,
        "KeyManagedBy": managed_by,
        "KeyId": b.key_id,
    }))
}

fn backup(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let b = backups::backup(ctx.db(), &caller, env_id, args.required("Label")?, ctx.now)?;
    ctx.set_audit_target(env_id.to_string());
    ctx.set_audit_detail(format!("backup {} ({} records)", b.backup_id, b.record_count));
    Ok(vec![backup_object(env_id, &b)])
}

fn list_backups(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    Ok(backups::list(ctx.db(), &caller, env_id)?.iter().map(|b| backup_object(env_id, b)).collect())
}

fn database_operation(op: &str, source: &str, target: &str, backup: Option<&str>, records: i64) -> Object {
    object(json!({
        "Operation": op,
        "SourceEnvironmentName": source,
        "TargetEnvironmentName": target,
        "BackupId": backup,
        "Records": records,
        "State": "Succeeded",
    }))
}

fn restore(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (source, target, backup_id) =
        (args.required("SourceEnvironmentName")?, args.required("TargetEnvironmentName")?, args.required("BackupId")?);
    ctx.set_audit_target(target.to_string());
    let (store, db, now) = (ctx.store(), ctx.db(), ctx.now);
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let n = backups::restore(store, db, &caller, source, target, backup_id, now, &mut forward)?;
    Ok(vec![database_operation("Restore", source, target, Some(backup_id), n)])
}

fn copy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (source, target) = (args.required("SourceEnvironmentName")?, args.required("TargetEnvironmentName")?);
    ctx.set_audit_target(target.to_string());
    let (store, db, now) = (ctx.store(), ctx.db(), ctx.now);
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let n = backups::copy(store, db, &caller, source, target, now, &mut forward)?;
    Ok(vec![database_operation("Copy", source, target, None, n)])
}

fn reset(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = backups::reset(ctx.store(), ctx.db(), &caller, args.required("EnvironmentName")?, ctx.now)?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![environment_object(ctx.db(), &env)?])
}

fn tenant_key_object(k: &byok::TenantKeyInfo) -> Object {
    object(json!({"Thumbprint": k.thumbprint, "KeySize": k.key_size, "ProtectedEnvironments": k.environments}))
}

fn set_tenant_key(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let path = args.required("KeyFilePath")?;
    // Bounded like Add-AzKeyVaultKey's: a device or a huge file is refused, not read.
    let bytes = super::keys::read_key_file(path)?;
    let info = byok::set_tenant_key(ctx.store(), ctx.db(), &caller, &bytes, args.str("KeyFilePassword"), ctx.now)?;
    ctx.set_audit_target("tenant BYOK key");
    ctx.set_audit_detail(format!("thumbprint {}", info.thumbprint));
    Ok(vec![tenant_key_object(&info)])
}

fn get_tenant_key(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    Ok(byok::tenant_key(ctx.store(), ctx.db(), &caller)?.iter().map(tenant_key_object).collect())
}

fn remove_tenant_key(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    byok::remove_tenant_key(ctx.db(), &caller, ctx.now)?;
    ctx.set_audit_target("tenant BYOK key");
    Ok(vec![])
}

fn set_protection_status(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = byok::set_protection_status(
        ctx.store(),
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("ProtectionKeyManagedBy")?,
        ctx.now,
    )?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![environment_object(ctx.db(), &env)?])
}
