//! The Power Platform service's own state: its keys (the Microsoft-managed
//! key and the tenant's legacy BYOK key, sealed under the master key) and
//! tenant settings.

use super::sql::{Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::params;

impl Db {
    pub fn service_key(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.conn.query_row("SELECT sealed FROM service_keys WHERE name = ?1", [name], |r| r.get(0)).opt()
    }

    pub fn set_service_key(&self, name: &str, sealed: &[u8], at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO service_keys(name, sealed, created_time) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET sealed = excluded.sealed, created_time = excluded.created_time",
                params![name, sealed, to_storage(at)],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_service_key(&self, name: &str) -> Result<bool> {
        self.conn.execute("DELETE FROM service_keys WHERE name = ?1", [name]).checked().map(|n| n > 0)
    }

    pub fn tenant_setting(&self, name: &str) -> Result<Option<String>> {
        self.conn.query_row("SELECT value FROM tenant_settings WHERE name = ?1", [name], |r| r.get(0)).opt()
    }

    pub fn set_tenant_setting(&self, name: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO tenant_settings(name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [name, value],
            )
            .checked()
            .map(drop)
    }
}
