//! Dataverse-like records: JSON documents in named tables, each sealed with
//! AES-256-GCM under the environment's current DEK generation, a fresh
//! nonce per record, and associated data binding the ciphertext to its
//! environment, table, record id and generation.

use super::{dek, find, require_data_access, Environment};
use crate::crypto::{base64, new_guid, random_array};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::progress::Progress;
use crate::store::{Db, RecordRow, Store};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A record as commands show it.
#[derive(Debug, Clone)]
pub struct Record {
    pub table: String,
    pub id: String,
    pub generation: i64,
    pub data: Value,
}

fn validate_table(table: &str) -> Result<()> {
    if !table.is_empty() && table.len() <= 64 && table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok(());
    }
    Err(Error::invalid(format!("Table name '{table}' is invalid: use 1-64 letters, digits and underscores."))
        .with_target(table))
}

fn validate_record_id(id: &str) -> Result<()> {
    if !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Ok(());
    }
    Err(Error::invalid(format!("Record id '{id}' is invalid: use 1-100 letters, digits, '-', '_' and '.'."))
        .with_target(id))
}

/// The environment, if the caller may use its data now.
pub fn open_for_data(db: &Db, caller: &Caller, environment_id: &str) -> Result<Environment> {
    let env = find(db, environment_id)?;
    require_data_access(caller, &env)?;
    if !env.row.has_database {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Environment '{}' has no Dataverse database (create it with -ProvisionDatabase).", env.name()),
        ));
    }
    env.require_ready()?;
    Ok(env)
}

/// Seals a record's JSON under the environment's current generation.
pub fn seal(
    store: &Store,
    db: &Db,
    env: &Environment,
    table: &str,
    id: &str,
    plain: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let generation = env.row.current_generation;
    let key = dek::dek(store, db, env, generation, now)?;
    Ok(key.seal(plain, &dek::record_aad(env, table, id, generation)))
}

/// Opens a stored record (any generation the environment still has).
pub fn open(store: &Store, db: &Db, env: &Environment, row: &RecordRow, now: DateTime<Utc>) -> Result<Record> {
    let key = dek::dek(store, db, env, row.generation, now)?;
    let plain = key.open(&row.sealed, &dek::record_aad(env, &row.table_name, &row.record_id, row.generation))?;
    let data =
        serde_json::from_slice(&plain).map_err(|e| Error::internal(format!("a record does not hold JSON: {e}")))?;
    Ok(Record { table: row.table_name.clone(), id: row.record_id.clone(), generation: row.generation, data })
}

/// Creates a record; its id must be free in the table.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    table: &str,
    data: &Map<String, Value>,
    id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Record> {
    validate_table(table)?;
    let id = id.map(str::to_string).unwrap_or_else(new_guid);
    validate_record_id(&id)?;
    let env = open_for_data(db, caller, environment_id)?;
    let plain = serde_json::to_vec(data).map_err(|e| Error::internal(e.to_string()))?;
    let sealed = seal(store, db, &env, table, &id, &plain, now)?;
    if !db.insert_record(env.row.env_key, table, &id, env.row.current_generation, &sealed)? {
        return Err(Error::new(ErrorCode::AlreadyExists, format!("Table '{table}' already has a record '{id}'."))
            .with_target(id));
    }
    Ok(Record {
        table: table.to_string(),
        id,
        generation: env.row.current_generation,
        data: Value::Object(data.clone()),
    })
}

/// One record by id (`NotFound`), or the first `first` records of a table.
#[allow(clippy::too_many_arguments)]
pub fn get(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    table: &str,
    id: Option<&str>,
    first: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Record>> {
    validate_table(table)?;
    let env = open_for_data(db, caller, environment_id)?;
    let rows = match id {
        Some(id) => vec![db.record(env.row.env_key, table, id)?.ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("Table '{table}' has no record '{id}'.")).with_target(id)
        })?],
        None => db.records_page(env.row.env_key, Some(table), 0, first)?,
    };
    rows.iter().map(|r| open(store, db, &env, r, now)).collect()
}

pub fn remove(db: &Db, caller: &Caller, environment_id: &str, table: &str, id: &str) -> Result<()> {
    let env = open_for_data(db, caller, environment_id)?;
    if !db.delete_record(env.row.env_key, table, id)? {
        return Err(Error::new(ErrorCode::NotFound, format!("Table '{table}' has no record '{id}'.")).with_target(id));
    }
    Ok(())
}

/// What `New-PpCmkSampleData` wrote.
#[derive(Debug, Clone)]
pub struct SampleSummary {
    pub records: i64,
    pub tables: i64,
    pub plaintext_bytes: i64,
}

/// Records per transaction when loading or re-encrypting data.
pub const BATCH: i64 = 1000;

/// Loads `count` records of about `size` bytes into `tables` tables, in
/// batches (one transaction each), reporting progress. Each record carries a
/// random payload, so no two plaintexts repeat, and optionally a marker
/// string to search for in the store's files.
#[allow(clippy::too_many_arguments)]
pub fn load_sample(
    store: &Store,
    caller: &Caller,
    environment_id: &str,
    count: i64,
    size: i64,
    tables: i64,
    marker: Option<&str>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
) -> Result<SampleSummary> {
    let env = store.write(|db| open_for_data(db, caller, environment_id))?;
    let mut written = 0i64;
    let mut bytes = 0i64;
    while written < count {
        let n = BATCH.min(count - written);
        let batch_bytes = store.write(|db| {
            // Re-read: an operation may have started since the last batch.
            let env = open_for_data(db, caller, environment_id)?;
            let mut batch_bytes = 0i64;
            for i in written..written + n {
                let table = format!("sample_{}", i % tables);
                let id = format!("rec-{:09}-{}", i, crate::crypto::hex(&random_array::<4>()));
                let plain = sample_plaintext(i, size, marker);
                batch_bytes += plain.len() as i64;
                let sealed = seal(store, db, &env, &table, &id, &plain, now)?;
                db.insert_record(env.row.env_key, &table, &id, env.row.current_generation, &sealed)?;
            }
            Ok(batch_bytes)
        })?;
        written += n;
        bytes += batch_bytes;
        progress(Progress::new(
            "Loading sample data",
            format!("{written} of {count} records into '{}'", env.name()),
            written as u64,
            count as u64,
        ));
    }
    Ok(SampleSummary { records: written, tables, plaintext_bytes: bytes })
}

/// About `size` bytes of JSON with a random payload.
fn sample_plaintext(i: i64, size: i64, marker: Option<&str>) -> Vec<u8> {
    let mut doc = Map::new();
    doc.insert("name".into(), Value::String(format!("Sample record {i}")));
    if let Some(m) = marker {
        doc.insert("marker".into(), Value::String(m.to_string()));
    }
    let base = serde_json::to_vec(&doc).map(|v| v.len()).unwrap_or(0) as i64 + 14;
    let payload_chars = (size - base).max(0) as usize;
    let mut random = vec![0u8; payload_chars * 3 / 4 + 3];
    crate::crypto::fill_random(&mut random);
    let mut payload = base64(&random);
    payload.truncate(payload_chars);
    doc.insert("payload".into(), Value::String(payload));
    serde_json::to_vec(&doc).unwrap_or_default()
}
