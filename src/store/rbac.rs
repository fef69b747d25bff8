//! The role-assignment table (Azure RBAC). Role definitions are built in and
//! live in code (`identity::rbac`), not here.

use super::sql::{Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::{parse_storage, to_storage};
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct RoleAssignmentRow {
    /// The assignment's GUID (the last segment of RoleAssignmentId).
    pub assignment_id: String,
    pub scope: String,
    pub role_definition_id: String,
    pub principal_id: String,
    pub description: Option<String>,
    pub condition: Option<String>,
    pub created_time: DateTime<Utc>,
    pub created_by: String,
}

const COLUMNS: &str =
    "assignment_id, scope, role_definition_id, principal_id, description, condition, created_time, created_by";

fn from_row(r: &Row) -> rusqlite::Result<RoleAssignmentRow> {
    let created: String = r.get(6)?;
    Ok(RoleAssignmentRow {
        assignment_id: r.get(0)?,
        scope: r.get(1)?,
        role_definition_id: r.get(2)?,
        principal_id: r.get(3)?,
        description: r.get(4)?,
        condition: r.get(5)?,
        created_time: parse_storage(&created).unwrap_or_default(),
        created_by: r.get(7)?,
    })
}

impl Db {
    pub fn insert_role_assignment(&self, a: &RoleAssignmentRow) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO role_assignments(scope_key, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    super::arm::id_key(&a.scope),
                    a.assignment_id,
                    a.scope,
                    a.role_definition_id,
                    a.principal_id,
                    a.description,
                    a.condition,
                    to_storage(a.created_time),
                    a.created_by
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn delete_role_assignment(&self, assignment_id: &str) -> Result<bool> {
        self.conn
            .execute("DELETE FROM role_assignments WHERE assignment_id = ?1", [assignment_id])
            .checked()
            .map(|n| n > 0)
    }

    /// Deletes the assignments at `scope` or below it; returns how many.
    pub fn delete_role_assignments_within(&self, scope: &str) -> Result<usize> {
        let key = super::arm::id_key(scope.trim_end_matches('/'));
        self.conn
            .execute(
                "DELETE FROM role_assignments
                 WHERE scope_key = ?1 OR substr(scope_key, 1, length(?1) + 1) = ?1 || '/'",
                [key],
            )
            .checked()
    }

    /// The assignment of exactly this role to this principal at exactly this scope.
    pub fn role_assignment_at(
        &self,
        scope: &str,
        role_definition_id: &str,
        principal_id: &str,
    ) -> Result<Option<RoleAssignmentRow>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM role_assignments
                     WHERE scope_key = ?1 AND role_definition_id = ?2 AND principal_id = ?3 COLLATE NOCASE"
                ),
                params![super::arm::id_key(scope), role_definition_id, principal_id],
                from_row,
            )
            .opt()
    }

    /// Whether `grants(scope, role definition id)` holds for any of the
    /// principal's assignments: what every authorisation asks, read in
    /// place, unsorted, on each call (a key use's hot path, issue 16).
    pub fn any_role_assignment(&self, principal_id: &str, mut grants: impl FnMut(&str, &str) -> bool) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare("SELECT scope, role_definition_id FROM role_assignments WHERE principal_id = ?1 COLLATE NOCASE")
            .checked()?;
        let mut rows = stmt.query([principal_id]).checked()?;
        while let Some(row) = rows.next().checked()? {
            let text = |i: usize| -> rusqlite::Result<&str> { Ok(row.get_ref(i)?.as_str()?) };
            if grants(text(0).checked()?, text(1).checked()?) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Assignments, optionally of one principal and/or one role definition.
    pub fn role_assignments(
        &self,
        principal_id: Option<&str>,
        role_definition_id: Option<&str>,
    ) -> Result<Vec<RoleAssignmentRow>> {
        self.rows(
            &format!(
                "SELECT {COLUMNS} FROM role_assignments
                 WHERE (?1 IS NULL OR principal_id = ?1 COLLATE NOCASE)
                   AND (?2 IS NULL OR role_definition_id = ?2)
                 ORDER BY scope_key, created_time"
            ),
            params![principal_id, role_definition_id],
            from_row,
        )
    }
}
