//! A twin of a real tenant (issue 15): a snapshot written here in exactly
//! the shapes `docs/twin.md` documents (Microsoft's cmdlets' field names),
//! imported with `Import-PpCmkTenantSnapshot`; then the existing checks, the
//! rollout plan, the key-version question and the report on it.

use crate::support::{TempDir, TestStore};
use ppcmk::ErrorCode;
use serde_json::{json, Value};
use std::path::Path;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
pub const EXPORTED: &str = "2026-03-01T09:00:00Z";
/// The policy that passes (eastus vault with purge protection, RBAC and the identity's role).
pub const GOOD_POLICY: &str =
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/cmk-rg/providers/Microsoft.PowerPlatform/enterprisePolicies/twin-us-policy";
/// The policy that fails (no purge protection, access policies without the identity).
pub const WEAK_POLICY: &str =
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/cmk-rg/providers/Microsoft.PowerPlatform/enterprisePolicies/twin-us-weak-policy";
pub const GOOD_VAULT: &str = "twin-cmk-kv";
pub const WEAK_VAULT: &str = "twin-weak-kv";
pub const KEY: &str = "twin-cmk-key";
pub const OLD_VERSION: &str = "0f0e0d0c0b0a09080706050403020100";
pub const CURRENT_VERSION: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const GOOD_IDENTITY: &str = "6a5f1e2d-3c4b-4a59-8e7f-0a1b2c3d4e5f";
const WEAK_IDENTITY: &str = "7b6e2f3a-4d5c-4b6a-9f80-1b2c3d4e5f60";
const KV_ADMIN: &str = "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5";
const PP_ADMIN: &str = "2d3e4f5a-6b7c-4d8e-9fa0-b1c2d3e4f5a6";

pub const SALES: &str = "11111111-aaaa-4bbb-8ccc-000000000001";
pub const MARKETING: &str = "11111111-aaaa-4bbb-8ccc-000000000002";
pub const TRIAL: &str = "11111111-aaaa-4bbb-8ccc-000000000003";
pub const EUROPE: &str = "11111111-aaaa-4bbb-8ccc-000000000004";
pub const NO_DATABASE: &str = "11111111-aaaa-4bbb-8ccc-000000000005";
pub const FINANCE_CMK: &str = "11111111-aaaa-4bbb-8ccc-000000000006";
pub const LEGACY_BYOK: &str = "11111111-aaaa-4bbb-8ccc-000000000007";
pub const SANDBOX: &str = "11111111-aaaa-4bbb-8ccc-000000000008";
pub const DEFAULT_ENV: &str = "Default-72f988bf-86f1-41af-91ab-2d7cd011db47";
/// A display name that must reach every surface as text.
pub const HOSTILE_NAME: &str = "<script>alert(1)</script>";

fn days_before(days: i64) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(EXPORTED).unwrap() - chrono::Duration::days(days);
    t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub struct Env {
    pub id: String,
    pub name: String,
    pub location: &'static str,
    pub env_type: &'static str,
    pub database: bool,
    pub managed: bool,
    pub key_managed_by: &'static str,
    pub policy: Option<&'static str>,
    pub database_mb: f64,
}

/// A `Get-AdminPowerAppEnvironment` object with its `Internal` admin API object.
pub fn environment(e: &Env) -> Value {
    let mut properties = json!({
        "displayName": e.name,
        "environmentSku": e.env_type,
        "azureRegion": if e.location == "europe" { "westeurope" } else { "eastus" },
        "states": {"management": {"id": "Ready"}, "runtime": {"id": "Enabled"}},
        "protectionStatus": {"keyManagedBy": e.key_managed_by},
        "governanceConfiguration": {"protectionLevel": if e.managed { "Standard" } else { "Basic" }},
        "capacity": [
            {"capacityType": "Database", "actualConsumption": e.database_mb, "capacityUnit": "MB", "updatedOn": EXPORTED},
            {"capacityType": "File", "actualConsumption": 12.5, "capacityUnit": "MB", "updatedOn": EXPORTED}
        ],
        "someFieldMicrosoftAddsLater": {"ignored": true}
    });
    if let Some(p) = e.policy {
        properties["enterprisePolicies"] = json!({"customerManagedKeys": {
            "id": p, "location": "unitedstates", "policyId": "b3a4e2a1-1111-4222-8333-944455556666"
        }});
    }
    json!({
        "EnvironmentName": e.id,
        "DisplayName": e.name,
        "Description": "",
        "IsDefault": e.id.starts_with("Default-"),
        "Location": e.location,
        "CreatedTime": days_before(400),
        "CreatedBy": {"id": PP_ADMIN, "displayName": "Pat Admin", "type": "User"},
        "LastModifiedTime": days_before(3),
        "EnvironmentType": e.env_type,
        "CommonDataServiceDatabaseProvisioningState": if e.database { "Succeeded" } else { "" },
        "CommonDataServiceDatabaseType": if e.database { "Common Data Service for Apps" } else { "None" },
        "OrganizationId": if e.database { "8f0b3e3c-0d3a-4a1b-9c4e-5f6a7b8c9d0e" } else { "" },
        "Internal": {
            "id": format!("/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{}", e.id),
            "type": "Microsoft.BusinessAppPlatform/scopes/environments",
            "location": e.location,
            "name": e.id,
            "properties": properties
        }
    })
}

/// A `Get-AdminFlow` object; `trigger` is the definition summary's first trigger.
pub fn flow(
    id: &str,
    env: &str,
    name: &str,
    trigger: Value,
    in_solution: bool,
    actions: Value,
    definition: Value,
) -> Value {
    let mut properties = json!({
        "displayName": name,
        "state": "Started",
        "definitionSummary": {"triggers": [trigger], "actions": actions},
        "definition": definition
    });
    if in_solution {
        properties["workflowEntityId"] = json!(id);
    }
    json!({
        "FlowName": id,
        "Enabled": true,
        "DisplayName": name,
        "UserType": "Owner",
        "CreatedTime": days_before(100),
        "CreatedBy": {"objectId": PP_ADMIN, "userId": PP_ADMIN, "tenantId": TENANT},
        "LastModifiedTime": days_before(5),
        "EnvironmentName": env,
        "Internal": {
            "name": id,
            "id": format!("/providers/Microsoft.ProcessSimple/environments/{env}/flows/{id}"),
            "type": "Microsoft.ProcessSimple/environments/flows",
            "properties": properties
        }
    })
}

/// A flow's FlowName: a hash of its environment's name and a number.
fn f(env: &str, n: u32) -> String {
    let hash = env.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193));
    format!("{hash:08x}-f10f-4f10-8f10-{n:012}")
}

/// The expected FlowNames of the Sales environment's flows, by trigger kind.
pub fn sales_flow(kind: &str) -> String {
    let n = match kind {
        "Http" => 1,
        "Teams" => 2,
        "PowerAppsV1" => 3,
        "PowerAppsV1InSolution" => 4,
        "PowerAppsV2" => 5,
        "Recurrence" => 6,
        "Automated" => 7,
        "Manual" => 8,
        "CopilotSkill" => 9,
        "ListFlowsV1" => 10,
        "Parent" => 11,
        _ => panic!("{kind}"),
    };
    f(SALES, n)
}

fn request(kind: &str) -> Value {
    json!({"type": "Request", "kind": kind})
}

fn sales_flows() -> Vec<Value> {
    let none = json!([]);
    let nodef = json!({});
    let env = SALES;
    vec![
        flow(&sales_flow("Http"), env, "Order webhook", request("Http"), true, none.clone(), nodef.clone()),
        flow(
            &sales_flow("Teams"),
            env,
            "Teams approvals",
            json!({"type": "OpenApiConnectionWebhook", "swaggerOperationId": "OnNewChannelMessage", "api": {"name": "shared_teams"}}),
            true,
            none.clone(),
            nodef.clone(),
        ),
        flow(&sales_flow("PowerAppsV1"), env, "Canvas app v1", request("PowerApp"), false, none.clone(), nodef.clone()),
        flow(
            &sales_flow("PowerAppsV1InSolution"),
            env,
            "Canvas app v1 in solution",
            request("PowerApp"),
            true,
            none.clone(),
            nodef.clone(),
        ),
        flow(
            &sales_flow("PowerAppsV2"),
            env,
            "Canvas app v2",
            request("PowerAppV2"),
            false,
            none.clone(),
            nodef.clone(),
        ),
        flow(
            &sales_flow("Recurrence"),
            env,
            "Nightly sync",
            json!({"type": "Recurrence"}),
            true,
            none.clone(),
            nodef.clone(),
        ),
        flow(
            &sales_flow("Automated"),
            env,
            "When a row is added",
            json!({"type": "OpenApiConnectionWebhook", "swaggerOperationId": "SubscribeWebhookTrigger", "api": {"name": "shared_commondataserviceforapps"}}),
            true,
            none.clone(),
            nodef.clone(),
        ),
        flow(&sales_flow("Manual"), env, "Button flow", request("Button"), true, none.clone(), nodef.clone()),
        flow(&sales_flow("CopilotSkill"), env, "Copilot skill", request("Skills"), true, none.clone(), nodef.clone()),
        flow(
            &sales_flow("ListFlowsV1"),
            env,
            "Flow inventory",
            json!({"type": "Recurrence"}),
            true,
            json!([{"type": "OpenApiConnection", "swaggerOperationId": "ListFlowsInEnvironment", "api": {"name": "shared_flowmanagement"}}]),
            nodef.clone(),
        ),
        flow(
            &sales_flow("Parent"),
            env,
            HOSTILE_NAME,
            json!({"type": "Recurrence"}),
            true,
            json!([{"type": "Workflow"}]),
            json!({"triggers": {"Recurrence": {"type": "Recurrence"}}, "actions": {
                "Scope": {"type": "Scope", "actions": {
                    "Run_a_Child_Flow": {"type": "Workflow", "inputs": {"host": {"workflowReferenceName": sales_flow("Http")}}}
                }}
            }}),
        ),
    ]
}

fn vault(name: &str, purge: bool, rbac: bool, access_policies: Value) -> Value {
    let id = format!("/subscriptions/{SUB}/resourceGroups/cmk-rg/providers/Microsoft.KeyVault/vaults/{name}");
    json!({
        "VaultName": name,
        "ResourceGroupName": "cmk-rg",
        "Location": "eastus",
        "ResourceId": id,
        "VaultUri": format!("https://{name}.vault.azure.net/"),
        "TenantId": TENANT,
        "TenantName": "",
        "Sku": "Standard",
        "EnabledForDeployment": false,
        "EnabledForTemplateDeployment": false,
        "EnabledForDiskEncryption": false,
        "EnableSoftDelete": true,
        "SoftDeleteRetentionInDays": 90,
        "EnableRbacAuthorization": rbac,
        "EnablePurgeProtection": purge,
        "PublicNetworkAccess": "Enabled",
        "AccessPolicies": access_policies,
        "NetworkAcls": {"DefaultAction": "Allow", "Bypass": "AzureServices", "IpAddressRanges": [], "VirtualNetworkResourceIds": []},
        "Tags": {}
    })
}

pub fn vault_id(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/cmk-rg/providers/Microsoft.KeyVault/vaults/{name}")
}

fn key_version(vault: &str, name: &str, version: &str, created: &str, enabled: bool) -> Value {
    json!({
        "VaultName": vault,
        "Name": name,
        "Version": version,
        "Id": format!("https://{vault}.vault.azure.net:443/keys/{name}/{version}"),
        "Enabled": enabled,
        "Expires": null,
        "NotBefore": null,
        "Created": created,
        "Updated": created,
        "RecoveryLevel": "Recoverable",
        "Tags": null,
        "KeySize": 2048,
        "Key": {"Kid": format!("https://{vault}.vault.azure.net/keys/{name}/{version}"), "Kty": "RSA",
                "KeyOps": ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"], "E": "AQAB"},
        "Attributes": {"Enabled": enabled, "RecoveryLevel": "Recoverable"}
    })
}

fn policy(id: &str, name: &str, identity: &str, vault: &str, version: Option<&str>) -> Value {
    json!({
        "Name": name,
        "ResourceId": id,
        "ResourceName": name,
        "ResourceType": "Microsoft.PowerPlatform/enterprisePolicies",
        "ResourceGroupName": "cmk-rg",
        "Location": "unitedstates",
        "SubscriptionId": SUB,
        "Kind": "Encryption",
        "Identity": {"PrincipalId": identity, "TenantId": TENANT, "Type": "SystemAssigned"},
        "Properties": {
            "systemId": format!("/regions/unitedstates/providers/Microsoft.PowerPlatform/enterprisePolicies/{}", if name.contains("weak") { "c4b5f3b2-2222-4333-8444-a55566667777" } else { "b3a4e2a1-1111-4222-8333-944455556666" }),
            "encryption": {"state": "Enabled", "keyVault": {"id": vault_id(vault), "key": {"name": KEY, "version": version}}}
        }
    })
}

fn role_assignment(n: u32, scope: &str, role: &str, role_id: &str, object: &str, kind: &str, name: &str) -> Value {
    let id = format!("5f6a7b8c-9d0e-4f1a-8b2c-{n:012}");
    json!({
        "RoleAssignmentName": id,
        "RoleAssignmentId": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{id}"),
        "Scope": scope,
        "DisplayName": name,
        "SignInName": if kind == "User" { json!(format!("{}@twin.example", name.to_lowercase().replace(' ', "."))) } else { Value::Null },
        "RoleDefinitionName": role,
        "RoleDefinitionId": role_id,
        "ObjectId": object,
        "ObjectType": kind,
        "CanDelegate": false,
        "Description": null,
        "ConditionVersion": null,
        "Condition": null
    })
}

/// The fixture tenant's environments: each type and region, managed and
/// not, one on a customer key, one on the legacy BYOK key; plus `extra`
/// eligible ones (managed production environments in the policy's region,
/// each with one automated flow).
pub fn environments(extra: usize) -> Vec<Env> {
    let e = |id: &str, name: &str, location, env_type, database, managed, key, policy| Env {
        id: id.into(),
        name: name.to_string(),
        location,
        env_type,
        database,
        managed,
        key_managed_by: key,
        policy,
        database_mb: 1536.0,
    };
    let mut list = vec![
        e(SALES, "Sales (US)", "unitedstates", "Production", true, true, "Microsoft", None),
        e(MARKETING, "Marketing (US, unmanaged)", "unitedstates", "Production", true, false, "Microsoft", None),
        e(TRIAL, "Trial (US)", "unitedstates", "Trial", true, true, "Microsoft", None),
        e(EUROPE, "Operations (Europe)", "europe", "Production", true, true, "Microsoft", None),
        e(NO_DATABASE, "No database (US)", "unitedstates", "Sandbox", false, true, "Microsoft", None),
        e(FINANCE_CMK, "Finance (US, CMK)", "unitedstates", "Production", true, true, "Customer", Some(GOOD_POLICY)),
        e(LEGACY_BYOK, "Legacy (US, BYOK)", "unitedstates", "Production", true, true, "Customer", None),
        e(SANDBOX, "Test (US)", "unitedstates", "Sandbox", true, true, "Microsoft", None),
        e(DEFAULT_ENV, "Twin Tenant (default)", "unitedstates", "Default", true, false, "Microsoft", None),
    ];
    for i in 0..extra {
        list.push(Env {
            id: format!("22222222-bbbb-4ccc-8ddd-{:012}", i + 1),
            name: format!("Branch {:02} (US)", i + 1),
            location: "unitedstates",
            env_type: "Production",
            database: true,
            managed: true,
            key_managed_by: "Microsoft",
            policy: None,
            database_mb: 100.0 * (i + 1) as f64,
        });
    }
    list
}

/// Writes the fixture snapshot into `dir`, in the shapes of docs/twin.md.
pub fn write_fixture(dir: &Path, extra: usize) {
    let envs = environments(extra);
    let mut flows = sales_flows();
    flows.push(flow(&f(FINANCE_CMK, 1), FINANCE_CMK, "Finance webhook", request("Http"), true, json!([]), json!({})));
    flows.push(flow(
        &f(FINANCE_CMK, 2),
        FINANCE_CMK,
        "Finance nightly",
        json!({"type": "Recurrence"}),
        true,
        json!([]),
        json!({}),
    ));
    for e in envs.iter().skip(9) {
        flows.push(flow(
            &f(&e.id, 1),
            &e.id,
            &format!("{} sync", e.name),
            json!({"type": "Recurrence"}),
            true,
            json!([]),
            json!({}),
        ));
    }
    let good_scope = vault_id(GOOD_VAULT);
    let files = [
        (
            "manifest.json",
            json!({
                "SchemaVersion": 1,
                "ScriptVersion": "1.0.0",
                "ExportedTime": EXPORTED,
                "TenantId": TENANT,
                "TenantDomain": "twin.example",
                "Counts": {"Environments": envs.len(), "Flows": flows.len()},
                "Skipped": []
            }),
        ),
        ("environments.json", Value::Array(envs.iter().map(environment).collect())),
        ("flows.json", Value::Array(flows)),
        (
            "enterprisePolicies.json",
            json!([
                policy(GOOD_POLICY, "twin-us-policy", GOOD_IDENTITY, GOOD_VAULT, None),
                policy(WEAK_POLICY, "twin-us-weak-policy", WEAK_IDENTITY, WEAK_VAULT, None)
            ]),
        ),
        (
            "keyVaults.json",
            json!([
                vault(GOOD_VAULT, true, true, json!([])),
                vault(
                    WEAK_VAULT,
                    false,
                    false,
                    json!([
                        {"TenantId": TENANT, "ObjectId": PP_ADMIN, "ApplicationId": null, "DisplayName": "Pat Admin",
                         "PermissionsToKeys": ["all"], "PermissionsToSecrets": [], "PermissionsToCertificates": [], "PermissionsToStorage": []}
                    ])
                )
            ]),
        ),
        (
            "keys.json",
            json!([
                key_version(GOOD_VAULT, KEY, CURRENT_VERSION, &days_before(10), true),
                key_version(GOOD_VAULT, KEY, OLD_VERSION, &days_before(60), true),
                key_version(WEAK_VAULT, KEY, "ffeeddccbbaa99887766554433221100", &days_before(30), true)
            ]),
        ),
        (
            "roleAssignments.json",
            json!([
                role_assignment(
                    1,
                    &good_scope,
                    "Key Vault Crypto Service Encryption User",
                    "e147488a-f6f5-4113-8e2d-b22465e65bf6",
                    GOOD_IDENTITY,
                    "ServicePrincipal",
                    "twin-us-policy"
                ),
                role_assignment(
                    2,
                    &good_scope,
                    "Key Vault Administrator",
                    "00482a5a-887f-4fb3-b363-3b7fe8e74483",
                    KV_ADMIN,
                    "User",
                    "Kim Vault"
                ),
                role_assignment(
                    3,
                    GOOD_POLICY,
                    "Reader",
                    "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                    PP_ADMIN,
                    "User",
                    "Pat Admin"
                ),
                role_assignment(
                    4,
                    &good_scope,
                    "Reader",
                    "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                    "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
                    "Group",
                    "CMK readers"
                )
            ]),
        ),
        (
            "directoryRoles.json",
            json!([
                {"Id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "DisplayName": "Power Platform Administrator", "RoleTemplateId": "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
                 "Members": [
                    {"Id": PP_ADMIN, "AdditionalProperties": {"@odata.type": "#microsoft.graph.user", "displayName": "Pat Admin", "userPrincipalName": "pat.admin@twin.example"}}
                 ]},
                {"Id": "8b7c6d5e-4f3a-4b2c-8d1e-0f9a8b7c6d5e", "DisplayName": "Dynamics 365 Administrator", "RoleTemplateId": "44367163-eba1-44c3-98af-f5787879f96a",
                 "Members": {"Id": "4f5a6b7c-8d9e-4fa0-b1c2-d3e4f5a6b7c8", "AdditionalProperties": {"@odata.type": "#microsoft.graph.user", "displayName": "Dana Dynamics", "userPrincipalName": "dana@twin.example"}}}
            ]),
        ),
    ];
    let skus = (
        "subscribedSkus.json",
        json!([
            {"Id": format!("{TENANT}_06ebc4ee-1bb5-47dd-8120-11324bc54e06"), "SkuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SkuPartNumber": "SPE_E5",
             "CapabilityStatus": "Enabled", "ConsumedUnits": 180, "PrepaidUnits": {"Enabled": 250, "Suspended": 0, "Warning": 0}},
            {"Id": format!("{TENANT}_6fd2c87f-b296-42f0-b197-1e91e994b900"), "SkuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "SkuPartNumber": "ENTERPRISEPACK",
             "CapabilityStatus": "Enabled", "ConsumedUnits": 40, "PrepaidUnits": {"Enabled": 50, "Suspended": 0, "Warning": 0}},
            {"Id": format!("{TENANT}_f30db892-07e9-47e9-837c-80727f46fd3d"), "SkuId": "f30db892-07e9-47e9-837c-80727f46fd3d", "SkuPartNumber": "FLOW_FREE",
             "CapabilityStatus": "Enabled", "ConsumedUnits": 3, "PrepaidUnits": {"Enabled": 10000, "Suspended": 0, "Warning": 0}}
        ]),
    );
    std::fs::create_dir_all(dir).unwrap();
    for (name, value) in files.into_iter().chain(std::iter::once(skus)) {
        std::fs::write(dir.join(name), serde_json::to_string_pretty(&value).unwrap()).unwrap();
    }
}

/// Every table's rows but the audit log's: what "the store unchanged" means.
pub fn fingerprint(home: &Path) -> String {
    let conn = rusqlite::Connection::open_with_flags(home.join("ppcmk.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit_log', 'audit_head') ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables.sort();
    let mut out = String::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|")))
            .unwrap();
        out.push_str(&t);
        out.push('\n');
        for row in rows {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out
}

/// A store with the fixture imported; returns the store and the snapshot folder.
pub fn twin(extra: usize, records: i64) -> (TestStore, TempDir) {
    let folder = TempDir::new("snapshot");
    write_fixture(folder.path(), extra);
    let t = TestStore::new();
    t.ok(
        "Import-PpCmkTenantSnapshot",
        json!({"Path": folder.path().to_str().unwrap(), "RecordsPerEnvironment": records}),
    );
    (t, folder)
}

fn status<'a>(rows: &'a [Value], check: &str, target_contains: &str) -> &'a str {
    rows.iter()
        .find(|r| r["Check"] == check && r["Target"].as_str().unwrap_or("").contains(target_contains))
        .unwrap_or_else(|| panic!("no {check} row for {target_contains} in {rows:#?}"))["Status"]
        .as_str()
        .unwrap()
}

#[test]
fn the_fixture_imports_and_the_checks_give_the_docs_answers() {
    let (t, _folder) = twin(0, 50);
    // Every object is marked as coming from the snapshot, and the clock starts at its time.
    let clock = t.ok("Get-PpCmkClock", json!({}));
    assert!(clock[0].to_string().contains("2026-03-01"), "{clock:?}");

    let envs = t.ok("Get-AdminPowerAppEnvironment", json!({}));
    assert_eq!(envs.len(), 9, "{envs:#?}");
    assert!(envs.iter().all(|e| e["Origin"] == "Snapshot"), "{envs:#?}");
    let flows = t.ok("Get-AdminFlow", json!({"EnvironmentName": SALES}));
    assert_eq!(flows.len(), 11);
    assert!(flows.iter().all(|f| f["Origin"] == "Snapshot"));
    assert!(t.ok("Get-AzKeyVault", json!({"VaultName": GOOD_VAULT}))[0]["Origin"] == "Snapshot");

    let ids: Vec<&str> =
        vec![SALES, MARKETING, TRIAL, EUROPE, NO_DATABASE, FINANCE_CMK, LEGACY_BYOK, SANDBOX, DEFAULT_ENV];
    let rows = t.ok("Test-PpCmkReadiness", json!({"EnvironmentName": ids, "PolicyArmId": GOOD_POLICY}));
    // The tenant-wide rows: the good policy passes every one.
    for check in [
        "ProviderRegistered",
        "EnterprisePolicy",
        "SoftDelete",
        "PurgeProtection",
        "KeyType",
        "KeyEnabled",
        "KeyNotExpired",
        "IdentityGet",
        "IdentityWrapKey",
        "IdentityUnwrapKey",
        "CallerAdminRole",
        "CallerPolicyReader",
        "SeparationOfDuties",
        "TenantCmkLimit",
    ] {
        assert_eq!(status(&rows, check, ""), "Pass", "{check}: {rows:#?}");
    }
    // Per environment, the rule each one breaks, and only that one.
    let expect = [
        (SALES, "EnvironmentManaged", "Pass"),
        (SALES, "EnvironmentType", "Pass"),
        (SALES, "EnvironmentRegion", "Pass"),
        (SALES, "EnvironmentDatabase", "Pass"),
        (SALES, "FlowsStayOnMicrosoftKey", "Warn"),
        (SALES, "PowerAppsV1Flows", "Warn"),
        (MARKETING, "EnvironmentManaged", "Fail"),
        (MARKETING, "EnvironmentRegion", "Pass"),
        (TRIAL, "EnvironmentType", "Fail"),
        (TRIAL, "EnvironmentManaged", "Pass"),
        (EUROPE, "EnvironmentRegion", "Fail"),
        (EUROPE, "EnvironmentManaged", "Pass"),
        (NO_DATABASE, "EnvironmentDatabase", "Fail"),
        (NO_DATABASE, "EnvironmentType", "Pass"),
        (FINANCE_CMK, "EnvironmentState", "Pass"),
        (LEGACY_BYOK, "EnvironmentManaged", "Pass"),
        (LEGACY_BYOK, "EnvironmentState", "Pass"),
        (SANDBOX, "EnvironmentType", "Pass"),
        (SANDBOX, "FlowsStayOnMicrosoftKey", "Pass"),
        (DEFAULT_ENV, "EnvironmentManaged", "Fail"),
    ];
    for (env, check, want) in expect {
        assert_eq!(status(&rows, check, env), want, "{check} for {env}: {rows:#?}");
    }
    let finance = rows
        .iter()
        .find(|r| r["Check"] == "EnvironmentState" && r["Target"].as_str().unwrap().contains(FINANCE_CMK))
        .unwrap();
    assert!(finance["Detail"].as_str().unwrap().contains("Already protected"), "{finance}");

    // The policy that fails: no purge protection, the identity has no access,
    // and a Power Platform administrator administers its vault.
    let weak = t.ok("Test-PpCmkReadiness", json!({"EnvironmentName": [SALES], "PolicyArmId": WEAK_POLICY}));
    for (check, want) in [
        ("PurgeProtection", "Fail"),
        ("IdentityGet", "Fail"),
        ("IdentityWrapKey", "Fail"),
        ("IdentityUnwrapKey", "Fail"),
        ("SeparationOfDuties", "Warn"),
        ("SoftDelete", "Pass"),
    ] {
        assert_eq!(status(&weak, check, ""), want, "{check}: {weak:#?}");
    }

    // The flows that can't migrate, row for row, with the docs' reasons.
    let cannot = t.ok(
        "Get-AdminFlowEncryptedByMicrosoftKey",
        json!({"EnvironmentName": SALES, "ListCannotMigrateToCustomerManagedKey": true}),
    );
    let mut got: Vec<(String, String, String)> = cannot
        .iter()
        .map(|r| {
            (
                r["FlowName"].as_str().unwrap().to_string(),
                r["Reason"].as_str().unwrap().to_string(),
                r["ChildFlowName"].to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (sales_flow("Http"), "HttpTrigger".to_string(), "null".to_string()),
        (sales_flow("Teams"), "TeamsTrigger".to_string(), "null".to_string()),
        (sales_flow("PowerAppsV1"), "PowerAppsV1TriggerNotInSolution".to_string(), "null".to_string()),
        (sales_flow("ListFlowsV1"), "ListFlowsAsAdminV1".to_string(), "null".to_string()),
        (sales_flow("Parent"), "ParentOfUnmigratableFlow".to_string(), json!(sales_flow("Http")).to_string()),
    ];
    want.sort();
    assert_eq!(got, want, "{cannot:#?}");
    let parent = cannot.iter().find(|r| r["FlowName"] == json!(sales_flow("Parent"))).unwrap();
    assert_eq!(parent["DisplayName"], HOSTILE_NAME);

    // The environment already on the customer key: its HTTP flow stayed behind.
    let finance = t.ok(
        "Get-AdminFlowEncryptedByMicrosoftKey",
        json!({"EnvironmentName": FINANCE_CMK, "ListCannotMigrateToCustomerManagedKey": true}),
    );
    assert_eq!(finance.len(), 1, "{finance:#?}");
    assert_eq!(finance[0]["Reason"], "HttpTrigger");

    // Existing commands work on the twin: the add itself.
    t.ok("Add-PpCmkEnvironmentToEnterprisePolicy", json!({"EnvironmentName": [SANDBOX], "PolicyArmId": GOOD_POLICY}));
    let local = t.ok(
        "New-AdminPowerAppEnvironment",
        json!({"DisplayName": "Made here", "Location": "unitedstates", "EnvironmentSku": "Sandbox"}),
    );
    assert_eq!(local[0]["Origin"], "Local");
    let report = t.ok("Get-PpCmkEncryptionReport", json!({"EnvironmentName": [SANDBOX]}));
    assert_eq!(report[0]["KeyManagedBy"], "Customer", "{report:#?}");
    assert_eq!(report[0]["KeyVersion"], CURRENT_VERSION, "{report:#?}");
}

#[test]
fn the_import_marks_its_objects_prints_its_defaults_and_refuses_an_occupied_store() {
    let folder = TempDir::new("snapshot");
    write_fixture(folder.path(), 0);
    // Optional fields and files left out: defaulted, and said so.
    std::fs::remove_file(folder.path().join("directoryRoles.json")).unwrap();
    let t = TestStore::new();
    let request = json!({"command": "Import-PpCmkTenantSnapshot", "parameters": {"Path": folder.path().to_str().unwrap(), "RecordsPerEnvironment": 5}});
    let outcome = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    assert!(outcome.objects.iter().all(|o| o["Origin"] == "Snapshot"));
    for kind in ["Environment", "Flow", "EnterprisePolicy", "KeyVault", "KeyVersion"] {
        assert!(outcome.objects.iter().any(|o| o["Kind"] == kind), "no {kind}");
    }
    assert!(outcome.warnings.iter().any(|w| w.contains("directoryRoles.json is missing")), "{:?}", outcome.warnings);
    assert!(outcome.warnings.iter().any(|w| w.contains("was given Reader")), "{:?}", outcome.warnings);
    assert!(outcome.warnings.iter().any(|w| w.contains("groups are not modelled")), "{:?}", outcome.warnings);
    assert!(
        outcome.warnings.iter().any(|w| w.contains("does not model were skipped: FLOW_FREE")),
        "{:?}",
        outcome.warnings
    );
    let licenses = t.ok("Get-PpCmkLicense", json!({}));
    assert!(licenses.iter().any(|l| l["Sku"] == "Microsoft 365 E5"), "{licenses:?}");

    // A second import into the same store is refused, unless -Force.
    let before = fingerprint(&t.home());
    let msg =
        t.fails(ErrorCode::Conflict, "Import-PpCmkTenantSnapshot", json!({"Path": folder.path().to_str().unwrap()}));
    assert!(msg.contains("-Force"), "{msg}");
    assert_eq!(fingerprint(&t.home()), before);
    t.ok(
        "Import-PpCmkTenantSnapshot",
        json!({"Path": folder.path().to_str().unwrap(), "RecordsPerEnvironment": 5, "Force": true}),
    );
    assert_eq!(t.ok("Get-AdminPowerAppEnvironment", json!({})).len(), 9);
}

/// Each file truncated, and altered in a way its checks must catch: refused
/// with InvalidSnapshot naming the file (and the JSON path), the store as it was.
#[test]
fn a_truncated_or_altered_file_is_refused_and_the_store_is_unchanged() {
    let (t, good) = twin(0, 5);
    let before = fingerprint(&t.home());
    type Alter = fn(&mut Value);
    let alterations: Vec<(&str, Alter, &str)> = vec![
        ("manifest.json", |v| v["SchemaVersion"] = json!(99), "$.SchemaVersion"),
        ("environments.json", |v| v[2]["Location"] = json!(42), "$[2].Location"),
        (
            "flows.json",
            |v| v[4]["EnvironmentName"] = json!("99999999-0000-4000-8000-000000000000"),
            "$[4].EnvironmentName",
        ),
        (
            "enterprisePolicies.json",
            |v| v[1]["Identity"]["PrincipalId"] = json!("not-a-guid"),
            "$[1].Identity.PrincipalId",
        ),
        ("keyVaults.json", |v| v[0]["SoftDeleteRetentionInDays"] = json!(3), "$[0].SoftDeleteRetentionInDays"),
        ("keys.json", |v| v[1]["Version"] = json!("xyz"), "$[1].Version"),
        ("roleAssignments.json", |v| v[0]["ObjectId"] = json!("nobody"), "$[0].ObjectId"),
        ("directoryRoles.json", |v| v[0]["Members"][0]["Id"] = json!(7), "$[0].Members[0].Id"),
    ];
    for (file, alter, path) in alterations {
        for truncated in [true, false] {
            let copy = TempDir::new("snapshot-bad");
            for entry in std::fs::read_dir(good.path()).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
            }
            let text = std::fs::read_to_string(copy.path().join(file)).unwrap();
            if truncated {
                std::fs::write(copy.path().join(file), &text[..text.len() * 2 / 3]).unwrap();
            } else {
                let mut v: Value = serde_json::from_str(&text).unwrap();
                alter(&mut v);
                std::fs::write(copy.path().join(file), serde_json::to_string(&v).unwrap()).unwrap();
            }
            let msg = t.fails(
                ErrorCode::InvalidSnapshot,
                "Import-PpCmkTenantSnapshot",
                json!({"Path": copy.path().to_str().unwrap(), "Force": true}),
            );
            assert!(msg.starts_with(&format!("{file}: ")), "{file}: {msg}");
            if !truncated {
                assert!(msg.contains(path), "{file}: {msg}");
            }
            assert!(fingerprint(&t.home()) == before, "{file} (truncated: {truncated}) changed the store");
        }
    }
    // Windows PowerShell 5.1's dates and byte order mark are read as written.
    let ps51 = TempDir::new("snapshot-ps51");
    write_fixture(ps51.path(), 0);
    let manifest = std::fs::read_to_string(ps51.path().join("manifest.json")).unwrap();
    let manifest = manifest.replace(EXPORTED, "/Date(1772355600000)/");
    std::fs::write(ps51.path().join("manifest.json"), [&[0xEF, 0xBB, 0xBF][..], manifest.as_bytes()].concat()).unwrap();
    let fresh = TestStore::new();
    fresh.ok("Import-PpCmkTenantSnapshot", json!({"Path": ps51.path().to_str().unwrap(), "RecordsPerEnvironment": 1}));
}

#[test]
fn the_plan_keeps_to_the_tenant_limit_and_lists_what_blocks_the_others() {
    let (t, _folder) = twin(40, 3);
    let rows = t.ok("Get-PpCmkRolloutPlan", json!({"PolicyArmId": GOOD_POLICY, "MaxPerWave": 10}));
    assert_eq!(rows.len(), 49, "{rows:#?}");
    let row = |id: &str| rows.iter().find(|r| r["EnvironmentName"] == id).unwrap_or_else(|| panic!("{id}"));
    // Waves come first and in order; blocked rows (no wave) last.
    let waves: Vec<Option<i64>> = rows.iter().map(|r| r["Wave"].as_i64()).collect();
    let first_blocked = waves.iter().position(Option::is_none).unwrap();
    assert!(waves[first_blocked..].iter().all(Option::is_none), "{waves:?}");
    assert!(waves[..first_blocked].windows(2).all(|w| w[0] <= w[1]), "{waves:?}");
    // At most 25 environments with Power Automate flows under the customer key:
    // the one already there and the planned ones.
    let with_flows = |r: &Value| -> bool {
        let id = r["EnvironmentName"].as_str().unwrap();
        !t.ok("Get-AdminFlow", json!({"EnvironmentName": id})).is_empty()
    };
    let planned: Vec<&Value> = rows.iter().filter(|r| r["Wave"].as_i64().is_some_and(|w| w >= 1)).collect();
    let already = rows.iter().filter(|r| r["Wave"] == 0).count();
    assert_eq!(already, 1, "Finance is already protected");
    assert_eq!(planned.len() + already, 25, "{rows:#?}");
    assert!(planned.iter().filter(|r| with_flows(r)).count() + already <= 25);
    assert!(planned.iter().all(|r| r["Blockers"].as_array().unwrap().is_empty() && r["Status"] != "Fail"));
    // BYOK first, in a wave of its own; then at most 10 per wave.
    assert_eq!(row(LEGACY_BYOK)["Wave"], 1);
    assert_eq!(planned.iter().filter(|r| r["Wave"] == 1).count(), 1);
    for w in 2..=4 {
        let n = planned.iter().filter(|r| r["Wave"] == w).count();
        assert!((1..=10).contains(&n), "wave {w} has {n}: {rows:#?}");
    }
    assert!(planned.iter().all(|r| r["Wave"].as_i64().unwrap() <= 4), "10 per wave: {rows:#?}");
    assert!(row(LEGACY_BYOK)["ExpectedDowntime"].as_str().unwrap().contains("re-wrapped"));
    // The others: each with what blocks it, and the remedy.
    let blockers = |id: &str| {
        row(id)["Blockers"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert!(blockers(MARKETING)
        .iter()
        .any(|b| b.starts_with("EnvironmentManaged") && b.contains("Enable-PpCmkManagedEnvironment")));
    assert!(blockers(TRIAL).iter().any(|b| b.starts_with("EnvironmentType")));
    assert!(blockers(EUROPE).iter().any(|b| b.starts_with("EnvironmentRegion")));
    assert!(blockers(NO_DATABASE).iter().any(|b| b.starts_with("EnvironmentDatabase")));
    let over_limit: Vec<&Value> = rows
        .iter()
        .filter(|r| r["Blockers"].as_array().unwrap().iter().any(|b| b.as_str().unwrap().starts_with("TenantCmkLimit")))
        .collect();
    assert_eq!(over_limit.len(), 43 - 24, "eligible but past the limit: {rows:#?}");
    assert!(over_limit.iter().all(|r| r["Wave"].is_null() && r["Status"] == "Fail"));
    // The flows that stay on the Microsoft key, and an estimate labelled as one.
    let sales = row(SALES);
    assert_eq!(sales["FlowsStayingOnMicrosoftKey"].as_array().unwrap().len(), 5, "{sales:#}");
    assert!(rows
        .iter()
        .filter(|r| r["Wave"].as_i64().is_some_and(|w| w >= 1) && r["EnvironmentName"] != LEGACY_BYOK)
        .all(|r| r["ExpectedDowntime"].as_str().unwrap().contains("estimate")));

    // -MaxDowntime makes smaller waves; -FailOn gates on the Status.
    let tight = t.ok("Get-PpCmkRolloutPlan", json!({"PolicyArmId": GOOD_POLICY, "EnvironmentName": [SANDBOX, SALES, LEGACY_BYOK], "MaxDowntime": "00:00:00.001"}));
    let wave_of = |id: &str| tight.iter().find(|r| r["EnvironmentName"] == id).unwrap()["Wave"].as_i64().unwrap();
    assert_eq!(wave_of(LEGACY_BYOK), 1);
    assert_ne!(wave_of(SANDBOX), wave_of(SALES), "each over the budget gets a wave of its own: {tight:#?}");
    let sandbox = tight.iter().find(|r| r["EnvironmentName"] == SANDBOX).unwrap();
    assert_eq!(sandbox["Status"], "Warn");
    assert!(sandbox["Notes"].to_string().contains("-MaxDowntime"), "{sandbox:#}");
    let err = t.fails(
        ErrorCode::InvalidArgument,
        "Get-PpCmkRolloutPlan",
        json!({"PolicyArmId": GOOD_POLICY, "MaxDowntime": "soon"}),
    );
    assert!(err.contains("timespan"), "{err}");
    let request = json!({"command": "Get-PpCmkRolloutPlan", "parameters": {"PolicyArmId": GOOD_POLICY, "EnvironmentName": [MARKETING], "FailOn": "Fail"}});
    let outcome = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    assert!(outcome.gate.as_ref().is_some_and(|g| g.tripped()), "{:?}", outcome.gate);
}

#[test]
fn a_key_version_is_in_use_until_re_wrapped_and_its_windows_have_passed() {
    let (t, _folder) = twin(0, 10);
    let kim_upn = "kim.vault@twin.example";
    let kim = Some(kim_upn);
    let ask = |version: &str| {
        t.ok("Test-PpCmkKeyVersionInUse", json!({"VaultName": GOOD_VAULT, "Name": KEY, "Version": version})).remove(0)
    };
    let current = ask(CURRENT_VERSION);
    assert_eq!(current["InUse"], true, "{current:#}");
    let kinds: Vec<&str> =
        current["Dependents"].as_array().unwrap().iter().map(|d| d["Kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"DataKeyWrap"), "{current:#}");
    assert!(current["Dependents"][0]["Target"].as_str().unwrap().contains(FINANCE_CMK));
    assert_eq!(ask(OLD_VERSION)["InUse"], false);
    // Every version, newest first.
    let all = t.ok("Test-PpCmkKeyVersionInUse", json!({"VaultName": GOOD_VAULT, "Name": KEY}));
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["Version"], CURRENT_VERSION);

    // A backup under the version; then a rotation and the re-wrap.
    t.ok("Backup-PowerAppEnvironment", json!({"EnvironmentName": FINANCE_CMK, "Label": "before rotation"}));
    let request = json!({"command": "Update-AzKeyVaultKey", "account": kim_upn, "parameters": {"VaultName": GOOD_VAULT, "Name": KEY, "Version": CURRENT_VERSION, "Tag": {"checked": "yes"}}});
    let untouched = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    assert!(untouched.warnings.is_empty(), "{:?}", untouched.warnings);
    t.run_as(kim, "Invoke-AzKeyVaultKeyRotation", json!({"VaultName": GOOD_VAULT, "Name": KEY})).unwrap();
    t.ok("Invoke-PpCmkMaintenance", json!({}));
    let after = ask(CURRENT_VERSION);
    assert_eq!(after["InUse"], true, "{after:#}");
    let kinds: Vec<&str> =
        after["Dependents"].as_array().unwrap().iter().map(|d| d["Kind"].as_str().unwrap()).collect();
    assert!(!kinds.contains(&"DataKeyWrap"), "re-wrapped: {after:#}");
    assert!(kinds.contains(&"PreviousVersion") && kinds.contains(&"Backup"), "{after:#}");
    assert!(after["NeededUntil"].is_string(), "{after:#}");

    // Disabling it now warns, naming who needs it (Key Vault would not stop it).
    let request = json!({"command": "Update-AzKeyVaultKey", "account": kim_upn, "parameters": {"VaultName": GOOD_VAULT, "Name": KEY, "Version": CURRENT_VERSION, "Enable": true}});
    let _ = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    let request = json!({"command": "Update-AzKeyVaultKey", "account": kim_upn, "parameters": {"VaultName": GOOD_VAULT, "Name": KEY, "Version": OLD_VERSION, "Enable": false}});
    let quiet = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    assert!(quiet.warnings.is_empty(), "the old version is not in use: {:?}", quiet.warnings);

    // Past the 28-day rule and the backup's retention: no longer in use.
    t.ok("Set-PpCmkClock", json!({"AdvanceDays": 29}));
    let later = ask(CURRENT_VERSION);
    assert_eq!(later["InUse"], false, "{later:#}");
    assert!(later["NeededUntil"].is_null());
    let request = json!({"command": "Update-AzKeyVaultKey", "account": kim_upn, "parameters": {"VaultName": GOOD_VAULT, "Name": KEY, "Version": CURRENT_VERSION, "Enable": false}});
    let fine = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    assert!(fine.warnings.is_empty(), "{:?}", fine.warnings);
}

#[test]
fn disabling_or_removing_a_version_in_use_warns_with_its_dependents() {
    let (t, _folder) = twin(0, 5);
    let request = json!({"command": "Update-AzKeyVaultKey", "account": "kim.vault@twin.example", "parameters": {"VaultName": GOOD_VAULT, "Name": KEY, "Enable": false}});
    let outcome = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains(CURRENT_VERSION) && w.contains(FINANCE_CMK) && w.contains("DataKeyWrap")),
        "{:?}",
        outcome.warnings
    );
    let request = json!({"command": "Remove-AzKeyVaultKey", "account": "kim.vault@twin.example", "parameters": {"VaultName": GOOD_VAULT, "Name": KEY, "Force": true}});
    let outcome = ppcmk::invoke_json(&t.store, &request, Default::default()).unwrap();
    assert!(
        outcome.warnings.iter().any(|w| w.starts_with("Removing key") && w.contains(FINANCE_CMK)),
        "{:?}",
        outcome.warnings
    );
}

/// The page a real browser renders: headless Chromium (Debian's `chromium`,
/// which scripts/test-all installs) turns it into a PNG and into its DOM.
#[test]
fn the_report_renders_in_a_browser_with_every_chart_filled_and_every_value_escaped() {
    let (t, _folder) = twin(0, 20);
    let out = TempDir::new("report");
    let path = out.path().join("cmk-report.html");
    let written = t.ok("Export-PpCmkReport", json!({"Path": path.to_str().unwrap()}));
    assert_eq!(written[0]["Environments"], 9);
    let html = std::fs::read_to_string(&path).unwrap();
    // Self-contained: nothing loaded from anywhere, no script at all.
    assert!(!html.to_ascii_lowercase().contains("<script"), "a script element");
    assert!(!html.contains("http://") || html.matches("http://").all(|_| html.contains("http://www.w3.org/2000/svg")));
    assert!(!html.contains("https://") || !html.contains("src=\"https://"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile display name, escaped");

    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| std::process::Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .expect("Chromium is required for the report test (scripts/test-all installs Debian's chromium)");
    let profile = TempDir::new("chromium-profile");
    let browser = |extra: &[&str]| {
        let mut cmd = std::process::Command::new(chromium);
        cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", path.display()));
        cmd.output().unwrap()
    };
    let png = out.path().join("report.png");
    let shot = browser(&[&format!("--screenshot={}", png.display()), "--window-size=1280,4000", "--hide-scrollbars"]);
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) =
        (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()));
    assert!(w >= 1000 && h >= 1000, "{w}x{h}");
    assert!(bytes.len() > 20_000, "a rendered page, not a blank one: {} bytes", bytes.len());

    let dom = browser(&["--dump-dom"]);
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    // The browser parsed the name as text: it serialises it escaped, and made no script element of it.
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{dom}");
    assert!(!dom.contains("<script>alert(1)"), "the name became markup");
    for heading in [
        "Environments by state and key owner",
        "Records by key version",
        "Key versions, the 28-day and 30-day windows",
        "Flows on the Microsoft-managed key",
        "Pre-flight checks",
        "Post-flight",
        "Rollout plan",
        "Audit chain",
    ] {
        assert!(dom.contains(heading), "no {heading}");
    }
    assert!(dom.contains("Today (virtual clock)"));
    assert!(dom.contains("Intact:"), "the audit chain's verdict");
    // Every chart has data: its data-points count and its bars.
    let charts: Vec<&str> = dom.split("<svg").skip(1).map(|s| s.split("</svg>").next().unwrap()).collect();
    assert_eq!(charts.len(), 4, "{dom}");
    for c in charts {
        let points: usize = c.split("data-points=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert!(points > 0 && c.matches("class=\"bar\"").count() >= points, "an empty chart: {c}");
    }
    for text in
        [SALES, "HttpTrigger", "ParentOfUnmigratableFlow", "EnvironmentManaged", CURRENT_VERSION, "twin-us-policy"]
    {
        assert!(dom.contains(text), "no {text} in the page");
    }
}

/// The same commands through the `ppcmk` binary and through the C ABI's entry points.
#[test]
fn the_twin_commands_work_through_the_cli_and_the_c_abi() {
    use std::ffi::{CStr, CString};
    let folder = TempDir::new("snapshot-cli");
    write_fixture(folder.path(), 0);
    let home = TempDir::new("twin-cli");
    let snapshot = folder.path().to_str().unwrap();
    let run = |args: &[&str]| crate::support::cli(home.path(), args);
    let out =
        run(&["Import-PpCmkTenantSnapshot", "-Path", snapshot, "-RecordsPerEnvironment", "3", "-OutputFormat", "Json"]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let objects: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(objects.iter().all(|o| o["Origin"] == "Snapshot"));
    assert!(crate::support::stderr(&out).contains("was given Reader"), "defaults are printed as warnings");
    // A truncated copy: the stable code on stderr, exit 1.
    let bad = TempDir::new("snapshot-cli-bad");
    write_fixture(bad.path(), 0);
    let text = std::fs::read_to_string(bad.path().join("keys.json")).unwrap();
    std::fs::write(bad.path().join("keys.json"), &text[..text.len() / 2]).unwrap();
    let out = run(&["Import-PpCmkTenantSnapshot", "-Path", bad.path().to_str().unwrap(), "-Force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(crate::support::stderr(&out).contains("InvalidSnapshot: keys.json"), "{}", crate::support::stderr(&out));
    let out =
        run(&["Get-PpCmkRolloutPlan", "-PolicyArmId", GOOD_POLICY, "-EnvironmentName", MARKETING, "-FailOn", "Fail"]);
    assert_eq!(out.status.code(), Some(1), "the gate: {}", crate::support::stderr(&out));
    assert!(crate::support::stderr(&out).contains("ChecksFailed"));
    let out = run(&["Test-PpCmkKeyVersionInUse", "-VaultName", GOOD_VAULT, "-Name", KEY, "-OutputFormat", "Json"]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"InUse\": true"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let page = home.path().join("report.html");
    let out = run(&["Export-PpCmkReport", "-Path", page.to_str().unwrap()]);
    assert!(out.status.success() && page.exists(), "{}", crate::support::stderr(&out));

    // The C ABI: open, invoke, free, close.
    let abi_home = TempDir::new("twin-abi");
    let home_c = CString::new(abi_home.path().to_str().unwrap()).unwrap();
    let mut store = std::ptr::null_mut();
    let mut error = std::ptr::null_mut();
    unsafe {
        assert_eq!(ppcmk::ffi::ppcmk_open(home_c.as_ptr(), &mut store, &mut error), ppcmk::ffi::ppcmk_status::PPCMK_OK);
        let call = |request: Value| -> Value {
            let request = CString::new(request.to_string()).unwrap();
            let response = ppcmk::ffi::ppcmk_invoke(store, request.as_ptr());
            let text = CStr::from_ptr(response).to_str().unwrap().to_string();
            ppcmk::ffi::ppcmk_string_free(response);
            serde_json::from_str(&text).unwrap()
        };
        let imported = call(
            json!({"command": "Import-PpCmkTenantSnapshot", "parameters": {"Path": snapshot, "RecordsPerEnvironment": 3}}),
        );
        assert_eq!(imported["ok"], true, "{imported}");
        let plan = call(
            json!({"command": "Get-PpCmkRolloutPlan", "parameters": {"PolicyArmId": GOOD_POLICY, "EnvironmentName": [SALES, MARKETING], "FailOn": "Fail"}}),
        );
        assert_eq!(plan["ok"], true, "{plan}");
        assert_eq!(plan["gate"]["rows"], 1, "{plan}");
        let refused = call(json!({"command": "Import-PpCmkTenantSnapshot", "parameters": {"Path": snapshot}}));
        assert_eq!(refused["error"]["code"], "Conflict", "{refused}");
        let use_ = call(
            json!({"command": "Test-PpCmkKeyVersionInUse", "parameters": {"VaultName": GOOD_VAULT, "Name": KEY, "Version": CURRENT_VERSION}}),
        );
        assert_eq!(use_["objects"][0]["InUse"], true, "{use_}");
        ppcmk::ffi::ppcmk_close(store);
    }
}
