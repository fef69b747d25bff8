//! Key Vault secrets (Az.KeyVault's `*-AzKeyVaultSecret`): versioned values
//! sealed under the master key, soft delete and purge like keys, and the
//! same network and permission checks (RBAC data actions or access-policy
//! secret permissions). Every read of a value is audited.

use super::access::{check_network, Requester};
use super::{Vault, VaultKind};
use crate::arm;
use crate::audit;
use crate::audit::Event;
use crate::crypto::{hex, new_guid, random_array};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::rbac;
use crate::store::{ArmResourceRow, Db, SecretRow, SecretVersionRow, Store};
use chrono::{DateTime, Duration, Utc};
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretOp {
    Get,
    List,
    Set,
    Delete,
    Recover,
    Purge,
}

impl SecretOp {
    pub fn permission(self) -> &'static str {
        match self {
            SecretOp::Get => "get",
            SecretOp::List => "list",
            SecretOp::Set => "set",
            SecretOp::Delete => "delete",
            SecretOp::Recover => "recover",
            SecretOp::Purge => "purge",
        }
    }

    fn data_action(self) -> &'static str {
        match self {
            SecretOp::Get => "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            SecretOp::List => "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            SecretOp::Set => "Microsoft.KeyVault/vaults/secrets/setSecret/action",
            SecretOp::Delete => "Microsoft.KeyVault/vaults/secrets/delete",
            SecretOp::Recover => "Microsoft.KeyVault/vaults/secrets/recover/action",
            SecretOp::Purge => "Microsoft.KeyVault/vaults/secrets/purge/action",
        }
    }
}

/// A secret's scope for role assignments: `<vault id>/secrets/<name>`.
pub fn secret_scope(vault: &Vault, name: &str) -> String {
    format!("{}/secrets/{name}", vault.row.resource_id)
}

/// Checks the network rules and the permission model for `op` on a secret.
pub fn authorize(db: &Db, vault: &Vault, name: Option<&str>, who: &Requester, op: SecretOp) -> Result<()> {
    if vault.kind() == VaultKind::ManagedHsm {
        return Err(Error::invalid(format!("Managed HSM '{}' holds keys only, not secrets.", vault.name())));
    }
    check_network(vault, who)?;
    let scope = name.map(|n| secret_scope(vault, n)).unwrap_or_else(|| vault.row.resource_id.clone());
    let allowed = if vault.row.rbac_authorization {
        rbac::has_data_permission(db, &who.object_id, &scope, op.data_action())?
    } else {
        db.access_policies(&vault.row.vault_id)?.iter().any(|p| {
            p.object_id.eq_ignore_ascii_case(&who.object_id)
                && p.permissions_to_secrets
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(op.permission()) || s.eq_ignore_ascii_case("all"))
        })
    };
    if allowed {
        return Ok(());
    }
    let message = if vault.row.rbac_authorization {
        let role = if op == SecretOp::Get { "Key Vault Secrets User" } else { "Key Vault Secrets Officer" };
        format!(
            "Caller is not authorized to perform action '{}' on resource '{scope}': {} ({}) has no role assignment that grants it. Assign the role '{role}' at the secret or the vault.",
            op.data_action(),
            who.name,
            who.object_id
        )
    } else {
        format!(
            "The user, group or application '{}' ({}) does not have secrets {} permission on key vault '{}'. Grant it with Set-AzKeyVaultAccessPolicy -PermissionsToSecrets {}.",
            who.name,
            who.object_id,
            op.permission(),
            vault.name(),
            op.permission()
        )
    };
    Err(Error::new(who.denial(), message).with_target(scope))
}

/// Secrets are ARM child resources of a vault, so roles can be assigned at
/// secret scope (`-Scope <vault id>/secrets/<name>`).
pub(super) fn register_secret_resource(db: &Db, vault: &Vault, name: &str, now: DateTime<Utc>) -> Result<()> {
    arm::register_resource(
        db,
        &ArmResourceRow {
            id: secret_scope(vault, name),
            resource_type: "Microsoft.KeyVault/vaults/secrets".into(),
            name: name.to_string(),
            subscription_id: crate::identity::SUBSCRIPTION_ID.into(),
            resource_group: Some(vault.row.resource_group.clone()),
            location: Some(vault.row.location.clone()),
            kind: None,
            created_time: now,
        },
    )
}

/// A secret as `Get-AzKeyVaultSecret` shows it (never its value).
#[derive(Debug, Clone)]
pub struct SecretView {
    pub vault: Vault,
    pub secret: SecretRow,
    pub version: SecretVersionRow,
}

impl SecretView {
    pub fn id(&self) -> String {
        format!("https://{}.vault.azure.net/secrets/{}/{}", self.vault.row.name, self.secret.name, self.version.version)
    }
}

fn value_aad(secret_id: &str, version: &str) -> Vec<u8> {
    format!("ppcmk/secret/{secret_id}/{version}").into_bytes()
}

fn validate_name(name: &str) -> Result<()> {
    if !name.is_empty() && name.len() <= 127 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(());
    }
    Err(Error::invalid(format!("Secret name '{name}' is invalid: use 1-127 letters, digits and dashes."))
        .with_target(name))
}

fn active(db: &Db, vault: &Vault, name: &str) -> Result<SecretRow> {
    match db.secret_by_name(&vault.row.vault_id, name)? {
        Some(s) if s.deleted_time.is_none() => Ok(s),
        _ => Err(Error::not_found("Secret", name)),
    }
}

fn version_of(db: &Db, secret: &SecretRow, version: Option<&str>) -> Result<SecretVersionRow> {
    let versions = db.secret_versions(&secret.secret_id)?;
    match version {
        Some(v) => versions.into_iter().find(|x| x.version.eq_ignore_ascii_case(v)),
        None => versions.into_iter().last(),
    }
    .ok_or_else(|| Error::not_found("Secret version", version.unwrap_or(&secret.name)))
}

/// `Set-AzKeyVaultSecret`: a new version (creating the secret on first use).
#[allow(clippy::too_many_arguments)] // the store handles, the caller, the fields and the clock
pub fn set(
    store: &Store,
    db: &Db,
    who: &Requester,
    vault: &Vault,
    name: &str,
    value: &str,
    content_type: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SecretView> {
    validate_name(name)?;
    authorize(db, vault, Some(name), who, SecretOp::Set)?;
    if value.len() > 25 * 1024 {
        return Err(Error::invalid("A secret value holds at most 25 KiB."));
    }
    let secret = match db.secret_by_name(&vault.row.vault_id, name)? {
        Some(s) if s.deleted_time.is_some() => {
            return Err(Error::conflict(format!(
                "Secret '{name}' is deleted but recoverable: recover it (Undo-AzKeyVaultSecretRemoval) or purge it before setting it again."
            )))
        }
        Some(s) => s,
        None => {
            let s = SecretRow {
                secret_id: new_guid(),
                vault_id: vault.row.vault_id.clone(),
                name: name.to_string(),
                created_time: now,
                deleted_time: None,
                scheduled_purge_time: None,
            };
            db.insert_secret(&s)?;
            register_secret_resource(db, vault, name, now)?;
            s
        }
    };
    let seq = db.secret_versions(&secret.secret_id)?.len() as i64 + 1;
    let version = hex(&random_array::<16>());
    let row = SecretVersionRow {
        secret_id: secret.secret_id.clone(),
        sealed: store.master_key().seal(value.as_bytes(), &value_aad(&secret.secret_id, &version)),
        version,
        seq,
        content_type: content_type.map(str::to_string),
        enabled: true,
        created_time: now,
    };
    db.insert_secret_version(&row)?;
    Ok(SecretView { vault: vault.clone(), secret, version: row })
}

/// A secret's metadata (`Get-AzKeyVaultSecret` without `-AsPlainText`).
pub fn get(db: &Db, who: &Requester, vault: &Vault, name: &str, version: Option<&str>) -> Result<SecretView> {
    authorize(db, vault, Some(name), who, SecretOp::List)?;
    let secret = active(db, vault, name)?;
    let version = version_of(db, &secret, version)?;
    Ok(SecretView { vault: vault.clone(), secret, version })
}

/// Every version of a secret (`-IncludeVersions`), oldest first.
pub fn versions(db: &Db, who: &Requester, vault: &Vault, name: &str) -> Result<Vec<SecretView>> {
    authorize(db, vault, Some(name), who, SecretOp::List)?;
    let secret = active(db, vault, name)?;
    Ok(db
        .secret_versions(&secret.secret_id)?
        .into_iter()
        .map(|version| SecretView { vault: vault.clone(), secret: secret.clone(), version })
        .collect())
}

/// The vault's secrets, active or (`deleted`) soft-deleted.
pub fn list(db: &Db, who: &Requester, vault: &Vault, deleted: bool) -> Result<Vec<SecretView>> {
    authorize(db, vault, None, who, SecretOp::List)?;
    let mut out = Vec::new();
    for secret in db.secrets(&vault.row.vault_id)? {
        if secret.deleted_time.is_some() != deleted {
            continue;
        }
        let version = version_of(db, &secret, None)?;
        out.push(SecretView { vault: vault.clone(), secret, version });
    }
    Ok(out)
}

/// A secret's value (`-AsPlainText`, or a service reading it as its
/// identity). Refused for a disabled version; audited as a read.
pub fn value(
    store: &Store,
    db: &Db,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(SecretView, Zeroizing<String>)> {
    authorize(db, vault, Some(name), who, SecretOp::Get)?;
    let secret = active(db, vault, name)?;
    let version = version_of(db, &secret, version)?;
    if !version.enabled {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Secret '{name}' version {} is disabled.", version.version),
        ));
    }
    let plain = store.master_key().open(&version.sealed, &value_aad(&secret.secret_id, &version.version))?;
    let text = Zeroizing::new(String::from_utf8(plain.to_vec()).map_err(|_| Error::internal("a secret is not UTF-8"))?);
    let view = SecretView { vault: vault.clone(), secret, version };
    audit::append(
        db,
        &audit::Entry {
            time: now,
            principal: who.name.clone(),
            principal_id: Some(who.object_id.clone()),
            command: "KeyVault/getSecret".into(),
            target: Some(view.id()),
            outcome: audit::Outcome::Succeeded,
            error_code: None,
            detail: None,
            environment: None,
            table: None,
        },
    )?;
    Ok((view, text))
}

/// `Remove-AzKeyVaultSecret`: soft delete, recoverable until the vault's retention ends.
pub fn remove(db: &Db, who: &Requester, vault: &Vault, name: &str, now: DateTime<Utc>) -> Result<SecretView> {
    authorize(db, vault, Some(name), who, SecretOp::Delete)?;
    let mut secret = active(db, vault, name)?;
    secret.deleted_time = Some(now);
    secret.scheduled_purge_time = Some(now + Duration::days(vault.row.soft_delete_retention_days));
    db.set_secret_deleted(&secret.secret_id, secret.deleted_time, secret.scheduled_purge_time)?;
    arm::unregister_resource(db, &secret_scope(vault, name))?;
    let version = version_of(db, &secret, None)?;
    Ok(SecretView { vault: vault.clone(), secret, version })
}

fn deleted(db: &Db, vault: &Vault, name: &str) -> Result<SecretRow> {
    match db.secret_by_name(&vault.row.vault_id, name)? {
        Some(s) if s.deleted_time.is_some() => Ok(s),
        _ => Err(Error::not_found("Deleted secret", name)),
    }
}

/// `Undo-AzKeyVaultSecretRemoval`.
pub fn recover(db: &Db, who: &Requester, vault: &Vault, name: &str, now: DateTime<Utc>) -> Result<SecretView> {
    authorize(db, vault, Some(name), who, SecretOp::Recover)?;
    let mut secret = deleted(db, vault, name)?;
    secret.deleted_time = None;
    secret.scheduled_purge_time = None;
    db.set_secret_deleted(&secret.secret_id, None, None)?;
    register_secret_resource(db, vault, &secret.name, now)?;
    let version = version_of(db, &secret, None)?;
    Ok(SecretView { vault: vault.clone(), secret, version })
}

/// `Remove-AzKeyVaultSecret -InRemovedState`: refused under purge protection.
pub fn purge(db: &Db, who: &Requester, vault: &Vault, name: &str) -> Result<()> {
    authorize(db, vault, Some(name), who, SecretOp::Purge)?;
    let secret = deleted(db, vault, name)?;
    if vault.row.purge_protection {
        return Err(Error::new(
            ErrorCode::PurgeProtected,
            format!(
                "Secret '{name}' is in key vault '{}', which has purge protection: it is purged on its scheduled purge date {}.",
                vault.name(),
                secret.scheduled_purge_time.map(crate::time::to_display).unwrap_or_default()
            ),
        )
        .with_target(name));
    }
    purge_row(db, vault, &secret)
}

fn purge_row(db: &Db, vault: &Vault, secret: &SecretRow) -> Result<()> {
    db.delete_secret(&secret.secret_id)?;
    rbac::delete_assignments_within(db, &secret_scope(vault, &secret.name)).map(drop)
}

/// Purges soft-deleted secrets whose retention ended; each on its own.
pub fn purge_due(db: &Db, now: DateTime<Utc>) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for s in db.secrets_due_for_purge(now)? {
        let Some(vault) = db.vault_by_id(&s.vault_id)?.map(|row| Vault { row }) else { continue };
        let target = format!("https://{}.vault.azure.net/secrets/{}", vault.row.name, s.name);
        match db.isolated(|db| purge_row(db, &vault, &s))? {
            Ok(()) => events.push(Event::new(
                s.scheduled_purge_time.unwrap_or(now),
                "PurgeSecret",
                target,
                format!("secret '{}' reached its scheduled purge date and was purged", s.name),
            )),
            Err(e) => events.push(Event::failure(now, "PurgeSecretFailed", target, "purging a secret", &e)),
        }
    }
    Ok(events)
}
