# Rules: docs/rules.md traces every rule of the product documentation (the 110
# rows of the fidelity audit) to the code and to the tests that prove it. This
# file keeps that table honest: exactly the rules 1..110, each once, a status
# on every row, and no row naming a test that does not exist (a Rust test is
# found by `fn <name>(` in any *.rs file under src/, tests/ or crates/; a
# Pester test by the exact text of an It in tests/powershell/*.Tests.ps1).
# It needs no store.
BeforeAll {
    $script:RepoRoot = (Resolve-Path "$PSScriptRoot/../..").ProviderPath
    $script:RulesPath = Join-Path -Path $script:RepoRoot -ChildPath 'docs/rules.md'
    $script:Columns = @('Rule', 'Doc', 'Rule in brief', 'Code', 'Test', 'Status')
    $script:Statuses = @('IMPLEMENTED', 'WRONG today', 'not modelled')

    # Splits one Markdown table line into its trimmed cells; a | inside
    # backticks or escaped as \| does not split.
    function Split-TableLine {
        param([string] $Line)
        $text = $Line.Trim()
        if ($text.StartsWith('|')) { $text = $text.Substring(1) }
        if ($text.EndsWith('|') -and -not $text.EndsWith('\|')) { $text = $text.Substring(0, $text.Length - 1) }
        $cells = New-Object System.Collections.Generic.List[string]
        $current = New-Object System.Text.StringBuilder
        $inCode = $false
        for ($i = 0; $i -lt $text.Length; $i++) {
            $c = $text[$i]
            if ($c -eq '\' -and $i + 1 -lt $text.Length -and $text[$i + 1] -eq '|') {
                [void] $current.Append('|')
                $i++
                continue
            }
            if ($c -eq '`') { $inCode = -not $inCode }
            if ($c -eq '|' -and -not $inCode) {
                $cells.Add($current.ToString().Trim())
                [void] $current.Clear()
                continue
            }
            [void] $current.Append($c)
        }
        $cells.Add($current.ToString().Trim())
        , $cells.ToArray()
    }

    # The rows of the table whose header is exactly $Columns, as objects with
    # one property per column, plus LineNumber. Problems (a row with the wrong
    # number of cells, no such table) are returned as strings in Problems.
    function Read-RulesTable {
        param([string] $Text)
        $lines = $Text -split '\r?\n'
        $rows = New-Object System.Collections.Generic.List[object]
        $problems = New-Object System.Collections.Generic.List[string]
        $start = -1
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i].TrimStart().StartsWith('|')) {
                $cells = Split-TableLine -Line $lines[$i]
                if (($cells -join '|') -eq ($script:Columns -join '|')) { $start = $i; break }
            }
        }
        if ($start -lt 0) {
            $problems.Add("no table with the columns $($script:Columns -join ' | ')")
            return [pscustomobject]@{ Rows = $rows.ToArray(); Problems = $problems.ToArray() }
        }
        # Skip the header and its separator; the table ends at the first line that is not a row.
        for ($i = $start + 2; $i -lt $lines.Count -and $lines[$i].TrimStart().StartsWith('|'); $i++) {
            $cells = Split-TableLine -Line $lines[$i]
            if ($cells.Count -ne $script:Columns.Count) {
                $problems.Add("line $($i + 1): $($cells.Count) cells, not $($script:Columns.Count)")
                continue
            }
            $row = [ordered]@{}
            for ($k = 0; $k -lt $cells.Count; $k++) { $row[$script:Columns[$k]] = $cells[$k] }
            $row['LineNumber'] = $i + 1
            $rows.Add([pscustomobject] $row)
        }
        [pscustomobject]@{ Rows = $rows.ToArray(); Problems = $problems.ToArray() }
    }

    # The tests a Test cell names: each name in backticks; none for an em dash.
    # Anything else in the cell (text outside backticks but commas) is a problem.
    function Get-TestNames {
        param([string] $Cell)
        $trimmed = $Cell.Trim()
        if ($trimmed -eq [string][char]0x2014) {
            return [pscustomobject]@{ Names = @(); Problem = $null }
        }
        $names = @([regex]::Matches($trimmed, '`([^`]+)`') | ForEach-Object { $_.Groups[1].Value.Trim() })
        $rest = ([regex]::Replace($trimmed, '`[^`]*`', '') -replace '[,\s]', '')
        $problem = $null
        if ($names.Count -eq 0) { $problem = "the Test cell '$trimmed' is neither test names in backticks nor an em dash" }
        elseif ($rest) { $problem = "the Test cell has text outside backticks: '$rest'" }
        [pscustomobject]@{ Names = $names; Problem = $problem }
    }

    # Every function name declared with `fn name(` in a *.rs file under src/,
    # tests/ or crates/ of $Root (searched recursively; target/ is not scanned).
    function Get-RustFunctionNames {
        param([string] $Root)
        $set = New-Object 'System.Collections.Generic.HashSet[string]'
        foreach ($folder in @('src', 'tests', 'crates')) {
            $path = Join-Path -Path $Root -ChildPath $folder
            if (-not (Test-Path -LiteralPath $path -PathType Container)) { continue }
            foreach ($file in Get-ChildItem -LiteralPath $path -Recurse -File -Filter '*.rs') {
                $content = [System.IO.File]::ReadAllText($file.FullName)
                foreach ($m in [regex]::Matches($content, '\bfn\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(')) {
                    [void] $set.Add($m.Groups[1].Value)
                }
            }
        }
        , $set
    }

    # The Pester tests of tests/powershell/*.Tests.ps1: the text of each It
    # (the first string argument, unescaped as PowerShell reads it), and the
    # files' raw text for a literal match.
    function Get-PesterTests {
        param([string] $Root)
        $names = New-Object 'System.Collections.Generic.HashSet[string]'
        $raw = New-Object System.Collections.Generic.List[string]
        $folder = Join-Path -Path $Root -ChildPath 'tests/powershell'
        foreach ($file in Get-ChildItem -LiteralPath $folder -File -Filter '*.Tests.ps1') {
            $raw.Add([System.IO.File]::ReadAllText($file.FullName))
            $tokens = $null
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $tokens, [ref] $errors)
            $its = $ast.FindAll({
                    param($node)
                    $node -is [System.Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'It'
                }, $true)
            foreach ($it in $its) {
                $name = $it.CommandElements | Select-Object -Skip 1 |
                    Where-Object { $_ -is [System.Management.Automation.Language.StringConstantExpressionAst] -or
                        $_ -is [System.Management.Automation.Language.ExpandableStringExpressionAst] } |
                    Select-Object -First 1
                if ($name) { [void] $names.Add($name.Value) }
            }
        }
        [pscustomobject]@{ Names = $names; Raw = $raw.ToArray() }
    }

    # Whether a name from a Test cell names an existing test.
    function Test-NamedTestExists {
        param([string] $Name, $RustNames, $Pester)
        if ($Name.StartsWith('pester:')) {
            $text = $Name.Substring('pester:'.Length).Trim()
            if (-not $text) { return $false }
            if ($Pester.Names.Contains($text)) { return $true }
            $quoted = $text.Replace("'", "''")
            foreach ($content in $Pester.Raw) {
                if ($content.Contains("It '$quoted'") -or $content.Contains("It `"$text`"")) { return $true }
            }
            return $false
        }
        # Rust: file_stem::function_name or function_name; only the function name counts.
        $function = ($Name -split '::')[-1].Trim()
        if ($function -notmatch '^[A-Za-z_][A-Za-z0-9_]*$') { return $false }
        $RustNames.Contains($function)
    }

    # Every problem of a rules table: rule numbers other than exactly
    # 1..$Expected, malformed cells, unknown statuses, and named tests that do
    # not exist. Returns one string per problem (none when the table holds).
    function Find-RulesProblems {
        param([string] $Text, [int] $Expected = 110, $RustNames, $Pester)
        $table = Read-RulesTable -Text $Text
        $problems = New-Object System.Collections.Generic.List[string]
        foreach ($p in $table.Problems) { $problems.Add($p) }
        $numbers = New-Object System.Collections.Generic.List[int]
        foreach ($row in $table.Rows) {
            $n = 0
            if (-not [int]::TryParse($row.Rule, [ref] $n)) {
                $problems.Add("line $($row.LineNumber): rule number '$($row.Rule)' is not a number")
                continue
            }
            $numbers.Add($n)
            if (-not ($script:Statuses | Where-Object { $row.Status.StartsWith($_) })) {
                $problems.Add("rule ${n}: status '$($row.Status)' starts with none of $($script:Statuses -join ', ')")
            }
            $tests = Get-TestNames -Cell $row.Test
            if ($tests.Problem) { $problems.Add("rule ${n}: $($tests.Problem)") }
            foreach ($name in $tests.Names) {
                if (-not (Test-NamedTestExists -Name $name -RustNames $RustNames -Pester $Pester)) {
                    $problems.Add("rule ${n}: no test '$name'")
                }
            }
        }
        $duplicates = @($numbers | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name)
        foreach ($d in $duplicates) { $problems.Add("rule $d appears more than once") }
        $missing = @(1..$Expected | Where-Object { -not $numbers.Contains($_) })
        if ($missing) { $problems.Add("rules missing: $($missing -join ', ')") }
        $extra = @($numbers | Where-Object { $_ -lt 1 -or $_ -gt $Expected } | Sort-Object -Unique)
        if ($extra) { $problems.Add("rules outside 1..${Expected}: $($extra -join ', ')") }
        , $problems.ToArray()
    }

    $script:RustNames = Get-RustFunctionNames -Root $script:RepoRoot
    $script:Pester = Get-PesterTests -Root $script:RepoRoot
    $script:Text = [System.IO.File]::ReadAllText($script:RulesPath)
    $script:Table = Read-RulesTable -Text $script:Text

    # A table of $Count rules, each with a test that exists, for the self-tests.
    function New-SyntheticTable {
        param([int] $Count = 110, [string[]] $ExtraRows = @())
        $header = '| Rule | Doc | Rule in brief | Code | Test | Status |'
        $separator = '|---|---|---|---|---|---|'
        $rows = foreach ($n in 1..$Count) {
            "| $n | 002:$n | A rule | ``src/lib.rs`` | ``cli::get_azcontext_shows_the_global_administrator_as_json`` | IMPLEMENTED |"
        }
        (@('# Synthetic', '', $header, $separator) + @($rows) + $ExtraRows + @('', 'After the table.')) -join "`n"
    }
}

Describe 'docs/rules.md' {
    It 'has one table with the columns Rule, Doc, Rule in brief, Code, Test, Status, every row well formed' {
        $script:Table.Problems | Should -BeNullOrEmpty
        $script:Table.Rows.Count | Should -BeGreaterThan 0
    }

    It 'holds exactly the rules 1..110, each once, in order' {
        $numbers = @($script:Table.Rows | ForEach-Object { [int] $_.Rule })
        $numbers | Should -Be @(1..110)
    }

    It 'cites a documentation file and line on every row (as 002:412)' {
        $bad = @($script:Table.Rows | Where-Object { $_.Doc -notmatch '^00[0-4]:\d+' } | ForEach-Object { "rule $($_.Rule): '$($_.Doc)'" })
        $bad | Should -BeNullOrEmpty
    }

    It 'gives every row a status: IMPLEMENTED, WRONG today or not modelled' {
        $bad = @($script:Table.Rows | Where-Object {
                $status = $_.Status
                -not ($script:Statuses | Where-Object { $status.StartsWith($_) })
            } | ForEach-Object { "rule $($_.Rule): '$($_.Status)'" })
        $bad | Should -BeNullOrEmpty
    }

    It 'names a test on every IMPLEMENTED row, and says why on every other row' {
        $bad = foreach ($row in $script:Table.Rows) {
            $names = (Get-TestNames -Cell $row.Test).Names
            if ($row.Status.StartsWith('IMPLEMENTED') -and $names.Count -eq 0) { "rule $($row.Rule): IMPLEMENTED without a test" }
            if (-not $row.Status.StartsWith('IMPLEMENTED') -and $row.Status -notmatch '^(WRONG today|not modelled): \S') {
                "rule $($row.Rule): '$($row.Status)' does not say why"
            }
        }
        $bad | Should -BeNullOrEmpty
    }

    It 'names only tests that exist' {
        $problems = Find-RulesProblems -Text $script:Text -RustNames $script:RustNames -Pester $script:Pester
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'the rules checker' {
    It 'passes a synthetic table whose tests exist' {
        Find-RulesProblems -Text (New-SyntheticTable) -RustNames $script:RustNames -Pester $script:Pester | Should -BeNullOrEmpty
    }

    It 'reports a row naming a test that does not exist' {
        $text = (New-SyntheticTable) -replace '\| 7 \| 002:7 \| A rule \| `src/lib.rs` \| `[^`]+` \|', '| 7 | 002:7 | A rule | `src/lib.rs` | `cli::get_azcontext_shows_the_global_administrator_as_json`, `core::fn_that_does_not_exist` |'
        $text | Should -Match 'fn_that_does_not_exist'
        $problems = Find-RulesProblems -Text $text -RustNames $script:RustNames -Pester $script:Pester
        $problems | Should -HaveCount 1
        $problems[0] | Should -Be "rule 7: no test 'core::fn_that_does_not_exist'"
    }

    It 'finds Rust tests by function name wherever their file is, and Pester tests by their exact It text' {
        $exists = { param($n) Test-NamedTestExists -Name $n -RustNames $script:RustNames -Pester $script:Pester }
        & $exists 'fn_that_does_not_exist' | Should -BeFalse
        & $exists 'somewhere_else::get_azcontext_shows_the_global_administrator_as_json' | Should -BeTrue
        & $exists 'own_reasons_follow_the_documentation_table' | Should -BeTrue
        & $exists 'pester:uses only approved verbs' | Should -BeTrue
        & $exists 'pester:shows Get-AdminFlowEncryptedByMicrosoftKey with exactly the docs'' three columns' | Should -BeTrue
        & $exists 'pester:uses only approved verb' | Should -BeFalse
        & $exists 'pester:' | Should -BeFalse
    }

    It 'reports missing, duplicate and extra rule numbers' {
        $text = New-SyntheticTable -Count 109 -ExtraRows @(
            '| 5 | 002:5 | Again | `src/lib.rs` | `cli::get_azcontext_shows_the_global_administrator_as_json` | IMPLEMENTED |',
            '| 111 | 002:111 | Extra | `src/lib.rs` | `cli::get_azcontext_shows_the_global_administrator_as_json` | IMPLEMENTED |')
        $problems = Find-RulesProblems -Text $text -RustNames $script:RustNames -Pester $script:Pester
        $problems | Should -Contain 'rule 5 appears more than once'
        $problems | Should -Contain 'rules missing: 110'
        $problems | Should -Contain 'rules outside 1..110: 111'
    }

    It 'reports a Test cell that is neither backticked names nor an em dash, and an unknown status' {
        $text = (New-SyntheticTable) -replace '\| 3 \| 002:3 \| A rule \| `src/lib.rs` \| `[^`]+` \| IMPLEMENTED \|', '| 3 | 002:3 | A rule | `src/lib.rs` | some_test | DONE |'
        $problems = Find-RulesProblems -Text $text -RustNames $script:RustNames -Pester $script:Pester
        $problems | Should -HaveCount 2
        ($problems -join "`n") | Should -Match 'rule 3: status'
        ($problems -join "`n") | Should -Match 'rule 3: the Test cell'
    }
}
