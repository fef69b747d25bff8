//! Connections of an environment's flows. Their secrets are sealed: an OAuth
//! (Microsoft Entra) connection follows the environment's key; the others
//! (API key, basic) stay on the Microsoft-managed key, as the documentation
//! says CMKs aren't leveraged for non-OAuth connections.

use super::{open_for_change, open_for_read, Keys, CUSTOMER, MICROSOFT};
use crate::crypto::new_guid;
use crate::environment::{dek, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::{ConnectionRow, Db, Store};
use chrono::{DateTime, Utc};

pub const AUTH_TYPES: &[&str] = &["OAuth", "ApiKey", "Basic"];

fn secret_aad(env: &Environment, connection_id: &str, generation: i64) -> Vec<u8> {
    format!("ppcmk/connection/{}/{}/{generation}", env.id().to_ascii_lowercase(), connection_id.to_ascii_lowercase())
        .into_bytes()
}

/// The generation a non-OAuth secret is sealed under: the environment's
/// current one while it is on the Microsoft key; otherwise a generation
/// wrapped by the Microsoft key alone (made once, kept while used).
fn microsoft_generation(store: &Store, db: &Db, env: &Environment, now: DateTime<Utc>) -> Result<i64> {
    if env.row.protector == "MMK" {
        return Ok(env.row.current_generation);
    }
    let wraps = db.dek_wraps(env.row.env_key)?;
    let mmk_only = |g: i64| wraps.iter().filter(|w| w.generation == g).all(|w| w.protector == "MMK");
    if let Some(g) = wraps.iter().map(|w| w.generation).filter(|g| mmk_only(*g)).max() {
        return Ok(g);
    }
    let (generation, key) = dek::new_generation(store, db, env, now)?;
    dek::add_wrap(store, db, env, generation, &key, &dek::Protector::Mmk, None, now)?;
    Ok(generation)
}

/// `New-PpCmkConnection`.
#[allow(clippy::too_many_arguments)] // the store handles, the subject, its parameters and the clock
pub fn create(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    connector: &str,
    auth_type: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<ConnectionRow> {
    let env = open_for_change(db, caller, environment_id)?;
    if connector.is_empty()
        || connector.len() > 100
        || !connector.chars().all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
    {
        return Err(Error::invalid(format!(
            "Connector '{connector}' is invalid: use 1-100 letters, digits, '_' and '-' (e.g. shared_office365)."
        )));
    }
    if secret.is_empty() {
        return Err(Error::invalid("A connection needs a secret (-Secret)."));
    }
    let (generation, key_managed_by) = if auth_type == "OAuth" {
        super::current_key(&env)
    } else {
        (microsoft_generation(store, db, &env, now)?, MICROSOFT)
    };
    let connection_id = new_guid();
    let mut keys = Keys::new(store, &env, now);
    let sealed_secret =
        keys.get(db, generation)?.seal(secret.as_bytes(), &secret_aad(&env, &connection_id, generation));
    let row = ConnectionRow {
        connection_key: 0,
        connection_id,
        env_key: env.row.env_key,
        connector: connector.to_string(),
        auth_type: auth_type.to_string(),
        generation,
        sealed_secret,
        key_managed_by: key_managed_by.into(),
        created_time: now,
        created_by: caller.object_id().to_string(),
    };
    db.insert_connection(&row)?;
    Ok(row)
}

/// `Get-PpCmkConnection`: never the secret.
pub fn list(db: &Db, caller: &Caller, environment_id: &str) -> Result<Vec<ConnectionRow>> {
    let env = open_for_read(db, caller, environment_id)?;
    db.connections(env.row.env_key)
}

/// `Remove-PpCmkConnection`.
pub fn remove(db: &Db, caller: &Caller, environment_id: &str, connection_id: &str) -> Result<()> {
    let env = open_for_change(db, caller, environment_id)?;
    if !db.delete_connection(env.row.env_key, connection_id.trim())? {
        return Err(Error::new(ErrorCode::NotFound, format!("Connection '{connection_id}' was not found."))
            .with_target(connection_id.to_string()));
    }
    Ok(())
}

/// Moves OAuth connections to the environment's new key (all connections,
/// towards the Microsoft key); non-OAuth ones stay on the Microsoft key.
pub(super) fn apply_key_change(
    keys: &mut Keys,
    db: &Db,
    env: &Environment,
    generation: i64,
    to_customer: bool,
) -> Result<()> {
    for mut c in db.connections(env.row.env_key)? {
        let follows = !to_customer || c.auth_type == "OAuth";
        if !follows || c.generation == generation {
            continue;
        }
        let secret =
            keys.get(db, c.generation)?.open(&c.sealed_secret, &secret_aad(env, &c.connection_id, c.generation))?;
        c.sealed_secret = keys.get(db, generation)?.seal(&secret, &secret_aad(env, &c.connection_id, generation));
        c.generation = generation;
        c.key_managed_by = if to_customer { CUSTOMER } else { MICROSOFT }.into();
        db.update_connection_key(&c)?;
    }
    Ok(())
}
