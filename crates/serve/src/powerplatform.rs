//! The Power Platform admin API (BAP) on the management host: environments
//! in the raw shape the admin module reads, and the enterprise-policy link
//! and unlink as long-running operations (202, `operation-location`,
//! `Retry-After`, polled to `Succeeded` or `Failed`).

#![allow(clippy::result_large_err)] // a route fails with the reply it sends

use crate::http;
use crate::{Reply, State};
use hyper::header::HeaderValue;
use hyper::{Method, StatusCode};
use ppcmk::{Error, ErrorCode};
use serde_json::{json, Map, Value};

const BAP: &str = "/providers/microsoft.businessappplatform";

/// ARM's and BAP's error shape: `{"error":{"code","message"}}`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    http::json(status, &json!({"error": {"code": code, "message": message}}))
}

pub fn engine_error(e: &Error) -> Reply {
    let status = match e.code {
        ErrorCode::NotSignedIn => StatusCode::UNAUTHORIZED,
        c if c.is_denial() => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict
        | ErrorCode::AlreadyExists
        | ErrorCode::OperationInProgress
        | ErrorCode::EnvironmentLocked => StatusCode::CONFLICT,
        ErrorCode::StoreBusy | ErrorCode::ServiceUnavailable => {
            let mut reply = error(StatusCode::SERVICE_UNAVAILABLE, e.code.as_str(), &e.message);
            reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from(e.retry_after.unwrap_or(1)));
            return reply;
        }
        ErrorCode::LimitExceeded => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal | ErrorCode::StoreError | ErrorCode::FileError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    error(status, e.code.as_str(), &e.message)
}

const FLOW: &str = "/providers/microsoft.processsimple";

/// Whether `path` (lower case) is a BAP or Flow route.
pub fn is_bap(lower_path: &str) -> bool {
    lower_path.starts_with(BAP) || lower_path.starts_with(FLOW)
}

/// Runs a BAP route as `caller`. Blocking.
pub fn route(
    state: &State,
    caller: &str,
    method: &Method,
    path: &str,
    exclude: Option<&str>,
    input: &Map<String, Value>,
) -> Reply {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    if l.get(1) == Some(&"microsoft.processsimple") {
        let result = match (method, &l[2..]) {
            (&Method::GET, ["scopes", "admin", "environments", _, "v2", "flows"]) => {
                flows(state, caller, segs[5], None)
            }
            (&Method::GET, ["scopes", "admin", "environments", _, "v2", "flows", _]) => {
                flows(state, caller, segs[5], Some(segs[8]))
            }
            (&Method::GET, ["scopes", "admin", "environments", _, "noncmkmigratedflows"]) => {
                let cannot = exclude.is_some_and(|e| e.eq_ignore_ascii_case("cmkMigrationSupportedFlows"));
                microsoft_key_flows(state, caller, segs[5], cannot)
            }
            (&Method::GET, ["environments", _, "cmkstatus"]) => cmk_status(state, caller, segs[3]),
            _ => Err(error(
                StatusCode::NOT_FOUND,
                "NotFound",
                &format!("No route {method} {path} in the Flow admin API of ppcmk serve."),
            )),
        };
        return match result {
            Ok(reply) | Err(reply) => reply,
        };
    }
    let result = match (method, &l[2..]) {
        (&Method::GET, ["scopes", "admin", "environments"]) => list(state, caller),
        (&Method::GET, ["scopes", "admin", "environments", _]) | (&Method::GET, ["environments", _]) => {
            get(state, caller, segs[segs.len() - 1])
        }
        (&Method::POST, ["environments", _, "enterprisepolicies", "encryption", verb @ ("link" | "unlink")]) => {
            link(state, caller, segs[3], *verb == "link", input)
        }
        (&Method::GET, ["environments", _, "operations", _]) => operation(state, caller, segs[5]),
        _ => Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("No route {method} {path} in the Power Platform admin API of ppcmk serve."),
        )),
    };
    match result {
        Ok(reply) | Err(reply) => reply,
    }
}

fn run(state: &State, caller: &str, command: &str, params: Value) -> Result<Vec<Map<String, Value>>, Reply> {
    state
        .invoke(command, params, Some(caller))
        .map(|o| o.objects.into_iter().map(|o| o.into_iter().collect()).collect())
        .map_err(|e| engine_error(&e))
}

fn text<'a>(o: &'a Map<String, Value>, k: &str) -> &'a str {
    o.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// An environment as BAP returns it (the fields the admin module's
/// `CreateEnvironmentObject` and the enterprise-policy scripts read).
fn environment(o: &Map<String, Value>) -> Value {
    let name = text(o, "EnvironmentName");
    let state = text(o, "State");
    let runtime = match state {
        "Ready" => "Enabled",
        "Disabled" | "Locked" => "Disabled",
        other => other,
    };
    let mut properties = json!({
        "tenantId": ppcmk::TENANT_ID,
        "azureRegion": o.get("Location"),
        "displayName": o.get("DisplayName"),
        "description": "",
        "createdTime": o.get("CreatedTime"),
        "createdBy": {"userPrincipalName": o.get("CreatedBy")},
        "lastModifiedTime": o.get("CreatedTime"),
        "provisioningState": "Succeeded",
        "creationType": "User",
        "environmentSku": o.get("EnvironmentType"),
        "isDefault": o.get("IsDefault"),
        // The admin module passes it to XmlConvert.ToTimeSpan, which throws on an empty value.
        "retentionDetails": {"retentionPeriod": "P7D", "backupsAvailableFromDateTime": o.get("CreatedTime")},
        "states": {
            "management": {"id": if state == "Ready" { "Ready" } else { "NotSpecified" }},
            "runtime": {"id": runtime, "runtimeReasonCode": o.get("StateReason").filter(|v| !v.is_null()).cloned().unwrap_or(json!("NotSpecified"))},
        },
        "protectionStatus": {"keyManagedBy": o.get("KeyManagedBy")},
        "governanceConfiguration": {"protectionLevel": if o.get("IsManaged") == Some(&json!(true)) { "Standard" } else { "Basic" }},
        "linkedEnvironmentMetadata": {
            "type": "Dynamics365Instance",
            "resourceId": name,
            "provisioningState": o.get("CommonDataServiceDatabaseProvisioningState"),
        },
        "encryptionStatus": o.get("EncryptionStatus"),
    });
    if let Some(policy) = o.get("EnterprisePolicyId").and_then(Value::as_str).filter(|p| !p.is_empty()) {
        properties["enterprisePolicies"] = json!({"customerManagedKeys": {"id": policy, "linkStatus": "Linked"}});
    }
    json!({
        "id": format!("/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{name}"),
        "type": "Microsoft.BusinessAppPlatform/scopes/environments",
        "location": o.get("Location"),
        "name": name,
        "properties": properties,
    })
}

fn list(state: &State, caller: &str) -> Result<Reply, Reply> {
    let objects = run(state, caller, "Get-AdminPowerAppEnvironment", json!({}))?;
    Ok(http::json(StatusCode::OK, &json!({"value": objects.iter().map(environment).collect::<Vec<_>>()})))
}

fn get(state: &State, caller: &str, name: &str) -> Result<Reply, Reply> {
    let params = if name == "~default" { json!({"Default": true}) } else { json!({"EnvironmentName": name}) };
    let objects = run(state, caller, "Get-AdminPowerAppEnvironment", params)?;
    let o = objects.first().ok_or_else(|| {
        error(StatusCode::NOT_FOUND, "EnvironmentNotFound", &format!("The environment '{name}' could not be found."))
    })?;
    Ok(http::json(StatusCode::OK, &environment(o)))
}

/// Link or unlink: the policy named by its `SystemId`, the engine's add or
/// remove run to its end, and 202 with where to poll its operation.
fn link(state: &State, caller: &str, env: &str, add: bool, input: &Map<String, Value>) -> Result<Reply, Reply> {
    let system_id =
        input.iter().find(|(k, _)| k.eq_ignore_ascii_case("systemId")).and_then(|(_, v)| v.as_str()).ok_or_else(
            || {
                error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestContent",
                    "The body needs \"SystemId\", the enterprise policy's properties.systemId.",
                )
            },
        )?;
    let policies = run(state, caller, "Get-PpCmkEnterprisePolicy", json!({}))?;
    let policy = policies.iter().find(|p| text(p, "SystemId").eq_ignore_ascii_case(system_id)).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "EnterprisePolicyNotFound",
            &format!("No enterprise policy the caller can read has the systemId '{system_id}'."),
        )
    })?;
    let command =
        if add { "Add-PpCmkEnvironmentToEnterprisePolicy" } else { "Remove-PpCmkEnvironmentFromEnterprisePolicy" };
    let params = json!({"EnvironmentName": env, "PolicyArmId": text(policy, "ResourceId")});
    let ops = run(state, caller, command, params)?;
    let op = ops
        .first()
        .ok_or_else(|| error(StatusCode::INTERNAL_SERVER_ERROR, "Internal", "The operation returned nothing."))?;
    let location = format!(
        "https://localhost:{}/providers/Microsoft.BusinessAppPlatform/environments/{env}/operations/{}?api-version=2019-10-01",
        state.port,
        text(op, "OperationId")
    );
    let mut reply = http::empty(StatusCode::ACCEPTED);
    if let Ok(v) = HeaderValue::from_str(&location) {
        reply.headers_mut().insert("operation-location", v);
    }
    reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    Ok(reply)
}

fn operation(state: &State, caller: &str, id: &str) -> Result<Reply, Reply> {
    let ops = run(state, caller, "Get-PpCmkOperation", json!({"OperationId": id}))?;
    let op = ops
        .first()
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "OperationNotFound", &format!("No operation '{id}'.")))?;
    let mut body = json!({"id": id, "state": {"id": op.get("State")}});
    if text(op, "State") == "Failed" {
        body["error"] = json!({"code": op.get("ErrorCode"), "message": op.get("ErrorMessage")});
    }
    let mut reply = http::json(StatusCode::OK, &body);
    if matches!(text(op, "State"), "NotStarted" | "Running") {
        reply.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    Ok(reply)
}

/// A flow as the Flow admin API returns it (what `CreateFlowObject` reads).
fn flow(o: &Map<String, Value>) -> Value {
    let (env, name) = (text(o, "EnvironmentName"), text(o, "FlowName"));
    json!({
        "name": name,
        "id": format!("/providers/Microsoft.ProcessSimple/environments/{env}/flows/{name}"),
        "type": "Microsoft.ProcessSimple/environments/flows",
        "properties": {
            "displayName": o.get("DisplayName"),
            "state": if o.get("Enabled") == Some(&json!(true)) { "Started" } else { "Stopped" },
            "userType": "Owner",
            "createdTime": o.get("CreatedTime"),
            "lastModifiedTime": o.get("LastModifiedTime"),
            "creator": {"tenantId": ppcmk::TENANT_ID, "userPrincipalName": o.get("CreatedBy"), "userType": "ActiveDirectory"},
            "environment": {"name": env, "id": format!("/providers/Microsoft.ProcessSimple/environments/{env}")},
            "definitionSummary": {"triggers": [{"type": o.get("Trigger")}]},
            "flowSuspensionReason": o.get("SuspensionReason"),
            "keyManagedBy": o.get("KeyManagedBy"),
        },
    })
}

fn flows(state: &State, caller: &str, env: &str, one: Option<&str>) -> Result<Reply, Reply> {
    let mut params = json!({"EnvironmentName": env});
    if let Some(f) = one {
        params["FlowName"] = json!(f);
    }
    let objects = run(state, caller, "Get-AdminFlow", params)?;
    match one {
        Some(name) => {
            let o = objects.first().ok_or_else(|| {
                error(StatusCode::NOT_FOUND, "FlowNotFound", &format!("The flow '{name}' could not be found."))
            })?;
            Ok(http::json(StatusCode::OK, &flow(o)))
        }
        None => Ok(http::json(StatusCode::OK, &json!({"value": objects.iter().map(flow).collect::<Vec<_>>()}))),
    }
}

fn microsoft_key_flows(state: &State, caller: &str, env: &str, cannot_migrate: bool) -> Result<Reply, Reply> {
    let mut params = json!({"EnvironmentName": env});
    if cannot_migrate {
        params["ListCannotMigrateToCustomerManagedKey"] = json!(true);
    }
    let objects = run(state, caller, "Get-AdminFlowEncryptedByMicrosoftKey", params)?;
    let value: Vec<Value> = objects
        .iter()
        .map(|o| {
            let name = text(o, "FlowName");
            json!({
                "name": name,
                "id": format!("/providers/Microsoft.ProcessSimple/environments/{env}/flows/{name}"),
                "properties": {
                    "displayName": o.get("DisplayName"),
                    "environment": {"name": env},
                    "reason": o.get("Reason"),
                    "reasonDetail": o.get("ReasonDetail"),
                    "childFlowName": o.get("ChildFlowName"),
                },
            })
        })
        .collect();
    Ok(http::json(StatusCode::OK, &json!({"value": value})))
}

/// The response's shape is not documented (REST.md §6): the command's
/// properties, camel-cased, under the environment's name.
fn cmk_status(state: &State, caller: &str, env: &str) -> Result<Reply, Reply> {
    let objects = run(state, caller, "Get-AdminFlowEnvironmentCmkStatus", json!({"EnvironmentName": env}))?;
    let o = objects.first().ok_or_else(|| {
        error(StatusCode::NOT_FOUND, "EnvironmentNotFound", &format!("The environment '{env}' could not be found."))
    })?;
    let camel: Map<String, Value> = o
        .iter()
        .map(|(k, v)| {
            let mut c = k.clone();
            if let Some(first) = c.get(..1).map(str::to_ascii_lowercase) {
                c.replace_range(..1, &first);
            }
            (c, v.clone())
        })
        .collect();
    Ok(http::json(StatusCode::OK, &Value::Object(camel)))
}
