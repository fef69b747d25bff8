//! The data-encryption keys a store handle has unwrapped, and the key vault
//! keys it has unsealed, kept in memory only (never written anywhere) and
//! zeroized on drop. The areas above decide what goes in and when a key
//! must be re-checked; the caches live with the handle they belong to.

use crate::crypto::rsa::{PrivateKey, PublicKey};
use crate::crypto::SymmetricKey;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A cached DEK and what it was opened with.
#[derive(Clone)]
pub(crate) struct CachedDek {
    pub(crate) key: SymmetricKey,
    /// For a DEK opened through a customer key: (policy id, versioned key id),
    /// re-checked once per command before the cache serves it again.
    pub(crate) customer_key: Option<(String, String)>,
    /// The command (epoch) in which access was last confirmed.
    pub(crate) epoch: u64,
}

/// Unwrapped DEKs of this handle, by (environment id, generation). A DEK
/// opened through a customer key is served only while that key can still be
/// used: the cache re-checks access once per command, so revoking, disabling
/// or purging the key takes effect on a long-lived handle too. Cleared when
/// an environment locks, is reset or deleted.
#[derive(Default)]
pub struct DekCache {
    keys: Mutex<HashMap<(String, i64), CachedDek>>,
    epoch: std::sync::atomic::AtomicU64,
}

impl DekCache {
    /// Starts a new command: customer-key DEKs are re-checked before reuse.
    pub fn next_epoch(&self) {
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    pub(crate) fn current_epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn get(&self, env: &str, generation: i64) -> Option<CachedDek> {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).get(&(env.to_ascii_lowercase(), generation)).cloned()
    }

    pub(crate) fn put(&self, env: &str, generation: i64, key: SymmetricKey, customer_key: Option<(String, String)>) {
        let entry = CachedDek { key, customer_key, epoch: self.current_epoch() };
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).insert((env.to_ascii_lowercase(), generation), entry);
    }

    pub(crate) fn confirm(&self, env: &str, generation: i64) {
        let epoch = self.current_epoch();
        if let Some(e) =
            self.keys.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&(env.to_ascii_lowercase(), generation))
        {
            e.epoch = epoch;
        }
    }

    pub(crate) fn evict(&self, env: &str, generation: i64) {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).remove(&(env.to_ascii_lowercase(), generation));
    }

    /// Forgets every DEK of an environment.
    pub fn forget(&self, env: &str) {
        let env = env.to_ascii_lowercase();
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).retain(|(e, _), _| *e != env);
    }
}

/// Unsealed RSA key material of a key vault key version, as this handle
/// opened it from the store: the public key for wrap, encrypt and verify,
/// the private key for unwrap, decrypt and sign.
enum Material {
    Public(Arc<PublicKey>),
    Private(Arc<PrivateKey>),
}

/// Key vault keys this handle has unsealed, by (key id, version, private?).
/// It saves only the unsealing and parsing (AES-GCM, DER, the key's
/// precomputed values): every operation is still authorised first, against
/// the key's rows read in its own transaction, so revoking access, disabling,
/// deleting or purging a key takes effect at once. An entry also remembers
/// the sealed bytes it was opened from and serves only a caller holding the
/// same bytes, so it can never stand for material the store no longer has.
/// Cleared whenever a key or vault row is deleted through this handle (so a
/// purged key's private key leaves memory at once) and when it is full;
/// private keys are zeroized on drop (the rsa crate does it).
#[derive(Default)]
pub(crate) struct KeyMaterialCache {
    entries: Mutex<HashMap<MaterialId, (Vec<u8>, Material)>>,
}

/// (key id, version, private?).
type MaterialId = (String, String, bool);

/// More versions than a handle uses at once; past it the cache starts over.
const KEY_MATERIAL_ENTRIES: usize = 64;

impl KeyMaterialCache {
    /// The public key opened from `sealed`, if this handle has it.
    pub(crate) fn public(&self, key_id: &str, version: &str, sealed: &[u8]) -> Option<Arc<PublicKey>> {
        match self.get(key_id, version, false, sealed)? {
            Material::Public(k) => Some(k),
            Material::Private(_) => None,
        }
    }

    /// The private key opened from `sealed`, if this handle has it.
    pub(crate) fn private(&self, key_id: &str, version: &str, sealed: &[u8]) -> Option<Arc<PrivateKey>> {
        match self.get(key_id, version, true, sealed)? {
            Material::Private(k) => Some(k),
            Material::Public(_) => None,
        }
    }

    pub(crate) fn put_public(&self, key_id: &str, version: &str, sealed: &[u8], key: Arc<PublicKey>) {
        self.put(key_id, version, false, sealed, Material::Public(key));
    }

    pub(crate) fn put_private(&self, key_id: &str, version: &str, sealed: &[u8], key: Arc<PrivateKey>) {
        self.put(key_id, version, true, sealed, Material::Private(key));
    }

    /// Forgets every entry (a key or a vault was deleted).
    pub(crate) fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// How many versions' material this handle holds (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    fn get(&self, key_id: &str, version: &str, private: bool, sealed: &[u8]) -> Option<Material> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (opened_from, material) = entries.get(&(key_id.to_string(), version.to_string(), private))?;
        if opened_from.as_slice() != sealed {
            return None;
        }
        Some(match material {
            Material::Public(k) => Material::Public(k.clone()),
            Material::Private(k) => Material::Private(k.clone()),
        })
    }

    fn put(&self, key_id: &str, version: &str, private: bool, sealed: &[u8], material: Material) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= KEY_MATERIAL_ENTRIES {
            entries.clear();
        }
        entries.insert((key_id.to_string(), version.to_string(), private), (sealed.to_vec(), material));
    }
}
