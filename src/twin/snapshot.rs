//! Reading a tenant snapshot folder (written by
//! `powershell/examples/Export-PpCmkTenantSnapshot.ps1`; shapes in
//! `docs/twin.md`): every file parsed and checked before anything is
//! written, every error naming the file and the JSON path
//! (`InvalidSnapshot`). Field names are Microsoft's, matched without regard
//! to case as PowerShell does; unknown fields are ignored; a missing optional
//! field gets its documented default and a line in `defaults`.

use crate::error::{Error, ErrorCode, Result};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

/// The snapshot schema versions this build reads.
pub const SCHEMA_VERSIONS: &[i64] = &[1];

pub const MANIFEST: &str = "manifest.json";
pub const ENVIRONMENTS: &str = "environments.json";
pub const FLOWS: &str = "flows.json";
pub const POLICIES: &str = "enterprisePolicies.json";
pub const VAULTS: &str = "keyVaults.json";
pub const KEYS: &str = "keys.json";
pub const ROLE_ASSIGNMENTS: &str = "roleAssignments.json";
pub const DIRECTORY_ROLES: &str = "directoryRoles.json";
pub const SUBSCRIBED_SKUS: &str = "subscribedSkus.json";

/// Microsoft's product string ids (`SkuPartNumber`) of the subscriptions ppcmk
/// models, from "Product names and service plan identifiers for licensing".
pub const SKU_PART_NUMBERS: &[(&str, &str)] = &[
    ("SPE_E5", "Microsoft 365 E5"),
    ("SPE_E3", "Microsoft 365 E3"),
    ("SPE_F1", "Microsoft 365 F3"),
    ("M365EDU_A5_FACULTY", "Microsoft 365 A5"),
    ("M365EDU_A5_STUDENT", "Microsoft 365 A5"),
    ("SPE_E5_USGOV_GCCHIGH", "Microsoft 365 G5"),
    ("ENTERPRISEPREMIUM", "Office 365 E5"),
    ("ENTERPRISEPREMIUM_NOPSTNCONF", "Office 365 E5"),
    ("ENTERPRISEPACK", "Office 365 E3"),
    ("ENTERPRISEPREMIUM_FACULTY", "Office 365 A5"),
    ("ENTERPRISEPREMIUM_GOV", "Office 365 G5"),
    ("INFORMATION_PROTECTION_COMPLIANCE", "Microsoft 365 E5 Compliance"),
    ("M365_F1_COMM", "Microsoft 365 F3"),
    ("POWERAPPS_PER_USER", "Power Apps Premium"),
    ("POWERAUTOMATE_ATTENDED_RPA", "Power Automate Premium"),
];

#[derive(Debug, Clone)]
pub struct Manifest {
    pub schema_version: i64,
    pub exported: DateTime<Utc>,
    pub tenant_id: String,
    pub tenant_domain: Option<String>,
    pub script_version: Option<String>,
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SnapEnvironment {
    pub path: String,
    pub name: String,
    pub display_name: String,
    pub is_default: bool,
    pub location: String,
    pub env_type: String,
    pub has_database: bool,
    pub created: Option<DateTime<Utc>>,
    pub state: String,
    pub key_managed_by: String,
    pub managed: bool,
    pub cmk_policy_id: Option<String>,
    pub database_mb: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct SnapFlow {
    pub path: String,
    pub flow_name: String,
    pub environment: String,
    pub display_name: String,
    pub enabled: bool,
    pub created: Option<DateTime<Utc>>,
    pub trigger: String,
    pub in_solution: bool,
    pub workflow_entity_id: Option<String>,
    pub uses_list_flows_v1: bool,
    pub children: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SnapPolicy {
    pub path: String,
    pub resource_id: String,
    pub name: String,
    pub resource_group: String,
    pub subscription_id: String,
    pub location: String,
    pub principal_id: String,
    pub system_id: Option<String>,
    pub key_vault_id: String,
    pub key_name: String,
    pub key_version: Option<String>,
    pub state: String,
}

#[derive(Debug, Clone)]
pub struct SnapAccessPolicy {
    pub object_id: String,
    pub permissions_to_keys: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SnapVault {
    pub path: String,
    pub name: String,
    pub resource_id: String,
    pub resource_group: String,
    pub subscription_id: String,
    pub location: String,
    pub sku: String,
    pub soft_delete: bool,
    pub purge_protection: bool,
    pub retention_days: i64,
    pub rbac: bool,
    pub public_network_access: String,
    pub access_policies: Vec<SnapAccessPolicy>,
}

#[derive(Debug, Clone)]
pub struct SnapKeyVersion {
    pub path: String,
    pub vault_name: String,
    pub name: String,
    pub version: String,
    pub enabled: bool,
    pub expires: Option<DateTime<Utc>>,
    pub not_before: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub key_type: String,
    pub key_size: usize,
    pub key_ops: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SnapRoleAssignment {
    pub path: String,
    pub assignment_id: String,
    pub scope: String,
    pub role_definition_id: String,
    pub role_definition_name: String,
    pub object_id: String,
    pub object_type: String,
    pub display_name: String,
    pub sign_in_name: Option<String>,
}

/// One subscription of the tenant (`Get-MgSubscribedSku`), as ppcmk names it.
#[derive(Debug, Clone)]
pub struct SnapSku {
    pub sku: String,
    pub units: i64,
}

#[derive(Debug, Clone)]
pub struct SnapRoleMember {
    pub role: String,
    pub object_id: String,
    pub display_name: String,
    pub user_principal_name: Option<String>,
}

/// A whole snapshot, checked.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub manifest: Manifest,
    pub environments: Vec<SnapEnvironment>,
    pub flows: Vec<SnapFlow>,
    pub policies: Vec<SnapPolicy>,
    pub vaults: Vec<SnapVault>,
    pub keys: Vec<SnapKeyVersion>,
    pub role_assignments: Vec<SnapRoleAssignment>,
    pub role_members: Vec<SnapRoleMember>,
    pub skus: Vec<SnapSku>,
    /// What was defaulted, one line each (the import prints them as warnings).
    pub defaults: Vec<String>,
}

/// The error every bad input gets: the file, the JSON path, what is wrong.
pub fn invalid(file: &str, path: &str, message: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidSnapshot, format!("{file}: {path}: {message}")).with_target(file.to_string())
}

/// A JSON value with the file and path it was read from.
#[derive(Clone, Copy)]
struct At<'a> {
    value: &'a Value,
}

struct Reader<'a> {
    file: &'a str,
    defaults: &'a mut Vec<String>,
}

impl<'a> Reader<'a> {
    fn err(&self, path: &str, message: impl std::fmt::Display) -> Error {
        invalid(self.file, path, message)
    }

    /// A field of an object, its name matched without regard to case.
    fn get<'v>(&self, obj: &'v Value, name: &str) -> Option<&'v Value> {
        obj.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v).filter(|v| !v.is_null())
    }

    /// A nested field by a dotted path (`Internal.properties.states`).
    fn dig<'v>(&self, obj: &'v Value, dotted: &str) -> Option<&'v Value> {
        dotted.split('.').try_fold(obj, |v, part| self.get(v, part))
    }

    fn string(&self, obj: &Value, path: &str, dotted: &str) -> Result<String> {
        match self.dig(obj, dotted) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(self.err(&format!("{path}.{dotted}"), "is empty")),
            Some(other) => {
                Err(self.err(&format!("{path}.{dotted}"), format!("expected a string, found {}", kind(other))))
            }
            None => Err(self.err(&format!("{path}.{dotted}"), "is missing")),
        }
    }

    fn opt_string(&self, obj: &Value, path: &str, dotted: &str) -> Result<Option<String>> {
        match self.dig(obj, dotted) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                Err(self.err(&format!("{path}.{dotted}"), format!("expected a string, found {}", kind(other))))
            }
        }
    }

    fn string_or(&mut self, obj: &Value, path: &str, dotted: &str, default: &str) -> Result<String> {
        match self.opt_string(obj, path, dotted)? {
            Some(s) => Ok(s),
            None => {
                self.defaults.push(format!("{}: {path}.{dotted} is missing; defaulted to '{default}'.", self.file));
                Ok(default.to_string())
            }
        }
    }

    fn bool_or(&mut self, obj: &Value, path: &str, dotted: &str, default: bool) -> Result<bool> {
        match self.dig(obj, dotted) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => {
                Err(self.err(&format!("{path}.{dotted}"), format!("expected true or false, found {}", kind(other))))
            }
            None => {
                self.defaults.push(format!("{}: {path}.{dotted} is missing; defaulted to {default}.", self.file));
                Ok(default)
            }
        }
    }

    fn opt_number(&self, obj: &Value, path: &str, dotted: &str) -> Result<Option<f64>> {
        match self.dig(obj, dotted) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| self.err(&format!("{path}.{dotted}"), format!("'{s}' is not a number"))),
            Some(other) => {
                Err(self.err(&format!("{path}.{dotted}"), format!("expected a number, found {}", kind(other))))
            }
        }
    }

    fn opt_time(&self, obj: &Value, path: &str, dotted: &str) -> Result<Option<DateTime<Utc>>> {
        match self.dig(obj, dotted) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => parse_time(s)
                .map(Some)
                .ok_or_else(|| self.err(&format!("{path}.{dotted}"), format!("'{s}' is not a date and time"))),
            // ConvertTo-Json -Depth 20 of a [datetime] in PowerShell 7 with its ETS members.
            Some(v @ Value::Object(_)) => match self.get(v, "value") {
                Some(Value::String(s)) => parse_time(s).map(Some).ok_or_else(|| {
                    self.err(&format!("{path}.{dotted}.value"), format!("'{s}' is not a date and time"))
                }),
                _ => Err(self.err(&format!("{path}.{dotted}"), "expected a date and time")),
            },
            Some(other) => {
                Err(self.err(&format!("{path}.{dotted}"), format!("expected a date and time, found {}", kind(other))))
            }
        }
    }

    fn strings(&self, obj: &Value, path: &str, dotted: &str) -> Result<Vec<String>> {
        match self.dig(obj, dotted) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => {
                        Err(self
                            .err(&format!("{path}.{dotted}[{i}]"), format!("expected a string, found {}", kind(other))))
                    }
                })
                .collect(),
            Some(other) => {
                Err(self.err(&format!("{path}.{dotted}"), format!("expected a list of strings, found {}", kind(other))))
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// RFC 3339, a date-time without zone (UTC), or Windows PowerShell 5.1's
/// `ConvertTo-Json` form `/Date(1700000000000)/`.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(ms) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits: String = ms.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
        return Utc.timestamp_millis_opt(digits.parse().ok()?).single();
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, format) {
            return Some(t.and_utc());
        }
    }
    None
}

fn is_guid(s: &str) -> bool {
    crate::crypto::is_guid(s)
}

/// Reads one file: `None` when an optional file is absent.
fn read_json(folder: &Path, file: &str, required: bool, defaults: &mut Vec<String>) -> Result<Option<Value>> {
    let path = folder.join(file);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            defaults.push(format!("{file} is missing; imported as empty."));
            return Ok(None);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(invalid(file, "$", format!("the file is missing from {}", folder.display())))
        }
        Err(e) => return Err(Error::new(ErrorCode::FileError, format!("Cannot read {}: {e}", path.display()))),
    };
    // ConvertTo-Json | Out-File -Encoding utf8 in Windows PowerShell 5.1 writes a byte order mark.
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(file, "$", format!("is not UTF-8 text ({e})")))?;
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| invalid(file, "$", format!("is not valid JSON (line {}, column {}: {e})", e.line(), e.column())))
}

/// A file's items: `ConvertTo-Json` writes one object, not a list of one.
fn items<'a>(file: &str, value: &'a Value) -> Result<Vec<At<'a>>> {
    match value {
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if v.is_object() {
                    Ok(At { value: v })
                } else {
                    Err(invalid(file, &format!("$[{i}]"), format!("expected an object, found {}", kind(v))))
                }
            })
            .collect(),
        Value::Object(_) => Ok(vec![At { value }]),
        other => Err(invalid(file, "$", format!("expected a list of objects, found {}", kind(other)))),
    }
}

fn item_path(count: usize, i: usize, value: &Value) -> String {
    if count == 1 && value.is_object() {
        "$".into()
    } else {
        format!("$[{i}]")
    }
}

/// Reads and checks a snapshot folder.
pub fn read(folder: &Path) -> Result<Snapshot> {
    if !folder.is_dir() {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!(
                "The snapshot folder {} does not exist (Export-PpCmkTenantSnapshot.ps1 writes one).",
                folder.display()
            ),
        ));
    }
    let mut defaults = Vec::new();
    let manifest_doc = read_json(folder, MANIFEST, true, &mut defaults)?.unwrap_or(Value::Null);
    let manifest = manifest(&manifest_doc, &mut defaults)?;
    let env_doc = read_json(folder, ENVIRONMENTS, true, &mut defaults)?.unwrap_or(Value::Array(vec![]));
    let flow_doc = read_json(folder, FLOWS, false, &mut defaults)?.unwrap_or(Value::Array(vec![]));
    let policy_doc = read_json(folder, POLICIES, false, &mut defaults)?.unwrap_or(Value::Array(vec![]));
    let vault_doc = read_json(folder, VAULTS, false, &mut defaults)?.unwrap_or(Value::Array(vec![]));
    let key_doc = read_json(folder, KEYS, false, &mut defaults)?.unwrap_or(Value::Array(vec![]));
    let ra_doc = read_json(folder, ROLE_ASSIGNMENTS, false, &mut defaults)?.unwrap_or(Value::Array(vec![]));
    let dr_doc = read_json(folder, DIRECTORY_ROLES, false, &mut defaults)?.unwrap_or(Value::Array(vec![]));
    let sku_doc = read_json(folder, SUBSCRIBED_SKUS, false, &mut defaults)?.unwrap_or(Value::Array(vec![]));

    let environments = environments(&env_doc, &mut defaults)?;
    let vaults = vaults(&vault_doc, &mut defaults)?;
    let keys = keys(&key_doc, &mut defaults)?;
    let policies = policies(&policy_doc, &mut defaults)?;
    let flows = flows(&flow_doc, &mut defaults)?;
    let role_assignments = role_assignments(&ra_doc, &mut defaults)?;
    let role_members = role_members(&dr_doc, &mut defaults)?;
    let skus = skus(&sku_doc, &mut defaults)?;
    let snapshot = Snapshot {
        manifest,
        environments,
        flows,
        policies,
        vaults,
        keys,
        role_assignments,
        role_members,
        skus,
        defaults,
    };
    check_links(&snapshot)?;
    Ok(snapshot)
}

fn manifest(doc: &Value, defaults: &mut Vec<String>) -> Result<Manifest> {
    if !doc.is_object() {
        return Err(invalid(MANIFEST, "$", format!("expected an object, found {}", kind(doc))));
    }
    let r = Reader { file: MANIFEST, defaults };
    let schema_version = match r.get(doc, "SchemaVersion") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
        Some(other) => return Err(r.err("$.SchemaVersion", format!("expected a number, found {}", kind(other)))),
        None => return Err(r.err("$.SchemaVersion", "is missing")),
    };
    if !SCHEMA_VERSIONS.contains(&schema_version) {
        return Err(r.err(
            "$.SchemaVersion",
            format!("schema version {schema_version} is unknown to this build (it reads {SCHEMA_VERSIONS:?})"),
        ));
    }
    let exported = r.opt_time(doc, "$", "ExportedTime")?.ok_or_else(|| r.err("$.ExportedTime", "is missing"))?;
    let tenant_id = r.string(doc, "$", "TenantId")?;
    if !is_guid(&tenant_id) {
        return Err(r.err("$.TenantId", format!("'{tenant_id}' is not a GUID")));
    }
    Ok(Manifest {
        schema_version,
        exported,
        tenant_id,
        tenant_domain: r.opt_string(doc, "$", "TenantDomain")?,
        script_version: r.opt_string(doc, "$", "ScriptVersion")?,
        skipped: r.strings(doc, "$", "Skipped")?,
    })
}

/// Get-AdminPowerAppEnvironment objects.
fn environments(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapEnvironment>> {
    let list = items(ENVIRONMENTS, doc)?;
    let mut r = Reader { file: ENVIRONMENTS, defaults };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let name = r.string(v, &p, "EnvironmentName")?;
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(r.err(&format!("{p}.EnvironmentName"), format!("environment '{name}' appears twice")));
        }
        let display_name = r.string(v, &p, "DisplayName")?;
        let is_default = r.bool_or(v, &p, "IsDefault", false)?;
        let location = r.string(v, &p, "Location")?;
        let env_type = r.string_or(v, &p, "EnvironmentType", "Production")?;
        let db_state = r.opt_string(v, &p, "CommonDataServiceDatabaseProvisioningState")?;
        let has_database = db_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Succeeded"));
        let created = r.opt_time(v, &p, "CreatedTime")?;
        let state = r.string_or(v, &p, "Internal.properties.states.management.id", "Ready")?;
        let key_managed_by = r.string_or(v, &p, "Internal.properties.protectionStatus.keyManagedBy", "Microsoft")?;
        if !["Microsoft", "Customer", "CustomerViaMicrosoft"].iter().any(|k| k.eq_ignore_ascii_case(&key_managed_by)) {
            return Err(r.err(
                &format!("{p}.Internal.properties.protectionStatus.keyManagedBy"),
                format!("'{key_managed_by}' is not Microsoft or Customer"),
            ));
        }
        let level = r.opt_string(v, &p, "Internal.properties.governanceConfiguration.protectionLevel")?;
        if level.is_none() {
            r.defaults.push(format!(
                "{ENVIRONMENTS}: {p}.Internal.properties.governanceConfiguration.protectionLevel is missing; defaulted to 'Basic' (not a Managed Environment)."
            ));
        }
        let managed = level.as_deref().is_some_and(|l| l.eq_ignore_ascii_case("Standard"));
        let cmk_policy_id = r.opt_string(v, &p, "Internal.properties.enterprisePolicies.customerManagedKeys.id")?;
        let mut database_mb = None;
        if let Some(Value::Array(caps)) = r.dig(v, "Internal.properties.capacity") {
            for (c, cap) in caps.iter().enumerate() {
                let cp = format!("{p}.Internal.properties.capacity[{c}]");
                if r.opt_string(cap, &cp, "capacityType")?.is_some_and(|t| t.eq_ignore_ascii_case("Database")) {
                    let mb = r.opt_number(cap, &cp, "actualConsumption")?;
                    if mb.is_some_and(|m| !(0.0..=1e9).contains(&m)) {
                        return Err(r.err(&format!("{cp}.actualConsumption"), "is out of range"));
                    }
                    database_mb = mb;
                }
            }
        }
        out.push(SnapEnvironment {
            path: p,
            name,
            display_name,
            is_default,
            location,
            env_type,
            has_database,
            created,
            state,
            key_managed_by,
            managed,
            cmk_policy_id,
            database_mb,
        });
    }
    Ok(out)
}

/// The trigger kind ppcmk models, from the flow's definition summary.
fn trigger_of(r: &Reader, flow: &Value, p: &str) -> Result<Option<String>> {
    let Some(first) = (match r.dig(flow, "Internal.properties.definitionSummary.triggers") {
        Some(Value::Array(t)) => t.first(),
        Some(v @ Value::Object(_)) => Some(v),
        Some(other) => {
            return Err(r.err(
                &format!("{p}.Internal.properties.definitionSummary.triggers"),
                format!("expected a list, found {}", kind(other)),
            ))
        }
        None => None,
    }) else {
        return Ok(None);
    };
    let tp = format!("{p}.Internal.properties.definitionSummary.triggers[0]");
    let ty = r.string(first, &tp, "type")?;
    let kind_ = r.opt_string(first, &tp, "kind")?.unwrap_or_default().to_ascii_lowercase();
    let api = r.opt_string(first, &tp, "api.name")?.unwrap_or_default().to_ascii_lowercase();
    let trigger = match ty.to_ascii_lowercase().as_str() {
        "request" => match kind_.as_str() {
            "http" => "Http",
            "powerapp" => "PowerAppsV1",
            "powerappv2" => "PowerAppsV2",
            "skills" => "CopilotSkill",
            "teams" => "Teams",
            _ => "Manual",
        },
        "recurrence" => "Recurrence",
        _ if api.contains("teams") => "Teams",
        _ => "Automated",
    };
    Ok(Some(trigger.to_string()))
}

/// Child flows a definition calls (`Workflow` actions, nested in scopes).
fn child_flows(r: &Reader, node: &Value, out: &mut Vec<String>) {
    if let Some(actions) = r.get(node, "actions").and_then(Value::as_object) {
        for action in actions.values() {
            if r.get(action, "type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("Workflow")) {
                if let Some(Value::String(child)) = r.dig(action, "inputs.host.workflowReferenceName") {
                    out.push(child.clone());
                }
            }
            child_flows(r, action, out);
            if let Some(Value::Object(cases)) = r.get(action, "cases") {
                for c in cases.values() {
                    child_flows(r, c, out);
                }
            }
            if let Some(e) = r.get(action, "else") {
                child_flows(r, e, out);
            }
            if let Some(d) = r.get(action, "default") {
                child_flows(r, d, out);
            }
        }
    }
}

/// Get-AdminFlow objects.
fn flows(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapFlow>> {
    let list = items(FLOWS, doc)?;
    let mut r = Reader { file: FLOWS, defaults };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let flow_name = r.string(v, &p, "FlowName")?;
        if !seen.insert(flow_name.to_ascii_lowercase()) {
            return Err(r.err(&format!("{p}.FlowName"), format!("flow '{flow_name}' appears twice")));
        }
        let environment = r.string(v, &p, "EnvironmentName")?;
        let display_name = r.string_or(v, &p, "DisplayName", &flow_name)?;
        let enabled = r.bool_or(v, &p, "Enabled", true)?;
        let created = r.opt_time(v, &p, "CreatedTime")?;
        let trigger = match trigger_of(&r, v, &p)? {
            Some(t) => t,
            None => {
                r.defaults.push(format!(
                    "{FLOWS}: {p}.Internal.properties.definitionSummary.triggers is missing; defaulted to an automated trigger."
                ));
                "Automated".into()
            }
        };
        let workflow_entity_id = r.opt_string(v, &p, "Internal.properties.workflowEntityId")?;
        let in_solution = workflow_entity_id.is_some();
        let mut uses_list_flows_v1 = false;
        if let Some(Value::Array(actions)) = r.dig(v, "Internal.properties.definitionSummary.actions") {
            for (a, action) in actions.iter().enumerate() {
                let ap = format!("{p}.Internal.properties.definitionSummary.actions[{a}]");
                let op = r.opt_string(action, &ap, "swaggerOperationId")?.unwrap_or_default();
                let api = r.opt_string(action, &ap, "api.name")?.unwrap_or_default();
                if op.eq_ignore_ascii_case("ListFlowsInEnvironment")
                    && api.to_ascii_lowercase().contains("flowmanagement")
                {
                    uses_list_flows_v1 = true;
                }
            }
        }
        let mut children = Vec::new();
        if let Some(def) = r.dig(v, "Internal.properties.definition") {
            child_flows(&r, def, &mut children);
        }
        out.push(SnapFlow {
            path: p,
            flow_name,
            environment,
            display_name,
            enabled,
            created,
            trigger,
            in_solution,
            workflow_entity_id,
            uses_list_flows_v1,
            children,
        });
    }
    Ok(out)
}

/// The subscription and resource group of an ARM id.
fn arm_parts(r: &Reader, path: &str, id: &str) -> Result<(String, String)> {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    if parts.len() < 4
        || !parts[0].eq_ignore_ascii_case("subscriptions")
        || !parts[2].eq_ignore_ascii_case("resourceGroups")
    {
        return Err(r.err(path, format!("'{id}' is not an ARM resource id (/subscriptions/…/resourceGroups/…)")));
    }
    Ok((parts[1].to_string(), parts[3].to_string()))
}

/// Get-AzResource -ResourceType Microsoft.PowerPlatform/enterprisePolicies -ExpandProperties objects.
fn policies(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapPolicy>> {
    let list = items(POLICIES, doc)?;
    let mut r = Reader { file: POLICIES, defaults };
    let mut out = Vec::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let resource_id = r.string(v, &p, "ResourceId")?;
        let (subscription_id, resource_group) = arm_parts(&r, &format!("{p}.ResourceId"), &resource_id)?;
        let kind_ = r.string_or(v, &p, "Kind", "Encryption")?;
        if !kind_.eq_ignore_ascii_case("Encryption") {
            // Network injection and identity policies have no key: not part of a CMK twin.
            r.defaults.push(format!(
                "{POLICIES}: {p} is a '{kind_}' policy; skipped (only Encryption policies are imported)."
            ));
            continue;
        }
        let principal_id = r.string(v, &p, "Identity.PrincipalId")?;
        if !is_guid(&principal_id) {
            return Err(r.err(&format!("{p}.Identity.PrincipalId"), format!("'{principal_id}' is not a GUID")));
        }
        let key_vault_id = r.string(v, &p, "Properties.encryption.keyVault.id")?;
        arm_parts(&r, &format!("{p}.Properties.encryption.keyVault.id"), &key_vault_id)?;
        out.push(SnapPolicy {
            name: r.string(v, &p, "Name")?,
            location: r.string(v, &p, "Location")?,
            principal_id,
            system_id: r.opt_string(v, &p, "Properties.systemId")?,
            key_name: r.string(v, &p, "Properties.encryption.keyVault.key.name")?,
            key_version: r.opt_string(v, &p, "Properties.encryption.keyVault.key.version")?,
            state: r.string_or(v, &p, "Properties.encryption.state", "Enabled")?,
            key_vault_id,
            resource_id,
            subscription_id,
            resource_group,
            path: p,
        });
    }
    Ok(out)
}

/// Get-AzKeyVault -VaultName objects.
fn vaults(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapVault>> {
    let list = items(VAULTS, doc)?;
    let mut r = Reader { file: VAULTS, defaults };
    let mut out = Vec::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let resource_id = r.string(v, &p, "ResourceId")?;
        let (subscription_id, resource_group) = arm_parts(&r, &format!("{p}.ResourceId"), &resource_id)?;
        let retention = r.opt_number(v, &p, "SoftDeleteRetentionInDays")?;
        let retention_days = match retention {
            Some(d) if (7.0..=90.0).contains(&d) => d as i64,
            Some(d) => {
                return Err(r.err(&format!("{p}.SoftDeleteRetentionInDays"), format!("{d} is not between 7 and 90")))
            }
            None => {
                r.defaults.push(format!("{VAULTS}: {p}.SoftDeleteRetentionInDays is missing; defaulted to 90."));
                90
            }
        };
        let mut access_policies = Vec::new();
        if let Some(list) = r.get(v, "AccessPolicies") {
            let entries: Vec<&Value> = match list {
                Value::Array(a) => a.iter().collect(),
                o @ Value::Object(_) => vec![o],
                other => {
                    return Err(r.err(&format!("{p}.AccessPolicies"), format!("expected a list, found {}", kind(other))))
                }
            };
            for (a, e) in entries.into_iter().enumerate() {
                let ap = format!("{p}.AccessPolicies[{a}]");
                access_policies.push(SnapAccessPolicy {
                    object_id: r.string(e, &ap, "ObjectId")?,
                    permissions_to_keys: r.strings(e, &ap, "PermissionsToKeys")?,
                });
            }
        }
        out.push(SnapVault {
            name: r.string(v, &p, "VaultName")?,
            location: r.string(v, &p, "Location")?,
            sku: r.string_or(v, &p, "Sku", "Standard")?,
            soft_delete: r.bool_or(v, &p, "EnableSoftDelete", true)?,
            purge_protection: r.bool_or(v, &p, "EnablePurgeProtection", false)?,
            rbac: r.bool_or(v, &p, "EnableRbacAuthorization", false)?,
            public_network_access: r.string_or(v, &p, "PublicNetworkAccess", "Enabled")?,
            retention_days,
            access_policies,
            resource_id,
            subscription_id,
            resource_group,
            path: p,
        });
    }
    Ok(out)
}

/// Get-AzKeyVaultKey -VaultName -Name -Version objects, one per version.
fn keys(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapKeyVersion>> {
    let list = items(KEYS, doc)?;
    let mut r = Reader { file: KEYS, defaults };
    let mut out = Vec::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let version = r.string(v, &p, "Version")?;
        if version.len() != 32 || !version.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(r.err(&format!("{p}.Version"), format!("'{version}' is not a key version (32 hex digits)")));
        }
        let created = r.opt_time(v, &p, "Created")?.ok_or_else(|| r.err(&format!("{p}.Created"), "is missing"))?;
        let updated = r.opt_time(v, &p, "Updated")?.unwrap_or(created);
        let key_type = match r.opt_string(v, &p, "Key.Kty")? {
            Some(t) => t,
            None => r.string_or(v, &p, "KeyType", "RSA")?,
        };
        let key_size = match r.opt_number(v, &p, "KeySize")? {
            Some(n) if [2048.0, 3072.0, 4096.0].contains(&n) => n as usize,
            Some(n) => return Err(r.err(&format!("{p}.KeySize"), format!("{n} is not 2048, 3072 or 4096"))),
            None => {
                r.defaults.push(format!("{KEYS}: {p}.KeySize is missing; defaulted to 2048."));
                2048
            }
        };
        let mut key_ops = r.strings(v, &p, "Key.KeyOps")?;
        if key_ops.is_empty() {
            key_ops = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"].map(String::from).to_vec();
        }
        out.push(SnapKeyVersion {
            vault_name: r.string(v, &p, "VaultName")?,
            name: r.string(v, &p, "Name")?,
            enabled: r.bool_or(v, &p, "Enabled", true)?,
            expires: r.opt_time(v, &p, "Expires")?,
            not_before: r.opt_time(v, &p, "NotBefore")?,
            version,
            created,
            updated,
            key_type,
            key_size,
            key_ops,
            path: p,
        });
    }
    out.sort_by_key(|k| k.created);
    Ok(out)
}

/// Get-AzRoleAssignment -Scope objects.
fn role_assignments(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapRoleAssignment>> {
    let list = items(ROLE_ASSIGNMENTS, doc)?;
    let r = Reader { file: ROLE_ASSIGNMENTS, defaults };
    let mut out = Vec::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let assignment = r.string(v, &p, "RoleAssignmentId")?;
        let object_id = r.string(v, &p, "ObjectId")?;
        if !is_guid(&object_id) {
            return Err(r.err(&format!("{p}.ObjectId"), format!("'{object_id}' is not a GUID")));
        }
        let role_definition_id = r.string(v, &p, "RoleDefinitionId")?;
        let role_definition_id = role_definition_id.rsplit('/').next().unwrap_or_default().to_string();
        if !is_guid(&role_definition_id) {
            return Err(r.err(&format!("{p}.RoleDefinitionId"), format!("'{role_definition_id}' is not a GUID")));
        }
        out.push(SnapRoleAssignment {
            assignment_id: assignment.rsplit('/').next().unwrap_or_default().to_string(),
            scope: r.string(v, &p, "Scope")?,
            role_definition_name: r.opt_string(v, &p, "RoleDefinitionName")?.unwrap_or_default(),
            object_type: r.opt_string(v, &p, "ObjectType")?.unwrap_or_else(|| "User".into()),
            display_name: r.opt_string(v, &p, "DisplayName")?.unwrap_or_default(),
            sign_in_name: r.opt_string(v, &p, "SignInName")?,
            role_definition_id,
            object_id,
            path: p,
        });
    }
    Ok(out)
}

/// Get-MgDirectoryRole objects with their members (Get-MgDirectoryRoleMember).
fn role_members(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapRoleMember>> {
    let list = items(DIRECTORY_ROLES, doc)?;
    let r = Reader { file: DIRECTORY_ROLES, defaults };
    let mut out = Vec::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let role = r.string(v, &p, "DisplayName")?;
        let members: Vec<&Value> = match r.get(v, "Members") {
            None => vec![],
            Some(Value::Array(a)) => a.iter().collect(),
            Some(o @ Value::Object(_)) => vec![o],
            Some(other) => {
                return Err(r.err(&format!("{p}.Members"), format!("expected a list, found {}", kind(other))))
            }
        };
        for (m, member) in members.into_iter().enumerate() {
            let mp = format!("{p}.Members[{m}]");
            let object_id = r.string(member, &mp, "Id")?;
            if !is_guid(&object_id) {
                return Err(r.err(&format!("{mp}.Id"), format!("'{object_id}' is not a GUID")));
            }
            out.push(SnapRoleMember {
                role: role.clone(),
                display_name: r
                    .opt_string(member, &mp, "AdditionalProperties.displayName")?
                    .unwrap_or_else(|| object_id.clone()),
                user_principal_name: r.opt_string(member, &mp, "AdditionalProperties.userPrincipalName")?,
                object_id,
            });
        }
    }
    Ok(out)
}

/// Get-MgSubscribedSku objects: `SkuPartNumber` and `PrepaidUnits.Enabled`.
fn skus(doc: &Value, defaults: &mut Vec<String>) -> Result<Vec<SnapSku>> {
    let list = items(SUBSCRIBED_SKUS, doc)?;
    let r = Reader { file: SUBSCRIBED_SKUS, defaults };
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for (i, at) in list.iter().enumerate() {
        let v = at.value;
        let p = item_path(list.len(), i, doc);
        let part = r.string(v, &p, "SkuPartNumber")?;
        let units = r.opt_number(v, &p, "PrepaidUnits.Enabled")?.unwrap_or(0.0);
        if !(0.0..=1e9).contains(&units) {
            return Err(r.err(&format!("{p}.PrepaidUnits.Enabled"), "is out of range"));
        }
        match SKU_PART_NUMBERS.iter().find(|(id, _)| id.eq_ignore_ascii_case(&part)) {
            Some((_, sku)) if units >= 1.0 => out.push(SnapSku { sku: sku.to_string(), units: units as i64 }),
            Some(_) => {}
            None => unknown.push(part),
        }
    }
    if !unknown.is_empty() {
        r.defaults.push(format!(
            "{SUBSCRIBED_SKUS}: subscriptions ppcmk does not model were skipped: {}.",
            unknown.join(", ")
        ));
    }
    Ok(out)
}

/// Links between files: a flow's environment, an environment's policy, a
/// policy's vault, a key's vault.
fn check_links(s: &Snapshot) -> Result<()> {
    let envs: HashSet<String> = s.environments.iter().map(|e| e.name.to_ascii_lowercase()).collect();
    for f in &s.flows {
        if !envs.contains(&f.environment.to_ascii_lowercase()) {
            return Err(invalid(
                FLOWS,
                &format!("{}.EnvironmentName", f.path),
                format!("flow '{}' names environment '{}', which is not in {ENVIRONMENTS}", f.flow_name, f.environment),
            ));
        }
    }
    let policies: HashSet<String> = s.policies.iter().map(|p| p.resource_id.to_ascii_lowercase()).collect();
    for e in &s.environments {
        if let Some(id) = &e.cmk_policy_id {
            if !policies.contains(&id.to_ascii_lowercase()) {
                return Err(invalid(
                    ENVIRONMENTS,
                    &format!("{}.Internal.properties.enterprisePolicies.customerManagedKeys.id", e.path),
                    format!("environment '{}' is linked to policy '{id}', which is not in {POLICIES}", e.name),
                ));
            }
        }
    }
    let vaults: HashSet<String> = s.vaults.iter().map(|v| v.resource_id.to_ascii_lowercase()).collect();
    let vault_names: HashSet<String> = s.vaults.iter().map(|v| v.name.to_ascii_lowercase()).collect();
    for p in &s.policies {
        if !vaults.contains(&p.key_vault_id.to_ascii_lowercase()) {
            return Err(invalid(
                POLICIES,
                &format!("{}.Properties.encryption.keyVault.id", p.path),
                format!("policy '{}' names key vault '{}', which is not in {VAULTS}", p.name, p.key_vault_id),
            ));
        }
    }
    for k in &s.keys {
        if !vault_names.contains(&k.vault_name.to_ascii_lowercase()) {
            return Err(invalid(
                KEYS,
                &format!("{}.VaultName", k.path),
                format!("key '{}' is in vault '{}', which is not in {VAULTS}", k.name, k.vault_name),
            ));
        }
    }
    Ok(())
}
