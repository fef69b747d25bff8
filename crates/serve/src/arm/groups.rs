//! The subscription, its resource groups, resource providers, the generic
//! `/resources` listings and template deployments; and the dispatch of the
//! subscription's paths to the resource types.

use super::{bad, created, error, list, member, no_route, ok, policies, text, vaults, Objects, Req, Routed};
use crate::Reply;
use hyper::{Method, StatusCode};
use serde_json::{json, Map, Value};

/// Microsoft.Resources' api-versions (subscriptions, resource groups, providers, resources, deployments).
pub const RESOURCES_VERSIONS: &[&str] = &[
    "2016-06-01",
    "2016-09-01",
    "2018-05-01",
    "2019-05-10",
    "2019-06-01",
    "2019-10-01",
    "2020-01-01",
    "2020-06-01",
    "2020-10-01",
    "2021-01-01",
    "2021-04-01",
    "2022-01-01",
    "2022-09-01",
    "2022-12-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-03-01",
    "2025-04-01",
];

/// The paths under `/subscriptions/{id}` (`l`: their lower-cased segments).
pub fn route(r: &Req, l: &[&str]) -> Routed {
    let m = &r.method;
    let seg = |i: usize| r.segs[i + 2].as_str();
    match (m, l) {
        (&Method::GET, []) => subscriptions(r, Some(seg_or(r, 1))),
        (&Method::GET, ["resourcegroups"]) => list_groups(r),
        (_, ["resourcegroups", _]) => resource_group(r, seg(1)),
        (&Method::GET, ["resourcegroups", _, "resources"]) => generic_list(r, Some(seg(1))),
        (&Method::GET, ["resources"]) => generic_list(r, None),
        (&Method::GET, ["providers"]) => providers(r, None),
        (&Method::GET, ["providers", _]) => providers(r, Some(seg(1))),
        (&Method::POST, ["providers", _, "register"]) => register(r, seg(1)),
        (_, ["providers", "microsoft.keyvault", rest @ ..]) => vaults::subscription_route(r, rest, &r.segs[4..]),
        (&Method::GET, ["providers", "microsoft.powerplatform", "enterprisepolicies"]) => policies::list(r, None),
        (_, ["resourcegroups", _, "providers", "microsoft.keyvault", "vaults", rest @ ..]) => {
            vaults::group_route(r, seg(1), rest.first().map(|_| seg(5)), rest.len() > 1)
        }
        (_, ["resourcegroups", _, "providers", "microsoft.powerplatform", "enterprisepolicies", rest @ ..]) => {
            policies::group_route(r, seg(1), rest.first().map(|_| seg(5)), rest.len() > 1)
        }
        (_, ["resourcegroups", _, "providers", "microsoft.resources", "deployments", _]) => {
            deployment(r, seg(1), seg(5))
        }
        _ => Err(no_route(r)),
    }
}

fn seg_or<'a>(r: &'a Req<'_>, i: usize) -> &'a str {
    r.segs.get(i).map(String::as_str).unwrap_or_default()
}

/// `GET /subscriptions` and `GET /subscriptions/{id}`: the store's subscription, from `Get-AzContext`.
pub fn subscriptions(r: &Req, one: Option<&str>) -> Routed {
    r.api(RESOURCES_VERSIONS)?;
    let context = r.run("Get-AzContext", json!({}), "SubscriptionNotFound")?;
    let c = context.first().cloned().unwrap_or_default();
    let id = text(&c, "SubscriptionId");
    let body = json!({
        "id": format!("/subscriptions/{id}"),
        "subscriptionId": id,
        "tenantId": c.get("TenantId"),
        "displayName": c.get("SubscriptionName"),
        "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "tags": {},
    });
    match one {
        Some(_) => ok(body),
        None => list(vec![body]),
    }
}

fn group_body(o: &Map<String, Value>) -> Value {
    json!({
        "id": o.get("ResourceId"),
        "name": o.get("ResourceGroupName"),
        "type": "Microsoft.Resources/resourceGroups",
        "location": o.get("Location"),
        "tags": {},
        "properties": {"provisioningState": o.get("ProvisioningState")},
    })
}

fn list_groups(r: &Req) -> Routed {
    r.api(RESOURCES_VERSIONS)?;
    list(r.run("Get-AzResourceGroup", json!({}), "ResourceGroupNotFound")?.iter().map(group_body).collect())
}

/// `Central US`, `centralus` and `CentralUS` are one region.
fn same_region(a: &str, b: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    squash(a) == squash(b)
}

fn resource_group(r: &Req, rg: &str) -> Routed {
    r.api(RESOURCES_VERSIONS)?;
    let existing = match r.run("Get-AzResourceGroup", json!({"Name": rg}), "ResourceGroupNotFound") {
        Ok(objects) => objects.into_iter().next(),
        Err(reply) if reply.status() == StatusCode::NOT_FOUND => None,
        Err(reply) => return Err(reply),
    };
    let not_found =
        || error(StatusCode::NOT_FOUND, "ResourceGroupNotFound", &format!("Resource group '{rg}' could not be found."));
    match r.method {
        Method::GET => existing.map(|o| group_body(&o)).map(ok).unwrap_or_else(|| Err(not_found())),
        // HEAD (Test-AzResourceGroup, ResourceGroupCollection.Exists): 204 or 404, no body.
        Method::HEAD => {
            Ok(crate::http::empty(if existing.is_some() { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }))
        }
        Method::PUT => {
            let location = r
                .field("location")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("The request content is missing the required property 'location'."))?;
            match existing {
                Some(o) if same_region(text(&o, "Location"), location) => created(group_body(&o), false),
                Some(o) => Err(error(
                    StatusCode::CONFLICT,
                    "InvalidResourceGroupLocation",
                    &format!(
                        "Invalid resource group location '{location}'. The Resource group already exists in location '{}'.",
                        text(&o, "Location")
                    ),
                )),
                None => {
                    let made = r.run(
                        "New-AzResourceGroup",
                        json!({"Name": rg, "Location": location}),
                        "ResourceGroupNotFound",
                    )?;
                    created(made.first().map(group_body).unwrap_or_default(), true)
                }
            }
        }
        // Synchronous: ARM's 202 + Location ends in 200, which an SDK's poller takes at once.
        Method::DELETE => {
            if existing.is_none() {
                return Err(not_found());
            }
            r.run("Remove-AzResourceGroup", json!({"Name": rg, "Force": true}), "ResourceGroupNotFound")?;
            Ok(crate::http::empty(StatusCode::OK))
        }
        _ => Err(no_route(r)),
    }
}

/// A provider in ARM's shape from `Get-AzResourceProvider`'s objects (one per resource type).
fn provider_body(namespace: &str, objects: &[&Map<String, Value>]) -> Value {
    let state = objects.first().map(|o| text(o, "RegistrationState")).unwrap_or("NotRegistered");
    let types: Vec<Value> = objects
        .iter()
        .map(|o| {
            json!({
                "resourceType": o.get("ResourceTypes").and_then(|t| t.get(0)),
                "locations": o.get("Locations"),
                "apiVersions": o.get("ApiVersions"),
                "capabilities": "None",
            })
        })
        .collect();
    json!({
        "id": format!("/subscriptions/{}/providers/{namespace}", ppcmk::SUBSCRIPTION_ID),
        "namespace": namespace,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types,
    })
}

fn group_providers(objects: &Objects) -> Vec<Value> {
    let mut namespaces: Vec<&str> = Vec::new();
    for o in objects {
        let ns = text(o, "ProviderNamespace");
        if !namespaces.contains(&ns) {
            namespaces.push(ns);
        }
    }
    namespaces
        .iter()
        .map(|ns| {
            let of: Vec<&Map<String, Value>> = objects.iter().filter(|o| text(o, "ProviderNamespace") == *ns).collect();
            provider_body(ns, &of)
        })
        .collect()
}

fn provider_not_found(namespace: &str) -> impl Fn(Reply) -> Reply + '_ {
    move |reply| {
        if reply.status() == StatusCode::NOT_FOUND {
            error(
                StatusCode::NOT_FOUND,
                "InvalidResourceNamespace",
                &format!("The resource namespace '{namespace}' is invalid."),
            )
        } else {
            reply
        }
    }
}

fn providers(r: &Req, one: Option<&str>) -> Routed {
    r.api(RESOURCES_VERSIONS)?;
    match one {
        Some(ns) => {
            let objects = r
                .run("Get-AzResourceProvider", json!({"ProviderNamespace": ns}), "InvalidResourceNamespace")
                .map_err(provider_not_found(ns))?;
            ok(group_providers(&objects).into_iter().next().unwrap_or_default())
        }
        None => list(group_providers(&r.run(
            "Get-AzResourceProvider",
            json!({"ListAvailable": true}),
            "InvalidResourceNamespace",
        )?)),
    }
}

fn register(r: &Req, ns: &str) -> Routed {
    r.api(RESOURCES_VERSIONS)?;
    let objects = r
        .run("Register-AzResourceProvider", json!({"ProviderNamespace": ns}), "InvalidResourceNamespace")
        .map_err(provider_not_found(ns))?;
    ok(group_providers(&objects).into_iter().next().unwrap_or_default())
}

/// ARM's managed identity block from the engine's (`type`, `PrincipalId`, `TenantId`).
pub fn identity(v: Option<&Value>) -> Option<Value> {
    let o = v?.as_object()?;
    Some(json!({
        "type": member(o, "type"),
        "principalId": member(o, "principalId"),
        "tenantId": member(o, "tenantId"),
    }))
}

/// A resource in the generic listing's shape (`GenericResourceData`): no properties, as ARM lists them.
fn generic_body(o: &Map<String, Value>) -> Value {
    let mut body = json!({
        "id": o.get("ResourceId"),
        "name": o.get("Name"),
        "type": o.get("ResourceType"),
        "location": o.get("Location"),
        "tags": {},
    });
    if let Some(kind) = o.get("Kind").filter(|k| !k.is_null()) {
        body["kind"] = kind.clone();
    }
    if let Some(identity) = identity(o.get("Identity")) {
        body["identity"] = identity;
    }
    body
}

/// The `$filter` clauses ARM's `/resources` listing takes that the engine can answer:
/// `resourceType eq '…'` and `name eq '…'`, joined by `and`.
fn resource_filter(filter: &str) -> Result<Map<String, Value>, Reply> {
    let mut params = Map::new();
    for clause in filter.split(" and ").map(str::trim).filter(|c| !c.is_empty()) {
        let parsed = clause.split_once(" eq ").and_then(|(field, value)| {
            let value = value.trim().strip_prefix('\'')?.strip_suffix('\'')?;
            Some((field.trim().to_ascii_lowercase(), value.to_string()))
        });
        match parsed {
            Some((field, value)) if field == "resourcetype" => {
                params.insert("ResourceType".into(), json!(value));
            }
            Some((field, value)) if field == "name" => {
                params.insert("Name".into(), json!(value));
            }
            _ => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "InvalidFilterInQueryString",
                    &format!("Invalid $filter '{filter}': ppcmk serve answers resourceType eq '…' and name eq '…', joined by 'and'."),
                ))
            }
        }
    }
    Ok(params)
}

fn generic_list(r: &Req, rg: Option<&str>) -> Routed {
    r.api(RESOURCES_VERSIONS)?;
    let mut params = resource_filter(r.query("$filter").unwrap_or_default())?;
    if let Some(rg) = rg {
        // ARM answers 404 for the listing of a missing group.
        r.run("Get-AzResourceGroup", json!({"Name": rg}), "ResourceGroupNotFound")?;
        params.insert("ResourceGroupName".into(), json!(rg));
    }
    let mut items: Vec<Value> =
        r.run("Get-AzResource", Value::Object(params), "ResourceNotFound")?.iter().map(generic_body).collect();
    if let Some(top) = r.query("$top").and_then(|t| t.parse::<usize>().ok()) {
        items.truncate(top);
    }
    list(items)
}

/// `PUT …/deployments/{name}` runs `New-AzResourceGroupDeployment` over the
/// template and parameters of the body (written to private files in the
/// serve folder, as the command reads files); `GET` answers from the audit
/// log's record of the deployment, since the engine keeps no other.
fn deployment(r: &Req, rg: &str, name: &str) -> Routed {
    r.api(RESOURCES_VERSIONS)?;
    let id = format!("{}/providers/Microsoft.Resources/deployments/{name}", super::resource_group_id(rg));
    match r.method {
        Method::PUT => deploy(r, rg, name, &id),
        Method::GET => deployment_record(r, rg, name, &id),
        _ => Err(no_route(r)),
    }
}

fn deployment_body(
    id: &str,
    name: &str,
    rg: &str,
    timestamp: &Value,
    resources: &[String],
    parameters: Value,
) -> Value {
    json!({
        "id": id,
        "name": name,
        "type": "Microsoft.Resources/deployments",
        "properties": {
            "provisioningState": "Succeeded",
            "timestamp": timestamp,
            "mode": "Incremental",
            "parameters": parameters,
            "outputs": {},
            "outputResources": resources.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
            "correlationId": ppcmk::crypto::new_guid(),
            "duration": "PT0S",
            "resourceGroup": rg,
        },
    })
}

fn deploy(r: &Req, rg: &str, name: &str, id: &str) -> Routed {
    let properties = r
        .field("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("The request content is missing the required property 'properties'."))?;
    if let Some(mode) = member(properties, "mode").and_then(Value::as_str) {
        if !mode.eq_ignore_ascii_case("Incremental") {
            return Err(bad(format!("The deployment mode '{mode}' is not served: ppcmk deploys in Incremental mode.")));
        }
    }
    if member(properties, "templateLink").is_some() {
        return Err(bad("A templateLink is not served (the server does not fetch URLs): send the template inline."));
    }
    let template = member(properties, "template")
        .filter(|t| t.is_object())
        .ok_or_else(|| bad("The request content is missing the required property 'properties.template'."))?;
    let folder = crate::tls::serve_folder(r.state.store.home()).map_err(|e| super::engine_error(&e, "NotFound"))?;
    let stem = ppcmk::crypto::new_guid();
    let template_path = folder.join(format!("template-{stem}.json"));
    let parameters_path = folder.join(format!("parameters-{stem}.json"));
    let parameters = member(properties, "parameters").cloned().unwrap_or(json!({}));
    let write = |p: &std::path::Path, v: &Value| {
        crate::tls::write_private(p, v.to_string().as_bytes()).map_err(|e| super::engine_error(&e, "NotFound"))
    };
    write(&template_path, template)?;
    let mut params = json!({
        "ResourceGroupName": rg,
        "TemplateFile": template_path.display().to_string(),
        "Name": name,
    });
    if parameters.as_object().is_some_and(|p| !p.is_empty()) {
        write(&parameters_path, &json!({"parameters": parameters}))?;
        params["TemplateParameterFile"] = json!(parameters_path.display().to_string());
    }
    let result = r.run("New-AzResourceGroupDeployment", params, "ResourceGroupNotFound");
    let _ = std::fs::remove_file(&template_path);
    let _ = std::fs::remove_file(&parameters_path);
    let deployed = result?;
    let d = deployed.first().cloned().unwrap_or_default();
    let resources: Vec<String> = d
        .get("OutputResources")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    created(deployment_body(id, name, rg, d.get("Timestamp").unwrap_or(&Value::Null), &resources, parameters), true)
}

fn deployment_record(r: &Req, rg: &str, name: &str, id: &str) -> Routed {
    let entries = r.run("Get-PpCmkAuditLog", json!({}), "DeploymentNotFound")?;
    let prefix = format!("deployment '{name}': ");
    let rg_id = super::resource_group_id(rg);
    let found = entries.iter().rev().find(|e| {
        text(e, "Command") == "New-AzResourceGroupDeployment"
            && text(e, "Target").eq_ignore_ascii_case(&rg_id)
            && text(e, "ErrorCode").is_empty()
            && text(e, "Detail").starts_with(&prefix)
    });
    let Some(e) = found else {
        return Err(missing_deployment(r, rg, name));
    };
    let resources: Vec<String> =
        text(e, "Detail")[prefix.len()..].split(", ").filter(|s| !s.is_empty()).map(str::to_string).collect();
    ok(deployment_body(id, name, rg, e.get("Time").unwrap_or(&Value::Null), &resources, json!({})))
}

fn missing_deployment(r: &Req, rg: &str, name: &str) -> Reply {
    if let Err(reply) = r.run("Get-AzResourceGroup", json!({"Name": rg}), "ResourceGroupNotFound") {
        return reply;
    }
    error(StatusCode::NOT_FOUND, "DeploymentNotFound", &format!("Deployment '{name}' could not be found."))
}
