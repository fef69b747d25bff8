# Scripts: the example scripts of powershell/examples, each run as a child
# pwsh process (-File, so its exit status is real): the CMK walkthrough ends
# with exit 0 having checked every documented step, and the pre-flight and
# post-flight gates exit 1 on a failing set-up and 0 on a passing one.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:Store = Initialize-TestStore
    $script:Examples = Join-Path -Path $RepoRoot -ChildPath 'powershell/examples'
    $script:T = New-TestTenant -Records 200
    $script:CryptoUser = 'Key Vault Crypto Service Encryption User'

    # Runs powershell/examples/<Name> with pwsh -File in a new process, on this
    # file's store (PPCMK_HOME) as $Account (PPCMK_ACCOUNT; none: the Global
    # Administrator), and returns its exit code and its output and error
    # streams as text without colours.
    function Invoke-ExampleScript {
        param([string] $Name, [string[]] $Arguments = @(), [string] $Account, [int] $TimeoutSeconds = 120)
        $info = New-Object System.Diagnostics.ProcessStartInfo
        $info.FileName = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source
        foreach ($a in @('-NoProfile', '-NonInteractive', '-File', (Join-Path -Path $Examples -ChildPath $Name)) + $Arguments) {
            $info.ArgumentList.Add($a)
        }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $info.WorkingDirectory = $TestDrive
        $info.Environment['PPCMK_HOME'] = $Store
        $info.Environment['NO_COLOR'] = '1'
        [void] $info.Environment.Remove('PPCMK_ACCOUNT')
        [void] $info.Environment.Remove('PPCMK_NETWORK')
        if ($Account) {
            $info.Environment['PPCMK_ACCOUNT'] = $Account
        }
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
                $process.Kill()
                throw "$Name did not finish within $TimeoutSeconds s."
            }
            $process.WaitForExit()
            $ansi = "`e\[[0-9;?]*[A-Za-z]"
            [pscustomobject]@{
                ExitCode = $process.ExitCode
                Output   = $stdout.Result -replace $ansi, ''
                Errors   = $stderr.Result -replace $ansi, ''
            }
        } finally {
            $process.Dispose()
        }
    }

    # The output's lines, trimmed.
    function Get-Line {
        param([string] $Text)
        @($Text -split '\r?\n' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    }

    # Revokes / restores the policy identity's access to the key, and runs the health check.
    function Revoke-KeyAccess {
        Remove-AzRoleAssignment -ObjectId $T.IdentityId -RoleDefinitionName $CryptoUser -Scope $T.VaultId -Confirm:$false -ErrorAction Stop | Out-Null
        Invoke-PpCmkMaintenance -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null
    }
    function Restore-KeyAccess {
        New-AzRoleAssignment -ObjectId $T.IdentityId -RoleDefinitionName $CryptoUser -Scope $T.VaultId -ErrorAction Stop | Out-Null
        Invoke-PpCmkMaintenance -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null
    }
}

Describe 'powershell/examples/cmk-walkthrough.ps1' {
    It 'walks the documentation on a new temporary store, every step as documented, and exits 0' {
        $r = Invoke-ExampleScript -Name cmk-walkthrough.ps1
        $r.ExitCode | Should -Be 0 -Because $r.Errors
        $r.Errors | Should -BeNullOrEmpty
        $lines = Get-Line $r.Output
        # The steps in order.
        $steps = @($lines | Where-Object { $_ -like '== *' })
        $steps | Should -Be @(
            '== Key vault with soft delete and purge protection, and an RSA 2048 key',
            '== Register Microsoft.PowerPlatform and deploy the enterprise policy template',
            "== Grant the policy's identity access to the key; the Power Platform admin Reader on the policy",
            '== A managed production environment with data',
            '== Add the environment to the enterprise policy',
            '== Rotate the key: DEKs re-wrapped to the new version, no downtime, no record re-encrypted',
            "== Revoke the identity's access: the environment locks, for everyone",
            '== Restore the access: re-enabled with all data intact',
            '== Remove the environment from the policy: back on the Microsoft-managed key',
            '== The operation log')
        # The documented outcomes, in order.
        $checks = @($lines | Where-Object { $_ -like 'ok: *' })
        @($checks | Where-Object { $_ -notlike 'ok: records after*' -and $_ -notlike 'ok: record generations*' } |
                ForEach-Object { $_ -replace '^ok: key vault checks = \d+ passed$', 'ok: key vault checks = N passed' }) | Should -Be @(
            'ok: signed in = admin@contoso.onmicrosoft.com',
            'ok: vault purge protection = True',
            'ok: key = RSA 2048',
            'ok: deployment = Succeeded',
            'ok: key vault checks = N passed',
            'ok: IsManaged = True',
            'ok: KeyManagedBy = Microsoft',
            'ok: records = 2001',
            'ok: KeyManagedBy = Customer',
            'ok: State = Ready',
            'ok: last operation = KeyRotation',
            'ok: State = Ready',
            'ok: State = Locked',
            'ok: error = EnvironmentLocked',
            'ok: State = Ready',
            'ok: KeyManagedBy = Microsoft',
            'ok: State = Ready')
        # Every record read back identical at every Ready step.
        $digest = @($lines | ForEach-Object { if ($_ -match '^records digest ([0-9a-f]{16})$') { $Matches[1] } })
        $digest.Count | Should -Be 1
        @($checks | Where-Object { $_ -like 'ok: records after*' }) | Should -Be @(
            "ok: records after the add = $digest",
            "ok: records after the rotation = $digest",
            "ok: records after the unlock = $digest",
            "ok: records after the removal = $digest")
        $checks | Should -Contain 'ok: record generations after the rotation (none re-encrypted) = 2'
        # The operation log: the add, the rotation (one DEK re-wrapped, no record), the removal.
        $log = @($lines | Where-Object { $_ -match '^(Link|KeyRotation|Unlink)\s' } | ForEach-Object { @($_ -split '\s+')[0..3] -join ' ' })
        $log | Should -Be @('Link Succeeded 2001 2001', 'KeyRotation Succeeded 1 1', 'Unlink Succeeded 2001 2001')
        $lines[-1] | Should -Be 'The walkthrough ran as documented.'
        # A new temporary store, removed afterwards; this file's store untouched.
        $used = @($lines | Where-Object { $_ -like 'Store: *' } | ForEach-Object { $_.Substring(7) })
        $used.Count | Should -Be 1
        $used[0] | Should -Not -Be $Store
        Test-Path -LiteralPath $used[0] | Should -BeFalse
        @(Get-AzKeyVault -ErrorAction Stop).Count | Should -Be 1
        @(Get-AdminPowerAppEnvironment -ErrorAction Stop | Where-Object DisplayName -EQ 'Sales').Count | Should -Be 1
    }

    It 'stops at the first step that fails and exits 1 (-StoreFolder holding the vault already)' {
        $r = Invoke-ExampleScript -Name cmk-walkthrough.ps1 -Arguments @('-StoreFolder', $Store)
        $r.ExitCode | Should -Be 1
        $r.Errors | Should -Match "Resource group 'contoso-cmk' already exists"
        $lines = Get-Line $r.Output
        $lines | Should -Contain "Store: $Store"
        @($lines | Where-Object { $_ -like '== *' }) | Should -Be @('== Key vault with soft delete and purge protection, and an RSA 2048 key')
        $lines | Should -Not -Contain 'The walkthrough ran as documented.'
        # A store that was given is kept.
        Test-Path -LiteralPath (Join-Path -Path $Store -ChildPath 'ppcmk.db') | Should -BeTrue
    }
}

Describe 'powershell/examples/preflight.ps1' {
    BeforeAll {
        $script:PreflightArguments = @('-EnvironmentName', $T.EnvironmentName, '-PolicyArmId', $T.PolicyId)
    }

    It 'exits 1 when the policy''s identity cannot use the key, with the failed checks and their remedy' {
        $report = Join-Path -Path $TestDrive -ChildPath 'preflight-failing.csv'
        Remove-AzRoleAssignment -ObjectId $T.IdentityId -RoleDefinitionName $CryptoUser -Scope $T.VaultId -Confirm:$false -ErrorAction Stop | Out-Null
        try {
            $r = Invoke-ExampleScript -Name preflight.ps1 -Arguments ($PreflightArguments + @('-ReportPath', $report)) -Account $T.PpAdmin
        } finally {
            New-AzRoleAssignment -ObjectId $T.IdentityId -RoleDefinitionName $CryptoUser -Scope $T.VaultId -ErrorAction Stop | Out-Null
        }
        $r.ExitCode | Should -Be 1 -Because $r.Errors
        $r.Errors | Should -Match 'Pre-flight failed: 3 check\(s\) at Fail or worse'
        $lines = Get-Line $r.Output
        foreach ($check in @('IdentityGet', 'IdentityWrapKey', 'IdentityUnwrapKey')) {
            $lines | Should -Contain "FAIL ${check}: $($T.VaultName)/$($T.KeyName)"
        }
        $lines | Should -Contain "Remedy: New-AzRoleAssignment -ObjectId $($T.IdentityId) -RoleDefinitionName '$CryptoUser' -Scope $($T.VaultId)"
        # The full result is written for the change record, gate or not.
        $rows = @(Import-Csv -LiteralPath $report)
        $rows.Count | Should -BeGreaterThan 20
        @($rows | Where-Object Status -EQ 'Fail' | ForEach-Object Check) | Should -Be @('IdentityGet', 'IdentityWrapKey', 'IdentityUnwrapKey')
    }

    It 'exits 0 once the identity is granted the key (warnings do not stop it)' {
        $report = Join-Path -Path $TestDrive -ChildPath 'preflight-passing.csv'
        $r = Invoke-ExampleScript -Name preflight.ps1 -Arguments ($PreflightArguments + @('-ReportPath', $report)) -Account $T.PpAdmin
        $r.ExitCode | Should -Be 0 -Because $r.Errors
        $r.Errors | Should -BeNullOrEmpty
        $rows = @(Import-Csv -LiteralPath $report)
        @($rows | Where-Object Status -EQ 'Fail') | Should -BeNullOrEmpty
        $warnings = @($rows | Where-Object Status -EQ 'Warn')
        $warnings.Count | Should -BeGreaterThan 0
        (Get-Line $r.Output) | Should -Contain ('Pre-flight passed ({0} checks, {1} warning(s)). Full result: {2}' -f $rows.Count, $warnings.Count, $report)
    }

    It 'exits 1 on those warnings with -Strict' {
        $report = Join-Path -Path $TestDrive -ChildPath 'preflight-strict.csv'
        $r = Invoke-ExampleScript -Name preflight.ps1 -Arguments ($PreflightArguments + @('-ReportPath', $report, '-Strict')) -Account $T.PpAdmin
        $r.ExitCode | Should -Be 1
        $r.Errors | Should -Match 'Pre-flight failed: \d+ check\(s\) at Warn or worse'
        (Get-Line $r.Output) | Should -Contain "WARN FlowsStayOnMicrosoftKey: Sales ($($T.EnvironmentName))"
    }
}

Describe 'powershell/examples/postflight.ps1' {
    BeforeAll {
        Invoke-As $T.PpAdmin {
            Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName $T.EnvironmentName -PolicyArmId $T.PolicyId -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        }
    }

    It 'exits 0 when every environment is Ready on the customer key, its records adding up' {
        $report = Join-Path -Path $TestDrive -ChildPath 'postflight-passing.csv'
        $r = Invoke-ExampleScript -Name postflight.ps1 -Arguments @('-ReportPath', $report) -Account $T.PpAdmin
        $r.ExitCode | Should -Be 0 -Because $r.Errors
        $r.Errors | Should -BeNullOrEmpty
        $lines = Get-Line $r.Output
        $key = Get-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName -ErrorAction Stop
        $lines | Should -Contain "Warn Sales ($($T.EnvironmentName)): key Customer"
        $lines | Should -Contain "201 records under $($key.Id)"
        $lines[-1] | Should -Be "Post-flight passed. Full report: $report"
        $rows = @(Import-Csv -LiteralPath $report)
        $rows.Count | Should -Be 1
        $rows[0].EnvironmentName | Should -Be $T.EnvironmentName
        $rows[0].KeyManagedBy | Should -Be 'Customer'
        $rows[0].Records | Should -Be '201'
        $rows[0].FlowsOnMicrosoftKey | Should -Not -Be '0'
    }

    It 'exits 1 when the environment is locked (the identity''s access revoked)' {
        $report = Join-Path -Path $TestDrive -ChildPath 'postflight-locked.csv'
        Revoke-KeyAccess
        try {
            (Invoke-As $T.PpAdmin { Get-AdminPowerAppEnvironment -EnvironmentName $T.EnvironmentName -WarningAction SilentlyContinue }).State | Should -Be 'Locked'
            $r = Invoke-ExampleScript -Name postflight.ps1 -Arguments @('-ReportPath', $report) -Account $T.PpAdmin
        } finally {
            Restore-KeyAccess
        }
        $r.ExitCode | Should -Be 1 -Because $r.Errors
        $r.Errors | Should -Match 'Post-flight failed\. Full report:'
        (Get-Line $r.Output) | Should -Contain "Fail Sales ($($T.EnvironmentName)): key Customer"
        $rows = @(Import-Csv -LiteralPath $report)
        $rows[0].Status | Should -Be 'Fail'
        $rows[0].Findings | Should -Match '^Locked: '
        (Invoke-As $T.PpAdmin { Get-AdminPowerAppEnvironment -EnvironmentName $T.EnvironmentName -WarningAction SilentlyContinue }).State | Should -Be 'Ready'
    }

    It 'exits 1 with -Strict while flows stay on the Microsoft-managed key' {
        $report = Join-Path -Path $TestDrive -ChildPath 'postflight-strict.csv'
        $r = Invoke-ExampleScript -Name postflight.ps1 -Arguments @('-ReportPath', $report, '-Strict') -Account $T.PpAdmin
        $r.ExitCode | Should -Be 1
        $r.Errors | Should -Match 'Post-flight failed\.'
        (Get-Line $r.Output) | Should -Contain "Warn Sales ($($T.EnvironmentName)): key Customer"
    }
}
