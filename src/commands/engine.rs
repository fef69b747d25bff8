//! Engine commands: the store's clock and the audit log.

use super::{object, time};
use crate::audit;
use crate::clock::{self, ClockReading};
use crate::error::{ErrorCode, Result};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::store::AuditQuery;
use serde_json::json;

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Get-PpCmkClock",
        synopsis: "Shows the store's clock: real time plus the offset that time-based rules read.",
        side: Side::Engine,
        effect: Effect::Read,
        params: &[],
        groups: &[],
        output: CLOCK_OUTPUT,
        errors: &[],
        example: "Get-PpCmkClock",
        handler: get_clock,
    },
    Command {
        name: "Set-PpCmkClock",
        synopsis: "Moves the store's clock forward (retention, purge dates, rotation, 28- and 30-day rules) or back to real time (Global Administrator only).",
        side: Side::Engine,
        effect: Effect::Change,
        params: &[
            Param::int("AdvanceDays").range(0, 36_500).help("Days to move the clock forward."),
            Param::int("AdvanceHours").range(0, 876_000).help("Hours to move the clock forward."),
            Param::switch("Reset").help("Return the clock to real time."),
        ],
        groups: &[Group::exactly_one(&["AdvanceDays", "AdvanceHours", "Reset"])],
        output: CLOCK_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotSignedIn, ErrorCode::InvalidArgument],
        example: "Set-PpCmkClock -AdvanceDays 30",
        handler: set_clock,
    },
    Command {
        name: "Invoke-PpCmkMaintenance",
        synopsis: "Runs every time-based action due now (purges, key rotations, health checks, lock and re-enable, re-wrap after rotation) and resumes queued or interrupted operations.",
        side: Side::Engine,
        effect: Effect::LongRunning,
        params: &[],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.MaintenanceEvent",
            properties: &["Time", "Action", "Target", "Detail"],
            table: &["Time", "Action", "Target"],
        },
        errors: &[],
        example: "Invoke-PpCmkMaintenance",
        handler: invoke_maintenance,
    },
    Command {
        name: "Get-PpCmkAuditLog",
        synopsis: "Lists audit log entries: every state change, every refused authorisation, and reads of audited tables (Global Administrator; with -EnvironmentName, its administrators too).",
        side: Side::Engine,
        effect: Effect::Read,
        params: &[
            Param::datetime("Since").help("Only entries at or after this time (store clock, UTC)."),
            Param::string("Principal").help("Only entries by this principal (UPN, display name or object id)."),
            Param::int("Last").range(1, 1_000_000).help("Only the newest n entries."),
            Param::string("EnvironmentName").help("Only entries about this environment."),
            Param::string("Table").one_of(crate::environment::AUDIT_TABLES).help("Only entries about this Dataverse table."),
        ],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.AuditEntry",
            properties: &["Sequence", "Time", "Principal", "PrincipalId", "Command", "Target", "Outcome", "ErrorCode", "Detail", "EnvironmentName", "Table", "Hash"],
            table: &["Sequence", "Time", "Principal", "Command", "Target", "Outcome", "ErrorCode"],
        },
        errors: &[ErrorCode::Forbidden, ErrorCode::NotSignedIn, ErrorCode::NotFound],
        example: "Get-PpCmkAuditLog -Last 20",
        handler: get_audit_log,
    },
    Command {
        name: "Test-PpCmkAuditLog",
        synopsis: "Verifies the audit log's MAC chain and its recorded head; reports the first broken link (Global Administrator).",
        side: Side::Engine,
        effect: Effect::Read,
        params: &[Param::string(crate::registry::Gate::PARAMETER)
            .one_of(crate::registry::Gate::LEVELS)
            .default("Fail")
            .help("Exit 1 (an error in PowerShell) when the check reaches this Status; Fail by default.")],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.AuditLogCheck",
            properties: &["Entries", "Status", "BrokenSequence", "Reason"],
            table: &["Entries", "Status", "BrokenSequence", "Reason"],
        },
        errors: &[ErrorCode::Forbidden, ErrorCode::NotSignedIn, ErrorCode::ChecksFailed],
        example: "Test-PpCmkAuditLog",
        handler: test_audit_log,
    },
];

const CLOCK_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Clock",
    properties: &["Now", "RealNow", "OffsetDays", "OffsetSeconds"],
    table: &["Now", "RealNow", "OffsetDays"],
};

fn clock_object(c: ClockReading) -> Object {
    // Whole days show as integers (30, not 30.0), others to two decimals.
    let days = if c.offset_seconds % 86_400 == 0 {
        json!(c.offset_seconds / 86_400)
    } else {
        json!((c.offset_seconds as f64 / 86_400.0 * 100.0).round() / 100.0)
    };
    object(json!({
        "Now": time(c.now),
        "RealNow": time(c.real_now),
        "OffsetDays": days,
        "OffsetSeconds": c.offset_seconds,
    }))
}

fn get_clock(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    Ok(vec![clock_object(clock::read(ctx.db())?)])
}

fn set_clock(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    ctx.set_audit_target("clock");
    // The clock drives purges, rotations and the deletion of locked
    // environments for the whole tenant: only a Global Administrator moves it.
    ctx.caller()?.require_global_admin("move the store's clock")?;
    let reading = if args.switch("Reset") {
        clock::reset(ctx.db())?
    } else {
        let seconds = args.int("AdvanceDays").map(|d| d * 86_400).or(args.int("AdvanceHours").map(|h| h * 3_600));
        clock::advance(ctx.db(), seconds.unwrap_or(0))?
    };
    ctx.set_audit_target("clock");
    ctx.set_audit_detail(format!("offset now {} s", reading.offset_seconds));
    Ok(vec![clock_object(reading)])
}

fn invoke_maintenance(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    let now = ctx.now;
    let store = ctx.store();
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let events = crate::lifecycle::maintenance::run(store, store.data_version()?, now, true, &mut forward)?;
    ctx.set_audit_target("maintenance");
    ctx.set_audit_detail(format!("{} action(s)", events.len()));
    Ok(events
        .iter()
        .map(|e| object(json!({"Time": time(e.time), "Action": e.action, "Target": e.target, "Detail": e.detail})))
        .collect())
}

fn get_audit_log(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let environment = match args.str("EnvironmentName") {
        Some(id) => {
            // An environment's own log is open to its administrators.
            crate::environment::require_admin(&caller, "read an environment's audit log")?;
            Some(crate::environment::find(ctx.db(), id)?.id().to_string())
        }
        None => {
            caller.require_global_admin("read the audit log")?;
            None
        }
    };
    let since = args.datetime("Since").map(crate::time::to_storage);
    let rows = ctx.db().audit_rows(&AuditQuery {
        since: since.as_deref(),
        principal: args.str("Principal"),
        last: args.int("Last"),
        environment: environment.as_deref(),
        table: args.str("Table"),
    })?;
    Ok(rows
        .iter()
        .map(|r| {
            object(json!({
                "Sequence": r.seq,
                "Time": audit::display_time(r),
                "Principal": r.principal,
                "PrincipalId": r.principal_id,
                "Command": r.command,
                "Target": r.target,
                "Outcome": r.outcome,
                "ErrorCode": r.error_code,
                "Detail": r.detail,
                "EnvironmentName": r.environment,
                "Table": r.table_name,
                "Hash": r.hash,
            }))
        })
        .collect())
}

fn test_audit_log(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    ctx.caller()?.require_global_admin("verify the audit log")?;
    let (entries, broken) = audit::verify_chain(ctx.db())?;
    Ok(vec![object(json!({
        "Entries": entries,
        "Status": if broken.is_some() { "Fail" } else { "Pass" },
        "BrokenSequence": broken.as_ref().map(|b| b.seq),
        "Reason": broken.map(|b| b.reason).unwrap_or_else(|| "Every entry and link verifies.".into()),
    }))])
}
