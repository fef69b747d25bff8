//! RSA for the key vault: key generation, import of existing private keys
//! (PKCS#1 or PKCS#8, PEM or DER, PKCS#8 optionally password-encrypted), and
//! RSA-OAEP wrap and unwrap.
//!
//! The only module that names the `rsa` crate, so the backend can be swapped.
//! Every private-key operation is blinded (`decrypt_blinded`), the mitigation
//! for timing attacks on RSA decryption (RUSTSEC-2023-0071, "Marvin"); and
//! callers reach it only after the key vault has authorised the request.

use crate::error::{Error, ErrorCode, Result};
use getrandom::rand_core::UnwrapErr;
use getrandom::SysRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

/// Key sizes the key vault creates and imports.
pub const SUPPORTED_SIZES: [usize; 3] = [2048, 3072, 4096];

/// The RSA-OAEP variants of Azure Key Vault's wrap and encrypt operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepAlgorithm {
    /// `RSA-OAEP`: SHA-1 and MGF1-SHA-1 (kept for compatibility).
    RsaOaep,
    /// `RSA-OAEP-256`: SHA-256 and MGF1-SHA-256 (the default).
    RsaOaep256,
}

impl OaepAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            OaepAlgorithm::RsaOaep => "RSA-OAEP",
            OaepAlgorithm::RsaOaep256 => "RSA-OAEP-256",
        }
    }

    pub fn parse(s: &str) -> Option<OaepAlgorithm> {
        match s.to_ascii_uppercase().as_str() {
            "RSA-OAEP" => Some(OaepAlgorithm::RsaOaep),
            "RSA-OAEP-256" => Some(OaepAlgorithm::RsaOaep256),
            _ => None,
        }
    }

    /// The longest plaintext this padding can carry under a key of `bits`.
    pub fn max_plaintext(self, bits: usize) -> usize {
        let hash = match self {
            OaepAlgorithm::RsaOaep => 20,
            OaepAlgorithm::RsaOaep256 => 32,
        };
        (bits / 8).saturating_sub(2 * hash + 2)
    }
}

/// Key Vault's RSA signature algorithms; each signs a digest the caller made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
}

impl SignatureAlgorithm {
    pub const NAMES: &'static [&'static str] = &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Rs256 => "RS256",
            SignatureAlgorithm::Rs384 => "RS384",
            SignatureAlgorithm::Rs512 => "RS512",
            SignatureAlgorithm::Ps256 => "PS256",
            SignatureAlgorithm::Ps384 => "PS384",
            SignatureAlgorithm::Ps512 => "PS512",
        }
    }

    pub fn parse(s: &str) -> Option<SignatureAlgorithm> {
        Self::NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(s))
            .map(|i| [Self::Rs256, Self::Rs384, Self::Rs512, Self::Ps256, Self::Ps384, Self::Ps512][i])
    }

    /// The length of the digest the algorithm signs (SHA-256, -384 or -512).
    pub fn digest_len(self) -> usize {
        match self {
            SignatureAlgorithm::Rs256 | SignatureAlgorithm::Ps256 => 32,
            SignatureAlgorithm::Rs384 | SignatureAlgorithm::Ps384 => 48,
            SignatureAlgorithm::Rs512 | SignatureAlgorithm::Ps512 => 64,
        }
    }

    fn check_digest(self, digest: &[u8]) -> Result<()> {
        if digest.len() != self.digest_len() {
            return Err(Error::invalid(format!(
                "{} signs a {}-byte digest; the value has {} bytes (hash the data first).",
                self.name(),
                self.digest_len(),
                digest.len()
            )));
        }
        Ok(())
    }
}

/// A private key; the rsa crate zeroizes its components when dropped.
pub struct PrivateKey(RsaPrivateKey);

/// A public key.
#[derive(Clone)]
pub struct PublicKey(RsaPublicKey);

fn rng() -> UnwrapErr<SysRng> {
    UnwrapErr(SysRng)
}

fn crypto_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidArgument, format!("{what}: {e}"))
}

/// Most PBKDF2 iterations an encrypted key file may ask for: RFC 8018's
/// figure for "especially critical keys" (OpenSSL writes 2,048; OWASP
/// recommends 600,000). The file chooses the count, so without a bound a
/// hostile file (2^32 - 1 iterations) keeps the command busy for hours.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// Most memory scrypt may need for an encrypted key file (128 · r · N bytes):
/// 256 MiB, above OpenSSL's and RFC 7914's usual parameters. Without a bound a
/// hostile file (N = 2^40) makes the allocation fail, which aborts the process.
pub const MAX_SCRYPT_MEMORY: u64 = 256 << 20;
/// Most scrypt work (128 · r · N · p bytes mixed) for an encrypted key file: 1 GiB.
pub const MAX_SCRYPT_WORK: u64 = 1 << 30;

/// Refuses an encrypted PKCS#8 file whose key derivation parameters would
/// take unbounded time or memory, before deriving anything. Files that do
/// not decode are left to the decryption, which reports them.
fn check_kdf_cost(pem: &str) -> Result<()> {
    use rsa::pkcs8::der::Decode;
    use rsa::pkcs8::pkcs5::{pbes2::Kdf, EncryptionScheme};
    use rsa::pkcs8::{EncryptedPrivateKeyInfoRef, SecretDocument};
    let Ok((_, doc)) = SecretDocument::from_pem(pem) else { return Ok(()) };
    let Ok(info) = EncryptedPrivateKeyInfoRef::from_der(doc.as_bytes()) else { return Ok(()) };
    let too_costly = |what: String| {
        Err(Error::invalid(format!(
            "The key file's encryption asks for {what}; re-encrypt it with usual parameters (e.g. openssl pkcs8 -topk8 -v2 aes-256-cbc)."
        )))
    };
    match &info.encryption_algorithm {
        EncryptionScheme::Pbes2(params) => match &params.kdf {
            Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => {
                too_costly(format!("{} PBKDF2 iterations, more than {MAX_PBKDF2_ITERATIONS}", p.iteration_count))
            }
            Kdf::Scrypt(p) => {
                let memory = p.cost_parameter.checked_mul(128 * u64::from(p.block_size));
                let work = memory.and_then(|m| m.checked_mul(u64::from(p.parallelization)));
                match (memory, work) {
                    (Some(m), Some(w)) if m <= MAX_SCRYPT_MEMORY && w <= MAX_SCRYPT_WORK => Ok(()),
                    _ => too_costly(format!(
                        "scrypt with N={}, r={}, p={}, more than {} MiB of memory or {} MiB of work",
                        p.cost_parameter,
                        p.block_size,
                        p.parallelization,
                        MAX_SCRYPT_MEMORY >> 20,
                        MAX_SCRYPT_WORK >> 20
                    )),
                }
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

impl PrivateKey {
    /// Generates a key of `bits` (2048, 3072 or 4096) with exponent 65537.
    pub fn generate(bits: usize) -> Result<PrivateKey> {
        if !SUPPORTED_SIZES.contains(&bits) {
            return Err(Error::invalid(format!("RSA key size {bits} is not supported; use 2048, 3072 or 4096.")));
        }
        RsaPrivateKey::new(&mut rng(), bits)
            .map(PrivateKey)
            .map_err(|e| Error::internal(format!("RSA key generation failed: {e}")))
    }

    /// Imports a private key from a file's bytes: PEM (`RSA PRIVATE KEY`,
    /// `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`), DER (PKCS#1 or PKCS#8), or a
    /// JSON Web Key (what Key Vault's import takes; see [`PrivateKey::import_any`]).
    pub fn import(bytes: &[u8], password: Option<&str>) -> Result<PrivateKey> {
        Self::import_any(bytes, password).map(|(key, _)| key)
    }

    /// [`PrivateKey::import`], and whether the file asked for an HSM key (a
    /// JSON Web Key of `kty` `RSA-HSM`). A JSON file is a JWK, or Key Vault's
    /// import body `{"key": JWK, ...}`; the sizes and checks are the same for
    /// every format, so `Add-AzKeyVaultKey -KeyFilePath` and the REST import
    /// (`PUT /keys/{name}`) share one set of rules.
    pub fn import_any(bytes: &[u8], password: Option<&str>) -> Result<(PrivateKey, bool)> {
        let mut hsm = false;
        let key = match std::str::from_utf8(bytes).ok().map(str::trim_start) {
            Some(text) if text.starts_with('{') => {
                let (key, asked) = rsa_from_jwk(text)?;
                hsm = asked;
                key
            }
            Some(text) if text.starts_with("-----BEGIN") => {
                if text.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
                    RsaPrivateKey::from_pkcs1_pem(text)
                        .map_err(|e| crypto_error("Not a valid PKCS#1 RSA private key", e))?
                } else if text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
                    let password = password.ok_or_else(|| {
                        Error::invalid("The key file is encrypted: give its password with -KeyFilePassword.")
                    })?;
                    check_kdf_cost(text)?;
                    RsaPrivateKey::from_pkcs8_encrypted_pem(text, password.as_bytes()).map_err(|_| {
                        Error::invalid(
                            "The key file could not be decrypted: wrong -KeyFilePassword, or not an RSA key.",
                        )
                    })?
                } else if text.starts_with("-----BEGIN PRIVATE KEY-----") {
                    RsaPrivateKey::from_pkcs8_pem(text)
                        .map_err(|e| crypto_error("Not a valid PKCS#8 RSA private key", e))?
                } else {
                    let first = text.lines().next().unwrap_or_default();
                    return Err(Error::invalid(format!(
                        "The key file starts with '{first}': import an RSA private key (PEM 'RSA PRIVATE KEY', 'PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY', or DER)."
                    )));
                }
            }
            _ => RsaPrivateKey::from_pkcs8_der(bytes)
                .or_else(|_| RsaPrivateKey::from_pkcs1_der(bytes))
                .map_err(|_| Error::invalid("The key file is neither PEM nor a DER PKCS#1/PKCS#8 RSA private key."))?,
        };
        let bits = key.n().bit_width() as usize;
        if !SUPPORTED_SIZES.contains(&bits) {
            return Err(Error::invalid(format!(
                "The imported RSA key has {bits} bits; import a 2048, 3072 or 4096-bit key."
            )));
        }
        key.validate().map_err(|e| crypto_error("The imported RSA key is not consistent", e))?;
        Ok((PrivateKey(key), hsm))
    }

    /// The PKCS#8 DER encoding, for sealing under the master key.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self.0.to_pkcs8_der().map_err(|e| Error::internal(format!("PKCS#8 encoding failed: {e}")))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        RsaPrivateKey::from_pkcs8_der(der)
            .map(PrivateKey)
            .map_err(|e| Error::internal(format!("a sealed private key does not decode: {e}")))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.to_public_key())
    }

    pub fn bits(&self) -> usize {
        self.0.n().bit_width() as usize
    }

    /// RSA-OAEP decryption, blinded.
    pub fn unwrap_key(&self, algorithm: OaepAlgorithm, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let mut rng = rng();
        let plain = match algorithm {
            OaepAlgorithm::RsaOaep => self.0.decrypt_blinded(&mut rng, Oaep::<sha1::Sha1>::new(), ciphertext),
            OaepAlgorithm::RsaOaep256 => self.0.decrypt_blinded(&mut rng, Oaep::<sha2::Sha256>::new(), ciphertext),
        };
        // One message for every failure, so errors reveal nothing about the padding.
        plain.map(Zeroizing::new).map_err(|_| {
            Error::invalid(format!(
                "The value could not be unwrapped with {}: wrong key, algorithm or ciphertext.",
                algorithm.name()
            ))
        })
    }
}

/// An RSA private key from a JSON Web Key (RFC 7518 §6.3): `kty` `RSA` or
/// `RSA-HSM` (Key Vault's spelling), `n`, `e`, `d`, `p`, `q` in base64url;
/// `dp`, `dq`, `qi`, when present, must be the key's. Returns whether `kty`
/// asked for an HSM key. Other key types are refused by name.
fn rsa_from_jwk(text: &str) -> Result<(RsaPrivateKey, bool)> {
    use rsa::traits::PrivateKeyParts;
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid(format!("The key file is not a valid JSON Web Key: {e}.")))?;
    // Key Vault's import body carries the JWK under "key".
    let jwk = match doc.get("key") {
        Some(inner) if inner.is_object() => inner,
        _ => &doc,
    };
    let jwk = jwk.as_object().ok_or_else(|| Error::invalid("The JSON Web Key must be a JSON object."))?;
    let kty = jwk.get("kty").and_then(serde_json::Value::as_str).unwrap_or_default();
    let hsm = match kty.to_ascii_uppercase().as_str() {
        "RSA" => false,
        "RSA-HSM" => true,
        "EC" | "EC-HSM" | "OCT" | "OCT-HSM" => {
            return Err(Error::invalid(format!(
                "Importing a '{kty}' key is not supported by ppcmk: Power Platform customer-managed keys must be RSA or RSA-HSM keys (2048, 3072 or 4096 bits), so this key vault imports only RSA keys."
            )))
        }
        "" => return Err(Error::invalid("The JSON Web Key has no kty; import an RSA key (kty RSA or RSA-HSM).")),
        other => return Err(Error::invalid(format!("'{other}' is not a key type; import an RSA key (kty RSA or RSA-HSM)."))),
    };
    if jwk.get("key_hsm").is_some_and(|v| !v.is_null()) {
        return Err(Error::invalid(
            "A key_hsm transfer blob (BYOK from an on-premises HSM) cannot be imported by ppcmk; import the key's private components (n, e, d, p, q, dp, dq, qi) instead.",
        ));
    }
    // Big-endian bytes without leading zeros.
    let part = |name: &str| -> Result<Option<Zeroizing<Vec<u8>>>> {
        match jwk.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => {
                let bytes = Zeroizing::new(
                    super::from_base64(s)
                        .ok_or_else(|| Error::invalid(format!("The JSON Web Key's '{name}' is not base64url.")))?,
                );
                let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
                Ok(Some(Zeroizing::new(bytes[start..].to_vec())))
            }
            Some(_) => Err(Error::invalid(format!("The JSON Web Key's '{name}' must be a base64url string."))),
        }
    };
    let required = |name: &str| -> Result<Zeroizing<Vec<u8>>> {
        part(name)?.filter(|b| !b.is_empty()).ok_or_else(|| {
            let what = if matches!(name, "n" | "e") { "public" } else { "private" };
            Error::invalid(format!(
                "The JSON Web Key has no '{name}': an RSA import needs the {what} components n, e, d, p and q."
            ))
        })
    };
    let (n, e, d, p, q) = (required("n")?, required("e")?, required("d")?, required("p")?, required("q")?);
    let malformed = || Error::invalid("The JSON Web Key's components do not form an RSA key.");
    let bits = u32::try_from(n.len() * 8).map_err(|_| malformed())?;
    if [&d, &p, &q].iter().any(|c| c.len() > n.len()) || e.len() > 8 {
        return Err(malformed());
    }
    let uint = |b: &[u8], bits: u32| rsa::BoxedUint::from_be_slice(b, bits).map_err(|_| malformed());
    let key = RsaPrivateKey::from_components(
        uint(&n, bits)?,
        uint(&e, (e.len() * 8) as u32)?,
        uint(&d, bits)?,
        vec![uint(&p, bits)?, uint(&q, bits)?],
    )
    .map_err(|e| crypto_error("The JSON Web Key is not a consistent RSA private key", e))?;
    // The CRT values a JWK carries must be the key's own.
    let trimmed = |v: Vec<u8>| {
        let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
        v[start..].to_vec()
    };
    let computed = [
        ("dp", key.dp().map(|v| trimmed(v.to_be_bytes().to_vec()))),
        ("dq", key.dq().map(|v| trimmed(v.to_be_bytes().to_vec()))),
        ("qi", key.crt_coefficient().map(|v| trimmed(v.to_be_bytes().to_vec()))),
    ];
    for (name, value) in computed {
        if let (Some(given), Some(value)) = (part(name)?, value) {
            if given.as_slice() != value.as_slice() {
                return Err(Error::invalid(format!(
                    "The JSON Web Key's '{name}' does not belong to its n, d, p and q: the key is not consistent."
                )));
            }
        }
    }
    Ok((key, hsm))
}

/// The DER of the first `label` block of a PEM text, if any.
fn pem_block(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let body: String = text[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    super::from_base64(&body)
}

impl PublicKey {
    /// The RSA public key of an X.509 certificate (PEM or DER) and the
    /// SHA-256 thumbprint of the certificate's DER: what a managed HSM's
    /// security domain download takes (its subjectPublicKeyInfo is found by
    /// the rsaEncryption algorithm identifier and decoded as SPKI).
    pub fn from_certificate(bytes: &[u8]) -> Result<(PublicKey, [u8; 32])> {
        let invalid = |what: &str| {
            Error::invalid(format!(
                "The certificate {what}: use an X.509 certificate with an RSA key (PEM or DER, .cer)."
            ))
        };
        let der =
            std::str::from_utf8(bytes).ok().and_then(|t| pem_block(t, "CERTIFICATE")).unwrap_or_else(|| bytes.to_vec());
        if der.first() != Some(&0x30) {
            return Err(invalid("is not DER or PEM"));
        }
        const RSA_ENCRYPTION: [u8; 15] =
            [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
        let at = der
            .windows(RSA_ENCRYPTION.len())
            .position(|w| w == RSA_ENCRYPTION)
            .ok_or_else(|| invalid("has no RSA public key"))?;
        // The SPKI SEQUENCE header just before: short, 0x81 or 0x82 length.
        let spki = [2usize, 3, 4].iter().find_map(|&back| {
            let start = at.checked_sub(back)?;
            let len = match back {
                2 if der[at - 1] < 0x80 => der[at - 1] as usize,
                3 if der[at - 2] == 0x81 => der[at - 1] as usize,
                4 if der[at - 3] == 0x82 => (der[at - 2] as usize) << 8 | der[at - 1] as usize,
                _ => return None,
            };
            (der[start] == 0x30).then(|| der.get(start..at + len)).flatten()
        });
        let key = spki
            .and_then(|spki| RsaPublicKey::from_public_key_der(spki).ok())
            .ok_or_else(|| invalid("has an RSA public key that does not decode"))?;
        Ok((PublicKey(key), super::sha256(&der)))
    }
}

impl PrivateKey {
    /// Signs a digest (PKCS#1 v1.5 or PSS with a salt as long as the digest), blinded.
    pub fn sign(&self, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>> {
        use rsa::{Pkcs1v15Sign, Pss};
        use sha2::{Sha256, Sha384, Sha512};
        algorithm.check_digest(digest)?;
        let mut rng = rng();
        let signed = match algorithm {
            SignatureAlgorithm::Rs256 => self.0.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<Sha256>(), digest),
            SignatureAlgorithm::Rs384 => self.0.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<Sha384>(), digest),
            SignatureAlgorithm::Rs512 => self.0.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<Sha512>(), digest),
            SignatureAlgorithm::Ps256 => self.0.sign_with_rng(&mut rng, Pss::<Sha256>::new_blinded(), digest),
            SignatureAlgorithm::Ps384 => self.0.sign_with_rng(&mut rng, Pss::<Sha384>::new_blinded(), digest),
            SignatureAlgorithm::Ps512 => self.0.sign_with_rng(&mut rng, Pss::<Sha512>::new_blinded(), digest),
        };
        signed.map_err(|e| Error::internal(format!("{} signing failed: {e}", algorithm.name())))
    }
}

impl PublicKey {
    /// Whether `signature` is the key's signature of `digest` under `algorithm`.
    pub fn verify(&self, algorithm: SignatureAlgorithm, digest: &[u8], signature: &[u8]) -> Result<bool> {
        use rsa::{Pkcs1v15Sign, Pss};
        use sha2::{Sha256, Sha384, Sha512};
        algorithm.check_digest(digest)?;
        let k = &self.0;
        Ok(match algorithm {
            SignatureAlgorithm::Rs256 => k.verify(Pkcs1v15Sign::new::<Sha256>(), digest, signature),
            SignatureAlgorithm::Rs384 => k.verify(Pkcs1v15Sign::new::<Sha384>(), digest, signature),
            SignatureAlgorithm::Rs512 => k.verify(Pkcs1v15Sign::new::<Sha512>(), digest, signature),
            SignatureAlgorithm::Ps256 => k.verify(Pss::<Sha256>::new(), digest, signature),
            SignatureAlgorithm::Ps384 => k.verify(Pss::<Sha384>::new(), digest, signature),
            SignatureAlgorithm::Ps512 => k.verify(Pss::<Sha512>::new(), digest, signature),
        }
        .is_ok())
    }

    /// RSA-OAEP encryption of a short value (a data-encryption key).
    pub fn wrap_key(&self, algorithm: OaepAlgorithm, plaintext: &[u8]) -> Result<Vec<u8>> {
        let max = algorithm.max_plaintext(self.bits());
        if plaintext.len() > max {
            return Err(Error::invalid(format!(
                "{} under a {}-bit key carries at most {max} bytes; the value has {}.",
                algorithm.name(),
                self.bits(),
                plaintext.len()
            )));
        }
        let mut rng = rng();
        let out = match algorithm {
            OaepAlgorithm::RsaOaep => self.0.encrypt(&mut rng, Oaep::<sha1::Sha1>::new(), plaintext),
            OaepAlgorithm::RsaOaep256 => self.0.encrypt(&mut rng, Oaep::<sha2::Sha256>::new(), plaintext),
        };
        out.map_err(|e| Error::internal(format!("RSA-OAEP encryption failed: {e}")))
    }

    pub fn bits(&self) -> usize {
        self.0.n().bit_width() as usize
    }

    /// The modulus, big-endian, without leading zeros (JWK `n`).
    pub fn modulus(&self) -> Vec<u8> {
        strip_leading_zeros(self.0.n().to_be_bytes().to_vec())
    }

    /// The public exponent, big-endian (JWK `e`).
    pub fn exponent(&self) -> Vec<u8> {
        strip_leading_zeros(self.0.e().to_be_bytes().to_vec())
    }

    pub fn to_pkcs1_der(&self) -> Result<Vec<u8>> {
        self.0
            .to_pkcs1_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|e| Error::internal(format!("PKCS#1 encoding failed: {e}")))
    }

    pub fn from_pkcs1_der(der: &[u8]) -> Result<PublicKey> {
        RsaPublicKey::from_pkcs1_der(der)
            .map(PublicKey)
            .map_err(|e| Error::internal(format!("a sealed public key does not decode: {e}")))
    }
}

fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count().min(bytes.len().saturating_sub(1));
    bytes.drain(..zeros);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn key() -> &'static PrivateKey {
        static KEY: OnceLock<PrivateKey> = OnceLock::new();
        KEY.get_or_init(|| PrivateKey::generate(2048).unwrap())
    }

    #[test]
    fn oaep_round_trips_for_both_algorithms() {
        let dek = [7u8; 32];
        for alg in [OaepAlgorithm::RsaOaep, OaepAlgorithm::RsaOaep256] {
            let wrapped = key().public_key().wrap_key(alg, &dek).unwrap();
            assert_eq!(wrapped.len(), 256);
            assert_eq!(key().unwrap_key(alg, &wrapped).unwrap().as_slice(), &dek);
            let other = match alg {
                OaepAlgorithm::RsaOaep => OaepAlgorithm::RsaOaep256,
                OaepAlgorithm::RsaOaep256 => OaepAlgorithm::RsaOaep,
            };
            assert!(key().unwrap_key(other, &wrapped).is_err(), "the algorithm is bound");
        }
    }

    #[test]
    fn refuses_unsupported_sizes_and_oversized_values() {
        assert!(PrivateKey::generate(1024).is_err());
        let too_long = vec![0u8; OaepAlgorithm::RsaOaep256.max_plaintext(2048) + 1];
        assert!(key().public_key().wrap_key(OaepAlgorithm::RsaOaep256, &too_long).is_err());
    }

    #[test]
    fn pkcs8_round_trip_and_public_parts() {
        let der = key().to_pkcs8_der().unwrap();
        let again = PrivateKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(again.public_key().modulus(), key().public_key().modulus());
        assert_eq!(key().public_key().exponent(), vec![1, 0, 1]);
        assert_eq!(key().public_key().modulus().len(), 256);
        let public = PublicKey::from_pkcs1_der(&key().public_key().to_pkcs1_der().unwrap()).unwrap();
        assert_eq!(public.bits(), 2048);
    }

    /// A JSON Web Key of `key()`, as node:crypto and Key Vault write one.
    fn jwk() -> serde_json::Value {
        use rsa::traits::PrivateKeyParts;
        let k = &key().0;
        let b = |v: &rsa::BoxedUint| crate::crypto::base64url(&v.to_be_bytes());
        serde_json::json!({
            "kty": "RSA",
            "n": crate::crypto::base64url(&key().public_key().modulus()),
            "e": "AQAB",
            "d": b(k.d()),
            "p": b(k.primes()[0].as_ref()),
            "q": b(k.primes()[1].as_ref()),
            "dp": b(k.dp().unwrap()),
            "dq": b(k.dq().unwrap()),
            "qi": b(&k.crt_coefficient().unwrap()),
        })
    }

    #[test]
    fn import_reads_a_json_web_key_and_refuses_what_is_not_an_rsa_private_key() {
        let doc = jwk();
        let (imported, hsm) = PrivateKey::import_any(doc.to_string().as_bytes(), None).unwrap();
        assert_eq!(imported.public_key().modulus(), key().public_key().modulus());
        assert!(!hsm);
        // Key Vault's import body, and the HSM key type.
        let mut inner = doc.clone();
        inner["kty"] = "RSA-HSM".into();
        let body = serde_json::json!({"key": inner, "Hsm": true});
        assert!(PrivateKey::import_any(body.to_string().as_bytes(), None).unwrap().1);
        let refused =
            |doc: serde_json::Value| PrivateKey::import(doc.to_string().as_bytes(), None).err().unwrap().message;
        let ec = serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA"});
        assert!(refused(ec).contains("'EC' key is not supported by ppcmk"));
        let mut public_only = doc.clone();
        public_only.as_object_mut().unwrap().remove("d");
        assert!(refused(public_only).contains("no 'd'"));
        let mut wrong_dp = doc.clone();
        wrong_dp["dp"] = wrong_dp["dq"].clone();
        assert!(refused(wrong_dp).contains("'dp' does not belong"));
        let mut other_q = doc.clone();
        other_q["q"] = other_q["p"].clone();
        assert!(PrivateKey::import(other_q.to_string().as_bytes(), None).is_err());
        assert!(PrivateKey::import(b"{\"kty\": \"RSA\", \"n\": 5}", None).is_err());
    }

    #[test]
    fn import_accepts_pkcs8_der_and_rejects_garbage() {
        let der = key().to_pkcs8_der().unwrap();
        assert_eq!(PrivateKey::import(&der, None).unwrap().bits(), 2048);
        assert!(PrivateKey::import(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", None).is_err());
        assert!(PrivateKey::import(b"garbage", None).is_err());
        assert!(PrivateKey::import(b"", None).is_err());
    }
}
