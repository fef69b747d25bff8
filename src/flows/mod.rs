//! Power Automate under customer-managed keys: flows, which of them stay on
//! the Microsoft-managed key when their environment moves to a customer key
//! and why (`migration`), run history (`runs`), and connections
//! (`connections`).
//!
//! A flow's display name and definition (actions, child flows' trigger
//! data, its HTTP URL with its signature) are sealed under a DEK generation
//! of its environment, as records are. A flow on the customer key uses a
//! generation wrapped by the customer key; a flow left on the
//! Microsoft-managed key keeps the Microsoft-wrapped generation it had.

pub mod connections;
pub mod desktop;
pub mod dlp;
pub mod firewall;
pub mod hosted;
pub mod machines;
pub mod migration;
pub mod runs;

use crate::crypto::{base64url, hex, new_guid, random_array, SymmetricKey};
use crate::environment::{self, dek, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::{Db, FlowListingRef, FlowRow, Store};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashMap;
use zeroize::Zeroizing;

pub const KINDS: &[&str] = &["Cloud", "Desktop"];
pub const TRIGGERS: &[&str] =
    &["PowerAppsV1", "PowerAppsV2", "Http", "Teams", "Recurrence", "Automated", "Manual", "CopilotSkill"];
/// Whose connection a Copilot-skill flow runs with.
pub const CONNECTION_SOURCES: &[&str] = &["Embedded", "Invoker"];
/// The legacy "List Flows as Admin (V1)" action.
pub const LIST_FLOWS_AS_ADMIN_V1: &str = "ListFlowsAsAdminV1";
/// The admin center's warning while flows of a CMK environment are on the MMK.
pub const MMK_WARNING: &str = "Power Automate flows are still protected with the Microsoft Managed Key";
/// The environment setting that makes new flows solution flows.
pub const CREATE_IN_SOLUTION_SETTING: &str = "CreateFlowsInSolutionByDefault";
/// The service tag of outbound HTTP calls from CMK-protected infrastructure.
pub const CMK_SERVICE_TAG: &str = "PowerPlatformPlex";
/// The service tag of outbound HTTP calls before a customer key applies.
pub const MMK_SERVICE_TAG: &str = "LogicApps";

pub const MICROSOFT: &str = "Microsoft";
pub const CUSTOMER: &str = "Customer";

/// A flow with its sealed parts opened.
#[derive(Debug, Clone)]
pub struct Flow {
    pub row: FlowRow,
    pub display_name: String,
    pub definition: Definition,
}

/// The sealed part of a flow besides its name.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Definition {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub definition: Value,
    /// The HTTP trigger's URL, with its signature (a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What a user gives to create or change a flow; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct FlowSpec {
    pub display_name: Option<String>,
    pub kind: Option<String>,
    pub trigger: Option<String>,
    pub in_solution: Option<bool>,
    pub child_flows: Option<Vec<String>>,
    pub actions: Option<Vec<String>>,
    pub definition: Option<Value>,
    pub enabled: Option<bool>,
    pub connection_source: Option<String>,
}

/// The associated data that binds a flow's sealed part to its place.
/// `ppcmk/flow/{environment}/{flow}/{part}/{generation}`, ids in lower
/// case. Built byte by byte: a listing opens one name per flow, and
/// `format!` was a tenth of a 100,000-flow listing's instructions.
fn flow_aad(env: &Environment, flow_id: &str, part: &str, generation: i64) -> Vec<u8> {
    aad_of(env.id(), flow_id, part, generation)
}

fn aad_of(env_id: &str, flow_id: &str, part: &str, generation: i64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(11 + env_id.len() + flow_id.len() + part.len() + 24);
    push_environment_part(&mut aad, env_id);
    push_flow_part(&mut aad, flow_id, part, generation);
    aad
}

/// The start of [`aad_of`]: the same for every flow of an environment, so a
/// listing writes it once and [`push_flow_part`] after it for each flow.
fn push_environment_part(aad: &mut Vec<u8>, env_id: &str) {
    aad.extend_from_slice(b"ppcmk/flow/");
    aad.extend(env_id.bytes().map(|b| b.to_ascii_lowercase()));
    aad.push(b'/');
}

/// The rest of [`aad_of`] after [`push_environment_part`].
fn push_flow_part(aad: &mut Vec<u8>, flow_id: &str, part: &str, generation: i64) {
    aad.extend(flow_id.bytes().map(|b| b.to_ascii_lowercase()));
    aad.push(b'/');
    aad.extend_from_slice(part.as_bytes());
    aad.push(b'/');
    crate::crypto::push_decimal(aad, generation);
}

/// The key a new flow (or connection following the environment's key) is
/// sealed under. BYOK covered Dataverse only: Power Automate data in a BYOK
/// environment is on the Microsoft key until the environment moves to CMK.
pub(crate) fn current_key(env: &Environment) -> (i64, &'static str) {
    (env.row.current_generation, if env.row.protector == "CMK" { CUSTOMER } else { MICROSOFT })
}

/// DEKs by generation, opened once per command.
pub(crate) struct Keys<'a> {
    store: &'a Store,
    env: &'a Environment,
    now: DateTime<Utc>,
    /// An environment has a few generations at most, and a listing asks for
    /// the same one row after row: a short list, searched without hashing.
    open: Vec<(i64, SymmetricKey)>,
}

impl<'a> Keys<'a> {
    pub(crate) fn new(store: &'a Store, env: &'a Environment, now: DateTime<Utc>) -> Keys<'a> {
        Keys { store, env, now, open: Vec::new() }
    }

    pub(crate) fn get(&mut self, db: &Db, generation: i64) -> Result<&SymmetricKey> {
        let i = match self.open.iter().position(|(g, _)| *g == generation) {
            Some(i) => i,
            None => {
                let key = dek::dek(self.store, db, self.env, generation, self.now)?;
                self.open.push((generation, key));
                self.open.len() - 1
            }
        };
        Ok(&self.open[i].1)
    }
}

pub(crate) fn seal_flow(
    keys: &mut Keys,
    db: &Db,
    row: &mut FlowRow,
    name: &str,
    definition: &Definition,
) -> Result<()> {
    let env = keys.env;
    let key = keys.get(db, row.generation)?;
    row.sealed_name = key.seal(name.as_bytes(), &flow_aad(env, &row.flow_id, "name", row.generation));
    let body = serde_json::to_vec(definition).map_err(|e| Error::internal(format!("flow definition: {e}")))?;
    row.sealed_definition = key.seal(&body, &flow_aad(env, &row.flow_id, "definition", row.generation));
    Ok(())
}

fn open_name(keys: &mut Keys, db: &Db, row: &FlowRow) -> Result<String> {
    let env = keys.env;
    let key = keys.get(db, row.generation)?;
    let plain = key.open(&row.sealed_name, &flow_aad(env, &row.flow_id, "name", row.generation))?;
    String::from_utf8(plain.to_vec()).map_err(|_| Error::internal("a flow name is not UTF-8"))
}

pub(crate) fn open_flow(keys: &mut Keys, db: &Db, row: FlowRow) -> Result<Flow> {
    let display_name = open_name(keys, db, &row)?;
    let env = keys.env;
    let key = keys.get(db, row.generation)?;
    let plain = key.open(&row.sealed_definition, &flow_aad(env, &row.flow_id, "definition", row.generation))?;
    let definition = serde_json::from_slice(&plain).map_err(|e| Error::internal(format!("flow definition: {e}")))?;
    Ok(Flow { row, display_name, definition })
}

/// Re-seals a flow under another generation (its key changes).
pub(crate) fn reseal_flow(keys: &mut Keys, db: &Db, row: &mut FlowRow, generation: i64) -> Result<()> {
    let flow = open_flow(keys, db, row.clone())?;
    row.generation = generation;
    seal_flow(keys, db, row, &flow.display_name, &flow.definition)
}

/// Opens only the display names of flows (a listing).
pub(crate) fn names(
    store: &Store,
    db: &Db,
    env: &Environment,
    rows: &[FlowRow],
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let mut keys = Keys::new(store, env, now);
    rows.iter().map(|r| open_name(&mut keys, db, r)).collect()
}

/// A flow on the Microsoft-managed key, collected for a report: its name
/// and why it stays there.
#[derive(Debug, Clone)]
pub struct MicrosoftKeyFlow {
    pub display_name: String,
    /// Why it stays (or would stay) on the Microsoft key; `None` for a flow
    /// that moves when the environment is added to a policy.
    pub reason: Option<String>,
}

/// A flow on the Microsoft-managed key as it is read, borrowed: what
/// `Get-AdminFlowEncryptedByMicrosoftKey` lists.
#[derive(Debug, Clone, Copy)]
pub struct MicrosoftKeyFlowRef<'a> {
    pub flow_id: &'a str,
    pub display_name: &'a str,
    /// Why it stays (or would stay) on the Microsoft key; `None` for a flow
    /// that moves when the environment is added to a policy.
    pub reason: Option<&'a str>,
    /// For ParentOfUnmigratableFlow: the child flow that blocks it.
    pub child_flow: Option<&'a str>,
}

/// [`each_on_microsoft_key`], collected.
pub fn on_microsoft_key(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    cannot_migrate_only: bool,
    now: DateTime<Utc>,
) -> Result<(Environment, Vec<MicrosoftKeyFlow>)> {
    let mut out = Vec::new();
    let env = each_on_microsoft_key(store, db, caller, environment_id, cannot_migrate_only, now, |_, f| {
        out.push(MicrosoftKeyFlow { display_name: f.display_name.to_string(), reason: f.reason.map(str::to_string) });
        Ok(())
    })?;
    Ok((env, out))
}

/// `Get-AdminFlowEncryptedByMicrosoftKey`: calls `each` with the
/// environment's flows on the Microsoft-managed key, in flow order, as they
/// are read; with `cannot_migrate_only`, only those that cannot move to the
/// customer key automatically. Before the environment has a customer key,
/// every flow is on the Microsoft key and the reasons are what adding it to
/// a policy would leave behind. Nothing is collected: a listing of every
/// flow of a large environment streams.
pub fn each_on_microsoft_key(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    cannot_migrate_only: bool,
    now: DateTime<Utc>,
    mut each: impl FnMut(&Environment, MicrosoftKeyFlowRef<'_>) -> Result<()>,
) -> Result<Environment> {
    let env = open_for_read(db, caller, environment_id)?;
    environment::require_environment_admin(caller, &env, "list the flows encrypted by the Microsoft key")?;
    list_on_microsoft_key(store, db, &env, cannot_migrate_only, now, |f| each(&env, f))?;
    Ok(env)
}

fn list_on_microsoft_key(
    store: &Store,
    db: &Db,
    env: &Environment,
    cannot_migrate_only: bool,
    now: DateTime<Utc>,
    mut each: impl FnMut(MicrosoftKeyFlowRef<'_>) -> Result<()>,
) -> Result<()> {
    let mut keys = Keys::new(store, env, now);
    let mut aad = Vec::new();
    push_environment_part(&mut aad, env.id());
    let environment_part = aad.len();
    let mut plain = Zeroizing::new(Vec::new());
    // Opens the row's name and hands the flow on, with its reason.
    let mut emit = |r: FlowListingRef<'_>, reason: Option<&str>, child_flow: Option<&str>| -> Result<()> {
        let key = keys.get(db, r.generation)?;
        aad.truncate(environment_part);
        push_flow_part(&mut aad, r.flow_id, "name", r.generation);
        key.open_into(r.sealed_name, &aad, &mut plain)?;
        let display_name = match std::str::from_utf8(&plain) {
            Ok(name) => std::borrow::Cow::Borrowed(name),
            Err(_) => String::from_utf8_lossy(&plain),
        };
        each(MicrosoftKeyFlowRef { flow_id: r.flow_id, display_name: &display_name, reason, child_flow })
    };
    if environment_protected(env) {
        // Every flow left on the Microsoft key got its reason when the key changed.
        db.each_flow_listing(env.row.env_key, MICROSOFT, true, |r| {
            if cannot_migrate_only && r.mmk_reason.is_none() {
                return Ok(());
            }
            emit(r, r.mmk_reason, r.mmk_reason_flow)
        })?;
    } else {
        // Sorted by flow key: a listing looks each flow up without hashing it.
        let mut blocked: Vec<(i64, migration::Blocked)> =
            migration::unmigratable_in(db, env.row.env_key)?.into_iter().collect();
        blocked.sort_unstable_by_key(|(k, _)| *k);
        let mut with_reason = |r: FlowListingRef<'_>| {
            let b = blocked.binary_search_by_key(&r.flow_key, |(k, _)| *k).ok().map(|i| &blocked[i].1);
            emit(r, b.map(|b| b.reason), b.and_then(|b| b.child.as_deref()))
        };
        if cannot_migrate_only {
            for k in blocked.iter().map(|(k, _)| *k) {
                db.with_flow_listing_row(k, &mut with_reason)?;
            }
        } else {
            db.each_flow_listing(env.row.env_key, MICROSOFT, false, with_reason)?;
        }
    }
    Ok(())
}

/// Refuses unless the caller belongs to the environment (see [`desktop::is_member`]).
fn require_member(db: &Db, caller: &Caller, env: &Environment) -> Result<()> {
    if desktop::is_member(db, caller, env)? {
        return Ok(());
    }
    Err(Error::forbidden(format!("{} has no access to environment '{}'.", caller.audit_name(), env.name())))
}

/// The environment, for reading its flows: its administrators and members,
/// unless it is locked (a disabled environment's flows can still be listed,
/// to follow the progress of a key change).
pub fn open_for_read(db: &Db, caller: &Caller, environment_id: &str) -> Result<Environment> {
    let env = environment::find(db, environment_id)?;
    require_member(db, caller, &env)?;
    if env.row.state == environment::LOCKED {
        env.require_ready()?;
    }
    Ok(env)
}

/// The environment, for creating or changing flows: refused while an
/// encryption operation runs (creation and updates are blocked during
/// migration), and unless the environment is Ready.
pub fn open_for_change(db: &Db, caller: &Caller, environment_id: &str) -> Result<Environment> {
    let env = environment::find(db, environment_id)?;
    require_member(db, caller, &env)?;
    if let Some(op) = db.running_operation(env.row.env_key)? {
        return Err(Error::new(
            ErrorCode::OperationInProgress,
            format!(
                "Creation and updates of flows are blocked while environment '{}' changes its encryption key (operation {}); try again when it completes.",
                env.name(),
                op.operation_id
            ),
        )
        .with_target(env.id().to_string()));
    }
    env.require_ready()?;
    Ok(env)
}

pub fn find_row(db: &Db, env: &Environment, flow_id: &str) -> Result<FlowRow> {
    db.flow(env.row.env_key, flow_id.trim())?.ok_or_else(|| {
        Error::new(ErrorCode::NotFound, format!("Flow '{flow_id}' was not found in environment '{}'.", env.name()))
            .with_target(flow_id.to_string())
    })
}

fn validate_display_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Error::invalid("A flow's display name needs 1-200 characters and no control characters."));
    }
    Ok(())
}

fn validate_actions(actions: &[String]) -> Result<()> {
    for a in actions {
        if a.is_empty() || a.len() > 100 || !a.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
            return Err(Error::invalid(format!(
                "Action '{a}' is invalid: use 1-100 letters, digits, '_', '-' and '.' (e.g. ListFlowsAsAdminV1)."
            ))
            .with_target(a.clone()));
        }
    }
    Ok(())
}

/// Resolves child FlowNames in the same environment; a flow may not call itself.
fn resolve_children(db: &Db, env: &Environment, parent_id: &str, children: &[String]) -> Result<Vec<i64>> {
    let mut keys = Vec::with_capacity(children.len());
    for c in children {
        if c.trim().eq_ignore_ascii_case(parent_id) {
            return Err(Error::invalid(format!("Flow '{parent_id}' cannot call itself as a child flow.")));
        }
        keys.push(find_row(db, env, c)?.flow_key);
    }
    Ok(keys)
}

/// The HTTP trigger's URL: on the shared infrastructure before a customer
/// key, on the environment's dedicated one after (a new URL, which is why
/// HTTP-trigger flows do not migrate by themselves).
fn trigger_url(env: &Environment, flow_id: &str, key_managed_by: &str) -> String {
    let workflow = flow_id.replace('-', "");
    let sig = base64url(&random_array::<32>());
    let query = format!("api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={sig}");
    if key_managed_by == CUSTOMER {
        let host = env.id().replace('-', "").to_ascii_lowercase();
        let (head, tail) = host.split_at(host.len() - 2);
        format!("https://{head}.{tail}.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/{workflow}/triggers/manual/paths/invoke?{query}")
    } else {
        let region = match env.row.location.as_str() {
            "unitedstates" => "westus",
            "europe" => "westeurope",
            "asia" => "southeastasia",
            "unitedkingdom" => "uksouth",
            other => other,
        };
        let shard = random_array::<1>()[0] % 100;
        format!("https://prod-{shard:02}.{region}.logic.azure.com:443/workflows/{workflow}/triggers/manual/paths/invoke?{query}")
    }
}

/// `New-PpCmkFlow`: in a CMK-protected environment the flow is protected by
/// the customer key from the start.
pub fn create(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    spec: &FlowSpec,
    now: DateTime<Utc>,
) -> Result<Flow> {
    create_with_key(store, db, caller, environment_id, spec, None, now)
}

/// [`create`], under `key` (generation, key) instead of the environment's current one.
fn create_with_key(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    spec: &FlowSpec,
    key: Option<(i64, &'static str)>,
    now: DateTime<Utc>,
) -> Result<Flow> {
    let env = open_for_change(db, caller, environment_id)?;
    let display_name = spec.display_name.clone().unwrap_or_default();
    validate_display_name(&display_name)?;
    let actions = spec.actions.clone().unwrap_or_default();
    validate_actions(&actions)?;
    let trigger = spec.trigger.clone().ok_or_else(|| Error::invalid("A flow needs a trigger."))?;
    let in_solution = spec.in_solution.unwrap_or(false) || setting_create_in_solution(&env);
    let (generation, key_managed_by) = key.unwrap_or_else(|| current_key(&env));
    let flow_id = new_guid();
    let url = (trigger == "Http").then(|| trigger_url(&env, &flow_id, key_managed_by));
    let mut row = FlowRow {
        flow_key: 0,
        flow_id: flow_id.clone(),
        env_key: env.row.env_key,
        kind: spec.kind.clone().unwrap_or_else(|| "Cloud".into()),
        trigger_kind: trigger,
        in_solution,
        uses_list_flows_v1: actions.iter().any(|a| a.eq_ignore_ascii_case(LIST_FLOWS_AS_ADMIN_V1)),
        connection_source: spec.connection_source.clone().unwrap_or_else(|| "Embedded".into()),
        enabled: spec.enabled.unwrap_or(true),
        generation,
        sealed_name: Vec::new(),
        sealed_definition: Vec::new(),
        key_managed_by: key_managed_by.into(),
        mmk_reason: None,
        mmk_reason_flow: None,
        created_under_cmk: environment_protected(&env),
        key_changed_time: None,
        created_time: now,
        created_by: caller.object_id().to_string(),
        last_modified_time: now,
        suspension_reason: None,
    };
    let definition = Definition { actions, definition: spec.definition.clone().unwrap_or(Value::Null), url };
    if row.kind == "Desktop" {
        desktop::DesktopDefinition::parse(&definition.definition)?;
    }
    dlp::require_compliant(
        db,
        &env,
        &Flow { row: row.clone(), display_name: display_name.clone(), definition: definition.clone() },
    )?;
    let children = resolve_children(db, &env, &flow_id, spec.child_flows.as_deref().unwrap_or(&[]))?;
    let mut keys = Keys::new(store, &env, now);
    seal_flow(&mut keys, db, &mut row, &display_name, &definition)?;
    row.flow_key = db.insert_flow(&row)?;
    db.set_flow_children(row.flow_key, &children)?;
    Ok(Flow { row, display_name, definition })
}

fn setting_create_in_solution(env: &Environment) -> bool {
    env.settings().get(CREATE_IN_SOLUTION_SETTING).and_then(Value::as_bool).unwrap_or(false)
}

/// `Set-PpCmkFlow`: changes a flow in place; it keeps its key (a flow left
/// on the Microsoft-managed key does not move by being edited — Save As does).
pub fn update(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: &str,
    spec: &FlowSpec,
    now: DateTime<Utc>,
) -> Result<Flow> {
    let env = open_for_change(db, caller, environment_id)?;
    let row = find_row(db, &env, flow_id)?;
    desktop::require_flow_access(db, caller, &env, &row, desktop::FlowAccess::CoOwner, "edit")?;
    let mut keys = Keys::new(store, &env, now);
    let mut flow = open_flow(&mut keys, db, row)?;
    if let Some(name) = &spec.display_name {
        validate_display_name(name)?;
        flow.display_name = name.clone();
    }
    if let Some(actions) = &spec.actions {
        validate_actions(actions)?;
        flow.row.uses_list_flows_v1 = actions.iter().any(|a| a.eq_ignore_ascii_case(LIST_FLOWS_AS_ADMIN_V1));
        flow.definition.actions = actions.clone();
    }
    if let Some(d) = &spec.definition {
        flow.definition.definition = d.clone();
    }
    if let Some(kind) = &spec.kind {
        flow.row.kind = kind.clone();
    }
    if let Some(trigger) = &spec.trigger {
        if *trigger != flow.row.trigger_kind {
            flow.definition.url =
                (trigger == "Http").then(|| trigger_url(&env, &flow.row.flow_id, &flow.row.key_managed_by));
            flow.row.trigger_kind = trigger.clone();
        }
    }
    if let Some(v) = spec.in_solution {
        flow.row.in_solution = v;
    }
    if let Some(v) = spec.enabled {
        flow.row.enabled = v;
    }
    if let Some(v) = &spec.connection_source {
        flow.row.connection_source = v.clone();
    }
    if let Some(children) = &spec.child_flows {
        let keys = resolve_children(db, &env, &flow.row.flow_id, children)?;
        db.set_flow_children(flow.row.flow_key, &keys)?;
    }
    flow.row.last_modified_time = now;
    if flow.row.kind == "Desktop" {
        desktop::DesktopDefinition::parse(&flow.definition.definition)?;
    }
    // A change must comply; a compliant change lifts a DLP suspension.
    dlp::require_compliant(db, &env, &flow)?;
    if flow.row.suspension_reason.take().is_some() {
        db.set_flow_suspension(flow.row.flow_key, None)?;
    }
    let (name, definition) = (flow.display_name.clone(), flow.definition.clone());
    seal_flow(&mut keys, db, &mut flow.row, &name, &definition)?;
    db.update_flow(&flow.row)?;
    refresh_reasons(db, &env)?;
    flow.row = db.flow(env.row.env_key, &flow.row.flow_id)?.unwrap_or(flow.row);
    Ok(flow)
}

/// Recomputes why each flow left on the Microsoft key in a protected
/// environment stays there, from what the flows are now: a flow updated to
/// the V2 action or trigger, or whose blocking child is gone, loses its
/// reason at once and the listings show the progress (000:60, 000:79). It
/// stays on the Microsoft key until a support request moves it (000:100).
pub fn refresh_reasons(db: &Db, env: &Environment) -> Result<()> {
    if !environment_protected(env) {
        return Ok(());
    }
    let blocked = migration::unmigratable_in(db, env.row.env_key)?;
    for mut row in db.flows(env.row.env_key, Some(MICROSOFT))? {
        let (reason, child) = match blocked.get(&row.flow_key) {
            Some(b) => (Some(b.reason.to_string()), b.child.clone()),
            None => (migration::own_reason(&traits(&row)).map(str::to_string), None),
        };
        if row.mmk_reason != reason || row.mmk_reason_flow != child {
            row.mmk_reason = reason;
            row.mmk_reason_flow = child;
            db.update_flow(&row)?;
        }
    }
    Ok(())
}

fn traits(row: &FlowRow) -> crate::store::FlowTraits {
    crate::store::FlowTraits {
        flow_key: row.flow_key,
        flow_id: row.flow_id.clone(),
        trigger_kind: row.trigger_kind.clone(),
        in_solution: row.in_solution,
        uses_list_flows_v1: row.uses_list_flows_v1,
    }
}

/// `Get-AdminFlow`: flows of one environment (or every environment the
/// caller administers), with their names opened.
pub fn list(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: Option<&str>,
    flow_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Flow>> {
    let envs: Vec<Environment> = match environment_id {
        Some(id) => vec![open_for_read(db, caller, id)?],
        None => {
            environment::require_admin(caller, "list the flows of every environment")?;
            db.environments()?
                .into_iter()
                .map(|row| Environment { row })
                .filter(|e| e.row.state != environment::LOCKED)
                .collect()
        }
    };
    let mut out = Vec::new();
    for env in &envs {
        let rows = match flow_id {
            Some(f) => match db.flow(env.row.env_key, f.trim())? {
                Some(r) => vec![r],
                None if environment_id.is_some() => return Err(find_row(db, env, f).unwrap_err()),
                None => vec![],
            },
            None => db.flows(env.row.env_key, None)?,
        };
        let mut keys = Keys::new(store, env, now);
        let sees_all = caller.is_power_platform_admin();
        for row in rows {
            if sees_all || desktop::flow_access(db, caller, env, &row)? >= desktop::FlowAccess::User {
                out.push(open_flow(&mut keys, db, row)?);
            }
        }
    }
    Ok(out)
}

/// `Remove-AdminFlow`: deletes a flow with its runs; parents lose the edge.
pub fn remove(db: &Db, caller: &Caller, environment_id: &str, flow_id: &str) -> Result<FlowRow> {
    let env = open_for_change(db, caller, environment_id)?;
    let row = find_row(db, &env, flow_id)?;
    desktop::require_flow_access(db, caller, &env, &row, desktop::FlowAccess::CoOwner, "delete")?;
    db.delete_flow(row.flow_key)?;
    // A parent blocked only by this flow can now be protected.
    refresh_reasons(db, &env)?;
    Ok(row)
}

/// `Copy-PpCmkFlow` ("Save As"): a new flow — new FlowName, new URL — with
/// the same definition, protected by the environment's current key. The
/// documented way to protect an HTTP, Teams or Power Apps v1 flow that
/// stayed on the Microsoft-managed key. The original is unchanged.
pub fn copy(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: &str,
    display_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Flow> {
    let env = open_for_change(db, caller, environment_id)?;
    let source_row = find_row(db, &env, flow_id)?;
    desktop::require_flow_access(db, caller, &env, &source_row, desktop::FlowAccess::CoOwner, "save a copy of")?;
    let mut keys = Keys::new(store, &env, now);
    let source = open_flow(&mut keys, db, source_row)?;
    let children = db.flow_children(source.row.flow_key)?;
    let spec = FlowSpec {
        display_name: Some(
            display_name.map(str::to_string).unwrap_or_else(|| format!("Copy of {}", source.display_name)),
        ),
        kind: Some(source.row.kind.clone()),
        trigger: Some(source.row.trigger_kind.clone()),
        in_solution: Some(source.row.in_solution),
        child_flows: Some(children),
        actions: Some(source.definition.actions.clone()),
        definition: Some(source.definition.definition.clone()),
        enabled: Some(source.row.enabled),
        connection_source: Some(source.row.connection_source.clone()),
    };
    // Save As gives a new URL, which is what keeps HTTP, Teams and Power Apps
    // v1 flows behind (and a parent's copy is a new flow its callers do not
    // use yet); the List Flows as Admin (V1) rule is about the content and
    // holds for the copy, which stays on the Microsoft key beside its source
    // until updated to V2 (000:60).
    let content_blocked =
        environment_protected(&env) && source.row.key_managed_by == MICROSOFT && source.row.uses_list_flows_v1;
    let key = content_blocked.then_some((source.row.generation, MICROSOFT));
    let copy = create_with_key(store, db, caller, environment_id, &spec, key, now)?;
    if content_blocked {
        refresh_reasons(db, &env)?;
        let row = db.flow(env.row.env_key, &copy.row.flow_id)?.unwrap_or(copy.row);
        return Ok(Flow { row, ..copy });
    }
    Ok(copy)
}

/// `Request-PpCmkFlowProtection`: the support ticket by which a flow left
/// on the Microsoft key in an environment already on a customer key is
/// protected (000:100). The flow keeps its FlowName; it moves to the
/// customer key's generation, its runs so far become legacy, and an HTTP
/// trigger gets its URL on the dedicated infrastructure. A flow whose
/// content still keeps it on the Microsoft key (the V1 admin action, a
/// child that cannot move) is refused until that is fixed.
pub fn request_protection(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: &str,
    now: DateTime<Utc>,
) -> Result<Flow> {
    let env = open_for_change(db, caller, environment_id)?;
    environment::require_environment_admin(caller, &env, "request protection of its flows")?;
    if !environment_protected(&env) {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!(
                "Environment '{}' is not protected by a customer-managed key: adding it to an enterprise policy protects its flows.",
                env.name()
            ),
        )
        .with_target(env.id().to_string()));
    }
    refresh_reasons(db, &env)?;
    let row = find_row(db, &env, flow_id)?;
    if row.key_managed_by == CUSTOMER {
        return Err(Error::conflict(format!(
            "Flow '{}' is already protected by the customer-managed key.",
            row.flow_id
        ))
        .with_target(row.flow_id.clone()));
    }
    if let Some(reason @ (migration::LIST_FLOWS_AS_ADMIN_V1 | migration::PARENT_OF_UNMIGRATABLE_FLOW)) =
        row.mmk_reason.as_deref()
    {
        let fix = if reason == migration::LIST_FLOWS_AS_ADMIN_V1 {
            "update it to List Flows as Admin (V2) or delete it".to_string()
        } else {
            format!("its child flow {} must be protected first", row.mmk_reason_flow.as_deref().unwrap_or("?"))
        };
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Flow '{}' cannot be moved to the customer-managed key ({reason}): {fix}.", row.flow_id),
        )
        .with_target(row.flow_id.clone()));
    }
    let mut keys = Keys::new(store, &env, now);
    let mut flow = open_flow(&mut keys, db, row)?;
    let (generation, _) = current_key(&env);
    flow.row.generation = generation;
    flow.row.key_managed_by = CUSTOMER.into();
    flow.row.key_changed_time = Some(now);
    flow.row.mmk_reason = None;
    flow.row.mmk_reason_flow = None;
    if flow.row.trigger_kind == "Http" {
        flow.definition.url = Some(trigger_url(&env, &flow.row.flow_id, CUSTOMER));
    }
    let (name, definition) = (flow.display_name.clone(), flow.definition.clone());
    seal_flow(&mut keys, db, &mut flow.row, &name, &definition)?;
    db.update_flow(&flow.row)?;
    db.mark_runs_legacy(flow.row.flow_key)?;
    refresh_reasons(db, &env)?;
    Ok(flow)
}

/// Power Automate's CMK figures for one environment.
#[derive(Debug, Clone)]
pub struct CmkStatus {
    pub customer_key_protected: bool,
    pub flows_on_customer_key: i64,
    pub flows_on_microsoft_key: i64,
    pub flows_cannot_migrate: i64,
    pub connections_on_microsoft_key: i64,
}

/// Whether the environment's Power Automate data is meant to be on a customer key.
pub fn environment_protected(env: &Environment) -> bool {
    env.row.protector != "MMK" && env.is_linked()
}

/// `Get-AdminFlowEnvironmentCmkStatus`.
pub fn cmk_status(db: &Db, env: &Environment) -> Result<CmkStatus> {
    let (mmk, cmk) = db.flow_counts(env.row.env_key)?;
    let cannot =
        if environment_protected(env) { mmk } else { migration::unmigratable_in(db, env.row.env_key)?.len() as i64 };
    let connections_on_microsoft_key =
        db.connections(env.row.env_key)?.iter().filter(|c| c.key_managed_by == MICROSOFT).count() as i64;
    Ok(CmkStatus {
        customer_key_protected: environment_protected(env),
        flows_on_customer_key: cmk,
        flows_on_microsoft_key: mmk,
        flows_cannot_migrate: cannot,
        connections_on_microsoft_key,
    })
}

/// The admin center's encryption status of an environment, with Power
/// Automate taken into account: Warning while a CMK environment still has
/// flows on the Microsoft-managed key.
pub fn encryption_status(db: &Db, env: &Environment) -> Result<Option<&'static str>> {
    Ok(match env.encryption_status() {
        Some("Encrypted") if environment_protected(env) && db.flow_counts(env.row.env_key)?.0 > 0 => Some("Warning"),
        other => other,
    })
}

/// The warning to show for an environment, if any.
pub fn mmk_warning(db: &Db, env: &Environment) -> Result<Option<String>> {
    if !environment_protected(env) {
        return Ok(None);
    }
    let (mmk, _) = db.flow_counts(env.row.env_key)?;
    Ok((mmk > 0).then(|| {
        format!(
            "{MMK_WARNING}: {mmk} flow(s) in environment '{}' ({}). List them with Get-AdminFlowEncryptedByMicrosoftKey -EnvironmentName {} -ListCannotMigrateToCustomerManagedKey; protect them with Copy-PpCmkFlow (Save As).",
            env.name(),
            env.id(),
            env.id()
        )
    }))
}

/// The service tag outbound HTTP calls of the environment's flows come from.
pub fn outbound_service_tag(env: &Environment) -> &'static str {
    if environment_protected(env) {
        CMK_SERVICE_TAG
    } else {
        MMK_SERVICE_TAG
    }
}

/// 000:106-108: once an environment is enabled for customer-managed keys,
/// its Power Automate data is not sent to the analytics pipeline (the
/// features that read it lose it; the seed's list of them is cut off).
pub fn analytics_pipeline(env: &Environment) -> &'static str {
    if environment_protected(env) {
        "NotSent"
    } else {
        "Sent"
    }
}

/// `Register-PpCmkAppFlowReference`: a Power App starts using a flow. Non-
/// solution Power Apps-trigger flows created in a CMK environment cannot be
/// referenced from an app (a documented limitation).
pub fn register_app_reference(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: &str,
    app_name: &str,
    now: DateTime<Utc>,
) -> Result<FlowRow> {
    let env = open_for_change(db, caller, environment_id)?;
    let row = find_row(db, &env, flow_id)?;
    if app_name.trim().is_empty() || app_name.chars().count() > 200 || app_name.chars().any(char::is_control) {
        return Err(Error::invalid("An app name needs 1-200 characters and no control characters."));
    }
    let power_apps_trigger = matches!(row.trigger_kind.as_str(), "PowerAppsV1" | "PowerAppsV2");
    if power_apps_trigger && !row.in_solution && row.created_under_cmk && environment_protected(&env) {
        return Err(Error::new(
            ErrorCode::UnsupportedWithCustomerManagedKey,
            format!(
                "Flow '{}' can't be referenced from an app: non-solution cloud flows using the Power Apps trigger that are created in CMK-protected environments can't be registered from Power Apps. Add the flow to a Dataverse solution first (Set-PpCmkFlow -InSolution), and turn on Set-PpCmkEnvironmentSetting -CreateFlowsInSolutionByDefault $true so new flows are solution flows.",
                row.flow_id
            ),
        )
        .with_target(row.flow_id.clone()));
    }
    db.insert_app_flow_reference(row.flow_key, app_name.trim(), now)?;
    Ok(row)
}

/// Applies a key change of the environment to its Power Automate data, in
/// the transaction that completes the change. Towards a customer key every
/// flow moves to `generation` except those the documentation leaves on the
/// Microsoft-managed key, which keep their generation and get a reason;
/// towards the Microsoft key every flow moves. Runs of a flow that moved are
/// not carried forward. OAuth connections follow the environment's key;
/// the others stay on the Microsoft key.
pub fn apply_key_change(
    store: &Store,
    db: &Db,
    env: &Environment,
    generation: i64,
    to_customer: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut keys = Keys::new(store, env, now);
    let target = if to_customer { CUSTOMER } else { MICROSOFT };
    let blocked = if to_customer { migration::unmigratable_in(db, env.row.env_key)? } else { HashMap::new() };
    for mut row in db.flows(env.row.env_key, None)? {
        if let Some(b) = blocked.get(&row.flow_key) {
            row.mmk_reason = Some(b.reason.to_string());
            row.mmk_reason_flow = b.child.clone();
            db.update_flow(&row)?;
            continue;
        }
        if row.generation != generation {
            reseal_flow(&mut keys, db, &mut row, generation)?;
        }
        if row.key_managed_by != target {
            row.key_changed_time = Some(now);
            db.mark_runs_legacy(row.flow_key)?;
        }
        row.key_managed_by = target.into();
        row.mmk_reason = None;
        row.mmk_reason_flow = None;
        db.update_flow(&row)?;
    }
    connections::apply_key_change(&mut keys, db, env, generation, to_customer)
}

/// Loads `count` generated flows in batches (one transaction each), with
/// progress: automated solution flows, and one in a thousand each with an
/// HTTP, a Teams and a non-solution Power Apps v1 trigger.
pub fn load_sample(
    store: &Store,
    caller: &Caller,
    environment_id: &str,
    count: i64,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(crate::progress::Progress),
) -> Result<i64> {
    let mut written = 0i64;
    while written < count {
        let n = environment::records::BATCH.min(count - written);
        store.write(|db| {
            let env = open_for_change(db, caller, environment_id)?;
            let (generation, key_managed_by) = current_key(&env);
            let mut keys = Keys::new(store, &env, now);
            for i in written..written + n {
                let (trigger, in_solution) = match i % 1000 {
                    0 => ("Http", true),
                    1 => ("Teams", true),
                    2 => ("PowerAppsV1", false),
                    _ => ("Automated", true),
                };
                let flow_id = new_guid();
                let url = (trigger == "Http").then(|| trigger_url(&env, &flow_id, key_managed_by));
                let mut row = FlowRow {
                    flow_key: 0,
                    flow_id,
                    env_key: env.row.env_key,
                    kind: "Cloud".into(),
                    trigger_kind: trigger.into(),
                    in_solution,
                    uses_list_flows_v1: false,
                    connection_source: "Embedded".into(),
                    enabled: true,
                    generation,
                    sealed_name: Vec::new(),
                    sealed_definition: Vec::new(),
                    key_managed_by: key_managed_by.into(),
                    mmk_reason: None,
                    mmk_reason_flow: None,
                    created_under_cmk: environment_protected(&env),
                    key_changed_time: None,
                    created_time: now,
                    created_by: caller.object_id().to_string(),
                    last_modified_time: now,
                    suspension_reason: None,
                };
                let definition = Definition { actions: vec!["Compose".into()], definition: Value::Null, url };
                seal_flow(&mut keys, db, &mut row, &format!("Sample flow {i:07}"), &definition)?;
                db.insert_flow(&row)?;
            }
            Ok(())
        })?;
        written += n;
        progress(crate::progress::Progress::new(
            "Loading sample flows",
            format!("{written} of {count} flows"),
            written as u64,
            count as u64,
        ));
    }
    Ok(written)
}

/// A short random id, e.g. for run ids.
pub(crate) fn short_id() -> String {
    hex(&random_array::<10>()).to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    /// Every sealed flow name and definition is bound to this text: it must
    /// never change, or stores written before could not be opened.
    #[test]
    fn the_flow_aad_keeps_its_format() {
        let (env, flow) = ("Default-ABC-def", "Flow-É-1B");
        let expected =
            format!("ppcmk/flow/{}/{}/name/12", env.to_ascii_lowercase(), flow.to_ascii_lowercase()).into_bytes();
        assert_eq!(super::aad_of(env, flow, "name", 12), expected);
        assert_eq!(super::aad_of("e", "f", "definition", -1), b"ppcmk/flow/e/f/definition/-1");
        for generation in [0, 7, 10, 1_000_003, i64::MAX, i64::MIN] {
            assert_eq!(
                super::aad_of("e", "f", "name", generation),
                format!("ppcmk/flow/e/f/name/{generation}").into_bytes()
            );
        }
    }
}
