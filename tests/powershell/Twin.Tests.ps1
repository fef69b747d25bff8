# A twin of a real tenant (issue 15) through the PowerShell module: a
# snapshot written by PowerShell's own ConvertTo-Json in the shapes of
# Microsoft's cmdlets, imported; the checks, the plan, the key-version
# question and the report on it; bad snapshots refused with the store as it
# was; and the export script parses under Windows PowerShell 5.1's grammar.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:PreviousHome = $env:PPCMK_HOME
    $script:Store = Initialize-TestStore
    $script:SnapshotFolder = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('ppcmk-pester-snapshot-' + [guid]::NewGuid().ToString('n'))
    $script:S = New-TestSnapshot -Path $SnapshotFolder
    $script:Imported = @(Import-PpCmkTenantSnapshot -Path $SnapshotFolder -RecordsPerEnvironment 20 -Confirm:$false -WarningVariable importWarnings -WarningAction SilentlyContinue)
    $script:ImportWarnings = @($importWarnings)
}

AfterAll {
    $env:PPCMK_HOME = $script:PreviousHome
    Remove-Item -LiteralPath $SnapshotFolder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Import-PpCmkTenantSnapshot' {
    It 'imports every object, each with Origin Snapshot, and says what it defaulted' {
        ($Imported | Where-Object Kind -eq 'Environment').Count | Should -Be 3
        ($Imported | Where-Object Kind -eq 'Flow').Count | Should -Be 2
        ($Imported | Where-Object Origin -ne 'Snapshot') | Should -BeNullOrEmpty
        $Imported[0].PSObject.TypeNames[0] | Should -Be 'PpCmk.ImportedObject'
        ($ImportWarnings -join "`n") | Should -Match 'directoryRoles\.json is missing'
    }

    It 'starts the clock at the snapshot time' {
        Get-Date -Date (Get-PpCmkClock).Now -Format 'yyyy-MM-dd' | Should -Be '2026-03-01'
    }

    It 'is ConfirmImpact High, as what replaces a tenant is' {
        $binding = (Get-Command Import-PpCmkTenantSnapshot).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'High'
    }

    It 'refuses a store that holds a tenant, unless -Force' {
        { Import-PpCmkTenantSnapshot -Path $SnapshotFolder -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'Conflict,Import-PpCmkTenantSnapshot'
    }

    It 'refuses a truncated <File> with the store unchanged' -ForEach @(
        @{ File = 'manifest.json' }, @{ File = 'environments.json' }, @{ File = 'flows.json' }, @{ File = 'enterprisePolicies.json' },
        @{ File = 'keyVaults.json' }, @{ File = 'keys.json' }, @{ File = 'roleAssignments.json' }
    ) {
        $copy = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('ppcmk-pester-bad-' + [guid]::NewGuid().ToString('n'))
        Copy-Item -LiteralPath $SnapshotFolder -Destination $copy -Recurse
        try {
            $target = Join-Path $copy $File
            $text = [System.IO.File]::ReadAllText($target)
            [System.IO.File]::WriteAllText($target, $text.Substring(0, [int]($text.Length / 2)))
            $before = @(Get-AdminPowerAppEnvironment | ForEach-Object { $_.EnvironmentName } | Sort-Object)
            $caught = $null
            try { Import-PpCmkTenantSnapshot -Path $copy -Force -Confirm:$false -ErrorAction Stop } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'InvalidSnapshot,Import-PpCmkTenantSnapshot'
            $caught.Exception.Message | Should -Match ([regex]::Escape($File))
            @(Get-AdminPowerAppEnvironment | ForEach-Object { $_.EnvironmentName } | Sort-Object) | Should -Be $before
            Get-Date -Date (Get-PpCmkClock).Now -Format 'yyyy-MM-dd' | Should -Be '2026-03-01'
        } finally {
            Remove-Item -LiteralPath $copy -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'The existing checks on the twin' {
    It 'Test-PpCmkReadiness fails the unmanaged environment and passes the managed one' {
        $rows = @(Test-PpCmkReadiness -EnvironmentName $S.Sales, $S.Unmanaged -PolicyArmId $S.PolicyId)
        ($rows | Where-Object { $_.Check -eq 'EnvironmentManaged' -and $_.Target -like "*$($S.Unmanaged)*" }).Status | Should -Be 'Fail'
        ($rows | Where-Object { $_.Check -eq 'EnvironmentManaged' -and $_.Target -like "*$($S.Sales)*" }).Status | Should -Be 'Pass'
        ($rows | Where-Object { $_.Check -eq 'PurgeProtection' }).Status | Should -Be 'Pass'
    }

    It 'Get-AdminFlowEncryptedByMicrosoftKey lists the HTTP flow and its parent' {
        $rows = @(Get-AdminFlowEncryptedByMicrosoftKey -EnvironmentName $S.Sales -ListCannotMigrateToCustomerManagedKey)
        ($rows | Where-Object FlowName -eq $S.HttpFlow).Reason | Should -Be 'HttpTrigger'
        $parent = $rows | Where-Object FlowName -eq $S.ParentFlow
        $parent.Reason | Should -Be 'ParentOfUnmigratableFlow'
        $parent.DisplayName | Should -Be '<script>alert(1)</script>'
    }
}

Describe 'Get-PpCmkRolloutPlan, Test-PpCmkKeyVersionInUse and Export-PpCmkReport' {
    It 'plans the managed environment, blocks the unmanaged one, and gates with -FailOn' {
        $rows = @(Get-PpCmkRolloutPlan -PolicyArmId $S.PolicyId -MaxPerWave 2)
        ($rows | Where-Object EnvironmentName -eq $S.Sales).Wave | Should -Be 1
        $blocked = $rows | Where-Object EnvironmentName -eq $S.Unmanaged
        $blocked.Wave | Should -BeNullOrEmpty
        ($blocked.Blockers -join ' ') | Should -Match 'Enable-PpCmkManagedEnvironment'
        ($rows | Where-Object EnvironmentName -eq $S.Finance).Wave | Should -Be 0
        { Get-PpCmkRolloutPlan -PolicyArmId $S.PolicyId -FailOn Fail -ErrorAction Stop } | Should -Throw -ErrorId 'ChecksFailed,Get-PpCmkRolloutPlan'
    }

    It 'answers InUse for the version that wraps the linked environment''s data keys' {
        $use = Test-PpCmkKeyVersionInUse -VaultName $S.VaultName -Name $S.KeyName -Version $S.Version
        $use.InUse | Should -BeTrue
        $use.Dependents[0].Kind | Should -Be 'DataKeyWrap'
        $use.Dependents[0].Target | Should -Match $S.Finance
    }

    It 'writes a self-contained page with the display name as text' {
        $out = Join-Path -Path $Store -ChildPath 'report.html'
        $file = Export-PpCmkReport -Path $out
        $file.Environments | Should -Be 3
        $html = [System.IO.File]::ReadAllText($out)
        $html | Should -Match '&lt;script&gt;alert\(1\)&lt;/script&gt;'
        $html | Should -Not -Match '<script'
    }
}

Describe 'Export-PpCmkTenantSnapshot.ps1' {
    It 'parses, is read-only, and uses only the grammar of Windows PowerShell 5.1' {
        $path = Join-Path -Path $RepoRoot -ChildPath 'powershell/examples/Export-PpCmkTenantSnapshot.ps1'
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $commands = @($ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() } | Where-Object { $_ })
        # Microsoft's reading cmdlets, and nothing that changes a tenant.
        foreach ($name in 'Get-AdminPowerAppEnvironment', 'Get-AdminFlow', 'Get-AzResource', 'Get-AzKeyVault', 'Get-AzKeyVaultKey', 'Get-AzRoleAssignment') {
            $commands | Should -Contain $name
        }
        # (Set-AzContext only picks the subscription this session reads.)
        @($commands | Where-Object { $_ -ne 'Set-AzContext' -and $_ -match '^(Set|New|Remove|Update|Add|Invoke|Register|Disable|Enable|Backup|Restore|Reset|Copy)-(Az|Admin|PowerApp|Mg)' }) | Should -BeNullOrEmpty
    }
}
