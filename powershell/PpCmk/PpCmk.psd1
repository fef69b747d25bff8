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
        'Add-PpCmkKeyVaultPrivateEndpoint',
        'Connect-AzAccount',
        'Disconnect-AzAccount',
        'Get-AzADServicePrincipal',
        'Get-AzADUser',
        'Get-AzContext',
        'Get-AzKeyVault',
        'Get-AzKeyVaultKey',
        'Get-AzKeyVaultKeyRotationPolicy',
        'Get-AzKeyVaultManagedHsm',
        'Get-AzKeyVaultRoleAssignment',
        'Get-AzResourceGroup',
        'Get-AzResourceProvider',
        'Get-AzRoleAssignment',
        'Get-AzRoleDefinition',
        'Get-PpCmkAuditLog',
        'Get-PpCmkClock',
        'Get-PpCmkDirectoryRoleMember',
        'Invoke-AzKeyVaultKeyOperation',
        'Invoke-AzKeyVaultKeyRotation',
        'Invoke-PpCmkMaintenance',
        'New-AzADUser',
        'New-AzKeyVault',
        'New-AzKeyVaultManagedHsm',
        'New-AzKeyVaultRoleAssignment',
        'New-AzResourceGroup',
        'New-AzRoleAssignment',
        'Register-AzResourceProvider',
        'Remove-AzKeyVault',
        'Remove-AzKeyVaultAccessPolicy',
        'Remove-AzKeyVaultKey',
        'Remove-AzKeyVaultRoleAssignment',
        'Remove-AzRoleAssignment',
        'Remove-PowerAppsAccount',
        'Remove-PpCmkDirectoryRoleMember',
        'Remove-PpCmkKeyVaultPrivateEndpoint',
        'Set-AzKeyVaultAccessPolicy',
        'Set-AzKeyVaultKeyRotationPolicy',
        'Set-PpCmkClock',
        'Undo-AzKeyVaultKeyRemoval',
        'Undo-AzKeyVaultRemoval',
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
