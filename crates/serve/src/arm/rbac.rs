//! `Microsoft.Authorization/roleAssignments` at any scope and the built-in
//! `roleDefinitions`: `New-`, `Get-`, `Remove-AzRoleAssignment` and
//! `Get-AzRoleDefinition`, in ARM's shape. Removing the assignment that
//! gives an enterprise policy's identity its key is what locks the
//! environments (the engine's health checks); the route only runs the command.

use super::{bad, created, error, no_route, ok, path, text, Objects, Req, Routed};
use hyper::{Method, StatusCode};
use ppcmk::ErrorCode;
use serde_json::{json, Map, Value};

pub const ASSIGNMENT_VERSIONS: &[&str] = &[
    "2015-07-01",
    "2017-10-01-preview",
    "2018-01-01-preview",
    "2018-09-01-preview",
    "2020-03-01-preview",
    "2020-04-01-preview",
    "2020-08-01-preview",
    "2020-10-01-preview",
    "2022-01-01-preview",
    "2022-04-01",
];

pub const DEFINITION_VERSIONS: &[&str] = &["2015-07-01", "2018-01-01-preview", "2022-04-01", "2022-05-01-preview"];

/// `{scope}/providers/Microsoft.Authorization/...`; `at` indexes `providers`.
pub fn route(r: &Req, at: usize) -> Routed {
    let scope = format!("/{}", r.segs[..at].join("/"));
    let rest: Vec<&str> = r.lower[at + 2..].iter().map(String::as_str).collect();
    if at > 0 {
        let under_subscription = r.lower.first().is_some_and(|s| s == "subscriptions") && at >= 2;
        if !under_subscription {
            return Err(no_route(r));
        }
        if !r.segs[1].eq_ignore_ascii_case(ppcmk::SUBSCRIPTION_ID) {
            return Err(error(
                StatusCode::NOT_FOUND,
                "SubscriptionNotFound",
                &format!("The subscription '{}' could not be found.", r.segs[1]),
            ));
        }
    }
    let name = |i: usize| r.segs[at + 2 + i].as_str();
    match (&r.method, rest.as_slice()) {
        (&Method::GET, ["roleassignments"]) => list_assignments(r, &scope),
        (&Method::GET, ["roleassignments", _]) => {
            r.api(ASSIGNMENT_VERSIONS)?;
            ok(assignment_body(&find(r, &scope, name(1))?.ok_or_else(|| assignment_not_found(name(1)))?))
        }
        (&Method::PUT, ["roleassignments", _]) => put_assignment(r, &scope, name(1)),
        (&Method::DELETE, ["roleassignments", _]) => delete_assignment(r, &scope, name(1)),
        (&Method::GET, ["roledefinitions"]) => list_definitions(r, &scope),
        (&Method::GET, ["roledefinitions", _]) => {
            r.api(DEFINITION_VERSIONS)?;
            let found = r.run("Get-AzRoleDefinition", json!({"Id": name(1)}), "RoleDefinitionDoesNotExist")?;
            let d = found.first().filter(|d| is_arm_role(d)).ok_or_else(|| {
                error(
                    StatusCode::NOT_FOUND,
                    "RoleDefinitionDoesNotExist",
                    &format!("The specified role definition with ID '{}' does not exist.", name(1)),
                )
            })?;
            ok(definition_body(d, &scope))
        }
        _ => Err(no_route(r)),
    }
}

fn assignment_not_found(name: &str) -> crate::Reply {
    error(StatusCode::NOT_FOUND, "RoleAssignmentNotFound", &format!("The role assignment '{name}' is not found."))
}

fn definition_id(guid: &str) -> String {
    format!("/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{guid}", ppcmk::SUBSCRIPTION_ID)
}

fn assignment_body(o: &Map<String, Value>) -> Value {
    let id = text(o, "RoleAssignmentId");
    json!({
        "id": id,
        "name": id.rsplit('/').next(),
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": definition_id(text(o, "RoleDefinitionId")),
            "principalId": o.get("ObjectId"),
            "principalType": o.get("ObjectType"),
            "scope": o.get("Scope"),
            "condition": o.get("Condition"),
            "conditionVersion": o.get("ConditionVersion"),
            "description": o.get("Description"),
            "createdOn": null,
            "updatedOn": null,
            "createdBy": null,
            "updatedBy": null,
            "delegatedManagedIdentityResourceId": null,
        },
    })
}

/// Whether `outer` is `inner` or one of its parents (ARM ids, case-insensitive).
fn covers(outer: &str, inner: &str) -> bool {
    let (o, i) = (outer.trim_end_matches('/').to_ascii_lowercase(), inner.to_ascii_lowercase());
    i == o || i.starts_with(&format!("{o}/")) || o.is_empty()
}

/// The assignments `Get-AzRoleAssignment -Scope` shows at, above and below `scope`.
fn assignments(r: &Req, scope: &str, principal: Option<&str>) -> Result<Objects, crate::Reply> {
    let mut params = Map::new();
    if scope != "/" {
        params.insert("Scope".into(), json!(scope));
    }
    if let Some(p) = principal {
        params.insert("ObjectId".into(), json!(p));
    }
    r.run("Get-AzRoleAssignment", Value::Object(params), "ResourceNotFound")
}

/// The assignment named `name` exactly at `scope`.
fn find(r: &Req, scope: &str, name: &str) -> Result<Option<Map<String, Value>>, crate::Reply> {
    Ok(assignments(r, scope, None)?.into_iter().find(|o| {
        let id = text(o, "RoleAssignmentId");
        id.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case(name))
            && text(o, "Scope").eq_ignore_ascii_case(scope)
    }))
}

/// `$filter`: `atScope()`, `principalId eq '…'`, `assignedTo('…')`, joined by `and`.
fn list_assignments(r: &Req, scope: &str) -> Routed {
    r.api(ASSIGNMENT_VERSIONS)?;
    let (mut at_scope, mut principal) = (false, None::<String>);
    let filter = r.query("$filter").unwrap_or_default();
    for clause in filter.split(" and ").map(str::trim).filter(|c| !c.is_empty()) {
        let quoted = |s: &str| s.trim().strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).map(str::to_string);
        if clause.eq_ignore_ascii_case("atScope()") {
            at_scope = true;
        } else if let Some((_, value)) =
            clause.split_once(" eq ").filter(|(f, _)| f.trim().eq_ignore_ascii_case("principalId"))
        {
            principal = Some(quoted(value).ok_or_else(|| bad(format!("Invalid $filter '{filter}'.")))?);
        } else if let Some(inner) = clause
            .get(..11)
            .filter(|p| p.eq_ignore_ascii_case("assignedTo("))
            .and_then(|_| clause[11..].strip_suffix(')'))
        {
            principal = Some(quoted(inner).ok_or_else(|| bad(format!("Invalid $filter '{filter}'.")))?);
        } else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "InvalidFilterInQueryString",
                &format!("Invalid $filter '{filter}': ppcmk serve answers atScope(), principalId eq '…' and assignedTo('…'), joined by 'and'."),
            ));
        }
    }
    let items: Vec<Value> = assignments(r, scope, principal.as_deref())?
        .iter()
        .filter(|o| !at_scope || covers(text(o, "Scope"), scope))
        .map(assignment_body)
        .collect();
    super::list(items)
}

fn put_assignment(r: &Req, scope: &str, name: &str) -> Routed {
    r.api(ASSIGNMENT_VERSIONS)?;
    let field = |k: &str| path(&r.input, &["properties", k]).and_then(Value::as_str);
    let (Some(role), Some(principal)) = (field("roleDefinitionId"), field("principalId")) else {
        return Err(bad("The request content needs 'properties.roleDefinitionId' and 'properties.principalId'."));
    };
    let role_guid = role.rsplit('/').next().unwrap_or(role);
    if let Some(existing) = find(r, scope, name)? {
        let same = text(&existing, "ObjectId").eq_ignore_ascii_case(principal)
            && text(&existing, "RoleDefinitionId").eq_ignore_ascii_case(role_guid);
        if same {
            return created(assignment_body(&existing), false);
        }
        return Err(error(
            StatusCode::CONFLICT,
            "RoleAssignmentUpdateNotPermitted",
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
        ));
    }
    let mut params = json!({"ObjectId": principal, "RoleDefinitionId": role_guid, "Scope": scope, "Name": name});
    for (k, p) in [("description", "Description"), ("condition", "Condition"), ("conditionVersion", "ConditionVersion")]
    {
        if let Some(v) = field(k) {
            params[p] = json!(v);
        }
    }
    let made = r.state.invoke("New-AzRoleAssignment", params, Some(&r.caller)).map_err(|e| {
        let target = e.target.as_deref().unwrap_or_default();
        match e.code {
            ErrorCode::Conflict | ErrorCode::AlreadyExists => error(
                StatusCode::CONFLICT,
                "RoleAssignmentExists",
                &format!("The role assignment already exists. {}", e.message),
            ),
            ErrorCode::NotFound if target.eq_ignore_ascii_case(principal) || e.message.contains(principal) => error(
                StatusCode::BAD_REQUEST,
                "PrincipalNotFound",
                &format!("Principal {principal} does not exist in the directory {}.", ppcmk::TENANT_ID),
            ),
            ErrorCode::NotFound if e.message.to_ascii_lowercase().contains("role") => error(
                StatusCode::BAD_REQUEST,
                "RoleDefinitionDoesNotExist",
                &format!("The specified role definition with ID '{role_guid}' does not exist."),
            ),
            _ => super::engine_error(&e, "InvalidResourceId"),
        }
    })?;
    let o: Map<String, Value> = made.objects.into_iter().next().map(|o| o.into_iter().collect()).unwrap_or_default();
    created(assignment_body(&o), true)
}

fn delete_assignment(r: &Req, scope: &str, name: &str) -> Routed {
    r.api(ASSIGNMENT_VERSIONS)?;
    let Some(existing) = find(r, scope, name)? else {
        // ARM answers the delete of an assignment that is not there with 204.
        return Ok(crate::http::empty(StatusCode::NO_CONTENT));
    };
    r.run(
        "Remove-AzRoleAssignment",
        json!({
            "ObjectId": text(&existing, "ObjectId"),
            "RoleDefinitionId": text(&existing, "RoleDefinitionId"),
            "Scope": text(&existing, "Scope"),
        }),
        "RoleAssignmentNotFound",
    )?;
    ok(assignment_body(&existing))
}

/// Azure roles only: Managed HSM local roles are not served by ARM.
fn is_arm_role(d: &Map<String, Value>) -> bool {
    d.get("AssignableScopes").and_then(|s| s.get(0)).and_then(Value::as_str) == Some("/")
}

fn definition_body(d: &Map<String, Value>, scope: &str) -> Value {
    let id = text(d, "Id");
    let prefix = if scope == "/" { "" } else { scope };
    json!({
        "id": format!("{prefix}/providers/Microsoft.Authorization/roleDefinitions/{id}"),
        "name": id,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": d.get("Name"),
            "type": "BuiltInRole",
            "description": d.get("Description"),
            "assignableScopes": ["/"],
            "permissions": [{
                "actions": d.get("Actions"),
                "notActions": d.get("NotActions"),
                "dataActions": d.get("DataActions"),
                "notDataActions": d.get("NotDataActions"),
            }],
            "createdOn": null,
            "updatedOn": null,
            "createdBy": null,
            "updatedBy": null,
        },
    })
}

/// `$filter`: `roleName eq '…'` (Get-AzRoleDefinition -Name) or `type eq 'BuiltInRole'`.
fn list_definitions(r: &Req, scope: &str) -> Routed {
    r.api(DEFINITION_VERSIONS)?;
    let mut params = Map::new();
    let filter = r.query("$filter").unwrap_or_default();
    for clause in filter.split(" and ").map(str::trim).filter(|c| !c.is_empty()) {
        let parsed = clause.split_once(" eq ").and_then(|(f, v)| {
            Some((f.trim().to_ascii_lowercase(), v.trim().strip_prefix('\'')?.strip_suffix('\'')?.to_string()))
        });
        match parsed {
            Some((f, v)) if f == "rolename" => {
                params.insert("Name".into(), json!(v));
            }
            Some((f, v)) if f == "type" && v.eq_ignore_ascii_case("BuiltInRole") => {}
            _ => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "InvalidFilterInQueryString",
                    &format!(
                        "Invalid $filter '{filter}': ppcmk serve answers roleName eq '…' and type eq 'BuiltInRole'."
                    ),
                ))
            }
        }
    }
    let found = r.run("Get-AzRoleDefinition", Value::Object(params), "RoleDefinitionDoesNotExist")?;
    super::list(found.iter().filter(|d| is_arm_role(d)).map(|d| definition_body(d, scope)).collect())
}
