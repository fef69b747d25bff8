//! The legacy bring-your-own-key (BYOK) feature: a tenant protection key
//! imported into the service, protecting chosen environments. Such an
//! environment migrates to a customer-managed key by being added to an
//! enterprise policy (`operations`): its DEKs are re-wrapped, nothing is
//! re-encrypted, it shows as CustomerViaMicrosoft, cannot revert to the
//! Microsoft-managed key for 7 days, and the BYOK key must stay 28 days.

use super::dek::{self, Protector};
use super::{find, require_admin, Environment};
use crate::crypto::rsa::PrivateKey;
use crate::crypto::{hex, sha256};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::{Db, Store};
use chrono::{DateTime, Duration, Utc};

/// How long the BYOK key must stay after the last migration.
pub const BYOK_KEY_KEEP_DAYS: i64 = 28;

/// What the tenant's BYOK key looks like from outside.
#[derive(Debug, Clone)]
pub struct TenantKeyInfo {
    pub thumbprint: String,
    pub key_size: usize,
    pub environments: Vec<String>,
}

fn info(store: &Store, db: &Db) -> Result<Option<TenantKeyInfo>> {
    if db.service_key(dek::BYOK)?.is_none() {
        return Ok(None);
    }
    let key = dek::byok_key(store, db)?;
    let public = key.public_key();
    let environments =
        db.environments()?.into_iter().filter(|e| e.protector == "BYOK").map(|e| e.display_name).collect();
    Ok(Some(TenantKeyInfo { thumbprint: hex(&sha256(&public.modulus())[..20]), key_size: key.bits(), environments }))
}

/// Imports the tenant protection key (Global or Power Platform administrator).
pub fn set_tenant_key(
    store: &Store,
    db: &Db,
    caller: &Caller,
    file: &[u8],
    password: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TenantKeyInfo> {
    require_admin(caller, "manage the tenant protection key")?;
    if db.environments()?.iter().any(|e| e.protector == "BYOK") {
        return Err(Error::conflict("Environments are protected by the current tenant key; move them back to the Microsoft-managed key before replacing it."));
    }
    let key = PrivateKey::import(file, password)?;
    db.set_service_key(dek::BYOK, &store.master_key().seal(&key.to_pkcs8_der()?, dek::byok_aad()), now)?;
    info(store, db)?.ok_or_else(|| Error::internal("the key just stored is missing"))
}

pub fn tenant_key(store: &Store, db: &Db, caller: &Caller) -> Result<Option<TenantKeyInfo>> {
    require_admin(caller, "read the tenant protection key")?;
    info(store, db)
}

/// Deletes the tenant key, unless environments still need it: those it
/// protects, and those migrated from it less than 28 days ago.
pub fn remove_tenant_key(db: &Db, caller: &Caller, now: DateTime<Utc>) -> Result<()> {
    require_admin(caller, "manage the tenant protection key")?;
    for e in db.environments()? {
        if e.protector == "BYOK" {
            return Err(Error::conflict(format!("The tenant key still protects environment '{}'.", e.display_name)));
        }
        if let Some(t) = e.byok_migrated_time {
            if t + Duration::days(BYOK_KEY_KEEP_DAYS) > now {
                return Err(Error::conflict(format!(
                    "Environment '{}' migrated from BYOK on {}: the BYOK key must stay available for {BYOK_KEY_KEEP_DAYS} days (until {}).",
                    e.display_name,
                    crate::time::to_display(t),
                    crate::time::to_display(t + Duration::days(BYOK_KEY_KEEP_DAYS))
                )));
            }
        }
    }
    if !db.delete_service_key(dek::BYOK)? {
        return Err(Error::not_found("Tenant protection key", "BYOK"));
    }
    Ok(())
}

/// Moves every DEK generation the environment uses from one protector to another.
fn rewrap_all(store: &Store, db: &Db, env: &Environment, from: &str, to: &Protector, now: DateTime<Utc>) -> Result<()> {
    let mut generations = db.generations_in_use(env.row.env_key)?;
    if !generations.contains(&env.row.current_generation) {
        generations.push(env.row.current_generation);
    }
    for g in generations {
        let key = dek::dek(store, db, env, g, now)?;
        dek::add_wrap(store, db, env, g, &key, to, None, now)?;
        dek::drop_wraps(db, env, g, from)?;
    }
    Ok(())
}

/// `Set-PowerAppProtectionStatus`: Customer puts an environment under the
/// tenant BYOK key, Microsoft returns it to the Microsoft-managed key.
pub fn set_protection_status(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    managed_by: &str,
    now: DateTime<Utc>,
) -> Result<Environment> {
    require_admin(caller, "change an environment's protection key")?;
    let mut env = find(db, environment_id)?;
    env.require_ready()?;
    if env.row.protector == "CMK" || env.row.policy_id.is_some() {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Environment '{}' uses an enterprise policy; manage its key with the policy (Remove-PpCmkEnvironmentFromEnterprisePolicy).", env.name()),
        ));
    }
    match (managed_by, env.row.protector.as_str()) {
        ("Customer", "MMK") => {
            dek::byok_key(store, db)?;
            rewrap_all(store, db, &env, "MMK", &Protector::Byok, now)?;
            env.row.protector = "BYOK".into();
        }
        ("Microsoft", "BYOK") => {
            rewrap_all(store, db, &env, "BYOK", &Protector::Mmk, now)?;
            env.row.protector = "MMK".into();
        }
        _ => return Ok(env), // already so
    }
    db.update_environment(&env.row)?;
    Ok(env)
}
