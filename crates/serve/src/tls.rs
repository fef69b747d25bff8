//! The server's certificates: a CA created on first start in the store
//! folder (exported as PEM for clients to trust) and a server certificate it
//! signs for `localhost`, the vault hosts `*.vault.localhost` and loopback.

use ppcmk::{Error, ErrorCode};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType,
};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The files of `<store>/serve/`.
pub struct TlsFiles {
    pub folder: PathBuf,
    pub ca_pem: PathBuf,
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    /// Whether this start created them (the banner then says so).
    pub created: bool,
}

fn file_error(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::FileError, format!("Cannot {what} {}: {e}", path.display()))
        .with_target(path.display().to_string())
}

/// The serve folder of a store, created private.
pub fn serve_folder(home: &Path) -> Result<PathBuf, Error> {
    let folder = home.join("serve");
    if !folder.is_dir() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&folder).map_err(|e| file_error("create", &folder, e))?;
    }
    Ok(folder)
}

/// Writes a file only its owner may read (keys).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    options.open(path).and_then(|mut f| f.write_all(bytes)).map_err(|e| file_error("write", path, e))
}

/// The CA and server certificate of `home`, created when missing. A server
/// certificate that does not name `address` (a non-loopback address given
/// with -Address) is issued again under a new CA.
pub fn ensure(home: &Path, address: IpAddr) -> Result<TlsFiles, Error> {
    let folder = serve_folder(home)?;
    let files = TlsFiles {
        ca_pem: folder.join("ca.pem"),
        cert_pem: folder.join("server.pem"),
        key_pem: folder.join("server-key.pem"),
        folder,
        created: false,
    };
    let address_file = files.folder.join("server-address.txt");
    let recorded = std::fs::read_to_string(&address_file).unwrap_or_default();
    let names_address = address.is_loopback() || recorded.lines().any(|l| l.trim() == address.to_string());
    if files.ca_pem.is_file() && files.cert_pem.is_file() && files.key_pem.is_file() && names_address {
        return Ok(files);
    }
    let fail = |e: rcgen::Error| Error::internal(format!("creating the server certificate: {e}"));
    let ca_key = KeyPair::generate().map_err(fail)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca_params.distinguished_name.push(DnType::CommonName, "ppcmk serve local CA");
    ca_params.distinguished_name.push(DnType::OrganizationName, "ppcmk");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    set_validity(&mut ca_params);
    let ca_cert = ca_params.self_signed(&ca_key).map_err(fail)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(fail)?;
    // `*.localhost` would not match `kv1.localhost` (a wildcard needs two
    // labels after it), so the vaults live under vault.localhost.
    let mut params = CertificateParams::new(vec![
        "localhost".to_string(),
        "vault.localhost".to_string(),
        "*.vault.localhost".to_string(),
        "management.localhost".to_string(),
        "login.localhost".to_string(),
    ])
    .map_err(fail)?;
    params.subject_alt_names.push(SanType::IpAddress(IpAddr::from([127, 0, 0, 1])));
    params.subject_alt_names.push(SanType::IpAddress(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])));
    if !address.is_loopback() && !address.is_unspecified() {
        params.subject_alt_names.push(SanType::IpAddress(address));
    }
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    set_validity(&mut params);
    let cert = params.signed_by(&server_key, &issuer).map_err(fail)?;

    std::fs::write(&files.ca_pem, ca_cert.pem()).map_err(|e| file_error("write", &files.ca_pem, e))?;
    std::fs::write(&files.cert_pem, cert.pem() + &ca_cert.pem())
        .map_err(|e| file_error("write", &files.cert_pem, e))?;
    write_private(&files.key_pem, server_key.serialize_pem().as_bytes())?;
    std::fs::write(&address_file, format!("{address}\n")).map_err(|e| file_error("write", &address_file, e))?;
    Ok(TlsFiles { created: true, ..files })
}

/// From yesterday (clock skew) for 825 days, the longest lifetime clients accept for a server certificate.
fn set_validity(params: &mut CertificateParams) {
    use chrono::Datelike;
    let from = chrono::Utc::now() - chrono::Duration::days(1);
    let to = from + chrono::Duration::days(825);
    params.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day() as u8);
    params.not_after = rcgen::date_time_ymd(to.year(), to.month() as u8, to.day() as u8);
}

/// The rustls configuration over the files.
pub fn server_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, Error> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| file_error("read", p, e));
    let chain_pem = read(&files.cert_pem)?;
    let key_pem = read(&files.key_pem)?;
    let bad = |p: &Path| {
        Error::new(
            ErrorCode::FileError,
            format!("{} is not a PEM certificate or key; delete the serve folder to make new ones.", p.display()),
        )
    };
    let chain: Vec<_> =
        rustls_pemfile::certs(&mut chain_pem.as_slice()).collect::<Result<_, _>>().map_err(|_| bad(&files.cert_pem))?;
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice()).ok().flatten().ok_or_else(|| bad(&files.key_pem))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS configuration: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            Error::new(
                ErrorCode::FileError,
                format!(
                    "The server certificate cannot be used: {e}; delete {} to make a new one.",
                    files.folder.display()
                ),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
