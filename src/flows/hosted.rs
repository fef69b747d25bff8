//! Hosted machine groups of Power Automate hosted RPA (000:23-27): their
//! bots' VM disks are encrypted with the key the environment had when the
//! group was provisioned. After a customer key applies, existing groups
//! must be re-provisioned ("Reprovision group") before their disks are
//! under it; until then a desktop-flow run on a stale group fails. A group
//! can join the Active Directory domain through a Microsoft Entra hybrid
//! join network connection, whose account is a Power Automate credential
//! (003:11). Kept as one environment setting (a JSON list).

use super::{desktop, environment_protected, open_for_change, open_for_read, CUSTOMER, MICROSOFT};
use crate::environment::{self, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::Db;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

const SETTING: &str = "hostedMachineGroups";

/// One hosted machine group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MachineGroup {
    pub name: String,
    /// The key its VM disks are encrypted with: Customer or Microsoft.
    pub disk_key: String,
    /// The customer key (id) it was provisioned under, if any.
    pub disk_key_id: Option<String>,
    /// The credential of its hybrid join network connection, if any.
    pub network_credential: Option<String>,
    pub provisioned_time: DateTime<Utc>,
}

/// The environment's groups.
pub fn groups(env: &Environment) -> Vec<MachineGroup> {
    env.settings().get(SETTING).and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

fn save(db: &Db, caller: &Caller, env: &Environment, groups: &[MachineGroup]) -> Result<()> {
    let value = serde_json::to_value(groups).map_err(|e| Error::internal(e.to_string()))?;
    environment::set_setting(db, caller, env.id(), SETTING, value).map(drop)
}

/// The key a group provisioned now gets: the environment's current one.
fn current_disk_key(db: &Db, env: &Environment) -> Result<(String, Option<String>)> {
    if environment_protected(env) {
        let key =
            db.env_key_versions(env.row.env_key)?.into_iter().find(|v| v.current_until.is_none()).map(|v| v.key_id);
        Ok((CUSTOMER.into(), key))
    } else {
        Ok((MICROSOFT.into(), None))
    }
}

/// Whether a group must be re-provisioned: the environment is on a customer
/// key and the group's disks are not under it.
pub fn needs_reprovisioning(env: &Environment, group: &MachineGroup) -> bool {
    environment_protected(env) && group.disk_key != CUSTOMER
}

fn check_network_credential(db: &Db, env: &Environment, name: Option<&str>) -> Result<Option<String>> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Ok(Some(desktop::find_credential(db, env, n)?.name)),
        None => Ok(None),
    }
}

/// `New-PpCmkHostedMachineGroup`: provisions a group under the environment's current key.
pub fn create(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: &str,
    network_credential: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Environment, MachineGroup)> {
    let env = open_for_change(db, caller, environment_id)?;
    environment::require_environment_admin(caller, &env, "create hosted machine groups")?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid("A hosted machine group's name needs 1-100 characters and no control characters."));
    }
    let mut all = groups(&env);
    if all.iter().any(|g| g.name.eq_ignore_ascii_case(name)) {
        return Err(Error::new(ErrorCode::AlreadyExists, format!("Hosted machine group '{name}' already exists."))
            .with_target(name.to_string()));
    }
    let (disk_key, disk_key_id) = current_disk_key(db, &env)?;
    let group = MachineGroup {
        name: name.to_string(),
        disk_key,
        disk_key_id,
        network_credential: check_network_credential(db, &env, network_credential)?,
        provisioned_time: now,
    };
    all.push(group.clone());
    save(db, caller, &env, &all)?;
    Ok((environment::find(db, environment_id)?, group))
}

/// `Update-PpCmkHostedMachineGroup`: "Reprovision group" (the disks move to
/// the environment's current key) and/or a new network credential.
pub fn update(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: &str,
    reprovision: bool,
    network_credential: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Environment, MachineGroup)> {
    let env = open_for_change(db, caller, environment_id)?;
    environment::require_environment_admin(caller, &env, "change hosted machine groups")?;
    let mut all = groups(&env);
    let group = find_in(&mut all, &env, name)?;
    if !reprovision && network_credential.is_none() {
        return Err(Error::invalid("Name what to change: -Reprovision or -NetworkCredential."));
    }
    if network_credential.is_some() {
        group.network_credential = check_network_credential(db, &env, network_credential)?;
    }
    if reprovision {
        let (disk_key, disk_key_id) = current_disk_key(db, &env)?;
        group.disk_key = disk_key;
        group.disk_key_id = disk_key_id;
        group.provisioned_time = now;
    }
    let group = group.clone();
    save(db, caller, &env, &all)?;
    Ok((environment::find(db, environment_id)?, group))
}

fn find_in<'a>(all: &'a mut [MachineGroup], env: &Environment, name: &str) -> Result<&'a mut MachineGroup> {
    all.iter_mut().find(|g| g.name.eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("Hosted machine group '{name}' was not found in environment '{}'.", env.name()),
        )
        .with_target(name.to_string())
    })
}

/// `Get-PpCmkHostedMachineGroup`.
pub fn list(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: Option<&str>,
) -> Result<(Environment, Vec<MachineGroup>)> {
    let env = open_for_read(db, caller, environment_id)?;
    let mut all = groups(&env);
    if let Some(n) = name {
        find_in(&mut all, &env, n)?;
        all.retain(|g| g.name.eq_ignore_ascii_case(n.trim()));
    }
    Ok((env, all))
}

/// Refuses a desktop-flow run on a group whose disks are not under the
/// environment's customer key yet (000:25).
pub fn require_current(env: &Environment, name: &str) -> Result<()> {
    let mut all = groups(env);
    let group = find_in(&mut all, env, name)?;
    if needs_reprovisioning(env, group) {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!(
                "Hosted machine group '{}' was provisioned before the customer-managed key applied to environment '{}': its VM disks are still encrypted with the Microsoft-managed key. Reprovision it (Update-PpCmkHostedMachineGroup -Reprovision, \"Reprovision group\" on its details page) before running desktop flows on it.",
                group.name,
                env.name()
            ),
        )
        .with_target(group.name.clone()));
    }
    Ok(())
}

/// The groups whose hybrid join network connection uses a credential.
pub fn groups_using_credential(env: &Environment, credential: &str) -> Vec<String> {
    groups(env)
        .into_iter()
        .filter(|g| g.network_credential.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(credential)))
        .map(|g| g.name)
        .collect()
}
