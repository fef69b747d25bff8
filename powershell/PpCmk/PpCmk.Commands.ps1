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
    'Add-PpCmkEnvironmentToEnterprisePolicy',
    'Add-PpCmkKeyVaultPrivateEndpoint',
    'Add-PpCmkLicense',
    'Add-PpCmkSecurityRoleMember',
    'Backup-PowerAppEnvironment',
    'Connect-AzAccount',
    'Copy-PowerAppEnvironment',
    'Copy-PpCmkFlow',
    'Disable-PpCmkManagedEnvironment',
    'Disconnect-AzAccount',
    'Enable-PpCmkManagedEnvironment',
    'Export-AzKeyVaultSecurityDomain',
    'Export-PpCmkFlowRunHistory',
    'Export-PpCmkReport',
    'Get-AdminFlow',
    'Get-AdminFlowEncryptedByMicrosoftKey',
    'Get-AdminFlowEnvironmentCmkStatus',
    'Get-AdminPowerAppEnvironment',
    'Get-AzADServicePrincipal',
    'Get-AzADUser',
    'Get-AzContext',
    'Get-AzKeyVault',
    'Get-AzKeyVaultKey',
    'Get-AzKeyVaultKeyRotationPolicy',
    'Get-AzKeyVaultManagedHsm',
    'Get-AzKeyVaultRoleAssignment',
    'Get-AzKeyVaultSecret',
    'Get-AzResource',
    'Get-AzResourceGroup',
    'Get-AzResourceProvider',
    'Get-AzRoleAssignment',
    'Get-AzRoleDefinition',
    'Get-DlpPolicy',
    'Get-FlowRun',
    'Get-PowerAppEnvironmentBackups',
    'Get-PpCmkAuditLog',
    'Get-PpCmkAuditSetting',
    'Get-PpCmkClock',
    'Get-PpCmkConnection',
    'Get-PpCmkCredential',
    'Get-PpCmkDesktopFlowComponent',
    'Get-PpCmkDesktopFlowConnection',
    'Get-PpCmkDirectoryRoleMember',
    'Get-PpCmkEncryptionReport',
    'Get-PpCmkEnterprisePolicy',
    'Get-PpCmkEnvironmentDataStore',
    'Get-PpCmkEnvironmentSetting',
    'Get-PpCmkEnvironmentWithPolicy',
    'Get-PpCmkFault',
    'Get-PpCmkFirewallAllowList',
    'Get-PpCmkFlowPermission',
    'Get-PpCmkFlowRunSummary',
    'Get-PpCmkHostedMachineGroup',
    'Get-PpCmkLicense',
    'Get-PpCmkMachine',
    'Get-PpCmkOperation',
    'Get-PpCmkRecord',
    'Get-PpCmkRolloutPlan',
    'Get-PpCmkSecurityRoleMember',
    'Get-PpCmkTenantByokKey',
    'Get-PpCmkTenantSetting',
    'Grant-PpCmkCredentialAccess',
    'Grant-PpCmkDesktopFlowComponentAccess',
    'Import-PpCmkTenantSnapshot',
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
    'New-DlpPolicy',
    'New-PpCmkConnection',
    'New-PpCmkCredential',
    'New-PpCmkDesktopFlowComponent',
    'New-PpCmkDesktopFlowConnection',
    'New-PpCmkEnterprisePolicy',
    'New-PpCmkFlow',
    'New-PpCmkHostedMachineGroup',
    'New-PpCmkRecord',
    'New-PpCmkSampleData',
    'Register-AzResourceProvider',
    'Register-PpCmkAppFlowReference',
    'Register-PpCmkMachine',
    'Remove-AdminFlow',
    'Remove-AdminPowerAppEnvironment',
    'Remove-AzKeyVault',
    'Remove-AzKeyVaultAccessPolicy',
    'Remove-AzKeyVaultKey',
    'Remove-AzKeyVaultRoleAssignment',
    'Remove-AzKeyVaultSecret',
    'Remove-AzResource',
    'Remove-AzResourceGroup',
    'Remove-AzRoleAssignment',
    'Remove-DlpPolicy',
    'Remove-PowerAppsAccount',
    'Remove-PpCmkConnection',
    'Remove-PpCmkCredential',
    'Remove-PpCmkDesktopFlowConnection',
    'Remove-PpCmkDirectoryRoleMember',
    'Remove-PpCmkEnterprisePolicy',
    'Remove-PpCmkEnvironmentFromEnterprisePolicy',
    'Remove-PpCmkFlowPermission',
    'Remove-PpCmkKeyVaultPrivateEndpoint',
    'Remove-PpCmkRecord',
    'Remove-PpCmkSecurityRoleMember',
    'Remove-PpCmkTenantByokKey',
    'Request-PpCmkFlowProtection',
    'Reset-PowerAppEnvironment',
    'Restore-PowerAppEnvironment',
    'Resume-PpCmkOperation',
    'Set-AdminPowerAppEnvironmentGovernanceConfiguration',
    'Set-AzKeyVaultAccessPolicy',
    'Set-AzKeyVaultKeyRotationPolicy',
    'Set-AzKeyVaultSecret',
    'Set-DlpPolicy',
    'Set-PowerAppProtectionStatus',
    'Set-PpCmkAuditSetting',
    'Set-PpCmkClock',
    'Set-PpCmkCredential',
    'Set-PpCmkDlpActionRule',
    'Set-PpCmkDlpConnectorClassification',
    'Set-PpCmkEnterprisePolicy',
    'Set-PpCmkEnvironmentService',
    'Set-PpCmkEnvironmentSetting',
    'Set-PpCmkFault',
    'Set-PpCmkFirewallAllowList',
    'Set-PpCmkFlow',
    'Set-PpCmkFlowPermission',
    'Set-PpCmkMachineMapping',
    'Set-PpCmkTenantByokKey',
    'Set-PpCmkTenantSetting',
    'Start-PpCmkFlowRun',
    'Switch-PpCmkEnvironmentEnterprisePolicy',
    'Test-PpCmkAuditLog',
    'Test-PpCmkDesktopFlow',
    'Test-PpCmkKeyVaultForCmk',
    'Test-PpCmkKeyVersionInUse',
    'Test-PpCmkReadiness',
    'Undo-AzKeyVaultKeyRemoval',
    'Undo-AzKeyVaultRemoval',
    'Undo-AzKeyVaultSecretRemoval',
    'Update-AzADUser',
    'Update-AzKeyVault',
    'Update-AzKeyVaultKey',
    'Update-AzKeyVaultNetworkRuleSet',
    'Update-PpCmkHostedMachineGroup'
)

# The commands whose parameters complete from the store (argument completers in PpCmk.psm1).
$script:PpCmkCompletedParameters = @{
    EnvironmentName = @('Add-PpCmkEnvironmentToEnterprisePolicy', 'Add-PpCmkSecurityRoleMember', 'Backup-PowerAppEnvironment', 'Copy-PpCmkFlow', 'Disable-PpCmkManagedEnvironment', 'Enable-PpCmkManagedEnvironment', 'Export-PpCmkFlowRunHistory', 'Export-PpCmkReport', 'Get-AdminFlow', 'Get-AdminFlowEncryptedByMicrosoftKey', 'Get-AdminFlowEnvironmentCmkStatus', 'Get-AdminPowerAppEnvironment', 'Get-FlowRun', 'Get-PowerAppEnvironmentBackups', 'Get-PpCmkAuditLog', 'Get-PpCmkAuditSetting', 'Get-PpCmkConnection', 'Get-PpCmkCredential', 'Get-PpCmkDesktopFlowComponent', 'Get-PpCmkDesktopFlowConnection', 'Get-PpCmkEncryptionReport', 'Get-PpCmkEnvironmentDataStore', 'Get-PpCmkEnvironmentSetting', 'Get-PpCmkFirewallAllowList', 'Get-PpCmkFlowPermission', 'Get-PpCmkFlowRunSummary', 'Get-PpCmkHostedMachineGroup', 'Get-PpCmkMachine', 'Get-PpCmkOperation', 'Get-PpCmkRecord', 'Get-PpCmkRolloutPlan', 'Get-PpCmkSecurityRoleMember', 'Grant-PpCmkCredentialAccess', 'Grant-PpCmkDesktopFlowComponentAccess', 'New-PpCmkConnection', 'New-PpCmkCredential', 'New-PpCmkDesktopFlowComponent', 'New-PpCmkDesktopFlowConnection', 'New-PpCmkFlow', 'New-PpCmkHostedMachineGroup', 'New-PpCmkRecord', 'New-PpCmkSampleData', 'Register-PpCmkAppFlowReference', 'Register-PpCmkMachine', 'Remove-AdminFlow', 'Remove-AdminPowerAppEnvironment', 'Remove-PpCmkConnection', 'Remove-PpCmkCredential', 'Remove-PpCmkDesktopFlowConnection', 'Remove-PpCmkEnvironmentFromEnterprisePolicy', 'Remove-PpCmkFlowPermission', 'Remove-PpCmkRecord', 'Remove-PpCmkSecurityRoleMember', 'Request-PpCmkFlowProtection', 'Reset-PowerAppEnvironment', 'Set-AdminPowerAppEnvironmentGovernanceConfiguration', 'Set-PowerAppProtectionStatus', 'Set-PpCmkAuditSetting', 'Set-PpCmkCredential', 'Set-PpCmkEnvironmentService', 'Set-PpCmkEnvironmentSetting', 'Set-PpCmkFirewallAllowList', 'Set-PpCmkFlow', 'Set-PpCmkFlowPermission', 'Set-PpCmkMachineMapping', 'Start-PpCmkFlowRun', 'Switch-PpCmkEnvironmentEnterprisePolicy', 'Test-PpCmkDesktopFlow', 'Test-PpCmkReadiness', 'Update-PpCmkHostedMachineGroup')
    VaultName = @('Add-AzKeyVaultKey', 'Add-AzKeyVaultNetworkRule', 'Add-PpCmkKeyVaultPrivateEndpoint', 'Get-AzKeyVault', 'Get-AzKeyVaultKey', 'Get-AzKeyVaultKeyRotationPolicy', 'Get-AzKeyVaultSecret', 'Get-PpCmkFault', 'Invoke-AzKeyVaultKeyOperation', 'Invoke-AzKeyVaultKeyRotation', 'New-PpCmkCredential', 'Remove-AzKeyVault', 'Remove-AzKeyVaultAccessPolicy', 'Remove-AzKeyVaultKey', 'Remove-AzKeyVaultSecret', 'Remove-PpCmkKeyVaultPrivateEndpoint', 'Set-AzKeyVaultAccessPolicy', 'Set-AzKeyVaultKeyRotationPolicy', 'Set-AzKeyVaultSecret', 'Set-PpCmkCredential', 'Set-PpCmkFault', 'Test-PpCmkKeyVersionInUse', 'Undo-AzKeyVaultKeyRemoval', 'Undo-AzKeyVaultRemoval', 'Undo-AzKeyVaultSecretRemoval', 'Update-AzKeyVault', 'Update-AzKeyVaultKey', 'Update-AzKeyVaultNetworkRuleSet')
    PolicyArmId = @('Add-PpCmkEnvironmentToEnterprisePolicy', 'Get-PpCmkEnvironmentWithPolicy', 'Get-PpCmkRolloutPlan', 'Remove-PpCmkEnvironmentFromEnterprisePolicy', 'Switch-PpCmkEnvironmentEnterprisePolicy', 'Test-PpCmkReadiness')
    KeyName = @('Add-AzKeyVaultKey', 'Get-AzKeyVaultKey', 'Get-AzKeyVaultKeyRotationPolicy', 'Invoke-AzKeyVaultKeyOperation', 'Invoke-AzKeyVaultKeyRotation', 'Remove-AzKeyVaultKey', 'Set-AzKeyVaultKeyRotationPolicy', 'Undo-AzKeyVaultKeyRemoval', 'Update-AzKeyVaultKey')
}

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
    Import this RSA private key file: PEM (PKCS#1, PKCS#8, encrypted PKCS#8), DER, or a JSON Web Key (kty RSA or RSA-HSM, as Key Vault imports it).
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Add-AzKeyVaultKey' }), 'Add-AzKeyVaultKey')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-AzKeyVaultKey', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name', 'Destination', 'KeyType', 'Size', 'KeyOps', 'Expires', 'NotBefore', 'Disable', 'Tag', 'KeyFilePath', 'KeyFilePassword'), [string[]] @('KeyFilePath'), 'PpCmk.KeyVaultKey', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Add-AzKeyVaultNetworkRule' }), 'Add-AzKeyVaultNetworkRule')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-AzKeyVaultNetworkRule', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'IpAddressRange', 'PassThru'), [string[]] @(), 'PpCmk.KeyVault', $null)
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
        if ($PSCmdlet.ShouldProcess('Add-PowerAppsAccount', 'Add-PowerAppsAccount')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-PowerAppsAccount', $PSBoundParameters, [string[]] @('Username', 'Password', 'TenantID', 'Endpoint'), [string[]] @(), 'PpCmk.AzureContext', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('RoleName')) { $RoleName } else { 'Add-PpCmkDirectoryRoleMember' }), 'Add-PpCmkDirectoryRoleMember')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-PpCmkDirectoryRoleMember', $PSBoundParameters, [string[]] @('RoleName', 'UserPrincipalName'), [string[]] @(), 'PpCmk.DirectoryRoleMember', $null)
        }
    }
}

function Add-PpCmkEnvironmentToEnterprisePolicy {
    <#
    .SYNOPSIS
    Adds managed environments to an enterprise policy: they are disabled while their data is re-encrypted under the customer key.
    .PARAMETER EnvironmentName
    The environments' ids.
    .PARAMETER PolicyArmId
    The enterprise policy's ARM resource id.
    .PARAMETER NoWait
    Queue the operations (NotStarted) and return; Resume-PpCmkOperation or Invoke-PpCmkMaintenance runs them.
    .EXAMPLE
    Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy
    .OUTPUTS
    PpCmk.Operation
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Operation')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('EnvironmentId')]
        [ValidateNotNullOrEmpty()]
        [string[]]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [Alias('EnterprisePolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyArmId,

        [Parameter()]
        [switch]
        $NoWait
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('PolicyArmId')) { $PolicyArmId } else { 'Add-PpCmkEnvironmentToEnterprisePolicy' }), 'Add-PpCmkEnvironmentToEnterprisePolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-PpCmkEnvironmentToEnterprisePolicy', $PSBoundParameters, [string[]] @('EnvironmentName', 'PolicyArmId', 'NoWait'), [string[]] @(), 'PpCmk.Operation', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Add-PpCmkKeyVaultPrivateEndpoint' }), 'Add-PpCmkKeyVaultPrivateEndpoint')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-PpCmkKeyVaultPrivateEndpoint', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'EndpointName'), [string[]] @(), 'PpCmk.KeyVault', $null)
        }
    }
}

function Add-PpCmkLicense {
    <#
    .SYNOPSIS
    Adds seats of a subscription to the tenant (Global Administrator). Using a customer-managed key requires users to have one of the subscriptions the documentation lists (Microsoft 365 or Office 365 A5/E5/G5, or an A5/E5/F5/G5 Compliance, F5 Security & Compliance, Information Protection and Governance or Insider Risk Management one).
    .PARAMETER Sku
    The subscription, as the documentation names it, e.g. 'Microsoft 365 E5'. Allowed values: Microsoft 365 A5, Microsoft 365 E5, Microsoft 365 G5, Office 365 A5, Office 365 E5, Office 365 G5, Microsoft 365 A5 Compliance, Microsoft 365 E5 Compliance, Microsoft 365 F5 Compliance, Microsoft 365 G5 Compliance, Microsoft 365 F5 Security & Compliance, Microsoft 365 A5 Information Protection and Governance, Microsoft 365 E5 Information Protection and Governance, Microsoft 365 F5 Information Protection and Governance, Microsoft 365 G5 Information Protection and Governance, Microsoft 365 A5 Insider Risk Management, Microsoft 365 E5 Insider Risk Management, Microsoft 365 F5 Insider Risk Management, Microsoft 365 G5 Insider Risk Management, Microsoft 365 E3, Office 365 E3, Microsoft 365 F3, Power Apps Premium, Power Automate Premium.
    .PARAMETER Units
    Seats to add.
    .EXAMPLE
    Add-PpCmkLicense -Sku 'Microsoft 365 E5' -Units 25
    .OUTPUTS
    PpCmk.License
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.License')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('Microsoft 365 A5', 'Microsoft 365 E5', 'Microsoft 365 G5', 'Office 365 A5', 'Office 365 E5', 'Office 365 G5', 'Microsoft 365 A5 Compliance', 'Microsoft 365 E5 Compliance', 'Microsoft 365 F5 Compliance', 'Microsoft 365 G5 Compliance', 'Microsoft 365 F5 Security & Compliance', 'Microsoft 365 A5 Information Protection and Governance', 'Microsoft 365 E5 Information Protection and Governance', 'Microsoft 365 F5 Information Protection and Governance', 'Microsoft 365 G5 Information Protection and Governance', 'Microsoft 365 A5 Insider Risk Management', 'Microsoft 365 E5 Insider Risk Management', 'Microsoft 365 F5 Insider Risk Management', 'Microsoft 365 G5 Insider Risk Management', 'Microsoft 365 E3', 'Office 365 E3', 'Microsoft 365 F3', 'Power Apps Premium', 'Power Automate Premium')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Sku,

        [Parameter()]
        [ValidateRange(1, 1000000)]
        [long]
        $Units
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Sku')) { $Sku } else { 'Add-PpCmkLicense' }), 'Add-PpCmkLicense')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-PpCmkLicense', $PSBoundParameters, [string[]] @('Sku', 'Units'), [string[]] @(), 'PpCmk.License', $null)
        }
    }
}

function Add-PpCmkSecurityRoleMember {
    <#
    .SYNOPSIS
    Gives a user a Dataverse security role in an environment (administrators); System Administrator and System Customizer read all Process records, so they co-own every desktop flow.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER RoleName
    The security role. Allowed values: System Administrator, System Customizer, Environment Maker, Basic User.
    .PARAMETER UserPrincipalName
    The user.
    .EXAMPLE
    Add-PpCmkSecurityRoleMember -EnvironmentName 00000000-0000-0000-0000-000000000000 -RoleName 'Basic User' -UserPrincipalName maker@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.SecurityRoleMember
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.SecurityRoleMember')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateSet('System Administrator', 'System Customizer', 'Environment Maker', 'Basic User')]
        [ValidateNotNullOrEmpty()]
        [string]
        $RoleName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Add-PpCmkSecurityRoleMember' }), 'Add-PpCmkSecurityRoleMember')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Add-PpCmkSecurityRoleMember', $PSBoundParameters, [string[]] @('EnvironmentName', 'RoleName', 'UserPrincipalName'), [string[]] @(), 'PpCmk.SecurityRoleMember', $null)
        }
    }
}

function Backup-PowerAppEnvironment {
    <#
    .SYNOPSIS
    Takes a backup: the environment's records, sealed as they are under its current keys.
    .PARAMETER EnvironmentName
    The environment's id.
    .PARAMETER Label
    The backup's label.
    .EXAMPLE
    Backup-PowerAppEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000 -Label 'before CMK'
    .OUTPUTS
    PpCmk.EnvironmentBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.EnvironmentBackup')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Label
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Backup-PowerAppEnvironment' }), 'Backup-PowerAppEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Backup-PowerAppEnvironment', $PSBoundParameters, [string[]] @('EnvironmentName', 'Label'), [string[]] @(), 'PpCmk.EnvironmentBackup', $null)
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
        if ($PSCmdlet.ShouldProcess('Connect-AzAccount', 'Connect-AzAccount')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Connect-AzAccount', $PSBoundParameters, [string[]] @('AccountId', 'Tenant', 'Subscription'), [string[]] @(), 'PpCmk.AzureContext', $null)
        }
    }
}

function Copy-PowerAppEnvironment {
    <#
    .SYNOPSIS
    Copies an environment's data over another one; with a customer-managed key, only to one encrypted with the same key.
    .PARAMETER SourceEnvironmentName
    The environment to copy.
    .PARAMETER TargetEnvironmentName
    The environment to overwrite.
    .EXAMPLE
    Copy-PowerAppEnvironment -SourceEnvironmentName 00000000-0000-0000-0000-000000000000 -TargetEnvironmentName 11111111-1111-1111-1111-111111111111
    .OUTPUTS
    PpCmk.DatabaseOperation
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DatabaseOperation')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $SourceEnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $TargetEnvironmentName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('SourceEnvironmentName')) { $SourceEnvironmentName } else { 'Copy-PowerAppEnvironment' }), 'Copy-PowerAppEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Copy-PowerAppEnvironment', $PSBoundParameters, [string[]] @('SourceEnvironmentName', 'TargetEnvironmentName'), [string[]] @(), 'PpCmk.DatabaseOperation', $null)
        }
    }
}

function Copy-PpCmkFlow {
    <#
    .SYNOPSIS
    Save As: copies a flow to a new flow (new FlowName, new URL) under the environment's current key; the original stays as it was.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .PARAMETER DisplayName
    The copy's display name (default: 'Copy of ...').
    .EXAMPLE
    Copy-PpCmkFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111
    .OUTPUTS
    PpCmk.Flow
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Flow')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter()]
        [string]
        $DisplayName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Copy-PpCmkFlow' }), 'Copy-PpCmkFlow')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Copy-PpCmkFlow', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'DisplayName'), [string[]] @(), 'PpCmk.Flow', $null)
        }
    }
}

function Disable-PpCmkManagedEnvironment {
    <#
    .SYNOPSIS
    Turns Managed Environments off (protectionLevel Basic); refused while a customer-managed key protects it.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Disable-PpCmkManagedEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Environment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Environment')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Disable-PpCmkManagedEnvironment' }), 'Disable-PpCmkManagedEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Disable-PpCmkManagedEnvironment', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.Environment', $null)
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
        if ($PSCmdlet.ShouldProcess('Disconnect-AzAccount', 'Disconnect-AzAccount')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Disconnect-AzAccount', $PSBoundParameters, [string[]] @(), [string[]] @(), '', $null)
        }
    }
}

function Enable-PpCmkManagedEnvironment {
    <#
    .SYNOPSIS
    Turns Managed Environments on for an environment (protectionLevel Standard).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Enable-PpCmkManagedEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Environment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Environment')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Enable-PpCmkManagedEnvironment' }), 'Enable-PpCmkManagedEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Enable-PpCmkManagedEnvironment', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.Environment', $null)
        }
    }
}

function Export-AzKeyVaultSecurityDomain {
    <#
    .SYNOPSIS
    Downloads a managed HSM's security domain, which activates it: until then the HSM is not usable. The domain is encrypted to 3-10 RSA public keys (certificates); -Quorum of their private keys are needed to decrypt it.
    .PARAMETER Name
    The managed HSM.
    .PARAMETER Certificates
    Paths to 3 to 10 X.509 certificates (PEM or DER) whose RSA public keys encrypt the security domain.
    .PARAMETER Quorum
    How many of the private keys are needed to decrypt the security domain.
    .PARAMETER OutputPath
    Where to write the security domain (JSON).
    .PARAMETER Force
    Overwrite the output file if it exists.
    .EXAMPLE
    Export-AzKeyVaultSecurityDomain -Name contoso-hsm -Certificates sd1.cer,sd2.cer,sd3.cer -Quorum 2 -OutputPath sd.ps.json
    .OUTPUTS
    PpCmk.ManagedHsm
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.ManagedHsm')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]]
        $Certificates,

        [Parameter(Mandatory = $true)]
        [ValidateRange(2, 10)]
        [long]
        $Quorum,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $OutputPath,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Export-AzKeyVaultSecurityDomain' }), 'Export-AzKeyVaultSecurityDomain')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Export-AzKeyVaultSecurityDomain', $PSBoundParameters, [string[]] @('Name', 'Certificates', 'Quorum', 'OutputPath', 'Force'), [string[]] @('Certificates', 'OutputPath'), 'PpCmk.ManagedHsm', $null)
        }
    }
}

function Export-PpCmkFlowRunHistory {
    <#
    .SYNOPSIS
    The All-runs CSV export: runs before and after the key change with trigger inputs and action outputs, at most 100, newest first; written atomically.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .PARAMETER Path
    The CSV file to write (replaced if it exists).
    .EXAMPLE
    Export-PpCmkFlowRunHistory -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -Path runs.csv
    .OUTPUTS
    PpCmk.FlowRunExport
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.FlowRunExport')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Path
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Export-PpCmkFlowRunHistory', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'Path'), [string[]] @('Path'), 'PpCmk.FlowRunExport', $null)
    }
}

function Export-PpCmkReport {
    <#
    .SYNOPSIS
    Writes one self-contained HTML page for a change ticket or an auditor: environments by state and key owner, records by key version, key versions with their 28- and 30-day windows, flows on the Microsoft key, pre-flight, post-flight, the rollout plan and the audit chain's verdict.
    .PARAMETER Path
    The HTML file to write (replaced if it exists).
    .PARAMETER EnvironmentName
    Only these environments (default: every environment).
    .EXAMPLE
    Export-PpCmkReport -Path cmk-report.html
    .OUTPUTS
    PpCmk.ReportFile
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.ReportFile')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Path,

        [Parameter()]
        [Alias('EnvironmentId')]
        [string[]]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Export-PpCmkReport', $PSBoundParameters, [string[]] @('Path', 'EnvironmentName'), [string[]] @('Path'), 'PpCmk.ReportFile', $null)
    }
}

function Get-AdminFlow {
    <#
    .SYNOPSIS
    Gets flows with their trigger, solution membership and the key that protects them.
    .PARAMETER EnvironmentName
    One environment (default: every environment).
    .PARAMETER FlowName
    One flow.
    .PARAMETER Filter
    Display names matching this pattern (* wildcards).
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .EXAMPLE
    Get-AdminFlow -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Flow
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Flow')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $EnvironmentName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $FlowName,

        [Parameter(Position = 0)]
        [string]
        $Filter,

        [Parameter()]
        [string]
        $ApiVersion
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AdminFlow', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'Filter', 'ApiVersion'), [string[]] @(), 'PpCmk.Flow', $null)
    }
}

function Get-AdminFlowEncryptedByMicrosoftKey {
    <#
    .SYNOPSIS
    Lists Power Automate flows that are encrypted by a Microsoft key; with -ListCannotMigrateToCustomerManagedKey only those that can't move to the customer key automatically.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER ListCannotMigrateToCustomerManagedKey
    Only the flows that can't be migrated to the customer-managed key automatically.
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .EXAMPLE
    Get-AdminFlowEncryptedByMicrosoftKey -EnvironmentName 00000000-0000-0000-0000-000000000000 -ListCannotMigrateToCustomerManagedKey
    .OUTPUTS
    PpCmk.FlowEncryptedByMicrosoftKey
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.FlowEncryptedByMicrosoftKey')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [switch]
        $ListCannotMigrateToCustomerManagedKey,

        [Parameter()]
        [string]
        $ApiVersion
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AdminFlowEncryptedByMicrosoftKey', $PSBoundParameters, [string[]] @('EnvironmentName', 'ListCannotMigrateToCustomerManagedKey', 'ApiVersion'), [string[]] @(), 'PpCmk.FlowEncryptedByMicrosoftKey', $null)
    }
}

function Get-AdminFlowEnvironmentCmkStatus {
    <#
    .SYNOPSIS
    Gets the environment's Power Automate customer-managed key status: flows on each key and flows that can't migrate.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .EXAMPLE
    Get-AdminFlowEnvironmentCmkStatus -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.FlowEnvironmentCmkStatus
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.FlowEnvironmentCmkStatus')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string]
        $ApiVersion
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AdminFlowEnvironmentCmkStatus', $PSBoundParameters, [string[]] @('EnvironmentName', 'ApiVersion'), [string[]] @(), 'PpCmk.FlowEnvironmentCmkStatus', $null)
    }
}

function Get-AdminPowerAppEnvironment {
    <#
    .SYNOPSIS
    Gets environments with their type, region, state and encryption (administrators).
    .PARAMETER EnvironmentName
    One environment.
    .PARAMETER Default
    The tenant's default environment.
    .PARAMETER Filter
    Display names matching this pattern (* wildcards).
    .EXAMPLE
    Get-AdminPowerAppEnvironment -Default
    .OUTPUTS
    PpCmk.Environment
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Environment')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $EnvironmentName,

        [Parameter()]
        [switch]
        $Default,

        [Parameter(Position = 0)]
        [string]
        $Filter
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AdminPowerAppEnvironment', $PSBoundParameters, [string[]] @('EnvironmentName', 'Default', 'Filter'), [string[]] @(), 'PpCmk.Environment', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzADServicePrincipal', $PSBoundParameters, [string[]] @('ObjectId', 'DisplayName', 'SearchString', 'ApplicationId'), [string[]] @(), 'PpCmk.ADServicePrincipal', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzADUser', $PSBoundParameters, [string[]] @('UserPrincipalName', 'ObjectId', 'DisplayName', 'StartsWith'), [string[]] @(), 'PpCmk.ADUser', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzContext', $PSBoundParameters, [string[]] @(), [string[]] @(), 'PpCmk.AzureContext', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzKeyVault', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'InRemovedState', 'Location'), [string[]] @(), 'PpCmk.KeyVault', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzKeyVaultKey', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name', 'Version', 'IncludeVersions', 'InRemovedState'), [string[]] @(), 'PpCmk.KeyVaultKey', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzKeyVaultKeyRotationPolicy', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name'), [string[]] @(), 'PpCmk.KeyRotationPolicy', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzKeyVaultManagedHsm', $PSBoundParameters, [string[]] @('Name', 'ResourceGroupName'), [string[]] @(), 'PpCmk.ManagedHsm', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzKeyVaultRoleAssignment', $PSBoundParameters, [string[]] @('HsmName', 'RoleDefinitionName', 'ObjectId'), [string[]] @(), 'PpCmk.KeyVaultRoleAssignment', $null)
    }
}

function Get-AzKeyVaultSecret {
    <#
    .SYNOPSIS
    Gets secrets (metadata), one secret's versions, deleted secrets, or with -AsPlainText one value (needs secrets get: Key Vault Secrets User).
    .PARAMETER VaultName
    The key vault.
    .PARAMETER Name
    One secret.
    .PARAMETER Version
    One version.
    .PARAMETER IncludeVersions
    Every version of the secret.
    .PARAMETER InRemovedState
    Soft-deleted secrets.
    .PARAMETER AsPlainText
    Return the value alone, as text (requires -Name).
    .EXAMPLE
    Get-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -AsPlainText
    .OUTPUTS
    PpCmk.KeyVaultSecret
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyVaultSecret')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('SecretName')]
        [string]
        $Name,

        [Parameter()]
        [string]
        $Version,

        [Parameter()]
        [switch]
        $IncludeVersions,

        [Parameter()]
        [switch]
        $InRemovedState,

        [Parameter()]
        [switch]
        $AsPlainText
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzKeyVaultSecret', $PSBoundParameters, [string[]] @('VaultName', 'Name', 'Version', 'IncludeVersions', 'InRemovedState', 'AsPlainText'), [string[]] @(), 'PpCmk.KeyVaultSecret', 'AsPlainText=SecretValueText')
    }
}

function Get-AzResource {
    <#
    .SYNOPSIS
    Gets ARM resources the caller can read (key vaults, keys, managed HSMs, enterprise policies), with properties.
    .PARAMETER ResourceType
    e.g. Microsoft.PowerPlatform/enterprisePolicies.
    .PARAMETER ResourceGroupName
    Only this resource group.
    .PARAMETER Name
    Only resources of this name.
    .PARAMETER ResourceId
    One resource.
    .PARAMETER ExpandProperties
    Accepted for compatibility; properties are always included.
    .EXAMPLE
    Get-AzResource -ResourceType Microsoft.PowerPlatform/enterprisePolicies
    .OUTPUTS
    PpCmk.Resource
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Resource')]
    param(
        [Parameter()]
        [string]
        $ResourceType,

        [Parameter()]
        [string]
        $ResourceGroupName,

        [Parameter()]
        [Alias('ResourceName')]
        [string]
        $Name,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id')]
        [string]
        $ResourceId,

        [Parameter()]
        [switch]
        $ExpandProperties
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzResource', $PSBoundParameters, [string[]] @('ResourceType', 'ResourceGroupName', 'Name', 'ResourceId', 'ExpandProperties'), [string[]] @(), 'PpCmk.Resource', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzResourceGroup', $PSBoundParameters, [string[]] @('Name'), [string[]] @(), 'PpCmk.ResourceGroup', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzResourceProvider', $PSBoundParameters, [string[]] @('ProviderNamespace', 'ListAvailable'), [string[]] @(), 'PpCmk.ResourceProvider', $null)
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

        [Parameter(ValueFromPipelineByPropertyName = $true)]
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzRoleAssignment', $PSBoundParameters, [string[]] @('ObjectId', 'SignInName', 'ApplicationId', 'RoleDefinitionName', 'RoleDefinitionId', 'Scope', 'ResourceGroupName', 'ResourceName', 'ResourceType', 'ParentResource'), [string[]] @(), 'PpCmk.RoleAssignment', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-AzRoleDefinition', $PSBoundParameters, [string[]] @('Name', 'Id'), [string[]] @(), 'PpCmk.RoleDefinition', $null)
    }
}

function Get-DlpPolicy {
    <#
    .SYNOPSIS
    Gets data loss prevention policies.
    .PARAMETER PolicyName
    One policy (name or display name).
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .EXAMPLE
    Get-DlpPolicy
    .OUTPUTS
    PpCmk.DlpPolicy
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.DlpPolicy')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $PolicyName,

        [Parameter()]
        [string]
        $ApiVersion
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-DlpPolicy', $PSBoundParameters, [string[]] @('PolicyName', 'ApiVersion'), [string[]] @(), 'PpCmk.DlpPolicy', $null)
    }
}

function Get-FlowRun {
    <#
    .SYNOPSIS
    Gets a flow's run history as its Details page shows it: after a key change, only the runs since.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .EXAMPLE
    Get-FlowRun -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111
    .OUTPUTS
    PpCmk.FlowRun
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.FlowRun')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter()]
        [string]
        $ApiVersion
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-FlowRun', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'ApiVersion'), [string[]] @(), 'PpCmk.FlowRun', $null)
    }
}

function Get-PowerAppEnvironmentBackups {
    <#
    .SYNOPSIS
    Lists an environment's backups with the key that protects each.
    .PARAMETER EnvironmentName
    The environment's id.
    .EXAMPLE
    Get-PowerAppEnvironmentBackups -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.EnvironmentBackup
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.EnvironmentBackup')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PowerAppEnvironmentBackups', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.EnvironmentBackup', $null)
    }
}

function Get-PpCmkAuditLog {
    <#
    .SYNOPSIS
    Lists audit log entries: every state change, every refused authorisation, and reads of audited tables (Global Administrator; with -EnvironmentName, its administrators too).
    .PARAMETER Since
    Only entries at or after this time (store clock, UTC).
    .PARAMETER Principal
    Only entries by this principal (UPN, display name or object id).
    .PARAMETER Last
    Only the newest n entries.
    .PARAMETER EnvironmentName
    Only entries about this environment.
    .PARAMETER Table
    Only entries about this Dataverse table. Allowed values: Process, WorkQueue, WorkQueueItem, Credential, DesktopFlowModule, ConnectionReference.
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
        $Last,

        [Parameter()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [ValidateSet('Process', 'WorkQueue', 'WorkQueueItem', 'Credential', 'DesktopFlowModule', 'ConnectionReference')]
        [string]
        $Table
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkAuditLog', $PSBoundParameters, [string[]] @('Since', 'Principal', 'Last', 'EnvironmentName', 'Table'), [string[]] @(), 'PpCmk.AuditEntry', $null)
    }
}

function Get-PpCmkAuditSetting {
    <#
    .SYNOPSIS
    Gets an environment's Dataverse audit setting.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Get-PpCmkAuditSetting -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.AuditSetting
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.AuditSetting')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkAuditSetting', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.AuditSetting', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkClock', $PSBoundParameters, [string[]] @(), [string[]] @(), 'PpCmk.Clock', $null)
    }
}

function Get-PpCmkConnection {
    <#
    .SYNOPSIS
    Gets an environment's connections and the key protecting each (never the secret).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Get-PpCmkConnection -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Connection
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Connection')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkConnection', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.Connection', $null)
    }
}

function Get-PpCmkCredential {
    <#
    .SYNOPSIS
    Gets the credentials the caller may use (never their values).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    One credential.
    .EXAMPLE
    Get-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Credential
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Credential')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string]
        $Name
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkCredential', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name'), [string[]] @(), 'PpCmk.Credential', $null)
    }
}

function Get-PpCmkDesktopFlowComponent {
    <#
    .SYNOPSIS
    Lists an environment's work queues, UI elements collections and custom actions, with their Dataverse tables and sharing.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Get-PpCmkDesktopFlowComponent -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.DesktopFlowComponent
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.DesktopFlowComponent')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkDesktopFlowComponent', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.DesktopFlowComponent', $null)
    }
}

function Get-PpCmkDesktopFlowConnection {
    <#
    .SYNOPSIS
    Gets the caller's desktop flow connections (they can't be shared with other users).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER ConnectionName
    One connection.
    .EXAMPLE
    Get-PpCmkDesktopFlowConnection -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.DesktopFlowConnection
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.DesktopFlowConnection')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string]
        $ConnectionName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkDesktopFlowConnection', $PSBoundParameters, [string[]] @('EnvironmentName', 'ConnectionName'), [string[]] @(), 'PpCmk.DesktopFlowConnection', $null)
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
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkDirectoryRoleMember', $PSBoundParameters, [string[]] @('RoleName', 'UserPrincipalName'), [string[]] @(), 'PpCmk.DirectoryRoleMember', $null)
    }
}

function Get-PpCmkEncryptionReport {
    <#
    .SYNOPSIS
    Post-flight: per environment, the key that protects it, records and backups by key version, what is still on the Microsoft-managed key, and the dates keys must be kept until.
    .PARAMETER EnvironmentName
    These environments (default: every environment that has or had a customer key).
    .PARAMETER FailOn
    Fail (exit 1 in the CLI, an error in PowerShell) when any row reaches this Status. Allowed values: Warn, Fail.
    .EXAMPLE
    Get-PpCmkEncryptionReport -FailOn Warn
    .OUTPUTS
    PpCmk.EncryptionReport
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.EncryptionReport')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('EnvironmentId')]
        [string[]]
        $EnvironmentName,

        [Parameter()]
        [ValidateSet('Warn', 'Fail')]
        [string]
        $FailOn
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkEncryptionReport', $PSBoundParameters, [string[]] @('EnvironmentName', 'FailOn'), [string[]] @(), 'PpCmk.EncryptionReport', $null)
    }
}

function Get-PpCmkEnterprisePolicy {
    <#
    .SYNOPSIS
    Gets enterprise policies the caller can read: one by resource id, or those of a resource group or the subscription.
    .PARAMETER ResourceId
    One policy.
    .PARAMETER ResourceGroup
    The policies of a resource group.
    .PARAMETER SubscriptionId
    The policies of the subscription.
    .EXAMPLE
    Get-PpCmkEnterprisePolicy -ResourceGroup contoso-cmk
    .OUTPUTS
    PpCmk.EnterprisePolicy
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.EnterprisePolicy')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('PolicyArmId', 'EnterprisePolicyArmId')]
        [string]
        $ResourceId,

        [Parameter()]
        [Alias('ResourceGroupName')]
        [string]
        $ResourceGroup,

        [Parameter()]
        [string]
        $SubscriptionId
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkEnterprisePolicy', $PSBoundParameters, [string[]] @('ResourceId', 'ResourceGroup', 'SubscriptionId'), [string[]] @(), 'PpCmk.EnterprisePolicy', $null)
    }
}

function Get-PpCmkEnvironmentDataStore {
    <#
    .SYNOPSIS
    Lists an environment's data stores and the key that protects each now: only what the documentation lists is encrypted with the customer-managed key.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Get-PpCmkEnvironmentDataStore -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.DataStore
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.DataStore')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkEnvironmentDataStore', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.DataStore', $null)
    }
}

function Get-PpCmkEnvironmentSetting {
    <#
    .SYNOPSIS
    Gets environment settings.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Get-PpCmkEnvironmentSetting -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.EnvironmentSetting
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.EnvironmentSetting')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkEnvironmentSetting', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.EnvironmentSetting', $null)
    }
}

function Get-PpCmkEnvironmentWithPolicy {
    <#
    .SYNOPSIS
    The admin center's "Environments with policies": environment and encryption status of every environment with a policy.
    .PARAMETER PolicyArmId
    Only this policy's environments.
    .EXAMPLE
    Get-PpCmkEnvironmentWithPolicy
    .OUTPUTS
    PpCmk.EnvironmentWithPolicy
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.EnvironmentWithPolicy')]
    param(
        [Parameter()]
        [string]
        $PolicyArmId
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkEnvironmentWithPolicy', $PSBoundParameters, [string[]] @('PolicyArmId'), [string[]] @(), 'PpCmk.EnvironmentWithPolicy', $null)
    }
}

function Get-PpCmkFault {
    <#
    .SYNOPSIS
    Shows the faults armed with Set-PpCmkFault (an outage whose time has passed shows Armed false).
    .PARAMETER VaultName
    Only this vault's faults.
    .EXAMPLE
    Get-PpCmkFault -VaultName contoso-cmk-kv
    .OUTPUTS
    PpCmk.Fault
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Fault')]
    param(
        [Parameter()]
        [string]
        $VaultName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkFault', $PSBoundParameters, [string[]] @('VaultName'), [string[]] @(), 'PpCmk.Fault', $null)
    }
}

function Get-PpCmkFirewallAllowList {
    <#
    .SYNOPSIS
    Gets an environment's firewall allow-list and the service tag its flows' outbound calls come from now.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Get-PpCmkFirewallAllowList -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.FirewallAllowList
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.FirewallAllowList')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkFirewallAllowList', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.FirewallAllowList', $null)
    }
}

function Get-PpCmkFlowPermission {
    <#
    .SYNOPSIS
    Lists who has access to a flow and why (creator, sharing, or a security role that reads all Process records).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow.
    .EXAMPLE
    Get-PpCmkFlowPermission -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111
    .OUTPUTS
    PpCmk.FlowPermission
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.FlowPermission')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkFlowPermission', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName'), [string[]] @(), 'PpCmk.FlowPermission', $null)
    }
}

function Get-PpCmkFlowRunSummary {
    <#
    .SYNOPSIS
    The support ticket's run summary: every run, before and after the key change — run id, start time, duration, status; no inputs or outputs.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    One flow (default: every flow).
    .EXAMPLE
    Get-PpCmkFlowRunSummary -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.FlowRunSummary
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.FlowRunSummary')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string]
        $FlowName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkFlowRunSummary', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName'), [string[]] @(), 'PpCmk.FlowRunSummary', $null)
    }
}

function Get-PpCmkHostedMachineGroup {
    <#
    .SYNOPSIS
    Gets hosted machine groups: the key their VM disks are encrypted with, and whether they must be re-provisioned after the customer key applied.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    One group.
    .EXAMPLE
    Get-PpCmkHostedMachineGroup -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.HostedMachineGroup
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.HostedMachineGroup')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string]
        $Name
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkHostedMachineGroup', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name'), [string[]] @(), 'PpCmk.HostedMachineGroup', $null)
    }
}

function Get-PpCmkLicense {
    <#
    .SYNOPSIS
    Gets the tenant's subscriptions, and whether each gives access to customer-managed keys.
    .EXAMPLE
    Get-PpCmkLicense
    .OUTPUTS
    PpCmk.License
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.License')]
    param(
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkLicense', $PSBoundParameters, [string[]] @(), [string[]] @(), 'PpCmk.License', $null)
    }
}

function Get-PpCmkMachine {
    <#
    .SYNOPSIS
    Gets the machines of an environment: their machine group and the credential mapped to each (machine mapping).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER MachineName
    One machine.
    .EXAMPLE
    Get-PpCmkMachine -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Machine
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Machine')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string]
        $MachineName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkMachine', $PSBoundParameters, [string[]] @('EnvironmentName', 'MachineName'), [string[]] @(), 'PpCmk.Machine', $null)
    }
}

function Get-PpCmkOperation {
    <#
    .SYNOPSIS
    Shows environment operations (Update Customer Managed Key, key version rotations) with their state.
    .PARAMETER EnvironmentName
    Only this environment's operations.
    .PARAMETER OperationId
    One operation.
    .EXAMPLE
    Get-PpCmkOperation -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Operation
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Operation')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string]
        $OperationId
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkOperation', $PSBoundParameters, [string[]] @('EnvironmentName', 'OperationId'), [string[]] @(), 'PpCmk.Operation', $null)
    }
}

function Get-PpCmkRecord {
    <#
    .SYNOPSIS
    Reads records of a table, decrypted with the environment's data keys.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Table
    The table.
    .PARAMETER Id
    One record.
    .PARAMETER First
    At most this many records.
    .EXAMPLE
    Get-PpCmkRecord -EnvironmentName 00000000-0000-0000-0000-000000000000 -Table account -First 10
    .OUTPUTS
    PpCmk.Record
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.Record')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Table,

        [Parameter()]
        [string]
        $Id,

        [Parameter()]
        [ValidateRange(1, 1000000)]
        [long]
        $First
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkRecord', $PSBoundParameters, [string[]] @('EnvironmentName', 'Table', 'Id', 'First'), [string[]] @(), 'PpCmk.Record', $null)
    }
}

function Get-PpCmkRolloutPlan {
    <#
    .SYNOPSIS
    Plans adding environments to an enterprise policy: waves in order, each environment's blockers with their remedy, the flows that stay on the Microsoft key and the expected downtime, within the documented limits.
    .PARAMETER PolicyArmId
    The enterprise policy's ARM resource id.
    .PARAMETER EnvironmentName
    These environments (default: every environment of the tenant).
    .PARAMETER MaxDowntime
    Expected downtime allowed per wave: hh:mm:ss (02:00:00) or an ISO 8601 duration (PT2H).
    .PARAMETER MaxPerWave
    Environments per wave at most.
    .PARAMETER FailOn
    Fail (exit 1 in the CLI, an error in PowerShell) when any row reaches this Status. Allowed values: Warn, Fail.
    .EXAMPLE
    Get-PpCmkRolloutPlan -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -MaxDowntime 02:00:00 -MaxPerWave 5
    .OUTPUTS
    PpCmk.RolloutPlanRow
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.RolloutPlanRow')]
    param(
        [Parameter(Mandatory = $true)]
        [Alias('EnterprisePolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyArmId,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('EnvironmentId')]
        [string[]]
        $EnvironmentName,

        [Parameter()]
        [string]
        $MaxDowntime,

        [Parameter()]
        [ValidateRange(1, 1000)]
        [long]
        $MaxPerWave,

        [Parameter()]
        [ValidateSet('Warn', 'Fail')]
        [string]
        $FailOn
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkRolloutPlan', $PSBoundParameters, [string[]] @('PolicyArmId', 'EnvironmentName', 'MaxDowntime', 'MaxPerWave', 'FailOn'), [string[]] @(), 'PpCmk.RolloutPlanRow', $null)
    }
}

function Get-PpCmkSecurityRoleMember {
    <#
    .SYNOPSIS
    Lists the Dataverse security role members of an environment.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .EXAMPLE
    Get-PpCmkSecurityRoleMember -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.SecurityRoleMember
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.SecurityRoleMember')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkSecurityRoleMember', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.SecurityRoleMember', $null)
    }
}

function Get-PpCmkTenantByokKey {
    <#
    .SYNOPSIS
    Shows the tenant's BYOK protection key (thumbprint and size, never the key) and the environments it protects.
    .EXAMPLE
    Get-PpCmkTenantByokKey
    .OUTPUTS
    PpCmk.TenantProtectionKey
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.TenantProtectionKey')]
    param(
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkTenantByokKey', $PSBoundParameters, [string[]] @(), [string[]] @(), 'PpCmk.TenantProtectionKey', $null)
    }
}

function Get-PpCmkTenantSetting {
    <#
    .SYNOPSIS
    Gets tenant settings: the CMK environment limit and how many environments use a customer key.
    .EXAMPLE
    Get-PpCmkTenantSetting
    .OUTPUTS
    PpCmk.TenantSetting
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.TenantSetting')]
    param(
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Get-PpCmkTenantSetting', $PSBoundParameters, [string[]] @(), [string[]] @(), 'PpCmk.TenantSetting', $null)
    }
}

function Grant-PpCmkCredentialAccess {
    <#
    .SYNOPSIS
    Shares a credential with a user (its owner or a System Administrator).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    The credential.
    .PARAMETER UserPrincipalName
    The user.
    .EXAMPLE
    Grant-PpCmkCredentialAccess -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login' -UserPrincipalName maker@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.Credential
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Credential')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Grant-PpCmkCredentialAccess' }), 'Grant-PpCmkCredentialAccess')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Grant-PpCmkCredentialAccess', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name', 'UserPrincipalName'), [string[]] @(), 'PpCmk.Credential', $null)
        }
    }
}

function Grant-PpCmkDesktopFlowComponentAccess {
    <#
    .SYNOPSIS
    Shares a work queue, UI elements collection or custom action with a user (its owner or a System Administrator).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Kind
    What it is. Allowed values: WorkQueue, UIElementCollection, CustomAction.
    .PARAMETER Name
    Its name.
    .PARAMETER UserPrincipalName
    The user.
    .EXAMPLE
    Grant-PpCmkDesktopFlowComponentAccess -EnvironmentName 00000000-0000-0000-0000-000000000000 -Kind WorkQueue -Name Invoices -UserPrincipalName maker@contoso.onmicrosoft.com
    .OUTPUTS
    PpCmk.DesktopFlowComponent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DesktopFlowComponent')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateSet('WorkQueue', 'UIElementCollection', 'CustomAction')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Kind,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Grant-PpCmkDesktopFlowComponentAccess' }), 'Grant-PpCmkDesktopFlowComponentAccess')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Grant-PpCmkDesktopFlowComponentAccess', $PSBoundParameters, [string[]] @('EnvironmentName', 'Kind', 'Name', 'UserPrincipalName'), [string[]] @(), 'PpCmk.DesktopFlowComponent', $null)
        }
    }
}

function Import-PpCmkTenantSnapshot {
    <#
    .SYNOPSIS
    Imports a tenant snapshot (Export-PpCmkTenantSnapshot.ps1) into a new store: a twin of the real tenant to rehearse on, offline. All or nothing; the clock starts at the snapshot's time.
    .PARAMETER Path
    The snapshot folder (manifest.json, environments.json, …).
    .PARAMETER RecordsPerEnvironment
    Synthetic records per environment with a database (default 100).
    .PARAMETER UseDatabaseSize
    Size each environment's synthetic data from the database size the snapshot reports (one record per 100 KB).
    .PARAMETER Force
    Replace the tenant the store already holds.
    .EXAMPLE
    Import-PpCmkTenantSnapshot -Path ./contoso-snapshot -RecordsPerEnvironment 200 -Force
    .OUTPUTS
    PpCmk.ImportedObject
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('PpCmk.ImportedObject')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Path,

        [Parameter()]
        [ValidateRange(0, 1000000)]
        [long]
        $RecordsPerEnvironment,

        [Parameter()]
        [switch]
        $UseDatabaseSize,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Path')) { $Path } else { 'Import-PpCmkTenantSnapshot' }), 'Import-PpCmkTenantSnapshot')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Import-PpCmkTenantSnapshot', $PSBoundParameters, [string[]] @('Path', 'RecordsPerEnvironment', 'UseDatabaseSize', 'Force'), [string[]] @('Path'), 'PpCmk.ImportedObject', $null)
        }
    }
}

function Invoke-AzKeyVaultKeyOperation {
    <#
    .SYNOPSIS
    Wraps, unwraps, encrypts or decrypts a value with a key (RSA-OAEP or RSA-OAEP-256), or signs a digest and verifies a signature (RS256-RS512, PS256-PS512), as the signed-in principal.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER HsmName
    The managed HSM (instead of -VaultName).
    .PARAMETER Name
    The key's name.
    .PARAMETER Version
    The key version. Default: the current one.
    .PARAMETER Operation
    The operation. Allowed values: Wrap, Unwrap, Encrypt, Decrypt, Sign, Verify.
    .PARAMETER Algorithm
    RSA-OAEP or RSA-OAEP-256 for wrap, unwrap, encrypt and decrypt; RS256-RS512 or PS256-PS512 for sign and verify. Allowed values: RSA-OAEP, RSA-OAEP-256, RS256, RS384, RS512, PS256, PS384, PS512.
    .PARAMETER ByteArrayValue
    The input bytes (base64 on the command line); for Sign and Verify, the digest.
    .PARAMETER Signature
    For Verify: the signature to check.
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
        [ValidateSet('Wrap', 'Unwrap', 'Encrypt', 'Decrypt', 'Sign', 'Verify')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Operation,

        [Parameter(Mandatory = $true)]
        [ValidateSet('RSA-OAEP', 'RSA-OAEP-256', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Algorithm,

        [Parameter(Mandatory = $true)]
        [PpCmk.Base64Bytes()]
        [byte[]]
        $ByteArrayValue,

        [Parameter()]
        [PpCmk.Base64Bytes()]
        [byte[]]
        $Signature
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Invoke-AzKeyVaultKeyOperation', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name', 'Version', 'Operation', 'Algorithm', 'ByteArrayValue', 'Signature'), [string[]] @(), 'PpCmk.KeyOperationResult', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Invoke-AzKeyVaultKeyRotation' }), 'Invoke-AzKeyVaultKeyRotation')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Invoke-AzKeyVaultKeyRotation', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name'), [string[]] @(), 'PpCmk.KeyVaultKey', $null)
        }
    }
}

function Invoke-PpCmkMaintenance {
    <#
    .SYNOPSIS
    Runs every time-based action due now (purges, key rotations, health checks, lock and re-enable, re-wrap after rotation) and resumes queued or interrupted operations.
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
        if ($PSCmdlet.ShouldProcess('Invoke-PpCmkMaintenance', 'Invoke-PpCmkMaintenance')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Invoke-PpCmkMaintenance', $PSBoundParameters, [string[]] @(), [string[]] @(), 'PpCmk.MaintenanceEvent', $null)
        }
    }
}

function New-AdminPowerAppEnvironment {
    <#
    .SYNOPSIS
    Creates an environment (Global, Power Platform or Dynamics 365 administrator); its data is on the Microsoft-managed key.
    .PARAMETER DisplayName
    The environment's display name.
    .PARAMETER Location
    A Power Platform location, e.g. unitedstates, europe.
    .PARAMETER EnvironmentSku
    The environment type. Allowed values: Production, Sandbox, Trial, Developer, Teams, SupportInvestigation.
    .PARAMETER ProvisionDatabase
    Create the Dataverse database (needed for data and for a customer-managed key).
    .PARAMETER CurrencyName
    Accepted for compatibility.
    .PARAMETER LanguageName
    Accepted for compatibility.
    .EXAMPLE
    New-AdminPowerAppEnvironment -DisplayName 'Contoso Sales' -Location unitedstates -EnvironmentSku Production -ProvisionDatabase
    .OUTPUTS
    PpCmk.Environment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Environment')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $DisplayName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Location,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Production', 'Sandbox', 'Trial', 'Developer', 'Teams', 'SupportInvestigation')]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentSku,

        [Parameter()]
        [switch]
        $ProvisionDatabase,

        [Parameter()]
        [string]
        $CurrencyName,

        [Parameter()]
        [string]
        $LanguageName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('DisplayName')) { $DisplayName } else { 'New-AdminPowerAppEnvironment' }), 'New-AdminPowerAppEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AdminPowerAppEnvironment', $PSBoundParameters, [string[]] @('DisplayName', 'Location', 'EnvironmentSku', 'ProvisionDatabase', 'CurrencyName', 'LanguageName'), [string[]] @(), 'PpCmk.Environment', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('DisplayName')) { $DisplayName } else { 'New-AzADUser' }), 'New-AzADUser')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AzADUser', $PSBoundParameters, [string[]] @('DisplayName', 'UserPrincipalName', 'MailNickname', 'Password', 'AccountEnabled'), [string[]] @(), 'PpCmk.ADUser', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'New-AzKeyVault' }), 'New-AzKeyVault')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AzKeyVault', $PSBoundParameters, [string[]] @('Name', 'ResourceGroupName', 'Location', 'Sku', 'EnablePurgeProtection', 'SoftDeleteRetentionInDays', 'DisableRbacAuthorization', 'PublicNetworkAccess'), [string[]] @(), 'PpCmk.KeyVault', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'New-AzKeyVaultManagedHsm' }), 'New-AzKeyVaultManagedHsm')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AzKeyVaultManagedHsm', $PSBoundParameters, [string[]] @('Name', 'ResourceGroupName', 'Location', 'Administrator', 'Sku', 'EnablePurgeProtection', 'SoftDeleteRetentionInDays'), [string[]] @(), 'PpCmk.ManagedHsm', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('HsmName')) { $HsmName } else { 'New-AzKeyVaultRoleAssignment' }), 'New-AzKeyVaultRoleAssignment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AzKeyVaultRoleAssignment', $PSBoundParameters, [string[]] @('HsmName', 'RoleDefinitionName', 'RoleDefinitionId', 'ObjectId', 'SignInName', 'ApplicationId', 'Scope'), [string[]] @(), 'PpCmk.KeyVaultRoleAssignment', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'New-AzResourceGroup' }), 'New-AzResourceGroup')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AzResourceGroup', $PSBoundParameters, [string[]] @('Name', 'Location'), [string[]] @(), 'PpCmk.ResourceGroup', $null)
        }
    }
}

function New-AzResourceGroupDeployment {
    <#
    .SYNOPSIS
    Deploys an ARM template of enterprise policies (the documentation's template, filled in) to a resource group.
    .PARAMETER ResourceGroupName
    The resource group to deploy to.
    .PARAMETER TemplateFile
    Path of the template JSON file.
    .PARAMETER TemplateParameterFile
    Path of a deployment parameter file.
    .PARAMETER TemplateParameterObject
    Parameter values, e.g. @{policyName='contoso-cmk-policy'}.
    .PARAMETER Name
    The deployment's name. Default: the template file's name.
    .PARAMETER Mode
    Deployment mode (Incremental). Allowed values: Incremental.
    .EXAMPLE
    New-AzResourceGroupDeployment -ResourceGroupName contoso-cmk -TemplateFile ./enterprise-policy.json
    .OUTPUTS
    PpCmk.ResourceGroupDeployment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.ResourceGroupDeployment')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $ResourceGroupName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $TemplateFile,

        [Parameter()]
        [string]
        $TemplateParameterFile,

        [Parameter()]
        [object]
        $TemplateParameterObject,

        [Parameter()]
        [Alias('DeploymentName')]
        [string]
        $Name,

        [Parameter()]
        [ValidateSet('Incremental')]
        [string]
        $Mode
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('ResourceGroupName')) { $ResourceGroupName } else { 'New-AzResourceGroupDeployment' }), 'New-AzResourceGroupDeployment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AzResourceGroupDeployment', $PSBoundParameters, [string[]] @('ResourceGroupName', 'TemplateFile', 'TemplateParameterFile', 'TemplateParameterObject', 'Name', 'Mode'), [string[]] @('TemplateFile', 'TemplateParameterFile'), 'PpCmk.ResourceGroupDeployment', $null)
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
    .PARAMETER Name
    The assignment's name, a GUID (default: a new one), as ARM's PUT names it.
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

        [Parameter(ValueFromPipelineByPropertyName = $true)]
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
        $AllowDelegation,

        [Parameter()]
        [Alias('RoleAssignmentName')]
        [string]
        $Name
    )
    process {
        if ($PSCmdlet.ShouldProcess('New-AzRoleAssignment', 'New-AzRoleAssignment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-AzRoleAssignment', $PSBoundParameters, [string[]] @('ObjectId', 'SignInName', 'ApplicationId', 'RoleDefinitionName', 'RoleDefinitionId', 'Scope', 'ResourceGroupName', 'ResourceName', 'ResourceType', 'ParentResource', 'Description', 'Condition', 'ConditionVersion', 'ObjectType', 'AllowDelegation', 'Name'), [string[]] @(), 'PpCmk.RoleAssignment', $null)
        }
    }
}

function New-DlpPolicy {
    <#
    .SYNOPSIS
    Creates a data loss prevention policy; flows it puts in breach are suspended.
    .PARAMETER DisplayName
    The policy's name.
    .PARAMETER EnvironmentType
    Which environments it covers. Allowed values: AllEnvironments, OnlyEnvironments, ExceptEnvironments.
    .PARAMETER Environments
    The environments for OnlyEnvironments or ExceptEnvironments.
    .PARAMETER DefaultConnectorClassification
    For connectors not classified: General (Non-business), Confidential (Business) or Blocked. Allowed values: General, Confidential, Blocked, Business, NonBusiness.
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .EXAMPLE
    New-DlpPolicy -DisplayName 'Finance DLP' -EnvironmentType AllEnvironments
    .OUTPUTS
    PpCmk.DlpPolicy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DlpPolicy')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $DisplayName,

        [Parameter(Mandatory = $true)]
        [ValidateSet('AllEnvironments', 'OnlyEnvironments', 'ExceptEnvironments')]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentType,

        [Parameter()]
        [string[]]
        $Environments,

        [Parameter()]
        [ValidateSet('General', 'Confidential', 'Blocked', 'Business', 'NonBusiness')]
        [string]
        $DefaultConnectorClassification,

        [Parameter()]
        [string]
        $ApiVersion
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('DisplayName')) { $DisplayName } else { 'New-DlpPolicy' }), 'New-DlpPolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-DlpPolicy', $PSBoundParameters, [string[]] @('DisplayName', 'EnvironmentType', 'Environments', 'DefaultConnectorClassification', 'ApiVersion'), [string[]] @(), 'PpCmk.DlpPolicy', $null)
        }
    }
}

function New-PpCmkConnection {
    <#
    .SYNOPSIS
    Creates a connection; its secret is sealed — OAuth connections follow the environment's key, others stay on the Microsoft-managed key.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Connector
    The connector, e.g. shared_office365.
    .PARAMETER AuthType
    OAuth (Microsoft Entra), ApiKey or Basic. Allowed values: OAuth, ApiKey, Basic.
    .PARAMETER Secret
    The token, key or password; sealed, never shown.
    .EXAMPLE
    New-PpCmkConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -Connector shared_sendgrid -AuthType ApiKey -Secret (Read-Host -AsSecureString)
    .OUTPUTS
    PpCmk.Connection
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Connection')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Connector,

        [Parameter(Mandatory = $true)]
        [ValidateSet('OAuth', 'ApiKey', 'Basic')]
        [ValidateNotNullOrEmpty()]
        [string]
        $AuthType,

        [Parameter(Mandatory = $true)]
        [securestring]
        $Secret
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkConnection' }), 'New-PpCmkConnection')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkConnection', $PSBoundParameters, [string[]] @('EnvironmentName', 'Connector', 'AuthType', 'Secret'), [string[]] @(), 'PpCmk.Connection', $null)
        }
    }
}

function New-PpCmkCredential {
    <#
    .SYNOPSIS
    Creates a Power Automate credential that points at a key vault secret; the environment reads it at run time as its own identity.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    The credential's name.
    .PARAMETER Source
    Where the secret lives. Allowed values: AzureKeyVault, CyberArk.
    .PARAMETER VaultName
    The key vault (or CyberArk safe).
    .PARAMETER SecretName
    The secret.
    .PARAMETER UserName
    The user name that goes with the secret.
    .PARAMETER AuthenticationType
    How it signs in to a machine in a desktop flow connection: a password, or certificate-based authentication (the secret holds the certificate), which meets MFA requirements. Allowed values: Password, Certificate.
    .PARAMETER RequiresMfa
    Its account must meet multifactor authentication (MFA) to sign in: a password sign-in then fails.
    .EXAMPLE
    New-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login' -Source AzureKeyVault -VaultName contoso-kv -SecretName sap-password -UserName svc-sap
    .OUTPUTS
    PpCmk.Credential
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Credential')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true)]
        [ValidateSet('AzureKeyVault', 'CyberArk')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Source,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $SecretName,

        [Parameter()]
        [string]
        $UserName,

        [Parameter()]
        [ValidateSet('Password', 'Certificate')]
        [string]
        $AuthenticationType,

        [Parameter()]
        [switch]
        $RequiresMfa
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkCredential' }), 'New-PpCmkCredential')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkCredential', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name', 'Source', 'VaultName', 'SecretName', 'UserName', 'AuthenticationType', 'RequiresMfa'), [string[]] @(), 'PpCmk.Credential', $null)
        }
    }
}

function New-PpCmkDesktopFlowComponent {
    <#
    .SYNOPSIS
    Creates a component desktop flows reference: a work queue, a UI elements collection or a custom action.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Kind
    What it is. Allowed values: WorkQueue, UIElementCollection, CustomAction.
    .PARAMETER Name
    Its name.
    .EXAMPLE
    New-PpCmkDesktopFlowComponent -EnvironmentName 00000000-0000-0000-0000-000000000000 -Kind WorkQueue -Name Invoices
    .OUTPUTS
    PpCmk.DesktopFlowComponent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DesktopFlowComponent')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateSet('WorkQueue', 'UIElementCollection', 'CustomAction')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Kind,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkDesktopFlowComponent' }), 'New-PpCmkDesktopFlowComponent')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkDesktopFlowComponent', $PSBoundParameters, [string[]] @('EnvironmentName', 'Kind', 'Name'), [string[]] @(), 'PpCmk.DesktopFlowComponent', $null)
        }
    }
}

function New-PpCmkDesktopFlowConnection {
    <#
    .SYNOPSIS
    Creates a desktop flow connection (Desktop flows connector) to a machine or machine group; at run time it signs in with a credential, or with machine mapping with each machine's own (attended and unattended runs).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER ConnectionName
    The connection's name.
    .PARAMETER MachineName
    The machine it connects to.
    .PARAMETER MachineGroupName
    The machine group it connects to.
    .PARAMETER CredentialName
    The credential that signs in to the machine (one the caller may use).
    .PARAMETER UseMachineMapping
    Sign in to each machine with the credential mapped to it (Set-PpCmkMachineMapping).
    .EXAMPLE
    New-PpCmkDesktopFlowConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -ConnectionName 'Invoice bots' -MachineGroupName 'Invoice machines' -CredentialName 'SAP login'
    .OUTPUTS
    PpCmk.DesktopFlowConnection
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DesktopFlowConnection')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $ConnectionName,

        [Parameter()]
        [string]
        $MachineName,

        [Parameter()]
        [string]
        $MachineGroupName,

        [Parameter()]
        [string]
        $CredentialName,

        [Parameter()]
        [switch]
        $UseMachineMapping
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkDesktopFlowConnection' }), 'New-PpCmkDesktopFlowConnection')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkDesktopFlowConnection', $PSBoundParameters, [string[]] @('EnvironmentName', 'ConnectionName', 'MachineName', 'MachineGroupName', 'CredentialName', 'UseMachineMapping'), [string[]] @(), 'PpCmk.DesktopFlowConnection', $null)
        }
    }
}

function New-PpCmkEnterprisePolicy {
    <#
    .SYNOPSIS
    Creates an Encryption enterprise policy for a key vault key, with its system-assigned managed identity.
    .PARAMETER SubscriptionId
    The subscription.
    .PARAMETER ResourceGroup
    The resource group.
    .PARAMETER Name
    The policy's name, shown in the Power Platform admin center.
    .PARAMETER Location
    One of the 18 Power Platform locations; the environments' region.
    .PARAMETER KeyVaultId
    The key vault's (or managed HSM's) ARM resource id.
    .PARAMETER KeyName
    The key's name.
    .PARAMETER KeyVersion
    Pin a key version; without it the policy follows rotations.
    .EXAMPLE
    New-PpCmkEnterprisePolicy -ResourceGroup contoso-cmk -Name contoso-cmk-policy -Location unitedstates -KeyVaultId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.KeyVault/vaults/contoso-cmk-kv -KeyName contoso-cmk-key
    .OUTPUTS
    PpCmk.EnterprisePolicy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.EnterprisePolicy')]
    param(
        [Parameter()]
        [string]
        $SubscriptionId,

        [Parameter(Mandatory = $true)]
        [Alias('ResourceGroupName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $ResourceGroup,

        [Parameter(Mandatory = $true)]
        [Alias('EnterprisePolicyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true)]
        [Alias('EnterprisePolicyLocation')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Location,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $KeyVaultId,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $KeyName,

        [Parameter()]
        [string]
        $KeyVersion
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('ResourceGroup')) { $ResourceGroup } else { 'New-PpCmkEnterprisePolicy' }), 'New-PpCmkEnterprisePolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkEnterprisePolicy', $PSBoundParameters, [string[]] @('SubscriptionId', 'ResourceGroup', 'Name', 'Location', 'KeyVaultId', 'KeyName', 'KeyVersion'), [string[]] @(), 'PpCmk.EnterprisePolicy', $null)
        }
    }
}

function New-PpCmkFlow {
    <#
    .SYNOPSIS
    Creates a cloud or desktop flow; in a CMK-protected environment it is protected by the customer key from the start.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER DisplayName
    The flow's display name.
    .PARAMETER Kind
    Cloud or Desktop. Allowed values: Cloud, Desktop.
    .PARAMETER Trigger
    The trigger type. Allowed values: PowerAppsV1, PowerAppsV2, Http, Teams, Recurrence, Automated, Manual, CopilotSkill.
    .PARAMETER InSolution
    The flow is in a Dataverse solution.
    .PARAMETER ChildFlow
    FlowNames of child flows it calls (same environment).
    .PARAMETER Action
    Action names it uses, e.g. ListFlowsAsAdminV1.
    .PARAMETER Definition
    The flow's definition (JSON), sealed at rest.
    .PARAMETER ConnectionSource
    For a Copilot Skills trigger: the embedded connection or the invoking user's. Allowed values: Embedded, Invoker.
    .PARAMETER Enabled
    Whether the flow is turned on.
    .EXAMPLE
    New-PpCmkFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -DisplayName 'Get Invoice HTTP' -Trigger Http
    .OUTPUTS
    PpCmk.Flow
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Flow')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $DisplayName,

        [Parameter()]
        [ValidateSet('Cloud', 'Desktop')]
        [string]
        $Kind,

        [Parameter(Mandatory = $true)]
        [ValidateSet('PowerAppsV1', 'PowerAppsV2', 'Http', 'Teams', 'Recurrence', 'Automated', 'Manual', 'CopilotSkill')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Trigger,

        [Parameter()]
        [switch]
        $InSolution,

        [Parameter()]
        [string[]]
        $ChildFlow,

        [Parameter()]
        [string[]]
        $Action,

        [Parameter()]
        [object]
        $Definition,

        [Parameter()]
        [ValidateSet('Embedded', 'Invoker')]
        [string]
        $ConnectionSource,

        [Parameter()]
        [bool]
        $Enabled
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkFlow' }), 'New-PpCmkFlow')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkFlow', $PSBoundParameters, [string[]] @('EnvironmentName', 'DisplayName', 'Kind', 'Trigger', 'InSolution', 'ChildFlow', 'Action', 'Definition', 'ConnectionSource', 'Enabled'), [string[]] @(), 'PpCmk.Flow', $null)
        }
    }
}

function New-PpCmkHostedMachineGroup {
    <#
    .SYNOPSIS
    Provisions a hosted machine group (Power Automate hosted RPA): its bots' VM disks are encrypted with the environment's key at provisioning. -NetworkCredential: the credential of its Microsoft Entra hybrid join network connection.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    The group's name.
    .PARAMETER NetworkCredential
    A Power Automate credential for the hybrid join network connection to the AD domain.
    .EXAMPLE
    New-PpCmkHostedMachineGroup -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'Invoice bots'
    .OUTPUTS
    PpCmk.HostedMachineGroup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.HostedMachineGroup')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [string]
        $NetworkCredential
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkHostedMachineGroup' }), 'New-PpCmkHostedMachineGroup')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkHostedMachineGroup', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name', 'NetworkCredential'), [string[]] @(), 'PpCmk.HostedMachineGroup', $null)
        }
    }
}

function New-PpCmkRecord {
    <#
    .SYNOPSIS
    Writes a record (JSON) to a table of an environment, sealed under its current data key.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Table
    The table: 1-64 letters, digits and underscores.
    .PARAMETER Data
    The record as JSON or @{...}.
    .PARAMETER Id
    The record id. Default: a new GUID.
    .EXAMPLE
    New-PpCmkRecord -EnvironmentName 00000000-0000-0000-0000-000000000000 -Table account -Data '{"name":"Fabrikam"}'
    .OUTPUTS
    PpCmk.Record
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Record')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Table,

        [Parameter(Mandatory = $true)]
        [object]
        $Data,

        [Parameter()]
        [string]
        $Id
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkRecord' }), 'New-PpCmkRecord')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkRecord', $PSBoundParameters, [string[]] @('EnvironmentName', 'Table', 'Data', 'Id'), [string[]] @(), 'PpCmk.Record', $null)
        }
    }
}

function New-PpCmkSampleData {
    <#
    .SYNOPSIS
    Loads generated records and flows into an environment in batches, with progress (for rehearsals and benchmarks).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Records
    How many records.
    .PARAMETER RecordSize
    Approximate bytes of JSON per record.
    .PARAMETER Tables
    Spread over this many tables (sample_0, sample_1, ...).
    .PARAMETER Marker
    A string every record contains, to search for in the store's files.
    .PARAMETER Flows
    How many flows: mostly automated solution flows, one in a thousand each with an HTTP, a Teams and a non-solution Power Apps v1 trigger.
    .EXAMPLE
    New-PpCmkSampleData -EnvironmentName 00000000-0000-0000-0000-000000000000 -Records 100000 -RecordSize 1024 -Flows 1000
    .OUTPUTS
    PpCmk.SampleData
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.SampleData')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [ValidateRange(0, 100000000)]
        [long]
        $Records,

        [Parameter()]
        [ValidateRange(64, 1048576)]
        [long]
        $RecordSize,

        [Parameter()]
        [ValidateRange(1, 1000)]
        [long]
        $Tables,

        [Parameter()]
        [string]
        $Marker,

        [Parameter()]
        [ValidateRange(0, 10000000)]
        [long]
        $Flows
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'New-PpCmkSampleData' }), 'New-PpCmkSampleData')) {
            [PpCmk.Host]::Run($PSCmdlet, 'New-PpCmkSampleData', $PSBoundParameters, [string[]] @('EnvironmentName', 'Records', 'RecordSize', 'Tables', 'Marker', 'Flows'), [string[]] @(), 'PpCmk.SampleData', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('ProviderNamespace')) { $ProviderNamespace } else { 'Register-AzResourceProvider' }), 'Register-AzResourceProvider')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Register-AzResourceProvider', $PSBoundParameters, [string[]] @('ProviderNamespace'), [string[]] @(), 'PpCmk.ResourceProvider', $null)
        }
    }
}

function Register-PpCmkAppFlowReference {
    <#
    .SYNOPSIS
    Registers a flow for use from a Power App; refused for non-solution Power Apps-trigger flows created in a CMK-protected environment.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .PARAMETER AppName
    The app that calls the flow.
    .EXAMPLE
    Register-PpCmkAppFlowReference -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -AppName 'Invoice app'
    .OUTPUTS
    PpCmk.AppFlowReference
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.AppFlowReference')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter()]
        [string]
        $AppName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Register-PpCmkAppFlowReference' }), 'Register-PpCmkAppFlowReference')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Register-PpCmkAppFlowReference', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'AppName'), [string[]] @(), 'PpCmk.AppFlowReference', $null)
        }
    }
}

function Register-PpCmkMachine {
    <#
    .SYNOPSIS
    Registers a machine in an environment, optionally in a machine group, for desktop flow connections to sign in to.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER MachineName
    The machine's name.
    .PARAMETER MachineGroupName
    The machine group it joins (a group exists once a machine is in it).
    .EXAMPLE
    Register-PpCmkMachine -EnvironmentName 00000000-0000-0000-0000-000000000000 -MachineName BOT-01 -MachineGroupName 'Invoice machines'
    .OUTPUTS
    PpCmk.Machine
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Machine')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $MachineName,

        [Parameter()]
        [string]
        $MachineGroupName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Register-PpCmkMachine' }), 'Register-PpCmkMachine')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Register-PpCmkMachine', $PSBoundParameters, [string[]] @('EnvironmentName', 'MachineName', 'MachineGroupName'), [string[]] @(), 'PpCmk.Machine', $null)
        }
    }
}

function Remove-AdminFlow {
    <#
    .SYNOPSIS
    Deletes a flow with its run history.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-AdminFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter()]
        [string]
        $ApiVersion,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-AdminFlow' }), 'Remove-AdminFlow')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AdminFlow', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'ApiVersion'), [string[]] @(), '', $null)
        }
    }
}

function Remove-AdminPowerAppEnvironment {
    <#
    .SYNOPSIS
    Deletes an environment with its data and backups.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-AdminPowerAppEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-AdminPowerAppEnvironment' }), 'Remove-AdminPowerAppEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AdminPowerAppEnvironment', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), '', $null)
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
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
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
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Remove-AzKeyVault' }), 'Remove-AzKeyVault')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzKeyVault', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'Location', 'InRemovedState', 'Force'), [string[]] @(), '', $null)
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
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-AzKeyVaultAccessPolicy -VaultName contoso-cmk-kv -ObjectId 00aa00aa-bb11-cc22-dd33-44ee44ee44ee
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
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
        $PassThru,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Remove-AzKeyVaultAccessPolicy' }), 'Remove-AzKeyVaultAccessPolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzKeyVaultAccessPolicy', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'ObjectId', 'UserPrincipalName', 'ServicePrincipalName', 'PassThru'), [string[]] @(), 'PpCmk.KeyVault', $null)
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
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
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
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Remove-AzKeyVaultKey' }), 'Remove-AzKeyVaultKey')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzKeyVaultKey', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name', 'InRemovedState', 'Force', 'PassThru'), [string[]] @(), 'PpCmk.KeyVaultKey', $null)
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
    .PARAMETER RoleDefinitionId
    The local role's id.
    .PARAMETER ObjectId
    The principal's object id.
    .PARAMETER SignInName
    The user's principal name.
    .PARAMETER Scope
    '/', '/keys' or '/keys/{key name}'.
    .PARAMETER PassThru
    Output the removed assignment.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-AzKeyVaultRoleAssignment -HsmName contoso-hsm -RoleDefinitionName 'Managed HSM Crypto User' -SignInName kvadmin@contoso.onmicrosoft.com -Scope /keys
    .OUTPUTS
    PpCmk.KeyVaultRoleAssignment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
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
        $Scope,

        [Parameter()]
        [switch]
        $PassThru,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('HsmName')) { $HsmName } else { 'Remove-AzKeyVaultRoleAssignment' }), 'Remove-AzKeyVaultRoleAssignment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzKeyVaultRoleAssignment', $PSBoundParameters, [string[]] @('HsmName', 'RoleDefinitionName', 'RoleDefinitionId', 'ObjectId', 'SignInName', 'Scope', 'PassThru'), [string[]] @(), 'PpCmk.KeyVaultRoleAssignment', $null)
        }
    }
}

function Remove-AzKeyVaultSecret {
    <#
    .SYNOPSIS
    Soft-deletes a secret (recoverable until the vault's retention ends), or with -InRemovedState purges a deleted one.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER Name
    The secret.
    .PARAMETER InRemovedState
    Purge the soft-deleted secret for good.
    .PARAMETER Force
    Accepted for compatibility.
    .EXAMPLE
    Remove-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -Force
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('SecretName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [switch]
        $InRemovedState,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Remove-AzKeyVaultSecret' }), 'Remove-AzKeyVaultSecret')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzKeyVaultSecret', $PSBoundParameters, [string[]] @('VaultName', 'Name', 'InRemovedState', 'Force'), [string[]] @(), '', $null)
        }
    }
}

function Remove-AzResource {
    <#
    .SYNOPSIS
    Deletes an ARM resource by id: an enterprise policy (even with linked environments, which then lock) or a key vault (soft delete).
    .PARAMETER ResourceId
    The resource's id.
    .PARAMETER Force
    Accepted for compatibility (no prompt is shown).
    .EXAMPLE
    Remove-AzResource -ResourceId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -Force
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Id')]
        [ValidateNotNullOrEmpty()]
        [string]
        $ResourceId,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('ResourceId')) { $ResourceId } else { 'Remove-AzResource' }), 'Remove-AzResource')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzResource', $PSBoundParameters, [string[]] @('ResourceId', 'Force'), [string[]] @(), '', $null)
        }
    }
}

function Remove-AzResourceGroup {
    <#
    .SYNOPSIS
    Deletes a resource group with what it holds: key vaults are soft-deleted, enterprise policies deleted (linked environments lose their key), role assignments within it removed.
    .PARAMETER Name
    The resource group's name.
    .PARAMETER Force
    Accepted for compatibility (no prompt is shown).
    .EXAMPLE
    Remove-AzResourceGroup -Name contoso-cmk -Force
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('ResourceGroupName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Remove-AzResourceGroup' }), 'Remove-AzResourceGroup')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzResourceGroup', $PSBoundParameters, [string[]] @('Name', 'Force'), [string[]] @(), '', $null)
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
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-AzRoleAssignment -SignInName ppadmin@contoso.onmicrosoft.com -RoleDefinitionName Reader
    .OUTPUTS
    PpCmk.RoleAssignment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
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

        [Parameter(ValueFromPipelineByPropertyName = $true)]
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
        $PassThru,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess('Remove-AzRoleAssignment', 'Remove-AzRoleAssignment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-AzRoleAssignment', $PSBoundParameters, [string[]] @('ObjectId', 'SignInName', 'ApplicationId', 'RoleDefinitionName', 'RoleDefinitionId', 'Scope', 'ResourceGroupName', 'ResourceName', 'ResourceType', 'ParentResource', 'PassThru'), [string[]] @(), 'PpCmk.RoleAssignment', $null)
        }
    }
}

function Remove-DlpPolicy {
    <#
    .SYNOPSIS
    Deletes a DLP policy (suspended flows stay suspended until turned on again).
    .PARAMETER PolicyName
    The DLP policy's name (GUID) or display name.
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-DlpPolicy -PolicyName 'Finance DLP'
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyName,

        [Parameter()]
        [string]
        $ApiVersion,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('PolicyName')) { $PolicyName } else { 'Remove-DlpPolicy' }), 'Remove-DlpPolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-DlpPolicy', $PSBoundParameters, [string[]] @('PolicyName', 'ApiVersion'), [string[]] @(), '', $null)
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
        if ($PSCmdlet.ShouldProcess('Remove-PowerAppsAccount', 'Remove-PowerAppsAccount')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PowerAppsAccount', $PSBoundParameters, [string[]] @(), [string[]] @(), '', $null)
        }
    }
}

function Remove-PpCmkConnection {
    <#
    .SYNOPSIS
    Deletes a connection.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER ConnectionName
    The connection's id.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -ConnectionName 22222222-2222-2222-2222-222222222222
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $ConnectionName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-PpCmkConnection' }), 'Remove-PpCmkConnection')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkConnection', $PSBoundParameters, [string[]] @('EnvironmentName', 'ConnectionName'), [string[]] @(), '', $null)
        }
    }
}

function Remove-PpCmkCredential {
    <#
    .SYNOPSIS
    Deletes a credential (its owner or a System Administrator); refused while a desktop flow reads it, or a hosted machine group, a desktop flow connection or a machine mapping signs in with it.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    The credential.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login'
    .OUTPUTS
    PpCmk.Credential
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('PpCmk.Credential')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-PpCmkCredential' }), 'Remove-PpCmkCredential')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkCredential', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name'), [string[]] @(), 'PpCmk.Credential', $null)
        }
    }
}

function Remove-PpCmkDesktopFlowConnection {
    <#
    .SYNOPSIS
    Deletes one of the caller's desktop flow connections.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER ConnectionName
    The connection.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkDesktopFlowConnection -EnvironmentName 00000000-0000-0000-0000-000000000000 -ConnectionName 'Invoice bots'
    .OUTPUTS
    PpCmk.DesktopFlowConnection
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('PpCmk.DesktopFlowConnection')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $ConnectionName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-PpCmkDesktopFlowConnection' }), 'Remove-PpCmkDesktopFlowConnection')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkDesktopFlowConnection', $PSBoundParameters, [string[]] @('EnvironmentName', 'ConnectionName'), [string[]] @(), 'PpCmk.DesktopFlowConnection', $null)
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
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName ppadmin@contoso.onmicrosoft.com
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('Global Administrator', 'Power Platform Administrator', 'Dynamics 365 Administrator')]
        [ValidateNotNullOrEmpty()]
        [string]
        $RoleName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('RoleName')) { $RoleName } else { 'Remove-PpCmkDirectoryRoleMember' }), 'Remove-PpCmkDirectoryRoleMember')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkDirectoryRoleMember', $PSBoundParameters, [string[]] @('RoleName', 'UserPrincipalName'), [string[]] @(), '', $null)
        }
    }
}

function Remove-PpCmkEnterprisePolicy {
    <#
    .SYNOPSIS
    Deletes a policy and its managed identity; refused while environments are linked.
    .PARAMETER ResourceId
    The policy's ARM resource id.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkEnterprisePolicy -ResourceId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('PolicyArmId', 'EnterprisePolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $ResourceId,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('ResourceId')) { $ResourceId } else { 'Remove-PpCmkEnterprisePolicy' }), 'Remove-PpCmkEnterprisePolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkEnterprisePolicy', $PSBoundParameters, [string[]] @('ResourceId'), [string[]] @(), '', $null)
        }
    }
}

function Remove-PpCmkEnvironmentFromEnterprisePolicy {
    <#
    .SYNOPSIS
    Removes an environment from its enterprise policy: it is disabled while its data returns to the Microsoft-managed key.
    .PARAMETER EnvironmentName
    The environment's id.
    .PARAMETER PolicyArmId
    The enterprise policy's ARM resource id.
    .PARAMETER NoWait
    Queue the operation and return.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkEnvironmentFromEnterprisePolicy -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy
    .OUTPUTS
    PpCmk.Operation
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('PpCmk.Operation')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('EnvironmentId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [Alias('EnterprisePolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyArmId,

        [Parameter()]
        [switch]
        $NoWait,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-PpCmkEnvironmentFromEnterprisePolicy' }), 'Remove-PpCmkEnvironmentFromEnterprisePolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkEnvironmentFromEnterprisePolicy', $PSBoundParameters, [string[]] @('EnvironmentName', 'PolicyArmId', 'NoWait'), [string[]] @(), 'PpCmk.Operation', $null)
        }
    }
}

function Remove-PpCmkFlowPermission {
    <#
    .SYNOPSIS
    Stops sharing a flow with a user.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow.
    .PARAMETER UserPrincipalName
    The user.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkFlowPermission -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -UserPrincipalName maker@contoso.onmicrosoft.com
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-PpCmkFlowPermission' }), 'Remove-PpCmkFlowPermission')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkFlowPermission', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'UserPrincipalName'), [string[]] @(), '', $null)
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
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkKeyVaultPrivateEndpoint -VaultName contoso-cmk-kv -EndpointName contoso-cmk-kv-pe
    .OUTPUTS
    PpCmk.KeyVault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
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
        $EndpointName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Remove-PpCmkKeyVaultPrivateEndpoint' }), 'Remove-PpCmkKeyVaultPrivateEndpoint')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkKeyVaultPrivateEndpoint', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'EndpointName'), [string[]] @(), 'PpCmk.KeyVault', $null)
        }
    }
}

function Remove-PpCmkRecord {
    <#
    .SYNOPSIS
    Deletes a record.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Table
    The table.
    .PARAMETER Id
    The record id.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkRecord -EnvironmentName 00000000-0000-0000-0000-000000000000 -Table account -Id 1
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Table,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Id,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-PpCmkRecord' }), 'Remove-PpCmkRecord')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkRecord', $PSBoundParameters, [string[]] @('EnvironmentName', 'Table', 'Id'), [string[]] @(), '', $null)
        }
    }
}

function Remove-PpCmkSecurityRoleMember {
    <#
    .SYNOPSIS
    Takes a Dataverse security role from a user.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER RoleName
    The security role. Allowed values: System Administrator, System Customizer, Environment Maker, Basic User.
    .PARAMETER UserPrincipalName
    The user.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkSecurityRoleMember -EnvironmentName 00000000-0000-0000-0000-000000000000 -RoleName 'Basic User' -UserPrincipalName maker@contoso.onmicrosoft.com
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateSet('System Administrator', 'System Customizer', 'Environment Maker', 'Basic User')]
        [ValidateNotNullOrEmpty()]
        [string]
        $RoleName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Remove-PpCmkSecurityRoleMember' }), 'Remove-PpCmkSecurityRoleMember')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkSecurityRoleMember', $PSBoundParameters, [string[]] @('EnvironmentName', 'RoleName', 'UserPrincipalName'), [string[]] @(), '', $null)
        }
    }
}

function Remove-PpCmkTenantByokKey {
    <#
    .SYNOPSIS
    Deletes the tenant's BYOK key; refused while it protects environments or within 28 days of a migration.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Remove-PpCmkTenantByokKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess('Remove-PpCmkTenantByokKey', 'Remove-PpCmkTenantByokKey')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Remove-PpCmkTenantByokKey', $PSBoundParameters, [string[]] @(), [string[]] @(), '', $null)
        }
    }
}

function Request-PpCmkFlowProtection {
    <#
    .SYNOPSIS
    The support ticket that protects a flow left on the Microsoft-managed key in an environment already on a customer key (000:100): the flow moves to the customer key and keeps its FlowName; its runs so far become legacy, an HTTP trigger gets its URL on the dedicated infrastructure.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .EXAMPLE
    Request-PpCmkFlowProtection -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111
    .OUTPUTS
    PpCmk.Flow
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Flow')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Request-PpCmkFlowProtection' }), 'Request-PpCmkFlowProtection')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Request-PpCmkFlowProtection', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName'), [string[]] @(), 'PpCmk.Flow', $null)
        }
    }
}

function Reset-PowerAppEnvironment {
    <#
    .SYNOPSIS
    Deletes an environment's data and backups; its encryption reverts to the Microsoft-managed key.
    .PARAMETER EnvironmentName
    The environment's id.
    .PARAMETER Force
    Run without asking for confirmation.
    .EXAMPLE
    Reset-PowerAppEnvironment -EnvironmentName 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Environment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('PpCmk.Environment')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [switch]
        $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Reset-PowerAppEnvironment' }), 'Reset-PowerAppEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Reset-PowerAppEnvironment', $PSBoundParameters, [string[]] @('EnvironmentName'), [string[]] @(), 'PpCmk.Environment', $null)
        }
    }
}

function Restore-PowerAppEnvironment {
    <#
    .SYNOPSIS
    Restores a backup over an environment: the same one, or one encrypted with the same customer-managed key.
    .PARAMETER SourceEnvironmentName
    The environment the backup belongs to.
    .PARAMETER TargetEnvironmentName
    The environment to overwrite.
    .PARAMETER BackupId
    The backup.
    .EXAMPLE
    Restore-PowerAppEnvironment -SourceEnvironmentName 00000000-0000-0000-0000-000000000000 -TargetEnvironmentName 00000000-0000-0000-0000-000000000000 -BackupId 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.DatabaseOperation
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DatabaseOperation')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $SourceEnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $TargetEnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $BackupId
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('SourceEnvironmentName')) { $SourceEnvironmentName } else { 'Restore-PowerAppEnvironment' }), 'Restore-PowerAppEnvironment')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Restore-PowerAppEnvironment', $PSBoundParameters, [string[]] @('SourceEnvironmentName', 'TargetEnvironmentName', 'BackupId'), [string[]] @(), 'PpCmk.DatabaseOperation', $null)
        }
    }
}

function Resume-PpCmkOperation {
    <#
    .SYNOPSIS
    Resumes a queued or interrupted operation from where it stopped.
    .PARAMETER OperationId
    The operation.
    .PARAMETER MaxRecords
    Re-encrypt at most this many records now and leave the operation Running, as the service does in the background (an added environment is Ready meanwhile).
    .EXAMPLE
    Resume-PpCmkOperation -OperationId 00000000-0000-0000-0000-000000000000
    .OUTPUTS
    PpCmk.Operation
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Operation')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $OperationId,

        [Parameter()]
        [ValidateRange(1, 1000000000)]
        [long]
        $MaxRecords
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('OperationId')) { $OperationId } else { 'Resume-PpCmkOperation' }), 'Resume-PpCmkOperation')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Resume-PpCmkOperation', $PSBoundParameters, [string[]] @('OperationId', 'MaxRecords'), [string[]] @(), 'PpCmk.Operation', $null)
        }
    }
}

function Set-AdminPowerAppEnvironmentGovernanceConfiguration {
    <#
    .SYNOPSIS
    Sets an environment's governance configuration: protectionLevel Standard (Managed Environment) or Basic.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER UpdatedGovernanceConfiguration
    e.g. @{protectionLevel='Standard'} or '{"protectionLevel":"Standard"}'.
    .PARAMETER ApiVersion
    Accepted for compatibility.
    .EXAMPLE
    Set-AdminPowerAppEnvironmentGovernanceConfiguration -EnvironmentName 00000000-0000-0000-0000-000000000000 -UpdatedGovernanceConfiguration @{protectionLevel='Standard'}
    .OUTPUTS
    PpCmk.Environment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Environment')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [object]
        $UpdatedGovernanceConfiguration,

        [Parameter()]
        [string]
        $ApiVersion
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-AdminPowerAppEnvironmentGovernanceConfiguration' }), 'Set-AdminPowerAppEnvironmentGovernanceConfiguration')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-AdminPowerAppEnvironmentGovernanceConfiguration', $PSBoundParameters, [string[]] @('EnvironmentName', 'UpdatedGovernanceConfiguration', 'ApiVersion'), [string[]] @(), 'PpCmk.Environment', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Set-AzKeyVaultAccessPolicy' }), 'Set-AzKeyVaultAccessPolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-AzKeyVaultAccessPolicy', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'ObjectId', 'UserPrincipalName', 'ServicePrincipalName', 'PermissionsToKeys', 'PermissionsToSecrets', 'PassThru'), [string[]] @(), 'PpCmk.KeyVault', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Set-AzKeyVaultKeyRotationPolicy' }), 'Set-AzKeyVaultKeyRotationPolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-AzKeyVaultKeyRotationPolicy', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name', 'ExpiresIn', 'KeyRotationLifetimeAction', 'LifetimeActionType', 'TimeAfterCreate', 'TimeBeforeExpiry', 'PolicyPath'), [string[]] @('PolicyPath'), 'PpCmk.KeyRotationPolicy', $null)
        }
    }
}

function Set-AzKeyVaultSecret {
    <#
    .SYNOPSIS
    Creates a secret or adds a version (needs secrets set: Key Vault Secrets Officer); the value is sealed and never shown again unless read with -AsPlainText.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER Name
    The secret.
    .PARAMETER SecretValue
    The value.
    .PARAMETER ContentType
    A hint about the value, e.g. password.
    .EXAMPLE
    Set-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -SecretValue (Read-Host -AsSecureString)
    .OUTPUTS
    PpCmk.KeyVaultSecret
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultSecret')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('SecretName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Mandatory = $true)]
        [securestring]
        $SecretValue,

        [Parameter()]
        [string]
        $ContentType
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Set-AzKeyVaultSecret' }), 'Set-AzKeyVaultSecret')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-AzKeyVaultSecret', $PSBoundParameters, [string[]] @('VaultName', 'Name', 'SecretValue', 'ContentType'), [string[]] @(), 'PpCmk.KeyVaultSecret', $null)
        }
    }
}

function Set-DlpPolicy {
    <#
    .SYNOPSIS
    Changes a DLP policy's name, scope or default classification; flows it puts in breach are suspended.
    .PARAMETER PolicyName
    The DLP policy's name (GUID) or display name.
    .PARAMETER DisplayName
    A new name.
    .PARAMETER EnvironmentType
    Which environments it covers. Allowed values: AllEnvironments, OnlyEnvironments, ExceptEnvironments.
    .PARAMETER Environments
    The environments for OnlyEnvironments or ExceptEnvironments.
    .PARAMETER DefaultConnectorClassification
    For connectors not classified. Allowed values: General, Confidential, Blocked, Business, NonBusiness.
    .EXAMPLE
    Set-DlpPolicy -PolicyName 'Finance DLP' -DefaultConnectorClassification Blocked
    .OUTPUTS
    PpCmk.DlpPolicy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DlpPolicy')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyName,

        [Parameter()]
        [string]
        $DisplayName,

        [Parameter()]
        [ValidateSet('AllEnvironments', 'OnlyEnvironments', 'ExceptEnvironments')]
        [string]
        $EnvironmentType,

        [Parameter()]
        [string[]]
        $Environments,

        [Parameter()]
        [ValidateSet('General', 'Confidential', 'Blocked', 'Business', 'NonBusiness')]
        [string]
        $DefaultConnectorClassification
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('PolicyName')) { $PolicyName } else { 'Set-DlpPolicy' }), 'Set-DlpPolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-DlpPolicy', $PSBoundParameters, [string[]] @('PolicyName', 'DisplayName', 'EnvironmentType', 'Environments', 'DefaultConnectorClassification'), [string[]] @(), 'PpCmk.DlpPolicy', $null)
        }
    }
}

function Set-PowerAppProtectionStatus {
    <#
    .SYNOPSIS
    Legacy BYOK: puts an environment under the tenant key (Customer) or back on the Microsoft-managed key (Microsoft).
    .PARAMETER EnvironmentName
    The environment's id.
    .PARAMETER ProtectionKeyManagedBy
    Customer: the tenant BYOK key; Microsoft: the Microsoft-managed key. Allowed values: Customer, Microsoft.
    .EXAMPLE
    Set-PowerAppProtectionStatus -EnvironmentName 00000000-0000-0000-0000-000000000000 -ProtectionKeyManagedBy Customer
    .OUTPUTS
    PpCmk.Environment
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Environment')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Customer', 'Microsoft')]
        [ValidateNotNullOrEmpty()]
        [string]
        $ProtectionKeyManagedBy
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PowerAppProtectionStatus' }), 'Set-PowerAppProtectionStatus')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PowerAppProtectionStatus', $PSBoundParameters, [string[]] @('EnvironmentName', 'ProtectionKeyManagedBy'), [string[]] @(), 'PpCmk.Environment', $null)
        }
    }
}

function Set-PpCmkAuditSetting {
    <#
    .SYNOPSIS
    Turns Dataverse auditing on or off for an environment and chooses the automation tables whose reads and changes are recorded.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Enabled
    Auditing at the environment level.
    .PARAMETER Tables
    The audited tables. Allowed values: Process, WorkQueue, WorkQueueItem, Credential, DesktopFlowModule, ConnectionReference.
    .EXAMPLE
    Set-PpCmkAuditSetting -EnvironmentName 00000000-0000-0000-0000-000000000000 -Enabled $true -Tables Process,Credential
    .OUTPUTS
    PpCmk.AuditSetting
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.AuditSetting')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [bool]
        $Enabled,

        [Parameter()]
        [ValidateSet('Process', 'WorkQueue', 'WorkQueueItem', 'Credential', 'DesktopFlowModule', 'ConnectionReference')]
        [string[]]
        $Tables
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkAuditSetting' }), 'Set-PpCmkAuditSetting')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkAuditSetting', $PSBoundParameters, [string[]] @('EnvironmentName', 'Enabled', 'Tables'), [string[]] @(), 'PpCmk.AuditSetting', $null)
        }
    }
}

function Set-PpCmkClock {
    <#
    .SYNOPSIS
    Moves the store's clock forward (retention, purge dates, rotation, 28- and 30-day rules) or back to real time (Global Administrator only).
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
        if ($PSCmdlet.ShouldProcess('Set-PpCmkClock', 'Set-PpCmkClock')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkClock', $PSBoundParameters, [string[]] @('AdvanceDays', 'AdvanceHours', 'Reset'), [string[]] @(), 'PpCmk.Clock', $null)
        }
    }
}

function Set-PpCmkCredential {
    <#
    .SYNOPSIS
    Edits a credential: points it at another key vault or secret, or changes its user name or how it signs in (its owner or a System Administrator, who must be able to read the new secret); machines sign in with the edited credential from the next sign-in.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    The credential.
    .PARAMETER VaultName
    Another key vault.
    .PARAMETER SecretName
    Another secret.
    .PARAMETER UserName
    Another user name ('' removes it).
    .PARAMETER AuthenticationType
    Sign in with a password or with certificate-based authentication from the next sign-in. Allowed values: Password, Certificate.
    .PARAMETER RequiresMfa
    Whether its account must meet multifactor authentication (MFA) to sign in.
    .EXAMPLE
    Set-PpCmkCredential -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'SAP login' -UserName svc-sap-2
    .OUTPUTS
    PpCmk.Credential
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Credential')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [string]
        $VaultName,

        [Parameter()]
        [string]
        $SecretName,

        [Parameter()]
        [string]
        $UserName,

        [Parameter()]
        [ValidateSet('Password', 'Certificate')]
        [string]
        $AuthenticationType,

        [Parameter()]
        [bool]
        $RequiresMfa
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkCredential' }), 'Set-PpCmkCredential')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkCredential', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name', 'VaultName', 'SecretName', 'UserName', 'AuthenticationType', 'RequiresMfa'), [string[]] @(), 'PpCmk.Credential', $null)
        }
    }
}

function Set-PpCmkDlpActionRule {
    <#
    .SYNOPSIS
    Allows or blocks single actions of a connector or action group, or sets the default for actions added later.
    .PARAMETER PolicyName
    The DLP policy's name (GUID) or display name.
    .PARAMETER Connector
    The connector or desktop action group.
    .PARAMETER Action
    Actions to rule on.
    .PARAMETER Behavior
    Allow or Block the -Action actions. Allowed values: Allow, Block.
    .PARAMETER DefaultBehavior
    Allow or Block actions without a rule (actions added later). Allowed values: Allow, Block.
    .EXAMPLE
    Set-PpCmkDlpActionRule -PolicyName 'Finance DLP' -Connector Excel -Action RunMacro -Behavior Block
    .OUTPUTS
    PpCmk.DlpPolicy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DlpPolicy')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Connector,

        [Parameter()]
        [string[]]
        $Action,

        [Parameter()]
        [ValidateSet('Allow', 'Block')]
        [string]
        $Behavior,

        [Parameter()]
        [ValidateSet('Allow', 'Block')]
        [string]
        $DefaultBehavior
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('PolicyName')) { $PolicyName } else { 'Set-PpCmkDlpActionRule' }), 'Set-PpCmkDlpActionRule')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkDlpActionRule', $PSBoundParameters, [string[]] @('PolicyName', 'Connector', 'Action', 'Behavior', 'DefaultBehavior'), [string[]] @(), 'PpCmk.DlpPolicy', $null)
        }
    }
}

function Set-PpCmkDlpConnectorClassification {
    <#
    .SYNOPSIS
    Classifies connectors or desktop-flow action groups in a DLP policy: Business, NonBusiness or Blocked.
    .PARAMETER PolicyName
    The DLP policy's name (GUID) or display name.
    .PARAMETER Connector
    Connector ids (shared_office365) or desktop action groups (Excel, Cmd, Credentials).
    .PARAMETER Classification
    Business (Confidential), NonBusiness (General) or Blocked. Allowed values: General, Confidential, Blocked, Business, NonBusiness.
    .EXAMPLE
    Set-PpCmkDlpConnectorClassification -PolicyName 'Finance DLP' -Connector Cmd -Classification Blocked
    .OUTPUTS
    PpCmk.DlpPolicy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DlpPolicy')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]]
        $Connector,

        [Parameter(Mandatory = $true)]
        [ValidateSet('General', 'Confidential', 'Blocked', 'Business', 'NonBusiness')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Classification
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('PolicyName')) { $PolicyName } else { 'Set-PpCmkDlpConnectorClassification' }), 'Set-PpCmkDlpConnectorClassification')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkDlpConnectorClassification', $PSBoundParameters, [string[]] @('PolicyName', 'Connector', 'Classification'), [string[]] @(), 'PpCmk.DlpPolicy', $null)
        }
    }
}

function Set-PpCmkEnterprisePolicy {
    <#
    .SYNOPSIS
    Changes a policy's key vault, key or key version; refused while environments are linked.
    .PARAMETER ResourceId
    The policy's ARM resource id.
    .PARAMETER KeyVaultId
    A new key vault resource id.
    .PARAMETER KeyName
    A new key name.
    .PARAMETER KeyVersion
    Pin this key version; an empty string unpins it.
    .EXAMPLE
    Set-PpCmkEnterprisePolicy -ResourceId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -KeyName contoso-cmk-key2
    .OUTPUTS
    PpCmk.EnterprisePolicy
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.EnterprisePolicy')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('PolicyArmId', 'EnterprisePolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $ResourceId,

        [Parameter()]
        [string]
        $KeyVaultId,

        [Parameter()]
        [string]
        $KeyName,

        [Parameter()]
        [string]
        $KeyVersion
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('ResourceId')) { $ResourceId } else { 'Set-PpCmkEnterprisePolicy' }), 'Set-PpCmkEnterprisePolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkEnterprisePolicy', $PSBoundParameters, [string[]] @('ResourceId', 'KeyVaultId', 'KeyName', 'KeyVersion'), [string[]] @(), 'PpCmk.EnterprisePolicy', $null)
        }
    }
}

function Set-PpCmkEnvironmentService {
    <#
    .SYNOPSIS
    Declares the apps and services an environment holds besides Dataverse and Power Automate, so the encryption report can say which of its data stores a customer-managed key covers (Dynamics 365 apps, finance and operations with or without Power Platform integration, the excluded Nuance Conversational IVR and Maker Welcome Content, Power Apps and Power Virtual Agents data outside Dataverse).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Service
    The services (replaces the list): Dynamics 365 Sales, Dynamics 365 Finance, Nuance Conversational IVR, Power Apps, ...
    .PARAMETER PowerPlatformIntegration
    Finance and operations apps with Power Platform integration (only then are they encrypted with the customer key).
    .EXAMPLE
    Set-PpCmkEnvironmentService -EnvironmentName 00000000-0000-0000-0000-000000000000 -Service 'Dynamics 365 Sales','Power Apps'
    .OUTPUTS
    PpCmk.DataStore
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.DataStore')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]]
        $Service,

        [Parameter()]
        [switch]
        $PowerPlatformIntegration
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkEnvironmentService' }), 'Set-PpCmkEnvironmentService')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkEnvironmentService', $PSBoundParameters, [string[]] @('EnvironmentName', 'Service', 'PowerPlatformIntegration'), [string[]] @(), 'PpCmk.DataStore', $null)
        }
    }
}

function Set-PpCmkEnvironmentSetting {
    <#
    .SYNOPSIS
    Sets environment settings: CreateFlowsInSolutionByDefault makes new flows solution flows (recommended in CMK-protected environments).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER CreateFlowsInSolutionByDefault
    $true: new flows are created in a Dataverse solution.
    .EXAMPLE
    Set-PpCmkEnvironmentSetting -EnvironmentName 00000000-0000-0000-0000-000000000000 -CreateFlowsInSolutionByDefault $true
    .OUTPUTS
    PpCmk.EnvironmentSetting
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.EnvironmentSetting')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [bool]
        $CreateFlowsInSolutionByDefault
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkEnvironmentSetting' }), 'Set-PpCmkEnvironmentSetting')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkEnvironmentSetting', $PSBoundParameters, [string[]] @('EnvironmentName', 'CreateFlowsInSolutionByDefault'), [string[]] @(), 'PpCmk.EnvironmentSetting', $null)
        }
    }
}

function Set-PpCmkFault {
    <#
    .SYNOPSIS
    Arms (or clears) a fault to rehearse failures: EnvironmentEncryption stops the next encryption after n records; VaultThrottle, VaultLatency, VaultErrors and VaultOffline degrade a vault's data plane (ppcmk serve and the Az key and secret commands alike).
    .PARAMETER Operation
    The fault point. Allowed values: EnvironmentEncryption, VaultThrottle, VaultLatency, VaultErrors, VaultOffline.
    .PARAMETER VaultName
    The key vault (or managed HSM) a Vault* fault degrades.
    .PARAMETER AfterRecords
    EnvironmentEncryption: fail after this many records.
    .PARAMETER RequestsPer10Seconds
    VaultThrottle: the vault's limit in RSA 2048-bit software key transactions per 10 seconds, instead of Key Vault's published 4,000; the other classes scale with it. Requests beyond it get 429 with Retry-After from ppcmk serve.
    .PARAMETER Milliseconds
    VaultLatency: latency added to every data-plane request.
    .PARAMETER Percent
    VaultErrors: the share of data-plane requests that fail.
    .PARAMETER StatusCode
    VaultErrors: 503 (ServiceUnavailable, with Retry-After) or 500 (FaultInjected).
    .PARAMETER Seconds
    VaultOffline: how long the vault is unavailable, on the store's clock (Set-PpCmkClock moves past it).
    .PARAMETER Clear
    Disarm the fault.
    .EXAMPLE
    Set-PpCmkFault -Operation VaultOffline -VaultName contoso-cmk-kv -Seconds 120
    .OUTPUTS
    PpCmk.Fault
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Fault')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('EnvironmentEncryption', 'VaultThrottle', 'VaultLatency', 'VaultErrors', 'VaultOffline')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Operation,

        [Parameter()]
        [string]
        $VaultName,

        [Parameter()]
        [ValidateRange(0, 9223372036854775807)]
        [long]
        $AfterRecords,

        [Parameter()]
        [ValidateRange(1, 1000000)]
        [long]
        $RequestsPer10Seconds,

        [Parameter()]
        [ValidateRange(0, 60000)]
        [long]
        $Milliseconds,

        [Parameter()]
        [ValidateRange(0, 100)]
        [long]
        $Percent,

        [Parameter()]
        [ValidateRange(500, 503)]
        [long]
        $StatusCode,

        [Parameter()]
        [ValidateRange(1, 2592000)]
        [long]
        $Seconds,

        [Parameter()]
        [switch]
        $Clear
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Operation')) { $Operation } else { 'Set-PpCmkFault' }), 'Set-PpCmkFault')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkFault', $PSBoundParameters, [string[]] @('Operation', 'VaultName', 'AfterRecords', 'RequestsPer10Seconds', 'Milliseconds', 'Percent', 'StatusCode', 'Seconds', 'Clear'), [string[]] @(), 'PpCmk.Fault', $null)
        }
    }
}

function Set-PpCmkFirewallAllowList {
    <#
    .SYNOPSIS
    Sets the allow-list of the firewall in front of the systems an environment's flows call: service tags (or IP ranges). After a customer key applies, outbound HTTP and on-premises calls come from PowerPlatformPlex; without it they fail with the documented error. Empty lists turn the firewall off.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER ServiceTag
    Allowed service tags: PowerPlatformPlex, LogicApps, AzureConnectors, PowerPlatformInfra.
    .PARAMETER IpRange
    Allowed IPv4 ranges (CIDR). Kept and shown; ppcmk has no copy of Azure's published ranges, so only a service tag lets a tag's calls through.
    .EXAMPLE
    Set-PpCmkFirewallAllowList -EnvironmentName 00000000-0000-0000-0000-000000000000 -ServiceTag LogicApps,PowerPlatformPlex
    .OUTPUTS
    PpCmk.FirewallAllowList
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.FirewallAllowList')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter()]
        [string[]]
        $ServiceTag,

        [Parameter()]
        [string[]]
        $IpRange
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkFirewallAllowList' }), 'Set-PpCmkFirewallAllowList')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkFirewallAllowList', $PSBoundParameters, [string[]] @('EnvironmentName', 'ServiceTag', 'IpRange'), [string[]] @(), 'PpCmk.FirewallAllowList', $null)
        }
    }
}

function Set-PpCmkFlow {
    <#
    .SYNOPSIS
    Changes a flow; it keeps its key (use Copy-PpCmkFlow to move a flow off the Microsoft-managed key).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .PARAMETER DisplayName
    A new display name.
    .PARAMETER Kind
    Cloud or Desktop. Allowed values: Cloud, Desktop.
    .PARAMETER Trigger
    A new trigger type. Allowed values: PowerAppsV1, PowerAppsV2, Http, Teams, Recurrence, Automated, Manual, CopilotSkill.
    .PARAMETER InSolution
    In a Dataverse solution (-InSolution:$false to take it out).
    .PARAMETER ChildFlow
    Replaces the child flows it calls.
    .PARAMETER Action
    Replaces the actions it uses.
    .PARAMETER Definition
    Replaces the definition (JSON).
    .PARAMETER Enabled
    Turns the flow on or off.
    .PARAMETER ConnectionSource
    Embedded or Invoker (Copilot Skills trigger). Allowed values: Embedded, Invoker.
    .EXAMPLE
    Set-PpCmkFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -Trigger PowerAppsV2
    .OUTPUTS
    PpCmk.Flow
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Flow')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter()]
        [string]
        $DisplayName,

        [Parameter()]
        [ValidateSet('Cloud', 'Desktop')]
        [string]
        $Kind,

        [Parameter()]
        [ValidateSet('PowerAppsV1', 'PowerAppsV2', 'Http', 'Teams', 'Recurrence', 'Automated', 'Manual', 'CopilotSkill')]
        [string]
        $Trigger,

        [Parameter()]
        [switch]
        $InSolution,

        [Parameter()]
        [string[]]
        $ChildFlow,

        [Parameter()]
        [string[]]
        $Action,

        [Parameter()]
        [object]
        $Definition,

        [Parameter()]
        [bool]
        $Enabled,

        [Parameter()]
        [ValidateSet('Embedded', 'Invoker')]
        [string]
        $ConnectionSource
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkFlow' }), 'Set-PpCmkFlow')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkFlow', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'DisplayName', 'Kind', 'Trigger', 'InSolution', 'ChildFlow', 'Action', 'Definition', 'Enabled', 'ConnectionSource'), [string[]] @(), 'PpCmk.Flow', $null)
        }
    }
}

function Set-PpCmkFlowPermission {
    <#
    .SYNOPSIS
    Shares a flow: Owner, CoOwner (manage and edit) or User (run only).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow.
    .PARAMETER UserPrincipalName
    The user.
    .PARAMETER Role
    The access to give. Allowed values: Owner, CoOwner, User.
    .EXAMPLE
    Set-PpCmkFlowPermission -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -UserPrincipalName maker@contoso.onmicrosoft.com -Role User
    .OUTPUTS
    PpCmk.FlowPermission
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.FlowPermission')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $UserPrincipalName,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Owner', 'CoOwner', 'User')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Role
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkFlowPermission' }), 'Set-PpCmkFlowPermission')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkFlowPermission', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'UserPrincipalName', 'Role'), [string[]] @(), 'PpCmk.FlowPermission', $null)
        }
    }
}

function Set-PpCmkMachineMapping {
    <#
    .SYNOPSIS
    Machine mapping: maps a machine to the dedicated credential that signs in to it (its Windows session) in desktop flow connections that use machine mapping (whoever registered it or a System Administrator).
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER MachineName
    The machine.
    .PARAMETER CredentialName
    The credential that signs in to it (one the caller may use).
    .EXAMPLE
    Set-PpCmkMachineMapping -EnvironmentName 00000000-0000-0000-0000-000000000000 -MachineName BOT-01 -CredentialName 'BOT-01 session'
    .OUTPUTS
    PpCmk.Machine
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Machine')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $MachineName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $CredentialName
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Set-PpCmkMachineMapping' }), 'Set-PpCmkMachineMapping')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkMachineMapping', $PSBoundParameters, [string[]] @('EnvironmentName', 'MachineName', 'CredentialName'), [string[]] @(), 'PpCmk.Machine', $null)
        }
    }
}

function Set-PpCmkTenantByokKey {
    <#
    .SYNOPSIS
    Imports the tenant's legacy BYOK protection key from an RSA private key file.
    .PARAMETER KeyFilePath
    An RSA private key: PEM (PKCS#1, PKCS#8, encrypted PKCS#8) or DER.
    .PARAMETER KeyFilePassword
    The password of an encrypted key file.
    .EXAMPLE
    Set-PpCmkTenantByokKey -KeyFilePath ./tenant-key.pem
    .OUTPUTS
    PpCmk.TenantProtectionKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.TenantProtectionKey')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $KeyFilePath,

        [Parameter()]
        [securestring]
        $KeyFilePassword
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('KeyFilePath')) { $KeyFilePath } else { 'Set-PpCmkTenantByokKey' }), 'Set-PpCmkTenantByokKey')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkTenantByokKey', $PSBoundParameters, [string[]] @('KeyFilePath', 'KeyFilePassword'), [string[]] @('KeyFilePath'), 'PpCmk.TenantProtectionKey', $null)
        }
    }
}

function Set-PpCmkTenantSetting {
    <#
    .SYNOPSIS
    Sets tenant settings (Global Administrator): CmkEnvironmentLimit, the number of CMK-protected environments (default 25; Microsoft raises it by support ticket), and how many days locked environments are kept before they are deleted (production 28, as 004:416 says; other types 7).
    .PARAMETER CmkEnvironmentLimit
    The tenant's limit of CMK-protected environments.
    .PARAMETER LockedProductionDeletionDays
    Days a locked production environment is kept before it is deleted (default 28, from 004:416; Microsoft's later cmk-lock-unlock page says 30).
    .PARAMETER LockedNonProductionDeletionDays
    Days a locked environment of another type (sandbox, developer) is kept before it is deleted (default 7).
    .EXAMPLE
    Set-PpCmkTenantSetting -CmkEnvironmentLimit 50
    .OUTPUTS
    PpCmk.TenantSetting
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.TenantSetting')]
    param(
        [Parameter()]
        [ValidateRange(1, 10000)]
        [long]
        $CmkEnvironmentLimit,

        [Parameter()]
        [ValidateRange(1, 365)]
        [long]
        $LockedProductionDeletionDays,

        [Parameter()]
        [ValidateRange(1, 365)]
        [long]
        $LockedNonProductionDeletionDays
    )
    process {
        if ($PSCmdlet.ShouldProcess('Set-PpCmkTenantSetting', 'Set-PpCmkTenantSetting')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Set-PpCmkTenantSetting', $PSBoundParameters, [string[]] @('CmkEnvironmentLimit', 'LockedProductionDeletionDays', 'LockedNonProductionDeletionDays'), [string[]] @(), 'PpCmk.TenantSetting', $null)
        }
    }
}

function Start-PpCmkFlowRun {
    <#
    .SYNOPSIS
    Records a run of a flow with its trigger inputs and action outputs; values named sensitive are never stored.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The flow's id (FlowName, a GUID).
    .PARAMETER Inputs
    The trigger's inputs (JSON).
    .PARAMETER Outputs
    The actions' outputs (JSON).
    .PARAMETER Status
    How the run ended. Allowed values: Succeeded, Failed, Cancelled.
    .PARAMETER SensitiveInput
    Names of -Inputs properties to mask; never stored.
    .PARAMETER SensitiveOutput
    Names of -Outputs properties to mask; never stored.
    .PARAMETER DurationMs
    How long the run took.
    .PARAMETER HostedMachineGroup
    A desktop flow: the hosted machine group it runs on (one provisioned before the customer key fails until re-provisioned).
    .PARAMETER DesktopFlowConnection
    A desktop flow: the desktop flow connection whose credential signs in to the machine (read from its key vault now).
    .PARAMETER MachineName
    With -DesktopFlowConnection to a machine group: the machine of the group to run on (default: the first by name).
    .PARAMETER RunMode
    With -DesktopFlowConnection: an attended or unattended run. Allowed values: Attended, Unattended.
    .EXAMPLE
    Start-PpCmkFlowRun -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -Inputs '{"invoice":"INV-7","card":"4111"}' -SensitiveInput card
    .OUTPUTS
    PpCmk.FlowRun
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.FlowRun')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter()]
        [object]
        $Inputs,

        [Parameter()]
        [object]
        $Outputs,

        [Parameter()]
        [ValidateSet('Succeeded', 'Failed', 'Cancelled')]
        [string]
        $Status,

        [Parameter()]
        [string[]]
        $SensitiveInput,

        [Parameter()]
        [string[]]
        $SensitiveOutput,

        [Parameter()]
        [ValidateRange(0, 2592000000)]
        [long]
        $DurationMs,

        [Parameter()]
        [string]
        $HostedMachineGroup,

        [Parameter()]
        [string]
        $DesktopFlowConnection,

        [Parameter()]
        [string]
        $MachineName,

        [Parameter()]
        [ValidateSet('Attended', 'Unattended')]
        [string]
        $RunMode
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Start-PpCmkFlowRun' }), 'Start-PpCmkFlowRun')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Start-PpCmkFlowRun', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'Inputs', 'Outputs', 'Status', 'SensitiveInput', 'SensitiveOutput', 'DurationMs', 'HostedMachineGroup', 'DesktopFlowConnection', 'MachineName', 'RunMode'), [string[]] @(), 'PpCmk.FlowRun', $null)
        }
    }
}

function Switch-PpCmkEnvironmentEnterprisePolicy {
    <#
    .SYNOPSIS
    Changes an environment's key: removes it from its policy, then adds it to the new one (two downtimes).
    .PARAMETER EnvironmentName
    The environment's id.
    .PARAMETER PolicyArmId
    The new enterprise policy's ARM resource id.
    .EXAMPLE
    Switch-PpCmkEnvironmentEnterprisePolicy -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy-2
    .OUTPUTS
    PpCmk.Operation
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.Operation')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('EnvironmentId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [Alias('NewPolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyArmId
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Switch-PpCmkEnvironmentEnterprisePolicy' }), 'Switch-PpCmkEnvironmentEnterprisePolicy')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Switch-PpCmkEnvironmentEnterprisePolicy', $PSBoundParameters, [string[]] @('EnvironmentName', 'PolicyArmId'), [string[]] @(), 'PpCmk.Operation', $null)
        }
    }
}

function Test-PpCmkAuditLog {
    <#
    .SYNOPSIS
    Verifies the audit log's MAC chain and its recorded head; reports the first broken link (Global Administrator).
    .PARAMETER FailOn
    Exit 1 (an error in PowerShell) when the check reaches this Status; Fail by default. Allowed values: Warn, Fail.
    .EXAMPLE
    Test-PpCmkAuditLog
    .OUTPUTS
    PpCmk.AuditLogCheck
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.AuditLogCheck')]
    param(
        [Parameter()]
        [ValidateSet('Warn', 'Fail')]
        [string]
        $FailOn
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Test-PpCmkAuditLog', $PSBoundParameters, [string[]] @('FailOn'), [string[]] @(), 'PpCmk.AuditLogCheck', $null)
    }
}

function Test-PpCmkDesktopFlow {
    <#
    .SYNOPSIS
    Lints a desktop flow against the documented rules: sensitive values passed as input variables instead of Get credential, sensitive values copied into non-sensitive variables, connection strings built from sensitive values.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER FlowName
    The desktop flow.
    .PARAMETER FailOn
    Exit 1 (an error in PowerShell) when a rule reaches this Status. Allowed values: Warn, Fail.
    .EXAMPLE
    Test-PpCmkDesktopFlow -EnvironmentName 00000000-0000-0000-0000-000000000000 -FlowName 11111111-1111-1111-1111-111111111111 -FailOn Fail
    .OUTPUTS
    PpCmk.DesktopFlowLint
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.DesktopFlowLint')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $FlowName,

        [Parameter()]
        [ValidateSet('Warn', 'Fail')]
        [string]
        $FailOn
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Test-PpCmkDesktopFlow', $PSBoundParameters, [string[]] @('EnvironmentName', 'FlowName', 'FailOn'), [string[]] @(), 'PpCmk.DesktopFlowLint', $null)
    }
}

function Test-PpCmkKeyVaultForCmk {
    <#
    .SYNOPSIS
    Checks a key vault for a policy: soft delete, purge protection, the identity's get/wrapKey/unwrapKey, the key's state.
    .PARAMETER KeyVaultName
    The key vault (or managed HSM).
    .PARAMETER EnterprisePolicyArmId
    The policy's ARM resource id.
    .PARAMETER SubscriptionId
    Accepted for compatibility with ValidateKeyVaultForCMK.ps1.
    .EXAMPLE
    Test-PpCmkKeyVaultForCmk -KeyVaultName contoso-cmk-kv -EnterprisePolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy
    .OUTPUTS
    PpCmk.KeyVaultCheck
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyVaultCheck')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $KeyVaultName,

        [Parameter(Mandatory = $true)]
        [Alias('PolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnterprisePolicyArmId,

        [Parameter()]
        [string]
        $SubscriptionId
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Test-PpCmkKeyVaultForCmk', $PSBoundParameters, [string[]] @('KeyVaultName', 'EnterprisePolicyArmId', 'SubscriptionId'), [string[]] @(), 'PpCmk.KeyVaultCheck', $null)
    }
}

function Test-PpCmkKeyVersionInUse {
    <#
    .SYNOPSIS
    Whether a key version (or every version of a key) is still needed, and by what until when: data keys it wraps, backups in retention, the 28-day rule after a rotation, environments removed from a policy within 30 days, locked environments.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER Name
    The key.
    .PARAMETER Version
    This version (default: every version of the key, newest first).
    .EXAMPLE
    Test-PpCmkKeyVersionInUse -VaultName contoso-cmk-kv -Name contoso-cmk
    .OUTPUTS
    PpCmk.KeyVersionUse
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.KeyVersionUse')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(Mandatory = $true, Position = 1)]
        [Alias('KeyName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter(Position = 2)]
        [Alias('KeyVersion')]
        [string]
        $Version
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Test-PpCmkKeyVersionInUse', $PSBoundParameters, [string[]] @('VaultName', 'Name', 'Version'), [string[]] @(), 'PpCmk.KeyVersionUse', $null)
    }
}

function Test-PpCmkReadiness {
    <#
    .SYNOPSIS
    Pre-flight: checks every documented rule that would stop or surprise adding environments to an enterprise policy; one row per check with Status, Detail and Remedy.
    .PARAMETER EnvironmentName
    The environments to add.
    .PARAMETER PolicyArmId
    The enterprise policy's ARM resource id.
    .PARAMETER FailOn
    Fail (exit 1 in the CLI, an error in PowerShell) when any row reaches this Status. Allowed values: Warn, Fail.
    .EXAMPLE
    Test-PpCmkReadiness -EnvironmentName 00000000-0000-0000-0000-000000000000 -PolicyArmId /subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/contoso-cmk/providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy -FailOn Fail
    .OUTPUTS
    PpCmk.ReadinessCheck
    #>
    [CmdletBinding()]
    [OutputType('PpCmk.ReadinessCheck')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('EnvironmentId')]
        [ValidateNotNullOrEmpty()]
        [string[]]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [Alias('EnterprisePolicyArmId')]
        [ValidateNotNullOrEmpty()]
        [string]
        $PolicyArmId,

        [Parameter()]
        [ValidateSet('Warn', 'Fail')]
        [string]
        $FailOn
    )
    process {
        [PpCmk.Host]::Run($PSCmdlet, 'Test-PpCmkReadiness', $PSBoundParameters, [string[]] @('EnvironmentName', 'PolicyArmId', 'FailOn'), [string[]] @(), 'PpCmk.ReadinessCheck', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Undo-AzKeyVaultKeyRemoval' }), 'Undo-AzKeyVaultKeyRemoval')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Undo-AzKeyVaultKeyRemoval', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name'), [string[]] @(), 'PpCmk.KeyVaultKey', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Undo-AzKeyVaultRemoval' }), 'Undo-AzKeyVaultRemoval')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Undo-AzKeyVaultRemoval', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'Location'), [string[]] @(), 'PpCmk.KeyVault', $null)
        }
    }
}

function Undo-AzKeyVaultSecretRemoval {
    <#
    .SYNOPSIS
    Recovers a soft-deleted secret.
    .PARAMETER VaultName
    The key vault.
    .PARAMETER Name
    The secret.
    .EXAMPLE
    Undo-AzKeyVaultSecretRemoval -VaultName contoso-kv -Name sap-password
    .OUTPUTS
    PpCmk.KeyVaultSecret
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.KeyVaultSecret')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $VaultName,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('SecretName')]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Undo-AzKeyVaultSecretRemoval' }), 'Undo-AzKeyVaultSecretRemoval')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Undo-AzKeyVaultSecretRemoval', $PSBoundParameters, [string[]] @('VaultName', 'Name'), [string[]] @(), 'PpCmk.KeyVaultSecret', $null)
        }
    }
}

function Update-AzADUser {
    <#
    .SYNOPSIS
    Changes a user: enables or disables the account, or changes its display name or mail alias (Global Administrator only).
    .PARAMETER UPNOrObjectId
    The user's principal name or object id.
    .PARAMETER ObjectId
    The user's object id.
    .PARAMETER AccountEnabled
    $false disables the account: it can no longer sign in or act, even if signed in.
    .PARAMETER DisplayName
    A new display name.
    .PARAMETER MailNickname
    A new mail alias.
    .PARAMETER PassThru
    Output the user after the change.
    .EXAMPLE
    Update-AzADUser -UPNOrObjectId kvadmin@contoso.onmicrosoft.com -AccountEnabled $false
    .OUTPUTS
    PpCmk.ADUser
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.ADUser')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('UserPrincipalName', 'UPN')]
        [string]
        $UPNOrObjectId,

        [Parameter()]
        [Alias('Id')]
        [string]
        $ObjectId,

        [Parameter()]
        [bool]
        $AccountEnabled,

        [Parameter()]
        [string]
        $DisplayName,

        [Parameter()]
        [string]
        $MailNickname,

        [Parameter()]
        [switch]
        $PassThru
    )
    process {
        if ($PSCmdlet.ShouldProcess('Update-AzADUser', 'Update-AzADUser')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Update-AzADUser', $PSBoundParameters, [string[]] @('UPNOrObjectId', 'ObjectId', 'AccountEnabled', 'DisplayName', 'MailNickname', 'PassThru'), [string[]] @(), 'PpCmk.ADUser', $null)
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
    $true: vault access policies; $false: Azure RBAC. Changing it also needs Owner or User Access Administrator on the vault.
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Update-AzKeyVault' }), 'Update-AzKeyVault')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Update-AzKeyVault', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'EnablePurgeProtection', 'DisableRbacAuthorization', 'PublicNetworkAccess'), [string[]] @(), 'PpCmk.KeyVault', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('Name')) { $Name } else { 'Update-AzKeyVaultKey' }), 'Update-AzKeyVaultKey')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Update-AzKeyVaultKey', $PSBoundParameters, [string[]] @('VaultName', 'HsmName', 'Name', 'Version', 'Enable', 'Expires', 'NotBefore', 'KeyOps', 'Tag', 'PassThru'), [string[]] @(), 'PpCmk.KeyVaultKey', $null)
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
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('VaultName')) { $VaultName } else { 'Update-AzKeyVaultNetworkRuleSet' }), 'Update-AzKeyVaultNetworkRuleSet')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Update-AzKeyVaultNetworkRuleSet', $PSBoundParameters, [string[]] @('VaultName', 'ResourceGroupName', 'DefaultAction', 'Bypass', 'IpAddressRange', 'PassThru'), [string[]] @(), 'PpCmk.KeyVault', $null)
        }
    }
}

function Update-PpCmkHostedMachineGroup {
    <#
    .SYNOPSIS
    "Reprovision group" (-Reprovision): after a customer key applies, existing hosted machine groups must be re-provisioned so their VM disks are encrypted with it; or sets the hybrid join network credential.
    .PARAMETER EnvironmentName
    The environment's id (EnvironmentName, a GUID).
    .PARAMETER Name
    The group.
    .PARAMETER Reprovision
    Re-provision the group under the environment's current key.
    .PARAMETER NetworkCredential
    Another credential for the hybrid join network connection.
    .EXAMPLE
    Update-PpCmkHostedMachineGroup -EnvironmentName 00000000-0000-0000-0000-000000000000 -Name 'Invoice bots' -Reprovision
    .OUTPUTS
    PpCmk.HostedMachineGroup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PpCmk.HostedMachineGroup')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $EnvironmentName,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]
        $Name,

        [Parameter()]
        [switch]
        $Reprovision,

        [Parameter()]
        [string]
        $NetworkCredential
    )
    process {
        if ($PSCmdlet.ShouldProcess($(if ($PSBoundParameters.ContainsKey('EnvironmentName')) { $EnvironmentName } else { 'Update-PpCmkHostedMachineGroup' }), 'Update-PpCmkHostedMachineGroup')) {
            [PpCmk.Host]::Run($PSCmdlet, 'Update-PpCmkHostedMachineGroup', $PSBoundParameters, [string[]] @('EnvironmentName', 'Name', 'Reprovision', 'NetworkCredential'), [string[]] @(), 'PpCmk.HostedMachineGroup', $null)
        }
    }
}
