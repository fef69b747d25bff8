//! Desktop-flow security commands: key vault secrets (Az names), Power
//! Automate credentials, sharing of flows and components, Dataverse
//! security roles, the desktop-flow lint, DLP policies (the PowerApps
//! administration module's names), and Dataverse audit settings.

use super::{object, time};
use crate::environment;
use crate::error::{Error, ErrorCode, Result};
use crate::flows::{self, desktop, dlp, machines};
use crate::keyvault::{self, secrets, VaultKind};
use crate::registry::bind::Args;
use crate::registry::{Command, Effect, Group, Object, OutputSpec, Param, Side};
use crate::registry::{Ctx, Gate};
use crate::store::{ComponentRow, CredentialRow, DesktopConnectionRow, MachineRow};
use serde_json::{json, Value};

const SECRET_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.KeyVaultSecret",
    properties: &[
        "VaultName",
        "Name",
        "Version",
        "Id",
        "Enabled",
        "ContentType",
        "Created",
        "Deleted",
        "ScheduledPurgeDate",
        "SecretValueText",
    ],
    table: &["VaultName", "Name", "Version", "Enabled", "ContentType"],
};

const CREDENTIAL_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Credential",
    properties: &[
        "Name",
        "EnvironmentName",
        "Source",
        "VaultName",
        "SecretName",
        "UserName",
        "AuthenticationType",
        "RequiresMfa",
        "Owner",
        "SharedWith",
        "EnvironmentIdentity",
        "CreatedTime",
    ],
    table: &["Name", "Source", "VaultName", "SecretName", "UserName", "AuthenticationType", "Owner"],
};

const PERMISSION_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.FlowPermission",
    properties: &["FlowName", "EnvironmentName", "PrincipalId", "Principal", "Role", "Source"],
    table: &["Principal", "Role", "Source"],
};

const ROLE_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.SecurityRoleMember",
    properties: &["EnvironmentName", "RoleName", "PrincipalId", "Principal"],
    table: &["RoleName", "Principal"],
};

const COMPONENT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.DesktopFlowComponent",
    properties: &["EnvironmentName", "Kind", "Name", "Table", "Owner", "SharedWith", "CreatedTime"],
    table: &["Kind", "Name", "Table", "Owner"],
};

const LINT_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.DesktopFlowLint",
    properties: &["Rule", "Status", "Location", "Detail", "Remedy"],
    table: &["Rule", "Status", "Location", "Detail"],
};

const DLP_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.DlpPolicy",
    properties: &[
        "PolicyName",
        "DisplayName",
        "EnvironmentType",
        "Environments",
        "DefaultConnectorClassification",
        "ConnectorGroups",
        "ActionRules",
        "CreatedBy",
        "CreatedTime",
        "LastModifiedTime",
    ],
    table: &["PolicyName", "DisplayName", "EnvironmentType", "DefaultConnectorClassification"],
};

const AUDIT_SETTING_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.AuditSetting",
    properties: &["EnvironmentName", "Enabled", "Tables"],
    table: &["EnvironmentName", "Enabled", "Tables"],
};

const MACHINE_GROUP_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.HostedMachineGroup",
    properties: &[
        "Name",
        "EnvironmentName",
        "DiskEncryptionKey",
        "DiskKeyId",
        "NeedsReprovisioning",
        "NetworkCredential",
        "ProvisionedTime",
    ],
    table: &["Name", "DiskEncryptionKey", "NeedsReprovisioning", "NetworkCredential"],
};

const MACHINE_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.Machine",
    properties: &["Name", "EnvironmentName", "MachineGroupName", "MappedCredential", "RegisteredBy", "RegisteredTime"],
    table: &["Name", "MachineGroupName", "MappedCredential"],
};

const DESKTOP_CONNECTION_OUTPUT: OutputSpec = OutputSpec {
    type_name: "PpCmk.DesktopFlowConnection",
    properties: &[
        "ConnectionName",
        "EnvironmentName",
        "Connector",
        "MachineName",
        "MachineGroupName",
        "CredentialName",
        "UseMachineMapping",
        "CreatedBy",
        "CreatedTime",
    ],
    table: &["ConnectionName", "MachineName", "MachineGroupName", "CredentialName", "UseMachineMapping"],
};

const ENVIRONMENT_NAME: Param =
    Param::string("EnvironmentName").mandatory().pipeline().help("The environment's id (EnvironmentName, a GUID).");
const VAULT_NAME: Param = Param::string("VaultName").mandatory().pipeline().help("The key vault.");
const SECRET_NAME: Param = Param::string("Name").mandatory().alias(&["SecretName"]).pipeline().help("The secret.");
const POLICY_NAME: Param =
    Param::string("PolicyName").mandatory().pipeline().help("The DLP policy's name (GUID) or display name.");

pub static COMMANDS: &[Command] = &[
    Command {
        name: "Set-AzKeyVaultSecret",
        synopsis: "Creates a secret or adds a version (needs secrets set: Key Vault Secrets Officer); the value is sealed and never shown again unless read with -AsPlainText.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[
            VAULT_NAME,
            SECRET_NAME,
            Param::secure("SecretValue").mandatory().help("The value."),
            Param::string("ContentType").help("A hint about the value, e.g. password."),
        ],
        groups: &[],
        output: SECRET_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::Conflict],
        example: "Set-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -SecretValue (Read-Host -AsSecureString)",
        handler: set_secret,
    },
    Command {
        name: "Get-AzKeyVaultSecret",
        synopsis: "Gets secrets (metadata), one secret's versions, deleted secrets, or with -AsPlainText one value (needs secrets get: Key Vault Secrets User).",
        side: Side::Azure,
        effect: Effect::Read,
        params: &[
            VAULT_NAME,
            Param::string("Name").alias(&["SecretName"]).pipeline().help("One secret."),
            Param::string("Version").help("One version."),
            Param::switch("IncludeVersions").help("Every version of the secret."),
            Param::switch("InRemovedState").help("Soft-deleted secrets."),
            Param::switch("AsPlainText").yields("SecretValueText").help("Return the value alone, as text (requires -Name)."),
        ],
        groups: &[],
        output: SECRET_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::InvalidOperation],
        example: "Get-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -AsPlainText",
        handler: get_secret,
    },
    Command {
        name: "Remove-AzKeyVaultSecret",
        synopsis: "Soft-deletes a secret (recoverable until the vault's retention ends), or with -InRemovedState purges a deleted one.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT_NAME, SECRET_NAME, Param::switch("InRemovedState").help("Purge the soft-deleted secret for good."), Param::switch("Force").help("Accepted for compatibility.")],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound, ErrorCode::PurgeProtected],
        example: "Remove-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -Force",
        handler: remove_secret,
    },
    Command {
        name: "Undo-AzKeyVaultSecretRemoval",
        synopsis: "Recovers a soft-deleted secret.",
        side: Side::Azure,
        effect: Effect::Change,
        params: &[VAULT_NAME, SECRET_NAME],
        groups: &[],
        output: SECRET_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::ForbiddenByFirewall, ErrorCode::NotFound],
        example: "Undo-AzKeyVaultSecretRemoval -VaultName contoso-kv -Name sap-password",
        handler: recover_secret,
    },
    Command {
        name: "New-PpCmkCredential",
        synopsis: "Creates a Power Automate credential that points at a key vault secret; the environment reads it at run time as its own identity.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Name").mandatory().help("The credential's name."),
            Param::string("Source").mandatory().one_of(desktop::CREDENTIAL_SOURCES).help("Where the secret lives."),
            Param::string("VaultName").mandatory().help("The key vault (or CyberArk safe)."),
            Param::string("SecretName").mandatory().help("The secret."),
            Param::string("UserName").help("The user name that goes with the secret."),
            Param::string("AuthenticationType").one_of(desktop::AUTHENTICATION_TYPES).default("Password").help("How it signs in to a machine in a desktop flow connection: a password, or certificate-based authentication (the secret holds the certificate), which meets MFA requirements."),
            Param::switch("RequiresMfa").help("Its account must meet multifactor authentication (MFA) to sign in: a password sign-in then fails."),
        ],
        groups: &[],
        output: CREDENTIAL_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument, ErrorCode::EnvironmentLocked],
        example: "New-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login' -Source AzureKeyVault -VaultName contoso-kv -SecretName sap-password -UserName svc-sap",
        handler: new_credential,
    },
    Command {
        name: "Get-PpCmkCredential",
        synopsis: "Gets the credentials the caller may use (never their values).",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, Param::string("Name").help("One credential.")],
        groups: &[],
        output: CREDENTIAL_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_credentials,
    },
    Command {
        name: "Set-PpCmkCredential",
        synopsis: "Edits a credential: points it at another key vault or secret, or changes its user name or how it signs in (its owner or a System Administrator, who must be able to read the new secret); machines sign in with the edited credential from the next sign-in.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Name").mandatory().help("The credential."),
            Param::string("VaultName").help("Another key vault."),
            Param::string("SecretName").help("Another secret."),
            Param::string("UserName").help("Another user name ('' removes it)."),
            Param::string("AuthenticationType").one_of(desktop::AUTHENTICATION_TYPES).help("Sign in with a password or with certificate-based authentication from the next sign-in."),
            Param::boolean("RequiresMfa").help("Whether its account must meet multifactor authentication (MFA) to sign in."),
        ],
        groups: &[],
        output: CREDENTIAL_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::EnvironmentLocked],
        example: "Set-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login' -UserName svc-sap-2",
        handler: set_credential,
    },
    Command {
        name: "Remove-PpCmkCredential",
        synopsis: "Deletes a credential (its owner or a System Administrator); refused while a desktop flow reads it, or a hosted machine group, a desktop flow connection or a machine mapping signs in with it.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("Name").mandatory().help("The credential.")],
        groups: &[],
        output: CREDENTIAL_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::EnvironmentLocked],
        example: "Remove-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login'",
        handler: remove_credential,
    },
    Command {
        name: "Grant-PpCmkCredentialAccess",
        synopsis: "Shares a credential with a user (its owner or a System Administrator).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("Name").mandatory().help("The credential."), Param::string("UserPrincipalName").mandatory().help("The user.")],
        groups: &[],
        output: CREDENTIAL_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Grant-PpCmkCredentialAccess -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login' -UserPrincipalName maker@contoso.onmicrosoft.com",
        handler: grant_credential,
    },
    Command {
        name: "New-PpCmkHostedMachineGroup",
        synopsis: "Provisions a hosted machine group (Power Automate hosted RPA): its bots' VM disks are encrypted with the environment's key at provisioning. -NetworkCredential: the credential of its Microsoft Entra hybrid join network connection.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Name").mandatory().help("The group's name."),
            Param::string("NetworkCredential").help("A Power Automate credential for the hybrid join network connection to the AD domain."),
        ],
        groups: &[],
        output: MACHINE_GROUP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "New-PpCmkHostedMachineGroup -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'Invoice bots'",
        handler: new_machine_group,
    },
    Command {
        name: "Get-PpCmkHostedMachineGroup",
        synopsis: "Gets hosted machine groups: the key their VM disks are encrypted with, and whether they must be re-provisioned after the customer key applied.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, Param::string("Name").help("One group.")],
        groups: &[],
        output: MACHINE_GROUP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkHostedMachineGroup -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_machine_groups,
    },
    Command {
        name: "Update-PpCmkHostedMachineGroup",
        synopsis: "\"Reprovision group\" (-Reprovision): after a customer key applies, existing hosted machine groups must be re-provisioned so their VM disks are encrypted with it; or sets the hybrid join network credential.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Name").mandatory().help("The group."),
            Param::switch("Reprovision").help("Re-provision the group under the environment's current key."),
            Param::string("NetworkCredential").help("Another credential for the hybrid join network connection."),
        ],
        groups: &[],
        output: MACHINE_GROUP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::OperationInProgress, ErrorCode::EnvironmentLocked],
        example: "Update-PpCmkHostedMachineGroup -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'Invoice bots' -Reprovision",
        handler: update_machine_group,
    },
    Command {
        name: "Register-PpCmkMachine",
        synopsis: "Registers a machine in an environment, optionally in a machine group, for desktop flow connections to sign in to.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("MachineName").mandatory().help("The machine's name."),
            Param::string("MachineGroupName").help("The machine group it joins (a group exists once a machine is in it)."),
        ],
        groups: &[],
        output: MACHINE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument, ErrorCode::EnvironmentLocked],
        example: "Register-PpCmkMachine -EnvironmentName 00000000-0000-0000-0000-000000000000 -MachineName BOT-01 -MachineGroupName 'Invoice machines'",
        handler: register_machine,
    },
    Command {
        name: "Get-PpCmkMachine",
        synopsis: "Gets the machines of an environment: their machine group and the credential mapped to each (machine mapping).",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, Param::string("MachineName").help("One machine.")],
        groups: &[],
        output: MACHINE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkMachine -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_machines,
    },
    Command {
        name: "Set-PpCmkMachineMapping",
        synopsis: "Machine mapping: maps a machine to the dedicated credential that signs in to it (its Windows session) in desktop flow connections that use machine mapping (whoever registered it or a System Administrator).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("MachineName").mandatory().help("The machine."),
            Param::string("CredentialName").mandatory().help("The credential that signs in to it (one the caller may use)."),
        ],
        groups: &[],
        output: MACHINE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Set-PpCmkMachineMapping -EnvironmentName 00000000-0000-0000-0000-000000000000 -MachineName BOT-01 -CredentialName 'BOT-01 session'",
        handler: set_machine_mapping,
    },
    Command {
        name: "New-PpCmkDesktopFlowConnection",
        synopsis: "Creates a desktop flow connection (Desktop flows connector) to a machine or machine group; at run time it signs in with a credential, or with machine mapping with each machine's own (attended and unattended runs).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("ConnectionName").mandatory().help("The connection's name."),
            Param::string("MachineName").help("The machine it connects to."),
            Param::string("MachineGroupName").help("The machine group it connects to."),
            Param::string("CredentialName").help("The credential that signs in to the machine (one the caller may use)."),
            Param::switch("UseMachineMapping").help("Sign in to each machine with the credential mapped to it (Set-PpCmkMachineMapping)."),
        ],
        groups: &[Group::exactly_one(&["MachineName", "MachineGroupName"]), Group::exactly_one(&["CredentialName", "UseMachineMapping"])],
        output: DESKTOP_CONNECTION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument, ErrorCode::EnvironmentLocked],
        example: "New-PpCmkDesktopFlowConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -ConnectionName 'Invoice bots' -MachineGroupName 'Invoice machines' -CredentialName 'SAP login'",
        handler: new_desktop_connection,
    },
    Command {
        name: "Get-PpCmkDesktopFlowConnection",
        synopsis: "Gets the caller's desktop flow connections (they can't be shared with other users).",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, Param::string("ConnectionName").help("One connection.")],
        groups: &[],
        output: DESKTOP_CONNECTION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkDesktopFlowConnection -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_desktop_connections,
    },
    Command {
        name: "Remove-PpCmkDesktopFlowConnection",
        synopsis: "Deletes one of the caller's desktop flow connections.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("ConnectionName").mandatory().help("The connection.")],
        groups: &[],
        output: DESKTOP_CONNECTION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::EnvironmentLocked],
        example: "Remove-PpCmkDesktopFlowConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -ConnectionName 'Invoice bots'",
        handler: remove_desktop_connection,
    },
    Command {
        name: "Set-PpCmkFlowPermission",
        synopsis: "Shares a flow: Owner, CoOwner (manage and edit) or User (run only).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("FlowName").mandatory().help("The flow."),
            Param::string("UserPrincipalName").mandatory().help("The user."),
            Param::string("Role").mandatory().one_of(desktop::FLOW_ROLES).help("The access to give."),
        ],
        groups: &[],
        output: PERMISSION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Set-PpCmkFlowPermission -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -UserPrincipalName maker@contoso.onmicrosoft.com -Role User",
        handler: set_permission,
    },
    Command {
        name: "Get-PpCmkFlowPermission",
        synopsis: "Lists who has access to a flow and why (creator, sharing, or a security role that reads all Process records).",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME, Param::string("FlowName").mandatory().pipeline().help("The flow.")],
        groups: &[],
        output: PERMISSION_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkFlowPermission -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111",
        handler: get_permissions,
    },
    Command {
        name: "Remove-PpCmkFlowPermission",
        synopsis: "Stops sharing a flow with a user.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("FlowName").mandatory().help("The flow."), Param::string("UserPrincipalName").mandatory().help("The user.")],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-PpCmkFlowPermission -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -UserPrincipalName maker@contoso.onmicrosoft.com",
        handler: remove_permission,
    },
    Command {
        name: "Add-PpCmkSecurityRoleMember",
        synopsis: "Gives a user a Dataverse security role in an environment (administrators); System Administrator and System Customizer read all Process records, so they co-own every desktop flow.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("RoleName").mandatory().one_of(desktop::SECURITY_ROLES).help("The security role."), Param::string("UserPrincipalName").mandatory().help("The user.")],
        groups: &[],
        output: ROLE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Add-PpCmkSecurityRoleMember -EnvironmentName 00000000-0000-0000-0000-000000000000 -RoleName 'Basic User' -UserPrincipalName maker@contoso.onmicrosoft.com",
        handler: add_role_member,
    },
    Command {
        name: "Remove-PpCmkSecurityRoleMember",
        synopsis: "Takes a Dataverse security role from a user.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("RoleName").mandatory().one_of(desktop::SECURITY_ROLES).help("The security role."), Param::string("UserPrincipalName").mandatory().help("The user.")],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-PpCmkSecurityRoleMember -EnvironmentName 00000000-0000-0000-0000-000000000000 -RoleName 'Basic User' -UserPrincipalName maker@contoso.onmicrosoft.com",
        handler: remove_role_member,
    },
    Command {
        name: "Get-PpCmkSecurityRoleMember",
        synopsis: "Lists the Dataverse security role members of an environment.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: ROLE_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkSecurityRoleMember -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_role_members,
    },
    Command {
        name: "New-PpCmkDesktopFlowComponent",
        synopsis: "Creates a component desktop flows reference: a work queue, a UI elements collection or a custom action.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[ENVIRONMENT_NAME, Param::string("Kind").mandatory().one_of(desktop::COMPONENT_KINDS).help("What it is."), Param::string("Name").mandatory().help("Its name.")],
        groups: &[],
        output: COMPONENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::AlreadyExists, ErrorCode::InvalidArgument],
        example: "New-PpCmkDesktopFlowComponent -EnvironmentName 00000000-0000-0000-0000-000000000000 -Kind WorkQueue -Name Invoices",
        handler: new_component,
    },
    Command {
        name: "Get-PpCmkDesktopFlowComponent",
        synopsis: "Lists an environment's work queues, UI elements collections and custom actions, with their Dataverse tables and sharing.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: COMPONENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkDesktopFlowComponent -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_components,
    },
    Command {
        name: "Grant-PpCmkDesktopFlowComponentAccess",
        synopsis: "Shares a work queue, UI elements collection or custom action with a user (its owner or a System Administrator).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("Kind").mandatory().one_of(desktop::COMPONENT_KINDS).help("What it is."),
            Param::string("Name").mandatory().help("Its name."),
            Param::string("UserPrincipalName").mandatory().help("The user."),
        ],
        groups: &[],
        output: COMPONENT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Grant-PpCmkDesktopFlowComponentAccess -EnvironmentName 00000000-0000-0000-0000-000000000000 -Kind WorkQueue -Name Invoices -UserPrincipalName maker@contoso.onmicrosoft.com",
        handler: grant_component,
    },
    Command {
        name: "Test-PpCmkDesktopFlow",
        synopsis: "Lints a desktop flow against the documented rules: sensitive values passed as input variables instead of Get credential, sensitive values copied into non-sensitive variables, connection strings built from sensitive values.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[
            ENVIRONMENT_NAME,
            Param::string("FlowName").mandatory().pipeline().help("The desktop flow."),
            Param::string(Gate::PARAMETER).one_of(Gate::LEVELS).help("Exit 1 (an error in PowerShell) when a rule reaches this Status."),
        ],
        groups: &[],
        output: LINT_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument, ErrorCode::ChecksFailed],
        example: "Test-PpCmkDesktopFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -FailOn Fail",
        handler: lint_flow,
    },
    Command {
        name: "New-DlpPolicy",
        synopsis: "Creates a data loss prevention policy; flows it puts in breach are suspended.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            Param::string("DisplayName").mandatory().help("The policy's name."),
            Param::string("EnvironmentType").mandatory().one_of(dlp::ENVIRONMENT_TYPES).help("Which environments it covers."),
            Param::strings("Environments").help("The environments for OnlyEnvironments or ExceptEnvironments."),
            Param::string("DefaultConnectorClassification").one_of(dlp::CLASSIFICATIONS).default("General").help("For connectors not classified: General (Non-business), Confidential (Business) or Blocked."),
            Param::string("ApiVersion").default("2016-11-01").help("Accepted for compatibility."),
        ],
        groups: &[],
        output: DLP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "New-DlpPolicy -DisplayName 'Finance DLP' -EnvironmentType AllEnvironments",
        handler: new_dlp_policy,
    },
    Command {
        name: "Get-DlpPolicy",
        synopsis: "Gets data loss prevention policies.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[Param::string("PolicyName").pipeline().help("One policy (name or display name)."), Param::string("ApiVersion").default("2016-11-01").help("Accepted for compatibility.")],
        groups: &[],
        output: DLP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-DlpPolicy",
        handler: get_dlp_policies,
    },
    Command {
        name: "Set-DlpPolicy",
        synopsis: "Changes a DLP policy's name, scope or default classification; flows it puts in breach are suspended.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            POLICY_NAME,
            Param::string("DisplayName").help("A new name."),
            Param::string("EnvironmentType").one_of(dlp::ENVIRONMENT_TYPES).help("Which environments it covers."),
            Param::strings("Environments").help("The environments for OnlyEnvironments or ExceptEnvironments."),
            Param::string("DefaultConnectorClassification").one_of(dlp::CLASSIFICATIONS).help("For connectors not classified."),
        ],
        groups: &[],
        output: DLP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-DlpPolicy -PolicyName 'Finance DLP' -DefaultConnectorClassification Blocked",
        handler: set_dlp_policy,
    },
    Command {
        name: "Set-PpCmkDlpConnectorClassification",
        synopsis: "Classifies connectors or desktop-flow action groups in a DLP policy: Business, NonBusiness or Blocked.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            POLICY_NAME,
            Param::strings("Connector").mandatory().help("Connector ids (shared_office365) or desktop action groups (Excel, Cmd, Credentials)."),
            Param::string("Classification").mandatory().one_of(dlp::CLASSIFICATIONS).help("Business (Confidential), NonBusiness (General) or Blocked."),
        ],
        groups: &[],
        output: DLP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-PpCmkDlpConnectorClassification -PolicyName 'Finance DLP' -Connector Cmd -Classification Blocked",
        handler: classify_connectors,
    },
    Command {
        name: "Set-PpCmkDlpActionRule",
        synopsis: "Allows or blocks single actions of a connector or action group, or sets the default for actions added later.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            POLICY_NAME,
            Param::string("Connector").mandatory().help("The connector or desktop action group."),
            Param::strings("Action").help("Actions to rule on."),
            Param::string("Behavior").one_of(dlp::BEHAVIORS).help("Allow or Block the -Action actions."),
            Param::string("DefaultBehavior").one_of(dlp::BEHAVIORS).help("Allow or Block actions without a rule (actions added later)."),
        ],
        groups: &[],
        output: DLP_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-PpCmkDlpActionRule -PolicyName 'Finance DLP' -Connector Excel -Action RunMacro -Behavior Block",
        handler: set_action_rule,
    },
    Command {
        name: "Remove-DlpPolicy",
        synopsis: "Deletes a DLP policy (suspended flows stay suspended until turned on again).",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[POLICY_NAME, Param::string("ApiVersion").default("2016-11-01").help("Accepted for compatibility.")],
        groups: &[],
        output: OutputSpec::NONE,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Remove-DlpPolicy -PolicyName 'Finance DLP'",
        handler: remove_dlp_policy,
    },
    Command {
        name: "Set-PpCmkAuditSetting",
        synopsis: "Turns Dataverse auditing on or off for an environment and chooses the automation tables whose reads and changes are recorded.",
        side: Side::PowerPlatform,
        effect: Effect::Change,
        params: &[
            ENVIRONMENT_NAME,
            Param::boolean("Enabled").help("Auditing at the environment level."),
            Param::strings("Tables").one_of(environment::AUDIT_TABLES).help("The audited tables."),
        ],
        groups: &[],
        output: AUDIT_SETTING_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound, ErrorCode::InvalidArgument],
        example: "Set-PpCmkAuditSetting -EnvironmentName 00000000-0000-0000-0000-000000000000 -Enabled $true -Tables Process,Credential",
        handler: set_audit_setting,
    },
    Command {
        name: "Get-PpCmkAuditSetting",
        synopsis: "Gets an environment's Dataverse audit setting.",
        side: Side::PowerPlatform,
        effect: Effect::Read,
        params: &[ENVIRONMENT_NAME],
        groups: &[],
        output: AUDIT_SETTING_OUTPUT,
        errors: &[ErrorCode::Forbidden, ErrorCode::NotFound],
        example: "Get-PpCmkAuditSetting -EnvironmentName 00000000-0000-0000-0000-000000000000",
        handler: get_audit_setting,
    },
];

// ---------------------------------------------------------------- secrets

fn secret_object(v: &secrets::SecretView) -> Object {
    object(json!({
        "VaultName": v.vault.row.name,
        "Name": v.secret.name,
        "Version": v.version.version,
        "Id": v.id(),
        "Enabled": v.version.enabled,
        "ContentType": v.version.content_type,
        "Created": time(v.version.created_time),
        "Deleted": v.secret.deleted_time.map(time),
        "ScheduledPurgeDate": v.secret.scheduled_purge_time.map(time),
        "SecretValueText": null,
    }))
}

fn vault(ctx: &Ctx, args: &Args) -> Result<keyvault::Vault> {
    ctx.data_plane_vault(args.required("VaultName")?, VaultKind::Vault)
}

fn set_secret(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let v = vault(ctx, args)?;
    let view = secrets::set(
        ctx.store(),
        ctx.db(),
        &who,
        &v,
        args.required("Name")?,
        args.required("SecretValue")?,
        args.str("ContentType"),
        ctx.now,
    )?;
    ctx.set_audit_target(view.id());
    Ok(vec![secret_object(&view)])
}

fn get_secret(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let v = vault(ctx, args)?;
    let db = ctx.db();
    match (args.str("Name"), args.switch("AsPlainText")) {
        (Some(name), true) => {
            // Reading a value is recorded like a change: it is the secret's use.
            let (view, value) = ctx
                .store()
                .write(|db| secrets::value(ctx.store(), db, &who, &v, name, args.str("Version"), ctx.now))?;
            let mut o = secret_object(&view);
            o.insert("SecretValueText".into(), Value::String(value.to_string()));
            Ok(vec![o])
        }
        (None, true) => {
            Err(Error::new(ErrorCode::ParameterSetConflict, "-AsPlainText needs -Name: one secret's value at a time."))
        }
        (Some(name), false) if args.switch("InRemovedState") => Ok(secrets::list(db, &who, &v, true)?
            .iter()
            .filter(|s| s.secret.name.eq_ignore_ascii_case(name))
            .map(secret_object)
            .collect()),
        (Some(name), false) if args.switch("IncludeVersions") => {
            Ok(secrets::versions(db, &who, &v, name)?.iter().map(secret_object).collect())
        }
        (Some(name), false) => Ok(vec![secret_object(&secrets::get(db, &who, &v, name, args.str("Version"))?)]),
        (None, false) => {
            Ok(secrets::list(db, &who, &v, args.switch("InRemovedState"))?.iter().map(secret_object).collect())
        }
    }
}

fn remove_secret(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let v = vault(ctx, args)?;
    let name = args.required("Name")?;
    if args.switch("InRemovedState") {
        secrets::purge(ctx.db(), &who, &v, name)?;
        ctx.set_audit_detail("purged");
        ctx.checkpoint_after_commit(); // no copy of the sealed value left in the WAL
    } else {
        let view = secrets::remove(ctx.db(), &who, &v, name, ctx.now)?;
        ctx.set_audit_target(view.id());
    }
    Ok(vec![])
}

fn recover_secret(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let who = ctx.requester()?;
    let v = vault(ctx, args)?;
    let view = secrets::recover(ctx.db(), &who, &v, args.required("Name")?, ctx.now)?;
    ctx.set_audit_target(view.id());
    Ok(vec![secret_object(&view)])
}

// ------------------------------------------------------------ credentials

fn credential_object(ctx: &Ctx, environment_id: &str, c: &CredentialRow) -> Result<Object> {
    let db = ctx.db();
    let name = |id: &str| -> Result<String> {
        Ok(keyvault::principal_display_name(db, id)?.unwrap_or_else(|| id.to_string()))
    };
    let shared: Vec<String> =
        db.credential_users(c.credential_key)?.iter().map(|id| name(id)).collect::<Result<_>>()?;
    Ok(object(json!({
        "Name": c.name,
        "EnvironmentName": environment_id,
        "Source": c.source,
        "VaultName": c.vault_name,
        "SecretName": c.secret_name,
        "UserName": c.user_name,
        "AuthenticationType": c.authentication_type,
        "RequiresMfa": c.requires_mfa,
        "Owner": name(&c.owner_id)?,
        "SharedWith": shared,
        // The identity the environment reads the secret as (grant it Key Vault Secrets User).
        "EnvironmentIdentity": environment::find(db, environment_id).ok().and_then(|e| desktop::existing_identity(&e)),
        "CreatedTime": time(c.created_time),
    })))
}

fn new_credential(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let at_vault = ctx.requester()?;
    let (c, warning) = desktop::create_credential(
        ctx.db(),
        &caller,
        &at_vault,
        env_id,
        args.required("Name")?,
        args.required("Source")?,
        args.required("VaultName")?,
        args.required("SecretName")?,
        args.str("UserName"),
        desktop::SignInMethod {
            authentication_type: args.str("AuthenticationType"),
            requires_mfa: Some(args.switch("RequiresMfa")),
        },
        ctx.now,
    )?;
    if let Some(w) = warning {
        ctx.warn(w);
    }
    ctx.set_audit_scope(env_id, "Credential")?;
    ctx.set_audit_target(format!("{env_id}/credentials/{}", c.name));
    Ok(vec![credential_object(ctx, env_id, &c)?])
}

fn set_credential(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let at_vault = ctx.requester()?;
    let (c, warning) = desktop::update_credential(
        ctx.db(),
        &caller,
        &at_vault,
        env_id,
        args.required("Name")?,
        args.str("VaultName"),
        args.str("SecretName"),
        args.str("UserName"),
        desktop::SignInMethod {
            authentication_type: args.str("AuthenticationType"),
            requires_mfa: args.bool("RequiresMfa"),
        },
        ctx.now,
    )?;
    if let Some(w) = warning {
        ctx.warn(w);
    }
    ctx.set_audit_scope(env_id, "Credential")?;
    ctx.set_audit_target(format!("{env_id}/credentials/{}", c.name));
    Ok(vec![credential_object(ctx, env_id, &c)?])
}

fn remove_credential(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    // The object as it was, before it goes.
    let env = crate::environment::find(ctx.db(), env_id)?;
    let before = desktop::find_credential(ctx.db(), &env, args.required("Name")?)?;
    let shown = credential_object(ctx, env_id, &before)?;
    let c = desktop::remove_credential(ctx.store(), ctx.db(), &caller, env_id, args.required("Name")?, ctx.now)?;
    ctx.set_audit_scope(env_id, "Credential")?;
    ctx.set_audit_target(format!("{env_id}/credentials/{}", c.name));
    Ok(vec![shown])
}

fn get_credentials(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let (env, mut list) = desktop::credentials(ctx.db(), &caller, env_id)?;
    if let Some(name) = args.str("Name") {
        list.retain(|c| c.name.eq_ignore_ascii_case(name.trim()));
        if list.is_empty() {
            return Err(Error::not_found("Credential", name));
        }
    }
    ctx.set_audit_scope(env.id(), "Credential")?;
    list.iter().map(|c| credential_object(ctx, env.id(), c)).collect()
}

fn grant_credential(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let upn = args.required("UserPrincipalName")?;
    let c = desktop::grant_credential(ctx.db(), &caller, env_id, args.required("Name")?, upn)?;
    ctx.set_audit_scope(env_id, "Credential")?;
    ctx.set_audit_target(format!("{env_id}/credentials/{}", c.name));
    ctx.set_audit_detail(format!("shared with {upn}"));
    Ok(vec![credential_object(ctx, env_id, &c)?])
}

// ---------------------------------------------------------------- sharing

fn permission_rows(ctx: &Ctx, environment_id: &str, flow_id: &str) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    Ok(desktop::permissions(ctx.db(), &caller, environment_id, flow_id)?
        .into_iter()
        .map(|(id, name, role, source)| {
            object(json!({
                "FlowName": flow_id,
                "EnvironmentName": environment_id,
                "PrincipalId": id,
                "Principal": name,
                "Role": role,
                "Source": source,
            }))
        })
        .collect())
}

fn set_permission(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let upn = args.required("UserPrincipalName")?;
    let role = args.required("Role")?;
    let flow = desktop::share(ctx.db(), &caller, env_id, args.required("FlowName")?, upn, role)?;
    ctx.set_audit_scope(env_id, "Process")?;
    ctx.set_audit_target(format!("{env_id}/{}", flow.flow_id));
    ctx.set_audit_detail(format!("{role} for {upn}"));
    permission_rows(ctx, env_id, &flow.flow_id)
}

fn get_permissions(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let env_id = args.required("EnvironmentName")?;
    ctx.set_audit_scope(env_id, "Process")?;
    permission_rows(ctx, env_id, args.required("FlowName")?)
}

fn remove_permission(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let upn = args.required("UserPrincipalName")?;
    let flow = desktop::unshare(ctx.db(), &caller, env_id, args.required("FlowName")?, upn)?;
    ctx.set_audit_scope(env_id, "Process")?;
    ctx.set_audit_target(format!("{env_id}/{}", flow.flow_id));
    ctx.set_audit_detail(format!("unshared with {upn}"));
    Ok(vec![])
}

fn role_rows(ctx: &Ctx, env: &environment::Environment) -> Result<Vec<Object>> {
    let db = ctx.db();
    db.security_role_members(env.row.env_key)?
        .into_iter()
        .map(|(role, id)| {
            let name = keyvault::principal_display_name(db, &id)?.unwrap_or_else(|| id.clone());
            Ok(object(json!({"EnvironmentName": env.id(), "RoleName": role, "PrincipalId": id, "Principal": name})))
        })
        .collect()
}

fn add_role_member(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = desktop::set_security_role(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("RoleName")?,
        args.required("UserPrincipalName")?,
        true,
    )?;
    ctx.set_audit_target(env.id().to_string());
    role_rows(ctx, &env)
}

fn remove_role_member(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = desktop::set_security_role(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("RoleName")?,
        args.required("UserPrincipalName")?,
        false,
    )?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![])
}

fn get_role_members(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    environment::require_admin(&caller, "list security roles")?;
    let env = environment::find(ctx.db(), args.required("EnvironmentName")?)?;
    role_rows(ctx, &env)
}

// ------------------------------------------------------------- components

fn component_object(ctx: &Ctx, environment_id: &str, c: &ComponentRow) -> Result<Object> {
    let db = ctx.db();
    let name = |id: &str| -> Result<String> {
        Ok(keyvault::principal_display_name(db, id)?.unwrap_or_else(|| id.to_string()))
    };
    let shared: Vec<String> = db.component_users(c.component_key)?.iter().map(|id| name(id)).collect::<Result<_>>()?;
    Ok(object(json!({
        "EnvironmentName": environment_id,
        "Kind": c.kind,
        "Name": c.name,
        "Table": desktop::component_table(&c.kind),
        "Owner": name(&c.owner_id)?,
        "SharedWith": shared,
        "CreatedTime": time(c.created_time),
    })))
}

fn new_component(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let c =
        desktop::create_component(ctx.db(), &caller, env_id, args.required("Kind")?, args.required("Name")?, ctx.now)?;
    ctx.set_audit_scope(env_id, desktop::component_audit_table(&c.kind))?;
    ctx.set_audit_target(format!("{env_id}/{}/{}", c.kind, c.name));
    Ok(vec![component_object(ctx, env_id, &c)?])
}

fn get_components(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env = flows::open_for_read(ctx.db(), &caller, args.required("EnvironmentName")?)?;
    let list = ctx.db().components(env.row.env_key)?;
    ctx.set_audit_scope(env.id(), "DesktopFlowModule")?;
    list.iter().map(|c| component_object(ctx, env.id(), c)).collect()
}

fn grant_component(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let upn = args.required("UserPrincipalName")?;
    let c = desktop::grant_component(ctx.db(), &caller, env_id, args.required("Kind")?, args.required("Name")?, upn)?;
    ctx.set_audit_scope(env_id, desktop::component_audit_table(&c.kind))?;
    ctx.set_audit_target(format!("{env_id}/{}/{}", c.kind, c.name));
    ctx.set_audit_detail(format!("shared with {upn}"));
    Ok(vec![component_object(ctx, env_id, &c)?])
}

// ------------------------------------------------------------------- lint

fn lint_flow(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let env_id = args.required("EnvironmentName")?;
    let flow_id = args.required("FlowName")?;
    let list = flows::list(ctx.store(), ctx.db(), &caller, Some(env_id), Some(flow_id), ctx.now)?;
    let flow = list.first().ok_or_else(|| Error::not_found("Flow", flow_id))?;
    let definition = desktop::definition_of(flow)?;
    ctx.set_audit_scope(env_id, "Process")?;
    Ok(desktop::lint(&definition)
        .into_iter()
        .map(|r| object(json!({"Rule": r.rule, "Status": r.status, "Location": r.location, "Detail": r.detail, "Remedy": r.remedy})))
        .collect())
}

// -------------------------------------------------------------------- DLP

fn dlp_object(p: &dlp::Policy) -> Object {
    object(json!({
        "PolicyName": p.row.policy_name,
        "DisplayName": p.row.display_name,
        "EnvironmentType": p.row.environment_type,
        "Environments": p.environments,
        "DefaultConnectorClassification": p.row.default_classification,
        "ConnectorGroups": p.groups,
        "ActionRules": p.rules,
        "CreatedBy": p.row.created_by,
        "CreatedTime": time(p.row.created_time),
        "LastModifiedTime": time(p.row.last_modified_time),
    }))
}

fn report_change(ctx: &mut Ctx, change: dlp::Change) -> Vec<Object> {
    for (env, flow, reason) in &change.suspended {
        ctx.warn(format!("Flow '{flow}' in environment {env} was suspended. {reason}"));
    }
    ctx.set_audit_target(change.policy.row.policy_name.clone());
    if !change.suspended.is_empty() {
        ctx.set_audit_detail(format!("{} flow(s) suspended", change.suspended.len()));
    }
    vec![dlp_object(&change.policy)]
}

fn new_dlp_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let envs = args.strings("Environments").unwrap_or_default();
    let change = dlp::create(
        ctx.store(),
        ctx.db(),
        &caller,
        args.required("DisplayName")?,
        args.required("EnvironmentType")?,
        &envs,
        args.str("DefaultConnectorClassification").unwrap_or("General"),
        ctx.now,
    )?;
    Ok(report_change(ctx, change))
}

fn get_dlp_policies(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    Ok(dlp::list(ctx.db(), &caller, args.str("PolicyName"))?.iter().map(dlp_object).collect())
}

fn apply_change(ctx: &mut Ctx, args: &Args, change: &dlp::PolicyChange) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let change = dlp::update(ctx.store(), ctx.db(), &caller, args.required("PolicyName")?, change, ctx.now)?;
    Ok(report_change(ctx, change))
}

fn set_dlp_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let envs = args.strings("Environments");
    let change = dlp::PolicyChange {
        display_name: args.str("DisplayName"),
        environment_type: args.str("EnvironmentType"),
        environments: envs.as_deref(),
        default_classification: args.str("DefaultConnectorClassification"),
        ..Default::default()
    };
    apply_change(ctx, args, &change)
}

fn classify_connectors(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let connectors = args.strings("Connector").unwrap_or_default();
    let change =
        dlp::PolicyChange { classify: Some((&connectors, args.required("Classification")?)), ..Default::default() };
    apply_change(ctx, args, &change)
}

fn set_action_rule(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let connector = args.required("Connector")?;
    let actions = args.strings("Action").unwrap_or_default();
    let mut change = dlp::PolicyChange::default();
    match (actions.is_empty(), args.str("Behavior")) {
        (false, Some(b)) => change.action_rule = Some((connector, &actions, b)),
        (false, None) => {
            return Err(Error::new(ErrorCode::ParameterSetConflict, "-Action needs -Behavior Allow or Block."))
        }
        (true, Some(_)) => return Err(Error::new(ErrorCode::ParameterSetConflict, "-Behavior needs -Action.")),
        (true, None) => {}
    }
    if let Some(d) = args.str("DefaultBehavior") {
        change.default_action_rule = Some((connector, d));
    }
    if change.action_rule.is_none() && change.default_action_rule.is_none() {
        return Err(Error::new(ErrorCode::ParameterSetConflict, "Give -Action with -Behavior, or -DefaultBehavior."));
    }
    apply_change(ctx, args, &change)
}

fn remove_dlp_policy(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let p = dlp::remove(ctx.db(), &caller, args.required("PolicyName")?)?;
    ctx.set_audit_target(p.row.policy_name.clone());
    Ok(vec![])
}

// ------------------------------------------------------------------ audit

fn audit_setting_object(env: &environment::Environment) -> Object {
    let (enabled, tables) = environment::audit_setting(env);
    object(json!({"EnvironmentName": env.id(), "Enabled": enabled, "Tables": tables}))
}

fn set_audit_setting(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let tables = args.strings("Tables");
    let env = environment::set_audit_setting(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.bool("Enabled"),
        tables.as_deref(),
    )?;
    ctx.set_audit_target(env.id().to_string());
    Ok(vec![audit_setting_object(&env)])
}

fn get_audit_setting(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    environment::require_admin(&caller, "read audit settings")?;
    Ok(vec![audit_setting_object(&environment::find(ctx.db(), args.required("EnvironmentName")?)?)])
}

fn machine_group_object(env: &crate::environment::Environment, g: &crate::flows::hosted::MachineGroup) -> Object {
    object(json!({
        "Name": g.name,
        "EnvironmentName": env.id(),
        "DiskEncryptionKey": if g.disk_key == crate::flows::CUSTOMER { "Customer-managed key" } else { "Microsoft-managed key" },
        "DiskKeyId": g.disk_key_id,
        "NeedsReprovisioning": crate::flows::hosted::needs_reprovisioning(env, g),
        "NetworkCredential": g.network_credential,
        "ProvisionedTime": time(g.provisioned_time),
    }))
}

fn new_machine_group(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, g) = crate::flows::hosted::create(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("Name")?,
        args.str("NetworkCredential"),
        ctx.now,
    )?;
    ctx.set_audit_target(format!("{}/hostedMachineGroups/{}", env.id(), g.name));
    Ok(vec![machine_group_object(&env, &g)])
}

fn get_machine_groups(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, list) =
        crate::flows::hosted::list(ctx.db(), &caller, args.required("EnvironmentName")?, args.str("Name"))?;
    Ok(list.iter().map(|g| machine_group_object(&env, g)).collect())
}

fn update_machine_group(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, g) = crate::flows::hosted::update(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("Name")?,
        args.switch("Reprovision"),
        args.str("NetworkCredential"),
        ctx.now,
    )?;
    ctx.set_audit_target(format!("{}/hostedMachineGroups/{}", env.id(), g.name));
    Ok(vec![machine_group_object(&env, &g)])
}

// ------------------------------------------ machines and desktop flow connections

fn machine_object(ctx: &Ctx, env: &environment::Environment, m: &MachineRow) -> Result<Object> {
    Ok(object(json!({
        "Name": m.name,
        "EnvironmentName": env.id(),
        "MachineGroupName": m.group_name,
        "MappedCredential": machines::credential_name(ctx.db(), m.mapped_credential_key)?,
        "RegisteredBy": keyvault::principal_display_name(ctx.db(), &m.registered_by)?.unwrap_or_else(|| m.registered_by.clone()),
        "RegisteredTime": time(m.registered_time),
    })))
}

fn register_machine(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, m) = machines::register(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("MachineName")?,
        args.str("MachineGroupName"),
        ctx.now,
    )?;
    ctx.set_audit_target(format!("{}/machines/{}", env.id(), m.name));
    Ok(vec![machine_object(ctx, &env, &m)?])
}

fn get_machines(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, list) =
        machines::machines(ctx.db(), &caller, args.required("EnvironmentName")?, args.str("MachineName"))?;
    list.iter().map(|m| machine_object(ctx, &env, m)).collect()
}

fn set_machine_mapping(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, m) = machines::set_mapping(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("MachineName")?,
        args.required("CredentialName")?,
    )?;
    ctx.set_audit_target(format!("{}/machines/{}", env.id(), m.name));
    ctx.set_audit_detail(format!("mapped to credential {}", args.required("CredentialName")?));
    Ok(vec![machine_object(ctx, &env, &m)?])
}

fn desktop_connection_object(ctx: &Ctx, env: &environment::Environment, c: &DesktopConnectionRow) -> Result<Object> {
    Ok(object(json!({
        "ConnectionName": c.name,
        "EnvironmentName": env.id(),
        "Connector": machines::CONNECTOR,
        "MachineName": c.machine_name,
        "MachineGroupName": c.group_name,
        "CredentialName": machines::credential_name(ctx.db(), c.credential_key)?,
        "UseMachineMapping": c.use_machine_mapping,
        "CreatedBy": keyvault::principal_display_name(ctx.db(), &c.created_by)?.unwrap_or_else(|| c.created_by.clone()),
        "CreatedTime": time(c.created_time),
    })))
}

fn new_desktop_connection(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let spec = machines::NewConnection {
        name: args.required("ConnectionName")?,
        machine: args.str("MachineName"),
        group: args.str("MachineGroupName"),
        credential: args.str("CredentialName"),
        use_machine_mapping: args.switch("UseMachineMapping"),
    };
    let (env, c) = machines::create_connection(ctx.db(), &caller, args.required("EnvironmentName")?, &spec, ctx.now)?;
    ctx.set_audit_target(format!("{}/desktopFlowConnections/{}", env.id(), c.name));
    Ok(vec![desktop_connection_object(ctx, &env, &c)?])
}

fn get_desktop_connections(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, list) =
        machines::connections(ctx.db(), &caller, args.required("EnvironmentName")?, args.str("ConnectionName"))?;
    list.iter().map(|c| desktop_connection_object(ctx, &env, c)).collect()
}

fn remove_desktop_connection(ctx: &mut Ctx, args: &Args) -> Result<Vec<Object>> {
    let caller = ctx.caller()?.clone();
    let (env, c) = machines::remove_connection(
        ctx.db(),
        &caller,
        args.required("EnvironmentName")?,
        args.required("ConnectionName")?,
    )?;
    ctx.set_audit_target(format!("{}/desktopFlowConnections/{}", env.id(), c.name));
    // The credential it named stays; the object still names it.
    Ok(vec![desktop_connection_object(ctx, &env, &c)?])
}
