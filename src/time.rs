//! Time as ppcmk writes and reads it: the storage form (RFC 3339, UTC,
//! microseconds; sorts as text), the display form of command output, the
//! forms a user may type, and the ISO 8601 durations of Key Vault rotation
//! policies. Pure functions of their arguments: the store's clock, which
//! reads the time (real time plus an offset kept in the store), is `clock`.

use crate::error::{Error, Result};
use chrono::{DateTime, Duration, SecondsFormat, Utc};

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
    // Years 1-9999, as .NET's DateTime: a date format that also reads
    // negative or five-digit years would otherwise accept "-0001-01-01".
    parse_any_time(s).filter(|t| (1..=9999).contains(&chrono::Datelike::year(t)))
}

fn parse_any_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let t = if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        t.with_timezone(&Utc)
    } else if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        t.and_utc()
    } else if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        t.and_utc()
    } else {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))?.and_utc()
    };
    // .NET's DateTime range, as PowerShell binds it: `%Y` also reads "-2028" or
    // "+12345", which then would not round-trip through the stored form.
    (1..=9999).contains(&chrono::Datelike::year(&t)).then_some(t)
}

/// An ISO 8601 duration as Key Vault rotation policies use them: `P2Y`,
/// `P18M`, `P30D`, `P1Y6M`, `PT12H`, `P2W`. Years and months are calendar
/// months; weeks and days are whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IsoDuration {
    pub months: u32,
    pub days: u32,
    pub seconds: u32,
}

impl IsoDuration {
    pub fn parse(text: &str) -> Option<IsoDuration> {
        let upper = text.trim().to_ascii_uppercase();
        let body = upper.strip_prefix('P')?;
        let (date, time) = match body.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (body, None),
        };
        let mut out = IsoDuration::default();
        let mut any = false;
        for (number, unit) in units(date)? {
            any = true;
            match unit {
                'Y' => out.months = out.months.checked_add(number.checked_mul(12)?)?,
                'M' => out.months = out.months.checked_add(number)?,
                'W' => out.days = out.days.checked_add(number.checked_mul(7)?)?,
                'D' => out.days = out.days.checked_add(number)?,
                _ => return None,
            }
        }
        if let Some(time) = time {
            for (number, unit) in units(time)? {
                any = true;
                let seconds = match unit {
                    'H' => number.checked_mul(3600)?,
                    'M' => number.checked_mul(60)?,
                    'S' => number,
                    _ => return None,
                };
                out.seconds = out.seconds.checked_add(seconds)?;
            }
        }
        any.then_some(out)
    }

    /// `t` plus this duration, or None past the calendar's end.
    pub fn after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        t.checked_add_months(chrono::Months::new(self.months))?
            .checked_add_signed(Duration::days(i64::from(self.days)))?
            .checked_add_signed(Duration::seconds(i64::from(self.seconds)))
    }

    /// `t` minus this duration.
    pub fn before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        t.checked_sub_months(chrono::Months::new(self.months))?
            .checked_sub_signed(Duration::days(i64::from(self.days)))?
            .checked_sub_signed(Duration::seconds(i64::from(self.seconds)))
    }

    /// Whether the duration is at least `days` long (calendar months counted from `from`).
    pub fn at_least_days(&self, days: i64, from: DateTime<Utc>) -> bool {
        self.after(from).is_some_and(|end| end - from >= Duration::days(days))
    }
}

/// `18M2D` → [(18, 'M'), (2, 'D')]; None when malformed.
fn units(text: &str) -> Option<Vec<(u32, char)>> {
    let mut out = Vec::new();
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if digits.is_empty() {
                return None;
            }
            out.push((digits.parse().ok()?, c));
            digits.clear();
        }
    }
    digits.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_times_are_years_1_to_9999() {
        assert!(parse_user_time("9999-12-31").is_some());
        assert!(parse_user_time("0001-01-01T00:00:00Z").is_some());
        for bad in ["-0001-01-01", "0000-06-01", "+10000-01-01", "10000-01-01T00:00:00"] {
            assert!(parse_user_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn iso_durations() {
        let t = DateTime::parse_from_rfc3339("2026-01-31T00:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(IsoDuration::parse("P30D").unwrap().after(t).unwrap().to_rfc3339(), "2026-03-02T00:00:00+00:00");
        assert_eq!(IsoDuration::parse("P1M").unwrap().after(t).unwrap().to_rfc3339(), "2026-02-28T00:00:00+00:00");
        assert_eq!(IsoDuration::parse("p2y").unwrap().months, 24);
        assert_eq!(IsoDuration::parse("P1Y6M").unwrap().months, 18);
        assert_eq!(IsoDuration::parse("PT12H").unwrap().seconds, 12 * 3600);
        assert_eq!(IsoDuration::parse("P2W").unwrap().days, 14);
        for bad in ["", "P", "30D", "PD", "P1.5D", "P1X", "PT", "P99999999999Y"] {
            assert!(IsoDuration::parse(bad).is_none(), "{bad}");
        }
        assert!(IsoDuration::parse("P28D").unwrap().at_least_days(28, t));
        assert!(!IsoDuration::parse("P27D").unwrap().at_least_days(28, t));
    }
}
