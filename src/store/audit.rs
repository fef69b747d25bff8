//! The append-only audit table and its MACed head. The hash chain is
//! computed by the audit module above the store; the head's MAC is here,
//! because the migration that introduced the keyed chain seals the head.
//!
//! The head is the newest entry's `head_mac`, NULL on every older row: an
//! append clears the previous head and writes the new one on the page it
//! writes the entry to. (Schemas 5 to 9 kept it in a table of its own,
//! `audit_head`, which cost a second page per entry.)

use super::sql::{Checked, OptionalRow};
use super::Db;
use crate::crypto::{hex, hmac_sha256};
use crate::error::Result;
use rusqlite::{params, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    /// Storage form (RFC 3339, microseconds).
    pub time: String,
    pub principal: String,
    pub principal_id: Option<String>,
    pub command: String,
    pub target: Option<String>,
    pub outcome: String,
    pub error_code: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The environment the entry is about, for environment-level auditing.
    pub environment: Option<String>,
    /// The Dataverse table the entry is about (Process, Credential, ...).
    pub table_name: Option<String>,
    /// 0: a plain SHA-256 link (stores before schema 5); 1: an HMAC under the
    /// store's audit key, covering environment and table too.
    pub mac_version: i64,
    /// On the newest entry only: [`head_mac`] of its seq and hash. Not part
    /// of the chain's hash, since the next append clears it.
    pub head_mac: Option<String>,
}

/// The audit table's columns in the order `from_row` and the insert use
/// (a macro, so that the insert's SQL is one literal, built at compile time).
macro_rules! columns {
    () => {
        "seq, time, principal, principal_id, command, target, outcome, error_code, detail, prev_hash, hash, \
         environment, table_name, mac_version, head_mac"
    };
}
const COLUMNS: &str = columns!();

fn from_row(r: &Row) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        time: r.get(1)?,
        principal: r.get(2)?,
        principal_id: r.get(3)?,
        command: r.get(4)?,
        target: r.get(5)?,
        outcome: r.get(6)?,
        error_code: r.get(7)?,
        detail: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
        environment: r.get(11)?,
        table_name: r.get(12)?,
        mac_version: r.get(13)?,
        head_mac: r.get(14)?,
    })
}

/// Filters for reading the audit log.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery<'a> {
    /// Entries at or after this storage-form time.
    pub since: Option<&'a str>,
    /// Entries by this principal (UPN, display name or object id).
    pub principal: Option<&'a str>,
    /// Only the newest `last` entries.
    pub last: Option<i64>,
    /// Entries about this environment.
    pub environment: Option<&'a str>,
    /// Entries about this table.
    pub table: Option<&'a str>,
}

/// The MAC of the log's head (its newest entry's seq and hash) under the
/// audit key. Only the newest entry carries it, so removing the newest
/// entries, or the head itself, leaves a log without a head: detected.
pub(crate) fn head_mac(seq: i64, hash: &str, key: &[u8; 32]) -> String {
    hex(&hmac_sha256(key, format!("ppcmk/audit-head/{seq}/{hash}").as_bytes()))
}

impl Db {
    /// Records the newest entry as the MACed head when the keyed chain is
    /// introduced (schema 5), in that schema's `audit_head` table, which
    /// schema 10 folds into the log; afterwards each append keeps it current.
    pub(crate) fn seal_audit_head(&self) -> Result<()> {
        let Some((seq, hash)) = self.last_audit_entry()? else { return Ok(()) };
        let mac = head_mac(seq, &hash, self.audit_key()?);
        self.conn
            .execute("INSERT INTO audit_head(id, seq, hash, mac) VALUES (1, ?1, ?2, ?3)", params![seq, hash, mac])
            .checked()
            .map(drop)
    }

    /// (seq, hash) of the newest entry.
    pub fn last_audit_entry(&self) -> Result<Option<(i64, String)>> {
        self.conn
            .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .opt()
    }

    /// Appends `a`, which carries the head, and clears the head from the
    /// entry before it (on the same page but when `a` starts a new one).
    pub fn insert_audit_row(&self, a: &AuditRow) -> Result<()> {
        self.conn.execute("UPDATE audit_log SET head_mac = NULL WHERE seq = ?1", [a.seq - 1]).checked()?;
        self.conn
            .execute(
                concat!(
                    "INSERT INTO audit_log(",
                    columns!(),
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                ),
                params![
                    a.seq,
                    a.time,
                    a.principal,
                    a.principal_id,
                    a.command,
                    a.target,
                    a.outcome,
                    a.error_code,
                    a.detail,
                    a.prev_hash,
                    a.hash,
                    a.environment,
                    a.table_name,
                    a.mac_version,
                    a.head_mac
                ],
            )
            .checked()
            .map(drop)
    }

    /// Matching entries, oldest first.
    pub fn audit_rows(&self, q: &AuditQuery) -> Result<Vec<AuditRow>> {
        self.rows(
            &format!(
                "SELECT * FROM (
                   SELECT {COLUMNS} FROM audit_log
                   WHERE (?1 IS NULL OR time >= ?1)
                     AND (?2 IS NULL OR principal = ?2 COLLATE NOCASE OR principal_id = ?2 COLLATE NOCASE)
                     AND (?4 IS NULL OR environment = ?4 COLLATE NOCASE)
                     AND (?5 IS NULL OR table_name = ?5 COLLATE NOCASE)
                   ORDER BY seq DESC LIMIT ?3)
                 ORDER BY seq"
            ),
            params![q.since, q.principal, q.last.unwrap_or(-1), q.environment, q.table],
            from_row,
        )
    }

    /// Every entry from `from_seq` on, oldest first (for verifying the chain).
    pub fn audit_rows_from(&self, from_seq: i64) -> Result<Vec<AuditRow>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq >= ?1 ORDER BY seq")).checked()?;
        let rows = stmt.query_map([from_seq], from_row).checked()?;
        rows.collect::<rusqlite::Result<Vec<_>>>().checked()
    }
}
