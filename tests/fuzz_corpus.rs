//! The fuzz targets' stable form: every checked-in corpus file under
//! `fuzz/corpus/<target>/` (the seeds and every input that once crashed)
//! replayed through the same `ppcmk::fuzzing` functions the cargo-fuzz
//! targets call. A panic — in the product or a broken property — fails the
//! test and names the file. `scripts/fuzz` runs the fuzzers themselves.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target)
}

#[test]
fn every_corpus_file_replays_without_a_panic() {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for (target, run) in ppcmk::fuzzing::TARGETS {
        let dir = corpus_dir(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (every target has a checked-in corpus)", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} is empty", dir.display());
        for file in &files {
            let data = std::fs::read(file).unwrap();
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failures.push(file.display().to_string());
            }
        }
        counts.push(format!("{target}: {}", files.len()));
    }
    ppcmk::fuzzing::remove_fuzz_store();
    eprintln!("replayed {}", counts.join(", "));
    assert!(failures.is_empty(), "corpus inputs that panic:\n{}", failures.join("\n"));
}
