//! Power Automate under a customer-managed key: which flows stay on the
//! Microsoft-managed key and why, the warnings, Save As, run history and its
//! CSV export, connections, limits and the documented limitations.

use crate::support;

use ppcmk::ErrorCode;
use serde_json::{json, Value};
use support::cmk::{Cmk, PP};
use support::{cli_as, contains, stderr, stdout, store_file_bytes};

/// Creates a flow as the Power Platform administrator; returns its FlowName.
fn flow(c: &Cmk, env: &str, name: &str, params: Value) -> String {
    let mut p = json!({"EnvironmentName": env, "DisplayName": name});
    p.as_object_mut().unwrap().extend(params.as_object().unwrap().clone());
    c.pp("New-PpCmkFlow", p)[0]["FlowName"].as_str().unwrap().to_string()
}

fn get_flow(c: &Cmk, env: &str, flow: &str) -> Value {
    c.pp("Get-AdminFlow", json!({"EnvironmentName": env, "FlowName": flow})).remove(0)
}

/// The documentation's example: three flows that cannot migrate, two that can.
struct DocsExample {
    env: String,
    http: String,
    v1: String,
    parent: String,
    others: [String; 2],
}

fn docs_example(c: &Cmk) -> DocsExample {
    let env = c.environment("Finance", 0);
    let http = flow(c, &env, "Get Invoice HTTP", json!({"Trigger": "Http", "InSolution": true}));
    let v1 = flow(c, &env, "Pay Invoice from App", json!({"Trigger": "PowerAppsV1"}));
    let parent =
        flow(c, &env, "Reconcile Account", json!({"Trigger": "Recurrence", "InSolution": true, "ChildFlow": [v1]}));
    let others = [
        flow(c, &env, "Send Payment Reminders", json!({"Trigger": "Recurrence", "InSolution": true})),
        flow(c, &env, "Archive Paid Invoices", json!({"Trigger": "Automated", "InSolution": true})),
    ];
    DocsExample { env, http, v1, parent, others }
}

#[test]
fn the_documentation_example_leaves_exactly_three_flows_on_the_microsoft_key() {
    let c = Cmk::new();
    let d = docs_example(&c);
    // Before the customer key: every flow is on the Microsoft key; the switch
    // already tells which three would stay there.
    let all = c.pp("Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": d.env}));
    assert_eq!(all.len(), 5);
    let cannot = c.pp(
        "Get-AdminFlowEncryptedByMicrosoftKey",
        json!({"EnvironmentName": d.env, "ListCannotMigrateToCustomerManagedKey": true}),
    );
    assert_eq!(cannot.len(), 3);

    c.add(&d.env);

    // Through the CLI, as an administrator types it: the docs' three columns.
    let out = cli_as(
        &c.t.home(),
        Some(PP),
        &["Get-AdminFlowEncryptedByMicrosoftKey", "-EnvironmentName", &d.env, "-ListCannotMigrateToCustomerManagedKey"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["DisplayName", "FlowName", "EnvironmentName"]);
    assert_eq!(lines.len(), 2 + 3, "header, rule and exactly three flows:\n{text}");
    for (name, id) in [("Get Invoice HTTP", &d.http), ("Pay Invoice from App", &d.v1), ("Reconcile Account", &d.parent)]
    {
        assert!(lines.iter().any(|l| l.starts_with(name) && l.contains(id.as_str()) && l.contains(&d.env)), "{text}");
    }
    assert!(stderr(&out).is_empty() || !stderr(&out).contains("ppcmk:"), "{}", stderr(&out));

    // The reasons, machine-readable, in the objects.
    let cannot = c.pp(
        "Get-AdminFlowEncryptedByMicrosoftKey",
        json!({"EnvironmentName": d.env, "ListCannotMigrateToCustomerManagedKey": true}),
    );
    let reason = |id: &str| cannot.iter().find(|f| f["FlowName"] == id).map(|f| f["Reason"].clone()).unwrap();
    assert_eq!(reason(&d.http), "HttpTrigger");
    assert_eq!(reason(&d.v1), "PowerAppsV1TriggerNotInSolution");
    assert_eq!(reason(&d.parent), "ParentOfUnmigratableFlow");
    let parent = cannot.iter().find(|f| f["FlowName"] == d.parent.as_str()).unwrap();
    assert_eq!(parent["ChildFlowName"], d.v1.as_str(), "the parent names the child that blocks it");
    // The two others are on the customer key.
    for id in &d.others {
        assert_eq!(get_flow(&c, &d.env, id)["KeyManagedBy"], "Customer");
    }
    assert_eq!(get_flow(&c, &d.env, &d.http)["KeyManagedBy"], "Microsoft");
    // Without the switch after CMK: the same three (every flow still on the MMK).
    assert_eq!(c.pp("Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": d.env})).len(), 3);
    // Flow names are customer data: sealed at rest, on either key.
    let bytes = store_file_bytes(&c.t.home());
    for name in ["Get Invoice HTTP", "Pay Invoice from App", "Reconcile Account", "Archive Paid Invoices"] {
        assert!(!contains(&bytes, name.as_bytes()), "'{name}' is in the store's files");
    }
}

#[test]
fn warnings_and_encryption_status_follow_the_flows_left_on_the_microsoft_key() {
    let c = Cmk::new();
    let d = docs_example(&c);
    let add = ppcmk::invoke_json(
        &c.t.store,
        &json!({"command": "Add-PpCmkEnvironmentToEnterprisePolicy", "account": PP, "parameters": {"EnvironmentName": [d.env], "PolicyArmId": c.policy_id}}),
        Default::default(),
    )
    .unwrap();
    let warned = |w: &[String]| {
        w.iter().any(|w| w.contains("Power Automate flows are still protected with the Microsoft Managed Key"))
    };
    assert!(warned(&add.warnings), "{:?}", add.warnings);
    for command in ["Get-AdminPowerAppEnvironment", "Get-PpCmkEnvironmentWithPolicy"] {
        let params =
            if command == "Get-AdminPowerAppEnvironment" { json!({"EnvironmentName": d.env}) } else { json!({}) };
        let out = ppcmk::invoke_json(
            &c.t.store,
            &json!({"command": command, "account": PP, "parameters": params}),
            Default::default(),
        )
        .unwrap();
        assert!(warned(&out.warnings), "{command}: {:?}", out.warnings);
        assert_eq!(out.objects.first().unwrap()["EncryptionStatus"], "Warning", "{command}");
    }
    // The CLI prints the warning on stderr.
    let out = cli_as(&c.t.home(), Some(PP), &["Get-AdminPowerAppEnvironment", "-EnvironmentName", &d.env]);
    assert!(stderr(&out).contains("WARNING: Power Automate flows are still protected with the Microsoft Managed Key"));
    let status = c.pp("Get-AdminFlowEnvironmentCmkStatus", json!({"EnvironmentName": d.env}));
    assert_eq!(status[0]["Status"], "ProtectedWithWarnings");
    assert_eq!(
        (status[0]["FlowsOnCustomerKey"].as_i64(), status[0]["FlowsOnMicrosoftKey"].as_i64()),
        (Some(2), Some(3))
    );
    assert_eq!(c.env(&d.env)["OutboundServiceTag"], "PowerPlatformPlex");

    // Save As protects a copy; once the originals are gone, no more warning.
    for id in [&d.http, &d.v1, &d.parent] {
        let copy = c.pp("Copy-PpCmkFlow", json!({"EnvironmentName": d.env, "FlowName": id})).remove(0);
        assert_ne!(copy["FlowName"], id.as_str());
        assert_eq!(copy["KeyManagedBy"], "Customer");
        assert_eq!(get_flow(&c, &d.env, id)["KeyManagedBy"], "Microsoft", "the original stays as it was");
    }
    for id in [&d.parent, &d.http, &d.v1] {
        c.pp("Remove-AdminFlow", json!({"EnvironmentName": d.env, "FlowName": id}));
    }
    assert_eq!(c.env(&d.env)["EncryptionStatus"], "Encrypted");
    assert_eq!(c.pp("Get-AdminFlowEnvironmentCmkStatus", json!({"EnvironmentName": d.env}))[0]["Status"], "Protected");
}

#[test]
fn save_as_gives_an_http_flow_a_new_url_on_the_dedicated_infrastructure() {
    let c = Cmk::new();
    let env = c.environment("Web", 0);
    let http = flow(&c, &env, "Order webhook", json!({"Trigger": "Http", "InSolution": true}));
    let before = get_flow(&c, &env, &http)["Url"].as_str().unwrap().to_string();
    assert!(before.contains(".logic.azure.com"), "{before}");
    c.add(&env);
    assert_eq!(get_flow(&c, &env, &http)["Url"], before.as_str(), "the original keeps its URL");
    let copy =
        c.pp("Copy-PpCmkFlow", json!({"EnvironmentName": env, "FlowName": http, "DisplayName": "Order webhook (CMK)"}));
    let url = copy[0]["Url"].as_str().unwrap();
    assert!(url.contains(".environment.api.powerplatform.com"), "{url}");
    assert_ne!(url, before);
    assert_eq!(copy[0]["DisplayName"], "Order webhook (CMK)");
    // The signature is a secret: sealed at rest.
    let sig = url.split("sig=").nth(1).unwrap();
    assert!(!contains(&store_file_bytes(&c.t.home()), sig.as_bytes()));
}

#[test]
fn run_history_is_not_carried_forward_but_summary_and_csv_keep_it() {
    let c = Cmk::new();
    let env = c.environment("Payables", 0);
    let f = flow(&c, &env, "Pay vendors", json!({"Trigger": "Recurrence", "InSolution": true}));
    let run = |inputs: Value, sensitive: &[&str]| {
        c.pp(
            "Start-PpCmkFlowRun",
            json!({"EnvironmentName": env, "FlowName": f, "Inputs": inputs, "Outputs": {"paid": true}, "SensitiveInput": sensitive}),
        )
        .remove(0)
    };
    let secret = "IBAN-DE89-3704-0044-0532-0130-00";
    let old = run(json!({"vendor": "Northwind", "iban": secret}), &["iban"]);
    assert!(old["TriggerInputs"].as_str().unwrap().contains("\"iban\":\"***\""), "{old}");
    for i in 0..59 {
        run(json!({"vendor": format!("old-{i}")}), &[]);
    }
    c.add(&env);
    for i in 0..60 {
        run(json!({"vendor": format!("new-{i}")}), &[]);
    }
    // The Details page: only the 60 runs after the customer key.
    let details = c.pp("Get-FlowRun", json!({"EnvironmentName": env, "FlowName": f}));
    assert_eq!(details.len(), 60);
    assert!(details.iter().all(|r| r["TriggerInputs"].as_str().unwrap().contains("new-")));
    // The support ticket's summary: all 120, without inputs or outputs.
    let summary = c.pp("Get-PpCmkFlowRunSummary", json!({"EnvironmentName": env, "FlowName": f}));
    assert_eq!(summary.len(), 120);
    assert!(summary.iter().any(|r| r["RunId"] == old["FlowRunName"] && r["BeforeKeyChange"] == true));
    assert!(summary[0].get("TriggerInputs").is_none());
    // The All-runs CSV: old and new with inputs and outputs, at most 100, newest first.
    let path = c.dir.path().join("runs.csv");
    let e = c.pp(
        "Export-PpCmkFlowRunHistory",
        json!({"EnvironmentName": env, "FlowName": f, "Path": path.to_str().unwrap()}),
    );
    assert_eq!(e[0]["Runs"], 100);
    let csv = std::fs::read_to_string(&path).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[..4], ["RunId", "FlowName", "FlowDisplayName", "StartTime"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 100);
    let inputs = header.iter().position(|h| h == "TriggerInputs").unwrap();
    let before = header.iter().position(|h| h == "BeforeKeyChange").unwrap();
    assert!(rows[0][inputs].contains("new-59"), "newest first: {:?}", &rows[0]);
    assert!(rows.iter().any(|r| &r[before] == "True") && rows.iter().any(|r| &r[before] == "False"));
    assert!(rows.iter().all(|r| r[inputs].contains("vendor")), "inputs are in the export");
    // The sensitive value exists nowhere: not in the store's files, not in the CSV.
    assert!(!csv.contains(secret));
    assert!(!contains(&store_file_bytes(&c.t.home()), secret.as_bytes()));
    // An unwritable path is a clear error and leaves nothing behind.
    let bad = c.dir.path().join("no-such-folder").join("runs.csv");
    let msg = c.pp_fails(
        ErrorCode::FileError,
        "Export-PpCmkFlowRunHistory",
        json!({"EnvironmentName": env, "FlowName": f, "Path": bad.to_str().unwrap()}),
    );
    assert!(msg.contains("does not exist"), "{msg}");
    // Legacy runs stay 30 days after the key change, then go.
    c.environment("Another", 0); // expiry is store-wide: one event, however many environments
    c.t.ok("Set-PpCmkClock", json!({"AdvanceDays": 31}));
    assert_eq!(c.pp("Get-PpCmkFlowRunSummary", json!({"EnvironmentName": env, "FlowName": f})).len(), 60);
    let expired: Vec<String> =
        c.t.ok("Get-PpCmkAuditLog", json!({}))
            .iter()
            .filter_map(|e| e["Detail"].as_str().filter(|d| d.contains("before the flow's key change deleted")))
            .map(str::to_string)
            .collect();
    assert_eq!(expired.len(), 1, "{expired:?}");
    assert!(expired[0].starts_with("60 run(s)"), "{expired:?}");
}

#[test]
fn flows_cannot_change_while_the_encryption_operation_runs() {
    let c = Cmk::new();
    let env = c.environment("Busy", 0);
    let f = flow(&c, &env, "Nightly sync", json!({"Trigger": "Recurrence", "InSolution": true}));
    c.pp(
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id, "NoWait": true}),
    );
    c.pp_fails(
        ErrorCode::OperationInProgress,
        "New-PpCmkFlow",
        json!({"EnvironmentName": env, "DisplayName": "x", "Trigger": "Manual"}),
    );
    c.pp_fails(
        ErrorCode::OperationInProgress,
        "Set-PpCmkFlow",
        json!({"EnvironmentName": env, "FlowName": f, "DisplayName": "y"}),
    );
    // Reading shows the progress of the migration.
    assert_eq!(c.pp("Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": env})).len(), 1);
    c.t.ok("Invoke-PpCmkMaintenance", json!({}));
    assert!(c.pp("Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": env})).is_empty());
    let created = c.pp("New-PpCmkFlow", json!({"EnvironmentName": env, "DisplayName": "x", "Trigger": "Http"}));
    assert_eq!(created[0]["KeyManagedBy"], "Customer", "flows created in a CMK environment are protected at creation");
}

#[test]
fn parents_in_cycles_and_chains_stay_with_their_blocked_child() {
    let c = Cmk::new();
    let env = c.environment("Graph", 0);
    let teams = flow(&c, &env, "Teams approvals", json!({"Trigger": "Teams"}));
    let a = flow(&c, &env, "A", json!({"Trigger": "Manual", "InSolution": true, "ChildFlow": [teams]}));
    let b = flow(&c, &env, "B", json!({"Trigger": "Manual", "InSolution": true, "ChildFlow": [a]}));
    // A calls B too: a cycle.
    c.pp("Set-PpCmkFlow", json!({"EnvironmentName": env, "FlowName": a, "ChildFlow": [teams, b]}));
    let admin = flow(
        &c,
        &env,
        "Inventory",
        json!({"Trigger": "Recurrence", "InSolution": true, "Action": ["ListFlowsAsAdminV1"]}),
    );
    let free = flow(&c, &env, "Free", json!({"Trigger": "Recurrence", "InSolution": true}));
    c.add(&env);
    let list = c.pp(
        "Get-AdminFlowEncryptedByMicrosoftKey",
        json!({"EnvironmentName": env, "ListCannotMigrateToCustomerManagedKey": true}),
    );
    let reason =
        |id: &str| list.iter().find(|f| f["FlowName"] == id).map(|f| f["Reason"].as_str().unwrap().to_string());
    assert_eq!(reason(&teams).as_deref(), Some("TeamsTrigger"));
    assert_eq!(reason(&a).as_deref(), Some("ParentOfUnmigratableFlow"));
    assert_eq!(reason(&b).as_deref(), Some("ParentOfUnmigratableFlow"));
    assert_eq!(reason(&admin).as_deref(), Some("ListFlowsAsAdminV1"));
    assert_eq!(reason(&free), None);
    assert_eq!(get_flow(&c, &env, &free)["KeyManagedBy"], "Customer");
}

#[test]
fn the_26th_cmk_environment_waits_for_a_raised_limit() {
    let c = Cmk::new();
    c.t.ok("Set-PpCmkTenantSetting", json!({"CmkEnvironmentLimit": 2}));
    assert_eq!(c.t.ok("Get-PpCmkTenantSetting", json!({}))[0]["CmkEnvironmentLimit"], 2);
    for name in ["One", "Two"] {
        let env = c.environment(name, 0);
        c.add(&env);
    }
    let third = c.environment("Three", 0);
    let msg = c.pp_fails(
        ErrorCode::LimitExceeded,
        "Add-PpCmkEnvironmentToEnterprisePolicy",
        json!({"EnvironmentName": [third], "PolicyArmId": c.policy_id}),
    );
    assert!(msg.contains("extended") && msg.contains("Set-PpCmkTenantSetting"), "{msg}");
    // Only a Global Administrator raises it.
    c.pp_fails(ErrorCode::Forbidden, "Set-PpCmkTenantSetting", json!({"CmkEnvironmentLimit": 3}));
    c.t.ok("Set-PpCmkTenantSetting", json!({"CmkEnvironmentLimit": 3}));
    c.add(&third);
    assert_eq!(c.t.ok("Get-PpCmkTenantSetting", json!({}))[0]["CmkEnvironmentsInUse"], 3);
}

#[test]
fn the_default_limit_is_25() {
    let c = Cmk::new();
    assert_eq!(c.t.ok("Get-PpCmkTenantSetting", json!({}))[0]["CmkEnvironmentLimit"], 25);
}

#[test]
fn apps_cannot_reference_non_solution_power_apps_flows_created_under_cmk() {
    let c = Cmk::new();
    let env = c.environment("Apps", 0);
    let before = flow(&c, &env, "Legacy app flow", json!({"Trigger": "PowerAppsV2"}));
    c.add(&env);
    // Created before the key: migrated, and an app can still reference it.
    c.pp("Register-PpCmkAppFlowReference", json!({"EnvironmentName": env, "FlowName": before, "AppName": "Invoices"}));
    let after = flow(&c, &env, "New app flow", json!({"Trigger": "PowerAppsV2"}));
    let msg = c.pp_fails(
        ErrorCode::UnsupportedWithCustomerManagedKey,
        "Register-PpCmkAppFlowReference",
        json!({"EnvironmentName": env, "FlowName": after}),
    );
    assert!(msg.contains("solution") && msg.contains("CreateFlowsInSolutionByDefault"), "{msg}");
    // The documented prevention: new flows are solution flows.
    c.pp("Set-PpCmkEnvironmentSetting", json!({"EnvironmentName": env, "CreateFlowsInSolutionByDefault": true}));
    let in_solution = flow(&c, &env, "Solution app flow", json!({"Trigger": "PowerAppsV2"}));
    assert_eq!(get_flow(&c, &env, &in_solution)["InSolution"], true);
    c.pp("Register-PpCmkAppFlowReference", json!({"EnvironmentName": env, "FlowName": in_solution}));
    // And the documented fix for the existing one.
    c.pp("Set-PpCmkFlow", json!({"EnvironmentName": env, "FlowName": after, "InSolution": true}));
    c.pp("Register-PpCmkAppFlowReference", json!({"EnvironmentName": env, "FlowName": after}));
}

#[test]
fn copilot_skill_flows_need_an_embedded_connection_under_cmk() {
    let c = Cmk::new();
    let env = c.environment("Copilot", 0);
    let invoker =
        flow(&c, &env, "Ask HR", json!({"Trigger": "CopilotSkill", "InSolution": true, "ConnectionSource": "Invoker"}));
    let embedded = flow(&c, &env, "Ask IT", json!({"Trigger": "CopilotSkill", "InSolution": true}));
    // Before the customer key both run.
    c.pp("Start-PpCmkFlowRun", json!({"EnvironmentName": env, "FlowName": invoker}));
    c.add(&env);
    let msg = c.pp_fails(
        ErrorCode::UnsupportedWithCustomerManagedKey,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": env, "FlowName": invoker}),
    );
    assert!(msg.contains("Copilot") && msg.contains("embedded"), "{msg}");
    c.pp("Start-PpCmkFlowRun", json!({"EnvironmentName": env, "FlowName": embedded}));
}

#[test]
fn only_oauth_connections_follow_the_customer_key() {
    let c = Cmk::new();
    let env = c.environment("Connections", 0);
    let secret = |s: &str| format!("token-{s}-9f8e7d6c5b4a");
    let oauth = c.pp("New-PpCmkConnection", json!({"EnvironmentName": env, "Connector": "shared_office365", "AuthType": "OAuth", "Secret": secret("oauth")}));
    assert!(oauth[0].get("Secret").is_none(), "never output");
    c.pp("New-PpCmkConnection", json!({"EnvironmentName": env, "Connector": "shared_sendgrid", "AuthType": "ApiKey", "Secret": secret("apikey")}));
    c.add(&env);
    let after_add = c.pp(
        "New-PpCmkConnection",
        json!({"EnvironmentName": env, "Connector": "shared_ftp", "AuthType": "Basic", "Secret": secret("basic")}),
    );
    assert_eq!(after_add[0]["KeyManagedBy"], "Microsoft");
    let list = c.pp("Get-PpCmkConnection", json!({"EnvironmentName": env}));
    let key = |connector: &str| list.iter().find(|x| x["Connector"] == connector).unwrap()["KeyManagedBy"].clone();
    assert_eq!(key("shared_office365"), "Customer");
    assert_eq!(key("shared_sendgrid"), "Microsoft");
    let bytes = store_file_bytes(&c.t.home());
    for s in ["oauth", "apikey", "basic"] {
        assert!(!contains(&bytes, secret(s).as_bytes()), "{s} secret sealed");
    }
    assert_eq!(
        c.pp("Get-AdminFlowEnvironmentCmkStatus", json!({"EnvironmentName": env}))[0]["ConnectionsOnMicrosoftKey"],
        2
    );
}

#[test]
fn removing_the_policy_returns_every_flow_to_the_microsoft_key() {
    let c = Cmk::new();
    let d = docs_example(&c);
    c.pp("Start-PpCmkFlowRun", json!({"EnvironmentName": d.env, "FlowName": d.others[0], "Inputs": {"n": 1}}));
    c.add(&d.env);
    c.pp("Start-PpCmkFlowRun", json!({"EnvironmentName": d.env, "FlowName": d.others[0], "Inputs": {"n": 2}}));
    c.pp("Remove-PpCmkEnvironmentFromEnterprisePolicy", json!({"EnvironmentName": d.env, "PolicyArmId": c.policy_id}));
    let flows = c.pp("Get-AdminFlow", json!({"EnvironmentName": d.env}));
    assert_eq!(flows.len(), 5);
    assert!(flows.iter().all(|f| f["KeyManagedBy"] == "Microsoft" && f["Reason"].is_null()), "{flows:?}");
    assert_eq!(c.env(&d.env)["OutboundServiceTag"], "LogicApps");
    // Both earlier runs are in the export, each readable under the key it was sealed with.
    let path = c.dir.path().join("after-unlink.csv");
    c.pp(
        "Export-PpCmkFlowRunHistory",
        json!({"EnvironmentName": d.env, "FlowName": d.others[0], "Path": path.to_str().unwrap()}),
    );
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.contains(r#"{""n"":1}"#) && csv.contains(r#"{""n"":2}"#), "{csv}");
}

#[test]
fn a_locked_environment_locks_its_flows_and_a_reset_deletes_them() {
    let c = Cmk::new();
    let d = docs_example(&c);
    c.add(&d.env);
    c.revoke();
    c.pp_fails(ErrorCode::EnvironmentLocked, "Get-AdminFlow", json!({"EnvironmentName": d.env}));
    c.pp_fails(ErrorCode::EnvironmentLocked, "Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": d.env}));
    c.pp_fails(
        ErrorCode::EnvironmentLocked,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": d.env, "FlowName": d.others[0]}),
    );
    c.restore_access();
    assert_eq!(c.pp("Get-AdminFlow", json!({"EnvironmentName": d.env})).len(), 5);
    c.pp("Remove-PpCmkEnvironmentFromEnterprisePolicy", json!({"EnvironmentName": d.env, "PolicyArmId": c.policy_id}));
    c.pp("Reset-PowerAppEnvironment", json!({"EnvironmentName": d.env}));
    assert!(c.pp("Get-AdminFlow", json!({"EnvironmentName": d.env})).is_empty());
}

#[test]
fn bad_flow_input_gets_clear_errors() {
    let c = Cmk::new();
    let env = c.environment("Input", 0);
    let f = flow(&c, &env, "Target", json!({"Trigger": "Manual"}));
    c.pp_fails(ErrorCode::NotFound, "New-PpCmkFlow", json!({"EnvironmentName": env, "DisplayName": "p", "Trigger": "Manual", "ChildFlow": ["00000000-0000-0000-0000-000000000000"]}));
    c.pp_fails(
        ErrorCode::InvalidArgument,
        "Set-PpCmkFlow",
        json!({"EnvironmentName": env, "FlowName": f, "ChildFlow": [f]}),
    );
    c.pp_fails(
        ErrorCode::ParameterValidationFailed,
        "New-PpCmkFlow",
        json!({"EnvironmentName": env, "DisplayName": "p", "Trigger": "Webhook"}),
    );
    c.pp_fails(
        ErrorCode::ParameterValidationFailed,
        "New-PpCmkFlow",
        json!({"EnvironmentName": env, "DisplayName": "", "Trigger": "Manual"}),
    );
    c.pp_fails(
        ErrorCode::InvalidArgument,
        "New-PpCmkFlow",
        json!({"EnvironmentName": env, "DisplayName": "bell\u{7}", "Trigger": "Manual"}),
    );
    let msg = c.pp_fails(
        ErrorCode::InvalidArgument,
        "Start-PpCmkFlowRun",
        json!({"EnvironmentName": env, "FlowName": f, "Inputs": {"password": "hunter2"}, "SensitiveInput": ["pasword"]}),
    );
    assert!(msg.contains("pasword") && msg.contains("nothing was recorded"), "{msg}");
    assert!(c.pp("Get-FlowRun", json!({"EnvironmentName": env, "FlowName": f})).is_empty());
    assert!(!contains(&store_file_bytes(&c.t.home()), b"hunter2"));
}

fn cannot_migrate(c: &Cmk, env: &str) -> Vec<(String, Value)> {
    c.pp(
        "Get-AdminFlowEncryptedByMicrosoftKey",
        json!({"EnvironmentName": env, "ListCannotMigrateToCustomerManagedKey": true}),
    )
    .into_iter()
    .map(|f| (f["FlowName"].as_str().unwrap().to_string(), f["Reason"].clone()))
    .collect()
}

/// 000:60, 000:79: reasons are live. A flow updated to List Flows as Admin
/// (V2) or to the Power Apps V2 trigger after the add loses its reason at
/// once (and so does the parent it blocked); the listings show the progress.
#[test]
fn reasons_are_live_when_flows_are_fixed_after_the_add() {
    let c = Cmk::new();
    let d = docs_example(&c);
    let admin = flow(
        &c,
        &d.env,
        "List every flow",
        json!({"Trigger": "Recurrence", "InSolution": true, "Action": ["ListFlowsAsAdminV1"]}),
    );
    c.add(&d.env);
    assert_eq!(cannot_migrate(&c, &d.env).len(), 4);
    c.pp("Set-PpCmkFlow", json!({"EnvironmentName": d.env, "FlowName": admin, "Action": ["ListFlowsAsAdminV2"]}));
    let left = cannot_migrate(&c, &d.env);
    assert!(!left.iter().any(|(id, _)| *id == admin), "updated to V2: no longer blocked: {left:?}");
    assert_eq!(get_flow(&c, &d.env, &admin)["Reason"], Value::Null);
    c.pp("Set-PpCmkFlow", json!({"EnvironmentName": d.env, "FlowName": d.v1, "Trigger": "PowerAppsV2"}));
    let left = cannot_migrate(&c, &d.env);
    assert_eq!(left, vec![(d.http.clone(), json!("HttpTrigger"))], "the v1 flow and its parent are fixed");
    // Still on the Microsoft key until moved: the full list shows them, without a reason.
    let all = c.pp("Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": d.env}));
    assert_eq!(all.len(), 4);
    let v1 = all.iter().find(|f| f["FlowName"] == d.v1.as_str()).unwrap();
    assert_eq!(v1["Reason"], Value::Null, "{v1}");
    assert_eq!(get_flow(&c, &d.env, &d.v1)["KeyManagedBy"], "Microsoft");
}

/// Save As keeps the rule that applies to the content: a copy still using
/// List Flows as Admin (V1) stays on the Microsoft key with that reason,
/// while an HTTP flow's copy (a new URL) is protected. Deleting a blocking
/// child lifts its parent's reason.
#[test]
fn save_as_keeps_the_list_flows_v1_rule_and_deleting_the_child_frees_the_parent() {
    let c = Cmk::new();
    let d = docs_example(&c);
    let admin = flow(
        &c,
        &d.env,
        "List every flow",
        json!({"Trigger": "Recurrence", "InSolution": true, "Action": ["ListFlowsAsAdminV1"]}),
    );
    c.add(&d.env);
    let copy = c.pp("Copy-PpCmkFlow", json!({"EnvironmentName": d.env, "FlowName": admin})).remove(0);
    assert_eq!(
        (copy["KeyManagedBy"].as_str(), copy["Reason"].as_str()),
        (Some("Microsoft"), Some("ListFlowsAsAdminV1")),
        "{copy}"
    );
    let copy_id = copy["FlowName"].as_str().unwrap().to_string();
    assert!(cannot_migrate(&c, &d.env).iter().any(|(id, r)| *id == copy_id && r == "ListFlowsAsAdminV1"));
    let http_copy = c.pp("Copy-PpCmkFlow", json!({"EnvironmentName": d.env, "FlowName": d.http})).remove(0);
    assert_eq!(http_copy["KeyManagedBy"], "Customer");
    c.pp("Remove-AdminFlow", json!({"EnvironmentName": d.env, "FlowName": d.v1}));
    let left = cannot_migrate(&c, &d.env);
    assert!(!left.iter().any(|(id, _)| *id == d.parent), "its blocking child is gone: {left:?}");
    assert_eq!(get_flow(&c, &d.env, &d.parent)["Reason"], Value::Null);
}

/// 000:28-36: after the key applies, a flow's HTTP call comes from
/// PowerPlatformPlex; a firewall that allows only the old tag refuses it
/// with the documented error, and the pre-flight names the tag.
#[test]
fn a_firewall_without_power_platform_plex_refuses_http_calls_after_cmk() {
    let c = Cmk::new();
    let env = c.environment("Calls", 0);
    let erp = flow(&c, &env, "Call ERP", json!({"Trigger": "Recurrence", "InSolution": true, "Action": ["Http"]}));
    let quiet = flow(&c, &env, "Tidy up", json!({"Trigger": "Recurrence", "InSolution": true}));
    let fw = c.pp("Set-PpCmkFirewallAllowList", json!({"EnvironmentName": env, "ServiceTag": ["logicapps"]})).remove(0);
    assert_eq!((fw["ServiceTags"].clone(), fw["AllowsOutboundCalls"].as_bool()), (json!(["LogicApps"]), Some(true)));
    c.pp_fails(
        ErrorCode::InvalidArgument,
        "Set-PpCmkFirewallAllowList",
        json!({"EnvironmentName": env, "IpRange": ["10.0.0.0/33"]}),
    );
    let run = |id: &str| c.pp("Start-PpCmkFlowRun", json!({"EnvironmentName": env, "FlowName": id})).remove(0);
    assert_eq!(run(&erp)["Status"], "Succeeded", "before the key: from LogicApps, allowed");
    let rows = c.pp("Test-PpCmkReadiness", json!({"EnvironmentName": [env], "PolicyArmId": c.policy_id}));
    let tag = rows.iter().find(|r| r["Check"] == "OutboundServiceTag").unwrap();
    assert_eq!(tag["Status"], "Fail", "{tag}");
    assert!(tag["Detail"].as_str().unwrap().contains("PowerPlatformPlex"), "{tag}");
    c.add(&env);
    let refused = run(&erp);
    assert_eq!(refused["Status"], "Failed", "{refused}");
    assert!(
        serde_json::to_string(&refused).unwrap().contains(
            "Http request failed as there is an error: 'No connection could be made because the target machine actively refused it.'"
        ),
        "{refused}"
    );
    assert_eq!(run(&quiet)["Status"], "Succeeded", "no outbound call, nothing refused");
    c.pp(
        "Set-PpCmkFirewallAllowList",
        json!({"EnvironmentName": env, "ServiceTag": ["LogicApps", "PowerPlatformPlex"]}),
    );
    assert_eq!(run(&erp)["Status"], "Succeeded");
}

/// 000:100: in an environment already on a customer key, a flow left on the
/// Microsoft key is protected by a support ticket, keeping its FlowName; a
/// flow whose content still keeps it there is refused until fixed.
#[test]
fn a_support_request_protects_a_flow_left_on_the_microsoft_key_keeping_its_name() {
    let c = Cmk::new();
    let d = docs_example(&c);
    let admin = flow(
        &c,
        &d.env,
        "List every flow",
        json!({"Trigger": "Recurrence", "InSolution": true, "Action": ["ListFlowsAsAdminV1"]}),
    );
    c.pp_fails(
        ErrorCode::InvalidOperation,
        "Request-PpCmkFlowProtection",
        json!({"EnvironmentName": d.env, "FlowName": d.http}),
    );
    c.add(&d.env);
    let before = get_flow(&c, &d.env, &d.http);
    let moved = c.pp("Request-PpCmkFlowProtection", json!({"EnvironmentName": d.env, "FlowName": d.http})).remove(0);
    assert_eq!((moved["FlowName"].as_str(), moved["KeyManagedBy"].as_str()), (Some(d.http.as_str()), Some("Customer")));
    assert_eq!(moved["Reason"], Value::Null);
    assert_ne!(moved["Url"], before["Url"], "the HTTP trigger's URL is on the dedicated infrastructure now");
    assert!(moved["Url"].as_str().unwrap().contains("environment.api.powerplatform.com"), "{moved}");
    c.pp_fails(
        ErrorCode::Conflict,
        "Request-PpCmkFlowProtection",
        json!({"EnvironmentName": d.env, "FlowName": d.http}),
    );
    let e = c.pp_fails(
        ErrorCode::InvalidOperation,
        "Request-PpCmkFlowProtection",
        json!({"EnvironmentName": d.env, "FlowName": admin}),
    );
    assert!(e.contains("ListFlowsAsAdminV1"), "{e}");
    let e = c.pp_fails(
        ErrorCode::InvalidOperation,
        "Request-PpCmkFlowProtection",
        json!({"EnvironmentName": d.env, "FlowName": d.parent}),
    );
    assert!(e.contains(&d.v1), "names the blocking child: {e}");
    // The child first, then the parent is free.
    c.pp("Request-PpCmkFlowProtection", json!({"EnvironmentName": d.env, "FlowName": d.v1}));
    c.pp("Request-PpCmkFlowProtection", json!({"EnvironmentName": d.env, "FlowName": d.parent}));
    let left = c.pp("Get-AdminFlowEncryptedByMicrosoftKey", json!({"EnvironmentName": d.env}));
    assert_eq!(left.iter().map(|f| f["FlowName"].as_str().unwrap()).collect::<Vec<_>>(), vec![admin.as_str()]);
}

/// 000:106-108: the flow status says the environment's Power Automate data
/// is no longer sent to the analytics pipeline once it is on a customer key.
#[test]
fn the_flow_status_shows_the_analytics_pipeline_stops_under_cmk() {
    let c = Cmk::new();
    let env = c.environment("Analytics", 0);
    let status = |c: &Cmk| c.pp("Get-AdminFlowEnvironmentCmkStatus", json!({"EnvironmentName": env})).remove(0);
    assert_eq!(status(&c)["AnalyticsPipeline"], "Sent");
    c.add(&env);
    assert_eq!(status(&c)["AnalyticsPipeline"], "NotSent");
    c.pp("Remove-PpCmkEnvironmentFromEnterprisePolicy", json!({"EnvironmentName": env, "PolicyArmId": c.policy_id}));
    assert_eq!(status(&c)["AnalyticsPipeline"], "Sent");
}

/// 000:23-27 and 003:11: a hosted machine group's VM disks keep the key
/// they were provisioned under; after the customer key applies, runs on it
/// fail until it is re-provisioned. Its hybrid join network connection signs
/// in with a credential, which cannot be removed while the group uses it.
#[test]
fn hosted_machine_groups_must_be_reprovisioned_after_cmk() {
    let c = Cmk::new();
    let env = c.environment("Bots", 0);
    c.t.ok(
        "New-AzRoleAssignment",
        json!({"SignInName": "admin@contoso.onmicrosoft.com", "RoleDefinitionName": "Key Vault Secrets Officer", "Scope": c.vault_id}),
    );
    c.t.ok(
        "Set-AzKeyVaultSecret",
        json!({"VaultName": "contoso-cmk-kv", "Name": "domain-join", "SecretValue": "J0in-Pa55-77"}),
    );
    c.t.ok(
        "New-AzRoleAssignment",
        json!({"SignInName": PP, "RoleDefinitionName": "Key Vault Secrets User", "Scope": c.vault_id}),
    );
    c.pp(
        "New-PpCmkCredential",
        json!({"EnvironmentName": env, "Name": "Domain join", "Source": "AzureKeyVault", "VaultName": "contoso-cmk-kv", "SecretName": "domain-join", "UserName": "svc-join"}),
    );
    let group = c
        .pp(
            "New-PpCmkHostedMachineGroup",
            json!({"EnvironmentName": env, "Name": "Invoice bots", "NetworkCredential": "Domain join"}),
        )
        .remove(0);
    assert_eq!(
        (
            group["DiskEncryptionKey"].as_str(),
            group["NeedsReprovisioning"].as_bool(),
            group["NetworkCredential"].as_str()
        ),
        (Some("Microsoft-managed key"), Some(false), Some("Domain join"))
    );
    let bot = flow(
        &c,
        &env,
        "Invoice bot",
        json!({"Kind": "Desktop", "Trigger": "Manual", "InSolution": true, "Definition": {"actions": [{"action": "Wait"}]}}),
    );
    let run = || {
        c.t.run_as(
            Some(PP),
            "Start-PpCmkFlowRun",
            json!({"EnvironmentName": env, "FlowName": bot, "HostedMachineGroup": "Invoice bots"}),
        )
    };
    assert_eq!(run().unwrap()[0]["Status"], "Succeeded");
    c.add(&env);
    let stale = c.pp("Get-PpCmkHostedMachineGroup", json!({"EnvironmentName": env})).remove(0);
    assert_eq!(stale["NeedsReprovisioning"], true);
    let e = run().unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidOperation);
    assert!(e.message.contains("Reprovision"), "{}", e.message);
    let e = c.pp_fails(
        ErrorCode::Conflict,
        "Remove-PpCmkCredential",
        json!({"EnvironmentName": env, "Name": "Domain join"}),
    );
    assert!(e.contains("hosted machine group 'Invoice bots'"), "{e}");
    let fresh = c
        .pp(
            "Update-PpCmkHostedMachineGroup",
            json!({"EnvironmentName": env, "Name": "Invoice bots", "Reprovision": true}),
        )
        .remove(0);
    assert_eq!(
        (fresh["DiskEncryptionKey"].as_str(), fresh["NeedsReprovisioning"].as_bool()),
        (Some("Customer-managed key"), Some(false))
    );
    assert!(fresh["DiskKeyId"].as_str().unwrap().contains("contoso-cmk-key"), "{fresh}");
    assert_eq!(run().unwrap()[0]["Status"], "Succeeded");
}
