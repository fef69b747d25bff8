//! The one clock every time-based rule reads: real UTC time plus an offset
//! kept in the store, so a rehearsal can move a tenant 30 days forward in a
//! second (`Set-PpCmkClock -AdvanceDays 30`) and every process sees it. The
//! formats a time is written and read in are the leaf module `time`.

use crate::error::{Error, Result};
use crate::store::Db;
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
