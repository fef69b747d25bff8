//! Azure Resource Manager on the management host: `/subscriptions/{id}/...`
//! routes for resource groups, providers, key vaults, role assignments and
//! definitions, template deployments, enterprise policies and the generic
//! resource listings. Each route runs registry commands as the token's
//! principal and answers in ARM's shape; the server keeps no state of its own.

// A route fails with the reply it sends; it is built once per request.
#![allow(clippy::result_large_err)]

mod groups;
mod policies;
mod rbac;
mod vaults;

use crate::http::{self, Body, BodyError, Head};
use crate::{Reply, State};
use hyper::header::HeaderValue;
use hyper::{Method, StatusCode};
use ppcmk::{Error, ErrorCode};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// ARM's error body: `{"error":{"code","message"}}`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    http::json(status, &json!({"error": {"code": code, "message": message}}))
}

type Routed = Result<Reply, Reply>;
type Objects = Vec<Map<String, Value>>;

/// One ARM request, its token checked and its body read.
pub(crate) struct Req<'a> {
    pub state: &'a State,
    pub caller: String,
    pub method: Method,
    /// The path's segments as sent, and lower-cased for matching (ARM's paths are case-insensitive).
    pub segs: Vec<String>,
    pub lower: Vec<String>,
    pub query: Vec<(String, String)>,
    pub api_version: String,
    pub input: Map<String, Value>,
}

impl Req<'_> {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `InvalidApiVersionParameter` unless the request's api-version is one of `versions`.
    pub fn api(&self, versions: &[&str]) -> Result<(), Reply> {
        if versions.iter().any(|v| v.eq_ignore_ascii_case(&self.api_version)) {
            return Ok(());
        }
        Err(error(
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
            &format!(
                "The api-version '{}' is invalid. The supported versions are '{}'.",
                self.api_version,
                versions.join(",")
            ),
        ))
    }

    /// Runs a registry command as the caller; an engine error becomes ARM's, `not_found` naming a missing object.
    pub fn run(&self, command: &str, params: Value, not_found: &str) -> Result<Objects, Reply> {
        self.state
            .invoke(command, params, Some(&self.caller))
            .map(|o| o.objects.into_iter().map(|o| o.into_iter().collect()).collect())
            .map_err(|e| engine_error(&e, not_found))
    }

    /// The request body's member `name`, compared case-insensitively as ARM's JSON binding does.
    pub fn field(&self, name: &str) -> Option<&Value> {
        member(&self.input, name)
    }
}

/// A member of a JSON object, its name compared case-insensitively.
pub fn member<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v).filter(|v| !v.is_null())
}

/// A nested member `a.b.c`, each name case-insensitive.
pub fn path<'a>(o: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    let (last, parents) = names.split_last()?;
    let mut at = o;
    for n in parents {
        at = member(at, n)?.as_object()?;
    }
    member(at, last)
}

pub fn text<'a>(o: &'a Map<String, Value>, k: &str) -> &'a str {
    o.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// The engine's error in ARM's words: a denial is `AuthorizationFailed`, a
/// missing object `not_found` (`ResourceNotFound`, `ResourceGroupNotFound`, ...).
pub fn engine_error(e: &Error, not_found: &str) -> Reply {
    let (status, code) = match e.code {
        ErrorCode::NotSignedIn => (StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken"),
        c if c.is_denial() => (StatusCode::FORBIDDEN, "AuthorizationFailed"),
        ErrorCode::NotFound => (StatusCode::NOT_FOUND, not_found),
        ErrorCode::ProviderNotRegistered => (StatusCode::CONFLICT, "MissingSubscriptionRegistration"),
        ErrorCode::AlreadyExists
        | ErrorCode::Conflict
        | ErrorCode::OperationInProgress
        | ErrorCode::EnvironmentLocked => (StatusCode::CONFLICT, "Conflict"),
        ErrorCode::InvalidTemplate => (StatusCode::BAD_REQUEST, "InvalidTemplate"),
        ErrorCode::StoreBusy => {
            let mut reply = error(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", &e.message);
            reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
            return reply;
        }
        ErrorCode::LimitExceeded => {
            let mut reply = error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", &e.message);
            reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
            return reply;
        }
        ErrorCode::Internal | ErrorCode::StoreError | ErrorCode::FileError => {
            (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError")
        }
        _ => (StatusCode::BAD_REQUEST, "BadRequest"),
    };
    error(status, code, &e.message)
}

pub fn bad(message: impl AsRef<str>) -> Reply {
    error(StatusCode::BAD_REQUEST, "InvalidRequestContent", message.as_ref())
}

pub fn ok(body: Value) -> Routed {
    Ok(http::json(StatusCode::OK, &body))
}

pub fn created(body: Value, new: bool) -> Routed {
    Ok(http::json(if new { StatusCode::CREATED } else { StatusCode::OK }, &body))
}

/// ARM's list envelope; every item in one page.
pub fn list(items: Vec<Value>) -> Routed {
    ok(json!({"value": items}))
}

/// Whether `path` (lower case) is a Resource Manager route.
pub fn is_arm(lower_path: &str) -> bool {
    lower_path == "/subscriptions" || lower_path.starts_with("/subscriptions/")
}

/// A Resource Manager request: the token (401 in ARM's shape), the
/// api-version, the body (a JSON object), then the route, off the runtime.
pub async fn handle(state: &Arc<State>, head: Head, mut body: Body) -> Reply {
    let caller = match crate::management::bearer_caller(state, &head) {
        Ok(caller) => caller,
        Err(reply) => return reply,
    };
    let Some(api_version) = head.query("api-version").filter(|v| !v.is_empty()).map(str::to_string) else {
        return error(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        );
    };
    let input = match body.bytes().await {
        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => Map::new(),
        Ok(b) => match serde_json::from_slice::<Value>(&b) {
            Ok(Value::Object(m)) => m,
            _ => return bad("The request content was invalid and could not be deserialized: not a JSON object."),
        },
        Err(BodyError::TooLarge) => {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "RequestTooLarge", "The request body is too large.")
        }
        Err(BodyError::Broken) => return bad("The request body could not be read."),
        Err(BodyError::TimedOut) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                "The request body did not arrive within the server's read timeout.",
            )
        }
    };
    let segs: Vec<String> = head.path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let lower = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let (method, query) = (head.method.clone(), head.query.clone());
    let state = state.clone();
    let head_request = method == Method::HEAD;
    let routed = tokio::task::spawn_blocking(move || {
        let r = Req { state: &state, caller, method, segs, lower, query, api_version, input };
        match route(&r) {
            Ok(reply) | Err(reply) => reply,
        }
    })
    .await;
    match routed {
        Ok(mut reply) => {
            if head_request {
                *reply.body_mut() = http_body_util::Full::new(bytes::Bytes::new());
            }
            reply
        }
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", "The server failed on this request."),
    }
}

fn route(r: &Req) -> Routed {
    let l: Vec<&str> = r.lower.iter().map(String::as_str).collect();
    // Role assignments and definitions hang under any scope: the last `providers/Microsoft.Authorization`.
    // (`/subscriptions/{s}/providers/Microsoft.Authorization` alone is the provider.)
    if let Some(at) = l.windows(3).rposition(|w| {
        w[..2] == ["providers", "microsoft.authorization"] && matches!(w[2], "roleassignments" | "roledefinitions")
    }) {
        return rbac::route(r, at);
    }
    match l.as_slice() {
        ["subscriptions"] => groups::subscriptions(r, None),
        ["subscriptions", _, ..] => {
            if !r.segs[1].eq_ignore_ascii_case(ppcmk::SUBSCRIPTION_ID) {
                return Err(error(
                    StatusCode::NOT_FOUND,
                    "SubscriptionNotFound",
                    &format!("The subscription '{}' could not be found.", r.segs[1]),
                ));
            }
            groups::route(r, &l[2..])
        }
        _ => Err(no_route(r)),
    }
}

pub fn no_route(r: &Req) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!(
            "No route {} /{} in the Resource Manager of ppcmk serve (docs/rest.md lists the routes).",
            r.method,
            r.segs.join("/")
        ),
    )
}

/// `/subscriptions/{id}/resourceGroups/{rg}`.
pub fn resource_group_id(rg: &str) -> String {
    format!("/subscriptions/{}/resourceGroups/{rg}", ppcmk::SUBSCRIPTION_ID)
}

/// 404 for a missing resource in `rg`: `ResourceGroupNotFound` when the group itself is missing.
pub fn missing(r: &Req, rg: &str, resource_type: &str, name: &str) -> Reply {
    if r.run("Get-AzResourceGroup", json!({"Name": rg}), "ResourceGroupNotFound").is_err() {
        return error(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            &format!("Resource group '{rg}' could not be found."),
        );
    }
    error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("The Resource '{resource_type}/{name}' under resource group '{rg}' was not found."),
    )
}
