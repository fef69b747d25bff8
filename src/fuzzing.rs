//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer), kept in
//! the library so that the fuzzers and the stable replay test (a unit test
//! below, `cargo test --lib fuzzing`, which runs every checked-in corpus
//! file) call the same code. Compiled only for that test and with the
//! `fuzzing` feature, which only `fuzz/` turns on: never in `libppcmk.so`.
//! Not an API: each function takes arbitrary bytes and panics only when it
//! finds a bug (a panic in the product, or a broken property).
//!
//! Inputs that carry two parts separate them with the byte 0xFF, which never
//! occurs in UTF-8 text, so corpus files stay readable.

use crate::commands;
use crate::engine::InvokeOptions;
use crate::error::ErrorCode;
use crate::ffi;
use crate::policy::template;
use crate::registry::{self, bind, format, Object, Objects};
use crate::store::Store;
use crate::surface::invoke_json;
use serde_json::{json, Map, Value};
use std::ffi::{CStr, CString};
use std::path::PathBuf;

/// Separates the parts of a multi-part input.
pub const SEPARATOR: u8 = 0xFF;

/// A target's body: arbitrary bytes in, a panic only on a bug.
pub type Target = fn(&[u8]);

/// The targets by name, as `scripts/fuzz` and the replay test know them.
pub const TARGETS: &[(&str, Target)] = &[
    ("arm_template", arm_template),
    ("cli_args", cli_args),
    ("c_abi", c_abi),
    ("pem_import", pem_import),
    ("csv_export", csv_export),
];

// ------------------------------------------------------------ ARM templates

/// `template [0xFF parameter file]`, read as `New-AzResourceGroupDeployment
/// -TemplateFile [-TemplateParameterFile]` reads them once the files are
/// loaded: every failure must be `InvalidTemplate`, never a panic, a stack
/// overflow or a runaway evaluation.
pub fn arm_template(data: &[u8]) {
    let (template_bytes, parameter_bytes) = split_once(data);
    let outcome = (|| {
        // The command refuses files that are not UTF-8 with InvalidTemplate before parsing.
        let text = std::str::from_utf8(template_bytes).map_err(|_| ErrorCode::InvalidTemplate)?;
        let template_json = template::parse_json(text, "template file").map_err(|e| e.code)?;
        let values = match parameter_bytes {
            Some(p) => {
                let text = std::str::from_utf8(p).map_err(|_| ErrorCode::InvalidTemplate)?;
                template::parameter_file_values(&template::parse_json(text, "parameter file").map_err(|e| e.code)?)
                    .map_err(|e| e.code)?
            }
            None => Map::new(),
        };
        let scope = template::Scope {
            subscription_id: "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e",
            resource_group: "contoso-cmk",
            resource_group_location: "centralus",
        };
        template::read_policies(&template_json, &values, &scope).map_err(|e| e.code)
    })();
    match outcome {
        Ok(policies) => {
            assert!(!policies.is_empty(), "a deployment with no policies succeeded");
            for p in &policies {
                for (field, value) in [("name", &p.name), ("location", &p.location), ("keyVault.id", &p.key_vault_id)] {
                    assert!(!value.trim().is_empty(), "{}: {field} resolved to an empty string", p.path);
                }
                assert!(!p.key_name.trim().is_empty(), "{}: key.name resolved to an empty string", p.path);
            }
        }
        Err(code) => assert_eq!(code, ErrorCode::InvalidTemplate, "a template error with another code"),
    }
}

// ------------------------------------------------------------------- CLI

/// `command name 0xFF token 0xFF token ...`: the tokens after the command
/// name on a `ppcmk` command line, bound with `bind_cli`. An unknown name
/// picks a registered command from its bytes, so mutations reach every
/// command. Binding fails only with usage errors (exit status 2), and what
/// it binds binds again, identically, through the JSON path the C ABI and
/// PowerShell use (an empty pipeline string counts as not given on both).
pub fn cli_args(data: &[u8]) {
    let mut parts = data.split(|b| *b == SEPARATOR);
    let name = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let command = pick_command(&name);
    let tokens: Vec<String> = parts.map(|t| String::from_utf8_lossy(t).into_owned()).collect();
    match bind::bind_cli(command, &tokens) {
        Ok(bind::CliBinding::Help) => {
            let _ = crate::registry::help::command_help(command);
        }
        Ok(bind::CliBinding::Run { args, .. }) => {
            let json = args.to_json();
            let again = bind::bind_json(command, &json)
                .unwrap_or_else(|e| panic!("{}: CLI-bound parameters {json:?} do not bind as JSON: {e}", command.name));
            assert_eq!(again.to_json(), json, "{}: CLI and JSON binding disagree", command.name);
        }
        Err(e) => {
            assert!(e.code.is_usage(), "{}: binding failed with {}, not a usage error: {e}", command.name, e.code)
        }
    }
}

fn pick_command(name: &str) -> &'static registry::Command {
    commands::find(name).unwrap_or_else(|| {
        let all = commands::all();
        let hash = name.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        all[hash % all.len()]
    })
}

// ------------------------------------------------------------------ C ABI

/// Commands the C ABI target runs for real: the ones that only read, minus
/// those that touch user-named files. Everything else is still parsed and
/// bound (the same `bind_json` the engine calls) but not run, so that the
/// fuzzer cannot spend its time generating RSA keys, loading sample data,
/// advancing the clock into rotations, writing files anywhere on disk, or
/// growing the store without bound over millions of runs.
fn runs_for_real(command: &registry::Command) -> bool {
    !command.effect.changes_state() && !command.params.iter().any(|p| p.path)
}

/// A JSON request (bytes up to the first NUL, as C passes them) through
/// `ppcmk_invoke`, on a store created once per process in a temporary folder
/// and seeded with a vault, a key and an environment. The response is always
/// the documented JSON shape, and an error is never `Internal` (a caught
/// panic or a broken invariant).
pub fn c_abi(data: &[u8]) {
    let text = match data.iter().position(|b| *b == 0) {
        Some(end) => &data[..end],
        None => data,
    };
    if let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(text) {
        if let Some(command) = request.get("command").and_then(Value::as_str).and_then(commands::find) {
            if !runs_for_real(command) {
                if let Some(Value::Object(params)) = request.get("parameters") {
                    if let Err(e) = bind::bind_json(command, params) {
                        assert!(e.code.is_usage(), "{}: binding failed with {}: {e}", command.name, e.code);
                    }
                }
                return;
            }
        }
    }
    let request = CString::new(text).expect("cut at the first NUL");
    let store = fuzz_store();
    // SAFETY: the store handle lives for the whole process; the request is a valid C string;
    // the response is freed once, with the library's own free function.
    let response = unsafe {
        let raw = ffi::ppcmk_invoke(store.0, request.as_ptr());
        assert!(!raw.is_null(), "ppcmk_invoke returned NULL");
        let owned = CStr::from_ptr(raw).to_str().expect("responses are UTF-8").to_string();
        ffi::ppcmk_string_free(raw);
        owned
    };
    let response: Value = serde_json::from_str(&response).expect("responses are JSON");
    match response["ok"] {
        Value::Bool(true) => {
            assert!(response["objects"].is_array() && response["warnings"].is_array(), "{response}");
        }
        Value::Bool(false) => {
            let code = response["error"]["code"].as_str().expect("error.code is a string");
            let code = ErrorCode::parse(code).unwrap_or_else(|| panic!("unknown error code {code}"));
            assert!(response["error"]["category"].is_string() && response["error"]["message"].is_string());
            assert_ne!(code, ErrorCode::Internal, "the C ABI reported an internal error: {response}");
        }
        _ => panic!("a response without \"ok\": {response}"),
    }
}

/// The C ABI target's store handle (never closed: it lives as long as the process).
struct FuzzStore(*mut ffi::ppcmk_store);
// SAFETY: ppcmk_store handles are thread-safe (documented in ffi.rs).
unsafe impl Send for FuzzStore {}
unsafe impl Sync for FuzzStore {}

/// The folder of this process's C ABI store (removed by [`remove_fuzz_store`]).
pub fn fuzz_store_home() -> PathBuf {
    std::env::temp_dir().join(format!("ppcmk-fuzz-{}", std::process::id()))
}

fn fuzz_store() -> &'static FuzzStore {
    static STORE: once_cell::sync::OnceCell<FuzzStore> = once_cell::sync::OnceCell::new();
    STORE.get_or_init(|| {
        let home = fuzz_store_home();
        let _ = std::fs::remove_dir_all(&home);
        seed_store(&home);
        let home = CString::new(home.to_string_lossy().into_owned()).expect("a temp path has no NUL");
        let mut handle = std::ptr::null_mut();
        // SAFETY: valid C string and out-pointer; no error string requested.
        let status = unsafe { ffi::ppcmk_open(home.as_ptr(), &mut handle, std::ptr::null_mut()) };
        assert_eq!(status, ffi::ppcmk_status::PPCMK_OK, "cannot open the fuzz store");
        FuzzStore(handle)
    })
}

/// A small tenant for the read commands to find: a resource group, a vault
/// with a 2048-bit key, and a managed environment with a flow.
fn seed_store(home: &std::path::Path) {
    let store = Store::open(home).expect("cannot create the fuzz store");
    let run = |command: &str, parameters: Value| {
        let request = json!({"command": command, "parameters": parameters});
        let _ = invoke_json(&store, &request, InvokeOptions::default());
    };
    run("New-AzResourceGroup", json!({"Name": "contoso-cmk", "Location": "centralus"}));
    run(
        "New-AzKeyVault",
        json!({"Name": "contoso-cmk-kv", "ResourceGroupName": "contoso-cmk", "Location": "centralus", "EnablePurgeProtection": true}),
    );
    run(
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.KeyVault/vaults/contoso-cmk-kv"}),
    );
    run("Add-AzKeyVaultKey", json!({"VaultName": "contoso-cmk-kv", "Name": "contoso-cmk-key", "Size": 2048}));
    run(
        "New-AdminPowerAppEnvironment",
        json!({"DisplayName": "Fuzz", "Location": "unitedstates", "EnvironmentSku": "Production", "ProvisionDatabase": true}),
    );
}

/// Removes this process's C ABI store folder (the replay test calls it at the end).
pub fn remove_fuzz_store() {
    let _ = std::fs::remove_dir_all(fuzz_store_home());
}

// ------------------------------------------------------------ key import

/// The password the encrypted seeds of `pem_import` were written with.
pub const PEM_PASSWORD: &str = "ppcmk-fuzz";

/// `flag byte, key file`: the file as `Add-AzKeyVaultKey -KeyFilePath` reads
/// it (PEM PKCS#1 / PKCS#8 / encrypted PKCS#8, or DER), with
/// `-KeyFilePassword ppcmk-fuzz` when the flag byte is odd (ASCII `1`).
/// Refusals are `InvalidArgument`; an accepted key round-trips through the
/// PKCS#8 encoding it is sealed in, and wraps and unwraps a data key.
pub fn pem_import(data: &[u8]) {
    let Some((flag, file)) = data.split_first() else { return };
    if file.len() > 1 << 20 {
        return; // The command refuses larger key files before parsing.
    }
    let password = (flag & 1 == 1).then_some(PEM_PASSWORD);
    match crate::crypto::rsa::PrivateKey::import(file, password) {
        Ok(key) => {
            let der = key.to_pkcs8_der().expect("an imported key encodes");
            let again = crate::crypto::rsa::PrivateKey::from_pkcs8_der(&der).expect("its encoding decodes");
            let reimported = crate::crypto::rsa::PrivateKey::import(&der, None).expect("its encoding imports");
            for k in [&again, &reimported] {
                assert_eq!(k.public_key().modulus(), key.public_key().modulus());
                assert_eq!(k.public_key().exponent(), key.public_key().exponent());
            }
            let dek = [7u8; 32];
            let alg = crate::crypto::rsa::OaepAlgorithm::RsaOaep256;
            let wrapped = again.public_key().wrap_key(alg, &dek).expect("wrap");
            assert_eq!(&key.unwrap_key(alg, &wrapped).expect("unwrap")[..], &dek[..]);
        }
        Err(e) => assert_eq!(e.code, ErrorCode::InvalidArgument, "a key file refused with another code: {e}"),
    }
}

// -------------------------------------------------------------- CSV export

/// `columns byte, cell 0xFF cell ...`: hostile strings through the product's
/// CSV writer (`-OutputFormat Csv`, `Export-PpCmkFlowRunHistory`), one to
/// five string columns per row plus a number, an array and an object. The
/// output parses back with the `csv` crate to the same rows and columns; no
/// data cell starts with a character a spreadsheet runs as a formula (`=`,
/// `+`, `-`, `@`, tab, carriage return, NUL) unless it is a plain number or
/// neutralised with a leading `'`; and a neutralised cell is exactly `'`
/// followed by the original text.
pub fn csv_export(data: &[u8]) {
    let Some((first, rest)) = data.split_first() else { return };
    let width = usize::from(first % 5) + 1;
    let cells: Vec<String> = rest.split(|b| *b == SEPARATOR).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let columns: Vec<String> =
        (0..width).map(|i| format!("C{i}")).chain(["N".into(), "A".into(), "O".into()]).collect();
    let mut rows: Vec<(Object, Vec<String>)> = Vec::new();
    for chunk in cells.chunks(width) {
        let mut o = Object::new();
        let mut originals = Vec::new();
        for (i, c) in chunk.iter().enumerate() {
            o.insert(format!("C{i}"), Value::String(c.clone()));
            originals.push(c.clone());
        }
        let len = chunk[0].chars().count() as i64;
        o.insert("N".into(), json!(-len));
        o.insert("A".into(), json!(chunk));
        o.insert("O".into(), json!({"k": chunk[0]}));
        originals.extend([(-len).to_string(), json!(chunk).to_string(), json!({"k": chunk[0]}).to_string()]);
        rows.push((o, originals));
    }
    let objects = Objects::Maps(rows.iter().map(|(o, _)| o.clone()).collect());
    let column_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let fixed = format::csv_with_columns(&objects, &column_refs);
    let free = format::csv(&objects);
    for (text, header) in [(&fixed, Some(&column_refs)), (&free, None)] {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("the CSV does not parse: {e}"));
        let head = usize::from(header.is_some() || !objects.is_empty());
        assert_eq!(records.len(), rows.len() + head, "row count");
        if let Some(h) = header {
            assert_eq!(records[0].iter().collect::<Vec<_>>(), **h, "header");
        }
        for (record, (o, originals)) in records[head..].iter().zip(&rows) {
            let header: Vec<&str> = match header {
                Some(h) => h.to_vec(),
                None => records[0].iter().collect(),
            };
            assert_eq!(record.len(), header.len(), "column count");
            for (cell, column) in record.iter().zip(&header) {
                let original = match o.get(*column) {
                    None => String::new(),
                    Some(_) => {
                        let index = o.keys().position(|k| k == column).expect("present");
                        originals[index].clone()
                    }
                };
                check_csv_cell(cell, &original);
            }
        }
    }
}

/// What spreadsheet tools run as a formula when a cell starts with it (OWASP
/// CSV Injection: `=`, `+`, `-`, `@`, tab, carriage return; ASVS 5.0 1.2.10
/// adds NUL).
pub fn starts_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r', '\0'])
}

/// A plain decimal number as written (`-5`, `+1.5e3`): spreadsheets read it
/// as a number, not a formula. Deliberately independent of the product's code.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn check_csv_cell(cell: &str, original: &str) {
    if cell != original {
        assert_eq!(cell.strip_prefix('\''), Some(original), "a cell changed other than by a leading '");
        assert!(starts_like_formula(original), "{original:?} was neutralised though no spreadsheet runs it");
    }
    assert!(
        !starts_like_formula(cell) || is_plain_number(cell),
        "the cell {cell:?} starts like a formula and is not neutralised"
    );
}

fn split_once(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|b| *b == SEPARATOR) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    fn corpus_dir(target: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target)
    }

    /// The fuzz targets' stable form: every checked-in corpus file under
    /// `fuzz/corpus/<target>/` (the seeds and every input that once crashed)
    /// replayed through the same functions the cargo-fuzz targets call. A
    /// panic — in the product or a broken property — fails the test and
    /// names the file. `scripts/fuzz` runs the fuzzers themselves.
    #[test]
    fn every_corpus_file_replays_without_a_panic() {
        let mut failures = Vec::new();
        let mut counts = Vec::new();
        for (target, run) in TARGETS {
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
        remove_fuzz_store();
        eprintln!("replayed {}", counts.join(", "));
        assert!(failures.is_empty(), "corpus inputs that panic:\n{}", failures.join("\n"));
    }

    #[test]
    fn plain_numbers_are_recognised_strictly() {
        for n in ["-5", "+1.5e3", "0", ".5", "-1.", "7E-2"] {
            assert!(is_plain_number(n), "{n}");
        }
        for n in ["-inf", "NaN", "-", "+", " -5", "-5 ", "\t5", "-1e", "-1+1", "", "1e+"] {
            assert!(!is_plain_number(n), "{n}");
        }
    }
}
