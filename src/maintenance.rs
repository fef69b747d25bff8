//! Time-based actions: purges when retention ends, key rotations that come
//! due, the service's health checks of customer-key environments (lock,
//! re-enable, re-wrap after a key rotation, deletion of environments locked
//! too long), and — when run explicitly — operations waiting to resume.
//!
//! The engine runs whatever is due before each command, so advancing the
//! clock or revoking access takes effect on the next command;
//! `Invoke-PpCmkMaintenance` also resumes queued or interrupted operations.

use crate::audit;
use crate::engine::Progress;
use crate::environment::{health, operations};
use crate::error::Result;
use crate::keyvault;
use crate::store::Store;
use chrono::{DateTime, Utc};

/// The command that runs maintenance itself and reports it; the engine does
/// not run it ahead of this one.
pub const COMMAND: &str = "Invoke-PpCmkMaintenance";

/// One action taken because its time came.
#[derive(Debug, Clone)]
pub struct Event {
    pub time: DateTime<Utc>,
    pub action: &'static str,
    pub target: String,
    pub detail: String,
}

/// Runs the actions due at `now`. Cheap when nothing is due (a few indexed
/// reads); takes the write lock only when something is. With `explicit`,
/// also resumes queued and interrupted operations (which may take long).
pub fn run(
    store: &Store,
    now: DateTime<Utc>,
    explicit: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<Event>> {
    let (key_vault_due, health_due, resumable) = {
        let db = store.db()?;
        (
            keyvault::next_due(&db)?.is_some_and(|t| t <= now),
            !health::pending(&db, now)?.is_empty(),
            if explicit { operations::resumable(&db)? } else { Vec::new() },
        )
    };
    let mut events = Vec::new();
    if key_vault_due || health_due {
        events = store.write(|db| {
            let mut events = keyvault::run_due(store, db, now)?;
            let service = health::apply(store, db, now)?;
            for e in &service {
                audit::append(
                    db,
                    &audit::Entry {
                        time: e.time,
                        principal: "Power Platform".into(),
                        principal_id: None,
                        command: format!("PowerPlatform/{}", e.action),
                        target: Some(e.target.clone()),
                        outcome: audit::Outcome::Succeeded,
                        error_code: None,
                        detail: Some(e.detail.clone()),
                    },
                )?;
            }
            events.extend(service);
            Ok(events)
        })?;
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
        events.push(Event { time: now, action, target: op.row.operation_id.clone(), detail });
    }
    Ok(events)
}
