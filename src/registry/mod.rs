//! The command registry: every operation as one [`Command`] with a
//! PowerShell-style name, typed parameters and an output shape.
//!
//! The registry is the single source of truth for the three surfaces: the CLI
//! parses arguments against it, the C ABI binds JSON against it, and the
//! PowerShell module, its format data and the cmdlet reference are generated
//! from it. Commands themselves, and the catalogue of them (`all`, `find`),
//! live in `crate::commands`, one file per area: the contract does not know
//! its implementations, as grep-matcher does not know its matchers.

pub mod bind;
pub mod ctx;
pub mod format;
pub mod help;
pub mod objects;

use crate::error::{ErrorCode, Result};
/// The sides a command signs in on belong to the directory; re-exported here,
/// where every command declares its side.
pub use crate::identity::Side;
pub use ctx::{Ctx, Gate};
pub use objects::{Cell, EscapedText, JsonRows, JsonRowsWriter, Objects};
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
    /// Marks a `String` (or `StringArray`: each item) parameter as a file path (see the `path` field).
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
    /// (`Store::write_batch`, one per batch); reports progress.
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

    /// PowerShell's `ConfirmImpact`: `High` for what destroys (remove,
    /// purge, reset), which asks unless `-Force` or `-Confirm:$false`, as
    /// Az's cmdlets do; `Medium` for other changes; `None` for reads.
    pub fn confirm_impact(&self) -> &'static str {
        // Signing out removes nothing that cannot be had back.
        const NOT_DESTRUCTIVE: &[&str] = &["Remove-PowerAppsAccount"];
        // Importing a tenant snapshot replaces the store's tenant (with -Force).
        const DESTRUCTIVE: &[&str] = &["Import-PpCmkTenantSnapshot"];
        if !self.effect.changes_state() {
            "None"
        } else if (matches!(self.verb(), "Remove" | "Reset") && !NOT_DESTRUCTIVE.contains(&self.name))
            || DESTRUCTIVE.contains(&self.name)
        {
            "High"
        } else {
            "Medium"
        }
    }
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Values of a string `Value` for output; used where objects are built by hand.
pub fn str_value(s: impl Into<String>) -> Value {
    Value::String(s.into())
}
