//! The cmdlet reference, generated from the registry: one Markdown page per
//! command (`docs/commands/<Command>.md`) and an index with the error codes.

use super::GeneratedFile;
use ppcmk::commands;
use ppcmk::registry::{help, Command, Effect, ParamType, Side};
use ppcmk::ErrorCode;

/// Every page of the reference.
pub fn files() -> Vec<GeneratedFile> {
    let mut out: Vec<GeneratedFile> = commands::all()
        .iter()
        .map(|c| GeneratedFile { path: format!("docs/commands/{}.md", c.name), contents: command_page(c) })
        .collect();
    out.push(GeneratedFile { path: "docs/commands/README.md".into(), contents: index() });
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn side(c: &Command) -> &'static str {
    match c.side {
        Side::Azure => "Azure (the Azure session: `Connect-AzAccount`, or `PPCMK_ACCOUNT`)",
        Side::PowerPlatform => {
            "Power Platform (the Power Platform session: `Add-PowerAppsAccount`, or `PPCMK_ACCOUNT`)"
        }
        Side::Engine => "the engine (the Azure session if any)",
    }
}

fn effect(c: &Command) -> &'static str {
    match c.effect {
        Effect::Read => "reads only",
        Effect::Change => "changes state in one transaction (audited; `-WhatIf`/`-Confirm` in PowerShell)",
        Effect::LongRunning => {
            "changes state in batches and reports progress (audited; `-WhatIf`/`-Confirm` in PowerShell)"
        }
    }
}

/// One command's page.
pub fn command_page(c: &Command) -> String {
    let mut s = String::new();
    s.push_str(&format!("# {}\n\n{}\n\n", c.name, c.synopsis));
    s.push_str(&format!("```\n{}\n```\n\n", help::syntax(c)));
    s.push_str(&format!("Signed-in side: {}. The command {}.\n\n", side(c), effect(c)));
    if !c.params.is_empty() {
        s.push_str("## Parameters\n\n| Name | Type | Required | Allowed values / range | Default | Description |\n|---|---|---|---|---|---|\n");
        for p in c.params {
            let allowed = if !p.allowed.is_empty() {
                p.allowed.join(", ")
            } else if let Some((lo, hi)) = p.range {
                format!("{lo} to {hi}")
            } else {
                String::new()
            };
            let mut notes = vec![cell(p.help)];
            if !p.aliases.is_empty() {
                notes.push(format!("Aliases: {}.", p.aliases.join(", ")));
            }
            if let Some(pos) = p.position {
                notes.push(format!("Position {pos}."));
            }
            if p.from_pipeline {
                notes.push("From the pipeline by property name.".into());
            }
            if p.path {
                notes.push("A file path (relative to `$PWD` in PowerShell).".into());
            }
            if p.ty == ParamType::SecureString {
                notes.push("Never echoed, logged or stored in clear.".into());
            }
            s.push_str(&format!(
                "| `-{}` | {} | {} | {} | {} | {} |\n",
                p.name,
                p.ty.help_name(),
                if p.mandatory { "yes" } else { "no" },
                cell(&allowed),
                p.default.map(cell).unwrap_or_default(),
                notes.join(" ")
            ));
        }
        s.push('\n');
        for g in c.groups {
            let names: Vec<String> = g.params.iter().map(|n| format!("`-{n}`")).collect();
            s.push_str(&format!(
                "{} {}.\n\n",
                if g.required { "Give exactly one of" } else { "Give at most one of" },
                names.join(", ")
            ));
        }
    }
    s.push_str("Every command also takes `-OutputFormat Table|List|Json|Csv` on the command line.\n\n");
    if c.output.is_none() {
        s.push_str("## Output\n\nNone.\n\n");
    } else {
        s.push_str(&format!(
            "## Output\n\n`{}` objects with the properties {}.\n\nThe table view shows {}.\n\n",
            c.output.type_name,
            c.output.properties.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "),
            c.output.table.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !c.errors.is_empty() {
        s.push_str(
            "## Errors\n\nBesides usage errors (exit status 2) and store errors:\n\n| Code | Meaning |\n|---|---|\n",
        );
        for e in c.errors {
            s.push_str(&format!("| `{}` | {} |\n", e.as_str(), cell(e.description())));
        }
        s.push('\n');
    }
    s.push_str(&format!("## Example\n\n```\nppcmk {}\n```\n", c.example));
    s
}

fn index() -> String {
    let mut s = String::from(
        "# Command reference\n\nGenerated from the command registry (`PPCMK_BLESS=1 cargo test --test generated` rewrites it; a test fails when it is stale). The same commands run as `ppcmk <Command>`, through the C ABI as `{\"command\":\"<Command>\",\"parameters\":{...}}`, and as PowerShell functions of the `PpCmk` module.\n\n| Command | Synopsis |\n|---|---|\n",
    );
    let mut commands: Vec<&Command> = commands::all().to_vec();
    commands.sort_by_key(|c| c.name);
    for c in commands {
        s.push_str(&format!("| [{}]({}.md) | {} |\n", c.name, c.name, cell(c.synopsis)));
    }
    s.push_str("\n## Error codes\n\nStable codes: the CLI prints `ppcmk: <Code>: <message>`, the C ABI returns `error.code`, PowerShell uses the code as the ErrorRecord's FullyQualifiedErrorId.\n\n| Code | PowerShell category | CLI exit status | Meaning |\n|---|---|---|---|\n");
    for e in ErrorCode::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            e.as_str(),
            e.category(),
            if e.is_usage() { 2 } else { 1 },
            cell(e.description())
        ));
    }
    s
}
