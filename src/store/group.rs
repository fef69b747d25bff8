//! Group commit of the audit entries that record a key's use (wrap, unwrap,
//! encrypt, decrypt, sign, verify): such a transaction changes no state,
//! only appends its entry, so it commits under `synchronous = NORMAL`. The
//! entry is in the WAL when the call returns (a crash of the process loses
//! nothing); a flusher thread of the handle makes the WAL durable at most
//! [`WINDOW`] after the first entry not yet on disk, or at once when
//! [`MAX_UNSYNCED`] have gathered, and when the handle closes. It does so
//! with a passive checkpoint (which fsyncs the WAL, copies it into the
//! database and fsyncs that), so that the connection committing these
//! entries need not checkpoint, and fsync, in the caller's time; when the
//! checkpoint cannot take every frame, it fsyncs the WAL itself. Any FULL
//! commit (every state-changing command) fsyncs the same WAL, and so every
//! entry before it, too. A power cut or OS crash can therefore lose only the
//! key uses of the last [`WINDOW`] (plus one fsync's duration), never a
//! state change, and never break the chain: the WAL keeps a prefix of its
//! commits. docs/performance.md says what this buys.

use crate::error::{Error, ErrorCode, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest a group-committed entry waits for its fsync.
pub(crate) const WINDOW: Duration = Duration::from_millis(50);
/// Entries not yet fsynced that make the flusher sync at once.
pub(crate) const MAX_UNSYNCED: u64 = 256;
/// WAL pages past which the connection committing key uses checkpoints in
/// the caller's time after all (SQLite's default is 1,000): only if the
/// flusher falls behind, since it checkpoints every [`MAX_UNSYNCED`] entries.
pub(crate) const BACKSTOP_CHECKPOINT_PAGES: u32 = 4_000;

/// The handle's group-commit state and its flusher thread (started on the
/// first group-committed entry).
pub(crate) struct GroupCommit {
    database: PathBuf,
    wal: PathBuf,
    state: Mutex<State>,
    wake: Condvar,
    flusher: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct State {
    /// Commits under NORMAL since the last fsync of the WAL.
    unsynced: u64,
    /// When the oldest of them committed.
    oldest: Option<Instant>,
    closing: bool,
    /// The flusher's last fsync failed: the next commit syncs itself and reports it.
    failed: bool,
}

impl GroupCommit {
    pub(crate) fn new(database: &Path) -> Arc<GroupCommit> {
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        Arc::new(GroupCommit {
            database: database.to_path_buf(),
            wal: PathBuf::from(wal),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            flusher: Mutex::new(None),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A transaction that only appended key-use entries committed under
    /// NORMAL: it is durable once the flusher (or any FULL commit) next
    /// fsyncs the WAL.
    pub(crate) fn committed(self: &Arc<Self>) -> Result<()> {
        let mut state = self.state();
        if state.failed {
            drop(state);
            return self.sync_now();
        }
        state.unsynced += 1;
        state.oldest.get_or_insert_with(Instant::now);
        // The flusher needs waking only to start its timer or to sync early:
        // a wake-up on every commit cost two context switches a call.
        let wake = state.unsynced == 1 || state.unsynced == MAX_UNSYNCED;
        drop(state);
        let mut flusher = self.flusher.lock().unwrap_or_else(|p| p.into_inner());
        if flusher.is_none() {
            let group = self.clone();
            match std::thread::Builder::new().name("ppcmk-group-commit".into()).spawn(move || group.flush_loop()) {
                Ok(handle) => *flusher = Some(handle),
                // No thread: every entry is synced at once, as before.
                Err(_) => {
                    drop(flusher);
                    return self.sync_now();
                }
            }
        }
        if wake {
            self.wake.notify_one();
        }
        Ok(())
    }

    /// Fsyncs the WAL now: every commit so far is then on disk.
    pub(crate) fn sync_now(&self) -> Result<()> {
        let taken = std::mem::take(&mut self.state().unsynced);
        self.state().oldest = None;
        match self.fsync_wal() {
            Ok(()) => {
                self.state().failed = false;
                Ok(())
            }
            Err(e) => {
                let mut state = self.state();
                state.unsynced += taken;
                state.oldest.get_or_insert_with(Instant::now);
                Err(e)
            }
        }
    }

    /// How many group-committed entries are not yet known to be on disk.
    #[cfg(test)]
    pub(crate) fn unsynced(&self) -> u64 {
        self.state().unsynced
    }

    /// An fsync of the WAL file makes every frame written to it so far
    /// durable, whichever connection wrote it. A WAL that is gone (the last
    /// connection closed) was checkpointed into the database, and synced,
    /// first; one that was restarted was too (SQLite restarts a WAL only
    /// after a complete checkpoint, which syncs the database file).
    fn fsync_wal(&self) -> Result<()> {
        let file = match std::fs::OpenOptions::new().read(true).write(true).open(&self.wal) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(sync_error(&self.wal, e)),
        };
        file.sync_data().map_err(|e| sync_error(&self.wal, e))
    }

    /// The flusher's way to durability: a passive checkpoint on its own
    /// connection (it waits for no reader or writer). SQLite fsyncs the WAL
    /// before copying frames and the database after copying them all; when
    /// it could not copy them all (a reader still needs an older snapshot),
    /// the WAL is fsynced here.
    fn checkpoint(&self, connection: &mut Option<super::Db>) -> Result<()> {
        if connection.is_none() {
            *connection = Some(super::Db::open(&self.database)?);
        }
        let db = connection.as_ref().expect("opened above");
        let done = db
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
            .map(|(busy, log, copied)| busy == 0 && log == copied)
            .unwrap_or(false);
        if done {
            Ok(())
        } else {
            self.fsync_wal()
        }
    }

    fn flush_loop(self: Arc<Self>) {
        let mut connection = None;
        let mut state = self.state();
        loop {
            if state.unsynced == 0 {
                if state.closing {
                    return;
                }
                state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            let due = state.oldest.map_or_else(Instant::now, |t| t + WINDOW);
            let now = Instant::now();
            if now < due && state.unsynced < MAX_UNSYNCED && !state.closing {
                state = self.wake.wait_timeout(state, due - now).unwrap_or_else(|p| p.into_inner()).0;
                continue;
            }
            let taken = std::mem::take(&mut state.unsynced);
            state.oldest = None;
            drop(state);
            let synced = self.checkpoint(&mut connection);
            state = self.state();
            if synced.is_err() {
                // Counted again; the next commit syncs itself and reports the error.
                state.unsynced += taken;
                state.oldest.get_or_insert_with(Instant::now);
                state.failed = true;
                if state.closing {
                    return;
                }
                state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
            }
        }
    }

    /// Syncs what is pending and stops the flusher: the handle is closing.
    pub(crate) fn close(&self) {
        self.state().closing = true;
        self.wake.notify_all();
        if let Some(handle) = self.flusher.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = handle.join();
        }
        if self.state().unsynced > 0 {
            let _ = self.sync_now();
        }
    }
}

fn sync_error(wal: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorCode::StoreError, format!("Could not sync the store's log {}: {e}", wal.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_syncs_what_is_pending_and_stops_the_flusher() {
        let dir = std::env::temp_dir().join(format!("ppcmk-group-{}", crate::crypto::new_guid()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("group.db");
        let db = super::super::Db::open(&path).unwrap();
        db.conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
        let group = GroupCommit::new(&path);
        for _ in 0..3 {
            group.committed().unwrap();
        }
        assert!(group.flusher.lock().unwrap().is_some(), "the first entry starts the flusher");
        group.close();
        assert_eq!(group.unsynced(), 0, "closing syncs what is pending");
        assert!(group.flusher.lock().unwrap().is_none(), "and stops the flusher");
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }
}
