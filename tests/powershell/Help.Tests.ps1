# Help for every command, and tab completion of allowed values and of the
# names in the store.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    Initialize-TestStore | Out-Null
    $script:T = New-TestTenant -Records 0
    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText)
    }
}

Describe 'Get-Help' {
    It 'shows synopsis, every parameter''s description and an example for <Name>' -ForEach @(
        Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot '../../docs/commands') -Filter '*-*.md' | ForEach-Object { @{ Name = $_.BaseName } }
    ) {
        $help = Get-Help -Name $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
        $ownParameters = @((Get-Command $Name).Parameters.Keys | Where-Object {
                $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters })
        foreach ($parameter in $ownParameters) {
            $entry = @($help.parameters.parameter | Where-Object name -EQ $parameter)
            $entry.Count | Should -Be 1 -Because "-$parameter is in the help"
            ($entry[0].description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter has a description"
        }
        @($help.examples.example).Count | Should -BeGreaterThan 0
        (Get-Help -Name $Name -Examples | Out-String) | Should -Match ([regex]::Escape($Name))
    }
}

Describe 'Tab completion' {
    It 'completes ValidateSet values' {
        Get-Completion 'Add-AzKeyVaultKey -Destination ' | Sort-Object | Should -Be @('HSM', 'Software')
        Get-Completion 'Add-AzKeyVaultKey -KeyType RSA-' | Should -Be @('RSA-HSM')
    }

    It 'completes -VaultName from the store' {
        Get-Completion 'Get-AzKeyVaultKey -VaultName cont' | Should -Be @($T.VaultName)
    }

    It 'completes -Name with the keys of the vault given' {
        Add-AzKeyVaultKey -VaultName $T.VaultName -Name second-key -Destination Software | Out-Null
        Get-Completion "Get-AzKeyVaultKey -VaultName $($T.VaultName) -Name " | Should -Be @($T.KeyName, 'second-key')
        Get-Completion "Remove-AzKeyVaultKey -VaultName $($T.VaultName) -Name sec" | Should -Be @('second-key')
    }

    It 'completes -EnvironmentName from the store' {
        $completions = Invoke-As $T.PpAdmin { Get-Completion 'Get-AdminFlow -EnvironmentName ' }
        $completions | Should -Contain $T.EnvironmentName
    }

    It 'completes -PolicyArmId from the store' {
        $completions = Invoke-As $T.PpAdmin { Get-Completion 'Add-PpCmkEnvironmentToEnterprisePolicy -PolicyArmId ' }
        $completions | Should -Be @($T.PolicyId)
    }
}
