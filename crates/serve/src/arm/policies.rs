//! `Microsoft.PowerPlatform/enterprisePolicies`: `New-`, `Get-`,
//! `Set-PpCmkEnterprisePolicy` and `Remove-AzResource`, in ARM's shape with
//! `systemId`, the system-assigned identity and the health the engine keeps.

use super::{bad, created, member, missing, no_route, ok, path, text, Req, Routed};
use hyper::{Method, StatusCode};
use serde_json::{json, Map, Value};

pub const POWERPLATFORM_VERSIONS: &[&str] = &["2020-10-30", "2020-10-30-preview"];

const TYPE: &str = "Microsoft.PowerPlatform/enterprisePolicies";

fn policy_body(o: &Map<String, Value>) -> Value {
    json!({
        "id": o.get("ResourceId"),
        "name": o.get("Name"),
        "type": TYPE,
        "location": o.get("Location"),
        "kind": o.get("Kind"),
        "tags": {},
        "identity": {
            "type": "SystemAssigned",
            "systemAssignedIdentityPrincipalId": o.get("PrincipalId"),
            "tenantId": ppcmk::TENANT_ID,
        },
        "properties": {
            "systemId": o.get("SystemId"),
            "healthStatus": o.get("Health"),
            "encryption": {
                "state": o.get("EncryptionState"),
                "keyVault": {"id": o.get("KeyVaultId"), "key": {"name": o.get("KeyName"), "version": o.get("KeyVersion")}},
            },
            "lockbox": null,
            "networkInjection": null,
        },
    })
}

pub fn list(r: &Req, rg: Option<&str>) -> Routed {
    r.api(POWERPLATFORM_VERSIONS)?;
    let params = match rg {
        Some(rg) => {
            r.run("Get-AzResourceGroup", json!({"Name": rg}), "ResourceGroupNotFound")?;
            json!({"ResourceGroup": rg})
        }
        None => json!({}),
    };
    super::list(r.run("Get-PpCmkEnterprisePolicy", params, "ResourceNotFound")?.iter().map(policy_body).collect())
}

fn policy_id(rg: &str, name: &str) -> String {
    format!("{}/providers/{TYPE}/{name}", super::resource_group_id(rg))
}

fn get(r: &Req, rg: &str, name: &str) -> Result<Map<String, Value>, crate::Reply> {
    let found = match r.run("Get-PpCmkEnterprisePolicy", json!({"ResourceId": policy_id(rg, name)}), "ResourceNotFound")
    {
        Ok(v) => v.into_iter().next(),
        Err(reply) if reply.status() == StatusCode::NOT_FOUND => None,
        Err(reply) => return Err(reply),
    };
    found.ok_or_else(|| missing(r, rg, TYPE, name))
}

/// `…/resourceGroups/{rg}/providers/Microsoft.PowerPlatform/enterprisePolicies[/{name}]`.
pub fn group_route(r: &Req, rg: &str, name: Option<&str>, deeper: bool) -> Routed {
    r.api(POWERPLATFORM_VERSIONS)?;
    if deeper {
        return Err(no_route(r));
    }
    match (&r.method, name) {
        (&Method::GET, None) => list(r, Some(rg)),
        (&Method::GET, Some(name)) => ok(policy_body(&get(r, rg, name)?)),
        (&Method::PUT, Some(name)) => put(r, rg, name, false),
        (&Method::PATCH, Some(name)) => put(r, rg, name, true),
        (&Method::DELETE, Some(name)) => match get(r, rg, name) {
            // Deleting a linked policy is allowed, as in Azure: its environments lose their key and lock.
            Ok(_) => {
                r.run(
                    "Remove-AzResource",
                    json!({"ResourceId": policy_id(rg, name), "Force": true}),
                    "ResourceNotFound",
                )?;
                ok(json!({}))
            }
            Err(reply) if reply.status() == StatusCode::NOT_FOUND => Ok(crate::http::empty(StatusCode::NO_CONTENT)),
            Err(reply) => Err(reply),
        },
        _ => Err(no_route(r)),
    }
}

/// PUT creates (201) or updates the key (200); PATCH updates what the body names.
fn put(r: &Req, rg: &str, name: &str, patch: bool) -> Routed {
    if let Some(kind) = r.field("kind").and_then(Value::as_str) {
        if !kind.eq_ignore_ascii_case("Encryption") {
            return Err(bad(format!(
                "The enterprise policy kind '{kind}' is not modelled by ppcmk: only Encryption policies are."
            )));
        }
    }
    let empty = Map::new();
    let encryption = path(&r.input, &["properties", "encryption"]).and_then(Value::as_object).unwrap_or(&empty);
    if let Some(state) = member(encryption, "state").and_then(Value::as_str) {
        if !state.eq_ignore_ascii_case("Enabled") {
            return Err(bad(format!(
                "Encryption state '{state}' is not modelled by ppcmk: a policy's encryption is Enabled."
            )));
        }
    }
    let vault_id = path(encryption, &["keyVault", "id"]).and_then(Value::as_str);
    let key_name = path(encryption, &["keyVault", "key", "name"]).and_then(Value::as_str);
    let key_version = path(encryption, &["keyVault", "key", "version"]).and_then(Value::as_str);
    let existing = match get(r, rg, name) {
        Ok(o) => Some(o),
        Err(reply) if reply.status() == StatusCode::NOT_FOUND && !patch => None,
        Err(reply) => return Err(reply),
    };
    match existing {
        None => {
            if r.field("kind").is_none() {
                return Err(bad("The request content is missing the required property 'kind' (Encryption)."));
            }
            let location = r
                .field("location")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("The request content is missing the required property 'location'."))?;
            let (Some(vault_id), Some(key_name)) = (vault_id, key_name) else {
                return Err(bad("The request content is missing 'properties.encryption.keyVault.id' and 'properties.encryption.keyVault.key.name'."));
            };
            let mut params = json!({"ResourceGroup": rg, "Name": name, "Location": location, "KeyVaultId": vault_id, "KeyName": key_name});
            if let Some(v) = key_version.filter(|v| !v.is_empty()) {
                params["KeyVersion"] = json!(v);
            }
            let made = r.run("New-PpCmkEnterprisePolicy", params, "ResourceGroupNotFound")?;
            created(made.first().map(policy_body).unwrap_or_default(), true)
        }
        Some(o) => {
            let mut params = json!({"ResourceId": text(&o, "ResourceId")});
            let mut changed = false;
            if let Some(v) = vault_id.filter(|v| !v.eq_ignore_ascii_case(text(&o, "KeyVaultId"))) {
                params["KeyVaultId"] = json!(v);
                changed = true;
            }
            if let Some(k) = key_name.filter(|k| *k != text(&o, "KeyName")) {
                params["KeyName"] = json!(k);
                changed = true;
            }
            // PUT without a version unpins it; PATCH leaves it unless named.
            let version = key_version.or((!patch && !encryption.is_empty()).then_some(""));
            if let Some(v) = version.filter(|v| *v != text(&o, "KeyVersion")) {
                params["KeyVersion"] = json!(v);
                changed = true;
            }
            if !changed {
                return created(policy_body(&o), false);
            }
            let updated = r.run("Set-PpCmkEnterprisePolicy", params, "ResourceNotFound")?;
            created(updated.first().map(policy_body).unwrap_or_default(), false)
        }
    }
}
