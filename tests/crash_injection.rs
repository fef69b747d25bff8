//! Crash injection (issue 8, "Prove it holds"): a child `ppcmk` process
//! adding an environment of 50,001 records to a policy, removing it, or
//! re-wrapping its data keys after a key rotation, is killed with SIGKILL at
//! a random point; then the store must show the operation, resume it to
//! completion (or report it Failed with the environment Ready on its
//! previous key), and every record must decrypt to exactly what was written.
//!
//! A power cut is simulated too: the child is frozen (SIGSTOP, so the copy
//! is one instant of the files, as a disk is when the power goes) and the
//! database and WAL are copied — with the stale `-shm` half of the time, as a
//! real power cut leaves it — and sometimes with the WAL cut short at a
//! random byte past what is already folded into the database, as if its
//! last appends never reached the disk. The copy must open and recover the
//! same way. Cutting bytes that were fsynced is harsher than real hardware;
//! the recovered state is still a committed prefix, so the checks still hold.
//!
//! The re-wrap runs in the health check ahead of the next command, in one
//! transaction: a kill lands before its commit (the next command re-wraps)
//! or after it; either way exactly one re-wrap is recorded and audited.
//! The add and remove commit a batch of 1,000 records at a time with their
//! watermark; a kill lands anywhere from before the operation is recorded to
//! after it has ended (and its command's audit entry is written, or not).
//!
//! `PPCMK_CRASH_POINTS` (default 10, the CI form; `scripts/crash-injection
//! --long` runs 100) is the number of SIGKILL points, spread over add,
//! remove and re-wrap; a fifth as many power cuts (at least two) come on
//! top. `PPCMK_CRASH_SEED` replays a run: the seed is printed first and
//! fixes each point's operation and moment (the timing of a loaded machine
//! still varies). The 50,001-record store is built once; every point starts
//! from a copy, two at a time (`PPCMK_CRASH_THREADS`): one point's child
//! runs while the other's store is checked.

use crate::support;

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::cmk::{Cmk, PP};
use support::harness::{copy_store, knob, seed, snapshot_store, Rng};
use support::{TempDir, TestStore};

/// Sample records; with the fixture's one known record the environment holds 50,001.
const SAMPLE_RECORDS: i64 = 50_000;
const ADMIN: &str = "admin@contoso.onmicrosoft.com";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Link,
    Unlink,
    Rewrap,
}

impl Kind {
    /// The operation kind Get-PpCmkOperation shows.
    fn op_kind(self) -> &'static str {
        match self {
            Kind::Link => "Link",
            Kind::Unlink => "Unlink",
            Kind::Rewrap => "KeyRotation",
        }
    }

    /// KeyManagedBy before and after the operation.
    fn keys(self) -> (&'static str, &'static str) {
        match self {
            Kind::Link => ("Microsoft", "Customer"),
            Kind::Unlink => ("Customer", "Microsoft"),
            Kind::Rewrap => ("Customer", "Customer"),
        }
    }
}

/// The stores every point starts from, built once.
struct Base {
    _dir: TempDir,
    /// Before the add, on the Microsoft-managed key.
    unlinked: PathBuf,
    /// Added to the policy (the start of a removal).
    linked: PathBuf,
    /// Added, and the key rotated: the next command re-wraps the DEKs.
    rotated: PathBuf,
    env: String,
    vault_id: String,
    policy_id: String,
    identity: String,
    /// Every record as written: (table, id) -> data.
    records: BTreeMap<(String, String), Value>,
    /// Operations already in the linked store (its add).
    linked_ops: BTreeSet<String>,
    /// The key version the rotation made; the re-wrap must move the environment to it.
    rotated_key_id: String,
    /// How long the add took unkilled (in this process: the same code as the child).
    add_time: Duration,
}

impl Base {
    fn build() -> Base {
        let dir = TempDir::new("crash-base");
        let c = Cmk::new();
        let env = c.environment("Crash", 0);
        // Small records (the smallest sample size): the count is what the
        // batches and watermark see, and the unoptimised test build spends
        // its time in AES-GCM, so the CI form stays quick.
        c.pp(
            "New-PpCmkSampleData",
            json!({"EnvironmentName": env, "Records": SAMPLE_RECORDS, "RecordSize": 64, "Tables": 3}),
        );
        let records = c.all_records(&env);
        assert_eq!(records.len() as i64, SAMPLE_RECORDS + 1);
        let unlinked = dir.path().join("unlinked");
        snapshot_store(&c.t.home(), &unlinked);
        let t = Instant::now();
        c.add(&env);
        let add_time = t.elapsed();
        let linked_ops = c
            .pp("Get-PpCmkOperation", json!({"EnvironmentName": env}))
            .iter()
            .map(|o| o["OperationId"].as_str().unwrap().to_string())
            .collect();
        let linked = dir.path().join("linked");
        snapshot_store(&c.t.home(), &linked);
        let rotated_key =
            c.t.ok("Invoke-AzKeyVaultKeyRotation", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key"}));
        // No command may run here: the next one re-wraps, and that is what the points kill.
        let rotated = dir.path().join("rotated");
        snapshot_store(&c.t.home(), &rotated);
        Base {
            _dir: dir,
            unlinked,
            linked,
            rotated,
            env,
            vault_id: c.vault_id.clone(),
            policy_id: c.policy_id.clone(),
            identity: c.identity.clone(),
            records,
            linked_ops,
            rotated_key_id: rotated_key[0]["Id"].as_str().unwrap().to_string(),
            add_time,
        }
    }

    fn start(&self, kind: Kind) -> &Path {
        match kind {
            Kind::Link => &self.unlinked,
            Kind::Unlink => &self.linked,
            Kind::Rewrap => &self.rotated,
        }
    }

    /// The command the child runs. A re-wrap happens in the health check
    /// ahead of any command; Get-PpCmkOperation is as good as any.
    fn child_args(&self, kind: Kind) -> Vec<String> {
        let cmd: &[&str] = match kind {
            Kind::Link => &[
                "Add-PpCmkEnvironmentToEnterprisePolicy",
                "-EnvironmentName",
                &self.env,
                "-PolicyArmId",
                &self.policy_id,
            ],
            Kind::Unlink => &[
                "Remove-PpCmkEnvironmentFromEnterprisePolicy",
                "-EnvironmentName",
                &self.env,
                "-PolicyArmId",
                &self.policy_id,
            ],
            Kind::Rewrap => &["Get-PpCmkOperation", "-EnvironmentName", &self.env],
        };
        cmd.iter().map(|s| s.to_string()).collect()
    }

    /// Opens a store folder as the tests' `Cmk` fixture, to use its helpers.
    fn open(&self, dir: TempDir) -> Cmk {
        let store = ppcmk::Store::open(&dir.path().join("home")).unwrap_or_else(|e| panic!("the store must open: {e}"));
        Cmk {
            t: TestStore { dir, store },
            vault_id: self.vault_id.clone(),
            policy_id: self.policy_id.clone(),
            identity: self.identity.clone(),
            dir: TempDir::new("crash-unused"),
        }
    }
}

/// A child `ppcmk` with its progress lines (stderr) timed on a thread.
struct Run {
    child: Child,
    started: Instant,
    lines: mpsc::Receiver<u8>,
}

fn spawn(base: &Base, kind: Kind, home: &Path) -> Run {
    let mut child = Command::new(crate::support::ppcmk_exe())
        .args(base.child_args(kind))
        .env("PPCMK_HOME", home)
        .env("PPCMK_ACCOUNT", PP)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let err = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        // "Update Customer Managed Key: 40% Crash: 20000 of 50001 records re-encrypted"
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if let Some(pct) = line.split(": ").nth(1).and_then(|s| s.split('%').next()).and_then(|p| p.parse().ok()) {
                let _ = tx.send(pct);
            }
        }
    });
    Run { child, started, lines }
}

/// When to strike: after a random delay from the start, or once progress
/// reaches a random tenth (the CLI prints a line per tenth when stderr is
/// not a terminal) and then a random part of a tenth's time.
#[derive(Debug, Clone, Copy)]
enum Moment {
    Delay(Duration),
    AfterTenth(u8, f64),
}

impl Moment {
    /// `typical` is how long the whole command takes unkilled.
    fn pick(rng: &mut Rng, kind: Kind, typical: Duration) -> Moment {
        if kind != Kind::Rewrap && rng.chance(0.7) {
            Moment::AfterTenth(rng.below(10) as u8, rng.unit())
        } else {
            // Up to 10 % past the usual time: some points land before the
            // operation is recorded, some after it has ended.
            Moment::Delay(typical.mul_f64(1.1 * rng.unit()))
        }
    }

    /// Waits for the moment; false when the child ended first.
    fn wait(self, run: &mut Run) -> bool {
        let until = match self {
            Moment::Delay(d) => run.started + d,
            Moment::AfterTenth(t, part) => {
                loop {
                    match run.lines.recv() {
                        Ok(pct) if pct >= t * 10 => break,
                        Ok(_) => {}
                        Err(_) => return false, // stderr closed: the child is exiting
                    }
                }
                // A tenth's time, estimated from the tenths seen so far.
                Instant::now() + run.started.elapsed().mul_f64(part / f64::from(t + 1))
            }
        };
        while Instant::now() < until {
            if run.child.try_wait().unwrap().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_micros(500).min(until.saturating_duration_since(Instant::now())));
        }
        run.child.try_wait().unwrap().is_none()
    }
}

/// How a point ended, for the summary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Killed before the operation was recorded: nothing changed.
    NotStarted,
    /// Killed mid-way with `from` records re-encrypted; resumed to the end.
    Resumed { from: i64 },
    /// Killed (or cut) after the operation had committed its end.
    AlreadyDone,
    /// Resumed, and the operation reported Failed with the previous key.
    Failed,
    /// The child finished before the kill came.
    Finished,
}

/// What a check found: the outcome, and whether the child's command has
/// its audit entry (add and remove).
struct Checked {
    outcome: Outcome,
    audited: Option<bool>,
}

/// How long the re-wrapping command takes unkilled, so that random delays
/// spread over all of it. (The add and remove take the base's add time.)
fn time_rewrap(base: &Base) -> Duration {
    let dir = TempDir::new("crash-calibrate");
    copy_store(base.start(Kind::Rewrap), &dir.path().join("home"));
    let mut run = spawn(base, Kind::Rewrap, &dir.path().join("home"));
    assert!(run.child.wait().unwrap().success());
    run.started.elapsed()
}

/// One SIGKILL point: copy the base, start the child, kill it at `moment`, check.
fn kill_point(base: &Base, kind: Kind, moment: Moment) -> Checked {
    let dir = TempDir::new("crash-point");
    let home = dir.path().join("home");
    copy_store(base.start(kind), &home);
    let mut run = spawn(base, kind, &home);
    let killed = moment.wait(&mut run);
    if killed {
        run.child.kill().unwrap();
    }
    let status = run.child.wait().unwrap();
    if !killed {
        assert!(status.success(), "{kind:?}: the child ended on its own, so it must have succeeded: {status}");
    }
    // For a re-wrap, read what the killed process committed before any
    // command runs (every command's health check would do the re-wrap).
    let committed_rewrap = (kind == Kind::Rewrap).then(|| raw_count(&home, "KeyRotation"));
    let mut checked = check(base, kind, dir, killed);
    if let Some(n) = committed_rewrap {
        assert!(n <= 1, "one rotation, at most one re-wrap: {n}");
        checked.outcome = if n == 1 { Outcome::AlreadyDone } else { Outcome::NotStarted };
    }
    if !killed {
        checked.outcome = Outcome::Finished;
    }
    checked
}

/// How a power cut left the files.
#[derive(Debug, Default)]
struct Cut {
    with_shm: bool,
    wal_bytes: u64,
    /// Bytes cut off the WAL's end (the appends that "never reached the disk").
    wal_cut: u64,
}

/// One power cut: freeze the child at `moment`, copy db + WAL (+ maybe -shm),
/// maybe lose the WAL's unsynced tail, kill the child, check the copy.
fn power_cut(base: &Base, kind: Kind, moment: Moment, rng: &mut Rng) -> (Checked, Cut) {
    let run_dir = TempDir::new("crash-live");
    let live = run_dir.path().join("home");
    copy_store(base.start(kind), &live);
    let mut run = spawn(base, kind, &live);
    let frozen = moment.wait(&mut run) && freeze(&run.child);
    let copy = TempDir::new("crash-cut");
    let home = copy.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::copy(live.join("master.key"), home.join("master.key")).unwrap();
    let mut cut = Cut { with_shm: rng.chance(0.5), ..Cut::default() };
    if frozen {
        std::fs::copy(live.join("ppcmk.db"), home.join("ppcmk.db")).unwrap();
        if live.join("ppcmk.db-wal").exists() {
            cut.wal_bytes = std::fs::copy(live.join("ppcmk.db-wal"), home.join("ppcmk.db-wal")).unwrap();
        }
        let shm = std::fs::read(live.join("ppcmk.db-shm")).unwrap_or_default();
        if cut.with_shm && !shm.is_empty() {
            std::fs::write(home.join("ppcmk.db-shm"), &shm).unwrap();
        }
        if rng.chance(0.5) {
            cut.wal_cut = lose_wal_tail(&home.join("ppcmk.db-wal"), &shm, rng);
        }
        run.child.kill().unwrap();
        run.child.wait().unwrap();
    } else {
        // It finished first: what it left after a clean exit.
        assert!(run.child.wait().unwrap().success());
        copy_store(&live, &home);
    }
    let mut checked = check(base, kind, copy, frozen);
    if !frozen {
        checked.outcome = Outcome::Finished;
    }
    (checked, cut)
}

/// SIGSTOP, and waits until the child is stopped (without reaping it).
/// False when it had already exited.
fn freeze(child: &Child) -> bool {
    let pid = child.id() as libc::pid_t;
    unsafe {
        libc::kill(pid, libc::SIGSTOP);
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let r = libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WSTOPPED | libc::WEXITED | libc::WNOWAIT);
        assert_eq!(r, 0, "waitid: {}", std::io::Error::last_os_error());
        info.si_code == libc::CLD_STOPPED
    }
}

/// Cuts the copied WAL at a random byte past the frames a checkpoint has
/// folded (or started to fold) into the database file: those were synced
/// before the database was written, the rest may not have reached the disk.
/// Reads the bounds from the wal-index (-shm) as the frozen process left it.
fn lose_wal_tail(wal: &Path, shm: &[u8], rng: &mut Rng) -> u64 {
    let Ok(bytes) = std::fs::read(wal) else { return 0 };
    if bytes.len() < 32 || shm.len() < 136 {
        return 0;
    }
    let page = u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as u64;
    let word = |at: usize| u32::from_ne_bytes(shm[at..at + 4].try_into().unwrap()) as u64;
    // WalCkptInfo follows the two 48-byte copies of the header: nBackfill, then
    // five read marks and eight lock bytes, then nBackfillAttempted.
    let folded = word(96).max(word(128));
    let keep_at_least = 32 + folded * (24 + page);
    let len = bytes.len() as u64;
    if len <= keep_at_least {
        return 0;
    }
    // Mostly short tails (the last batches), sometimes everything past the fold.
    let lost = ((len - keep_at_least) as f64 * rng.unit().powi(3)) as u64;
    let keep = len - lost;
    std::fs::write(wal, &bytes[..keep as usize]).unwrap();
    len - keep
}

/// Operations of `kind` in the store, read straight from the file.
fn raw_count(home: &Path, kind: &str) -> i64 {
    let conn = rusqlite::Connection::open(home.join("ppcmk.db")).unwrap();
    conn.query_row("SELECT count(*) FROM operations WHERE kind = ?1", [kind], |r| r.get(0)).unwrap()
}

/// Opens the store as the next administrator would and checks the
/// documented recovery: the operation is visible, resumes to its end (or
/// failed back to the previous key), nothing is left running or disabled,
/// the audit chain is intact, and every record reads back as written.
fn check(base: &Base, kind: Kind, dir: TempDir, interrupted: bool) -> Checked {
    let c = base.open(dir);
    let env = &base.env;
    let (before, after) = kind.keys();
    let known: BTreeSet<String> = match kind {
        Kind::Link => BTreeSet::new(),
        Kind::Unlink | Kind::Rewrap => base.linked_ops.clone(),
    };
    let new_ops = |c: &Cmk| -> Vec<Value> {
        c.pp("Get-PpCmkOperation", json!({"EnvironmentName": env}))
            .into_iter()
            .filter(|o| !known.contains(o["OperationId"].as_str().unwrap()))
            .collect()
    };
    let ops = new_ops(&c);
    assert!(ops.len() <= 1, "{kind:?}: one operation at most: {ops:#?}");
    let mut outcome = Outcome::NotStarted;
    if let Some(op) = ops.first() {
        assert_eq!(op["Kind"], kind.op_kind(), "{op}");
        let mut op = op.clone();
        match op["State"].as_str().unwrap() {
            "Running" => {
                assert!(interrupted, "an operation ran on unkilled: {op}");
                assert_eq!(op["Interrupted"], true, "the killed holder frees the operation: {op}");
                // Removing keeps it disabled throughout; adding only until the
                // re-encryption starts (the phased add, 002:412), then it is
                // usable, still on the previous key.
                let e = c.env(env);
                if kind == Kind::Link {
                    assert!(matches!(e["State"].as_str(), Some("Disabled" | "Ready")), "{e}");
                    assert_eq!(e["KeyManagedBy"], before, "{e}");
                } else {
                    assert_eq!(e["State"], "Disabled", "disabled while the key changes");
                }
                let from = op["RecordsProcessed"].as_i64().unwrap();
                assert!((0..=base.records.len() as i64).contains(&from), "{op}");
                op = c.pp("Resume-PpCmkOperation", json!({"OperationId": op["OperationId"]})).remove(0);
                outcome = Outcome::Resumed { from };
            }
            "Succeeded" => outcome = Outcome::AlreadyDone,
            "Failed" => {}
            other => panic!("{kind:?}: unexpected state {other}: {op}"),
        }
        match op["State"].as_str().unwrap() {
            "Succeeded" => {
                if kind != Kind::Rewrap {
                    assert_eq!(op["RecordsTotal"], base.records.len(), "{op}");
                    assert_eq!(op["RecordsProcessed"], base.records.len(), "every record once: {op}");
                }
            }
            "Failed" => outcome = Outcome::Failed,
            other => panic!("{kind:?}: the resumed operation ended {other}: {op}"),
        }
    }
    let e = c.env(env);
    assert_eq!(e["State"], "Ready", "{kind:?} {outcome:?}: the environment is usable again: {e}");
    let expected_key = match outcome {
        Outcome::NotStarted | Outcome::Failed if kind != Kind::Rewrap => before,
        _ => after,
    };
    assert_eq!(e["KeyManagedBy"], expected_key, "{kind:?} {outcome:?}: {e}");
    if kind == Kind::Rewrap {
        // The health check of the commands above re-wrapped, if the child had not:
        // exactly once, to the rotated version, and audited once.
        let ops = new_ops(&c);
        assert_eq!(ops.len(), 1, "one re-wrap: {ops:#?}");
        assert_eq!(ops[0]["State"], "Succeeded");
        assert!(ops[0]["Target"].as_str().unwrap().eq_ignore_ascii_case(&base.rotated_key_id), "{}", ops[0]);
        let audited =
            c.t.ok_as(ADMIN, "Get-PpCmkAuditLog", json!({}))
                .iter()
                .filter(|a| a["Command"] == "PowerPlatform/RewrapEnvironmentKeys")
                .count();
        assert_eq!(audited, 1, "one audit entry for the re-wrap");
    }
    let running: Vec<Value> = new_ops(&c).into_iter().filter(|o| o["State"] == "Running").collect();
    assert!(running.is_empty(), "nothing left running: {running:#?}");
    // The child's own audit entry: appended after the operation, so a kill
    // before that leaves none (the operation row keeps RequestedBy).
    let command = &base.child_args(kind)[0];
    let log = c.t.ok_as(ADMIN, "Get-PpCmkAuditLog", json!({}));
    let entries = log.iter().filter(|a| a["Command"] == command.as_str()).count();
    let audited = match kind {
        Kind::Rewrap => None,
        Kind::Link | Kind::Unlink => {
            assert!(entries <= 1, "{command} audited {entries} times");
            Some(entries == 1)
        }
    };
    let audit = c.t.ok_as(ADMIN, "Test-PpCmkAuditLog", json!({})).remove(0);
    assert_eq!(audit["Status"], "Pass", "the audit chain survives the crash: {audit}");
    let records = c.all_records(env);
    assert_eq!(records.len(), base.records.len(), "{kind:?} {outcome:?}: no record lost or added");
    if records != base.records {
        let differ = records.iter().filter(|(k, v)| base.records.get(*k) != Some(*v)).count();
        panic!("{kind:?} {outcome:?}: {differ} record(s) read back different from what was written");
    }
    Checked { outcome, audited }
}

/// One point of the run, picked up front from the seed.
struct Point {
    n: usize,
    kind: Kind,
    power_cut: bool,
    moment: Moment,
    seed: u64,
}

impl Point {
    fn run(&self, base: &Base) -> String {
        let t = Instant::now();
        let (how, checked, cut) = if self.power_cut {
            let (checked, cut) = power_cut(base, self.kind, self.moment, &mut Rng::new(self.seed));
            ("power cut", checked, format!(", {cut:?}"))
        } else {
            ("SIGKILL", kill_point(base, self.kind, self.moment), String::new())
        };
        let audited = match checked.audited {
            Some(true) => ", command audited",
            Some(false) => ", command not audited",
            None => "",
        };
        format!(
            "{how} {:>3}: {:?} at {:?} -> {:?}{cut}{audited} ({:.1?})",
            self.n,
            self.kind,
            self.moment,
            checked.outcome,
            t.elapsed()
        )
    }
}

#[test]
fn kill_9_and_power_cut_at_random_points_lose_nothing() {
    let _serial = crate::one_at_a_time();
    let started = Instant::now();
    let kills = knob("PPCMK_CRASH_POINTS", 10) as usize;
    let cuts = (kills / 5).max(2);
    // Two points at a time: one's child runs while the other's store is checked.
    let threads = knob("PPCMK_CRASH_THREADS", 2).max(1) as usize;
    let mut rng = Rng::new(seed("PPCMK_CRASH_SEED"));
    let base = Base::build();
    let rewrap_time = time_rewrap(&base);
    println!(
        "base store: {} records, built in {:.1?}; add {:.1?}, re-wrapping command {:.1?}",
        base.records.len(),
        started.elapsed(),
        base.add_time,
        rewrap_time
    );
    let kinds = [Kind::Link, Kind::Unlink, Kind::Rewrap];
    let mut points: Vec<Point> = (0..kills + cuts)
        .map(|n| {
            let (kind, power_cut) =
                if n < kills { (kinds[n % 3], false) } else { ([Kind::Link, Kind::Unlink][n % 2], true) };
            let typical = if kind == Kind::Rewrap { rewrap_time } else { base.add_time };
            Point { n: n + 1, kind, power_cut, moment: Moment::pick(&mut rng, kind, typical), seed: rng.next_u64() }
        })
        .collect();
    points.reverse();
    let queue = std::sync::Mutex::new(points);
    let results = std::sync::Mutex::new(Vec::new());
    let failure = std::sync::Mutex::new(None::<String>);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                if failure.lock().unwrap().is_some() {
                    return;
                }
                let Some(point) = queue.lock().unwrap().pop() else { return };
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| point.run(&base))) {
                    Ok(line) => {
                        println!("{line}");
                        results.lock().unwrap().push((point.kind, point.power_cut, line));
                    }
                    Err(panic) => {
                        let message = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        *failure.lock().unwrap() =
                            Some(format!("point {} ({:?} at {:?}): {message}", point.n, point.kind, point.moment));
                    }
                }
            });
        }
    });
    if let Some(f) = failure.into_inner().unwrap() {
        panic!("{f}");
    }
    let results = results.into_inner().unwrap();
    assert_eq!(results.len(), kills + cuts);
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for (kind, cut, line) in &results {
        let outcome = line.split("-> ").nth(1).and_then(|s| s.split([',', ' ']).next()).unwrap_or("?");
        let audit = if line.contains("not audited") { " (command not audited)" } else { "" };
        let how = if *cut { "power cut" } else { "SIGKILL" };
        *tally.entry(format!("{kind:?} {how}: {outcome}{audit}")).or_default() += 1;
    }
    println!("summary: {kills} kill points and {cuts} power cuts in {:.1?} ({threads} at a time)", started.elapsed());
    for (what, n) in &tally {
        println!("  {what} x{n}");
    }
}
