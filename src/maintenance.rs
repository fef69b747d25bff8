//! Time-based actions: purges when retention ends, key rotations that come
//! due, and (in later areas) health checks and deletions of locked
//! environments. The engine runs whatever is due before each command, so
//! advancing the clock takes effect on the next command;
//! `Invoke-PpCmkMaintenance` runs them explicitly.

use crate::error::Result;
use crate::keyvault;
use crate::store::{Db, Store};
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

/// Whether any time-based action is due at `now` (a few indexed lookups).
pub fn is_due(db: &Db, now: DateTime<Utc>) -> Result<bool> {
    Ok(keyvault::next_due(db)?.is_some_and(|t| t <= now))
}

/// Runs every due action; call inside a write transaction.
pub fn run(store: &Store, db: &Db, now: DateTime<Utc>) -> Result<Vec<Event>> {
    keyvault::run_due(store, db, now)
}
