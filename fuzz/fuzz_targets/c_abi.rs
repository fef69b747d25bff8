//! cargo-fuzz target: the body is `ppcmk::fuzzing::c_abi`, which the corpus replay test also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ppcmk::fuzzing::c_abi(data));
