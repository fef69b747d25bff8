//! Tables of the resource manager: the index of ARM resources (resource
//! groups included) and resource-provider registrations.

use super::sql::{Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::{parse_storage, to_storage};
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct ArmResourceRow {
    /// The id as created (its casing is kept for display).
    pub id: String,
    pub resource_type: String,
    pub name: String,
    pub subscription_id: String,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    pub kind: Option<String>,
    pub created_time: DateTime<Utc>,
}

const COLUMNS: &str = "id, type, name, subscription_id, resource_group, location, kind, created_time";

fn from_row(r: &Row) -> rusqlite::Result<ArmResourceRow> {
    let created: String = r.get(7)?;
    Ok(ArmResourceRow {
        id: r.get(0)?,
        resource_type: r.get(1)?,
        name: r.get(2)?,
        subscription_id: r.get(3)?,
        resource_group: r.get(4)?,
        location: r.get(5)?,
        kind: r.get(6)?,
        created_time: parse_storage(&created).unwrap_or_default(),
    })
}

/// ARM ids compare case-insensitively.
pub(crate) fn id_key(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// Filters for listing resources; `None` matches all.
#[derive(Debug, Default, Clone)]
pub struct ArmQuery<'a> {
    pub resource_type: Option<&'a str>,
    pub resource_group: Option<&'a str>,
    pub name: Option<&'a str>,
}

impl Db {
    pub fn insert_arm_resource(&self, r: &ArmResourceRow) -> Result<()> {
        self.conn
            .execute(
                &format!("INSERT INTO arm_resources(id_key, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    id_key(&r.id),
                    r.id,
                    r.resource_type,
                    r.name,
                    r.subscription_id,
                    r.resource_group,
                    r.location,
                    r.kind,
                    to_storage(r.created_time)
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_arm_resource(&self, id: &str) -> Result<bool> {
        self.conn.execute("DELETE FROM arm_resources WHERE id_key = ?1", [id_key(id)]).checked().map(|n| n > 0)
    }

    pub fn arm_resource(&self, id: &str) -> Result<Option<ArmResourceRow>> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM arm_resources WHERE id_key = ?1"), [id_key(id)], from_row)
            .opt()
    }

    pub fn arm_resources(&self, q: &ArmQuery) -> Result<Vec<ArmResourceRow>> {
        self.rows(
            &format!(
                "SELECT {COLUMNS} FROM arm_resources
                 WHERE (?1 IS NULL OR type = ?1)
                   AND (?2 IS NULL OR resource_group = ?2 COLLATE NOCASE)
                   AND (?3 IS NULL OR name = ?3 COLLATE NOCASE)
                 ORDER BY id_key"
            ),
            params![q.resource_type, q.resource_group, q.name],
            from_row,
        )
    }

    /// Resources whose id starts with `prefix/` (children and descendants).
    pub fn arm_resources_under(&self, prefix: &str) -> Result<Vec<ArmResourceRow>> {
        let pattern = format!("{}/%", super::directory::escape_like(&id_key(prefix)));
        self.rows(
            &format!("SELECT {COLUMNS} FROM arm_resources WHERE id_key LIKE ?1 ESCAPE '\\' ORDER BY id_key"),
            [pattern],
            from_row,
        )
    }

    pub fn provider_state(&self, subscription_id: &str, namespace: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT registration_state FROM resource_providers WHERE subscription_id = ?1 AND namespace = ?2",
                [subscription_id, namespace],
                |r| r.get(0),
            )
            .opt()
    }

    pub fn set_provider_state(&self, subscription_id: &str, namespace: &str, state: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO resource_providers(subscription_id, namespace, registration_state) VALUES (?1, ?2, ?3)
                 ON CONFLICT(subscription_id, namespace) DO UPDATE SET registration_state = excluded.registration_state",
                [subscription_id, namespace, state],
            )
            .checked()
            .map(drop)
    }
}
