# Import: a clean session imports the module with no error and no warning,
# exports exactly the registry's commands with approved verbs and no clashes,
# and imports again after Remove-Module; both ways of loading the C# layer work.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:Store = Initialize-TestStore
    # The registry's commands, from the generated reference (checked fresh by cargo test).
    $script:RegistryCommands = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'docs/commands') -Filter '*-*.md' |
        ForEach-Object { $_.BaseName } | Sort-Object)
    # Runs a script in a new pwsh process and returns its output and error streams merged as text.
    function Invoke-NewPwsh {
        param([string] $Script, [hashtable] $Environment = @{})
        $info = New-Object System.Diagnostics.ProcessStartInfo
        $info.FileName = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source
        foreach ($a in @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $info.WorkingDirectory = $RepoRoot
        $info.Environment['PPCMK_HOME'] = $script:Store
        foreach ($k in $Environment.Keys) { $info.Environment[$k] = $Environment[$k] }
        $process = [System.Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Errors = $stderr }
    }
}

Describe 'Import-Module PpCmk' {
    It 'imports in a clean pwsh session with no errors and no warnings' {
        $r = Invoke-NewPwsh -Script @'
$ErrorActionPreference = 'Continue'
$w = $null
Import-Module ./powershell/PpCmk -WarningVariable w -ErrorVariable e -WarningAction SilentlyContinue
"warnings=$(@($w).Count) errors=$(@($e).Count) module=$((Get-Module PpCmk).Name)"
'@
        $r.Errors | Should -BeNullOrEmpty
        $r.Output.Trim() | Should -Be 'warnings=0 errors=0 module=PpCmk'
    }

    It 'exports exactly the registry''s commands' {
        $exported = @(Get-Command -Module PpCmk | ForEach-Object Name | Sort-Object)
        $exported.Count | Should -BeGreaterThan 100
        $exported | Should -Be $script:RegistryCommands
        (Get-Module PpCmk).ExportedFunctions.Count | Should -Be $script:RegistryCommands.Count
    }

    It 'uses only approved verbs' {
        $approved = @(Get-Verb | ForEach-Object Verb)
        $unapproved = @(Get-Command -Module PpCmk | Where-Object { $approved -notcontains $_.Verb } | ForEach-Object Name)
        $unapproved | Should -BeNullOrEmpty
    }

    It 'clashes with no command of PowerShell''s own modules' {
        $clashes = @(Get-Command -Module PpCmk | ForEach-Object {
                Get-Command -Name $_.Name -All -ErrorAction SilentlyContinue | Where-Object { $_.ModuleName -ne 'PpCmk' }
            })
        $clashes | Should -BeNullOrEmpty
    }

    It 'imports again after Remove-Module, and the commands work' {
        Remove-Module PpCmk
        Get-Command -Name Get-AzContext -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Import-Module $ModulePath
        (Get-AzContext).Account | Should -Be $GlobalAdmin
    }

    It 'loads the prebuilt C# layer when it matches the source' {
        $r = Invoke-NewPwsh -Script 'Import-Module ./powershell/PpCmk; [PpCmk.Host].Assembly.Location'
        $r.Errors | Should -BeNullOrEmpty
        $r.Output.Trim() | Should -Match 'bin[/\\]PpCmk\.Native\.dll$'
    }

    It 'compiles the C# source instead when there is no prebuilt layer' {
        # A copy of the module without bin/PpCmk.Native.dll; the library by PPCMK_LIBRARY.
        $copy = Join-Path $TestDrive 'PpCmk'
        New-Item -ItemType Directory -Path $copy | Out-Null
        Get-ChildItem -LiteralPath $ModulePath -File | Copy-Item -Destination $copy
        $library = Join-Path $ModulePath 'bin/libppcmk.so'
        $r = Invoke-NewPwsh -Script "Import-Module '$copy'; [string]::IsNullOrEmpty([PpCmk.Host].Assembly.Location); (Get-AzContext).Account" -Environment @{ PPCMK_LIBRARY = $library }
        $r.Errors | Should -BeNullOrEmpty
        ($r.Output.Trim() -split '\r?\n') | Should -Be @('True', $GlobalAdmin)
    }

    It 'keeps the module and its examples free of PowerShell-7-only syntax (Windows PowerShell 5.1 loads them)' {
        $files = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'powershell') -Recurse -Include '*.ps1', '*.psm1', '*.psd1')
        $files.Count | Should -BeGreaterThan 4
        $found = foreach ($file in $files) {
            $tokens = $null
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $tokens, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because $file.Name
            $ast.FindAll({
                    param($node)
                    $node -is [System.Management.Automation.Language.TernaryExpressionAst] -or
                    $node -is [System.Management.Automation.Language.PipelineChainAst] -or
                    ($node -is [System.Management.Automation.Language.BinaryExpressionAst] -and $node.Operator -eq 'QuestionQuestion') -or
                    ($node -is [System.Management.Automation.Language.AssignmentStatementAst] -and $node.Operator -eq 'QuestionQuestionEquals') -or
                    ($node -is [System.Management.Automation.Language.MemberExpressionAst] -and $node.NullConditional) -or
                    ($node -is [System.Management.Automation.Language.IndexExpressionAst] -and $node.NullConditional) -or
                    ($node -is [System.Management.Automation.Language.CommandParameterAst] -and $node.ParameterName -eq 'Parallel')
                }, $true) | ForEach-Object { '{0}:{1}: {2}' -f $file.Name, $_.Extent.StartLineNumber, $_.Extent.Text }
        }
        $found | Should -BeNullOrEmpty
    }
}
