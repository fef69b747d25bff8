//! What a customer-managed key covers in an environment (002:21-52): the
//! apps and services the documentation lists are encrypted with it; some
//! data stays on the Microsoft-managed key whatever the policy. An
//! environment holds Dataverse (its records) and Power Automate (its flows)
//! from the start; the other services are declared with
//! `Set-PpCmkEnvironmentService`. The post-flight report lists every data
//! store with the key that protects it, so it never claims more than the
//! documentation does.

use super::Environment;
use crate::error::{Error, Result};
use crate::identity::Caller;
use crate::store::Db;
use serde_json::{json, Value};

/// Services encrypted with the customer key (002:23-36), besides Dataverse
/// and Power Automate, which every environment with a database has.
pub const COVERED: &[&str] = &[
    "Dataverse Copilot for model-driven apps",
    "Chat for Dynamics 365",
    "Dynamics 365 Sales",
    "Dynamics 365 Customer Service",
    "Dynamics 365 Customer Insights - Data",
    "Dynamics 365 Field Service",
    "Dynamics 365 Retail",
];
/// Finance and operations apps (002:32-36): encrypted only when the
/// environment has Power Platform integration (002:52).
pub const FINANCE_AND_OPERATIONS: &[&str] = &[
    "Dynamics 365 Finance",
    "Dynamics 365 Intelligent Order Management",
    "Dynamics 365 Project Operations",
    "Dynamics 365 Supply Chain Management",
    "Dynamics 365 Fraud Protection",
];
/// Excluded from customer-managed key encryption (002:42).
pub const EXCLUDED: &[&str] = &["Nuance Conversational IVR", "Maker Welcome Content"];
/// Services with data in Dataverse and in their own storage (002:44): only
/// the Dataverse part follows the customer key.
pub const SPLIT: &[&str] = &["Power Apps", "Power Virtual Agents"];

/// Every service `Set-PpCmkEnvironmentService` accepts.
pub const SERVICES: &[&str] = &[
    "Dataverse Copilot for model-driven apps",
    "Chat for Dynamics 365",
    "Dynamics 365 Sales",
    "Dynamics 365 Customer Service",
    "Dynamics 365 Customer Insights - Data",
    "Dynamics 365 Field Service",
    "Dynamics 365 Retail",
    "Dynamics 365 Finance",
    "Dynamics 365 Intelligent Order Management",
    "Dynamics 365 Project Operations",
    "Dynamics 365 Supply Chain Management",
    "Dynamics 365 Fraud Protection",
    "Nuance Conversational IVR",
    "Maker Welcome Content",
    "Power Apps",
    "Power Virtual Agents",
];

const SETTING: &str = "services";
const INTEGRATION_SETTING: &str = "powerPlatformIntegration";

pub const CUSTOMER_KEY: &str = "Customer-managed key";
pub const MICROSOFT_KEY: &str = "Microsoft-managed key";

/// One data store of an environment and the key that protects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataStore {
    pub name: String,
    pub service: String,
    /// Whether the customer key covers it (when the environment has one).
    pub covered: bool,
    /// The documentation's line for it.
    pub basis: &'static str,
}

/// The services declared for the environment, and whether it has Power Platform integration.
pub fn services(env: &Environment) -> (Vec<String>, bool) {
    let settings = env.settings();
    let list = settings
        .get(SETTING)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let integration = settings.get(INTEGRATION_SETTING).and_then(Value::as_bool).unwrap_or(false);
    (list, integration)
}

/// `Set-PpCmkEnvironmentService`: the services the environment holds (the list replaces the previous one).
pub fn set(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    services: &[String],
    power_platform_integration: bool,
) -> Result<Environment> {
    let mut canonical: Vec<String> = Vec::new();
    for s in services {
        let c = SERVICES.iter().find(|k| k.eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            Error::invalid(format!("'{s}' is not a service ppcmk knows; use one of: {}.", SERVICES.join(", ")))
                .with_target(s.clone())
        })?;
        if !canonical.iter().any(|x| x == c) {
            canonical.push(c.to_string());
        }
    }
    super::set_setting(db, caller, environment_id, SETTING, json!(canonical))?;
    super::set_setting(db, caller, environment_id, INTEGRATION_SETTING, Value::Bool(power_platform_integration))
}

/// The environment's data stores, each with whether the customer key covers it.
pub fn data_stores(env: &Environment) -> Vec<DataStore> {
    let store = |name: &str, service: &str, covered: bool, basis: &'static str| DataStore {
        name: name.to_string(),
        service: service.to_string(),
        covered,
        basis,
    };
    let mut out = Vec::new();
    if env.row.has_database {
        out.push(store("Dataverse", "Dataverse", true, "002:23 Dataverse (custom solutions and Microsoft services)"));
    }
    out.push(store(
        "Power Automate flows and run history",
        "Power Automate",
        true,
        "002:25, 000:5 (flows the documentation keeps on the Microsoft key are counted in FlowsOnMicrosoftKey)",
    ));
    out.push(store(
        "Connection settings of non-OAuth connections",
        "Power Automate",
        false,
        "000:13 (002:48: connection settings for connectors stay on the Microsoft-managed key)",
    ));
    let (services, integration) = services(env);
    for s in &services {
        let s = s.as_str();
        if COVERED.contains(&s) {
            out.push(store(s, s, true, "002:21-36 (listed as encrypted with the customer-managed key)"));
        } else if FINANCE_AND_OPERATIONS.contains(&s) {
            if integration {
                out.push(store(s, s, true, "002:52 (finance and operations with Power Platform integration)"));
            } else {
                out.push(store(
                    s,
                    s,
                    false,
                    "002:52 (finance and operations without Power Platform integration keep the Microsoft-managed key)",
                ));
            }
        } else if EXCLUDED.contains(&s) {
            out.push(store(s, s, false, "002:42 (excluded from customer-managed key encryption)"));
        } else if SPLIT.contains(&s) {
            out.push(store(&format!("{s} data in Dataverse"), s, true, "002:44 (only the data stores in Dataverse)"));
            out.push(store(
                &format!("{s} data outside Dataverse (app source code, canvas app icons)"),
                s,
                false,
                "002:44 (non-Dataverse data stays on the Microsoft-managed key)",
            ));
        }
    }
    out
}

/// The key that protects a data store now: the customer key only for a
/// covered store of an environment on one.
pub fn encrypted_with(env: &Environment, store: &DataStore) -> &'static str {
    if store.covered && env.row.protector == "CMK" && env.is_linked() {
        CUSTOMER_KEY
    } else if store.covered && env.row.protector == "BYOK" && store.service == "Dataverse" {
        "Tenant BYOK key"
    } else {
        MICROSOFT_KEY
    }
}
