//! Desktop-flow security: credentials from the key vault whose values are
//! found nowhere, the lint of the documented rules, sharing of flows and of
//! the components they reference, DLP policies, and the audit log.

use crate::support;

use ppcmk::ErrorCode;
use serde_json::{json, Value};
use support::{cli, contains, stdout, store_file_bytes, upn, TestStore};

const SECRET: &str = "S3cr3t-SAP-pa55-9931";
const MAKER: &str = "maker@contoso.onmicrosoft.com";

/// A tenant with an RBAC vault holding the SAP password, an environment the
/// maker belongs to (Basic User), and a credential the environment's
/// identity can read.
struct Rpa {
    t: TestStore,
    env: String,
}

impl Rpa {
    fn new() -> Rpa {
        let t = TestStore::new();
        t.ok("New-AzResourceGroup", json!({"Name": "rpa", "Location": "centralus"}));
        let v = t.ok("New-AzKeyVault", json!({"Name": "rpa-kv", "ResourceGroupName": "rpa", "Location": "centralus"}));
        let vault_id = v[0]["ResourceId"].as_str().unwrap().to_string();
        t.ok("New-AzRoleAssignment", json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Secrets Officer", "Scope": vault_id}));
        t.ok("Set-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password", "SecretValue": SECRET}));
        let env = t.ok(
            "New-AdminPowerAppEnvironment",
            json!({"DisplayName": "Finance RPA", "Location": "unitedstates", "EnvironmentSku": "Production", "ProvisionDatabase": true}),
        )[0]["EnvironmentName"]
            .as_str()
            .unwrap()
            .to_string();
        t.user("maker");
        t.ok(
            "Add-PpCmkSecurityRoleMember",
            json!({"EnvironmentName": env, "RoleName": "Basic User", "UserPrincipalName": MAKER}),
        );
        let out = ppcmk::invoke_json(
            &t.store,
            &json!({"command": "New-PpCmkCredential", "parameters": {"EnvironmentName": env, "Name": "SAP login", "Source": "AzureKeyVault", "VaultName": "rpa-kv", "SecretName": "sap-password", "UserName": "svc-sap"}}),
            Default::default(),
        )
        .unwrap();
        assert!(out.warnings[0].contains("Key Vault Secrets User"), "the missing grant is named: {:?}", out.warnings);
        let identity = out.objects.first().unwrap()["EnvironmentIdentity"].as_str().unwrap().to_string();
        t.ok(
            "New-AzRoleAssignment",
            json!({"ObjectId": identity, "RoleDefinitionName": "Key Vault Secrets User", "Scope": vault_id}),
        );
        Rpa { t, env }
    }

    fn desktop_flow(&self, name: &str, definition: Value) -> String {
        self.t.ok(
            "New-PpCmkFlow",
            json!({"EnvironmentName": self.env, "DisplayName": name, "Kind": "Desktop", "Trigger": "Manual", "InSolution": true, "Definition": definition}),
        )[0]["FlowName"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// Signs in to SAP with the credential, as the article recommends.
fn sap_flow() -> Value {
    json!({
        "variables": [
            {"name": "Sap", "direction": "Flow", "type": "Credential"},
            {"name": "Connection", "direction": "Flow", "sensitive": true},
            {"name": "Greeting", "direction": "Output"},
            {"name": "Echo", "direction": "Output"},
        ],
        "actions": [
            {"action": "GetCredential", "credential": "SAP login", "output": "Sap"},
            {"action": "SetVariable", "variable": "Connection", "value": "Server=sap;User=%Sap.Username%;Password=%Sap.Password%"},
            {"action": "SAP.Logon", "connectionReference": "sap"},
            {"action": "SetVariable", "variable": "Greeting", "value": "Signed in as %Sap.Username%"},
            // A mistake the lint flags; at run time the value is still masked.
            {"action": "SetVariable", "variable": "Echo", "value": "pw=%Sap.Password%"},
        ]
    })
}

#[test]
fn a_credential_is_used_at_run_time_and_its_value_is_found_nowhere() {
    let r = Rpa::new();
    let flow = r.desktop_flow("SAP invoices", sap_flow());
    let run = r.t.ok("Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": flow}));
    let outputs: Value = serde_json::from_str(run[0]["ActionOutputs"].as_str().unwrap()).unwrap();
    assert_eq!(outputs["Greeting"], "Signed in as svc-sap", "the run did read the credential");
    assert_eq!(outputs["Echo"], "***", "a value built from a secret is masked whole, even in a plain variable");
    // Run history, summary, CSV export, the store's files: no secret anywhere.
    let history = r.t.ok("Get-FlowRun", json!({"EnvironmentName": r.env, "FlowName": flow}));
    assert!(!serde_json::to_string(&history).unwrap().contains(SECRET));
    let csv = r.t.dir.path().join("runs.csv");
    r.t.ok(
        "Export-PpCmkFlowRunHistory",
        json!({"EnvironmentName": r.env, "FlowName": flow, "Path": csv.to_str().unwrap()}),
    );
    let exported = std::fs::read_to_string(&csv).unwrap();
    assert!(exported.contains("Signed in as svc-sap") && !exported.contains(SECRET), "{exported}");
    assert!(!contains(&store_file_bytes(&r.t.home()), SECRET.as_bytes()), "the secret is in the store's files");
    let audit = serde_json::to_string(&r.t.ok("Get-PpCmkAuditLog", json!({}))).unwrap();
    assert!(!audit.contains(SECRET));
    // The environment read the secret as its identity, audited by the vault.
    assert!(audit.contains("KeyVault/getSecret") && audit.contains("Finance RPA (Power Platform environment)"));
    // Credentials never show their value.
    let creds = r.t.ok("Get-PpCmkCredential", json!({"EnvironmentName": r.env}));
    assert!(!serde_json::to_string(&creds).unwrap().contains(SECRET));
}

/// A short sensitive input that is part of the credential's value must not
/// break the credential up: masking part of it would print the rest.
#[test]
fn overlapping_secrets_are_masked_whole() {
    let r = Rpa::new();
    let flow = r.desktop_flow(
        "Overlap",
        json!({
            "variables": [
                {"name": "Pin", "direction": "Input", "sensitive": true},
                {"name": "Sap", "direction": "Flow", "type": "Credential"},
                {"name": "Copy", "direction": "Output"},
                {"name": "Note", "direction": "Output"},
            ],
            "actions": [
                {"action": "GetCredential", "credential": "SAP login", "output": "Sap"},
                {"action": "SetVariable", "variable": "Copy", "value": "%Sap.Password%"},
                {"action": "SetVariable", "variable": "Note", "value": "literal S3cr3t-SAP-pa55-9931 typed in"},
            ]
        }),
    );
    let run =
        r.t.ok("Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": flow, "Inputs": {"Pin": "SAP"}}));
    let text = serde_json::to_string(&run).unwrap();
    for fragment in ["S3cr3t", "pa55-9931", SECRET] {
        assert!(!text.contains(fragment), "{fragment} leaked: {text}");
    }
    let outputs: Value = serde_json::from_str(run[0]["ActionOutputs"].as_str().unwrap()).unwrap();
    assert_eq!(outputs["Copy"], "***");
    assert_eq!(outputs["Note"], "***", "text that contains a secret is masked whole");
    // A -SensitiveInput that names no input is refused, not ignored.
    r.t.fails(
        ErrorCode::InvalidArgument,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "Inputs": {"Pin": "1"}, "SensitiveInput": ["Pn"]}),
    );
}

#[test]
fn the_identity_needs_secret_access_for_the_run() {
    let r = Rpa::new();
    let flow = r.desktop_flow("SAP invoices", sap_flow());
    let identity = r.t.ok("Get-PpCmkCredential", json!({"EnvironmentName": r.env}))[0]["EnvironmentIdentity"].clone();
    let v = r.t.ok("Get-AzKeyVault", json!({"VaultName": "rpa-kv"}))[0]["ResourceId"].clone();
    r.t.ok(
        "Remove-AzRoleAssignment",
        json!({"ObjectId": identity, "RoleDefinitionName": "Key Vault Secrets User", "Scope": v}),
    );
    let msg = r.t.fails(
        ErrorCode::KeyVaultAccessDenied,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow}),
    );
    assert!(msg.contains("getSecret"), "{msg}");
}

#[test]
fn the_lint_flags_each_documented_rule_and_passes_a_clean_flow() {
    let r = Rpa::new();
    let crafted = r.desktop_flow(
        "Crafted",
        json!({
            "variables": [
                {"name": "DbPassword", "direction": "Input", "sensitive": true},
                {"name": "Copy", "direction": "Flow"},
                {"name": "Conn", "direction": "Flow"},
            ],
            "actions": [
                {"action": "SetVariable", "variable": "Copy", "value": "%DbPassword%"},
                {"action": "SetVariable", "variable": "Conn", "value": "Server=db;User Id=sa;Password=%DbPassword%"},
            ]
        }),
    );
    let rows = r.t.ok("Test-PpCmkDesktopFlow", json!({"EnvironmentName": r.env, "FlowName": crafted}));
    let failing: Vec<&str> =
        rows.iter().filter(|x| x["Status"] == "Fail").map(|x| x["Rule"].as_str().unwrap()).collect();
    assert_eq!(
        failing,
        ["SensitiveValueAsInputVariable", "SensitiveValueInNonSensitiveVariable", "ConnectionStringFromSensitiveValue"],
        "{rows:#?}"
    );
    assert!(rows.iter().filter(|x| x["Status"] == "Fail").all(|x| x["Remedy"].is_string()));
    let clean = r.desktop_flow(
        "Clean",
        json!({
            "variables": [{"name": "Sap", "type": "Credential"}, {"name": "Conn", "sensitive": true}],
            "actions": [
                {"action": "GetCredential", "credential": "SAP login", "output": "Sap"},
                {"action": "SetVariable", "variable": "Conn", "value": "Server=sap;Password=%Sap.Password%"},
                {"action": "Database.Open", "connectionString": "%Conn%"},
            ]
        }),
    );
    let rows = r.t.ok("Test-PpCmkDesktopFlow", json!({"EnvironmentName": r.env, "FlowName": clean}));
    assert!(rows.iter().all(|x| x["Status"] == "Pass"), "{rows:#?}");
    // -FailOn gates a pipeline on the crafted one.
    let out = cli(
        &r.t.home(),
        &["Test-PpCmkDesktopFlow", "-EnvironmentName", &r.env, "-FlowName", &crafted, "-FailOn", "Fail"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_user_runs_a_shared_flow_only_with_access_to_its_credential() {
    let r = Rpa::new();
    let flow = r.desktop_flow("SAP invoices", sap_flow());
    let as_maker = |command: &str, params: Value| r.t.run_as(Some(MAKER), command, params);
    // Not shared yet: no access to the flow itself.
    let e = as_maker("Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": flow})).unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    r.t.ok(
        "Set-PpCmkFlowPermission",
        json!({"EnvironmentName": r.env, "FlowName": flow, "UserPrincipalName": MAKER, "Role": "User"}),
    );
    // Shared as User, but the credential is not: refused, naming it and its table.
    let e = as_maker("Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": flow})).unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(
        e.message.contains("Credential 'SAP login'") && e.message.contains("Dataverse table Credential"),
        "{}",
        e.message
    );
    // A User may run but not edit.
    let e = as_maker("Set-PpCmkFlow", json!({"EnvironmentName": r.env, "FlowName": flow, "DisplayName": "mine"}))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    r.t.ok(
        "Grant-PpCmkCredentialAccess",
        json!({"EnvironmentName": r.env, "Name": "SAP login", "UserPrincipalName": MAKER}),
    );
    let run = as_maker("Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": flow})).unwrap();
    assert!(run[0]["ActionOutputs"].as_str().unwrap().contains("svc-sap"));
    // A User of the flow sees its run history; the flow's owner decides who that is.
    assert_eq!(as_maker("Get-FlowRun", json!({"EnvironmentName": r.env, "FlowName": flow})).unwrap().len(), 1);
    // Who has access, and why.
    let perms = r.t.ok("Get-PpCmkFlowPermission", json!({"EnvironmentName": r.env, "FlowName": flow}));
    assert!(perms.iter().any(|p| p["Principal"] == MAKER && p["Role"] == "User"));
}

/// A maker cannot borrow the environment's access to a secret: creating a
/// credential needs read access to the secret oneself.
#[test]
fn creating_a_credential_needs_read_access_to_the_secret() {
    let r = Rpa::new();
    let params = json!({"EnvironmentName": r.env, "Name": "Borrowed", "Source": "AzureKeyVault", "VaultName": "rpa-kv", "SecretName": "sap-password"});
    let msg = r.t.fails_as(Some(MAKER), ErrorCode::Forbidden, "New-PpCmkCredential", params.clone());
    assert!(msg.contains("Key Vault Secrets User") && msg.contains("read access"), "{msg}");
    assert_eq!(r.t.ok("Get-PpCmkCredential", json!({"EnvironmentName": r.env})).len(), 1, "nothing was created");
    let vault_id =
        r.t.ok("Get-AzKeyVault", json!({"VaultName": "rpa-kv"}))[0]["ResourceId"].as_str().unwrap().to_string();
    r.t.ok(
        "New-AzRoleAssignment",
        json!({"SignInName": MAKER, "RoleDefinitionName": "Key Vault Secrets User", "Scope": format!("{vault_id}/secrets/sap-password")}),
    );
    r.t.run_as(Some(MAKER), "New-PpCmkCredential", params).unwrap();
}

/// Run history belongs to the flow: a member of the environment the flow is
/// not shared with sees neither its runs nor, in the summary, that they exist;
/// the admin-only listings refuse a non-administrator.
#[test]
fn run_history_and_admin_listings_need_access() {
    let r = Rpa::new();
    let flow = r.desktop_flow("SAP invoices", sap_flow());
    r.t.ok("Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": flow}));
    for command in ["Get-FlowRun", "Export-PpCmkFlowRunHistory"] {
        let csv = r.t.dir.path().join("maker.csv");
        let params = json!({"EnvironmentName": r.env, "FlowName": flow, "Path": csv.to_str().unwrap()});
        let params =
            if command == "Get-FlowRun" { json!({"EnvironmentName": r.env, "FlowName": flow}) } else { params };
        r.t.fails_as(Some(MAKER), ErrorCode::Forbidden, command, params);
        assert!(!csv.exists());
    }
    let summary = r.t.run_as(Some(MAKER), "Get-PpCmkFlowRunSummary", json!({"EnvironmentName": r.env})).unwrap();
    assert!(summary.is_empty(), "{summary:?}");
    assert_eq!(r.t.ok("Get-PpCmkFlowRunSummary", json!({"EnvironmentName": r.env})).len(), 1, "the admin sees it");
    for command in ["Get-AdminFlowEncryptedByMicrosoftKey", "Get-AdminFlowEnvironmentCmkStatus"] {
        r.t.fails_as(Some(MAKER), ErrorCode::Forbidden, command, json!({"EnvironmentName": r.env}));
        r.t.ok(command, json!({"EnvironmentName": r.env}));
    }
}

#[test]
fn referenced_components_need_access_and_readers_of_all_processes_are_co_owners() {
    let r = Rpa::new();
    r.t.ok("New-PpCmkDesktopFlowComponent", json!({"EnvironmentName": r.env, "Kind": "WorkQueue", "Name": "Invoices"}));
    let child = r.desktop_flow("Child", json!({"actions": [{"action": "Excel.ReadCells"}]}));
    let parent = r.desktop_flow(
        "Parent",
        json!({"actions": [{"action": "RunDesktopFlow", "flow": child}, {"action": "WorkQueues.AddItem", "workQueue": "Invoices"}]}),
    );
    r.t.ok(
        "Set-PpCmkFlowPermission",
        json!({"EnvironmentName": r.env, "FlowName": parent, "UserPrincipalName": MAKER, "Role": "User"}),
    );
    let run = |p: &str| r.t.run_as(Some(MAKER), "Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": p}));
    let e = run(&parent).unwrap_err();
    assert!(e.message.contains("child desktop flow") && e.message.contains("Dataverse table Process"), "{}", e.message);
    r.t.ok(
        "Set-PpCmkFlowPermission",
        json!({"EnvironmentName": r.env, "FlowName": child, "UserPrincipalName": MAKER, "Role": "User"}),
    );
    let e = run(&parent).unwrap_err();
    assert!(
        e.message.contains("WorkQueue 'Invoices'") && e.message.contains("Work Queue, Work Queue Item"),
        "{}",
        e.message
    );
    r.t.ok(
        "Grant-PpCmkDesktopFlowComponentAccess",
        json!({"EnvironmentName": r.env, "Kind": "WorkQueue", "Name": "Invoices", "UserPrincipalName": MAKER}),
    );
    run(&parent).unwrap();
    // A security role that reads all Process records makes a co-owner of every desktop flow.
    let other = upn("analyst");
    r.t.user("analyst");
    r.t.ok(
        "Add-PpCmkSecurityRoleMember",
        json!({"EnvironmentName": r.env, "RoleName": "System Customizer", "UserPrincipalName": other}),
    );
    r.t.run_as(
        Some(&other),
        "Set-PpCmkFlow",
        json!({"EnvironmentName": r.env, "FlowName": child, "DisplayName": "Child v2"}),
    )
    .unwrap();
}

#[test]
fn a_dlp_policy_suspends_existing_flows_and_refuses_new_ones() {
    let r = Rpa::new();
    let cmd = r.desktop_flow(
        "Nightly script",
        json!({"actions": [{"action": "Cmd.RunCommand"}, {"action": "Excel.ReadCells"}]}),
    );
    let fine = r.desktop_flow("Report", json!({"actions": [{"action": "Excel.ReadCells"}]}));
    let policy = r.t.ok(
        "New-DlpPolicy",
        json!({"DisplayName": "RPA DLP", "EnvironmentType": "OnlyEnvironments", "Environments": [r.env]}),
    );
    let name = policy[0]["PolicyName"].as_str().unwrap().to_string();
    let out = ppcmk::invoke_json(
        &r.t.store,
        &json!({"command": "Set-PpCmkDlpConnectorClassification", "parameters": {"PolicyName": name, "Connector": ["Cmd"], "Classification": "Blocked"}}),
        Default::default(),
    )
    .unwrap();
    assert!(out.warnings.iter().any(|w| w.contains("Nightly script") && w.contains("suspended")), "{:?}", out.warnings);
    let flow = |id: &str| r.t.ok("Get-AdminFlow", json!({"EnvironmentName": r.env, "FlowName": id})).remove(0);
    assert_eq!(flow(&cmd)["State"], "Suspended");
    assert!(flow(&cmd)["SuspensionReason"].as_str().unwrap().contains("'Cmd' is Blocked by DLP policy 'RPA DLP'"));
    assert_eq!(flow(&fine)["State"], "Started");
    r.t.fails(ErrorCode::InvalidOperation, "Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": cmd}));
    let msg = r.t.fails(
        ErrorCode::DlpPolicyViolation,
        "New-PpCmkFlow",
        json!({"EnvironmentName": r.env, "DisplayName": "New script", "Kind": "Desktop", "Trigger": "Manual", "Definition": {"actions": [{"action": "Cmd.RunCommand"}]}}),
    );
    assert!(msg.contains("'Cmd' is Blocked"), "{msg}");
    // Business and Non-business may not mix; single actions can be blocked.
    r.t.ok(
        "Set-PpCmkDlpConnectorClassification",
        json!({"PolicyName": "RPA DLP", "Connector": ["Excel"], "Classification": "Business"}),
    );
    let msg = r.t.fails(
        ErrorCode::DlpPolicyViolation,
        "New-PpCmkFlow",
        json!({"EnvironmentName": r.env, "DisplayName": "Mixed", "Kind": "Desktop", "Trigger": "Manual", "Definition": {"actions": [{"action": "Excel.ReadCells"}, {"action": "Web.Download"}]}}),
    );
    assert!(msg.contains("mixes Business (Excel) and Non-business (Web)"), "{msg}");
    r.t.ok(
        "Set-PpCmkDlpActionRule",
        json!({"PolicyName": "RPA DLP", "Connector": "Excel", "Action": ["RunMacro"], "Behavior": "Block"}),
    );
    r.t.fails(
        ErrorCode::DlpPolicyViolation,
        "New-PpCmkFlow",
        json!({"EnvironmentName": r.env, "DisplayName": "Macro", "Kind": "Desktop", "Trigger": "Manual", "Definition": {"actions": [{"action": "Excel.RunMacro"}]}}),
    );
    r.t.ok(
        "Set-PpCmkDlpActionRule",
        json!({"PolicyName": "RPA DLP", "Connector": "Excel", "DefaultBehavior": "Block"}),
    );
    assert_eq!(flow(&fine)["State"], "Suspended", "new actions are blocked by default now");
    // Fixing the flow lifts its suspension.
    r.t.ok("Set-PpCmkFlow", json!({"EnvironmentName": r.env, "FlowName": cmd, "Definition": {"actions": []}}));
    assert_eq!(flow(&cmd)["State"], "Started");
    // Only administrators manage DLP.
    r.t.fails_as(
        Some(MAKER),
        ErrorCode::Forbidden,
        "New-DlpPolicy",
        json!({"DisplayName": "x", "EnvironmentType": "AllEnvironments"}),
    );
}

#[test]
fn editing_one_audit_row_by_hand_breaks_the_log_at_that_row() {
    let r = Rpa::new();
    let ok = r.t.ok("Test-PpCmkAuditLog", json!({}));
    assert_eq!(ok[0]["Status"], "Pass", "{ok:?}");
    let total = ok[0]["Entries"].as_i64().unwrap();
    assert!(total > 5);
    let victim = total / 2;
    {
        let conn = rusqlite::Connection::open(r.t.home().join("ppcmk.db")).unwrap();
        conn.execute(
            "UPDATE audit_log SET principal = 'someone-else@contoso.onmicrosoft.com' WHERE seq = ?1",
            [victim],
        )
        .unwrap();
    }
    let out = cli(&r.t.home(), &["Test-PpCmkAuditLog", "-OutputFormat", "Json"]);
    assert_eq!(out.status.code(), Some(1), "fails by default");
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows[0]["Status"], "Fail");
    assert_eq!(rows[0]["BrokenSequence"], victim);
    assert!(rows[0]["Reason"].as_str().unwrap().contains("altered"));
}

#[test]
fn audited_tables_record_reads_per_environment() {
    let r = Rpa::new();
    r.t.ok("Get-PpCmkCredential", json!({"EnvironmentName": r.env}));
    let reads = |table: &str| {
        r.t.ok("Get-PpCmkAuditLog", json!({"EnvironmentName": r.env, "Table": table}))
            .into_iter()
            .filter(|e| e["Command"].as_str().unwrap().starts_with("Get-"))
            .count()
    };
    assert_eq!(reads("Credential"), 0, "reads are recorded only when auditing is on");
    r.t.ok(
        "Set-PpCmkAuditSetting",
        json!({"EnvironmentName": r.env, "Enabled": true, "Tables": ["Credential", "Process"]}),
    );
    r.t.ok_as(MAKER, "Get-PpCmkCredential", json!({"EnvironmentName": r.env}));
    r.t.ok("Get-AdminFlow", json!({"EnvironmentName": r.env}));
    assert_eq!(reads("Credential"), 1);
    assert_eq!(reads("Process"), 1);
    let entry =
        r.t.ok("Get-PpCmkAuditLog", json!({"EnvironmentName": r.env, "Table": "Credential", "Last": 1})).remove(0);
    assert_eq!(entry["Principal"], MAKER);
    // Changes to the tables carry the environment and table too.
    assert!(r
        .t
        .ok("Get-PpCmkAuditLog", json!({"EnvironmentName": r.env, "Table": "Credential"}))
        .iter()
        .any(|e| e["Command"] == "New-PpCmkCredential"));
    r.t.fails(
        ErrorCode::ParameterValidationFailed,
        "Set-PpCmkAuditSetting",
        json!({"EnvironmentName": r.env, "Tables": ["Accounts"]}),
    );
}

#[test]
fn key_vault_secrets_follow_key_vault_rules() {
    let r = Rpa::new();
    // The maker has no role on the vault.
    r.t.fails_as(
        Some(MAKER),
        ErrorCode::Forbidden,
        "Get-AzKeyVaultSecret",
        json!({"VaultName": "rpa-kv", "Name": "sap-password", "AsPlainText": true}),
    );
    let plain =
        r.t.ok("Get-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password", "AsPlainText": true}));
    assert_eq!(plain[0]["SecretValueText"], SECRET);
    // As in Az, the CLI's -AsPlainText prints the text alone, for `$(...)` in scripts.
    let out =
        cli(&r.t.home(), &["Get-AzKeyVaultSecret", "-VaultName", "rpa-kv", "-Name", "sap-password", "-AsPlainText"]);
    assert_eq!(stdout(&out), format!("{SECRET}\n"));
    let meta = r.t.ok("Get-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password"}));
    assert!(meta[0]["SecretValueText"].is_null(), "the value only with -AsPlainText");
    r.t.ok("Set-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password", "SecretValue": "second"}));
    assert_eq!(
        r.t.ok("Get-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password", "IncludeVersions": true}))
            .len(),
        2
    );
    r.t.ok("Remove-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password"}));
    r.t.fails(ErrorCode::NotFound, "Get-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password"}));
    assert_eq!(r.t.ok("Get-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "InRemovedState": true})).len(), 1);
    r.t.ok("Undo-AzKeyVaultSecretRemoval", json!({"VaultName": "rpa-kv", "Name": "sap-password"}));
    assert_eq!(
        r.t.ok("Get-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password", "AsPlainText": true}))[0]
            ["SecretValueText"],
        "second"
    );
    // Deleted and not recovered: purged when the retention ends.
    r.t.ok("Remove-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "sap-password"}));
    r.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 91}));
    assert!(r.t.ok("Get-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "InRemovedState": true})).is_empty());
}

/// A co-owner shares a flow but cannot make anyone an owner (itself included).
#[test]
fn only_an_owner_makes_owners() {
    let r = Rpa::new();
    let flow = r.desktop_flow("SAP invoices", sap_flow());
    r.t.user("helper");
    let share = |who: &str, role: &str| json!({"EnvironmentName": r.env, "FlowName": flow, "UserPrincipalName": who, "Role": role});
    r.t.ok("Set-PpCmkFlowPermission", share(MAKER, "CoOwner"));
    r.t.run_as(Some(MAKER), "Set-PpCmkFlowPermission", share("helper@contoso.onmicrosoft.com", "User")).unwrap();
    for (who, role) in [(MAKER, "Owner"), ("helper@contoso.onmicrosoft.com", "Owner")] {
        let msg = r.t.fails_as(Some(MAKER), ErrorCode::Forbidden, "Set-PpCmkFlowPermission", share(who, role));
        assert!(msg.contains("Owner access"), "{msg}");
    }
    r.t.ok("Set-PpCmkFlowPermission", share("helper@contoso.onmicrosoft.com", "Owner"));
    // Nor demote an owner.
    r.t.fails_as(
        Some(MAKER),
        ErrorCode::Forbidden,
        "Set-PpCmkFlowPermission",
        share("helper@contoso.onmicrosoft.com", "User"),
    );
}

/// 003:18: sensitivity isn't inherited, except for credential variable
/// types. The lint flags the copy before the run; the run logs it in clear,
/// as the documentation warns; a credential value stays masked.
#[test]
fn sensitivity_is_not_inherited_except_by_credential_values() {
    let r = Rpa::new();
    let flow = r.desktop_flow(
        "Leaky",
        json!({
            "variables": [
                {"name": "DbPassword", "direction": "Input", "sensitive": true},
                {"name": "Sap", "direction": "Flow", "type": "Credential"},
                {"name": "ConnStr", "direction": "Output"},
                {"name": "SapCopy", "direction": "Output"},
            ],
            "actions": [
                {"action": "GetCredential", "credential": "SAP login", "output": "Sap"},
                {"action": "SetVariable", "variable": "ConnStr", "value": "Server=x;Password=%DbPassword%"},
                {"action": "SetVariable", "variable": "SapCopy", "value": "%Sap.Password%"},
            ]
        }),
    );
    let lint = r.t.ok("Test-PpCmkDesktopFlow", json!({"EnvironmentName": r.env, "FlowName": flow}));
    assert!(
        lint.iter().any(|x| x["Rule"] == "ConnectionStringFromSensitiveValue" && x["Status"] == "Fail"),
        "the lint flags the copy before the run: {lint:#?}"
    );
    let run = r.t.ok(
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "Inputs": {"DbPassword": "hunter2-db-77"}}),
    );
    let outputs: Value = serde_json::from_str(run[0]["ActionOutputs"].as_str().unwrap()).unwrap();
    assert_eq!(outputs["ConnStr"], "Server=x;Password=hunter2-db-77", "not inherited: logged in clear");
    assert_eq!(outputs["SapCopy"], "***", "a credential value stays masked");
    assert!(!serde_json::to_string(&run).unwrap().contains(SECRET));
}

/// 003:6: credentials are edited and removed by their owner (or a System
/// Administrator); a credential a desktop flow still reads is not removed.
#[test]
fn credentials_are_edited_and_removed_by_their_owner() {
    let r = Rpa::new();
    r.t.ok(
        "Set-AzKeyVaultSecret",
        json!({"VaultName": "rpa-kv", "Name": "sap-password-2", "SecretValue": "N3w-S3cret-42"}),
    );
    let edited = r.t.ok(
        "Set-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "SAP login", "SecretName": "sap-password-2", "UserName": "svc-sap-2"}),
    );
    assert_eq!(
        (edited[0]["SecretName"].as_str(), edited[0]["UserName"].as_str()),
        (Some("sap-password-2"), Some("svc-sap-2"))
    );
    r.t.fails(
        ErrorCode::InvalidArgument,
        "Set-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "SAP login"}),
    );
    r.t.fails(
        ErrorCode::NotFound,
        "Set-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "nope", "UserName": "x"}),
    );
    // A member who neither owns it nor administers the environment may not touch it.
    let e =
        r.t.run_as(
            Some(MAKER),
            "Set-PpCmkCredential",
            json!({"EnvironmentName": r.env, "Name": "SAP login", "UserName": "me"}),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    // A flow reads it: the run uses the edited secret; the removal is refused, naming the flow.
    let flow = r.desktop_flow("SAP invoices", sap_flow());
    let run = r.t.ok("Start-PpCmkFlowRun", json!({"EnvironmentName": r.env, "FlowName": flow}));
    let outputs: Value = serde_json::from_str(run[0]["ActionOutputs"].as_str().unwrap()).unwrap();
    assert_eq!(outputs["Greeting"], "Signed in as svc-sap-2");
    let e = r.t.fails(
        ErrorCode::Conflict,
        "Remove-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "SAP login"}),
    );
    assert!(e.contains("SAP invoices"), "{e}");
    r.t.ok("Remove-AdminFlow", json!({"EnvironmentName": r.env, "FlowName": flow}));
    r.t.ok("Remove-PpCmkCredential", json!({"EnvironmentName": r.env, "Name": "SAP login"}));
    assert!(r.t.ok("Get-PpCmkCredential", json!({"EnvironmentName": r.env})).is_empty());
}

/// 003:14: environment variables read through the Dataverse connector's
/// "Perform an unbound action" must have a sensitive output; the lint says so.
#[test]
fn the_lint_flags_an_unbound_action_output_that_is_not_sensitive() {
    let r = Rpa::new();
    let definition = |sensitive: bool| {
        json!({
            "variables": [{"name": "ApiKey", "direction": "Flow", "sensitive": sensitive}],
            "actions": [{"action": "Dataverse.PerformUnboundAction", "name": "RetrieveEnvironmentVariableSecretValue", "output": "ApiKey"}]
        })
    };
    let leaky = r.desktop_flow("Env var", definition(false));
    let rows = r.t.ok("Test-PpCmkDesktopFlow", json!({"EnvironmentName": r.env, "FlowName": leaky}));
    let row = rows.iter().find(|x| x["Rule"] == "UnboundActionOutputNotSensitive").unwrap();
    assert_eq!(row["Status"], "Fail", "{rows:#?}");
    assert!(row["Remedy"].as_str().unwrap().contains("ApiKey"));
    let safe = r.desktop_flow("Env var (sensitive)", definition(true));
    let rows = r.t.ok("Test-PpCmkDesktopFlow", json!({"EnvironmentName": r.env, "FlowName": safe}));
    assert!(rows.iter().all(|x| x["Status"] == "Pass"), "{rows:#?}");
}

const BOT1_SECRET: &str = "B0t-01-s3ssion-7731";
const BOT2_SECRET: &str = "B0t-02-s3ssion-4408";

impl Rpa {
    /// A secret in the vault and a credential on it (the environment's
    /// identity already reads every secret of the vault).
    fn credential(&self, name: &str, secret: &str, value: &str, user: &str, extra: Value) {
        self.t.ok("Set-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": secret, "SecretValue": value}));
        let mut params = json!({"EnvironmentName": self.env, "Name": name, "Source": "AzureKeyVault", "VaultName": "rpa-kv", "SecretName": secret, "UserName": user});
        params.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        self.t.ok("New-PpCmkCredential", params);
    }

    /// Starts a run of `flow` with `params` added; returns its SignIn.
    fn run_signed_in(&self, flow: &str, params: Value) -> String {
        let mut all = json!({"EnvironmentName": self.env, "FlowName": flow});
        all.as_object_mut().unwrap().extend(params.as_object().unwrap().clone());
        let run = self.t.ok("Start-PpCmkFlowRun", all);
        run[0]["SignIn"].as_str().unwrap_or_else(|| panic!("no SignIn: {run:?}")).to_string()
    }

    /// How many times the environment's identity read a secret of the vault.
    fn secret_reads(&self, secret: &str) -> usize {
        self.t
            .ok("Get-PpCmkAuditLog", json!({}))
            .iter()
            .filter(|e| {
                e["Command"] == "KeyVault/getSecret"
                    && e["Principal"].as_str().unwrap_or_default().ends_with("(Power Platform environment)")
                    && e["Target"].as_str().unwrap_or_default().contains(&format!("/secrets/{secret}/"))
            })
            .count()
    }
}

/// A desktop flow that needs no credential of its own: only the machine's sign-in.
fn invoice_flow() -> Value {
    json!({"actions": [{"action": "Excel.LaunchExcel"}, {"action": "Excel.CloseExcel"}]})
}

/// 003:7-8: a desktop flow connection signs in to its machine (or a machine of
/// its group) with its credential at run time, attended and unattended; with
/// machine mapping, each machine with its own dedicated credential. The
/// secret is read from the key vault at each sign-in (an edit applies at the
/// next one; revoked access or a deleted secret fails the run) and is found
/// nowhere afterwards; credentials in use are not removed.
#[test]
fn desktop_flow_connections_sign_in_with_credentials_and_machine_mapping() {
    let r = Rpa::new();
    r.credential("BOT-01 session", "bot1-session", BOT1_SECRET, "svc-bot1", json!({}));
    r.credential("BOT-02 session", "bot2-session", BOT2_SECRET, "svc-bot2", json!({}));
    for m in ["BOT-02", "BOT-01"] {
        r.t.ok(
            "Register-PpCmkMachine",
            json!({"EnvironmentName": r.env, "MachineName": m, "MachineGroupName": "Invoice machines"}),
        );
    }
    r.t.ok("Register-PpCmkMachine", json!({"EnvironmentName": r.env, "MachineName": "LAPTOP-7"}));
    r.t.fails(
        ErrorCode::AlreadyExists,
        "Register-PpCmkMachine",
        json!({"EnvironmentName": r.env, "MachineName": "bot-01"}),
    );
    let flow = r.desktop_flow("Invoices", invoice_flow());

    // One credential for the whole group.
    let c = r.t.ok(
        "New-PpCmkDesktopFlowConnection",
        json!({"EnvironmentName": r.env, "ConnectionName": "Invoice bots", "MachineGroupName": "invoice machines", "CredentialName": "SAP login"}),
    );
    assert_eq!(
        (c[0]["Connector"].as_str(), c[0]["CredentialName"].as_str()),
        (Some("shared_uiflow"), Some("SAP login"))
    );
    let signed = r.run_signed_in(&flow, json!({"DesktopFlowConnection": "Invoice bots"}));
    assert_eq!(
        signed, "Unattended run on machine 'BOT-01', signed in as svc-sap with credential 'SAP login' (password)",
        "the first machine of the group by name, unattended by default"
    );
    let signed = r.run_signed_in(
        &flow,
        json!({"DesktopFlowConnection": "Invoice bots", "MachineName": "BOT-02", "RunMode": "Attended"}),
    );
    assert!(signed.starts_with("Attended run on machine 'BOT-02', signed in as svc-sap"), "{signed}");
    r.t.fails(
        ErrorCode::InvalidArgument,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "DesktopFlowConnection": "Invoice bots", "MachineName": "LAPTOP-7"}),
    );
    r.t.fails(
        ErrorCode::InvalidArgument,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "RunMode": "Attended"}),
    );
    // A credential, or machine mapping: exactly one.
    for (how, code) in [
        (json!({}), ErrorCode::MissingMandatoryParameter),
        (json!({"CredentialName": "SAP login", "UseMachineMapping": true}), ErrorCode::ParameterSetConflict),
    ] {
        let mut p = json!({"EnvironmentName": r.env, "ConnectionName": "Odd", "MachineName": "BOT-01"});
        p.as_object_mut().unwrap().extend(how.as_object().unwrap().clone());
        r.t.fails(code, "New-PpCmkDesktopFlowConnection", p);
    }

    // Machine mapping: each machine of the group with its dedicated credential.
    r.t.ok(
        "New-PpCmkDesktopFlowConnection",
        json!({"EnvironmentName": r.env, "ConnectionName": "Mapped", "MachineGroupName": "Invoice machines", "UseMachineMapping": true}),
    );
    let e = r.t.fails(
        ErrorCode::InvalidOperation,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "DesktopFlowConnection": "Mapped", "MachineName": "BOT-02"}),
    );
    assert!(e.contains("BOT-02") && e.contains("Set-PpCmkMachineMapping"), "{e}");
    for (m, cred) in [("BOT-01", "BOT-01 session"), ("BOT-02", "BOT-02 session")] {
        let out = r
            .t
            .ok("Set-PpCmkMachineMapping", json!({"EnvironmentName": r.env, "MachineName": m, "CredentialName": cred}));
        assert_eq!(out[0]["MappedCredential"], cred);
    }
    let one = r.run_signed_in(&flow, json!({"DesktopFlowConnection": "Mapped", "MachineName": "BOT-01"}));
    let two = r.run_signed_in(&flow, json!({"DesktopFlowConnection": "Mapped", "MachineName": "BOT-02"}));
    assert!(one.contains("as svc-bot1 with credential 'BOT-01 session'"), "{one}");
    assert!(two.contains("as svc-bot2 with credential 'BOT-02 session'"), "{two}");
    // Each sign-in read its own secret from the vault, as the environment.
    assert_eq!((r.secret_reads("bot1-session"), r.secret_reads("bot2-session")), (1, 1));
    assert_eq!(r.secret_reads("sap-password"), 2, "the two runs through 'Invoice bots'");

    // An edit applies at the next sign-in.
    r.t.ok(
        "Set-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "BOT-02 session", "UserName": "svc-bot2-new"}),
    );
    let two = r.run_signed_in(&flow, json!({"DesktopFlowConnection": "Mapped", "MachineName": "BOT-02"}));
    assert!(two.contains("as svc-bot2-new "), "{two}");
    // The values are nowhere: run history, audit log, the store's files.
    let history =
        serde_json::to_string(&r.t.ok("Get-FlowRun", json!({"EnvironmentName": r.env, "FlowName": flow}))).unwrap();
    assert!(history.contains("svc-bot2-new"), "the history shows the sign-in");
    let audit = serde_json::to_string(&r.t.ok("Get-PpCmkAuditLog", json!({}))).unwrap();
    for secret in [SECRET, BOT1_SECRET, BOT2_SECRET] {
        assert!(!history.contains(secret) && !audit.contains(secret));
        assert!(!contains(&store_file_bytes(&r.t.home()), secret.as_bytes()), "a secret is in the store's files");
    }

    // A deleted secret, then revoked access, fail the sign-in and so the run.
    r.t.ok("Remove-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "bot2-session"}));
    let e = r.t.fails(
        ErrorCode::NotFound,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "DesktopFlowConnection": "Mapped", "MachineName": "BOT-02"}),
    );
    assert!(e.starts_with("Sign-in to machine 'BOT-02' with credential 'BOT-02 session' failed: "), "{e}");
    let identity = r.t.ok("Get-PpCmkCredential", json!({"EnvironmentName": r.env}))[0]["EnvironmentIdentity"].clone();
    let vault = r.t.ok("Get-AzKeyVault", json!({"VaultName": "rpa-kv"}))[0]["ResourceId"].clone();
    r.t.ok(
        "Remove-AzRoleAssignment",
        json!({"ObjectId": identity, "RoleDefinitionName": "Key Vault Secrets User", "Scope": vault}),
    );
    let e = r.t.fails(
        ErrorCode::KeyVaultAccessDenied,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "DesktopFlowConnection": "Mapped", "MachineName": "BOT-01"}),
    );
    assert!(e.contains("Sign-in to machine 'BOT-01'") && e.contains("getSecret"), "{e}");
    let runs = r.t.ok("Get-FlowRun", json!({"EnvironmentName": r.env, "FlowName": flow}));
    assert_eq!(runs.len(), 5, "the failed sign-ins recorded no run");

    // A credential a connection or a mapping signs in with is not removed, and the refusal names them.
    let e = r.t.fails(
        ErrorCode::Conflict,
        "Remove-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "SAP login"}),
    );
    assert!(e.contains("desktop flow connection 'Invoice bots'"), "{e}");
    let e = r.t.fails(
        ErrorCode::Conflict,
        "Remove-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "BOT-01 session"}),
    );
    assert!(e.contains("the machine mapping of machine 'BOT-01'"), "{e}");
    r.t.ok("Remove-PpCmkDesktopFlowConnection", json!({"EnvironmentName": r.env, "ConnectionName": "Invoice bots"}));
    r.t.ok("Remove-PpCmkCredential", json!({"EnvironmentName": r.env, "Name": "SAP login"}));
    r.t.ok(
        "Set-PpCmkMachineMapping",
        json!({"EnvironmentName": r.env, "MachineName": "BOT-01", "CredentialName": "BOT-02 session"}),
    );
    r.t.ok("Remove-PpCmkCredential", json!({"EnvironmentName": r.env, "Name": "BOT-01 session"}));
    let machines = r.t.ok("Get-PpCmkMachine", json!({"EnvironmentName": r.env}));
    let names: Vec<_> =
        machines.iter().map(|m| (m["Name"].as_str().unwrap(), m["MappedCredential"].as_str())).collect();
    assert_eq!(names, [("BOT-01", Some("BOT-02 session")), ("BOT-02", Some("BOT-02 session")), ("LAPTOP-7", None)]);
}

/// 003:9: an account that requires MFA can't sign in to a machine with a
/// password; certificate-based authentication meets MFA requirements. CBA
/// credentials are for Windows sessions only, not within the desktop flow.
#[test]
fn mfa_accounts_sign_in_with_certificate_based_authentication() {
    let r = Rpa::new();
    r.credential("Finance admin", "finance-password", "F1n-pa55", "fin-admin", json!({"RequiresMfa": true}));
    r.t.ok("Register-PpCmkMachine", json!({"EnvironmentName": r.env, "MachineName": "FIN-01"}));
    r.t.ok(
        "New-PpCmkDesktopFlowConnection",
        json!({"EnvironmentName": r.env, "ConnectionName": "Finance", "MachineName": "FIN-01", "CredentialName": "Finance admin"}),
    );
    let flow = r.desktop_flow("Close the books", invoice_flow());
    let e = r.t.fails(
        ErrorCode::InvalidOperation,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "DesktopFlowConnection": "Finance"}),
    );
    assert!(
        e.contains("requires multifactor authentication (MFA)")
            && e.contains(
                "Meet multifactor authentication (MFA) requirements by using certificate-based authentication"
            ),
        "{e}"
    );
    assert_eq!(r.secret_reads("finance-password"), 0, "no secret read for a sign-in that cannot succeed");
    // The certificate (a .pfx, base64) in the vault; the credential switches to it.
    r.t.ok("Set-AzKeyVaultSecret", json!({"VaultName": "rpa-kv", "Name": "finance-cert", "SecretValue": "MIIJ-pfx-fin-admin", "ContentType": "application/x-pkcs12"}));
    let edited = r.t.ok(
        "Set-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "Finance admin", "SecretName": "finance-cert", "AuthenticationType": "Certificate"}),
    );
    assert_eq!(
        (edited[0]["AuthenticationType"].as_str(), edited[0]["RequiresMfa"].as_bool()),
        (Some("Certificate"), Some(true))
    );
    let signed = r.run_signed_in(&flow, json!({"DesktopFlowConnection": "Finance"}));
    assert_eq!(r.secret_reads("finance-cert"), 1, "the certificate read from the vault at sign-in");
    assert_eq!(
        signed,
        "Unattended run on machine 'FIN-01', signed in as fin-admin with credential 'Finance admin' (certificate-based authentication)"
    );
    // Not within the desktop flow (Get credential).
    let inside = r.desktop_flow(
        "Reads the certificate",
        json!({"variables": [{"name": "Fin", "type": "Credential"}], "actions": [{"action": "GetCredential", "credential": "Finance admin", "output": "Fin"}]}),
    );
    let e = r.t.fails(
        ErrorCode::InvalidOperation,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": inside}),
    );
    assert!(e.contains("can't be used within the desktop flow"), "{e}");
    // Certificates are kept in Azure Key Vault.
    r.t.fails(
        ErrorCode::InvalidArgument,
        "New-PpCmkCredential",
        json!({"EnvironmentName": r.env, "Name": "Vaulted", "Source": "CyberArk", "VaultName": "safe", "SecretName": "cert", "AuthenticationType": "Certificate"}),
    );
    // Dropping the MFA requirement lets a password sign in again, from the next sign-in.
    r.t.ok("Set-PpCmkCredential", json!({"EnvironmentName": r.env, "Name": "SAP login", "RequiresMfa": true}));
    r.t.ok("Register-PpCmkMachine", json!({"EnvironmentName": r.env, "MachineName": "SAP-01"}));
    r.t.ok(
        "New-PpCmkDesktopFlowConnection",
        json!({"EnvironmentName": r.env, "ConnectionName": "SAP", "MachineName": "SAP-01", "CredentialName": "SAP login"}),
    );
    r.t.fails(
        ErrorCode::InvalidOperation,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "DesktopFlowConnection": "SAP"}),
    );
    r.t.ok("Set-PpCmkCredential", json!({"EnvironmentName": r.env, "Name": "SAP login", "RequiresMfa": false}));
    assert!(r.run_signed_in(&flow, json!({"DesktopFlowConnection": "SAP"})).ends_with("(password)"));
}

/// Desktop flow connections can't be shared: another user of the flow cannot
/// run it through someone else's connection, nor see it.
#[test]
fn a_desktop_flow_connection_is_its_creators_alone() {
    let r = Rpa::new();
    r.t.ok("Register-PpCmkMachine", json!({"EnvironmentName": r.env, "MachineName": "BOT-01"}));
    r.t.ok(
        "New-PpCmkDesktopFlowConnection",
        json!({"EnvironmentName": r.env, "ConnectionName": "Mine", "MachineName": "BOT-01", "CredentialName": "SAP login"}),
    );
    let flow = r.desktop_flow("Invoices", invoice_flow());
    r.t.ok(
        "Set-PpCmkFlowPermission",
        json!({"EnvironmentName": r.env, "FlowName": flow, "UserPrincipalName": MAKER, "Role": "User"}),
    );
    let e = r.t.fails_as(
        Some(MAKER),
        ErrorCode::Forbidden,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": r.env, "FlowName": flow, "DesktopFlowConnection": "Mine"}),
    );
    assert!(e.contains("can't be shared"), "{e}");
    assert!(r.t.ok_as(MAKER, "Get-PpCmkDesktopFlowConnection", json!({"EnvironmentName": r.env})).is_empty());
    // A maker who cannot use a credential cannot put it in a connection of their own either.
    let e = r.t.fails_as(
        Some(MAKER),
        ErrorCode::Forbidden,
        "New-PpCmkDesktopFlowConnection",
        json!({"EnvironmentName": r.env, "ConnectionName": "Borrowed", "MachineName": "BOT-01", "CredentialName": "SAP login"}),
    );
    assert!(e.contains("Grant-PpCmkCredentialAccess"), "{e}");
    // The environment goes with its machines, mappings, connections and credentials.
    r.t.ok(
        "Set-PpCmkMachineMapping",
        json!({"EnvironmentName": r.env, "MachineName": "BOT-01", "CredentialName": "SAP login"}),
    );
    r.t.ok("Remove-AdminPowerAppEnvironment", json!({"EnvironmentName": r.env}));
    r.t.fails(ErrorCode::NotFound, "Get-PpCmkMachine", json!({"EnvironmentName": r.env}));
}

/// Through the `ppcmk` binary: a machine, a connection, a run that signs in,
/// and the refusal to remove the credential it uses (exit 1, Conflict).
#[test]
fn a_desktop_flow_connection_signs_in_through_the_cli() {
    let r = Rpa::new();
    let flow = r.desktop_flow("Invoices", invoice_flow());
    let home = r.t.home();
    let ok = |args: &[&str]| {
        let out = cli(&home, args);
        assert!(out.status.success(), "{args:?}: {}", support::stderr(&out));
        out
    };
    ok(&[
        "Register-PpCmkMachine",
        "-EnvironmentName",
        &r.env,
        "-MachineName",
        "BOT-01",
        "-MachineGroupName",
        "Invoice machines",
    ]);
    ok(&[
        "New-PpCmkDesktopFlowConnection",
        "-EnvironmentName",
        &r.env,
        "-ConnectionName",
        "Invoice bots",
        "-MachineGroupName",
        "Invoice machines",
        "-CredentialName",
        "SAP login",
    ]);
    let out = ok(&[
        "Start-PpCmkFlowRun",
        "-EnvironmentName",
        &r.env,
        "-FlowName",
        &flow,
        "-DesktopFlowConnection",
        "Invoice bots",
        "-RunMode",
        "Attended",
        "-OutputFormat",
        "Json",
    ]);
    let runs: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        runs[0]["SignIn"],
        "Attended run on machine 'BOT-01', signed in as svc-sap with credential 'SAP login' (password)"
    );
    assert!(!stdout(&out).contains(SECRET));
    let out = cli(&home, &["Remove-PpCmkCredential", "-EnvironmentName", &r.env, "-Name", "SAP login"]);
    assert_eq!(out.status.code(), Some(1));
    let err = support::stderr(&out);
    assert!(err.starts_with("ppcmk: Conflict: ") && err.contains("desktop flow connection 'Invoice bots'"), "{err}");
}
