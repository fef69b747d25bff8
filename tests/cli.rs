//! The `ppcmk` command line as a user runs it: PowerShell parameter syntax,
//! output formats, exit status 0/1/2 with one-line errors, and state that
//! persists from one process to the next.

use crate::support;

use serde_json::Value;
use support::{cli, cli_as, stderr, stdout, upn, TempDir};

const SUB: &str = "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e";

fn json(out: &std::process::Output) -> Vec<Value> {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// Exit status and the single stderr line of a failed command.
#[track_caller]
fn fails_with(out: &std::process::Output, status: i32, code: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(status), "stderr: {err} stdout: {}", stdout(out));
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    assert!(err.starts_with(&format!("ppcmk: {code}: ")), "{err}");
    err
}

#[test]
fn get_azcontext_shows_the_global_administrator_as_json() {
    let home = TempDir::new("cli");
    let out = cli(home.path(), &["Get-AzContext", "-OutputFormat", "Json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ctx = json(&out);
    assert_eq!(ctx[0]["Account"], "admin@contoso.onmicrosoft.com");
    assert_eq!(ctx[0]["DirectoryRoles"][0], "Global Administrator");
}

#[test]
fn forbidden_then_success_then_conflict() {
    let home = TempDir::new("cli");
    let h = home.path();
    let created = cli(
        h,
        &["New-AzADUser", "-DisplayName", "Nobody", "-UserPrincipalName", &upn("nobody"), "-OutputFormat", "Json"],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let id = json(&created)[0]["Id"].as_str().unwrap().to_string();
    let args = ["New-AzRoleAssignment", "-ObjectId", &id, "-RoleDefinitionName", "Reader", "-Scope", SUB];
    let denied = cli_as(h, Some(&upn("nobody")), &args);
    fails_with(&denied, 1, "Forbidden");
    let ok = cli(h, &args);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("Reader"), "{}", stdout(&ok));
    fails_with(&cli(h, &args), 1, "Conflict");
}

#[test]
fn the_clock_advance_holds_in_the_next_process() {
    let home = TempDir::new("cli");
    let set = cli(home.path(), &["Set-PpCmkClock", "-AdvanceDays", "30"]);
    assert!(set.status.success(), "{}", stderr(&set));
    let got = json(&cli(home.path(), &["Get-PpCmkClock", "-OutputFormat", "Json"]));
    assert_eq!(got[0]["OffsetDays"], 30);
    assert_eq!(got[0]["OffsetSeconds"], 30 * 86_400);
}

#[test]
fn usage_errors_exit_2_with_one_line_naming_the_problem() {
    let home = TempDir::new("cli");
    let h = home.path();
    let e = fails_with(&cli(h, &["Get-Nothing"]), 2, "CommandNotFound");
    assert!(e.contains("Get-Nothing"));
    let e = fails_with(&cli(h, &["Get-AzContext", "-Colour", "blue"]), 2, "ParameterNotFound");
    assert!(e.contains("'Colour'"));
    let e = fails_with(&cli(h, &["New-AzADUser", "-DisplayName", "x"]), 2, "MissingMandatoryParameter");
    assert!(e.contains("-UserPrincipalName"));
    let e = fails_with(
        &cli(h, &["Add-PpCmkDirectoryRoleMember", "-RoleName", "Janitor", "-UserPrincipalName", "a"]),
        2,
        "ParameterValidationFailed",
    );
    assert!(e.contains("'Janitor'") && e.contains("Global Administrator"));
    let e = fails_with(&cli(h, &["Get-AzContext", "-OutputFormat", "Yaml"]), 2, "ParameterValidationFailed");
    assert!(e.contains("Table,List,Json,Csv"));
    fails_with(&cli(h, &["Set-PpCmkClock", "-AdvanceDays", "soon"]), 2, "ParameterBindingFailed");
    fails_with(&cli(h, &["New-AzRoleAssignment", "-R", "Reader"]), 2, "AmbiguousParameter");
    fails_with(&cli(h, &["Set-PpCmkClock", "-AdvanceDays", "1", "-Reset"]), 2, "ParameterSetConflict");
}

#[test]
fn non_utf8_arguments_are_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let home = TempDir::new("cli");
    let out = std::process::Command::new(crate::support::ppcmk_exe())
        .arg("Get-AzADUser")
        .arg("-DisplayName")
        .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
        .env("PPCMK_HOME", home.path())
        .output()
        .unwrap();
    fails_with(&out, 2, "ParameterBindingFailed");
}

#[test]
fn listing_help_and_version() {
    let home = TempDir::new("cli");
    let list = cli(home.path(), &[]);
    assert!(list.status.success());
    for name in ["Get-AzContext", "New-AzRoleAssignment", "Set-PpCmkClock"] {
        assert!(stdout(&list).contains(name), "{name} not listed");
    }
    let help = cli(home.path(), &["new-azroleassignment", "-?"]);
    assert!(help.status.success());
    let text = stdout(&help);
    assert!(
        text.contains("-RoleDefinitionName <String>") && text.contains("Aliases: Email, UserPrincipalName"),
        "{text}"
    );
    assert!(text.contains("Give exactly one of: -ObjectId, -SignInName, -ApplicationId"), "{text}");
    assert!(!home.path().join("ppcmk.db").exists(), "help does not create a store");
}

#[test]
fn output_formats_and_powershell_syntax() {
    let home = TempDir::new("cli");
    let h = home.path();
    // Case-insensitive names, unambiguous prefixes, -Switch:$false, positional values.
    let out = cli(h, &["get-azresourceprovider", "microsoft.powerplatform", "-listavailable:$false", "-out", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(
        csv.starts_with(
            "\"ProviderNamespace\",\"RegistrationState\",\"ResourceTypes\",\"Locations\",\"ApiVersions\"\n"
        ),
        "{csv}"
    );
    assert!(csv.contains("\"Microsoft.PowerPlatform\",\"NotRegistered\",\"[\"\"enterprisePolicies\"\"]\""), "{csv}");
    let table = stdout(&cli(h, &["Get-PpCmkDirectoryRoleMember"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["RoleName", "UserPrincipalName", "DisplayName", "ObjectId"]
    );
    assert!(lines[2].starts_with("--------"), "{table}");
    let list = stdout(&cli(h, &["Get-AzContext", "-OutputFormat", "List"]));
    assert!(list.contains("Account              : admin@contoso.onmicrosoft.com"), "{list}");
    // A command that outputs nothing prints nothing and succeeds.
    let out = cli(h, &["Get-AzADServicePrincipal"]);
    assert!(out.status.success() && stdout(&out).is_empty());
}

#[test]
fn an_insecure_master_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let home = TempDir::new("cli");
    assert!(cli(home.path(), &["Get-AzContext"]).status.success());
    let key = home.path().join("master.key");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "created owner-only");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = fails_with(&cli(home.path(), &["Get-AzContext"]), 1, "InsecureKeyFile");
    assert!(e.contains("chmod 600"), "{e}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(&key).unwrap();
    let e = fails_with(&cli(home.path(), &["Get-AzContext"]), 1, "InsecureKeyFile");
    assert!(e.contains("no master key"), "{e}");
}

#[test]
fn warnings_and_errors_go_to_stderr_and_objects_to_stdout() {
    let home = TempDir::new("cli");
    let out = cli(home.path(), &["Get-AzADUser", "-UserPrincipalName", &upn("ghost")]);
    fails_with(&out, 1, "NotFound");
    assert!(stdout(&out).is_empty());
}
