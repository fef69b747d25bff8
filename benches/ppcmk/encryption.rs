//! Environment encryption: the link (adding an environment to a policy, which
//! re-encrypts every record) beside the physical limits and the alternatives
//! measured on the same plaintext volume in the same run, and the unlink and
//! the BYOK migration beside the same limit; key-version rotation against
//! data size; the link's peak memory and throughput against data size.

use crate::report::{thousands, Report, Row, Section, Target};
use crate::{mb_per_s, ms, n, size_from_env, step, Tenant};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Bytes of plaintext JSON per record, as the link benchmark loads them.
const RECORD_SIZE: i64 = 1024;

/// The RSA key size of the benchmark's customer key (Add-AzKeyVaultKey's default).
const CMK_BITS: u32 = 2048;

pub fn run(report: &mut Report) {
    let records = size_from_env("PPCMK_BENCH_RECORDS", 1_000_000);
    report.sizes.push(format!(
        "link: {} records × 1 KiB = {:.0} MB of plaintext (`PPCMK_BENCH_RECORDS`, default 1,000,000); \
         memory comparison at {} records; rotation comparison at 1,000 records",
        n(records),
        (records * RECORD_SIZE) as f64 / 1e6,
        n(records / 10),
    ));
    let bytes = (records * RECORD_SIZE) as u64;
    let mut link_section = Section::new(
        "Link",
        format!("Environment encryption: the link over {} × 1 KiB records", n(records)),
        "`Add-PpCmkEnvironmentToEnterprisePolicy` in a child `ppcmk` process (whole operation: start-up, \
         unwrapping both DEKs, opening each record under the old DEK and sealing it under the new one, \
         SQLite's writes, the final commit), beside references on the same plaintext volume and the same \
         disk. Throughput is plaintext bytes divided by wall time.",
    );

    step("encryption: loading the records");
    let load = Instant::now();
    let big = Tenant::new("big", records);
    link_section.row(Row::new(
        "loading the records (`New-PpCmkSampleData`, not a target)",
        format!("{:.1} s", load.elapsed().as_secs_f64()),
    ));
    step("encryption: raw AES-256-GCM and raw disk write");
    let cores = cores();
    let aes = mb_per_s(bytes, raw_aes(records, cores));
    // Each disk measure starts with no dirty pages of an earlier step (the
    // loading leaves a gigabyte to write back), so none pays for another.
    flush_disk();
    let disk = mb_per_s(bytes, raw_disk(&big.dir, bytes));
    step("encryption: the link");
    flush_disk();
    let (link_time, link_rss) = big.link_in_child();
    let link = mb_per_s(bytes, link_time);
    let link_figure = format!("{link:.0} MB/s ({:.1} s)", link_time.as_secs_f64());

    let (limit, limit_name) = if aes <= disk { (aes, "raw AES-256-GCM") } else { (disk, "raw disk write") };
    let limit_reference = format!(
        "{limit_name}: {limit:.0} MB/s (AES-256-GCM sealing on {cores} core{} {aes:.0} MB/s; sequential write + fdatasync per MiB {disk:.0} MB/s)",
        if cores == 1 { "" } else { "s" }
    );
    link_section.row(
        Row::new("link re-encryption vs the smaller physical limit", &link_figure)
            .reference(&limit_reference)
            .ratio(format!("{:.0} %", 100.0 * link / limit))
            .target(Target::at_least(link, 0.5 * limit, "≥ 50 % of the smaller limit")),
    );

    step("encryption: SQLCipher reference");
    let sqlcipher = sqlcipher_rekey(&big.dir, records);
    link_section.row(match &sqlcipher {
        Ok(r) => {
            let rekey = mb_per_s(bytes, r.rekey);
            Row::new("link re-encryption vs SQLCipher `PRAGMA rekey`", &link_figure)
                .reference(format!(
                    "SQLCipher {} rekey: {rekey:.0} MB/s ({:.1} s; {:.0} MB file)",
                    r.version,
                    r.rekey.as_secs_f64(),
                    r.file_bytes as f64 / 1e6
                ))
                .ratio(format!("{:.2}×", link / rekey))
                .target(Target::above(link, rekey, "faster than SQLCipher rekey (> 1×)"))
        }
        Err(why) => Row::new("link re-encryption vs SQLCipher `PRAGMA rekey`", &link_figure)
            .reference(why.clone())
            .target(Target::not_measured("faster than SQLCipher rekey (> 1×)")),
    });

    step("encryption: Python cryptography reference");
    let python = python_envelope(records);
    link_section.row(match &python {
        Ok(p) => {
            let mbs = mb_per_s(bytes, p.seconds);
            Row::new("link re-encryption vs the scripting alternative (not a target)", &link_figure)
                .reference(format!(
                    "Python {} + cryptography {}: {mbs:.0} MB/s ({:.1} s, of which RSA-OAEP wrap {:.2} ms)",
                    p.python,
                    p.cryptography,
                    p.seconds.as_secs_f64(),
                    ms(p.wrap)
                ))
                .ratio(format!("{:.2}×", link / mbs))
        }
        Err(why) => Row::new("link re-encryption vs the scripting alternative (not a target)", &link_figure)
            .reference(why.clone()),
    });
    link_section.note(
        "References. *Raw AES-256-GCM*: ppcmk's own sealing of the same number of 1 KiB records in \
         memory, on every core the process may use (`std::thread::available_parallelism`), each thread \
         sealing its share. *Raw disk write*: the same number of bytes written sequentially to a file in the \
         same folder, 1 MiB at a time with `fdatasync` after each (the link commits up to 4 MiB per batch and syncs at checkpoints); `sync` runs before each timed disk step, so that none writes back an earlier step's dirty pages. \
         The smaller of the two is the physical limit the link is held to.",
    );
    link_section.note(format!(
        "*SQLCipher*: Debian's `sqlcipher` command-line shell creates, in the same folder, a database \
         holding the same plaintext volume ({} rows of {RECORD_SIZE}-byte JSON text shaped like the \
         sample records, under a raw 256-bit key, `cipher_page_size` 4096 — SQLCipher 4's default and \
         faster here than 3.x's 1024), then a second shell process opens it and runs `PRAGMA rekey` to \
         another raw key (no key derivation on either side); the time is that process's wall time, \
         default journal (rollback) and `synchronous=FULL`. A third process checks that the new key \
         reads every row.",
        n(records)
    ));
    link_section.note(format!(
        "*Scripting alternative*: `benches/ppcmk/envelope.py` with Python's `cryptography` package: \
         generate a DEK, AESGCM-encrypt each of {} records of {RECORD_SIZE} bytes (fresh 12-byte nonce, \
         record id as AAD), RSA-OAEP-256-wrap the DEK with an RSA {CMK_BITS} public key. Only that is \
         timed, in memory, encryption only: it neither decrypts the old ciphertexts nor writes anything, \
         so it does less than the link.",
        n(records)
    ));
    // The rotation needs the big environment linked; the unlink and the BYOK
    // migration then reuse its records instead of loading another million.
    let rotation_section = rotation(&big, records);
    step("encryption: the unlink");
    flush_disk();
    let (unlink_time, _) = big.run_in_child("Remove-PpCmkEnvironmentFromEnterprisePolicy");
    let unlink = mb_per_s(bytes, unlink_time);
    link_section.row(
        Row::new(
            "unlink re-encryption vs the smaller physical limit (not a target)",
            format!("{unlink:.0} MB/s ({:.1} s)", unlink_time.as_secs_f64()),
        )
        .reference(&limit_reference)
        .ratio(format!("{:.0} %", 100.0 * unlink / limit)),
    );
    step("encryption: the BYOK migration");
    let byok_time = byok_migration(&big);
    let byok = mb_per_s(bytes, byok_time);
    link_section.row(
        Row::new(
            "BYOK → CMK migration vs the smaller physical limit (not a target)",
            format!("{byok:.0} MB/s ({:.2} s)", byok_time.as_secs_f64()),
        )
        .reference(&limit_reference)
        .ratio(format!("{:.0} %", 100.0 * byok / limit)),
    );
    link_section.note(
        "*Unlink*: `Remove-PpCmkEnvironmentFromEnterprisePolicy` of the same environment in a child `ppcmk` \
         process, after the link and the rotation: every record is re-encrypted again, under a new \
         generation wrapped by the Microsoft-managed key. *BYOK → CMK*: the same environment, put under the \
         tenant's BYOK key (`Set-PpCmkTenantByokKey`, `Set-PowerAppProtectionStatus -ProtectionKeyManagedBy \
         Customer`), then added to the policy in a child process: only the DEKs are re-wrapped, nothing is \
         re-encrypted, so its time does not grow with the data; its throughput is the same plaintext volume \
         divided by its wall time.",
    );
    report.add(link_section);
    report.add(rotation_section);
    let medium_time = memory(report, records, link_rss);
    scaling(report, records, link_time, medium_time);
}

/// Writes every dirty page of the system back (sync(2)) before a timed step.
fn flush_disk() {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// The number of cores this process may use: what the parallel references use.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Puts the (unlinked) environment under the tenant's BYOK key, then adds it
/// to the policy in a child process: the wall time of that migration.
fn byok_migration(t: &Tenant) -> Duration {
    let key = ppcmk::crypto::rsa::PrivateKey::generate(2048).expect("an RSA key");
    let path = t.dir.join("tenant-byok.der");
    std::fs::write(&path, &*key.to_pkcs8_der().expect("its PKCS#8 form")).expect("writing the BYOK key file");
    t.run("Set-PpCmkTenantByokKey", json!({"KeyFilePath": path}));
    t.run("Set-PowerAppProtectionStatus", json!({"EnvironmentName": t.env, "ProtectionKeyManagedBy": "Customer"}));
    let (time, _) = t.run_in_child("Add-PpCmkEnvironmentToEnterprisePolicy");
    let env = t.run("Get-AdminPowerAppEnvironment", json!({"EnvironmentName": t.env}));
    assert!(env[0]["EnterprisePolicyId"].is_string() && env[0]["State"] == "Ready", "not migrated: {env:?}");
    time
}

impl Tenant {
    /// Runs `command` on the environment and the bench policy in a child
    /// `ppcmk` process, as [`Tenant::link_in_child`] does the link: (wall
    /// time, peak resident memory in bytes).
    fn run_in_child(&self, command: &str) -> (Duration, u64) {
        let started = Instant::now();
        let mut cmd = Command::new(crate::ppcmk_exe());
        cmd.args([command, "-EnvironmentName", &self.env, "-PolicyArmId", crate::POLICY]).env("PPCMK_HOME", &self.dir);
        let (status, peak) = crate::run_with_peak_rss(&cmd, Stdio::null());
        assert_eq!(status, 0, "{command} failed");
        (started.elapsed(), peak)
    }
}

/// Link throughput at a hundredth, a tenth and all of the records, so that growth is visible.
fn scaling(report: &mut Report, records: i64, big: Duration, medium: Duration) {
    let mut section = Section::new(
        "Scaling",
        "Link throughput against data size",
        "The link of the first section at a hundredth, a tenth and all of its records (each a fresh \
         environment in a child `ppcmk` process; the tenth is the memory section's run). Linear growth \
         keeps the throughput constant; the ratio is each throughput over the largest run's.",
    );
    step("scaling: the link at a hundredth of the size");
    let small = (records / 100).max(1);
    let tenant = Tenant::new("hundredth", small);
    flush_disk();
    let (small_time, _) = tenant.link_in_child();
    let big_mbs = mb_per_s((records * RECORD_SIZE) as u64, big);
    for (count, time) in [(small, small_time), (records / 10, medium), (records, big)] {
        let mbs = mb_per_s((count * RECORD_SIZE) as u64, time);
        section.row(
            Row::new(format!("link, {} records", n(count)), format!("{mbs:.0} MB/s ({:.2} s)", time.as_secs_f64()))
                .reference(format!("{} records: {big_mbs:.0} MB/s", n(records)))
                .ratio(format!("{:.2}×", mbs / big_mbs)),
        );
    }
    report.add(section);
}

/// Key-version rotation: the re-wrap after a new key version, at 1,000 records and at the full size.
fn rotation(big: &Tenant, records: i64) -> Section {
    let mut section = Section::new(
        "Rotation",
        "Key-version rotation",
        "After `Invoke-AzKeyVaultKeyRotation` creates a new version of the customer key, \
         `Invoke-PpCmkMaintenance` re-wraps the environment's DEKs under it (in process). Only the DEK \
         wraps change, never the records, so the cost should not grow with the data.",
    );
    step("rotation");
    let small = Tenant::new("small", 1000);
    small.link_in_child();
    let rewrap = |t: &Tenant| {
        t.run("Invoke-AzKeyVaultKeyRotation", json!({"VaultName": "bench-kv", "Name": "cmk"}));
        let started = Instant::now();
        let events = t.run("Invoke-PpCmkMaintenance", json!({}));
        let d = started.elapsed();
        assert!(events.iter().any(|e| e["Action"] == "RewrapEnvironmentKeys"), "{events:?}");
        d
    };
    let (r_small, r_big) = (rewrap(&small), rewrap(big));
    let ratio = r_big.as_secs_f64() / r_small.as_secs_f64();
    section.row(
        Row::new(format!("re-wrap after a key rotation, {} records", n(records)), format!("{:.1} ms", ms(r_big)))
            .reference(format!("same at 1,000 records: {:.1} ms", ms(r_small)))
            .ratio(format!("{ratio:.2}×"))
            .target(Target::at_most(ratio, 1.5, "flat in data size (≤ 1.5×)")),
    );
    section
}

/// Peak memory of the link at a tenth of the size and at the full size; the
/// tenth's link time, for the scaling table.
fn memory(report: &mut Report, records: i64, big_rss: u64) -> Duration {
    let mut section = Section::new(
        "Memory",
        "Peak memory of the link",
        "Peak resident set size of the child `ppcmk` process that runs the link (from `wait4`), at a tenth \
         of the data and at the full size. The child is started by a small launcher, not by the bench: Linux \
         carries the peak of the address space a process leaves at `exec` into its own, so a child started \
         by the bench would report the bench's peak whenever that is higher.",
    );
    step("memory: the link at a tenth of the size");
    let medium = Tenant::new("medium", records / 10);
    flush_disk();
    let (medium_time, medium_rss) = medium.link_in_child();
    let mib = |b: u64| b as f64 / 1048576.0;
    let ratio = big_rss as f64 / medium_rss as f64;
    section.row(
        Row::new(format!("peak memory of the link, {} records", n(records)), format!("{:.1} MiB", mib(big_rss)))
            .reference(format!("same at {} records: {:.1} MiB", thousands((records / 10) as u64), mib(medium_rss)))
            .ratio(format!("{ratio:.2}×"))
            .target(Target::at_most(ratio, 1.2, "flat in data size (≤ 1.2×)")),
    );
    report.add(section);
    medium_time
}

/// ppcmk's AES-256-GCM sealing of `records` 1 KiB records in memory, spread
/// over `cores` threads (each seals its share), as the issue defines the limit.
fn raw_aes(records: i64, cores: usize) -> Duration {
    let key = ppcmk::crypto::SymmetricKey::generate();
    let record = vec![0x5au8; RECORD_SIZE as usize];
    let share = (records + cores as i64 - 1) / cores as i64;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for part in 0..cores as i64 {
            let (key, record) = (&key, &record);
            scope.spawn(move || {
                for i in part * share..((part + 1) * share).min(records) {
                    std::hint::black_box(key.seal(record, format!("aad-{i}").as_bytes()));
                }
            });
        }
    });
    started.elapsed()
}

/// Sequential writes of `bytes` to a file in `dir`, 1 MiB at a time with fdatasync after each.
fn raw_disk(dir: &Path, bytes: u64) -> Duration {
    use std::io::Write;
    let path = dir.join("raw-write.bin");
    let started = Instant::now();
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0xa5u8; 1 << 20];
    let mut written = 0u64;
    while written < bytes {
        f.write_all(&chunk).unwrap();
        f.sync_data().unwrap();
        written += chunk.len() as u64;
    }
    drop(f);
    let d = started.elapsed();
    let _ = std::fs::remove_file(path);
    d
}

struct Rekey {
    version: String,
    rekey: Duration,
    file_bytes: u64,
}

/// Runs `sql` in the sqlcipher shell on `db`; the shell's stdout, or why it failed.
fn sqlcipher(program: &str, db: &Path, sql: &str) -> Result<String, String> {
    use std::io::Write;
    let mut child = Command::new(program)
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    child.stdin.take().unwrap().write_all(sql.as_bytes()).map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.trim().is_empty() {
        return Err(format!("{program} failed: {}", stderr.trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// SQLCipher's `PRAGMA rekey` over a database of `records` rows of RECORD_SIZE bytes, in `dir`.
fn sqlcipher_rekey(dir: &Path, records: i64) -> Result<Rekey, String> {
    let program = std::env::var("PPCMK_BENCH_SQLCIPHER").unwrap_or_else(|_| "sqlcipher".into());
    let missing = || {
        "not measured: install SQLCipher's shell (`apt-get install sqlcipher`) or set PPCMK_BENCH_SQLCIPHER".to_string()
    };
    let version = match Command::new(&program).arg(":memory:").arg("PRAGMA cipher_version;").output() {
        Ok(o) if o.status.success() && !o.stdout.is_empty() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => return Err(missing()),
    };
    let db = dir.join("sqlcipher-reference.db");
    let random_key = || {
        let mut k = [0u8; 32];
        ppcmk::crypto::fill_random(&mut k);
        ppcmk::crypto::hex(&k)
    };
    let (old, new) = (random_key(), random_key());
    let open = |key: &str| format!("PRAGMA key = \"x'{key}'\";\nPRAGMA cipher_page_size = 4096;\n");
    // Each row: JSON text of exactly RECORD_SIZE bytes with a random hex payload, like the sample records.
    let create = format!(
        "{}CREATE TABLE records(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);\n\
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {records})\n\
         INSERT INTO records SELECT x, substr('{{\"name\":\"Sample record ' || x || '\",\"payload\":\"' \
         || hex(randomblob({})), 1, {}) || '\"}}' FROM c;\n\
         SELECT count(*), sum(length(doc)) FROM records;\n",
        open(&old),
        RECORD_SIZE,
        RECORD_SIZE - 2
    );
    let result = (|| {
        let counted = sqlcipher(&program, &db, &create)?;
        let expected = format!("{records}|{}", records * RECORD_SIZE);
        if records > 0 && counted.trim() != expected {
            return Err(format!("the SQLCipher reference database holds {counted:?}, expected {expected}"));
        }
        let file_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
        let started = Instant::now();
        sqlcipher(&program, &db, &format!("{}PRAGMA rekey = \"x'{new}'\";\n", open(&old)))?;
        let rekey = started.elapsed();
        let check = sqlcipher(&program, &db, &format!("{}SELECT count(*) FROM records;\n", open(&new)))?;
        if check.trim() != records.to_string() {
            return Err(format!("after PRAGMA rekey the new key reads {check:?} rows, expected {records}"));
        }
        Ok(Rekey { version: version.clone(), rekey, file_bytes })
    })();
    let _ = std::fs::remove_file(&db);
    result.map_err(|e| format!("not measured: {e}"))
}

struct Envelope {
    seconds: Duration,
    wrap: Duration,
    python: String,
    cryptography: String,
}

/// benches/ppcmk/envelope.py over `records` records of RECORD_SIZE bytes.
fn python_envelope(records: i64) -> Result<Envelope, String> {
    let program = std::env::var("PPCMK_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ppcmk/envelope.py");
    let out = Command::new(&program)
        .arg(&script)
        .args([records.to_string(), RECORD_SIZE.to_string(), CMK_BITS.to_string()])
        .output();
    let out = match out {
        Err(e) => {
            return Err(format!(
                "not measured: {program}: {e} — install Python 3 and its cryptography package \
                 (`apt-get install python3-cryptography`) or set PPCMK_BENCH_PYTHON"
            ))
        }
        Ok(o) if o.status.code() == Some(3) => {
            return Err(format!(
                "not measured: {program} has no `cryptography` package — install it \
                 (`apt-get install python3-cryptography` or `pip install cryptography`)"
            ))
        }
        Ok(o) if !o.status.success() => {
            return Err(format!("not measured: envelope.py failed: {}", String::from_utf8_lossy(&o.stderr).trim()))
        }
        Ok(o) => o,
    };
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("not measured: envelope.py printed no JSON result ({e})"))?;
    let secs = |k: &str| v[k].as_f64().and_then(|s| Duration::try_from_secs_f64(s).ok());
    let (Some(seconds), Some(wrap)) = (secs("seconds"), secs("wrap_seconds")) else {
        return Err(format!("not measured: envelope.py printed no timings: {v}"));
    };
    if v["records"].as_i64() != Some(records) || v["bytes"].as_i64() != Some(records * RECORD_SIZE) {
        return Err(format!("not measured: envelope.py did other work than asked: {v}"));
    }
    Ok(Envelope {
        seconds,
        wrap,
        python: v["python"].as_str().unwrap_or("?").into(),
        cryptography: v["cryptography"].as_str().unwrap_or("?").into(),
    })
}
