//! Data-encryption keys (DEKs): each environment has numbered DEK
//! generations; records are sealed under one of them. A DEK is stored only
//! wrapped — by the service's Microsoft-managed key (MMK), by a version of
//! the customer's key through the key vault as the enterprise policy's
//! identity (CMK), or by the tenant's legacy BYOK key — and lives unwrapped
//! only in memory, in a per-handle cache, zeroized on drop.

use super::Environment;
use crate::crypto::rsa::{OaepAlgorithm, PrivateKey};
use crate::crypto::SymmetricKey;
use crate::error::{Error, ErrorCode, Result};
use crate::keyvault::{self, keys};
use crate::policy::Policy;
use crate::store::{Db, DekWrapRow, Store};
use chrono::{DateTime, Utc};

/// What protects a DEK generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protector {
    /// The service's Microsoft-managed key.
    Mmk,
    /// A customer key version (versioned key identifier), through a policy.
    Cmk { key_id: String },
    /// The tenant's legacy bring-your-own-key key.
    Byok,
}

impl Protector {
    pub fn kind(&self) -> &'static str {
        match self {
            Protector::Mmk => "MMK",
            Protector::Cmk { .. } => "CMK",
            Protector::Byok => "BYOK",
        }
    }

    fn key_id(&self) -> &str {
        match self {
            Protector::Cmk { key_id } => key_id,
            _ => "",
        }
    }
}

const MMK: &str = "mmk";
pub(crate) const BYOK: &str = "byok";

fn mmk_aad() -> &'static [u8] {
    b"ppcmk/service-key/mmk"
}

pub(crate) fn byok_aad() -> &'static [u8] {
    b"ppcmk/service-key/byok"
}

/// Creates the service's Microsoft-managed key if the store has none.
pub fn ensure_mmk(store: &Store, db: &Db, now: DateTime<Utc>) -> Result<()> {
    if db.service_key(MMK)?.is_none() {
        let key = SymmetricKey::generate();
        db.set_service_key(MMK, &store.master_key().seal(key.as_bytes(), mmk_aad()), now)?;
    }
    Ok(())
}

fn mmk(store: &Store, db: &Db) -> Result<SymmetricKey> {
    let sealed =
        db.service_key(MMK)?.ok_or_else(|| Error::internal("the service's Microsoft-managed key is missing"))?;
    SymmetricKey::from_bytes(&store.master_key().open(&sealed, mmk_aad())?)
}

pub(crate) fn byok_key(store: &Store, db: &Db) -> Result<PrivateKey> {
    let sealed = db.service_key(BYOK)?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            "The tenant has no BYOK protection key; import one with Set-PpCmkTenantByokKey -KeyFilePath.",
        )
    })?;
    PrivateKey::from_pkcs8_der(&store.master_key().open(&sealed, byok_aad())?)
}

/// Binds a wrapped DEK to its environment, generation and protector.
fn wrap_aad(env: &Environment, generation: i64, protector: &str) -> Vec<u8> {
    format!("ppcmk/dek/{}/{generation}/{protector}", env.row.environment_id.to_ascii_lowercase()).into_bytes()
}

/// Creates a new DEK generation for `env` (the next number), caches it, and
/// returns it with its number. The caller wraps it.
pub fn new_generation(store: &Store, db: &Db, env: &Environment, now: DateTime<Utc>) -> Result<(i64, SymmetricKey)> {
    let generation = db.max_dek_generation(env.row.env_key)? + 1;
    db.insert_dek_generation(env.row.env_key, generation, now)?;
    let key = SymmetricKey::generate();
    store.deks.put(&env.row.environment_id, generation, key.clone(), None);
    Ok((generation, key))
}

/// Wraps a generation's DEK with a protector and stores the wrap. For CMK
/// the key vault wraps it as the policy's identity (current version, or the
/// policy's pinned one) and the returned protector names the version used.
#[allow(clippy::too_many_arguments)] // the store handles, the subject, its parameters and the clock
pub fn add_wrap(
    store: &Store,
    db: &Db,
    env: &Environment,
    generation: i64,
    dek: &SymmetricKey,
    protector: &Protector,
    policy: Option<&Policy>,
    now: DateTime<Utc>,
) -> Result<Protector> {
    let (wrapped, used) = match protector {
        Protector::Mmk => (mmk(store, db)?.seal(dek.as_bytes(), &wrap_aad(env, generation, "MMK")), Protector::Mmk),
        Protector::Byok => {
            (byok_key(store, db)?.public_key().wrap_key(OaepAlgorithm::RsaOaep256, dek.as_bytes())?, Protector::Byok)
        }
        Protector::Cmk { key_id } => {
            let policy = policy.ok_or_else(|| Error::internal("a CMK wrap needs the enterprise policy"))?;
            let vault = policy.vault(db)?;
            let version = keys::parse_key_id(key_id).ok().and_then(|(_, _, _, v)| v).or(policy.row.key_version.clone());
            let r = keys::wrap(
                db,
                store,
                &policy.requester(db)?,
                &vault,
                &policy.row.key_name,
                version.as_deref(),
                OaepAlgorithm::RsaOaep256,
                dek.as_bytes(),
                now,
            )?;
            (r.value, Protector::Cmk { key_id: r.key_id })
        }
    };
    db.insert_dek_wrap(&DekWrapRow {
        env_key: env.row.env_key,
        generation,
        protector: used.kind().into(),
        key_id: used.key_id().into(),
        wrapped,
        created_time: now,
    })?;
    Ok(used)
}

/// The policy (current or earlier) through which the environment wrapped with `key_id`.
fn policy_for_key(db: &Db, env: &Environment, key_id: &str) -> Result<Policy> {
    let versions = db.env_key_versions(env.row.env_key)?;
    let policy_id = versions
        .iter()
        .find(|v| v.key_id.eq_ignore_ascii_case(key_id))
        .map(|v| v.policy_id.clone())
        .or_else(|| env.row.policy_id.clone())
        .or_else(|| env.row.previous_policy_id.clone())
        .ok_or_else(|| Error::internal(format!("no enterprise policy is known for {key_id}")))?;
    db.policy(&policy_id)?.map(|row| Policy { row }).ok_or_else(|| {
        Error::new(
            ErrorCode::KeyVaultAccessDenied,
            format!("The enterprise policy whose identity wrapped this environment's key with {key_id} was deleted; the key cannot be reached."),
        )
    })
}

/// Unwraps one stored wrap.
fn open_wrap(store: &Store, db: &Db, env: &Environment, w: &DekWrapRow, now: DateTime<Utc>) -> Result<SymmetricKey> {
    let plain = match w.protector.as_str() {
        "MMK" => mmk(store, db)?.open(&w.wrapped, &wrap_aad(env, w.generation, "MMK"))?,
        "BYOK" => byok_key(store, db)?.unwrap_key(OaepAlgorithm::RsaOaep256, &w.wrapped)?,
        "CMK" => {
            let policy = policy_for_key(db, env, &w.key_id)?;
            let (_, _, name, version) = keys::parse_key_id(&w.key_id)?;
            let vault = match keyvault::vault_by_resource_id(db, &policy.row.key_vault_id)? {
                Some(v) if !v.is_deleted() => v,
                _ => {
                    return Err(Error::new(
                        ErrorCode::KeyVaultAccessDenied,
                        format!("The key vault holding {} is deleted or gone.", w.key_id),
                    ))
                }
            };
            let version = version.ok_or_else(|| Error::internal("a CMK wrap names its key version"))?;
            keys::unwrap(
                db,
                store,
                &policy.requester(db)?,
                &vault,
                &name,
                &version,
                OaepAlgorithm::RsaOaep256,
                &w.wrapped,
                now,
            )?
        }
        other => return Err(Error::internal(format!("unknown protector {other}"))),
    };
    SymmetricKey::from_bytes(&plain)
}

/// Whether the policy's identity can still unwrap with this key version
/// (network, permission, key and version state), without a cryptographic call.
fn customer_key_usable(db: &Db, policy_id: &str, key_id: &str, now: DateTime<Utc>) -> Result<bool> {
    let Some(row) = db.policy(policy_id)? else { return Ok(false) };
    let policy = Policy { row };
    let Ok(vault) = policy.vault(db) else { return Ok(false) };
    let Ok((_, _, name, version)) = keys::parse_key_id(key_id) else { return Ok(false) };
    let who = policy.requester(db)?;
    Ok(keyvault::access::authorize(db, &vault, Some(&name), &who, keyvault::access::KeyOp::UnwrapKey).is_ok()
        && keys::check_usable_now(db, &vault, &name, version.as_deref(), keyvault::access::KeyOp::UnwrapKey, now)
            .is_ok())
}

/// The DEK of one generation: from the cache, or unwrapped by the first
/// protector that can open it (the last error is reported if none can).
pub fn dek(store: &Store, db: &Db, env: &Environment, generation: i64, now: DateTime<Utc>) -> Result<SymmetricKey> {
    if let Some(cached) = store.deks.get(&env.row.environment_id, generation) {
        match &cached.customer_key {
            None => return Ok(cached.key),
            Some(_) if cached.epoch == store.deks.current_epoch() => return Ok(cached.key),
            Some((policy_id, key_id)) => {
                if customer_key_usable(db, policy_id, key_id, now)? {
                    store.deks.confirm(&env.row.environment_id, generation);
                    return Ok(cached.key);
                }
                store.deks.evict(&env.row.environment_id, generation);
            }
        }
    }
    let wraps: Vec<DekWrapRow> =
        db.dek_wraps(env.row.env_key)?.into_iter().filter(|w| w.generation == generation).collect();
    let mut last_error = Error::new(
        ErrorCode::KeyVaultAccessDenied,
        format!("Environment '{}' has no usable key for its data (generation {generation}).", env.row.display_name),
    );
    for w in &wraps {
        match open_wrap(store, db, env, w, now) {
            Ok(key) => {
                let customer_key = match w.protector.as_str() {
                    "CMK" => Some((policy_for_key(db, env, &w.key_id)?.row.policy_id, w.key_id.clone())),
                    _ => None,
                };
                store.deks.put(&env.row.environment_id, generation, key.clone(), customer_key);
                return Ok(key);
            }
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// Removes the wraps of one protector kind (e.g. an escrow) from a generation.
pub fn drop_wraps(db: &Db, env: &Environment, generation: i64, protector_kind: &str) -> Result<()> {
    for w in db
        .dek_wraps(env.row.env_key)?
        .into_iter()
        .filter(|w| w.generation == generation && w.protector == protector_kind)
    {
        db.delete_dek_wrap(w.env_key, w.generation, &w.protector, &w.key_id)?;
    }
    Ok(())
}

/// The associated data that binds a record's ciphertext to its place.
pub fn record_aad(env: &Environment, table: &str, record_id: &str, generation: i64) -> Vec<u8> {
    let mut aad = Vec::new();
    record_aad_into(&mut aad, env, table, record_id, generation);
    aad
}

/// [`record_aad`] into a buffer the caller reuses (bulk re-encryption),
/// without the formatting machinery, which cost more than the copies.
pub fn record_aad_into(aad: &mut Vec<u8>, env: &Environment, table: &str, record_id: &str, generation: i64) {
    aad.clear();
    aad.extend_from_slice(b"ppcmk/record/");
    aad.extend(env.row.environment_id.bytes().map(|b| b.to_ascii_lowercase()));
    for part in [table, record_id] {
        aad.push(b'/');
        aad.extend_from_slice(part.as_bytes());
    }
    aad.push(b'/');
    crate::crypto::push_decimal(aad, generation);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records sealed before `record_aad_into` existed must still open: its
    /// bytes are exactly the format string's.
    #[test]
    fn record_aad_is_the_format_it_always_was() {
        let env = Environment {
            row: crate::store::EnvironmentRow {
                environment_id: "A1B2c3d4-0000-0000-0000-00000000ABCD".into(),
                ..Default::default()
            },
        };
        for generation in [0, 1, 2, 9, 10, 127, 128, 4096, 1_000_000_007, i64::MAX, -1, i64::MIN] {
            let expected = format!(
                "ppcmk/record/{}/account/rec-000000001-ab12/{generation}",
                env.row.environment_id.to_ascii_lowercase()
            );
            assert_eq!(record_aad(&env, "account", "rec-000000001-ab12", generation), expected.as_bytes());
        }
    }
}
