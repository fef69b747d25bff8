//! Time-based actions: purges when retention ends, key rotations that come
//! due, the service's health checks of customer-key environments (lock,
//! re-enable, re-wrap after a key rotation, deletion of environments locked
//! too long), and — when run explicitly — operations waiting to resume.
//!
//! The engine runs whatever is due before each command, so advancing the
//! clock or revoking access takes effect on the next command;
//! `Invoke-PpCmkMaintenance` also resumes queued or interrupted operations.
//!
//! Each item (a vault or key to purge, a key to rotate, an environment to
//! check) runs in its own savepoint: one that fails is rolled back alone,
//! reported as a failed event (audited with its error code), and skipped, so
//! one broken object cannot stop every command. Only a failure of the pass
//! itself (the store unreadable or busy) fails the command, and even then
//! the clock commands still run: [`ALWAYS_AVAILABLE`].

use super::{health, operations};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::keyvault;
use crate::progress::Progress;
use crate::store::Store;
use chrono::{DateTime, Utc};

/// The command that runs maintenance itself and reports it; the engine does
/// not run it ahead of this one.
pub const COMMAND: &str = "Invoke-PpCmkMaintenance";

/// Commands that run even when the maintenance ahead of them fails: the
/// clock must stay readable, and resettable, whatever the state it implies.
pub const ALWAYS_AVAILABLE: &[&str] = &["Get-PpCmkClock", "Set-PpCmkClock"];

/// The data version at which the due-maintenance check last found nothing
/// due, when `store` is bootstrapped, knows the clock at that version, and
/// the clock has not reached the next instant something can come due: a
/// command that changes no state then confirms the version inside its own
/// transaction instead of reading it first (one read transaction less per
/// call, `engine::invoke`).
pub fn quiet_version(store: &Store) -> Option<i64> {
    if !store.bootstrapped.load(std::sync::atomic::Ordering::Acquire) {
        return None;
    }
    let version = store.quiet_record()?.0;
    let now = crate::clock::at_offset(store.clock_offset_at(version)?);
    store.quiet(version, now).then_some(version)
}

/// Runs the actions due at `now`. Free when nothing was committed since the
/// last check found nothing due and the clock has not reached the next
/// instant something can come due (one `PRAGMA data_version`); otherwise a
/// few indexed reads, and the write lock only when something is due. With
/// `explicit`, also resumes queued and interrupted operations (which may take long).
/// `version` is the store's data version, read before `now`: a commit after
/// it, by any connection or process, makes the next check run in full.
pub fn run(
    store: &Store,
    version: i64,
    now: DateTime<Utc>,
    explicit: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<Event>> {
    if !explicit && store.quiet(version, now) {
        return Ok(Vec::new());
    }
    let (key_vault_due, health_due, quiet_until, resumable) = {
        let db = store.db()?;
        let next_key_vault_event = keyvault::next_due(&db)?;
        let health_due = !health::pending(&db, now)?.is_empty();
        let next_health_change = health::next_change(&db, now)?;
        (
            next_key_vault_event.is_some_and(|t| t <= now),
            health_due,
            [next_key_vault_event, next_health_change].into_iter().flatten().min(),
            if explicit { operations::resumable(&db)? } else { Vec::new() },
        )
    };
    let mut events = Vec::new();
    if !key_vault_due && !health_due {
        store.set_quiet(version, quiet_until);
    }
    if key_vault_due || health_due {
        events = store.write(|db| {
            let mut events = keyvault::run_due(store, db, now)?;
            let service = health::apply(store, db, now)?;
            for e in &service {
                audit::append(db, &e.audit_entry("Power Platform", "PowerPlatform"))?;
            }
            events.extend(service);
            Ok(events)
        })?;
        // Purged keys' sealed pages are overwritten (secure_delete) in the
        // database, but older copies of those pages stay in the WAL until a
        // checkpoint: fold it in and truncate it now.
        if events.iter().any(Event::is_purge) {
            store.db()?.checkpoint_after_purge();
        }
    }
    for op in resumable {
        let (action, detail) = match operations::run(store, &op.row.operation_id, now, progress) {
            Ok(done) => (
                "ResumeOperation",
                format!("{} of environment {} {}", done.name(), done.row.environment_id, done.row.state),
            ),
            Err(e) => (
                "ResumeOperation",
                format!("{} of environment {} failed: {}: {}", op.name(), op.row.environment_id, e.code, e.message),
            ),
        };
        events.push(Event::new(now, action, op.row.operation_id.clone(), detail));
    }
    Ok(events)
}
