//! Power Automate commands: flows (the PowerApps administration module's
//! names where they exist), which flows stay on the Microsoft-managed key,
//! run history and its CSV export, connections, and the settings the CMK
//! documentation names.

use super::{object, time};
use crate::environment;
use crate::error::{Error, ErrorCode, Result};
use crate::flows::{self, connections, migration, runs, Flow, FlowSpec};
use crate::lifecycle::operations as ops;
use crate::registry::bind::Args;
use crate::registry::format;
use crate::registry::Ctx;
use crate::registry::{Cell, Command, Effect, JsonRowsWriter, Object, Objects, OutputSpec, Param, Side};
use crate::store::ConnectionRow;
use serde_json::{json, Value};
use std::borrow::Cow;

const FLOW_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Flow",
    properties: &[
        "FlowName",
        "DisplayName",
        "EnvironmentName",
        "Enabled",
        "CreatedTime",
        "CreatedBy",
        "LastModifiedTime",
        "Kind",
        "Trigger",
        "InSolution",
        "ChildFlows",
        "Actions",
        "ConnectionSource",
        "Url",
        "KeyManagedBy",
        "Reason",
        "State",
        "SuspensionReason",
        "Origin",
    ],
    table: &["DisplayName", "FlowName", "Kind", "Trigger", "KeyManagedBy", "State"],
};

/// Exactly the documentation's three columns by default.
const MICROSOFT_KEY_FLOW_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.FlowEncryptedByMicrosoftKey",
    properties: &["DisplayName", "FlowName", "EnvironmentName", "Reason", "ChildFlowName", "ReasonDetail"],
    table: &["DisplayName", "FlowName", "EnvironmentName"],
};

const CMK_STATUS_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.FlowEnvironmentCmkStatus",
    properties: &[
        "EnvironmentName",
        "DisplayName",
        "Status",
        "CustomerManagedKeyProtected",
        "KeyManagedBy",
        "FlowsOnCustomerKey",
        "FlowsOnMicrosoftKey",
        "FlowsCannotMigrate",
        "ConnectionsOnMicrosoftKey",
        "OutboundServiceTag",
        "Warning",
        "AnalyticsPipeline",
    ],
    table: &[
        "EnvironmentName",
        "Status",
        "FlowsOnCustomerKey",
        "FlowsOnMicrosoftKey",
        "FlowsCannotMigrate",
        "AnalyticsPipeline",
    ],
};

const RUN_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.FlowRun",
    properties: &[
        "FlowRunName",
        "FlowName",
        "EnvironmentName",
        "Status",
        "StartTime",
        "EndTime",
        "DurationMs",
        "Trigger",
        "TriggerInputs",
        "ActionOutputs",
        "KeyManagedBy",
        "SignIn",
    ],
    table: &["FlowRunName", "Status", "StartTime", "DurationMs", "Trigger"],
};

const RUN_SUMMARY_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.FlowRunSummary",
    properties: &["RunId", "FlowName", "FlowDisplayName", "StartTime", "DurationMs", "Status", "BeforeKeyChange"],
    table: &["RunId", "FlowName", "StartTime", "DurationMs", "Status"],
};

const EXPORT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.FlowRunExport",
    properties: &["Path", "EnvironmentName", "FlowName", "Runs"],
    table: &["Path", "FlowName", "Runs"],
};

const CONNECTION_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Connection",
    properties: &[
        "ConnectionName",
        "EnvironmentName",
        "Connector",
        "AuthType",
        "KeyManagedBy",
        "CreatedTime",
        "CreatedBy",
    ],
    table: &["ConnectionName", "Connector", "AuthType", "KeyManagedBy"],
};

const APP_REFERENCE_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.AppFlowReference",
    properties: &["EnvironmentName", "FlowName", "AppName", "Apps"],
    table: &["EnvironmentName", "FlowName", "AppName"],
};

const ENVIRONMENT_SETTING_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.EnvironmentSetting",
    properties: &["EnvironmentName", "CreateFlowsInSolutionByDefault"],
    table: &["EnvironmentName", "CreateFlowsInSolutionByDefault"],
};

const TENANT_SETTING_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.TenantSetting",
    properties: &[
        "CmkEnvironmentLimit",
        "CmkEnvironmentsInUse",
        "LockedProductionDeletionDays",
        "LockedNonProductionDeletionDays",
    ],
    table: &[
        "CmkEnvironmentLimit",
        "CmkEnvironmentsInUse",
        "LockedProductionDeletionDays",
        "LockedNonProductionDeletionDays",
    ],
};

const FIREWALL_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.FirewallAllowList",
    properties: &[
        "EnvironmentName",
        "Configured",
        "ServiceTags",
        "IpRanges",
        "OutboundServiceTag",
        "AllowsOutboundCalls",
    ],
    table: &["EnvironmentName", "ServiceTags", "IpRanges", "OutboundServiceTag", "AllowsOutboundCalls"],
};

const ENVIRONMENT_NAME: Param =
    Param::string("EnvironmentName").mandatory().pipeline().help("The environment's id (EnvironmentName, a GUID).");
const FLOW_NAME: Param = Param::string("FlowName").mandatory().pipeline().help("The flow's id (FlowName, a GUID).");
const API_VERSION: Param = Param::string("ApiVersion").default("2016-11-01").help("Accepted for compatibility.");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "New-PpCmkFlow",
        synopsis: "Creates a cloud or desktop flow; in a CMK-protected environment it is protected by the customer key from the start.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("DisplayName").mandatory().help("The flow's display name."),
            Param::string("Kind").one_of(flows::KINDS).default("Cloud").help("Cloud or Desktop."),
            Param::string("Trigger").mandatory().one_of(flows::TRIGGERS).help("The trigger type."),
            Param::switch("InSolution").help("The flow is in a Dataverse solution."),
            Param::strings("ChildFlow").help("FlowNames of child flows it calls (same environment)."),
            Param::strings("Action").help("Action names it uses, e.g. ListFlowsAsAdminV1."),
            Param::hashtable("Definition").help("The flow's definition (JSON), sealed at rest."),
            Param::string("ConnectionSource").one_of(flows::CONNECTION_SOURCES).default("Embedded").help("For a Copilot Skills trigger: the embedded connection or the invoking user's."),
            Param::boolean("Enabled").default("true").help("Whether the flow is turned on."),
        ],
        groups: &[],
        output: FLOW_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked, ErrorCode::EnvironmentDisabled],
        example: "New-PpCmkFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -DisplayName 'Get Invoice HTTP' -Trigger Http",
        handler: new_flow,
    },
    Command {
        name: "Get-AdminFlow",
        synopsis: "Gets flows with their trigger, solution membership and the key that protects them.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            Param::string("EnvironmentName").pipeline().help("One environment (default: every environment)."),
            Param::string("FlowName").pipeline().help("One flow."),
            Param::string("Filter").at(0).help("Display names matching this pattern (* wildcards)."),
            API_VERSION,
        ],
        groups: &[],
        output: FLOW_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Get-AdminFlow -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_flows,
    },
    Command {
        name: "Set-PpCmkFlow",
        synopsis: "Changes a flow; it keeps its key (use Copy-PpCmkFlow to move a flow off the Microsoft-managed key).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            FLOW_NAME,
            Param::string("DisplayName").help("A new display name."),
            Param::string("Kind").one_of(flows::KINDS).help("Cloud or Desktop."),
            Param::string("Trigger").one_of(flows::TRIGGERS).help("A new trigger type."),
            Param::switch("InSolution").help("In a Dataverse solution (-InSolution:$false to take it out)."),
            Param::strings("ChildFlow").help("Replaces the child flows it calls."),
            Param::strings("Action").help("Replaces the actions it uses."),
            Param::hashtable("Definition").help("Replaces the definition (JSON)."),
            Param::boolean("Enabled").help("Turns the flow on or off."),
            Param::string("ConnectionSource").one_of(flows::CONNECTION_SOURCES).help("Embedded or Invoker (Copilot Skills trigger)."),
        ],
        groups: &[],
        output: FLOW_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Set-PpCmkFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -Trigger PowerAppsV2",
        handler: set_flow,
    },
    Command {
        name: "Remove-AdminFlow",
        synopsis: "Deletes a flow with its run history.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, FLOW_NAME, API_VERSION],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Remove-AdminFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111",
        handler: remove_flow,
    },
    Command {
        name: "Copy-PpCmkFlow",
        synopsis: "Save As: copies a flow to a new flow (new FlowName, new URL) under the environment's current key; the original stays as it was.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, FLOW_NAME, Param::string("DisplayName").help("The copy's display name (default: 'Copy of ...').")],
        groups: &[],
        output: FLOW_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Copy-PpCmkFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111",
        handler: copy_flow,
    },
    Command {
        name: "Request-PpCmkFlowProtection",
        synopsis: "The support ticket that protects a flow left on the Microsoft-managed key in an environment already on a customer key (000:100): the flow moves to the customer key and keeps its FlowName; its runs so far become legacy, an HTTP trigger gets its URL on the dedicated infrastructure.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, FLOW_NAME],
        groups: &[],
        output: FLOW_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidOperation, ErrorCode::Conflict, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Request-PpCmkFlowProtection -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111",
        handler: request_flow_protection,
    },
    Command {
        name: "Get-AdminFlowEncryptedByMicrosoftKey",
        synopsis: "Lists Power Automate flows that are encrypted by a Microsoft key; with -ListCannotMigrateToCustomerManagedKey only those that can't move to the customer key automatically.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            ENVIRONMENT_NAME,
            Param::switch("ListCannotMigrateToCustomerManagedKey").help("Only the flows that can't be migrated to the customer-managed key automatically."),
            API_VERSION,
        ],
        groups: &[],
        output: MICROSOFT_KEY_FLOW_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Get-AdminFlowEncryptedByMicrosoftKey -EnvironmentName 00000000-0000-0000-0000-000000000000 -ListCannotMigrateToCustomerManagedKey",
        handler: flows_on_microsoft_key,
    },
    Command {
        name: "Get-AdminFlowEnvironmentCmkStatus",
        synopsis: "Gets the environment's Power Automate customer-managed key status: flows on each key and flows that can't migrate.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, API_VERSION],
        groups: &[],
        output: CMK_STATUS_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Get-AdminFlowEnvironmentCmkStatus -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: cmk_status,
    },
    Command {
        name: "Start-PpCmkFlowRun",
        synopsis: "Records a run of a flow with its trigger inputs and action outputs; values named sensitive are never stored.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            FLOW_NAME,
            Param::hashtable("Inputs").help("The trigger's inputs (JSON)."),
            Param::hashtable("Outputs").help("The actions' outputs (JSON)."),
            Param::string("Status").one_of(runs::STATUSES).default("Succeeded").help("How the run ended."),
            Param::strings("SensitiveInput").help("Names of -Inputs properties to mask; never stored."),
            Param::strings("SensitiveOutput").help("Names of -Outputs properties to mask; never stored."),
            Param::int("DurationMs").range(0, 2_592_000_000).default("1000").help("How long the run took."),
            Param::string("HostedMachineGroup").help("A desktop flow: the hosted machine group it runs on (one provisioned before the customer key fails until re-provisioned)."),
            Param::string("DesktopFlowConnection").help("A desktop flow: the desktop flow connection whose credential signs in to the machine (read from its key vault now)."),
            Param::string("MachineName").help("With -DesktopFlowConnection to a machine group: the machine of the group to run on (default: the first by name)."),
            Param::string("RunMode").one_of(crate::flows::machines::RUN_MODES).default("Unattended").help("With -DesktopFlowConnection: an attended or unattended run."),
        ],
        groups: &[],
        output: RUN_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::InvalidOperation, ErrorCode::UnsupportedWithCustomerManagedKey, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Start-PpCmkFlowRun -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -Inputs '{\"invoice\":\"INV-7\",\"card\":\"4111\"}' -SensitiveInput card",
        handler: start_run,
    },
    Command {
        name: "Get-FlowRun",
        synopsis: "Gets a flow's run history as its Details page shows it: after a key change, only the runs since.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, FLOW_NAME, API_VERSION],
        groups: &[],
        output: RUN_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Get-FlowRun -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111",
        handler: get_runs,
    },
    Command {
        name: "Get-PpCmkFlowRunSummary",
        synopsis: "The support ticket's run summary: every run, before and after the key change — run id, start time, duration, status; no inputs or outputs.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, Param::string("FlowName").help("One flow (default: every flow).")],
        groups: &[],
        output: RUN_SUMMARY_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Get-PpCmkFlowRunSummary -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: run_summary,
    },
    Command {
        name: "Export-PpCmkFlowRunHistory",
        synopsis: "The All-runs CSV export: runs before and after the key change with trigger inputs and action outputs, at most 100, newest first; written atomically.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, FLOW_NAME, Param::string("Path").mandatory().path().help("The CSV file to write (replaced if it exists).")],
        groups: &[],
        output: EXPORT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::FileError, ErrorCode::EnvironmentLocked],
        example: "Export-PpCmkFlowRunHistory -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -Path runs.csv",
        handler: export_runs,
    },
    Command {
        name: "New-PpCmkConnection",
        synopsis: "Creates a connection; its secret is sealed — OAuth connections follow the environment's key, others stay on the Microsoft-managed key.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Connector").mandatory().help("The connector, e.g. shared_office365."),
            Param::string("AuthType").mandatory().one_of(connections::AUTH_TYPES).help("OAuth (Microsoft Entra), ApiKey or Basic."),
            Param::secure("Secret").mandatory().help("The token, key or password; sealed, never shown."),
        ],
        groups: &[],
        output: CONNECTION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "New-PpCmkConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -Connector shared_sendgrid -AuthType ApiKey -Secret (Read-Host -AsSecureString)",
        handler: new_connection,
    },
    Command {
        name: "Get-PpCmkConnection",
        synopsis: "Gets an environment's connections and the key protecting each (never the secret).",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: CONNECTION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Get-PpCmkConnection -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_connections,
    },
    Command {
        name: "Remove-PpCmkConnection",
        synopsis: "Deletes a connection.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("ConnectionName").mandatory().pipeline().help("The connection's id.")],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Remove-PpCmkConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -ConnectionName 22222222-2222-2222-2222-222222222222",
        handler: remove_connection,
    },
    Command {
        name: "Register-PpCmkAppFlowReference",
        synopsis: "Registers a flow for use from a Power App; refused for non-solution Power Apps-trigger flows created in a CMK-protected environment.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, FLOW_NAME, Param::string("AppName").default("Power App").help("The app that calls the flow.")],
        groups: &[],
        output: APP_REFERENCE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::UnsupportedWithCustomerManagedKey, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Register-PpCmkAppFlowReference -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -AppName 'Invoice app'",
        handler: register_app_reference,
    },
    Command {
        name: "Set-PpCmkEnvironmentSetting",
        synopsis: "Sets environment settings: CreateFlowsInSolutionByDefault makes new flows solution flows (recommended in CMK-protected environments).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::boolean("CreateFlowsInSolutionByDefault").mandatory().help("$true: new flows are created in a Dataverse solution.")],
        groups: &[],
        output: ENVIRONMENT_SETTING_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Set-PpCmkEnvironmentSetting -EnvironmentName 00000000-0000-0000-0000-000000000000 -CreateFlowsInSolutionByDefault $true",
        handler: set_environment_setting,
    },
    Command {
        name: "Get-PpCmkEnvironmentSetting",
        synopsis: "Gets environment settings.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: ENVIRONMENT_SETTING_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkEnvironmentSetting -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_environment_setting,
    },
    Command {
        name: "Set-PpCmkFirewallAllowList",
        synopsis: "Sets the allow-list of the firewall in front of the systems an environment's flows call: service tags (or IP ranges). After a customer key applies, outbound HTTP and on-premises calls come from PowerPlatformPlex; without it they fail with the documented error. Empty lists turn the firewall off.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::strings("ServiceTag").help("Allowed service tags: PowerPlatformPlex, LogicApps, AzureConnectors, PowerPlatformInfra."),
            Param::strings("IpRange").help("Allowed IPv4 ranges (CIDR). Kept and shown; ppcmk has no copy of Azure's published ranges, so only a service tag lets a tag's calls through."),
        ],
        groups: &[],
        output: FIREWALL_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-PpCmkFirewallAllowList -EnvironmentName 00000000-0000-0000-0000-000000000000 -ServiceTag LogicApps,PowerPlatformPlex",
        handler: set_firewall,
    },
    Command {
        name: "Get-PpCmkFirewallAllowList",
        synopsis: "Gets an environment's firewall allow-list and the service tag its flows' outbound calls come from now.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: FIREWALL_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkFirewallAllowList -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_firewall,
    },
    Command {
        name: "Set-PpCmkTenantSetting",
        synopsis: "Sets tenant settings (Global Administrator): CmkEnvironmentLimit, the number of CMK-protected environments (default 25; Microsoft raises it by support ticket), and how many days locked environments are kept before they are deleted (production 28, as 004:416 says; other types 7).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            Param::int("CmkEnvironmentLimit").range(1, 10_000).help("The tenant's limit of CMK-protected environments."),
            Param::int("LockedProductionDeletionDays").range(1, 365).help("Days a locked production environment is kept before it is deleted (default 28, from 004:416; Microsoft's later cmk-lock-unlock page says 30)."),
            Param::int("LockedNonProductionDeletionDays").range(1, 365).help("Days a locked environment of another type (sandbox, developer) is kept before it is deleted (default 7)."),
        ],
        groups: &[],
        output: TENANT_SETTING_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::InvalidArgument],
        example: "Set-PpCmkTenantSetting -CmkEnvironmentLimit 50",
        handler: set_tenant_setting,
    },
    Command {
        name: "Get-PpCmkTenantSetting",
        synopsis: "Gets tenant settings: the CMK environment limit and how many environments use a customer key.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[],
        groups: &[],
        output: TENANT_SETTING_OUTPUT,
        errors: &[ErrorCode::Forbidden],
        example: "Get-PpCmkTenantSetting",
        handler: get_tenant_setting,
    },
];

fn spec_from(args: &Args) -> FlowSpec {
    FlowSpec {
        display_name: args.str("DisplayName").map(str::to_string),
        kind: args.str("Kind").map(str::to_string),
        trigger: args.str("Trigger").map(str::to_string),
        in_solution: args.bool("InSolution"),
        child_flows: args.strings("ChildFlow"),
        actions: args.strings("Action"),
        definition: args.object("Definition").map(|m| Value::Object(m.clone())),
        enabled: args.bool("Enabled"),
        connection_source: args.str("ConnectionSource").map(str::to_string),
    }
}

fn flow_object(ctx: &Ctx, environment_id: &str, flow: &Flow) -> Result<Object> {
    let db = ctx.db();
    Ok(object(json!({
        "FlowName": flow.row.flow_id,
        "DisplayName": flow.display_name,
        "EnvironmentName": environment_id,
        "Enabled": flow.row.enabled,
        "CreatedTime": time(flow.row.created_time),
        "CreatedBy": crate::keyvault::principal_display_name(db, &flow.row.created_by)?.unwrap_or_else(|| flow.row.created_by.clone()),
        "LastModifiedTime": time(flow.row.last_modified_time),
        "Kind": flow.row.kind,
        "Trigger": flow.row.trigger_kind,
        "InSolution": flow.row.in_solution,
        "ChildFlows": db.flow_children(flow.row.flow_key)?,
        "Actions": flow.definition.actions,
        "ConnectionSource": flow.row.connection_source,
        "Url": flow.definition.url,
        "KeyManagedBy": flow.row.key_managed_by,
        "Reason": flow.row.mmk_reason,
        "State": match (&flow.row.suspension_reason, flow.row.enabled) {
            (Some(_), _) => "Suspended",
            (None, true) => "Started",
            (None, false) => "Stopped",
        },
        "SuspensionReason": flow.row.suspension_reason,
        "Origin": crate::twin::origin(db, "Flow", &flow.row.flow_id)?,
    })))
}

fn new_flow(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let flow = flows::create(ctx.store(), ctx.db(), &caller, env_id, &spec_from(args), ctx.now)?;
    ctx.set_audit_scope(env_id, "Process")?;
    ctx.set_audit_target(format!("{env_id}/{}", flow.row.flow_id));
    Ok(vec![flow_object(ctx, env_id, &flow)?])
}

fn get_flows(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.str("EnvironmentName");
    let mut list = flows::list(ctx.store(), ctx.db(), &caller, env_id, args.str("FlowName"), ctx.now)?;
    if let Some(id) = env_id {
        ctx.set_audit_scope(id, "Process")?;
    }
    if let Some(f) = args.str("Filter") {
        list.retain(|flow| crate::identity::rbac::action_matches(f, &flow.display_name));
    }
    let env_ids: std::collections::HashMap<i64, String> =
        ctx.db().environments()?.into_iter().map(|e| (e.env_key, e.environment_id)).collect();
    list.iter()
        .map(|f| flow_object(ctx, env_ids.get(&f.row.env_key).map(String::as_str).unwrap_or_default(), f))
        .collect()
}

fn set_flow(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let flow_id = args.required("FlowName")?;
    let flow = flows::update(ctx.store(), ctx.db(), &caller, env_id, flow_id, &spec_from(args), ctx.now)?;
    ctx.set_audit_scope(env_id, "Process")?;
    ctx.set_audit_target(format!("{env_id}/{}", flow.row.flow_id));
    Ok(vec![flow_object(ctx, env_id, &flow)?])
}

fn remove_flow(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let row = flows::remove(ctx.db(), &caller, env_id, args.required("FlowName")?)?;
    ctx.set_audit_scope(env_id, "Process")?;
    ctx.set_audit_target(format!("{env_id}/{}", row.flow_id));
    Ok(vec![])
}

fn copy_flow(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let source = args.required("FlowName")?;
    let flow = flows::copy(ctx.store(), ctx.db(), &caller, env_id, source, args.str("DisplayName"), ctx.now)?;
    ctx.set_audit_target(format!("{env_id}/{}", flow.row.flow_id));
    ctx.set_audit_detail(format!("Save As of {source}"));
    Ok(vec![flow_object(ctx, env_id, &flow)?])
}

fn request_flow_protection(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let flow_id = args.required("FlowName")?;
    let flow = flows::request_protection(ctx.store(), ctx.db(), &caller, env_id, flow_id, ctx.now)?;
    ctx.set_audit_target(format!("{env_id}/{}", flow.row.flow_id));
    ctx.set_audit_detail("moved to the customer-managed key by support request");
    Ok(vec![flow_object(ctx, env_id, &flow)?])
}

/// A reason in words, for ReasonDetail.
fn reason_detail(reason: Option<&str>, child: Option<&str>) -> Cow<'static, str> {
    match reason {
        Some(migration::POWER_APPS_V1_NOT_IN_SOLUTION) => "Power Apps v1 trigger flow that isn't in a solution: update it to the V2 trigger before applying the customer key, or use Save As (Copy-PpCmkFlow) afterwards and update the calling apps.".into(),
        Some(migration::HTTP_TRIGGER) => "HTTP trigger: a new flow URL is created in the CMK-protected infrastructure. Use Save As (Copy-PpCmkFlow) and update the calling system to the new URL.".into(),
        Some(migration::TEAMS_TRIGGER) => "Teams trigger: use Save As (Copy-PpCmkFlow) and update the caller.".into(),
        Some(migration::LIST_FLOWS_AS_ADMIN_V1) => "Uses the List Flows as Admin (V1) action: delete the flow or update it to List Flows as Admin (V2).".into(),
        Some(migration::PARENT_OF_UNMIGRATABLE_FLOW) => format!(
            "Calls child flow {} that can't be migrated; dependent flows aren't migrated either, to ensure there's no business disruption.",
            child.unwrap_or("?")
        ).into(),
        Some(other) => other.to_string().into(),
        None => "Moves to the customer key when the environment is added to an enterprise policy.".into(),
    }
}

fn flows_on_microsoft_key(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let only = args.switch("ListCannotMigrateToCustomerManagedKey");
    // Every flow of an environment can be listed: each row is written as JSON as it is read,
    // and what repeats on every row (the environment, the usual reason) is escaped once.
    let mut rows = JsonRowsWriter::new(MICROSOFT_KEY_FLOW_OUTPUT.properties);
    let moves = JsonRowsWriter::escaped(&reason_detail(None, None));
    let mut env_name = None;
    let env_id = args.required("EnvironmentName")?;
    flows::each_on_microsoft_key(ctx.store(), ctx.db(), &caller, env_id, only, ctx.now, |env, f| {
        let env_name = env_name.get_or_insert_with(|| JsonRowsWriter::escaped(env.id()));
        let detail;
        let detail_cell = match f.reason {
            None => Cell::Escaped(&moves),
            Some(_) => {
                detail = reason_detail(f.reason, f.child_flow);
                Cell::Text(&detail)
            }
        };
        rows.push(&[
            Cell::Text(f.display_name),
            Cell::Text(f.flow_id),
            Cell::Escaped(env_name),
            f.reason.into(),
            f.child_flow.into(),
            detail_cell,
        ]);
        Ok(())
    })?;
    ctx.output_rows(rows.finish());
    Ok(Vec::new())
}

fn cmk_status(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let db = ctx.db();
    let env = flows::open_for_read(db, &caller, args.required("EnvironmentName")?)?;
    environment::require_environment_admin(&caller, &env, "read the environment's Power Automate CMK status")?;
    let s = flows::cmk_status(db, &env)?;
    let status = match (s.customer_key_protected, s.flows_on_microsoft_key) {
        (false, _) => "NotProtected",
        (true, 0) => "Protected",
        (true, _) => "ProtectedWithWarnings",
    };
    let warning = flows::mmk_warning(db, &env)?;
    if let Some(w) = &warning {
        ctx.warn(w.clone());
    }
    Ok(vec![object(json!({
        "EnvironmentName": env.id(),
        "DisplayName": env.name(),
        "Status": status,
        "CustomerManagedKeyProtected": s.customer_key_protected,
        "KeyManagedBy": env.key_managed_by(),
        "FlowsOnCustomerKey": s.flows_on_customer_key,
        "FlowsOnMicrosoftKey": s.flows_on_microsoft_key,
        "FlowsCannotMigrate": s.flows_cannot_migrate,
        "ConnectionsOnMicrosoftKey": s.connections_on_microsoft_key,
        "OutboundServiceTag": flows::outbound_service_tag(&env),
        "Warning": warning.map(|_| flows::MMK_WARNING),
        "AnalyticsPipeline": flows::analytics_pipeline(&env),
    }))])
}

fn run_object(environment_id: &str, run: &runs::Run) -> Object {
    object(json!({
        "FlowRunName": run.row.run_id,
        "FlowName": run.flow_id,
        "EnvironmentName": environment_id,
        "Status": run.row.status,
        "StartTime": time(run.row.start_time),
        "EndTime": time(run.row.end_time),
        "DurationMs": run.duration_ms(),
        "Trigger": run.row.trigger_name,
        "TriggerInputs": run.trigger_inputs.to_string(),
        "ActionOutputs": run.action_outputs.to_string(),
        "KeyManagedBy": run.key_managed_by,
        "SignIn": run.sign_in,
    }))
}

fn start_run(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let spec = runs::RunSpec {
        inputs: args.object("Inputs").cloned().unwrap_or_default(),
        outputs: args.object("Outputs").cloned().unwrap_or_default(),
        status: args.str("Status").map(str::to_string),
        sensitive_inputs: args.strings("SensitiveInput").unwrap_or_default(),
        sensitive_outputs: args.strings("SensitiveOutput").unwrap_or_default(),
        duration_ms: args.int("DurationMs"),
        hosted_machine_group: args.str("HostedMachineGroup").map(str::to_string),
        desktop_flow_connection: args.str("DesktopFlowConnection").map(str::to_string),
        machine: args.str("MachineName").map(str::to_string),
        run_mode: args.str("RunMode").map(str::to_string),
    };
    let run = runs::start(ctx.store(), ctx.db(), &caller, env_id, args.required("FlowName")?, spec, ctx.now)?;
    ctx.set_audit_scope(env_id, "Process")?;
    ctx.set_audit_target(format!("{env_id}/{}/runs/{}", run.flow_id, run.row.run_id));
    Ok(vec![run_object(env_id, &run)])
}

fn get_runs(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let list = runs::list(
        ctx.store(),
        ctx.db(),
        &caller,
        env_id,
        Some(args.required("FlowName")?),
        runs::View::Details,
        ctx.now,
    )?;
    ctx.set_audit_scope(env_id, "Process")?;
    Ok(list.iter().map(|r| run_object(env_id, r)).collect())
}

fn run_summary(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let list = runs::list(ctx.store(), ctx.db(), &caller, env_id, args.str("FlowName"), runs::View::Summary, ctx.now)?;
    ctx.set_audit_scope(env_id, "Process")?;
    Ok(list
        .iter()
        .map(|r| {
            object(json!({
                "RunId": r.row.run_id,
                "FlowName": r.flow_id,
                "FlowDisplayName": r.flow_display_name,
                "StartTime": time(r.row.start_time),
                "DurationMs": r.duration_ms(),
                "Status": r.row.status,
                "BeforeKeyChange": r.row.legacy,
            }))
        })
        .collect())
}

/// The All-runs CSV export's columns, in order (documented in README).
const CSV_COLUMNS: &[&str] = &[
    "RunId",
    "FlowName",
    "FlowDisplayName",
    "StartTime",
    "EndTime",
    "DurationMs",
    "Status",
    "Trigger",
    "TriggerInputs",
    "ActionOutputs",
    "BeforeKeyChange",
    "KeyManagedBy",
];

fn export_runs(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let flow_id = args.required("FlowName")?;
    let path = std::path::PathBuf::from(args.required("Path")?);
    let runs = runs::for_export(ctx.store(), ctx.db(), &caller, env_id, flow_id, ctx.now)?;
    let objects = Objects::Maps(runs.iter().map(csv_object).collect());
    // Atomically: a temporary file in the same folder, flushed, then renamed into place.
    crate::files::write_atomically(&path, format::csv_with_columns(&objects, CSV_COLUMNS).as_bytes())?;
    let n = runs.len();
    ctx.set_audit_scope(env_id, "Process")?;
    let shown = std::fs::canonicalize(&path).unwrap_or(path);
    Ok(vec![object(json!({
        "Path": shown.display().to_string(),
        "EnvironmentName": env_id,
        "FlowName": flow_id,
        "Runs": n,
    }))])
}

/// One run as a row of the All-runs CSV.
fn csv_object(run: &runs::Run) -> Object {
    let mut o = Object::new();
    o.insert("RunId".into(), run.row.run_id.clone().into());
    o.insert("FlowName".into(), run.flow_id.clone().into());
    o.insert("FlowDisplayName".into(), run.flow_display_name.clone().into());
    o.insert("StartTime".into(), crate::time::to_display(run.row.start_time).into());
    o.insert("EndTime".into(), crate::time::to_display(run.row.end_time).into());
    o.insert("DurationMs".into(), run.duration_ms().into());
    o.insert("Status".into(), run.row.status.clone().into());
    o.insert("Trigger".into(), run.row.trigger_name.clone().into());
    o.insert("TriggerInputs".into(), run.trigger_inputs.to_string().into());
    o.insert("ActionOutputs".into(), run.action_outputs.to_string().into());
    o.insert("BeforeKeyChange".into(), run.row.legacy.into());
    o.insert("KeyManagedBy".into(), run.key_managed_by.clone().into());
    o
}

fn connection_object(environment_id: &str, c: &ConnectionRow) -> Object {
    object(json!({
        "ConnectionName": c.connection_id,
        "EnvironmentName": environment_id,
        "Connector": c.connector,
        "AuthType": c.auth_type,
        "KeyManagedBy": c.key_managed_by,
        "CreatedTime": time(c.created_time),
        "CreatedBy": c.created_by,
    }))
}

fn new_connection(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let c = connections::create(
        ctx.store(),
        ctx.db(),
        &caller,
        env_id,
        args.required("Connector")?,
        args.required("AuthType")?,
        args.required("Secret")?,
        ctx.now,
    )?;
    ctx.set_audit_target(format!("{env_id}/connections/{}", c.connection_id));
    Ok(vec![connection_object(env_id, &c)])
}

fn get_connections(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    Ok(connections::list(ctx.db(), &caller, env_id)?.iter().map(|c| connection_object(env_id, c)).collect())
}

fn remove_connection(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let id = args.required("ConnectionName")?;
    connections::remove(ctx.db(), &caller, env_id, id)?;
    ctx.set_audit_target(format!("{env_id}/connections/{id}"));
    Ok(vec![])
}

fn register_app_reference(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let app = args.str("AppName").unwrap_or("Power App");
    let row = flows::register_app_reference(ctx.db(), &caller, env_id, args.required("FlowName")?, app, ctx.now)?;
    ctx.set_audit_target(format!("{env_id}/{}", row.flow_id));
    Ok(vec![object(json!({
        "EnvironmentName": env_id,
        "FlowName": row.flow_id,
        "AppName": app.trim(),
        "Apps": ctx.db().app_flow_references(row.flow_key)?,
    }))])
}

fn environment_setting_object(env: &environment::Environment) -> Object {
    object(json!({
        "EnvironmentName": env.id(),
        "CreateFlowsInSolutionByDefault": env.settings().get(flows::CREATE_IN_SOLUTION_SETTING).and_then(Value::as_bool).unwrap_or(false),
    }))
}

fn set_environment_setting(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let value = args.bool("CreateFlowsInSolutionByDefault").ok_or_else(|| Error::internal("value not bound"))?;
    let env =
        environment::set_setting(ctx.db(), &caller, env_id, flows::CREATE_IN_SOLUTION_SETTING, Value::Bool(value))?;
    ctx.set_audit_target(env.id().to_string());
    ctx.set_audit_detail(format!("{} = {value}", flows::CREATE_IN_SOLUTION_SETTING));
    Ok(vec![environment_setting_object(&env)])
}

fn get_environment_setting(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    environment::require_admin(&caller, "read environment settings")?;
    let env = environment::find(ctx.db(), args.required("EnvironmentName")?)?;
    Ok(vec![environment_setting_object(&env)])
}

fn tenant_setting_object(ctx: &Ctx) -> Result<Object> {
    let db = ctx.db();
    Ok(object(json!({
        "CmkEnvironmentLimit": ops::cmk_environment_limit(db)?,
        "CmkEnvironmentsInUse": ops::cmk_environments_in_use(db)?,
        "LockedProductionDeletionDays": environment::locked_deletion_days(db, true)?,
        "LockedNonProductionDeletionDays": environment::locked_deletion_days(db, false)?,
    })))
}

fn set_tenant_setting(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    if !caller.is_global_admin() {
        return Err(Error::forbidden(format!(
            "Only a Global Administrator can change tenant settings; {} is not one.",
            caller.audit_name()
        )));
    }
    let changes: Vec<(&str, i64)> = [
        ("CmkEnvironmentLimit", ops::CMK_LIMIT_SETTING),
        ("LockedProductionDeletionDays", environment::LOCKED_PRODUCTION_DAYS_SETTING),
        ("LockedNonProductionDeletionDays", environment::LOCKED_OTHER_DAYS_SETTING),
    ]
    .into_iter()
    .filter_map(|(param, setting)| args.int(param).map(|v| (setting, v)))
    .collect();
    if changes.is_empty() {
        return Err(Error::invalid(
            "Name a setting to change: -CmkEnvironmentLimit, -LockedProductionDeletionDays or -LockedNonProductionDeletionDays.",
        ));
    }
    for (setting, value) in &changes {
        ctx.db().set_tenant_setting(setting, &value.to_string())?;
    }
    ctx.set_audit_target("tenant");
    ctx.set_audit_detail(changes.iter().map(|(s, v)| format!("{s} = {v}")).collect::<Vec<_>>().join(", "));
    Ok(vec![tenant_setting_object(ctx)?])
}

fn get_tenant_setting(ctx: &mut Ctx, _args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    environment::require_admin(&caller, "read tenant settings")?;
    Ok(vec![tenant_setting_object(ctx)?])
}

fn firewall_object(env: &environment::Environment, list: &flows::firewall::AllowList) -> Object {
    let tag = flows::outbound_service_tag(env);
    object(json!({
        "EnvironmentName": env.id(),
        "Configured": list.configured(),
        "ServiceTags": list.service_tags,
        "IpRanges": list.ip_ranges,
        "OutboundServiceTag": tag,
        "AllowsOutboundCalls": list.allows(tag),
    }))
}

fn set_firewall(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let id = args.required("EnvironmentName")?.to_string();
    let (env, list) = flows::firewall::set(
        ctx.db(),
        &caller,
        &id,
        &args.strings("ServiceTag").unwrap_or_default(),
        &args.strings("IpRange").unwrap_or_default(),
    )?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![firewall_object(&env, &list)])
}

fn get_firewall(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = flows::open_for_read(ctx.db(), &caller, args.required("EnvironmentName")?)?;
    let list = flows::firewall::allow_list(&env);
    Ok(vec![firewall_object(&env, &list)])
}
