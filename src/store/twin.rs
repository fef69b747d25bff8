//! A tenant twin's bookkeeping: which objects came from a snapshot
//! (`Origin: Snapshot`), whether a store already holds a tenant, and the
//! clearing that `Import-PpCmkTenantSnapshot -Force` does before importing.

use super::sql::Checked;
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::params;

/// What a store holds besides its seed: counted to decide whether an import
/// would overwrite someone's tenant.
#[derive(Debug, Clone, Copy, Default)]
pub struct TenantContents {
    pub environments: i64,
    pub vaults: i64,
    pub policies: i64,
    pub snapshot_objects: i64,
}

impl Db {
    /// The snapshot's tenant and subscriptions, beside the store's own.
    pub fn ensure_tenant(&self, tenant_id: &str, domain: &str, display_name: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO tenants(tenant_id, domain, display_name) VALUES (?1, ?2, ?3)",
                params![tenant_id, domain, display_name],
            )
            .checked()
            .map(drop)
    }

    pub fn ensure_subscription(&self, subscription_id: &str, name: &str, tenant_id: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO subscriptions(subscription_id, name, tenant_id, state) VALUES (?1, ?2, ?3, 'Enabled')",
                params![subscription_id, name, tenant_id],
            )
            .checked()
            .map(drop)
    }

    pub fn mark_snapshot_object(
        &self,
        kind: &str,
        object_id: &str,
        detail: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO snapshot_objects(kind, object_id, imported_time, detail) VALUES (?1, ?2, ?3, ?4)",
                params![kind, object_id, to_storage(at), detail],
            )
            .checked()
            .map(drop)
    }

    /// Whether an object came from a snapshot, and what the snapshot said of it.
    pub fn snapshot_object(&self, kind: &str, object_id: &str) -> Result<Option<Option<String>>> {
        use super::sql::OptionalRow;
        self.conn
            .query_row(
                "SELECT detail FROM snapshot_objects WHERE kind = ?1 AND object_id = ?2",
                params![kind, object_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .opt()
    }

    /// Environments other than the seeded default one (`default_id`), vaults,
    /// policies and imported objects.
    pub fn tenant_contents(&self, default_id: &str) -> Result<TenantContents> {
        let count = |sql: &str| -> Result<i64> { self.conn.query_row(sql, [], |r| r.get(0)).checked() };
        let environments = self
            .conn
            .query_row("SELECT COUNT(*) FROM environments WHERE environment_id <> ?1", [default_id], |r| r.get(0))
            .checked()?;
        Ok(TenantContents {
            environments,
            vaults: count("SELECT COUNT(*) FROM key_vaults")?,
            policies: count("SELECT COUNT(*) FROM enterprise_policies")?,
            snapshot_objects: count("SELECT COUNT(*) FROM snapshot_objects")?,
        })
    }

    /// Removes the tenant's resources before a forced import: environments
    /// (their data, flows and backups cascade), operations, policies, vaults
    /// (keys, versions, secrets and access policies cascade), ARM resources,
    /// role assignments and principals except `keep_principal` (the store's
    /// administrator, who runs the rehearsal) and its assignments. The audit
    /// log stays: it is the record of this import too.
    pub fn clear_tenant_for_snapshot(&self, keep_principal: &str, keep_subscription: &str) -> Result<()> {
        self.forget_key_material();
        self.conn
            .execute_batch(
                "DELETE FROM operations; DELETE FROM faults; DELETE FROM vault_faults; DELETE FROM dlp_policies;
                 DELETE FROM environments; DELETE FROM enterprise_policies;
                 DELETE FROM key_vaults; DELETE FROM snapshot_objects; DELETE FROM service_keys WHERE name = 'byok'; DELETE FROM tenant_settings WHERE name = 'Licenses';",
            )
            .checked()?;
        let keep = |sql: &str, id: &str| -> Result<()> { self.conn.execute(sql, [id]).checked().map(drop) };
        keep("DELETE FROM role_assignments WHERE principal_id <> ?1 COLLATE NOCASE", keep_principal)?;
        keep("DELETE FROM sessions WHERE object_id <> ?1", keep_principal)?;
        keep("DELETE FROM directory_role_members WHERE object_id <> ?1", keep_principal)?;
        keep("DELETE FROM principals WHERE object_id <> ?1", keep_principal)?;
        keep(
            "DELETE FROM arm_resources WHERE subscription_id <> ?1 COLLATE NOCASE OR type <> 'Microsoft.Resources/resourceGroups'",
            keep_subscription,
        )?;
        keep("DELETE FROM resource_providers WHERE subscription_id <> ?1", keep_subscription)?;
        keep("DELETE FROM subscriptions WHERE subscription_id <> ?1", keep_subscription)?;
        Ok(())
    }
}
