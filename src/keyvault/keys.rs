//! RSA keys in a vault or managed HSM: versions, import, soft delete and
//! purge, rotation and rotation policies, and the cryptographic operations
//! (wrap, unwrap, encrypt, decrypt), every one authorised by
//! [`access::authorize`] and every cryptographic one audited.
//!
//! Key material is stored only sealed under the store's master key: the
//! private key as PKCS#8, the public key (which JWK output needs) as PKCS#1.

use super::access::{self, KeyOp, Requester};
use super::{Vault, VaultKind};
use crate::arm;
use crate::audit;
use crate::audit::Event;
use crate::crypto::rsa::{OaepAlgorithm, PrivateKey, PublicKey, SignatureAlgorithm, SUPPORTED_SIZES};
use crate::crypto::{hex, random_array};
use crate::error::{Error, ErrorCode, Result};
use crate::store::{ArmResourceRow, Db, KeyRow, KeyVersionRow, Store};
use crate::time::IsoDuration;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Operations a key may allow (`-KeyOps`).
pub const KEY_OPERATIONS: &[&str] = &["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import"];
/// What a new RSA key allows unless `-KeyOps` says otherwise.
pub const DEFAULT_KEY_OPERATIONS: &[&str] = &["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
/// Key types Az accepts; only the RSA ones are created here.
pub const KEY_TYPES: &[&str] = &["RSA", "RSA-HSM", "EC", "EC-HSM", "oct", "oct-HSM"];

/// A key version with its key and vault.
#[derive(Debug, Clone)]
pub struct KeyView {
    pub vault: Vault,
    pub key: KeyRow,
    pub version: KeyVersionRow,
}

impl KeyView {
    /// `https://{vault}.vault.azure.net/keys/{name}/{version}`.
    pub fn id(&self) -> String {
        key_id_url(&self.vault, &self.key.name, Some(&self.version.version))
    }

    /// The public key, unsealed (or as this handle unsealed it before).
    pub fn public_key(&self, store: &Store) -> Result<Arc<PublicKey>> {
        let (id, version, sealed) = (&self.key.key_id, &self.version.version, &self.version.public_sealed);
        if let Some(key) = store.key_material.public(id, version, sealed) {
            return Ok(key);
        }
        let der = store.master_key().open(sealed, &public_aad(id, version))?;
        let key = Arc::new(PublicKey::from_pkcs1_der(&der)?);
        store.key_material.put_public(id, version, sealed, key.clone());
        Ok(key)
    }

    /// The private key, unsealed (or as this handle unsealed it before).
    /// Only for an operation [`usable_view`] has authorised.
    fn private_key(&self, store: &Store) -> Result<Arc<PrivateKey>> {
        let (id, version, sealed) = (&self.key.key_id, &self.version.version, &self.version.private_sealed);
        if let Some(key) = store.key_material.private(id, version, sealed) {
            return Ok(key);
        }
        let der = store.master_key().open(sealed, &private_aad(id, version))?;
        let key = Arc::new(PrivateKey::from_pkcs8_der(&der)?);
        store.key_material.put_private(id, version, sealed, key.clone());
        Ok(key)
    }

    pub fn tags(&self) -> Map<String, Value> {
        serde_json::from_str(&self.key.tags).unwrap_or_default()
    }
}

/// A key's identifier URL; without a version, its "base identifier".
pub fn key_id_url(vault: &Vault, name: &str, version: Option<&str>) -> String {
    let base = format!("{}keys/{name}", vault.uri());
    match version {
        Some(v) => format!("{base}/{v}"),
        None => base,
    }
}

/// A key identifier URL taken apart: (vault kind, vault name, key name, version).
pub fn parse_key_id(url: &str) -> Result<(VaultKind, String, String, Option<String>)> {
    let bad = || {
        Error::invalid(format!(
            "'{url}' is not a key identifier: expected https://{{vault}}.vault.azure.net/keys/{{name}}[/{{version}}] or https://{{hsm}}.managedhsm.azure.net/keys/{{name}}[/{{version}}]."
        ))
    };
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').ok_or_else(bad)?;
    let host = host.trim_end_matches(":443").to_ascii_lowercase();
    let (name, kind) = if let Some(n) = host.strip_suffix(".vault.azure.net") {
        (n, VaultKind::Vault)
    } else if let Some(n) = host.strip_suffix(".managedhsm.azure.net") {
        (n, VaultKind::ManagedHsm)
    } else {
        return Err(bad());
    };
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        ["keys", key] if !key.is_empty() => Ok((kind, name.to_string(), key.to_string(), None)),
        ["keys", key, version] if !key.is_empty() && !version.is_empty() => {
            Ok((kind, name.to_string(), key.to_string(), Some(version.to_string())))
        }
        _ => Err(bad()),
    }
}

fn public_aad(key_id: &str, version: &str) -> Vec<u8> {
    format!("ppcmk/vault-key/public/{key_id}/{version}").into_bytes()
}

fn private_aad(key_id: &str, version: &str) -> Vec<u8> {
    format!("ppcmk/vault-key/private/{key_id}/{version}").into_bytes()
}

/// Key names: 1–127 letters, digits and dashes.
fn validate_key_name(name: &str) -> Result<()> {
    if !name.is_empty() && name.len() <= 127 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(());
    }
    Err(Error::invalid(format!("Key name '{name}' is invalid: use 1-127 letters, digits and dashes."))
        .with_target(name))
}

/// Where the new version's key material comes from.
pub enum KeySource {
    /// Generate: `-KeyType`, `-Size`, `-Destination`.
    Generate { key_type: Option<String>, size: Option<i64>, destination: Option<String> },
    /// Import a private key file (`-KeyFilePath`, `-KeyFilePassword`).
    Import { bytes: Zeroizing<Vec<u8>>, password: Option<Zeroizing<String>>, destination: Option<String> },
}

/// What `Add-AzKeyVaultKey` asks for.
pub struct NewKey {
    pub name: String,
    pub source: KeySource,
    pub key_ops: Option<Vec<String>>,
    pub expires: Option<DateTime<Utc>>,
    pub not_before: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub tags: Option<Map<String, Value>>,
}

/// The stored key type for a request: RSA, or RSA-HSM in a Premium vault or
/// a managed HSM. Other types are refused: a customer-managed key for Power
/// Platform must be RSA or RSA-HSM.
fn resolve_key_type(vault: &Vault, key_type: Option<&str>, destination: Option<&str>) -> Result<&'static str> {
    let hsm_destination = destination.is_some_and(|d| d.eq_ignore_ascii_case("HSM"));
    let requested = key_type.unwrap_or(if hsm_destination { "RSA-HSM" } else { "RSA" });
    let stored = match requested.to_ascii_uppercase().as_str() {
        "RSA" if vault.kind() == VaultKind::ManagedHsm || hsm_destination => "RSA-HSM",
        "RSA" => "RSA",
        "RSA-HSM" => "RSA-HSM",
        "EC" | "EC-HSM" | "OCT" | "OCT-HSM" => {
            return Err(Error::invalid(format!(
                "Key type '{requested}' is not supported: Power Platform customer-managed keys must be RSA or RSA-HSM keys (2048, 3072 or 4096 bits), so this key vault creates only RSA keys."
            )))
        }
        other => return Err(Error::invalid(format!("'{other}' is not a key type; use RSA or RSA-HSM."))),
    };
    if stored == "RSA-HSM" && !vault.is_premium() {
        return Err(Error::invalid(format!(
            "RSA-HSM keys need a Premium key vault or a managed HSM; key vault '{}' has the {} SKU.",
            vault.name(),
            vault.row.sku
        )));
    }
    Ok(stored)
}

fn check_size(size: i64) -> Result<usize> {
    usize::try_from(size).ok().filter(|s| SUPPORTED_SIZES.contains(s)).ok_or_else(|| {
        Error::invalid(format!(
            "RSA key size {size} is not supported: use 2048, 3072 or 4096 bits (the sizes Power Platform supports for RSA and RSA-HSM keys)."
        ))
    })
}

fn check_dates(not_before: Option<DateTime<Utc>>, expires: Option<DateTime<Utc>>) -> Result<()> {
    match (not_before, expires) {
        (Some(nb), Some(exp)) if exp <= nb => Err(Error::invalid("-Expires must be later than -NotBefore.")),
        _ => Ok(()),
    }
}

/// Creates a key, or a new version of an existing one.
pub fn add_key(
    db: &Db,
    store: &Store,
    who: &Requester,
    vault: &Vault,
    spec: NewKey,
    now: DateTime<Utc>,
) -> Result<KeyView> {
    validate_key_name(&spec.name)?;
    let op = match spec.source {
        KeySource::Generate { .. } => KeyOp::Create,
        KeySource::Import { .. } => KeyOp::Import,
    };
    access::authorize(db, vault, Some(&spec.name), who, op)?;
    check_dates(spec.not_before, spec.expires)?;
    let key_ops = spec.key_ops.unwrap_or_else(|| DEFAULT_KEY_OPERATIONS.iter().map(|s| s.to_string()).collect());
    let (private, key_type) = match spec.source {
        KeySource::Generate { key_type, size, destination } => {
            let key_type = resolve_key_type(vault, key_type.as_deref(), destination.as_deref())?;
            (PrivateKey::generate(check_size(size.unwrap_or(2048))?)?, key_type)
        }
        KeySource::Import { bytes, password, destination } => {
            let (private, hsm) = PrivateKey::import_any(&bytes, password.as_deref().map(|p| p.as_str()))?;
            // A JSON Web Key of kty RSA-HSM asks for an HSM key, as Key Vault's import reads it.
            let asked = if hsm { Some("RSA-HSM") } else { None };
            if hsm && destination.as_deref().is_some_and(|d| d.eq_ignore_ascii_case("Software")) {
                return Err(Error::invalid(
                    "The key file is an RSA-HSM JSON Web Key; -Destination Software contradicts it.",
                ));
            }
            (private, resolve_key_type(vault, asked, destination.as_deref())?)
        }
    };
    let key = match db.key_by_name(&vault.row.vault_id, &spec.name)? {
        Some(k) if k.deleted_time.is_some() => {
            return Err(Error::conflict(format!(
                "Key '{}' is currently in a deleted but recoverable state, and its name cannot be reused; recover it with Undo-AzKeyVaultKeyRemoval or purge it.",
                spec.name
            ))
            .with_target(spec.name))
        }
        Some(mut k) => {
            if let Some(tags) = spec.tags {
                k.tags = Value::Object(tags).to_string();
            }
            k
        }
        None => {
            let k = KeyRow {
                key_id: crate::crypto::new_guid(),
                vault_id: vault.row.vault_id.clone(),
                name: spec.name.clone(),
                tags: Value::Object(spec.tags.unwrap_or_default()).to_string(),
                rotation_policy: None,
                next_rotation_time: None,
                created_time: now,
                deleted_time: None,
                scheduled_purge_time: None,
            };
            db.insert_key(&k)?;
            register_key_resource(db, vault, &k.name, now)?;
            k
        }
    };
    let version =
        store_version(db, store, &key, &private, key_type, key_ops, spec.enabled, spec.not_before, spec.expires, now)?;
    finish_version(db, vault, key, version)
}

/// Seals and stores a new version of `key`; the rotation policy's
/// `ExpiresIn` applies when no expiry was given.
#[allow(clippy::too_many_arguments)]
fn store_version(
    db: &Db,
    store: &Store,
    key: &KeyRow,
    private: &PrivateKey,
    key_type: &str,
    key_ops: Vec<String>,
    enabled: bool,
    not_before: Option<DateTime<Utc>>,
    expires: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<KeyVersionRow> {
    let version = hex(&random_array::<16>());
    let seq = db.latest_key_version(&key.key_id)?.map(|v| v.seq + 1).unwrap_or(1);
    let policy = RotationPolicy::of(key)?;
    let expires = expires.or_else(|| {
        policy.and_then(|p| p.expires_in.as_deref().and_then(IsoDuration::parse)).and_then(|d| d.after(now))
    });
    let public = private.public_key().to_pkcs1_der()?;
    let row = KeyVersionRow {
        key_id: key.key_id.clone(),
        version: version.clone(),
        seq,
        key_type: key_type.to_string(),
        key_size: private.bits() as i64,
        key_ops,
        enabled,
        not_before,
        expires,
        created_time: now,
        updated_time: now,
        public_sealed: store.master_key().seal(&public, &public_aad(&key.key_id, &version)),
        private_sealed: store.master_key().seal(&private.to_pkcs8_der()?, &private_aad(&key.key_id, &version)),
    };
    db.insert_key_version(&row)?;
    Ok(row)
}

/// Updates the key's next rotation time after a version change.
fn finish_version(db: &Db, vault: &Vault, mut key: KeyRow, version: KeyVersionRow) -> Result<KeyView> {
    key.next_rotation_time = RotationPolicy::of(&key)?.and_then(|p| p.next_rotation(&version));
    db.update_key(&key)?;
    Ok(KeyView { vault: vault.clone(), key, version })
}

/// Keys are ARM child resources of a vault, so roles can be assigned at key scope.
pub(super) fn register_key_resource(db: &Db, vault: &Vault, name: &str, now: DateTime<Utc>) -> Result<()> {
    if vault.kind() != VaultKind::Vault {
        return Ok(()); // managed HSM keys are scoped by the HSM's local RBAC instead
    }
    arm::register_resource(
        db,
        &ArmResourceRow {
            id: vault.key_scope(name),
            resource_type: "Microsoft.KeyVault/vaults/keys".into(),
            name: name.to_string(),
            subscription_id: crate::identity::SUBSCRIPTION_ID.into(),
            resource_group: Some(vault.row.resource_group.clone()),
            location: Some(vault.row.location.clone()),
            kind: None,
            created_time: now,
        },
    )
}

/// An active (not deleted) key, or `NotFound`.
fn active_key(db: &Db, vault: &Vault, name: &str) -> Result<KeyRow> {
    match db.key_by_name(&vault.row.vault_id, name)? {
        Some(k) if k.deleted_time.is_none() => Ok(k),
        Some(_) => Err(Error::new(
            ErrorCode::NotFound,
            format!(
                "Key '{name}' was not found in {} '{}': it is in a deleted state (see Get-AzKeyVaultKey -InRemovedState; recover it with Undo-AzKeyVaultKeyRemoval).",
                vault.kind().label().to_ascii_lowercase(),
                vault.name()
            ),
        )
        .with_target(name)),
        None => Err(Error::new(
            ErrorCode::NotFound,
            format!("Key '{name}' was not found in {} '{}'.", vault.kind().label().to_ascii_lowercase(), vault.name()),
        )
        .with_target(name)),
    }
}

/// The named version, or the current (newest) one.
fn version_of(db: &Db, key: &KeyRow, version: Option<&str>) -> Result<KeyVersionRow> {
    match version {
        Some(v) => db.key_version(&key.key_id, v)?.ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("Key '{}' has no version '{v}'.", key.name)).with_target(v)
        }),
        None => db
            .latest_key_version(&key.key_id)?
            .ok_or_else(|| Error::internal(format!("key '{}' has no versions", key.name))),
    }
}

/// One key version's public properties (`Get-AzKeyVaultKey -Name [-Version]`).
pub fn get_key(db: &Db, who: &Requester, vault: &Vault, name: &str, version: Option<&str>) -> Result<KeyView> {
    access::authorize(db, vault, Some(name), who, KeyOp::Get)?;
    let key = active_key(db, vault, name)?;
    let version = version_of(db, &key, version)?;
    Ok(KeyView { vault: vault.clone(), key, version })
}

/// Every active key's current version.
pub fn list_keys(db: &Db, who: &Requester, vault: &Vault) -> Result<Vec<KeyView>> {
    access::authorize(db, vault, None, who, KeyOp::List)?;
    let mut out = Vec::new();
    for key in db.keys(&vault.row.vault_id)?.into_iter().filter(|k| k.deleted_time.is_none()) {
        let version = version_of(db, &key, None)?;
        out.push(KeyView { vault: vault.clone(), key, version });
    }
    Ok(out)
}

/// Every version of a key, newest first (`-IncludeVersions`).
pub fn list_versions(db: &Db, who: &Requester, vault: &Vault, name: &str) -> Result<Vec<KeyView>> {
    access::authorize(db, vault, Some(name), who, KeyOp::List)?;
    let key = active_key(db, vault, name)?;
    Ok(db
        .key_versions(&key.key_id)?
        .into_iter()
        .map(|version| KeyView { vault: vault.clone(), key: key.clone(), version })
        .collect())
}

/// Soft-deleted keys (`-InRemovedState`), optionally one by name.
pub fn list_deleted(db: &Db, who: &Requester, vault: &Vault, name: Option<&str>) -> Result<Vec<KeyView>> {
    access::authorize(db, vault, None, who, KeyOp::List)?;
    let mut out = Vec::new();
    for key in db.keys(&vault.row.vault_id)?.into_iter().filter(|k| k.deleted_time.is_some()) {
        if name.is_some_and(|n| !key.name.eq_ignore_ascii_case(n)) {
            continue;
        }
        let version = version_of(db, &key, None)?;
        out.push(KeyView { vault: vault.clone(), key, version });
    }
    if let (Some(n), true) = (name, out.is_empty()) {
        return Err(Error::not_found("Deleted key", n));
    }
    Ok(out)
}

/// The attribute changes of `Update-AzKeyVaultKey`.
#[derive(Debug, Default)]
pub struct KeyUpdate {
    pub enabled: Option<bool>,
    pub expires: Option<DateTime<Utc>>,
    pub not_before: Option<DateTime<Utc>>,
    pub key_ops: Option<Vec<String>>,
    pub tags: Option<Map<String, Value>>,
}

pub fn update_key(
    db: &Db,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    change: KeyUpdate,
    now: DateTime<Utc>,
) -> Result<KeyView> {
    access::authorize(db, vault, Some(name), who, KeyOp::Update)?;
    let mut key = active_key(db, vault, name)?;
    let mut v = version_of(db, &key, version)?;
    if let Some(e) = change.enabled {
        v.enabled = e;
    }
    if change.expires.is_some() {
        v.expires = change.expires;
    }
    if change.not_before.is_some() {
        v.not_before = change.not_before;
    }
    check_dates(v.not_before, v.expires)?;
    if let Some(ops) = change.key_ops {
        v.key_ops = ops;
    }
    v.updated_time = now;
    db.update_key_version(&v)?;
    if let Some(tags) = change.tags {
        key.tags = Value::Object(tags).to_string();
    }
    let latest = version_of(db, &key, None)?;
    key.next_rotation_time = RotationPolicy::of(&key)?.and_then(|p| p.next_rotation(&latest));
    db.update_key(&key)?;
    Ok(KeyView { vault: vault.clone(), key, version: v })
}

/// Soft-deletes a key with all its versions until its scheduled purge date.
pub fn remove_key(db: &Db, who: &Requester, vault: &Vault, name: &str, now: DateTime<Utc>) -> Result<KeyView> {
    access::authorize(db, vault, Some(name), who, KeyOp::Delete)?;
    let mut key = active_key(db, vault, name)?;
    key.deleted_time = Some(now);
    key.scheduled_purge_time = Some(now + Duration::days(vault.row.soft_delete_retention_days));
    db.update_key(&key)?;
    arm::unregister_resource(db, &vault.key_scope(&key.name))?;
    let version = version_of(db, &key, None)?;
    Ok(KeyView { vault: vault.clone(), key, version })
}

fn deleted_key(db: &Db, vault: &Vault, name: &str) -> Result<KeyRow> {
    match db.key_by_name(&vault.row.vault_id, name)? {
        Some(k) if k.deleted_time.is_some() => Ok(k),
        _ => Err(Error::not_found("Deleted key", name)),
    }
}

/// Recovers a soft-deleted key (`Undo-AzKeyVaultKeyRemoval`).
pub fn recover_key(db: &Db, who: &Requester, vault: &Vault, name: &str, now: DateTime<Utc>) -> Result<KeyView> {
    access::authorize(db, vault, Some(name), who, KeyOp::Recover)?;
    let mut key = deleted_key(db, vault, name)?;
    key.deleted_time = None;
    key.scheduled_purge_time = None;
    db.update_key(&key)?;
    register_key_resource(db, vault, &key.name, now)?;
    let version = version_of(db, &key, None)?;
    Ok(KeyView { vault: vault.clone(), key, version })
}

/// Purges a soft-deleted key for good. Under purge protection this is
/// refused: the key is purged only on its scheduled purge date.
pub fn purge_key(db: &Db, who: &Requester, vault: &Vault, name: &str) -> Result<()> {
    access::authorize(db, vault, Some(name), who, KeyOp::Purge)?;
    let key = deleted_key(db, vault, name)?;
    if vault.row.purge_protection {
        return Err(Error::new(
            ErrorCode::PurgeProtected,
            format!(
                "Key '{name}' is in {} '{}', which has purge protection: it cannot be purged before its scheduled purge date {}, when the vault purges it.",
                vault.kind().label().to_ascii_lowercase(),
                vault.name(),
                key.scheduled_purge_time.map(crate::time::to_display).unwrap_or_default()
            ),
        )
        .with_target(name));
    }
    purge_key_row(db, vault, &key)
}

/// Deletes a key for good with its versions and the role assignments at its
/// scope (a key created later with the same name starts without them).
fn purge_key_row(db: &Db, vault: &Vault, key: &KeyRow) -> Result<()> {
    db.delete_key(&key.key_id)?;
    crate::identity::rbac::delete_assignments_within(db, &vault.key_scope(&key.name)).map(drop)
}

/// Creates a new version like the current one (`Invoke-AzKeyVaultKeyRotation`).
pub fn rotate_key(
    db: &Db,
    store: &Store,
    who: &Requester,
    vault: &Vault,
    name: &str,
    now: DateTime<Utc>,
) -> Result<KeyView> {
    access::authorize(db, vault, Some(name), who, KeyOp::Rotate)?;
    let key = active_key(db, vault, name)?;
    new_version_like_current(db, store, vault, key, now)
}

fn new_version_like_current(db: &Db, store: &Store, vault: &Vault, key: KeyRow, at: DateTime<Utc>) -> Result<KeyView> {
    let current = version_of(db, &key, None)?;
    let private = PrivateKey::generate(current.key_size as usize)?;
    let version =
        store_version(db, store, &key, &private, &current.key_type, current.key_ops.clone(), true, None, None, at)?;
    finish_version(db, vault, key, version)
}

// ------------------------------------------------------------ rotation policy

/// A key's rotation policy (`Set-AzKeyVaultKeyRotationPolicy`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RotationPolicy {
    pub lifetime_actions: Vec<LifetimeAction>,
    pub expires_in: Option<String>,
    pub created_on: DateTime<Utc>,
    pub updated_on: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LifetimeAction {
    /// "Rotate" or "Notify".
    pub action: String,
    pub time_after_create: Option<String>,
    pub time_before_expiry: Option<String>,
}

impl LifetimeAction {
    /// A lifetime action in PowerShell's hashtable form
    /// (`-KeyRotationLifetimeAction @{Action='Rotate'; TimeAfterCreate='P18M'}`):
    /// names matched case-insensitively, `type` accepted for `Action`.
    pub fn from_fields(map: &Map<String, Value>) -> Result<LifetimeAction> {
        let field = |name: &str| -> Option<String> {
            map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str()).map(str::to_string)
        };
        Ok(LifetimeAction {
            action: field("Action")
                .or_else(|| field("type"))
                .ok_or_else(|| Error::invalid("A lifetime action needs Action = 'Rotate' or 'Notify'."))?,
            time_after_create: field("TimeAfterCreate"),
            time_before_expiry: field("TimeBeforeExpiry"),
        })
    }
}

/// A rotation policy in Key Vault's REST shape, as `-PolicyPath` files and
/// the body of `PUT /keys/{name}/rotationpolicy` hold it:
/// `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P18M"},"action":{"type":"Rotate"}}],"attributes":{"expiryTime":"P2Y"}}`.
/// Returns the lifetime actions and `attributes.expiryTime`; the rules are
/// checked when the policy is set ([`set_rotation_policy`]).
pub fn rotation_policy_from_json(doc: &Value) -> Result<(Vec<LifetimeAction>, Option<String>)> {
    let mut actions = Vec::new();
    for a in doc.get("lifetimeActions").and_then(Value::as_array).into_iter().flatten() {
        let trigger = a.get("trigger").cloned().unwrap_or(Value::Null);
        let get = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        actions.push(LifetimeAction {
            action: a
                .get("action")
                .and_then(|x| get(x, "type"))
                .ok_or_else(|| Error::invalid("Each lifetime action needs action.type."))?,
            time_after_create: get(&trigger, "timeAfterCreate"),
            time_before_expiry: get(&trigger, "timeBeforeExpiry"),
        });
    }
    let expires = doc.get("attributes").and_then(|a| a.get("expiryTime")).and_then(Value::as_str).map(str::to_string);
    Ok((actions, expires))
}

impl RotationPolicy {
    fn of(key: &KeyRow) -> Result<Option<RotationPolicy>> {
        key.rotation_policy
            .as_deref()
            .map(|text| serde_json::from_str(text).map_err(|e| Error::internal(format!("stored rotation policy: {e}"))))
            .transpose()
    }

    /// When the version should be rotated: creation plus TimeAfterCreate, or
    /// expiry minus TimeBeforeExpiry, whichever comes first.
    fn next_rotation(&self, version: &KeyVersionRow) -> Option<DateTime<Utc>> {
        self.lifetime_actions
            .iter()
            .filter(|a| a.action.eq_ignore_ascii_case("Rotate"))
            .filter_map(|a| {
                let after_create = a
                    .time_after_create
                    .as_deref()
                    .and_then(IsoDuration::parse)
                    .and_then(|d| d.after(version.created_time));
                let before_expiry = a
                    .time_before_expiry
                    .as_deref()
                    .and_then(IsoDuration::parse)
                    .zip(version.expires)
                    .and_then(|(d, exp)| d.before(exp));
                after_create.or(before_expiry)
            })
            .min()
    }

    /// The policy a key reports before one is set (Azure's default: notify 30 days before expiry).
    pub fn default_policy(now: DateTime<Utc>) -> RotationPolicy {
        RotationPolicy {
            lifetime_actions: vec![LifetimeAction {
                action: "Notify".into(),
                time_after_create: None,
                time_before_expiry: Some("P30D".into()),
            }],
            expires_in: None,
            created_on: now,
            updated_on: now,
        }
    }
}

/// Checks a policy as Key Vault does: ISO 8601 durations, ExpiresIn at least
/// 28 days, rotation at least 7 days after creation, one trigger per action,
/// and every trigger inside a version's lifetime: ExpiresIn longer than each
/// TimeAfterCreate (else versions expire before they rotate) and each
/// TimeBeforeExpiry (else a new version is due for rotation the moment it
/// is created).
fn validate_policy(actions: &[LifetimeAction], expires_in: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let duration = |text: &str, what: &str| {
        IsoDuration::parse(text).ok_or_else(|| {
            Error::invalid(format!("{what} '{text}' is not an ISO 8601 duration such as P30D, P18M or P2Y."))
        })
    };
    let lifetime = match expires_in {
        Some(e) => {
            let d = duration(e, "ExpiresIn")?;
            if !d.at_least_days(28, now) {
                return Err(Error::invalid(format!(
                    "ExpiresIn '{e}' is too short: a key's expiry must be at least 28 days (P28D)."
                )));
            }
            Some((e, d))
        }
        None => None,
    };
    // Durations compare by the time they reach from now (months have no fixed length).
    let within_lifetime = |d: IsoDuration, text: &str, what: &str| -> Result<()> {
        let Some((e, lifetime)) = lifetime else { return Ok(()) };
        let longer = match (d.after(now), lifetime.after(now)) {
            (Some(trigger), Some(expiry)) => trigger < expiry,
            _ => false,
        };
        if longer {
            return Ok(());
        }
        Err(Error::invalid(format!(
            "{what} '{text}' must be shorter than ExpiresIn '{e}': {}",
            if what == "TimeAfterCreate" {
                "each version would expire before the policy rotates it."
            } else {
                "each new version would be due for rotation the moment it is created."
            }
        )))
    };
    for a in actions {
        if !a.action.eq_ignore_ascii_case("Rotate") && !a.action.eq_ignore_ascii_case("Notify") {
            return Err(Error::invalid(format!("Lifetime action '{}' is not Rotate or Notify.", a.action)));
        }
        match (&a.time_after_create, &a.time_before_expiry) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(Error::invalid(
                    "Each lifetime action needs exactly one of TimeAfterCreate and TimeBeforeExpiry.",
                ))
            }
            (Some(t), None) => {
                if a.action.eq_ignore_ascii_case("Notify") {
                    return Err(Error::invalid("A Notify action takes TimeBeforeExpiry, not TimeAfterCreate."));
                }
                let d = duration(t, "TimeAfterCreate")?;
                if !d.at_least_days(7, now) {
                    return Err(Error::invalid(format!(
                        "TimeAfterCreate '{t}' is too short: rotate at least 7 days (P7D) after creation."
                    )));
                }
                within_lifetime(d, t, "TimeAfterCreate")?;
            }
            (None, Some(t)) => {
                let d = duration(t, "TimeBeforeExpiry")?;
                if expires_in.is_none() {
                    return Err(Error::invalid(
                        "TimeBeforeExpiry needs the policy's ExpiresIn, so that new versions have an expiry.",
                    ));
                }
                within_lifetime(d, t, "TimeBeforeExpiry")?;
            }
        }
    }
    Ok(())
}

pub fn set_rotation_policy(
    db: &Db,
    who: &Requester,
    vault: &Vault,
    name: &str,
    actions: Vec<LifetimeAction>,
    expires_in: Option<String>,
    now: DateTime<Utc>,
) -> Result<RotationPolicy> {
    access::authorize(db, vault, Some(name), who, KeyOp::SetRotationPolicy)?;
    let mut key = active_key(db, vault, name)?;
    validate_policy(&actions, expires_in.as_deref(), now)?;
    let created_on = RotationPolicy::of(&key)?.map(|p| p.created_on).unwrap_or(now);
    let policy = RotationPolicy { lifetime_actions: actions, expires_in, created_on, updated_on: now };
    key.rotation_policy = Some(serde_json::to_string(&policy).map_err(|e| Error::internal(e.to_string()))?);
    key.next_rotation_time = policy.next_rotation(&version_of(db, &key, None)?);
    db.update_key(&key)?;
    Ok(policy)
}

pub fn get_rotation_policy(
    db: &Db,
    who: &Requester,
    vault: &Vault,
    name: &str,
    now: DateTime<Utc>,
) -> Result<RotationPolicy> {
    access::authorize(db, vault, Some(name), who, KeyOp::GetRotationPolicy)?;
    let key = active_key(db, vault, name)?;
    Ok(RotationPolicy::of(&key)?.unwrap_or_else(|| RotationPolicy::default_policy(now)))
}

// --------------------------------------------------------- time-based actions

/// The versionless identifier of a key for maintenance reports (its id when
/// the vault cannot be read).
fn key_target(db: &Db, key: &KeyRow) -> String {
    match db.vault_by_id(&key.vault_id) {
        Ok(Some(row)) => key_id_url(&Vault { row }, &key.name, None),
        _ => key.key_id.clone(),
    }
}

/// Purges every soft-deleted key whose scheduled purge date has come, each
/// on its own: one that fails is reported and skipped.
pub(super) fn purge_due_keys(db: &Db, now: DateTime<Utc>) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for key in db.keys_due_for_purge(now)? {
        let target = key_target(db, &key);
        let time = key.scheduled_purge_time.unwrap_or(now);
        let purged = db.isolated(|db| {
            let vault = db
                .vault_by_id(&key.vault_id)?
                .map(|row| Vault { row })
                .ok_or_else(|| Error::internal(format!("the vault of key '{}' is missing", key.name)))?;
            purge_key_row(db, &vault, &key)
        })?;
        match purged {
            Ok(()) => events.push(Event::new(
                time,
                "PurgeKey",
                target,
                format!(
                    "deleted key '{}' reached its scheduled purge date and was purged with all its versions",
                    key.name
                ),
            )),
            Err(e) => {
                events.push(Event::failure(now, "PurgeKeyFailed", target, &format!("purging key '{}'", key.name), &e))
            }
        }
    }
    Ok(events)
}

/// How long a rotation that failed waits before the next attempt, so that a
/// broken key is not retried (and reported) on every command.
const ROTATION_RETRY: Duration = Duration::days(1);

/// Rotates every key whose policy says it is due, **at most once per key per
/// pass**, each key on its own (one that fails is reported, retried a day
/// later, and does not stop the others).
///
/// Rotations the clock skipped are not replayed: an overdue key gets one new
/// version, dated now, and the policy's schedule restarts from it. This is
/// what Key Vault's rotation service does after an outage, and it keeps a
/// pass bounded: replaying would generate one RSA key per skipped interval
/// (hundreds after `Set-PpCmkClock -AdvanceDays 3650`) inside one command,
/// for versions nothing ever used.
pub(super) fn rotate_due_keys(store: &Store, db: &Db, now: DateTime<Utc>) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for key in db.keys_due_for_rotation(now)? {
        let target = key_target(db, &key);
        let due = key.next_rotation_time.unwrap_or(now);
        let rotated = db.isolated(|db| {
            let vault = db
                .vault_by_id(&key.vault_id)?
                .map(|row| Vault { row })
                .ok_or_else(|| Error::internal(format!("the vault of key '{}' is missing", key.name)))?;
            new_version_like_current(db, store, &vault, key.clone(), now)
        })?;
        match rotated {
            Ok(view) => events.push(Event::new(
                now,
                "RotateKey",
                view.id(),
                format!(
                    "the rotation policy of key '{}' created version {} (due since {})",
                    view.key.name,
                    view.version.version,
                    crate::time::to_display(due)
                ),
            )),
            Err(e) => {
                let retry = now + ROTATION_RETRY;
                let mut later = key.clone();
                later.next_rotation_time = Some(retry);
                // Best effort: if even this fails, the next pass tries again.
                let _ = db.isolated(|db| db.update_key(&later))?;
                let what = format!("rotating key '{}' (retried after {})", key.name, crate::time::to_display(retry));
                events.push(Event::failure(now, "RotateKeyFailed", target, &what, &e));
            }
        }
    }
    Ok(events)
}

// ------------------------------------------------------- cryptographic operations

/// The result of a wrap or encrypt: the version used and the output.
#[derive(Debug, Clone)]
pub struct CryptoResult {
    pub key_id: String,
    pub version: String,
    pub value: Vec<u8>,
}

/// Whether the operation protects new data (wrapKey, encrypt; sign would be
/// one too). Only these are bound to a version's NotBefore/Expires window:
/// Key Vault still serves unwrapKey, decrypt (and verify) outside it, so that
/// data protected while the key was valid can always be recovered.
fn protects_new_data(op: KeyOp) -> bool {
    matches!(op, KeyOp::WrapKey | KeyOp::Encrypt | KeyOp::Sign)
}

/// A version may be used when it is enabled and allows the operation; for
/// wrapKey and encrypt it must also be active (past NotBefore) and not expired.
fn check_usable(key: &KeyRow, v: &KeyVersionRow, op: KeyOp, now: DateTime<Utc>) -> Result<()> {
    let name = op.permission();
    let fail = |why: String| Err(Error::new(ErrorCode::InvalidOperation, why).with_target(key.name.clone()));
    if !v.enabled {
        return fail(format!(
            "Operation {name} is not allowed on a disabled key: key '{}' version {} is disabled.",
            key.name, v.version
        ));
    }
    if protects_new_data(op) {
        if let Some(nb) = v.not_before.filter(|nb| now < *nb) {
            return fail(format!(
                "Operation {name} is not allowed: key '{}' version {} is not active until {} (unwrapKey and decrypt are).",
                key.name,
                v.version,
                crate::time::to_display(nb)
            ));
        }
        if let Some(exp) = v.expires.filter(|exp| now >= *exp) {
            return fail(format!(
                "Operation {name} is not allowed on an expired key: key '{}' version {} expired on {} (unwrapKey and decrypt still work, to recover data it protected).",
                key.name,
                v.version,
                crate::time::to_display(exp)
            ));
        }
    }
    if !v.key_ops.iter().any(|o| o.eq_ignore_ascii_case(name)) {
        return fail(format!(
            "Operation {name} is not permitted on key '{}': its key operations are {}.",
            key.name,
            v.key_ops.join(", ")
        ));
    }
    Ok(())
}

/// Whether a key version could serve `op` now (key present and not deleted,
/// version enabled, operation allowed; for wrapKey and encrypt also active
/// and not expired), without a cryptographic call or an authorisation check:
/// the service's health check.
pub fn check_usable_now(
    db: &Db,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    op: KeyOp,
    now: DateTime<Utc>,
) -> Result<()> {
    let key = active_key(db, vault, name)?;
    let v = version_of(db, &key, version)?;
    check_usable(&key, &v, op, now)
}

/// When a key version expires or expired (None: no expiry), for the
/// service's rule that an expired key takes its environments offline.
pub fn version_expiry(db: &Db, vault: &Vault, name: &str, version: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    let key = active_key(db, vault, name)?;
    Ok(version_of(db, &key, version)?.expires)
}

/// When a key version becomes usable and when it stops (activation, then
/// expiry; None: no such date): the instants at which the service's view of
/// it changes with time alone.
pub fn version_validity(
    db: &Db,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
) -> Result<[Option<DateTime<Utc>>; 2]> {
    let key = active_key(db, vault, name)?;
    let v = version_of(db, &key, version)?;
    Ok([v.not_before, v.expires])
}

/// The current version's identifier of an active key.
pub fn current_version_id(db: &Db, vault: &Vault, name: &str) -> Result<String> {
    let key = active_key(db, vault, name)?;
    let v = version_of(db, &key, None)?;
    Ok(key_id_url(vault, &key.name, Some(&v.version)))
}

/// Runs one cryptographic operation after every check, and audits it.
#[allow(clippy::too_many_arguments)]
fn crypto_operation(
    db: &Db,
    store: &Store,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    op: KeyOp,
    algorithm: OaepAlgorithm,
    input: &[u8],
    now: DateTime<Utc>,
) -> Result<(KeyView, Zeroizing<Vec<u8>>)> {
    let view = usable_view(db, who, vault, name, version, op, now)?;
    let output = match op {
        KeyOp::WrapKey | KeyOp::Encrypt => Zeroizing::new(view.public_key(store)?.wrap_key(algorithm, input)?),
        KeyOp::UnwrapKey | KeyOp::Decrypt => view.private_key(store)?.unwrap_key(algorithm, input)?,
        _ => return Err(Error::internal("not a cryptographic operation")),
    };
    audit_crypto(db, who, &view, op, algorithm.name(), now)?;
    Ok((view, output))
}

/// The version an operation may use, once the caller is authorised and every check passed.
fn usable_view(
    db: &Db,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    op: KeyOp,
    now: DateTime<Utc>,
) -> Result<KeyView> {
    access::authorize(db, vault, Some(name), who, op)?;
    let key = active_key(db, vault, name)?;
    let v = version_of(db, &key, version)?;
    check_usable(&key, &v, op, now)?;
    Ok(KeyView { vault: vault.clone(), key, version: v })
}

/// The audit entry of one use of a key, as Key Vault's logs record it
/// (group-committed when the command changes no state).
fn audit_crypto(
    db: &Db,
    who: &Requester,
    view: &KeyView,
    op: KeyOp,
    algorithm: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::append_key_use(
        db,
        &audit::Entry {
            time: now,
            principal: who.name.clone(),
            principal_id: Some(who.object_id.clone()),
            command: format!("KeyVault/{}", op.permission()),
            target: Some(view.id()),
            outcome: audit::Outcome::Succeeded,
            error_code: None,
            detail: Some(format!("{} with {algorithm}", op.permission())),
            environment: None,
            table: None,
        },
    )
}

/// What a signature operation returns: the signature (sign) or whether it holds (verify).
pub enum SignatureOutcome {
    Signed(Vec<u8>),
    Verified(bool),
}

/// Signs a digest with a key version, or verifies a signature of one
/// (`signature` given). Sign needs an active, unexpired version; verify,
/// like unwrap, works after expiry so that old signatures stay checkable.
#[allow(clippy::too_many_arguments)]
pub fn signature_operation(
    db: &Db,
    store: &Store,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    algorithm: SignatureAlgorithm,
    digest: &[u8],
    signature: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<(String, SignatureOutcome)> {
    let op = if signature.is_some() { KeyOp::Verify } else { KeyOp::Sign };
    let view = usable_view(db, who, vault, name, version, op, now)?;
    let outcome = match signature {
        Some(signature) => SignatureOutcome::Verified(view.public_key(store)?.verify(algorithm, digest, signature)?),
        None => SignatureOutcome::Signed(view.private_key(store)?.sign(algorithm, digest)?),
    };
    audit_crypto(db, who, &view, op, algorithm.name(), now)?;
    Ok((view.id(), outcome))
}

/// Wraps a data-encryption key (the current version unless one is named).
#[allow(clippy::too_many_arguments)]
pub fn wrap(
    db: &Db,
    store: &Store,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    algorithm: OaepAlgorithm,
    plaintext: &[u8],
    now: DateTime<Utc>,
) -> Result<CryptoResult> {
    let (view, out) =
        crypto_operation(db, store, who, vault, name, version, KeyOp::WrapKey, algorithm, plaintext, now)?;
    Ok(CryptoResult { key_id: view.id(), version: view.version.version.clone(), value: out.to_vec() })
}

/// Unwraps a wrapped key with the version that wrapped it.
#[allow(clippy::too_many_arguments)]
pub fn unwrap(
    db: &Db,
    store: &Store,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: &str,
    algorithm: OaepAlgorithm,
    wrapped: &[u8],
    now: DateTime<Utc>,
) -> Result<Zeroizing<Vec<u8>>> {
    crypto_operation(db, store, who, vault, name, Some(version), KeyOp::UnwrapKey, algorithm, wrapped, now)
        .map(|(_, out)| out)
}

/// `Invoke-AzKeyVaultKeyOperation`: Wrap, Unwrap, Encrypt or Decrypt.
#[allow(clippy::too_many_arguments)]
pub fn key_operation(
    db: &Db,
    store: &Store,
    who: &Requester,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    op: KeyOp,
    algorithm: OaepAlgorithm,
    input: &[u8],
    now: DateTime<Utc>,
) -> Result<CryptoResult> {
    let (view, out) = crypto_operation(db, store, who, vault, name, version, op, algorithm, input, now)?;
    Ok(CryptoResult { key_id: view.id(), version: view.version.version.clone(), value: out.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_parse() {
        let (kind, vault, key, version) =
            parse_key_id("https://contoso-kv.vault.azure.net:443/keys/cmk/0123abcd").unwrap();
        assert_eq!(
            (kind, vault.as_str(), key.as_str(), version.as_deref()),
            (VaultKind::Vault, "contoso-kv", "cmk", Some("0123abcd"))
        );
        let (kind, _, _, version) = parse_key_id("https://hsm1.managedhsm.azure.net/keys/k").unwrap();
        assert_eq!((kind, version), (VaultKind::ManagedHsm, None));
        for bad in [
            "http://v.vault.azure.net/keys/k",
            "https://v.example.com/keys/k",
            "https://v.vault.azure.net/secrets/s",
            "https://v.vault.azure.net/keys/",
        ] {
            assert!(parse_key_id(bad).is_err(), "{bad}");
        }
    }
}

/// One key version as a tenant snapshot describes it (public attributes
/// only: a snapshot never holds key material).
#[derive(Debug, Clone)]
pub struct SnapshotVersion {
    pub version: String,
    pub key_type: String,
    pub key_size: usize,
    pub key_ops: Vec<String>,
    pub enabled: bool,
    pub not_before: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// Recreates a key version of a snapshot under its real version id and
/// dates, with fresh key material generated here; creates the key on its
/// first version. Versions must come oldest first (they are numbered so).
pub fn import_snapshot_version(
    db: &Db,
    store: &Store,
    vault: &Vault,
    name: &str,
    v: &SnapshotVersion,
) -> Result<KeyVersionRow> {
    validate_key_name(name)?;
    let key = match db.key_by_name(&vault.row.vault_id, name)? {
        Some(k) => k,
        None => {
            let k = KeyRow {
                key_id: crate::crypto::new_guid(),
                vault_id: vault.row.vault_id.clone(),
                name: name.to_string(),
                tags: "{}".into(),
                rotation_policy: None,
                next_rotation_time: None,
                created_time: v.created,
                deleted_time: None,
                scheduled_purge_time: None,
            };
            db.insert_key(&k)?;
            register_key_resource(db, vault, name, v.created)?;
            k
        }
    };
    if db.key_version(&key.key_id, &v.version)?.is_some() {
        return Err(Error::new(ErrorCode::AlreadyExists, format!("Key '{name}' has version '{}' twice.", v.version)));
    }
    let private = PrivateKey::generate(check_size(v.key_size as i64)?)?;
    let public = private.public_key().to_pkcs1_der()?;
    let row = KeyVersionRow {
        key_id: key.key_id.clone(),
        version: v.version.clone(),
        seq: db.latest_key_version(&key.key_id)?.map(|l| l.seq + 1).unwrap_or(1),
        key_type: v.key_type.clone(),
        key_size: private.bits() as i64,
        key_ops: v.key_ops.clone(),
        enabled: v.enabled,
        not_before: v.not_before,
        expires: v.expires,
        created_time: v.created,
        updated_time: v.updated,
        public_sealed: store.master_key().seal(&public, &public_aad(&key.key_id, &v.version)),
        private_sealed: store.master_key().seal(&private.to_pkcs8_der()?, &private_aad(&key.key_id, &v.version)),
    };
    db.insert_key_version(&row)?;
    Ok(row)
}
