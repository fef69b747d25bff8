# -WhatIf and -Confirm on every changing command; destructive ones ask
# (ConfirmImpact High) unless -Force or -Confirm:$false, as Az's do.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:Store = Initialize-TestStore
    $script:T = New-TestTenant -Records 0
    # Which commands change state, from the generated reference.
    $script:Changing = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'docs/commands') -Filter '*-*.md' |
        Where-Object { (Get-Content -Raw $_.FullName) -notmatch 'The command reads only\.' } | ForEach-Object BaseName)
    # Runs a script in a new runspace with no host: a prompt there fails instead of waiting.
    function Invoke-WithoutHost {
        param([string] $Script)
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$ModulePath'; $Script")
            $output = $shell.Invoke()
            [pscustomobject]@{ Output = $output; Errors = @($shell.Streams.Error) }
        } finally {
            $shell.Dispose()
        }
    }
}

Describe 'ShouldProcess' {
    It 'is supported by every changing command, and by no read' {
        $Changing.Count | Should -BeGreaterThan 50
        foreach ($command in Get-Command -Module PpCmk) {
            $supports = $command.Parameters.ContainsKey('WhatIf') -and $command.Parameters.ContainsKey('Confirm')
            $supports | Should -Be ($Changing -contains $command.Name) -Because $command.Name
        }
    }

    It 'marks destructive commands ConfirmImpact High and gives them -Force' {
        foreach ($command in Get-Command -Module PpCmk | Where-Object { $_.Verb -in 'Remove', 'Reset' -and $_.Name -ne 'Remove-PowerAppsAccount' }) {
            $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.ConfirmImpact | Should -Be 'High' -Because $command.Name
            $command.Parameters.ContainsKey('Force') | Should -BeTrue -Because $command.Name
        }
        $binding = (Get-Command New-AzResourceGroup).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'Medium'
    }

    It '-WhatIf changes nothing: <Name>' -ForEach @(
        @{ Name = 'New-AzResourceGroup'; Run = { New-AzResourceGroup -Name whatif-rg -Location centralus -WhatIf }; Check = { Get-AzResourceGroup -Name whatif-rg -ErrorAction SilentlyContinue | Should -BeNullOrEmpty } },
        @{ Name = 'Remove-AzKeyVaultKey'; Run = { Remove-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName -Force -WhatIf }; Check = { (Get-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName).Enabled | Should -BeTrue } },
        @{ Name = 'Update-AzKeyVaultKey'; Run = { Update-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName -Enable $false -WhatIf }; Check = { (Get-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName).Enabled | Should -BeTrue } },
        @{ Name = 'Set-PpCmkClock'; Run = { Set-PpCmkClock -AdvanceDays 30 -WhatIf }; Check = { (Get-PpCmkClock).OffsetSeconds | Should -Be 0 } },
        @{ Name = 'Remove-AzRoleAssignment'; Run = { Remove-AzRoleAssignment -ObjectId $T.IdentityId -RoleDefinitionName 'Key Vault Crypto Service Encryption User' -Scope $T.VaultId -WhatIf }; Check = { @(Get-AzRoleAssignment -ObjectId $T.IdentityId -Scope $T.VaultId).Count | Should -Be 1 } },
        @{ Name = 'Add-PpCmkEnvironmentToEnterprisePolicy'; Run = { Invoke-As $T.PpAdmin { Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName $T.EnvironmentName -PolicyArmId $T.PolicyId -WhatIf } }; Check = { (Invoke-As $T.PpAdmin { Get-AdminPowerAppEnvironment -EnvironmentName $T.EnvironmentName }).KeyManagedBy | Should -Be 'Microsoft' } }
    ) {
        $before = @(Get-PpCmkAuditLog).Count
        # (What if: lines go to the host itself, not to a stream.)
        & $Run | Should -BeNullOrEmpty
        & $Check
        @(Get-PpCmkAuditLog).Count | Should -Be $before -Because 'nothing was changed, so nothing was audited'
    }

    It 'asks before a destructive command, and a session that cannot answer changes nothing' {
        $r = Invoke-WithoutHost "Remove-AzKeyVaultKey -VaultName '$($T.VaultName)' -Name '$($T.KeyName)'"
        $r.Errors.Count | Should -BeGreaterThan 0
        (Get-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName).Name | Should -Be $T.KeyName
    }

    It 'asks with -Confirm before a Medium command' {
        $r = Invoke-WithoutHost "New-AzResourceGroup -Name confirm-rg -Location centralus -Confirm"
        $r.Errors.Count | Should -BeGreaterThan 0
        Get-AzResourceGroup -Name confirm-rg -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'does not ask with -Force or -Confirm:$false' {
        Add-AzKeyVaultKey -VaultName $T.VaultName -Name forced -Destination Software | Out-Null
        Add-AzKeyVaultKey -VaultName $T.VaultName -Name unconfirmed -Destination Software | Out-Null
        $forced = Invoke-WithoutHost "Remove-AzKeyVaultKey -VaultName '$($T.VaultName)' -Name forced -Force"
        $forced.Errors | Should -BeNullOrEmpty
        $unconfirmed = Invoke-WithoutHost "Remove-AzKeyVaultKey -VaultName '$($T.VaultName)' -Name unconfirmed -Confirm:`$false"
        $unconfirmed.Errors | Should -BeNullOrEmpty
        @(Get-AzKeyVaultKey -VaultName $T.VaultName -InRemovedState | ForEach-Object Name | Sort-Object) | Should -Be @('forced', 'unconfirmed')
    }
}
