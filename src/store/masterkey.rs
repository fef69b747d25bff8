//! The master key: 32 random bytes in a file of their own, readable by the
//! owner only. It seals the store's own secrets (the service's Microsoft-managed
//! key, the vaults' private keys), standing in for the HSM boundary: a copy of
//! the database without this file reveals nothing.

use crate::crypto::SymmetricKey;
use crate::error::{Error, ErrorCode, Result};
use std::io::Write;
use std::path::Path;

/// Header line of the key file, so that a wrong file is recognised.
const MAGIC: &[u8] = b"ppcmk-master-key-v1\n";

pub struct MasterKey {
    key: SymmetricKey,
}

impl MasterKey {
    /// A 256-bit key for one purpose, derived from the master key (SHA-256 of
    /// a purpose label and the key), so that no two uses share a key.
    pub fn derive(&self, purpose: &str) -> zeroize::Zeroizing<[u8; 32]> {
        let mut input = zeroize::Zeroizing::new(format!("ppcmk/derived-key/{purpose}\n").into_bytes());
        input.extend_from_slice(self.key.as_bytes());
        zeroize::Zeroizing::new(crate::crypto::sha256(&input))
    }

    /// Loads the key file; it must exist.
    pub fn load(path: &Path) -> Result<MasterKey> {
        if !path.exists() {
            return Err(Error::new(
                ErrorCode::InsecureKeyFile,
                format!(
                    "The store has a database but no master key file at {}: the sealed secrets cannot be read. \
                     Restore the file from your backup (it is never re-created over an existing database).",
                    path.display()
                ),
            ));
        }
        check_owner_only(path)?;
        let bytes = std::fs::read(path).map_err(|e| key_file_error(path, &e.to_string()))?;
        let bytes = zeroize::Zeroizing::new(bytes);
        if bytes.len() != MAGIC.len() + 32 || !bytes.starts_with(MAGIC) {
            return Err(key_file_error(path, "the file is not a ppcmk master key"));
        }
        Ok(MasterKey { key: SymmetricKey::from_bytes(&bytes[MAGIC.len()..])? })
    }

    /// Loads the key file, creating it first if it does not exist. Creation is
    /// atomic (write a private temporary file, then hard-link it into place),
    /// so two processes opening a new store at once agree on one key.
    pub fn load_or_create(path: &Path) -> Result<MasterKey> {
        if !path.exists() {
            let key = SymmetricKey::generate();
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            let mut contents = zeroize::Zeroizing::new(MAGIC.to_vec());
            contents.extend_from_slice(key.as_bytes());
            write_private_file(&tmp, &contents).map_err(|e| key_file_error(&tmp, &e.to_string()))?;
            let linked = std::fs::hard_link(&tmp, path);
            let _ = std::fs::remove_file(&tmp);
            match linked {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(key_file_error(path, &e.to_string())),
            }
        }
        MasterKey::load(path)
    }

    /// Seals a store secret; `aad` names the row it belongs to.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        self.key.seal(plaintext, aad)
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        self.key.open(sealed, aad)
    }
}

fn key_file_error(path: &Path, why: &str) -> Error {
    Error::new(ErrorCode::InsecureKeyFile, format!("Master key file {}: {why}.", path.display()))
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Refuses a key file that anyone but its owner can read or write.
#[cfg(unix)]
fn check_owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| key_file_error(path, &e.to_string()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::new(
            ErrorCode::InsecureKeyFile,
            format!(
                "Master key file {} is readable or writable by other users (mode {mode:o}). \
                 It protects every key in the store: restrict it with `chmod 600 {}` and check who may have copied it.",
                path.display(),
                path.display()
            ),
        ));
    }
    Ok(())
}

/// On Windows the file inherits the user profile's ACL; mode bits do not exist.
#[cfg(not(unix))]
fn check_owner_only(_path: &Path) -> Result<()> {
    Ok(())
}
