//! Tables of desktop-flow security: key vault secrets, Power Automate
//! credentials, sharing of flows and components, Dataverse security roles,
//! and DLP policies.

use super::sql::{opt_time, time, Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct SecretRow {
    pub secret_id: String,
    pub vault_id: String,
    pub name: String,
    pub created_time: DateTime<Utc>,
    pub deleted_time: Option<DateTime<Utc>>,
    pub scheduled_purge_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct SecretVersionRow {
    pub secret_id: String,
    pub version: String,
    pub seq: i64,
    pub content_type: Option<String>,
    pub enabled: bool,
    /// The value, sealed under the master key.
    pub sealed: Vec<u8>,
    pub created_time: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct CredentialRow {
    pub credential_key: i64,
    pub env_key: i64,
    pub name: String,
    /// AzureKeyVault or CyberArk.
    pub source: String,
    pub vault_name: String,
    pub secret_name: String,
    pub user_name: Option<String>,
    pub owner_id: String,
    pub created_time: DateTime<Utc>,
    /// How it signs in to a machine: Password or Certificate (certificate-based authentication).
    pub authentication_type: String,
    /// Its account must meet multifactor authentication to sign in.
    pub requires_mfa: bool,
}

/// A machine registered in an environment (for desktop flow connections).
#[derive(Debug, Clone)]
pub struct MachineRow {
    pub machine_key: i64,
    pub env_key: i64,
    pub name: String,
    pub group_name: Option<String>,
    /// Machine mapping: the credential that signs in to this machine.
    pub mapped_credential_key: Option<i64>,
    pub registered_by: String,
    pub registered_time: DateTime<Utc>,
}

/// A desktop flow connection: a machine or machine group, and the credential
/// that signs in to it (or machine mapping).
#[derive(Debug, Clone)]
pub struct DesktopConnectionRow {
    pub connection_key: i64,
    pub env_key: i64,
    pub name: String,
    pub machine_name: Option<String>,
    pub group_name: Option<String>,
    pub credential_key: Option<i64>,
    pub use_machine_mapping: bool,
    pub created_by: String,
    pub created_time: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ComponentRow {
    pub component_key: i64,
    pub env_key: i64,
    /// WorkQueue, UIElementCollection or CustomAction.
    pub kind: String,
    pub name: String,
    pub owner_id: String,
    pub created_time: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct DlpPolicyRow {
    pub policy_name: String,
    pub display_name: String,
    /// AllEnvironments, OnlyEnvironments or ExceptEnvironments.
    pub environment_type: String,
    /// JSON array of environment ids.
    pub environments: String,
    /// Business, NonBusiness or Blocked: for connectors not classified.
    pub default_classification: String,
    /// JSON object: connector id -> classification.
    pub connector_groups: String,
    /// JSON object: connector id -> {"default": Allow|Block, "actions": {id: Allow|Block}}.
    pub action_rules: String,
    pub created_by: String,
    pub created_time: DateTime<Utc>,
    pub last_modified_time: DateTime<Utc>,
}

const SECRET_COLUMNS: &str = "secret_id, vault_id, name, created_time, deleted_time, scheduled_purge_time";
const SECRET_VERSION_COLUMNS: &str = "secret_id, version, seq, content_type, enabled, sealed, created_time";
const CREDENTIAL_COLUMNS: &str =
    "credential_key, env_key, name, source, vault_name, secret_name, user_name, owner_id, \
     created_time, authentication_type, requires_mfa";
const MACHINE_COLUMNS: &str =
    "machine_key, env_key, name, group_name, mapped_credential_key, registered_by, registered_time";
const DESKTOP_CONNECTION_COLUMNS: &str = "connection_key, env_key, name, machine_name, group_name, credential_key, \
     use_machine_mapping, created_by, created_time";
const COMPONENT_COLUMNS: &str = "component_key, env_key, kind, name, owner_id, created_time";
const DLP_COLUMNS: &str = "policy_name, display_name, environment_type, environments, default_classification, \
     connector_groups, action_rules, created_by, created_time, last_modified_time";

fn secret_from_row(r: &Row) -> rusqlite::Result<SecretRow> {
    Ok(SecretRow {
        secret_id: r.get(0)?,
        vault_id: r.get(1)?,
        name: r.get(2)?,
        created_time: time(r, 3)?,
        deleted_time: opt_time(r, 4)?,
        scheduled_purge_time: opt_time(r, 5)?,
    })
}

fn secret_version_from_row(r: &Row) -> rusqlite::Result<SecretVersionRow> {
    Ok(SecretVersionRow {
        secret_id: r.get(0)?,
        version: r.get(1)?,
        seq: r.get(2)?,
        content_type: r.get(3)?,
        enabled: r.get(4)?,
        sealed: r.get(5)?,
        created_time: time(r, 6)?,
    })
}

fn credential_from_row(r: &Row) -> rusqlite::Result<CredentialRow> {
    Ok(CredentialRow {
        credential_key: r.get(0)?,
        env_key: r.get(1)?,
        name: r.get(2)?,
        source: r.get(3)?,
        vault_name: r.get(4)?,
        secret_name: r.get(5)?,
        user_name: r.get(6)?,
        owner_id: r.get(7)?,
        created_time: time(r, 8)?,
        authentication_type: r.get(9)?,
        requires_mfa: r.get(10)?,
    })
}

fn machine_from_row(r: &Row) -> rusqlite::Result<MachineRow> {
    Ok(MachineRow {
        machine_key: r.get(0)?,
        env_key: r.get(1)?,
        name: r.get(2)?,
        group_name: r.get(3)?,
        mapped_credential_key: r.get(4)?,
        registered_by: r.get(5)?,
        registered_time: time(r, 6)?,
    })
}

fn desktop_connection_from_row(r: &Row) -> rusqlite::Result<DesktopConnectionRow> {
    Ok(DesktopConnectionRow {
        connection_key: r.get(0)?,
        env_key: r.get(1)?,
        name: r.get(2)?,
        machine_name: r.get(3)?,
        group_name: r.get(4)?,
        credential_key: r.get(5)?,
        use_machine_mapping: r.get(6)?,
        created_by: r.get(7)?,
        created_time: time(r, 8)?,
    })
}

fn component_from_row(r: &Row) -> rusqlite::Result<ComponentRow> {
    Ok(ComponentRow {
        component_key: r.get(0)?,
        env_key: r.get(1)?,
        kind: r.get(2)?,
        name: r.get(3)?,
        owner_id: r.get(4)?,
        created_time: time(r, 5)?,
    })
}

fn dlp_from_row(r: &Row) -> rusqlite::Result<DlpPolicyRow> {
    Ok(DlpPolicyRow {
        policy_name: r.get(0)?,
        display_name: r.get(1)?,
        environment_type: r.get(2)?,
        environments: r.get(3)?,
        default_classification: r.get(4)?,
        connector_groups: r.get(5)?,
        action_rules: r.get(6)?,
        created_by: r.get(7)?,
        created_time: time(r, 8)?,
        last_modified_time: time(r, 9)?,
    })
}

impl Db {
    // -------------------------------------------------------------- secrets

    pub fn secret_by_name(&self, vault_id: &str, name: &str) -> Result<Option<SecretRow>> {
        self.conn
            .query_row(
                &format!("SELECT {SECRET_COLUMNS} FROM vault_secrets WHERE vault_id = ?1 AND name = ?2 COLLATE NOCASE"),
                params![vault_id, name],
                secret_from_row,
            )
            .opt()
    }

    pub fn secrets(&self, vault_id: &str) -> Result<Vec<SecretRow>> {
        self.rows(
            &format!("SELECT {SECRET_COLUMNS} FROM vault_secrets WHERE vault_id = ?1 ORDER BY name"),
            [vault_id],
            secret_from_row,
        )
    }

    pub fn insert_secret(&self, s: &SecretRow) -> Result<()> {
        self.conn
            .execute(
                &format!("INSERT INTO vault_secrets({SECRET_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
                params![
                    s.secret_id,
                    s.vault_id,
                    s.name,
                    to_storage(s.created_time),
                    s.deleted_time.map(to_storage),
                    s.scheduled_purge_time.map(to_storage)
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn set_secret_deleted(
        &self,
        secret_id: &str,
        deleted: Option<DateTime<Utc>>,
        purge_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE vault_secrets SET deleted_time = ?2, scheduled_purge_time = ?3 WHERE secret_id = ?1",
                params![secret_id, deleted.map(to_storage), purge_at.map(to_storage)],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_secret(&self, secret_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM vault_secrets WHERE secret_id = ?1", [secret_id]).checked().map(drop)
    }

    pub fn secrets_due_for_purge(&self, now: DateTime<Utc>) -> Result<Vec<SecretRow>> {
        self.rows(&format!(
                "SELECT {SECRET_COLUMNS} FROM vault_secrets WHERE scheduled_purge_time IS NOT NULL AND scheduled_purge_time <= ?1"
            ), [to_storage(now)], secret_from_row)
    }

    pub fn insert_secret_version(&self, v: &SecretVersionRow) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO vault_secret_versions({SECRET_VERSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ),
                params![v.secret_id, v.version, v.seq, v.content_type, v.enabled, v.sealed, to_storage(v.created_time)],
            )
            .checked()
            .map(drop)
    }

    /// Versions of a secret, oldest first.
    pub fn secret_versions(&self, secret_id: &str) -> Result<Vec<SecretVersionRow>> {
        self.rows(
            &format!("SELECT {SECRET_VERSION_COLUMNS} FROM vault_secret_versions WHERE secret_id = ?1 ORDER BY seq"),
            [secret_id],
            secret_version_from_row,
        )
    }

    // ---------------------------------------------------------- credentials

    pub fn insert_credential(&self, c: &CredentialRow) -> Result<i64> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO credentials({CREDENTIAL_COLUMNS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    c.env_key,
                    c.name,
                    c.source,
                    c.vault_name,
                    c.secret_name,
                    c.user_name,
                    c.owner_id,
                    to_storage(c.created_time),
                    c.authentication_type,
                    c.requires_mfa
                ],
            )
            .checked()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Changes where a credential points (its name and owner stay).
    pub fn update_credential(&self, c: &CredentialRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE credentials SET vault_name = ?2, secret_name = ?3, user_name = ?4, authentication_type = ?5,
                 requires_mfa = ?6 WHERE credential_key = ?1",
                params![
                    c.credential_key,
                    c.vault_name,
                    c.secret_name,
                    c.user_name,
                    c.authentication_type,
                    c.requires_mfa
                ],
            )
            .checked()
            .map(drop)
    }

    /// Deletes a credential with whom it was shared with.
    pub fn delete_credential(&self, credential_key: i64) -> Result<()> {
        self.conn.execute("DELETE FROM credential_access WHERE credential_key = ?1", [credential_key]).checked()?;
        self.conn.execute("DELETE FROM credentials WHERE credential_key = ?1", [credential_key]).checked().map(drop)
    }

    pub fn credential(&self, env_key: i64, name: &str) -> Result<Option<CredentialRow>> {
        self.conn
            .query_row(
                &format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE env_key = ?1 AND name = ?2"),
                params![env_key, name],
                credential_from_row,
            )
            .opt()
    }

    pub fn credentials(&self, env_key: i64) -> Result<Vec<CredentialRow>> {
        self.rows(
            &format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE env_key = ?1 ORDER BY name"),
            [env_key],
            credential_from_row,
        )
    }

    pub fn credential_by_key(&self, credential_key: i64) -> Result<Option<CredentialRow>> {
        self.conn
            .query_row(
                &format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE credential_key = ?1"),
                [credential_key],
                credential_from_row,
            )
            .opt()
    }

    pub fn grant_credential_access(&self, credential_key: i64, object_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO credential_access(credential_key, object_id) VALUES (?1, ?2)",
                params![credential_key, object_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn credential_users(&self, credential_key: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT object_id FROM credential_access WHERE credential_key = ?1 ORDER BY object_id")
            .checked()?;
        let rows = stmt.query_map([credential_key], |r| r.get(0)).checked()?;
        rows.collect::<rusqlite::Result<Vec<String>>>().checked()
    }

    // ------------------------------------------- machines and their connections

    pub fn insert_machine(&self, m: &MachineRow) -> Result<i64> {
        self.conn
            .execute(
                &format!("INSERT INTO machines({MACHINE_COLUMNS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6)"),
                params![
                    m.env_key,
                    m.name,
                    m.group_name,
                    m.mapped_credential_key,
                    m.registered_by,
                    to_storage(m.registered_time)
                ],
            )
            .checked()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Machine mapping: the credential that signs in to a machine (or none).
    pub fn set_machine_mapping(&self, machine_key: i64, credential_key: Option<i64>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE machines SET mapped_credential_key = ?2 WHERE machine_key = ?1",
                params![machine_key, credential_key],
            )
            .checked()
            .map(drop)
    }

    pub fn machine(&self, env_key: i64, name: &str) -> Result<Option<MachineRow>> {
        self.conn
            .query_row(
                &format!("SELECT {MACHINE_COLUMNS} FROM machines WHERE env_key = ?1 AND name = ?2"),
                params![env_key, name],
                machine_from_row,
            )
            .opt()
    }

    pub fn machines(&self, env_key: i64) -> Result<Vec<MachineRow>> {
        self.rows(
            &format!("SELECT {MACHINE_COLUMNS} FROM machines WHERE env_key = ?1 ORDER BY name"),
            [env_key],
            machine_from_row,
        )
    }

    pub fn insert_desktop_connection(&self, c: &DesktopConnectionRow) -> Result<i64> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO desktop_flow_connections({DESKTOP_CONNECTION_COLUMNS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                ),
                params![
                    c.env_key,
                    c.name,
                    c.machine_name,
                    c.group_name,
                    c.credential_key,
                    c.use_machine_mapping,
                    c.created_by,
                    to_storage(c.created_time)
                ],
            )
            .checked()?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn delete_desktop_connection(&self, connection_key: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM desktop_flow_connections WHERE connection_key = ?1", [connection_key])
            .checked()
            .map(drop)
    }

    pub fn desktop_connection(&self, env_key: i64, name: &str) -> Result<Option<DesktopConnectionRow>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {DESKTOP_CONNECTION_COLUMNS} FROM desktop_flow_connections WHERE env_key = ?1 AND name = ?2"
                ),
                params![env_key, name],
                desktop_connection_from_row,
            )
            .opt()
    }

    pub fn desktop_connections(&self, env_key: i64) -> Result<Vec<DesktopConnectionRow>> {
        self.rows(
            &format!(
                "SELECT {DESKTOP_CONNECTION_COLUMNS} FROM desktop_flow_connections WHERE env_key = ?1 ORDER BY name"
            ),
            [env_key],
            desktop_connection_from_row,
        )
    }

    // -------------------------------------------------------------- sharing

    pub fn set_flow_permission(&self, flow_key: i64, object_id: &str, role: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO flow_permissions(flow_key, object_id, role) VALUES (?1, ?2, ?3)
                 ON CONFLICT(flow_key, object_id) DO UPDATE SET role = excluded.role",
                params![flow_key, object_id, role],
            )
            .checked()
            .map(drop)
    }

    pub fn remove_flow_permission(&self, flow_key: i64, object_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "DELETE FROM flow_permissions WHERE flow_key = ?1 AND object_id = ?2",
                params![flow_key, object_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    /// (object id, role) of everyone a flow is shared with.
    pub fn flow_permissions(&self, flow_key: i64) -> Result<Vec<(String, String)>> {
        self.rows(
            "SELECT object_id, role FROM flow_permissions WHERE flow_key = ?1 ORDER BY object_id",
            [flow_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Whether any flow of the environment is shared with the principal.
    pub fn is_shared_in_environment(&self, env_key: i64, object_id: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM flow_permissions p JOIN flows f ON f.flow_key = p.flow_key
                 WHERE f.env_key = ?1 AND p.object_id = ?2 COLLATE NOCASE)",
                params![env_key, object_id],
                |r| r.get(0),
            )
            .checked()
    }

    pub fn add_security_role_member(&self, env_key: i64, role: &str, object_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO security_role_members(env_key, role, object_id) VALUES (?1, ?2, ?3)",
                params![env_key, role, object_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn remove_security_role_member(&self, env_key: i64, role: &str, object_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "DELETE FROM security_role_members WHERE env_key = ?1 AND role = ?2 AND object_id = ?3",
                params![env_key, role, object_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    /// (role, object id) pairs of an environment's Dataverse security roles.
    pub fn security_role_members(&self, env_key: i64) -> Result<Vec<(String, String)>> {
        self.rows(
            "SELECT role, object_id FROM security_role_members WHERE env_key = ?1 ORDER BY role, object_id",
            [env_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    // ----------------------------------------------------------- components

    pub fn insert_component(&self, c: &ComponentRow) -> Result<i64> {
        self.conn
            .execute(
                &format!("INSERT INTO desktop_components({COMPONENT_COLUMNS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5)"),
                params![c.env_key, c.kind, c.name, c.owner_id, to_storage(c.created_time)],
            )
            .checked()?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn component(&self, env_key: i64, kind: &str, name: &str) -> Result<Option<ComponentRow>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {COMPONENT_COLUMNS} FROM desktop_components WHERE env_key = ?1 AND kind = ?2 AND name = ?3"
                ),
                params![env_key, kind, name],
                component_from_row,
            )
            .opt()
    }

    pub fn components(&self, env_key: i64) -> Result<Vec<ComponentRow>> {
        self.rows(
            &format!("SELECT {COMPONENT_COLUMNS} FROM desktop_components WHERE env_key = ?1 ORDER BY kind, name"),
            [env_key],
            component_from_row,
        )
    }

    pub fn grant_component_access(&self, component_key: i64, object_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO component_access(component_key, object_id) VALUES (?1, ?2)",
                params![component_key, object_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn component_users(&self, component_key: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT object_id FROM component_access WHERE component_key = ?1 ORDER BY object_id")
            .checked()?;
        let rows = stmt.query_map([component_key], |r| r.get(0)).checked()?;
        rows.collect::<rusqlite::Result<Vec<String>>>().checked()
    }

    // ------------------------------------------------------------------ DLP

    pub fn upsert_dlp_policy(&self, p: &DlpPolicyRow) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO dlp_policies({DLP_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT(policy_name) DO UPDATE SET display_name = excluded.display_name,
                       environment_type = excluded.environment_type, environments = excluded.environments,
                       default_classification = excluded.default_classification,
                       connector_groups = excluded.connector_groups, action_rules = excluded.action_rules,
                       last_modified_time = excluded.last_modified_time"
                ),
                params![
                    p.policy_name,
                    p.display_name,
                    p.environment_type,
                    p.environments,
                    p.default_classification,
                    p.connector_groups,
                    p.action_rules,
                    p.created_by,
                    to_storage(p.created_time),
                    to_storage(p.last_modified_time)
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn dlp_policy(&self, policy_name: &str) -> Result<Option<DlpPolicyRow>> {
        self.conn
            .query_row(
                &format!("SELECT {DLP_COLUMNS} FROM dlp_policies WHERE policy_name = ?1 COLLATE NOCASE"),
                [policy_name],
                dlp_from_row,
            )
            .opt()
    }

    pub fn dlp_policies(&self) -> Result<Vec<DlpPolicyRow>> {
        self.rows(
            &format!("SELECT {DLP_COLUMNS} FROM dlp_policies ORDER BY created_time, policy_name"),
            [],
            dlp_from_row,
        )
    }

    pub fn delete_dlp_policy(&self, policy_name: &str) -> Result<bool> {
        self.conn
            .execute("DELETE FROM dlp_policies WHERE policy_name = ?1 COLLATE NOCASE", [policy_name])
            .checked()
            .map(|n| n > 0)
    }

    /// Suspends a flow (or lifts the suspension with `None`).
    pub fn set_flow_suspension(&self, flow_key: i64, reason: Option<&str>) -> Result<()> {
        self.conn
            .execute("UPDATE flows SET suspension_reason = ?2 WHERE flow_key = ?1", params![flow_key, reason])
            .checked()
            .map(drop)
    }

    pub fn flow_suspension(&self, flow_key: i64) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT suspension_reason FROM flows WHERE flow_key = ?1", [flow_key], |r| r.get(0))
            .opt()
            .map(Option::flatten)
    }
}
