//! Tables of Power Automate: flows, the child-flow graph, run history,
//! connections and app references.

use super::sql::{opt_time, time, Checked, OptionalRow};
use super::Db;
use crate::error::Result;
use crate::time::to_storage;
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

#[derive(Debug, Clone)]
pub struct FlowRow {
    pub flow_key: i64,
    pub flow_id: String,
    pub env_key: i64,
    /// Cloud or Desktop.
    pub kind: String,
    pub trigger_kind: String,
    pub in_solution: bool,
    /// Uses the legacy "List Flows as Admin (V1)" action.
    pub uses_list_flows_v1: bool,
    /// Embedded or Invoker: whose connection a Copilot-skill flow runs with.
    pub connection_source: String,
    pub enabled: bool,
    pub generation: i64,
    pub sealed_name: Vec<u8>,
    pub sealed_definition: Vec<u8>,
    /// Microsoft or Customer.
    pub key_managed_by: String,
    /// Why the flow stayed on the Microsoft-managed key when its environment
    /// moved to a customer key.
    pub mmk_reason: Option<String>,
    /// For ParentOfUnmigratableFlow: the child flow (FlowName) that blocks it.
    pub mmk_reason_flow: Option<String>,
    pub created_under_cmk: bool,
    /// When the flow last moved to another key (its earlier runs are legacy).
    pub key_changed_time: Option<DateTime<Utc>>,
    pub created_time: DateTime<Utc>,
    pub created_by: String,
    pub last_modified_time: DateTime<Utc>,
    /// Why a DLP policy suspended the flow (read-only here: see `set_flow_suspension`).
    pub suspension_reason: Option<String>,
}

const FLOW_COLUMNS: &str = "flow_key, flow_id, env_key, kind, trigger_kind, in_solution, uses_list_flows_v1, \
     connection_source, enabled, generation, sealed_name, sealed_definition, key_managed_by, mmk_reason, \
     mmk_reason_flow, created_under_cmk, key_changed_time, created_time, created_by, last_modified_time, suspension_reason";

fn flow_from_row(r: &Row) -> rusqlite::Result<FlowRow> {
    Ok(FlowRow {
        flow_key: r.get(0)?,
        flow_id: r.get(1)?,
        env_key: r.get(2)?,
        kind: r.get(3)?,
        trigger_kind: r.get(4)?,
        in_solution: r.get(5)?,
        uses_list_flows_v1: r.get(6)?,
        connection_source: r.get(7)?,
        enabled: r.get(8)?,
        generation: r.get(9)?,
        sealed_name: r.get(10)?,
        sealed_definition: r.get(11)?,
        key_managed_by: r.get(12)?,
        mmk_reason: r.get(13)?,
        mmk_reason_flow: r.get(14)?,
        created_under_cmk: r.get(15)?,
        key_changed_time: opt_time(r, 16)?,
        created_time: time(r, 17)?,
        created_by: r.get(18)?,
        last_modified_time: time(r, 19)?,
        suspension_reason: r.get(20)?,
    })
}

/// What the migration rules read of a flow: no sealed columns.
#[derive(Debug, Clone)]
pub struct FlowTraits {
    pub flow_key: i64,
    pub flow_id: String,
    pub trigger_kind: String,
    pub in_solution: bool,
    pub uses_list_flows_v1: bool,
}

/// What a listing of flows by key needs: the name, sealed, and the reason;
/// borrowed from the SQLite row it was read from.
#[derive(Debug, Clone, Copy)]
pub struct FlowListingRef<'a> {
    pub flow_key: i64,
    pub flow_id: &'a str,
    pub generation: i64,
    pub sealed_name: &'a [u8],
    pub mmk_reason: Option<&'a str>,
    pub mmk_reason_flow: Option<&'a str>,
}

/// Reads the columns `flow_key, flow_id, generation, sealed_name,
/// mmk_reason, mmk_reason_flow` of `r`.
fn listing_ref<'a>(r: &'a Row<'_>) -> rusqlite::Result<FlowListingRef<'a>> {
    let text = |i: usize| -> rusqlite::Result<Option<&'a str>> { Ok(r.get_ref(i)?.as_str_or_null()?) };
    Ok(FlowListingRef {
        flow_key: r.get(0)?,
        flow_id: r.get_ref(1)?.as_str()?,
        generation: r.get(2)?,
        sealed_name: r.get_ref(3)?.as_blob()?,
        mmk_reason: text(4)?,
        mmk_reason_flow: text(5)?,
    })
}

#[derive(Debug, Clone)]
pub struct FlowRunRow {
    pub run_id: String,
    pub flow_key: i64,
    pub env_key: i64,
    pub status: String,
    pub trigger_name: String,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub legacy: bool,
    pub generation: i64,
    pub sealed: Vec<u8>,
}

const RUN_COLUMNS: &str =
    "run_key, run_id, flow_key, env_key, status, trigger_name, start_time, end_time, legacy, generation, sealed";

fn run_from_row(r: &Row) -> rusqlite::Result<FlowRunRow> {
    // Column 0 is run_key, the table's own key: nothing reads it.
    Ok(FlowRunRow {
        run_id: r.get(1)?,
        flow_key: r.get(2)?,
        env_key: r.get(3)?,
        status: r.get(4)?,
        trigger_name: r.get(5)?,
        start_time: time(r, 6)?,
        end_time: time(r, 7)?,
        legacy: r.get(8)?,
        generation: r.get(9)?,
        sealed: r.get(10)?,
    })
}

#[derive(Debug, Clone)]
pub struct ConnectionRow {
    pub connection_key: i64,
    pub connection_id: String,
    pub env_key: i64,
    pub connector: String,
    pub auth_type: String,
    pub generation: i64,
    pub sealed_secret: Vec<u8>,
    pub key_managed_by: String,
    pub created_time: DateTime<Utc>,
    pub created_by: String,
}

const CONNECTION_COLUMNS: &str = "connection_key, connection_id, env_key, connector, auth_type, generation, \
     sealed_secret, key_managed_by, created_time, created_by";

fn connection_from_row(r: &Row) -> rusqlite::Result<ConnectionRow> {
    Ok(ConnectionRow {
        connection_key: r.get(0)?,
        connection_id: r.get(1)?,
        env_key: r.get(2)?,
        connector: r.get(3)?,
        auth_type: r.get(4)?,
        generation: r.get(5)?,
        sealed_secret: r.get(6)?,
        key_managed_by: r.get(7)?,
        created_time: time(r, 8)?,
        created_by: r.get(9)?,
    })
}

impl Db {
    // ---------------------------------------------------------------- flows

    /// Inserts a flow and returns its key.
    pub fn insert_flow(&self, f: &FlowRow) -> Result<i64> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "INSERT INTO flows({}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, NULL)",
                FLOW_COLUMNS
            ))
            .checked()?;
        stmt.execute(params![
            f.flow_id,
            f.env_key,
            f.kind,
            f.trigger_kind,
            f.in_solution,
            f.uses_list_flows_v1,
            f.connection_source,
            f.enabled,
            f.generation,
            f.sealed_name,
            f.sealed_definition,
            f.key_managed_by,
            f.mmk_reason,
            f.mmk_reason_flow,
            f.created_under_cmk,
            f.key_changed_time.map(to_storage),
            to_storage(f.created_time),
            f.created_by,
            to_storage(f.last_modified_time),
        ])
        .checked()?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn update_flow(&self, f: &FlowRow) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE flows SET kind = ?2, trigger_kind = ?3, in_solution = ?4, uses_list_flows_v1 = ?5,
                   connection_source = ?6, enabled = ?7, generation = ?8, sealed_name = ?9, sealed_definition = ?10,
                   key_managed_by = ?11, mmk_reason = ?12, mmk_reason_flow = ?13, key_changed_time = ?14,
                   last_modified_time = ?15
                 WHERE flow_key = ?1",
            )
            .checked()?;
        stmt.execute(params![
            f.flow_key,
            f.kind,
            f.trigger_kind,
            f.in_solution,
            f.uses_list_flows_v1,
            f.connection_source,
            f.enabled,
            f.generation,
            f.sealed_name,
            f.sealed_definition,
            f.key_managed_by,
            f.mmk_reason,
            f.mmk_reason_flow,
            f.key_changed_time.map(to_storage),
            to_storage(f.last_modified_time),
        ])
        .checked()
        .map(drop)
    }

    pub fn flow(&self, env_key: i64, flow_id: &str) -> Result<Option<FlowRow>> {
        self.conn
            .query_row(
                &format!("SELECT {FLOW_COLUMNS} FROM flows WHERE env_key = ?1 AND flow_id = ?2"),
                params![env_key, flow_id],
                flow_from_row,
            )
            .opt()
    }

    pub fn flow_by_key(&self, flow_key: i64) -> Result<Option<FlowRow>> {
        self.conn
            .query_row(&format!("SELECT {FLOW_COLUMNS} FROM flows WHERE flow_key = ?1"), [flow_key], flow_from_row)
            .opt()
    }

    /// Flows of an environment (all, or those on one key), in creation order.
    pub fn flows(&self, env_key: i64, key_managed_by: Option<&str>) -> Result<Vec<FlowRow>> {
        // Two statements, not `?2 IS NULL OR …`: each walks its index in
        // flow_key order, where the combined one sorted every row.
        match key_managed_by {
            Some(key) => self.rows(
                &format!(
                    "SELECT {FLOW_COLUMNS} FROM flows WHERE env_key = ?1 AND key_managed_by = ?2 ORDER BY flow_key"
                ),
                params![env_key, key],
                flow_from_row,
            ),
            None => self.rows(
                &format!("SELECT {FLOW_COLUMNS} FROM flows WHERE env_key = ?1 ORDER BY flow_key"),
                [env_key],
                flow_from_row,
            ),
        }
    }

    /// Calls `each` with the flows of an environment on one key, in
    /// `flow_key` order, as SQLite reads them (nothing is collected, and no
    /// definition is read): for a listing of every flow.
    /// `with_reasons` false leaves the stored reasons out (`None`): a
    /// listing before the key change works them out itself.
    pub fn each_flow_listing(
        &self,
        env_key: i64,
        key_managed_by: &str,
        with_reasons: bool,
        mut each: impl FnMut(FlowListingRef<'_>) -> Result<()>,
    ) -> Result<()> {
        // flows_by_key yields the rows in flow_key order: no sort.
        let query = if with_reasons {
            "SELECT flow_key, flow_id, generation, sealed_name, mmk_reason, mmk_reason_flow
                 FROM flows WHERE env_key = ?1 AND key_managed_by = ?2 ORDER BY flow_key"
        } else {
            "SELECT flow_key, flow_id, generation, sealed_name, NULL, NULL
                 FROM flows WHERE env_key = ?1 AND key_managed_by = ?2 ORDER BY flow_key"
        };
        let mut stmt = self.conn.prepare_cached(query).checked()?;
        let mut rows = stmt.query(params![env_key, key_managed_by]).checked()?;
        while let Some(r) = rows.next().checked()? {
            each(listing_ref(r).checked()?)?;
        }
        Ok(())
    }

    /// Flows on the Microsoft-managed key that have a reason of their own to
    /// stay there (the trigger, or the legacy admin action): the seeds of the
    /// migration rules, found without reading every flow. Flows created while
    /// the environment was on a customer key (including Save As copies) are
    /// not seeds: they were born in the CMK infrastructure, their URL with
    /// them, so a key change (Switch) that passes through the Microsoft key
    /// brings them back instead of leaving them behind.
    pub fn flows_with_own_reason(&self, env_key: i64) -> Result<Vec<FlowTraits>> {
        self.rows(
            // INDEXED BY: without statistics SQLite prefers flows_by_key, whose two
            // equalities look more selective, and then reads every flow's row.
            "SELECT flow_key, flow_id, trigger_kind, in_solution, uses_list_flows_v1
                 FROM flows INDEXED BY flows_with_own_reason
                 WHERE env_key = ?1 AND key_managed_by = 'Microsoft' AND created_under_cmk = 0
                   AND (trigger_kind IN ('Http', 'Teams') OR (trigger_kind = 'PowerAppsV1' AND in_solution = 0)
                        OR uses_list_flows_v1 = 1)
                 ORDER BY flow_key",
            [env_key],
            |r| {
                Ok(FlowTraits {
                    flow_key: r.get(0)?,
                    flow_id: r.get(1)?,
                    trigger_kind: r.get(2)?,
                    in_solution: r.get(3)?,
                    uses_list_flows_v1: r.get(4)?,
                })
            },
        )
    }

    /// The flows on the Microsoft-managed key that call `child_key`: (key, FlowName).
    pub fn flow_parents_on_microsoft_key(&self, child_key: i64) -> Result<Vec<(i64, String)>> {
        self.rows(
            "SELECT f.flow_key, f.flow_id FROM flow_children c JOIN flows f ON f.flow_key = c.parent_key
                 WHERE c.child_key = ?1 AND f.key_managed_by = 'Microsoft'",
            [child_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Calls `each` with one flow's listing row, if the flow exists.
    pub fn with_flow_listing_row(
        &self,
        flow_key: i64,
        each: impl FnOnce(FlowListingRef<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT flow_key, flow_id, generation, sealed_name, mmk_reason, mmk_reason_flow
                 FROM flows WHERE flow_key = ?1",
            )
            .checked()?;
        let mut rows = stmt.query([flow_key]).checked()?;
        match rows.next().checked()? {
            Some(r) => each(listing_ref(r).checked()?),
            None => Ok(()),
        }
    }

    /// How many flows of an environment are on each key: (Microsoft, Customer).
    pub fn flow_counts(&self, env_key: i64) -> Result<(i64, i64)> {
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(key_managed_by = 'Microsoft'), 0), COALESCE(SUM(key_managed_by = 'Customer'), 0)
                 FROM flows WHERE env_key = ?1",
                [env_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .checked()
    }

    pub fn delete_flow(&self, flow_key: i64) -> Result<()> {
        self.conn.execute("DELETE FROM flows WHERE flow_key = ?1", [flow_key]).checked().map(drop)
    }

    /// The child flows (FlowNames) a flow calls.
    pub fn flow_children(&self, parent_key: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT f.flow_id FROM flow_children c JOIN flows f ON f.flow_key = c.child_key
                 WHERE c.parent_key = ?1 ORDER BY f.flow_key",
            )
            .checked()?;
        let rows = stmt.query_map([parent_key], |r| r.get(0)).checked()?;
        rows.collect::<rusqlite::Result<Vec<String>>>().checked()
    }

    pub fn set_flow_children(&self, parent_key: i64, children: &[i64]) -> Result<()> {
        self.conn.execute("DELETE FROM flow_children WHERE parent_key = ?1", [parent_key]).checked()?;
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO flow_children(parent_key, child_key) VALUES (?1, ?2)")
            .checked()?;
        for child in children {
            stmt.execute(params![parent_key, child]).checked()?;
        }
        Ok(())
    }

    // ----------------------------------------------------------------- runs

    pub fn insert_flow_run(&self, r: &FlowRunRow) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "INSERT INTO flow_runs({RUN_COLUMNS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))
            .checked()?;
        stmt.execute(params![
            r.run_id,
            r.flow_key,
            r.env_key,
            r.status,
            r.trigger_name,
            to_storage(r.start_time),
            to_storage(r.end_time),
            r.legacy,
            r.generation,
            r.sealed,
        ])
        .checked()
        .map(drop)
    }

    /// Runs of one flow (or of a whole environment), newest first; `current`
    /// leaves out the legacy runs; at most `limit`.
    pub fn flow_runs(&self, env_key: i64, flow_key: Option<i64>, current: bool, limit: i64) -> Result<Vec<FlowRunRow>> {
        self.rows(
            &format!(
                "SELECT {RUN_COLUMNS} FROM flow_runs
                 WHERE env_key = ?1 AND (?2 IS NULL OR flow_key = ?2) AND (?3 = 0 OR legacy = 0)
                 ORDER BY start_time DESC, run_key DESC LIMIT ?4"
            ),
            params![env_key, flow_key, current, limit],
            run_from_row,
        )
    }

    /// Marks a flow's runs so far as legacy (not carried forward).
    pub fn mark_runs_legacy(&self, flow_key: i64) -> Result<()> {
        self.conn.execute("UPDATE flow_runs SET legacy = 1 WHERE flow_key = ?1", [flow_key]).checked().map(drop)
    }

    /// Flows with legacy runs, with the time of their key change (maintenance
    /// deletes those runs 30 days later).
    pub fn legacy_run_flows(&self) -> Result<Vec<(i64, DateTime<Utc>)>> {
        // Driven by the partial index of legacy runs, so that the check before
        // every command costs nothing while no flow has any.
        self.rows(
            "SELECT DISTINCT f.flow_key, f.key_changed_time FROM flow_runs r INDEXED BY flow_runs_legacy
             JOIN flows f ON f.flow_key = r.flow_key
             WHERE r.legacy = 1 AND f.key_changed_time IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, time(r, 1)?)),
        )
    }

    pub fn delete_legacy_runs_of_flow(&self, flow_key: i64) -> Result<usize> {
        self.conn.execute("DELETE FROM flow_runs WHERE flow_key = ?1 AND legacy = 1", [flow_key]).checked()
    }

    // ---------------------------------------------------------- connections

    pub fn insert_connection(&self, c: &ConnectionRow) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO connections({CONNECTION_COLUMNS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    c.connection_id,
                    c.env_key,
                    c.connector,
                    c.auth_type,
                    c.generation,
                    c.sealed_secret,
                    c.key_managed_by,
                    to_storage(c.created_time),
                    c.created_by,
                ],
            )
            .checked()
            .map(drop)
    }

    pub fn update_connection_key(&self, c: &ConnectionRow) -> Result<()> {
        self.conn
            .execute(
                "UPDATE connections SET generation = ?2, sealed_secret = ?3, key_managed_by = ?4 WHERE connection_key = ?1",
                params![c.connection_key, c.generation, c.sealed_secret, c.key_managed_by],
            )
            .checked()
            .map(drop)
    }

    pub fn connections(&self, env_key: i64) -> Result<Vec<ConnectionRow>> {
        self.rows(
            &format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE env_key = ?1 ORDER BY connection_key"),
            [env_key],
            connection_from_row,
        )
    }

    pub fn delete_connection(&self, env_key: i64, connection_id: &str) -> Result<bool> {
        self.conn
            .execute(
                "DELETE FROM connections WHERE env_key = ?1 AND connection_id = ?2",
                params![env_key, connection_id],
            )
            .checked()
            .map(|n| n > 0)
    }

    // ------------------------------------------------------- app references

    pub fn insert_app_flow_reference(&self, flow_key: i64, app_name: &str, at: DateTime<Utc>) -> Result<bool> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO app_flow_references(flow_key, app_name, created_time) VALUES (?1, ?2, ?3)",
                params![flow_key, app_name, to_storage(at)],
            )
            .checked()
            .map(|n| n > 0)
    }

    pub fn app_flow_references(&self, flow_key: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT app_name FROM app_flow_references WHERE flow_key = ?1 ORDER BY app_name")
            .checked()?;
        let rows = stmt.query_map([flow_key], |r| r.get(0)).checked()?;
        rows.collect::<rusqlite::Result<Vec<String>>>().checked()
    }

    // ------------------------------------------------------ the environment

    /// Deletes every flow, run and connection of an environment (a reset).
    pub fn delete_power_automate_data(&self, env_key: i64) -> Result<()> {
        self.conn.execute("DELETE FROM flow_runs WHERE env_key = ?1", [env_key]).checked()?;
        self.conn.execute("DELETE FROM flows WHERE env_key = ?1", [env_key]).checked()?;
        self.conn.execute("DELETE FROM connections WHERE env_key = ?1", [env_key]).checked().map(drop)
    }
}
