# Every command once (issue 12): each command's documented example
# (docs/commands/<Command>.md, generated from the registry) runs through the
# PowerShell module in its own copy of one prepared tenant, with no error,
# and every object it returns has the documented type name and properties,
# in the documented order (a command that writes only with -PassThru runs
# a second time with it). The example runs as written, but: without the
# leading `ppcmk` and `-OutputFormat`; placeholder ids (00000000-…,
# 11111111-…, 00aa00aa-…) replaced by the prepared objects' ids, by command
# and parameter name; `(Read-Host -AsSecureString)` replaced by a fixed
# SecureString; -Confirm:$false and -ErrorAction Stop added. Power Platform
# commands run as the Power Platform administrator, the others as the
# Global Administrator. An example that needs what the shared tenant cannot
# hold for every other one (a removed key, a queued operation, a tenant
# without the walkthrough's vault, …) gets it first from a table of
# preconditions.
BeforeDiscovery {
    # One case per command: its example, signed-in side and documented output.
    $docs = Join-Path -Path $PSScriptRoot -ChildPath '../../docs/commands'
    $script:Cases = @(Get-ChildItem -LiteralPath $docs -Filter '*-*.md' | Sort-Object -Property Name | ForEach-Object {
            $text = [System.IO.File]::ReadAllText($_.FullName)
            $example = [regex]::Match($text, '(?ms)^## Example\s*\r?\n```\r?\n(ppcmk [^\r\n]+)').Groups[1].Value
            $side = [regex]::Match($text, 'Signed-in side: (Azure|Power Platform|the engine)').Groups[1].Value
            $output = [regex]::Match($text, '(?ms)^## Output\s*\r?\n\s*(.+?)\r?\n\r?\n').Groups[1].Value
            $typeName = $null
            $properties = @()
            $m = [regex]::Match($output, '^`([^`]+)` objects with the properties (.+)\.$')
            if ($m.Success) {
                $typeName = $m.Groups[1].Value
                $properties = @([regex]::Matches($m.Groups[2].Value, '`([^`]+)`') | ForEach-Object { $_.Groups[1].Value })
            }
            @{ Command = $_.BaseName; Example = $example; Side = $side; TypeName = $typeName; Properties = $properties; Output = $output }
        })
}

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:PreviousHome = $env:PPCMK_HOME
    $script:Base = Initialize-TestStore
    $script:Maker = 'maker@contoso.onmicrosoft.com'
    $script:KvAdmin = 'kvadmin@contoso.onmicrosoft.com'

    # The prepared tenant, shared (copied) by every case: the walkthrough's
    # tenant, and what the other examples name.
    $script:T = New-TestTenant -Records 200
    $T.MakerId = (New-AzADUser -DisplayName 'Maker' -UserPrincipalName $Maker).Id
    $T.AdminId = (Get-AzADUser -UserPrincipalName $GlobalAdmin).Id
    # A second key and a second policy on it (Set-PpCmkEnterprisePolicy, Switch-…).
    Add-AzKeyVaultKey -VaultName $T.VaultName -Name contoso-cmk-key2 -Destination Software -KeyType RSA -Size 2048 | Out-Null
    $policy2 = New-PpCmkEnterprisePolicy -ResourceGroup $T.ResourceGroupName -Name contoso-cmk-policy-2 -Location unitedstates -KeyVaultId $T.VaultId -KeyName contoso-cmk-key2
    $T.Policy2Id = $policy2.ResourceId
    New-AzRoleAssignment -ObjectId $policy2.PrincipalId -RoleDefinitionName 'Key Vault Crypto Service Encryption User' -Scope $T.VaultId | Out-Null
    New-AzRoleAssignment -ObjectId $T.PpAdminId -RoleDefinitionName Reader -Scope $T.Policy2Id | Out-Null
    # A vault of secrets with the docs' secret (New-PpCmkCredential, *-AzKeyVaultSecret).
    $kv = New-AzKeyVault -Name contoso-kv -ResourceGroupName $T.ResourceGroupName -Location centralus
    $T.SecretVaultId = $kv.ResourceId
    New-AzRoleAssignment -SignInName $GlobalAdmin -RoleDefinitionName 'Key Vault Secrets Officer' -Scope $kv.ResourceId | Out-Null
    Set-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -SecretValue (ConvertTo-SecureString 'S3cret!' -AsPlainText -Force) | Out-Null
    # The credential's creator reads the secret (New-PpCmkCredential).
    New-AzRoleAssignment -ObjectId $T.PpAdminId -RoleDefinitionName 'Key Vault Secrets User' -Scope $kv.ResourceId | Out-Null
    Invoke-As $PpAdmin {
        # A second environment (copy target), a backup, a connection, a desktop flow, a run.
        $second = New-AdminPowerAppEnvironment -DisplayName Target -Location unitedstates -EnvironmentSku Sandbox -ProvisionDatabase
        $T.SecondEnvironmentName = $second.EnvironmentName
        New-PpCmkRecord -EnvironmentName $T.EnvironmentName -Table account -Id 1 -Data '{"name":"Fabrikam"}' | Out-Null
        $backup = Backup-PowerAppEnvironment -EnvironmentName $T.EnvironmentName -Label nightly
        $T.BackupId = $backup.BackupId
        $connection = New-PpCmkConnection -EnvironmentName $T.EnvironmentName -Connector shared_sendgrid -AuthType ApiKey -Secret (ConvertTo-SecureString 'key' -AsPlainText -Force)
        $T.ConnectionName = $connection.ConnectionName
        $desktop = New-PpCmkFlow -EnvironmentName $T.EnvironmentName -DisplayName 'Invoice bot' -Kind Desktop -Trigger Manual
        $T.DesktopFlowName = $desktop.FlowName
        Start-PpCmkFlowRun -EnvironmentName $T.EnvironmentName -FlowName $T.Flows['Invoice HTTP'] -Inputs '{"invoice":"INV-1"}' | Out-Null
    }
    # The files the examples name, in the store folder (each case runs there).
    $template = @'
{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {},
  "resources": [
    {
      "type": "Microsoft.PowerPlatform/enterprisePolicies",
      "apiVersion": "2020-10-30",
      "name": "contoso-cmk-policy-3",
      "location": "unitedstates",
      "kind": "Encryption",
      "identity": { "type": "SystemAssigned" },
      "properties": {
        "lockbox": null,
        "encryption": { "state": "Enabled", "keyVault": { "id": "@VAULT@", "key": { "name": "contoso-cmk" } } },
        "networkInjection": null
      }
    }
  ]
}
'@
    [System.IO.File]::WriteAllText((Join-Path $Base 'enterprise-policy.json'), $template.Replace('@VAULT@', $T.VaultId))
    & openssl genrsa -out (Join-Path $Base 'tenant-key.pem') 2048 2>$null
    if ($LASTEXITCODE -ne 0) { throw 'openssl genrsa failed' }

    # A new store folder, removed after the file (the module opens one handle per folder).
    $script:Folders = New-Object System.Collections.Generic.List[string]
    function New-StoreFolder {
        $folder = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('ppcmk-pester-commands-' + [guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $folder | Out-Null
        $Folders.Add($folder)
        return $folder
    }
    # A copy of the prepared store (SQLite in WAL mode: the database and its -wal file).
    function New-StoreCopy {
        $folder = New-StoreFolder
        Get-ChildItem -LiteralPath $Base -File | Where-Object { $_.Name -notlike '*-shm' } | ForEach-Object {
            [System.IO.File]::Copy($_.FullName, (Join-Path $folder $_.Name))
        }
        return $folder
    }

    # The value of a placeholder argument, by command and parameter name.
    function Get-Substitute {
        param([string] $Command, [string] $Parameter)
        $byCommand = @{
            'Copy-PowerAppEnvironment|TargetEnvironmentName' = $T.SecondEnvironmentName
            'Restore-PowerAppEnvironment|TargetEnvironmentName' = $T.EnvironmentName
            'Test-PpCmkDesktopFlow|FlowName' = $T.DesktopFlowName
            'Register-PpCmkAppFlowReference|FlowName' = $T.Flows['Approval app']
            'Set-AzKeyVaultAccessPolicy|ObjectId' = $T.IdentityId
            'Remove-AzKeyVaultAccessPolicy|ObjectId' = $T.IdentityId
            'New-AzRoleAssignment|ObjectId' = $T.MakerId
            'New-AzKeyVaultManagedHsm|Administrator' = $T.AdminId
            'Resume-PpCmkOperation|OperationId' = $script:Pre['OperationId']
        }
        $byParameter = @{
            EnvironmentName = $T.EnvironmentName
            SourceEnvironmentName = $T.EnvironmentName
            TargetEnvironmentName = $T.SecondEnvironmentName
            FlowName = $T.Flows['Invoice HTTP']
            BackupId = $T.BackupId
            ConnectionName = $T.ConnectionName
        }
        if ($byCommand.ContainsKey("$Command|$Parameter")) { return $byCommand["$Command|$Parameter"] }
        if ($byParameter.ContainsKey($Parameter)) { return $byParameter[$Parameter] }
        return $null
    }

    # The example as a PowerShell command line: without the leading ppcmk and
    # -OutputFormat, placeholders replaced, Read-Host replaced by a fixed value.
    function ConvertTo-PowerShellLine {
        param([string] $Command, [string] $Example)
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Example, [ref] $tokens, [ref] $errors)
        if ($errors.Count -gt 0) { throw "The example of $Command does not parse: $($errors[0].Message)" }
        $commandAst = $ast.Find({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)
        $elements = @($commandAst.CommandElements)
        if ($elements[0].Extent.Text -ne 'ppcmk' -or $elements[1].Extent.Text -ne $Command) {
            throw "The example of $Command does not start with 'ppcmk $Command': $Example"
        }
        $parts = New-Object System.Collections.Generic.List[string]
        $parts.Add($Command)
        $current = $null
        $skip = $false
        for ($i = 2; $i -lt $elements.Count; $i++) {
            $e = $elements[$i]
            if ($e -is [System.Management.Automation.Language.CommandParameterAst]) {
                $current = $e.ParameterName
                $skip = $current -eq 'OutputFormat'
                if (-not $skip) { $parts.Add($e.Extent.Text) }
                continue
            }
            if ($skip) { continue }
            $value = if ($current) { Get-Substitute -Command $Command -Parameter $current } else { $null }
            if ($null -ne $value -and $e.Extent.Text -match '^[0-9a-f]{8}-') {
                $parts.Add("'" + ([string] $value).Replace("'", "''") + "'")
            } elseif ($e.Extent.Text -match '^\(Read-Host\b') {
                $parts.Add("(ConvertTo-SecureString 'pa55-word' -AsPlainText -Force)")
            } else {
                $parts.Add($e.Extent.Text)
            }
            $current = $null
        }
        return ($parts -join ' ')
    }

    # What a case needs first, in its copy (run as the Global Administrator
    # unless it says otherwise). Values for later placeholders go in $script:Pre.
    $script:Preconditions = @{
        'Add-PpCmkDirectoryRoleMember' = { Remove-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName $PpAdmin -Confirm:$false }
        'Connect-AzAccount' = { New-AzADUser -DisplayName 'Key Vault Admin' -UserPrincipalName $KvAdmin | Out-Null }
        'Update-AzADUser' = { New-AzADUser -DisplayName 'Key Vault Admin' -UserPrincipalName $KvAdmin | Out-Null }
        'Get-AzKeyVaultManagedHsm' = { New-TestHsm }
        # Three certificates in the case's folder (the example names sd1.cer, sd2.cer, sd3.cer).
        'Export-AzKeyVaultSecurityDomain' = {
            New-TestHsm
            foreach ($i in 1..3) {
                & openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=sd$i" -keyout "sd$i.key" -out "sd$i.cer" 2>$null
                if ($LASTEXITCODE -ne 0) { throw 'openssl req failed' }
            }
        }
        'Get-AzKeyVaultRoleAssignment' = { New-TestHsm }
        'New-AzKeyVaultRoleAssignment' = { New-TestHsm; New-AzADUser -DisplayName 'Key Vault Admin' -UserPrincipalName $KvAdmin | Out-Null }
        'Remove-AzKeyVaultRoleAssignment' = {
            New-TestHsm
            New-AzADUser -DisplayName 'Key Vault Admin' -UserPrincipalName $KvAdmin | Out-Null
            New-AzKeyVaultRoleAssignment -HsmName contoso-hsm -RoleDefinitionName 'Managed HSM Crypto User' -SignInName $KvAdmin -Scope /keys | Out-Null
        }
        'Grant-PpCmkCredentialAccess' = { New-TestCredential }
        'Get-PpCmkCredential' = { New-TestCredential }
        'Set-PpCmkCredential' = { New-TestCredential }
        'Remove-PpCmkCredential' = { New-TestCredential }
        'Request-PpCmkFlowProtection' = { Add-TestEnvironmentToPolicy }
        'Get-PpCmkFault' = { Set-PpCmkFault -Operation VaultLatency -VaultName contoso-cmk-kv -Milliseconds 1 | Out-Null }
        'Get-PpCmkMachine' = { New-TestMachine }
        'Set-PpCmkMachineMapping' = { New-TestMachine; New-TestCredential -Name 'BOT-01 session' }
        'New-PpCmkDesktopFlowConnection' = { New-TestMachine; New-TestCredential }
        'Get-PpCmkDesktopFlowConnection' = { New-TestDesktopFlowConnection }
        'Remove-PpCmkDesktopFlowConnection' = { New-TestDesktopFlowConnection }
        'Get-PpCmkHostedMachineGroup' = { Invoke-As $PpAdmin { New-PpCmkHostedMachineGroup -EnvironmentName $T.EnvironmentName -Name 'Invoice bots' | Out-Null } }
        'Update-PpCmkHostedMachineGroup' = { Invoke-As $PpAdmin { New-PpCmkHostedMachineGroup -EnvironmentName $T.EnvironmentName -Name 'Invoice bots' | Out-Null } }
        'Grant-PpCmkDesktopFlowComponentAccess' = { New-TestWorkQueue }
        'Get-PpCmkDesktopFlowComponent' = { New-TestWorkQueue }
        'Get-DlpPolicy' = { New-TestDlp }
        'Set-DlpPolicy' = { New-TestDlp }
        'Set-PpCmkDlpActionRule' = { New-TestDlp }
        'Set-PpCmkDlpConnectorClassification' = { New-TestDlp }
        'Remove-DlpPolicy' = { New-TestDlp }
        'Get-PpCmkSecurityRoleMember' = { Invoke-As $PpAdmin { Add-PpCmkSecurityRoleMember -EnvironmentName $T.EnvironmentName -RoleName 'Basic User' -UserPrincipalName $Maker | Out-Null } }
        'Remove-PpCmkSecurityRoleMember' = { Invoke-As $PpAdmin { Add-PpCmkSecurityRoleMember -EnvironmentName $T.EnvironmentName -RoleName 'Basic User' -UserPrincipalName $Maker | Out-Null } }
        'Remove-PpCmkFlowPermission' = { Invoke-As $PpAdmin { Set-PpCmkFlowPermission -EnvironmentName $T.EnvironmentName -FlowName $T.Flows['Invoice HTTP'] -UserPrincipalName $Maker -Role User | Out-Null } }
        'Remove-PpCmkKeyVaultPrivateEndpoint' = { Add-PpCmkKeyVaultPrivateEndpoint -VaultName $T.VaultName | Out-Null }
        'Remove-PpCmkEnvironmentFromEnterprisePolicy' = { Add-TestEnvironmentToPolicy }
        'Switch-PpCmkEnvironmentEnterprisePolicy' = { Add-TestEnvironmentToPolicy }
        'Get-PpCmkEncryptionReport' = { Add-TestEnvironmentToPolicy }
        'Get-PpCmkEnvironmentWithPolicy' = { Add-TestEnvironmentToPolicy }
        'Get-PpCmkOperation' = { Add-TestEnvironmentToPolicy }
        'Get-AdminFlowEncryptedByMicrosoftKey' = { Add-TestEnvironmentToPolicy }
        'Remove-PpCmkTenantByokKey' = { Invoke-As $PpAdmin { Set-PpCmkTenantByokKey -KeyFilePath ./tenant-key.pem -Confirm:$false | Out-Null } }
        'Get-PpCmkTenantByokKey' = { Invoke-As $PpAdmin { Set-PpCmkTenantByokKey -KeyFilePath ./tenant-key.pem -Confirm:$false | Out-Null } }
        'Set-PowerAppProtectionStatus' = { Invoke-As $PpAdmin { Set-PpCmkTenantByokKey -KeyFilePath ./tenant-key.pem -Confirm:$false | Out-Null } }
        'Undo-AzKeyVaultKeyRemoval' = { Remove-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName -Force }
        'Undo-AzKeyVaultRemoval' = { Remove-AzKeyVault -VaultName $T.VaultName -ResourceGroupName $T.ResourceGroupName -Force }
        'Undo-AzKeyVaultSecretRemoval' = { Remove-AzKeyVaultSecret -VaultName contoso-kv -Name sap-password -Force }
        # A queued operation (-NoWait: NotStarted until resumed or maintenance runs it).
        'Resume-PpCmkOperation' = { New-TestQueuedOperation }
        'Invoke-PpCmkMaintenance' = { New-TestQueuedOperation }
        # A snapshot folder as Export-PpCmkTenantSnapshot.ps1 writes one.
        'Import-PpCmkTenantSnapshot' = { New-TestSnapshot -Path (Join-Path (Get-Location).ProviderPath 'contoso-snapshot') | Out-Null }
        'Remove-AzKeyVaultAccessPolicy' = { Set-AzKeyVaultAccessPolicy -VaultName $T.VaultName -ObjectId $T.IdentityId -PermissionsToKeys get, wrapKey, unwrapKey | Out-Null }
        'Remove-AzRoleAssignment' = { New-AzRoleAssignment -SignInName $PpAdmin -RoleDefinitionName Reader | Out-Null }
        # Examples that create the walkthrough's own objects: in a new store with only what they need.
        'New-AzResourceGroup' = { Use-EmptyStore }
        'New-AzKeyVault' = { Use-EmptyStore; New-AzResourceGroup -Name contoso-cmk -Location centralus | Out-Null }
        'New-PpCmkEnterprisePolicy' = {
            Use-EmptyStore
            New-AzResourceGroup -Name contoso-cmk -Location centralus | Out-Null
            $vault = New-AzKeyVault -Name contoso-cmk-kv -ResourceGroupName contoso-cmk -Location centralus -EnablePurgeProtection
            New-AzRoleAssignment -SignInName $GlobalAdmin -RoleDefinitionName 'Key Vault Crypto Officer' -Scope $vault.ResourceId | Out-Null
            Add-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk-key -Destination Software -KeyType RSA -Size 2048 | Out-Null
            Register-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform | Out-Null
        }
    }
    # A new, empty store as $env:PPCMK_HOME (the case still runs in its copy's folder).
    function Use-EmptyStore {
        $env:PPCMK_HOME = New-StoreFolder
    }
    function New-TestHsm {
        New-AzKeyVaultManagedHsm -Name contoso-hsm -ResourceGroupName $T.ResourceGroupName -Location centralus -Administrator $T.AdminId -EnablePurgeProtection | Out-Null
    }
    function New-TestQueuedOperation {
        Invoke-As $PpAdmin {
            $queued = Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName $T.EnvironmentName -PolicyArmId $T.PolicyId -NoWait -Confirm:$false
            $script:Pre['OperationId'] = $queued.OperationId
        }
    }
    function New-TestCredential {
        param([string] $Name = 'SAP login')
        Invoke-As $PpAdmin { New-PpCmkCredential -EnvironmentName $T.EnvironmentName -Name $Name -Source AzureKeyVault -VaultName contoso-kv -SecretName sap-password -UserName svc-sap -WarningAction SilentlyContinue | Out-Null }
    }
    # The machine the examples name, in the group they name.
    function New-TestMachine {
        Invoke-As $PpAdmin { Register-PpCmkMachine -EnvironmentName $T.EnvironmentName -MachineName BOT-01 -MachineGroupName 'Invoice machines' | Out-Null }
    }
    function New-TestDesktopFlowConnection {
        New-TestMachine
        New-TestCredential
        Invoke-As $PpAdmin { New-PpCmkDesktopFlowConnection -EnvironmentName $T.EnvironmentName -ConnectionName 'Invoice bots' -MachineGroupName 'Invoice machines' -CredentialName 'SAP login' | Out-Null }
    }
    function New-TestWorkQueue {
        Invoke-As $PpAdmin { New-PpCmkDesktopFlowComponent -EnvironmentName $T.EnvironmentName -Kind WorkQueue -Name Invoices | Out-Null }
    }
    function New-TestDlp {
        Invoke-As $PpAdmin { New-DlpPolicy -DisplayName 'Finance DLP' -EnvironmentType AllEnvironments | Out-Null }
    }
    function Add-TestEnvironmentToPolicy {
        Invoke-As $PpAdmin { Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName $T.EnvironmentName -PolicyArmId $T.PolicyId -Confirm:$false | Out-Null }
    }
    # The account an example runs as, besides its side's usual caller.
    $script:Accounts = @{
        # Tenant settings: the Global Administrator only (signed in on the Power Platform side too).
        'Set-PpCmkTenantSetting' = $GlobalAdmin
    }

    # Runs a case in a fresh copy of the prepared store; returns its objects and error.
    function Invoke-Case {
        param([string] $Command, [string] $Example, [string] $Side, [string] $Extra = '')
        $folder = New-StoreCopy
        $env:PPCMK_HOME = $folder
        $script:Pre = @{}
        Push-Location -LiteralPath $folder
        try {
            if ($Preconditions.ContainsKey($Command)) {
                & $Preconditions[$Command]
            }
            $line = ConvertTo-PowerShellLine -Command $Command -Example $Example
            if ($Extra) { $line += ' ' + $Extra }
            $info = Get-Command -Name $Command -Module PpCmk
            if ($info.Parameters.ContainsKey('Confirm')) { $line += ' -Confirm:$false' }
            $line += ' -ErrorAction Stop -WarningAction SilentlyContinue'
            $account = if ($Accounts.ContainsKey($Command)) { $Accounts[$Command] } elseif ($Side -eq 'Power Platform') { $PpAdmin } else { $null }
            $objects = New-Object System.Collections.Generic.List[object]
            $failure = $null
            try {
                Invoke-As $account { & ([scriptblock]::Create($line)) | ForEach-Object { $objects.Add($_) } }
            } catch {
                $failure = $_
            }
            # A switch that makes the function write one property's value instead of the objects.
            $yields = $null
            if ($info.Definition -match "'(\w+)=(\w+)'\)") {
                $switch = $Matches[1]
                $property = $Matches[2]
                if ($line -match ('\s-' + $switch + '(\s|:\$true|$)')) { $yields = $property }
            }
            # Without -PassThru (when it has one) a changing command may write nothing.
            $optional = $info.Parameters.ContainsKey('PassThru') -and $line -notmatch '\s-PassThru\b'
            return [pscustomobject]@{ Line = $line; Objects = $objects.ToArray(); Error = $failure; Yields = $yields; OutputOptional = $optional }
        } finally {
            Pop-Location
        }
    }

    # No error (but the gate of -FailOn when a row reached it), and the
    # documented objects: type name and properties in order; at least one
    # object unless the command writes only with -PassThru.
    function Assert-Case {
        param($Result, [string] $TypeName, [string[]] $Properties, [string] $Output)
        $r = $Result
        if ($r.Error) {
            $id = $r.Error.FullyQualifiedErrorId
            if ($id -like 'ChecksFailed*' -and $r.Line -match '-FailOn (Warn|Fail)') {
                # The gate is the documented outcome when a row reached the level: check it did.
                $level = $Matches[1]
                $reached = @($r.Objects | Where-Object { $_.Status -eq 'Fail' -or ($level -eq 'Warn' -and $_.Status -eq 'Warn') })
                $reached | Should -Not -BeNullOrEmpty -Because "$($r.Line) reported ChecksFailed, so a row is $level or worse"
            } else {
                throw "$($r.Line) failed: $id : $($r.Error.Exception.Message)"
            }
        } elseif ($r.Line -match '-FailOn (Warn|Fail)') {
            # No gate: then no row reached the level.
            $level = $Matches[1]
            $reached = @($r.Objects | Where-Object { $_.Status -eq 'Fail' -or ($level -eq 'Warn' -and $_.Status -eq 'Warn') })
            $reached | Should -BeNullOrEmpty -Because "$($r.Line) wrote no ChecksFailed error"
        }
        if ($TypeName -and $r.Yields) {
            # e.g. Get-AzKeyVaultSecret -AsPlainText: the documented property's value alone.
            $Properties | Should -Contain $r.Yields
            $r.Objects | Should -Not -BeNullOrEmpty -Because "$($r.Line) writes the $($r.Yields) values"
            foreach ($o in $r.Objects) {
                $o.PSObject.TypeNames[0] | Should -Not -Be $TypeName -Because "$($r.Line) writes $($r.Yields) alone"
            }
        } elseif ($TypeName) {
            if (-not $r.OutputOptional) {
                $r.Objects | Should -Not -BeNullOrEmpty -Because "$($r.Line) documents $TypeName output"
            }
            foreach ($o in $r.Objects) {
                $o | Should -Not -BeNullOrEmpty
                $o.PSObject.TypeNames[0] | Should -BeExactly $TypeName -Because "$($r.Line) documents $TypeName"
                @($o.PSObject.Properties | ForEach-Object Name) | Should -BeExactly $Properties -Because "$($r.Line) documents these properties, in this order"
            }
        } else {
            $r.Objects | Should -BeNullOrEmpty -Because "$($r.Line) documents no output ($Output)"
        }
    }
}

AfterAll {
    $env:PPCMK_HOME = $script:PreviousHome
    # The prepared store (it holds a private key file) and the copies (New-PpCmkSampleData's
    # alone over 100 MB); their handles stay open until the process ends, which Linux and
    # macOS allow (Windows keeps the files: ignored).
    foreach ($folder in @($script:Base) + @($script:Folders)) {
        Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'Every command once: the documented example in PowerShell' {
    It 'has a documented example for every command the module exports' {
        $documented = @($Cases | Where-Object { $_.Example } | ForEach-Object { $_.Command } | Sort-Object)
        $exported = @(Get-Command -Module PpCmk | ForEach-Object Name | Sort-Object)
        $documented | Should -Be $exported
    }

    It '<Command>' -ForEach $Cases {
        $Example | Should -Not -BeNullOrEmpty -Because "docs/commands/$Command.md has an example"
        $r = Invoke-Case -Command $Command -Example $Example -Side $Side
        Assert-Case -Result $r -TypeName $TypeName -Properties $Properties -Output $Output
        if ($TypeName -and $r.OutputOptional) {
            # The example wrote what it had to; with -PassThru, the documented objects.
            $again = Invoke-Case -Command $Command -Example $Example -Side $Side -Extra '-PassThru'
            Assert-Case -Result $again -TypeName $TypeName -Properties $Properties -Output $Output
        }
    }
}

# 003:7-9: credentials in desktop flow connections, through the module: a
# run signs in with the machine's mapped credential, and an account that
# requires MFA cannot sign in with a password.
Describe 'Credentials in desktop flow connections (003:7-9)' {
    It 'signs in to each machine with its mapped credential, and refuses a password sign-in for an account that requires MFA' {
        $env:PPCMK_HOME = New-StoreCopy
        $identity = Invoke-As $PpAdmin {
            (New-PpCmkCredential -EnvironmentName $T.EnvironmentName -Name 'BOT-01 session' -Source AzureKeyVault -VaultName contoso-kv -SecretName sap-password -UserName svc-bot1 -WarningAction SilentlyContinue).EnvironmentIdentity
        }
        # The key vault administrator lets the environment read the vault's secrets.
        New-AzRoleAssignment -ObjectId $identity -RoleDefinitionName 'Key Vault Secrets User' -Scope $T.SecretVaultId | Out-Null
        Invoke-As $PpAdmin {
            $mfa = New-PpCmkCredential -EnvironmentName $T.EnvironmentName -Name 'Finance admin' -Source AzureKeyVault -VaultName contoso-kv -SecretName sap-password -UserName fin-admin -RequiresMfa
            $mfa.RequiresMfa | Should -BeTrue
            $mfa.AuthenticationType | Should -BeExactly 'Password'
            Register-PpCmkMachine -EnvironmentName $T.EnvironmentName -MachineName BOT-01 -MachineGroupName 'Invoice machines' | Out-Null
            (Set-PpCmkMachineMapping -EnvironmentName $T.EnvironmentName -MachineName BOT-01 -CredentialName 'BOT-01 session').MappedCredential | Should -BeExactly 'BOT-01 session'
            New-PpCmkDesktopFlowConnection -EnvironmentName $T.EnvironmentName -ConnectionName Mapped -MachineGroupName 'Invoice machines' -UseMachineMapping | Out-Null
            $run = Start-PpCmkFlowRun -EnvironmentName $T.EnvironmentName -FlowName $T.DesktopFlowName -DesktopFlowConnection Mapped -RunMode Attended
            $run.SignIn | Should -BeExactly "Attended run on machine 'BOT-01', signed in as svc-bot1 with credential 'BOT-01 session' (password)"
            $run.ActionOutputs | Should -Not -Match 'S3cret!'
            # The machine's mapping now names the account that requires MFA.
            Set-PpCmkMachineMapping -EnvironmentName $T.EnvironmentName -MachineName BOT-01 -CredentialName 'Finance admin' | Out-Null
            $caught = $null
            try {
                Start-PpCmkFlowRun -EnvironmentName $T.EnvironmentName -FlowName $T.DesktopFlowName -DesktopFlowConnection Mapped -ErrorAction Stop | Out-Null
            } catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'InvalidOperation,Start-PpCmkFlowRun'
            $caught.Exception.Message | Should -Match 'certificate-based authentication'
            # The credential in use is not removed.
            { Remove-PpCmkCredential -EnvironmentName $T.EnvironmentName -Name 'Finance admin' -Confirm:$false -ErrorAction Stop } | Should -Throw -ExpectedMessage '*machine mapping of machine ''BOT-01''*'
        }
    }
}
