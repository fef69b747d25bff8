//! Key Vault's per-vault throttle, at its published service limits
//! ("Azure Key Vault service limits", transactions per 10 s per vault):
//!
//! | key                     | software: create / other | HSM: create / other |
//! |-------------------------|--------------------------|---------------------|
//! | RSA 2,048-bit, every EC | 20 / 4,000               | 10 / 2,000          |
//! | RSA 3,072-bit           | 20 / 1,000               | 10 / 500            |
//! | RSA 4,096-bit           | 20 / 500                 | 10 / 250            |
//!
//! and 4,000 for secrets and every other transaction. The thresholds are
//! weighted and enforced on their sum: a transaction of a class whose limit
//! is L costs 4,000 / L units of a budget of 4,000 per sliding 10 s (or of
//! the `RequestsPer10Seconds` that `Set-PpCmkFault -Operation VaultThrottle`
//! keeps in the store). A request over the budget gets 429 `Throttled` with
//! `Retry-After` and is not counted, as Key Vault does. The counts live in
//! the server: the throttle is a property of the shared endpoint, so the
//! CLI's in-process commands are not throttled.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Key Vault's budget per vault and window, in RSA 2048-bit software key transactions.
pub const PUBLISHED_LIMIT: u32 = 4_000;
pub const WINDOW: Duration = Duration::from_secs(10);

/// What a transaction is, for its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Create (or import) a key; `hsm`: an HSM-protected key type.
    CreateKey { hsm: bool },
    /// Any other key transaction on a key of `bits` (RSA; 0 for EC, which weighs as RSA 2048).
    Key { bits: u32, hsm: bool },
    /// Secrets and everything else.
    Other,
}

impl Class {
    /// The published limit of the class, transactions per 10 s.
    pub fn published_limit(self) -> u32 {
        let (software, hsm) = match self {
            Class::CreateKey { hsm } => return if hsm { 10 } else { 20 },
            Class::Other => return PUBLISHED_LIMIT,
            Class::Key { bits, .. } if bits >= 4096 => (500, 250),
            Class::Key { bits, .. } if bits >= 3072 => (1_000, 500),
            Class::Key { .. } => (4_000, 2_000),
        };
        match self {
            Class::Key { hsm: true, .. } => hsm,
            _ => software,
        }
    }

    /// Units of the budget one transaction uses.
    pub fn cost(self) -> u32 {
        PUBLISHED_LIMIT / self.published_limit()
    }
}

#[derive(Default)]
struct Window {
    /// (when, cost) of the admitted transactions of the last 10 s.
    used: VecDeque<(Instant, u32)>,
    sum: u32,
}

/// The server's counts, per vault; off with `serve -Throttle Off`.
pub struct Throttle {
    enabled: bool,
    windows: Mutex<HashMap<String, Window>>,
    /// What each key is, learned from the key bundles the server returned
    /// (an unknown key weighs as RSA 2048 software).
    keys: Mutex<HashMap<(String, String), Class>>,
    /// Requests answered 429, per vault (the health route shows them).
    throttled: Mutex<HashMap<String, u64>>,
}

impl Throttle {
    pub fn new(enabled: bool) -> Throttle {
        Throttle { enabled, windows: Default::default(), keys: Default::default(), throttled: Default::default() }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Admits one transaction of `class` on `vault` against `limit` units
    /// per 10 s, or says how many seconds to wait (`Retry-After`).
    pub fn admit(&self, vault: &str, class: Class, limit: u32, now: Instant) -> Result<(), u64> {
        if !self.enabled {
            return Ok(());
        }
        let cost = class.cost();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let w = windows.entry(vault.to_ascii_lowercase()).or_default();
        while let Some(&(at, c)) = w.used.front() {
            if now.duration_since(at) < WINDOW {
                break;
            }
            w.used.pop_front();
            w.sum -= c;
        }
        // A transaction heavier than the whole budget (a create under a small
        // test limit) still goes through alone.
        if w.sum == 0 || w.sum.saturating_add(cost) <= limit {
            w.used.push_back((now, cost));
            w.sum += cost;
            return Ok(());
        }
        // Wait until enough of the window has expired for this one to fit.
        let mut freed = 0u32;
        let mut wait = WINDOW;
        for &(at, c) in &w.used {
            freed += c;
            if w.sum - freed + cost <= limit || w.sum == freed {
                wait = (at + WINDOW).saturating_duration_since(now);
                break;
            }
        }
        drop(windows);
        *self.throttled.lock().unwrap_or_else(|p| p.into_inner()).entry(vault.to_ascii_lowercase()).or_default() += 1;
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// What `key` in `vault` is, as far as the server has seen it.
    pub fn key_class(&self, vault: &str, key: &str) -> Class {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.get(&(vault.to_ascii_lowercase(), key.to_ascii_lowercase()))
            .copied()
            .unwrap_or(Class::Key { bits: 2048, hsm: false })
    }

    /// Remembers what a key is, from a JSON web key the server returned.
    pub fn learn_key(&self, vault: &str, key: &str, jwk: &serde_json::Value) {
        let kty = jwk.get("kty").and_then(|v| v.as_str()).unwrap_or_default();
        let hsm = kty.ends_with("-HSM");
        // The modulus in base64url: 4 characters per 3 bytes.
        let bits = jwk.get("n").and_then(|v| v.as_str()).map(|n| (n.len() * 6 / 8 * 8) as u32).unwrap_or(0);
        let class = Class::Key { bits: if kty.starts_with("RSA") { bits } else { 0 }, hsm };
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((vault.to_ascii_lowercase(), key.to_ascii_lowercase()), class);
    }

    /// Requests answered 429, per vault, since the server started.
    pub fn throttled(&self) -> HashMap<String, u64> {
        self.throttled.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_weights() {
        assert_eq!(Class::Key { bits: 2048, hsm: false }.cost(), 1);
        assert_eq!(Class::Key { bits: 4096, hsm: false }.cost(), 8);
        assert_eq!(Class::Key { bits: 4096, hsm: true }.cost(), 16);
        assert_eq!(Class::Key { bits: 3072, hsm: true }.cost(), 8);
        assert_eq!(Class::CreateKey { hsm: false }.cost(), 200);
        assert_eq!(Class::CreateKey { hsm: true }.cost(), 400);
        assert_eq!(Class::Other.cost(), 1);
    }

    #[test]
    fn a_sliding_window_of_ten_seconds() {
        let t = Throttle::new(true);
        let start = Instant::now();
        let other = Class::Other;
        for _ in 0..20 {
            assert!(t.admit("kv", other, 20, start).is_ok());
        }
        let wait = t.admit("KV", other, 20, start + Duration::from_secs(3)).unwrap_err();
        assert_eq!(wait, 7, "the first transactions leave the window after 10 s");
        assert!(t.admit("kv", other, 20, start + WINDOW).is_ok());
        assert_eq!(t.throttled().get("kv"), Some(&1));
        // 4096-bit keys weigh 8: two fit in 20 units, not three.
        let big = Class::Key { bits: 4096, hsm: false };
        let later = start + Duration::from_secs(60);
        assert!(t.admit("kv2", big, 20, later).is_ok());
        assert!(t.admit("kv2", big, 20, later).is_ok());
        assert!(t.admit("kv2", big, 20, later).is_err());
        // Off: never throttled.
        let off = Throttle::new(false);
        for _ in 0..100 {
            assert!(off.admit("kv", big, 1, start).is_ok());
        }
    }

    #[test]
    fn key_classes_are_learned_from_key_bundles() {
        let t = Throttle::new(true);
        let n4096 = "A".repeat(683); // 512 bytes in base64url
        t.learn_key("kv", "big", &serde_json::json!({"kty": "RSA-HSM", "n": n4096}));
        assert_eq!(t.key_class("KV", "BIG"), Class::Key { bits: 4096, hsm: true });
        assert_eq!(t.key_class("kv", "unknown"), Class::Key { bits: 2048, hsm: false });
    }
}
