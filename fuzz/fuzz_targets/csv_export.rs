//! cargo-fuzz target: the body is `ppcmk::fuzzing::csv_export`, which the corpus replay test also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ppcmk::fuzzing::csv_export(data));
