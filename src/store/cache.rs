//! The data-encryption keys a store handle has unwrapped, kept in memory
//! only (never written anywhere) and zeroized on drop. The environment area
//! decides what goes in and when a key must be re-checked; the cache lives
//! with the handle it belongs to.

use crate::crypto::SymmetricKey;
use std::collections::HashMap;
use std::sync::Mutex;

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
