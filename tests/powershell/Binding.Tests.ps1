# Parameters bind as Az and the PowerApps module bind them: positions,
# names, aliases, unambiguous prefixes, switches, arrays, hashtables, dates,
# secure strings, ValidateSet and mandatory parameters, relative paths.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    Initialize-TestStore | Out-Null
    $script:T = New-TestTenant -Records 0
    $script:Vault = $T.VaultName
    New-AzRoleAssignment -SignInName $GlobalAdmin -RoleDefinitionName 'Key Vault Secrets Officer' -Scope $T.VaultId | Out-Null
}

Describe 'Parameter binding' {
    It 'binds positional parameters in Az''s positions' {
        $key = Get-AzKeyVaultKey $Vault $T.KeyName
        $key.Name | Should -Be $T.KeyName
        $key.VaultName | Should -Be $Vault
    }

    It 'binds aliases and unambiguous prefixes, case-insensitively' {
        (Get-AzKeyVaultKey -vaultname $Vault -KeyName $T.KeyName).Name | Should -Be $T.KeyName
        @(Get-AzKeyVaultKey -Vault $Vault -Na $T.KeyName -IncludeV).Count | Should -Be 1
    }

    It 'refuses an ambiguous prefix before anything runs' {
        { Get-AzKeyVaultKey -VaultName $Vault -Name $T.KeyName -In } | Should -Throw -ErrorId 'AmbiguousParameter*'
    }

    It 'takes switches present, absent and -Switch:$false' {
        $enabled = Add-AzKeyVaultKey -VaultName $Vault -Name switch-off -Destination Software -Disable:$false
        $enabled.Enabled | Should -BeTrue
        $disabled = Add-AzKeyVaultKey -VaultName $Vault -Name switch-on -Destination Software -Disable
        $disabled.Enabled | Should -BeFalse
    }

    It 'takes arrays, hashtables and dates' {
        $expires = [datetime]::UtcNow.AddDays(400)
        $key = Add-AzKeyVaultKey -VaultName $Vault -Name typed -Destination Software -KeyOps wrapKey, unwrapKey -Tag @{ purpose = 'cmk'; owner = 'sec' } -Expires $expires
        @($key.KeyOps) | Should -Be @('wrapKey', 'unwrapKey')
        $key.Tags.purpose | Should -Be 'cmk'
        $key.Tags.owner | Should -Be 'sec'
        $key.Expires | Should -BeOfType [datetime]
        [math]::Abs(($key.Expires.ToUniversalTime() - $expires).TotalSeconds) | Should -BeLessThan 1
    }

    It 'treats a date without a zone as UTC, as Az does' {
        $local = [datetime]::SpecifyKind([datetime]'2030-01-02T03:04:05', [System.DateTimeKind]::Unspecified)
        $key = Add-AzKeyVaultKey -VaultName $Vault -Name unspecified-kind -Destination Software -Expires $local
        $key.Expires.ToUniversalTime() | Should -Be ([datetime]::SpecifyKind($local, [System.DateTimeKind]::Utc))
    }

    It 'takes ISO 8601 durations and hashtables for rotation policies' {
        $policy = Set-AzKeyVaultKeyRotationPolicy -VaultName $Vault -Name $T.KeyName -ExpiresIn P2Y -KeyRotationLifetimeAction @{ Action = 'Rotate'; TimeAfterCreate = 'P18M' }
        $policy.ExpiresIn | Should -Be 'P2Y'
        (Get-AzKeyVaultKeyRotationPolicy -VaultName $Vault -Name $T.KeyName).ExpiresIn | Should -Be 'P2Y'
    }

    It 'takes a [securestring] where Az does, and never echoes it' {
        $secure = ConvertTo-SecureString -String 'S3cret-value' -AsPlainText -Force
        $secret = Set-AzKeyVaultSecret -VaultName $Vault -Name sap-password -SecretValue $secure -Verbose 4>&1
        ($secret | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Not -Match 'S3cret-value'
        Get-AzKeyVaultSecret -VaultName $Vault -Name sap-password -AsPlainText | Should -Be 'S3cret-value'
        { Set-AzKeyVaultSecret -VaultName $Vault -Name other -SecretValue 'plain text' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
    }

    It 'refuses a value outside the ValidateSet before anything runs' {
        { Add-AzKeyVaultKey -VaultName $Vault -Name not-created -Destination Cloud } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Add-AzKeyVaultKey'
        Get-AzKeyVaultKey -VaultName $Vault -Name not-created -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'reports a missing mandatory parameter as an error in a non-interactive session' {
        $shell = [powershell]::Create()
        try {
            # A runspace without a host cannot prompt: the binding fails instead.
            $null = $shell.AddScript("Import-Module '$ModulePath'; Add-AzKeyVaultKey -VaultName '$Vault'")
            $null = $shell.Invoke()
            $shell.HadErrors | Should -BeTrue
            $shell.Streams.Error[0].FullyQualifiedErrorId | Should -BeLike 'MissingMandatoryParameter*'
        } finally {
            $shell.Dispose()
        }
    }

    It 'resolves relative file paths against the PowerShell location' {
        $folder = Join-Path $TestDrive 'keys'
        New-Item -ItemType Directory -Path $folder | Out-Null
        & openssl genrsa -out (Join-Path $folder 'imported.pem') 2048 2>$null
        Push-Location $folder
        try {
            $key = Add-AzKeyVaultKey -VaultName $Vault -Name imported -KeyFilePath ./imported.pem
            $key.KeySize | Should -Be 2048
        } finally {
            Pop-Location
        }
    }
}
