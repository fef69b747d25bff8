//! Runs one command: resolves the signed-in caller, opens the transaction the
//! command's effect asks for, calls the handler, appends the audit entry and
//! retries the whole unit while the store is busy. Every surface (CLI, C ABI,
//! PowerShell through the C ABI) comes through [`invoke`].

use crate::audit;
use crate::error::{Error, Result};
use crate::identity;
use crate::registry::bind::Args;
use crate::registry::{Command, Effect, Objects};
use crate::store::{retry_busy, BusyDeadline, Db, Store, TxMode};
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

/// Moved to the leaf [`crate::progress`]; re-exported here for one release.
pub use crate::progress::{Progress, ProgressSink};
/// Moved to the contract ([`crate::registry::ctx`]); re-exported here for one release.
pub use crate::registry::{Ctx, Gate};

/// Options of one invocation besides the command and its arguments. The
/// engine reads nothing from the process environment: each surface decides
/// (the CLI and the C ABI fill `account` and `private_network` from
/// `PPCMK_ACCOUNT` and `PPCMK_NETWORK`; a server never acts as that account).
#[derive(Default)]
pub struct InvokeOptions<'a> {
    /// Act as this account (UPN or object id) instead of the signed-in one.
    pub account: Option<String>,
    /// The caller declares it is on a key vault's private network
    /// (`PPCMK_NETWORK=private`): private endpoints then let it through.
    pub private_network: bool,
    pub progress: Option<ProgressSink<'a>>,
    /// How long the invocation may wait for a store that another process is
    /// writing, in all. `None`: as long as the store's own budget (minutes),
    /// as the CLI and the C ABI do. Once it has passed, the command fails
    /// promptly with `StoreBusy` (a server answers 503 with `Retry-After`).
    pub busy_deadline: Option<Duration>,
    /// `account` comes from a bearer token the surface verified (a REST
    /// server): a service principal (an application, a managed identity, an
    /// enterprise policy's identity) may then act, as it does against Azure.
    /// The CLI and the C ABI leave it false: there only users act.
    pub by_token: bool,
}

/// What a successful command returns.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub objects: Objects,
    pub warnings: Vec<String>,
    /// For a command run with `-FailOn`: how many rows reached that level.
    pub gate: Option<Gate>,
}

/// Runs `command` with bound `args` against `store`.
pub fn invoke(store: &Store, command: &'static Command, args: &Args, options: InvokeOptions) -> Result<Outcome> {
    let InvokeOptions { account, private_network, mut progress, busy_deadline, by_token } = options;
    // Declared before the first connection, so that it outlives them all.
    let _deadline = BusyDeadline::enter(busy_deadline.and_then(|d| Instant::now().checked_add(d)));
    let db = store.db()?;
    store.deks.next_epoch();
    // A command that changes no state skips reading the data version ahead
    // of its own transaction when the handle's last due-maintenance check
    // found nothing due: that transaction confirms the version is still the
    // one checked, or the check runs and the command starts again.
    let checked_version = match command.effect {
        Effect::Read if command.name != crate::lifecycle::maintenance::COMMAND => {
            crate::lifecycle::maintenance::quiet_version(store)
        }
        _ => None,
    };
    if checked_version.is_none() {
        catch_up(store, &db, command)?;
    }
    let mut audit_info: Option<AuditInfo> = None;
    let mut checkpoint = false;
    let mut busy_before = false;
    let mut delay = None;
    let result = retry_busy(|| {
        let retrying = std::mem::replace(&mut busy_before, true);
        let mut attempt = |db: &Db| -> Result<(Outcome, AuditInfo)> {
            let now = crate::clock::now(db)?;
            let (caller, refused) = match identity::resolve_caller(db, command.side, account.as_deref(), by_token) {
                Ok(caller) => (caller, None),
                // A signed-in account that may no longer act blocks only what
                // needs a caller, so that another account can still sign in.
                Err(e) if account.is_none() && e.code.is_denial() => (None, Some(e)),
                Err(e) => {
                    audit_info = Some(AuditInfo::refused(&e, args, now));
                    return Err(e);
                }
            };
            let mut ctx = Ctx {
                store,
                db,
                now,
                caller,
                refused,
                private_network,
                command,
                warnings: Vec::new(),
                progress: progress.as_mut().map(|p| &mut **p as &mut dyn FnMut(&Progress)),
                target: None,
                detail: None,
                audit_scope: None,
                audited_read: false,
                checkpoint: false,
                delay: Default::default(),
                rows: None,
            };
            let run = (command.handler)(&mut ctx, args);
            checkpoint = ctx.checkpoint;
            delay = ctx.delay.get();
            let info = AuditInfo::from_ctx(&ctx, args);
            let objects = run.inspect_err(|_| audit_info = Some(info.clone()))?;
            let objects = match ctx.rows.take() {
                Some(rows) if objects.is_empty() => Objects::Rows(rows),
                Some(_) => return Err(Error::internal(format!("{} returned both objects and rows", command.name))),
                None => Objects::Maps(objects),
            };
            let gate = Gate::evaluate(command, args, &objects);
            Ok((Outcome { objects, warnings: ctx.warnings, gate }, info))
        };
        match command.effect {
            Effect::Read => {
                // A read can write (a key vault audits the DEK unwrap of customer-key
                // data), and SQLite fails a read transaction's upgrade at once, without
                // waiting, while another process writes: retried the same way, such a
                // read starves under steady writers. A retry takes the write lock up
                // front instead, and so waits for its turn.
                // Its only writes are normally the audit entries of a key's use,
                // which are group-committed (store::group): no fsync per call.
                let mode = if retrying { TxMode::Write } else { TxMode::Read };
                let (outcome, info) = match store.in_read_command(&db, mode, checked_version, &mut |db| attempt(db))? {
                    Some(done) => done,
                    None => {
                        // Something was committed since the last check.
                        catch_up(store, &db, command)?;
                        store
                            .in_read_command(&db, mode, None, &mut |db| attempt(db))?
                            .ok_or_else(|| Error::internal("a read command without a version to confirm did not run"))?
                    }
                };
                if info.audited_read {
                    store.write(|db| audit::append(db, &info.entry(command, None)))?;
                }
                Ok((outcome, info))
            }
            Effect::Change => db.in_transaction(TxMode::Write, &mut |db| {
                let (outcome, info) = attempt(db)?;
                audit::append(db, &info.entry(command, None))?;
                Ok((outcome, info))
            }),
            Effect::LongRunning => {
                let (outcome, info) = attempt(&db)?;
                store.write(|db| audit::append(db, &info.entry(command, None)))?;
                Ok((outcome, info))
            }
        }
    });
    // A vault's added latency (Set-PpCmkFault), outside every transaction.
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    match result {
        Ok((outcome, _)) => {
            if checkpoint {
                db.checkpoint_after_purge();
            }
            debug_assert_output_matches_spec(command, &outcome.objects);
            Ok(outcome)
        }
        Err(error) => {
            // A refused authorisation is always recorded; so is any failed
            // attempt to change state. The failed command's own transaction
            // rolled back, so this entry gets one of its own.
            if error.code.is_denial() || command.effect.changes_state() {
                let info = audit_info.unwrap_or_else(|| AuditInfo::unknown(args));
                let entry = info.entry(command, Some(&error));
                store.write(|db| audit::append(db, &entry))?;
            }
            Err(error)
        }
    }
}

/// Brings the store to the state its clock implies before `command` runs:
/// purges, rotations and other actions whose time has come (and, on a
/// handle's first command, the bootstrap).
fn catch_up(store: &Store, db: &Db, command: &Command) -> Result<()> {
    // Taken before the clock and the due-maintenance check: a commit after
    // this point, by any connection or process, makes the next command read
    // the clock and check again.
    let mut version = store.data_version()?;
    let now = crate::clock::now_at_version(store, db, version)?;
    if !store.bootstrapped.load(std::sync::atomic::Ordering::Acquire) {
        store.write(|db| crate::environment::bootstrap(store, db, now))?;
        store.bootstrapped.store(true, std::sync::atomic::Ordering::Release);
        version = store.data_version()?;
    }
    if command.name != crate::lifecycle::maintenance::COMMAND {
        let ran = crate::lifecycle::maintenance::run(store, version, now, false, &mut |_| {});
        // The clock stays readable and resettable even when the state it
        // implies cannot be brought about (a rehearsal that went wrong).
        if ran.is_err() && !crate::lifecycle::maintenance::ALWAYS_AVAILABLE.contains(&command.name) {
            ran?;
        }
    }
    Ok(())
}

/// What the audit entry of one invocation says about who and what.
#[derive(Clone)]
struct AuditInfo {
    principal: String,
    principal_id: Option<String>,
    target: Option<String>,
    detail: Option<String>,
    time: DateTime<Utc>,
    scope: Option<(String, &'static str)>,
    audited_read: bool,
}

impl AuditInfo {
    fn from_ctx(ctx: &Ctx, args: &Args) -> AuditInfo {
        let refused = ctx.refused.as_ref().and_then(|e| e.target.clone());
        AuditInfo {
            principal: ctx
                .caller
                .as_ref()
                .map(|c| c.audit_name().to_string())
                .or(refused)
                .unwrap_or_else(|| "(not signed in)".into()),
            principal_id: ctx.caller.as_ref().map(|c| c.principal.object_id.clone()),
            target: ctx.target.clone().or_else(|| default_target(args)),
            detail: ctx.detail.clone(),
            time: ctx.now,
            scope: ctx.audit_scope.clone(),
            audited_read: ctx.audited_read,
        }
    }

    /// A caller refused before the command ran: the account it named.
    fn refused(error: &Error, args: &Args, now: DateTime<Utc>) -> AuditInfo {
        AuditInfo {
            principal: error.target.clone().unwrap_or_else(|| "(unknown)".into()),
            principal_id: None,
            target: default_target(args),
            detail: None,
            time: now,
            scope: None,
            audited_read: false,
        }
    }

    fn unknown(args: &Args) -> AuditInfo {
        AuditInfo {
            principal: "(unknown)".into(),
            principal_id: None,
            target: default_target(args),
            detail: None,
            time: Utc::now(),
            scope: None,
            audited_read: false,
        }
    }

    fn entry(&self, command: &Command, error: Option<&Error>) -> audit::Entry {
        audit::Entry {
            time: self.time,
            principal: self.principal.clone(),
            principal_id: self.principal_id.clone(),
            command: command.name.to_string(),
            target: self.target.clone(),
            outcome: match error {
                None => audit::Outcome::Succeeded,
                Some(e) if e.code.is_denial() => audit::Outcome::Denied,
                Some(_) => audit::Outcome::Failed,
            },
            error_code: error.map(|e| e.code.as_str().to_string()),
            detail: match error {
                Some(e) => Some(e.message.clone()),
                None => self.detail.clone(),
            },
            environment: self.scope.as_ref().map(|(e, _)| e.clone()),
            table: self.scope.as_ref().map(|(_, t)| t.to_string()),
        }
    }
}

/// The first string-valued parameter that was given; secrets are never used.
fn default_target(args: &Args) -> Option<String> {
    use crate::registry::ParamType;
    args.iter().find_map(|(name, value)| {
        let p = args.command().param(name)?;
        match p.ty {
            ParamType::String => value.as_str().map(str::to_string),
            ParamType::StringArray => {
                value.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(","))
            }
            _ => None,
        }
    })
}

/// In debug builds (all tests), every output object must have exactly the
/// declared properties, so the registry's output spec cannot drift.
fn debug_assert_output_matches_spec(command: &Command, objects: &Objects) {
    if cfg!(debug_assertions) {
        // JSON rows were written from their columns: checking those covers them all.
        if let Objects::Rows(rows) = objects {
            assert_eq!(
                rows.columns, command.output.properties,
                "{}: output properties differ from the registry's OutputSpec",
                command.name
            );
            return;
        }
        for i in 0..objects.len() {
            let keys: Vec<&str> = objects.row(i).into_iter().map(|(k, _)| k).collect();
            assert_eq!(
                keys, command.output.properties,
                "{}: output properties differ from the registry's OutputSpec",
                command.name
            );
        }
    }
}
