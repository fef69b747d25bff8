//! Data-plane access to keys: the network rules first, then the permission
//! model — Azure RBAC data actions (the default), vault access policies
//! (`-DisableRbacAuthorization`), or a managed HSM's local RBAC.

use super::{Vault, VaultKind};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::rbac;
use crate::store::Db;

/// Every key permission an access policy can grant.
pub const ALL_KEY_PERMISSIONS: &[&str] = &[
    "all",
    "encrypt",
    "decrypt",
    "wrapKey",
    "unwrapKey",
    "sign",
    "verify",
    "get",
    "list",
    "create",
    "update",
    "import",
    "delete",
    "backup",
    "restore",
    "recover",
    "purge",
    "release",
    "rotate",
    "getrotationpolicy",
    "setrotationpolicy",
];

/// Every secret permission an access policy can grant.
pub const ALL_SECRET_PERMISSIONS: &[&str] =
    &["all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge"];

/// A key operation, with the permission each permission model requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOp {
    Get,
    List,
    Create,
    Import,
    Update,
    Delete,
    Recover,
    Purge,
    Rotate,
    GetRotationPolicy,
    SetRotationPolicy,
    WrapKey,
    UnwrapKey,
    Encrypt,
    Decrypt,
    Sign,
    Verify,
}

impl KeyOp {
    /// The access-policy permission (`Set-AzKeyVaultAccessPolicy -PermissionsToKeys`).
    pub fn permission(self) -> &'static str {
        match self {
            KeyOp::Get => "get",
            KeyOp::List => "list",
            KeyOp::Create => "create",
            KeyOp::Import => "import",
            KeyOp::Update => "update",
            KeyOp::Delete => "delete",
            KeyOp::Recover => "recover",
            KeyOp::Purge => "purge",
            KeyOp::Rotate => "rotate",
            KeyOp::GetRotationPolicy => "getrotationpolicy",
            KeyOp::SetRotationPolicy => "setrotationpolicy",
            KeyOp::WrapKey => "wrapKey",
            KeyOp::UnwrapKey => "unwrapKey",
            KeyOp::Encrypt => "encrypt",
            KeyOp::Decrypt => "decrypt",
            KeyOp::Sign => "sign",
            KeyOp::Verify => "verify",
        }
    }

    /// The Azure RBAC data action on a vault key. Recover and purge of
    /// deleted keys fall under `keys/*`, as Key Vault Crypto Officer allows.
    pub fn vault_data_action(self) -> &'static str {
        match self {
            KeyOp::Get | KeyOp::List => "Microsoft.KeyVault/vaults/keys/read",
            KeyOp::Create => "Microsoft.KeyVault/vaults/keys/create/action",
            KeyOp::Import => "Microsoft.KeyVault/vaults/keys/import/action",
            KeyOp::Update => "Microsoft.KeyVault/vaults/keys/update/action",
            KeyOp::Delete => "Microsoft.KeyVault/vaults/keys/delete",
            KeyOp::Recover => "Microsoft.KeyVault/vaults/keys/recover/action",
            KeyOp::Purge => "Microsoft.KeyVault/vaults/keys/purge/action",
            KeyOp::Rotate => "Microsoft.KeyVault/vaults/keys/rotate/action",
            KeyOp::GetRotationPolicy => "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
            KeyOp::SetRotationPolicy => "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
            KeyOp::WrapKey => "Microsoft.KeyVault/vaults/keys/wrap/action",
            KeyOp::UnwrapKey => "Microsoft.KeyVault/vaults/keys/unwrap/action",
            KeyOp::Encrypt => "Microsoft.KeyVault/vaults/keys/encrypt/action",
            KeyOp::Decrypt => "Microsoft.KeyVault/vaults/keys/decrypt/action",
            KeyOp::Sign => "Microsoft.KeyVault/vaults/keys/sign/action",
            KeyOp::Verify => "Microsoft.KeyVault/vaults/keys/verify/action",
        }
    }

    /// The managed HSM local RBAC data action.
    pub fn hsm_data_action(self) -> &'static str {
        match self {
            KeyOp::Get | KeyOp::List => "Microsoft.KeyVault/managedHsm/keys/read/action",
            KeyOp::Create | KeyOp::Import | KeyOp::Update => "Microsoft.KeyVault/managedHsm/keys/write/action",
            KeyOp::Delete => "Microsoft.KeyVault/managedHsm/keys/delete",
            KeyOp::Recover => "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action",
            KeyOp::Purge => "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
            KeyOp::Rotate => "Microsoft.KeyVault/managedHsm/keys/rotate/action",
            KeyOp::GetRotationPolicy => "Microsoft.KeyVault/managedHsm/keyrotationpolicies/read",
            KeyOp::SetRotationPolicy => "Microsoft.KeyVault/managedHsm/keyrotationpolicies/write",
            KeyOp::WrapKey => "Microsoft.KeyVault/managedHsm/keys/wrap/action",
            KeyOp::UnwrapKey => "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
            KeyOp::Encrypt => "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
            KeyOp::Decrypt => "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
            KeyOp::Sign => "Microsoft.KeyVault/managedHsm/keys/sign/action",
            KeyOp::Verify => "Microsoft.KeyVault/managedHsm/keys/verify/action",
        }
    }
}

/// Where a data-plane request comes from, for the network rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A signed-in user over the public internet.
    PublicNetwork,
    /// A signed-in user on the vault's private network (`PPCMK_NETWORK=private`).
    PrivateNetwork,
    /// A trusted Microsoft service (Power Platform, as an enterprise policy's identity).
    TrustedService,
}

/// Who asks the vault, and from where.
#[derive(Debug, Clone)]
pub struct Requester {
    pub object_id: String,
    /// The name the audit log shows.
    pub name: String,
    pub origin: Origin,
}

impl Requester {
    pub fn is_service(&self) -> bool {
        self.origin == Origin::TrustedService
    }

    /// The code a refusal carries: `Forbidden` for a user,
    /// `KeyVaultAccessDenied` when the service was refused.
    pub fn denial(&self) -> ErrorCode {
        if self.is_service() {
            ErrorCode::KeyVaultAccessDenied
        } else {
            ErrorCode::Forbidden
        }
    }
}

/// The vault's network rules, as they apply to `origin`. Trusted Microsoft
/// services get through closed networks only with the AzureServices bypass;
/// users only from the private network through a private endpoint.
pub fn check_network(vault: &Vault, who: &Requester) -> Result<()> {
    let r = &vault.row;
    let open = r.public_network_access.eq_ignore_ascii_case("Enabled")
        && r.network_default_action.eq_ignore_ascii_case("Allow");
    let allowed = open
        || match who.origin {
            Origin::TrustedService => r.network_bypass.eq_ignore_ascii_case("AzureServices"),
            Origin::PrivateNetwork => !r.private_endpoints.is_empty(),
            Origin::PublicNetwork => false,
        };
    if allowed {
        return Ok(());
    }
    let why = match who.origin {
        Origin::TrustedService => "the network rules do not let trusted Microsoft services bypass the firewall (-Bypass AzureServices)",
        Origin::PrivateNetwork => "public access is closed and the vault has no private endpoint",
        Origin::PublicNetwork => {
            "public access is closed; connect from the private network through a private endpoint (PPCMK_NETWORK=private)"
        }
    };
    Err(Error::new(
        ErrorCode::ForbiddenByFirewall,
        format!(
            "Client address is not authorized and caller is not a trusted service: {} '{}' refused {} because {why}.",
            vault.kind().label(),
            r.name,
            who.name
        ),
    )
    .with_target(r.name.clone()))
}

/// Checks the network rules and the permission model for `op` on a key
/// (`key_name` None: the vault's key collection, as for list).
pub fn authorize(db: &Db, vault: &Vault, key_name: Option<&str>, who: &Requester, op: KeyOp) -> Result<()> {
    vault.require_activated()?;
    check_network(vault, who)?;
    let scope = match key_name {
        Some(name) => vault.key_scope(name),
        None => vault.row.resource_id.clone(),
    };
    let allowed = if vault.kind() == VaultKind::ManagedHsm {
        rbac::has_data_permission(db, &who.object_id, &scope, op.hsm_data_action())?
    } else if vault.row.rbac_authorization {
        rbac::has_data_permission(db, &who.object_id, &scope, op.vault_data_action())?
    } else {
        db.access_policies(&vault.row.vault_id)?.iter().any(|p| {
            p.object_id.eq_ignore_ascii_case(&who.object_id)
                && p.permissions_to_keys
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(op.permission()) || k.eq_ignore_ascii_case("all"))
        })
    };
    if allowed {
        return Ok(());
    }
    // The narrowest built-in role that grants the operation.
    let service_op = matches!(op, KeyOp::Get | KeyOp::WrapKey | KeyOp::UnwrapKey);
    let message = if vault.kind() == VaultKind::ManagedHsm {
        let role = if service_op { "Managed HSM Crypto Service Encryption User" } else { "Managed HSM Crypto User" };
        format!(
            "Caller is not authorized to perform action '{}' on managed HSM '{}': {} ({}) has no local role assignment that grants it. Assign '{role}' with New-AzKeyVaultRoleAssignment.",
            op.hsm_data_action(),
            vault.row.name,
            who.name,
            who.object_id
        )
    } else if vault.row.rbac_authorization {
        let role = if service_op { "Key Vault Crypto Service Encryption User" } else { "Key Vault Crypto Officer" };
        format!(
            "Caller is not authorized to perform action '{}' on resource '{scope}': {} ({}) has no role assignment that grants it. Assign the role '{role}' at the key or the vault.",
            op.vault_data_action(),
            who.name,
            who.object_id
        )
    } else {
        format!(
            "The user, group or application '{}' ({}) does not have keys {} permission on key vault '{}'. Grant it with Set-AzKeyVaultAccessPolicy -PermissionsToKeys {}.",
            who.name,
            who.object_id,
            op.permission(),
            vault.row.name,
            op.permission()
        )
    };
    Err(Error::new(who.denial(), message).with_target(scope))
}
