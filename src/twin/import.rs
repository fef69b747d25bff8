//! `Import-PpCmkTenantSnapshot`: a checked snapshot becomes the store's
//! tenant, in the command's one transaction (all or nothing). Ids, dates
//! and settings are the snapshot's; key material and record contents are
//! generated here (a snapshot has neither); the clock starts at the time the
//! snapshot was taken.

use super::snapshot::{self, SnapEnvironment, SnapFlow, Snapshot};
use crate::arm;
use crate::clock;
use crate::crypto::rsa::PrivateKey;
use crate::crypto::{base64, fill_random, new_guid};
use crate::environment::{self, dek, dek::Protector, Environment};
use crate::error::{Error, Result};
use crate::flows;
use crate::identity::{self, rbac, Caller, DirectoryRole};
use crate::keyvault::{self, keys, VaultKind};
use crate::policy::Policy;
use crate::store::{
    AccessPolicyRow, ArmResourceRow, Db, EnvKeyVersionRow, EnvironmentRow, FlowRow, PolicyRow, PrincipalKind,
    PrincipalRow, RoleAssignmentRow, Store, VaultRow,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

/// `Origin` of every object an import creates.
pub const ORIGIN: &str = "Snapshot";
/// Meta key holding the imported snapshot's summary.
pub const META_KEY: &str = "twin_snapshot";
/// Records per environment when neither -RecordsPerEnvironment nor -UseDatabaseSize is given.
pub const DEFAULT_RECORDS: i64 = 100;
/// -UseDatabaseSize: one synthetic record per this many kilobytes of database.
pub const KB_PER_RECORD: f64 = 100.0;
pub const MAX_RECORDS: i64 = 1_000_000;

/// How much synthetic data each environment gets.
#[derive(Debug, Clone, Copy)]
pub enum Volume {
    PerEnvironment(i64),
    DatabaseSize,
}

/// One imported object, as the command lists it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub kind: &'static str,
    pub name: String,
    pub id: String,
    pub detail: String,
}

pub struct Outcome {
    pub objects: Vec<Imported>,
    pub warnings: Vec<String>,
    pub exported: DateTime<Utc>,
}

fn bad(file: &str, path: &str, message: impl std::fmt::Display) -> Error {
    snapshot::invalid(file, path, message)
}

/// The records an environment gets.
fn record_count(env: &SnapEnvironment, volume: Volume, warnings: &mut Vec<String>) -> i64 {
    if !env.has_database {
        return 0;
    }
    match volume {
        Volume::PerEnvironment(n) => n,
        Volume::DatabaseSize => match env.database_mb {
            Some(mb) => ((mb * 1024.0 / KB_PER_RECORD).ceil() as i64).clamp(1, MAX_RECORDS),
            None => {
                warnings.push(format!(
                    "{}: {}.Internal.properties.capacity has no Database figure; environment '{}' gets {DEFAULT_RECORDS} records.",
                    snapshot::ENVIRONMENTS,
                    env.path,
                    env.display_name
                ));
                DEFAULT_RECORDS
            }
        },
    }
}

/// Imports `snap` into the store; `force` replaces a tenant already there.
pub fn import(
    store: &Store,
    db: &Db,
    caller: &Caller,
    snap: &Snapshot,
    volume: Volume,
    force: bool,
    folder: &str,
) -> Result<Outcome> {
    caller.require_global_admin("import a tenant snapshot")?;
    let default_id = format!("Default-{}", identity::TENANT_ID);
    let held = db.tenant_contents(&default_id)?;
    if (held.environments + held.vaults + held.policies + held.snapshot_objects) > 0 && !force {
        return Err(Error::conflict(format!(
            "The store already holds a tenant ({} environment(s), {} key vault(s), {} enterprise policy(ies)). Import into a new store (set PPCMK_HOME to an empty folder), or add -Force to replace this one.",
            held.environments, held.vaults, held.policies
        )));
    }
    db.clear_tenant_for_snapshot(identity::ADMIN_OBJECT_ID, identity::SUBSCRIPTION_ID)?;
    let at = snap.manifest.exported;
    let mut warnings = snap.defaults.clone();
    let mut out = Vec::new();
    dek::ensure_mmk(store, db, at)?;

    // The directory: the tenant, its subscriptions and resource groups.
    let tenant = &snap.manifest.tenant_id;
    db.ensure_tenant(tenant, snap.manifest.tenant_domain.as_deref().unwrap_or(tenant), "Snapshot tenant")?;
    let mut groups = BTreeSet::new();
    for (sub, rg) in snap
        .vaults
        .iter()
        .map(|v| (&v.subscription_id, &v.resource_group))
        .chain(snap.policies.iter().map(|p| (&p.subscription_id, &p.resource_group)))
    {
        groups.insert((sub.to_ascii_lowercase(), rg.clone()));
    }
    for sub in groups.iter().map(|(s, _)| s.clone()).collect::<BTreeSet<_>>() {
        db.ensure_subscription(&sub, &sub, tenant)?;
        for ns in ["Microsoft.PowerPlatform", "Microsoft.KeyVault"] {
            db.set_provider_state(&sub, ns, "Registered")?;
        }
    }
    if !snap.policies.is_empty() {
        // An enterprise policy exists only where the provider is registered;
        // the readiness check reads the store's own subscription.
        db.set_provider_state(identity::SUBSCRIPTION_ID, "Microsoft.PowerPlatform", "Registered")?;
    }
    for (sub, rg) in &groups {
        let id = arm::resource_group_id(sub, rg);
        if db.arm_resource(&id)?.is_none() {
            arm::register_resource(
                db,
                &ArmResourceRow {
                    id,
                    resource_type: "Microsoft.Resources/resourceGroups".into(),
                    name: rg.clone(),
                    subscription_id: sub.clone(),
                    resource_group: Some(rg.clone()),
                    location: None,
                    kind: None,
                    created_time: at,
                },
            )?;
        }
    }

    // The store's administrator rehearses: Reader on each imported
    // subscription lets it read the twin's vaults, keys and policies, run
    // the pre-flight checks and the add (the docs ask Reader on the policy),
    // without administering any vault.
    let reader = rbac::role_by_name("Reader").ok_or_else(|| Error::internal("the Reader role is missing"))?;
    for sub in groups.iter().map(|(s, _)| s.clone()).collect::<BTreeSet<_>>() {
        let scope = format!("/subscriptions/{sub}");
        if db.role_assignment_at(&scope, reader.id, identity::ADMIN_OBJECT_ID)?.is_none() {
            db.insert_role_assignment(&RoleAssignmentRow {
                assignment_id: new_guid(),
                scope,
                role_definition_id: reader.id.into(),
                principal_id: identity::ADMIN_OBJECT_ID.into(),
                description: Some("The rehearsing administrator's Reader role on an imported subscription".into()),
                condition: None,
                created_time: at,
                created_by: ORIGIN.into(),
            })?;
            warnings.push(format!(
                "{} was given Reader on subscription {sub} to run the rehearsal (not part of the snapshot).",
                identity::ADMIN_UPN
            ));
        }
    }

    // Principals: directory role members, role-assignment principals, policy identities.
    let principal = |db: &Db,
                     object_id: &str,
                     kind: PrincipalKind,
                     name: &str,
                     upn: Option<&str>,
                     alt: Vec<String>|
     -> Result<()> {
        if db.principal(object_id)?.is_some() {
            return Ok(());
        }
        let upn = upn.filter(|u| db.principal_by_upn(u).ok().flatten().is_none());
        db.insert_principal(&PrincipalRow {
            object_id: object_id.to_ascii_lowercase(),
            kind,
            display_name: if name.is_empty() { object_id.to_string() } else { name.to_string() },
            user_principal_name: upn.map(str::to_string),
            mail_nickname: upn.and_then(|u| u.split('@').next()).map(str::to_string),
            app_id: None,
            service_principal_type: (kind == PrincipalKind::ServicePrincipal).then(|| "ManagedIdentity".to_string()),
            alternative_names: alt,
            account_enabled: true,
            created_time: at,
        })?;
        db.mark_snapshot_object("Principal", object_id, None, at)
    };
    for p in &snap.policies {
        principal(
            db,
            &p.principal_id,
            PrincipalKind::ServicePrincipal,
            &p.name,
            None,
            vec!["isExplicit=False".into(), p.resource_id.clone()],
        )?;
    }
    for m in &snap.role_members {
        let Some(role) = DirectoryRole::parse(&m.role) else {
            warnings.push(format!(
                "{}: role '{}' is not one ppcmk models; its members are imported without it.",
                snapshot::DIRECTORY_ROLES,
                m.role
            ));
            principal(
                db,
                &m.object_id,
                PrincipalKind::User,
                &m.display_name,
                m.user_principal_name.as_deref(),
                vec![],
            )?;
            continue;
        };
        principal(db, &m.object_id, PrincipalKind::User, &m.display_name, m.user_principal_name.as_deref(), vec![])?;
        db.add_directory_role_member(role.name(), &m.object_id.to_ascii_lowercase(), at)?;
    }
    for a in &snap.role_assignments {
        let kind = if a.object_type.eq_ignore_ascii_case("User") {
            PrincipalKind::User
        } else if a.object_type.eq_ignore_ascii_case("ServicePrincipal") {
            PrincipalKind::ServicePrincipal
        } else {
            warnings.push(format!(
                "{}: {} assigns '{}' to a {} ({}); groups are not modelled, so it is skipped.",
                snapshot::ROLE_ASSIGNMENTS,
                a.path,
                a.role_definition_name,
                a.object_type,
                a.display_name
            ));
            continue;
        };
        principal(db, &a.object_id, kind, &a.display_name, a.sign_in_name.as_deref(), vec![])?;
    }

    // The tenant's subscriptions (licences): the pre-flight checks one qualifies.
    for sku in &snap.skus {
        crate::identity::licenses::add(db, caller, &sku.sku, sku.units, at)?;
    }

    // Key vaults, their access policies, keys and versions.
    for v in &snap.vaults {
        if !v.soft_delete {
            warnings.push(format!(
                "{}: {}.EnableSoftDelete is false; Azure made soft delete mandatory, so '{}' is imported with it on.",
                snapshot::VAULTS,
                v.path,
                v.name
            ));
        }
        if db.vault_by_name(&v.name)?.is_some() {
            return Err(bad(
                snapshot::VAULTS,
                &format!("{}.VaultName", v.path),
                format!("vault '{}' appears twice", v.name),
            ));
        }
        let row = VaultRow {
            vault_id: new_guid(),
            name: v.name.clone(),
            kind: VaultKind::Vault.as_str().into(),
            resource_id: v.resource_id.clone(),
            resource_group: v.resource_group.clone(),
            location: arm::normalize_region(&v.location)
                .map(str::to_string)
                .unwrap_or_else(|_| v.location.to_ascii_lowercase()),
            sku: v.sku.clone(),
            soft_delete_retention_days: v.retention_days,
            purge_protection: v.purge_protection,
            rbac_authorization: v.rbac,
            public_network_access: v.public_network_access.clone(),
            network_default_action: "Allow".into(),
            network_bypass: "AzureServices".into(),
            ip_rules: vec![],
            private_endpoints: vec![],
            administrators: vec![],
            created_time: at,
            deleted_time: None,
            scheduled_purge_time: None,
            // A key vault is always usable (only a managed HSM waits for activation).
            activation_status: "Active".into(),
            security_domain: None,
        };
        db.insert_vault(&row)?;
        arm::register_resource(
            db,
            &ArmResourceRow {
                id: row.resource_id.clone(),
                resource_type: VaultKind::Vault.resource_type().into(),
                name: row.name.clone(),
                subscription_id: v.subscription_id.to_ascii_lowercase(),
                resource_group: Some(row.resource_group.clone()),
                location: Some(row.location.clone()),
                kind: None,
                created_time: at,
            },
        )?;
        for ap in &v.access_policies {
            db.set_access_policy(
                &row.vault_id,
                &AccessPolicyRow {
                    object_id: ap.object_id.to_ascii_lowercase(),
                    permissions_to_keys: ap.permissions_to_keys.clone(),
                    permissions_to_secrets: vec![],
                },
            )?;
        }
        db.mark_snapshot_object("KeyVault", &row.name, None, at)?;
        out.push(Imported {
            kind: "KeyVault",
            name: row.name.clone(),
            id: row.resource_id.clone(),
            detail: format!(
                "purge protection {}, {} days soft delete, {}",
                if row.purge_protection { "on" } else { "off" },
                row.soft_delete_retention_days,
                if row.rbac_authorization { "Azure RBAC" } else { "access policies" }
            ),
        });
    }
    for k in &snap.keys {
        let vault = keyvault::active_vault(db, &k.vault_name, VaultKind::Vault)?;
        let version = keys::SnapshotVersion {
            version: k.version.to_ascii_lowercase(),
            key_type: k.key_type.clone(),
            key_size: k.key_size,
            key_ops: k.key_ops.clone(),
            enabled: k.enabled,
            not_before: k.not_before,
            expires: k.expires,
            created: k.created,
            updated: k.updated,
        };
        keys::import_snapshot_version(db, store, &vault, &k.name, &version)
            .map_err(|e| bad(snapshot::KEYS, &k.path, e.message))?;
        let id = keys::key_id_url(&vault, &k.name, Some(&version.version));
        db.mark_snapshot_object("KeyVersion", &id, None, at)?;
        out.push(Imported {
            kind: "KeyVersion",
            name: format!("{}/{}", k.vault_name, k.name),
            id,
            detail: format!("{} {}, {}", k.key_type, k.key_size, if k.enabled { "enabled" } else { "disabled" }),
        });
    }

    // Role assignments as they were.
    for a in &snap.role_assignments {
        if db.principal(&a.object_id.to_ascii_lowercase())?.is_none() {
            continue; // a group, skipped above
        }
        if rbac::role_by_id(&a.role_definition_id).is_none() {
            warnings.push(format!(
                "{}: {} uses role '{}' ({}), which ppcmk does not model; skipped.",
                snapshot::ROLE_ASSIGNMENTS,
                a.path,
                a.role_definition_name,
                a.role_definition_id
            ));
            continue;
        }
        db.insert_role_assignment(&RoleAssignmentRow {
            assignment_id: a.assignment_id.clone(),
            scope: a.scope.clone(),
            role_definition_id: a.role_definition_id.to_ascii_lowercase(),
            principal_id: a.object_id.to_ascii_lowercase(),
            description: Some("Imported from a tenant snapshot".into()),
            condition: None,
            created_time: at,
            created_by: ORIGIN.into(),
        })
        .map_err(|e| bad(snapshot::ROLE_ASSIGNMENTS, &a.path, e.message))?;
        db.mark_snapshot_object("RoleAssignment", &a.assignment_id, None, at)?;
    }

    // Enterprise policies.
    for p in &snap.policies {
        if db.policy_by_resource_id(&p.resource_id)?.is_some() {
            return Err(bad(snapshot::POLICIES, &format!("{}.ResourceId", p.path), "the policy appears twice"));
        }
        let row = PolicyRow {
            policy_id: p
                .system_id
                .as_deref()
                .and_then(|s| s.rsplit('/').next())
                .filter(|s| crate::crypto::is_guid(s))
                .map(str::to_ascii_lowercase)
                .unwrap_or_else(new_guid),
            name: p.name.clone(),
            resource_id: p.resource_id.clone(),
            resource_group: p.resource_group.clone(),
            location: arm::normalize_power_platform_location(&p.location)
                .map(str::to_string)
                .map_err(|e| bad(snapshot::POLICIES, &format!("{}.Location", p.path), e.message))?,
            kind: "Encryption".into(),
            principal_id: p.principal_id.to_ascii_lowercase(),
            encryption_state: p.state.clone(),
            key_vault_id: p.key_vault_id.clone(),
            key_name: p.key_name.clone(),
            key_version: p.key_version.clone(),
            health: "Healthy".into(),
            health_detail: None,
            last_health_check: None,
            created_time: at,
            updated_time: at,
        };
        db.insert_policy(&row)?;
        arm::register_resource(
            db,
            &ArmResourceRow {
                id: row.resource_id.clone(),
                resource_type: "Microsoft.PowerPlatform/enterprisePolicies".into(),
                name: row.name.clone(),
                subscription_id: p.subscription_id.to_ascii_lowercase(),
                resource_group: Some(row.resource_group.clone()),
                location: Some(row.location.clone()),
                kind: Some("Encryption".into()),
                created_time: at,
            },
        )?;
        db.mark_snapshot_object("EnterprisePolicy", &row.resource_id, None, at)?;
        out.push(Imported {
            kind: "EnterprisePolicy",
            name: row.name.clone(),
            id: row.resource_id.clone(),
            detail: format!("{} in {}, key {}", row.kind, row.location, row.key_name),
        });
    }

    // Environments with their flows and synthetic records.
    let mut flows_of: HashMap<String, Vec<&SnapFlow>> = HashMap::new();
    for f in &snap.flows {
        flows_of.entry(f.environment.to_ascii_lowercase()).or_default().push(f);
    }
    for e in &snap.environments {
        let records = record_count(e, volume, &mut warnings);
        let env_flows = flows_of.remove(&e.name.to_ascii_lowercase()).unwrap_or_default();
        let env = import_environment(store, db, caller, e, &env_flows, records, at, &mut warnings)?;
        let detail = e.database_mb.map(|mb| json!({"DatabaseMB": mb}).to_string());
        db.mark_snapshot_object("Environment", env.id(), detail.as_deref(), at)?;
        out.push(Imported {
            kind: "Environment",
            name: env.name().to_string(),
            id: env.id().to_string(),
            detail: format!(
                "{} in {}, {}, key managed by {}, {} flow(s), {records} record(s)",
                env.row.sku,
                env.row.location,
                if env.row.is_managed { "managed" } else { "not managed" },
                env.key_managed_by(),
                env_flows.len()
            ),
        });
        for f in env_flows {
            db.mark_snapshot_object("Flow", &f.flow_name, None, at)?;
            out.push(Imported {
                kind: "Flow",
                name: f.display_name.clone(),
                id: f.flow_name.clone(),
                detail: format!("{} trigger{}", f.trigger, if f.in_solution { ", in a solution" } else { "" }),
            });
        }
    }

    db.meta_set(
        META_KEY,
        &json!({
            "SchemaVersion": snap.manifest.schema_version,
            "TenantId": snap.manifest.tenant_id,
            "ExportedTime": crate::time::to_storage(at),
            "ScriptVersion": snap.manifest.script_version,
            "Skipped": snap.manifest.skipped,
            "Folder": folder,
        })
        .to_string(),
    )?;
    for s in &snap.manifest.skipped {
        warnings.push(format!("{}: the export skipped {s} (no permission); the twin lacks it.", snapshot::MANIFEST));
    }
    clock::start_at(db, at)?;
    Ok(Outcome { objects: out, warnings, exported: at })
}

fn env_state(e: &SnapEnvironment, warnings: &mut Vec<String>) -> &'static str {
    match e.state.to_ascii_lowercase().as_str() {
        "ready" | "notspecified" => environment::READY,
        "disabled" => environment::DISABLED,
        "locked" => environment::LOCKED,
        other => {
            warnings.push(format!(
                "{}: {}.Internal.properties.states.management.id is '{other}'; imported as Ready.",
                snapshot::ENVIRONMENTS,
                e.path
            ));
            environment::READY
        }
    }
}

/// The tenant's BYOK key, generated on first need (the snapshot has none).
fn ensure_byok_key(store: &Store, db: &Db, at: DateTime<Utc>) -> Result<()> {
    if db.service_key(dek::BYOK)?.is_none() {
        let key = PrivateKey::generate(2048)?;
        db.set_service_key(dek::BYOK, &store.master_key().seal(&key.to_pkcs8_der()?, dek::byok_aad()), at)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn import_environment(
    store: &Store,
    db: &Db,
    caller: &Caller,
    e: &SnapEnvironment,
    env_flows: &[&SnapFlow],
    records: i64,
    at: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<Environment> {
    let location = arm::normalize_power_platform_location(&e.location)
        .map_err(|err| bad(snapshot::ENVIRONMENTS, &format!("{}.Location", e.path), err.message))?;
    let customer = !e.key_managed_by.eq_ignore_ascii_case("Microsoft");
    let byok = customer && e.cmk_policy_id.is_none();
    let mut env = Environment {
        row: EnvironmentRow {
            env_key: 0,
            environment_id: e.name.clone(),
            display_name: e.display_name.clone(),
            location: location.to_string(),
            sku: e.env_type.clone(),
            is_default: e.is_default,
            has_database: e.has_database,
            is_managed: e.managed,
            state: env_state(e, warnings).into(),
            state_reason: None,
            locked_since: None,
            protector: if byok { "BYOK".into() } else { "MMK".into() },
            policy_id: None,
            link_status: None,
            linked_time: None,
            byok_migrated_time: None,
            previous_policy_id: None,
            unlinked_time: None,
            current_generation: 1,
            settings: "{}".into(),
            created_time: e.created.unwrap_or(at),
            created_by: caller.object_id().to_string(),
        },
    };
    if env.row.state == environment::LOCKED {
        env.row.locked_since = Some(at);
        env.row.state_reason = Some("Locked in the snapshot: its customer-managed key could not be reached.".into());
    }
    env.row.env_key = db.insert_environment(&env.row)?;
    let (generation, key) = dek::new_generation(store, db, &env, at)?;
    dek::add_wrap(store, db, &env, generation, &key, &Protector::Mmk, None, at)?;
    if byok {
        ensure_byok_key(store, db, at)?;
        dek::add_wrap(store, db, &env, generation, &key, &Protector::Byok, None, at)?;
    }

    // Flows first, on the Microsoft key, as they were before any customer key.
    let mut keys = flows::Keys::new(store, &env, at);
    let mut by_name: HashMap<String, i64> = HashMap::new();
    for f in env_flows {
        let mut row = FlowRow {
            flow_key: 0,
            flow_id: f.flow_name.to_ascii_lowercase(),
            env_key: env.row.env_key,
            kind: "Cloud".into(),
            trigger_kind: f.trigger.clone(),
            in_solution: f.in_solution,
            uses_list_flows_v1: f.uses_list_flows_v1,
            connection_source: "Embedded".into(),
            enabled: f.enabled,
            generation,
            sealed_name: Vec::new(),
            sealed_definition: Vec::new(),
            key_managed_by: flows::MICROSOFT.into(),
            mmk_reason: None,
            mmk_reason_flow: None,
            created_under_cmk: false,
            key_changed_time: None,
            created_time: f.created.unwrap_or(at),
            created_by: caller.object_id().to_string(),
            last_modified_time: f.created.unwrap_or(at),
            suspension_reason: None,
        };
        let actions = if f.uses_list_flows_v1 { vec![flows::LIST_FLOWS_AS_ADMIN_V1.to_string()] } else { vec![] };
        let definition = flows::Definition { actions, definition: Value::Null, url: None };
        flows::seal_flow(&mut keys, db, &mut row, &f.display_name, &definition)?;
        row.flow_key = db.insert_flow(&row)?;
        by_name.insert(f.flow_name.to_ascii_lowercase(), row.flow_key);
        if let Some(w) = &f.workflow_entity_id {
            by_name.entry(w.to_ascii_lowercase()).or_insert(row.flow_key);
        }
    }
    for f in env_flows {
        let mut children = Vec::new();
        for c in &f.children {
            match by_name.get(&c.to_ascii_lowercase()) {
                Some(k) if !c.eq_ignore_ascii_case(&f.flow_name) => children.push(*k),
                _ => warnings.push(format!(
                    "{}: {} calls child flow '{c}', which is not in environment '{}'; the link is skipped.",
                    snapshot::FLOWS,
                    f.path,
                    e.name
                )),
            }
        }
        children.sort_unstable();
        children.dedup();
        db.set_flow_children(by_name[&f.flow_name.to_ascii_lowercase()], &children)?;
    }

    // A customer key through an enterprise policy: the link as it stands.
    if let (true, Some(policy_id)) = (customer, &e.cmk_policy_id) {
        let policy = Policy {
            row: db
                .policy_by_resource_id(policy_id)?
                .ok_or_else(|| Error::internal("the imported policy is missing"))?,
        };
        let path = format!("{}.Internal.properties.enterprisePolicies.customerManagedKeys.id", e.path);
        let (g2, key2) = dek::new_generation(store, db, &env, at)?;
        dek::add_wrap(store, db, &env, g2, &key2, &Protector::Mmk, None, at)?;
        let used = dek::add_wrap(store, db, &env, g2, &key2, &Protector::Cmk { key_id: String::new() }, Some(&policy), at)
            .map_err(|err| {
                bad(
                    snapshot::ENVIRONMENTS,
                    &path,
                    format!(
                        "environment '{}' is protected by policy '{}', but its key cannot wrap a data key as the policy's identity: {}",
                        e.name, policy.row.name, err.message
                    ),
                )
            })?;
        env.row.protector = "CMK".into();
        env.row.current_generation = g2;
        env.row.policy_id = Some(policy.row.policy_id.clone());
        env.row.link_status = Some("Linked".into());
        env.row.linked_time = Some(at);
        if e.key_managed_by.eq_ignore_ascii_case("CustomerViaMicrosoft") {
            env.row.byok_migrated_time = Some(at);
        }
        db.update_environment(&env.row)?;
        flows::apply_key_change(store, db, &env, g2, true, at)?;
        if let Protector::Cmk { key_id } = used {
            db.set_env_key_version(&EnvKeyVersionRow {
                env_key: env.row.env_key,
                key_id,
                policy_id: policy.row.policy_id.clone(),
                current_from: at,
                current_until: None,
            })?;
        }
    }

    // Synthetic records under the current generation.
    let dek_now = dek::dek(store, db, &env, env.row.current_generation, at)?;
    for i in 0..records {
        let id = format!("rec-{i:09}");
        let mut random = [0u8; 96];
        fill_random(&mut random);
        let plain = serde_json::to_vec(&json!({"name": format!("Snapshot record {i}"), "payload": base64(&random)}))
            .map_err(|err| Error::internal(err.to_string()))?;
        let table = format!("snapshot_{}", i % 4);
        let sealed = dek_now.seal(&plain, &dek::record_aad(&env, &table, &id, env.row.current_generation));
        db.insert_record(env.row.env_key, &table, &id, env.row.current_generation, &sealed)?;
    }
    Ok(env)
}
