//! DEK generations, their wraps (one per protector), and which customer key
//! version each environment used when.

use super::sql::{opt_time, storage, time, Checked};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::params;

#[derive(Debug, Clone)]
pub struct DekWrapRow {
    pub env_key: i64,
    pub generation: i64,
    /// MMK, CMK or BYOK.
    pub protector: String,
    /// For CMK: the versioned key identifier; empty otherwise.
    pub key_id: String,
    pub wrapped: Vec<u8>,
    pub created_time: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct EnvKeyVersionRow {
    pub env_key: i64,
    pub key_id: String,
    pub policy_id: String,
    pub current_from: DateTime<Utc>,
    pub current_until: Option<DateTime<Utc>>,
}

impl Db {
    pub fn insert_dek_generation(&self, env_key: i64, generation: i64, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO dek_generations(env_key, generation, created_time) VALUES (?1, ?2, ?3)",
                params![env_key, generation, to_storage(at)],
            )
            .checked()
            .map(drop)
    }

    pub fn dek_generations(&self, env_key: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT generation FROM dek_generations WHERE env_key = ?1 ORDER BY generation")
            .checked()?;
        let rows = stmt.query_map([env_key], |r| r.get(0)).checked()?;
        rows.collect::<rusqlite::Result<Vec<i64>>>().checked()
    }

    pub fn max_dek_generation(&self, env_key: i64) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(generation), 0) FROM dek_generations WHERE env_key = ?1", [env_key], |r| {
                r.get(0)
            })
            .checked()
    }

    pub fn delete_dek_generation(&self, env_key: i64, generation: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM dek_generations WHERE env_key = ?1 AND generation = ?2", params![env_key, generation])
            .checked()
            .map(drop)
    }

    pub fn insert_dek_wrap(&self, w: &DekWrapRow) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO dek_wraps(env_key, generation, protector, key_id, wrapped, created_time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![w.env_key, w.generation, w.protector, w.key_id, w.wrapped, to_storage(w.created_time)],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_dek_wrap(&self, env_key: i64, generation: i64, protector: &str, key_id: &str) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM dek_wraps WHERE env_key = ?1 AND generation = ?2 AND protector = ?3 AND key_id = ?4",
                params![env_key, generation, protector, key_id],
            )
            .checked()
            .map(drop)
    }

    /// Every wrap of every DEK generation of an environment.
    pub fn dek_wraps(&self, env_key: i64) -> Result<Vec<DekWrapRow>> {
        self.rows(
            "SELECT env_key, generation, protector, key_id, wrapped, created_time FROM dek_wraps
                 WHERE env_key = ?1 ORDER BY generation, created_time",
            [env_key],
            |r| {
                Ok(DekWrapRow {
                    env_key: r.get(0)?,
                    generation: r.get(1)?,
                    protector: r.get(2)?,
                    key_id: r.get(3)?,
                    wrapped: r.get(4)?,
                    created_time: time(r, 5)?,
                })
            },
        )
    }

    pub fn env_key_versions(&self, env_key: i64) -> Result<Vec<EnvKeyVersionRow>> {
        self.rows(
            "SELECT env_key, key_id, policy_id, current_from, current_until FROM env_key_versions
                 WHERE env_key = ?1 ORDER BY current_from",
            [env_key],
            |r| {
                Ok(EnvKeyVersionRow {
                    env_key: r.get(0)?,
                    key_id: r.get(1)?,
                    policy_id: r.get(2)?,
                    current_from: time(r, 3)?,
                    current_until: opt_time(r, 4)?,
                })
            },
        )
    }

    pub fn set_env_key_version(&self, v: &EnvKeyVersionRow) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO env_key_versions(env_key, key_id, policy_id, current_from, current_until) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(env_key, key_id) DO UPDATE SET policy_id = excluded.policy_id,
                   current_from = excluded.current_from, current_until = excluded.current_until",
                params![v.env_key, v.key_id, v.policy_id, to_storage(v.current_from), storage(v.current_until)],
            )
            .checked()
            .map(drop)
    }

    /// Marks every current key version of an environment as no longer current.
    pub fn close_env_key_versions(&self, env_key: i64, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE env_key_versions SET current_until = ?2 WHERE env_key = ?1 AND current_until IS NULL",
                params![env_key, to_storage(at)],
            )
            .checked()
            .map(drop)
    }

    /// DEK generations still used by records or backups of an environment.
    /// The records are walked in rowid order over the environment's id span
    /// (as [`Db::records_after`] does): through the environment index, each
    /// row cost a second descent into the table, 4.5× slower at 1,000,000
    /// records, and the end of every link and unlink pays this scan.
    pub fn generations_in_use(&self, env_key: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT generation FROM records NOT INDEXED
                   WHERE id BETWEEN (SELECT id FROM records WHERE env_key = ?1 ORDER BY id LIMIT 1)
                     AND (SELECT id FROM records WHERE env_key = ?1 ORDER BY id DESC LIMIT 1)
                     AND env_key = ?1
                 UNION SELECT DISTINCT br.generation FROM backup_records br JOIN backups b ON b.backup_id = br.backup_id
                   WHERE b.env_key = ?1
                 UNION SELECT DISTINCT generation FROM flows WHERE env_key = ?1
                 UNION SELECT DISTINCT generation FROM flow_runs WHERE env_key = ?1
                 UNION SELECT DISTINCT generation FROM connections WHERE env_key = ?1",
            )
            .checked()?;
        let rows = stmt.query_map([env_key], |r| r.get(0)).checked()?;
        rows.collect::<rusqlite::Result<Vec<i64>>>().checked()
    }
}
