//! The persistent store: one SQLite database in WAL mode plus a master key
//! file, in the folder named by `PPCMK_HOME` (default `~/.ppcmk`).
//!
//! All SQL lives under this module. Area modules (`identity`, `keyvault`, …)
//! call the typed methods that the files of this module add to [`Db`]; they
//! never see a SQL string. That keeps a second backend possible.
//!
//! Concurrency: many processes may share one store. Writers take the write
//! lock up front (`BEGIN IMMEDIATE`), SQLite's busy handler waits for it, and
//! [`retry_busy`] re-runs a whole unit of work when SQLite still reports busy,
//! so callers never see "database is locked".
//!
//! A store is opened with `Store::open` (defined in `lifecycle::tenant`,
//! which hands [`Store::open_seeded`] the new tenant's seed): the store is
//! the bottom layer and imports no area.

mod arm;
mod audit;
mod backups;
mod busy;
mod cache;
mod dek;
mod desktop;
mod directory;
mod environment;
mod flows;
mod group;
mod keyvault;
mod masterkey;
mod migrations;
mod operations;
mod policy;
mod rbac;
mod records;
pub mod scratch;
mod service;
mod twin;

pub use arm::{ArmQuery, ArmResourceRow};
pub(crate) use audit::head_mac;
pub use audit::{AuditQuery, AuditRow};
pub use backups::BackupRow;
pub(crate) use busy::{retry_busy, BusyDeadline};
pub(crate) use cache::{DekCache, KeyMaterialCache};
pub use dek::{DekWrapRow, EnvKeyVersionRow};
pub use desktop::{
    ComponentRow, CredentialRow, DesktopConnectionRow, DlpPolicyRow, MachineRow, SecretRow, SecretVersionRow,
};
pub use directory::{PrincipalKind, PrincipalQuery, PrincipalRow};
pub use environment::EnvironmentRow;
pub use flows::{ConnectionRow, FlowListingRef, FlowRow, FlowRunRow, FlowTraits};
pub use keyvault::{AccessPolicyRow, KeyRow, KeyVersionRow, VaultRow};
pub use masterkey::MasterKey;
pub use operations::{OperationRow, VaultFaultRow};
pub use policy::PolicyRow;
pub use rbac::RoleAssignmentRow;
pub use records::RecordRow;

use crate::error::{Error, ErrorCode, Result};
use busy::BUSY_TIMEOUT;
use chrono::{DateTime, Utc};
use rusqlite::{CachedStatement, Connection, OpenFlags, Params, Row};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// File names inside the store folder.
pub const DATABASE_FILE: &str = "ppcmk.db";
pub const MASTER_KEY_FILE: &str = "master.key";

/// How long a best-effort checkpoint after a purge waits for other connections.
const CHECKPOINT_BUSY_TIMEOUT: Duration = Duration::from_millis(200);

/// An open store: the database file, the master key, and a small pool of
/// connections so that threads sharing one handle do not serialise on one
/// connection.
pub struct Store {
    home: PathBuf,
    master_key: MasterKey,
    /// The audit log's MAC key (derived from the master key), lent to every connection.
    audit_key: AuditKey,
    pool: Mutex<Vec<Db>>,
    /// Unwrapped data-encryption keys of this handle (never written anywhere).
    pub(crate) deks: DekCache,
    /// Unsealed key vault keys of this handle, lent to every connection so
    /// that deleting a key or vault row clears it.
    pub(crate) key_material: std::sync::Arc<KeyMaterialCache>,
    /// Group commit of key-use audit entries and its flusher (see `group`).
    group: std::sync::Arc<group::GroupCommit>,
    /// Whether this handle has made sure the service's first-use objects exist.
    pub(crate) bootstrapped: std::sync::atomic::AtomicBool,
    /// A connection whose `PRAGMA data_version` changes whenever any other
    /// connection, of any process, commits. Its own commits, which do not
    /// change it, are those of commands that change no state and wrote only
    /// key-use audit entries ([`Store::in_read_command`]).
    watch: Mutex<Option<Db>>,
    /// What `data_version` answers while another thread uses the watching
    /// connection: each answer new, below every real version.
    unknown_version: std::sync::atomic::AtomicI64,
    /// Nothing is due before `.1` (None: ever) while the data version stays
    /// `.0`: the due-maintenance check's last finding (see [`Store::quiet`]).
    quiet: Mutex<Option<(i64, Option<DateTime<Utc>>)>>,
    /// The clock's offset (seconds) as read at data version `.0`: a clock
    /// change is a commit, so it holds while the version stays (see
    /// [`crate::clock::now_at_version`]).
    clock_offset: Mutex<Option<(i64, i64)>>,
}

impl Store {
    /// Opens (creating on first use) the store in `home`; a new store gets
    /// `seed` inside the migration that creates the schema. Surfaces call
    /// `Store::open`, which passes the tenant's seed (`lifecycle::tenant`).
    pub(crate) fn open_seeded(home: &Path, seed: Seed) -> Result<Store> {
        // An empty path would silently put the store in the working folder.
        if home.as_os_str().is_empty() {
            return Err(Error::new(
                ErrorCode::StoreError,
                "The store folder is an empty path: name a folder, or use the default store (NULL from C, PPCMK_HOME unset).",
            ));
        }
        create_private_dir(home)?;
        let db_path = home.join(DATABASE_FILE);
        let key_path = home.join(MASTER_KEY_FILE);
        let master_key =
            if db_path.exists() { MasterKey::load(&key_path)? } else { MasterKey::load_or_create(&key_path)? };
        let store = Store {
            home: home.to_path_buf(),
            audit_key: std::sync::Arc::new(master_key.derive("audit-mac")),
            master_key,
            pool: Mutex::new(Vec::new()),
            deks: Default::default(),
            key_material: Default::default(),
            group: group::GroupCommit::new(&db_path),
            bootstrapped: Default::default(),
            watch: Mutex::new(None),
            unknown_version: std::sync::atomic::AtomicI64::new(0),
            quiet: Mutex::new(None),
            clock_offset: Mutex::new(None),
        };
        {
            let db = store.db()?;
            migrations::migrate(&db, &|db, version| after_migration(db, version, seed))?;
        }
        restrict_file_permissions(&db_path);
        Ok(store)
    }

    /// Whether `home` already holds a store (its database file).
    pub fn exists_in(home: &Path) -> bool {
        home.join(DATABASE_FILE).exists()
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn database_path(&self) -> PathBuf {
        self.home.join(DATABASE_FILE)
    }

    pub(crate) fn master_key(&self) -> &MasterKey {
        &self.master_key
    }

    /// A new connection with the handle's audit key, key cache and group commit.
    fn connect(&self) -> Result<Db> {
        let mut db = Db::open(&self.database_path())?;
        db.audit_key = Some(self.audit_key.clone());
        db.key_material = Some(self.key_material.clone());
        db.group = Some(self.group.clone());
        Ok(db)
    }

    /// The watching connection. Its commits are key uses, whose checkpoints
    /// the group commit's flusher runs off the caller's time (see `group`);
    /// its own automatic checkpoint is a backstop should the flusher fall behind.
    /// It stays at `synchronous = NORMAL`: every commit on it is a grouping
    /// transaction's, which fsyncs at once whatever is not a key use.
    fn connect_watch(&self) -> Result<Db> {
        let db = self.connect()?;
        db.conn
            .execute_batch(&format!("PRAGMA wal_autocheckpoint = {}", group::BACKSTOP_CHECKPOINT_PAGES))
            .map_err(store_error)?;
        db.set_relaxed_durability(true)?;
        Ok(db)
    }

    /// A connection from the pool (or a new one); it goes back on drop.
    pub(crate) fn db(&self) -> Result<PooledDb<'_>> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut db = match pooled {
            Some(db) => db,
            None => self.connect()?,
        };
        // A connection that a panic left inside a transaction is reset here.
        if !db.conn.is_autocommit() {
            let _ = db.conn.run("ROLLBACK");
        }
        db.wait_as_thread_asks()?;
        Ok(PooledDb { store: self, db: Some(db) })
    }

    /// A number that changes whenever a transaction that changed the store
    /// commits, on any connection of any process; key-use audit entries
    /// committed by [`Store::in_read_command`] on the watching connection
    /// excepted (they change no state). While another thread uses that
    /// connection, a number that no other call returns (so nothing is
    /// taken as unchanged).
    pub(crate) fn data_version(&self) -> Result<i64> {
        // Never waits for the watching connection: its holder may be waiting
        // for the write lock that this thread holds.
        let mut watch = match self.watch.try_lock() {
            Ok(watch) => watch,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return Ok(self.unknown_version.fetch_sub(1, std::sync::atomic::Ordering::Relaxed) - 1)
            }
        };
        if watch.is_none() {
            *watch = Some(self.connect_watch()?);
        }
        let db = watch.as_ref().expect("opened above");
        retry_busy(|| db.data_version())
    }

    /// Runs a command that changes no state (`Effect::Read`) in a grouping
    /// transaction ([`Db::in_grouping_transaction`]): on the watching
    /// connection when no other thread uses it, so that the key-use entries
    /// it commits leave `data_version`, and with it the skipped maintenance
    /// check, as they were; otherwise on `pooled`.
    ///
    /// With `checked_version` (see `maintenance::quiet_version`), the
    /// transaction first confirms that the watching connection's data
    /// version is still that one, and returns `None` without running `work`
    /// when it is not (or when another thread holds that connection).
    pub(crate) fn in_read_command<T>(
        &self,
        pooled: &Db,
        mode: TxMode,
        checked_version: Option<i64>,
        work: &mut impl FnMut(&Db) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut watch = match self.watch.try_lock() {
            Ok(watch) => watch,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) if checked_version.is_some() => return Ok(None),
            Err(std::sync::TryLockError::WouldBlock) => return pooled.in_grouping_transaction(mode, work).map(Some),
        };
        if watch.is_none() {
            *watch = Some(self.connect_watch()?);
        }
        let db = watch.as_mut().expect("opened above");
        if !db.conn.is_autocommit() {
            let _ = db.conn.run("ROLLBACK");
        }
        db.wait_as_thread_asks()?;
        let result = db.in_grouping_transaction(mode, &mut |db| match checked_version {
            // Read inside the transaction, so of the snapshot `work` sees.
            Some(checked) if db.data_version()? != checked => Ok(None),
            _ => work(db).map(Some),
        });
        if db.wrote_state.get() {
            // Its data_version does not show this commit: check again, and
            // read the clock again.
            *self.quiet.lock().unwrap_or_else(|p| p.into_inner()) = None;
            *self.clock_offset.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        result
    }

    /// The due-maintenance check's last finding: nothing due before `.1`
    /// (None: ever) while the data version stays `.0`.
    pub(crate) fn quiet_record(&self) -> Option<(i64, Option<DateTime<Utc>>)> {
        *self.quiet.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the due-maintenance check may be skipped: nothing was committed
    /// since it last found nothing due, and `now` is before the next instant
    /// something can come due with time alone.
    pub(crate) fn quiet(&self, version: i64, now: DateTime<Utc>) -> bool {
        let quiet = self.quiet.lock().unwrap_or_else(|p| p.into_inner());
        matches!(*quiet, Some((v, until)) if v == version && until.is_none_or(|t| now < t))
    }

    /// Records a check that found nothing due at data version `version`.
    pub(crate) fn set_quiet(&self, version: i64, until: Option<DateTime<Utc>>) {
        *self.quiet.lock().unwrap_or_else(|p| p.into_inner()) = Some((version, until));
    }

    /// The clock's offset last read at data version `version`, if any.
    pub(crate) fn clock_offset_at(&self, version: i64) -> Option<i64> {
        match *self.clock_offset.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((v, offset)) if v == version => Some(offset),
            _ => None,
        }
    }

    /// Records the clock's offset, read after data version `version` was.
    pub(crate) fn set_clock_offset_at(&self, version: i64, offset: i64) {
        *self.clock_offset.lock().unwrap_or_else(|p| p.into_inner()) = Some((version, offset));
    }

    /// Runs `work` in one write transaction, retrying the whole unit while
    /// the store is busy.
    pub(crate) fn write<T>(&self, mut work: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        let db = self.db()?;
        retry_busy(|| db.in_transaction(TxMode::Write, &mut work))
    }

    /// Like [`Store::write`], for one batch of resumable bulk work: the
    /// commit is durable at the next checkpoint or FULL commit rather than at
    /// once (WAL with synchronous=NORMAL: a power cut may undo the last
    /// batches, never corrupt). The caller must record its progress in the
    /// same transaction so that an undone batch is simply redone.
    pub(crate) fn write_batch<T>(&self, mut work: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        let db = self.db()?;
        db.set_relaxed_durability(true)?;
        let result = retry_busy(|| db.in_transaction(TxMode::Write, &mut work));
        db.set_relaxed_durability(false)?;
        result
    }
}

impl Drop for Store {
    /// Group-committed entries reach the disk before the handle goes.
    fn drop(&mut self) {
        self.group.close();
    }
}

/// A pooled connection; derefs to [`Db`].
pub(crate) struct PooledDb<'a> {
    store: &'a Store,
    db: Option<Db>,
}

impl std::ops::Deref for PooledDb<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db.as_ref().expect("present until drop")
    }
}

impl Drop for PooledDb<'_> {
    fn drop(&mut self) {
        if let Some(db) = self.db.take() {
            let mut pool = self.store.pool.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < 8 {
                pool.push(db);
            }
        }
    }
}

/// One SQLite connection. Area modules receive `&Db` and call the typed
/// methods defined in this module's files.
pub struct Db {
    conn: Conn,
    /// Set on connections of a [`Store`]: audit entries are MACed with it.
    audit_key: Option<AuditKey>,
    /// Set on connections of a [`Store`]: its unsealed keys, cleared when a
    /// key or vault row is deleted.
    key_material: Option<std::sync::Arc<KeyMaterialCache>>,
    /// Set on connections of a [`Store`]: where a group commit is recorded.
    group: Option<std::sync::Arc<group::GroupCommit>>,
    /// Inside [`Db::in_grouping_transaction`].
    grouping: Cell<bool>,
    /// Rows the open transaction changed through [`Db::key_use`].
    key_use_changes: Cell<u64>,
    /// The last grouping transaction changed more than key-use entries.
    wrote_state: Cell<bool>,
    /// Whether lock waits end at the thread's busy deadline (see `busy`).
    bounded_wait: Cell<bool>,
    /// Commits run under `synchronous = NORMAL` (see [`Db::set_relaxed_durability`]).
    relaxed: Cell<bool>,
}

/// A connection whose statements are parsed once and then reused: before
/// this, parsing SQL was about two thirds of a cheap command's instructions
/// (docs/performance.md). `query_row`, `execute` and `prepare` shadow the
/// `Connection` methods of the same names and go through SQLite's prepared
/// statement cache; everything else is the connection itself (`Deref`).
pub(crate) struct Conn(Connection);

/// Distinct statements a connection keeps prepared; more than the store's
/// fixed SQL, so that only SQL built at run time (IN lists) ever cycles out.
const PREPARED_STATEMENTS: usize = 512;

impl Conn {
    fn new(conn: Connection) -> Conn {
        conn.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
        Conn(conn)
    }

    pub(crate) fn prepare(&self, sql: &str) -> rusqlite::Result<CachedStatement<'_>> {
        self.0.prepare_cached(sql)
    }

    pub(crate) fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        row: F,
    ) -> rusqlite::Result<T> {
        self.0.prepare_cached(sql)?.query_row(params, row)
    }

    pub(crate) fn execute<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.0.prepare_cached(sql)?.execute(params)
    }

    /// One statement without parameters (BEGIN, COMMIT, SAVEPOINT, …), cached
    /// like the others: `execute_batch` would parse it again every time.
    pub(crate) fn run(&self, sql: &str) -> rusqlite::Result<()> {
        self.0.prepare_cached(sql)?.execute([]).map(|_| ())
    }
}

impl std::ops::Deref for Conn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

/// The audit log's MAC key, shared by a store's connections.
pub(crate) type AuditKey = std::sync::Arc<zeroize::Zeroizing<[u8; 32]>>;

/// How a transaction takes its locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TxMode {
    /// `BEGIN DEFERRED`: a consistent snapshot; may still write (and then
    /// may have to be retried if another writer got there first).
    Read,
    /// `BEGIN IMMEDIATE`: takes the write lock at once.
    Write,
}

impl Db {
    /// Every row `query` returns for `params`, each made by `row`.
    pub(crate) fn rows<T>(
        &self,
        query: &str,
        params: impl rusqlite::Params,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        use sql::Checked;
        let mut stmt = self.conn.prepare_cached(query).checked()?;
        let rows = stmt.query_map(params, row).checked()?;
        rows.collect::<rusqlite::Result<Vec<_>>>().checked()
    }

    /// SQLite's `PRAGMA data_version` of this connection: inside a
    /// transaction, that of its snapshot.
    fn data_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(store_error)
    }

    /// Forgets the handle's unsealed keys: a key or vault row is being deleted.
    pub(crate) fn forget_key_material(&self) {
        if let Some(cache) = &self.key_material {
            cache.clear();
        }
    }

    /// The audit log's MAC key; every connection a store hands out has it.
    pub(crate) fn audit_key(&self) -> Result<&[u8; 32]> {
        self.audit_key.as_deref().map(|k| &**k).ok_or_else(|| Error::internal("a connection without the audit key"))
    }

    fn open(path: &Path) -> Result<Db> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(store_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(store_error)?;
        retry_busy(|| {
            // WAL lets readers proceed while one writer writes. FULL sync makes
            // every committed command survive a power cut. secure_delete
            // overwrites freed pages, so a purged key leaves no sealed copy behind.
            conn.execute_batch(
                "PRAGMA page_size = 16384;
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA secure_delete = ON;
                 PRAGMA cache_size = -16384;",
            )
            .map_err(store_error)
        })?;
        // The query planner's stability guarantee: plans never depend on bound
        // values. Without it SQLite marks a statement whose plan looked at a
        // value (a partial index's WHERE, STAT4) to be re-prepared whenever its
        // bindings are cleared, which the statement cache does on every reuse:
        // a full parse per call (docs/performance.md).
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).map_err(store_error)?;
        Ok(Db {
            conn: Conn::new(conn),
            audit_key: None,
            key_material: None,
            group: None,
            grouping: Cell::new(false),
            key_use_changes: Cell::new(0),
            wrote_state: Cell::new(false),
            bounded_wait: Cell::new(false),
            relaxed: Cell::new(false),
        })
    }

    /// Runs `work` inside a transaction; commits on `Ok`, rolls back on `Err`.
    pub(crate) fn in_transaction<T>(&self, mode: TxMode, work: &mut impl FnMut(&Db) -> Result<T>) -> Result<T> {
        let begin = match mode {
            TxMode::Read => "BEGIN DEFERRED",
            TxMode::Write => "BEGIN IMMEDIATE",
        };
        self.conn.run(begin).map_err(store_error)?;
        let changes_before = self.conn.total_changes();
        self.key_use_changes.set(0);
        match work(self) {
            Ok(value) => match self.conn.run("COMMIT") {
                Ok(()) if self.grouping.get() => {
                    self.after_grouping_commit(self.conn.total_changes() - changes_before)?;
                    Ok(value)
                }
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = self.conn.run("ROLLBACK");
                    Err(store_error(e))
                }
            },
            Err(e) => {
                let _ = self.conn.run("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Like [`Db::in_transaction`], for a command that changes no state
    /// (`Effect::Read`): it commits under `synchronous = NORMAL`. If all it
    /// wrote was [`Db::key_use`] entries, they are group-committed (see
    /// `group`); if it wrote anything else, the WAL is fsynced before this
    /// returns, as a FULL commit would have.
    pub(crate) fn in_grouping_transaction<T>(
        &self,
        mode: TxMode,
        work: &mut impl FnMut(&Db) -> Result<T>,
    ) -> Result<T> {
        // SQLite refuses to change the level inside a transaction. The
        // watching connection stays relaxed between such transactions: its
        // only other statement is `PRAGMA data_version`.
        let was_relaxed = self.relaxed.get();
        self.set_relaxed_durability(true)?;
        self.grouping.set(true);
        self.wrote_state.set(false);
        let result = self.in_transaction(mode, work);
        self.grouping.set(false);
        self.set_relaxed_durability(was_relaxed)?;
        result
    }

    /// Writes the audit entry of a key's use (`work`): rows changed here
    /// count as group-committable in [`Db::in_grouping_transaction`].
    pub(crate) fn key_use<T>(&self, work: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let before = self.conn.total_changes();
        let value = work(self)?;
        self.key_use_changes.set(self.key_use_changes.get() + (self.conn.total_changes() - before));
        Ok(value)
    }

    fn after_grouping_commit(&self, changed: u64) -> Result<()> {
        let Some(group) = &self.group else {
            return Err(Error::internal("a grouping transaction on a connection without a store"));
        };
        match changed {
            0 => Ok(()),
            n if n == self.key_use_changes.get() => group.committed(),
            _ => {
                self.wrote_state.set(true);
                group.sync_now()
            }
        }
    }

    /// Runs `work` inside a savepoint of the open transaction: on `Err` only
    /// its own changes are rolled back, and the transaction goes on.
    pub(crate) fn in_savepoint<T>(&self, work: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        self.conn.run("SAVEPOINT ppcmk_item").map_err(store_error)?;
        match work(self) {
            Ok(value) => {
                self.conn.run("RELEASE ppcmk_item").map_err(store_error)?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.run("ROLLBACK TO ppcmk_item").and_then(|()| self.conn.run("RELEASE ppcmk_item"));
                Err(e)
            }
        }
    }

    /// Runs one item of a pass (a purge, a rotation, a health check) in its
    /// own savepoint. A failure rolls back only this item and comes back as
    /// `Ok(Err(e))` for the caller to report and skip; a busy store still
    /// fails the whole pass, so that it is retried.
    pub(crate) fn isolated<T>(&self, work: impl FnOnce(&Db) -> Result<T>) -> Result<std::result::Result<T, Error>> {
        match self.in_savepoint(work) {
            Ok(value) => Ok(Ok(value)),
            Err(e) if e.code == ErrorCode::StoreBusy => Err(e),
            Err(e) => Ok(Err(e)),
        }
    }

    /// Trades per-commit durability for speed on this connection; see
    /// [`Store::write_batch`] and [`Db::in_grouping_transaction`].
    /// Nothing is run when the level is already the one asked for: SQLite
    /// parses a PRAGMA each time, even a cached one.
    pub(crate) fn set_relaxed_durability(&self, relaxed: bool) -> Result<()> {
        if self.relaxed.get() == relaxed {
            return Ok(());
        }
        self.conn
            .execute_batch(if relaxed { "PRAGMA synchronous = NORMAL" } else { "PRAGMA synchronous = FULL" })
            .map_err(store_error)?;
        self.relaxed.set(relaxed);
        Ok(())
    }

    /// A page cache of a few pages for a connection that walks a table once
    /// (bulk re-encryption's reader), or back to the usual one. A reader's
    /// cache is emptied whenever another connection commits, so a large one
    /// only frees and reallocates its pages at every batch; a few pages come
    /// from one block that SQLite keeps, and the walk reads each leaf once.
    pub(crate) fn set_walk_cache(&self, walking: bool) -> Result<()> {
        self.conn
            .execute_batch(if walking { "PRAGMA cache_size = 20" } else { "PRAGMA cache_size = -16384" })
            .map_err(store_error)
    }

    /// Whether a transaction is open on this connection.
    pub(crate) fn in_open_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    /// Runs raw SQL: for tests that tamper with the file as an attacker would.
    #[cfg(test)]
    pub(crate) fn execute_raw(&self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql).map_err(store_error)
    }

    /// Folds the WAL into the database file and truncates it, so that pages
    /// freed by a purge leave no copy in the WAL either.
    pub fn checkpoint_truncate(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(store_error)
    }

    /// [`Db::checkpoint_truncate`] after a purge, outside any transaction, as
    /// a best effort: while another connection reads or writes, SQLite
    /// reports busy and the WAL stays as it is until a later checkpoint (the
    /// purge itself is committed either way). Waits briefly, never for the
    /// full busy timeout a command would.
    pub(crate) fn checkpoint_after_purge(&self) {
        if self.in_open_transaction() {
            return;
        }
        let _ = self.conn.busy_timeout(CHECKPOINT_BUSY_TIMEOUT);
        let _ = self.checkpoint_truncate();
        let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
        // busy_timeout replaced any deadline-bounded handler: the next
        // checkout puts it back (nothing waits on this one after a purge).
        self.bounded_wait.set(false);
    }
}

/// Maps a SQLite error: lock contention becomes `StoreBusy` (retried),
/// anything else `StoreError`.
pub(crate) fn store_error(e: rusqlite::Error) -> Error {
    use rusqlite::ffi::ErrorCode as Sq;
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, Sq::DatabaseBusy | Sq::DatabaseLocked) => {
            Error::new(ErrorCode::StoreBusy, "The store is busy with another process's write; try again.")
        }
        _ => Error::new(ErrorCode::StoreError, format!("The store could not complete the request: {e}")),
    }
}

/// `PPCMK_HOME`, else `~/.ppcmk`.
pub fn default_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("PPCMK_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    let user_home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::StoreError,
                "Neither PPCMK_HOME nor HOME is set: set PPCMK_HOME to the folder for the store.",
            )
        })?;
    Ok(PathBuf::from(user_home).join(".ppcmk"))
}

fn create_private_dir(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|e| {
        Error::new(ErrorCode::StoreError, format!("Cannot create the store folder {}: {e}", path.display()))
    })
}

fn restrict_file_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Helpers shared by the store's files.
pub(crate) mod sql {
    use super::store_error;
    use crate::error::Result;
    use crate::time::{parse_storage, to_storage};
    use chrono::{DateTime, Utc};
    use rusqlite::{OptionalExtension, Row};

    /// A time column in storage form (a malformed one reads as the epoch).
    pub fn time(r: &Row, i: usize) -> rusqlite::Result<DateTime<Utc>> {
        let s: String = r.get(i)?;
        Ok(parse_storage(&s).unwrap_or_default())
    }

    pub fn opt_time(r: &Row, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
        let s: Option<String> = r.get(i)?;
        Ok(s.and_then(|s| parse_storage(&s).ok()))
    }

    /// An optional time in storage form, for a parameter.
    pub fn storage(t: Option<DateTime<Utc>>) -> Option<String> {
        t.map(to_storage)
    }

    pub trait OptionalRow<T> {
        fn opt(self) -> Result<Option<T>>;
    }
    impl<T> OptionalRow<T> for rusqlite::Result<T> {
        fn opt(self) -> Result<Option<T>> {
            self.optional().map_err(store_error)
        }
    }

    pub trait Checked<T> {
        fn checked(self) -> Result<T>;
    }
    impl<T> Checked<T> for rusqlite::Result<T> {
        fn checked(self) -> Result<T> {
            self.map_err(store_error)
        }
    }
}

/// What a new store holds besides its schema: its tenant, written by the
/// layers above the store (the directory, the resource manager) inside the
/// migration that creates the schema, so that no process ever sees a new
/// store without its tenant and administrator. Passed in by `Store::open`,
/// so that the store never imports those layers.
pub(crate) type Seed = fn(&Db) -> Result<()>;

/// The steps of a migration that need Rust: the new tenant (`seed`) after the
/// first; after the fifth (the keyed audit chain), the MACed head of the
/// entries written so far, so that from then on a log without its head is broken.
fn after_migration(db: &Db, version: i64, seed: Seed) -> Result<()> {
    match version {
        1 => seed(db),
        5 => db.seal_audit_head(),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A join touching a table with a partial index (flows) used to make
    /// SQLite re-prepare the statement each time the cache handed it out.
    #[test]
    fn a_cached_statement_is_reused_without_being_parsed_again() {
        let dir = std::env::temp_dir().join(format!("ppcmk-store-{}", crate::crypto::new_guid()));
        let store = Store::open(&dir).unwrap();
        let db = store.db().unwrap();
        let sql = "SELECT f.flow_key, f.flow_id FROM flow_children c JOIN flows f ON f.flow_key = c.parent_key
                   WHERE c.child_key = ?1 AND f.key_managed_by = 'Microsoft'";
        for child in 1..=5i64 {
            let mut stmt = db.conn.prepare(sql).unwrap();
            assert_eq!(stmt.query_map([child], |r| r.get::<_, i64>(0)).unwrap().count(), 0);
        }
        let reprepared = db.conn.prepare(sql).unwrap().get_status(rusqlite::StatementStatus::RePrepare);
        assert!(reprepared <= 1, "re-prepared {reprepared} times in 5 uses");
        drop(db);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
