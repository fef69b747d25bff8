//! Enterprise policies.

use super::sql::{opt_time, storage, time, Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct PolicyRow {
    pub policy_id: String,
    pub name: String,
    pub resource_id: String,
    pub resource_group: String,
    pub location: String,
    pub kind: String,
    /// The object id of the policy's system-assigned managed identity.
    pub principal_id: String,
    pub encryption_state: String,
    pub key_vault_id: String,
    pub key_name: String,
    pub key_version: Option<String>,
    pub health: String,
    pub health_detail: Option<String>,
    pub last_health_check: Option<DateTime<Utc>>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
}

const POLICY_COLUMNS: &str = "policy_id, name, resource_id, resource_group, location, kind, principal_id, \
     encryption_state, key_vault_id, key_name, key_version, health, health_detail, last_health_check, created_time, updated_time";

fn policy_from_row(r: &Row) -> rusqlite::Result<PolicyRow> {
    Ok(PolicyRow {
        policy_id: r.get(0)?,
        name: r.get(1)?,
        resource_id: r.get(2)?,
        resource_group: r.get(3)?,
        location: r.get(4)?,
        kind: r.get(5)?,
        principal_id: r.get(6)?,
        encryption_state: r.get(7)?,
        key_vault_id: r.get(8)?,
        key_name: r.get(9)?,
        key_version: r.get(10)?,
        health: r.get(11)?,
        health_detail: r.get(12)?,
        last_health_check: opt_time(r, 13)?,
        created_time: time(r, 14)?,
        updated_time: time(r, 15)?,
    })
}

impl Db {
    pub fn insert_policy(&self, p: &PolicyRow) -> Result<()> {
        self.conn
            .execute(
                &format!("INSERT INTO enterprise_policies({POLICY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"),
                params![
                    p.policy_id,
                    p.name,
                    p.resource_id,
                    p.resource_group,
                    p.location,
                    p.kind,
                    p.principal_id,
                    p.encryption_state,
                    p.key_vault_id,
                    p.key_name,
                    p.key_version,
                    p.health,
                    p.health_detail,
                    storage(p.last_health_check),
                    to_storage(p.created_time),
                    to_storage(p.updated_time),
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn update_policy(&self, p: &PolicyRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE enterprise_policies SET encryption_state = ?2, key_vault_id = ?3, key_name = ?4, key_version = ?5,
                   health = ?6, health_detail = ?7, last_health_check = ?8, updated_time = ?9
                 WHERE policy_id = ?1",
                params![
                    p.policy_id,
                    p.encryption_state,
                    p.key_vault_id,
                    p.key_name,
                    p.key_version,
                    p.health,
                    p.health_detail,
                    storage(p.last_health_check),
                    to_storage(p.updated_time),
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_policy(&self, policy_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM enterprise_policies WHERE policy_id = ?1", [policy_id]).checked().map(drop)
    }

    pub fn policy(&self, policy_id: &str) -> Result<Option<PolicyRow>> {
        self.conn
            .query_row(
                &format!("SELECT {POLICY_COLUMNS} FROM enterprise_policies WHERE policy_id = ?1"),
                [policy_id],
                policy_from_row,
            )
            .opt()
    }

    pub fn policy_by_resource_id(&self, resource_id: &str) -> Result<Option<PolicyRow>> {
        self.conn
            .query_row(
                &format!("SELECT {POLICY_COLUMNS} FROM enterprise_policies WHERE resource_id = ?1"),
                [resource_id],
                policy_from_row,
            )
            .opt()
    }

    pub fn policies(&self) -> Result<Vec<PolicyRow>> {
        self.rows(
            &format!("SELECT {POLICY_COLUMNS} FROM enterprise_policies ORDER BY resource_id"),
            [],
            policy_from_row,
        )
    }
}
