//! Help text generated from the registry: the command list (`ppcmk` alone)
//! and one command's help (`ppcmk <Command> -?`).

use super::{Command, Param, ParamType};

/// One line of syntax: `Name -Mandatory <Type> [-Optional <Type>] [-Switch]`.
pub fn syntax(c: &Command) -> String {
    let mut parts = vec![c.name.to_string()];
    for p in c.params {
        parts.push(param_syntax(p));
    }
    parts.push("[-OutputFormat <Table|List|Json|Csv>]".into());
    parts.join(" ")
}

fn param_syntax(p: &Param) -> String {
    let value =
        if !p.allowed.is_empty() { format!("<{}>", p.allowed.join("|")) } else { format!("<{}>", p.ty.help_name()) };
    let name = if p.position.is_some() { format!("[-{}]", p.name) } else { format!("-{}", p.name) };
    match (p.ty, p.mandatory) {
        (ParamType::Switch, _) => format!("[-{}]", p.name),
        (_, true) => format!("{name} {value}"),
        (_, false) => format!("[{name} {value}]"),
    }
}

/// The text `ppcmk <Command> -?` prints.
pub fn command_help(c: &Command) -> String {
    let mut out = String::new();
    out.push_str(&format!("NAME\n    {}\n\nSYNOPSIS\n    {}\n\nSYNTAX\n    {}\n\n", c.name, c.synopsis, syntax(c)));
    if !c.params.is_empty() {
        out.push_str("PARAMETERS\n");
        for p in c.params {
            out.push_str(&format!("    -{} <{}>\n", p.name, p.ty.help_name()));
            out.push_str(&format!("        {}\n", p.help));
            if !p.allowed.is_empty() {
                out.push_str(&format!("        Allowed values: {}\n", p.allowed.join(", ")));
            }
            if let Some((lo, hi)) = p.range {
                out.push_str(&format!("        Range: {lo}..{hi}\n"));
            }
            if let Some(d) = p.default {
                out.push_str(&format!("        Default: {d}\n"));
            }
            if !p.aliases.is_empty() {
                out.push_str(&format!("        Aliases: {}\n", p.aliases.join(", ")));
            }
            out.push_str(&format!(
                "        Required: {}; Position: {}\n\n",
                p.mandatory,
                p.position.map(|n| n.to_string()).unwrap_or_else(|| "named".into())
            ));
        }
    }
    for g in c.groups {
        let names: Vec<String> = g.params.iter().map(|n| format!("-{n}")).collect();
        out.push_str(&format!(
            "    {} {}\n",
            if g.required { "Give exactly one of:" } else { "Give at most one of:" },
            names.join(", ")
        ));
    }
    if !c.groups.is_empty() {
        out.push('\n');
    }
    if !c.output.is_none() {
        out.push_str(&format!("OUTPUTS\n    {}: {}\n\n", c.output.type_name, c.output.properties.join(", ")));
    }
    out.push_str(&format!("EXAMPLE\n    ppcmk {}\n", c.example));
    out
}

/// The text `ppcmk` alone prints, listing `commands` (the catalogue, `commands::all()`).
pub fn command_list(commands: &[&Command]) -> String {
    let mut out = String::from(
        "ppcmk — rehearse the Power Platform customer-managed key life cycle locally.\n\n\
         Usage: ppcmk <Command> [-Parameter value]... [-Switch] [-OutputFormat Table|List|Json|Csv]\n\
         \x20      ppcmk <Command> -?     shows one command's parameters\n\
         \x20      ppcmk demo             walks the documented CMK life cycle on a new store\n\n\
         Store: $PPCMK_HOME (default ~/.ppcmk). Account override for one process: $PPCMK_ACCOUNT.\n\n\
         Commands:\n",
    );
    let width = commands.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in commands {
        out.push_str(&format!("  {:width$}  {}\n", c.name, c.synopsis));
    }
    out
}
