//! Power Platform enterprise policies of kind Encryption: ARM resources
//! (`Microsoft.PowerPlatform/enterprisePolicies`) that name a key vault key
//! and carry a system-assigned managed identity, through which the Power
//! Platform service reaches that key.
//!
//! Created by an ARM deployment (`template`) or by commands in the spirit of
//! Microsoft's enterprise-policy scripts; both go through [`deploy`].

pub mod template;

use crate::arm::{self, ArmId};
use crate::crypto::new_guid;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{self, rbac, Caller, SUBSCRIPTION_ID, TENANT_ID};
use crate::keyvault::access::{self, KeyOp, Origin, Requester};
use crate::keyvault::{self, Vault};
use crate::store::{ArmResourceRow, Db, PolicyRow};
use chrono::{DateTime, Utc};

pub const RESOURCE_TYPE: &str = "Microsoft.PowerPlatform/enterprisePolicies";
pub const PROVIDER: &str = "Microsoft.PowerPlatform";

/// An enterprise policy as stored.
#[derive(Debug, Clone)]
pub struct Policy {
    pub row: PolicyRow,
}

impl Policy {
    /// The read-only `properties.systemId` the link API takes.
    pub fn system_id(&self) -> String {
        format!(
            "/regions/{}/providers/Microsoft.PowerPlatform/enterprisePolicies/{}",
            self.row.location, self.row.policy_id
        )
    }

    /// The policy's managed identity as the key vault sees it: a trusted
    /// Microsoft service calling as the identity's service principal.
    pub fn requester(&self, db: &Db) -> Result<Requester> {
        let name = db
            .principal(&self.row.principal_id)?
            .map(|p| p.display_name)
            .unwrap_or_else(|| format!("{} (deleted identity)", self.row.name));
        Ok(Requester { object_id: self.row.principal_id.clone(), name, origin: Origin::TrustedService })
    }

    /// The vault the policy names, if it exists and is not deleted.
    pub fn vault(&self, db: &Db) -> Result<Vault> {
        match keyvault::vault_by_resource_id(db, &self.row.key_vault_id)? {
            Some(v) if !v.is_deleted() => Ok(v),
            Some(v) => Err(Error::new(
                ErrorCode::NotFound,
                format!("The key vault '{}' of enterprise policy '{}' is deleted (recoverable with Undo-AzKeyVaultRemoval).", v.name(), self.row.name),
            )),
            None => Err(Error::new(
                ErrorCode::NotFound,
                format!("The key vault '{}' of enterprise policy '{}' does not exist.", self.row.key_vault_id, self.row.name),
            )),
        }
    }
}

/// What a new or updated policy declares.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    pub name: String,
    pub location: String,
    pub encryption_state: String,
    pub key_vault_id: String,
    pub key_name: String,
    pub key_version: Option<String>,
}

/// How errors name each field: template JSON paths or command parameters.
pub struct FieldNames {
    pub name: String,
    pub location: String,
    pub key_vault_id: String,
    pub key_name: String,
    pub key_version: String,
}

impl FieldNames {
    pub fn parameters() -> FieldNames {
        FieldNames {
            name: "-Name".into(),
            location: "-Location".into(),
            key_vault_id: "-KeyVaultId".into(),
            key_name: "-KeyName".into(),
            key_version: "-KeyVersion".into(),
        }
    }

    pub fn template(path: &str) -> FieldNames {
        FieldNames {
            name: format!("{path}.name"),
            location: format!("{path}.location"),
            key_vault_id: format!("{path}.properties.encryption.keyVault.id"),
            key_name: format!("{path}.properties.encryption.keyVault.key.name"),
            key_version: format!("{path}.properties.encryption.keyVault.key.version"),
        }
    }
}

fn field_error(code: ErrorCode, field: &str, message: impl std::fmt::Display) -> Error {
    Error::new(code, format!("{field}: {message}")).with_target(field.to_string())
}

/// Policy names: 1–64 letters, digits, dashes, underscores and periods.
fn validate_name(name: &str, field: &str) -> Result<()> {
    let ok =
        !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(field_error(
            ErrorCode::InvalidArgument,
            field,
            format!("'{name}' is not a valid policy name: use 1-64 letters, digits, '-', '_' and '.'"),
        ))
    }
}

/// The rules of the documentation for a policy's key: a location that Power
/// Platform offers, a vault that exists with soft delete and purge
/// protection, and a key (and version) that exist.
fn check_spec(db: &Db, spec: &PolicySpec, f: &FieldNames) -> Result<Vault> {
    validate_name(&spec.name, &f.name)?;
    arm::normalize_power_platform_location(&spec.location)
        .map_err(|e| field_error(ErrorCode::InvalidArgument, &f.location, e.message))?;
    let id = ArmId::parse(&spec.key_vault_id)
        .map_err(|e| field_error(ErrorCode::InvalidArgument, &f.key_vault_id, e.message))?;
    let is_vault_type = id.resource_type().is_some_and(|t| {
        t.eq_ignore_ascii_case("Microsoft.KeyVault/vaults") || t.eq_ignore_ascii_case("Microsoft.KeyVault/managedHSMs")
    });
    if !is_vault_type {
        return Err(field_error(
            ErrorCode::InvalidArgument,
            &f.key_vault_id,
            "the id must be a key vault (Microsoft.KeyVault/vaults) or managed HSM resource id",
        ));
    }
    let vault = match keyvault::vault_by_resource_id(db, &spec.key_vault_id)? {
        Some(v) if !v.is_deleted() => v,
        Some(_) => {
            return Err(field_error(
                ErrorCode::NotFound,
                &f.key_vault_id,
                "the key vault is in a deleted state; recover it first",
            ))
        }
        None => {
            return Err(field_error(
                ErrorCode::NotFound,
                &f.key_vault_id,
                format!("the key vault id '{}' does not resolve to a key vault", spec.key_vault_id),
            ))
        }
    };
    if !vault.soft_delete_enabled() || !vault.row.purge_protection {
        return Err(field_error(
            ErrorCode::InvalidArgument,
            &f.key_vault_id,
            format!(
                "{} '{}' must have soft delete and purge protection enabled. You won't be able to encrypt your environment with your own key without enabling these settings. {}",
                vault.kind().label(),
                vault.name(),
                vault.purge_protection_remedy()
            ),
        ));
    }
    let key =
        db.key_by_name(&vault.row.vault_id, &spec.key_name)?.filter(|k| k.deleted_time.is_none()).ok_or_else(|| {
            field_error(
                ErrorCode::NotFound,
                &f.key_name,
                format!("key '{}' does not exist in '{}'", spec.key_name, vault.name()),
            )
        })?;
    if let Some(version) = &spec.key_version {
        if db.key_version(&key.key_id, version)?.is_none() {
            return Err(field_error(
                ErrorCode::NotFound,
                &f.key_version,
                format!("key '{}' has no version '{version}'", spec.key_name),
            ));
        }
    }
    Ok(vault)
}

fn policy_resource_id(resource_group: &str, name: &str) -> String {
    format!("{}/providers/{RESOURCE_TYPE}/{name}", arm::resource_group_id(SUBSCRIPTION_ID, resource_group))
}

/// Environments whose data the policy's key protects (or is being applied to).
pub fn bound_environments(db: &Db, policy_id: &str) -> Result<Vec<crate::store::EnvironmentRow>> {
    Ok(db
        .environments_of_policy(policy_id)?
        .into_iter()
        .filter(|e| e.link_status.as_deref() != Some("Failed"))
        .collect())
}

fn refuse_if_bound(db: &Db, p: &Policy, action: &str) -> Result<()> {
    let bound = bound_environments(db, &p.row.policy_id)?;
    if bound.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = bound.iter().map(|e| e.display_name.as_str()).collect();
    Err(Error::conflict(format!(
        "Enterprise policy '{}' cannot be {action} while environments are linked to it ({}). Remove them from the policy first (Remove-PpCmkEnvironmentFromEnterprisePolicy).",
        p.row.name,
        names.join(", ")
    ))
    .with_target(p.row.resource_id.clone()))
}

/// Creates or updates policies in a resource group, as an ARM deployment does
/// (PUT semantics: an existing policy of the same name is updated, which is
/// refused while environments are linked to it). Returns each policy and
/// whether it was created.
pub fn deploy(
    db: &Db,
    caller: &Caller,
    resource_group: &str,
    specs: &[(PolicySpec, FieldNames)],
    now: DateTime<Utc>,
) -> Result<Vec<(Policy, bool)>> {
    let rg = arm::resource_group(db, resource_group)?;
    arm::require_provider_registered(db, PROVIDER)?;
    rbac::authorize(db, caller, &rg.id, "Microsoft.PowerPlatform/enterprisePolicies/write")?;
    let mut out = Vec::new();
    for (spec, fields) in specs {
        check_spec(db, spec, fields)?;
        let location = arm::normalize_power_platform_location(&spec.location)?.to_string();
        let resource_id = policy_resource_id(&rg.name, &spec.name);
        match db.policy_by_resource_id(&resource_id)? {
            Some(row) => {
                let mut p = Policy { row };
                if !p.row.location.eq_ignore_ascii_case(&location) {
                    return Err(field_error(
                        ErrorCode::InvalidArgument,
                        &fields.location,
                        "the location of an existing policy cannot change",
                    ));
                }
                let changes_key = !p.row.key_vault_id.eq_ignore_ascii_case(&spec.key_vault_id)
                    || !p.row.key_name.eq_ignore_ascii_case(&spec.key_name)
                    || p.row.key_version != spec.key_version
                    || p.row.encryption_state != spec.encryption_state;
                if changes_key {
                    refuse_if_bound(db, &p, "updated")?;
                }
                p.row.key_vault_id = spec.key_vault_id.clone();
                p.row.key_name = spec.key_name.clone();
                p.row.key_version = spec.key_version.clone();
                p.row.encryption_state = spec.encryption_state.clone();
                p.row.updated_time = now;
                db.update_policy(&p.row)?;
                out.push((p, false));
            }
            None => {
                let identity = identity::create_managed_identity(db, &spec.name, &resource_id, now)?;
                let row = PolicyRow {
                    policy_id: new_guid(),
                    name: spec.name.clone(),
                    resource_id: resource_id.clone(),
                    resource_group: rg.name.clone(),
                    location: location.clone(),
                    kind: "Encryption".into(),
                    principal_id: identity.object_id,
                    encryption_state: spec.encryption_state.clone(),
                    key_vault_id: spec.key_vault_id.clone(),
                    key_name: spec.key_name.clone(),
                    key_version: spec.key_version.clone(),
                    health: "Healthy".into(),
                    health_detail: None,
                    last_health_check: None,
                    created_time: now,
                    updated_time: now,
                };
                db.insert_policy(&row)?;
                arm::register_resource(
                    db,
                    &ArmResourceRow {
                        id: resource_id,
                        resource_type: RESOURCE_TYPE.into(),
                        name: spec.name.clone(),
                        subscription_id: SUBSCRIPTION_ID.into(),
                        resource_group: Some(rg.name.clone()),
                        location: Some(location),
                        kind: Some("Encryption".into()),
                        created_time: now,
                    },
                )?;
                out.push((Policy { row }, true));
            }
        }
    }
    Ok(out)
}

/// Creates one policy; refuses to overwrite an existing one.
pub fn create(db: &Db, caller: &Caller, resource_group: &str, spec: PolicySpec, now: DateTime<Utc>) -> Result<Policy> {
    let resource_id = policy_resource_id(resource_group, &spec.name);
    if db.policy_by_resource_id(&resource_id)?.is_some() {
        return Err(Error::new(
            ErrorCode::AlreadyExists,
            format!("Enterprise policy '{resource_id}' already exists; change it with Set-PpCmkEnterprisePolicy."),
        )
        .with_target(resource_id));
    }
    let mut done = deploy(db, caller, resource_group, &[(spec, FieldNames::parameters())], now)?;
    Ok(done.remove(0).0)
}

/// The policy with this resource id, or `NotFound`.
pub fn find(db: &Db, resource_id: &str) -> Result<Policy> {
    ArmId::parse(resource_id)?;
    db.policy_by_resource_id(resource_id)?
        .map(|row| Policy { row })
        .ok_or_else(|| Error::not_found("Enterprise policy", resource_id))
}

/// Refuses with `EnterprisePolicyAccessDenied` unless the caller can read the
/// policy: the Reader role (or more) on it, as the documentation requires of
/// the Power Platform administrator.
pub fn require_reader(db: &Db, caller: &Caller, p: &Policy) -> Result<()> {
    if rbac::has_permission(
        db,
        caller.object_id(),
        &p.row.resource_id,
        "Microsoft.PowerPlatform/enterprisePolicies/read",
    )? {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::EnterprisePolicyAccessDenied,
        format!(
            "{} cannot use enterprise policy '{}': only administrators granted the Reader role on the policy can add environments to it. The key vault administrator grants it with New-AzRoleAssignment -ObjectId {} -RoleDefinitionName Reader -Scope {}.",
            caller.audit_name(),
            p.row.name,
            caller.object_id(),
            p.row.resource_id
        ),
    )
    .with_target(p.row.resource_id.clone()))
}

/// Filters for listing policies.
#[derive(Debug, Default)]
pub struct PolicyQuery<'a> {
    pub resource_id: Option<&'a str>,
    pub resource_group: Option<&'a str>,
    pub subscription_id: Option<&'a str>,
}

/// Policies the caller can read.
pub fn list(db: &Db, caller: &Caller, q: &PolicyQuery) -> Result<Vec<Policy>> {
    if let Some(sub) = q.subscription_id {
        if !sub.eq_ignore_ascii_case(SUBSCRIPTION_ID) {
            return Err(Error::not_found("Subscription", sub));
        }
    }
    let mut out = Vec::new();
    for row in db.policies()? {
        if q.resource_id.is_some_and(|r| !row.resource_id.eq_ignore_ascii_case(r))
            || q.resource_group.is_some_and(|g| !row.resource_group.eq_ignore_ascii_case(g))
        {
            continue;
        }
        if rbac::has_permission(
            db,
            caller.object_id(),
            &row.resource_id,
            "Microsoft.PowerPlatform/enterprisePolicies/read",
        )? {
            out.push(Policy { row });
        }
    }
    if let (Some(id), true) = (q.resource_id, out.is_empty()) {
        return Err(Error::not_found("Enterprise policy", id));
    }
    Ok(out)
}

/// Changes a policy's key vault, key or version ("N/A" semantics: None keeps
/// the value; an empty version unpins it). Refused while environments are linked.
pub fn update(
    db: &Db,
    caller: &Caller,
    resource_id: &str,
    key_vault_id: Option<&str>,
    key_name: Option<&str>,
    key_version: Option<Option<String>>,
    now: DateTime<Utc>,
) -> Result<Policy> {
    let p = find(db, resource_id)?;
    rbac::authorize(db, caller, &p.row.resource_id, "Microsoft.PowerPlatform/enterprisePolicies/write")?;
    if key_vault_id.is_none() && key_name.is_none() && key_version.is_none() {
        return Err(Error::invalid("No change given: pass -KeyVaultId, -KeyName or -KeyVersion."));
    }
    refuse_if_bound(db, &p, "updated")?;
    let spec = PolicySpec {
        name: p.row.name.clone(),
        location: p.row.location.clone(),
        encryption_state: p.row.encryption_state.clone(),
        key_vault_id: key_vault_id.unwrap_or(&p.row.key_vault_id).to_string(),
        key_name: key_name.unwrap_or(&p.row.key_name).to_string(),
        key_version: key_version.unwrap_or(p.row.key_version.clone()),
    };
    let mut done = deploy(db, caller, &p.row.resource_group, &[(spec, FieldNames::parameters())], now)?;
    Ok(done.remove(0).0)
}

/// Deletes a policy and its managed identity. `Remove-PpCmkEnterprisePolicy`
/// refuses while environments are linked; a plain ARM delete
/// (`Remove-AzResource`) does not ask, and the environments lock.
pub fn remove(db: &Db, caller: &Caller, resource_id: &str, refuse_when_linked: bool) -> Result<Policy> {
    let p = find(db, resource_id)?;
    rbac::authorize(db, caller, &p.row.resource_id, "Microsoft.PowerPlatform/enterprisePolicies/delete")?;
    if refuse_when_linked {
        refuse_if_bound(db, &p, "removed")?;
    }
    db.delete_policy(&p.row.policy_id)?;
    arm::unregister_resource(db, &p.row.resource_id)?;
    identity::delete_managed_identity(db, &p.row.principal_id)?;
    Ok(p)
}

/// One check of [`validate_key_vault_for_cmk`].
#[derive(Debug, Clone)]
pub struct Check {
    pub check: &'static str,
    pub passed: bool,
    pub message: String,
}

/// The checks of Microsoft's ValidateKeyVaultForCMK script: the vault
/// (soft delete, purge protection), the policy (kind, identity, same vault),
/// the identity's get/wrapKey/unwrapKey access, and the key (present,
/// enabled, active, not expired). Every check runs and reports.
pub fn validate_key_vault_for_cmk(
    db: &Db,
    caller: &Caller,
    vault_name: &str,
    policy_arm_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    let mut push = |check: &'static str, passed: bool, message: String| checks.push(Check { check, passed, message });
    let vault = keyvault::active_vault(db, vault_name, keyvault::VaultKind::Vault)
        .or_else(|_| keyvault::active_vault(db, vault_name, keyvault::VaultKind::ManagedHsm));
    let vault = match vault {
        Ok(v)
            if rbac::has_permission(
                db,
                caller.object_id(),
                &v.row.resource_id,
                &format!("{}/read", v.kind().resource_type()),
            )? =>
        {
            v
        }
        _ => {
            push(
                "KeyVault",
                false,
                format!(
                    "Could not retrieve vault {vault_name}. Please check if the key vault exists and is accessible."
                ),
            );
            return Ok(checks);
        }
    };
    push(
        "SoftDelete",
        vault.soft_delete_enabled(),
        if vault.soft_delete_enabled() {
            format!("Soft delete is enabled for keyVault {vault_name}.")
        } else {
            format!("Soft delete not enabled for keyVault {vault_name}.")
        },
    );
    push(
        "PurgeProtection",
        vault.row.purge_protection,
        if vault.row.purge_protection {
            format!("KeyVault {vault_name} retrieved with soft delete and purge protection enabled.")
        } else {
            format!("Purge protection not enabled for keyVault {vault_name}. {}", vault.purge_protection_remedy())
        },
    );
    let policy = match db.policy_by_resource_id(policy_arm_id)? {
        Some(row)
            if rbac::has_permission(
                db,
                caller.object_id(),
                &row.resource_id,
                "Microsoft.PowerPlatform/enterprisePolicies/read",
            )? =>
        {
            Policy { row }
        }
        _ => {
            push("Policy", false, format!("Could not retrieve CMK Policy {policy_arm_id}."));
            return Ok(checks);
        }
    };
    push(
        "PolicyKind",
        policy.row.kind == "Encryption",
        format!("Enterprise policy {policy_arm_id} is of kind {}.", policy.row.kind),
    );
    push(
        "PolicyIdentity",
        true,
        format!("Enterprise policy {policy_arm_id} has a SystemAssigned identity ({}).", policy.row.principal_id),
    );
    let same_vault = policy.row.key_vault_id.eq_ignore_ascii_case(&vault.row.resource_id);
    push(
        "PolicyKeyVault",
        same_vault,
        if same_vault {
            format!("Enterprise policy {policy_arm_id} uses key vault {vault_name}.")
        } else {
            format!(
                "Enterprise policy {policy_arm_id} is not having same key vault config as {vault_name}: it names {}.",
                policy.row.key_vault_id
            )
        },
    );
    let who = policy.requester(db)?;
    for (check, op) in
        [("IdentityGet", KeyOp::Get), ("IdentityWrapKey", KeyOp::WrapKey), ("IdentityUnwrapKey", KeyOp::UnwrapKey)]
    {
        match access::authorize(db, &vault, Some(&policy.row.key_name), &who, op) {
            Ok(()) => push(
                check,
                true,
                format!("The policy identity has {} access to key {}.", op.permission(), policy.row.key_name),
            ),
            Err(e) => push(
                check,
                false,
                format!(
                    "{} access not present for Enterprise Policy {policy_arm_id} in keyVault {vault_name}: {}",
                    op.permission(),
                    e.message
                ),
            ),
        }
    }
    let key_name = &policy.row.key_name;
    let key = db.key_by_name(&vault.row.vault_id, key_name)?.filter(|k| k.deleted_time.is_none());
    let version = match (&key, &policy.row.key_version) {
        (Some(k), Some(v)) => db.key_version(&k.key_id, v)?,
        (Some(k), None) => db.latest_key_version(&k.key_id)?,
        _ => None,
    };
    match version {
        None => push("Key", false, format!("Key {key_name} not retrieved from {vault_name}.")),
        Some(v) => {
            push(
                "KeyEnabled",
                v.enabled,
                if v.enabled {
                    format!("Key {key_name} is enabled.")
                } else {
                    format!("Key {key_name} is not enabled.")
                },
            );
            let active = v.not_before.is_none_or(|nb| nb <= now);
            push(
                "KeyActivated",
                active,
                if active {
                    format!("Key {key_name} is activated.")
                } else {
                    format!(
                        "Key {key_name} is not activated. Activation Date {}.",
                        crate::time::to_display(v.not_before.unwrap_or(now))
                    )
                },
            );
            let valid = v.expires.is_none_or(|e| e > now);
            push(
                "KeyNotExpired",
                valid,
                if valid {
                    format!("Key {key_name} is not expired.")
                } else {
                    format!(
                        "Key {key_name} is expired. Expiry Date {}.",
                        crate::time::to_display(v.expires.unwrap_or(now))
                    )
                },
            );
        }
    }
    Ok(checks)
}

/// The policy's ARM properties, as `Get-AzResource -ExpandProperties` shows them.
pub fn arm_properties(p: &Policy) -> serde_json::Value {
    serde_json::json!({
        "systemId": p.system_id(),
        "lockbox": null,
        "encryption": {
            "state": p.row.encryption_state,
            "keyVault": {"id": p.row.key_vault_id, "key": {"name": p.row.key_name, "version": p.row.key_version}},
        },
        "networkInjection": null,
    })
}

/// The policy's ARM identity block.
pub fn arm_identity(p: &Policy) -> serde_json::Value {
    serde_json::json!({"type": "SystemAssigned", "PrincipalId": p.row.principal_id, "TenantId": TENANT_ID})
}
