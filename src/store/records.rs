//! Sealed Dataverse records.

use super::sql::{Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: i64,
    pub table_name: String,
    pub record_id: String,
    pub generation: i64,
    pub sealed: Vec<u8>,
}

impl Db {
    /// Inserts a sealed record; false when the id is taken.
    pub fn insert_record(
        &self,
        env_key: i64,
        table: &str,
        record_id: &str,
        generation: i64,
        sealed: &[u8],
    ) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO records(env_key, table_name, record_id, generation, sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .checked()?;
        stmt.execute(params![env_key, table, record_id, generation, sealed]).checked().map(|n| n > 0)
    }

    pub fn record(&self, env_key: i64, table: &str, record_id: &str) -> Result<Option<RecordRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, table_name, record_id, generation, sealed FROM records
                 WHERE env_key = ?1 AND table_name = ?2 AND record_id = ?3",
            )
            .checked()?;
        stmt.query_row(params![env_key, table, record_id], record_from_row).opt()
    }

    /// Records of a table (or of all tables), in id order, after `after_id`.
    pub fn records_page(&self, env_key: i64, table: Option<&str>, after_id: i64, limit: i64) -> Result<Vec<RecordRow>> {
        self.rows(
            "SELECT id, table_name, record_id, generation, sealed FROM records
                 WHERE env_key = ?1 AND (?2 IS NULL OR table_name = ?2) AND id > ?3 ORDER BY id LIMIT ?4",
            params![env_key, table, after_id, limit],
            record_from_row,
        )
    }

    /// The lowest and highest record id of an environment: two descents of
    /// the environment index (`MIN` and `MAX` in one query scan it all).
    pub fn record_id_range(&self, env_key: i64) -> Result<Option<(i64, i64)>> {
        let end = |sql: &str| -> Result<Option<i64>> { self.conn.query_row(sql, [env_key], |r| r.get(0)).opt() };
        let lo = end("SELECT id FROM records WHERE env_key = ?1 ORDER BY id LIMIT 1")?;
        let hi = end("SELECT id FROM records WHERE env_key = ?1 ORDER BY id DESC LIMIT 1")?;
        Ok(lo.zip(hi))
    }

    /// Up to `limit` records of an environment with `after_id < id <= last_id`,
    /// in id order. Walks the table itself in rowid order rather than the
    /// environment index: one b-tree instead of two per record, which is
    /// most of the cost of a bulk re-encryption. The id range (from
    /// [`Db::record_id_range`]) keeps the walk inside the environment's span.
    pub fn records_after(&self, env_key: i64, after_id: i64, last_id: i64, limit: i64) -> Result<Vec<RecordRow>> {
        self.rows(
            "SELECT id, table_name, record_id, generation, sealed FROM records NOT INDEXED
                 WHERE id > ?2 AND id <= ?3 AND env_key = ?1 ORDER BY id LIMIT ?4",
            params![env_key, after_id, last_id, limit],
            record_from_row,
        )
    }

    /// [`Db::records_after`] without building rows: hands each record to
    /// `each`, borrowed from SQLite, until `limit` records or until `each`
    /// returns false; how many it handed. Bulk re-encryption copies them
    /// into buffers it reuses, so the walk allocates nothing per record.
    pub fn walk_records_after(
        &self,
        env_key: i64,
        after_id: i64,
        last_id: i64,
        limit: i64,
        mut each: impl FnMut(RecordRef<'_>) -> bool,
    ) -> Result<i64> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, table_name, record_id, generation, sealed FROM records NOT INDEXED
                 WHERE id > ?2 AND id <= ?3 AND env_key = ?1 ORDER BY id LIMIT ?4",
            )
            .checked()?;
        let mut rows = stmt.query(params![env_key, after_id, last_id, limit]).checked()?;
        let mut walked = 0;
        while let Some(r) = rows.next().checked()? {
            let record = RecordRef {
                id: r.get(0).checked()?,
                table_name: r.get_ref(1).and_then(|v| Ok(v.as_str()?)).checked()?,
                record_id: r.get_ref(2).and_then(|v| Ok(v.as_str()?)).checked()?,
                generation: r.get(3).checked()?,
                sealed: r.get_ref(4).and_then(|v| Ok(v.as_blob()?)).checked()?,
            };
            walked += 1;
            if !each(record) {
                break;
            }
        }
        Ok(walked)
    }

    /// One record by its row id, if it is the environment's.
    pub fn record_by_id(&self, env_key: i64, id: i64) -> Result<Option<RecordRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, table_name, record_id, generation, sealed FROM records WHERE id = ?1 AND env_key = ?2",
            )
            .checked()?;
        stmt.query_row(params![id, env_key], record_from_row).opt()
    }

    /// Replaces a record's generation and sealed value, only if it still
    /// holds `old_generation` and a sealed value starting with `old_prefix`
    /// (its format byte and nonce, unique to each sealing): false when
    /// another writer changed or deleted it since it was read.
    pub fn reseal_record(
        &self,
        id: i64,
        old_generation: i64,
        old_prefix: &[u8],
        generation: i64,
        sealed: &[u8],
    ) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE records SET generation = ?2, sealed = ?3
                 WHERE id = ?1 AND generation = ?4 AND substr(sealed, 1, ?5) = ?6",
            )
            .checked()?;
        stmt.execute(params![id, generation, sealed, old_generation, old_prefix.len() as i64, old_prefix])
            .checked()
            .map(|n| n > 0)
    }

    /// How many records an environment holds (from the index alone).
    pub fn count_records(&self, env_key: i64) -> Result<i64> {
        self.conn.query_row("SELECT COUNT(*) FROM records WHERE env_key = ?1", [env_key], |r| r.get(0)).checked()
    }

    pub fn update_record(&self, id: i64, generation: i64, sealed: &[u8]) -> Result<()> {
        let mut stmt =
            self.conn.prepare_cached("UPDATE records SET generation = ?2, sealed = ?3 WHERE id = ?1").checked()?;
        stmt.execute(params![id, generation, sealed]).checked().map(drop)
    }

    pub fn delete_record(&self, env_key: i64, table: &str, record_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "DELETE FROM records WHERE env_key = ?1 AND table_name = ?2 AND record_id = ?3",
                params![env_key, table, record_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn delete_records(&self, env_key: i64) -> Result<()> {
        self.conn.execute("DELETE FROM records WHERE env_key = ?1", [env_key]).checked().map(drop)
    }

    /// (generation, record count, sealed bytes) of an environment's records.
    pub fn record_stats(&self, env_key: i64) -> Result<Vec<(i64, i64, i64)>> {
        self.rows(
            "SELECT generation, COUNT(*), COALESCE(SUM(LENGTH(sealed)), 0) FROM records
                 WHERE env_key = ?1 GROUP BY generation ORDER BY generation",
            [env_key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }
}

/// A record as SQLite holds it during a walk (see [`Db::walk_records_after`]).
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    pub id: i64,
    pub table_name: &'a str,
    pub record_id: &'a str,
    pub generation: i64,
    pub sealed: &'a [u8],
}

pub(super) fn record_from_row(r: &Row) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        id: r.get(0)?,
        table_name: r.get(1)?,
        record_id: r.get(2)?,
        generation: r.get(3)?,
        sealed: r.get(4)?,
    })
}
