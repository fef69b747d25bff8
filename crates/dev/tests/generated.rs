//! Files generated from the source are checked in and must be current: the C
//! header (cbindgen over src/ffi.rs) and the PowerShell module files
//! (generated from the command registry). Run with PPCMK_BLESS=1 to rewrite.

use std::path::{Path, PathBuf};

/// The repository root (this package is `crates/dev`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(path: &str, expected: &str, stale: &mut Vec<String>) {
    let full = root().join(path);
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
    let root = root();
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi.rs"))
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn generated_files_are_current() {
    let mut stale = Vec::new();
    check("include/ppcmk.h", &c_header(), &mut stale);
    for file in ppcmk_dev::codegen::generated_files() {
        check(&file.path, &file.contents, &mut stale);
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}. Regenerate with `PPCMK_BLESS=1 cargo test --test generated` and commit them."
    );
}

#[test]
fn the_reference_covers_every_command_and_nothing_else() {
    let dir = root().join("docs/commands");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    pages.sort();
    let mut expected: Vec<String> = ppcmk::commands::all().iter().map(|c| format!("{}.md", c.name)).collect();
    expected.sort();
    assert_eq!(pages, expected, "one page per registered command, no page for a removed one");
    let index = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for c in ppcmk::commands::all() {
        assert!(index.contains(&format!("[{}]({}.md)", c.name, c.name)), "{} is not in the index", c.name);
    }
}

#[test]
fn module_exports_every_command() {
    let script = ppcmk_dev::codegen::powershell::commands_script();
    let manifest = ppcmk_dev::codegen::powershell::manifest();
    for c in ppcmk::commands::all() {
        assert!(script.contains(&format!("function {} {{", c.name)), "{} has no function", c.name);
        assert!(manifest.contains(&format!("'{}'", c.name)), "{} is not exported", c.name);
    }
}

/// The text of one generated function, `function Name {` to its closing brace.
fn function_text<'a>(script: &'a str, name: &str) -> &'a str {
    let start = script.find(&format!("\nfunction {name} {{\n")).unwrap_or_else(|| panic!("{name} has no function"));
    let end = script[start..].find("\n}\n").map(|e| start + e + 3).unwrap_or(script.len());
    &script[start..end]
}

#[test]
fn path_parameters_are_resolved_against_the_powershell_location() {
    // The engine resolves a relative path against the process's current
    // directory, which in PowerShell is not $PWD: each generated function
    // hands exactly the registry's path parameters to the host, which
    // resolves them (tests/powershell/Binding.Tests.ps1 proves it in pwsh).
    let script = ppcmk_dev::codegen::powershell::commands_script();
    let mut marked = Vec::new();
    for c in ppcmk::commands::all() {
        let function = function_text(&script, c.name);
        let paths: Vec<String> = c.params.iter().filter(|p| p.path).map(|p| format!("'{}'", p.name)).collect();
        let names: Vec<String> = c.params.iter().map(|p| format!("'{}'", p.name)).collect();
        let call = format!(
            "[PpCmk.Host]::Run($PSCmdlet, '{}', $PSBoundParameters, [string[]] @({}), [string[]] @({}),",
            c.name,
            names.join(", "),
            paths.join(", ")
        );
        assert!(function.contains(&call), "{}: the host call names its path parameters: {call}", c.name);
        marked.extend(c.params.iter().filter(|p| p.path).map(|p| format!("{} -{}", c.name, p.name)));
    }
    marked.sort();
    assert_eq!(
        marked,
        [
            "Add-AzKeyVaultKey -KeyFilePath",
            "Export-AzKeyVaultSecurityDomain -Certificates",
            "Export-AzKeyVaultSecurityDomain -OutputPath",
            "Export-PpCmkFlowRunHistory -Path",
            "Export-PpCmkReport -Path",
            "Import-PpCmkTenantSnapshot -Path",
            "New-AzResourceGroupDeployment -TemplateFile",
            "New-AzResourceGroupDeployment -TemplateParameterFile",
            "Set-AzKeyVaultKeyRotationPolicy -PolicyPath",
            "Set-PpCmkTenantByokKey -KeyFilePath",
        ],
        "the registry's file path parameters"
    );
}

#[test]
fn module_resolves_relative_environment_paths_against_the_powershell_location() {
    // $env:PPCMK_HOME and $env:PPCMK_LIBRARY name folders and files too.
    let module = std::fs::read_to_string(root().join("powershell/PpCmk/PpCmk.psm1")).unwrap();
    let host = std::fs::read_to_string(root().join("powershell/PpCmk/PpCmk.Native.cs")).unwrap();
    for (file, text, resolve) in [
        ("PpCmk.psm1", &module, "GetUnresolvedProviderPathFromPSPath($env:PPCMK_LIBRARY)"),
        ("PpCmk.Native.cs", &host, "cmdlet.GetUnresolvedProviderPathFromPSPath(home)"),
    ] {
        assert!(text.contains(resolve), "{file} passes a path on without resolving it: expected `{resolve}`");
    }
}
