//! A twin of a real tenant: importing a snapshot exported with Microsoft's
//! cmdlets, the rollout plan, whether a key version is still in use, and
//! the HTML report. The rules live in `crate::twin`.

use super::{object, opt_time};
use crate::error::{ErrorCode, Result};
use crate::registry::bind::Args;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::registry::{Ctx, Gate};
use crate::twin::{import, key_use, plan, report, snapshot};
use serde_json::json;

const FAIL_ON: Param = Param::string(Gate::PARAMETER)
    .one_of(Gate::LEVELS)
    .help("Fail (exit 1 in the CLI, an error in PowerShell) when any row reaches this Status.");

pub static COMMANDS: &[Command] = &[Command {
    name: "Import-PpCmkTenantSnapshot",
    synopsis: "Imports a tenant snapshot (Export-PpCmkTenantSnapshot.ps1) into a new store: a twin of the real tenant to rehearse on, offline. All or nothing; the clock starts at the snapshot's time.",
    side: Side::Engine,
    effect: Effect::Change,
    params: &[
        Param::string("Path").mandatory().at(0).path().help("The snapshot folder (manifest.json, environments.json, …)."),
        Param::int("RecordsPerEnvironment")
            .range(0, import::MAX_RECORDS)
            .help("Synthetic records per environment with a database (default 100)."),
        Param::switch("UseDatabaseSize")
            .help("Size each environment's synthetic data from the database size the snapshot reports (one record per 100 KB)."),
        Param::switch("Force").help("Replace the tenant the store already holds."),
    ],
    groups: &[Group::at_most_one(&["RecordsPerEnvironment", "UseDatabaseSize"])],
    output: OutputSpec {
        type_name: "PpCmk.ImportedObject",
        properties: &["Kind", "Name", "Id", "Detail", "Origin"],
        table: &["Kind", "Name", "Detail", "Origin"],
    },
    errors: &[ErrorCode::InvalidSnapshot, ErrorCode::Conflict, ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::FileError],
    example: "Import-PpCmkTenantSnapshot -Path ./contoso-snapshot -RecordsPerEnvironment 200 -Force",
    handler: import_snapshot,
},
Command {
    name: "Get-PpCmkRolloutPlan",
    synopsis: "Plans adding environments to an enterprise policy: waves in order, each environment's blockers with their remedy, the flows that stay on the Microsoft key and the expected downtime, within the documented limits.",
    side: Side::PowerPlatform,
    effect: Effect::Read,
    params: &[
        Param::string("PolicyArmId").mandatory().alias(&["EnterprisePolicyArmId"]).help("The enterprise policy's ARM resource id."),
        Param::strings("EnvironmentName").alias(&["EnvironmentId"]).pipeline().help("These environments (default: every environment of the tenant)."),
        Param::string("MaxDowntime").help("Expected downtime allowed per wave: hh:mm:ss (02:00:00) or an ISO 8601 duration (PT2H)."),
        Param::int("MaxPerWave").range(1, 1000).default("5").help("Environments per wave at most."),
        FAIL_ON,
    ],
    groups: &[],
    output: OutputSpec {
        type_name: "PpCmk.RolloutPlanRow",
        properties: &["Wave", "EnvironmentName", "DisplayName", "Blockers", "FlowsStayingOnMicrosoftKey", "ExpectedDowntime", "Notes", "Status"],
        table: &["Wave", "DisplayName", "Status", "ExpectedDowntime", "Blockers"],
    },
    errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::ChecksFailed],
    example: "Get-PpCmkRolloutPlan -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -MaxDowntime 02:00:00 -MaxPerWave 5",
    handler: rollout_plan,
},
Command {
    name: "Test-PpCmkKeyVersionInUse",
    synopsis: "Whether a key version (or every version of a key) is still needed, and by what until when: data keys it wraps, backups in retention, the 28-day rule after a rotation, environments removed from a policy within 30 days, locked environments.",
    side: Side::Azure,
    effect: Effect::Read,
    params: &[
        Param::string("VaultName").mandatory().at(0).help("The key vault."),
        Param::string("Name").mandatory().alias(&["KeyName"]).at(1).help("The key."),
        Param::string("Version").alias(&["KeyVersion"]).at(2).help("This version (default: every version of the key, newest first)."),
    ],
    groups: &[],
    output: OutputSpec {
        type_name: "PpCmk.KeyVersionUse",
        properties: &["VaultName", "Name", "Version", "Id", "Enabled", "InUse", "Dependents", "NeededUntil"],
        table: &["Name", "Version", "Enabled", "InUse", "NeededUntil"],
    },
    errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
    example: "Test-PpCmkKeyVersionInUse -VaultName contoso-cmk-kv -Name contoso-cmk",
    handler: key_version_in_use,
},
Command {
    name: "Export-PpCmkReport",
    synopsis: "Writes one self-contained HTML page for a change ticket or an auditor: environments by state and key owner, records by key version, key versions with their 28- and 30-day windows, flows on the Microsoft key, pre-flight, post-flight, the rollout plan and the audit chain's verdict.",
    side: Side::PowerPlatform,
    effect: Effect::Read,
    params: &[
        Param::string("Path").mandatory().at(0).path().help("The HTML file to write (replaced if it exists)."),
        Param::strings("EnvironmentName").alias(&["EnvironmentId"]).help("Only these environments (default: every environment)."),
    ],
    groups: &[],
    output: OutputSpec {
        type_name: "PpCmk.ReportFile",
        properties: &["Path", "Bytes", "Environments"],
        table: &["Path", "Bytes", "Environments"],
    },
    errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::FileError],
    example: "Export-PpCmkReport -Path cmk-report.html",
    handler: export_report,
},
];

fn import_snapshot(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let folder = args.required("Path")?.to_string();
    let snap = snapshot::read(std::path::Path::new(&folder))?;
    let volume = if args.switch("UseDatabaseSize") {
        import::Volume::DatabaseSize
    } else {
        import::Volume::PerEnvironment(args.int("RecordsPerEnvironment").unwrap_or(import::DEFAULT_RECORDS))
    };
    let outcome = import::import(ctx.store(), ctx.db(), &caller, &snap, volume, args.switch("Force"), &folder)?;
    for w in outcome.warnings {
        ctx.warn(w);
    }
    ctx.set_audit_target(folder.clone());
    ctx.set_audit_detail(format!(
        "tenant {} as of {}: {} object(s)",
        snap.manifest.tenant_id,
        crate::time::to_display(outcome.exported),
        outcome.objects.len()
    ));
    Ok(outcome
        .objects
        .into_iter()
        .map(|o| {
            object(json!({
                "Kind": o.kind,
                "Name": o.name,
                "Id": o.id,
                "Detail": o.detail,
                "Origin": import::ORIGIN,
            }))
        })
        .collect())
}

fn rollout_plan(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let max_downtime = args.str("MaxDowntime").map(plan::parse_timespan).transpose()?;
    let ids = args.strings("EnvironmentName");
    let rows = plan::plan(
        ctx.store(),
        ctx.db(),
        &caller,
        args.required("PolicyArmId")?,
        ids.as_deref(),
        max_downtime,
        args.int("MaxPerWave").unwrap_or(plan::DEFAULT_MAX_PER_WAVE),
        ctx.now,
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            object(json!({
                "Wave": r.wave,
                "EnvironmentName": r.environment_name,
                "DisplayName": r.display_name,
                "Blockers": r.blockers,
                "FlowsStayingOnMicrosoftKey": r.flows_staying,
                "ExpectedDowntime": r.expected_downtime,
                "Notes": r.notes,
                "Status": r.status,
            }))
        })
        .collect())
}

fn key_version_in_use(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let admin = ctx.caller()?.is_power_platform_admin();
    let vault =
        crate::keyvault::active_vault(ctx.db(), args.required("VaultName")?, crate::keyvault::VaultKind::Vault)?;
    let name = args.required("Name")?;
    // The key vault administrator (who may read the key) asks, or the Power
    // Platform administrator whose environments depend on it.
    if !admin {
        crate::keyvault::access::authorize(ctx.db(), &vault, Some(name), &who, crate::keyvault::access::KeyOp::Get)?;
    }
    let uses = key_use::test(ctx.db(), &vault, name, args.str("Version"), ctx.now)?;
    Ok(uses
        .into_iter()
        .map(|u| {
            let in_use = u.in_use();
            let needed_until = u.needed_until();
            object(json!({
                "VaultName": vault.name(),
                "Name": name,
                "Version": u.version,
                "Id": u.key_id,
                "Enabled": u.enabled,
                "InUse": in_use,
                "Dependents": u.dependents.iter().map(|d| json!({
                    "Kind": d.kind,
                    "Target": d.target,
                    "Reason": d.reason,
                    "Until": opt_time(d.until),
                })).collect::<Vec<_>>(),
                "NeededUntil": if in_use { opt_time(needed_until) } else { serde_json::Value::Null },
            }))
        })
        .collect())
}

fn export_report(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let ids = args.strings("EnvironmentName");
    let html = report::render(ctx.store(), ctx.db(), &caller, ids.as_deref(), ctx.now)?;
    let path = std::path::PathBuf::from(args.required("Path")?);
    crate::files::write_atomically(&path, html.as_bytes())?;
    let environments = match &ids {
        Some(list) => list.len(),
        None => ctx.db().environments()?.len(),
    };
    Ok(vec![object(json!({
        "Path": std::fs::canonicalize(&path).unwrap_or(path).display().to_string(),
        "Bytes": html.len(),
        "Environments": environments,
    }))])
}
