//! Key Vault's data plane on `<vault>.vault.localhost`: the challenge, the
//! bearer-token check, api-versions, and the key routes, each running an
//! `Az*KeyVault*` command of the registry as the token's principal.

// A route fails with the reply it sends; it is built once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

use crate::http::{self, Body, BodyError, Head};
use crate::{Reply, State};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hyper::header::HeaderValue;
use hyper::{Method, StatusCode};
use ppcmk::{Error, ErrorCode};
use serde_json::{json, Map, Value};
use std::sync::Arc;

use crate::router::KvRoute;
use crate::throttle::{self, Class, Throttle};

/// What a route's objects are, for the not-found code Key Vault uses.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Key,
    Secret,
}

/// Key Vault's error body: `{"error":{"code","message"[,"innererror":{"code"}]}}`.
pub fn error(status: StatusCode, code: &str, inner: Option<&str>, message: &str) -> Reply {
    let mut body = json!({"error": {"code": code, "message": message}});
    if let Some(inner) = inner {
        body["error"]["innererror"] = json!({"code": inner});
    }
    http::json(status, &body)
}

/// 401 with the challenge the SDKs answer: the authority names the store's
/// tenant (only `/<tenant>`: JS takes the whole path as the tenant), the
/// resource is `https://vault.localhost:<port>` so that every SDK's resource
/// check passes for `https://<vault>.vault.localhost:<port>`.
fn challenge(state: &State, message: &str) -> Reply {
    let mut reply = error(StatusCode::UNAUTHORIZED, "Unauthorized", None, message);
    let value = format!(
        "Bearer authorization=\"https://login.microsoftonline.com/{}\", resource=\"{}\"",
        state.tenant_id,
        state.vault_resource()
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        reply.headers_mut().insert(hyper::header::WWW_AUTHENTICATE, v);
    }
    reply
}

pub async fn handle(state: &Arc<State>, vault: &str, head: Head, mut body: Body) -> Reply {
    // Who asks is settled before the body is read: the SDKs' first request
    // to a vault carries no token and no body, and waits for the challenge.
    let Some(token) = head.header("authorization").and_then(|a| {
        let (scheme, token) = a.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
    }) else {
        return challenge(state, "AKV10000: Request is missing a Bearer or PoP token.");
    };
    let audiences =
        [state.vault_resource(), "https://vault.localhost".to_string(), "https://vault.azure.net".to_string()];
    let caller = match state.signer.verify(&token, &state.tenant_id, &audiences, crate::token::now()) {
        Ok(oid) => oid,
        Err(refusal) => return challenge(state, &refusal.0),
    };
    if let Err(message) = crate::router::check_api_version(head.query("api-version")) {
        return error(StatusCode::BAD_REQUEST, "BadParameter", None, &message);
    }
    let bytes = match body.bytes().await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestBodyTooLarge",
                None,
                &format!("The request body is larger than {} bytes.", http::MAX_BODY_BYTES),
            )
        }
        Err(BodyError::Broken) => {
            return error(StatusCode::BAD_REQUEST, "BadParameter", None, "The request body could not be read.")
        }
        Err(BodyError::TimedOut) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                None,
                "The request body did not arrive within the server's read timeout.",
            )
        }
    };
    let input: Map<String, Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => m,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "BadParameter",
                    None,
                    "The request body is not a valid JSON object.",
                )
            }
        }
    };
    let base = format!("https://{vault}.vault.localhost:{}", state.port);
    let query = |name: &str| head.query(name).map(str::to_string);
    let request = KvRequest {
        throttle: state.throttle.clone(),
        vault: vault.to_string(),
        base,
        caller,
        method: head.method.clone(),
        path: head.path.clone(),
        api_version: query("api-version").unwrap_or_default(),
        max_results: query("maxresults"),
        skip_token: query("$skiptoken"),
        input,
    };
    let state = state.clone();
    let routed = tokio::task::spawn_blocking(move || match throttle(&state, &request) {
        Some(refused) => refused,
        None => route(&state, &request),
    });
    match routed.await {
        Ok(reply) => reply,
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", None, "The server failed on this request."),
    }
}

pub(crate) struct KvRequest {
    throttle: Arc<Throttle>,
    vault: String,
    /// `https://<vault>.vault.localhost:<port>`: every id in a response starts with it.
    base: String,
    caller: String,
    method: Method,
    path: String,
    api_version: String,
    /// `maxresults` and `$skiptoken` of a listing, as the query spelled them.
    max_results: Option<String>,
    skip_token: Option<String>,
    input: Map<String, Value>,
}

type Routed = Result<Reply, Reply>;

/// The vault's throttle (Key Vault's published limits, or the store's
/// `VaultThrottle`): 429 `Throttled` with `Retry-After` when over it.
fn throttle(state: &State, r: &KvRequest) -> Option<Reply> {
    if !r.throttle.enabled() {
        return None;
    }
    // Unknown routes are refused without counting.
    let route = crate::router::key_vault_route(&r.method, &r.path)?;
    let class = match &route {
        KvRoute::CreateKey { .. } => {
            Class::CreateKey { hsm: r.input.get("kty").and_then(Value::as_str).is_some_and(|k| k.ends_with("-HSM")) }
        }
        // An import makes a key as a create does, and weighs as one.
        KvRoute::ImportKey { .. } => Class::CreateKey { hsm: import_asks_hsm(&r.input) },
        other => match other.key_name() {
            Some(key) => r.throttle.key_class(&r.vault, key),
            None => Class::Other,
        },
    };
    let limit = state.store.vault_throttle_limit(&r.vault).ok().flatten().unwrap_or(throttle::PUBLISHED_LIMIT);
    let wait = r.throttle.admit(&r.vault, class, limit, std::time::Instant::now()).err()?;
    let mut reply = error(
        StatusCode::TOO_MANY_REQUESTS,
        "Throttled",
        None,
        "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached",
    );
    reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from(wait));
    Some(reply)
}

fn route(state: &State, r: &KvRequest) -> Reply {
    match route_inner(state, r) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn route_inner(state: &State, r: &KvRequest) -> Routed {
    let Some(route) = crate::router::key_vault_route(&r.method, &r.path) else {
        return Err(not_a_route(r));
    };
    match &route {
        KvRoute::ListKeys { deleted } => list_keys(state, r, *deleted),
        KvRoute::CreateKey { name } => create_key(state, r, name),
        KvRoute::ImportKey { name } => import_key(state, r, name),
        KvRoute::KeyVersions { name } => key_versions(state, r, name),
        KvRoute::GetRotationPolicy { name } => get_rotation_policy(state, r, name),
        KvRoute::SetRotationPolicy { name } => set_rotation_policy(state, r, name),
        KvRoute::RotateKey { name } => rotate_key(state, r, name),
        KvRoute::GetKey { name, version } => get_key(state, r, name, version.as_deref()),
        KvRoute::UpdateKey { name, version } => update_key(state, r, name, version.as_deref()),
        KvRoute::DeleteKey { name } => delete_key(state, r, name),
        KvRoute::GetDeletedKey { name } => get_deleted_key(state, r, name),
        KvRoute::RecoverKey { name } => recover_key(state, r, name),
        KvRoute::PurgeKey { name } => purge_key(state, r, name),
        KvRoute::Signature { name, version, verify } => sign_or_verify(state, r, name, version.as_deref(), *verify),
        KvRoute::Crypto { name, version, operation } => key_operation(state, r, name, version.as_deref(), operation),
        KvRoute::ListSecrets { deleted } => list_secrets(state, r, *deleted),
        KvRoute::SetSecret { name } => set_secret(state, r, name),
        KvRoute::SecretVersions { name } => secret_versions(state, r, name),
        KvRoute::GetSecret { name, version } => get_secret(state, r, name, version.as_deref()),
        KvRoute::DeleteSecret { name } => delete_secret(state, r, name),
        KvRoute::GetDeletedSecret { name } => get_deleted_secret(state, r, name),
        KvRoute::RecoverSecret { name } => recover_secret(state, r, name),
        KvRoute::PurgeSecret { name } => purge_secret(state, r, name),
    }
}

fn not_a_route(r: &KvRequest) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        "NotFound",
        None,
        &format!("No route {} {} on a vault host (ppcmk serve: see docs/rest.md for the routes).", r.method, r.path),
    )
}

/// Runs a command as the request's caller; an engine error becomes Key Vault's error reply.
fn run(
    state: &State,
    r: &KvRequest,
    kind: Kind,
    command: &str,
    mut params: Value,
) -> Result<Vec<Map<String, Value>>, Reply> {
    params["VaultName"] = json!(r.vault);
    match state.invoke(command, params, Some(&r.caller)) {
        Ok(outcome) => Ok(outcome.objects.into_iter().map(|o| o.into_iter().collect()).collect()),
        Err(e) => Err(engine_error(&e, kind)),
    }
}

/// An engine error as Key Vault says it.
fn engine_error(e: &Error, kind: Kind) -> Reply {
    let m = e.message.as_str();
    match e.code {
        ErrorCode::NotSignedIn => error(StatusCode::UNAUTHORIZED, "Unauthorized", None, m),
        ErrorCode::ForbiddenByFirewall => error(StatusCode::FORBIDDEN, "Forbidden", Some("ForbiddenByFirewall"), m),
        ErrorCode::Forbidden | ErrorCode::KeyVaultAccessDenied | ErrorCode::EnterprisePolicyAccessDenied => {
            let inner = if m.contains("not authorized") || m.contains("role") {
                "ForbiddenByRbac"
            } else {
                "ForbiddenByPolicy"
            };
            error(StatusCode::FORBIDDEN, "Forbidden", Some(inner), m)
        }
        ErrorCode::PurgeProtected => error(StatusCode::FORBIDDEN, "Forbidden", None, m),
        ErrorCode::NotFound => {
            let code = match kind {
                Kind::Key => "KeyNotFound",
                Kind::Secret => "SecretNotFound",
            };
            error(StatusCode::NOT_FOUND, code, None, m)
        }
        ErrorCode::Conflict | ErrorCode::AlreadyExists | ErrorCode::OperationInProgress => {
            let inner = if m.contains("deleted") { Some("ObjectIsDeletedButRecoverable") } else { None };
            error(StatusCode::CONFLICT, "Conflict", inner, m)
        }
        ErrorCode::InvalidOperation if m.contains("disabled") => {
            error(StatusCode::FORBIDDEN, "Forbidden", Some("KeyDisabled"), m)
        }
        // Transient: the SDKs retry them after Retry-After.
        ErrorCode::StoreBusy | ErrorCode::ServiceUnavailable => {
            let mut reply = error(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", None, m);
            reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from(e.retry_after.unwrap_or(1)));
            reply
        }
        ErrorCode::LimitExceeded => {
            let mut reply = error(StatusCode::TOO_MANY_REQUESTS, "Throttled", None, m);
            reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from(e.retry_after.unwrap_or(1)));
            reply
        }
        // An injected 500 (Set-PpCmkFault -Operation VaultErrors -StatusCode 500).
        ErrorCode::FaultInjected => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", None, m),
        ErrorCode::Internal | ErrorCode::StoreError | ErrorCode::FileError => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", None, m)
        }
        _ => error(StatusCode::BAD_REQUEST, "BadParameter", None, m),
    }
}

fn bad(message: impl AsRef<str>) -> Reply {
    error(StatusCode::BAD_REQUEST, "BadParameter", None, message.as_ref())
}

// ------------------------------------------------------------ wire shapes

/// An RFC 3339 time of the engine as Key Vault's integer seconds.
fn unix(v: Option<&Value>) -> Option<i64> {
    let text = v?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp())
}

/// Key Vault's integer seconds as the engine's RFC 3339 time.
fn rfc3339(v: &Value, field: &str) -> Result<Option<String>, Reply> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
            .ok_or_else(|| bad(format!("attributes.{field} must be a time in seconds since 1970."))),
        _ => Err(bad(format!("attributes.{field} must be an integer (seconds since 1970)."))),
    }
}

/// The engine's ids name `https://<vault>.vault.azure.net/`; the server's own host and port replace it.
fn own_id(r: &KvRequest, id: &str) -> String {
    let azure = format!("https://{}.vault.azure.net/", r.vault);
    match id.get(..azure.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(&azure) => format!("{}/{}", r.base, &id[azure.len()..]),
        _ => id.to_string(),
    }
}

fn attributes(o: &Map<String, Value>) -> Value {
    let mut a = json!({
        "enabled": o.get("Enabled").and_then(Value::as_bool).unwrap_or(true),
        "created": unix(o.get("Created")),
        "updated": unix(o.get("Updated")),
        "recoveryLevel": o.get("RecoveryLevel").cloned().unwrap_or(Value::Null),
    });
    if let Some(nbf) = unix(o.get("NotBefore")) {
        a["nbf"] = json!(nbf);
    }
    if let Some(exp) = unix(o.get("Expires")) {
        a["exp"] = json!(exp);
    }
    let level = o.get("RecoveryLevel").and_then(Value::as_str).unwrap_or_default();
    if level.starts_with("Recoverable") {
        a["recoverableDays"] = json!(90);
    }
    a
}

fn tags(o: &Map<String, Value>) -> Option<Value> {
    match o.get("Tags") {
        Some(Value::Object(t)) if !t.is_empty() => Some(Value::Object(t.clone())),
        _ => None,
    }
}

fn key_bundle(r: &KvRequest, o: &Map<String, Value>) -> Value {
    let mut key = o.get("Key").cloned().unwrap_or_else(|| json!({}));
    if let Some(name) = o.get("Name").and_then(Value::as_str) {
        r.throttle.learn_key(&r.vault, name, &key);
    }
    if let Some(kid) = key.get("kid").and_then(Value::as_str).map(|k| own_id(r, k)) {
        key["kid"] = json!(kid);
    }
    let mut bundle = json!({"key": key, "attributes": attributes(o)});
    if let Some(t) = tags(o) {
        bundle["tags"] = t;
    }
    add_deletion(r, o, &mut bundle, "deletedkeys");
    bundle
}

fn add_deletion(r: &KvRequest, o: &Map<String, Value>, bundle: &mut Value, collection: &str) {
    if let Some(deleted) = unix(o.get("DeletedDate")) {
        let name = o.get("Name").and_then(Value::as_str).unwrap_or_default();
        bundle["recoveryId"] = json!(format!("{}/{collection}/{name}", r.base));
        bundle["deletedDate"] = json!(deleted);
        if let Some(purge) = unix(o.get("ScheduledPurgeDate")) {
            bundle["scheduledPurgeDate"] = json!(purge);
        }
    }
}

fn key_item(r: &KvRequest, o: &Map<String, Value>, versioned: bool) -> Value {
    let name = o.get("Name").and_then(Value::as_str).unwrap_or_default();
    let version = o.get("Version").and_then(Value::as_str).unwrap_or_default();
    let kid = if versioned { format!("{}/keys/{name}/{version}", r.base) } else { format!("{}/keys/{name}", r.base) };
    let mut item = json!({"kid": kid, "attributes": attributes(o)});
    if let Some(t) = tags(o) {
        item["tags"] = t;
    }
    add_deletion(r, o, &mut item, "deletedkeys");
    item
}

fn ok(body: Value) -> Routed {
    Ok(http::json(StatusCode::OK, &body))
}

fn first(objects: Vec<Map<String, Value>>, name: &str) -> Result<Map<String, Value>, Reply> {
    first_of(objects, name, Kind::Key)
}

fn first_of(objects: Vec<Map<String, Value>>, name: &str, kind: Kind) -> Result<Map<String, Value>, Reply> {
    objects.into_iter().next().ok_or_else(|| match kind {
        Kind::Key => error(StatusCode::NOT_FOUND, "KeyNotFound", None, &format!("A key with (name/id) {name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182")),
        Kind::Secret => error(StatusCode::NOT_FOUND, "SecretNotFound", None, &format!("A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182")),
    })
}

// ------------------------------------------------------------------ keys

fn list_keys(state: &State, r: &KvRequest, deleted: bool) -> Routed {
    let params = if deleted { json!({"InRemovedState": true}) } else { json!({}) };
    let objects = run(state, r, Kind::Key, "Get-AzKeyVaultKey", params)?;
    page(r, objects.iter().map(|o| key_item(r, o, false)).collect())
}

fn key_versions(state: &State, r: &KvRequest, name: &str) -> Routed {
    let objects = run(state, r, Kind::Key, "Get-AzKeyVaultKey", json!({"Name": name, "IncludeVersions": true}))?;
    page(r, objects.iter().map(|o| key_item(r, o, true)).collect())
}

fn get_key(state: &State, r: &KvRequest, name: &str, version: Option<&str>) -> Routed {
    let mut params = json!({"Name": name});
    if let Some(v) = version {
        params["Version"] = json!(v);
    }
    let o = first(run(state, r, Kind::Key, "Get-AzKeyVaultKey", params)?, name)?;
    ok(key_bundle(r, &o))
}

fn get_deleted_key(state: &State, r: &KvRequest, name: &str) -> Routed {
    let o = first(run(state, r, Kind::Key, "Get-AzKeyVaultKey", json!({"Name": name, "InRemovedState": true}))?, name)?;
    ok(key_bundle(r, &o))
}

/// `key_ops`, `attributes` and `tags` of a create or update body as command parameters.
fn key_properties(r: &KvRequest, params: &mut Value, update: bool) -> Result<(), Reply> {
    if let Some(ops) = r.input.get("key_ops").filter(|v| !v.is_null()) {
        let ops = ops.as_array().ok_or_else(|| bad("key_ops must be an array of operations."))?;
        params["KeyOps"] = Value::Array(ops.clone());
    }
    if let Some(a) = r.input.get("attributes").filter(|v| !v.is_null()) {
        let a = a.as_object().ok_or_else(|| bad("attributes must be an object."))?;
        if let Some(e) = a.get("enabled").filter(|v| !v.is_null()) {
            let e = e.as_bool().ok_or_else(|| bad("attributes.enabled must be true or false."))?;
            if update {
                params["Enable"] = json!(e);
            } else if !e {
                params["Disable"] = json!(true);
            }
        }
        if let Some(t) = rfc3339(a.get("exp").unwrap_or(&Value::Null), "exp")? {
            params["Expires"] = json!(t);
        }
        if let Some(t) = rfc3339(a.get("nbf").unwrap_or(&Value::Null), "nbf")? {
            params["NotBefore"] = json!(t);
        }
    }
    if let Some(t) = r.input.get("tags").filter(|v| !v.is_null()) {
        let t = t.as_object().ok_or_else(|| bad("tags must be an object of strings."))?;
        params["Tag"] = Value::Object(t.clone());
    }
    Ok(())
}

fn create_key(state: &State, r: &KvRequest, name: &str) -> Routed {
    let kty = r.input.get("kty").and_then(Value::as_str).ok_or_else(|| bad("The parameter kty is required."))?;
    let mut params = json!({"Name": name, "KeyType": kty});
    if let Some(size) = r.input.get("key_size").filter(|v| !v.is_null()) {
        params["Size"] = json!(size.as_i64().ok_or_else(|| bad("key_size must be an integer."))?);
    }
    key_properties(r, &mut params, false)?;
    let o = first(run(state, r, Kind::Key, "Add-AzKeyVaultKey", params)?, name)?;
    ok(key_bundle(r, &o))
}

/// Whether an import body asks for an HSM key: `Hsm` (the SDKs' spelling) or `kty` RSA-HSM.
fn import_asks_hsm(input: &Map<String, Value>) -> bool {
    let flag = input.get("Hsm").or_else(|| input.get("hsm")).and_then(Value::as_bool).unwrap_or(false);
    let kty = input.get("key").and_then(|k| k.get("kty")).and_then(Value::as_str);
    flag || kty.is_some_and(|k| k.eq_ignore_ascii_case("RSA-HSM"))
}

/// `PUT /keys/{name}` `{key: JWK, Hsm, attributes, tags}`: the JWK goes to
/// `Add-AzKeyVaultKey -KeyFilePath` through a private file in the serve
/// folder, so the engine's import (sizes, consistency, the `import`
/// permission, HSM rules) decides, as it does for a key file from the CLI.
fn import_key(state: &State, r: &KvRequest, name: &str) -> Routed {
    let jwk = r.input.get("key").and_then(Value::as_object).ok_or_else(|| {
        bad("The parameter key is required: a JSON Web Key with the RSA private components (n, e, d, p, q, dp, dq, qi).")
    })?;
    let mut params = json!({"Name": name});
    if import_asks_hsm(&r.input) {
        params["Destination"] = json!("HSM");
    }
    if let Some(ops) = jwk.get("key_ops").filter(|v| !v.is_null()) {
        let ops = ops.as_array().ok_or_else(|| bad("key.key_ops must be an array of operations."))?;
        params["KeyOps"] = Value::Array(ops.clone());
    }
    key_properties(r, &mut params, false)?;
    let folder = ppcmk_serve_folder(state)?;
    let path = folder.join(format!("import-{}.json", ppcmk::crypto::new_guid()));
    crate::tls::write_private(&path, Value::Object(jwk.clone()).to_string().as_bytes())
        .map_err(|e| engine_error(&e, Kind::Key))?;
    params["KeyFilePath"] = json!(path.display().to_string());
    let result = run(state, r, Kind::Key, "Add-AzKeyVaultKey", params);
    let _ = std::fs::remove_file(&path);
    let o = first(result?, name)?;
    ok(key_bundle(r, &o))
}

/// Key Vault's page size: `maxresults` 1–25, 25 when absent.
const MAX_PAGE: usize = 25;

/// One page of a listing: `maxresults` items from the `$skiptoken`'s
/// offset, and a `nextLink` on the server's own host and port when more
/// remain (`null` otherwise, as Key Vault sends it).
fn page(r: &KvRequest, items: Vec<Value>) -> Routed {
    let size = match r.max_results.as_deref() {
        None => MAX_PAGE,
        Some(text) => text.trim().parse::<usize>().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| {
            bad(format!(
                "Invalid maxresults value '{text}': the maximum number of results in a page must be between 1 and {MAX_PAGE}."
            ))
        })?,
    };
    let start = match r.skip_token.as_deref() {
        None => 0,
        Some(token) => skip_offset(token).ok_or_else(|| bad("The $skiptoken is not valid for this listing."))?,
    };
    let end = start.saturating_add(size).min(items.len());
    let value: Vec<Value> = items.get(start..end).map(<[Value]>::to_vec).unwrap_or_default();
    let next = (end < items.len()).then(|| {
        let mut link = format!("{}{}?api-version={}&$skiptoken={}", r.base, r.path, r.api_version, skip_token(end));
        if let Some(n) = &r.max_results {
            link.push_str(&format!("&maxresults={}", n.trim()));
        }
        link
    });
    ok(json!({"value": value, "nextLink": next}))
}

/// An opaque continuation, shaped as Key Vault's (base64 of `{"NextMarker", "TargetLocation"}`).
fn skip_token(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(json!({"NextMarker": offset.to_string(), "TargetLocation": 0}).to_string())
}

fn skip_offset(token: &str) -> Option<usize> {
    let doc: Value = serde_json::from_slice(&decode_b64url(token)?).ok()?;
    doc.get("NextMarker")?.as_str()?.parse().ok()
}

fn update_key(state: &State, r: &KvRequest, name: &str, version: Option<&str>) -> Routed {
    let mut params = json!({"Name": name, "PassThru": true});
    if let Some(v) = version {
        params["Version"] = json!(v);
    }
    key_properties(r, &mut params, true)?;
    let o = first(run(state, r, Kind::Key, "Update-AzKeyVaultKey", params)?, name)?;
    ok(key_bundle(r, &o))
}

fn delete_key(state: &State, r: &KvRequest, name: &str) -> Routed {
    let o = first(
        run(state, r, Kind::Key, "Remove-AzKeyVaultKey", json!({"Name": name, "Force": true, "PassThru": true}))?,
        name,
    )?;
    ok(key_bundle(r, &o))
}

fn recover_key(state: &State, r: &KvRequest, name: &str) -> Routed {
    let o = first(run(state, r, Kind::Key, "Undo-AzKeyVaultKeyRemoval", json!({"Name": name}))?, name)?;
    ok(key_bundle(r, &o))
}

fn purge_key(state: &State, r: &KvRequest, name: &str) -> Routed {
    run(state, r, Kind::Key, "Remove-AzKeyVaultKey", json!({"Name": name, "InRemovedState": true, "Force": true}))?;
    Ok(http::empty(StatusCode::NO_CONTENT))
}

fn rotate_key(state: &State, r: &KvRequest, name: &str) -> Routed {
    let o = first(run(state, r, Kind::Key, "Invoke-AzKeyVaultKeyRotation", json!({"Name": name}))?, name)?;
    ok(key_bundle(r, &o))
}

fn policy_body(r: &KvRequest, name: &str, o: &Map<String, Value>) -> Value {
    let actions: Vec<Value> = o
        .get("LifetimeActions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|a| {
                    let mut trigger = json!({});
                    if let Some(t) = a.get("TimeAfterCreate").filter(|v| !v.is_null()) {
                        trigger["timeAfterCreate"] = t.clone();
                    }
                    if let Some(t) = a.get("TimeBeforeExpiry").filter(|v| !v.is_null()) {
                        trigger["timeBeforeExpiry"] = t.clone();
                    }
                    json!({"trigger": trigger, "action": {"type": a.get("Action").cloned().unwrap_or(Value::Null)}})
                })
                .collect()
        })
        .unwrap_or_default();
    let mut attributes = json!({"created": unix(o.get("CreatedOn")), "updated": unix(o.get("UpdatedOn"))});
    if let Some(e) = o.get("ExpiresIn").filter(|v| !v.is_null()) {
        attributes["expiryTime"] = e.clone();
    }
    json!({"id": format!("{}/keys/{name}/rotationpolicy", r.base), "lifetimeActions": actions, "attributes": attributes})
}

fn get_rotation_policy(state: &State, r: &KvRequest, name: &str) -> Routed {
    let o = first(run(state, r, Kind::Key, "Get-AzKeyVaultKeyRotationPolicy", json!({"Name": name}))?, name)?;
    ok(policy_body(r, name, &o))
}

/// The policy JSON goes to the engine as it came (its parser is the area's,
/// the same one `-PolicyPath` reads), through a private file in the serve folder.
fn set_rotation_policy(state: &State, r: &KvRequest, name: &str) -> Routed {
    let folder = ppcmk_serve_folder(state)?;
    let path = folder.join(format!("policy-{}.json", ppcmk::crypto::new_guid()));
    crate::tls::write_private(&path, Value::Object(r.input.clone()).to_string().as_bytes())
        .map_err(|e| engine_error(&e, Kind::Key))?;
    let result = run(
        state,
        r,
        Kind::Key,
        "Set-AzKeyVaultKeyRotationPolicy",
        json!({"Name": name, "PolicyPath": path.display().to_string()}),
    );
    let _ = std::fs::remove_file(&path);
    let o = first(result?, name)?;
    ok(policy_body(r, name, &o))
}

fn ppcmk_serve_folder(state: &State) -> Result<std::path::PathBuf, Reply> {
    crate::tls::serve_folder(state.store.home()).map_err(|e| engine_error(&e, Kind::Key))
}

fn key_operation(state: &State, r: &KvRequest, name: &str, version: Option<&str>, operation: &str) -> Routed {
    let alg = r.input.get("alg").and_then(Value::as_str).ok_or_else(|| bad("The parameter alg is required."))?;
    let value = r.input.get("value").and_then(Value::as_str).ok_or_else(|| bad("The parameter value is required."))?;
    let bytes = decode_b64url(value).ok_or_else(|| bad("value must be base64url."))?;
    let mut params =
        json!({"Name": name, "Operation": operation, "Algorithm": alg, "ByteArrayValue": STANDARD.encode(&bytes)});
    if let Some(v) = version {
        params["Version"] = json!(v);
    }
    let o = first(run(state, r, Kind::Key, "Invoke-AzKeyVaultKeyOperation", params)?, name)?;
    let result = o.get("Result").and_then(Value::as_str).and_then(|b| STANDARD.decode(b).ok()).unwrap_or_default();
    let kid = o.get("KeyId").and_then(Value::as_str).map(|k| own_id(r, k)).unwrap_or_default();
    ok(json!({"kid": kid, "value": URL_SAFE_NO_PAD.encode(result)}))
}

/// `sign` `{alg, value: digest}` → `{kid, value: signature}`; `verify`
/// `{alg, digest, value: signature}` → `{value: bool}`.
fn sign_or_verify(state: &State, r: &KvRequest, name: &str, version: Option<&str>, verify: bool) -> Routed {
    let alg = r.input.get("alg").and_then(Value::as_str).ok_or_else(|| bad("The parameter alg is required."))?;
    let field = |k: &str| -> Result<Vec<u8>, Reply> {
        let text =
            r.input.get(k).and_then(Value::as_str).ok_or_else(|| bad(format!("The parameter {k} is required.")))?;
        decode_b64url(text).ok_or_else(|| bad(format!("{k} must be base64url.")))
    };
    let (digest, signature) = if verify { (field("digest")?, Some(field("value")?)) } else { (field("value")?, None) };
    let mut params = json!({
        "Name": name,
        "Operation": if verify { "Verify" } else { "Sign" },
        "Algorithm": alg,
        "ByteArrayValue": STANDARD.encode(&digest),
    });
    if let Some(s) = signature {
        params["Signature"] = json!(STANDARD.encode(s));
    }
    if let Some(v) = version {
        params["Version"] = json!(v);
    }
    let o = first(run(state, r, Kind::Key, "Invoke-AzKeyVaultKeyOperation", params)?, name)?;
    if verify {
        return ok(json!({"value": o.get("Result").and_then(Value::as_bool).unwrap_or(false)}));
    }
    let signature = o.get("Result").and_then(Value::as_str).and_then(|b| STANDARD.decode(b).ok()).unwrap_or_default();
    let kid = o.get("KeyId").and_then(Value::as_str).map(|k| own_id(r, k)).unwrap_or_default();
    ok(json!({"kid": kid, "value": URL_SAFE_NO_PAD.encode(signature)}))
}

/// base64url, padded or not (Key Vault emits it unpadded and accepts both).
pub fn decode_b64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

// --------------------------------------------------------------- secrets

fn secret_attributes(o: &Map<String, Value>) -> Value {
    let created = unix(o.get("Created"));
    json!({
        "enabled": o.get("Enabled").and_then(Value::as_bool).unwrap_or(true),
        "created": created,
        "updated": created,
        "recoveryLevel": "Recoverable+Purgeable",
        "recoverableDays": 90,
    })
}

/// A SecretBundle (with `value` when read) or, for lists, a SecretItem.
fn secret_body(r: &KvRequest, o: &Map<String, Value>, item: bool, versioned: bool) -> Value {
    let name = o.get("Name").and_then(Value::as_str).unwrap_or_default();
    let version = o.get("Version").and_then(Value::as_str).unwrap_or_default();
    let id =
        if versioned { format!("{}/secrets/{name}/{version}", r.base) } else { format!("{}/secrets/{name}", r.base) };
    let mut body = json!({"id": id, "attributes": secret_attributes(o)});
    if let Some(ct) = o.get("ContentType").filter(|v| !v.is_null()) {
        body["contentType"] = ct.clone();
    }
    if !item {
        if let Some(v) = o.get("SecretValueText").filter(|v| !v.is_null()) {
            body["value"] = v.clone();
        }
    }
    if let Some(deleted) = unix(o.get("Deleted")) {
        body["recoveryId"] = json!(format!("{}/deletedsecrets/{name}", r.base));
        body["deletedDate"] = json!(deleted);
        if let Some(purge) = unix(o.get("ScheduledPurgeDate")) {
            body["scheduledPurgeDate"] = json!(purge);
        }
    }
    body
}

fn list_secrets(state: &State, r: &KvRequest, deleted: bool) -> Routed {
    let params = if deleted { json!({"InRemovedState": true}) } else { json!({}) };
    let objects = run(state, r, Kind::Secret, "Get-AzKeyVaultSecret", params)?;
    page(r, objects.iter().map(|o| secret_body(r, o, true, false)).collect())
}

fn secret_versions(state: &State, r: &KvRequest, name: &str) -> Routed {
    let objects = run(state, r, Kind::Secret, "Get-AzKeyVaultSecret", json!({"Name": name, "IncludeVersions": true}))?;
    page(r, objects.iter().map(|o| secret_body(r, o, true, true)).collect())
}

fn set_secret(state: &State, r: &KvRequest, name: &str) -> Routed {
    let value = r
        .input
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("The parameter value is required (a string)."))?;
    let mut params = json!({"Name": name, "SecretValue": value});
    if let Some(ct) = r.input.get("contentType").filter(|v| !v.is_null()) {
        params["ContentType"] = json!(ct.as_str().ok_or_else(|| bad("contentType must be a string."))?);
    }
    let mut o = first_of(run(state, r, Kind::Secret, "Set-AzKeyVaultSecret", params)?, name, Kind::Secret)?;
    // The bundle a set returns carries the value it was given.
    o.insert("SecretValueText".into(), json!(value));
    ok(secret_body(r, &o, false, true))
}

fn get_secret(state: &State, r: &KvRequest, name: &str, version: Option<&str>) -> Routed {
    let mut params = json!({"Name": name, "AsPlainText": true});
    if let Some(v) = version {
        params["Version"] = json!(v);
    }
    let o = first_of(run(state, r, Kind::Secret, "Get-AzKeyVaultSecret", params)?, name, Kind::Secret)?;
    ok(secret_body(r, &o, false, true))
}

fn get_deleted_secret(state: &State, r: &KvRequest, name: &str) -> Routed {
    let objects = run(state, r, Kind::Secret, "Get-AzKeyVaultSecret", json!({"Name": name, "InRemovedState": true}))?;
    let o = first_of(objects, name, Kind::Secret)?;
    ok(secret_body(r, &o, true, true))
}

fn delete_secret(state: &State, r: &KvRequest, name: &str) -> Routed {
    run(state, r, Kind::Secret, "Remove-AzKeyVaultSecret", json!({"Name": name, "Force": true}))?;
    get_deleted_secret(state, r, name)
}

fn recover_secret(state: &State, r: &KvRequest, name: &str) -> Routed {
    let o = first_of(
        run(state, r, Kind::Secret, "Undo-AzKeyVaultSecretRemoval", json!({"Name": name}))?,
        name,
        Kind::Secret,
    )?;
    ok(secret_body(r, &o, true, true))
}

fn purge_secret(state: &State, r: &KvRequest, name: &str) -> Routed {
    run(
        state,
        r,
        Kind::Secret,
        "Remove-AzKeyVaultSecret",
        json!({"Name": name, "InRemovedState": true, "Force": true}),
    )?;
    Ok(http::empty(StatusCode::NO_CONTENT))
}
