//! The directory (Microsoft Entra ID): the tenant, its users and service
//! principals, directory roles, and who is signed in on each side.
//!
//! Azure RBAC (role definitions, assignments, permission checks at ARM
//! scopes) is in [`rbac`].

pub mod licenses;
pub mod rbac;

use crate::crypto::{is_guid, new_guid};
use crate::error::{Error, ErrorCode, Result};
use crate::store::{Db, PrincipalKind, PrincipalRow};
use chrono::{DateTime, Utc};

/// The store's one tenant. The ids are the placeholders Microsoft's own
/// documentation uses, so they are recognisable as examples.
pub const TENANT_ID: &str = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
pub const TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
pub const TENANT_NAME: &str = "Contoso";
pub const SUBSCRIPTION_ID: &str = "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e";
pub const SUBSCRIPTION_NAME: &str = "Contoso Subscription";
/// The Global Administrator created with the tenant and signed in by default.
pub const ADMIN_OBJECT_ID: &str = "00aa00aa-bb11-cc22-dd33-44ee44ee44ee";
pub const ADMIN_UPN: &str = "admin@contoso.onmicrosoft.com";
pub const ADMIN_DISPLAY_NAME: &str = "Contoso Administrator";

/// Which signed-in account a command acts as: each side of the platform has
/// its own session (`Connect-AzAccount`, `Add-PowerAppsAccount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Azure (Az modules): `Connect-AzAccount`.
    Azure,
    /// Power Platform (PowerApps admin module, admin center): `Add-PowerAppsAccount`.
    PowerPlatform,
    /// Engine commands (clock, reports): the Azure account if any, else nobody.
    Engine,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Azure => "Azure",
            Side::PowerPlatform => "PowerPlatform",
            Side::Engine => "Engine",
        }
    }
}

/// The directory roles the CMK documentation names.
// The directory's own role names, each ending in "Administrator".
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryRole {
    GlobalAdministrator,
    PowerPlatformAdministrator,
    Dynamics365Administrator,
}

impl DirectoryRole {
    pub const ALL: [DirectoryRole; 3] = [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::PowerPlatformAdministrator,
        DirectoryRole::Dynamics365Administrator,
    ];
    pub const NAMES: &'static [&'static str] =
        &["Global Administrator", "Power Platform Administrator", "Dynamics 365 Administrator"];

    pub fn name(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "Global Administrator",
            DirectoryRole::PowerPlatformAdministrator => "Power Platform Administrator",
            DirectoryRole::Dynamics365Administrator => "Dynamics 365 Administrator",
        }
    }

    /// Entra's role template id.
    pub fn template_id(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "62e90394-69f5-4237-9190-012177145e10",
            DirectoryRole::PowerPlatformAdministrator => "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
            DirectoryRole::Dynamics365Administrator => "44367163-eba1-44c3-98af-f5787879f96a",
        }
    }

    pub fn parse(name: &str) -> Option<DirectoryRole> {
        DirectoryRole::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(name))
    }
}

/// The principal a command runs as, with its directory roles.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: PrincipalRow,
    pub directory_roles: Vec<DirectoryRole>,
}

impl Caller {
    fn load(db: &Db, principal: PrincipalRow) -> Result<Caller> {
        let directory_roles =
            db.directory_roles_of(&principal.object_id)?.iter().filter_map(|r| DirectoryRole::parse(r)).collect();
        Ok(Caller { principal, directory_roles })
    }

    pub fn object_id(&self) -> &str {
        &self.principal.object_id
    }

    /// The name the audit log and messages use: UPN, else display name.
    pub fn audit_name(&self) -> &str {
        self.principal.user_principal_name.as_deref().unwrap_or(&self.principal.display_name)
    }

    pub fn has_role(&self, role: DirectoryRole) -> bool {
        self.directory_roles.contains(&role)
    }

    pub fn is_global_admin(&self) -> bool {
        self.has_role(DirectoryRole::GlobalAdministrator)
    }

    /// Global, Power Platform or Dynamics 365 administrator: who may manage
    /// environments' encryption in the Power Platform admin center.
    pub fn is_power_platform_admin(&self) -> bool {
        !self.directory_roles.is_empty()
    }

    /// Refuses with `Forbidden` unless the caller is a Global Administrator.
    pub fn require_global_admin(&self, action: &str) -> Result<()> {
        if self.is_global_admin() {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "Only a Global Administrator can {action}; {} is not one.",
                self.audit_name()
            )))
        }
    }
}

/// Creates the tenant on first use: the tenant, its subscription and the
/// Global Administrator (signed in on both sides, Owner of the subscription).
/// The resource providers' initial registration state follows (`arm`); both
/// run from the store's first migration (`lifecycle::tenant`).
pub fn seed_new_tenant(db: &Db) -> Result<()> {
    let now = Utc::now();
    db.insert_tenant(TENANT_ID, TENANT_DOMAIN, TENANT_NAME)?;
    db.insert_subscription(SUBSCRIPTION_ID, SUBSCRIPTION_NAME, TENANT_ID)?;
    db.insert_principal(&PrincipalRow {
        object_id: ADMIN_OBJECT_ID.into(),
        kind: PrincipalKind::User,
        display_name: ADMIN_DISPLAY_NAME.into(),
        user_principal_name: Some(ADMIN_UPN.into()),
        mail_nickname: Some("admin".into()),
        app_id: None,
        service_principal_type: None,
        alternative_names: vec![],
        account_enabled: true,
        created_time: now,
    })?;
    db.add_directory_role_member(DirectoryRole::GlobalAdministrator.name(), ADMIN_OBJECT_ID, now)?;
    for side in [Side::Azure, Side::PowerPlatform] {
        db.set_session(side.as_str(), ADMIN_OBJECT_ID, now)?;
    }
    rbac::seed_subscription_owner(db, ADMIN_OBJECT_ID, now)
}

/// The session a side of the platform uses (engine commands use Azure's).
fn session_side(side: Side) -> &'static str {
    match side {
        Side::PowerPlatform => Side::PowerPlatform.as_str(),
        Side::Azure | Side::Engine => Side::Azure.as_str(),
    }
}

pub fn not_signed_in(side: Side) -> Error {
    let how = match side {
        Side::PowerPlatform => "Run Add-PowerAppsAccount to sign in to Power Platform",
        Side::Azure | Side::Engine => "Run Connect-AzAccount to sign in",
    };
    Error::new(ErrorCode::NotSignedIn, format!("Nobody is signed in. {how}, or set PPCMK_ACCOUNT."))
}

/// Who a command runs as: `account` (from `PPCMK_ACCOUNT` or the request)
/// when given, else the account signed in on the command's side.
///
/// Only an enabled user acts. An override naming nobody is `NotSignedIn`; one
/// naming a service principal (by object id or application id) is refused
/// with `Forbidden`: a managed identity acts only inside the service it
/// belongs to, never as a shell user (it would hold the key vault access of
/// an enterprise policy). A disabled account is refused with `Forbidden`,
/// whether named by the override or signed in. Refusals carry the account
/// as their target, for the audit log.
/// `by_token`: the account was named by a verified bearer token, so a
/// service principal may act too.
pub fn resolve_caller(db: &Db, side: Side, account: Option<&str>, by_token: bool) -> Result<Option<Caller>> {
    if let Some(account) = account.filter(|a| !a.is_empty()) {
        let principal = find_principal(db, account)?.ok_or_else(|| {
            Error::new(
                ErrorCode::NotSignedIn,
                format!("PPCMK_ACCOUNT names '{account}', which is not a user or service principal of the directory."),
            )
            .with_target(account)
        })?;
        check_may_act(&principal, account, true, by_token)?;
        return Caller::load(db, principal).map(Some);
    }
    match session_caller(db, side)? {
        None => Ok(None),
        Some(caller) => {
            check_may_act(&caller.principal, caller.audit_name(), false, false)?;
            Ok(Some(caller))
        }
    }
}

/// Refuses a principal that may not act as a caller: not a user, or disabled.
/// `named` is how the caller was named; `by_override` whether by
/// `PPCMK_ACCOUNT` (or a request's `account`) rather than a sign-in.
fn check_may_act(principal: &PrincipalRow, named: &str, by_override: bool, by_token: bool) -> Result<()> {
    // The target names the principal as the audit log does, however it was named.
    let audit_name = principal.user_principal_name.as_deref().unwrap_or(&principal.display_name);
    let subject = if by_override {
        format!("PPCMK_ACCOUNT (or the request's \"account\") names '{named}', which")
    } else {
        format!("The signed-in account '{named}'")
    };
    if principal.kind != PrincipalKind::User && !by_token {
        return Err(Error::forbidden(format!(
            "{subject} is the service principal '{}': only users act through ppcmk; name a user by user principal name or object id.",
            principal.display_name
        ))
        .with_target(audit_name));
    }
    if !principal.account_enabled {
        return Err(Error::forbidden(format!(
            "{subject} is disabled and cannot act. Use another account (Connect-AzAccount, Add-PowerAppsAccount or PPCMK_ACCOUNT), or have a Global Administrator enable it (Update-AzADUser -AccountEnabled $true)."
        ))
        .with_target(audit_name));
    }
    Ok(())
}

/// The account signed in on `side`, as stored, whether or not it may act.
fn session_caller(db: &Db, side: Side) -> Result<Option<Caller>> {
    match db.session(session_side(side))? {
        None => Ok(None),
        Some((object_id, _)) => match db.principal(&object_id)? {
            Some(p) => Caller::load(db, p).map(Some),
            None => Ok(None),
        },
    }
}

/// A principal by object id, UPN, or application id.
pub fn find_principal(db: &Db, reference: &str) -> Result<Option<PrincipalRow>> {
    if reference.contains('@') {
        return db.principal_by_upn(reference);
    }
    if is_guid(reference) {
        if let Some(p) = db.principal(reference)? {
            return Ok(Some(p));
        }
        return db.principal_by_app_id(reference);
    }
    Ok(None)
}

/// A user by UPN, or `NotFound`.
pub fn user_by_upn(db: &Db, upn: &str) -> Result<PrincipalRow> {
    db.principal_by_upn(upn)?.filter(|p| p.kind == PrincipalKind::User).ok_or_else(|| Error::not_found("User", upn))
}

/// Signs `account` (a user, by UPN or object id) in on `side` (no password: a
/// local rehearsal). Service principals and disabled accounts are refused.
pub fn sign_in(db: &Db, side: Side, account: &str, now: DateTime<Utc>) -> Result<Caller> {
    let principal = find_principal(db, account)?.ok_or_else(|| Error::not_found("Account", account))?;
    if principal.kind != PrincipalKind::User {
        return Err(Error::forbidden(format!(
            "'{account}' is the service principal '{}': only users sign in here.",
            principal.display_name
        ))
        .with_target(account));
    }
    if !principal.account_enabled {
        return Err(Error::forbidden(format!("The account {account} is disabled.")).with_target(account));
    }
    db.set_session(session_side(side), &principal.object_id, now)?;
    Caller::load(db, principal)
}

pub fn sign_out(db: &Db, side: Side) -> Result<bool> {
    db.clear_session(session_side(side))
}

/// The account signed in on `side`, ignoring `PPCMK_ACCOUNT`, as stored
/// (also when it is disabled and may no longer act).
pub fn signed_in(db: &Db, side: Side) -> Result<Option<Caller>> {
    session_caller(db, side)
}

/// Validates a user principal name: `local@domain` with the tenant's domain.
fn validate_upn(upn: &str) -> Result<()> {
    let Some((local, domain)) = upn.split_once('@') else {
        return Err(Error::invalid(format!(
            "'{upn}' is not a user principal name: use the form alias@{TENANT_DOMAIN}."
        )));
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "._-'+".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.');
    if !local_ok {
        return Err(Error::invalid(format!(
            "The alias '{local}' of '{upn}' is invalid: use 1-64 letters, digits and . _ - ' +, not starting or ending with a dot."
        )));
    }
    if !domain.eq_ignore_ascii_case(TENANT_DOMAIN) {
        return Err(Error::invalid(format!(
            "The domain portion of the userPrincipalName '{upn}' is invalid. Use the tenant's verified domain {TENANT_DOMAIN}."
        )));
    }
    Ok(())
}

fn validate_display_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
        return Err(Error::invalid("A display name needs 1-256 characters and no control characters."));
    }
    Ok(())
}

/// Creates a user (Global Administrator only).
pub fn create_user(
    db: &Db,
    caller: &Caller,
    display_name: &str,
    upn: &str,
    mail_nickname: Option<&str>,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<PrincipalRow> {
    caller.require_global_admin("create users")?;
    validate_display_name(display_name)?;
    validate_upn(upn)?;
    if db.principal_by_upn(upn)?.is_some() {
        return Err(Error::new(
            ErrorCode::AlreadyExists,
            format!("Another object with the same value for property userPrincipalName ('{upn}') already exists."),
        )
        .with_target(upn));
    }
    let local = upn.split('@').next().unwrap_or(upn);
    let user = PrincipalRow {
        object_id: new_guid(),
        kind: PrincipalKind::User,
        display_name: display_name.to_string(),
        user_principal_name: Some(upn.to_string()),
        mail_nickname: Some(mail_nickname.unwrap_or(local).to_string()),
        app_id: None,
        service_principal_type: None,
        alternative_names: vec![],
        account_enabled: enabled,
        created_time: now,
    };
    db.insert_principal(&user)?;
    Ok(user)
}

/// The changes `Update-AzADUser` may make.
#[derive(Debug, Default)]
pub struct UserUpdate<'a> {
    pub account_enabled: Option<bool>,
    pub display_name: Option<&'a str>,
    pub mail_nickname: Option<&'a str>,
}

/// Updates a user (Global Administrator only). The tenant's last enabled
/// Global Administrator cannot be disabled: nobody could manage it any more.
pub fn update_user(db: &Db, caller: &Caller, reference: &str, change: &UserUpdate) -> Result<PrincipalRow> {
    caller.require_global_admin("update users")?;
    let mut user = find_principal(db, reference)?
        .filter(|p| p.kind == PrincipalKind::User)
        .ok_or_else(|| Error::not_found("User", reference))?;
    if let Some(name) = change.display_name {
        validate_display_name(name)?;
        user.display_name = name.to_string();
    }
    if let Some(alias) = change.mail_nickname {
        if alias.is_empty()
            || alias.len() > 64
            || !alias.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(Error::invalid(format!(
                "The mail alias '{alias}' is invalid: use 1-64 letters, digits, dots, dashes and underscores."
            )));
        }
        user.mail_nickname = Some(alias.to_string());
    }
    if let Some(enabled) = change.account_enabled {
        if !enabled && user.account_enabled {
            let other_enabled_admin = db
                .directory_role_members(Some(DirectoryRole::GlobalAdministrator.name()))?
                .iter()
                .any(|(_, p, _)| p.object_id != user.object_id && p.account_enabled);
            let is_admin = db
                .directory_roles_of(&user.object_id)?
                .iter()
                .any(|r| r.eq_ignore_ascii_case(DirectoryRole::GlobalAdministrator.name()));
            if is_admin && !other_enabled_admin {
                return Err(Error::conflict(format!(
                    "{} is the tenant's last enabled Global Administrator; enable or add another one first.",
                    user.user_principal_name.as_deref().unwrap_or(&user.display_name)
                ))
                .with_target(reference));
            }
        }
        user.account_enabled = enabled;
    }
    db.update_principal(&user)?;
    Ok(user)
}

/// Creates the service principal of a system-assigned managed identity for
/// the ARM resource `resource_id` (an enterprise policy, a vault, …).
pub fn create_managed_identity(
    db: &Db,
    display_name: &str,
    resource_id: &str,
    now: DateTime<Utc>,
) -> Result<PrincipalRow> {
    let sp = PrincipalRow {
        object_id: new_guid(),
        kind: PrincipalKind::ServicePrincipal,
        display_name: display_name.to_string(),
        user_principal_name: None,
        mail_nickname: None,
        app_id: Some(new_guid()),
        service_principal_type: Some("ManagedIdentity".into()),
        alternative_names: vec!["isExplicit=False".into(), resource_id.to_string()],
        account_enabled: true,
        created_time: now,
    };
    db.insert_principal(&sp)?;
    Ok(sp)
}

/// Deletes a managed identity together with its resource (role assignments
/// stay behind, as Azure leaves them, showing the principal as unknown).
pub fn delete_managed_identity(db: &Db, object_id: &str) -> Result<()> {
    db.delete_principal(object_id).map(drop)
}

/// Adds a user to a directory role (Global Administrator only).
pub fn add_role_member(
    db: &Db,
    caller: &Caller,
    role: DirectoryRole,
    upn: &str,
    now: DateTime<Utc>,
) -> Result<PrincipalRow> {
    caller.require_global_admin("manage directory roles")?;
    let user = user_by_upn(db, upn)?;
    if !db.add_directory_role_member(role.name(), &user.object_id, now)? {
        return Err(Error::conflict(format!("{upn} is already a member of {}.", role.name())).with_target(upn));
    }
    Ok(user)
}

/// Removes a user from a directory role (Global Administrator only). The last
/// Global Administrator cannot be removed: the tenant would be unmanageable.
pub fn remove_role_member(db: &Db, caller: &Caller, role: DirectoryRole, upn: &str) -> Result<()> {
    caller.require_global_admin("manage directory roles")?;
    let user = user_by_upn(db, upn)?;
    if role == DirectoryRole::GlobalAdministrator && db.directory_role_members(Some(role.name()))?.len() == 1 {
        let only = db.directory_role_members(Some(role.name()))?;
        if only.iter().any(|(_, p, _)| p.object_id == user.object_id) {
            return Err(Error::conflict(format!(
                "{upn} is the tenant's last Global Administrator; add another one first."
            )));
        }
    }
    if !db.remove_directory_role_member(role.name(), &user.object_id)? {
        return Err(
            Error::new(ErrorCode::NotFound, format!("{upn} is not a member of {}.", role.name())).with_target(upn)
        );
    }
    Ok(())
}
