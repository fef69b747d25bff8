//! Tables of the customer's key vaults and managed HSMs: vaults, access
//! policies, keys and key versions. Key material arrives here sealed.

use super::sql::{opt_time, storage, time, Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::{parse_storage, to_storage};
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct VaultRow {
    pub vault_id: String,
    pub name: String,
    /// "Vault" or "ManagedHsm".
    pub kind: String,
    pub resource_id: String,
    pub resource_group: String,
    pub location: String,
    pub sku: String,
    pub soft_delete_retention_days: i64,
    pub purge_protection: bool,
    pub rbac_authorization: bool,
    /// "Enabled" or "Disabled".
    pub public_network_access: String,
    /// "Allow" or "Deny".
    pub network_default_action: String,
    /// "AzureServices" or "None".
    pub network_bypass: String,
    pub ip_rules: Vec<String>,
    pub private_endpoints: Vec<String>,
    pub administrators: Vec<String>,
    pub created_time: DateTime<Utc>,
    pub deleted_time: Option<DateTime<Utc>>,
    pub scheduled_purge_time: Option<DateTime<Utc>>,
    /// A managed HSM's security domain state: "NotActivated" until it is
    /// downloaded, then "Active" (key vaults are always "Active").
    pub activation_status: String,
    /// What the download recorded (JSON: quorum, certificate thumbprints, time).
    pub security_domain: Option<String>,
}

const VAULT_COLUMNS: &str = "vault_id, name, kind, resource_id, resource_group, location, sku, \
     soft_delete_retention_days, purge_protection, rbac_authorization, public_network_access, \
     network_default_action, network_bypass, ip_rules, private_endpoints, administrators, created_time, \
     deleted_time, scheduled_purge_time, activation_status, security_domain";

fn json_list(r: &Row, i: usize) -> rusqlite::Result<Vec<String>> {
    let s: String = r.get(i)?;
    Ok(serde_json::from_str(&s).unwrap_or_default())
}

fn list_text(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

fn vault_from_row(r: &Row) -> rusqlite::Result<VaultRow> {
    Ok(VaultRow {
        vault_id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        resource_id: r.get(3)?,
        resource_group: r.get(4)?,
        location: r.get(5)?,
        sku: r.get(6)?,
        soft_delete_retention_days: r.get(7)?,
        purge_protection: r.get(8)?,
        rbac_authorization: r.get(9)?,
        public_network_access: r.get(10)?,
        network_default_action: r.get(11)?,
        network_bypass: r.get(12)?,
        ip_rules: json_list(r, 13)?,
        private_endpoints: json_list(r, 14)?,
        administrators: json_list(r, 15)?,
        created_time: time(r, 16)?,
        deleted_time: opt_time(r, 17)?,
        scheduled_purge_time: opt_time(r, 18)?,
        activation_status: r.get(19)?,
        security_domain: r.get(20)?,
    })
}

#[derive(Debug, Clone)]
pub struct AccessPolicyRow {
    pub object_id: String,
    pub permissions_to_keys: Vec<String>,
    pub permissions_to_secrets: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub key_id: String,
    pub vault_id: String,
    pub name: String,
    /// Tags as a JSON object text.
    pub tags: String,
    /// The rotation policy as JSON text, if one is set.
    pub rotation_policy: Option<String>,
    pub next_rotation_time: Option<DateTime<Utc>>,
    pub created_time: DateTime<Utc>,
    pub deleted_time: Option<DateTime<Utc>>,
    pub scheduled_purge_time: Option<DateTime<Utc>>,
}

const KEY_COLUMNS: &str =
    "key_id, vault_id, name, tags, rotation_policy, next_rotation_time, created_time, deleted_time, scheduled_purge_time";

fn key_from_row(r: &Row) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        key_id: r.get(0)?,
        vault_id: r.get(1)?,
        name: r.get(2)?,
        tags: r.get(3)?,
        rotation_policy: r.get(4)?,
        next_rotation_time: opt_time(r, 5)?,
        created_time: time(r, 6)?,
        deleted_time: opt_time(r, 7)?,
        scheduled_purge_time: opt_time(r, 8)?,
    })
}

#[derive(Debug, Clone)]
pub struct KeyVersionRow {
    pub key_id: String,
    pub version: String,
    /// Creation order within the key, from 1.
    pub seq: i64,
    pub key_type: String,
    pub key_size: i64,
    pub key_ops: Vec<String>,
    pub enabled: bool,
    pub not_before: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
    pub public_sealed: Vec<u8>,
    pub private_sealed: Vec<u8>,
}

const VERSION_COLUMNS: &str = "key_id, version, seq, key_type, key_size, key_ops, enabled, not_before, expires, \
     created_time, updated_time, public_sealed, private_sealed";

fn version_from_row(r: &Row) -> rusqlite::Result<KeyVersionRow> {
    Ok(KeyVersionRow {
        key_id: r.get(0)?,
        version: r.get(1)?,
        seq: r.get(2)?,
        key_type: r.get(3)?,
        key_size: r.get(4)?,
        key_ops: json_list(r, 5)?,
        enabled: r.get(6)?,
        not_before: opt_time(r, 7)?,
        expires: opt_time(r, 8)?,
        created_time: time(r, 9)?,
        updated_time: time(r, 10)?,
        public_sealed: r.get(11)?,
        private_sealed: r.get(12)?,
    })
}

impl Db {
    pub fn insert_vault(&self, v: &VaultRow) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO key_vaults({VAULT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
                ),
                params![
                    v.vault_id,
                    v.name,
                    v.kind,
                    v.resource_id,
                    v.resource_group,
                    v.location,
                    v.sku,
                    v.soft_delete_retention_days,
                    v.purge_protection,
                    v.rbac_authorization,
                    v.public_network_access,
                    v.network_default_action,
                    v.network_bypass,
                    list_text(&v.ip_rules),
                    list_text(&v.private_endpoints),
                    list_text(&v.administrators),
                    to_storage(v.created_time),
                    storage(v.deleted_time),
                    storage(v.scheduled_purge_time),
                    v.activation_status,
                    v.security_domain,
                ],
            )
            .checked()
            .map(drop)
    }

    /// Records a managed HSM's security domain download (its activation).
    pub fn set_vault_activation(&self, vault_id: &str, status: &str, security_domain: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE key_vaults SET activation_status = ?2, security_domain = ?3 WHERE vault_id = ?1",
                params![vault_id, status, security_domain],
            )
            .checked()
            .map(drop)
    }

    /// Writes every mutable field of a vault.
    pub fn update_vault(&self, v: &VaultRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE key_vaults SET sku = ?2, soft_delete_retention_days = ?3, purge_protection = ?4,
                   rbac_authorization = ?5, public_network_access = ?6, network_default_action = ?7,
                   network_bypass = ?8, ip_rules = ?9, private_endpoints = ?10, administrators = ?11,
                   deleted_time = ?12, scheduled_purge_time = ?13
                 WHERE vault_id = ?1",
                params![
                    v.vault_id,
                    v.sku,
                    v.soft_delete_retention_days,
                    v.purge_protection,
                    v.rbac_authorization,
                    v.public_network_access,
                    v.network_default_action,
                    v.network_bypass,
                    list_text(&v.ip_rules),
                    list_text(&v.private_endpoints),
                    list_text(&v.administrators),
                    storage(v.deleted_time),
                    storage(v.scheduled_purge_time),
                ],
            )
            .checked()
            .map(drop)
    }

    /// A vault or HSM by name, active or soft-deleted (names stay reserved).
    pub fn vault_by_name(&self, name: &str) -> Result<Option<VaultRow>> {
        self.conn
            .query_row(&format!("SELECT {VAULT_COLUMNS} FROM key_vaults WHERE name = ?1"), [name], vault_from_row)
            .opt()
    }

    pub fn vault_by_id(&self, vault_id: &str) -> Result<Option<VaultRow>> {
        self.conn
            .query_row(
                &format!("SELECT {VAULT_COLUMNS} FROM key_vaults WHERE vault_id = ?1"),
                [vault_id],
                vault_from_row,
            )
            .opt()
    }

    /// Vaults of a kind ("Vault" or "ManagedHsm"), ordered by name.
    pub fn vaults(&self, kind: &str) -> Result<Vec<VaultRow>> {
        self.rows(
            &format!("SELECT {VAULT_COLUMNS} FROM key_vaults WHERE kind = ?1 ORDER BY name"),
            [kind],
            vault_from_row,
        )
    }

    /// Soft-deleted vaults whose scheduled purge time has come.
    pub fn vaults_due_for_purge(&self, now: DateTime<Utc>) -> Result<Vec<VaultRow>> {
        self.rows(&format!(
                "SELECT {VAULT_COLUMNS} FROM key_vaults WHERE scheduled_purge_time IS NOT NULL AND scheduled_purge_time <= ?1"
            ), [to_storage(now)], vault_from_row)
    }

    /// Removes a vault with its keys, versions and access policies for good.
    pub fn delete_vault(&self, vault_id: &str) -> Result<()> {
        self.forget_key_material();
        self.conn.execute("DELETE FROM key_vaults WHERE vault_id = ?1", [vault_id]).checked().map(drop)
    }

    pub fn access_policies(&self, vault_id: &str) -> Result<Vec<AccessPolicyRow>> {
        self.rows(
            "SELECT object_id, permissions_to_keys, permissions_to_secrets FROM key_vault_access_policies
                 WHERE vault_id = ?1 ORDER BY object_id",
            [vault_id],
            |r| {
                Ok(AccessPolicyRow {
                    object_id: r.get(0)?,
                    permissions_to_keys: json_list(r, 1)?,
                    permissions_to_secrets: json_list(r, 2)?,
                })
            },
        )
    }

    pub fn set_access_policy(&self, vault_id: &str, p: &AccessPolicyRow) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO key_vault_access_policies(vault_id, object_id, permissions_to_keys, permissions_to_secrets)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(vault_id, object_id) DO UPDATE SET
                   permissions_to_keys = excluded.permissions_to_keys,
                   permissions_to_secrets = excluded.permissions_to_secrets",
                params![vault_id, p.object_id, list_text(&p.permissions_to_keys), list_text(&p.permissions_to_secrets)],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_access_policy(&self, vault_id: &str, object_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "DELETE FROM key_vault_access_policies WHERE vault_id = ?1 AND object_id = ?2",
                [vault_id, object_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn insert_key(&self, k: &KeyRow) -> Result<()> {
        self.conn
            .execute(
                &format!("INSERT INTO vault_keys({KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    k.key_id,
                    k.vault_id,
                    k.name,
                    k.tags,
                    k.rotation_policy,
                    storage(k.next_rotation_time),
                    to_storage(k.created_time),
                    storage(k.deleted_time),
                    storage(k.scheduled_purge_time),
                ],
            )
            .checked()
            .map(drop)
    }

    /// Writes every mutable field of a key.
    pub fn update_key(&self, k: &KeyRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE vault_keys SET tags = ?2, rotation_policy = ?3, next_rotation_time = ?4,
                   deleted_time = ?5, scheduled_purge_time = ?6
                 WHERE key_id = ?1",
                params![
                    k.key_id,
                    k.tags,
                    k.rotation_policy,
                    storage(k.next_rotation_time),
                    storage(k.deleted_time),
                    storage(k.scheduled_purge_time),
                ],
            )
            .checked()
            .map(drop)
    }

    /// A key by vault and name, active or soft-deleted.
    pub fn key_by_name(&self, vault_id: &str, name: &str) -> Result<Option<KeyRow>> {
        self.conn
            .query_row(
                &format!("SELECT {KEY_COLUMNS} FROM vault_keys WHERE vault_id = ?1 AND name = ?2"),
                [vault_id, name],
                key_from_row,
            )
            .opt()
    }

    /// Every key of a vault, ordered by name.
    pub fn keys(&self, vault_id: &str) -> Result<Vec<KeyRow>> {
        self.rows(
            &format!("SELECT {KEY_COLUMNS} FROM vault_keys WHERE vault_id = ?1 ORDER BY name"),
            [vault_id],
            key_from_row,
        )
    }

    pub fn keys_due_for_purge(&self, now: DateTime<Utc>) -> Result<Vec<KeyRow>> {
        self.rows(&format!(
                "SELECT {KEY_COLUMNS} FROM vault_keys WHERE scheduled_purge_time IS NOT NULL AND scheduled_purge_time <= ?1"
            ), [to_storage(now)], key_from_row)
    }

    pub fn keys_due_for_rotation(&self, now: DateTime<Utc>) -> Result<Vec<KeyRow>> {
        self.rows(
            &format!(
                "SELECT {KEY_COLUMNS} FROM vault_keys
                 WHERE next_rotation_time IS NOT NULL AND next_rotation_time <= ?1 AND deleted_time IS NULL
                   AND vault_id IN (SELECT vault_id FROM key_vaults WHERE deleted_time IS NULL)"
            ),
            [to_storage(now)],
            key_from_row,
        )
    }

    /// The earliest purge or rotation time the key vaults have scheduled.
    pub fn next_key_vault_event(&self) -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> = self
            .conn
            .query_row(
                "SELECT MIN(t) FROM (
                   SELECT MIN(scheduled_purge_time) AS t FROM key_vaults
                   UNION ALL SELECT MIN(scheduled_purge_time) FROM vault_keys
                   UNION ALL SELECT MIN(scheduled_purge_time) FROM vault_secrets
                   UNION ALL SELECT MIN(next_rotation_time) FROM vault_keys WHERE deleted_time IS NULL
                     AND vault_id IN (SELECT vault_id FROM key_vaults WHERE deleted_time IS NULL))",
                [],
                |r| r.get(0),
            )
            .checked()?;
        Ok(t.and_then(|t| parse_storage(&t).ok()))
    }

    pub fn delete_key(&self, key_id: &str) -> Result<()> {
        self.forget_key_material();
        self.conn.execute("DELETE FROM vault_keys WHERE key_id = ?1", [key_id]).checked().map(drop)
    }

    pub fn insert_key_version(&self, v: &KeyVersionRow) -> Result<()> {
        self.conn
            .execute(
                &format!("INSERT INTO vault_key_versions({VERSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
                params![
                    v.key_id,
                    v.version,
                    v.seq,
                    v.key_type,
                    v.key_size,
                    list_text(&v.key_ops),
                    v.enabled,
                    storage(v.not_before),
                    storage(v.expires),
                    to_storage(v.created_time),
                    to_storage(v.updated_time),
                    v.public_sealed,
                    v.private_sealed,
                ],
            )
            .checked()
            .map(drop)
    }

    /// Writes a version's attributes (not its key material).
    pub fn update_key_version(&self, v: &KeyVersionRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE vault_key_versions SET key_ops = ?3, enabled = ?4, not_before = ?5, expires = ?6, updated_time = ?7
                 WHERE key_id = ?1 AND version = ?2",
                params![
                    v.key_id,
                    v.version,
                    list_text(&v.key_ops),
                    v.enabled,
                    storage(v.not_before),
                    storage(v.expires),
                    to_storage(v.updated_time)
                ],
            )
            .checked()
            .map(drop)
    }

    /// A key's versions, newest first.
    pub fn key_versions(&self, key_id: &str) -> Result<Vec<KeyVersionRow>> {
        self.rows(
            &format!("SELECT {VERSION_COLUMNS} FROM vault_key_versions WHERE key_id = ?1 ORDER BY seq DESC"),
            [key_id],
            version_from_row,
        )
    }

    pub fn key_version(&self, key_id: &str, version: &str) -> Result<Option<KeyVersionRow>> {
        self.conn
            .query_row(
                &format!("SELECT {VERSION_COLUMNS} FROM vault_key_versions WHERE key_id = ?1 AND version = ?2 COLLATE NOCASE"),
                [key_id, version],
                version_from_row,
            )
            .opt()
    }

    pub fn latest_key_version(&self, key_id: &str) -> Result<Option<KeyVersionRow>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM vault_key_versions WHERE key_id = ?1 ORDER BY seq DESC LIMIT 1"
                ),
                [key_id],
                version_from_row,
            )
            .opt()
    }
}
