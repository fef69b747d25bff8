//! A busy deadline (`InvokeOptions::busy_deadline`, for a server that answers
//! 503 with `Retry-After`): while another process holds the store's write
//! lock, a command with a deadline fails with `StoreBusy` soon after the
//! deadline instead of waiting out the store's retry budget (minutes), and
//! runs normally once the lock is gone.

use crate::support::TestStore;
use ppcmk::{ErrorCode, InvokeOptions};
use serde_json::json;
use std::time::{Duration, Instant};

#[test]
fn a_busy_deadline_ends_the_wait_with_store_busy() {
    let t = TestStore::new();
    t.ok("Get-AzContext", json!({})); // the handle's first-use objects exist
    let request = json!({"command": "New-AzResourceGroup", "parameters": {"Name": "rg", "Location": "centralus"}});
    let with_deadline = || InvokeOptions { busy_deadline: Some(Duration::from_millis(300)), ..Default::default() };

    // Another process writes: it holds the write lock.
    let other = rusqlite::Connection::open(t.home().join("ppcmk.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let e = ppcmk::invoke_json(&t.store, &request, with_deadline()).unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.code, ErrorCode::StoreBusy, "{e}");
    // Well under SQLite's own 5 s wait per call, let alone the 300 s budget.
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_secs(3), "waited {waited:?}");
    // Reads still run (WAL: readers do not wait for the writer).
    let read = json!({"command": "Get-AzResourceGroup", "parameters": {}});
    ppcmk::invoke_json(&t.store, &read, with_deadline()).unwrap();

    // The lock is gone: the same request with the same deadline runs.
    other.execute_batch("ROLLBACK").unwrap();
    ppcmk::invoke_json(&t.store, &request, with_deadline()).unwrap();
    assert_eq!(t.ok("Get-AzResourceGroup", json!({"Name": "rg"})).len(), 1);
}
