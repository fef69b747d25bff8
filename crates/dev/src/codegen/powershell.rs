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
    // Which commands take the parameters whose values PpCmk.psm1 completes
    // from the store (listed here so that importing needs no Get-Command).
    writeln!(out, "\n# The commands whose parameters complete from the store (argument completers in PpCmk.psm1).")
        .unwrap();
    writeln!(out, "$script:PpCmkCompletedParameters = @{{").unwrap();
    for (key, parameter, only) in [
        ("EnvironmentName", "EnvironmentName", None),
        ("VaultName", "VaultName", None),
        ("PolicyArmId", "PolicyArmId", None),
        ("KeyName", "Name", Some("AzKeyVaultKey")),
    ] {
        let names: Vec<String> = commands::all()
            .iter()
            .filter(|c| c.param(parameter).is_some_and(|p| p.name == parameter))
            .filter(|c| only.is_none_or(|noun| c.name.contains(noun)))
            .map(|c| quote(c.name))
            .collect();
        writeln!(out, "    {key} = @({})", names.join(", ")).unwrap();
    }
    writeln!(out, "}}").unwrap();
    for c in commands::all() {
        out.push('\n');
        out.push_str(&function(c));
    }
    out
}

fn function(c: &Command) -> String {
    let mut f = String::new();
    writeln!(f, "function {} {{", c.name).unwrap();
    // A destructive command asks unless -Force (or -Confirm:$false), as Az's do;
    // the module adds -Force where the engine has none.
    let impact = c.confirm_impact();
    let module_force = impact == "High" && c.param("Force").is_none();
    // Comment-based help.
    writeln!(f, "    <#\n    .SYNOPSIS\n    {}", comment_text(c.synopsis)).unwrap();
    for p in c.params {
        let mut help = comment_text(p.help);
        if !p.allowed.is_empty() {
            help.push_str(&format!(" Allowed values: {}.", p.allowed.join(", ")));
        }
        writeln!(f, "    .PARAMETER {}\n    {}", p.name, help).unwrap();
    }
    if module_force {
        writeln!(f, "    .PARAMETER Force\n    Run without asking for confirmation.").unwrap();
    }
    writeln!(f, "    .EXAMPLE\n    {}", comment_text(c.example)).unwrap();
    if !c.output.is_none() {
        writeln!(f, "    .OUTPUTS\n    {}", c.output.type_name).unwrap();
    }
    writeln!(f, "    #>").unwrap();
    if c.effect.changes_state() {
        writeln!(f, "    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = '{impact}')]").unwrap();
    } else {
        writeln!(f, "    [CmdletBinding()]").unwrap();
    }
    if !c.output.is_none() {
        writeln!(f, "    [OutputType({})]", quote(c.output.type_name)).unwrap();
    }
    writeln!(f, "    param(").unwrap();
    let mut params: Vec<String> = c.params.iter().map(param_block).collect();
    if module_force {
        params.push("        [Parameter()]\n        [switch]\n        $Force".to_string());
    }
    f.push_str(&params.join(",\n\n"));
    if !params.is_empty() {
        f.push('\n');
    }
    writeln!(f, "    )").unwrap();
    let list =
        |names: Vec<&str>| format!("[string[]] @({})", names.into_iter().map(quote).collect::<Vec<_>>().join(", "));
    // A switch that yields one property (Az's -AsPlainText returns a string).
    let yields = c
        .params
        .iter()
        .find_map(|p| p.yields.map(|property| quote(&format!("{}={property}", p.name))))
        .unwrap_or_else(|| "$null".to_string());
    // Paths are resolved by the host against PowerShell's location ($PWD),
    // not the process's current directory.
    let run = format!(
        "[PpCmk.Host]::Run($PSCmdlet, {}, $PSBoundParameters, {}, {}, {}, {yields})",
        quote(c.name),
        list(c.params.iter().map(|p| p.name).collect()),
        list(c.params.iter().filter(|p| p.path).map(|p| p.name).collect()),
        quote(c.output.type_name),
    );
    writeln!(f, "    process {{").unwrap();
    if c.effect.changes_state() {
        if impact == "High" {
            writeln!(
                f,
                "        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {{\n            $ConfirmPreference = 'None'\n        }}"
            )
            .unwrap();
        }
        let target = c
            .params
            .iter()
            .find(|p| p.mandatory && p.ty == ParamType::String)
            .map(|p| {
                format!(
                    "$(if ($PSBoundParameters.ContainsKey('{0}')) {{ ${0} }} else {{ {1} }})",
                    p.name,
                    quote(c.name)
                )
            })
            .unwrap_or_else(|| quote(c.name));
        writeln!(f, "        if ($PSCmdlet.ShouldProcess({target}, {})) {{", quote(c.name)).unwrap();
        writeln!(f, "            {run}").unwrap();
        writeln!(f, "        }}").unwrap();
    } else {
        writeln!(f, "        {run}").unwrap();
    }
    writeln!(f, "    }}\n}}").unwrap();
    f
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
    if p.ty == ParamType::Bytes {
        // Base64 text as on the command line, or bytes.
        attrs.push("[PpCmk.Base64Bytes()]".to_string());
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
        // Where Az shows a list by default, that view comes first (the default)
        // and the table stays available to Format-Table.
        if let Some((_, items)) = AZ_LIST_VIEWS.iter().find(|(t, _)| *t == type_name) {
            list_view(&mut out, type_name, items);
        }
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

/// The default views Az lays out as lists, as (label, property) pairs; a
/// property starting with `script:` is a script block. Az.KeyVault's format data shows a
/// key as a list with these labels; a role assignment has no view in Az, so
/// PowerShell lists every property.
const AZ_LIST_VIEWS: &[(&str, &[(&str, &str)])] = &[
    (
        "PpCmk.KeyVaultKey",
        &[
            ("Vault/HSM Name", "script:if ($_.VaultName) { $_.VaultName } else { $_.HsmName }"),
            ("Name", "Name"),
            ("Version", "Version"),
            ("Id", "Id"),
            ("Enabled", "Enabled"),
            ("Expires", "Expires"),
            ("Not Before", "NotBefore"),
            ("Created", "Created"),
            ("Updated", "Updated"),
            ("Recovery Level", "RecoveryLevel"),
            ("Tags", "Tags"),
        ],
    ),
    (
        "PpCmk.RoleAssignment",
        &[
            ("RoleAssignmentId", "RoleAssignmentId"),
            ("Scope", "Scope"),
            ("DisplayName", "DisplayName"),
            ("SignInName", "SignInName"),
            ("RoleDefinitionName", "RoleDefinitionName"),
            ("RoleDefinitionId", "RoleDefinitionId"),
            ("ObjectId", "ObjectId"),
            ("ObjectType", "ObjectType"),
            ("CanDelegate", "CanDelegate"),
            ("Description", "Description"),
            ("ConditionVersion", "ConditionVersion"),
            ("Condition", "Condition"),
        ],
    ),
];

fn list_view(out: &mut String, type_name: &str, items: &[(&str, &str)]) {
    writeln!(out, "    <View>\n      <Name>{type_name}.List</Name>\n      <ViewSelectedBy>\n        <TypeName>{type_name}</TypeName>\n      </ViewSelectedBy>\n      <ListControl>\n        <ListEntries>\n          <ListEntry>\n            <ListItems>").unwrap();
    for (label, item) in items {
        let value = match item.strip_prefix("script:") {
            Some(script) => format!("<ScriptBlock>{}</ScriptBlock>", script.replace('&', "&amp;").replace('<', "&lt;")),
            None => format!("<PropertyName>{item}</PropertyName>"),
        };
        writeln!(out, "              <ListItem>\n                <Label>{label}</Label>\n                {value}\n              </ListItem>").unwrap();
    }
    writeln!(
        out,
        "            </ListItems>\n          </ListEntry>\n        </ListEntries>\n      </ListControl>\n    </View>"
    )
    .unwrap();
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
