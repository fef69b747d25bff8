//! Adding environments to an enterprise policy and removing them: the
//! "Update Customer Managed Key" operation of the environment's history.
//!
//! Applying a customer key starts a new DEK generation and re-encrypts the
//! environment's records under it, in batches of one transaction each; the
//! set still to do is "records below the new generation", so a crash at any
//! point resumes exactly where it stopped, and rows of both generations stay
//! readable meanwhile. While it runs, the new generation is wrapped by both
//! the old protector and the new one (an escrow), so that a failure can
//! return the environment to its previous key without re-encrypting
//! anything; on success the old protector's wrap of the new generation is
//! destroyed.
//!
//! Adding is phased, as the documentation says (002:412, 001:337): the
//! environment is disabled briefly while the new generation and its wraps
//! are made, then enabled again when the re-encryption starts, which goes
//! on in the background: the operation stays Running until every record is
//! under the new generation; meanwhile new writes go under the new
//! generation and records not yet re-encrypted are read through their old
//! DEK. Removing keeps the environment Disabled throughout (002:425).

use crate::crypto::{new_guid, Resealer, SymmetricKey};
use crate::environment::dek::{self, Protector};
use crate::environment::{find, operation_in_progress, require_admin, Environment, DISABLED, LOCKED, READY};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::keyvault::{access, keys};
use crate::policy::{self, Policy};
use crate::progress::Progress;
use crate::store::{Db, EnvKeyVersionRow, OperationRow, Store};
use chrono::{DateTime, Duration, Utc};
use once_cell::sync::Lazy;

/// The operation's name in the environment's history, as the admin center shows it.
pub const UPDATE_CUSTOMER_MANAGED_KEY: &str = "Update Customer Managed Key";
/// The fault point `Set-PpCmkFault -Operation EnvironmentEncryption` arms.
pub const FAULT_ENVIRONMENT_ENCRYPTION: &str = "EnvironmentEncryption";
/// The default number of CMK-protected environments per tenant.
pub const DEFAULT_CMK_ENVIRONMENT_LIMIT: i64 = 25;
pub const CMK_LIMIT_SETTING: &str = "CmkEnvironmentLimit";

/// How long a process holds an operation without renewing its lease.
const LEASE_SECONDS: i64 = 30;

/// This process's identity as an operation's lease holder: `pid <n> on <host> (<nonce>)`.
static LEASE_OWNER: Lazy<String> = Lazy::new(|| {
    format!(
        "pid {} on {} ({})",
        std::process::id(),
        host_name(),
        crate::crypto::hex(&crate::crypto::random_array::<4>())
    )
});

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this machine".into())
}

/// Whether the lease holder still runs: its lease is unexpired and, when it
/// ran on this machine, its process still exists (a killed process frees the
/// operation at once instead of after the lease expires).
fn holder_alive(owner: Option<&str>, expires: Option<i64>) -> bool {
    if expires.is_none_or(|t| t < unix_now()) {
        return false;
    }
    let Some(owner) = owner else { return false };
    let mut words = owner.split_whitespace();
    let (Some("pid"), Some(pid), Some("on"), Some(host)) = (words.next(), words.next(), words.next(), words.next())
    else {
        return true;
    };
    if host != host_name() {
        return true;
    }
    match pid.parse::<i32>() {
        #[cfg(unix)]
        Ok(pid) => unsafe {
            libc::kill(pid, 0) == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
        },
        _ => true,
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// An operation of the environment's history.
#[derive(Debug, Clone)]
pub struct Operation {
    pub row: OperationRow,
}

impl Operation {
    /// The name the admin center shows.
    pub fn name(&self) -> &'static str {
        match self.row.kind.as_str() {
            "Link" | "Unlink" => UPDATE_CUSTOMER_MANAGED_KEY,
            "KeyRotation" => "Key version rotation",
            "Restore" => "Restore environment",
            "Copy" => "Copy environment",
            "Reset" => "Reset environment",
            _ => "Operation",
        }
    }

    /// Running, but no live process holds it (killed or crashed): resumable.
    pub fn interrupted(&self) -> bool {
        self.row.state == "Running" && !holder_alive(self.row.lease_owner.as_deref(), self.row.lease_expires)
    }

    pub fn is_done(&self) -> bool {
        matches!(self.row.state.as_str(), "Succeeded" | "Failed")
    }
}

/// The CMK-protected environment limit of the tenant (default 25).
pub fn cmk_environment_limit(db: &Db) -> Result<i64> {
    Ok(db.tenant_setting(CMK_LIMIT_SETTING)?.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CMK_ENVIRONMENT_LIMIT))
}

/// Environments on a customer key, or on their way to one: what the limit counts.
pub fn cmk_environments_in_use(db: &Db) -> Result<i64> {
    Ok(
        db.environments()?
            .iter()
            .filter(|e| e.protector == "CMK" || e.link_status.as_deref() == Some("Pending"))
            .count() as i64,
    )
}

/// The documented conditions for adding an environment to a policy, each
/// refused with its own code.
fn check_linkable(db: &Db, env: &Environment, p: &Policy) -> Result<()> {
    if let Some(op) = db.running_operation(env.row.env_key)? {
        return Err(operation_in_progress(env, &op.operation_id));
    }
    if env.row.state == LOCKED {
        env.require_ready()?;
    }
    if env.row.policy_id.as_deref() == Some(p.row.policy_id.as_str()) && env.is_linked() {
        return Err(Error::conflict(format!(
            "Environment '{}' is already protected by enterprise policy '{}'.",
            env.name(),
            p.row.name
        )));
    }
    if env.is_linked() || env.row.link_status.as_deref() == Some("Pending") {
        return Err(Error::conflict(format!(
            "Environment '{}' is linked to another enterprise policy. To change the key, remove it from that policy and add it to the new one (Switch-PpCmkEnvironmentEnterprisePolicy does both).",
            env.name()
        )));
    }
    if !env.row.has_database {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Environment '{}' has no Dataverse database to encrypt.", env.name()),
        ));
    }
    if !env.row.is_managed {
        return Err(Error::new(
            ErrorCode::NotManagedEnvironment,
            format!(
                "Environment '{}' is not a Managed Environment. You can only add environments that are enabled as Managed Environments (Enable-PpCmkManagedEnvironment).",
                env.name()
            ),
        )
        .with_target(env.id().to_string()));
    }
    if !env.supports_cmk() {
        return Err(Error::new(
            ErrorCode::UnsupportedEnvironmentType,
            format!("Environment '{}' is a {} environment. Trial and Teams environment types can't be added to the enterprise policy.", env.name(), env.row.sku),
        )
        .with_target(env.id().to_string()));
    }
    if !env.row.location.eq_ignore_ascii_case(&p.row.location) {
        return Err(Error::new(
            ErrorCode::RegionMismatch,
            format!(
                "Environment '{}' is in '{}' but enterprise policy '{}' is in '{}': only environments in the same region as the enterprise policy can be added.",
                env.name(),
                env.row.location,
                p.row.name,
                p.row.location
            ),
        )
        .with_target(env.id().to_string()));
    }
    let limit = cmk_environment_limit(db)?;
    let protected = cmk_environments_in_use(db)?;
    if protected >= limit {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!(
                "The tenant already has {protected} CMK-protected environments, its limit ({limit}). The default limit of 25 CMK-enabled Power Automate environments per tenant can be extended by the Support team (here: Set-PpCmkTenantSetting -CmkEnvironmentLimit)."
            ),
        ));
    }
    Ok(())
}

/// Proves the policy's identity can get, wrap and unwrap the key, by a wrap
/// and unwrap round trip through the key vault.
fn probe_key_access(store: &Store, db: &Db, p: &Policy, now: DateTime<Utc>) -> Result<()> {
    let vault = p.vault(db).map_err(|e| Error::new(ErrorCode::KeyVaultAccessDenied, e.message))?;
    let who = p.requester(db)?;
    access::authorize(db, &vault, Some(&p.row.key_name), &who, access::KeyOp::Get)?;
    let probe: [u8; 32] = crate::crypto::random_array();
    let wrapped = keys::wrap(
        db,
        store,
        &who,
        &vault,
        &p.row.key_name,
        p.row.key_version.as_deref(),
        crate::crypto::rsa::OaepAlgorithm::RsaOaep256,
        &probe,
        now,
    )?;
    keys::unwrap(
        db,
        store,
        &who,
        &vault,
        &p.row.key_name,
        &wrapped.version,
        crate::crypto::rsa::OaepAlgorithm::RsaOaep256,
        &wrapped.value,
        now,
    )?;
    Ok(())
}

/// `Add-PpCmkEnvironmentToEnterprisePolicy`: checks every rule, then applies
/// the policy's key to each environment. Without `no_wait` each operation
/// runs to its end here; with it, operations are queued (NotStarted) for
/// `Resume-PpCmkOperation` or `Invoke-PpCmkMaintenance`.
pub fn add(
    store: &Store,
    caller: &Caller,
    environment_ids: &[String],
    policy_resource_id: &str,
    no_wait: bool,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<Operation>> {
    require_admin(caller, "add environments to an enterprise policy")?;
    let p = {
        let db = store.db()?;
        let p = policy::find(&db, policy_resource_id)?;
        policy::require_reader(&db, caller, &p)?;
        for id in environment_ids {
            check_linkable(&db, &find(&db, id)?, &p)?;
        }
        p
    };
    store.write(|db| probe_key_access(store, db, &p, now))?;
    let mut done = Vec::new();
    let mut first_error = None;
    for id in environment_ids {
        let started = store.write(|db| start_link(store, db, caller, id, &p, no_wait, now));
        match started {
            Ok(op) if no_wait || op.is_done() => done.push(op),
            Ok(op) => match run(store, &op.row.operation_id, now, progress) {
                Ok(op) => done.push(op),
                Err(e) => first_error = first_error.or(Some(e)),
            },
            Err(e) => first_error = first_error.or(Some(e)),
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

fn new_operation(env: &Environment, kind: &str, p: &Policy, caller: &Caller, now: DateTime<Utc>) -> OperationRow {
    OperationRow {
        operation_id: new_guid(),
        env_key: env.row.env_key,
        environment_id: env.id().to_string(),
        kind: kind.into(),
        state: "NotStarted".into(),
        policy_id: Some(p.row.policy_id.clone()),
        policy_resource_id: Some(p.row.resource_id.clone()),
        from_generation: Some(env.row.current_generation),
        to_generation: None,
        target: None,
        total: 0,
        processed: 0,
        watermark: 0,
        requested_by: caller.audit_name().to_string(),
        start_time: now,
        end_time: None,
        error_code: None,
        error_message: None,
        lease_owner: None,
        lease_expires: None,
    }
}

/// Phase one of adding, in one transaction: re-check, create the new DEK
/// generation wrapped by the customer key and (escrow) the Microsoft-managed
/// key, disable the environment, record the operation.
fn start_link(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    p: &Policy,
    no_wait: bool,
    now: DateTime<Utc>,
) -> Result<Operation> {
    let mut env = find(db, environment_id)?;
    check_linkable(db, &env, p)?;
    let mut op = new_operation(&env, "Link", p, caller, now);
    if env.row.protector == "BYOK" {
        // 004:146, 440: disabled during the migration, a short downtime: the
        // DEKs are re-wrapped when the operation runs, nothing re-encrypted.
        op.total = db.generations_in_use(env.row.env_key)?.len() as i64;
        env.row.state = DISABLED.into();
        env.row.state_reason =
            Some(format!("{UPDATE_CUSTOMER_MANAGED_KEY}: migrating from BYOK to enterprise policy '{}'", p.row.name));
        env.row.policy_id = Some(p.row.policy_id.clone());
        env.row.link_status = Some("Pending".into());
        db.update_environment(&env.row)?;
        if !no_wait {
            op.state = "Running".into();
            op.lease_owner = Some(LEASE_OWNER.clone());
            op.lease_expires = Some(unix_now() + LEASE_SECONDS);
        }
        db.insert_operation(&op)?;
        return Ok(Operation { row: op });
    }
    let (generation, key) = dek::new_generation(store, db, &env, now)?;
    dek::add_wrap(store, db, &env, generation, &key, &Protector::Mmk, None, now)?;
    let used =
        dek::add_wrap(store, db, &env, generation, &key, &Protector::Cmk { key_id: String::new() }, Some(p), now)?;
    op.to_generation = Some(generation);
    op.target = Some(match used {
        Protector::Cmk { key_id } => key_id,
        other => other.kind().to_string(),
    });
    // Every record predates the generation just made.
    op.total = db.count_records(env.row.env_key)?;
    env.row.state = DISABLED.into();
    env.row.state_reason = Some(format!("{UPDATE_CUSTOMER_MANAGED_KEY}: adding to enterprise policy '{}'", p.row.name));
    env.row.policy_id = Some(p.row.policy_id.clone());
    env.row.link_status = Some("Pending".into());
    db.update_environment(&env.row)?;
    if !no_wait {
        op.state = "Running".into();
        op.lease_owner = Some(LEASE_OWNER.clone());
        op.lease_expires = Some(unix_now() + LEASE_SECONDS);
    }
    db.insert_operation(&op)?;
    Ok(Operation { row: op })
}

/// Whether an operation is the migration of a BYOK environment: a link
/// with no new generation.
fn is_byok_migration(op: &OperationRow) -> bool {
    op.kind == "Link" && op.to_generation.is_none()
}

/// Runs the migration of a BYOK environment, in one transaction: its DEKs
/// are re-wrapped by the customer key, with no re-encryption; the BYOK
/// wraps stay (the BYOK key must stay available 28 days); the environment,
/// disabled since the operation started, is enabled again.
fn migrate_from_byok(store: &Store, db: &Db, operation_id: &str, now: DateTime<Utc>) -> Result<Operation> {
    let mut op = db.operation(operation_id)?.ok_or_else(|| Error::not_found("Operation", operation_id))?;
    let mut env = Environment {
        row: db.environment_by_key(op.env_key)?.ok_or_else(|| Error::not_found("Environment", &op.environment_id))?,
    };
    let policy_id = op.policy_id.clone().unwrap_or_default();
    let p = Policy { row: db.policy(&policy_id)?.ok_or_else(|| Error::not_found("Enterprise policy", &policy_id))? };
    check_policy_key(db, &p, now)?;
    let generations = db.generations_in_use(env.row.env_key)?;
    let mut used_key = String::new();
    for g in generations.iter().copied().chain(std::iter::once(env.row.current_generation)) {
        let key = dek::dek(store, db, &env, g, now)?;
        if let Protector::Cmk { key_id } =
            dek::add_wrap(store, db, &env, g, &key, &Protector::Cmk { key_id: String::new() }, Some(&p), now)?
        {
            used_key = key_id;
        }
    }
    env.row.protector = "CMK".into();
    env.row.link_status = Some("Linked".into());
    env.row.linked_time = Some(now);
    env.row.byok_migrated_time = Some(now);
    env.row.state = READY.into();
    env.row.state_reason = None;
    db.update_environment(&env.row)?;
    // Flows and connections follow as in any add: protected, except the ones
    // the docs keep on the Microsoft key, each with its reason.
    crate::flows::apply_key_change(store, db, &env, env.row.current_generation, true, now)?;
    db.set_env_key_version(&EnvKeyVersionRow {
        env_key: env.row.env_key,
        key_id: used_key.clone(),
        policy_id: p.row.policy_id.clone(),
        current_from: now,
        current_until: None,
    })?;
    op.state = "Succeeded".into();
    op.target = Some(format!("{used_key} (migrated from BYOK: DEKs re-wrapped, no re-encryption)"));
    op.processed = op.total;
    op.end_time = Some(now);
    op.lease_owner = None;
    op.lease_expires = None;
    db.update_operation(&op)?;
    store.deks.forget(env.id());
    Ok(Operation { row: op })
}

/// `Remove-PpCmkEnvironmentFromEnterprisePolicy`: returns the environment's
/// data to the Microsoft-managed key. Returns the operations and a warning.
pub fn remove(
    store: &Store,
    caller: &Caller,
    environment_id: &str,
    policy_resource_id: &str,
    no_wait: bool,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Operation, String)> {
    require_admin(caller, "remove environments from an enterprise policy")?;
    let op = store.write(|db| start_unlink(store, db, caller, environment_id, policy_resource_id, no_wait, now))?;
    let warning = format!(
        "Do not delete or disable the key, delete or disable the key vault, or remove the enterprise policy's permissions to the key vault until {}: backups taken under the key need it for database restoration. You may delete and remove the enterprise policy's permissions after 30 days.",
        crate::time::to_display(now + Duration::days(30))
    );
    if no_wait || op.is_done() {
        return Ok((op, warning));
    }
    Ok((run(store, &op.row.operation_id, now, progress)?, warning))
}

fn start_unlink(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    policy_resource_id: &str,
    no_wait: bool,
    now: DateTime<Utc>,
) -> Result<Operation> {
    let mut env = find(db, environment_id)?;
    let p = policy::find(db, policy_resource_id)?;
    policy::require_reader(db, caller, &p)?;
    if env.row.policy_id.as_deref() != Some(p.row.policy_id.as_str()) {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!(
                "Given policy '{}' is not the customer-managed key policy of environment '{}'.",
                p.row.resource_id,
                env.name()
            ),
        )
        .with_target(policy_resource_id.to_string()));
    }
    if let Some(op) = db.running_operation(env.row.env_key)? {
        return Err(operation_in_progress(&env, &op.operation_id));
    }
    let mut op = new_operation(&env, "Unlink", &p, caller, now);
    if env.row.link_status.as_deref() == Some("Failed") {
        // The add never completed: the data is already on the Microsoft-managed key.
        env.row.policy_id = None;
        env.row.link_status = None;
        db.update_environment(&env.row)?;
        op.state = "Succeeded".into();
        op.target = Some("MMK (the failed add is cleared; no data was under the customer key)".into());
        op.end_time = Some(now);
        db.insert_operation(&op)?;
        return Ok(Operation { row: op });
    }
    env.require_ready()?;
    if let Some(migrated) = env.row.byok_migrated_time {
        let until = migrated + Duration::days(7);
        if now < until {
            return Err(Error::new(
                ErrorCode::InvalidOperation,
                format!(
                    "Environment '{}' was migrated from BYOK on {}; it cannot be reverted to the Microsoft-managed key for 7 days (until {}).",
                    env.name(),
                    crate::time::to_display(migrated),
                    crate::time::to_display(until)
                ),
            ));
        }
    }
    let (generation, key) = dek::new_generation(store, db, &env, now)?;
    dek::add_wrap(store, db, &env, generation, &key, &Protector::Mmk, None, now)?;
    dek::add_wrap(store, db, &env, generation, &key, &Protector::Cmk { key_id: String::new() }, Some(&p), now)?;
    op.to_generation = Some(generation);
    op.target = Some("MMK".into());
    // Every record predates the generation just made.
    op.total = db.count_records(env.row.env_key)?;
    env.row.state = DISABLED.into();
    env.row.state_reason =
        Some(format!("{UPDATE_CUSTOMER_MANAGED_KEY}: removing from enterprise policy '{}'", p.row.name));
    db.update_environment(&env.row)?;
    if !no_wait {
        op.state = "Running".into();
        op.lease_owner = Some(LEASE_OWNER.clone());
        op.lease_expires = Some(unix_now() + LEASE_SECONDS);
    }
    db.insert_operation(&op)?;
    Ok(Operation { row: op })
}

/// `Switch-PpCmkEnvironmentEnterprisePolicy`: the documented key change —
/// remove from the current policy, then add to the new one (two downtimes).
pub fn switch(
    store: &Store,
    caller: &Caller,
    environment_id: &str,
    new_policy_resource_id: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Vec<Operation>, String)> {
    let current = {
        let db = store.db()?;
        let env = find(&db, environment_id)?;
        let policy_id = env.row.policy_id.clone().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidOperation,
                format!("Environment '{}' has no enterprise policy to switch from; add it to one.", env.name()),
            )
        })?;
        let current = db.policy(&policy_id)?.ok_or_else(|| Error::not_found("Enterprise policy", &policy_id))?;
        let next = policy::find(&db, new_policy_resource_id)?;
        if next.row.policy_id == current.policy_id {
            return Err(Error::conflict("The environment already uses this enterprise policy."));
        }
        current
    };
    let (removed, warning) = remove(store, caller, environment_id, &current.resource_id, false, now, progress)?;
    let added = add(store, caller, &[environment_id.to_string()], new_policy_resource_id, false, now, progress)?;
    let mut ops = vec![removed];
    ops.extend(added);
    Ok((ops, warning))
}

/// `Resume-PpCmkOperation`: continues a queued or interrupted operation.
pub fn resume(
    store: &Store,
    caller: &Caller,
    operation_id: &str,
    max_records: Option<i64>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Operation> {
    require_admin(caller, "resume environment operations")?;
    let op = store.db()?.operation(operation_id)?.ok_or_else(|| Error::not_found("Operation", operation_id))?;
    if (Operation { row: op.clone() }).is_done() {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Operation {operation_id} already ended ({}).", op.state),
        ));
    }
    run_for(store, operation_id, max_records, now, progress)
}

/// Operations that can be resumed now: queued, or running with no live holder.
pub fn resumable(db: &Db) -> Result<Vec<Operation>> {
    Ok(db
        .operations(None)?
        .into_iter()
        .map(|row| Operation { row })
        .filter(|o| o.row.state == "NotStarted" || o.interrupted())
        .collect())
}

/// Takes the operation's lease, or refuses while another process holds it.
fn acquire(db: &Db, operation_id: &str) -> Result<OperationRow> {
    let mut op = db.operation(operation_id)?.ok_or_else(|| Error::not_found("Operation", operation_id))?;
    let held_elsewhere = op.state == "Running"
        && op.lease_owner.as_deref() != Some(LEASE_OWNER.as_str())
        && holder_alive(op.lease_owner.as_deref(), op.lease_expires);
    if held_elsewhere {
        return Err(Error::new(
            ErrorCode::OperationInProgress,
            format!(
                "Operation {operation_id} is running in another process ({}).",
                op.lease_owner.clone().unwrap_or_default()
            ),
        ));
    }
    if !matches!(op.state.as_str(), "NotStarted" | "Running") {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Operation {operation_id} already ended ({}).", op.state),
        ));
    }
    op.state = "Running".into();
    op.lease_owner = Some(LEASE_OWNER.clone());
    op.lease_expires = Some(unix_now() + LEASE_SECONDS);
    db.update_operation(&op)?;
    if let (true, Some(target)) = (op.kind == "Link", op.to_generation) {
        enable_during_encryption(db, &op, target)?;
    }
    Ok(op)
}

/// The end of an add's short disable: the environment is enabled again and
/// new writes go under the new generation while the records are
/// re-encrypted in the background. In the lease's transaction, so a crash
/// leaves it either still disabled (and the resume enables it) or enabled.
fn enable_during_encryption(db: &Db, op: &OperationRow, target: i64) -> Result<()> {
    let Some(row) = db.environment_by_key(op.env_key)? else { return Ok(()) };
    let mut env = Environment { row };
    if env.row.state == DISABLED && env.row.link_status.as_deref() == Some("Pending") {
        env.row.state = READY.into();
        env.row.state_reason = None;
        env.row.current_generation = target;
        db.update_environment(&env.row)?;
    }
    Ok(())
}

/// Runs an operation from where it stands to its end: the re-encryption
/// batches, then success — or, on any error, the return to the previous key.
pub fn run(
    store: &Store,
    operation_id: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Operation> {
    run_for(store, operation_id, None, now, progress)
}

/// [`run`], re-encrypting at most `max_records` records now: the rest is
/// left for a later resume, the operation Running with no holder, as the
/// service leaves it running in the background for up to days (002:412).
pub fn run_for(
    store: &Store,
    operation_id: &str,
    max_records: Option<i64>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Operation> {
    if let Some(n) = max_records.filter(|n| *n < 1) {
        return Err(Error::invalid(format!("-MaxRecords must be at least 1, not {n}.")));
    }
    let op = store.write(|db| acquire(db, operation_id))?;
    if is_byok_migration(&op) {
        return match store.write(|db| migrate_from_byok(store, db, &op.operation_id, now)) {
            Ok(done) => Ok(done),
            Err(error) => {
                store.write(|db| fail(db, &op.operation_id, &error, now))?;
                Err(error)
            }
        };
    }
    match reencrypt(store, &op, max_records, now, progress) {
        Ok(true) => store.write(|db| succeed(store, db, &op.operation_id, now)),
        Ok(false) => store.write(|db| pause(db, &op.operation_id)),
        Err(error) => {
            store.write(|db| fail(db, &op.operation_id, &error, now))?;
            Err(error)
        }
    }
}

/// Leaves a Running operation for a later resume: no process holds it.
fn pause(db: &Db, operation_id: &str) -> Result<Operation> {
    let mut op = db.operation(operation_id)?.ok_or_else(|| Error::not_found("Operation", operation_id))?;
    op.lease_owner = None;
    op.lease_expires = None;
    db.update_operation(&op)?;
    Ok(Operation { row: op })
}

/// Records per re-encryption batch at most; a batch also ends once it holds
/// [`BATCH_BYTES`] of sealed values. Each batch is one transaction: large
/// enough that its commit and per-batch checks cost little per record, small
/// enough that the few batches in flight keep memory flat.
const BATCH_RECORDS: i64 = 4096;
const BATCH_BYTES: usize = 4 << 20;

/// A sealed value's first bytes, its format byte and nonce: unique to each
/// sealing, so a write can check that the row still holds what was read.
const SEALED_PREFIX: usize = 13;

/// Re-encrypts every record below the target generation under it, or as
/// many as `max_records` allows: true when none is left.
///
/// A pipeline: a reader thread walks the records on its own connection and
/// re-seals each batch (on every core but the caller's), while the calling
/// thread writes the batch before it, each batch in one transaction with
/// the operation's watermark. Reading ahead outside the writing transaction
/// is safe because each write checks that the row still holds the value
/// that was read (generation and nonce), and re-encrypts what it holds now
/// otherwise; during an add, other writers write under the target anyway.
fn reencrypt(
    store: &Store,
    op: &OperationRow,
    max_records: Option<i64>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<bool> {
    let target = op.to_generation.ok_or_else(|| Error::internal("operation without a target generation"))?;
    let (policy, env, range) = {
        let db = store.db()?;
        let policy = op.policy_id.as_deref().and_then(|id| db.policy(id).ok().flatten()).map(|row| Policy { row });
        let env =
            db.environment_by_key(op.env_key)?.ok_or_else(|| Error::not_found("Environment", &op.environment_id))?;
        (policy, Environment { row: env }, db.record_id_range(op.env_key)?)
    };
    let Some((first_id, last_id)) = range else { return Ok(true) };
    let target_key = store.write(|db| dek::dek(store, db, &env, target, now))?;
    let mut run = Run {
        store,
        op,
        env: &env,
        target,
        target_key: &target_key,
        policy: policy.as_ref(),
        last_id,
        processed: op.processed,
        now,
    };
    let budget_end = max_records.map(|n| op.processed.saturating_add(n));
    loop {
        let watermark = store.db()?.operation(&op.operation_id)?.map_or(0, |o| o.watermark).max(first_id - 1);
        // How many records this pipeline may walk: it walks at least as many
        // as it re-encrypts, so the budget and an armed fault are never overrun.
        let mut cap = None;
        if let Some(end) = budget_end {
            if run.processed >= end {
                // Done anyway when nothing is left to walk.
                return Ok(store.db()?.records_after(op.env_key, watermark, last_id, 1)?.is_empty());
            }
            cap = Some(end - run.processed);
        }
        if let Some(left) = run.fault_left()? {
            cap = Some(cap.map_or(left, |c: i64| c.min(left)));
        }
        if run.pipeline(watermark, cap, progress)? {
            return Ok(true);
        }
    }
}

/// What one re-encryption needs throughout, fetched once.
struct Run<'a> {
    store: &'a Store,
    op: &'a OperationRow,
    env: &'a Environment,
    target: i64,
    target_key: &'a SymmetricKey,
    policy: Option<&'a Policy>,
    last_id: i64,
    /// Records re-encrypted so far, as committed.
    processed: i64,
    now: DateTime<Utc>,
}

/// One batch being re-encrypted, in buffers reused from batch to batch.
#[derive(Default)]
struct Batch {
    /// The stale records walked (those already under the target are skipped).
    slots: Vec<Slot>,
    /// Their sealed values back to back: as read, then re-sealed in place.
    data: Vec<u8>,
    /// Their table names and record ids back to back (for the AAD).
    text: String,
    /// The last record id walked: the watermark once the batch commits.
    last_id: i64,
}

struct Slot {
    id: i64,
    generation: i64,
    prefix: [u8; SEALED_PREFIX],
    sealed: std::ops::Range<usize>,
    table: std::ops::Range<usize>,
    record: std::ops::Range<usize>,
}

/// What the reader hands the writer.
enum Ahead {
    Batch(Batch),
    /// The walk reached the last record (true) or its cap (false).
    End(bool),
}

impl Run<'_> {
    /// How many more records an armed `Set-PpCmkFault EnvironmentEncryption`
    /// lets through; refuses (and disarms it) when none.
    fn fault_left(&self) -> Result<Option<i64>> {
        let Some(after) = self.store.db()?.fault(FAULT_ENVIRONMENT_ENCRYPTION)? else { return Ok(None) };
        let left = after - self.processed;
        if left <= 0 {
            self.store.write(|db| db.clear_fault(FAULT_ENVIRONMENT_ENCRYPTION))?;
            return Err(Error::new(
                ErrorCode::FaultInjected,
                format!("Injected fault: the encryption operation stopped after {} records (Set-PpCmkFault -Operation {FAULT_ENVIRONMENT_ENCRYPTION}).", self.processed),
            ));
        }
        Ok(Some(left))
    }

    /// Walks from `watermark` (at most `cap` records) with a reader thread
    /// ahead of the writes: true when the walk reached the last record.
    fn pipeline(&mut self, watermark: i64, cap: Option<i64>, progress: &mut dyn FnMut(Progress)) -> Result<bool> {
        let (ahead_tx, ahead) = std::sync::mpsc::sync_channel::<Result<Ahead>>(1);
        let (spent_tx, spent) = std::sync::mpsc::channel::<Batch>();
        let reader = Reader {
            store: self.store,
            env: self.env,
            target: self.target,
            target_key: self.target_key,
            last_id: self.last_id,
            now: self.now,
        };
        std::thread::scope(|scope| {
            scope.spawn(move || reader.run(watermark, cap, ahead_tx, spent));
            // Owned here, so that an early return drops them before the scope
            // joins the reader: a reader blocked on a full channel then wakes
            // to a closed one and stops, instead of waiting forever.
            let (ahead, spent_tx) = (ahead, spent_tx);
            loop {
                // A closed channel without an end: the reader panicked.
                let batch = match ahead.recv().map_err(|_| Error::internal("the re-encryption reader stopped"))?? {
                    Ahead::Batch(batch) => batch,
                    Ahead::End(reached_last) => return Ok(reached_last),
                };
                let (mut take, mut watermark) = (batch.slots.len(), batch.last_id);
                // A fault armed while the pipeline runs: stop exactly at it.
                if let Some(left) = self.fault_left()? {
                    if (take as i64) > left {
                        take = left as usize;
                        watermark = batch.slots[take - 1].id;
                    }
                }
                // Applying a customer key needs it throughout: a lost access ends the operation.
                if let (Some(p), "Link") = (self.policy, self.op.kind.as_str()) {
                    check_policy_key(&*self.store.db()?, p, self.now)?;
                }
                let (processed, total) = self.write(&batch, take, watermark)?;
                self.processed = processed;
                progress(Progress::new(
                    UPDATE_CUSTOMER_MANAGED_KEY,
                    format!("{}: {processed} of {total} records re-encrypted", self.env.row.display_name),
                    processed as u64,
                    total.max(processed) as u64,
                ));
                if take < batch.slots.len() {
                    return Ok(false); // the next pipeline starts at the fault's check
                }
                let _ = spent_tx.send(batch);
            }
        })
    }

    /// Writes the first `take` records of a batch and the watermark in one
    /// transaction: (records processed, total) as committed.
    fn write(&self, batch: &Batch, take: usize, watermark: i64) -> Result<(i64, i64)> {
        let (store, op, env) = (self.store, self.op, self.env);
        store.write_batch(|db| {
            let mut row =
                db.operation(&op.operation_id)?.ok_or_else(|| Error::not_found("Operation", &op.operation_id))?;
            for slot in &batch.slots[..take] {
                let sealed = &batch.data[slot.sealed.clone()];
                let prefix = &slot.prefix[..SEALED_PREFIX.min(sealed.len())];
                if db.reseal_record(slot.id, slot.generation, prefix, self.target, sealed)? {
                    row.processed += 1;
                    continue;
                }
                // Changed or deleted by another writer since it was read:
                // whatever it holds now is re-encrypted here, if it needs it.
                let Some(r) = db.record_by_id(op.env_key, slot.id)? else { continue };
                if r.generation == self.target {
                    continue;
                }
                let old_key = dek::dek(store, db, env, r.generation, self.now)?;
                let plain =
                    old_key.open(&r.sealed, &dek::record_aad(env, &r.table_name, &r.record_id, r.generation))?;
                let aad = dek::record_aad(env, &r.table_name, &r.record_id, self.target);
                db.update_record(r.id, self.target, &self.target_key.seal(&plain, &aad))?;
                row.processed += 1;
            }
            // The watermark is the last record id this operation has walked;
            // it commits with the batch, so a resumed run starts after it.
            row.watermark = watermark;
            row.lease_expires = Some(unix_now() + LEASE_SECONDS);
            db.update_operation(&row)?;
            Ok((row.processed, row.total))
        })
    }
}

/// The reader side of [`Run::pipeline`]: walks the records on its own
/// connection and re-seals them, a batch ahead of the writer.
struct Reader<'a> {
    store: &'a Store,
    env: &'a Environment,
    target: i64,
    target_key: &'a SymmetricKey,
    last_id: i64,
    now: DateTime<Utc>,
}

impl Reader<'_> {
    fn run(
        self,
        mut after: i64,
        mut cap: Option<i64>,
        ahead: std::sync::mpsc::SyncSender<Result<Ahead>>,
        spent: std::sync::mpsc::Receiver<Batch>,
    ) {
        // The old generations' keys, fetched when a record first needs one.
        let mut keys: Vec<(i64, SymmetricKey)> = Vec::new();
        let db = match self.store.db() {
            Ok(db) => db,
            Err(e) => return drop(ahead.send(Err(e))),
        };
        let _ = db.set_walk_cache(true);
        loop {
            let mut batch = spent.try_recv().unwrap_or_default();
            let read = self.read(&db, &mut batch, after, cap.map_or(BATCH_RECORDS, |c| c.min(BATCH_RECORDS)));
            let message = match read {
                Ok(0) => Ok(Ahead::End(cap.is_none_or(|c| c > 0))),
                Ok(walked) => {
                    after = batch.last_id;
                    cap = cap.map(|c| c - walked);
                    self.reseal(&mut batch, &mut keys).map(|()| Ahead::Batch(batch))
                }
                Err(e) => Err(e),
            };
            let stop = !matches!(message, Ok(Ahead::Batch(_)));
            // The writer gone (it failed) or the walk over: nothing more to do.
            if ahead.send(message).is_err() || stop {
                break;
            }
        }
        let _ = db.set_walk_cache(false);
    }

    /// Fills `batch` with up to `limit` records after `after`: how many it walked.
    fn read(&self, db: &Db, batch: &mut Batch, after: i64, limit: i64) -> Result<i64> {
        batch.slots.clear();
        batch.data.clear();
        batch.text.clear();
        if limit <= 0 {
            return Ok(0);
        }
        db.walk_records_after(self.env.row.env_key, after, self.last_id, limit, |r| {
            batch.last_id = r.id;
            if r.generation != self.target {
                let mut prefix = [0u8; SEALED_PREFIX];
                let n = SEALED_PREFIX.min(r.sealed.len());
                prefix[..n].copy_from_slice(&r.sealed[..n]);
                let (data, text) = (batch.data.len(), batch.text.len());
                batch.data.extend_from_slice(r.sealed);
                batch.text.push_str(r.table_name);
                batch.text.push_str(r.record_id);
                batch.slots.push(Slot {
                    id: r.id,
                    generation: r.generation,
                    prefix,
                    sealed: data..batch.data.len(),
                    table: text..text + r.table_name.len(),
                    record: text + r.table_name.len()..batch.text.len(),
                });
            }
            batch.data.len() < BATCH_BYTES
        })
    }

    /// Re-seals every record of the batch in place, spread over the cores
    /// the writer leaves (at least this thread).
    fn reseal(&self, batch: &mut Batch, keys: &mut Vec<(i64, SymmetricKey)>) -> Result<()> {
        for slot in &batch.slots {
            if slot.generation != self.target && !keys.iter().any(|(g, _)| *g == slot.generation) {
                let key = self.store.write(|db| dek::dek(self.store, db, self.env, slot.generation, self.now))?;
                keys.push((slot.generation, key));
            }
        }
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).saturating_sub(1).clamp(1, 8);
        let Batch { slots, data, text, .. } = batch;
        let (slots, text, keys) = (&slots[..], &text[..], &keys[..]);
        let reseal = |slots: &[Slot], data: &mut [u8], base: usize| -> Result<()> {
            let (mut from_aad, mut to_aad) = (Vec::new(), Vec::new());
            Resealer::run(|resealer| {
                for s in slots {
                    let old_key = &keys.iter().find(|(g, _)| *g == s.generation).expect("fetched above").1;
                    let (table, record) = (&text[s.table.clone()], &text[s.record.clone()]);
                    dek::record_aad_into(&mut from_aad, self.env, table, record, s.generation);
                    dek::record_aad_into(&mut to_aad, self.env, table, record, self.target);
                    let blob = &mut data[s.sealed.start - base..s.sealed.end - base];
                    resealer.reseal_in_place(blob, old_key, &from_aad, self.target_key, &to_aad)?;
                }
                Ok(())
            })
        };
        if workers == 1 || slots.len() < 64 {
            return reseal(slots, data, 0);
        }
        std::thread::scope(|scope| {
            let mut rest: &mut [u8] = data;
            let mut base = 0;
            let mut handles = Vec::new();
            for part in slots.chunks(slots.len().div_ceil(workers)) {
                let end = part.last().expect("chunks are not empty").sealed.end;
                let (mine, tail) = std::mem::take(&mut rest).split_at_mut(end - base);
                rest = tail;
                let start = base;
                base = end;
                handles.push(scope.spawn(move || reseal(part, mine, start)));
            }
            handles
                .into_iter()
                .try_for_each(|h| h.join().map_err(|_| Error::internal("a re-encryption worker panicked"))?)
        })
    }
}

/// The policy identity's access to its key, without a cryptographic call.
fn check_policy_key(db: &Db, p: &Policy, now: DateTime<Utc>) -> Result<()> {
    let vault = p.vault(db).map_err(|e| Error::new(ErrorCode::KeyVaultAccessDenied, e.message))?;
    let who = p.requester(db)?;
    for op in [access::KeyOp::WrapKey, access::KeyOp::UnwrapKey] {
        access::authorize(db, &vault, Some(&p.row.key_name), &who, op)?;
    }
    // Wrapping is what a link needs from the key: an expired (or not yet
    // active) version still unwraps, but no longer wraps.
    for op in [access::KeyOp::WrapKey, access::KeyOp::UnwrapKey] {
        keys::check_usable_now(db, &vault, &p.row.key_name, p.row.key_version.as_deref(), op, now)?;
    }
    Ok(())
}

/// Generations nothing uses any more lose their DEK for good.
fn drop_unused_generations(db: &Db, env: &Environment, keep: i64) -> Result<()> {
    let in_use = db.generations_in_use(env.row.env_key)?;
    for g in db.dek_generations(env.row.env_key)? {
        if g != keep && !in_use.contains(&g) {
            db.delete_dek_generation(env.row.env_key, g)?;
        }
    }
    Ok(())
}

fn succeed(store: &Store, db: &Db, operation_id: &str, now: DateTime<Utc>) -> Result<Operation> {
    let mut op = db.operation(operation_id)?.ok_or_else(|| Error::not_found("Operation", operation_id))?;
    let mut env = Environment {
        row: db.environment_by_key(op.env_key)?.ok_or_else(|| Error::not_found("Environment", &op.environment_id))?,
    };
    let target = op.to_generation.unwrap_or(env.row.current_generation);
    if op.kind == "Link" {
        dek::drop_wraps(db, &env, target, "MMK")?;
        let key_id = db
            .dek_wraps(env.row.env_key)?
            .into_iter()
            .find(|w| w.generation == target && w.protector == "CMK")
            .map(|w| w.key_id)
            .ok_or_else(|| Error::internal("the new generation has no customer-key wrap"))?;
        env.row.protector = "CMK".into();
        env.row.link_status = Some("Linked".into());
        env.row.linked_time = Some(now);
        db.set_env_key_version(&EnvKeyVersionRow {
            env_key: env.row.env_key,
            key_id,
            policy_id: op.policy_id.clone().unwrap_or_default(),
            current_from: now,
            current_until: None,
        })?;
    } else {
        dek::drop_wraps(db, &env, target, "CMK")?;
        env.row.protector = "MMK".into();
        env.row.previous_policy_id = env.row.policy_id.take();
        env.row.link_status = None;
        env.row.unlinked_time = Some(now);
        db.close_env_key_versions(env.row.env_key, now)?;
    }
    env.row.state = READY.into();
    env.row.state_reason = None;
    env.row.current_generation = target;
    db.update_environment(&env.row)?;
    crate::flows::apply_key_change(store, db, &env, target, op.kind == "Link", now)?;
    drop_unused_generations(db, &env, target)?;
    op.state = "Succeeded".into();
    op.end_time = Some(now);
    op.lease_owner = None;
    op.lease_expires = None;
    db.update_operation(&op)?;
    store.deks.forget(env.id());
    Ok(Operation { row: op })
}

/// Returns the environment to the key it had: the new generation keeps only
/// the previous protector's wrap, and every record stays readable.
fn fail(db: &Db, operation_id: &str, error: &Error, now: DateTime<Utc>) -> Result<()> {
    let Some(mut op) = db.operation(operation_id)? else { return Ok(()) };
    if let Some(row) = db.environment_by_key(op.env_key)? {
        let mut env = Environment { row };
        let target = op.to_generation.unwrap_or(env.row.current_generation);
        if op.kind == "Link" {
            dek::drop_wraps(db, &env, target, "CMK")?;
            // A failed BYOK migration leaves the environment on its BYOK key.
            if env.row.protector != "BYOK" {
                env.row.protector = "MMK".into();
            }
            env.row.link_status = Some("Failed".into());
        } else {
            dek::drop_wraps(db, &env, target, "MMK")?;
            env.row.protector = "CMK".into();
            env.row.link_status = Some("Linked".into());
            if let Some(w) =
                db.dek_wraps(env.row.env_key)?.into_iter().find(|w| w.generation == target && w.protector == "CMK")
            {
                db.close_env_key_versions(env.row.env_key, now)?;
                db.set_env_key_version(&EnvKeyVersionRow {
                    env_key: env.row.env_key,
                    key_id: w.key_id,
                    policy_id: op.policy_id.clone().unwrap_or_default(),
                    current_from: now,
                    current_until: None,
                })?;
            }
        }
        env.row.state = READY.into();
        env.row.state_reason = None;
        env.row.current_generation = target;
        db.update_environment(&env.row)?;
    }
    op.state = "Failed".into();
    op.end_time = Some(now);
    op.error_code = Some(error.code.as_str().to_string());
    op.error_message = Some(error.message.clone());
    op.lease_owner = None;
    op.lease_expires = None;
    db.update_operation(&op)
}
