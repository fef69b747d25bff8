//! The audit log: every state change and every refused authorisation, with
//! time, principal, command, target, outcome and error code. Entries form a
//! hash chain (each hash covers the entry and the previous hash), so editing
//! or deleting a row in the database file is detected by [`verify_chain`].

use crate::clock::{parse_storage, to_display, to_storage};
use crate::crypto::{hex, sha256};
use crate::error::Result;
use crate::store::{AuditRow, Db};
use chrono::{DateTime, Utc};

/// The hash the first entry chains to.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "Succeeded",
            Outcome::Failed => "Failed",
            Outcome::Denied => "Denied",
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone)]
pub struct Entry {
    pub time: DateTime<Utc>,
    pub principal: String,
    pub principal_id: Option<String>,
    pub command: String,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub error_code: Option<String>,
    pub detail: Option<String>,
}

/// Appends `entry`; must run inside a write transaction so that the chain
/// has one head.
pub fn append(db: &Db, entry: &Entry) -> Result<()> {
    let (last_seq, prev_hash) = db.last_audit_entry()?.unwrap_or((0, GENESIS.to_string()));
    let mut row = AuditRow {
        seq: last_seq + 1,
        time: to_storage(entry.time),
        principal: entry.principal.clone(),
        principal_id: entry.principal_id.clone(),
        command: entry.command.clone(),
        target: entry.target.clone(),
        outcome: entry.outcome.as_str().to_string(),
        error_code: entry.error_code.clone(),
        detail: entry.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = chain_hash(&row);
    db.insert_audit_row(&row)
}

/// SHA-256 over the entry's fields (length-prefixed, so fields cannot bleed
/// into each other) and the previous entry's hash.
fn chain_hash(row: &AuditRow) -> String {
    let fields: [&str; 10] = [
        &row.seq.to_string(),
        &row.time,
        &row.principal,
        row.principal_id.as_deref().unwrap_or("\u{0}"),
        &row.command,
        row.target.as_deref().unwrap_or("\u{0}"),
        &row.outcome,
        row.error_code.as_deref().unwrap_or("\u{0}"),
        row.detail.as_deref().unwrap_or("\u{0}"),
        &row.prev_hash,
    ];
    let mut buf = Vec::new();
    for f in fields {
        buf.extend_from_slice(&(f.len() as u64).to_be_bytes());
        buf.extend_from_slice(f.as_bytes());
    }
    hex(&sha256(&buf))
}

/// The first entry whose hash or link does not verify, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole chain. Returns the entry count and the first broken link.
pub fn verify_chain(db: &Db) -> Result<(usize, Option<BrokenLink>)> {
    let rows = db.audit_rows_from(0)?;
    let mut expected_prev = GENESIS.to_string();
    if rows.first().is_some_and(|r| r.seq != 1) {
        return Ok((rows.len(), Some(BrokenLink { seq: 1, reason: "the first entries were removed".into() })));
    }
    for (expected_seq, row) in (1..).zip(&rows) {
        let broken = |reason: &str| Some(BrokenLink { seq: row.seq, reason: reason.to_string() });
        if row.seq != expected_seq {
            return Ok((rows.len(), broken("an entry before this one was removed")));
        }
        if row.prev_hash != expected_prev {
            return Ok((rows.len(), broken("the link to the previous entry does not match")));
        }
        if chain_hash(row) != row.hash {
            return Ok((rows.len(), broken("the entry was altered after it was written")));
        }
        expected_prev = row.hash.clone();
    }
    Ok((rows.len(), None))
}

/// An entry as output objects show it.
pub fn display_time(row: &AuditRow) -> String {
    parse_storage(&row.time).map(to_display).unwrap_or_else(|_| row.time.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn entry(n: usize) -> Entry {
        Entry {
            time: Utc::now(),
            principal: format!("user{n}@contoso.onmicrosoft.com"),
            principal_id: None,
            command: "New-AzADUser".into(),
            target: Some(format!("t{n}")),
            outcome: Outcome::Succeeded,
            error_code: None,
            detail: None,
        }
    }

    #[test]
    fn the_chain_detects_edits_and_removals() {
        let dir = std::env::temp_dir().join(format!("ppcmk-audit-{}", crate::crypto::new_guid()));
        let store = Store::open(&dir).unwrap();
        let db = store.db().unwrap();
        for n in 1..=4 {
            append(&db, &entry(n)).unwrap();
        }
        assert_eq!(verify_chain(&db).unwrap(), (4, None));

        db.execute_raw("UPDATE audit_log SET target = 'forged' WHERE seq = 2").unwrap();
        let (_, broken) = verify_chain(&db).unwrap();
        assert_eq!(broken.unwrap().seq, 2);

        // Recomputing the edited row's hash moves the break to the next link.
        let row = db.audit_rows_from(2).unwrap().remove(0);
        db.execute_raw(&format!("UPDATE audit_log SET hash = '{}' WHERE seq = 2", chain_hash(&row))).unwrap();
        let (_, broken) = verify_chain(&db).unwrap();
        assert_eq!(
            broken.unwrap(),
            BrokenLink { seq: 3, reason: "the link to the previous entry does not match".into() }
        );

        db.execute_raw("DELETE FROM audit_log WHERE seq = 3").unwrap();
        assert_eq!(verify_chain(&db).unwrap().1.unwrap().seq, 4);
        drop(db);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
