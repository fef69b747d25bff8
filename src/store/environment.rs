//! Environments.

use super::sql::{opt_time, storage, time, Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone, Default)]
pub struct EnvironmentRow {
    pub env_key: i64,
    pub environment_id: String,
    pub display_name: String,
    pub location: String,
    pub sku: String,
    pub is_default: bool,
    pub has_database: bool,
    pub is_managed: bool,
    /// Ready, Disabled or Locked.
    pub state: String,
    pub state_reason: Option<String>,
    pub locked_since: Option<DateTime<Utc>>,
    /// What protects the current DEK generation: MMK, CMK or BYOK.
    pub protector: String,
    pub policy_id: Option<String>,
    /// Linked, or Failed after an add that did not complete.
    pub link_status: Option<String>,
    pub linked_time: Option<DateTime<Utc>>,
    pub byok_migrated_time: Option<DateTime<Utc>>,
    pub previous_policy_id: Option<String>,
    pub unlinked_time: Option<DateTime<Utc>>,
    pub current_generation: i64,
    /// Environment settings as a JSON object text.
    pub settings: String,
    pub created_time: DateTime<Utc>,
    pub created_by: String,
}

const ENV_COLUMNS: &str =
    "env_key, environment_id, display_name, location, sku, is_default, has_database, is_managed, \
     state, state_reason, locked_since, protector, policy_id, link_status, linked_time, byok_migrated_time, \
     previous_policy_id, unlinked_time, current_generation, settings, created_time, created_by";

fn env_from_row(r: &Row) -> rusqlite::Result<EnvironmentRow> {
    Ok(EnvironmentRow {
        env_key: r.get(0)?,
        environment_id: r.get(1)?,
        display_name: r.get(2)?,
        location: r.get(3)?,
        sku: r.get(4)?,
        is_default: r.get(5)?,
        has_database: r.get(6)?,
        is_managed: r.get(7)?,
        state: r.get(8)?,
        state_reason: r.get(9)?,
        locked_since: opt_time(r, 10)?,
        protector: r.get(11)?,
        policy_id: r.get(12)?,
        link_status: r.get(13)?,
        linked_time: opt_time(r, 14)?,
        byok_migrated_time: opt_time(r, 15)?,
        previous_policy_id: r.get(16)?,
        unlinked_time: opt_time(r, 17)?,
        current_generation: r.get(18)?,
        settings: r.get(19)?,
        created_time: time(r, 20)?,
        created_by: r.get(21)?,
    })
}

impl Db {
    /// Inserts an environment and returns its internal key.
    pub fn insert_environment(&self, e: &EnvironmentRow) -> Result<i64> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO environments({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                    ENV_COLUMNS.trim_start_matches("env_key, ")
                ),
                params![
                    e.environment_id,
                    e.display_name,
                    e.location,
                    e.sku,
                    e.is_default,
                    e.has_database,
                    e.is_managed,
                    e.state,
                    e.state_reason,
                    storage(e.locked_since),
                    e.protector,
                    e.policy_id,
                    e.link_status,
                    storage(e.linked_time),
                    storage(e.byok_migrated_time),
                    e.previous_policy_id,
                    storage(e.unlinked_time),
                    e.current_generation,
                    e.settings,
                    to_storage(e.created_time),
                    e.created_by,
                ],
            )
            .checked()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Writes every mutable field of an environment.
    pub fn update_environment(&self, e: &EnvironmentRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE environments SET display_name = ?2, is_managed = ?3, state = ?4, state_reason = ?5, locked_since = ?6,
                   protector = ?7, policy_id = ?8, link_status = ?9, linked_time = ?10, byok_migrated_time = ?11,
                   previous_policy_id = ?12, unlinked_time = ?13, current_generation = ?14, settings = ?15
                 WHERE env_key = ?1",
                params![
                    e.env_key,
                    e.display_name,
                    e.is_managed,
                    e.state,
                    e.state_reason,
                    storage(e.locked_since),
                    e.protector,
                    e.policy_id,
                    e.link_status,
                    storage(e.linked_time),
                    storage(e.byok_migrated_time),
                    e.previous_policy_id,
                    storage(e.unlinked_time),
                    e.current_generation,
                    e.settings,
                ],
            )
            .checked()
            .map(drop)
    }

    /// Deletes an environment with its records, DEKs and backups.
    pub fn delete_environment(&self, env_key: i64) -> Result<()> {
        self.conn.execute("DELETE FROM environments WHERE env_key = ?1", [env_key]).checked().map(drop)
    }

    pub fn environment(&self, environment_id: &str) -> Result<Option<EnvironmentRow>> {
        self.conn
            .query_row(
                &format!("SELECT {ENV_COLUMNS} FROM environments WHERE environment_id = ?1"),
                [environment_id],
                env_from_row,
            )
            .opt()
    }

    pub fn environment_by_key(&self, env_key: i64) -> Result<Option<EnvironmentRow>> {
        self.conn
            .query_row(&format!("SELECT {ENV_COLUMNS} FROM environments WHERE env_key = ?1"), [env_key], env_from_row)
            .opt()
    }

    pub fn environments(&self) -> Result<Vec<EnvironmentRow>> {
        self.rows(
            &format!("SELECT {ENV_COLUMNS} FROM environments ORDER BY is_default DESC, display_name COLLATE NOCASE"),
            [],
            env_from_row,
        )
    }

    pub fn environments_of_policy(&self, policy_id: &str) -> Result<Vec<EnvironmentRow>> {
        self.rows(
            &format!(
                "SELECT {ENV_COLUMNS} FROM environments WHERE policy_id = ?1 ORDER BY display_name COLLATE NOCASE"
            ),
            [policy_id],
            env_from_row,
        )
    }
}
