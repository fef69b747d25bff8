//! Key commands (Az.KeyVault names, parameters and output): create and
//! import, versions, update, soft delete, recovery and purge, rotation and
//! rotation policies, and key operations.

use super::{object, opt_time, time};
use crate::crypto::rsa::{OaepAlgorithm, SignatureAlgorithm};
use crate::crypto::{base64, base64url};
use crate::error::{Error, ErrorCode, Result};
use crate::keyvault::access::{KeyOp, Requester};
use crate::keyvault::keys::{
    self, KeySource, KeyUpdate, KeyView, LifetimeAction, NewKey, RotationPolicy, SignatureOutcome, KEY_OPERATIONS,
    KEY_TYPES,
};
use crate::keyvault::{Vault, VaultKind};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

const KEY_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.KeyVaultKey",
    properties: &[
        "VaultName",
        "HsmName",
        "Name",
        "Version",
        "Id",
        "Enabled",
        "Expires",
        "NotBefore",
        "Created",
        "Updated",
        "RecoveryLevel",
        "KeyType",
        "KeySize",
        "KeyOps",
        "Tags",
        "DeletedDate",
        "ScheduledPurgeDate",
        "Key",
    ],
    table: &["VaultName", "Name", "Version", "Enabled", "KeyType", "KeySize", "Expires"],
};

const ROTATION_POLICY_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.KeyRotationPolicy",
    properties: &["Id", "VaultName", "HsmName", "KeyName", "LifetimeActions", "ExpiresIn", "CreatedOn", "UpdatedOn"],
    table: &["VaultName", "KeyName", "LifetimeActions", "ExpiresIn"],
};

const KEY_OPERATION_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.KeyOperationResult",
    properties: &["KeyId", "Operation", "Algorithm", "Result"],
    table: &["KeyId", "Operation", "Algorithm", "Result"],
};

const VAULT: Param = Param::string("VaultName").at(0).pipeline().help("The key vault.");
const HSM: Param = Param::string("HsmName").pipeline().help("The managed HSM (instead of -VaultName).");
const KEY_NAME: Param = Param::string("Name").mandatory().alias(&["KeyName"]).at(1).pipeline().help("The key's name.");
const WHERE: Group = Group::exactly_one(&["VaultName", "HsmName"]);

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Add-AzKeyVaultKey",
        synopsis: "Creates an RSA or RSA-HSM key, imports an RSA private key file, or adds a version to an existing key.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT,
            HSM,
            KEY_NAME,
            Param::string("Destination").one_of(&["Software", "HSM"]).help("HSM makes an RSA-HSM key (Premium vault or managed HSM)."),
            Param::string("KeyType").one_of(KEY_TYPES).default("RSA").help("RSA or RSA-HSM; EC and oct keys are refused (Power Platform needs RSA)."),
            Param::int("Size").default("2048").help("2048, 3072 or 4096 bits."),
            Param::strings("KeyOps").one_of(KEY_OPERATIONS).help("Operations the key allows. Default: encrypt, decrypt, sign, verify, wrapKey, unwrapKey."),
            Param::datetime("Expires").help("When the version expires (UTC)."),
            Param::datetime("NotBefore").help("When the version becomes usable (UTC)."),
            Param::switch("Disable").help("Create the version disabled."),
            Param::hashtable("Tag").help("Tags, e.g. @{purpose='cmk'}."),
            Param::string("KeyFilePath").path().help("Import this RSA private key file: PEM (PKCS#1, PKCS#8, encrypted PKCS#8), DER, or a JSON Web Key (kty RSA or RSA-HSM, as Key Vault imports it)."),
            Param::secure("KeyFilePassword").help("The password of an encrypted PKCS#8 key file."),
        ],
        groups: &[WHERE, Group::at_most_one(&["KeyFilePath", "KeyType"]), Group::at_most_one(&["KeyFilePath", "Size"])],
        output: KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::InvalidArgument, ErrorCode::FileError],
        example: "Add-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -Destination Software -KeyType RSA -Size 2048",
        handler: add_key,
    },
    Command {
        name: "Get-AzKeyVaultKey",
        synopsis: "Gets keys (public parts only): the current versions, one version, all versions, or deleted keys.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            VAULT,
            HSM,
            Param::string("Name").alias(&["KeyName"]).at(1).pipeline().help("Only this key."),
            Param::string("Version").alias(&["KeyVersion"]).at(2).help("This version of the key."),
            Param::switch("IncludeVersions").help("Every version of the key, newest first."),
            Param::switch("InRemovedState").help("Soft-deleted keys, with their scheduled purge dates."),
        ],
        groups: &[WHERE, Group::at_most_one(&["Version", "IncludeVersions", "InRemovedState"])],
        output: KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound],
        example: "Get-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -IncludeVersions",
        handler: get_key,
    },
    Command {
        name: "Update-AzKeyVaultKey",
        synopsis: "Enables or disables a key version, or changes its expiry, activation date, operations or tags.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT,
            HSM,
            KEY_NAME,
            Param::string("Version").alias(&["KeyVersion"]).at(2).help("The version to change. Default: the current one."),
            Param::boolean("Enable").help("$true to enable, $false to disable."),
            Param::datetime("Expires").help("When the version expires (UTC)."),
            Param::datetime("NotBefore").help("When the version becomes usable (UTC)."),
            Param::strings("KeyOps").one_of(KEY_OPERATIONS).help("Operations the version allows."),
            Param::hashtable("Tag").help("Tags, replacing the current ones."),
            Param::switch("PassThru").help("Output the key."),
        ],
        groups: &[WHERE],
        output: KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Update-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -Enable $false",
        handler: update_key,
    },
    Command {
        name: "Remove-AzKeyVaultKey",
        synopsis: "Soft-deletes a key (all versions), or purges a deleted one with -InRemovedState (refused under purge protection).",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT,
            HSM,
            KEY_NAME,
            Param::switch("InRemovedState").help("Purge the soft-deleted key for good."),
            Param::switch("Force").help("Accepted for compatibility (no prompt is shown)."),
            Param::switch("PassThru").help("Output the deleted key."),
        ],
        groups: &[WHERE],
        output: KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::PurgeProtected],
        example: "Remove-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -Force",
        handler: remove_key,
    },
    Command {
        name: "Undo-AzKeyVaultKeyRemoval",
        synopsis: "Recovers a soft-deleted key with all its versions.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT, HSM, KEY_NAME],
        groups: &[WHERE],
        output: KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound],
        example: "Undo-AzKeyVaultKeyRemoval -VaultName contoso-cmk-kv -Name contoso-cmk",
        handler: undo_key_removal,
    },
    Command {
        name: "Invoke-AzKeyVaultKeyRotation",
        synopsis: "Rotates a key now: a new, enabled version like the current one; earlier versions stay as they are.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT, HSM, KEY_NAME],
        groups: &[WHERE],
        output: KEY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound],
        example: "Invoke-AzKeyVaultKeyRotation -VaultName contoso-cmk-kv -Name contoso-cmk",
        handler: rotate_key,
    },
    Command {
        name: "Set-AzKeyVaultKeyRotationPolicy",
        synopsis: "Sets a key's rotation policy: rotate (or notify) after creation or before expiry; new versions' expiry.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT,
            HSM,
            KEY_NAME,
            Param::string("ExpiresIn").help("ISO 8601 duration after which new versions expire, at least P28D (e.g. P2Y)."),
            Param::hashtable("KeyRotationLifetimeAction").help("@{Action='Rotate';TimeAfterCreate='P18M'} or @{Action='Notify';TimeBeforeExpiry='P30D'}."),
            Param::string("LifetimeActionType").one_of(&["Rotate", "Notify"]).help("The action, as an alternative to -KeyRotationLifetimeAction."),
            Param::string("TimeAfterCreate").help("With -LifetimeActionType: ISO 8601 duration after a version's creation."),
            Param::string("TimeBeforeExpiry").help("With -LifetimeActionType: ISO 8601 duration before a version's expiry."),
            Param::string("PolicyPath").path().help("A JSON file with lifetimeActions and attributes.expiryTime, as Key Vault's REST API takes it."),
        ],
        groups: &[WHERE, Group::at_most_one(&["KeyRotationLifetimeAction", "LifetimeActionType", "PolicyPath"])],
        output: ROTATION_POLICY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::FileError],
        example: "Set-AzKeyVaultKeyRotationPolicy -VaultName contoso-cmk-kv -Name contoso-cmk -ExpiresIn P2Y -KeyRotationLifetimeAction @{Action='Rotate';TimeAfterCreate='P18M'}",
        handler: set_rotation_policy,
    },
    Command {
        name: "Get-AzKeyVaultKeyRotationPolicy",
        synopsis: "Gets a key's rotation policy (Key Vault's default when none is set).",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[VAULT, HSM, KEY_NAME],
        groups: &[WHERE],
        output: ROTATION_POLICY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound],
        example: "Get-AzKeyVaultKeyRotationPolicy -VaultName contoso-cmk-kv -Name contoso-cmk",
        handler: get_rotation_policy,
    },
    Command {
        name: "Invoke-AzKeyVaultKeyOperation",
        synopsis: "Wraps, unwraps, encrypts or decrypts a value with a key (RSA-OAEP or RSA-OAEP-256), or signs a digest and verifies a signature (RS256-RS512, PS256-PS512), as the signed-in principal.",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            VAULT,
            HSM,
            KEY_NAME,
            Param::string("Version").alias(&["KeyVersion"]).help("The key version. Default: the current one."),
            Param::string("Operation").mandatory().one_of(&["Wrap", "Unwrap", "Encrypt", "Decrypt", "Sign", "Verify"]).help("The operation."),
            Param::string("Algorithm")
                .mandatory()
                .one_of(&["RSA-OAEP", "RSA-OAEP-256", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"])
                .help("RSA-OAEP or RSA-OAEP-256 for wrap, unwrap, encrypt and decrypt; RS256-RS512 or PS256-PS512 for sign and verify."),
            Param::bytes("ByteArrayValue").mandatory().help("The input bytes (base64 on the command line); for Sign and Verify, the digest."),
            Param::bytes("Signature").help("For Verify: the signature to check."),
        ],
        groups: &[WHERE],
        output: KEY_OPERATION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::InvalidOperation, ErrorCode::InvalidArgument],
        example: "Invoke-AzKeyVaultKeyOperation -VaultName contoso-cmk-kv -Name contoso-cmk -Operation Wrap -Algorithm RSA-OAEP-256 -ByteArrayValue AAECAwQFBgcICQoLDA0ODw==",
        handler: key_operation,
    },
];

// ------------------------------------------------------------------ outputs

/// `VaultName` for a key vault's objects, `HsmName` for a managed HSM's (the
/// other one null), so that objects pipe back into -VaultName or -HsmName.
fn vault_and_hsm_names(vault: &Vault) -> (Value, Value) {
    let name = Value::String(vault.row.name.clone());
    match vault.kind() {
        VaultKind::Vault => (name, Value::Null),
        VaultKind::ManagedHsm => (Value::Null, name),
    }
}

pub(crate) fn key_object(ctx: &Ctx, k: &KeyView) -> Result<Object> {
    let public = k.public_key(ctx.store())?;
    let (vault_name, hsm_name) = vault_and_hsm_names(&k.vault);
    Ok(object(json!({
        "VaultName": vault_name,
        "HsmName": hsm_name,
        "Name": k.key.name,
        "Version": k.version.version,
        "Id": k.id(),
        "Enabled": k.version.enabled,
        "Expires": opt_time(k.version.expires),
        "NotBefore": opt_time(k.version.not_before),
        "Created": time(k.version.created_time),
        "Updated": time(k.version.updated_time),
        "RecoveryLevel": k.vault.recovery_level(),
        "KeyType": k.version.key_type,
        "KeySize": k.version.key_size,
        "KeyOps": k.version.key_ops,
        "Tags": k.tags(),
        "DeletedDate": opt_time(k.key.deleted_time),
        "ScheduledPurgeDate": opt_time(k.key.scheduled_purge_time),
        "Key": {
            "kid": k.id(),
            "kty": k.version.key_type,
            "key_ops": k.version.key_ops,
            "n": base64url(&public.modulus()),
            "e": base64url(&public.exponent()),
        },
    })))
}

fn policy_object(vault: &Vault, key: &str, p: &RotationPolicy) -> Object {
    let actions: Vec<Value> = p
        .lifetime_actions
        .iter()
        .map(|a| json!({"Action": a.action, "TimeAfterCreate": a.time_after_create, "TimeBeforeExpiry": a.time_before_expiry}))
        .collect();
    let (vault_name, hsm_name) = vault_and_hsm_names(vault);
    object(json!({
        "Id": format!("{}/rotationpolicy", keys::key_id_url(vault, key, None)),
        "VaultName": vault_name,
        "HsmName": hsm_name,
        "KeyName": key,
        "LifetimeActions": actions,
        "ExpiresIn": p.expires_in,
        "CreatedOn": time(p.created_on),
        "UpdatedOn": time(p.updated_on),
    }))
}

// ----------------------------------------------------------------- handlers

/// The vault or HSM named by -VaultName or -HsmName.
fn target_vault(ctx: &Ctx, args: &Args) -> Result<Vault> {
    match args.str("VaultName") {
        Some(v) => ctx.data_plane_vault(v, VaultKind::Vault),
        None => ctx.data_plane_vault(args.required("HsmName")?, VaultKind::ManagedHsm),
    }
}

/// Tag values are strings, as Azure stores them.
fn tags(args: &Args) -> Option<Map<String, Value>> {
    args.object("Tag").map(|m| {
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))))
            .collect()
    })
}

/// Reads a key file the user named: a regular file of at most 1 MiB.
pub(super) fn read_key_file(path: &str) -> Result<Zeroizing<Vec<u8>>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::new(ErrorCode::FileError, format!("Cannot read the key file '{path}': {e}.")).with_target(path)
    })?;
    if !meta.is_file() {
        return Err(Error::new(ErrorCode::FileError, format!("'{path}' is not a file.")).with_target(path));
    }
    if meta.len() > 1 << 20 {
        return Err(Error::invalid(format!(
            "The key file '{path}' is larger than 1 MiB; it is not an RSA private key."
        ))
        .with_target(path));
    }
    std::fs::read(path).map(Zeroizing::new).map_err(|e| {
        Error::new(ErrorCode::FileError, format!("Cannot read the key file '{path}': {e}.")).with_target(path)
    })
}

fn add_key(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    ctx.set_audit_target(keys::key_id_url(&vault, args.required("Name")?, None));
    let destination = args.str("Destination").map(str::to_string);
    let source = match args.str("KeyFilePath") {
        Some(path) => KeySource::Import {
            bytes: read_key_file(path)?,
            password: args.str("KeyFilePassword").map(|p| Zeroizing::new(p.to_string())),
            destination,
        },
        None => KeySource::Generate {
            key_type: args.str("KeyType").map(str::to_string),
            size: args.int("Size"),
            destination,
        },
    };
    let spec = NewKey {
        name: args.required("Name")?.to_string(),
        source,
        key_ops: args.strings("KeyOps"),
        expires: args.datetime("Expires"),
        not_before: args.datetime("NotBefore"),
        enabled: !args.switch("Disable"),
        tags: tags(args),
    };
    let view = keys::add_key(ctx.db(), ctx.store(), &who, &vault, spec, ctx.now)?;
    ctx.set_audit_target(view.id());
    ctx.set_audit_detail(format!(
        "{} {} bits{}",
        view.version.key_type,
        view.version.key_size,
        if args.has("KeyFilePath") { ", imported" } else { "" }
    ));
    Ok(vec![key_object(ctx, &view)?])
}

fn get_key(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    let name = args.str("Name");
    let views = if args.switch("InRemovedState") {
        keys::list_deleted(ctx.db(), &who, &vault, name)?
    } else {
        match name {
            None => keys::list_keys(ctx.db(), &who, &vault)?,
            Some(n) if args.switch("IncludeVersions") => keys::list_versions(ctx.db(), &who, &vault, n)?,
            Some(n) => vec![keys::get_key(ctx.db(), &who, &vault, n, args.str("Version"))?],
        }
    };
    views.iter().map(|v| key_object(ctx, v)).collect()
}

fn update_key(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    let change = KeyUpdate {
        enabled: args.bool("Enable"),
        expires: args.datetime("Expires"),
        not_before: args.datetime("NotBefore"),
        key_ops: args.strings("KeyOps"),
        tags: tags(args),
    };
    if change.enabled == Some(false) {
        // Key Vault would not stop this; ppcmk says who still needs the version.
        let name = args.required("Name")?;
        // Without -Version the current version changes.
        let version = match args.str("Version") {
            Some(v) => Some(v.to_string()),
            None => match ctx.db().key_by_name(&vault.row.vault_id, name)? {
                Some(k) => ctx.db().latest_key_version(&k.key_id)?.map(|v| v.version),
                None => None,
            },
        };
        if let Some(w) =
            crate::twin::key_use::warning(ctx.db(), &vault, name, version.as_deref(), "Disabling", ctx.now)?
        {
            ctx.warn(w);
        }
    }
    let view = keys::update_key(ctx.db(), &who, &vault, args.required("Name")?, args.str("Version"), change, ctx.now)?;
    ctx.set_audit_target(view.id());
    ctx.set_audit_detail(format!(
        "enabled {}, expires {}",
        view.version.enabled,
        view.version.expires.map(crate::time::to_display).unwrap_or_else(|| "never".into())
    ));
    Ok(if args.switch("PassThru") { vec![key_object(ctx, &view)?] } else { vec![] })
}

fn remove_key(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    let name = args.required("Name")?;
    ctx.set_audit_target(keys::key_id_url(&vault, name, None));
    if args.switch("InRemovedState") {
        keys::purge_key(ctx.db(), &who, &vault, name)?;
        ctx.set_audit_detail("purged");
        ctx.checkpoint_after_commit();
        return Ok(vec![]);
    }
    if let Some(w) = crate::twin::key_use::warning(ctx.db(), &vault, name, None, "Removing", ctx.now)? {
        ctx.warn(w);
    }
    let view = keys::remove_key(ctx.db(), &who, &vault, name, ctx.now)?;
    ctx.set_audit_detail(format!(
        "soft-deleted; scheduled purge {}",
        view.key.scheduled_purge_time.map(crate::time::to_display).unwrap_or_default()
    ));
    Ok(if args.switch("PassThru") { vec![key_object(ctx, &view)?] } else { vec![] })
}

fn undo_key_removal(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    let view = keys::recover_key(ctx.db(), &who, &vault, args.required("Name")?, ctx.now)?;
    ctx.set_audit_target(keys::key_id_url(&vault, &view.key.name, None));
    Ok(vec![key_object(ctx, &view)?])
}

fn rotate_key(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    let view = keys::rotate_key(ctx.db(), ctx.store(), &who, &vault, args.required("Name")?, ctx.now)?;
    ctx.set_audit_target(view.id());
    Ok(vec![key_object(ctx, &view)?])
}

/// Reads `-PolicyPath`: a rotation policy in Key Vault's REST shape.
fn policy_from_file(path: &str) -> Result<(Vec<LifetimeAction>, Option<String>)> {
    let bytes = crate::files::read_input(path, "policy file", 4 << 20)?;
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::invalid(format!("The policy file '{path}' is not JSON: {e}.")))?;
    keys::rotation_policy_from_json(&doc)
}

fn set_rotation_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    let name = args.required("Name")?;
    let (actions, file_expiry) = if let Some(path) = args.str("PolicyPath") {
        policy_from_file(path)?
    } else if let Some(map) = args.object("KeyRotationLifetimeAction") {
        (vec![LifetimeAction::from_fields(map)?], None)
    } else if let Some(action) = args.str("LifetimeActionType") {
        let a = LifetimeAction {
            action: action.to_string(),
            time_after_create: args.str("TimeAfterCreate").map(str::to_string),
            time_before_expiry: args.str("TimeBeforeExpiry").map(str::to_string),
        };
        (vec![a], None)
    } else {
        (vec![], None)
    };
    let expires_in = args.str("ExpiresIn").map(str::to_string).or(file_expiry);
    let policy = keys::set_rotation_policy(ctx.db(), &who, &vault, name, actions, expires_in, ctx.now)?;
    ctx.set_audit_target(keys::key_id_url(&vault, name, None));
    ctx.set_audit_detail(serde_json::to_string(&policy.lifetime_actions).unwrap_or_default());
    Ok(vec![policy_object(&vault, name, &policy)])
}

fn get_rotation_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    let name = args.required("Name")?;
    let policy = keys::get_rotation_policy(ctx.db(), &who, &vault, name, ctx.now)?;
    Ok(vec![policy_object(&vault, name, &policy)])
}

fn key_operation(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let vault = target_vault(ctx, args)?;
    ctx.set_audit_target(keys::key_id_url(&vault, args.required("Name")?, None));
    let operation = args.required("Operation")?;
    if matches!(operation, "Sign" | "Verify") {
        return signature_operation(ctx, args, &who, &vault, operation);
    }
    if args.bytes("Signature").is_some() {
        return Err(Error::invalid("-Signature goes with -Operation Verify only."));
    }
    let op = match operation {
        "Wrap" => KeyOp::WrapKey,
        "Unwrap" => KeyOp::UnwrapKey,
        "Encrypt" => KeyOp::Encrypt,
        _ => KeyOp::Decrypt,
    };
    let algorithm = OaepAlgorithm::parse(args.required("Algorithm")?).ok_or_else(|| {
        Error::invalid(format!(
            "{operation} takes -Algorithm RSA-OAEP or RSA-OAEP-256; RS and PS algorithms are for Sign and Verify."
        ))
    })?;
    let input = args.bytes("ByteArrayValue").ok_or_else(|| Error::internal("-ByteArrayValue was not bound"))?;
    let out = keys::key_operation(
        ctx.db(),
        ctx.store(),
        &who,
        &vault,
        args.required("Name")?,
        args.str("Version"),
        op,
        algorithm,
        &input,
        ctx.now,
    )?;
    Ok(vec![object(json!({
        "KeyId": out.key_id,
        "Operation": operation,
        "Algorithm": algorithm.name(),
        "Result": base64(&out.value),
    }))])
}

/// Sign and Verify: the digest is signed, or the signature of it checked.
fn signature_operation(
    ctx: &mut Ctx,
    args: &Args,
    who: &Requester,
    vault: &Vault,
    operation: &str,
) -> Result<Vec<Object>> {
    let algorithm = SignatureAlgorithm::parse(args.required("Algorithm")?).ok_or_else(|| {
        Error::invalid(format!("{operation} takes -Algorithm RS256, RS384, RS512, PS256, PS384 or PS512."))
    })?;
    let digest = args.bytes("ByteArrayValue").ok_or_else(|| Error::internal("-ByteArrayValue was not bound"))?;
    let signature = args.bytes("Signature");
    let signature = match (operation, signature) {
        ("Verify", None) => return Err(Error::invalid("-Operation Verify needs -Signature, the signature to check.")),
        ("Sign", Some(_)) => return Err(Error::invalid("-Signature goes with -Operation Verify only.")),
        (_, s) => s,
    };
    let (key_id, outcome) = keys::signature_operation(
        ctx.db(),
        ctx.store(),
        who,
        vault,
        args.required("Name")?,
        args.str("Version"),
        algorithm,
        &digest,
        signature.as_deref(),
        ctx.now,
    )?;
    let result = match outcome {
        SignatureOutcome::Signed(signature) => Value::String(base64(&signature)),
        SignatureOutcome::Verified(valid) => Value::Bool(valid),
    };
    Ok(vec![object(json!({"KeyId": key_id, "Operation": operation, "Algorithm": algorithm.name(), "Result": result}))])
}
