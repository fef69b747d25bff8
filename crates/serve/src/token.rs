//! Entra-style access tokens: RS256 JWTs signed with a key kept in the store
//! folder, issued by the managed-identity (IMDS) endpoint and the
//! client-credentials endpoint, and checked on every data-plane request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ppcmk::{Error, ErrorCode};
use ring::signature::{RsaKeyPair, RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use serde_json::{json, Value};
use std::path::Path;

/// How long an issued token lives (Entra's default is 60-90 minutes).
pub const LIFETIME_SECS: i64 = 3600;
/// Clock skew accepted on `nbf` and `exp`, as Microsoft.IdentityModel does.
const SKEW_SECS: i64 = 300;

pub struct Signer {
    key: RsaKeyPair,
    n: Vec<u8>,
    e: Vec<u8>,
    /// The JWKS `kid`: a digest of the public key.
    pub kid: String,
}

/// Who a token names: what the engine acts as, and what the audit log shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub object_id: String,
    /// A user's UPN, or a service principal's display name.
    pub name: String,
    pub tenant_id: String,
    /// A service principal's application id (its `appid` claim).
    pub app_id: Option<String>,
    pub is_user: bool,
}

/// Why a bearer token was refused: the message Key Vault's 401 carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal(pub String);

impl Signer {
    /// The signing key of `folder` (`token-signing.p8`, PKCS#8 DER), created on first use.
    pub fn load_or_create(folder: &Path) -> Result<Signer, Error> {
        let path = folder.join("token-signing.p8");
        let der = match std::fs::read(&path) {
            Ok(der) => der,
            Err(_) => {
                let key = ppcmk::crypto::rsa::PrivateKey::generate(2048)?;
                let der = key.to_pkcs8_der()?;
                crate::tls::write_private(&path, &der)?;
                der.to_vec()
            }
        };
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| {
            Error::new(
                ErrorCode::FileError,
                format!("{} is not an RSA key ({e}); delete it to make a new one.", path.display()),
            )
        })?;
        let private = ppcmk::crypto::rsa::PrivateKey::from_pkcs8_der(&der)?;
        let public = private.public_key();
        let (n, e) = (public.modulus(), public.exponent());
        let kid = URL_SAFE_NO_PAD.encode(&ppcmk::crypto::sha256(&n)[..12]);
        Ok(Signer { key, n, e, kid })
    }

    /// The JSON Web Key Set the OpenID configuration points at.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "x5t": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.n), "e": URL_SAFE_NO_PAD.encode(&self.e),
        }]})
    }

    /// A signed token for `who`, valid from `now` for [`LIFETIME_SECS`].
    pub fn issue(&self, who: &Principal, audience: &str, now: i64) -> Result<String, Error> {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid});
        let mut claims = json!({
            "aud": audience,
            "iss": issuer(&who.tenant_id),
            "iat": now, "nbf": now, "exp": now + LIFETIME_SECS,
            "oid": who.object_id, "sub": who.object_id, "tid": who.tenant_id,
            "ver": "1.0",
            "idtyp": if who.is_user { "user" } else { "app" },
        });
        if who.is_user {
            claims["upn"] = json!(who.name);
            claims["unique_name"] = json!(who.name);
            claims["appid"] = json!(PPCMK_CLIENT_ID);
        } else {
            claims["appid"] = json!(who.app_id.clone().unwrap_or_default());
            claims["app_displayname"] = json!(who.name);
        }
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signing_input.as_bytes(), &mut signature)
            .map_err(|_| Error::internal("signing a token failed"))?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// Checks a bearer token: signed by this server with RS256, in its
    /// lifetime, for the tenant and one of the audiences. Returns its
    /// object id (the caller the engine acts as).
    pub fn verify(&self, token: &str, tenant_id: &str, audiences: &[String], now: i64) -> Result<String, Refusal> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(Refusal("AKV10000: Request is missing a Bearer or PoP token.".into()));
        };
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok();
        let header: Option<Value> = decode(h).and_then(|b| serde_json::from_slice(&b).ok());
        let claims: Option<Value> = decode(c).and_then(|b| serde_json::from_slice(&b).ok());
        let (Some(header), Some(claims)) = (header, claims) else {
            return Err(Refusal("AKV10000: Request is missing a Bearer or PoP token.".into()));
        };
        // An unsigned token (alg none) or one signed by another key has no
        // key here to validate it: Key Vault's AKV10046.
        let signature = decode(s).unwrap_or_default();
        let signed = header["alg"] == "RS256"
            && RsaPublicKeyComponents { n: &self.n, e: &self.e }
                .verify(&RSA_PKCS1_2048_8192_SHA256, format!("{h}.{c}").as_bytes(), &signature)
                .is_ok();
        if !signed {
            let encoded = h.chars().take(200).collect::<String>();
            return Err(Refusal(format!(
                "AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '{encoded}'"
            )));
        }
        let audience = claims["aud"].as_str().unwrap_or_default();
        // Exact, as Key Vault compares it: `https://vault.azure.net/` (a trailing slash) is refused.
        if !audiences.iter().any(|a| a.eq_ignore_ascii_case(audience)) {
            return Err(Refusal(format!("AKV10022: Invalid audience. Expected {}, found: {audience}.", audiences[0])));
        }
        let expected_issuer = issuer(tenant_id);
        let found_issuer = claims["iss"].as_str().unwrap_or_default();
        if found_issuer != expected_issuer || claims["tid"].as_str() != Some(tenant_id) {
            return Err(Refusal(format!(
                "AKV10032: Invalid issuer. Expected one of {expected_issuer}, found {found_issuer}."
            )));
        }
        let (Some(nbf), Some(exp)) = (claims["nbf"].as_i64(), claims["exp"].as_i64()) else {
            return Err(Refusal("AKV10000: Request is missing a Bearer or PoP token.".into()));
        };
        if now + SKEW_SECS < nbf {
            return Err(Refusal("Token not yet valid.".into()));
        }
        if now - SKEW_SECS >= exp {
            return Err(Refusal("Token is expired.".into()));
        }
        claims["oid"].as_str().map(str::to_string).ok_or_else(|| Refusal("The token names no object id (oid).".into()))
    }
}

/// The client id user tokens carry (Azure PowerShell's well-known id, as a user's token for Az would).
pub const PPCMK_CLIENT_ID: &str = "1950a258-227b-4e31-a9cf-717495945fc2";

pub fn issuer(tenant_id: &str) -> String {
    format!("https://sts.windows.net/{tenant_id}/")
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
    const AUD: &str = "https://vault.localhost:8443";

    fn signer() -> (tempfile::TempDir, Signer) {
        let dir = tempfile::tempdir().unwrap();
        let signer = Signer::load_or_create(dir.path()).unwrap();
        (dir, signer)
    }

    fn user(tenant: &str) -> Principal {
        Principal {
            object_id: "oid-1".into(),
            name: "a@contoso.onmicrosoft.com".into(),
            tenant_id: tenant.into(),
            app_id: None,
            is_user: true,
        }
    }

    fn check(s: &Signer, token: &str, now: i64) -> Result<String, Refusal> {
        s.verify(token, TENANT, &[AUD.to_string()], now)
    }

    #[test]
    fn a_token_verifies_only_for_its_tenant_audience_and_lifetime() {
        let (_dir, s) = signer();
        let now = 1_800_000_000;
        let token = s.issue(&user(TENANT), AUD, now).unwrap();
        assert_eq!(check(&s, &token, now), Ok("oid-1".into()));
        assert_eq!(check(&s, &token, now + LIFETIME_SECS + SKEW_SECS - 1), Ok("oid-1".into()), "within the skew");
        assert_eq!(check(&s, &token, now + LIFETIME_SECS + SKEW_SECS), Err(Refusal("Token is expired.".into())));
        assert_eq!(check(&s, &token, now - SKEW_SECS - 1), Err(Refusal("Token not yet valid.".into())));
        let other_tenant = s.issue(&user("ffffffff-0000-0000-0000-000000000000"), AUD, now).unwrap();
        assert!(check(&s, &other_tenant, now).unwrap_err().0.starts_with("AKV10032: Invalid issuer."));
        let slash = s.issue(&user(TENANT), &format!("{AUD}/"), now).unwrap();
        assert!(check(&s, &slash, now).unwrap_err().0.starts_with("AKV10022: Invalid audience."));
    }

    #[test]
    fn unsigned_and_foreign_tokens_are_refused() {
        let (_dir, s) = signer();
        let (_dir2, other) = signer();
        let now = 1_800_000_000;
        let token = s.issue(&user(TENANT), AUD, now).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"none"}"#);
        parts[0] = &none_header;
        let unsigned = format!("{}.{}.", parts[0], parts[1]);
        assert!(check(&s, &unsigned, now).unwrap_err().0.starts_with("AKV10046"));
        let foreign = other.issue(&user(TENANT), AUD, now).unwrap();
        assert!(check(&s, &foreign, now).unwrap_err().0.starts_with("AKV10046"));
        for junk in ["", "a.b", "a.b.c.d", "!!!.???.***"] {
            assert!(check(&s, junk, now).is_err(), "{junk}");
        }
        // The key is kept: a second load signs tokens the first accepts.
        let again = Signer::load_or_create(_dir.path()).unwrap();
        assert_eq!(check(&s, &again.issue(&user(TENANT), AUD, now).unwrap(), now), Ok("oid-1".into()));
    }
}
