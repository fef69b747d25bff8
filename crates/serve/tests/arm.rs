//! Resource Manager on `ppcmk serve`: a real server on ephemeral ports, real
//! TLS trusting only its CA, ARM tokens from its managed-identity endpoint,
//! and the engine's store read directly to see what a request changed.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

use serde_json::{json, Value};
use std::sync::Arc;

mod support;
use support::{engine, runtime, start, ADMIN};
const SUB: &str = ppcmk::SUBSCRIPTION_ID;
const ENCRYPTION_USER: &str = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

fn ok(home: &std::path::Path, account: Option<&str>, command: &str, params: Value) -> Vec<Value> {
    engine(home, account, command, params).unwrap_or_else(|e| panic!("{command}: {e}"))
}

struct Reply {
    status: u16,
    body: Value,
}

struct Client {
    port: u16,
    ca: std::path::PathBuf,
    token_port: u16,
}

impl Client {
    async fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> Reply {
        let mut roots = rustls::RootCertStore::empty();
        let pem = std::fs::read(&self.ca).unwrap();
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            roots.add(cert.unwrap()).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.unwrap();
        tokio::spawn(conn);
        let mut req = Request::builder().method(method).uri(path).header("host", format!("localhost:{}", self.port));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .header("content-type", "application/json")
            .body(Full::new(Bytes::copy_from_slice(body.unwrap_or_default())))
            .unwrap();
        let res = sender.send_request(req).await.unwrap();
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
        let bytes = body.map(|b| b.to_string().into_bytes());
        self.send(method, path, Some(token), bytes.as_deref()).await
    }

    /// An ARM token (audience `https://management.azure.com/`) for `who`.
    async fn token(&self, who: &str) -> String {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.token_port)).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await.unwrap();
        tokio::spawn(conn);
        let path = format!(
            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id={}",
            who.replace('@', "%40")
        );
        let req = Request::builder()
            .uri(path)
            .header("host", format!("127.0.0.1:{}", self.token_port))
            .header("metadata", "true")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let res = sender.send_request(req).await.unwrap();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        body["access_token"].as_str().unwrap().to_string()
    }
}

fn code(r: &Reply) -> (u16, &str) {
    (r.status, r.body["error"]["code"].as_str().unwrap_or_default())
}

#[test]
fn resource_manager_routes_map_to_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    ok(
        &home,
        None,
        "New-AzADUser",
        json!({"DisplayName": "No Role", "UserPrincipalName": "norole@contoso.onmicrosoft.com"}),
    );
    let server = start(&home);
    let c = Client { port: server.port, ca: server.tls.ca_pem.clone(), token_port: server.token_port };
    let sub = format!("/subscriptions/{SUB}");
    runtime().block_on(async {
        let t = c.token(ADMIN).await;
        let rg = format!("{sub}/resourcegroups/arm-rg");
        // Who asks, then the api-version.
        let r = c.send("GET", &format!("{rg}?api-version=2022-09-01"), None, None).await;
        assert_eq!(code(&r), (401, "AuthenticationFailed"));
        let r = c.call("GET", &rg, &t, None).await;
        assert_eq!(code(&r), (400, "MissingApiVersionParameter"));
        let r = c.call("GET", &format!("{rg}?api-version=1999-01-01"), &t, None).await;
        assert_eq!(code(&r), (400, "InvalidApiVersionParameter"));
        assert!(r.body["error"]["message"].as_str().unwrap().contains("2022-09-01"), "{}", r.body);
        let r = c.call("GET", "/subscriptions/00000000-0000-0000-0000-000000000000?api-version=2022-12-01", &t, None).await;
        assert_eq!(code(&r), (404, "SubscriptionNotFound"));
        let r = c.call("GET", &format!("{sub}?api-version=2022-12-01"), &t, None).await;
        assert_eq!((r.status, r.body["subscriptionId"].as_str()), (200, Some(SUB)));

        // Resource groups: 201 then 200, another location 409, HEAD, a case-insensitive path.
        let api = "api-version=2022-09-01";
        let r = c.call("GET", &format!("{rg}?{api}"), &t, None).await;
        assert_eq!(code(&r), (404, "ResourceGroupNotFound"));
        let r = c.send("HEAD", &format!("{rg}?{api}"), Some(&t), None).await;
        assert_eq!(r.status, 404);
        let r = c.call("PUT", &format!("{rg}?{api}"), &t, Some(json!({"location": "westeurope"}))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["id"], format!("{sub}/resourceGroups/arm-rg"));
        assert_eq!(r.body["properties"]["provisioningState"], "Succeeded");
        let r = c.call("PUT", &format!("{rg}?{api}"), &t, Some(json!({"location": "West Europe"}))).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = c.call("PUT", &format!("{rg}?{api}"), &t, Some(json!({"location": "centralus"}))).await;
        assert_eq!(code(&r), (409, "InvalidResourceGroupLocation"));
        let r = c.send("HEAD", &format!("{rg}?{api}"), Some(&t), None).await;
        assert_eq!(r.status, 204);
        let r = c.call("GET", &format!("/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/arm-rg?{api}"), &t, None).await;
        assert_eq!((r.status, r.body["name"].as_str()), (200, Some("arm-rg")));
        let r = c.call("GET", &format!("{sub}/resourcegroups?{api}"), &t, None).await;
        assert!(r.body["value"].as_array().unwrap().iter().any(|g| g["name"] == "arm-rg"), "{}", r.body);
        assert_eq!(ok(&home, None, "Get-AzResourceGroup", json!({"Name": "arm-rg"}))[0]["Location"], "westeurope");
        // Bad JSON and a caller without rights change nothing.
        let r = c.send("PUT", &format!("{sub}/resourcegroups/bad-rg?{api}"), Some(&t), Some(b"{not json")).await;
        assert_eq!(code(&r), (400, "InvalidRequestContent"));
        let norole = c.token("norole@contoso.onmicrosoft.com").await;
        let r = c.call("PUT", &format!("{sub}/resourcegroups/bad-rg?{api}"), &norole, Some(json!({"location": "westeurope"}))).await;
        assert_eq!(code(&r), (403, "AuthorizationFailed"));
        assert!(engine(&home, None, "Get-AzResourceGroup", json!({"Name": "bad-rg"})).is_err(), "nothing created");

        // Providers: registration, and the resource types with their api-versions (newest first).
        let pp = format!("{sub}/providers/Microsoft.PowerPlatform");
        let r = c.call("GET", &format!("{pp}?{api}"), &t, None).await;
        assert_eq!((r.status, r.body["registrationState"].as_str()), (200, Some("NotRegistered")));
        let r = c.call("POST", &format!("{pp}/register?{api}"), &t, None).await;
        assert_eq!((r.status, r.body["registrationState"].as_str()), (200, Some("Registered")), "{}", r.body);
        assert_eq!(r.body["resourceTypes"][0]["resourceType"], "enterprisePolicies");
        let r = c.call("GET", &format!("{sub}/providers/Microsoft.Nope?{api}"), &t, None).await;
        assert_eq!(code(&r), (404, "InvalidResourceNamespace"));
        // Microsoft.Authorization alone is the provider (what GenericResource asks of a role assignment), not a role route.
        let r = c.call("GET", &format!("{sub}/providers/Microsoft.Authorization?{api}"), &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body["resourceTypes"].as_array().unwrap().iter().any(|t| t["resourceType"] == "roleAssignments"));
        let r = c.call("GET", &format!("{sub}/providers?{api}"), &t, None).await;
        let providers = r.body["value"].as_array().unwrap().clone();
        assert!(providers.iter().any(|p| p["namespace"] == "Microsoft.KeyVault"));

        // A vault with access policies (the default before 2026-02-01), purge protection.
        let admin_oid = ok(&home, None, "Get-AzContext", json!({}))[0]["AccountObjectId"].as_str().unwrap().to_string();
        let kv = format!("{rg}/providers/Microsoft.KeyVault/vaults/armkv");
        let kv_api = "api-version=2023-07-01";
        let body = json!({"location": "westeurope", "properties": {
            "tenantId": ppcmk::TENANT_ID, "sku": {"family": "A", "name": "standard"},
            "enablePurgeProtection": true, "softDeleteRetentionInDays": 7,
            "accessPolicies": [{"tenantId": ppcmk::TENANT_ID, "objectId": admin_oid, "permissions": {"keys": ["get", "wrapKey", "unwrapKey"], "secrets": ["get"]}}],
        }});
        let r = c.call("PUT", &format!("{kv}?{kv_api}"), &t, Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let p = &r.body["properties"];
        assert_eq!(p["enableRbacAuthorization"], false, "{}", r.body);
        assert_eq!(p["vaultUri"], format!("https://armkv.vault.localhost:{}/", c.port));
        assert_eq!(p["accessPolicies"][0]["permissions"]["keys"].as_array().unwrap().len(), 3, "{}", r.body);
        let v = ok(&home, None, "Get-AzKeyVault", json!({"VaultName": "armkv"}));
        assert_eq!((v[0]["EnablePurgeProtection"].as_bool(), v[0]["SoftDeleteRetentionInDays"].as_i64()), (Some(true), Some(7)));
        let r = c.call("PATCH", &format!("{kv}?{kv_api}"), &t, Some(json!({"properties": {"enableRbacAuthorization": true}}))).await;
        assert_eq!((r.status, &r.body["properties"]["enableRbacAuthorization"]), (200, &json!(true)), "{}", r.body);
        assert_eq!(r.body["properties"]["accessPolicies"].as_array().unwrap().len(), 1, "PATCH keeps the policies");
        let r = c.call("PATCH", &format!("{kv}?{kv_api}"), &t, Some(json!({"properties": {"enablePurgeProtection": false}}))).await;
        assert_eq!(r.status, 400, "purge protection stays on: {}", r.body);
        let r = c.call("PUT", &format!("{rg}/providers/Microsoft.KeyVault/vaults/armkv2?api-version=2026-02-01"), &t,
            Some(json!({"location": "westeurope", "properties": {"tenantId": ppcmk::TENANT_ID, "sku": {"family": "A", "name": "standard"}}}))).await;
        assert_eq!((r.status, &r.body["properties"]["enableRbacAuthorization"]), (201, &json!(true)), "RBAC by default from 2026-02-01: {}", r.body);
        let r = c.call("GET", &format!("{rg}/providers/Microsoft.KeyVault/vaults?{kv_api}"), &t, None).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 2, "{}", r.body);
        let r = c.call("GET", &format!("{rg}/providers/Microsoft.KeyVault/vaults/none?{kv_api}"), &t, None).await;
        assert_eq!(code(&r), (404, "ResourceNotFound"));
        let r = c.call("GET", &format!("{sub}/resourceGroups/none/providers/Microsoft.KeyVault/vaults/none?{kv_api}"), &t, None).await;
        assert_eq!(code(&r), (404, "ResourceGroupNotFound"));

        // Every api-version a provider lists is one its routes take (Azure.ResourceManager picks the first).
        for p in &providers {
            for ty in p["resourceTypes"].as_array().unwrap() {
                if p["namespace"] == "Microsoft.KeyVault" && ty["resourceType"] == "vaults" {
                    let first = ty["apiVersions"][0].as_str().unwrap();
                    let r = c.call("GET", &format!("{kv}?api-version={first}"), &t, None).await;
                    assert_eq!(r.status, 200, "{first}: {}", r.body);
                }
            }
        }

        // Generic listings: subscription, resource group, $filter.
        let r = c.call("GET", &format!("{sub}/resources?{api}"), &t, None).await;
        let found = r.body["value"].as_array().unwrap().iter().find(|x| x["name"] == "armkv").cloned().expect("the vault is listed");
        assert_eq!((found["type"].as_str(), found["id"].as_str()), (Some("Microsoft.KeyVault/vaults"), Some(kv.replace("resourcegroups", "resourceGroups").as_str())));
        let r = c.call("GET", &format!("{rg}/resources?{api}&$filter=name%20eq%20%27armkv2%27"), &t, None).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1, "{}", r.body);
        let r = c.call("GET", &format!("{sub}/resources?{api}&$filter=tagName%20eq%20%27x%27"), &t, None).await;
        assert_eq!(code(&r), (400, "InvalidFilterInQueryString"));

        // Role definitions and assignments at the vault's scope.
        let auth = "providers/Microsoft.Authorization";
        let r = c.call("GET", &format!("{kv}/{auth}/roleDefinitions?api-version=2022-04-01&$filter=roleName%20eq%20%27Key%20Vault%20Crypto%20Service%20Encryption%20User%27"), &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["value"][0]["name"], ENCRYPTION_USER);
        let r = c.call("GET", &format!("{sub}/{auth}/roleDefinitions/{ENCRYPTION_USER}?api-version=2022-04-01"), &t, None).await;
        assert_eq!((r.status, r.body["properties"]["roleName"].as_str()), (200, Some("Key Vault Crypto Service Encryption User")));
        let norole_oid = ok(&home, None, "Get-AzADUser", json!({"UserPrincipalName": "norole@contoso.onmicrosoft.com"}))[0]["Id"].as_str().unwrap().to_string();
        let name = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let ra = format!("{kv}/{auth}/roleAssignments/{name}?api-version=2022-04-01");
        let assignment = json!({"properties": {"roleDefinitionId": format!("{sub}/{auth}/roleDefinitions/{ENCRYPTION_USER}"), "principalId": norole_oid, "principalType": "User"}});
        let r = c.call("PUT", &ra, &norole, Some(assignment.clone())).await;
        assert_eq!(code(&r), (403, "AuthorizationFailed"), "{}", r.body);
        let r = c.call("PUT", &ra, &t, Some(assignment.clone())).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(r.body["id"].as_str().unwrap().ends_with(&format!("/roleAssignments/{name}")), "{}", r.body);
        assert_eq!(r.body["properties"]["principalType"], "User");
        let r = c.call("PUT", &ra, &t, Some(assignment.clone())).await;
        assert_eq!(r.status, 200, "the same PUT again");
        let not_guid = format!("{kv}/{auth}/roleAssignments/not-a-guid?api-version=2022-04-01");
        let r = c.call("PUT", &not_guid, &t, Some(assignment.clone())).await;
        assert_eq!(code(&r), (400, "BadRequest"), "a role assignment's name is a GUID: {}", r.body);
        let other = format!("{kv}/{auth}/roleAssignments/7c9e6679-7425-40de-944b-e07fc1f90ae7?api-version=2022-04-01");
        let r = c.call("PUT", &other, &t, Some(assignment)).await;
        assert_eq!(code(&r), (409, "RoleAssignmentExists"));
        let r = c.call("GET", &ra, &t, None).await;
        assert_eq!((r.status, r.body["properties"]["principalId"].as_str()), (200, Some(norole_oid.as_str())));
        let r = c.call("GET", &format!("{kv}/{auth}/roleAssignments?api-version=2022-04-01&$filter=principalId%20eq%20%27{norole_oid}%27"), &t, None).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1, "{}", r.body);
        let r = c.call("GET", &format!("{sub}/{auth}/roleAssignments?api-version=2022-04-01&$filter=atScope()"), &t, None).await;
        assert!(r.body["value"].as_array().unwrap().iter().all(|a| a["properties"]["principalId"] != norole_oid.as_str()), "atScope() leaves out the vault's");
        let r = c.call("DELETE", &ra, &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(engine(&home, None, "Get-AzRoleAssignment", json!({"ObjectId": norole_oid})).unwrap().is_empty());
        let r = c.call("DELETE", &ra, &t, None).await;
        assert_eq!(r.status, 204);
        let r = c.call("GET", &ra, &t, None).await;
        assert_eq!(code(&r), (404, "RoleAssignmentNotFound"));

        // Delete, then the deleted vault, which purge protection keeps.
        let r = c.call("DELETE", &format!("{kv}?{kv_api}"), &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = c.call("GET", &format!("{kv}?{kv_api}"), &t, None).await;
        assert_eq!(r.status, 404);
        let r = c.call("GET", &format!("{sub}/providers/Microsoft.KeyVault/deletedVaults?{kv_api}"), &t, None).await;
        let deleted = r.body["value"].as_array().unwrap().iter().find(|d| d["name"] == "armkv").cloned().expect("listed as deleted");
        assert!(deleted["properties"]["scheduledPurgeDate"].is_string(), "{deleted}");
        let r = c.call("POST", &format!("{sub}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/armkv/purge?{kv_api}"), &t, None).await;
        assert!(r.status >= 400, "purge protection refuses the purge: {}", r.body);
        let r = c.call("DELETE", &format!("{kv}?{kv_api}"), &t, None).await;
        assert_eq!(r.status, 204, "deleting nothing");

        // The group deleted with what it holds: armkv2 soft-deleted, the group gone.
        let r = c.call("DELETE", &format!("{rg}?{api}"), &norole, None).await;
        assert_eq!(code(&r), (404, "ResourceGroupNotFound"), "a group the caller cannot read: {}", r.body);
        let r = c.call("DELETE", &format!("{rg}?{api}"), &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(engine(&home, None, "Get-AzResourceGroup", json!({"Name": "arm-rg"})).is_err());
        let deleted = ok(&home, None, "Get-AzKeyVault", json!({"InRemovedState": true}));
        assert!(deleted.iter().any(|v| v["VaultName"] == "armkv2"), "soft-deleted with its group");
        let r = c.call("DELETE", &format!("{rg}?{api}"), &t, None).await;
        assert_eq!(code(&r), (404, "ResourceGroupNotFound"));
    });
    server.stop();
}

/// The end to end of issue 14: the enterprise policy's identity loses its
/// role on the vault through the REST role-assignment API and the linked
/// environment locks in the store; the assignment put back unlocks it.
#[test]
fn revoking_the_policy_identity_through_role_assignments_locks_the_environment() {
    const PP: &str = "ppadmin@contoso.onmicrosoft.com";
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let pp = ok(&home, None, "New-AzADUser", json!({"DisplayName": "PP Admin", "UserPrincipalName": PP}));
    ok(
        &home,
        None,
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Power Platform Administrator", "UserPrincipalName": PP}),
    );
    let server = start(&home);
    let c = Client { port: server.port, ca: server.tls.ca_pem.clone(), token_port: server.token_port };
    let sub = format!("/subscriptions/{SUB}");
    let rg = format!("{sub}/resourceGroups/cmk");
    let kv = format!("{rg}/providers/Microsoft.KeyVault/vaults/cmk-kv");
    let auth = "providers/Microsoft.Authorization";
    let rt = runtime();
    let (policy_id, identity) = rt.block_on(async {
        let t = c.token(ADMIN).await;
        let r = c.call("PUT", &format!("{rg}?api-version=2022-09-01"), &t, Some(json!({"location": "centralus"}))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = c.call("PUT", &format!("{kv}?api-version=2026-02-01"), &t, Some(json!({"location": "centralus", "properties": {
            "tenantId": ppcmk::TENANT_ID, "sku": {"family": "A", "name": "standard"}, "enablePurgeProtection": true}}))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = c.call("PUT", &format!("{kv}/{auth}/roleAssignments/{}?api-version=2022-04-01", ppcmk::crypto::new_guid()), &t, Some(json!({"properties": {
            "roleDefinitionId": format!("{sub}/{auth}/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603"),
            "principalId": ok(&home, None, "Get-AzContext", json!({}))[0]["AccountObjectId"]}}))).await;
        assert_eq!(r.status, 201, "Crypto Officer for the admin: {}", r.body);
        ok(&home, None, "Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk-key", "Destination": "Software"}));
        let r = c.call("POST", &format!("{sub}/providers/Microsoft.PowerPlatform/register?api-version=2021-04-01"), &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // The documentation's template, deployed through the deployments API.
        let vault_id = format!("{sub}/resourceGroups/cmk/providers/Microsoft.KeyVault/vaults/cmk-kv");
        let template = json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {"policyName": {"type": "string"}},
            "resources": [{
                "type": "Microsoft.PowerPlatform/enterprisePolicies", "apiVersion": "2020-10-30", "name": "[parameters('policyName')]",
                "location": "unitedstates", "kind": "Encryption", "identity": {"type": "SystemAssigned"},
                "properties": {"encryption": {"state": "Enabled", "keyVault": {"id": vault_id, "key": {"name": "cmk-key"}}}}
            }]
        });
        let deployment = format!("{rg}/providers/Microsoft.Resources/deployments/EPDeployment?api-version=2021-04-01");
        let r = c.call("PUT", &deployment, &t, Some(json!({"properties": {"mode": "Incremental", "template": template, "parameters": {"policyName": {"value": "cmk-policy"}}}}))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["properties"]["provisioningState"], "Succeeded");
        let policy_id = r.body["properties"]["outputResources"][0]["id"].as_str().unwrap().to_string();
        assert!(policy_id.ends_with("/enterprisePolicies/cmk-policy"), "{policy_id}");
        let r = c.call("GET", &deployment, &t, None).await;
        assert_eq!((r.status, r.body["properties"]["outputResources"][0]["id"].as_str()), (200, Some(policy_id.as_str())), "{}", r.body);
        let r = c.call("GET", &format!("{policy_id}?api-version=2020-10-30"), &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let identity = r.body["identity"]["systemAssignedIdentityPrincipalId"].as_str().unwrap().to_string();
        assert!(r.body["properties"]["systemId"].as_str().unwrap().starts_with("/regions/"), "{}", r.body);
        assert_eq!(r.body["properties"]["healthStatus"], "Healthy");
        let r = c.call("GET", &format!("{sub}/providers/Microsoft.PowerPlatform/enterprisePolicies?api-version=2020-10-30"), &t, None).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1, "{}", r.body);
        // A second policy through PUT, PATCH and DELETE of the resource itself.
        let second = format!("{rg}/providers/Microsoft.PowerPlatform/enterprisePolicies/second?api-version=2020-10-30");
        let encryption = |version: Option<&str>| json!({"encryption": {"state": "Enabled", "keyVault": {"id": vault_id, "key": {"name": "cmk-key", "version": version}}}});
        let r = c.call("PUT", &second, &t, Some(json!({"location": "unitedstates", "kind": "Lockbox", "properties": encryption(None)}))).await;
        assert_eq!(code(&r), (400, "InvalidRequestContent"), "only Encryption policies: {}", r.body);
        let r = c.call("PUT", &second, &t, Some(json!({"location": "unitedstates", "kind": "Encryption", "identity": {"type": "SystemAssigned"}, "properties": encryption(None)}))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(r.body["identity"]["systemAssignedIdentityPrincipalId"].is_string(), "{}", r.body);
        assert!(r.body["properties"]["systemId"].is_string() && r.body["properties"]["healthStatus"].is_string(), "{}", r.body);
        let version = ok(&home, None, "Get-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk-key"}))[0]["Version"].as_str().unwrap().to_string();
        let r = c.call("PATCH", &second, &t, Some(json!({"properties": encryption(Some(&version))}))).await;
        assert_eq!((r.status, r.body["properties"]["encryption"]["keyVault"]["key"]["version"].as_str()), (200, Some(version.as_str())), "{}", r.body);
        let r = c.call("PUT", &second, &t, Some(json!({"location": "unitedstates", "kind": "Encryption", "properties": encryption(None)}))).await;
        assert_eq!((r.status, &r.body["properties"]["encryption"]["keyVault"]["key"]["version"]), (200, &Value::Null), "a PUT without a version unpins it: {}", r.body);
        let r = c.call("DELETE", &second, &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = c.call("DELETE", &second, &t, None).await;
        assert_eq!(r.status, 204);
        let r = c.call("GET", &second, &t, None).await;
        assert_eq!(code(&r), (404, "ResourceNotFound"));

        // The identity's role on the vault, and the PP admin's Reader on the policy.
        let r = c.call("PUT", &format!("{kv}/{auth}/roleAssignments/{}?api-version=2022-04-01", ppcmk::crypto::new_guid()), &t, Some(json!({"properties": {
            "roleDefinitionId": format!("{sub}/{auth}/roleDefinitions/{ENCRYPTION_USER}"), "principalId": identity, "principalType": "ServicePrincipal"}}))).await;
        assert_eq!((r.status, r.body["properties"]["principalType"].as_str()), (201, Some("ServicePrincipal")), "{}", r.body);
        let r = c.call("PUT", &format!("{policy_id}/{auth}/roleAssignments/{}?api-version=2022-04-01", ppcmk::crypto::new_guid()), &t, Some(json!({"properties": {
            "roleDefinitionId": format!("{sub}/{auth}/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"), "principalId": pp[0]["Id"]}}))).await;
        assert_eq!(r.status, 201, "Reader: {}", r.body);
        (policy_id, identity)
    });

    // A managed environment linked to the policy, as the Power Platform administrator.
    let env = ok(&home, Some(PP), "New-AdminPowerAppEnvironment",
        json!({"DisplayName": "Sales", "Location": "unitedstates", "EnvironmentSku": "Production", "ProvisionDatabase": true}))[0]["EnvironmentName"]
        .as_str().unwrap().to_string();
    ok(
        &home,
        Some(PP),
        "Set-AdminPowerAppEnvironmentGovernanceConfiguration",
        json!({"EnvironmentName": env, "UpdatedGovernanceConfiguration": "{\"protectionLevel\":\"Standard\"}"}),
    );
    ok(
        &home,
        Some(PP),
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [env], "PolicyArmId": policy_id}),
    );
    let state = |home: &std::path::Path| {
        ok(home, Some(PP), "Get-AdminPowerAppEnvironment", json!({"EnvironmentName": env})).remove(0)
    };
    let e = state(&home);
    assert_eq!((e["State"].as_str(), e["KeyManagedBy"].as_str()), (Some("Ready"), Some("Customer")), "{e}");

    rt.block_on(async {
        let t = c.token(ADMIN).await;
        let list =
            format!("{kv}/{auth}/roleAssignments?api-version=2022-04-01&$filter=principalId%20eq%20%27{identity}%27");
        let r = c.call("GET", &list, &t, None).await;
        let assignment = r.body["value"][0].clone();
        assert_eq!(
            assignment["properties"]["roleDefinitionId"].as_str().unwrap().rsplit('/').next(),
            Some(ENCRYPTION_USER),
            "{}",
            r.body
        );
        let id = assignment["id"].as_str().unwrap().to_string();
        let r = c.call("DELETE", &format!("{id}?api-version=2022-04-01"), &t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let e = state(&home);
        assert_eq!(e["State"], "Locked", "the store shows the environment locked: {e}");
        let r = c.call("GET", &format!("{policy_id}?api-version=2020-10-30"), &t, None).await;
        assert_eq!(r.body["properties"]["healthStatus"], "Unhealthy", "{}", r.body);
        // The assignment put back (same name): unlocked.
        let r = c
            .call(
                "PUT",
                &format!("{id}?api-version=2022-04-01"),
                &t,
                Some(json!({"properties": {
            "roleDefinitionId": assignment["properties"]["roleDefinitionId"], "principalId": identity}})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["id"].as_str(), Some(id.as_str()));
        let e = state(&home);
        assert_eq!(e["State"], "Ready", "unlocked: {e}");
        let r = c.call("GET", &format!("{policy_id}?api-version=2020-10-30"), &t, None).await;
        assert_eq!(r.body["properties"]["healthStatus"], "Healthy", "{}", r.body);
    });
    server.stop();
}

/// `Remove-AzResourceGroup` (behind `DELETE {rg}`) refuses a group holding
/// what ppcmk does not delete with it, and then deletes nothing.
#[test]
fn a_group_holding_a_managed_hsm_is_not_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    ok(&home, None, "New-AzResourceGroup", json!({"Name": "hsm-rg", "Location": "westeurope"}));
    ok(
        &home,
        None,
        "New-AzKeyVault",
        json!({"Name": "kv-beside-hsm", "ResourceGroupName": "hsm-rg", "Location": "westeurope"}),
    );
    ok(
        &home,
        None,
        "New-AzKeyVaultManagedHsm",
        json!({"Name": "hsm1", "ResourceGroupName": "hsm-rg", "Location": "westeurope", "Administrator": [ADMIN]}),
    );
    let e = engine(&home, None, "Remove-AzResourceGroup", json!({"Name": "hsm-rg"})).unwrap_err();
    assert_eq!(e.code, ppcmk::ErrorCode::InvalidOperation, "{e}");
    assert!(e.message.contains("hsm1"), "{}", e.message);
    ok(&home, None, "Get-AzKeyVault", json!({"VaultName": "kv-beside-hsm"}));
    ok(&home, None, "Get-AzResourceGroup", json!({"Name": "hsm-rg"}));
}
