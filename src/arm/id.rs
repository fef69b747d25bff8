//! ARM resource ids and scopes: parsing and printing
//! `/subscriptions/{s}[/resourceGroups/{rg}][/providers/{ns}/{type}/{name}...]`,
//! and whether a scope names something that exists. A leaf of the resource
//! manager: the directory's role assignments build on it, while the rest of
//! `arm` (resource groups, providers, locations) reads the directory.

use crate::crypto::is_guid;
use crate::error::{Error, ErrorCode, Result};
use crate::store::Db;
use std::fmt;

/// A parsed ARM resource id (or scope):
/// `/subscriptions/{s}[/resourceGroups/{rg}][/providers/{ns}/{type}/{name}[/{type}/{name}]...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmId {
    pub subscription_id: String,
    pub resource_group: Option<String>,
    pub namespace: Option<String>,
    /// (type, name) pairs from the outermost resource to the innermost child.
    pub segments: Vec<(String, String)>,
}

impl ArmId {
    /// Parses and validates an id. A malformed id is `InvalidArgument` with the
    /// expected form in the message.
    pub fn parse(id: &str) -> Result<ArmId> {
        let bad = |why: &str| {
            Error::invalid(format!(
                "Invalid resource ID '{id}': {why}. Expected /subscriptions/{{subscriptionId}}[/resourceGroups/{{resourceGroup}}[/providers/{{namespace}}/{{type}}/{{name}}]]."
            ))
            .with_target(id)
        };
        if id.len() > 4096 || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(bad("it contains whitespace or control characters, or is too long"));
        }
        if id.len() > 1 && id.ends_with('/') {
            return Err(bad("a resource ID cannot have a trailing slash"));
        }
        let Some(rest) = id.strip_prefix('/') else {
            return Err(bad("it must start with '/'"));
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(bad("it has an empty segment"));
        }
        if parts.len() < 2 || !parts[0].eq_ignore_ascii_case("subscriptions") {
            return Err(bad("it must start with /subscriptions/{subscriptionId}"));
        }
        if !is_guid(parts[1]) {
            return Err(bad("the subscription id must be a GUID"));
        }
        let mut out =
            ArmId { subscription_id: parts[1].to_string(), resource_group: None, namespace: None, segments: vec![] };
        let mut i = 2;
        if i < parts.len() && parts[i].eq_ignore_ascii_case("resourceGroups") {
            let Some(rg) = parts.get(i + 1) else {
                return Err(bad("the resource group name is missing"));
            };
            out.resource_group = Some(rg.to_string());
            i += 2;
        }
        if i < parts.len() {
            if !parts[i].eq_ignore_ascii_case("providers") {
                return Err(bad(&format!("expected 'providers' where it says '{}'", parts[i])));
            }
            let Some(ns) = parts.get(i + 1) else {
                return Err(bad("the provider namespace is missing"));
            };
            out.namespace = Some(ns.to_string());
            let pairs = &parts[i + 2..];
            if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
                return Err(bad("a resource needs a type and a name after the provider namespace"));
            }
            out.segments = pairs.chunks(2).map(|c| (c[0].to_string(), c[1].to_string())).collect();
        }
        Ok(out)
    }

    pub fn is_subscription(&self) -> bool {
        self.resource_group.is_none() && self.namespace.is_none()
    }

    pub fn is_resource_group(&self) -> bool {
        self.resource_group.is_some() && self.namespace.is_none()
    }

    /// `Namespace/type[/childType...]`, e.g. `Microsoft.KeyVault/vaults/keys`.
    pub fn resource_type(&self) -> Option<String> {
        let ns = self.namespace.as_ref()?;
        let types: Vec<&str> = self.segments.iter().map(|(t, _)| t.as_str()).collect();
        Some(format!("{ns}/{}", types.join("/")))
    }

    /// The innermost resource's name.
    pub fn name(&self) -> Option<&str> {
        self.segments.last().map(|(_, n)| n.as_str())
    }
}

impl fmt::Display for ArmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/subscriptions/{}", self.subscription_id)?;
        if let Some(rg) = &self.resource_group {
            write!(f, "/resourceGroups/{rg}")?;
        }
        if let Some(ns) = &self.namespace {
            write!(f, "/providers/{ns}")?;
            for (t, n) in &self.segments {
                write!(f, "/{t}/{n}")?;
            }
        }
        Ok(())
    }
}

pub fn subscription_scope(subscription_id: &str) -> String {
    format!("/subscriptions/{subscription_id}")
}

pub fn resource_group_id(subscription_id: &str, name: &str) -> String {
    format!("/subscriptions/{subscription_id}/resourceGroups/{name}")
}

/// `NotFound` unless the scope names the subscription, an existing resource
/// group, or an existing resource.
pub fn require_scope_exists(db: &Db, id: &ArmId) -> Result<()> {
    let scope = id.to_string();
    let subscription_known = db.subscriptions()?.iter().any(|(s, _, _)| s.eq_ignore_ascii_case(&id.subscription_id));
    if !subscription_known {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!("The subscription '{}' could not be found.", id.subscription_id),
        )
        .with_target(scope));
    }
    if id.is_subscription() {
        return Ok(());
    }
    if let Some(rg) = &id.resource_group {
        if db.arm_resource(&resource_group_id(&id.subscription_id, rg))?.is_none() {
            return Err(Error::new(ErrorCode::NotFound, format!("Resource group '{rg}' could not be found."))
                .with_target(scope));
        }
    }
    if !id.is_resource_group() && db.arm_resource(&scope)?.is_none() {
        return Err(
            Error::new(ErrorCode::NotFound, format!("The resource '{scope}' could not be found.")).with_target(scope)
        );
    }
    Ok(())
}
