//! Environment commands (the PowerApps administration module's names where
//! they exist), Managed Environments, and environment data (records).

use super::{object, time};
use crate::environment::{self, records, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::registry::bind::Args;
use crate::registry::Ctx;
use crate::registry::{Command, Effect, Object, OutputSpec, Param, Side};
use crate::store::Db;
use serde_json::json;

pub(crate) const ENVIRONMENT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Environment",
    properties: &[
        "EnvironmentName",
        "DisplayName",
        "Location",
        "EnvironmentType",
        "IsDefault",
        "CreatedTime",
        "CreatedBy",
        "IsManaged",
        "State",
        "StateReason",
        "KeyManagedBy",
        "EncryptionStatus",
        "EnterprisePolicyId",
        "CommonDataServiceDatabaseProvisioningState",
        "OutboundServiceTag",
        "Origin",
    ],
    table: &["DisplayName", "EnvironmentName", "Location", "EnvironmentType", "IsManaged", "State", "KeyManagedBy"],
};

const RECORD_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Record",
    properties: &["EnvironmentName", "Table", "Id", "Generation", "Data"],
    table: &["Table", "Id", "Generation", "Data"],
};

const DATA_STORE_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.DataStore",
    properties: &["EnvironmentName", "Name", "Service", "EncryptedWith", "Basis"],
    table: &["Name", "Service", "EncryptedWith", "Basis"],
};

const ENVIRONMENT_NAME: Param =
    Param::string("EnvironmentName").mandatory().pipeline().help("The environment's id (EnvironmentName, a GUID).");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "New-AdminPowerAppEnvironment",
        synopsis: "Creates an environment (Global, Power Platform or Dynamics 365 administrator); its data is on the Microsoft-managed key.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            Param::string("DisplayName").mandatory().help("The environment's display name."),
            Param::string("Location").mandatory().help("A Power Platform location, e.g. unitedstates, europe."),
            Param::string("EnvironmentSku").mandatory().one_of(environment::SKUS).help("The environment type."),
            Param::switch("ProvisionDatabase").help("Create the Dataverse database (needed for data and for a customer-managed key)."),
            Param::string("CurrencyName").help("Accepted for compatibility."),
            Param::string("LanguageName").help("Accepted for compatibility."),
        ],
        groups: &[],
        output: ENVIRONMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::InvalidArgument],
        example: "New-AdminPowerAppEnvironment -DisplayName 'Contoso Sales' -Location unitedstates -EnvironmentSku Production -ProvisionDatabase",
        handler: new_environment,
    },
    Command {
        name: "Get-AdminPowerAppEnvironment",
        synopsis: "Gets environments with their type, region, state and encryption (administrators).",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            Param::string("EnvironmentName").pipeline().help("One environment."),
            Param::switch("Default").help("The tenant's default environment."),
            Param::string("Filter").at(0).help("Display names matching this pattern (* wildcards)."),
        ],
        groups: &[],
        output: ENVIRONMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-AdminPowerAppEnvironment -Default",
        handler: get_environment,
    },
    Command {
        name: "Remove-AdminPowerAppEnvironment",
        synopsis: "Deletes an environment with its data and backups.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::OperationInProgress, ErrorCode::InvalidOperation],
        example: "Remove-AdminPowerAppEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: remove_environment,
    },
    Command {
        name: "Set-AdminPowerAppEnvironmentGovernanceConfiguration",
        synopsis: "Sets an environment's governance configuration: protectionLevel Standard (Managed Environment) or Basic.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::hashtable("UpdatedGovernanceConfiguration").mandatory().help("e.g. @{protectionLevel='Standard'} or '{\"protectionLevel\":\"Standard\"}'."),
            Param::string("ApiVersion").default("2021-04-01").help("Accepted for compatibility."),
        ],
        groups: &[],
        output: ENVIRONMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::Conflict],
        example: "Set-AdminPowerAppEnvironmentGovernanceConfiguration -EnvironmentName 00000000-0000-0000-0000-000000000000 -UpdatedGovernanceConfiguration @{protectionLevel='Standard'}",
        handler: set_governance,
    },
    Command {
        name: "Enable-PpCmkManagedEnvironment",
        synopsis: "Turns Managed Environments on for an environment (protectionLevel Standard).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: ENVIRONMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Enable-PpCmkManagedEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: enable_managed,
    },
    Command {
        name: "Disable-PpCmkManagedEnvironment",
        synopsis: "Turns Managed Environments off (protectionLevel Basic); refused while a customer-managed key protects it.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: ENVIRONMENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict],
        example: "Disable-PpCmkManagedEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: disable_managed,
    },
    Command {
        name: "New-PpCmkRecord",
        synopsis: "Writes a record (JSON) to a table of an environment, sealed under its current data key.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Table").mandatory().help("The table: 1-64 letters, digits and underscores."),
            Param::hashtable("Data").mandatory().help("The record as JSON or @{...}."),
            Param::string("Id").help("The record id. Default: a new GUID."),
        ],
        groups: &[],
        output: RECORD_OUTPUT,
        errors: &[ErrorCode::EnvironmentLocked, ErrorCode::EnvironmentDisabled, ErrorCode::AlreadyExists, ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "New-PpCmkRecord -EnvironmentName 00000000-0000-0000-0000-000000000000 -Table account -Data '{\"name\":\"Fabrikam\"}'",
        handler: new_record,
    },
    Command {
        name: "Get-PpCmkRecord",
        synopsis: "Reads records of a table, decrypted with the environment's data keys.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Table").mandatory().help("The table."),
            Param::string("Id").help("One record."),
            Param::int("First").range(1, 1_000_000).default("1000").help("At most this many records."),
        ],
        groups: &[],
        output: RECORD_OUTPUT,
        errors: &[ErrorCode::EnvironmentLocked, ErrorCode::EnvironmentDisabled, ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkRecord -EnvironmentName 00000000-0000-0000-0000-000000000000 -Table account -First 10",
        handler: get_record,
    },
    Command {
        name: "Remove-PpCmkRecord",
        synopsis: "Deletes a record.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("Table").mandatory().help("The table."), Param::string("Id").mandatory().help("The record id.")],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::EnvironmentLocked, ErrorCode::EnvironmentDisabled, ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-PpCmkRecord -EnvironmentName 00000000-0000-0000-0000-000000000000 -Table account -Id 1",
        handler: remove_record,
    },
    Command {
        name: "New-PpCmkSampleData",
        synopsis: "Loads generated records and flows into an environment in batches, with progress (for rehearsals and benchmarks).",
        side: Side::PowerPlatform,
        effect: Effect::LongRunning,
        params: &[
            ENVIRONMENT_NAME,
            Param::int("Records").range(0, 100_000_000).default("0").help("How many records."),
            Param::int("RecordSize").range(64, 1 << 20).default("1024").help("Approximate bytes of JSON per record."),
            Param::int("Tables").range(1, 1000).default("1").help("Spread over this many tables (sample_0, sample_1, ...)."),
            Param::string("Marker").help("A string every record contains, to search for in the store's files."),
            Param::int("Flows").range(0, 10_000_000).default("0").help("How many flows: mostly automated solution flows, one in a thousand each with an HTTP, a Teams and a non-solution Power Apps v1 trigger."),
        ],
        groups: &[],
        output: OutputSpec {
            type_name: "PpCmk.SampleData",
            properties: &["EnvironmentName", "Records", "Tables", "PlaintextBytes", "Flows"],
            table: &["EnvironmentName", "Records", "Tables", "PlaintextBytes", "Flows"],
        },
        errors: &[ErrorCode::EnvironmentLocked, ErrorCode::EnvironmentDisabled, ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "New-PpCmkSampleData -EnvironmentName 00000000-0000-0000-0000-000000000000 -Records 100000 -RecordSize 1024 -Flows 1000",
        handler: new_sample_data,
    },
    Command {
        name: "Set-PpCmkEnvironmentService",
        synopsis: "Declares the apps and services an environment holds besides Dataverse and Power Automate, so the encryption report can say which of its data stores a customer-managed key covers (Dynamics 365 apps, finance and operations with or without Power Platform integration, the excluded Nuance Conversational IVR and Maker Welcome Content, Power Apps and Power Virtual Agents data outside Dataverse).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::strings("Service").mandatory().help("The services (replaces the list): Dynamics 365 Sales, Dynamics 365 Finance, Nuance Conversational IVR, Power Apps, ..."),
            Param::switch("PowerPlatformIntegration").help("Finance and operations apps with Power Platform integration (only then are they encrypted with the customer key)."),
        ],
        groups: &[],
        output: DATA_STORE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-PpCmkEnvironmentService -EnvironmentName 00000000-0000-0000-0000-000000000000 -Service 'Dynamics 365 Sales','Power Apps'",
        handler: set_environment_service,
    },
    Command {
        name: "Get-PpCmkEnvironmentDataStore",
        synopsis: "Lists an environment's data stores and the key that protects each now: only what the documentation lists is encrypted with the customer-managed key.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: DATA_STORE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkEnvironmentDataStore -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_environment_data_store,
    },
];

/// The environment's enterprise policy resource id, if any.
fn policy_resource_id(db: &Db, env: &Environment) -> Result<Option<String>> {
    Ok(match &env.row.policy_id {
        Some(id) => db.policy(id)?.map(|p| p.resource_id),
        None => None,
    })
}

pub(crate) fn environment_object(db: &Db, env: &Environment) -> Result<Object> {
    Ok(object(json!({
        "EnvironmentName": env.row.environment_id,
        "DisplayName": env.row.display_name,
        "Location": env.row.location,
        "EnvironmentType": env.row.sku,
        "IsDefault": env.row.is_default,
        "CreatedTime": time(env.row.created_time),
        "CreatedBy": crate::keyvault::principal_display_name(db, &env.row.created_by)?.unwrap_or_else(|| env.row.created_by.clone()),
        "IsManaged": env.row.is_managed,
        "State": env.row.state,
        "StateReason": env.row.state_reason,
        "KeyManagedBy": env.key_managed_by(),
        "EncryptionStatus": crate::flows::encryption_status(db, env)?,
        "EnterprisePolicyId": policy_resource_id(db, env)?,
        "CommonDataServiceDatabaseProvisioningState": if env.row.has_database { "Succeeded" } else { "NotProvisioned" },
        "OutboundServiceTag": crate::flows::outbound_service_tag(env),
        "Origin": crate::twin::origin(db, "Environment", env.id())?,
    })))
}

fn new_environment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = environment::create(
        ctx.store(),
        ctx.db(),
        &caller,
        args.required("DisplayName")?,
        args.required("Location")?,
        args.required("EnvironmentSku")?,
        args.switch("ProvisionDatabase"),
        ctx.now,
    )?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![environment_object(ctx.db(), &env)?])
}

/// `*` wildcard match, case-insensitive.
fn wildcard(pattern: &str, text: &str) -> bool {
    crate::identity::rbac::action_matches(pattern, text)
}

fn get_environment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let mut list = environment::list(ctx.db(), &caller)?;
    if let Some(id) = args.str("EnvironmentName") {
        list.retain(|e| e.id().eq_ignore_ascii_case(id));
        if list.is_empty() {
            return Err(Error::not_found("Environment", id));
        }
    }
    if args.switch("Default") {
        list.retain(|e| e.row.is_default);
    }
    if let Some(f) = args.str("Filter") {
        list.retain(|e| wildcard(f, e.name()));
    }
    for e in &list {
        if let Some(w) = crate::flows::mmk_warning(ctx.db(), e)? {
            ctx.warn(w);
        }
    }
    list.iter().map(|e| environment_object(ctx.db(), e)).collect()
}

fn remove_environment(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = environment::remove(ctx.store(), ctx.db(), &caller, args.required("EnvironmentName")?)?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![])
}

fn set_governance(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let config =
        args.object("UpdatedGovernanceConfiguration").ok_or_else(|| Error::internal("configuration not bound"))?;
    let (level, managed) = environment::governance_protection_level(config)?;
    let env = environment::set_managed(ctx.db(), &caller, args.required("EnvironmentName")?, managed)?;
    ctx.set_audit_target(env.id().to_string());
    ctx.set_audit_detail(format!("protectionLevel {level}"));
    Ok(vec![environment_object(ctx.db(), &env)?])
}

fn set_managed(ctx: &mut Ctx, args: &Args, managed: bool) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = environment::set_managed(ctx.db(), &caller, args.required("EnvironmentName")?, managed)?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![environment_object(ctx.db(), &env)?])
}

fn enable_managed(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    set_managed(ctx, args, true)
}

fn disable_managed(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    set_managed(ctx, args, false)
}

fn record_object(environment_id: &str, r: &records::Record) -> Object {
    object(
        json!({"EnvironmentName": environment_id, "Table": r.table, "Id": r.id, "Generation": r.generation, "Data": r.data}),
    )
}

fn new_record(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let data = args.object("Data").ok_or_else(|| Error::internal("data not bound"))?;
    let r = records::insert(
        ctx.store(),
        ctx.db(),
        &caller,
        env_id,
        args.required("Table")?,
        data,
        args.str("Id"),
        ctx.now,
    )?;
    ctx.set_audit_target(format!("{env_id}/{}/{}", r.table, r.id));
    Ok(vec![record_object(env_id, &r)])
}

fn get_record(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let list = records::get(
        ctx.store(),
        ctx.db(),
        &caller,
        env_id,
        args.required("Table")?,
        args.str("Id"),
        args.int("First").unwrap_or(1000),
        ctx.now,
    )?;
    Ok(list.iter().map(|r| record_object(env_id, r)).collect())
}

fn remove_record(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    records::remove(ctx.db(), &caller, env_id, args.required("Table")?, args.required("Id")?)?;
    ctx.set_audit_target(format!("{env_id}/{}/{}", args.required("Table")?, args.required("Id")?));
    Ok(vec![])
}

fn new_sample_data(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?.to_string();
    let (records, flow_count) = (args.int("Records").unwrap_or(0), args.int("Flows").unwrap_or(0));
    if records == 0 && flow_count == 0 {
        return Err(Error::invalid("Give -Records or -Flows (or both): there is nothing to load."));
    }
    let (store, now) = (ctx.store(), ctx.now);
    let mut forward = |p: crate::progress::Progress| ctx.report_progress(p);
    let summary = if records > 0 {
        records::load_sample(
            store,
            &caller,
            &env_id,
            records,
            args.int("RecordSize").unwrap_or(1024),
            args.int("Tables").unwrap_or(1),
            args.str("Marker"),
            now,
            &mut forward,
        )?
    } else {
        records::SampleSummary { records: 0, tables: 0, plaintext_bytes: 0 }
    };
    let flows_loaded = crate::flows::load_sample(store, &caller, &env_id, flow_count, now, &mut forward)?;
    ctx.set_audit_target(env_id.clone());
    ctx.set_audit_detail(format!("{} sample records, {flows_loaded} sample flows", summary.records));
    Ok(vec![object(json!({
        "EnvironmentName": env_id,
        "Records": summary.records,
        "Tables": summary.tables,
        "PlaintextBytes": summary.plaintext_bytes,
        "Flows": flows_loaded,
    }))])
}

fn data_store_objects(env: &Environment) -> Vec<Object> {
    environment::services::data_stores(env)
        .iter()
        .map(|d| {
            object(json!({
                "EnvironmentName": env.id(),
                "Name": d.name,
                "Service": d.service,
                "EncryptedWith": environment::services::encrypted_with(env, d),
                "Basis": d.basis,
            }))
        })
        .collect()
}

fn set_environment_service(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = environment::services::set(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        &args.strings("Service").unwrap_or_default(),
        args.switch("PowerPlatformIntegration"),
    )?;
    ctx.set_audit_target(env.id().to_string());
    Ok(data_store_objects(&env))
}

fn get_environment_data_store(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    environment::require_admin(&caller, "read an environment's data stores")?;
    let env = environment::find(ctx.db(), args.required("EnvironmentName")?)?;
    Ok(data_store_objects(&env))
}
