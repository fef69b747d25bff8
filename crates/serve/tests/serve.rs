//! A real server on ephemeral ports, real TLS trusting only the CA it
//! created, tokens from its managed-identity endpoint, and the engine's
//! store seen by the CLI's path at once.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use ppcmk_serve::{Config, Running};
use serde_json::{json, Value};
use std::net::IpAddr;
use std::sync::Arc;

mod support;
use support::{engine, runtime, start, start_with, ADMIN};

/// A store with vault `kv1` (RBAC) where the admin is Crypto Officer and Secrets Officer, and a user `norole` without a data-plane role.
fn prepared() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let ok = |c: &str, p: Value| engine(&home, None, c, p).unwrap_or_else(|e| panic!("{c}: {e}"));
    ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let v = ok("New-AzKeyVault", json!({"Name": "kv1", "ResourceGroupName": "rg", "Location": "centralus"}));
    let scope = v[0]["ResourceId"].as_str().unwrap().to_string();
    for role in ["Key Vault Crypto Officer", "Key Vault Secrets Officer"] {
        ok("New-AzRoleAssignment", json!({"SignInName": ADMIN, "RoleDefinitionName": role, "Scope": scope}));
    }
    ok("New-AzADUser", json!({"DisplayName": "No Role", "UserPrincipalName": "norole@contoso.onmicrosoft.com"}));
    (dir, home)
}

struct Reply {
    status: u16,
    headers: hyper::HeaderMap,
    body: Value,
}

/// One request over TLS to 127.0.0.1:port, naming `host` in SNI and Host, trusting only `ca`.
async fn https(
    port: u16,
    ca: &std::path::Path,
    host: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(ca).unwrap();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
    send(TokioIo::new(tls), &format!("{host}:{port}"), method, path, token, body).await
}

async fn send<I>(io: I, authority: &str, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder().method(method).uri(path).header("host", authority).header("metadata", "true");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let req = req.header("content-type", "application/json").body(Full::new(Bytes::from(bytes))).unwrap();
    let res = sender.send_request(req).await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Reply { status, headers, body }
}

/// A request with a raw body (not JSON), to check the hostile-input answers.
async fn https_raw(
    port: u16,
    ca: &std::path::Path,
    host: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &[u8],
) -> Reply {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(ca).unwrap();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.unwrap();
    tokio::spawn(conn);
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", format!("{host}:{port}"))
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
    let res = sender.send_request(req).await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

async fn imds_token(port: u16, query: &str) -> Reply {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    send(
        TokioIo::new(tcp),
        &format!("127.0.0.1:{port}"),
        "GET",
        &format!("/metadata/identity/oauth2/token?api-version=2018-02-01&{query}"),
        None,
        None,
    )
    .await
}

#[test]
fn key_vault_over_https_with_tokens_from_the_managed_identity_endpoint() {
    let (_dir, home) = prepared();
    let server = start(&home);
    let (port, ca) = (server.port, server.tls.ca_pem.clone());
    assert!(std::fs::read_to_string(&ca).unwrap().contains("BEGIN CERTIFICATE"));
    let host = "kv1.vault.localhost";
    let resource = format!("https%3A%2F%2Fvault.localhost%3A{port}");
    let rt = runtime();
    rt.block_on(async {
        let api = "api-version=7.5";
        // The challenge comes before the body is read, with Key Vault's body.
        let r = https(port, &ca, host, "POST", &format!("/keys/k1/create?{api}"), None, None).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.body["error"]["code"], "Unauthorized");
        let challenge = r.headers["www-authenticate"].to_str().unwrap().to_string();
        assert!(challenge.contains(&format!("resource=\"https://vault.localhost:{port}\"")), "{challenge}");
        assert!(
            challenge.contains(&format!("authorization=\"https://login.microsoftonline.com/{}\"", ppcmk::TENANT_ID)),
            "{challenge}"
        );

        // IMDS wants the Metadata header; then it issues a token for the identity.
        let t = imds_token(server.token_port, &format!("resource={resource}")).await;
        assert_eq!(t.status, 200, "{}", t.body);
        let token = t.body["access_token"].as_str().unwrap().to_string();
        assert!(t.body["expires_on"].as_str().unwrap().parse::<i64>().unwrap() > 1_700_000_000);

        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/k1/create?{api}"),
            Some(&token),
            Some(json!({"kty": "RSA", "key_size": 2048, "tags": {"purpose": "test"}})),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let kid = r.body["key"]["kid"].as_str().unwrap().to_string();
        assert!(kid.starts_with(&format!("https://{host}:{port}/keys/k1/")), "{kid}");
        assert!(r.body["attributes"]["created"].is_i64());
        assert!(!r.body["key"]["n"].as_str().unwrap().contains('='), "base64url unpadded");
        assert_eq!(r.body["tags"]["purpose"], "test");

        // The CLI's path sees the key at once, and the audit names the token's caller.
        let keys = engine(&home, None, "Get-AzKeyVaultKey", json!({"VaultName": "kv1", "Name": "k1"})).unwrap();
        assert_eq!(keys[0]["Version"].as_str().unwrap(), kid.rsplit('/').next().unwrap());

        // Latest with the trailing slash, and by version.
        let r = https(port, &ca, host, "GET", &format!("/keys/k1/?{api}"), Some(&token), None).await;
        assert_eq!((r.status, r.body["key"]["kid"].as_str()), (200, Some(kid.as_str())));
        let version = kid.rsplit('/').next().unwrap();
        let r =
            https(port, &ca, host, "GET", &format!("/keys/k1/{version}?api-version=2025-07-01"), Some(&token), None)
                .await;
        assert_eq!(r.status, 200);

        // Wrap then unwrap through the engine's key.
        let plain = "AAECAwQFBgcICQoLDA0ODw";
        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/k1/{version}/wrapkey?{api}"),
            Some(&token),
            Some(json!({"alg": "RSA-OAEP-256", "value": plain})),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let wrapped = r.body["value"].as_str().unwrap().to_string();
        assert!(!wrapped.contains('=') && !wrapped.contains('+') && !wrapped.contains('/'));
        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/k1/{version}/unwrapkey?{api}"),
            Some(&token),
            Some(json!({"alg": "RSA-OAEP-256", "value": wrapped})),
        )
        .await;
        assert_eq!((r.status, r.body["value"].as_str()), (200, Some(plain)));

        // Sign a digest; the server's verify accepts it and refuses another digest.
        let digest = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"; // SHA-256 of ""
        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/k1/{version}/sign?{api}"),
            Some(&token),
            Some(json!({"alg": "PS256", "value": digest})),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let signature = r.body["value"].as_str().unwrap().to_string();
        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/k1/{version}/verify?{api}"),
            Some(&token),
            Some(json!({"alg": "PS256", "digest": digest, "value": signature})),
        )
        .await;
        assert_eq!((r.status, &r.body), (200, &json!({"value": true})));
        let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/k1/{version}/verify?{api}"),
            Some(&token),
            Some(json!({"alg": "PS256", "digest": other, "value": signature})),
        )
        .await;
        assert_eq!((r.status, &r.body), (200, &json!({"value": false})));
        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/k1/sign?{api}"),
            Some(&token),
            Some(json!({"alg": "RS256", "value": "AAEC"})),
        )
        .await;
        assert_eq!(
            (r.status, r.body["error"]["code"].as_str()),
            (400, Some("BadParameter")),
            "a digest of the wrong length"
        );

        // Not found, unknown api-version, malformed JSON.
        let r = https(port, &ca, host, "GET", &format!("/keys/nope/?{api}"), Some(&token), None).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("KeyNotFound")));
        let r = https(port, &ca, host, "GET", "/keys/k1/?api-version=1999-01-01", Some(&token), None).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("BadParameter")));
        let r = https(port, &ca, host, "GET", "/keys/k1/", Some(&token), None).await;
        assert_eq!(r.status, 400, "no api-version");
        let mut raw = https_raw(port, &ca, host, "POST", &format!("/keys/k2/create?{api}"), &token, b"{not json").await;
        assert_eq!((raw.status, raw.body["error"]["code"].as_str()), (400, Some("BadParameter")));
        raw = https_raw(port, &ca, host, "POST", &format!("/keys/k2/create?{api}"), &token, &vec![b' '; 300 * 1024])
            .await;
        assert_eq!(raw.status, 413);
        let r = https(port, &ca, host, "GET", &format!("/certificates/c1?{api}"), Some(&token), None).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("NotFound")));
        assert!(
            engine(&home, None, "Get-AzKeyVaultKey", json!({"VaultName": "kv1", "Name": "k2"})).is_err(),
            "nothing created by bad input"
        );

        // Secrets: set, get, delete, get deleted.
        let r =
            https(port, &ca, host, "PUT", &format!("/secrets/s1?{api}"), Some(&token), Some(json!({"value": "p@ss"})))
                .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = https(port, &ca, host, "GET", &format!("/secrets/s1/?{api}"), Some(&token), None).await;
        assert_eq!((r.status, r.body["value"].as_str()), (200, Some("p@ss")));
        let r = https(port, &ca, host, "DELETE", &format!("/secrets/s1?{api}"), Some(&token), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body["recoveryId"].as_str().unwrap().ends_with("/deletedsecrets/s1"));

        // A principal without a data-plane role: 403 Forbidden.
        let t =
            imds_token(server.token_port, &format!("resource={resource}&client_id=norole%40contoso.onmicrosoft.com"))
                .await;
        let norole = t.body["access_token"].as_str().unwrap().to_string();
        let r = https(port, &ca, host, "GET", &format!("/keys/k1/?{api}"), Some(&norole), None).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (403, Some("Forbidden")), "{}", r.body);

        // Tampered, wrong-audience tokens: 401 with the challenge.
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[2] = parts[2].chars().rev().collect();
        let r = https(port, &ca, host, "GET", &format!("/keys/k1/?{api}"), Some(&parts.join(".")), None).await;
        assert_eq!(r.status, 401);
        assert!(r.body["error"]["message"].as_str().unwrap().starts_with("AKV10046"), "{}", r.body);
        assert!(r.headers.contains_key("www-authenticate"));
        let t = imds_token(server.token_port, "resource=https%3A%2F%2Fmanagement.azure.com").await;
        let arm = t.body["access_token"].as_str().unwrap().to_string();
        let r = https(port, &ca, host, "GET", &format!("/keys/k1/?{api}"), Some(&arm), None).await;
        assert_eq!(r.status, 401);
        assert!(r.body["error"]["message"].as_str().unwrap().starts_with("AKV10022"), "{}", r.body);
    });
    // The audit log names the token's caller.
    let audit = engine(&home, None, "Get-PpCmkAuditLog", json!({})).unwrap_or_default();
    let created =
        audit.iter().find(|e| e.to_string().contains("Add-AzKeyVaultKey")).expect("an audit entry for the create");
    assert!(created.to_string().contains(ADMIN), "{created}");
    server.stop();
}

#[test]
fn a_port_in_use_is_a_clear_error_and_the_ca_is_kept_across_starts() {
    let (_dir, home) = prepared();
    let server = start(&home);
    let ca = std::fs::read_to_string(&server.tls.ca_pem).unwrap();
    let mut config = Config::new(home.clone());
    config.port = server.port;
    config.token_port = 0;
    let e = ppcmk_serve::start(config).err().expect("the port is taken");
    assert!(e.message.contains(&format!("Port {} on 127.0.0.1 is already in use", server.port)), "{}", e.message);
    assert!(e.message.contains("-Port"));
    server.stop();
    let again = start(&home);
    assert_eq!(std::fs::read_to_string(&again.tls.ca_pem).unwrap(), ca, "the CA a client trusts stays");
    assert!(!again.tls.created);
    again.stop();
    let _: IpAddr = "127.0.0.1".parse().unwrap();
}

/// The library never links the server's stack: `cargo tree -p ppcmk -e normal` names none of it.
#[test]
fn the_library_does_not_depend_on_the_server_stack() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::process::Command::new(cargo)
        .args(["tree", "--offline", "--locked", "-p", "ppcmk", "-e", "normal", "--prefix", "none"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.contains("rusqlite"), "the tree was listed: {tree}");
    for stack in ["tokio ", "axum", "hyper", "rustls", "ppcmk-serve", "ring "] {
        assert!(!tree.lines().any(|l| l.starts_with(stack)), "ppcmk depends on {stack}:\n{tree}");
    }
}

/// The Power Platform admin API: environments in BAP's raw shape, and the
/// enterprise-policy link polled to Succeeded, as the PowerShell scripts do it.
#[test]
fn power_platform_link_is_a_polled_operation() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let ok =
        |account: Option<&str>, c: &str, p: Value| engine(&home, account, c, p).unwrap_or_else(|e| panic!("{c}: {e}"));
    const PP: &str = "ppadmin@contoso.onmicrosoft.com";
    ok(None, "New-AzResourceGroup", json!({"Name": "cmk", "Location": "centralus"}));
    let vault = ok(
        None,
        "New-AzKeyVault",
        json!({"Name": "cmk-kv", "ResourceGroupName": "cmk", "Location": "centralus", "EnablePurgeProtection": true}),
    );
    let vault_id = vault[0]["ResourceId"].as_str().unwrap().to_string();
    ok(
        None,
        "New-AzRoleAssignment",
        json!({"SignInName": ADMIN, "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": vault_id}),
    );
    ok(None, "Add-AzKeyVaultKey", json!({"VaultName": "cmk-kv", "Name": "cmk-key", "Destination": "Software"}));
    ok(None, "Register-AzResourceProvider", json!({"ProviderNamespace": "Microsoft.PowerPlatform"}));
    let template = dir.path().join("policy.json");
    std::fs::write(&template, json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.PowerPlatform/enterprisePolicies", "apiVersion": "2020-10-30", "name": "cmk-policy",
            "location": "unitedstates", "kind": "Encryption", "identity": {"type": "SystemAssigned"},
            "properties": {"encryption": {"state": "Enabled", "keyVault": {"id": vault_id, "key": {"name": "cmk-key"}}}}
        }]
    }).to_string()).unwrap();
    let deployed = ok(
        None,
        "New-AzResourceGroupDeployment",
        json!({"ResourceGroupName": "cmk", "TemplateFile": template.display().to_string()}),
    );
    let policy_id = deployed[0]["OutputResources"][0].as_str().unwrap().to_string();
    let policy = ok(None, "Get-PpCmkEnterprisePolicy", json!({"ResourceId": policy_id}));
    let (identity, system_id) =
        (policy[0]["PrincipalId"].as_str().unwrap().to_string(), policy[0]["SystemId"].as_str().unwrap().to_string());
    ok(
        None,
        "New-AzRoleAssignment",
        json!({"ObjectId": identity, "RoleDefinitionName": "Key Vault Crypto Service Encryption User", "Scope": vault_id}),
    );
    let pp = ok(None, "New-AzADUser", json!({"DisplayName": "PP Admin", "UserPrincipalName": PP}));
    ok(
        None,
        "Add-PpCmkDirectoryRoleMember",
        json!({"RoleName": "Power Platform Administrator", "UserPrincipalName": PP}),
    );
    ok(
        None,
        "New-AzRoleAssignment",
        json!({"ObjectId": pp[0]["Id"], "RoleDefinitionName": "Reader", "Scope": policy_id}),
    );
    let env = ok(
        Some(PP),
        "New-AdminPowerAppEnvironment",
        json!({"DisplayName": "Sales", "Location": "unitedstates", "EnvironmentSku": "Production", "ProvisionDatabase": true}),
    );
    let env = env[0]["EnvironmentName"].as_str().unwrap().to_string();
    ok(
        Some(PP),
        "Set-AdminPowerAppEnvironmentGovernanceConfiguration",
        json!({"EnvironmentName": env, "UpdatedGovernanceConfiguration": "{\"protectionLevel\":\"Standard\"}"}),
    );

    let server = start(&home);
    let (port, ca) = (server.port, server.tls.ca_pem.clone());
    runtime().block_on(async {
        let t = imds_token(
            server.token_port,
            &format!("resource=https%3A%2F%2Fservice.powerapps.com%2F&client_id={}", PP.replace('@', "%40")),
        )
        .await;
        let token = t.body["access_token"].as_str().unwrap().to_string();
        let bap = "/providers/Microsoft.BusinessAppPlatform";
        let r = https(
            port,
            &ca,
            "localhost",
            "GET",
            &format!("{bap}/scopes/admin/environments?api-version=2016-11-01"),
            None,
            None,
        )
        .await;
        assert_eq!(r.status, 401);
        let r = https(
            port,
            &ca,
            "localhost",
            "GET",
            &format!("{bap}/scopes/admin/environments?$expand=permissions&api-version=2016-11-01"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let listed = r.body["value"].as_array().unwrap();
        let sales = listed.iter().find(|e| e["name"] == env.as_str()).expect("the environment is listed");
        assert_eq!(sales["properties"]["protectionStatus"]["keyManagedBy"], "Microsoft");
        assert_eq!(sales["properties"]["retentionDetails"]["retentionPeriod"], "P7D");
        assert_eq!(sales["properties"]["states"]["runtime"]["id"], "Enabled");

        let r = https(
            port,
            &ca,
            "localhost",
            "POST",
            &format!("{bap}/environments/{env}/enterprisePolicies/Encryption/link?&api-version=2019-10-01"),
            Some(&token),
            Some(json!({"SystemId": system_id})),
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert_eq!(r.headers["retry-after"], "1");
        let location = r.headers["operation-location"].to_str().unwrap().to_string();
        let path = location.split_once(&format!(":{port}")).unwrap().1.to_string();
        let mut state = String::new();
        for _ in 0..50 {
            let r = https(port, &ca, "localhost", "GET", &path, Some(&token), None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            state = r.body["state"]["id"].as_str().unwrap().to_string();
            if state == "Succeeded" || state == "Failed" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(state, "Succeeded");
        let r = https(
            port,
            &ca,
            "localhost",
            "GET",
            &format!("{bap}/scopes/admin/environments/{env}?api-version=2016-11-01"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(r.body["properties"]["protectionStatus"]["keyManagedBy"], "Customer", "{}", r.body);
        assert_eq!(r.body["properties"]["enterprisePolicies"]["customerManagedKeys"]["linkStatus"], "Linked");
        // The CLI's path sees it at once.
        let envs = engine(&home, Some(PP), "Get-AdminPowerAppEnvironment", json!({"EnvironmentName": env})).unwrap();
        assert_eq!(envs[0]["KeyManagedBy"], "Customer");

        // The Flow admin listings over the same environment.
        let flow = engine(
            &home,
            Some(PP),
            "New-PpCmkFlow",
            json!({"EnvironmentName": env, "DisplayName": "Invoice HTTP", "Trigger": "Http"}),
        )
        .unwrap();
        let flow_name = flow[0]["FlowName"].as_str().unwrap().to_string();
        let ps = "/providers/Microsoft.ProcessSimple";
        let r = https(
            port,
            &ca,
            "localhost",
            "GET",
            &format!("{ps}/scopes/admin/environments/{env}/v2/flows?api-version=2016-11-01"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let listed = r.body["value"].as_array().unwrap();
        let f = listed.iter().find(|f| f["name"] == flow_name.as_str()).expect("the flow is listed");
        assert_eq!(
            (f["properties"]["displayName"].as_str(), f["properties"]["state"].as_str()),
            (Some("Invoice HTTP"), Some("Started"))
        );
        assert_eq!(f["properties"]["environment"]["name"], env.as_str());
        let r = https(
            port,
            &ca,
            "localhost",
            "GET",
            &format!("{ps}/scopes/admin/environments/{env}/v2/flows/{flow_name}?api-version=2016-11-01"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!((r.status, r.body["name"].as_str()), (200, Some(flow_name.as_str())));
        let r = https(
            port,
            &ca,
            "localhost",
            "GET",
            &format!("{ps}/scopes/admin/environments/{env}/nonCmkMigratedFlows?api-version=2016-11-01"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let expected =
            engine(&home, Some(PP), "Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": env})).unwrap();
        assert_eq!(r.body["value"].as_array().unwrap().len(), expected.len());
        let r = https(
            port,
            &ca,
            "localhost",
            "GET",
            &format!("{ps}/environments/{env}/cmkstatus?api-version=2016-11-01"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["environmentName"], env.as_str());
        assert!(r.body.get("flowsOnCustomerKey").is_some(), "{}", r.body);

        // A systemId nobody has: 404, nothing changed.
        let r = https(
            port,
            &ca,
            "localhost",
            "POST",
            &format!("{bap}/environments/{env}/enterprisePolicies/Encryption/unlink?api-version=2019-10-01"),
            Some(&token),
            Some(json!({"SystemId": "/regions/x/providers/Microsoft.PowerPlatform/enterprisePolicies/none"})),
        )
        .await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = https(
            port,
            &ca,
            "localhost",
            "POST",
            &format!("{bap}/environments/{env}/enterprisePolicies/Encryption/unlink?api-version=2019-10-01"),
            Some(&token),
            Some(json!({"SystemId": system_id})),
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.body);
        let path =
            r.headers["operation-location"].to_str().unwrap().split_once(&format!(":{port}")).unwrap().1.to_string();
        let r = https(port, &ca, "localhost", "GET", &path, Some(&token), None).await;
        assert_eq!(r.body["state"]["id"], "Succeeded", "{}", r.body);
        let envs = engine(&home, Some(PP), "Get-AdminPowerAppEnvironment", json!({"EnvironmentName": env})).unwrap();
        assert_eq!(envs[0]["KeyManagedBy"], "Microsoft");
    });
    server.stop();
}

async fn vault_token(server: &Running) -> String {
    let resource = format!("https%3A%2F%2Fvault.localhost%3A{}", server.port);
    let t = imds_token(server.token_port, &format!("resource={resource}")).await;
    t.body["access_token"].as_str().unwrap().to_string()
}

/// Key Vault's per-vault throttle at the limit the store keeps
/// (Set-PpCmkFault -Operation VaultThrottle): 429 Throttled with Retry-After,
/// and none at all with -Throttle Off.
#[test]
fn a_burst_beyond_the_vault_limit_is_throttled_with_retry_after() {
    let (_dir, home) = prepared();
    engine(&home, None, "Add-AzKeyVaultKey", json!({"VaultName": "kv1", "Name": "k1", "Destination": "Software"}))
        .unwrap();
    engine(
        &home,
        None,
        "Set-PpCmkFault",
        json!({"Operation": "VaultThrottle", "VaultName": "kv1", "RequestsPer10Seconds": 5}),
    )
    .unwrap();
    let server = start(&home);
    let (port, ca) = (server.port, server.tls.ca_pem.clone());
    let host = "kv1.vault.localhost";
    runtime().block_on(async {
        let token = vault_token(&server).await;
        let mut statuses = Vec::new();
        let mut throttled = None;
        for _ in 0..8 {
            let r = https(port, &ca, host, "GET", "/keys/k1/?api-version=7.5", Some(&token), None).await;
            statuses.push(r.status);
            if r.status == 429 {
                throttled.get_or_insert(r);
            }
        }
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
        let r = throttled.expect("some requests were throttled");
        assert_eq!(r.body["error"]["code"], "Throttled", "{}", r.body);
        let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=10).contains(&wait), "{wait}");
        // Another vault has its own budget; unknown routes are not counted.
        let r = https(port, &ca, "kv2.vault.localhost", "GET", "/keys/k1/?api-version=7.5", Some(&token), None).await;
        assert_ne!(r.status, 429);
        // The health route counts them.
        let h = https(port, &ca, "localhost", "GET", "/ppcmk/health", None, None).await;
        assert_eq!(h.body["throttled"]["kv1"], 3, "{}", h.body);
    });
    server.stop();
    let off = start_with(&home, |c| c.throttle = false);
    let (port, ca) = (off.port, off.tls.ca_pem.clone());
    runtime().block_on(async {
        let token = vault_token(&off).await;
        for _ in 0..8 {
            let r = https(port, &ca, host, "GET", "/keys/k1/?api-version=7.5", Some(&token), None).await;
            assert_eq!(r.status, 200, "-Throttle Off: {}", r.body);
        }
    });
    off.stop();
}

/// The faults the CLI arms reach the wire: an offline vault answers 503
/// with Retry-After, an injected 500 is a 500, latency delays the answer.
#[test]
fn vault_faults_armed_in_the_store_reach_the_wire() {
    let (_dir, home) = prepared();
    engine(&home, None, "Add-AzKeyVaultKey", json!({"VaultName": "kv1", "Name": "k1", "Destination": "Software"}))
        .unwrap();
    let server = start(&home);
    let (port, ca) = (server.port, server.tls.ca_pem.clone());
    let host = "kv1.vault.localhost";
    let fault = |p: Value| engine(&home, None, "Set-PpCmkFault", p).unwrap();
    runtime().block_on(async {
        let token = vault_token(&server).await;
        let get = "/keys/k1/?api-version=7.5";
        fault(json!({"Operation": "VaultOffline", "VaultName": "kv1", "Seconds": 30}));
        let r = https(port, &ca, host, "GET", get, Some(&token), None).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (503, Some("ServiceUnavailable")), "{}", r.body);
        let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((29..=30).contains(&wait), "the outage's time left: {wait}");
        fault(json!({"Operation": "VaultOffline", "VaultName": "kv1", "Clear": true}));
        fault(json!({"Operation": "VaultErrors", "VaultName": "kv1", "Percent": 100, "StatusCode": 500}));
        let r = https(port, &ca, host, "GET", get, Some(&token), None).await;
        assert_eq!(r.status, 500, "{}", r.body);
        fault(json!({"Operation": "VaultErrors", "VaultName": "kv1", "Clear": true}));
        fault(json!({"Operation": "VaultLatency", "VaultName": "kv1", "Milliseconds": 400}));
        let started = std::time::Instant::now();
        let r = https(port, &ca, host, "GET", get, Some(&token), None).await;
        assert_eq!(r.status, 200);
        assert!(started.elapsed() >= std::time::Duration::from_millis(400), "{:?}", started.elapsed());
    });
    server.stop();
}

/// Bytes written straight to a TLS connection, and what comes back before the server closes it (or `wait` passes).
async fn raw_tls(port: u16, ca: &std::path::Path, host: &str, bytes: &[u8], wait: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(ca).unwrap();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
    let _ = tls.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, tls.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Hostile input gets a clear status and body, never a panic, and changes nothing in the store.
#[test]
fn hostile_input_is_refused_clearly_and_changes_nothing() {
    let (_dir, home) = prepared();
    let server = start_with(&home, |c| {
        c.read_timeout = std::time::Duration::from_secs(1);
        c.max_connections = 4;
    });
    let (port, ca) = (server.port, server.tls.ca_pem.clone());
    let host = "kv1.vault.localhost";
    let audit_before = engine(&home, None, "Get-PpCmkAuditLog", json!({})).unwrap().len();
    runtime().block_on(async {
        let token = vault_token(&server).await;
        let api = "api-version=7.5";
        // Malformed JSON, a body over the limit, an unknown route, an unknown api-version.
        let r = https_raw(port, &ca, host, "POST", &format!("/keys/k2/create?{api}"), &token, b"{\"kty\": ").await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("BadParameter")));
        let r = https_raw(port, &ca, host, "PUT", &format!("/secrets/s2?{api}"), &token, b"[1,2]").await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("BadParameter")), "not an object");
        let big = vec![b'x'; ppcmk_serve_max_body() + 1];
        let r = https_raw(port, &ca, host, "PUT", &format!("/secrets/s2?{api}"), &token, &big).await;
        assert_eq!(r.status, 413);
        assert!(r.body["error"]["code"].is_string(), "Key Vault's error body: {}", r.body);
        let r = https(port, &ca, host, "DELETE", &format!("/keys?{api}"), Some(&token), None).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("NotFound")));
        let r = https(port, &ca, "localhost", "GET", "/no/such/route", None, None).await;
        assert_eq!(r.status, 404);
        let r = https(port, &ca, host, "GET", "/secrets/s1?api-version=7.0", Some(&token), None).await;
        assert_eq!(r.status, 400);
        assert!(r.body["error"]["message"].as_str().unwrap().contains("The specified version (7.0) is not recognized"));

        // Headers: too large a head, too many fields.
        let huge = format!("GET /keys?{api} HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n", "a".repeat(70 * 1024));
        let answer = raw_tls(port, &ca, host, huge.as_bytes(), std::time::Duration::from_secs(5)).await;
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.80}");
        let mut many = format!("GET /keys?{api} HTTP/1.1\r\nHost: {host}\r\n");
        for i in 0..150 {
            many.push_str(&format!("X-H{i}: v\r\n"));
        }
        many.push_str("\r\n");
        let answer = raw_tls(port, &ca, host, many.as_bytes(), std::time::Duration::from_secs(5)).await;
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.80}");

        // A slow client: a head that never ends is cut off; a body that never comes gets 408.
        let started = std::time::Instant::now();
        let answer = raw_tls(port, &ca, host, b"GET /keys HTTP/1.1\r\nHost: kv1", std::time::Duration::from_secs(10)).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "closed after the read timeout: {answer:.80}");
        let slow = format!(
            "PUT /secrets/s3?{api} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"value\""
        );
        let answer = raw_tls(port, &ca, host, slow.as_bytes(), std::time::Duration::from_secs(10)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:.80}");

        // Many connections: past the cap (4 here) the next get a clear 503.
        let mut idle = Vec::new();
        for _ in 0..4 {
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            idle.push(tcp);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let r = https(port, &ca, "localhost", "GET", "/ppcmk/health", None, None).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (503, Some("ServiceUnavailable")), "{}", r.body);
        assert_eq!(r.headers["retry-after"], "1");
        drop(idle);
        let mut healthy = 0;
        for _ in 0..50 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if https(port, &ca, "localhost", "GET", "/ppcmk/health", None, None).await.status == 200 {
                healthy += 1;
                break;
            }
        }
        assert_eq!(healthy, 1, "served again once the idle connections closed");
    });
    // Nothing was created, and nothing reached the engine to be audited.
    assert!(engine(&home, None, "Get-AzKeyVaultSecret", json!({"VaultName": "kv1", "Name": "s2"})).is_err());
    assert!(engine(&home, None, "Get-AzKeyVaultKey", json!({"VaultName": "kv1", "Name": "k2"})).is_err());
    let audit_after = engine(&home, None, "Get-PpCmkAuditLog", json!({})).unwrap();
    let new: Vec<_> =
        audit_after.iter().skip(audit_before).filter(|e| !e.to_string().contains("Get-AzContext")).collect();
    assert!(
        new.iter().all(|e| !e.to_string().contains("Secret") && !e.to_string().contains("Add-AzKeyVaultKey")),
        "{new:?}"
    );
    server.stop();
}

fn ppcmk_serve_max_body() -> usize {
    256 * 1024
}

/// `PUT /keys/{name}` imports a JSON Web Key through the engine's import:
/// the bundle carries the public part only, the server unwraps with the
/// imported private key, and the engine's rules refuse what it cannot hold.
#[test]
fn a_json_web_key_is_imported_and_its_private_key_is_the_one_used() {
    let fixture: Value = serde_json::from_str(include_str!("data/import-rsa2048.json")).unwrap();
    let (_dir, home) = prepared();
    let server = start(&home);
    let (port, ca) = (server.port, server.tls.ca_pem.clone());
    let host = "kv1.vault.localhost";
    runtime().block_on(async {
        let token = vault_token(&server).await;
        let api = "api-version=7.5";
        let mut jwk = fixture["jwk"].clone();
        jwk["key_ops"] = json!(["wrapKey", "unwrapKey"]);
        let body = json!({"key": jwk, "attributes": {"enabled": true}, "tags": {"source": "import"}});
        let r = https(port, &ca, host, "PUT", &format!("/keys/imported?{api}"), Some(&token), Some(body.clone())).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let key = &r.body["key"];
        assert_eq!(key["n"], fixture["jwk"]["n"], "the imported modulus");
        assert_eq!((key["kty"].as_str(), key["e"].as_str()), (Some("RSA"), Some("AQAB")));
        assert_eq!(key["key_ops"], json!(["wrapKey", "unwrapKey"]));
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.get(private).is_none(), "never echo {private}: {}", r.body);
        }
        assert!(key["kid"].as_str().unwrap().starts_with(&format!("https://{host}:{port}/keys/imported/")));
        assert_eq!(r.body["tags"]["source"], "import");
        // The server's unwrap uses the imported private key.
        let r = https(
            port,
            &ca,
            host,
            "POST",
            &format!("/keys/imported/unwrapkey?{api}"),
            Some(&token),
            Some(json!({"alg": "RSA-OAEP-256", "value": fixture["wrapped"]})),
        )
        .await;
        assert_eq!((r.status, &r.body["value"]), (200, &fixture["plain"]), "{}", r.body);
        // The engine sees it at once, imported (the audit says so).
        let audit = engine(&home, None, "Get-PpCmkAuditLog", json!({})).unwrap();
        assert!(audit.iter().any(|e| e.to_string().contains("imported")), "an audit entry for the import");

        // A second import is a new version of the same key.
        let r = https(port, &ca, host, "PUT", &format!("/keys/imported?{api}"), Some(&token), Some(body.clone())).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let versions = engine(
            &home,
            None,
            "Get-AzKeyVaultKey",
            json!({"VaultName": "kv1", "Name": "imported", "IncludeVersions": true}),
        );
        assert_eq!(versions.unwrap().len(), 2);

        // What the engine refuses: EC keys, a public key alone, an HSM key in a Standard vault, no JWK.
        let ec = json!({"key": {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA", "d": "AAAA"}});
        let r = https(port, &ca, host, "PUT", &format!("/keys/ec?{api}"), Some(&token), Some(ec)).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("BadParameter")));
        assert!(r.body["error"]["message"].as_str().unwrap().contains("not supported by ppcmk"), "{}", r.body);
        let mut public = fixture["jwk"].clone();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            public.as_object_mut().unwrap().remove(private);
        }
        let r = https(port, &ca, host, "PUT", &format!("/keys/pub?{api}"), Some(&token), Some(json!({"key": public})))
            .await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("BadParameter")), "{}", r.body);
        let hsm = json!({"key": fixture["jwk"], "Hsm": true});
        let r = https(port, &ca, host, "PUT", &format!("/keys/hsm?{api}"), Some(&token), Some(hsm)).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("BadParameter")), "{}", r.body);
        assert!(r.body["error"]["message"].as_str().unwrap().contains("Premium"), "{}", r.body);
        let r = https(port, &ca, host, "PUT", &format!("/keys/none?{api}"), Some(&token), Some(json!({}))).await;
        assert_eq!(r.status, 400, "{}", r.body);
        // Without the import permission: 403 Forbidden, nothing made.
        let resource = format!("https%3A%2F%2Fvault.localhost%3A{port}");
        let t =
            imds_token(server.token_port, &format!("resource={resource}&client_id=norole%40contoso.onmicrosoft.com"))
                .await;
        let norole = t.body["access_token"].as_str().unwrap().to_string();
        let r = https(port, &ca, host, "PUT", &format!("/keys/denied?{api}"), Some(&norole), Some(body)).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (403, Some("Forbidden")), "{}", r.body);
        for name in ["ec", "pub", "hsm", "denied"] {
            assert!(engine(&home, None, "Get-AzKeyVaultKey", json!({"VaultName": "kv1", "Name": name})).is_err());
        }
        // No private file is left in the serve folder.
        let left: Vec<_> = std::fs::read_dir(home.join("serve"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("import-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    });
    server.stop();
}

/// Listings are paged as Key Vault pages them: `maxresults` 1–25, a
/// `nextLink` on the server's own host and port while more remain.
#[test]
fn listings_are_paged_with_maxresults_and_next_links() {
    let (_dir, home) = prepared();
    for i in 0..5 {
        engine(
            &home,
            None,
            "Set-AzKeyVaultSecret",
            json!({"VaultName": "kv1", "Name": format!("s{i}"), "SecretValue": "v"}),
        )
        .unwrap();
    }
    let server = start(&home);
    let (port, ca) = (server.port, server.tls.ca_pem.clone());
    let host = "kv1.vault.localhost";
    runtime().block_on(async {
        let token = vault_token(&server).await;
        let mut names = Vec::new();
        let mut next = Some("/secrets?api-version=7.5&maxresults=2".to_string());
        let mut pages = 0;
        while let Some(path) = next.take() {
            let r = https(port, &ca, host, "GET", &path, Some(&token), None).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            let value = r.body["value"].as_array().unwrap();
            assert!(value.len() <= 2, "{}", r.body);
            names.extend(value.iter().map(|s| s["id"].as_str().unwrap().rsplit('/').next().unwrap().to_string()));
            pages += 1;
            if let Some(link) = r.body["nextLink"].as_str() {
                let own = format!("https://{host}:{port}/secrets?api-version=7.5&$skiptoken=");
                assert!(link.starts_with(&own) && link.ends_with("&maxresults=2"), "{link}");
                next = Some(link[format!("https://{host}:{port}").len()..].to_string());
            } else {
                assert!(r.body["nextLink"].is_null(), "{}", r.body);
            }
        }
        assert_eq!(pages, 3);
        names.sort();
        assert_eq!(names, ["s0", "s1", "s2", "s3", "s4"]);
        // Without maxresults, one page of up to 25 and no nextLink.
        let r = https(port, &ca, host, "GET", "/secrets?api-version=7.5", Some(&token), None).await;
        assert_eq!((r.body["value"].as_array().unwrap().len(), r.body["nextLink"].is_null()), (5, true));
        // Versions page the same way.
        let r = https(port, &ca, host, "GET", "/secrets/s0/versions?api-version=7.5&maxresults=1", Some(&token), None)
            .await;
        assert_eq!((r.status, r.body["value"].as_array().unwrap().len(), r.body["nextLink"].is_null()), (200, 1, true));
        // Out of range, not a number, a forged token: 400 BadParameter.
        for query in ["maxresults=0", "maxresults=26", "maxresults=ten", "$skiptoken=bm9wZQ"] {
            let r =
                https(port, &ca, host, "GET", &format!("/secrets?api-version=7.5&{query}"), Some(&token), None).await;
            assert_eq!(
                (r.status, r.body["error"]["code"].as_str()),
                (400, Some("BadParameter")),
                "{query}: {}",
                r.body
            );
        }
        let r = https(port, &ca, host, "GET", "/keys?api-version=7.5&maxresults=26", Some(&token), None).await;
        assert!(r.body["error"]["message"].as_str().unwrap().contains("between 1 and 25"), "{}", r.body);
    });
    server.stop();
}
