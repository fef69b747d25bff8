//! Pieces the crash-injection and soak harnesses share: a seeded random
//! number generator (so a failing run replays from its printed seed), knobs
//! read from environment variables, and copies of a store folder.
#![allow(dead_code)]

use std::path::Path;

/// xorshift64*: tiny, deterministic for a seed, and good enough to pick
/// kill points and workloads (nothing here needs cryptographic randomness).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // Any seed works, 0 included: mix it so that nearby seeds diverge at once.
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(0xBF58_476D_1CE4_E5B9) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// The seed in `var`, or a new one from the clock; printed either way so
/// that `var=<seed>` replays a failing run.
pub fn seed(var: &str) -> u64 {
    let seed = match std::env::var(var) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{var}={v} is not a number")),
        Err(_) => {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
            t.as_nanos() as u64 ^ u64::from(std::process::id()) << 32
        }
    };
    println!("seed {seed} (replay with {var}={seed})");
    seed
}

/// A whole number from `var`, or `default` when unset.
pub fn knob(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{var}={v} is not a whole number")),
        Err(_) => default,
    }
}

/// Copies a closed store: folds the WAL into the database file first, so the
/// copy is what `ppcmk` leaves behind after a clean exit (the database and
/// its master key). Nothing may be writing to `home` meanwhile.
pub fn snapshot_store(home: &Path, to: &Path) {
    let conn = rusqlite::Connection::open(home.join("ppcmk.db")).unwrap();
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(busy, 0, "the checkpoint before a snapshot found the store in use");
    drop(conn);
    std::fs::create_dir_all(to).unwrap();
    for file in ["ppcmk.db", "master.key"] {
        std::fs::copy(home.join(file), to.join(file)).unwrap();
    }
}

/// Copies every file of a store folder (a snapshot made by [`snapshot_store`]).
pub fn copy_store(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
