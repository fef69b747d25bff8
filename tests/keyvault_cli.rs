//! The key vault "Done when" session, run through the `ppcmk` binary exactly
//! as an administrator would script it.

use crate::support;

use serde_json::Value;
use support::{cli, stderr, stdout, words, TempDir};

/// Runs a command line (`'quoted words'` stay together) and returns its JSON output.
fn ok(home: &std::path::Path, line: &str) -> Vec<Value> {
    let mut args = words(line);
    args.extend(["-OutputFormat".into(), "Json".into()]);
    let out = cli(home, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{line} failed: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_default()
}

/// Runs a command line that must fail with exit 1 and `code`; returns the message.
fn fails(home: &std::path::Path, line: &str, code: &str) -> String {
    let out = cli(home, &words(line).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1), "{line}: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with(&format!("ppcmk: {code}: ")), "{line}: {err}");
    err
}

#[test]
fn the_scripted_key_vault_session() {
    let dir = TempDir::new("kv-cli");
    let h = dir.path();
    let admin = "admin@contoso.onmicrosoft.com";
    ok(h, "New-AzResourceGroup -Name contoso-cmk -Location centralus");

    // A vault without purge protection says so; enabling it is permanent.
    let vault = ok(h, "New-AzKeyVault -Name contoso-kv -ResourceGroupName contoso-cmk -Location centralus");
    assert_eq!(vault[0]["EnablePurgeProtection"], false);
    let list = stdout(&cli(h, &["Get-AzKeyVault", "-VaultName", "contoso-kv", "-OutputFormat", "List"]));
    assert!(list.contains("EnablePurgeProtection     : False"), "{list}");
    ok(h, "Update-AzKeyVault -VaultName contoso-kv -ResourceGroupName contoso-cmk -EnablePurgeProtection");
    fails(h, "Update-AzKeyVault -VaultName contoso-kv -EnablePurgeProtection:$false", "InvalidOperation");
    let vault_id = vault[0]["ResourceId"].as_str().unwrap().to_string();
    ok(
        h,
        &format!(
            "New-AzRoleAssignment -SignInName {admin} -RoleDefinitionName 'Key Vault Crypto Officer' -Scope {vault_id}"
        ),
    );

    // An RSA 2048 key, and an RSA-HSM 3072 key in a managed HSM.
    let key = ok(h, "Add-AzKeyVaultKey -VaultName contoso-kv -Name cmk -Destination Software -KeyType RSA -Size 2048");
    assert_eq!(key[0]["KeySize"], 2048);
    ok(h, &format!("New-AzKeyVaultManagedHsm -Name contoso-hsm -ResourceGroupName contoso-cmk -Location centralus -Administrator {admin} -EnablePurgeProtection"));
    // Activated by downloading its security domain (002:199-202).
    let sd = TempDir::new("security-domain");
    let certs = crate::support::security_domain_certificates(sd.path(), 3).join(",");
    let out = sd.path().join("sd.ps.json");
    ok(
        h,
        &format!(
            "Export-AzKeyVaultSecurityDomain -Name contoso-hsm -Certificates {certs} -Quorum 2 -OutputPath {}",
            out.display()
        ),
    );
    ok(h, &format!("New-AzKeyVaultRoleAssignment -HsmName contoso-hsm -RoleDefinitionName 'Managed HSM Crypto User' -SignInName {admin} -Scope /keys"));
    let hsm_key = ok(h, "Add-AzKeyVaultKey -HsmName contoso-hsm -Name cmk-hsm -KeyType RSA-HSM -Size 3072");
    assert_eq!(hsm_key[0]["KeyType"], "RSA-HSM");
    assert_eq!(hsm_key[0]["KeySize"], 3072);

    // RSA 1024 and EC are refused with clear messages.
    let e = fails(h, "Add-AzKeyVaultKey -VaultName contoso-kv -Name small -Size 1024", "InvalidArgument");
    assert!(e.contains("1024"), "{e}");
    let e = fails(h, "Add-AzKeyVaultKey -VaultName contoso-kv -Name curve -KeyType EC", "InvalidArgument");
    assert!(e.contains("RSA or RSA-HSM"), "{e}");

    // Rotation adds a version; the old one stays enabled.
    ok(h, "Invoke-AzKeyVaultKeyRotation -VaultName contoso-kv -Name cmk");
    let versions = ok(h, "Get-AzKeyVaultKey -VaultName contoso-kv -Name cmk -IncludeVersions");
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v["Enabled"] == true));

    // A deleted key: listed in removed state, purge refused, recovered.
    ok(h, "Remove-AzKeyVaultKey -VaultName contoso-kv -Name cmk -Force");
    let removed = ok(h, "Get-AzKeyVaultKey -VaultName contoso-kv -InRemovedState");
    assert_eq!(removed[0]["Name"], "cmk");
    fails(h, "Remove-AzKeyVaultKey -VaultName contoso-kv -Name cmk -InRemovedState -Force", "PurgeProtected");
    ok(h, "Undo-AzKeyVaultKeyRemoval -VaultName contoso-kv -Name cmk");
    assert_eq!(ok(h, "Get-AzKeyVaultKey -VaultName contoso-kv -Name cmk").len(), 1);

    // A key deleted before the clock moves 91 days is gone for good.
    ok(h, "Add-AzKeyVaultKey -VaultName contoso-kv -Name doomed");
    ok(h, "Remove-AzKeyVaultKey -VaultName contoso-kv -Name doomed -Force");
    ok(h, "Set-PpCmkClock -AdvanceDays 91");
    assert!(ok(h, "Get-AzKeyVaultKey -VaultName contoso-kv -InRemovedState").is_empty());
    fails(h, "Undo-AzKeyVaultKeyRemoval -VaultName contoso-kv -Name doomed", "NotFound");

    // A rotation policy of P30D produces a new version after the clock moves 31 days.
    ok(h, "Set-AzKeyVaultKeyRotationPolicy -VaultName contoso-kv -Name cmk -LifetimeActionType Rotate -TimeAfterCreate P30D");
    let before = ok(h, "Get-AzKeyVaultKey -VaultName contoso-kv -Name cmk -IncludeVersions").len();
    ok(h, "Set-PpCmkClock -AdvanceDays 31");
    let after = ok(h, "Get-AzKeyVaultKey -VaultName contoso-kv -Name cmk -IncludeVersions").len();
    assert_eq!(after, before + 1);
}
