//! Parameter binding: turns CLI tokens (PowerShell syntax) or a JSON object
//! (C ABI, PowerShell module) into [`Args`], checking names, types, allowed
//! values, ranges, mandatory parameters and exclusive groups in one place,
//! with PowerShell's rules and error wording.

use super::{Command, Param, ParamType};
use crate::error::{Error, ErrorCode, Result};
use crate::time;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Longest accepted string value (1 MiB); longer input is refused, not truncated.
pub const MAX_STRING_BYTES: usize = 1 << 20;
/// Longest accepted hashtable/JSON value (16 MiB).
pub const MAX_JSON_BYTES: usize = 16 << 20;

/// Bound, validated parameters of one command invocation.
#[derive(Debug, Clone)]
pub struct Args {
    command: &'static Command,
    values: Vec<(&'static str, Value)>,
}

impl Args {
    pub fn command(&self) -> &'static Command {
        self.command
    }

    /// The bound value of a parameter, by its declared name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        debug_assert!(
            self.command.param(name).is_some(),
            "{} has no parameter -{name}; the handler asks for the wrong name",
            self.command.name
        );
        self.values.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// A mandatory string parameter (binding guarantees it is present).
    pub fn required(&self, name: &str) -> Result<&str> {
        self.str(name).ok_or_else(|| Error::internal(format!("{}: -{name} was not bound", self.command.name)))
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    /// A switch: true when given (and not given as `:$false`).
    pub fn switch(&self, name: &str) -> bool {
        self.bool(name).unwrap_or(false)
    }

    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        self.get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
    }

    pub fn object(&self, name: &str) -> Option<&Map<String, Value>> {
        self.get(name).and_then(Value::as_object)
    }

    pub fn datetime(&self, name: &str) -> Option<DateTime<Utc>> {
        self.str(name).and_then(time::parse_user_time)
    }

    /// A `Bytes` parameter (bound as base64).
    pub fn bytes(&self, name: &str) -> Option<Vec<u8>> {
        self.str(name).and_then(crate::crypto::from_base64)
    }

    /// The bound parameters as a JSON object (for logging and for re-invoking).
    pub fn to_json(&self) -> Map<String, Value> {
        self.values.iter().map(|(n, v)| (n.to_string(), v.clone())).collect()
    }

    /// Bound parameters in declaration order (for defaults such as the audit target).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.values.iter().map(|(n, v)| (*n, v))
    }
}

/// The output formats of the CLI's common `-OutputFormat` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    List,
    Json,
    Csv,
}

impl OutputFormat {
    pub const NAMES: &'static [&'static str] = &["Table", "List", "Json", "Csv"];

    fn parse(s: &str) -> Option<OutputFormat> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Some(OutputFormat::Table),
            "list" => Some(OutputFormat::List),
            "json" => Some(OutputFormat::Json),
            "csv" => Some(OutputFormat::Csv),
            _ => None,
        }
    }
}

/// The result of binding a command line.
#[derive(Debug)]
pub enum CliBinding {
    /// `-?` was given: print the command's help.
    Help,
    Run {
        args: Args,
        format: Option<OutputFormat>,
    },
}

/// Common parameters every command accepts on the command line.
const OUTPUT_FORMAT: &str = "OutputFormat";

/// A raw value before conversion to the parameter's type.
enum Raw {
    /// A command-line token.
    Text(String),
    /// A JSON value from the C ABI.
    Json(Value),
    /// A switch named without a value.
    Flag,
}

/// Binds command-line tokens (everything after the command name).
pub fn bind_cli(command: &'static Command, tokens: &[String]) -> Result<CliBinding> {
    if tokens.iter().any(|t| t == "-?") {
        return Ok(CliBinding::Help);
    }
    let mut named: Vec<(&'static Param, Raw)> = Vec::new();
    let mut positional: Vec<String> = Vec::new();
    let mut format = None;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        i += 1;
        let Some((name, inline_value)) = parameter_token(token) else {
            positional.push(token.clone());
            continue;
        };
        match resolve_name(command, name, true)? {
            Resolved::OutputFormat => {
                let value = match inline_value {
                    Some(v) => v.to_string(),
                    None => take_value(tokens, &mut i, OUTPUT_FORMAT, "OutputFormat")?,
                };
                if format.is_some() {
                    return Err(already_bound(OUTPUT_FORMAT));
                }
                format = Some(
                    OutputFormat::parse(&value)
                        .ok_or_else(|| not_in_set(OUTPUT_FORMAT, &value, OutputFormat::NAMES))?,
                );
            }
            Resolved::Param(p) => {
                let raw = match (inline_value, p.ty) {
                    (Some(v), _) => Raw::Text(v.to_string()),
                    (None, ParamType::Switch) => Raw::Flag,
                    (None, _) => Raw::Text(take_value(tokens, &mut i, p.name, p.ty.help_name())?),
                };
                named.push((p, raw));
            }
        }
    }
    let mut slots: Vec<&'static Param> = command.params.iter().filter(|p| p.position.is_some()).collect();
    slots.sort_by_key(|p| p.position);
    slots.retain(|p| !named.iter().any(|(n, _)| n.name == p.name));
    let mut slots = slots.into_iter();
    for value in positional {
        let Some(p) = slots.next() else {
            return Err(Error::new(
                ErrorCode::ParameterNotFound,
                format!("A positional parameter cannot be found that accepts argument '{value}'."),
            ));
        };
        named.push((p, Raw::Text(value)));
    }
    // An empty value for a pipeline string counts as not given, as on the JSON
    // path the PowerShell module takes (`-VaultName ''` binds the same both ways).
    named.retain(|(p, raw)| !matches!(raw, Raw::Text(s) if piped_empty(p, &Value::String(s.clone()))));
    Ok(CliBinding::Run { args: finish(command, named)?, format })
}

/// Binds the `parameters` object of a C ABI request.
pub fn bind_json(command: &'static Command, params: &Map<String, Value>) -> Result<Args> {
    let mut named = Vec::with_capacity(params.len());
    for (name, value) in params {
        match resolve_name(command, name, false)? {
            Resolved::Param(p) if piped_empty(p, value) => {}
            Resolved::Param(p) => named.push((p, Raw::Json(value.clone()))),
            Resolved::OutputFormat => unreachable!("not offered for JSON"),
        }
    }
    finish(command, named)
}

/// Whether a value is an empty property that PowerShell's pipeline binding
/// by property name passed along: null (or the empty string PowerShell makes
/// of null for a `[string]` parameter) for an optional string parameter that
/// takes its value from the pipeline. It counts as not given, so that an
/// object of one kind pipes into a command that has a parameter per kind: a
/// managed HSM key (HsmName set, VaultName empty) into `Get-AzKeyVaultKey`.
fn piped_empty(p: &Param, value: &Value) -> bool {
    p.from_pipeline
        && !p.mandatory
        && p.ty == ParamType::String
        && match value {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        }
}

/// `-Name` or `-Name:value` → (name, inline value). A negative number is a value.
fn parameter_token(token: &str) -> Option<(&str, Option<&str>)> {
    let rest = token.strip_prefix('-')?;
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    Some(match rest.split_once(':') {
        Some((name, value)) => (name, Some(value)),
        None => (rest, None),
    })
}

fn take_value(tokens: &[String], i: &mut usize, name: &str, type_name: &str) -> Result<String> {
    match tokens.get(*i) {
        Some(v) if parameter_token(v).is_none() => {
            *i += 1;
            Ok(v.clone())
        }
        _ => Err(Error::new(
            ErrorCode::ParameterBindingFailed,
            format!(
                "Missing an argument for parameter '{name}'. Specify a parameter of type '{type_name}' and try again."
            ),
        )),
    }
}

enum Resolved {
    Param(&'static Param),
    OutputFormat,
}

/// Matches a parameter name as PowerShell does: exact name or alias first
/// (case-insensitive), else an unambiguous prefix.
fn resolve_name(command: &'static Command, given: &str, cli: bool) -> Result<Resolved> {
    let exact = command
        .params
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(given) || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(given)));
    if let Some(p) = exact {
        return Ok(Resolved::Param(p));
    }
    if cli && OUTPUT_FORMAT.eq_ignore_ascii_case(given) {
        return Ok(Resolved::OutputFormat);
    }
    let lower = given.to_ascii_lowercase();
    let mut matches: Vec<(&'static str, Resolved)> = Vec::new();
    for p in command.params {
        if p.name.to_ascii_lowercase().starts_with(&lower)
            || p.aliases.iter().any(|a| a.to_ascii_lowercase().starts_with(&lower))
        {
            matches.push((p.name, Resolved::Param(p)));
        }
    }
    if cli && OUTPUT_FORMAT.to_ascii_lowercase().starts_with(&lower) {
        matches.push((OUTPUT_FORMAT, Resolved::OutputFormat));
    }
    match matches.len() {
        1 => Ok(matches.pop().expect("one match").1),
        0 => Err(Error::new(
            ErrorCode::ParameterNotFound,
            format!("A parameter cannot be found that matches parameter name '{given}' ({}).", command.name),
        )
        .with_target(given)),
        _ => Err(Error::new(
            ErrorCode::AmbiguousParameter,
            format!(
                "Parameter name '{given}' is ambiguous. Possible matches include: {}.",
                matches.iter().map(|(n, _)| format!("-{n}")).collect::<Vec<_>>().join(" ")
            ),
        )
        .with_target(given)),
    }
}

fn already_bound(name: &str) -> Error {
    Error::new(
        ErrorCode::ParameterAlreadyBound,
        format!("Cannot bind parameter because parameter '{name}' is specified more than once."),
    )
    .with_target(name)
}

fn not_in_set(name: &str, value: &str, allowed: &[&str]) -> Error {
    Error::new(
        ErrorCode::ParameterValidationFailed,
        format!(
            "Cannot validate argument on parameter '{name}'. The argument '{value}' does not belong to the set '{}'.",
            allowed.join(",")
        ),
    )
    .with_target(name)
}

/// Converts, validates and checks the whole set.
fn finish(command: &'static Command, named: Vec<(&'static Param, Raw)>) -> Result<Args> {
    let mut values: Vec<(&'static str, Value)> = Vec::with_capacity(named.len());
    for (p, raw) in named {
        if values.iter().any(|(n, _)| *n == p.name) {
            return Err(already_bound(p.name));
        }
        values.push((p.name, convert(p, raw)?));
    }
    let missing: Vec<&str> = command
        .params
        .iter()
        .filter(|p| p.mandatory && !values.iter().any(|(n, _)| *n == p.name))
        .map(|p| p.name)
        .collect();
    if !missing.is_empty() {
        return Err(Error::new(
            ErrorCode::MissingMandatoryParameter,
            format!(
                "{}: missing mandatory parameter{} {}.",
                command.name,
                if missing.len() > 1 { "s" } else { "" },
                missing.iter().map(|m| format!("-{m}")).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_target(missing[0]));
    }
    for group in command.groups {
        let given: Vec<&str> =
            group.params.iter().copied().filter(|g| values.iter().any(|(n, _)| n.eq_ignore_ascii_case(g))).collect();
        if given.len() > 1 {
            return Err(Error::new(
                ErrorCode::ParameterSetConflict,
                format!(
                    "Parameter set cannot be resolved: {} cannot be used together.",
                    given.iter().map(|g| format!("-{g}")).collect::<Vec<_>>().join(" and ")
                ),
            ));
        }
        if group.required && given.is_empty() {
            return Err(Error::new(
                ErrorCode::MissingMandatoryParameter,
                format!(
                    "{}: specify one of {}.",
                    command.name,
                    group.params.iter().map(|g| format!("-{g}")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    // Keep declaration order, so defaults such as the audit target are stable.
    values.sort_by_key(|(n, _)| command.params.iter().position(|p| p.name == *n));
    Ok(Args { command, values })
}

fn binding_failed(p: &Param, shown: &str) -> Error {
    let shown: String = shown.chars().take(80).collect();
    Error::new(
        ErrorCode::ParameterBindingFailed,
        format!("Cannot convert value '{shown}' to type {} for parameter '{}'.", p.ty.help_name(), p.name),
    )
    .with_target(p.name)
}

fn validation_failed(p: &Param, why: &str) -> Error {
    Error::new(
        ErrorCode::ParameterValidationFailed,
        format!("Cannot validate argument on parameter '{}'. {why}", p.name),
    )
    .with_target(p.name)
}

fn convert(p: &Param, raw: Raw) -> Result<Value> {
    let value = match p.ty {
        ParamType::String | ParamType::SecureString => Value::String(to_text(p, raw)?),
        ParamType::Int => Value::from(to_int(p, raw)?),
        ParamType::Bool => Value::Bool(to_bool(p, raw)?),
        ParamType::Switch => Value::Bool(match raw {
            Raw::Flag => true,
            other => to_bool(p, other)?,
        }),
        ParamType::StringArray => Value::Array(to_strings(p, raw)?.into_iter().map(Value::String).collect()),
        ParamType::Hashtable => Value::Object(to_object(p, raw)?),
        ParamType::Bytes => Value::String(crate::crypto::base64(&to_bytes(p, raw)?)),
        ParamType::DateTime => {
            let text = to_text(p, raw)?;
            let t = time::parse_user_time(&text).ok_or_else(|| binding_failed(p, &text))?;
            Value::String(time::to_storage(t))
        }
    };
    validate(p, value)
}

fn to_text(p: &Param, raw: Raw) -> Result<String> {
    let s = match raw {
        Raw::Text(s) => s,
        Raw::Json(Value::String(s)) => s,
        Raw::Json(Value::Number(n)) => n.to_string(),
        Raw::Json(Value::Bool(b)) => b.to_string(),
        Raw::Json(other) => return Err(binding_failed(p, &other.to_string())),
        Raw::Flag => return Err(binding_failed(p, "")),
    };
    check_text(p, &s)?;
    Ok(s)
}

fn check_text(p: &Param, s: &str) -> Result<()> {
    if s.len() > MAX_STRING_BYTES {
        return Err(validation_failed(p, &format!("The argument is longer than {MAX_STRING_BYTES} bytes.")));
    }
    if s.contains('\0') {
        return Err(validation_failed(p, "The argument contains a NUL character."));
    }
    if p.mandatory && s.is_empty() {
        return Err(validation_failed(p, "The argument is an empty string; supply a value."));
    }
    Ok(())
}

/// Base64 (standard or URL-safe, padded or not), or a JSON array of 0–255.
fn to_bytes(p: &Param, raw: Raw) -> Result<Vec<u8>> {
    match raw {
        Raw::Json(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_u64().filter(|n| *n <= 255).map(|n| n as u8).ok_or_else(|| binding_failed(p, &v.to_string())))
            .collect(),
        Raw::Json(Value::String(s)) | Raw::Text(s) => {
            let t = s.trim();
            if t.len() > MAX_STRING_BYTES {
                return Err(validation_failed(p, &format!("The argument is longer than {MAX_STRING_BYTES} bytes.")));
            }
            crate::crypto::from_base64(t).ok_or_else(|| {
                Error::new(
                    ErrorCode::ParameterBindingFailed,
                    format!("Cannot convert the value of parameter '{}' to Byte[]: give the bytes as base64.", p.name),
                )
                .with_target(p.name)
            })
        }
        Raw::Json(other) => Err(binding_failed(p, &other.to_string())),
        Raw::Flag => Err(binding_failed(p, "")),
    }
}

fn to_int(p: &Param, raw: Raw) -> Result<i64> {
    match raw {
        Raw::Json(Value::Number(n)) => n.as_i64().ok_or_else(|| binding_failed(p, &n.to_string())),
        Raw::Json(Value::String(s)) | Raw::Text(s) => s.trim().parse::<i64>().map_err(|_| binding_failed(p, &s)),
        Raw::Json(other) => Err(binding_failed(p, &other.to_string())),
        Raw::Flag => Err(binding_failed(p, "")),
    }
}

fn to_bool(p: &Param, raw: Raw) -> Result<bool> {
    match raw {
        Raw::Json(Value::Bool(b)) => Ok(b),
        Raw::Json(Value::Number(n)) if n.as_i64() == Some(0) => Ok(false),
        Raw::Json(Value::Number(n)) if n.as_i64() == Some(1) => Ok(true),
        Raw::Json(Value::String(s)) | Raw::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "$true" | "true" | "1" => Ok(true),
            "$false" | "false" | "0" => Ok(false),
            _ => Err(binding_failed(p, &s)),
        },
        Raw::Json(other) => Err(binding_failed(p, &other.to_string())),
        Raw::Flag => Ok(true),
    }
}

fn to_strings(p: &Param, raw: Raw) -> Result<Vec<String>> {
    let items = match raw {
        Raw::Text(s) => split_list(&s).ok_or_else(|| binding_failed(p, &s))?,
        Raw::Json(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                other => Err(binding_failed(p, &other.to_string())),
            })
            .collect::<Result<Vec<_>>>()?,
        Raw::Json(Value::String(s)) => vec![s],
        Raw::Json(other) => return Err(binding_failed(p, &other.to_string())),
        Raw::Flag => return Err(binding_failed(p, "")),
    };
    for item in &items {
        check_text(p, item)?;
    }
    Ok(items)
}

fn to_object(p: &Param, raw: Raw) -> Result<Map<String, Value>> {
    let text = match raw {
        // The same limit as for the text form: a C ABI request may be 64 MiB.
        Raw::Json(Value::Object(m)) if json_len(&m) > MAX_JSON_BYTES => {
            return Err(validation_failed(p, &format!("The argument is longer than {MAX_JSON_BYTES} bytes as JSON.")))
        }
        Raw::Json(Value::Object(m)) => return Ok(m),
        Raw::Json(Value::String(s)) | Raw::Text(s) => s,
        Raw::Json(other) => return Err(binding_failed(p, &other.to_string())),
        Raw::Flag => return Err(binding_failed(p, "")),
    };
    if text.len() > MAX_JSON_BYTES {
        return Err(validation_failed(p, &format!("The argument is longer than {MAX_JSON_BYTES} bytes.")));
    }
    let trimmed = text.trim();
    if trimmed.starts_with("@{") {
        return parse_ps_hashtable(trimmed).map_err(|why| {
            Error::new(
                ErrorCode::ParameterBindingFailed,
                format!("Cannot convert the value of parameter '{}' to a hashtable: {why}", p.name),
            )
            .with_target(p.name)
        });
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(binding_failed(p, trimmed)),
        Err(e) => Err(Error::new(
            ErrorCode::ParameterBindingFailed,
            format!(
                "Cannot convert the value of parameter '{}' to a hashtable: not JSON ({e}) and not PowerShell @{{...}}.",
                p.name
            ),
        )
        .with_target(p.name)),
    }
}

/// The length of a value's JSON text, counted without building it.
fn json_len(value: &Map<String, Value>) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail, and a map always serialises.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

fn validate(p: &Param, value: Value) -> Result<Value> {
    if !p.allowed.is_empty() {
        let canonical = |s: &str| -> Result<String> {
            p.allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(s))
                .map(|a| a.to_string())
                .ok_or_else(|| not_in_set(p.name, s, p.allowed))
        };
        return Ok(match value {
            Value::String(s) => Value::String(canonical(&s)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| canonical(v.as_str().unwrap_or_default()).map(Value::String))
                    .collect::<Result<Vec<_>>>()?,
            ),
            other => other,
        });
    }
    if let (Some((low, high)), Some(n)) = (p.range, value.as_i64()) {
        if n < low || n > high {
            return Err(validation_failed(
                p,
                &format!("The {n} argument is outside the range {low}..{high}; supply a value in that range."),
            ));
        }
    }
    Ok(value)
}

/// Splits `a,b,c`, `'a','b'` or `@('a','b')` into items; quotes protect commas.
fn split_list(s: &str) -> Option<Vec<String>> {
    let mut body = s.trim();
    if let Some(inner) = body.strip_prefix("@(").and_then(|b| b.strip_suffix(')')) {
        body = inner;
    }
    let mut lexer = Lexer { chars: body.chars().collect(), pos: 0, depth: 0 };
    let mut items = Vec::new();
    loop {
        lexer.skip_space();
        if lexer.at_end() {
            break;
        }
        items.push(lexer.scalar_text(&[','])?);
        lexer.skip_space();
        if lexer.at_end() {
            break;
        }
        if !lexer.eat(',') {
            return None;
        }
    }
    Some(items)
}

/// Parses a PowerShell hashtable literal: `@{ key = 'value'; n = 3; b = $true }`,
/// with nested `@{}` and `@()` arrays.
pub fn parse_ps_hashtable(s: &str) -> std::result::Result<Map<String, Value>, String> {
    let mut lexer = Lexer { chars: s.chars().collect(), pos: 0, depth: 0 };
    let value = lexer.value()?;
    lexer.skip_space();
    if !lexer.at_end() {
        return Err(format!("unexpected text at character {}", lexer.pos + 1));
    }
    match value {
        Value::Object(m) => Ok(m),
        _ => Err("not a hashtable".into()),
    }
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    /// How many `@{`/`@(` enclose the current position.
    depth: usize,
}

/// Deeper nesting is refused rather than risking the stack on hostile input.
const MAX_NESTING: usize = 64;

impl Lexer {
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(c) if c == ' ' || c == '\t') {
            self.pos += 1;
        }
    }
    fn skip_space_and_separators(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace() || c == ';') {
            self.pos += 1;
        }
    }

    /// A quoted string or a bare word ending at whitespace or a stop character.
    fn scalar_text(&mut self, stops: &[char]) -> Option<String> {
        match self.peek()? {
            '\'' => {
                self.pos += 1;
                let mut out = String::new();
                loop {
                    let c = self.peek()?;
                    self.pos += 1;
                    if c == '\'' {
                        if self.eat('\'') {
                            out.push('\'');
                        } else {
                            return Some(out);
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
            '"' => {
                self.pos += 1;
                let mut out = String::new();
                loop {
                    let c = self.peek()?;
                    self.pos += 1;
                    match c {
                        '"' => return Some(out),
                        '`' => {
                            let e = self.peek()?;
                            self.pos += 1;
                            out.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                'r' => '\r',
                                '0' => '\0',
                                other => other,
                            });
                        }
                        other => out.push(other),
                    }
                }
            }
            _ => {
                let start = self.pos;
                while matches!(self.peek(), Some(c) if !c.is_whitespace() && !stops.contains(&c)) {
                    self.pos += 1;
                }
                (self.pos > start).then(|| self.chars[start..self.pos].iter().collect())
            }
        }
    }

    fn value(&mut self) -> std::result::Result<Value, String> {
        self.skip_space();
        let nested = self.chars[self.pos..].starts_with(&['@', '{']) || self.chars[self.pos..].starts_with(&['@', '(']);
        if !nested {
            return self.scalar_value();
        }
        if self.depth >= MAX_NESTING {
            return Err(format!("nested more than {MAX_NESTING} levels deep"));
        }
        self.depth += 1;
        let value = self.nested_value();
        self.depth -= 1;
        value
    }

    /// A `@{...}` hashtable or `@(...)` array.
    fn nested_value(&mut self) -> std::result::Result<Value, String> {
        if self.chars[self.pos..].starts_with(&['@', '{']) {
            self.pos += 2;
            let mut map = Map::new();
            loop {
                self.skip_space_and_separators();
                if self.eat('}') {
                    return Ok(Value::Object(map));
                }
                let key = self.scalar_text(&['=', ';', '}']).ok_or("expected a key")?;
                self.skip_space();
                if !self.eat('=') {
                    return Err(format!("expected '=' after key '{key}'"));
                }
                let value = self.value()?;
                self.skip_space();
                if !matches!(self.peek(), Some(';') | Some('}') | Some('\n') | Some('\r')) {
                    return Err(format!("expected ';' or '}}' after the value of '{key}'"));
                }
                map.insert(key, value);
            }
        }
        if self.chars[self.pos..].starts_with(&['@', '(']) {
            self.pos += 2;
            let mut items = Vec::new();
            loop {
                self.skip_space_and_separators();
                if self.eat(')') {
                    return Ok(Value::Array(items));
                }
                items.push(self.value()?);
                self.skip_space();
                self.eat(',');
            }
        }
        unreachable!("value() checked for '@{{' or '@('")
    }

    /// A quoted string, `$true`/`$false`/`$null`, a whole number, or a bare word.
    fn scalar_value(&mut self) -> std::result::Result<Value, String> {
        let quoted = matches!(self.peek(), Some('\'') | Some('"'));
        let text = self.scalar_text(&[';', '}', ')', ',']).ok_or("expected a value")?;
        if quoted {
            return Ok(Value::String(text));
        }
        Ok(match text.to_ascii_lowercase().as_str() {
            "$true" => Value::Bool(true),
            "$false" => Value::Bool(false),
            "$null" => Value::Null,
            _ => match text.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => Value::String(text),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}{}", "@{a=".repeat(100_000), "}".repeat(100_000));
        let e = parse_ps_hashtable(&deep).unwrap_err();
        assert!(e.contains("64 levels"), "{e}");
        let ok = format!("{}1{}", "@{a=".repeat(60), "}".repeat(60));
        assert!(parse_ps_hashtable(&ok).is_ok());
    }

    #[test]
    fn hashtable_literal() {
        let m = parse_ps_hashtable("@{Action='Rotate';TimeAfterCreate = \"P18M\"; n=3; b=$true; x=$null}").unwrap();
        assert_eq!(m["Action"], "Rotate");
        assert_eq!(m["TimeAfterCreate"], "P18M");
        assert_eq!(m["n"], 3);
        assert_eq!(m["b"], true);
        assert!(m["x"].is_null());
        let nested = parse_ps_hashtable("@{ a = @{ b = 'it''s' }; l = @('x', 'y') }").unwrap();
        assert_eq!(nested["a"]["b"], "it's");
        assert_eq!(nested["l"], serde_json::json!(["x", "y"]));
        assert!(parse_ps_hashtable("@{a='b'").is_err());
        assert!(parse_ps_hashtable("@{a 'b'}").is_err());
        assert!(parse_ps_hashtable("@{a='b'} junk").is_err());
    }

    #[test]
    fn lists() {
        assert_eq!(split_list("a,b, c").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(split_list("'a,1','b'").unwrap(), vec!["a,1", "b"]);
        assert_eq!(split_list("@('x','y')").unwrap(), vec!["x", "y"]);
        assert_eq!(split_list("").unwrap(), Vec::<String>::new());
        assert!(split_list("'open").is_none());
    }

    use crate::registry::{Effect, Group, OutputSpec, Side};

    fn no_op(_: &mut crate::registry::Ctx, _: &Args) -> Result<Vec<crate::registry::Object>> {
        Ok(vec![])
    }

    static TEST_COMMAND: Command = Command {
        name: "Test-Binding",
        synopsis: "A command for binder tests.",
        side: Side::Engine,
        effect: Effect::Read,
        params: &[
            Param::string("Name").mandatory().at(0).help("n"),
            Param::string("Sku").one_of(&["Standard", "Premium"]).help("s"),
            Param::int("Days").range(-5, 90).help("d"),
            Param::switch("Force").help("f"),
            Param::boolean("Enable").help("e"),
            Param::strings("Tags").alias(&["Labels"]).help("t"),
            Param::hashtable("Settings").help("h"),
            Param::datetime("Expires").help("x"),
            Param::string("ResourceGroupName").pipeline().help("r"),
            Param::string("ResourceName").help("r"),
        ],
        groups: &[Group::at_most_one(&["Sku", "Enable"])],
        output: OutputSpec::NONE,
        errors: &[],
        example: "Test-Binding x",
        handler: no_op,
    };

    fn cli(tokens: &[&str]) -> Result<Args> {
        let tokens: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
        match bind_cli(&TEST_COMMAND, &tokens)? {
            CliBinding::Run { args, .. } => Ok(args),
            CliBinding::Help => panic!("help"),
        }
    }

    fn code(r: Result<Args>) -> ErrorCode {
        r.expect_err("binding should fail").code
    }

    #[test]
    fn powershell_syntax_binds() {
        let a =
            cli(&["-name", "n1", "-SKU", "premium", "-Days", "-5", "-Force", "-Tags", "a,b", "-Settings", "@{k='v'}"])
                .unwrap();
        assert_eq!(a.str("Name"), Some("n1"));
        assert_eq!(a.str("Sku"), Some("Premium"), "ValidateSet values take their declared casing");
        assert_eq!(a.int("Days"), Some(-5), "a negative number is a value");
        assert!(a.switch("Force"));
        assert_eq!(a.strings("Tags").unwrap(), vec!["a", "b"]);
        assert_eq!(a.object("Settings").unwrap()["k"], "v");
        let b = cli(&["pos", "-Force:$false", "-Enable", "$true", "-Labels", "x", "-Expires", "2027-01-01"]).unwrap();
        assert_eq!(b.str("Name"), Some("pos"), "positional binding");
        assert!(!b.switch("Force"), "-Switch:$false");
        assert_eq!(b.bool("Enable"), Some(true));
        assert_eq!(b.strings("Tags").unwrap(), vec!["x"], "alias");
        assert_eq!(b.str("Expires"), Some("2027-01-01T00:00:00.000000Z"));
        let c = cli(&["-N", "x", "-Sett", "{\"a\":1}"]).unwrap();
        assert_eq!(c.str("Name"), Some("x"), "unambiguous prefix");
        assert_eq!(c.object("Settings").unwrap()["a"], 1);
    }

    #[test]
    fn powershell_syntax_refuses() {
        assert_eq!(code(cli(&["-Name", "x", "-Bogus", "1"])), ErrorCode::ParameterNotFound);
        assert_eq!(code(cli(&["-Name", "x", "-Resource", "r"])), ErrorCode::AmbiguousParameter);
        assert_eq!(code(cli(&["-Sku", "Standard"])), ErrorCode::MissingMandatoryParameter);
        assert_eq!(code(cli(&["-Name", "x", "-Sku", "Gold"])), ErrorCode::ParameterValidationFailed);
        assert_eq!(code(cli(&["-Name", "x", "-Days", "91"])), ErrorCode::ParameterValidationFailed);
        assert_eq!(code(cli(&["-Name", "x", "-Days", "99999999999999999999"])), ErrorCode::ParameterBindingFailed);
        assert_eq!(code(cli(&["-Name", "x", "-Days", "ten"])), ErrorCode::ParameterBindingFailed);
        assert_eq!(code(cli(&["-Name", "x", "-Days"])), ErrorCode::ParameterBindingFailed);
        assert_eq!(code(cli(&["-Name", "-Force"])), ErrorCode::ParameterBindingFailed, "missing argument");
        assert_eq!(code(cli(&["-Name", "x", "-Name", "y"])), ErrorCode::ParameterAlreadyBound);
        assert_eq!(code(cli(&["-Name", "x", "-Sku", "Standard", "-Enable", "1"])), ErrorCode::ParameterSetConflict);
        assert_eq!(code(cli(&["-Name", "x", "extra"])), ErrorCode::ParameterNotFound, "no positional slot left");
        assert_eq!(code(cli(&["-Name", ""])), ErrorCode::ParameterValidationFailed, "empty mandatory string");
        assert_eq!(code(cli(&["-Name", "x", "-Settings", "@{a="])), ErrorCode::ParameterBindingFailed);
        assert_eq!(code(cli(&["-Name", "x", "-Expires", "someday"])), ErrorCode::ParameterBindingFailed);
        assert_eq!(code(cli(&["-Name", "x", "-Enable", "maybe"])), ErrorCode::ParameterBindingFailed);
    }

    #[test]
    fn json_binds_with_the_same_rules() {
        let json = |v: serde_json::Value| bind_json(&TEST_COMMAND, v.as_object().unwrap());
        let a =
            json(serde_json::json!({"name": "x", "Days": "7", "Tags": "one", "Force": true, "Settings": {"a": [1]}}))
                .unwrap();
        assert_eq!(a.int("Days"), Some(7));
        assert_eq!(a.strings("Tags").unwrap(), vec!["one"]);
        assert!(a.switch("Force"));
        assert_eq!(code(json(serde_json::json!({"Name": "a\u{0}b"}))), ErrorCode::ParameterValidationFailed);
        assert_eq!(code(json(serde_json::json!({"Name": ["a"]}))), ErrorCode::ParameterBindingFailed);
        assert_eq!(code(json(serde_json::json!({"Name": "x", "Days": 1.5}))), ErrorCode::ParameterBindingFailed);
        assert_eq!(code(json(serde_json::json!({"Name": "x", "OutputFormat": "Json"}))), ErrorCode::ParameterNotFound);
        assert_eq!(code(json(serde_json::json!({"Name": "x", "Settings": [1]}))), ErrorCode::ParameterBindingFailed);
        let long = "x".repeat(MAX_STRING_BYTES + 1);
        assert_eq!(code(json(serde_json::json!({"Name": long}))), ErrorCode::ParameterValidationFailed);
        let big = serde_json::json!({"a": "x".repeat(MAX_JSON_BYTES)});
        assert_eq!(code(json(serde_json::json!({"Name": "x", "Settings": big}))), ErrorCode::ParameterValidationFailed);
        let fits = serde_json::json!({"a": "x".repeat(MAX_JSON_BYTES - 10)});
        assert!(json(serde_json::json!({"Name": "x", "Settings": fits})).is_ok());
    }

    #[test]
    fn empty_piped_properties_count_as_not_given() {
        let json = |v: serde_json::Value| bind_json(&TEST_COMMAND, v.as_object().unwrap());
        for empty in [serde_json::Value::Null, serde_json::json!("")] {
            let a = json(serde_json::json!({"Name": "x", "ResourceGroupName": empty})).unwrap();
            assert!(!a.has("ResourceGroupName"), "{empty}");
        }
        // Only for optional string parameters that take pipeline input.
        assert_eq!(
            code(json(serde_json::json!({"Name": "x", "ResourceName": null}))),
            ErrorCode::ParameterBindingFailed
        );
        assert_eq!(code(json(serde_json::json!({"Name": null}))), ErrorCode::ParameterBindingFailed);
        let a = json(serde_json::json!({"Name": "x", "ResourceName": ""})).unwrap();
        assert_eq!(a.str("ResourceName"), Some(""));
    }

    #[test]
    fn negative_numbers_are_values() {
        assert!(parameter_token("-5").is_none());
        assert_eq!(parameter_token("-Name:x"), Some(("Name", Some("x"))));
        assert_eq!(parameter_token("-Force"), Some(("Force", None)));
    }
}
