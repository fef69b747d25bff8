//! The firewall in front of the systems an environment's flows call
//! (000:28-36): an allow-list of service tags (or IP ranges). Outbound HTTP
//! actions and on-premises calls of a flow on the customer key come from
//! the PowerPlatformPlex service tag instead of the one they used before,
//! so a firewall that allowed only the old addresses refuses them with the
//! error the documentation quotes.

use super::{CMK_SERVICE_TAG, CUSTOMER, MMK_SERVICE_TAG};
use crate::environment::{self, Environment};
use crate::error::{Error, Result};
use crate::identity::Caller;
use crate::store::Db;
use serde_json::{json, Value};

/// The environment setting that holds the allow-list.
const SETTING: &str = "outboundFirewall";
/// The error of a refused call, as 000:36 quotes it.
pub const REFUSED: &str =
    "Http request failed as there is an error: 'No connection could be made because the target machine actively refused it.'";
/// Actions that call out of Power Automate: HTTP, and on-premises data gateway calls.
pub const OUTBOUND_ACTIONS: &[&str] = &["Http", "HttpWebhook", "OnPremisesGateway"];
/// Service tags the allow-list accepts.
pub const SERVICE_TAGS: &[&str] = &[CMK_SERVICE_TAG, MMK_SERVICE_TAG, "AzureConnectors", "PowerPlatformInfra"];

/// An environment's allow-list. Empty (not configured): nothing is filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    pub service_tags: Vec<String>,
    pub ip_ranges: Vec<String>,
}

impl AllowList {
    pub fn configured(&self) -> bool {
        !self.service_tags.is_empty() || !self.ip_ranges.is_empty()
    }

    /// Whether calls from `tag` pass. IP ranges are kept as the user gives
    /// them, but ppcmk has no copy of Azure's published ranges to check them
    /// against, so only a service tag lets a tag's calls through.
    pub fn allows(&self, tag: &str) -> bool {
        !self.configured() || self.service_tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }
}

/// The environment's allow-list.
pub fn allow_list(env: &Environment) -> AllowList {
    let settings = env.settings();
    let list = |key: &str| -> Vec<String> {
        settings
            .get(SETTING)
            .and_then(|v| v.get(key))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    AllowList { service_tags: list("serviceTags"), ip_ranges: list("ipRanges") }
}

/// `Set-PpCmkFirewallAllowList`: replaces the allow-list (empty lists turn it off).
pub fn set(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    service_tags: &[String],
    ip_ranges: &[String],
) -> Result<(Environment, AllowList)> {
    let mut tags = Vec::new();
    for t in service_tags {
        let canonical = SERVICE_TAGS.iter().find(|s| s.eq_ignore_ascii_case(t.trim())).ok_or_else(|| {
            Error::invalid(format!("'{t}' is not a service tag ppcmk knows; use one of: {}.", SERVICE_TAGS.join(", ")))
                .with_target(t.clone())
        })?;
        if !tags.contains(&canonical.to_string()) {
            tags.push(canonical.to_string());
        }
    }
    for r in ip_ranges {
        check_cidr(r)?;
    }
    let value = json!({"serviceTags": tags, "ipRanges": ip_ranges});
    let env = environment::set_setting(db, caller, environment_id, SETTING, value)?;
    let list = allow_list(&env);
    Ok((env, list))
}

/// An IPv4 range in CIDR notation (`20.37.0.0/16`).
fn check_cidr(range: &str) -> Result<()> {
    let bad =
        || Error::invalid(format!("'{range}' is not an IPv4 range in CIDR notation (a.b.c.d/n).")).with_target(range);
    let (address, bits) = range.trim().split_once('/').ok_or_else(bad)?;
    let bits: u8 = bits.parse().map_err(|_| bad())?;
    if bits > 32 || address.parse::<std::net::Ipv4Addr>().is_err() {
        return Err(bad());
    }
    Ok(())
}

/// The service tag a flow's outbound calls come from: PowerPlatformPlex on
/// the customer key's dedicated infrastructure, the shared one's before.
pub fn origin_tag(key_managed_by: &str) -> &'static str {
    if key_managed_by == CUSTOMER {
        CMK_SERVICE_TAG
    } else {
        MMK_SERVICE_TAG
    }
}

/// The error a run of a flow with `actions` meets at the environment's
/// firewall, if any.
pub fn refused_call(env: &Environment, key_managed_by: &str, actions: &[String]) -> Option<&'static str> {
    let calls_out = actions.iter().any(|a| OUTBOUND_ACTIONS.iter().any(|o| o.eq_ignore_ascii_case(a)));
    (calls_out && !allow_list(env).allows(origin_tag(key_managed_by))).then_some(REFUSED)
}

/// How many of the environment's flows make outbound HTTP or on-premises calls.
pub fn outbound_flows(
    store: &crate::store::Store,
    db: &Db,
    env: &Environment,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize> {
    let mut keys = super::Keys::new(store, env, now);
    let mut n = 0;
    for row in db.flows(env.row.env_key, None)? {
        let flow = super::open_flow(&mut keys, db, row)?;
        if flow.definition.actions.iter().any(|a| OUTBOUND_ACTIONS.iter().any(|o| o.eq_ignore_ascii_case(a))) {
            n += 1;
        }
    }
    Ok(n)
}
