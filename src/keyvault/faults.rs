//! Faults of a vault's data plane, armed with `Set-PpCmkFault -VaultName`
//! and kept in the store, so that `ppcmk serve` honours what the CLI arms:
//! a throttle limit, added latency, a share of requests failing with 500 or
//! 503, and an outage until a time on the store's clock (`Set-PpCmkClock`
//! moves past it). [`check`] is the one place that decides whether a vault
//! is faulted now; every data-plane command of a vault (keys and secrets,
//! whichever surface runs it) asks it. The service's health checks never do:
//! an outage is not a revocation, and environments stay Ready through it.

use crate::error::{Error, ErrorCode, Result};
use crate::store::{Db, Store};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// A lower throttle limit than Key Vault's published one (requests per 10 s).
pub const THROTTLE: &str = "VaultThrottle";
/// Added latency of every request (milliseconds).
pub const LATENCY: &str = "VaultLatency";
/// A share of requests (percent) failing with 500 or 503.
pub const ERRORS: &str = "VaultErrors";
/// The vault offline until a time on the store's clock.
pub const OFFLINE: &str = "VaultOffline";

/// The longest `Retry-After` an outage answers with: a client that honours
/// it comes back at least once a minute, as it would to a real outage.
pub const MAX_RETRY_AFTER_SECS: u64 = 60;

/// Whether `vault` (a name) is faulted now: `Err` (`ServiceUnavailable` with
/// `retry_after`, or `FaultInjected` for an injected 500) when the request
/// fails, else the latency to add to it (`None`: none).
pub fn check(db: &Db, vault: &str, now: DateTime<Utc>) -> Result<Option<Duration>> {
    let mut delay = None;
    for f in db.vault_faults(vault)? {
        match f.kind.as_str() {
            OFFLINE => {
                if let Some(until) = f.until.filter(|u| *u > now) {
                    let secs = ((until - now).num_milliseconds() + 999) / 1000;
                    return Err(Error::new(
                        ErrorCode::ServiceUnavailable,
                        format!(
                            "Key vault '{vault}' is unavailable until {} (an outage armed with Set-PpCmkFault -Operation VaultOffline; not a revocation). Retry later.",
                            crate::time::to_display(until)
                        ),
                    )
                    .with_target(vault)
                    .with_retry_after((secs.max(1) as u64).min(MAX_RETRY_AFTER_SECS)));
                }
            }
            ERRORS if roll_percent() < f.amount => {
                return Err(if f.status == Some(500) {
                    Error::new(
                        ErrorCode::FaultInjected,
                        format!("Key vault '{vault}' failed this request with an internal error (Set-PpCmkFault -Operation VaultErrors -StatusCode 500)."),
                    )
                    .with_target(vault)
                } else {
                    Error::new(
                        ErrorCode::ServiceUnavailable,
                        format!("Key vault '{vault}' is temporarily unavailable (Set-PpCmkFault -Operation VaultErrors -StatusCode 503). Retry later."),
                    )
                    .with_target(vault)
                    .with_retry_after(1)
                });
            }
            LATENCY => delay = Some(Duration::from_millis(f.amount.max(0) as u64)),
            _ => {}
        }
    }
    Ok(delay)
}

/// 0..100, uniformly.
fn roll_percent() -> i64 {
    i64::from(u32::from_le_bytes(crate::crypto::random_array::<4>()) % 100)
}

impl Store {
    /// The throttle limit armed on `vault` (`Set-PpCmkFault -Operation
    /// VaultThrottle`), in requests per 10 s, if any: the server's
    /// throttle uses it instead of Key Vault's published 4,000.
    pub fn vault_throttle_limit(&self, vault: &str) -> Result<Option<u32>> {
        let db = self.db()?;
        Ok(db
            .vault_faults(vault)?
            .into_iter()
            .find(|f| f.kind == THROTTLE)
            .map(|f| u32::try_from(f.amount.max(1)).unwrap_or(u32::MAX)))
    }
}
