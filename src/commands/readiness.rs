//! Pre-flight and post-flight: `Test-PpCmkReadiness` and
//! `Get-PpCmkEncryptionReport`, both gateable with `-FailOn Warn|Fail`.

use super::{object, opt_time};
use crate::error::{ErrorCode, Result};
use crate::readiness;
use crate::registry::bind::Args;
use crate::registry::{Command, Effect, Object, OutputSpec, Param, Side};
use crate::registry::{Ctx, Gate};
use serde_json::{json, Map, Value};

const FAIL_ON: Param = Param::string(Gate::PARAMETER)
    .one_of(Gate::LEVELS)
    .help("Fail (exit 1 in the CLI, an error in PowerShell) when any row reaches this Status.");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Test-PpCmkReadiness",
        synopsis: "Pre-flight: checks every documented rule that would stop or surprise adding environments to an enterprise policy; one row per check with Status, Detail and Remedy.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            Param::strings("EnvironmentName").mandatory().alias(&["EnvironmentId"]).pipeline().help("The environments to add."),
            Param::string("PolicyArmId").mandatory().alias(&["EnterprisePolicyArmId"]).help("The enterprise policy's ARM resource id."),
            FAIL_ON,
        ],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.ReadinessCheck",
            properties: &["Check", "Target", "Status", "Detail", "Remedy"],
            table: &["Check", "Target", "Status", "Detail", "Remedy"],
        },
        errors: &[ErrorCode::Forbidden, ErrorCode::ChecksFailed],
        example: "Test-PpCmkReadiness -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -FailOn Fail",
        handler: test_readiness,
    },
    Command {
        name: "Get-PpCmkEncryptionReport",
        synopsis: "Post-flight: per environment, the key that protects it, records and backups by key version, what is still on the Microsoft-managed key, and the dates keys must be kept until.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            Param::strings("EnvironmentName").alias(&["EnvironmentId"]).pipeline().help("These environments (default: every environment that has or had a customer key)."),
            FAIL_ON,
        ],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.EncryptionReport",
            properties: &[
                "EnvironmentName",
                "DisplayName",
                "Status",
                "Findings",
                "State",
                "KeyManagedBy",
                "KeyType",
                "EnterprisePolicyId",
                "PolicyHealth",
                "LastHealthCheck",
                "KeyId",
                "KeyVersion",
                "Records",
                "RecordsByKeyVersion",
                "Backups",
                "BackupRecordsByKeyVersion",
                "FlowsOnMicrosoftKey",
                "ConnectionsOnMicrosoftKey",
                "PreviousKeyId",
                "PreviousKeyVersionNeededUntil",
                "RemovedPolicyKeyNeededUntil",
                "DataStores",
            ],
            table: &["DisplayName", "Status", "KeyManagedBy", "KeyVersion", "Records", "FlowsOnMicrosoftKey"],
        },
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::ChecksFailed],
        example: "Get-PpCmkEncryptionReport -FailOn Warn",
        handler: encryption_report,
    },
];

fn test_readiness(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let ids = args.strings("EnvironmentName").unwrap_or_default();
    let rows = readiness::test(ctx.store(), ctx.db(), &caller, &ids, args.required("PolicyArmId")?, ctx.now)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            object(json!({
                "Check": r.check,
                "Target": r.target,
                "Status": r.status,
                "Detail": r.detail,
                "Remedy": r.remedy,
            }))
        })
        .collect())
}

fn counts(list: &[(String, i64)]) -> Value {
    Value::Object(list.iter().map(|(k, n)| (k.clone(), Value::from(*n))).collect::<Map<_, _>>())
}

fn encryption_report(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let ids = args.strings("EnvironmentName");
    let now = ctx.now;
    let reports = readiness::report(ctx.db(), &caller, ids.as_deref(), now)?;
    Ok(reports
        .into_iter()
        .map(|r| {
            object(json!({
                "EnvironmentName": r.env.id(),
                "DisplayName": r.env.name(),
                "Status": r.status,
                "Findings": r.findings,
                "State": r.env.row.state,
                "KeyManagedBy": r.env.key_managed_by(),
                "KeyType": r.key_type,
                "EnterprisePolicyId": r.policy.as_ref().map(|p| p.row.resource_id.clone()),
                "PolicyHealth": r.policy.as_ref().map(|p| p.row.health.clone()),
                // Health checks run before every command, this one included.
                "LastHealthCheck": r.policy.as_ref().map(|_| super::time(now)),
                "KeyId": r.key_id,
                "KeyVersion": r.key_version,
                "Records": r.records,
                "RecordsByKeyVersion": counts(&r.records_by_key),
                "Backups": r.backups,
                "BackupRecordsByKeyVersion": counts(&r.backup_records_by_key),
                "FlowsOnMicrosoftKey": r.flows_on_microsoft_key,
                "ConnectionsOnMicrosoftKey": r.connections_on_microsoft_key,
                "PreviousKeyId": r.previous_version.as_ref().map(|(k, _)| k.clone()),
                "PreviousKeyVersionNeededUntil": opt_time(r.previous_version.as_ref().map(|(_, t)| *t)),
                "RemovedPolicyKeyNeededUntil": opt_time(r.removed_policy_key_needed_until),
                "DataStores": r.data_stores.iter().map(|(d, with)| json!({
                    "Name": d.name,
                    "Service": d.service,
                    "EncryptedWith": with,
                    "Basis": d.basis,
                })).collect::<Vec<_>>(),
            }))
        })
        .collect())
}
