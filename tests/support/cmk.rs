//! A tenant set up as the documentation's walkthrough does, shared by the
//! encryption, crash and at-rest tests.
#![allow(dead_code)]

use super::{TempDir, TestStore};
use ppcmk::ErrorCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const PP: &str = "ppadmin@contoso.onmicrosoft.com";

/// A tenant set up as the documentation walks it, up to (not including)
/// adding an environment to the policy.
pub struct Cmk {
    pub t: TestStore,
    pub vault_id: String,
    pub policy_id: String,
    pub identity: String,
    pub dir: TempDir,
}

impl Cmk {
    pub fn new() -> Cmk {
        Cmk::with_retention(90)
    }

    pub fn with_retention(days: i64) -> Cmk {
        Cmk::build(days, true)
    }

    /// The same tenant without any subscription (licence).
    pub fn without_license() -> Cmk {
        Cmk::build(90, false)
    }

    fn build(days: i64, license: bool) -> Cmk {
        let t = TestStore::new();
        let dir = TempDir::new("cmk");
        t.ok("New-AzResourceGroup", json!({"Name": "contoso-cmk", "Location": "centralus"}));
        let v = t.ok(
            "New-AzKeyVault",
            json!({"Name": "contoso-cmk-kv", "ResourceGroupName": "contoso-cmk", "Location": "centralus", "EnablePurgeProtection": true, "SoftDeleteRetentionInDays": days}),
        );
        let vault_id = v[0]["ResourceId"].as_str().unwrap().to_string();
        t.ok("New-AzRoleAssignment", json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}));
        t.ok("Add-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Destination": "Software", "KeyType": "RSA", "Size": 2048}));
        t.ok("Register-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}));
        // Users need a subscription that gives access to customer-managed keys (002:78-84).
        if license {
            t.ok("Add-PpCmkLicense", json!({"Sku": "Microsoft 365 E5", "Units": 25}));
        }
        // The documentation's template, filled in.
        let template = dir.path().join("enterprise-policy.json");
        std::fs::write(&template, filled_template("contoso-cmk-policy", "unitedstates", &vault_id, "contoso-cmk-key"))
            .unwrap();
        let d = t
            .ok("New-AzResourceGroupDeployment", json!({"ResourceGroupName": "contoso-cmk", "TemplateFile": template}));
        let policy_id = d[0]["OutputResources"][0].as_str().unwrap().to_string();
        let identity = t.ok("Get-PpCmkEnterprisePolicy", json!({"ResourceId": policy_id}))[0]["PrincipalId"]
            .as_str()
            .unwrap()
            .to_string();
        t.ok("New-AzRoleAssignment", json!({"ObjectId": identity, "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": vault_id}));
        // The Power Platform administrator, with Reader on the policy.
        let pp = t.user("ppadmin");
        t.ok(
            "Add-PpCmkDirectoryRoleMember",
            json!({"RoleName": "Power Platform Administrator", "UserPrincipalName": PP}),
        );
        t.ok("New-AzRoleAssignment", json!({"ObjectId": pp, "RoleDefinitionName": "Reader", "Scope": policy_id}));
        Cmk { t, vault_id, policy_id, identity, dir }
    }

    pub fn pp(&self, command: &str, params: Value) -> Vec<Value> {
        self.t.ok_as(PP, command, params)
    }

    pub fn pp_fails(&self, code: ErrorCode, command: &str, params: Value) -> String {
        self.t.fails_as(Some(PP), code, command, params)
    }

    /// A managed production environment in unitedstates with `records` sample records and one known record.
    pub fn environment(&self, name: &str, records: i64) -> String {
        self.environment_of(name, "Production", "unitedstates", true, records)
    }

    pub fn environment_of(&self, name: &str, sku: &str, location: &str, managed: bool, records: i64) -> String {
        let e = self.pp(
            "New-AdminPowerAppEnvironment",
            json!({"DisplayName": name, "Location": location, "EnvironmentSku": sku, "ProvisionDatabase": true}),
        );
        let id = e[0]["EnvironmentName"].as_str().unwrap().to_string();
        if managed {
            self.pp(
                "Set-AdminPowerAppEnvironmentGovernanceConfiguration",
                json!({"EnvironmentName": id, "UpdatedGovernanceConfiguration": {"protectionLevel": "Standard"}}),
            );
        }
        if records > 0 {
            self.pp(
                "New-PpCmkSampleData",
                json!({"EnvironmentName": id, "Records": records, "RecordSize": 256, "Tables": 3}),
            );
        }
        self.pp("New-PpCmkRecord", json!({"EnvironmentName": id, "Table": "account", "Id": "acct-1", "Data": {"name": "Fabrikam", "credit": 1200}}));
        id
    }

    pub fn add(&self, env: &str) -> Vec<Value> {
        self.pp(
            "Add-PpCmkEnvironmentToEnterprisePolicy",
            json!({"EnvironmentName": [env], "PolicyArmId": self.policy_id}),
        )
    }

    pub fn env(&self, env: &str) -> Value {
        self.pp("Get-AdminPowerAppEnvironment", json!({"EnvironmentName": env})).remove(0)
    }

    /// Every record of the environment: (table, id) -> data.
    pub fn all_records(&self, env: &str) -> BTreeMap<(String, String), Value> {
        let mut out = BTreeMap::new();
        for table in ["account", "sample_0", "sample_1", "sample_2"] {
            for r in self.pp("Get-PpCmkRecord", json!({"EnvironmentName": env, "Table": table, "First": 1_000_000})) {
                out.insert((table.to_string(), r["Id"].as_str().unwrap().to_string()), r["Data"].clone());
            }
        }
        out
    }

    pub fn generations(&self, env: &str) -> Vec<i64> {
        let mut g: Vec<i64> = self
            .pp("Get-PpCmkRecord", json!({"EnvironmentName": env, "Table": "sample_0", "First": 1_000_000}))
            .iter()
            .map(|r| r["Generation"].as_i64().unwrap())
            .collect();
        g.sort();
        g.dedup();
        g
    }

    pub fn revoke(&self) {
        self.t.ok("Remove-AzRoleAssignment", json!({"ObjectId": self.identity, "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": self.vault_id}));
    }

    pub fn restore_access(&self) {
        self.t.ok("New-AzRoleAssignment", json!({"ObjectId": self.identity, "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": self.vault_id}));
    }
}

pub fn filled_template(name: &str, location: &str, vault_id: &str, key: &str) -> String {
    format!(
        r#"{{
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {{}},
    "resources": [
        {{
            "type": "Microsoft.PowerPlatform/enterprisePolicies",
            "apiVersion": "2020-10-30",
            "name": "{name}",
            "location": "{location}",
            "kind": "Encryption",
            "identity": {{
                "type": "SystemAssigned"
            }},
            "properties": {{
                "lockbox": null,
                "encryption": {{
                    "state": "Enabled",
                    "keyVault": {{
                        "id": "{vault_id}",
                        "key": {{
                            "name": "{key}"
                        }}
                    }}
                }},
                "networkInjection": null
            }}
        }}
    ]
   }}"#
    )
}
