//! A throwaway database beside the store, to measure how fast this disk
//! takes a batch of sealed records the way a re-encryption writes them.

use super::store_error;
use crate::crypto::{hex, random_array};
use crate::error::Result;
use rusqlite::{params, Connection};
use std::path::Path;

/// Writes `blobs` to a new scratch database in `home` with the store's batch
/// settings (WAL, synchronous=NORMAL, 16 KiB pages), one transaction per
/// 1,000, checkpointed to the file; then deletes it. Only ciphertext is
/// written.
pub fn write_like_a_batch(home: &Path, blobs: &[Vec<u8>]) -> Result<()> {
    let path = home.join(format!(".scratch-{}.db", hex(&random_array::<6>())));
    let result = (|| -> rusqlite::Result<()> {
        let conn = Connection::open(&path)?;
        conn.execute_batch(
            "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE TABLE sample (id INTEGER PRIMARY KEY, sealed BLOB NOT NULL);",
        )?;
        for chunk in blobs.chunks(1000) {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            {
                let mut stmt = conn.prepare_cached("INSERT INTO sample(sealed) VALUES (?1)")?;
                for b in chunk {
                    stmt.execute(params![b])?;
                }
            }
            conn.execute_batch("COMMIT")?;
        }
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
    })();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    result.map_err(store_error)
}
