#!/usr/bin/env python3
"""The scripting alternative to ppcmk's link, as a reference for `cargo bench --bench ppcmk`.

What an administrator could write instead with Python's `cryptography` package:
generate a 256-bit DEK, seal each record with AES-256-GCM under a fresh 96-bit
nonce (the record id as AAD, as ppcmk binds ciphertexts to their place), then
wrap the DEK with the customer's RSA public key (RSA-OAEP-256). Only that work
is timed: records are built before the clock starts and the ciphertexts are
counted, not stored, so the figure is an upper bound for such a script.

Usage: envelope.py RECORDS RECORD_SIZE RSA_BITS
Prints one JSON object: records, bytes, seconds (encryption + wrap),
wrap_seconds, rsa_bits, cryptography (version), python (version).
Exits 3 when `cryptography` is missing, so the caller can say so.
"""

import base64
import json
import os
import sys
import time

try:
    import cryptography
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError as e:
    print(f"cryptography is not installed: {e}", file=sys.stderr)
    sys.exit(3)

# Distinct records held in memory at once; the run cycles through them so a
# million records do not need a gigabyte of RAM (AES-GCM's cost does not
# depend on the content).
POOL = 4096


def sample_record(i: int, size: int) -> bytes:
    """A JSON record of `size` bytes with a random payload, shaped like New-PpCmkSampleData's."""
    head = '{"name":"Sample record %d","payload":"' % i
    room = max(size - len(head) - 2, 0)
    payload = base64.b64encode(os.urandom(room)).decode()[:room]
    return (head + payload + '"}').encode()


def main() -> None:
    records, size, bits = (int(a) for a in sys.argv[1:4])
    pool = [sample_record(i, size) for i in range(min(POOL, records))]
    assert all(len(r) == size for r in pool), "RECORD_SIZE is too small for a sample record"
    ids = [b"rec-%09d" % i for i in range(len(pool))]
    public = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

    started = time.perf_counter()
    dek = AESGCM.generate_key(bit_length=256)
    aead = AESGCM(dek)
    sealed = 0
    for i in range(records):
        j = i % len(pool)
        sealed += len(aead.encrypt(os.urandom(12), pool[j], ids[j]))
    wrap_started = time.perf_counter()
    wrapped = public.encrypt(dek, oaep)
    finished = time.perf_counter()

    assert sealed == records * (size + 16), "AES-GCM adds a 16-byte tag to each record"
    print(
        json.dumps(
            {
                "records": records,
                "bytes": records * size,
                "seconds": finished - started,
                "wrap_seconds": finished - wrap_started,
                "wrapped_bytes": len(wrapped),
                "rsa_bits": bits,
                "cryptography": cryptography.__version__,
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
