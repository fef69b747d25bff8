//! Data loss prevention policies (the PowerApps administration module's
//! `*-DlpPolicy` names): connectors and desktop-flow action groups are
//! classified Business, Non-business or Blocked; single actions of a group
//! can be allowed or blocked, with a default for actions added later. A flow
//! that mixes Business and Non-business, or uses anything blocked, cannot be
//! created or run; existing flows that a policy change puts in breach are
//! suspended, with the rule named.

use super::desktop::DesktopDefinition;
use super::Flow;
use crate::crypto::new_guid;
use crate::environment::{self, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::Caller;
use crate::store::{Db, DlpPolicyRow, Store};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

pub const ENVIRONMENT_TYPES: &[&str] = &["AllEnvironments", "OnlyEnvironments", "ExceptEnvironments"];
/// Microsoft's names (General = Non-business, Confidential = Business) and ours.
pub const CLASSIFICATIONS: &[&str] = &["General", "Confidential", "Blocked", "Business", "NonBusiness"];
pub const BEHAVIORS: &[&str] = &["Allow", "Block"];

/// Business, NonBusiness or Blocked, from either spelling.
pub fn canonical_classification(c: &str) -> Result<&'static str> {
    match c.to_ascii_lowercase().as_str() {
        "confidential" | "business" => Ok("Business"),
        "general" | "nonbusiness" | "non-business" => Ok("NonBusiness"),
        "blocked" => Ok("Blocked"),
        _ => Err(Error::invalid(format!(
            "Classification '{c}' is not Business (Confidential), NonBusiness (General) or Blocked."
        ))),
    }
}

/// A policy with its JSON columns parsed.
#[derive(Debug, Clone)]
pub struct Policy {
    pub row: DlpPolicyRow,
    pub environments: Vec<String>,
    pub groups: Map<String, Value>,
    pub rules: Map<String, Value>,
}

impl Policy {
    fn from_row(row: DlpPolicyRow) -> Policy {
        let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
        Policy {
            environments: parse(&row.environments)
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            groups: parse(&row.connector_groups).as_object().cloned().unwrap_or_default(),
            rules: parse(&row.action_rules).as_object().cloned().unwrap_or_default(),
            row,
        }
    }

    fn save(&mut self, db: &Db, now: DateTime<Utc>) -> Result<()> {
        self.row.environments = Value::from(self.environments.clone()).to_string();
        self.row.connector_groups = Value::Object(self.groups.clone()).to_string();
        self.row.action_rules = Value::Object(self.rules.clone()).to_string();
        self.row.last_modified_time = now;
        db.upsert_dlp_policy(&self.row)
    }

    pub fn covers(&self, env: &Environment) -> bool {
        let listed = self.environments.iter().any(|e| e.eq_ignore_ascii_case(env.id()));
        match self.row.environment_type.as_str() {
            "OnlyEnvironments" => listed,
            "ExceptEnvironments" => !listed,
            _ => true,
        }
    }

    fn classification(&self, connector: &str) -> String {
        self.groups
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(connector))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or(&self.row.default_classification)
            .to_string()
    }

    /// Allow or Block for one action of a connector (the connector's default
    /// for actions without a rule, Allow when none is set).
    fn action_behavior(&self, connector: &str, action: &str) -> (String, bool) {
        let Some(rules) = self.rules.iter().find(|(k, _)| k.eq_ignore_ascii_case(connector)).map(|(_, v)| v) else {
            return ("Allow".into(), false);
        };
        if let Some(b) =
            rules["actions"].as_object().and_then(|a| a.iter().find(|(k, _)| k.eq_ignore_ascii_case(action)))
        {
            return (b.1.as_str().unwrap_or("Allow").to_string(), true);
        }
        (rules["default"].as_str().unwrap_or("Allow").to_string(), false)
    }
}

/// The (connector or action group, action) pairs a flow uses: a cloud
/// flow's `connector/action` entries, a desktop flow's `Group.Action`
/// actions (built-in ones belong to their group: GetCredential to
/// Credentials, SetVariable to Variables, RunDesktopFlow to FlowControl).
pub fn used_actions(flow: &Flow) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in &flow.definition.actions {
        if let Some((connector, action)) = a.split_once('/') {
            out.push((connector.to_string(), action.to_string()));
        }
    }
    if flow.row.kind == "Desktop" {
        if let Ok(d) = DesktopDefinition::parse(&flow.definition.definition) {
            for a in &d.actions {
                let name = a.get("action").and_then(Value::as_str).unwrap_or_default();
                let pair = match name {
                    "GetCredential" => ("Credentials".to_string(), name.to_string()),
                    "SetVariable" => ("Variables".to_string(), name.to_string()),
                    "RunDesktopFlow" => ("FlowControl".to_string(), name.to_string()),
                    "RunCustomAction" => ("CustomActions".to_string(), name.to_string()),
                    _ => match name.split_once('.') {
                        Some((group, action)) => (group.to_string(), action.to_string()),
                        None => (name.to_string(), name.to_string()),
                    },
                };
                out.push(pair);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What breaks the DLP policies covering the environment, one line per rule.
pub fn violations(db: &Db, env: &Environment, flow: &Flow) -> Result<Vec<String>> {
    let used = used_actions(flow);
    if used.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for p in db.dlp_policies()?.into_iter().map(Policy::from_row).filter(|p| p.covers(env)) {
        let name = &p.row.display_name;
        let mut connectors: Vec<&str> = used.iter().map(|(c, _)| c.as_str()).collect();
        connectors.dedup();
        let mut business = Vec::new();
        let mut non_business = Vec::new();
        for c in connectors {
            match p.classification(c).as_str() {
                "Blocked" => out.push(format!("'{c}' is Blocked by DLP policy '{name}'")),
                "Business" => business.push(c),
                _ => non_business.push(c),
            }
        }
        if !business.is_empty() && !non_business.is_empty() {
            out.push(format!(
                "it mixes Business ({}) and Non-business ({}) connectors under DLP policy '{name}'",
                business.join(", "),
                non_business.join(", ")
            ));
        }
        for (c, a) in &used {
            let (behavior, explicit) = p.action_behavior(c, a);
            if behavior == "Block" {
                out.push(if explicit {
                    format!("action '{a}' of '{c}' is blocked by DLP policy '{name}'")
                } else {
                    format!("action '{a}' of '{c}' is blocked by DLP policy '{name}' (the default for actions without a rule)")
                });
            }
        }
    }
    Ok(out)
}

/// Refuses a flow that breaks a DLP policy (creation, change, run).
pub fn require_compliant(db: &Db, env: &Environment, flow: &Flow) -> Result<()> {
    let v = violations(db, env, flow)?;
    if v.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::DlpPolicyViolation,
        format!("Flow '{}' violates data loss prevention policy: {}.", flow.display_name, v.join("; ")),
    )
    .with_target(flow.row.flow_id.clone()))
}

/// After a policy change: suspends every flow in a covered environment that
/// now breaks a policy. Returns the (environment, flow name, reason) of each.
fn enforce(store: &Store, db: &Db, now: DateTime<Utc>) -> Result<Vec<(String, String, String)>> {
    let mut suspended = Vec::new();
    for row in db.environments()? {
        let env = Environment { row };
        if env.row.state == environment::LOCKED {
            continue;
        }
        let rows = db.flows(env.row.env_key, None)?;
        if rows.is_empty() {
            continue;
        }
        let mut keys = super::Keys::new(store, &env, now);
        for row in rows.into_iter().filter(|r| db.flow_suspension(r.flow_key).ok().flatten().is_none()) {
            let flow = super::open_flow(&mut keys, db, row)?;
            let v = violations(db, &env, &flow)?;
            if !v.is_empty() {
                let reason = format!("Suspended by data loss prevention policy: {}.", v.join("; "));
                db.set_flow_suspension(flow.row.flow_key, Some(&reason))?;
                suspended.push((env.id().to_string(), flow.display_name.clone(), reason));
            }
        }
    }
    Ok(suspended)
}

/// What a policy change did: the policy and the flows it suspended.
pub struct Change {
    pub policy: Policy,
    pub suspended: Vec<(String, String, String)>,
}

fn require_policy_admin(caller: &Caller) -> Result<()> {
    environment::require_admin(caller, "manage data loss prevention policies")
}

fn find(db: &Db, policy_name: &str) -> Result<Policy> {
    let by_name = db.dlp_policy(policy_name.trim())?;
    let by_display = || -> Result<Option<DlpPolicyRow>> {
        Ok(db.dlp_policies()?.into_iter().find(|p| p.display_name.eq_ignore_ascii_case(policy_name.trim())))
    };
    match by_name {
        Some(r) => Ok(Policy::from_row(r)),
        None => by_display()?.map(Policy::from_row).ok_or_else(|| Error::not_found("DLP policy", policy_name)),
    }
}

fn validate_environments(db: &Db, ids: &[String]) -> Result<Vec<String>> {
    ids.iter().map(|id| environment::find(db, id).map(|e| e.id().to_string())).collect()
}

/// `New-DlpPolicy -DisplayName -EnvironmentType [-Environments] [-DefaultConnectorClassification]`.
#[allow(clippy::too_many_arguments)] // the store handles, the caller, the fields and the clock
pub fn create(
    store: &Store,
    db: &Db,
    caller: &Caller,
    display_name: &str,
    environment_type: &str,
    environments: &[String],
    default_classification: &str,
    now: DateTime<Utc>,
) -> Result<Change> {
    require_policy_admin(caller)?;
    if display_name.trim().is_empty() || display_name.chars().count() > 256 {
        return Err(Error::invalid("A DLP policy needs a display name of 1-256 characters."));
    }
    let mut policy = Policy::from_row(DlpPolicyRow {
        policy_name: new_guid(),
        display_name: display_name.trim().to_string(),
        environment_type: environment_type.to_string(),
        environments: "[]".into(),
        default_classification: canonical_classification(default_classification)?.to_string(),
        connector_groups: "{}".into(),
        action_rules: "{}".into(),
        created_by: caller.audit_name().to_string(),
        created_time: now,
        last_modified_time: now,
    });
    policy.environments = validate_environments(db, environments)?;
    policy.save(db, now)?;
    let suspended = enforce(store, db, now)?;
    Ok(Change { policy, suspended })
}

/// What `Set-DlpPolicy` and the connector commands change.
#[derive(Debug, Default)]
pub struct PolicyChange<'a> {
    pub display_name: Option<&'a str>,
    pub environment_type: Option<&'a str>,
    pub environments: Option<&'a [String]>,
    pub default_classification: Option<&'a str>,
    /// (connectors, classification)
    pub classify: Option<(&'a [String], &'a str)>,
    /// (connector, actions, behavior)
    pub action_rule: Option<(&'a str, &'a [String], &'a str)>,
    /// (connector, default behavior for actions without a rule)
    pub default_action_rule: Option<(&'a str, &'a str)>,
}

pub fn update(
    store: &Store,
    db: &Db,
    caller: &Caller,
    policy_name: &str,
    change: &PolicyChange,
    now: DateTime<Utc>,
) -> Result<Change> {
    require_policy_admin(caller)?;
    let mut policy = find(db, policy_name)?;
    if let Some(n) = change.display_name {
        policy.row.display_name = n.trim().to_string();
    }
    if let Some(t) = change.environment_type {
        policy.row.environment_type = t.to_string();
    }
    if let Some(envs) = change.environments {
        policy.environments = validate_environments(db, envs)?;
    }
    if let Some(c) = change.default_classification {
        policy.row.default_classification = canonical_classification(c)?.to_string();
    }
    if let Some((connectors, class)) = change.classify {
        let class = canonical_classification(class)?;
        for c in connectors {
            policy.groups.insert(c.clone(), Value::from(class));
        }
    }
    let rules_of = |policy: &mut Policy, connector: &str| -> Map<String, Value> {
        policy
            .rules
            .get(connector)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| json!({"default": "Allow", "actions": {}}).as_object().cloned().unwrap_or_default())
    };
    if let Some((connector, actions, behavior)) = change.action_rule {
        let mut rules = rules_of(&mut policy, connector);
        let mut map = rules.get("actions").and_then(Value::as_object).cloned().unwrap_or_default();
        for a in actions {
            map.insert(a.clone(), Value::from(behavior));
        }
        rules.insert("actions".into(), Value::Object(map));
        policy.rules.insert(connector.to_string(), Value::Object(rules));
    }
    if let Some((connector, behavior)) = change.default_action_rule {
        let mut rules = rules_of(&mut policy, connector);
        rules.insert("default".into(), Value::from(behavior));
        policy.rules.insert(connector.to_string(), Value::Object(rules));
    }
    policy.save(db, now)?;
    let suspended = enforce(store, db, now)?;
    Ok(Change { policy, suspended })
}

pub fn list(db: &Db, caller: &Caller, policy_name: Option<&str>) -> Result<Vec<Policy>> {
    require_policy_admin(caller)?;
    match policy_name {
        Some(n) => Ok(vec![find(db, n)?]),
        None => Ok(db.dlp_policies()?.into_iter().map(Policy::from_row).collect()),
    }
}

/// `Remove-DlpPolicy`: suspended flows stay suspended until turned on again.
pub fn remove(db: &Db, caller: &Caller, policy_name: &str) -> Result<Policy> {
    require_policy_admin(caller)?;
    let p = find(db, policy_name)?;
    db.delete_dlp_policy(&p.row.policy_name)?;
    Ok(p)
}
