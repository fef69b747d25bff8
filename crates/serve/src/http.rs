//! Request dispatch by host and port, and the helpers every route uses.

use crate::{keyvault, management, Reply, State};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use serde_json::Value;
use std::sync::Arc;

/// Largest request body (Key Vault's own limit for a request is 1 MiB... a
/// secret value is at most 25 KiB; a JSON web key with every private part, a
/// few KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What a route needs of a request, its body not yet read.
pub struct Head {
    pub method: hyper::Method,
    /// The host without its port, lower case.
    pub host: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: hyper::HeaderMap,
}

impl Head {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn handle(state: Arc<State>, req: Request<Incoming>, secure: bool) -> Reply {
    let (parts, body) = req.into_parts();
    let host =
        parts.headers.get(hyper::header::HOST).and_then(|h| h.to_str().ok()).or(parts.uri.host()).unwrap_or_default();
    let host = strip_port(host).to_ascii_lowercase();
    let query = parts.uri.query().map(parse_query).unwrap_or_default();
    let path = percent_encoding::percent_decode_str(parts.uri.path()).decode_utf8_lossy().into_owned();
    let head = Head { method: parts.method, host, path, query, headers: parts.headers };
    let body = Body(Some(body));
    let mut reply = if !secure {
        management::token_port(&state, head, body).await
    } else if let Some(vault) = head.host.strip_suffix(".vault.localhost") {
        let vault = vault.to_string();
        keyvault::handle(&state, &vault, head, body).await
    } else {
        management::handle(&state, head, body).await
    };
    let headers = reply.headers_mut();
    headers.insert(
        "x-ms-request-id",
        HeaderValue::from_str(&ppcmk::crypto::new_guid()).unwrap_or(HeaderValue::from_static("0")),
    );
    headers.insert("server", HeaderValue::from_static("ppcmk-serve"));
    reply
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_form(k), decode_form(v))
        })
        .collect()
}

pub fn decode_form(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// A request body, read only when a route has checked who asks.
pub struct Body(Option<Incoming>);

pub enum BodyError {
    TooLarge,
    Broken,
}

impl Body {
    pub async fn bytes(&mut self) -> Result<Bytes, BodyError> {
        let Some(body) = self.0.take() else { return Ok(Bytes::new()) };
        match Limited::new(body, MAX_BODY_BYTES).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(BodyError::TooLarge),
            Err(_) => Err(BodyError::Broken),
        }
    }
}

pub fn json(status: StatusCode, body: &Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = status;
    reply.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    reply
}

pub fn empty(status: StatusCode) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::new()));
    *reply.status_mut() = status;
    reply
}
