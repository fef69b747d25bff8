//! Azure role-based access control: the built-in role definitions with their
//! actions and data actions, role assignments at ARM scopes (inherited down
//! the scope tree), and the permission checks every area calls.

use super::Caller;
use crate::arm::id::{require_scope_exists, subscription_scope, ArmId};
use crate::crypto::new_guid;
use crate::error::{Error, ErrorCode, Result};
use crate::store::{Db, PrincipalRow, RoleAssignmentRow};
use chrono::{DateTime, Utc};

/// Where a role may be assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    /// Azure RBAC at ARM scopes (`New-AzRoleAssignment`).
    Arm,
    /// Managed HSM local RBAC, inside one HSM (`New-AzKeyVaultRoleAssignment`).
    ManagedHsmLocal,
}

/// A built-in role definition.
#[derive(Debug)]
pub struct RoleDefinition {
    pub name: &'static str,
    pub id: &'static str,
    pub description: &'static str,
    pub kind: RoleKind,
    pub actions: &'static [&'static str],
    pub not_actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
    pub not_data_actions: &'static [&'static str],
}

impl RoleDefinition {
    fn permits(&self, action: &str) -> bool {
        matches_any(self.actions, action) && !matches_any(self.not_actions, action)
    }

    fn permits_data(&self, data_action: &str) -> bool {
        matches_any(self.data_actions, data_action) && !matches_any(self.not_data_actions, data_action)
    }
}

const KEY_VAULT_CONTROL_READ: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
];

/// The built-in roles, with Azure's ids, actions and data actions.
pub static BUILT_IN_ROLES: &[RoleDefinition] = &[
    RoleDefinition {
        name: "Owner",
        id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        kind: RoleKind::Arm,
        actions: &["*"],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Contributor",
        id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
        description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
        kind: RoleKind::Arm,
        actions: &["*"],
        not_actions: &[
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Purview/consents/write",
            "Microsoft.Purview/consents/delete",
            "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
            "Microsoft.Subscription/cancel/action",
            "Microsoft.Subscription/enable/action",
        ],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Reader",
        id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        description: "View all resources, but does not allow you to make any changes.",
        kind: RoleKind::Arm,
        actions: &["*/read"],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "User Access Administrator",
        id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        description: "Lets you manage user access to Azure resources.",
        kind: RoleKind::Arm,
        actions: &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Administrator",
        id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        description: "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        kind: RoleKind::Arm,
        actions: KEY_VAULT_CONTROL_READ,
        not_actions: &[],
        data_actions: &["Microsoft.KeyVault/vaults/*"],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Contributor",
        id: "f25e0fa2-a7c8-4377-a976-54943a77a395",
        description: "Manage key vaults, but does not allow you to assign roles in Azure RBAC, and does not allow you to access secrets, keys, or certificates.",
        kind: RoleKind::Arm,
        actions: &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.KeyVault/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
        not_actions: &["Microsoft.KeyVault/locations/deletedVaults/purge/action", "Microsoft.KeyVault/hsmPools/*", "Microsoft.KeyVault/managedHsms/*"],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Crypto Officer",
        id: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
        description: "Perform any action on the keys of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        kind: RoleKind::Arm,
        actions: KEY_VAULT_CONTROL_READ,
        not_actions: &[],
        data_actions: &["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Crypto User",
        id: "12338af0-0e69-4776-bea7-57ae8d297424",
        description: "Perform cryptographic operations using keys. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        kind: RoleKind::Arm,
        actions: &[],
        not_actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/vaults/keys/read",
            "Microsoft.KeyVault/vaults/keys/update/action",
            "Microsoft.KeyVault/vaults/keys/backup/action",
            "Microsoft.KeyVault/vaults/keys/encrypt/action",
            "Microsoft.KeyVault/vaults/keys/decrypt/action",
            "Microsoft.KeyVault/vaults/keys/wrap/action",
            "Microsoft.KeyVault/vaults/keys/unwrap/action",
            "Microsoft.KeyVault/vaults/keys/sign/action",
            "Microsoft.KeyVault/vaults/keys/verify/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Crypto Service Encryption User",
        id: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
        description: "Read metadata of keys and perform wrap/unwrap operations. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        kind: RoleKind::Arm,
        actions: &[
            "Microsoft.EventGrid/eventSubscriptions/write",
            "Microsoft.EventGrid/eventSubscriptions/read",
            "Microsoft.EventGrid/eventSubscriptions/delete",
        ],
        not_actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/vaults/keys/read",
            "Microsoft.KeyVault/vaults/keys/wrap/action",
            "Microsoft.KeyVault/vaults/keys/unwrap/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Reader",
        id: "21090545-7ca7-4776-b22c-e363652d74d2",
        description: "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        kind: RoleKind::Arm,
        actions: KEY_VAULT_CONTROL_READ,
        not_actions: &[],
        data_actions: &["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Secrets Officer",
        id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        description: "Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        kind: RoleKind::Arm,
        actions: KEY_VAULT_CONTROL_READ,
        not_actions: &[],
        data_actions: &["Microsoft.KeyVault/vaults/secrets/*"],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Key Vault Secrets User",
        id: "4633458b-17de-408a-b874-0445c86b69e6",
        description: "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        kind: RoleKind::Arm,
        actions: &[],
        not_actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Managed HSM Administrator",
        id: "a290e904-7015-4bba-90c8-60543313cdb4",
        description: "Manage role assignments and security domain of a Managed HSM; no access to keys.",
        kind: RoleKind::ManagedHsmLocal,
        actions: &[],
        not_actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/managedHsm/roleAssignments/*",
            "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
            "Microsoft.KeyVault/managedHsm/securitydomain/*",
            "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
            "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Managed HSM Crypto Officer",
        id: "515eb02d-2335-4d2d-92f2-b1cbdf9c3778",
        description: "Manage keys and their rotation policies in a Managed HSM, purge or recover deleted keys; cannot perform cryptographic operations.",
        kind: RoleKind::ManagedHsmLocal,
        actions: &[],
        not_actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/managedHsm/keys/read/action",
            "Microsoft.KeyVault/managedHsm/keys/write/action",
            "Microsoft.KeyVault/managedHsm/keys/delete",
            "Microsoft.KeyVault/managedHsm/keys/deletedKeys/*",
            "Microsoft.KeyVault/managedHsm/keys/rotate/action",
            "Microsoft.KeyVault/managedHsm/keyrotationpolicies/*",
            "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
            "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Managed HSM Crypto User",
        id: "21dbd100-6940-42c2-9190-5d6cb909625b",
        description: "Create and use keys in a Managed HSM, including cryptographic operations; cannot purge, recover or export keys.",
        kind: RoleKind::ManagedHsmLocal,
        actions: &[],
        not_actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/managedHsm/keys/read/action",
            "Microsoft.KeyVault/managedHsm/keys/write/action",
            "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
            "Microsoft.KeyVault/managedHsm/keys/backup/action",
            "Microsoft.KeyVault/managedHsm/keys/restore/action",
            "Microsoft.KeyVault/managedHsm/keys/delete",
            "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
            "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
            "Microsoft.KeyVault/managedHsm/keys/wrap/action",
            "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
            "Microsoft.KeyVault/managedHsm/keys/sign/action",
            "Microsoft.KeyVault/managedHsm/keys/verify/action",
            "Microsoft.KeyVault/managedHsm/keys/rotate/action",
            "Microsoft.KeyVault/managedHsm/rng/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        name: "Managed HSM Crypto Service Encryption User",
        id: "33413926-3206-4cdd-b39a-83574fe37a17",
        description: "Read metadata of keys and perform wrap/unwrap operations in a Managed HSM.",
        kind: RoleKind::ManagedHsmLocal,
        actions: &[],
        not_actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/managedHsm/keys/read/action",
            "Microsoft.KeyVault/managedHsm/keys/wrap/action",
            "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
        ],
        not_data_actions: &[],
    },
];

pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

pub fn role_by_name(name: &str) -> Option<&'static RoleDefinition> {
    BUILT_IN_ROLES.iter().find(|r| r.name.eq_ignore_ascii_case(name.trim()))
}

pub fn role_by_id(id: &str) -> Option<&'static RoleDefinition> {
    let id = id.trim().rsplit('/').next().unwrap_or(id);
    BUILT_IN_ROLES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// A role by name or id, or `NotFound`.
pub fn resolve_role(name: Option<&str>, id: Option<&str>) -> Result<&'static RoleDefinition> {
    match (name, id) {
        (Some(n), _) => role_by_name(n).ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("The role definition '{n}' is not found. Run Get-AzRoleDefinition to list them."),
            )
            .with_target(n)
        }),
        (None, Some(i)) => role_by_id(i).ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("The role definition with id '{i}' is not found.")).with_target(i)
        }),
        (None, None) => Err(Error::invalid("Give -RoleDefinitionName or -RoleDefinitionId.")),
    }
}

/// Azure's action matching: case-insensitive, `*` matches any run of characters.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let a: Vec<char> = action.to_ascii_lowercase().chars().collect();
    // Iterative glob match with backtracking to the last star.
    let (mut pi, mut ai, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ai < a.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ai;
            pi += 1;
        } else if pi < p.len() && p[pi] == a[ai] {
            pi += 1;
            ai += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ai = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn matches_any(patterns: &[&str], action: &str) -> bool {
    patterns.iter().any(|p| action_matches(p, action))
}

/// Whether an assignment at `scope` applies to `target` (same or below).
pub fn scope_covers(scope: &str, target: &str) -> bool {
    // Compared in place, case-insensitively: `target` is `scope` or below it.
    let (s, t) = (scope.trim_end_matches('/').as_bytes(), target.trim_end_matches('/').as_bytes());
    t.len() >= s.len() && t[..s.len()].eq_ignore_ascii_case(s) && (t.len() == s.len() || t[s.len()] == b'/')
}

/// Whether the principal's role assignments grant `action` (a control-plane
/// action such as `Microsoft.KeyVault/vaults/write`) at `target`.
pub fn has_permission(db: &Db, principal_id: &str, target: &str, action: &str) -> Result<bool> {
    db.any_role_assignment(principal_id, |scope, role| {
        scope_covers(scope, target) && role_by_id(role).is_some_and(|r| r.permits(action))
    })
}

/// Whether the principal's role assignments grant the data action (such as
/// `Microsoft.KeyVault/vaults/keys/wrap/action`) at `target`.
pub fn has_data_permission(db: &Db, principal_id: &str, target: &str, data_action: &str) -> Result<bool> {
    db.any_role_assignment(principal_id, |scope, role| {
        scope_covers(scope, target) && role_by_id(role).is_some_and(|r| r.permits_data(data_action))
    })
}

/// Refuses with `Forbidden` (Azure's AuthorizationFailed wording) unless the
/// caller may perform `action` at `scope`.
pub fn authorize(db: &Db, caller: &Caller, scope: &str, action: &str) -> Result<()> {
    if has_permission(db, caller.object_id(), scope, action)? {
        return Ok(());
    }
    Err(authorization_failed(caller, scope, action))
}

pub fn authorization_failed(caller: &Caller, scope: &str, action: &str) -> Error {
    Error::forbidden(format!(
        "The client '{}' with object id '{}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid.",
        caller.audit_name(),
        caller.object_id()
    ))
    .with_target(scope)
}

/// Role assignments are managed by Owner or User Access Administrator at or
/// above the scope, or by a Global Administrator.
fn authorize_assignment_change(db: &Db, caller: &Caller, scope: &str, action: &str) -> Result<()> {
    if caller.is_global_admin() {
        return Ok(());
    }
    authorize(db, caller, scope, action)
}

/// Refuses unless the caller may create role assignments at `scope` (Owner
/// or User Access Administrator at or above it, or a Global Administrator):
/// also required for changes that decide who controls access, such as a
/// vault's permission model.
pub fn authorize_role_assignment_write(db: &Db, caller: &Caller, scope: &str) -> Result<()> {
    authorize_assignment_change(db, caller, scope, "Microsoft.Authorization/roleAssignments/write")
}

/// A role assignment with its principal resolved, ready for output.
#[derive(Debug, Clone)]
pub struct RoleAssignment {
    pub row: RoleAssignmentRow,
    pub role: &'static RoleDefinition,
    /// `None` when the principal was deleted (Azure shows it as Unknown).
    pub principal: Option<PrincipalRow>,
}

impl RoleAssignment {
    fn load(db: &Db, row: RoleAssignmentRow) -> Result<Option<RoleAssignment>> {
        let Some(role) = role_by_id(&row.role_definition_id) else {
            return Ok(None);
        };
        let principal = db.principal(&row.principal_id)?;
        Ok(Some(RoleAssignment { row, role, principal }))
    }

    /// `{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`.
    pub fn assignment_id(&self) -> String {
        format!("{}/providers/Microsoft.Authorization/roleAssignments/{}", self.row.scope, self.row.assignment_id)
    }
}

/// Assigns `role` to `principal` at `scope`.
#[allow(clippy::too_many_arguments)]
pub fn create_assignment(
    db: &Db,
    caller: &Caller,
    principal: &PrincipalRow,
    role: &'static RoleDefinition,
    scope: &str,
    description: Option<&str>,
    condition: Option<&str>,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RoleAssignment> {
    let id = ArmId::parse(scope)?;
    // A chosen name (ARM's PUT .../roleAssignments/{name}) is a GUID no other assignment has.
    if let Some(name) = name {
        if !crate::crypto::is_guid(name) {
            return Err(Error::invalid(format!("The role assignment name '{name}' is not valid: it must be a GUID."))
                .with_target(name));
        }
        if db.role_assignments(None, None)?.iter().any(|r| r.assignment_id.eq_ignore_ascii_case(name)) {
            return Err(Error::conflict(format!(
                "A role assignment named '{name}' already exists; a role assignment cannot be updated."
            ))
            .with_target(name));
        }
    }
    if role.kind != RoleKind::Arm {
        return Err(Error::invalid(format!(
            "'{}' is a Managed HSM local role: assign it inside the HSM with New-AzKeyVaultRoleAssignment -HsmName.",
            role.name
        )));
    }
    authorize_assignment_change(db, caller, scope, "Microsoft.Authorization/roleAssignments/write")?;
    require_scope_exists(db, &id)?;
    if db.role_assignment_at(scope, role.id, &principal.object_id)?.is_some() {
        return Err(Error::conflict(format!(
            "The role assignment already exists: '{}' for {} at scope '{scope}'.",
            role.name,
            principal_label(principal)
        ))
        .with_target(scope));
    }
    let row = RoleAssignmentRow {
        assignment_id: name.map(str::to_ascii_lowercase).unwrap_or_else(new_guid),
        scope: id.to_string(),
        role_definition_id: role.id.to_string(),
        principal_id: principal.object_id.clone(),
        description: description.map(str::to_string),
        condition: condition.map(str::to_string),
        created_time: now,
        created_by: caller.object_id().to_string(),
    };
    db.insert_role_assignment(&row)?;
    Ok(RoleAssignment { row, role, principal: Some(principal.clone()) })
}

/// Removes the assignment of `role` to the principal at exactly `scope`.
pub fn remove_assignment(
    db: &Db,
    caller: &Caller,
    principal_id: &str,
    role: &'static RoleDefinition,
    scope: &str,
) -> Result<RoleAssignment> {
    let id = ArmId::parse(scope)?;
    if role.kind != RoleKind::Arm {
        return Err(Error::invalid(format!(
            "'{}' is a Managed HSM local role: its assignments belong to the HSM; remove them with Remove-AzKeyVaultRoleAssignment -HsmName.",
            role.name
        )));
    }
    authorize_assignment_change(db, caller, scope, "Microsoft.Authorization/roleAssignments/delete")?;
    let row = db.role_assignment_at(&id.to_string(), role.id, principal_id)?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("No role assignment of '{}' to '{principal_id}' exists at scope '{scope}'.", role.name),
        )
        .with_target(scope)
    })?;
    db.delete_role_assignment(&row.assignment_id)?;
    RoleAssignment::load(db, row)?.ok_or_else(|| Error::internal("assignment of an unknown role"))
}

/// Filters for listing assignments.
#[derive(Debug, Default)]
pub struct AssignmentQuery<'a> {
    pub principal_id: Option<&'a str>,
    pub role: Option<&'static RoleDefinition>,
    /// Assignments at, above or below this scope.
    pub scope: Option<&'a str>,
}

/// Azure role assignments the caller may see: all for a Global
/// Administrator, else those at scopes where the caller can read role
/// assignments, plus its own. Managed HSM local assignments are not Azure
/// RBAC and are never listed here (Get-AzKeyVaultRoleAssignment lists them).
pub fn list_assignments(db: &Db, caller: &Caller, q: &AssignmentQuery) -> Result<Vec<RoleAssignment>> {
    if let Some(scope) = q.scope {
        ArmId::parse(scope)?;
    }
    let mut out = Vec::new();
    for row in db.role_assignments(q.principal_id, q.role.map(|r| r.id))? {
        if !is_arm_assignment(&row) {
            continue;
        }
        if let Some(scope) = q.scope {
            if !scope_covers(&row.scope, scope) && !scope_covers(scope, &row.scope) {
                continue;
            }
        }
        let visible = caller.is_global_admin()
            || row.principal_id.eq_ignore_ascii_case(caller.object_id())
            || has_permission(db, caller.object_id(), &row.scope, "Microsoft.Authorization/roleAssignments/read")?;
        if visible {
            out.extend(RoleAssignment::load(db, row)?);
        }
    }
    Ok(out)
}

/// Assigns a managed HSM local role at a scope inside one HSM
/// (`{hsm id}`, `{hsm id}/keys`, `{hsm id}/keys/{name}`); the HSM has
/// already authorised the caller with its own local roles.
pub fn create_local_assignment(
    db: &Db,
    principal: &PrincipalRow,
    role: &'static RoleDefinition,
    scope: &str,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<RoleAssignment> {
    if role.kind != RoleKind::ManagedHsmLocal {
        return Err(Error::invalid(format!(
            "'{}' is an Azure role, not a Managed HSM local role: assign it with New-AzRoleAssignment.",
            role.name
        )));
    }
    if db.role_assignment_at(scope, role.id, &principal.object_id)?.is_some() {
        return Err(Error::conflict(format!(
            "The role assignment already exists: '{}' for {} at this scope.",
            role.name,
            principal_label(principal)
        )));
    }
    let row = RoleAssignmentRow {
        assignment_id: new_guid(),
        scope: scope.to_string(),
        role_definition_id: role.id.to_string(),
        principal_id: principal.object_id.clone(),
        description: None,
        condition: None,
        created_time: now,
        created_by: created_by.to_string(),
    };
    db.insert_role_assignment(&row)?;
    Ok(RoleAssignment { row, role, principal: Some(principal.clone()) })
}

/// Removes a managed HSM local role assignment at exactly `scope`; Azure
/// role assignments are not touched (Remove-AzRoleAssignment removes them).
pub fn remove_local_assignment(
    db: &Db,
    principal_id: &str,
    role: &'static RoleDefinition,
    scope: &str,
) -> Result<RoleAssignment> {
    if role.kind != RoleKind::ManagedHsmLocal {
        return Err(Error::invalid(format!(
            "'{}' is an Azure role, not a Managed HSM local role: remove it with Remove-AzRoleAssignment.",
            role.name
        )));
    }
    let row = db.role_assignment_at(scope, role.id, principal_id)?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("No assignment of '{}' to '{principal_id}' exists at this scope.", role.name),
        )
    })?;
    db.delete_role_assignment(&row.assignment_id)?;
    RoleAssignment::load(db, row)?.ok_or_else(|| Error::internal("assignment of an unknown role"))
}

/// Managed HSM local assignments at `scope` or below it (an HSM's own
/// role assignments; Azure roles assigned on the HSM resource are not among them).
pub fn local_assignments_within(db: &Db, scope: &str) -> Result<Vec<RoleAssignment>> {
    let mut out = Vec::new();
    for row in db.role_assignments(None, None)? {
        if scope_covers(scope, &row.scope) && !is_arm_assignment(&row) {
            out.extend(RoleAssignment::load(db, row)?);
        }
    }
    Ok(out)
}

/// Whether an assignment is Azure RBAC (not a managed HSM local role).
fn is_arm_assignment(row: &RoleAssignmentRow) -> bool {
    role_by_id(&row.role_definition_id).is_some_and(|r| r.kind == RoleKind::Arm)
}

/// Deletes every role assignment (Azure or HSM-local) at `scope` or below
/// it: when a vault, managed HSM or key is purged, grants on it must not
/// come back with a new object of the same name.
pub fn delete_assignments_within(db: &Db, scope: &str) -> Result<usize> {
    db.delete_role_assignments_within(scope)
}

fn principal_label(p: &PrincipalRow) -> String {
    p.user_principal_name.clone().unwrap_or_else(|| format!("{} ({})", p.display_name, p.object_id))
}

/// The subscription's first Owner, created with the tenant.
pub(super) fn seed_subscription_owner(db: &Db, object_id: &str, now: DateTime<Utc>) -> Result<()> {
    db.insert_role_assignment(&RoleAssignmentRow {
        assignment_id: new_guid(),
        scope: subscription_scope(super::SUBSCRIPTION_ID),
        role_definition_id: OWNER.to_string(),
        principal_id: object_id.to_string(),
        description: Some("Subscription owner, created with the tenant".into()),
        condition: None,
        created_time: now,
        created_by: "system".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_azure() {
        assert!(action_matches("*", "Microsoft.KeyVault/vaults/write"));
        assert!(action_matches("*/read", "Microsoft.KeyVault/vaults/read"));
        assert!(!action_matches("*/read", "Microsoft.KeyVault/vaults/write"));
        assert!(action_matches("Microsoft.Authorization/*", "Microsoft.Authorization/roleAssignments/write"));
        assert!(action_matches("Microsoft.Authorization/*/Write", "microsoft.authorization/roleassignments/write"));
        assert!(action_matches("Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keys/wrap/action"));
        assert!(!action_matches(
            "Microsoft.KeyVault/vaults/keys/*",
            "Microsoft.KeyVault/vaults/secrets/getSecret/action"
        ));
        assert!(action_matches("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/keys/read"));
    }

    #[test]
    fn role_semantics() {
        let contributor = role_by_name("contributor").unwrap();
        assert!(contributor.permits("Microsoft.KeyVault/vaults/write"));
        assert!(!contributor.permits("Microsoft.Authorization/roleAssignments/write"));
        let reader = role_by_name("Reader").unwrap();
        assert!(reader.permits("Microsoft.PowerPlatform/enterprisePolicies/read"));
        assert!(!reader.permits_data("Microsoft.KeyVault/vaults/keys/wrap/action"));
        let encryption_user = role_by_name("Key Vault Crypto Service Encryption User").unwrap();
        for op in ["read", "wrap/action", "unwrap/action"] {
            assert!(encryption_user.permits_data(&format!("Microsoft.KeyVault/vaults/keys/{op}")));
        }
        assert!(!encryption_user.permits_data("Microsoft.KeyVault/vaults/keys/delete"));
        let uaa = role_by_name("User Access Administrator").unwrap();
        assert!(uaa.permits("Microsoft.Authorization/roleAssignments/write"));
        assert!(!uaa.permits("Microsoft.KeyVault/vaults/write"));
    }

    #[test]
    fn local_and_azure_assignments_are_removed_only_by_their_own_functions() {
        let random: [u8; 8] = crate::crypto::random_array();
        let home = std::env::temp_dir().join(format!("ppcmk-rbac-{}", crate::crypto::hex(&random)));
        let store = crate::store::Store::open(&home).unwrap();
        let db = store.db().unwrap();
        let admin = db.principal(super::super::ADMIN_OBJECT_ID).unwrap().unwrap();
        let caller = super::super::Caller { principal: admin.clone(), directory_roles: vec![] };
        let subscription = subscription_scope(super::super::SUBSCRIPTION_ID);
        let hsm = format!("{subscription}/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/h");
        let local = role_by_name("Managed HSM Crypto User").unwrap();
        let owner = role_by_id(OWNER).unwrap();
        create_local_assignment(&db, &admin, local, &hsm, "system", Utc::now()).unwrap();
        // The subscription's Owner assignment is Azure RBAC: not removable as a local one.
        let e = remove_local_assignment(&db, &admin.object_id, owner, &subscription).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(db.role_assignment_at(&subscription, OWNER, &admin.object_id).unwrap().is_some());
        // The local one is not removable as an Azure assignment, only as a local one.
        let e = remove_assignment(&db, &caller, &admin.object_id, local, &hsm).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert_eq!(local_assignments_within(&db, &hsm).unwrap().len(), 1);
        remove_local_assignment(&db, &admin.object_id, local, &hsm).unwrap();
        assert!(local_assignments_within(&db, &hsm).unwrap().is_empty());
        drop(db);
        drop(store);
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn scopes_inherit_downwards_only() {
        let sub = "/subscriptions/s";
        let rg = "/subscriptions/s/resourceGroups/rg1";
        assert!(scope_covers(sub, rg));
        assert!(scope_covers(rg, &format!("{rg}/providers/Microsoft.KeyVault/vaults/v")));
        assert!(!scope_covers(rg, sub));
        assert!(!scope_covers(rg, "/subscriptions/s/resourceGroups/rg10"));
        assert!(scope_covers("/SUBSCRIPTIONS/S", rg));
        assert!(scope_covers(rg, &format!("{}/", rg.to_uppercase())), "itself, whatever the case and trailing slash");
        assert!(scope_covers("/", rg), "the root covers everything");
        assert!(!scope_covers(rg, "/subscriptions/s/resourceGroups/rg"), "a shorter name is not below");
    }
}
