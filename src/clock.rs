//! The one clock every time-based rule reads: real UTC time plus an offset
//! kept in the store, so a rehearsal can move a tenant 30 days forward in a
//! second (`Set-PpCmkClock -AdvanceDays 30`) and every process sees it. The
//! formats a time is written and read in are the leaf module `time`.

use crate::error::{Error, Result};
use crate::store::{Db, Store};
use chrono::{DateTime, Duration, Utc};

const OFFSET_KEY: &str = "clock_offset_seconds";

/// The longest the clock may be advanced in total (100 years).
pub const MAX_OFFSET_SECONDS: i64 = 100 * 366 * 24 * 3600;

/// The clock as the store sees it.
#[derive(Debug, Clone, Copy)]
pub struct ClockReading {
    pub now: DateTime<Utc>,
    pub real_now: DateTime<Utc>,
    pub offset_seconds: i64,
}

pub fn read(db: &Db) -> Result<ClockReading> {
    let offset_seconds = offset(db)?;
    let real_now = Utc::now();
    Ok(ClockReading { now: real_now + Duration::seconds(offset_seconds), real_now, offset_seconds })
}

/// The store's current time.
pub fn now(db: &Db) -> Result<DateTime<Utc>> {
    Ok(read(db)?.now)
}

/// The store's time at the start of a command on `store`, whose data
/// version (read before this) is `version`. The offset is read through `db`
/// only when the version moved since the handle last read it: a cheap
/// command then needs no read transaction for the clock (issue 16, target 2).
pub fn now_at_version(store: &Store, db: &Db, version: i64) -> Result<DateTime<Utc>> {
    let offset_seconds = match store.clock_offset_at(version) {
        Some(offset_seconds) => offset_seconds,
        None => {
            let offset_seconds = offset(db)?;
            store.set_clock_offset_at(version, offset_seconds);
            offset_seconds
        }
    };
    Ok(at_offset(offset_seconds))
}

/// The store's time, its offset known.
pub fn at_offset(offset_seconds: i64) -> DateTime<Utc> {
    Utc::now() + Duration::seconds(offset_seconds)
}

fn offset(db: &Db) -> Result<i64> {
    match db.meta_get(OFFSET_KEY)? {
        None => Ok(0),
        Some(v) => v.parse().map_err(|_| Error::internal(format!("clock offset '{v}' in the store is not a number"))),
    }
}

/// Moves the clock forward. Time never runs backwards: purge dates and
/// retention periods already reached stay reached.
pub fn advance(db: &Db, seconds: i64) -> Result<ClockReading> {
    if seconds < 0 {
        return Err(Error::invalid("The clock only moves forward; use -Reset to return to real time."));
    }
    let total = offset(db)?
        .checked_add(seconds)
        .filter(|t| *t <= MAX_OFFSET_SECONDS)
        .ok_or_else(|| Error::invalid("The clock cannot be advanced more than 100 years in total."))?;
    db.meta_set(OFFSET_KEY, &total.to_string())?;
    read(db)
}

/// Sets the clock to `at`, backwards too: a tenant twin starts at the time
/// its snapshot was taken (`Import-PpCmkTenantSnapshot`), so that dates in
/// the snapshot (expiries, the 28- and 30-day windows) read as they did then.
pub fn start_at(db: &Db, at: DateTime<Utc>) -> Result<ClockReading> {
    let offset = (at - Utc::now()).num_seconds();
    if offset.abs() > MAX_OFFSET_SECONDS {
        return Err(Error::invalid("The clock cannot be set more than 100 years from real time."));
    }
    db.meta_set(OFFSET_KEY, &offset.to_string())?;
    read(db)
}

/// Returns the clock to real time.
pub fn reset(db: &Db) -> Result<ClockReading> {
    db.meta_set(OFFSET_KEY, "0")?;
    read(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handle keeps the clock's offset while the data version stays, and
    /// reads it again once another handle (as another process would) moved
    /// the clock.
    #[test]
    fn a_clock_moved_through_another_handle_is_read_again() {
        let dir = std::env::temp_dir().join(format!("ppcmk-clock-{}", crate::crypto::new_guid()));
        let store = Store::open(&dir).unwrap();
        let other = Store::open(&dir).unwrap();
        let db = store.db().unwrap();
        let version = store.data_version().unwrap();
        let before = now_at_version(&store, &db, version).unwrap();
        assert_eq!(store.clock_offset_at(version), Some(0), "kept at this version");
        other.write(|db| advance(db, 86_400)).unwrap();
        let moved = store.data_version().unwrap();
        assert_ne!(moved, version, "the other handle's commit moved the version");
        assert_eq!(store.clock_offset_at(moved), None, "nothing kept for the new version");
        let after = now_at_version(&store, &db, moved).unwrap();
        assert!(after - before >= Duration::seconds(86_400), "{before} then {after}");
        drop(db);
        drop((store, other));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
