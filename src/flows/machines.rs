//! Credentials in desktop flow connections (003:7-9): the machines of an
//! environment (each in at most one machine group), machine mapping (a
//! dedicated credential per machine, "to sign in to each machine or Windows
//! session with dedicated credentials"), and desktop flow connections, which
//! name a machine or machine group and the credential that signs in to it
//! at run time, in attended and unattended runs.
//!
//! At sign-in the credential's secret is read from its key vault as the
//! environment's identity (the path of the Get credential action: network,
//! permission and audit as for any caller), then dropped: the run records
//! where and as whom it signed in, never the value. An account that must
//! meet multifactor authentication cannot sign in with a password; a
//! certificate-based authentication credential meets MFA requirements.
//!
//! Not modelled: Windows sessions themselves (an attended run signs in as an
//! unattended one does), hosted machine groups as connection targets, and the
//! "Connect with sign-in" connection type, which needs no credential.

use super::desktop::{self, AUTH_CERTIFICATE};
use crate::environment::{self, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::{CredentialRow, Db, DesktopConnectionRow, MachineRow, Store};
use chrono::{DateTime, Utc};

/// How a desktop flow runs on its machine (the Run a flow built with Power
/// Automate for desktop action's run mode).
pub const RUN_MODES: &[&str] = &["Attended", "Unattended"];
/// The connector desktop flow connections belong to.
pub const CONNECTOR: &str = "shared_uiflow";

/// The environment, for registering machines and creating connections: its
/// members, while it is Ready (as for credentials).
fn open_for_change(db: &Db, caller: &Caller, environment_id: &str) -> Result<Environment> {
    let env = environment::find(db, environment_id)?;
    if !desktop::is_member(db, caller, &env)? {
        return Err(Error::forbidden(format!(
            "{} has no access to environment '{}'.",
            caller.audit_name(),
            env.name()
        )));
    }
    env.require_ready()?;
    Ok(env)
}

fn check_name(what: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid(format!("A {what}'s name needs 1-100 characters and no control characters.")));
    }
    Ok(name.to_string())
}

pub fn find_machine(db: &Db, env: &Environment, name: &str) -> Result<MachineRow> {
    db.machine(env.row.env_key, name.trim())?.ok_or_else(|| {
        Error::new(ErrorCode::NotFound, format!("Machine '{name}' was not found in environment '{}'.", env.name()))
            .with_target(name.to_string())
    })
}

/// The machines of a machine group, by name (an error when it has none).
fn group_machines(db: &Db, env: &Environment, group: &str) -> Result<Vec<MachineRow>> {
    let machines: Vec<MachineRow> = db
        .machines(env.row.env_key)?
        .into_iter()
        .filter(|m| m.group_name.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(group.trim())))
        .collect();
    if machines.is_empty() {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!(
                "Machine group '{group}' was not found in environment '{}' (a group exists once a machine is registered in it: Register-PpCmkMachine -MachineGroupName).",
                env.name()
            ),
        )
        .with_target(group.to_string()));
    }
    Ok(machines)
}

/// `Register-PpCmkMachine`: registers a machine in the environment,
/// optionally in a machine group.
pub fn register(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: &str,
    group: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Environment, MachineRow)> {
    let env = open_for_change(db, caller, environment_id)?;
    let name = check_name("machine", name)?;
    if db.machine(env.row.env_key, &name)?.is_some() {
        return Err(
            Error::new(ErrorCode::AlreadyExists, format!("Machine '{name}' is already registered.")).with_target(name)
        );
    }
    let group_name = group.map(|g| check_name("machine group", g)).transpose()?;
    let mut row = MachineRow {
        machine_key: 0,
        env_key: env.row.env_key,
        name,
        group_name,
        mapped_credential_key: None,
        registered_by: caller.object_id().to_string(),
        registered_time: now,
    };
    row.machine_key = db.insert_machine(&row)?;
    Ok((env, row))
}

/// `Get-PpCmkMachine`.
pub fn machines(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: Option<&str>,
) -> Result<(Environment, Vec<MachineRow>)> {
    let env = super::open_for_read(db, caller, environment_id)?;
    let list = match name {
        Some(n) => vec![find_machine(db, &env, n)?],
        None => db.machines(env.row.env_key)?,
    };
    Ok((env, list))
}

/// `Set-PpCmkMachineMapping`: the dedicated credential that signs in to a
/// machine, for connections that use machine mapping. By the machine's
/// registrant or a System Administrator, who must be able to use the
/// credential.
pub fn set_mapping(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    machine: &str,
    credential: &str,
) -> Result<(Environment, MachineRow)> {
    let env = open_for_change(db, caller, environment_id)?;
    let mut m = find_machine(db, &env, machine)?;
    if !(m.registered_by.eq_ignore_ascii_case(caller.object_id()) || desktop::reads_all_processes(db, caller, &env)?) {
        return Err(Error::forbidden(format!(
            "Only whoever registered machine '{}' or a System Administrator can map a credential to it.",
            m.name
        ))
        .with_target(m.name.clone()));
    }
    let c = usable_credential(db, caller, &env, credential)?;
    db.set_machine_mapping(m.machine_key, Some(c.credential_key))?;
    m.mapped_credential_key = Some(c.credential_key);
    Ok((env, m))
}

/// A credential the caller may use (its owner, whoever it is shared with, a
/// System Administrator).
fn usable_credential(db: &Db, caller: &Caller, env: &Environment, name: &str) -> Result<CredentialRow> {
    let c = desktop::find_credential(db, env, name)?;
    if !desktop::can_use_credential(db, caller, env, &c)? {
        return Err(Error::forbidden(format!(
            "{} cannot use credential '{}': its owner shares it with Grant-PpCmkCredentialAccess.",
            caller.audit_name(),
            c.name
        ))
        .with_target(c.name.clone()));
    }
    Ok(c)
}

/// What a desktop flow connection connects to and how it signs in.
pub struct NewConnection<'a> {
    pub name: &'a str,
    pub machine: Option<&'a str>,
    pub group: Option<&'a str>,
    pub credential: Option<&'a str>,
    pub use_machine_mapping: bool,
}

/// `New-PpCmkDesktopFlowConnection`: a connection of the Desktop flows
/// connector to a machine or machine group, that signs in with a credential
/// or, with machine mapping, with each machine's own.
pub fn create_connection(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    spec: &NewConnection,
    now: DateTime<Utc>,
) -> Result<(Environment, DesktopConnectionRow)> {
    let env = open_for_change(db, caller, environment_id)?;
    let name = check_name("connection", spec.name)?;
    if db.desktop_connection(env.row.env_key, &name)?.is_some() {
        return Err(Error::new(ErrorCode::AlreadyExists, format!("Desktop flow connection '{name}' already exists."))
            .with_target(name));
    }
    let (machine_name, group_name) = match (spec.machine, spec.group) {
        (Some(m), None) => (Some(find_machine(db, &env, m)?.name), None),
        (None, Some(g)) => (None, group_machines(db, &env, g)?[0].group_name.clone()),
        _ => return Err(Error::invalid("Connect to a machine (-MachineName) or a machine group (-MachineGroupName).")),
    };
    let credential_key = match (spec.credential, spec.use_machine_mapping) {
        (Some(c), false) => Some(usable_credential(db, caller, &env, c)?.credential_key),
        (None, true) => None,
        _ => {
            return Err(Error::invalid(
                "Sign in with a credential (-CredentialName) or with each machine's mapped credential (-UseMachineMapping).",
            ))
        }
    };
    let mut row = DesktopConnectionRow {
        connection_key: 0,
        env_key: env.row.env_key,
        name,
        machine_name,
        group_name,
        credential_key,
        use_machine_mapping: spec.use_machine_mapping,
        created_by: caller.object_id().to_string(),
        created_time: now,
    };
    row.connection_key = db.insert_desktop_connection(&row)?;
    Ok((env, row))
}

fn find_connection(db: &Db, env: &Environment, name: &str) -> Result<DesktopConnectionRow> {
    db.desktop_connection(env.row.env_key, name.trim())?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("Desktop flow connection '{name}' was not found in environment '{}'.", env.name()),
        )
        .with_target(name.to_string())
    })
}

/// Desktop flow connections can't be shared: each is its creator's.
fn require_creator(caller: &Caller, c: &DesktopConnectionRow, action: &str) -> Result<()> {
    if c.created_by.eq_ignore_ascii_case(caller.object_id()) {
        return Ok(());
    }
    Err(Error::forbidden(format!(
        "{} cannot {action} desktop flow connection '{}': desktop flow connections can't be shared with other users.",
        caller.audit_name(),
        c.name
    ))
    .with_target(c.name.clone()))
}

/// `Get-PpCmkDesktopFlowConnection`: the caller's own.
pub fn connections(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: Option<&str>,
) -> Result<(Environment, Vec<DesktopConnectionRow>)> {
    let env = super::open_for_read(db, caller, environment_id)?;
    let list = match name {
        Some(n) => {
            let c = find_connection(db, &env, n)?;
            require_creator(caller, &c, "read")?;
            vec![c]
        }
        None => db
            .desktop_connections(env.row.env_key)?
            .into_iter()
            .filter(|c| c.created_by.eq_ignore_ascii_case(caller.object_id()))
            .collect(),
    };
    Ok((env, list))
}

/// `Remove-PpCmkDesktopFlowConnection`.
pub fn remove_connection(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: &str,
) -> Result<(Environment, DesktopConnectionRow)> {
    let env = open_for_change(db, caller, environment_id)?;
    let c = find_connection(db, &env, name)?;
    require_creator(caller, &c, "delete")?;
    db.delete_desktop_connection(c.connection_key)?;
    Ok((env, c))
}

/// A credential's name from its key (for output).
pub fn credential_name(db: &Db, key: Option<i64>) -> Result<Option<String>> {
    Ok(match key {
        Some(k) => db.credential_by_key(k)?.map(|c| c.name),
        None => None,
    })
}

/// What uses a credential to sign in to machines, for the refusal of its
/// removal: desktop flow connections and machine mappings.
pub fn uses_of_credential(db: &Db, env: &Environment, c: &CredentialRow) -> Result<Vec<String>> {
    let mut out: Vec<String> = db
        .desktop_connections(env.row.env_key)?
        .into_iter()
        .filter(|x| x.credential_key == Some(c.credential_key))
        .map(|x| format!("desktop flow connection '{}'", x.name))
        .collect();
    out.extend(
        db.machines(env.row.env_key)?
            .into_iter()
            .filter(|m| m.mapped_credential_key == Some(c.credential_key))
            .map(|m| format!("the machine mapping of machine '{}'", m.name)),
    );
    Ok(out)
}

/// Where a run signed in to, and as whom (never the secret).
#[derive(Debug, Clone)]
pub struct SignIn {
    pub machine: String,
    pub run_mode: String,
    pub credential: String,
    pub user_name: Option<String>,
    pub authentication_type: String,
}

impl SignIn {
    /// As the run shows it.
    pub fn describe(&self) -> String {
        format!(
            "{} run on machine '{}', signed in as {} with credential '{}' ({})",
            self.run_mode,
            self.machine,
            self.user_name.as_deref().unwrap_or("(no user name)"),
            self.credential,
            if self.authentication_type == AUTH_CERTIFICATE { "certificate-based authentication" } else { "password" }
        )
    }
}

/// Signs in to the machine a desktop flow runs on through a connection: the
/// connection's machine, or a machine of its group (`machine`, else the
/// first by name); the connection's credential, or with machine mapping the
/// machine's own. The secret is read from its key vault now, so an edited
/// credential applies at the next sign-in, and revoked access or a deleted
/// secret fails the run.
#[allow(clippy::too_many_arguments)] // the store handles, the subject, the run's choices and the clock
pub fn sign_in(
    store: &Store,
    db: &Db,
    caller: &Caller,
    env: &Environment,
    connection: &str,
    machine: Option<&str>,
    run_mode: &str,
    now: DateTime<Utc>,
) -> Result<SignIn> {
    let c = find_connection(db, env, connection)?;
    require_creator(caller, &c, "run a desktop flow through")?;
    let m = match (&c.machine_name, &c.group_name) {
        (Some(name), _) => {
            if let Some(asked) = machine.filter(|a| !a.trim().eq_ignore_ascii_case(name)) {
                return Err(Error::invalid(format!(
                    "Desktop flow connection '{}' connects to machine '{name}', not '{asked}'.",
                    c.name
                )));
            }
            find_machine(db, env, name)?
        }
        (None, Some(group)) => {
            let members = group_machines(db, env, group)?;
            match machine {
                Some(asked) => members
                    .into_iter()
                    .find(|m| m.name.eq_ignore_ascii_case(asked.trim()))
                    .ok_or_else(|| Error::invalid(format!("Machine '{asked}' is not in machine group '{group}'.")))?,
                None => members.into_iter().next().ok_or_else(|| Error::internal("an empty machine group"))?,
            }
        }
        (None, None) => return Err(Error::internal("a desktop flow connection without a machine")),
    };
    let credential_key = if c.use_machine_mapping {
        m.mapped_credential_key.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidOperation,
                format!(
                    "Desktop flow connection '{}' uses machine mapping, and machine '{}' has no credential mapped to sign in to it: map one with Set-PpCmkMachineMapping -MachineName '{}' -CredentialName.",
                    c.name, m.name, m.name
                ),
            )
            .with_target(m.name.clone())
        })?
    } else {
        c.credential_key.ok_or_else(|| Error::internal("a desktop flow connection without a credential"))?
    };
    let credential =
        db.credential_by_key(credential_key)?.ok_or_else(|| Error::internal("a sign-in credential that is gone"))?;
    if credential.requires_mfa && credential.authentication_type != AUTH_CERTIFICATE {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!(
                "Sign-in to machine '{}' with credential '{}' failed: its account ({}) requires multifactor authentication (MFA), which a password can't meet. Meet multifactor authentication (MFA) requirements by using certificate-based authentication (a credential with -AuthenticationType Certificate).",
                m.name,
                credential.name,
                credential.user_name.as_deref().unwrap_or("no user name")
            ),
        )
        .with_target(credential.name.clone()));
    }
    // Read now and dropped at once: the sign-in needs the value, nothing keeps it.
    let secret = desktop::resolve_credential(store, db, env, &credential, now).map_err(|e| {
        Error::new(
            e.code,
            format!("Sign-in to machine '{}' with credential '{}' failed: {}", m.name, credential.name, e.message),
        )
        .with_target(e.target.unwrap_or_else(|| credential.name.clone()))
    })?;
    drop(secret);
    Ok(SignIn {
        machine: m.name,
        run_mode: run_mode.to_string(),
        credential: credential.name,
        user_name: credential.user_name,
        authentication_type: credential.authentication_type,
    })
}
