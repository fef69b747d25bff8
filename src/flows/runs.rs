//! Run history. A run's trigger inputs and action outputs are sealed under
//! its flow's key at the time; values named sensitive are replaced by a mask
//! before anything is stored, so they exist nowhere after the command.
//!
//! When a flow moves to another key its runs so far become *legacy*: the
//! flow's Details page (`Get-FlowRun`) shows only later runs, the support
//! ticket's summary and the All-runs CSV export show both, and legacy runs
//! are deleted 30 days after the move.

use super::{desktop, dlp, find_row, open_for_change, open_for_read, Keys, CUSTOMER};
use crate::environment::Environment;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::{Db, FlowRow, FlowRunRow, Store};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

pub const STATUSES: &[&str] = &["Succeeded", "Failed", "Cancelled"];
/// What a sensitive value shows as.
pub const MASK: &str = "***";
/// The All-runs CSV export holds at most this many runs.
pub const CSV_EXPORT_LIMIT: usize = 100;
/// Legacy run history stays available (by support ticket) this long after the move.
pub const LEGACY_RUN_DAYS: i64 = 30;

/// A run with its sealed part opened (sensitive values already masked).
#[derive(Debug, Clone)]
pub struct Run {
    pub row: FlowRunRow,
    pub flow_id: String,
    pub flow_display_name: String,
    pub key_managed_by: String,
    pub trigger_inputs: Value,
    pub action_outputs: Value,
    /// A desktop flow run through a desktop flow connection: where and as
    /// whom it signed in (never the secret).
    pub sign_in: Option<String>,
}

impl Run {
    pub fn duration_ms(&self) -> i64 {
        (self.row.end_time - self.row.start_time).num_milliseconds()
    }
}

/// What `Start-PpCmkFlowRun` records.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    pub inputs: Map<String, Value>,
    pub outputs: Map<String, Value>,
    pub status: Option<String>,
    pub sensitive_inputs: Vec<String>,
    pub sensitive_outputs: Vec<String>,
    pub duration_ms: Option<i64>,
    /// The hosted machine group a desktop flow runs on, if any.
    pub hosted_machine_group: Option<String>,
    /// The desktop flow connection whose credential signs in to the machine (003:7).
    pub desktop_flow_connection: Option<String>,
    /// A machine of the connection's machine group to run on.
    pub machine: Option<String>,
    /// Attended or Unattended (the default).
    pub run_mode: Option<String>,
}

fn run_aad(env: &Environment, run_id: &str, generation: i64) -> Vec<u8> {
    format!("ppcmk/flow-run/{}/{}/{generation}", env.id().to_ascii_lowercase(), run_id).into_bytes()
}

/// Replaces the named top-level properties by the mask (every property whose
/// name matches, ignoring case, as PowerShell would); a name that matches
/// nothing is an error (a typo would otherwise store the value in the clear).
fn mask(values: &mut Map<String, Value>, names: &[String], parameter: &str) -> Result<()> {
    for name in names {
        let keys: Vec<String> = values.keys().filter(|k| k.eq_ignore_ascii_case(name)).cloned().collect();
        if keys.is_empty() {
            return Err(Error::invalid(format!(
                "-{parameter} names '{name}', which is not a property of the run's values; nothing was recorded."
            ))
            .with_target(name.clone()));
        }
        for key in keys {
            values.insert(key, Value::String(MASK.into()));
        }
    }
    Ok(())
}

/// `Start-PpCmkFlowRun`: records one run of a flow.
pub fn start(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: &str,
    spec: RunSpec,
    now: DateTime<Utc>,
) -> Result<Run> {
    let env = open_for_change(db, caller, environment_id)?;
    let flow = find_row(db, &env, flow_id)?;
    desktop::require_flow_access(db, caller, &env, &flow, desktop::FlowAccess::User, "run")?;
    if let Some(reason) = &flow.suspension_reason {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Flow '{}' is suspended: {reason} Fix it and turn it on again (Set-PpCmkFlow).", flow.flow_id),
        )
        .with_target(flow.flow_id.clone()));
    }
    if !flow.enabled {
        return Err(Error::new(ErrorCode::InvalidOperation, format!("Flow '{}' is turned off.", flow.flow_id)));
    }
    if flow.trigger_kind == "CopilotSkill" && flow.connection_source == "Invoker" && flow.key_managed_by == CUSTOMER {
        return Err(Error::new(
            ErrorCode::UnsupportedWithCustomerManagedKey,
            format!(
                "Flow '{}' has a Copilot Skills trigger and runs with the invoking Copilot user's connection, which isn't supported for CMK-protected cloud flows. Use an embedded connection (Set-PpCmkFlow -ConnectionSource Embedded).",
                flow.flow_id
            ),
        )
        .with_target(flow.flow_id.clone()));
    }
    let duration = spec.duration_ms.unwrap_or(1000);
    if !(0..=30 * 24 * 3_600_000).contains(&duration) {
        return Err(Error::invalid("A run lasts between 0 ms and 30 days."));
    }
    let mut keys = Keys::new(store, &env, now);
    let opened = super::open_flow(&mut keys, db, flow.clone())?;
    dlp::require_compliant(db, &env, &opened)?;
    if let Some(group) = &spec.hosted_machine_group {
        if flow.kind != "Desktop" {
            return Err(Error::invalid("-HostedMachineGroup is for desktop flows: a cloud flow runs in the cloud."));
        }
        // A group provisioned before the customer key fails until re-provisioned (000:25).
        super::hosted::require_current(&env, group)?;
    }
    if spec.desktop_flow_connection.is_none() && (spec.machine.is_some() || spec.run_mode.is_some()) {
        return Err(Error::invalid("-MachineName and -RunMode go with -DesktopFlowConnection."));
    }
    let mut sign_in = None;
    if let Some(connection) = &spec.desktop_flow_connection {
        if flow.kind != "Desktop" {
            return Err(Error::invalid(
                "-DesktopFlowConnection is for desktop flows: a cloud flow signs in to no machine.",
            ));
        }
        let mode = spec.run_mode.as_deref().unwrap_or("Unattended");
        // The connection's credential signs in to the machine at run time (003:7-9).
        let done = super::machines::sign_in(store, db, caller, &env, connection, spec.machine.as_deref(), mode, now)?;
        sign_in = Some(done.describe());
    }
    let (inputs, outputs, actions) = if flow.kind == "Desktop" {
        let definition = desktop::definition_of(&opened)?;
        desktop::check_components(db, caller, &env, &opened, &definition)?;
        let run = desktop::execute(store, db, &env, &definition, &spec.inputs, &spec.sensitive_inputs, now)?;
        (run.inputs, run.outputs, Some(run.actions))
    } else {
        let (mut inputs, mut outputs) = (spec.inputs, spec.outputs);
        mask(&mut inputs, &spec.sensitive_inputs, "SensitiveInput")?;
        mask(&mut outputs, &spec.sensitive_outputs, "SensitiveOutput")?;
        (inputs, outputs, None)
    };
    // An HTTP or on-premises call the environment's firewall refuses fails
    // the run with the documented error (000:36).
    let refused = super::firewall::refused_call(&env, &flow.key_managed_by, &opened.definition.actions);
    let mut outputs = outputs;
    if let Some(error) = refused {
        outputs.insert("error".into(), Value::String(error.into()));
    }
    let run_id = format!("0858{}CU00", super::short_id());
    let mut payload = Map::from_iter([
        ("triggerInputs".to_string(), Value::Object(inputs.clone())),
        ("actionOutputs".to_string(), Value::Object(outputs.clone())),
    ]);
    if let Some(actions) = actions {
        payload.insert("actions".into(), Value::from(actions));
    }
    if let Some(s) = &sign_in {
        payload.insert("signIn".into(), Value::String(s.clone()));
    }
    let payload = Value::Object(payload);
    let sealed =
        keys.get(db, flow.generation)?.seal(payload.to_string().as_bytes(), &run_aad(&env, &run_id, flow.generation));
    let row = FlowRunRow {
        run_id: run_id.clone(),
        flow_key: flow.flow_key,
        env_key: env.row.env_key,
        status: if refused.is_some() { "Failed".into() } else { spec.status.unwrap_or_else(|| "Succeeded".into()) },
        trigger_name: trigger_name(&flow).into(),
        start_time: now,
        end_time: now + Duration::milliseconds(duration),
        legacy: false,
        generation: flow.generation,
        sealed,
    };
    db.insert_flow_run(&row)?;
    let flow_display_name = opened.display_name.clone();
    Ok(Run {
        row,
        flow_id: flow.flow_id.clone(),
        flow_display_name,
        key_managed_by: flow.key_managed_by.clone(),
        trigger_inputs: Value::Object(inputs),
        action_outputs: Value::Object(outputs),
        sign_in,
    })
}

/// The trigger's name as a run shows it.
fn trigger_name(flow: &FlowRow) -> &'static str {
    match flow.trigger_kind.as_str() {
        "PowerAppsV1" | "PowerAppsV2" => "manual (Power Apps)",
        "Http" => "manual (When an HTTP request is received)",
        "Teams" => "manual (Teams)",
        "Recurrence" => "Recurrence",
        "CopilotSkill" => "manual (Copilot skill)",
        "Automated" => "When a row is added, modified or deleted",
        _ => "manual",
    }
}

/// Which runs a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The flow's Details page: runs since the flow's last key change.
    Details,
    /// The support ticket's summary: every run, no inputs or outputs.
    Summary,
    /// The All-runs CSV export: every run with inputs and outputs, newest 100.
    AllRunsExport,
}

/// Runs of a flow (or, for the summary, of the environment), newest first.
pub fn list(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: Option<&str>,
    view: View,
    now: DateTime<Utc>,
) -> Result<Vec<Run>> {
    let env = open_for_read(db, caller, environment_id)?;
    let flow = flow_id.map(|f| find_row(db, &env, f)).transpose()?;
    if let Some(f) = &flow {
        require_run_access(db, caller, &env, f)?;
    }
    let limit = match view {
        View::AllRunsExport => CSV_EXPORT_LIMIT as i64,
        _ => i64::MAX,
    };
    let rows = db.flow_runs(env.row.env_key, flow.as_ref().map(|f| f.flow_key), view == View::Details, limit)?;
    let mut flows: std::collections::HashMap<i64, (FlowRow, String)> = std::collections::HashMap::new();
    let mut keys = Keys::new(store, &env, now);
    let mut out = Vec::with_capacity(rows.len());
    // The environment-wide summary shows only the runs of flows the caller may see.
    let mut hidden = std::collections::HashSet::new();
    for row in rows {
        if hidden.contains(&row.flow_key) {
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = flows.entry(row.flow_key) {
            let f = db.flow_by_key(row.flow_key)?.ok_or_else(|| Error::internal("a run without its flow"))?;
            if flow.is_none() && require_run_access(db, caller, &env, &f).is_err() {
                hidden.insert(row.flow_key);
                continue;
            }
            let name = super::names(store, db, &env, std::slice::from_ref(&f), now)?.remove(0);
            slot.insert((f, name));
        }
        let (f, name) = &flows[&row.flow_key];
        let (trigger_inputs, action_outputs, sign_in) = if view == View::Summary {
            (Value::Null, Value::Null, None)
        } else {
            let plain = keys.get(db, row.generation)?.open(&row.sealed, &run_aad(&env, &row.run_id, row.generation))?;
            let mut v: Value =
                serde_json::from_slice(&plain).map_err(|e| Error::internal(format!("a run's data: {e}")))?;
            let sign_in = v["signIn"].as_str().map(str::to_string);
            (v["triggerInputs"].take(), v["actionOutputs"].take(), sign_in)
        };
        let key_managed_by = if row.generation == f.generation {
            f.key_managed_by.clone()
        } else {
            generation_owner(db, &env, row.generation)?
        };
        out.push(Run {
            row,
            flow_id: f.flow_id.clone(),
            flow_display_name: name.clone(),
            key_managed_by,
            trigger_inputs,
            action_outputs,
            sign_in,
        });
    }
    Ok(out)
}

/// Run history is the flow's: its owners and the users it is shared with see
/// it, and so do the environment's administrators.
fn require_run_access(db: &Db, caller: &Caller, env: &Environment, flow: &FlowRow) -> Result<()> {
    if caller.is_power_platform_admin() || caller.object_id().eq_ignore_ascii_case(&env.row.created_by) {
        return Ok(());
    }
    desktop::require_flow_access(db, caller, env, flow, desktop::FlowAccess::User, "read the run history of")
}

/// Which key protects a generation other than the flow's current one.
fn generation_owner(db: &Db, env: &Environment, generation: i64) -> Result<String> {
    let wraps = db.dek_wraps(env.row.env_key)?;
    let customer = wraps.iter().any(|w| w.generation == generation && w.protector != "MMK");
    Ok(if customer { CUSTOMER } else { super::MICROSOFT }.to_string())
}

/// The runs of the All-runs CSV export (`Export-PpCmkFlowRunHistory`): old
/// and new runs with inputs and outputs, at most [`CSV_EXPORT_LIMIT`],
/// newest first. The command writes them as CSV.
pub fn for_export(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Run>> {
    list(store, db, caller, environment_id, Some(flow_id), View::AllRunsExport, now)
}

/// Legacy runs whose 30 days have passed: (flow key) list, for maintenance.
pub fn expired_legacy_runs(db: &Db, now: DateTime<Utc>) -> Result<Vec<i64>> {
    Ok(db
        .legacy_run_flows()?
        .into_iter()
        .filter(|(_, changed)| *changed + Duration::days(LEGACY_RUN_DAYS) <= now)
        .map(|(flow_key, _)| flow_key)
        .collect())
}
