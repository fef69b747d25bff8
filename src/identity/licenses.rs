//! The tenant's subscriptions (licences). Using a customer-managed key
//! requires the users of the environments where the policy is enforced to
//! have one of the subscriptions 002:78-84 lists; the pre-flight checks the
//! tenant holds one. Kept as one tenant setting (a JSON list).

use crate::error::{Error, Result};
use crate::identity::Caller;
use crate::store::Db;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The subscriptions that give access to customer-managed keys (002:78-84),
/// each family spelled out per plan.
pub const QUALIFYING_SKUS: &[&str] = &QUALIFYING_SKUS_ARRAY;
const QUALIFYING_SKUS_ARRAY: [&str; 19] = [
    "Microsoft 365 A5",
    "Microsoft 365 E5",
    "Microsoft 365 G5",
    "Office 365 A5",
    "Office 365 E5",
    "Office 365 G5",
    "Microsoft 365 A5 Compliance",
    "Microsoft 365 E5 Compliance",
    "Microsoft 365 F5 Compliance",
    "Microsoft 365 G5 Compliance",
    "Microsoft 365 F5 Security & Compliance",
    "Microsoft 365 A5 Information Protection and Governance",
    "Microsoft 365 E5 Information Protection and Governance",
    "Microsoft 365 F5 Information Protection and Governance",
    "Microsoft 365 G5 Information Protection and Governance",
    "Microsoft 365 A5 Insider Risk Management",
    "Microsoft 365 E5 Insider Risk Management",
    "Microsoft 365 F5 Insider Risk Management",
    "Microsoft 365 G5 Insider Risk Management",
];

/// Common subscriptions that do not qualify, so that a rehearsal can hold the wrong licence.
const OTHER_SKUS: [&str; 5] =
    ["Microsoft 365 E3", "Office 365 E3", "Microsoft 365 F3", "Power Apps Premium", "Power Automate Premium"];

/// Every SKU `Add-PpCmkLicense` accepts: the qualifying ones, then [`OTHER_SKUS`].
pub const SKUS: &[&str] = &ALL_SKUS;
const ALL_SKUS: [&str; QUALIFYING_SKUS_ARRAY.len() + OTHER_SKUS.len()] = concat(QUALIFYING_SKUS_ARRAY, OTHER_SKUS);

/// `a` then `b`, at compile time (so that each SKU is written once).
const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N);
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < A { a[i] } else { b[i - A] };
        i += 1;
    }
    out
}

const SETTING: &str = "Licenses";

/// One subscription of the tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct License {
    pub sku: String,
    pub units: i64,
    pub added_time: DateTime<Utc>,
}

impl License {
    pub fn qualifies_for_cmk(&self) -> bool {
        QUALIFYING_SKUS.contains(&self.sku.as_str())
    }
}

/// The tenant's subscriptions, in the order they were added.
pub fn list(db: &Db) -> Result<Vec<License>> {
    match db.tenant_setting(SETTING)? {
        Some(text) => {
            serde_json::from_str(&text).map_err(|e| Error::internal(format!("the licence list is not JSON: {e}")))
        }
        None => Ok(Vec::new()),
    }
}

/// `Add-PpCmkLicense`: adds `units` seats of a subscription (Global
/// Administrator); seats of one already held are added to it.
pub fn add(db: &Db, caller: &Caller, sku: &str, units: i64, now: DateTime<Utc>) -> Result<License> {
    if !caller.is_global_admin() {
        return Err(Error::forbidden(format!(
            "Only a Global Administrator can add subscriptions to the tenant; {} is not one.",
            caller.audit_name()
        )));
    }
    let canonical = SKUS.iter().find(|s| s.eq_ignore_ascii_case(sku.trim())).ok_or_else(|| {
        Error::invalid(format!("'{sku}' is not a known subscription; use one of: {}.", SKUS.join(", ")))
    })?;
    if units < 1 {
        return Err(Error::invalid(format!("-Units must be at least 1, not {units}.")));
    }
    let mut all = list(db)?;
    let index = match all.iter().position(|l| l.sku == *canonical) {
        Some(i) => {
            all[i].units += units;
            i
        }
        None => {
            all.push(License { sku: canonical.to_string(), units, added_time: now });
            all.len() - 1
        }
    };
    let text = serde_json::to_string(&all).map_err(|e| Error::internal(e.to_string()))?;
    db.set_tenant_setting(SETTING, &text)?;
    Ok(all[index].clone())
}
