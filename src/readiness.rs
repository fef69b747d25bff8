//! Pre-flight and post-flight checks: "what will go wrong?" before a CMK
//! rollout (`Test-PpCmkReadiness`) and "is everything really protected
//! now?" after it (`Get-PpCmkEncryptionReport`). Every rule the
//! documentation gives becomes one row with a Status (Pass / Warn / Fail), a
//! Detail and a Remedy, so a pipeline can gate on them (`-FailOn`).

use crate::crypto::SymmetricKey;
use crate::environment::{self, dek, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::flows::{self, migration};
use crate::identity::{rbac, Caller};
use crate::keyvault::{self, access, Vault};
use crate::lifecycle::{self, operations as ops};
use crate::policy::{self, Policy};
use crate::store::{Db, Store};
use chrono::{DateTime, Duration, Utc};
use std::time::Instant;

pub const PASS: &str = "Pass";
pub const WARN: &str = "Warn";
pub const FAIL: &str = "Fail";

/// One pre-flight check.
#[derive(Debug, Clone)]
pub struct Row {
    pub check: &'static str,
    pub target: String,
    pub status: &'static str,
    pub detail: String,
    pub remedy: Option<String>,
}

struct Rows(Vec<Row>);

impl Rows {
    fn add(
        &mut self,
        check: &'static str,
        target: &str,
        ok: bool,
        failing: &'static str,
        detail: String,
        remedy: String,
    ) {
        self.0.push(Row {
            check,
            target: target.to_string(),
            status: if ok { PASS } else { failing },
            detail,
            remedy: (!ok).then_some(remedy),
        });
    }
    fn pass(&mut self, check: &'static str, target: &str, detail: String) {
        self.0.push(Row { check, target: target.to_string(), status: PASS, detail, remedy: None });
    }
}

/// `Test-PpCmkReadiness`: every documented rule that would stop or surprise
/// adding `environment_ids` to the policy, checked without changing
/// anything. Open to administrators and to holders of Reader on the policy
/// (who may lack the admin role, which is then a Fail row).
pub fn test(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_ids: &[String],
    policy_arm_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Row>> {
    let policy = policy::find(db, policy_arm_id).ok();
    let is_reader = match &policy {
        Some(p) => policy::require_reader(db, caller, p).is_ok(),
        None => false,
    };
    if !caller.is_power_platform_admin() && !is_reader {
        return Err(Error::forbidden(format!(
            "{} can run pre-flight checks only as a Global, Power Platform or Dynamics 365 administrator or with Reader on the enterprise policy.",
            caller.audit_name()
        )));
    }
    let mut rows = Rows(Vec::new());
    let subscription = format!("subscription {}", crate::identity::SUBSCRIPTION_ID);
    let registered = db.provider_state(crate::identity::SUBSCRIPTION_ID, "Microsoft.PowerPlatform")?.as_deref()
        == Some("Registered");
    rows.add(
        "ProviderRegistered",
        &subscription,
        registered,
        FAIL,
        if registered {
            "Microsoft.PowerPlatform is registered for the subscription.".into()
        } else {
            "The Power Platform enterprise policies service (Microsoft.PowerPlatform) is not registered for the subscription.".into()
        },
        "Register-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform".into(),
    );
    let Some(policy) = policy else {
        rows.add(
            "EnterprisePolicy",
            policy_arm_id,
            false,
            FAIL,
            format!("Enterprise policy {policy_arm_id} was not found."),
            "Create it: New-AzResourceGroupDeployment with the enterprise policy template, or New-PpCmkEnterprisePolicy.".into(),
        );
        return Ok(rows.0);
    };
    rows.pass(
        "EnterprisePolicy",
        &policy.row.name,
        format!("Enterprise policy {} ({}) in {}.", policy.row.resource_id, policy.row.kind, policy.row.location),
    );
    key_vault_checks(db, &policy, &mut rows, now)?;
    resource_group_region(db, &policy, &mut rows)?;
    caller_checks(caller, &policy, is_reader, &mut rows);
    separation_of_duties(db, &policy, &mut rows)?;
    let limit = ops::cmk_environment_limit(db)?;
    let in_use = ops::cmk_environments_in_use(db)?;
    let adding = environment_ids
        .iter()
        .filter(|id| environment::find(db, id).is_ok_and(|e| e.row.policy_id.as_deref() != Some(&policy.row.policy_id)))
        .count() as i64;
    rows.add(
        "TenantCmkLimit",
        "tenant",
        in_use + adding <= limit,
        FAIL,
        format!("{in_use} environment(s) use a customer-managed key; adding {adding} makes {} of the tenant's limit of {limit}.", in_use + adding),
        "The default limit of 25 CMK-enabled Power Automate environments per tenant can be extended by a support ticket (here: Set-PpCmkTenantSetting -CmkEnvironmentLimit).".into(),
    );
    licensing(db, &mut rows)?;
    for id in environment_ids {
        environment_checks(store, db, caller, id, &policy, &mut rows, now)?;
    }
    Ok(rows.0)
}

/// 002:153: the key vault's resource group should have a location that
/// matches the environments' region (Central US for United States). A
/// warning: the service accepts it.
fn resource_group_region(db: &Db, policy: &Policy, rows: &mut Rows) -> Result<()> {
    let Ok(vault) = policy.vault(db) else { return Ok(()) };
    let Ok(rg) = crate::arm::resource_group(db, &vault.row.resource_group) else { return Ok(()) };
    let location = rg.location.clone().unwrap_or_default();
    let maps_to = crate::arm::power_platform_location_of(&location);
    rows.add(
        "ResourceGroupRegion",
        &rg.name,
        maps_to == Some(policy.row.location.as_str()),
        WARN,
        format!(
            "Resource group {} of key vault {} is in {location}, {}; enterprise policy {} is for the Power Platform region {}.",
            rg.name,
            vault.row.name,
            maps_to.map_or("which maps to no Power Platform region".to_string(), |m| format!("which maps to the Power Platform region {m}")),
            policy.row.name,
            policy.row.location
        ),
        format!(
            "Create or use a resource group whose location matches the environment's region (for example Central US for United States), with the key vault in it: New-AzResourceGroup -Name <name> -Location <a {} region>.",
            policy.row.location
        ),
    );
    Ok(())
}

/// 002:78-84: users of environments under the policy need one of the listed
/// subscriptions; the tenant must hold at least one.
fn licensing(db: &Db, rows: &mut Rows) -> Result<()> {
    let held = crate::identity::licenses::list(db)?;
    let qualifying: Vec<String> =
        held.iter().filter(|l| l.qualifies_for_cmk()).map(|l| format!("{} ({} seats)", l.sku, l.units)).collect();
    rows.add(
        "Licensing",
        "tenant",
        !qualifying.is_empty(),
        FAIL,
        if qualifying.is_empty() {
            format!(
                "The tenant holds no subscription that gives access to customer-managed keys{}: users in the environments need Microsoft 365 or Office 365 A5/E5/G5, Microsoft 365 A5/E5/F5/G5 Compliance, Microsoft 365 F5 Security & Compliance, Microsoft 365 A5/E5/F5/G5 Information Protection and Governance, or Microsoft 365 A5/E5/F5/G5 Insider Risk Management.",
                if held.is_empty() {
                    String::new()
                } else {
                    format!(" (it holds {})", held.iter().map(|l| l.sku.as_str()).collect::<Vec<_>>().join(", "))
                }
            )
        } else {
            format!("The tenant holds {}, which gives access to customer-managed keys.", qualifying.join(", "))
        },
        "Add-PpCmkLicense -Sku 'Microsoft 365 E5' -Units <users> (or another subscription the documentation lists).".into(),
    );
    Ok(())
}

/// The vault's protections, the key, and the policy identity's access to it.
fn key_vault_checks(db: &Db, policy: &Policy, rows: &mut Rows, now: DateTime<Utc>) -> Result<()> {
    let vault = match policy.vault(db) {
        Ok(v) => v,
        Err(e) => {
            rows.add("KeyVault", &policy.row.key_vault_id, false, FAIL, e.message, "Recover the vault (Undo-AzKeyVaultRemoval) or point the policy at another one (Set-PpCmkEnterprisePolicy -KeyVaultId).".into());
            return Ok(());
        }
    };
    let name = vault.row.name.clone();
    rows.add(
        "SoftDelete",
        &name,
        vault.soft_delete_enabled(),
        FAIL,
        format!("Soft delete is {} on {name}.", if vault.soft_delete_enabled() { "enabled" } else { "not enabled" }),
        "Soft delete and purge protection are required to encrypt environments with your own key.".into(),
    );
    rows.add(
        "PurgeProtection",
        &name,
        vault.row.purge_protection,
        FAIL,
        format!(
            "Purge protection is {} on {name}.",
            if vault.row.purge_protection { "enabled" } else { "not enabled" }
        ),
        vault.purge_protection_remedy(),
    );
    let key_name = policy.row.key_name.clone();
    let target = format!("{name}/{key_name}");
    let key = db.key_by_name(&vault.row.vault_id, &key_name)?;
    let Some(key) = key else {
        rows.add(
            "Key",
            &target,
            false,
            FAIL,
            format!("Key {key_name} does not exist in {name}."),
            format!("Add-AzKeyVaultKey -VaultName {name} -Name {key_name} -Destination Software -Size 2048"),
        );
        return Ok(());
    };
    if key.deleted_time.is_some() {
        rows.add(
            "KeyNotRemoved",
            &target,
            false,
            FAIL,
            format!("Key {key_name} is in the removed state."),
            format!("Undo-AzKeyVaultKeyRemoval -VaultName {name} -Name {key_name}"),
        );
        return Ok(());
    }
    rows.pass("KeyNotRemoved", &target, format!("Key {key_name} exists and is not removed."));
    let version = match &policy.row.key_version {
        Some(v) => db.key_version(&key.key_id, v)?,
        None => db.latest_key_version(&key.key_id)?,
    };
    let Some(v) = version else {
        rows.add(
            "KeyVersion",
            &target,
            false,
            FAIL,
            format!("The policy's key version {} does not exist.", policy.row.key_version.clone().unwrap_or_default()),
            "Set-PpCmkEnterprisePolicy -KeyVersion with an existing version, or none to follow the current one.".into(),
        );
        return Ok(());
    };
    let type_ok = matches!(v.key_type.as_str(), "RSA" | "RSA-HSM") && matches!(v.key_size, 2048 | 3072 | 4096);
    rows.add(
        "KeyType",
        &target,
        type_ok,
        FAIL,
        format!("{} {} (supported: RSA or RSA-HSM, 2048, 3072 or 4096 bits).", v.key_type, v.key_size),
        "Create an RSA (or RSA-HSM) key of 2048, 3072 or 4096 bits and point the policy at it.".into(),
    );
    rows.add(
        "KeyEnabled",
        &target,
        v.enabled,
        FAIL,
        format!("Key version {} is {}.", v.version, if v.enabled { "enabled" } else { "disabled" }),
        format!("Update-AzKeyVaultKey -VaultName {name} -Name {key_name} -Version {} -Enable $true", v.version),
    );
    let active = v.not_before.is_none_or(|t| t <= now);
    let valid = v.expires.is_none_or(|t| t > now);
    rows.add(
        "KeyNotExpired",
        &target,
        active && valid,
        FAIL,
        match (active, v.expires) {
            (false, _) => format!(
                "Key version {} is not active until {}.",
                v.version,
                crate::time::to_display(v.not_before.unwrap_or(now))
            ),
            (true, Some(t)) => format!("Key version {} expires {}.", v.version, crate::time::to_display(t)),
            (true, None) => format!("Key version {} has no expiry date.", v.version),
        },
        format!(
            "Rotate the key (Invoke-AzKeyVaultKeyRotation -VaultName {name} -Name {key_name}) or update its dates."
        ),
    );
    if valid {
        if let Some(t) = v.expires.filter(|t| *t <= now + Duration::days(30)) {
            rows.add("KeyExpiresSoon", &target, false, WARN, format!("Key version {} expires {}: an expired key takes its environments down.", v.version, crate::time::to_display(t)), format!("Set a rotation policy (Set-AzKeyVaultKeyRotationPolicy -VaultName {name} -Name {key_name}) or rotate before then."));
        }
    }
    let who = policy.requester(db)?;
    for (check, op) in [
        ("IdentityGet", access::KeyOp::Get),
        ("IdentityWrapKey", access::KeyOp::WrapKey),
        ("IdentityUnwrapKey", access::KeyOp::UnwrapKey),
    ] {
        let result = access::authorize(db, &vault, Some(&key_name), &who, op);
        rows.add(
            check,
            &target,
            result.is_ok(),
            FAIL,
            match &result {
                Ok(()) => {
                    format!("The policy's identity ({}) has {} on the key.", policy.row.principal_id, op.permission())
                }
                Err(e) => e.message.clone(),
            },
            identity_remedy(&vault, policy),
        );
    }
    Ok(())
}

fn identity_remedy(vault: &Vault, policy: &Policy) -> String {
    if vault.row.rbac_authorization {
        format!(
            "New-AzRoleAssignment -ObjectId {} -RoleDefinitionName 'Key Vault Crypto Service Encryption User' -Scope {}",
            policy.row.principal_id, vault.row.resource_id
        )
    } else {
        format!(
            "Set-AzKeyVaultAccessPolicy -VaultName {} -ObjectId {} -PermissionsToKeys get,wrapKey,unwrapKey",
            vault.row.name, policy.row.principal_id
        )
    }
}

fn caller_checks(caller: &Caller, policy: &Policy, is_reader: bool, rows: &mut Rows) {
    let name = caller.audit_name().to_string();
    rows.add(
        "CallerAdminRole",
        &name,
        caller.is_power_platform_admin(),
        FAIL,
        if caller.is_power_platform_admin() {
            format!("{name} is a Global, Power Platform or Dynamics 365 administrator.")
        } else {
            format!("{name} has none of the Global, Power Platform or Dynamics 365 administrator roles.")
        },
        format!("A Global Administrator runs Add-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName {name}"),
    );
    rows.add(
        "CallerPolicyReader",
        &name,
        is_reader,
        FAIL,
        if is_reader {
            format!("{name} can read enterprise policy '{}'.", policy.row.name)
        } else {
            format!("{name} has no Reader role on enterprise policy '{}'.", policy.row.name)
        },
        format!(
            "The key vault administrator runs New-AzRoleAssignment -ObjectId {} -RoleDefinitionName Reader -Scope {}",
            caller.object_id(),
            policy.row.resource_id
        ),
    );
}

/// Whether a principal administers the vault: manages it, its keys, or who
/// has access to them.
fn administers_vault(db: &Db, vault: &Vault, object_id: &str) -> Result<bool> {
    let scope = &vault.row.resource_id;
    if rbac::has_permission(db, object_id, scope, "Microsoft.KeyVault/vaults/write")?
        || rbac::has_permission(db, object_id, scope, "Microsoft.Authorization/roleAssignments/write")?
        || rbac::has_data_permission(db, object_id, scope, "Microsoft.KeyVault/vaults/keys/delete")?
        || vault.row.administrators.iter().any(|a| a.eq_ignore_ascii_case(object_id))
    {
        return Ok(true);
    }
    if !vault.row.rbac_authorization {
        let manage = ["all", "create", "delete", "purge", "update", "import"];
        return Ok(db.access_policies(&vault.row.vault_id)?.iter().any(|p| {
            p.object_id.eq_ignore_ascii_case(object_id)
                && p.permissions_to_keys.iter().any(|k| manage.iter().any(|m| m.eq_ignore_ascii_case(k)))
        }));
    }
    Ok(false)
}

/// The documentation's "malicious administrator": whoever administers the
/// key vault should not also administer Power Platform.
fn separation_of_duties(db: &Db, policy: &Policy, rows: &mut Rows) -> Result<()> {
    let Ok(vault) = policy.vault(db) else { return Ok(()) };
    let mut both = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (_, principal, _) in db.directory_role_members(None)? {
        if seen.insert(principal.object_id.clone()) && administers_vault(db, &vault, &principal.object_id)? {
            both.push(principal.user_principal_name.clone().unwrap_or(principal.display_name.clone()));
        }
    }
    rows.add(
        "SeparationOfDuties",
        &vault.row.name,
        both.is_empty(),
        WARN,
        if both.is_empty() {
            format!("No Power Platform administrator administers key vault {}.", vault.row.name)
        } else {
            format!(
                "{} both administer key vault {} and are Power Platform administrators: one person could add environments and then revoke the key, locking them.",
                both.join(", "),
                vault.row.name
            )
        },
        "Separate the duties: the key vault administrator should not be granted access to the Power Platform admin center (and the reverse).".into(),
    );
    Ok(())
}

fn environment_checks(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_id: &str,
    policy: &Policy,
    rows: &mut Rows,
    now: DateTime<Utc>,
) -> Result<()> {
    let env = match environment::find(db, environment_id) {
        Ok(e) => e,
        Err(e) => {
            rows.add(
                "Environment",
                environment_id,
                false,
                FAIL,
                e.message,
                "Check the EnvironmentName (Get-AdminPowerAppEnvironment).".into(),
            );
            return Ok(());
        }
    };
    let target = format!("{} ({})", env.name(), env.id());
    let target = target.as_str();
    if env.row.policy_id.as_deref() == Some(policy.row.policy_id.as_str()) && env.is_linked() {
        rows.pass("EnvironmentState", target, "Already protected by this enterprise policy.".into());
        return Ok(());
    }
    let linked_elsewhere = env.is_linked() || env.row.link_status.as_deref() == Some("Pending");
    let busy = db.running_operation(env.row.env_key)?;
    let state_ok = env.row.state == environment::READY && !linked_elsewhere && busy.is_none();
    rows.add(
        "EnvironmentState",
        target,
        state_ok,
        FAIL,
        match (&busy, linked_elsewhere) {
            (Some(op), _) => format!("An operation ({}) is in progress.", op.operation_id),
            (None, true) => "The environment is linked to another enterprise policy.".into(),
            _ => format!("The environment is {}.", env.row.state),
        },
        if linked_elsewhere {
            format!(
                "Switch-PpCmkEnvironmentEnterprisePolicy -EnvironmentName {} -PolicyArmId {}",
                env.id(),
                policy.row.resource_id
            )
        } else {
            "Wait for the operation (Get-PpCmkOperation) or restore the key of a locked environment.".into()
        },
    );
    rows.add(
        "EnvironmentManaged",
        target,
        env.row.is_managed,
        FAIL,
        format!("Managed Environments is {}.", if env.row.is_managed { "on" } else { "off" }),
        format!("Enable-PpCmkManagedEnvironment -EnvironmentName {} (or Set-AdminPowerAppEnvironmentGovernanceConfiguration with protectionLevel Standard)", env.id()),
    );
    rows.add(
        "EnvironmentType",
        target,
        env.supports_cmk(),
        FAIL,
        format!("{} environment.", env.row.sku),
        "Trial and Teams environments can't be added to an enterprise policy; use a Production or Sandbox environment."
            .into(),
    );
    let same_region = env.row.location.eq_ignore_ascii_case(&policy.row.location);
    rows.add(
        "EnvironmentRegion",
        target,
        same_region,
        FAIL,
        format!("The environment is in '{}', the policy in '{}'.", env.row.location, policy.row.location),
        format!("Create an enterprise policy in '{}' for this environment.", env.row.location),
    );
    rows.add(
        "EnvironmentDatabase",
        target,
        env.row.has_database,
        FAIL,
        format!("Dataverse database {}.", if env.row.has_database { "provisioned" } else { "not provisioned" }),
        "Only environments with a Dataverse database can be encrypted with a customer-managed key.".into(),
    );
    if env.row.state == environment::LOCKED {
        return Ok(());
    }
    flow_checks(store, db, caller, &env, target, rows, now)?;
    downtime(store, db, &env, target, rows, now)
}

fn flow_checks(
    store: &Store,
    db: &Db,
    caller: &Caller,
    env: &Environment,
    target: &str,
    rows: &mut Rows,
    now: DateTime<Utc>,
) -> Result<()> {
    let staying = match flows::on_microsoft_key(store, db, caller, env.id(), true, now) {
        Ok((_, staying)) => staying,
        Err(e) if e.code == ErrorCode::Forbidden => {
            // The check is the admin's to run; a reader of the policy gets a row, not a refusal.
            rows.add(
                "FlowsStayOnMicrosoftKey",
                target,
                false,
                WARN,
                format!("The flows could not be checked: {}", e.message),
                "Run the check as a Power Platform administrator or as the environment's admin.".into(),
            );
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let names = |list: &[&flows::MicrosoftKeyFlow]| {
        list.iter()
            .map(|f| format!("'{}' ({})", f.display_name, f.reason.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all: Vec<&flows::MicrosoftKeyFlow> = staying.iter().collect();
    rows.add(
        "FlowsStayOnMicrosoftKey",
        target,
        all.is_empty(),
        WARN,
        if all.is_empty() {
            "Every flow will move to the customer-managed key.".into()
        } else {
            format!("{} flow(s) will stay on the Microsoft-managed key: {}.", all.len(), names(&all))
        },
        "After the add, protect them with Save As (Copy-PpCmkFlow) and update their callers; see Get-AdminFlowEncryptedByMicrosoftKey -ListCannotMigrateToCustomerManagedKey.".into(),
    );
    let v1: Vec<&flows::MicrosoftKeyFlow> =
        staying.iter().filter(|f| f.reason.as_deref() == Some(migration::POWER_APPS_V1_NOT_IN_SOLUTION)).collect();
    rows.add(
        "PowerAppsV1Flows",
        target,
        v1.is_empty(),
        WARN,
        if v1.is_empty() {
            "No non-solution Power Apps v1 trigger flows.".into()
        } else {
            format!("{} Power Apps v1 trigger flow(s) outside a solution: {}.", v1.len(), names(&v1))
        },
        "Recommended before applying the key: update them to the V2 trigger (Set-PpCmkFlow -Trigger PowerAppsV2), or add them to a solution.".into(),
    );
    let non_oauth = db.connections(env.row.env_key)?.into_iter().filter(|c| c.auth_type != "OAuth").collect::<Vec<_>>();
    rows.add(
        "NonOAuthConnections",
        target,
        non_oauth.is_empty(),
        WARN,
        if non_oauth.is_empty() {
            "No non-OAuth connections.".into()
        } else {
            format!(
                "{} non-OAuth connection(s) stay encrypted with the Microsoft-managed key: {}.",
                non_oauth.len(),
                non_oauth.iter().map(|c| format!("{} ({})", c.connector, c.auth_type)).collect::<Vec<_>>().join(", ")
            )
        },
        "CMKs aren't used for non-Microsoft Entra connections; use OAuth connections where the connector offers them."
            .into(),
    );
    let (mmk, cmk) = db.flow_counts(env.row.env_key)?;
    let allow = flows::firewall::allow_list(env);
    let calling = flows::firewall::outbound_flows(store, db, env, now)?;
    let blocked = allow.configured() && !allow.allows(flows::CMK_SERVICE_TAG) && calling > 0;
    let ok = mmk + cmk == 0 || (allow.configured() && !blocked);
    rows.add(
        "OutboundServiceTag",
        target,
        ok,
        if blocked { FAIL } else { WARN },
        if mmk + cmk == 0 {
            "No flows: outbound HTTP calls are not affected.".into()
        } else if blocked {
            format!(
                "The environment's firewall allow-list ({}) does not include the {} service tag: after the key applies, {calling} flow(s) with HTTP or on-premises actions will fail with \"{}\"",
                allow.service_tags.iter().chain(&allow.ip_ranges).cloned().collect::<Vec<_>>().join(", "),
                flows::CMK_SERVICE_TAG,
                flows::firewall::REFUSED
            )
        } else if allow.configured() {
            format!("The environment's firewall allow-list includes the {} service tag.", flows::CMK_SERVICE_TAG)
        } else {
            format!(
                "After the key applies, outbound HTTP calls of its {} flow(s) come from the {} service tag instead of {}.",
                mmk + cmk,
                flows::CMK_SERVICE_TAG,
                flows::MMK_SERVICE_TAG
            )
        },
        format!(
            "Allow the {} service tag (Azure Firewall) or its IP ranges in firewalls that flows call (here: Set-PpCmkFirewallAllowList -EnvironmentName {} -ServiceTag {}).",
            flows::CMK_SERVICE_TAG,
            env.id(),
            flows::CMK_SERVICE_TAG
        ),
    );
    Ok(())
}

/// What adding costs the environment (002:412, 001:337): a short disable
/// while the new key is applied, then the re-encryption in the background,
/// the environment usable meanwhile. The background duration is estimated
/// from its data size and a re-encryption rate measured now on a sample of
/// its own records, and quoted beside the documentation's bound (up to
/// four days); a BYOK environment is only re-wrapped (004:146, 440).
fn downtime(
    store: &Store,
    db: &Db,
    env: &Environment,
    target: &str,
    rows: &mut Rows,
    now: DateTime<Utc>,
) -> Result<()> {
    const SHORT: &str = "Downtime: the environment is disabled only briefly, while the new key is applied";
    const BOUND: &str = "The documentation says the encryption can take up to four days (002:412).";
    if env.row.protector == "BYOK" {
        rows.pass(
            "ExpectedDowntime",
            target,
            format!("{SHORT}: a BYOK environment's keys are re-wrapped, no record is re-encrypted (004:146, 440)."),
        );
        return Ok(());
    }
    let stats = environment::data_stats(db, env)?;
    if stats.records == 0 {
        rows.pass(
            "ExpectedDowntime",
            target,
            format!("{SHORT}. Background encryption: no records to re-encrypt. {BOUND}"),
        );
        return Ok(());
    }
    let sample = db.records_page(env.row.env_key, None, 0, 2000)?;
    let scratch_key = SymmetricKey::generate();
    let started = Instant::now();
    let mut sealed = Vec::with_capacity(sample.len());
    let mut bytes = 0usize;
    for r in &sample {
        let key = dek::dek(store, db, env, r.generation, now)?;
        let plain = key.open(&r.sealed, &dek::record_aad(env, &r.table_name, &r.record_id, r.generation))?;
        bytes += r.sealed.len();
        sealed.push(scratch_key.seal(&plain, b"ppcmk/readiness/scratch"));
    }
    crate::store::scratch::write_like_a_batch(store.home(), &sealed)?;
    let rate = bytes as f64 / started.elapsed().as_secs_f64().max(1e-6);
    let seconds = stats.sealed_bytes as f64 / rate;
    let detail = format!(
        "{SHORT}. Background encryption, the environment usable meanwhile: {} locally for {} records ({:.1} MB) at {:.0} MB/s, measured now by re-encrypting {} of its records and writing them to a scratch database beside the store. {BOUND}",
        human_duration(seconds).to_lowercase(),
        stats.records,
        stats.sealed_bytes as f64 / 1e6,
        rate / 1e6,
        sample.len()
    );
    rows.add(
        "ExpectedDowntime",
        target,
        seconds < 60.0,
        WARN,
        detail,
        "Plan for the background encryption: until the operation completes (up to four days, 002:412), flows can't be created or updated (000:12) and backups, restores and copies wait.".into(),
    );
    Ok(())
}

fn human_duration(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => "Less than a second".into(),
        s if s < 90.0 => format!("About {s:.0} seconds"),
        s if s < 5400.0 => format!("About {:.0} minutes", s / 60.0),
        s => format!("About {:.1} hours", s / 3600.0),
    }
}

// ------------------------------------------------------------- post-flight

/// One environment's encryption as it stands (`Get-PpCmkEncryptionReport`).
#[derive(Debug, Clone)]
pub struct Report {
    pub env: Environment,
    pub status: &'static str,
    pub findings: Vec<String>,
    pub policy: Option<Policy>,
    pub key_type: Option<String>,
    pub key_id: Option<String>,
    pub key_version: Option<String>,
    /// Records in the environment (counted in the store).
    pub records: i64,
    /// Records by the key (version) that protects their DEK generation.
    pub records_by_key: Vec<(String, i64)>,
    pub backups: i64,
    pub backup_records_by_key: Vec<(String, i64)>,
    pub flows_on_microsoft_key: i64,
    pub connections_on_microsoft_key: i64,
    pub previous_version: Option<(String, DateTime<Utc>)>,
    pub removed_policy_key_needed_until: Option<DateTime<Utc>>,
    /// Every data store of the environment with the key that protects it
    /// (002:21-52): never more than the documentation says is covered.
    pub data_stores: Vec<(environment::services::DataStore, &'static str)>,
}

/// The label of the key that protects a DEK generation: the newest
/// customer-key version wrapping it, else BYOK, else the Microsoft key.
fn generation_labels(db: &Db, env: &Environment) -> Result<std::collections::HashMap<i64, String>> {
    let mut newest: std::collections::HashMap<i64, (DateTime<Utc>, String)> = std::collections::HashMap::new();
    for w in db.dek_wraps(env.row.env_key)? {
        let label = match w.protector.as_str() {
            "CMK" => w.key_id.clone(),
            "BYOK" => "Tenant BYOK key".to_string(),
            _ => "Microsoft-managed key".to_string(),
        };
        let rank = |l: &str| {
            if l.starts_with("https://") {
                2
            } else if l.starts_with("Tenant") {
                1
            } else {
                0
            }
        };
        match newest.get(&w.generation) {
            Some((t, l)) if (rank(l), *t) >= (rank(&label), w.created_time) => {}
            _ => {
                newest.insert(w.generation, (w.created_time, label));
            }
        }
    }
    Ok(newest.into_iter().map(|(g, (_, l))| (g, l)).collect())
}

fn add_count(list: &mut Vec<(String, i64)>, label: String, n: i64) {
    match list.iter_mut().find(|(l, _)| *l == label) {
        Some(entry) => entry.1 += n,
        None => list.push((label, n)),
    }
}

/// `Get-PpCmkEncryptionReport`: environments with (or once with) a
/// customer key, or the ones named.
pub fn report(db: &Db, caller: &Caller, environment_ids: Option<&[String]>, now: DateTime<Utc>) -> Result<Vec<Report>> {
    environment::require_admin(caller, "read the encryption report")?;
    let envs: Vec<Environment> = match environment_ids {
        Some(ids) => ids.iter().map(|id| environment::find(db, id)).collect::<Result<_>>()?,
        None => db
            .environments()?
            .into_iter()
            .map(|row| Environment { row })
            .filter(|e| e.row.policy_id.is_some() || e.row.previous_policy_id.is_some() || e.row.protector != "MMK")
            .collect(),
    };
    envs.into_iter().map(|env| report_one(db, env, now)).collect()
}

fn report_one(db: &Db, env: Environment, now: DateTime<Utc>) -> Result<Report> {
    let labels = generation_labels(db, &env)?;
    let label = |g: i64| labels.get(&g).cloned().unwrap_or_else(|| "unknown (no wrap)".into());
    let stats = environment::data_stats(db, &env)?;
    let mut records_by_key = Vec::new();
    for (generation, records) in &stats.by_generation {
        add_count(&mut records_by_key, label(*generation), *records);
    }
    let backups = db.backups(env.row.env_key)?;
    let mut backup_records_by_key = Vec::new();
    for (generation, n) in db.backup_record_generations(env.row.env_key)? {
        add_count(&mut backup_records_by_key, label(generation), n);
    }
    let policy = env.row.policy_id.as_deref().map(|id| db.policy(id)).transpose()?.flatten().map(|row| Policy { row });
    let versions = db.env_key_versions(env.row.env_key)?;
    let current = versions.iter().find(|v| v.current_until.is_none());
    let previous = versions
        .iter()
        .filter_map(|v| {
            v.current_until
                .map(|until| (v.key_id.clone(), until + Duration::days(lifecycle::health::PREVIOUS_VERSION_DAYS)))
        })
        .filter(|(_, until)| *until > now)
        .max_by_key(|(_, until)| *until);
    let key_type = match env.row.protector.as_str() {
        "CMK" => current.and_then(|v| keyvault::keys::parse_key_id(&v.key_id).ok()).map(|(kind, ..)| {
            format!(
                "Customer-managed key ({})",
                if kind == keyvault::VaultKind::ManagedHsm { "Managed HSM" } else { "Key Vault" }
            )
        }),
        "BYOK" => Some("Tenant BYOK key (legacy)".into()),
        _ => Some("Microsoft-managed key".into()),
    };
    let (flows_mmk, _) = db.flow_counts(env.row.env_key)?;
    let connections_mmk =
        db.connections(env.row.env_key)?.iter().filter(|c| c.key_managed_by == flows::MICROSOFT).count() as i64;
    let removed_until = (env.row.policy_id.is_none())
        .then_some(env.row.unlinked_time)
        .flatten()
        .map(|t| t + Duration::days(30))
        .filter(|t| *t > now);
    let mut findings = Vec::new();
    let mut status = PASS;
    let mut raise = |level: &'static str, text: String| {
        if level == FAIL || status == PASS {
            status = level;
        }
        findings.push(text);
    };
    match env.row.state.as_str() {
        environment::LOCKED => raise(FAIL, format!("Locked: {}", env.row.state_reason.clone().unwrap_or_default())),
        environment::DISABLED => raise(WARN, "Disabled while its key changes.".into()),
        _ => {}
    }
    if env.row.link_status.as_deref() == Some("Failed") {
        raise(FAIL, "The last add to the enterprise policy failed; the data is on the Microsoft-managed key.".into());
    }
    if let Some(p) = &policy {
        if p.row.health != "Healthy" {
            raise(
                FAIL,
                format!(
                    "Enterprise policy '{}' is unhealthy: {}",
                    p.row.name,
                    p.row.health_detail.clone().unwrap_or_default()
                ),
            );
        }
    }
    if env.row.protector == "MMK" && env.row.link_status.is_none() {
        raise(WARN, "Not protected by a customer-managed key.".into());
    }
    if flows::environment_protected(&env) && flows_mmk > 0 {
        raise(WARN, format!("{flows_mmk} flow(s) still on the Microsoft-managed key ({}).", flows::MMK_WARNING));
    }
    if flows::environment_protected(&env) && connections_mmk > 0 {
        raise(WARN, format!("{connections_mmk} non-OAuth connection(s) on the Microsoft-managed key."));
    }
    let data_stores = environment::services::data_stores(&env)
        .into_iter()
        .map(|d| {
            let with = environment::services::encrypted_with(&env, &d);
            (d, with)
        })
        .collect();
    Ok(Report {
        data_stores,
        key_id: current.map(|v| v.key_id.clone()),
        key_version: current
            .and_then(|v| keyvault::keys::parse_key_id(&v.key_id).ok())
            .and_then(|(.., version)| version),
        env,
        status,
        findings,
        policy,
        key_type,
        records: stats.records,
        records_by_key,
        backups: backups.len() as i64,
        backup_records_by_key,
        flows_on_microsoft_key: flows_mmk,
        connections_on_microsoft_key: connections_mmk,
        previous_version: previous,
        removed_policy_key_needed_until: removed_until,
    })
}
