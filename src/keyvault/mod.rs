//! The customer's key vault: Azure Key Vault vaults and Managed HSMs with soft
//! delete, purge protection, access policies and network rules (this file),
//! data-plane access checks (`access`), and RSA keys with versions, rotation
//! and wrap/unwrap (`keys`).
//!
//! The vault alone holds private key material and alone performs unwrap; the
//! Power Platform service reaches a key only through [`keys::wrap`] and
//! [`keys::unwrap`], as a principal, with the same checks as anyone else.

pub mod access;
pub mod faults;
pub mod keys;
pub mod secrets;

use crate::arm::{self, ArmId};
use crate::audit;
use crate::audit::Event;
use crate::crypto::new_guid;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{rbac, Caller};
use crate::store::{AccessPolicyRow, ArmResourceRow, Db, Store, VaultRow};
use chrono::{DateTime, Duration, Utc};

/// A vault or a managed HSM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultKind {
    Vault,
    ManagedHsm,
}

impl VaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VaultKind::Vault => "Vault",
            VaultKind::ManagedHsm => "ManagedHsm",
        }
    }

    pub fn resource_type(self) -> &'static str {
        match self {
            VaultKind::Vault => "Microsoft.KeyVault/vaults",
            VaultKind::ManagedHsm => "Microsoft.KeyVault/managedHSMs",
        }
    }

    fn dns_suffix(self) -> &'static str {
        match self {
            VaultKind::Vault => "vault.azure.net",
            VaultKind::ManagedHsm => "managedhsm.azure.net",
        }
    }

    /// How messages name it.
    pub fn label(self) -> &'static str {
        match self {
            VaultKind::Vault => "Key vault",
            VaultKind::ManagedHsm => "Managed HSM",
        }
    }

    fn from_str(s: &str) -> VaultKind {
        if s == "ManagedHsm" {
            VaultKind::ManagedHsm
        } else {
            VaultKind::Vault
        }
    }
}

/// A vault or managed HSM as stored, with the rules that read it.
#[derive(Debug, Clone)]
pub struct Vault {
    pub row: VaultRow,
}

impl Vault {
    pub fn kind(&self) -> VaultKind {
        VaultKind::from_str(&self.row.kind)
    }

    pub fn name(&self) -> &str {
        &self.row.name
    }

    /// How to get purge protection on this vault. A key vault turns it on
    /// with `Update-AzKeyVault`; a managed HSM chooses it only when it is
    /// created (issue 13, 002:203), so the remedy is a new HSM, never an
    /// update cmdlet that would answer NotFound for it.
    pub fn purge_protection_remedy(&self) -> String {
        match self.kind() {
            VaultKind::Vault => format!(
                "Update-AzKeyVault -VaultName {} -ResourceGroupName {} -EnablePurgeProtection (it cannot be turned off again).",
                self.row.name, self.row.resource_group
            ),
            VaultKind::ManagedHsm => format!(
                "Purge protection of a managed HSM can only be chosen when it is created: create a new managed HSM with New-AzKeyVaultManagedHsm -Name <name> -ResourceGroupName {} -EnablePurgeProtection and put the key there ('{}' cannot be changed).",
                self.row.resource_group, self.row.name
            ),
        }
    }

    /// `https://{name}.vault.azure.net/` or `https://{name}.managedhsm.azure.net/`.
    pub fn uri(&self) -> String {
        format!("https://{}.{}/", self.row.name.to_ascii_lowercase(), self.kind().dns_suffix())
    }

    pub fn is_deleted(&self) -> bool {
        self.row.deleted_time.is_some()
    }

    /// Soft delete is always on (Azure made it mandatory); purge protection is opt-in.
    pub fn soft_delete_enabled(&self) -> bool {
        true
    }

    /// Azure's recovery level of objects in this vault.
    pub fn recovery_level(&self) -> &'static str {
        match (self.row.purge_protection, self.row.soft_delete_retention_days >= 90) {
            (true, true) => "Recoverable",
            (true, false) => "CustomizedRecoverable",
            (false, true) => "Recoverable+Purgeable",
            (false, false) => "CustomizedRecoverable+Purgeable",
        }
    }

    /// The ARM scope of a key (role assignments at key scope).
    pub fn key_scope(&self, key_name: &str) -> String {
        format!("{}/keys/{key_name}", self.row.resource_id)
    }

    pub fn is_premium(&self) -> bool {
        self.kind() == VaultKind::ManagedHsm || self.row.sku.eq_ignore_ascii_case("Premium")
    }
}

/// Azure's rule for vault names: 3–24 characters (23 for a managed HSM),
/// letters, digits and dashes, starting with a letter, ending with a letter or
/// digit, no consecutive dashes.
pub fn validate_vault_name(name: &str, kind: VaultKind) -> Result<()> {
    let max = if kind == VaultKind::ManagedHsm { 23 } else { 24 };
    let ok = (3..=max).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("--");
    if ok {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{} name '{name}' is invalid: a name must be 3-{max} characters long, contain only letters, digits and dashes, begin with a letter, end with a letter or digit, and not contain consecutive dashes.",
        kind.label()
    ))
    .with_target(name))
}

/// A vault or HSM that exists and is not deleted, or `NotFound`.
pub fn active_vault(db: &Db, name: &str, kind: VaultKind) -> Result<Vault> {
    match db.vault_by_name(name)?.map(|row| Vault { row }) {
        Some(v) if v.kind() == kind && !v.is_deleted() => Ok(v),
        Some(v) if v.kind() == kind => Err(Error::new(
            ErrorCode::NotFound,
            format!(
                "{} '{name}' is in a deleted state; recover it with Undo-AzKeyVaultRemoval before using it.",
                kind.label()
            ),
        )
        .with_target(name)),
        _ => Err(Error::not_found(kind.label(), name)),
    }
}

/// The vault addressed by a resource id (as enterprise policies do).
pub fn vault_by_resource_id(db: &Db, resource_id: &str) -> Result<Option<Vault>> {
    let id = ArmId::parse(resource_id)?;
    let Some(name) = id.name() else { return Ok(None) };
    Ok(db.vault_by_name(name)?.map(|row| Vault { row }).filter(|v| v.row.resource_id.eq_ignore_ascii_case(resource_id)))
}

/// What `New-AzKeyVault` asks for.
#[derive(Debug, Clone)]
pub struct NewVault<'a> {
    pub name: &'a str,
    pub resource_group: &'a str,
    pub location: &'a str,
    pub sku: &'a str,
    pub purge_protection: bool,
    pub retention_days: i64,
    pub rbac_authorization: bool,
    pub public_network_access: &'a str,
}

fn check_retention(days: i64) -> Result<()> {
    if (7..=90).contains(&days) {
        Ok(())
    } else {
        Err(Error::invalid(format!("SoftDeleteRetentionInDays must be between 7 and 90; {days} was given.")))
    }
}

fn check_name_free(db: &Db, name: &str) -> Result<()> {
    match db.vault_by_name(name)? {
        None => Ok(()),
        Some(existing) if existing.deleted_time.is_some() => Err(Error::conflict(format!(
            "The name '{name}' belongs to a {} in the deleted state. Recover it with Undo-AzKeyVaultRemoval, or purge it, before reusing the name.",
            VaultKind::from_str(&existing.kind).label().to_ascii_lowercase()
        ))
        .with_target(name)),
        Some(_) => Err(Error::new(ErrorCode::AlreadyExists, format!("The vault name '{name}' is already in use. Vault names are globally unique."))
            .with_target(name)),
    }
}

fn register_vault_resource(db: &Db, v: &VaultRow, now: DateTime<Utc>) -> Result<()> {
    arm::register_resource(
        db,
        &ArmResourceRow {
            id: v.resource_id.clone(),
            resource_type: VaultKind::from_str(&v.kind).resource_type().to_string(),
            name: v.name.clone(),
            subscription_id: crate::identity::SUBSCRIPTION_ID.to_string(),
            resource_group: Some(v.resource_group.clone()),
            location: Some(v.location.clone()),
            kind: None,
            created_time: now,
        },
    )
}

/// Creates a key vault. The creator needs `Microsoft.KeyVault/vaults/write` on
/// the resource group. With access policies (RBAC disabled) the creator gets
/// full key and secret permissions, as the portal grants; with Azure RBAC
/// (the default) nobody has data-plane access until a role is assigned.
pub fn create_vault(db: &Db, caller: &Caller, spec: &NewVault, now: DateTime<Utc>) -> Result<Vault> {
    validate_vault_name(spec.name, VaultKind::Vault)?;
    check_retention(spec.retention_days)?;
    let rg = arm::resource_group(db, spec.resource_group)?;
    rbac::authorize(db, caller, &rg.id, "Microsoft.KeyVault/vaults/write")?;
    arm::require_provider_registered(db, "Microsoft.KeyVault")?;
    let location = arm::normalize_region(spec.location)?;
    check_name_free(db, spec.name)?;
    let row = VaultRow {
        vault_id: new_guid(),
        name: spec.name.to_string(),
        kind: VaultKind::Vault.as_str().into(),
        resource_id: format!("{}/providers/Microsoft.KeyVault/vaults/{}", rg.id, spec.name),
        resource_group: rg.name.clone(),
        location: location.into(),
        sku: spec.sku.to_string(),
        soft_delete_retention_days: spec.retention_days,
        purge_protection: spec.purge_protection,
        rbac_authorization: spec.rbac_authorization,
        public_network_access: spec.public_network_access.to_string(),
        network_default_action: "Allow".into(),
        network_bypass: "AzureServices".into(),
        ip_rules: vec![],
        private_endpoints: vec![],
        administrators: vec![],
        created_time: now,
        deleted_time: None,
        scheduled_purge_time: None,
        activation_status: "Active".into(),
        security_domain: None,
    };
    db.insert_vault(&row)?;
    register_vault_resource(db, &row, now)?;
    if !spec.rbac_authorization {
        db.set_access_policy(
            &row.vault_id,
            &AccessPolicyRow {
                object_id: caller.object_id().to_string(),
                permissions_to_keys: access::ALL_KEY_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
                permissions_to_secrets: access::ALL_SECRET_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
            },
        )?;
    }
    Ok(Vault { row })
}

/// Creates a managed HSM. Its administrators get the local role Managed HSM
/// Administrator over the whole HSM ("/"), which manages role assignments
/// but does not use keys.
#[allow(clippy::too_many_arguments)]
pub fn create_managed_hsm(
    db: &Db,
    caller: &Caller,
    name: &str,
    resource_group: &str,
    location: &str,
    administrators: &[String],
    purge_protection: bool,
    retention_days: i64,
    now: DateTime<Utc>,
) -> Result<Vault> {
    validate_vault_name(name, VaultKind::ManagedHsm)?;
    check_retention(retention_days)?;
    let rg = arm::resource_group(db, resource_group)?;
    rbac::authorize(db, caller, &rg.id, "Microsoft.KeyVault/managedHSMs/write")?;
    let location = arm::normalize_region(location)?;
    if administrators.is_empty() {
        return Err(Error::invalid("A managed HSM needs at least one administrator object id (-Administrator)."));
    }
    let mut admins = Vec::new();
    for a in administrators {
        let p = crate::identity::find_principal(db, a)?.ok_or_else(|| Error::not_found("Principal", a))?;
        admins.push(p);
    }
    check_name_free(db, name)?;
    let row = VaultRow {
        vault_id: new_guid(),
        name: name.to_string(),
        kind: VaultKind::ManagedHsm.as_str().into(),
        resource_id: format!("{}/providers/Microsoft.KeyVault/managedHSMs/{name}", rg.id),
        resource_group: rg.name.clone(),
        location: location.into(),
        sku: "StandardB1".into(),
        soft_delete_retention_days: retention_days,
        purge_protection,
        rbac_authorization: true,
        public_network_access: "Enabled".into(),
        network_default_action: "Allow".into(),
        network_bypass: "AzureServices".into(),
        ip_rules: vec![],
        private_endpoints: vec![],
        administrators: admins.iter().map(|p| p.object_id.clone()).collect(),
        created_time: now,
        deleted_time: None,
        scheduled_purge_time: None,
        // Not usable until its security domain is downloaded (002:199-202).
        activation_status: "NotActivated".into(),
        security_domain: None,
    };
    db.insert_vault(&row)?;
    register_vault_resource(db, &row, now)?;
    let admin_role = rbac::role_by_name("Managed HSM Administrator").expect("built-in role");
    for p in &admins {
        rbac::create_local_assignment(db, p, admin_role, &row.resource_id, "system", now)?;
    }
    Ok(Vault { row })
}

/// Vaults (or HSMs) the caller can read; with `removed`, the soft-deleted ones.
pub fn list_vaults(
    db: &Db,
    caller: &Caller,
    kind: VaultKind,
    name: Option<&str>,
    resource_group: Option<&str>,
    removed: bool,
) -> Result<Vec<Vault>> {
    let read = format!("{}/read", kind.resource_type());
    let mut out = Vec::new();
    for row in db.vaults(kind.as_str())? {
        let v = Vault { row };
        if v.is_deleted() != removed
            || name.is_some_and(|n| !v.row.name.eq_ignore_ascii_case(n))
            || resource_group.is_some_and(|g| !v.row.resource_group.eq_ignore_ascii_case(g))
        {
            continue;
        }
        let scope = if removed { arm::default_scope() } else { v.row.resource_id.clone() };
        let action = if removed { "Microsoft.KeyVault/deletedVaults/read" } else { read.as_str() };
        if rbac::has_permission(db, caller.object_id(), &scope, action)? {
            out.push(v);
        }
    }
    if let (Some(n), true) = (name, out.is_empty()) {
        return Err(Error::not_found(if removed { "Deleted key vault" } else { kind.label() }, n));
    }
    Ok(out)
}

/// The changes `Update-AzKeyVault` may make.
#[derive(Debug, Default, Clone)]
pub struct VaultUpdate<'a> {
    pub enable_purge_protection: bool,
    pub rbac_authorization: Option<bool>,
    pub public_network_access: Option<&'a str>,
    pub retention_days: Option<i64>,
}

/// Updates a vault. Purge protection can be turned on but never off.
/// Changing the permission model (access policies or Azure RBAC) changes who
/// controls access to the keys, so, as in Azure, it also needs
/// `Microsoft.Authorization/roleAssignments/write` on the vault (Owner or
/// User Access Administrator), not only `Microsoft.KeyVault/vaults/write`.
pub fn update_vault(
    db: &Db,
    caller: &Caller,
    name: &str,
    resource_group: Option<&str>,
    change: &VaultUpdate,
) -> Result<Vault> {
    let mut v = active_vault(db, name, VaultKind::Vault)?;
    check_resource_group(&v, resource_group)?;
    rbac::authorize(db, caller, &v.row.resource_id, "Microsoft.KeyVault/vaults/write")?;
    if change.enable_purge_protection {
        v.row.purge_protection = true;
    }
    if let Some(rbac) = change.rbac_authorization.filter(|r| *r != v.row.rbac_authorization) {
        rbac::authorize_role_assignment_write(db, caller, &v.row.resource_id).map_err(|e| {
            Error::forbidden(format!(
                "{} Changing the permission model of key vault '{name}' decides who controls access to its keys, so it also needs permission to assign roles on the vault (Owner or User Access Administrator).",
                e.message
            ))
            .with_target(v.row.resource_id.clone())
        })?;
        v.row.rbac_authorization = rbac;
    }
    if let Some(access) = change.public_network_access {
        v.row.public_network_access = access.to_string();
    }
    if let Some(days) = change.retention_days {
        check_retention(days)?;
        v.row.soft_delete_retention_days = days;
    }
    db.update_vault(&v.row)?;
    Ok(v)
}

fn check_resource_group(v: &Vault, resource_group: Option<&str>) -> Result<()> {
    match resource_group {
        Some(rg) if !rg.eq_ignore_ascii_case(&v.row.resource_group) => {
            Err(Error::not_found(v.kind().label(), &format!("{} in resource group {rg}", v.row.name)))
        }
        _ => Ok(()),
    }
}

/// Soft-deletes a vault: it and its keys stay recoverable until the
/// scheduled purge date; meanwhile its name is reserved and its keys unusable.
pub fn remove_vault(
    db: &Db,
    caller: &Caller,
    name: &str,
    resource_group: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vault> {
    let mut v = active_vault(db, name, VaultKind::Vault)?;
    check_resource_group(&v, resource_group)?;
    rbac::authorize(db, caller, &v.row.resource_id, "Microsoft.KeyVault/vaults/delete")?;
    v.row.deleted_time = Some(now);
    v.row.scheduled_purge_time = Some(now + Duration::days(v.row.soft_delete_retention_days));
    db.update_vault(&v.row)?;
    arm::unregister_resource(db, &v.row.resource_id)?;
    Ok(v)
}

fn deleted_vault(db: &Db, name: &str) -> Result<Vault> {
    match db.vault_by_name(name)?.map(|row| Vault { row }) {
        Some(v) if v.is_deleted() && v.kind() == VaultKind::Vault => Ok(v),
        _ => Err(Error::not_found("Deleted key vault", name)),
    }
}

/// Recovers a soft-deleted vault with its keys (`Undo-AzKeyVaultRemoval`).
pub fn recover_vault(db: &Db, caller: &Caller, name: &str, now: DateTime<Utc>) -> Result<Vault> {
    let mut v = deleted_vault(db, name)?;
    let rg = arm::resource_group(db, &v.row.resource_group)?;
    rbac::authorize(db, caller, &rg.id, "Microsoft.KeyVault/vaults/write")?;
    v.row.deleted_time = None;
    v.row.scheduled_purge_time = None;
    db.update_vault(&v.row)?;
    register_vault_resource(db, &v.row, now)?;
    for key in db.keys(&v.row.vault_id)? {
        if key.deleted_time.is_none() {
            keys::register_key_resource(db, &v, &key.name, now)?;
        }
    }
    for secret in db.secrets(&v.row.vault_id)? {
        if secret.deleted_time.is_none() {
            secrets::register_secret_resource(db, &v, &secret.name, now)?;
        }
    }
    Ok(v)
}

/// Purges a soft-deleted vault for good. Under purge protection this is
/// refused until the scheduled purge date (when the vault purges itself).
pub fn purge_vault(db: &Db, caller: &Caller, name: &str) -> Result<()> {
    let v = deleted_vault(db, name)?;
    rbac::authorize(db, caller, &arm::default_scope(), "Microsoft.KeyVault/locations/deletedVaults/purge/action")?;
    if v.row.purge_protection {
        return Err(Error::new(
            ErrorCode::PurgeProtected,
            format!(
                "Key vault '{name}' has purge protection: it cannot be purged before its scheduled purge date {}, when it is purged automatically.",
                v.row.scheduled_purge_time.map(crate::time::to_display).unwrap_or_default()
            ),
        )
        .with_target(name));
    }
    purge_vault_row(db, &v.row)
}

/// Deletes a vault or HSM for good, with its keys and every role assignment
/// on it or below it (a vault created later with the same name starts clean).
fn purge_vault_row(db: &Db, row: &VaultRow) -> Result<()> {
    db.delete_vault(&row.vault_id)?;
    rbac::delete_assignments_within(db, &row.resource_id).map(drop)
}

/// The vault for an access-policy or network change, authorised at vault scope.
fn vault_for_change(db: &Db, caller: &Caller, name: &str, resource_group: Option<&str>, action: &str) -> Result<Vault> {
    let v = active_vault(db, name, VaultKind::Vault)?;
    check_resource_group(&v, resource_group)?;
    rbac::authorize(db, caller, &v.row.resource_id, action)?;
    Ok(v)
}

/// Grants a principal key and secret permissions (replacing the lists given).
/// Returns a warning when the vault uses Azure RBAC, where access policies are ignored.
pub fn set_access_policy(
    db: &Db,
    caller: &Caller,
    vault_name: &str,
    resource_group: Option<&str>,
    object_id: &str,
    keys: Option<Vec<String>>,
    secrets: Option<Vec<String>>,
) -> Result<(Vault, Option<String>)> {
    let v = vault_for_change(db, caller, vault_name, resource_group, "Microsoft.KeyVault/vaults/accessPolicies/write")?;
    let existing =
        db.access_policies(&v.row.vault_id)?.into_iter().find(|p| p.object_id.eq_ignore_ascii_case(object_id));
    let policy = AccessPolicyRow {
        object_id: object_id.to_string(),
        permissions_to_keys: keys
            .unwrap_or_else(|| existing.as_ref().map(|p| p.permissions_to_keys.clone()).unwrap_or_default()),
        permissions_to_secrets: secrets
            .unwrap_or_else(|| existing.as_ref().map(|p| p.permissions_to_secrets.clone()).unwrap_or_default()),
    };
    db.set_access_policy(&v.row.vault_id, &policy)?;
    let warning = v.row.rbac_authorization.then(|| {
        format!(
            "Key vault '{vault_name}' uses the Azure RBAC permission model, which ignores access policies. Assign a role instead, or switch the vault to access policies."
        )
    });
    Ok((v, warning))
}

pub fn remove_access_policy(
    db: &Db,
    caller: &Caller,
    vault_name: &str,
    resource_group: Option<&str>,
    object_id: &str,
) -> Result<Vault> {
    let v = vault_for_change(db, caller, vault_name, resource_group, "Microsoft.KeyVault/vaults/accessPolicies/write")?;
    if !db.delete_access_policy(&v.row.vault_id, object_id)? {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!("Key vault '{vault_name}' has no access policy for '{object_id}'."),
        )
        .with_target(object_id));
    }
    Ok(v)
}

/// The network-rule changes of `Update-AzKeyVaultNetworkRuleSet` and friends.
#[derive(Debug, Default, Clone)]
pub struct NetworkChange<'a> {
    pub default_action: Option<&'a str>,
    pub bypass: Option<&'a str>,
    pub replace_ip_ranges: Option<Vec<String>>,
    pub add_ip_ranges: Vec<String>,
    pub add_private_endpoint: Option<String>,
    pub remove_private_endpoint: Option<String>,
}

fn validate_ip_range(range: &str) -> Result<()> {
    let (addr, prefix) = range.split_once('/').unwrap_or((range, "32"));
    let ok = addr.parse::<std::net::Ipv4Addr>().is_ok() && prefix.parse::<u8>().is_ok_and(|p| p <= 32);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!("'{range}' is not an IPv4 address or CIDR range such as 203.0.113.0/24."))
            .with_target(range))
    }
}

pub fn change_network(
    db: &Db,
    caller: &Caller,
    vault_name: &str,
    resource_group: Option<&str>,
    change: NetworkChange,
) -> Result<Vault> {
    let mut v = vault_for_change(db, caller, vault_name, resource_group, "Microsoft.KeyVault/vaults/write")?;
    if let Some(a) = change.default_action {
        v.row.network_default_action = a.to_string();
    }
    if let Some(b) = change.bypass {
        v.row.network_bypass = b.to_string();
    }
    if let Some(ranges) = change.replace_ip_ranges {
        ranges.iter().try_for_each(|r| validate_ip_range(r))?;
        v.row.ip_rules = ranges;
    }
    for r in change.add_ip_ranges {
        validate_ip_range(&r)?;
        if !v.row.ip_rules.contains(&r) {
            v.row.ip_rules.push(r);
        }
    }
    if let Some(pe) = change.add_private_endpoint {
        if v.row.private_endpoints.iter().any(|p| p.eq_ignore_ascii_case(&pe)) {
            return Err(Error::conflict(format!("Key vault '{vault_name}' already has the private endpoint '{pe}'.")));
        }
        v.row.private_endpoints.push(pe);
    }
    if let Some(pe) = change.remove_private_endpoint {
        let before = v.row.private_endpoints.len();
        v.row.private_endpoints.retain(|p| !p.eq_ignore_ascii_case(&pe));
        if before == v.row.private_endpoints.len() {
            return Err(Error::not_found("Private endpoint", &pe));
        }
    }
    db.update_vault(&v.row)?;
    Ok(v)
}

/// The full scope of a managed HSM local scope: `/`, `/keys` or `/keys/{name}`.
pub fn hsm_scope(hsm: &Vault, local: &str) -> Result<String> {
    let local = local.trim();
    let parts: Vec<&str> = local.split('/').collect();
    let normalized = match parts.as_slice() {
        ["", ""] => Some(String::new()),
        ["", keys] if keys.eq_ignore_ascii_case("keys") => Some("/keys".to_string()),
        ["", keys, name] if keys.eq_ignore_ascii_case("keys") && is_key_name(name) => Some(format!("/keys/{name}")),
        _ => None,
    };
    let normalized = normalized.ok_or_else(|| {
        Error::invalid(format!("'{local}' is not a managed HSM scope: use '/', '/keys' or '/keys/{{key name}}'."))
            .with_target(local)
    })?;
    Ok(format!("{}{normalized}", hsm.row.resource_id))
}

fn is_key_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The local form of a full HSM scope (for output).
pub fn hsm_local_scope(hsm: &Vault, full: &str) -> String {
    let rest = &full[hsm.row.resource_id.len().min(full.len())..];
    if rest.is_empty() {
        "/".into()
    } else {
        rest.to_string()
    }
}

/// Certificates a security domain download takes (at least 3, at most 10).
pub const SECURITY_DOMAIN_CERTIFICATES: std::ops::RangeInclusive<usize> = 3..=10;

impl Vault {
    /// Whether the vault can be used: a managed HSM only once its security
    /// domain is downloaded (002:199-202); a key vault always.
    pub fn activated(&self) -> bool {
        self.row.activation_status == "Active"
    }

    /// The refusal of a key operation on a managed HSM not activated yet.
    pub fn require_activated(&self) -> Result<()> {
        if self.activated() {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::InvalidOperation,
            format!(
                "Managed HSM '{}' is not activated: its security domain has not been downloaded. Until then it is not usable; activate it with Export-AzKeyVaultSecurityDomain -Name {} -Certificates <3 to 10 RSA certificates> -Quorum <n> -OutputPath <file>.",
                self.name(),
                self.name()
            ),
        )
        .with_target(self.row.resource_id.clone()))
    }
}

/// `Export-AzKeyVaultSecurityDomain`: activates a managed HSM by downloading
/// its security domain, encrypted to 3-10 RSA public keys with a quorum of
/// them needed to decrypt it (002:201; Azure's security-domain page). Each
/// certificate's key wraps a fresh 256-bit domain key with RSA-OAEP-256; the
/// quorum is recorded, not enforced by secret sharing (ppcmk never imports a
/// security domain). Returns the HSM and the file's bytes (JSON).
pub fn download_security_domain(
    db: &Db,
    caller: &Caller,
    hsm_name: &str,
    certificates: &[Vec<u8>],
    quorum: i64,
    now: DateTime<Utc>,
) -> Result<(Vault, Vec<u8>)> {
    let hsm = active_vault(db, hsm_name, VaultKind::ManagedHsm)?;
    authorize_hsm(db, caller, &hsm, "Microsoft.KeyVault/managedHsm/securitydomain/download/action")?;
    if !SECURITY_DOMAIN_CERTIFICATES.contains(&certificates.len()) {
        return Err(Error::invalid(format!(
            "A security domain needs at least 3 and at most 10 certificates (RSA public keys); {} given.",
            certificates.len()
        )));
    }
    if quorum < 2 || quorum > certificates.len() as i64 {
        return Err(Error::invalid(format!(
            "-Quorum is the number of private keys needed to decrypt the security domain: between 2 and the {} certificates, not {quorum}.",
            certificates.len()
        )));
    }
    let domain_key: zeroize::Zeroizing<[u8; 32]> = zeroize::Zeroizing::new(crate::crypto::random_array());
    let mut shares = Vec::new();
    let mut thumbprints = Vec::new();
    for (i, cert) in certificates.iter().enumerate() {
        let (key, thumbprint) = crate::crypto::rsa::PublicKey::from_certificate(cert)
            .map_err(|e| Error::invalid(format!("Certificate {}: {}", i + 1, e.message)))?;
        let thumbprint = crate::crypto::hex(&thumbprint);
        if thumbprints.contains(&thumbprint) {
            return Err(Error::invalid(format!("Certificate {} is given twice.", i + 1)));
        }
        let wrapped = key.wrap_key(crate::crypto::rsa::OaepAlgorithm::RsaOaep256, domain_key.as_slice())?;
        shares.push(serde_json::json!({"thumbprint": thumbprint, "alg": "RSA-OAEP-256", "value": crate::crypto::base64url(&wrapped)}));
        thumbprints.push(thumbprint);
    }
    let file = serde_json::json!({
        "version": "1.0",
        "hsm": hsm.uri(),
        "quorum": quorum,
        "shares": shares,
        "created": crate::time::to_display(now),
    });
    let record =
        serde_json::json!({"quorum": quorum, "certificates": thumbprints, "downloaded": crate::time::to_display(now)});
    db.set_vault_activation(&hsm.row.vault_id, "Active", &record.to_string())?;
    let hsm = active_vault(db, hsm_name, VaultKind::ManagedHsm)?;
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| Error::internal(e.to_string()))?;
    Ok((hsm, bytes))
}

/// Refuses unless the caller holds `data_action` in the HSM's local RBAC.
fn authorize_hsm(db: &Db, caller: &Caller, hsm: &Vault, data_action: &str) -> Result<()> {
    if rbac::has_data_permission(db, caller.object_id(), &hsm.row.resource_id, data_action)? {
        return Ok(());
    }
    Err(Error::forbidden(format!(
        "Caller {} is not authorized to perform '{data_action}' on managed HSM '{}': it needs the local role Managed HSM Administrator.",
        caller.audit_name(),
        hsm.name()
    )))
}

/// `New-AzKeyVaultRoleAssignment -HsmName`: a local role inside one HSM.
pub fn create_hsm_role_assignment(
    db: &Db,
    caller: &Caller,
    hsm_name: &str,
    principal: &crate::store::PrincipalRow,
    role: &'static rbac::RoleDefinition,
    local_scope: &str,
    now: DateTime<Utc>,
) -> Result<(Vault, rbac::RoleAssignment)> {
    let hsm = active_vault(db, hsm_name, VaultKind::ManagedHsm)?;
    let scope = hsm_scope(&hsm, local_scope)?;
    authorize_hsm(db, caller, &hsm, "Microsoft.KeyVault/managedHsm/roleAssignments/write/action")?;
    let a = rbac::create_local_assignment(db, principal, role, &scope, caller.object_id(), now)?;
    Ok((hsm, a))
}

pub fn remove_hsm_role_assignment(
    db: &Db,
    caller: &Caller,
    hsm_name: &str,
    principal_id: &str,
    role: &'static rbac::RoleDefinition,
    local_scope: &str,
) -> Result<(Vault, rbac::RoleAssignment)> {
    let hsm = active_vault(db, hsm_name, VaultKind::ManagedHsm)?;
    let scope = hsm_scope(&hsm, local_scope)?;
    authorize_hsm(db, caller, &hsm, "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action")?;
    let a = rbac::remove_local_assignment(db, principal_id, role, &scope)?;
    Ok((hsm, a))
}

pub fn list_hsm_role_assignments(
    db: &Db,
    caller: &Caller,
    hsm_name: &str,
) -> Result<(Vault, Vec<rbac::RoleAssignment>)> {
    let hsm = active_vault(db, hsm_name, VaultKind::ManagedHsm)?;
    authorize_hsm(db, caller, &hsm, "Microsoft.KeyVault/managedHsm/roleAssignments/read/action")?;
    let list = rbac::local_assignments_within(db, &hsm.row.resource_id)?;
    Ok((hsm, list))
}

/// Principal names for display, by object id.
pub fn principal_display_name(db: &Db, object_id: &str) -> Result<Option<String>> {
    Ok(db.principal(object_id)?.map(|p| p.user_principal_name.unwrap_or(p.display_name)))
}

/// The earliest time a purge or rotation is due.
pub fn next_due(db: &Db) -> Result<Option<DateTime<Utc>>> {
    db.next_key_vault_event()
}

/// Runs every purge and rotation that is due at `now`; each is audited as
/// done by the key vault service itself. Each vault and key is handled on its
/// own (see [`crate::maintenance`]): one that fails is reported and skipped.
pub fn run_due(store: &Store, db: &Db, now: DateTime<Utc>) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for v in db.vaults_due_for_purge(now)? {
        let label = VaultKind::from_str(&v.kind).label();
        match db.isolated(|db| purge_vault_row(db, &v))? {
            Ok(()) => events.push(Event::new(
                v.scheduled_purge_time.unwrap_or(now),
                "PurgeVault",
                v.resource_id.clone(),
                format!("{label} '{}' reached its scheduled purge date and was purged with its keys", v.name),
            )),
            Err(e) => events.push(Event::failure(
                now,
                "PurgeVaultFailed",
                v.resource_id.clone(),
                &format!("purging {} '{}'", label.to_ascii_lowercase(), v.name),
                &e,
            )),
        }
    }
    events.extend(keys::purge_due_keys(db, now)?);
    events.extend(secrets::purge_due(db, now)?);
    events.extend(keys::rotate_due_keys(store, db, now)?);
    for e in &events {
        audit::append(db, &e.audit_entry("Azure Key Vault", "KeyVault"))?;
    }
    Ok(events)
}
