//! The `router` fuzz target's stable form: every checked-in file of
//! `fuzz/corpus/router/` (the seeds and any input that once crashed) is
//! routed without a panic, as `cargo fuzz run router` would run it; and
//! the routes the seeds name are the ones the server serves.

use hyper::Method;
use ppcmk_serve::router::{self, Face, KvRoute};

#[test]
fn every_router_corpus_file_replays_without_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/router");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10, "the seeds are checked in: {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if std::panic::catch_unwind(|| router::fuzz(&data)).is_err() {
            failures.push(file.display().to_string());
        }
    }
    assert!(failures.is_empty(), "corpus inputs that panic:\n{}", failures.join("\n"));
}

#[test]
fn routing_is_a_pure_function_of_method_host_and_path() {
    assert_eq!(router::face(true, "kv1.vault.localhost"), Face::Vault("kv1".into()));
    assert_eq!(router::face(true, "localhost"), Face::Management);
    assert_eq!(router::face(false, "kv1.vault.localhost"), Face::TokenPort);
    assert_eq!(
        router::key_vault_route(&Method::POST, "/keys/k1/V1/UnwrapKey"),
        Some(KvRoute::Crypto { name: "k1".into(), version: Some("V1".into()), operation: "Unwrap" })
    );
    assert_eq!(
        router::key_vault_route(&Method::GET, "/keys/k1/"),
        Some(KvRoute::GetKey { name: "k1".into(), version: None }),
        "the trailing slash of latest"
    );
    assert_eq!(
        router::key_vault_route(&Method::POST, "/keys/k1/create"),
        Some(KvRoute::CreateKey { name: "k1".into() })
    );
    assert_eq!(
        router::key_vault_route(&Method::PUT, "/keys/k1"),
        Some(KvRoute::ImportKey { name: "k1".into() }),
        "import"
    );
    assert_eq!(
        router::key_vault_route(&Method::PUT, "/keys/k1/rotationPolicy"),
        Some(KvRoute::SetRotationPolicy { name: "k1".into() })
    );
    assert_eq!(router::key_vault_route(&Method::POST, "/keys/k1/bogus"), None);
    assert_eq!(router::key_vault_route(&Method::GET, "/certificates/c1"), None);
    assert!(router::check_api_version(Some("7.6")).is_ok());
    let e = router::check_api_version(Some("1999-01-01")).unwrap_err();
    assert!(e.contains("The specified version (1999-01-01) is not recognized"), "{e}");
}
