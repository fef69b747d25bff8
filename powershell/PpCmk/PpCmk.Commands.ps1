# Generated from the ppcmk command registry by `PPCMK_BLESS=1 cargo test`. Do not edit:
# change the registry (src/commands/) and regenerate. Dot-sourced by PpCmk.psm1.
Set-StrictMode -Version 3.0

# Error codes of malformed calls: raised as terminating errors, as parameter binding errors are.
$script:PpCmkUsageErrorCodes = @('CommandNotFound', 'ParameterNotFound', 'AmbiguousParameter', 'ParameterAlreadyBound', 'MissingMandatoryParameter', 'ParameterBindingFailed', 'ParameterValidationFailed', 'ParameterSetConflict', 'InvalidRequest')

# The exported commands.
$script:PpCmkCommandNames = @(
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
