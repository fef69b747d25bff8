//! `Microsoft.KeyVault/vaults` and `deletedVaults`: `New-`, `Get-`,
//! `Update-`, `Remove-AzKeyVault`, `Undo-AzKeyVaultRemoval`, the access
//! policy and network rule commands, in ARM's shape.

use super::{bad, created, error, list, member, missing, no_route, ok, path, text, Req, Routed};
use hyper::{Method, StatusCode};
use serde_json::{json, Map, Value};

pub const KEYVAULT_VERSIONS: &[&str] = &[
    "2015-06-01",
    "2016-10-01",
    "2018-02-14",
    "2019-09-01",
    "2021-04-01-preview",
    "2021-06-01-preview",
    "2021-10-01",
    "2021-11-01-preview",
    "2022-02-01-preview",
    "2022-07-01",
    "2022-11-01",
    "2023-02-01",
    "2023-07-01",
    "2023-08-01-preview",
    "2024-04-01-preview",
    "2024-11-01",
    "2024-12-01-preview",
    "2025-05-01",
    "2026-02-01",
];

/// From 2026-02-01 a vault created without `enableRbacAuthorization` uses
/// Azure RBAC; before it, access policies (Key Vault's api-version notes).
const RBAC_DEFAULT_FROM: &str = "2026-02-01";

const TYPE: &str = "Microsoft.KeyVault/vaults";

/// `/subscriptions/{s}/providers/Microsoft.KeyVault/...` (`l` lower case, `raw` as sent, both after the namespace).
pub fn subscription_route(r: &Req, l: &[&str], raw: &[String]) -> Routed {
    r.api(KEYVAULT_VERSIONS)?;
    match (&r.method, l) {
        (&Method::GET, ["vaults"]) => list_vaults(r, None),
        (&Method::GET, ["deletedvaults"]) => {
            let vaults = r.run("Get-AzKeyVault", json!({"InRemovedState": true}), "ResourceNotFound")?;
            list(vaults.iter().map(deleted_body).collect())
        }
        (&Method::GET, ["locations", _, "deletedvaults", _]) => {
            let vaults =
                r.run("Get-AzKeyVault", json!({"VaultName": raw[3], "InRemovedState": true}), "ResourceNotFound")?;
            vaults.first().map(deleted_body).map(ok).unwrap_or_else(|| Err(deleted_not_found(&raw[3])))
        }
        (&Method::POST, ["locations", _, "deletedvaults", _, "purge"]) => {
            r.run(
                "Remove-AzKeyVault",
                json!({"VaultName": raw[3], "InRemovedState": true, "Force": true, "Location": raw[1]}),
                "ResourceNotFound",
            )
            .map_err(|reply| {
                if reply.status() == StatusCode::NOT_FOUND {
                    deleted_not_found(&raw[3])
                } else {
                    reply
                }
            })?;
            ok(json!({}))
        }
        _ => Err(no_route(r)),
    }
}

fn deleted_not_found(name: &str) -> crate::Reply {
    error(StatusCode::NOT_FOUND, "ResourceNotFound", &format!("The deleted vault '{name}' was not found."))
}

/// `…/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults[/{name}]`.
pub fn group_route(r: &Req, rg: &str, name: Option<&str>, deeper: bool) -> Routed {
    r.api(KEYVAULT_VERSIONS)?;
    if deeper {
        return Err(no_route(r));
    }
    match (&r.method, name) {
        (&Method::GET, None) => list_vaults(r, Some(rg)),
        (&Method::GET, Some(name)) => get(r, rg, name).map(|o| ok(vault_body(r, &o)))?,
        (&Method::PUT, Some(name)) => put(r, rg, name, false),
        (&Method::PATCH, Some(name)) => put(r, rg, name, true),
        (&Method::DELETE, Some(name)) => match get(r, rg, name) {
            Ok(_) => {
                r.run(
                    "Remove-AzKeyVault",
                    json!({"VaultName": name, "ResourceGroupName": rg, "Force": true}),
                    "ResourceNotFound",
                )?;
                ok(json!({}))
            }
            // ARM answers a delete of nothing with 204.
            Err(reply) if reply.status() == StatusCode::NOT_FOUND => Ok(crate::http::empty(StatusCode::NO_CONTENT)),
            Err(reply) => Err(reply),
        },
        _ => Err(no_route(r)),
    }
}

fn list_vaults(r: &Req, rg: Option<&str>) -> Routed {
    let params = match rg {
        Some(rg) => {
            r.run("Get-AzResourceGroup", json!({"Name": rg}), "ResourceGroupNotFound")?;
            json!({"ResourceGroupName": rg})
        }
        None => json!({}),
    };
    list(r.run("Get-AzKeyVault", params, "ResourceNotFound")?.iter().map(|o| vault_body(r, o)).collect())
}

/// The active vault `name` of `rg`, or ARM's 404.
fn get(r: &Req, rg: &str, name: &str) -> Result<Map<String, Value>, crate::Reply> {
    let found = match r.run("Get-AzKeyVault", json!({"VaultName": name, "ResourceGroupName": rg}), "ResourceNotFound") {
        Ok(v) => v.into_iter().next(),
        Err(reply) if reply.status() == StatusCode::NOT_FOUND => None,
        Err(reply) => return Err(reply),
    };
    found.ok_or_else(|| missing(r, rg, TYPE, name))
}

/// A vault in ARM's shape. `vaultUri` is the vault's host on this server,
/// so that a data-plane client built from it reaches the server.
fn vault_body(r: &Req, o: &Map<String, Value>) -> Value {
    let name = text(o, "VaultName");
    let policies: Vec<Value> = o
        .get("AccessPolicies")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| {
                    json!({
                        "tenantId": o.get("TenantId"),
                        "objectId": p.get("ObjectId"),
                        "permissions": {
                            "keys": p.get("PermissionsToKeys").cloned().unwrap_or(json!([])),
                            "secrets": p.get("PermissionsToSecrets").cloned().unwrap_or(json!([])),
                            "certificates": [],
                        },
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let acls = o.get("NetworkAcls").cloned().unwrap_or(json!({}));
    let ip_rules: Vec<Value> = acls
        .get("IpAddressRanges")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|ip| json!({"value": ip})).collect())
        .unwrap_or_default();
    json!({
        "id": o.get("ResourceId"),
        "name": name,
        "type": TYPE,
        "location": o.get("Location"),
        "tags": {},
        "properties": {
            "tenantId": o.get("TenantId"),
            "sku": {"family": "A", "name": text(o, "Sku").to_ascii_lowercase()},
            "accessPolicies": policies,
            "enabledForDeployment": false,
            "enabledForDiskEncryption": false,
            "enabledForTemplateDeployment": false,
            "enableSoftDelete": o.get("EnableSoftDelete"),
            "softDeleteRetentionInDays": o.get("SoftDeleteRetentionInDays"),
            "enableRbacAuthorization": o.get("EnableRbacAuthorization"),
            "enablePurgeProtection": o.get("EnablePurgeProtection"),
            "vaultUri": format!("https://{}.vault.localhost:{}/", name.to_ascii_lowercase(), r.state.port),
            "provisioningState": "Succeeded",
            "publicNetworkAccess": o.get("PublicNetworkAccess"),
            "networkAcls": {
                "bypass": acls.get("Bypass"),
                "defaultAction": acls.get("DefaultAction"),
                "ipRules": ip_rules,
                "virtualNetworkRules": [],
            },
        },
    })
}

fn deleted_body(o: &Map<String, Value>) -> Value {
    let (name, location) = (text(o, "VaultName"), text(o, "Location"));
    json!({
        "id": format!("/subscriptions/{}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}", ppcmk::SUBSCRIPTION_ID),
        "name": name,
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": o.get("ResourceId"),
            "location": location,
            "deletionDate": o.get("DeletionDate"),
            "scheduledPurgeDate": o.get("ScheduledPurgeDate"),
            "tags": {},
            "purgeProtectionEnabled": o.get("EnablePurgeProtection"),
        },
    })
}

/// `Enabled` from `enabled`, `Standard` from `standard`, as the registry's one-of values are spelled.
fn capital(s: &str) -> String {
    let mut c = s.to_ascii_lowercase();
    if let Some(first) = c.get(..1).map(str::to_ascii_uppercase) {
        c.replace_range(..1, &first);
    }
    c
}

/// PUT (create or replace) and PATCH (change what the body names) of a vault.
fn put(r: &Req, rg: &str, name: &str, patch: bool) -> Routed {
    let empty = Map::new();
    let props = r.field("properties").and_then(Value::as_object);
    if props.is_none() && !patch {
        return Err(bad("The request content is missing the required property 'properties'."));
    }
    let props = props.unwrap_or(&empty);
    let flag = |k: &str| member(props, k).and_then(Value::as_bool);
    let string = |k: &str| member(props, k).and_then(Value::as_str);
    if flag("enableSoftDelete") == Some(false) {
        return Err(bad(
            "Soft delete cannot be turned off: it is on for every key vault (enableSoftDelete must be true or absent).",
        ));
    }
    if let Some(t) = string("tenantId") {
        if !t.eq_ignore_ascii_case(ppcmk::TENANT_ID) {
            return Err(bad(format!("The tenant '{t}' is not the store's directory ({}).", ppcmk::TENANT_ID)));
        }
    }
    let sku = path(props, &["sku", "name"]).and_then(Value::as_str).map(capital);
    let existing = match get(r, rg, name) {
        Ok(o) => Some(o),
        Err(reply) if reply.status() == StatusCode::NOT_FOUND && !patch => None,
        Err(reply) => return Err(reply),
    };
    let rbac =
        flag("enableRbacAuthorization").or_else(|| (!patch).then(|| r.api_version.as_str() >= RBAC_DEFAULT_FROM));
    let policies = member(props, "accessPolicies").map(access_policies).transpose()?;
    let Some(existing) = existing else {
        let location = r
            .field("location")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("The request content is missing the required property 'location'."))?;
        if string("tenantId").is_none() || sku.is_none() {
            return Err(bad(
                "The request content is missing the required properties 'properties.tenantId' and 'properties.sku'.",
            ));
        }
        if string("createMode").is_some_and(|m| m.eq_ignore_ascii_case("recover")) {
            r.run(
                "Undo-AzKeyVaultRemoval",
                json!({"VaultName": name, "ResourceGroupName": rg, "Location": location}),
                "ResourceNotFound",
            )?;
            return created(vault_body(r, &get(r, rg, name)?), true);
        }
        let mut params = json!({
            "Name": name, "ResourceGroupName": rg, "Location": location, "Sku": sku,
            "EnablePurgeProtection": flag("enablePurgeProtection").unwrap_or(false),
            "DisableRbacAuthorization": !rbac.unwrap_or(false),
        });
        if let Some(days) = member(props, "softDeleteRetentionInDays").and_then(Value::as_i64) {
            params["SoftDeleteRetentionInDays"] = json!(days);
        }
        if let Some(access) = string("publicNetworkAccess") {
            params["PublicNetworkAccess"] = json!(capital(access));
        }
        r.run("New-AzKeyVault", params, "ResourceGroupNotFound")?;
        apply_policies(r, rg, name, &[], policies.as_deref().unwrap_or_default())?;
        apply_network(r, rg, name, props)?;
        return created(vault_body(r, &get(r, rg, name)?), true);
    };
    if let Some(sku) = &sku {
        if !sku.eq_ignore_ascii_case(text(&existing, "Sku")) {
            return Err(bad(format!(
                "Changing the SKU of a key vault ({} to {sku}) is not modelled by ppcmk.",
                text(&existing, "Sku")
            )));
        }
    }
    if let Some(days) = member(props, "softDeleteRetentionInDays").and_then(Value::as_i64) {
        if Some(days) != existing.get("SoftDeleteRetentionInDays").and_then(Value::as_i64) {
            return Err(bad("softDeleteRetentionInDays cannot be changed once the vault exists."));
        }
    }
    let mut change = Map::new();
    if let Some(purge) = flag("enablePurgeProtection") {
        // false on a protected vault: the engine refuses, as Key Vault does.
        change.insert("EnablePurgeProtection".into(), json!(purge));
    }
    if let Some(rbac) = rbac {
        if existing.get("EnableRbacAuthorization").and_then(Value::as_bool) != Some(rbac) {
            change.insert("DisableRbacAuthorization".into(), json!(!rbac));
        }
    }
    if let Some(access) = string("publicNetworkAccess") {
        change.insert("PublicNetworkAccess".into(), json!(capital(access)));
    }
    if !change.is_empty() {
        change.insert("VaultName".into(), json!(name));
        change.insert("ResourceGroupName".into(), json!(rg));
        r.run("Update-AzKeyVault", Value::Object(change), "ResourceNotFound")?;
    }
    // PUT replaces the access policies (none when absent); PATCH only when named.
    if policies.is_some() || !patch {
        let current: Vec<String> = existing
            .get("AccessPolicies")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|p| p.get("ObjectId").and_then(Value::as_str)).map(str::to_string).collect())
            .unwrap_or_default();
        apply_policies(r, rg, name, &current, policies.as_deref().unwrap_or_default())?;
    }
    apply_network(r, rg, name, props)?;
    created(vault_body(r, &get(r, rg, name)?), false)
}

/// `(objectId, key permissions, secret permissions)` of each `accessPolicies` entry.
type Policy = (String, Vec<Value>, Vec<Value>);

fn access_policies(v: &Value) -> Result<Vec<Policy>, crate::Reply> {
    let entries = v.as_array().ok_or_else(|| bad("properties.accessPolicies must be an array."))?;
    entries
        .iter()
        .map(|e| {
            let e = e.as_object().ok_or_else(|| bad("Each access policy must be an object."))?;
            let object_id = member(e, "objectId")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("Each access policy needs an objectId."))?;
            let perms = |k: &str| path(e, &["permissions", k]).and_then(Value::as_array).cloned().unwrap_or_default();
            Ok((object_id.to_string(), perms("keys"), perms("secrets")))
        })
        .collect()
}

/// Makes the vault's access policies `wanted`: removes the others of `current`, sets each wanted one.
fn apply_policies(r: &Req, rg: &str, name: &str, current: &[String], wanted: &[Policy]) -> Result<(), crate::Reply> {
    for object_id in current {
        if !wanted.iter().any(|(o, _, _)| o.eq_ignore_ascii_case(object_id)) {
            r.run(
                "Remove-AzKeyVaultAccessPolicy",
                json!({"VaultName": name, "ResourceGroupName": rg, "ObjectId": object_id}),
                "ResourceNotFound",
            )?;
        }
    }
    for (object_id, keys, secrets) in wanted {
        r.run(
            "Set-AzKeyVaultAccessPolicy",
            json!({"VaultName": name, "ResourceGroupName": rg, "ObjectId": object_id, "PermissionsToKeys": keys, "PermissionsToSecrets": secrets}),
            "ResourceNotFound",
        )?;
    }
    Ok(())
}

/// `properties.networkAcls` → `Update-AzKeyVaultNetworkRuleSet`.
fn apply_network(r: &Req, rg: &str, name: &str, props: &Map<String, Value>) -> Result<(), crate::Reply> {
    let Some(acls) = member(props, "networkAcls").and_then(Value::as_object) else { return Ok(()) };
    let mut params = json!({"VaultName": name, "ResourceGroupName": rg});
    if let Some(d) = member(acls, "defaultAction").and_then(Value::as_str) {
        params["DefaultAction"] = json!(capital(d));
    }
    if let Some(b) = member(acls, "bypass").and_then(Value::as_str) {
        params["Bypass"] = json!(if b.eq_ignore_ascii_case("AzureServices") { "AzureServices" } else { "None" });
    }
    if let Some(rules) = member(acls, "ipRules").and_then(Value::as_array) {
        let ips: Vec<Value> = rules.iter().filter_map(|r| r.get("value").cloned()).collect();
        params["IpAddressRange"] = json!(ips);
    }
    r.run("Update-AzKeyVaultNetworkRuleSet", params, "ResourceNotFound")?;
    Ok(())
}
