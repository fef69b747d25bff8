<#
.SYNOPSIS
    Exports a read-only snapshot of a tenant's customer-managed key set-up,
    with Microsoft's own modules, for ppcmk's Import-PpCmkTenantSnapshot.

.DESCRIPTION
    Run where Microsoft.PowerApps.Administration.PowerShell (Windows
    PowerShell 5.1) and the Az modules (Az.Accounts, Az.Resources,
    Az.KeyVault) are installed and signed in (Add-PowerAppsAccount,
    Connect-AzAccount). Microsoft.Graph.Identity.DirectoryManagement is used
    for directory role members when it is installed and allowed.

    It only reads. It writes one folder of JSON files (ConvertTo-Json
    -Depth 20, UTF-8) with the objects as Microsoft's cmdlets return them,
    and manifest.json: the script version, the time, the tenant id, counts,
    and the parts skipped for lack of permission. Key vault keys are public
    attributes only: a snapshot never holds key material. docs/twin.md lists
    every field ppcmk reads and where its shape is documented.

.EXAMPLE
    .\Export-PpCmkTenantSnapshot.ps1 -Path .\contoso-snapshot
    ppcmk Import-PpCmkTenantSnapshot -Path ./contoso-snapshot -UseDatabaseSize
#>
[CmdletBinding()]
param(
    # The folder to write (created; files in it are replaced).
    [Parameter(Mandatory = $true)]
    [string] $Path,

    # Only these environments (default: every environment the admin sees).
    [string[]] $EnvironmentName,

    # Subscriptions to search for enterprise policies (default: every one Get-AzSubscription lists).
    [string[]] $SubscriptionId,

    # Leave the flows out (large tenants; the twin then has none).
    [switch] $SkipFlows
)

Set-StrictMode -Version 1.0
$ErrorActionPreference = 'Stop'
$ScriptVersion = '1.0.0'
$Skipped = New-Object System.Collections.Generic.List[string]

function Write-SnapshotFile {
    param([string] $Name, [object] $Value)
    $json = ConvertTo-Json -InputObject $Value -Depth 20
    $encoding = New-Object System.Text.UTF8Encoding($false)
    [System.IO.File]::WriteAllText((Join-Path -Path $script:Folder -ChildPath $Name), $json, $encoding)
}

# Runs a read; on a permission error records the part as skipped and goes on.
function Invoke-Read {
    param([string] $Part, [scriptblock] $Read)
    try {
        return @(& $Read)
    } catch {
        $message = $_.Exception.Message
        if ($message -match 'AuthorizationFailed|Forbidden|403|Unauthorized|401|not authorized|Insufficient privileges') {
            $Skipped.Add("$Part ($message)")
            Write-Warning "Skipped $Part`: no permission ($message)"
            return @()
        }
        throw
    }
}

function Test-Command {
    param([string] $Name)
    return $null -ne (Get-Command -Name $Name -ErrorAction SilentlyContinue)
}

# An ARM id's subscription, resource group and name.
function Split-ArmId {
    param([string] $Id)
    $parts = $Id.Trim('/').Split('/')
    return @{ SubscriptionId = $parts[1]; ResourceGroupName = $parts[3]; Name = $parts[$parts.Length - 1] }
}

foreach ($module in 'Microsoft.PowerApps.Administration.PowerShell', 'Az.Accounts', 'Az.Resources', 'Az.KeyVault') {
    if (-not (Get-Module -ListAvailable -Name $module)) {
        throw "The module $module is needed (Install-Module $module -Scope CurrentUser)."
    }
}

New-Item -ItemType Directory -Path $Path -Force | Out-Null
$script:Folder = (Resolve-Path -LiteralPath $Path).ProviderPath
$context = Get-AzContext
if ($null -eq $context) { throw 'Sign in to Azure first: Connect-AzAccount.' }
$tenantId = $context.Tenant.Id

# Environments, with the raw admin API object in Internal (states,
# protectionStatus, governanceConfiguration, enterprisePolicies, capacity).
$getEnvironment = Get-Command -Name Get-AdminPowerAppEnvironment
$environments = Invoke-Read 'environments' {
    if ($getEnvironment.Parameters.ContainsKey('ReturnCapacity')) {
        Get-AdminPowerAppEnvironment -ReturnCapacity
    } else {
        Get-AdminPowerAppEnvironment
    }
}
if ($EnvironmentName) {
    $environments = @($environments | Where-Object { $EnvironmentName -contains $_.EnvironmentName })
}
Write-SnapshotFile -Name 'environments.json' -Value @($environments)

# Flows per environment, each read once more by name for its definition
# summary; and which flows the service itself lists on the Microsoft key.
$flows = New-Object System.Collections.Generic.List[object]
$microsoftKeyFlows = New-Object System.Collections.Generic.List[object]
if (-not $SkipFlows) {
    foreach ($environment in $environments) {
        $name = $environment.EnvironmentName
        foreach ($listed in (Invoke-Read "flows of $name" { Get-AdminFlow -EnvironmentName $name })) {
            $detail = Invoke-Read "flow $($listed.FlowName)" { Get-AdminFlow -EnvironmentName $name -FlowName $listed.FlowName }
            if ($detail.Count -gt 0) { $flows.Add($detail[0]) } else { $flows.Add($listed) }
        }
        if (Test-Command 'Get-AdminFlowEncryptedByMicrosoftKey') {
            foreach ($row in (Invoke-Read "flows on the Microsoft key in $name" { Get-AdminFlowEncryptedByMicrosoftKey -EnvironmentName $name -ListCannotMigrateToCustomerManagedKey })) {
                $microsoftKeyFlows.Add([pscustomobject]@{ EnvironmentName = $name; Flow = $row })
            }
        }
    }
}
Write-SnapshotFile -Name 'flows.json' -Value @($flows)
Write-SnapshotFile -Name 'flowsEncryptedByMicrosoftKey.json' -Value @($microsoftKeyFlows)

# Enterprise policies in every subscription, then the vaults and keys they name.
if (-not $SubscriptionId) {
    $SubscriptionId = @(Invoke-Read 'subscriptions' { Get-AzSubscription -TenantId $tenantId } | ForEach-Object { $_.Id })
}
$policies = New-Object System.Collections.Generic.List[object]
foreach ($subscription in $SubscriptionId) {
    Set-AzContext -Subscription $subscription -Tenant $tenantId | Out-Null
    foreach ($p in (Invoke-Read "enterprise policies of $subscription" { Get-AzResource -ResourceType Microsoft.PowerPlatform/enterprisePolicies -ExpandProperties })) {
        $policies.Add($p)
    }
}
Write-SnapshotFile -Name 'enterprisePolicies.json' -Value @($policies)

$vaults = New-Object System.Collections.Generic.List[object]
$keys = New-Object System.Collections.Generic.List[object]
$rotationPolicies = New-Object System.Collections.Generic.List[object]
$scopes = New-Object System.Collections.Generic.List[string]
$seenVaults = @{}
foreach ($p in $policies) {
    $scopes.Add($p.ResourceId)
    $keyVault = $p.Properties.encryption.keyVault
    if ($null -eq $keyVault -or -not $keyVault.id) { continue }
    $vaultId = Split-ArmId $keyVault.id
    Set-AzContext -Subscription $vaultId.SubscriptionId -Tenant $tenantId | Out-Null
    if (-not $seenVaults.ContainsKey($keyVault.id.ToLowerInvariant())) {
        $seenVaults[$keyVault.id.ToLowerInvariant()] = $true
        $vault = Invoke-Read "key vault $($vaultId.Name)" { Get-AzKeyVault -VaultName $vaultId.Name -ResourceGroupName $vaultId.ResourceGroupName }
        foreach ($v in $vault) { $vaults.Add($v); $scopes.Add($v.ResourceId) }
    }
    $keyName = $keyVault.key.name
    $versions = Invoke-Read "versions of key $keyName" { Get-AzKeyVaultKey -VaultName $vaultId.Name -Name $keyName -IncludeVersions }
    foreach ($listed in $versions) {
        # Public attributes only: the version's dates and state, its type, size and operations.
        foreach ($k in (Invoke-Read "key $keyName/$($listed.Version)" { Get-AzKeyVaultKey -VaultName $vaultId.Name -Name $keyName -Version $listed.Version })) {
            $keys.Add([pscustomobject][ordered]@{
                    VaultName = $k.VaultName; Name = $k.Name; Version = $k.Version; Id = $k.Id
                    Enabled = $k.Enabled; Expires = $k.Expires; NotBefore = $k.NotBefore; Created = $k.Created; Updated = $k.Updated
                    RecoveryLevel = $k.RecoveryLevel; Tags = $k.Tags; KeySize = $k.KeySize
                    Key = [pscustomobject]@{ Kid = $k.Key.Kid; Kty = $k.Key.Kty; KeyOps = $k.Key.KeyOps }
                })
        }
    }
    $vaultResourceId = $keyVault.id
    $scopes.Add("$vaultResourceId/keys/$keyName")
    foreach ($r in (Invoke-Read "rotation policy of $keyName" { Get-AzKeyVaultKeyRotationPolicy -VaultName $vaultId.Name -Name $keyName })) {
        $rotationPolicies.Add($r)
    }
}
Write-SnapshotFile -Name 'keyVaults.json' -Value @($vaults)
Write-SnapshotFile -Name 'keys.json' -Value @($keys)
Write-SnapshotFile -Name 'rotationPolicies.json' -Value @($rotationPolicies)

# Role assignments at the vaults, keys and policies (inherited ones included).
$assignments = @{}
foreach ($scope in ($scopes | Select-Object -Unique)) {
    $parts = Split-ArmId $scope
    Set-AzContext -Subscription $parts.SubscriptionId -Tenant $tenantId | Out-Null
    foreach ($a in (Invoke-Read "role assignments at $scope" { Get-AzRoleAssignment -Scope $scope })) {
        $assignments[$a.RoleAssignmentId] = $a
    }
}
Write-SnapshotFile -Name 'roleAssignments.json' -Value @($assignments.Values)

# Members of the administrator roles the docs name, where the directory may be read.
$roles = New-Object System.Collections.Generic.List[object]
if (Test-Command 'Get-MgDirectoryRole') {
    foreach ($roleName in 'Global Administrator', 'Power Platform Administrator', 'Dynamics 365 Administrator') {
        foreach ($role in (Invoke-Read "directory role $roleName" { Get-MgDirectoryRole -Filter "displayName eq '$roleName'" })) {
            $members = Invoke-Read "members of $roleName" { Get-MgDirectoryRoleMember -DirectoryRoleId $role.Id -All }
            $roles.Add([pscustomobject][ordered]@{ Id = $role.Id; DisplayName = $role.DisplayName; RoleTemplateId = $role.RoleTemplateId; Members = @($members) })
        }
    }
} else {
    $Skipped.Add('directory roles (Microsoft.Graph.Identity.DirectoryManagement is not installed)')
}
Write-SnapshotFile -Name 'directoryRoles.json' -Value @($roles)

# The tenant's subscriptions (licences): customer-managed keys need qualifying ones.
$skus = @()
if (Test-Command 'Get-MgSubscribedSku') {
    $skus = Invoke-Read 'subscribed SKUs' { Get-MgSubscribedSku -All }
} else {
    $Skipped.Add('subscribed SKUs (Microsoft.Graph.Identity.DirectoryManagement is not installed)')
}
Write-SnapshotFile -Name 'subscribedSkus.json' -Value @($skus)

Write-SnapshotFile -Name 'manifest.json' -Value ([pscustomobject][ordered]@{
        SchemaVersion = 1
        ScriptVersion = $ScriptVersion
        ExportedTime = (Get-Date).ToUniversalTime().ToString('o')
        TenantId = $tenantId
        PowerShellVersion = $PSVersionTable.PSVersion.ToString()
        Counts = [pscustomobject][ordered]@{
            Environments = @($environments).Count; Flows = $flows.Count; EnterprisePolicies = $policies.Count
            KeyVaults = $vaults.Count; KeyVersions = $keys.Count; RoleAssignments = $assignments.Count; DirectoryRoles = $roles.Count; SubscribedSkus = @($skus).Count
        }
        Skipped = @($Skipped)
    })
Write-Host "Snapshot written to $script:Folder. Import it: ppcmk Import-PpCmkTenantSnapshot -Path '$script:Folder'"
