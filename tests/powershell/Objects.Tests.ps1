# Objects, not text: typed properties, round trips through JSON and CSV, the
# default views (the docs' three columns, Az's lists) and Format-List *, and
# the run history CSV.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    Initialize-TestStore | Out-Null
    $script:T = New-TestTenant -Records 0
    $script:Key = Get-AzKeyVaultKey -VaultName $T.VaultName -Name $T.KeyName
    # A few outputs of different shapes: every property survives the round trips.
    $script:Samples = @(
        @{ Name = 'key'; Object = $Key },
        @{ Name = 'vault'; Object = (Get-AzKeyVault -VaultName $T.VaultName) },
        @{ Name = 'role assignment'; Object = @(Get-AzRoleAssignment -ObjectId $T.PpAdminId)[0] },
        @{ Name = 'environment'; Object = (Invoke-As $T.PpAdmin { Get-AdminPowerAppEnvironment -EnvironmentName $T.EnvironmentName }) },
        @{ Name = 'flow'; Object = @(Invoke-As $T.PpAdmin { Get-AdminFlow -EnvironmentName $T.EnvironmentName })[0] },
        @{ Name = 'context'; Object = (Get-AzContext) }
    )
    # The value as text the way Export-Csv writes a scalar, for comparison.
    function ConvertTo-CsvText($value) {
        if ($null -eq $value) { return '' }
        if ($value -is [datetime]) { return $value.ToString() }
        return [string] $value
    }
}

Describe 'Typed output objects' {
    It 'has dates as [datetime], numbers as numbers, booleans as booleans, nested objects as objects' {
        $Key.Created | Should -BeOfType [datetime]
        $Key.Created.Kind | Should -Be ([System.DateTimeKind]::Utc)
        $Key.KeySize | Should -BeOfType [long]
        $Key.Enabled | Should -BeOfType [bool]
        $Key.Key | Should -BeOfType [System.Management.Automation.PSCustomObject]
        $Key.Key.kty | Should -Be 'RSA'
        $Key.PSObject.TypeNames[0] | Should -Be 'PpCmk.KeyVaultKey'
    }

    It 'filters and sorts on dates with Where-Object and Sort-Object' {
        Add-AzKeyVaultKey -VaultName $T.VaultName -Name soon -Destination Software -Expires ([datetime]::UtcNow.AddDays(10)) | Out-Null
        Add-AzKeyVaultKey -VaultName $T.VaultName -Name later -Destination Software -Expires ([datetime]::UtcNow.AddDays(300)) | Out-Null
        $expiring = @(Get-AzKeyVaultKey -VaultName $T.VaultName | Where-Object { $_.Expires -and $_.Expires -lt (Get-Date).AddDays(30) })
        @($expiring | ForEach-Object Name) | Should -Be @('soon')
        $sorted = @(Get-AzKeyVaultKey -VaultName $T.VaultName | Where-Object Expires | Sort-Object Expires -Descending | ForEach-Object Name)
        $sorted | Should -Be @('later', 'soon')
    }

    It 'round-trips the <Name> through ConvertTo-Json and ConvertFrom-Json' -ForEach @(
        @{ Name = 'key' }, @{ Name = 'vault' }, @{ Name = 'role assignment' }, @{ Name = 'environment' }, @{ Name = 'flow' }, @{ Name = 'context' }
    ) {
        $object = ($Samples | Where-Object Name -EQ $Name).Object
        $back = $object | ConvertTo-Json -Depth 20 | ConvertFrom-Json
        @($back.PSObject.Properties.Name) | Should -Be @($object.PSObject.Properties.Name)
        foreach ($property in $object.PSObject.Properties) {
            $value = $property.Value
            $other = $back.($property.Name)
            if ($value -is [datetime]) {
                $other.ToUniversalTime() | Should -Be $value.ToUniversalTime() -Because $property.Name
            } elseif ($null -eq $value -or $value -is [string] -or $value -is [bool] -or $value -is [long]) {
                $other | Should -Be $value -Because $property.Name
            } else {
                ($other | ConvertTo-Json -Depth 20 -Compress) | Should -Be ($value | ConvertTo-Json -Depth 20 -Compress) -Because $property.Name
            }
        }
    }

    It 'round-trips the <Name> through Export-Csv and Import-Csv' -ForEach @(
        @{ Name = 'key' }, @{ Name = 'vault' }, @{ Name = 'role assignment' }, @{ Name = 'environment' }, @{ Name = 'flow' }, @{ Name = 'context' }
    ) {
        $object = ($Samples | Where-Object Name -EQ $Name).Object
        $file = Join-Path $TestDrive "$($Name -replace ' ', '-').csv"
        $object | Export-Csv -LiteralPath $file -NoTypeInformation
        $row = Import-Csv -LiteralPath $file
        @($row.PSObject.Properties.Name) | Should -Be @($object.PSObject.Properties.Name)
        foreach ($property in $object.PSObject.Properties) {
            $value = $property.Value
            if ($null -eq $value -or $value -is [string] -or $value -is [bool] -or $value -is [long] -or $value -is [datetime]) {
                $row.($property.Name) | Should -Be (ConvertTo-CsvText $value) -Because $property.Name
            }
        }
    }
}

Describe 'Default views' {
    It 'shows Get-AdminFlowEncryptedByMicrosoftKey with exactly the docs'' three columns' {
        $text = Invoke-As $T.PpAdmin { Get-AdminFlowEncryptedByMicrosoftKey -EnvironmentName $T.EnvironmentName | Out-String -Width 300 }
        $header = @($text -split '\r?\n' | Where-Object { $_.Trim() })[0]
        @($header -split '\s+' | Where-Object { $_ }) | Should -Be @('DisplayName', 'FlowName', 'EnvironmentName')
    }

    It 'shows a key as Az.KeyVault lists it' {
        $lines = @(($Key | Out-String -Width 300) -split '\r?\n' | Where-Object { $_.Trim() } | ForEach-Object { ($_ -split ':', 2)[0].Trim() })
        $lines | Should -Be @('Vault/HSM Name', 'Name', 'Version', 'Id', 'Enabled', 'Expires', 'Not Before', 'Created', 'Updated', 'Recovery Level', 'Tags')
        ($Key | Out-String) | Should -Match "Vault/HSM Name\s*:\s*$($T.VaultName)"
    }

    It 'shows a role assignment as Az does (a list of its properties)' {
        $assignment = @(Get-AzRoleAssignment -ObjectId $T.PpAdminId)[0]
        $labels = @(($assignment | Out-String -Width 300) -split '\r?\n' | Where-Object { $_ -match '^\S.*\s:' } | ForEach-Object { ($_ -split ':', 2)[0].Trim() })
        $labels | Should -Be @('RoleAssignmentId', 'Scope', 'DisplayName', 'SignInName', 'RoleDefinitionName', 'RoleDefinitionId', 'ObjectId', 'ObjectType', 'CanDelegate', 'Description', 'ConditionVersion', 'Condition')
    }

    It 'keeps a table view for Format-Table' {
        $header = @(($Key | Format-Table | Out-String -Width 300) -split '\r?\n' | Where-Object { $_.Trim() })[0]
        @($header -split '\s+' | Where-Object { $_ }) | Should -Be @('VaultName', 'Name', 'Version', 'Enabled', 'KeyType', 'KeySize', 'Expires')
    }

    It 'shows every property with Format-List *' {
        $text = $Key | Format-List * | Out-String -Width 300
        foreach ($name in $Key.PSObject.Properties.Name) {
            $text | Should -Match "(?m)^$name\s*:"
        }
    }
}

Describe 'Run history CSV' {
    BeforeAll {
        $script:Flow = $T.Flows['Nightly sync']
        Invoke-As $T.PpAdmin {
            1..120 | ForEach-Object { Start-PpCmkFlowRun -EnvironmentName $T.EnvironmentName -FlowName $Flow -Inputs "{""n"":$_}" | Out-Null }
        }
    }

    It 'Export-PpCmkFlowRunHistory writes at most 100 rows with the documented columns' {
        $file = Join-Path $TestDrive 'runs.csv'
        $export = Invoke-As $T.PpAdmin { Export-PpCmkFlowRunHistory -EnvironmentName $T.EnvironmentName -FlowName $Flow -Path $file }
        $export.Runs | Should -Be 100
        $rows = @(Import-Csv -LiteralPath $file)
        $rows.Count | Should -Be 100
        # The columns README documents for the All-runs export.
        $readme = (Get-Content -Raw (Join-Path $RepoRoot 'README.md')) -replace '\s+', ' '
        $sentence = [regex]::Match($readme, 'Its columns: (.+?)\. Text a spreadsheet').Groups[1].Value
        $documented = @([regex]::Matches($sentence, '`([^`]+)`') | ForEach-Object { $_.Groups[1].Value -split ',' } |
            ForEach-Object { $_.Trim() } | Where-Object { $_ -match '^[A-Za-z]+$' })
        $documented.Count | Should -BeGreaterThan 5
        @($rows[0].PSObject.Properties.Name) | Should -Be $documented
    }

    It 'Get-FlowRun | Export-Csv reads back with the documented columns' {
        $runs = @(Invoke-As $T.PpAdmin { Get-FlowRun -EnvironmentName $T.EnvironmentName -FlowName $Flow })
        $file = Join-Path $TestDrive 'get-flowrun.csv'
        $runs | Export-Csv -LiteralPath $file -NoTypeInformation
        $rows = @(Import-Csv -LiteralPath $file)
        $rows.Count | Should -Be $runs.Count
        $doc = Get-Content -Raw (Join-Path $RepoRoot 'docs/commands/Get-FlowRun.md')
        $line = [regex]::Match($doc, 'objects with the properties (.+)\.').Groups[1].Value
        $documented = @([regex]::Matches($line, '`([^`]+)`') | ForEach-Object { $_.Groups[1].Value })
        $documented.Count | Should -BeGreaterThan 5
        @($rows[0].PSObject.Properties.Name) | Should -Be @($documented)
    }
}
