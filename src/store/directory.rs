//! Tables of the directory: tenant, subscriptions, principals, directory role
//! membership and the signed-in sessions.

use super::sql::{Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::{parse_storage, to_storage};
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    ServicePrincipal,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "User",
            PrincipalKind::ServicePrincipal => "ServicePrincipal",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PrincipalRow {
    pub object_id: String,
    pub kind: PrincipalKind,
    pub display_name: String,
    pub user_principal_name: Option<String>,
    pub mail_nickname: Option<String>,
    pub app_id: Option<String>,
    pub service_principal_type: Option<String>,
    pub alternative_names: Vec<String>,
    pub account_enabled: bool,
    pub created_time: DateTime<Utc>,
}

const PRINCIPAL_COLUMNS: &str = "object_id, kind, display_name, user_principal_name, mail_nickname, app_id, \
     service_principal_type, alternative_names, account_enabled, created_time";

fn principal_from_row(r: &Row) -> rusqlite::Result<PrincipalRow> {
    let kind: String = r.get(1)?;
    let alt: String = r.get(7)?;
    let created: String = r.get(9)?;
    Ok(PrincipalRow {
        object_id: r.get(0)?,
        kind: if kind == "User" { PrincipalKind::User } else { PrincipalKind::ServicePrincipal },
        display_name: r.get(2)?,
        user_principal_name: r.get(3)?,
        mail_nickname: r.get(4)?,
        app_id: r.get(5)?,
        service_principal_type: r.get(6)?,
        alternative_names: serde_json::from_str(&alt).unwrap_or_default(),
        account_enabled: r.get(8)?,
        created_time: parse_storage(&created).unwrap_or_default(),
    })
}

/// Which principals a directory query returns.
#[derive(Debug, Default, Clone)]
pub struct PrincipalQuery<'a> {
    pub kind: Option<PrincipalKind>,
    pub object_id: Option<&'a str>,
    pub user_principal_name: Option<&'a str>,
    pub display_name: Option<&'a str>,
    /// Display names starting with this text (case-insensitive), as Az's -SearchString.
    pub display_name_prefix: Option<&'a str>,
}

impl Db {
    pub fn insert_tenant(&self, tenant_id: &str, domain: &str, display_name: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO tenants(tenant_id, domain, display_name) VALUES (?1, ?2, ?3)",
                [tenant_id, domain, display_name],
            )
            .checked()
            .map(drop)
    }

    pub fn insert_subscription(&self, id: &str, name: &str, tenant_id: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO subscriptions(subscription_id, name, tenant_id, state) VALUES (?1, ?2, ?3, 'Enabled')",
                [id, name, tenant_id],
            )
            .checked()
            .map(drop)
    }

    /// (subscription id, name, state), every subscription.
    pub fn subscriptions(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt =
            self.conn.prepare("SELECT subscription_id, name, state FROM subscriptions ORDER BY name").checked()?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).checked()?;
        rows.collect::<rusqlite::Result<Vec<_>>>().checked()
    }

    pub fn insert_principal(&self, p: &PrincipalRow) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO principals({PRINCIPAL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    p.object_id,
                    p.kind.as_str(),
                    p.display_name,
                    p.user_principal_name,
                    p.mail_nickname,
                    p.app_id,
                    p.service_principal_type,
                    serde_json::to_string(&p.alternative_names).unwrap_or_else(|_| "[]".into()),
                    p.account_enabled,
                    to_storage(p.created_time),
                ],
            )
            .checked()
            .map(drop)
    }

    /// Saves a principal's changeable properties (display name, mail alias, enabled).
    pub fn update_principal(&self, p: &PrincipalRow) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE principals SET display_name = ?2, mail_nickname = ?3, account_enabled = ?4
                 WHERE object_id = ?1 COLLATE NOCASE",
                params![p.object_id, p.display_name, p.mail_nickname, p.account_enabled],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn delete_principal(&self, object_id: &str) -> Result<bool> {
        self.conn.execute("DELETE FROM principals WHERE object_id = ?1", [object_id]).checked().map(|n| n > 0)
    }

    pub fn principal(&self, object_id: &str) -> Result<Option<PrincipalRow>> {
        self.principal_where("object_id", object_id)
    }

    /// The principal whose `column` (a unique one) is `value`, ignoring case:
    /// the exact spelling first, through the column's index (a command's
    /// caller is looked up this way before every command), then a scan.
    fn principal_where(&self, column: &str, value: &str) -> Result<Option<PrincipalRow>> {
        let exact = format!("SELECT {PRINCIPAL_COLUMNS} FROM principals WHERE {column} = ?1");
        if let Some(p) = self.conn.query_row(&exact, [value], principal_from_row).opt()? {
            return Ok(Some(p));
        }
        let any_case = format!("SELECT {PRINCIPAL_COLUMNS} FROM principals WHERE {column} = ?1 COLLATE NOCASE");
        self.conn.query_row(&any_case, [value], principal_from_row).opt()
    }

    pub fn principal_by_upn(&self, upn: &str) -> Result<Option<PrincipalRow>> {
        self.conn
            .query_row(
                &format!("SELECT {PRINCIPAL_COLUMNS} FROM principals WHERE user_principal_name = ?1"),
                [upn],
                principal_from_row,
            )
            .opt()
    }

    pub fn principal_by_app_id(&self, app_id: &str) -> Result<Option<PrincipalRow>> {
        self.principal_where("app_id", app_id)
    }

    pub fn find_principals(&self, q: &PrincipalQuery) -> Result<Vec<PrincipalRow>> {
        let prefix = q.display_name_prefix.map(|p| format!("{}%", escape_like(p)));
        self.rows(
            &format!(
                "SELECT {PRINCIPAL_COLUMNS} FROM principals
                 WHERE (?1 IS NULL OR kind = ?1)
                   AND (?2 IS NULL OR object_id = ?2 COLLATE NOCASE)
                   AND (?3 IS NULL OR user_principal_name = ?3)
                   AND (?4 IS NULL OR display_name = ?4 COLLATE NOCASE)
                   AND (?5 IS NULL OR display_name LIKE ?5 ESCAPE '\\')
                 ORDER BY display_name COLLATE NOCASE, object_id"
            ),
            params![q.kind.map(|k| k.as_str()), q.object_id, q.user_principal_name, q.display_name, prefix],
            principal_from_row,
        )
    }

    /// Adds a directory role member; false if already a member.
    pub fn add_directory_role_member(&self, role: &str, object_id: &str, at: DateTime<Utc>) -> Result<bool> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO directory_role_members(role_name, object_id, added_time) VALUES (?1, ?2, ?3)",
                params![role, object_id, to_storage(at)],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn remove_directory_role_member(&self, role: &str, object_id: &str) -> Result<bool> {
        self.conn
            .execute("DELETE FROM directory_role_members WHERE role_name = ?1 AND object_id = ?2", [role, object_id])
            .checked()
            .map(|n| n > 0)
    }

    /// (role, member, added time) for one role or all, ordered by role then name.
    pub fn directory_role_members(&self, role: Option<&str>) -> Result<Vec<(String, PrincipalRow, DateTime<Utc>)>> {
        let columns = PRINCIPAL_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {columns}, m.role_name, m.added_time FROM directory_role_members m
                 JOIN principals p ON p.object_id = m.object_id
                 WHERE (?1 IS NULL OR m.role_name = ?1)
                 ORDER BY m.role_name, p.display_name COLLATE NOCASE"
            ))
            .checked()?;
        let rows = stmt
            .query_map([role], |r| {
                let added: String = r.get(11)?;
                Ok((r.get(10)?, principal_from_row(r)?, parse_storage(&added).unwrap_or_default()))
            })
            .checked()?;
        rows.collect::<rusqlite::Result<Vec<_>>>().checked()
    }

    pub fn directory_roles_of(&self, object_id: &str) -> Result<Vec<String>> {
        // Sorted here, not by ORDER BY: with it, SQLite re-prepared the
        // statement at every run (a third of a cheap command's cost).
        let mut roles: Vec<String> =
            self.rows("SELECT role_name FROM directory_role_members WHERE object_id = ?1", [object_id], |r| r.get(0))?;
        roles.sort_unstable();
        Ok(roles)
    }

    /// The object id signed in on one side ("Azure" or "PowerPlatform").
    pub fn session(&self, side: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        self.conn
            .query_row("SELECT object_id, signed_in_time FROM sessions WHERE side = ?1", [side], |r| {
                let t: String = r.get(1)?;
                Ok((r.get(0)?, parse_storage(&t).unwrap_or_default()))
            })
            .opt()
    }

    pub fn set_session(&self, side: &str, object_id: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO sessions(side, object_id, signed_in_time) VALUES (?1, ?2, ?3)
                 ON CONFLICT(side) DO UPDATE SET object_id = excluded.object_id, signed_in_time = excluded.signed_in_time",
                params![side, object_id, to_storage(at)],
            )
            .checked()
            .map(drop)
    }

    pub fn clear_session(&self, side: &str) -> Result<bool> {
        self.conn.execute("DELETE FROM sessions WHERE side = ?1", [side]).checked().map(|n| n > 0)
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
