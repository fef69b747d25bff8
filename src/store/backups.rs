//! Backups and the sealed records they hold.

use super::records::{record_from_row, RecordRow};
use super::sql::{time, Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct BackupRow {
    pub backup_id: String,
    pub env_key: i64,
    pub label: String,
    pub created_time: DateTime<Utc>,
    pub protector: String,
    pub key_id: Option<String>,
    pub record_count: i64,
}

impl Db {
    pub fn insert_backup(&self, b: &BackupRow) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO backups(backup_id, env_key, label, created_time, protector, key_id, record_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    b.backup_id,
                    b.env_key,
                    b.label,
                    to_storage(b.created_time),
                    b.protector,
                    b.key_id,
                    b.record_count
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn set_backup_record_count(&self, backup_id: &str, count: i64) -> Result<()> {
        self.conn
            .execute("UPDATE backups SET record_count = ?2 WHERE backup_id = ?1", params![backup_id, count])
            .checked()
            .map(drop)
    }

    /// Copies an environment's sealed records into a backup, as they are.
    pub fn copy_records_to_backup(&self, env_key: i64, backup_id: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO backup_records(backup_id, table_name, record_id, generation, sealed)
                 SELECT ?2, table_name, record_id, generation, sealed FROM records WHERE env_key = ?1",
                params![env_key, backup_id],
            )
            .checked()
            .map(|n| n as i64)
    }

    pub fn backups(&self, env_key: i64) -> Result<Vec<BackupRow>> {
        self.rows(
            "SELECT backup_id, env_key, label, created_time, protector, key_id, record_count FROM backups
                 WHERE env_key = ?1 ORDER BY created_time",
            [env_key],
            backup_from_row,
        )
    }

    pub fn backup(&self, backup_id: &str) -> Result<Option<BackupRow>> {
        self.conn
            .query_row(
                "SELECT backup_id, env_key, label, created_time, protector, key_id, record_count FROM backups WHERE backup_id = ?1",
                [backup_id],
                backup_from_row,
            )
            .opt()
    }

    pub fn delete_backups(&self, env_key: i64) -> Result<()> {
        self.conn.execute("DELETE FROM backups WHERE env_key = ?1", [env_key]).checked().map(drop)
    }

    /// A page of a backup's records, after `after_rowid`.
    /// (generation, records) over every backup of an environment.
    pub fn backup_record_generations(&self, env_key: i64) -> Result<Vec<(i64, i64)>> {
        self.rows(
            "SELECT br.generation, COUNT(*) FROM backup_records br JOIN backups b ON b.backup_id = br.backup_id
                 WHERE b.env_key = ?1 GROUP BY br.generation ORDER BY br.generation",
            [env_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    pub fn backup_records_page(&self, backup_id: &str, after_rowid: i64, limit: i64) -> Result<Vec<RecordRow>> {
        self.rows(
            "SELECT rowid, table_name, record_id, generation, sealed FROM backup_records
                 WHERE backup_id = ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3",
            params![backup_id, after_rowid, limit],
            record_from_row,
        )
    }
}

fn backup_from_row(r: &Row) -> rusqlite::Result<BackupRow> {
    Ok(BackupRow {
        backup_id: r.get(0)?,
        env_key: r.get(1)?,
        label: r.get(2)?,
        created_time: time(r, 3)?,
        protector: r.get(4)?,
        key_id: r.get(5)?,
        record_count: r.get(6)?,
    })
}
