# Generated from the ppcmk command registry by `PPCMK_BLESS=1 cargo test`. Do not edit.
@{
RootModule           = 'PpCmk.psm1'
ModuleVersion        = '0.1.0'
GUID                 = '6f1c3a52-8d4e-4b7a-9c2f-1e5d7b3a9c40'
Author               = 'ppcmk'
CompanyName          = 'ppcmk'
Copyright            = '(c) ppcmk. MIT licence.'
Description          = 'Rehearse the Power Platform customer-managed key life cycle locally: Az, Az.KeyVault and PowerApps administration cmdlet names over the ppcmk engine.'
PowerShellVersion    = '5.1'
CompatiblePSEditions = @('Desktop', 'Core')
FormatsToProcess     = @('PpCmk.Format.ps1xml')
FunctionsToExport    = @(
        'Add-AzKeyVaultKey',
        'Add-AzKeyVaultNetworkRule',
        'Add-PowerAppsAccount',
        'Add-PpCmkDirectoryRoleMember',
        'Add-PpCmkEnvironmentToEnterprisePolicy',
        'Add-PpCmkKeyVaultPrivateEndpoint',
        'Backup-PowerAppEnvironment',
        'Connect-AzAccount',
        'Copy-PowerAppEnvironment',
        'Disable-PpCmkManagedEnvironment',
        'Disconnect-AzAccount',
        'Enable-PpCmkManagedEnvironment',
        'Get-AdminPowerAppEnvironment',
        'Get-AzADServicePrincipal',
        'Get-AzADUser',
        'Get-AzContext',
        'Get-AzKeyVault',
        'Get-AzKeyVaultKey',
        'Get-AzKeyVaultKeyRotationPolicy',
        'Get-AzKeyVaultManagedHsm',
        'Get-AzKeyVaultRoleAssignment',
        'Get-AzResource',
        'Get-AzResourceGroup',
        'Get-AzResourceProvider',
        'Get-AzRoleAssignment',
        'Get-AzRoleDefinition',
        'Get-PowerAppEnvironmentBackups',
        'Get-PpCmkAuditLog',
        'Get-PpCmkClock',
        'Get-PpCmkDirectoryRoleMember',
        'Get-PpCmkEnterprisePolicy',
        'Get-PpCmkEnvironmentWithPolicy',
        'Get-PpCmkOperation',
        'Get-PpCmkRecord',
        'Get-PpCmkTenantByokKey',
        'Invoke-AzKeyVaultKeyOperation',
        'Invoke-AzKeyVaultKeyRotation',
        'Invoke-PpCmkMaintenance',
        'New-AdminPowerAppEnvironment',
        'New-AzADUser',
        'New-AzKeyVault',
        'New-AzKeyVaultManagedHsm',
        'New-AzKeyVaultRoleAssignment',
        'New-AzResourceGroup',
        'New-AzResourceGroupDeployment',
        'New-AzRoleAssignment',
        'New-PpCmkEnterprisePolicy',
        'New-PpCmkRecord',
        'New-PpCmkSampleData',
        'Register-AzResourceProvider',
        'Remove-AdminPowerAppEnvironment',
        'Remove-AzKeyVault',
        'Remove-AzKeyVaultAccessPolicy',
        'Remove-AzKeyVaultKey',
        'Remove-AzKeyVaultRoleAssignment',
        'Remove-AzResource',
        'Remove-AzRoleAssignment',
        'Remove-PowerAppsAccount',
        'Remove-PpCmkDirectoryRoleMember',
        'Remove-PpCmkEnterprisePolicy',
        'Remove-PpCmkEnvironmentFromEnterprisePolicy',
        'Remove-PpCmkKeyVaultPrivateEndpoint',
        'Remove-PpCmkRecord',
        'Remove-PpCmkTenantByokKey',
        'Reset-PowerAppEnvironment',
        'Restore-PowerAppEnvironment',
        'Resume-PpCmkOperation',
        'Set-AdminPowerAppEnvironmentGovernanceConfiguration',
        'Set-AzKeyVaultAccessPolicy',
        'Set-AzKeyVaultKeyRotationPolicy',
        'Set-PowerAppProtectionStatus',
        'Set-PpCmkClock',
        'Set-PpCmkEnterprisePolicy',
        'Set-PpCmkFault',
        'Set-PpCmkTenantByokKey',
        'Switch-PpCmkEnvironmentEnterprisePolicy',
        'Test-PpCmkKeyVaultForCmk',
        'Undo-AzKeyVaultKeyRemoval',
        'Undo-AzKeyVaultRemoval',
        'Update-AzADUser',
        'Update-AzKeyVault',
        'Update-AzKeyVaultKey',
        'Update-AzKeyVaultNetworkRuleSet'
    )
CmdletsToExport      = @()
VariablesToExport    = @()
AliasesToExport      = @()
PrivateData          = @{
PSData = @{
Tags = @('PowerPlatform', 'CustomerManagedKey', 'KeyVault', 'Encryption')
}
}
}
