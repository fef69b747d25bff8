//! cargo-fuzz target: the body is `ppcmk::fuzzing::pem_import`, which the corpus replay test also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ppcmk::fuzzing::pem_import(data));
