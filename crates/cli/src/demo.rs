//! The guided demo (`ppcmk demo`): a fresh store in a temporary folder and a
//! walk through the documented CMK set-up, each step a real command line run
//! through the same parser and registry as the CLI, with its table printed.

use ppcmk::engine::{self, InvokeOptions};
use ppcmk::registry::bind::{self, CliBinding, OutputFormat};
use ppcmk::registry::format;
use ppcmk::Store;
use ppcmk::{Error, ErrorCode, Result};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// What the demo showed, for its closing summary and for tests.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub steps: Vec<String>,
    pub store: PathBuf,
}

struct Demo<'a> {
    store: Store,
    out: &'a mut dyn Write,
    report: DemoReport,
    section: usize,
    /// Where files the demo writes (the policy template) go.
    folder: PathBuf,
    /// Draw progress bars in place (a terminal) rather than as lines.
    interactive: bool,
}

impl Demo<'_> {
    fn say(&mut self, text: &str) -> Result<()> {
        write_out(self.out, &format!("{text}\n"))
    }

    fn section(&mut self, title: &str) -> Result<()> {
        self.section += 1;
        let heading = format!("{}. {title}", self.section);
        self.say(&format!("\n{heading}\n{}", "=".repeat(heading.chars().count())))?;
        self.report.steps.push(title.to_string());
        Ok(())
    }

    /// Runs one command line as `account` (None: the signed-in account).
    /// With `expect`, the command must fail with that code.
    fn run(
        &mut self,
        account: Option<&str>,
        line: &[&str],
        expect: Option<ErrorCode>,
    ) -> Result<Vec<ppcmk::registry::Object>> {
        let who = account.map(|a| format!("PPCMK_ACCOUNT={a} ")).unwrap_or_default();
        let shown: Vec<String> =
            line.iter().map(|t| if t.contains(' ') { format!("'{t}'") } else { t.to_string() }).collect();
        self.say(&format!("\n> {who}ppcmk {}", shown.join(" ")))?;
        let command = ppcmk::commands::find(line[0]).ok_or_else(|| ppcmk::surface::command_not_found(line[0]))?;
        let tokens: Vec<String> = line[1..].iter().map(|t| t.to_string()).collect();
        let (args, format) = match bind::bind_cli(command, &tokens)? {
            CliBinding::Run { args, format } => (args, format.unwrap_or(OutputFormat::Table)),
            CliBinding::Help => return Err(Error::internal("the demo asked for help")),
        };
        let interactive = self.interactive;
        let mut bar = String::new();
        let mut last_decile = None;
        let mut show = |p: &ppcmk::Progress| {
            let filled = 30 * p.percent_complete as usize / 100;
            let line =
                format!("[{}{}] {:3}% {}", "#".repeat(filled), " ".repeat(30 - filled), p.percent_complete, p.status);
            if interactive {
                bar = format!("\r{line}");
                eprint!("{bar}");
            } else if last_decile != Some(p.percent_complete / 25) {
                last_decile = Some(p.percent_complete / 25);
                bar.push_str(&line);
                bar.push('\n');
            }
        };
        let options =
            InvokeOptions { account: account.map(str::to_string), progress: Some(&mut show), ..Default::default() };
        let result = engine::invoke(&self.store, command, &args, options);
        if interactive {
            eprint!("\r\x1b[2K");
        } else if !bar.is_empty() {
            write_out(self.out, &bar)?;
        }
        match (result, expect) {
            (Ok(outcome), None) => {
                for w in &outcome.warnings {
                    self.say(&format!("WARNING: {w}"))?;
                }
                let text = format::render(&outcome.objects, &command.output, format);
                write_out(self.out, text.trim_end_matches('\n'))?;
                self.say("")?;
                if let Some(gate) = outcome.gate.filter(|g| g.tripped()) {
                    let e = gate.error();
                    self.say(&format!("ppcmk: {}: {} (exit status 1)", e.code, e.message))?;
                }
                Ok(outcome.objects.into_maps())
            }
            (Err(e), Some(code)) if e.code == code => {
                self.say(&format!(
                    "ppcmk: {}: {}\n(refused, as the documentation says it must be)",
                    e.code, e.message
                ))?;
                Ok(vec![])
            }
            (Ok(_), Some(code)) => {
                Err(Error::internal(format!("demo step `{}` should have failed with {code}", line[0])))
            }
            (Err(e), _) => Err(e),
        }
    }
}

/// Writes demo text; a reader that went away (`ppcmk demo | head`) is not an error.
fn write_out(out: &mut dyn Write, text: &str) -> Result<()> {
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::new(ErrorCode::FileError, format!("Cannot write the demo output: {e}")))
        }
        _ => Ok(()),
    }
}

const KV_ADMIN: &str = "kvadmin@contoso.onmicrosoft.com";
const VAULT_ID: &str =
    "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.KeyVault/vaults/contoso-cmk-kv";
const POLICY_ID: &str = "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy";

/// The documentation's "Enterprise policy json template", as printed.
const DOCS_TEMPLATE: &str = r#"{
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {},
    "resources": [
        {
            "type": "Microsoft.PowerPlatform/enterprisePolicies",
            "apiVersion": "2020-10-30",
            "name": {EnterprisePolicyName},
            "location": {location where EnterprisePolicy needs to be created},
            "kind": "Encryption",
            "identity": {
                "type": "SystemAssigned"
            },
            "properties": {
                "lockbox": null,
                "encryption": {
                    "state": "Enabled",
                    "keyVault": {
                        "id": {keyVaultId},
                        "key": {
                            "name": {keyName}
                        }
                    }
                },
                "networkInjection": null
            }
        }
    ]
   }
"#;

/// A string property of the first object.
fn text(objects: &[ppcmk::registry::Object], property: &str) -> Result<String> {
    objects
        .first()
        .and_then(|o| o.get(property))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| Error::internal(format!("the demo expected a {property}")))
}
const PP_ADMIN: &str = "ppadmin@contoso.onmicrosoft.com";

/// Runs the demo in a new store under `folder` (a temporary folder when None,
/// removed afterwards unless `keep`). `interactive` draws progress bars in place.
pub fn run(out: &mut dyn Write, folder: Option<PathBuf>, keep: bool, interactive: bool) -> Result<DemoReport> {
    let started = Instant::now();
    let temporary = folder.is_none();
    let home = folder.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("ppcmk-demo-{}", ppcmk::crypto::hex(&ppcmk::crypto::random_array::<6>())))
    });
    if Store::exists_in(&home) {
        return Err(Error::invalid(format!("{} already holds a store; the demo needs a new folder.", home.display())));
    }
    let store = Store::open(&home)?;
    let mut demo = Demo {
        store,
        out,
        report: DemoReport { steps: vec![], store: home.clone() },
        section: 0,
        folder: home.clone(),
        interactive,
    };
    let result = walk(&mut demo);
    let elapsed = started.elapsed();
    if result.is_ok() {
        demo.say(&format!("\nSummary ({:.1} s, store {}):", elapsed.as_secs_f64(), home.display()))?;
        let steps = demo.report.steps.clone();
        for (i, s) in steps.iter().enumerate() {
            demo.say(&format!("  {:2}. {s}", i + 1))?;
        }
    }
    let report = std::mem::take(&mut demo.report);
    drop(demo);
    if temporary && !keep {
        let _ = std::fs::remove_dir_all(&home);
    }
    result.map(|_| report)
}

fn walk(d: &mut Demo) -> Result<()> {
    d.say("ppcmk demo: the customer-managed key set-up of the Power Platform documentation, rehearsed locally.")?;
    d.say("Every step below is a real ppcmk command line run against a new store.")?;

    d.section("A new tenant: one subscription, a Global Administrator signed in")?;
    d.run(None, &["Get-AzContext"], None)?;

    d.section("Separation of duties: a key vault administrator and a Power Platform administrator")?;
    d.run(None, &["New-AzADUser", "-DisplayName", "Key Vault Admin", "-UserPrincipalName", KV_ADMIN], None)?;
    d.run(None, &["New-AzADUser", "-DisplayName", "Power Platform Admin", "-UserPrincipalName", PP_ADMIN], None)?;
    d.run(
        None,
        &["Add-PpCmkDirectoryRoleMember", "-RoleName", "Power Platform Administrator", "-UserPrincipalName", PP_ADMIN],
        None,
    )?;
    d.run(None, &["Get-PpCmkDirectoryRoleMember"], None)?;

    d.section("Azure RBAC: only Owner or User Access Administrator (or a Global Administrator) assigns roles")?;
    d.run(None, &["New-AzResourceGroup", "-Name", "contoso-cmk", "-Location", "centralus"], None)?;
    d.run(
        Some(KV_ADMIN),
        &[
            "New-AzRoleAssignment",
            "-SignInName",
            KV_ADMIN,
            "-RoleDefinitionName",
            "Owner",
            "-ResourceGroupName",
            "contoso-cmk",
        ],
        Some(ErrorCode::Forbidden),
    )?;
    d.run(
        None,
        &[
            "New-AzRoleAssignment",
            "-SignInName",
            KV_ADMIN,
            "-RoleDefinitionName",
            "Owner",
            "-ResourceGroupName",
            "contoso-cmk",
        ],
        None,
    )?;
    d.run(
        None,
        &[
            "New-AzRoleAssignment",
            "-SignInName",
            KV_ADMIN,
            "-RoleDefinitionName",
            "Owner",
            "-ResourceGroupName",
            "contoso-cmk",
        ],
        Some(ErrorCode::Conflict),
    )?;
    d.run(None, &["Get-AzRoleAssignment", "-ResourceGroupName", "contoso-cmk"], None)?;

    d.section("Enable the Power Platform enterprise policies service for the subscription")?;
    d.run(None, &["Get-AzResourceProvider", "-ProviderNamespace", "Microsoft.PowerPlatform"], None)?;
    d.run(None, &["Register-AzResourceProvider", "-ProviderNamespace", "Microsoft.PowerPlatform"], None)?;
    d.say(
        "\nUsers of the environments need a subscription that gives access to customer-managed keys (E5 and the like).",
    )?;
    d.run(None, &["Add-PpCmkLicense", "-Sku", "Microsoft 365 E5", "-Units", "25"], None)?;

    d.section("The key vault: soft delete and purge protection are required")?;
    d.run(
        Some(KV_ADMIN),
        &["New-AzKeyVault", "-Name", "contoso-cmk-kv", "-ResourceGroupName", "contoso-cmk", "-Location", "centralus"],
        None,
    )?;
    d.run(
        Some(KV_ADMIN),
        &[
            "Update-AzKeyVault",
            "-VaultName",
            "contoso-cmk-kv",
            "-ResourceGroupName",
            "contoso-cmk",
            "-EnablePurgeProtection",
        ],
        None,
    )?;

    d.section("An RSA 2048 key: the vault owner still needs a data-plane role")?;
    d.run(
        Some(KV_ADMIN),
        &["Add-AzKeyVaultKey", "-VaultName", "contoso-cmk-kv", "-Name", "contoso-cmk-key", "-Destination", "Software"],
        Some(ErrorCode::Forbidden),
    )?;
    let vault_id = "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.KeyVault/vaults/contoso-cmk-kv";
    d.run(
        Some(KV_ADMIN),
        &[
            "New-AzRoleAssignment",
            "-SignInName",
            KV_ADMIN,
            "-RoleDefinitionName",
            "Key Vault Crypto Officer",
            "-Scope",
            vault_id,
        ],
        None,
    )?;
    d.run(
        Some(KV_ADMIN),
        &["Add-AzKeyVaultKey", "-VaultName", "contoso-cmk-kv", "-Name", "contoso-cmk-key", "-Size", "1024"],
        Some(ErrorCode::InvalidArgument),
    )?;
    d.run(
        Some(KV_ADMIN),
        &[
            "Add-AzKeyVaultKey",
            "-VaultName",
            "contoso-cmk-kv",
            "-Name",
            "contoso-cmk-key",
            "-Destination",
            "Software",
            "-KeyType",
            "RSA",
            "-Size",
            "2048",
        ],
        None,
    )?;

    d.section("Rotation: a new version, the old one stays enabled")?;
    d.run(
        Some(KV_ADMIN),
        &[
            "Set-AzKeyVaultKeyRotationPolicy",
            "-VaultName",
            "contoso-cmk-kv",
            "-Name",
            "contoso-cmk-key",
            "-ExpiresIn",
            "P2Y",
            "-KeyRotationLifetimeAction",
            "@{Action='Rotate';TimeAfterCreate='P90D'}",
        ],
        None,
    )?;
    d.run(
        Some(KV_ADMIN),
        &["Invoke-AzKeyVaultKeyRotation", "-VaultName", "contoso-cmk-kv", "-Name", "contoso-cmk-key"],
        None,
    )?;
    d.run(
        Some(KV_ADMIN),
        &["Get-AzKeyVaultKey", "-VaultName", "contoso-cmk-kv", "-Name", "contoso-cmk-key", "-IncludeVersions"],
        None,
    )?;

    d.section("Separation of duties holds at the key: the Power Platform admin cannot unwrap")?;
    d.run(
        Some(PP_ADMIN),
        &[
            "Invoke-AzKeyVaultKeyOperation",
            "-VaultName",
            "contoso-cmk-kv",
            "-Name",
            "contoso-cmk-key",
            "-Operation",
            "Wrap",
            "-Algorithm",
            "RSA-OAEP-256",
            "-ByteArrayValue",
            "AAECAwQFBgcICQoLDA0ODw==",
        ],
        Some(ErrorCode::Forbidden),
    )?;

    d.section("One clock for every time-based rule: the policy rotates the key after 90 days")?;
    d.run(None, &["Set-PpCmkClock", "-AdvanceDays", "91"], None)?;
    d.run(
        Some(KV_ADMIN),
        &["Get-AzKeyVaultKey", "-VaultName", "contoso-cmk-kv", "-Name", "contoso-cmk-key", "-IncludeVersions"],
        None,
    )?;

    d.section("The enterprise policy from the documentation's JSON template")?;
    let template = d.folder.join("enterprise-policy.json");
    std::fs::write(&template, DOCS_TEMPLATE).map_err(|e| Error::new(ErrorCode::FileError, e.to_string()))?;
    let template_path = template.display().to_string();
    d.say("The template exactly as the documentation prints it, placeholders and all:")?;
    d.run(
        Some(KV_ADMIN),
        &["New-AzResourceGroupDeployment", "-ResourceGroupName", "contoso-cmk", "-TemplateFile", &template_path],
        Some(ErrorCode::InvalidTemplate),
    )?;
    let filled = DOCS_TEMPLATE
        .replace("{EnterprisePolicyName}", "\"contoso-cmk-policy\"")
        .replace("{location where EnterprisePolicy needs to be created}", "\"unitedstates\"")
        .replace("{keyVaultId}", &format!("\"{VAULT_ID}\""))
        .replace("{keyName}", "\"contoso-cmk-key\"");
    std::fs::write(&template, filled).map_err(|e| Error::new(ErrorCode::FileError, e.to_string()))?;
    d.say("Filled in:")?;
    d.run(
        Some(KV_ADMIN),
        &["New-AzResourceGroupDeployment", "-ResourceGroupName", "contoso-cmk", "-TemplateFile", &template_path],
        None,
    )?;
    let policy =
        d.run(Some(KV_ADMIN), &["Get-PpCmkEnterprisePolicy", "-ResourceId", POLICY_ID, "-OutputFormat", "List"], None)?;
    let identity = text(&policy, "PrincipalId")?;

    d.section("Grant the policy's identity the key, and the Power Platform admin Reader on the policy")?;
    d.run(
        Some(KV_ADMIN),
        &[
            "New-AzRoleAssignment",
            "-ObjectId",
            &identity,
            "-RoleDefinitionName",
            "Key Vault Crypto Service Encryption User",
            "-Scope",
            VAULT_ID,
        ],
        None,
    )?;
    let pp_admin = d.run(None, &["Get-AzADUser", "-UserPrincipalName", PP_ADMIN], None)?;
    d.run(
        Some(KV_ADMIN),
        &[
            "New-AzRoleAssignment",
            "-ObjectId",
            &text(&pp_admin, "Id")?,
            "-RoleDefinitionName",
            "Reader",
            "-Scope",
            POLICY_ID,
        ],
        None,
    )?;
    d.run(
        Some(KV_ADMIN),
        &["Test-PpCmkKeyVaultForCmk", "-KeyVaultName", "contoso-cmk-kv", "-EnterprisePolicyArmId", POLICY_ID],
        None,
    )?;

    d.section("A production environment with data; only Managed Environments can be added")?;
    let env = d.run(
        Some(PP_ADMIN),
        &[
            "New-AdminPowerAppEnvironment",
            "-DisplayName",
            "Contoso Sales",
            "-Location",
            "unitedstates",
            "-EnvironmentSku",
            "Production",
            "-ProvisionDatabase",
        ],
        None,
    )?;
    let env_id = text(&env, "EnvironmentName")?;
    d.run(
        Some(PP_ADMIN),
        &["New-PpCmkSampleData", "-EnvironmentName", &env_id, "-Records", "20000", "-RecordSize", "512"],
        None,
    )?;
    d.run(
        Some(PP_ADMIN),
        &[
            "New-PpCmkRecord",
            "-EnvironmentName",
            &env_id,
            "-Table",
            "account",
            "-Id",
            "fabrikam",
            "-Data",
            "{\"name\":\"Fabrikam\",\"creditLimit\":250000}",
        ],
        None,
    )?;
    d.run(
        Some(PP_ADMIN),
        &["Add-PpCmkEnvironmentToEnterprisePolicy", "-EnvironmentName", &env_id, "-PolicyArmId", POLICY_ID],
        Some(ErrorCode::NotManagedEnvironment),
    )?;

    d.section("The documentation's flows: an HTTP trigger, a Power Apps v1 flow and its parent, two ordinary ones")?;
    let flow = |d: &mut Demo, name: &str, extra: &[&str]| -> Result<String> {
        let mut line = vec!["New-PpCmkFlow", "-EnvironmentName", &env_id, "-DisplayName", name];
        line.extend_from_slice(extra);
        let created = d.run(Some(PP_ADMIN), &line, None)?;
        text(&created, "FlowName")
    };
    let http = flow(d, "Get Invoice HTTP", &["-Trigger", "Http", "-InSolution"])?;
    let v1 = flow(d, "Pay Invoice from App", &["-Trigger", "PowerAppsV1"])?;
    flow(d, "Reconcile Account", &["-Trigger", "Recurrence", "-InSolution", "-ChildFlow", &v1])?;
    let reminders = flow(d, "Send Payment Reminders", &["-Trigger", "Recurrence", "-InSolution"])?;
    flow(d, "Archive Paid Invoices", &["-Trigger", "Automated", "-InSolution"])?;
    d.run(
        Some(PP_ADMIN),
        &[
            "Start-PpCmkFlowRun",
            "-EnvironmentName",
            &env_id,
            "-FlowName",
            &reminders,
            "-Inputs",
            "{\"customer\":\"Fabrikam\",\"iban\":\"DE89370400440532013000\"}",
            "-SensitiveInput",
            "iban",
        ],
        None,
    )?;

    d.section("Pre-flight: what will go wrong? (Test-PpCmkReadiness -FailOn Fail gates a pipeline)")?;
    d.run(
        Some(PP_ADMIN),
        &["Test-PpCmkReadiness", "-EnvironmentName", &env_id, "-PolicyArmId", POLICY_ID, "-FailOn", "Fail"],
        None,
    )?;
    d.say("\nThe one failure has its remedy; apply it and check again.")?;
    d.run(
        Some(PP_ADMIN),
        &[
            "Set-AdminPowerAppEnvironmentGovernanceConfiguration",
            "-EnvironmentName",
            &env_id,
            "-UpdatedGovernanceConfiguration",
            "@{protectionLevel='Standard'}",
        ],
        None,
    )?;
    d.run(
        Some(PP_ADMIN),
        &["Test-PpCmkReadiness", "-EnvironmentName", &env_id, "-PolicyArmId", POLICY_ID, "-FailOn", "Fail"],
        None,
    )?;

    d.section("Add the environment to the policy: disabled briefly, then Ready while its data is re-encrypted in the background")?;
    let queued = d.run(
        Some(PP_ADMIN),
        &["Add-PpCmkEnvironmentToEnterprisePolicy", "-EnvironmentName", &env_id, "-PolicyArmId", POLICY_ID, "-NoWait"],
        None,
    )?;
    let operation = text(&queued, "OperationId")?;
    d.say("\nQueued: the environment is disabled while the new key is applied.")?;
    d.run(Some(PP_ADMIN), &["Get-AdminPowerAppEnvironment", "-EnvironmentName", &env_id], None)?;
    let partial =
        d.run(Some(PP_ADMIN), &["Resume-PpCmkOperation", "-OperationId", &operation, "-MaxRecords", "8000"], None)?;
    if text(&partial, "State")? != "Running" {
        return Err(Error::internal("the demo expected the operation still Running after 8000 records"));
    }
    d.say("\nThe operation is still Running (the service takes up to four days), and the environment is Ready:\nrecords not yet re-encrypted are read through their old key, new writes go under the new one.")?;
    let during = d.run(Some(PP_ADMIN), &["Get-AdminPowerAppEnvironment", "-EnvironmentName", &env_id], None)?;
    if text(&during, "State")? != "Ready" {
        return Err(Error::internal("the demo expected the environment Ready while the operation runs"));
    }
    d.run(Some(PP_ADMIN), &["Get-PpCmkRecord", "-EnvironmentName", &env_id, "-Table", "account"], None)?;
    d.run(Some(PP_ADMIN), &["Resume-PpCmkOperation", "-OperationId", &operation], None)?;
    d.run(Some(PP_ADMIN), &["Get-PpCmkEnvironmentWithPolicy"], None)?;

    d.section("The three flows that stay on the Microsoft-managed key, and why")?;
    d.run(
        Some(PP_ADMIN),
        &[
            "Get-AdminFlowEncryptedByMicrosoftKey",
            "-EnvironmentName",
            &env_id,
            "-ListCannotMigrateToCustomerManagedKey",
        ],
        None,
    )?;
    d.run(
        Some(PP_ADMIN),
        &[
            "Get-AdminFlowEncryptedByMicrosoftKey",
            "-EnvironmentName",
            &env_id,
            "-ListCannotMigrateToCustomerManagedKey",
            "-OutputFormat",
            "List",
        ],
        None,
    )?;
    d.say("\nSave As protects a copy of the HTTP flow, with a new URL for its callers:")?;
    d.run(
        Some(PP_ADMIN),
        &["Copy-PpCmkFlow", "-EnvironmentName", &env_id, "-FlowName", &http, "-DisplayName", "Get Invoice HTTP (CMK)"],
        None,
    )?;

    d.section("Run history isn't carried forward: the Details page, the support summary and the CSV export")?;
    d.run(
        Some(PP_ADMIN),
        &[
            "Start-PpCmkFlowRun",
            "-EnvironmentName",
            &env_id,
            "-FlowName",
            &reminders,
            "-Inputs",
            "{\"customer\":\"Contoso\"}",
            "-Outputs",
            "{\"sent\":3}",
        ],
        None,
    )?;
    d.run(Some(PP_ADMIN), &["Get-FlowRun", "-EnvironmentName", &env_id, "-FlowName", &reminders], None)?;
    d.run(Some(PP_ADMIN), &["Get-PpCmkFlowRunSummary", "-EnvironmentName", &env_id, "-FlowName", &reminders], None)?;
    let csv = d.folder.join("run-history.csv");
    let csv_text = csv.display().to_string();
    d.run(
        Some(PP_ADMIN),
        &["Export-PpCmkFlowRunHistory", "-EnvironmentName", &env_id, "-FlowName", &reminders, "-Path", &csv_text],
        None,
    )?;
    let exported = std::fs::read_to_string(&csv).map_err(|e| Error::new(ErrorCode::FileError, e.to_string()))?;
    d.say(&format!("\n{}", exported.trim_end()))?;
    d.say("(the sensitive IBAN was masked before it was stored: it is in no file)")?;

    d.section("A new key version: DEKs re-wrapped, no data re-encrypted, no downtime")?;
    d.run(
        Some(KV_ADMIN),
        &["Invoke-AzKeyVaultKeyRotation", "-VaultName", "contoso-cmk-kv", "-Name", "contoso-cmk-key"],
        None,
    )?;
    d.run(Some(PP_ADMIN), &["Get-PpCmkOperation", "-EnvironmentName", &env_id], None)?;

    d.section("Lock: revoking the identity's access locks the environment for everyone")?;
    d.run(
        Some(KV_ADMIN),
        &[
            "Remove-AzRoleAssignment",
            "-ObjectId",
            &identity,
            "-RoleDefinitionName",
            "Key Vault Crypto Service Encryption User",
            "-Scope",
            VAULT_ID,
        ],
        None,
    )?;
    d.run(
        None,
        &["Get-PpCmkRecord", "-EnvironmentName", &env_id, "-Table", "account"],
        Some(ErrorCode::EnvironmentLocked),
    )?;
    d.run(Some(PP_ADMIN), &["Get-PpCmkEnvironmentWithPolicy"], None)?;

    d.section("Unlock: restoring access to the original key re-enables it, data intact")?;
    d.run(
        Some(KV_ADMIN),
        &[
            "New-AzRoleAssignment",
            "-ObjectId",
            &identity,
            "-RoleDefinitionName",
            "Key Vault Crypto Service Encryption User",
            "-Scope",
            VAULT_ID,
        ],
        None,
    )?;
    d.run(Some(PP_ADMIN), &["Get-PpCmkRecord", "-EnvironmentName", &env_id, "-Table", "account"], None)?;

    d.section("Post-flight: is everything really protected now? (Get-PpCmkEncryptionReport)")?;
    d.run(Some(PP_ADMIN), &["Get-PpCmkEncryptionReport", "-EnvironmentName", &env_id, "-OutputFormat", "List"], None)?;

    d.section("Remove the environment from the policy: back to the Microsoft-managed key")?;
    d.run(
        Some(PP_ADMIN),
        &["Remove-PpCmkEnvironmentFromEnterprisePolicy", "-EnvironmentName", &env_id, "-PolicyArmId", POLICY_ID],
        None,
    )?;
    d.run(Some(PP_ADMIN), &["Get-AdminPowerAppEnvironment", "-EnvironmentName", &env_id], None)?;

    d.section("The audit log: every change and every refusal")?;
    d.run(None, &["Get-PpCmkAuditLog", "-Last", "12"], None)?;
    Ok(())
}
