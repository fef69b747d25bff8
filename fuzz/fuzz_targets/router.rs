//! cargo-fuzz target: the body is `ppcmk_serve::router::fuzz` (request routing as a pure function),
//! which `crates/serve/tests/router.rs` also runs on every corpus file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ppcmk_serve::router::fuzz(data));
