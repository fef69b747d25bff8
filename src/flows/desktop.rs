//! Desktop-flow security: credentials read from a key vault at run time,
//! sensitive variables that never reach a log or the store, sharing of
//! flows and of the components they reference, and a lint of a definition
//! against the documented rules.
//!
//! A desktop flow's definition (sealed like any flow's) is JSON:
//!
//! ```json
//! {"variables": [{"name": "Password", "direction": "Input|Output|Flow", "sensitive": true, "type": "Text|Credential"}],
//!  "actions": [{"action": "GetCredential", "credential": "SAP login", "output": "Sap"},
//!              {"action": "SetVariable", "variable": "Conn", "value": "Server=sap;Password=%Sap.Password%"},
//!              {"action": "RunDesktopFlow", "flow": "<FlowName>"},
//!              {"action": "WorkQueues.AddItem", "workQueue": "Invoices"},
//!              {"action": "UIAutomation.Click", "uiElementCollection": "SAP screens"},
//!              {"action": "RunCustomAction", "customAction": "Parse PDF"},
//!              {"action": "SharePoint.GetItems", "connectionReference": "shared_sharepointonline"},
//!              {"action": "Database.Open", "connectionString": "Server=db;Password=%Password%"}]}
//! ```
//!
//! `%Name%` reads a variable; `%Cred.Username%` and `%Cred.Password%` read a
//! credential variable.

use super::{find_row, open_for_read, Flow};
use crate::environment::{self, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{self, Caller};
use crate::keyvault::access::{Origin, Requester};
use crate::keyvault::{self, secrets};
use crate::store::{ComponentRow, CredentialRow, Db, FlowRow, Store};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

pub const CREDENTIAL_SOURCES: &[&str] = &["AzureKeyVault", "CyberArk"];
/// How a credential signs in to a machine (003:9): a password, or
/// certificate-based authentication, which meets MFA requirements.
pub const AUTHENTICATION_TYPES: &[&str] = &["Password", "Certificate"];
pub const AUTH_PASSWORD: &str = "Password";
pub const AUTH_CERTIFICATE: &str = "Certificate";
pub const FLOW_ROLES: &[&str] = &["Owner", "CoOwner", "User"];
/// Dataverse security roles; the first two read every Process record, so
/// their members are co-owners of every desktop flow of the environment.
pub const SECURITY_ROLES: &[&str] = &["System Administrator", "System Customizer", "Environment Maker", "Basic User"];
const READS_ALL_PROCESSES: &[&str] = &["System Administrator", "System Customizer"];
pub const COMPONENT_KINDS: &[&str] = &["WorkQueue", "UIElementCollection", "CustomAction"];
const IDENTITY_SETTING: &str = "identityObjectId";

// ------------------------------------------------------------------ access

/// What a user may do with a flow, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowAccess {
    None,
    User,
    CoOwner,
    Owner,
}

impl FlowAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowAccess::None => "None",
            FlowAccess::User => "User",
            FlowAccess::CoOwner => "CoOwner",
            FlowAccess::Owner => "Owner",
        }
    }
}

/// Whether a Dataverse security role of the environment lets the user read
/// every Process record (Power Platform administrators hold System
/// Administrator in every environment).
pub(super) fn reads_all_processes(db: &Db, caller: &Caller, env: &Environment) -> Result<bool> {
    if caller.is_power_platform_admin() {
        return Ok(true);
    }
    Ok(db
        .security_role_members(env.row.env_key)?
        .iter()
        .any(|(role, id)| READS_ALL_PROCESSES.contains(&role.as_str()) && id.eq_ignore_ascii_case(caller.object_id())))
}

/// The caller's access to a flow: its creator owns it; sharing grants a
/// role; reading every Process record makes a co-owner.
pub fn flow_access(db: &Db, caller: &Caller, env: &Environment, flow: &FlowRow) -> Result<FlowAccess> {
    if flow.created_by.eq_ignore_ascii_case(caller.object_id()) {
        return Ok(FlowAccess::Owner);
    }
    let shared = db
        .flow_permissions(flow.flow_key)?
        .into_iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(caller.object_id()))
        .map(|(_, role)| match role.as_str() {
            "Owner" => FlowAccess::Owner,
            "CoOwner" => FlowAccess::CoOwner,
            _ => FlowAccess::User,
        })
        .unwrap_or(FlowAccess::None);
    let by_role = if reads_all_processes(db, caller, env)? { FlowAccess::CoOwner } else { FlowAccess::None };
    Ok(shared.max(by_role))
}

/// Refuses unless the caller has at least `needed` on the flow.
pub fn require_flow_access(
    db: &Db,
    caller: &Caller,
    env: &Environment,
    flow: &FlowRow,
    needed: FlowAccess,
    action: &str,
) -> Result<()> {
    if flow_access(db, caller, env, flow)? >= needed {
        return Ok(());
    }
    Err(Error::forbidden(format!(
        "{} cannot {action} flow '{}': it needs {} access (shared by its owner with Set-PpCmkFlowPermission, or a security role that reads all Process records).",
        caller.audit_name(),
        flow.flow_id,
        needed.as_str()
    ))
    .with_target(flow.flow_id.clone()))
}

/// Whether the caller belongs to the environment: an administrator, its
/// creator, a member of one of its security roles, or someone a flow of it
/// is shared with.
pub fn is_member(db: &Db, caller: &Caller, env: &Environment) -> Result<bool> {
    if caller.is_power_platform_admin() || caller.object_id().eq_ignore_ascii_case(&env.row.created_by) {
        return Ok(true);
    }
    if db.security_role_members(env.row.env_key)?.iter().any(|(_, id)| id.eq_ignore_ascii_case(caller.object_id())) {
        return Ok(true);
    }
    db.is_shared_in_environment(env.row.env_key, caller.object_id())
}

fn principal_by_upn(db: &Db, upn: &str) -> Result<crate::store::PrincipalRow> {
    identity::user_by_upn(db, upn.trim())
}

/// `Set-PpCmkFlowPermission`: shares a flow (Owner, CoOwner or User); its
/// owners and co-owners share it, and only an owner makes another owner or
/// changes an owner's role (a co-owner cannot raise anyone above itself).
pub fn share(db: &Db, caller: &Caller, environment_id: &str, flow_id: &str, upn: &str, role: &str) -> Result<FlowRow> {
    let env = environment::find(db, environment_id)?;
    let flow = find_row(db, &env, flow_id)?;
    require_flow_access(db, caller, &env, &flow, FlowAccess::CoOwner, "share")?;
    let user = principal_by_upn(db, upn)?;
    if !FLOW_ROLES.contains(&role) {
        return Err(Error::invalid(format!("Role '{role}' is not one of {}.", FLOW_ROLES.join(", "))));
    }
    let target_is_owner = db
        .flow_permissions(flow.flow_key)?
        .iter()
        .any(|(id, r)| id.eq_ignore_ascii_case(&user.object_id) && r == "Owner");
    if role == "Owner" || target_is_owner {
        require_flow_access(db, caller, &env, &flow, FlowAccess::Owner, "make or change an owner of")?;
    }
    db.set_flow_permission(flow.flow_key, &user.object_id, role)?;
    Ok(flow)
}

/// `Remove-PpCmkFlowPermission`.
pub fn unshare(db: &Db, caller: &Caller, environment_id: &str, flow_id: &str, upn: &str) -> Result<FlowRow> {
    let env = environment::find(db, environment_id)?;
    let flow = find_row(db, &env, flow_id)?;
    require_flow_access(db, caller, &env, &flow, FlowAccess::CoOwner, "change the sharing of")?;
    let user = principal_by_upn(db, upn)?;
    if !db.remove_flow_permission(flow.flow_key, &user.object_id)? {
        return Err(Error::not_found("Flow permission", upn));
    }
    Ok(flow)
}

/// Who has access to a flow and how: (object id, UPN or name, role, how).
pub fn permissions(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    flow_id: &str,
) -> Result<Vec<(String, String, String, String)>> {
    let env = open_for_read(db, caller, environment_id)?;
    let flow = find_row(db, &env, flow_id)?;
    require_flow_access(db, caller, &env, &flow, FlowAccess::User, "see the sharing of")?;
    let name = |id: &str| -> Result<String> {
        Ok(db.principal(id)?.map(|p| p.user_principal_name.unwrap_or(p.display_name)).unwrap_or_else(|| id.to_string()))
    };
    let mut out = vec![(flow.created_by.clone(), name(&flow.created_by)?, "Owner".to_string(), "Creator".to_string())];
    for (id, role) in db.flow_permissions(flow.flow_key)? {
        out.push((id.clone(), name(&id)?, role, "Shared".into()));
    }
    for (role, id) in db.security_role_members(env.row.env_key)? {
        if READS_ALL_PROCESSES.contains(&role.as_str()) && !out.iter().any(|(o, ..)| o.eq_ignore_ascii_case(&id)) {
            out.push((
                id.clone(),
                name(&id)?,
                "CoOwner".into(),
                format!("Security role {role} (reads all Process records)"),
            ));
        }
    }
    Ok(out)
}

/// `Add-PpCmkSecurityRoleMember` / `Remove-PpCmkSecurityRoleMember`.
pub fn set_security_role(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    role: &str,
    upn: &str,
    member: bool,
) -> Result<Environment> {
    environment::require_admin(caller, "manage security roles")?;
    let env = environment::find(db, environment_id)?;
    let user = principal_by_upn(db, upn)?;
    let changed = if member {
        db.add_security_role_member(env.row.env_key, role, &user.object_id)?
    } else {
        db.remove_security_role_member(env.row.env_key, role, &user.object_id)?
    };
    if !changed && !member {
        return Err(Error::not_found("Security role member", upn));
    }
    Ok(env)
}

// ------------------------------------------------------------ credentials

/// The environment's identity: the service principal it reads key vault
/// secrets as (made on first use; the key vault administrator grants it
/// Key Vault Secrets User).
pub fn environment_identity(db: &Db, env: &Environment, now: DateTime<Utc>) -> Result<crate::store::PrincipalRow> {
    if let Some(id) = env.settings().get(IDENTITY_SETTING).and_then(Value::as_str) {
        if let Some(p) = db.principal(id)? {
            return Ok(p);
        }
    }
    let sp = identity::create_managed_identity(
        db,
        &format!("{} (Power Platform environment)", env.name()),
        &format!("/providers/Microsoft.BusinessAppPlatform/environments/{}", env.id()),
        now,
    )?;
    let mut row = env.row.clone();
    let mut settings = env.settings();
    settings.insert(IDENTITY_SETTING.into(), Value::String(sp.object_id.clone()));
    row.settings = Value::Object(settings).to_string();
    db.update_environment(&row)?;
    Ok(sp)
}

/// The environment's identity, if it has one yet.
pub fn existing_identity(env: &Environment) -> Option<String> {
    env.settings().get(IDENTITY_SETTING).and_then(Value::as_str).map(str::to_string)
}

fn environment_requester(db: &Db, env: &Environment, now: DateTime<Utc>) -> Result<Requester> {
    let sp = environment_identity(db, env, now)?;
    Ok(Requester { object_id: sp.object_id, name: sp.display_name, origin: Origin::TrustedService })
}

/// `New-PpCmkCredential`. Returns the credential and, when the
/// environment's identity cannot read the secret yet, a warning that says
/// which role to grant.
#[allow(clippy::too_many_arguments)] // the store handles, the subject, its fields and the clock
pub fn create_credential(
    db: &Db,
    caller: &Caller,
    caller_at_vault: &Requester,
    environment_id: &str,
    name: &str,
    source: &str,
    vault_name: &str,
    secret_name: &str,
    user_name: Option<&str>,
    sign_in: SignInMethod<'_>,
    now: DateTime<Utc>,
) -> Result<(CredentialRow, Option<String>)> {
    let env = environment::find(db, environment_id)?;
    if !is_member(db, caller, &env)? {
        return Err(Error::forbidden(format!(
            "{} has no access to environment '{}'.",
            caller.audit_name(),
            env.name()
        )));
    }
    env.require_ready()?;
    if name.trim().is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid("A credential's name needs 1-100 characters and no control characters."));
    }
    if db.credential(env.row.env_key, name.trim())?.is_some() {
        return Err(Error::new(ErrorCode::AlreadyExists, format!("Credential '{name}' already exists."))
            .with_target(name.to_string()));
    }
    let authentication_type = sign_in.authentication_type.unwrap_or(AUTH_PASSWORD);
    check_authentication_type(source, authentication_type)?;
    let mut warning = None;
    if source == "AzureKeyVault" {
        let vault = keyvault::active_vault(db, vault_name, keyvault::VaultKind::Vault)?;
        // Whoever points a credential at a secret must be able to read it
        // themselves: otherwise any maker could borrow the environment's
        // access to every secret it can read.
        secrets::authorize(db, &vault, Some(secret_name), caller_at_vault, secrets::SecretOp::Get).map_err(|e| {
            Error::new(
                e.code,
                format!(
                    "{} To create a credential for secret '{secret_name}', its creator needs read access to it.",
                    e.message
                ),
            )
            .with_target(secrets::secret_scope(&vault, secret_name))
        })?;
        let who = environment_requester(db, &env, now)?;
        if let Err(e) = secrets::authorize(db, &vault, Some(secret_name), &who, secrets::SecretOp::Get) {
            warning = Some(format!(
                "The environment's identity ({}, {}) cannot read secret '{secret_name}' yet: {} Grant it 'Key Vault Secrets User' on the vault or the secret (New-AzRoleAssignment -ObjectId {} -RoleDefinitionName 'Key Vault Secrets User' -Scope {}).",
                who.name,
                who.object_id,
                e.message,
                who.object_id,
                secrets::secret_scope(&vault, secret_name)
            ));
        }
    }
    let mut row = CredentialRow {
        credential_key: 0,
        env_key: env.row.env_key,
        name: name.trim().to_string(),
        source: source.to_string(),
        vault_name: vault_name.to_string(),
        secret_name: secret_name.to_string(),
        user_name: user_name.map(str::to_string),
        owner_id: caller.object_id().to_string(),
        created_time: now,
        authentication_type: authentication_type.to_string(),
        requires_mfa: sign_in.requires_mfa.unwrap_or(false),
    };
    row.credential_key = db.insert_credential(&row)?;
    Ok((row, warning))
}

/// How a credential signs in to a machine (`None`: as it is, or the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInMethod<'a> {
    /// Password or Certificate.
    pub authentication_type: Option<&'a str>,
    /// Its account must meet multifactor authentication.
    pub requires_mfa: Option<bool>,
}

/// Certificates for certificate-based authentication are stored and managed
/// in Azure Key Vault.
fn check_authentication_type(source: &str, authentication_type: &str) -> Result<()> {
    if !AUTHENTICATION_TYPES.contains(&authentication_type) {
        return Err(Error::invalid(format!(
            "Authentication type '{authentication_type}' is not one of {}.",
            AUTHENTICATION_TYPES.join(", ")
        )));
    }
    if authentication_type == AUTH_CERTIFICATE && source != "AzureKeyVault" {
        return Err(Error::invalid(
            "Certificate-based authentication credentials use a certificate stored in Azure Key Vault (-Source AzureKeyVault).",
        ));
    }
    Ok(())
}

/// Refuses unless the caller owns the credential or is a System Administrator.
fn require_credential_owner(
    db: &Db,
    caller: &Caller,
    env: &Environment,
    c: &CredentialRow,
    action: &str,
) -> Result<()> {
    if c.owner_id.eq_ignore_ascii_case(caller.object_id()) || reads_all_processes(db, caller, env)? {
        return Ok(());
    }
    Err(Error::forbidden(format!(
        "Only the owner of credential '{}' or a System Administrator can {action} it.",
        c.name
    )))
}

/// The desktop flows whose definition reads a credential, by display name.
fn flows_using_credential(
    store: &Store,
    db: &Db,
    env: &Environment,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let mut keys = super::Keys::new(store, env, now);
    let mut out = Vec::new();
    for row in db.flows(env.row.env_key, None)?.into_iter().filter(|r| r.kind == "Desktop") {
        let flow = super::open_flow(&mut keys, db, row)?;
        let definition = DesktopDefinition::parse(&flow.definition.definition)?;
        let uses = |key: &str| definition.references_of(key).iter().any(|c| c.eq_ignore_ascii_case(name));
        if uses("credential") {
            out.push(format!("desktop flow '{}'", flow.display_name));
        }
    }
    Ok(out)
}

/// `Set-PpCmkCredential` (003:6, edit): points a credential at another
/// secret or vault, or changes its user name; by its owner or a System
/// Administrator, who must be able to read the new secret, as at creation.
#[allow(clippy::too_many_arguments)] // the store handles, the subject, its fields and the clock
pub fn update_credential(
    db: &Db,
    caller: &Caller,
    caller_at_vault: &Requester,
    environment_id: &str,
    name: &str,
    vault_name: Option<&str>,
    secret_name: Option<&str>,
    user_name: Option<&str>,
    sign_in: SignInMethod<'_>,
    now: DateTime<Utc>,
) -> Result<(CredentialRow, Option<String>)> {
    let env = environment::find(db, environment_id)?;
    env.require_ready()?;
    let mut c = find_credential(db, &env, name)?;
    require_credential_owner(db, caller, &env, &c, "edit")?;
    if vault_name.is_none()
        && secret_name.is_none()
        && user_name.is_none()
        && sign_in.authentication_type.is_none()
        && sign_in.requires_mfa.is_none()
    {
        return Err(Error::invalid(
            "Name what to change: -VaultName, -SecretName, -UserName, -AuthenticationType or -RequiresMfa.",
        ));
    }
    // Machines sign in with the credential as it is at each sign-in: an edit applies at the next one.
    if let Some(t) = sign_in.authentication_type {
        check_authentication_type(&c.source, t)?;
        c.authentication_type = t.to_string();
    }
    if let Some(mfa) = sign_in.requires_mfa {
        c.requires_mfa = mfa;
    }
    if let Some(v) = vault_name {
        c.vault_name = v.to_string();
    }
    if let Some(s) = secret_name {
        c.secret_name = s.to_string();
    }
    if let Some(u) = user_name {
        c.user_name = (!u.is_empty()).then(|| u.to_string());
    }
    let mut warning = None;
    if c.source == "AzureKeyVault" && (vault_name.is_some() || secret_name.is_some()) {
        let vault = keyvault::active_vault(db, &c.vault_name, keyvault::VaultKind::Vault)?;
        secrets::authorize(db, &vault, Some(&c.secret_name), caller_at_vault, secrets::SecretOp::Get).map_err(|e| {
            Error::new(
                e.code,
                format!(
                    "{} To point a credential at secret '{}', its editor needs read access to it.",
                    e.message, c.secret_name
                ),
            )
            .with_target(secrets::secret_scope(&vault, &c.secret_name))
        })?;
        let who = environment_requester(db, &env, now)?;
        if let Err(e) = secrets::authorize(db, &vault, Some(&c.secret_name), &who, secrets::SecretOp::Get) {
            warning = Some(format!(
                "The environment's identity ({}, {}) cannot read secret '{}' yet: {} Grant it 'Key Vault Secrets User' on the vault or the secret.",
                who.name, who.object_id, c.secret_name, e.message
            ));
        }
    }
    db.update_credential(&c)?;
    Ok((c, warning))
}

/// `Remove-PpCmkCredential`: by its owner or a System Administrator;
/// refused while a desktop flow still reads it (the flow would fail at its
/// next run), or a hosted machine group, a desktop flow connection or a
/// machine mapping signs in with it, naming them.
pub fn remove_credential(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<CredentialRow> {
    let env = environment::find(db, environment_id)?;
    env.require_ready()?;
    let c = find_credential(db, &env, name)?;
    require_credential_owner(db, caller, &env, &c, "delete")?;
    let mut users = flows_using_credential(store, db, &env, &c.name, now)?;
    // A hosted machine group's hybrid join network connection signs in with it (003:11).
    users.extend(
        super::hosted::groups_using_credential(&env, &c.name)
            .into_iter()
            .map(|g| format!("hosted machine group '{g}'")),
    );
    // Desktop flow connections and machine mappings sign in to machines with it (003:7-8).
    users.extend(super::machines::uses_of_credential(db, &env, &c)?);
    if !users.is_empty() {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "Credential '{}' is used by {}: change them to another credential first.",
                c.name,
                users.join(", ")
            ),
        )
        .with_target(c.name.clone()));
    }
    db.delete_credential(c.credential_key)?;
    Ok(c)
}

/// Whether the caller may use a credential: its owner, whoever it is shared
/// with, and System Administrators.
pub fn can_use_credential(db: &Db, caller: &Caller, env: &Environment, c: &CredentialRow) -> Result<bool> {
    Ok(c.owner_id.eq_ignore_ascii_case(caller.object_id())
        || db.credential_users(c.credential_key)?.iter().any(|id| id.eq_ignore_ascii_case(caller.object_id()))
        || reads_all_processes(db, caller, env)?)
}

pub fn find_credential(db: &Db, env: &Environment, name: &str) -> Result<CredentialRow> {
    db.credential(env.row.env_key, name.trim())?.ok_or_else(|| {
        Error::new(ErrorCode::NotFound, format!("Credential '{name}' was not found in environment '{}'.", env.name()))
            .with_target(name.to_string())
    })
}

/// `Grant-PpCmkCredentialAccess`: by its owner or a System Administrator.
pub fn grant_credential(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    name: &str,
    upn: &str,
) -> Result<CredentialRow> {
    let env = environment::find(db, environment_id)?;
    let c = find_credential(db, &env, name)?;
    if !(c.owner_id.eq_ignore_ascii_case(caller.object_id()) || reads_all_processes(db, caller, &env)?) {
        return Err(Error::forbidden(format!(
            "Only the owner of credential '{}' or a System Administrator can share it.",
            c.name
        )));
    }
    let user = principal_by_upn(db, upn)?;
    db.grant_credential_access(c.credential_key, &user.object_id)?;
    Ok(c)
}

/// Credentials the caller can see (never their values).
pub fn credentials(db: &Db, caller: &Caller, environment_id: &str) -> Result<(Environment, Vec<CredentialRow>)> {
    let env = environment::find(db, environment_id)?;
    if !is_member(db, caller, &env)? {
        return Err(Error::forbidden(format!(
            "{} has no access to environment '{}'.",
            caller.audit_name(),
            env.name()
        )));
    }
    let mut out = Vec::new();
    for c in db.credentials(env.row.env_key)? {
        if can_use_credential(db, caller, &env, &c)? {
            out.push(c);
        }
    }
    Ok((env, out))
}

/// Reads a credential's secret through the key vault as the environment's
/// identity (network, permission and audit as for any caller).
pub(super) fn resolve_credential(
    store: &Store,
    db: &Db,
    env: &Environment,
    c: &CredentialRow,
    now: DateTime<Utc>,
) -> Result<Zeroizing<String>> {
    if c.source != "AzureKeyVault" {
        return Err(Error::new(
            ErrorCode::InvalidOperation,
            format!("Credential '{}' comes from CyberArk, which a local rehearsal cannot reach; use an Azure Key Vault credential.", c.name),
        ));
    }
    let vault = keyvault::active_vault(db, &c.vault_name, keyvault::VaultKind::Vault)?;
    let who = environment_requester(db, env, now)?;
    Ok(secrets::value(store, db, &who, &vault, &c.secret_name, None, now)?.1)
}

// ------------------------------------------------------------- components

/// `New-PpCmkDesktopFlowComponent`: a work queue, UI element collection or custom action.
pub fn create_component(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    kind: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<ComponentRow> {
    let env = environment::find(db, environment_id)?;
    if !is_member(db, caller, &env)? {
        return Err(Error::forbidden(format!(
            "{} has no access to environment '{}'.",
            caller.audit_name(),
            env.name()
        )));
    }
    if name.trim().is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid("A component's name needs 1-100 characters and no control characters."));
    }
    if db.component(env.row.env_key, kind, name.trim())?.is_some() {
        return Err(Error::new(ErrorCode::AlreadyExists, format!("{kind} '{name}' already exists.")));
    }
    let mut row = ComponentRow {
        component_key: 0,
        env_key: env.row.env_key,
        kind: kind.to_string(),
        name: name.trim().to_string(),
        owner_id: caller.object_id().to_string(),
        created_time: now,
    };
    row.component_key = db.insert_component(&row)?;
    Ok(row)
}

/// `Grant-PpCmkDesktopFlowComponentAccess`: by its owner or a System Administrator.
pub fn grant_component(
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    kind: &str,
    name: &str,
    upn: &str,
) -> Result<ComponentRow> {
    let env = environment::find(db, environment_id)?;
    let c = db.component(env.row.env_key, kind, name.trim())?.ok_or_else(|| Error::not_found(kind, name))?;
    if !(c.owner_id.eq_ignore_ascii_case(caller.object_id()) || reads_all_processes(db, caller, &env)?) {
        return Err(Error::forbidden(format!(
            "Only the owner of {kind} '{}' or a System Administrator can share it.",
            c.name
        )));
    }
    let user = principal_by_upn(db, upn)?;
    db.grant_component_access(c.component_key, &user.object_id)?;
    Ok(c)
}

/// The Dataverse table(s) of a component kind, as the documentation's table names them.
pub fn component_table(kind: &str) -> &'static str {
    match kind {
        "WorkQueue" => "Work Queue, Work Queue Item",
        "UIElementCollection" | "CustomAction" => "Desktop Flow Module",
        "Credential" => "Credential",
        "ConnectionReference" => "Connection Reference",
        _ => "Process",
    }
}

/// The audit table of a component kind (`Set-PpCmkAuditSetting -Tables`).
pub fn component_audit_table(kind: &str) -> &'static str {
    match kind {
        "WorkQueue" => "WorkQueue",
        _ => "DesktopFlowModule",
    }
}

fn can_use_component(db: &Db, caller: &Caller, env: &Environment, c: &ComponentRow) -> Result<bool> {
    Ok(c.owner_id.eq_ignore_ascii_case(caller.object_id())
        || db.component_users(c.component_key)?.iter().any(|id| id.eq_ignore_ascii_case(caller.object_id()))
        || reads_all_processes(db, caller, env)?)
}

// -------------------------------------------------------------- definition

/// A desktop flow's variable declaration.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub direction: String,
    pub sensitive: bool,
    pub credential: bool,
}

/// A parsed desktop-flow definition.
#[derive(Debug, Clone, Default)]
pub struct DesktopDefinition {
    pub variables: Vec<Variable>,
    pub actions: Vec<Map<String, Value>>,
}

impl DesktopDefinition {
    /// Parses and checks the shape; a wrong shape names the JSON path.
    pub fn parse(definition: &Value) -> Result<DesktopDefinition> {
        let bad = |path: &str, what: &str| Error::invalid(format!("Desktop flow definition: {path} {what}."));
        if definition.is_null() {
            return Ok(DesktopDefinition::default());
        }
        let root = definition.as_object().ok_or_else(|| bad("$", "must be an object"))?;
        let mut out = DesktopDefinition::default();
        for (i, v) in
            root.get("variables").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]).iter().enumerate()
        {
            let path = format!("$.variables[{i}]");
            let o = v.as_object().ok_or_else(|| bad(&path, "must be an object"))?;
            let name = o
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| bad(&path, "needs a name"))?;
            let direction = o.get("direction").and_then(Value::as_str).unwrap_or("Flow");
            if !["Input", "Output", "Flow"].contains(&direction) {
                return Err(bad(&format!("{path}.direction"), "must be Input, Output or Flow"));
            }
            let credential = o.get("type").and_then(Value::as_str) == Some("Credential");
            out.variables.push(Variable {
                name: name.to_string(),
                direction: direction.to_string(),
                // Credential variables are sensitive by default.
                sensitive: o.get("sensitive").and_then(Value::as_bool).unwrap_or(false) || credential,
                credential,
            });
        }
        for (i, a) in root.get("actions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]).iter().enumerate()
        {
            let path = format!("$.actions[{i}]");
            let o = a.as_object().ok_or_else(|| bad(&path, "must be an object"))?;
            o.get("action")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| bad(&path, "needs an action name"))?;
            out.actions.push(o.clone());
        }
        Ok(out)
    }

    fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name.eq_ignore_ascii_case(name))
    }

    /// Variables (and credential fields) a text reads: `%Name%`, `%Cred.Password%`.
    fn references(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('%') else { break };
            let name = &after[..end];
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                out.push(name.to_string());
            }
            rest = &after[end + 1..];
        }
        out
    }

    /// Whether a reference reads a sensitive value: a sensitive variable, or
    /// a credential's password (its user name is not secret).
    fn is_sensitive_reference(&self, reference: &str) -> bool {
        let (base, field) = reference.split_once('.').unwrap_or((reference, ""));
        match self.variable(base) {
            Some(v) if v.credential => !field.eq_ignore_ascii_case("Username"),
            Some(v) => v.sensitive,
            None => false,
        }
    }

    /// The credentials, child flows and components the definition references.
    pub fn references_of(&self, key: &str) -> Vec<String> {
        self.actions.iter().filter_map(|a| a.get(key).and_then(Value::as_str).map(str::to_string)).collect()
    }
}

fn looks_like_connection_string(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    (t.contains("password=") || t.contains("pwd="))
        && (t.contains("server=") || t.contains("data source=") || t.contains(';'))
}

const SECRET_NAME_HINTS: &[&str] = &["password", "pwd", "secret", "token", "apikey", "api_key", "passcode", "pin"];

/// One finding of the lint.
#[derive(Debug, Clone)]
pub struct LintRow {
    pub rule: &'static str,
    pub status: &'static str,
    pub location: String,
    pub detail: String,
    pub remedy: Option<String>,
}

pub const RULE_SENSITIVE_INPUT: &str = "SensitiveValueAsInputVariable";
pub const RULE_SENSITIVITY_NOT_INHERITED: &str = "SensitiveValueInNonSensitiveVariable";
pub const RULE_CONNECTION_STRING: &str = "ConnectionStringFromSensitiveValue";
pub const RULE_UNBOUND_ACTION_OUTPUT: &str = "UnboundActionOutputNotSensitive";
/// The Dataverse connector's "Perform an unbound action in selected
/// environment", through which a desktop flow reads environment variables
/// (Azure Key Vault secrets among them, 003:14).
pub const UNBOUND_ACTION: &str = "Dataverse.PerformUnboundAction";

/// `Test-PpCmkDesktopFlow`: the article's four rules, one row per finding,
/// or a Pass row per rule that holds.
pub fn lint(definition: &DesktopDefinition) -> Vec<LintRow> {
    let mut rows = Vec::new();
    for v in definition.variables.iter().filter(|v| v.direction == "Input" && !v.credential) {
        let named_like_secret = SECRET_NAME_HINTS.iter().any(|h| v.name.to_ascii_lowercase().contains(h));
        if v.sensitive || named_like_secret {
            rows.push(LintRow {
                rule: RULE_SENSITIVE_INPUT,
                status: "Fail",
                location: format!("variable {} (input)", v.name),
                detail: format!(
                    "Input variable '{}' {} a sensitive value into the flow instead of the Get credential action.",
                    v.name,
                    if v.sensitive { "passes" } else { "looks like it passes" }
                ),
                remedy: Some("Store the value as a credential and read it with the Get credential action: credential variables are sensitive by default and never stored in run logs.".into()),
            });
        }
    }
    for (i, a) in definition.actions.iter().enumerate() {
        let name = a.get("action").and_then(Value::as_str).unwrap_or_default();
        let location = format!("action {} ({name})", i + 1);
        let sensitive_refs = |text: &str| -> Vec<String> {
            DesktopDefinition::references(text).into_iter().filter(|r| definition.is_sensitive_reference(r)).collect()
        };
        if name.eq_ignore_ascii_case(UNBOUND_ACTION) {
            // 003:14: its output can hold a secret; it must be marked sensitive.
            let output = a.get("output").and_then(Value::as_str).unwrap_or_default();
            if !definition.variable(output).is_some_and(|v| v.sensitive) {
                rows.push(LintRow {
                    rule: RULE_UNBOUND_ACTION_OUTPUT,
                    status: "Fail",
                    location,
                    detail: format!(
                        "The output '{output}' of Perform an unbound action (environment variables, which can hold Azure Key Vault secrets) is not marked sensitive."
                    ),
                    remedy: Some(format!("Mark '{output}' as sensitive (\"sensitive\": true).")),
                });
            }
            continue;
        }
        if name == "SetVariable" {
            let target = a.get("variable").and_then(Value::as_str).unwrap_or_default();
            let value = a.get("value").and_then(Value::as_str).unwrap_or_default();
            let refs = sensitive_refs(value);
            let target_sensitive = definition.variable(target).is_some_and(|v| v.sensitive);
            if refs.is_empty() || target_sensitive {
                continue;
            }
            let (rule, detail) = if looks_like_connection_string(value) {
                (
                    RULE_CONNECTION_STRING,
                    format!(
                        "A connection string built from sensitive {} is stored in non-sensitive variable '{target}'.",
                        refs.join(", ")
                    ),
                )
            } else {
                (
                    RULE_SENSITIVITY_NOT_INHERITED,
                    format!(
                        "Sensitive {} is copied into non-sensitive variable '{target}': sensitivity isn't inherited.",
                        refs.join(", ")
                    ),
                )
            };
            rows.push(LintRow {
                rule,
                status: "Fail",
                location,
                detail,
                remedy: Some(format!("Mark '{target}' as sensitive, or don't copy sensitive values into it.")),
            });
        } else if let Some(cs) = a.get("connectionString").and_then(Value::as_str) {
            // Passing a whole sensitive variable is the remedy; building the
            // string here puts the secret in clear text.
            let refs = sensitive_refs(cs);
            if looks_like_connection_string(cs) && !refs.is_empty() {
                rows.push(LintRow {
                    rule: RULE_CONNECTION_STRING,
                    status: "Fail",
                    location,
                    detail: format!("The connection string is built from sensitive {} in clear text.", refs.join(", ")),
                    remedy: Some("Keep the whole connection string in a sensitive variable (or a credential) and pass that variable.".into()),
                });
            }
        }
    }
    for rule in
        [RULE_SENSITIVE_INPUT, RULE_SENSITIVITY_NOT_INHERITED, RULE_CONNECTION_STRING, RULE_UNBOUND_ACTION_OUTPUT]
    {
        if !rows.iter().any(|r| r.rule == rule) {
            rows.push(LintRow {
                rule,
                status: "Pass",
                location: "definition".into(),
                detail: "No finding.".into(),
                remedy: None,
            });
        }
    }
    rows
}

// --------------------------------------------------------------------- run

/// Refuses a run when the caller cannot use a component the flow
/// references, naming the component and its Dataverse table.
pub fn check_components(
    db: &Db,
    caller: &Caller,
    env: &Environment,
    flow: &Flow,
    definition: &DesktopDefinition,
) -> Result<()> {
    let refuse = |kind: &str, name: &str, how: &str| {
        Error::forbidden(format!(
            "{} cannot run desktop flow '{}': no access to the {kind} '{name}' (Dataverse table {}). {how}",
            caller.audit_name(),
            flow.display_name,
            component_table(kind)
        ))
        .with_target(name.to_string())
    };
    for name in definition.references_of("credential") {
        let c = find_credential(db, env, &name)?;
        if !can_use_credential(db, caller, env, &c)? {
            return Err(refuse(
                "Credential",
                &name,
                &format!("Its owner shares it with Grant-PpCmkCredentialAccess -Name '{name}'."),
            ));
        }
    }
    for child in definition.references_of("flow") {
        let row = find_row(db, env, &child)?;
        if flow_access(db, caller, env, &row)? < FlowAccess::User {
            return Err(refuse("child desktop flow", &child, "Share it with Set-PpCmkFlowPermission -Role User."));
        }
    }
    for (key, kind) in
        [("workQueue", "WorkQueue"), ("uiElementCollection", "UIElementCollection"), ("customAction", "CustomAction")]
    {
        for name in definition.references_of(key) {
            let c = db.component(env.row.env_key, kind, &name)?.ok_or_else(|| Error::not_found(kind, &name))?;
            if !can_use_component(db, caller, env, &c)? {
                return Err(refuse(
                    kind,
                    &name,
                    &format!(
                        "Its owner shares it with Grant-PpCmkDesktopFlowComponentAccess -Kind {kind} -Name '{name}'."
                    ),
                ));
            }
        }
    }
    // Connection references: access comes with the desktop flow's sharing.
    Ok(())
}

/// What a desktop flow run produced, already masked.
pub struct DesktopRun {
    pub inputs: Map<String, Value>,
    pub outputs: Map<String, Value>,
    pub actions: Vec<String>,
}

/// What a desktop flow run holds while it runs: each variable's value,
/// whether it is masked (declared sensitive, or a credential value), and
/// whether it carries a credential value. Sensitivity isn't inherited
/// (003:18): a sensitive text copied into a plain variable is logged in
/// clear, the hazard the lint flags before the run; only credential values
/// stay masked wherever they are copied.
#[derive(Default)]
struct RunValues {
    values: std::collections::HashMap<String, Value3>,
    /// Every credential value seen, so that any text that contains one is
    /// masked too.
    secrets: Vec<Zeroizing<String>>,
}

/// A run-time value: its text, whether it is masked, whether it is (or was
/// built from) a credential value.
type Value3 = (Zeroizing<String>, bool, bool);

impl RunValues {
    fn set(&mut self, name: &str, value: Zeroizing<String>, sensitive: bool, credential: bool) {
        if credential && !value.is_empty() {
            self.secrets.push(value.clone());
        }
        self.values.insert(name.to_ascii_lowercase(), (value, sensitive || credential, credential));
    }

    /// `%Name%` and `%Cred.Field%` replaced by their values (unknown names
    /// stay), and whether any replaced value was a credential value.
    fn interpolate(&self, text: &str) -> (Zeroizing<String>, bool) {
        let mut out = Zeroizing::new(String::with_capacity(text.len()));
        let mut credential = false;
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('%') {
                Some(end) => {
                    match self.values.get(&after[..end].to_ascii_lowercase()) {
                        Some((v, _, from_credential)) => {
                            out.push_str(v);
                            credential |= from_credential;
                        }
                        None => out.push_str(&rest[start..start + end + 2]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        (out, credential)
    }

    /// The text to show for a value: masked whole when it is sensitive or
    /// contains any credential value. (Replacing only the matching part would
    /// leak the rest of a longer secret that contains a shorter one.)
    fn shown(&self, text: &str, sensitive: bool) -> String {
        if sensitive || self.secrets.iter().any(|s| text.contains(s.as_str())) {
            super::runs::MASK.to_string()
        } else {
            text.to_string()
        }
    }
}

/// Runs a desktop flow's actions: reads credentials through the key vault,
/// evaluates variables, and masks what the documentation masks (variables
/// declared sensitive, credential values wherever they are copied) before
/// anything leaves; a sensitive text copied into a plain variable is not.
pub fn execute(
    store: &Store,
    db: &Db,
    env: &Environment,
    definition: &DesktopDefinition,
    inputs: &Map<String, Value>,
    sensitive_inputs: &[String],
    now: DateTime<Utc>,
) -> Result<DesktopRun> {
    for name in sensitive_inputs {
        if !inputs.keys().any(|k| k.eq_ignore_ascii_case(name)) {
            return Err(Error::invalid(format!(
                "-SensitiveInput names '{name}', which is not one of the run's inputs."
            ))
            .with_target(name.clone()));
        }
    }
    let marked_sensitive = |k: &str| sensitive_inputs.iter().any(|s| s.eq_ignore_ascii_case(k));
    let mut run = RunValues::default();
    for (k, v) in inputs {
        let declared = definition.variable(k).filter(|v| v.direction == "Input").ok_or_else(|| {
            Error::invalid(format!("Desktop flow has no input variable '{k}'.")).with_target(k.clone())
        })?;
        let text = Zeroizing::new(match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        run.set(&declared.name, text, declared.sensitive || marked_sensitive(k), false);
    }
    let mut actions = Vec::new();
    for a in &definition.actions {
        let name = a.get("action").and_then(Value::as_str).unwrap_or_default().to_string();
        match name.as_str() {
            "GetCredential" => {
                let cred_name = a.get("credential").and_then(Value::as_str).unwrap_or_default();
                let out = a.get("output").and_then(Value::as_str).unwrap_or(cred_name);
                let c = find_credential(db, env, cred_name)?;
                if c.authentication_type == AUTH_CERTIFICATE {
                    // configure-certificate-based-auth: CBA is for Windows session credentials only.
                    return Err(Error::new(
                        ErrorCode::InvalidOperation,
                        format!(
                            "Credential '{}' uses certificate-based authentication, which is supported for Windows session credentials (desktop flow connections) but can't be used within the desktop flow.",
                            c.name
                        ),
                    )
                    .with_target(c.name.clone()));
                }
                let secret = resolve_credential(store, db, env, &c, now)?;
                run.set(&format!("{out}.password"), secret, true, true);
                // The user name is not a secret: the article shows it in logs.
                run.set(
                    &format!("{out}.username"),
                    Zeroizing::new(c.user_name.clone().unwrap_or_default()),
                    false,
                    false,
                );
            }
            "SetVariable" => {
                let target = a.get("variable").and_then(Value::as_str).unwrap_or_default();
                let value = a.get("value").and_then(Value::as_str).unwrap_or_default();
                let (evaluated, credential) = run.interpolate(value);
                let declared = definition.variable(target).is_some_and(|v| v.sensitive);
                run.set(target, evaluated, declared, credential);
            }
            _ => {}
        }
        actions.push(name);
    }
    let mut outputs = Map::new();
    for v in definition.variables.iter().filter(|v| v.direction == "Output") {
        let shown = match run.values.get(&v.name.to_ascii_lowercase()) {
            Some((value, masked, _)) => run.shown(value, v.sensitive || *masked),
            None if v.sensitive => super::runs::MASK.to_string(),
            None => String::new(),
        };
        outputs.insert(v.name.clone(), Value::String(shown));
    }
    let mut masked_inputs = Map::new();
    for (k, v) in inputs {
        let sensitive = definition.variable(k).is_some_and(|d| d.sensitive) || marked_sensitive(k);
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        masked_inputs.insert(k.clone(), Value::String(run.shown(&text, sensitive)));
    }
    Ok(DesktopRun { inputs: masked_inputs, outputs, actions })
}

/// The desktop definition of a flow (an error for a cloud flow).
pub fn definition_of(flow: &Flow) -> Result<DesktopDefinition> {
    if flow.row.kind != "Desktop" {
        return Err(Error::invalid(format!("Flow '{}' is a cloud flow, not a desktop flow.", flow.row.flow_id)));
    }
    DesktopDefinition::parse(&flow.definition.definition)
}
