//! The resource manager (ARM): resource ids and scopes, Azure regions and
//! Power Platform locations, resource groups, resource providers, and the
//! index of resources that scopes resolve against.
//!
//! Resource ids and the scopes they name are the leaf [`id`], which the
//! directory's role assignments (`identity::rbac`) build on; the rest of the
//! resource manager reads the directory.
//!
//! Area modules that create ARM resources (key vaults, enterprise policies)
//! register them here with [`register_resource`] so that role assignments can
//! target them and `Get-AzResource` lists them.

use crate::error::{Error, ErrorCode, Result};
use crate::identity::{rbac, Caller, SUBSCRIPTION_ID};
use crate::store::{ArmResourceRow, Db};
use chrono::{DateTime, Utc};

pub mod id;

pub use id::{resource_group_id, subscription_scope, ArmId};

/// The store's subscription scope.
pub fn default_scope() -> String {
    subscription_scope(SUBSCRIPTION_ID)
}

/// Adds a resource to the index (called by the area that owns it).
pub fn register_resource(db: &Db, row: &ArmResourceRow) -> Result<()> {
    db.insert_arm_resource(row)
}

/// Removes a resource and its child resources from the index.
pub fn unregister_resource(db: &Db, id: &str) -> Result<()> {
    for child in db.arm_resources_under(id)? {
        db.delete_arm_resource(&child.id)?;
    }
    db.delete_arm_resource(id).map(drop)
}

// ---------------------------------------------------------------- locations

/// Power Platform locations (geographies) where enterprise policies and
/// environments live, as the documentation lists them.
pub const POWER_PLATFORM_LOCATIONS: &[&str] = &[
    "unitedstates",
    "southafrica",
    "uk",
    "japan",
    "india",
    "france",
    "europe",
    "germany",
    "switzerland",
    "canada",
    "brazil",
    "australia",
    "asia",
    "uae",
    "korea",
    "norway",
    "singapore",
    "sweden",
];

/// Azure regions: (name, display name, Power Platform location of that geography).
pub const AZURE_REGIONS: &[(&str, &str, &str)] = &[
    ("eastus", "East US", "unitedstates"),
    ("eastus2", "East US 2", "unitedstates"),
    ("centralus", "Central US", "unitedstates"),
    ("northcentralus", "North Central US", "unitedstates"),
    ("southcentralus", "South Central US", "unitedstates"),
    ("westcentralus", "West Central US", "unitedstates"),
    ("westus", "West US", "unitedstates"),
    ("westus2", "West US 2", "unitedstates"),
    ("westus3", "West US 3", "unitedstates"),
    ("southafricanorth", "South Africa North", "southafrica"),
    ("southafricawest", "South Africa West", "southafrica"),
    ("uksouth", "UK South", "uk"),
    ("ukwest", "UK West", "uk"),
    ("japaneast", "Japan East", "japan"),
    ("japanwest", "Japan West", "japan"),
    ("centralindia", "Central India", "india"),
    ("southindia", "South India", "india"),
    ("westindia", "West India", "india"),
    ("francecentral", "France Central", "france"),
    ("francesouth", "France South", "france"),
    ("northeurope", "North Europe", "europe"),
    ("westeurope", "West Europe", "europe"),
    ("germanywestcentral", "Germany West Central", "germany"),
    ("germanynorth", "Germany North", "germany"),
    ("switzerlandnorth", "Switzerland North", "switzerland"),
    ("switzerlandwest", "Switzerland West", "switzerland"),
    ("canadacentral", "Canada Central", "canada"),
    ("canadaeast", "Canada East", "canada"),
    ("brazilsouth", "Brazil South", "brazil"),
    ("brazilsoutheast", "Brazil Southeast", "brazil"),
    ("australiaeast", "Australia East", "australia"),
    ("australiasoutheast", "Australia Southeast", "australia"),
    ("australiacentral", "Australia Central", "australia"),
    ("eastasia", "East Asia", "asia"),
    ("southeastasia", "Southeast Asia", "singapore"),
    ("uaenorth", "UAE North", "uae"),
    ("uaecentral", "UAE Central", "uae"),
    ("koreacentral", "Korea Central", "korea"),
    ("koreasouth", "Korea South", "korea"),
    ("norwayeast", "Norway East", "norway"),
    ("norwaywest", "Norway West", "norway"),
    ("swedencentral", "Sweden Central", "sweden"),
];

/// Normalises an Azure region given by name or display name ("Central US" →
/// "centralus"), as Az accepts both.
pub fn normalize_region(location: &str) -> Result<&'static str> {
    let squashed: String = location.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    AZURE_REGIONS.iter().find(|(name, _, _)| *name == squashed).map(|(name, _, _)| *name).ok_or_else(|| {
        Error::invalid(format!(
            "'{location}' is not an Azure region. Use a region name such as centralus, westeurope or uksouth (Get-AzLocation lists them in Azure)."
        ))
        .with_target(location)
    })
}

/// The Power Platform location of an Azure region's geography (the regions
/// table's third column).
pub fn power_platform_location_of(region: &str) -> Option<&'static str> {
    AZURE_REGIONS.iter().find(|(name, _, _)| name.eq_ignore_ascii_case(region)).map(|(_, _, geo)| *geo)
}

/// Normalises a Power Platform location, or `InvalidArgument` naming the 18.
pub fn normalize_power_platform_location(location: &str) -> Result<&'static str> {
    let lower = location.trim().to_ascii_lowercase();
    POWER_PLATFORM_LOCATIONS.iter().copied().find(|l| *l == lower).ok_or_else(|| {
        Error::invalid(format!(
            "'{location}' is not a Power Platform location. Use one of: {}.",
            POWER_PLATFORM_LOCATIONS.join(", ")
        ))
        .with_target(location)
    })
}

// ------------------------------------------------------------ resource groups

/// Resource group names: 1-90 letters, digits, `_ - . ( )`, not ending in `.`.
fn validate_resource_group_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 90
        && name.chars().all(|c| c.is_alphanumeric() || "_-.()".contains(c))
        && !name.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "Resource group name '{name}' is invalid: use 1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period."
        ))
        .with_target(name))
    }
}

pub fn create_resource_group(
    db: &Db,
    caller: &Caller,
    name: &str,
    location: &str,
    now: DateTime<Utc>,
) -> Result<ArmResourceRow> {
    validate_resource_group_name(name)?;
    let region = normalize_region(location)?;
    let subscription = default_scope();
    rbac::authorize(db, caller, &subscription, "Microsoft.Resources/subscriptions/resourceGroups/write")?;
    let id = resource_group_id(SUBSCRIPTION_ID, name);
    if let Some(existing) = db.arm_resource(&id)? {
        return Err(Error::new(
            ErrorCode::AlreadyExists,
            format!("Resource group '{}' already exists in {}.", existing.name, existing.location.unwrap_or_default()),
        )
        .with_target(id));
    }
    let row = ArmResourceRow {
        id,
        resource_type: "Microsoft.Resources/resourceGroups".into(),
        name: name.to_string(),
        subscription_id: SUBSCRIPTION_ID.into(),
        resource_group: Some(name.to_string()),
        location: Some(region.to_string()),
        kind: None,
        created_time: now,
    };
    db.insert_arm_resource(&row)?;
    Ok(row)
}

/// Resource groups the caller can read, optionally one by name (`NotFound`).
pub fn resource_groups(db: &Db, caller: &Caller, name: Option<&str>) -> Result<Vec<ArmResourceRow>> {
    let q = crate::store::ArmQuery {
        resource_type: Some("Microsoft.Resources/resourceGroups"),
        resource_group: None,
        name,
    };
    let mut out = Vec::new();
    for rg in db.arm_resources(&q)? {
        if rbac::has_permission(
            db,
            caller.object_id(),
            &rg.id,
            "Microsoft.Resources/subscriptions/resourceGroups/read",
        )? {
            out.push(rg);
        }
    }
    if let (Some(name), true) = (name, out.is_empty()) {
        return Err(Error::new(ErrorCode::NotFound, format!("Provided resource group '{name}' does not exist."))
            .with_target(name));
    }
    Ok(out)
}

/// The resource group named, or `NotFound`.
pub fn resource_group(db: &Db, name: &str) -> Result<ArmResourceRow> {
    db.arm_resource(&resource_group_id(SUBSCRIPTION_ID, name))?.ok_or_else(|| {
        Error::new(ErrorCode::NotFound, format!("Resource group '{name}' could not be found.")).with_target(name)
    })
}

// ---------------------------------------------------------- resource providers

/// A resource type a provider offers.
#[derive(Debug)]
pub struct ResourceTypeSpec {
    pub name: &'static str,
    pub locations: &'static [&'static str],
    pub api_versions: &'static [&'static str],
}

/// A resource provider known to the store.
#[derive(Debug)]
pub struct ProviderSpec {
    pub namespace: &'static str,
    pub resource_types: &'static [ResourceTypeSpec],
    /// Registered in a new subscription (as Azure auto-registers the common ones).
    pub registered_at_start: bool,
}

const AZURE_REGION_NAMES: &[&str] = &[
    "East US",
    "East US 2",
    "Central US",
    "North Central US",
    "South Central US",
    "West Central US",
    "West US",
    "West US 2",
    "West US 3",
    "South Africa North",
    "South Africa West",
    "UK South",
    "UK West",
    "Japan East",
    "Japan West",
    "Central India",
    "South India",
    "West India",
    "France Central",
    "France South",
    "North Europe",
    "West Europe",
    "Germany West Central",
    "Germany North",
    "Switzerland North",
    "Switzerland West",
    "Canada Central",
    "Canada East",
    "Brazil South",
    "Brazil Southeast",
    "Australia East",
    "Australia Southeast",
    "Australia Central",
    "East Asia",
    "Southeast Asia",
    "UAE North",
    "UAE Central",
    "Korea Central",
    "Korea South",
    "Norway East",
    "Norway West",
    "Sweden Central",
];

pub static PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        namespace: "Microsoft.PowerPlatform",
        resource_types: &[ResourceTypeSpec {
            name: "enterprisePolicies",
            locations: POWER_PLATFORM_LOCATIONS,
            api_versions: &["2020-10-30", "2020-10-30-preview"],
        }],
        registered_at_start: false,
    },
    ProviderSpec {
        namespace: "Microsoft.KeyVault",
        resource_types: &[
            ResourceTypeSpec {
                name: "vaults",
                locations: AZURE_REGION_NAMES,
                api_versions: &["2023-07-01", "2022-07-01"],
            },
            ResourceTypeSpec { name: "managedHSMs", locations: AZURE_REGION_NAMES, api_versions: &["2023-07-01"] },
            ResourceTypeSpec { name: "deletedVaults", locations: &[], api_versions: &["2023-07-01"] },
        ],
        registered_at_start: true,
    },
    ProviderSpec {
        namespace: "Microsoft.Resources",
        resource_types: &[
            ResourceTypeSpec { name: "resourceGroups", locations: &[], api_versions: &["2022-09-01"] },
            ResourceTypeSpec { name: "deployments", locations: &[], api_versions: &["2022-09-01"] },
        ],
        registered_at_start: true,
    },
    ProviderSpec {
        namespace: "Microsoft.Authorization",
        resource_types: &[
            ResourceTypeSpec { name: "roleAssignments", locations: &[], api_versions: &["2022-04-01"] },
            ResourceTypeSpec { name: "roleDefinitions", locations: &[], api_versions: &["2022-04-01"] },
        ],
        registered_at_start: true,
    },
];

pub const REGISTERED: &str = "Registered";
pub const NOT_REGISTERED: &str = "NotRegistered";

pub(crate) fn seed_providers(db: &Db) -> Result<()> {
    for p in PROVIDERS {
        db.set_provider_state(
            SUBSCRIPTION_ID,
            p.namespace,
            if p.registered_at_start { REGISTERED } else { NOT_REGISTERED },
        )?;
    }
    Ok(())
}

pub fn provider_spec(namespace: &str) -> Result<&'static ProviderSpec> {
    PROVIDERS.iter().find(|p| p.namespace.eq_ignore_ascii_case(namespace.trim())).ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!(
                "The resource provider namespace '{namespace}' was not found. Known namespaces: {}.",
                PROVIDERS.iter().map(|p| p.namespace).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_target(namespace)
    })
}

pub fn provider_state(db: &Db, namespace: &str) -> Result<String> {
    Ok(db.provider_state(SUBSCRIPTION_ID, namespace)?.unwrap_or_else(|| NOT_REGISTERED.to_string()))
}

/// `ProviderNotRegistered` unless the subscription registered `namespace`.
pub fn require_provider_registered(db: &Db, namespace: &str) -> Result<()> {
    if provider_state(db, namespace)? == REGISTERED {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::ProviderNotRegistered,
        format!(
            "The subscription is not registered to use namespace '{namespace}'. Register it once per subscription: Register-AzResourceProvider -ProviderNamespace {namespace}."
        ),
    )
    .with_target(namespace))
}

/// Registers a provider for the subscription (needs `{namespace}/register/action`).
pub fn register_provider(db: &Db, caller: &Caller, namespace: &str) -> Result<&'static ProviderSpec> {
    let spec = provider_spec(namespace)?;
    rbac::authorize(db, caller, &default_scope(), &format!("{}/register/action", spec.namespace))?;
    db.set_provider_state(SUBSCRIPTION_ID, spec.namespace, REGISTERED)?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e";

    #[test]
    fn parses_each_level() {
        let s = ArmId::parse(&format!("/subscriptions/{SUB}")).unwrap();
        assert!(s.is_subscription());
        let rg = ArmId::parse(&format!("/subscriptions/{SUB}/resourcegroups/rg1")).unwrap();
        assert!(rg.is_resource_group());
        assert_eq!(rg.to_string(), format!("/subscriptions/{SUB}/resourceGroups/rg1"));
        let key = ArmId::parse(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/v1/keys/k1"
        ))
        .unwrap();
        assert_eq!(key.resource_type().unwrap(), "Microsoft.KeyVault/vaults/keys");
        assert_eq!(key.name(), Some("k1"));
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "subscriptions/x",
            "/subscriptions/",
            "/subscriptions/not-a-guid",
            &format!("/subscriptions/{SUB}/"),
            &format!("/subscriptions/{SUB}//resourceGroups/rg"),
            &format!("/subscriptions/{SUB}/resourceGroups"),
            &format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault"),
            &format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults"),
            &format!("/subscriptions/{SUB}/resourceGroups/rg/things/x"),
            &format!("/subscriptions/{SUB}/resourceGroups/r g"),
        ] {
            let e = ArmId::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn regions_normalise() {
        assert_eq!(normalize_region("Central US").unwrap(), "centralus");
        assert_eq!(normalize_region("westeurope").unwrap(), "westeurope");
        assert!(normalize_region("moon").is_err());
        assert_eq!(power_platform_location_of("centralus"), Some("unitedstates"));
        assert_eq!(normalize_power_platform_location("Europe").unwrap(), "europe");
        assert_eq!(POWER_PLATFORM_LOCATIONS.len(), 18);
    }
}
