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
        'Add-PowerAppsAccount',
        'Add-PpCmkDirectoryRoleMember',
        'Connect-AzAccount',
        'Disconnect-AzAccount',
        'Get-AzADServicePrincipal',
        'Get-AzADUser',
        'Get-AzContext',
        'Get-AzResourceGroup',
        'Get-AzResourceProvider',
        'Get-AzRoleAssignment',
        'Get-AzRoleDefinition',
        'Get-PpCmkAuditLog',
        'Get-PpCmkClock',
        'Get-PpCmkDirectoryRoleMember',
        'New-AzADUser',
        'New-AzResourceGroup',
        'New-AzRoleAssignment',
        'Register-AzResourceProvider',
        'Remove-AzRoleAssignment',
        'Remove-PowerAppsAccount',
        'Remove-PpCmkDirectoryRoleMember',
        'Set-PpCmkClock'
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
