//! Long-running operations (adding to and removing from a policy) and the
//! faults `Set-PpCmkFault` arms for them.

use super::sql::{opt_time, storage, time, Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

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

    /// The faults armed on a vault's data plane: (kind, amount, status, until).
    pub fn vault_faults(&self, vault_name: &str) -> Result<Vec<VaultFaultRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT kind, amount, status, until_time, vault_name FROM vault_faults WHERE vault_name = ?1 ORDER BY kind",
            )
            .checked()?;
        let rows = stmt.query_map([vault_name], vault_fault_from_row).checked()?;
        rows.collect::<rusqlite::Result<Vec<_>>>().checked()
    }

    /// Every vault fault, for `Get-PpCmkFault`.
    pub fn all_vault_faults(&self) -> Result<Vec<VaultFaultRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT kind, amount, status, until_time, vault_name FROM vault_faults ORDER BY vault_name, kind")
            .checked()?;
        let rows = stmt.query_map([], vault_fault_from_row).checked()?;
        rows.collect::<rusqlite::Result<Vec<_>>>().checked()
    }

    pub fn set_vault_fault(&self, f: &VaultFaultRow, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO vault_faults(vault_name, kind, amount, status, until_time, created_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(vault_name, kind) DO UPDATE SET amount = excluded.amount, status = excluded.status,
                   until_time = excluded.until_time, created_time = excluded.created_time",
                params![f.vault_name, f.kind, f.amount, f.status, storage(f.until), to_storage(at)],
            )
            .checked()
            .map(drop)
    }

    pub fn clear_vault_fault(&self, vault_name: &str, kind: &str) -> Result<bool> {
        self.conn
            .execute("DELETE FROM vault_faults WHERE vault_name = ?1 AND kind = ?2", [vault_name, kind])
            .checked()
            .map(|n| n > 0)
    }
}

/// One fault of a vault's data plane (`Set-PpCmkFault -VaultName`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultFaultRow {
    pub vault_name: String,
    pub kind: String,
    pub amount: i64,
    pub status: Option<i64>,
    pub until: Option<DateTime<Utc>>,
}

fn vault_fault_from_row(r: &Row) -> rusqlite::Result<VaultFaultRow> {
    Ok(VaultFaultRow {
        kind: r.get(0)?,
        amount: r.get(1)?,
        status: r.get(2)?,
        until: opt_time(r, 3)?,
        vault_name: r.get(4)?,
    })
}
