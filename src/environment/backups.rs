//! Backups and the documentation's "Environment database operations":
//! restore (to the same environment, or one encrypted with the same customer
//! key), copy (to an environment encrypted with the same customer key), and
//! reset (data and backups deleted, back to the Microsoft-managed key).
//!
//! A backup keeps its records sealed exactly as they were, under the DEK
//! generations of the moment; restoring needs those DEKs, hence the key
//! versions that wrapped them.

use super::dek::{self, Protector};
use super::records::BATCH;
use super::{find, require_admin, Environment, LOCKED, READY};
use crate::crypto::new_guid;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::progress::Progress;
use crate::store::{BackupRow, Db, RecordRow, Store};
use chrono::{DateTime, Utc};

fn refuse_unless_usable(db: &Db, env: &Environment) -> Result<()> {
    if let Some(op) = db.running_operation(env.row.env_key)? {
        return Err(super::operation_in_progress(env, &op.operation_id));
    }
    env.require_ready()
}

/// The key identifier protecting the environment's current generation (for CMK).
fn current_key_id(db: &Db, env: &Environment) -> Result<Option<String>> {
    Ok(db.env_key_versions(env.row.env_key)?.into_iter().find(|v| v.current_until.is_none()).map(|v| v.key_id))
}

/// `Backup-PowerAppEnvironment`: copies the sealed records as they are.
pub fn backup(db: &Db, caller: &Caller, environment_id: &str, label: &str, now: DateTime<Utc>) -> Result<BackupRow> {
    require_admin(caller, "back up environments")?;
    let env = find(db, environment_id)?;
    refuse_unless_usable(db, &env)?;
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(Error::invalid("A backup label needs 1-200 characters."));
    }
    let mut row = BackupRow {
        backup_id: new_guid(),
        env_key: env.row.env_key,
        label: label.to_string(),
        created_time: now,
        protector: env.row.protector.clone(),
        key_id: if env.row.protector == "CMK" { current_key_id(db, &env)? } else { None },
        record_count: 0,
    };
    db.insert_backup(&row)?;
    row.record_count = db.copy_records_to_backup(env.row.env_key, &row.backup_id)?;
    db.set_backup_record_count(&row.backup_id, row.record_count)?;
    Ok(row)
}

pub fn list(db: &Db, caller: &Caller, environment_id: &str) -> Result<Vec<BackupRow>> {
    require_admin(caller, "list backups")?;
    let env = find(db, environment_id)?;
    db.backups(env.row.env_key)
}

/// Whether two environments are encrypted with the same customer key (same vault and key).
fn same_customer_key(db: &Db, a: &Environment, b: &Environment) -> Result<bool> {
    let key_of = |e: &Environment| -> Result<Option<(String, String)>> {
        if e.row.protector != "CMK" || !e.is_linked() {
            return Ok(None);
        }
        let Some(id) = &e.row.policy_id else { return Ok(None) };
        Ok(db.policy(id)?.map(|p| (p.key_vault_id.to_ascii_lowercase(), p.key_name.to_ascii_lowercase())))
    };
    Ok(matches!((key_of(a)?, key_of(b)?), (Some(x), Some(y)) if x == y))
}

/// Re-seals records from `source` into `target`'s current generation,
/// replacing the target's records. One transaction: all or nothing.
#[allow(clippy::too_many_arguments)] // the store handles, the subject, its parameters and the clock
fn replace_records(
    store: &Store,
    db: &Db,
    source: &Environment,
    target: &Environment,
    mut next_page: impl FnMut(&Db, i64) -> Result<Vec<RecordRow>>,
    total: i64,
    activity: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<i64> {
    db.delete_records(target.row.env_key)?;
    let target_key = dek::dek(store, db, target, target.row.current_generation, now)?;
    let (mut after, mut copied) = (0i64, 0i64);
    loop {
        let page = next_page(db, after)?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            let key = dek::dek(store, db, source, r.generation, now).map_err(|e| {
                Error::new(
                    e.code,
                    format!(
                        "The data was encrypted under DEK generation {} of '{}', whose key is no longer available: {} Restore needs the key and the enterprise policy's access to it (keep them 30 days after removing a policy).",
                        r.generation,
                        source.name(),
                        e.message
                    ),
                )
            })?;
            let plain = key.open(&r.sealed, &dek::record_aad(source, &r.table_name, &r.record_id, r.generation))?;
            let sealed = target_key
                .seal(&plain, &dek::record_aad(target, &r.table_name, &r.record_id, target.row.current_generation));
            db.insert_record(target.row.env_key, &r.table_name, &r.record_id, target.row.current_generation, &sealed)?;
            after = r.id;
        }
        copied += page.len() as i64;
        progress(Progress::new(
            activity,
            format!("{copied} of {total} records into '{}'", target.name()),
            copied as u64,
            total as u64,
        ));
    }
    Ok(copied)
}

/// `Restore-PowerAppEnvironment`: the backup's data replaces the target's.
#[allow(clippy::too_many_arguments)]
pub fn restore(
    store: &Store,
    db: &Db,
    caller: &Caller,
    source_id: &str,
    target_id: &str,
    backup_id: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<i64> {
    require_admin(caller, "restore environments")?;
    let source = find(db, source_id)?;
    let target = find(db, target_id)?;
    let backup = db.backup(backup_id)?.filter(|b| b.env_key == source.row.env_key).ok_or_else(|| {
        Error::new(ErrorCode::NotFound, format!("Environment '{}' has no backup '{backup_id}'.", source.name()))
            .with_target(backup_id)
    })?;
    if source.row.state == LOCKED {
        source.require_ready()?;
    }
    refuse_unless_usable(db, &target)?;
    let customer_key = backup.protector == "CMK" || source.row.protector == "CMK";
    if customer_key && source.row.env_key != target.row.env_key && !same_customer_key(db, &source, &target)? {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!(
                "Backup '{}' of '{}' is encrypted with a customer-managed key: it can be restored only to the same environment or to another environment encrypted with the same customer-managed key; '{}' is not.",
                backup.label,
                source.name(),
                target.name()
            ),
        ));
    }
    let total = backup.record_count;
    replace_records(
        store,
        db,
        &source,
        &target,
        |db, after| db.backup_records_page(backup_id, after, BATCH),
        total,
        "Restore environment",
        now,
        progress,
    )
}

/// `Copy-PowerAppEnvironment`: the source's current data replaces the target's.
pub fn copy(
    store: &Store,
    db: &Db,
    caller: &Caller,
    source_id: &str,
    target_id: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<i64> {
    require_admin(caller, "copy environments")?;
    let source = find(db, source_id)?;
    let target = find(db, target_id)?;
    if source.row.env_key == target.row.env_key {
        return Err(Error::invalid("An environment cannot be copied onto itself."));
    }
    refuse_unless_usable(db, &source)?;
    refuse_unless_usable(db, &target)?;
    if source.row.protector == "CMK" && !same_customer_key(db, &source, &target)? {
        if target.row.sku == super::SUPPORT_INVESTIGATION {
            // 002:507, in the documentation's words.
            return Err(Error::new(
                ErrorCode::InvalidOperation,
                format!(
                    "'{}' is a Support Investigation environment created to resolve a support issue in customer-managed environment '{}': the encryption key for the Support Investigation environment must be changed to the customer-managed key before the Copy environment operation can be performed (add it to the enterprise policy of '{}').",
                    target.name(),
                    source.name(),
                    source.name()
                ),
            ));
        }
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!(
                "'{}' is encrypted with a customer-managed key: it can be copied only to another environment encrypted with the same customer-managed key; '{}' is not.",
                source.name(),
                target.name()
            ),
        ));
    }
    let total = super::data_stats(db, &source)?.records;
    replace_records(
        store,
        db,
        &source,
        &target,
        |db, after| db.records_page(source.row.env_key, None, after, BATCH),
        total,
        "Copy environment",
        now,
        progress,
    )
}

/// `Reset-PowerAppEnvironment`: deletes the data (records, flows and their
/// runs, connections) and the backups; the
/// environment's encryption reverts to the Microsoft-managed key.
pub fn reset(store: &Store, db: &Db, caller: &Caller, environment_id: &str, now: DateTime<Utc>) -> Result<Environment> {
    require_admin(caller, "reset environments")?;
    let mut env = find(db, environment_id)?;
    refuse_unless_usable(db, &env)?;
    db.delete_records(env.row.env_key)?;
    db.delete_backups(env.row.env_key)?;
    db.delete_power_automate_data(env.row.env_key)?;
    let (generation, key) = dek::new_generation(store, db, &env, now)?;
    dek::add_wrap(store, db, &env, generation, &key, &Protector::Mmk, None, now)?;
    for g in db.dek_generations(env.row.env_key)? {
        if g != generation {
            db.delete_dek_generation(env.row.env_key, g)?;
        }
    }
    db.close_env_key_versions(env.row.env_key, now)?;
    if env.row.policy_id.is_some() {
        env.row.previous_policy_id = env.row.policy_id.take();
        env.row.unlinked_time = Some(now);
    }
    env.row.link_status = None;
    env.row.protector = "MMK".into();
    env.row.byok_migrated_time = None;
    env.row.current_generation = generation;
    env.row.state = READY.into();
    db.update_environment(&env.row)?;
    store.deks.forget(env.id());
    Ok(env)
}
