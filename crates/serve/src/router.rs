//! Request routing as a pure function: which face of the server a request
//! reaches (its port and host) and which Key Vault route its method and path
//! name, without a socket, a store or a token. The handlers run what it
//! returns; the `router` fuzz target (`fuzz/`) and its stable replay test
//! call it on arbitrary bytes.

use hyper::Method;

/// The face of the server a request reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Face {
    /// The plain-HTTP token port (IMDS).
    TokenPort,
    /// `<vault>.vault.localhost`: Key Vault's data plane of `vault`.
    Vault(String),
    /// `localhost` (or any other name): Entra, Resource Manager, Power Platform.
    Management,
}

/// The face `host` (without its port, lower case) reaches on the HTTPS port (`secure`) or the token port.
pub fn face(secure: bool, host: &str) -> Face {
    if !secure {
        return Face::TokenPort;
    }
    match host.strip_suffix(".vault.localhost") {
        Some(vault) => Face::Vault(vault.to_string()),
        None => Face::Management,
    }
}

/// A Key Vault data-plane route; names and versions as the path spelled them
/// (an empty version, the trailing slash of "latest", is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvRoute {
    ListKeys {
        deleted: bool,
    },
    CreateKey {
        name: String,
    },
    /// `PUT /keys/{name}`: import a JSON Web Key.
    ImportKey {
        name: String,
    },
    KeyVersions {
        name: String,
    },
    GetRotationPolicy {
        name: String,
    },
    SetRotationPolicy {
        name: String,
    },
    RotateKey {
        name: String,
    },
    GetKey {
        name: String,
        version: Option<String>,
    },
    UpdateKey {
        name: String,
        version: Option<String>,
    },
    DeleteKey {
        name: String,
    },
    GetDeletedKey {
        name: String,
    },
    RecoverKey {
        name: String,
    },
    PurgeKey {
        name: String,
    },
    /// `sign` or (`verify`) `verify`.
    Signature {
        name: String,
        version: Option<String>,
        verify: bool,
    },
    /// wrapkey, unwrapkey, encrypt, decrypt: the engine's operation name.
    Crypto {
        name: String,
        version: Option<String>,
        operation: &'static str,
    },
    ListSecrets {
        deleted: bool,
    },
    SetSecret {
        name: String,
    },
    SecretVersions {
        name: String,
    },
    GetSecret {
        name: String,
        version: Option<String>,
    },
    DeleteSecret {
        name: String,
    },
    GetDeletedSecret {
        name: String,
    },
    RecoverSecret {
        name: String,
    },
    PurgeSecret {
        name: String,
    },
}

impl KvRoute {
    /// The key a route addresses, if any (for its throttle weight).
    pub fn key_name(&self) -> Option<&str> {
        match self {
            KvRoute::KeyVersions { name }
            | KvRoute::GetRotationPolicy { name }
            | KvRoute::SetRotationPolicy { name }
            | KvRoute::RotateKey { name }
            | KvRoute::GetKey { name, .. }
            | KvRoute::UpdateKey { name, .. }
            | KvRoute::DeleteKey { name }
            | KvRoute::GetDeletedKey { name }
            | KvRoute::RecoverKey { name }
            | KvRoute::PurgeKey { name }
            | KvRoute::Signature { name, .. }
            | KvRoute::Crypto { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// The engine's name of a cryptographic route segment (lower case).
pub fn crypto_op(op: &str) -> Option<&'static str> {
    match op {
        "wrapkey" => Some("Wrap"),
        "unwrapkey" => Some("Unwrap"),
        "encrypt" => Some("Encrypt"),
        "decrypt" => Some("Decrypt"),
        _ => None,
    }
}

/// The Key Vault route `method` and the decoded `path` name, if any.
/// Segments compare case-insensitively (`deletedKeys`, `rotationPolicy`).
pub fn key_vault_route(method: &Method, path: &str) -> Option<KvRoute> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let name = || segs.get(1).map(|s| s.to_string()).unwrap_or_default();
    let version = || segs.get(2).map(|s| s.to_string());
    let route = match (method, l.as_slice()) {
        (&Method::GET, ["keys"]) => KvRoute::ListKeys { deleted: false },
        (&Method::GET, ["deletedkeys"]) => KvRoute::ListKeys { deleted: true },
        (&Method::POST, ["keys", _, "create"]) => KvRoute::CreateKey { name: name() },
        (&Method::PUT, ["keys", _]) => KvRoute::ImportKey { name: name() },
        (&Method::GET, ["keys", _, "versions"]) => KvRoute::KeyVersions { name: name() },
        (&Method::GET, ["keys", _, "rotationpolicy"]) => KvRoute::GetRotationPolicy { name: name() },
        (&Method::PUT, ["keys", _, "rotationpolicy"]) => KvRoute::SetRotationPolicy { name: name() },
        (&Method::POST, ["keys", _, "rotate"]) => KvRoute::RotateKey { name: name() },
        (&Method::GET, ["keys", _]) => KvRoute::GetKey { name: name(), version: None },
        (&Method::GET, ["keys", _, _]) => KvRoute::GetKey { name: name(), version: version() },
        (&Method::PATCH, ["keys", _]) => KvRoute::UpdateKey { name: name(), version: None },
        (&Method::PATCH, ["keys", _, _]) => KvRoute::UpdateKey { name: name(), version: version() },
        (&Method::DELETE, ["keys", _]) => KvRoute::DeleteKey { name: name() },
        (&Method::GET, ["deletedkeys", _]) => KvRoute::GetDeletedKey { name: name() },
        (&Method::POST, ["deletedkeys", _, "recover"]) => KvRoute::RecoverKey { name: name() },
        (&Method::DELETE, ["deletedkeys", _]) => KvRoute::PurgeKey { name: name() },
        (&Method::POST, ["keys", _, op @ ("sign" | "verify")]) => {
            KvRoute::Signature { name: name(), version: None, verify: *op == "verify" }
        }
        (&Method::POST, ["keys", _, _, op @ ("sign" | "verify")]) => {
            KvRoute::Signature { name: name(), version: version(), verify: *op == "verify" }
        }
        (&Method::POST, ["keys", _, op]) => KvRoute::Crypto { name: name(), version: None, operation: crypto_op(op)? },
        (&Method::POST, ["keys", _, _, op]) => {
            KvRoute::Crypto { name: name(), version: version(), operation: crypto_op(op)? }
        }
        (&Method::GET, ["secrets"]) => KvRoute::ListSecrets { deleted: false },
        (&Method::GET, ["deletedsecrets"]) => KvRoute::ListSecrets { deleted: true },
        (&Method::PUT, ["secrets", _]) => KvRoute::SetSecret { name: name() },
        (&Method::GET, ["secrets", _, "versions"]) => KvRoute::SecretVersions { name: name() },
        (&Method::GET, ["secrets", _]) => KvRoute::GetSecret { name: name(), version: None },
        (&Method::GET, ["secrets", _, _]) => KvRoute::GetSecret { name: name(), version: version() },
        (&Method::DELETE, ["secrets", _]) => KvRoute::DeleteSecret { name: name() },
        (&Method::GET, ["deletedsecrets", _]) => KvRoute::GetDeletedSecret { name: name() },
        (&Method::POST, ["deletedsecrets", _, "recover"]) => KvRoute::RecoverSecret { name: name() },
        (&Method::DELETE, ["deletedsecrets", _]) => KvRoute::PurgeSecret { name: name() },
        _ => return None,
    };
    Some(route)
}

/// The api-versions of Key Vault's data plane served: the wire format of keys and secrets is the same in all.
pub const API_VERSIONS: &[&str] = &["7.4", "7.5", "7.6", "2025-07-01"];

/// Whether `api_version` is served; `Err` is Key Vault's message for a 400 `BadParameter`.
pub fn check_api_version(api_version: Option<&str>) -> Result<(), String> {
    match api_version {
        Some(v) if API_VERSIONS.contains(&v) => Ok(()),
        Some(v) => Err(format!(
            "The specified version ({v}) is not recognized. Consider using the latest supported version ({}).",
            API_VERSIONS[API_VERSIONS.len() - 1]
        )),
        None => Err("The api-version query parameter (?api-version) is required for all requests.".into()),
    }
}

/// The `router` fuzz target's body (`fuzz/fuzz_targets/router.rs`, and the
/// stable replay of `fuzz/corpus/router/` in `tests/router.rs`): arbitrary
/// bytes read as an HTTP/1.1 request head, then routed as the server routes
/// them. Panics only on a bug: a panic while routing, or a broken property.
#[doc(hidden)]
pub fn fuzz(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let mut parts = first.splitn(3, ' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let Ok(method) = Method::from_bytes(method.as_bytes()) else { return };
    let host = lines
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("host")).map(|(_, v)| v.trim()))
        .unwrap_or_default();
    // What hyper hands the server: a parsed URI (the server never sees one that does not parse).
    let Ok(uri) = target.parse::<hyper::Uri>() else { return };
    let head = crate::http::head_of(&method, &uri, Some(host));
    for secure in [false, true] {
        let face = face(secure, &head.host);
        assert_eq!(face, self::face(secure, &head.host), "routing is a function of its input");
        if let Face::Vault(v) = &face {
            assert!(secure && head.host == format!("{v}.vault.localhost"), "{face:?}");
        }
    }
    let _ = check_api_version(head.query("api-version"));
    if let Some(route) = key_vault_route(&head.method, &head.path) {
        assert_eq!(Some(&route), key_vault_route(&head.method, &head.path).as_ref());
        if let Some(name) = route.key_name() {
            assert!(!name.is_empty() && !name.contains('/'), "{route:?}");
        }
    }
}
