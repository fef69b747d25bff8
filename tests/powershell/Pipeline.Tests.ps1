# Pipelines by property name, as Microsoft's cmdlets allow them.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    Initialize-TestStore | Out-Null
    $script:T = New-TestTenant -Records 0
}

Describe 'Pipeline binding by property name' {
    It 'Get-AzKeyVaultKey | Remove-AzKeyVaultKey -Force removes every key of the vault' {
        Add-AzKeyVaultKey -VaultName $T.VaultName -Name spare -Destination Software | Out-Null
        @(Get-AzKeyVaultKey -VaultName $T.VaultName).Count | Should -Be 2
        Get-AzKeyVaultKey -VaultName $T.VaultName | Remove-AzKeyVaultKey -Force
        @(Get-AzKeyVaultKey -VaultName $T.VaultName).Count | Should -Be 0
        @(Get-AzKeyVaultKey -VaultName $T.VaultName -InRemovedState | ForEach-Object Name | Sort-Object) | Should -Be @($T.KeyName, 'spare')
        Get-AzKeyVaultKey -VaultName $T.VaultName -InRemovedState | Undo-AzKeyVaultKeyRemoval | Out-Null
        @(Get-AzKeyVaultKey -VaultName $T.VaultName).Count | Should -Be 2
    }

    It 'Get-AdminPowerAppEnvironment | Where-Object | Get-AdminFlowEncryptedByMicrosoftKey' {
        $flows = Invoke-As $T.PpAdmin {
            Get-AdminPowerAppEnvironment | Where-Object DisplayName -EQ 'Sales' | Get-AdminFlowEncryptedByMicrosoftKey
        }
        @($flows).Count | Should -Be 3
        @($flows | ForEach-Object EnvironmentName | Sort-Object -Unique) | Should -Be @($T.EnvironmentName)
    }

    It 'Get-AdminFlow | Copy-PpCmkFlow copies every flow' {
        Invoke-As $T.PpAdmin {
            $before = @(Get-AdminFlow -EnvironmentName $T.EnvironmentName)
            $copies = @(Get-AdminFlow -EnvironmentName $T.EnvironmentName | Copy-PpCmkFlow)
            $copies.Count | Should -Be $before.Count
            @(Get-AdminFlow -EnvironmentName $T.EnvironmentName).Count | Should -Be (2 * $before.Count)
        }
    }

    It 'Get-AzADUser | New-AzRoleAssignment assigns the role to that user' {
        $user = New-AzADUser -DisplayName 'Pipeline User' -UserPrincipalName pipe@contoso.onmicrosoft.com
        $assignment = Get-AzADUser -UserPrincipalName pipe@contoso.onmicrosoft.com | New-AzRoleAssignment -RoleDefinitionName Reader -Scope $T.PolicyId
        $assignment.ObjectId | Should -Be $user.Id
        $assignment.Scope | Should -Be $T.PolicyId
        @(Get-AzRoleAssignment -ObjectId $user.Id -Scope $T.PolicyId).Count | Should -Be 1
    }

    It 'Get-AzRoleAssignment | Remove-AzRoleAssignment removes what it lists' {
        $user = New-AzADUser -DisplayName 'Second User' -UserPrincipalName second@contoso.onmicrosoft.com
        New-AzRoleAssignment -ObjectId $user.Id -RoleDefinitionName Reader -Scope $T.PolicyId | Out-Null
        Get-AzRoleAssignment -ObjectId $user.Id | Remove-AzRoleAssignment -Confirm:$false | Out-Null
        Get-AzRoleAssignment -ObjectId $user.Id | Should -BeNullOrEmpty
    }
}
