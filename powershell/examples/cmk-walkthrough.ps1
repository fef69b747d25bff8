<#
.SYNOPSIS
    The documentation's customer-managed key walkthrough, end to end, through
    the PpCmk module: the PowerShell twin of examples/cmk-walkthrough.sh.

.DESCRIPTION
    On a new store (a temporary folder, removed at the end, unless -StoreFolder
    names one):

      vault with purge protection -> RSA 2048 key -> provider registered ->
      enterprise policy from the filled-in ARM template -> policy identity
      granted Key Vault Crypto Service Encryption User -> Power Platform admin
      granted Reader on the policy -> managed environment with records ->
      added to the policy (KeyManagedBy Customer, State Ready) -> key rotated
      (no downtime, no record re-encrypted) -> access revoked (Locked) ->
      restored (Ready) -> removed (KeyManagedBy Microsoft)

    and every record reads back identical at every Ready step. The script
    throws (exit status 1) at the first step that does not turn out as the
    documentation says, and exits 0 at the end. It runs on PowerShell 7 and
    Windows PowerShell 5.1.

.PARAMETER ModulePath
    The PpCmk module to import. Default: powershell/PpCmk of this repository.

.PARAMETER StoreFolder
    The store to build the walkthrough in ($env:PPCMK_HOME): a new or empty
    folder, kept afterwards to explore. Default: a new temporary folder,
    removed at the end.

.EXAMPLE
    pwsh -File powershell/examples/cmk-walkthrough.ps1

.EXAMPLE
    ./cmk-walkthrough.ps1 -StoreFolder ~/cmk-rehearsal
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path -Path $PSScriptRoot -ChildPath '../PpCmk'),

    [string] $StoreFolder
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$ppAdmin = 'ppadmin@contoso.onmicrosoft.com'
$globalAdmin = 'admin@contoso.onmicrosoft.com'
$vaultName = 'contoso-cmk-kv'
$keyName = 'contoso-cmk-key'
$resourceGroupName = 'contoso-cmk'
$cryptoUser = 'Key Vault Crypto Service Encryption User'

function Write-Step {
    param([string] $Title)
    Write-Host ''
    Write-Host ('== {0}' -f $Title) -ForegroundColor Cyan
}

# Throws unless $Actual equals $Expected; says 'ok' when it does.
function Assert-Step {
    param([string] $What, $Actual, $Expected)
    if ([string] $Actual -cne [string] $Expected) {
        throw ("FAILED: {0} is '{1}', expected '{2}'" -f $What, $Actual, $Expected)
    }
    Write-Host ('ok: {0} = {1}' -f $What, $Actual)
}

# Runs $Script as $Account ($env:PPCMK_ACCOUNT), restoring the previous account after.
function Invoke-As {
    param([string] $Account, [scriptblock] $Script)
    $previous = $env:PPCMK_ACCOUNT
    $env:PPCMK_ACCOUNT = $Account
    try {
        & $Script
    } finally {
        $env:PPCMK_ACCOUNT = $previous
    }
}

# The environment as the Power Platform admin sees it.
function Get-Environment {
    Invoke-As $ppAdmin { Get-AdminPowerAppEnvironment -EnvironmentName $environmentName -ErrorAction Stop }
}

# Every record of the walkthrough's tables, as read back now.
function Get-AllRecords {
    Invoke-As $ppAdmin {
        foreach ($table in @('account', 'sample_0')) {
            Get-PpCmkRecord -EnvironmentName $environmentName -Table $table -First 1000000 -ErrorAction Stop
        }
    }
}

# A digest of every record (table, id, data) as read back now.
function Get-RecordDigest {
    $text = New-Object -TypeName System.Text.StringBuilder
    foreach ($record in @(Get-AllRecords | Sort-Object -Property Table, Id)) {
        $data = ConvertTo-Json -InputObject $record.Data -Compress -Depth 32
        [void] $text.Append($record.Table).Append("`t").Append($record.Id).Append("`t").Append($data).Append("`n")
    }
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $hash = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($text.ToString()))
    } finally {
        $sha.Dispose()
    }
    return [System.BitConverter]::ToString($hash, 0, 8).Replace('-', '').ToLowerInvariant()
}

# The DEK generations the records are sealed under.
function Get-RecordGeneration {
    $generations = @(Get-AllRecords | ForEach-Object { $_.Generation } | Sort-Object -Unique)
    return ($generations -join ',')
}

# The state the script changes in the caller's session, put back at the end.
$previousHome = $env:PPCMK_HOME
$previousAccount = $env:PPCMK_ACCOUNT
$previousNetwork = $env:PPCMK_NETWORK
$temporaryStore = $null
$templatePath = $null
try {
    if ($StoreFolder) {
        $StoreFolder = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($StoreFolder)
        if (-not (Test-Path -LiteralPath $StoreFolder)) {
            New-Item -ItemType Directory -Path $StoreFolder | Out-Null
        }
    } else {
        $StoreFolder = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('ppcmk-walkthrough-' + [guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $StoreFolder | Out-Null
        $temporaryStore = $StoreFolder
    }
    $env:PPCMK_HOME = $StoreFolder
    Remove-Item -Path Env:PPCMK_ACCOUNT, Env:PPCMK_NETWORK -ErrorAction SilentlyContinue
    Import-Module -Name $ModulePath -ErrorAction Stop
    Write-Host ('Store: {0}' -f $StoreFolder)
    $context = Get-AzContext -ErrorAction Stop
    Assert-Step -What 'signed in' -Actual $context.Account -Expected $globalAdmin

    Write-Step 'Key vault with soft delete and purge protection, and an RSA 2048 key'
    New-AzResourceGroup -Name $resourceGroupName -Location centralus -ErrorAction Stop | Out-Null
    $vault = New-AzKeyVault -Name $vaultName -ResourceGroupName $resourceGroupName -Location centralus -EnablePurgeProtection -ErrorAction Stop
    $vaultId = $vault.ResourceId
    Assert-Step -What 'vault purge protection' -Actual $vault.EnablePurgeProtection -Expected $true
    New-AzRoleAssignment -SignInName $globalAdmin -RoleDefinitionName 'Key Vault Crypto Officer' -Scope $vaultId -ErrorAction Stop | Out-Null
    $key = Add-AzKeyVaultKey -VaultName $vaultName -Name $keyName -Destination Software -KeyType RSA -Size 2048 -ErrorAction Stop
    Assert-Step -What 'key' -Actual ('{0} {1}' -f $key.KeyType, $key.KeySize) -Expected 'RSA 2048'
    $firstKeyVersion = $key.Version

    Write-Step 'Register Microsoft.PowerPlatform and deploy the enterprise policy template'
    Register-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform -ErrorAction Stop | Out-Null
    # The documentation's template, filled in with the vault and the key.
    $template = [ordered]@{
        '$schema'      = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'
        contentVersion = '1.0.0.0'
        parameters     = @{}
        resources      = @(
            [ordered]@{
                type       = 'Microsoft.PowerPlatform/enterprisePolicies'
                apiVersion = '2020-10-30'
                name       = 'contoso-cmk-policy'
                location   = 'unitedstates'
                kind       = 'Encryption'
                identity   = @{ type = 'SystemAssigned' }
                properties = [ordered]@{
                    lockbox          = $null
                    encryption       = [ordered]@{
                        state    = 'Enabled'
                        keyVault = [ordered]@{ id = $vaultId; key = @{ name = $keyName } }
                    }
                    networkInjection = $null
                }
            }
        )
    }
    $templatePath = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('enterprise-policy-' + [guid]::NewGuid().ToString('n') + '.json')
    # UTF-8 without a byte order mark on every PowerShell.
    [System.IO.File]::WriteAllText($templatePath, (ConvertTo-Json -InputObject $template -Depth 16))
    $deployment = New-AzResourceGroupDeployment -ResourceGroupName $resourceGroupName -TemplateFile $templatePath -ErrorAction Stop
    Assert-Step -What 'deployment' -Actual $deployment.ProvisioningState -Expected 'Succeeded'
    $policyId = @($deployment.OutputResources)[0]
    $policy = Get-PpCmkEnterprisePolicy -ResourceId $policyId -ErrorAction Stop
    $identity = $policy.PrincipalId
    Write-Host ('policy {0}, identity {1}' -f $policyId, $identity)

    Write-Step "Grant the policy's identity access to the key; the Power Platform admin Reader on the policy"
    New-AzRoleAssignment -ObjectId $identity -RoleDefinitionName $cryptoUser -Scope $vaultId -ErrorAction Stop | Out-Null
    $admin = New-AzADUser -DisplayName 'Power Platform Admin' -UserPrincipalName $ppAdmin -ErrorAction Stop
    Add-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName $ppAdmin -ErrorAction Stop | Out-Null
    New-AzRoleAssignment -ObjectId $admin.Id -RoleDefinitionName Reader -Scope $policyId -ErrorAction Stop | Out-Null
    $checks = @(Test-PpCmkKeyVaultForCmk -KeyVaultName $vaultName -EnterprisePolicyArmId $policyId -ErrorAction Stop)
    $checks | Format-Table -Property Check, Status, Message -AutoSize -Wrap | Out-Host
    $notPassed = @($checks | Where-Object { $_.Status -ne 'Pass' } | ForEach-Object { '{0} {1}' -f $_.Check, $_.Status })
    if ($checks.Count -eq 0 -or $notPassed.Count -gt 0) {
        throw ('FAILED: key vault checks not passed: {0}' -f ($notPassed -join ', '))
    }
    Write-Host ('ok: key vault checks = {0} passed' -f $checks.Count)

    Write-Step 'A managed production environment with data'
    $environmentName = Invoke-As $ppAdmin {
        $created = New-AdminPowerAppEnvironment -DisplayName Sales -Location unitedstates -EnvironmentSku Production -ProvisionDatabase -ErrorAction Stop
        Set-AdminPowerAppEnvironmentGovernanceConfiguration -EnvironmentName $created.EnvironmentName -UpdatedGovernanceConfiguration @{ protectionLevel = 'Standard' } -ErrorAction Stop | Out-Null
        New-PpCmkRecord -EnvironmentName $created.EnvironmentName -Table account -Id contoso -Data '{"name":"Contoso","revenue":1200000}' -ErrorAction Stop | Out-Null
        New-PpCmkSampleData -EnvironmentName $created.EnvironmentName -Records 2000 -Tables 1 -ErrorAction Stop | Out-Null
        $created.EnvironmentName
    }
    $environment = Get-Environment
    Write-Host ('environment {0} ({1})' -f $environmentName, $environment.DisplayName)
    Assert-Step -What 'IsManaged' -Actual $environment.IsManaged -Expected $true
    Assert-Step -What 'KeyManagedBy' -Actual $environment.KeyManagedBy -Expected 'Microsoft'
    Assert-Step -What 'records' -Actual @(Get-AllRecords).Count -Expected 2001
    $before = Get-RecordDigest
    Write-Host ('records digest {0}' -f $before)

    Write-Step 'Add the environment to the enterprise policy'
    Invoke-As $ppAdmin {
        Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName $environmentName -PolicyArmId $policyId -Confirm:$false -ErrorAction Stop | Out-Null
    }
    $environment = Get-Environment
    Assert-Step -What 'KeyManagedBy' -Actual $environment.KeyManagedBy -Expected 'Customer'
    Assert-Step -What 'State' -Actual $environment.State -Expected 'Ready'
    Assert-Step -What 'records after the add' -Actual (Get-RecordDigest) -Expected $before
    $generations = Get-RecordGeneration

    Write-Step 'Rotate the key: DEKs re-wrapped to the new version, no downtime, no record re-encrypted'
    $rotated = Invoke-AzKeyVaultKeyRotation -VaultName $vaultName -Name $keyName -ErrorAction Stop
    if ($rotated.Version -eq $firstKeyVersion) {
        throw ('FAILED: the rotation kept key version {0}' -f $firstKeyVersion)
    }
    Write-Host ('key version {0} -> {1}' -f $firstKeyVersion, $rotated.Version)
    $lastOperation = Invoke-As $ppAdmin { @(Get-PpCmkOperation -EnvironmentName $environmentName -ErrorAction Stop)[-1] }
    Assert-Step -What 'last operation' -Actual $lastOperation.Kind -Expected 'KeyRotation'
    Assert-Step -What 'State' -Actual (Get-Environment).State -Expected 'Ready'
    Assert-Step -What 'records after the rotation' -Actual (Get-RecordDigest) -Expected $before
    Assert-Step -What 'record generations after the rotation (none re-encrypted)' -Actual (Get-RecordGeneration) -Expected $generations

    Write-Step "Revoke the identity's access: the environment locks, for everyone"
    Remove-AzRoleAssignment -ObjectId $identity -RoleDefinitionName $cryptoUser -Scope $vaultId -Confirm:$false -ErrorAction Stop | Out-Null
    Invoke-PpCmkMaintenance -Confirm:$false -ErrorAction Stop | Out-Null
    Assert-Step -What 'State' -Actual (Get-Environment).State -Expected 'Locked'
    # As the Global Administrator: a locked environment serves its data to no one.
    $refusal = $null
    try {
        Get-PpCmkRecord -EnvironmentName $environmentName -Table account -ErrorAction Stop | Out-Null
    } catch {
        $refusal = $_
    }
    if ($null -eq $refusal) {
        throw 'FAILED: a locked environment served its data'
    }
    Assert-Step -What 'error' -Actual ($refusal.FullyQualifiedErrorId -split ',')[0] -Expected 'EnvironmentLocked'

    Write-Step 'Restore the access: re-enabled with all data intact'
    New-AzRoleAssignment -ObjectId $identity -RoleDefinitionName $cryptoUser -Scope $vaultId -ErrorAction Stop | Out-Null
    Invoke-PpCmkMaintenance -Confirm:$false -ErrorAction Stop | Out-Null
    Assert-Step -What 'State' -Actual (Get-Environment).State -Expected 'Ready'
    Assert-Step -What 'records after the unlock' -Actual (Get-RecordDigest) -Expected $before

    Write-Step 'Remove the environment from the policy: back on the Microsoft-managed key'
    Invoke-As $ppAdmin {
        Remove-PpCmkEnvironmentFromEnterprisePolicy -EnvironmentName $environmentName -PolicyArmId $policyId -Confirm:$false -ErrorAction Stop | Out-Null
    }
    $environment = Get-Environment
    Assert-Step -What 'KeyManagedBy' -Actual $environment.KeyManagedBy -Expected 'Microsoft'
    Assert-Step -What 'State' -Actual $environment.State -Expected 'Ready'
    Assert-Step -What 'records after the removal' -Actual (Get-RecordDigest) -Expected $before

    Write-Step 'The operation log'
    Invoke-As $ppAdmin { Get-PpCmkOperation -EnvironmentName $environmentName -ErrorAction Stop } |
        Format-Table -Property Kind, State, RecordsProcessed, RecordsTotal, EndTime -AutoSize | Out-Host

    Write-Host ''
    Write-Host 'The walkthrough ran as documented.' -ForegroundColor Green
} finally {
    if ($templatePath -and (Test-Path -LiteralPath $templatePath)) {
        Remove-Item -LiteralPath $templatePath -Force
    }
    $env:PPCMK_HOME = $previousHome
    $env:PPCMK_ACCOUNT = $previousAccount
    $env:PPCMK_NETWORK = $previousNetwork
    if ($temporaryStore) {
        # The module keeps the store open for the process's lifetime; remove
        # what the platform lets us and leave the rest to the temporary folder.
        Remove-Item -LiteralPath $temporaryStore -Recurse -Force -ErrorAction SilentlyContinue
    }
}
exit 0
