//! The audit log: every state change and every refused authorisation (and,
//! where auditing is on, reads of audited Dataverse tables), with time,
//! principal, command, target, outcome, error code, environment and table.
//!
//! Entries form a chain: each entry's hash covers its fields and the previous
//! hash. It is an HMAC under a key derived from the master key, so someone
//! with only the database file cannot rewrite an entry and recompute the
//! chain after it; entries written before schema 5 used plain SHA-256, and
//! are protected by the first MACed entry that links to them. The newest
//! (seq, hash) is also kept, MACed, apart from the log, so removing the
//! newest entries or the head itself is detected as well (which also makes a
//! log rewritten wholesale as unkeyed entries fail). [`verify_chain`] finds
//! the first broken link.

use crate::crypto::{hex, hmac_sha256, sha256};
use crate::error::{Error, ErrorCode, Result};
use crate::store::{head_mac, AuditRow, Db};
use crate::time::{parse_storage, to_display, to_storage};
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
    /// The environment (id) and Dataverse table the entry is about, if any.
    pub environment: Option<String>,
    pub table: Option<String>,
}

/// One action taken because its time came (a purge, a rotation, a health
/// check's lock or re-wrap), or one that failed and was skipped: what
/// maintenance reports and what the audit log records of it.
#[derive(Debug, Clone)]
pub struct Event {
    pub time: DateTime<Utc>,
    pub action: &'static str,
    pub target: String,
    pub detail: String,
    /// The error code when the action failed (it was rolled back and skipped).
    pub failed: Option<ErrorCode>,
}

impl Event {
    pub fn new(time: DateTime<Utc>, action: &'static str, target: String, detail: String) -> Event {
        Event { time, action, target, detail, failed: None }
    }

    /// An item that failed: `action` names what was attempted (e.g. `RotateKeyFailed`).
    pub fn failure(time: DateTime<Utc>, action: &'static str, target: String, what: &str, e: &Error) -> Event {
        Event {
            time,
            action,
            target,
            detail: format!("{what} failed and was skipped: {}", e.message),
            failed: Some(e.code),
        }
    }

    /// Whether this event purged key material (a vault, HSM or key).
    pub fn is_purge(&self) -> bool {
        self.failed.is_none() && matches!(self.action, "PurgeVault" | "PurgeKey" | "PurgeSecret")
    }

    /// The audit entry of this event, recorded as done by `principal`.
    pub fn audit_entry(&self, principal: &str, area: &str) -> Entry {
        Entry {
            time: self.time,
            principal: principal.into(),
            principal_id: None,
            command: format!("{area}/{}", self.action),
            target: Some(self.target.clone()),
            outcome: if self.failed.is_some() { Outcome::Failed } else { Outcome::Succeeded },
            error_code: self.failed.map(|c| c.as_str().to_string()),
            detail: Some(self.detail.clone()),
            environment: None,
            table: None,
        }
    }
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
        environment: entry.environment.clone(),
        table_name: entry.table.clone(),
        mac_version: CURRENT_MAC_VERSION,
        head_mac: None,
    };
    let key = db.audit_key()?;
    row.hash = chain_hash(&row, key);
    row.head_mac = Some(head_mac(row.seq, &row.hash, key));
    db.insert_audit_row(&row)
}

/// Appends the entry of a key's use (wrap, unwrap, encrypt, decrypt, sign,
/// verify), which changes nothing else: in a command that changes no state,
/// it is group-committed (the store fsyncs such entries within a few tens of
/// milliseconds rather than one by one; see `store::group`). Elsewhere it is
/// an ordinary entry of the transaction it is in.
pub fn append_key_use(db: &Db, entry: &Entry) -> Result<()> {
    db.key_use(|db| append(db, entry))
}

/// Entries written now are HMAC-SHA-256 links.
const CURRENT_MAC_VERSION: i64 = 1;

/// The link hash of an entry: over its fields (length-prefixed, so fields
/// cannot bleed into each other) and the previous entry's hash; SHA-256 for
/// version 0 entries, HMAC-SHA-256 under the audit key from version 1.
fn chain_hash(row: &AuditRow, key: &[u8; 32]) -> String {
    if row.mac_version == 0 {
        return hex(&sha256(&link_bytes(row)));
    }
    let mut buf = link_bytes(row);
    for f in [row.environment.as_deref().unwrap_or("\u{0}"), row.table_name.as_deref().unwrap_or("\u{0}")] {
        buf.extend_from_slice(&(f.len() as u64).to_be_bytes());
        buf.extend_from_slice(f.as_bytes());
    }
    hex(&hmac_sha256(key, &buf))
}

fn link_bytes(row: &AuditRow) -> Vec<u8> {
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
    buf
}

/// The first entry whose hash or link does not verify, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole chain. Returns the entry count and the first broken link.
pub fn verify_chain(db: &Db) -> Result<(usize, Option<BrokenLink>)> {
    let key = db.audit_key()?;
    let rows = db.audit_rows_from(0)?;
    let mut expected_prev = GENESIS.to_string();
    if rows.first().is_some_and(|r| r.seq != 1) {
        return Ok((rows.len(), Some(BrokenLink { seq: 1, reason: "the first entries were removed".into() })));
    }
    let mut seen_mac = false;
    for (expected_seq, row) in (1..).zip(&rows) {
        let broken = |reason: &str| Some(BrokenLink { seq: row.seq, reason: reason.to_string() });
        if row.seq != expected_seq {
            return Ok((rows.len(), broken("an entry before this one was removed")));
        }
        if row.mac_version == 0 && seen_mac {
            return Ok((rows.len(), broken("the entry claims the old unkeyed format after keyed entries")));
        }
        seen_mac |= row.mac_version != 0;
        if row.prev_hash != expected_prev {
            return Ok((rows.len(), broken("the link to the previous entry does not match")));
        }
        if chain_hash(row, key) != row.hash {
            return Ok((rows.len(), broken("the entry was altered after it was written")));
        }
        expected_prev = row.hash.clone();
    }
    // The head is written with every entry, on its row, and under the key:
    // a log without it, or whose newest entry is not it, was truncated or
    // rewritten (including rewritten as old unkeyed entries).
    let last_seq = rows.last().map_or(0, |r| r.seq);
    let broken_head = |seq: i64, reason: String| Ok((rows.len(), Some(BrokenLink { seq, reason })));
    let mut heads = rows.iter().filter_map(|r| r.head_mac.as_deref().map(|mac| (r, mac)));
    match heads.next() {
        None if rows.is_empty() => {}
        None => {
            return broken_head(
                last_seq + 1,
                format!(
                    "the recorded head of the log is missing: entries from {} on were removed, or the head itself was",
                    last_seq + 1
                ),
            );
        }
        Some((head, mac)) => {
            if mac != head_mac(head.seq, &head.hash, key) {
                return broken_head(head.seq, "the recorded head of the log was altered".into());
            }
            if let Some((later, _)) = heads.next() {
                return broken_head(later.seq, "a second head was written into the log".into());
            }
            if head.seq < last_seq {
                return broken_head(
                    head.seq + 1,
                    format!("entries {} to {last_seq} were added behind the log's back", head.seq + 1),
                );
            }
        }
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
            environment: None,
            table: None,
        }
    }

    /// A new store in the temporary folder, its log grown by `count` entries.
    fn store_with_entries(count: usize) -> (std::path::PathBuf, Store) {
        let dir = std::env::temp_dir().join(format!("ppcmk-audit-{}", crate::crypto::new_guid()));
        let store = Store::open(&dir).unwrap();
        let db = store.db().unwrap();
        for n in 1..=count {
            append(&db, &entry(n)).unwrap();
        }
        drop(db);
        (dir, store)
    }

    #[test]
    fn removing_the_newest_entries_is_detected() {
        let (dir, store) = store_with_entries(5);
        let db = store.db().unwrap();
        let total = db.audit_rows_from(0).unwrap().len() as i64;
        db.execute_raw(&format!("DELETE FROM audit_log WHERE seq >= {}", total - 1)).unwrap();
        let broken = verify_chain(&db).unwrap().1.unwrap();
        assert_eq!(broken.seq, total - 1, "{broken:?}");
        assert!(broken.reason.contains("removed"), "{broken:?}");
        drop(db);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Someone with only the database file rewrites the whole log as old
    /// unkeyed entries (which they can hash) and drops the head: detected.
    #[test]
    fn a_log_rewritten_as_unkeyed_entries_or_without_its_head_is_broken() {
        let (dir, store) = store_with_entries(3);
        let db = store.db().unwrap();
        assert_eq!(verify_chain(&db).unwrap().1, None);
        db.execute_raw("UPDATE audit_log SET head_mac = NULL").unwrap();
        let broken = verify_chain(&db).unwrap().1.unwrap();
        assert!(broken.reason.contains("head of the log is missing"), "{broken:?}");
        let mut prev = GENESIS.to_string();
        for mut row in db.audit_rows_from(0).unwrap() {
            row.mac_version = 0;
            row.target = Some("forged".into());
            row.prev_hash = prev.clone();
            row.hash = chain_hash(&row, &[0u8; 32]);
            db.execute_raw(&format!(
                "UPDATE audit_log SET mac_version = 0, target = 'forged', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                row.prev_hash, row.hash, row.seq
            ))
            .unwrap();
            prev = row.hash;
        }
        assert!(verify_chain(&db).unwrap().1.is_some(), "an all-unkeyed forged log without a head is refused");
        drop(db);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Schemas 5 to 9 kept the head in a table of its own: schema 10 moves
    /// it onto the newest entry, and the chain verifies, then grows, as before.
    #[test]
    fn schema_10_moves_the_head_onto_the_newest_entry() {
        let (dir, store) = store_with_entries(3);
        let db = store.db().unwrap();
        let newest = db.audit_rows_from(0).unwrap().pop().unwrap();
        let mac = newest.head_mac.clone().unwrap();
        // Back to schema 9's layout.
        db.execute_raw(&format!(
            "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,
                                      hash TEXT NOT NULL, mac TEXT NOT NULL);
             INSERT INTO audit_head VALUES (1, {}, '{}', '{mac}');
             ALTER TABLE audit_log DROP COLUMN head_mac;
             CREATE INDEX audit_log_by_time ON audit_log(time);
             CREATE INDEX audit_log_by_environment ON audit_log(environment, table_name);
             DROP INDEX vault_key_versions_by_seq;
             PRAGMA user_version = 9;",
            newest.seq, newest.hash
        ))
        .unwrap();
        drop(db);
        drop(store);

        let store = Store::open(&dir).unwrap();
        let db = store.db().unwrap();
        let rows = db.audit_rows_from(0).unwrap();
        assert_eq!(
            rows.last().unwrap().head_mac.as_deref(),
            Some(mac.as_str()),
            "the head moved onto the newest entry"
        );
        assert!(rows[..rows.len() - 1].iter().all(|r| r.head_mac.is_none()), "and only there");
        assert_eq!(verify_chain(&db).unwrap(), (rows.len(), None));
        append(&db, &entry(4)).unwrap();
        assert_eq!(verify_chain(&db).unwrap(), (rows.len() + 1, None));
        db.execute_raw(&format!("DELETE FROM audit_log WHERE seq = {}", rows.len() + 1)).unwrap();
        let broken = verify_chain(&db).unwrap().1.unwrap();
        assert!(broken.reason.contains("removed"), "{broken:?}");
        drop(db);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_chain_detects_edits_and_removals() {
        let (dir, store) = store_with_entries(4);
        let db = store.db().unwrap();
        assert_eq!(verify_chain(&db).unwrap(), (4, None));

        db.execute_raw("UPDATE audit_log SET target = 'forged' WHERE seq = 2").unwrap();
        let (_, broken) = verify_chain(&db).unwrap();
        assert_eq!(broken.unwrap().seq, 2);

        // Without the master key, recomputing the edited row's hash (as plain
        // SHA-256, or HMAC under a guessed key) does not help.
        let row = db.audit_rows_from(2).unwrap().remove(0);
        let forged = chain_hash(&row, &[0u8; 32]);
        db.execute_raw(&format!("UPDATE audit_log SET hash = '{forged}' WHERE seq = 2")).unwrap();
        assert_eq!(verify_chain(&db).unwrap().1.unwrap().seq, 2);
        // Nor does downgrading the row to the old unkeyed format.
        let mut legacy = row.clone();
        legacy.mac_version = 0;
        let plain = chain_hash(&legacy, &[0u8; 32]);
        db.execute_raw(&format!("UPDATE audit_log SET mac_version = 0, hash = '{plain}' WHERE seq = 2")).unwrap();
        assert_eq!(verify_chain(&db).unwrap().1.unwrap().seq, 2);
        // With the key (an insider), the break moves to the next link.
        db.execute_raw(&format!(
            "UPDATE audit_log SET mac_version = 1, hash = '{}' WHERE seq = 2",
            chain_hash(&row, db.audit_key().unwrap())
        ))
        .unwrap();
        assert_eq!(
            verify_chain(&db).unwrap().1.unwrap(),
            BrokenLink { seq: 3, reason: "the link to the previous entry does not match".into() }
        );

        db.execute_raw("DELETE FROM audit_log WHERE seq = 3").unwrap();
        assert_eq!(verify_chain(&db).unwrap().1.unwrap().seq, 4);
        drop(db);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
