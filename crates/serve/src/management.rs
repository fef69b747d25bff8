//! The management host (`localhost`): the Entra endpoints a Microsoft
//! authentication library asks for (OpenID configuration, keys, the
//! client-credentials token), and the token port's managed-identity endpoint.

use crate::http::{self, Body, Head};
use crate::token::{self, Principal};
use crate::{Reply, State};
use hyper::{Method, StatusCode};
use ppcmk::Error;
use serde_json::json;
use std::sync::Arc;

/// The plain-HTTP token port: IMDS's `/metadata/identity/oauth2/token`.
pub async fn token_port(state: &Arc<State>, head: Head, _body: Body) -> Reply {
    let path = head.path.trim_end_matches('/').to_ascii_lowercase();
    if path != "/metadata/identity/oauth2/token" {
        return http::json(
            StatusCode::NOT_FOUND,
            &json!({"error": "invalid_request", "error_description": format!("No route {} on the managed-identity port; the token endpoint is /metadata/identity/oauth2/token.", head.path)}),
        );
    }
    if head.method != Method::GET {
        return http::json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"error": "invalid_request", "error_description": "Use GET."}),
        );
    }
    // IMDS refuses a request without `Metadata: true` (a guard against SSRF).
    if !head.header("metadata").is_some_and(|m| m.eq_ignore_ascii_case("true")) {
        return http::json(
            StatusCode::BAD_REQUEST,
            &json!({"error": "invalid_request", "error_description": "Required metadata header not specified"}),
        );
    }
    let Some(resource) = head.query("resource").filter(|r| !r.is_empty()).map(str::to_string) else {
        return http::json(
            StatusCode::BAD_REQUEST,
            &json!({"error": "invalid_request", "error_description": "Required query variable 'resource' is missing"}),
        );
    };
    let named = ["client_id", "object_id", "principal_id", "mi_res_id", "msi_res_id"]
        .iter()
        .find_map(|k| head.query(k).filter(|v| !v.is_empty()))
        .map(|v| v.rsplit('/').next().unwrap_or(v).to_string());
    let state2 = state.clone();
    let who = tokio::task::spawn_blocking(move || identity(&state2, named.as_deref())).await;
    let who = match who {
        Ok(Ok(who)) => who,
        Ok(Err(e)) => {
            // IMDS answers 400 when the identity is not assigned: the SDKs then say "no managed identity".
            return http::json(
                StatusCode::BAD_REQUEST,
                &json!({"error": "invalid_request", "error_description": format!("Identity not found: {}", e.message)}),
            );
        }
        Err(_) => return internal(),
    };
    let now = token::now();
    match state.signer.issue(&who, &resource, now) {
        // Numbers as IMDS sends them: strings.
        Ok(access_token) => http::json(
            StatusCode::OK,
            &json!({
                "access_token": access_token,
                "client_id": who.app_id.clone().unwrap_or_else(|| who.object_id.clone()),
                "expires_in": token::LIFETIME_SECS.to_string(),
                "expires_on": (now + token::LIFETIME_SECS).to_string(),
                "ext_expires_in": token::LIFETIME_SECS.to_string(),
                "not_before": now.to_string(),
                "refresh_token": "",
                "resource": resource,
                "token_type": "Bearer",
            }),
        ),
        Err(_) => internal(),
    }
}

fn internal() -> Reply {
    http::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({"error": {"code": "InternalServerError", "message": "The server failed; see its console."}}),
    )
}

/// The principal a token request names, else the server's -Identity, else the signed-in Azure account.
fn identity(state: &State, named: Option<&str>) -> Result<Principal, Error> {
    let reference = match named.or(state.identity.as_deref()) {
        Some(r) => r.to_string(),
        None => {
            let outcome = state.invoke("Get-AzContext", json!({}), None)?;
            outcome
                .objects
                .get(0, "AccountObjectId")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| Error::new(ppcmk::ErrorCode::NotSignedIn, "No identity named: pass client_id (or start serve with -Identity), or sign in with Connect-AzAccount."))?
        }
    };
    let mut who = state.principal(&reference)?;
    if !who.is_user {
        let sp = state.invoke("Get-AzADServicePrincipal", json!({"ObjectId": who.object_id}), Some(&who.object_id))?;
        who.app_id = sp.objects.get(0, "AppId").and_then(|v| v.as_str()).map(str::to_string);
    }
    Ok(who)
}

/// The management host: Entra's discovery and token endpoints.
pub async fn handle(state: &Arc<State>, head: Head, mut body: Body) -> Reply {
    let segments: Vec<&str> = head.path.split('/').filter(|s| !s.is_empty()).collect();
    let base = format!("https://localhost:{}", state.port);
    match (head.method.clone(), segments.as_slice()) {
        (Method::GET, []) | (Method::GET, ["ppcmk", "health"]) => http::json(
            StatusCode::OK,
            &json!({"status": "ok", "version": ppcmk::VERSION, "tenantId": state.tenant_id, "tokenPort": state.token_port,
                "throttle": state.throttle.enabled(), "throttled": state.throttle.throttled()}),
        ),
        (Method::GET, [tenant, "v2.0", ".well-known", "openid-configuration"])
        | (Method::GET, [tenant, ".well-known", "openid-configuration"]) => {
            let Some(tenant) = tenant_of(state, tenant) else { return unknown_tenant(tenant) };
            http::json(
                StatusCode::OK,
                &json!({
                    "issuer": format!("{base}/{tenant}/v2.0"),
                    "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
                    "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
                    "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
                    "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
                    "end_session_endpoint": format!("{base}/{tenant}/oauth2/v2.0/logout"),
                    "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                    "subject_types_supported": ["pairwise"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                    "scopes_supported": ["openid", "profile", "email", "offline_access"],
                    "tenant_region_scope": "EU",
                    "cloud_instance_name": "localhost",
                }),
            )
        }
        (Method::GET, [tenant, "discovery", "v2.0", "keys"]) | (Method::GET, [tenant, "discovery", "keys"]) => {
            match tenant_of(state, tenant) {
                Some(_) => http::json(StatusCode::OK, &state.signer.jwks()),
                None => unknown_tenant(tenant),
            }
        }
        (Method::POST, [tenant, "oauth2", "v2.0", "token"]) | (Method::POST, [tenant, "oauth2", "token"]) => {
            let Some(_) = tenant_of(state, tenant) else { return unknown_tenant(tenant) };
            let Ok(bytes) = body.bytes().await else {
                return token_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "invalid_request",
                    900144,
                    "The request body is too large.",
                );
            };
            client_credentials(state, &String::from_utf8_lossy(&bytes)).await
        }
        _ if crate::powerplatform::is_bap(&head.path.to_ascii_lowercase()) => bap(state, head, body).await,
        _ if crate::arm::is_arm(&head.path.to_ascii_lowercase()) => crate::arm::handle(state, head, body).await,
        _ => http::json(
            StatusCode::NOT_FOUND,
            &json!({"error": {"code": "NotFound", "message": format!("No route {} {} on the management host.", head.method, head.path)}}),
        ),
    }
}

/// The audiences a management-host token may carry: Power Platform's, Resource Manager's, or the server's own.
fn management_audiences(state: &State) -> Vec<String> {
    let own = format!("https://localhost:{}", state.port);
    [
        "https://service.powerapps.com/",
        "https://service.powerapps.com",
        "https://api.bap.microsoft.com/",
        "https://api.bap.microsoft.com",
        "https://management.azure.com/",
        "https://management.azure.com",
        "https://management.core.windows.net/",
        own.as_str(),
        &format!("{own}/"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The object id a management-host request's bearer token names, or the 401 in ARM's shape.
#[allow(clippy::result_large_err)] // the reply is built once per request
pub(crate) fn bearer_caller(state: &State, head: &Head) -> Result<String, Reply> {
    let token = head.header("authorization").and_then(|a| {
        let (scheme, token) = a.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
    });
    match token.map(|t| state.signer.verify(&t, &state.tenant_id, &management_audiences(state), token::now())) {
        Some(Ok(oid)) => Ok(oid),
        Some(Err(refusal)) => Err(unauthorized("InvalidAuthenticationToken", &refusal.0)),
        None => {
            Err(unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."))
        }
    }
}

/// A BAP request: the bearer token is checked (401 in ARM's shape), then the body read and the route run.
async fn bap(state: &Arc<State>, head: Head, mut body: Body) -> Reply {
    let caller = match bearer_caller(state, &head) {
        Ok(caller) => caller,
        Err(reply) => return reply,
    };
    let input = match body.bytes().await {
        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => serde_json::Map::new(),
        Ok(b) => match serde_json::from_slice::<serde_json::Value>(&b) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => {
                return crate::powerplatform::error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestContent",
                    "The request body is not a valid JSON object.",
                )
            }
        },
        Err(http::BodyError::TooLarge) => {
            return crate::powerplatform::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestTooLarge",
                "The request body is too large.",
            )
        }
        Err(http::BodyError::TimedOut) => {
            return crate::powerplatform::error(
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                "The request body did not arrive within the server's read timeout.",
            )
        }
        Err(http::BodyError::Broken) => {
            return crate::powerplatform::error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestContent",
                "The request body could not be read.",
            )
        }
    };
    let state = state.clone();
    let (method, path) = (head.method.clone(), head.path.clone());
    let exclude = head.query("exclude").map(str::to_string);
    match tokio::task::spawn_blocking(move || {
        crate::powerplatform::route(&state, &caller, &method, &path, exclude.as_deref(), &input)
    })
    .await
    {
        Ok(reply) => reply,
        Err(_) => internal(),
    }
}

fn unauthorized(code: &str, message: &str) -> Reply {
    let mut reply = crate::powerplatform::error(StatusCode::UNAUTHORIZED, code, message);
    reply.headers_mut().insert(
        hyper::header::WWW_AUTHENTICATE,
        hyper::header::HeaderValue::from_static(
            "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\"",
        ),
    );
    reply
}

/// The store's tenant when `named` is its id, `organizations` or `common`.
fn tenant_of<'a>(state: &'a State, named: &str) -> Option<&'a str> {
    (named.eq_ignore_ascii_case(&state.tenant_id)
        || named.eq_ignore_ascii_case("organizations")
        || named.eq_ignore_ascii_case("common"))
    .then_some(state.tenant_id.as_str())
}

fn unknown_tenant(tenant: &str) -> Reply {
    token_error(
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
        &format!("AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
    )
}

fn token_error(status: StatusCode, error: &str, code: u32, description: &str) -> Reply {
    http::json(
        status,
        &json!({"error": error, "error_description": description, "error_codes": [code], "timestamp": chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string()}),
    )
}

/// `grant_type=client_credentials`: a token for the service principal (or
/// user) the client id names. The store keeps no application secrets, so any
/// non-empty secret is accepted: the client id is what names the caller.
async fn client_credentials(state: &Arc<State>, form: &str) -> Reply {
    let fields = http::parse_query(form);
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if get("grant_type") != "client_credentials" {
        return token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "AADSTS70003: The app requested an unsupported grant type; ppcmk serve issues client_credentials tokens (and managed-identity tokens on its token port).",
        );
    }
    let (client_id, secret, scope) = (get("client_id"), get("client_secret"), get("scope"));
    if client_id.is_empty() {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    }
    if secret.is_empty() && get("client_assertion").is_empty() {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "AADSTS7000215: Invalid client secret provided.",
        );
    }
    let Some(resource) = scope.split(' ').find_map(|s| s.strip_suffix("/.default")).map(str::to_string) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_scope", 1002012, "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.");
    };
    let state2 = state.clone();
    let who = match tokio::task::spawn_blocking(move || identity(&state2, Some(&client_id))).await {
        Ok(Ok(who)) => who,
        Ok(Err(e)) => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!("AADSTS700016: Application with identifier was not found in the directory: {}", e.message),
            )
        }
        Err(_) => return internal(),
    };
    match state.signer.issue(&who, &resource, token::now()) {
        Ok(access_token) => http::json(
            StatusCode::OK,
            &json!({"token_type": "Bearer", "expires_in": token::LIFETIME_SECS, "ext_expires_in": token::LIFETIME_SECS, "access_token": access_token}),
        ),
        Err(_) => internal(),
    }
}
