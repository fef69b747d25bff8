# Eight runspaces of ForEach-Object -Parallel call the module on one store at
# once: no errors, nothing lost.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:Store = Initialize-TestStore
    $script:T = New-TestTenant -Records 0
}

Describe 'Concurrency' {
    It 'runs 1..8 | ForEach-Object -Parallel on one store without errors or lost writes' {
        $environment = $T.EnvironmentName
        $results = 1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            $ErrorActionPreference = 'Stop'
            Import-Module $using:ModulePath
            $env:PPCMK_HOME = $using:Store
            $worker = $_
            # $env: is the process's, shared by the runspaces: all act as the admin.
            $env:PPCMK_ACCOUNT = $using:PpAdmin
            $written = foreach ($i in 1..10) {
                $id = "w$worker-$i"
                New-PpCmkRecord -EnvironmentName $using:environment -Table parallel -Id $id -Data "{""worker"":$worker,""i"":$i}" | Out-Null
                $id
            }
            [pscustomobject]@{ Worker = $worker; Written = @($written) }
        } -ErrorVariable failures
        Remove-Item -Path Env:PPCMK_ACCOUNT -ErrorAction SilentlyContinue
        $failures | Should -BeNullOrEmpty
        @($results).Count | Should -Be 8
        $records = Invoke-As $PpAdmin { Get-PpCmkRecord -EnvironmentName $T.EnvironmentName -Table parallel -First 1000 }
        @($records | ForEach-Object Id | Sort-Object) | Should -Be @($results | ForEach-Object Written | Sort-Object)
        @($records).Count | Should -Be 80
        foreach ($record in $records) {
            $data = $record.Data
            if ($data -is [string]) { $data = $data | ConvertFrom-Json }
            "w$($data.worker)-$($data.i)" | Should -Be $record.Id
        }
    }
}
