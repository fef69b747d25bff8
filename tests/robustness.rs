//! Bad input at every boundary (docs/robustness.md has the table): CLI
//! arguments, C ABI requests, ARM templates and parameter files, key files,
//! paths, sizes up to 64 MiB, non-UTF-8 bytes, NUL bytes, long names,
//! negative and overflowing numbers, deep nesting.
//!
//! Each row asserts the documented exit status and stable error code, that
//! nothing panicked (no "panicked at", no exit 101, no signal), and that the
//! store's contents (every table but the audit log) are unchanged.

use crate::support;

use ppcmk::ffi::{self, ppcmk_status};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::ffi::{c_char, CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{TempDir, TestStore};

const ENV: &str = "Default-aaaabbbb-0000-cccc-1111-dddd2222eeee";

// ------------------------------------------------------------------ helpers

/// Every table's rows except the audit log's (failed changes are audited by
/// design), as text: equal snapshots mean nothing was changed or lost.
fn snapshot(home: &Path) -> BTreeMap<String, Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(home.join("ppcmk.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'audit%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = BTreeMap::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..columns).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

/// Asserts two snapshots are equal, naming the first table that differs.
#[track_caller]
fn assert_unchanged(before: &BTreeMap<String, Vec<String>>, home: &Path, what: &str) {
    let after = snapshot(home);
    for (table, rows) in before {
        assert_eq!(Some(rows), after.get(table), "{what}: table {table} changed");
    }
    assert_eq!(before.len(), after.len(), "{what}: tables were added or removed");
}

/// A store with something in it to lose: a user, a resource group, a vault, a flow.
fn seeded() -> TestStore {
    let t = TestStore::new();
    t.user("keeper");
    t.ok("New-AzResourceGroup", json!({"Name": "rg", "Location": "centralus"}));
    let vault =
        t.ok("New-AzKeyVault", json!({"Name": "robust-kv", "ResourceGroupName": "rg", "Location": "centralus"}));
    let scope = vault[0]["ResourceId"].as_str().unwrap();
    t.ok(
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Crypto Officer", "Scope": scope}),
    );
    t.ok("New-PpCmkFlow", json!({"EnvironmentName": ENV, "DisplayName": "Keep me", "Trigger": "Manual"}));
    t
}

fn ppcmk(home: &Path, args: &[&OsStr]) -> Output {
    Command::new(crate::support::ppcmk_exe())
        .args(args)
        .env("PPCMK_HOME", home)
        .env_remove("PPCMK_ACCOUNT")
        .env_remove("PPCMK_NETWORK")
        .output()
        .unwrap()
}

/// Asserts a CLI run failed cleanly: `exit`, one stderr line `ppcmk: <code>: …`, no panic.
#[track_caller]
fn assert_cli_error(out: &Output, exit: i32, code: &str, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked at"), "{what}: panicked: {stderr}");
    assert_eq!(out.status.code(), Some(exit), "{what}: exit status (a signal shows as None): {stderr}");
    assert!(stderr.starts_with(&format!("ppcmk: {code}: ")), "{what}: expected {code}, got: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{what}: one line on stderr: {stderr}");
    assert!(out.stdout.is_empty(), "{what}: nothing on stdout");
    stderr
}

/// Runs the CLI on the seeded store, checks the error and that the store is unchanged.
#[track_caller]
fn cli_refuses(t: &TestStore, args: &[&OsStr], exit: i32, code: &str) -> String {
    let before = snapshot(&t.home());
    let what = format!(
        "{:?}",
        args.iter().map(|a| a.to_string_lossy().chars().take(60).collect::<String>()).collect::<Vec<_>>()
    );
    let stderr = assert_cli_error(&ppcmk(&t.home(), args), exit, code, &what);
    assert_unchanged(&before, &t.home(), &what);
    stderr
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn oss(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

#[track_caller]
fn cli_refuses_str(t: &TestStore, args: &[&str], exit: i32, code: &str) -> String {
    let owned = oss(args);
    let refs: Vec<&OsStr> = owned.iter().map(OsString::as_os_str).collect();
    cli_refuses(t, &refs, exit, code)
}

/// An open C ABI handle, closed on drop.
struct Abi(*mut ffi::ppcmk_store);

impl Abi {
    fn open(home: &Path) -> Abi {
        let home = CString::new(home.as_os_str().as_bytes()).unwrap();
        let mut store = std::ptr::null_mut();
        let status = unsafe { ffi::ppcmk_open(home.as_ptr(), &mut store, std::ptr::null_mut()) };
        assert_eq!(status, ppcmk_status::PPCMK_OK);
        Abi(store)
    }

    /// Invokes with raw request bytes (a NUL is appended) and parses the response.
    fn invoke_bytes(&self, request: &[u8]) -> Value {
        let mut bytes = request.to_vec();
        bytes.push(0);
        take_response(unsafe { ffi::ppcmk_invoke(self.0, bytes.as_ptr().cast()) })
    }
}

impl Drop for Abi {
    fn drop(&mut self) {
        unsafe { ffi::ppcmk_close(self.0) }
    }
}

/// Parses and frees a response string.
fn take_response(raw: *mut c_char) -> Value {
    assert!(!raw.is_null(), "NULL response");
    let text = unsafe { std::ffi::CStr::from_ptr(raw) }.to_str().expect("responses are UTF-8").to_string();
    unsafe { ffi::ppcmk_string_free(raw) };
    serde_json::from_str(&text).expect("responses are JSON")
}

/// Asserts an error response with `code`, its category and a message.
#[track_caller]
fn assert_abi_error(response: &Value, code: &str, what: &str) -> String {
    assert_eq!(response["ok"], false, "{what}: {response}");
    let error = &response["error"];
    assert_eq!(error["code"], code, "{what}: {response}");
    let expected = ppcmk::ErrorCode::parse(code).unwrap();
    assert_eq!(error["category"], expected.category(), "{what}");
    let message = error["message"].as_str().unwrap_or_default().to_string();
    assert!(!message.is_empty(), "{what}: a message");
    message
}

/// Sends `request` through the C ABI to the seeded store; checks the error and that the store is unchanged.
#[track_caller]
fn abi_refuses(t: &TestStore, abi: &Abi, request: &[u8], code: &str) -> String {
    let before = snapshot(&t.home());
    let what = String::from_utf8_lossy(&request[..request.len().min(80)]).into_owned();
    let message = assert_abi_error(&abi.invoke_bytes(request), code, &what);
    assert_unchanged(&before, &t.home(), &what);
    message
}

#[track_caller]
fn abi_refuses_json(t: &TestStore, abi: &Abi, request: Value, code: &str) -> String {
    abi_refuses(t, abi, request.to_string().as_bytes(), code)
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

// ------------------------------------------------------------ CLI arguments

#[test]
fn cli_arguments_are_refused_with_usage_codes() {
    let t = seeded();
    cli_refuses_str(&t, &["Get-NoSuchThing"], 2, "CommandNotFound");
    cli_refuses_str(&t, &["Get-AzADUser", "-Bogus", "1"], 2, "ParameterNotFound");
    cli_refuses_str(&t, &["New-AzADUser", "-DisplayName", "x"], 2, "MissingMandatoryParameter");
    cli_refuses_str(&t, &["Get-AzADUser", "-StartsWith"], 2, "ParameterBindingFailed");
    cli_refuses_str(&t, &["Get-AzADUser", "-StartsWith", "a", "-StartsWith", "b"], 2, "ParameterAlreadyBound");
    cli_refuses_str(&t, &["New-AzKeyVault", "-S", "x"], 2, "AmbiguousParameter");
    cli_refuses_str(&t, &["Get-AzContext", "-OutputFormat", "Xml"], 2, "ParameterValidationFailed");
    cli_refuses_str(&t, &["Get-AzContext", "stray"], 2, "ParameterNotFound");
    cli_refuses_str(
        &t,
        &["New-PpCmkFlow", "-EnvironmentName", ENV, "-DisplayName", "x", "-Trigger", "Carrier pigeon"],
        2,
        "ParameterValidationFailed",
    );
    cli_refuses_str(
        &t,
        &["New-AzADUser", "-DisplayName", "", "-UserPrincipalName", "e@contoso.onmicrosoft.com"],
        2,
        "ParameterValidationFailed",
    );
    // An empty command name and an option-looking command name.
    cli_refuses_str(&t, &[""], 2, "CommandNotFound");
    cli_refuses_str(&t, &["--bogus"], 2, "CommandNotFound");
}

#[test]
fn cli_non_utf8_arguments_are_refused() {
    let t = seeded();
    let bad = OsStr::from_bytes(b"caf\xe9");
    let stderr = cli_refuses(&t, &[os("Get-AzADUser"), os("-StartsWith"), bad], 2, "ParameterBindingFailed");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    cli_refuses(&t, &[OsStr::from_bytes(b"Get-AzContext\xff")], 2, "ParameterBindingFailed");
    // A path that is not UTF-8 cannot be named either (the engine's strings are UTF-8).
    let path = t.dir.path().join(OsStr::from_bytes(b"template-\xff.json"));
    std::fs::write(&path, "{}").unwrap();
    cli_refuses(
        &t,
        &[
            os("New-AzResourceGroupDeployment"),
            os("-ResourceGroupName"),
            os("rg"),
            os("-TemplateFile"),
            path.as_os_str(),
        ],
        2,
        "ParameterBindingFailed",
    );
}

#[test]
fn cli_numbers_out_of_range_or_overflowing_are_refused() {
    let t = seeded();
    for (value, code) in [
        ("-1", "ParameterValidationFailed"),
        ("-9223372036854775808", "ParameterValidationFailed"),
        ("9223372036854775807", "ParameterValidationFailed"),
        ("9223372036854775808", "ParameterBindingFailed"),
        ("99999999999999999999999999", "ParameterBindingFailed"),
        ("1.5", "ParameterBindingFailed"),
        ("0x10", "ParameterBindingFailed"),
        ("1e3", "ParameterBindingFailed"),
        ("", "ParameterBindingFailed"),
    ] {
        cli_refuses_str(&t, &["New-PpCmkSampleData", "-EnvironmentName", ENV, "-Records", value], 2, code);
        cli_refuses_str(&t, &["Set-PpCmkClock", "-AdvanceDays", value], 2, code);
    }
    // The clock moves at most 100 years in total.
    let fresh = TestStore::new();
    fresh.ok("Set-PpCmkClock", json!({"AdvanceDays": 36_000}));
    cli_refuses_str(&fresh, &["Set-PpCmkClock", "-AdvanceDays", "1000"], 1, "InvalidArgument");
    // -Size has no declared range: the key vault refuses unsupported sizes itself.
    for size in ["-2048", "0", "1024", "9223372036854775807"] {
        cli_refuses_str(
            &t,
            &["Add-AzKeyVaultKey", "-VaultName", "robust-kv", "-Name", "k", "-Size", size],
            1,
            "InvalidArgument",
        );
    }
    // Dates outside what the engine reads.
    for date in ["10000-01-01", "2026-02-30", "-0001-01-01", "yesterday"] {
        cli_refuses_str(
            &t,
            &["Add-AzKeyVaultKey", "-VaultName", "robust-kv", "-Name", "k", "-Expires", date],
            2,
            "ParameterBindingFailed",
        );
    }
}

#[test]
fn cli_long_names_and_nested_values_are_refused() {
    let t = seeded();
    // Linux caps one argument at 128 KiB, so 100 KiB is the most the CLI can carry.
    let long = "n".repeat(100 << 10);
    cli_refuses_str(&t, &["New-AzResourceGroup", "-Name", &long, "-Location", "centralus"], 1, "InvalidArgument");
    cli_refuses_str(
        &t,
        &["New-AzADUser", "-DisplayName", &long, "-UserPrincipalName", "l@contoso.onmicrosoft.com"],
        1,
        "InvalidArgument",
    );
    cli_refuses_str(
        &t,
        &["New-AzKeyVault", "-Name", &long, "-ResourceGroupName", "rg", "-Location", "centralus"],
        1,
        "InvalidArgument",
    );
    // Hashtables: PowerShell literals nested past 64 levels, JSON past serde's 128.
    let deep_ps = format!("{}1{}", "@{a=".repeat(1000), "}".repeat(1000));
    cli_refuses_str(
        &t,
        &["New-PpCmkRecord", "-EnvironmentName", ENV, "-Table", "t", "-Data", &deep_ps],
        2,
        "ParameterBindingFailed",
    );
    let deep_json = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    cli_refuses_str(
        &t,
        &["New-PpCmkRecord", "-EnvironmentName", ENV, "-Table", "t", "-Data", &deep_json],
        2,
        "ParameterBindingFailed",
    );
    cli_refuses_str(
        &t,
        &["New-PpCmkRecord", "-EnvironmentName", ENV, "-Table", "t", "-Data", &"[".repeat(60_000)],
        2,
        "ParameterBindingFailed",
    );
    cli_refuses_str(
        &t,
        &["New-PpCmkRecord", "-EnvironmentName", ENV, "-Table", "t", "-Data", "@{a="],
        2,
        "ParameterBindingFailed",
    );
}

#[test]
fn cli_environment_variables_are_checked() {
    let t = seeded();
    // A PPCMK_ACCOUNT that is not UTF-8 names nobody: it is refused, not ignored
    // (ignoring it would run the command as the signed-in Global Administrator).
    let before = snapshot(&t.home());
    let out = Command::new(crate::support::ppcmk_exe())
        .args(["New-AzResourceGroup", "-Name", "as-nobody", "-Location", "centralus"])
        .env("PPCMK_HOME", t.home())
        .env("PPCMK_ACCOUNT", OsStr::from_bytes(b"admin\xff@contoso.onmicrosoft.com"))
        .output()
        .unwrap();
    assert_cli_error(&out, 1, "NotSignedIn", "non-UTF-8 PPCMK_ACCOUNT");
    assert_unchanged(&before, &t.home(), "non-UTF-8 PPCMK_ACCOUNT");
    // A PPCMK_HOME that is a file, or too long for the file system.
    let file = write(t.dir.path(), "plain-file", "x");
    assert_cli_error(&ppcmk(&file, &[os("Get-AzContext")]), 1, "StoreError", "PPCMK_HOME is a file");
    let long = t.dir.path().join("d".repeat(300));
    assert_cli_error(&ppcmk(&long, &[os("Get-AzContext")]), 1, "StoreError", "PPCMK_HOME component too long");
    // A PPCMK_HOME that is not UTF-8 is fine: paths are bytes on Unix.
    let odd = t.dir.path().join(OsStr::from_bytes(b"home-\xff"));
    let out = ppcmk(&odd, &[os("Get-AzContext"), os("-OutputFormat"), os("Json")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(odd.join("ppcmk.db").exists());
}

// ------------------------------------------------------------------ C ABI

#[test]
fn c_abi_malformed_requests_are_refused() {
    let t = seeded();
    let abi = Abi::open(&t.home());
    for request in [
        &b""[..],
        b"not json",
        b"{\"command\":",
        b"[1,2]",
        b"null",
        b"{}",
        b"{\"command\":42}",
        b"{\"command\":\"Get-AzContext\",\"extra\":1}",
        b"{\"command\":\"Get-AzContext\",\"parameters\":[]}",
        b"{\"command\":\"Get-AzContext\",\"account\":5}",
        b"{\"command\":\"Get-AzContext\",\"network\":\"moon\"}",
        b"{\"command\":\"Get-AzContext\",\"x\":1e400}",
        // Not UTF-8: raw bytes, a truncated sequence, a lone surrogate escape.
        b"{\"command\":\"Get-AzContext\xff\xfe\"}",
        b"{\"command\":\"\xc3\"}",
        b"{\"command\":\"Get-AzContext\\ud800\"}",
        // A NUL byte ends the C string: what is left is not JSON.
        b"{\"command\":\"Get-AzContext\"\x00}",
    ] {
        abi_refuses(&t, &abi, request, "InvalidRequest");
    }
    // NULL pointers.
    let r = take_response(unsafe { ffi::ppcmk_invoke(std::ptr::null(), c"{}".as_ptr()) });
    assert!(assert_abi_error(&r, "InvalidRequest", "NULL store").contains("NULL"));
    let r = take_response(unsafe { ffi::ppcmk_invoke(abi.0, std::ptr::null()) });
    assert!(assert_abi_error(&r, "InvalidRequest", "NULL request").contains("NULL"));
}

#[test]
fn c_abi_bad_commands_and_parameters_are_refused() {
    let t = seeded();
    let abi = Abi::open(&t.home());
    abi_refuses_json(&t, &abi, json!({"command": "Get-NoSuchThing"}), "CommandNotFound");
    abi_refuses_json(&t, &abi, json!({"command": ""}), "CommandNotFound");
    let m = abi_refuses_json(&t, &abi, json!({"command": "x".repeat(1 << 20)}), "CommandNotFound");
    assert!(m.len() < 1024, "the message does not echo a 1 MiB name");
    abi_refuses_json(&t, &abi, json!({"command": "Get-AzContext", "account": "nobody@nowhere.example"}), "NotSignedIn");
    abi_refuses_json(&t, &abi, json!({"command": "Get-AzContext", "parameters": {"Bogus": 1}}), "ParameterNotFound");
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-AzADUser", "parameters": {"DisplayName": "x"}}),
        "MissingMandatoryParameter",
    );
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-AzADUser", "parameters": {"DisplayName": ["x"], "UserPrincipalName": "a@contoso.onmicrosoft.com"}}),
        "ParameterBindingFailed",
    );
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-AzADUser", "parameters": {"DisplayName": "a\u{0}b", "UserPrincipalName": "n@contoso.onmicrosoft.com"}}),
        "ParameterValidationFailed",
    );
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-AzADUser", "parameters": {"DisplayName": "tab\there", "UserPrincipalName": "c@contoso.onmicrosoft.com"}}),
        "InvalidArgument",
    );
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-AzResourceGroup", "parameters": {"Name": "n".repeat(91), "Location": "centralus"}}),
        "InvalidArgument",
    );
    // Numbers: negative, past i64, fractional, and as text.
    for (days, code) in [
        (json!(-1), "ParameterValidationFailed"),
        (json!(i64::MIN), "ParameterValidationFailed"),
        (json!(i64::MAX), "ParameterValidationFailed"),
        (json!(u64::MAX), "ParameterBindingFailed"),
        (json!(1.5), "ParameterBindingFailed"),
        (json!("99999999999999999999"), "ParameterBindingFailed"),
        (json!(true), "ParameterBindingFailed"),
        (json!(null), "ParameterBindingFailed"),
    ] {
        abi_refuses_json(&t, &abi, json!({"command": "Set-PpCmkClock", "parameters": {"AdvanceDays": days}}), code);
    }
    abi_refuses(
        &t,
        &abi,
        b"{\"command\":\"Set-PpCmkClock\",\"parameters\":{\"AdvanceDays\":1e308}}",
        "ParameterBindingFailed",
    );
    abi_refuses(
        &t,
        &abi,
        b"{\"command\":\"Invoke-AzKeyVaultKeyOperation\",\"parameters\":{\"VaultName\":\"robust-kv\",\"Name\":\"k\",\"Operation\":\"Wrap\",\"Algorithm\":\"RSA-OAEP\",\"ByteArrayValue\":[1,256]}}",
        "ParameterBindingFailed",
    );
    abi_refuses(
        &t,
        &abi,
        b"{\"command\":\"Invoke-AzKeyVaultKeyOperation\",\"parameters\":{\"VaultName\":\"robust-kv\",\"Name\":\"k\",\"Operation\":\"Wrap\",\"Algorithm\":\"RSA-OAEP\",\"ByteArrayValue\":[-1]}}",
        "ParameterBindingFailed",
    );
}

#[test]
fn c_abi_open_refuses_bad_folders() {
    let dir = TempDir::new("abi-open");
    let open = |home: &[u8]| -> (ppcmk_status, Option<Value>, bool) {
        let home = CString::new(home).unwrap();
        let mut store = std::ptr::NonNull::<ffi::ppcmk_store>::dangling().as_ptr();
        let mut error: *mut c_char = std::ptr::null_mut();
        let status = unsafe { ffi::ppcmk_open(home.as_ptr(), &mut store, &mut error) };
        let opened = !store.is_null();
        if opened {
            unsafe { ffi::ppcmk_close(store) };
        }
        (status, (!error.is_null()).then(|| take_response(error)), opened)
    };
    let (status, error, opened) = open(b"/tmp/\xff\xfe-not-utf8");
    assert_eq!((status, opened), (ppcmk_status::PPCMK_ERROR, false));
    assert!(assert_abi_error(&error.unwrap(), "InvalidRequest", "non-UTF-8 home").contains("UTF-8"));
    let file = write(dir.path(), "a-file", "x");
    let (status, error, opened) = open(file.as_os_str().as_bytes());
    assert_eq!((status, opened), (ppcmk_status::PPCMK_ERROR, false));
    assert_abi_error(&error.unwrap(), "StoreError", "home is a file");
    let (status, error, _) = open(b"");
    assert_eq!(status, ppcmk_status::PPCMK_ERROR);
    assert_abi_error(&error.unwrap(), "StoreError", "empty home");
    let long = dir.path().join("x".repeat(5000));
    let (status, error, _) = open(long.as_os_str().as_bytes());
    assert_eq!(status, ppcmk_status::PPCMK_ERROR);
    assert_abi_error(&error.unwrap(), "StoreError", "home longer than PATH_MAX");
    let status = unsafe { ffi::ppcmk_open(c"/tmp".as_ptr(), std::ptr::null_mut(), std::ptr::null_mut()) };
    assert_eq!(status, ppcmk_status::PPCMK_NULL_ARGUMENT);
}

// ------------------------------------------------------- sizes and nesting

#[test]
fn c_abi_requests_up_to_64_mib_are_parsed_and_larger_refused() {
    let t = seeded();
    let abi = Abi::open(&t.home());
    let max = ffi::PPCMK_MAX_REQUEST_BYTES;
    // Just under the limit: a valid request padded with whitespace runs.
    let body = br#"{"command":"Get-AzContext"}"#;
    let mut padded = vec![b' '; max - body.len()];
    padded.extend_from_slice(body);
    assert_eq!(padded.len(), max);
    let r = abi.invoke_bytes(&padded);
    assert_eq!(r["ok"], true, "{r}");
    // One byte more is refused before parsing.
    padded.insert(0, b' ');
    let m = abi_refuses(&t, &abi, &padded, "InvalidRequest");
    assert!(m.contains("larger than"), "{m}");
    drop(padded);
    // A 60 MiB string value, and a 60 MiB hashtable given as a JSON object:
    // refused by the 1 MiB and 16 MiB value limits.
    let big = "v".repeat(60 << 20);
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "Get-AzADUser", "parameters": {"StartsWith": big}}),
        "ParameterValidationFailed",
    );
    let tags: serde_json::Map<String, Value> = (0..60).map(|i| (format!("t{i}"), json!("v".repeat(1 << 20)))).collect();
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-PpCmkRecord", "parameters": {"EnvironmentName": ENV, "Table": "t", "Data": tags}}),
        "ParameterValidationFailed",
    );
    drop(big);
    // A hashtable given as a JSON string over 16 MiB.
    let text = format!("{{\"a\":\"{}\"}}", "v".repeat(17 << 20));
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-PpCmkRecord", "parameters": {"EnvironmentName": ENV, "Table": "t", "Data": text}}),
        "ParameterValidationFailed",
    );
}

#[test]
fn c_abi_deeply_nested_json_is_refused_without_overflowing_the_stack() {
    let t = seeded();
    let abi = Abi::open(&t.home());
    let deep = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    abi_refuses(&t, &abi, deep.as_bytes(), "InvalidRequest");
    let deep_object = format!(
        "{{\"command\":\"Get-AzContext\",\"parameters\":{}1{}}}",
        "{\"a\":".repeat(200_000),
        "}".repeat(200_000)
    );
    abi_refuses(&t, &abi, deep_object.as_bytes(), "InvalidRequest");
    // Within the parser's limit but as a hashtable parameter: accepted shape, refused nesting.
    let deep_ps = format!("{}1{}", "@{a=".repeat(100_000), "}".repeat(100_000));
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-PpCmkRecord", "parameters": {"EnvironmentName": ENV, "Table": "t", "Data": deep_ps}}),
        "ParameterBindingFailed",
    );
    let deep_text = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    abi_refuses_json(
        &t,
        &abi,
        json!({"command": "New-PpCmkRecord", "parameters": {"EnvironmentName": ENV, "Table": "t", "Data": deep_text}}),
        "ParameterBindingFailed",
    );
}

// ------------------------------------------------- templates and parameters

fn deploy(t: &TestStore, template: &Path, params: Option<&Path>, code: &str) -> String {
    let mut args = vec![
        os("New-AzResourceGroupDeployment"),
        os("-ResourceGroupName"),
        os("rg"),
        os("-TemplateFile"),
        template.as_os_str(),
    ];
    if let Some(p) = params {
        args.extend([os("-TemplateParameterFile"), p.as_os_str()]);
    }
    cli_refuses(t, &args, 1, code)
}

/// A template whose policy name is `name` (an expression or a literal) with extra variables.
fn template_with(name: &str, variables: Value) -> String {
    let mut t: Value = serde_json::from_str(&support::cmk::filled_template(
        "x",
        "unitedstates",
        "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/robust-kv",
        "k",
    ))
    .unwrap();
    t["resources"][0]["name"] = json!(name);
    t["variables"] = variables;
    t.to_string()
}

#[test]
fn templates_that_are_malformed_are_refused_with_invalid_template() {
    let t = seeded();
    let d = t.dir.path();
    deploy(&t, &write(d, "not-json.json", "{ this is not json"), None, "InvalidTemplate");
    let m =
        deploy(&t, &write(d, "placeholder.json", "{\n \"name\": {EnterprisePolicyName}\n}"), None, "InvalidTemplate");
    assert!(m.contains("line 2"), "{m}");
    deploy(&t, &write(d, "not-utf8.json", b"{\"a\":\"\xff\"}"), None, "InvalidTemplate");
    deploy(&t, &write(d, "nul.json", b"{\"a\":\"x\x00y\"}"), None, "InvalidTemplate");
    deploy(&t, &write(d, "empty.json", ""), None, "InvalidTemplate");
    deploy(&t, &write(d, "array.json", "[1,2]"), None, "InvalidTemplate");
    deploy(
        &t,
        &write(d, "deep.json", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))),
        None,
        "InvalidTemplate",
    );
    // A single 3.9 MiB line of braces: the placeholder search stays linear.
    let started = std::time::Instant::now();
    deploy(&t, &write(d, "braces.json", "{".repeat(4_000_000)), None, "InvalidTemplate");
    deploy(&t, &write(d, "braces2.json", format!("[{}", "{a".repeat(1_900_000))), None, "InvalidTemplate");
    assert!(started.elapsed().as_secs() < 20, "placeholder search took {:?}", started.elapsed());
    // Values of the wrong type name their JSON path.
    let m = deploy(&t, &write(d, "wrong.json", template_with("[concat('a', 1)]", json!({}))), None, "InvalidTemplate");
    assert!(m.contains("resources[0].name"), "{m}");
    deploy(&t, &write(d, "fn.json", template_with("[unknownFunction()]", json!({}))), None, "InvalidTemplate");
    deploy(&t, &write(d, "unterminated.json", template_with("[concat('a']", json!({}))), None, "InvalidTemplate");
    deploy(&t, &write(d, "bracket.json", template_with("[]", json!({}))), None, "InvalidTemplate");
}

#[test]
fn template_expressions_that_recurse_are_refused_not_a_stack_overflow() {
    let t = seeded();
    let d = t.dir.path();
    // A variable that refers to itself, and two that refer to each other.
    let m = deploy(
        &t,
        &write(d, "self.json", template_with("[variables('a')]", json!({"a": "[variables('a')]"}))),
        None,
        "InvalidTemplate",
    );
    assert!(m.contains("variables"), "{m}");
    deploy(
        &t,
        &write(
            d,
            "pair.json",
            template_with("[variables('a')]", json!({"a": "[variables('b')]", "b": "[variables('a')]"})),
        ),
        None,
        "InvalidTemplate",
    );
    // An expression nested 100,000 calls deep.
    let nested = format!("[{}'x'{}]", "concat(".repeat(100_000), ")".repeat(100_000));
    deploy(&t, &write(d, "nested.json", template_with(&nested, json!({}))), None, "InvalidTemplate");
}

#[test]
fn parameter_files_and_template_paths_are_checked() {
    let t = seeded();
    let d = t.dir.path();
    let good = write(d, "good.json", template_with("p", json!({})));
    deploy(&t, &good, Some(&write(d, "p-not-json.json", "nope")), "InvalidTemplate");
    deploy(&t, &good, Some(&write(d, "p-no-params.json", "{}")), "InvalidTemplate");
    deploy(
        &t,
        &good,
        Some(&write(d, "p-undeclared.json", r#"{"parameters":{"ghost":{"value":1}}}"#)),
        "InvalidTemplate",
    );
    deploy(&t, &good, Some(&write(d, "p-no-value.json", r#"{"parameters":{"ghost":{}}}"#)), "InvalidTemplate");
    // Paths: missing, a folder, a device, too large, too long.
    deploy(&t, &d.join("missing.json"), None, "FileError");
    deploy(&t, &d.join("no-such-folder/t.json"), None, "FileError");
    deploy(&t, d, None, "FileError");
    deploy(&t, Path::new("/dev/zero"), None, "FileError");
    deploy(&t, &write(d, "huge.json", vec![b' '; (4 << 20) + 1]), None, "FileError");
    deploy(&t, &d.join("c".repeat(300)), None, "FileError");
    deploy(&t, &PathBuf::from(format!("{}/{}", d.display(), "dir/".repeat(1200))), None, "FileError");
    deploy(&t, &good, Some(&d.join("missing-params.json")), "FileError");
    deploy(&t, &good, Some(Path::new("/dev/zero")), "FileError");
}

// ---------------------------------------------------------------- key files

fn import(t: &TestStore, path: &Path, extra: &[&str], code: &str) -> String {
    let mut args = vec![
        os("Add-AzKeyVaultKey"),
        os("-VaultName"),
        os("robust-kv"),
        os("-Name"),
        os("imported"),
        os("-KeyFilePath"),
        path.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| os(a)));
    cli_refuses(t, &args, 1, code)
}

fn byok(t: &TestStore, path: &Path, code: &str) -> String {
    cli_refuses(t, &[os("Set-PpCmkTenantByokKey"), os("-KeyFilePath"), path.as_os_str()], 1, code)
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn key_files_that_are_not_usable_rsa_keys_are_refused() {
    let t = seeded();
    let d = t.dir.path();
    openssl(d, &["genrsa", "-out", "small.pem", "1024"]);
    openssl(d, &["genrsa", "-out", "good.pem", "2048"]);
    openssl(d, &["pkcs8", "-topk8", "-in", "good.pem", "-out", "enc.pem", "-passout", "pass:secret"]);
    openssl(d, &["pkcs8", "-topk8", "-nocrypt", "-in", "good.pem", "-outform", "DER", "-out", "good.der"]);
    let good_der = std::fs::read(d.join("good.der")).unwrap();
    let good_pem = std::fs::read_to_string(d.join("good.pem")).unwrap();
    let cases: Vec<(PathBuf, &[&str], &str)> = vec![
        (write(d, "empty.key", ""), &[], "InvalidArgument"),
        (write(d, "garbage.key", b"\x00\x01garbage\xff"), &[], "InvalidArgument"),
        (write(d, "nul.key", vec![0u8; 4096]), &[], "InvalidArgument"),
        (
            write(d, "cert.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            &[],
            "InvalidArgument",
        ),
        (
            write(d, "bad-base64.pem", "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"),
            &[],
            "InvalidArgument",
        ),
        (write(d, "truncated.pem", &good_pem[..good_pem.len() / 2]), &[], "InvalidArgument"),
        (write(d, "truncated.der", &good_der[..good_der.len() - 10]), &[], "InvalidArgument"),
        (
            write(d, "flipped.der", {
                let mut b = good_der.clone();
                let mid = b.len() / 2;
                b[mid] ^= 0xff;
                b
            }),
            &[],
            "InvalidArgument",
        ),
        (d.join("small.pem"), &[], "InvalidArgument"),
        (d.join("enc.pem"), &[], "InvalidArgument"),
        (d.join("enc.pem"), &["-KeyFilePassword", "wrong"], "InvalidArgument"),
        (write(d, "huge.key", vec![b'A'; (1 << 20) + 1]), &[], "InvalidArgument"),
        (d.join("missing.key"), &[], "FileError"),
        (d.to_path_buf(), &[], "FileError"),
        (PathBuf::from("/dev/zero"), &[], "FileError"),
        (d.join("k".repeat(300)), &[], "FileError"),
    ];
    for (path, extra, code) in &cases {
        import(&t, path, extra, code);
    }
    // The tenant BYOK key reads key files the same way.
    for (path, _, code) in cases.iter().filter(|(_, extra, _)| extra.is_empty()) {
        byok(&t, path, code);
    }
}

/// DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// An `ENCRYPTED PRIVATE KEY` PEM whose PBES2 key derivation is `kdf`
/// (an AlgorithmIdentifier); the encrypted data is never reached.
fn encrypted_key_pem(kdf: Vec<u8>) -> String {
    const PBES2: &[u8] = &[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D];
    const AES256_CBC: &[u8] = &[0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A];
    let cipher = tlv(0x30, &[AES256_CBC, &tlv(0x04, &[7; 16])].concat());
    let algorithm = tlv(0x30, &[PBES2, &tlv(0x30, &[kdf, cipher].concat())].concat());
    let der = tlv(0x30, &[algorithm, tlv(0x04, &[0; 1232])].concat());
    let b64 = ppcmk::crypto::base64(&der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN ENCRYPTED PRIVATE KEY-----\n{}\n-----END ENCRYPTED PRIVATE KEY-----\n", lines.join("\n"))
}

/// A PKCS#1 DER RSAPrivateKey of `bits` whose numbers are patterned, not a key.
fn inconsistent_pkcs1_der(bits: usize, exponent_bytes: usize) -> Vec<u8> {
    let int = |bytes: usize| {
        let mut v = vec![0xC3u8; bytes];
        v[0] = 0x40;
        *v.last_mut().unwrap() |= 1;
        tlv(0x02, &v)
    };
    let mut body = tlv(0x02, &[0]);
    body.extend(int(bits / 8));
    body.extend(int(exponent_bytes));
    for bytes in [bits / 8, bits / 16, bits / 16, bits / 16, bits / 16, bits / 16] {
        body.extend(int(bytes));
    }
    tlv(0x30, &body)
}

#[test]
fn key_files_with_huge_or_inconsistent_numbers_are_refused_quickly() {
    let t = seeded();
    let d = t.dir.path();
    let started = std::time::Instant::now();
    for (name, der) in [
        ("n-65536.der", inconsistent_pkcs1_der(65_536, 3)),
        ("n-16384.der", inconsistent_pkcs1_der(16_384, 3)),
        ("n-2048.der", inconsistent_pkcs1_der(2048, 3)),
        ("e-4000-bits.der", inconsistent_pkcs1_der(2048, 500)),
    ] {
        let path = write(d, name, der);
        import(&t, &path, &[], "InvalidArgument");
        byok(&t, &path, "InvalidArgument");
    }
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn encrypted_key_files_that_ask_for_absurd_work_are_refused() {
    let t = seeded();
    let d = t.dir.path();
    const SCRYPT: &[u8] = &[0x06, 0x09, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x04, 0x0B];
    const PBKDF2: &[u8] = &[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0C];
    const HMAC_SHA256: &[u8] = &[0x06, 0x08, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09, 0x05, 0x00];
    let salt = tlv(0x04, &[1; 16]);
    // scrypt with N = 2^40, r = 8: 1 PiB of memory (the allocation failure aborted the process).
    let n = tlv(0x02, &[0x01, 0, 0, 0, 0, 0]);
    let scrypt = tlv(
        0x30,
        &[SCRYPT, &tlv(0x30, &[salt.clone(), n, tlv(0x02, &[8]), tlv(0x02, &[1]), tlv(0x02, &[32])].concat())].concat(),
    );
    let path = write(d, "scrypt-huge.pem", encrypted_key_pem(scrypt));
    let m = import(&t, &path, &["-KeyFilePassword", "x"], "InvalidArgument");
    assert!(m.contains("scrypt"), "{m}");
    let m = cli_refuses(
        &t,
        &[os("Set-PpCmkTenantByokKey"), os("-KeyFilePath"), path.as_os_str(), os("-KeyFilePassword"), os("x")],
        1,
        "InvalidArgument",
    );
    assert!(m.contains("scrypt"), "{m}");
    // Through the C ABI the abort would have taken the host process (PowerShell) with it.
    let abi = Abi::open(&t.home());
    let request = json!({"command": "Add-AzKeyVaultKey", "parameters": {"VaultName": "robust-kv", "Name": "imported", "KeyFilePath": path, "KeyFilePassword": "x"}});
    abi_refuses_json(&t, &abi, request, "InvalidArgument");
    // PBKDF2 with 50,000,000 iterations (minutes of work).
    let iterations = tlv(0x02, &[0x02, 0xFA, 0xF0, 0x80]);
    let pbkdf2 = tlv(
        0x30,
        &[PBKDF2, &tlv(0x30, &[salt, iterations, tlv(0x02, &[32]), tlv(0x30, HMAC_SHA256)].concat())].concat(),
    );
    let path = write(d, "pbkdf2-slow.pem", encrypted_key_pem(pbkdf2));
    let started = std::time::Instant::now();
    let m = import(&t, &path, &["-KeyFilePassword", "x"], "InvalidArgument");
    assert!(m.contains("iterations"), "{m}");
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

// ------------------------------------------------------------ output paths

#[test]
fn output_paths_that_cannot_be_written_are_refused() {
    let t = seeded();
    let flow = t.ok("Get-AdminFlow", json!({"EnvironmentName": ENV}))[0]["FlowName"].as_str().unwrap().to_string();
    let d = t.dir.path();
    let export = |path: &OsStr| {
        cli_refuses(
            &t,
            &[
                os("Export-PpCmkFlowRunHistory"),
                os("-EnvironmentName"),
                os(ENV),
                os("-FlowName"),
                os(&flow),
                os("-Path"),
                path,
            ],
            1,
            "FileError",
        )
    };
    export(d.join("no-such-folder/runs.csv").as_os_str());
    export(d.as_os_str());
    export(d.join("r".repeat(300)).as_os_str());
    export(OsStr::new(&format!("{}/{}runs.csv", d.display(), "dir/".repeat(1200))));
    let file = write(d, "a-file", "x");
    export(file.join("runs.csv").as_os_str());
    // Nothing was left behind in the folder.
    let names: Vec<String> =
        std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    // Key rotation policy files: missing, a folder, a device, too large.
    for path in [d.join("missing.json"), d.to_path_buf(), PathBuf::from("/dev/zero")] {
        cli_refuses(
            &t,
            &[
                os("Set-AzKeyVaultKeyRotationPolicy"),
                os("-VaultName"),
                os("robust-kv"),
                os("-Name"),
                os("k"),
                os("-PolicyPath"),
                path.as_os_str(),
            ],
            1,
            "FileError",
        );
    }
    let huge = write(d, "huge-policy.json", vec![b' '; (4 << 20) + 1]);
    cli_refuses(
        &t,
        &[
            os("Set-AzKeyVaultKeyRotationPolicy"),
            os("-VaultName"),
            os("robust-kv"),
            os("-Name"),
            os("k"),
            os("-PolicyPath"),
            huge.as_os_str(),
        ],
        1,
        "FileError",
    );
    let bad = write(d, "bad-policy.json", b"{\"lifetimeActions\": \xff}");
    cli_refuses(
        &t,
        &[
            os("Set-AzKeyVaultKeyRotationPolicy"),
            os("-VaultName"),
            os("robust-kv"),
            os("-Name"),
            os("k"),
            os("-PolicyPath"),
            bad.as_os_str(),
        ],
        1,
        "InvalidArgument",
    );
}
