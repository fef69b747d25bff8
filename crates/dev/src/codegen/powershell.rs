//! Generates the PowerShell module's functions, format data and manifest from
//! the registry, so names, parameters and views cannot drift from the engine.
//! The generated code targets Windows PowerShell 5.1 and PowerShell 7.

use ppcmk::commands;
use ppcmk::registry::{Command, Param, ParamType};
use std::fmt::Write;

/// The module's fixed identity.
const MODULE_GUID: &str = "6f1c3a52-8d4e-4b7a-9c2f-1e5d7b3a9c40";

/// A PowerShell single-quoted string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Text safe inside a `<# ... #>` comment block.
fn comment_text(s: &str) -> String {
    s.replace("#>", "# >").replace("<#", "< #")
}

/// `PpCmk.Commands.ps1`: one advanced function per command.
pub fn commands_script() -> String {
    let mut out = String::new();
    out.push_str(
        "# Generated from the ppcmk command registry by `PPCMK_BLESS=1 cargo test`. Do not edit:\n\
         # change the registry (src/commands/) and regenerate. Dot-sourced by PpCmk.psm1.\n\
         Set-StrictMode -Version 3.0\n",
    );
    let usage: Vec<String> = ppcmk::ErrorCode::ALL.iter().filter(|c| c.is_usage()).map(|c| quote(c.as_str())).collect();
    writeln!(out, "\n# Error codes of malformed calls: raised as terminating errors, as parameter binding errors are.")
        .unwrap();
    writeln!(out, "$script:PpCmkUsageErrorCodes = @({})", usage.join(", ")).unwrap();
    let names: Vec<String> = commands::all().iter().map(|c| quote(c.name)).collect();
    writeln!(out, "\n# The exported commands.").unwrap();
    writeln!(out, "$script:PpCmkCommandNames = @(\n    {}\n)", names.join(",\n    ")).unwrap();
    for c in commands::all() {
        out.push('\n');
        out.push_str(&function(c));
    }
    out
}

fn function(c: &Command) -> String {
    let mut f = String::new();
    writeln!(f, "function {} {{", c.name).unwrap();
    // Comment-based help.
    writeln!(f, "    <#\n    .SYNOPSIS\n    {}", comment_text(c.synopsis)).unwrap();
    for p in c.params {
        let mut help = comment_text(p.help);
        if !p.allowed.is_empty() {
            help.push_str(&format!(" Allowed values: {}.", p.allowed.join(", ")));
        }
        writeln!(f, "    .PARAMETER {}\n    {}", p.name, help).unwrap();
    }
    writeln!(f, "    .EXAMPLE\n    {}", comment_text(c.example)).unwrap();
    if !c.output.is_none() {
        writeln!(f, "    .OUTPUTS\n    {}", c.output.type_name).unwrap();
    }
    writeln!(f, "    #>").unwrap();
    if c.effect.changes_state() {
        writeln!(f, "    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]").unwrap();
    } else {
        writeln!(f, "    [CmdletBinding()]").unwrap();
    }
    if !c.output.is_none() {
        writeln!(f, "    [OutputType({})]", quote(c.output.type_name)).unwrap();
    }
    writeln!(f, "    param(").unwrap();
    let params: Vec<String> = c.params.iter().map(param_block).collect();
    f.push_str(&params.join(",\n\n"));
    if !params.is_empty() {
        f.push('\n');
    }
    writeln!(f, "    )").unwrap();
    let names: Vec<String> = c.params.iter().map(|p| quote(p.name)).collect();
    writeln!(f, "    process {{").unwrap();
    writeln!(
        f,
        "        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @({})",
        names.join(", ")
    )
    .unwrap();
    let paths: Vec<&Param> = c.params.iter().filter(|p| p.path).collect();
    if !paths.is_empty() {
        writeln!(
            f,
            "        # Paths are relative to PowerShell's location ($PWD), not to the process's current directory."
        )
        .unwrap();
    }
    for p in paths {
        f.push_str(&resolve_path(p.name));
    }
    let mut invoke = format!(
        "Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command {} -Parameters $request -TypeName {}",
        quote(c.name),
        quote(c.output.type_name)
    );
    // A switch that yields one property (Az's -AsPlainText returns a string).
    for p in c.params.iter().filter(|p| p.yields.is_some()) {
        let property = p.yields.unwrap_or_default();
        invoke = format!(
            "$result = {invoke}\n        if (${}) {{\n            $result | ForEach-Object {{ $_.{property} }}\n        }}\n        else {{\n            $result\n        }}",
            p.name
        );
    }
    if c.effect.changes_state() {
        let target = c
            .params
            .iter()
            .find(|p| p.mandatory && p.ty == ParamType::String)
            .map(|p| {
                // A path is shown as resolved above, the file the command will use.
                let value = if p.path { format!("$request[{}]", quote(p.name)) } else { format!("${}", p.name) };
                format!(
                    "$(if ($PSBoundParameters.ContainsKey({0})) {{ {value} }} else {{ {1} }})",
                    quote(p.name),
                    quote(c.name)
                )
            })
            .unwrap_or_else(|| quote(c.name));
        writeln!(f, "        if ($PSCmdlet.ShouldProcess({target}, {})) {{", quote(c.name)).unwrap();
        writeln!(f, "            {invoke}").unwrap();
        writeln!(f, "        }}").unwrap();
    } else {
        writeln!(f, "        {invoke}").unwrap();
    }
    writeln!(f, "    }}\n}}").unwrap();
    f
}

/// Resolves the file path parameter `name` of `$request` against PowerShell's
/// location, as cmdlets do with `-LiteralPath` (no wildcards; `~` and drives work).
fn resolve_path(name: &str) -> String {
    let key = quote(name);
    format!(
        "        if ($request.Contains({key}) -and $request[{key}]) {{\n            \
         $request[{key}] = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($request[{key}])\n        }}\n"
    )
}

fn param_block(p: &Param) -> String {
    let mut attrs = Vec::new();
    let mut args = Vec::new();
    if p.mandatory {
        args.push("Mandatory = $true".to_string());
    }
    if let Some(pos) = p.position {
        args.push(format!("Position = {pos}"));
    }
    if p.from_pipeline {
        args.push("ValueFromPipelineByPropertyName = $true".to_string());
    }
    attrs.push(format!("[Parameter({})]", args.join(", ")));
    if !p.aliases.is_empty() {
        attrs.push(format!("[Alias({})]", p.aliases.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")));
    }
    if !p.allowed.is_empty() {
        attrs.push(format!("[ValidateSet({})]", p.allowed.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")));
    }
    if let Some((lo, hi)) = p.range {
        attrs.push(format!("[ValidateRange({lo}, {hi})]"));
    }
    if p.mandatory && matches!(p.ty, ParamType::String | ParamType::StringArray) {
        attrs.push("[ValidateNotNullOrEmpty()]".to_string());
    }
    attrs.push(format!("[{}]", p.ty.powershell_type()));
    let mut block = String::new();
    for a in attrs {
        writeln!(block, "        {a}").unwrap();
    }
    write!(block, "        ${}", p.name).unwrap();
    block
}

/// `PpCmk.Format.ps1xml`: a table view per output type with the registry's columns.
pub fn format_data() -> String {
    let mut seen = std::collections::BTreeMap::new();
    for c in commands::all() {
        if !c.output.is_none() && !c.output.table.is_empty() {
            let previous = seen.insert(c.output.type_name, c.output.table);
            assert!(
                previous.is_none_or(|t| t == c.output.table),
                "{}: two commands give {} different table columns",
                c.name,
                c.output.type_name
            );
        }
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <!-- Generated from the ppcmk command registry by `PPCMK_BLESS=1 cargo test`. Do not edit. -->\n\
         <Configuration>\n  <ViewDefinitions>\n",
    );
    for (type_name, columns) in seen {
        writeln!(out, "    <View>\n      <Name>{type_name}</Name>\n      <ViewSelectedBy>\n        <TypeName>{type_name}</TypeName>\n      </ViewSelectedBy>\n      <TableControl>\n        <TableHeaders>").unwrap();
        for col in columns {
            writeln!(
                out,
                "          <TableColumnHeader>\n            <Label>{col}</Label>\n          </TableColumnHeader>"
            )
            .unwrap();
        }
        writeln!(out, "        </TableHeaders>\n        <TableRowEntries>\n          <TableRowEntry>\n            <TableColumnItems>").unwrap();
        for col in columns {
            writeln!(out, "              <TableColumnItem>\n                <PropertyName>{col}</PropertyName>\n              </TableColumnItem>").unwrap();
        }
        writeln!(out, "            </TableColumnItems>\n          </TableRowEntry>\n        </TableRowEntries>\n      </TableControl>\n    </View>").unwrap();
    }
    out.push_str("  </ViewDefinitions>\n</Configuration>\n");
    out
}

/// `PpCmk.psd1`: the module manifest.
pub fn manifest() -> String {
    let functions: Vec<String> = commands::all().iter().map(|c| format!("        {}", quote(c.name))).collect();
    format!(
        "# Generated from the ppcmk command registry by `PPCMK_BLESS=1 cargo test`. Do not edit.\n\
@{{\n\
    RootModule           = 'PpCmk.psm1'\n\
    ModuleVersion        = {version}\n\
    GUID                 = '{MODULE_GUID}'\n\
    Author               = 'ppcmk'\n\
    CompanyName          = 'ppcmk'\n\
    Copyright            = '(c) ppcmk. MIT licence.'\n\
    Description          = 'Rehearse the Power Platform customer-managed key life cycle locally: Az, Az.KeyVault and PowerApps administration cmdlet names over the ppcmk engine.'\n\
    PowerShellVersion    = '5.1'\n\
    CompatiblePSEditions = @('Desktop', 'Core')\n\
    FormatsToProcess     = @('PpCmk.Format.ps1xml')\n\
    FunctionsToExport    = @(\n{functions}\n    )\n\
    CmdletsToExport      = @()\n\
    VariablesToExport    = @()\n\
    AliasesToExport      = @()\n\
    PrivateData          = @{{\n\
        PSData = @{{\n\
            Tags = @('PowerPlatform', 'CustomerManagedKey', 'KeyVault', 'Encryption')\n\
        }}\n\
    }}\n\
}}\n",
        version = quote(ppcmk::VERSION),
        functions = functions.join(",\n"),
    )
}
