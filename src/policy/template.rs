//! Reading an ARM deployment template that creates enterprise policies: the
//! documentation's "Enterprise policy json template", filled in, optionally
//! with a parameter file. Errors name the line (invalid JSON, including the
//! docs' `{placeholders}` left in) or the JSON path of the offending value.
//!
//! Template expressions are evaluated for the functions such templates use:
//! `parameters()`, `variables()`, `resourceGroup()`, `subscription()`,
//! `resourceId()` and `concat()`.

use crate::error::{Error, ErrorCode, Result};
use serde_json::{Map, Value};

/// One enterprise policy a template declares, with every value resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResource {
    /// JSON path of the resource, e.g. `resources[0]`, for error messages.
    pub path: String,
    pub name: String,
    pub location: String,
    pub kind: String,
    pub identity_type: String,
    pub encryption_state: String,
    pub key_vault_id: String,
    pub key_name: String,
    pub key_version: Option<String>,
}

/// What a template expression can refer to.
pub struct Scope<'a> {
    pub subscription_id: &'a str,
    pub resource_group: &'a str,
    pub resource_group_location: &'a str,
}

pub fn template_error(path: &str, message: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidTemplate, format!("{path}: {message}")).with_target(path)
}

/// Parses JSON text; a syntax error names its line, and recognises the
/// documentation's placeholders such as `{keyVaultId}`.
pub fn parse_json(text: &str, what: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        let line_no = e.line();
        let line = text.lines().nth(line_no.saturating_sub(1)).unwrap_or_default();
        if let Some(placeholder) = find_placeholder(line) {
            Error::new(
                ErrorCode::InvalidTemplate,
                format!(
                    "The {what} is not valid JSON: line {line_no} still holds the documentation's placeholder {placeholder}. Replace it with the value in double quotes, e.g. \"name\": \"contoso-cmk-policy\"."
                ),
            )
            .with_target(format!("line {line_no}"))
        } else {
            Error::new(
                ErrorCode::InvalidTemplate,
                format!("The {what} is not valid JSON: line {line_no}, column {}: {e}.", e.column()),
            )
            .with_target(format!("line {line_no}"))
        }
    })
}

/// `{Something}` outside quotes: the docs' way of marking a value to fill in.
/// Linear in the line's length: a hostile line of a million `{` must not
/// take quadratic time (the file may hold 4 MiB).
fn find_placeholder(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    // For each position, the index of the next '}' and of the next '"' at or after it.
    let mut next_close = vec![chars.len(); chars.len() + 1];
    let mut next_quote = vec![chars.len(); chars.len() + 1];
    for i in (0..chars.len()).rev() {
        next_close[i] = if chars[i] == '}' { i } else { next_close[i + 1] };
        next_quote[i] = if chars[i] == '"' { i } else { next_quote[i + 1] };
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in chars.iter().enumerate() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => {
                let end = next_close[i + 1];
                if end < chars.len() && next_quote[i + 1] > end {
                    let inner = &chars[i + 1..end];
                    let first = inner.iter().find(|c| !c.is_whitespace());
                    if first.is_some_and(|c| c.is_alphabetic()) {
                        return Some(format!("{{{}}}", inner.iter().collect::<String>()));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Reads the policies a template declares. `parameter_values` come from a
/// parameter file (`parameters.<name>.value`) and win over defaults.
pub fn read_policies(
    template: &Value,
    parameter_values: &Map<String, Value>,
    scope: &Scope,
) -> Result<Vec<PolicyResource>> {
    let root = template.as_object().ok_or_else(|| template_error("$", "a template is a JSON object"))?;
    let parameters = resolve_parameters(root, parameter_values)?;
    let variables = root.get("variables").and_then(Value::as_object).cloned().unwrap_or_default();
    let ctx = Context { parameters: &parameters, variables: &variables, scope, budget: Budget::default() };
    let resources = root
        .get("resources")
        .and_then(Value::as_array)
        .ok_or_else(|| template_error("resources", "the template declares no resources array"))?;
    if resources.is_empty() {
        return Err(template_error("resources", "the template declares no resources"));
    }
    resources.iter().enumerate().map(|(i, r)| read_policy(r, &format!("resources[{i}]"), &ctx)).collect()
}

fn resolve_parameters(root: &Map<String, Value>, values: &Map<String, Value>) -> Result<Map<String, Value>> {
    let declared = root.get("parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    for name in values.keys() {
        if !declared.keys().any(|d| d.eq_ignore_ascii_case(name)) {
            return Err(template_error(
                &format!("parameters.{name}"),
                "the parameter file sets a parameter the template does not declare",
            ));
        }
    }
    let mut out = Map::new();
    for (name, decl) in &declared {
        let path = format!("parameters.{name}");
        let given = values.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let value = given.or_else(|| decl.get("defaultValue").cloned()).ok_or_else(|| {
            template_error(&path, "the parameter has no value: give it in the parameter file or as defaultValue")
        })?;
        if let Some(allowed) = decl.get("allowedValues").and_then(Value::as_array) {
            if !allowed.contains(&value) {
                return Err(template_error(
                    &path,
                    format!("{value} is not one of the allowed values {}", Value::Array(allowed.clone())),
                ));
            }
        }
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// Reads `{"parameters": {"name": {"value": ...}}}` (a deployment parameter file).
pub fn parameter_file_values(file: &Value) -> Result<Map<String, Value>> {
    let params = file
        .get("parameters")
        .and_then(Value::as_object)
        .ok_or_else(|| template_error("parameters", "a parameter file holds a \"parameters\" object"))?;
    let mut out = Map::new();
    for (name, entry) in params {
        let value = entry
            .get("value")
            .cloned()
            .ok_or_else(|| template_error(&format!("parameters.{name}"), "each parameter needs a \"value\""))?;
        out.insert(name.clone(), value);
    }
    Ok(out)
}

struct Context<'a> {
    parameters: &'a Map<String, Value>,
    variables: &'a Map<String, Value>,
    scope: &'a Scope<'a>,
    budget: Budget,
}

/// Deepest nesting of function calls, counting each `variables()` indirection
/// (a cycle of variables would otherwise recurse until the stack overflows).
pub const MAX_EXPRESSION_DEPTH: usize = 32;
/// Most function calls one template may evaluate.
pub const MAX_FUNCTION_CALLS: usize = 10_000;
/// Most bytes of values the expressions of one template may produce or copy
/// (variables that concatenate each other twice grow exponentially).
pub const MAX_EXPRESSION_BYTES: usize = 16 << 20;

/// What the expressions of one template have used so far, so a hostile
/// template fails with `InvalidTemplate` instead of exhausting the stack,
/// memory or time.
#[derive(Default)]
struct Budget {
    depth: std::cell::Cell<usize>,
    calls: std::cell::Cell<usize>,
    bytes: std::cell::Cell<usize>,
}

/// The bytes a value holds, roughly: what cloning or building it costs.
fn weight(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 1,
        Value::Array(items) => items.iter().map(weight).sum::<usize>() + 1,
        Value::Object(m) => m.iter().map(|(k, v)| k.len() + weight(v)).sum::<usize>() + 1,
        _ => 1,
    }
}

fn member<'v>(obj: &'v Value, name: &str) -> Option<&'v Value> {
    obj.as_object().and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// A string property, with expressions evaluated. `required` errors name the path.
fn string_at(obj: &Value, path: &str, name: &str, ctx: &Context, required: bool) -> Result<Option<String>> {
    let full = format!("{path}.{name}");
    match member(obj, name) {
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(template_error(&full, "a value is required here")),
        Some(v) => match evaluate(v, &full, ctx)? {
            Value::String(s) if !s.trim().is_empty() => Ok(Some(s)),
            Value::String(_) => Err(template_error(&full, "the value is empty")),
            other => Err(template_error(&full, format!("expected a string, found {other}"))),
        },
    }
}

fn read_policy(r: &Value, path: &str, ctx: &Context) -> Result<PolicyResource> {
    let r_type = string_at(r, path, "type", ctx, true)?.unwrap_or_default();
    if !r_type.eq_ignore_ascii_case("Microsoft.PowerPlatform/enterprisePolicies") {
        return Err(template_error(
            &format!("{path}.type"),
            format!("'{r_type}' cannot be deployed here: this template engine deploys Microsoft.PowerPlatform/enterprisePolicies"),
        ));
    }
    let api = string_at(r, path, "apiVersion", ctx, true)?.unwrap_or_default();
    if !matches!(api.as_str(), "2020-10-30" | "2020-10-30-preview") {
        return Err(template_error(
            &format!("{path}.apiVersion"),
            format!("'{api}' is not an API version of enterprise policies; use 2020-10-30"),
        ));
    }
    let kind = string_at(r, path, "kind", ctx, true)?.unwrap_or_default();
    if !kind.eq_ignore_ascii_case("Encryption") {
        return Err(template_error(
            &format!("{path}.kind"),
            format!("'{kind}' policies are not supported; a customer-managed key policy has kind Encryption"),
        ));
    }
    let identity =
        member(r, "identity").ok_or_else(|| template_error(&format!("{path}.identity"), "a value is required here"))?;
    let identity_type = string_at(identity, &format!("{path}.identity"), "type", ctx, true)?.unwrap_or_default();
    if !identity_type.eq_ignore_ascii_case("SystemAssigned") {
        return Err(template_error(
            &format!("{path}.identity.type"),
            format!("'{identity_type}': an encryption policy needs a SystemAssigned identity, which the key vault grants access to"),
        ));
    }
    let props = member(r, "properties")
        .ok_or_else(|| template_error(&format!("{path}.properties"), "a value is required here"))?;
    let enc_path = format!("{path}.properties.encryption");
    let encryption = member(props, "encryption")
        .filter(|v| v.is_object())
        .ok_or_else(|| template_error(&enc_path, "an object is required here"))?;
    let state = string_at(encryption, &enc_path, "state", ctx, false)?.unwrap_or_else(|| "Enabled".into());
    let state = match state.to_ascii_lowercase().as_str() {
        "enabled" => "Enabled",
        "disabled" => "Disabled",
        "notconfigured" => "NotConfigured",
        _ => {
            return Err(template_error(
                &format!("{enc_path}.state"),
                format!("'{state}' is not Enabled, Disabled or NotConfigured"),
            ))
        }
    };
    let kv_path = format!("{enc_path}.keyVault");
    let key_vault = member(encryption, "keyVault")
        .filter(|v| v.is_object())
        .ok_or_else(|| template_error(&kv_path, "an object is required here"))?;
    let key_vault_id = string_at(key_vault, &kv_path, "id", ctx, true)?.unwrap_or_default();
    let key_path = format!("{kv_path}.key");
    let key = member(key_vault, "key")
        .filter(|v| v.is_object())
        .ok_or_else(|| template_error(&key_path, "an object is required here"))?;
    Ok(PolicyResource {
        path: path.to_string(),
        name: string_at(r, path, "name", ctx, true)?.unwrap_or_default(),
        location: string_at(r, path, "location", ctx, true)?.unwrap_or_default(),
        kind: "Encryption".into(),
        identity_type: "SystemAssigned".into(),
        encryption_state: state.into(),
        key_vault_id,
        key_name: string_at(key, &key_path, "name", ctx, true)?.unwrap_or_default(),
        key_version: string_at(key, &key_path, "version", ctx, false)?,
    })
}

// ------------------------------------------------------------- expressions

/// Evaluates a value: strings in `[...]` are template expressions (`[[` escapes a literal `[`).
fn evaluate(v: &Value, path: &str, ctx: &Context) -> Result<Value> {
    match v {
        Value::String(s) if s.starts_with("[[") => Ok(Value::String(s[1..].to_string())),
        Value::String(s) if s.starts_with('[') && s.ends_with(']') => {
            let mut p = ExprParser { chars: s[1..s.len() - 1].chars().collect(), pos: 0, path, ctx };
            let value = p.expression()?;
            p.skip_space();
            if p.pos != p.chars.len() {
                return Err(template_error(path, format!("unexpected text in the expression {s}")));
            }
            Ok(value)
        }
        other => Ok(other.clone()),
    }
}

struct ExprParser<'a, 'c> {
    chars: Vec<char>,
    pos: usize,
    path: &'a str,
    ctx: &'a Context<'c>,
}

impl ExprParser<'_, '_> {
    fn err(&self, message: impl std::fmt::Display) -> Error {
        template_error(self.path, message)
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.chars.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> String {
        self.skip_space();
        let start = self.pos;
        while self.chars.get(self.pos).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn expression(&mut self) -> Result<Value> {
        self.skip_space();
        let mut value = if self.chars.get(self.pos) == Some(&'\'') {
            self.pos += 1;
            let mut s = String::new();
            loop {
                match self.chars.get(self.pos) {
                    None => return Err(self.err("unterminated string in the expression")),
                    Some('\'') if self.chars.get(self.pos + 1) == Some(&'\'') => {
                        s.push('\'');
                        self.pos += 2;
                    }
                    Some('\'') => {
                        self.pos += 1;
                        break;
                    }
                    Some(c) => {
                        s.push(*c);
                        self.pos += 1;
                    }
                }
            }
            Value::String(s)
        } else {
            let name = self.ident();
            if name.is_empty() {
                return Err(self.err("expected a function or a 'string' in the expression"));
            }
            if !self.eat('(') {
                return Err(self.err(format!("'{name}' must be called as {name}(...)")));
            }
            let budget = &self.ctx.budget;
            budget.calls.set(budget.calls.get() + 1);
            if budget.calls.get() > MAX_FUNCTION_CALLS {
                return Err(self.err(format!("the template evaluates more than {MAX_FUNCTION_CALLS} function calls")));
            }
            if budget.depth.get() >= MAX_EXPRESSION_DEPTH {
                return Err(self.err(format!(
                    "the expression nests more than {MAX_EXPRESSION_DEPTH} calls deep, or its variables refer to each other in a cycle"
                )));
            }
            budget.depth.set(budget.depth.get() + 1);
            let value = self.arguments().and_then(|args| self.call(&name, &args));
            budget.depth.set(budget.depth.get() - 1);
            let value = value?;
            budget.bytes.set(budget.bytes.get().saturating_add(weight(&value)));
            if budget.bytes.get() > MAX_EXPRESSION_BYTES {
                return Err(
                    self.err(format!("the template's expressions produce more than {MAX_EXPRESSION_BYTES} bytes"))
                );
            }
            value
        };
        while self.eat('.') {
            let prop = self.ident();
            value = member(&value, &prop)
                .cloned()
                .ok_or_else(|| self.err(format!("the value has no property '{prop}'")))?;
        }
        Ok(value)
    }

    /// The arguments of a call, after its `(`, up to and including its `)`.
    fn arguments(&mut self) -> Result<Vec<Value>> {
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                args.push(self.expression()?);
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return Err(self.err("expected ',' or ')' in the expression"));
                }
            }
        }
        Ok(args)
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value> {
        let text = |i: usize| -> Result<String> {
            args.get(i)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| self.err(format!("{name}() expects a string argument {}", i + 1)))
        };
        let scope = self.ctx.scope;
        match name.to_ascii_lowercase().as_str() {
            "parameters" => {
                let p = text(0)?;
                self.ctx
                    .parameters
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&p))
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| self.err(format!("the template has no parameter '{p}'")))
            }
            "variables" => {
                let v = text(0)?;
                let raw = self
                    .ctx
                    .variables
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&v))
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| self.err(format!("the template has no variable '{v}'")))?;
                evaluate(&raw, &format!("variables.{v}"), self.ctx)
            }
            "resourcegroup" => Ok(serde_json::json!({
                "name": scope.resource_group,
                "location": scope.resource_group_location,
                "id": format!("/subscriptions/{}/resourceGroups/{}", scope.subscription_id, scope.resource_group),
            })),
            "subscription" => Ok(serde_json::json!({
                "subscriptionId": scope.subscription_id,
                "id": format!("/subscriptions/{}", scope.subscription_id),
            })),
            "resourceid" => {
                let parts: Vec<String> = (0..args.len()).map(&text).collect::<Result<_>>()?;
                let (rtype, names) =
                    parts.split_first().ok_or_else(|| self.err("resourceId() needs a resource type and names"))?;
                let types: Vec<&str> = rtype.split('/').collect();
                if types.len() < 2 || types.len() - 1 != names.len() {
                    return Err(
                        self.err(format!("resourceId('{rtype}', ...) needs {} name(s)", types.len().saturating_sub(1)))
                    );
                }
                let mut id = format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/{}",
                    scope.subscription_id, scope.resource_group, types[0]
                );
                for (t, n) in types[1..].iter().zip(names) {
                    id.push_str(&format!("/{t}/{n}"));
                }
                Ok(Value::String(id))
            }
            "concat" => {
                let parts: Vec<String> = (0..args.len()).map(&text).collect::<Result<_>>()?;
                Ok(Value::String(parts.concat()))
            }
            other => Err(self.err(format!("the template function {other}() is not supported here"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCOPE: Scope = Scope { subscription_id: "sub", resource_group: "rg", resource_group_location: "centralus" };

    #[test]
    fn the_docs_placeholders_are_named_with_their_line() {
        let text = "{\n  \"resources\": [ {\n    \"name\": {EnterprisePolicyName},\n  } ]\n}";
        let e = parse_json(text, "template").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTemplate);
        assert!(e.message.contains("line 3") && e.message.contains("{EnterprisePolicyName}"), "{}", e.message);
        let e = parse_json("{\"a\": 1,,}", "template").unwrap_err();
        assert!(e.message.contains("line 1"), "{}", e.message);
        assert_eq!(
            find_placeholder("\"location\": {location where EnterprisePolicy needs to be created},").unwrap(),
            "{location where EnterprisePolicy needs to be created}"
        );
        assert!(find_placeholder("\"name\": \"{not a placeholder}\"").is_none());
    }

    fn policy_template(name: &str) -> Value {
        serde_json::json!({
            "parameters": {"policyName": {"type": "string", "defaultValue": "p1"}, "vault": {"type": "string"}},
            "variables": {"keyName": "cmk"},
            "resources": [{
                "type": "Microsoft.PowerPlatform/enterprisePolicies",
                "apiVersion": "2020-10-30",
                "name": name,
                "location": "unitedstates",
                "kind": "Encryption",
                "identity": {"type": "SystemAssigned"},
                "properties": {"lockbox": null, "encryption": {"state": "Enabled", "keyVault": {
                    "id": "[resourceId('Microsoft.KeyVault/vaults', parameters('vault'))]",
                    "key": {"name": "[variables('keyName')]"}}}, "networkInjection": null}
            }]
        })
    }

    #[test]
    fn expressions_resolve_parameters_variables_and_resource_ids() {
        let mut values = Map::new();
        values.insert("vault".into(), Value::String("kv1".into()));
        let p = read_policies(&policy_template("[parameters('policyName')]"), &values, &SCOPE).unwrap().remove(0);
        assert_eq!(p.name, "p1");
        assert_eq!(p.key_vault_id, "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1");
        assert_eq!(p.key_name, "cmk");
        assert_eq!(p.key_version, None);
        let e = read_policies(&policy_template("x"), &Map::new(), &SCOPE).unwrap_err();
        assert!(e.message.starts_with("parameters.vault:"), "{}", e.message);
        let e = read_policies(&policy_template("[unknownFn()]"), &values, &SCOPE).unwrap_err();
        assert!(e.message.starts_with("resources[0].name:"), "{}", e.message);
    }

    #[test]
    fn hostile_expressions_are_refused_not_a_stack_overflow_or_a_hang() {
        let mut values = Map::new();
        values.insert("vault".into(), Value::String("kv1".into()));
        let mut t = policy_template("[variables('a')]");
        t["variables"] = serde_json::json!({"a": "[variables('b')]", "b": "[concat(variables('a'), 'x')]"});
        let e = read_policies(&t, &values, &SCOPE).unwrap_err();
        assert!(e.code == ErrorCode::InvalidTemplate && e.message.contains("cycle"), "{}", e.message);
        let mut t = policy_template("[variables('v0')]");
        for i in 0..40 {
            t["variables"][format!("v{i}")] =
                Value::String(format!("[concat(variables('v{}'), variables('v{}'))]", i + 1, i + 1));
        }
        t["variables"]["v40"] = Value::String("x".repeat(1000));
        let e = read_policies(&t, &values, &SCOPE).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTemplate, "{}", e.message);
        let deep = format!("[{}'x'{}]", "concat(".repeat(100_000), ")".repeat(100_000));
        let e = read_policies(&policy_template(&deep), &values, &SCOPE).unwrap_err();
        assert!(e.message.contains("32 calls deep"), "{}", e.message);
        let ok = format!("[{}'x'{}]", "concat(".repeat(30), ")".repeat(30));
        assert_eq!(read_policies(&policy_template(&ok), &values, &SCOPE).unwrap()[0].name, "x");
    }

    #[test]
    fn a_line_of_many_braces_is_scanned_in_linear_time() {
        // A quadratic scan of this line would take hours: the test would not finish.
        let line = "{".repeat(1_000_000);
        assert!(find_placeholder(&line).is_none());
        assert_eq!(find_placeholder(&format!("{line}a}}")).as_deref(), Some("{a}"));
    }

    #[test]
    fn wrong_values_name_their_json_path() {
        let mut values = Map::new();
        values.insert("vault".into(), Value::String("kv1".into()));
        let mut t = policy_template("p");
        t["resources"][0]["kind"] = Value::String("Lockbox".into());
        assert!(read_policies(&t, &values, &SCOPE).unwrap_err().message.starts_with("resources[0].kind:"));
        let mut t = policy_template("p");
        t["resources"][0]["identity"]["type"] = Value::String("UserAssigned".into());
        assert!(read_policies(&t, &values, &SCOPE).unwrap_err().message.starts_with("resources[0].identity.type:"));
        let mut t = policy_template("p");
        t["resources"][0]["properties"]["encryption"]["keyVault"]["key"] = serde_json::json!({});
        assert!(read_policies(&t, &values, &SCOPE)
            .unwrap_err()
            .message
            .starts_with("resources[0].properties.encryption.keyVault.key.name:"));
        let mut t = policy_template("p");
        t["resources"][0]["apiVersion"] = Value::String("2019-01-01".into());
        assert!(read_policies(&t, &values, &SCOPE).unwrap_err().message.starts_with("resources[0].apiVersion:"));
    }
}
