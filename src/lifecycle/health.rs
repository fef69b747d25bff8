//! The service's health checks of environments protected by a customer key,
//! run before every command and by `Invoke-PpCmkMaintenance`:
//!
//! * an environment whose key the policy's identity can no longer use
//!   (access revoked, key or version disabled, deleted, the current version
//!   expired or not yet active, vault deleted or closed to trusted services,
//!   policy deleted) is **Locked**,
//!   and its policy reported unhealthy; when access to the original key is
//!   restored it is re-enabled;
//! * a key version stays needed for 28 days after a rotation replaced it;
//! * when the key gets a new version (and the policy does not pin one), the
//!   environment's DEKs are re-wrapped to it — no data is re-encrypted and
//!   there is no downtime;
//! * a locked sandbox is deleted after 7 days, a locked production
//!   environment after 30, unless access comes back.

use crate::audit::Event;
use crate::crypto::new_guid;
use crate::environment::dek::{self, Protector};
use crate::environment::{Environment, DISABLED, LOCKED, READY};
use crate::error::{ErrorCode, Result};
use crate::keyvault::{access, keys};
use crate::policy::Policy;
use crate::store::{Db, EnvKeyVersionRow, OperationRow, Store};
use chrono::{DateTime, Duration, Utc};

/// How long a replaced key version stays needed.
pub const PREVIOUS_VERSION_DAYS: i64 = 28;

/// What a health check found to do for one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Lock {
        env_key: i64,
        reason: String,
    },
    Unlock {
        env_key: i64,
    },
    Rewrap {
        env_key: i64,
        new_key_id: String,
    },
    DeleteLocked {
        env_key: i64,
    },
    /// A flow's runs from before its key change, kept 30 days for a support ticket.
    ExpireLegacyRuns {
        flow_key: i64,
    },
}

/// Whether every key version the environment still needs can be used by its
/// policy's identity. Err carries the reason, in the documentation's terms.
pub fn key_health(db: &Db, env: &Environment, now: DateTime<Utc>) -> Result<std::result::Result<(), String>> {
    for v in db.env_key_versions(env.row.env_key)? {
        let needed = v.current_until.is_none_or(|until| until + Duration::days(PREVIOUS_VERSION_DAYS) > now);
        if !needed {
            continue;
        }
        let Some(row) = db.policy(&v.policy_id)? else {
            return Ok(Err("its enterprise policy was deleted.".into()));
        };
        let p = Policy { row };
        let vault = match p.vault(db) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e.message)),
        };
        let Ok((_, _, name, version)) = keys::parse_key_id(&v.key_id) else { continue };
        let who = p.requester(db)?;
        let ops: &[access::KeyOp] = if v.current_until.is_none() {
            &[access::KeyOp::Get, access::KeyOp::WrapKey, access::KeyOp::UnwrapKey]
        } else {
            &[access::KeyOp::UnwrapKey]
        };
        for op in ops {
            if let Err(e) = access::authorize(db, &vault, Some(&name), &who, *op) {
                return Ok(Err(format!(
                    "the enterprise policy's identity lost {} access to key '{name}': {}",
                    op.permission(),
                    e.message
                )));
            }
        }
        if v.current_until.is_none() {
            // Key Vault still unwraps with an expired version, but the
            // service treats an expired current key as lost: the documentation
            // says an expired key takes all its environments down.
            // (A key that is gone is reported by the checks below.)
            let expiry = keys::version_expiry(db, &vault, &name, version.as_deref()).ok().flatten();
            if let Some(expired) = expiry.filter(|exp| *exp <= now) {
                return Ok(Err(format!(
                    "key '{name}' expired on {}; an expired key takes every environment that uses it offline. Extend it (Update-AzKeyVaultKey -Expires) to re-enable them.",
                    crate::time::to_display(expired)
                )));
            }
        }
        let usable_for: &[access::KeyOp] = if v.current_until.is_none() {
            &[access::KeyOp::UnwrapKey, access::KeyOp::WrapKey]
        } else {
            &[access::KeyOp::UnwrapKey]
        };
        if let Some(e) = usable_for
            .iter()
            .find_map(|op| keys::check_usable_now(db, &vault, &name, version.as_deref(), *op, now).err())
        {
            let why = if v.current_until.is_some() {
                format!(
                    "{} A key version must stay enabled for at least {PREVIOUS_VERSION_DAYS} days after a rotation replaced it (until {}).",
                    e.message,
                    crate::time::to_display(v.current_until.unwrap_or(now) + Duration::days(PREVIOUS_VERSION_DAYS))
                )
            } else {
                e.message
            };
            return Ok(Err(why));
        }
    }
    Ok(Ok(()))
}

/// The key version the environment should be wrapped with now, when it
/// differs from the current one (a rotation happened and the policy does not pin a version).
fn rotation_target(db: &Db, env: &Environment) -> Result<Option<String>> {
    let Some(policy_id) = &env.row.policy_id else { return Ok(None) };
    let Some(row) = db.policy(policy_id)? else { return Ok(None) };
    if row.key_version.is_some() {
        return Ok(None);
    }
    let p = Policy { row };
    let Ok(vault) = p.vault(db) else { return Ok(None) };
    let Ok(latest) = keys::current_version_id(db, &vault, &p.row.key_name) else { return Ok(None) };
    let current =
        db.env_key_versions(env.row.env_key)?.into_iter().find(|v| v.current_until.is_none()).map(|v| v.key_id);
    Ok((current.as_deref().map(|c| !c.eq_ignore_ascii_case(&latest)).unwrap_or(false)).then_some(latest))
}

/// The actions due now (read-only). An environment whose evaluation fails
/// (a record the check cannot read) is skipped, not allowed to stop the
/// checks of the others; it is evaluated again on the next pass.
pub fn pending(db: &Db, now: DateTime<Utc>) -> Result<Vec<Action>> {
    let mut actions = Vec::new();
    for row in db.environments()? {
        let env = Environment { row };
        match pending_for(db, &env, now) {
            Ok(found) => actions.extend(found),
            Err(e) if e.code == ErrorCode::StoreBusy => return Err(e),
            Err(_) => {}
        }
    }
    // Store-wide, so once per pass (not once per environment).
    for flow_key in crate::flows::runs::expired_legacy_runs(db, now)? {
        actions.push(Action::ExpireLegacyRuns { flow_key });
    }
    Ok(actions)
}

/// The first instant after `now` at which [`pending`] could find something
/// new while the store stays as it is: a replaced key version leaving its 28
/// days, a needed version's activation or expiry, a locked environment's
/// deletion day, legacy runs leaving their 30 days. `Some(now)` when that
/// cannot be told (a record the check cannot read): check every time.
pub fn next_change(db: &Db, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let mut times = Vec::new();
    for row in db.environments()? {
        let env = Environment { row };
        match times_of(db, &env) {
            Ok(found) => times.extend(found),
            Err(e) if e.code == ErrorCode::StoreBusy => return Err(e),
            Err(_) => return Ok(Some(now)),
        }
    }
    for (_, changed) in db.legacy_run_flows()? {
        times.push(changed + Duration::days(crate::flows::runs::LEGACY_RUN_DAYS));
    }
    Ok(times.into_iter().filter(|t| *t > now).min())
}

/// The instants at which one environment's health can change with time alone
/// (mirrors [`pending_for`] and [`key_health`]).
fn times_of(db: &Db, env: &Environment) -> Result<Vec<DateTime<Utc>>> {
    let mut times = Vec::new();
    if env.row.state == DISABLED {
        return Ok(times);
    }
    if env.row.protector == "CMK" && env.is_linked() {
        for v in db.env_key_versions(env.row.env_key)? {
            if let Some(until) = v.current_until {
                times.push(until + Duration::days(PREVIOUS_VERSION_DAYS));
            }
            let Some(row) = db.policy(&v.policy_id)? else { continue };
            let Ok(vault) = (Policy { row }).vault(db) else { continue };
            let Ok((_, _, name, version)) = keys::parse_key_id(&v.key_id) else { continue };
            if let Ok(validity) = keys::version_validity(db, &vault, &name, version.as_deref()) {
                times.extend(validity.into_iter().flatten());
            }
        }
    }
    if env.row.state == LOCKED {
        if let Some(since) = env.row.locked_since {
            times.push(since + Duration::days(env.days_kept_when_locked(db)?));
        }
    }
    Ok(times)
}

fn pending_for(db: &Db, env: &Environment, now: DateTime<Utc>) -> Result<Vec<Action>> {
    let mut actions = Vec::new();
    if env.row.state == DISABLED {
        return Ok(actions); // an operation owns it
    }
    if env.row.protector == "CMK" && env.is_linked() {
        match key_health(db, env, now)? {
            Err(reason) if env.row.state != LOCKED => actions.push(Action::Lock { env_key: env.row.env_key, reason }),
            Ok(()) if env.row.state == LOCKED => actions.push(Action::Unlock { env_key: env.row.env_key }),
            Ok(()) => {
                if let Some(new_key_id) = rotation_target(db, env)? {
                    actions.push(Action::Rewrap { env_key: env.row.env_key, new_key_id });
                }
            }
            Err(_) => {}
        }
    }
    if env.row.state == LOCKED {
        if let Some(since) = env.row.locked_since {
            if since + Duration::days(env.days_kept_when_locked(db)?) <= now {
                actions.push(Action::DeleteLocked { env_key: env.row.env_key });
            }
        }
    }
    Ok(actions)
}

fn set_policy_health(
    db: &Db,
    policy_id: Option<&str>,
    healthy: bool,
    detail: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(id) = policy_id else { return Ok(()) };
    let Some(mut row) = db.policy(id)? else { return Ok(()) };
    if healthy {
        let still_locked = db.environments_of_policy(id)?.iter().any(|e| e.state == LOCKED);
        if still_locked {
            return Ok(());
        }
        row.health = "Healthy".into();
        row.health_detail = None;
    } else {
        row.health = "Unhealthy".into();
        row.health_detail = detail;
    }
    row.last_health_check = Some(now);
    db.update_policy(&row)
}

/// Re-wraps every DEK generation the environment still uses to the key's new
/// version (the service as the policy's identity), and records the rotation.
fn rewrap(store: &Store, db: &Db, env: &Environment, new_key_id: &str, now: DateTime<Utc>) -> Result<usize> {
    let p = Policy {
        row: db
            .policy(env.row.policy_id.as_deref().unwrap_or_default())?
            .ok_or_else(|| crate::error::Error::internal("policy vanished"))?,
    };
    // The DEK generations table holds only generations still in use (unused
    // ones are dropped when an operation ends), so this costs the same for a
    // thousand records as for a million.
    let generations = db.dek_generations(env.row.env_key)?;
    let mut rewrapped = 0;
    for g in &generations {
        let has_cmk = db.dek_wraps(env.row.env_key)?.iter().any(|w| w.generation == *g && w.protector == "CMK");
        if !has_cmk {
            continue; // e.g. a backup taken under the Microsoft-managed key
        }
        let key = dek::dek(store, db, env, *g, now)?;
        dek::add_wrap(store, db, env, *g, &key, &Protector::Cmk { key_id: new_key_id.to_string() }, Some(&p), now)?;
        rewrapped += 1;
    }
    db.close_env_key_versions(env.row.env_key, now)?;
    db.set_env_key_version(&EnvKeyVersionRow {
        env_key: env.row.env_key,
        key_id: new_key_id.to_string(),
        policy_id: p.row.policy_id.clone(),
        current_from: now,
        current_until: None,
    })?;
    db.insert_operation(&OperationRow {
        operation_id: new_guid(),
        env_key: env.row.env_key,
        environment_id: env.id().to_string(),
        kind: "KeyRotation".into(),
        state: "Succeeded".into(),
        policy_id: Some(p.row.policy_id.clone()),
        policy_resource_id: Some(p.row.resource_id.clone()),
        from_generation: Some(env.row.current_generation),
        to_generation: Some(env.row.current_generation),
        target: Some(new_key_id.to_string()),
        total: rewrapped as i64,
        processed: rewrapped as i64,
        watermark: 0,
        requested_by: "Power Platform".into(),
        start_time: now,
        end_time: Some(now),
        error_code: None,
        error_message: None,
        lease_owner: None,
        lease_expires: None,
    })?;
    Ok(rewrapped)
}

impl Action {
    /// The environment the action is about (none for a flow's runs).
    fn env_key(&self) -> Option<i64> {
        match self {
            Action::Lock { env_key, .. }
            | Action::Unlock { env_key }
            | Action::Rewrap { env_key, .. }
            | Action::DeleteLocked { env_key } => Some(*env_key),
            Action::ExpireLegacyRuns { .. } => None,
        }
    }

    /// What a failure event names: the environment or the flow.
    fn target(&self, db: &Db) -> String {
        match self {
            Action::ExpireLegacyRuns { flow_key } => {
                db.flow_by_key(*flow_key).ok().flatten().map(|f| f.flow_id).unwrap_or_else(|| flow_key.to_string())
            }
            _ => {
                let key = self.env_key().unwrap_or_default();
                db.environment_by_key(key)
                    .ok()
                    .flatten()
                    .map(|row| row.environment_id)
                    .unwrap_or_else(|| key.to_string())
            }
        }
    }

    /// The event name of the action, and of its failure.
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            Action::Lock { .. } => ("LockEnvironment", "LockEnvironmentFailed"),
            Action::Unlock { .. } => ("ReEnableEnvironment", "ReEnableEnvironmentFailed"),
            Action::Rewrap { .. } => ("RewrapEnvironmentKeys", "RewrapEnvironmentKeysFailed"),
            Action::DeleteLocked { .. } => ("DeleteLockedEnvironment", "DeleteLockedEnvironmentFailed"),
            Action::ExpireLegacyRuns { .. } => ("ExpireLegacyFlowRuns", "ExpireLegacyFlowRunsFailed"),
        }
    }
}

/// Applies the actions due now (re-evaluated inside this write transaction),
/// each in its own savepoint: one that fails is rolled back, reported and
/// skipped, and the others still apply.
pub fn apply(store: &Store, db: &Db, now: DateTime<Utc>) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for action in pending(db, now)? {
        let (name, failed) = action.names();
        match db.isolated(|db| apply_one(store, db, &action, now))? {
            Ok(Some(event)) => events.push(event),
            Ok(None) => {}
            Err(e) => {
                let target = action.target(db);
                events.push(Event::failure(now, failed, target, name, &e));
            }
        }
    }
    Ok(events)
}

fn apply_one(store: &Store, db: &Db, action: &Action, now: DateTime<Utc>) -> Result<Option<Event>> {
    let (name, _) = action.names();
    if let Action::ExpireLegacyRuns { flow_key } = action {
        let n = db.delete_legacy_runs_of_flow(*flow_key)?;
        let flow_id = db.flow_by_key(*flow_key)?.map(|f| f.flow_id).unwrap_or_default();
        let detail = format!(
            "{n} run(s) from before the flow's key change deleted: run history isn't carried forward and stays available {} days",
            crate::flows::runs::LEGACY_RUN_DAYS
        );
        return Ok(Some(Event::new(now, name, flow_id, detail)));
    }
    let Some(row) = db.environment_by_key(action.env_key().unwrap_or_default())? else { return Ok(None) };
    let event = match action {
        Action::Lock { reason, .. } => {
            let mut env = Environment { row };
            env.row.state = LOCKED.into();
            env.row.state_reason = Some(format!("its customer-managed key is not reachable: {reason}"));
            env.row.locked_since.get_or_insert(now);
            db.update_environment(&env.row)?;
            store.deks.forget(env.id());
            set_policy_health(db, env.row.policy_id.as_deref(), false, Some(reason.clone()), now)?;
            Event::new(now, name, env.id().to_string(), format!("'{}' locked: {reason}", env.name()))
        }
        Action::Unlock { .. } => {
            let mut env = Environment { row };
            env.row.state = READY.into();
            env.row.state_reason = None;
            env.row.locked_since = None;
            db.update_environment(&env.row)?;
            set_policy_health(db, env.row.policy_id.as_deref(), true, None, now)?;
            Event::new(
                now,
                name,
                env.id().to_string(),
                format!("'{}' re-enabled: access to its key is restored", env.name()),
            )
        }
        Action::Rewrap { new_key_id, .. } => {
            let env = Environment { row };
            let n = rewrap(store, db, &env, new_key_id, now)?;
            Event::new(
                now,
                name,
                env.id().to_string(),
                format!(
                    "'{}': {n} DEK generation(s) re-wrapped to {new_key_id}; no data re-encrypted, no downtime",
                    env.name()
                ),
            )
        }
        Action::DeleteLocked { env_key } => {
            let env = Environment { row };
            db.delete_environment(*env_key)?;
            store.deks.forget(env.id());
            Event::new(
                now,
                name,
                env.id().to_string(),
                format!(
                    "{} environment '{}' stayed locked {} days and was deleted with its data",
                    env.row.sku,
                    env.name(),
                    env.days_kept_when_locked(db)?
                ),
            )
        }
        Action::ExpireLegacyRuns { .. } => unreachable!("handled above"),
    };
    Ok(Some(event))
}
