//! Versioned schema migrations. `PRAGMA user_version` holds the number of
//! migrations applied; each migration runs in its own write transaction that
//! re-reads the version first, so two processes opening a new store at once
//! apply each migration exactly once. Never edit a migration that has shipped:
//! append a new one.

use super::sql::Checked;
use super::{retry_busy, Db, TxMode};
use crate::error::{Error, ErrorCode, Result};

/// The schema, one entry per version. Version N is reached after entry N-1.
const MIGRATIONS: &[&str] = &[
    // 1: core — tenant, directory, sessions, ARM resources, RBAC, audit log.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE tenants (
        tenant_id    TEXT PRIMARY KEY,
        domain       TEXT NOT NULL,
        display_name TEXT NOT NULL
    );
    CREATE TABLE subscriptions (
        subscription_id TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        tenant_id       TEXT NOT NULL REFERENCES tenants(tenant_id),
        state           TEXT NOT NULL
    );
    CREATE TABLE principals (
        object_id              TEXT PRIMARY KEY,
        kind                   TEXT NOT NULL CHECK (kind IN ('User', 'ServicePrincipal')),
        display_name           TEXT NOT NULL,
        user_principal_name    TEXT UNIQUE COLLATE NOCASE,
        mail_nickname          TEXT,
        app_id                 TEXT UNIQUE,
        service_principal_type TEXT,
        alternative_names      TEXT NOT NULL DEFAULT '[]',
        account_enabled        INTEGER NOT NULL DEFAULT 1,
        created_time           TEXT NOT NULL
    );
    CREATE INDEX principals_by_display_name ON principals(display_name COLLATE NOCASE);
    CREATE TABLE directory_role_members (
        role_name  TEXT NOT NULL,
        object_id  TEXT NOT NULL REFERENCES principals(object_id) ON DELETE CASCADE,
        added_time TEXT NOT NULL,
        PRIMARY KEY (role_name, object_id)
    );
    CREATE TABLE sessions (
        side           TEXT PRIMARY KEY CHECK (side IN ('Azure', 'PowerPlatform')),
        object_id      TEXT NOT NULL REFERENCES principals(object_id) ON DELETE CASCADE,
        signed_in_time TEXT NOT NULL
    );
    CREATE TABLE resource_providers (
        subscription_id    TEXT NOT NULL REFERENCES subscriptions(subscription_id),
        namespace          TEXT NOT NULL COLLATE NOCASE,
        registration_state TEXT NOT NULL,
        PRIMARY KEY (subscription_id, namespace)
    );
    -- Every ARM resource (resource groups included) by its lower-cased id, so
    -- that scopes resolve and Get-AzResource lists them. Area tables hold the
    -- resource's own properties.
    CREATE TABLE arm_resources (
        id_key          TEXT PRIMARY KEY,
        id              TEXT NOT NULL,
        type            TEXT NOT NULL COLLATE NOCASE,
        name            TEXT NOT NULL,
        subscription_id TEXT NOT NULL,
        resource_group  TEXT,
        location        TEXT,
        kind            TEXT,
        created_time    TEXT NOT NULL
    );
    CREATE INDEX arm_resources_by_type ON arm_resources(type);
    CREATE TABLE role_assignments (
        assignment_id      TEXT PRIMARY KEY,
        scope              TEXT NOT NULL,
        scope_key          TEXT NOT NULL,
        role_definition_id TEXT NOT NULL,
        principal_id       TEXT NOT NULL,
        description        TEXT,
        condition          TEXT,
        created_time       TEXT NOT NULL,
        created_by         TEXT NOT NULL,
        UNIQUE (scope_key, role_definition_id, principal_id)
    );
    CREATE INDEX role_assignments_by_principal ON role_assignments(principal_id);
    -- Append-only. Each entry's hash covers its fields and the previous hash,
    -- so an edited or removed row breaks the chain from that row on.
    CREATE TABLE audit_log (
        seq          INTEGER PRIMARY KEY,
        time         TEXT NOT NULL,
        principal    TEXT NOT NULL,
        principal_id TEXT,
        command      TEXT NOT NULL,
        target       TEXT,
        outcome      TEXT NOT NULL,
        error_code   TEXT,
        detail       TEXT,
        prev_hash    TEXT NOT NULL,
        hash         TEXT NOT NULL
    );
    CREATE INDEX audit_log_by_time ON audit_log(time);
    "#,
    // 2: the customer's key vaults and managed HSMs, their keys and versions.
    // Key material is stored only sealed under the master key.
    r#"
    CREATE TABLE key_vaults (
        vault_id                   TEXT PRIMARY KEY,
        name                       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        kind                       TEXT NOT NULL CHECK (kind IN ('Vault', 'ManagedHsm')),
        resource_id                TEXT NOT NULL,
        resource_group             TEXT NOT NULL,
        location                   TEXT NOT NULL,
        sku                        TEXT NOT NULL,
        soft_delete_retention_days INTEGER NOT NULL,
        purge_protection           INTEGER NOT NULL,
        rbac_authorization         INTEGER NOT NULL,
        public_network_access      TEXT NOT NULL,
        network_default_action     TEXT NOT NULL,
        network_bypass             TEXT NOT NULL,
        ip_rules                   TEXT NOT NULL DEFAULT '[]',
        private_endpoints          TEXT NOT NULL DEFAULT '[]',
        administrators             TEXT NOT NULL DEFAULT '[]',
        created_time               TEXT NOT NULL,
        deleted_time               TEXT,
        scheduled_purge_time       TEXT
    );
    CREATE INDEX key_vaults_by_purge_time ON key_vaults(scheduled_purge_time) WHERE scheduled_purge_time IS NOT NULL;
    CREATE TABLE key_vault_access_policies (
        vault_id               TEXT NOT NULL REFERENCES key_vaults(vault_id) ON DELETE CASCADE,
        object_id              TEXT NOT NULL COLLATE NOCASE,
        permissions_to_keys    TEXT NOT NULL,
        permissions_to_secrets TEXT NOT NULL,
        PRIMARY KEY (vault_id, object_id)
    );
    CREATE TABLE vault_keys (
        key_id               TEXT PRIMARY KEY,
        vault_id             TEXT NOT NULL REFERENCES key_vaults(vault_id) ON DELETE CASCADE,
        name                 TEXT NOT NULL COLLATE NOCASE,
        tags                 TEXT NOT NULL DEFAULT '{}',
        rotation_policy      TEXT,
        next_rotation_time   TEXT,
        created_time         TEXT NOT NULL,
        deleted_time         TEXT,
        scheduled_purge_time TEXT,
        UNIQUE (vault_id, name)
    );
    CREATE INDEX vault_keys_by_rotation_time ON vault_keys(next_rotation_time) WHERE next_rotation_time IS NOT NULL;
    CREATE INDEX vault_keys_by_purge_time ON vault_keys(scheduled_purge_time) WHERE scheduled_purge_time IS NOT NULL;
    CREATE TABLE vault_key_versions (
        key_id         TEXT NOT NULL REFERENCES vault_keys(key_id) ON DELETE CASCADE,
        version        TEXT NOT NULL,
        seq            INTEGER NOT NULL,
        key_type       TEXT NOT NULL,
        key_size       INTEGER NOT NULL,
        key_ops        TEXT NOT NULL,
        enabled        INTEGER NOT NULL,
        not_before     TEXT,
        expires        TEXT,
        created_time   TEXT NOT NULL,
        updated_time   TEXT NOT NULL,
        public_sealed  BLOB NOT NULL,
        private_sealed BLOB NOT NULL,
        PRIMARY KEY (key_id, version)
    );
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`]. `seed` runs inside the
/// transaction of the first migration, so no process ever sees a new store
/// without its tenant and administrator.
pub(super) fn migrate(db: &Db, seed: fn(&Db) -> Result<()>) -> Result<()> {
    let current = user_version(db)?;
    if current > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorCode::StoreVersionTooNew,
            format!(
                "The store has schema version {current}, written by a newer ppcmk; this build reads up to {SCHEMA_VERSION}. Upgrade ppcmk."
            ),
        ));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        retry_busy(|| {
            db.in_transaction(TxMode::Write, &mut |db| {
                if user_version(db)? >= version {
                    return Ok(()); // another process got here first
                }
                db.conn.execute_batch(sql).checked()?;
                if version == 1 {
                    seed(db)?;
                }
                db.conn.execute_batch(&format!("PRAGMA user_version = {version}")).checked()
            })
        })?;
    }
    Ok(())
}

fn user_version(db: &Db) -> Result<i64> {
    db.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).checked()
}

impl Db {
    pub fn schema_version(&self) -> Result<i64> {
        user_version(self)
    }

    pub fn meta_get(&self, key: &str) -> Result<Option<String>> {
        use super::sql::OptionalRow;
        self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).opt()
    }

    pub fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .checked()
            .map(drop)
    }
}
