//! Files generated from the source are checked in and must be current: the C
//! header (cbindgen over src/ffi.rs) and the PowerShell module files
//! (generated from the command registry). Run with PPCMK_BLESS=1 to rewrite.

use std::path::Path;

fn check(path: &str, expected: &str, stale: &mut Vec<String>) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let actual = std::fs::read_to_string(&full).unwrap_or_default();
    if actual != expected {
        if std::env::var_os("PPCMK_BLESS").is_some() {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, expected).unwrap();
        } else {
            stale.push(path.to_string());
        }
    }
}

fn c_header() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(Path::new(root).join("cbindgen.toml")).expect("cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(Path::new(root).join("src/ffi.rs"))
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn generated_files_are_current() {
    let mut stale = Vec::new();
    check("include/ppcmk.h", &c_header(), &mut stale);
    for file in ppcmk::codegen::generated_files() {
        check(file.path, &file.contents, &mut stale);
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}. Regenerate with `PPCMK_BLESS=1 cargo test --test generated` and commit them."
    );
}

#[test]
fn module_exports_every_command() {
    let script = ppcmk::codegen::powershell::commands_script();
    let manifest = ppcmk::codegen::powershell::manifest();
    for c in ppcmk::registry::all() {
        assert!(script.contains(&format!("function {} {{", c.name)), "{} has no function", c.name);
        assert!(manifest.contains(&format!("'{}'", c.name)), "{} is not exported", c.name);
    }
}
