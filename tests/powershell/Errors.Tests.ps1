# Errors as ErrorRecords (engine code, category, target; $?; -ErrorAction Stop;
# usage errors terminating; -FailOn), and the other streams: warnings,
# progress during the add, and -Verbose.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    Initialize-TestStore | Out-Null
    $script:T = New-TestTenant -Records 3000
}

Describe 'Errors' {
    It 'writes a non-terminating ErrorRecord with the engine''s code, category and target' {
        $result = Get-AzKeyVaultKey -VaultName $T.VaultName -Name missing-key -ErrorVariable failures -ErrorAction SilentlyContinue
        $ok = $?
        $ok | Should -BeFalse
        $result | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $record = $failures[0]
        $record.FullyQualifiedErrorId | Should -Be 'NotFound,Get-AzKeyVaultKey'
        $record.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ObjectNotFound)
        $record.TargetObject | Should -Not -BeNullOrEmpty
        $record.Exception.Code | Should -Be 'NotFound'
        $record.Exception.Message | Should -Match 'missing-key'
    }

    It 'maps a refusal to PermissionDenied' {
        $failures = Invoke-As $T.PpAdmin {
            Add-AzKeyVaultKey -VaultName $T.VaultName -Name not-allowed -Destination Software -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused
        }
        $failures[0].FullyQualifiedErrorId | Should -Be 'Forbidden,Add-AzKeyVaultKey'
        $failures[0].CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::PermissionDenied)
    }

    It 'continues after a non-terminating error, and stops with -ErrorAction Stop' {
        $reached = $false
        try {
            Get-AzKeyVaultKey -VaultName $T.VaultName -Name missing-key -ErrorAction SilentlyContinue
            $reached = $true
        } catch {
            $reached = 'caught'
        }
        $reached | Should -BeTrue
        $caught = $null
        try {
            Get-AzKeyVaultKey -VaultName $T.VaultName -Name missing-key -ErrorAction Stop
            $caught = 'not stopped'
        } catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -Be 'NotFound,Get-AzKeyVaultKey'
    }

    It 'raises usage errors as terminating errors' {
        $reached = $false
        $caught = $null
        try {
            Get-AzKeyVaultKey -VaultName $T.VaultName -HsmName other -ErrorAction Continue
            $reached = $true
        } catch {
            $caught = $_
        }
        $reached | Should -BeFalse
        $caught.FullyQualifiedErrorId | Should -BeLike 'ParameterSetConflict,*Get-AzKeyVaultKey'
    }

    It 'writes every row of -FailOn, then a ChecksFailed error' {
        $rows = Invoke-As $T.PpAdmin {
            Test-PpCmkReadiness -EnvironmentName $T.EnvironmentName -PolicyArmId $T.PolicyId -FailOn Warn -ErrorVariable script:gate -ErrorAction SilentlyContinue
        }
        @($rows).Count | Should -BeGreaterThan 5
        @($rows | Where-Object Status -In 'Warn', 'Fail').Count | Should -BeGreaterThan 0
        $gate[-1].FullyQualifiedErrorId | Should -Be 'ChecksFailed,Test-PpCmkReadiness'
        { Invoke-As $T.PpAdmin { Test-PpCmkReadiness -EnvironmentName $T.EnvironmentName -PolicyArmId $T.PolicyId -FailOn Warn -ErrorAction Stop } } |
            Should -Throw -ErrorId 'ChecksFailed,Test-PpCmkReadiness'
    }
}

Describe 'Streams' {
    It 'writes warnings through Write-Warning, silenced by -WarningAction SilentlyContinue' {
        $vault = New-AzKeyVault -Name no-purge-kv -ResourceGroupName $T.ResourceGroupName -Location centralus -WarningVariable warned -WarningAction SilentlyContinue
        $vault.VaultName | Should -Be 'no-purge-kv'
        $warned.Count | Should -Be 1
        $warned[0].Message | Should -Match 'purge protection'
        $captured = New-AzKeyVault -Name no-purge-kv2 -ResourceGroupName $T.ResourceGroupName -Location centralus -WarningAction SilentlyContinue 3>&1
        @($captured | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count | Should -Be 0
    }

    It 'reports progress during Add-PpCmkEnvironmentToEnterprisePolicy' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript(@"
Import-Module '$ModulePath'
`$env:PPCMK_ACCOUNT = '$($T.PpAdmin)'
Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName '$($T.EnvironmentName)' -PolicyArmId '$($T.PolicyId)'
"@)
            $output = $shell.Invoke()
            $shell.Streams.Error | Should -BeNullOrEmpty
            $progress = @($shell.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 1
            @($progress | Where-Object { $_.RecordType -eq 'Processing' -and $_.PercentComplete -ge 0 }).Count | Should -BeGreaterThan 0
            $progress[-1].RecordType | Should -Be 'Completed'
        } finally {
            $shell.Dispose()
            # $env: is the process's: the runspace's account change is seen here too.
            Remove-Item -Path Env:PPCMK_ACCOUNT -ErrorAction SilentlyContinue
        }
        (Invoke-As $T.PpAdmin { Get-AdminPowerAppEnvironment -EnvironmentName $T.EnvironmentName }).KeyManagedBy | Should -Be 'Customer'
    }

    It 'says with -Verbose what it asked the engine and what came back' {
        $verbose = @(Get-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $verbose -join "`n" | Should -Match "Get-AzKeyVaultKey -VaultName `"$($T.VaultName)`" -Name `"$($T.KeyName)`""
        $verbose -join "`n" | Should -Match 'returned 1 object'
        @(Get-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
    }
}
