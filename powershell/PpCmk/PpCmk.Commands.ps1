# Generated from the ppcmk command registry by `PPCMK_BLESS=1 cargo test`. Do not edit:
# change the registry (src/commands/) and regenerate. Dot-sourced by PpCmk.psm1.
Set-StrictMode -Version 3.0

# Error codes of malformed calls: raised as terminating errors, as parameter binding errors are.
$script:PpCmkUsageErrorCodes = @('CommandNotFound', 'ParameterNotFound', 'AmbiguousParameter', 'ParameterAlreadyBound', 'MissingMandatoryParameter', 'ParameterBindingFailed', 'ParameterValidationFailed', 'ParameterSetConflict', 'InvalidRequest')

# The exported commands.
$script:PpCmkCommandNames = @(
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

function Add-AzKeyVaultKey {
    <#
    .SYNOPSIS
    Creates an RSA or RSA-HSM key, imports an RSA private key file, or adds a version to an existing key.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .PARAMETER Destination
    HSM makes an RSA-HSM key (Premium vault or managed HSM). Allowed values: Software, HSM.
    .PARAMETER KeyType
    RSA or RSA-HSM; EC and oct keys are refused (Power Platform needs RSA). Allowed values: RSA, RSA-HSM, EC, EC-HSM, oct, oct-HSM.
    .PARAMETER Size
    2048, 3072 or 4096 bits.
    .PARAMETER KeyOps
    Operations the key allows. Default: encrypt, decrypt, sign, verify, wrapKey, unwrapKey. Allowed values: encrypt, decrypt, sign, verify, wrapKey, unwrapKey, import.
    .PARAMETER Expires
    When the version expires (UTC).
    .PARAMETER NotBefore
    When the version becomes usable (UTC).
    .PARAMETER Disable
    Create the version disabled.
    .PARAMETER Tag
    Tags, e.g. @{purpose='cmk'}.
    .PARAMETER KeyFilePath
    Import this RSA private key file: PEM (PKCS#1, PKCS#8, encrypted PKCS#8) or DER.
    .PARAMETER KeyFilePassword
    The password of an encrypted PKCS#8 key file.
    .EXAMPLE
    Add-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -Destination Software -KeyType RSA -Size 2048
    .OUTPUTS
    PpCmk.KeyVaultKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultKey')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [ValidateSet('Software', 'HSM')]
        [string]
        $Destination,

        [Parameter()]
        [ValidateSet('RSA', 'RSA-HSM', 'EC', 'EC-HSM', 'oct', 'oct-HSM')]
        [string]
        $KeyType,

        [Parameter()]
        [long]
        $Size,

        [Parameter()]
        [ValidateSet('encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey', 'import')]
        [string[]]
        $KeyOps,

        [Parameter()]
        [datetime]
        $Expires,

        [Parameter()]
        [datetime]
        $NotBefore,

        [Parameter()]
        [switch]
        $Disable,

        [Parameter()]
        [object]
        $Tag,

        [Parameter()]
        [string]
        $KeyFilePath,

        [Parameter()]
        [securestring]
        $KeyFilePassword
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name', 'Destination', 'KeyType', 'Size', 'KeyOps', 'Expires', 'NotBefore', 'Disable', 'Tag', 'KeyFilePath', 'KeyFilePassword')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Add-AzKeyVaultKey' }), 'Add-AzKeyVaultKey')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Add-AzKeyVaultKey' -Parameters $request -TypeName 'PpCmk.KeyVaultKey'
        }
    }
}

function Add-AzKeyVaultNetworkRule {
    <#
    .SYNOPSIS
    Adds allowed IP ranges to a vault's firewall.
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER IpAddressRange
    IPv4 addresses or CIDR ranges to allow.
    .PARAMETER PassThru
    Output the vault after the change.
    .EXAMPLE
    Add-AzKeyVaultNetworkRule -VaultName contoso-cmk-kv -IpAddressRange 203.0.113.0/24
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]]
        $IpAddressRange,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'IpAddressRange', 'PassThru')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Add-AzKeyVaultNetworkRule' }), 'Add-AzKeyVaultNetworkRule')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Add-AzKeyVaultNetworkRule' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function Add-PowerAppsAccount {
    <#
    .SYNOPSIS
    Signs in to Power Platform (the PowerApps administration module's session).
    .PARAMETER Username
    The account's user principal name. Default: the tenant's first Global Administrator.
    .PARAMETER Password
    Accepted for script compatibility and ignored: local sign-in needs no password.
    .PARAMETER TenantID
    The tenant id or domain; must be the store's tenant.
    .PARAMETER Endpoint
    The Power Platform cloud; accepted for compatibility. Allowed values: prod, preview, tip1, tip2, usgov, usgovhigh, dod, china.
    .EXAMPLE
    Add-PowerAppsAccount -Username ppadmin@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.AzureContext
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.AzureContext')]
    param(
        [Parameter()]
        [string]
        $Username,

        [Parameter()]
        [securestring]
        $Password,

        [Parameter()]
        [string]
        $TenantID,

        [Parameter()]
        [ValidateSet('prod', 'preview', 'tip1', 'tip2', 'usgov', 'usgovhigh', 'dod', 'china')]
        [string]
        $Endpoint
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Username', 'Password', 'TenantID', 'Endpoint')
        if ($PSCmdlet.ShouldProcess('Add-PowerAppsAccount', 'Add-PowerAppsAccount')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Add-PowerAppsAccount' -Parameters $request -TypeName 'PpCmk.AzureContext'
        }
    }
}

function Add-PpCmkDirectoryRoleMember {
    <#
    .SYNOPSIS
    Adds a user to a directory role: Global, Power Platform or Dynamics 365 Administrator (Global Administrator only).
    .PARAMETER RoleName
    The directory role. Allowed values: Global Administrator, Power Platform Administrator, Dynamics 365 Administrator.
    .PARAMETER UserPrincipalName
    The user to add.
    .EXAMPLE
    Add-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName ppadmin@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.DirectoryRoleMember
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DirectoryRoleMember')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('Global Administrator', 'Power Platform Administrator', 'Dynamics 365 Administrator')]
        [ValidateNotNullOrEmpty()]
        [string]
        $RoleName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('RoleName', 'UserPrincipalName')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('RoleName')) { $RoleName } else { 'Add-PpCmkDirectoryRoleMember' }), 'Add-PpCmkDirectoryRoleMember')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Add-PpCmkDirectoryRoleMember' -Parameters $request -TypeName 'PpCmk.DirectoryRoleMember'
        }
    }
}

function Add-PpCmkKeyVaultPrivateEndpoint {
    <#
    .SYNOPSIS
    Marks a private endpoint connection on a vault: users reach it from the private network (PPCMK_NETWORK=private).
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER EndpointName
    The endpoint's name. Default: {vault}-pe.
    .EXAMPLE
    Add-PpCmkKeyVaultPrivateEndpoint -VaultName contoso-cmk-kv
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [string]
        $EndpointName
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'EndpointName')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Add-PpCmkKeyVaultPrivateEndpoint' }), 'Add-PpCmkKeyVaultPrivateEndpoint')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Add-PpCmkKeyVaultPrivateEndpoint' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function Connect-AzAccount {
    <#
    .SYNOPSIS
    Signs in to Azure as a directory account (no password in a local rehearsal).
    .PARAMETER AccountId
    The account's user principal name or object id. Default: the tenant's first Global Administrator.
    .PARAMETER Tenant
    The tenant id or domain; must be the store's tenant.
    .PARAMETER Subscription
    The subscription id or name; must be the store's subscription.
    .EXAMPLE
    Connect-AzAccount -AccountId kvadmin@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.AzureContext
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.AzureContext')]
    param(
        [Parameter()]
        [string]
        $AccountId,

        [Parameter()]
        [Alias('TenantId', 'Domain')]
        [string]
        $Tenant,

        [Parameter()]
        [Alias('SubscriptionId', 'SubscriptionName')]
        [string]
        $Subscription
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('AccountId', 'Tenant', 'Subscription')
        if ($PSCmdlet.ShouldProcess('Connect-AzAccount', 'Connect-AzAccount')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Connect-AzAccount' -Parameters $request -TypeName 'PpCmk.AzureContext'
        }
    }
}

function Disconnect-AzAccount {
    <#
    .SYNOPSIS
    Signs the Azure account out; Azure commands then need Connect-AzAccount or PPCMK_ACCOUNT.
    .EXAMPLE
    Disconnect-AzAccount
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @()
        if ($PSCmdlet.ShouldProcess('Disconnect-AzAccount', 'Disconnect-AzAccount')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Disconnect-AzAccount' -Parameters $request -TypeName ''
        }
    }
}

function Get-AzADServicePrincipal {
    <#
    .SYNOPSIS
    Gets service principals, including the managed identities of enterprise policies.
    .PARAMETER ObjectId
    The service principal's object id.
    .PARAMETER DisplayName
    Service principals with exactly this display name.
    .PARAMETER SearchString
    Service principals whose display name starts with this text.
    .PARAMETER ApplicationId
    The service principal's application id.
    .EXAMPLE
    Get-AzADServicePrincipal -SearchString contoso-cmk
    .OUTPUTS
    PpCmk.ADServicePrincipal
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.ADServicePrincipal')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id')]
        [string]
        $ObjectId,

        [Parameter()]
        [string]
        $DisplayName,

        [Parameter()]
        [Alias('StartsWith')]
        [string]
        $SearchString,

        [Parameter()]
        [Alias('AppId')]
        [string]
        $ApplicationId
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('ObjectId', 'DisplayName', 'SearchString', 'ApplicationId')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzADServicePrincipal' -Parameters $request -TypeName 'PpCmk.ADServicePrincipal'
    }
}

function Get-AzADUser {
    <#
    .SYNOPSIS
    Gets users of the directory.
    .PARAMETER UserPrincipalName
    The user's principal name.
    .PARAMETER ObjectId
    The user's object id.
    .PARAMETER DisplayName
    Users with exactly this display name.
    .PARAMETER StartsWith
    Users whose display name starts with this text.
    .EXAMPLE
    Get-AzADUser -UserPrincipalName admin@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.ADUser
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.ADUser')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('UPN')]
        [string]
        $UserPrincipalName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id')]
        [string]
        $ObjectId,

        [Parameter()]
        [string]
        $DisplayName,

        [Parameter()]
        [Alias('SearchString')]
        [string]
        $StartsWith
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('UserPrincipalName', 'ObjectId', 'DisplayName', 'StartsWith')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzADUser' -Parameters $request -TypeName 'PpCmk.ADUser'
    }
}

function Get-AzContext {
    <#
    .SYNOPSIS
    Shows the signed-in Azure account, its directory roles, tenant and subscription.
    .EXAMPLE
    Get-AzContext -OutputFormat Json
    .OUTPUTS
    PpCmk.AzureContext
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.AzureContext')]
    param(
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @()
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzContext' -Parameters $request -TypeName 'PpCmk.AzureContext'
    }
}

function Get-AzKeyVault {
    <#
    .SYNOPSIS
    Gets key vaults the caller can read, or soft-deleted ones with -InRemovedState.
    .PARAMETER VaultName
    Only this vault.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER InRemovedState
    List soft-deleted vaults, with their deletion and scheduled purge dates.
    .PARAMETER Location
    Accepted for compatibility with -InRemovedState.
    .EXAMPLE
    Get-AzKeyVault -VaultName contoso-cmk-kv
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [switch]
        $InRemovedState,

        [Parameter()]
        [string]
        $Location
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'InRemovedState', 'Location')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzKeyVault' -Parameters $request -TypeName 'PpCmk.KeyVault'
    }
}

function Get-AzKeyVaultKey {
    <#
    .SYNOPSIS
    Gets keys (public parts only): the current versions, one version, all versions, or deleted keys.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    Only this key.
    .PARAMETER Version
    This version of the key.
    .PARAMETER IncludeVersions
    Every version of the key, newest first.
    .PARAMETER InRemovedState
    Soft-deleted keys, with their scheduled purge dates.
    .EXAMPLE
    Get-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -IncludeVersions
    .OUTPUTS
    PpCmk.KeyVaultKey
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyVaultKey')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [string]
        $Name,

        [Parameter(Position = 2)]
        [Alias('KeyVersion')]
        [string]
        $Version,

        [Parameter()]
        [switch]
        $IncludeVersions,

        [Parameter()]
        [switch]
        $InRemovedState
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name', 'Version', 'IncludeVersions', 'InRemovedState')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzKeyVaultKey' -Parameters $request -TypeName 'PpCmk.KeyVaultKey'
    }
}

function Get-AzKeyVaultKeyRotationPolicy {
    <#
    .SYNOPSIS
    Gets a key's rotation policy (Key Vault's default when none is set).
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .EXAMPLE
    Get-AzKeyVaultKeyRotationPolicy -VaultName contoso-cmk-kv -Name contoso-cmk
    .OUTPUTS
    PpCmk.KeyRotationPolicy
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyRotationPolicy')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzKeyVaultKeyRotationPolicy' -Parameters $request -TypeName 'PpCmk.KeyRotationPolicy'
    }
}

function Get-AzKeyVaultManagedHsm {
    <#
    .SYNOPSIS
    Gets managed HSMs the caller can read.
    .PARAMETER Name
    Only this HSM.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .EXAMPLE
    Get-AzKeyVaultManagedHsm -Name contoso-hsm
    .OUTPUTS
    PpCmk.ManagedHsm
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.ManagedHsm')]
    param(
        [Parameter(Position = 0)]
        [Alias('HsmName')]
        [string]
        $Name,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Name', 'ResourceGroupName')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzKeyVaultManagedHsm' -Parameters $request -TypeName 'PpCmk.ManagedHsm'
    }
}

function Get-AzKeyVaultRoleAssignment {
    <#
    .SYNOPSIS
    Lists a managed HSM's local role assignments.
    .PARAMETER HsmName
    The managed HSM.
    .PARAMETER RoleDefinitionName
    Only this role.
    .PARAMETER ObjectId
    Only this principal.
    .EXAMPLE
    Get-AzKeyVaultRoleAssignment -HsmName contoso-hsm
    .OUTPUTS
    PpCmk.KeyVaultRoleAssignment
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyVaultRoleAssignment')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $HsmName,

        [Parameter()]
        [string]
        $RoleDefinitionName,

        [Parameter()]
        [string]
        $ObjectId
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('HsmName', 'RoleDefinitionName', 'ObjectId')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzKeyVaultRoleAssignment' -Parameters $request -TypeName 'PpCmk.KeyVaultRoleAssignment'
    }
}

function Get-AzResourceGroup {
    <#
    .SYNOPSIS
    Gets the resource groups the caller can read.
    .PARAMETER Name
    Only this resource group.
    .EXAMPLE
    Get-AzResourceGroup -Name contoso-cmk
    .OUTPUTS
    PpCmk.ResourceGroup
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.ResourceGroup')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('ResourceGroupName')]
        [string]
        $Name
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Name')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzResourceGroup' -Parameters $request -TypeName 'PpCmk.ResourceGroup'
    }
}

function Get-AzResourceProvider {
    <#
    .SYNOPSIS
    Gets resource providers with their registration state, resource types and locations.
    .PARAMETER ProviderNamespace
    Only this provider.
    .PARAMETER ListAvailable
    Include providers that are not registered.
    .EXAMPLE
    Get-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform
    .OUTPUTS
    PpCmk.ResourceProvider
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.ResourceProvider')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $ProviderNamespace,

        [Parameter()]
        [switch]
        $ListAvailable
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('ProviderNamespace', 'ListAvailable')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzResourceProvider' -Parameters $request -TypeName 'PpCmk.ResourceProvider'
    }
}

function Get-AzRoleAssignment {
    <#
    .SYNOPSIS
    Lists role assignments at, above and below a scope that the caller may see.
    .PARAMETER ObjectId
    The object id of the user or service principal.
    .PARAMETER SignInName
    The user principal name of the user.
    .PARAMETER ApplicationId
    The application id of the service principal.
    .PARAMETER RoleDefinitionName
    The role's name, e.g. Reader or 'Key Vault Crypto Service Encryption User'.
    .PARAMETER RoleDefinitionId
    The role definition's GUID.
    .PARAMETER Scope
    The ARM scope: subscription, resource group, resource or child resource id. Default: the subscription.
    .PARAMETER ResourceGroupName
    A resource group, as scope (with -ResourceName/-ResourceType: a resource in it).
    .PARAMETER ResourceName
    With -ResourceGroupName and -ResourceType: a resource as scope.
    .PARAMETER ResourceType
    With -ResourceName: the resource type, e.g. Microsoft.KeyVault/vaults.
    .PARAMETER ParentResource
    With -ResourceName: the parent resource path, e.g. vaults/contoso-kv.
    .EXAMPLE
    Get-AzRoleAssignment -SignInName ppadmin@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.RoleAssignment
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.RoleAssignment')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'PrincipalId')]
        [string]
        $ObjectId,

        [Parameter()]
        [Alias('Email', 'UserPrincipalName')]
        [string]
        $SignInName,

        [Parameter()]
        [Alias('SPN', 'ServicePrincipalName')]
        [string]
        $ApplicationId,

        [Parameter()]
        [string]
        $RoleDefinitionName,

        [Parameter()]
        [string]
        $RoleDefinitionId,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $Scope,

        [Parameter()]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [string]
        $ResourceName,

        [Parameter()]
        [string]
        $ResourceType,

        [Parameter()]
        [string]
        $ParentResource
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('ObjectId', 'SignInName', 'ApplicationId', 'RoleDefinitionName', 'RoleDefinitionId', 'Scope', 'ResourceGroupName', 'ResourceName', 'ResourceType', 'ParentResource')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzRoleAssignment' -Parameters $request -TypeName 'PpCmk.RoleAssignment'
    }
}

function Get-AzRoleDefinition {
    <#
    .SYNOPSIS
    Lists the built-in role definitions with their actions and data actions.
    .PARAMETER Name
    Only the role with this name.
    .PARAMETER Id
    Only the role with this id.
    .EXAMPLE
    Get-AzRoleDefinition -Name 'Key Vault Crypto Service Encryption User'
    .OUTPUTS
    PpCmk.RoleDefinition
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.RoleDefinition')]
    param(
        [Parameter(Position = 0)]
        [string]
        $Name,

        [Parameter()]
        [string]
        $Id
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Name', 'Id')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-AzRoleDefinition' -Parameters $request -TypeName 'PpCmk.RoleDefinition'
    }
}

function Get-PpCmkAuditLog {
    <#
    .SYNOPSIS
    Lists audit log entries: every state change and every refused authorisation (Global Administrator only).
    .PARAMETER Since
    Only entries at or after this time (store clock, UTC).
    .PARAMETER Principal
    Only entries by this principal (UPN, display name or object id).
    .PARAMETER Last
    Only the newest n entries.
    .EXAMPLE
    Get-PpCmkAuditLog -Last 20
    .OUTPUTS
    PpCmk.AuditEntry
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.AuditEntry')]
    param(
        [Parameter()]
        [datetime]
        $Since,

        [Parameter()]
        [string]
        $Principal,

        [Parameter()]
        [ValidateRange(1, 1000000)]
        [long]
        $Last
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Since', 'Principal', 'Last')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-PpCmkAuditLog' -Parameters $request -TypeName 'PpCmk.AuditEntry'
    }
}

function Get-PpCmkClock {
    <#
    .SYNOPSIS
    Shows the store's clock: real time plus the offset that time-based rules read.
    .EXAMPLE
    Get-PpCmkClock
    .OUTPUTS
    PpCmk.Clock
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Clock')]
    param(
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @()
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-PpCmkClock' -Parameters $request -TypeName 'PpCmk.Clock'
    }
}

function Get-PpCmkDirectoryRoleMember {
    <#
    .SYNOPSIS
    Lists the members of the directory roles.
    .PARAMETER RoleName
    Only this role. Allowed values: Global Administrator, Power Platform Administrator, Dynamics 365 Administrator.
    .PARAMETER UserPrincipalName
    Only this user's roles.
    .EXAMPLE
    Get-PpCmkDirectoryRoleMember -RoleName 'Global Administrator'
    .OUTPUTS
    PpCmk.DirectoryRoleMember
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.DirectoryRoleMember')]
    param(
        [Parameter()]
        [ValidateSet('Global Administrator', 'Power Platform Administrator', 'Dynamics 365 Administrator')]
        [string]
        $RoleName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $UserPrincipalName
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('RoleName', 'UserPrincipalName')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Get-PpCmkDirectoryRoleMember' -Parameters $request -TypeName 'PpCmk.DirectoryRoleMember'
    }
}

function Invoke-AzKeyVaultKeyOperation {
    <#
    .SYNOPSIS
    Wraps, unwraps, encrypts or decrypts a value with a key (RSA-OAEP or RSA-OAEP-256), as the signed-in principal.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .PARAMETER Version
    The key version. Default: the current one.
    .PARAMETER Operation
    The operation. Allowed values: Wrap, Unwrap, Encrypt, Decrypt.
    .PARAMETER Algorithm
    The RSA-OAEP variant. Allowed values: RSA-OAEP, RSA-OAEP-256.
    .PARAMETER ByteArrayValue
    The input bytes (base64 on the command line).
    .EXAMPLE
    Invoke-AzKeyVaultKeyOperation -VaultName contoso-cmk-kv -Name contoso-cmk -Operation Wrap -Algorithm RSA-OAEP-256 -ByteArrayValue AAECAwQFBgcICQoLDA0ODw==
    .OUTPUTS
    PpCmk.KeyOperationResult
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyOperationResult')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [Alias('KeyVersion')]
        [string]
        $Version,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Wrap', 'Unwrap', 'Encrypt', 'Decrypt')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Operation,

        [Parameter(Mandatory = $true)]
        [ValidateSet('RSA-OAEP', 'RSA-OAEP-256')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Algorithm,

        [Parameter(Mandatory = $true)]
        [byte[]]
        $ByteArrayValue
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name', 'Version', 'Operation', 'Algorithm', 'ByteArrayValue')
        Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Invoke-AzKeyVaultKeyOperation' -Parameters $request -TypeName 'PpCmk.KeyOperationResult'
    }
}

function Invoke-AzKeyVaultKeyRotation {
    <#
    .SYNOPSIS
    Rotates a key now: a new, enabled version like the current one; earlier versions stay as they are.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .EXAMPLE
    Invoke-AzKeyVaultKeyRotation -VaultName contoso-cmk-kv -Name contoso-cmk
    .OUTPUTS
    PpCmk.KeyVaultKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultKey')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Invoke-AzKeyVaultKeyRotation' }), 'Invoke-AzKeyVaultKeyRotation')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Invoke-AzKeyVaultKeyRotation' -Parameters $request -TypeName 'PpCmk.KeyVaultKey'
        }
    }
}

function Invoke-PpCmkMaintenance {
    <#
    .SYNOPSIS
    Runs every time-based action that is due now: purges after retention, key rotations by policy.
    .EXAMPLE
    Invoke-PpCmkMaintenance
    .OUTPUTS
    PpCmk.MaintenanceEvent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.MaintenanceEvent')]
    param(
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @()
        if ($PSCmdlet.ShouldProcess('Invoke-PpCmkMaintenance', 'Invoke-PpCmkMaintenance')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Invoke-PpCmkMaintenance' -Parameters $request -TypeName 'PpCmk.MaintenanceEvent'
        }
    }
}

function New-AzADUser {
    <#
    .SYNOPSIS
    Creates a user in the tenant's directory (Global Administrator only).
    .PARAMETER DisplayName
    The user's display name.
    .PARAMETER UserPrincipalName
    alias@contoso.onmicrosoft.com: the tenant's verified domain.
    .PARAMETER MailNickname
    The mail alias. Default: the UPN's alias.
    .PARAMETER Password
    Accepted for script compatibility and not stored: local sign-in needs no password.
    .PARAMETER AccountEnabled
    Whether the account can sign in.
    .EXAMPLE
    New-AzADUser -DisplayName 'Key Vault Admin' -UserPrincipalName kvadmin@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.ADUser
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.ADUser')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $DisplayName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName,

        [Parameter()]
        [string]
        $MailNickname,

        [Parameter()]
        [securestring]
        $Password,

        [Parameter()]
        [bool]
        $AccountEnabled
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('DisplayName', 'UserPrincipalName', 'MailNickname', 'Password', 'AccountEnabled')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('DisplayName')) { $DisplayName } else { 'New-AzADUser' }), 'New-AzADUser')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'New-AzADUser' -Parameters $request -TypeName 'PpCmk.ADUser'
        }
    }
}

function New-AzKeyVault {
    <#
    .SYNOPSIS
    Creates a key vault (soft delete always on; purge protection, RBAC or access policies, network access as chosen).
    .PARAMETER Name
    The vault's name: 3-24 letters, digits and single dashes, starting with a letter; unique.
    .PARAMETER ResourceGroupName
    An existing resource group.
    .PARAMETER Location
    An Azure region, e.g. centralus.
    .PARAMETER Sku
    Premium allows RSA-HSM keys. Allowed values: Standard, Premium.
    .PARAMETER EnablePurgeProtection
    Enforce the retention period for deleted vaults and keys; cannot be turned off.
    .PARAMETER SoftDeleteRetentionInDays
    Days a deleted vault or key stays recoverable.
    .PARAMETER DisableRbacAuthorization
    Use vault access policies instead of Azure RBAC for the data plane.
    .PARAMETER PublicNetworkAccess
    Whether the vault accepts traffic from public networks. Allowed values: Enabled, Disabled.
    .EXAMPLE
    New-AzKeyVault -Name contoso-cmk-kv -ResourceGroupName contoso-cmk -Location centralus -EnablePurgeProtection
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [Alias('VaultName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string]
        $ResourceGroupName,

        [Parameter(Mandatory = $true, Position = 2)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Location,

        [Parameter()]
        [ValidateSet('Standard', 'Premium')]
        [string]
        $Sku,

        [Parameter()]
        [switch]
        $EnablePurgeProtection,

        [Parameter()]
        [ValidateRange(7, 90)]
        [long]
        $SoftDeleteRetentionInDays,

        [Parameter()]
        [switch]
        $DisableRbacAuthorization,

        [Parameter()]
        [ValidateSet('Enabled', 'Disabled')]
        [string]
        $PublicNetworkAccess
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Name', 'ResourceGroupName', 'Location', 'Sku', 'EnablePurgeProtection', 'SoftDeleteRetentionInDays', 'DisableRbacAuthorization', 'PublicNetworkAccess')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'New-AzKeyVault' }), 'New-AzKeyVault')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'New-AzKeyVault' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function New-AzKeyVaultManagedHsm {
    <#
    .SYNOPSIS
    Creates a managed HSM (FIPS 140-2 Level 3); its administrators get the local role Managed HSM Administrator.
    .PARAMETER Name
    The HSM's name: 3-23 letters, digits and single dashes, starting with a letter; unique.
    .PARAMETER ResourceGroupName
    An existing resource group.
    .PARAMETER Location
    An Azure region.
    .PARAMETER Administrator
    Object ids (or UPNs) of the initial administrators.
    .PARAMETER Sku
    The HSM pool SKU. Allowed values: StandardB1, CustomB32.
    .PARAMETER EnablePurgeProtection
    Enforce the retention period for deleted keys; cannot be turned off.
    .PARAMETER SoftDeleteRetentionInDays
    Days a deleted key stays recoverable.
    .EXAMPLE
    New-AzKeyVaultManagedHsm -Name contoso-hsm -ResourceGroupName contoso-cmk -Location centralus -Administrator 00aa00aa-bb11-cc22-dd33-44ee44ee44ee -EnablePurgeProtection
    .OUTPUTS
    PpCmk.ManagedHsm
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.ManagedHsm')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string]
        $ResourceGroupName,

        [Parameter(Mandatory = $true, Position = 2)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Location,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]]
        $Administrator,

        [Parameter()]
        [ValidateSet('StandardB1', 'CustomB32')]
        [string]
        $Sku,

        [Parameter()]
        [switch]
        $EnablePurgeProtection,

        [Parameter()]
        [ValidateRange(7, 90)]
        [long]
        $SoftDeleteRetentionInDays
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Name', 'ResourceGroupName', 'Location', 'Administrator', 'Sku', 'EnablePurgeProtection', 'SoftDeleteRetentionInDays')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'New-AzKeyVaultManagedHsm' }), 'New-AzKeyVaultManagedHsm')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'New-AzKeyVaultManagedHsm' -Parameters $request -TypeName 'PpCmk.ManagedHsm'
        }
    }
}

function New-AzKeyVaultRoleAssignment {
    <#
    .SYNOPSIS
    Assigns a managed HSM local role (e.g. Managed HSM Crypto User) at '/', '/keys' or '/keys/{name}'.
    .PARAMETER HsmName
    The managed HSM.
    .PARAMETER RoleDefinitionName
    The local role's name.
    .PARAMETER RoleDefinitionId
    The local role's id.
    .PARAMETER ObjectId
    The principal's object id.
    .PARAMETER SignInName
    The user's principal name.
    .PARAMETER ApplicationId
    The service principal's application id.
    .PARAMETER Scope
    '/', '/keys' or '/keys/{key name}'.
    .EXAMPLE
    New-AzKeyVaultRoleAssignment -HsmName contoso-hsm -RoleDefinitionName 'Managed HSM Crypto User' -SignInName kvadmin@contoso.onmicrosoft.com -Scope /keys
    .OUTPUTS
    PpCmk.KeyVaultRoleAssignment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultRoleAssignment')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $HsmName,

        [Parameter()]
        [string]
        $RoleDefinitionName,

        [Parameter()]
        [string]
        $RoleDefinitionId,

        [Parameter()]
        [string]
        $ObjectId,

        [Parameter()]
        [Alias('UserPrincipalName')]
        [string]
        $SignInName,

        [Parameter()]
        [string]
        $ApplicationId,

        [Parameter()]
        [string]
        $Scope
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('HsmName', 'RoleDefinitionName', 'RoleDefinitionId', 'ObjectId', 'SignInName', 'ApplicationId', 'Scope')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('HsmName')) { $HsmName } else { 'New-AzKeyVaultRoleAssignment' }), 'New-AzKeyVaultRoleAssignment')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'New-AzKeyVaultRoleAssignment' -Parameters $request -TypeName 'PpCmk.KeyVaultRoleAssignment'
        }
    }
}

function New-AzResourceGroup {
    <#
    .SYNOPSIS
    Creates a resource group in the subscription.
    .PARAMETER Name
    The resource group's name.
    .PARAMETER Location
    An Azure region, e.g. centralus or 'Central US'.
    .EXAMPLE
    New-AzResourceGroup -Name contoso-cmk -Location centralus
    .OUTPUTS
    PpCmk.ResourceGroup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.ResourceGroup')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [Alias('ResourceGroupName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Location
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('Name', 'Location')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'New-AzResourceGroup' }), 'New-AzResourceGroup')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'New-AzResourceGroup' -Parameters $request -TypeName 'PpCmk.ResourceGroup'
        }
    }
}

function New-AzRoleAssignment {
    <#
    .SYNOPSIS
    Assigns an Azure role to a user or service principal at a scope (Owner, User Access Administrator or Global Administrator).
    .PARAMETER ObjectId
    The object id of the user or service principal.
    .PARAMETER SignInName
    The user principal name of the user.
    .PARAMETER ApplicationId
    The application id of the service principal.
    .PARAMETER RoleDefinitionName
    The role's name, e.g. Reader or 'Key Vault Crypto Service Encryption User'.
    .PARAMETER RoleDefinitionId
    The role definition's GUID.
    .PARAMETER Scope
    The ARM scope: subscription, resource group, resource or child resource id. Default: the subscription.
    .PARAMETER ResourceGroupName
    A resource group, as scope (with -ResourceName/-ResourceType: a resource in it).
    .PARAMETER ResourceName
    With -ResourceGroupName and -ResourceType: a resource as scope.
    .PARAMETER ResourceType
    With -ResourceName: the resource type, e.g. Microsoft.KeyVault/vaults.
    .PARAMETER ParentResource
    With -ResourceName: the parent resource path, e.g. vaults/contoso-kv.
    .PARAMETER Description
    A description of the assignment.
    .PARAMETER Condition
    An ABAC condition, stored and shown (not evaluated).
    .PARAMETER ConditionVersion
    The condition's version, e.g. 2.0.
    .PARAMETER ObjectType
    Accepted for compatibility; the type comes from the directory.
    .PARAMETER AllowDelegation
    Accepted for compatibility; delegation is not modelled.
    .EXAMPLE
    New-AzRoleAssignment -ObjectId 00aa00aa-bb11-cc22-dd33-44ee44ee44ee -RoleDefinitionName Reader -Scope /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e
    .OUTPUTS
    PpCmk.RoleAssignment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.RoleAssignment')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'PrincipalId')]
        [string]
        $ObjectId,

        [Parameter()]
        [Alias('Email', 'UserPrincipalName')]
        [string]
        $SignInName,

        [Parameter()]
        [Alias('SPN', 'ServicePrincipalName')]
        [string]
        $ApplicationId,

        [Parameter()]
        [string]
        $RoleDefinitionName,

        [Parameter()]
        [string]
        $RoleDefinitionId,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $Scope,

        [Parameter()]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [string]
        $ResourceName,

        [Parameter()]
        [string]
        $ResourceType,

        [Parameter()]
        [string]
        $ParentResource,

        [Parameter()]
        [string]
        $Description,

        [Parameter()]
        [string]
        $Condition,

        [Parameter()]
        [string]
        $ConditionVersion,

        [Parameter()]
        [string]
        $ObjectType,

        [Parameter()]
        [switch]
        $AllowDelegation
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('ObjectId', 'SignInName', 'ApplicationId', 'RoleDefinitionName', 'RoleDefinitionId', 'Scope', 'ResourceGroupName', 'ResourceName', 'ResourceType', 'ParentResource', 'Description', 'Condition', 'ConditionVersion', 'ObjectType', 'AllowDelegation')
        if ($PSCmdlet.ShouldProcess('New-AzRoleAssignment', 'New-AzRoleAssignment')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'New-AzRoleAssignment' -Parameters $request -TypeName 'PpCmk.RoleAssignment'
        }
    }
}

function Register-AzResourceProvider {
    <#
    .SYNOPSIS
    Registers a resource provider for the subscription (once per subscription, e.g. Microsoft.PowerPlatform).
    .PARAMETER ProviderNamespace
    The provider, e.g. Microsoft.PowerPlatform.
    .EXAMPLE
    Register-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform
    .OUTPUTS
    PpCmk.ResourceProvider
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.ResourceProvider')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $ProviderNamespace
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('ProviderNamespace')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('ProviderNamespace')) { $ProviderNamespace } else { 'Register-AzResourceProvider' }), 'Register-AzResourceProvider')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Register-AzResourceProvider' -Parameters $request -TypeName 'PpCmk.ResourceProvider'
        }
    }
}

function Remove-AzKeyVault {
    <#
    .SYNOPSIS
    Soft-deletes a key vault, or purges a deleted one with -InRemovedState (refused under purge protection).
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER Location
    Accepted for compatibility with -InRemovedState.
    .PARAMETER InRemovedState
    Purge a soft-deleted vault for good.
    .PARAMETER Force
    Accepted for compatibility (no prompt is shown).
    .EXAMPLE
    Remove-AzKeyVault -VaultName contoso-cmk-kv -ResourceGroupName contoso-cmk -Force
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [string]
        $Location,

        [Parameter()]
        [switch]
        $InRemovedState,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'Location', 'InRemovedState', 'Force')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Remove-AzKeyVault' }), 'Remove-AzKeyVault')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-AzKeyVault' -Parameters $request -TypeName ''
        }
    }
}

function Remove-AzKeyVaultAccessPolicy {
    <#
    .SYNOPSIS
    Removes a principal's access policy from a vault.
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER ObjectId
    The object id of the user or service principal.
    .PARAMETER UserPrincipalName
    The user's principal name.
    .PARAMETER ServicePrincipalName
    The service principal's application id or display name.
    .PARAMETER PassThru
    Output the vault after the change.
    .EXAMPLE
    Remove-AzKeyVaultAccessPolicy -VaultName contoso-cmk-kv -ObjectId 00aa00aa-bb11-cc22-dd33-44ee44ee44ee
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ObjectId,

        [Parameter()]
        [Alias('UPN', 'Email')]
        [string]
        $UserPrincipalName,

        [Parameter()]
        [Alias('SPN')]
        [string]
        $ServicePrincipalName,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'ObjectId', 'UserPrincipalName', 'ServicePrincipalName', 'PassThru')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Remove-AzKeyVaultAccessPolicy' }), 'Remove-AzKeyVaultAccessPolicy')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-AzKeyVaultAccessPolicy' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function Remove-AzKeyVaultKey {
    <#
    .SYNOPSIS
    Soft-deletes a key (all versions), or purges a deleted one with -InRemovedState (refused under purge protection).
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .PARAMETER InRemovedState
    Purge the soft-deleted key for good.
    .PARAMETER Force
    Accepted for compatibility (no prompt is shown).
    .PARAMETER PassThru
    Output the deleted key.
    .EXAMPLE
    Remove-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -Force
    .OUTPUTS
    PpCmk.KeyVaultKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultKey')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [switch]
        $InRemovedState,

        [Parameter()]
        [switch]
        $Force,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name', 'InRemovedState', 'Force', 'PassThru')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Remove-AzKeyVaultKey' }), 'Remove-AzKeyVaultKey')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-AzKeyVaultKey' -Parameters $request -TypeName 'PpCmk.KeyVaultKey'
        }
    }
}

function Remove-AzKeyVaultRoleAssignment {
    <#
    .SYNOPSIS
    Removes a managed HSM local role assignment.
    .PARAMETER HsmName
    The managed HSM.
    .PARAMETER RoleDefinitionName
    The local role's name.
    .PARAMETER ObjectId
    The principal's object id.
    .PARAMETER SignInName
    The user's principal name.
    .PARAMETER Scope
    '/', '/keys' or '/keys/{key name}'.
    .PARAMETER PassThru
    Output the removed assignment.
    .EXAMPLE
    Remove-AzKeyVaultRoleAssignment -HsmName contoso-hsm -RoleDefinitionName 'Managed HSM Crypto User' -SignInName kvadmin@contoso.onmicrosoft.com -Scope /keys
    .OUTPUTS
    PpCmk.KeyVaultRoleAssignment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultRoleAssignment')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $RoleDefinitionName,

        [Parameter()]
        [string]
        $ObjectId,

        [Parameter()]
        [Alias('UserPrincipalName')]
        [string]
        $SignInName,

        [Parameter()]
        [string]
        $Scope,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('HsmName', 'RoleDefinitionName', 'ObjectId', 'SignInName', 'Scope', 'PassThru')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('HsmName')) { $HsmName } else { 'Remove-AzKeyVaultRoleAssignment' }), 'Remove-AzKeyVaultRoleAssignment')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-AzKeyVaultRoleAssignment' -Parameters $request -TypeName 'PpCmk.KeyVaultRoleAssignment'
        }
    }
}

function Remove-AzRoleAssignment {
    <#
    .SYNOPSIS
    Removes a role assignment (Owner, User Access Administrator or Global Administrator).
    .PARAMETER ObjectId
    The object id of the user or service principal.
    .PARAMETER SignInName
    The user principal name of the user.
    .PARAMETER ApplicationId
    The application id of the service principal.
    .PARAMETER RoleDefinitionName
    The role's name, e.g. Reader or 'Key Vault Crypto Service Encryption User'.
    .PARAMETER RoleDefinitionId
    The role definition's GUID.
    .PARAMETER Scope
    The ARM scope: subscription, resource group, resource or child resource id. Default: the subscription.
    .PARAMETER ResourceGroupName
    A resource group, as scope (with -ResourceName/-ResourceType: a resource in it).
    .PARAMETER ResourceName
    With -ResourceGroupName and -ResourceType: a resource as scope.
    .PARAMETER ResourceType
    With -ResourceName: the resource type, e.g. Microsoft.KeyVault/vaults.
    .PARAMETER ParentResource
    With -ResourceName: the parent resource path, e.g. vaults/contoso-kv.
    .PARAMETER PassThru
    Output the removed assignment.
    .EXAMPLE
    Remove-AzRoleAssignment -SignInName ppadmin@contoso.onmicrosoft.com -RoleDefinitionName Reader
    .OUTPUTS
    PpCmk.RoleAssignment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.RoleAssignment')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'PrincipalId')]
        [string]
        $ObjectId,

        [Parameter()]
        [Alias('Email', 'UserPrincipalName')]
        [string]
        $SignInName,

        [Parameter()]
        [Alias('SPN', 'ServicePrincipalName')]
        [string]
        $ApplicationId,

        [Parameter()]
        [string]
        $RoleDefinitionName,

        [Parameter()]
        [string]
        $RoleDefinitionId,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $Scope,

        [Parameter()]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [string]
        $ResourceName,

        [Parameter()]
        [string]
        $ResourceType,

        [Parameter()]
        [string]
        $ParentResource,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('ObjectId', 'SignInName', 'ApplicationId', 'RoleDefinitionName', 'RoleDefinitionId', 'Scope', 'ResourceGroupName', 'ResourceName', 'ResourceType', 'ParentResource', 'PassThru')
        if ($PSCmdlet.ShouldProcess('Remove-AzRoleAssignment', 'Remove-AzRoleAssignment')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-AzRoleAssignment' -Parameters $request -TypeName 'PpCmk.RoleAssignment'
        }
    }
}

function Remove-PowerAppsAccount {
    <#
    .SYNOPSIS
    Signs the Power Platform account out.
    .EXAMPLE
    Remove-PowerAppsAccount
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @()
        if ($PSCmdlet.ShouldProcess('Remove-PowerAppsAccount', 'Remove-PowerAppsAccount')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-PowerAppsAccount' -Parameters $request -TypeName ''
        }
    }
}

function Remove-PpCmkDirectoryRoleMember {
    <#
    .SYNOPSIS
    Removes a user from a directory role (Global Administrator only; the last Global Administrator stays).
    .PARAMETER RoleName
    The directory role. Allowed values: Global Administrator, Power Platform Administrator, Dynamics 365 Administrator.
    .PARAMETER UserPrincipalName
    The user to remove.
    .EXAMPLE
    Remove-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName ppadmin@contoso.onmicrosoft.com
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('Global Administrator', 'Power Platform Administrator', 'Dynamics 365 Administrator')]
        [ValidateNotNullOrEmpty()]
        [string]
        $RoleName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('RoleName', 'UserPrincipalName')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('RoleName')) { $RoleName } else { 'Remove-PpCmkDirectoryRoleMember' }), 'Remove-PpCmkDirectoryRoleMember')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-PpCmkDirectoryRoleMember' -Parameters $request -TypeName ''
        }
    }
}

function Remove-PpCmkKeyVaultPrivateEndpoint {
    <#
    .SYNOPSIS
    Removes a private endpoint connection from a vault.
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER EndpointName
    The endpoint's name.
    .EXAMPLE
    Remove-PpCmkKeyVaultPrivateEndpoint -VaultName contoso-cmk-kv -EndpointName contoso-cmk-kv-pe
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EndpointName
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'EndpointName')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Remove-PpCmkKeyVaultPrivateEndpoint' }), 'Remove-PpCmkKeyVaultPrivateEndpoint')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Remove-PpCmkKeyVaultPrivateEndpoint' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function Set-AzKeyVaultAccessPolicy {
    <#
    .SYNOPSIS
    Grants a principal key (and secret) permissions on a vault that uses access policies.
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER ObjectId
    The object id of the user or service principal.
    .PARAMETER UserPrincipalName
    The user's principal name.
    .PARAMETER ServicePrincipalName
    The service principal's application id or display name.
    .PARAMETER PermissionsToKeys
    Key permissions, e.g. get,wrapKey,unwrapKey for an enterprise policy. Allowed values: all, encrypt, decrypt, wrapKey, unwrapKey, sign, verify, get, list, create, update, import, delete, backup, restore, recover, purge, release, rotate, getrotationpolicy, setrotationpolicy.
    .PARAMETER PermissionsToSecrets
    Secret permissions. Allowed values: all, get, list, set, delete, backup, restore, recover, purge.
    .PARAMETER PassThru
    Output the vault after the change.
    .EXAMPLE
    Set-AzKeyVaultAccessPolicy -VaultName contoso-cmk-kv -ObjectId 00aa00aa-bb11-cc22-dd33-44ee44ee44ee -PermissionsToKeys get,wrapKey,unwrapKey
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ObjectId,

        [Parameter()]
        [Alias('UPN', 'Email')]
        [string]
        $UserPrincipalName,

        [Parameter()]
        [Alias('SPN')]
        [string]
        $ServicePrincipalName,

        [Parameter()]
        [ValidateSet('all', 'encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify', 'get', 'list', 'create', 'update', 'import', 'delete', 'backup', 'restore', 'recover', 'purge', 'release', 'rotate', 'getrotationpolicy', 'setrotationpolicy')]
        [string[]]
        $PermissionsToKeys,

        [Parameter()]
        [ValidateSet('all', 'get', 'list', 'set', 'delete', 'backup', 'restore', 'recover', 'purge')]
        [string[]]
        $PermissionsToSecrets,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'ObjectId', 'UserPrincipalName', 'ServicePrincipalName', 'PermissionsToKeys', 'PermissionsToSecrets', 'PassThru')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Set-AzKeyVaultAccessPolicy' }), 'Set-AzKeyVaultAccessPolicy')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Set-AzKeyVaultAccessPolicy' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function Set-AzKeyVaultKeyRotationPolicy {
    <#
    .SYNOPSIS
    Sets a key's rotation policy: rotate (or notify) after creation or before expiry; new versions' expiry.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .PARAMETER ExpiresIn
    ISO 8601 duration after which new versions expire, at least P28D (e.g. P2Y).
    .PARAMETER KeyRotationLifetimeAction
    @{Action='Rotate';TimeAfterCreate='P18M'} or @{Action='Notify';TimeBeforeExpiry='P30D'}.
    .PARAMETER LifetimeActionType
    The action, as an alternative to -KeyRotationLifetimeAction. Allowed values: Rotate, Notify.
    .PARAMETER TimeAfterCreate
    With -LifetimeActionType: ISO 8601 duration after a version's creation.
    .PARAMETER TimeBeforeExpiry
    With -LifetimeActionType: ISO 8601 duration before a version's expiry.
    .PARAMETER PolicyPath
    A JSON file with lifetimeActions and attributes.expiryTime, as Key Vault's REST API takes it.
    .EXAMPLE
    Set-AzKeyVaultKeyRotationPolicy -VaultName contoso-cmk-kv -Name contoso-cmk -ExpiresIn P2Y -KeyRotationLifetimeAction @{Action='Rotate';TimeAfterCreate='P18M'}
    .OUTPUTS
    PpCmk.KeyRotationPolicy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyRotationPolicy')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [string]
        $ExpiresIn,

        [Parameter()]
        [object]
        $KeyRotationLifetimeAction,

        [Parameter()]
        [ValidateSet('Rotate', 'Notify')]
        [string]
        $LifetimeActionType,

        [Parameter()]
        [string]
        $TimeAfterCreate,

        [Parameter()]
        [string]
        $TimeBeforeExpiry,

        [Parameter()]
        [string]
        $PolicyPath
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name', 'ExpiresIn', 'KeyRotationLifetimeAction', 'LifetimeActionType', 'TimeAfterCreate', 'TimeBeforeExpiry', 'PolicyPath')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Set-AzKeyVaultKeyRotationPolicy' }), 'Set-AzKeyVaultKeyRotationPolicy')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Set-AzKeyVaultKeyRotationPolicy' -Parameters $request -TypeName 'PpCmk.KeyRotationPolicy'
        }
    }
}

function Set-PpCmkClock {
    <#
    .SYNOPSIS
    Moves the store's clock forward (retention, purge dates, rotation, 28- and 30-day rules) or back to real time.
    .PARAMETER AdvanceDays
    Days to move the clock forward.
    .PARAMETER AdvanceHours
    Hours to move the clock forward.
    .PARAMETER Reset
    Return the clock to real time.
    .EXAMPLE
    Set-PpCmkClock -AdvanceDays 30
    .OUTPUTS
    PpCmk.Clock
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Clock')]
    param(
        [Parameter()]
        [ValidateRange(0, 36500)]
        [long]
        $AdvanceDays,

        [Parameter()]
        [ValidateRange(0, 876000)]
        [long]
        $AdvanceHours,

        [Parameter()]
        [switch]
        $Reset
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('AdvanceDays', 'AdvanceHours', 'Reset')
        if ($PSCmdlet.ShouldProcess('Set-PpCmkClock', 'Set-PpCmkClock')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Set-PpCmkClock' -Parameters $request -TypeName 'PpCmk.Clock'
        }
    }
}

function Undo-AzKeyVaultKeyRemoval {
    <#
    .SYNOPSIS
    Recovers a soft-deleted key with all its versions.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .EXAMPLE
    Undo-AzKeyVaultKeyRemoval -VaultName contoso-cmk-kv -Name contoso-cmk
    .OUTPUTS
    PpCmk.KeyVaultKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultKey')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Undo-AzKeyVaultKeyRemoval' }), 'Undo-AzKeyVaultKeyRemoval')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Undo-AzKeyVaultKeyRemoval' -Parameters $request -TypeName 'PpCmk.KeyVaultKey'
        }
    }
}

function Undo-AzKeyVaultRemoval {
    <#
    .SYNOPSIS
    Recovers a soft-deleted key vault with its keys.
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER Location
    Accepted for compatibility.
    .EXAMPLE
    Undo-AzKeyVaultRemoval -VaultName contoso-cmk-kv -ResourceGroupName contoso-cmk -Location centralus
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [string]
        $Location
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'Location')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Undo-AzKeyVaultRemoval' }), 'Undo-AzKeyVaultRemoval')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Undo-AzKeyVaultRemoval' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function Update-AzKeyVault {
    <#
    .SYNOPSIS
    Changes a key vault: enable purge protection (permanently), the permission model, public network access.
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER EnablePurgeProtection
    Turn purge protection on. It can never be turned off.
    .PARAMETER DisableRbacAuthorization
    $true: vault access policies; $false: Azure RBAC.
    .PARAMETER PublicNetworkAccess
    Whether the vault accepts traffic from public networks. Allowed values: Enabled, Disabled.
    .EXAMPLE
    Update-AzKeyVault -VaultName contoso-cmk-kv -ResourceGroupName contoso-cmk -EnablePurgeProtection
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [switch]
        $EnablePurgeProtection,

        [Parameter()]
        [bool]
        $DisableRbacAuthorization,

        [Parameter()]
        [ValidateSet('Enabled', 'Disabled')]
        [string]
        $PublicNetworkAccess
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'EnablePurgeProtection', 'DisableRbacAuthorization', 'PublicNetworkAccess')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Update-AzKeyVault' }), 'Update-AzKeyVault')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Update-AzKeyVault' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}

function Update-AzKeyVaultKey {
    <#
    .SYNOPSIS
    Enables or disables a key version, or changes its expiry, activation date, operations or tags.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .PARAMETER Version
    The version to change. Default: the current one.
    .PARAMETER Enable
    $true to enable, $false to disable.
    .PARAMETER Expires
    When the version expires (UTC).
    .PARAMETER NotBefore
    When the version becomes usable (UTC).
    .PARAMETER KeyOps
    Operations the version allows. Allowed values: encrypt, decrypt, sign, verify, wrapKey, unwrapKey, import.
    .PARAMETER Tag
    Tags, replacing the current ones.
    .PARAMETER PassThru
    Output the key.
    .EXAMPLE
    Update-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk -Enable $false
    .OUTPUTS
    PpCmk.KeyVaultKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultKey')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $HsmName,

        [Parameter(Mandatory = $true, Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Position = 2)]
        [Alias('KeyVersion')]
        [string]
        $Version,

        [Parameter()]
        [bool]
        $Enable,

        [Parameter()]
        [datetime]
        $Expires,

        [Parameter()]
        [datetime]
        $NotBefore,

        [Parameter()]
        [ValidateSet('encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey', 'import')]
        [string[]]
        $KeyOps,

        [Parameter()]
        [object]
        $Tag,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'HsmName', 'Name', 'Version', 'Enable', 'Expires', 'NotBefore', 'KeyOps', 'Tag', 'PassThru')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Update-AzKeyVaultKey' }), 'Update-AzKeyVaultKey')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Update-AzKeyVaultKey' -Parameters $request -TypeName 'PpCmk.KeyVaultKey'
        }
    }
}

function Update-AzKeyVaultNetworkRuleSet {
    <#
    .SYNOPSIS
    Sets a vault's firewall: default action, trusted-services bypass, allowed IP ranges.
    .PARAMETER VaultName
    The key vault's name.
    .PARAMETER ResourceGroupName
    The vault's resource group.
    .PARAMETER DefaultAction
    What happens to traffic no rule allows. Allowed values: Allow, Deny.
    .PARAMETER Bypass
    AzureServices lets trusted Microsoft services (Power Platform) through. Allowed values: AzureServices, None.
    .PARAMETER IpAddressRange
    Allowed IPv4 addresses or CIDR ranges (replaces the list).
    .PARAMETER PassThru
    Output the vault after the change.
    .EXAMPLE
    Update-AzKeyVaultNetworkRuleSet -VaultName contoso-cmk-kv -DefaultAction Deny -Bypass AzureServices
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVault')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [ValidateSet('Allow', 'Deny')]
        [string]
        $DefaultAction,

        [Parameter()]
        [ValidateSet('AzureServices', 'None')]
        [string]
        $Bypass,

        [Parameter()]
        [string[]]
        $IpAddressRange,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        $request = ConvertTo-PpCmkParameters -Bound $PSBoundParameters -Names @('VaultName', 'ResourceGroupName', 'DefaultAction', 'Bypass', 'IpAddressRange', 'PassThru')
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Update-AzKeyVaultNetworkRuleSet' }), 'Update-AzKeyVaultNetworkRuleSet')) {
            Invoke-PpCmkCommand -Cmdlet $PSCmdlet -Command 'Update-AzKeyVaultNetworkRuleSet' -Parameters $request -TypeName 'PpCmk.KeyVault'
        }
    }
}
