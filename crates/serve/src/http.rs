//! Request dispatch by host and port, and the helpers every route uses.

use crate::router::Face;
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

/// The head of a request as the routes see it: the host without its port in
/// lower case, the path percent-decoded, the query split. Pure.
pub fn head_of(method: &hyper::Method, uri: &hyper::Uri, host_header: Option<&str>) -> Head {
    let host = host_header.filter(|h| !h.is_empty()).or(uri.host()).unwrap_or_default();
    let host = strip_port(host).to_ascii_lowercase();
    let query = uri.query().map(parse_query).unwrap_or_default();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy().into_owned();
    Head { method: method.clone(), host, path, query, headers: hyper::HeaderMap::new() }
}

pub async fn handle(state: Arc<State>, req: Request<Incoming>, secure: bool) -> Reply {
    let (parts, body) = req.into_parts();
    // hyper enforces the head limit only while a head is still arriving: one
    // that reached it whole in a single read (TLS can hand over many records
    // at once) gets through. The limit must not depend on timing.
    let head_bytes: usize =
        parts.headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum::<usize>() + parts.uri.to_string().len();
    if head_bytes > crate::MAX_HEAD_BYTES {
        return json(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            &serde_json::json!({"error": {"code": "RequestHeaderFieldsTooLarge", "message": format!("The request's head is larger than {} bytes.", crate::MAX_HEAD_BYTES)}}),
        );
    }
    let host_header = parts.headers.get(hyper::header::HOST).and_then(|h| h.to_str().ok());
    let mut head = head_of(&parts.method, &parts.uri, host_header);
    head.headers = parts.headers;
    let body = Body(Some(body), state.read_timeout);
    let mut reply = match crate::router::face(secure, &head.host) {
        Face::TokenPort => management::token_port(&state, head, body).await,
        Face::Vault(vault) => keyvault::handle(&state, &vault, head, body).await,
        Face::Management => management::handle(&state, head, body).await,
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

/// A request body, read only when a route has checked who asks, within the
/// server's read timeout (a client that trickles it gets 408).
pub struct Body(Option<Incoming>, std::time::Duration);

pub enum BodyError {
    TooLarge,
    Broken,
    TimedOut,
}

impl Body {
    pub async fn bytes(&mut self) -> Result<Bytes, BodyError> {
        let Some(body) = self.0.take() else { return Ok(Bytes::new()) };
        match tokio::time::timeout(self.1, Limited::new(body, MAX_BODY_BYTES).collect()).await {
            Err(_) => Err(BodyError::TimedOut),
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(BodyError::TooLarge),
            Ok(Err(_)) => Err(BodyError::Broken),
        }
    }
}

/// The answer on a connection past the server's cap: 503, closed after it.
pub fn too_many_connections() -> Reply {
    let mut reply = json(
        StatusCode::SERVICE_UNAVAILABLE,
        &serde_json::json!({"error": {"code": "ServiceUnavailable", "message": "The server has too many open connections; retry shortly."}}),
    );
    reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    reply.headers_mut().insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    reply
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
