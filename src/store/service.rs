//! Tables of the Power Platform service: service keys, tenant settings,
//! enterprise policies, environments, DEK generations and their wraps,
//! sealed records, backups, operations and injected faults.

use super::sql::{Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::{parse_storage, to_storage};
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

fn time(r: &Row, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = r.get(i)?;
    Ok(parse_storage(&s).unwrap_or_default())
}

fn opt_time(r: &Row, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| parse_storage(&s).ok()))
}

fn storage(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(to_storage)
}

#[derive(Debug, Clone)]
pub struct PolicyRow {
    pub policy_id: String,
    pub name: String,
    pub resource_id: String,
    pub resource_group: String,
    pub location: String,
    pub kind: String,
    /// The object id of the policy's system-assigned managed identity.
    pub principal_id: String,
    pub encryption_state: String,
    pub key_vault_id: String,
    pub key_name: String,
    pub key_version: Option<String>,
    pub health: String,
    pub health_detail: Option<String>,
    pub last_health_check: Option<DateTime<Utc>>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
}

const POLICY_COLUMNS: &str = "policy_id, name, resource_id, resource_group, location, kind, principal_id, \
     encryption_state, key_vault_id, key_name, key_version, health, health_detail, last_health_check, created_time, updated_time";

fn policy_from_row(r: &Row) -> rusqlite::Result<PolicyRow> {
    Ok(PolicyRow {
        policy_id: r.get(0)?,
        name: r.get(1)?,
        resource_id: r.get(2)?,
        resource_group: r.get(3)?,
        location: r.get(4)?,
        kind: r.get(5)?,
        principal_id: r.get(6)?,
        encryption_state: r.get(7)?,
        key_vault_id: r.get(8)?,
        key_name: r.get(9)?,
        key_version: r.get(10)?,
        health: r.get(11)?,
        health_detail: r.get(12)?,
        last_health_check: opt_time(r, 13)?,
        created_time: time(r, 14)?,
        updated_time: time(r, 15)?,
    })
}

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: i64,
    pub table_name: String,
    pub record_id: String,
    pub generation: i64,
    pub sealed: Vec<u8>,
}

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

#[derive(Debug, Clone)]
pub struct OperationRow {
    pub operation_id: String,
    pub env_key: i64,
    pub environment_id: String,
    pub kind: String,
    pub state: String,
    pub policy_id: Option<String>,
    pub policy_resource_id: Option<String>,
    pub from_generation: Option<i64>,
    pub to_generation: Option<i64>,
    pub target: Option<String>,
    pub total: i64,
    pub processed: i64,
    /// The last record id the operation finished (records are walked in id order).
    pub watermark: i64,
    pub requested_by: String,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub lease_owner: Option<String>,
    /// Real (wall-clock) Unix seconds; leases are about processes, not the store's clock.
    pub lease_expires: Option<i64>,
}

const OPERATION_COLUMNS: &str = "operation_id, env_key, environment_id, kind, state, policy_id, policy_resource_id, \
     from_generation, to_generation, target, total, processed, watermark, requested_by, start_time, end_time, error_code, \
     error_message, lease_owner, lease_expires";

fn operation_from_row(r: &Row) -> rusqlite::Result<OperationRow> {
    Ok(OperationRow {
        operation_id: r.get(0)?,
        env_key: r.get(1)?,
        environment_id: r.get(2)?,
        kind: r.get(3)?,
        state: r.get(4)?,
        policy_id: r.get(5)?,
        policy_resource_id: r.get(6)?,
        from_generation: r.get(7)?,
        to_generation: r.get(8)?,
        target: r.get(9)?,
        total: r.get(10)?,
        processed: r.get(11)?,
        watermark: r.get(12)?,
        requested_by: r.get(13)?,
        start_time: time(r, 14)?,
        end_time: opt_time(r, 15)?,
        error_code: r.get(16)?,
        error_message: r.get(17)?,
        lease_owner: r.get(18)?,
        lease_expires: r.get(19)?,
    })
}

impl Db {
    // ------------------------------------------------------------ service keys

    pub fn service_key(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.conn.query_row("SELECT sealed FROM service_keys WHERE name = ?1", [name], |r| r.get(0)).opt()
    }

    pub fn set_service_key(&self, name: &str, sealed: &[u8], at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO service_keys(name, sealed, created_time) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET sealed = excluded.sealed, created_time = excluded.created_time",
                params![name, sealed, to_storage(at)],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_service_key(&self, name: &str) -> Result<bool> {
        self.conn.execute("DELETE FROM service_keys WHERE name = ?1", [name]).checked().map(|n| n > 0)
    }

    pub fn tenant_setting(&self, name: &str) -> Result<Option<String>> {
        self.conn.query_row("SELECT value FROM tenant_settings WHERE name = ?1", [name], |r| r.get(0)).opt()
    }

    pub fn set_tenant_setting(&self, name: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO tenant_settings(name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [name, value],
            )
            .checked()
            .map(drop)
    }

    // -------------------------------------------------------------- policies

    pub fn insert_policy(&self, p: &PolicyRow) -> Result<()> {
        self.conn
            .execute(
                &format!("INSERT INTO enterprise_policies({POLICY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"),
                params![
                    p.policy_id,
                    p.name,
                    p.resource_id,
                    p.resource_group,
                    p.location,
                    p.kind,
                    p.principal_id,
                    p.encryption_state,
                    p.key_vault_id,
                    p.key_name,
                    p.key_version,
                    p.health,
                    p.health_detail,
                    storage(p.last_health_check),
                    to_storage(p.created_time),
                    to_storage(p.updated_time),
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn update_policy(&self, p: &PolicyRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE enterprise_policies SET encryption_state = ?2, key_vault_id = ?3, key_name = ?4, key_version = ?5,
                   health = ?6, health_detail = ?7, last_health_check = ?8, updated_time = ?9
                 WHERE policy_id = ?1",
                params![
                    p.policy_id,
                    p.encryption_state,
                    p.key_vault_id,
                    p.key_name,
                    p.key_version,
                    p.health,
                    p.health_detail,
                    storage(p.last_health_check),
                    to_storage(p.updated_time),
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_policy(&self, policy_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM enterprise_policies WHERE policy_id = ?1", [policy_id]).checked().map(drop)
    }

    pub fn policy(&self, policy_id: &str) -> Result<Option<PolicyRow>> {
        self.conn
            .query_row(
                &format!("SELECT {POLICY_COLUMNS} FROM enterprise_policies WHERE policy_id = ?1"),
                [policy_id],
                policy_from_row,
            )
            .opt()
    }

    pub fn policy_by_resource_id(&self, resource_id: &str) -> Result<Option<PolicyRow>> {
        self.conn
            .query_row(
                &format!("SELECT {POLICY_COLUMNS} FROM enterprise_policies WHERE resource_id = ?1"),
                [resource_id],
                policy_from_row,
            )
            .opt()
    }

    pub fn policies(&self) -> Result<Vec<PolicyRow>> {
        self.rows(
            &format!("SELECT {POLICY_COLUMNS} FROM enterprise_policies ORDER BY resource_id"),
            [],
            policy_from_row,
        )
    }

    // ----------------------------------------------------------- environments

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

    // ------------------------------------------------------------------ DEKs

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

    // --------------------------------------------------------------- records

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

    /// The lowest and highest record id of an environment (by index).
    pub fn record_id_range(&self, env_key: i64) -> Result<Option<(i64, i64)>> {
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .query_row("SELECT MIN(id), MAX(id) FROM records WHERE env_key = ?1", [env_key], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .checked()?;
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

    /// Trades per-commit durability for speed on this connection; see
    /// [`super::Store::write_batch`], its only user.
    pub(crate) fn set_relaxed_durability(&self, relaxed: bool) -> Result<()> {
        self.conn
            .execute_batch(if relaxed { "PRAGMA synchronous = NORMAL" } else { "PRAGMA synchronous = FULL" })
            .checked()
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

    // --------------------------------------------------------------- backups

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

    /// The DEK generations a backup's records are sealed under.
    pub fn backup_generations(&self, backup_id: &str) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT generation FROM backup_records WHERE backup_id = ?1 ORDER BY generation")
            .checked()?;
        let rows = stmt.query_map([backup_id], |r| r.get(0)).checked()?;
        rows.collect::<rusqlite::Result<Vec<i64>>>().checked()
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

    /// DEK generations still used by records or backups of an environment.
    pub fn generations_in_use(&self, env_key: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT generation FROM records WHERE env_key = ?1
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

    // ------------------------------------------------------------ operations

    pub fn insert_operation(&self, o: &OperationRow) -> Result<()> {
        self.conn
            .execute(
                &format!("INSERT INTO operations({OPERATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"),
                params![
                    o.operation_id,
                    o.env_key,
                    o.environment_id,
                    o.kind,
                    o.state,
                    o.policy_id,
                    o.policy_resource_id,
                    o.from_generation,
                    o.to_generation,
                    o.target,
                    o.total,
                    o.processed,
                    o.watermark,
                    o.requested_by,
                    to_storage(o.start_time),
                    storage(o.end_time),
                    o.error_code,
                    o.error_message,
                    o.lease_owner,
                    o.lease_expires,
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn update_operation(&self, o: &OperationRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE operations SET state = ?2, total = ?3, processed = ?4, end_time = ?5, error_code = ?6,
                   error_message = ?7, lease_owner = ?8, lease_expires = ?9, watermark = ?10
                 WHERE operation_id = ?1",
                params![
                    o.operation_id,
                    o.state,
                    o.total,
                    o.processed,
                    storage(o.end_time),
                    o.error_code,
                    o.error_message,
                    o.lease_owner,
                    o.lease_expires,
                    o.watermark,
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn operation(&self, operation_id: &str) -> Result<Option<OperationRow>> {
        self.conn
            .query_row(
                &format!("SELECT {OPERATION_COLUMNS} FROM operations WHERE operation_id = ?1"),
                [operation_id],
                operation_from_row,
            )
            .opt()
    }

    /// Operations, optionally of one environment, oldest first.
    pub fn operations(&self, environment_id: Option<&str>) -> Result<Vec<OperationRow>> {
        self.rows(
            &format!(
                "SELECT {OPERATION_COLUMNS} FROM operations WHERE (?1 IS NULL OR environment_id = ?1 COLLATE NOCASE)
                 ORDER BY start_time, rowid"
            ),
            [environment_id],
            operation_from_row,
        )
    }

    /// The running operation of an environment, if any.
    pub fn running_operation(&self, env_key: i64) -> Result<Option<OperationRow>> {
        self.conn
            .query_row(
                &format!("SELECT {OPERATION_COLUMNS} FROM operations WHERE env_key = ?1 AND state IN ('NotStarted', 'Running') LIMIT 1"),
                [env_key],
                operation_from_row,
            )
            .opt()
    }

    // ---------------------------------------------------------------- faults

    pub fn fault(&self, operation: &str) -> Result<Option<i64>> {
        self.conn.query_row("SELECT after_records FROM faults WHERE operation = ?1", [operation], |r| r.get(0)).opt()
    }

    pub fn set_fault(&self, operation: &str, after_records: i64, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO faults(operation, after_records, created_time) VALUES (?1, ?2, ?3)
                 ON CONFLICT(operation) DO UPDATE SET after_records = excluded.after_records, created_time = excluded.created_time",
                params![operation, after_records, to_storage(at)],
            )
            .checked()
            .map(drop)
    }

    pub fn clear_fault(&self, operation: &str) -> Result<bool> {
        self.conn.execute("DELETE FROM faults WHERE operation = ?1", [operation]).checked().map(|n| n > 0)
    }
}

fn record_from_row(r: &Row) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        id: r.get(0)?,
        table_name: r.get(1)?,
        record_id: r.get(2)?,
        generation: r.get(3)?,
        sealed: r.get(4)?,
    })
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
