//! The context a command's handler runs in ([`Ctx`]: the store, the caller,
//! the clock reading, warnings, progress, the audit entry's details) and the
//! `-FailOn` gate of commands whose rows have a Status ([`Gate`]). Part of
//! the contract: every handler is a `fn(&mut Ctx, &Args)`, whichever surface
//! invoked it. The engine builds the context; handlers only use it.

use super::bind::Args;
use super::{Command, JsonRows, Objects};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{self, Caller};
use crate::keyvault::access::{Origin, Requester};
use crate::progress::Progress;
use crate::store::{Db, Store};
use chrono::{DateTime, Utc};

/// The result of `-FailOn Warn|Fail` on a command whose rows have a Status
/// (Pass / Warn / Fail): the CLI exits 1 and PowerShell writes an error when
/// any row reaches the level, so a pipeline can be gated on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    pub fail_on: String,
    pub rows: usize,
}

impl Gate {
    /// The command's own parameter, shared by every gated command.
    pub const PARAMETER: &'static str = "FailOn";
    pub const LEVELS: &'static [&'static str] = &["Warn", "Fail"];

    /// The gate of `command` run with `args` over its output `objects`, if it has `-FailOn`.
    pub(crate) fn evaluate(command: &Command, args: &Args, objects: &Objects) -> Option<Gate> {
        let param = command.param(Self::PARAMETER)?;
        let fail_on = args.str(Self::PARAMETER).or(param.default)?.to_string();
        let failing: &[&str] = if fail_on.eq_ignore_ascii_case("Warn") { &["Warn", "Fail"] } else { &["Fail"] };
        let rows = (0..objects.len())
            .filter(|&i| objects.get(i, "Status").and_then(|v| v.as_str()).is_some_and(|s| failing.contains(&s)))
            .count();
        Some(Gate { fail_on, rows })
    }

    pub fn tripped(&self) -> bool {
        self.rows > 0
    }

    /// The error a tripped gate reports (the CLI's stderr line, PowerShell's ErrorRecord).
    pub fn error(&self) -> Error {
        Error::new(
            ErrorCode::ChecksFailed,
            format!("{} row(s) reached {} or worse (-FailOn {}).", self.rows, self.fail_on, self.fail_on),
        )
    }
}

/// The context a handler runs in.
pub struct Ctx<'a> {
    pub(crate) store: &'a Store,
    pub(crate) db: &'a Db,
    /// The store's clock, read once when the command started.
    pub(crate) now: DateTime<Utc>,
    pub(crate) caller: Option<Caller>,
    /// Why the signed-in account may not act (disabled): commands that need
    /// a caller fail with it, the others (signing in as someone else) run.
    pub(crate) refused: Option<Error>,
    pub(crate) private_network: bool,
    pub(crate) command: &'static Command,
    pub(crate) warnings: Vec<String>,
    pub(crate) progress: Option<&'a mut dyn FnMut(&Progress)>,
    pub(crate) target: Option<String>,
    pub(crate) detail: Option<String>,
    /// The environment and Dataverse table the command is about.
    pub(crate) audit_scope: Option<(String, &'static str)>,
    /// A read of a table the environment audits: recorded like a change.
    pub(crate) audited_read: bool,
    pub(crate) checkpoint: bool,
    /// Latency a vault fault adds to this request; the engine waits it out
    /// after the transaction, so that no lock is held meanwhile.
    pub(crate) delay: std::cell::Cell<Option<std::time::Duration>>,
    /// A large listing's rows, given with [`Ctx::output_rows`].
    pub(crate) rows: Option<JsonRows>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn db(&self) -> &'a Db {
        self.db
    }

    pub(crate) fn store(&self) -> &'a Store {
        self.store
    }

    /// The signed-in caller, or `NotSignedIn` with the command that signs in
    /// (or the refusal of a signed-in account that may not act).
    pub(crate) fn caller(&self) -> Result<&Caller> {
        if let Some(refused) = &self.refused {
            return Err(refused.clone());
        }
        self.caller.as_ref().ok_or_else(|| identity::not_signed_in(self.command.side))
    }

    /// The caller if someone is signed in; the refusal if that account may not act.
    pub(crate) fn caller_if_signed_in(&self) -> Result<Option<&Caller>> {
        match &self.refused {
            Some(refused) => Err(refused.clone()),
            None => Ok(self.caller.as_ref()),
        }
    }

    /// The signed-in caller as a key vault sees it: a user, on the public or
    /// the private network.
    pub(crate) fn requester(&self) -> Result<Requester> {
        let caller = self.caller()?;
        Ok(Requester {
            object_id: caller.object_id().to_string(),
            name: caller.audit_name().to_string(),
            origin: if self.private_network { Origin::PrivateNetwork } else { Origin::PublicNetwork },
        })
    }

    /// The vault (or managed HSM) a data-plane command addresses, once its
    /// faults allow the request (`Set-PpCmkFault -VaultName`): the one place
    /// commands ask [`crate::keyvault::faults::check`].
    pub(crate) fn data_plane_vault(
        &self,
        name: &str,
        kind: crate::keyvault::VaultKind,
    ) -> Result<crate::keyvault::Vault> {
        let vault = crate::keyvault::active_vault(self.db, name, kind)?;
        if let Some(d) = crate::keyvault::faults::check(self.db, &vault.row.name, self.now)? {
            self.delay.set(Some(d));
        }
        Ok(vault)
    }

    /// Adds a warning (stderr in the CLI, `Write-Warning` in PowerShell).
    pub(crate) fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    pub(crate) fn report_progress(&mut self, progress: Progress) {
        if let Some(sink) = self.progress.as_mut() {
            sink(&progress);
        }
    }

    /// The object the audit entry names (default: the first string parameter).
    pub(crate) fn set_audit_target(&mut self, target: impl Into<String>) {
        self.target = Some(target.into());
    }

    /// Asks for a WAL checkpoint once the command's transaction has
    /// committed: after a purge, so that no copy of the purged pages stays
    /// in the WAL file (best effort).
    pub(crate) fn checkpoint_after_commit(&mut self) {
        self.checkpoint = true;
    }

    /// Makes `rows` the command's output, in place of the objects its
    /// handler returns (which must then be none): for listings too large to
    /// build one map per row. `rows.columns` must be the output spec's
    /// properties.
    pub(crate) fn output_rows(&mut self, rows: JsonRows) {
        self.rows = Some(rows);
    }

    /// A short description of the change for the audit entry.
    pub(crate) fn set_audit_detail(&mut self, detail: impl Into<String>) {
        self.detail = Some(detail.into());
    }

    /// Tags the command's audit entry with the environment and Dataverse
    /// table it is about. A read command is recorded as well when the
    /// environment audits that table (`Set-PpCmkAuditSetting`).
    pub(crate) fn set_audit_scope(&mut self, environment_id: &str, table: &'static str) -> Result<()> {
        self.audit_scope = Some((environment_id.to_string(), table));
        if !self.command.effect.changes_state() {
            let env = crate::environment::find(self.db, environment_id)?;
            self.audited_read = crate::environment::audits_table(&env, table);
        }
        Ok(())
    }
}
