# Shared by every tests/powershell/*.Tests.ps1 (dot-sourced in BeforeAll):
# a fresh store per file, the module imported from the repository, and a
# prepared tenant like the documentation's walkthrough.
Set-StrictMode -Version 3.0
$script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).ProviderPath
$script:ModulePath = Join-Path -Path $script:RepoRoot -ChildPath 'powershell/PpCmk'
$script:PpAdmin = 'ppadmin@contoso.onmicrosoft.com'
$script:GlobalAdmin = 'admin@contoso.onmicrosoft.com'

# A new empty store folder as $env:PPCMK_HOME, and the module (re)imported.
function Initialize-TestStore {
    $folder = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('ppcmk-pester-' + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $folder | Out-Null
    $env:PPCMK_HOME = $folder
    Remove-Item -Path Env:PPCMK_ACCOUNT, Env:PPCMK_NETWORK -ErrorAction SilentlyContinue
    Import-Module -Name $script:ModulePath -Force -WarningAction Stop
    return $folder
}

# Runs $Script as $Account (PPCMK_ACCOUNT), restoring the previous account after.
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

# The walkthrough's set-up in the current store: a vault with purge protection
# and an RSA key, the enterprise policy from the docs' template with its
# identity granted the key, a Power Platform admin with Reader on the policy,
# and a managed production environment with records and the docs' five flows.
# Returns the names and ids as a hashtable.
function New-TestTenant {
    param([int] $Records = 200)
    $t = @{ VaultName = 'contoso-cmk-kv'; KeyName = 'contoso-cmk'; ResourceGroupName = 'contoso-cmk'; PpAdmin = $script:PpAdmin }
    New-AzResourceGroup -Name $t.ResourceGroupName -Location centralus | Out-Null
    $vault = New-AzKeyVault -Name $t.VaultName -ResourceGroupName $t.ResourceGroupName -Location centralus -EnablePurgeProtection
    $t.VaultId = $vault.ResourceId
    New-AzRoleAssignment -SignInName $script:GlobalAdmin -RoleDefinitionName 'Key Vault Crypto Officer' -Scope $t.VaultId | Out-Null
    Add-AzKeyVaultKey -VaultName $t.VaultName -Name $t.KeyName -Destination Software -KeyType RSA -Size 2048 | Out-Null
    Register-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform | Out-Null
    Add-PpCmkLicense -Sku 'Microsoft 365 E5' -Units 25 | Out-Null
    $policy = New-PpCmkEnterprisePolicy -ResourceGroup $t.ResourceGroupName -Name contoso-cmk-policy -Location unitedstates -KeyVaultId $t.VaultId -KeyName $t.KeyName
    $t.PolicyId = $policy.ResourceId
    $t.IdentityId = $policy.PrincipalId
    New-AzRoleAssignment -ObjectId $t.IdentityId -RoleDefinitionName 'Key Vault Crypto Service Encryption User' -Scope $t.VaultId | Out-Null
    $admin = New-AzADUser -DisplayName 'Power Platform Admin' -UserPrincipalName $t.PpAdmin
    $t.PpAdminId = $admin.Id
    Add-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName $t.PpAdmin | Out-Null
    New-AzRoleAssignment -ObjectId $t.PpAdminId -RoleDefinitionName Reader -Scope $t.PolicyId | Out-Null
    Invoke-As $t.PpAdmin {
        $environment = New-AdminPowerAppEnvironment -DisplayName Sales -Location unitedstates -EnvironmentSku Production -ProvisionDatabase
        $t.EnvironmentName = $environment.EnvironmentName
        Set-AdminPowerAppEnvironmentGovernanceConfiguration -EnvironmentName $t.EnvironmentName -UpdatedGovernanceConfiguration @{ protectionLevel = 'Standard' } | Out-Null
        New-PpCmkRecord -EnvironmentName $t.EnvironmentName -Table account -Id contoso -Data '{"name":"Contoso"}' | Out-Null
        if ($Records -gt 0) {
            New-PpCmkSampleData -EnvironmentName $t.EnvironmentName -Records $Records -Tables 1 | Out-Null
        }
        $t.Flows = @{}
        foreach ($flow in @(
                @{ Name = 'Invoice HTTP'; Trigger = 'Http' },
                @{ Name = 'Nightly sync'; Trigger = 'Recurrence' },
                @{ Name = 'Approval app'; Trigger = 'PowerAppsV2' })) {
            $created = New-PpCmkFlow -EnvironmentName $t.EnvironmentName -DisplayName $flow.Name -Trigger $flow.Trigger
            $t.Flows[$flow.Name] = $created.FlowName
        }
    }
    return $t
}
