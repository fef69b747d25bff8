//! Cryptographic building blocks: AES-256-GCM sealing with bound associated
//! data, randomness, GUIDs and hashing.
//!
//! RSA lives apart in `crypto::rsa` (a different RustCrypto generation and a
//! backend that may be swapped); nothing outside `crypto` names a cipher crate.

pub mod rsa;

use crate::error::{Error, ErrorCode, Result};
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Format byte at the start of every sealed blob, so the layout can change.
const SEALED_FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A 256-bit AES-GCM key. The key bytes and the expanded round keys are
/// both zeroized when dropped; the cipher is expanded once per key, not per
/// call, because bulk re-encryption seals hundreds of thousands of records.
#[derive(Clone)]
pub struct SymmetricKey {
    bytes: Zeroizing<[u8; 32]>,
    cipher: Aes256Gcm,
}

impl SymmetricKey {
    /// A fresh random key from the operating system's CSPRNG.
    pub fn generate() -> SymmetricKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        fill_random(bytes.as_mut());
        SymmetricKey::from_array(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<SymmetricKey> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::internal(format!("a 256-bit key needs 32 bytes, got {}", bytes.len())))?;
        Ok(SymmetricKey::from_array(Zeroizing::new(array)))
    }

    fn from_array(bytes: Zeroizing<[u8; 32]>) -> SymmetricKey {
        let cipher = Aes256Gcm::new((&*bytes).into());
        SymmetricKey { bytes, cipher }
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Encrypts `plaintext` with a fresh random 96-bit nonce. `aad` is
    /// authenticated but not stored: the same `aad` must be given to
    /// [`SymmetricKey::open`], which binds a ciphertext to its place.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let nonce_bytes = nonces::next();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(SEALED_FORMAT_V1);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(plaintext);
        let body = &mut out[1 + NONCE_LEN..];
        let tag = self
            .cipher
            .encrypt_inout_detached(&Nonce::from(nonce_bytes), aad, body.into())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        out.extend_from_slice(&tag);
        out
    }

    /// Decrypts a blob made by [`SymmetricKey::seal`] with the same `aad`.
    /// A wrong key, wrong `aad` or any altered byte fails authentication.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let mut plain = Zeroizing::new(Vec::new());
        self.open_into(sealed, aad, &mut plain)?;
        Ok(plain)
    }

    /// [`SymmetricKey::open`] into `plain`, whose contents it replaces: a
    /// listing opens one name per row into the same buffer.
    pub fn open_into(&self, sealed: &[u8], aad: &[u8], plain: &mut Zeroizing<Vec<u8>>) -> Result<()> {
        plain.clear();
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != SEALED_FORMAT_V1 {
            return Err(integrity_error());
        }
        let nonce_bytes: [u8; NONCE_LEN] = sealed[1..1 + NONCE_LEN].try_into().expect("length checked");
        let (body, tag) = sealed[1 + NONCE_LEN..].split_at(sealed.len() - 1 - NONCE_LEN - TAG_LEN);
        // Growing a Zeroizing<Vec> past its capacity would leave the old buffer unwiped: reserve on the wrapper's side.
        if plain.capacity() < body.len() {
            *plain = Zeroizing::new(Vec::with_capacity(body.len()));
        }
        plain.extend_from_slice(body);
        let tag: [u8; TAG_LEN] = tag.try_into().expect("length checked");
        self.cipher
            .decrypt_inout_detached(&Nonce::from(nonce_bytes), aad, plain.as_mut_slice().into(), &tag.into())
            .map_err(|_| {
                plain.clear();
                integrity_error()
            })
    }
}

/// Re-encrypts blobs made by [`SymmetricKey::seal`] in place, for bulk
/// re-encryption: nothing is allocated per blob, and the nonces come from
/// this thread's pool checked against a fork once per [`Resealer::run`]
/// rather than once per blob (a system call each, on a virtual machine a
/// few per cent of a re-encryption).
pub struct Resealer<'a> {
    pool: &'a mut nonces::Pool,
}

impl Resealer<'_> {
    /// Runs `work` with a resealer. `work` must not fork, nor seal by other
    /// means (the thread's nonce pool is lent to the resealer meanwhile).
    pub fn run<T>(work: impl FnOnce(&mut Resealer<'_>) -> T) -> T {
        nonces::with_pool(|pool| work(&mut Resealer { pool }))
    }

    /// Opens `blob` under `from` with `from_aad`, then seals it under `to`
    /// with `to_aad` and a fresh nonce, in the same bytes (a sealed blob's
    /// length depends only on its plaintext's). The plaintext exists only in
    /// `blob` between the two steps, overwritten by the new ciphertext, or
    /// zeroed when the blob fails authentication.
    pub fn reseal_in_place(
        &mut self,
        blob: &mut [u8],
        from: &SymmetricKey,
        from_aad: &[u8],
        to: &SymmetricKey,
        to_aad: &[u8],
    ) -> Result<()> {
        if blob.len() < 1 + NONCE_LEN + TAG_LEN || blob[0] != SEALED_FORMAT_V1 {
            return Err(integrity_error());
        }
        let body_end = blob.len() - TAG_LEN;
        let old_nonce: [u8; NONCE_LEN] = blob[1..1 + NONCE_LEN].try_into().expect("length checked");
        let old_tag: [u8; TAG_LEN] = blob[body_end..].try_into().expect("length checked");
        let body = &mut blob[1 + NONCE_LEN..body_end];
        if from.cipher.decrypt_inout_detached(&Nonce::from(old_nonce), from_aad, body.into(), &old_tag.into()).is_err()
        {
            zeroize::Zeroize::zeroize(blob);
            return Err(integrity_error());
        }
        let nonce = self.pool.draw();
        let tag = to
            .cipher
            .encrypt_inout_detached(&Nonce::from(nonce), to_aad, body.into())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        blob[1..1 + NONCE_LEN].copy_from_slice(&nonce);
        blob[body_end..].copy_from_slice(&tag);
        Ok(())
    }
}

/// Random 96-bit GCM nonces, drawn from the OS CSPRNG a page at a time: one
/// system call per record made bulk re-encryption syscall-bound. Nonces are
/// public, so the buffer needs no zeroizing; it is discarded after a fork so
/// that a child can never reuse its parent's nonces.
mod nonces {
    use super::{fill_random, NONCE_LEN};
    use std::cell::RefCell;

    const POOL_LEN: usize = NONCE_LEN * 341;

    pub struct Pool {
        pid: u32,
        used: usize,
        bytes: [u8; POOL_LEN],
    }

    impl Pool {
        /// Drops what is left when this process is not the one that drew it (a fork).
        fn check_fork(&mut self) {
            let pid = std::process::id();
            if self.pid != pid {
                self.pid = pid;
                self.used = POOL_LEN;
            }
        }

        /// The next nonce, refilling from the OS when the pool is spent.
        pub fn draw(&mut self) -> [u8; NONCE_LEN] {
            if self.used == POOL_LEN {
                fill_random(&mut self.bytes);
                self.used = 0;
            }
            let nonce: [u8; NONCE_LEN] = self.bytes[self.used..self.used + NONCE_LEN].try_into().expect("in bounds");
            self.used += NONCE_LEN;
            nonce
        }
    }

    thread_local! {
        static POOL: RefCell<Pool> = const { RefCell::new(Pool { pid: 0, used: POOL_LEN, bytes: [0; POOL_LEN] }) };
    }

    /// This thread's pool, checked against a fork once: the caller draws
    /// from it without forking in between.
    pub fn with_pool<T>(work: impl FnOnce(&mut Pool) -> T) -> T {
        POOL.with_borrow_mut(|pool| {
            pool.check_fork();
            work(pool)
        })
    }

    pub fn next() -> [u8; NONCE_LEN] {
        with_pool(Pool::draw)
    }
}

fn integrity_error() -> Error {
    Error::new(
        ErrorCode::StoreError,
        "A sealed value failed authentication: it was altered, moved to another place, or sealed under another key.",
    )
}

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random number generator is unavailable");
}

pub fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill_random(&mut out);
    out
}

/// A random (version 4) GUID in the lower-case 8-4-4-4-12 form Azure uses.
pub fn new_guid() -> String {
    let mut b: [u8; 16] = random_array();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Whether `s` has the 8-4-4-4-12 hexadecimal GUID form.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5 && parts.iter().zip(lens).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Appends `n` in decimal, the bytes `format!("{n}")` gives, for associated
/// data built byte by byte: a listing or a re-encryption builds one per row,
/// and the formatting machinery cost more than the copies.
pub fn push_decimal(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

/// URL-safe base64 without padding (JWK members, Key Vault REST values).
pub fn base64url(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes base64 in any of its four spellings (standard or URL-safe, padded or not).
pub fn from_base64(text: &str) -> Option<Vec<u8>> {
    use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};
    let t = text.trim();
    Base64::decode_vec(t)
        .or_else(|_| Base64Unpadded::decode_vec(t))
        .or_else(|_| Base64Url::decode_vec(t))
        .or_else(|_| Base64UrlUnpadded::decode_vec(t))
        .ok()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// HMAC-SHA-256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit as _, Mac};
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_into_reuses_one_buffer_whatever_the_sizes() {
        let key = SymmetricKey::generate();
        let mut plain = Zeroizing::new(Vec::new());
        for text in [&b"a longer name than the next"[..], b"short", b"", b"a name again, longer than any before it"] {
            key.open_into(&key.seal(text, b"aad"), b"aad", &mut plain).unwrap();
            assert_eq!(plain.as_slice(), text);
        }
        let sealed = key.seal(b"secret", b"aad");
        for (blob, aad) in [(&sealed[..], &b"other aad"[..]), (&sealed[..10], b"aad")] {
            key.open_into(&key.seal(b"the last name", b"aad"), b"aad", &mut plain).unwrap();
            assert!(key.open_into(blob, aad, &mut plain).is_err());
            assert!(plain.is_empty(), "a refused blob leaves nothing in the buffer");
        }
    }

    #[test]
    fn seal_round_trips_and_is_randomised() {
        let key = SymmetricKey::generate();
        let a = key.seal(b"hello", b"place-1");
        let b = key.seal(b"hello", b"place-1");
        assert_ne!(a, b, "fresh nonce per seal");
        let nonces: std::collections::HashSet<Vec<u8>> =
            (0..2000).map(|_| key.seal(b"x", b"p")[1..1 + NONCE_LEN].to_vec()).collect();
        assert_eq!(nonces.len(), 2000, "nonces stay distinct across pool refills");
        assert_eq!(key.open(&a, b"place-1").unwrap().as_slice(), b"hello");
    }

    #[test]
    fn reseal_in_place_moves_a_blob_to_another_key_and_place() {
        let (old, new) = (SymmetricKey::generate(), SymmetricKey::generate());
        let sealed = old.seal(b"a record", b"row-1/gen-1");
        let mut blob = sealed.clone();
        Resealer::run(|r| r.reseal_in_place(&mut blob, &old, b"row-1/gen-1", &new, b"row-1/gen-2")).unwrap();
        assert_eq!(blob.len(), sealed.len());
        assert_ne!(blob[1..1 + NONCE_LEN], sealed[1..1 + NONCE_LEN], "a fresh nonce");
        assert_eq!(new.open(&blob, b"row-1/gen-2").unwrap().as_slice(), b"a record");
        assert!(old.open(&blob, b"row-1/gen-2").is_err() && new.open(&blob, b"row-1/gen-1").is_err());
        // A wrong key or place fails, and leaves no plaintext behind.
        Resealer::run(|r| {
            let mut wrong = sealed.clone();
            assert!(r.reseal_in_place(&mut wrong, &new, b"row-1/gen-1", &new, b"x").is_err());
            let mut moved = sealed.clone();
            assert!(r.reseal_in_place(&mut moved, &old, b"row-2/gen-1", &new, b"x").is_err());
            assert!(moved.iter().all(|&b| b == 0), "zeroed on failure");
            assert!(r.reseal_in_place(&mut [1u8; 10], &old, b"", &new, b"").is_err());
        });
        // Nonces stay distinct across pool refills.
        let mut blobs: Vec<Vec<u8>> = (0..2000).map(|_| old.seal(b"x", b"p")).collect();
        Resealer::run(|r| blobs.iter_mut().try_for_each(|b| r.reseal_in_place(b, &old, b"p", &new, b"q"))).unwrap();
        let nonces: std::collections::HashSet<&[u8]> = blobs.iter().map(|b| &b[1..1 + NONCE_LEN]).collect();
        assert_eq!(nonces.len(), 2000);
    }

    #[test]
    fn open_refuses_other_aad_other_key_and_tampering() {
        let key = SymmetricKey::generate();
        let sealed = key.seal(b"secret", b"row-1");
        assert!(key.open(&sealed, b"row-2").is_err(), "ciphertexts cannot move between rows");
        assert!(SymmetricKey::generate().open(&sealed, b"row-1").is_err());
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(key.open(&bad, b"row-1").is_err(), "flip at byte {i} detected");
        }
        assert!(key.open(&sealed[..10], b"row-1").is_err());
    }

    #[test]
    fn guid_shape() {
        let g = new_guid();
        assert!(is_guid(&g), "{g}");
        assert_eq!(&g[14..15], "4");
        assert!(!is_guid("not-a-guid"));
        assert_ne!(new_guid(), new_guid());
    }
}
