//! The command registry: every operation as one [`Command`] with a
//! PowerShell-style name, typed parameters and an output shape.
//!
//! The registry is the single source of truth for the three surfaces: the CLI
//! parses arguments against it, the C ABI binds JSON against it, and the
//! PowerShell module, its format data and the cmdlet reference are generated
//! from it. Commands themselves live in `crate::commands`, one file per area.

pub mod bind;
pub mod ctx;
pub mod format;
pub mod help;

use crate::error::{ErrorCode, Result};
/// The sides a command signs in on belong to the directory; re-exported here,
/// where every command declares its side.
pub use crate::identity::Side;
pub use ctx::{Ctx, Gate};
use serde_json::{Map, Value};

/// One output object: ordered properties, as PowerShell shows them.
pub type Object = Map<String, Value>;

/// A command's handler: translates bound parameters into calls of the area
/// modules and their results into output objects.
pub type Handler = fn(&mut Ctx, &bind::Args) -> Result<Vec<Object>>;

/// The type of a parameter, as PowerShell declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    /// A 64-bit integer (PowerShell `[long]`); narrow it with `range`.
    Int,
    /// `[bool]`: takes a value, `-Enable $true`.
    Bool,
    /// `[switch]`: present or absent, `-Force` or `-Force:$false`.
    Switch,
    /// `[string[]]`: `a,b,c` on the command line, an array in JSON.
    StringArray,
    /// `[hashtable]`/`[object]`: a JSON object, or PowerShell's `@{k='v'}` on the command line.
    Hashtable,
    /// `[datetime]`: RFC 3339 or a date; always UTC inside.
    DateTime,
    /// `[securestring]` in PowerShell, plain text on the other surfaces; never echoed or stored in clear.
    SecureString,
    /// `[byte[]]`: base64 on the command line; base64 or an array of 0–255 in JSON.
    Bytes,
}

impl ParamType {
    /// The PowerShell type literal used in generated code and help.
    pub fn powershell_type(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Int => "long",
            ParamType::Bool => "bool",
            ParamType::Switch => "switch",
            ParamType::StringArray => "string[]",
            ParamType::Hashtable => "object",
            ParamType::DateTime => "datetime",
            ParamType::SecureString => "securestring",
            ParamType::Bytes => "byte[]",
        }
    }

    /// The type name shown in help (`<String>`).
    pub fn help_name(self) -> &'static str {
        match self {
            ParamType::String => "String",
            ParamType::Int => "Int64",
            ParamType::Bool => "Boolean",
            ParamType::Switch => "SwitchParameter",
            ParamType::StringArray => "String[]",
            ParamType::Hashtable => "Hashtable",
            ParamType::DateTime => "DateTime",
            ParamType::SecureString => "SecureString",
            ParamType::Bytes => "Byte[]",
        }
    }
}

/// One parameter of a command. Built with the `const` methods below so that
/// commands read as a declaration.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
    pub mandatory: bool,
    /// Position for positional binding (0-based), as PowerShell's `Position`.
    pub position: Option<u8>,
    /// Allowed values (PowerShell `ValidateSet`), matched case-insensitively.
    pub allowed: &'static [&'static str],
    /// Inclusive range (PowerShell `ValidateRange`) for `Int` parameters.
    pub range: Option<(i64, i64)>,
    pub aliases: &'static [&'static str],
    /// PowerShell `ValueFromPipelineByPropertyName`.
    pub from_pipeline: bool,
    pub help: &'static str,
    /// The default, for documentation only (handlers apply it).
    pub default: Option<&'static str>,
    /// A file path. The engine resolves a relative path against the process's
    /// current directory (the CLI and C ABI pass it through unchanged); the
    /// PowerShell module first resolves it against PowerShell's location
    /// (`$PWD`), which is not the process's current directory.
    pub path: bool,
    /// For a switch: when set, the command's result is this output property
    /// of each object alone, as Az's `Get-AzKeyVaultSecret -AsPlainText`
    /// returns the secret's text rather than an object.
    pub yields: Option<&'static str>,
}

impl Param {
    const fn of(name: &'static str, ty: ParamType) -> Param {
        Param {
            name,
            ty,
            mandatory: false,
            position: None,
            allowed: &[],
            range: None,
            aliases: &[],
            from_pipeline: false,
            help: "",
            default: None,
            path: false,
            yields: None,
        }
    }
    pub const fn string(name: &'static str) -> Param {
        Param::of(name, ParamType::String)
    }
    pub const fn int(name: &'static str) -> Param {
        Param::of(name, ParamType::Int)
    }
    pub const fn boolean(name: &'static str) -> Param {
        Param::of(name, ParamType::Bool)
    }
    pub const fn switch(name: &'static str) -> Param {
        Param::of(name, ParamType::Switch)
    }
    pub const fn strings(name: &'static str) -> Param {
        Param::of(name, ParamType::StringArray)
    }
    pub const fn hashtable(name: &'static str) -> Param {
        Param::of(name, ParamType::Hashtable)
    }
    pub const fn datetime(name: &'static str) -> Param {
        Param::of(name, ParamType::DateTime)
    }
    pub const fn secure(name: &'static str) -> Param {
        Param::of(name, ParamType::SecureString)
    }
    pub const fn bytes(name: &'static str) -> Param {
        Param::of(name, ParamType::Bytes)
    }
    pub const fn mandatory(self) -> Param {
        Param { mandatory: true, ..self }
    }
    pub const fn at(self, position: u8) -> Param {
        Param { position: Some(position), ..self }
    }
    pub const fn one_of(self, allowed: &'static [&'static str]) -> Param {
        Param { allowed, ..self }
    }
    pub const fn range(self, low: i64, high: i64) -> Param {
        Param { range: Some((low, high)), ..self }
    }
    pub const fn alias(self, aliases: &'static [&'static str]) -> Param {
        Param { aliases, ..self }
    }
    pub const fn pipeline(self) -> Param {
        Param { from_pipeline: true, ..self }
    }
    pub const fn help(self, help: &'static str) -> Param {
        Param { help, ..self }
    }
    pub const fn default(self, default: &'static str) -> Param {
        Param { default: Some(default), ..self }
    }
    /// Marks a `String` parameter as a file path (see the `path` field).
    pub const fn path(self) -> Param {
        Param { path: true, ..self }
    }
    /// Marks a switch as returning one property's value (see `yields`).
    pub const fn yields(self, property: &'static str) -> Param {
        Param { yields: Some(property), ..self }
    }
}

impl Command {
    /// The output property the command returns alone for these arguments,
    /// if a switch with `yields` is set.
    pub fn yielded_property(&self, args: &bind::Args) -> Option<&'static str> {
        self.params.iter().find(|p| p.ty == ParamType::Switch && args.switch(p.name)).and_then(|p| p.yields)
    }
}

/// Parameters that exclude each other; with `required`, exactly one of them
/// must be given (PowerShell's parameter sets, checked by the engine).
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub params: &'static [&'static str],
    pub required: bool,
}

impl Group {
    pub const fn exactly_one(params: &'static [&'static str]) -> Group {
        Group { params, required: true }
    }
    pub const fn at_most_one(params: &'static [&'static str]) -> Group {
        Group { params, required: false }
    }
}

/// How a command touches the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads only; runs in one snapshot.
    Read,
    /// Changes state; runs in one write transaction with its audit entry.
    Change,
    /// Changes state in many transactions (batches) that it opens itself
    /// through `Ctx::write`; reports progress.
    LongRunning,
}

impl Effect {
    pub fn changes_state(self) -> bool {
        !matches!(self, Effect::Read)
    }
}

/// The shape of a command's output objects.
#[derive(Debug, Clone, Copy)]
pub struct OutputSpec {
    /// PowerShell type name given to each object (format data keys on it).
    pub type_name: &'static str,
    /// Every property, in order.
    pub properties: &'static [&'static str],
    /// The default table view's columns.
    pub table: &'static [&'static str],
}

impl OutputSpec {
    pub const NONE: OutputSpec = OutputSpec { type_name: "", properties: &[], table: &[] };

    pub fn is_none(&self) -> bool {
        self.properties.is_empty()
    }
}

/// One registered command.
pub struct Command {
    pub name: &'static str,
    pub synopsis: &'static str,
    pub side: Side,
    pub effect: Effect,
    pub params: &'static [Param],
    pub groups: &'static [Group],
    pub output: OutputSpec,
    /// Error codes this command can return besides usage errors and store errors.
    pub errors: &'static [ErrorCode],
    /// One example invocation, in CLI syntax without the `ppcmk` prefix.
    pub example: &'static str,
    pub handler: Handler,
}

impl Command {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The verb of `Verb-Noun`.
    pub fn verb(&self) -> &'static str {
        self.name.split('-').next().unwrap_or(self.name)
    }
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every registered command, sorted by name.
pub fn all() -> &'static [&'static Command] {
    static ALL: once_cell::sync::Lazy<Vec<&'static Command>> = once_cell::sync::Lazy::new(|| {
        let mut all: Vec<&'static Command> = crate::commands::ALL.iter().flat_map(|area| area.iter()).collect();
        all.sort_by_key(|c| c.name.to_ascii_lowercase());
        all
    });
    &ALL
}

/// Finds a command by name, case-insensitively.
pub fn find(name: &str) -> Option<&'static Command> {
    all().iter().copied().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// Values of a string `Value` for output; used where objects are built by hand.
pub fn str_value(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_command_is_well_formed() {
        let mut names = HashSet::new();
        for c in all() {
            assert!(names.insert(c.name.to_ascii_lowercase()), "{} registered twice", c.name);
            assert_eq!(c.name.split('-').count(), 2, "{} is not Verb-Noun", c.name);
            assert!(!c.synopsis.is_empty(), "{} has no synopsis", c.name);
            assert!(!c.example.is_empty(), "{} has no example", c.name);
            let mut params = HashSet::new();
            for p in c.params {
                assert!(params.insert(p.name.to_ascii_lowercase()), "{}: -{} twice", c.name, p.name);
                for a in p.aliases {
                    assert!(params.insert(a.to_ascii_lowercase()), "{}: alias {a} clashes", c.name);
                }
                assert!(!p.help.is_empty(), "{} -{} has no help", c.name, p.name);
                assert!(!(p.ty == ParamType::Switch && p.mandatory), "{} -{}: mandatory switch", c.name, p.name);
                assert!(!p.name.eq_ignore_ascii_case("OutputFormat"), "{}: -OutputFormat is common", c.name);
                assert!(!p.path || p.ty == ParamType::String, "{} -{}: only a string can be a path", c.name, p.name);
                let looks_like_path = p.name.ends_with("Path") || p.name.ends_with("File");
                assert!(
                    !(looks_like_path && p.ty == ParamType::String) || p.path,
                    "{} -{} names a file: mark it .path() so that PowerShell resolves it against $PWD",
                    c.name,
                    p.name
                );
            }
            for g in c.groups {
                for name in g.params {
                    let p = c.param(name).unwrap_or_else(|| panic!("{}: group names unknown -{name}", c.name));
                    assert!(!p.mandatory, "{}: -{name} is in a group and mandatory", c.name);
                }
            }
            for col in c.output.table {
                assert!(c.output.properties.contains(col), "{}: table column {col} is not a property", c.name);
            }
            assert_eq!(c.output.is_none(), c.output.type_name.is_empty(), "{}: output type name", c.name);
            let mut positions: Vec<u8> = c.params.iter().filter_map(|p| p.position).collect();
            positions.sort();
            assert!(positions.iter().enumerate().all(|(i, p)| *p as usize == i), "{}: positions", c.name);
        }
    }
}
