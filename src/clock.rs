//! The one clock every time-based rule reads: real UTC time plus an offset
//! kept in the store, so a rehearsal can move a tenant 30 days forward in a
//! second (`Set-PpCmkClock -AdvanceDays 30`) and every process sees it.

use crate::error::{Error, Result};
use crate::store::Db;
use chrono::{DateTime, Duration, SecondsFormat, Utc};

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

/// Returns the clock to real time.
pub fn reset(db: &Db) -> Result<ClockReading> {
    db.meta_set(OFFSET_KEY, "0")?;
    read(db)
}

/// The storage form of a time: RFC 3339, UTC, microseconds. Sorts as text.
pub fn to_storage(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The display form of a time in command output: RFC 3339, UTC, seconds.
pub fn to_display(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse_storage(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Error::internal(format!("time '{s}' in the store is not RFC 3339")))
}

/// Parses a time given by a user: RFC 3339, or a date (midnight UTC), or a
/// date and time without zone (taken as UTC, as Az does for -Expires).
pub fn parse_user_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        return Some(t.and_utc());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}
