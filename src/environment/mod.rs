//! Power Platform environments: type, region, Managed Environments, state
//! (Ready / Disabled / Locked), and the encryption of their data at rest —
//! DEK generations (`dek`), sealed records (`records`), backups and database
//! operations (`backups`), and the legacy BYOK feature (`byok`). Adding to
//! and removing from enterprise policies, and the health checks that lock,
//! unlock and re-wrap, involve the environment's flows too: they are the
//! layer above, `lifecycle`.

pub mod backups;
pub mod byok;
pub mod dek;
pub mod records;
pub mod services;

use crate::arm;
use crate::crypto::new_guid;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::{Db, EnvironmentRow, Store};
use chrono::{DateTime, Utc};
use dek::Protector;

/// Environment types (`-EnvironmentSku`) a user can create. A Support
/// Investigation environment is the one Microsoft support creates to work
/// on a support issue (002:507); it starts on the Microsoft-managed key.
pub const SKUS: &[&str] = &["Production", "Sandbox", "Trial", "Developer", "Teams", "SupportInvestigation"];
pub const SUPPORT_INVESTIGATION: &str = "SupportInvestigation";

pub const READY: &str = "Ready";
pub const DISABLED: &str = "Disabled";
pub const LOCKED: &str = "Locked";

/// Tenant setting: days a locked production environment is kept (004:416: 28).
pub const LOCKED_PRODUCTION_DAYS_SETTING: &str = "LockedProductionDeletionDays";
/// Tenant setting: days a locked environment of any other type is kept.
pub const LOCKED_OTHER_DAYS_SETTING: &str = "LockedNonProductionDeletionDays";
pub const DEFAULT_LOCKED_PRODUCTION_DAYS: i64 = 28;
pub const DEFAULT_LOCKED_OTHER_DAYS: i64 = 7;

/// The deletion window of locked environments, production or not.
pub fn locked_deletion_days(db: &Db, production: bool) -> Result<i64> {
    let (name, default) = if production {
        (LOCKED_PRODUCTION_DAYS_SETTING, DEFAULT_LOCKED_PRODUCTION_DAYS)
    } else {
        (LOCKED_OTHER_DAYS_SETTING, DEFAULT_LOCKED_OTHER_DAYS)
    };
    Ok(db.tenant_setting(name)?.and_then(|v| v.parse().ok()).unwrap_or(default))
}

/// An environment as stored, with the rules that read it.
#[derive(Debug, Clone)]
pub struct Environment {
    pub row: EnvironmentRow,
}

impl Environment {
    pub fn id(&self) -> &str {
        &self.row.environment_id
    }

    pub fn name(&self) -> &str {
        &self.row.display_name
    }

    /// Microsoft's protectionStatus.keyManagedBy: Microsoft, Customer, or
    /// CustomerViaMicrosoft for an environment migrated from BYOK.
    pub fn key_managed_by(&self) -> &'static str {
        match self.row.protector.as_str() {
            "CMK" if self.row.byok_migrated_time.is_some() => "CustomerViaMicrosoft",
            "CMK" | "BYOK" => "Customer",
            _ => "Microsoft",
        }
    }

    /// The admin center's encryption status of an environment with a policy.
    pub fn encryption_status(&self) -> Option<&'static str> {
        match self.row.link_status.as_deref() {
            Some("Failed") => Some("Failed"),
            Some("Linked") => Some("Encrypted"),
            _ => None,
        }
    }

    pub fn is_linked(&self) -> bool {
        self.row.link_status.as_deref() == Some("Linked")
    }

    /// Trial and Teams environments cannot use a customer-managed key.
    pub fn supports_cmk(&self) -> bool {
        !matches!(self.row.sku.as_str(), "Trial" | "Teams")
    }

    /// Days a locked environment is kept before it is deleted: the tenant's
    /// setting for production (and default) environments, 28 unless changed
    /// (004:416), and for every other type, 7 unless changed (the seeds are
    /// silent; Microsoft's cmk-lock-unlock page says seven for sandboxes).
    /// docs/rules.md, rule 63, says why 004:416 governs over that page's 30.
    pub fn days_kept_when_locked(&self, db: &Db) -> Result<i64> {
        let production = matches!(self.row.sku.as_str(), "Production" | "Default");
        locked_deletion_days(db, production)
    }

    /// Refuses data access unless the environment is Ready.
    pub fn require_ready(&self) -> Result<()> {
        match self.row.state.as_str() {
            READY => Ok(()),
            LOCKED => Err(Error::new(
                ErrorCode::EnvironmentLocked,
                format!(
                    "Environment '{}' is locked: {} Nobody can access it, Microsoft support included, until access to the original key is restored.",
                    self.name(),
                    self.row.state_reason.as_deref().unwrap_or("its customer-managed key cannot be reached.")
                ),
            )
            .with_target(self.id().to_string())),
            _ => Err(Error::new(
                ErrorCode::EnvironmentDisabled,
                format!(
                    "Environment '{}' is disabled while its encryption key is being changed ({}); it is available again when the operation completes (Get-PpCmkOperation).",
                    self.name(),
                    self.row.state_reason.as_deref().unwrap_or("Update Customer Managed Key")
                ),
            )
            .with_target(self.id().to_string())),
        }
    }

    pub fn settings(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(&self.row.settings).unwrap_or_default()
    }
}

/// An environment by id (GUID), or `NotFound`.
pub fn find(db: &Db, environment_id: &str) -> Result<Environment> {
    db.environment(environment_id.trim())?
        .map(|row| Environment { row })
        .ok_or_else(|| Error::not_found("Environment", environment_id))
}

/// Refuses unless the caller is a Global, Power Platform or Dynamics 365
/// administrator: who manages environments and their encryption.
pub fn require_admin(caller: &Caller, action: &str) -> Result<()> {
    if caller.is_power_platform_admin() {
        return Ok(());
    }
    Err(Error::forbidden(format!(
        "Only a Global, Power Platform or Dynamics 365 administrator can {action}; {} has none of these roles.",
        caller.audit_name()
    )))
}

/// Refuses unless the caller administers the environment: a Global, Power
/// Platform or Dynamics 365 administrator, or the environment's creator (its
/// environment admin). The `*-Admin*` cmdlets need this.
pub fn require_environment_admin(caller: &Caller, env: &Environment, action: &str) -> Result<()> {
    if caller.is_power_platform_admin() || caller.object_id().eq_ignore_ascii_case(&env.row.created_by) {
        return Ok(());
    }
    Err(Error::forbidden(format!(
        "Only an administrator of environment '{}' can {action}; {} is not one.",
        env.name(),
        caller.audit_name()
    )))
}

/// Who may read and write an environment's data: its administrators and its creator.
pub fn require_data_access(caller: &Caller, env: &Environment) -> Result<()> {
    if caller.is_power_platform_admin() || caller.object_id().eq_ignore_ascii_case(&env.row.created_by) {
        return Ok(());
    }
    Err(Error::forbidden(format!("{} has no access to environment '{}'.", caller.audit_name(), env.name())))
}

/// The default environment's well-known display name.
pub const DEFAULT_ENVIRONMENT_NAME: &str = "Contoso (default)";

/// Creates what the service needs before the first command: the
/// Microsoft-managed key and the tenant's default environment.
pub fn bootstrap(store: &Store, db: &Db, now: DateTime<Utc>) -> Result<()> {
    dek::ensure_mmk(store, db, now)?;
    if db.environments()?.iter().any(|e| e.is_default) {
        return Ok(());
    }
    insert(
        store,
        db,
        DEFAULT_ENVIRONMENT_NAME,
        "unitedstates",
        "Default",
        true,
        true,
        crate::identity::ADMIN_OBJECT_ID,
        now,
    )
    .map(drop)
}

#[allow(clippy::too_many_arguments)]
fn insert(
    store: &Store,
    db: &Db,
    display_name: &str,
    location: &str,
    sku: &str,
    is_default: bool,
    has_database: bool,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<Environment> {
    let mut env = Environment {
        row: EnvironmentRow {
            env_key: 0,
            environment_id: if is_default { format!("Default-{}", crate::identity::TENANT_ID) } else { new_guid() },
            display_name: display_name.to_string(),
            location: location.to_string(),
            sku: sku.to_string(),
            is_default,
            has_database,
            is_managed: false,
            state: READY.into(),
            state_reason: None,
            locked_since: None,
            protector: "MMK".into(),
            policy_id: None,
            link_status: None,
            linked_time: None,
            byok_migrated_time: None,
            previous_policy_id: None,
            unlinked_time: None,
            current_generation: 1,
            settings: "{}".into(),
            created_time: now,
            created_by: created_by.to_string(),
        },
    };
    env.row.env_key = db.insert_environment(&env.row)?;
    let (generation, key) = dek::new_generation(store, db, &env, now)?;
    dek::add_wrap(store, db, &env, generation, &key, &Protector::Mmk, None, now)?;
    Ok(env)
}

/// Reads a governance configuration as the admin API takes it
/// (`{"protectionLevel":"Standard"}`, names matched case-insensitively):
/// the level as given, and whether it makes the environment a Managed
/// Environment (Standard) or not (Basic).
pub fn governance_protection_level(config: &serde_json::Map<String, serde_json::Value>) -> Result<(&str, bool)> {
    let level = config
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("protectionLevel"))
        .and_then(|(_, v)| v.as_str())
        .ok_or_else(|| {
            Error::invalid(
                "The governance configuration needs protectionLevel: 'Standard' (Managed Environment) or 'Basic'.",
            )
        })?;
    match level.to_ascii_lowercase().as_str() {
        "standard" => Ok((level, true)),
        "basic" => Ok((level, false)),
        _ => Err(Error::invalid(format!("protectionLevel '{level}' is not Standard or Basic."))),
    }
}

/// Creates an environment (`New-AdminPowerAppEnvironment`), its data sealed
/// under a first DEK generation wrapped by the Microsoft-managed key.
#[allow(clippy::too_many_arguments)] // the store handles, the subject, its parameters and the clock
pub fn create(
    store: &Store,
    db: &Db,
    caller: &Caller,
    display_name: &str,
    location: &str,
    sku: &str,
    has_database: bool,
    now: DateTime<Utc>,
) -> Result<Environment> {
    require_admin(caller, "create environments")?;
    if display_name.trim().is_empty()
        || display_name.chars().count() > 100
        || display_name.chars().any(char::is_control)
    {
        return Err(Error::invalid("An environment's display name needs 1-100 characters and no control characters."));
    }
    let location = arm::normalize_power_platform_location(location)?;
    insert(store, db, display_name, location, sku, false, has_database, caller.object_id(), now)
}

/// Environments (all, for an administrator).
pub fn list(db: &Db, caller: &Caller) -> Result<Vec<Environment>> {
    require_admin(caller, "list environments")?;
    Ok(db.environments()?.into_iter().map(|row| Environment { row }).collect())
}

/// Deletes an environment with its data, DEKs and backups.
pub fn remove(store: &Store, db: &Db, caller: &Caller, environment_id: &str) -> Result<Environment> {
    require_admin(caller, "delete environments")?;
    let env = find(db, environment_id)?;
    if env.row.is_default {
        return Err(Error::new(ErrorCode::InvalidOperation, "The default environment cannot be deleted."));
    }
    if let Some(op) = db.running_operation(env.row.env_key)? {
        return Err(operation_in_progress(&env, &op.operation_id));
    }
    db.delete_environment(env.row.env_key)?;
    store.deks.forget(env.id());
    Ok(env)
}

pub fn operation_in_progress(env: &Environment, operation_id: &str) -> Error {
    Error::new(
        ErrorCode::OperationInProgress,
        format!(
            "Environment '{}' has an encryption operation in progress ({operation_id}); wait for it or resume it with Resume-PpCmkOperation.",
            env.name()
        ),
    )
    .with_target(env.id().to_string())
}

/// Turns Managed Environments on or off (`protectionLevel` Standard or Basic).
/// Customer-managed keys apply only to managed environments, so it stays on
/// while the environment is linked to a policy.
pub fn set_managed(db: &Db, caller: &Caller, environment_id: &str, managed: bool) -> Result<Environment> {
    require_admin(caller, "change Managed Environments")?;
    let mut env = find(db, environment_id)?;
    if !managed && env.row.policy_id.is_some() && env.row.link_status.as_deref() != Some("Failed") {
        return Err(Error::conflict(format!(
            "Environment '{}' is protected by a customer-managed key, which needs Managed Environments; remove it from its enterprise policy first.",
            env.name()
        )));
    }
    env.row.is_managed = managed;
    db.update_environment(&env.row)?;
    Ok(env)
}

/// Writes one environment setting (a JSON value) by name.
pub fn set_setting(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: &str,
    value: serde_json::Value,
) -> Result<Environment> {
    require_admin(caller, "change environment settings")?;
    let mut env = find(db, environment_id)?;
    let mut settings = env.settings();
    settings.insert(name.to_string(), value);
    env.row.settings = serde_json::Value::Object(settings).to_string();
    db.update_environment(&env.row)?;
    Ok(env)
}

/// The automation-related Dataverse tables auditing can be turned on for.
pub const AUDIT_TABLES: &[&str] =
    &["Process", "WorkQueue", "WorkQueueItem", "Credential", "DesktopFlowModule", "ConnectionReference"];
const AUDIT_ENABLED_SETTING: &str = "auditEnabled";
const AUDIT_TABLES_SETTING: &str = "auditTables";

/// Whether the environment audits reads of `table`: auditing must be on at
/// the environment level and for the table (as Dataverse auditing is).
pub fn audits_table(env: &Environment, table: &str) -> bool {
    let settings = env.settings();
    let on = settings.get(AUDIT_ENABLED_SETTING).and_then(|v| v.as_bool()).unwrap_or(false);
    on && settings
        .get(AUDIT_TABLES_SETTING)
        .and_then(|v| v.as_array())
        .is_some_and(|tables| tables.iter().any(|t| t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(table))))
}

/// The environment's audit setting: (enabled, tables).
pub fn audit_setting(env: &Environment) -> (bool, Vec<String>) {
    let settings = env.settings();
    let on = settings.get(AUDIT_ENABLED_SETTING).and_then(|v| v.as_bool()).unwrap_or(false);
    let tables = settings
        .get(AUDIT_TABLES_SETTING)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    (on, tables)
}

/// `Set-PpCmkAuditSetting`: auditing at the environment level and for tables.
pub fn set_audit_setting(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    enabled: Option<bool>,
    tables: Option<&[String]>,
) -> Result<Environment> {
    require_admin(caller, "change audit settings")?;
    if let Some(enabled) = enabled {
        set_setting(db, caller, environment_id, AUDIT_ENABLED_SETTING, serde_json::Value::Bool(enabled))?;
    }
    if let Some(tables) = tables {
        let canonical: Vec<serde_json::Value> = tables
            .iter()
            .map(|t| AUDIT_TABLES.iter().find(|a| a.eq_ignore_ascii_case(t)).map(|a| serde_json::Value::from(*a)))
            .collect::<Option<_>>()
            .ok_or_else(|| Error::invalid(format!("Audited tables are {}.", AUDIT_TABLES.join(", "))))?;
        set_setting(db, caller, environment_id, AUDIT_TABLES_SETTING, serde_json::Value::Array(canonical))?;
    }
    find(db, environment_id)
}

/// Data size figures of an environment, for reports and estimates.
#[derive(Debug, Default, Clone)]
pub struct DataStats {
    pub records: i64,
    pub sealed_bytes: i64,
    /// (generation, records) pairs.
    pub by_generation: Vec<(i64, i64)>,
}

pub fn data_stats(db: &Db, env: &Environment) -> Result<DataStats> {
    let rows = db.record_stats(env.row.env_key)?;
    Ok(DataStats {
        records: rows.iter().map(|r| r.1).sum(),
        sealed_bytes: rows.iter().map(|r| r.2).sum(),
        by_generation: rows.iter().map(|r| (r.0, r.1)).collect(),
    })
}
