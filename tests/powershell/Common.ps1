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

# A tenant snapshot folder as Export-PpCmkTenantSnapshot.ps1 writes it: the
# objects in the shapes of Microsoft's cmdlets (docs/twin.md), through
# PowerShell's own ConvertTo-Json -Depth 20. Returns the ids it used.
function New-TestSnapshot {
    param([string] $Path, [string] $HostileName = '<script>alert(1)</script>')
    $sub = '0b1f6471-1bf0-4dda-aec3-cb9272f09590'
    $tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47'
    $vaultId = "/subscriptions/$sub/resourceGroups/cmk-rg/providers/Microsoft.KeyVault/vaults/snap-cmk-kv"
    $policyId = "/subscriptions/$sub/resourceGroups/cmk-rg/providers/Microsoft.PowerPlatform/enterprisePolicies/snap-policy"
    $identity = '6a5f1e2d-3c4b-4a59-8e7f-0a1b2c3d4e5f'
    $s = @{ Path = $Path; PolicyId = $policyId; VaultName = 'snap-cmk-kv'; KeyName = 'snap-key'; Version = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
        Sales = '33333333-aaaa-4bbb-8ccc-000000000001'; Unmanaged = '33333333-aaaa-4bbb-8ccc-000000000002'; Finance = '33333333-aaaa-4bbb-8ccc-000000000003'
        HttpFlow = '44444444-f10f-4f10-8f10-000000000001'; ParentFlow = '44444444-f10f-4f10-8f10-000000000002'; Exported = '2026-03-01T09:00:00Z' }
    New-Item -ItemType Directory -Path $Path -Force | Out-Null
    $environment = {
        param($id, $name, $managed, $keyManagedBy, $policy)
        $properties = [ordered]@{
            displayName = $name; environmentSku = 'Production'; azureRegion = 'eastus'
            states = @{ management = @{ id = 'Ready' }; runtime = @{ id = 'Enabled' } }
            protectionStatus = @{ keyManagedBy = $keyManagedBy }
            governanceConfiguration = @{ protectionLevel = $(if ($managed) { 'Standard' } else { 'Basic' }) }
            capacity = @(@{ capacityType = 'Database'; actualConsumption = 512.0; capacityUnit = 'MB' })
        }
        if ($policy) { $properties.enterprisePolicies = @{ customerManagedKeys = @{ id = $policy; location = 'unitedstates' } } }
        [ordered]@{
            EnvironmentName = $id; DisplayName = $name; IsDefault = $false; Location = 'unitedstates'
            CreatedTime = '2025-01-01T00:00:00Z'; EnvironmentType = 'Production'
            CommonDataServiceDatabaseProvisioningState = 'Succeeded'
            Internal = [ordered]@{ id = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/$id"; name = $id; location = 'unitedstates'; properties = $properties }
        }
    }
    $flow = {
        param($id, $env, $name, $trigger, $definition)
        [ordered]@{
            FlowName = $id; EnvironmentName = $env; DisplayName = $name; Enabled = $true; CreatedTime = '2025-06-01T00:00:00Z'
            Internal = [ordered]@{ name = $id; properties = [ordered]@{ displayName = $name; workflowEntityId = $id
                    definitionSummary = @{ triggers = @($trigger); actions = @() }; definition = $definition } }
        }
    }
    $files = [ordered]@{
        'manifest.json' = [ordered]@{ SchemaVersion = 1; ScriptVersion = '1.0.0'; ExportedTime = $s.Exported; TenantId = $tenant; Counts = @{ Environments = 3 }; Skipped = @() }
        'environments.json' = @(
            (& $environment $s.Sales 'Sales (snapshot)' $true 'Microsoft' $null),
            (& $environment $s.Unmanaged 'Unmanaged (snapshot)' $false 'Microsoft' $null),
            (& $environment $s.Finance 'Finance (snapshot)' $true 'Customer' $policyId))
        'flows.json' = @(
            (& $flow $s.HttpFlow $s.Sales 'Order webhook' @{ type = 'Request'; kind = 'Http' } @{}),
            (& $flow $s.ParentFlow $s.Sales $HostileName @{ type = 'Recurrence' } @{ actions = @{ Run_a_Child_Flow = @{ type = 'Workflow'; inputs = @{ host = @{ workflowReferenceName = $s.HttpFlow } } } } }))
        'enterprisePolicies.json' = @([ordered]@{
                Name = 'snap-policy'; ResourceId = $policyId; ResourceGroupName = 'cmk-rg'; Location = 'unitedstates'; Kind = 'Encryption'; SubscriptionId = $sub
                Identity = @{ PrincipalId = $identity; TenantId = $tenant; Type = 'SystemAssigned' }
                Properties = @{ encryption = @{ state = 'Enabled'; keyVault = @{ id = $vaultId; key = @{ name = 'snap-key' } } } }
            })
        'keyVaults.json' = @([ordered]@{
                VaultName = 'snap-cmk-kv'; ResourceId = $vaultId; ResourceGroupName = 'cmk-rg'; Location = 'eastus'; Sku = 'Standard'
                EnableSoftDelete = $true; SoftDeleteRetentionInDays = 90; EnablePurgeProtection = $true; EnableRbacAuthorization = $true; PublicNetworkAccess = 'Enabled'; AccessPolicies = @()
            })
        'keys.json' = @([ordered]@{
                VaultName = 'snap-cmk-kv'; Name = 'snap-key'; Version = $s.Version; Enabled = $true; Created = '2026-02-01T00:00:00Z'; Updated = '2026-02-01T00:00:00Z'
                KeySize = 2048; Key = @{ Kty = 'RSA'; KeyOps = @('wrapKey', 'unwrapKey', 'encrypt', 'decrypt') }
            })
        'roleAssignments.json' = @([ordered]@{
                RoleAssignmentId = "$vaultId/providers/Microsoft.Authorization/roleAssignments/5f6a7b8c-9d0e-4f1a-8b2c-000000000001"; Scope = $vaultId
                RoleDefinitionName = 'Key Vault Crypto Service Encryption User'; RoleDefinitionId = 'e147488a-f6f5-4113-8e2d-b22465e65bf6'
                ObjectId = $identity; ObjectType = 'ServicePrincipal'; DisplayName = 'snap-policy'
            })
        'subscribedSkus.json' = @([ordered]@{ SkuPartNumber = 'SPE_E5'; CapabilityStatus = 'Enabled'; ConsumedUnits = 20; PrepaidUnits = @{ Enabled = 25; Suspended = 0; Warning = 0 } })
    }
    foreach ($name in $files.Keys) {
        $json = ConvertTo-Json -InputObject $files[$name] -Depth 20
        [System.IO.File]::WriteAllText((Join-Path $Path $name), $json, (New-Object System.Text.UTF8Encoding($false)))
    }
    return $s
}
