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
    // 3: the Power Platform service — enterprise policies, environments, their
    // data encryption keys (DEKs) and sealed records, backups, long-running
    // operations, injected faults and tenant settings.
    r#"
    CREATE TABLE service_keys (
        name         TEXT PRIMARY KEY,
        sealed       BLOB NOT NULL,
        created_time TEXT NOT NULL
    );
    CREATE TABLE tenant_settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE enterprise_policies (
        policy_id         TEXT PRIMARY KEY,
        name              TEXT NOT NULL,
        resource_id       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        resource_group    TEXT NOT NULL COLLATE NOCASE,
        location          TEXT NOT NULL,
        kind              TEXT NOT NULL,
        principal_id      TEXT NOT NULL,
        encryption_state  TEXT NOT NULL,
        key_vault_id      TEXT NOT NULL,
        key_name          TEXT NOT NULL,
        key_version       TEXT,
        health            TEXT NOT NULL DEFAULT 'Healthy',
        health_detail     TEXT,
        last_health_check TEXT,
        created_time      TEXT NOT NULL,
        updated_time      TEXT NOT NULL
    );
    CREATE TABLE environments (
        env_key             INTEGER PRIMARY KEY,
        environment_id      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name        TEXT NOT NULL,
        location            TEXT NOT NULL,
        sku                 TEXT NOT NULL,
        is_default          INTEGER NOT NULL,
        has_database        INTEGER NOT NULL,
        is_managed          INTEGER NOT NULL,
        state               TEXT NOT NULL,
        state_reason        TEXT,
        locked_since        TEXT,
        protector           TEXT NOT NULL,
        policy_id           TEXT,
        link_status         TEXT,
        linked_time         TEXT,
        byok_migrated_time  TEXT,
        previous_policy_id  TEXT,
        unlinked_time       TEXT,
        current_generation  INTEGER NOT NULL,
        settings            TEXT NOT NULL DEFAULT '{}',
        created_time        TEXT NOT NULL,
        created_by          TEXT NOT NULL
    );
    CREATE INDEX environments_by_policy ON environments(policy_id);
    CREATE TABLE dek_generations (
        env_key      INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        generation   INTEGER NOT NULL,
        created_time TEXT NOT NULL,
        PRIMARY KEY (env_key, generation)
    );
    -- A generation's DEK, wrapped by each protector that can open it: the
    -- Microsoft-managed key, a customer key version, or the tenant BYOK key.
    CREATE TABLE dek_wraps (
        env_key      INTEGER NOT NULL,
        generation   INTEGER NOT NULL,
        protector    TEXT NOT NULL,
        key_id       TEXT NOT NULL DEFAULT '',
        wrapped      BLOB NOT NULL,
        created_time TEXT NOT NULL,
        PRIMARY KEY (env_key, generation, protector, key_id),
        FOREIGN KEY (env_key, generation) REFERENCES dek_generations(env_key, generation) ON DELETE CASCADE
    );
    -- Customer key versions an environment's DEKs were wrapped with, and
    -- when each stopped being the current one (the 28-day rule).
    CREATE TABLE env_key_versions (
        env_key       INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        key_id        TEXT NOT NULL,
        policy_id     TEXT NOT NULL,
        current_from  TEXT NOT NULL,
        current_until TEXT,
        PRIMARY KEY (env_key, key_id)
    );
    CREATE TABLE records (
        id         INTEGER PRIMARY KEY,
        env_key    INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        table_name TEXT NOT NULL,
        record_id  TEXT NOT NULL,
        generation INTEGER NOT NULL,
        sealed     BLOB NOT NULL,
        UNIQUE (env_key, table_name, record_id)
    );
    -- Walks an environment's records in id order (re-encryption resumes from
    -- the last id done); unlike an index on generation, it is not rewritten
    -- when a record is re-encrypted.
    CREATE INDEX records_by_environment ON records(env_key, id);
    CREATE TABLE backups (
        backup_id    TEXT PRIMARY KEY,
        env_key      INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        label        TEXT NOT NULL,
        created_time TEXT NOT NULL,
        protector    TEXT NOT NULL,
        key_id       TEXT,
        record_count INTEGER NOT NULL
    );
    CREATE TABLE backup_records (
        backup_id  TEXT NOT NULL REFERENCES backups(backup_id) ON DELETE CASCADE,
        table_name TEXT NOT NULL,
        record_id  TEXT NOT NULL,
        generation INTEGER NOT NULL,
        sealed     BLOB NOT NULL,
        PRIMARY KEY (backup_id, table_name, record_id)
    );
    CREATE TABLE operations (
        operation_id    TEXT PRIMARY KEY,
        env_key         INTEGER NOT NULL,
        environment_id  TEXT NOT NULL,
        kind            TEXT NOT NULL,
        state           TEXT NOT NULL,
        policy_id       TEXT,
        policy_resource_id TEXT,
        from_generation INTEGER,
        to_generation   INTEGER,
        target          TEXT,
        total           INTEGER NOT NULL DEFAULT 0,
        processed       INTEGER NOT NULL DEFAULT 0,
        watermark       INTEGER NOT NULL DEFAULT 0,
        requested_by    TEXT NOT NULL,
        start_time      TEXT NOT NULL,
        end_time        TEXT,
        error_code      TEXT,
        error_message   TEXT,
        lease_owner     TEXT,
        lease_expires   INTEGER
    );
    CREATE INDEX operations_by_environment ON operations(env_key, start_time);
    CREATE TABLE faults (
        operation     TEXT PRIMARY KEY,
        after_records INTEGER NOT NULL,
        created_time  TEXT NOT NULL
    );
    "#,
    // 4: Power Automate — flows and their child-flow graph, run history,
    // connections and app references. What a user wrote (names, definitions,
    // URLs, run inputs and outputs, connection secrets) is sealed under a DEK
    // generation of the environment, like records; the columns in clear are
    // what the service needs to decide which key protects a flow.
    r#"
    CREATE TABLE flows (
        flow_key           INTEGER PRIMARY KEY,
        flow_id            TEXT NOT NULL UNIQUE COLLATE NOCASE,
        env_key            INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        kind               TEXT NOT NULL,
        trigger_kind       TEXT NOT NULL,
        in_solution        INTEGER NOT NULL,
        uses_list_flows_v1 INTEGER NOT NULL,
        connection_source  TEXT NOT NULL,
        enabled            INTEGER NOT NULL,
        generation         INTEGER NOT NULL,
        sealed_name        BLOB NOT NULL,
        sealed_definition  BLOB NOT NULL,
        key_managed_by     TEXT NOT NULL,
        mmk_reason         TEXT,
        mmk_reason_flow    TEXT,
        created_under_cmk  INTEGER NOT NULL,
        key_changed_time   TEXT,
        created_time       TEXT NOT NULL,
        created_by         TEXT NOT NULL,
        last_modified_time TEXT NOT NULL
    );
    CREATE INDEX flows_by_key ON flows(env_key, key_managed_by);
    -- The flows with a reason of their own to stay on the Microsoft key: the
    -- few that Get-AdminFlowEncryptedByMicrosoftKey starts from.
    CREATE INDEX flows_with_own_reason ON flows(env_key)
        WHERE trigger_kind IN ('Http', 'Teams') OR (trigger_kind = 'PowerAppsV1' AND in_solution = 0)
              OR uses_list_flows_v1 = 1;
    CREATE TABLE flow_children (
        parent_key INTEGER NOT NULL REFERENCES flows(flow_key) ON DELETE CASCADE,
        child_key  INTEGER NOT NULL REFERENCES flows(flow_key) ON DELETE CASCADE,
        PRIMARY KEY (parent_key, child_key)
    );
    CREATE INDEX flow_children_by_child ON flow_children(child_key);
    -- A run is 'legacy' once its flow moved to another key: not carried
    -- forward to the flow's Details page, still in the summary and CSV.
    CREATE TABLE flow_runs (
        run_key      INTEGER PRIMARY KEY,
        run_id       TEXT NOT NULL UNIQUE,
        flow_key     INTEGER NOT NULL REFERENCES flows(flow_key) ON DELETE CASCADE,
        env_key      INTEGER NOT NULL,
        status       TEXT NOT NULL,
        trigger_name TEXT NOT NULL,
        start_time   TEXT NOT NULL,
        end_time     TEXT NOT NULL,
        legacy       INTEGER NOT NULL DEFAULT 0,
        generation   INTEGER NOT NULL,
        sealed       BLOB NOT NULL
    );
    CREATE INDEX flow_runs_by_flow ON flow_runs(flow_key, start_time);
    CREATE INDEX flow_runs_by_environment ON flow_runs(env_key, start_time);
    CREATE INDEX flow_runs_legacy ON flow_runs(flow_key) WHERE legacy = 1;
    CREATE TABLE connections (
        connection_key INTEGER PRIMARY KEY,
        connection_id  TEXT NOT NULL UNIQUE COLLATE NOCASE,
        env_key        INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        connector      TEXT NOT NULL,
        auth_type      TEXT NOT NULL,
        generation     INTEGER NOT NULL,
        sealed_secret  BLOB NOT NULL,
        key_managed_by TEXT NOT NULL,
        created_time   TEXT NOT NULL,
        created_by     TEXT NOT NULL
    );
    CREATE INDEX connections_by_environment ON connections(env_key);
    CREATE TABLE app_flow_references (
        flow_key     INTEGER NOT NULL REFERENCES flows(flow_key) ON DELETE CASCADE,
        app_name     TEXT NOT NULL,
        created_time TEXT NOT NULL,
        PRIMARY KEY (flow_key, app_name)
    );
    "#,
    // 5: desktop-flow security — key vault secrets, Power Automate
    // credentials and who may use them, sharing of flows and components,
    // Dataverse security roles, DLP policies, flow suspension, and an audit
    // log that records environment and table and is MACed under a key
    // derived from the master key (mac_version 1), with its head kept apart
    // so that removing the newest entries is detected too.
    r#"
    CREATE TABLE vault_secrets (
        secret_id            TEXT PRIMARY KEY,
        vault_id             TEXT NOT NULL REFERENCES key_vaults(vault_id) ON DELETE CASCADE,
        name                 TEXT NOT NULL,
        created_time         TEXT NOT NULL,
        deleted_time         TEXT,
        scheduled_purge_time TEXT,
        UNIQUE (vault_id, name)
    );
    CREATE TABLE vault_secret_versions (
        secret_id    TEXT NOT NULL REFERENCES vault_secrets(secret_id) ON DELETE CASCADE,
        version      TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        content_type TEXT,
        enabled      INTEGER NOT NULL,
        sealed       BLOB NOT NULL,
        created_time TEXT NOT NULL,
        PRIMARY KEY (secret_id, version)
    );
    CREATE TABLE credentials (
        credential_key INTEGER PRIMARY KEY,
        env_key        INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        name           TEXT NOT NULL COLLATE NOCASE,
        source         TEXT NOT NULL,
        vault_name     TEXT NOT NULL,
        secret_name    TEXT NOT NULL,
        user_name      TEXT,
        owner_id       TEXT NOT NULL,
        created_time   TEXT NOT NULL,
        UNIQUE (env_key, name)
    );
    CREATE TABLE credential_access (
        credential_key INTEGER NOT NULL REFERENCES credentials(credential_key) ON DELETE CASCADE,
        object_id      TEXT NOT NULL,
        PRIMARY KEY (credential_key, object_id)
    );
    CREATE TABLE flow_permissions (
        flow_key  INTEGER NOT NULL REFERENCES flows(flow_key) ON DELETE CASCADE,
        object_id TEXT NOT NULL,
        role      TEXT NOT NULL,
        PRIMARY KEY (flow_key, object_id)
    );
    CREATE TABLE security_role_members (
        env_key   INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        role      TEXT NOT NULL,
        object_id TEXT NOT NULL,
        PRIMARY KEY (env_key, role, object_id)
    );
    CREATE TABLE desktop_components (
        component_key INTEGER PRIMARY KEY,
        env_key       INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        kind          TEXT NOT NULL,
        name          TEXT NOT NULL COLLATE NOCASE,
        owner_id      TEXT NOT NULL,
        created_time  TEXT NOT NULL,
        UNIQUE (env_key, kind, name)
    );
    CREATE TABLE component_access (
        component_key INTEGER NOT NULL REFERENCES desktop_components(component_key) ON DELETE CASCADE,
        object_id     TEXT NOT NULL,
        PRIMARY KEY (component_key, object_id)
    );
    CREATE TABLE dlp_policies (
        policy_name            TEXT PRIMARY KEY,
        display_name           TEXT NOT NULL,
        environment_type       TEXT NOT NULL,
        environments           TEXT NOT NULL,
        default_classification TEXT NOT NULL,
        connector_groups       TEXT NOT NULL,
        action_rules           TEXT NOT NULL,
        created_by             TEXT NOT NULL,
        created_time           TEXT NOT NULL,
        last_modified_time     TEXT NOT NULL
    );
    ALTER TABLE flows ADD COLUMN suspension_reason TEXT;
    ALTER TABLE audit_log ADD COLUMN environment TEXT;
    ALTER TABLE audit_log ADD COLUMN table_name TEXT;
    ALTER TABLE audit_log ADD COLUMN mac_version INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX audit_log_by_environment ON audit_log(environment, table_name);
    CREATE TABLE audit_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL,
        mac  TEXT NOT NULL
    );
    "#,
    // 6: objects imported from a tenant snapshot (Import-PpCmkTenantSnapshot),
    // so that every surface can show them as `Origin: Snapshot`.
    r#"
    CREATE TABLE snapshot_objects (
        kind          TEXT NOT NULL,
        object_id     TEXT NOT NULL COLLATE NOCASE,
        imported_time TEXT NOT NULL,
        -- What the snapshot said that the store has no column for (JSON).
        detail        TEXT,
        PRIMARY KEY (kind, object_id)
    );
    "#,
    // 7: managed HSM activation (issue 13, 002:199-202): a new HSM is not usable
    // until its security domain is downloaded. Existing vaults and HSMs are
    // taken as active.
    r#"
    ALTER TABLE key_vaults ADD COLUMN activation_status TEXT NOT NULL DEFAULT 'Active';
    ALTER TABLE key_vaults ADD COLUMN security_domain TEXT;
    "#,
    // 8: credentials in desktop flow connections (issue 13, 003:7-9): how a
    // credential signs in to a machine (a password, or certificate-based
    // authentication for accounts that require MFA), the machines registered
    // in an environment with their machine group and the credential mapped to
    // each (machine mapping), and desktop flow connections. The credentials
    // they name are not removed under them: Remove-PpCmkCredential refuses
    // first, and the foreign keys are the backstop.
    r#"
    ALTER TABLE credentials ADD COLUMN authentication_type TEXT NOT NULL DEFAULT 'Password';
    ALTER TABLE credentials ADD COLUMN requires_mfa INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE machines (
        machine_key           INTEGER PRIMARY KEY,
        env_key               INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        name                  TEXT NOT NULL COLLATE NOCASE,
        group_name            TEXT COLLATE NOCASE,
        mapped_credential_key INTEGER REFERENCES credentials(credential_key),
        registered_by         TEXT NOT NULL,
        registered_time       TEXT NOT NULL,
        UNIQUE (env_key, name)
    );
    CREATE TABLE desktop_flow_connections (
        connection_key      INTEGER PRIMARY KEY,
        env_key             INTEGER NOT NULL REFERENCES environments(env_key) ON DELETE CASCADE,
        name                TEXT NOT NULL COLLATE NOCASE,
        machine_name        TEXT,
        group_name          TEXT,
        credential_key      INTEGER REFERENCES credentials(credential_key),
        use_machine_mapping INTEGER NOT NULL,
        created_by          TEXT NOT NULL,
        created_time        TEXT NOT NULL,
        UNIQUE (env_key, name)
    );
    "#,
    // 9: faults of a vault's data plane (Set-PpCmkFault -VaultName): a
    // throttle limit, added latency, a share of failing requests, an outage.
    // Kept in the store so that `ppcmk serve` honours what the CLI arms.
    r#"
    CREATE TABLE vault_faults (
        vault_name   TEXT NOT NULL COLLATE NOCASE,
        kind         TEXT NOT NULL,
        -- VaultThrottle: requests per 10 s; VaultLatency: milliseconds;
        -- VaultErrors: percent of requests; VaultOffline: unused (0).
        amount       INTEGER NOT NULL,
        -- VaultErrors: the status the failing requests get (500 or 503).
        status       INTEGER,
        -- VaultOffline: when the vault is back, on the store's clock.
        until_time   TEXT,
        created_time TEXT NOT NULL,
        PRIMARY KEY (vault_name, kind)
    );
    "#,
    // 10: an audit entry writes one page, where it wrote four (a key use's
    // WAL frames, docs/performance.md, target 2). The log's two indexes go:
    // no query used them, since every filter of `Get-PpCmkAuditLog` is
    // optional (`?1 IS NULL OR time >= ?1`), which no index serves, and the
    // chain is read by `seq`. The MACed head moves from its own table into
    // the newest entry's row (`head_mac`, NULL on every older row), which is
    // on the page the entry is written to anyway. A key's newest version is
    // found by index rather than by sorting its versions, on every key use.
    r#"
    CREATE INDEX vault_key_versions_by_seq ON vault_key_versions(key_id, seq);
    DROP INDEX audit_log_by_time;
    DROP INDEX audit_log_by_environment;
    ALTER TABLE audit_log ADD COLUMN head_mac TEXT;
    UPDATE audit_log SET head_mac = (SELECT mac FROM audit_head WHERE id = 1)
     WHERE seq = (SELECT seq FROM audit_head WHERE id = 1);
    DROP TABLE audit_head;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`]. `after(db, version)` runs
/// inside each migration's transaction, for the steps SQL cannot do (the
/// tenant's seed after the first, so no process ever sees a new store
/// without its tenant and administrator; values that need the master key).
pub(super) fn migrate(db: &Db, after: &dyn Fn(&Db, i64) -> Result<()>) -> Result<()> {
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
                after(db, version)?;
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
